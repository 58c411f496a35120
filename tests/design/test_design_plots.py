"""Design figures render headless (matplotlib optional)."""

from __future__ import annotations

from pathlib import Path

import pytest

from elyte.design import seed_pouch_2p8ah, sweep

pytest.importorskip("matplotlib")

from elyte.design.plots import plot_budget, plot_sweep, plot_sweeps
from elyte.plotting import save_figure


def test_sweep_and_budget_figures(tmp_path: Path) -> None:
    design = seed_pouch_2p8ah()
    s = sweep(design, "np_ratio", [1.0, 2.0, 3.0])
    fig = plot_sweep(s, reported_wh_kg=437)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "N/P ratio"
    _, y = ax.lines[0].get_data()
    assert list(y) == pytest.approx(list(s.table["wh_kg"]))
    four = plot_sweeps([s, s, s])
    assert len([a for a in four.axes if a.get_visible()]) == 3
    out = save_figure(plot_budget(design.evaluate()), tmp_path / "b.png")
    assert out.stat().st_size > 1000
