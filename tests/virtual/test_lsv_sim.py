"""Round trips of the simulated LSV through an EC-Lab .mpt file and anodic_stability.

Golden values are analytic: for a capacitive current ``j_cap = C v`` plus ``j0 exp((E -
E0)/b)`` the raw current reaches ``j_th`` at ``E0 + b ln((j_th - j_cap)/j0)`` and the
baseline-subtracted one at ``E0 + b ln(j_th/j0)``; the tests compute these themselves from
the inputs, independently of :mod:`elyte.virtual.lsv`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import elyte
from elyte.virtual.lsv import SEED_PRESETS, linear_sweep, lsv_preset
from elyte.virtual.writers import SIMULATED_MARK, write_mpt
from elyte.voltammetry import anodic_stability

J_TH = 0.01  # mA/cm2, the analysis's default threshold
# 10 mV/s sampled every 0.1 s: 1 mV per point; C v = 5e-4 F/cm2 * 0.01 V/s = 5e-3 mA/cm2.
BASE: dict[str, Any] = {
    "e_start_v": 3.0,
    "e_end_v": 5.5,
    "scan_rate_mv_s": 10.0,
    "dt_s": 0.1,
    "area_cm2": 1.13,
    "capacitance_f_cm2": 5e-4,
    "j0_ma_cm2": 1e-3,
    "e0_v": 5.0,
    "tafel_b_v": 0.05,
}
STEP_V = 1e-3
J_CAP = 5e-4 * 0.01 * 1000.0
RAW_ONSET = 5.0 + 0.05 * math.log((J_TH - J_CAP) / 1e-3)  # 5.0805 V
CORRECTED_ONSET = 5.0 + 0.05 * math.log(J_TH / 1e-3)  # 5.1151 V


def _round_trip(tmp_path: Path, **overrides: Any) -> tuple[Any, Any]:
    rec, truth = linear_sweep(**{**BASE, **overrides})
    path = write_mpt(rec, tmp_path / "x.mpt", technique="LSV")
    return elyte.read(path), truth


def test_truth_matches_closed_forms() -> None:
    """The truth's onsets are the analytic ones computed here from the inputs."""
    _, truth = linear_sweep(**BASE)
    assert truth.capacitive_ma_cm2 == pytest.approx(J_CAP, rel=1e-12)
    assert truth.onset_v == pytest.approx(RAW_ONSET, abs=1e-12)
    assert truth.onset_corrected_v == pytest.approx(CORRECTED_ONSET, abs=1e-12)
    assert truth.step_v == pytest.approx(STEP_V)
    assert truth.onset_at(J_TH, baseline_subtracted=False) == truth.onset_v
    # the numerical path (forced by a negligible peak) agrees with the closed form
    _, numeric = linear_sweep(**BASE, peak_height_ma_cm2=1e-30)
    assert numeric.onset_v == pytest.approx(RAW_ONSET, abs=1e-8)
    assert numeric.onset_corrected_v == pytest.approx(CORRECTED_ONSET, abs=1e-8)


def test_file_says_simulated(tmp_path: Path) -> None:
    """The .mpt header carries the simulated mark and the reader surfaces it."""
    rec, _ = _round_trip(tmp_path)
    assert rec.meta.simulated
    assert rec.meta.techniques == ("LSV",)
    assert SIMULATED_MARK in (tmp_path / "x.mpt").read_text(encoding="cp1252")


def test_round_trip_without_baseline(tmp_path: Path) -> None:
    """Raw onset: first sample at or above E0 + b ln((j_th - C v)/j0), within one step."""
    rec, truth = _round_trip(tmp_path)
    res = anodic_stability(rec, area_cm2=BASE["area_cm2"])
    assert res.onset_potential_v is not None
    assert res.onset_interpolated_v is not None
    assert RAW_ONSET - 1e-9 <= res.onset_potential_v <= RAW_ONSET + STEP_V + 1e-9
    assert abs(res.onset_interpolated_v - truth.onset_v) < STEP_V
    # it is not the baseline-subtracted onset (35 steps away)
    assert abs(res.onset_potential_v - CORRECTED_ONSET) > 20 * STEP_V
    assert res.scan_rate_mv_s == pytest.approx(10.0, rel=1e-6)


def test_round_trip_with_capacitive_baseline(tmp_path: Path) -> None:
    """Capacitive baseline: onset at E0 + b ln(j_th/j0) within one step; C recovered."""
    rec, truth = _round_trip(tmp_path)
    res = anodic_stability(rec, area_cm2=BASE["area_cm2"], baseline="capacitive")
    assert res.onset_potential_v is not None
    assert res.onset_interpolated_v is not None
    assert abs(res.onset_potential_v - CORRECTED_ONSET) <= STEP_V + 1e-9
    assert abs(res.onset_interpolated_v - truth.onset_corrected_v) < STEP_V
    assert res.baseline.capacitive_ma_cm2 == pytest.approx(J_CAP, rel=1e-6)
    assert res.baseline.capacitance_uf_cm2 == pytest.approx(500.0, rel=1e-5)


