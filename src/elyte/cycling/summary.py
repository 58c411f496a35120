"""One row per cycle: capacities, Coulombic efficiency, energies, voltages, CV share, C-rate.

:func:`summarize` turns a :class:`~elyte.recording.Recording` of a galvanostatic test into a
:class:`CycleTable`. Everything the numbers depend on is a parameter and is written into
``CycleTable.conventions``:

* **Cycles** — the caller chooses the definition (:mod:`elyte.cycling.segment`).
* **Capacities** — from the recording's cumulative ``charging_capacity_ah`` /
  ``discharging_capacity_ah`` columns when present (the instrument's own coulomb count), or
  integrated from the current: ``∫ max(I, 0) dt`` and ``∫ max(-I, 0) dt`` by the trapezoid
  rule with the zero crossing of an interval resolved, so the result is exact for a current
  that is linear between samples. Energies likewise from the cumulative energy columns or
  from ``∫ V·I dt``.
* **Attribution** — the interval between two consecutive rows counts toward the cycle of the
  later row, so the cycles partition the test: their capacities add up to the total.
* **Coulombic efficiency** — positive working electrode: discharge / charge of the same
  cycle; negative working electrode: charge / discharge (stripping / plating for Li on Cu).
* **Retention** — delivered capacity (discharge for a positive, charge for a negative
  working electrode) over that of the reference cycle.
* **CV share** — the part of the charge capacity passed while the voltage is held within a
  tolerance of the cycle's highest charging voltage *and* the current has fallen below
  ``(1 - cv_current_drop)`` x the cycle's largest charging current; or, when the recording
  has steps typed ``CV...`` (``CV_Chg``), the charge passed in those steps.
* **C-rate** — median ``|I|`` of the charging (discharging) rows over the nominal capacity.

The hot path is numpy only, with no per-row sort or hash ``group_by``. The rows are cut into
runs (maximal blocks of consecutive rows with the same cycle and direction) and the runs
into pieces wherever the CV flag or the sign of the current changes; every per-row integral
is summed once per piece with ``ufunc.reduceat`` (a cumulative counter needs no increments:
the increase over a piece is its last value minus the one before it), and the
pieces are added up per cycle. Cycles need not be contiguous in time. Zero crossings inside
an interval are resolved only at the few rows where the current changes sign, and the
median currents are selected cycle by cycle with ``numpy.partition``, skipping cycles whose
currents are all equal. The results equal the straightforward per-row formulation up to
floating-point rounding (the test suite checks this on random profiles).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl

from elyte._json import jsonable as _jsonable
from elyte.cycling.cell import CellSpec
from elyte.cycling.segment import CycleDefinition, CyclingDataError, label_arrays
from elyte.errors import ExportError, MissingCellParameterError
from elyte.recording import Recording

__all__ = ["CapacityBasis", "CycleTable", "Integration", "summarize"]

#: Where capacities and energies come from: the vendor's cumulative columns when present
#: (``"auto"``), always those (``"vendor"``), or always integrated (``"integrated"``).
CapacityBasis = Literal["auto", "vendor", "integrated"]

#: How the current is integrated when the capacity is not taken from vendor columns:
#: ``"trapezoid"`` (the current varies linearly between samples) or ``"interval_mean"``
#: (each row's current is the mean over the interval that ends at that row, as EC-Lab's
#: ``<I>`` is defined).
Integration = Literal["trapezoid", "interval_mean"]

#: Unit of every column :func:`summarize` can produce.
UNITS: dict[str, str] = {
    "cycle": "1",
    "start_time_s": "s",
    "duration_s": "s",
    "charge_capacity_ah": "Ah",
    "discharge_capacity_ah": "Ah",
    "charge_capacity_mah_g": "mAh/g",
    "discharge_capacity_mah_g": "mAh/g",
    "charge_capacity_mah_cm2": "mAh/cm2",
    "discharge_capacity_mah_cm2": "mAh/cm2",
    "coulombic_efficiency": "1",
    "capacity_retention": "1",
    "charge_energy_wh": "Wh",
    "discharge_energy_wh": "Wh",
    "charge_energy_wh_kg": "Wh/kg",
    "discharge_energy_wh_kg": "Wh/kg",
    "mean_charge_voltage_v": "V",
    "mean_discharge_voltage_v": "V",
    "voltage_hysteresis_v": "V",
    "cv_charge_capacity_ah": "Ah",
    "cv_charge_fraction": "1",
    "charge_current_a": "A",
    "discharge_current_a": "A",
    "charge_c_rate": "1/h",
    "discharge_c_rate": "1/h",
    "mean_temperature_celsius": "degC",
    "charge_segments": "1",
    "discharge_segments": "1",
}

_TEMPERATURE_COLUMNS = ("temperature_t1_celsius", "ambient_temperature_celsius")
_SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class CycleTable:
    """Per-cycle metrics of a galvanostatic test, with units and every convention used.

    Attributes
    ----------
    data : polars.DataFrame
        One row per cycle, sorted by ``cycle``; column names end in their unit (see
        :attr:`units`). Quantities that could not be computed are null, and
        :attr:`conventions` says why.
    units : dict
        Unit of every column (``"1"`` for dimensionless fractions and counts).
    conventions : dict
        How the numbers were obtained: cycle definition, CE definition, working electrode,
        reference cycle, capacity and energy basis, current threshold, CV detection,
        C-rate basis, mass and area used (plain JSON).
    cell : CellSpec
        The cell parameters given.
    source : dict
        ``path``, ``sha256``, ``format`` and ``instrument`` of the recording.
    notes : tuple of str
        Anything unusual found while summarising, in plain sentences.
    """

    data: pl.DataFrame
    units: Mapping[str, str]
    conventions: Mapping[str, Any]
    cell: CellSpec
    source: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return self.data.height

    @property
    def cycles(self) -> list[int]:
        """Cycle numbers in the table."""
        return [int(c) for c in self.data.get_column("cycle").to_list()]

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view: rows, units, conventions, cell, source and notes.

        Non-finite numbers become ``None``.
        """
        rows = [
            {k: _finite_or_none(v) for k, v in row.items()}
            for row in self.data.iter_rows(named=True)
        ]
        return {
            "units": dict(self.units),
            "conventions": _jsonable(dict(self.conventions)),
            "cell": _jsonable(self.cell.to_dict()),
            "source": _jsonable(dict(self.source)),
            "notes": list(self.notes),
            "rows": rows,
        }

    def to_json(self, path: str | PathLike[str] | None = None, *, indent: int = 2) -> str:
        """Serialise :meth:`to_dict` as JSON; also write it to ``path`` when given.

        Raises
        ------
        ExportError
            If the file cannot be written.
        """
        text = json.dumps(self.to_dict(), indent=indent)
        if path is not None:
            try:
                Path(path).write_text(text + "\n", encoding="utf-8")
            except OSError as exc:
                raise ExportError(f"cannot write JSON: {exc}", path=path) from exc
        return text

    def to_csv(self, path: str | PathLike[str]) -> Path:
        """Write the table as CSV (one row per cycle, unit-suffixed headers).

        Returns
        -------
        pathlib.Path
            The file written.

        Raises
        ------
        ExportError
            If the file cannot be written.
        """
        target = Path(path)
        try:
            self.data.write_csv(target)
        except OSError as exc:
            raise ExportError(f"cannot write CSV: {exc}", path=target) from exc
        return target


