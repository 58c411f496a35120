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

import hashlib
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from elyte.errors import ReaderError
from elyte.io._frame import Rule, build_recording, canonicalise, normalise_key, snake
from elyte.recording import Recording
from elyte.schema import canonical_order
from elyte.units import parse_unit, split_header

__all__ = [
    "BIOLOGIC_RULES",
    "INTEGER_COLUMNS",
    "TECHNIQUE_SHORT_NAMES",
    "build_biologic_recording",
    "sha256_soon",
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


# Header analysis is a pure function of the header; EC-Lab uses a few hundred headers at
# most, so caching it saves the same string work on every file.
@lru_cache(maxsize=4096)
def _split(header: str) -> tuple[str, str | None]:
    """Split an EC-Lab header into quantity and unit, knowing EC-Lab's quirks."""
    if header in _NO_UNIT or "/" not in header:
        return header, None
    for unit in _COMPOUND_UNITS:
        if header.endswith("/" + unit) and len(header) > len(unit) + 1:
            return header[: -len(unit) - 1], unit
    quantity, _, unit = header.rpartition("/")
    return quantity, unit


@lru_cache(maxsize=4096)
def _key(header: str) -> str:
    """Rule key of an EC-Lab header: its quantity, normalised (``"<I>/mA"`` → ``"<i>"``)."""
    return normalise_key(_split(header)[0])


@lru_cache(maxsize=4096)
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
    sha256: str | Callable[[], str] | None = None,
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
    sha256 : str or callable, optional
        SHA-256 hex digest of the file's bytes, or a function returning it (from
        :func:`sha256_soon`, called last so that the hashing overlaps the decoding); the
        file is hashed here when not given.

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
    columns = frame.columns

    rules = dict(BIOLOGIC_RULES)
    keys = {_key(c): c for c in reversed(columns)}
    for group in _PREFERENCE:
        present = [k for k in group if k in keys]
        for loser in present[1:]:
            rules.pop(loser, None)
            all_notes.append(
                f"{keys[present[0]]!r} and {keys[loser]!r} are both present; "
                f"{BIOLOGIC_RULES[loser].canonical} is {keys[present[0]]!r} and "
                f"{keys[loser]!r} is kept as an extra column"
            )
    # A phase in another unit than degrees is not phase_degree: it stays an extra column.
    phase_header = keys.get("phase(z)")
    if phase_header is not None and _split(phase_header)[1] not in ("deg", "°"):
        rules.pop("phase(z)", None)
    raw_extras = [c for c in columns if _key(c) not in rules and not _is_clean(c)]
    subset = frame
    if raw_extras:
        raw = set(raw_extras)
        subset = _columns(frame, [c for c in columns if c not in raw])
    canon = canonicalise(subset, rules, path=path, temperature_keys=frozenset({"temperature"}))
    column_map = dict(canon.column_map)
    units = dict(canon.units)
    out = {s.name: s for s in canon.frame.get_columns()}
    for series in _raw_extras(frame, raw_extras, list(out), column_map, units, all_notes):
        out[series.name] = series

    # EC-Lab columns the derived columns need, under their canonical or extra names (the
    # mapping keeps their values: Ns becomes step_id as Int64, freq/Hz is already in Hz).
    helpers = {h: column_map.get(h, h) for h in ("half cycle", "Ns", "mode", "freq/Hz")}
    helpers = {h: name for h, name in helpers.items() if h in columns}
    cumulative, cumulative_units, cumulative_notes = _cumulative_plan(list(out), helpers)
    units.update(cumulative_units)
    all_notes.extend(cumulative_notes)
    for series in _evaluate(cumulative, out):
        out[series.name] = series
    height = canon.frame.height
    short = short_technique_name(technique) if technique is not None else None
    technique_series, technique_notes = _technique_columns(
        short, helpers, sequence_labels, out, height
    )
    all_notes.extend(technique_notes)
    for series in technique_series:
        out[series.name] = series
        units[series.name] = "" if series.name == "technique" else "1"
    result = pl.DataFrame([out[n] for n in canonical_order(list(out))], height=height)

    techniques: tuple[str, ...] = ()
    if short == "MB" and "Ns" in helpers:
        labels = result.get_column("technique")
        techniques = tuple(labels.unique(maintain_order=True).drop_nulls().to_list()) or (short,)
    elif short is not None:
        techniques = (short,)
    else:
        all_notes.append("the file does not name its technique; no technique column")
    all_notes.extend(_convention_notes(result))
    column_map = {original.get(k, k): v for k, v in column_map.items()}
    canon = replace(canon, frame=result, column_map=column_map, units=units)
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
        sha256=sha256() if callable(sha256) else sha256,
    )


