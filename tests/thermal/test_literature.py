"""The seed's Table S7 as data, and what can be normalised to one criterion."""

from __future__ import annotations

import math

import pytest

from elyte.errors import ThermalError
from elyte.thermal.literature import normalise, normalise_all, table_s7, two_point_arrhenius
from tests.thermal import GAS_CONSTANT


def test_table_s7_rows_as_printed() -> None:
    """Truth: the seed's Table S7 (14 rows) and its Fig. S30/S31 text (4 rows)."""
    rows = table_s7()
    assert len(table_s7(include_seed_text=False)) == 14
    assert len(rows) == 18
    ours = rows[0]
    assert (ours.reference, ours.onset_c, ours.tr_c, ours.criterion_c_min) == (
        "Our work",
        120.0,
        185.0,
        1.0,
    )
    assert ours.threshold_c_min == 0.03
    criteria = sorted({r.criterion_c_min for r in rows if r.criterion_c_min is not None})
    assert criteria == [0.48, 1.0, 10.0, 60.0]
    assert sum(r.tr_status == "no thermal runaway" for r in rows) == 4


def test_two_point_arrhenius_is_exact_on_an_arrhenius_line() -> None:
    """Truth: rate = B exp(-Ea/RT) with Ea = 150 kJ/mol through two of its own points."""
    ea, b = 1.5e5, 1e18

    def rate(t_c: float) -> float:
        return b * math.exp(-ea / (GAS_CONSTANT * (t_c + 273.15)))

    t_target = ea / (GAS_CONSTANT * math.log(b / 1.0)) - 273.15
    found = two_point_arrhenius(100.0, rate(100.0), 200.0, rate(200.0), 1.0)
    assert found == pytest.approx(t_target, abs=1e-9)
    with pytest.raises(ThermalError):
        two_point_arrhenius(200.0, 1.0, 100.0, 2.0, 1.0)


def test_normalisation_and_flags() -> None:
    rows = {(r.reference, r.electrolyte): r for r in table_s7()}
    ours = normalise(rows[("Our work", "3D-SIPE-LiFPA")])
    assert (ours.tr_at_target_c, ours.method, ours.comparable) == (185.0, "as reported", True)
    latp = normalise(rows[("Ref 57", "LATP with pristine Li metal")])
    assert latp.method == "two-point Arrhenius estimate"
    assert latp.tr_at_target_c is not None
    assert 291.0 < latp.tr_at_target_c < 302.0
    assert not latp.comparable
    assert any("interpolated" in f for f in latp.flags)
    assert any("not a cell" in f for f in latp.flags)
    peo = normalise(rows[("Ref 53", "PEO, LiTFSI")])
    assert peo.tr_at_target_c is not None
    assert peo.tr_at_target_c > 260.0
    assert any("extrapolated" in f for f in peo.flags)
    assert any("threshold not stated" in f for f in peo.flags)
    assert any("SOC not mentioned" in f for f in peo.flags)
    no_tr = normalise(rows[("Ref 54", "PEO, LiTFSI")])
    assert no_tr.tr_at_target_c is None
    assert no_tr.method == "not normalisable"
    no_onset = normalise(rows[("Ref 56", "CUEM, AIBN, LiDFOB, EC, DMC")])
    assert no_onset.tr_at_target_c == 210.0  # already at 1 degC/min
    moved = normalise(rows[("Ref 56", "CUEM, AIBN, LiDFOB, EC, DMC")], target_c_min=60.0)
    assert moved.tr_at_target_c is None
    assert any("without T_onset" in f for f in moved.flags)


def test_normalise_all_to_feng_criterion() -> None:
    rows = normalise_all(target_c_min=60.0)
    ours = rows[0]
    assert ours.tr_at_target_c is not None
    assert ours.tr_at_target_c > 185.0
    assert ours.method == "two-point Arrhenius estimate"
    assert [r.to_dict()["target_c_min"] for r in rows] == [60.0] * len(rows)
