"""Anodic (and cathodic) stability onsets against closed-form truth and the EC-Lab files.

Synthetic tests: the current is generated from ``j = C·v (+ (E - E_start)/R) +
j0·exp((E - E0)/b)`` (see :mod:`tests.voltammetry`); the threshold crossing of the
exponential part is ``E_on = E0 + b·ln(j_th/j0)`` and, without baseline subtraction, of the
whole current ``E0 + b·ln((j_th - C·v)/j0)``. Those are the golden values; the tests say
which tolerance applies (one sample step for the first point at or above the threshold).

Real files: ``lsv.mpr`` / ``lsv.mpt`` and ``cv.mpr`` / ``cv.mpt`` are the same runs in
EC-Lab's binary and text exports; the two must give the same onsets, and the scan rates
and vertex potentials must match the settings printed in the ``.mpt`` headers
(``dE/dt 20.000 mV/s`` for the LSV; ``dE/dt 0.100 mV/s``, ``E1 1.500 V``, ``E2 5.500 V``
for the CV), an independent source.
"""

from __future__ import annotations

import json
import math

import numpy as np
import polars as pl
import pytest

import elyte
from elyte.cycling import CyclingDataError
from elyte.recording import Recording, RecordingMeta
from elyte.voltammetry import (
    StabilityResult,
    VoltammetryError,
    anodic_stability,
    cathodic_stability,
    find_sweeps,
    stability_onset,
)
from tests.conftest import shared_file
from tests.voltammetry import onset, sweep, tafel

J_TH = 0.01  # mA/cm2
J0, E0, B = 1e-4, 5.0, 0.05  # mA/cm2, V, V: E_on = 5 + 0.05 ln 100 = 5.2303 V
C_NU = 0.005  # mA/cm2: a porous electrode's double-layer current, half the threshold


def _anodic_model(c_nu: float = C_NU, leak_per_v: float = 0.0, e_start: float = 3.0):  # type: ignore[no-untyped-def]
    ox = tafel(J0, E0, B)

    def model(e: np.ndarray, direction: np.ndarray, leg: np.ndarray) -> np.ndarray:
        return direction * c_nu + leak_per_v * (e - e_start) + ox(e)

    return model


def _lsv(dt_s: float = 1.0, noise: float = 0.0, seed: int = 0, **kw: float) -> Recording:
    return sweep(
        [3.0, 6.0],
        rate_mv_s=1.0,
        dt_s=dt_s,
        model=_anodic_model(**kw),
        area_cm2=1.13,
        noise_ma_cm2=noise,
        seed=seed,
    )


# --------------------------------------------------------------------------- synthetic
def test_onset_with_capacitive_baseline_is_analytic() -> None:
    """Baseline subtracted: the onset is the exponential's crossing, E0 + b·ln(j_th/j0).

    Sampling every 1 mV: the first point at or above the threshold lies within one step
    above the analytic potential; linear interpolation is within 1e-5 V (curvature of the
    exponential over one step). C = j_c/v = 0.005 mA/cm2 / 1 mV/s = 5000 µF/cm2.
    """
    res = anodic_stability(_lsv(), area_cm2=1.13, threshold_ma_cm2=J_TH, baseline="capacitive")
    truth = onset(J0, E0, B, J_TH)
    assert res.onset_potential_v is not None
    assert res.onset_interpolated_v is not None
    assert 0.0 <= res.onset_potential_v - truth <= 0.001 + 1e-9
    assert res.onset_interpolated_v == pytest.approx(truth, abs=1e-5)
    assert res.scan_rate_mv_s == pytest.approx(1.0, rel=1e-9)
    assert res.baseline.capacitive_ma_cm2 == pytest.approx(C_NU, rel=1e-9)
    assert res.baseline.capacitance_uf_cm2 == pytest.approx(5000.0, rel=1e-9)
    assert res.threshold_ma_cm2 == J_TH
    assert res.consecutive == 3


