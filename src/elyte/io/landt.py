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

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from elyte.errors import ElyteError, ReaderError
from elyte.io._frame import Canonicalised, Rule, build_recording, canonicalise, snake
from elyte.recording import Recording
from elyte.schema import CANONICAL, canonical_order
from elyte.units import duration_to_seconds, parse_unit

__all__ = ["description", "guess_can_open", "name", "read"]

name = "landt"
description = (
    "LAND/Landt battery tester exports: CSV/TXT text exports and LANDdt Excel workbooks "
    "(.xlsx, .xls; Chinese or English headers)"
)

_TEXT_SUFFIXES = frozenset({".csv", ".txt"})
_EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})
#: Bytes read to find the header row of a text export (the preamble is a few lines).
_HEAD_BYTES = 256 * 1024
#: Lines of a text export or rows of a sheet searched for the header row.
_HEADER_SEARCH_ROWS = 200
#: Largest plausible expansion of an xlsx member (zip bomb guard).
_MAX_ZIP_RATIO = 400
_MAX_ZIP_TOTAL = 8 * 1024**3

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


@dataclass(frozen=True)
class _Header:
    """One vendor header, understood."""

    original: str
    quantity: str
    unit: str | None
    role: str | None
    index: int | None = None


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


def _recognise(header: str) -> _Header:
    quantity, unit = _split_land_header(header)
    key = _norm_name(quantity)
    role = _ROLE_OF.get(key)
    index: int | None = None
    if role is None:
        match = re.match(r"^(.*?)(\d+)$", key)
        if match and _ROLE_OF.get(match.group(1)) in ("temperature", "aux_voltage"):
            role = _ROLE_OF[match.group(1)]
            index = int(match.group(2))
    return _Header(header, quantity, unit, role, index)


def _header_score(cells: Sequence[str]) -> set[str]:
    """Roles present in a candidate header row."""
    return {h.role for h in (_recognise(c) for c in cells if c) if h.role is not None}


def _is_header_row(cells: Sequence[str]) -> bool:
    roles = _header_score(cells)
    return {"voltage", "current"} <= roles and bool(roles & {"test_time", "record", "step_time"})


# --------------------------------------------------------------------------------------
# Small shared helpers (also used by elyte.io.arbin)
# --------------------------------------------------------------------------------------


def _decode_head(data: bytes) -> tuple[str, str]:
    """Decode the head of a text file; return the text and the codec that worked."""
    for codec in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as exc:
            # A multi-byte character cut by the head limit is not an error.
            if codec == "utf-8-sig" and exc.start >= len(data) - 4:
                return data[: exc.start].decode(codec), codec
            continue
    raise UnicodeError("neither UTF-8 nor GB18030 text")


def _read_head(path: Path, limit: int = _HEAD_BYTES) -> bytes:
    with path.open("rb") as handle:
        return handle.read(limit)


def _guess_separator(line: str) -> str:
    counts = {sep: line.count(sep) for sep in (",", "\t", ";")}
    return max(counts, key=lambda s: counts[s])


def _split_line(line: str, sep: str) -> list[str]:
    return [cell.strip().strip('"').strip() for cell in line.rstrip("\r\n").split(sep)]


@dataclass
class _Table:
    """A vendor table before canonicalisation."""

    frame: pl.DataFrame
    first_line: int  # 1-based line (text) or row (sheet) of the first data record
    preamble: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    vendor: dict[str, Any] = field(default_factory=dict)


def _read_delimited(path: Path, is_header: Callable[[list[str]], bool], *, what: str) -> _Table:
    """Read a delimited text export whose header row satisfies ``is_header(cells)``.

    Every column is read as text (the caller converts). The lines before the header row
    are returned as the preamble. UTF-8 (with or without BOM) and GB18030 are accepted.
    """
    data = path.read_bytes()
    if not data[:_HEAD_BYTES].strip() and not data.strip():
        raise ReaderError("the file is empty", path=path)
    if b"\x00" in data[:_HEAD_BYTES]:
        raise ReaderError(f"not a {what} text export (binary content)", path=path)
    try:
        head, codec = _decode_head(data[:_HEAD_BYTES])
    except UnicodeError as exc:
        raise ReaderError(f"not a {what} text export: {exc}", path=path) from exc
    lines = head.splitlines(keepends=True)
    header_at: int | None = None
    sep = ","
    for number, line in enumerate(lines[:_HEADER_SEARCH_ROWS]):
        sep = _guess_separator(line)
        if is_header(_split_line(line, sep)):
            header_at = number
            break
    if header_at is None:
        raise ReaderError(
            f"no {what} header row (with voltage, current and time columns) in the first "
            f"{_HEADER_SEARCH_ROWS} lines",
            path=path,
        )
    preamble = [ln.rstrip("\r\n") for ln in lines[:header_at]]
    notes: list[str] = []
    if codec == "utf-8-sig":
        bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        body = data[bom + sum(len(ln.encode("utf-8")) for ln in lines[:header_at]) :]
        frame = _parse_csv(body, sep)
    else:
        frame = None
    if frame is None:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ReaderError(f"text is neither UTF-8 nor GB18030 ({exc})", path=path) from exc
        if codec == "utf-8-sig":
            text_lines = text.splitlines(keepends=True)
            if len(text_lines) <= header_at:
                raise ReaderError("the file ends before its header row", path=path)
        else:
            text_lines = lines
        skip = sum(len(ln) for ln in text_lines[:header_at])
        frame = _parse_csv(text[skip:].encode("utf-8"), sep)
        notes.append("text decoded as GB18030")
        if frame is None:
            raise ReaderError(f"cannot parse the {what} table", path=path)
    # Trailing separators make empty, unnamed columns; drop them when they hold nothing.
    empty = [
        c
        for c in frame.columns
        if (not c.strip() or c.startswith("_duplicated_"))
        and frame.get_column(c).str.strip_chars().fill_null("").eq("").all()
    ]
    return _Table(frame.drop(empty), first_line=header_at + 2, preamble=preamble, notes=notes)


