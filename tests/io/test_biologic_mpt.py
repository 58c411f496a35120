"""Tests of the EC-Lab text export reader (``biologic-mpt``) and the shared BioLogic mapping.

Two kinds of reference values are used:

* generated fixtures written into ``tmp_path`` whose expected canonical values are worked
  out by hand in the test (analytic construction);
* the real exports in ``../shared/data/biologic``, checked against their own printed text,
  which the test parses independently with plain string operations (the vendor's text
  export is the reference).
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from elyte.errors import ElyteError, ReaderError
from elyte.io import biologic_mpt
from elyte.io.registry import read as elyte_read
from tests.conftest import SHARED_DATA, shared_file

MPT_FILES = [
    "ca.mpt",
    "cp.mpt",
    "cv.mpt",
    "gcpl.issue_149.mpt",
    "gcpl.issue_211.mpt",
    "geis.issue_149.mpt",
    "lsv.mpt",
    "mb.issue_95.mpt",
    "mb.issue_95.de.mpt",
    "ocv.mpt",
    "peis.mpt",
    "wait.mpt",
]

# ---------------------------------------------------------------------------------------
# Reference helpers: an independent reading of the printed text of an export.
# ---------------------------------------------------------------------------------------


def reference_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """Column names and printed cells of an EC-Lab export, by plain string splitting."""
    lines = path.read_bytes().decode("latin-1").splitlines()
    n = int(lines[1].split(":")[1]) if lines[0].startswith("EC-Lab ASCII FILE") else 1
    names = lines[n - 1].rstrip("\t").split("\t")
    rows = [line.split("\t")[: len(names)] for line in lines[n:] if line.strip()]
    return names, rows


def printed_half_ulp(text: str) -> float:
    """Half a unit in the last printed digit of ``text`` ("2.3278546E+000" → 5e-8)."""
    mantissa, _, exponent = text.strip().replace(",", ".").lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** ((int(exponent) if exponent else 0) - decimals)


def printed_value(text: str) -> float:
    return float(text.strip().replace(",", "."))


# canonical column → candidate EC-Lab headers with the factor from the printed unit to SI.
REFERENCE_COLUMNS: dict[str, list[tuple[str, float]]] = {
    "test_time_second": [("time/s", 1.0)],
    "voltage_volt": [("Ewe/V", 1.0), ("<Ewe>/V", 1.0)],
    "current_ampere": [("I/mA", 1e-3), ("<I>/mA", 1e-3)],
    "cycle_count": [("cycle number", 1.0)],
    "step_id": [("Ns", 1.0)],
    "net_capacity_ah": [("(Q-Qo)/mA.h", 1e-3), ("(Q-Qo)/C", 1.0 / 3600.0)],
    "step_charging_capacity_ah": [("Q charge/mA.h", 1e-3)],
    "step_discharging_capacity_ah": [("Q discharge/mA.h", 1e-3)],
    "frequency_hertz": [("freq/Hz", 1.0)],
    "real_impedance_ohm": [("Re(Z)/Ohm", 1.0)],
    "imaginary_impedance_ohm": [("-Im(Z)/Ohm", -1.0)],
    "absolute_impedance_ohm": [("|Z|/Ohm", 1.0)],
    "phase_degree": [("Phase(Z)/deg", 1.0)],
}
INTEGER_CANONICAL = {"cycle_count", "step_id"}


def assert_matches_reference(
    data: pl.DataFrame,
    reference: Path,
    *,
    min_columns: int,
    float32_columns: frozenset[str] = frozenset(),
) -> int:
    """Compare canonical columns with the printed text of ``reference``, value by value.

    Tolerance: half a unit of the last printed digit (the text was rounded from the
    instrument's number to that many digits), times the unit factor, plus four float64 ulps
    of the value for the unit conversion and for columns EC-Lab computes at export time
    (``<I>`` = dq/dt, ``cycle number``). Columns in ``float32_columns`` were printed from
    a value EC-Lab recomputed from float32 data, so they get a float32 ulp (2**-23 of the
    value) instead. Integer columns must match exactly.

    Returns the number of columns compared.
    """
    names, rows = reference_table(reference)
    assert data.height == len(rows), f"{reference.name}: row count"
    compared = 0
    for canonical, candidates in REFERENCE_COLUMNS.items():
        found = next(((h, f) for h, f in candidates if h in names), None)
        if found is None:
            continue
        header, factor = found
        assert canonical in data.columns, f"{reference.name}: {canonical} missing for {header}"
        column = names.index(header)
        ours = data.get_column(canonical).to_list()
        for i, row in enumerate(rows):
            text = row[column]
            expected = printed_value(text) * factor
            if canonical in INTEGER_CANONICAL:
                assert ours[i] == int(expected), f"{reference.name} {canonical} row {i}"
                continue
            tolerance = abs(factor) * printed_half_ulp(text) + 4 * 2.2e-16 * abs(expected)
            if canonical in float32_columns:
                tolerance += 2.0**-23 * abs(expected)
            assert ours[i] is not None, f"{reference.name} {canonical} row {i} is missing"
            assert abs(ours[i] - expected) <= tolerance, (
                f"{reference.name} {canonical} row {i}: {ours[i]!r} vs printed {text!r}"
            )
        compared += 1
    assert compared >= min_columns, f"{reference.name}: only {compared} columns compared"
    return compared


# ---------------------------------------------------------------------------------------
# Generated fixtures
# ---------------------------------------------------------------------------------------

GCPL_COLUMNS = [
    "mode", "ox/red", "error", "control changes", "Ns changes", "counter inc.", "Ns",
    "time/s", "Ewe/V", "I/mA", "(Q-Qo)/mA.h", "Q charge/discharge/mA.h", "half cycle",
    "Q charge/mA.h", "Q discharge/mA.h", "Energy charge/W.h", "Energy discharge/W.h",
    "cycle number", "-Im(Zce)/Ohm", "control/V/mA",
]  # fmt: skip

# Two charge half cycles and one discharge half cycle; all values exact in binary.
#        Ns  t    Ewe    I     Q-Qo    Qcd      hc  Qch    Qdis   Ech   Edis  cyc
GCPL_ROWS = [
    (1, 0.0, 3.0, 0.0, 0.0, 0.0, 0, 0.0, 0.0, 0.0, 0.0, 0),
    (1, 1.0, 3.5, 1.0, 0.25, 0.25, 0, 0.25, 0.0, 0.5, 0.0, 0),
    (1, 2.0, 3.75, 1.0, 0.5, 0.5, 0, 0.5, 0.0, 1.0, 0.0, 0),
    (2, 3.0, 3.25, -2.0, 0.375, -0.125, 1, 0.0, 0.125, 1.0, 0.25, 0),
    (2, 4.0, 3.125, -2.0, 0.25, -0.25, 1, 0.0, 0.25, 1.0, 0.5, 0),
    (1, 5.0, 3.5, 1.0, 0.375, 0.125, 2, 0.125, 0.0, 0.25, 0.0, 1),
    (1, 6.0, 3.625, 1.0, 0.5, 0.25, 2, 0.25, 0.0, 0.5, 0.0, 1),
]


def ec_lab_number(value: float, decimal: str = ".") -> str:
    """Print a float as EC-Lab does: ``1.500000000000000E+000``."""
    mantissa, _, exponent = f"{value:.15E}".partition("E")
    sign = exponent[0]
    text = f"{mantissa}E{sign}{int(exponent[1:]):03d}"
    return text.replace(".", decimal)


def gcpl_text(decimal: str = ".", *, trailing_tab: bool = True) -> bytes:
    settings = [
        "Ns                  0                   1                   2                   ",
        f"Is                  0{decimal}000               1{decimal}000               "
        f"-2{decimal}000              ",
        "unit Is             mA                  mA                  µA                  ",
        "vs.                 <None>              <None>              <None>              ",
        "vs.                 Ref                 Ref                 Ref                 ",
    ]
    head = [
        "EC-Lab ASCII FILE",
        "Nb header lines : {n}",
        "",
        "Galvanostatic Cycling with Potential Limitation",
        "",
        "Run on channel : 3 (SN 1234)",
        "User : ",
        "Safety Limits :",
        f"\tEwe min = 1{decimal}40 V",
        "Acquisition started on : 05/28/2025 14:23:16.145",
        "Saved on :",
        "\tFile : cell_01_GCPL_C03.mpr",
        "Comments : first line",
        "Comments : second line",
        f"Electrode surface area : 1{decimal}131 cm²",
        "Record Ece",
        "Cycle Definition : Charge/Discharge alternance",
        *settings,
        "",
    ]
    column_line = "\t".join(GCPL_COLUMNS) + ("\t" if trailing_tab else "")
    lines = [*head, column_line]
    lines[1] = lines[1].format(n=len(lines))
    for ns, t, ewe, i, q, qcd, hc, qch, qdis, ech, edis, cyc in GCPL_ROWS:
        mode = 1
        flags = [mode, int(i > 0), 0, 0, 0, 0, ns]
        numbers = [t, ewe, i, q, qcd]
        after = [qch, qdis, ech, edis, float(cyc), 0.5, 0.75]
        cells = [str(f) for f in flags] + [ec_lab_number(v, decimal) for v in numbers]
        cells += [str(hc)] + [ec_lab_number(v, decimal) for v in after]
        lines.append("\t".join(cells))
    return "\n".join(lines).encode("cp1252")


@pytest.fixture
def gcpl_file(tmp_path: Path) -> Path:
    path = tmp_path / "cell.mpt"
    path.write_bytes(gcpl_text())
    return path


def test_generated_gcpl_exact_values(gcpl_file: Path) -> None:
    """Canonical values equal the hand-computed SI values of the constructed export."""
    rec = biologic_mpt.read(gcpl_file)
    d = rec.data
    assert d.height == len(GCPL_ROWS)
    col = {
        name: [row[k] for row in GCPL_ROWS]
        for k, name in enumerate(
            ["ns", "t", "ewe", "i", "q", "qcd", "hc", "qch", "qdis", "ech", "edis", "cyc"]
        )
    }
    assert d["test_time_second"].to_list() == col["t"]
    assert d["voltage_volt"].to_list() == col["ewe"]
    assert d["current_ampere"].to_list() == pytest.approx([v * 1e-3 for v in col["i"]], rel=1e-15)
    assert d["step_id"].to_list() == col["ns"]
    assert d["cycle_count"].to_list() == col["cyc"]
    assert d["net_capacity_ah"].to_list() == pytest.approx([v * 1e-3 for v in col["q"]])
    assert d["step_charging_capacity_ah"].to_list() == pytest.approx([v * 1e-3 for v in col["qch"]])
    # Cumulative over the test: the first charge half cycle ends at 0.5 mA.h, the second
    # charge half cycle adds 0.125 then 0.25.
    assert d["charging_capacity_ah"].to_list() == pytest.approx(
        [0.0, 0.25e-3, 0.5e-3, 0.5e-3, 0.5e-3, 0.625e-3, 0.75e-3], abs=1e-18
    )
    assert d["discharging_capacity_ah"].to_list() == pytest.approx(
        [0.0, 0.0, 0.0, 0.125e-3, 0.25e-3, 0.25e-3, 0.25e-3], abs=1e-18
    )
    # Energies restart when the cycle number increases (row 5): 1.0 + 0.25, 1.0 + 0.5.
    assert d["charging_energy_wh"].to_list() == pytest.approx(
        [0.0, 0.5, 1.0, 1.0, 1.0, 1.25, 1.5], abs=1e-15
    )
    assert d["discharging_energy_wh"].to_list() == pytest.approx(
        [0.0, 0.0, 0.0, 0.25, 0.5, 0.5, 0.5], abs=1e-15
    )
    assert d["cycle_charging_energy_wh"].to_list() == col["ech"]
    # Extras keep EC-Lab's meaning: the negated quantity is named as such, the mixed unit
    # column is kept as printed.
    assert d["minus_im_zce_ohm"].to_list() == [0.5] * len(GCPL_ROWS)
    assert d["control_v_ma"].to_list() == [0.75] * len(GCPL_ROWS)
    assert rec.meta.column_map["-Im(Zce)/Ohm"] == "minus_im_zce_ohm"
    assert rec.unit("control_v_ma") == "V/mA"
    assert d["ox_red"].dtype == pl.Int64
    assert d["half_cycle"].to_list() == col["hc"]
    assert d["technique"].to_list() == ["GCPL"] * len(GCPL_ROWS)
    assert d["technique_index"].to_list() == [1] * len(GCPL_ROWS)


def test_generated_gcpl_metadata(gcpl_file: Path) -> None:
    """Header facts come back as written in the constructed header."""
    rec = biologic_mpt.read(gcpl_file)
    meta = rec.meta
    assert meta.instrument == "BioLogic"
    assert meta.format == "biologic-mpt"
    assert meta.techniques == ("GCPL",)
    assert meta.channel == "3"
    assert meta.start_time == datetime(2025, 5, 28, 14, 23, 16, 145000)
    assert meta.vendor["channel_serial_number"] == 1234
    assert meta.vendor["technique"] == "Galvanostatic Cycling with Potential Limitation"
    header = meta.vendor["header"]
    assert header["Comments"] == ["first line", "second line"]
    assert header["Electrode surface area"] == "1.131 cm²"
    assert header["Saved on File"] == "cell_01_GCPL_C03.mpr"
    settings = meta.vendor["settings"]
    assert settings["unit Is"] == ["mA", "mA", "µA"]
    assert settings["vs."] == ["<None>", "<None>", "<None>"]
    assert settings["vs. #2"] == ["Ref", "Ref", "Ref"]
    assert "Record Ece" in meta.vendor["header_lines"]
    assert rec.unit("voltage_volt") == "V"
    assert rec.unit("charging_capacity_ah") == "Ah"
    assert any("positive for oxidation" in n for n in meta.notes)
    assert meta.sha256 is not None
    assert len(meta.sha256) == 64


def test_decimal_comma_locale_equals_point_locale(tmp_path: Path) -> None:
    """A German-locale export (decimal commas) reads to the same frame as the English one."""
    point = tmp_path / "en.mpt"
    comma = tmp_path / "de.mpt"
    point.write_bytes(gcpl_text("."))
    comma.write_bytes(gcpl_text(","))
    a = biologic_mpt.read(point)
    b = biologic_mpt.read(comma)
    assert a.data.equals(b.data)
    assert any("decimal comma" in n for n in b.meta.notes)


def test_trailing_tab_is_optional(tmp_path: Path) -> None:
    with_tab = tmp_path / "a.mpt"
    without = tmp_path / "b.mpt"
    with_tab.write_bytes(gcpl_text(trailing_tab=True))
    without.write_bytes(gcpl_text(trailing_tab=False))
    assert biologic_mpt.read(with_tab).data.equals(biologic_mpt.read(without).data)


def test_data_rows_with_trailing_tab(tmp_path: Path) -> None:
    lines = gcpl_text().decode("cp1252").split("\n")
    n = int(lines[1].split(":")[1])
    lines[n:] = [line + "\t" for line in lines[n:]]
    path = tmp_path / "t.mpt"
    path.write_bytes("\n".join(lines).encode("cp1252"))
    assert biologic_mpt.read(path).data["voltage_volt"].to_list() == [r[2] for r in GCPL_ROWS]


def test_crlf_line_endings(tmp_path: Path, gcpl_file: Path) -> None:
    path = tmp_path / "crlf.mpt"
    path.write_bytes(gcpl_file.read_bytes().replace(b"\n", b"\r\n"))
    rec = biologic_mpt.read(path)
    assert rec.data.equals(biologic_mpt.read(gcpl_file).data)
    assert rec.meta.start_time == datetime(2025, 5, 28, 14, 23, 16, 145000)


def test_modulo_bat_technique_per_row(tmp_path: Path) -> None:
    """Each row of a Modulo Bat export gets the ctrl_type of its sequence Ns."""
    lines = [
        "EC-Lab ASCII FILE",
        "Nb header lines : 9",
        "",
        "Modulo Bat",
        "",
        "Cycle Definition : Charge/Discharge alternance",
        "Ns                  0                   1                   2                   ",
        "ctrl_type           Rest                CC                  PEIS                ",
        "mode\tNs\ttime/s\tEwe/V\tI/mA\tfreq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\tPhase(Z)/deg",
        "3\t0\t0.0\t3.0\t0.0\t0.0\t0.0\t0.0\t0.0",
        "1\t1\t1.0\t3.1\t1.0\t0.0\t0.0\t0.0\t0.0",
        "2\t2\t2.0\t3.1\t0.0\t1000.0\t2.0\t1.5\t-36.86989764584402",
        "2\t2\t3.0\t3.1\t0.0\t100.0\t2.5\t-0.5\t11.309932474020215",
    ]
    path = tmp_path / "mb.mpt"
    path.write_bytes("\n".join(lines).encode())
    rec = biologic_mpt.read(path)
    assert rec.data["technique"].to_list() == ["Rest", "CC", "PEIS", "PEIS"]
    assert rec.data["technique_index"].to_list() == [1, 2, 3, 3]
    assert rec.techniques == ("Rest", "CC", "PEIS")
    eis = rec.select(technique="PEIS").data
    assert eis["frequency_hertz"].to_list() == [1000.0, 100.0]
    # EC-Lab prints -Im(Z); the canonical column is Z'' itself.
    assert eis["imaginary_impedance_ohm"].to_list() == [-1.5, 0.5]
    assert eis["phase_degree"].to_list() == [-36.86989764584402, 11.309932474020215]
    assert rec.meta.vendor["settings"]["ctrl_type"] == ["Rest", "CC", "PEIS"]


def test_headerless_export(tmp_path: Path) -> None:
    """EC-Lab can export without the header block; the table still reads, with a note."""
    path = tmp_path / "bare.mpt"
    path.write_bytes(b"time/s\tEwe/V\t<I>/mA\n0.0\t3.0\t0.5\n1.0\t3.25\t-0.5\n")
    assert biologic_mpt.guess_can_open(path)
    rec = biologic_mpt.read(path)
    assert rec.data["voltage_volt"].to_list() == [3.0, 3.25]
    assert rec.data["current_ampere"].to_list() == [0.5e-3, -0.5e-3]
    assert "technique" not in rec.data.columns
    assert any("without EC-Lab's header block" in n for n in rec.meta.notes)


def test_empty_table(tmp_path: Path) -> None:
    text = gcpl_text().decode("cp1252").split("\n")
    n = int(text[1].split(":")[1])
    path = tmp_path / "empty.mpt"
    path.write_bytes("\n".join(text[:n]).encode("cp1252"))
    rec = biologic_mpt.read(path)
    assert rec.data.height == 0
    assert "voltage_volt" in rec.data.columns


def test_guess_can_open(tmp_path: Path, gcpl_file: Path) -> None:
    assert biologic_mpt.guess_can_open(gcpl_file)
    other = tmp_path / "other.txt"
    other.write_text("time,voltage\n0,1\n")
    assert not biologic_mpt.guess_can_open(other)
    assert not biologic_mpt.guess_can_open(tmp_path / "missing.mpt")
    assert not biologic_mpt.guess_can_open(tmp_path)


def test_registry_picks_this_reader(gcpl_file: Path) -> None:
    rec = elyte_read(gcpl_file)
    assert rec.meta.format == "biologic-mpt"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b.replace(b"Nb header lines", b"Nb headr lines"), "Nb header lines"),
        (lambda b: b.replace(b"Nb header lines : 24", b"Nb header lines : 900"), "announces 900"),
        (lambda b: b.replace(b"Nb header lines : 24", b"Nb header lines : 2"), "at least 3"),
        (lambda b: b.replace(b"3.500000000000000E+000", b"3.5x", 1), "not a number"),
        (lambda b: b.replace(b"1\t0\t0\t0\t0\t0\t1\t", b"1\t0\t0\t0\t0\t1\t", 1), "values"),
        (lambda b: b"EC-Lab ASCII FILE", "header ends"),
        (lambda b: b"no magic\nat all\n", "not an EC-Lab text export"),
    ],
)
def test_bad_input_raises_reader_error(tmp_path: Path, mutate: object, message: str) -> None:
    original = gcpl_text()
    assert b"Nb header lines : 24" in original
    path = tmp_path / "bad.mpt"
    path.write_bytes(mutate(original))  # type: ignore[operator]
    with pytest.raises(ReaderError, match=message) as info:
        biologic_mpt.read(path)
    assert info.value.path == path


def test_truncated_last_row_is_dropped_with_a_note(tmp_path: Path, gcpl_file: Path) -> None:
    """A file cut in the middle of its last number loses that row, and says so."""
    data = gcpl_file.read_bytes()
    path = tmp_path / "cut.mpt"
    path.write_bytes(data[:-9])
    rec = biologic_mpt.read(path)
    assert rec.data.height == len(GCPL_ROWS) - 1
    assert any("last data row is incomplete" in n for n in rec.meta.notes)


def test_every_truncation_fails_cleanly(tmp_path: Path, gcpl_file: Path) -> None:
    """Cutting the file anywhere gives a recording or a ReaderError, never another error."""
    data = gcpl_file.read_bytes()
    path = tmp_path / "cut.mpt"
    for cut in range(0, len(data), 7):
        path.write_bytes(data[:cut])
        try:
            rec = biologic_mpt.read(path)
        except ElyteError:
            continue
        assert rec.data.height <= len(GCPL_ROWS)


def test_unknown_option_is_rejected(gcpl_file: Path) -> None:
    with pytest.raises(ReaderError, match="unsupported options"):
        biologic_mpt.read(gcpl_file, columns={"a": "b"})


# ---------------------------------------------------------------------------------------
# Real exports
# ---------------------------------------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize("filename", MPT_FILES)
def test_real_export_matches_its_printed_text(filename: str) -> None:
    """Canonical columns equal the export's own printed numbers (reference: the text)."""
    path = shared_file("biologic", filename)
    rec = biologic_mpt.read(path)
    minimum = 1 if filename == "wait.mpt" else 2
    assert_matches_reference(rec.data, path, min_columns=minimum)
    assert not any("incomplete" in n for n in rec.meta.notes)
    assert rec.meta.start_time is not None
    assert rec.meta.channel is not None


@pytest.mark.realdata
def test_german_export_equals_english_export() -> None:
    """mb.issue_95.de.mpt (decimal commas) is the same run as mb.issue_95.mpt."""
    en = biologic_mpt.read(shared_file("biologic", "mb.issue_95.mpt"))
    de = biologic_mpt.read(shared_file("biologic", "mb.issue_95.de.mpt"))
    assert de.data.equals(en.data)
    assert de.meta.start_time == en.meta.start_time == datetime(2022, 12, 8, 14, 36, 53, 355000)
    assert de.meta.techniques == en.meta.techniques == ("Rest", "CC")


@pytest.mark.realdata
def test_modulo_bat_real_sequences() -> None:
    """The MB export's settings table says Ns 0 is Rest and Ns 1, 2 are CC."""
    rec = biologic_mpt.read(shared_file("biologic", "mb.issue_95.mpt"))
    pairs = rec.data.select("step_id", "technique").unique().sort("step_id").rows()
    assert pairs == [(0, "Rest"), (1, "CC"), (2, "CC")]


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("filename", "relative_tolerance"),
    [
        # 16 printed digits on every counter: the identity holds to rounding.
        ("gcpl.issue_211.mpt", 1e-12),
        ("mb.issue_95.mpt", 1e-12),
        # This run loops (Ns 2 → rest Ns 0); at each loop restart (Q-Qo) moves by
        # 4.7e-14 Ah while EC-Lab's Q charge/discharge stays put, i.e. 1.4e-4 of the
        # half-cycle capacity per loop, 3 loops.
        ("gcpl.issue_149.mpt", 5e-4),
    ],
)
def test_cumulative_capacities_balance_net_charge(filename: str, relative_tolerance: float) -> None:
    """Charge in minus charge out equals the change of (Q-Qo) at every row.

    Physical identity, independent of how the reader accumulates EC-Lab's per-half-cycle
    counters into BDF's cumulative ones.
    """
    rec = biologic_mpt.read(shared_file("biologic", filename))
    d = rec.data
    net = d["net_capacity_ah"] - d["net_capacity_ah"][0]
    balance = d["charging_capacity_ah"] - d["discharging_capacity_ah"]
    scale = float(d["charging_capacity_ah"].max())  # type: ignore[arg-type]
    assert (balance - net).abs().max() <= relative_tolerance * scale  # type: ignore[operator]
    assert d["charging_capacity_ah"].diff().drop_nulls().min() >= -1e-15  # type: ignore[operator]


@pytest.mark.realdata
def test_impedance_phase_is_atan_of_signed_imaginary_part() -> None:
    """phase_degree = atan2(Z'', Z') with Z'' = -(-Im(Z)): checks the sign convention."""
    rec = biologic_mpt.read(shared_file("biologic", "peis.mpt"))
    d = rec.data
    for re_z, im_z, phase in d.select(
        "real_impedance_ohm", "imaginary_impedance_ohm", "phase_degree"
    ).rows():
        assert math.degrees(math.atan2(im_z, re_z)) == pytest.approx(phase, abs=2e-5)


def test_shared_data_location_is_outside_the_repository() -> None:
    repo = Path(__file__).resolve().parents[2]
    assert not SHARED_DATA.is_relative_to(repo)