def test_onset_without_baseline_includes_capacitive_current() -> None:
    """No subtraction: the total current C·v + j0·exp(...) crosses at E0 + b·ln((j_th - C·v)/j0)."""
    res = anodic_stability(_lsv(), area_cm2=1.13, threshold_ma_cm2=J_TH)
    truth = float(E0 + B * np.log((J_TH - C_NU) / J0))
    assert res.baseline.kind == "none"
    assert res.onset_interpolated_v == pytest.approx(truth, abs=1e-5)
    assert 0.0 <= res.onset_potential_v - truth <= 0.001 + 1e-9  # type: ignore[operator]
    # the raw and corrected curves are the same without subtraction
    curve = res.curve
    assert curve["corrected_ma_cm2"].to_list() == curve["current_density_ma_cm2"].to_list()


def test_capacitive_resistive_baseline_recovers_leak() -> None:
    """A capacitive + resistive baseline recovers the leakage resistance.

    A leakage line (E - E_start)/R with R = 2e5 Ω·cm2 (slope 5e-3 mA/cm2 per V) is fitted
    exactly over the default window (3.15-3.75 V, where the exponential is < 1e-14) and
    subtracted; the onset is again the exponential's crossing.
    """
    slope = 1000.0 / 2e5
    rec = _lsv(leak_per_v=slope)
    res = anodic_stability(
        rec, area_cm2=1.13, threshold_ma_cm2=J_TH, baseline="capacitive_resistive"
    )
    assert res.baseline.window_v == pytest.approx((3.15, 3.75), abs=1e-9)
    assert res.baseline.slope_ma_cm2_v == pytest.approx(slope, rel=1e-6)
    assert res.baseline.leak_resistance_ohm_cm2 == pytest.approx(2e5, rel=1e-6)
    assert res.baseline.capacitive_ma_cm2 == pytest.approx(C_NU, rel=1e-6)
    assert res.onset_interpolated_v == pytest.approx(onset(J0, E0, B, J_TH), abs=1e-5)
    # a plain capacitive baseline cannot remove the leak: the onset comes earlier
    plain = anodic_stability(rec, area_cm2=1.13, threshold_ma_cm2=J_TH, baseline="capacitive")
    assert plain.onset_potential_v < res.onset_potential_v  # type: ignore[operator]


@pytest.mark.parametrize("seed", range(5))
def test_noisy_and_down_sampled(seed: int) -> None:
    """10 mV steps (one point every 10 s) and Gaussian noise sigma = 0.5 µA/cm2.

    Tolerance: one step (10 mV) plus the potential shift of a 3-sigma current error at
    the threshold, b·3·sigma/j_th = 7.5 mV.
    """
    sigma = 0.0005
    rec = _lsv(dt_s=10.0, noise=sigma, seed=seed)
    res = anodic_stability(rec, area_cm2=1.13, threshold_ma_cm2=J_TH, baseline="capacitive")
    truth = onset(J0, E0, B, J_TH)
    assert res.onset_potential_v == pytest.approx(truth, abs=0.010 + B * 3 * sigma / J_TH)
    assert res.baseline.capacitive_ma_cm2 == pytest.approx(C_NU, abs=3 * sigma / math.sqrt(6))


def test_consecutive_points_reject_a_spike() -> None:
    """Requiring k consecutive points rejects a spike; k is echoed.

    A single-point spike of 1 mA/cm2 at 4.2 V (below the true onset) is ignored with
    k = 3 and taken as the onset with k = 1; k is echoed in the result and its text.
    """
    ox = tafel(J0, E0, B)

    def model(e: np.ndarray, d: np.ndarray, leg: np.ndarray) -> np.ndarray:
        return ox(e) + np.where(np.isclose(e, 4.2, atol=1e-9), 1.0, 0.0)

    rec = sweep([3.0, 6.0], rate_mv_s=1.0, dt_s=1.0, model=model)
    k3 = anodic_stability(rec, area_cm2=1.0, threshold_ma_cm2=J_TH, consecutive=3)
    k1 = anodic_stability(rec, area_cm2=1.0, threshold_ma_cm2=J_TH, consecutive=1)
    assert k3.onset_interpolated_v == pytest.approx(onset(J0, E0, B, J_TH), abs=1e-5)
    assert k1.onset_potential_v == pytest.approx(4.2, abs=1e-9)
    assert "3 consecutive points" in str(k3)
    assert "0.01 mA/cm2" in str(k3)
    assert "1 consecutive points" in str(k1)


