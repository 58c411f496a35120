"""Vendor-neutral machinery for readers of tabular exports (delimited text and workbooks).

Several battery testers (LAND, Arbin, ...) export the same kind of thing: a table of records
under one header row, as delimited text or as an Excel workbook, with numbers printed as
text, date-times without a time zone, a step number and capacity/energy counters that
restart now and then. This module holds what such readers share and nothing vendor
specific; each reader supplies its own header vocabulary through an ``is_header(cells)``
predicate and its own labels for the notes.

* Loading: :func:`head_rows` (for guessing), :func:`read_delimited` (CSV/TSV text, UTF-8
  or GB18030) and :func:`open_workbook`, :func:`sheet_head`, :func:`sheet_table`
  (workbooks via fastexcel, with a zip-bomb guard).
* Parsing: :func:`to_float` (numbers, decimal comma), :func:`parse_durations`
  (``h:min:s.ms`` text), :func:`parse_datetimes` (date-times with day/month order inferred
  from the data).
* Counters: :func:`step_count_expr` and :func:`add_step_count` (the executed-step counter),
  :func:`assign_counters` (per-step, per-cycle or cumulative capacity/energy counters).
* Assembling: :class:`Header` (a header as a reader understands it), :class:`CleanFrame`
  (columns relabelled for :func:`~elyte.io._frame.canonicalise`) and
  :func:`reading_errors` (unexpected exceptions become :class:`~elyte.errors.ReaderError`).
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from elyte.errors import ElyteError, ReaderError
from elyte.io._frame import Canonicalised, Rule, accumulate_resets, canonicalise, snake
from elyte.units import duration_to_seconds

__all__ = [
    "HEADER_SEARCH_ROWS",
    "HEAD_BYTES",
    "CleanFrame",
    "Header",
    "Table",
    "add_step_count",
    "assign_counters",
    "decode_head",
    "guess_separator",
    "head_rows",
    "load_sheet",
    "note_time_reversals",
    "number_column",
    "numeric_or_text",
    "open_workbook",
    "parse_datetimes",
    "parse_durations",
    "read_delimited",
    "read_head",
    "reading_errors",
    "sheet_head",
    "sheet_table",
    "split_line",
    "step_count_expr",
    "to_float",
    "wrap_error",
]

#: Bytes read to find the header row of a text export (the preamble is a few lines).
HEAD_BYTES = 256 * 1024
#: Lines of a text export or rows of a sheet searched for the header row.
HEADER_SEARCH_ROWS = 200
#: Largest plausible expansion of an xlsx member (zip bomb guard).
_MAX_ZIP_RATIO = 400
_MAX_ZIP_TOTAL = 8 * 1024**3


def decode_head(data: bytes) -> tuple[str, str]:
    """Decode the first bytes of a text export.

    Parameters
    ----------
    data : bytes
        The head of the file (it may end inside a multi-byte character).

    Returns
    -------
    text : str
        The decoded text (a character cut at the end of ``data`` is dropped).
    codec : str
        ``"utf-8-sig"`` or ``"gb18030"``, whichever decoded the bytes.

    Raises
    ------
    UnicodeError
        If the bytes are neither UTF-8 nor GB18030.
    """
    for codec in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as exc:
            # A multi-byte character cut by the head limit is not an error.
            if codec == "utf-8-sig" and exc.start >= len(data) - 4:
                return data[: exc.start].decode(codec), codec
            continue
    raise UnicodeError("neither UTF-8 nor GB18030 text")


def read_head(path: Path, limit: int = HEAD_BYTES) -> bytes:
    """Return at most ``limit`` bytes from the start of ``path``.

    Parameters
    ----------
    path : pathlib.Path
        File to read.
    limit : int, optional
        Largest number of bytes returned.

    Returns
    -------
    bytes
        The head of the file (all of it when shorter than ``limit``).
    """
    with path.open("rb") as handle:
        return handle.read(limit)


def guess_separator(line: str) -> str:
    """Return the most frequent of ``,``, tab and ``;`` in a line (``,`` on a tie).

    Parameters
    ----------
    line : str
        One line of a delimited text export, usually the header row.

    Returns
    -------
    str
        The separator to split the line with.
    """
    counts = {sep: line.count(sep) for sep in (",", "\t", ";")}
    return max(counts, key=lambda s: counts[s])


def split_line(line: str, sep: str) -> list[str]:
    """Split a line into cells with blanks and surrounding double quotes removed.

    Parameters
    ----------
    line : str
        One line of a delimited text export (a trailing line break is ignored).
    sep : str
        The separator (see :func:`guess_separator`).

    Returns
    -------
    list of str
        The cells, in order.
    """
    return [cell.strip().strip('"').strip() for cell in line.rstrip("\r\n").split(sep)]


def head_rows(
    path: Path, *, limit: int = 64 * 1024, rows: int = HEADER_SEARCH_ROWS
) -> list[tuple[str, list[str]]]:
    """Return the first lines of a text file with their cells, for guessing its format.

    Parameters
    ----------
    path : pathlib.Path
        File to look at.
    limit : int, optional
        Bytes read from the start of the file.
    rows : int, optional
        Largest number of lines returned.

    Returns
    -------
    list of tuple of (str, list of str)
        Each line and its cells (split with the line's own guessed separator); empty
        when the head holds a NUL byte (a binary file).

    Raises
    ------
    UnicodeError
        If the head is neither UTF-8 nor GB18030.
    OSError
        If the file cannot be read.
    """
    head = read_head(path, limit)
    if b"\x00" in head:
        return []
    text, _ = decode_head(head)
    return [(line, split_line(line, guess_separator(line))) for line in text.splitlines()[:rows]]


@dataclass(frozen=True)
class Header:
    """One vendor column header, understood by a reader.

    Attributes
    ----------
    original : str
        The header as printed (the column's name in the vendor table).
    quantity : str
        The header without its unit (``"Current"`` from ``"Current(mA)"``).
    unit : str or None
        The unit as printed, or None when the header carries none.
    role : str or None
        What the reader takes the column to be (its own vocabulary: ``"current"``,
        ``"test_time"``, ...), or None when it does not know.
    index : int or None
        Sensor number of numbered quantities (``Temperature2`` → 2).
    """

    original: str
    quantity: str
    unit: str | None
    role: str | None
    index: int | None = None


@dataclass
class Table:
    """A vendor table before canonicalisation.

    Attributes
    ----------
    frame : polars.DataFrame
        The records under the vendor's own headers (text columns for delimited exports,
        cells typed by the workbook for sheets).
    first_line : int
        1-based line (text) or row (sheet) of the first record, for error messages.
    preamble : list of str
        Lines above the header row of a text export.
    notes : list of str
        What was decided while loading (plain sentences for the recording's notes).
    vendor : dict
        Vendor metadata found while loading (sheet names, information sheet entries).
    """

    frame: pl.DataFrame
    first_line: int  # 1-based line (text) or row (sheet) of the first data record
    preamble: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    vendor: dict[str, Any] = field(default_factory=dict)


def read_delimited(path: Path, is_header: Callable[[list[str]], bool], *, what: str) -> Table:
    """Read a delimited text export whose header row satisfies ``is_header(cells)``.

    The header row is searched for in the first :data:`HEADER_SEARCH_ROWS` lines of the
    first :data:`HEAD_BYTES`, each line with its own guessed separator. Every column is read
    as text (the caller converts). UTF-8 (with or without BOM) and GB18030 are accepted.
    Empty, unnamed columns left by trailing separators are dropped.

    Parameters
    ----------
    path : pathlib.Path
        The text export.
    is_header : callable
        Predicate on the cells of a line that recognises the vendor's header row.
    what : str
        Vendor name for error messages (``"LAND"``, ``"Arbin"``).

    Returns
    -------
    Table
        The records as text columns, the lines above the header as the preamble, and a
        note when the text was decoded as GB18030.

    Raises
    ------
    ReaderError
        If the file is empty, binary, in another encoding, or has no header row.
    """
    data = path.read_bytes()
    if not data[:HEAD_BYTES].strip() and not data.strip():
        raise ReaderError("the file is empty", path=path)
    if b"\x00" in data[:HEAD_BYTES]:
        raise ReaderError(f"not a {what} text export (binary content)", path=path)
    try:
        head, codec = decode_head(data[:HEAD_BYTES])
    except UnicodeError as exc:
        raise ReaderError(f"not a {what} text export: {exc}", path=path) from exc
    lines = head.splitlines(keepends=True)
    header_at: int | None = None
    sep = ","
    for number, line in enumerate(lines[:HEADER_SEARCH_ROWS]):
        sep = guess_separator(line)
        if is_header(split_line(line, sep)):
            header_at = number
            break
    if header_at is None:
        raise ReaderError(
            f"no {what} header row (with voltage, current and time columns) in the first "
            f"{HEADER_SEARCH_ROWS} lines",
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
    return Table(frame.drop(empty), first_line=header_at + 2, preamble=preamble, notes=notes)


def _parse_csv(body: bytes, sep: str) -> pl.DataFrame | None:
    """Parse the table part of a text export as text columns; None if it is not UTF-8.

    Ragged lines are truncated to the header's width.
    """
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


def to_float(
    frame: pl.DataFrame, columns: Iterable[str], *, path: Path, first_line: int, where: str = "line"
) -> pl.DataFrame:
    """Cast columns to Float64 in one pass; a cell that is not a number is an error.

    Text cells are cast directly; only columns where that fails somewhere are read again
    with surrounding blanks stripped and a decimal comma accepted. Empty cells become null.

    Parameters
    ----------
    frame : polars.DataFrame
        Table holding the columns.
    columns : iterable of str
        Columns to convert; the others are returned unchanged.
    path : pathlib.Path
        File being read, for error messages.
    first_line : int
        Line or row number of the frame's first row, for error messages.
    where : str, optional
        What a row is called in error messages (``"line"``, ``"record"``).

    Returns
    -------
    polars.DataFrame
        ``frame`` with the columns as Float64.

    Raises
    ------
    ReaderError
        Naming the first cell, and its line, that is not a number.
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


def number_column(
    frame: pl.DataFrame, column: str, *, path: Path, first_line: int, where: str = "line"
) -> pl.Series:
    """Return one column as Float64; a cell that is not a number is an error.

    Parameters
    ----------
    frame : polars.DataFrame
        Table holding the column.
    column : str
        Column to convert.
    path : pathlib.Path
        File being read, for error messages.
    first_line : int
        Line or row number of the frame's first row, for error messages.
    where : str, optional
        What a row is called in error messages (``"line"``, ``"record"``).

    Returns
    -------
    polars.Series
        The values (see :func:`to_float`).

    Raises
    ------
    ReaderError
        Naming the first cell that is not a number.
    """
    return to_float(
        frame.select(column), [column], path=path, first_line=first_line, where=where
    ).to_series()


def parse_durations(
    frame: pl.DataFrame,
    column: str,
    *,
    path: Path,
    first_line: int,
    where: str = "line",
    text: bool = False,
) -> pl.Series | None:
    """Return an elapsed-time column in seconds when it holds durations, else None.

    Durations are workbook duration cells or text such as ``h:min:s.ms``, ``d-h:min:s`` and
    ``27:13:05.250`` (see :func:`elyte.units.duration_to_seconds`). Text is read this way
    when some cell holds a ``:`` or when ``text`` is set (the header names a duration
    format); plain numbers among it pass through as seconds.

    Parameters
    ----------
    frame : polars.DataFrame
        Table holding the column.
    column : str
        Column to read.
    path : pathlib.Path
        File being read, for error messages.
    first_line : int
        Line or row number of the frame's first row, for error messages.
    where : str, optional
        What a row is called in error messages (``"line"``, ``"record"``).
    text : bool, optional
        Read a text column as durations even when no cell holds a ``:``.

    Returns
    -------
    polars.Series or None
        Seconds (Float64), or None when the column holds numbers or anything else that
        is not a duration (the caller converts it with its unit).

    Raises
    ------
    ReaderError
        If a non-empty text cell is not a duration.
    """
    col = frame.get_column(column)
    if col.dtype == pl.Duration:
        return (col.dt.total_microseconds() / 1e6).alias(column)
    if col.dtype != pl.String or not (text or bool(col.str.contains(":").any())):
        return None
    parsed = frame.select(duration_to_seconds(pl.col(column))).to_series()
    bad = col.str.strip_chars().fill_null("").ne("") & parsed.is_null()
    if bad.any():
        row = int(bad.arg_true()[0])
        raise ReaderError(
            f"column {column!r} holds {str(col[row])[:40]!r} at {where} "
            f"{first_line + row}, which is not a duration",
            path=path,
        )
    return parsed.alias(column)


def numeric_or_text(values: pl.Series, *, decimal_comma: bool = False) -> pl.Series:
    """Return a column as Float64 when every non-empty cell is a number, else as text.

    For vendor columns the reader has no rule for: they are kept, as numbers when they are
    numbers.

    Parameters
    ----------
    values : polars.Series
        The vendor column.
    decimal_comma : bool, optional
        Also accept ``1,5`` for 1.5.

    Returns
    -------
    polars.Series
        Float64 (empty cells null), or the cells as text with surrounding blanks removed.
    """
    if values.dtype.is_numeric() or values.dtype == pl.Boolean:
        return values.cast(pl.Float64)
    text = values.cast(pl.String).str.strip_chars()
    if decimal_comma:
        number = text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    else:
        number = text.cast(pl.Float64, strict=False)
    return number if number.null_count() == text.replace("", None).null_count() else text


_DATE_RE = (
    r"^\s*(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})"
    r"(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:[.,]\d+)?))?)?\s*$"
)


def parse_datetimes(
    values: pl.Series,
    *,
    path: Path,
    column: str,
    timezone: str | None,
    dayfirst: bool | None,
    test_time: pl.Series | None,
) -> tuple[pl.Series, datetime | None, list[str]]:
    """Turn date-times (text or workbook cells) into seconds since 1970-01-01 UTC.

    Text dates are ``YYYY-MM-DD hh:mm:ss(.f)``, ``YYYY/MM/DD ...``, or ``MM/DD/YYYY ...`` /
    ``DD/MM/YYYY ...`` (also with ``.`` or ``-``; two-digit years are read as 20xx). The
    order of an ``xx/xx/YYYY`` date is taken from ``dayfirst`` when given, else from a field
    above 12, else from agreement with ``test_time``; when nothing decides, month-first is
    assumed and noted. Date-times without a zone are local times of ``timezone``, or UTC
    when it is None (noted).

    Parameters
    ----------
    values : polars.Series
        The vendor's date-time column (text, Date or Datetime).
    path : pathlib.Path
        File being read, for error messages.
    column : str
        Vendor column name, for notes and error messages.
    timezone : str or None
        IANA zone of the instrument's clock (``"Europe/Oslo"``), or None for UTC.
    dayfirst : bool or None
        Force day-first (True) or month-first (False) reading; None infers it.
    test_time : polars.Series or None
        Test time in s, row for row, used to decide an ambiguous day/month order.

    Returns
    -------
    unix_time : polars.Series
        Seconds since 1970-01-01 UTC (Float64, named ``unix_time``).
    start : datetime.datetime or None
        The first date-time as printed (naive), or None when the column is empty.
    notes : list of str
        What was assumed or inferred.

    Raises
    ------
    ReaderError
        If a cell is not a date-time, is impossible (month 13), or ``timezone`` is unknown.
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


def step_count_expr(frame: pl.DataFrame) -> pl.Expr | None:
    """Build the executed-step counter of a canonical frame.

    The counter starts at 1 and adds 1 whenever ``step_id`` or ``cycle_count`` changes or
    ``step_time_second`` goes back (a restarted step with the same number).

    Parameters
    ----------
    frame : polars.DataFrame
        Frame with canonical column names.

    Returns
    -------
    polars.Expr or None
        Expression named ``step_count`` (Int64), or None when the frame has none of the
        three columns.
    """
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


def add_step_count(
    data: pl.DataFrame, units: dict[str, str], notes: list[str], *, changes: str
) -> pl.DataFrame:
    """Add the derived ``step_count`` column (see :func:`step_count_expr`) and note it.

    Parameters
    ----------
    data : polars.DataFrame
        Frame with canonical column names.
    units : dict of str to str
        Column units; gains ``step_count``.
    notes : list of str
        Gains a sentence saying how the counter was derived.
    changes : str
        The vendor's names for what restarts a step, for the note (``"Step_Index or
        Cycle_Index"``).

    Returns
    -------
    polars.DataFrame
        ``data`` with ``step_count`` when it could be derived, else unchanged.
    """
    expr = step_count_expr(data)
    if expr is None:
        return data
    units["step_count"] = "1"
    notes.append(f"step_count derived: +1 whenever {changes} changes or the step time restarts")
    return data.with_columns(expr)


def note_time_reversals(data: pl.DataFrame, notes: list[str]) -> None:
    """Note how often ``test_time_second`` goes backwards (values are kept as printed).

    Parameters
    ----------
    data : polars.DataFrame
        Frame with a ``test_time_second`` column.
    notes : list of str
        Gains a sentence when the test time ever decreases.
    """
    backwards = data.select((pl.col("test_time_second").diff() < 0).sum()).item()
    if backwards:
        notes.append(f"test time goes backwards {backwards} time(s)")


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


def assign_counters(
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

    A drop larger than 1e-6 of a counter's largest value is a restart; smaller drops are
    rounding noise (noted). Each counter is read as per-step, per-cycle or cumulative over
    the test when the data allow it (every restart falls on such a boundary and every
    such boundary restarts it), trying ``prefer`` first, then ``"test"``, ``"step"``,
    ``"cycle"``; a counter that restarts elsewhere gets a ``schedule_*`` name. The BDF
    cumulative column is derived here with :func:`~elyte.io._frame.accumulate_resets`
    unless the counter is per-step without rounding noise (``build_recording`` accumulates
    those). Every decision is noted with the evidence.

    Parameters
    ----------
    frame : polars.DataFrame
        Canonical frame (with ``step_count`` and ``cycle_count`` when the file has them).
    counters : mapping of str to str
        Kind (``"charging_capacity"``, ``"discharging_capacity"``, ``"charging_energy"``,
        ``"discharging_energy"``) → column holding the vendor's counter (in Ah or Wh).
    prefer : str
        The vendor's documented behaviour, ``"step"`` or ``"cycle"``.
    vendor_label : str
        Vendor name for the notes (``"LAND"``).
    units : dict of str to str
        Column units; updated for renamed and derived columns.
    column_map : dict of str to str
        Vendor header → column; updated for renamed columns.
    notes : list of str
        Gains the decisions.
    path : pathlib.Path
        File being read, for error messages.
    sources : mapping of str to str, optional
        Column → description of where it came from, for the notes (default: the vendor
        header found in ``column_map``).
    allowed : sequence of str, optional
        Readings the vendor's counters can have at all (``"step"``, ``"cycle"``,
        ``"test"``, ``"other"``).

    Returns
    -------
    polars.DataFrame
        ``frame`` with the counters renamed and the cumulative columns derived.

    Raises
    ------
    ReaderError
        If two vendor columns would get the same canonical name.
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
            derived.append(accumulate_resets(target, rel_tol=1e-6).alias(total_col))
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


#: Exceptions that damaged input can raise from deep inside a reader (polars, the standard
#: library, calamine through fastexcel's ValueError subclasses).
_READ_FAILURES: tuple[type[Exception], ...] = (
    pl.exceptions.PolarsError,
    ArithmeticError,
    LookupError,
    ValueError,
    TypeError,
    UnicodeError,
    OSError,
    zipfile.BadZipFile,
)


def wrap_error(path: Path, exc: Exception) -> ReaderError:
    """Return a ReaderError naming the file and the unexpected exception behind it.

    Parameters
    ----------
    path : pathlib.Path
        File being read.
    exc : Exception
        What went wrong.

    Returns
    -------
    ReaderError
        ``unreadable file (<ExceptionType>: <message>)``; raise it ``from exc``.
    """
    return ReaderError(f"unreadable file ({type(exc).__name__}: {exc})", path=path)


@contextmanager
def reading_errors(path: Path) -> Iterator[None]:
    """Context in which a reader's unexpected failures become ReaderError.

    :class:`~elyte.errors.ElyteError` passes through unchanged; polars errors, lookup,
    arithmetic, type, value, decoding, OS and zip errors are wrapped by
    :func:`wrap_error`. Programming errors of other kinds are not hidden.

    Parameters
    ----------
    path : pathlib.Path
        File being read.

    Yields
    ------
    None
        Run the reading inside the ``with`` block.

    Raises
    ------
    ReaderError
        In place of the exceptions listed above.
    """
    try:
        yield
    except ElyteError:
        raise
    except _READ_FAILURES as exc:
        raise wrap_error(path, exc) from exc


def open_workbook(path: Path) -> Any:
    """Open an Excel workbook with fastexcel (calamine) after checking its container.

    ``.xlsx``/``.xlsm`` files are first checked as zip archives: a damaged archive, a
    member claiming an implausible expansion (zip bomb) or a missing workbook part is
    refused before calamine reads anything.

    Parameters
    ----------
    path : pathlib.Path
        The ``.xlsx``, ``.xlsm`` or ``.xls`` file.

    Returns
    -------
    fastexcel.ExcelReader
        The open workbook (``sheet_names``, ``load_sheet``).

    Raises
    ------
    ReaderError
        If the file is not a readable workbook.
    """
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


def sheet_head(reader: Any, sheet: str, path: Path) -> list[list[str]]:
    """Return the first :data:`HEADER_SEARCH_ROWS` rows of a sheet as text cells.

    Parameters
    ----------
    reader : fastexcel.ExcelReader
        Workbook from :func:`open_workbook`.
    sheet : str
        Sheet name.
    path : pathlib.Path
        File being read, for error messages.

    Returns
    -------
    list of list of str
        The rows; empty cells are ``""`` and the others are stripped.

    Raises
    ------
    ReaderError
        If the sheet cannot be read.
    """
    try:
        head = reader.load_sheet(
            sheet, header_row=None, n_rows=HEADER_SEARCH_ROWS, dtypes="string"
        ).to_polars()
    except Exception as exc:
        raise ReaderError(
            f"cannot read sheet {sheet!r} ({type(exc).__name__}: {exc})", path=path
        ) from exc
    return [["" if v is None else str(v).strip() for v in row] for row in head.iter_rows()]


class _DropRecords(logging.Filter):
    """Drop fastexcel's "could not determine dtype ... falling back to string" messages.

    calamine logs them for empty columns; they reach a user's terminal through Python's
    last-resort handler although nothing is wrong (an empty column is kept as text).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return False


def load_sheet(reader: Any, sheet: str, path: Path, **kwargs: Any) -> pl.DataFrame:
    """Load a sheet into a polars frame, turning calamine's failures into ReaderError.

    Parameters
    ----------
    reader : fastexcel.ExcelReader
        Workbook from :func:`open_workbook`.
    sheet : str
        Sheet name.
    path : pathlib.Path
        File being read, for error messages.
    **kwargs
        Passed to ``ExcelReader.load_sheet`` (``header_row``, ``skip_rows``,
        ``use_columns``, ...).

    Returns
    -------
    polars.DataFrame
        The cells, typed by calamine.

    Raises
    ------
    ReaderError
        If the sheet cannot be read.
    """
    quiet = _DropRecords()
    logger = logging.getLogger("fastexcel.types.dtype")
    logger.addFilter(quiet)  # scoped: removed in `finally`
    try:
        frame = reader.load_sheet(sheet, **kwargs).to_polars()
    except Exception as exc:
        raise ReaderError(
            f"cannot read sheet {sheet!r} ({type(exc).__name__}: {exc})", path=path
        ) from exc
    finally:
        logger.removeFilter(quiet)
    if not isinstance(frame, pl.DataFrame):
        raise ReaderError(f"sheet {sheet!r} did not load as a table", path=path)
    return frame


def sheet_table(
    reader: Any,
    sheet: str,
    path: Path,
    is_header: Callable[[list[str]], bool],
    *,
    header: list[str] | None = None,
) -> tuple[list[str], pl.DataFrame, int] | None:
    """Load a sheet's table: its header cells, its records and the header's row.

    The usual layout (header in the first row) costs one parse of the sheet. With
    ``header`` given, the sheet continues an earlier one and may or may not repeat the
    header row. Otherwise the first rows are searched for a row satisfying ``is_header``
    (title rows above the header). Empty trailing header cells are cut off; repeated
    labels become unique (``Current``, ``Current_1``) and empty ones ``column``.

    Parameters
    ----------
    reader : fastexcel.ExcelReader
        Workbook from :func:`open_workbook`.
    sheet : str
        Sheet name.
    path : pathlib.Path
        File being read, for error messages.
    is_header : callable
        Predicate on a row's cells that recognises the vendor's header row.
    header : list of str, optional
        Header cells of the sheet this one continues (overflow sheets).

    Returns
    -------
    tuple of (list of str, polars.DataFrame, int) or None
        The header cells, the records (cells typed by calamine; an empty frame when the
        sheet holds none) and the 0-based row of the header (-1 for a continuation sheet
        without one); None when no header row is found.

    Raises
    ------
    ReaderError
        If the sheet cannot be read, or a continuation sheet has other columns.
    """
    frame = load_sheet(reader, sheet, path, header_row=0)
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
        rest = load_sheet(
            reader, sheet, path, header_row=None, use_columns=list(range(len(header)))
        )
        return header, _named(rest, header, sheet, path), -1
    if is_header(cells):
        return (
            cells[:width],
            _named(frame.select(frame.columns[:width]), cells[:width], sheet, path),
            0,
        )
    for number, row in enumerate(sheet_head(reader, sheet, path)):
        if is_header(row):
            width = len(row)
            while width and not row[width - 1]:
                width -= 1
            data = load_sheet(
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


class CleanFrame:
    """Vendor columns relabelled for :func:`~elyte.io._frame.canonicalise`.

    A reader parses each vendor column (numbers, durations, dates) and adds it under a
    clean header that canonicalise understands (``current(mA)``, ``test_time(s)``),
    remembering the vendor's name for the column map. Columns whose unit canonicalise
    should not convert are kept aside (:meth:`add_as_printed`).

    Attributes
    ----------
    columns : dict of str to polars.Series
        Clean header → values, in the order added.
    vendor : dict of str to str
        Clean header → the vendor's header.
    printed : list of tuple
        ``(name, values, unit, vendor header)`` of the columns kept as printed.
    """

    def __init__(self) -> None:
        self.columns: dict[str, pl.Series] = {}
        self.vendor: dict[str, str] = {}
        self.printed: list[tuple[str, pl.Series, str, str]] = []

    def add(self, label: str, values: pl.Series, vendor_name: str) -> str:
        """Add a column under ``label`` (made unique: ``current_2(mA)``).

        Parameters
        ----------
        label : str
            Clean header, ``quantity(unit)`` or a bare quantity.
        values : polars.Series
            The parsed values.
        vendor_name : str
            The vendor's header for the column map.

        Returns
        -------
        str
            The label used.
        """
        unique = label
        n = 2
        while unique in self.columns:
            base, paren, rest = label.partition("(")
            unique = f"{base}_{n}{paren}{rest}"
            n += 1
        self.columns[unique] = values.alias(unique)
        self.vendor[unique] = vendor_name
        return unique

    def add_as_printed(self, quantity: str, unit: str, values: pl.Series, vendor_name: str) -> None:
        """Keep a column in its printed unit, named ``<quantity>_<unit in words>``.

        For compound units such as ``mAh/g`` or ``V/s`` (``specific_capacity_mah_per_g``).

        Parameters
        ----------
        quantity : str
            Snake-case quantity name.
        unit : str
            The unit as printed; it is stored as the column's unit.
        values : polars.Series
            The parsed values.
        vendor_name : str
            The vendor's header for the column map.
        """
        label = f"{quantity}_{snake(unit.replace('/', ' per '))}"
        self.printed.append((label, values, unit, vendor_name))

    def vendor_of(self, label: str) -> str | None:
        """Return the vendor's header behind a clean header, or None.

        Parameters
        ----------
        label : str
            Clean header as returned by :meth:`add`.

        Returns
        -------
        str or None
            The vendor's header.
        """
        return self.vendor.get(label)

    def frame(self) -> pl.DataFrame:
        """Return the clean columns as a frame.

        Returns
        -------
        polars.DataFrame
            The columns added with :meth:`add`, in order.
        """
        return pl.DataFrame(list(self.columns.values()))

    def canonicalise(
        self,
        rules: Mapping[str, Rule],
        *,
        path: Path,
        temperature_keys: frozenset[str] = frozenset(),
    ) -> tuple[Canonicalised, dict[str, str]]:
        """Canonicalise the clean columns and key the column map by the vendor's headers.

        The columns kept as printed are appended after canonicalisation (renamed
        ``<name>_2``, ... when a name is taken).

        Parameters
        ----------
        rules : mapping of str to Rule
            Rules for :func:`~elyte.io._frame.canonicalise`, keyed by clean quantity.
        path : pathlib.Path
            File being read, for error messages.
        temperature_keys : frozenset of str
            Clean quantities whose bare ``C`` unit means °C.

        Returns
        -------
        canonical : Canonicalised
            The frame, the vendor header → column map, the units and canonicalise's notes.
        renamed : dict of str to str
            Clean header → column name, for the columns canonicalise renamed.

        Raises
        ------
        ReaderError
            If a mapped column's unit has the wrong dimension.
        """
        canon = canonicalise(self.frame(), rules, path=path, temperature_keys=temperature_keys)
        data = canon.frame
        units = dict(canon.units)
        column_map = {self.vendor_of(k) or k: v for k, v in canon.column_map.items()}
        for label in data.columns:
            vendor_name = self.vendor_of(label)
            if vendor_name is not None and vendor_name != label:
                column_map.setdefault(vendor_name, label)
        for name, values, unit, vendor_name in self.printed:
            target = name
            n = 2
            while target in data.columns:
                target = f"{name}_{n}"
                n += 1
            data = data.with_columns(values.alias(target))
            units[target] = unit
            column_map[vendor_name] = target
        return Canonicalised(data, column_map, units, list(canon.notes)), dict(canon.column_map)
