"""Bruce-Vincent transference number: worked numbers and a generated CA + EIS set."""

from __future__ import annotations

import math

import numpy as np
import pytest

from elyte.errors import ImpedanceError, ProtocolError
from elyte.impedance import Circuit, Spectrum
from elyte.transport.transference import (
    ChronoampAnalysis,
    InitialCurrent,
    SteadyState,
    analyse_chronoamperometry,
    bruce_vincent,
    bruce_vincent_formula,
    interfacial_resistance,
)
from tests.conftest import shared_file

DV = 0.010  # V, the seed's polarisation
FREQ = np.logspace(6, -1, 60)


def diffusion_ca(
    i0: float,
    iss: float,
    *,
    tau: float = 600.0,
    duration: float = 6000.0,
    dt: float = 1.0,
    spike_a: float = 0.0,
    noise: float = 0.0,
    seed: int = 0,
    t_start: float = 1000.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Return t and I(t) = Iss + (I0 - Iss)·f(t/τ) for a finite diffusion layer.

    ``f = Σ_{n odd} 8/(n²π²)·exp(-n² t/τ)`` (f(0) = 1; 1 - f ∝ √t at early times), plus an
    optional double-layer spike ``spike_a·exp(-t/0.5 s)`` and relative Gaussian noise.
    """
    t = np.arange(0.0, duration + dt / 2, dt)
    n = np.arange(1, 4001, 2, dtype=float)
    f = (8.0 / (np.pi**2 * n**2) * np.exp(-np.outer(t / tau, n**2))).sum(axis=1)
    i = iss + (i0 - iss) * f + spike_a * np.exp(-t / 0.5)
    rng = np.random.default_rng(seed)
    i = i * (1.0 + noise * rng.standard_normal(t.size))
    return t + t_start, i


def li_li_spectrum(rb: float, ri: float, *, noise: float = 0.0, seed: int = 1) -> Spectrum:
    """Li‖Li spectrum from Circuit("R0-p(R1,CPE1)") with R0 = R_b, R1 = R_i."""
    z = Circuit("R0-p(R1,CPE1)").impedance(FREQ, [rb, ri, 2e-5, 0.9])
    rng = np.random.default_rng(seed)
    z = z * (1.0 + noise * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size)))
    return Spectrum(FREQ, z, source=f"generated Rb={rb} Ri={ri}")


# --------------------------------------------------------------------------- formula
def test_formula_on_worked_numbers() -> None:
    """Hand calculation (written out here), ΔV = 10 mV, I0 = 100 µA, Iss = 50 µA.

    R0 = 20 Ω, Rss = 25 Ω: numerator 50e-6·(0.010 - 100e-6·20) = 50e-6·0.008 = 4.0e-7;
    denominator 100e-6·(0.010 - 50e-6·25) = 100e-6·0.00875 = 8.75e-7; t+ = 0.457142857...
    """
    assert bruce_vincent_formula(DV, 100e-6, 50e-6, 20.0, 25.0) == pytest.approx(
        0.4571428571428571, rel=1e-12
    )
    # no interfacial resistance: the plain ratio Iss/I0
    assert bruce_vincent_formula(DV, 100e-6, 50e-6, 0.0, 0.0) == pytest.approx(0.5)
    assert math.isnan(bruce_vincent_formula(DV, 100e-6, 400e-6, 20.0, 25.0))


def _analysis(i0: float, i0_err: float, iss: float, iss_err: float) -> ChronoampAnalysis:
    t = np.linspace(0.0, 10.0, 11)
    return ChronoampAnalysis(
        time_s=t,
        current_a=np.full(t.size, iss),
        sign=1,
        initial=InitialCurrent(i0, i0_err, "sqrt_t", i0, 0.0, (1.0, 2.0), 0.0, 3, i0),
        steady=SteadyState(iss, iss_err, True, 0.0, 0.0, 0.01, (9.0, 10.0), 2),
    )


def test_bruce_vincent_numbers_and_propagated_error() -> None:
    """Same worked numbers through bruce_vincent; sigma checked against the analytic derivative.

    ∂t/∂Iss = (ΔV - I0 R0)·ΔV / (I0 (ΔV - Iss Rss)²) = 0.008·0.010/(100e-6·0.00875²)
    = 10448.98 A⁻¹; with sigma(Iss) = 1 µA: sigma(t) = 0.010449. ∂t/∂R0 = -Iss/(ΔV - Iss Rss)
    = -50e-6/0.00875 = -5.714e-3 Ω⁻¹; with sigma(R0) = 2 Ω: 0.011429. Combined in quadrature.
    """
    result = bruce_vincent(_analysis(100e-6, 0.0, 50e-6, 1e-6), (20.0, 2.0), 25.0, dv_v=DV)
    assert result.i0_source == "extrapolated"
    assert result.t_plus == pytest.approx(0.4571428571, rel=1e-9)
    expected = math.hypot(10448.98 * 1e-6, 5.7142857e-3 * 2.0)
    assert result.t_plus_error == pytest.approx(expected, rel=1e-4)
    assert result.uncorrected == pytest.approx(0.5)
    assert math.isnan(result.abraham)
    assert result.flags == ()


def test_bruce_vincent_eis_i0_and_abraham_from_numbers() -> None:
    """I0 = ΔV/(R_b + R_0) = 0.010/(30 + 20) = 200 µA; Iss = 80 µA, Rss = 25 Ω.

    t+ = 80e-6·(0.010 - 200e-6·20)/(200e-6·(0.010 - 80e-6·25)) = 80e-6·0.006/(200e-6·0.008)
    = 0.3; Abraham x R_b,ss/R_b,0 = 0.3·33/30 = 0.33.
    """
    result = bruce_vincent(
        _analysis(150e-6, 0.0, 80e-6, 0.0),
        20.0,
        25.0,
        dv_v=DV,
        bulk_before_ohm=30.0,
        bulk_after_ohm=33.0,
    )
    assert result.i0_source == "eis"
    assert result.i0_a == pytest.approx(200e-6)
    assert result.t_plus == pytest.approx(0.3, rel=1e-12)
    assert result.abraham == pytest.approx(0.33, rel=1e-12)
    # the extrapolated variant with I0 = 150 µA: 80e-6·(0.010-0.003)/(150e-6·0.008)
    assert result.t_plus_extrapolated_i0 == pytest.approx(80e-6 * 0.007 / (150e-6 * 0.008))
    assert result.uncorrected == pytest.approx(80e-6 / 200e-6)


def test_qc_flags() -> None:
    """Iss above I0 and a t+ above 1 are flagged, not hidden."""
    result = bruce_vincent(_analysis(50e-6, 0.0, 60e-6, 0.0), 20.0, 20.0, dv_v=DV)
    assert "iss_not_below_i0" in result.flags
    assert "t_plus_outside_0_1" in result.flags
    assert result.t_plus > 1


# --------------------------------------------------------------------------- generated set
@pytest.mark.parametrize("t_true", [0.35, 0.6, 0.9])
def test_recovers_known_t_plus_from_generated_ca_and_eis(t_true: float) -> None:
    """Truth: the generator. Dilute binary electrolyte, symmetric Li cell.

    I0 = ΔV/(R_b + R_i,0), Iss = ΔV/(R_b/t+ + R_i,ss) (the Bruce-Vincent steady state), the
    current approaching Iss by finite diffusion with τ = 600 s over 10 τ, with a double-layer
    spike and 0.1 % noise; spectra from Circuit("R0-p(R1,CPE1)") with 0.2 % noise.
    """
    rb, ri0, riss = 40.0, 150.0, 180.0
    i0 = DV / (rb + ri0)
    iss = DV / (rb / t_true + riss)
    t, i = diffusion_ca(i0, iss, spike_a=20 * i0, noise=1e-3)
    before = li_li_spectrum(rb, ri0, noise=2e-3, seed=2)
    after = li_li_spectrum(rb * 1.02, riss, noise=2e-3, seed=3)
    result = bruce_vincent((t, i), before, after, dv_v=DV, spike_s=5.0)
    assert result.i0_source == "eis"
    assert result.before.interfacial_ohm == pytest.approx(ri0, rel=5e-3)
    assert result.after.interfacial_ohm == pytest.approx(riss, rel=5e-3)
    assert result.ca.steady.reached
    assert result.iss_a == pytest.approx(iss, rel=2e-3)
    assert result.t_plus == pytest.approx(t_true, abs=0.01)
    assert abs(result.t_plus - t_true) < 5 * result.t_plus_error + 1e-3
    # the extrapolated I0 (√t fit of the early decay after the spike) agrees within 0.5 %
    assert result.ca.initial.current_a == pytest.approx(i0, rel=5e-3)
    assert result.t_plus_extrapolated_i0 == pytest.approx(t_true, abs=0.01)
    assert result.abraham == pytest.approx(result.t_plus * 1.02, rel=1e-2)
    assert result.flags == ()
    doc = result.to_dict()
    assert doc["t_plus"] == pytest.approx(result.t_plus)
    assert doc["chronoamperometry"]["steady"]["reached"] is True


def test_negative_polarisation_uses_magnitudes() -> None:
    """A step of -ΔV gives the same t+ (truth: generator, t+ = 0.5, no interfaces)."""
    i0, iss = 2e-4, 1e-4
    t, i = diffusion_ca(i0, iss)
    result = bruce_vincent((t, -i), 0.0, 0.0, dv_v=-DV)
    assert result.ca.sign == -1
    assert result.t_plus == pytest.approx(0.5, abs=0.01)


def test_no_steady_state_is_flagged() -> None:
    """A step stopped at one τ is still decaying (truth: generator)."""
    t, i = diffusion_ca(2e-4, 1e-4, duration=600.0)
    analysis = analyse_chronoamperometry((t, i))
    assert not analysis.steady.reached
    assert analysis.steady.relative_drift > analysis.steady.threshold
    assert "no_steady_state" in analysis.flags
    result = bruce_vincent(analysis, 0.0, 0.0)
    assert "no_steady_state" in result.flags


def test_interfacial_resistance_sums_the_arcs() -> None:
    """Two-arc circuit: R_i = R1 + R2 (truth: the generating parameters)."""
    circuit = "R0-p(R1,CPE1)-p(R2,CPE2)"
    z = Circuit(circuit).impedance(FREQ, [20.0, 60.0, 1e-6, 0.95, 200.0, 1e-3, 0.85])
    res = interfacial_resistance(Spectrum(FREQ, z), circuit)
    assert res.interfacial_names == ("R1", "R2")
    assert res.bulk_ohm == pytest.approx(20.0, rel=1e-4)
    assert res.interfacial_ohm == pytest.approx(260.0, rel=1e-4)


def test_bad_inputs_raise_elyte_errors() -> None:
    """Too short, constant-zero or non-monotonic curves and unknown roles are refused."""
    with pytest.raises(ProtocolError):
        analyse_chronoamperometry(([0.0, 1.0, 2.0], [1.0, 1.0, 1.0]))
    with pytest.raises(ProtocolError):
        analyse_chronoamperometry((np.arange(20.0), np.zeros(20)))
    with pytest.raises(ProtocolError):
        analyse_chronoamperometry((np.r_[np.arange(10.0), np.arange(10.0)], np.ones(20)))
    with pytest.raises(ImpedanceError):
        interfacial_resistance(li_li_spectrum(10.0, 50.0), bulk="R9")


# --------------------------------------------------------------------------- real data
def test_real_biologic_ca_runs() -> None:
    """Real EC-Lab CA (Mo|LBNH|Mo, 0.3 V, 12 h, 60 s sampling): the analysis runs.

    Independent check: the vendor's own text export ca.mpt has I/mA = 1.8604061E-002 at
    the first point (the spike) and 2.8889910E-005 mA at 60 s.
    """
    from elyte.io.registry import read

    rec = read(shared_file("biologic", "ca.mpr"))
    analysis = analyse_chronoamperometry(rec)
    assert analysis.initial.first_point_a == pytest.approx(1.8604061e-5, rel=1e-6)
    assert analysis.initial.window_s[0] == pytest.approx(60.0, abs=0.01)
    assert 3e-9 < analysis.steady.current_a < analysis.initial.current_a < 2.9e-8
    # the current is still falling by about 10 % over the last 72 min
    assert not analysis.steady.reached
    assert "no_steady_state" in analysis.flags
