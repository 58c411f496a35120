"""Electrochemical stability window from a linear sweep (LSV) or a cyclic voltammogram (CV).

:func:`anodic_stability` finds the potential where the oxidation current of an electrolyte
takes off on an inert working electrode (stainless steel in a Li/SS cell, the seed's
Fig. S24: 1 mV/s); :func:`cathodic_stability` does the same for reduction; both call
:func:`stability_onset`. Every choice below is a parameter and is echoed in the
:class:`StabilityResult` (and in its text form).

Sweeps
    A sweep is a run of rows in which the potential moves one way. The direction of every
    row is the sign of ``E[k + h] - E[k - h]`` (a centred difference over ``h`` rows, so
    the noise of a measured potential does not flip it); runs shorter than
    ``min_sweep_points`` rows or spanning less than ``min_sweep_v`` are noise (a rest at
    open circuit, a glitch on the first point) and join their neighbours. Each sweep is
    then trimmed to run from its extreme start potential to its extreme end potential
    (for an anodic sweep from its lowest to its highest potential); consecutive sweeps
    share their turning point. An LSV is one sweep; a
    CV alternates. ``sweep=1`` (the default) takes the *first* sweep in the requested
    direction: for a CV that starts with a cathodic scan from open circuit, this is the
    first full anodic scan.
Scan rate
    Least-squares slope of E against time over the sweep, reported in mV/s.
Current density
    ``j = I / area`` in mA/cm². The current is taken with the sign the recording gives it:
    positive for oxidation at the working electrode (BioLogic's convention, and BDF's
    "charging" when the working electrode is the positive terminal). Anodic analyses use
    ``j``, cathodic ones ``-j``, so "exceeds the threshold" always means "in the direction
    of the sweep".
Onset (threshold criterion)
    The first point of the first run of ``consecutive`` points whose (baseline-corrected)
    current density is at least ``threshold_ma_cm2``. ``onset_potential_v`` is the
    measured potential of that point; ``onset_interpolated_v`` interpolates linearly
    between it and the point before, where the current crosses the threshold.
Capacitive baseline (optional)
    Fitted over a low-potential window (default: from 5 % to 25 % of the sweep's potential
    span, counted from its start, which skips the start-up transient). ``"capacitive"``
    takes the mean current density there as the double-layer current ``C·v`` (v the scan rate)
    (C reported in µF/cm²); ``"capacitive_resistive"`` fits ``C·v + (E - E_start)/R`` (a
    straight line: a leakage resistance R, in Ω·cm², on top of the capacitive current).
    The baseline is subtracted before the threshold is applied.
Tangent intersection (alternative onset)
    The baseline line (the fitted baseline, or when no baseline is subtracted a straight
    line fitted over the same window) meets the tangent to the curve at its point of
    steepest rise after the baseline window. The slope is a local least-squares line over
    ``tangent_points`` points. For an exponential current the steepest point is the end
    of the sweep and the intersection lies one Tafel length ``b`` below it, so this onset
    depends on how far the sweep went: report it with the sweep's end potential.

The onset is a convention, not a property of the electrolyte alone: it depends on the
threshold, the scan rate, the working electrode and its area (METHODS.md, "Anodic
stability (LSV)").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from elyte._json import jsonable as _clean
from elyte.cycling.segment import CyclingDataError
from elyte.recording import Recording

__all__ = [
    "DEFAULT_CONSECUTIVE",
    "DEFAULT_THRESHOLD_MA_CM2",
    "Baseline",
    "BaselineFit",
    "StabilityResult",
    "SweepDirection",
    "TangentOnset",
    "VoltammetryError",
    "anodic_stability",
    "cathodic_stability",
    "find_sweeps",
    "stability_onset",
]

#: Direction of a potential sweep: ``"anodic"`` (potential rising) or ``"cathodic"``.
SweepDirection = Literal["anodic", "cathodic"]

#: Baseline subtracted before the threshold: none, ``C·v``, or ``C·v + (E - E_start)/R``.
Baseline = Literal["capacitive", "capacitive_resistive"] | None

#: Default threshold of the onset criterion, mA/cm² (METHODS.md: typically 0.01-0.1).
DEFAULT_THRESHOLD_MA_CM2 = 0.01

#: Default number of consecutive points above the threshold.
DEFAULT_CONSECUTIVE = 3

#: Default baseline window, as fractions of the sweep's potential span from its start.
DEFAULT_BASELINE_FRACTIONS = (0.05, 0.25)

_SIGN = {"anodic": 1.0, "cathodic": -1.0}
_REQUIRED = ("test_time_second", "voltage_volt", "current_ampere")

#: Units of the columns of :attr:`StabilityResult.curve` and of :func:`find_sweeps`.
UNITS: dict[str, str] = {
    "row": "1",
    "time_s": "s",
    "potential_v": "V",
    "current_density_ma_cm2": "mA/cm2",
    "baseline_ma_cm2": "mA/cm2",
    "corrected_ma_cm2": "mA/cm2",
    "sweep": "1",
    "direction": "",
    "index_in_direction": "1",
    "start_row": "1",
    "end_row": "1",
    "points": "1",
    "start_time_s": "s",
    "end_time_s": "s",
    "start_potential_v": "V",
    "end_potential_v": "V",
    "scan_rate_mv_s": "mV/s",
}


class VoltammetryError(CyclingDataError):
    """A voltammogram cannot be analysed as asked (no such sweep, bad window, missing column).

    A :class:`~elyte.cycling.CyclingDataError` (and so a ``ValueError``), so callers that
    catch analysis errors in general catch this one too.
    """


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class BaselineFit:
    """The baseline fitted over the low-potential window.

    Attributes
    ----------
    kind : str
        ``"none"`` (no subtraction; a straight line is still fitted for the tangent
        method), ``"capacitive"`` or ``"capacitive_resistive"``.
    window_v : tuple of float
        Potential window of the fit, V (in sweep order: start, end).
    points : int
        Points in the window.
    capacitive_ma_cm2 : float
        Capacitive current density ``C·v`` in the direction of the sweep, mA/cm².
    capacitance_uf_cm2 : float or None
        ``C = j_c / |v|``, µF/cm² (None when the scan rate is zero).
    slope_ma_cm2_v : float
        Slope of the line, mA/cm² per V of sweep (0 for ``"capacitive"``).
    leak_resistance_ohm_cm2 : float or None
        ``R = 1 / slope`` in Ω·cm² for ``"capacitive_resistive"`` with a positive slope.
    rms_residual_ma_cm2 : float
        Root-mean-square residual of the fit, mA/cm².
    """

    kind: str
    window_v: tuple[float, float]
    points: int
    capacitive_ma_cm2: float
    capacitance_uf_cm2: float | None
    slope_ma_cm2_v: float
    leak_resistance_ohm_cm2: float | None
    rms_residual_ma_cm2: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        out: dict[str, Any] = _clean(self.__dict__)
        out["units"] = {
            "window_v": "V",
            "capacitive_ma_cm2": "mA/cm2",
            "capacitance_uf_cm2": "uF/cm2",
            "slope_ma_cm2_v": "mA/cm2/V",
            "leak_resistance_ohm_cm2": "ohm cm2",
            "rms_residual_ma_cm2": "mA/cm2",
        }
        return out


@dataclass(frozen=True)
class TangentOnset:
    """Onset by tangent intersection.

    Attributes
    ----------
    potential_v : float or None
        Where the tangent meets the baseline line, V; None with ``reason`` otherwise.
    tangent_point_v : float or None
        Potential of the steepest point, V.
    tangent_current_ma_cm2 : float or None
        Local-fit current density there (direction of the sweep, baseline not removed),
        mA/cm².
    slope_ma_cm2_v : float or None
        Slope of the tangent, mA/cm² per V of sweep.
    points : int
        Points of the local fit.
    reason : str or None
        Why there is no onset.
    """

    potential_v: float | None
    tangent_point_v: float | None
    tangent_current_ma_cm2: float | None
    slope_ma_cm2_v: float | None
    points: int
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        out: dict[str, Any] = _clean(self.__dict__)
        out["units"] = {
            "potential_v": "V",
            "tangent_point_v": "V",
            "tangent_current_ma_cm2": "mA/cm2",
            "slope_ma_cm2_v": "mA/cm2/V",
        }
        return out


@dataclass(frozen=True)
class StabilityResult:
    """Onset of the electrolyte's oxidation (or reduction) in one sweep.

    Attributes
    ----------
    direction : {"anodic", "cathodic"}
        Direction of the sweep analysed.
    threshold_ma_cm2 : float
        Threshold of the onset criterion, mA/cm² (always positive; in the direction of
        the sweep).
    consecutive : int
        Number of consecutive points that must reach the threshold.
    onset_potential_v : float or None
        Potential of the first of those points, V; None when the threshold is never held
        for ``consecutive`` points (``onset_reason`` says so).
    onset_interpolated_v : float or None
        Potential where the current crosses the threshold, interpolated linearly between
        the onset point and the point before it, V.
    onset_row : int or None
        Row of the onset point in the recording's data (0-based).
    onset_reason : str or None
        Why there is no onset.
    tangent : TangentOnset
        The tangent-intersection alternative.
    baseline : BaselineFit
        The low-potential baseline (subtracted only when ``baseline.kind`` is not
        ``"none"``).
    scan_rate_mv_s : float
        Scan rate of the sweep (magnitude), mV/s.
    area_cm2 : float
        Working-electrode area used, cm².
    sweep : dict
        The sweep analysed: its number among sweeps of its direction, rows, start and end
        potentials, point count; and ``found``: how many sweeps of each direction exist.
    peak_potential_v, peak_current_density_ma_cm2 : float
        Where the current density (direction of the sweep, baseline removed when
        subtracted) is largest, and its value.
    curve : polars.DataFrame
        The sweep: ``row``, ``time_s``, ``potential_v``, ``current_density_ma_cm2``
        (signed as recorded), ``baseline_ma_cm2`` and ``corrected_ma_cm2`` (signed;
        equal to the raw current when no baseline is subtracted).
    parameters : dict
        Every parameter used (thresholds, windows, smoothing).
    conventions : dict
        Definitions in words.
    source : dict
        ``path``, ``sha256``, ``format``, ``technique`` of the recording.
    notes : tuple of str
        Anything unusual, in plain sentences.
    """

    direction: str
    threshold_ma_cm2: float
    consecutive: int
    onset_potential_v: float | None
    onset_interpolated_v: float | None
    onset_row: int | None
    onset_reason: str | None
    tangent: TangentOnset
    baseline: BaselineFit
    scan_rate_mv_s: float
    area_cm2: float
    sweep: Mapping[str, Any]
    peak_potential_v: float
    peak_current_density_ma_cm2: float
    curve: pl.DataFrame
    parameters: Mapping[str, Any] = field(default_factory=dict)
    conventions: Mapping[str, Any] = field(default_factory=dict)
    source: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_dict(self, *, include_curve: bool = False) -> dict[str, Any]:
        """Plain-JSON view (non-finite numbers become ``None``).

        Parameters
        ----------
        include_curve : bool
            Also include the sweep's points (``curve``) as a list of rows.
        """
        out: dict[str, Any] = {
            "direction": self.direction,
            "threshold_ma_cm2": self.threshold_ma_cm2,
            "consecutive": self.consecutive,
            "onset_potential_v": self.onset_potential_v,
            "onset_interpolated_v": self.onset_interpolated_v,
            "onset_row": self.onset_row,
            "onset_reason": self.onset_reason,
            "tangent": self.tangent.to_dict(),
            "baseline": self.baseline.to_dict(),
            "scan_rate_mv_s": self.scan_rate_mv_s,
            "area_cm2": self.area_cm2,
            "sweep": dict(self.sweep),
            "peak_potential_v": self.peak_potential_v,
            "peak_current_density_ma_cm2": self.peak_current_density_ma_cm2,
            "units": {
                "threshold_ma_cm2": "mA/cm2",
                "onset_potential_v": "V",
                "onset_interpolated_v": "V",
                "scan_rate_mv_s": "mV/s",
                "area_cm2": "cm2",
                "peak_potential_v": "V",
                "peak_current_density_ma_cm2": "mA/cm2",
            },
            "parameters": dict(self.parameters),
            "conventions": dict(self.conventions),
            "source": dict(self.source),
            "notes": list(self.notes),
            "text": str(self),
        }
        if include_curve:
            out["curve"] = {
                "units": {c: UNITS[c] for c in self.curve.columns},
                "rows": self.curve.to_dicts(),
            }
        return dict(_clean(out))

    def __str__(self) -> str:
        sw = self.sweep
        head = (
            f"{self.direction.capitalize()} stability (sweep {sw['index_in_direction']} of "
            f"{sw['found'][self.direction]} {self.direction}, {sw['start_potential_v']:.3f} -> "
            f"{sw['end_potential_v']:.3f} V at {self.scan_rate_mv_s:.3g} mV/s, area "
            f"{self.area_cm2:g} cm2)"
        )
        relation = "j >=" if self.direction == "anodic" else "j <= -"
        criterion = (
            f"{relation}{'' if self.direction == 'cathodic' else ' '}{self.threshold_ma_cm2:g} "
            f"mA/cm2 for {self.consecutive} consecutive points"
        )
        if self.onset_potential_v is not None:
            onset = f"onset {self.onset_potential_v:.3f} V"
            if self.onset_interpolated_v is not None:
                onset += f" (interpolated {self.onset_interpolated_v:.3f} V)"
            onset += f" where {criterion}"
        else:
            onset = f"no onset: {self.onset_reason} (criterion {criterion})"
        if self.baseline.kind == "none":
            base = "no baseline subtracted"
        else:
            lo, hi = self.baseline.window_v
            base = f"{self.baseline.kind} baseline subtracted (fitted over {lo:.3f}-{hi:.3f} V"
            if self.baseline.capacitance_uf_cm2 is not None:
                base += f", C = {self.baseline.capacitance_uf_cm2:.3g} uF/cm2"
            base += ")"
        if self.tangent.potential_v is not None:
            tangent = f"tangent intersection {self.tangent.potential_v:.3f} V"
        else:
            tangent = f"no tangent intersection ({self.tangent.reason})"
        return f"{head}: {onset}; {base}; {tangent}."


# --------------------------------------------------------------------------- sweeps
def _source(rec: Recording) -> dict[str, Any]:
    return {
        "path": rec.meta.source_path,
        "sha256": rec.meta.sha256,
        "format": rec.meta.format,
        "techniques": list(rec.meta.techniques),
    }


def _arrays(rec: Recording) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Rows with finite time, potential and current: original row numbers and arrays."""
    path = rec.meta.source_path
    missing = [c for c in _REQUIRED if c not in rec.data.columns]
    if missing:
        raise VoltammetryError(
            f"a voltammogram needs the column(s) {missing}; the recording has {rec.data.columns}",
            path=path,
        )
    frame = rec.data.select(
        [pl.col(c).cast(pl.Float64, strict=False).fill_null(np.nan) for c in _REQUIRED]
    )
    t, e, i = (frame.get_column(c).to_numpy() for c in _REQUIRED)
    ok = np.isfinite(t) & np.isfinite(e) & np.isfinite(i)
    rows = np.nonzero(ok)[0]
    return rows, t[ok], e[ok], i[ok], int(ok.size - rows.size)


