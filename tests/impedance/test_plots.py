"""Impedance and transport figures: checked on the data of the artists they draw."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from elyte.errors import ImpedanceError
from elyte.impedance import Circuit, Spectrum, fit

pytest.importorskip("matplotlib")

from elyte.impedance.plots import (
    plot_arrhenius,
    plot_bode,
    plot_chronoamperometry,
    plot_nyquist,
    save_figure,
)

FREQ = np.logspace(5, -1, 30)
TRUTH = [10.0, 100.0, 1e-5, 0.9]


def _spectrum() -> Spectrum:
    return Spectrum(FREQ, Circuit("R0-p(R1,CPE1)").impedance(FREQ, TRUTH), source="gen")


def test_nyquist_markers_fit_line_equal_axes_and_residuals(tmp_path: Path) -> None:
    """Markers are (Z', -Z″) of the data; the fit line follows the circuit; equal aspect."""
    s = _spectrum()
    result = fit(s, "R0-p(R1,CPE1)")
    fig = plot_nyquist(s, result, residuals=True)
    main, res = fig.axes
    data, line = main.lines[:2]
    np.testing.assert_allclose(data.get_xdata(), s.real)
    np.testing.assert_allclose(data.get_ydata(), -s.imag)
    assert (np.asarray(data.get_ydata()) >= 0).all()  # capacitive arc drawn upwards
    assert data.get_linestyle() == "None"
    assert line.get_linestyle() == "-"
    # the fit line starts near R0 + R1 at low frequency and approaches R0 at high frequency
    x = np.asarray(line.get_xdata())
    assert x.min() == pytest.approx(TRUTH[0], rel=0.05)
    assert x.max() == pytest.approx(TRUTH[0] + TRUTH[1], rel=0.05)
    assert main.get_aspect() == 1.0
    assert res.get_xscale() == "log"
    np.testing.assert_allclose(res.lines[0].get_xdata(), s.frequency)
    assert np.abs(np.asarray(res.lines[0].get_ydata())).max() < 1e-3  # noiseless: ~0 %
    out = save_figure(fig, tmp_path / "nyq.png")
    assert out.stat().st_size > 0


def test_nyquist_refuses_residuals_without_fit() -> None:
    with pytest.raises(ImpedanceError):
        plot_nyquist(_spectrum(), residuals=True)


def test_bode_modulus_and_phase() -> None:
    """|Z| and -phase of the data, on log axes; the fit lines overlay them."""
    s = _spectrum()
    fig = plot_bode([s, s], [fit(s, "R0-p(R1,CPE1)")] * 2, labels=["a", "b"])
    mod_ax, ph_ax = fig.axes
    np.testing.assert_allclose(mod_ax.lines[0].get_ydata(), np.abs(s.impedance))
    np.testing.assert_allclose(ph_ax.lines[0].get_ydata(), -np.degrees(np.angle(s.impedance)))
    assert mod_ax.get_xscale() == "log"
    assert mod_ax.get_yscale() == "log"
    assert len(mod_ax.lines) == 4  # two data sets + two fit lines


def test_arrhenius_points_and_line() -> None:
    """Points at (1000/T, ln sigmaT); the given Ea/prefactor line has slope -Ea/(R·1000)."""
    t = np.array([273.15, 298.15, 323.15, 348.15])
    ea, a = 30.0, 1e3  # kJ/mol, S K/cm
    sigma_t = a * np.exp(-ea * 1e3 / (8.314462618 * t))
    fig = plot_arrhenius(t, sigma_t / t, form="sigma_t", ea_kj_mol=ea, prefactor=a)
    ax = fig.axes[0]
    points, line = ax.lines
    np.testing.assert_allclose(points.get_xdata(), 1000.0 / t)
    np.testing.assert_allclose(points.get_ydata(), np.log(sigma_t))
    x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    slope = (y[-1] - y[0]) / (x[-1] - x[0])
    assert slope == pytest.approx(-ea * 1e3 / (8.314462618 * 1000.0), rel=1e-9)
    assert r"\sigma T" in ax.get_ylabel()
    # the least-squares line through exact Arrhenius points has the same slope
    fig2 = plot_arrhenius(t, sigma_t, form="sigma")
    x2, y2 = (
        np.asarray(v)
        for v in (fig2.axes[0].lines[1].get_xdata(), fig2.axes[0].lines[1].get_ydata())
    )
    assert r"\sigma$" in fig2.axes[0].get_ylabel()
    assert np.isfinite(y2).all()
    assert x2.size == 50
    with pytest.raises(ImpedanceError):
        plot_arrhenius(t, -sigma_t)


def test_chronoamperometry_marks_i0_and_iss() -> None:
    """The I0 marker sits at t = 0 and the Iss line at the analysed value (µA)."""
    from elyte.transport.transference import analyse_chronoamperometry, bruce_vincent

    t = np.linspace(0.0, 3600.0, 361)
    i = 50e-6 + 50e-6 * np.exp(-t / 300.0)
    analysis = analyse_chronoamperometry((t, i))
    fig = plot_chronoamperometry(analysis, time_unit="min")
    ax = fig.axes[0]
    curve = ax.lines[0]
    np.testing.assert_allclose(curve.get_xdata(), t / 60.0)
    np.testing.assert_allclose(curve.get_ydata(), 1e6 * i)
    i0_marker = ax.lines[2]
    assert list(i0_marker.get_xdata()) == [0.0]
    assert i0_marker.get_ydata()[0] == pytest.approx(1e6 * analysis.initial.current_a)
    iss_line = ax.lines[3]
    np.testing.assert_allclose(iss_line.get_ydata(), 1e6 * analysis.steady.current_a)
    assert iss_line.get_xdata()[1] == pytest.approx(60.0)
    result = bruce_vincent(analysis, 5.0, 5.0, dv_v=0.01, bulk_before_ohm=95.0)
    fig2 = plot_chronoamperometry(result)
    dashed = fig2.axes[0].lines[-1]
    np.testing.assert_allclose(dashed.get_ydata(), 1e6 * 0.01 / 100.0)
