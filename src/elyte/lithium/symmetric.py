"""Li‖Li symmetric cells: overpotential per half-cycle, hysteresis, noise and short circuits.

:func:`analyse_symmetric` takes the galvanostatic recording of a symmetric Li‖Li cell
(the seed's Fig. S14a/b: 0.5 mA/cm² for 1 mAh/cm², and 1 mA/cm² for 3 mAh/cm² per
half-cycle) and returns a :class:`SymmetricResult`: one row per half-cycle, one row per
cycle, the short-circuit verdicts and the cumulative capacity passed. The definitions:

Half-cycles
    Rows are labelled by the sign of the current with :func:`elyte.cycling.label_cycles`
    (dead band: 1e-3 of the largest ``|I|`` unless given); a half-cycle is a run of one
    sign, rests ignored. The working electrode is the one on the instrument's working
    (positive) lead: a negative current *plates* Li on it, a positive current *strips*
    it (the counter electrode does the opposite). A cycle is a plating followed by a
    stripping (``cycle_definition="discharge_charge"``); a recording that starts with a
    stripping has it as cycle 0.
Overpotential
    ``η = V · sign(I)``: positive when the cell polarises in the direction the current
    drives it (a Li‖Li cell has no open-circuit voltage to subtract). Per half-cycle,
    with ``f`` the fraction of the half-cycle's duration elapsed (0 at its first row, 1 at
    its last):

    * plateau: median of η over ``plateau_window`` (default 0.25 <= f <= 0.75);
    * peak: largest η with ``f <= peak_window`` (default 0.25), and when it occurred;
    * end: median of η over ``f >= 1 - end_window`` (default the last 5 %);
    * noise: standard deviation of the row-to-row change of V within the plateau window
      divided by √2 (white noise of standard deviation s gives s; a slow drift adds
      almost nothing).
Hysteresis
    Per cycle, plateau voltage of the stripping minus that of the plating half-cycle:
    ``V_strip - V_plate = η_strip + η_plate`` (the full voltage gap between the two
    plateaus, as read off a voltage-time plot).
Hard short
    The voltage collapses toward 0 V: ``|V| < hard_short_v`` on consecutive current-carrying
    rows spanning at least ``hard_short_min_s`` seconds. Reported at the first such row.
Soft short
    A sudden loss of the polarisation: a half-cycle whose plateau η falls below
    ``(1 - soft_short_drop)`` x the running baseline (median plateau η of the
    ``baseline_half_cycles`` half-cycles before it), or whose noise exceeds
    ``soft_short_noise_factor`` x the running baseline noise and ``soft_short_noise_floor_v``.
    A baseline needs ``min_baseline_half_cycles`` earlier half-cycles. Only half-cycles
    that end before a hard short count. The time reported is the first row of that
    half-cycle where the η smoothed over ``smooth_points`` rows is below the drop
    threshold (the half-cycle's start when only the noise rose).
Capacity
    Charge passed per half-cycle from the cumulative capacity columns when the recording
    has them, else the trapezoid integral of ``|I|`` (see
    :func:`elyte.cycling.half_cycle_capacity`); the cumulative capacity adds the
    half-cycles, in mAh/cm² of one electrode's area.

Checks: a recording must hold at least one plating and one stripping half-cycle; the cell
voltage must centre on 0 V (the mean of the two plateau voltages within ``max_offset_v``)
and follow the current (positive median η in both directions); the current must be
constant within the plateau windows of most half-cycles (a galvanostatic test). Anything
else raises :class:`SymmetricCellError` saying what was found.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from elyte._json import jsonable as _clean
from elyte.cycling.differential import half_cycle_capacity
from elyte.cycling.segment import CycleDefinition, CyclingDataError, label_frame
from elyte.cycling.summary import CapacityBasis
from elyte.errors import ProtocolError
from elyte.recording import Recording

__all__ = [
    "HALF_CYCLE_UNITS",
    "ShortDetection",
    "SymmetricCellError",
    "SymmetricResult",
    "analyse_symmetric",
]

#: Units of the per-half-cycle table.
HALF_CYCLE_UNITS: dict[str, str] = {
    "half_cycle": "1",
    "cycle": "1",
    "process": "",
    "start_time_s": "s",
    "end_time_s": "s",
    "duration_s": "s",
    "rows": "1",
    "current_a": "A",
    "current_density_ma_cm2": "mA/cm2",
    "capacity_ah": "Ah",
    "capacity_mah_cm2": "mAh/cm2",
    "cumulative_capacity_mah_cm2": "mAh/cm2",
    "plateau_overpotential_v": "V",
    "plateau_voltage_v": "V",
    "plateau_time_s": "s",
    "peak_overpotential_v": "V",
    "peak_time_s": "s",
    "end_overpotential_v": "V",
    "noise_v": "V",
    "current_spread": "1",
    "baseline_overpotential_v": "V",
    "baseline_noise_v": "V",
    "soft_short_flag": "",
}

#: Units of the per-cycle table.
CYCLE_UNITS: dict[str, str] = {
    "cycle": "1",
    "start_time_s": "s",
    "plating_overpotential_v": "V",
    "stripping_overpotential_v": "V",
    "hysteresis_v": "V",
    "mean_noise_v": "V",
    "cumulative_capacity_mah_cm2": "mAh/cm2",
}

_REQUIRED = ("test_time_second", "voltage_volt", "current_ampere")

#: A half-cycle with fewer rows than this is a fragment (a sign flip of a noisy current).
_MIN_HALF_CYCLE_ROWS = 5


class SymmetricCellError(ProtocolError, CyclingDataError):
    """The recording is not a galvanostatic symmetric-cell test.

    Both a :class:`~elyte.errors.ProtocolError` (the recording does not follow the test
    protocol) and a :class:`~elyte.cycling.CyclingDataError`, so either ``except`` catches
    it (and ``ValueError``). Bad parameters and missing columns raise a plain
    :class:`~elyte.cycling.CyclingDataError`.
    """


@dataclass(frozen=True)
class ShortDetection:
    """Verdict of one short-circuit test.

    Attributes
    ----------
    kind : {"hard", "soft"}
        Which test.
    detected : bool
        Whether the cell failed that way.
    time_s : float or None
        Test time of the failure, s (the recording's ``test_time_second``).
    cycle, half_cycle : int or None
        Cycle and half-cycle (1-based, as in the tables) where it happened.
    reason : str
        What was seen, or why nothing was detected.
    parameters : dict
        The criterion's parameters.
    """

    kind: Literal["hard", "soft"]
    detected: bool
    time_s: float | None
    cycle: int | None
    half_cycle: int | None
    reason: str
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        out: dict[str, Any] = _clean(
            {
                "kind": self.kind,
                "detected": self.detected,
                "time_s": self.time_s,
                "time_h": None if self.time_s is None else self.time_s / 3600.0,
                "cycle": self.cycle,
                "half_cycle": self.half_cycle,
                "reason": self.reason,
                "parameters": dict(self.parameters),
            }
        )
        return out


@dataclass(frozen=True)
class SymmetricResult:
    """Result of :func:`analyse_symmetric`.

    Attributes
    ----------
    half_cycles : polars.DataFrame
        One row per half-cycle (units in :data:`HALF_CYCLE_UNITS`).
    cycles : polars.DataFrame
        One row per cycle: plateau overpotentials, hysteresis, mean noise, cumulative
        capacity at the cycle's end (units in :attr:`units`).
    hard_short, soft_short : ShortDetection
        The two short-circuit verdicts.
    area_cm2 : float
        Electrode area, cm².
    current_density_ma_cm2 : float
        Median current density of the half-cycles, mA/cm².
    areal_capacity_mah_cm2 : float
        Median capacity of a half-cycle, mAh/cm².
    cumulative_capacity_mah_cm2 : float
        Capacity passed in all half-cycles, mAh/cm².
    duration_h : float
        From the first to the last half-cycle row, h.
    plateau_growth_mv_per_h : float or None
        Least-squares slope of the plateau overpotential against time over the
        half-cycles before the first short, mV/h (None with fewer than 3 half-cycles).
    units : dict
        Units of both tables' columns.
    parameters : dict
        Every parameter used.
    conventions : dict
        The definitions in words.
    source : dict
        ``path``, ``sha256``, ``format`` of the recording.
    notes : tuple of str
        Anything unusual.
    """

    half_cycles: pl.DataFrame
    cycles: pl.DataFrame
    hard_short: ShortDetection
    soft_short: ShortDetection
    area_cm2: float
    current_density_ma_cm2: float
    areal_capacity_mah_cm2: float
    cumulative_capacity_mah_cm2: float
    duration_h: float
    plateau_growth_mv_per_h: float | None
    units: Mapping[str, str] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    conventions: Mapping[str, Any] = field(default_factory=dict)
    source: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def failure(self) -> ShortDetection | None:
        """The earlier of the detected shorts, or None when the cell did not short."""
        found = [s for s in (self.soft_short, self.hard_short) if s.detected]
        if not found:
            return None
        return min(found, key=lambda s: s.time_s if s.time_s is not None else math.inf)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view: summary, both tables as lists of rows, shorts, parameters."""
        out: dict[str, Any] = {
            "area_cm2": self.area_cm2,
            "current_density_ma_cm2": self.current_density_ma_cm2,
            "areal_capacity_mah_cm2": self.areal_capacity_mah_cm2,
            "cumulative_capacity_mah_cm2": self.cumulative_capacity_mah_cm2,
            "duration_h": self.duration_h,
            "plateau_growth_mv_per_h": self.plateau_growth_mv_per_h,
            "half_cycle_count": self.half_cycles.height,
            "cycle_count": self.cycles.height,
            "hard_short": self.hard_short.to_dict(),
            "soft_short": self.soft_short.to_dict(),
            "units": {
                "area_cm2": "cm2",
                "current_density_ma_cm2": "mA/cm2",
                "areal_capacity_mah_cm2": "mAh/cm2",
                "cumulative_capacity_mah_cm2": "mAh/cm2",
                "duration_h": "h",
                "plateau_growth_mv_per_h": "mV/h",
                **dict(self.units),
            },
            "parameters": dict(self.parameters),
            "conventions": dict(self.conventions),
            "source": dict(self.source),
            "notes": list(self.notes),
            "half_cycles": self.half_cycles.to_dicts(),
            "cycles": self.cycles.to_dicts(),
            "text": str(self),
        }
        return dict(_clean(out))

    def __str__(self) -> str:
        hc = self.half_cycles
        plateau = hc.get_column("plateau_overpotential_v").drop_nulls()
        first = f"{plateau[0] * 1000:.1f}" if plateau.len() else "n/a"
        last = f"{plateau[-1] * 1000:.1f}" if plateau.len() else "n/a"
        lines = [
            f"Li||Li symmetric cell: {self.current_density_ma_cm2:.3g} mA/cm2, "
            f"{self.areal_capacity_mah_cm2:.3g} mAh/cm2 per half-cycle, {hc.height} "
            f"half-cycles over {self.duration_h:.1f} h, {self.cumulative_capacity_mah_cm2:.4g} "
            f"mAh/cm2 passed (area {self.area_cm2:g} cm2)",
            f"plateau overpotential {first} mV (first half-cycle) -> {last} mV (last)"
            + (
                f", growth {self.plateau_growth_mv_per_h:.3g} mV/h before any short"
                if self.plateau_growth_mv_per_h is not None
                else ""
            ),
        ]
        p = self.parameters
        for short, rule in (
            (
                self.hard_short,
                f"|V| < {p['hard_short_v'] * 1000:g} mV for >= {p['hard_short_min_s']:g} s",
            ),
            (
                self.soft_short,
                f"plateau < {1 - p['soft_short_drop']:.2g} x running baseline or noise > "
                f"{p['soft_short_noise_factor']:g} x baseline",
            ),
        ):
            if short.detected and short.time_s is not None:
                lines.append(
                    f"{short.kind} short at {short.time_s / 3600:.2f} h (cycle {short.cycle}, "
                    f"half-cycle {short.half_cycle}) [{rule}]: {short.reason}"
                )
            else:
                lines.append(f"no {short.kind} short [{rule}]: {short.reason}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- helpers
def _positive(name: str, value: float, *, path: str | None, allow_zero: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise CyclingDataError(f"{name} must be a number, not {value!r}", path=path) from None
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise CyclingDataError(f"{name} must be a finite number {bound}, not {value!r}", path=path)
    return number


def _fraction(name: str, value: float, *, path: str | None) -> float:
    number = _positive(name, value, path=path)
    if number > 1:
        raise CyclingDataError(f"{name} must be a fraction in (0, 1], not {value!r}", path=path)
    return number


def _count(name: str, value: int, minimum: int, *, path: str | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise CyclingDataError(
            f"{name} must be a whole number >= {minimum}, not {value!r}", path=path
        )
    return value


def _span(values: list[Any]) -> str:
    if len(values) <= 10:
        return ", ".join(str(v) for v in values)
    return ", ".join(str(v) for v in values[:8]) + f", ... ({len(values)} in all)"


# --------------------------------------------------------------------------- analysis
def analyse_symmetric(
    rec: Recording,
    *,
    area_cm2: float,
    plateau_window: tuple[float, float] = (0.25, 0.75),
    peak_window: float = 0.25,
    end_window: float = 0.05,
    hard_short_v: float = 0.002,
    hard_short_min_s: float = 600.0,
    soft_short_drop: float = 0.5,
    soft_short_noise_factor: float = 5.0,
    soft_short_noise_floor_v: float = 0.001,
    baseline_half_cycles: int = 6,
    min_baseline_half_cycles: int = 4,
    smooth_points: int = 5,
    max_offset_v: float = 0.3,
    current_tolerance: float = 0.1,
    cycle_definition: CycleDefinition = "discharge_charge",
    capacity_basis: CapacityBasis = "auto",
    current_threshold_a: float | None = None,
) -> SymmetricResult:
    """Analyse a galvanostatic Li‖Li symmetric-cell recording (module docstring).

    Parameters
    ----------
    rec : Recording
        Needs ``test_time_second``, ``voltage_volt`` and ``current_ampere``.
    area_cm2 : float
        Area of one electrode, cm².
    plateau_window : tuple of float
        Fractions of a half-cycle's duration whose η median is the plateau (default the
        middle half, 0.25-0.75).
    peak_window : float
        Fraction of the duration, from the start, searched for the peak (default 0.25).
    end_window : float
        Fraction of the duration, at the end, whose η median is the end value (0.05).
    hard_short_v : float
        ``|V|`` below this is a collapse, V (default 0.002).
    hard_short_min_s : float
        A collapse must last this long to be a hard short, s (default 600).
    soft_short_drop : float
        Relative drop of the plateau η below its running baseline that flags a soft
        short, 0-1 (default 0.5).
    soft_short_noise_factor : float
        Noise above this multiple of the running baseline noise flags a soft short
        (default 5).
    soft_short_noise_floor_v : float
        ... and above this absolute level, V (default 0.001).
    baseline_half_cycles : int
        Half-cycles in the running baseline (default 6).
    min_baseline_half_cycles : int
        Earlier half-cycles needed before a baseline exists (default 4).
    smooth_points : int
        Rows of the trailing median used to time a soft short (default 5).
    max_offset_v : float
        Largest offset of the voltage from 0 V (mean of the two plateau voltages) for the
        recording to count as a symmetric cell, V (default 0.3).
    current_tolerance : float
        Largest relative spread of ``|I|`` ((95th - 5th percentile) / median) within a
        plateau window of a galvanostatic half-cycle (default 0.1).
    cycle_definition : {"discharge_charge", "charge_discharge", "vendor"}
        What a cycle is (default plating then stripping).
    capacity_basis : {"auto", "vendor", "integrated"}
        Where the capacities come from (see :func:`elyte.cycling.half_cycle_capacity`).
    current_threshold_a : float, optional
        Dead band of the rest label, A (default 1e-3 x max ``|I|``).

    Returns
    -------
    SymmetricResult
        Tables, shorts, totals, parameters and notes.

    Raises
    ------
    SymmetricCellError
        If a column is missing, a parameter is out of range, or the recording is not a
        galvanostatic symmetric-cell test (see the module docstring's checks).
    """
    path = rec.meta.source_path
    area = _positive("area_cm2", area_cm2, path=path)
    lo, hi = (float(v) for v in plateau_window)
    if not (0.0 <= lo < hi <= 1.0):
        raise CyclingDataError(
            f"plateau_window must be two fractions 0 <= a < b <= 1, not {plateau_window!r}",
            path=path,
        )
    peak_f = _fraction("peak_window", peak_window, path=path)
    end_f = _fraction("end_window", end_window, path=path)
    hard_v = _positive("hard_short_v", hard_short_v, path=path)
    hard_s = _positive("hard_short_min_s", hard_short_min_s, path=path, allow_zero=True)
    drop = _fraction("soft_short_drop", soft_short_drop, path=path)
    noise_factor = _positive("soft_short_noise_factor", soft_short_noise_factor, path=path)
    noise_floor = _positive(
        "soft_short_noise_floor_v", soft_short_noise_floor_v, path=path, allow_zero=True
    )
    n_base = _count("baseline_half_cycles", baseline_half_cycles, 1, path=path)
    n_min = _count("min_baseline_half_cycles", min_baseline_half_cycles, 1, path=path)
    smooth = _count("smooth_points", smooth_points, 1, path=path)
    max_offset = _positive("max_offset_v", max_offset_v, path=path)
    tolerance = _positive("current_tolerance", current_tolerance, path=path)
    missing = [c for c in _REQUIRED if c not in rec.data.columns]
    if missing:
        raise CyclingDataError(
            f"a symmetric-cell analysis needs the column(s) {missing}; the recording has "
            f"{rec.data.columns}",
            path=path,
        )
    notes: list[str] = []

    # ---- label rows and integrate the capacity (elyte.cycling) -----------------------
    labelling = label_frame(
        rec.data,
        definition=cycle_definition,
        current_threshold_a=current_threshold_a,
        path=path,
    )
    try:
        labelled = half_cycle_capacity(labelling.frame, capacity_basis=capacity_basis)
    except CyclingDataError as exc:
        raise CyclingDataError(exc.message, path=path) from exc
    frame = labelled.select(
        pl.col("test_time_second").cast(pl.Float64).fill_nan(None).alias("t"),
        pl.col("voltage_volt").cast(pl.Float64).fill_nan(None).alias("v"),
        pl.col("current_ampere").cast(pl.Float64).fill_nan(None).alias("i"),
        pl.col("cycle"),
        pl.col("direction").cast(pl.String),
        pl.col("segment"),
        pl.col("half_cycle_capacity_ah").alias("q"),
    ).with_row_index("row")
    active = frame.filter(pl.col("segment").is_not_null() & pl.col("t").is_not_null())
    if active.height == 0:
        raise SymmetricCellError(
            "the recording has no row with current flowing: a symmetric-cell test "
            "alternates plating and stripping at constant current",
            path=path,
        )
    no_v = int(active.get_column("v").null_count())
    if no_v:
        notes.append(f"{no_v} current-carrying row(s) without a voltage were left out")
    active = active.with_columns(
        (pl.struct("cycle", "direction", "segment").rle_id() + 1).cast(pl.Int64).alias("half"),
        pl.when(pl.col("direction") == "charge").then(1.0).otherwise(-1.0).alias("sgn"),
    ).with_columns(
        (pl.col("v") * pl.col("sgn")).alias("eta"),
        (
            (pl.col("t") - pl.col("t").min().over("half"))
            / (pl.col("t").max() - pl.col("t").min()).over("half")
        )
        .fill_nan(0.0)
        .alias("f"),
    )
    in_plateau = (pl.col("f") >= lo) & (pl.col("f") <= hi)
    active = active.with_columns(
        in_plateau.alias("in_plateau"),
        pl.col("v").diff().over("half").alias("dv"),
        in_plateau.shift(1).over("half").fill_null(False).alias("prev_in_plateau"),
    )

    # ---- per half-cycle ---------------------------------------------------------------
    plateau_rows = pl.col("in_plateau")
    peak_rows = pl.col("f") <= peak_f
    end_rows = pl.col("f") >= 1.0 - end_f
    abs_i = pl.col("i").abs().filter(plateau_rows)
    table = (
        active.group_by("half", maintain_order=True)
        .agg(
            pl.col("cycle").first(),
            pl.col("direction").first(),
            pl.col("t").min().alias("start_time_s"),
            pl.col("t").max().alias("end_time_s"),
            pl.len().cast(pl.Int64).alias("rows"),
            pl.col("i").median().alias("current_a"),
            pl.col("q").max().alias("capacity_ah"),
            pl.col("eta").filter(plateau_rows).median().alias("plateau_overpotential_v"),
            pl.col("eta").filter(peak_rows).max().alias("peak_overpotential_v"),
            pl.col("t")
            .filter(peak_rows)
            .sort_by(pl.col("eta").filter(peak_rows))
            .last()
            .alias("peak_time_s"),
            pl.col("eta").filter(end_rows).median().alias("end_overpotential_v"),
            (
                pl.col("dv").filter(plateau_rows & pl.col("prev_in_plateau")).std() / math.sqrt(2.0)
            ).alias("noise_v"),
            ((abs_i.quantile(0.95) - abs_i.quantile(0.05)) / abs_i.median()).alias(
                "current_spread"
            ),
            pl.col("sgn").first(),
        )
        .sort("half")
        .rename({"half": "half_cycle"})
    )
    table = table.with_columns(
        pl.when(pl.col("direction") == "charge")
        .then(pl.lit("stripping"))
        .otherwise(pl.lit("plating"))
        .alias("process"),
        (pl.col("end_time_s") - pl.col("start_time_s")).alias("duration_s"),
        (pl.col("current_a").abs() * 1000.0 / area).alias("current_density_ma_cm2"),
        (pl.col("capacity_ah") * 1000.0 / area).alias("capacity_mah_cm2"),
        (pl.col("plateau_overpotential_v") * pl.col("sgn")).alias("plateau_voltage_v"),
        (
            pl.col("start_time_s")
            + 0.5 * (lo + hi) * (pl.col("end_time_s") - pl.col("start_time_s"))
        ).alias("plateau_time_s"),
    ).with_columns(
        pl.col("capacity_mah_cm2").fill_null(0.0).cum_sum().alias("cumulative_capacity_mah_cm2")
    )
    _check_symmetric(table, max_offset, tolerance, path, notes)
    no_plateau = table.filter(pl.col("plateau_overpotential_v").is_null())
    if no_plateau.height:
        notes.append(
            f"half-cycle(s) {_span(no_plateau.get_column('half_cycle').to_list())} have no row "
            f"in the plateau window {lo:g}-{hi:g} of their duration (too coarse sampling): no "
            "plateau value"
        )

    # ---- hard short -------------------------------------------------------------------
    hard = _hard_short(active, hard_v, hard_s)

    # ---- soft short -------------------------------------------------------------------
    table = table.with_columns(
        pl.col("plateau_overpotential_v")
        .rolling_median(window_size=n_base, min_samples=n_min)
        .shift(1)
        .alias("baseline_overpotential_v"),
        pl.col("noise_v")
        .rolling_median(window_size=n_base, min_samples=n_min)
        .shift(1)
        .alias("baseline_noise_v"),
    )
    dropped = pl.col("plateau_overpotential_v") < (1.0 - drop) * pl.col("baseline_overpotential_v")
    noisy = (pl.col("noise_v") > noise_factor * pl.col("baseline_noise_v")) & (
        pl.col("noise_v") > noise_floor
    )
    before_hard = (
        pl.col("end_time_s") < hard.time_s if hard.detected and hard.time_s is not None else True
    )
    table = table.with_columns(
        pl.when(dropped.fill_null(False) & before_hard)
        .then(pl.lit("overpotential drop"))
        .when(noisy.fill_null(False) & before_hard)
        .then(pl.lit("noise rise"))
        .otherwise(None)
        .alias("soft_short_flag")
    )
    soft_params = {
        "soft_short_drop": drop,
        "soft_short_noise_factor": noise_factor,
        "soft_short_noise_floor_v": noise_floor,
        "baseline_half_cycles": n_base,
        "min_baseline_half_cycles": n_min,
        "smooth_points": smooth,
    }
    soft = _soft_short(table, active, drop, smooth, soft_params, hard)

    # ---- cycles, totals ------------------------------------------------------------
    cycles = (
        table.group_by("cycle", maintain_order=True)
        .agg(
            pl.col("start_time_s").min(),
            pl.col("plateau_overpotential_v")
            .filter(pl.col("process") == "plating")
            .mean()
            .alias("plating_overpotential_v"),
            pl.col("plateau_overpotential_v")
            .filter(pl.col("process") == "stripping")
            .mean()
            .alias("stripping_overpotential_v"),
            pl.col("noise_v").mean().alias("mean_noise_v"),
            pl.col("cumulative_capacity_mah_cm2").max(),
        )
        .sort("cycle")
        .with_columns(
            (pl.col("plating_overpotential_v") + pl.col("stripping_overpotential_v")).alias(
                "hysteresis_v"
            )
        )
        .select(list(CYCLE_UNITS))
    )
    table = table.select(list(HALF_CYCLE_UNITS))

    failure_times = [s.time_s for s in (hard, soft) if s.detected and s.time_s is not None]
    cutoff = min(failure_times) if failure_times else math.inf
    healthy = table.filter(
        (pl.col("end_time_s") <= cutoff) & pl.col("plateau_overpotential_v").is_not_null()
    )
    growth = None
    if healthy.height >= 3:
        hours = healthy.get_column("plateau_time_s").to_numpy() / 3600.0
        if np.ptp(hours) > 0:
            slope = np.polyfit(hours, healthy.get_column("plateau_overpotential_v").to_numpy(), 1)[
                0
            ]
            growth = float(slope) * 1000.0
    t_all = active.get_column("t")
    duration_h = (float(t_all.max()) - float(t_all.min())) / 3600.0  # type: ignore[arg-type]
    if labelling.info.get("cycle_0"):
        notes.append(
            "the recording starts with a stripping half-cycle before the first plating: it "
            "is cycle 0"
            if cycle_definition == "discharge_charge"
            else str(labelling.info["cycle_0"])
        )

    parameters = {
        "area_cm2": area,
        "plateau_window": [lo, hi],
        "peak_window": peak_f,
        "end_window": end_f,
        "hard_short_v": hard_v,
        "hard_short_min_s": hard_s,
        **soft_params,
        "max_offset_v": max_offset,
        "current_tolerance": tolerance,
        "cycle_definition": cycle_definition,
        "capacity_basis": capacity_basis,
        "current_threshold_a": labelling.current_threshold_a,
    }
    conventions = {
        "process": "negative current plates Li on the working electrode (plating), positive "
        "current strips it (stripping)",
        "overpotential": "eta = V * sign(I), V",
        "plateau": f"median eta over {lo:g} <= f <= {hi:g} of the half-cycle's duration",
        "peak": f"largest eta over f <= {peak_f:g}",
        "end": f"median eta over f >= {1 - end_f:g}",
        "noise": "std of the row-to-row change of V within the plateau window / sqrt(2)",
        "hysteresis": "plateau V of stripping - plateau V of plating in the same cycle "
        "(= eta_strip + eta_plate)",
        "hard_short": f"|V| < {hard_v:g} V on consecutive current-carrying rows spanning >= "
        f"{hard_s:g} s",
        "soft_short": f"plateau eta < {1 - drop:g} x running median of the previous {n_base} "
        f"half-cycles' plateaus, or noise > {noise_factor:g} x their median noise and > "
        f"{noise_floor:g} V; only half-cycles ending before a hard short",
        "cycle": labelling.info.get("definition_text", cycle_definition),
        "capacity": "charge passed per half-cycle (elyte.cycling.half_cycle_capacity, basis "
        f"{capacity_basis!r}) / area; cumulative = running sum over half-cycles",
    }
    return SymmetricResult(
        half_cycles=table,
        cycles=cycles,
        hard_short=hard,
        soft_short=soft,
        area_cm2=area,
        current_density_ma_cm2=float(table.get_column("current_density_ma_cm2").median()),  # type: ignore[arg-type]
        areal_capacity_mah_cm2=float(table.get_column("capacity_mah_cm2").median()),  # type: ignore[arg-type]
        cumulative_capacity_mah_cm2=float(
            table.get_column("cumulative_capacity_mah_cm2").max()  # type: ignore[arg-type]
        ),
        duration_h=duration_h,
        plateau_growth_mv_per_h=growth,
        units={**HALF_CYCLE_UNITS, **{f"cycles.{k}": v for k, v in CYCLE_UNITS.items()}},
        parameters=parameters,
        conventions=conventions,
        source={
            "path": path,
            "sha256": rec.meta.sha256,
            "format": rec.meta.format,
            "techniques": list(rec.meta.techniques),
        },
        notes=tuple(notes),
    )


def _check_symmetric(
    table: pl.DataFrame, max_offset: float, tolerance: float, path: str | None, notes: list[str]
) -> None:
    """Raise unless the half-cycles look like a galvanostatic symmetric-cell test."""
    counts = dict(table.group_by("process").len().iter_rows())
    plating, stripping = counts.get("plating", 0), counts.get("stripping", 0)
    if plating == 0 or stripping == 0:
        raise SymmetricCellError(
            f"the recording has {plating} plating (negative current) and {stripping} stripping "
            "(positive current) half-cycle(s); a symmetric-cell test alternates the two at "
            "constant current",
            path=path,
        )
    fragments = table.filter(pl.col("rows") < _MIN_HALF_CYCLE_ROWS)
    if fragments.height * 2 > table.height:
        raise SymmetricCellError(
            f"the current changes sign {table.height - 1} times and {fragments.height} of the "
            f"{table.height} half-cycles hold fewer than {_MIN_HALF_CYCLE_ROWS} rows: this is "
            "not a galvanostatic plating/stripping test (a sweep or a noisy current near 0?)",
            path=path,
        )
    medians = dict(table.group_by("process").agg(pl.col("plateau_voltage_v").median()).iter_rows())
    v_strip, v_plate = medians.get("stripping"), medians.get("plating")
    if v_strip is None or v_plate is None:
        raise SymmetricCellError(
            "no half-cycle of one direction has a row in its plateau window; the sampling is "
            "too coarse for a symmetric-cell analysis",
            path=path,
        )
    offset = 0.5 * (v_strip + v_plate)
    if abs(offset) > max_offset:
        raise SymmetricCellError(
            f"the voltage does not centre on 0 V as a symmetric cell's does: the plateau "
            f"voltages are {v_strip:.3f} V (positive current) and {v_plate:.3f} V (negative "
            f"current), offset {offset:.3f} V > max_offset_v = {max_offset:g} V; this looks "
            "like a cell with two different electrodes (use elyte.cycling.summarize)",
            path=path,
        )
    if v_strip <= 0 or v_plate >= 0:
        raise SymmetricCellError(
            f"the voltage does not follow the current: median plateau {v_strip:.4f} V under "
            f"positive and {v_plate:.4f} V under negative current (a symmetric cell polarises "
            "with the sign of the current)",
            path=path,
        )
    spread = table.get_column("current_spread")
    bad = table.filter(spread > tolerance)
    if bad.height * 2 > table.height:
        raise SymmetricCellError(
            f"the current is not constant in {bad.height} of {table.height} half-cycles "
            f"(relative spread of |I| above {tolerance:g} in the plateau window): the test is "
            "not galvanostatic",
            path=path,
        )
    if bad.height:
        notes.append(
            f"the current varies by more than {tolerance:g} (relative) within the plateau "
            f"window of half-cycle(s) {_span(bad.get_column('half_cycle').to_list())}"
        )


def _hard_short(active: pl.DataFrame, hard_v: float, hard_s: float) -> ShortDetection:
    """First run of current-carrying rows with |V| < hard_v lasting hard_s or longer."""
    params = {"hard_short_v": hard_v, "hard_short_min_s": hard_s}
    runs = (
        active.filter(pl.col("v").is_not_null())
        .with_columns((pl.col("v").abs() < hard_v).alias("low"))
        .with_columns(pl.col("low").rle_id().alias("run"))
        .filter(pl.col("low"))
        .group_by("run", maintain_order=True)
        .agg(
            pl.col("t").first().alias("t0"),
            (pl.col("t").last() - pl.col("t").first()).alias("length_s"),
            pl.col("cycle").first(),
            pl.col("half").first(),
        )
    )
    if runs.height == 0:
        return ShortDetection(
            "hard",
            False,
            None,
            None,
            None,
            f"|V| never fell below {hard_v * 1000:g} mV while current flowed",
            params,
        )
    qualifying = runs.filter(pl.col("length_s") >= hard_s)
    if qualifying.height == 0:
        longest = float(runs.get_column("length_s").max())  # type: ignore[arg-type]
        return ShortDetection(
            "hard",
            False,
            None,
            None,
            None,
            f"|V| fell below {hard_v * 1000:g} mV only briefly (longest {longest:.0f} s < "
            f"{hard_s:g} s)",
            params,
        )
    first = qualifying.row(0, named=True)
    return ShortDetection(
        "hard",
        True,
        float(first["t0"]),
        int(first["cycle"]),
        int(first["half"]),
        f"|V| stayed below {hard_v * 1000:g} mV for {first['length_s']:.0f} s from "
        f"{first['t0'] / 3600:.3f} h",
        params,
    )


def _soft_short(
    table: pl.DataFrame,
    active: pl.DataFrame,
    drop: float,
    smooth: int,
    params: Mapping[str, Any],
    hard: ShortDetection,
) -> ShortDetection:
    """First half-cycle flagged in ``soft_short_flag``, timed within it."""
    flagged = table.filter(pl.col("soft_short_flag").is_not_null())
    if flagged.height == 0:
        evaluated = int(table.get_column("baseline_overpotential_v").is_not_null().sum())
        reason = (
            f"no half-cycle lost its polarisation or turned noisy ({evaluated} of "
            f"{table.height} half-cycles had a baseline"
        )
        if hard.detected:
            reason += "; half-cycles from the hard short on are not examined"
        return ShortDetection("soft", False, None, None, None, reason + ")", params)
    first = flagged.row(0, named=True)
    half = int(first["half_cycle"])
    baseline = float(first["baseline_overpotential_v"])
    limit = (1.0 - drop) * baseline
    time_s = float(first["start_time_s"])
    if first["soft_short_flag"] == "overpotential drop":
        rows = active.filter(pl.col("half") == half).with_columns(
            pl.col("eta").rolling_median(window_size=smooth, min_samples=1).alias("smooth")
        )
        below = rows.filter(pl.col("smooth") < limit)
        if below.height:
            time_s = float(below.get_column("t")[0])
        reason = (
            f"plateau overpotential {first['plateau_overpotential_v'] * 1000:.2f} mV < "
            f"{1 - drop:g} x running baseline {baseline * 1000:.2f} mV"
        )
    else:
        reason = (
            f"voltage noise {first['noise_v'] * 1000:.3f} mV > "
            f"{params['soft_short_noise_factor']:g} x running baseline "
            f"{first['baseline_noise_v'] * 1000:.3f} mV"
        )
    return ShortDetection("soft", True, time_s, int(first["cycle"]), half, reason, params)