def _parse_csv(body: bytes, sep: str) -> pl.DataFrame | None:
    """Parse the table part of a text export as text columns; None if it is not UTF-8."""
    try:
        return pl.read_csv(
            io.BytesIO(body),
            separator=sep,
            has_header=True,
            infer_schema=False,
            truncate_ragged_lines=True,
            encoding="utf8",
            quote_char='"',
            raise_if_empty=False,
        )
    except pl.exceptions.ComputeError as exc:
        if "utf-8" in str(exc).lower() or "utf8" in str(exc).lower():
            return None
        raise


def _to_float(
    frame: pl.DataFrame, columns: Iterable[str], *, path: Path, first_line: int, where: str = "line"
) -> pl.DataFrame:
    """Cast columns to Float64 in one pass; a cell that is not a number is a ReaderError.

    Text cells are cast directly; only columns where that fails somewhere are read again
    with surrounding blanks stripped and a decimal comma accepted.
    """
    names = list(columns)
    if not names:
        return frame
    text = [c for c in names if not (frame.schema[c].is_numeric() or frame.schema[c] == pl.Null)]
    fast = frame.select(
        *(pl.col(c).cast(pl.Float64, strict=False) for c in names),
        *(
            (pl.col(c).is_not_null() & pl.col(c).cast(pl.Float64, strict=False).is_null())
            .any()
            .alias(f"__lost_{i}")
            for i, c in enumerate(text)
        ),
    )
    lost = [c for i, c in enumerate(text) if fast.get_column(f"__lost_{i}")[0]]
    result = fast.select(names)
    if not lost:
        return frame.with_columns(result)
    slow_exprs = []
    checks = []
    for column in lost:
        cell = pl.col(column).cast(pl.String).str.strip_chars()
        cell = pl.when(cell == "").then(None).otherwise(cell)
        value = cell.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
        slow_exprs.append(value.alias(column))
        checks.append((cell.is_not_null() & value.is_null()).arg_true().first().alias(column))
    bad = frame.select(checks).row(0, named=True)
    for column, row in bad.items():
        if row is not None:
            cell_text = frame.get_column(column)[int(row)]
            raise ReaderError(
                f"column {column!r} holds {str(cell_text)[:40]!r} at {where} "
                f"{first_line + int(row)}, which is not a number",
                path=path,
            )
    return frame.with_columns(result).with_columns(frame.select(slow_exprs))


_DATE_RE = (
    r"^\s*(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})"
    r"(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:[.,]\d+)?))?)?\s*$"
)


