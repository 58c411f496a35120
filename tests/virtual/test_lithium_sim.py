"""Round trips of the Li-metal simulators through vendor files, readers and analyses.

Golden values are the simulation inputs (ground truth the simulator imposes), never values
computed by the analysis under test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import elyte
from elyte.lithium import analyse_symmetric, modified_aurbach_ce
from elyte.virtual import write_landt_csv, write_mpt
from elyte.virtual.lithium import li_cu_aurbach, li_li_cycling


@pytest.mark.parametrize("ce", [0.95, 0.985, 0.995])
@pytest.mark.parametrize("fmt", ["mpt", "landt"])
def test_li_cu_round_trip_recovers_ce(tmp_path: Path, ce: float, fmt: str) -> None:
    """CE (±0.05 % abs), Q1-Q4 (0.1 %) and formation CE recovered from the written file."""
    rec, truth = li_cu_aurbach(ce=ce, seed=3)
    writer = write_mpt if fmt == "mpt" else write_landt_csv
    back = elyte.read(writer(rec, tmp_path / f"licu.{'mpt' if fmt == 'mpt' else 'csv'}"))
    res = modified_aurbach_ce(back, area_cm2=truth.area_cm2)
    assert res.ce == pytest.approx(truth.ce, abs=5e-4)
    for name in ("q1_ah", "q2_ah", "q3_ah", "q4_ah"):
        assert getattr(res, name) == pytest.approx(getattr(truth, name), rel=1e-3)
    assert res.formation_ce == pytest.approx(truth.formation_ce, abs=5e-4)
    assert res.protocol.n_cycles == truth.n_cycles


def test_li_cu_deterministic_and_marked() -> None:
    """Same seed, same data; another seed, other noise; recordings are marked simulated."""
    a, _ = li_cu_aurbach(seed=1)
    b, _ = li_cu_aurbach(seed=1)
    c, _ = li_cu_aurbach(seed=2)
    assert a.data.equals(b.data)
    assert not a.data.equals(c.data)
    assert a.meta.simulated


def test_li_cu_lower_ce_less_final_strip() -> None:
    """Lower CE leaves less Li for the final strip (and so the cell dies earlier)."""
    _, hi = li_cu_aurbach(ce=0.99)
    _, lo = li_cu_aurbach(ce=0.96)
    assert lo.q4_ah < hi.q4_ah


def test_li_cu_rejects_impossible_ce() -> None:
    """A CE so low that Q4 would be negative is refused."""
    with pytest.raises(ValueError, match="final strip"):
        li_cu_aurbach(ce=0.5)


@pytest.mark.parametrize("short", [None, "soft", "hard"])
def test_li_li_round_trip(tmp_path: Path, short: str | None) -> None:
    """Plateau overpotentials (±0.3 mV), capacity (0.1 %) and the imposed short recovered."""
    rec, truth = li_li_cycling(short=short, short_time_h=12.0, seed=5)  # type: ignore[arg-type]
    back = elyte.read(write_mpt(rec, tmp_path / "lili.mpt"))
    res = analyse_symmetric(back, area_cm2=truth.area_cm2)
    assert res.areal_capacity_mah_cm2 == pytest.approx(truth.half_cycle_capacity_mah_cm2, rel=1e-3)
    n_before = 12  # half-cycles before the short (12 h at 1 h each)
    np.testing.assert_allclose(
        res.half_cycles["plateau_overpotential_v"].to_numpy()[:n_before],
        truth.plateau_overpotential_v[:n_before],
        atol=3e-4,
    )
    assert res.hard_short.detected == (short == "hard")
    assert res.soft_short.detected == (short == "soft")
    if short is not None:
        assert res.failure is not None
        assert truth.short_time_s is not None
        assert res.failure.time_s == pytest.approx(truth.short_time_s, abs=600.0)


def test_li_li_overpotential_grows() -> None:
    """With positive growth the late plateaus exceed the early ones."""
    _, truth = li_li_cycling(growth_v_per_h=5e-4)
    assert truth.plateau_overpotential_v[-1] > truth.plateau_overpotential_v[0]
