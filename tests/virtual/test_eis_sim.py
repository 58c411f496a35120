"""Simulated impedance: round trips through BioLogic .mpt files and our analyses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from elyte.impedance import spectra_from_recording
from elyte.impedance.conductivity import conductivity
from elyte.impedance.interface import interfacial_resistance, sei_activation_energy
from elyte.io.registry import read
from elyte.transport import fit_vtf
from elyte.virtual.eis import (
    blocking_temperature_series,
    li_li_temperature_series,
    simulate_blocking_eis,
    simulate_cycled_eis,
)
from elyte.virtual.params import PRESETS, preset_params
from elyte.virtual.writers import write_mpt


def _marked_simulated(path: Path) -> bool:
    rec = read(path)
    return rec.meta.simulated or "simulated" in str(rec.meta.vendor).lower()


@pytest.mark.parametrize("name", PRESETS)
def test_blocking_cell_round_trip_recovers_sigma(name: str, tmp_path: Path) -> None:
    """Truth: sigma(T) of the parameter set; read back and analysed (sigma within 1 %)."""
    p = preset_params(name)
    runs = blocking_temperature_series(p, seed=3)
    spectra = []
    for i, (rec, _) in enumerate(runs):
        path = write_mpt(rec, tmp_path / f"ss{i}.mpt")
        assert "simulated" in path.read_text(encoding="latin-1").lower()
        assert _marked_simulated(path)
        spectra += spectra_from_recording(read(path))
    results = conductivity(
        spectra, thickness_um=p.cell.thickness_um, area_cm2=p.cell.area_cm2, inductive="model"
    )
    for res, (_, truth) in zip(results, runs, strict=True):
        assert res.temperature_kelvin == pytest.approx(truth.temperature_c + 273.15)
        assert res.conductivity_s_cm == pytest.approx(truth.sigma_s_cm, rel=0.01)
    if p.conductivity.form == "vtf":
        t = np.array([r.temperature_kelvin for r in results])
        vtf = fit_vtf(t, [r.conductivity_s_cm for r in results])
        assert vtf.to_dict()  # the fit runs on the recovered series
        s30 = p.conductivity.sigma_s_cm(30.0)
        assert results[4].conductivity_s_cm == pytest.approx(s30, rel=0.01)


def test_blocking_cell_physics_and_determinism() -> None:
    """Higher sigma → lower bulk resistance; same seed → same data; 7 MHz to 100 mHz."""
    a, ta = simulate_blocking_eis(2e-3, seed=1)
    _b, tb = simulate_blocking_eis(4e-3, seed=1)
    assert tb.bulk_resistance_ohm == pytest.approx(ta.bulk_resistance_ohm / 2)
    f = a.data.get_column("frequency_hertz").to_numpy()
    assert f.max() == pytest.approx(7e6)
    assert f.min() == pytest.approx(0.1)
    assert a.meta.simulated
    assert "PEIS" in a.meta.techniques
    assert a.data.equals(simulate_blocking_eis(2e-3, seed=1)[0].data)
    assert not a.data.equals(simulate_blocking_eis(2e-3, seed=2)[0].data)
    z_hi = a.data.get_column("imaginary_impedance_ohm").to_numpy()[0]
    assert z_hi > 0  # lead inductance at 7 MHz


@pytest.mark.parametrize("name", PRESETS)
def test_li_li_round_trip_recovers_sei_activation_energy(name: str, tmp_path: Path) -> None:
    """Truth: the set's SEI Ea (seed: 30.0 and 63.5 kJ/mol), recovered within 2 %.

    The fitted circuit includes the lead inductance L0: without it the cropped
    high-frequency points bias R_SEI at high temperature (Ea off by up to ~5 %).
    """
    p = preset_params(name)
    runs = li_li_temperature_series(p, seed=7)
    spectra = []
    for i, (rec, _) in enumerate(runs):
        path = write_mpt(rec, tmp_path / f"lili{i}.mpt")
        spectra += spectra_from_recording(read(path))
    result = sei_activation_energy(spectra, circuit="L0-R0-p(R_SEI,CPE_SEI)-p(R_ct,CPE_dl)")
    ea = result.arrhenius.to_dict()["activation_energy"]
    assert ea["unit"] == "kJ/mol"
    assert ea["value"] * 1e3 == pytest.approx(p.sei.ea_j_mol, rel=0.02)
    r_sei = result.series.values("R_SEI")
    assert r_sei == pytest.approx([t.r_sei_ohm for _, t in runs], rel=0.03)


@pytest.mark.parametrize("name", PRESETS)
def test_cycled_cell_round_trip_recovers_interfacial_growth(name: str, tmp_path: Path) -> None:
    """Truth: the growth law (seed: 12.0 → 45.3 ohm, 12.3 → 120.1 ohm), within 2 %."""
    p = preset_params(name)
    rec, truth = simulate_cycled_eis(p, seed=5)
    path = write_mpt(rec, tmp_path / "cycled.mpt")
    spectra = spectra_from_recording(read(path))
    assert [s.metadata.get("cycle_count") for s in spectra] == list(truth.cycles)
    series = interfacial_resistance(spectra, circuit="L0-R0-p(R_SEI,CPE_SEI)-p(R_ct,CPE_dl)-W1")
    total, _ = series.total()
    assert series.labels == [float(c) for c in truth.cycles]
    assert total == pytest.approx(truth.interfacial_ohm, rel=0.02)
    assert np.all(np.diff(truth.interfacial_ohm) >= 0)  # more cycles, more resistance
