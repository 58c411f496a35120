"""The seed paper's cells and worked examples, with every assumption named.

* :func:`seed_pouch_2p8ah` — the 2.8 Ah NCM811/Li pouch of Table S6 (437 Wh/kg claimed).
* :func:`seed_pouch_222mah` — the 222 mAh pouch of Fig. S27 / Table S1 (300 Wh/kg claimed,
  E/C about 3.5 g/Ah).
* :func:`seed_coin_cell` — the 2032 NCM811/Li coin cell (12 mm cathode, 50 µL).
* :func:`reproduce_table_s6` — which packaging/tab assumption reaches the claimed Wh/kg, what
  a standard laminate gives, and what a Cu foil under the Li costs.
* :func:`table_s5_check` — the MD box of Table S5 (atoms, density of the stated box).
* :func:`table_s4_check` — the EDS weight/atomic percentages of Table S4.
* :func:`electrolyte_check` — "63.8 wt % solvent and 37.2 wt % solid" against 1 M LiFPA
  in EMC/FEC 1:1 by volume.

What the seed gives and what is assumed here
--------------------------------------------
Given (Table S6 and Methods): Li 50 µm (10 mAh/cm²), Al 8 µm, NCM811 3.7 mAh/cm² at
18.1 mg/cm² and 97.8 wt %, N/P 2.7, E/C 2.0 g/Ah, PE separator 25 µm, 3.8 V, 2.8 Ah.
Assumed (named parameters, change them with ``**changes``): double-sided 60 x 90 mm
cathodes (14 faces of 54 cm² hold 2.8 Ah at 3.7 mAh/cm²), a free-standing Li foil (no Cu),
PE at 40 % porosity, no electrode overhang, a standard 113 µm laminate with 5 mm seals,
Al + Ni tabs of 8 x 0.1 x 25 mm. For the 222 mAh cell: one double-sided 50 x 60 mm cathode
(2 faces of 30 cm², 0.222 Ah) and E/C 3.5 g/Ah (the seed's Table S1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from elyte.design.cell import Anode, Cathode, CoinCell, Electrolyte, PouchCell, Separator
from elyte.design.composition import Composition, wt_to_at
from elyte.design.errors import DesignError
from elyte.design.formulation import Formulation, MDBox, formulate, md_box
from elyte.design.whatif import ScenarioTable, compare

__all__ = [
    "TABLE_S4_AT",
    "TABLE_S4_WT",
    "electrolyte_check",
    "reproduce_table_s6",
    "seed_coin_cell",
    "seed_pouch_2p8ah",
    "seed_pouch_222mah",
    "table_s4_check",
    "table_s5_check",
]

#: Table S4, weight percent (EDS of the dry 3D-SIPE-LiFPA polymer powder).
TABLE_S4_WT = {"C": 7.24, "O": 15.49, "F": 58.87, "Al": 18.40}
#: Table S4, atomic percent as printed.
TABLE_S4_AT = {"C": 11.26, "O": 18.09, "F": 57.91, "Al": 12.74}


def _seed_cathode(**kw: Any) -> Cathode:
    return Cathode(
        material="NCM811",
        areal_capacity_mah_cm2=3.7,
        loading_mg_cm2=18.1,
        active_fraction=0.978,
        collector="Al",
        collector_thickness_um=8.0,
        **kw,
    )


def seed_pouch_2p8ah(**changes: Any) -> PouchCell:
    """Build the 2.8 Ah NCM811/Li pouch of Table S6 (the module docstring lists assumptions).

    Parameters
    ----------
    **changes
        Dotted-path changes (``**{"anode.collector": "Cu"}``), see
        :meth:`~elyte.design.cell.PouchCell.with_changes`.

    Returns
    -------
    PouchCell
        With ``reported = {wh_kg: 437, np_ratio: 2.7, li_areal_capacity_mah_cm2: 10,
        ec_ratio_g_ah: 2.0}``.
    """
    cell = PouchCell(
        name="NCM811/Li 2.8 Ah pouch (seed Table S6)",
        capacity_ah=2.8,
        average_voltage_v=3.8,
        cathode=_seed_cathode(double_sided=True, width_mm=60.0, height_mm=90.0),
        anode=Anode(li_thickness_um=50.0),
        separator=Separator(material="PE", thickness_um=25.0),
        electrolyte=Electrolyte(material="3D-SIPE-LiFPA", ec_ratio_g_ah=2.0),
        reported={
            "wh_kg": 437.0,
            "np_ratio": 2.7,
            "li_areal_capacity_mah_cm2": 10.0,
            "ec_ratio_g_ah": 2.0,
        },
    )
    return cell.with_changes(changes) if changes else cell


def seed_pouch_222mah(**changes: Any) -> PouchCell:
    """Build the 222 mAh NCM811/Li pouch of Fig. S27 and Table S1 (300 Wh/kg claimed).

    Returns
    -------
    PouchCell
        One double-sided 50 x 60 mm cathode, E/C 3.5 g/Ah (Table S1: "~3.5 g/Ah"),
        ``reported = {wh_kg: 300, np_ratio: 2.7, ec_ratio_g_ah: 3.5}``.
    """
    cell = PouchCell(
        name="NCM811/Li 222 mAh pouch (seed Fig. S27, Table S1)",
        capacity_ah=0.222,
        average_voltage_v=3.8,
        cathode=_seed_cathode(double_sided=True, width_mm=50.0, height_mm=60.0),
        anode=Anode(li_thickness_um=50.0),
        separator=Separator(material="PE", thickness_um=25.0),
        electrolyte=Electrolyte(material="3D-SIPE-LiFPA", ec_ratio_g_ah=3.5),
        reported={"wh_kg": 300.0, "np_ratio": 2.7, "ec_ratio_g_ah": 3.5},
    )
    return cell.with_changes(changes) if changes else cell


def seed_coin_cell(**changes: Any) -> CoinCell:
    """Build the 2032 NCM811/Li coin cell (12 mm cathode, 50 µm Li, GF-A, 50 µL).

    Returns
    -------
    CoinCell
        ``reported = {ec_ratio_g_ah: 10, np_ratio: 2.7}`` (Table S1 gives "~10 g/Ah").
    """
    cell = CoinCell(
        name="NCM811/Li 2032 coin cell (seed Methods)",
        cathode_diameter_mm=12.0,
        average_voltage_v=3.8,
        cathode=_seed_cathode(double_sided=False),
        anode=Anode(li_thickness_um=50.0),
        separator=Separator(material="GF-A"),
        electrolyte=Electrolyte(material="3D-SIPE-LiFPA", volume_ul=50.0),
        reported={"ec_ratio_g_ah": 10.0, "np_ratio": 2.7},
    )
    return cell.with_changes(changes) if changes else cell


def _scenarios(base: PouchCell) -> tuple[dict[str, PouchCell], list[str]]:
    reported = base.reported.get("wh_kg")
    if reported is None:
        raise DesignError("the base design reports no wh_kg to reproduce")
    r = base.evaluate()
    m = r.metrics
    allowance = m["energy_wh"] / reported * 1000.0 - m["stack_mass_g"]
    tabs = r.mass("tabs")
    lam_area = float(r.budget.filter(r.budget["component"] == "packaging")["area_cm2"][0])
    notes = [
        f"electrode stack {m['stack_mass_g']:.4g} g; {reported:g} Wh/kg needs a "
        f"{m['energy_wh'] / reported * 1000:.4g} g cell, i.e. tabs + packaging <= "
        f"{allowance:.3g} g",
    ]
    scen: dict[str, PouchCell] = {
        "stack only (no packaging, no tabs)": base.with_changes(
            {"packaging.laminate": None, "tabs.mass_g": 0.0}
        ),
    }
    if allowance > tabs:
        needed = (allowance - tabs) / lam_area * 1e4
        notes.append(
            f"with the default tabs ({tabs:.3g} g) that is a laminate of {needed:.0f} g/m2 over "
            f"{lam_area:.0f} cm2 (a standard 113 um film is about 181 g/m2)"
        )
        scen[f"laminate of {needed:.0f} g/m2 (what {reported:g} Wh/kg needs)"] = base.with_changes(
            {"packaging.areal_mass_g_m2": needed}
        )
    elif allowance > 0:
        notes.append(
            f"the default tabs alone ({tabs:.3g} g) exceed the allowance: no laminate can reach "
            f"{reported:g} Wh/kg"
        )
        scen[f"tabs + packaging = {allowance:.3g} g (what {reported:g} Wh/kg needs)"] = (
            base.with_changes({"packaging.mass_g": allowance, "tabs.mass_g": 0.0})
        )
    else:
        notes.append(f"{reported:g} Wh/kg is above the electrode stack alone: unreachable")
    scen["thin 88 um laminate"] = base.with_changes({"packaging.laminate": "al-laminate-88um"})
    scen["standard 113 um laminate"] = base
    scen["standard 113 um laminate + 6 um Cu under the Li"] = base.with_changes(
        {"anode.collector": "Cu", "anode.collector_thickness_um": 6.0}
    )
    scen["standard 113 um laminate + 1 mm anode/separator overhang"] = base.with_changes(
        {"anode.overhang_mm": 1.0, "separator.overhang_mm": 1.0}
    )
    return scen, notes


def reproduce_table_s6(cell: str = "2.8Ah", **changes: Any) -> ScenarioTable:
    """Which assumptions reach the seed's energy density, and what the usual ones give.

    Parameters
    ----------
    cell : {"2.8Ah", "222mAh"}
        The Table S6 pouch (437 Wh/kg) or the 222 mAh pouch (300 Wh/kg).
    **changes
        Dotted-path changes applied to the base design before the scenarios.

    Returns
    -------
    ScenarioTable
        Rows: the electrode stack alone; the laminate areal mass that gives exactly the
        claimed value (with the default tabs); a thin 88 µm and a standard 113 µm laminate;
        the standard one with 6 µm Cu under the Li; with 1 mm overhangs. Rows beyond 5 % of
        the claim are flagged.

    Raises
    ------
    DesignError
        If ``cell`` is unknown.

    Examples
    --------
    >>> t = reproduce_table_s6()
    >>> rows = dict(zip(t.table["scenario"], t.table["wh_kg"]))
    >>> round(rows["standard 113 um laminate"]), round(rows["stack only (no packaging, no tabs)"])
    (408, 458)
    """
    builders = {"2.8ah": seed_pouch_2p8ah, "222mah": seed_pouch_222mah}
    key = cell.lower().replace(" ", "")
    if key not in builders:
        raise DesignError(f"cell must be '2.8Ah' or '222mAh', not {cell!r}")
    base = builders[key](**changes)
    scen, notes = _scenarios(base)
    return compare(scen, reported_wh_kg=base.reported["wh_kg"], notes=notes)


def table_s5_check(salt: str = "LiFPA") -> MDBox:
    """Check the MD box of Table S5 (200 EMC + 280 FEC + 40 salt, 50.7 Å) against the table.

    Parameters
    ----------
    salt : str
        ``LiFPA`` (7480 atoms, as stated) or ``LiPF6`` (the table claims the same 7480 atoms
        for both boxes).

    Returns
    -------
    MDBox
        With checks of the 7480 atoms, 520 molecules and 1.270 g/cm³; the density of
        50.7 Å of this content is about 1.00 g/cm³ (LiFPA) and is flagged.

    Examples
    --------
    >>> box = table_s5_check()
    >>> box.n_atoms, round(box.density_g_cm3, 3), [c.quantity for c in box.flagged]
    (7480, 0.999, ['density_g_cm3'])
    """
    return md_box(
        {"EMC": 200, "FEC": 280, salt: 40},
        edge_angstrom=50.7,
        stated={"n_atoms": 7480, "n_molecules": 520, "density_g_cm3": 1.270},
    )


def table_s4_check(tolerance_pp: float = 0.02) -> Composition:
    """Table S4: atomic percent from the stated weight percent, checked against the table.

    Parameters
    ----------
    tolerance_pp : float
        Allowed absolute difference, percentage points (default 0.02).

    Returns
    -------
    Composition
        11.264 / 18.092 / 57.902 / 12.743 at % (C / O / F / Al), all within 0.01 of the
        table.
    """
    return wt_to_at(TABLE_S4_WT).compare(TABLE_S4_AT, "at", tolerance_pp=tolerance_pp)


def electrolyte_check(
    densities: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """Check "63.8 wt % solvent and 37.2 wt % solid" against 1 M LiFPA in EMC/FEC 1:1.

    Parameters
    ----------
    densities : mapping, optional
        Solvent densities, g/cm³ (default: the library's, EMC 1.006 and FEC 1.454).

    Returns
    -------
    dict
        ``per_litre_solvent`` (the Formulation read as 1 mol per L of solvent),
        ``solvent_wt_percent``, ``stated`` and ``findings`` (plain sentences).
    """
    f: Formulation = formulate(
        "LiFPA", 1.0, "mol/L-solvent", {"EMC": 1.0, "FEC": 1.0}, "volume", densities=densities
    )
    solvent = 100.0 * f.solvent_mass_fraction
    findings = [
        "63.8 + 37.2 = 101.0 wt %: the two stated fractions cannot both hold",
        f"1 mol LiFPA ({f.salt.molar_mass:.1f} g) per litre of EMC/FEC 1:1 v/v "
        f"({f.blend.density_g_cm3:.4g} g/cm3) gives {solvent:.2f} wt % solvent and "
        f"{100 - solvent:.2f} wt % salt: the 63.8 wt % matches 'per litre of solvent', and "
        "37.2 is then a slip for 36.2",
        f"read as a molarity (per litre of solution) the salt alone would be "
        f"{f.salt.molar_mass:.0f} g/L: 37.2 wt % would need a solution density of "
        f"{f.salt.molar_mass / 1000 / 0.372:.2f} g/cm3",
    ]
    return {
        "per_litre_solvent": f.to_dict(),
        "solvent_wt_percent": solvent,
        "stated": {"solvent_wt_percent": 63.8, "solid_wt_percent": 37.2},
        "findings": findings,
    }
