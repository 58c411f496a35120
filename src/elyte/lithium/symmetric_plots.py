"""Figure of a Li‖Li symmetric-cell test: voltage against time with the overpotential envelope.

Built without pyplot like :mod:`elyte.cycling.plots` (same style, same optional matplotlib
dependency: ``pip install "elyte[plot]"``); save with
:func:`elyte.cycling.plots.save_figure`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import polars as pl

from elyte.cycling.segment import CyclingDataError
from elyte.lithium.symmetric import SymmetricResult
from elyte.plotting import STYLE as _STYLE
from elyte.plotting import load_matplotlib as _matplotlib
from elyte.plotting import new_axes as _axes
from elyte.recording import Recording

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_symmetric"]

#: Default size, inches: a double-column-wide strip, as voltage-time plots of long tests are.
FIGSIZE_WIDE = (7.0, 2.6)

_TIME_FACTORS = {"s": 1.0, "min": 60.0, "h": 3600.0}
_TRACE = "#404040"
_STRIP = "#1f4e9c"
_PLATE = "#c0392b"
_SHORT = {"hard": "#000000", "soft": "#d4861a"}


def _decimate(t: np.ndarray, v: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Keep each bin's lowest and highest voltage so spikes survive thinning."""
    n = t.size
    if n <= max_points:
        return t, v
    size = int(np.ceil(n / (max_points // 2)))
    frame = pl.DataFrame({"row": np.arange(n), "v": v}).filter(pl.col("v").is_not_nan())
    picks = (
        frame.with_columns((pl.col("row") // size).alias("bin"))
        .group_by("bin")
        .agg(
            pl.col("row").sort_by("v").first().alias("lo"),
            pl.col("row").sort_by("v").last().alias("hi"),
        )
    )
    rows = np.unique(
        np.concatenate([picks.get_column("lo").to_numpy(), picks.get_column("hi").to_numpy()])
    )
    return t[rows], v[rows]


def plot_symmetric(
    rec: Recording,
    result: SymmetricResult,
    *,
    time_unit: Literal["s", "min", "h"] = "h",
    envelope: bool = True,
    peaks: bool = True,
    shorts: bool = True,
    max_points: int = 200_000,
    ax: Axes | None = None,
    figsize: tuple[float, float] = FIGSIZE_WIDE,
) -> Figure:
    """Cell voltage against time with each half-cycle's plateau and peak overpotential.

    Parameters
    ----------
    rec : Recording
        The recording that was analysed (``test_time_second`` and ``voltage_volt``).
    result : SymmetricResult
        Its analysis by :func:`~elyte.lithium.symmetric.analyse_symmetric`.
    time_unit : {"s", "min", "h"}
        Unit of the time axis (default hours).
    envelope : bool
        Draw the plateau voltages (median over the plateau window, at the window's
        middle), joined per direction: the overpotential envelope.
    peaks : bool
        Mark each half-cycle's peak (triangle at the peak's time).
    shorts : bool
        Draw a vertical line at each detected short (hard: black, soft: orange).
    max_points : int
        Longer traces are thinned to about this many points, keeping every bin's lowest
        and highest voltage (spikes stay visible).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into.
    figsize : tuple of float
        Size of a new figure, inches.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    MissingDependencyError
        If matplotlib is not installed.
    CyclingDataError
        If the recording lacks the columns or an argument is invalid.
    """
    mpl = _matplotlib()
    if time_unit not in _TIME_FACTORS:
        raise CyclingDataError(f"time_unit must be 's', 'min' or 'h', not {time_unit!r}")
    if isinstance(max_points, bool) or not isinstance(max_points, int) or max_points < 4:
        raise CyclingDataError(f"max_points must be a whole number >= 4, not {max_points!r}")
    missing = [c for c in ("test_time_second", "voltage_volt") if c not in rec.data.columns]
    if missing:
        raise CyclingDataError(
            f"the plot needs the column(s) {missing}; the recording has {rec.data.columns}",
            path=rec.meta.source_path,
        )
    scale = _TIME_FACTORS[time_unit]
    t = rec.data.get_column("test_time_second").cast(pl.Float64).fill_null(np.nan).to_numpy()
    v = rec.data.get_column("voltage_volt").cast(pl.Float64).fill_null(np.nan).to_numpy()
    t, v = _decimate(t, v, max_points)
    hc = result.half_cycles
    with mpl.rc_context(_STYLE):
        fig, axes = _axes(mpl, ax, figsize)
        axes.plot(t / scale, v, "-", color=_TRACE, lw=0.6, gid="voltage", label="_nolegend_")
        axes.axhline(0.0, color="#999999", lw=0.5, gid="zero")
        for process, colour in (("stripping", _STRIP), ("plating", _PLATE)):
            part = hc.filter(pl.col("process") == process)
            if envelope and part.height:
                axes.plot(
                    part.get_column("plateau_time_s").to_numpy() / scale,
                    part.get_column("plateau_voltage_v")
                    .cast(pl.Float64)
                    .fill_null(np.nan)
                    .to_numpy(),
                    "o-",
                    color=colour,
                    ms=2.5,
                    lw=0.8,
                    gid=f"plateau-{process}",
                    label=f"{process.capitalize()} plateau",
                )
            if peaks and part.height:
                sign = 1.0 if process == "stripping" else -1.0
                axes.plot(
                    part.get_column("peak_time_s").cast(pl.Float64).fill_null(np.nan).to_numpy()
                    / scale,
                    sign
                    * part.get_column("peak_overpotential_v")
                    .cast(pl.Float64)
                    .fill_null(np.nan)
                    .to_numpy(),
                    "^" if sign > 0 else "v",
                    linestyle="none",
                    color=colour,
                    ms=3.0,
                    mfc="none",
                    gid=f"peak-{process}",
                    label=f"{process.capitalize()} peak",
                )
        if shorts:
            for short in (result.hard_short, result.soft_short):
                if short.detected and short.time_s is not None:
                    axes.axvline(
                        short.time_s / scale,
                        color=_SHORT[short.kind],
                        ls="--",
                        lw=0.8,
                        gid=f"{short.kind}-short",
                        label=f"{short.kind.capitalize()} short",
                    )
        axes.set_xlabel(f"Time ({time_unit})")
        axes.set_ylabel("Voltage (V)")
        if axes.get_legend_handles_labels()[0]:
            axes.legend(loc="best", ncols=2)
    return fig
