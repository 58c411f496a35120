"""Differential capacity dQ/dV and differential voltage dV/dQ of half-cycles.

Differentiating the raw series (``np.gradient(Q) / np.gradient(V)``) fails on real data:
the voltage is quantised and noisy, it relaxes back during pauses and it jumps at current
changes, so ``dV`` is often zero or of the wrong sign and the quotient explodes. Here the
derivatives are never taken of the raw samples.

**dQ/dV: the charge histogram over voltage** (``method="histogram"``). Every sampling
interval of a half-cycle passes a charge ``dq`` (Ah, in the direction of the half-cycle)
while the voltage runs from ``V[i-1]`` to ``V[i]``. That charge is spread uniformly over
the voltage span of the interval (exact when V and Q are linear in time within the
interval) and added to the bins of a uniform voltage grid of width ``voltage_step_v``
aligned on multiples of that width. ``dQ/dV`` of a bin is the charge it received divided by
the bin width: for a monotonic half-cycle it is the exact bin average of the true
derivative. When the voltage reverses, the charge passed is still counted once, at the
voltages where it was passed, so nothing divides by a small or negative ``dV``; noise on
the voltage only blurs the curve (a convolution with the noise distribution), it cannot
make it diverge. ``method="midpoint"`` puts the whole charge of an interval in the bin of
its mean voltage instead (a plain histogram of the samples). Either way the integral of
dQ/dV over the grid equals the charge binned, before and after smoothing.

**Smoothing of dQ/dV** (``smoothing``): ``"gaussian"`` convolves the histogram with a
normalised Gaussian of standard deviation ``gaussian_sigma_v`` (V, truncated at 4 sigma);
``"savgol"`` applies a Savitzky-Golay filter of window ``savgol_window_v`` (V; rounded to an
odd number of bins) and degree ``savgol_polyorder``; ``"none"`` keeps the histogram. The
grid is padded with empty bins over the filter's half-width, so the smoothing moves no
charge off the grid: the area is conserved exactly.

**dV/dQ: bin means over capacity.** Along a half-cycle the capacity passed is
non-decreasing, so the voltage is a function of it. The charge-weighted mean voltage of
every bin of a uniform capacity grid (step ``capacity_step_fraction`` x the largest
selected half-cycle capacity) is computed exactly for piecewise-linear data, then
differentiated: by central differences after a Gaussian of standard deviation
``capacity_sigma_fraction`` (same reference capacity), or by a Savitzky-Golay derivative of
window ``capacity_window_fraction``, or by central differences alone. A last bin shorter
than one step is left out.

**Signs and units.** Q is the capacity passed in the half-cycle, counted from its start.
It grows on charge while V rises and on discharge while V falls, so dQ/dV and dV/dQ are
positive on charge and negative on discharge (the usual way of plotting them). dQ/dV is
in Ah/V (``dqdv_ah_v``), and in mAh/(g·V) (``dqdv_mah_g_v``) when a :class:`CellSpec`
with an active mass is given; dV/dQ in V/Ah (``dvdq_v_ah``) and V·g/mAh (``dvdq_v_g_mah``).

**Half-cycles.** A half-cycle is a run of rows of one cycle with the same direction
(``"charge"`` or ``"discharge"``), rest rows inside it ignored (a GITT charge with pauses is
one half-cycle). The interval that ends at a row counts toward the half-cycle of that row;
an interval that ends at a rest row counts toward the half-cycle before the rest. A cycle
may hold several half-cycles of one direction; they are numbered by ``segment``.

**Constant-voltage phases.** A CV hold passes charge at one voltage: it would be a spike
of arbitrary height in the last bin. With ``exclude_cv=True`` (default) the intervals ending
at rows within ``cv_voltage_tolerance_v`` of the half-cycle's extreme voltage *and* with
``|I| < (1 - cv_current_drop) x`` the half-cycle's largest ``|I|`` are left out (the same
rule as :func:`~elyte.cycling.summarize`); the charge left out is reported per half-cycle.

Every parameter, with its unit, is recorded in :attr:`DifferentialResult.parameters`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from elyte.cycling.cell import CellSpec
from elyte.cycling.segment import CycleDefinition, CyclingDataError, label_frame
from elyte.cycling.summary import CapacityBasis
from elyte.recording import Recording

__all__ = [
    "DifferentialMethod",
    "DifferentialResult",
    "HalfCycleDirection",
    "Smoothing",
    "differential_capacity",
    "half_cycle_capacity",
]

#: How the charge of a sampling interval is put on the voltage grid.
DifferentialMethod = Literal["histogram", "midpoint"]

#: Filter applied to dQ/dV (and used for dV/dQ).
Smoothing = Literal["gaussian", "savgol", "none"]

#: Which half-cycles to analyse.
HalfCycleDirection = Literal["charge", "discharge", "both"]

_SECONDS_PER_HOUR = 3600.0
_GAUSS_TRUNCATE = 4.0
#: An interval narrower than this fraction of a voltage bin is treated as a point.
_POINT_WIDTH = 1e-3
#: Most bins one half-cycle may span (guards memory against a stray voltage or step).
MAX_BINS = 2_000_000

_DQDV_UNITS = {
    "cycle": "1",
    "direction": "",
    "segment": "1",
    "voltage_v": "V",
    "dqdv_ah_v": "Ah/V",
    "dqdv_raw_ah_v": "Ah/V",
    "capacity_ah": "Ah",
    "dqdv_mah_g_v": "mAh/(g V)",
    "capacity_mah_g": "mAh/g",
}
_DVDQ_UNITS = {
    "cycle": "1",
    "direction": "",
    "segment": "1",
    "capacity_ah": "Ah",
    "voltage_v": "V",
    "dvdq_v_ah": "V/Ah",
    "capacity_mah_g": "mAh/g",
    "dvdq_v_g_mah": "V g/mAh",
}
_HALF_UNITS = {
    "cycle": "1",
    "direction": "",
    "segment": "1",
    "n_rows": "1",
    "capacity_ah": "Ah",
    "cv_capacity_ah": "Ah",
    "binned_capacity_ah": "Ah",
    "reversal_fraction": "1",
    "voltage_start_v": "V",
    "voltage_end_v": "V",
    "peak_voltage_v": "V",
    "peak_dqdv_ah_v": "Ah/V",
}


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class DifferentialResult:
    """dQ/dV and dV/dQ curves of the selected half-cycles, with every parameter used.

    Attributes
    ----------
    dqdv : polars.DataFrame
        Long format, one row per voltage bin and half-cycle: ``cycle``, ``direction``,
        ``segment``, ``voltage_v`` (bin centre, V), ``dqdv_ah_v`` (smoothed, Ah/V),
        ``dqdv_raw_ah_v`` (the histogram before smoothing, Ah/V), ``capacity_ah`` (capacity
        of the half-cycle passed at voltages on the near side of the bin centre, Ah: Q(V)
        resampled on the grid), and with a cell ``dqdv_mah_g_v`` and ``capacity_mah_g``.
    dvdq : polars.DataFrame
        One row per capacity bin and half-cycle: ``cycle``, ``direction``, ``segment``,
        ``capacity_ah`` (bin centre, Ah), ``voltage_v`` (charge-weighted mean voltage of the
        bin, V), ``dvdq_v_ah`` (V/Ah), and with a cell ``capacity_mah_g`` and
        ``dvdq_v_g_mah``.
    half_cycles : polars.DataFrame
        One row per half-cycle: ``cycle``, ``direction``, ``segment``, ``n_rows``,
        ``capacity_ah`` (all charge of the half-cycle), ``cv_capacity_ah`` (left out as
        constant-voltage), ``binned_capacity_ah`` (on the grid: the integral of dQ/dV),
        ``reversal_fraction`` (share of the binned charge passed while the voltage moved
        against the direction of the half-cycle), ``voltage_start_v``, ``voltage_end_v``,
        ``peak_voltage_v`` and ``peak_dqdv_ah_v`` (largest ``|dQ/dV|`` after smoothing,
        located by a parabola through the highest bin and its neighbours).
    parameters : dict
        Method, grid steps, smoothing and CV parameters with their units, the capacity
        basis and the cycle definition (plain JSON).
    units : dict
        Unit of every column, keyed ``"dqdv.<column>"``, ``"dvdq.<column>"`` and
        ``"half_cycles.<column>"``.
    notes : tuple of str
        Half-cycles skipped, rows without a voltage, decreasing capacity counters.
    source : dict
        ``path`` and ``sha256`` of the recording when known.
    """

    dqdv: pl.DataFrame
    dvdq: pl.DataFrame
    half_cycles: pl.DataFrame
    parameters: Mapping[str, Any]
    units: Mapping[str, str]
    notes: tuple[str, ...] = ()
    source: Mapping[str, Any] = field(default_factory=dict)

    def curve(
        self,
        cycle: int,
        direction: Literal["charge", "discharge"],
        *,
        kind: Literal["dqdv", "dvdq"] = "dqdv",
        segment: int = 1,
        column: str | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return x and y of one half-cycle's curve as numpy arrays.

        Parameters
        ----------
        cycle : int
            Cycle number.
        direction : {"charge", "discharge"}
            Half-cycle direction.
        kind : {"dqdv", "dvdq"}
            ``"dqdv"``: voltage (V) and dQ/dV; ``"dvdq"``: capacity (Ah) and dV/dQ.
        segment : int
            Which half-cycle of that direction in the cycle (1 for the first).
        column : str, optional
            The y column; default ``dqdv_ah_v`` or ``dvdq_v_ah``.

        Returns
        -------
        tuple of numpy.ndarray
            ``(x, y)``.

        Raises
        ------
        CyclingDataError
            If the half-cycle is not in the result.
        """
        frame = self.dqdv if kind == "dqdv" else self.dvdq
        x_col = "voltage_v" if kind == "dqdv" else "capacity_ah"
        y_col = column or ("dqdv_ah_v" if kind == "dqdv" else "dvdq_v_ah")
        if y_col not in frame.columns:
            raise CyclingDataError(f"the {kind} table has no column {y_col!r}")
        sub = frame.filter(
            (pl.col("cycle") == cycle)
            & (pl.col("direction") == direction)
            & (pl.col("segment") == segment)
        )
        if sub.height == 0:
            raise CyclingDataError(
                f"no {direction} half-cycle {segment} of cycle {cycle} in the result "
                f"(cycles {sorted(set(self.half_cycles.get_column('cycle').to_list()))})"
            )
        return sub.get_column(x_col).to_numpy(), sub.get_column(y_col).to_numpy()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view: parameters, units, notes, source and the half-cycle table.

        The curves themselves are left out (write :attr:`dqdv` or :attr:`dvdq` with polars).
        """
        rows = [
            {
                k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in r.items()
            }
            for r in self.half_cycles.iter_rows(named=True)
        ]
        return {
            "parameters": dict(self.parameters),
            "units": dict(self.units),
            "notes": list(self.notes),
            "source": dict(self.source),
            "half_cycles": rows,
        }


# --------------------------------------------------------------------------- helpers
def _positive_part(y0: np.ndarray, y1: np.ndarray) -> np.ndarray:
    """Mean of ``max(y, 0)`` over an interval where ``y`` runs linearly from y0 to y1."""
    hi = np.maximum(y0, y1)
    lo = np.minimum(y0, y1)
    mixed = (hi > 0) & (lo < 0)
    span = np.where(mixed, hi - lo, 1.0)
    crossing = np.where(mixed, hi * hi / (2.0 * span), 0.0)
    result: np.ndarray = np.where(lo >= 0, 0.5 * (y0 + y1), np.where(hi <= 0, 0.0, crossing))
    return result


def _float(frame: pl.DataFrame, name: str) -> np.ndarray:
    return frame.get_column(name).cast(pl.Float64).fill_null(np.nan).to_numpy()


def _previous(values: np.ndarray) -> np.ndarray:
    out = np.empty_like(values)
    if values.size:
        out[0] = values[0]
        out[1:] = values[:-1]
    return out


def _check_positive(name: str, value: float, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CyclingDataError(f"{name} must be a number ({unit}), not {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise CyclingDataError(f"{name} must be a finite number above 0 ({unit}), not {value!r}")
    return float(value)


@dataclass(frozen=True)
class _Rows:
    """Per-row arrays of a labelled frame, split into half-cycles."""

    frame: pl.DataFrame
    half: np.ndarray  # global half-cycle id of every row (-1 before the first)
    code: np.ndarray  # direction of every row: 1, -1, 0
    dq: np.ndarray  # charge of the interval ending at the row, in its half-cycle's direction
    voltage: np.ndarray
    current: np.ndarray | None
    starts: np.ndarray  # row index where each half-cycle starts
    half_code: np.ndarray  # direction of each half-cycle
    half_cycle: np.ndarray  # cycle number of each half-cycle
    half_segment: np.ndarray  # 1-based index among half-cycles of that cycle and direction
    basis: str
    notes: list[str]


def _labelled(
    data: Recording | pl.DataFrame,
    cycle_definition: CycleDefinition | None,
    current_threshold_a: float | None,
) -> tuple[pl.DataFrame, dict[str, Any], str | None, dict[str, Any]]:
    """Labelled frame, labelling facts, source path and source record."""
    if isinstance(data, Recording):
        path = data.meta.source_path
        if cycle_definition is None:
            raise CyclingDataError(
                "pass cycle_definition='vendor', 'charge_discharge' or 'discharge_charge' "
                "(what a cycle is); there is no default",
                path=path,
            )
        labelling = label_frame(
            data.data,
            definition=cycle_definition,
            current_threshold_a=current_threshold_a,
            path=path,
        )
        info: dict[str, Any] = {
            "cycle_definition": cycle_definition,
            "current_threshold_a": labelling.current_threshold_a,
        }
        source = {"path": path, "sha256": data.meta.sha256}
        return labelling.frame, info, path, source
    if isinstance(data, pl.DataFrame):
        missing = [c for c in ("cycle", "direction") if c not in data.columns]
        if missing:
            raise CyclingDataError(
                f"a DataFrame must already be labelled (columns 'cycle' and 'direction' from "
                f"elyte.cycling.label_cycles); it lacks {missing}. Or pass the Recording "
                "with cycle_definition=..."
            )
        if cycle_definition is not None or current_threshold_a is not None:
            raise CyclingDataError(
                "the frame is already labelled: cycle_definition and current_threshold_a "
                "apply only to a Recording"
            )
        info = {"cycle_definition": "as labelled by the caller"}
        return data, info, None, {}
    raise CyclingDataError(
        f"expected a Recording or a labelled polars DataFrame, not {type(data).__name__}"
    )


def _rows(
    frame: pl.DataFrame,
    capacity_basis: CapacityBasis,
    path: str | None,
) -> _Rows:
    """Split a labelled frame into half-cycles and compute each interval's charge."""
    notes: list[str] = []
    if capacity_basis not in ("auto", "vendor", "integrated"):
        raise CyclingDataError(
            f"capacity_basis must be 'auto', 'vendor' or 'integrated', not {capacity_basis!r}",
            path=path,
        )
    if "voltage_volt" not in frame.columns:
        raise CyclingDataError(
            f"dQ/dV needs the column 'voltage_volt'; the frame has {frame.columns}", path=path
        )
    n = frame.height
    direction = frame.get_column("direction").cast(pl.String)
    code = (
        direction.replace_strict(
            {"charge": 1, "discharge": -1}, default=0, return_dtype=pl.Int8
        ).to_numpy()
        if n
        else np.zeros(0, dtype=np.int8)
    )
    cycle = frame.get_column("cycle").cast(pl.Int64).fill_null(0).to_numpy()
    voltage = _float(frame, "voltage_volt")
    current = _float(frame, "current_ampere") if "current_ampere" in frame.columns else None

    vendor = all(c in frame.columns for c in ("charging_capacity_ah", "discharging_capacity_ah"))
    if capacity_basis == "vendor" and not vendor:
        raise CyclingDataError(
            "capacity_basis='vendor' needs the cumulative columns charging_capacity_ah and "
            "discharging_capacity_ah, which the frame lacks; use 'integrated'",
            path=path,
        )
    if vendor and capacity_basis != "integrated":
        incs = []
        for name in ("charging_capacity_ah", "discharging_capacity_ah"):
            filled = (
                pl.Series(_float(frame, name)).fill_nan(None).forward_fill().fill_null(0.0)
            ).to_numpy()
            incs.append(filled - _previous(filled))
        dqc, dqd = incs
        basis = (
            "vendor: increments of the cumulative columns charging_capacity_ah and "
            "discharging_capacity_ah"
        )
    else:
        for name in ("test_time_second", "current_ampere"):
            if name not in frame.columns:
                raise CyclingDataError(
                    f"integrating the capacity needs the column {name!r}; the frame has "
                    f"{frame.columns}",
                    path=path,
                )
        t = _float(frame, "test_time_second")
        i = np.where(np.isfinite(current), current, 0.0)  # type: ignore[arg-type]
        dt = t - _previous(t)
        dt = np.where(np.isfinite(dt) & (dt > 0), dt, 0.0)
        i0 = _previous(i)
        dqc = _positive_part(i0, i) * dt / _SECONDS_PER_HOUR
        dqd = _positive_part(-i0, -i) * dt / _SECONDS_PER_HOUR
        basis = (
            "integrated: trapezoid of max(I, 0) and max(-I, 0) over test time, zero "
            "crossings resolved"
        )

    # half-cycle ids: a new one starts at an active row whose previous active row has
    # another direction or another cycle; rest rows take the id of the last active row.
    index = np.arange(n)
    active = code != 0
    last_active = np.maximum.accumulate(np.where(active, index, -1)) if n else index
    prev_active = _previous(last_active)
    if n:
        prev_active[0] = -1
    has_prev = prev_active >= 0
    safe = np.where(has_prev, prev_active, 0)
    same = has_prev & (code[safe] == code) & (cycle[safe] == cycle)
    start_flags = active & ~same
    half = np.cumsum(start_flags) - 1
    half = np.where(last_active >= 0, half, -1)
    starts = np.flatnonzero(start_flags)
    half_code = code[starts].astype(np.int8)
    half_cycle = cycle[starts]
    # segment number within (cycle, direction)
    keys = pl.DataFrame({"c": half_cycle, "d": half_code})
    half_segment = (
        keys.select(pl.int_range(pl.len()).over("c", "d") + 1).to_series().to_numpy()
        if starts.size
        else np.zeros(0, dtype=np.int64)
    )
    own_code = np.where(half >= 0, half_code[np.maximum(half, 0)] if starts.size else 0, 0)
    dq = np.where(own_code == 1, dqc, np.where(own_code == -1, dqd, 0.0))
    dq = np.where(np.isfinite(dq), dq, 0.0)
    negative = dq < 0
    if negative.any():
        notes.append(
            f"{int(negative.sum())} interval(s) where the capacity counter decreases were "
            "given zero charge"
        )
        dq = np.where(negative, 0.0, dq)
    return _Rows(
        frame=frame,
        half=half,
        code=code,
        dq=dq,
        voltage=voltage,
        current=current,
        starts=starts,
        half_code=half_code,
        half_cycle=half_cycle,
        half_segment=half_segment,
        basis=basis,
        notes=notes,
    )