def _window_points(n: int, window_points: int | None) -> int:
    if window_points is None:
        return max(1, round(n / 200))
    if isinstance(window_points, bool) or not isinstance(window_points, int) or window_points < 1:
        raise VoltammetryError(f"window_points must be a whole number >= 1, not {window_points!r}")
    return window_points


def _sweep_table(
    t: np.ndarray,
    e: np.ndarray,
    *,
    window_points: int,
    min_sweep_v: float,
    min_sweep_points: int,
) -> pl.DataFrame:
    """Sweeps of a potential trace, positions relative to the arrays given."""
    n = e.size
    empty = pl.DataFrame(
        schema={
            "sweep": pl.Int64,
            "direction": pl.String,
            "index_in_direction": pl.Int64,
            "start": pl.Int64,
            "end": pl.Int64,
            "points": pl.Int64,
            "start_time_s": pl.Float64,
            "end_time_s": pl.Float64,
            "start_potential_v": pl.Float64,
            "end_potential_v": pl.Float64,
            "scan_rate_mv_s": pl.Float64,
        }
    )
    if n < 2:
        return empty
    h = window_points
    index = np.arange(n)
    ahead = e[np.minimum(index + h, n - 1)]
    behind = e[np.maximum(index - h, 0)]
    step = np.sign(ahead - behind)
    sign = pl.Series("s", step).replace(0.0, None).forward_fill().backward_fill()
    work = pl.DataFrame({"pos": index, "e": e, "s": sign})
    for _ in range(3):  # absorb noise runs; later passes catch runs merged by earlier ones
        runs = work.with_columns(pl.col("s").rle_id().alias("run"))
        noise = (
            runs.group_by("run")
            .agg(
                pl.len().alias("n"),
                (pl.col("e").max() - pl.col("e").min()).alias("span"),
                (
                    (
                        pl.col("e").arg_max().cast(pl.Int64) - pl.col("e").arg_min().cast(pl.Int64)
                    ).abs()
                    + 1
                ).alias("trimmed"),
            )
            .filter(
                (pl.col("n") < min_sweep_points)
                | (pl.col("span") < min_sweep_v)
                | (pl.col("trimmed") < min_sweep_points)
            )
            .get_column("run")
        )
        if noise.len() == 0:
            break
        work = runs.with_columns(
            pl.when(pl.col("run").is_in(noise.implode()))
            .then(None)
            .otherwise(pl.col("s"))
            .forward_fill()
            .backward_fill()
            .alias("s")
        ).drop("run")
    if work.get_column("s").null_count() == n:
        return empty
    runs = work.with_columns(pl.col("s").rle_id().alias("run"))
    table = (
        runs.group_by("run", maintain_order=True)
        .agg(
            pl.col("s").first().alias("s"),
            pl.col("pos").first().alias("first"),
            pl.len().alias("n"),
            (pl.col("e").max() - pl.col("e").min()).alias("span"),
            pl.col("e").arg_min().alias("amin"),
            pl.col("e").arg_max().alias("amax"),
        )
        .filter((pl.col("n") >= min_sweep_points) & (pl.col("span") >= min_sweep_v))
    )
    anodic = pl.col("s") > 0
    table = table.with_columns(
        (pl.col("first") + pl.when(anodic).then("amin").otherwise("amax")).alias("start"),
        (pl.col("first") + pl.when(anodic).then("amax").otherwise("amin")).alias("end"),
        pl.when(anodic).then(pl.lit("anodic")).otherwise(pl.lit("cathodic")).alias("direction"),
    ).filter(pl.col("end") - pl.col("start") + 1 >= min_sweep_points)
    if table.height == 0:
        return empty
    starts = table.get_column("start").to_numpy()
    ends = table.get_column("end").to_numpy()
    # label rows of each trimmed sweep (sweeps do not overlap) and fit E(t) per sweep
    marks = np.zeros(n + 1, dtype=np.int64)
    np.add.at(marks, starts, np.arange(1, starts.size + 1))
    np.add.at(marks, ends + 1, -np.arange(1, starts.size + 1))
    label = np.cumsum(marks[:n]) - 1
    rates = (
        pl.DataFrame({"k": label, "t": t, "e": e})
        .filter(pl.col("k") >= 0)
        .group_by("k")
        .agg((pl.cov("t", "e") / pl.col("t").var() * 1000.0).abs().alias("scan_rate_mv_s"))
        .sort("k")
    )
    # consecutive sweeps share their vertex: a sweep starts at the previous one's last row
    # when that row is adjacent and at or beyond its first potential (the turning point)
    prev_end = np.concatenate([[-2], ends[:-1]])
    up = table.get_column("s").to_numpy() > 0
    adjacent = prev_end == starts - 1
    safe = np.where(adjacent, prev_end, 0)
    beyond = np.where(up, e[safe] <= e[starts], e[safe] >= e[starts])
    starts = np.where(adjacent & beyond, prev_end, starts)
    table = table.with_columns(pl.Series("start", starts))
    out = (
        table.with_row_index("k")
        .with_columns(pl.col("k").cast(pl.Int64))
        .join(rates.with_columns(pl.col("k").cast(pl.Int64)), on="k", how="left")
        .with_columns(
            (pl.col("k") + 1).alias("sweep"),
            (pl.int_range(pl.len()).over("direction") + 1)
            .cast(pl.Int64)
            .alias("index_in_direction"),
            (pl.col("end") - pl.col("start") + 1).cast(pl.Int64).alias("points"),
            pl.Series("start_time_s", t[starts]),
            pl.Series("end_time_s", t[ends]),
            pl.Series("start_potential_v", e[starts]),
            pl.Series("end_potential_v", e[ends]),
        )
    )
    return out.select(empty.columns).cast(dict(empty.schema))  # type: ignore[arg-type]


