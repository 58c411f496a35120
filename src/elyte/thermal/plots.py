"""Figures of ARC and DSC runs (matplotlib, optional: ``pip install "elyte[plot]"``).

* :func:`plot_arc_temperature` — sample temperature against time with the instrument
  modes shaded (heat, wait, search, exotherm).
* :func:`plot_shr` — self-heating rate (log scale) against temperature with T_onset, the
  detection threshold and T_tr at each criterion marked; several runs can share one axes
  (the seed's Fig. S28 compares two electrolytes).
* :func:`plot_dsc` — net heat flow against temperature with the onset (tangent) and the
  peak of each exotherm marked.

Built without pyplot (:mod:`elyte.plotting`); save with :func:`elyte.plotting.save_figure`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from elyte.errors import ThermalError
from elyte.plotting import CELL_COLOURS, FIGSIZE, STYLE, load_matplotlib, new_axes
from elyte.thermal.arc import ArcRecording, ArcResult, Segmentation, segment_arc
from elyte.thermal.dsc import DscResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["MODE_COLOURS", "plot_arc_temperature", "plot_dsc", "plot_shr"]

#: Shading of each instrument mode.
MODE_COLOURS = {
    "heat": "#f4c7a1",
    "wait": "#e6e6e6",
    "search": "#c9dcf0",
    "exotherm": "#f2a7a7",
    "other": "#ffffff",
}


def plot_arc_temperature(
    rec: ArcRecording,
    segmentation: Segmentation | ArcResult | None = None,
    *,
    jacket: bool = True,
    ax: Axes | None = None,
    figsize: tuple[float, float] = FIGSIZE,
) -> Figure:
    """Draw the sample temperature against time (h) with the modes shaded.

    Parameters
    ----------
    rec : ArcRecording
        The run.
    segmentation : Segmentation or ArcResult, optional
        Modes to shade (default: :func:`~elyte.thermal.arc.segment_arc` of the run).
    jacket : bool
        Also draw the jacket temperature when the run has one (thin dashed line).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into.
    figsize : tuple of float
        Size of a new figure, inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    mpl = load_matplotlib()
    if isinstance(segmentation, ArcResult):
        seg = segmentation.segmentation
    else:
        seg = segmentation if segmentation is not None else segment_arc(rec)
    hours = rec.time_s / 3600.0
    with mpl.rc_context(STYLE):
        fig, axes = new_axes(mpl, ax, figsize)
        shown: set[str] = set()
        for s in seg.segments:
            if s.mode == "other":
                continue
            end = hours[min(s.stop, hours.size - 1)]
            axes.axvspan(
                hours[s.start],
                end,
                color=MODE_COLOURS[s.mode],
                lw=0,
                gid=f"mode:{s.mode}",
                label=s.mode if s.mode not in shown else "_nolegend_",
            )
            shown.add(s.mode)
        if jacket and rec.jacket_c is not None:
            axes.plot(
                hours, rec.jacket_c, "--", color="#808080", lw=0.6, label="jacket", gid="jacket"
            )
        axes.plot(
            hours,
            rec.temperature_c,
            "-",
            color=CELL_COLOURS[0],
            lw=1.0,
            label="sample",
            gid="sample",
        )
        axes.set_xlabel("Time (h)")
        axes.set_ylabel("Temperature (°C)")
        axes.set_xlim(hours[0], hours[-1])
        axes.legend(loc="upper left", ncols=2)
    return fig


def _results(result: ArcResult | Mapping[str, ArcResult]) -> dict[str, ArcResult]:
    if isinstance(result, ArcResult):
        return {"": result}
    if (
        isinstance(result, Mapping)
        and result
        and all(isinstance(r, ArcResult) for r in result.values())
    ):
        return dict(result)
    raise ThermalError("expected an ArcResult or a non-empty mapping of label -> ArcResult")


