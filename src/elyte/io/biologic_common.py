"""BioLogic EC-Lab column vocabulary, shared by the ``.mpt`` and ``.mpr`` readers.

Both readers first build a polars frame whose headers are EC-Lab's own column names
(``"time/s"``, ``"Ewe/V"``, ``"<I>/mA"``, ``"(Q-Qo)/mA.h"``, ...): the text reader takes them
from the export's header line, the binary reader translates its column IDs into the same
names. :func:`build_biologic_recording` then turns that frame into a canonical
:class:`~elyte.recording.Recording`, so the mapping below is the only place where EC-Lab
quantities meet BDF columns.

What EC-Lab's counters mean (checked on the real exports in ``../shared/data/biologic``):

* ``time/s`` counts from the start of the whole experiment, so a technique linked after
  others starts at a large value; it becomes ``test_time_second`` as printed.
* ``(Q-Qo)`` is the charge passed since the start of the technique and never resets; it
  becomes ``net_capacity_ah``.
* ``Q charge`` and ``Q discharge`` restart at zero at every half cycle (``half cycle``
  column) and are zero during half cycles of the other sign; they are exactly
  ``max(±Q charge/discharge, 0)``. They become ``step_charging_capacity_ah`` and
  ``step_discharging_capacity_ah`` (the schema's home for per-step or per-half-cycle
  counters).
* ``Energy charge`` and ``Energy discharge`` restart at zero when ``cycle number``
  increases; they become ``cycle_charging_energy_wh`` and ``cycle_discharging_energy_wh``.
* ``cycle number`` equals ``half cycle // 2`` in every export we have (a cycle is a
  charge/discharge alternance); binary files often store only ``half cycle``.
* ``<I>`` in GCPL exports is ``dq * 3600 / Δt`` (mA from mA.h and s); GCPL binary files
  store no current column at all, so it is derived the same way.
* Where a file has no energy counters, the energies are the sum of ``|Ewe * ΔQ|`` with
  ``Ewe`` at the end of each interval, which reproduces EC-Lab's counters to 1e-9 (and to
  3e-4 around rest steps) on the exports above.
* The current keeps BioLogic's sign (positive = oxidation at the working electrode), and
  the voltage is ``Ewe``; both are stated in every recording's notes.
* Modulo Bat files get a per-row ``technique``: the sequence's ``ctrl_type`` (text export)
  or, when the sequence table cannot be read (binary), a label inferred from the mode flag.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from elyte.io._frame import Rule, build_recording, canonicalise, normalise_key, snake
from elyte.recording import Recording
from elyte.schema import canonical_order
from elyte.units import parse_unit, split_header

__all__ = [
    "BIOLOGIC_RULES",
    "INTEGER_COLUMNS",
    "TECHNIQUE_SHORT_NAMES",
    "build_biologic_recording",
    "short_technique_name",
]

#: EC-Lab quantity (header without unit, normalised) → canonical column.
BIOLOGIC_RULES: dict[str, Rule] = {
    "time": Rule("test_time_second", "s"),
    "ewe": Rule("voltage_volt"),
    "<ewe>": Rule("voltage_volt"),
    "i": Rule("current_ampere"),
    "<i>": Rule("current_ampere"),
    "p": Rule("power_watt"),
    "pwe": Rule("power_watt"),
    "cycle number": Rule("cycle_count"),
    "ns": Rule("step_id"),
    "step time": Rule("step_time_second", "s"),
    "(q-qo)": Rule("net_capacity_ah"),
    "q charge": Rule("step_charging_capacity_ah"),
    "q discharge": Rule("step_discharging_capacity_ah"),
    "energy charge": Rule("cycle_charging_energy_wh"),
    "energy discharge": Rule("cycle_discharging_energy_wh"),
    "energy we charge": Rule("cycle_charging_energy_wh"),
    "energy we discharge": Rule("cycle_discharging_energy_wh"),
    "freq": Rule("frequency_hertz"),
    "re(z)": Rule("real_impedance_ohm"),
    "-im(z)": Rule("imaginary_impedance_ohm", sign=-1.0),
    "|z|": Rule("absolute_impedance_ohm"),
    "phase(z)": Rule("phase_degree"),
    "temperature": Rule("temperature_t1_celsius"),
}

# When a file has several of these, the first present one becomes the canonical column and
# the others stay as extra columns: instantaneous values before averaged ones, the plain
# quantity before the working-electrode one.
_PREFERENCE: tuple[tuple[str, ...], ...] = (
    ("ewe", "<ewe>"),
    ("i", "<i>"),
    ("p", "pwe"),
    ("energy charge", "energy we charge"),
    ("energy discharge", "energy we discharge"),
)

#: EC-Lab columns that hold integers (flags, counters, ranges).
INTEGER_COLUMNS = frozenset(
    {
        "mode",
        "ox/red",
        "error",
        "control changes",
        "Ns changes",
        "counter inc.",
        "Ns",
        "I Range",
        "half cycle",
        "z cycle",
        "cycle number",
    }
)

#: EC-Lab's technique titles (first header line of an export) → short names.
TECHNIQUE_SHORT_NAMES: dict[str, str] = {
    "galvanostatic cycling with potential limitation": "GCPL",
    "chronoamperometry / chronocoulometry": "CA",
    "chronoamperometry": "CA",
    "chronopotentiometry": "CP",
    "cyclic voltammetry": "CV",
    "cyclic voltammetry advanced": "CVA",
    "linear sweep voltammetry": "LSV",
    "modulo bat": "MB",
    "open circuit voltage": "OCV",
    "potentio electrochemical impedance spectroscopy": "PEIS",
    "galvano electrochemical impedance spectroscopy": "GEIS",
    "staircase potentio electrochemical impedance spectroscopy": "SPEIS",
    "staircase galvano electrochemical impedance spectroscopy": "SGEIS",
    "wait": "WAIT",
    "loop": "LOOP",
    "ir compensation (peis)": "ZIR",
    "galvanostatic intermittent titration technique": "GITT",
    "potentiostatic intermittent titration technique": "PITT",
    "potentiodynamic cycling with galvanostatic acceleration": "PCGA",
    "constant power": "CPW",
    "constant load": "CLD",
    "differential pulse voltammetry": "DPV",
    "square wave voltammetry": "SWV",
}

_SHORT = frozenset(TECHNIQUE_SHORT_NAMES.values())

# Units EC-Lab prints that contain a slash themselves.
_COMPOUND_UNITS = ("V/mA", "mS/cm", "S/cm", "mS/m", "S/m", "mA/s", "mV/h", "mV/s")
# Headers with a slash that is part of the name, not a unit separator.
_NO_UNIT = frozenset({"ox/red"})
# MB rows labelled from the ``mode`` flag when the sequence table is not available.
_MODE_LABELS = {1: "CC", 2: "CV", 3: "Rest"}


def short_technique_name(title: str) -> str:
    """EC-Lab short technique name (``"GCPL"``) for a title or short name.

    Unknown titles are returned stripped, unchanged.
    """
    text = title.strip()
    if text.upper() in _SHORT:
        return text.upper()
    return TECHNIQUE_SHORT_NAMES.get(" ".join(text.lower().split()), text)


def _split(header: str) -> tuple[str, str | None]:
    """Split an EC-Lab header into quantity and unit, knowing EC-Lab's quirks."""
    if header in _NO_UNIT or "/" not in header:
        return header, None
    for unit in _COMPOUND_UNITS:
        if header.endswith("/" + unit) and len(header) > len(unit) + 1:
            return header[: -len(unit) - 1], unit
    quantity, _, unit = header.rpartition("/")
    return quantity, unit


