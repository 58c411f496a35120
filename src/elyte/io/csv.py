"""Reader plugin: any delimited text table, with an explicit column mapping.

For instruments elyte has no dedicated reader for, say which column is which::

    elyte.read("run.csv", format="csv",
               columns={"test_time_second": "Time/s", "voltage_volt": "Ewe/V",
                        "current_ampere": "I/mA"})

Keys are canonical names (:data:`elyte.schema.CANONICAL`), values the file's headers. The
unit is taken from the header (``"I/mA"``, ``"Current(mA)"``, ``"current_mA"``); when the
header has none, give it with ``units={"current_ampere": "mA"}``. A mapped column without
any unit is an error rather than a guess. Unmapped columns are kept as extras.

Without ``columns`` the reader only accepts files whose headers are already canonical names
or BDF labels (it then behaves like the BDF reader).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from elyte.errors import ColumnMappingError, ReaderError
from elyte.io._frame import Rule, build_recording, canonicalise
from elyte.recording import Recording
from elyte.schema import CANONICAL
from elyte.units import parse_unit, split_header

name = "csv"
description = "generic CSV/TSV with an explicit column mapping (columns={canonical: header})"

_SEPARATORS = (",", ";", "\t", "|")


def guess_can_open(path: Path) -> bool:
    """Claim nothing: the generic reader is used only when asked for (``format="csv"``)."""
    return False


def read(
    path: Path,
    *,
    columns: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    separator: str | None = None,
    decimal_comma: bool = False,
    skip_rows: int = 0,
    encoding: str = "utf8-lossy",
    instrument: str = "unknown",
) -> Recording:
    """Read a delimited text file with a column mapping.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    columns : mapping of str to str, optional
        Canonical name → header in the file.
    units : mapping of str to str, optional
        Canonical name → unit of that column, for headers that do not carry their unit
        (``{"current_ampere": "mA"}``). Overrides the header's unit.
    separator : str, optional
        Field separator; sniffed from the header line (``,`` ``;`` tab ``|``) when omitted.
    decimal_comma : bool
        Numbers use a decimal comma (``3,141``).
    skip_rows : int
        Lines to skip before the header line.
    encoding : str
        ``"utf8"`` or ``"utf8-lossy"`` (default: undecodable bytes become U+FFFD).
    instrument : str
        Instrument name to record in the metadata.

    Raises
    ------
    ColumnMappingError
        If ``columns`` names a canonical column we do not know or a header the file lacks,
        or a mapped column has no unit.
    ReaderError
        If the file is not a readable table.
    """
    columns = dict(columns or {})
    units = dict(units or {})
    for key in list(columns) + list(units):
        if key not in CANONICAL:
            raise ColumnMappingError(
                f"{key!r} is not a canonical column name; known names: {', '.join(CANONICAL)}",
                path=path,
            )
    sep = separator or _sniff(path, skip_rows)
    try:
        frame = pl.read_csv(
            path,
            separator=sep,
            skip_rows=skip_rows,
            decimal_comma=decimal_comma,
            encoding=encoding,
            infer_schema_length=10_000,
            schema_overrides={
                header: pl.String() if CANONICAL[c].dtype == pl.String else pl.Float64()
                for c, header in columns.items()
            },
            truncate_ragged_lines=True,
        )
    except (pl.exceptions.PolarsError, OSError, UnicodeError) as exc:
        raise ReaderError(f"not a readable delimited table: {exc}", path=path) from exc
    missing = [h for h in columns.values() if h not in frame.columns]
    if missing:
        raise ColumnMappingError(
            f"column(s) {missing} not in the file; its columns are {frame.columns}", path=path
        )
    # Give each mapped column a temporary header "<canonical> [<unit>]" so that the unit
    # (from the header or from `units=`) goes through the one conversion in canonicalise.
    rules: dict[str, Rule] = {}
    renames: dict[str, str] = {}
    for canonical, header in columns.items():
        unit = units.get(canonical) or split_header(header)[1]
        spec = CANONICAL[canonical]
        if spec.unit not in ("", "1") and (unit is None or parse_unit(unit) is None):
            raise ColumnMappingError(
                f"column {header!r} mapped to {canonical} has no recognisable unit "
                f"({unit!r}); pass units={{{canonical!r}: '<unit>'}}",
                path=path,
            )
        renames[header] = f"{canonical} [{unit}]" if unit else canonical
        rules[canonical] = Rule(canonical)
    frame = frame.rename(renames)
    if not columns:
        for column in CANONICAL.values():
            rules[column.name] = Rule(column.name, column.unit or None, unit_in_name=True)
    canon = canonicalise(frame, rules, path=path)
    original = {v: k for k, v in renames.items()}
    canon.column_map.update(
        {original[k]: v for k, v in list(canon.column_map.items()) if k in original}
    )
    for temporary in original:
        canon.column_map.pop(temporary, None)
    if not any(c in canon.frame.columns for c in ("voltage_volt", "current_ampere")):
        raise ColumnMappingError(
            "no voltage or current column recognised; pass columns={'voltage_volt': '<header>', "
            f"...}}. The file's columns are {frame.columns}",
            path=path,
        )
    notes = [f"generic CSV read with separator {sep!r} and mapping {columns}"]
    return build_recording(canon, path=path, instrument=instrument, format=name, notes=notes)


def _sniff(path: Path, skip_rows: int) -> str:
    try:
        with path.open("rb") as handle:
            for _ in range(skip_rows):
                handle.readline(1 << 16)
            line = handle.readline(1 << 16).decode("utf-8", errors="replace")
    except OSError as exc:
        raise ReaderError(f"cannot open file: {exc}", path=path) from exc
    counts = {sep: line.count(sep) for sep in _SEPARATORS}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","