def test_tangent_intersection_of_a_hockey_stick_is_exact() -> None:
    """The tangent of a hockey-stick current meets the baseline at the kink.

    J = C·v + s·max(0, E - E1): every tangent in the linear part meets the flat baseline
    exactly at E1 = 4.5 V.
    """

    def model(e: np.ndarray, d: np.ndarray, leg: np.ndarray) -> np.ndarray:
        return d * C_NU + 1.0 * np.maximum(e - 4.5, 0.0)

    rec = sweep([3.0, 6.0], rate_mv_s=1.0, dt_s=1.0, model=model)
    for baseline in (None, "capacitive", "capacitive_resistive"):
        res = anodic_stability(rec, area_cm2=1.0, baseline=baseline)  # type: ignore[arg-type]
        assert res.tangent.potential_v == pytest.approx(4.5, abs=1e-6), baseline
        assert res.tangent.slope_ma_cm2_v == pytest.approx(1.0, rel=1e-6)


def test_tangent_of_an_exponential_lies_one_tafel_length_below() -> None:
    """The tangent of an exponential meets zero one Tafel length below its point.

    For j0·exp((E - E0)/b) the steepest point is the end of the sweep and its tangent
    meets zero one Tafel length b below it (local fit over 11 points: bias < 0.1 mV).
    """
    rec = sweep([3.0, 6.0], rate_mv_s=1.0, dt_s=1.0, model=_anodic_model(c_nu=0.0))
    res = anodic_stability(rec, area_cm2=1.0, tangent_points=11, baseline="capacitive")
    tan = res.tangent
    assert tan.tangent_point_v == pytest.approx(6.0 - 0.005, abs=1e-6)
    assert tan.potential_v == pytest.approx(tan.tangent_point_v - B, abs=1e-4)  # type: ignore[operator]


def test_seed_like_comparison_peak_versus_stable() -> None:
    """A Fig. S24-like comparison: oxidation peak versus stable to 5.5 V.

    Fig. S24 in miniature (Li/SS, 1 mV/s): a LiPF6-like electrolyte with a Gaussian
    oxidation peak (0.05 mA/cm2 at 4.0 V, width 0.1 V) and one stable to 5.5 V.

    Truth: the Gaussian crosses j_th at 4.0 - 0.1·sqrt(2·ln(0.05/0.01)) = 3.8206 V; the
    stable electrolyte's exponential is placed so that E_on = 5.5 V exactly.
    """
    e_stable = 5.5 - B * math.log(J_TH / J0)

    def lipf6(e: np.ndarray, d: np.ndarray, leg: np.ndarray) -> np.ndarray:
        return 0.05 * np.exp(-0.5 * ((e - 4.0) / 0.1) ** 2) + tafel(J0, 5.6, B)(e)

    def stable(e: np.ndarray, d: np.ndarray, leg: np.ndarray) -> np.ndarray:
        return tafel(J0, e_stable, B)(e)

    a = anodic_stability(sweep([3.0, 6.0], rate_mv_s=1.0, dt_s=1.0, model=lipf6), area_cm2=1.0)
    b = anodic_stability(sweep([3.0, 6.0], rate_mv_s=1.0, dt_s=1.0, model=stable), area_cm2=1.0)
    assert a.onset_interpolated_v == pytest.approx(
        4.0 - 0.1 * math.sqrt(2 * math.log(0.05 / J_TH)), abs=1e-4
    )
    assert b.onset_interpolated_v == pytest.approx(5.5, abs=1e-5)
    assert 0.0 <= b.onset_potential_v - 5.5 <= 0.001 + 1e-9  # type: ignore[operator]


