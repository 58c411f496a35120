"""Formulas, SMILES and the built-in library, against counts written out by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elyte.design.elements import ATOMIC_WEIGHTS, atomic_weight
from elyte.design.errors import FormulaError
from elyte.design.molecules import LIBRARY, hill_formula, molecule, parse_formula, parse_smiles


def test_lifpa_formula_counts_42_atoms() -> None:
    """Hand count of Li[Al(OC(CF3)2C(CF3)2O)2]: one ligand O2C6F18/... written out.

    Per ligand OC(CF3)2C(CF3)2O: O 2, C 2 + 4 = 6, F 4 x 3 = 12. Two ligands: C12 F24 O4; with
    Li and Al: 1 + 1 + 12 + 24 + 4 = 42 atoms.
    """
    m = parse_formula("Li[Al(OC(CF3)2C(CF3)2O)2]")
    assert m.composition == {"Li": 1, "Al": 1, "O": 4, "C": 12, "F": 24}
    assert m.n_atoms == 42
    assert LIBRARY["LiFPA"].composition == m.composition


def test_library_molar_masses_by_hand() -> None:
    """Molar masses from IUPAC atomic weights, summed by hand."""
    emc = 4 * 12.011 + 8 * 1.008 + 3 * 15.999
    fec = 3 * 12.011 + 3 * 1.008 + 18.998403162 + 3 * 15.999
    lipf6 = 6.94 + 30.973761998 + 6 * 18.998403162
    lifpa = 6.94 + 26.9815384 + 12 * 12.011 + 24 * 18.998403162 + 4 * 15.999
    assert molecule("EMC").molar_mass == pytest.approx(emc, rel=1e-12)
    assert molecule("FEC").molar_mass == pytest.approx(fec, rel=1e-12)
    assert molecule("LiPF6").molar_mass == pytest.approx(lipf6, rel=1e-12)
    assert molecule("LiFPA").molar_mass == pytest.approx(lifpa, rel=1e-12)
    assert lifpa == pytest.approx(698.011, abs=1e-3)


@pytest.mark.parametrize(
    ("smiles", "formula"),
    [
        ("CCOC(=O)OC", "C4H8O3"),  # EMC
        ("O=C1OCC(F)O1", "C3H3FO3"),  # FEC
        ("O=C1OCCO1", "C3H4O3"),  # EC
        ("c1ccccc1", "C6H6"),  # aromatic implicit H
        ("Cc1ccccc1", "C7H8"),  # toluene: ipso carbon has no H
        ("c1ccncc1", "C5H5N"),  # pyridine N has no H
        ("c1cc[nH]c1", "C4H5N"),  # pyrrole: bracket H
        ("C#N", "CHN"),
        ("C%10CC%10", "C3H6"),  # two-digit ring label
        ("[Li+].F[P-](F)(F)(F)(F)F", "F6LiP"),
        ("[Li+].O=S(=O)([N-]S(=O)(=O)C(F)(F)F)C(F)(F)F", "C2F6LiNO4S2"),  # LiTFSI
        ("[13CH4]", "CH4"),
        ("OS(=O)(=O)O", "H2O4S"),  # sulfur valence 6
    ],
)
def test_smiles_counts(smiles: str, formula: str) -> None:
    """Formulas counted by hand for each SMILES string."""
    assert parse_smiles(smiles).formula == formula


def test_smiles_charges_sum() -> None:
    assert parse_smiles("[Li+].F[P-](F)(F)(F)(F)F").charge == 0
    assert parse_smiles("[O-]").charge == -1
    assert parse_smiles("[Fe+++]").charge == 3


@pytest.mark.parametrize(
    ("bad", "where"),
    [
        ("C1CC", "never closed"),
        ("C(C", "unclosed branch"),
        ("CC)", "unbalanced"),
        ("C==C", "two bond symbols"),
        ("[Xx]", "unknown element"),
        ("C?C", "outside the SMILES subset"),
        ("=C", "bond without an atom before"),
    ],
)
def test_bad_smiles_point_at_the_problem(bad: str, where: str) -> None:
    with pytest.raises(FormulaError, match=where):
        parse_smiles(bad)


@pytest.mark.parametrize(
    ("bad", "where"),
    [
        ("Xy2", "unknown element"),
        ("C(H2", "never closed"),
        ("CH2)", "unbalanced"),
        ("C$", "unexpected"),
    ],
)
def test_bad_formulas(bad: str, where: str) -> None:
    with pytest.raises(FormulaError, match=where) as info:
        parse_formula(bad)
    assert "^" in str(info.value)


def test_formula_features() -> None:
    assert parse_formula("CuSO4·5H2O").composition == {"Cu": 1, "S": 1, "O": 9, "H": 10}
    ncm = parse_formula("LiNi0.8Co0.1Mn0.1O2")
    assert ncm.composition["Ni"] == pytest.approx(0.8)
    with pytest.raises(FormulaError, match="fractional"):
        _ = ncm.n_atoms
    assert parse_formula("PF6-").charge == -1
    assert molecule("smiles:CO").formula == "CH4O"
    assert molecule("CO").formula == "CO"
    assert molecule("lidfob").formula == "C2BF2LiO4"
    with pytest.raises(FormulaError, match="not a library molecule"):
        molecule("notamolecule!")


def test_atomic_weight_errors_are_elyte_errors() -> None:
    with pytest.raises(FormulaError):
        atomic_weight("AL")
    assert atomic_weight("F") == 18.998403162


_ELEMENTS = sorted(ATOMIC_WEIGHTS)


@given(st.dictionaries(st.sampled_from(_ELEMENTS), st.integers(1, 40), min_size=1, max_size=6))
def test_formula_round_trip(composition: dict[str, int]) -> None:
    """Hill formula written from a composition parses back to the same composition."""
    parsed = parse_formula(hill_formula(composition))
    assert parsed.composition == {k: float(v) for k, v in composition.items()}


@given(st.integers(1, 60))
def test_alkane_smiles(n: int) -> None:
    """A linear alkane C_nH_(2n+2) from its SMILES."""
    assert parse_smiles("C" * n).composition == {"C": n, "H": 2 * n + 2}
