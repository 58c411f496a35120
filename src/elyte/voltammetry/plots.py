"""Figure of a stability sweep: current density against potential with the onset marked.

Built without pyplot like :mod:`elyte.cycling.plots` (same style, same optional matplotlib
dependency: ``pip install "elyte[plot]"``); save with
:func:`elyte.cycling.plots.save_figure`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from elyte.plotting import CELL_COLOURS as _CELL_COLOURS
from elyte.plotting import FIGSIZE
from elyte.plotting import STYLE as _STYLE
from elyte.plotting import load_matplotlib as _matplotlib
from elyte.plotting import new_axes as _axes
from elyte.voltammetry.lsv import StabilityResult, VoltammetryError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_lsv"]


def _results(
    result: StabilityResult | Mapping[str, StabilityResult],
) -> dict[str, StabilityResult]:
    if isinstance(result, StabilityResult):
        return {"": result}
    if (
        isinstance(result, Mapping)
        and result
        and all(isinstance(r, StabilityResult) for r in result.values())
    ):
        return dict(result)
    raise VoltammetryError(
        "expected a StabilityResult or a non-empty mapping of label -> StabilityResult"
    )


def plot_lsv(
    result: StabilityResult | Mapping[str, StabilityResult],
    *,
    raw: bool = True,
    tangent: bool = True,
    annotate: bool = True,
    potential_label: str = "Potential (V)",
    ax: Axes | None = None,
    figsize: tuple[float, float] = FIGSIZE,
) -> Figure:
    """Draw current density against potential, with the threshold line and the onset marked.

    The curve drawn is the one the onset was found on: baseline-corrected when a
    baseline was subtracted (the raw curve and the baseline then appear as thin grey
    lines), raw otherwise. Several results (one per electrolyte, as in the seed's
    Fig. S24) can be compared by passing a mapping of label to result.

    Parameters
    ----------
    result : StabilityResult or mapping of str to StabilityResult
        From :func:`~elyte.voltammetry.anodic_stability` (or ``cathodic_stability``).
    raw : bool
        With a subtracted baseline, also draw the raw curve and the baseline.
    tangent : bool
        Draw the tangent of the tangent-intersection onset, from the steepest point down to
        the baseline.
    annotate : bool
        Write the onset potential and the criterion (threshold, consecutive points) next
        to the marker.
    potential_label : str
        Label of the potential axis (say the reference, e.g. ``"E (V vs. Li/Li$^+$)"``).
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
    VoltammetryError
        If ``result`` is not a result or a mapping of them.
    """
    mpl = _matplotlib()
    results = _results(result)
    with mpl.rc_context(_STYLE):
        fig, axes = _axes(mpl, ax, figsize)
        thresholds: set[float] = set()
        for k, (label, res) in enumerate(results.items()):
            colour = _CELL_COLOURS[k % len(_CELL_COLOURS)]
            sign = 1.0 if res.direction == "anodic" else -1.0
            prefix = f"{label}:" if label else ""
            curve = res.curve
            e = curve.get_column("potential_v").to_numpy()
            j = curve.get_column("corrected_ma_cm2").to_numpy()
            subtracted = res.baseline.kind != "none"
            if subtracted and raw:
                axes.plot(
                    e,
                    curve.get_column("current_density_ma_cm2").to_numpy(),
                    "-",
                    color="#b0b0b0",
                    lw=0.6,
                    gid=f"{prefix}raw",
                    label="_nolegend_",
                )
                axes.plot(
                    e,
                    curve.get_column("baseline_ma_cm2").to_numpy(),
                    ":",
                    color="#808080",
                    lw=0.8,
                    gid=f"{prefix}baseline",
                    label="_nolegend_",
                )
            axes.plot(e, j, "-", color=colour, gid=f"{prefix}curve", label=label or "_nolegend_")
            level = sign * res.threshold_ma_cm2
            if level not in thresholds:
                thresholds.add(level)
                axes.axhline(level, color="#777777", ls="--", lw=0.7, gid="threshold")
            if res.onset_potential_v is not None:
                e_on = (
                    res.onset_interpolated_v
                    if res.onset_interpolated_v is not None
                    else (res.onset_potential_v)
                )
                axes.axvline(e_on, color=colour, ls=":", lw=0.8, gid=f"{prefix}onset")
                axes.plot(
                    [e_on],
                    [level],
                    "o",
                    color=colour,
                    ms=4.0,
                    mfc="white",
                    gid=f"{prefix}onset-point",
                    label="_nolegend_",
                )
                if annotate:
                    axes.annotate(
                        f"{e_on:.2f} V\n({res.threshold_ma_cm2:g} mA cm$^{{-2}}$, "
                        f"{res.consecutive} pts)",
                        xy=(e_on, level),
                        xytext=(-4 if sign > 0 else 4, 8 * sign),
                        textcoords="offset points",
                        ha="right" if sign > 0 else "left",
                        va="bottom" if sign > 0 else "top",
                        fontsize=6.5,
                        color=colour,
                    )
            tan = res.tangent
            if (
                tangent
                and tan.potential_v is not None
                and tan.tangent_point_v is not None
                and tan.tangent_current_ma_cm2 is not None
            ):
                # the tangent is fitted on the uncorrected curve (sweep direction); the
                # baseline line there is c + g * sign * (E - E_start)
                e_pts = np.array([tan.potential_v, tan.tangent_point_v])
                base = res.baseline.capacitive_ma_cm2 + res.baseline.slope_ma_cm2_v * sign * (
                    e_pts - float(e[0])
                )
                y = np.array([base[0], tan.tangent_current_ma_cm2])
                ys = sign * (y - base if subtracted else y)
                axes.plot(
                    e_pts,
                    ys,
                    "-.",
                    color=colour,
                    lw=0.7,
                    gid=f"{prefix}tangent",
                    label="_nolegend_",
                )
        axes.set_xlabel(potential_label)
        axes.set_ylabel("Current density (mA cm$^{-2}$)")
        if len(results) > 1 or any(results):
            axes.legend(loc="best")
    return fig
