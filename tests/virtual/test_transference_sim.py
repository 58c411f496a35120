"""Simulated Bruce-Vincent experiment: round trip through .mpt files and bruce_vincent."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from elyte.errors import ElyteError
from elyte.impedance import spectra_from_recording
from elyte.io.registry import read
from elyte.transport import analyse_chronoamperometry, bruce_vincent, bruce_vincent_formula
from elyte.virtual.params import PRESETS, preset_params
from elyte.virtual.transference import simulate_bruce_vincent, simulate_chronoamperometry
from elyte.virtual.writers import write_mpt


@pytest.mark.parametrize("name", PRESETS)
def test_round_trip_recovers_t_plus(name: str, tmp_path: Path) -> None:
    """Truth: the set's t+ (seed: 0.915 and 0.339), recovered within ±0.01."""
    p = preset_params(name)
    before, ca, after, truth = simulate_bruce_vincent(p, seed=11)
    files = [
        write_mpt(before, tmp_path / "before.mpt"),
        write_mpt(ca, tmp_path / "ca.mpt"),
        write_mpt(after, tmp_path / "after.mpt"),
    ]
    rec = read(files[1])
    assert "CA" in rec.meta.techniques
    result = bruce_vincent(
        rec,
        spectra_from_recording(read(files[0]))[0],
        spectra_from_recording(read(files[2]))[0],
        circuit="L0-R0-p(R_SEI,CPE_SEI)-p(R_ct,CPE_dl)",
    )
    assert result.t_plus == pytest.approx(truth.t_plus, abs=0.01)
    assert result.t_plus_extrapolated_i0 == pytest.approx(truth.t_plus, abs=0.01)
    assert not result.flags
    assert result.iss_a == pytest.approx(truth.iss_a, rel=0.005)


def test_model_is_exact_for_the_formula_and_deterministic() -> None:
    """Truth: I0 = ΔV/(R_b+R_i0) and Iss = ΔV/(R_b/t+ + R_iss) satisfy the formula exactly."""
    rec, truth = simulate_chronoamperometry(
        0.6, bulk_ohm=10.0, r_i0_ohm=20.0, r_iss_ohm=25.0, noise_a=0.0
    )
    assert bruce_vincent_formula(0.01, truth.i0_a, truth.iss_a, 20.0, 25.0) == pytest.approx(0.6)
    current = rec.data.get_column("current_ampere").to_numpy()
    # the interfacial drift has decayed to e^-8 of its span by the end of the step
    assert current[-1] == pytest.approx(truth.iss_a, rel=1e-4)
    assert np.all(np.diff(current[10:]) <= 0)  # a monotonic decay after the spike
    analysis = analyse_chronoamperometry(rec)
    assert analysis.steady.reached
    again, _ = simulate_chronoamperometry(0.6, bulk_ohm=10.0, r_i0_ohm=20.0, r_iss_ohm=25.0)
    same, _ = simulate_chronoamperometry(0.6, bulk_ohm=10.0, r_i0_ohm=20.0, r_iss_ohm=25.0)
    assert again.data.equals(same.data)
    with pytest.raises(ElyteError, match="t_plus"):
        simulate_chronoamperometry(1.2, bulk_ohm=1.0, r_i0_ohm=1.0, r_iss_ohm=1.0)


def test_higher_t_plus_keeps_more_current() -> None:
    lo = simulate_chronoamperometry(0.3, bulk_ohm=10.0, r_i0_ohm=20.0, r_iss_ohm=20.0)[1]
    hi = simulate_chronoamperometry(0.9, bulk_ohm=10.0, r_i0_ohm=20.0, r_iss_ohm=20.0)[1]
    assert hi.iss_a / hi.i0_a > lo.iss_a / lo.i0_a
