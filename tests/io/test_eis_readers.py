"""Text impedance readers: Gamry .DTA, ZPlot .z, CH Instruments .txt, header-less tables.

Golden values: rows of the real files parsed by hand in each test (the lines are split
with ``str.split`` here, independently of the readers' polars parsing), and small files
the tests write into ``tmp_path`` with known numbers.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from elyte.errors import ReaderError
from elyte.io import chi, eis_text, gamry, zplot
from tests.conftest import shared_file

_GAMRY = (
    "EXPLAIN\nTAG\tEISPOT\nTITLE\tLABEL\tPotentiostatic EIS\tTest &Identifier\n"
    "PSTAT\tPSTAT\tREF600-1\tPotentiostat\nCONVENTION\tIQUANT\t1\tCurrent Convention\n"
    "OCVCURVE\tTABLE\t2\n\tPt\tT\tVf\n\t#\ts\tV vs. Ref.\n\t0\t0.25\t-0.3\n\t1\t0.5\t-0.3\n"
    "EOC\tQUANT\t-0.3\tOpen Circuit (V)\n"
    "ZCURVE\tTABLE\n\tPt\tTime\tFreq\tZreal\tZimag\tZsig\tZmod\tZphz\tIdc\tVdc\tIERange\n"
    "\t#\ts\tHz\tohm\tohm\tV\tohm\t\xb0\tA\tV\t#\n"
    "\t0\t1\t1000\t10.5\t-2.5\t1\t10.79\t-13.4\t-1E-006\t-0.3\t9\n"
    "\t1\t3\t100\t12\t-6\t1\t13.42\t-26.6\t-2E-006\t-0.31\t8\n"
    "\t2\t5\t10\t20\t-15\t1\t25\t-36.9\t-3E-006\t-0.32\t8\n"
)


def _write(tmp_path: Path, name: str, text: str, encoding: str = "latin-1") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- Gamry ---------------------------------------------------------------------------


def test_gamry_generated(tmp_path: Path) -> None:
    """Columns, units and signs of a written ZCURVE table; OCVCURVE is not read."""
    path = _write(tmp_path, "a.DTA", _GAMRY)
    assert gamry.guess_can_open(path)
    rec = gamry.read(path)
    d = rec.data
    assert d["frequency_hertz"].to_list() == [1000.0, 100.0, 10.0]
    assert d["real_impedance_ohm"].to_list() == [10.5, 12.0, 20.0]
    assert d["imaginary_impedance_ohm"].to_list() == [-2.5, -6.0, -15.0]
    assert d["phase_degree"].to_list() == [-13.4, -26.6, -36.9]
    assert d["current_ampere"].to_list() == [-1e-6, -2e-6, -3e-6]
    assert d["voltage_volt"].to_list() == [-0.3, -0.31, -0.32]
    assert d["test_time_second"].to_list() == [1.0, 3.0, 5.0]
    assert rec.meta.vendor["header"]["EOC"] == "-0.3"
    assert rec.meta.instrument == "Gamry REF600-1"
    assert any("CONVENTION = 1" in n for n in rec.meta.notes)


def test_gamry_decimal_comma_and_abort(tmp_path: Path) -> None:
    """A German-locale table and an aborted run: numbers read, abort noted."""
    head, rows = _GAMRY.split("\t#\ts\tHz", 1)
    text = head + "\t#\ts\tHz" + rows.replace(".", ",")
    text += "EXPERIMENTABORTED\tTOGGLE\tT\tExperiment Aborted\n"
    rec = gamry.read(_write(tmp_path, "b.DTA", text))
    assert rec.data["real_impedance_ohm"][0] == 10.5
    assert rec.data.height == 3
    assert rec.meta.vendor["aborted"] is True
    assert any("aborted" in n for n in rec.meta.notes)


def test_gamry_real_file() -> None:
    """First and last ZCURVE rows against the file's own text."""
    path = shared_file("eis", "impedancepy_exampleDataGamry.DTA")
    lines = path.read_bytes().decode("latin-1").splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("ZCURVE"))
    rows = [ln.split("\t") for ln in lines[start + 3 :] if ln.startswith("\t")]
    rec = gamry.read(path)
    d = rec.data
    assert d.height == len(rows) == 72
    for k in (0, -1):
        assert d["frequency_hertz"][k] == float(rows[k][3])
        assert d["real_impedance_ohm"][k] == float(rows[k][4])
        assert d["imaginary_impedance_ohm"][k] == float(rows[k][5])
    assert (d["imaginary_impedance_ohm"] < 0).all()  # capacitive, signed as measured
    assert d["frequency_hertz"][0] == 200015.6


