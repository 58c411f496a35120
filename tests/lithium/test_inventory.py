"""Li inventory: cumulative losses, the exhaustion cycle and the closed form.

Golden values are analytic: ``thickness x 0.534 g/cm3 x 3860 mAh/g`` for the foil, losses
``(1 - CE) x Q`` summed by an explicit loop in the test, and for a constant CE the linear
loss ``k (1 - CE) P`` whose crossing of the excess is ``(N/P) / (1 - CE)`` (lithiated
cathode) or ``(N/P - 1) / (1 - CE)``. The CycleTable case uses a generated recording with
known charge and discharge capacities (tests.cycling).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from elyte.cycling import CellSpec, summarize
from elyte.errors import MissingCellParameterError
from elyte.lithium import (
    LI_DENSITY_G_CM3,
    LI_SPECIFIC_CAPACITY_MAH_G,
    cycles_to_li_exhaustion,
    li_areal_capacity,
    li_inventory,
    li_thickness,
)
from tests.cycling import Segment, build


def test_foil_capacity_and_inverse() -> None:
    assert LI_DENSITY_G_CM3 == 0.534
    assert LI_SPECIFIC_CAPACITY_MAH_G == 3860.0
    assert li_areal_capacity(50.0) == pytest.approx(50e-4 * 0.534 * 3860.0, rel=1e-12)
    assert li_areal_capacity(50.0) == pytest.approx(10.306, abs=5e-4)
    assert li_thickness(li_areal_capacity(37.0)) == pytest.approx(37.0, rel=1e-12)
    assert li_areal_capacity(20.0, density_g_cm3=0.5, specific_capacity_mah_g=4000.0) == (
        pytest.approx(20e-4 * 0.5 * 4000.0)
    )


def test_seed_numbers() -> None:
    """Table S6: 10 mAh/cm2 Li vs 3.7 mAh/cm2 NCM811 is N/P 2.7; 50 µm by density is 2.79."""
    table = li_inventory(
        0.9939, n_cycles=10, anode_capacity_mah_cm2=10.0, cathode_capacity_mah_cm2=3.7
    )
    assert table.np_ratio == pytest.approx(2.7027, abs=1e-4)
    foil = li_inventory(0.9939, n_cycles=10, li_thickness_um=50.0, cathode_capacity_mah_cm2=3.7)
    assert foil.np_ratio == pytest.approx(10.306 / 3.7, abs=1e-3)
    assert foil.anode_capacity_mah_cm2 == pytest.approx(li_areal_capacity(50.0))
    # at the seed's Li||Cu CE of 99.39 % and N/P 2.7
    assert cycles_to_li_exhaustion(0.9939, 2.7) == pytest.approx(2.7 / 0.0061, rel=1e-12)
    assert cycles_to_li_exhaustion(0.9939, 2.7, cathode_lithiated=False) == pytest.approx(
        1.7 / 0.0061, rel=1e-12
    )


@pytest.mark.parametrize(
    ("ce", "np_ratio", "lithiated"),
    [
        (0.9939, 2.7, True),
        (0.99, 2.55, True),
        (0.995, 1.1337, True),
        (0.9939, 2.7, False),
        (0.98, 3.31, False),
    ],
)
def test_constant_ce_closed_form_matches_cumulative(
    ce: float, np_ratio: float, lithiated: bool
) -> None:
    p = 3.7
    closed = cycles_to_li_exhaustion(ce, np_ratio, cathode_lithiated=lithiated)
    n = int(closed) + 50
    inv = li_inventory(
        ce, n_cycles=n, np_ratio=np_ratio, cathode_capacity_mah_cm2=p, cathode_lithiated=lithiated
    )
    k = np.arange(1, n + 1)
    np.testing.assert_allclose(inv.cumulative_li_lost, k * (1 - ce) * p, rtol=1e-12)
    assert inv.closed_form_cycles == pytest.approx(closed, rel=1e-9)
    assert inv.exhausted_at_cycle == math.ceil(closed)
    expected_excess = np_ratio * p if lithiated else (np_ratio - 1) * p
    assert inv.excess_mah_cm2 == pytest.approx(expected_excess, rel=1e-12)


def test_exact_crossing_counts() -> None:
    """CE 0.99, N/P 2, lithiated: the loss reaches the excess exactly at cycle 200."""
    inv = li_inventory(0.99, n_cycles=300, np_ratio=2.0, cathode_capacity_mah_cm2=1.0)
    assert inv.exhausted_at_cycle == 200
    assert inv.closed_form_cycles == pytest.approx(200.0, rel=1e-12)


def test_variable_ce_history_against_a_loop() -> None:
    rng = np.random.default_rng(1)
    ce = 0.99 - 0.02 * rng.random(400)
    q = 3.5 + 0.2 * rng.random(400)
    inv = li_inventory(ce, anode_capacity_mah_cm2=10.0, cycled_capacity_mah_cm2=q)
    total, first = 0.0, None
    for k, (c, qk) in enumerate(zip(ce, q, strict=True), start=1):
        total += (1 - c) * qk
        if first is None and total >= 10.0:
            first = k
    assert inv.cumulative_li_lost[-1] == pytest.approx(total, rel=1e-12)
    assert inv.exhausted_at_cycle == first
    assert inv.closed_form_cycles is None  # no cathode capacity: no N/P
    assert inv.mean_ce == pytest.approx(1 - np.sum((1 - ce) * q) / np.sum(q), rel=1e-12)


def test_not_exhausted_within_history() -> None:
    inv = li_inventory([0.999] * 10, li_thickness_um=50.0, cathode_capacity_mah_cm2=3.7)
    assert inv.exhausted_at_cycle is None
    assert inv.cycles.get_column("excess_left_mah_cm2")[-1] > 0
    ideal = li_inventory(1.0, n_cycles=5, np_ratio=2.0, cathode_capacity_mah_cm2=3.0)
    assert ideal.closed_form_cycles == math.inf
    assert ideal.exhausted_at_cycle is None
    assert json.loads(json.dumps(ideal.to_dict()))["closed_form_cycles"] is None


def test_utilisation_below_one() -> None:
    inv = li_inventory(
        0.99, n_cycles=1000, np_ratio=2.0, cathode_capacity_mah_cm2=4.0, cycled_capacity_mah_cm2=3.0
    )
    assert inv.closed_form_cycles == pytest.approx(2.0 / (0.75 * 0.01), rel=1e-9)
    assert inv.exhausted_at_cycle == math.ceil(8.0 / 0.03)


def _cycle(c: int, q_charge_mah: float, q_dis_mah: float) -> list[Segment]:
    i = 1.0e-3
    return [
        Segment(q_charge_mah / 1000 / i * 3600, i, i, 3.6, 4.2, cycle_count=c),
        Segment(q_dis_mah / 1000 / i * 3600, -i, -i, 4.1, 3.0, cycle_count=c),
    ]


def test_cycle_table_input() -> None:
    """Positive working electrode: loss = charge - discharge of each cycle, per area."""
    area = 2.0
    segments = [s for c in range(1, 6) for s in _cycle(c, 4.0, 4.0 * (0.99 - 0.001 * c))]
    table = summarize(
        build(segments),
        CellSpec(working_electrode="positive", area_cm2=area),
        cycle_definition="vendor",
    )
    inv = li_inventory(table, anode_capacity_mah_cm2=1.0, cathode_capacity_mah_cm2=2.0)
    expected = np.cumsum([(4.0 - 4.0 * (0.99 - 0.001 * c)) / area for c in range(1, 6)])
    np.testing.assert_allclose(inv.cumulative_li_lost, expected, rtol=1e-9)
    assert inv.cycles.get_column("cycle").to_list() == [1, 2, 3, 4, 5]
    assert "charge_capacity_mah_cm2" in inv.conventions["cycled_source"]
    # without areal columns the area must be given
    no_area = summarize(
        build(segments), CellSpec(working_electrode="positive"), cycle_definition="vendor"
    )
    with pytest.raises(MissingCellParameterError, match="area_cm2"):
        li_inventory(no_area, anode_capacity_mah_cm2=1.0)
    inv2 = li_inventory(no_area, anode_capacity_mah_cm2=1.0, area_cm2=area)
    np.testing.assert_allclose(inv2.cumulative_li_lost, expected, rtol=1e-9)


def test_negative_working_electrode_table_uses_plating() -> None:
    """Li||Cu-style table: CE = stripping / plating, loss = plating - stripping."""
    segments = []
    for c in range(1, 4):
        i = 1.0e-3
        segments += [
            Segment(3600.0, -i, -i, -0.03, -0.03, cycle_count=c),  # plate 1 mAh
            Segment(3600.0 * 0.95, i, i, 0.03, 0.03, cycle_count=c),  # strip 0.95 mAh
        ]
    table = summarize(
        build(segments),
        CellSpec(working_electrode="negative", area_cm2=1.0),
        cycle_definition="vendor",
    )
    inv = li_inventory(table, anode_capacity_mah_cm2=0.12)
    np.testing.assert_allclose(inv.cumulative_li_lost, [0.05, 0.10, 0.15], rtol=1e-9)
    assert inv.exhausted_at_cycle == 3


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ce": 0.99, "n_cycles": 3}, "exactly once"),
        (
            {"ce": 0.99, "n_cycles": 3, "np_ratio": 2.0, "anode_capacity_mah_cm2": 7.0},
            "exactly once",
        ),
        ({"ce": 0.99, "n_cycles": 3, "np_ratio": 2.0}, "cathode_capacity_mah_cm2"),
        (
            {
                "ce": 99.39,
                "n_cycles": 3,
                "anode_capacity_mah_cm2": 7.0,
                "cathode_capacity_mah_cm2": 3.0,
            },
            "fraction",
        ),
        ({"ce": [0.99, 0.98], "n_cycles": 3, "anode_capacity_mah_cm2": 7.0}, "does not match"),
        ({"ce": [0.99, 0.98], "anode_capacity_mah_cm2": 7.0}, "cycled charge is unknown"),
        (
            {
                "ce": [0.99, 0.98],
                "anode_capacity_mah_cm2": 7.0,
                "cycled_capacity_mah_cm2": [1.0] * 3,
            },
            "3 values for 2 cycles",
        ),
        ({"ce": 0.99, "n_cycles": 2, "anode_capacity_mah_cm2": -1.0}, "anode_capacity"),
        ({"ce": 0.99, "n_cycles": 0, "anode_capacity_mah_cm2": 1.0}, "n_cycles"),
        (
            {
                "ce": 0.99,
                "n_cycles": 2,
                "anode_capacity_mah_cm2": 7.0,
                "cycled_capacity_mah_cm2": 1.0,
                "cathode_lithiated": False,
            },
            "unlithiated",
        ),
    ],
)
def test_bad_input(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(MissingCellParameterError, match=match):
        li_inventory(**kwargs)  # type: ignore[arg-type]


def test_closed_form_bad_input() -> None:
    with pytest.raises(MissingCellParameterError, match="ce"):
        cycles_to_li_exhaustion(1.2, 2.0)
    with pytest.raises(MissingCellParameterError, match="np_ratio"):
        cycles_to_li_exhaustion(0.99, 0.0)
    assert cycles_to_li_exhaustion(0.99, 0.8, cathode_lithiated=False) == 0.0


def test_no_excess_is_noted() -> None:
    inv = li_inventory(
        0.99, n_cycles=3, np_ratio=1.0, cathode_capacity_mah_cm2=3.0, cathode_lithiated=False
    )
    assert inv.excess_mah_cm2 == 0.0
    assert inv.exhausted_at_cycle == 1
    assert any("no Li excess" in n for n in inv.notes)
