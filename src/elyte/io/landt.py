"""Reader plugin for LAND (Wuhan LAND / Landt CT2001, CT3001) battery tester exports.

Two kinds of export are read:

* **Delimited text** (``.csv``, ``.txt``): an optional preamble of ``key:`` lines followed by
  one header row and the records. Both the snake_case layout with units as suffixes
  (``test_time_s, current_A, ..., step_name``; the Battery Data Format project's LAND
  example) and LANDdt-style headers (``Record, TestTime, Current/mA, Voltage/V, ...``) are
  recognised; commas, tabs and semicolons are accepted.
* **LANDdt Excel workbooks** (``.xlsx``, ``.xls``): a record sheet (``Record``,
  ``Record-Tab``, ``记录表``, ...; overflow sheets ``Record1``, ``记录表2`` are appended in
  order, with or without a header row) beside step and cycle summary sheets, which are only
  listed in the notes. Headers may be Chinese or English, in any order, with units after
  ``/`` or in parentheses (``电流/mA``, ``Current(mA)``, ``Current/uA``); times are seconds,
  ``h:min:s.ms`` strings, ``d-h:min:s`` strings or Excel durations.

Conventions (checked on the data; every decision goes into the recording's notes):

* LAND's step number (``step_index``, ``Step``, ``工步``) is the program step → ``step_id``;
  ``step_count`` is derived (+1 whenever the step number or the cycle changes, or the step
  time restarts).
* LAND capacities and energies restart at every step. They become
  ``step_charging_capacity_ah`` and friends only when the data confirm it (every counter
  drop falls on a step boundary and every step boundary resets the counter);
  :func:`~elyte.io._frame.build_recording` then accumulates the BDF cumulative columns.
* A single undirected ``Capacity`` column is split into charge and discharge by the
  direction of each step (its state code when the file has one, else the sign of its
  current).
* Current is positive when charging (BDF). LAND prints discharge current negative in some
  exports and positive with a step state (``D_CC``, ``CCD``, ``放电``) in others; the
  convention found is stored in ``meta.vendor["current_sign_convention"]``.
* Date-times carry no time zone: ``unix_time_second`` reads them as UTC unless
  ``timezone=`` names the instrument's zone. ``04/30/2024``-style dates are read
  month-first or day-first according to the data (a field above 12, or agreement with the
  test time); ``dayfirst=`` overrides.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
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
    to_float,
)
from elyte.recording import Recording
from elyte.schema import CANONICAL, canonical_order
from elyte.units import parse_unit

__all__ = ["description", "guess_can_open", "name", "read"]

name = "landt"
description = (
    "LAND/Landt battery tester exports: CSV/TXT text exports and LANDdt Excel workbooks "
    "(.xlsx, .xls; Chinese or English headers)"
)

_TEXT_SUFFIXES = frozenset({".csv", ".txt"})
_EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})

# --------------------------------------------------------------------------------------
# Header recognition (shared by the text and Excel paths)
# --------------------------------------------------------------------------------------

#: Normalised vendor quantity name → role. Names are lower-cased with spaces, ``_``,
#: ``-`` and ``.`` removed, so ``Test_Time``, ``TestTime`` and ``test time`` meet.
_ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "record": (
        "record",
        "index",
        "recordindex",
        "recordno",
        "recordid",
        "记录序号",
        "序号",
        "记录号",
        "数据序号",
    ),
    "channel_index": ("channelindex",),
    "cycle": ("cycle", "cycleindex", "cycleno", "cycleid", "循环", "循环序号", "循环号"),
    "step": ("step", "stepindex", "stepno", "stepid", "工步", "工步序号", "工步号"),
    "test_time": ("testtime", "time", "totaltime", "测试时间", "时间", "总时间"),
    "step_time": ("steptime", "步骤时间", "工步时间", "stepperiod"),
    "current": ("current", "cur", "电流"),
    "voltage": ("voltage", "volt", "电压"),
    "capacity": ("capacity", "cap", "容量"),
    "charge_capacity": ("chargecapacity", "chgcap", "chgcapacity", "充电容量"),
    "discharge_capacity": ("dischargecapacity", "dchgcap", "dischgcap", "dchgcapacity", "放电容量"),
    "specific_capacity": ("specap", "scapacity", "specificcapacity", "比容量"),
    "energy": ("energy", "能量"),
    "charge_energy": ("chargeenergy", "chgenergy", "充电能量"),
    "discharge_energy": ("dischargeenergy", "dchgenergy", "放电能量"),
    "specific_energy": ("speenergy", "senergy", "specificenergy", "比能量"),
    "power": ("power", "功率"),
    "sys_time": (
        "systime",
        "systemtime",
        "系统时间",
        "datetime",
        "datetimeisostring",
        "realtime",
        "绝对时间",
    ),
    "state": (
        "state",
        "status",
        "stepstatus",
        "mode",
        "stepname",
        "steptype",
        "workmode",
        "状态",
        "工步状态",
        "工作模式",
        "模式",
        "工步类型",
        "工步名称",
    ),
    "temperature": ("temperature", "temp", "auxtemp", "auxtemperature", "温度", "辅助温度"),
    "aux_voltage": ("auxvolt", "auxvoltage", "辅助电压"),
    "pressure": ("pressure", "压力"),
    "internal_resistance": ("internalresistance", "ir", "内阻"),
}
_ROLE_OF: dict[str, str] = {key: role for role, keys in _ROLE_NAMES.items() for key in keys}

#: Roles mapped straight to a canonical column by canonicalise (clean header → rule).
_DIRECT_RULES: dict[str, Rule] = {
    "test_time": Rule("test_time_second"),
    "step_time": Rule("step_time_second"),
    "current": Rule("current_ampere"),
    "voltage": Rule("voltage_volt"),
    "power": Rule("power_watt"),
    "record": Rule("record_index"),
    "cycle": Rule("cycle_count"),
    "step": Rule("step_id"),
    "state": Rule("step_type"),
    "unix_time": Rule("unix_time_second"),
    "pressure": Rule("applied_pressure_pa"),
    "internal_resistance": Rule("internal_resistance_ohm"),
    "temperature_1": Rule("temperature_t1_celsius"),
    "temperature_2": Rule("temperature_t2_celsius"),
    "temperature_3": Rule("temperature_t3_celsius"),
}

#: Vendor unit spellings → units parse_unit knows.
_UNIT_ALIASES = {
    "sec": "s",
    "sec.": "s",
    "s.": "s",
    "second": "s",
    "seconds": "s",
    "secs": "s",
    "psi": "psi",
    "°c": "°C",
    "degc": "degC",
    "℃": "℃",
    "ohm": "Ohm",
    "mohm": "mOhm",
    "ω": "Ohm",
    "mω": "mOhm",
}
_DURATION_UNITS = frozenset(
    {
        "h:min:s.ms",
        "h:min:s",
        "hh:mm:ss",
        "hh:mm:ss.ms",
        "h:m:s",
        "d-h:min:s.ms",
        "h:mm:ss.ms",
        "h:min:s.ms)",
    }
)
_SUFFIX_UNIT = re.compile(r"^(?P<name>.+?)_(?P<unit>[A-Za-zµμ°℃%]+)$")


def _split_land_header(header: str) -> tuple[str, str | None]:
    """Split a LAND header into quantity and unit (``SpeCap/mAh/g`` → ``SpeCap``, ``mAh/g``)."""
    text = header.strip().replace("\uff08", "(").replace("\uff09", ")")  # full-width ( )
    if text.endswith(")") and "(" in text:
        depth = 0
        for i in range(len(text) - 1, -1, -1):
            if text[i] == ")":
                depth += 1
            elif text[i] == "(":
                depth -= 1
                if depth == 0:
                    quantity, unit = text[:i].strip(), text[i + 1 : -1].strip()
                    if quantity:
                        return quantity, unit or None
                    break
    if "/" in text:
        quantity, _, unit = text.partition("/")
        if quantity.strip():
            return quantity.strip(), unit.strip().rstrip(".") or None
    match = _SUFFIX_UNIT.match(text)
    if match and _known_unit(match.group("unit")) is not None:
        return match.group("name"), match.group("unit")
    return text, None


def _known_unit(unit: str) -> str | None:
    """Return the parse_unit spelling of a vendor unit, or None when it is not a unit."""
    text = unit.strip()
    alias = _UNIT_ALIASES.get(text.lower())
    if alias is not None:
        return alias
    if parse_unit(text, temperature_c=True) is not None:
        return text
    return None


def _norm_name(quantity: str) -> str:
    return re.sub(r"[\s_\-.]+", "", quantity.strip().lower())


def _recognise(header: str) -> Header:
    quantity, unit = _split_land_header(header)
    key = _norm_name(quantity)
    role = _ROLE_OF.get(key)
    index: int | None = None
    if role is None:
        match = re.match(r"^(.*?)(\d+)$", key)
        if match and _ROLE_OF.get(match.group(1)) in ("temperature", "aux_voltage"):
            role = _ROLE_OF[match.group(1)]
            index = int(match.group(2))
    return Header(header, quantity, unit, role, index)


def _header_score(cells: Sequence[str]) -> set[str]:
    """Roles present in a candidate header row."""
    return {h.role for h in (_recognise(c) for c in cells if c) if h.role is not None}


def _is_header_row(cells: Sequence[str]) -> bool:
    roles = _header_score(cells)
    return {"voltage", "current"} <= roles and bool(roles & {"test_time", "record", "step_time"})


# --------------------------------------------------------------------------------------
# Guessing
# --------------------------------------------------------------------------------------

_LAND_TEXT_TOKENS = re.compile(
    r"(?i)\b(testtime|steptime|systime|specap|scapacity|senergy|speenergy)\b|记录序号|测试时间|"
    r"系统时间|步骤时间|工步状态"
)


def guess_can_open(path: Path) -> bool:
    """Return True for LAND text exports and LANDdt workbooks; never raises."""
    try:
        suffix = path.suffix.lower()
        if suffix in _TEXT_SUFFIXES:
            return _guess_text(path)
        if suffix in _EXCEL_SUFFIXES:
            return _guess_excel(path)
    except Exception:  # guessing must never fail
        return False
    return False


def _guess_text(path: Path) -> bool:
    for line, cells in head_rows(path):
        lowered = {c.lower() for c in cells}
        # The BDF project's LAND CSV layout.
        if "test_time_s" in lowered and (
            "step_name" in lowered or "date_time_iso_string" in lowered
        ):
            return True
        if _is_header_row(cells) and _LAND_TEXT_TOKENS.search(line):
            return True
    return False


def _is_land_sheet_name(sheet: str) -> str | None:
    lowered = sheet.strip().lower()
    if "record" in lowered or lowered.startswith("记录"):
        return "record"
    if lowered.startswith(("step", "工步")):
        return "step"
    if lowered.startswith(("cycle", "循环")):
        return "cycle"
    if "information" in lowered or lowered.startswith(("测试信息", "信息")):
        return "info"
    return None


def _guess_excel(path: Path) -> bool:
    reader = open_workbook(path)
    names = list(reader.sheet_names)
    kinds = [_is_land_sheet_name(n) for n in names]
    if any(n.lower().startswith("channel") for n in names):
        return False  # Arbin
    lowered = {n.strip().lower() for n in names}
    if {"记录表", "工步表"} <= lowered or {"record-tab", "step-tab"} <= lowered:
        return True  # LANDdt's own sheet names
    candidates = [n for n, k in zip(names, kinds, strict=True) if k == "record"]
    if not candidates and len(names) == 1:
        candidates = names
    for sheet in candidates[:1]:
        rows = sheet_head(reader, sheet, path)
        for cells in rows:
            if _is_header_row(cells) and _LAND_TEXT_TOKENS.search(" ".join(cells)):
                return True
            if _is_header_row(cells) and ({"step", "cycle"} & set(kinds)):
                return True
    return False


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


def read(
    path: Path,
    *,
    timezone: str | None = None,
    dayfirst: bool | None = None,
) -> Recording:
    """Read a LAND text export or LANDdt workbook.

    Parameters
    ----------
    path : pathlib.Path
        The ``.csv``/``.txt`` export or ``.xlsx``/``.xls`` workbook.
    timezone : str, optional
        IANA zone of the instrument's clock (``"Europe/Oslo"``) used to turn the printed
        date-times into ``unix_time_second``; by default they are read as UTC (noted).
    dayfirst : bool, optional
        Force day-first (``True``) or month-first (``False``) reading of ``xx/xx/YYYY``
        dates; by default the order is inferred from the data.

    Returns
    -------
    Recording
        Canonical columns in SI units (time in s, current in A, capacity in Ah, energy in
        Wh, temperature in °C).

    Raises
    ------
    ReaderError
        If the file is not a LAND export or its content is broken.
    """
    path = Path(path)
    with reading_errors(path):
        if path.suffix.lower() in _EXCEL_SUFFIXES:
            table, kind = _read_workbook(path), "LANDdt workbook"
        else:
            table = read_delimited(path, _is_header_row, what="LAND")
            table.vendor["preamble"] = _parse_preamble(table.preamble)
            kind = "LAND text export"
        return _finish(path, table, kind=kind, timezone=timezone, dayfirst=dayfirst)


def _parse_preamble(lines: Sequence[str]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for line in lines:
        text = line.strip().strip(",;\t").strip()
        if not text:
            continue
        key, sep, value = text.partition(":")
        if not sep:
            key, value = text, ""
        cleaned = ",".join(p.strip() for p in re.split(r"[,;\t]", value) if p.strip())
        meta[key.strip()] = cleaned
    return meta


def _read_workbook(path: Path) -> Table:
    reader = open_workbook(path)
    names = list(reader.sheet_names)
    kinds = {n: _is_land_sheet_name(n) for n in names}
    records = [n for n in names if kinds[n] == "record"] or names[:1]
    notes: list[str] = []
    vendor: dict[str, Any] = {"sheets": names}
    found: tuple[list[str], pl.DataFrame, int] | None = None
    first_sheet = records[0]
    for sheet in records[:1] + [n for n in names if n not in records]:
        found = sheet_table(reader, sheet, path, _is_header_row)
        if found is not None:
            first_sheet = sheet
            break
    if found is None:
        raise ReaderError(
            "no LAND record sheet found: no sheet has a header row with voltage, current "
            f"and time columns (sheets: {names})",
            path=path,
        )
    header, first_frame, header_row = found
    records = records[records.index(first_sheet) :] if first_sheet in records else [first_sheet]
    frames = [first_frame]
    for sheet in records[1:]:
        more = sheet_table(reader, sheet, path, _is_header_row, header=header)
        if more is not None and more[1].height:
            frames.append(more[1])
    frames = [f for f in frames if f.height]
    if not frames:
        raise ReaderError(f"the record sheet {first_sheet!r} holds no records", path=path)
    if len(frames) > 1:
        schema = frames[0].schema
        if any(f.schema != schema for f in frames[1:]):
            frames = [f.with_columns(_as_text(f)) for f in frames]
        notes.append(f"records concatenated from sheets {records} in workbook order")
    data = pl.concat(frames, how="vertical")
    others = [n for n in names if n not in records]
    if others:
        notes.append(
            f"sheets {others} (step/cycle summaries, test information) not read as records"
        )
    info_sheets = [n for n in names if kinds[n] == "info"]
    if info_sheets:
        vendor["test_information"] = _info_rows(reader, info_sheets[0], path)
    return Table(data, first_line=header_row + 2, notes=notes, vendor=vendor)


def _as_text(frame: pl.DataFrame) -> list[pl.Expr]:
    exprs = []
    for column, dtype in frame.schema.items():
        if dtype == pl.Duration:
            exprs.append((pl.col(column).dt.total_microseconds() / 1e6).cast(pl.String))
        else:
            exprs.append(pl.col(column).cast(pl.String))
    return exprs


def _info_rows(reader: Any, sheet: str, path: Path) -> list[list[str]]:
    rows = sheet_head(reader, sheet, path)[:100]
    return [[c for c in row if c] for row in rows if any(row)]


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
    text = kind == "LAND text export"
    where, first_line = ("line", table.first_line) if text else ("record", 1)
    if frame.height == 0:
        raise ReaderError("the export holds a header but no records", path=path)
    headers = [_recognise(c) for c in frame.columns]
    if not text:
        frame = _drop_label_rows(frame, headers, notes, path)

    # Convert every column that must be numeric in one parallel pass.
    numeric = [
        h.original
        for h in headers
        if h.role in _NUMERIC_ROLES or (h.unit is not None and "/" in h.unit)
    ]
    converted = to_float(
        frame.select(numeric), numeric, path=path, first_line=first_line, where=where
    )

    def numbers(h: Header) -> pl.Series:
        if h.original in converted.columns:
            return converted.get_column(h.original)
        return number_column(frame, h.original, path=path, first_line=first_line, where=where)

    clean = CleanFrame()
    temperature_keys: set[str] = set()
    counters: dict[str, str] = {}  # role → clean header
    used: set[str] = set()
    start: datetime | None = None
    test_time: pl.Series | None = None

    # Times first: the test time helps to read the dates. An explicit "TestTime" wins over
    # a bare "Time" column.
    explicit = {"testtime", "测试时间", "totaltime", "总时间"}
    for h in sorted(headers, key=lambda h: _norm_name(h.quantity) not in explicit):
        if h.role in ("test_time", "step_time") and h.role not in used:
            used.add(h.role)
            values = _seconds(frame, h, path=path, where=where, first_line=first_line, notes=notes)
            clean.add(f"{h.role}(s)", values, h.original)
            if h.role == "test_time":
                test_time = values
    for h in headers:
        role = h.role
        col = frame.get_column(h.original)
        if role in ("test_time", "step_time"):
            if clean.vendor_of(f"{role}(s)") == h.original:
                continue
            role = None
        if role == "sys_time" and "sys_time" not in used:
            used.add("sys_time")
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
        elif role == "state" and "state" not in used:
            used.add("state")
            clean.add("state", col.cast(pl.String).str.strip_chars(), h.original)
        elif h.unit is not None and "/" in h.unit:
            # Specific quantities (mAh/g, Wh/kg) are kept in the unit printed.
            clean.add_as_printed(_ascii_name(h), h.unit, numbers(h), h.original)
        elif role in ("record", "cycle", "step", "channel_index") and role not in used:
            used.add(role)
            values = numbers(h)
            if role == "channel_index":
                role = _channel_index_role(values, h.original, notes, vendor)
                if role is None:
                    continue
            clean.add(role, values, h.original)
        elif role in _COUNTER_ROLES:
            unit = _known_unit(h.unit) if h.unit else None
            spec = parse_unit(unit) if unit else None
            if spec is None or spec.dimension not in ("charge", "energy"):
                raise ReaderError(
                    f"column {h.original!r} has no capacity or energy unit ({h.unit!r})", path=path
                )
            label = f"{role}({unit})" if role not in counters else f"{snake(h.quantity)}({unit})"
            label = clean.add(label, numbers(h), h.original)
            counters.setdefault(role, label)
        elif role in ("temperature", "aux_voltage"):
            quantity = f"{role}_{h.index or 1}"
            unit = _known_unit(h.unit) if h.unit else None
            if role == "temperature":
                temperature_keys.add(quantity)
                unit = "°C" if unit in ("C", "°", "deg", "℃", "degC") else unit
            clean.add(f"{quantity}({unit})" if unit else quantity, numbers(h), h.original)
        elif role in ("current", "voltage", "power", "internal_resistance") and role not in used:
            used.add(role)
            unit = _known_unit(h.unit) if h.unit else None
            if unit is None:
                raise ReaderError(
                    f"column {h.original!r} has no recognisable unit ({h.unit!r})", path=path
                )
            clean.add(f"{role}({unit})", numbers(h), h.original)
        else:
            _add_extra(clean, frame, h, notes)

    missing = [r for r in ("test_time", "voltage", "current") if r not in used]
    if missing:
        raise ReaderError(f"the export has no {' or '.join(missing)} column", path=path)

    canon, renamed = clean.canonicalise(
        _DIRECT_RULES, path=path, temperature_keys=frozenset(temperature_keys)
    )
    data, column_map, units = canon.frame, canon.column_map, canon.units
    notes.extend(canon.notes)

    _note_idle_sensors(data, notes)
    data = add_step_count(data, units, notes, changes="the step number or cycle")
    note_time_reversals(data, notes)

    data, convention = _fix_current_sign(data, notes)
    vendor["current_sign_convention"] = convention
    counter_cols = {role: renamed.get(label, label) for role, label in counters.items()}
    sources: dict[str, str] = {}
    if convention.startswith("unknown"):
        for role in ("capacity", "energy"):
            if role in counter_cols and f"charge_{role}" not in counter_cols:
                notes.append(
                    f"the undirected {role} column is kept as printed: without a known current "
                    "direction it cannot be split into charge and discharge"
                )
                counter_cols.pop(role)
    data = _split_undirected(data, counter_cols, units, notes, column_map, sources)
    present = {
        kind: counter_cols[role]
        for kind, role in (
            ("charging_capacity", "charge_capacity"),
            ("discharging_capacity", "discharge_capacity"),
            ("charging_energy", "charge_energy"),
            ("discharging_energy", "discharge_energy"),
        )
        if role in counter_cols
    }
    data = assign_counters(
        data,
        present,
        prefer="step",
        vendor_label="LAND",
        units=units,
        column_map=column_map,
        notes=notes,
        path=path,
        sources=sources,
    )
    data = data.select(canonical_order(data.columns))
    units = {c: units.get(c, CANONICAL[c].unit if c in CANONICAL else "") for c in data.columns}
    return build_recording(
        Canonicalised(data, column_map, units, []),
        path=path,
        instrument="LAND",
        format=name,
        channel=vendor.pop("channel", None),
        start_time=start,
        notes=[*notes, f"read as a {kind}"],
        vendor=vendor,
    )


def _note_idle_sensors(data: pl.DataFrame, notes: list[str]) -> None:
    """Note sensor columns that read exactly zero throughout (probably nothing connected)."""
    sensors = [
        c
        for c in data.columns
        if c.startswith(("temperature_", "ambient_temperature", "applied_pressure"))
        and data.schema[c].is_numeric()
    ]
    if not sensors:
        return
    zero = data.select((pl.col(c).fill_null(0.0) == 0).all() for c in sensors).row(0)
    idle = [c for c, z in zip(sensors, zero, strict=True) if z]
    if idle:
        notes.append(
            f"{', '.join(idle)} read 0 throughout: probably no sensor was connected "
            "(values kept as printed)"
        )


_COUNTER_ROLES = (
    "charge_capacity",
    "discharge_capacity",
    "capacity",
    "energy",
    "charge_energy",
    "discharge_energy",
)

_NUMERIC_ROLES = frozenset(
    {
        "record",
        "cycle",
        "step",
        "channel_index",
        *_COUNTER_ROLES,
        "temperature",
        "aux_voltage",
        "current",
        "voltage",
        "power",
        "internal_resistance",
        "specific_capacity",
        "specific_energy",
        "pressure",
    }
)


def _drop_label_rows(
    frame: pl.DataFrame, headers: Sequence[Header], notes: list[str], path: Path
) -> pl.DataFrame:
    """Skip worksheet rows without numeric voltage and current (block headers, labels)."""
    measured = [h.original for h in headers if h.role in ("voltage", "current")]
    if not measured:
        return frame
    numeric = pl.all_horizontal(
        pl.col(c)
        .cast(pl.String)
        .str.strip_chars()
        .str.replace(",", ".", literal=True)
        .cast(pl.Float64, strict=False)
        .is_not_null()
        for c in measured
    )
    keep = frame.select(numeric).to_series()
    dropped = keep.len() - int(keep.sum())
    if not dropped:
        return frame
    if dropped * 2 > keep.len():
        raise ReaderError(
            f"{dropped} of {keep.len()} rows of the record sheet have no numeric voltage and "
            "current",
            path=path,
        )
    notes.append(
        f"{dropped} row(s) without numeric voltage and current (block headers, "
        "labels, empty rows) skipped"
    )
    return frame.filter(keep)


def _seconds(
    frame: pl.DataFrame, h: Header, *, path: Path, where: str, first_line: int, notes: list[str]
) -> pl.Series:
    """Return a LAND time column (seconds, h:min:s.ms text or Excel duration) in seconds."""
    durations = parse_durations(
        frame,
        h.original,
        path=path,
        first_line=first_line,
        where=where,
        text=(h.unit or "").lower() in _DURATION_UNITS,
    )
    if durations is not None:
        return durations
    col = frame.get_column(h.original)
    if col.dtype == pl.Datetime:
        # A duration cell formatted as a date reads as a date-time near Excel's day zero.
        first = col.drop_nulls().min()
        if not isinstance(first, datetime) or first.year > 1900:
            raise ReaderError(
                f"column {h.original!r} holds date-times, not elapsed times", path=path
            )
        notes.append(
            f"column {h.original!r} holds Excel date cells; read as time elapsed "
            "since Excel's day zero (1899-12-31)"
        )
        base = datetime(1899, 12, 31)
        return ((col.cast(pl.Datetime("us")) - base).dt.total_microseconds() / 1e6).alias(
            h.original
        )
    values = number_column(frame, h.original, path=path, first_line=first_line, where=where)
    if h.unit is None:
        notes.append(f"column {h.original!r} has no unit; read as seconds")
        return values
    known = _known_unit(h.unit)
    spec = parse_unit(known) if known else None
    if spec is None or spec.dimension != "time":
        raise ReaderError(
            f"column {h.original!r} should hold a time but its unit is {h.unit!r}", path=path
        )
    return values * spec.factor


def _ascii_name(h: Header) -> str:
    """Snake-case ASCII name of a vendor quantity (the role for Chinese headers we know)."""
    if h.role is not None:
        return h.role if h.index is None else f"{h.role}_{h.index}"
    return snake(h.quantity)  # "column" when nothing ASCII is left; column_map names it


def _add_extra(clean: CleanFrame, frame: pl.DataFrame, h: Header, notes: list[str]) -> None:
    """Keep a column we have no rule for: numeric when every cell parses, else as text."""
    col = frame.get_column(h.original)
    unit = _known_unit(h.unit) if h.unit else None
    if h.unit and unit is None:
        notes.append(
            f"unit {h.unit!r} of column {h.original!r} is not known; values kept as printed"
        )
    quantity = _ascii_name(h)
    label = (
        f"{quantity}({unit})" if unit else (f"{quantity}_{snake(h.unit)}" if h.unit else quantity)
    )
    values = numeric_or_text(col, decimal_comma=True)
    if values.dtype == pl.String:
        clean.add(quantity if unit else label, values, h.original)
    else:
        clean.add(label, values, h.original)


def _channel_index_role(
    values: pl.Series, header: str, notes: list[str], vendor: dict[str, Any]
) -> str | None:
    """Decide what a ``channel_index`` column holds: a row counter or a channel number."""
    clean = values.drop_nulls()
    if clean.len() and clean.n_unique() == 1:
        vendor["channel"] = str(int(clean[0])) if float(clean[0]).is_integer() else str(clean[0])
        notes.append(f"column {header!r} is constant; read as the channel number")
        return None
    diffs = clean.diff().drop_nulls()
    if clean.len() > 1 and bool((diffs == 1).all()):
        notes.append(
            f"column {header!r} counts the rows ({int(clean[0])}, {int(clean[0]) + 1}, ...) "
            "rather than naming a channel; read as record_index"
        )
        return "record"
    notes.append(
        f"column {header!r} kept as an extra column (neither a row counter nor a constant channel)"
    )
    return "channel_index"


def _direction_of_states(data: pl.DataFrame) -> pl.Expr:
    """``_state_direction`` of the ``step_type`` column, worked out once per distinct state."""
    states = data.get_column("step_type").unique().drop_nulls()
    table = pl.DataFrame({"s": states}).with_columns(_state_direction(pl.col("s")).alias("d"))
    return pl.col("step_type").replace_strict(
        table.get_column("s"), table.get_column("d"), default=None, return_dtype=pl.Int64
    )


def _state_direction(state: pl.Expr) -> pl.Expr:
    """+1 charge, -1 discharge, 0 rest, null unknown, from a LAND state or step name."""
    s = state.cast(pl.String).str.strip_chars().str.to_lowercase()
    discharge = s.str.contains(r"^d[_ ]|_d$|^(cc|cv|cp|cr)d$|discharg|dchg|dischg|放电")
    charge = s.str.contains(r"^c[_ ]|_c$|^(cc|cv|cp|cr)c$|charg|chg|充电")
    rest = s.str.contains(r"^(r|rest|ocv|pause|静置|搁置|开路|休眠)$|^rest|静置")
    return (
        pl.when(discharge)
        .then(-1)
        .when(charge)
        .then(1)
        .when(rest)
        .then(0)
        .otherwise(None)
        .cast(pl.Int64)
    )


def _fix_current_sign(data: pl.DataFrame, notes: list[str]) -> tuple[pl.DataFrame, str]:
    """Make current positive when charging; return the convention the file uses."""
    if "current_ampere" not in data.columns:
        return data, "no current column"
    has_state = "step_type" in data.columns
    direction = _direction_of_states(data) if has_state else pl.lit(None)
    stats = data.select(
        (pl.col("current_ampere") < 0).sum().alias("neg"),
        (pl.col("current_ampere") > 0).sum().alias("pos"),
        direction.is_not_null().sum().alias("known") if has_state else pl.lit(0).alias("known"),
        ((direction == -1) & (pl.col("current_ampere") > 0)).sum().alias("pos_dis")
        if has_state
        else pl.lit(0).alias("pos_dis"),
        ((direction == 1) & (pl.col("current_ampere") < 0)).sum().alias("neg_chg")
        if has_state
        else pl.lit(0).alias("neg_chg"),
        (direction.is_null() & pl.col("step_type").is_not_null()).sum().alias("unknown")
        if has_state
        else pl.lit(0).alias("unknown"),
    ).row(0, named=True)
    if has_state and stats["unknown"]:
        unknown = (
            data.filter(direction.is_null() & pl.col("step_type").is_not_null())
            .get_column("step_type")
            .unique(maintain_order=True)
            .head(5)
            .to_list()
        )
        notes.append(f"step states {unknown} not recognised as charge, discharge or rest")
    if stats["neg"]:
        convention = "signed: negative current is discharge"
        conflicts = stats["pos_dis"] + stats["neg_chg"]
        if conflicts:
            notes.append(
                f"{conflicts} row(s) whose current sign contradicts their step state; "
                "currents kept as printed"
            )
        notes.append("current sign: the file prints discharge current negative, as BDF does")
        return data, convention
    if stats["pos_dis"]:
        convention = "unsigned: current printed positive, direction from the step state"
        notes.append(
            f"current sign: the file prints all currents as positive; the {stats['pos_dis']} "
            "row(s) in discharge states were negated so that charging is positive (BDF)"
        )
        data = data.with_columns(
            pl.when(direction == -1)
            .then(-pl.col("current_ampere"))
            .otherwise(pl.col("current_ampere"))
            .alias("current_ampere")
        )
        if "power_watt" in data.columns:
            data = data.with_columns(
                pl.when(direction == -1)
                .then(-pl.col("power_watt").abs())
                .otherwise(pl.col("power_watt"))
                .alias("power_watt")
            )
        return data, convention
    if stats["pos"] and not stats["known"]:
        notes.append(
            "current sign could not be checked: no negative currents and no step-state column "
            "(LAND can print discharge current as positive); currents kept as printed"
        )
        return data, "unknown: no negative currents and no step states"
    return data, "signed (no discharge rows to tell)"


def _split_undirected(
    data: pl.DataFrame,
    counters: dict[str, str],
    units: dict[str, str],
    notes: list[str],
    column_map: Mapping[str, str],
    sources: dict[str, str],
) -> pl.DataFrame:
    """Split LAND's undirected capacity/energy into charge and discharge columns.

    ``counters`` maps roles to data columns and gains the ``charge_*``/``discharge_*``
    entries. Each executed step gets one direction: from its state code when the file has
    one, else from the sign of its summed current. The undirected column is kept.
    """
    for role, charge_role, discharge_role in (
        ("capacity", "charge_capacity", "discharge_capacity"),
        ("energy", "charge_energy", "discharge_energy"),
    ):
        column = counters.get(role)
        if column is None or charge_role in counters or discharge_role in counters:
            continue
        if "step_count" not in data.columns:
            notes.append(
                f"undirected {role} column {column} kept as printed (no step numbers "
                "to split it into charge and discharge)"
            )
            continue
        by_current = pl.col("current_ampere").sum().over("step_count").sign().cast(pl.Int64)
        if "step_type" in data.columns:
            by_state = _direction_of_states(data).drop_nulls().first()
            direction = pl.coalesce(by_state.over("step_count"), by_current)
        else:
            direction = by_current
        suffix = "ah" if role == "capacity" else "wh"
        charge_name = f"{charge_role}_{suffix}"
        discharge_name = f"{discharge_role}_{suffix}"
        if charge_name in data.columns or discharge_name in data.columns:
            continue
        data = data.with_columns(direction.alias("__direction"))
        direction_col = pl.col("__direction")
        data = data.with_columns(
            pl.when(direction_col > 0).then(pl.col(column)).otherwise(0.0).alias(charge_name),
            pl.when(direction_col < 0).then(pl.col(column)).otherwise(0.0).alias(discharge_name),
        )
        orphan = data.select(
            (((direction_col == 0) | direction_col.is_null()) & (pl.col(column).abs() > 0)).sum()
        ).item()
        data = data.drop("__direction")
        if orphan:
            notes.append(
                f"{orphan} row(s) with nonzero {role} in steps without a charge or "
                "discharge direction; counted in neither"
            )
        unit = units.get(column, "Ah" if role == "capacity" else "Wh")
        units[charge_name] = unit
        units[discharge_name] = unit
        counters[charge_role] = charge_name
        counters[discharge_role] = discharge_name
        vendor = next((v for v, m in column_map.items() if m == column), column)
        sources[charge_name] = f"charge part of {vendor}"
        sources[discharge_name] = f"discharge part of {vendor}"
        notes.append(
            f"the undirected {role} ({vendor}) was split into charge and discharge by the "
            "direction of each step (its state when known, else the sign of its current)"
        )
    return data
