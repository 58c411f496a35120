"""Reader plugin: Battery Data Format (BDF) CSV and Parquet files.

BDF files already use canonical names and base units, so reading is mostly renaming:
headers may be machine-readable names (``voltage_volt``), human-readable labels
(``Voltage / V``) or the ontology's alternative labels (``current_a``, ``test_time_s``).
Parquet files written by :meth:`elyte.recording.Recording.to_parquet` carry the full
recording metadata, which is restored, so ``read(rec.to_parquet(p))`` round-trips.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl

from elyte.errors import ReaderError
from elyte.io._frame import Canonicalised, Rule, build_recording, canonicalise, normalise_key
from elyte.io.registry import file_sha256
from elyte.recording import PARQUET_META_KEY, Recording, RecordingMeta
from elyte.schema import CANONICAL
from elyte.units import split_header

name = "bdf"
description = "Battery Data Format CSV (.bdf.csv) or Parquet (.bdf.parquet, elyte .parquet)"

# Alternative labels and deprecated terms of the BDF ontology (1.2.0).
_ALIASES: dict[str, tuple[str, float]] = {
    "test_time_s": ("test_time_second", 1.0),
    "unix_time_s": ("unix_time_second", 1.0),
    "voltage_v": ("voltage_volt", 1.0),
    "current_a": ("current_ampere", 1.0),
    "power_w": ("power_watt", 1.0),
    "test_time_millisecond": ("test_time_second", 1e-3),
    "test_time_ms": ("test_time_second", 1e-3),
    "unix_time_millisecond": ("unix_time_second", 1e-3),
    "unix_time_ms": ("unix_time_second", 1e-3),
    "ambient_temperature_degc": ("ambient_temperature_celsius", 1.0),
    "cycle_dimensionless": ("cycle_count", 1.0),
    "step_dimensionless": ("step_count", 1.0),
    "charging_capacity_ampere_hour": ("charging_capacity_ah", 1.0),
    "discharging_capacity_ampere_hour": ("discharging_capacity_ah", 1.0),
    "charging_energy_watt_hour": ("charging_energy_wh", 1.0),
    "discharging_energy_watt_hour": ("discharging_energy_wh", 1.0),
    "surface_temperature_t1_celsius": ("temperature_t1_celsius", 1.0),
}


def _rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for column in CANONICAL.values():
        # machine-readable name: the unit is part of the name
        rules[normalise_key(column.name)] = Rule(
            column.name, default_unit=column.unit or None, unit_in_name=True
        )
        # human-readable label "Voltage / V": split_header leaves "Voltage"
        quantity, _ = split_header(column.label)
        rules.setdefault(normalise_key(quantity), Rule(column.name))
    for alias, (target, scale) in _ALIASES.items():
        unit = CANONICAL[target].unit
        if scale != 1.0:
            unit = {1e-3: "ms"}[scale] if unit == "s" else unit
        rules[alias] = Rule(target, default_unit=unit, unit_in_name=True)
    return rules


_RULES = _rules()
_REQUIRED = ("test_time_second", "voltage_volt", "current_ampere")


def guess_can_open(path: Path) -> bool:
    """Claim ``*.bdf.csv``, ``*.bdf.parquet``, elyte Parquet files, and CSVs with BDF headers."""
    try:
        lower = path.name.lower()
        if lower.endswith((".bdf.csv", ".bdf.parquet", ".bdf")):
            return True
        if lower.endswith(".parquet"):
            return True
        if lower.endswith(".csv"):
            with path.open("rb") as handle:
                head = handle.readline(4096).decode("utf-8", errors="replace")
            headers = {normalise_key(h.strip().strip('"')) for h in head.split(",")}
            labels = {normalise_key(CANONICAL[c].label) for c in _REQUIRED}
            names = set(_REQUIRED)
            return names <= headers or labels <= headers
    except OSError:
        return False
    return False


def read(path: Path, **options: Any) -> Recording:
    """Read a BDF CSV or Parquet file.

    Parameters
    ----------
    path : pathlib.Path
        ``.csv`` (BDF CSV) or ``.parquet``.
    **options
        None are accepted; present for the plugin interface.

    Raises
    ------
    ReaderError
        If the file lacks BDF's required columns (test time, voltage, current) or is not
        valid CSV/Parquet.
    """
    if options:
        raise ReaderError(f"the bdf reader takes no options (got {sorted(options)})", path=path)
    if path.name.lower().endswith(".parquet"):
        return _read_parquet(path)
    try:
        header = pl.read_csv(path, n_rows=0).columns
        frame = pl.read_csv(path, schema_overrides=_dtypes(header), infer_schema_length=10_000)
    except (pl.exceptions.PolarsError, OSError, UnicodeError) as exc:
        raise ReaderError(f"not a readable BDF CSV file: {_first_line(exc)}", path=path) from exc
    canon = canonicalise(frame, _RULES, path=path)
    _check_required(canon, path)
    return build_recording(canon, path=path, instrument="unknown (BDF file)", format=name)


def _dtypes(header: list[str]) -> dict[str, pl.DataType]:
    """Return the storage types of the known columns in ``header``.

    A capacity column that starts with integers (``0``) must not be inferred as integer and
    then fail on ``0.0063`` further down.
    """
    out: dict[str, pl.DataType] = {}
    for column in header:
        rule = _RULES.get(normalise_key(column)) or _RULES.get(
            normalise_key(split_header(column)[0])
        )
        if rule is not None:
            dtype = CANONICAL[rule.canonical].dtype
            # counts may be printed as 1.0: read as float, canonicalise casts to Int64
            out[column] = pl.Float64() if dtype in (pl.Float64, pl.Int64) else dtype()
    return out


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _check_required(canon: Canonicalised, path: Path) -> None:
    missing = [c for c in _REQUIRED if c not in canon.frame.columns]
    if missing:
        raise ReaderError(
            f"not a BDF file: required columns {missing} are missing "
            f"(found {list(canon.frame.columns)[:12]})",
            path=path,
        )


def _read_parquet(path: Path) -> Recording:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        frame = pl.read_parquet(path)
    except (pa.ArrowException, pl.exceptions.PolarsError, OSError) as exc:
        raise ReaderError(f"not a readable Parquet file: {exc}", path=path) from exc
    stored = (schema.metadata or {}).get(PARQUET_META_KEY.encode())
    if stored is None:
        canon = canonicalise(frame, _RULES, path=path)
        _check_required(canon, path)
        return build_recording(canon, path=path, instrument="unknown (BDF file)", format=name)
    try:
        meta = RecordingMeta.from_dict(json.loads(stored))
    except (ValueError, TypeError) as exc:
        raise ReaderError(f"corrupt elyte metadata in Parquet file: {exc}", path=path) from exc
    # canonical columns carry their unit by definition; extras must have one recorded
    units = {c: CANONICAL[c].unit for c in frame.columns if c in CANONICAL}
    units.update(meta.units)
    unknown = [c for c in frame.columns if c not in units]
    if unknown:
        raise ReaderError(f"columns {unknown} have no recorded unit", path=path)
    meta = replace(meta, units={c: units[c] for c in frame.columns})
    if meta.source_path is None:  # made in memory (simulated): this file is the source
        meta = replace(meta, source_path=str(path), sha256=file_sha256(path))
    return Recording(frame, meta)
