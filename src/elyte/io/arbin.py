"""Reader plugin for Arbin (MITS Pro) exports: Excel workbooks and CSV files.

Excel exports hold an information sheet (``Global_Info`` or ``Info``: channel, start time,
schedule, software version) and the records on ``Channel_*`` sheets. A channel whose
records overflow one sheet continues on ``Channel_11_2``, ``Channel_11_3``, ...; these are
concatenated in order. ``Statistics_*`` and chart sheets are summaries and are only listed
in the notes. CSV exports carry the same quantities with spaced headers
(``Test Time (s)``, ``Charge Capacity (Ah)``) and dates such as ``10/10/2023 16:09:14.661``.

Conventions (checked on the data; every decision goes into the recording's notes):

* Arbin's ``Step_Index`` is the program step → ``step_id``; ``step_count`` is derived.
* Current is positive when charging, as in BDF.
* ``Charge_Capacity``/``Discharge_Capacity`` (and the energies) accumulate within a cycle
  and usually restart when ``Cycle_Index`` increases, but a schedule may reset them
  elsewhere. They become ``cycle_charging_capacity_ah`` and friends when the data agree
  (every restart falls on a cycle change and every cycle change restarts them); otherwise
  they keep a ``schedule_*`` name. The BDF cumulative columns (``charging_capacity_ah``, ...)
  are always derived, vectorised, by adding the value held before each restart.
* Date-times carry no time zone: ``unix_time_second`` reads them as UTC unless
  ``timezone=`` names the instrument's zone.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from elyte.errors import ReaderError
from elyte.io._frame import Canonicalised, Rule, build_recording, snake
from elyte.io._tabular import (
    CleanFrame,
    Header,
    Table,
    add_step_count,
    assign_counters,
    head_rows,
    note_time_reversals,
    number_column,
    numeric_or_text,
    open_workbook,
    parse_datetimes,
    parse_durations,
    read_delimited,
    reading_errors,
    sheet_head,
    sheet_table,
)
from elyte.recording import Recording
from elyte.schema import CANONICAL, canonical_order
from elyte.units import parse_unit

__all__ = ["description", "guess_can_open", "name", "read"]

name = "arbin"
description = "Arbin MITS Pro exports: Excel workbooks (Channel_* sheets, .xlsx/.xls) and CSV"

_EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})
_TEXT_SUFFIXES = frozenset({".csv", ".txt"})

#: Normalised Arbin quantity (lower case, no spaces or underscores) → role.
_ROLES: dict[str, str] = {
    "datapoint": "record",
    "datetime": "date_time",
    "testtime": "test_time",
    "steptime": "step_time",
    "cycleindex": "cycle",
    "stepindex": "step",
    "current": "current",
    "voltage": "voltage",
    "power": "power",
    "chargecapacity": "charging_capacity",
    "dischargecapacity": "discharging_capacity",
    "chargeenergy": "charging_energy",
    "dischargeenergy": "discharging_energy",
    "internalresistance": "internal_resistance",
    "auxtemperature": "temperature",
    "temperature": "temperature",
    "surfacetemp": "temperature",
    "surfacetemperature": "temperature",
}

_RULES: dict[str, Rule] = {
    "record": Rule("record_index"),
    "test_time": Rule("test_time_second"),
    "step_time": Rule("step_time_second"),
    "cycle": Rule("cycle_count"),
    "step": Rule("step_id"),
    "current": Rule("current_ampere"),
    "voltage": Rule("voltage_volt"),
    "power": Rule("power_watt"),
    "internal_resistance": Rule("internal_resistance_ohm"),
    "unix_time": Rule("unix_time_second"),
    "temperature_1": Rule("temperature_t1_celsius"),
    "temperature_2": Rule("temperature_t2_celsius"),
    "temperature_3": Rule("temperature_t3_celsius"),
}

_HEADER_RE = re.compile(r"^(?P<quantity>.+?)\s*\((?P<unit>[^()]*)\)\s*(?:_(?P<index>\d+))?$")
_CHANNEL_SHEET = re.compile(r"^channel[_ -]?(?P<channel>\d+)(?P<rest>.*)$", re.IGNORECASE)


def _recognise(header: str) -> Header:
    text = header.strip().lstrip("\ufeff").strip()
    match = _HEADER_RE.match(text)
    index: int | None = None
    if match:
        quantity, unit = match.group("quantity").strip(), match.group("unit").strip()
        if match.group("index"):
            index = int(match.group("index"))
    elif text.lower().replace(" ", "") == "mah/g":
        quantity, unit = "Specific Capacity", "mAh/g"
    else:
        quantity, unit = text, None
    key = re.sub(r"[\s_\-]+", "", quantity.lower())
    role = _ROLES.get(key)
    if role is None:
        numbered = re.match(r"^(.*?)(\d+)$", key)
        if numbered and _ROLES.get(numbered.group(1)) == "temperature":
            role, index = "temperature", int(numbered.group(2))
    return Header(header, quantity, unit or None, role, index)


def _known_unit(unit: str, *, temperature: bool = False) -> str | None:
    """Return the spelling of ``unit`` that parse_unit knows (``Deg`` → ``deg``), or None."""
    for spelling in (unit.strip(), unit.strip().lower()):
        if parse_unit(spelling, temperature_c=temperature) is not None:
            return spelling
    return None


def _is_header_row(cells: list[str]) -> bool:
    roles = {_recognise(c).role for c in cells if c}
    return {"test_time", "voltage", "current"} <= roles and bool(
        roles & {"step", "cycle", "record", "step_time"}
    )


# --------------------------------------------------------------------------------------
# Guessing
# --------------------------------------------------------------------------------------


def guess_can_open(path: Path) -> bool:
    """Return True for Arbin workbooks and CSV exports; never raises."""
    try:
        suffix = path.suffix.lower()
        if suffix in _EXCEL_SUFFIXES:
            reader = open_workbook(path)
            sheets = [s for s in reader.sheet_names if _is_channel_sheet(s)]
            if not sheets:
                return False
            if any(s.strip().lower() in ("global_info", "info") for s in reader.sheet_names):
                return True  # MITS Pro's information sheet beside Channel_* sheets
            return any(_is_header_row(row) for row in sheet_head(reader, sheets[0], path)[:5])
        if suffix in _TEXT_SUFFIXES:
            for line, cells in head_rows(path, rows=50):
                if _is_header_row(cells) and re.search(r"(?i)test[ _]time\s*\(s\)", line):
                    return True
    except Exception:  # guessing must never fail
        return False
    return False


def _is_channel_sheet(sheet: str) -> bool:
    return bool(_CHANNEL_SHEET.match(sheet.strip())) and "chart" not in sheet.lower()


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


def read(
    path: Path,
    *,
    timezone: str | None = None,
    dayfirst: bool | None = None,
    channel: int | str | None = None,
) -> Recording:
    """Read an Arbin Excel workbook or CSV export.

    Parameters
    ----------
    path : pathlib.Path
        The ``.xlsx``/``.xls`` workbook or ``.csv`` export.
    timezone : str, optional
        IANA zone of the instrument's clock (``"America/Chicago"``) for
        ``unix_time_second``; by default the date-times are read as UTC (noted).
    dayfirst : bool, optional
        Force day-first (``True``) or month-first (``False``) reading of text dates such
        as ``10/10/2023``; by default the order is inferred from the data.
    channel : int or str, optional
        Channel to read from a workbook holding several (``11`` for ``Channel_11_*``
        sheets); by default the first channel is read and the others are noted.

    Returns
    -------
    Recording
        Canonical columns in SI units (time in s, current in A, capacity in Ah, energy in
        Wh, temperature in °C).

    Raises
    ------
    ReaderError
        If the file is not an Arbin export or its content is broken.
    """
    path = Path(path)
    with reading_errors(path):
        if path.suffix.lower() in _EXCEL_SUFFIXES:
            table = _read_workbook(path, channel)
            kind = "workbook"
        else:
            table = read_delimited(path, _is_header_row, what="Arbin")
            kind = "CSV export"
        return _finish(path, table, kind=kind, timezone=timezone, dayfirst=dayfirst)


def _read_workbook(path: Path, channel: int | str | None) -> Table:
    reader = open_workbook(path)
    names = list(reader.sheet_names)
    notes: list[str] = []
    vendor: dict[str, Any] = {"sheets": names}
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for sheet in names:
        match = _CHANNEL_SHEET.match(sheet.strip())
        if not match or "chart" in sheet.lower():
            continue
        rest = match.group("rest")
        part = re.search(r"_(\d+)$", rest)
        key = (match.group("channel"), rest[: part.start()] if part else rest)
        groups.setdefault(key, []).append((int(part.group(1)) if part else 0, sheet))
    if not groups:
        raise ReaderError(f"no Channel_* data sheet in the workbook (sheets: {names})", path=path)
    keys = list(groups)
    if channel is not None:
        wanted = [k for k in keys if k[0] == str(channel).strip()]
        if not wanted:
            raise ReaderError(
                f"no sheets for channel {channel!r}; the workbook has channels "
                f"{sorted({k[0] for k in keys})}",
                path=path,
            )
        key = wanted[0]
    else:
        key = keys[0]
        if len(keys) > 1:
            notes.append(
                f"the workbook holds several channels {[k[0] for k in keys]}; channel {key[0]} "
                "read (pass channel= to choose)"
            )
    sheets = [s for _, s in sorted(groups[key])]
    vendor["channel_sheet"] = sheets[0]
    info = [s for s in names if s.strip().lower() in ("global_info", "info")]
    if info:
        vendor.update(_info(reader, info[0], path))
    skipped = [s for s in names if s not in sheets and s not in info]
    if skipped:
        notes.append(f"sheets {skipped} (statistics, charts, other channels) not read")

    header: list[str] | None = None
    frames: list[pl.DataFrame] = []
    for sheet in sheets:
        found = sheet_table(reader, sheet, path, _is_header_row, header=header)
        if found is None:
            raise ReaderError(
                f"sheet {sheet!r} has no Arbin header row (Test_Time, Voltage, Current)",
                path=path,
            )
        header = found[0]
        if found[1].height:
            frames.append(found[1])
    if not frames:
        raise ReaderError(f"the data sheets {sheets} hold no records", path=path)
    if len(frames) > 1:
        notes.append(f"records concatenated from sheets {sheets} in order")
        try:
            data = pl.concat(frames, how="vertical_relaxed")
        except pl.exceptions.PolarsError:
            data = pl.concat([f.select(pl.all().cast(pl.String)) for f in frames])
    else:
        data = frames[0]
    vendor["channel"] = vendor.get("Channel") or key[0]
    return Table(data, first_line=1, notes=notes, vendor=vendor)


_INFO_LABELS = (
    "channel",
    "start datetime",
    "schedule file name",
    "creator",
    "comments",
    "software version",
    "schedule version",
    "item id",
    "mass",
    "serial number",
)


def _info(reader: Any, sheet: str, path: Path) -> dict[str, Any]:
    """Label/value pairs of the information sheet (a label row above a value row)."""
    rows = sheet_head(reader, sheet, path)[:40]
    out: dict[str, Any] = {}
    for r, row in enumerate(rows[:-1]):
        below = rows[r + 1]
        for c, cell in enumerate(row):
            label = cell.strip()
            if not label or c >= len(below):
                continue
            if label.lower() in ("test report",) and below[c]:
                out["test_name"] = below[c]
            elif label.lower().startswith(_INFO_LABELS) and below[c]:
                out[label] = below[c]
    return out


# --------------------------------------------------------------------------------------
# From vendor table to recording
# --------------------------------------------------------------------------------------


def _finish(
    path: Path,
    table: Table,
    *,
    kind: str,
    timezone: str | None,
    dayfirst: bool | None,
) -> Recording:
    frame = table.frame
    notes = list(table.notes)
    vendor = dict(table.vendor)
    where, first_line = ("line", table.first_line) if kind == "CSV export" else ("record", 1)
    if frame.height == 0:
        raise ReaderError("the export holds a header but no records", path=path)
    headers = [_recognise(c) for c in frame.columns]

    def numbers(h: Header) -> pl.Series:
        return number_column(frame, h.original, path=path, first_line=first_line, where=where)

    clean = CleanFrame()
    counters: dict[str, str] = {}
    used: set[str] = set()
    temperature_keys: set[str] = set()
    start: datetime | None = None

    test_time: pl.Series | None = None
    for h in headers:
        if h.role in ("test_time", "step_time") and h.role not in used:
            used.add(h.role)
            values = _seconds(frame, h, path=path, where=where, first_line=first_line)
            clean.add(f"{h.role}(s)", values, h.original)
            if h.role == "test_time":
                test_time = values
    for h in headers:
        col = frame.get_column(h.original)
        role = h.role
        if role in ("test_time", "step_time") and clean.vendor_of(f"{role}(s)") == h.original:
            continue
        if col.dtype == pl.Null or (
            col.dtype == pl.String
            and col.str.strip_chars().replace("", None).null_count() == col.len()
        ):
            notes.append(f"column {h.original!r} is empty; dropped")
            continue
        if role == "date_time" and "date_time" not in used:
            used.add("date_time")
            unix, start, date_notes = parse_datetimes(
                col,
                path=path,
                column=h.original,
                timezone=timezone,
                dayfirst=dayfirst,
                test_time=test_time,
            )
            notes.extend(date_notes)
            clean.add("unix_time(s)", unix, h.original)
        elif h.unit is not None and "/" in h.unit:
            # Specific quantities (mAh/g) and rates (V/s) are kept in the unit printed.
            clean.add_as_printed(snake(h.quantity), h.unit, numbers(h), h.original)
        elif role in ("record", "cycle", "step") and role not in used:
            used.add(role)
            clean.add(role, numbers(h), h.original)
        elif (
            role
            in (
                "charging_capacity",
                "discharging_capacity",
                "charging_energy",
                "discharging_energy",
            )
            and role not in counters
        ):
            spec = parse_unit(h.unit or "")
            want = "charge" if "capacity" in role else "energy"
            if spec is None or spec.dimension != want:
                raise ReaderError(
                    f"column {h.original!r} should hold {want} but its unit is {h.unit!r}",
                    path=path,
                )
            counters[role] = clean.add(f"{role}({h.unit})", numbers(h), h.original)
        elif role == "temperature":
            quantity = f"temperature_{h.index or 1}"
            unit = h.unit
            if unit is None or unit.strip() in ("°", "C", "deg", "degC", "°C", "℃"):
                if unit is None:
                    notes.append(f"column {h.original!r} has no unit; read as °C")
                unit = "°C"
            temperature_keys.add(quantity)
            clean.add(f"{quantity}({unit})", numbers(h), h.original)
        elif role in ("current", "voltage", "power", "internal_resistance") and role not in used:
            used.add(role)
            if h.unit is None or parse_unit(h.unit) is None:
                raise ReaderError(
                    f"column {h.original!r} has no recognisable unit ({h.unit!r})", path=path
                )
            clean.add(f"{role}({h.unit})", numbers(h), h.original)
        else:
            quantity = snake(h.quantity) + (f"_{h.index}" if h.index is not None else "")
            unit = _known_unit(h.unit, temperature="temp" in quantity) if h.unit else None
            if h.unit is not None and unit is None:
                notes.append(
                    f"unit {h.unit!r} of column {h.original!r} is not known; values kept as printed"
                )
                label = f"{quantity}_{snake(h.unit)}_as_printed"
            else:
                label = f"{quantity}({unit})" if unit else quantity
            values = numeric_or_text(col)
            clean.add(quantity if values.dtype == pl.String else label, values, h.original)

    missing = [r for r in ("test_time", "voltage", "current") if r not in used]
    if missing:
        raise ReaderError(f"the export has no {' or '.join(missing)} column", path=path)

    canon, renamed = clean.canonicalise(
        _RULES, path=path, temperature_keys=frozenset(temperature_keys)
    )
    data, column_map, units = canon.frame, canon.column_map, canon.units
    notes.extend(canon.notes)

    data = add_step_count(data, units, notes, changes="Step_Index or Cycle_Index")
    note_time_reversals(data, notes)
    present = {kind: renamed.get(label, label) for kind, label in counters.items()}
    _check_sign(data, present, notes)
    data = assign_counters(
        data,
        present,
        prefer="cycle",
        vendor_label="Arbin",
        units=units,
        column_map=column_map,
        notes=notes,
        path=path,
        allowed=("cycle", "test", "other"),
    )
    data = data.select(canonical_order(data.columns))
    units = {c: units.get(c, CANONICAL[c].unit if c in CANONICAL else "") for c in data.columns}
    channel = vendor.pop("channel", None)
    if (
        start is not None
        and isinstance(vendor.get("Start DateTime"), str)
        and not vendor["Start DateTime"].startswith(start.isoformat(sep=" ")[:16])
    ):
        notes.append(
            f"the information sheet's Start DateTime ({vendor['Start DateTime']}) differs from "
            f"the first record's Date_Time ({start}); start_time is the first record's"
        )
    return build_recording(
        Canonicalised(data, column_map, units, []),
        path=path,
        instrument="Arbin",
        format=name,
        channel=str(channel) if channel is not None else None,
        start_time=start,
        notes=[*notes, f"read as an Arbin {kind}"],
        vendor=vendor,
    )


def _seconds(
    frame: pl.DataFrame, h: Header, *, path: Path, where: str, first_line: int
) -> pl.Series:
    """Return an Arbin time column in seconds (numbers with a unit, or ``h:min:s`` text)."""
    durations = parse_durations(frame, h.original, path=path, first_line=first_line, where=where)
    if durations is not None:
        return durations
    values = number_column(frame, h.original, path=path, first_line=first_line, where=where)
    spec = parse_unit(h.unit or "s")
    if spec is None or spec.dimension != "time":
        raise ReaderError(
            f"column {h.original!r} should hold a time but its unit is {h.unit!r}", path=path
        )
    return values * spec.factor


def _check_sign(data: pl.DataFrame, counters: dict[str, str], notes: list[str]) -> None:
    """Check that charge capacity grows only under positive current (Arbin: charge > 0)."""
    checks = []
    for kind, sign in (("charging_capacity", -1), ("discharging_capacity", 1)):
        column = counters.get(kind)
        if column is None or "current_ampere" not in data.columns:
            continue
        tol = 1e-9 * (data.get_column(column).abs().max() or 0.0)  # type: ignore[operator]
        grows = pl.col(column).diff() > tol
        wrong = pl.col("current_ampere") * sign > 0
        checks.append((grows & wrong).sum().alias(kind))
    if not checks:
        notes.append(
            "current sign: Arbin prints charge current positive, as BDF does "
            "(not checked: no capacity columns)"
        )
        return
    counts = data.select(checks).row(0, named=True)
    wrong_rows = sum(int(v or 0) for v in counts.values())
    if wrong_rows > max(1, data.height // 100):
        notes.append(
            f"current sign: in {wrong_rows} row(s) a capacity grows against the sign "
            "of the current; currents kept as printed"
        )
    else:
        notes.append(
            "current sign: charge current positive, as BDF wants (checked: the charge "
            "capacity grows only under positive current)"
        )