def test_round_trip_with_leak(tmp_path: Path) -> None:
    """A leak line: capacitive_resistive baseline recovers the faradaic onset; raw matches."""
    rec, truth = _round_trip(tmp_path, leak_s_cm2=2e-6)
    assert truth.onset_corrected_v == pytest.approx(CORRECTED_ONSET, abs=1e-12)
    # the leak adds 2e-3 mA/cm2 per V: the raw onset comes earlier than without it
    assert truth.onset_v is not None
    assert truth.onset_v < RAW_ONSET - 0.01
    raw = anodic_stability(rec, area_cm2=BASE["area_cm2"])
    fit = anodic_stability(rec, area_cm2=BASE["area_cm2"], baseline="capacitive_resistive")
    assert raw.onset_interpolated_v is not None
    assert fit.onset_interpolated_v is not None
    assert abs(raw.onset_interpolated_v - truth.onset_v) < STEP_V
    assert abs(fit.onset_interpolated_v - CORRECTED_ONSET) < STEP_V
    assert fit.baseline.leak_resistance_ohm_cm2 == pytest.approx(1 / 2e-6, rel=1e-4)


@pytest.mark.parametrize("baseline", [None, "capacitive"])
def test_round_trip_with_noise(tmp_path: Path, baseline: Any) -> None:
    """Noise sigma: onset within b ln(j_th/(j_th - 5 sigma)) + one step of the truth.

    Three consecutive points must pass the threshold, so an early crossing needs noise of
    several sigma; 5 sigma bounds it (the tolerance is 6.3 mV here).
    """
    sigma = 2e-4
    tol = BASE["tafel_b_v"] * math.log(J_TH / (J_TH - 5 * sigma)) + STEP_V
    for seed in range(5):
        rec, truth = _round_trip(tmp_path, noise_ma_cm2=sigma, seed=seed)
        res = anodic_stability(rec, area_cm2=BASE["area_cm2"], baseline=baseline)
        expected = truth.onset_v if baseline is None else truth.onset_corrected_v
        assert res.onset_potential_v is not None
        assert abs(res.onset_potential_v - expected) <= tol, (seed, res.onset_potential_v)


def test_deterministic_for_a_seed() -> None:
    """Same seed, same data; another seed, other noise."""
    a, ta = linear_sweep(**BASE, noise_ma_cm2=1e-4, noise_v=1e-4, seed=7)
    b, tb = linear_sweep(**BASE, noise_ma_cm2=1e-4, noise_v=1e-4, seed=7)
    c, _ = linear_sweep(**BASE, noise_ma_cm2=1e-4, noise_v=1e-4, seed=8)
    assert a.data.equals(b.data)
    assert ta == tb
    assert not a.data.equals(c.data)


def test_higher_j0_gives_earlier_onset(tmp_path: Path) -> None:
    """Property: a faster oxidation (higher j0) starts at lower potential, truth and analysis."""
    onsets: list[float] = []
    truths: list[float] = []
    for k, j0 in enumerate([1e-4, 1e-3, 1e-2]):
        rec, truth = linear_sweep(**{**BASE, "j0_ma_cm2": j0})
        read = elyte.read(write_mpt(rec, tmp_path / f"{k}.mpt", technique="LSV"))
        res = anodic_stability(read, area_cm2=BASE["area_cm2"], baseline="capacitive")
        assert res.onset_potential_v is not None
        assert truth.onset_corrected_v is not None
        onsets.append(res.onset_potential_v)
        truths.append(truth.onset_corrected_v)
    assert all(np.diff(truths) < -0.1)  # b ln(10) = 115 mV apart
    assert all(np.diff(onsets) < -0.1)


def test_seed_presets(tmp_path: Path) -> None:
    """Seed-derived presets: 3D-SIPE-LiFPA stable past 5.5 V; LiPF6 takes off below 4.0 V."""
    assert set(SEED_PRESETS) == {"3d-sipe-lifpa", "lipf6-emc-fec"}
    results = {}
    for name in SEED_PRESETS:
        rec, truth = linear_sweep(**lsv_preset(name), seed=3)
        read = elyte.read(write_mpt(rec, tmp_path / f"{name}.mpt", technique="LSV"))
        res = anodic_stability(read, area_cm2=truth.area_cm2)
        assert res.onset_potential_v is not None
        assert truth.onset_v is not None
        assert abs(res.onset_potential_v - truth.onset_v) <= truth.step_v + 1e-9
        results[name] = res.onset_potential_v
    assert results["3d-sipe-lifpa"] > 5.5
    assert 3.85 < results["lipf6-emc-fec"] < 4.0
    with pytest.raises(KeyError):
        lsv_preset("water")


@pytest.mark.parametrize(
    "bad",
    [
        ({"e_end_v": 2.0}, "anodic sweep"),
        ({"scan_rate_mv_s": 0.0}, "scan_rate_mv_s"),
        ({"tafel_b_v": -0.1}, "tafel_b_v"),
        ({"capacitance_f_cm2": -1e-6}, "capacitance_f_cm2"),
        ({"noise_ma_cm2": math.nan}, "noise_ma_cm2"),
    ],
)
def test_rejects_bad_parameters(bad: tuple[dict[str, float], str]) -> None:
    """Non-physical inputs raise ValueError naming the parameter."""
    overrides, match = bad
    with pytest.raises(ValueError, match=match):
        linear_sweep(**{**BASE, **overrides})


def test_no_onset_when_capacitive_current_exceeds_threshold() -> None:
    """C v above the threshold: the raw onset is undefined (None), the corrected one is not."""
    _, truth = linear_sweep(**{**BASE, "capacitance_f_cm2": 2e-3})  # C v = 0.02 mA/cm2
    assert truth.onset_v is None
    assert truth.onset_corrected_v == pytest.approx(CORRECTED_ONSET, abs=1e-12)