def _parse_datetimes(
    values: pl.Series,
    *,
    path: Path,
    column: str,
    timezone: str | None,
    dayfirst: bool | None,
    test_time: pl.Series | None,
) -> tuple[pl.Series, datetime | None, list[str]]:
    """Date-times (text or Excel cells) → seconds since 1970 UTC, the first one, and notes.

    Text dates are ``YYYY-MM-DD hh:mm:ss(.f)``, ``YYYY/MM/DD ...``, or ``MM/DD/YYYY ...`` /
    ``DD/MM/YYYY ...`` (also with ``.`` or ``-``). The order of an ``xx/xx/YYYY`` date is
    taken from ``dayfirst`` when given, else from a field above 12, else from agreement
    with ``test_time``; when nothing decides, month-first is assumed and noted.
    """
    notes: list[str] = []
    if values.dtype == pl.Datetime and getattr(values.dtype, "time_zone", None):
        utc = values.dt.convert_time_zone("UTC")
        first = utc.drop_nulls()
        start_utc = first[0].replace(tzinfo=None) if first.len() else None
        return (utc.dt.epoch("us").cast(pl.Float64) / 1e6).alias("unix_time"), start_utc, notes
    if values.dtype == pl.Datetime or values.dtype == pl.Date:
        local = values.cast(pl.Datetime("us"))
        seconds_part = pl.repeat(0.0, len(values), dtype=pl.Float64, eager=True)
    else:
        text = values.cast(pl.String).str.strip_chars()
        text = pl.Series(column, text).replace("", None)
        parts = text.str.extract_groups(_DATE_RE).struct.unnest()
        parts.columns = ["a", "b", "c", "hour", "minute", "second"]
        unmatched = text.is_not_null() & parts["a"].is_null()
        if unmatched.any():
            row = int(unmatched.arg_true()[0])
            raise ReaderError(
                f"column {column!r} holds {str(text[row])[:40]!r} (row {row + 1}), which is "
                "not a date-time this reader understands",
                path=path,
            )
        year_first = parts["a"].str.len_chars().max() == 4
        nums = parts.select(
            pl.col("a", "b", "c", "hour", "minute").cast(pl.Int64, strict=False),
            pl.col("second")
            .str.replace(",", ".", literal=True)
            .cast(pl.Float64, strict=False)
            .fill_null(0.0),
        ).with_columns(pl.col("hour", "minute").fill_null(0))
        if year_first:
            year, month, day = nums["a"], nums["b"], nums["c"]
            order = "year-month-day"
        else:
            year = nums["c"]
            if (year < 100).any():
                year = year + 2000
                notes.append(f"two-digit years in {column!r} read as 20xx")
            order = _date_order(
                nums["a"],
                nums["b"],
                year,
                nums,
                path=path,
                column=column,
                dayfirst=dayfirst,
                test_time=test_time,
                notes=notes,
            )
            month, day = (
                (nums["a"], nums["b"]) if order == "month/day/year" else (nums["b"], nums["a"])
            )
        bad = (
            (month < 1)
            | (month > 12)
            | (day < 1)
            | (day > 31)
            | (nums["hour"] > 23)
            | (nums["minute"] > 59)
            | (nums["second"] >= 61)
        )
        if bad.any():
            row = int(bad.arg_true()[0])
            raise ReaderError(
                f"column {column!r} holds the impossible date-time {str(text[row])[:40]!r} "
                f"(row {row + 1})",
                path=path,
            )
        frame = pl.DataFrame(
            {"y": year, "m": month, "d": day, "H": nums["hour"], "M": nums["minute"]}
        )
        try:
            local = frame.select(
                pl.datetime(
                    pl.col("y"), pl.col("m"), pl.col("d"), pl.col("H"), pl.col("M"), time_unit="us"
                )
            ).to_series()
        except pl.exceptions.ComputeError as exc:
            raise ReaderError(
                f"column {column!r} holds an impossible date ({exc})".split("\n")[0], path=path
            ) from exc
        seconds_part = nums["second"]
        if year_first:
            notes.append(f"dates in {column!r} read as {order}")
    first_index = local.is_not_null().arg_true()
    start: datetime | None = None
    if len(first_index):
        i = int(first_index[0])
        base = local[i]
        if isinstance(base, datetime):
            start = base + timedelta(seconds=float(seconds_part[i]))
    if timezone is not None:
        try:
            zoned = local.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
        except (pl.exceptions.PolarsError, ValueError) as exc:
            raise ReaderError(f"unknown time zone {timezone!r}: {exc}", path=path) from exc
        epoch = zoned.dt.epoch("us").cast(pl.Float64) / 1e6
        notes.append(f"unix_time_second: date-times in {column!r} read as local time in {timezone}")
        gaps = int(zoned.null_count() - local.null_count())
        if gaps:
            notes.append(
                f"{gaps} date-time(s) fall in a daylight-saving gap of {timezone}; "
                "their unix_time_second is empty"
            )
    else:
        epoch = local.dt.epoch("us").cast(pl.Float64) / 1e6
        notes.append(
            f"unix_time_second: the date-times in {column!r} carry no time zone and were read "
            "as UTC; pass timezone='Area/City' (the instrument's zone) to correct this"
        )
    return (epoch + seconds_part).alias("unix_time"), start, notes


