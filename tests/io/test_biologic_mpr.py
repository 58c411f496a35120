"""Tests of the EC-Lab binary reader (``biologic-mpr``).

Where the expected values come from:

* constructed files: the test assembles ``.mpr`` bytes from the documented layout (file
  magic, module headers, data-module column list, packed records) with values chosen to be
  exact in float32, so every expected canonical value is known by construction;
* real files: each ``.mpr`` in ``../shared/data/biologic`` is compared with its ``.mpt``
  twin of the same stem, EC-Lab's own text export of the same run, value by value to the
  precision printed in the text (see ``assert_matches_reference``).
"""

from __future__ import annotations

import struct
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from elyte.errors import ReaderError
from elyte.io import biologic_mpr, biologic_mpt
from elyte.io.registry import read as elyte_read
from tests.conftest import SHARED_DATA, shared_file
from tests.io.test_biologic_mpt import assert_matches_reference, reference_table

MAGIC = b"BIO-LOGIC MODULAR FILE\x1a".ljust(48, b" ") + b"\x00" * 4
START = datetime(2024, 1, 10, 11, 2, 29, 886000)

# Column IDs of the constructed data module, in record order: the six flag IDs share the
# first byte, then Ns (u2), time (f8), Ewe (f4), I (f4), (Q-Qo) (f8), Q charge/discharge
# (f8), half cycle (u4).
IDS = [1, 2, 3, 21, 31, 65, 131, 4, 6, 8, 13, 467, 468]
RECORD = [
    ("flags", "u1"), ("ns", "<u2"), ("t", "<f8"), ("ewe", "<f4"), ("i", "<f4"),
    ("q", "<f8"), ("qcd", "<f8"), ("hc", "<u4"),
]  # fmt: skip
#          mode ox err ctl nsc cnt  Ns  t    Ewe    I      Q-Qo   Qcd     hc
VALUES = [
    (3, 0, 0, 0, 0, 0, 0, 0.0, 3.0, 0.0, 0.0, 0.0, 0),
    (1, 1, 0, 1, 1, 0, 1, 1.0, 3.5, 2.0, 0.5, 0.5, 0),
    (1, 1, 0, 0, 0, 0, 1, 2.0, 3.75, 2.0, 1.0, 1.0, 0),
    (1, 0, 1, 1, 1, 0, 2, 3.0, 3.25, -1.0, 0.75, -0.25, 1),
    (1, 0, 0, 0, 0, 1, 2, 4.0, 3.125, -1.0, 0.5, -0.5, 1),
]


def flag_byte(mode: int, ox: int, err: int, ctl: int, nsc: int, cnt: int) -> int:
    return mode | ox << 2 | err << 3 | ctl << 4 | nsc << 5 | cnt << 7


def records(extra: list[tuple[int, str]] | None = None) -> tuple[bytes, int]:
    """Packed records; ``extra`` inserts (position, dtype) fields filled with 0x7F bytes."""
    fields = list(RECORD)
    for position, dtype in extra or []:
        fields.insert(position, (f"x{position}", dtype))
    dtype = np.dtype(fields)
    out = np.zeros(len(VALUES), dtype=dtype)
    for k, row in enumerate(VALUES):
        out[k]["flags"] = flag_byte(*row[:6])
        for name, value in zip(["ns", "t", "ewe", "i", "q", "qcd", "hc"], row[6:], strict=True):
            out[k][name] = value
    raw = bytearray(out.tobytes())
    for position, _ in extra or []:
        offset = dtype.fields[f"x{position}"][1]  # type: ignore[index]
        size = dtype.fields[f"x{position}"][0].itemsize  # type: ignore[index]
        for k in range(len(VALUES)):
            start = k * dtype.itemsize + offset
            raw[start : start + size] = b"\x7f" * size
    return bytes(raw), dtype.itemsize


def module(short: str, data: bytes, *, version: int, new_layout: bool) -> bytes:
    head = b"MODULE" + short.encode().ljust(10) + (short + " long").encode().ljust(25)
    if new_layout:
        head += struct.pack("<IIII", 0xFFFFFFFF, len(data), version, 11)
    else:
        head += struct.pack("<II", len(data), version)
    return head + b"01/10/24" + data


def data_module(ids: list[int], body: bytes, n: int, *, new_layout: bool) -> bytes:
    if new_layout:
        head = struct.pack("<IH", n, len(ids)) + struct.pack(f"<{len(ids)}H", *ids)
        return head.ljust(0x3EF, b"\x00") + body
    head = struct.pack("<IB", n, len(ids)) + struct.pack(f"<{len(ids)}H", *ids)
    return head.ljust(405, b"\x00") + b"\x01" + body


