"""Generated voltammograms whose onset potentials are known in closed form.

:func:`sweep` samples a piecewise-linear potential program (an LSV is two vertices, a CV
more) at a fixed time step and computes the current from a function ``j(E, direction)``
given by the test, in mA/cm², times the area. The tests build ``j`` from a capacitive term
``C·v`` (sign of the sweep), a leakage line and Tafel-like exponentials
``j0·exp((E - E0)/b)``; the threshold crossing of the exponential alone is analytic:
``E_on = E0 + b·ln(j_th/j0)``, which is the golden value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import polars as pl

from elyte.recording import Recording, RecordingMeta

#: j(E, direction, sweep_number) in mA/cm²; direction is +1 (anodic) or -1 (cathodic).
CurrentModel = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def sweep(
    vertices: Sequence[float],
    *,
    rate_mv_s: float,
    dt_s: float,
    model: CurrentModel,
    area_cm2: float = 1.0,
    noise_ma_cm2: float = 0.0,
    seed: int = 0,
    t0: float = 0.0,
) -> Recording:
    """Sample a potential program through ``vertices`` (V) at ``rate_mv_s`` every ``dt_s``.

    The sweep number passed to the model counts sweeps from 1 in time order.
    """
    rate = rate_mv_s / 1000.0
    legs = np.abs(np.diff(np.asarray(vertices, dtype=float))) / rate  # seconds per sweep
    total = float(legs.sum())
    t = np.arange(0.0, total + dt_s / 2, dt_s)
    bounds = np.concatenate([[0.0], np.cumsum(legs)])
    leg = np.clip(np.searchsorted(bounds, t, side="right") - 1, 0, len(legs) - 1)
    start_v = np.asarray(vertices, dtype=float)[leg]
    direction = np.sign(np.diff(np.asarray(vertices, dtype=float)))[leg]
    e = start_v + direction * rate * (t - bounds[leg])
    j = model(e, direction, leg + 1)
    if noise_ma_cm2:
        j = j + np.random.default_rng(seed).normal(0.0, noise_ma_cm2, j.size)
    frame = pl.DataFrame(
        {
            "test_time_second": t + t0,
            "voltage_volt": e,
            "current_ampere": j * area_cm2 / 1000.0,
        }
    )
    return Recording(frame, RecordingMeta(instrument="simulated", format="none", simulated=True))


def tafel(j0: float, e0: float, b: float) -> Callable[[np.ndarray], np.ndarray]:
    """Oxidation current density ``j0·exp((E - E0)/b)``, mA/cm²."""
    return lambda e: j0 * np.exp((e - e0) / b)


def onset(j0: float, e0: float, b: float, j_th: float) -> float:
    """Potential where ``j0·exp((E - E0)/b)`` equals ``j_th``, V."""
    return float(e0 + b * np.log(j_th / j0))
