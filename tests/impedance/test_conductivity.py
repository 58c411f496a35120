"""Conductivity from blocking-electrode spectra generated from circuits with known R_b."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from elyte.errors import ImpedanceError
from elyte.impedance import Circuit, Spectrum
from elyte.impedance.conductivity import bulk_resistance, cell_constant, conductivity

F = np.logspace(np.log10(7e6), -1, 71)
CELL = Circuit("L0-R0-p(R_b,CPE_g)-CPE_dl")


def _spectrum(rb: float, seed: int, r0: float = 0.3, cg: float = 1.5e-11) -> Spectrum:
    rng = np.random.default_rng(seed)
    z = CELL.impedance(F, [2e-7, r0, rb, cg, 0.98, 1e-5, rng.uniform(0.8, 0.95)])
    z = z + 0.002 * np.abs(z) * (rng.normal(size=F.size) + 1j * rng.normal(size=F.size))
    return Spectrum(F, z, temperature_kelvin=303.15)


def test_three_methods_recover_r0_plus_rb() -> None:
    """40 noisy SS|E|SS spectra (0.2 % noise, arc above 7 MHz or resolved, lead inductance).

    Truth is the generating R0 + R_b (the graphical methods and an unresolved-arc fit see
    their sum). Median errors: fit < 0.1 %, spike < 0.2 %, min(-Z'') < 0.5 %.
    """
    errs: dict[str, list[float]] = {"fit": [], "min_imag": [], "spike": []}
    for seed in range(40):
        rb = 10 ** np.random.default_rng(100 + seed).uniform(0.5, 3)
        s = _spectrum(rb, seed)
        b = bulk_resistance(s)[0]
        truth = rb + 0.3
        errs["fit"].append(abs(b.fit_ohm + b.fit_series_ohm - truth) / truth)
        errs["spike"].append(abs(b.spike_ohm - truth) / truth)
        errs["min_imag"].append(abs(b.min_imag_ohm - truth) / truth)
        if s.imag[0] > 0:
            assert any("inductive" in n for n in b.notes)
    assert np.median(errs["fit"]) < 1e-3
    assert np.median(errs["spike"]) < 2e-3
    assert np.median(errs["min_imag"]) < 5e-3


def test_sigma_and_uncertainty_analytic() -> None:
    """Sigma = L/(A R); relative 1-sigma = hypot(δL/L, δA/A, δR/R) (hand-computed)."""
    z = Circuit("R_b-CPE_dl").impedance(F, [40.0, 1e-5, 0.9])
    r = conductivity(
        Spectrum(F, z),
        thickness_um=200.0,
        area_cm2=2.0,
        thickness_error_um=4.0,
        area_error_cm2=0.02,
    )[0]
    assert r.method == "fit"
    assert r.conductivity_s_cm == pytest.approx(200e-4 / (2.0 * 40.0), rel=1e-6)
    assert r.conductivity_ms_cm == pytest.approx(0.25, rel=1e-6)
    assert r.conductivity_error_s_cm / r.conductivity_s_cm == pytest.approx(
        math.hypot(0.02, 0.01), rel=1e-3
    )
    k, dk = cell_constant(200.0, 2.0, thickness_error_um=4.0, area_error_cm2=0.02)
    assert k == pytest.approx(0.01)
    assert dk == pytest.approx(0.01 * math.hypot(0.02, 0.01))
    doc = json.loads(json.dumps(r.to_dict()))
    assert doc["conductivity"]["unit"] == "S/cm"
    assert doc["conductivity_ms_cm"]["unit"] == "mS/cm"


def test_resolved_arc_reports_rb_without_r0() -> None:
    """A resolved bulk arc (C_g = 1 nF): the fit's R_b excludes R0 = 5 ohm.

    The lead inductance is modelled (inductive='model'); truth is the generating circuit.
    """
    s = _spectrum(500.0, 3, r0=5.0, cg=1e-9)
    b = bulk_resistance(s, inductive="model")[0]
    assert b.arc_resolved
    assert b.fit is not None
    assert "L0" in b.fit.names
    assert b.fit_ohm == pytest.approx(500.0, rel=5e-3)
    assert b.fit_series_ohm == pytest.approx(5.0, rel=0.2)
    assert b.min_imag_ohm == pytest.approx(505.0, rel=0.02)


def test_method_choice_and_bad_geometry() -> None:
    """method= selects the estimate; non-positive geometry raises ImpedanceError."""
    s = _spectrum(30.0, 1)
    r = conductivity(s, thickness_um=100, area_cm2=1.0, method="spike")[0]
    assert r.method == "spike"
    assert r.bulk.fit is None
    with pytest.raises(ImpedanceError):
        conductivity(s, thickness_um=-1.0, area_cm2=1.0)
    with pytest.raises(ImpedanceError):
        conductivity(s, thickness_um=1.0, area_cm2=1.0, method="magic")  # type: ignore[arg-type]