def half_cycle_capacity(
    data: Recording | pl.DataFrame,
    *,
    cycle_definition: CycleDefinition | None = None,
    capacity_basis: CapacityBasis = "auto",
    current_threshold_a: float | None = None,
) -> pl.DataFrame:
    """Capacity passed since the start of each half-cycle, for every row.

    This is the x axis of a voltage profile (voltage vs capacity of chosen cycles).

    Parameters
    ----------
    data : Recording or polars.DataFrame
        A recording (then ``cycle_definition`` is required), or a frame labelled by
        :func:`~elyte.cycling.label_cycles`. Needs ``voltage_volt`` and either the
        cumulative capacity columns or ``test_time_second`` with ``current_ampere``.
    cycle_definition : {"vendor", "charge_discharge", "discharge_charge"}, optional
        What a cycle is, for a Recording.
    capacity_basis : {"auto", "vendor", "integrated"}
        Vendor cumulative columns when present (``"auto"``), always (``"vendor"``), or the
        trapezoid integral of the current (``"integrated"``).
    current_threshold_a : float, optional
        Dead band of the direction labels, A (Recording only; default 1e-3 x max |I|).

    Returns
    -------
    polars.DataFrame
        The labelled rows plus ``segment`` (Int64: which half-cycle of its direction in the
        cycle, 1-based) and ``half_cycle_capacity_ah`` (Ah, from 0 at the start of the
        half-cycle). Both are null on rest rows and before the first half-cycle.

    Raises
    ------
    CyclingDataError
        If a needed column is missing or the input is not labelled.
    """
    frame, _, path, _ = _labelled(data, cycle_definition, current_threshold_a)
    rows = _rows(frame, capacity_basis, path)
    if frame.height == 0:
        return frame.with_columns(
            pl.lit(None, dtype=pl.Int64).alias("segment"),
            pl.lit(None, dtype=pl.Float64).alias("half_cycle_capacity_ah"),
        )
    cum = np.cumsum(rows.dq)
    valid = rows.half >= 0
    safe = np.maximum(rows.half, 0)
    start_rows = rows.starts[safe] if rows.starts.size else np.zeros_like(safe)
    # capacity at a half-cycle's first row includes the interval that ends there
    base = cum[start_rows] - rows.dq[start_rows] if rows.starts.size else np.zeros_like(cum)
    q = np.where(valid & (rows.code != 0), cum - base, np.nan)
    segment = np.where(valid & (rows.code != 0), rows.half_segment[safe], 0)
    return frame.with_columns(
        pl.Series("segment", segment, dtype=pl.Int64).replace(0, None),
        pl.Series("half_cycle_capacity_ah", q).fill_nan(None),
    )