def test_cv_first_anodic_sweep_is_selected() -> None:
    """CV from open circuit: 3.0 -> 2.5 -> 5.5 -> 2.5 -> 5.5 V at 1 mV/s.

    The oxidation current is passivated on the second anodic sweep (j0 ten times smaller):
    sweep 1 (default) has E_on = E0 + b·ln(j_th/j0), sweep 2 that plus b·ln(10).
    """

    def model(e: np.ndarray, d: np.ndarray, leg: np.ndarray) -> np.ndarray:
        j0 = np.where(leg >= 4, J0 / 10, J0)
        return d * C_NU + j0 * np.exp((e - E0) / B)

    rec = sweep([3.0, 2.5, 5.5, 2.5, 5.5], rate_mv_s=1.0, dt_s=1.0, model=model)
    sweeps = find_sweeps(rec)
    assert sweeps["direction"].to_list() == ["cathodic", "anodic", "cathodic", "anodic"]
    assert sweeps["start_potential_v"].to_list() == pytest.approx([3.0, 2.5, 5.5, 2.5], abs=1e-9)
    assert sweeps["end_potential_v"].to_list() == pytest.approx([2.5, 5.5, 2.5, 5.5], abs=1e-9)
    assert sweeps["start_row"].to_list() == [0, 500, 3500, 6500]
    assert sweeps["scan_rate_mv_s"].to_list() == pytest.approx([1.0] * 4, rel=1e-9)

    first = anodic_stability(rec, area_cm2=1.0, baseline="capacitive")
    second = anodic_stability(rec, area_cm2=1.0, baseline="capacitive", sweep=2)
    truth = onset(J0, E0, B, J_TH)
    assert first.sweep["start_row"] == 500
    assert first.sweep["found"] == {
        "anodic": 2,
        "cathodic": 2,
    }
    assert first.onset_interpolated_v == pytest.approx(truth, abs=1e-5)
    assert second.onset_interpolated_v == pytest.approx(truth + B * math.log(10), abs=1e-5)
    assert first.baseline.capacitive_ma_cm2 == pytest.approx(C_NU, rel=1e-9)
    assert any("2 anodic and 2 cathodic" in n for n in first.notes)
    with pytest.raises(VoltammetryError, match="sweep 3 does not exist"):
        anodic_stability(rec, area_cm2=1.0, sweep=3)


def test_cathodic_onset_mirrors_the_anodic_one() -> None:
    """A cathodic onset mirrors the anodic one.

    Reduction current -j0·exp(-(E - E0)/b) on a 3.0 -> 0.0 V sweep: onset at
    E0 - b·ln(j_th/j0) with E0 = 1.0 V; ``anodic_stability`` on it says to use the other.
    """

    def model(e: np.ndarray, d: np.ndarray, leg: np.ndarray) -> np.ndarray:
        return d * C_NU - J0 * np.exp(-(e - 1.0) / B)

    rec = sweep([3.0, 0.0], rate_mv_s=1.0, dt_s=1.0, model=model)
    res = cathodic_stability(rec, area_cm2=1.0, baseline="capacitive")
    truth = 1.0 - B * math.log(J_TH / J0)
    assert res.onset_interpolated_v == pytest.approx(truth, abs=1e-5)
    assert -0.001 - 1e-9 <= res.onset_potential_v - truth <= 0.0  # type: ignore[operator]
    assert res.baseline.capacitive_ma_cm2 == pytest.approx(C_NU, rel=1e-9)  # sweep direction
    assert "j <= -0.01 mA/cm2" in str(res)
    with pytest.raises(VoltammetryError, match="cathodic_stability"):
        anodic_stability(rec, area_cm2=1.0)


