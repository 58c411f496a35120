"""The Aurbach figure: built headless, its artists match the result they show.

Independent reference: the shaded spans must cover exactly the start/end times of the
recognised half-cycles of each part, and the trace must be the recording's own voltage.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from elyte.cycling import CyclingDataError
from elyte.errors import MissingDependencyError
from elyte.lithium import modified_aurbach_ce, nucleation_overpotential
from tests.lithium import AREA_CM2, li_cu_protocol

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def mpl() -> object:
    return pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def case() -> tuple[object, object]:
    rec, _ = li_cu_protocol(n_cycles=4, rest_s=60.0)
    return rec, modified_aurbach_ce(rec, area_cm2=AREA_CM2)


def test_spans_trace_and_text(mpl: object, case: tuple[object, object]) -> None:
    from elyte.lithium.plots import plot_aurbach

    rec, result = case
    fig = plot_aurbach(rec, result)  # type: ignore[arg-type]
    ax = fig.axes[0]
    spans = {p.get_gid(): p for p in ax.patches}
    assert set(spans) == {"formation", "reservoir", "cycling", "final"}
    steps = result.steps  # type: ignore[attr-defined]
    for part, roles in {
        "formation": ("formation_plating", "formation_stripping"),
        "reservoir": ("reservoir_plating",),
        "cycling": ("cycle_plating", "cycle_stripping"),
        "final": ("final_stripping",),
    }.items():
        rows = steps.filter(steps["role"].is_in(roles))
        start = rows["start_time_s"].min() / 3600.0
        end = rows["end_time_s"].max() / 3600.0
        assert spans[part].get_x() == pytest.approx(start)
        assert spans[part].get_width() == pytest.approx(end - start)
    (trace,) = [line for line in ax.get_lines() if line.get_gid() == "voltage"]
    np.testing.assert_allclose(
        trace.get_xdata(),
        rec.data["test_time_second"].to_numpy() / 3600.0,  # type: ignore[attr-defined]
    )
    np.testing.assert_allclose(trace.get_ydata(), rec.data["voltage_volt"].to_numpy())  # type: ignore[attr-defined]
    (cutoff,) = [line for line in ax.get_lines() if line.get_gid() == "cutoff"]
    assert cutoff.get_ydata()[0] == pytest.approx(1.0)
    assert ax.get_legend().get_title().get_text() == "CE = 99.00 %"
    assert ax.get_legend().get_title().get_gid() == "ce_text"
    assert ax.get_xlabel() == "Time (h)"


def test_nucleation_tips_marked(mpl: object, case: tuple[object, object]) -> None:
    from elyte.lithium.plots import plot_aurbach

    rec, result = case
    nuc = nucleation_overpotential(rec)  # type: ignore[arg-type]
    fig = plot_aurbach(rec, result, nucleation=nuc, time_unit="s")  # type: ignore[arg-type]
    (tips,) = [line for line in fig.axes[0].get_lines() if line.get_gid() == "nucleation_tip"]
    steps = nuc.steps
    np.testing.assert_allclose(
        tips.get_xdata(), (steps["start_time_s"] + steps["tip_time_s"]).to_numpy()
    )
    np.testing.assert_allclose(tips.get_ydata(), steps["tip_voltage_v"].to_numpy())


def test_into_given_axes_and_png(
    mpl: object, case: tuple[object, object], tmp_path: object
) -> None:
    from matplotlib.figure import Figure

    from elyte.lithium.plots import plot_aurbach, save_figure

    rec, result = case
    outer = Figure()
    ax = outer.add_subplot(1, 2, 2)
    fig = plot_aurbach(rec, result, ax=ax)  # type: ignore[arg-type]
    assert fig is outer
    target = save_figure(fig, tmp_path / "aurbach.png")  # type: ignore[operator]
    assert target.read_bytes()[:8] == PNG_MAGIC


def test_bad_time_unit(mpl: object, case: tuple[object, object]) -> None:
    from elyte.lithium.plots import plot_aurbach

    rec, result = case
    with pytest.raises(CyclingDataError, match="time_unit"):
        plot_aurbach(rec, result, time_unit="d")  # type: ignore[arg-type]


def test_without_matplotlib(monkeypatch: pytest.MonkeyPatch, case: tuple[object, object]) -> None:
    from elyte.lithium import plots

    rec, result = case
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(MissingDependencyError, match=r'pip install "elyte\[plot\]"'):
        plots.plot_aurbach(rec, result)  # type: ignore[arg-type]
