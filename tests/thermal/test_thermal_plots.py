"""Figures: modes shaded, SHR with T_onset/T_tr marked, DSC with onset and peak."""

from __future__ import annotations

from pathlib import Path

import pytest

from elyte.errors import ThermalError
from elyte.plotting import save_figure
from elyte.thermal.arc import analyse_arc, read_arc
from elyte.thermal.dsc import DscCurve, analyse_dsc
from elyte.thermal.runaway import kim2007_18650, simulate_hws
from tests.thermal import gaussian_dsc

pytest.importorskip("matplotlib")


def _gids(fig: object) -> set[str]:
    return {a.get_gid() for a in fig.axes[0].get_children() if a.get_gid()}  # type: ignore[attr-defined]


def test_arc_figures(tmp_path: Path) -> None:
    from elyte.thermal.plots import plot_arc_temperature, plot_shr

    rec = read_arc(simulate_hws(kim2007_18650()).write_csv(tmp_path / "kim.csv"))
    result = analyse_arc(rec, criteria=["1C/min", "1C/s"])
    fig = plot_arc_temperature(rec, result)
    assert {"mode:heat", "mode:wait", "mode:search", "mode:exotherm", "sample"} <= _gids(fig)
    assert save_figure(fig, tmp_path / "t.png").stat().st_size > 1000
    fig = plot_shr({"Kim": result, "again": result})
    gids = _gids(fig)
    assert {"Kim: onset", "Kim: tr:1", "Kim: tr:60", "rate:0.03", "rate:1", "rate:60"} <= gids
    assert fig.axes[0].get_yscale() == "log"
    assert save_figure(fig, tmp_path / "shr.png").stat().st_size > 1000
    with pytest.raises(ThermalError):
        plot_shr({})


def test_dsc_figure(tmp_path: Path) -> None:
    from elyte.thermal.plots import plot_dsc

    temp, t, mw = gaussian_dsc([(214.0, 7.0, 456.2), (270.0, 11.0, 1123.0)])
    result = analyse_dsc(DscCurve(temp, mw * 1e-3, False, t), mass_mg=2.5)
    fig = plot_dsc(result)
    assert {"net", "peak:0", "peak:1", "onset:0", "tangent:1"} <= _gids(fig)
    assert save_figure(fig, tmp_path / "dsc.png").stat().st_size > 1000