def test_no_onset_is_reported_with_a_reason() -> None:
    """A sweep that stops (4.5 V) before the current reaches the threshold has no onset."""
    rec = sweep([3.0, 4.5], rate_mv_s=1.0, dt_s=1.0, model=_anodic_model())
    res = anodic_stability(rec, area_cm2=1.0, baseline="capacitive")
    assert res.onset_potential_v is None
    assert res.onset_row is None
    assert res.onset_reason is not None
    assert "no 3 consecutive points reach 0.01 mA/cm2" in res.onset_reason
    assert "no onset" in str(res)


def test_transient_at_start_is_flagged_and_search_from_skips_it() -> None:
    """A start-up transient is flagged; search_from_v skips it.

    A start-up transient (1 mA/cm2 decaying with 5 s) exceeds the threshold from the first
    point: a note says the onset is unresolved; search_from_v=3.2 finds the true onset.
    """
    ox = tafel(J0, E0, B)

    def model(e: np.ndarray, d: np.ndarray, leg: np.ndarray) -> np.ndarray:
        return ox(e) + 1.0 * np.exp(-(e - 3.0) / 0.005)

    rec = sweep([3.0, 6.0], rate_mv_s=1.0, dt_s=1.0, model=model)
    res = anodic_stability(rec, area_cm2=1.0)
    assert res.onset_potential_v == pytest.approx(3.0)
    assert any("not resolved" in n for n in res.notes)
    skipped = anodic_stability(rec, area_cm2=1.0, search_from_v=3.2)
    assert skipped.onset_interpolated_v == pytest.approx(onset(J0, E0, B, J_TH), abs=1e-5)


def test_result_serialises_and_echoes_parameters() -> None:
    """to_dict() is plain JSON with units, the threshold and k, and optionally the curve."""
    res = anodic_stability(_lsv(dt_s=10.0), area_cm2=1.13, threshold_ma_cm2=0.05, consecutive=4)
    data = json.loads(json.dumps(res.to_dict(include_curve=True)))
    assert data["threshold_ma_cm2"] == 0.05
    assert data["consecutive"] == 4
    assert data["parameters"]["threshold_ma_cm2"] == 0.05
    assert data["units"]["onset_potential_v"] == "V"
    assert data["curve"]["units"]["current_density_ma_cm2"] == "mA/cm2"
    assert len(data["curve"]["rows"]) == res.curve.height
    assert "0.05 mA/cm2 for 4 consecutive points" in data["text"]
    assert isinstance(res, StabilityResult)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"area_cm2": 0.0}, "area_cm2"),
        ({"area_cm2": 1.0, "threshold_ma_cm2": -1.0}, "threshold_ma_cm2"),
        ({"area_cm2": 1.0, "threshold_ma_cm2": float("nan")}, "threshold_ma_cm2"),
        ({"area_cm2": 1.0, "consecutive": 0}, "consecutive"),
        ({"area_cm2": 1.0, "sweep": 0}, "sweep"),
        ({"area_cm2": 1.0, "baseline": "linear"}, "baseline"),
        ({"area_cm2": 1.0, "baseline_window_v": (3.0001, 3.0002)}, "at least 3"),
        ({"area_cm2": 1.0, "baseline_window_v": (3.1, 3.1)}, "two different"),
        ({"area_cm2": 1.0, "direction": "up"}, "direction"),
    ],
)
def test_bad_parameters(kwargs: dict[str, object], match: str) -> None:
    """Out-of-range parameters raise VoltammetryError naming the parameter."""
    args: dict[str, object] = {"direction": "anodic", **kwargs}
    with pytest.raises(VoltammetryError, match=match):
        stability_onset(_lsv(dt_s=10.0), **args)  # type: ignore[arg-type]


