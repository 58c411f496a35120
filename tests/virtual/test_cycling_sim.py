"""Round trips of the cathode/Li cycling simulators through vendor files and summarize.

Golden values are the simulator's imposed capacities (ground truth), not analysis output.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import elyte
from elyte.cycling import summarize
from elyte.cycling.cell import CellSpec
from elyte.virtual import write_landt_csv, write_mpt
from elyte.virtual.cycling import cathode_li_cycling, ocv, rate_capability


def test_ocv_published_points() -> None:
    """Spot values of the two published fits, computed by hand from their formulas."""
    y = 0.5
    ncm = (
        -0.8090 * y
        + 4.4875
        - 0.0428 * np.tanh(18.5138 * (y - 0.5542))
        - 17.7326 * np.tanh(15.7890 * (y - 0.3117))
        + 17.5842 * np.tanh(15.9308 * (y - 0.3120))
    )
    assert ocv("NCM811", np.array([y]))[0] == pytest.approx(ncm, rel=1e-12)
    y2 = 0.8**2
    lco = (
        -4.656 + 88.669 * y2 - 401.119 * y2**2 + 342.909 * y2**3 - 462.471 * y2**4 + 433.434 * y2**5
    ) / (-1 + 18.933 * y2 - 79.532 * y2**2 + 37.311 * y2**3 - 73.083 * y2**4 + 95.96 * y2**5)
    assert ocv("LiCoO2", np.array([0.8]))[0] == pytest.approx(lco, rel=1e-12)
    for material in ("NCM811", "LiCoO2"):
        v = ocv(material, np.linspace(0.5, 0.9, 50))  # type: ignore[arg-type]
        assert np.all(np.diff(v) < 0)  # lithiating the cathode lowers its potential


@pytest.mark.parametrize("fmt", ["mpt", "csv"])
@pytest.mark.parametrize("material", ["NCM811", "LiCoO2"])
def test_cycling_round_trip_capacities(tmp_path: Path, fmt: str, material: str) -> None:
    """Per-cycle charge and discharge capacities recovered to 0.1 % from the written file."""
    rec, truth = cathode_li_cycling(material=material, n_cycles=20, seed=4)  # type: ignore[arg-type]
    writer = write_mpt if fmt == "mpt" else write_landt_csv
    back = elyte.read(writer(rec, tmp_path / f"cyc.{fmt}"))
    cell = CellSpec(working_electrode="positive", nominal_capacity_ah=truth.nominal_capacity_ah)
    table = summarize(back, cell, cycle_definition="vendor")
    np.testing.assert_allclose(
        table.data["discharge_capacity_ah"], truth.discharge_capacity_ah, rtol=1e-3
    )
    np.testing.assert_allclose(
        table.data["charge_capacity_ah"], truth.charge_capacity_ah, rtol=1e-3
    )


def test_more_cycles_less_capacity() -> None:
    """Capacity fades monotonically with cycling."""
    _, truth = cathode_li_cycling(n_cycles=30)
    assert np.all(np.diff(truth.discharge_capacity_ah) < 0)


def test_lower_ce_earlier_failure() -> None:
    """A lower Li CE exhausts the Li excess earlier: the knee and the inventory cycle move."""
    _, good = cathode_li_cycling(n_cycles=60, li_ce=0.99, np_ratio=0.3)
    _, bad = cathode_li_cycling(n_cycles=60, li_ce=0.98, np_ratio=0.3)
    assert bad.li_exhaustion_cycle < good.li_exhaustion_cycle

    def knee(q: tuple[float, ...]) -> int:
        drops = -np.diff(q) / q[0]
        return int(np.argmax(drops > 0.005)) + 2

    assert knee(bad.discharge_capacity_ah) < knee(good.discharge_capacity_ah)
    # the knee follows the inventory cycle once the rate-limited capacity exceeds the Li left
    assert 0 <= knee(bad.discharge_capacity_ah) - bad.li_exhaustion_cycle <= 5


def test_rate_capability_round_trip(tmp_path: Path) -> None:
    """Higher rate, lower capacity; capacities per cycle recovered to 0.1 % via LAND CSV."""
    rec, truth = rate_capability(cycles_per_rate=2, seed=1)
    back = elyte.read(write_landt_csv(rec, tmp_path / "rate.csv"))
    cell = CellSpec(working_electrode="positive", nominal_capacity_ah=truth.nominal_capacity_ah)
    table = summarize(back, cell, cycle_definition="vendor")
    np.testing.assert_allclose(
        table.data["discharge_capacity_ah"], truth.discharge_capacity_ah, rtol=1e-3
    )
    q = np.array(truth.discharge_capacity_ah)
    assert q[6] < q[0]  # 1 C < 0.1 C
    assert q[10] < q[6]  # 5 C < 1 C


def test_cold_raises_resistance_and_cuts_capacity() -> None:
    """Arrhenius: at -10 °C the resistance is higher and the 2 C capacity lower."""
    _, warm = cathode_li_cycling(n_cycles=2, c_rate=2.0, temperature_c=25.0)
    _, cold = cathode_li_cycling(n_cycles=2, c_rate=2.0, temperature_c=-10.0)
    assert cold.resistance_ohm > warm.resistance_ohm
    assert cold.discharge_capacity_ah[0] < warm.discharge_capacity_ah[0]


def test_deterministic() -> None:
    """Same seed, same recording."""
    a, _ = cathode_li_cycling(n_cycles=3, seed=7)
    b, _ = cathode_li_cycling(n_cycles=3, seed=7)
    assert a.data.equals(b.data)
    assert a.meta.simulated
