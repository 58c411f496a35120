"""Tests of the Neware reader (``elyte.io.neware``, decoding by fastnda).

Two kinds of ground truth:

* **Real files** in ``../shared/data/neware`` (skipped when absent). Each comes with a
  ``.parquet`` reference published by fastnda's authors next to the same file
  (g-kimbell/fastnda @ 968d89c, ``tests/test_data``). Those tables were not made by fastnda:
  they are Neware's own BTSDA software's text export of the file, converted to Parquet by
  fastnda's ``btsda_csv_to_parquet``. Their columns carry BTSDA's units, converted explicitly
  here: ``Time``/``Total Time`` in s, ``Voltage(mV)``, ``Current(uA)``, ``Capacity(mAs)``,
  ``Energy(mWs)``, ``Date`` as the instrument's local wall-clock time, ``T1`` in °C.
* **Generated files** written into ``tmp_path`` by this module: a small ``.nda`` built byte by
  byte from the record layout of nda version 8 (and 2), with values chosen here so that the
  expected canonical numbers follow by hand; plus broken and foreign files for the error
  paths.
"""

from __future__ import annotations

import struct
import time
import warnings
import zipfile
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

import elyte
from elyte.errors import ReaderError
from elyte.io import neware
from elyte.schema import CANONICAL
from tests.conftest import SHARED_DATA, shared_file

# ----------------------------------------------------------------------------- real files
#: Every Neware file in ../shared/data/neware and its BTSDA reference table.
REAL = {
    "21_10_7_85.ndax": "21_10_7_85.parquet",
    "TESTCELL0001-B2-2025-M50T_NewareNDA_Investigation.ndax": (
        "TESTCELL0001-B2-2025-M50T_NewareNDA_Investigation.parquet"
    ),
    "TestFile.nda.zip": "TestFile.parquet",
    "Unit27_Example_Corrupt.ndax": "Unit27_Example_Corrupt.parquet",
    "empty.ndax": "empty.parquet",
    "test_2.ndax": "test_2.parquet",
}
#: The files with data rows (``empty.ndax`` has none; it has tests of its own).
WITH_ROWS = sorted(set(REAL) - {"empty.ndax"})
#: Files whose stored cycle counter equals BTSDA's "Cycle Index" (see test_cycle_count).
RAW_CYCLES_MATCH_BTSDA = set(REAL) - {"test_2.ndax"}

# Print resolution of BTSDA's text export (the reference tables come from it).
VOLTAGE_STEP_V = 0.1e-3  # "Voltage(mV)" printed to 0.1 mV
CURRENT_STEP_A = 1e-6  # "Current(uA)" printed to 1 µA
TEMPERATURE_STEP_C = 0.1  # "T1" printed to 0.1 °C
RTOL = 1e-6


def _pair(name: str) -> tuple[elyte.Recording, pl.DataFrame]:
    path = shared_file("neware", name)
    return elyte.read(path), pl.read_parquet(shared_file("neware", REAL[name]))


def _close(ours: pl.Series, ref: pl.Series, *, atol: float, rtol: float = RTOL) -> None:
    ours64, ref64 = ours.cast(pl.Float64), ref.cast(pl.Float64)
    bad = ((ours64 - ref64).abs() > atol + rtol * ref64.abs()).fill_null(True)
    assert not bad.any(), (
        f"{ours.name}: {int(bad.sum())} of {len(bad)} rows differ from {ref.name}; first at row "
        f"{int(bad.arg_true()[0])}: {ours64[int(bad.arg_true()[0])]} vs "
        f"{ref64[int(bad.arg_true()[0])]}"
    )


@pytest.mark.realdata
def test_every_neware_file_in_shared_data_is_covered() -> None:
    """The parametrised tests below must see every Neware file that is shipped."""
    folder = SHARED_DATA / "neware"
    if not folder.is_dir():
        pytest.skip(f"real data folder {folder} is absent")
    found = {p.name for p in folder.iterdir() if neware.guess_can_open(p)}
    assert found == set(REAL)