def test_gamry_errors(tmp_path: Path) -> None:
    """Not Gamry, no ZCURVE, a bad number: ReaderError naming the file (and the line)."""
    with pytest.raises(ReaderError, match="EXPLAIN") as info:
        gamry.read(_write(tmp_path, "x.DTA", "hello\n"))
    assert info.value.path is not None
    no_z = _GAMRY[: _GAMRY.index("ZCURVE")]
    with pytest.raises(ReaderError, match="no ZCURVE"):
        gamry.read(_write(tmp_path, "y.DTA", no_z))
    with pytest.raises(ReaderError, match="line 16"):
        gamry.read(_write(tmp_path, "z.DTA", _GAMRY.replace("\t12\t-6", "\t1x2\t-6")))
    assert not gamry.guess_can_open(tmp_path / "missing.DTA")


# --- ZPlot ---------------------------------------------------------------------------

_ZPLOT = (
    "ZPLOT2 ASCII\n  Experiment Type:            Sweep Frequency, Control Voltage\n"
    "  Data Points:                3\n"
    "  Freq(Hz)\tAmpl\tBias\tTime(Sec)\tZ'(a)\tZ''(b)\tGD\tErr\tRange\nEnd Comments\n"
    "1.0E+05\t1.0E-02\t0.0E+00\t1.0\t1.5E+02\t-1.0E+01\t0\t0\t3\n"
    "1.0E+03\t1.0E-02\t0.0E+00\t2.0\t3.0E+02\t-1.2E+02\t0\t0\t3\n"
    "1.0E+01\t1.0E-02\t0.0E+00\t3.0\t6.0E+02\t-5.0E+01\t0\t0\t3\n"
)


def test_zplot_generated(tmp_path: Path) -> None:
    """Known rows; AC amplitude in volt under Control Voltage; no note when counts match."""
    path = _write(tmp_path, "a.z", _ZPLOT)
    assert zplot.guess_can_open(path)
    rec = zplot.read(path)
    d = rec.data
    assert d["frequency_hertz"].to_list() == [1e5, 1e3, 10.0]
    assert d["imaginary_impedance_ohm"].to_list() == [-10.0, -120.0, -50.0]
    assert d["ampl_volt"].to_list() == [0.01] * 3
    assert d["test_time_second"].to_list() == [1.0, 2.0, 3.0]
    assert not any("declares" in n for n in rec.meta.notes)


def test_zplot_without_metadata_and_comma_separated(tmp_path: Path) -> None:
    """Files that start at the column-name line, fields separated by ', '."""
    text = "ZPLOT2 ASCII\nFreq(Hz), Ampl, Bias, Time(Sec), Z'(a), Z''(b), GD, Err, Range\n"
    text += "1.0E+05, 1.0E-02, 0, 1.0, 150, -10, 0, 0, 3\n"
    rec = zplot.read(_write(tmp_path, "b.z", text))
    assert rec.data["real_impedance_ohm"].to_list() == [150.0]
    assert "ampl" in rec.data.columns  # control mode unknown: no unit
    assert any("voltage or current" in n for n in rec.meta.notes)


def test_zplot_real_file() -> None:
    """Rows against the file's text; the header's 'Data Points: 56' vs 21 rows is noted."""
    path = shared_file("eis", "impedancepy_exampleDataZPlot.z")
    lines = path.read_text().splitlines()
    start = lines.index("End Comments") + 1
    rows = [ln.split("\t") for ln in lines[start:] if ln.strip()]
    rec = zplot.read(path)
    assert rec.data.height == len(rows) == 21
    assert rec.data["frequency_hertz"][0] == float(rows[0][0]) == 3.0e5
    assert rec.data["real_impedance_ohm"][-1] == float(rows[-1][4])
    assert rec.data["imaginary_impedance_ohm"][-1] == float(rows[-1][5]) < 0
    assert any("declares 56" in n for n in rec.meta.notes)


