"""Reader for CH Instruments impedance text exports (``A.C. Impedance`` ``.txt``).

Format facts (from the files themselves and impedance.py's reader)
------------------------------------------------------------------
* Text. The first line is the date and time (``Feb. 20, 2020   15:55:08``), the second the
  technique (``A.C. Impedance``); then ``Key: value`` lines (``Instrument Model:  CHI660E``)
  and ``Name (unit) = value`` parameter lines (``High Frequency (Hz) = 2e+6``).
* The column-name line ``Freq/Hz, Z'/ohm, Z"/ohm, Z/ohm, Phase/deg`` is followed by a blank
  line and the rows, comma separated (``9.961e+4, 9.891e+1, -2.748e+0, ...``).
* ``Z"`` is signed as measured (negative when capacitive) and so is ``Phase``.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from elyte.errors import ReaderError
from elyte.io._frame import Rule, build_recording, canonicalise
from elyte.io.eis_text import numeric_table, read_text_file
from elyte.recording import Recording

__all__ = ["description", "guess_can_open", "name", "read"]

name = "chi"
description = "CH Instruments A.C. Impedance text export (.txt)"

_RULES = {
    "freq": Rule("frequency_hertz"),
    "z'": Rule("real_impedance_ohm"),
    'z"': Rule("imaginary_impedance_ohm"),
    "z''": Rule("imaginary_impedance_ohm"),
    "z": Rule("absolute_impedance_ohm"),
    "phase": Rule("phase_degree"),
    "time": Rule("test_time_second"),
}
_HEADER_LINE = re.compile(r"^Freq/Hz[ \t]*,[^\r\n]*$", re.MULTILINE)
_KEY_VALUE = re.compile(r"^([^:=\r\n]+?)[ \t]*[:=][ \t]*([^\r\n]*)$", re.MULTILINE)


def guess_can_open(path: Path) -> bool:
    """Claim text files whose second line is ``A.C. Impedance``. Never raises."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).decode("latin-1")
        lines = head.splitlines()
        return len(lines) > 2 and lines[1].strip() == "A.C. Impedance" and "Freq/Hz" in head
    except Exception:
        return False


def _start_time(first_line: str) -> datetime | None:
    text = " ".join(first_line.replace(".", "").split())
    for fmt in ("%b %d, %Y %H:%M:%S", "%B %d, %Y %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def read(path: Path) -> Recording:
    """Read a CH Instruments impedance text export.

    Parameters
    ----------
    path : pathlib.Path
        The file.

    Returns
    -------
    Recording
        ``frequency_hertz``, ``real_impedance_ohm``, ``imaginary_impedance_ohm`` (signed as
        measured), ``absolute_impedance_ohm`` and ``phase_degree``. Parameters and header
        lines are in ``meta.vendor["header"]``; the first line's date is ``start_time``.

    Raises
    ------
    ReaderError
        If the file has no ``Freq/Hz, ...`` column-name line or its rows are malformed.
    """
    text = read_text_file(path)
    found = _HEADER_LINE.search(text)
    if found is None:
        raise ReaderError(
            "no 'Freq/Hz, ...' column-name line: not a CH Instruments impedance export",
            path=path,
        )
    names = [n.strip() for n in found.group(0).split(",")]
    if len(names) < 3 or names[1] not in {"Z'/ohm"} or names[2] not in {'Z"/ohm', "Z''/ohm"}:
        raise ReaderError(
            f"unexpected column names {names}; expected Freq/Hz, Z'/ohm, Z\"/ohm, ...",
            path=path,
        )
    head = text[: found.start()]
    header: dict[str, str] = {}
    for key, value in _KEY_VALUE.findall(head):
        header.setdefault(key.strip(), value.strip())
    body = text[found.end() :]
    first_line = text[: found.end()].count("\n") + 1
    values = numeric_table(
        body, len(names), path=path, what="data table", separator=",", first_line=first_line
    )
    first = head.splitlines()[0] if head else ""
    start = _start_time(first)
    notes: list[str] = []
    if start is None and first.strip():
        notes.append(f"the date line {first.strip()!r} was not understood; no start time")
    elif start is not None:
        notes.append("start_time is the instrument's local time (no time zone in the file)")
    frame = pl.DataFrame({h: values[:, k] for k, h in enumerate(names)})
    canon = canonicalise(frame, _RULES, path=path)
    model = header.get("Instrument Model")
    vendor: dict[str, Any] = {"header": header}
    return build_recording(
        canon,
        path=path,
        instrument=f"CH Instruments {model}" if model else "CH Instruments",
        format=name,
        techniques=("PEIS",),
        start_time=start,
        notes=notes,
        vendor=vendor,
    )
