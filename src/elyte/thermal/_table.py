"""Reading calorimeter exports (ARC, DSC) as tables through a column mapping.

Calorimeter software exports a table of time, temperatures and a few other signals as CSV/
TSV text or as an Excel workbook, with headers that differ between instruments and
software versions. This module finds the header row, picks the columns each analysis needs
(by a mapping the caller gives, or by a short list of usual names), reads their units from
the headers (``Time / min``, ``Temp (C)``, ``Pressure [bar]``) and converts them to the
units the analyses use (s, °C, bar, W or W/g). It never guesses a unit: a column whose
header carries none needs ``units={role: unit}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from elyte.errors import ColumnMappingError, ElyteError, MissingFileError, ReaderError
from elyte.io._tabular import (
    head_rows,
    open_workbook,
    read_delimited,
    reading_errors,
    sheet_table,
    to_float,
)
from elyte.units import duration_to_seconds, parse_unit, split_header

__all__ = ["Role", "TableData", "load_table", "normalise_name"]

_EXCEL = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")

#: Units of a specific heat flow, to W/g (units.py has no such dimension).
SPECIFIC_HEAT_FLOW = {"W/g": 1.0, "mW/mg": 1.0, "mW/g": 1e-3, "uW/mg": 1e-3, "µW/mg": 1e-3}


def normalise_name(text: str) -> str:
    """Lower-case a header without its unit, with every run of non-alphanumerics as one space.

    Examples
    --------
    >>> normalise_name("Sample_Temperature / degC")
    'sample temperature'
    """
    name, _ = split_header(text)
    return re.sub(r"[^0-9a-zà-ÿ]+", " ", name.lower()).strip()


@dataclass(frozen=True)
class Role:
    """A column an analysis needs.

    Attributes
    ----------
    name : str
        The role (``"time"``, ``"temperature"``).
    aliases : tuple of str
        Normalised header names recognised without a mapping (see :func:`normalise_name`).
    dimension : str or None
        ``"time"`` (to s), ``"temperature"`` (to °C), ``"pressure"`` (to bar),
        ``"heat_flow"`` (to W, or W/g for a specific heat flow), or None for a text column.
    required : bool
        Whether the table is unusable without it.
    description : str
        Words for error messages (``"sample temperature"``).
    """

    name: str
    aliases: tuple[str, ...]
    dimension: str | None
    required: bool
    description: str


@dataclass
class TableData:
    """The columns found, converted.

    Attributes
    ----------
    path : pathlib.Path
        The file.
    values : dict of str to numpy.ndarray
        Numeric roles in the base units (s, °C, bar, W or W/g).
    text : dict of str to numpy.ndarray
        Text roles, stripped.
    headers : dict of str to str
        Role → header in the file.
    units : dict of str to str
        Role → unit as found (header or ``units=``) and after conversion.
    specific : dict of str to bool
        For heat-flow roles: whether the column is already per gram (W/g).
    comments : list of str
        Lines above the header (``#`` comments and preamble).
    notes : list of str
        What was decided while reading.
    first_line : int
        Line (text) or row (sheet) of the first record, 1-based.
    """

    path: Path
    values: dict[str, np.ndarray] = field(default_factory=dict)
    text: dict[str, np.ndarray] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    specific: dict[str, bool] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    first_line: int = 1


def _pick(
    headers: Sequence[str], roles: Sequence[Role], columns: Mapping[str, str], path: Path
) -> dict[str, str]:
    """Role → header: the mapping first, then the first header whose name is an alias."""
    picked: dict[str, str] = {}
    stripped = {h.strip(): h for h in headers}
    for key, header in columns.items():
        if header in headers:
            picked[key] = header
        elif header.strip() in stripped:
            picked[key] = stripped[header.strip()]
        else:
            raise ColumnMappingError(
                f"column {header!r} mapped to {key!r} is not in the file; its columns are "
                f"{list(headers)}",
                path=path,
            )
    used = set(picked.values())
    keys = {h: normalise_name(h) for h in headers}
    for role in roles:
        if role.name in picked:
            continue
        for alias in role.aliases:  # aliases in order of preference
            match = next((h for h in headers if keys[h] == alias and h not in used), None)
            if match is not None:
                picked[role.name] = match
                used.add(match)
                break
    return picked


def _is_header(roles: Sequence[Role], columns: Mapping[str, str]) -> Callable[[list[str]], bool]:
    required = [r for r in roles if r.required]

    def is_header(cells: list[str]) -> bool:
        if sum(1 for c in cells if c) < 2:
            return False
        keys = {normalise_name(c) for c in cells if c}
        stripped = {c.strip() for c in cells}
        for role in required:
            if role.name in columns:
                if columns[role.name].strip() not in stripped:
                    return False
            elif not keys.intersection(role.aliases):
                return False
        return True

    return is_header


def _unit_of(
    role: Role, header: str, units: Mapping[str, str], path: Path
) -> tuple[str, float, float, bool]:
    """Return ``(unit, factor, offset, specific)`` converting a column to the base unit."""
    unit = units.get(role.name) or split_header(header)[1]
    if unit is None:
        raise ColumnMappingError(
            f"column {header!r} ({role.description}) has no unit in its header; pass "
            f"units={{{role.name!r}: '<unit>'}}",
            path=path,
        )
    text = unit.strip()
    if role.dimension == "heat_flow" and text in SPECIFIC_HEAT_FLOW:
        return text, SPECIFIC_HEAT_FLOW[text], 0.0, True
    spec = parse_unit(text, temperature_c=role.dimension == "temperature")
    if role.dimension == "temperature" and spec is None and text.lower() in ("deg c", "oc", "c"):
        spec = parse_unit("°C")
    wanted = {"time": "time", "temperature": "temperature", "pressure": "pressure"}.get(
        role.dimension or "", "power"
    )
    if spec is None or spec.dimension != wanted:
        allowed = {
            "time": "s, min, h",
            "temperature": "°C, degC, C, K",
            "pressure": "bar, Pa, kPa, MPa, psi",
            "power": "W, mW, uW, W/g, mW/mg",
        }[wanted]
        raise ColumnMappingError(
            f"column {header!r} ({role.description}) has unit {text!r}, not one of {allowed}",
            path=path,
        )
    factor, offset = spec.factor, spec.offset
    if role.dimension == "pressure":  # to bar
        factor, offset = factor / 1e5, offset / 1e5
    return text, factor, offset, False


def _time_column(
    frame: pl.DataFrame, header: str, path: Path, first_line: int
) -> tuple[np.ndarray, str | None]:
    """Return a time column in seconds (durations, date-times and ``h:min:s`` text too)."""
    series = frame.get_column(header)
    if series.dtype == pl.Duration:
        return series.dt.total_microseconds().cast(pl.Float64).to_numpy() / 1e6, "duration"
    if series.dtype in (pl.Datetime, pl.Date):
        us = series.cast(pl.Datetime("us")).dt.timestamp("us").cast(pl.Float64).to_numpy()
        return (us - us[0]) / 1e6, "date-time"
    if series.dtype == pl.String and series.str.contains(":").any():
        seconds = frame.select(duration_to_seconds(pl.col(header))).to_series()
        bad = (seconds.is_null() & series.is_not_null()).arg_true()
        if bad.len():
            row = int(bad[0])
            raise ReaderError(
                f"time column {header!r} holds {series[row]!r} at line {first_line + row}, "
                "which is neither a number nor h:min:s",
                path=path,
            )
        return seconds.to_numpy().astype(float), "h:min:s"
    values = to_float(frame.select(header), [header], path=path, first_line=first_line)
    return values.to_series().to_numpy().astype(float), None


def load_table(
    path: str | Path,
    roles: Sequence[Role],
    *,
    columns: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    sheet: str | None = None,
    what: str,
) -> TableData:
    """Read the columns ``roles`` asks for from a CSV/TSV or Excel export.

    Parameters
    ----------
    path : str or pathlib.Path
        The export.
    roles : sequence of Role
        Columns wanted.
    columns : mapping of str to str, optional
        Role → header in the file, for headers the aliases do not cover.
    units : mapping of str to str, optional
        Role → unit, for headers that carry none (overrides the header's unit).
    sheet : str, optional
        Sheet of a workbook (default: the first sheet holding a header row).
    what : str
        Kind of export for messages (``"ARC"``).

    Returns
    -------
    TableData
        The converted columns.

    Raises
    ------
    MissingFileError
        If the file does not exist.
    ColumnMappingError
        If a required column is missing, the mapping names a header the file lacks, or a
        column has no usable unit.
    ReaderError
        If the file is not a readable table or a cell is not a number.
    """
    source = Path(path)
    if not source.is_file():
        raise MissingFileError("no such file", path=source)
    columns = dict(columns or {})
    units = dict(units or {})
    names = {r.name for r in roles}
    for key in list(columns) + list(units):
        if key not in names:
            raise ColumnMappingError(
                f"{key!r} is not a column role of an {what} table; roles: {sorted(names)}",
                path=source,
            )
    is_header = _is_header(roles, columns)
    out = TableData(path=source)
    with reading_errors(source):
        if source.suffix.lower() in _EXCEL:
            reader = open_workbook(source)
            sheets = [sheet] if sheet is not None else list(reader.sheet_names)
            if sheet is not None and sheet not in reader.sheet_names:
                raise ReaderError(
                    f"no sheet {sheet!r}; the workbook has {list(reader.sheet_names)}", path=source
                )
            found = None
            for name in sheets:
                found = sheet_table(reader, name, source, is_header)
                if found is not None:
                    out.notes.append(f"{what} table read from sheet {name!r}")
                    break
            if found is None:
                raise _no_header(roles, columns, what, source, [])
            header, frame, header_row = found
            out.first_line = header_row + 2
        else:
            try:
                table = read_delimited(source, is_header, what=what)
            except ReaderError as exc:
                if not exc.message.startswith("no "):
                    raise
                cells = next(
                    (
                        c
                        for _, c in head_rows(source)
                        if sum(1 for x in c if x) >= 2 and not c[0].startswith("# ")
                    ),
                    [],
                )
                picked = _pick(cells, roles, columns, source) if cells else {}
                missing = [r for r in roles if r.required and r.name not in picked]
                raise _no_header(missing or list(roles), columns, what, source, cells) from None
            frame = table.frame
            header = list(frame.columns)
            out.first_line = table.first_line
            out.comments = [line.strip() for line in table.preamble if line.strip()]
            out.notes.extend(table.notes)
        picked = _pick(header, roles, columns, source)
        missing = [r for r in roles if r.required and r.name not in picked]
        if missing:
            raise _no_header(missing, columns, what, source, header)
        if frame.height == 0:
            raise ReaderError(f"the {what} table has a header but no records", path=source)
        for role in roles:
            if role.name not in picked:
                continue
            column = picked[role.name]
            out.headers[role.name] = column
            if role.dimension is None:
                text = frame.get_column(column).cast(pl.String).fill_null("").str.strip_chars()
                out.text[role.name] = text.to_numpy().astype(str)
                continue
            unit, factor, offset, specific = _unit_of(role, column, units, source)
            if role.dimension == "time":
                raw, parsed = _time_column(frame, column, source, out.first_line)
                if parsed is not None:
                    out.notes.append(
                        f"time column {column!r} read as {parsed} (seconds from the first row)"
                    )
                    factor, offset = 1.0, 0.0
            else:
                raw = (
                    to_float(frame.select(column), [column], path=source, first_line=out.first_line)
                    .to_series()
                    .to_numpy()
                    .astype(float)
                )
            out.values[role.name] = raw * factor + offset
            out.units[role.name] = unit
            out.specific[role.name] = specific
    return out


def _no_header(
    roles: Sequence[Role], columns: Mapping[str, str], what: str, path: Path, cells: Sequence[str]
) -> ElyteError:
    wanted = "; ".join(
        f"{r.description} ({r.name!r}: a header such as "
        f"{', '.join(repr(a) for a in r.aliases[:3])})"
        for r in roles
        if r.required
    )
    seen = f" The first table line has {list(cells)[:12]}." if cells else ""
    return ColumnMappingError(
        f"no {what} column found for: {wanted}. Pass columns={{role: '<header>'}}"
        + (f" (given: {dict(columns)})" if columns else "")
        + "."
        + seen,
        path=path,
    )