@pytest.mark.realdata
@pytest.mark.parametrize("name", sorted(REAL))
def test_real_file_matches_btsda_export(name: str) -> None:
    """Rows, time, voltage and current agree with Neware BTSDA's export of the same file.

    Reference: the ``.parquet`` next to the file (BTSDA text export, see module docstring).
    Time agrees within 1e-6 relative. Voltage and current agree within 1e-6 relative plus
    half of the step to which BTSDA's text export rounds them (0.1 mV, 1 µA): the reference
    cannot be more precise than what it printed, and the binary file holds more digits.
    """
    rec, ref = _pair(name)
    data = rec.data
    assert data.height == ref.height
    for column in ("test_time_second", "voltage_volt", "current_ampere", "step_id"):
        assert column in data.columns
    if ref.height == 0:
        return
    _close(data["test_time_second"], ref["Total Time"], atol=1e-9)
    _close(data["step_time_second"], ref["Time"], atol=1e-9)
    _close(
        data["voltage_volt"], ref["Voltage(mV)"].cast(pl.Float64) * 1e-3, atol=VOLTAGE_STEP_V / 2
    )
    _close(
        data["current_ampere"], ref["Current(uA)"].cast(pl.Float64) * 1e-6, atol=CURRENT_STEP_A / 2
    )


@pytest.mark.realdata
@pytest.mark.parametrize("name", WITH_ROWS)
def test_real_file_steps_capacity_and_clock(name: str) -> None:
    """Step bookkeeping, per-step capacity/energy and the clock agree with BTSDA's export.

    Capacity and energy: BTSDA prints the per-step magnitude (mAs, mWs); ours is the sum of
    the step charging and discharging columns (one of them is zero in each row). Tolerance
    2 mAs / 10 mWs plus 1e-6 relative: the BTS9 ``.nda`` counters have about 1 mAs
    resolution, and both tables store these values as float32.
    The unix time must differ from BTSDA's ``Date`` (local wall-clock time without zone) by
    one constant whole-quarter-hour offset: the instrument's time zone.
    """
    rec, ref = _pair(name)
    data = rec.data
    assert data["step_id"].to_list() == ref["Step Index"].cast(pl.Int64).to_list()
    assert data["step_count"].to_list() == ref["Step Count"].cast(pl.Int64).to_list()
    ours_type = data["step_type"].str.to_lowercase()
    ref_type = ref["Step Type"].cast(pl.String).str.replace_all(" ", "_").str.to_lowercase()
    assert (ours_type == ref_type).all()

    magnitude_q = data["step_charging_capacity_ah"] + data["step_discharging_capacity_ah"]
    assert (
        (data["step_charging_capacity_ah"] == 0) | (data["step_discharging_capacity_ah"] == 0)
    ).all()
    _close(magnitude_q, ref["Capacity(mAs)"].cast(pl.Float64).abs() * 1e-3 / 3600, atol=2e-3 / 3600)
    if "Energy(mWs)" in ref.columns:
        magnitude_e = data["step_charging_energy_wh"] + data["step_discharging_energy_wh"]
        _close(
            magnitude_e, ref["Energy(mWs)"].cast(pl.Float64).abs() * 1e-3 / 3600, atol=10e-3 / 3600
        )

    if "Date" in ref.columns:
        wall = ref["Date"].dt.epoch("ms").cast(pl.Float64) / 1000.0
        offset = data["unix_time_second"] - wall
        assert float(offset.max() - offset.min()) < 2e-3  # Date has 1 ms resolution
        zone = float(offset.median())
        assert abs(zone) <= 14 * 3600
        assert abs(zone / 900.0 - round(zone / 900.0)) < 1e-5


