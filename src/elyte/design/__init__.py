"""Cell design and electrolyte formulation: energy density, recipes, MD boxes, compositions.

* :mod:`elyte.design.cell` — :class:`PouchCell` and :class:`CoinCell`: mass budget, Wh/kg,
  Wh/L, N/P, E/C, Li excess and Li-inventory cycle life, with every assumption a named
  parameter and reported values checked (flagged beyond 5 %).
* :mod:`elyte.design.whatif` — vectorised sweeps (Wh/kg vs N/P, E/C, loading, Li thickness)
  and scenario tables.
* :mod:`elyte.design.seed` — the seed's cells (Table S6, the 222 mAh pouch, the coin cell),
  the Table S6 reproduction, and the Table S4/S5 worked examples.
* :mod:`elyte.design.formulation` — molarity, molality, mass fraction, solvent blends,
  water ppm, MD box composition and size.
* :mod:`elyte.design.composition` — weight % <-> atomic % (EDS/XPS).
* :mod:`elyte.design.molecules` — formulas, SMILES (small subset parser) and a built-in
  library of electrolyte solvents and salts.
* :mod:`elyte.design.manifest` — cell manifests in TOML (``elyte design CELL.toml``).
* :mod:`elyte.design.plots` — what-if curves and budget bars (needs ``elyte[plot]``).
"""

from __future__ import annotations

from elyte.design.cell import (
    COMPONENTS,
    REPORTABLE,
    Anode,
    Cathode,
    Check,
    CoinCell,
    DesignResult,
    Electrolyte,
    Packaging,
    Parameter,
    PouchCell,
    Separator,
    Tabs,
)
from elyte.design.composition import Composition, at_to_wt, formula_composition, wt_to_at
from elyte.design.errors import DesignError, FormulaError
from elyte.design.formulation import (
    Formulation,
    MDBox,
    SolventBlend,
    formulate,
    mass_fraction_from_molality,
    md_box,
    md_box_for_formulation,
    molality_from_mass_fraction,
    molality_from_molarity,
    molarity_from_molality,
    water_mol_per_kg,
    water_ppm_of_mixture,
)
from elyte.design.manifest import CellManifest, load_cell_manifest
from elyte.design.molecules import LIBRARY, Molecule, molecule, parse_formula, parse_smiles
from elyte.design.seed import (
    reproduce_table_s6,
    seed_coin_cell,
    seed_pouch_2p8ah,
    seed_pouch_222mah,
    table_s4_check,
    table_s5_check,
)
from elyte.design.whatif import ScenarioTable, SweepResult, compare, sweep

__all__ = [
    "COMPONENTS",
    "LIBRARY",
    "REPORTABLE",
    "Anode",
    "Cathode",
    "CellManifest",
    "Check",
    "CoinCell",
    "Composition",
    "DesignError",
    "DesignResult",
    "Electrolyte",
    "FormulaError",
    "Formulation",
    "MDBox",
    "Molecule",
    "Packaging",
    "Parameter",
    "PouchCell",
    "ScenarioTable",
    "Separator",
    "SolventBlend",
    "SweepResult",
    "Tabs",
    "at_to_wt",
    "compare",
    "formula_composition",
    "formulate",
    "load_cell_manifest",
    "mass_fraction_from_molality",
    "md_box",
    "md_box_for_formulation",
    "molality_from_mass_fraction",
    "molality_from_molarity",
    "molarity_from_molality",
    "molecule",
    "parse_formula",
    "parse_smiles",
    "reproduce_table_s6",
    "seed_coin_cell",
    "seed_pouch_2p8ah",
    "seed_pouch_222mah",
    "sweep",
    "table_s4_check",
    "table_s5_check",
    "water_mol_per_kg",
    "water_ppm_of_mixture",
    "wt_to_at",
]