def test_bad_recordings() -> None:
    """Missing columns and a potential that never moves give clear errors (also ValueError)."""
    meta = RecordingMeta(instrument="x", format="none")
    no_current = Recording(pl.DataFrame({"test_time_second": [0.0], "voltage_volt": [3.0]}), meta)
    with pytest.raises(VoltammetryError, match="current_ampere"):
        anodic_stability(no_current, area_cm2=1.0)
    flat = Recording(
        pl.DataFrame(
            {
                "test_time_second": np.arange(100.0),
                "voltage_volt": np.full(100, 3.0),
                "current_ampere": np.zeros(100),
            }
        ),
        meta,
    )
    with pytest.raises(CyclingDataError, match="0 anodic sweep"):
        anodic_stability(flat, area_cm2=1.0)
    with pytest.raises(ValueError, match="0 anodic sweep"):
        anodic_stability(flat, area_cm2=1.0)


def test_glitch_on_the_first_point_does_not_make_a_sweep() -> None:
    """A glitch on the first point does not make a sweep.

    A first point 0.2 V off (as in the EC-Lab LSV file) is absorbed: one sweep, trimmed
    to start at its highest potential for a cathodic scan.
    """
    rec = sweep([0.0, -2.0], rate_mv_s=20.0, dt_s=0.1, model=lambda e, d, leg: 0 * e)
    frame = rec.data.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.col("voltage_volt") - 0.2)
        .otherwise(pl.col("voltage_volt"))
        .alias("voltage_volt")
    )
    table = find_sweeps(Recording(frame, rec.meta))
    assert table.height == 1
    assert table["direction"][0] == "cathodic"
    assert table["start_row"][0] == 1


# --------------------------------------------------------------------------- real files
def _real(name: str) -> Recording:
    return elyte.read(shared_file("biologic", name))


@pytest.mark.realdata
@pytest.mark.parametrize("threshold", [0.01, 1.0, 10.0])
def test_real_lsv_mpr_and_mpt_agree(threshold: float) -> None:
    """The EC-Lab LSV binary and text exports give the same onset.

    EC-Lab LSV (Ag electrode, SCE reference, -0.06 -> -4 V at 20 mV/s per the header):
    a cathodic sweep. The binary and text exports give the same onset; the scan rate is the
    header's 20 mV/s; the anodic analysis refuses with a pointer to cathodic_stability.
    """
    mpr, mpt = _real("lsv.mpr"), _real("lsv.mpt")
    a = cathodic_stability(mpr, area_cm2=1.0, threshold_ma_cm2=threshold)
    b = cathodic_stability(mpt, area_cm2=1.0, threshold_ma_cm2=threshold)
    assert a.onset_potential_v is not None
    assert a.onset_potential_v == pytest.approx(b.onset_potential_v, abs=1e-6)
    assert a.onset_row == b.onset_row
    # the text export prints 8 significant digits: the fitted tangent agrees to 1e-5 V
    assert a.tangent.potential_v == pytest.approx(b.tangent.potential_v, abs=1e-5)
    assert a.scan_rate_mv_s == pytest.approx(20.0, rel=1e-3)
    assert a.sweep["found"] == {"anodic": 0, "cathodic": 1}
    assert -4.0 < a.onset_potential_v < -0.06
    for rec in (mpr, mpt):
        with pytest.raises(VoltammetryError, match="cathodic_stability"):
            anodic_stability(rec, area_cm2=1.0)


@pytest.mark.realdata
def test_real_lsv_onset_moves_with_the_threshold() -> None:
    """A higher threshold can only move a cathodic onset to more negative potentials."""
    rec = _real("lsv.mpr")
    onsets = [
        cathodic_stability(rec, area_cm2=1.0, threshold_ma_cm2=t).onset_potential_v
        for t in (0.01, 0.1, 1.0, 10.0)
    ]
    assert all(o is not None for o in onsets)
    assert onsets == sorted(onsets, reverse=True)  # type: ignore[type-var]