def _date_order(
    first: pl.Series,
    second: pl.Series,
    year: pl.Series,
    nums: pl.DataFrame,
    *,
    path: Path,
    column: str,
    dayfirst: bool | None,
    test_time: pl.Series | None,
    notes: list[str],
) -> str:
    if dayfirst is not None:
        notes.append(f"date order of {column!r} set by dayfirst={dayfirst}")
        return "day/month/year" if dayfirst else "month/day/year"
    if bool((first == second).all()):
        notes.append(f"dates in {column!r} have equal day and month; their order does not matter")
        return "month/day/year"
    first_max = first.max()
    second_max = second.max()
    if isinstance(first_max, int) and first_max > 12:
        if isinstance(second_max, int) and second_max > 12:
            raise ReaderError(
                f"dates in {column!r} have both leading fields above 12; not a date", path=path
            )
        notes.append(f"date order of {column!r} is day-first (a first field exceeds 12)")
        return "day/month/year"
    if isinstance(second_max, int) and second_max > 12:
        notes.append(f"date order of {column!r} is month-first (a second field exceeds 12)")
        return "month/day/year"
    if test_time is not None and test_time.len() == first.len():
        agree = []
        for order, (m, d) in (
            ("month/day/year", (first, second)),
            ("day/month/year", (second, first)),
        ):
            frame = pl.DataFrame(
                {
                    "y": year,
                    "m": m,
                    "d": d,
                    "H": nums["hour"],
                    "M": nums["minute"],
                    "S": nums["second"],
                    "t": test_time,
                }
            )
            gap = (
                frame.select(
                    (
                        pl.datetime("y", "m", "d", "H", "M", time_unit="us")
                        .dt.epoch("us")
                        .cast(pl.Float64)
                        / 1e6
                        + pl.col("S")
                        - pl.col("t")
                    ).alias("g")
                )
                .to_series()
                .drop_nulls()
            )
            spread = gap.max() - gap.min() if gap.len() else None  # type: ignore[operator]
            if isinstance(spread, float) and spread < 3600.0:
                agree.append(order)
        if len(agree) == 1:
            notes.append(
                f"date order of {column!r} is {agree[0]}: only that order agrees with the test time"
            )
            return agree[0]
    notes.append(
        f"date order of {column!r} is ambiguous (no field above 12 and the test time does not "
        "decide); month/day/year assumed (pass dayfirst=True if the dates are day-first)"
    )
    return "month/day/year"


def _step_count(frame: pl.DataFrame) -> pl.Expr | None:
    """Executed-step counter: +1 whenever the step number or cycle changes or step time restarts."""
    changes = [
        pl.col(column).ne_missing(pl.col(column).shift(1))
        for column in ("step_id", "cycle_count")
        if column in frame.columns
    ]
    if "step_time_second" in frame.columns:
        changes.append(
            (pl.col("step_time_second") < pl.col("step_time_second").shift(1)).fill_null(False)
        )
    if not changes:
        return None
    changed = changes[0]
    for extra in changes[1:]:
        changed = changed | extra
    return changed.fill_null(True).cast(pl.Int64).cum_sum().alias("step_count")


@dataclass(frozen=True)
class _CounterFacts:
    """What the data say about where a vendor capacity/energy counter restarts."""

    per_step: bool
    per_cycle: bool
    per_test: bool
    resets: int
    noise_drops: int
    step_changes: int
    cycle_changes: int


def _counter_facts(frame: pl.DataFrame, column: str) -> _CounterFacts:
    """Find where ``column`` restarts and which reset interpretations the data allow.

    A drop larger than 1e-6 of the column's largest value is a restart; smaller drops are
    rounding noise. ``per_step`` holds when every restart is at a step boundary and every
    step boundary after a nonzero value restarts; ``per_cycle`` likewise for cycle
    boundaries; ``per_test`` when there is no restart at all.
    """
    value = pl.col(column).forward_fill().fill_null(0.0)
    previous = value.shift(1)
    scale = frame.select(pl.col(column).abs().max()).item() or 0.0
    tol = 1e-6 * float(scale) + 1e-15
    drop = (value < previous - tol).fill_null(False)
    noise = ((value < previous) & ~drop).fill_null(False)
    has_steps = "step_count" in frame.columns
    has_cycles = "cycle_count" in frame.columns
    step_start = (
        pl.col("step_count").ne_missing(pl.col("step_count").shift(1)).fill_null(False)
        if has_steps
        else pl.lit(False)
    )
    step_start = step_start & (pl.int_range(pl.len()) > 0)
    cycle_start = (
        pl.col("cycle_count").ne_missing(pl.col("cycle_count").shift(1)).fill_null(False)
        if has_cycles
        else pl.lit(False)
    )
    cycle_start = cycle_start & (pl.int_range(pl.len()) > 0)
    live = (previous > tol).fill_null(False)
    stats = frame.select(
        drop.sum().alias("resets"),
        noise.sum().alias("noise"),
        (drop & ~step_start).sum().alias("off_step"),
        (step_start & live & ~drop).sum().alias("carry_step"),
        (drop & ~cycle_start).sum().alias("off_cycle"),
        (cycle_start & live & ~drop).sum().alias("carry_cycle"),
        step_start.sum().alias("steps"),
        cycle_start.sum().alias("cycles"),
    ).row(0, named=True)
    return _CounterFacts(
        per_step=has_steps and stats["off_step"] == 0 and stats["carry_step"] == 0,
        per_cycle=has_cycles and stats["off_cycle"] == 0 and stats["carry_cycle"] == 0,
        per_test=stats["resets"] == 0,
        resets=int(stats["resets"]),
        noise_drops=int(stats["noise"]),
        step_changes=int(stats["steps"]) if has_steps else 0,
        cycle_changes=int(stats["cycles"]) if has_cycles else 0,
    )


