"""Thermal safety: ARC heat-wait-search analysis, DSC analysis and a thermal-runaway model.

* :mod:`elyte.thermal.arc` — read an ARC export (:func:`read_arc`), segment it into heat,
  wait, search and exotherm (:func:`segment_arc`) and analyse it (:func:`analyse_arc`):
  self-heating rate, T_onset, T_tr at a criterion that is always stated (the seed's
  1 °C/min by default, Feng's 1 °C/s as an option), T_max, time to maximum rate, adiabatic
  rise with a φ-factor, zero-order Arrhenius fit.
* :mod:`elyte.thermal.dsc` — read a DSC export (:func:`read_dsc`) and analyse it
  (:func:`analyse_dsc`): baseline, onset by tangent intersection, peak temperature,
  enthalpy in J/g with the mass basis stated, Li melting as a temperature check.
* :mod:`elyte.thermal.runaway` — a lumped Arrhenius thermal-runaway model (Hatchard /
  Kim parameters, an NCM-type set, a Li-metal variant) driven by a heat-wait-search
  controller (:func:`simulate_hws`) that writes a synthetic ARC file (marked simulated).
* :mod:`elyte.thermal.literature` — the seed's Table S7 as data, normalised to one
  criterion where that can be done and flagged where it cannot.
* :mod:`elyte.thermal.plots` — temperature with modes shaded, log SHR with T_onset/T_tr,
  DSC with onsets and peaks (needs ``elyte[plot]``).
"""

from __future__ import annotations

from elyte.thermal.arc import (
    DEFAULT_CRITERION_C_MIN,
    DEFAULT_THRESHOLD_C_MIN,
    ArcRecording,
    ArcResult,
    ArrheniusFit,
    Exotherm,
    Segment,
    Segmentation,
    ShrCurve,
    ThermalRunawayPoint,
    analyse_arc,
    parse_rate,
    read_arc,
    segment_arc,
    self_heating_rate,
)
from elyte.thermal.dsc import (
    LI_MELTING_C,
    LI_MELTING_J_G,
    DscCurve,
    DscPeak,
    DscResult,
    LiMeltingCheck,
    analyse_dsc,
    read_dsc,
)
from elyte.thermal.literature import (
    LiteratureEntry,
    NormalisedEntry,
    normalise,
    normalise_all,
    table_s7,
    two_point_arrhenius,
)
from elyte.thermal.runaway import (
    Channel,
    CriterionTruth,
    HwsProtocol,
    HwsSimulation,
    Melting,
    Reaction,
    RunawayModel,
    kim2007_18650,
    li_metal_ncm811,
    load_model_toml,
    ncm_type,
    preset,
    simulate_hws,
)

__all__ = [
    "DEFAULT_CRITERION_C_MIN",
    "DEFAULT_THRESHOLD_C_MIN",
    "LI_MELTING_C",
    "LI_MELTING_J_G",
    "ArcRecording",
    "ArcResult",
    "ArrheniusFit",
    "Channel",
    "CriterionTruth",
    "DscCurve",
    "DscPeak",
    "DscResult",
    "Exotherm",
    "HwsProtocol",
    "HwsSimulation",
    "LiMeltingCheck",
    "LiteratureEntry",
    "Melting",
    "NormalisedEntry",
    "Reaction",
    "RunawayModel",
    "Segment",
    "Segmentation",
    "ShrCurve",
    "ThermalRunawayPoint",
    "analyse_arc",
    "analyse_dsc",
    "kim2007_18650",
    "li_metal_ncm811",
    "load_model_toml",
    "ncm_type",
    "normalise",
    "normalise_all",
    "parse_rate",
    "preset",
    "read_arc",
    "read_dsc",
    "segment_arc",
    "self_heating_rate",
    "simulate_hws",
    "table_s7",
    "two_point_arrhenius",
]