#: Inputs from this size on are hashed on a helper thread; below it, starting a thread
#: costs more than the hash (SHA-256 runs at about 1-2 GB/s).
_BACKGROUND_HASH_BYTES = 1 << 20
_HASH_CHUNK = 1 << 20


def sha256_soon(source: bytes | memoryview | Path, *, size: int | None = None) -> Callable[[], str]:
    """Start hashing ``source`` and return a function that gives its SHA-256 hex digest.

    Parameters
    ----------
    source : bytes, memoryview or pathlib.Path
        The file's bytes already in memory, or the file to read.
    size : int, optional
        Size of the file in bytes when ``source`` is a path and the caller knows it.

    Returns
    -------
    callable
        Returns the digest, waiting for the hash to finish if needed.

    Notes
    -----
    Large inputs are hashed on a helper thread while the caller decodes the data:
    :mod:`hashlib` releases the interpreter lock while it hashes, so on a multi-core
    machine the provenance hash of a large file costs almost no wall time. The thread
    reads nothing but ``source`` and stops when the hash is done.
    """
    if not isinstance(source, Path):
        size = len(source)
    elif size is None:
        try:
            size = source.stat().st_size
        except OSError as exc:
            raise ReaderError(f"cannot read file: {exc}", path=source) from exc
    if size < _BACKGROUND_HASH_BYTES:
        digest = _sha256(source)
        return lambda: digest
    result: list[str | BaseException] = []

    def work() -> None:
        try:
            result.append(_sha256(source))
        except BaseException as exc:  # handed to the caller, raised there
            result.append(exc)

    thread = threading.Thread(target=work, name="elyte-sha256", daemon=True)
    thread.start()

    def wait() -> str:
        thread.join()
        if isinstance(result[0], BaseException):
            raise result[0]
        return result[0]

    return wait


def _sha256(source: bytes | memoryview | Path) -> str:
    if not isinstance(source, Path):
        return hashlib.sha256(source).hexdigest()
    digest = hashlib.sha256()
    buffer = bytearray(_HASH_CHUNK)
    view = memoryview(buffer)
    try:
        with source.open("rb", buffering=0) as handle:
            while n := handle.readinto(buffer):
                digest.update(view[:n])
    except OSError as exc:
        raise ReaderError(f"cannot read file: {exc}", path=source) from exc
    return digest.hexdigest()