def _evidence(facts: _CounterFacts) -> str:
    """Plain-words summary of what a counter does in the file."""
    changes = f"{facts.step_changes} step change(s), {facts.cycle_changes} cycle change(s)"
    if facts.resets == 0:
        return f"it never restarts; the file has {changes}"
    return f"{facts.resets} restart(s); the file has {changes}"


def _cumulative(column: str) -> pl.Expr:
    """Cumulative form of a counter that restarts from zero, ignoring rounding-size drops.

    Like :func:`elyte.io._frame.accumulate_resets`, but a drop smaller than 1e-6 of the
    column's largest value is treated as rounding noise rather than a restart.
    """
    value = pl.col(column).forward_fill().fill_null(0.0)
    previous = value.shift(1)
    tol = 1e-6 * pl.col(column).abs().max().fill_null(0.0) + 1e-15
    carried = pl.when(value < previous - tol).then(previous).otherwise(0.0).fill_null(0.0)
    return value + carried.cum_sum()


#: Vendor counter (extra column name) kind → (step column, cycle column, test column).
_COUNTER_TARGETS = {
    "charging_capacity": (
        "step_charging_capacity_ah",
        "cycle_charging_capacity_ah",
        "charging_capacity_ah",
    ),
    "discharging_capacity": (
        "step_discharging_capacity_ah",
        "cycle_discharging_capacity_ah",
        "discharging_capacity_ah",
    ),
    "charging_energy": (
        "step_charging_energy_wh",
        "cycle_charging_energy_wh",
        "charging_energy_wh",
    ),
    "discharging_energy": (
        "step_discharging_energy_wh",
        "cycle_discharging_energy_wh",
        "discharging_energy_wh",
    ),
}


def _assign_counters(
    frame: pl.DataFrame,
    counters: Mapping[str, str],
    *,
    prefer: str,
    vendor_label: str,
    units: dict[str, str],
    column_map: dict[str, str],
    notes: list[str],
    path: Path,
    sources: Mapping[str, str] | None = None,
    allowed: Sequence[str] = ("step", "cycle", "test", "other"),
) -> pl.DataFrame:
    """Give vendor counters their canonical names according to where they restart.

    ``counters`` maps a kind of :data:`_COUNTER_TARGETS` to the column holding the vendor's
    counter. ``prefer`` (``"step"`` or ``"cycle"``) is the vendor's documented behaviour,
    used when the data allow it; ``allowed`` lists the readings a vendor's counters can
    have at all. The BDF cumulative column is derived here unless the counter is per-step
    without rounding noise (``build_recording`` accumulates those). A counter that
    restarts elsewhere gets a ``schedule_*`` name.
    """
    rename: dict[str, str] = {}
    derived: list[pl.Expr] = []
    for kind, column in counters.items():
        step_col, cycle_col, total_col = _COUNTER_TARGETS[kind]
        unit = "Ah" if "capacity" in kind else "Wh"
        facts = _counter_facts(frame, column)
        label = kind.replace("_", " ")
        source = (sources or {}).get(column) or next(
            (vendor for vendor, mapped in column_map.items() if mapped == column), column
        )
        possible = {
            "step": facts.per_step,
            "cycle": facts.per_cycle,
            "test": facts.per_test,
            "other": True,
        }
        chosen = next(
            reading
            for reading in (prefer, "test", "step", "cycle", "other")
            if reading in allowed and possible[reading]
        )
        if chosen == prefer:
            notes.append(
                f"{vendor_label} {label} ({source}) read as {_MEANING[chosen]}, as documented "
                f"and consistent with the data ({_evidence(facts)})"
            )
        else:
            notes.append(
                f"{vendor_label} {label} ({source}) does not restart {_EACH[prefer]} as "
                f"documented ({_evidence(facts)}); read as {_MEANING[chosen]}"
            )
        if facts.noise_drops:
            notes.append(
                f"{vendor_label} {label}: {facts.noise_drops} drop(s) smaller than 1e-6 of its "
                "largest value treated as rounding, not as restarts"
            )
        if chosen == "step":
            target = step_col
        elif chosen == "cycle":
            target = cycle_col
        elif chosen == "test":
            target = total_col
        else:
            target = "schedule_" + total_col
        if target != total_col and (chosen != "step" or facts.noise_drops):
            derived.append(_cumulative(target).alias(total_col))
            units[total_col] = unit
            notes.append(
                f"{total_col} accumulated over the test from {target}"
                + (", assuming each restart begins from zero" if chosen == "other" else "")
            )
        if target in frame.columns and target != column:
            raise ReaderError(f"two vendor columns would both become {target}", path=path)
        rename[column] = target
        units.pop(column, None)
        units[target] = unit
        for vendor, mapped in list(column_map.items()):
            if mapped == column:
                column_map[vendor] = target
    frame = frame.rename(rename)
    return frame.with_columns(derived) if derived else frame


