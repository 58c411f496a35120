"""Reader for Scribner ZPlot ``.z`` impedance files.

Format facts (from the files themselves and impedance.py's reader)
------------------------------------------------------------------
* Text. The first line is ``ZPLOT2 ASCII``; then indented ``Key: value`` lines
  (``Experiment Type: Sweep Frequency, Control Voltage``, ``Data Points: 56``), nested in
  ``Begin ...``/``End ...`` blocks.
* The line of column names (``Freq(Hz)  Ampl  Bias  Time(Sec)  Z'(a)  Z''(b)  GD  Err
  Range``, tab separated) comes right before ``End Comments``; the data rows follow it.
  Files without the metadata start at the column-name line. Fields are separated by a tab
  (some exports use ``", "``).
* ``Z'(a)`` and ``Z''(b)`` are in ohm, Z'' signed as measured (negative when capacitive).
  ``Ampl`` and ``Bias`` are the AC amplitude and DC bias of the controlled quantity: volt
  under ``Control Voltage``, ampere under ``Control Current``. ``Time(Sec)`` is seconds
  since the start of the sweep.
* ``Data Points`` need not match the rows present (impedance.py's example file declares 56
  and holds 21); the rows are what is read, and a mismatch is noted.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl

from elyte.errors import ReaderError
from elyte.io._frame import Rule, build_recording, canonicalise
from elyte.io.eis_text import numeric_table, read_text_file
from elyte.recording import Recording

__all__ = ["description", "guess_can_open", "name", "read"]

name = "zplot"
description = "Scribner ZPlot .z impedance file"

_RULES = {
    "freq": Rule("frequency_hertz"),
    "z'(a)": Rule("real_impedance_ohm"),
    "z''(b)": Rule("imaginary_impedance_ohm"),
    "time": Rule("test_time_second"),
}
_HEADER_LINE = re.compile(r"^[ \t]*Freq\(Hz\)[^\r\n]*$", re.MULTILINE)
_KEY_VALUE = re.compile(r"^[ \t]*([^:\r\n]+?):[ \t]*([^\r\n]*)$", re.MULTILINE)


def guess_can_open(path: Path) -> bool:
    """Claim files that start with ``ZPLOT2 ASCII`` (any extension). Never raises."""
    try:
        with path.open("rb") as handle:
            head = handle.read(32)
        return head.lstrip(b"\xef\xbb\xbf").startswith(b"ZPLOT2 ASCII")
    except Exception:
        return False


def _relabel(column: str, control: str | None) -> str:
    key = column.strip()
    fixed = {"Freq(Hz)": "Freq/Hz", "Time(Sec)": "Time/s", "Z'(a)": "Z'(a)/ohm"}
    if key in fixed:
        return fixed[key]
    if key == "Z''(b)":
        return "Z''(b)/ohm"
    if key in {"Ampl", "Bias"} and control is not None:
        return f"{key}/{control}"
    return key


def read(path: Path) -> Recording:
    """Read a ZPlot ``.z`` file.

    Parameters
    ----------
    path : pathlib.Path
        The file.

    Returns
    -------
    Recording
        ``frequency_hertz``, ``real_impedance_ohm``, ``imaginary_impedance_ohm`` (signed as
        measured) and ``test_time_second``, plus ``ampl_*``, ``bias_*``, ``gd``, ``err`` and
        ``range`` as extras. The ``Key: value`` metadata is in ``meta.vendor["header"]``.

    Raises
    ------
    ReaderError
        If there is no ``Freq(Hz)`` column-name line or the data rows are malformed.
    """
    text = read_text_file(path)
    found = _HEADER_LINE.search(text)
    if found is None:
        raise ReaderError("no 'Freq(Hz)' column-name line: not a ZPlot data file", path=path)
    header: dict[str, str] = {}
    for key, value in _KEY_VALUE.findall(text[: found.start()]):
        header.setdefault(key.strip(), value.strip())
    sep = "\t" if "\t" in found.group(0) else ","
    names = [n.strip() for n in re.split(r"\t|,[ \t]*", found.group(0).strip()) if n.strip()]
    for needed in ("Z'(a)", "Z''(b)"):
        if needed not in names:
            raise ReaderError(f"the column-name line has no {needed!r} column", path=path)
    data_start = found.end()
    end_comments = re.compile(r"\r?\n[ \t]*End Comments[^\r\n]*")
    after = end_comments.match(text, data_start)
    if after is not None:
        data_start = after.end()
    body = text[data_start:]
    first_line = text[:data_start].count("\n") + 1
    values = numeric_table(
        body, len(names), path=path, what="data table", separator=sep, first_line=first_line
    )
    notes: list[str] = []
    experiment = header.get("Experiment Type", "")
    control: str | None = None
    if "control voltage" in experiment.lower():
        control = "V"
    elif "control current" in experiment.lower():
        control = "A"
    else:
        notes.append(
            "the experiment type does not say whether voltage or current was controlled; "
            "Ampl and Bias are kept without a unit"
        )
    declared = header.get("Data Points")
    if declared is not None and declared.strip().isdigit() and int(declared) != len(values):
        notes.append(
            f"the header declares {int(declared)} data points but the file holds "
            f"{len(values)} rows; the rows present were read"
        )
    headers = [_relabel(n, control) for n in names]
    frame = pl.DataFrame({h: values[:, k] for k, h in enumerate(headers)})
    canon = canonicalise(frame, _RULES, path=path)
    vendor: dict[str, Any] = {"header": header}
    version = header.get("Measured Data, ZPlot")
    return build_recording(
        canon,
        path=path,
        instrument=f"Scribner ZPlot {version}" if version else "Scribner ZPlot",
        format=name,
        techniques=("GEIS",) if control == "A" else ("PEIS",) if control == "V" else ("EIS",),
        notes=notes,
        vendor=vendor,
    )
