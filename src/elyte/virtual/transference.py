r"""Simulated Bruce-Vincent experiment: Li‖Li chronoamperometry at ΔV plus EIS before/after.

Model (ideal dilute binary electrolyte, the assumption under which Bruce-Vincent holds):
the current through a Li‖Li cell polarised by ΔV is

.. math:: I(t) = \Delta V / (R_b + R_i(t) + R_c(t))

with the bulk resistance :math:`R_b`, the interfacial resistance drifting from
:math:`R_{i,0}` to :math:`R_{i,ss}` as :math:`R_i(t) = R_{i,ss} + (R_{i,0} - R_{i,ss})
e^{-t/\tau_i}`, and the concentration-polarisation resistance building up as the salt
gradient develops,

.. math:: R_c(t) = R_b \frac{1 - t_+}{t_+}\Big(1 - \sum_{n\ \mathrm{odd}}
   \frac{8}{n^2\pi^2} e^{-n^2 t/\tau_d}\Big), \qquad \tau_d = L^2/(\pi^2 D)

(the one-dimensional diffusion solution between two planes; the sum equals 1 at t = 0, so
R_c starts at 0 and grows as √t at early times). At steady state
:math:`I_{ss} = \Delta V/(R_b/t_+ + R_{i,ss})`, for which the Evans-Vincent-Bruce formula
returns :math:`t_+` exactly. A double-layer charging spike
``ΔV/R_b·exp(-t/(R_b·C_dl))`` and Gaussian current noise are added.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from elyte.errors import ElyteError
from elyte.recording import Recording, RecordingMeta
from elyte.virtual.eis import LiLiTruth, simulate_li_li_eis
from elyte.virtual.params import ElectrolyteParams

__all__ = ["BruceVincentTruth", "simulate_bruce_vincent", "simulate_chronoamperometry"]


@dataclass(frozen=True)
class BruceVincentTruth:
    """Ground truth of a simulated Bruce-Vincent experiment.

    Attributes
    ----------
    t_plus : float
        Transference number used.
    dv_v : float
        Polarisation, V.
    bulk_ohm : float
        Bulk resistance, ohm.
    r_i0_ohm, r_iss_ohm : float
        Interfacial resistance before and after, ohm (whole cell).
    i0_a, iss_a : float
        ``ΔV/(R_b + R_i0)`` and ``ΔV/(R_b/t+ + R_iss)``, A.
    diffusion_cm2_s, thickness_um : float
        Salt diffusion coefficient (cm²/s) and electrode spacing (µm).
    tau_d_s : float
        Diffusion time constant ``L²/(π²D)``, s.
    duration_s : float
        Length of the step, s.
    before, after : LiLiTruth or None
        Truth of the spectra (None for the CA alone).
    """

    t_plus: float
    dv_v: float
    bulk_ohm: float
    r_i0_ohm: float
    r_iss_ohm: float
    i0_a: float
    iss_a: float
    diffusion_cm2_s: float
    thickness_um: float
    tau_d_s: float
    duration_s: float
    before: LiLiTruth | None = None
    after: LiLiTruth | None = None


def simulate_chronoamperometry(
    t_plus: float,
    *,
    bulk_ohm: float,
    r_i0_ohm: float,
    r_iss_ohm: float,
    dv_v: float = 0.010,
    diffusion_cm2_s: float = 1.0e-7,
    thickness_um: float = 260.0,
    tau_interface_s: float = 1800.0,
    c_dl_f: float = 1.0e-4,
    duration_s: float | None = None,
    dt_s: float = 1.0,
    noise_a: float = 2.0e-8,
    n_terms: int = 400,
    seed: int | np.random.Generator = 0,
) -> tuple[Recording, BruceVincentTruth]:
    """Simulate the current of a Li‖Li cell after a potential step ΔV (see the module).

    Parameters
    ----------
    t_plus : float
        Li+ transference number, in (0, 1).
    bulk_ohm, r_i0_ohm, r_iss_ohm : float
        Bulk resistance and interfacial resistance before/after, ohm.
    dv_v : float
        Polarisation, V (seed: 10 mV).
    diffusion_cm2_s, thickness_um : float
        Salt diffusion coefficient (cm²/s) and electrode spacing (µm).
    tau_interface_s : float
        Time constant of the interfacial drift, s.
    c_dl_f : float
        Double-layer capacitance of the charging spike, F.
    duration_s : float, optional
        Step length, s (default ``20·τ_d`` and at least 5 ``tau_interface_s``, rounded up to
        the hour).
    dt_s : float
        Sampling interval, s.
    noise_a : float
        Standard deviation of the current noise, A.
    n_terms : int
        Odd terms of the diffusion series.
    seed : int or numpy.random.Generator
        Random seed.

    Returns
    -------
    (Recording, BruceVincentTruth)
        Technique ``CA``; current positive (the cell is polarised by +ΔV).
    """
    if not 0.0 < t_plus < 1.0:
        raise ElyteError(f"t_plus must lie in (0, 1), not {t_plus}")
    if min(bulk_ohm, diffusion_cm2_s, thickness_um, dt_s) <= 0 or min(r_i0_ohm, r_iss_ohm) < 0:
        raise ElyteError("resistances, D, thickness and dt_s must be positive")
    rng = np.random.default_rng(seed)
    length_cm = thickness_um * 1e-4
    tau_d = length_cm**2 / (math.pi**2 * diffusion_cm2_s)
    if duration_s is None:
        duration_s = math.ceil(max(20.0 * tau_d, 5.0 * tau_interface_s) / 3600.0) * 3600.0
    t = np.arange(0.0, duration_s + dt_s / 2, dt_s)
    n = 2.0 * np.arange(n_terms) + 1.0
    series = (8.0 / (n**2 * math.pi**2))[None, :] * np.exp(-np.outer(t, n**2) / tau_d)
    # the truncated series misses a small part of the sum at t = 0; renormalise it
    build = 1.0 - series.sum(axis=1) / (8.0 / math.pi**2 * (1.0 / n**2).sum())
    r_c = bulk_ohm * (1.0 - t_plus) / t_plus * build
    r_i = r_iss_ohm + (r_i0_ohm - r_iss_ohm) * np.exp(-t / tau_interface_s)
    current = dv_v / (bulk_ohm + r_i + r_c)
    current = current + dv_v / bulk_ohm * np.exp(-t / (bulk_ohm * c_dl_f))
    current = current + noise_a * rng.standard_normal(t.size)
    i0 = dv_v / (bulk_ohm + r_i0_ohm)
    iss = dv_v / (bulk_ohm / t_plus + r_iss_ohm)
    frame = pl.DataFrame(
        {
            "test_time_second": t,
            "voltage_volt": np.full(t.size, dv_v),
            "current_ampere": current,
            "cycle_count": np.zeros(t.size, dtype=np.int64),
        }
    )
    meta = RecordingMeta(
        instrument="elyte virtual lab",
        format="simulated",
        techniques=("CA",),
        simulated=True,
        notes=(
            "simulated by elyte.virtual (not a measurement)",
            f"Bruce-Vincent CA at {1e3 * dv_v:g} mV: t+ = {t_plus:.6g}, R_b = {bulk_ohm:.6g} ohm, "
            f"R_i {r_i0_ohm:.6g} -> {r_iss_ohm:.6g} ohm, tau_d = {tau_d:.6g} s",
        ),
        vendor={"simulation": "Bruce-Vincent chronoamperometry", "dv_v": dv_v},
    )
    truth = BruceVincentTruth(
        t_plus=float(t_plus),
        dv_v=float(dv_v),
        bulk_ohm=float(bulk_ohm),
        r_i0_ohm=float(r_i0_ohm),
        r_iss_ohm=float(r_iss_ohm),
        i0_a=float(i0),
        iss_a=float(iss),
        diffusion_cm2_s=float(diffusion_cm2_s),
        thickness_um=float(thickness_um),
        tau_d_s=float(tau_d),
        duration_s=float(t[-1]),
    )
    return Recording(frame, meta), truth


def simulate_bruce_vincent(
    params: ElectrolyteParams,
    *,
    temperature_c: float = 25.0,
    interface_growth: float = 0.15,
    dv_v: float = 0.010,
    noise: float = 0.002,
    noise_a: float = 2.0e-8,
    seed: int = 0,
) -> tuple[Recording, Recording, Recording, BruceVincentTruth]:
    """Simulate the full experiment for a parameter set: EIS before, CA, EIS after.

    ``R_b`` comes from sigma(T) and the cell constant; the interfacial resistance before is
    ``R_SEI(T) + R_ct(T)`` and grows by ``interface_growth`` (fraction) during the step.

    Returns
    -------
    (Recording, Recording, Recording, BruceVincentTruth)
        EIS before, CA, EIS after and the truth.
    """
    cell = params.cell
    r_b = cell.cell_constant_per_cm / params.conductivity.sigma_s_cm(temperature_c)
    r_sei = params.sei.r_sei_ohm(temperature_c)
    r_ct = params.sei.r_ct_ohm(temperature_c)
    g = 1.0 + interface_growth
    before, tb = simulate_li_li_eis(
        r_b, r_sei, r_ct, temperature_c=temperature_c, noise=noise, seed=seed
    )
    ca, truth = simulate_chronoamperometry(
        params.t_plus,
        bulk_ohm=r_b,
        r_i0_ohm=r_sei + r_ct,
        r_iss_ohm=g * (r_sei + r_ct),
        dv_v=dv_v,
        diffusion_cm2_s=params.diffusion_cm2_s,
        thickness_um=cell.thickness_um,
        noise_a=noise_a,
        seed=seed + 1,
    )
    after, ta = simulate_li_li_eis(
        r_b, g * r_sei, g * r_ct, temperature_c=temperature_c, noise=noise, seed=seed + 2
    )
    from dataclasses import replace

    return before, ca, after, replace(truth, before=tb, after=ta)
