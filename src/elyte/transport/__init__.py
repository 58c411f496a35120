"""Ion transport: temperature dependence (Arrhenius, VTF) and the Li+ transference number.

See :mod:`elyte.transport.arrhenius` and :mod:`elyte.transport.transference`
(Bruce-Vincent).
"""

from __future__ import annotations

from elyte.transport.arrhenius import (
    FARADAY,
    GAS_CONSTANT,
    ArrheniusFit,
    ModelComparison,
    TransportError,
    VTFFit,
    celsius_to_kelvin,
    compare_models,
    fit_arrhenius,
    fit_vtf,
)
from elyte.transport.transference import (
    ChronoampAnalysis,
    InitialCurrent,
    InterfaceFit,
    SteadyState,
    TransferenceResult,
    analyse_chronoamperometry,
    bruce_vincent,
    bruce_vincent_formula,
    interfacial_resistance,
)

__all__ = [
    "FARADAY",
    "GAS_CONSTANT",
    "ArrheniusFit",
    "ChronoampAnalysis",
    "InitialCurrent",
    "InterfaceFit",
    "ModelComparison",
    "SteadyState",
    "TransferenceResult",
    "TransportError",
    "VTFFit",
    "analyse_chronoamperometry",
    "bruce_vincent",
    "bruce_vincent_formula",
    "celsius_to_kelvin",
    "compare_models",
    "fit_arrhenius",
    "fit_vtf",
    "interfacial_resistance",
]