# --------------------------------------------------------------------------- kernels
def _gaussian_kernel(sigma_bins: float) -> np.ndarray:
    half = max(math.ceil(_GAUSS_TRUNCATE * sigma_bins), 0)
    x = np.arange(-half, half + 1, dtype=np.float64)
    kernel = np.exp(-0.5 * (x / sigma_bins) ** 2) if sigma_bins > 0 else (x == 0).astype(float)
    total: np.ndarray = kernel / kernel.sum()
    return total


def _savgol_rows(window: int, polyorder: int, deriv: int, delta: float) -> np.ndarray:
    """Savitzky-Golay coefficients: row ``k`` evaluates the fit at position ``k`` of the window.

    ``out[k] @ y[window]`` is the ``deriv``-th derivative at sample ``k`` of the
    least-squares polynomial of degree ``polyorder`` through the window.
    """
    x = np.arange(window, dtype=np.float64)
    vander = np.vander(x, polyorder + 1, increasing=True)  # window x (p+1)
    pinv = np.linalg.pinv(vander)  # (p+1) x window: polynomial coefficients
    powers = np.arange(polyorder + 1)
    factor = np.ones(polyorder + 1)
    for j in range(deriv):  # d/dx of x**p, deriv times (a loop over the degree only)
        factor = factor * np.maximum(powers - j, 0)
    shifted = np.maximum(powers - deriv, 0)
    basis = np.where(powers >= deriv, factor * x[:, None] ** shifted, 0.0)  # window x (p+1)
    out: np.ndarray = basis @ pinv / delta**deriv
    return out


