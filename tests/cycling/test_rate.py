"""Rate capability: block detection on a generated rate test, and the seed's S21 arithmetic."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from elyte.cycling import (
    CellSpec,
    CyclingDataError,
    detect_rate_blocks,
    rate_capability,
    rate_retention,
    summarize,
)
from elyte.io import neware
from tests.conftest import shared_file
from tests.cycling import Segment, build

NOMINAL_AH = 4e-3
MASS_G = 0.02  # 4 mAh / 0.02 g = 200 mAh/g nominal

# (C-rate, discharge capacities in mAh of the cycles of the block)
PLAN = [
    (0.1, [4.00, 3.98, 3.96]),
    (0.2, [3.90, 3.90, 3.88]),
    (0.5, [3.70, 3.69, 3.68]),
    (1.0, [3.40, 3.39, 3.38]),
    (0.1, [3.95, 3.94]),
]


def _rate_test(jitter: float = 0.0) -> tuple[list[Segment], list[float]]:
    rng = np.random.default_rng(11)
    segments: list[Segment] = []
    capacities: list[float] = []
    cycle = 0
    for c_rate, block in PLAN:
        for q_mah in block:
            cycle += 1
            current = c_rate * NOMINAL_AH * (1 + jitter * rng.uniform(-1, 1))
            t_dis = q_mah * 1e-3 / current * 3600
            t_chg = 1.01 * t_dis
            segments += [
                Segment(t_chg, current, current, 3.6, 4.3, 6, cycle),
                Segment(300.0, 0.0, 0.0, 4.3, 4.2, 2, cycle),
                Segment(t_dis, -current, -current, 4.1, 2.8, 6, cycle),
                Segment(300.0, 0.0, 0.0, 2.8, 3.2, 2, cycle),
            ]
            capacities.append(q_mah)
    return segments, capacities


@pytest.mark.parametrize(
    ("q_low", "q_high", "printed"),
    [(212.3, 186.6, 87.9), (208.6, 177.3, 85.0)],
)
def test_seed_s21_arithmetic(q_low: float, q_high: float, printed: float) -> None:
    """The seed's Fig. S21 numbers (1 C vs 0.1 C) are the independent golden source."""
    assert round(100 * rate_retention(q_low, q_high), 1) == printed


def test_rate_capability_on_generated_rate_test() -> None:
    """Golden: the block means of the capacities the profile was built with.

    Each cycle's currents carry a ±1 % jitter, which the 5 % tolerance must absorb.
    """
    segments, _ = _rate_test(jitter=0.01)
    cell = CellSpec(
        working_electrode="positive", active_mass_g=MASS_G, nominal_capacity_ah=NOMINAL_AH
    )
    table = summarize(build(segments), cell, cycle_definition="vendor")
    blocks = detect_rate_blocks(table)
    assert blocks["block"].to_list() == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5]
    result = rate_capability(table, capacity_column="discharge_capacity_mah_g")
    d = result.data
    assert d["block"].to_list() == [1, 2, 3, 4, 5]
    assert d["first_cycle"].to_list() == [1, 4, 7, 10, 13]
    assert d["n_cycles"].to_list() == [3, 3, 3, 3, 2]
    means_mah_g = [np.mean(block) / MASS_G for _, block in PLAN]
    np.testing.assert_allclose(d["mean_capacity"].to_numpy(), means_mah_g, rtol=1e-9)
    np.testing.assert_allclose(d["c_rate"].to_numpy(), [0.1, 0.2, 0.5, 1.0, 0.1], rtol=0.011)
    assert result.reference_block == 1
    np.testing.assert_allclose(
        d["retention_vs_lowest"].to_numpy(), np.array(means_mah_g) / means_mah_g[0], rtol=1e-9
    )
    assert result.capacity_unit == "mAh/g"
    json.dumps(result.to_dict())


def test_tolerance_and_skip_first() -> None:
    segments, _ = _rate_test(jitter=0.01)
    table = summarize(
        build(segments), CellSpec(working_electrode="positive"), cycle_definition="vendor"
    )
    strict = detect_rate_blocks(table, relative_tolerance=0.001)
    assert strict["block"].n_unique() > 5  # jitter splits blocks at 0.1 %
    skipped = rate_capability(table, skip_first=1)
    # default column: delivered (discharge) capacity in Ah
    assert skipped.capacity_column == "discharge_capacity_ah"
    means = [np.mean(block[1:]) * 1e-3 for _, block in PLAN]
    np.testing.assert_allclose(skipped.data["mean_capacity"].to_numpy(), means, rtol=1e-9)
    assert skipped.data["n_cycles"].to_list() == [3, 3, 3, 3, 2]
    assert skipped.data["n_averaged"].to_list() == [2, 2, 2, 2, 1]


def test_rate_errors() -> None:
    segments, _ = _rate_test()
    table = summarize(
        build(segments), CellSpec(working_electrode="positive"), cycle_definition="vendor"
    )
    with pytest.raises(CyclingDataError):
        detect_rate_blocks(table, relative_tolerance=0.0)
    with pytest.raises(CyclingDataError, match="no column"):
        rate_capability(table, capacity_column="discharge_capacity_furlongs")
    with pytest.raises(CyclingDataError, match="capacity_column"):
        rate_capability(table.data)
    with pytest.raises(CyclingDataError, match="skip_first"):
        rate_capability(table, skip_first=-1)


@pytest.mark.realdata
def test_rate_blocks_on_real_neware_rate_test() -> None:
    """test_2.ndax is a real rate test (79 µA to 3.17 mA, then long runs at 317 µA).

    Reference: fastnda's golden table of the same file: the discharge current of every
    "CC DChg" step, per "Cycle Index"; a block boundary is wherever that current changes.
    The mean capacity per block is compared with the golden per-step capacities.
    """
    rec = neware.read(shared_file("neware", "test_2.ndax"), cycle_mode="chg")
    gold = pl.read_parquet(shared_file("neware", "test_2.parquet"))
    steps = (
        gold.filter(pl.col("Step Type").cast(pl.String).str.contains("DChg"))
        .group_by("Step Count")
        .agg(
            pl.first("Cycle Index").cast(pl.Int64).alias("cycle"),
            pl.col("Current(uA)").cast(pl.Float64).abs().median().alias("i_ua"),
            (pl.col("Capacity(mAs)").cast(pl.Float64).abs().max() / 3.6e6).alias("q"),
        )
        .sort("cycle")
    )
    boundaries = (steps["i_ua"] != steps["i_ua"].shift(1)).fill_null(True)
    want_blocks = boundaries.cast(pl.Int64).cum_sum().to_list()

    table = summarize(rec, CellSpec(working_electrode="positive"), cycle_definition="vendor")
    blocks = detect_rate_blocks(table)
    assert blocks["cycle"].to_list() == steps["cycle"].to_list()
    assert blocks["block"].to_list() == want_blocks
    result = rate_capability(table)
    want = (
        steps.with_columns(pl.Series("block", want_blocks))
        .group_by("block")
        .agg(pl.col("q").mean(), pl.col("i_ua").first())
        .sort("block")
    )
    np.testing.assert_allclose(result.data["mean_capacity"], want["q"], rtol=1e-6, atol=1e-10)
    # the golden "Current(uA)" is rounded to whole µA (79 for a current the capacity counter
    # shows to be 79.19 µA), hence 0.3 %
    np.testing.assert_allclose(result.data["current_a"], want["i_ua"] * 1e-6, rtol=3e-3)
    assert result.reference_block == 1  # the first 79 µA block
