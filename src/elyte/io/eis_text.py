"""Reader for plain numeric impedance tables without a header (``format="eis-text"``).

Many tools save a spectrum as bare numbers, one point a line: frequency, Z' and Z'' (e.g.
impedance.py's ``exampleData.csv`` with commas, pyDRTtools' text files with spaces and
tabs). Nothing in such a file says which column is which, nor whether the third column is
Z'' or -Z'' (EC-Lab and many plotting habits store -Z''). This reader therefore

* infers the column order only in the unambiguous case: exactly three columns, the first
  positive and strictly monotonic over at least one decade (the frequency, Hz), neither of
  the others an evenly log-spaced sweep, the second positive (Z', ohm). Otherwise
  ``columns=`` must say what each column is;
* infers the sign of the third column from the low-frequency end of the sweep, where a
  passive cell is capacitive (Z'' < 0): if at least 80 % of the lowest-frequency fifth of
  the points are negative the column is Z'' as measured, if at most 20 % are, it is -Z''.
  When the low-frequency end is mixed, ``imaginary_sign=`` must be given. Whatever was inferred is
  written into the recording's notes.

Units are taken as Hz and ohm (noted). ``guess_can_open`` claims a file only when its first
lines are three numeric columns whose first is positive, strictly monotonic, spans a decade
and is evenly spaced in log(f), the signature of an impedance sweep; anything else needs
``format="eis-text"``.

The helpers :func:`read_text_file` and :func:`numeric_table` are shared by elyte's other
text impedance readers (Gamry, ZPlot, CH Instruments).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from elyte.errors import ReaderError
from elyte.io._frame import Rule, build_recording, canonicalise
from elyte.recording import Recording

__all__ = [
    "MAX_TEXT_BYTES",
    "description",
    "guess_can_open",
    "name",
    "numeric_table",
    "read",
    "read_text_file",
]

name = "eis-text"
description = "Plain numeric impedance table without header: frequency, Z', Z'' (text, csv)"

#: Largest text impedance file read (bytes); spectra are kilobytes, so this is generous.
MAX_TEXT_BYTES = 256 * 1024 * 1024

_HEAD_BYTES = 4096
_SUFFIXES = frozenset({".txt", ".csv", ".dat", ".tsv", ".text"})
_COLUMN_NAMES = {
    "frequency": "Frequency/Hz",
    "real": "Zreal/ohm",
    "imaginary": "Zimag/ohm",
    "skip": None,
}
_RULES = {
    "frequency": Rule("frequency_hertz"),
    "zreal": Rule("real_impedance_ohm"),
    "zimag": Rule("imaginary_impedance_ohm"),
}
Array = npt.NDArray[np.float64]


def read_text_file(path: Path, *, encoding: str = "latin-1") -> str:
    """Read a (small) text file whole, refusing files larger than :data:`MAX_TEXT_BYTES`.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    encoding : str
        Text encoding; the default ``latin-1`` decodes every byte, so decoding never fails.

    Returns
    -------
    str
        The text with line ends as in the file.

    Raises
    ------
    ReaderError
        If the file is too large or cannot be opened.
    """
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise ReaderError(
                f"file is {size} bytes; text impedance files over {MAX_TEXT_BYTES} bytes "
                "are not read",
                path=path,
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ReaderError(f"cannot read the file ({exc.strerror or exc})", path=path) from exc
    return data.decode(encoding, errors="replace")


def numeric_table(
    block: str,
    n_columns: int,
    *,
    path: Path,
    what: str,
    separator: str = "\t",
    decimal_comma: bool = False,
    first_line: int = 1,
) -> Array:
    """Parse a block of delimited numeric lines into a float array, all or nothing.

    Parameters
    ----------
    block : str
        The data lines (no header). Blank lines are skipped.
    n_columns : int
        Number of fields each line must have (after dropping empty leading/trailing fields
        made by leading/trailing separators).
    path : pathlib.Path
        The file, for errors.
    what : str
        Name of the table in error messages (``"ZCURVE table"``).
    separator : str
        One-character field separator. ``" "`` means runs of spaces and tabs.
    decimal_comma : bool
        Numbers use a decimal comma (``1,5``); then ``separator`` must not be ``","``.
    first_line : int
        Line number (1-based) of the block's first line in the file, for errors.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_rows, n_columns)``.

    Raises
    ------
    ReaderError
        If a line has another number of fields or a field is not a number; the message
        gives the line number.
    """
    lines = block.splitlines()
    kept = [i for i, line in enumerate(lines) if line.strip()]
    if not kept:
        raise ReaderError(f"the {what} has no data lines", path=path)
    text = "\n".join(lines[i].strip(" \t\r") for i in kept)
    if separator == " ":
        text = re.sub(r"[ \t]+", "\t", text)
        separator = "\t"
    elif separator != "\t":
        text = re.sub(rf"[ \t]*{re.escape(separator)}[ \t]*", separator, text)
    try:
        frame = pl.read_csv(
            io.StringIO(text),
            separator=separator,
            has_header=False,
            infer_schema=False,
            truncate_ragged_lines=False,
            quote_char=None,
        )
    except Exception as exc:  # polars' own errors on ragged or odd text
        raise ReaderError(
            f"the {what} is not a table of {n_columns} columns ({type(exc).__name__})",
            path=path,
        ) from exc
    if frame.width != n_columns:
        raise ReaderError(
            f"the {what} has {frame.width} columns per line; expected {n_columns}", path=path
        )
    exprs = []
    for col in frame.columns:
        value = pl.col(col).str.strip_chars()
        if decimal_comma:
            value = value.str.replace(",", ".", literal=True)
        exprs.append(value.cast(pl.Float64, strict=False).alias(col))
    numbers = frame.select(exprs)
    bad = numbers.select(pl.any_horizontal(pl.all().is_null()).arg_true()).to_series()
    if bad.len():
        row = int(bad[0])
        line_no = first_line + kept[row]
        raise ReaderError(
            f"line {line_no} of the {what} is not {n_columns} numbers: "
            f"{lines[kept[row]].strip()[:80]!r}",
            path=path,
        )
    return numbers.to_numpy().astype(np.float64, copy=False)


def _split_fields(line: str) -> list[str]:
    return [f for f in re.split(r"[ \t]*[,;][ \t]*|[ \t]+", line.strip()) if f]


def _separator(line: str) -> str:
    if ";" in line:
        return ";"
    if "," in line:
        return ","
    return " "


def _is_log_sweep(freq: Array) -> bool:
    if freq.size < 5 or not np.all(np.isfinite(freq)) or np.any(freq <= 0):
        return False
    steps = np.diff(np.log10(freq))
    if not (np.all(steps > 0) or np.all(steps < 0)):
        return False
    span = abs(float(np.log10(freq[-1] / freq[0])))
    return span >= 1.0 and float(np.std(steps)) <= 0.25 * abs(float(np.mean(steps)))


def guess_can_open(path: Path) -> bool:
    """Claim only files whose first lines are an evenly log-spaced frequency sweep.

    Never raises.
    """
    try:
        if path.suffix.lower() not in _SUFFIXES:
            return False
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
        text = head.decode("latin-1")
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if len(head) == _HEAD_BYTES:
            lines = lines[:-1]  # the last line may be cut
        if len(lines) < 5:
            return False
        rows = [_split_fields(ln) for ln in lines]
        if any(len(r) != 3 for r in rows):
            return False
        values = np.array(rows, dtype=float)
        return _is_log_sweep(values[:, 0]) and bool(np.all(values[:, 1] > 0))
    except Exception:
        return False


def _infer_sign(freq: Array, imag: Array, path: Path) -> tuple[float, str]:
    order = np.argsort(freq)
    n_low = max(3, freq.size // 5)
    low = imag[order[:n_low]]
    negative = float(np.mean(low < 0))
    if negative >= 0.8:
        return 1.0, (
            f"the third column is read as Z'' signed as measured: {negative:.0%} of the "
            f"{n_low} lowest-frequency points are negative (capacitive); pass imaginary_sign="
            "-1 if the file stores -Z''"
        )
    if negative <= 0.2:
        return -1.0, (
            f"the third column is read as -Z'' and negated: {1 - negative:.0%} of the "
            f"{n_low} lowest-frequency points are positive, and a passive cell is "
            "capacitive there; pass imaginary_sign=1 if the file stores Z'' as measured"
        )
    raise ReaderError(
        "cannot tell whether the third column is Z'' or -Z'': the low-frequency end has "
        f"both signs ({negative:.0%} negative); pass imaginary_sign=1 (Z'' as measured) or "
        "imaginary_sign=-1 (the file stores -Z'')",
        path=path,
    )


def read(
    path: Path,
    *,
    columns: Sequence[str] | None = None,
    imaginary_sign: float | None = None,
    separator: str | None = None,
    decimal_comma: bool = False,
    skip_rows: int = 0,
) -> Recording:
    """Read a header-less numeric impedance table.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    columns : sequence of str, optional
        What each column holds, in file order: ``"frequency"`` (Hz), ``"real"`` (Z',
        ohm), ``"imaginary"`` (the imaginary column, ohm; its sign is set by
        ``imaginary_sign``) or ``"skip"``. Inferred only for the unambiguous three-column
        case (see the module notes).
    imaginary_sign : {1, -1}, optional
        ``1``: the imaginary column is Z'' as measured (negative when capacitive);
        ``-1``: it is -Z''. Inferred from the low-frequency end when omitted.
    separator : str, optional
        ``","``, ``";"``, tab or ``" "`` (runs of blanks); sniffed from the first
        line when omitted.
    decimal_comma : bool
        Numbers use a decimal comma.
    skip_rows : int
        Lines to skip at the top (a title line, say).

    Returns
    -------
    Recording
        Columns ``frequency_hertz``, ``real_impedance_ohm``, ``imaginary_impedance_ohm``.

    Raises
    ------
    ReaderError
        If the content is not a numeric table, the column order or the sign cannot be
        inferred and was not given, or an option is invalid.
    """
    if imaginary_sign not in (None, 1, -1):
        raise ReaderError(f"imaginary_sign must be 1 or -1, not {imaginary_sign!r}", path=path)
    if skip_rows < 0:
        raise ReaderError(f"skip_rows must be >= 0, not {skip_rows}", path=path)
    text = read_text_file(path)
    lines = text.splitlines()[skip_rows:]
    body = "\n".join(lines)
    first = next((ln for ln in lines if ln.strip()), None)
    if first is None:
        raise ReaderError("the file has no data lines", path=path)
    sep = separator if separator is not None else _separator(first)
    if sep not in {",", ";", "\t", " "}:
        raise ReaderError(f"separator must be ',', ';', tab or ' ', not {sep!r}", path=path)
    if decimal_comma and sep == ",":
        raise ReaderError("decimal_comma needs a separator other than ','", path=path)
    n_fields = len(re.split(r"[ \t]+" if sep == " " else re.escape(sep), first.strip()))
    values = numeric_table(
        body,
        n_fields,
        path=path,
        what="table",
        separator=sep,
        decimal_comma=decimal_comma,
        first_line=skip_rows + 1,
    )
    notes: list[str] = []
    if columns is None:
        if values.shape[1] != 3:
            raise ReaderError(
                f"the table has {values.shape[1]} columns; say what each holds with "
                "columns=[...] ('frequency', 'real', 'imaginary', 'skip')",
                path=path,
            )
        freq = values[:, 0]
        others = [_is_log_sweep(values[:, k]) for k in (1, 2)]
        if not _monotonic_decade(freq) or any(others) or not np.all(values[:, 1] > 0):
            raise ReaderError(
                "cannot infer the column order (expected frequency, Z', Z'': a first column "
                "positive and monotonic over a decade and a positive second column); pass "
                "columns=[...] with 'frequency', 'real', 'imaginary' or 'skip' per column",
                path=path,
            )
        columns = ("frequency", "real", "imaginary")
        notes.append(
            "no header: the columns were read as frequency (Hz), Z' (ohm) and the imaginary "
            "part (ohm), the only order inferred (first column monotonic over "
            f"{abs(np.log10(freq[-1] / freq[0])):.1f} decades, second column positive)"
        )
    else:
        columns = tuple(columns)
        unknown = [c for c in columns if c not in _COLUMN_NAMES]
        if unknown:
            raise ReaderError(
                f"unknown column names {unknown}; use 'frequency', 'real', 'imaginary' or 'skip'",
                path=path,
            )
        if len(columns) != values.shape[1]:
            raise ReaderError(
                f"columns names {len(columns)} columns but the table has {values.shape[1]}",
                path=path,
            )
        for need in ("frequency", "real", "imaginary"):
            if columns.count(need) != 1:
                raise ReaderError(f"columns must name {need!r} exactly once", path=path)
        notes.append(f"column order given by the caller: {', '.join(columns)}; units Hz, ohm")
    idx = {c: i for i, c in enumerate(columns)}
    freq = values[:, idx["frequency"]]
    imag = values[:, idx["imaginary"]]
    if imaginary_sign is None:
        sign, note = _infer_sign(freq, imag, path)
        notes.append(note)
    else:
        sign = float(imaginary_sign)
        notes.append(
            "imaginary column read as "
            + ("Z'' as measured" if sign > 0 else "-Z'' and negated")
            + " (imaginary_sign given by the caller)"
        )
    frame = pl.DataFrame(
        {
            "Frequency/Hz": freq,
            "Zreal/ohm": values[:, idx["real"]],
            "Zimag/ohm": imag * sign,
        }
    )
    canon = canonicalise(frame, _RULES, path=path)
    vendor: dict[str, Any] = {"columns": list(columns), "imaginary_sign": sign}
    return build_recording(
        canon,
        path=path,
        instrument="unknown",
        format=name,
        techniques=("EIS",),
        notes=notes,
        vendor=vendor,
    )


def _monotonic_decade(values: Array) -> bool:
    if values.size < 2 or np.any(values <= 0) or not np.all(np.isfinite(values)):
        return False
    d = np.diff(values)
    monotonic = bool(np.all(d > 0) or np.all(d < 0))
    return monotonic and float(values.max() / values.min()) >= 10.0