def _columns(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Take the named columns of ``frame`` in the given order, sharing its data (no copy)."""
    # ``frame[names]`` takes the columns directly, without the query engine's fixed cost.
    return frame[names]


# Derived columns
# ---------------
# Every column elyte computes from EC-Lab's own ones is described once, by a _Derived
# (what to compute, from which columns), then evaluated in one of two ways that give
# bit-for-bit the same values: with numpy when every input is a plain number column (no
# nulls, no NaN or infinity: the usual case for binary files and complete text exports),
# else with polars expressions, the reference, which also define how nulls and NaN
# propagate. numpy costs a few microseconds per column where each polars expression costs
# tens of them, which is most of the time spent on a small file.

#: Set to False to force the polars expressions (tests compare both ways).
_USE_NUMPY = True


@dataclass(frozen=True, slots=True)
class _Derived:
    """One derived column: ``kind`` names the rule, ``inputs`` are the columns it reads."""

    name: str
    kind: str
    inputs: tuple[str, ...]
    factor: float = 1.0


# Kinds whose inputs must be integers for the numpy evaluation (group labels, counters).
_INTEGER_INPUTS = {"half_cycle_to_cycle": (0,), "counter_total": (1,)}


def _evaluate(
    derived: Sequence[_Derived],
    columns: Mapping[str, pl.Series],
    *,
    reference: bool = False,
) -> list[pl.Series]:
    """Compute ``derived`` in order from ``columns`` (a later one may use an earlier one).

    ``reference`` forces the polars expressions.
    """
    if not derived:
        return []
    arrays = None if reference or not _USE_NUMPY else _numpy_inputs(derived, columns)
    if arrays is None:
        frame = pl.DataFrame([columns[n] for n in _external_inputs(derived)])
        source: dict[str, pl.Expr] = {}
        for d in derived:
            source[d.name] = _expression(d, lambda name: source.get(name, pl.col(name)))
        return frame.select([expr.alias(name) for name, expr in source.items()]).get_columns()
    # One block holds every result: a single large allocation is much cheaper to fill
    # than one per column, and polars takes the rows over without copying.
    block = np.empty((len(derived), len(next(iter(arrays.values())))))
    out = []
    with np.errstate(all="ignore"):  # polars gives inf and NaN silently; so does this
        for d, row in zip(derived, block, strict=True):
            target = row.view(np.int64) if d.kind == "half_cycle_to_cycle" else row
            values = _array(d, arrays, target)
            if not isinstance(values, np.ma.MaskedArray):  # nulls: no input of another
                arrays[d.name] = values
            out.append(pl.Series(d.name, values))
    return out


def _external_inputs(derived: Sequence[_Derived]) -> list[str]:
    """Input columns of ``derived`` that none of them computes, in first-use order."""
    made = {d.name for d in derived}
    names: dict[str, None] = {}
    for d in derived:
        names.update((n, None) for n in d.inputs if n not in made)
    return list(names)


def _numpy_inputs(
    derived: Sequence[_Derived], columns: Mapping[str, pl.Series]
) -> dict[str, np.ndarray] | None:
    """Return the input columns as numpy arrays, or None when numpy would not match polars.

    numpy matches polars bit for bit on float64 columns without nulls, NaN or infinities
    and on integer columns without nulls. polars orders NaN above every number in
    comparisons (and a difference of infinities is NaN), where numpy's comparisons with
    NaN are all false; such columns, and nulls, are left to the polars expressions.
    """
    integer = {
        d.inputs[i] for d in derived for i in _INTEGER_INPUTS.get(d.kind, ()) if i < len(d.inputs)
    }
    arrays = {}
    for name in _external_inputs(derived):
        series = columns[name]
        dtype = series.dtype
        if series.has_nulls():
            return None
        if dtype == pl.Float64 and name not in integer:
            values = series.to_numpy()
            if not np.isfinite(values).all():
                return None
        elif dtype.is_integer() and dtype != pl.UInt64:
            values = series.to_numpy()
        else:
            return None
        arrays[name] = values
    return arrays


def _expression(d: _Derived, col: Callable[[str], pl.Expr]) -> pl.Expr:
    """Polars expression of a derived column; the reference for how nulls propagate."""
    kind = d.kind
    if kind == "scaled":
        return col(d.inputs[0]).cast(pl.Float64) * d.factor
    if kind == "half_cycle_to_cycle":
        return col(d.inputs[0]).cast(pl.Int64) // 2
    if kind == "positive_part":
        return col(d.inputs[0]).cast(pl.Float64).clip(lower_bound=0.0)
    if kind == "negative_part":
        return (-col(d.inputs[0]).cast(pl.Float64)).clip(lower_bound=0.0)
    if kind == "average_current":
        dq = col(d.inputs[0]).cast(pl.Float64)
        dt = col(d.inputs[1]).cast(pl.Float64).diff()
        return (
            pl.when(dt > 0)
            .then(dq * 3600.0 / dt)
            .when(dt.is_null() & (dq == 0.0))
            .then(0.0)
            .otherwise(None)
        )
    if kind == "counter_total":
        value = col(d.inputs[0]).fill_null(0.0)
        if len(d.inputs) == 1:
            previous = value.shift(1)
            dropped = pl.when(value < previous).then(previous).otherwise(0.0)
            return value + dropped.cum_sum()
        group = col(d.inputs[1])
        new_group = (group != group.shift(1)).fill_null(True)
        return pl.when(new_group).then(value).otherwise(value - value.shift(1)).cum_sum()
    dq = col(d.inputs[0]).diff().fill_null(0.0)
    if kind == "positive_increments":
        return dq.clip(lower_bound=0.0).cum_sum()
    if kind == "negative_increments":
        return (-dq).clip(lower_bound=0.0).cum_sum()
    energy = (col(d.inputs[1]) * dq).abs().fill_null(0.0)
    if kind == "charging_energy":
        return pl.when(dq > 0).then(energy).otherwise(0.0).cum_sum()
    if kind == "discharging_energy":
        return pl.when(dq < 0).then(energy).otherwise(0.0).cum_sum()
    raise ValueError(f"unknown derived column kind {kind!r}")  # pragma: no cover


def _array(d: _Derived, arrays: Mapping[str, np.ndarray], out: np.ndarray) -> np.ndarray:
    """Evaluate a derived column with numpy into ``out``, bit for bit as :func:`_expression`.

    Inputs have no nulls, NaN or infinities. ``out`` is float64 (int64 for the cycle
    number). Returns ``out``, or a masked array over it where the expression gives nulls.
    Work happens in place: on large files every temporary array costs more in fresh memory
    than in arithmetic.
    """
    kind = d.kind
    x = arrays[d.inputs[0]]
    if kind == "scaled":
        np.multiply(x, d.factor, out=out)
        return out
    if kind == "half_cycle_to_cycle":
        np.floor_divide(x, 2, out=out)
        return out
    if kind in ("positive_part", "negative_part"):
        np.copyto(out, x)
        if kind == "negative_part":
            np.negative(out, out=out)
        return _clip_below_zero(out)
    if kind == "average_current":
        time = arrays[d.inputs[1]]
        valid = np.zeros(out.shape, dtype=bool)
        if out.size:
            dt = np.subtract(time[1:], time[:-1], dtype=np.float64)
            np.greater(dt, 0, out=valid[1:])
            np.multiply(x[1:], 3600.0, out=out[1:])
            np.divide(out[1:], dt, out=out[1:])  # rows where dt <= 0 end up masked
            out[0] = 0.0
            valid[0] = x[0] == 0.0
        if valid.all():
            return out
        return np.ma.MaskedArray(out, mask=np.logical_not(valid, out=valid))
    if kind == "counter_total":
        np.copyto(out, x)
        if len(d.inputs) == 1:
            dropped = np.zeros_like(out)
            np.copyto(dropped[1:], out[:-1], where=out[1:] < out[:-1])
            np.add(out, _cum_sum(dropped), out=out)
            return out
        group = arrays[d.inputs[1]]
        # within a group, the increment over the previous row; at a new group, the value
        np.subtract(out[1:], x[:-1], out=out[1:], where=group[1:] == group[:-1])
        return _cum_sum(out)
    out[:1] = 0.0
    np.subtract(x[1:], x[:-1], out=out[1:])
    if kind == "negative_increments":
        np.negative(out, out=out)
    if kind in ("positive_increments", "negative_increments"):
        return _cum_sum(_clip_below_zero(out))
    # |Ewe * ΔQ| where ΔQ has the right sign (inputs are finite, so ΔQ is never NaN)
    if kind == "charging_energy":
        other_sign = out <= 0
    elif kind == "discharging_energy":
        other_sign = out >= 0
    else:  # pragma: no cover
        raise ValueError(f"unknown derived column kind {kind!r}")
    np.multiply(arrays[d.inputs[1]], out, out=out)
    np.absolute(out, out=out)
    np.copyto(out, 0.0, where=other_sign)
    return _cum_sum(out)


def _clip_below_zero(x: np.ndarray) -> np.ndarray:
    """Set ``x`` to ``max(x, 0)`` in place as polars' clip does (NaN and -0.0 kept)."""
    np.copyto(x, 0.0, where=x < 0.0)
    return x


def _cum_sum(x: np.ndarray) -> np.ndarray:
    """Sum cumulatively in place as polars does: from 0.0, so a leading -0.0 becomes 0.0."""
    np.cumsum(x, out=x)
    if x.size and x[0] == 0.0 and np.signbit(x[0]):  # only a leading run can be -0.0
        np.add(x, 0.0, out=x)
    return x


def _prepared(frame: pl.DataFrame, notes: list[str]) -> tuple[pl.DataFrame, dict[str, str]]:
    """EC-Lab frame ready for mapping: C → mA.h, negated names spelled out, derived columns.

    Returns the frame and, for renamed columns, new name → EC-Lab name.
    """
    names = [c for c in frame.columns if c.strip()]
    # EC-Lab prints some quantities negated ("-Im(Zce)"); keep that visible in the extra
    # column's name instead of letting the minus sign vanish in snake_case.
    negated = {
        c: "minus " + c[1:] for c in names if c.startswith("-") and _key(c) not in BIOLOGIC_RULES
    }
    converted = _coulombs_to_mah(names, notes)
    renames = {d.inputs[0]: d.name for d in converted} | negated
    final = [renames.get(c, c) for c in names]
    derived = _derived_vendor_columns(final, notes)
    if not (renames or derived) and len(names) == frame.width:
        return frame, {}
    columns = {c: frame.get_column(c) for c in names}
    new = {s.name: s for s in _evaluate(converted + derived, columns)}
    series = []
    for c in names:
        target = renames.get(c, c)
        series.append(new[target] if target in new else columns[c].alias(target))
    series += [new[d.name] for d in derived]
    return pl.DataFrame(series, height=frame.height), {n: old for old, n in negated.items()}


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


def _coulombs_to_mah(names: list[str], notes: list[str]) -> list[_Derived]:
    """Charges EC-Lab prints in coulomb (``(Q-Qo)/C``) become mA.h for the capacity rules."""
    converted = []
    for header in names:
        quantity, unit = _split(header)
        key = _key(header)
        if unit is None or (key not in BIOLOGIC_RULES and key != "q charge/discharge"):
            continue
        spec = parse_unit(unit)
        if spec is None or spec.dimension != "charge_coulomb":
            continue
        new = f"{quantity}/mA.h"
        if new in names:
            continue
        # 1 mA.h = 3.6 C
        converted.append(_Derived(new, "scaled", (header,), spec.factor / 3.6))
        notes.append(f"{header!r} converted from coulomb to mA.h (1 mA.h = 3.6 C)")
    return converted


def _derived_vendor_columns(names: list[str], notes: list[str]) -> list[_Derived]:
    """EC-Lab's export-time columns that binary files lack, computed as EC-Lab computes them."""
    cols = set(names)
    new: list[_Derived] = []
    if "cycle number" not in cols and "half cycle" in cols:
        new.append(_Derived("cycle number", "half_cycle_to_cycle", ("half cycle",)))
        notes.append(
            "cycle number derived as half cycle // 2 (EC-Lab's own rule: a cycle is a "
            "charge/discharge alternance)"
        )
    qcd = "Q charge/discharge/mA.h"
    if qcd in cols and "Q charge/mA.h" not in cols and "Q discharge/mA.h" not in cols:
        new.append(_Derived("Q charge/mA.h", "positive_part", (qcd,)))
        new.append(_Derived("Q discharge/mA.h", "negative_part", (qcd,)))
        notes.append(
            "Q charge and Q discharge derived from the signed per-half-cycle "
            "Q charge/discharge as max(±Q, 0), which is how EC-Lab exports them"
        )
    current_keys = {"i", "<i>"}
    has_current = any(_key(c) in current_keys for c in cols)
    dq_header = next((h for h in ("dq/mA.h", "dQ/mA.h") if h in cols), None)
    if not has_current and dq_header is not None and "time/s" in cols:
        new.append(_Derived("<I>/mA", "average_current", (dq_header, "time/s")))
        notes.append(
            f"the file has no current column; <I> derived as {dq_header} * 3600 / Δ(time/s) "
            "between rows (EC-Lab's own definition of the average current; 0 on the first "
            "row, empty where the time does not advance)"
        )
    return new


def _cumulative_plan(
    columns: list[str], helpers: Mapping[str, str]
) -> tuple[list[_Derived], dict[str, str], list[str]]:
    """BDF cumulative capacities and energies from EC-Lab's resetting counters.

    ``helpers`` maps EC-Lab headers (``"half cycle"``) to their column in ``columns``.
    """
    derived: list[_Derived] = []
    units: dict[str, str] = {}
    notes: list[str] = []
    cols = set(columns)
    half = (helpers["half cycle"],) if "half cycle" in helpers else ()
    cycle = ("cycle_count",) if "cycle_count" in cols else ()

    if {"step_charging_capacity_ah", "step_discharging_capacity_ah"} <= cols:
        for step, total in (
            ("step_charging_capacity_ah", "charging_capacity_ah"),
            ("step_discharging_capacity_ah", "discharging_capacity_ah"),
        ):
            derived.append(_Derived(total, "counter_total", (step, *half)))
            units[total] = "Ah"
        notes.append(
            "step_charging_capacity_ah and step_discharging_capacity_ah hold EC-Lab's "
            "Q charge and Q discharge, which restart at every half cycle (not at every Ns); "
            "charging_capacity_ah and discharging_capacity_ah accumulate them over the test, "
            "restarting at every " + ("half cycle" if half else "drop of the counter")
        )
    elif "net_capacity_ah" in cols:
        derived.append(
            _Derived("charging_capacity_ah", "positive_increments", ("net_capacity_ah",))
        )
        derived.append(
            _Derived("discharging_capacity_ah", "negative_increments", ("net_capacity_ah",))
        )
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
            derived.append(_Derived(total, "counter_total", (cyc, *cycle)))
            units[total] = "Wh"
        notes.append(
            "charging_energy_wh and discharging_energy_wh accumulated over the test from "
            "EC-Lab's Energy charge and Energy discharge, which restart at every "
            + ("increase of the cycle number" if cycle else "drop of the counter")
        )
    elif "net_capacity_ah" in cols and "voltage_volt" in cols:
        inputs = ("net_capacity_ah", "voltage_volt")
        derived.append(_Derived("charging_energy_wh", "charging_energy", inputs))
        derived.append(_Derived("discharging_energy_wh", "discharging_energy", inputs))
        units["charging_energy_wh"] = units["discharging_energy_wh"] = "Wh"
        notes.append(
            "charging_energy_wh and discharging_energy_wh derived as the sum of |Ewe * ΔQ| over "
            "the increments of (Q-Qo), Ewe taken at the end of each interval (EC-Lab's own "
            "rule as far as its exports show); the file has no energy counters"
        )
    return derived, units, notes


def _technique_columns(
    short: str | None,
    helpers: Mapping[str, str],
    sequence_labels: Sequence[str] | None,
    columns: Mapping[str, pl.Series],
    height: int,
) -> tuple[list[pl.Series], list[str]]:
    """``technique`` and ``technique_index`` of every row.

    ``helpers`` maps EC-Lab headers (``"Ns"``, ``"mode"``, ``"freq/Hz"``) to their column.
    """
    if short is None:
        return [], []
    if short != "MB" or "Ns" not in helpers:
        return [
            pl.Series("technique", [short], dtype=pl.String).new_from_index(0, height),
            pl.Series("technique_index", [1], dtype=pl.Int64).new_from_index(0, height),
        ], []
    ns = pl.col(helpers["Ns"]).cast(pl.Int64)
    index = (ns + 1).alias("technique_index")
    if sequence_labels:
        mapping = {i: str(label) for i, label in enumerate(sequence_labels)}
        label = ns.replace_strict(mapping, default="MB", return_dtype=pl.String)
        note = (
            "Modulo Bat file: technique of each row is the ctrl_type of its sequence Ns in the "
            "settings table ('MB' for an Ns beyond the table); technique_index is Ns + 1"
        )
    else:
        label = pl.lit("MB", dtype=pl.String)
        if "mode" in helpers:
            label = (
                pl.col(helpers["mode"])
                .cast(pl.Int64)
                .replace_strict(_MODE_LABELS, default="MB", return_dtype=pl.String)
            )
        if "freq/Hz" in helpers:
            label = pl.when(pl.col(helpers["freq/Hz"]) > 0).then(pl.lit("EIS")).otherwise(label)
        note = (
            "Modulo Bat file without a readable sequence table: technique of each row is "
            "inferred from the data (mode flag 1 → 'CC', 2 → 'CV', 3 → 'Rest'; rows with a "
            "frequency → 'EIS'); technique_index is Ns + 1"
        )
    inputs = pl.DataFrame([columns[n] for n in dict.fromkeys(helpers.values())], height=height)
    return inputs.select(label.alias("technique"), index).get_columns(), [note]


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
