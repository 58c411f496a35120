"""Reader plugin: BioLogic EC-Lab text export (``.mpt``).

Layout of an export (EC-Lab "Export as text"):

* line 1 ``EC-Lab ASCII FILE``; line 2 ``Nb header lines : N`` (N counts every line up to
  and including the column header line);
* the technique title (``Galvanostatic Cycling with Potential Limitation``), then
  ``key : value`` lines (channel, acquisition start, device, cell characteristics, ...),
  then the technique's settings as a fixed-width table (20 characters per cell, one
  column per sequence ``Ns``);
* line N: tab-separated column headers (``time/s``, ``Ewe/V``, ...), often with a trailing
  tab; then one tab-separated row per data point.

The header is written in the Windows code page (cp1252/latin-1: ``µ``, ``°``, ``²``); numbers
use the decimal separator of the Windows locale, so German exports have decimal commas.
EC-Lab can also export without the header block, in which case the first line is the column
header line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from elyte.errors import ReaderError
from elyte.io.biologic_common import INTEGER_COLUMNS, build_biologic_recording, sha256_soon
from elyte.recording import Recording

name = "biologic-mpt"
description = "BioLogic EC-Lab text export (.mpt), any locale"

_MAGIC = b"EC-Lab ASCII FILE"
_NB_HEADER = re.compile(rb"^\s*Nb header lines\s*:\s*(\d+)\s*$")
_SETTING_WIDTH = 20
_DATE_FORMATS = (
    "%m/%d/%Y %H:%M:%S.%f",
    "%m/%d/%Y %H:%M:%S",
    "%m-%d-%Y %H:%M:%S.%f",
    "%m-%d-%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
)
# Columns whose presence in a first line marks a header-less EC-Lab export.
_TYPICAL_COLUMNS = ("time/s", "Ewe/V", "<Ewe>/V", "freq/Hz", "I/mA", "<I>/mA")
_INT_READ = frozenset(INTEGER_COLUMNS - {"cycle number"})


def guess_can_open(path: Path) -> bool:
    """Return True for files starting with EC-Lab's text magic (or header-less ``.mpt``)."""
    try:
        with Path(path).open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    head = head.removeprefix(b"\xef\xbb\xbf")
    if head.startswith(_MAGIC):
        return True
    if Path(path).suffix.lower() == ".mpt":
        first = head.split(b"\n", 1)[0]
        return b"\t" in first and any(c.encode() in first for c in _TYPICAL_COLUMNS)
    return False


def read(path: Path, **options: Any) -> Recording:
    """Read an EC-Lab ``.mpt`` text export.

    Parameters
    ----------
    path : pathlib.Path
        The ``.mpt`` file.
    **options
        None are supported; passing any raises :class:`~elyte.errors.ReaderError`.

    Returns
    -------
    Recording
        Canonical columns (time in s, voltage in V, current in A, capacities in Ah, ...)
        plus every other EC-Lab column as an extra column; ``meta.vendor`` holds the header
        (``"header"``) and the settings table (``"settings"``).

    Raises
    ------
    ReaderError
        If the header block is inconsistent, the column header line is missing, or a data
        value cannot be read as a number.
    """
    path = Path(path)
    if options:
        raise ReaderError(f"unsupported options for {name}: {sorted(options)}", path=path)
    notes: list[str] = []
    layout = _layout(path, notes)
    digest = sha256_soon(layout.content if layout.content is not None else path, size=layout.size)
    names = [c.strip() for c in layout.column_line.rstrip("\r\n").split("\t")]
    while names and not names[-1]:
        names.pop()
    if not names or any(not c for c in names):
        raise ReaderError(
            f"the column header line has empty column names: {layout.column_line.strip()!r}",
            path=path,
        )
    if len(set(names)) != len(names):
        names = _deduplicate(names)
        notes.append("repeated column names were numbered (#2, #3, ...)")
    frame, decimal_comma = _read_table(path, layout, names, notes)
    if decimal_comma:
        notes.append("numbers use a decimal comma (non-English Windows locale)")
    header_lines = layout.header_lines

    info = _parse_header(header_lines)
    start_time = None
    started = info.header.get("Acquisition started on")
    if isinstance(started, str):
        start_time = _parse_date(started)
        if start_time is None:
            notes.append(f"acquisition start {started!r} not understood; start_time left empty")
    channel = None
    run_on = info.header.get("Run on channel")
    vendor: dict[str, Any] = {"header": info.header, "settings": info.settings}
    if info.other_lines:
        vendor["header_lines"] = info.other_lines
    if isinstance(run_on, str):
        match = re.match(r"\s*(\S+)(?:\s*\(SN\s*(\d+)\))?", run_on)
        if match:
            channel = match.group(1)
            if match.group(2):
                vendor["channel_serial_number"] = int(match.group(2))
    if info.technique is not None:
        vendor["technique"] = info.technique
    labels = info.settings.get("ctrl_type")
    return build_biologic_recording(
        frame,
        path=path,
        format=name,
        technique=info.technique,
        sequence_labels=labels if isinstance(labels, list) else None,
        channel=channel,
        start_time=start_time,
        notes=notes,
        vendor=vendor,
        sha256=digest,
    )