def log_module() -> bytes:
    data = bytearray(0x3C0)
    data[0x09] = 2  # zero-based channel
    struct.pack_into("<H", data, 0xAB, 4321)
    days = (START - datetime(1899, 12, 30)) / timedelta(days=1)
    struct.pack_into("<d", data, 0x249, days)
    host = b"10.0.0.7"
    data[0x351] = len(host)
    data[0x352 : 0x352 + len(host)] = host
    return bytes(data)


def build_mpr(
    *,
    ids: list[int] | None = None,
    extra: list[tuple[int, str]] | None = None,
    new_layout: bool = False,
    technique_id: int = 4,
    n_points: int | None = None,
    with_log: bool = True,
) -> bytes:
    body, _ = records(extra)
    settings = bytes([technique_id]) + bytes(6) + bytes([5]) + b"hello" + bytes(0x100)
    out = MAGIC + module("VMP Set", settings, version=0, new_layout=new_layout)
    count = len(VALUES) if n_points is None else n_points
    out += module(
        "VMP data",
        data_module(ids or IDS, body, count, new_layout=new_layout),
        version=0 if new_layout else 3,
        new_layout=new_layout,
    )
    if with_log:
        out += module("VMP LOG", log_module(), version=0, new_layout=new_layout)
    return out


def write(tmp_path: Path, data: bytes, name: str = "cell.mpr") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------------
# Constructed files
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("new_layout", [False, True], ids=["v3-header", "11.50-header"])
def test_constructed_file_exact_values(tmp_path: Path, new_layout: bool) -> None:
    """Every canonical value equals the value packed into the constructed records."""
    rec = biologic_mpr.read(write(tmp_path, build_mpr(new_layout=new_layout)))
    d = rec.data
    cols = list(zip(*VALUES, strict=True))
    assert d["test_time_second"].to_list() == list(cols[7])
    assert d["voltage_volt"].to_list() == list(cols[8])
    assert d["current_ampere"].to_list() == pytest.approx([v * 1e-3 for v in cols[9]])
    assert d["step_id"].to_list() == list(cols[6])
    assert d["net_capacity_ah"].to_list() == pytest.approx([v * 1e-3 for v in cols[10]])
    # half cycle 0, 0, 0, 1, 1 → cycle number 0 (EC-Lab: half cycle // 2)
    assert d["cycle_count"].to_list() == [0, 0, 0, 0, 0]
    # Q charge = max(Qcd, 0), Q discharge = max(-Qcd, 0), both per half cycle
    assert d["step_charging_capacity_ah"].to_list() == pytest.approx([0, 0.5e-3, 1e-3, 0, 0])
    assert d["step_discharging_capacity_ah"].to_list() == pytest.approx([0, 0, 0, 0.25e-3, 0.5e-3])
    assert d["charging_capacity_ah"].to_list() == pytest.approx([0, 0.5e-3, 1e-3, 1e-3, 1e-3])
    assert d["discharging_capacity_ah"].to_list() == pytest.approx([0, 0, 0, 0.25e-3, 0.5e-3])
    # Energies: |Ewe x ΔQ| with Ewe at the end of each interval, in Wh.
    assert d["charging_energy_wh"].to_list() == pytest.approx(
        [0, 3.5 * 0.5e-3, 3.5 * 0.5e-3 + 3.75 * 0.5e-3] + [3.5 * 0.5e-3 + 3.75 * 0.5e-3] * 2
    )
    assert d["discharging_energy_wh"].to_list() == pytest.approx(
        [0, 0, 0, 3.25 * 0.25e-3, 3.25 * 0.25e-3 + 3.125 * 0.25e-3]
    )
    # Flags unpacked from their shared byte.
    assert d["mode"].to_list() == list(cols[0])
    assert d["ox_red"].to_list() == list(cols[1])
    assert d["error"].to_list() == list(cols[2])
    assert d["control_changes"].to_list() == list(cols[3])
    assert d["ns_changes"].to_list() == list(cols[4])
    assert d["counter_inc"].to_list() == list(cols[5])
    assert d["half_cycle"].to_list() == list(cols[12])
    assert d["technique"].to_list() == ["GCPL"] * len(VALUES)

    meta = rec.meta
    assert meta.format == "biologic-mpr"
    assert meta.techniques == ("GCPL",)
    assert meta.start_time == START
    assert meta.channel == "3"
    assert meta.vendor["channel_serial_number"] == 4321
    assert meta.vendor["host"] == "10.0.0.7"
    assert meta.vendor["comments"] == "hello"
    assert meta.vendor["column_ids"] == IDS


