"""Figures: built headless, with the right labels and artists, and saved as PNG.

The plotted data are checked against their sources: the y-data of every line or bar must
equal the table column it shows (in the unit of the axis label), which is the independent
reference here; the generated profiles come from :mod:`tests.cycling`.
"""

from __future__ import annotations

import sys

import numpy as np
import polars as pl
import pytest

from elyte.cycling import CellSpec, CyclingDataError, rate_capability, summarize
from elyte.cycling.differential import differential_capacity
from elyte.errors import ExportError, MissingDependencyError
from tests.cycling import Segment, build, cccv_cycle

MASS_G = 0.02
CELL = CellSpec(
    working_electrode="positive", active_mass_g=MASS_G, nominal_specific_capacity_mah_g=200.0
)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def mpl() -> object:
    return pytest.importorskip("matplotlib")


def _profile(n_cycles: int) -> list[Segment]:
    segments: list[Segment] = []
    for c in range(1, n_cycles + 1):
        segments += cccv_cycle(
            c,
            i_charge=0.4e-3,
            i_discharge=0.4e-3,
            t_cc=34000.0 - 150 * c,
            t_cv=1200.0,
            t_dis=35000.0 - 160 * c,
            samples=60,
        )
    return segments


@pytest.fixture(scope="module")
def recording() -> object:
    return build(_profile(12))


@pytest.fixture(scope="module")
def table(recording: object) -> object:
    return summarize(recording, CELL, cycle_definition="vendor")  # type: ignore[arg-type]


def _lines(ax: object, prefix: str = "") -> list[object]:
    return [
        line
        for line in ax.get_lines()  # type: ignore[attr-defined]
        if line.get_gid() not in (None, "zero", "threshold")
        and str(line.get_gid()).startswith(prefix)
    ]


def _saved(fig: object, tmp_path: object, name: str) -> None:
    from elyte.cycling.plots import save_figure

    path = save_figure(fig, tmp_path / name)  # type: ignore[operator, arg-type]
    assert path.read_bytes()[:8] == PNG_MAGIC
    assert path.stat().st_size > 5000


def test_capacity_ce(mpl: object, table: object, tmp_path: object) -> None:
    """Capacities in mAh/g (left) and CE in percent (right) equal the table's columns."""
    from elyte.cycling.plots import plot_capacity_ce

    fig = plot_capacity_ce(table)  # type: ignore[arg-type]
    ax_q, ax_ce = fig.axes
    data = table.data  # type: ignore[attr-defined]
    assert ax_q.get_xlabel() == "Cycle number"
    assert ax_q.get_ylabel() == "Capacity (mAh g$^{-1}$)"
    assert ax_ce.get_ylabel() == "Coulombic efficiency (%)"
    by_gid = {line.get_gid(): line for line in ax_q.get_lines()}
    np.testing.assert_array_equal(
        by_gid["discharge_capacity_mah_g"].get_ydata(), data["discharge_capacity_mah_g"]
    )
    np.testing.assert_array_equal(
        by_gid["charge_capacity_mah_g"].get_ydata(), data["charge_capacity_mah_g"]
    )
    np.testing.assert_array_equal(by_gid["discharge_capacity_mah_g"].get_xdata(), data["cycle"])
    (ce,) = ax_ce.get_lines()
    np.testing.assert_allclose(ce.get_ydata(), 100 * data["coulombic_efficiency"].to_numpy())
    legend = ax_q.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["Discharge", "Charge", "CE"]
    _saved(fig, tmp_path, "capacity_ce.png")

    absolute = plot_capacity_ce(table, basis="absolute", show_charge=False)  # type: ignore[arg-type]
    ax_q = absolute.axes[0]
    assert ax_q.get_ylabel() == "Discharge capacity (mAh)"
    (line,) = ax_q.get_lines()
    np.testing.assert_allclose(line.get_ydata(), 1000 * data["discharge_capacity_ah"].to_numpy())


def test_capacity_ce_several_cells_and_errors(mpl: object, table: object) -> None:
    """Two labelled tables: one delivered-capacity series and one CE series per cell."""
    from elyte.cycling.plots import plot_capacity_ce

    fig = plot_capacity_ce({"LiPF6": table, "new": table}, ce_limits=(90, 101))  # type: ignore[dict-item]
    ax_q, ax_ce = fig.axes
    assert len(ax_q.get_lines()) == 2
    assert len(ax_ce.get_lines()) == 2
    assert ax_ce.get_ylim() == (90, 101)
    assert [t.get_text() for t in ax_q.get_legend().get_texts()] == ["LiPF6", "new"]

    no_mass = summarize(
        build(_profile(2)), CellSpec(working_electrode="positive"), cycle_definition="vendor"
    )
    fig = plot_capacity_ce(no_mass)
    assert fig.axes[0].get_ylabel() == "Capacity (mAh)"
    with pytest.raises(CyclingDataError, match="active mass"):
        plot_capacity_ce(no_mass, basis="specific")
    with pytest.raises(CyclingDataError, match="CycleTable"):
        plot_capacity_ce({})


