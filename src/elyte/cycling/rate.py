"""Rate capability: blocks of cycles at the same current, mean capacity per rate.

A rate test runs a few cycles at each of several currents (0.1 C, 0.2 C, 0.5 C, 1 C, back
to 0.1 C). :func:`detect_rate_blocks` finds those blocks from the per-cycle median
discharge current of a :class:`~elyte.cycling.summary.CycleTable`: a new block starts
wherever a cycle's current differs from the previous cycle's by more than a relative
tolerance. :func:`rate_capability` averages the capacity of each block and divides it by
the mean capacity of the block at the lowest current (the first such block when the test
returns to that rate).

:func:`rate_retention` is the bare arithmetic; it reproduces the seed paper's Fig. S21
numbers: 186.6 / 212.3 mAh/g = 87.9 % (1 C vs 0.1 C).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from elyte.cycling.retention import retention
from elyte.cycling.segment import CyclingDataError
from elyte.cycling.summary import UNITS, CycleTable

__all__ = ["RateCapability", "detect_rate_blocks", "rate_capability", "rate_retention"]


def rate_retention(q_lowest_rate: float, q_rate: float) -> float:
    """Capacity at a rate relative to the capacity at the lowest rate, as a fraction.

    Parameters
    ----------
    q_lowest_rate : float
        Capacity at the lowest rate (e.g. 0.1 C).
    q_rate : float
        Capacity at the rate of interest, same unit.

    Returns
    -------
    float
        ``q_rate / q_lowest_rate``.

    Raises
    ------
    CyclingDataError
        If ``q_lowest_rate`` is not positive or a value is not finite.

    Examples
    --------
    >>> round(100 * rate_retention(212.3, 186.6), 1)
    87.9
    """
    return retention(q_lowest_rate, q_rate)


def _frame(table: CycleTable | pl.DataFrame) -> pl.DataFrame:
    frame = table.data if isinstance(table, CycleTable) else table
    if "cycle" not in frame.columns:
        raise CyclingDataError(f"the table needs a 'cycle' column; it has {frame.columns}")
    return frame.sort("cycle")


def _check_tolerance(relative_tolerance: float) -> None:
    if not (math.isfinite(relative_tolerance) and 0 < relative_tolerance < 1):
        raise CyclingDataError(f"relative_tolerance must be in (0, 1), not {relative_tolerance!r}")


def detect_rate_blocks(
    table: CycleTable | pl.DataFrame,
    *,
    relative_tolerance: float = 0.05,
    current_column: str = "discharge_current_a",
) -> pl.DataFrame:
    """Label consecutive cycles run at the same current as one block.

    Parameters
    ----------
    table : CycleTable or polars.DataFrame
        Per-cycle table with ``cycle`` and ``current_column``.
    relative_tolerance : float
        A new block starts where ``|I_n - I_(n-1)| > relative_tolerance x max(I_n,
        I_(n-1))`` (default 0.05: 5 %).
    current_column : str
        Per-cycle current, A (default the median |I| of the discharge).

    Returns
    -------
    polars.DataFrame
        ``cycle``, ``block`` (Int64, 1-based, in time order) and the current. Cycles
        without a current (no discharge) get a null block and do not split blocks.

    Raises
    ------
    CyclingDataError
        If the column is missing or the tolerance is not in (0, 1).
    """
    _check_tolerance(relative_tolerance)
    frame = _frame(table)
    if current_column not in frame.columns:
        raise CyclingDataError(
            f"the table has no column {current_column!r}; it has {frame.columns}"
        )
    current = pl.col(current_column).cast(pl.Float64).abs().fill_nan(None)
    known = frame.select("cycle", current.alias(current_column)).filter(
        pl.col(current_column).is_not_null() & (pl.col(current_column) > 0)
    )
    previous = pl.col(current_column).shift(1)
    change = (pl.col(current_column) - previous).abs() > relative_tolerance * pl.max_horizontal(
        pl.col(current_column), previous
    )
    known = known.with_columns(change.fill_null(True).cast(pl.Int64).cum_sum().alias("block"))
    return (
        frame.select("cycle")
        .join(known, on="cycle", how="left")
        .select("cycle", "block", current_column)
    )


@dataclass(frozen=True)
class RateCapability:
    """Mean capacity per rate block and retention relative to the lowest rate.

    Attributes
    ----------
    data : polars.DataFrame
        One row per block: ``block``, ``first_cycle``, ``last_cycle``, ``n_cycles``,
        ``current_a`` (mean of the cycles' currents), ``c_rate`` (when the table has
        C-rates), ``mean_capacity``, ``std_capacity`` (sample standard deviation, null for
        one cycle), ``retention_vs_lowest`` (fraction).
    reference_block : int
        Block at the lowest current (the first one, if the test returns to that rate).
    capacity_column : str
        Capacity column averaged; ``capacity_unit`` is its unit.
    capacity_unit : str
        Unit of ``mean_capacity`` and ``std_capacity``.
    parameters : dict
        Tolerance, current column and skipped cycles per block.
    units : dict
        Unit of every column of ``data``.
    """

    data: pl.DataFrame
    reference_block: int
    capacity_column: str
    capacity_unit: str
    parameters: dict[str, Any] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view: rows (with ``retention_percent``), units and parameters."""
        rows = []
        for row in self.data.iter_rows(named=True):
            clean = {
                k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in row.items()
            }
            value = clean.get("retention_vs_lowest")
            clean["retention_percent"] = None if value is None else 100.0 * value
            rows.append(clean)
        return {
            "reference_block": self.reference_block,
            "capacity_column": self.capacity_column,
            "capacity_unit": self.capacity_unit,
            "parameters": dict(self.parameters),
            "units": dict(self.units),
            "rows": rows,
        }