_EACH = {
    "step": "at each step",
    "cycle": "at each cycle",
    "test": "never",
    "other": "at schedule-defined points",
}
_MEANING = {
    "step": "a per-step counter",
    "cycle": "a per-cycle counter",
    "test": "cumulative over the test",
    "other": "a counter restarting at points other than step or cycle changes (named schedule_*)",
}


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


def _wrap(path: Path, exc: Exception) -> ReaderError:
    return ReaderError(f"unreadable file ({type(exc).__name__}: {exc})", path=path)


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
    head = _read_head(path, 64 * 1024)
    if b"\x00" in head:
        return False
    text, _ = _decode_head(head)
    for line in text.splitlines()[:_HEADER_SEARCH_ROWS]:
        sep = _guess_separator(line)
        cells = _split_line(line, sep)
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
    reader = _open_workbook(path)
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
        rows = _sheet_head(reader, sheet, path)
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
    try:
        if path.suffix.lower() in _EXCEL_SUFFIXES:
            table, kind = _read_workbook(path), "LANDdt workbook"
        else:
            table = _read_delimited(path, _is_header_row, what="LAND")
            table.vendor["preamble"] = _parse_preamble(table.preamble)
            kind = "LAND text export"
        return _finish(path, table, kind=kind, timezone=timezone, dayfirst=dayfirst)
    except ElyteError:
        raise
    except (
        pl.exceptions.PolarsError,
        ArithmeticError,
        LookupError,
        ValueError,
        TypeError,
        UnicodeError,
        OSError,
        zipfile.BadZipFile,
    ) as exc:
        raise _wrap(path, exc) from exc


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


def _open_workbook(path: Path) -> Any:
    import fastexcel

    if path.suffix.lower() in (".xlsx", ".xlsm"):
        _check_zip(path)
    try:
        return fastexcel.read_excel(str(path))
    except Exception as exc:  # calamine raises its own types for every kind of damage
        raise ReaderError(
            f"not a readable Excel workbook ({type(exc).__name__}: {exc})", path=path
        ) from exc