def test_zplot_errors(tmp_path: Path) -> None:
    """No column-name line, ragged row: ReaderError with the path."""
    with pytest.raises(ReaderError, match="Freq") as info:
        zplot.read(_write(tmp_path, "x.z", "ZPLOT2 ASCII\nnothing\n"))
    assert info.value.path == tmp_path / "x.z"
    with pytest.raises(ReaderError):
        zplot.read(_write(tmp_path, "y.z", _ZPLOT + "1.0\t2.0\n"))


# --- CH Instruments ------------------------------------------------------------------

_CHI = (
    "Feb. 20, 2020   15:55:08\nA.C. Impedance\nInstrument Model:  CHI660E\n\n"
    "High Frequency (Hz) = 1e+5\n\n"
    "Freq/Hz, Z'/ohm, Z\"/ohm, Z/ohm, Phase/deg\n\n"
    "1.000e+5, 1.000e+2, -1.000e+0, 1.000e+2, -0.6\n"
    "1.000e+0, 2.000e+2, -1.000e+2, 2.236e+2, -26.6\n"
)


def test_chi_generated(tmp_path: Path) -> None:
    """Known rows, signed Z'' and phase, start time from the first line."""
    path = _write(tmp_path, "a.txt", _CHI)
    assert chi.guess_can_open(path)
    assert not eis_text.guess_can_open(path)
    rec = chi.read(path)
    d = rec.data
    assert d["frequency_hertz"].to_list() == [1e5, 1.0]
    assert d["imaginary_impedance_ohm"].to_list() == [-1.0, -100.0]
    assert d["phase_degree"].to_list() == [-0.6, -26.6]
    assert rec.meta.start_time is not None
    assert rec.meta.start_time.month == 2
    assert rec.meta.vendor["header"]["High Frequency (Hz)"] == "1e+5"
    assert rec.meta.instrument == "CH Instruments CHI660E"


def test_chi_real_file() -> None:
    """All rows against the file's comma-separated text."""
    path = shared_file("eis", "impedancepy_exampleDataCHInstruments.txt")
    lines = path.read_text().splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Freq/Hz")) + 2
    rows = np.array([[float(x) for x in ln.split(",")] for ln in lines[start:] if ln.strip()])
    rec = chi.read(path)
    np.testing.assert_array_equal(rec.data["frequency_hertz"].to_numpy(), rows[:, 0])
    np.testing.assert_array_equal(rec.data["imaginary_impedance_ohm"].to_numpy(), rows[:, 2])
    np.testing.assert_array_equal(rec.data["absolute_impedance_ohm"].to_numpy(), rows[:, 3])
    assert rec.data["imaginary_impedance_ohm"][-1] == -1.586e4  # capacitive: negative


def test_chi_errors(tmp_path: Path) -> None:
    """Missing header line, wrong columns, bad number: ReaderError with the path."""
    with pytest.raises(ReaderError, match="Freq/Hz"):
        chi.read(_write(tmp_path, "x.txt", "x\nA.C. Impedance\n"))
    with pytest.raises(ReaderError, match="column names"):
        chi.read(_write(tmp_path, "y.txt", _CHI.replace("Z'/ohm", "Zre/ohm")))
    with pytest.raises(ReaderError, match="line 10"):
        chi.read(_write(tmp_path, "z.txt", _CHI.replace("2.000e+2", "2.0.0e+2")))


# --- header-less tables --------------------------------------------------------------


def _table(sign: float, sep: str = ",") -> str:
    f = np.logspace(4, -2, 13)
    z = 10 + 100 / (1 + 1j * 2 * np.pi * f * 1e-3 * 100)
    return "".join(
        f"{float(a)!r}{sep}{float(b)!r}{sep}{float(sign * c)!r}\n"
        for a, b, c in zip(f, z.real, z.imag, strict=True)
    )


def test_eis_text_infers_order_and_sign(tmp_path: Path) -> None:
    """An R-(R||C) spectrum: Z'' as measured, and the same file storing -Z''."""
    f = np.logspace(4, -2, 13)
    z = 10 + 100 / (1 + 1j * 2 * np.pi * f * 1e-3 * 100)
    as_measured = _write(tmp_path, "a.csv", _table(1.0))
    assert eis_text.guess_can_open(as_measured)
    rec = eis_text.read(as_measured)
    np.testing.assert_allclose(rec.data["imaginary_impedance_ohm"].to_numpy(), z.imag)
    assert any("signed as measured" in n for n in rec.meta.notes)
    negated = _write(tmp_path, "b.txt", _table(-1.0, " \t"))
    rec = eis_text.read(negated)
    np.testing.assert_allclose(rec.data["imaginary_impedance_ohm"].to_numpy(), z.imag)
    assert any("read as -Z''" in n for n in rec.meta.notes)
    rec = eis_text.read(negated, imaginary_sign=1)  # the caller overrides the inference
    np.testing.assert_allclose(rec.data["imaginary_impedance_ohm"].to_numpy(), -z.imag)


