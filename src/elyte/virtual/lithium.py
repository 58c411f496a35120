"""Simulated Li-metal experiments: Li‖Cu modified-Aurbach protocol and Li‖Li cycling.

Both simulators sample piecewise-defined voltages on a regular time grid (plus the break
points of each step), with Gaussian voltage noise from a seeded :class:`numpy.random.Generator`.
Consecutive steps share their boundary time stamp (two rows at the same time, as an
instrument records a step change), so the cumulative capacities printed with the rows are
exactly ``|I| x duration`` per step.

Li‖Cu (:func:`li_cu_aurbach`) follows the seed's protocol ("2. Battery assembling and
testing", after Adams et al., Adv. Energy Mater. 8 (2018) 1702097): formation plating on bare
Cu and strip to the cut-off; reservoir plating Q1; ``n`` cycles of stripping then plating a
fixed capacity; final strip to the cut-off. The true CE is imposed through the final strip:
``Q4 = CE (Q1 + Q2) - Q3``, the seed's definition ``CE = (Q3 + Q4)/(Q1 + Q2)`` read
backwards. The Cu voltage vs Li shows a nucleation dip at the start of each plating on bare
Cu, plating and stripping plateaus (overpotentials), and a rise to the cut-off when the Cu is
stripped bare. Current sign: plating Li on the Cu working electrode is a reduction, negative
(EC-Lab's sign, which is also BDF's "discharge" of a Li‖Cu cell).

Li‖Li (:func:`li_li_cycling`) alternates plating and stripping half-cycles at one current
density. The overpotential of each half-cycle is ``η(t) = η0 + g t`` (plateau growing with
time as the SEI and dead Li accumulate) plus a decaying nucleation/initiation peak
``Δη exp(-τ/τ_peak)``; the voltage is ``sign(I) η``. An optional soft short (plateau falls to
a fraction and the noise rises) or hard short (voltage collapses to ~0) begins at a given
time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from elyte.recording import Recording, RecordingMeta
from elyte.schema import CANONICAL

__all__ = ["LiCuTruth", "LiLiTruth", "li_cu_aurbach", "li_li_cycling"]

#: 12 mm disk, cm².
DISK_12MM_CM2 = math.pi * 0.6**2


@dataclass(frozen=True)
class LiCuTruth:
    """Ground truth of a simulated modified-Aurbach test (charges in Ah).

    Attributes
    ----------
    ce : float
        ``(Q3 + Q4)/(Q1 + Q2)``, fraction.
    formation_ce : float
        Formation stripping / plating.
    q1_ah, q2_ah, q3_ah, q4_ah : float
        Reservoir, summed cycled plating, summed cycled stripping, final strip, Ah.
    n_cycles : int
        Cycles of the cycling segment.
    area_cm2 : float
        Cu area, cm².
    current_density_ma_cm2 : float
        Current density, mA/cm².
    cutoff_v : float
        Strip cut-off, V.
    """

    ce: float
    formation_ce: float
    q1_ah: float
    q2_ah: float
    q3_ah: float
    q4_ah: float
    n_cycles: int
    area_cm2: float
    current_density_ma_cm2: float
    cutoff_v: float


@dataclass(frozen=True)
class LiLiTruth:
    """Ground truth of a simulated Li‖Li galvanostatic test.

    Attributes
    ----------
    plateau_overpotential_v : tuple of float
        Noise-free plateau overpotential of every half-cycle (η at its midpoint), V.
    short : {"soft", "hard"} or None
        Kind of short imposed.
    short_time_s : float or None
        When it began, s.
    area_cm2 : float
        Electrode area, cm².
    current_density_ma_cm2 : float
        Current density, mA/cm².
    half_cycle_capacity_mah_cm2 : float
        Areal capacity of a half-cycle, mAh/cm².
    """

    plateau_overpotential_v: tuple[float, ...]
    short: Literal["soft", "hard"] | None
    short_time_s: float | None
    area_cm2: float
    current_density_ma_cm2: float
    half_cycle_capacity_mah_cm2: float


def _grid(duration: float, dt: float, breaks: list[float]) -> np.ndarray:
    base = np.arange(0.0, duration, dt)
    extra = [b for b in breaks if 0.0 < b < duration]
    return np.unique(np.concatenate([base, [duration], extra]))


def _meta(technique: str, notes: tuple[str, ...], vendor: dict[str, object]) -> RecordingMeta:
    return RecordingMeta(
        instrument="elyte virtual lab",
        format="simulated",
        techniques=(technique,),
        units={},
        notes=("simulated: " + notes[0], *notes[1:]),
        simulated=True,
        vendor=vendor,
    )


def _recording(columns: dict[str, np.ndarray], meta: RecordingMeta) -> Recording:
    frame = pl.DataFrame(columns).with_columns(
        pl.col(c).cast(pl.Int64) for c in ("cycle_count", "step_id", "step_count") if c in columns
    )
    units = {c: CANONICAL[c].unit for c in frame.columns}
    return Recording(
        frame,
        RecordingMeta(
            instrument=meta.instrument,
            format=meta.format,
            techniques=meta.techniques,
            units=units,
            notes=meta.notes,
            simulated=True,
            vendor=meta.vendor,
        ),
    )


def _cumulative(current: np.ndarray, tau: np.ndarray, steps: np.ndarray) -> dict[str, np.ndarray]:
    """Exact cumulative capacities for piecewise-constant current sampled per step.

    ``tau`` is the time since each step began; the step's charge at a row is ``|I| tau``.
    """
    q = np.abs(current) * tau / 3600.0
    out = {}
    for name, sign in (("charging_capacity_ah", 1.0), ("discharging_capacity_ah", -1.0)):
        mine = np.where(np.sign(current) == sign, q, 0.0)
        last = np.flatnonzero(np.concatenate([steps[1:] != steps[:-1], [True]]))
        per_step = mine[last]
        offset = np.concatenate([[0.0], np.cumsum(per_step)[:-1]])
        index = np.searchsorted(last, np.arange(steps.size))
        out[name] = mine + offset[index]
    return out


def li_cu_aurbach(
    *,
    ce: float = 0.99,
    formation_ce: float = 0.90,
    formation_mah_cm2: float = 5.0,
    reservoir_mah_cm2: float = 5.0,
    cycled_mah_cm2: float = 1.0,
    n_cycles: int = 10,
    current_density_ma_cm2: float = 0.5,
    area_cm2: float = DISK_12MM_CM2,
    cutoff_v: float = 1.0,
    nucleation_overpotential_v: float = 0.10,
    plating_overpotential_v: float = 0.030,
    bare_cu_overpotential_v: float = 0.040,
    stripping_overpotential_v: float = 0.030,
    noise_v: float = 5e-4,
    dt_s: float = 30.0,
    seed: int = 0,
) -> tuple[Recording, LiCuTruth]:
    """Simulate the seed's modified-Aurbach Li‖Cu protocol.

    Parameters
    ----------
    ce : float
        True average CE ``(Q3 + Q4)/(Q1 + Q2)``, fraction (0 < ce ≤ 1).
    formation_ce : float
        Fraction of the formation plating stripped back before the cut-off.
    formation_mah_cm2, reservoir_mah_cm2, cycled_mah_cm2 : float
        Formation, reservoir (Q1) and cycled capacities, mAh/cm².
    n_cycles : int
        Strip/plate cycles between reservoir and final strip.
    current_density_ma_cm2 : float
        Current density of every step, mA/cm².
    area_cm2 : float
        Cu area, cm² (default a 12 mm disk).
    cutoff_v : float
        Strip cut-off, V vs Li.
    nucleation_overpotential_v : float
        Depth of the nucleation dip below the bare-Cu plating plateau, V.
    plating_overpotential_v, bare_cu_overpotential_v, stripping_overpotential_v : float
        Plateau overpotentials: plating on Li, plating on bare Cu, stripping, V.
    noise_v : float
        Standard deviation of the voltage noise, V.
    dt_s : float
        Sampling interval, s.
    seed : int
        Seed of the noise generator.

    Returns
    -------
    Recording
        ``test_time_second``, ``voltage_volt``, ``current_ampere``, ``step_id``,
        ``step_count`` and cumulative capacities; ``meta.simulated`` true.
    LiCuTruth
        The charges and CE imposed.
    """
    if not 0.0 < ce <= 1.0 or not 0.0 < formation_ce <= 1.0:
        raise ValueError("ce and formation_ce must lie in (0, 1]")
    q2 = n_cycles * cycled_mah_cm2
    q3 = n_cycles * cycled_mah_cm2
    q4 = ce * (reservoir_mah_cm2 + q2) - q3
    if q4 <= 0:
        raise ValueError(f"ce={ce} leaves no lithium for the final strip (Q4 = {q4:.3g} mAh/cm²)")
    # (kind, capacity mAh/cm², to_cutoff, bare_cu, step_id)
    steps: list[tuple[str, float, bool, bool, int]] = [
        ("plating", formation_mah_cm2, False, True, 1),
        ("stripping", formation_ce * formation_mah_cm2, True, False, 2),
        ("plating", reservoir_mah_cm2, False, True, 3),
    ]
    for _ in range(n_cycles):
        steps += [("stripping", cycled_mah_cm2, False, False, 4)]
        steps += [("plating", cycled_mah_cm2, False, False, 5)]
    steps.append(("stripping", q4, True, False, 6))
    current_a = current_density_ma_cm2 * area_cm2 / 1000.0
    rng = np.random.default_rng(seed)
    t_tip, t_recover = 20.0, 60.0
    pieces: dict[str, list[np.ndarray]] = {k: [] for k in ("t", "tau", "v", "i", "n", "id")}
    t0 = 0.0
    for k, (kind, cap, to_cutoff, bare, step_id) in enumerate(steps):
        duration = cap / current_density_ma_cm2 * 3600.0
        if kind == "plating":
            plateau = -(bare_cu_overpotential_v if bare else plating_overpotential_v)
            if bare:
                xs = [0.0, t_tip, t_tip + t_recover, duration]
                ys = [0.1, plateau - nucleation_overpotential_v, plateau, plateau]
            else:
                xs, ys = [0.0, duration], [plateau, plateau]
            sign = -1.0
        else:
            s = stripping_overpotential_v
            if to_cutoff:
                rise = min(600.0, 0.05 * duration)
                xs = [0.0, duration - rise, duration - rise / 4, duration]
                ys = [s, 1.5 * s + 0.02, 0.3 * cutoff_v, cutoff_v]
            else:
                xs, ys = [0.0, duration], [s, s]
            sign = 1.0
        tau = _grid(duration, dt_s, xs)
        pieces["t"].append(t0 + tau)
        pieces["tau"].append(tau)
        pieces["v"].append(np.interp(tau, xs, ys))
        pieces["i"].append(np.full(tau.size, sign * current_a))
        pieces["n"].append(np.full(tau.size, k + 1))
        pieces["id"].append(np.full(tau.size, step_id))
        t0 += duration
    cat = {k: np.concatenate(v) for k, v in pieces.items()}
    voltage = cat["v"] + rng.normal(0.0, noise_v, cat["v"].size)
    # the cut-off is where the instrument stops the step: the last point reads it exactly
    ends = np.flatnonzero(np.concatenate([cat["n"][1:] != cat["n"][:-1], [True]]))
    cutoff_rows = ends[[1, len(steps) - 1]]
    voltage[cutoff_rows] = cutoff_v
    columns = {
        "test_time_second": cat["t"],
        "voltage_volt": voltage,
        "current_ampere": cat["i"],
        "step_count": cat["n"],
        "step_id": cat["id"],
        **_cumulative(cat["i"], cat["tau"], cat["n"]),
    }
    per_area = area_cm2 / 1000.0  # mAh/cm² → Ah
    truth = LiCuTruth(
        ce=ce,
        formation_ce=formation_ce,
        q1_ah=reservoir_mah_cm2 * per_area,
        q2_ah=q2 * per_area,
        q3_ah=q3 * per_area,
        q4_ah=q4 * per_area,
        n_cycles=n_cycles,
        area_cm2=area_cm2,
        current_density_ma_cm2=current_density_ma_cm2,
        cutoff_v=cutoff_v,
    )
    meta = _meta(
        "GCPL",
        (
            f"Li||Cu modified-Aurbach protocol, true CE {ce:.6f}, "
            f"{current_density_ma_cm2} mA/cm2, {n_cycles} cycles of {cycled_mah_cm2} mAh/cm2",
        ),
        {"seed": seed, "ce": ce, "area_cm2": area_cm2},
    )
    return _recording(columns, meta), truth


def li_li_cycling(
    *,
    n_cycles: int = 20,
    current_density_ma_cm2: float = 0.5,
    half_cycle_capacity_mah_cm2: float = 0.5,
    area_cm2: float = DISK_12MM_CM2,
    overpotential_v: float = 0.030,
    growth_v_per_h: float = 1e-4,
    peak_v: float = 0.010,
    peak_tau_s: float = 60.0,
    short: Literal["soft", "hard"] | None = None,
    short_time_h: float = 10.0,
    soft_short_fraction: float = 0.3,
    noise_v: float = 3e-4,
    dt_s: float = 30.0,
    seed: int = 0,
) -> tuple[Recording, LiLiTruth]:
    """Simulate galvanostatic Li‖Li cycling, optionally with a soft or hard short.

    Parameters
    ----------
    n_cycles : int
        Cycles (each a plating then a stripping half-cycle of the working electrode).
    current_density_ma_cm2 : float
        Current density, mA/cm².
    half_cycle_capacity_mah_cm2 : float
        Capacity of each half-cycle, mAh/cm².
    area_cm2 : float
        Electrode area, cm².
    overpotential_v : float
        Plateau overpotential at the start of the test, V.
    growth_v_per_h : float
        Linear growth of the overpotential with time, V/h.
    peak_v, peak_tau_s : float
        Height (V) and decay time (s) of the peak at the start of each half-cycle.
    short : {"soft", "hard"}, optional
        Short imposed from ``short_time_h`` on: soft (plateau times ``soft_short_fraction``,
        noise times 6) or hard (voltage ~0.5 mV).
    short_time_h : float
        Start of the short, h.
    soft_short_fraction : float
        Plateau left after a soft short, fraction.
    noise_v : float
        Standard deviation of the voltage noise, V.
    dt_s : float
        Sampling interval, s.
    seed : int
        Seed of the noise generator.

    Returns
    -------
    Recording
        Time, voltage, current, ``cycle_count``, ``step_id``, ``step_count``, cumulative
        capacities; ``meta.simulated`` true.
    LiLiTruth
        Plateau overpotential of each half-cycle and the imposed short.
    """
    current_a = current_density_ma_cm2 * area_cm2 / 1000.0
    half = half_cycle_capacity_mah_cm2 / current_density_ma_cm2 * 3600.0
    rng = np.random.default_rng(seed)
    n_half = 2 * n_cycles
    tau = _grid(half, dt_s, [])
    m = tau.size
    h = np.repeat(np.arange(n_half), m)
    tau_all = np.tile(tau, n_half)
    t = h * half + tau_all
    sign = np.where(h % 2 == 0, -1.0, 1.0)
    eta = overpotential_v + growth_v_per_h * t / 3600.0 + peak_v * np.exp(-tau_all / peak_tau_s)
    sigma = np.full(t.size, noise_v)
    t_short = short_time_h * 3600.0 if short is not None else None
    if short == "soft" and t_short is not None:
        after = t >= t_short
        eta = np.where(after, soft_short_fraction * eta, eta)
        sigma = np.where(after, 6.0 * noise_v, sigma)
    voltage = sign * eta + rng.normal(0.0, 1.0, t.size) * sigma
    if short == "hard" and t_short is not None:
        voltage = np.where(t >= t_short, sign * 5e-4, voltage)
    mid = (np.arange(n_half) + 0.5) * half
    plateau = overpotential_v + growth_v_per_h * mid / 3600.0
    if short == "soft" and t_short is not None:
        plateau = np.where(mid >= t_short, soft_short_fraction * plateau, plateau)
    elif short == "hard" and t_short is not None:
        plateau = np.where(mid >= t_short, 5e-4, plateau)
    current = sign * current_a
    columns = {
        "test_time_second": t,
        "voltage_volt": voltage,
        "current_ampere": current,
        "cycle_count": h // 2 + 1,
        "step_count": h + 1,
        "step_id": h % 2 + 1,
        **_cumulative(current, tau_all, h),
    }
    truth = LiLiTruth(
        plateau_overpotential_v=tuple(float(x) for x in plateau),
        short=short,
        short_time_s=t_short,
        area_cm2=area_cm2,
        current_density_ma_cm2=current_density_ma_cm2,
        half_cycle_capacity_mah_cm2=half_cycle_capacity_mah_cm2,
    )
    meta = _meta(
        "GCPL",
        (
            f"Li||Li galvanostatic cycling at {current_density_ma_cm2} mA/cm2, "
            f"{half_cycle_capacity_mah_cm2} mAh/cm2 per half-cycle, short={short}",
        ),
        {"seed": seed, "short": short, "short_time_h": short_time_h if short else None},
    )
    return _recording(columns, meta), truth