def _finite_or_none(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# --------------------------------------------------------------------------- kernels
def _positive_part(y0: np.ndarray, y1: np.ndarray) -> np.ndarray:
    """Mean of ``max(y, 0)`` over an interval where ``y`` runs linearly from y0 to y1."""
    hi = np.maximum(y0, y1)
    lo = np.minimum(y0, y1)
    mixed = (hi > 0) & (lo < 0)
    span = np.where(mixed, hi - lo, 1.0)
    crossing = np.where(mixed, hi * hi / (2.0 * span), 0.0)
    return np.where(lo >= 0, 0.5 * (y0 + y1), np.where(hi <= 0, 0.0, crossing))


_GAP_FACTOR = 10.0

#: Above this many cycles needing a true median (not all rows equal), the medians come
#: from one polars ``group_by`` instead of a loop of ``numpy.partition`` over the cycles.
_MEDIAN_LOOP_LIMIT = 2000


def _sparse_step_changes(labels: np.ndarray, dt: np.ndarray) -> int:
    """Count intervals at a change of direction that are much longer than usual.

    "Much longer" is more than ``_GAP_FACTOR`` x the median of the positive intervals; the
    median is only computed when some change interval could exceed that (one longer than
    ``_GAP_FACTOR`` x the shortest positive interval).
    """
    if dt.size < 2:
        return 0
    changed = np.flatnonzero(labels[1:] != labels[:-1])
    changed += 1
    at_change = dt[changed]
    at_change = at_change[at_change > 0]
    if at_change.size == 0:
        return 0
    shortest = float(np.min(dt, where=dt > 0, initial=np.inf))
    if not np.any(at_change > _GAP_FACTOR * shortest):
        return 0  # the median is at least the shortest interval
    typical = _median_of_positive(dt)
    return int(np.count_nonzero(at_change > _GAP_FACTOR * typical))


def _median_of_positive(dt: np.ndarray) -> float:
    """Median of the positive values of ``dt`` (all >= 0), as ``numpy.median`` gives it.

    Sampling intervals mostly repeat one value, so a value picked from a thinned sample is
    usually the median already; counting the values below and up to it proves that
    exactly (both middle values equal it), in three passes instead of a selection over
    all rows. Otherwise the median is computed in full.
    """
    zero = int(np.count_nonzero(dt == 0))
    size = dt.size - zero
    sample = dt[:: max(1, dt.size // 2048)]
    sample = sample[sample > 0]
    if sample.size and size:
        guess = float(np.partition(sample, sample.size // 2)[sample.size // 2])
        below = int(np.count_nonzero(dt < guess)) - zero
        up_to = int(np.count_nonzero(dt <= guess)) - zero
        k = size // 2  # middle index (odd size), or the upper of the two middle ones
        lowest_middle = k if size % 2 else k - 1
        if below <= lowest_middle and up_to > k:
            return guess
    return float(np.median(dt[dt > 0]))


def _filled_cumulative(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Fill the gaps of a cumulative counter; count the rows where it decreases.

    Missing values (NaN) take the previous value (0 before the first one).
    """
    if _all_finite(values):
        filled = values
    else:
        filled = pl.Series(values).fill_nan(None).forward_fill().fill_null(0.0).to_numpy()
    return filled, int(np.count_nonzero(filled[1:] < filled[:-1]))


def _increments_from_cumulative(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Row-wise increments of a cumulative counter (first row 0); count of decreases.

    Missing values (NaN) take the previous value (0 before the first one).
    """
    filled, decreases = _filled_cumulative(values)
    inc = np.empty(filled.shape, dtype=np.float64)
    if filled.size:
        inc[0] = 0.0
        np.subtract(filled[1:], filled[:-1], out=inc[1:])
    return inc, decreases


def _all_finite(values: np.ndarray) -> bool:
    """Whether every value is finite: one sum, the exact test only if the sum is not."""
    return math.isfinite(float(np.add.reduce(values))) or bool(np.isfinite(values).all())


def _float_column(frame: pl.DataFrame, name: str) -> np.ndarray:
    return frame.get_column(name).cast(pl.Float64).fill_null(np.nan).to_numpy()


def _shifted(values: np.ndarray) -> np.ndarray:
    """Return the previous row's value (the first row keeps its own)."""
    out = np.empty_like(values)
    if values.size:
        out[0] = values[0]
        out[1:] = values[:-1]
    return out


@dataclass(frozen=True)
class _Runs:
    """Maximal blocks of consecutive rows with the same cycle and direction.

    Per-cycle reductions are done per run with ``ufunc.reduceat`` over the rows (the runs
    are contiguous), then per cycle over the runs. Cycles need not be contiguous or
    ascending: the runs are put in cycle order (stable) before the second step.
    """

    starts: np.ndarray  # first row of every run (time order)
    lengths: np.ndarray
    code: np.ndarray  # direction of every run: 1, -1 or 0
    group: np.ndarray  # index of every run's cycle in ``cycles``
    cycles: np.ndarray  # distinct cycle numbers, ascending
    order: np.ndarray | None  # runs in cycle order (stable); None when already so
    group_starts: np.ndarray  # first position of every cycle in that order

    @classmethod
    def of(cls, codes: np.ndarray, cycle: np.ndarray) -> _Runs:
        n = codes.size
        change = codes[1:] != codes[:-1]
        change |= cycle[1:] != cycle[:-1]
        inner = np.flatnonzero(change)
        inner += 1
        starts = np.concatenate((np.zeros(1, dtype=np.int64), inner))
        lengths = np.diff(np.concatenate((starts, np.full(1, n, dtype=np.int64))))
        run_cycle = cycle[starts]
        if run_cycle.size < 2 or bool(np.all(run_cycle[1:] >= run_cycle[:-1])):
            order = None
            ordered = run_cycle
        else:
            order = np.argsort(run_cycle, kind="stable")
            ordered = run_cycle[order]
        first = np.flatnonzero(ordered[1:] != ordered[:-1])
        first += 1
        group_starts = np.concatenate((np.zeros(1, dtype=np.int64), first))
        sizes = np.diff(np.concatenate((group_starts, np.full(1, ordered.size))))
        group_sorted = np.repeat(np.arange(group_starts.size), sizes)
        if order is None:
            group = group_sorted
        else:
            group = np.empty_like(group_sorted)
            group[order] = group_sorted
        return cls(
            starts=starts,
            lengths=lengths,
            code=codes[starts],
            group=group,
            cycles=ordered[group_starts],
            order=order,
            group_starts=group_starts,
        )

    @property
    def size(self) -> int:
        """Number of cycles."""
        return int(self.cycles.size)

    def per_cycle(self, ufunc: np.ufunc, per_run: np.ndarray) -> np.ndarray:
        """Reduce per-run values to one value per cycle."""
        values = per_run if self.order is None else per_run[self.order]
        out: np.ndarray = ufunc.reduceat(values, self.group_starts)
        return out

    def sum(self, rows: np.ndarray) -> np.ndarray:
        """Sum of a per-row array over every cycle."""
        return self.per_cycle(np.add, np.add.reduceat(rows, self.starts))

    def count(self, code: int) -> np.ndarray:
        """Rows of one direction in every cycle."""
        return self.per_cycle(np.add, np.where(self.code == code, self.lengths, 0))

    def segments(self, code: int) -> np.ndarray:
        """Half-cycles of one direction starting in every cycle.

        A run starts one when its direction is not rest and the previous non-rest run has
        another direction, lies in another cycle, or does not exist.
        """
        active = np.flatnonzero(self.code != 0)
        a_code = self.code[active]
        a_group = self.group[active]
        new = np.ones(active.size, dtype=bool)
        new[1:] = (a_code[1:] != a_code[:-1]) | (a_group[1:] != a_group[:-1])
        hits = a_group[new & (a_code == code)]
        return np.bincount(hits, minlength=self.size).astype(np.int64)


@dataclass(frozen=True)
class _IntervalSigns:
    """Sign of the current over every interval (the one that ends at each row).

    Attributes
    ----------
    charging : numpy.ndarray
        True where the current is >= 0 at both ends of the interval (rest counts as
        charging: it adds nothing either way).
    crossing : numpy.ndarray
        Rows whose interval has the current change sign strictly inside (trapezoid rule
        only), ascending.
    """

    charging: np.ndarray
    crossing: np.ndarray

    @classmethod
    def unused(cls, size: int) -> _IntervalSigns:
        """Signs for a summary that integrates nothing (all one side, no crossing)."""
        return cls(np.ones(size, dtype=bool), np.zeros(0, dtype=np.int64))

    @classmethod
    def of(cls, i: np.ndarray, positive: np.ndarray, trapezoid: bool) -> _IntervalSigns:
        """Signs of the current ``i`` (A; ``positive``: ``i > 0``) under either rule."""
        negative = i < 0
        if not trapezoid:  # the row's current holds over the whole interval
            return cls(~negative, np.zeros(0, dtype=np.int64))
        either = negative.copy()
        either[1:] |= negative[:-1]
        crossing = np.flatnonzero((positive[:-1] & negative[1:]) | (negative[:-1] & positive[1:]))
        crossing += 1
        return cls(~either, crossing)


def _current_parts(
    i: np.ndarray, dt: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """2 x the charge and discharge parts of ∫I dt over zero-crossing intervals."""
    y0, y1, span = i[rows - 1], i[rows], dt[rows]
    return 2.0 * (_positive_part(y0, y1) * span), 2.0 * (_positive_part(-y0, -y1) * span)


def _energy_parts(
    i: np.ndarray, v: np.ndarray, dt: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """2 x the charge and discharge parts of ∫V·I dt over zero-crossing intervals.

    The mean voltage of the interval times the signed part of the current.
    """
    y0, y1, span = i[rows - 1], i[rows], dt[rows]
    v_mid = 0.5 * (v[rows - 1] + v[rows])
    return (
        2.0 * (v_mid * _positive_part(y0, y1) * span),
        2.0 * (v_mid * _positive_part(-y0, -y1) * span),
    )


def _changes(mask: np.ndarray) -> np.ndarray:
    """Rows whose value differs from the previous row's."""
    rows = np.flatnonzero(mask[1:] != mask[:-1])
    rows += 1
    return rows


@dataclass(frozen=True)
class _Pieces:
    """The runs cut further so that every sum over a piece goes to one side as a whole.

    A piece lies in one run (so in one cycle), has one CV flag and one interval sign, and
    is either a single zero-crossing interval or holds none.
    """

    starts: np.ndarray  # first row of every piece
    ends: np.ndarray  # one past its last row
    group: np.ndarray  # index of its cycle in _Runs.cycles
    cycles: int  # number of cycles
    cv: np.ndarray  # the piece's rows are CV rows
    charging: np.ndarray  # its intervals charge (see _IntervalSigns)
    crossing: np.ndarray  # pieces that are a zero-crossing interval

    @classmethod
    def of(cls, runs: _Runs, cv_rows: np.ndarray, signs: _IntervalSigns) -> _Pieces:
        n = cv_rows.size
        after = signs.crossing + 1
        cuts = [
            runs.starts,
            _changes(cv_rows),
            _changes(signs.charging),
            signs.crossing,
            after[after < n],
        ]
        starts = np.unique(np.concatenate(cuts))
        ends = np.empty_like(starts)
        ends[:-1] = starts[1:]
        ends[-1] = n
        run = np.searchsorted(runs.starts, starts, side="right") - 1
        return cls(
            starts=starts,
            ends=ends,
            group=runs.group[run],
            cycles=runs.size,
            cv=cv_rows[starts],
            charging=signs.charging[starts],
            crossing=np.searchsorted(starts, signs.crossing),
        )

    def per_cycle(self, per_piece: np.ndarray) -> np.ndarray:
        """Sum per-piece values over every cycle."""
        return np.bincount(self.group, weights=per_piece, minlength=self.cycles)

    def telescoped(self, cumulative: np.ndarray) -> np.ndarray:
        """Increase of a cumulative counter over every piece.

        The sum of the row increments of the piece (the first row of the test adds 0),
        taken as one difference: last value of the piece minus the value before it.
        """
        before = cumulative[np.maximum(self.starts - 1, 0)]
        out: np.ndarray = cumulative[self.ends - 1] - before
        return out

    def split(
        self, rows: np.ndarray, crossing_parts: tuple[np.ndarray, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Charge and discharge part of a signed per-row integral, per piece.

        A piece of charging intervals is all charge, any other all discharge (its sum
        negated); a zero-crossing interval takes the two parts given for it.
        """
        total = np.add.reduceat(rows, self.starts)
        charge = np.where(self.charging, total, 0.0)
        discharge = np.where(self.charging, 0.0, -total)
        charge[self.crossing] = crossing_parts[0]
        discharge[self.crossing] = crossing_parts[1]
        return charge, discharge


def _median_abs(
    values: np.ndarray, runs: _Runs, code: int, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """Median of ``|values|`` over the rows of one direction in every cycle.

    ``values`` is the current, whose sign is ``code`` on every row of that direction, so
    the median of ``|values|`` is ``|median(values)|``. ``lo`` and ``hi`` are the per-run
    minimum and maximum of ``values``. NaN for a cycle without such rows. A cycle whose
    rows all hold the same value needs no selection; the others are selected with
    ``numpy.partition`` cycle by cycle (or, for very many cycles, by one polars
    ``group_by``). For an even count the median is the mean of the two middle values, as
    polars and numpy define it.
    """
    chosen = runs.code == code
    count = runs.per_cycle(np.add, np.where(chosen, runs.lengths, 0))
    low = runs.per_cycle(np.fmin, np.where(chosen, lo, np.nan))
    high = runs.per_cycle(np.fmax, np.where(chosen, hi, np.nan))
    out = np.full(runs.size, np.nan)
    uniform = (count > 0) & (low == high)
    out[uniform] = np.abs(low[uniform])
    pending = (count > 0) & ~uniform
    if not pending.any():
        return out
    pick = np.flatnonzero(chosen & pending[runs.group])
    if runs.order is not None:
        pick = pick[np.argsort(runs.group[pick], kind="stable")]
    groups = runs.group[pick]
    starts = runs.starts[pick]
    lengths = runs.lengths[pick]
    if int(np.count_nonzero(pending)) > _MEDIAN_LOOP_LIMIT:
        offsets = np.cumsum(lengths) - lengths
        rows = np.arange(int(lengths.sum())) + np.repeat(starts - offsets, lengths)
        frame = pl.DataFrame({"g": np.repeat(groups, lengths), "x": np.abs(values[rows])})
        medians = frame.group_by("g").agg(pl.col("x").median())
        out[medians.get_column("g").to_numpy()] = medians.get_column("x").to_numpy()
        return out
    bounds = np.flatnonzero(np.diff(groups)) + 1
    first = np.concatenate(([0], bounds)).tolist()
    last = np.concatenate((bounds, [groups.size])).tolist()
    starts_l, ends_l, groups_l = starts.tolist(), (starts + lengths).tolist(), groups.tolist()
    # Every value has the sign ``code`` and none is NaN, so their IEEE bit patterns as
    # int64 are in the same order (positive) or the reverse order (negative); either way
    # the middle one(s) are the same values, and integer selection is faster.
    values = values.view(np.int64)
    partition = np.partition
    for a, b in zip(first, last, strict=True):
        if b - a == 1:
            block = values[starts_l[a] : ends_l[a]]
        else:
            block = np.concatenate(
                [values[s:e] for s, e in zip(starts_l[a:b], ends_l[a:b], strict=True)]
            )
        m = block.size  # >= 2: a cycle with one row is uniform
        k = m // 2
        middle = partition(block, (k - 1, k)).view(np.float64)
        median = middle[k] if m % 2 else 0.5 * (middle[k - 1] + middle[k])
        out[groups_l[a]] = abs(median)
    return out


# --------------------------------------------------------------------------- summarize
def summarize(
    rec: Recording,
    cell: CellSpec,
    *,
    cycle_definition: CycleDefinition,
    reference_cycle: int = 1,
    capacity_basis: CapacityBasis = "auto",
    integration: Integration = "trapezoid",
    current_threshold_a: float | None = None,
    cv_voltage_tolerance_v: float = 0.005,
    cv_current_drop: float = 0.02,
    specific: bool | None = None,
    areal: bool | None = None,
    c_rate: bool | None = None,
) -> CycleTable:
    """Summarise a galvanostatic cycling recording, one row per cycle.

    Parameters
    ----------
    rec : Recording
        Needs ``test_time_second`` and ``current_ampere``; ``voltage_volt`` for energies,
        mean voltages and the CV share; ``cycle_count`` for the vendor cycle definition.
    cell : CellSpec
        Cell parameters (working electrode, mass, area, nominal capacity).
    cycle_definition : {"vendor", "charge_discharge", "discharge_charge"}
        What a cycle is (see :mod:`elyte.cycling.segment`). No default on purpose.
    reference_cycle : int
        Cycle whose delivered capacity is 100 % in ``capacity_retention`` (e.g. the first
        cycle after formation).
    capacity_basis : {"auto", "vendor", "integrated"}
        ``"auto"`` uses the cumulative capacity (energy) columns when the recording has
        them and integrates the current (V·I) otherwise; ``"vendor"`` requires the
        columns; ``"integrated"`` always integrates.
    integration : {"trapezoid", "interval_mean"}
        Rule for integrating I (and V·I) over time: ``"trapezoid"`` treats the current
        as linear between samples (exact for piecewise-linear profiles, zero crossings
        resolved); ``"interval_mean"`` takes each row's value as the mean over the
        interval ending at that row (EC-Lab's ``<I>``), which is right when a step
        change happens between two sparse samples.
    current_threshold_a : float, optional
        Dead band for the charge/discharge/rest labels, A (default 1e-3 x max |I|). It
        affects cycle boundaries and the median currents, not the integrals.
    cv_voltage_tolerance_v : float
        A charging row is in the CV phase when its voltage is within this many volts of
        the cycle's highest charging voltage (and its current has dropped, see below).
    cv_current_drop : float
        ... and its current is below ``(1 - cv_current_drop)`` x the cycle's largest
        charging current.
    specific, areal, c_rate : bool or None
        Whether to compute mAh/g and Wh/kg (needs the active mass), mAh/cm² (needs the
        area) and C-rates (needs the nominal capacity). ``None``: when the cell allows,
        otherwise the columns are null and the conventions say why. ``True``: required,
        so a missing parameter raises. ``False``: not computed.

    Returns
    -------
    CycleTable
        The per-cycle table with units and conventions.

    Raises
    ------
    CyclingDataError
        If the recording is empty, a needed column is missing, the basis ``"vendor"`` is
        asked for without the cumulative columns, a parameter is out of range, or the
        reference cycle is absent.
    MissingCellParameterError
        If ``specific``, ``areal`` or ``c_rate`` is ``True`` and the cell lacks what it
        needs.
    """
    path = rec.meta.source_path
    frame = rec.data
    for name in ("test_time_second", "current_ampere"):
        if name not in frame.columns:
            raise CyclingDataError(
                f"summarising cycles needs the column {name!r}; the recording has {frame.columns}",
                path=path,
            )
    if frame.height == 0:
        raise CyclingDataError("the recording has no rows to summarise", path=path)
    if capacity_basis not in ("auto", "vendor", "integrated"):
        raise CyclingDataError(
            f"capacity_basis must be 'auto', 'vendor' or 'integrated', not {capacity_basis!r}",
            path=path,
        )
    if integration not in ("trapezoid", "interval_mean"):
        raise CyclingDataError(
            f"integration must be 'trapezoid' or 'interval_mean', not {integration!r}", path=path
        )
    if not (math.isfinite(cv_voltage_tolerance_v) and cv_voltage_tolerance_v >= 0):
        raise CyclingDataError(
            f"cv_voltage_tolerance_v must be >= 0 V, not {cv_voltage_tolerance_v!r}", path=path
        )
    if not (math.isfinite(cv_current_drop) and 0 <= cv_current_drop < 1):
        raise CyclingDataError(
            f"cv_current_drop must be in [0, 1), not {cv_current_drop!r}", path=path
        )

    labels = label_arrays(
        frame,
        definition=cycle_definition,
        current_threshold_a=current_threshold_a,
        path=path,
    )
    notes: list[str] = []
    conventions: dict[str, Any] = {
        "cycle_definition": cycle_definition,
        **labels.info,
        "current_threshold_a": labels.threshold,
        "current_threshold_rule": (
            "given by the caller"
            if current_threshold_a is not None
            else "1e-3 x the largest |current| in the recording"
        ),
        "direction": "charge if current > threshold, discharge if current < -threshold, "
        "else rest (BDF sign: positive current charges the cell)",
        "integration": integration,
        "interval_attribution": "each interval between consecutive rows counts toward the "
        "cycle of its later row; the cycles partition the test",
    }
    codes = labels.codes
    runs = _Runs.of(codes, labels.cycle)

    # ---- per-row quantities (numpy) -------------------------------------------------
    t = _float_column(frame, "test_time_second")
    current = _float_column(frame, "current_ampere")
    n = t.size
    dt = np.empty(n)
    dt[0] = 0.0
    np.subtract(t[1:], t[:-1], out=dt[1:])
    if not (dt.min() >= 0 and _all_finite(dt)):  # NaN fails the comparison
        with np.errstate(invalid="ignore"):
            bad_dt = ~((dt >= 0) & (dt < np.inf))
        notes.append(
            f"{int(bad_dt.sum())} interval(s) with a missing or decreasing test time were "
            "given zero duration"
        )
        dt[bad_dt] = 0.0
    if _all_finite(current):
        i = current
    else:
        finite_current = np.isfinite(current)
        i = np.where(finite_current, current, 0.0)
        notes.append(
            f"{int((~finite_current).sum())} row(s) with a missing current were "
            "counted as zero current"
        )
    trapezoid = integration == "trapezoid"
    has_voltage = "voltage_volt" in frame.columns
    v = _float_column(frame, "voltage_volt") if has_voltage else np.full(n, np.nan)

    vendor_cap = all(
        c in frame.columns for c in ("charging_capacity_ah", "discharging_capacity_ah")
    )
    vendor_energy = all(c in frame.columns for c in ("charging_energy_wh", "discharging_energy_wh"))
    if capacity_basis == "vendor" and not vendor_cap:
        raise CyclingDataError(
            "capacity_basis='vendor' needs the cumulative columns charging_capacity_ah and "
            "discharging_capacity_ah, which the recording lacks; use 'integrated'",
            path=path,
        )
    use_vendor_cap = vendor_cap and capacity_basis != "integrated"
    use_vendor_energy = vendor_energy and capacity_basis != "integrated"
    integrate_energy = has_voltage and not use_vendor_energy

    # Pieces: the runs cut further wherever the CV flag or the sign of the current over
    # the interval changes, and around every zero crossing, so that each piece is summed
    # once and its sum goes to one side (charge or discharge, CV or not) as a whole.
    above_zero = i > 0
    i_low = np.minimum.reduceat(i, runs.starts)  # per run
    i_high = np.maximum.reduceat(i, runs.starts)
    cv_rows, cv_convention = _cv_rows(
        frame, runs, above_zero, i, v, has_voltage, cv_voltage_tolerance_v, cv_current_drop, i_high
    )
    if integrate_energy or not use_vendor_cap:
        signs = _IntervalSigns.of(i, above_zero, trapezoid)
    else:
        signs = _IntervalSigns.unused(n)
    pieces = _Pieces.of(runs, cv_rows, signs)

    # charge and discharge capacity of every piece, Ah x q_scale
    if use_vendor_cap:
        filled_c, down_c = _filled_cumulative(_float_column(frame, "charging_capacity_ah"))
        filled_d, down_d = _filled_cumulative(_float_column(frame, "discharging_capacity_ah"))
        q_charge = pieces.telescoped(filled_c)
        q_discharge = pieces.telescoped(filled_d)
        q_scale = 1.0
        if down_c or down_d:
            notes.append(
                f"the cumulative capacity columns decrease at {down_c + down_d} row(s); "
                "those decreases are kept as negative increments"
            )
        conventions["capacity_basis"] = (
            "vendor: increments of the cumulative columns charging_capacity_ah and "
            "discharging_capacity_ah (the instrument's coulomb count)"
        )
    else:
        if trapezoid:
            gaps = _sparse_step_changes(codes, dt)
            if gaps:
                notes.append(
                    f"{gaps} interval(s) where the direction changes span more than "
                    f"{_GAP_FACTOR:g}x the median sampling interval; the trapezoid spreads "
                    "the current step over the whole gap (if each row's current is the mean "
                    "over the preceding interval, as EC-Lab's <I>, use "
                    "integration='interval_mean')"
                )
        # 2 x the trapezoid of I over every interval (the 1/2 goes into q_scale)
        q = np.empty(n)
        if trapezoid:
            q[0] = 2.0 * i[0]
            np.add(i[:-1], i[1:], out=q[1:])
        else:
            np.add(i, i, out=q)
        q *= dt
        q_charge, q_discharge = pieces.split(q, _current_parts(i, dt, signs.crossing))
        q_scale = 2.0 * _SECONDS_PER_HOUR
        conventions["capacity_basis"] = (
            "integrated: trapezoid of max(I, 0) and max(-I, 0) over test time, zero "
            "crossings resolved (exact for current linear between samples)"
            if trapezoid
            else "integrated: each row's current times the interval ending at it (the "
            "current is the interval mean, as EC-Lab's <I>)"
        )
    charge_ah = pieces.per_cycle(q_charge) / q_scale
    discharge_ah = pieces.per_cycle(q_discharge) / q_scale
    cv_ah = pieces.per_cycle(np.where(pieces.cv, q_charge, 0.0)) / q_scale

    charge_wh: np.ndarray | None = None
    discharge_wh: np.ndarray | None = None
    if use_vendor_energy:
        filled_c, _ = _filled_cumulative(_float_column(frame, "charging_energy_wh"))
        filled_d, _ = _filled_cumulative(_float_column(frame, "discharging_energy_wh"))
        charge_wh = pieces.per_cycle(pieces.telescoped(filled_c))
        discharge_wh = pieces.per_cycle(pieces.telescoped(filled_d))
        conventions["energy_basis"] = (
            "vendor: increments of the cumulative columns charging_energy_wh and "
            "discharging_energy_wh"
        )
    elif has_voltage:
        all_v = _all_finite(v)
        finite_v = np.ones(0, dtype=bool) if all_v else np.isfinite(v)
        v_filled = v if all_v else np.where(finite_v, v, np.nan)
        # 2 x the trapezoid of V*I over every interval (interval mean: 2 x the row's V*I)
        power = v_filled * i
        e = np.empty(n)
        if trapezoid:
            e[0] = 2.0 * power[0]
            np.add(power[:-1], power[1:], out=e[1:])
        else:
            np.add(power, power, out=e)
        e *= dt
        parts = _energy_parts(i, v_filled, dt, signs.crossing)
        e_charge, e_discharge = pieces.split(e, parts)
        if not (np.isfinite(e_charge).all() and np.isfinite(e_discharge).all()):
            # a row without a voltage adds nothing (numpy.nan_to_num of every interval)
            parts = (np.nan_to_num(parts[0], nan=0.0), np.nan_to_num(parts[1], nan=0.0))
            e_charge, e_discharge = pieces.split(np.nan_to_num(e, nan=0.0), parts)
        charge_wh = pieces.per_cycle(e_charge) / (2.0 * _SECONDS_PER_HOUR)
        discharge_wh = pieces.per_cycle(e_discharge) / (2.0 * _SECONDS_PER_HOUR)
        if not all_v:
            notes.append(f"{int((~finite_v).sum())} row(s) without a voltage add no energy")
        conventions["energy_basis"] = (
            "integrated: trapezoid of V*I over test time, split by the sign of I (exact "
            "for V*I linear between samples)"
            if trapezoid
            else "integrated: each row's V*I times the interval ending at it"
        )
    else:
        conventions["energy_basis"] = "not computed: the recording has no voltage_volt column"
    conventions["cv_detection"] = cv_convention

    # ---- currents and half-cycles ----------------------------------------------------
    # Per-cycle columns as numpy arrays; ``valid`` is False where a column is null.
    size = runs.size
    nothing = np.zeros(size, dtype=bool)
    charge_current = _median_abs(i, runs, 1, i_low, i_high)
    discharge_current = _median_abs(i, runs, -1, i_low, i_high)
    charge_segments = runs.segments(1)
    discharge_segments = runs.segments(-1)
    values: dict[str, np.ndarray] = {
        "cycle": runs.cycles,
        "start_time_s": runs.per_cycle(np.fmin, np.fmin.reduceat(t, runs.starts)),
        "duration_s": runs.sum(dt),
        "charge_capacity_ah": charge_ah,
        "discharge_capacity_ah": discharge_ah,
        "charge_energy_wh": np.full(size, np.nan) if charge_wh is None else charge_wh,
        "discharge_energy_wh": np.full(size, np.nan) if discharge_wh is None else discharge_wh,
        "cv_charge_capacity_ah": cv_ah,
        "charge_current_a": charge_current,
        "discharge_current_a": discharge_current,
        "charge_segments": charge_segments,
        "discharge_segments": discharge_segments,
    }
    valid: dict[str, np.ndarray] = {
        "charge_current_a": ~np.isnan(charge_current),
        "discharge_current_a": ~np.isnan(discharge_current),
    }
    if charge_wh is None:
        valid["charge_energy_wh"] = valid["discharge_energy_wh"] = nothing

    # ---- temperature ----------------------------------------------------------------
    temp_col = next((c for c in _TEMPERATURE_COLUMNS if c in frame.columns), None)
    if temp_col is not None:
        temp = _float_column(frame, temp_col)
        t_mid = 0.5 * (_shifted(temp) + temp)
        ok = np.isfinite(t_mid)
        weighted = runs.sum(np.where(ok, t_mid * dt, 0.0))
        weight = runs.sum(np.where(ok, dt, 0.0))
        present = ~np.isnan(temp)
        sample_sum = runs.sum(np.where(present, temp, 0.0))
        samples = runs.sum(present.astype(np.float64))
        with np.errstate(invalid="ignore", divide="ignore"):
            values["mean_temperature_celsius"] = np.where(
                weight > 0, weighted / weight, sample_sum / samples
            )
        valid["mean_temperature_celsius"] = (weight > 0) | (samples > 0)
        conventions["temperature"] = (
            f"time-weighted mean of {temp_col} over the cycle (trapezoid); the sample mean "
            "where a cycle has zero duration"
        )
    else:
        values["mean_temperature_celsius"] = np.full(size, np.nan)
        valid["mean_temperature_celsius"] = nothing
        conventions["temperature"] = (
            "not computed: the recording has no temperature column "
            f"({' or '.join(_TEMPERATURE_COLUMNS)})"
        )

    # ---- derived columns -------------------------------------------------------------
    qc, qd = charge_ah, discharge_ah
    ec, ed = values["charge_energy_wh"], values["discharge_energy_wh"]
    has_energy = charge_wh is not None
    positive = cell.working_electrode == "positive"
    num, den = (qd, qc) if positive else (qc, qd)
    delivered = "discharge" if positive else "charge"
    conventions["working_electrode"] = cell.working_electrode
    conventions["coulombic_efficiency"] = (
        "discharge_capacity_ah / charge_capacity_ah of the same cycle (positive working electrode)"
        if positive
        else "charge_capacity_ah / discharge_capacity_ah of the same cycle (negative working "
        "electrode: stripping / plating, delithiation / lithiation); null for a cycle "
        "that lacks a charge or a discharge half-cycle"
    )
    both_halves = (charge_segments > 0) & (discharge_segments > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        values["coulombic_efficiency"] = num / den
        values["mean_charge_voltage_v"] = ec / qc
        values["mean_discharge_voltage_v"] = ed / qd
        values["cv_charge_fraction"] = cv_ah / qc
        values["voltage_hysteresis_v"] = (
            values["mean_charge_voltage_v"] - values["mean_discharge_voltage_v"]
        )
    valid["coulombic_efficiency"] = both_halves & _positive(den)
    valid["mean_charge_voltage_v"] = _positive(qc) & has_energy
    valid["mean_discharge_voltage_v"] = _positive(qd) & has_energy
    valid["cv_charge_fraction"] = _positive(qc)
    valid["voltage_hysteresis_v"] = (
        valid["mean_charge_voltage_v"] & valid["mean_discharge_voltage_v"]
    )
    if not has_voltage:
        valid["cv_charge_capacity_ah"] = valid["cv_charge_fraction"] = nothing
    conventions["mean_voltage"] = "energy / capacity of the half-cycle"
    conventions["voltage_hysteresis"] = "mean_charge_voltage_v - mean_discharge_voltage_v"

    # mass-normalised
    conventions["specific"] = _optional(
        values,
        valid,
        want=specific,
        available=cell.has_active_mass(),
        raise_missing=cell.active_mass,
        columns=(
            "charge_capacity_mah_g",
            "discharge_capacity_mah_g",
            "charge_energy_wh_kg",
            "discharge_energy_wh_kg",
        ),
        make=lambda: _specific_columns(cell.active_mass(), qc, qd, ec, ed, has_energy),
        described=lambda: {
            "active_mass_g": cell.active_mass(),
            "basis": "active material (CellSpec.active_mass())",
        },
    )
    conventions["areal"] = _optional(
        values,
        valid,
        want=areal,
        available=cell.area_cm2 is not None,
        raise_missing=cell.area,
        columns=("charge_capacity_mah_cm2", "discharge_capacity_mah_cm2"),
        make=lambda: {
            "charge_capacity_mah_cm2": (qc * 1000.0 / cell.area(), None),
            "discharge_capacity_mah_cm2": (qd * 1000.0 / cell.area(), None),
        },
        described=lambda: {"area_cm2": cell.area()},
    )
    conventions["c_rate"] = _optional(
        values,
        valid,
        want=c_rate,
        available=cell.has_nominal_capacity(),
        raise_missing=cell.nominal_capacity,
        columns=("charge_c_rate", "discharge_c_rate"),
        make=lambda: {
            "charge_c_rate": (
                charge_current / cell.nominal_capacity(),
                valid["charge_current_a"],
            ),
            "discharge_c_rate": (
                discharge_current / cell.nominal_capacity(),
                valid["discharge_current_a"],
            ),
        },
        described=lambda: {
            "nominal_capacity_ah": cell.nominal_capacity(),
            "rule": "median |current| of the charging (discharging) rows / nominal capacity",
        },
    )

    # retention
    cycles = runs.cycles.tolist()
    if reference_cycle not in cycles:
        raise CyclingDataError(
            f"reference cycle {reference_cycle} is not in the recording (cycles "
            f"{_span(cycles)}); pass reference_cycle=<one of them>",
            path=path,
        )
    delivered_col = f"{delivered}_capacity_ah"
    delivered_q = values[delivered_col]
    ref_value = float(delivered_q[cycles.index(reference_cycle)])
    if not ref_value > 0:
        notes.append(
            f"the reference cycle {reference_cycle} delivered no {delivered} capacity; "
            "capacity_retention is null"
        )
        values["capacity_retention"] = np.full(size, np.nan)
        valid["capacity_retention"] = nothing
    else:
        values["capacity_retention"] = delivered_q / ref_value
        valid["capacity_retention"] = values[f"{delivered}_segments"] > 0
    conventions["reference_cycle"] = reference_cycle
    conventions["capacity_retention"] = (
        f"{delivered_col} / {delivered_col} of cycle {reference_cycle} (delivered capacity "
        f"of a {cell.working_electrode} working electrode); null for a cycle without a "
        f"{delivered} half-cycle"
    )
    conventions["duration"] = "sum of the intervals attributed to the cycle"
    conventions["current_columns"] = (
        "charge_current_a / discharge_current_a: median |current| of the rows labelled "
        "charge / discharge"
    )

    # notes on unusual cycles
    odd = (charge_segments > 1) | (discharge_segments > 1)
    if odd.any():
        notes.append(
            f"cycle(s) {_span(runs.cycles[odd].tolist())} hold more than one charge or "
            "discharge half-cycle (see charge_segments, discharge_segments)"
        )
    if labels.info.get("cycle_0"):
        notes.append(str(labels.info["cycle_0"]))

    table = pl.DataFrame([_series(c, values[c], valid.get(c)) for c in UNITS if c in values])
    source = {
        "path": path,
        "sha256": rec.meta.sha256,
        "format": rec.meta.format,
        "instrument": rec.meta.instrument,
    }
    return CycleTable(
        data=table,
        units={c: UNITS[c] for c in table.columns},
        conventions=conventions,
        cell=cell,
        source=source,
        notes=tuple(notes),
    )


def _span(values: list[Any]) -> str:
    if len(values) <= 12:
        return ", ".join(str(v) for v in values)
    return ", ".join(str(v) for v in values[:10]) + f", ... ({len(values)} in all)"


def _positive(values: np.ndarray) -> np.ndarray:
    """``values > 0`` as polars compares floats (NaN above every number)."""
    with np.errstate(invalid="ignore"):
        out: np.ndarray = (values > 0) | np.isnan(values)
    return out


#: A computed per-cycle column: values and where they are valid (None: everywhere).
_Column = tuple[np.ndarray, np.ndarray | None]


def _series(name: str, values: np.ndarray, valid: np.ndarray | None) -> pl.Series:
    """Make a table column (Int64 counts and cycle numbers, else Float64), null where invalid."""
    dtype = pl.Int64 if values.dtype.kind in "iu" else pl.Float64
    if valid is None or bool(valid.all()):
        return pl.Series(name, values, dtype=dtype)
    return pl.Series(name, np.ma.masked_array(values, mask=~valid), dtype=dtype)


def _specific_columns(
    mass_g: float,
    qc: np.ndarray,
    qd: np.ndarray,
    ec: np.ndarray,
    ed: np.ndarray,
    has_energy: bool,
) -> dict[str, _Column]:
    kg = mass_g / 1000.0
    energy_valid = None if has_energy else np.zeros(qc.size, dtype=bool)
    return {
        "charge_capacity_mah_g": (qc * 1000.0 / mass_g, None),
        "discharge_capacity_mah_g": (qd * 1000.0 / mass_g, None),
        "charge_energy_wh_kg": (ec / kg, energy_valid),
        "discharge_energy_wh_kg": (ed / kg, energy_valid),
    }


def _optional(
    values: dict[str, np.ndarray],
    valid: dict[str, np.ndarray],
    *,
    want: bool | None,
    available: bool,
    raise_missing: Callable[[], float],
    columns: tuple[str, ...],
    make: Callable[[], dict[str, _Column]],
    described: Callable[[], dict[str, Any]],
) -> str | dict[str, Any]:
    """Add columns that need a cell parameter: compute, raise, or null with a reason.

    The columns go into ``values`` (and ``valid`` where some are null); the return value
    is what the conventions record.
    """
    if want is True and not available:
        raise_missing()  # raises MissingCellParameterError naming what to pass
        raise MissingCellParameterError(f"cannot compute {columns}")  # pragma: no cover
    if want is False:
        reason = "not requested"
    elif available:
        for name, (column, where) in make().items():
            values[name] = column
            if where is not None:
                valid[name] = where
        return described()
    else:
        try:
            raise_missing()
        except MissingCellParameterError as exc:
            reason = f"not computed: {exc.message}"
        else:  # pragma: no cover - available said otherwise
            reason = "not computed"
    size = next(iter(values.values())).size
    for name in columns:
        values[name] = np.full(size, np.nan)
        valid[name] = np.zeros(size, dtype=bool)
    return reason


def _cv_step_rows(step_type: pl.Series) -> np.ndarray | None:
    """Rows in steps whose type starts with ``CV``; None when no step type does.

    A categorical column is matched through its physical codes: only the distinct codes
    (found at the changes of step type) are turned into text.
    """
    if isinstance(step_type.dtype, pl.Categorical | pl.Enum) and not step_type.null_count():
        dtype = step_type.dtype
        if isinstance(dtype, pl.Enum) and not any(_is_cv(c) for c in dtype.categories.to_list()):
            return None  # no category of the Enum could match: no need to look at the rows
        physical = step_type.to_physical().to_numpy()
        starts = np.concatenate((np.zeros(1, dtype=np.int64), _changes(physical)))
        ids, first = np.unique(physical[starts], return_index=True)
        names = step_type.gather(starts[first]).cast(pl.String).to_list()
        cv_ids = [c for c, s in zip(ids.tolist(), names, strict=True) if _is_cv(s)]
        if not cv_ids:
            return None
        in_cv: np.ndarray = physical == cv_ids[0]
        for other in cv_ids[1:]:
            in_cv |= physical == other
        return in_cv
    text = step_type.cast(pl.String)
    cv_names = [s for s in text.unique().to_list() if s is not None and _is_cv(s)]
    if not cv_names:
        return None
    rows: np.ndarray = text.is_in(cv_names).fill_null(False).to_numpy()
    return rows


def _is_cv(step_type: str) -> bool:
    return step_type.strip().upper().startswith("CV")


def _cv_rows(
    frame: pl.DataFrame,
    runs: _Runs,
    positive: np.ndarray,
    i: np.ndarray,
    v: np.ndarray,
    has_voltage: bool,
    tolerance_v: float,
    current_drop: float,
    i_high: np.ndarray,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Flag the rows whose preceding interval belongs to a CV phase.

    ``positive`` flags the rows with ``i > 0``; ``i_high`` is the largest current of every
    run.
    """
    if "step_type" in frame.columns:
        in_cv_step = _cv_step_rows(frame.get_column("step_type"))
        if in_cv_step is not None:
            in_cv_step &= positive
            return in_cv_step, {
                "method": "step_type",
                "rule": "charge passed in steps whose step_type starts with 'CV'",
            }
    if not has_voltage:
        return np.zeros(i.size, dtype=bool), {
            "method": "none",
            "rule": "not computed: no voltage_volt column",
        }
    charging_run = runs.code == 1
    v_max = runs.per_cycle(
        np.fmax, np.where(charging_run, np.fmax.reduceat(v, runs.starts), np.nan)
    )
    i_cc = runs.per_cycle(np.fmax, np.where(charging_run, i_high, np.nan))
    has_charge = runs.count(1) > 0
    # per run: thresholds of its cycle; a cycle without charging rows has no CV rows
    v_floor = (v_max - tolerance_v)[runs.group]
    i_ceiling = np.where(has_charge, (1.0 - current_drop) * i_cc, -np.inf)[runs.group]
    rows = positive.copy()
    rows &= i < np.repeat(i_ceiling, runs.lengths)
    with np.errstate(invalid="ignore"):
        near_top = v >= np.repeat(v_floor, runs.lengths)
    if not _all_finite(v):
        near_top |= np.isnan(v)  # polars orders NaN above every number
    rows &= near_top
    return rows, {
        "method": "voltage",
        "rule": "a charging row is in the CV phase when V >= (highest charging V of the cycle) "
        "- voltage_tolerance_v and I < (1 - current_drop) x (largest charging I of the "
        "cycle); the interval ending at such a row counts as CV",
        "voltage_tolerance_v": tolerance_v,
        "current_drop": current_drop,
    }
