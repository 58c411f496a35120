"""Figures of the design tools: what-if curves and the mass budget (matplotlib, optional).

Built like every elyte ``plots`` module (:mod:`elyte.plotting`: shared style, no pyplot
state, headless). Save with :func:`elyte.plotting.save_figure`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from elyte.design.cell import DesignResult
from elyte.design.errors import DesignError
from elyte.design.whatif import SweepResult
from elyte.plotting import CELL_COLOURS, FIGSIZE, STYLE, load_matplotlib, new_axes, save_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_budget", "plot_sweep", "plot_sweeps", "save_figure"]

_LABELS = {
    "np_ratio": "N/P ratio",
    "ec_ratio_g_ah": "E/C ratio (g Ah$^{-1}$)",
    "loading_mg_cm2": "Cathode loading (mg cm$^{-2}$)",
    "areal_capacity_mah_cm2": "Areal capacity (mAh cm$^{-2}$)",
    "li_thickness_um": "Li thickness (µm)",
    "electrolyte_volume_ul": "Electrolyte (µL)",
    "capacity_ah": "Cell capacity (Ah)",
    "cu_thickness_um": "Cu thickness (µm)",
    "laminate_areal_mass_g_m2": "Laminate (g m$^{-2}$)",
}


def _label(s: SweepResult) -> str:
    if s.parameter in _LABELS:
        return _LABELS[s.parameter]
    unit = "" if s.unit in ("", "1") else f" ({s.unit})"
    return s.parameter.replace("_", " ") + unit


def plot_sweep(
    result: SweepResult,
    *,
    ax: Axes | None = None,
    reported_wh_kg: float | None = None,
    colour: str = CELL_COLOURS[0],
) -> Figure:
    """Wh/kg against the swept parameter, the design's own point marked.

    Parameters
    ----------
    result : SweepResult
        From :func:`elyte.design.whatif.sweep`.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes (default: a new one-panel figure).
    reported_wh_kg : float, optional
        A reported value, drawn as a dashed line.
    colour : str
        Line colour.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    MissingDependencyError
        Without matplotlib.
    """
    mpl = load_matplotlib()
    with mpl.rc_context(STYLE):
        fig, axes = new_axes(mpl, ax, FIGSIZE)
        x = result.table["value"].to_numpy()
        y = result.table["wh_kg"].to_numpy()
        order = np.argsort(x)
        axes.plot(x[order], y[order], color=colour, label=result.design_name or None)
        ref = result.reference
        if ref and math.isfinite(ref.get("value", math.nan)):
            axes.plot([ref["value"]], [ref["wh_kg"]], "o", color=colour, mfc="white")
        if reported_wh_kg is not None:
            axes.axhline(reported_wh_kg, color="0.4", ls="--", lw=0.8)
        axes.set_xlabel(_label(result))
        axes.set_ylabel("Energy density (Wh kg$^{-1}$)")
    return fig


def plot_sweeps(results: Sequence[SweepResult], *, reported_wh_kg: float | None = None) -> Figure:
    """Several sweeps side by side (one panel each, up to 2 columns).

    Raises
    ------
    DesignError
        If no sweep is given.
    MissingDependencyError
        Without matplotlib.
    """
    if not results:
        raise DesignError("plot_sweeps needs at least one sweep")
    mpl = load_matplotlib()
    from matplotlib.figure import Figure

    n = len(results)
    cols = 1 if n == 1 else 2
    rows = math.ceil(n / cols)
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(FIGSIZE[0] * cols, FIGSIZE[1] * rows), layout="constrained")
        axs = fig.subplots(rows, cols, squeeze=False)
        for i, r in enumerate(results):
            plot_sweep(r, ax=axs[i // cols][i % cols], reported_wh_kg=reported_wh_kg)
        for j in range(n, rows * cols):
            axs[j // cols][j % cols].set_visible(False)
    return fig


def plot_budget(result: DesignResult, *, ax: Axes | None = None) -> Figure:
    """Horizontal bars of the mass budget (g), labelled with the mass fraction.

    Raises
    ------
    MissingDependencyError
        Without matplotlib.
    """
    mpl = load_matplotlib()
    with mpl.rc_context(STYLE):
        fig, axes = new_axes(mpl, ax, (FIGSIZE[0], FIGSIZE[1] * 1.2))
        b = result.budget
        names = list(b["component"])[::-1]
        mass = b["mass_g"].to_numpy()[::-1]
        frac = b["mass_fraction"].to_numpy()[::-1]
        axes.barh(names, mass, color=CELL_COLOURS[0])
        for i, (m, f) in enumerate(zip(mass, frac, strict=True)):
            if m > 0:
                axes.text(m, i, f" {100 * f:.1f} %", va="center", fontsize=6.5)
        axes.set_xlabel("Mass (g)")
        axes.set_xlim(0, float(mass.max()) * 1.25 if mass.max() > 0 else 1.0)
        wh = result.metrics["wh_kg"]
        axes.set_title(
            f"{wh:.0f} Wh kg$^{{-1}}$, {result.metrics['total_mass_g']:.3g} g", fontsize=7
        )
    return fig
