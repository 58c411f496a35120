"""Galvanostatic cycling analysis: per-cycle metrics, retention and rate capability.

Start with :func:`summarize`, which needs a :class:`~elyte.recording.Recording`, a
:class:`CellSpec` and an explicit cycle definition, and returns a :class:`CycleTable` with
units and every convention recorded. The metric functions in :mod:`elyte.cycling.retention`
and :mod:`elyte.cycling.rate` work on that table; :func:`differential_capacity` gives dQ/dV
and dV/dQ; :mod:`elyte.cycling.plots` draws the usual figures (needs ``elyte[plot]``).
"""

from __future__ import annotations

from elyte.cycling.cell import CellSpec, WorkingElectrode
from elyte.cycling.differential import (
    DifferentialResult,
    differential_capacity,
    half_cycle_capacity,
)
from elyte.cycling.rate import RateCapability, detect_rate_blocks, rate_capability, rate_retention
from elyte.cycling.retention import (
    AverageCE,
    CyclesToThreshold,
    FadeRate,
    Retention,
    SuddenFailure,
    average_ce,
    capacity_retention,
    cycles_to_threshold,
    detect_sudden_failure,
    fade_rate,
    retention,
)
from elyte.cycling.segment import CycleDefinition, CyclingDataError, label_cycles
from elyte.cycling.summary import CapacityBasis, CycleTable, summarize

__all__ = [
    "AverageCE",
    "CapacityBasis",
    "CellSpec",
    "CycleDefinition",
    "CycleTable",
    "CyclesToThreshold",
    "CyclingDataError",
    "DifferentialResult",
    "FadeRate",
    "RateCapability",
    "Retention",
    "SuddenFailure",
    "WorkingElectrode",
    "average_ce",
    "capacity_retention",
    "cycles_to_threshold",
    "detect_rate_blocks",
    "detect_sudden_failure",
    "differential_capacity",
    "fade_rate",
    "half_cycle_capacity",
    "label_cycles",
    "rate_capability",
    "rate_retention",
    "retention",
    "summarize",
]
