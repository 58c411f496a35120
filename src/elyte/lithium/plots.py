"""Figure of the modified-Aurbach test: the voltage trace with the recognised steps shaded.

Built like :mod:`elyte.cycling.plots` (same style, no pyplot state, headless; matplotlib is
optional: ``pip install "elyte[plot]"``). Save with
:func:`elyte.cycling.plots.save_figure`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import polars as pl

from elyte.cycling.segment import CyclingDataError
from elyte.lithium.aurbach import AurbachResult
from elyte.lithium.nucleation import NucleationResult
from elyte.plotting import FIGSIZE, save_figure
from elyte.plotting import STYLE as _STYLE
from elyte.plotting import load_matplotlib as _matplotlib
from elyte.plotting import new_axes as _axes
from elyte.recording import Recording

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["SEGMENT_COLOURS", "plot_aurbach", "save_figure"]

#: Fill colour of each recognised part of the protocol.
SEGMENT_COLOURS: dict[str, str] = {
    "conditioning": "#dddddd",
    "formation": "#bdbdbd",
    "reservoir": "#9ecae1",
    "cycling": "#a1d99b",
    "final": "#fdae6b",
}

_LABELS = {
    "conditioning": "Conditioning",
    "formation": "Formation (excluded)",
    "reservoir": "Reservoir $Q_1$",
    "cycling": "Cycling $Q_2$, $Q_3$",
    "final": "Final strip $Q_4$",
}

_TIME = {"s": 1.0, "min": 60.0, "h": 3600.0}


def _part(role: str) -> str:
    if role.startswith("formation"):
        return "formation"
    if role.startswith("cycle"):
        return "cycling"
    if role == "reservoir_plating":
        return "reservoir"
    if role == "final_stripping":
        return "final"
    return "conditioning"


def plot_aurbach(
    rec: Recording,
    result: AurbachResult,
    *,
    nucleation: NucleationResult | None = None,
    time_unit: Literal["s", "min", "h"] = "h",
    ax: Axes | None = None,
    figsize: tuple[float, float] = FIGSIZE,
) -> Figure:
    """Voltage vs time of a Li||Cu test with the protocol's parts shaded.

    The formation, reservoir (Q1), cycling (Q2, Q3) and final strip (Q4) are shaded from
    the first to the last half-cycle of each part (rests inside a part are shaded with it);
    the cut-off is a dashed line and the CE is the legend's title.

    Parameters
    ----------
    rec : Recording
        The recording the result was computed from.
    result : AurbachResult
        Output of :func:`elyte.lithium.modified_aurbach_ce` for ``rec``.
    nucleation : NucleationResult, optional
        Marks each nucleation tip (from :func:`elyte.lithium.nucleation_overpotential`).
    time_unit : {"s", "min", "h"}
        Unit of the time axis (default hours).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into.
    figsize : tuple of float
        Figure size in inches when a new figure is made.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; the trace has ``gid="voltage"``, each shaded span ``gid`` = the part's
        name (``"formation"``, ``"reservoir"``, ``"cycling"``, ``"final"``).

    Raises
    ------
    MissingDependencyError
        If matplotlib is not installed.
    CyclingDataError
        If the time unit is unknown or the recording lacks time or voltage.
    """
    mpl = _matplotlib()
    if time_unit not in _TIME:
        raise CyclingDataError(f"time_unit must be 's', 'min' or 'h', not {time_unit!r}")
    frame = rec.data
    for name in ("test_time_second", "voltage_volt"):
        if name not in frame.columns:
            raise CyclingDataError(
                f"plotting the Aurbach trace needs the column {name!r}",
                path=rec.meta.source_path,
            )
    scale = _TIME[time_unit]
    t = frame.get_column("test_time_second").cast(pl.Float64).fill_null(np.nan).to_numpy()
    v = frame.get_column("voltage_volt").cast(pl.Float64).fill_null(np.nan).to_numpy()
    spans = (
        result.steps.with_columns(
            pl.col("role").map_elements(_part, return_dtype=pl.String).alias("part")
        )
        .group_by("part", maintain_order=True)
        .agg(pl.col("start_time_s").min(), pl.col("end_time_s").max())
    )
    with mpl.rc_context(_STYLE):
        fig, axes = _axes(mpl, ax, figsize)
        for part, start, end in spans.iter_rows():
            axes.axvspan(
                start / scale,
                end / scale,
                color=SEGMENT_COLOURS[part],
                alpha=0.6,
                lw=0,
                label=_LABELS[part],
                gid=part,
            )
        axes.plot(t / scale, v, "-", color="#222222", lw=0.6, gid="voltage", label="_nolegend_")
        axes.axhline(
            result.protocol.cutoff_v,
            color="#888888",
            lw=0.6,
            ls="--",
            gid="cutoff",
            label="_nolegend_",
        )
        if nucleation is not None and nucleation.steps.height:
            tips = nucleation.steps.drop_nulls("tip_voltage_v")
            axes.plot(
                (tips.get_column("start_time_s") + tips.get_column("tip_time_s")).to_numpy()
                / scale,
                tips.get_column("tip_voltage_v").to_numpy(),
                "v",
                color="#c0392b",
                ms=3.5,
                label="Nucleation tip",
                gid="nucleation_tip",
            )
        axes.set_xlabel(f"Time ({time_unit})")
        axes.set_ylabel("Voltage vs Li/Li$^+$ (V)")
        legend = axes.legend(
            loc="center", title=f"CE = {100.0 * result.ce:.2f} %", alignment="left"
        )
        legend.get_title().set_gid("ce_text")
    return fig