def _is_clean(header: str) -> bool:
    """Tell whether the shared splitter reads ``header`` as EC-Lab means it, unit included."""
    mine = _split(header)
    if split_header(header) != mine:
        return False
    return mine[1] is None or parse_unit(mine[1]) is not None


def build_biologic_recording(
    frame: pl.DataFrame,
    *,
    path: Path,
    format: str,
    technique: str | None,
    sequence_labels: Sequence[str] | None = None,
    channel: str | None = None,
    start_time: datetime | None = None,
    notes: Sequence[str] = (),
    vendor: Mapping[str, Any] | None = None,
) -> Recording:
    """Turn a frame with EC-Lab column names into a canonical recording.

    Parameters
    ----------
    frame : polars.DataFrame
        One row per data point, headers as EC-Lab prints them (``"Ewe/V"``, ``"I/mA"``).
        Integer columns (flags, ``Ns``, ``half cycle``) may be integers or floats.
    path : pathlib.Path
        The file read (for provenance and error messages).
    format : str
        Reader name (``"biologic-mpt"`` or ``"biologic-mpr"``).
    technique : str or None
        Technique of the file, as title or short name; ``None`` when the file does not say.
    sequence_labels : sequence of str, optional
        For Modulo Bat files: the control type of each sequence, indexed by ``Ns``
        (the ``ctrl_type`` row of the settings table).
    channel : str, optional
        Instrument channel.
    start_time : datetime, optional
        Acquisition start (instrument local time).
    notes : sequence of str
        The reader's own notes; the mapping's notes are appended.
    vendor : mapping, optional
        Header fields worth keeping.

    Returns
    -------
    Recording
        Canonical columns in SI units plus every other EC-Lab column as an extra column.

    Raises
    ------
    ReaderError
        If a column mapped to a canonical quantity has a unit of the wrong dimension.
    """
    all_notes = list(notes)
    frame, original = _prepared(frame, all_notes)

    rules = dict(BIOLOGIC_RULES)
    keys = {normalise_key(_split(c)[0]): c for c in reversed(frame.columns)}
    for group in _PREFERENCE:
        present = [k for k in group if k in keys]
        for loser in present[1:]:
            rules.pop(loser, None)
            all_notes.append(
                f"{keys[present[0]]!r} and {keys[loser]!r} are both present; "
                f"{BIOLOGIC_RULES[loser].canonical} is {keys[present[0]]!r} and "
                f"{keys[loser]!r} is kept as an extra column"
            )
    # Phase is renamed here rather than by canonicalise, whose dimension table has no angle.
    phase_header = keys.get("phase(z)")
    rules.pop("phase(z)", None)
    if phase_header is not None and _split(phase_header)[1] not in ("deg", "°"):
        phase_header = None
    raw_extras = [
        c
        for c in frame.columns
        if c != phase_header and normalise_key(_split(c)[0]) not in rules and not _is_clean(c)
    ]
    passed = [c for c in frame.columns if c != phase_header and c not in raw_extras]
    subset = frame if len(passed) == frame.width else pl.DataFrame([frame[c] for c in passed])
    canon = canonicalise(subset, rules, path=path, temperature_keys=frozenset({"temperature"}))
    column_map = dict(canon.column_map)
    units = dict(canon.units)

    added: list[pl.Series] = []
    if phase_header is not None:
        added.append(frame.get_column(phase_header).cast(pl.Float64).alias("phase_degree"))
        column_map[phase_header] = "phase_degree"
        units["phase_degree"] = "deg"
    added.extend(_raw_extras(frame, raw_extras, canon.frame.columns, column_map, units, all_notes))
    helpers = [h for h in ("half cycle", "Ns", "mode", "freq/Hz") if h in frame.columns]
    added.extend(frame.get_column(h).alias(_HELPER + h) for h in helpers)
    out = canon.frame.hstack(added) if added else canon.frame

    cumulative, cumulative_units, cumulative_notes = _cumulative_exprs(out.columns)
    units.update(cumulative_units)
    all_notes.extend(cumulative_notes)
    short = short_technique_name(technique) if technique is not None else None
    technique_exprs, technique_notes = _technique_exprs(short, helpers, sequence_labels)
    all_notes.extend(technique_notes)
    if technique_exprs:
        units["technique"] = ""
        units["technique_index"] = "1"
    # One eager select builds every derived column and puts all in schema order.
    computed = {e.meta.output_name(): e for e in cumulative + technique_exprs}
    names = [c for c in out.columns if not c.startswith(_HELPER)]
    names += [n for n in computed if n not in names]
    out = out.select([computed.get(n, pl.col(n)) for n in canonical_order(names)])

    techniques: tuple[str, ...] = ()
    if short == "MB" and "Ns" in helpers:
        labels = out.get_column("technique")
        techniques = tuple(labels.unique(maintain_order=True).drop_nulls().to_list()) or (short,)
    elif short is not None:
        techniques = (short,)
    else:
        all_notes.append("the file does not name its technique; no technique column")
    all_notes.extend(_convention_notes(out))
    column_map = {original.get(k, k): v for k, v in column_map.items()}
    canon = replace(canon, frame=out, column_map=column_map, units=units)
    return build_recording(
        canon,
        path=path,
        instrument="BioLogic",
        format=format,
        techniques=techniques,
        channel=channel,
        start_time=start_time,
        notes=all_notes,
        vendor=vendor,
    )


