"""Shared machinery for readers: vendor columns → canonical columns, once, in one place.

A reader parses its file into a polars frame with the vendor's own headers, then calls
:func:`canonicalise` with a table of :class:`Rule` objects keyed by the vendor's quantity
name. Units come from the header (``"I/mA"``, ``"Current(mA)"``) through
:func:`elyte.units.parse_unit`; each column is scaled to SI exactly here. Columns without a
rule survive as extras named ``<snake_case_name>_<unit suffix>``, converted to the base unit
when the unit is known and kept as printed (with a note) when it is not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from elyte.errors import ReaderError
from elyte.io.registry import file_sha256
from elyte.recording import Recording, RecordingMeta
from elyte.schema import CANONICAL, canonical_order
from elyte.units import parse_unit, split_header

__all__ = [
    "Canonicalised",
    "Rule",
    "accumulate_resets",
    "build_recording",
    "canonicalise",
    "normalise_key",
    "snake",
]

_DIMENSION_OF_UNIT = {
    "s": "time",
    "V": "voltage",
    "A": "current",
    "Ah": "charge",
    "Wh": "energy",
    "W": "power",
    "ohm": "resistance",
    "degC": "temperature",
    "Hz": "frequency",
    "Pa": "pressure",
    "deg": "angle",
}


@dataclass(frozen=True, slots=True)
class Rule:
    """How one vendor quantity becomes a canonical column.

    Attributes
    ----------
    canonical : str
        Target column in :data:`elyte.schema.CANONICAL`.
    default_unit : str or None
        Unit to assume when the header carries none (recorded in the notes when used).
    sign : float
        ``-1`` for quantities printed with the opposite sign (BioLogic ``-Im(Z)``).
    unit_in_name : bool
        The header names the unit itself (BDF's ``voltage_volt``), so using
        ``default_unit`` is not an assumption and is not noted.
    """

    canonical: str
    default_unit: str | None = None
    sign: float = 1.0
    unit_in_name: bool = False


@dataclass(frozen=True)
class Canonicalised:
    """Result of :func:`canonicalise`."""

    frame: pl.DataFrame
    column_map: dict[str, str]
    units: dict[str, str]
    notes: list[str]


def normalise_key(name: str) -> str:
    """Lower-case, single-spaced form of a vendor quantity name used to look up rules."""
    return " ".join(name.strip().lower().split())


def snake(name: str) -> str:
    """Turn a vendor name into a snake_case identifier (``"Ewe-Ece"`` → ``"ewe_ece"``)."""
    text = name.strip().lower()
    text = (
        re.sub(r"\|([^|]+)\|", r"abs_\1", text)
        .replace("|", "_")
        .replace("<", "")
        .replace(">", "")
        .replace("µ", "u")
    )
    text = text.replace("%", "percent").replace("+", "plus").replace("°", "deg")
    text = re.sub(r"[^0-9a-z]+", "_", text).strip("_")
    if not text:
        return "column"
    if text[0].isdigit():
        text = "c_" + text
    return text


def canonicalise(
    frame: pl.DataFrame,
    rules: Mapping[str, Rule],
    *,
    path: Path,
    temperature_keys: frozenset[str] = frozenset(),
    skip: frozenset[str] = frozenset(),
) -> Canonicalised:
    """Rename and rescale vendor columns to canonical ones.

    Parameters
    ----------
    frame : polars.DataFrame
        Vendor table with the vendor's headers.
    rules : mapping of str to Rule
        Keyed by :func:`normalise_key` of the quantity name (the header without its unit).
        A whole header may also be used as key (``"-im(z)/ohm"``) to pin one exact column.
    path : pathlib.Path
        File being read, for error messages.
    temperature_keys : frozenset of str
        Quantity keys whose bare ``C`` unit means °C rather than coulomb.
    skip : frozenset of str
        Vendor headers to drop (recorded in the notes).

    Returns
    -------
    Canonicalised
        The new frame (canonical columns first), the vendor → canonical map, the unit of
        every column and the notes.

    Raises
    ------
    ReaderError
        If a mapped column's unit has the wrong dimension (``"Current/V"``).
    """
    exprs: list[pl.Expr] = []
    column_map: dict[str, str] = {}
    units: dict[str, str] = {}
    notes: list[str] = []
    taken: set[str] = set()
    schema = frame.schema  # built once: polars rebuilds it on every .schema access
    for header in frame.columns:
        if header in skip:
            notes.append(f"dropped vendor column {header!r}")
            continue
        quantity, unit = split_header(header)
        key = normalise_key(quantity)
        rule = rules.get(normalise_key(header)) or rules.get(key)
        col = pl.col(header)
        if rule is not None and rule.canonical not in taken:
            target = CANONICAL[rule.canonical]
            used_unit = unit if unit is not None else rule.default_unit
            if unit is None and rule.default_unit is not None and not rule.unit_in_name:
                notes.append(
                    f"column {header!r} has no unit in its header; read as {rule.default_unit}"
                )
            if target.dtype == pl.String:
                exprs.append(col.cast(pl.String).alias(target.name))
            elif target.unit == "1":
                dtype = schema[header]
                count = (
                    col.cast(pl.Int64, strict=False)  # integers: exact, no detour via float
                    if dtype.is_integer()
                    else _as_number(col, dtype).cast(pl.Int64, strict=False)
                )
                exprs.append(count.alias(target.name))
            else:
                spec = parse_unit(used_unit or "", temperature_c=target.unit == "degC")
                want = _DIMENSION_OF_UNIT.get(target.unit)
                if spec is None or spec.dimension != want:
                    raise ReaderError(
                        f"column {header!r} should hold {want} but its unit is {used_unit!r}",
                        path=path,
                    )
                value = _as_number(col, schema[header])
                if spec.factor != 1.0 or rule.sign != 1.0:
                    value = value * (spec.factor * rule.sign)
                if spec.offset:
                    value = value + spec.offset
                exprs.append(value.alias(target.name))
            column_map[header] = target.name
            units[target.name] = target.unit
            taken.add(target.name)
            continue
        if rule is not None:
            notes.append(
                f"column {header!r} also maps to {rule.canonical}; the first one was kept "
                "and this one is an extra column"
            )
        name, unit_label, expr = _extra(
            header, quantity, unit, schema[header], temperature=key in temperature_keys
        )
        base = name
        n = 2
        while name in taken or name in CANONICAL:
            name = f"{base}_{n}"
            n += 1
        if unit is not None and parse_unit(unit, temperature_c=key in temperature_keys) is None:
            notes.append(f"unit {unit!r} of column {header!r} is not known; values kept as printed")
        exprs.append(expr.alias(name))
        if name != header:
            column_map[header] = name
        units[name] = unit_label
        taken.add(name)
    ordered = canonical_order([_output_name(e) for e in exprs])
    by_name = {_output_name(e): e for e in exprs}
    out = frame.select([by_name[n] for n in ordered]) if exprs else pl.DataFrame()
    return Canonicalised(out, column_map, units, notes)


def _output_name(expr: pl.Expr) -> str:
    return expr.meta.output_name()


def _as_number(col: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Float64:
        return col  # already the storage type: no cast
    if dtype.is_numeric():
        return col.cast(pl.Float64)
    if dtype == pl.Boolean:
        return col.cast(pl.Float64)
    return col.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)


def _extra(
    header: str, quantity: str, unit: str | None, dtype: pl.DataType, *, temperature: bool
) -> tuple[str, str, pl.Expr]:
    col = pl.col(header)
    if unit is None:
        return snake(quantity), "", col
    spec = parse_unit(unit, temperature_c=temperature)
    if spec is None:
        return snake(f"{quantity}_{unit}"), unit, col
    suffix = f"_{spec.suffix}" if spec.suffix else ""
    if not (dtype.is_numeric() or dtype == pl.Boolean):
        return snake(quantity) + suffix, _BASE_UNIT.get(spec.suffix, unit), col
    value = col.cast(pl.Float64)
    if spec.factor != 1.0:
        value = value * spec.factor
    if spec.offset:
        value = value + spec.offset
    return snake(quantity) + suffix, _BASE_UNIT.get(spec.suffix, unit), value


_BASE_UNIT = {
    "volt": "V",
    "ampere": "A",
    "ah": "Ah",
    "wh": "Wh",
    "watt": "W",
    "ohm": "ohm",
    "hertz": "Hz",
    "farad": "F",
    "pascal": "Pa",
    "joule": "J",
    "coulomb": "C",
    "second": "s",
    "celsius": "degC",
    "degree": "deg",
    "percent": "%",
    "mah_per_g": "mAh/g",
    "wh_per_kg": "Wh/kg",
    "v_per_s": "V/s",
    "a_per_m2": "A/m2",
    "mah_per_cm2": "mAh/cm2",
    "s_per_m": "S/m",
    "": "",
}


def accumulate_resets(column: str, *, rel_tol: float = 1e-6) -> pl.Expr:
    """Cumulative form of a counter that the instrument resets to zero now and then.

    Vendors print capacity and energy per step or per half-cycle; BDF wants them cumulative
    over the test. Whenever the value drops, the value just before the drop is added to a
    running offset: ``cumulative = value + Σ(value before each drop)``. A drop smaller than
    ``rel_tol`` times the column's largest magnitude is rounding noise in the printed value,
    not a restart, and is ignored. Nulls carry the last value forward (leading nulls are 0).
    Exact when the counter restarts from zero, and vectorised (no Python loop).
    """
    value = pl.col(column).forward_fill().fill_null(0.0)
    previous = value.shift(1)
    tol = rel_tol * pl.col(column).abs().max().fill_null(0.0) + 1e-15
    carried = pl.when(value < previous - tol).then(previous).otherwise(0.0).fill_null(0.0)
    return value + carried.cum_sum()


#: Text that elyte's virtual-lab writers put into every file they write (header/preamble).
SIMULATION_MARK = "elyte virtual lab"


def _marked_simulated(vendor: Mapping[str, Any] | None) -> bool:
    """Whether vendor header text carries the virtual lab's mark."""
    if not vendor:
        return False
    stack: list[Any] = [vendor]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if SIMULATION_MARK in item:
                return True
        elif isinstance(item, Mapping):
            stack.extend(item.values())
            stack.extend(k for k in item if isinstance(k, str))
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def build_recording(
    canon: Canonicalised,
    *,
    path: Path,
    instrument: str,
    format: str,
    techniques: tuple[str, ...] = (),
    channel: str | None = None,
    start_time: datetime | None = None,
    notes: list[str] | tuple[str, ...] = (),
    vendor: Mapping[str, Any] | None = None,
    simulated: bool = False,
    sha256: str | None = None,
) -> Recording:
    """Assemble a :class:`~elyte.recording.Recording` with provenance from a canonical frame.

    ``sha256`` may be passed by readers that already hold the file's bytes in memory
    (``hashlib.sha256(data).hexdigest()``); otherwise the file is hashed here.

    Also derives the BDF cumulative capacity and energy columns from per-step vendor columns
    when the reader produced only those, and records that in the notes.
    """
    frame = canon.frame
    units = dict(canon.units)
    all_notes = list(canon.notes) + list(notes)
    derived = []
    for step_col, total_col in (
        ("step_charging_capacity_ah", "charging_capacity_ah"),
        ("step_discharging_capacity_ah", "discharging_capacity_ah"),
        ("step_charging_energy_wh", "charging_energy_wh"),
        ("step_discharging_energy_wh", "discharging_energy_wh"),
    ):
        if step_col in frame.columns and total_col not in frame.columns:
            derived.append(accumulate_resets(step_col).alias(total_col))
            units[total_col] = CANONICAL[total_col].unit
            all_notes.append(
                f"{total_col} accumulated over the test from the per-step vendor values "
                f"({step_col}), as BDF defines it"
            )
    if not simulated and _marked_simulated(vendor):
        simulated = True
        all_notes.append(f"the file says it was made by the {SIMULATION_MARK} (simulated data)")
    if derived:
        frame = frame.with_columns(derived)
        frame = frame.select(canonical_order(frame.columns))
    meta = RecordingMeta(
        instrument=instrument,
        format=format,
        techniques=techniques,
        source_path=str(path),
        sha256=sha256 if sha256 is not None else file_sha256(path),
        channel=channel,
        start_time=start_time,
        column_map=canon.column_map,
        units={c: units.get(c, CANONICAL[c].unit if c in CANONICAL else "") for c in frame.columns},
        notes=tuple(all_notes),
        simulated=simulated,
        vendor=dict(vendor or {}),
    )
    return Recording(frame, meta)