def test_constructed_file_equals_text_reader_on_same_values(tmp_path: Path) -> None:
    """The binary and the text reader map the same EC-Lab columns to the same columns."""
    rec = biologic_mpr.read(write(tmp_path, build_mpr()))
    header = [
        "mode", "ox/red", "error", "Ns", "time/s", "Ewe/V", "I/mA", "(Q-Qo)/mA.h",
        "Q charge/discharge/mA.h", "half cycle",
    ]  # fmt: skip
    lines = ["\t".join(header)]
    lines += ["\t".join(str(v) for v in (r[0], r[1], r[2], *r[6:])) for r in VALUES]
    text = write(tmp_path, "\n".join(lines).encode(), "twin.mpt")
    twin = biologic_mpt.read(text)
    for column in (
        "test_time_second",
        "voltage_volt",
        "current_ampere",
        "step_id",
        "cycle_count",
        "net_capacity_ah",
        "charging_capacity_ah",
        "discharging_capacity_ah",
        "charging_energy_wh",
    ):
        assert rec.data[column].to_list() == pytest.approx(twin.data[column].to_list()), column


@pytest.mark.parametrize(
    ("unknown", "extra", "width"),
    [
        ([9999], [(4, "<f4")], 4),  # between Ewe and I
        ([9998, 9999], [(4, "<f4"), (5, "<u2")], 6),  # two adjacent unknown IDs
        ([9999], [(8, "<f8")], 8),  # last column
    ],
)
def test_unknown_column_id_is_skipped_with_a_note(
    tmp_path: Path, unknown: list[int], extra: list[tuple[int, str]], width: int
) -> None:
    """An unknown column's width is inferred from the data length and its bytes skipped."""
    ids = list(IDS)
    position = {4: ids.index(8), 8: len(ids)}[extra[0][0]]
    ids[position:position] = unknown
    rec = biologic_mpr.read(write(tmp_path, build_mpr(ids=ids, extra=extra)))
    cols = list(zip(*VALUES, strict=True))
    assert rec.data["voltage_volt"].to_list() == list(cols[8])
    assert rec.data["current_ampere"].to_list() == pytest.approx([v * 1e-3 for v in cols[9]])
    assert rec.data["half_cycle"].to_list() == list(cols[12])
    notes = [n for n in rec.meta.notes if "not known" in n]
    assert len(notes) == 1
    assert str(unknown) in notes[0]
    assert f"{width} bytes" in notes[0]


def test_non_adjacent_unknown_ids_raise(tmp_path: Path) -> None:
    ids = list(IDS)
    ids.insert(ids.index(8), 9999)
    ids.insert(ids.index(468), 9998)
    data = build_mpr(ids=ids, extra=[(4, "<f4"), (8, "<f4")])
    with pytest.raises(ReaderError, match="not adjacent") as info:
        biologic_mpr.read(write(tmp_path, data))
    assert info.value.offset is not None


def test_unknown_id_with_inconsistent_length_raises(tmp_path: Path) -> None:
    ids = list(IDS)
    ids.insert(ids.index(8), 9999)
    data = bytearray(build_mpr(ids=ids, extra=[(4, "<f4")], with_log=False))
    data += b"\x00"  # one stray byte: the data block is no longer whole records
    pos = data.find(b"MODULEVMP data")
    length = struct.unpack_from("<I", data, pos + 6 + 35)[0]
    struct.pack_into("<I", data, pos + 6 + 35, length + 1)
    with pytest.raises(ReaderError, match="whole number"):
        biologic_mpr.read(write(tmp_path, bytes(data)))


def test_every_truncation_raises_reader_error_fast(tmp_path: Path) -> None:
    """Cutting the file anywhere inside a module is a ReaderError with a byte offset."""
    data = build_mpr()
    boundaries = {len(MAGIC)}
    pos = len(MAGIC)
    while pos < len(data):
        length = struct.unpack_from("<I", data, pos + 6 + 35)[0]
        pos = pos + 6 + 51 + length
        boundaries.add(pos)
    path = tmp_path / "cut.mpr"
    began = time.perf_counter()
    for cut in range(len(MAGIC), len(data)):
        path.write_bytes(data[:cut])
        if cut in boundaries:
            continue  # a whole number of modules: may read (e.g. without its LOG module)
        with pytest.raises(ReaderError) as info:
            biologic_mpr.read(path)
        assert info.value.offset is not None
        assert info.value.path == path
    assert time.perf_counter() - began < 20