def test_eis_text_needs_the_caller_when_ambiguous(tmp_path: Path) -> None:
    """Frequency not first, mixed signs at low f, or 4 columns: asks, does not guess."""
    f = np.logspace(4, -2, 13)
    swapped = "".join(f"{100.0 + k},{-1.0 - k},{float(v)!r}\n" for k, v in enumerate(f))
    path = _write(tmp_path, "s.csv", swapped)
    with pytest.raises(ReaderError, match="columns="):
        eis_text.read(path)
    rec = eis_text.read(path, columns=["real", "imaginary", "frequency"], imaginary_sign=1)
    assert rec.data["frequency_hertz"].to_list() == f.tolist()
    mixed = "".join(f"{float(v)!r},5.0,{(-1) ** k * 1.0}\n" for k, v in enumerate(f))
    with pytest.raises(ReaderError, match="imaginary_sign"):
        eis_text.read(_write(tmp_path, "m.csv", mixed))
    four = "".join(f"{float(v)!r},5.0,-1.0,3.0\n" for v in f)
    with pytest.raises(ReaderError, match="columns="):
        eis_text.read(_write(tmp_path, "f.csv", four))
    with pytest.raises(ReaderError, match="unknown column"):
        eis_text.read(_write(tmp_path, "g.csv", four), columns=["f", "real", "imaginary", "x"])


def test_eis_text_does_not_claim_time_series(tmp_path: Path) -> None:
    """A header-less t, V, I table is not an impedance sweep and is not claimed."""
    rows = "".join(f"{t:.1f},3.{t:.0f},0.1\n" for t in range(1, 40))
    assert not eis_text.guess_can_open(_write(tmp_path, "t.csv", rows))


@pytest.mark.parametrize(
    ("filename", "n_rows"), [("impedancepy_exampleData.csv", 66), ("pydrttools_LIB_data.txt", 107)]
)
def test_eis_text_real_files(filename: str, n_rows: int) -> None:
    """Rows against the files' text; both store Z'' as measured (inductive at high f)."""
    path = shared_file("eis", filename)
    rows = np.array(
        [[float(x) for x in ln.replace(",", " ").split()] for ln in path.read_text().splitlines()]
    )
    assert eis_text.guess_can_open(path)
    rec = eis_text.read(path)
    assert rec.data.height == n_rows == len(rows)
    np.testing.assert_array_equal(rec.data["imaginary_impedance_ohm"].to_numpy(), rows[:, 2])
    np.testing.assert_array_equal(rec.data["real_impedance_ohm"].to_numpy(), rows[:, 1])
    hf = rec.data.sort("frequency_hertz")["imaginary_impedance_ohm"]
    assert hf[-1] > 0 > hf[0]  # inductive at the top, capacitive at the bottom


# --- robustness ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "text", "suffix"),
    [(gamry, _GAMRY, ".DTA"), (zplot, _ZPLOT, ".z"), (chi, _CHI, ".txt"), (eis_text, None, ".csv")],
    ids=["gamry", "zplot", "chi", "eis-text"],
)
def test_truncated_and_mutated_files_fail_cleanly(
    tmp_path: Path, module: object, text: str | None, suffix: str
) -> None:
    """Every truncation and random byte mutations: a Recording or a ReaderError, fast."""
    data = (text if text is not None else _table(1.0)).encode("latin-1")
    rng = random.Random(5)
    variants = [data[:n] for n in range(0, len(data), 7)]
    for _ in range(60):
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        variants.append(bytes(b))
    path = tmp_path / f"f{suffix}"
    for v in variants:
        path.write_bytes(v)
        assert module.guess_can_open(path) in (True, False)  # type: ignore[attr-defined]
        try:
            module.read(path)  # type: ignore[attr-defined]
        except ReaderError as exc:
            failed_path = exc.path
        else:
            failed_path = path
        assert failed_path == path
