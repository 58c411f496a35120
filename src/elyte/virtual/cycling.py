"""Simulated cathode/Li cycling: CC-CV charge, CC discharge, fade, Li-inventory failure.

Open-circuit voltage of the cathode against its Li fraction ``y``:

* NCM811: the fit of Chen et al., "Development of Experimental Techniques for
  Parameterization of Multi-scale Lithium-ion Battery Models", J. Electrochem. Soc. 167
  (2020) 080534 (LG M50 NMC811 positive electrode), a line plus three ``tanh`` terms.
* LiCoO2: the rational fit used by Ramadass et al., "Development of First Principles
  Capacity Fade Model for Li-Ion Cells", J. Electrochem. Soc. 151 (2004) A196 (even
  polynomials of degree 10 over each other), taken without their "stretch" factor.

Both forms were checked against their public transcriptions in open battery-modelling code
(coefficients as printed in the papers' reproductions); the implementation is our own.

Terminal voltage: ``V = U(y) ± (I R(T) + η_p (1 - exp(-τ/τ_p)))`` (+ on charge), with
``R(T) = R_ref exp(Ea/R (1/T - 1/T_ref))`` (Arrhenius). The charge is CC until the capacity
left for the CV step, then CV at ``v_max`` with the current decaying as
``I_cc exp(-τ/τ_cv)`` down to ``cv_cutoff_fraction I_cc``; the CC voltage is capped at
``v_max`` (documented approximation). Capacities written with the rows are the exact
integrals of the current.

Capacity of cycle ``k``: the cathode capacity ``Q0 (1 - fade)^(k-1)``, reduced at rate
``C`` by the empirical factor ``1/(1 + (C/C_half)^n)`` with ``C_half ∝ 1/R(T)`` (a
documented empirical form, not a published one), and limited by the Li inventory: with the
Li anode ``N = np_ratio Q0`` and a Li plating/stripping CE, the cathode can be refilled
with at most ``Q0 + N - (1 - CE) Σ Q_previous`` (Li lost to SEI and dead Li). The cycle at
which the excess is used up is :func:`elyte.lithium.inventory.cycles_to_li_exhaustion`;
after it the capacity falls steeply (the "sudden failure").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from elyte.lithium.inventory import cycles_to_li_exhaustion
from elyte.recording import Recording
from elyte.virtual.lithium import _meta, _recording

__all__ = ["CyclingTruth", "cathode_li_cycling", "ocv", "rate_capability"]

Material = Literal["NCM811", "LiCoO2"]
_R_GAS = 8.314462618
#: Li-fraction window cycled (fully discharged → charged) for each material.
_WINDOW = {"NCM811": (0.90, 0.27), "LiCoO2": (0.99, 0.52)}


def ocv(material: Material, y: np.ndarray) -> np.ndarray:
    """Open-circuit voltage of a cathode vs Li at Li fraction ``y`` (module docstring), V."""
    y = np.asarray(y, dtype=float)
    if material == "NCM811":
        return (
            -0.8090 * y
            + 4.4875
            - 0.0428 * np.tanh(18.5138 * (y - 0.5542))
            - 17.7326 * np.tanh(15.7890 * (y - 0.3117))
            + 17.5842 * np.tanh(15.9308 * (y - 0.3120))
        )
    if material == "LiCoO2":
        num = np.polyval([433.434, -462.471, 342.909, -401.119, 88.669, -4.656], y**2)
        den = np.polyval([95.96, -73.083, 37.311, -79.532, 18.933, -1.0], y**2)
        return np.asarray(num / den)
    raise ValueError(f"unknown material {material!r}; use 'NCM811' or 'LiCoO2'")


@dataclass(frozen=True)
class CyclingTruth:
    """Ground truth of a simulated cathode/Li test.

    Attributes
    ----------
    charge_capacity_ah, discharge_capacity_ah : tuple of float
        Capacity of every cycle, Ah.
    c_rates : tuple of float
        Discharge C-rate of every cycle.
    li_exhaustion_cycle : float
        Cycle at which the Li excess is used up (inventory model), ``inf`` for CE = 1.
    resistance_ohm : float
        Ohmic resistance at the test temperature, Ω.
    temperature_c : float
        Test temperature, °C.
    nominal_capacity_ah : float
        Capacity defining 1 C, Ah.
    """

    charge_capacity_ah: tuple[float, ...]
    discharge_capacity_ah: tuple[float, ...]
    c_rates: tuple[float, ...]
    li_exhaustion_cycle: float
    resistance_ohm: float
    temperature_c: float
    nominal_capacity_ah: float


def _arrhenius(value: float, ea_j_mol: float, t_c: float, t_ref_c: float = 25.0) -> float:
    return value * math.exp(ea_j_mol / _R_GAS * (1 / (t_c + 273.15) - 1 / (t_ref_c + 273.15)))


def _simulate(
    *,
    material: Material,
    capacity_ah: float,
    c_rates: Sequence[float],
    charge_c_rate: float | None,
    fade_per_cycle: float,
    li_ce: float,
    np_ratio: float,
    cathode_ce: float,
    resistance_ohm: float,
    polarisation_v: float,
    activation_energy_j_mol: float,
    temperature_c: float,
    c_half: float,
    rate_exponent: float,
    v_max: float,
    tau_cv_s: float,
    cv_cutoff_fraction: float,
    rest_s: float,
    noise_v: float,
    points_per_step: int,
    seed: int,
    technique_note: str,
) -> tuple[Recording, CyclingTruth]:
    rng = np.random.default_rng(seed)
    r_t = _arrhenius(resistance_ohm, activation_energy_j_mol, temperature_c)
    eta_t = _arrhenius(polarisation_v, activation_energy_j_mol, temperature_c)
    c_half_t = c_half * resistance_ohm / r_t
    y_lo, y_hi = _WINDOW[material][1], _WINDOW[material][0]
    n = len(c_rates)
    lost = 0.0
    q_charge: list[float] = []
    q_discharge: list[float] = []
    cols: dict[str, list[np.ndarray]] = {
        k: [] for k in ("t", "v", "i", "cycle", "step", "count", "qc", "qd")
    }
    t0 = qc0 = qd0 = 0.0
    count = 0

    def add(
        tau: np.ndarray,
        v: np.ndarray,
        i: np.ndarray,
        qc: np.ndarray,
        qd: np.ndarray,
        cycle: int,
        step: int,
    ) -> None:
        nonlocal count
        count += 1
        cols["t"].append(t0 + tau)
        cols["v"].append(v)
        cols["i"].append(i)
        cols["cycle"].append(np.full(tau.size, cycle))
        cols["step"].append(np.full(tau.size, step))
        cols["count"].append(np.full(tau.size, count))
        cols["qc"].append(qc0 + qc)
        cols["qd"].append(qd0 + qd)

    for k in range(1, n + 1):
        rate = float(c_rates[k - 1])
        q_cath = capacity_ah * (1.0 - fade_per_cycle) ** (k - 1)
        q_rate = q_cath / (1.0 + (rate / c_half_t) ** rate_exponent)
        q_li = capacity_ah * (1.0 + np_ratio) - lost
        q_d = max(min(q_rate, q_li), 0.0)
        q_c = q_d / cathode_ce
        q_charge.append(q_c)
        q_discharge.append(q_d)
        lost += (1.0 - li_ce) * q_d
        # charge: CC then CV
        i_cc = (charge_c_rate if charge_c_rate is not None else rate) * capacity_ah
        q_cv = i_cc * tau_cv_s * (1.0 - cv_cutoff_fraction) / 3600.0
        q_cv = min(q_cv, 0.5 * q_c)
        ratio = 1.0 - q_cv * 3600.0 / (i_cc * tau_cv_s)
        t_cv = -tau_cv_s * math.log(ratio)
        t_cc = (q_c - q_cv) * 3600.0 / i_cc
        tau = np.linspace(0.0, t_cc, points_per_step)
        q = i_cc * tau / 3600.0
        y = y_hi - (y_hi - y_lo) * q / capacity_ah
        v = ocv(material, y) + i_cc * r_t + eta_t * (1 - np.exp(-tau / 60.0))
        add(tau, np.minimum(v, v_max), np.full(tau.size, i_cc), q, 0 * q, k, 1)
        t0 += t_cc
        qc0 += q[-1]
        tau = np.linspace(0.0, t_cv, points_per_step)
        i = i_cc * np.exp(-tau / tau_cv_s)
        q = i_cc * tau_cv_s * (1 - np.exp(-tau / tau_cv_s)) / 3600.0
        add(tau, np.full(tau.size, v_max), i, q, 0 * q, k, 2)
        t0 += t_cv
        qc0 += q[-1]
        y_top = y_hi - (y_hi - y_lo) * q_c / capacity_ah
        tau = np.linspace(0.0, rest_s, 11)
        add(
            tau,
            np.full(tau.size, float(ocv(material, np.array([y_top]))[0])),
            0 * tau,
            0 * tau,
            0 * tau,
            k,
            3,
        )
        t0 += rest_s
        # discharge: CC
        i_d = rate * capacity_ah
        t_d = q_d * 3600.0 / i_d
        tau = np.linspace(0.0, t_d, points_per_step)
        q = i_d * tau / 3600.0
        y = y_top + (y_hi - y_lo) * q / capacity_ah
        v = ocv(material, y) - i_d * r_t - eta_t * (1 - np.exp(-tau / 60.0))
        add(tau, v, np.full(tau.size, -i_d), 0 * q, q, k, 4)
        t0 += t_d
        qd0 += q[-1]
        tau = np.linspace(0.0, rest_s, 11)
        add(
            tau,
            np.full(
                tau.size,
                float(ocv(material, np.array([y_top + (y_hi - y_lo) * q_d / capacity_ah]))[0]),
            ),
            0 * tau,
            0 * tau,
            0 * tau,
            k,
            5,
        )
        t0 += rest_s
    cat = {k: np.concatenate(v) for k, v in cols.items()}
    voltage = cat["v"] + rng.normal(0.0, noise_v, cat["v"].size)
    columns = {
        "test_time_second": cat["t"],
        "voltage_volt": voltage,
        "current_ampere": cat["i"],
        "cycle_count": cat["cycle"],
        "step_count": cat["count"],
        "step_id": cat["step"],
        "charging_capacity_ah": cat["qc"],
        "discharging_capacity_ah": cat["qd"],
    }
    utilisation = min(q_discharge[0] / capacity_ah, 1.0) if q_discharge[0] > 0 else 1.0
    exhaustion = (
        cycles_to_li_exhaustion(li_ce, np_ratio, utilisation=utilisation) if li_ce < 1 else math.inf
    )
    truth = CyclingTruth(
        charge_capacity_ah=tuple(q_charge),
        discharge_capacity_ah=tuple(q_discharge),
        c_rates=tuple(float(c) for c in c_rates),
        li_exhaustion_cycle=exhaustion,
        resistance_ohm=r_t,
        temperature_c=temperature_c,
        nominal_capacity_ah=capacity_ah,
    )
    meta = _meta(
        "GCPL",
        (f"{material}/Li {technique_note} at {temperature_c} degC",),
        {"seed": seed, "material": material, "capacity_ah": capacity_ah},
    )
    return _recording(columns, meta), truth


def cathode_li_cycling(
    *,
    material: Material = "NCM811",
    capacity_ah: float = 3e-3,
    n_cycles: int = 50,
    c_rate: float = 0.5,
    charge_c_rate: float | None = None,
    fade_per_cycle: float = 5e-4,
    li_ce: float = 0.995,
    np_ratio: float = 2.0,
    cathode_ce: float = 0.998,
    resistance_ohm: float = 10.0,
    polarisation_v: float = 0.02,
    activation_energy_j_mol: float = 30e3,
    temperature_c: float = 25.0,
    c_half: float = 3.0,
    rate_exponent: float = 2.0,
    v_max: float = 4.3,
    tau_cv_s: float = 1200.0,
    cv_cutoff_fraction: float = 0.05,
    rest_s: float = 600.0,
    noise_v: float = 5e-4,
    points_per_step: int = 60,
    seed: int = 0,
) -> tuple[Recording, CyclingTruth]:
    """Simulate CC-CV/CC cycling of a cathode against Li metal (module docstring).

    Parameters
    ----------
    material : {"NCM811", "LiCoO2"}
        Cathode whose OCV curve is used.
    capacity_ah : float
        Cathode capacity at cycle 1 (defines 1 C), Ah.
    n_cycles : int
        Number of cycles.
    c_rate : float
        Discharge C-rate (also the charge rate unless ``charge_c_rate`` is given).
    charge_c_rate : float, optional
        CC charge C-rate.
    fade_per_cycle : float
        Fractional cathode capacity loss per cycle.
    li_ce : float
        Coulombic efficiency of Li plating/stripping on the Li anode, fraction.
    np_ratio : float
        Li anode over cathode capacity.
    cathode_ce : float
        Discharge/charge capacity ratio of each cycle.
    resistance_ohm : float
        Ohmic resistance at 25 °C, Ω.
    polarisation_v : float
        Polarisation overpotential at 25 °C, V.
    activation_energy_j_mol : float
        Activation energy of resistance and polarisation, J/mol.
    temperature_c : float
        Test temperature, °C.
    c_half, rate_exponent : float
        Empirical rate-capability parameters at 25 °C (capacity halves at ``c_half``).
    v_max : float
        CV voltage, V.
    tau_cv_s : float
        Decay time of the CV current, s.
    cv_cutoff_fraction : float
        CV ends at this fraction of the CC current.
    rest_s : float
        Rest after each half-cycle, s.
    noise_v : float
        Voltage noise, V.
    points_per_step : int
        Rows per charge/discharge step.
    seed : int
        Seed of the noise generator.

    Returns
    -------
    Recording
        Time, voltage, current, cycle/step counters, cumulative capacities (simulated).
    CyclingTruth
        Capacities of every cycle and the Li-exhaustion cycle.
    """
    return _simulate(
        material=material,
        capacity_ah=capacity_ah,
        c_rates=[c_rate] * n_cycles,
        charge_c_rate=charge_c_rate,
        fade_per_cycle=fade_per_cycle,
        li_ce=li_ce,
        np_ratio=np_ratio,
        cathode_ce=cathode_ce,
        resistance_ohm=resistance_ohm,
        polarisation_v=polarisation_v,
        activation_energy_j_mol=activation_energy_j_mol,
        temperature_c=temperature_c,
        c_half=c_half,
        rate_exponent=rate_exponent,
        v_max=v_max,
        tau_cv_s=tau_cv_s,
        cv_cutoff_fraction=cv_cutoff_fraction,
        rest_s=rest_s,
        noise_v=noise_v,
        points_per_step=points_per_step,
        seed=seed,
        technique_note=f"cycling at {c_rate} C",
    )


def rate_capability(
    *,
    material: Material = "NCM811",
    capacity_ah: float = 3e-3,
    c_rates: Sequence[float] = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 0.1),
    cycles_per_rate: int = 5,
    charge_c_rate: float = 0.2,
    temperature_c: float = 25.0,
    seed: int = 0,
    **kwargs: float,
) -> tuple[Recording, CyclingTruth]:
    """Simulate a rate-capability protocol: ``cycles_per_rate`` cycles at each discharge rate.

    Parameters
    ----------
    material : {"NCM811", "LiCoO2"}
        Cathode.
    capacity_ah : float
        Cathode capacity (defines 1 C), Ah.
    c_rates : sequence of float
        Discharge C-rates in order.
    cycles_per_rate : int
        Cycles at each rate.
    charge_c_rate : float
        CC charge C-rate of every cycle.
    temperature_c : float
        Test temperature, °C.
    seed : int
        Seed of the noise generator.
    **kwargs : float
        Other parameters of :func:`cathode_li_cycling` (resistances, fade, CE, ...).

    Returns
    -------
    Recording
        The whole protocol (simulated).
    CyclingTruth
        Capacities of every cycle and the C-rate of each.
    """
    params: dict[str, float] = {
        "fade_per_cycle": 5e-4,
        "li_ce": 0.995,
        "np_ratio": 2.0,
        "cathode_ce": 0.998,
        "resistance_ohm": 10.0,
        "polarisation_v": 0.02,
        "activation_energy_j_mol": 30e3,
        "c_half": 3.0,
        "rate_exponent": 2.0,
        "v_max": 4.3,
        "tau_cv_s": 1200.0,
        "cv_cutoff_fraction": 0.05,
        "rest_s": 600.0,
        "noise_v": 5e-4,
    }
    unknown = set(kwargs) - set(params)
    if unknown:
        raise TypeError(f"unknown parameters {sorted(unknown)}")
    params.update(kwargs)
    rates = [float(c) for c in c_rates for _ in range(cycles_per_rate)]
    return _simulate(
        material=material,
        capacity_ah=capacity_ah,
        c_rates=rates,
        charge_c_rate=charge_c_rate,
        points_per_step=60,
        seed=seed,
        technique_note="rate capability " + "/".join(f"{c:g}" for c in c_rates) + " C",
        temperature_c=temperature_c,
        **params,
    )
