"""Simulated ARC runs: round trip through the ARC CSV and analyse_arc."""

from __future__ import annotations

from pathlib import Path

import pytest

from elyte.thermal import analyse_arc, kim2007_18650, read_arc
from elyte.virtual.arc import simulate_arc
from elyte.virtual.params import PRESETS, preset_params


@pytest.mark.parametrize("name", PRESETS)
@pytest.mark.parametrize("noise_c", [0.0, 0.01])
def test_round_trip_recovers_onset(name: str, noise_c: float, tmp_path: Path) -> None:
    """Truth: the controller's own detection temperature (T_onset within ±1 °C).

    T_tr is compared with the model's own crossing of 1 °C/min while the exotherm is
    tracked (±2 °C with noise, which the SHR derivative amplifies).
    """
    sim, truth = simulate_arc(preset_params(name), noise_c=noise_c, seed=2)
    path = sim.write_csv(tmp_path / "arc.csv")
    assert "simulated" in path.read_text(encoding="utf-8").splitlines()[0]
    result = analyse_arc(read_arc(path))
    assert result.simulated
    assert truth.onset_c is not None
    assert truth.tr_c is not None
    assert result.onset_c == pytest.approx(truth.onset_c, abs=1.0)
    assert result.tr[0].temperature_c == pytest.approx(truth.tr_c, abs=2.0)


def test_lifpa_set_is_near_the_seed_and_safer_than_lipf6() -> None:
    """The seed reports T_onset 120 °C for the LiFPA pouch; the LiPF6 set (assumed) is earlier."""
    _, lifpa = simulate_arc(preset_params("3d-sipe-lifpa"))
    _, lipf6 = simulate_arc(preset_params("lipf6-emc-fec"))
    assert lifpa.onset_c == pytest.approx(lifpa.reported_onset_c, abs=2.0)
    assert lipf6.onset_c is not None
    assert lifpa.onset_c is not None
    assert lipf6.onset_c < lifpa.onset_c
    _, kim = simulate_arc(kim2007_18650())
    assert kim.model == "kim2007-18650"
