"""Retention and life metrics of a cycling test.

Every function takes the per-cycle table of :func:`elyte.cycling.summarize` (a
:class:`~elyte.cycling.summary.CycleTable`, or any polars DataFrame with a ``cycle`` column)
and returns a small frozen result that carries its units and the parameters used, with a
``to_dict()`` for JSON. Ratios are fractions (0.954), with percentages added in
``to_dict()``.

Which capacity: by default the *delivered* capacity of the working electrode as recorded in
the table's conventions — discharge for a positive working electrode (cathode vs Li),
charge for a negative one (stripping from Cu, delithiation of graphite). Which reference:
the table's reference cycle. Both can be overridden, and must be given for a plain
DataFrame.

:func:`retention` is the bare arithmetic ``q_n / q_ref``; it reproduces the seed paper's
numbers, e.g. 194.7 / 204.1 mAh/g = 95.4 %.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import polars as pl

from elyte._json import jsonable as _clean
from elyte.cycling.segment import CyclingDataError
from elyte.cycling.summary import UNITS, CycleTable

__all__ = [
    "AverageCE",
    "CyclesToThreshold",
    "FadeRate",
    "Retention",
    "SuddenFailure",
    "average_ce",
    "capacity_retention",
    "cycles_to_threshold",
    "detect_sudden_failure",
    "fade_rate",
    "retention",
]


class _Result:
    """Shared ``to_dict`` for the frozen result dataclasses."""

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view (non-finite numbers become ``None``)."""
        out: dict[str, Any] = _clean(asdict(self))  # type: ignore[call-overload]
        return out


# --------------------------------------------------------------------------- helpers
def retention(q_ref: float, q_n: float) -> float:
    """Capacity retention ``q_n / q_ref`` as a fraction.

    Parameters
    ----------
    q_ref : float
        Capacity of the reference cycle (any unit; the same as ``q_n``).
    q_n : float
        Capacity of the cycle of interest.

    Returns
    -------
    float
        ``q_n / q_ref`` (multiply by 100 for percent).

    Raises
    ------
    CyclingDataError
        If ``q_ref`` is not a positive finite number or ``q_n`` is not finite.

    Examples
    --------
    The seed paper (Fig. S23): 194.7 mAh/g after 80 cycles vs 204.1 mAh/g.

    >>> round(100 * retention(204.1, 194.7), 1)
    95.4
    """
    ref, value = float(q_ref), float(q_n)
    if not (math.isfinite(ref) and ref > 0):
        raise CyclingDataError(f"the reference capacity must be positive, not {q_ref!r}")
    if not math.isfinite(value):
        raise CyclingDataError(f"the capacity must be a finite number, not {q_n!r}")
    return value / ref


def _frame(table: CycleTable | pl.DataFrame) -> pl.DataFrame:
    frame = table.data if isinstance(table, CycleTable) else table
    if "cycle" not in frame.columns:
        raise CyclingDataError(f"the table needs a 'cycle' column; it has {frame.columns}")
    return frame.sort("cycle")


def _default_column(table: CycleTable | pl.DataFrame, column: str | None) -> str:
    if column is not None:
        frame = _frame(table)
        if column not in frame.columns:
            raise CyclingDataError(f"the table has no column {column!r}; it has {frame.columns}")
        return column
    if isinstance(table, CycleTable):
        electrode = table.conventions.get("working_electrode")
        return "charge_capacity_ah" if electrode == "negative" else "discharge_capacity_ah"
    raise CyclingDataError(
        "pass column=... (e.g. 'discharge_capacity_mah_g'): a plain DataFrame does not say "
        "which capacity the working electrode delivers"
    )


def _default_reference(table: CycleTable | pl.DataFrame, reference_cycle: int | None) -> int:
    if reference_cycle is not None:
        return int(reference_cycle)
    if isinstance(table, CycleTable) and "reference_cycle" in table.conventions:
        return int(table.conventions["reference_cycle"])
    raise CyclingDataError("pass reference_cycle=...: a plain DataFrame does not record one")


def _unit(column: str) -> str:
    return UNITS.get(column, "")