def find_sweeps(
    rec: Recording,
    *,
    window_points: int | None = None,
    min_sweep_v: float = 0.05,
    min_sweep_points: int = 5,
) -> pl.DataFrame:
    """Potential sweeps of a voltammogram, in time order.

    Parameters
    ----------
    rec : Recording
        Needs ``test_time_second``, ``voltage_volt`` and ``current_ampere``.
    window_points : int, optional
        Half-width ``h`` of the centred difference that gives each row its direction;
        default ``max(1, round(rows / 200))``.
    min_sweep_v : float
        A sweep spans at least this many volts; shorter runs are noise, V (default 0.05).
    min_sweep_points : int
        A sweep has at least this many points (default 5).

    Returns
    -------
    polars.DataFrame
        One row per sweep: ``sweep`` (1-based), ``direction`` (``"anodic"`` /
        ``"cathodic"``), ``index_in_direction`` (1-based), ``start_row`` and ``end_row``
        (rows of the recording's data, inclusive), ``points``, start and end time (s) and
        potential (V), and ``scan_rate_mv_s`` (least-squares |dE/dt|, mV/s).

    Raises
    ------
    VoltammetryError
        If a column is missing or a parameter is out of range.

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> from elyte.recording import Recording, RecordingMeta
    >>> t = np.arange(0.0, 400.0)
    >>> e = np.where(t < 200, 3.0 + 0.01 * t, 5.0 - 0.01 * (t - 200))
    >>> rec = Recording(
    ...     pl.DataFrame({"test_time_second": t, "voltage_volt": e, "current_ampere": 0 * t}),
    ...     RecordingMeta(instrument="example", format="none"),
    ... )
    >>> find_sweeps(rec).select("direction", "start_row", "end_row").rows()
    [('anodic', 0, 200), ('cathodic', 200, 399)]
    """
    _check_positive("min_sweep_v", min_sweep_v)
    if isinstance(min_sweep_points, bool) or not isinstance(min_sweep_points, int):
        raise VoltammetryError(f"min_sweep_points must be a whole number, not {min_sweep_points!r}")
    rows, t, e, _, _ = _arrays(rec)
    table = _sweep_table(
        t,
        e,
        window_points=_window_points(e.size, window_points),
        min_sweep_v=min_sweep_v,
        min_sweep_points=max(2, min_sweep_points),
    )
    return table.with_columns(
        pl.Series("start", rows[table.get_column("start").to_numpy()], dtype=pl.Int64),
        pl.Series("end", rows[table.get_column("end").to_numpy()], dtype=pl.Int64),
    ).rename({"start": "start_row", "end": "end_row"})