def test_retention(mpl: object, table: object, tmp_path: object) -> None:
    """Retention in percent: the table's column, or recomputed for another reference."""
    from elyte.cycling.plots import plot_retention

    data = table.data  # type: ignore[attr-defined]
    fig = plot_retention(table, threshold=0.8)  # type: ignore[arg-type]
    (ax,) = fig.axes
    assert ax.get_ylabel() == "Capacity retention (%)"
    assert ax.get_xlabel() == "Cycle number"
    (line,) = _lines(ax, "retention")
    np.testing.assert_allclose(line.get_ydata(), 100 * data["capacity_retention"].to_numpy())
    (threshold,) = [x for x in ax.get_lines() if x.get_gid() == "threshold"]
    assert threshold.get_ydata()[0] == pytest.approx(80.0)
    _saved(fig, tmp_path, "retention.png")

    fig = plot_retention(table, reference_cycle=3)  # type: ignore[arg-type]
    (line,) = _lines(fig.axes[0], "retention")
    q = data["discharge_capacity_ah"].to_numpy()
    np.testing.assert_allclose(line.get_ydata(), 100 * q / q[2])
    with pytest.raises(CyclingDataError, match="reference cycle 99"):
        plot_retention(table, reference_cycle=99)  # type: ignore[arg-type]


def test_voltage_profiles(mpl: object, recording: object, tmp_path: object) -> None:
    """One line per half-cycle; x = capacity since the half-cycle start in mAh/g.

    Golden: the generated discharge of cycle 1 runs at 0.4 mA, so its capacity is
    0.4 mA x t / 3600 / 0.02 g.
    """
    from elyte.cycling.plots import plot_voltage_profiles

    fig = plot_voltage_profiles(
        recording,  # type: ignore[arg-type]
        cycles=[1, 6, 12],
        cycle_definition="vendor",
        cell=CELL,
    )
    (ax,) = fig.axes
    assert ax.get_xlabel() == "Capacity (mAh g$^{-1}$)"
    assert ax.get_ylabel() == "Voltage (V)"
    lines = _lines(ax)
    assert len(lines) == 6  # charge and discharge of three cycles
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Cycle 1", "Cycle 6", "Cycle 12"]
    colours = {line.get_gid().split(":")[0]: line.get_color() for line in lines}
    assert len({tuple(np.round(c, 6)) for c in colours.values()}) == 3
    (dis,) = [line for line in lines if line.get_gid() == "1:discharge:1"]
    frame = recording.data  # type: ignore[attr-defined]
    rows = frame.filter((pl.col("cycle_count") == 1) & (pl.col("current_ampere") < 0))
    t = rows["test_time_second"].to_numpy()
    np.testing.assert_allclose(
        dis.get_xdata(), 0.4e-3 * (t - t[0]) / 3600 * 1000 / MASS_G, rtol=1e-9, atol=1e-9
    )
    np.testing.assert_array_equal(dis.get_ydata(), rows["voltage_volt"].to_numpy())
    _saved(fig, tmp_path, "profiles.png")

    many = plot_voltage_profiles(recording, cycle_definition="vendor", direction="discharge")  # type: ignore[arg-type]
    assert len(many.axes) == 2  # 12 cycles: a colour bar instead of a legend
    assert many.axes[1].get_ylabel() == "Cycle"
    assert many.axes[0].get_xlabel() == "Capacity (mAh)"
    assert len(_lines(many.axes[0])) == 12
    with pytest.raises(CyclingDataError, match=r"\[40\]"):
        plot_voltage_profiles(recording, cycles=40, cycle_definition="vendor")  # type: ignore[arg-type]


def _rate_recording() -> object:
    plan = [(0.1, 3), (0.2, 3), (0.5, 3), (1.0, 3), (0.1, 2)]
    nominal_a = 200.0 * MASS_G / 1000  # 4 mA
    segments: list[Segment] = []
    cycle = 0
    for rate, n in plan:
        for _ in range(n):
            cycle += 1
            current = rate * nominal_a
            fraction = 1.0 - 0.1 * rate  # capacity falls with the rate
            t = 3600.0 / rate * fraction
            segments.append(Segment(t, current, current, 3.6, 4.3, 20, cycle))
            segments.append(Segment(t * 0.99, -current, -current, 4.2, 3.0, 20, cycle))
    return build(segments)


def test_rate_capability(mpl: object, tmp_path: object) -> None:
    """One bar per rate block; heights = mean capacity; labels = C-rates; retention text."""
    from elyte.cycling.plots import plot_rate_capability

    table = summarize(_rate_recording(), CELL, cycle_definition="vendor")  # type: ignore[arg-type]
    result = rate_capability(table, capacity_column="discharge_capacity_mah_g")
    fig = plot_rate_capability(result)
    (ax,) = fig.axes
    bars = ax.patches
    assert len(bars) == 5
    np.testing.assert_allclose(
        [b.get_height() for b in bars], result.data["mean_capacity"].to_numpy()
    )
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "0.1 C",
        "0.2 C",
        "0.5 C",
        "1 C",
        "0.1 C",
    ]
    assert ax.get_ylabel() == "Discharge capacity (mAh g$^{-1}$)"
    assert ax.get_xlabel() == "C-rate"
    texts = [t.get_text() for t in ax.texts]
    wanted = [f"{100 * r:.1f} %" for r in result.data["retention_vs_lowest"]]
    assert texts == wanted
    _saved(fig, tmp_path, "rate.png")

    in_ah = rate_capability(table)
    fig = plot_rate_capability(in_ah, annotate=False)
    ax = fig.axes[0]
    np.testing.assert_allclose(
        [b.get_height() for b in ax.patches], 1000 * in_ah.data["mean_capacity"].to_numpy()
    )
    assert ax.get_ylabel() == "Discharge capacity (mAh)"
    assert len(ax.texts) == 0


