"""Lithium-metal analyses: modified-Aurbach CE, nucleation overpotential, Li inventory.

* :func:`modified_aurbach_ce` — Coulombic efficiency of Li plating/stripping on Cu from a raw
  Li||Cu recording (the seed's protocol, ``CE = (Q3 + Q4) / (Q1 + Q2)``), with the protocol
  recognised step by step and refused with :class:`~elyte.errors.ProtocolError` when the
  recording does not follow it.
* :func:`nucleation_overpotential` — ``|V_tip - V_plateau|`` of each plating on bare Cu.
* :func:`li_inventory` and :func:`cycles_to_li_exhaustion` — Li lost over a CE history and
  the cycle at which the Li excess of a cell (N/P) is used up.
* :func:`analyse_symmetric` — Li||Li cycling: plating/stripping overpotentials per
  half-cycle, hysteresis, noise, soft and hard shorts, cumulative capacity.
* :mod:`elyte.lithium.plots` — the Aurbach voltage trace with the recognised steps shaded
  (needs ``elyte[plot]``).
"""

from __future__ import annotations

from elyte.lithium.aurbach import (
    AurbachProtocol,
    AurbachResult,
    HalfCycle,
    HalfCycles,
    find_half_cycles,
    modified_aurbach_ce,
)
from elyte.lithium.inventory import (
    LI_DENSITY_G_CM3,
    LI_SPECIFIC_CAPACITY_MAH_G,
    LiInventory,
    cycles_to_li_exhaustion,
    li_areal_capacity,
    li_inventory,
    li_thickness,
)
from elyte.lithium.nucleation import NucleationResult, nucleation_overpotential
from elyte.lithium.symmetric import (
    HALF_CYCLE_UNITS,
    ShortDetection,
    SymmetricCellError,
    SymmetricResult,
    analyse_symmetric,
)

__all__ = [
    "HALF_CYCLE_UNITS",
    "LI_DENSITY_G_CM3",
    "LI_SPECIFIC_CAPACITY_MAH_G",
    "AurbachProtocol",
    "AurbachResult",
    "HalfCycle",
    "HalfCycles",
    "LiInventory",
    "NucleationResult",
    "ShortDetection",
    "SymmetricCellError",
    "SymmetricResult",
    "analyse_symmetric",
    "cycles_to_li_exhaustion",
    "find_half_cycles",
    "li_areal_capacity",
    "li_inventory",
    "li_thickness",
    "modified_aurbach_ce",
    "nucleation_overpotential",
]