def _series(frame: pl.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Cycles and values of ``column`` where the value is finite."""
    sub = frame.select(
        pl.col("cycle").cast(pl.Float64), pl.col(column).cast(pl.Float64).fill_nan(None)
    ).drop_nulls()
    return sub.get_column("cycle").to_numpy(), sub.get_column(column).to_numpy()


def _value_at(frame: pl.DataFrame, column: str, cycle: int) -> float:
    hit = frame.filter(pl.col("cycle") == cycle).get_column(column)
    if hit.len() == 0:
        raise CyclingDataError(
            f"cycle {cycle} is not in the table (cycles {_span(frame)}); pick another"
        )
    value = hit[0]
    if value is None or not math.isfinite(float(value)):
        raise CyclingDataError(f"{column} of cycle {cycle} is missing")
    return float(value)


def _span(frame: pl.DataFrame) -> str:
    cycles = frame.get_column("cycle")
    if cycles.len() == 0:
        return "none"
    return f"{cycles.min()!s}-{cycles.max()!s}"


def _reference_capacity(frame: pl.DataFrame, column: str, reference_cycle: int) -> float:
    value = _value_at(frame, column, reference_cycle)
    if value <= 0:
        raise CyclingDataError(
            f"{column} of the reference cycle {reference_cycle} is {value}; retention needs "
            "a positive reference"
        )
    return value


# --------------------------------------------------------------------------- retention
@dataclass(frozen=True)
class Retention(_Result):
    """Capacity retention of one cycle.

    Attributes
    ----------
    cycle, reference_cycle : int
        The cycle and the reference cycle.
    capacity, reference_capacity : float
        Their capacities, in ``unit``.
    retention : float
        ``capacity / reference_capacity`` (fraction).
    column, unit : str
        The capacity column used and its unit.
    """

    cycle: int
    reference_cycle: int
    capacity: float
    reference_capacity: float
    retention: float
    column: str
    unit: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view, with ``retention_percent`` added."""
        out = super().to_dict()
        out["retention_percent"] = 100.0 * self.retention
        return out


def capacity_retention(
    table: CycleTable | pl.DataFrame,
    cycle: int,
    *,
    reference_cycle: int | None = None,
    column: str | None = None,
) -> Retention:
    """Retention at ``cycle`` relative to the reference cycle.

    Parameters
    ----------
    table : CycleTable or polars.DataFrame
        Per-cycle table.
    cycle : int
        Cycle of interest.
    reference_cycle : int, optional
        Default: the table's reference cycle (required for a DataFrame).
    column : str, optional
        Capacity column; default the delivered capacity of the working electrode
        (required for a DataFrame).

    Returns
    -------
    Retention

    Raises
    ------
    CyclingDataError
        If a cycle is absent, its capacity missing, or the reference capacity not positive.
    """
    frame = _frame(table)
    col = _default_column(table, column)
    ref = _default_reference(table, reference_cycle)
    q_ref = _reference_capacity(frame, col, ref)
    q_n = _value_at(frame, col, int(cycle))
    return Retention(int(cycle), ref, q_n, q_ref, retention(q_ref, q_n), col, _unit(col))


# --------------------------------------------------------------------------- threshold
@dataclass(frozen=True)
class CyclesToThreshold(_Result):
    """Cycle at which the retention first falls to a threshold.

    Attributes
    ----------
    cycle : float or None
        Interpolated (fractional) cycle number; ``None`` if the threshold is never reached.
    threshold : float
        Retention threshold (fraction, 0.8 for 80 %).
    reference_cycle : int
        Cycle whose capacity is 100 %.
    bracket : tuple of int or None
        The last cycle at or above the threshold and the first at or below it.
    reason : str or None
        Why ``cycle`` is ``None``.
    lowest_retention : float or None
        Lowest retention after the reference cycle (fraction).
    column, unit : str
        Capacity column and its unit.
    method : str
        How the crossing is located.
    """

    cycle: float | None
    threshold: float
    reference_cycle: int
    bracket: tuple[int, int] | None
    reason: str | None
    lowest_retention: float | None
    column: str
    unit: str
    method: str = (
        "first cycle after the reference whose retention is at or below the threshold, "
        "linearly interpolated from the cycle before it"
    )


def cycles_to_threshold(
    table: CycleTable | pl.DataFrame,
    threshold: float = 0.8,
    *,
    reference_cycle: int | None = None,
    column: str | None = None,
) -> CyclesToThreshold:
    """Cycle at which the retention first reaches ``threshold`` (80 % by default).

    Parameters
    ----------
    table : CycleTable or polars.DataFrame
        Per-cycle table.
    threshold : float
        Retention threshold as a fraction (0 < threshold < 1 in practice).
    reference_cycle : int, optional
        Default: the table's reference cycle.
    column : str, optional
        Capacity column; default the delivered capacity.

    Returns
    -------
    CyclesToThreshold
        ``cycle`` is interpolated linearly between the last cycle above and the first at or
        below the threshold; ``None`` with a ``reason`` if that never happens.

    Raises
    ------
    CyclingDataError
        If the threshold is not a positive finite number or the reference is unusable.
    """
    if not (math.isfinite(threshold) and threshold > 0):
        raise CyclingDataError(f"threshold must be a positive fraction, not {threshold!r}")
    frame = _frame(table)
    col = _default_column(table, column)
    ref = _default_reference(table, reference_cycle)
    q_ref = _reference_capacity(frame, col, ref)
    cycles, values = _series(frame, col)
    keep = cycles >= ref
    cycles, ratio = cycles[keep], values[keep] / q_ref
    after = cycles > ref
    lowest = float(ratio[after].min()) if after.any() else None
    hits = np.flatnonzero(after & (ratio <= threshold))
    common: dict[str, Any] = {
        "threshold": threshold,
        "reference_cycle": ref,
        "column": col,
        "unit": _unit(col),
    }
    if hits.size == 0:
        reason = (
            "no cycle after the reference cycle"
            if lowest is None
            else f"the retention never fell to {100 * threshold:g} % (lowest "
            f"{100 * lowest:.2f} % after the reference cycle)"
        )
        return CyclesToThreshold(
            None, bracket=None, reason=reason, lowest_retention=lowest, **common
        )
    k = int(hits[0])
    c0, c1, r0, r1 = cycles[k - 1], cycles[k], ratio[k - 1], ratio[k]
    cycle = float(c1) if r1 == threshold else float(c0 + (r0 - threshold) / (r0 - r1) * (c1 - c0))
    return CyclesToThreshold(
        cycle, bracket=(int(c0), int(c1)), reason=None, lowest_retention=lowest, **common
    )


# --------------------------------------------------------------------------- average CE
@dataclass(frozen=True)
class AverageCE(_Result):
    """Average Coulombic efficiency over a range of cycles.

    Attributes
    ----------
    mean : float
        Arithmetic mean of the per-cycle CE (fraction).
    std : float or None
        Sample standard deviation (fraction); ``None`` for a single cycle.
    minimum : float
        Lowest per-cycle CE in the range.
    cumulative : float
        Ratio of the summed numerators to the summed denominators over the range (the
        charge-weighted average; equals ``mean`` when all cycles have equal capacity).
    n_cycles : int
        Cycles with a CE in the range.
    first_cycle, last_cycle : int
        The range (inclusive).
    definition : str
        CE definition, from the table's conventions when known.
    unit : str
        ``"1"`` (fraction).
    """

    mean: float
    std: float | None
    minimum: float
    cumulative: float | None
    n_cycles: int
    first_cycle: int
    last_cycle: int
    definition: str
    unit: str = "1"

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view, with ``mean_percent`` added."""
        out = super().to_dict()
        out["mean_percent"] = 100.0 * self.mean
        return out


def average_ce(
    table: CycleTable | pl.DataFrame,
    *,
    first: int | None = None,
    last: int | None = None,
) -> AverageCE:
    """Average Coulombic efficiency over cycles ``first``..``last`` (inclusive).

    Parameters
    ----------
    table : CycleTable or polars.DataFrame
        Per-cycle table with ``coulombic_efficiency``.
    first, last : int, optional
        Range of cycles; default all cycles of the table. Cycles without a CE (no
        charge, or a lone half-cycle) are skipped.

    Returns
    -------
    AverageCE

    Raises
    ------
    CyclingDataError
        If the table has no CE column or no cycle in the range has a CE.
    """
    frame = _frame(table)
    if "coulombic_efficiency" not in frame.columns:
        raise CyclingDataError("the table has no coulombic_efficiency column")
    lo = int(frame.get_column("cycle").min()) if first is None else int(first)  # type: ignore[arg-type]
    hi = int(frame.get_column("cycle").max()) if last is None else int(last)  # type: ignore[arg-type]
    sub = frame.filter(pl.col("cycle").is_between(lo, hi))
    _, ce = _series(sub, "coulombic_efficiency")
    if ce.size == 0:
        raise CyclingDataError(f"no cycle between {lo} and {hi} has a Coulombic efficiency")
    definition = "coulombic_efficiency as given"
    cumulative = None
    if isinstance(table, CycleTable):
        definition = str(table.conventions.get("coulombic_efficiency", definition))
        positive = table.conventions.get("working_electrode") != "negative"
        num, den = (
            ("discharge_capacity_ah", "charge_capacity_ah")
            if positive
            else ("charge_capacity_ah", "discharge_capacity_ah")
        )
        with_ce = sub.filter(pl.col("coulombic_efficiency").is_not_null())
        total_den = float(with_ce.get_column(den).sum())
        if total_den > 0:
            cumulative = float(with_ce.get_column(num).sum()) / total_den
    return AverageCE(
        mean=float(ce.mean()),
        std=float(ce.std(ddof=1)) if ce.size > 1 else None,
        minimum=float(ce.min()),
        cumulative=cumulative,
        n_cycles=int(ce.size),
        first_cycle=lo,
        last_cycle=hi,
        definition=definition,
    )


# --------------------------------------------------------------------------- fade rate
@dataclass(frozen=True)
class FadeRate(_Result):
    """Linear capacity fade: least-squares line of retention (%) against cycle number.

    Attributes
    ----------
    fade_percent_per_cycle : float
        Minus the slope: retention lost per cycle, % of the reference per cycle
        (positive when fading).
    stderr_percent_per_cycle : float or None
        Standard error of the slope (``None`` with fewer than 3 cycles).
    intercept_percent : float
        Fitted retention at cycle 0, %.
    r_squared : float or None
        Coefficient of determination (``None`` when the retention is constant).
    n_cycles : int
        Cycles in the fit.
    first_cycle, last_cycle : int
        The fitted range (inclusive).
    reference_cycle : int
        Cycle whose capacity is 100 %.
    column, unit : str
        Capacity column and the unit of the fade (``"%/cycle"``).
    """

    fade_percent_per_cycle: float
    stderr_percent_per_cycle: float | None
    intercept_percent: float
    r_squared: float | None
    n_cycles: int
    first_cycle: int
    last_cycle: int
    reference_cycle: int
    column: str
    unit: str = "%/cycle"


def fade_rate(
    table: CycleTable | pl.DataFrame,
    *,
    first: int | None = None,
    last: int | None = None,
    reference_cycle: int | None = None,
    column: str | None = None,
) -> FadeRate:
    """Fade rate (%/cycle) by a least-squares line through the retention.

    Parameters
    ----------
    table : CycleTable or polars.DataFrame
        Per-cycle table.
    first, last : int, optional
        Cycles to fit (inclusive); default from the reference cycle to the last cycle.
    reference_cycle : int, optional
        Default: the table's reference cycle.
    column : str, optional
        Capacity column; default the delivered capacity.

    Returns
    -------
    FadeRate

    Raises
    ------
    CyclingDataError
        If fewer than 2 cycles have a capacity in the range.
    """
    frame = _frame(table)
    col = _default_column(table, column)
    ref = _default_reference(table, reference_cycle)
    q_ref = _reference_capacity(frame, col, ref)
    lo = ref if first is None else int(first)
    hi = int(frame.get_column("cycle").max()) if last is None else int(last)  # type: ignore[arg-type]
    cycles, values = _series(frame.filter(pl.col("cycle").is_between(lo, hi)), col)
    n = cycles.size
    if n < 2:
        raise CyclingDataError(f"a fade rate needs at least 2 cycles with {col} in {lo}-{hi}")
    y = 100.0 * values / q_ref
    x_mean, y_mean = cycles.mean(), y.mean()
    sxx = float(((cycles - x_mean) ** 2).sum())
    if sxx == 0:
        raise CyclingDataError("a fade rate needs at least 2 different cycles")
    slope = float(((cycles - x_mean) * (y - y_mean)).sum()) / sxx
    intercept = float(y_mean - slope * x_mean)
    residual = y - (intercept + slope * cycles)
    ss_res = float((residual**2).sum())
    ss_tot = float(((y - y_mean) ** 2).sum())
    stderr = math.sqrt(ss_res / (n - 2) / sxx) if n > 2 else None
    return FadeRate(
        fade_percent_per_cycle=-slope,
        stderr_percent_per_cycle=stderr,
        intercept_percent=intercept,
        r_squared=1.0 - ss_res / ss_tot if ss_tot > 0 else None,
        n_cycles=int(n),
        first_cycle=lo,
        last_cycle=hi,
        reference_cycle=ref,
        column=col,
    )


# --------------------------------------------------------------------------- failure
@dataclass(frozen=True)
class SuddenFailure(_Result):
    """Result of :func:`detect_sudden_failure`.

    Attributes
    ----------
    detected : bool
        Whether a sudden drop was found.
    cycle : int or None
        First cycle whose capacity is more than ``drop_threshold`` below the highest
        capacity of the preceding ``window`` cycles.
    from_cycle : int or None
        The cycle of that highest capacity (the latest one if several share it).
    drop : float or None
        Relative drop ``1 - capacity(cycle) / capacity(from_cycle)`` (fraction).
    capacity_before, capacity_after : float or None
        The two capacities, in ``unit``.
    drop_threshold : float
        Smallest relative drop counted as a failure (fraction).
    window : int
        How many preceding cycles (table rows with a capacity) the drop may span.
    first_cycle : int
        First cycle examined.
    column, unit : str
        Capacity column and its unit.
    """

    detected: bool
    cycle: int | None
    from_cycle: int | None
    drop: float | None
    capacity_before: float | None
    capacity_after: float | None
    drop_threshold: float
    window: int
    first_cycle: int
    column: str
    unit: str


def detect_sudden_failure(
    table: CycleTable | pl.DataFrame,
    *,
    drop_threshold: float = 0.2,
    window: int = 5,
    first: int | None = None,
    column: str | None = None,
) -> SuddenFailure:
    """Find the first sudden capacity drop ("sudden failure", as in the seed's LiPF6 cells).

    A failure is a cycle whose capacity is more than ``drop_threshold`` (a fraction) below
    the highest capacity among the ``window`` cycles before it.

    Parameters
    ----------
    table : CycleTable or polars.DataFrame
        Per-cycle table.
    drop_threshold : float
        Relative drop that counts as a failure, 0-1 (default 0.2: more than 20 %).
    window : int
        Number of preceding cycles the drop may span (default 5).
    first : int, optional
        First cycle examined (default: the table's first cycle).
    column : str, optional
        Capacity column; default the delivered capacity.

    Returns
    -------
    SuddenFailure
        ``detected=False`` with null fields when no such drop exists.

    Raises
    ------
    CyclingDataError
        If ``drop_threshold`` is not in (0, 1) or ``window`` is below 1.
    """
    if not (math.isfinite(drop_threshold) and 0 < drop_threshold < 1):
        raise CyclingDataError(f"drop_threshold must be in (0, 1), not {drop_threshold!r}")
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise CyclingDataError(f"window must be a whole number of cycles >= 1, not {window!r}")
    frame = _frame(table)
    col = _default_column(table, column)
    start = int(frame.get_column("cycle").min()) if first is None else int(first)  # type: ignore[arg-type]
    cycles, values = _series(frame.filter(pl.col("cycle") >= start), col)
    common: dict[str, Any] = {
        "drop_threshold": drop_threshold,
        "window": window,
        "first_cycle": start,
        "column": col,
        "unit": _unit(col),
    }
    if cycles.size < 2:
        return SuddenFailure(False, None, None, None, None, None, **common)
    q = pl.Series(values)
    before = q.shift(1).rolling_max(window_size=window, min_samples=1).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        drop = np.where(before > 0, 1.0 - values / before, np.nan)
    hits = np.flatnonzero(drop > drop_threshold)
    if hits.size == 0:
        return SuddenFailure(False, None, None, None, None, None, **common)
    k = int(hits[0])
    lo = max(0, k - window)
    j = k - 1 - int(np.argmax(values[lo:k][::-1]))  # the latest cycle at the maximum
    return SuddenFailure(
        True,
        int(cycles[k]),
        int(cycles[j]),
        float(drop[k]),
        float(values[j]),
        float(values[k]),
        **common,
    )
