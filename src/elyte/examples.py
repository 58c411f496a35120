"""Small simulated recordings to try elyte on without an instrument file.

These are deliberately simple (an empirical open-circuit curve plus an ohmic drop); the
virtual lab will replace them with physically parameterised simulators. Every recording
made here is marked ``simulated`` in its metadata.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from elyte.recording import Recording, RecordingMeta
from elyte.schema import CANONICAL

__all__ = ["galvanostatic_example"]


def _ocv_ncm(x: np.ndarray) -> np.ndarray:
    """Illustrative open-circuit voltage of a layered oxide vs Li, V, at lithiation ``x``.

    ``x`` = 0 is the charged (delithiated) end. Empirical shape only, not a fitted model.
    """
    return 4.25 - 0.95 * x - 0.12 * np.exp(-30.0 * x) - 0.45 * np.exp(-18.0 * (1.0 - x))


def galvanostatic_example(
    *,
    cycles: int = 3,
    capacity_ah: float = 4.0e-3,
    current_a: float = 2.0e-3,
    resistance_ohm: float = 15.0,
    fade_per_cycle: float = 0.01,
    dt_s: float = 10.0,
    seed: int = 0,
) -> Recording:
    """Simulate constant-current cycling of a cathode/Li coin cell.

    Each cycle: charge at ``current_a`` until the cycle's accessible capacity has passed, rest
    10 min, discharge the same capacity at ``-current_a``, rest 10 min (capacity-limited steps,
    not voltage cut-offs). The accessible capacity shrinks by ``fade_per_cycle`` each cycle.

    Parameters
    ----------
    cycles : int
        Number of charge/discharge cycles.
    capacity_ah : float, Ah
        Accessible capacity in the first cycle.
    current_a : float, A
        Magnitude of the charge and discharge current.
    resistance_ohm : float, ohm
        Ohmic resistance (voltage drop I·R).
    fade_per_cycle : float
        Fractional capacity loss per cycle.
    dt_s : float, s
        Sampling interval.
    seed : int
        Seed of the voltage noise (0.5 mV standard deviation).

    Returns
    -------
    Recording
        Canonical columns (test time, voltage, current, cycle and step counters, per-step and
        cumulative capacities), ``meta.simulated`` true.
    """
    rng = np.random.default_rng(seed)
    pieces: list[dict[str, np.ndarray]] = []
    t0 = 0.0
    step_count = 0
    for cycle in range(1, cycles + 1):
        q_cycle = capacity_ah * (1.0 - fade_per_cycle) ** (cycle - 1)
        duration = q_cycle / current_a * 3600.0
        for step_id, sign in ((1, 1.0), (2, 0.0), (3, -1.0), (4, 0.0)):
            step_count += 1
            n = int(duration / dt_s) if sign else int(600.0 / dt_s)
            t = np.arange(1, n + 1) * dt_s
            q = current_a * t / 3600.0 if sign else np.zeros(n)
            if sign > 0:  # charging delithiates the cathode: x from 1 to ~0
                x = 1.0 - q / capacity_ah
                v = _ocv_ncm(x) + current_a * resistance_ohm
            elif sign < 0:
                x = (capacity_ah - q_cycle) / capacity_ah + q / capacity_ah
                v = _ocv_ncm(x) - current_a * resistance_ohm
            else:
                x_rest = 1.0 - q_cycle / capacity_ah if step_id == 2 else 1.0
                v = np.full(n, _ocv_ncm(np.array([x_rest]))[0])
            pieces.append(
                {
                    "test_time_second": t0 + t,
                    "voltage_volt": v + rng.normal(0.0, 5e-4, n),
                    "current_ampere": np.full(n, sign * current_a),
                    "cycle_count": np.full(n, cycle),
                    "step_count": np.full(n, step_count),
                    "step_id": np.full(n, step_id),
                    "step_charging_capacity_ah": q if sign > 0 else np.zeros(n),
                    "step_discharging_capacity_ah": q if sign < 0 else np.zeros(n),
                }
            )
            t0 += n * dt_s
    frame = pl.DataFrame({k: np.concatenate([p[k] for p in pieces]) for k in pieces[0]})
    frame = frame.with_columns(
        pl.col("cycle_count", "step_count", "step_id").cast(pl.Int64),
        (
            pl.col("step_charging_capacity_ah").diff().clip(lower_bound=0).fill_null(0).cum_sum()
        ).alias("charging_capacity_ah"),
        (
            pl.col("step_discharging_capacity_ah").diff().clip(lower_bound=0).fill_null(0).cum_sum()
        ).alias("discharging_capacity_ah"),
    )
    meta = RecordingMeta(
        instrument="elyte example generator",
        format="simulated",
        techniques=("GCPL",),
        units={c: CANONICAL[c].unit for c in frame.columns},
        notes=("simulated: illustrative open-circuit curve, ohmic drop, 1 %/cycle fade",),
        simulated=True,
        vendor={"capacity_ah": capacity_ah, "current_a": current_a, "cycles": cycles},
    )
    return Recording(frame, meta)