def _check_zip(path: Path) -> None:
    """Refuse damaged or implausibly expanding xlsx containers before calamine reads them."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = 0
            for member in members:
                total += member.file_size
                if member.compress_size and member.file_size > _MAX_ZIP_RATIO * max(
                    member.compress_size, 1024
                ):
                    raise ReaderError(
                        f"workbook member {member.filename!r} claims an implausible size "
                        f"({member.file_size} bytes from {member.compress_size})",
                        path=path,
                    )
            if total > _MAX_ZIP_TOTAL:
                raise ReaderError("workbook expands to more than 8 GiB", path=path)
            if not any(m.filename.lower().startswith("xl/workbook") for m in members):
                raise ReaderError("not an Excel workbook (no xl/workbook part)", path=path)
    except zipfile.BadZipFile as exc:
        raise ReaderError(f"not a readable Excel workbook ({exc})", path=path) from exc


def _sheet_head(reader: Any, sheet: str, path: Path) -> list[list[str]]:
    """First rows of a sheet as text cells (for finding the header row)."""
    try:
        head = reader.load_sheet(
            sheet, header_row=None, n_rows=_HEADER_SEARCH_ROWS, dtypes="string"
        ).to_polars()
    except Exception as exc:
        raise ReaderError(
            f"cannot read sheet {sheet!r} ({type(exc).__name__}: {exc})", path=path
        ) from exc
    return [["" if v is None else str(v).strip() for v in row] for row in head.iter_rows()]


def _load_sheet(reader: Any, sheet: str, path: Path, **kwargs: Any) -> pl.DataFrame:
    try:
        frame = reader.load_sheet(sheet, **kwargs).to_polars()
    except Exception as exc:
        raise ReaderError(
            f"cannot read sheet {sheet!r} ({type(exc).__name__}: {exc})", path=path
        ) from exc
    if not isinstance(frame, pl.DataFrame):
        raise ReaderError(f"sheet {sheet!r} did not load as a table", path=path)
    return frame


def _read_workbook(path: Path) -> _Table:
    reader = _open_workbook(path)
    names = list(reader.sheet_names)
    kinds = {n: _is_land_sheet_name(n) for n in names}
    records = [n for n in names if kinds[n] == "record"] or names[:1]
    notes: list[str] = []
    vendor: dict[str, Any] = {"sheets": names}
    found: tuple[list[str], pl.DataFrame, int] | None = None
    first_sheet = records[0]
    for sheet in records[:1] + [n for n in names if n not in records]:
        found = _sheet_table(reader, sheet, path, _is_header_row)
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
        more = _sheet_table(reader, sheet, path, _is_header_row, header=header)
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
    return _Table(data, first_line=header_row + 2, notes=notes, vendor=vendor)


def _sheet_table(
    reader: Any,
    sheet: str,
    path: Path,
    is_header: Callable[[list[str]], bool],
    *,
    header: list[str] | None = None,
) -> tuple[list[str], pl.DataFrame, int] | None:
    """Load a sheet's table: its header cells, its records (typed by calamine), header row.

    The usual layout (header in the first row) costs one parse of the sheet. With
    ``header`` given, the sheet continues an earlier one and may or may not repeat the
    header row. Otherwise the first rows are searched for a row satisfying ``is_header``
    (title rows above the header); None when there is none.
    """
    frame = _load_sheet(reader, sheet, path, header_row=0)
    cells = ["" if c.startswith("__UNNAMED__") else c for c in frame.columns]
    width = len(cells)
    while width and not cells[width - 1]:
        width -= 1
    if header is not None:
        if cells[:width] == header:
            return header, _named(frame.select(frame.columns[:width]), header, sheet, path), 0
        if frame.width == 0:
            return header, pl.DataFrame(), 0
        if is_header(cells):
            raise ReaderError(
                f"sheet {sheet!r} continues the records with other columns", path=path
            )
        rest = _load_sheet(
            reader, sheet, path, header_row=None, use_columns=list(range(len(header)))
        )
        return header, _named(rest, header, sheet, path), -1
    if is_header(cells):
        return (
            cells[:width],
            _named(frame.select(frame.columns[:width]), cells[:width], sheet, path),
            0,
        )
    for number, row in enumerate(_sheet_head(reader, sheet, path)):
        if is_header(row):
            width = len(row)
            while width and not row[width - 1]:
                width -= 1
            data = _load_sheet(
                reader,
                sheet,
                path,
                header_row=None,
                skip_rows=number + 1,
                use_columns=list(range(width)),
            )
            return row[:width], _named(data, row[:width], sheet, path), number
    return None


def _named(frame: pl.DataFrame, header: list[str], sheet: str, path: Path) -> pl.DataFrame:
    """Give a loaded sheet the header's (unique) column names."""
    if frame.width == 0 or frame.height == 0:
        return pl.DataFrame()
    if frame.width != len(header):
        raise ReaderError(
            f"sheet {sheet!r} has {frame.width} columns, its header {len(header)}", path=path
        )
    frame.columns = _unique(header)
    return frame


def _unique(header: Sequence[str]) -> list[str]:
    """Make header labels unique (``Current``, ``Current_1``) and name empty ones."""
    seen: dict[str, int] = {}
    out = []
    for cell in header:
        label = cell or "column"
        if label in seen:
            seen[label] += 1
            label = f"{label}_{seen[label]}"
        else:
            seen[label] = 0
        out.append(label)
    return out


def _as_text(frame: pl.DataFrame) -> list[pl.Expr]:
    exprs = []
    for column, dtype in frame.schema.items():
        if dtype == pl.Duration:
            exprs.append((pl.col(column).dt.total_microseconds() / 1e6).cast(pl.String))
        else:
            exprs.append(pl.col(column).cast(pl.String))
    return exprs


def _info_rows(reader: Any, sheet: str, path: Path) -> list[list[str]]:
    rows = _sheet_head(reader, sheet, path)[:100]
    return [[c for c in row if c] for row in rows if any(row)]


# --------------------------------------------------------------------------------------
# From vendor table to recording
# --------------------------------------------------------------------------------------