@pytest.mark.realdata
@pytest.mark.parametrize("name", WITH_ROWS)
def test_real_file_cumulative_capacity(name: str) -> None:
    """BDF cumulative capacities equal BTSDA's per-step final values summed by direction.

    Reference: for every step of the BTSDA export (grouped by its ``Step Count``) the last
    ``Capacity(mAs)`` is the charge of that step; steps whose type names a discharge
    (``DChg``) add to the discharging total, other steps to the charging total.
    """
    rec, ref = _pair(name)
    steps = ref.group_by("Step Count", maintain_order=True).agg(
        pl.col("Step Type").cast(pl.String).last().alias("type"),
        (pl.col("Capacity(mAs)").cast(pl.Float64).abs().last() * 1e-3 / 3600).alias("q"),
    )
    discharge = steps["type"].str.to_lowercase().str.contains("dchg")
    expected_dchg = float(steps.filter(discharge)["q"].sum())
    expected_chg = float(steps.filter(~discharge)["q"].sum())
    data = rec.data
    assert data["charging_capacity_ah"][-1] == pytest.approx(expected_chg, rel=1e-5, abs=1e-9)
    assert data["discharging_capacity_ah"][-1] == pytest.approx(expected_dchg, rel=1e-5, abs=1e-9)
    assert data["net_capacity_ah"][-1] == pytest.approx(expected_chg - expected_dchg, abs=1e-6)
    assert (data["charging_capacity_ah"].diff().drop_nulls() >= -1e-9).all()
    assert (data["discharging_capacity_ah"].diff().drop_nulls() >= -1e-9).all()


@pytest.mark.realdata
@pytest.mark.parametrize("name", sorted(REAL))
def test_cycle_count(name: str) -> None:
    """``cycle_mode="raw"`` keeps the file's counter; in one file BTSDA counts differently.

    In ``test_2.ndax`` the stored counter advances only when a loop jumps back, whereas
    BTSDA's ``Cycle Index`` starts a new cycle at every charge after a discharge, which
    fastnda's ``cycle_mode="chg"`` reproduces. Reference: BTSDA's ``Cycle Index``.
    """
    path = shared_file("neware", name)
    ref = pl.read_parquet(shared_file("neware", REAL[name]))["Cycle Index"].cast(pl.Int64)
    raw = elyte.read(path).data["cycle_count"]
    if name in RAW_CYCLES_MATCH_BTSDA:
        assert raw.to_list() == ref.to_list()
    else:
        assert raw.to_list() != ref.to_list()
        chg = elyte.read(path, cycle_mode="chg")
        assert chg.data["cycle_count"].to_list() == ref.to_list()
        assert chg.meta.vendor["cycle_mode"] == "chg"


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("name", "column"),
    [
        ("TESTCELL0001-B2-2025-M50T_NewareNDA_Investigation.ndax", "T1(?)"),
        ("TestFile.nda.zip", "T1"),
    ],
)
def test_auxiliary_temperature(name: str, column: str) -> None:
    """The auxiliary temperature becomes T1 and agrees with BTSDA's (0.1 °C printed)."""
    rec, ref = _pair(name)
    _close(rec.data["temperature_t1_celsius"], ref[column], atol=TEMPERATURE_STEP_C / 2 + 1e-5)
    assert rec.unit("temperature_t1_celsius") == "degC"
    assert any("temperature_t1_celsius" in note for note in rec.meta.notes)


@pytest.mark.realdata
def test_metadata_from_testinfo() -> None:
    """Channel and start time come from TestInfo.xml (DevID-UnitID-ChlID, StartTime)."""
    rec = elyte.read(
        shared_file("neware", "TESTCELL0001-B2-2025-M50T_NewareNDA_Investigation.ndax")
    )
    meta = rec.meta
    assert meta.instrument == "Neware"
    assert meta.format == "neware"
    assert meta.channel == "168-0-14"
    assert meta.start_time == datetime(2025, 9, 25, 13, 18, 44)
    assert meta.vendor["TestInfo.Barcode"] == "TESTCELL0001"
    assert meta.sha256 is not None
    assert len(meta.sha256) == 64
    assert meta.column_map["current_mA"] == "current_ampere"
    assert rec.unit("current_ampere") == "A"
    assert rec.unit("charging_capacity_ah") == "Ah"


@pytest.mark.realdata
def test_zipped_nda_metadata() -> None:
    """A zipped .nda is unpacked; its header's start time is UTC (BTS9 microsecond clock)."""
    rec = elyte.read(shared_file("neware", "TestFile.nda.zip"))
    assert rec.meta.vendor["file_kind"] == "nda"
    assert rec.meta.vendor["nda_version"] == 130
    assert rec.meta.start_time is not None
    assert rec.meta.start_time.utcoffset() is not None
    assert any("zip archive" in note for note in rec.meta.notes)