# --------------------------------------------------------------------------- onset
def _check_positive(name: str, value: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise VoltammetryError(f"{name} must be a number > 0, not {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise VoltammetryError(f"{name} must be a finite number > 0, not {value!r}")
    return number


def _first_run(above: np.ndarray, k: int) -> int | None:
    """Index of the first of ``k`` consecutive True values, or None."""
    if above.size < k:
        return None
    run = np.convolve(above.astype(np.int64), np.ones(k, dtype=np.int64), mode="valid")
    hits = np.nonzero(run == k)[0]
    return int(hits[0]) if hits.size else None


def _local_slopes(x: np.ndarray, y: np.ndarray, points: int) -> tuple[np.ndarray, np.ndarray]:
    """Slope and value of a centred least-squares line over ``points`` points (NaN at edges)."""
    frame = pl.DataFrame({"x": x, "y": y}).with_columns(
        (pl.col("x") * pl.col("y")).alias("xy"), (pl.col("x") ** 2).alias("xx")
    )
    means = frame.select(
        pl.all().rolling_mean(window_size=points, center=True, min_samples=points)
    ).fill_null(np.nan)
    mx, my, mxy, mxx = (means.get_column(c).to_numpy() for c in ("x", "y", "xy", "xx"))
    var = mxx - mx * mx
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(var > 0, (mxy - mx * my) / np.where(var > 0, var, 1.0), np.nan)
    value = my + slope * (x - mx)
    return slope, value


def _baseline_window(
    x: np.ndarray, sign: float, window_v: tuple[float, float] | None
) -> tuple[float, float]:
    """Baseline window in sweep coordinates ``x = sign * E`` (lo < hi)."""
    if window_v is None:
        x0, x1 = float(x[0]), float(np.max(x))
        lo_f, hi_f = DEFAULT_BASELINE_FRACTIONS
        return x0 + lo_f * (x1 - x0), x0 + hi_f * (x1 - x0)
    try:
        a, b = (float(v) for v in window_v)
    except (TypeError, ValueError):
        raise VoltammetryError(
            f"baseline_window_v must be two potentials (V), not {window_v!r}"
        ) from None
    if not (math.isfinite(a) and math.isfinite(b)) or a == b:
        raise VoltammetryError(
            f"baseline_window_v must be two different potentials, not {window_v!r}"
        )
    lo, hi = sorted((sign * a, sign * b))
    return lo, hi


def stability_onset(
    rec: Recording,
    *,
    area_cm2: float,
    direction: SweepDirection,
    threshold_ma_cm2: float = DEFAULT_THRESHOLD_MA_CM2,
    consecutive: int = DEFAULT_CONSECUTIVE,
    baseline: Baseline = None,
    baseline_window_v: tuple[float, float] | None = None,
    sweep: int = 1,
    search_from_v: float | None = None,
    tangent_points: int | None = None,
    window_points: int | None = None,
    min_sweep_v: float = 0.05,
    min_sweep_points: int = 5,
) -> StabilityResult:
    """Onset potential of oxidation (anodic) or reduction (cathodic) in one sweep.

    See the module docstring for every definition. :func:`anodic_stability` and
    :func:`cathodic_stability` fix ``direction``.

    Parameters
    ----------
    rec : Recording
        An LSV or CV: needs ``test_time_second``, ``voltage_volt`` (working electrode
        potential, V) and ``current_ampere`` (positive = oxidation). Select the rows of
        one technique first (``rec.select(technique="LSV")``) when the file holds others.
    area_cm2 : float
        Working-electrode area, cm².
    direction : {"anodic", "cathodic"}
        Which sweeps to analyse.
    threshold_ma_cm2 : float
        Current density that defines the onset, mA/cm² (> 0; in the sweep's direction).
    consecutive : int
        How many consecutive points must reach the threshold (>= 1).
    baseline : {None, "capacitive", "capacitive_resistive"}
        Baseline subtracted before the threshold is applied.
    baseline_window_v : tuple of float, optional
        Potential window of the baseline fit, V; default 5-25 % of the sweep's span from
        its start.
    sweep : int
        Which sweep of that direction, 1-based (default the first).
    search_from_v : float, optional
        Ignore points before this potential (in the sweep's order) when looking for the
        onset, V; default the start of the sweep.
    tangent_points : int, optional
        Points of the local line fit of the tangent method; default
        ``max(5, points // 50)``.
    window_points, min_sweep_v, min_sweep_points
        Sweep detection, as in :func:`find_sweeps`.

    Returns
    -------
    StabilityResult
        Onsets, baseline, scan rate, the sweep's curve, parameters and notes.

    Raises
    ------
    VoltammetryError
        If a column is missing, no sweep of that direction exists, a parameter is out of
        range, or the baseline window holds fewer than 3 points.
    """
    path = rec.meta.source_path
    if direction not in _SIGN:
        raise VoltammetryError(
            f"direction must be 'anodic' or 'cathodic', not {direction!r}", path=path
        )
    if baseline not in (None, "capacitive", "capacitive_resistive"):
        raise VoltammetryError(
            f"baseline must be None, 'capacitive' or 'capacitive_resistive', not {baseline!r}",
            path=path,
        )
    area = _check_positive("area_cm2", area_cm2)
    threshold = _check_positive("threshold_ma_cm2", threshold_ma_cm2)
    _check_positive("min_sweep_v", min_sweep_v)
    for name, count in (("consecutive", consecutive), ("sweep", sweep)):
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise VoltammetryError(f"{name} must be a whole number >= 1, not {count!r}", path=path)
    sign = _SIGN[direction]
    notes: list[str] = []

    rows, t, e, i, dropped = _arrays(rec)
    if dropped:
        notes.append(f"{dropped} row(s) without a finite time, potential or current were skipped")
    h = _window_points(e.size, window_points)
    sweeps = _sweep_table(
        t, e, window_points=h, min_sweep_v=min_sweep_v, min_sweep_points=max(2, min_sweep_points)
    )
    found = {d: int((sweeps.get_column("direction") == d).sum()) for d in ("anodic", "cathodic")}
    chosen = sweeps.filter(
        (pl.col("direction") == direction) & (pl.col("index_in_direction") == sweep)
    )
    if chosen.height == 0:
        described = "; ".join(
            f"{r['direction']} {r['start_potential_v']:.3f} -> {r['end_potential_v']:.3f} V"
            for r in sweeps.iter_rows(named=True)
        )
        other = "cathodic_stability()" if direction == "anodic" else "anodic_stability()"
        hint = (
            f"; for the other direction use {other}"
            if found[direction] == 0 and sweeps.height
            else ""
        )
        raise VoltammetryError(
            f"the recording has {found[direction]} {direction} sweep(s), so sweep {sweep} does "
            f"not exist (sweeps found: {described or 'none spanning ' + str(min_sweep_v) + ' V'})"
            f"{hint}",
            path=path,
        )
    info = chosen.row(0, named=True)
    a, b = int(info["start"]), int(info["end"])
    ts, es, js = t[a : b + 1], e[a : b + 1], i[a : b + 1] * 1000.0 / area
    x, y = sign * es, sign * js
    n = x.size
    scan_rate = float(info["scan_rate_mv_s"])
    if not math.isfinite(scan_rate) or scan_rate <= 0:
        notes.append("the scan rate could not be determined (the sweep's time does not advance)")
    if found[direction] > 1 or found["anodic" if direction == "cathodic" else "cathodic"]:
        notes.append(
            f"the recording holds {found['anodic']} anodic and {found['cathodic']} cathodic "
            f"sweep(s); {direction} sweep {sweep} ({info['start_potential_v']:.3f} -> "
            f"{info['end_potential_v']:.3f} V) was analysed"
        )
    monotone = np.diff(x) < 0
    if monotone.any():
        notes.append(
            f"the potential steps back {int(monotone.sum())} time(s) within the sweep (noise "
            "on the measured potential); points are used in time order"
        )

    # ---- baseline ------------------------------------------------------------------
    lo, hi = _baseline_window(x, sign, baseline_window_v)
    in_window = (x >= lo) & (x <= hi)
    count = int(in_window.sum())
    if count < 3:
        raise VoltammetryError(
            f"the baseline window {sign * lo:.3f}-{sign * hi:.3f} V holds {count} point(s) of "
            f"the sweep ({es[0]:.3f} -> {es[-1]:.3f} V); at least 3 are needed: pass "
            "baseline_window_v=(E1, E2) inside the sweep",
            path=path,
        )
    xw, yw = x[in_window], y[in_window]
    x0 = float(x[0])
    if baseline == "capacitive":
        c, g = float(np.mean(yw)), 0.0
    else:  # a straight line, for "capacitive_resistive" and for the tangent method
        g, c = (float(v) for v in np.polyfit(xw - x0, yw, 1))
    residual = yw - (c + g * (xw - x0))
    rate_v_s = scan_rate / 1000.0
    capacitance = (
        c / 1000.0 / rate_v_s * 1e6 if math.isfinite(scan_rate) and scan_rate > 0 else None
    )
    fit = BaselineFit(
        kind=baseline or "none",
        window_v=(sign * lo, sign * hi),
        points=count,
        capacitive_ma_cm2=c,
        capacitance_uf_cm2=capacitance if baseline is not None else None,
        slope_ma_cm2_v=g,
        leak_resistance_ohm_cm2=(
            1000.0 / g if baseline == "capacitive_resistive" and g > 0 else None
        ),
        rms_residual_ma_cm2=float(np.sqrt(np.mean(residual**2))),
    )
    base_line = c + g * (x - x0)
    corrected = y - base_line if baseline is not None else y

    # ---- threshold onset ------------------------------------------------------------
    start = 0
    if search_from_v is not None:
        start = int(np.searchsorted(np.maximum.accumulate(x), sign * float(search_from_v)))
    hit = _first_run(corrected[start:] >= threshold, consecutive)
    onset_v = onset_interp = None
    onset_row = None
    reason = None
    if hit is None:
        largest = float(np.max(corrected[start:])) if n > start else float("nan")
        reason = (
            f"no {consecutive} consecutive points reach {threshold:g} mA/cm2 up to "
            f"{es[-1]:.3f} V (largest single value {largest:.3g} mA/cm2)"
        )
    else:
        m = start + hit
        onset_v = float(es[m])
        onset_row = int(rows[a + m])
        onset_interp = onset_v
        if m > 0 and corrected[m - 1] < threshold and corrected[m] != corrected[m - 1]:
            frac = (threshold - corrected[m - 1]) / (corrected[m] - corrected[m - 1])
            onset_interp = float(sign * (x[m - 1] + frac * (x[m] - x[m - 1])))
        if m == start:
            notes.append(
                "the current density is above the threshold from the first point searched: "
                "the onset is not resolved (a start-up transient, or a threshold below the "
                "background current); raise the threshold, subtract a baseline or set "
                "search_from_v"
            )

    # ---- tangent intersection ------------------------------------------------------
    w = max(5, n // 50) if tangent_points is None else int(tangent_points)
    if w < 2:
        raise VoltammetryError(f"tangent_points must be >= 2, not {tangent_points!r}", path=path)
    slope, value = _local_slopes(x, y, w)
    region = np.isfinite(slope) & (x > hi)
    if search_from_v is not None:
        region &= np.arange(n) >= start
    if not region.any():
        tangent = TangentOnset(
            None, None, None, None, w, f"no point after the baseline window with {w} neighbours"
        )
    else:
        p = int(np.nanargmax(np.where(region, slope, -np.inf)))
        s_p, v_p, x_p = float(slope[p]), float(value[p]), float(x[p])
        if s_p <= g:
            tangent = TangentOnset(
                None,
                float(es[p]),
                v_p,
                s_p,
                w,
                "the curve never rises faster than the baseline line",
            )
        else:
            x_star = (v_p - s_p * x_p - c + g * x0) / (g - s_p)
            tangent = TangentOnset(sign * x_star, float(es[p]), v_p, s_p, w)
            if not (min(x) <= x_star <= max(x)):
                notes.append(
                    f"the tangent meets the baseline at {sign * x_star:.3f} V, outside the sweep"
                )

    k_peak = int(np.argmax(corrected))
    curve = pl.DataFrame(
        {
            "row": rows[a : b + 1].astype(np.int64),
            "time_s": ts,
            "potential_v": es,
            "current_density_ma_cm2": js,
            "baseline_ma_cm2": sign * base_line if baseline is not None else np.zeros(n),
            "corrected_ma_cm2": sign * corrected,
        }
    )
    sweep_info = {
        "index_in_direction": sweep,
        "number": int(info["sweep"]),
        "start_row": int(rows[a]),
        "end_row": int(rows[b]),
        "points": n,
        "start_potential_v": float(es[0]),
        "end_potential_v": float(es[-1]),
        "found": found,
    }
    parameters = {
        "threshold_ma_cm2": threshold,
        "consecutive": consecutive,
        "baseline": baseline,
        "baseline_window_v": [sign * lo, sign * hi],
        "baseline_window_default": baseline_window_v is None,
        "sweep": sweep,
        "search_from_v": search_from_v,
        "tangent_points": w,
        "window_points": h,
        "min_sweep_v": min_sweep_v,
        "min_sweep_points": min_sweep_points,
        "area_cm2": area,
    }
    conventions = {
        "current_density": "j = I / area (mA/cm2); I positive = oxidation at the working electrode",
        "onset": f"first of {consecutive} consecutive points with (corrected) j in the "
        f"{direction} direction >= {threshold:g} mA/cm2; potential as measured at that point",
        "onset_interpolated": "linear interpolation of j between the onset point and the one "
        "before it",
        "baseline": {
            None: "none subtracted; a straight line fitted over the window serves the tangent "
            "method",
            "capacitive": "mean j over the window = C * scan rate, subtracted",
            "capacitive_resistive": "least-squares line j = C * scan rate + (E - E_start)/R "
            "over the window, subtracted",
        }[baseline],
        "baseline_window": "5-25 % of the sweep's potential span from its start"
        if baseline_window_v is None
        else "given",
        "tangent": f"tangent at the steepest point after the baseline window (local line over "
        f"{w} points) meets the baseline line",
        "sweep": "sweeps from the sign of a centred potential difference; the first sweep "
        "of the requested direction unless sweep= says otherwise",
        "scan_rate": "least-squares |dE/dt| over the sweep",
    }
    return StabilityResult(
        direction=direction,
        threshold_ma_cm2=threshold,
        consecutive=consecutive,
        onset_potential_v=onset_v,
        onset_interpolated_v=onset_interp,
        onset_row=onset_row,
        onset_reason=reason,
        tangent=tangent,
        baseline=fit,
        scan_rate_mv_s=scan_rate,
        area_cm2=area,
        sweep=sweep_info,
        peak_potential_v=float(es[k_peak]),
        peak_current_density_ma_cm2=float(corrected[k_peak]),
        curve=curve,
        parameters=parameters,
        conventions=conventions,
        source=_source(rec),
        notes=tuple(notes),
    )


def anodic_stability(
    rec: Recording,
    *,
    area_cm2: float,
    threshold_ma_cm2: float = DEFAULT_THRESHOLD_MA_CM2,
    consecutive: int = DEFAULT_CONSECUTIVE,
    baseline: Baseline = None,
    baseline_window_v: tuple[float, float] | None = None,
    sweep: int = 1,
    search_from_v: float | None = None,
    tangent_points: int | None = None,
    window_points: int | None = None,
    min_sweep_v: float = 0.05,
    min_sweep_points: int = 5,
) -> StabilityResult:
    """Anodic stability limit: onset of oxidation current in an anodic sweep.

    :func:`stability_onset` with ``direction="anodic"``; see it for the parameters. On a
    CV the first anodic sweep is analysed unless ``sweep`` says otherwise.

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> from elyte.recording import Recording, RecordingMeta
    >>> e = np.arange(3.0, 6.0, 0.001)  # 1 mV/s from 3 V, one point per second
    >>> j = 1e-3 * np.exp((e - 5.0) / 0.05)  # mA/cm2 on 1 cm2: reaches 0.01 at 5.115 V
    >>> rec = Recording(
    ...     pl.DataFrame(
    ...         {"test_time_second": np.arange(e.size, dtype=float), "voltage_volt": e,
    ...          "current_ampere": j / 1000.0}
    ...     ),
    ...     RecordingMeta(instrument="example", format="none"),
    ... )
    >>> res = anodic_stability(rec, area_cm2=1.0, threshold_ma_cm2=0.01)
    >>> round(res.onset_potential_v, 3), round(res.scan_rate_mv_s, 3)
    (5.116, 1.0)
    """
    return stability_onset(
        rec,
        area_cm2=area_cm2,
        direction="anodic",
        threshold_ma_cm2=threshold_ma_cm2,
        consecutive=consecutive,
        baseline=baseline,
        baseline_window_v=baseline_window_v,
        sweep=sweep,
        search_from_v=search_from_v,
        tangent_points=tangent_points,
        window_points=window_points,
        min_sweep_v=min_sweep_v,
        min_sweep_points=min_sweep_points,
    )


def cathodic_stability(
    rec: Recording,
    *,
    area_cm2: float,
    threshold_ma_cm2: float = DEFAULT_THRESHOLD_MA_CM2,
    consecutive: int = DEFAULT_CONSECUTIVE,
    baseline: Baseline = None,
    baseline_window_v: tuple[float, float] | None = None,
    sweep: int = 1,
    search_from_v: float | None = None,
    tangent_points: int | None = None,
    window_points: int | None = None,
    min_sweep_v: float = 0.05,
    min_sweep_points: int = 5,
) -> StabilityResult:
    """Cathodic stability limit: onset of reduction current in a cathodic sweep.

    :func:`stability_onset` with ``direction="cathodic"``: the threshold applies to
    ``-j`` and potentials decrease along the sweep.
    """
    return stability_onset(
        rec,
        area_cm2=area_cm2,
        direction="cathodic",
        threshold_ma_cm2=threshold_ma_cm2,
        consecutive=consecutive,
        baseline=baseline,
        baseline_window_v=baseline_window_v,
        sweep=sweep,
        search_from_v=search_from_v,
        tangent_points=tangent_points,
        window_points=window_points,
        min_sweep_v=min_sweep_v,
        min_sweep_points=min_sweep_points,
    )