def plot_shr(
    result: ArcResult | Mapping[str, ArcResult],
    *,
    annotate: bool = True,
    ax: Axes | None = None,
    figsize: tuple[float, float] = FIGSIZE,
) -> Figure:
    """Draw log SHR against temperature with T_onset and T_tr marked.

    Parameters
    ----------
    result : ArcResult or mapping of str to ArcResult
        From :func:`~elyte.thermal.arc.analyse_arc`; a mapping draws several runs.
    annotate : bool
        Write T_onset and T_tr (with its criterion) next to the markers.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into.
    figsize : tuple of float
        Size of a new figure, inches.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ThermalError
        If ``result`` is not a result or a mapping of them.
    """
    mpl = load_matplotlib()
    results = _results(result)
    with mpl.rc_context(STYLE):
        fig, axes = new_axes(mpl, ax, figsize)
        axes.set_yscale("log")
        drawn_rates: set[float] = set()
        for k, (label, res) in enumerate(results.items()):
            colour = CELL_COLOURS[k % len(CELL_COLOURS)]
            prefix = f"{label}: " if label else ""
            shr = res.shr
            for seg in np.unique(shr.segment).tolist():
                pick = shr.segment == seg
                axes.plot(
                    shr.temperature_c[pick],
                    shr.shr_c_min[pick],
                    "-",
                    color=colour,
                    label=(label or "SHR") if seg == 0 else "_nolegend_",
                    gid=f"{prefix}shr",
                )
            rates = [res.threshold_c_min] + [p.criterion_c_min for p in res.tr]
            for rate in rates:
                if rate not in drawn_rates:
                    axes.axhline(rate, color="#a0a0a0", lw=0.6, ls=":", gid=f"rate:{rate:g}")
                    drawn_rates.add(rate)
            if res.onset_c is not None:
                axes.plot(
                    [res.onset_c],
                    [res.threshold_c_min],
                    "o",
                    color=colour,
                    mfc="white",
                    gid=f"{prefix}onset",
                    label="_nolegend_",
                )
                if annotate:
                    axes.annotate(
                        f"{prefix}T$_{{onset}}$ {res.onset_c:.0f} °C",
                        (res.onset_c, res.threshold_c_min),
                        textcoords="offset points",
                        xytext=(4, -10),
                        fontsize=6,
                        color=colour,
                    )
            for p in res.tr:
                if p.temperature_c is None:
                    continue
                axes.plot(
                    [p.temperature_c],
                    [p.criterion_c_min],
                    "s",
                    color=colour,
                    gid=f"{prefix}tr:{p.criterion_c_min:g}",
                    label="_nolegend_",
                )
                if annotate:
                    criterion = p.label.replace("deg", "°")
                    axes.annotate(
                        f"{prefix}T$_{{tr}}$ {p.temperature_c:.0f} °C ({criterion})",
                        (p.temperature_c, p.criterion_c_min),
                        textcoords="offset points",
                        xytext=(4, 3),
                        fontsize=6,
                        color=colour,
                    )
        axes.set_xlabel("Temperature (°C)")
        axes.set_ylabel("Self-heating rate (°C min$^{-1}$)")
        if len(results) > 1 or any(r.shr.temperature_c.size for r in results.values()):
            axes.legend(loc="lower right")
    return fig


def plot_dsc(
    result: DscResult,
    *,
    tangents: bool = True,
    ax: Axes | None = None,
    figsize: tuple[float, float] = FIGSIZE,
) -> Figure:
    """Draw the net heat flow (exo up) against temperature with onsets and peaks.

    Parameters
    ----------
    result : DscResult
        From :func:`~elyte.thermal.dsc.analyse_dsc`.
    tangents : bool
        Draw the leading-edge tangent of each exotherm down to the baseline.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into.
    figsize : tuple of float
        Size of a new figure, inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    mpl = load_matplotlib()
    temp, net = result.temperature_c, result.net_w_g
    with mpl.rc_context(STYLE):
        fig, axes = new_axes(mpl, ax, figsize)
        axes.axhline(0.0, color="#a0a0a0", lw=0.6, gid="baseline")
        axes.plot(temp, net, "-", color=CELL_COLOURS[0], gid="net")
        for k, p in enumerate(result.peaks):
            axes.plot([p.peak_c], [p.height_w_g], "v", color=CELL_COLOURS[1], gid=f"peak:{k}")
            axes.annotate(
                f"{p.peak_c:.0f} °C\n{p.enthalpy_j_g:.0f} J/g",
                (p.peak_c, p.height_w_g),
                textcoords="offset points",
                xytext=(3, 2),
                fontsize=6,
            )
            if p.onset_c is not None:
                axes.plot(
                    [p.onset_c], [0.0], "o", color=CELL_COLOURS[1], mfc="white", gid=f"onset:{k}"
                )
                if tangents and p.tangent_c is not None and p.tangent_w_g is not None:
                    reach = p.onset_c + 1.3 * (p.tangent_c - p.onset_c)
                    axes.plot(
                        [p.onset_c, reach],
                        [0.0, 1.3 * p.tangent_w_g],
                        ":",
                        color=CELL_COLOURS[1],
                        lw=0.8,
                        gid=f"tangent:{k}",
                    )
        axes.set_xlabel("Temperature (°C)")
        axes.set_ylabel("Net heat flow, exo up (W g$^{-1}$)")
    return fig