@pytest.mark.realdata
def test_empty_file_reads_as_empty_recording() -> None:
    """``empty.ndax`` (BTSDA exports 0 rows) becomes 0 rows with canonical columns and a note."""
    rec = elyte.read(shared_file("neware", "empty.ndax"))
    assert rec.data.height == 0
    for column in (
        "test_time_second",
        "voltage_volt",
        "current_ampere",
        "cycle_count",
        "charging_capacity_ah",
        "discharging_capacity_ah",
    ):
        assert column in rec.data.columns
        assert rec.data.schema[column] == CANONICAL[column].dtype
    assert any("no data points" in note for note in rec.meta.notes)
    assert rec.meta.channel == "120-0-65"


@pytest.mark.realdata
def test_corrupt_header_reads_and_says_so() -> None:
    """``Unit27_Example_Corrupt.ndax``: data intact, TestInfo.xml undecodable by fastnda.

    BTSDA's export has the 301 data rows and no auxiliary columns; we read the same and the
    notes carry fastnda's messages about the auxiliary channels it had to leave out.
    """
    rec = elyte.read(shared_file("neware", "Unit27_Example_Corrupt.ndax"))
    assert rec.data.height == 301
    assert not [c for c in rec.data.columns if c.startswith(("aux", "temperature"))]
    assert any("TestInfo.xml" in note for note in rec.meta.notes)
    assert any("aux" in note.lower() for note in rec.meta.notes)


