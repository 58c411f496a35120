"""Concentration conversions, blends, water, and MD boxes against hand calculations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from elyte.design.errors import DesignError
from elyte.design.formulation import (
    AVOGADRO,
    SolventBlend,
    formulate,
    mass_fraction_from_molality,
    md_box,
    md_box_for_formulation,
    molality_from_mass_fraction,
    molality_from_molarity,
    molality_from_solvent_molarity,
    molarity_from_mass_fraction,
    molarity_from_molality,
    water_mol_per_kg,
    water_ppm_from_mol_per_kg,
    water_ppm_of_mixture,
)
from elyte.design.seed import electrolyte_check, table_s5_check

M_EMC = 4 * 12.011 + 8 * 1.008 + 3 * 15.999
M_FEC = 3 * 12.011 + 3 * 1.008 + 18.998403162 + 3 * 15.999
M_LIFPA = 6.94 + 26.9815384 + 12 * 12.011 + 24 * 18.998403162 + 4 * 15.999
M_LIPF6 = 6.94 + 30.973761998 + 6 * 18.998403162


def test_table_s5_atoms_and_density_by_hand() -> None:
    """Hand calculation of Table S5.

    Atoms: EMC C4H8O3 = 15, FEC C3H3FO3 = 10, LiFPA = 42 -> 200 x 15 + 280 x 10 + 40 x 42 =
    3000 + 2800 + 1680 = 7480 (as stated). Mass: (200 x 104.105 + 280 x 106.0524 + 40 x
    698.0112) g/mol / N_A = 78436.12 / 6.02214076e23 = 1.30245e-19 g. Volume 50.7^3 A^3 =
    130323.8 A^3 = 1.303238e-19 cm3 -> 0.9994 g/cm3, not the stated 1.270; 1.270 g/cm3 needs
    (1.30245e-19 / 1.270)^(1/3) cm = 46.81 A.
    """
    mass = (200 * M_EMC + 280 * M_FEC + 40 * M_LIFPA) / 6.02214076e23
    rho = mass / (50.7e-8) ** 3
    edge = (mass / 1.270) ** (1 / 3) * 1e8
    box = table_s5_check()
    assert box.n_atoms == 200 * 15 + 280 * 10 + 40 * 42 == 7480
    assert box.mass_g == pytest.approx(mass, rel=1e-12)
    assert box.density_g_cm3 == pytest.approx(rho, rel=1e-12)
    assert box.density_g_cm3 == pytest.approx(0.9994, abs=1e-4)
    assert box.edge_at_density(1.270) == pytest.approx(edge, rel=1e-12)
    assert edge == pytest.approx(46.81, abs=0.01)
    flagged = {c.quantity for c in box.flagged}
    assert flagged == {"density_g_cm3"}
    assert "46.81 A cube" in next(c.message for c in box.checks if c.flagged)


def test_table_s5_lipf6_box_has_fewer_atoms() -> None:
    """Checked against the hand calculation below.

    The table gives 7480 atoms for the LiPF6 box too; LiPF6 has 8 atoms, not 42:
    3000 + 2800 + 40 x 8 = 6120.
    """
    box = table_s5_check("LiPF6")
    assert box.n_atoms == 6120
    assert {c.quantity for c in box.flagged} == {"n_atoms", "density_g_cm3"}


def test_seed_solvent_fraction_is_per_litre_of_solvent() -> None:
    """Checked against the hand calculation below.

    1 mol LiFPA per L of EMC/FEC 1:1 v/v: solvent 0.5 x 1006 + 0.5 x 1454 = 1230 g per L,
    salt 698.01 g -> solvent 1230 / 1928.01 = 63.80 wt % (the seed's 63.8); salt 36.20 wt %,
    so the seed's 37.2 wt % solid (sum 101 %) cannot be right.
    """
    f = formulate("LiFPA", 1.0, "mol/L-solvent", {"EMC": 1, "FEC": 1})
    assert f.solvent_mass_fraction == pytest.approx(1230.0 / (1230.0 + M_LIFPA), rel=1e-12)
    assert round(100 * f.solvent_mass_fraction, 1) == 63.8
    assert f.molality_mol_kg == pytest.approx(1 / 1.230, rel=1e-12)
    out = electrolyte_check()
    assert out["solvent_wt_percent"] == pytest.approx(63.80, abs=0.005)
    assert any("101.0" in s for s in out["findings"])


def test_blend_by_volume_by_hand() -> None:
    """Checked against the hand calculation below.

    EMC/FEC 1:1 v/v: masses 1.006 : 1.454 -> mass fractions 0.40894 / 0.59106; moles
    1.006/104.105 : 1.454/106.052 -> mole fractions 0.41344 / 0.58656.
    """
    b = SolventBlend.from_ratio({"EMC": 1, "FEC": 1})
    assert b.density_g_cm3 == pytest.approx(1.230)
    assert b.mass_fractions[0] == pytest.approx(1.006 / 2.460, rel=1e-12)
    n_emc, n_fec = 1.006 / M_EMC, 1.454 / M_FEC
    assert b.mole_fractions[0] == pytest.approx(n_emc / (n_emc + n_fec), rel=1e-12)
    by_mass = SolventBlend.from_ratio({"EMC": 1.006, "FEC": 1.454}, "mass")
    assert by_mass.volume_fractions == pytest.approx((0.5, 0.5))
    by_mole = SolventBlend.from_ratio({"EMC": n_emc, "FEC": n_fec}, "mole")
    assert by_mole.volume_fractions == pytest.approx((0.5, 0.5))
    measured = SolventBlend.from_ratio({"EMC": 1, "FEC": 1}, densities={"FEC": 1.50})
    assert measured.density_g_cm3 == pytest.approx((1.006 + 1.50) / 2)


def test_molarity_needs_a_density() -> None:
    with pytest.raises(DesignError, match="solution's density"):
        formulate("LiPF6", 1.0, "mol/L")
    f = formulate("LiPF6", 1.0, "mol/L", solution_density_g_cm3=1.30)
    # b = c / (rho - c M) = 1 / (1.30 - 0.151904)
    assert f.molality_mol_kg == pytest.approx(1 / (1.30 - M_LIPF6 / 1000), rel=1e-12)
    assert f.molarity_mol_l == pytest.approx(1.0, rel=1e-12)


def test_recipe_and_water() -> None:
    """Checked against the hand calculation below.

    10 mL of EMC/FEC (12.30 g) at 0.8130 mol/kg LiFPA: 12.30 x 0.81301 x 0.698011 = 6.980 g.
    30 ppm water: 30e-6 / 0.018015 kg/mol = 1.6653 mmol/kg.
    """
    f = formulate("LiFPA", 1.0, "mol/L-solvent", water_ppm=30.0)
    r = f.recipe(solvent_volume_ml=10.0)
    assert r["salt_g"] == pytest.approx(0.010 * M_LIFPA, rel=1e-12)  # 1 mol/L x 10 mL
    assert r["solvents"]["EMC"]["ml"] == pytest.approx(5.0)
    assert f.water is not None
    assert f.water["mol_per_kg_solution"] == pytest.approx(30e-6 / (18.015e-3), rel=1e-4)
    r2 = f.recipe(solution_mass_g=r["solution_g"])
    assert r2["salt_g"] == pytest.approx(r["salt_g"])
    with pytest.raises(DesignError):
        f.recipe()
    assert water_ppm_of_mixture([1.0, 3.0], [10.0, 50.0]) == pytest.approx(40.0)


def test_md_box_for_formulation_rounds_counts() -> None:
    f = formulate("LiFPA", 1.0, "mol/L-solvent")
    box = md_box_for_formulation(f, 40, density_g_cm3=1.27)
    assert box.counts["LiFPA"] == 40
    assert box.counts["EMC"] == round(40 * f.mole_ratios["EMC"])
    assert box.density_g_cm3 == pytest.approx(1.27)
    assert "rounded" in box.notes[-1]
    with pytest.raises(DesignError, match="density"):
        md_box_for_formulation(f, 40)


def test_md_box_errors() -> None:
    with pytest.raises(DesignError, match="once"):
        md_box({"EMC": 1})
    with pytest.raises(DesignError, match="positive integer"):
        md_box({"EMC": 1.5}, edge_angstrom=10.0)  # type: ignore[dict-item]
    with pytest.raises(DesignError, match="unknown stated"):
        md_box({"EMC": 1}, edge_angstrom=10.0, stated={"atoms": 15})


def test_md_box_density_edge_inverse() -> None:
    """A box sized for a density has that density (and N_A the SI value)."""
    box = md_box({"EMC": 100}, density_g_cm3=1.006)
    assert box.density_g_cm3 == pytest.approx(1.006)
    assert box.mass_g == pytest.approx(100 * M_EMC / AVOGADRO)
    again = md_box({"EMC": 100}, edge_angstrom=box.edge_angstrom)
    assert again.density_g_cm3 == pytest.approx(1.006, rel=1e-12)


@given(st.floats(0.0, 20.0), st.floats(20.0, 1000.0))
def test_molality_mass_fraction_round_trip(b: float, molar_mass: float) -> None:
    w = mass_fraction_from_molality(b, molar_mass)
    assert molality_from_mass_fraction(w, molar_mass) == pytest.approx(b, rel=1e-9, abs=1e-12)


@given(st.floats(0.0, 5.0), st.floats(20.0, 800.0), st.floats(0.8, 2.0))
def test_molality_molarity_round_trip(b: float, molar_mass: float, rho: float) -> None:
    c = molarity_from_molality(b, molar_mass, rho)
    assert molality_from_molarity(c, molar_mass, rho) == pytest.approx(b, rel=1e-9, abs=1e-12)
    w = mass_fraction_from_molality(b, molar_mass)
    assert molarity_from_mass_fraction(w, molar_mass, rho) == pytest.approx(c, rel=1e-9, abs=1e-12)


@given(st.floats(0.0, 1e5))
def test_water_round_trip(ppm: float) -> None:
    assert water_ppm_from_mol_per_kg(water_mol_per_kg(ppm)) == pytest.approx(ppm, rel=1e-12)


def test_conversions_accept_arrays_and_refuse_bad_values() -> None:
    b = np.array([0.5, 1.0, 2.0])
    w = mass_fraction_from_molality(b, 151.9)
    assert isinstance(w, np.ndarray)
    assert w.shape == (3,)
    assert molality_from_solvent_molarity(1.23, 1.23) == pytest.approx(1.0)
    with pytest.raises(DesignError):
        molality_from_mass_fraction(1.0, 100.0)
    with pytest.raises(DesignError, match="weighs more"):
        molality_from_molarity(10.0, 698.0, 1.3)
    with pytest.raises(DesignError):
        mass_fraction_from_molality(math.nan, 100.0)
    with pytest.raises(DesignError, match="unit"):
        formulate("LiPF6", 1.0, "M")
    with pytest.raises(DesignError, match="no density"):
        SolventBlend.from_ratio({"LiPF6": 1})