def test_file_without_log_module_reads_with_a_note(tmp_path: Path) -> None:
    rec = biologic_mpr.read(write(tmp_path, build_mpr(with_log=False)))
    assert rec.meta.start_time is None
    assert any("no LOG module" in n for n in rec.meta.notes)


def test_huge_point_count_fails_without_allocating(tmp_path: Path) -> None:
    """A mutated point count is caught by comparing it with the bytes present."""
    with pytest.raises(ReaderError, match="truncated") as info:
        biologic_mpr.read(write(tmp_path, build_mpr(n_points=2**32 - 1)))
    assert info.value.offset is not None


def test_bad_magic(tmp_path: Path) -> None:
    with pytest.raises(ReaderError, match="BIO-LOGIC MODULAR FILE") as info:
        biologic_mpr.read(write(tmp_path, b"NOT A BIOLOGIC FILE" + bytes(100)))
    assert info.value.offset == 0


def test_garbage_between_modules(tmp_path: Path) -> None:
    data = build_mpr()
    pos = data.find(b"MODULEVMP LOG")
    mutated = data[:pos] + b"XXXXXX" + data[pos + 6 :]
    with pytest.raises(ReaderError, match="expected 'MODULE'") as info:
        biologic_mpr.read(write(tmp_path, mutated))
    assert info.value.offset == pos


def test_unknown_data_module_version(tmp_path: Path) -> None:
    data = bytearray(build_mpr())
    pos = data.find(b"MODULEVMP data")
    struct.pack_into("<I", data, pos + 6 + 39, 7)
    with pytest.raises(ReaderError, match="version 7"):
        biologic_mpr.read(write(tmp_path, bytes(data)))


def test_missing_data_module(tmp_path: Path) -> None:
    data = MAGIC + module("VMP Set", bytes(16), version=0, new_layout=False)
    with pytest.raises(ReaderError, match="no 'VMP data' module"):
        biologic_mpr.read(write(tmp_path, data))


def test_unknown_technique_id_is_noted(tmp_path: Path) -> None:
    rec = biologic_mpr.read(write(tmp_path, build_mpr(technique_id=0xEE)))
    assert "technique" not in rec.data.columns
    assert any("technique ID 238" in n for n in rec.meta.notes)


def test_modulo_bat_technique_from_mode_flag(tmp_path: Path) -> None:
    """Without a readable sequence table, MB rows are labelled from the mode flag."""
    rec = biologic_mpr.read(write(tmp_path, build_mpr(technique_id=0x7F)))
    assert rec.data["technique"].to_list() == ["Rest", "CC", "CC", "CC", "CC"]
    assert rec.data["technique_index"].to_list() == [1, 2, 2, 3, 3]
    assert rec.techniques == ("Rest", "CC")


def test_guess_can_open(tmp_path: Path) -> None:
    path = write(tmp_path, build_mpr())
    assert biologic_mpr.guess_can_open(path)
    assert elyte_read(path).meta.format == "biologic-mpr"
    assert not biologic_mpr.guess_can_open(write(tmp_path, b"EC-Lab ASCII FILE\n", "x.mpt"))
    assert not biologic_mpr.guess_can_open(tmp_path / "missing.mpr")
    assert not biologic_mpr.guess_can_open(tmp_path)


def test_galvani_is_not_imported_by_the_package() -> None:
    src = Path(biologic_mpr.__file__).resolve().parents[1]
    for source in src.rglob("*.py"):
        assert "import galvani" not in source.read_text(encoding="utf-8"), source
        assert "from galvani" not in source.read_text(encoding="utf-8"), source


# ---------------------------------------------------------------------------------------
# Real files
# ---------------------------------------------------------------------------------------

JDB11 = "jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr"
_FOLDER = SHARED_DATA / "biologic"
REAL_MPR = sorted(p.name for p in _FOLDER.glob("*.mpr")) if _FOLDER.is_dir() else ["ca.mpr"]
TWINNED = [name for name in REAL_MPR if name != JDB11]


@pytest.mark.realdata
@pytest.mark.parametrize("filename", REAL_MPR)
def test_every_real_mpr_reads(filename: str) -> None:
    rec = biologic_mpr.read(shared_file("biologic", filename))
    assert rec.meta.start_time is not None
    assert rec.meta.techniques
    assert not any("not known" in n for n in rec.meta.notes)


