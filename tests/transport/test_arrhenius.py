"""Arrhenius and VTF fits on synthetic data of known parameters (analytic truth)."""

from __future__ import annotations

import numpy as np
import pytest

from elyte.transport import (
    FARADAY,
    GAS_CONSTANT,
    TransportError,
    compare_models,
    fit_arrhenius,
    fit_vtf,
)

T = np.arange(253.15, 334.0, 10.0)


@pytest.mark.parametrize("ea_kj", [30.0, 63.5])
def test_arrhenius_recovers_ea(ea_kj: float) -> None:
    """Y = A exp(-Ea/RT) with 1 % noise: Ea within 3 sigma and 1 kJ/mol; eV = J/mol / F."""
    rng = np.random.default_rng(int(ea_kj))
    y = 1e3 * np.exp(-ea_kj * 1e3 / (GAS_CONSTANT * T)) * np.exp(0.01 * rng.normal(size=T.size))
    fit = fit_arrhenius(T, y, quantity="1/R_SEI", unit="1/ohm")
    assert abs(fit.activation_energy_kj_mol - ea_kj) < max(
        3 * fit.activation_energy_error_kj_mol, 0.05
    )
    assert fit.activation_energy_kj_mol == pytest.approx(ea_kj, abs=1.0)
    assert fit.activation_energy_ev == pytest.approx(fit.activation_energy_j_mol / FARADAY)
    assert fit.to_dict()["form"] == "sigma"


def test_sigma_and_sigmat_forms_differ_by_rt() -> None:
    """Property: Ea(sigma*T form) - Ea(sigma form) ≈ R·T̄ (slope of ln T against 1/T)."""
    y = 5.0 * np.exp(-40e3 / (GAS_CONSTANT * T))
    a = fit_arrhenius(T, y, form="sigma")
    b = fit_arrhenius(T, y, form="sigmaT")
    diff = b.activation_energy_j_mol - a.activation_energy_j_mol
    assert diff == pytest.approx(GAS_CONSTANT * T.mean(), rel=0.02)
    assert "sigmaT" in b.describe()


def test_vtf_recovered_and_chosen_by_aicc() -> None:
    """VTF data (B = 800 K, T0 = 180 K, 0.5 % noise) -> VTF wins by AICc, B and T0 back."""
    rng = np.random.default_rng(3)
    y = 5.0 * T**-0.5 * np.exp(-800.0 / (T - 180.0)) * np.exp(0.005 * rng.normal(size=T.size))
    comp = compare_models(T, y, quantity="conductivity", unit="S/cm")
    assert comp.best == "vtf"
    vtf = comp.fits["vtf"]
    assert vtf.b_kelvin == pytest.approx(800.0, rel=0.05)  # type: ignore[union-attr]
    assert vtf.t0_kelvin == pytest.approx(180.0, abs=3.0)  # type: ignore[union-attr]
    assert vtf.t0_kelvin < T.min()  # type: ignore[union-attr]


def test_arrhenius_data_choose_arrhenius() -> None:
    """Pure Arrhenius data: AICc prefers Arrhenius (VTF's extra parameter is not paid for)."""
    rng = np.random.default_rng(5)
    y = 1e4 * np.exp(-63.5e3 / (GAS_CONSTANT * T)) * np.exp(0.01 * rng.normal(size=T.size))
    assert compare_models(T, y).best == "arrhenius_sigma"


def test_t0_constraint_and_errors() -> None:
    """T0 stays below min(T) - margin; bad inputs raise TransportError."""
    y = 5.0 * T**-0.5 * np.exp(-800.0 / (T - 250.0))
    fit = fit_vtf(T, y, t0_margin=10.0)
    assert fit.t0_kelvin <= T.min() - 10.0 + 1e-9
    with pytest.raises(TransportError):
        fit_arrhenius([300.0], [1.0])
    with pytest.raises(TransportError):
        fit_arrhenius([300.0, 310.0], [1.0, -1.0])
    with pytest.raises(TransportError):
        fit_vtf(T[:3], y[:3])
