"""Nucleation overpotential on generated platings with a dip of known depth.

Golden values: the generated voltage (:mod:`tests.lithium`) falls linearly from +0.1 V to
``plateau - dip_depth`` at exactly t = 20 s (a sample lies there), recovers to the plateau
(-40 mV) at 60 s and stays flat, so ``η_n = dip_depth`` exactly.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from elyte.cycling import CyclingDataError
from elyte.errors import ProtocolError
from elyte.examples import galvanostatic_example
from elyte.lithium import nucleation_overpotential
from tests.conftest import shared_file
from tests.lithium import Step, downsample, li_cu_protocol, render


@pytest.mark.parametrize("depth", [0.05, 0.10, 0.25])
@pytest.mark.parametrize("dt", [1.0, 10.0])
def test_known_dip_is_recovered_exactly(depth: float, dt: float) -> None:
    rec, truth = li_cu_protocol(dip_depth_v=depth, dt_s=dt, n_cycles=3)
    result = nucleation_overpotential(rec)
    steps = result.steps
    assert steps.height == 2  # formation plating and reservoir plating: both on bare Cu
    assert steps.get_column("on_bare_cu").to_list() == [True, True]
    np.testing.assert_allclose(result.overpotential_v, depth, rtol=0, atol=1e-12)
    np.testing.assert_allclose(steps.get_column("tip_time_s").to_numpy(), 20.0)
    np.testing.assert_allclose(steps.get_column("plateau_voltage_v").to_numpy(), -0.040)
    np.testing.assert_allclose(
        steps.get_column("start_time_s").to_numpy(), [*truth.plating_starts_s[:1], 68400.0]
    )
    assert result.warnings == ()
    assert steps.get_column("warning").null_count() == 2


def test_noisy_dip_within_tolerance() -> None:
    """1 mV voltage noise: η_n within 5 mV of the true 0.10 V."""
    rec, _ = li_cu_protocol(noise_v=0.001, dt_s=1.0, n_cycles=2, seed=7)
    result = nucleation_overpotential(rec)
    assert np.all(np.abs(result.overpotential_v - 0.10) < 0.005)
    assert np.all(np.abs(result.steps.get_column("tip_time_s").to_numpy() - 20.0) <= 2.0)


def test_coarse_sampling_warns_instead_of_a_quiet_number() -> None:
    """Sampled every 60 s the 40 s dip is missed: a warning, and η_n is underestimated."""
    rec, _ = li_cu_protocol(dt_s=1.0, n_cycles=2)
    coarse = downsample(rec, 60)
    result = nucleation_overpotential(coarse)
    assert len(result.warnings) == 2
    assert all("no dip" in w or "not resolved" in w for w in result.warnings)
    assert np.all(np.nan_to_num(result.overpotential_v) < 0.10)
    assert result.steps.get_column("warning").null_count() == 0


def test_few_points_in_a_short_tip_window_warn() -> None:
    """A 60 s tip window sampled every 20 s holds 4 points (fewer than 10)."""
    rec, _ = li_cu_protocol(dt_s=20.0, n_cycles=2)
    result = nucleation_overpotential(rec, tip_window_s=60.0)
    assert result.steps.get_column("tip_points").to_list() == [4, 4]
    assert all("only 4 sample(s) in the 60 s tip window" in w for w in result.warnings)
    # the dip itself (20 s exactly) is still sampled: η_n is right, the warning is a caution
    np.testing.assert_allclose(result.overpotential_v, 0.10, atol=1e-12)


def test_tip_at_window_end_warns() -> None:
    """A tip window shorter than the fall to the tip puts the minimum at its end."""
    rec, _ = li_cu_protocol(dt_s=1.0, n_cycles=2)
    result = nucleation_overpotential(rec, tip_window_s=10.0, min_tip_points=5)
    assert all("still falling" in w for w in result.warnings)


def test_windows_are_recorded_and_seconds_win() -> None:
    rec, _ = li_cu_protocol(dt_s=1.0, n_cycles=2)
    result = nucleation_overpotential(
        rec, tip_window_s=100.0, plateau_offset_s=200.0, plateau_length_s=300.0
    )
    row = result.steps.row(0, named=True)
    assert row["tip_window_s"] == 100.0
    assert row["plateau_start_s"] == pytest.approx(220.0)
    assert row["plateau_end_s"] == pytest.approx(520.0)
    assert row["plateau_points"] == 301
    assert result.parameters["tip_window_s"] == 100.0
    assert result.parameters["tip_window_fraction"] == 0.1
    # fractions: 10 % of the 36000 s formation plating
    default = nucleation_overpotential(rec).steps.row(0, named=True)
    assert default["tip_window_s"] == pytest.approx(3600.0)
    assert default["plateau_start_s"] == pytest.approx(20.0 + 3600.0)
    assert default["plateau_end_s"] == pytest.approx(20.0 + 3600.0 + 7200.0)


def test_all_platings_and_bare_cu_flags() -> None:
    rec, _ = li_cu_protocol(n_cycles=3)
    result = nucleation_overpotential(rec, which="all")
    assert result.steps.height == 2 + 3
    assert result.steps.get_column("on_bare_cu").to_list() == [True, True, False, False, False]
    # platings on Li have no dip (the generated voltage is flat there)
    assert len(result.warnings) == 3
    assert all("no dip" in w for w in result.warnings)
    eta = result.steps.get_column("nucleation_overpotential_v")
    assert eta.null_count() == 3  # no dip: no number
    np.testing.assert_allclose(eta.drop_nulls().to_numpy(), 0.10, atol=1e-12)


def test_single_deposition_step() -> None:
    """Fig. S15-style test: one plating of 3 mAh/cm2; sign from the voltage."""
    rec, _ = render([Step("plating", 3.0, bare_cu=True, step_id=1)], dt_s=2.0)
    result = nucleation_overpotential(rec)
    assert result.overpotential_v.tolist() == pytest.approx([0.10], abs=1e-12)
    assert "only negative current" in result.conventions["plating_sign_source"]
    json.dumps(result.to_dict())


def test_not_li_plating_is_refused() -> None:
    with pytest.raises(ProtocolError, match="not Li plating on Cu"):
        nucleation_overpotential(galvanostatic_example())


@pytest.mark.parametrize(
    "kwargs",
    [
        {"which": "some"},
        {"tip_window_fraction": 0.0},
        {"tip_window_fraction": 1.5},
        {"tip_window_s": 0.0},
        {"plateau_length_s": -1.0},
        {"min_tip_points": 0},
        {"min_dip_points": 1.5},
    ],
)
def test_bad_parameters(kwargs: dict[str, object]) -> None:
    rec, _ = li_cu_protocol(n_cycles=1)
    with pytest.raises(CyclingDataError):
        nucleation_overpotential(rec, **kwargs)  # type: ignore[arg-type]


@pytest.mark.realdata
def test_real_gcpl_issue_211_runs_and_warns() -> None:
    """BioLogic gcpl.issue_211: ±68 µA between +0.5 V and -0.6 V limits, not Li on Cu.

    Its negative half-cycles fall monotonically from +0.5 V towards the -0.6 V limit, so
    there is no dip: every analysed step must carry a 'no dip' warning, not a number
    presented as a nucleation overpotential without comment.
    """
    import elyte

    rec = elyte.read(shared_file("biologic", "gcpl.issue_211.mpr"))
    result = nucleation_overpotential(rec)
    assert result.steps.height == 4
    assert len(result.warnings) == 4
    assert all("no dip" in w for w in result.warnings)
    assert result.steps.get_column("nucleation_overpotential_v").null_count() == 4
