"""Weight % <-> atomic %: Table S4 by hand, round trips, formula compositions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elyte.design.composition import at_to_wt, formula_composition, wt_to_at
from elyte.design.errors import DesignError, FormulaError
from elyte.design.seed import TABLE_S4_AT, TABLE_S4_WT, table_s4_check


def test_table_s4_by_hand() -> None:
    """Table S4 by hand.

    n_i = wt_i / A_i (IUPAC A: C 12.011, O 15.999, F 18.998403162, Al
    26.9815384), at_i = 100 n_i / sum(n).

    n_C = 7.24/12.011 = 0.602781, n_O = 15.49/15.999 = 0.968186, n_F = 58.87/18.998403 =
    3.098680, n_Al = 18.40/26.981538 = 0.681950; sum 5.351597; at % = 11.2636, 18.0915,
    57.9020, 12.7429. The seed prints 11.26 / 18.09 / 57.91 / 12.74: within 0.02 at %.
    """
    n = {
        "C": 7.24 / 12.011,
        "O": 15.49 / 15.999,
        "F": 58.87 / 18.998403162,
        "Al": 18.40 / 26.9815384,
    }
    total = sum(n.values())
    expected = {k: 100 * v / total for k, v in n.items()}
    c = wt_to_at(TABLE_S4_WT)
    got = dict(zip(c.elements, c.at_percent, strict=True))
    for el in n:
        assert got[el] == pytest.approx(expected[el], abs=1e-10)
        assert abs(got[el] - TABLE_S4_AT[el]) < 0.02
    assert got["C"] == pytest.approx(11.2636, abs=1e-4)
    assert got["Al"] == pytest.approx(12.7429, abs=1e-4)


def test_table_s4_check_passes_and_a_wrong_value_is_flagged() -> None:
    assert table_s4_check().flagged == ()
    wrong = wt_to_at(TABLE_S4_WT).compare({"F": 58.87})  # the wt % quoted as at %
    assert [c.quantity for c in wrong.flagged] == ["F at%"]
    assert wrong.checks[0].relative_difference == pytest.approx(57.902 - 58.87, abs=1e-3)


def test_normalisation_is_reported() -> None:
    c = wt_to_at({"C": 50.0, "O": 40.0})
    assert sum(c.wt_percent) == pytest.approx(100.0)
    assert "sum to 90" in c.notes[0]


def test_lifpa_composition_without_li() -> None:
    """C12 Al F24 O4 without Li: 41 atoms -> C 12/41, Al 1/41, F 24/41, O 4/41."""
    c = formula_composition("LiFPA", exclude=("Li",))
    got = dict(zip(c.elements, c.at_percent, strict=True))
    assert got == pytest.approx({"C": 1200 / 41, "Al": 100 / 41, "F": 2400 / 41, "O": 400 / 41})
    assert c.excluded == ("Li",)


def test_errors() -> None:
    with pytest.raises(FormulaError):
        wt_to_at({"Xx": 10.0})
    with pytest.raises(DesignError):
        wt_to_at({"C": -1.0, "O": 2.0})
    with pytest.raises(DesignError):
        wt_to_at({})
    with pytest.raises(DesignError, match="nothing left"):
        formula_composition("H2", exclude=("H",))
    with pytest.raises(DesignError, match="not in the composition"):
        wt_to_at({"C": 1.0}).compare({"N": 1.0})


_EL = ["C", "O", "F", "Al", "Li", "P", "S", "Ni", "Co", "Mn", "N", "B", "Cu"]


@given(st.dictionaries(st.sampled_from(_EL), st.floats(0.01, 100.0), min_size=1, max_size=8))
def test_wt_at_round_trip(wt: dict[str, float]) -> None:
    """Weight -> atomic -> weight percent gives back the normalised weight percentages."""
    at = wt_to_at(wt)
    back = at_to_wt(dict(zip(at.elements, at.at_percent, strict=True)))
    assert back.wt_percent == pytest.approx(at.wt_percent, rel=1e-9, abs=1e-9)
    assert sum(at.at_percent) == pytest.approx(100.0)
