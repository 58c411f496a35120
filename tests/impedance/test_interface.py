"""Interfacial resistance vs cycle and SEI activation energy on generated Li||Li spectra."""

from __future__ import annotations

import numpy as np
import pytest

from elyte.impedance import Circuit, Spectrum
from elyte.impedance.interface import interfacial_resistance, sei_activation_energy
from elyte.transport import GAS_CONSTANT

CIRC = Circuit("R0-p(R_SEI,CPE_SEI)-p(R_ct,CPE_dl)")
F = np.logspace(6, -1, 60)


def _spec(rs: float, rct: float, seed: int, t: float | None = None) -> Spectrum:
    rng = np.random.default_rng(seed)
    z = CIRC.impedance(F, [3.0, rs, 2e-6, 0.9, rct, 5e-4, 0.85])
    z = z + 0.002 * np.abs(z) * (rng.normal(size=F.size) + 1j * rng.normal(size=F.size))
    return Spectrum(F, z, temperature_kelvin=t)


@pytest.mark.parametrize("ea_kj", [30.0, 63.5])
@pytest.mark.parametrize("global_fit", [False, True])
def test_sei_activation_energy_recovered(ea_kj: float, global_fit: bool) -> None:
    """R_SEI(T) = 20 ohm·exp(Ea/R (1/T - 1/298.15)) over -20..40 °C; Ea back within 0.5 kJ/mol."""
    temps = np.arange(253.15, 314.0, 10.0)
    spectra = [
        _spec(20 * np.exp(ea_kj * 1e3 / GAS_CONSTANT * (1 / t - 1 / 298.15)), 60.0, i, t)
        for i, t in enumerate(temps)
    ]
    result = sei_activation_energy(spectra, global_fit=global_fit)
    arr = result.arrhenius
    assert arr.form == "sigma"
    assert arr.activation_energy_kj_mol == pytest.approx(ea_kj, abs=0.5)
    assert 0 < arr.activation_energy_error_kj_mol < 1.0
    if global_fit:
        assert set(result.series.shared) == {"CPE_SEI_alpha", "CPE_dl_alpha"}


def test_resistance_vs_cycle_table() -> None:
    """Interfacial resistance 12.0 -> 45.3 ohm over cycles (the seed's range) is tabulated."""
    r_true = np.linspace(12.0, 45.3, 6)
    spectra = [_spec(r, 2 * r, i) for i, r in enumerate(r_true)]
    series = interfacial_resistance(spectra, labels=[1, 20, 40, 60, 80, 100])
    frame = series.to_frame()
    np.testing.assert_allclose(frame["R_SEI_ohm"].to_numpy(), r_true, rtol=0.01)
    assert frame["cycle"].to_list() == [1, 20, 40, 60, 80, 100]
    tot, err = series.total()
    np.testing.assert_allclose(tot, 3 * r_true, rtol=0.01)
    assert (err > 0).all()
    assert series.to_dict()["rows"][0]["R_SEI"]["unit"] == "ohm"
