"""Publication-style figures of cycling results (matplotlib, optional).

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot, so nothing
touches matplotlib's global state and the functions work headless (no display needed):
save with ``fig.savefig("x.png", dpi=300)`` or :func:`save_figure`. Pass ``ax=`` to draw
into an axes of your own figure (a panel of a larger figure); the figure that holds it is
returned.

matplotlib is an optional dependency: install it with ``pip install "elyte[plot]"``.
Without it the functions raise :class:`~elyte.errors.MissingDependencyError`.

Style: single-column size (3.5 x 2.6 in), axis labels with units, inward ticks, no title,
grid or frame around the legend. Capacities are shown in mAh/g when the table has specific
capacities and in mAh otherwise; Coulombic efficiency and retention in percent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import polars as pl

from elyte.cycling.cell import CellSpec
from elyte.cycling.differential import DifferentialResult, half_cycle_capacity
from elyte.cycling.rate import RateCapability
from elyte.cycling.segment import CycleDefinition, CyclingDataError
from elyte.cycling.summary import CapacityBasis, CycleTable
from elyte.plotting import CELL_COLOURS as _CELL_COLOURS
from elyte.plotting import FIGSIZE, save_figure
from elyte.plotting import STYLE as _STYLE
from elyte.plotting import load_matplotlib as _matplotlib
from elyte.plotting import new_axes as _axes
from elyte.recording import Recording

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap
    from matplotlib.figure import Figure

__all__ = [
    "plot_capacity_ce",
    "plot_dqdv",
    "plot_dvdq",
    "plot_rate_capability",
    "plot_retention",
    "plot_voltage_profiles",
    "save_figure",
]

#: Up to this many cycles get a legend; more get a colour bar.
MAX_LEGEND_CYCLES = 8

_CHARGE_COLOUR = "#1f4e9c"
_DISCHARGE_COLOUR = "#c0392b"
_CE_COLOUR = "#555555"

_UNIT_TEXT = {
    "Ah": "mAh",  # shown x 1000
    "mAh/g": "mAh g$^{-1}$",
    "mAh/cm2": "mAh cm$^{-2}$",
}


# --------------------------------------------------------------------------- plumbing
def _ramp(cmap: str | Colormap) -> Colormap:
    """Cut the lightest 10 % off a colour map (a yellow line is hard to see)."""
    from matplotlib import colormaps
    from matplotlib.colors import Colormap, ListedColormap

    base = cmap if isinstance(cmap, Colormap) else colormaps[cmap]
    return ListedColormap(base(np.linspace(0.0, 0.9, 256)), name=f"{base.name}_ramp")


def _cycle_colours(cycles: Sequence[int], cmap: str | Colormap) -> tuple[dict[int, Any], Any, Any]:
    """Colour of every cycle by its number, the colour map and the normalisation."""
    from matplotlib.colors import Normalize

    ramp = _ramp(cmap)
    lo, hi = (min(cycles), max(cycles)) if cycles else (0, 1)
    norm = Normalize(vmin=lo, vmax=hi if hi > lo else lo + 1)
    return {c: ramp(norm(c)) for c in cycles}, ramp, norm


def _cycle_key(fig: Figure, ax: Axes, cycles: Sequence[int], ramp: Any, norm: Any) -> None:
    """Legend for a few cycles, colour bar for many."""
    if len(cycles) <= MAX_LEGEND_CYCLES:
        ax.legend(loc="best")
        return
    from matplotlib.cm import ScalarMappable

    mappable = ScalarMappable(norm=norm, cmap=ramp)
    bar = fig.colorbar(mappable, ax=ax, pad=0.02, aspect=30)
    bar.set_label("Cycle")
    bar.outline.set_linewidth(0.5)
    bar.ax.tick_params(direction="in", length=2)


def _values(frame: pl.DataFrame, column: str, factor: float = 1.0) -> np.ndarray:
    out: np.ndarray = (
        frame.get_column(column).cast(pl.Float64).fill_null(np.nan).to_numpy() * factor
    )
    return out


def _has_values(frame: pl.DataFrame, column: str) -> bool:
    return column in frame.columns and frame.get_column(column).cast(pl.Float64).is_not_null().any()


def _capacity_basis(
    tables: Iterable[CycleTable], basis: Literal["auto", "specific", "absolute"]
) -> tuple[str, float, str]:
    """Column suffix, factor and axis unit for capacities."""
    if basis not in ("auto", "specific", "absolute"):
        raise CyclingDataError(f"basis must be 'auto', 'specific' or 'absolute', not {basis!r}")
    tables = list(tables)
    specific = all(_has_values(t.data, "discharge_capacity_mah_g") for t in tables)
    if basis == "specific" and not specific:
        raise CyclingDataError(
            "basis='specific' needs mAh/g columns: summarise with a CellSpec that has the "
            "active mass (active_mass_g, or loading_mg_cm2 x area_cm2 x active_fraction)"
        )
    if basis == "specific" or (basis == "auto" and specific):
        return "mah_g", 1.0, "mAh g$^{-1}$"
    return "ah", 1000.0, "mAh"


def _tables(table: CycleTable | Mapping[str, CycleTable]) -> dict[str, CycleTable]:
    if isinstance(table, CycleTable):
        return {"": table}
    if (
        isinstance(table, Mapping)
        and table
        and all(isinstance(t, CycleTable) for t in table.values())
    ):
        return dict(table)
    raise CyclingDataError("expected a CycleTable or a non-empty mapping of label -> CycleTable")


def _delivered(table: CycleTable) -> str:
    return "charge" if table.conventions.get("working_electrode") == "negative" else "discharge"


# --------------------------------------------------------------------------- figures
def plot_capacity_ce(
    table: CycleTable | Mapping[str, CycleTable],
    *,
    basis: Literal["auto", "specific", "absolute"] = "auto",
    show_charge: bool = True,
    ce_limits: tuple[float, float] | None = None,
    ax: Axes | None = None,
    figsize: tuple[float, float] = FIGSIZE,
) -> Figure:
    """Capacity (left axis) and Coulombic efficiency (right axis) vs cycle.

    Parameters
    ----------
    table : CycleTable or mapping of str to CycleTable
        One cell's table, or several labelled ones (e.g. ``{"LiPF6": a, "new": b}``).
    basis : {"auto", "specific", "absolute"}
        Capacity in mAh/g (``"specific"``; needs the mAh/g columns), in mAh
        (``"absolute"``), or mAh/g when every table has it (``"auto"``).
    show_charge : bool
        One table: also plot the charge capacity (open circles) next to the discharge
        capacity (filled). Several tables: only the delivered capacity is plotted.
    ce_limits : tuple of float, optional
        Range of the CE axis in percent (default: matplotlib's choice).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; its twin carries the CE.
    figsize : tuple of float
        Figure size in inches when a new figure is made.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; ``fig.axes[0]`` holds the capacities, its twin the CE in percent.

    Raises
    ------
    MissingDependencyError
        If matplotlib is not installed.
    CyclingDataError
        If ``basis="specific"`` and a table has no mAh/g columns.
    """
    mpl = _matplotlib()
    tables = _tables(table)
    suffix, factor, unit = _capacity_basis(tables.values(), basis)
    with mpl.rc_context(_STYLE):
        fig, ax_q = _axes(mpl, ax, figsize)
        ax_ce = ax_q.twinx()
        ax_ce.spines["right"].set_visible(True)
        ax_ce.spines["top"].set_visible(False)
        single = len(tables) == 1
        for k, (label, tab) in enumerate(tables.items()):
            data = tab.data
            cycles = _values(data, "cycle")
            colour = _CELL_COLOURS[k % len(_CELL_COLOURS)]
            prefix = f"{label}: " if label else ""
            if single:
                delivered = _delivered(tab)
                other = "charge" if delivered == "discharge" else "discharge"
                ax_q.plot(
                    cycles,
                    _values(data, f"{delivered}_capacity_{suffix}", factor),
                    "o",
                    color=_DISCHARGE_COLOUR if delivered == "discharge" else _CHARGE_COLOUR,
                    label=f"{prefix}{delivered.capitalize()}",
                    gid=f"{delivered}_capacity_{suffix}",
                )
                if show_charge:
                    ax_q.plot(
                        cycles,
                        _values(data, f"{other}_capacity_{suffix}", factor),
                        "o",
                        mfc="none",
                        mew=0.8,
                        color=_CHARGE_COLOUR if other == "charge" else _DISCHARGE_COLOUR,
                        label=f"{prefix}{other.capitalize()}",
                        gid=f"{other}_capacity_{suffix}",
                    )
                ce_colour = _CE_COLOUR
            else:
                delivered = _delivered(tab)
                ax_q.plot(
                    cycles,
                    _values(data, f"{delivered}_capacity_{suffix}", factor),
                    "o",
                    color=colour,
                    label=label,
                    gid=f"{label}:{delivered}_capacity_{suffix}",
                )
                ce_colour = colour
            ax_ce.plot(
                cycles,
                _values(data, "coulombic_efficiency", 100.0),
                "^",
                mfc="none",
                mew=0.7,
                ms=3.0,
                color=ce_colour,
                label=f"{prefix}CE" if single else "_nolegend_",
                gid=f"{label}:coulombic_efficiency" if label else "coulombic_efficiency",
            )
        ax_q.set_xlabel("Cycle number")
        what = (
            "Capacity"
            if not single or show_charge
            else f"{_delivered(next(iter(tables.values()))).capitalize()} capacity"
        )
        ax_q.set_ylabel(f"{what} ({unit})")
        ax_ce.set_ylabel("Coulombic efficiency (%)")
        if ce_limits is not None:
            ax_ce.set_ylim(*ce_limits)
        ax_q.set_ylim(bottom=0)
        handles, labels = ax_q.get_legend_handles_labels()
        if single:
            h2, l2 = ax_ce.get_legend_handles_labels()
            handles, labels = handles + h2, labels + l2
        ax_q.legend(handles, labels, loc="lower left")
    return fig


def plot_retention(
    table: CycleTable | Mapping[str, CycleTable],
    *,
    reference_cycle: int | None = None,
    column: str | None = None,
    threshold: float | None = None,
    ax: Axes | None = None,
    figsize: tuple[float, float] = FIGSIZE,
) -> Figure:
    """Capacity retention (percent) vs cycle.

    Parameters
    ----------
    table : CycleTable or mapping of str to CycleTable
        One table or several labelled ones.
    reference_cycle : int, optional
        Cycle that is 100 %; default the table's own (its ``capacity_retention`` column).
    column : str, optional
        Capacity column to divide; default the delivered capacity of the working
        electrode (``discharge_capacity_ah`` for a positive one).
    threshold : float, optional
        Draw a dashed line at this retention (fraction, e.g. 0.8).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into.
    figsize : tuple of float
        Figure size in inches when a new figure is made.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    MissingDependencyError
        If matplotlib is not installed.
    CyclingDataError
        If the reference cycle is absent or its capacity is not positive.
    """
    mpl = _matplotlib()
    tables = _tables(table)
    series: list[tuple[str, np.ndarray, np.ndarray]] = []
    for label, tab in tables.items():
        data = tab.data
        if reference_cycle is None and column is None:
            ratio = _values(data, "capacity_retention", 100.0)
        else:
            col = column or f"{_delivered(tab)}_capacity_ah"
            ref = int(
                reference_cycle
                if reference_cycle is not None
                else tab.conventions.get("reference_cycle", 1)
            )
            if col not in data.columns:
                raise CyclingDataError(f"the table has no column {col!r}")
            hit = data.filter(pl.col("cycle") == ref).get_column(col)
            if hit.len() == 0 or hit[0] is None or not float(hit[0]) > 0:
                raise CyclingDataError(
                    f"reference cycle {ref} is absent or has no positive {col}"
                    + (f" in {label!r}" if label else "")
                )
            ratio = _values(data, col, 100.0 / float(hit[0]))
        series.append((label, _values(data, "cycle"), ratio))
    with mpl.rc_context(_STYLE):
        fig, axes = _axes(mpl, ax, figsize)
        for k, (label, cycles, ratio) in enumerate(series):
            axes.plot(
                cycles,
                ratio,
                "o-",
                ms=2.5,
                lw=0.8,
                color=_CELL_COLOURS[k % len(_CELL_COLOURS)],
                label=label or "_nolegend_",
                gid=f"retention:{label}",
            )
        if threshold is not None:
            axes.axhline(100.0 * threshold, ls="--", lw=0.7, color="0.5", gid="threshold", zorder=0)
        axes.set_xlabel("Cycle number")
        axes.set_ylabel("Capacity retention (%)")
        if len(series) > 1:
            axes.legend(loc="lower left")
    return fig


def plot_voltage_profiles(
    data: Recording | pl.DataFrame,
    *,
    cycles: int | Iterable[int] | None = None,
    cycle_definition: CycleDefinition | None = None,
    cell: CellSpec | None = None,
    direction: Literal["both", "charge", "discharge"] = "both",
    capacity_basis: CapacityBasis = "auto",
    cmap: str | Colormap = "viridis",
    ax: Axes | None = None,
    figsize: tuple[float, float] = FIGSIZE,
) -> Figure:
    """Voltage vs capacity of selected cycles, coloured from the first to the last.

    Each half-cycle is one line starting at zero capacity (see
    :func:`~elyte.cycling.differential.half_cycle_capacity`); charge and discharge of a
    cycle share its colour. Up to :data:`MAX_LEGEND_CYCLES` cycles get a legend, more a
    colour bar.

    Parameters
    ----------
    data : Recording or polars.DataFrame
        A recording (with ``cycle_definition``) or a frame labelled by
        :func:`~elyte.cycling.label_cycles`.
    cycles : int or iterable of int, optional
        Cycles to draw; default all.
    cycle_definition : {"vendor", "charge_discharge", "discharge_charge"}, optional
        What a cycle is (Recording only).
    cell : CellSpec, optional
        With an active mass: capacity in mAh/g; otherwise mAh.
    direction : {"both", "charge", "discharge"}
        Half-cycles to draw.
    capacity_basis : {"auto", "vendor", "integrated"}
        Where the capacity comes from.
    cmap : str or matplotlib.colors.Colormap
        Colour map of the ramp over cycles (default viridis).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into.
    figsize : tuple of float
        Figure size in inches when a new figure is made.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    MissingDependencyError
        If matplotlib is not installed.
    CyclingDataError
        If a requested cycle has no half-cycle or a column is missing.
    MissingCellParameterError
        If ``cell`` lacks the active mass.
    """
    mpl = _matplotlib()
    if direction not in ("both", "charge", "discharge"):
        raise CyclingDataError(
            f"direction must be 'both', 'charge' or 'discharge', not {direction!r}"
        )
    factor, unit = (1000.0, "mAh")
    if cell is not None:
        factor, unit = 1000.0 / cell.active_mass(), "mAh g$^{-1}$"
    frame = half_cycle_capacity(
        data, cycle_definition=cycle_definition, capacity_basis=capacity_basis
    ).filter(pl.col("segment").is_not_null())
    if direction != "both":
        frame = frame.filter(pl.col("direction") == direction)
    available = sorted(set(frame.get_column("cycle").to_list()))
    if cycles is not None:
        wanted = [int(cycles)] if isinstance(cycles, int) else [int(c) for c in cycles]
        absent = sorted(set(wanted) - set(available))
        if absent:
            raise CyclingDataError(f"cycle(s) {absent} have no half-cycle to draw")
        frame = frame.filter(pl.col("cycle").is_in(wanted))
    chosen = sorted(set(frame.get_column("cycle").to_list()))
    if not chosen:
        raise CyclingDataError("no half-cycle to draw")
    groups = frame.with_row_index("_row").group_by(
        ["cycle", "direction", "segment"], maintain_order=True
    )
    with mpl.rc_context(_STYLE):
        fig, axes = _axes(mpl, ax, figsize)
        colours, ramp, norm = _cycle_colours(chosen, cmap)
        labelled: set[int] = set()
        for (cyc, name, seg), part in groups:
            c = int(cyc)
            axes.plot(
                _values(part, "half_cycle_capacity_ah", factor),
                _values(part, "voltage_volt"),
                "-",
                color=colours[c],
                label=f"Cycle {c}" if c not in labelled else "_nolegend_",
                gid=f"{c}:{name}:{seg}",
            )
            labelled.add(c)
        axes.set_xlabel(f"Capacity ({unit})")
        axes.set_ylabel("Voltage (V)")
        axes.set_xlim(left=0)
        _cycle_key(fig, axes, chosen, ramp, norm)
    return fig


def plot_rate_capability(
    result: RateCapability,
    *,
    annotate: bool = True,
    ax: Axes | None = None,
    figsize: tuple[float, float] = FIGSIZE,
) -> Figure:
    """Bars of the mean capacity of each rate block, with the retention vs the lowest rate.

    Parameters
    ----------
    result : RateCapability
        Output of :func:`~elyte.cycling.rate_capability`.
    annotate : bool
        Write the retention relative to the lowest rate (percent) above each bar.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into.
    figsize : tuple of float
        Figure size in inches when a new figure is made.

    Returns
    -------
    matplotlib.figure.Figure
        Bars in block order, labelled with the C-rate (``"0.1 C"``) when known, otherwise
        the current in mA; error bars are the sample standard deviation within the block.

    Raises
    ------
    MissingDependencyError
        If matplotlib is not installed.
    """
    mpl = _matplotlib()
    data = result.data
    factor = 1000.0 if result.capacity_unit == "Ah" else 1.0
    unit = _UNIT_TEXT.get(result.capacity_unit, result.capacity_unit)
    heights = _values(data, "mean_capacity", factor)
    errors = np.nan_to_num(_values(data, "std_capacity", factor), nan=0.0)
    if _has_values(data, "c_rate"):
        ticks = [f"{c:.2g} C" for c in _values(data, "c_rate")]
        x_label = "C-rate"
    else:
        ticks = [f"{i:.3g} mA" for i in _values(data, "current_a", 1000.0)]
        x_label = "Current"
    what = result.capacity_column.split("_capacity")[0].capitalize()
    with mpl.rc_context(_STYLE):
        fig, axes = _axes(mpl, ax, figsize)
        x = np.arange(heights.size)
        bars = axes.bar(
            x,
            heights,
            width=0.65,
            yerr=errors,
            color="#7f9cc9",
            edgecolor="#1f4e9c",
            linewidth=0.6,
            error_kw={"elinewidth": 0.7, "capsize": 2.0, "ecolor": "0.2"},
            gid="rate_bars",
        )
        if annotate:
            retention = _values(data, "retention_vs_lowest", 100.0)
            for bar, value, err in zip(bars, retention, errors, strict=True):
                if np.isfinite(value):
                    axes.annotate(
                        f"{value:.1f} %",
                        (bar.get_x() + bar.get_width() / 2, bar.get_height() + err),
                        xytext=(0, 2),
                        textcoords="offset points",
                        ha="center",
                        va="bottom",
                        fontsize=6.5,
                    )
        axes.set_xticks(x, ticks)
        axes.set_xlabel(x_label)
        axes.set_ylabel(f"{what} capacity ({unit})")
        axes.set_ylim(0, float(np.nanmax(heights + errors)) * 1.15 if heights.size else 1.0)
        axes.tick_params(axis="x", length=0)
    return fig


def _differential_lines(
    result: DifferentialResult,
    kind: Literal["dqdv", "dvdq"],
    cycles: int | Iterable[int] | None,
    direction: Literal["both", "charge", "discharge"],
    normalised: Literal["auto", "specific", "absolute"],
) -> tuple[pl.DataFrame, str, str, float, float, str, str]:
    frame = result.dqdv if kind == "dqdv" else result.dvdq
    if direction not in ("both", "charge", "discharge"):
        raise CyclingDataError(
            f"direction must be 'both', 'charge' or 'discharge', not {direction!r}"
        )
    if normalised not in ("auto", "specific", "absolute"):
        raise CyclingDataError(
            f"normalised must be 'auto', 'specific' or 'absolute', not {normalised!r}"
        )
    specific_col = "dqdv_mah_g_v" if kind == "dqdv" else "dvdq_v_g_mah"
    has_specific = specific_col in frame.columns
    if normalised == "specific" and not has_specific:
        raise CyclingDataError(
            "normalised='specific' needs a result computed with a CellSpec that has the "
            "active mass (differential_capacity(..., cell=...))"
        )
    specific = has_specific and normalised != "absolute"
    if cycles is not None:
        wanted = [int(cycles)] if isinstance(cycles, int) else [int(c) for c in cycles]
        absent = sorted(set(wanted) - set(frame.get_column("cycle").to_list()))
        if absent:
            raise CyclingDataError(f"cycle(s) {absent} are not in the result")
        frame = frame.filter(pl.col("cycle").is_in(wanted))
    if direction != "both":
        frame = frame.filter(pl.col("direction") == direction)
    if frame.height == 0:
        raise CyclingDataError("no half-cycle to draw")
    if kind == "dqdv":
        x_col, x_factor, x_label = "voltage_v", 1.0, "Voltage (V)"
        if specific:
            y_col, y_factor, y_label = specific_col, 1.0, "dQ/dV (mAh g$^{-1}$ V$^{-1}$)"
        else:
            y_col, y_factor, y_label = "dqdv_ah_v", 1000.0, "dQ/dV (mAh V$^{-1}$)"
    elif specific:
        x_col, x_factor, x_label = "capacity_mah_g", 1.0, "Capacity (mAh g$^{-1}$)"
        y_col, y_factor, y_label = specific_col, 1.0, "dV/dQ (V g mAh$^{-1}$)"
    else:
        x_col, x_factor, x_label = "capacity_ah", 1000.0, "Capacity (mAh)"
        y_col, y_factor, y_label = "dvdq_v_ah", 1e-3, "dV/dQ (V mAh$^{-1}$)"
    return frame, x_col, y_col, x_factor, y_factor, x_label, y_label


def _plot_differential(
    result: DifferentialResult,
    kind: Literal["dqdv", "dvdq"],
    cycles: int | Iterable[int] | None,
    direction: Literal["both", "charge", "discharge"],
    normalised: Literal["auto", "specific", "absolute"],
    cmap: str | Colormap,
    ax: Axes | None,
    figsize: tuple[float, float],
) -> Figure:
    mpl = _matplotlib()
    frame, x_col, y_col, xf, yf, x_label, y_label = _differential_lines(
        result, kind, cycles, direction, normalised
    )
    chosen = sorted({int(c) for c in frame.get_column("cycle").to_list()})
    with mpl.rc_context(_STYLE):
        fig, axes = _axes(mpl, ax, figsize)
        colours, ramp, norm = _cycle_colours(chosen, cmap)
        axes.axhline(0.0, lw=0.5, color="0.6", zorder=0, gid="zero")
        labelled: set[int] = set()
        for (cyc, name, seg), part in frame.group_by(
            ["cycle", "direction", "segment"], maintain_order=True
        ):
            c = int(cyc)
            axes.plot(
                _values(part, x_col, xf),
                _values(part, y_col, yf),
                "-",
                lw=1.0,
                color=colours[c],
                label=f"Cycle {c}" if c not in labelled else "_nolegend_",
                gid=f"{c}:{name}:{seg}",
            )
            labelled.add(c)
        axes.set_xlabel(x_label)
        axes.set_ylabel(y_label)
        _cycle_key(fig, axes, chosen, ramp, norm)
    return fig


def plot_dqdv(
    result: DifferentialResult,
    *,
    cycles: int | Iterable[int] | None = None,
    direction: Literal["both", "charge", "discharge"] = "both",
    normalised: Literal["auto", "specific", "absolute"] = "auto",
    cmap: str | Colormap = "viridis",
    ax: Axes | None = None,
    figsize: tuple[float, float] = FIGSIZE,
) -> Figure:
    """dQ/dV vs voltage of the half-cycles in a :class:`DifferentialResult`.

    Charge curves are positive, discharge curves negative (the sign convention of
    :mod:`elyte.cycling.differential`); a thin line marks zero.

    Parameters
    ----------
    result : DifferentialResult
        Output of :func:`~elyte.cycling.differential.differential_capacity`.
    cycles : int or iterable of int, optional
        Cycles to draw; default all in the result.
    direction : {"both", "charge", "discharge"}
        Half-cycles to draw.
    normalised : {"auto", "specific", "absolute"}
        mAh/(g·V) (needs a result computed with a cell), mAh/V, or mAh/(g·V) when
        available (``"auto"``).
    cmap : str or matplotlib.colors.Colormap
        Colour map of the ramp over cycles.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into.
    figsize : tuple of float
        Figure size in inches when a new figure is made.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    MissingDependencyError
        If matplotlib is not installed.
    CyclingDataError
        If a cycle is not in the result, or ``"specific"`` is asked without mass.
    """
    return _plot_differential(result, "dqdv", cycles, direction, normalised, cmap, ax, figsize)


def plot_dvdq(
    result: DifferentialResult,
    *,
    cycles: int | Iterable[int] | None = None,
    direction: Literal["both", "charge", "discharge"] = "both",
    normalised: Literal["auto", "specific", "absolute"] = "auto",
    cmap: str | Colormap = "viridis",
    ax: Axes | None = None,
    figsize: tuple[float, float] = FIGSIZE,
) -> Figure:
    """dV/dQ vs capacity of the half-cycles in a :class:`DifferentialResult`.

    Parameters
    ----------
    result : DifferentialResult
        Output of :func:`~elyte.cycling.differential.differential_capacity`.
    cycles : int or iterable of int, optional
        Cycles to draw; default all in the result.
    direction : {"both", "charge", "discharge"}
        Half-cycles to draw.
    normalised : {"auto", "specific", "absolute"}
        V·g/mAh against mAh/g (needs a result computed with a cell), V/mAh against mAh,
        or the specific form when available (``"auto"``).
    cmap : str or matplotlib.colors.Colormap
        Colour map of the ramp over cycles.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into.
    figsize : tuple of float
        Figure size in inches when a new figure is made.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    MissingDependencyError
        If matplotlib is not installed.
    CyclingDataError
        If a cycle is not in the result, or ``"specific"`` is asked without mass.
    """
    return _plot_differential(result, "dvdq", cycles, direction, normalised, cmap, ax, figsize)