def rate_capability(
    table: CycleTable | pl.DataFrame,
    *,
    relative_tolerance: float = 0.05,
    capacity_column: str | None = None,
    current_column: str = "discharge_current_a",
    skip_first: int = 0,
) -> RateCapability:
    """Table of mean capacity per rate block and retention relative to the lowest rate.

    Parameters
    ----------
    table : CycleTable or polars.DataFrame
        Per-cycle table.
    relative_tolerance : float
        Block detection tolerance (see :func:`detect_rate_blocks`).
    capacity_column : str, optional
        Capacity to average; default the delivered capacity of the working electrode
        (``discharge_capacity_ah`` for a positive one). Required for a DataFrame.
    current_column : str
        Per-cycle current used to find the blocks.
    skip_first : int
        Cycles left out at the start of every block before averaging (the first cycle
        after a rate change is often a transient), default 0.

    Returns
    -------
    RateCapability

    Raises
    ------
    CyclingDataError
        If no block has a capacity, or a parameter is out of range.
    """
    if isinstance(skip_first, bool) or not isinstance(skip_first, int) or skip_first < 0:
        raise CyclingDataError(f"skip_first must be a whole number >= 0, not {skip_first!r}")
    frame = _frame(table)
    if capacity_column is None:
        if not isinstance(table, CycleTable):
            raise CyclingDataError("pass capacity_column=... for a plain DataFrame")
        negative = table.conventions.get("working_electrode") == "negative"
        capacity_column = "charge_capacity_ah" if negative else "discharge_capacity_ah"
    if capacity_column not in frame.columns:
        raise CyclingDataError(
            f"the table has no column {capacity_column!r}; it has {frame.columns}"
        )
    blocks = detect_rate_blocks(
        frame, relative_tolerance=relative_tolerance, current_column=current_column
    )
    has_c_rate = "discharge_c_rate" in frame.columns and current_column == "discharge_current_a"
    extra = ["discharge_c_rate"] if has_c_rate else []
    joined = (
        blocks.join(frame.select("cycle", capacity_column, *extra), on="cycle", how="left")
        .filter(pl.col("block").is_not_null())
        .with_columns(pl.int_range(pl.len()).over("block").alias("_position"))
    )
    used = joined.filter(pl.col("_position") >= skip_first)
    aggs = [
        pl.col("cycle").min().alias("first_cycle"),
        pl.col("cycle").max().alias("last_cycle"),
        pl.len().cast(pl.Int64).alias("n_cycles"),
        pl.col(current_column).mean().alias("current_a"),
    ]
    if has_c_rate:
        aggs.append(pl.col("discharge_c_rate").mean().alias("c_rate"))
    spans = joined.group_by("block").agg(aggs)
    stats = used.group_by("block").agg(
        pl.col(capacity_column).mean().alias("mean_capacity"),
        pl.col(capacity_column).std(ddof=1).alias("std_capacity"),
        pl.col(capacity_column).is_not_null().sum().cast(pl.Int64).alias("n_averaged"),
    )
    data = spans.join(stats, on="block", how="left").sort("block")
    usable = data.filter(pl.col("mean_capacity").is_not_null())
    if usable.height == 0:
        raise CyclingDataError(
            f"no rate block has a {capacity_column} to average (blocks found: {data.height})"
        )
    currents = usable.get_column("current_a").to_numpy()
    lowest = float(np.min(currents))
    candidates = usable.filter(pl.col("current_a") <= lowest * (1 + relative_tolerance))
    reference = int(candidates.get_column("block")[0])
    q_ref = float(candidates.get_column("mean_capacity")[0])
    if not q_ref > 0:
        raise CyclingDataError(
            f"the mean {capacity_column} of the lowest-rate block is {q_ref}; no retention"
        )
    data = data.with_columns((pl.col("mean_capacity") / q_ref).alias("retention_vs_lowest"))
    unit = UNITS.get(capacity_column, "")
    units = {
        "block": "1",
        "first_cycle": "1",
        "last_cycle": "1",
        "n_cycles": "1",
        "current_a": "A",
        "c_rate": "1/h",
        "mean_capacity": unit,
        "std_capacity": unit,
        "n_averaged": "1",
        "retention_vs_lowest": "1",
    }
    return RateCapability(
        data=data,
        reference_block=reference,
        capacity_column=capacity_column,
        capacity_unit=unit,
        parameters={
            "relative_tolerance": relative_tolerance,
            "current_column": current_column,
            "skip_first": skip_first,
            "block_rule": "a new block starts where the per-cycle current differs from the "
            "previous cycle's by more than relative_tolerance (relative to the larger)",
            "reference_rule": "the first block whose current is within relative_tolerance "
            "of the lowest block current",
        },
        units={c: units[c] for c in data.columns},
    )