_HELPER = "__elyte_helper "


def _prepared(frame: pl.DataFrame, notes: list[str]) -> tuple[pl.DataFrame, dict[str, str]]:
    """EC-Lab frame ready for mapping: C → mA.h, negated names spelled out, derived columns.

    Returns the frame and, for renamed columns, new name → EC-Lab name.
    """
    names = [c for c in frame.columns if c.strip()]
    if len(names) != frame.width:
        frame = frame.select(names)
    # EC-Lab prints some quantities negated ("-Im(Zce)"); keep that visible in the extra
    # column's name instead of letting the minus sign vanish in snake_case.
    negated = {
        c: "minus " + c[1:]
        for c in names
        if c.startswith("-") and normalise_key(_split(c)[0]) not in BIOLOGIC_RULES
    }
    original = {new: old for old, new in negated.items()}
    converted, renames = _coulombs_to_mah(names, notes)
    renames.update(negated)
    if converted:
        frame = frame.with_columns(converted)
    if renames:
        frame = frame.rename(renames)
        names = [renames.get(c, c) for c in names]
    derived = _derived_vendor_exprs(names, notes)
    if derived:
        frame = frame.with_columns(derived)
    return frame, original


def _raw_extras(
    frame: pl.DataFrame,
    headers: list[str],
    taken: list[str],
    column_map: dict[str, str],
    units: dict[str, str],
    notes: list[str],
) -> list[pl.Series]:
    """Columns kept exactly as printed (no unit conversion), named ``quantity_unit``."""
    out = []
    described = []
    used = set(taken) | set(units)
    for header in headers:
        quantity, unit = _split(header)
        name = snake(quantity) + (f"_{snake(unit)}" if unit else "")
        base, n = name, 2
        while name in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        series = frame.get_column(header).alias(name)
        if header in INTEGER_COLUMNS and series.dtype.is_numeric():
            series = series.cast(pl.Int64, strict=False)
        out.append(series)
        column_map[header] = name
        units[name] = unit or ""
        if unit:
            described.append(f"{header!r} → {name} ({unit})")
        if header == "control/V/mA":
            notes.append(
                "'control/V/mA' holds the control value in V while the potential is "
                "controlled and in mA while the current is; kept as printed"
            )
    if described:
        notes.append(
            "columns kept as printed because elyte does not convert their unit: "
            + ", ".join(described)
        )
    return out