@dataclass(frozen=True)
class _Layout:
    """Where things are in an export: header, column line, data (by line and by byte)."""

    header_lines: list[str]
    column_line: str
    skip_lines: int  # lines before the first data line
    first_data_line: bytes
    data_empty: bool
    tail: bytes  # the last bytes of the data block (a few lines)
    size: int  # of the file, in bytes
    content: bytes | None  # the whole file, when it was read at once


_CHUNK = 1 << 16
_MAX_HEADER_LINES = 10_000
#: Files up to this size are read in one go: the same bytes then serve the header, the
#: provenance hash and polars' parser, which is faster than polars opening the file again.
#: Larger files are left to polars (memory-mapped) and hashed from disk.
_WHOLE_FILE_BYTES = 16 << 20


def _layout(path: Path, notes: list[str]) -> _Layout:
    """Read the header block and the last lines (small files: the whole file, once)."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            content: bytes | None = None
            if size <= _WHOLE_FILE_BYTES:
                content = handle.read()
                size = len(content)  # the file may have grown since (EC-Lab writing)
                _lines_needed(content, path)  # the check on the announced header size
                prefix, tail_start = content, max(0, size - _CHUNK)
                tail = content[tail_start:]
            else:
                prefix = handle.read(_CHUNK)
                n_needed = _lines_needed(prefix, path)
                while prefix.count(b"\n") < n_needed + 1 and len(prefix) < size:
                    more = handle.read(_CHUNK)
                    if not more:
                        break
                    prefix += more
                tail_start = max(0, size - _CHUNK)
                handle.seek(tail_start)
                tail = handle.read()
    except OSError as exc:
        raise ReaderError(f"cannot read file: {exc}", path=path) from exc
    bom = 3 if prefix.startswith(b"\xef\xbb\xbf") else 0
    header_lines, column_line, skip, data_start = _split_header(prefix[bom:], path, notes)
    data_start += bom
    end = prefix.find(b"\n", data_start)
    first = prefix[data_start:] if end < 0 else prefix[data_start:end]
    if tail_start < data_start:
        tail = tail[data_start - tail_start :]
    empty = data_start >= size or (size - data_start <= len(tail) and not tail.strip())
    return _Layout(header_lines, column_line, skip, first.rstrip(b"\r"), empty, tail, size, content)


def _lines_needed(prefix: bytes, path: Path) -> int:
    """Count the lines up to the column header line, from the start of the file."""
    text = prefix.removeprefix(b"\xef\xbb\xbf")
    if not text.startswith(_MAGIC):
        return 1
    lines = text.split(b"\n", 2)
    match = _NB_HEADER.match(lines[1]) if len(lines) > 2 else None
    if match is None:
        return 2
    n_header = int(match.group(1))
    if n_header > _MAX_HEADER_LINES:
        raise ReaderError(
            f"the header announces {n_header} header lines; EC-Lab writes a few hundred at "
            "most (edited or corrupt file?)",
            path=path,
        )
    return n_header


def _split_header(raw: bytes, path: Path, notes: list[str]) -> tuple[list[str], str, int, int]:
    """Header lines (decoded), column header line, lines and bytes before the data."""
    if not raw.startswith(_MAGIC):
        first_end = raw.find(b"\n")
        first = raw if first_end < 0 else raw[:first_end]
        if b"\t" in first and any(c.encode() in first for c in _TYPICAL_COLUMNS):
            notes.append(
                "text export without EC-Lab's header block: technique, channel and start "
                "time are unknown"
            )
            return [], _decode(first), 1, len(raw) if first_end < 0 else first_end + 1
        raise ReaderError(
            "not an EC-Lab text export: the file does not start with 'EC-Lab ASCII FILE' "
            "and its first line is not an EC-Lab column header",
            path=path,
        )
    ends = []
    pos = 0
    for _ in range(2):
        end = raw.find(b"\n", pos)
        if end < 0:
            raise ReaderError("the header ends before its 'Nb header lines' line", path=path)
        ends.append(end)
        pos = end + 1
    match = _NB_HEADER.match(raw[ends[0] + 1 : ends[1]])
    if match is None:
        raise ReaderError(
            "the second line should read 'Nb header lines : N'; found "
            f"{_decode(raw[ends[0] + 1 : ends[1]]).strip()!r}",
            path=path,
        )
    n_header = int(match.group(1))
    if n_header < 3:
        raise ReaderError(
            f"the header announces {n_header} header lines (at least 3 needed)", path=path
        )
    for _ in range(n_header - 2):
        if pos > len(raw):
            raise ReaderError(
                f"the header announces {n_header} header lines but the file has only "
                f"{len(ends)} lines (truncated or edited file?)",
                path=path,
            )
        end = raw.find(b"\n", pos)
        if end < 0:
            end = len(raw)
        ends.append(end)
        pos = end + 1
    lines = _decode(raw[: ends[n_header - 1]]).split("\n")
    column_line = lines[n_header - 1]
    if "\t" not in column_line and "/" not in column_line:
        raise ReaderError(
            f"line {n_header} should be the tab-separated column header line; found "
            f"{column_line.strip()[:80]!r}",
            path=path,
        )
    header_lines = [x.rstrip("\r") for x in lines[: n_header - 1]]
    return header_lines, column_line, n_header, min(pos, len(raw))


def _decode(data: bytes) -> str:
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _deduplicate(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} #{seen[n]}")
    return out


def _read_table(
    path: Path, layout: _Layout, names: list[str], notes: list[str]
) -> tuple[pl.DataFrame, bool]:
    """Parse the tab-separated data block with polars; integers for flags and counters."""
    if layout.data_empty:
        empty: dict[str, type[pl.DataType]] = {
            n: (pl.Int64 if n in _INT_READ else pl.Float64) for n in names
        }
        return pl.DataFrame(schema=empty), False
    first = layout.first_data_line
    decimal_comma = b"," in first
    fields = first.split(b"\t")
    columns = list(names)
    trailing = len(fields) == len(names) + 1 and not fields[-1].strip()
    if trailing:
        columns.append("__trailing")
    elif len(fields) != len(names):
        raise ReaderError(
            f"the first data row has {len(fields)} values but there are {len(names)} column names",
            path=path,
        )
    schema: dict[str, type[pl.DataType]] = {
        c: (pl.Int64 if c in _INT_READ else pl.Float64) for c in columns
    }
    if trailing:
        schema["__trailing"] = pl.String
    source = layout.content if layout.content is not None else path
    try:
        frame = _polars_read(source, layout.skip_lines, schema, decimal_comma)
    except (pl.exceptions.PolarsError, ValueError):
        frame = _read_as_text(source, path, layout.skip_lines, columns, decimal_comma, notes)
    if trailing:
        frame = frame.drop("__trailing")
    if frame.height and not _last_row_complete(layout.tail):
        frame = frame.head(frame.height - 1)
        notes.append(
            "the last data row is incomplete (file cut while being written or copied?); "
            "it was dropped"
        )
    return frame, decimal_comma


_NUMBER_SHAPE = re.compile(rb"[-+]?\d+(?:[.,]\d*)?(?:[eE]([-+]?\d+))?")


def _number_shape(field: bytes) -> int | None:
    """Exponent digits of a printed number (-1 without exponent, None if not a number).

    EC-Lab prints every value of a column in the same scientific format, so a last value
    whose exponent is shorter than the one above it was cut off.
    """
    match = _NUMBER_SHAPE.fullmatch(field.strip())
    if match is None:
        return None
    exponent = match.group(1)
    return len(exponent.lstrip(b"+-")) if exponent else -1


def _last_row_complete(data: bytes) -> bool:
    """Tell whether the last data line looks as complete as the line before it.

    Same number of fields, and the last number printed in the same format.
    """
    body = data.rstrip(b"\r\n")
    if len(body) < len(data.rstrip(b"\r")) or not body:
        return True  # the data ends with a newline: the last line was written completely
    cut = body.rfind(b"\n")
    if cut < 0:
        return True
    last = body[cut + 1 :].rstrip(b"\r").split(b"\t")
    previous = body[body.rfind(b"\n", 0, cut) + 1 : cut].rstrip(b"\r").split(b"\t")
    if len(last) != len(previous):
        return False
    for a, b in zip(reversed(last), reversed(previous), strict=True):
        if a.strip() or b.strip():
            return _number_shape(a) == _number_shape(b)
    return True


def _polars_read(
    source: Path | bytes, skip: int, schema: dict[str, type[pl.DataType]], decimal_comma: bool
) -> pl.DataFrame:
    # The bytes already read, or the file itself (memory-mapped by polars); the header
    # lines are skipped.
    return pl.read_csv(
        source,
        skip_rows=skip,
        separator="\t",
        has_header=False,
        schema=schema,
        decimal_comma=decimal_comma,
        quote_char=None,
        eol_char="\n",
    )


def _read_as_text(
    source: Path | bytes,
    path: Path,
    skip: int,
    columns: list[str],
    decimal_comma: bool,
    notes: list[str],
) -> pl.DataFrame:
    """Slow path: read every cell as text, then convert column by column and say what failed."""
    try:
        text = pl.read_csv(
            source,
            skip_rows=skip,
            separator="\t",
            has_header=False,
            new_columns=columns,
            infer_schema=False,
            quote_char=None,
            eol_char="\n",
            truncate_ragged_lines=False,
            encoding="utf8-lossy",
        )
    except (pl.exceptions.PolarsError, ValueError) as exc:
        raise ReaderError(f"the data table cannot be read: {exc}", path=path) from exc
    exprs = []
    for c in columns:
        s = pl.col(c).str.strip_chars()
        if decimal_comma:
            s = s.str.replace(",", ".", literal=True)
        exprs.append(s.cast(pl.Float64, strict=False).alias(c))
    numbers = text.select(exprs)
    out = []
    for c in columns:
        bad = text.get_column(c).is_not_null() & numbers.get_column(c).is_null()
        if c == "__trailing":
            out.append(text.get_column(c))
            continue
        if bad.any():
            row = int(bad.arg_max() or 0)
            raise ReaderError(
                f"value {text.get_column(c)[row]!r} in column {c!r} (data row {row + 1}) "
                "is not a number",
                path=path,
            )
        col = numbers.get_column(c)
        if c in _INT_READ and (col.drop_nulls() == col.drop_nulls().round(0)).all():
            col = col.cast(pl.Int64)
        out.append(col)
    notes.append("the data table needed the slow text path (empty or unusual cells)")
    return pl.DataFrame(out)


class _HeaderInfo:
    """What the header block says."""

    def __init__(self) -> None:
        self.technique: str | None = None
        self.header: dict[str, str | list[str]] = {}
        self.settings: dict[str, list[str]] = {}
        self.other_lines: list[str] = []


def _parse_header(lines: list[str]) -> _HeaderInfo:
    info = _HeaderInfo()
    body = lines[2:]
    # The technique title is the first non-blank line that is not a "key : value" line.
    for line in body:
        if line.strip():
            if " : " not in line and not line.startswith(("\t", " ")):
                info.technique = line.strip()
            break
    last_kv = -1
    for i, line in enumerate(body):
        if " : " in line or line.rstrip().endswith(" :"):
            last_kv = i
    parent = ""
    for i, line in enumerate(body):
        if not line.strip() or (info.technique is not None and line.strip() == info.technique):
            continue
        if i > last_kv:
            _settings_row(line, info.settings)
            continue
        if " : " in line or line.rstrip().endswith(" :"):
            key, _, value = line.partition(" :")
            key, value = key.strip(), value.strip()
            if line.startswith(("\t", "  ")) and parent:
                key = f"{parent} {key}"
            else:
                parent = key
            _add(info.header, key, value)
        else:
            info.other_lines.append(line.strip())
    return info


def _add(header: dict[str, str | list[str]], key: str, value: str) -> None:
    if key not in header:
        header[key] = value
        return
    existing = header[key]
    if isinstance(existing, list):
        existing.append(value)
    else:
        header[key] = [existing, value]


def _settings_row(line: str, settings: dict[str, list[str]]) -> None:
    text = line.rstrip()
    key = text[:_SETTING_WIDTH].strip()
    if not key:
        return
    values = [
        text[i : i + _SETTING_WIDTH].strip()
        for i in range(_SETTING_WIDTH, len(text), _SETTING_WIDTH)
    ]
    name, n = key, 2
    while name in settings:
        name, n = f"{key} #{n}", n + 1
    settings[name] = values


def _parse_date(text: str) -> datetime | None:
    value = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None
