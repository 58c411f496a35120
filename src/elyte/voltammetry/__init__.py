"""Voltammetry: the electrochemical stability window from LSV and CV recordings.

:func:`anodic_stability` (and :func:`cathodic_stability`) find the onset potential of
electrolyte oxidation (reduction) in a sweep, by a current-density threshold held for ``k``
consecutive points or by tangent intersection, with an optional capacitive baseline;
:func:`find_sweeps` splits a CV into its sweeps; :mod:`elyte.voltammetry.plots` draws the
j-E curve with the onset marked (needs ``elyte[plot]``).
"""

from __future__ import annotations

from elyte.voltammetry.lsv import (
    DEFAULT_CONSECUTIVE,
    DEFAULT_THRESHOLD_MA_CM2,
    Baseline,
    BaselineFit,
    StabilityResult,
    SweepDirection,
    TangentOnset,
    VoltammetryError,
    anodic_stability,
    cathodic_stability,
    find_sweeps,
    stability_onset,
)

__all__ = [
    "DEFAULT_CONSECUTIVE",
    "DEFAULT_THRESHOLD_MA_CM2",
    "Baseline",
    "BaselineFit",
    "StabilityResult",
    "SweepDirection",
    "TangentOnset",
    "VoltammetryError",
    "anodic_stability",
    "cathodic_stability",
    "find_sweeps",
    "stability_onset",
]
