"""Simulated ARC heat-wait-search run of a cell, through :mod:`elyte.thermal`'s runaway model.

:func:`simulate_arc` runs :func:`elyte.thermal.simulate_hws` (the seed's protocol by default:
40 → 250 °C, 5 °C steps, 0.03 °C/min detection) on the parameter set's model, optionally adds
thermocouple noise to the logged temperature, and returns the run (whose
:meth:`~elyte.thermal.HwsSimulation.write_csv` writes the ARC export, marked simulated)
with the ground truth: the instrument's detection temperature (T_onset) and the model's
own first crossing of the thermal-runaway criterion while the exotherm is tracked (T_tr).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from elyte.errors import ElyteError
from elyte.virtual.params import ElectrolyteParams

__all__ = ["ArcTruth", "simulate_arc"]


@dataclass(frozen=True)
class ArcTruth:
    """Ground truth of a simulated ARC run.

    Attributes
    ----------
    model : str
        Name of the runaway model.
    onset_c : float or None
        Temperature of the first exotherm detection (T_onset), °C.
    tr_c : float or None
        Where the model's self-heating rate first reaches ``criterion_c_min`` while the
        exotherm is tracked (T_tr), °C.
    criterion_c_min : float
        Thermal-runaway criterion, °C/min.
    max_temperature_c : float
        Highest logged temperature, °C.
    reported_onset_c, reported_tr_c : float
        The seed's values for comparison (NaN when the set has none), °C.
    noise_c : float
        Standard deviation of the temperature noise added, °C.
    """

    model: str
    onset_c: float | None
    tr_c: float | None
    criterion_c_min: float
    max_temperature_c: float
    reported_onset_c: float = math.nan
    reported_tr_c: float = math.nan
    noise_c: float = 0.0


def simulate_arc(
    params: ElectrolyteParams | Any,
    protocol: Any = None,
    *,
    criterion_c_min: float | None = None,
    noise_c: float = 0.0,
    seed: int | np.random.Generator = 0,
) -> tuple[Any, ArcTruth]:
    """Heat-wait-search run of the parameter set's (or a given) runaway model.

    Parameters
    ----------
    params : ElectrolyteParams or elyte.thermal.RunawayModel
        The electrolyte (its ``arc`` section names the model) or a model.
    protocol : elyte.thermal.HwsProtocol, optional
        Controller settings (default: the seed's).
    criterion_c_min : float, optional
        Thermal-runaway criterion, °C/min (default: the set's, else 1).
    noise_c : float
        Standard deviation of Gaussian noise added to the logged temperature, °C (0: none).
    seed : int or numpy.random.Generator
        Random seed of the noise.

    Returns
    -------
    (elyte.thermal.HwsSimulation, ArcTruth)
        The run (noise included in ``temperature_c``) and its truth.
    """
    from elyte.thermal import RunawayModel, simulate_hws

    if isinstance(params, ElectrolyteParams):
        model = params.arc.model()
        crit = params.arc.criterion_c_min if criterion_c_min is None else criterion_c_min
        reported = (params.arc.t_onset_c, params.arc.t_tr_c)
    elif isinstance(params, RunawayModel):
        model = params
        crit = 1.0 if criterion_c_min is None else criterion_c_min
        reported = (math.nan, math.nan)
    else:
        raise ElyteError(f"expected ElectrolyteParams or RunawayModel, not {type(params).__name__}")
    if not (noise_c >= 0 and crit > 0):
        raise ElyteError("noise_c must be >= 0 and the criterion > 0")
    watch = sorted({0.03, 1.0, 60.0, float(crit)})
    sim = simulate_hws(model, protocol, watch_rates_c_min=watch)
    if noise_c > 0:
        rng = np.random.default_rng(seed)
        noisy = sim.temperature_c + noise_c * rng.standard_normal(sim.temperature_c.size)
        sim = replace(sim, temperature_c=noisy)
    truth = ArcTruth(
        model=model.name,
        onset_c=sim.first_detection_c,
        tr_c=sim.truth_for(float(crit)).observable_c,
        criterion_c_min=float(crit),
        max_temperature_c=float(np.max(sim.temperature_c)),
        reported_onset_c=float(reported[0]),
        reported_tr_c=float(reported[1]),
        noise_c=float(noise_c),
    )
    return sim, truth