def _finish(
    path: Path,
    table: _Table,
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
    converted = _to_float(
        frame.select(numeric), numeric, path=path, first_line=first_line, where=where
    )

    def numbers(h: _Header) -> pl.Series:
        if h.original in converted.columns:
            return converted.get_column(h.original)
        return _to_float(
            frame.select(h.original), [h.original], path=path, first_line=first_line, where=where
        ).to_series()

    clean = _CleanFrame()
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
            unix, start, date_notes = _parse_datetimes(
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
            # Specific quantities (mAh/g, Wh/kg): canonicalise cannot split such units.
            clean.manual(
                f"{_ascii_name(h)}_{snake(h.unit.replace('/', ' per '))}",
                numbers(h),
                h.unit,
                h.original,
            )
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

    canon = canonicalise(
        clean.frame(), _DIRECT_RULES, path=path, temperature_keys=frozenset(temperature_keys)
    )
    data = canon.frame
    units = dict(canon.units)
    notes.extend(canon.notes)
    column_map = {clean.vendor_of(k) or k: v for k, v in canon.column_map.items()}
    for label in data.columns:
        vendor_name = clean.vendor_of(label)
        if vendor_name is not None and vendor_name != label:
            column_map.setdefault(vendor_name, label)
    for extra_name, values, unit, vendor_name in clean.manual_columns:
        target = extra_name
        n = 2
        while target in data.columns:
            target = f"{extra_name}_{n}"
            n += 1
        data = data.with_columns(values.alias(target))
        units[target] = unit
        column_map[vendor_name] = target

    _note_idle_sensors(data, notes)
    step_count = _step_count(data)
    if step_count is not None:
        data = data.with_columns(step_count)
        units["step_count"] = "1"
        notes.append(
            "step_count derived: +1 whenever the step number or cycle changes or the "
            "step time restarts"
        )
    backwards = data.select((pl.col("test_time_second").diff() < 0).sum()).item()
    if backwards:
        notes.append(f"test time goes backwards {backwards} time(s)")

    data, convention = _fix_current_sign(data, notes)
    vendor["current_sign_convention"] = convention
    counter_cols = {role: canon.column_map.get(label, label) for role, label in counters.items()}
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
    data = _assign_counters(
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


_NUMERIC_ROLES = frozenset(
    {
        "record",
        "cycle",
        "step",
        "channel_index",
        "charge_capacity",
        "discharge_capacity",
        "capacity",
        "energy",
        "charge_energy",
        "discharge_energy",
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

_COUNTER_ROLES = (
    "charge_capacity",
    "discharge_capacity",
    "capacity",
    "energy",
    "charge_energy",
    "discharge_energy",
)


class _CleanFrame:
    """Columns renamed to headers canonicalise understands, remembering the vendor names."""

    def __init__(self) -> None:
        self.columns: dict[str, pl.Series] = {}
        self.vendor: dict[str, str] = {}
        self.manual_columns: list[tuple[str, pl.Series, str, str]] = []

    def add(self, label: str, values: pl.Series, vendor_name: str) -> str:
        unique = label
        n = 2
        while unique in self.columns:
            base, paren, rest = label.partition("(")
            unique = f"{base}_{n}{paren}{rest}"
            n += 1
        self.columns[unique] = values.alias(unique)
        self.vendor[unique] = vendor_name
        return unique

    def manual(self, label: str, values: pl.Series, unit: str, vendor_name: str) -> None:
        self.manual_columns.append((label, values, unit, vendor_name))

    def vendor_of(self, label: str) -> str | None:
        return self.vendor.get(label)

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(list(self.columns.values()))


def _drop_label_rows(
    frame: pl.DataFrame, headers: Sequence[_Header], notes: list[str], path: Path
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
    frame: pl.DataFrame, h: _Header, *, path: Path, where: str, first_line: int, notes: list[str]
) -> pl.Series:
    """Return a LAND time column (seconds, h:min:s.ms text or Excel duration) in seconds."""
    col = frame.get_column(h.original)
    if col.dtype == pl.Duration:
        return (col.dt.total_microseconds() / 1e6).alias(h.original)
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
    unit = (h.unit or "").lower()
    if col.dtype == pl.String and (unit in _DURATION_UNITS or bool(col.str.contains(":").any())):
        parsed = frame.select(duration_to_seconds(pl.col(h.original))).to_series()
        bad = col.str.strip_chars().fill_null("").ne("") & parsed.is_null()
        if bad.any():
            row = int(bad.arg_true()[0])
            raise ReaderError(
                f"column {h.original!r} holds {str(col[row])[:40]!r} at {where} "
                f"{first_line + row}, which is not a duration",
                path=path,
            )
        return parsed.alias(h.original)
    values = _to_float(
        frame.select(h.original), [h.original], path=path, first_line=first_line, where=where
    ).to_series()
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


def _ascii_name(h: _Header) -> str:
    """Snake-case ASCII name of a vendor quantity (the role for Chinese headers we know)."""
    if h.role is not None:
        return h.role if h.index is None else f"{h.role}_{h.index}"
    return snake(h.quantity)  # "column" when nothing ASCII is left; column_map names it


def _add_extra(clean: _CleanFrame, frame: pl.DataFrame, h: _Header, notes: list[str]) -> None:
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
    if col.dtype.is_numeric() or col.dtype == pl.Boolean:
        clean.add(label, col.cast(pl.Float64), h.original)
        return
    text = col.cast(pl.String).str.strip_chars()
    as_number = text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    if as_number.null_count() == text.replace("", None).null_count():
        clean.add(label, as_number, h.original)
    else:
        clean.add(quantity if unit else label, text, h.original)


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