@pytest.mark.realdata
def test_truncated_real_file_is_a_reader_error(tmp_path: Path) -> None:
    """Half of a real .ndax (the zip directory is lost) fails fast with a ReaderError."""
    blob = shared_file("neware", "test_2.ndax").read_bytes()
    cut = tmp_path / "cut.ndax"
    cut.write_bytes(blob[: len(blob) // 2])
    start = time.perf_counter()
    with pytest.raises(ReaderError) as info:
        neware.read(cut)
    assert time.perf_counter() - start < 5
    assert info.value.path == cut


@pytest.mark.realdata
def test_guess_real_files() -> None:
    for name in REAL:
        assert neware.guess_can_open(shared_file("neware", name))
    assert not neware.guess_can_open(shared_file("neware", "test_2.parquet"))


# ----------------------------------------------------------------------------- generated
_V8 = struct.Struct("<BIIBBIii8xqqQ4x")  # nda version 5-8 record, 59 bytes
_V2 = struct.Struct("<B4xIBBIii8xq")  # nda version 2 record, 39 bytes
_CURRENT_RANGE = 1000  # a range >= 1000 scales raw current by 0.1 mA per count

# cycle, step id, step type code, step time (s), voltage (0.1 mV), current (0.1 mA),
# capacity (0.1 mA·s), energy (0.1 mW·s), unix time (s). Type codes: 1 CC_Chg, 2 CC_DChg,
# 3 CV_Chg, 4 Rest. Capacity and energy restart at every step, as Neware records them; the
# CV step starts *above* the CC step's final value, which plain drop detection would miss.
ROWS = [
    (1, 1, 4, 0, 30000, 0, 0, 0, 1_700_000_000),
    (1, 1, 4, 1, 30010, 0, 0, 0, 1_700_000_001),
    (1, 2, 1, 1, 35000, 10000, 3600, 12600, 1_700_000_002),
    (1, 2, 1, 2, 35100, 10000, 7200, 25200, 1_700_000_003),
    (1, 3, 3, 1, 42000, 8000, 18000, 75600, 1_700_000_004),
    (1, 3, 3, 2, 42000, 6000, 32400, 136080, 1_700_000_005),
    (2, 4, 2, 1, 40000, -5000, 1800, 7200, 1_700_000_006),
    (2, 4, 2, 2, 39000, -5000, 3600, 14400, 1_700_000_007),
    (2, 5, 4, 1, 39500, 0, 0, 0, 1_700_000_008),
]


def _nda(records: bytes, *, version: int, start: bytes = b"2024-01-02 03:04:05") -> bytes:
    """Build an .nda file: 1 KiB header (magic, version, pointers), then the records."""
    head = bytearray(1024)
    head[0:6] = b"NEWARE"
    head[14] = version
    head[16:20] = (128).to_bytes(4, "little")  # block holding the current range
    head[128 + 26 : 128 + 30] = _CURRENT_RANGE.to_bytes(4, "little", signed=True)
    head[24:28] = (256).to_bytes(4, "little")  # test-info record (211 bytes)
    head[28:32] = (211).to_bytes(4, "little")
    head[256 + 36 : 256 + 36 + len(start)] = start
    head[64:68] = (1024).to_bytes(4, "little")  # data block: begin, length
    head[68:72] = len(records).to_bytes(4, "little")
    return bytes(head) + records


def _v8_file(tmp_path: Path, name: str = "cell.nda") -> Path:
    path = tmp_path / name
    path.write_bytes(_nda(b"".join(_V8.pack(0, i + 1, *r) for i, r in enumerate(ROWS)), version=8))
    return path


def test_generated_nda_analytic_values(tmp_path: Path) -> None:
    """Hand-computed canonical values of a generated nda-v8 file.

    Raw counts → SI: voltage 0.1 mV → V; current 0.1 mA → A (discharge stored negative,
    which is already BDF's sign); capacity 0.1 mA·s → Ah; energy 0.1 mW·s → Wh.
    """
    rec = neware.read(_v8_file(tmp_path))
    data = rec.data
    assert data.height == len(ROWS)
    assert data["voltage_volt"].to_list() == pytest.approx([r[4] * 1e-4 for r in ROWS], rel=1e-6)
    assert data["current_ampere"].to_list() == pytest.approx([r[5] * 1e-4 for r in ROWS], rel=1e-6)
    assert data["step_id"].to_list() == [r[1] for r in ROWS]
    assert data["step_count"].to_list() == [1, 1, 2, 2, 3, 3, 4, 4, 5]
    assert data["cycle_count"].to_list() == [r[0] for r in ROWS]
    assert data["step_type"].to_list() == [
        "Rest",
        "Rest",
        "CC_Chg",
        "CC_Chg",
        "CV_Chg",
        "CV_Chg",
        "CC_DChg",
        "CC_DChg",
        "Rest",
    ]
    # test time: step time plus the final step time of every earlier step
    assert data["test_time_second"].to_list() == pytest.approx([0, 1, 2, 3, 4, 5, 6, 7, 8])
    mah = 1e-3
    assert data["step_charging_capacity_ah"].to_list() == pytest.approx(
        [0, 0, 0.1 * mah, 0.2 * mah, 0.5 * mah, 0.9 * mah, 0, 0, 0], rel=1e-6, abs=1e-12
    )
    assert data["step_discharging_capacity_ah"].to_list() == pytest.approx(
        [0, 0, 0, 0, 0, 0, 0.05 * mah, 0.1 * mah, 0], rel=1e-6, abs=1e-12
    )
    assert data["charging_capacity_ah"].to_list() == pytest.approx(
        [0, 0, 0.1 * mah, 0.2 * mah, 0.7 * mah, 1.1 * mah, 1.1 * mah, 1.1 * mah, 1.1 * mah],
        rel=1e-6,
        abs=1e-12,
    )
    assert data["discharging_capacity_ah"].to_list() == pytest.approx(
        [0, 0, 0, 0, 0, 0, 0.05 * mah, 0.1 * mah, 0.1 * mah], rel=1e-6, abs=1e-12
    )
    assert data["net_capacity_ah"][-1] == pytest.approx(1.0 * mah, rel=1e-6)
    # energy: 12600 → 0.35 mWh, ...; cumulative charging 0.7 + 3.78 mWh
    assert data["charging_energy_wh"][-1] == pytest.approx((0.7 + 3.78) * 1e-3, rel=1e-6)
    assert data["discharging_energy_wh"][-1] == pytest.approx(0.4e-3, rel=1e-6)
    assert rec.meta.start_time == datetime(2024, 1, 2, 3, 4, 5)
    assert rec.meta.vendor["nda_version"] == 8
    for column in ("current_ampere", "charging_capacity_ah", "step_charging_energy_wh"):
        assert rec.unit(column) == CANONICAL[column].unit
    assert rec.unit("step_net_capacity_ah") == "Ah"
    assert any("step_count" in note for note in rec.meta.notes)


def test_generated_nda_zipped_and_renamed(tmp_path: Path) -> None:
    """The same file zipped (.nda.zip), and under a foreign extension, reads identically."""
    plain = neware.read(_v8_file(tmp_path))
    zipped = tmp_path / "cell.nda.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(_v8_file(tmp_path), "cell.nda")
    assert neware.guess_can_open(zipped)
    from_zip = elyte.read(zipped)
    assert from_zip.meta.format == "neware"
    assert from_zip.data.equals(plain.data)
    renamed = _v8_file(tmp_path, "cell.bin")
    assert not neware.guess_can_open(renamed)
    assert elyte.read(renamed, format="neware").data.equals(plain.data)


def test_unverified_version_warning_becomes_a_note(tmp_path: Path) -> None:
    """Nda version 2 makes fastnda warn; the warning lands in the notes, not on stderr."""
    rows = b"".join(_V2.pack(0, r[0], r[2], r[1], r[3], r[4], r[5], r[6]) for r in ROWS)
    path = tmp_path / "old.nda"
    path.write_bytes(_nda(rows, version=2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may escape
        rec = neware.read(path)
    assert rec.data.height == len(ROWS)
    assert rec.data["voltage_volt"][4] == pytest.approx(4.2, rel=1e-6)
    assert "charging_energy_wh" not in rec.data.columns  # version 2 stores no energy
    assert any("fastnda reported" in note and "nda_version 2" in note for note in rec.meta.notes)


def test_invalid_cycle_mode(tmp_path: Path) -> None:
    with pytest.raises(ReaderError, match="cycle_mode"):
        neware.read(_v8_file(tmp_path), cycle_mode="sometimes")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("text.ndax", b"cycle,voltage\n1,3.7\n", "not a Neware file"),
        ("text.nda", b"NEWARE", "fastnda could not decode"),
        ("garbage.nda", b"NEWARE" + bytes(range(256)) * 8, "fastnda could not decode"),
        ("empty.ndax", b"", "not a Neware file"),
    ],
)
def test_broken_files_raise_reader_error(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReaderError, match=message) as info:
        neware.read(path)
    assert info.value.path == path


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, blob in members.items():
            archive.writestr(member, blob)
    return path


def test_broken_archives_raise_reader_error(tmp_path: Path) -> None:
    no_data = _zip(tmp_path / "nodata.ndax", {"TestInfo.xml": b"<root/>"})
    with pytest.raises(ReaderError, match=r"data\.ndc"):
        neware.read(no_data)
    garbage = _zip(tmp_path / "garbage.ndax", {"data.ndc": bytes(range(256)) * 40})
    with pytest.raises(ReaderError, match="fastnda could not decode") as info:
        neware.read(garbage)
    assert info.value.path == garbage
    two = _zip(tmp_path / "two.nda.zip", {"a.nda": b"NEWARE", "b.nda": b"NEWARE"})
    with pytest.raises(ReaderError, match="exactly one"):
        neware.read(two)
    inner_bad = _zip(tmp_path / "bad.nda.zip", {"a.nda": b"not neware"})
    with pytest.raises(ReaderError, match="inside the zip") as info:
        neware.read(inner_bad)
    assert info.value.path == inner_bad


def test_truncated_generated_archive(tmp_path: Path) -> None:
    """A zip cut short loses its central directory: ReaderError, fast."""
    whole = tmp_path / "whole.nda.zip"
    with zipfile.ZipFile(whole, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(_v8_file(tmp_path), "cell.nda")
    blob = whole.read_bytes()
    cut = tmp_path / "cut.nda.zip"
    cut.write_bytes(blob[: len(blob) - 30])
    with pytest.raises(ReaderError, match="zip") as info:
        neware.read(cut)
    assert info.value.path == cut


def test_guess_never_raises(tmp_path: Path) -> None:
    text = tmp_path / "renamed.ndax"
    text.write_text("not a zip")
    assert not neware.guess_can_open(text)
    assert not neware.guess_can_open(tmp_path / "missing.ndax")
    folder = tmp_path / "folder.ndax"
    folder.mkdir()
    assert not neware.guess_can_open(folder)
    assert neware.guess_can_open(_v8_file(tmp_path))
    assert not neware.guess_can_open(_v8_file(tmp_path, "cell.txt"))


def test_plugin_attributes() -> None:
    assert neware.name == "neware"
    assert "Neware" in neware.description
    assert "neware" in elyte.available_readers()
