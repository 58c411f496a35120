"""Reader for Gamry Framework ``.DTA`` impedance files (the ``ZCURVE`` table).

Format facts (from the files themselves)
----------------------------------------
* Text in a Windows single-byte code page (the degree sign of the phase unit is byte 0xB0),
  read as Latin-1. The first line is ``EXPLAIN``, the second ``TAG<TAB><technique>``
  (``EISPOT`` potentiostatic, ``EISGALV`` galvanostatic).
* Header lines are ``KEY<TAB>TYPE<TAB>VALUE<TAB>label...`` (``VDC POTEN -5.0E-002 T DC
  &Voltage (V)``, ``FREQINIT QUANT 2.0E+005 ...``). A ``TABLE`` line starts a table:
  ``ZCURVE<TAB>TABLE`` is followed by a line of column names, a line of units and the rows;
  every table line starts with a TAB. The table ends at the first line that does not
  (``EXPERIMENTABORTED`` when the run was stopped, another key, or the end of the file).
* ZCURVE columns: ``Pt`` (#), ``Time`` (s), ``Freq`` (Hz), ``Zreal`` (ohm), ``Zimag`` (ohm,
  signed as measured: negative when capacitive), ``Zsig`` (V), ``Zmod`` (ohm), ``Zphz``
  (degree), ``Idc`` (A), ``Vdc`` (V), ``IERange`` (#); galvanostatic files may add others.
  Some locales print numbers with a decimal comma.
* Other tables (``OCVCURVE``, the open-circuit record before the sweep) are not read.
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

name = "gamry-dta"
description = "Gamry Framework .DTA impedance file (ZCURVE table)"

_UNITS = {"s": "s", "hz": "Hz", "ohm": "ohm", "v": "V", "a": "A", "°": "deg", "deg": "deg"}
_RULES = {
    "freq": Rule("frequency_hertz"),
    "zreal": Rule("real_impedance_ohm"),
    "zimag": Rule("imaginary_impedance_ohm"),
    "zmod": Rule("absolute_impedance_ohm"),
    "zphz": Rule("phase_degree"),
    "time": Rule("test_time_second"),
    "vdc": Rule("voltage_volt"),
    "idc": Rule("current_ampere"),
}
_KEY_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)\t([A-Z]+)(?:\t([^\t\r\n]*))?", re.MULTILINE)
_TABLE_START = re.compile(r"^ZCURVE\tTABLE[^\r\n]*\r?\n", re.MULTILINE)
_NOT_TABLE_LINE = re.compile(r"^(?!\t)", re.MULTILINE)


def guess_can_open(path: Path) -> bool:
    """Claim ``.DTA`` files that start with ``EXPLAIN`` and hold a ``ZCURVE`` table.

    Never raises.
    """
    try:
        if path.suffix.lower() != ".dta":
            return False
        with path.open("rb") as handle:
            head = handle.read(64)
        if not head.lstrip(b"\xef\xbb\xbf").startswith(b"EXPLAIN"):
            return False
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 16), b""):
                if b"ZCURVE\tTABLE" in chunk:
                    return True
        return False
    except Exception:
        return False


def read(path: Path, *, decimal_comma: bool | None = None) -> Recording:
    """Read the impedance sweep of a Gamry ``.DTA`` file.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    decimal_comma : bool, optional
        Numbers use a decimal comma; detected from the table when omitted.

    Returns
    -------
    Recording
        ``frequency_hertz``, ``real_impedance_ohm``, ``imaginary_impedance_ohm`` (signed
        as measured), ``absolute_impedance_ohm``, ``phase_degree``, ``test_time_second``,
        ``voltage_volt`` and ``current_ampere`` (Gamry's ``Idc``, sign as printed), plus the
        other columns as extras. The header keys are in ``meta.vendor["header"]``.

    Raises
    ------
    ReaderError
        If the file has no ZCURVE table or the table is malformed.
    """
    text = read_text_file(path)
    if not text.lstrip("\ufeff").startswith("EXPLAIN"):
        raise ReaderError("not a Gamry .DTA file (it does not start with EXPLAIN)", path=path)
    start = _TABLE_START.search(text)
    if start is None:
        raise ReaderError("the file has no ZCURVE table (not an impedance run)", path=path)
    header_text = text[: start.start()]
    header: dict[str, str] = {}
    for key, _kind, value in _KEY_LINE.findall(header_text):
        header.setdefault(key, value.strip())
    rest = text[start.end() :]
    lines = rest.split("\n", 2)
    if len(lines) < 3:
        raise ReaderError("the ZCURVE table has no column-name and unit lines", path=path)
    names = lines[0].strip("\r\n").split("\t")[1:]
    units = lines[1].strip("\r\n").split("\t")[1:]
    if not names or len(names) != len(units) or "Freq" not in names:
        raise ReaderError(
            "the ZCURVE table's column-name and unit lines do not match "
            f"({len(names)} names, {len(units)} units)",
            path=path,
        )
    for needed in ("Zreal", "Zimag"):
        if needed not in names:
            raise ReaderError(f"the ZCURVE table has no {needed!r} column", path=path)
    body = lines[2]
    end = _NOT_TABLE_LINE.search(body, 0)
    trailer = ""
    if end is not None:
        trailer = body[end.start() :]
        body = body[: end.start()]
    first_line = text[: start.end()].count("\n") + 3
    comma = decimal_comma
    if comma is None:
        comma = bool(re.search(r"\d,\d", body)) and not re.search(r"\d\.\d", body)
    values = numeric_table(
        body,
        len(names),
        path=path,
        what="ZCURVE table",
        separator="\t",
        decimal_comma=comma,
        first_line=first_line,
    )
    notes: list[str] = []
    if comma:
        notes.append("numbers in the ZCURVE table use a decimal comma")
    aborted = trailer.startswith("EXPERIMENTABORTED")
    if aborted:
        notes.append("the run was aborted (EXPERIMENTABORTED): the sweep is incomplete")
    headers = []
    for col, unit in zip(names, units, strict=True):
        u = _UNITS.get(unit.strip().lower())
        headers.append(f"{col}/{u}" if u else col)
    frame = pl.DataFrame({h: values[:, k] for k, h in enumerate(headers)})
    if "Pt" in names:
        frame = frame.drop(headers[names.index("Pt")])
        notes.append("dropped the point counter 'Pt' (row order is kept)")
    canon = canonicalise(frame, _RULES, path=path)
    if "Idc" in names:
        notes.append(
            "current_ampere is Gamry's DC current 'Idc' with the sign as printed "
            f"(header CONVENTION = {header.get('CONVENTION', 'not given')})"
        )
    technique = header.get("TAG", "")
    vendor: dict[str, Any] = {"header": header, "aborted": aborted, "tag": technique}
    return build_recording(
        canon,
        path=path,
        instrument=f"Gamry {header['PSTAT']}" if header.get("PSTAT") else "Gamry",
        format=name,
        techniques=("GEIS",) if technique.upper().startswith("EISGALV") else ("PEIS",),
        notes=notes,
        vendor=vendor,
    )