def _coulombs_to_mah(names: list[str], notes: list[str]) -> tuple[list[pl.Expr], dict[str, str]]:
    """Charges EC-Lab prints in coulomb (``(Q-Qo)/C``) become mA.h for the capacity rules."""
    converted = []
    renames = {}
    for header in names:
        quantity, unit = _split(header)
        key = normalise_key(quantity)
        if unit is None or (key not in BIOLOGIC_RULES and key != "q charge/discharge"):
            continue
        spec = parse_unit(unit)
        if spec is None or spec.dimension != "charge_coulomb":
            continue
        new = f"{quantity}/mA.h"
        if new in names:
            continue
        # 1 mA.h = 3.6 C
        converted.append((pl.col(header).cast(pl.Float64) * (spec.factor / 3.6)).alias(header))
        renames[header] = new
        notes.append(f"{header!r} converted from coulomb to mA.h (1 mA.h = 3.6 C)")
    return converted, renames


def _derived_vendor_exprs(names: list[str], notes: list[str]) -> list[pl.Expr]:
    """EC-Lab's export-time columns that binary files lack, computed as EC-Lab computes them."""
    cols = set(names)
    new: list[pl.Expr] = []
    if "cycle number" not in cols and "half cycle" in cols:
        new.append((pl.col("half cycle").cast(pl.Int64) // 2).alias("cycle number"))
        notes.append(
            "cycle number derived as half cycle // 2 (EC-Lab's own rule: a cycle is a "
            "charge/discharge alternance)"
        )
    qcd = "Q charge/discharge/mA.h"
    if qcd in cols and "Q charge/mA.h" not in cols and "Q discharge/mA.h" not in cols:
        q = pl.col(qcd).cast(pl.Float64)
        new.append(q.clip(lower_bound=0.0).alias("Q charge/mA.h"))
        new.append((-q).clip(lower_bound=0.0).alias("Q discharge/mA.h"))
        notes.append(
            "Q charge and Q discharge derived from the signed per-half-cycle "
            "Q charge/discharge as max(±Q, 0), which is how EC-Lab exports them"
        )
    current_keys = {"i", "<i>"}
    has_current = any(normalise_key(_split(c)[0]) in current_keys for c in cols)
    dq_header = next((h for h in ("dq/mA.h", "dQ/mA.h") if h in cols), None)
    if not has_current and dq_header is not None and "time/s" in cols:
        dt = pl.col("time/s").cast(pl.Float64).diff()
        dq = pl.col(dq_header).cast(pl.Float64)
        average = (
            pl.when(dt > 0)
            .then(dq * 3600.0 / dt)
            .when(dt.is_null() & (dq == 0.0))
            .then(0.0)
            .otherwise(None)
        )
        new.append(average.alias("<I>/mA"))
        notes.append(
            f"the file has no current column; <I> derived as {dq_header} * 3600 / Δ(time/s) "
            "between rows (EC-Lab's own definition of the average current; 0 on the first "
            "row, empty where the time does not advance)"
        )
    return new


def _counter_total(value: pl.Expr, group: pl.Expr | None) -> pl.Expr:
    """Cumulative total of a counter that restarts at zero whenever ``group`` changes."""
    value = value.fill_null(0.0)
    if group is None:
        previous = value.shift(1)
        dropped = pl.when(value < previous).then(previous).otherwise(0.0)
        return value + dropped.cum_sum()
    new_group = (group != group.shift(1)).fill_null(True)
    return pl.when(new_group).then(value).otherwise(value - value.shift(1)).cum_sum()


def _cumulative_exprs(columns: list[str]) -> tuple[list[pl.Expr], dict[str, str], list[str]]:
    """BDF cumulative capacities and energies from EC-Lab's resetting counters."""
    exprs: list[pl.Expr] = []
    units: dict[str, str] = {}
    notes: list[str] = []
    cols = set(columns)
    half = pl.col(_HELPER + "half cycle") if _HELPER + "half cycle" in cols else None
    cycle = pl.col("cycle_count") if "cycle_count" in cols else None

    if {"step_charging_capacity_ah", "step_discharging_capacity_ah"} <= cols:
        for step, total in (
            ("step_charging_capacity_ah", "charging_capacity_ah"),
            ("step_discharging_capacity_ah", "discharging_capacity_ah"),
        ):
            exprs.append(_counter_total(pl.col(step), half).alias(total))
            units[total] = "Ah"
        notes.append(
            "step_charging_capacity_ah and step_discharging_capacity_ah hold EC-Lab's "
            "Q charge and Q discharge, which restart at every half cycle (not at every Ns); "
            "charging_capacity_ah and discharging_capacity_ah accumulate them over the test, "
            "restarting at every " + ("half cycle" if half is not None else "drop of the counter")
        )
    elif "net_capacity_ah" in cols:
        dq = pl.col("net_capacity_ah").diff().fill_null(0.0)
        exprs.append(dq.clip(lower_bound=0.0).cum_sum().alias("charging_capacity_ah"))
        exprs.append((-dq).clip(lower_bound=0.0).cum_sum().alias("discharging_capacity_ah"))
        units["charging_capacity_ah"] = units["discharging_capacity_ah"] = "Ah"
        notes.append(
            "charging_capacity_ah and discharging_capacity_ah derived from the increments of "
            "(Q-Qo) between rows (positive increments charge, negative ones discharge)"
        )

    if {"cycle_charging_energy_wh", "cycle_discharging_energy_wh"} <= cols:
        for cyc, total in (
            ("cycle_charging_energy_wh", "charging_energy_wh"),
            ("cycle_discharging_energy_wh", "discharging_energy_wh"),
        ):
            exprs.append(_counter_total(pl.col(cyc), cycle).alias(total))
            units[total] = "Wh"
        notes.append(
            "charging_energy_wh and discharging_energy_wh accumulated over the test from "
            "EC-Lab's Energy charge and Energy discharge, which restart at every "
            + ("increase of the cycle number" if cycle is not None else "drop of the counter")
        )
    elif "net_capacity_ah" in cols and "voltage_volt" in cols:
        dq = pl.col("net_capacity_ah").diff().fill_null(0.0)
        de = (pl.col("voltage_volt") * dq).abs().fill_null(0.0)
        exprs.append(pl.when(dq > 0).then(de).otherwise(0.0).cum_sum().alias("charging_energy_wh"))
        exprs.append(
            pl.when(dq < 0).then(de).otherwise(0.0).cum_sum().alias("discharging_energy_wh")
        )
        units["charging_energy_wh"] = units["discharging_energy_wh"] = "Wh"
        notes.append(
            "charging_energy_wh and discharging_energy_wh derived as the sum of |Ewe * ΔQ| over "
            "the increments of (Q-Qo), Ewe taken at the end of each interval (EC-Lab's own "
            "rule as far as its exports show); the file has no energy counters"
        )
    return exprs, units, notes


def _technique_exprs(
    short: str | None, helpers: Sequence[str], sequence_labels: Sequence[str] | None
) -> tuple[list[pl.Expr], list[str]]:
    """Expressions for ``technique`` and ``technique_index`` of every row."""
    if short is None:
        return [], []
    if short != "MB" or "Ns" not in helpers:
        return [
            pl.lit(short, dtype=pl.String).alias("technique"),
            pl.lit(1, dtype=pl.Int64).alias("technique_index"),
        ], []
    ns = pl.col(_HELPER + "Ns").cast(pl.Int64)
    index = (ns + 1).alias("technique_index")
    if sequence_labels:
        mapping = {i: str(label) for i, label in enumerate(sequence_labels)}
        label = ns.replace_strict(mapping, default="MB", return_dtype=pl.String)
        note = (
            "Modulo Bat file: technique of each row is the ctrl_type of its sequence Ns in the "
            "settings table ('MB' for an Ns beyond the table); technique_index is Ns + 1"
        )
        return [label.alias("technique"), index], [note]
    label = pl.lit("MB", dtype=pl.String)
    if "mode" in helpers:
        label = (
            pl.col(_HELPER + "mode")
            .cast(pl.Int64)
            .replace_strict(_MODE_LABELS, default="MB", return_dtype=pl.String)
        )
    if "freq/Hz" in helpers:
        label = pl.when(pl.col(_HELPER + "freq/Hz") > 0).then(pl.lit("EIS")).otherwise(label)
    note = (
        "Modulo Bat file without a readable sequence table: technique of each row is "
        "inferred from the data (mode flag 1 → 'CC', 2 → 'CV', 3 → 'Rest'; rows with a "
        "frequency → 'EIS'); technique_index is Ns + 1"
    )
    return [label.alias("technique"), index], [note]


def _convention_notes(out: pl.DataFrame) -> list[str]:
    notes = []
    if "current_ampere" in out.columns:
        notes.append(
            "current_ampere keeps BioLogic's sign: positive for oxidation at the working "
            "electrode, which is BDF's charging sign when the working electrode is the "
            "cell's positive electrode"
        )
    if "voltage_volt" in out.columns:
        notes.append(
            "voltage_volt is EC-Lab's Ewe (working electrode against the reference "
            "electrode); it is the cell voltage only in a two-electrode set-up"
        )
    if "test_time_second" in out.columns and out.height:
        first = out.get_column("test_time_second")[0]
        if first is not None and first > 0:
            notes.append(
                "test_time_second is EC-Lab's time/s, which counts from the start of the "
                f"whole experiment; this file starts at {first:.6g} s"
            )
    return notes
