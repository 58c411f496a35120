"""Simulated impedance spectra: SS|E|SS at temperature, Li‖Li at temperatures, cycled cells.

Every spectrum is an equivalent circuit evaluated with :class:`elyte.impedance.Circuit`
(so the element definitions are the ones the fits use) plus noise: each point is multiplied
by ``1 + ε(n' + j·n″)`` with ``n', n″`` standard normal and ``ε = noise`` (a relative error,
as a frequency-response analyser has), drawn from ``numpy.random.default_rng(seed)``.

Cells (all frequencies log-spaced from ``f_max`` down to ``f_min``, the seed's 7 MHz to
100 mHz for the blocking cell):

``simulate_blocking_eis``
    SS|E|SS: ``L0-R_lead-p(R_b,C_geo)-CPE_dl``. ``R_b = K/sigma`` with the cell constant
    ``K = L/A``; ``C_geo = ε0·εr·A/L``; the blocking double layer is a CPE; ``L0`` is the
    lead inductance.
``simulate_li_li_eis``
    Li‖Li: ``L0-R0-p(R_SEI,CPE_SEI)-p(R_ct,CPE_dl)``; :func:`li_li_temperature_series` takes
    ``R_b(T)`` from sigma(T), ``R_SEI(T)`` and ``R_ct(T)`` from their activation energies.
``simulate_cycled_eis``
    cathode/Li after N cycles: ``L0-R0-p(R_SEI,CPE_SEI)-p(R_ct,CPE_dl)-W1`` with the
    interfacial resistance ``R_SEI + R_ct`` following
    :class:`~elyte.virtual.params.InterfaceGrowth`,
    all sweeps in one recording (``cycle_count`` = N).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from elyte.errors import ElyteError
from elyte.impedance import Circuit
from elyte.recording import Recording, RecordingMeta
from elyte.virtual.params import ElectrolyteParams

__all__ = [
    "BlockingTruth",
    "CycledTruth",
    "LiLiTruth",
    "blocking_temperature_series",
    "frequencies",
    "li_li_temperature_series",
    "simulate_blocking_eis",
    "simulate_cycled_eis",
    "simulate_li_li_eis",
]

Array = npt.NDArray[np.float64]

BLOCKING_CIRCUIT = "L0-R_lead-p(R_b,C_geo)-CPE_dl"
LI_LI_CIRCUIT = "L0-R0-p(R_SEI,CPE_SEI)-p(R_ct,CPE_dl)"
CYCLED_CIRCUIT = "L0-R0-p(R_SEI,CPE_SEI)-p(R_ct,CPE_dl)-W1"

_SIM_NOTE = "simulated by elyte.virtual (not a measurement)"


def frequencies(f_max_hz: float, f_min_hz: float, points_per_decade: int = 10) -> Array:
    """Log-spaced frequencies from ``f_max_hz`` down to ``f_min_hz`` (both included), Hz."""
    if not (f_max_hz > f_min_hz > 0) or points_per_decade < 1:
        raise ElyteError("frequencies need f_max > f_min > 0 and points_per_decade >= 1")
    n = round(np.log10(f_max_hz / f_min_hz) * points_per_decade) + 1
    return np.asarray(np.logspace(np.log10(f_max_hz), np.log10(f_min_hz), n), dtype=float)


def _noisy(z: npt.NDArray[np.complex128], noise: float, rng: np.random.Generator) -> Any:
    if noise < 0:
        raise ElyteError(f"noise must be >= 0, not {noise}")
    eps = rng.standard_normal((2, z.size))
    return z * (1.0 + noise * (eps[0] + 1j * eps[1]))


def _eis_frame(
    f: Array, z: Any, temperature_c: float, *, cycle: int = 0, t0_s: float = 0.0
) -> pl.DataFrame:
    # one point per second of acquisition (a nominal clock: the simulation has no timing)
    n = f.size
    return pl.DataFrame(
        {
            "test_time_second": t0_s + np.arange(n, dtype=float),
            "voltage_volt": np.zeros(n),
            "current_ampere": np.zeros(n),
            "cycle_count": np.full(n, cycle, dtype=np.int64),
            "frequency_hertz": f,
            "real_impedance_ohm": z.real,
            "imaginary_impedance_ohm": z.imag,
            "temperature_t1_celsius": np.full(n, float(temperature_c)),
        }
    )


def eis_recording(
    frame: pl.DataFrame, *, notes: Sequence[str], vendor: Mapping[str, Any], technique: str = "PEIS"
) -> Recording:
    """Wrap simulated columns as a :class:`Recording` marked simulated."""
    meta = RecordingMeta(
        instrument="elyte virtual lab",
        format="simulated",
        techniques=(technique,),
        notes=(_SIM_NOTE, *notes),
        simulated=True,
        vendor=dict(vendor),
    )
    return Recording(frame, meta)


# --------------------------------------------------------------------------- SS|E|SS
@dataclass(frozen=True)
class BlockingTruth:
    """Ground truth of a simulated SS|E|SS spectrum.

    Attributes
    ----------
    sigma_s_cm : float
        Conductivity, S/cm.
    bulk_resistance_ohm : float
        ``R_b = K/sigma``, ohm.
    cell_constant_per_cm, thickness_um, area_cm2 : float
        Geometry (cm⁻¹, µm, cm²).
    temperature_c : float
        Temperature, °C.
    circuit : str
        The circuit evaluated.
    parameters : dict of str to float
        Its parameters (SI units).
    noise : float
        Relative noise.
    """

    sigma_s_cm: float
    bulk_resistance_ohm: float
    cell_constant_per_cm: float
    thickness_um: float
    area_cm2: float
    temperature_c: float
    circuit: str
    parameters: Mapping[str, float] = field(default_factory=dict)
    noise: float = 0.0


def simulate_blocking_eis(
    sigma_s_cm: float,
    *,
    thickness_um: float = 260.0,
    area_cm2: float = 2.0106,
    temperature_c: float = 30.0,
    eps_r: float = 20.0,
    q_dl: float = 1.0e-5,
    alpha_dl: float = 0.9,
    inductance_h: float = 2.0e-8,
    lead_ohm: float = 0.0,
    f_max_hz: float = 7.0e6,
    f_min_hz: float = 0.1,
    points_per_decade: int = 10,
    noise: float = 0.002,
    seed: int | np.random.Generator = 0,
) -> tuple[Recording, BlockingTruth]:
    """SS|E|SS impedance of an electrolyte of conductivity ``sigma_s_cm`` (S/cm).

    Parameters
    ----------
    sigma_s_cm : float
        Ionic conductivity at the temperature of the sweep, S/cm.
    thickness_um, area_cm2 : float
        Separator thickness (µm) and electrode area (cm²); ``K = L/A``.
    temperature_c : float
        Temperature written with the sweep, °C.
    eps_r : float
        Effective relative permittivity (``C_geo = ε0·εr·A/L``).
    q_dl, alpha_dl : float
        Blocking double-layer CPE (``ohm^-1 s^alpha``, exponent).
    inductance_h, lead_ohm : float
        Lead inductance (H) and lead resistance (ohm; included in what R_b-graphical sees).
    f_max_hz, f_min_hz, points_per_decade
        Sweep (default 7 MHz to 100 mHz, 10 per decade).
    noise : float
        Relative noise of each point.
    seed : int or numpy.random.Generator
        Random seed.

    Returns
    -------
    (Recording, BlockingTruth)
    """
    if not (sigma_s_cm > 0 and thickness_um > 0 and area_cm2 > 0):
        raise ElyteError("sigma_s_cm, thickness_um and area_cm2 must be > 0")
    rng = np.random.default_rng(seed)
    k = thickness_um * 1e-4 / area_cm2
    r_b = k / sigma_s_cm
    c_geo = 8.8541878128e-14 * eps_r / k
    params = {
        "L0": inductance_h,
        "R_lead": lead_ohm,
        "R_b": r_b,
        "C_geo": c_geo,
        "CPE_dl_Q": q_dl,
        "CPE_dl_alpha": alpha_dl,
    }
    circuit = Circuit(BLOCKING_CIRCUIT)
    f = frequencies(f_max_hz, f_min_hz, points_per_decade)
    z = _noisy(circuit.impedance(f, [params[n] for n in circuit.parameter_names]), noise, rng)
    truth = BlockingTruth(
        sigma_s_cm=float(sigma_s_cm),
        bulk_resistance_ohm=float(r_b),
        cell_constant_per_cm=float(k),
        thickness_um=float(thickness_um),
        area_cm2=float(area_cm2),
        temperature_c=float(temperature_c),
        circuit=BLOCKING_CIRCUIT,
        parameters=params,
        noise=float(noise),
    )
    rec = eis_recording(
        _eis_frame(f, z, temperature_c),
        notes=(
            f"SS|E|SS at {temperature_c:g} degC: sigma = {sigma_s_cm:.6g} S/cm, "
            f"K = L/A = {k:.6g} 1/cm, R_b = {r_b:.6g} ohm ({BLOCKING_CIRCUIT})",
        ),
        vendor={
            "simulation": "SS|E|SS impedance",
            "thickness_um": thickness_um,
            "area_cm2": area_cm2,
        },
    )
    return rec, truth


def blocking_temperature_series(
    params: ElectrolyteParams,
    temperatures_c: Sequence[float] = (-10.0, 0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0),
    *,
    noise: float = 0.002,
    seed: int = 0,
    **options: Any,
) -> list[tuple[Recording, BlockingTruth]]:
    """SS|E|SS spectra of a parameter set at several temperatures (sigma from its law).

    Sweep ``i`` uses the seed ``seed + i``; ``options`` go to :func:`simulate_blocking_eis`.
    """
    out = []
    for i, t in enumerate(temperatures_c):
        out.append(
            simulate_blocking_eis(
                params.conductivity.sigma_s_cm(float(t)),
                thickness_um=params.cell.thickness_um,
                area_cm2=params.cell.area_cm2,
                eps_r=params.cell.eps_r,
                temperature_c=float(t),
                noise=noise,
                seed=seed + i,
                **options,
            )
        )
    return out


# --------------------------------------------------------------------------- Li||Li
@dataclass(frozen=True)
class LiLiTruth:
    """Ground truth of a simulated Li‖Li spectrum (whole-cell resistances, ohm).

    Attributes
    ----------
    temperature_c : float
        Temperature, °C.
    bulk_ohm, r_sei_ohm, r_ct_ohm : float
        Bulk, SEI and charge-transfer resistances, ohm.
    circuit : str
        The circuit evaluated.
    parameters : dict of str to float
        Its parameters.
    sei_ea_j_mol, ct_ea_j_mol : float
        Activation energies used for the series (NaN for a single spectrum).
    """

    temperature_c: float
    bulk_ohm: float
    r_sei_ohm: float
    r_ct_ohm: float
    circuit: str
    parameters: Mapping[str, float] = field(default_factory=dict)
    sei_ea_j_mol: float = float("nan")
    ct_ea_j_mol: float = float("nan")

    @property
    def interfacial_ohm(self) -> float:
        """``R_SEI + R_ct``, ohm."""
        return self.r_sei_ohm + self.r_ct_ohm


def simulate_li_li_eis(
    bulk_ohm: float,
    r_sei_ohm: float,
    r_ct_ohm: float,
    *,
    temperature_c: float = 25.0,
    q_sei: float = 2.0e-6,
    alpha_sei: float = 0.9,
    q_dl: float = 5.0e-4,
    alpha_dl: float = 0.9,
    inductance_h: float = 2.0e-8,
    f_max_hz: float = 1.0e6,
    f_min_hz: float = 0.1,
    points_per_decade: int = 10,
    noise: float = 0.002,
    seed: int | np.random.Generator = 0,
    cycle: int = 0,
    t0_s: float = 0.0,
) -> tuple[Recording, LiLiTruth]:
    """Li‖Li impedance: bulk, SEI arc (high frequency) and charge-transfer arc.

    Parameters
    ----------
    bulk_ohm, r_sei_ohm, r_ct_ohm : float
        Whole-cell resistances, ohm.
    temperature_c : float
        Temperature written with the sweep, °C.
    q_sei, alpha_sei, q_dl, alpha_dl : float
        CPEs of the SEI and of the double layer.
    inductance_h : float
        Lead inductance, H.
    f_max_hz, f_min_hz, points_per_decade
        Sweep.
    noise : float
        Relative noise.
    seed : int or numpy.random.Generator
        Random seed.
    cycle, t0_s
        ``cycle_count`` and start time written with the sweep.

    Returns
    -------
    (Recording, LiLiTruth)
    """
    if min(bulk_ohm, r_sei_ohm, r_ct_ohm) <= 0:
        raise ElyteError("bulk_ohm, r_sei_ohm and r_ct_ohm must be > 0")
    rng = np.random.default_rng(seed)
    params = {
        "L0": inductance_h,
        "R0": bulk_ohm,
        "R_SEI": r_sei_ohm,
        "CPE_SEI_Q": q_sei,
        "CPE_SEI_alpha": alpha_sei,
        "R_ct": r_ct_ohm,
        "CPE_dl_Q": q_dl,
        "CPE_dl_alpha": alpha_dl,
    }
    circuit = Circuit(LI_LI_CIRCUIT)
    f = frequencies(f_max_hz, f_min_hz, points_per_decade)
    z = _noisy(circuit.impedance(f, [params[n] for n in circuit.parameter_names]), noise, rng)
    truth = LiLiTruth(
        temperature_c=float(temperature_c),
        bulk_ohm=float(bulk_ohm),
        r_sei_ohm=float(r_sei_ohm),
        r_ct_ohm=float(r_ct_ohm),
        circuit=LI_LI_CIRCUIT,
        parameters=params,
    )
    rec = eis_recording(
        _eis_frame(f, z, temperature_c, cycle=cycle, t0_s=t0_s),
        notes=(
            f"Li||Li at {temperature_c:g} degC: R_b = {bulk_ohm:.6g}, R_SEI = {r_sei_ohm:.6g}, "
            f"R_ct = {r_ct_ohm:.6g} ohm ({LI_LI_CIRCUIT})",
        ),
        vendor={"simulation": "Li||Li impedance"},
    )
    return rec, truth


def li_li_temperature_series(
    params: ElectrolyteParams,
    temperatures_c: Sequence[float] = (20.0, 30.0, 40.0, 50.0, 60.0),
    *,
    noise: float = 0.002,
    seed: int = 0,
    **options: Any,
) -> list[tuple[Recording, LiLiTruth]]:
    """Li‖Li spectra at several temperatures: R_b from sigma(T), R_SEI(T), R_ct(T) Arrhenius.

    Sweep ``i`` uses the seed ``seed + i``; ``options`` go to :func:`simulate_li_li_eis`.
    """
    out = []
    for i, t in enumerate(temperatures_c):
        t = float(t)
        rec, truth = simulate_li_li_eis(
            params.cell.cell_constant_per_cm / params.conductivity.sigma_s_cm(t),
            params.sei.r_sei_ohm(t),
            params.sei.r_ct_ohm(t),
            temperature_c=t,
            noise=noise,
            seed=seed + i,
            **options,
        )
        truth = LiLiTruth(
            **{
                **truth.__dict__,
                "sei_ea_j_mol": params.sei.ea_j_mol,
                "ct_ea_j_mol": params.sei.ea_ct_j_mol,
            }
        )
        out.append((rec, truth))
    return out


# --------------------------------------------------------------------------- cycled cell
@dataclass(frozen=True)
class CycledTruth:
    """Ground truth of simulated cathode/Li spectra after N cycles.

    Attributes
    ----------
    cycles : tuple of int
        Cycle numbers of the sweeps.
    interfacial_ohm : tuple of float
        ``R_SEI + R_ct`` at each cycle, ohm (the growth law).
    r_sei_ohm, r_ct_ohm : tuple of float
        The two parts, ohm.
    bulk_ohm : float
        Series resistance, ohm.
    circuit : str
        The circuit evaluated.
    """

    cycles: tuple[int, ...]
    interfacial_ohm: tuple[float, ...]
    r_sei_ohm: tuple[float, ...]
    r_ct_ohm: tuple[float, ...]
    bulk_ohm: float
    circuit: str


def simulate_cycled_eis(
    params: ElectrolyteParams,
    cycles: Sequence[int] = (1, 10, 20, 30, 50, 80),
    *,
    bulk_ohm: float = 3.0,
    sei_fraction: float = 0.4,
    temperature_c: float = 25.0,
    q_sei: float = 2.0e-6,
    alpha_sei: float = 0.9,
    q_dl: float = 2.0e-4,
    alpha_dl: float = 0.9,
    warburg: float = 5.0,
    inductance_h: float = 2.0e-8,
    f_max_hz: float = 1.0e6,
    f_min_hz: float = 0.1,
    points_per_decade: int = 10,
    noise: float = 0.002,
    seed: int | np.random.Generator = 0,
) -> tuple[Recording, CycledTruth]:
    """Cathode/Li spectra after each of ``cycles`` cycles, in one recording.

    The interfacial resistance follows ``params.growth``; ``sei_fraction`` of it is the SEI
    arc and the rest charge transfer (an assumption: the seed reports only the sum).
    ``warburg`` is the coefficient of the semi-infinite Warburg tail, ohm·s^-½.

    Returns
    -------
    (Recording, CycledTruth)
        One sweep per cycle; ``cycle_count`` holds the cycle number.
    """
    if not 0.0 < sei_fraction < 1.0:
        raise ElyteError(f"sei_fraction must lie in (0, 1), not {sei_fraction}")
    if not cycles or min(cycles) < 1:
        raise ElyteError("cycles must be a non-empty sequence of cycle numbers >= 1")
    rng = np.random.default_rng(seed)
    circuit = Circuit(CYCLED_CIRCUIT)
    f = frequencies(f_max_hz, f_min_hz, points_per_decade)
    frames, r_int, r_sei, r_ct = [], [], [], []
    for j, n in enumerate(cycles):
        r = params.growth.resistance_ohm(n)
        p = {
            "L0": inductance_h,
            "R0": bulk_ohm,
            "R_SEI": sei_fraction * r,
            "CPE_SEI_Q": q_sei,
            "CPE_SEI_alpha": alpha_sei,
            "R_ct": (1.0 - sei_fraction) * r,
            "CPE_dl_Q": q_dl,
            "CPE_dl_alpha": alpha_dl,
            "W1": warburg,
        }
        z = _noisy(circuit.impedance(f, [p[k] for k in circuit.parameter_names]), noise, rng)
        frames.append(_eis_frame(f, z, temperature_c, cycle=int(n), t0_s=j * 1.0e4))
        r_int.append(r)
        r_sei.append(p["R_SEI"])
        r_ct.append(p["R_ct"])
    truth = CycledTruth(
        cycles=tuple(int(n) for n in cycles),
        interfacial_ohm=tuple(r_int),
        r_sei_ohm=tuple(r_sei),
        r_ct_ohm=tuple(r_ct),
        bulk_ohm=float(bulk_ohm),
        circuit=CYCLED_CIRCUIT,
    )
    rec = eis_recording(
        pl.concat(frames),
        notes=(
            f"cathode/Li after cycles {list(truth.cycles)} ({params.name}): interfacial "
            "resistance from the parameter set's growth law; the split into SEI and charge "
            f"transfer ({sei_fraction:g}/{1 - sei_fraction:g}) is an assumption",
        ),
        vendor={"simulation": "cathode/Li impedance after N cycles", "electrolyte": params.name},
    )
    return rec, truth