def test_dqdv_and_dvdq(mpl: object, recording: object, tmp_path: object) -> None:
    """One line per half-cycle; y-data = the result's column (mAh/(g V) and V g/mAh)."""
    from elyte.cycling.plots import plot_dqdv, plot_dvdq

    result = differential_capacity(
        recording,  # type: ignore[arg-type]
        cycle_definition="vendor",
        cycles=[1, 12],
        cell=CELL,
    )
    fig = plot_dqdv(result)
    (ax,) = fig.axes
    assert ax.get_xlabel() == "Voltage (V)"
    assert ax.get_ylabel() == "dQ/dV (mAh g$^{-1}$ V$^{-1}$)"
    lines = _lines(ax)
    assert len(lines) == 4
    (line,) = [x for x in lines if x.get_gid() == "12:discharge:1"]
    v, y = result.curve(12, "discharge", column="dqdv_mah_g_v")
    np.testing.assert_array_equal(line.get_xdata(), v)
    np.testing.assert_array_equal(line.get_ydata(), y)
    assert np.all(line.get_ydata() <= 0)
    _saved(fig, tmp_path, "dqdv.png")

    absolute = plot_dqdv(result, normalised="absolute", direction="charge", cycles=1)
    ax = absolute.axes[0]
    assert ax.get_ylabel() == "dQ/dV (mAh V$^{-1}$)"
    (line,) = _lines(ax)
    v, y = result.curve(1, "charge")
    np.testing.assert_allclose(line.get_ydata(), 1000 * y)

    fig = plot_dvdq(result)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Capacity (mAh g$^{-1}$)"
    assert ax.get_ylabel() == "dV/dQ (V g mAh$^{-1}$)"
    assert len(_lines(ax)) == 4
    (line,) = [x for x in _lines(ax) if x.get_gid() == "1:charge:1"]
    _, y = result.curve(1, "charge", kind="dvdq", column="dvdq_v_g_mah")
    np.testing.assert_array_equal(line.get_ydata(), y)
    _saved(fig, tmp_path, "dvdq.png")

    plain = differential_capacity(recording, cycle_definition="vendor", cycles=[2])  # type: ignore[arg-type]
    with pytest.raises(CyclingDataError, match="CellSpec"):
        plot_dqdv(plain, normalised="specific")
    with pytest.raises(CyclingDataError, match=r"\[5\]"):
        plot_dqdv(plain, cycles=[5])


def test_draw_into_given_axes(mpl: object, table: object) -> None:
    """ax= draws into a panel of the caller's figure and returns that figure."""
    from matplotlib.figure import Figure

    from elyte.cycling.plots import plot_capacity_ce, plot_retention

    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert plot_retention(table, ax=left) is fig  # type: ignore[arg-type]
    assert plot_capacity_ce(table, ax=right) is fig  # type: ignore[arg-type]
    assert len(left.get_lines()) == 1
    assert len(fig.axes) == 3  # two panels and the CE twin


def test_no_pyplot_state(mpl: object, table: object) -> None:
    """The figures never go through pyplot (no global figure registry, works headless)."""
    from elyte.cycling.plots import plot_capacity_ce

    had_pyplot = "matplotlib.pyplot" in sys.modules
    plot_capacity_ce(table)  # type: ignore[arg-type]
    if not had_pyplot:
        assert "matplotlib.pyplot" not in sys.modules


def test_save_figure_errors(mpl: object, table: object, tmp_path: object) -> None:
    from elyte.cycling.plots import plot_retention, save_figure

    fig = plot_retention(table)  # type: ignore[arg-type]
    with pytest.raises(ExportError, match="cannot write"):
        save_figure(fig, tmp_path / "missing" / "x.png")  # type: ignore[operator]
    with pytest.raises(ExportError, match="cannot write"):
        save_figure(fig, tmp_path / "x.unknownformat")  # type: ignore[operator]


def test_missing_matplotlib(monkeypatch: pytest.MonkeyPatch, table: object) -> None:
    """Without matplotlib the functions raise MissingDependencyError with the install hint."""
    from elyte.cycling import plots

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(MissingDependencyError, match=r'pip install "elyte\[plot\]"'):
        plots.plot_capacity_ce(table)  # type: ignore[arg-type]
    with pytest.raises(ImportError):  # also an ImportError for callers who expect one
        plots.plot_retention(table)  # type: ignore[arg-type]