@pytest.mark.realdata
def test_real_cv_first_anodic_sweep() -> None:
    """The EC-Lab CV: first anodic sweep, same onset from mpr and mpt.

    EC-Lab CV (Na cell, 0.1 mV/s between E1 = 1.5 V and E2 = 5.5 V per the header),
    starting from open circuit (2.48 V) toward E1: four sweeps, the first anodic one from
    1.5 to 5.5 V. mpr and mpt agree on the onset.
    """
    mpr, mpt = _real("cv.mpr"), _real("cv.mpt")
    sweeps = find_sweeps(mpr)
    assert sweeps["direction"].to_list() == ["cathodic", "anodic", "cathodic", "anodic"]
    assert sweeps["scan_rate_mv_s"].to_list() == pytest.approx([0.1] * 4, rel=2e-3)
    assert sweeps["end_potential_v"][0] == pytest.approx(1.5, abs=0.005)
    assert sweeps["end_potential_v"][1] == pytest.approx(5.5, abs=0.005)
    a = anodic_stability(mpr, area_cm2=1.0)
    b = anodic_stability(mpt, area_cm2=1.0)
    assert a.sweep["number"] == 2
    assert a.onset_potential_v is not None
    assert a.onset_potential_v == pytest.approx(b.onset_potential_v, abs=1e-6)
    assert 1.5 < a.onset_potential_v < 5.5


# --------------------------------------------------------------------------- plot
def test_plot_marks_onset_and_threshold(tmp_path: object) -> None:
    """The LSV plot marks the onset and the threshold.

    The curve drawn is the corrected j of the result; the threshold line is at j_th; the
    onset line at the interpolated onset; two results give two curves with a legend.
    """
    pytest.importorskip("matplotlib")
    from elyte.cycling.plots import save_figure
    from elyte.voltammetry.plots import plot_lsv

    res = anodic_stability(_lsv(dt_s=5.0), area_cm2=1.13, baseline="capacitive")
    fig = plot_lsv(res)
    lines = {line.get_gid(): line for line in fig.axes[0].get_lines()}
    np.testing.assert_allclose(lines["curve"].get_ydata(), res.curve["corrected_ma_cm2"])
    np.testing.assert_allclose(lines["curve"].get_xdata(), res.curve["potential_v"])
    np.testing.assert_allclose(lines["raw"].get_ydata(), res.curve["current_density_ma_cm2"])
    np.testing.assert_allclose(lines["threshold"].get_ydata(), [J_TH, J_TH])
    np.testing.assert_allclose(lines["onset"].get_xdata(), [res.onset_interpolated_v] * 2)
    tangent = lines["tangent"]
    assert tangent.get_xdata()[0] == pytest.approx(res.tangent.potential_v)
    assert tangent.get_ydata()[0] == pytest.approx(0.0, abs=1e-9)  # meets the baseline
    path = save_figure(fig, tmp_path / "lsv.png")  # type: ignore[operator]
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    other = anodic_stability(_lsv(dt_s=5.0, c_nu=0.0), area_cm2=1.13)
    fig2 = plot_lsv({"A": res, "B": other})
    gids = {line.get_gid() for line in fig2.axes[0].get_lines()}
    assert {"A:curve", "B:curve", "A:onset", "B:onset"} <= gids
    assert [t.get_text() for t in fig2.axes[0].get_legend().get_texts()] == ["A", "B"]
    with pytest.raises(VoltammetryError):
        plot_lsv({})


def test_plot_cathodic_threshold_is_negative() -> None:
    """For a cathodic result the threshold line lies at -j_th."""
    pytest.importorskip("matplotlib")
    from elyte.voltammetry.plots import plot_lsv

    rec = sweep([3.0, 0.0], rate_mv_s=1.0, dt_s=5.0, model=lambda e, d, leg: -tafel(J0, 1.0, -B)(e))
    res = cathodic_stability(rec, area_cm2=1.0)
    lines = {line.get_gid(): line for line in plot_lsv(res).axes[0].get_lines()}
    np.testing.assert_allclose(lines["threshold"].get_ydata(), [-J_TH, -J_TH])