def _savgol(y: np.ndarray, window: int, polyorder: int, deriv: int, delta: float) -> np.ndarray:
    """Savitzky-Golay filter; the edges are evaluated on the fit of the first/last window."""
    n = y.size
    if n < window:
        window = n if n % 2 else n - 1
    if window <= polyorder:
        if deriv == 0:
            return y.copy()
        return np.gradient(y, delta) if n > 1 else np.zeros_like(y)
    rows = _savgol_rows(window, polyorder, deriv, delta)
    half = window // 2
    out = np.empty(n)
    centre = rows[half]
    out[half : n - half] = np.convolve(y, centre[::-1], mode="valid")
    out[:half] = rows[:half] @ y[:window]
    out[n - half :] = rows[half + 1 :] @ y[n - window :]
    return out


def _odd_window(width: float, step: float, polyorder: int) -> int:
    points = 2 * round(width / (2.0 * step)) + 1
    return max(points, polyorder + 2 + (polyorder % 2))


# --------------------------------------------------------------------------- main
def differential_capacity(
    data: Recording | pl.DataFrame,
    *,
    cycles: int | Iterable[int] | None = None,
    direction: HalfCycleDirection = "both",
    cycle_definition: CycleDefinition | None = None,
    cell: CellSpec | None = None,
    method: DifferentialMethod = "histogram",
    voltage_step_v: float = 0.001,
    smoothing: Smoothing = "gaussian",
    gaussian_sigma_v: float = 0.003,
    savgol_window_v: float = 0.015,
    savgol_polyorder: int = 2,
    capacity_step_fraction: float = 0.005,
    capacity_sigma_fraction: float = 0.01,
    capacity_window_fraction: float = 0.05,
    exclude_cv: bool = True,
    cv_voltage_tolerance_v: float = 0.005,
    cv_current_drop: float = 0.02,
    capacity_basis: CapacityBasis = "auto",
    current_threshold_a: float | None = None,
) -> DifferentialResult:
    """Compute dQ/dV and dV/dQ of the selected half-cycles (see the module docstring).

    Parameters
    ----------
    data : Recording or polars.DataFrame
        A recording, or a frame already labelled by :func:`~elyte.cycling.label_cycles`.
        Needs ``voltage_volt``, and the cumulative capacity columns or
        ``test_time_second`` with ``current_ampere``.
    cycles : int or iterable of int, optional
        Cycles to analyse; default all.
    direction : {"both", "charge", "discharge"}
        Half-cycles to analyse.
    cycle_definition : {"vendor", "charge_discharge", "discharge_charge"}, optional
        What a cycle is; required for a Recording, not allowed for a labelled frame.
    cell : CellSpec, optional
        Adds mass-normalised columns (mAh/(g·V), mAh/g, V·g/mAh); the cell must then
        know its active mass.
    method : {"histogram", "midpoint"}
        ``"histogram"``: each interval's charge spread uniformly over its voltage span;
        ``"midpoint"``: all of it in the bin of the interval's mean voltage.
    voltage_step_v : float
        Width of the voltage bins, V (default 0.001). Bins are aligned on multiples of it.
    smoothing : {"gaussian", "savgol", "none"}
        Filter for dQ/dV and dV/dQ.
    gaussian_sigma_v : float
        Standard deviation of the Gaussian applied to dQ/dV, V (default 0.003).
    savgol_window_v : float
        Window of the Savitzky-Golay filter of dQ/dV, V (default 0.015; rounded to an odd
        number of bins).
    savgol_polyorder : int
        Degree of the Savitzky-Golay polynomials (default 2).
    capacity_step_fraction : float
        Step of the dV/dQ capacity grid, as a fraction of the largest selected half-cycle
        capacity (default 0.005); the value in Ah is recorded.
    capacity_sigma_fraction : float
        Standard deviation of the Gaussian applied to the bin-mean voltage before dV/dQ,
        same reference (default 0.01).
    capacity_window_fraction : float
        Window of the Savitzky-Golay derivative for dV/dQ, same reference (default 0.05).
    exclude_cv : bool
        Leave out constant-voltage phases (default True).
    cv_voltage_tolerance_v : float
        A row is at the CV limit when within this many V of the half-cycle's extreme
        voltage (default 0.005).
    cv_current_drop : float
        ... and its ``|I|`` is below ``(1 - cv_current_drop)`` x the half-cycle's largest
        ``|I|`` (default 0.02).
    capacity_basis : {"auto", "vendor", "integrated"}
        Where the charge comes from (see :func:`half_cycle_capacity`).
    current_threshold_a : float, optional
        Dead band of the direction labels, A (Recording only).

    Returns
    -------
    DifferentialResult
        Curves, per-half-cycle summary, parameters and notes.

    Raises
    ------
    CyclingDataError
        If a parameter is out of range, a column is missing, a requested cycle is absent
        or no half-cycle is left to analyse.
    MissingCellParameterError
        If ``cell`` is given without an active mass.

    Examples
    --------
    >>> from elyte.cycling.differential import differential_capacity
    >>> result = differential_capacity(rec, cycle_definition="vendor")  # doctest: +SKIP
    >>> v, dqdv = result.curve(50, "discharge")  # doctest: +SKIP
    """
    # ---- parameters ----------------------------------------------------------------
    if method not in ("histogram", "midpoint"):
        raise CyclingDataError(f"method must be 'histogram' or 'midpoint', not {method!r}")
    if smoothing not in ("gaussian", "savgol", "none"):
        raise CyclingDataError(
            f"smoothing must be 'gaussian', 'savgol' or 'none', not {smoothing!r}"
        )
    if direction not in ("both", "charge", "discharge"):
        raise CyclingDataError(
            f"direction must be 'both', 'charge' or 'discharge', not {direction!r}"
        )
    step = _check_positive("voltage_step_v", voltage_step_v, "V")
    sigma_v = _check_positive("gaussian_sigma_v", gaussian_sigma_v, "V")
    window_v = _check_positive("savgol_window_v", savgol_window_v, "V")
    q_step_frac = _check_positive("capacity_step_fraction", capacity_step_fraction, "1")
    q_sigma_frac = _check_positive("capacity_sigma_fraction", capacity_sigma_fraction, "1")
    q_window_frac = _check_positive("capacity_window_fraction", capacity_window_fraction, "1")
    cv_tol = float(cv_voltage_tolerance_v)
    if not (math.isfinite(cv_tol) and cv_tol >= 0):
        raise CyclingDataError(
            f"cv_voltage_tolerance_v must be >= 0 V, not {cv_voltage_tolerance_v!r}"
        )
    if not (math.isfinite(cv_current_drop) and 0 <= cv_current_drop < 1):
        raise CyclingDataError(f"cv_current_drop must be in [0, 1), not {cv_current_drop!r}")
    if (
        isinstance(savgol_polyorder, bool)
        or not isinstance(savgol_polyorder, int)
        or not 0 <= savgol_polyorder <= 6
    ):
        raise CyclingDataError(
            f"savgol_polyorder must be a whole number from 0 to 6, not {savgol_polyorder!r}"
        )
    if q_step_frac >= 0.5:
        raise CyclingDataError(
            f"capacity_step_fraction must be below 0.5, not {capacity_step_fraction!r}"
        )
    mass_g = cell.active_mass() if cell is not None else None

    frame, info, path, source = _labelled(data, cycle_definition, current_threshold_a)
    rows = _rows(frame, capacity_basis, path)
    notes = list(rows.notes)

    # ---- selection ------------------------------------------------------------------
    available = sorted({int(c) for c in rows.half_cycle.tolist()})
    keep = np.ones(rows.starts.size, dtype=bool)
    if cycles is not None:
        wanted = [int(cycles)] if isinstance(cycles, int | np.integer) else [int(c) for c in cycles]
        absent = sorted(set(wanted) - set(available))
        if absent:
            raise CyclingDataError(
                f"cycle(s) {absent} have no charge or discharge half-cycle (available: "
                f"{_span(available)})",
                path=path,
            )
        keep &= np.isin(rows.half_cycle, wanted)
    if direction != "both":
        keep &= rows.half_code == (1 if direction == "charge" else -1)
    selected = np.flatnonzero(keep)
    if selected.size == 0:
        raise CyclingDataError(
            f"no {'' if direction == 'both' else direction + ' '}half-cycle to analyse "
            f"(cycles with half-cycles: {_span(available)})",
            path=path,
        )

    # ---- per half-cycle intervals ----------------------------------------------------
    v1 = rows.voltage
    v0 = _previous(v1)
    ends = np.append(rows.starts[1:], rows.half.size)
    # rows of half-cycle h: from its start to the start of the next one (rest rows included)
    pieces: list[dict[str, Any]] = []
    no_voltage = 0
    for h in selected.tolist():
        lo, hi = int(rows.starts[h]), int(ends[h])
        sl = slice(lo, hi)
        sign = int(rows.half_code[h])
        dq = rows.dq[sl]
        a, b = v0[sl].copy(), v1[sl].copy()
        if lo == 0:
            a[0] = b[0]
        finite = np.isfinite(a) & np.isfinite(b)
        no_voltage += int(np.count_nonzero(~finite & (dq > 0)))
        total = float(dq.sum())
        cv = np.zeros(dq.size, dtype=bool)
        if exclude_cv and rows.current is not None:
            own = rows.code[sl] == sign
            v_own = np.where(own & np.isfinite(b), b, np.nan)
            if np.isfinite(v_own).any():
                extreme = np.nanmax(v_own) if sign == 1 else np.nanmin(v_own)
                i_abs = np.abs(np.where(np.isfinite(rows.current[sl]), rows.current[sl], 0.0))
                i_max = float(np.max(np.where(own, i_abs, 0.0)))
                cv = (
                    own
                    & (np.abs(b - extreme) <= cv_tol)
                    & (i_abs < (1.0 - cv_current_drop) * i_max)
                )
        use = finite & ~cv & (dq > 0)
        pieces.append(
            {
                "h": h,
                "sign": sign,
                "a": a[use],
                "b": b[use],
                "dq": dq[use],
                "total": total,
                "cv": float(dq[cv].sum()),
                "n_rows": int(np.count_nonzero(rows.code[sl] == sign)),
                "v_start": float(b[0]) if b.size else math.nan,
                "v_end": float(b[rows.code[sl] == sign][-1])
                if np.any(rows.code[sl] == sign)
                else math.nan,
            }
        )
    if no_voltage:
        notes.append(
            f"{no_voltage} interval(s) that passed charge have no voltage at one end; their "
            "charge is not on the voltage grid"
        )
    if not exclude_cv:
        cv_rule = "not excluded"
    elif rows.current is None:
        cv_rule = "not excluded: the frame has no current_ampere column"
        notes.append("constant-voltage phases could not be detected without current_ampere")
    else:
        cv_rule = (
            "excluded: intervals ending at rows within cv_voltage_tolerance_v of the "
            "half-cycle's extreme voltage with |I| < (1 - cv_current_drop) x its largest |I|"
        )

    q_ref = max((float(p["dq"].sum()) for p in pieces), default=0.0)
    if not q_ref > 0:
        raise CyclingDataError(
            "the selected half-cycles passed no charge with a known voltage", path=path
        )
    q_step = q_step_frac * q_ref
    q_sigma = q_sigma_frac * q_ref
    q_window = q_window_frac * q_ref

    if smoothing == "gaussian":
        kernel = _gaussian_kernel(sigma_v / step)
        pad = kernel.size // 2
    elif smoothing == "savgol":
        sg_points = _odd_window(window_v, step, savgol_polyorder)
        kernel = _savgol_rows(sg_points, savgol_polyorder, 0, 1.0)[sg_points // 2]
        pad = sg_points // 2
    else:
        kernel = np.ones(1)
        pad = 0

    dq_parts: dict[str, list[np.ndarray]] = {k: [] for k in ("c", "d", "s", "v", "y", "r", "q")}
    dv_parts: dict[str, list[np.ndarray]] = {k: [] for k in ("c", "d", "s", "q", "v", "y")}
    summary: list[dict[str, Any]] = []
    skipped: list[str] = []
    for p in pieces:
        h, sign = p["h"], p["sign"]
        cyc, seg = int(rows.half_cycle[h]), int(rows.half_segment[h])
        name = "charge" if sign == 1 else "discharge"
        binned = float(p["dq"].sum())
        if p["dq"].size < 2 or not binned > 0:
            skipped.append(f"{name} {seg} of cycle {cyc}")
            continue
        # dQ/dV -------------------------------------------------------------------
        centres, raw, f_edges = _histogram(p["a"], p["b"], p["dq"], step, pad, method)
        smooth = _convolve_same(raw, kernel) if kernel.size > 1 else raw.copy()
        density = sign * smooth / step
        raw_density = sign * raw / step
        f_centre = 0.5 * (f_edges[:-1] + f_edges[1:])
        q_at = f_centre if sign == 1 else binned - f_centre
        n_bins = centres.size
        dq_parts["c"].append(np.full(n_bins, cyc, dtype=np.int64))
        dq_parts["d"].append(np.full(n_bins, name, dtype=object))
        dq_parts["s"].append(np.full(n_bins, seg, dtype=np.int64))
        dq_parts["v"].append(centres)
        dq_parts["y"].append(density)
        dq_parts["r"].append(raw_density)
        dq_parts["q"].append(q_at)
        peak_v, peak_y = _peak(centres, density)
        reversal = float(p["dq"][sign * (p["b"] - p["a"]) < 0].sum()) / binned
        # dV/dQ -------------------------------------------------------------------
        q_centres, v_mean = _bin_means(p["a"], p["b"], p["dq"], q_step)
        if q_centres.size >= 3:
            if smoothing == "gaussian":
                v_s = _smooth_normalised(v_mean, _gaussian_kernel(q_sigma / q_step))
                slope = np.gradient(v_s, q_step)
            elif smoothing == "savgol":
                points = _odd_window(q_window, q_step, savgol_polyorder)
                slope = _savgol(v_mean, points, savgol_polyorder, 1, q_step)
            else:
                slope = np.gradient(v_mean, q_step)
            m = q_centres.size
            dv_parts["c"].append(np.full(m, cyc, dtype=np.int64))
            dv_parts["d"].append(np.full(m, name, dtype=object))
            dv_parts["s"].append(np.full(m, seg, dtype=np.int64))
            dv_parts["q"].append(q_centres)
            dv_parts["v"].append(v_mean)
            dv_parts["y"].append(slope)
        summary.append(
            {
                "cycle": cyc,
                "direction": name,
                "segment": seg,
                "n_rows": p["n_rows"],
                "capacity_ah": p["total"],
                "cv_capacity_ah": p["cv"],
                "binned_capacity_ah": float(raw.sum()),
                "reversal_fraction": reversal,
                "voltage_start_v": p["v_start"],
                "voltage_end_v": p["v_end"],
                "peak_voltage_v": peak_v,
                "peak_dqdv_ah_v": peak_y,
            }
        )
    if skipped:
        notes.append(
            f"half-cycle(s) with fewer than two intervals that passed charge were skipped: "
            f"{', '.join(skipped)}"
        )
    if not summary:
        raise CyclingDataError(
            "no selected half-cycle has enough samples for dQ/dV (at least two intervals)",
            path=path,
        )

    dqdv = _frame_from(
        dq_parts,
        {
            "c": "cycle",
            "d": "direction",
            "s": "segment",
            "v": "voltage_v",
            "y": "dqdv_ah_v",
            "r": "dqdv_raw_ah_v",
            "q": "capacity_ah",
        },
    )
    dvdq = _frame_from(
        dv_parts,
        {
            "c": "cycle",
            "d": "direction",
            "s": "segment",
            "q": "capacity_ah",
            "v": "voltage_v",
            "y": "dvdq_v_ah",
        },
    )
    if mass_g is not None:
        dqdv = dqdv.with_columns(
            (pl.col("dqdv_ah_v") * 1000.0 / mass_g).alias("dqdv_mah_g_v"),
            (pl.col("capacity_ah") * 1000.0 / mass_g).alias("capacity_mah_g"),
        )
        dvdq = dvdq.with_columns(
            (pl.col("capacity_ah") * 1000.0 / mass_g).alias("capacity_mah_g"),
            (pl.col("dvdq_v_ah") * mass_g / 1000.0).alias("dvdq_v_g_mah"),
        )
    half_cycles = pl.DataFrame(summary, schema_overrides={"direction": pl.String})

    parameters: dict[str, Any] = {
        **info,
        "method": method,
        "method_rule": (
            "charge of each sampling interval spread uniformly over its voltage span, summed "
            "in uniform voltage bins, divided by the bin width"
            if method == "histogram"
            else "charge of each sampling interval put in the bin of its mean voltage, "
            "divided by the bin width"
        ),
        "voltage_step_v": step,
        "smoothing": smoothing,
        "gaussian_sigma_v": sigma_v if smoothing == "gaussian" else None,
        "savgol_window_v": (
            _odd_window(window_v, step, savgol_polyorder) * step if smoothing == "savgol" else None
        ),
        "savgol_polyorder": savgol_polyorder if smoothing == "savgol" else None,
        "padding_bins": pad,
        "capacity_reference_ah": q_ref,
        "capacity_step_ah": q_step,
        "capacity_step_fraction": q_step_frac,
        "capacity_sigma_ah": q_sigma if smoothing == "gaussian" else None,
        "capacity_window_ah": (
            _odd_window(q_window, q_step, savgol_polyorder) * q_step
            if smoothing == "savgol"
            else None
        ),
        "dvdq_rule": (
            "charge-weighted mean voltage in uniform capacity bins (exact for piecewise-linear "
            "data), then "
            + {
                "gaussian": "a Gaussian of standard deviation capacity_sigma_ah (weights "
                "renormalised at the ends) and central differences",
                "savgol": "a Savitzky-Golay first derivative over capacity_window_ah",
                "none": "central differences",
            }[smoothing]
        ),
        "exclude_cv": exclude_cv,
        "cv_rule": cv_rule,
        "cv_voltage_tolerance_v": cv_tol,
        "cv_current_drop": float(cv_current_drop),
        "capacity_basis": rows.basis,
        "sign": "Q is the capacity passed in the half-cycle: dQ/dV and dV/dQ are positive on "
        "charge and negative on discharge",
        "active_mass_g": mass_g,
    }
    units = {f"dqdv.{c}": _DQDV_UNITS[c] for c in dqdv.columns}
    units |= {f"dvdq.{c}": _DVDQ_UNITS[c] for c in dvdq.columns}
    units |= {f"half_cycles.{c}": _HALF_UNITS[c] for c in half_cycles.columns}
    return DifferentialResult(
        dqdv=dqdv,
        dvdq=dvdq,
        half_cycles=half_cycles,
        parameters=parameters,
        units=units,
        notes=tuple(notes),
        source=source,
    )


def _span(values: list[int]) -> str:
    if not values:
        return "none"
    if len(values) <= 12:
        return ", ".join(str(v) for v in values)
    return f"{values[0]}-{values[-1]} ({len(values)} cycles)"


def _frame_from(parts: dict[str, list[np.ndarray]], names: dict[str, str]) -> pl.DataFrame:
    columns: dict[str, Any] = {}
    for key, name in names.items():
        chunks = parts[key]
        if key == "d":
            columns[name] = pl.Series(
                name, np.concatenate(chunks).tolist() if chunks else [], dtype=pl.String
            )
        elif key in ("c", "s"):
            columns[name] = pl.Series(
                name, np.concatenate(chunks) if chunks else np.zeros(0, np.int64), pl.Int64
            )
        else:
            columns[name] = pl.Series(
                name, np.concatenate(chunks) if chunks else np.zeros(0), pl.Float64
            )
    return pl.DataFrame(columns)


def _histogram(
    a: np.ndarray, b: np.ndarray, dq: np.ndarray, step: float, pad: int, method: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Charge per voltage bin; returns bin centres, charge per bin, charge below each edge.

    Bins are ``[k*step, (k+1)*step)`` for whole ``k``, covering the data plus ``pad`` empty
    bins on each side.
    """
    lo_v = np.minimum(a, b)
    hi_v = np.maximum(a, b)
    k0 = math.floor(float(lo_v.min()) / step) - pad
    k1 = math.floor(float(hi_v.max()) / step) + 1 + pad
    n_bins = k1 - k0
    if n_bins > MAX_BINS:
        raise CyclingDataError(
            f"a half-cycle spans {float(lo_v.min()):g} V to {float(hi_v.max()):g} V, "
            f"{n_bins} bins of {step:g} V (at most {MAX_BINS}); check the voltage column "
            "or pass a larger voltage_step_v"
        )
    edges = (np.arange(n_bins + 1) + k0) * step
    width = hi_v - lo_v
    point = (width < _POINT_WIDTH * step) if method == "histogram" else np.ones(a.size, bool)
    charge = np.zeros(n_bins)
    # points: whole charge in the bin of the mean voltage
    mid = 0.5 * (lo_v[point] + hi_v[point])
    k_mid = np.clip(np.floor(mid / step).astype(np.int64) - k0, 0, n_bins - 1)
    charge += np.bincount(k_mid, weights=dq[point], minlength=n_bins)
    # ramps: uniform density over [lo, hi]
    ramp = ~point
    if ramp.any():
        lo_r, hi_r, q_r = lo_v[ramp], hi_v[ramp], dq[ramp]
        density = q_r / (hi_r - lo_r)
        ka = np.clip(np.floor(lo_r / step).astype(np.int64) - k0, 0, n_bins - 1)
        kb = np.clip(np.floor(hi_r / step).astype(np.int64) - k0, 0, n_bins - 1)
        same = ka == kb
        charge += np.bincount(ka[same], weights=q_r[same], minlength=n_bins)
        span = ~same
        ka, kb, d = ka[span], kb[span], density[span]
        first = d * (edges[ka + 1] - lo_r[span])
        last = d * (hi_r[span] - edges[kb])
        charge += np.bincount(ka, weights=first, minlength=n_bins)
        charge += np.bincount(kb, weights=last, minlength=n_bins)
        # full bins ka+1 .. kb-1 get d*step each: a difference array, then a running sum
        diff = np.bincount(ka + 1, weights=d * step, minlength=n_bins + 1)
        diff -= np.bincount(kb, weights=d * step, minlength=n_bins + 1)
        charge += np.cumsum(diff)[:n_bins]
    below = np.concatenate(([0.0], np.cumsum(charge)))
    centres = edges[:-1] + 0.5 * step
    return centres, charge, below


def _bin_means(
    a: np.ndarray, b: np.ndarray, dq: np.ndarray, q_step: float
) -> tuple[np.ndarray, np.ndarray]:
    """Charge-weighted mean voltage in capacity bins ``[k*q_step, (k+1)*q_step)``.

    V is taken as linear in Q within every interval (from ``a`` to ``b``), so the integral
    of V dQ up to any capacity is a quadratic within the interval and is evaluated exactly.
    """
    q_end = np.cumsum(dq)
    q_start = q_end - dq
    g_end = np.cumsum(0.5 * (a + b) * dq)
    g_start = g_end - 0.5 * (a + b) * dq
    n = math.floor(q_end[-1] / q_step * (1 + 1e-12))
    if n > MAX_BINS:
        raise CyclingDataError(
            f"the dV/dQ grid would have {n} bins (at most {MAX_BINS}); pass a larger "
            "capacity_step_fraction"
        )
    if n < 1:
        return np.zeros(0), np.zeros(0)
    edges = np.arange(n + 1) * q_step
    j = np.clip(np.searchsorted(q_end, edges, side="left"), 0, dq.size - 1)
    x = np.clip(edges - q_start[j], 0.0, dq[j])
    slope = (b[j] - a[j]) / dq[j]
    g = g_start[j] + x * (a[j] + 0.5 * slope * x)
    means = np.diff(g) / q_step
    centres = edges[:-1] + 0.5 * q_step
    return centres, means


def _smooth_normalised(y: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Convolve with weights renormalised where the kernel hangs over an end."""
    if kernel.size <= 1:
        return y.copy()
    num = _convolve_same(y, kernel)
    den = _convolve_same(np.ones_like(y), kernel)
    out: np.ndarray = num / den
    return out


def _convolve_same(y: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Centred convolution with an odd kernel, same length as ``y`` (even if shorter)."""
    half = kernel.size // 2
    out: np.ndarray = np.convolve(y, kernel, mode="full")[half : half + y.size]
    return out


def _peak(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Position and value of the largest ``|y|``, refined by a parabola through 3 points."""
    if y.size == 0 or not np.isfinite(y).any():
        return math.nan, math.nan
    k = int(np.nanargmax(np.abs(y)))
    if 0 < k < y.size - 1:
        y0, y1, y2 = y[k - 1], y[k], y[k + 1]
        denom = y0 - 2 * y1 + y2
        if denom != 0:
            shift = 0.5 * (y0 - y2) / denom
            if abs(shift) <= 1:
                step = x[k + 1] - x[k]
                return float(x[k] + shift * step), float(y1 - 0.25 * (y0 - y2) * shift)
    return float(x[k]), float(y[k])