@pytest.mark.realdata
@pytest.mark.parametrize("filename", TWINNED)
def test_real_mpr_agrees_with_its_mpt_twin(filename: str) -> None:
    """Reference: the ``.mpt`` of the same stem, EC-Lab's text export of the same run.

    Time, voltage, current, cycle number, Ns, (Q-Qo), Q charge / Q discharge and, for
    PEIS/GEIS, frequency, Z', Z'', |Z| and phase agree with the printed numbers to half a
    unit of their last printed digit (see ``assert_matches_reference``).
    """
    path = shared_file("biologic", filename)
    twin = path.with_suffix(".mpt")
    if not twin.exists():
        pytest.skip(f"no text twin for {filename}")
    rec = biologic_mpr.read(path)
    minimum = {"wait.mpr": 0, "ocv.mpr": 2}.get(filename, 4)
    # In techniques that store (Q-Qo) in coulomb as float32 (CA, CP), EC-Lab's export
    # prints Q charge/discharge recomputed from that float32 value, while the binary keeps
    # its own float64 counter: they agree to float32 precision only.
    float32 = frozenset()
    if "(Q-Qo)/C" in reference_table(twin)[0]:
        float32 = frozenset({"step_charging_capacity_ah", "step_discharging_capacity_ah"})
    compared = assert_matches_reference(
        rec.data, twin, min_columns=minimum, float32_columns=float32
    )
    if filename.startswith(("peis", "geis")):
        assert compared >= 8
    text = biologic_mpt.read(twin)
    assert rec.meta.start_time == text.meta.start_time
    assert rec.meta.channel == text.meta.channel
    assert rec.meta.vendor["channel_serial_number"] == text.meta.vendor["channel_serial_number"]
    assert rec.data["technique"].to_list() == text.data["technique"].to_list()
    assert rec.data["technique_index"].to_list() == text.data["technique_index"].to_list()


@pytest.mark.realdata
@pytest.mark.parametrize("filename", ["gcpl.issue_211.mpr", "mb.issue_95.mpr", "ca.mpr"])
def test_real_mpr_cumulative_columns_equal_text_readers(filename: str) -> None:
    """Cumulative capacities and energies from the binary equal those from the text export.

    Both come from EC-Lab counters printed with 16 digits (binary: float64), so they agree
    to 1e-12 of the largest value.
    """
    path = shared_file("biologic", filename)
    a = biologic_mpr.read(path).data
    b = biologic_mpt.read(path.with_suffix(".mpt")).data
    for column in (
        "charging_capacity_ah",
        "discharging_capacity_ah",
        "charging_energy_wh",
        "discharging_energy_wh",
    ):
        scale = max(float(b[column].abs().max() or 0.0), 1e-30)  # type: ignore[arg-type]
        assert float((a[column] - b[column]).abs().max() or 0.0) <= 1e-12 * scale, column  # type: ignore[arg-type]


@pytest.mark.realdata
def test_jdb11_has_the_published_shape() -> None:
    """Facts from ../shared/data/PROVENANCE.md: GCPL, 2.0-3.8 V, 13 half cycles, 127 h."""
    rec = biologic_mpr.read(shared_file("biologic", JDB11))
    d = rec.data
    assert rec.techniques == ("GCPL",)
    assert d["half_cycle"].n_unique() == 13
    # Limits 2.0 and 3.8 V; the potentiostat overshoots by well under a millivolt.
    assert 2.0 - 1e-3 <= d["voltage_volt"].min() < 2.0 + 1e-2  # type: ignore[operator]
    assert 3.8 - 1e-2 < d["voltage_volt"].max() <= 3.8 + 1e-3  # type: ignore[operator]
    hours = (d["test_time_second"].max() - d["test_time_second"].min()) / 3600  # type: ignore[operator]
    assert 126 < hours < 128
    # Constant current (C/24) with alternating sign in every half cycle.
    signs = (
        d.filter(pl.col("current_ampere").abs() > 1e-6)
        .group_by("half_cycle")
        .agg(pl.col("current_ampere").sign().n_unique().alias("signs"))
    )
    assert signs["signs"].to_list() == [1] * signs.height
    net = d["net_capacity_ah"] - d["net_capacity_ah"][0]
    balance = d["charging_capacity_ah"] - d["discharging_capacity_ah"]
    # Charge in minus charge out balances the net charge; EC-Lab's per-half-cycle counters
    # and (Q-Qo) differ by 2.8e-10 Ah (5e-8 of the total) in this run.
    total = float(d["charging_capacity_ah"].max())  # type: ignore[arg-type]
    assert 5.5e-3 < total < 6e-3
    assert float((balance - net).abs().max()) < 1e-6 * total  # type: ignore[arg-type]
