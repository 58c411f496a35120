"""Retention and life metrics: the seed's arithmetic and analytic fade curves."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from elyte.cycling import (
    CellSpec,
    CyclingDataError,
    average_ce,
    capacity_retention,
    cycles_to_threshold,
    detect_sudden_failure,
    fade_rate,
    retention,
    summarize,
)
from tests.cycling import Segment, build

# (q_ref, q_n, retention % as printed) from the seed paper's text (Fig. S23, S26 a-b, S26 d-e).
SEED = [
    (204.1, 194.7, 95.4),
    (175.2, 169.8, 96.9),
    (202.9, 177.1, 87.2),
]


@pytest.mark.parametrize(("q_ref", "q_n", "printed"), SEED)
def test_seed_retention_arithmetic(q_ref: float, q_n: float, printed: float) -> None:
    """The seed paper's retention numbers are the independent golden source.

    The capacities are printed to 0.1 mAh/g, so the exact ratio of the unrounded values
    lies between (q_n - 0.05)/(q_ref + 0.05) and (q_n + 0.05)/(q_ref - 0.05); the printed
    percentage (itself rounded to 0.1 %) must fall in that interval widened by 0.05 %.
    """
    value = 100 * retention(q_ref, q_n)
    low = 100 * retention(q_ref + 0.05, q_n - 0.05) - 0.05
    high = 100 * retention(q_ref - 0.05, q_n + 0.05) + 0.05
    assert low <= printed <= high
    assert value == pytest.approx(printed, abs=0.1)


def test_seed_retention_rounding() -> None:
    """Two of the three printed values are the rounded ratio of the printed capacities.

    The third, 87.2 % for 177.1/202.9, is not: the ratio is 87.284 %, which rounds to
    87.3 %; the seed must have divided unrounded capacities (e.g. 177.06/202.94 = 87.25 %).
    """
    assert round(100 * retention(204.1, 194.7), 1) == 95.4
    assert round(100 * retention(175.2, 169.8), 1) == 96.9
    assert round(100 * retention(202.9, 177.1), 1) == 87.3


def test_retention_rejects_bad_reference() -> None:
    with pytest.raises(CyclingDataError):
        retention(0.0, 1.0)
    with pytest.raises(CyclingDataError):
        retention(1.0, float("nan"))


def _linear_fade(slope: float, n: int = 120, q0: float = 200.0) -> pl.DataFrame:
    cycles = np.arange(1, n + 1)
    return pl.DataFrame(
        {
            "cycle": cycles,
            "discharge_capacity_mah_g": q0 - slope * (cycles - 1),
            "coulombic_efficiency": np.full(n, 0.999),
        }
    )


def test_capacity_retention_and_cycles_to_80() -> None:
    """Golden: a line q = 200 - 0.7·(n - 1) reaches 160 (80 %) at n = 1 + 40/0.7 exactly."""
    frame = _linear_fade(0.7)
    r = capacity_retention(frame, 41, reference_cycle=1, column="discharge_capacity_mah_g")
    assert r.retention == pytest.approx((200 - 28) / 200, rel=1e-12)
    assert r.to_dict()["retention_percent"] == pytest.approx(86.0)
    assert r.unit == "mAh/g"
    hit = cycles_to_threshold(frame, 0.8, reference_cycle=1, column="discharge_capacity_mah_g")
    assert hit.cycle == pytest.approx(1 + 40 / 0.7, rel=1e-12)
    assert hit.bracket == (58, 59)
    assert hit.reason is None
    exact = cycles_to_threshold(
        _linear_fade(0.5), 0.8, reference_cycle=1, column="discharge_capacity_mah_g"
    )
    assert exact.cycle == pytest.approx(81.0)
    json.dumps(hit.to_dict())


def test_cycles_to_80_never_reached() -> None:
    frame = _linear_fade(0.1)
    result = cycles_to_threshold(frame, reference_cycle=1, column="discharge_capacity_mah_g")
    assert result.cycle is None
    assert "never fell to 80 %" in (result.reason or "")
    assert result.lowest_retention == pytest.approx((200 - 11.9) / 200)


def test_reference_after_formation() -> None:
    """Retention relative to cycle 3 (after two formation cycles at other rates)."""
    frame = _linear_fade(1.0).with_columns(
        pl.when(pl.col("cycle") < 3)
        .then(150.0)
        .otherwise(pl.col("discharge_capacity_mah_g"))
        .alias("discharge_capacity_mah_g")
    )
    hit = cycles_to_threshold(frame, reference_cycle=3, column="discharge_capacity_mah_g")
    # q(3) = 198, 80 % = 158.4 = 200 - (n - 1) -> n = 42.6
    assert hit.cycle == pytest.approx(42.6, rel=1e-12)


def test_fade_rate_matches_independent_least_squares() -> None:
    """Golden: numpy.polyfit (with covariance scaled by chi²/(n-2)) on the same points."""
    rng = np.random.default_rng(3)
    frame = _linear_fade(0.3).with_columns(
        pl.col("discharge_capacity_mah_g") + pl.Series(rng.normal(0, 0.5, 120))
    )
    result = fade_rate(
        frame, reference_cycle=1, column="discharge_capacity_mah_g", first=10, last=110
    )
    sub = frame.filter(pl.col("cycle").is_between(10, 110))
    q_ref = float(frame["discharge_capacity_mah_g"][0])
    y = 100 * sub["discharge_capacity_mah_g"].to_numpy() / q_ref
    coef, cov = np.polyfit(sub["cycle"].to_numpy().astype(float), y, 1, cov=True)
    assert result.fade_percent_per_cycle == pytest.approx(-coef[0], rel=1e-10)
    assert result.stderr_percent_per_cycle == pytest.approx(np.sqrt(cov[0, 0]), rel=1e-8)
    assert result.n_cycles == 101
    assert result.unit == "%/cycle"


def test_fade_rate_exact_line() -> None:
    result = fade_rate(_linear_fade(0.5), reference_cycle=1, column="discharge_capacity_mah_g")
    assert result.fade_percent_per_cycle == pytest.approx(0.25, rel=1e-12)
    assert result.stderr_percent_per_cycle == pytest.approx(0.0, abs=1e-12)
    assert result.r_squared == pytest.approx(1.0)
    with pytest.raises(CyclingDataError, match="at least 2"):
        fade_rate(
            _linear_fade(0.5), first=200, reference_cycle=1, column="discharge_capacity_mah_g"
        )


def test_average_ce() -> None:
    frame = pl.DataFrame(
        {"cycle": [1, 2, 3, 4, 5], "coulombic_efficiency": [0.85, 0.99, 0.995, None, 1.0]}
    )
    all_cycles = average_ce(frame)
    assert all_cycles.mean == pytest.approx((0.85 + 0.99 + 0.995 + 1.0) / 4)
    assert all_cycles.n_cycles == 4
    after_formation = average_ce(frame, first=2, last=5)
    assert after_formation.mean == pytest.approx((0.99 + 0.995 + 1.0) / 3)
    assert after_formation.minimum == pytest.approx(0.99)
    assert after_formation.to_dict()["mean_percent"] == pytest.approx(99.5)
    with pytest.raises(CyclingDataError):
        average_ce(frame, first=4, last=4)


def test_sudden_failure() -> None:
    """Flat at 200 until cycle 30, then 180, 160, 150: the 25 % drop at cycle 33 trips it."""
    q = [200.0] * 30 + [180.0, 160.0, 150.0, 100.0]
    frame = pl.DataFrame({"cycle": range(1, len(q) + 1), "discharge_capacity_ah": q})
    hit = detect_sudden_failure(frame, drop_threshold=0.2, window=5, column="discharge_capacity_ah")
    assert hit.detected
    assert hit.cycle == 33
    assert hit.from_cycle == 30
    assert hit.drop == pytest.approx(0.25)
    # with a window of 1, no single-cycle step exceeds 20 % until 150 -> 100
    narrow = detect_sudden_failure(
        frame, drop_threshold=0.2, window=1, column="discharge_capacity_ah"
    )
    assert narrow.cycle == 34
    smooth = detect_sudden_failure(_linear_fade(0.5), column="discharge_capacity_mah_g")
    assert not smooth.detected
    assert smooth.cycle is None
    assert smooth.to_dict()["window"] == 5
    with pytest.raises(CyclingDataError):
        detect_sudden_failure(frame, drop_threshold=1.5, column="discharge_capacity_ah")
    with pytest.raises(CyclingDataError):
        detect_sudden_failure(frame, window=0, column="discharge_capacity_ah")


def test_dataframe_needs_explicit_column_and_reference() -> None:
    frame = _linear_fade(0.5)
    with pytest.raises(CyclingDataError, match="column"):
        capacity_retention(frame, 5, reference_cycle=1)
    with pytest.raises(CyclingDataError, match="reference_cycle"):
        capacity_retention(frame, 5, column="discharge_capacity_mah_g")
    with pytest.raises(CyclingDataError, match="cycle 500"):
        capacity_retention(frame, 500, reference_cycle=1, column="discharge_capacity_mah_g")


def test_metrics_on_a_cycle_table_use_its_conventions() -> None:
    """A CycleTable supplies the reference cycle and the delivered-capacity column.

    Golden: generated cycles with discharge capacities 1.0, 0.9, 0.8 mAh (1 mA for 3600,
    3240, 2880 s) after a 1.1 mAh charge.
    """
    segments = []
    for c, t_dis in enumerate((3600.0, 3240.0, 2880.0), start=1):
        segments += [
            Segment(3960.0, 1e-3, 1e-3, 3.5, 4.2, 8, c),
            Segment(t_dis, -1e-3, -1e-3, 4.1, 3.0, 8, c),
        ]
    table = summarize(
        build(segments),
        CellSpec(working_electrode="positive", active_mass_g=0.005),
        cycle_definition="vendor",
        reference_cycle=2,
    )
    r = capacity_retention(table, 3)
    assert r.reference_cycle == 2
    assert r.column == "discharge_capacity_ah"
    assert r.retention == pytest.approx(0.8 / 0.9, rel=1e-9)
    ce = average_ce(table)
    assert ce.mean == pytest.approx((1.0 + 0.9 + 0.8) / 3 / 1.1, rel=1e-9)
    assert ce.cumulative == pytest.approx(2.7 / 3.3, rel=1e-9)
    fade = fade_rate(table)
    assert fade.first_cycle == 2
    assert fade.n_cycles == 2
    assert fade.fade_percent_per_cycle == pytest.approx(100 * 0.1 / 0.9, rel=1e-9)
