"""Shared figure style and plumbing for every ``plots`` module (matplotlib, optional).

All plotting functions in elyte build :class:`matplotlib.figure.Figure` objects without
pyplot, so nothing touches matplotlib's global state and everything works headless.
matplotlib is an optional dependency (``pip install "elyte[plot]"``); without it the
functions raise :class:`~elyte.errors.MissingDependencyError`.

Style: single-column size (3.5 x 2.6 in), axis labels with units, inward ticks, no title,
grid or frame around the legend.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from elyte.errors import ExportError, MissingDependencyError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["CELL_COLOURS", "FIGSIZE", "STYLE", "load_matplotlib", "new_axes", "save_figure"]

INSTALL_HINT = 'pip install "elyte[plot]"'

#: Default figure size, inches (one journal column).
FIGSIZE = (3.5, 2.6)

#: rcParams applied (through ``rc_context``, never globally) while drawing and saving.
STYLE: dict[str, Any] = {
    "font.size": 8.0,
    "axes.labelsize": 8.0,
    "xtick.labelsize": 7.0,
    "ytick.labelsize": 7.0,
    "legend.fontsize": 7.0,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.direction": "in",
    "ytick.direction": "in",
    "xtick.major.size": 3.0,
    "ytick.major.size": 3.0,
    "xtick.minor.visible": False,
    "ytick.minor.visible": False,
    "legend.frameon": False,
    "legend.handlelength": 1.5,
    "lines.linewidth": 1.2,
    "lines.markersize": 3.5,
    "axes.grid": False,
    "figure.dpi": 150.0,
    "savefig.dpi": 300.0,
    "savefig.bbox": "tight",
}

#: Colours of several cells or electrolytes in one figure, in order.
CELL_COLOURS = ("#1f4e9c", "#c0392b", "#2a8c55", "#8e44ad", "#d4861a", "#34495e")


def load_matplotlib() -> Any:
    """Import matplotlib on first use, or say how to install it.

    Raises
    ------
    MissingDependencyError
        If matplotlib is not installed.
    """
    try:
        import matplotlib
        import matplotlib.figure
    except ImportError as exc:
        raise MissingDependencyError(
            f"plotting needs matplotlib, which is not installed: {INSTALL_HINT}"
        ) from exc
    return matplotlib


def new_axes(mpl: Any, ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """Return ``(figure, axes)``: the figure holding ``ax``, or a new one-panel figure."""
    from matplotlib.figure import Figure, SubFigure

    if ax is not None:
        holder: Figure | SubFigure | None = ax.figure
        while isinstance(holder, SubFigure):
            holder = holder.figure
        if not isinstance(holder, Figure):  # pragma: no cover - matplotlib always sets it
            raise ExportError("the axes passed as ax= belong to no figure")
        return holder, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def save_figure(fig: Figure, path: str | PathLike[str], *, dpi: float = 300.0) -> Path:
    """Write a figure to a file; the format follows the suffix (``.png``, ``.pdf``, ``.svg``).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    path : str or os.PathLike
        Target file.
    dpi : float
        Resolution of raster formats, dots per inch (default 300).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ExportError
        If the file cannot be written or the format is unknown.
    """
    mpl = load_matplotlib()
    target = Path(path)
    try:
        with mpl.rc_context(STYLE):
            fig.savefig(target, dpi=dpi)
    except (OSError, ValueError) as exc:
        raise ExportError(f"cannot write the figure: {exc}", path=target) from exc
    return target
