"""Time cellpy's per-cycle summary (its engine, cellpy-core) on the benchmark input.

Run by ``bench_cycling.py`` with the Python of the cellpy environment. cellpy 2.x does its
step and cycle summaries in the cellpy-core package; this runner uses that engine's public
entry for a table that is already in memory: ``Data.from_raw_frame`` (validation) →
``make_step_table`` → ``make_summary``.

cellpy-core's raw schema wants capacities that restart at every cycle (its "harmonized
raw" convention), a nanosecond epoch timestamp and a data-point counter. Those columns are
made from the canonical ones before the clock starts, the way a cellpy loader would deliver
them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from _common import PerCycle, run_peer


def prepare(columns: dict[str, np.ndarray]) -> Any:
    import polars as pl

    cycle = columns["cycle_count"].astype(np.int64)
    starts = np.flatnonzero(np.r_[True, cycle[1:] != cycle[:-1]])
    lengths = np.diff(np.r_[starts, cycle.size])

    def per_cycle(total: np.ndarray) -> np.ndarray:
        # counters from the start of the test -> counters from the start of each cycle
        return total - np.repeat(total[starts], lengths)

    epoch_ns = (1.7e9 + columns["test_time_second"]) * 1e9
    return pl.DataFrame(
        {
            "datapoint_num": np.arange(1, cycle.size + 1, dtype=np.int64),
            "epoch_time_utc": epoch_ns.astype(np.int64),
            "test_time": columns["test_time_second"],
            "step_time": columns["step_time_second"],
            "cycle_num": cycle,
            "step_num": columns["step_id"].astype(np.int64),
            "potential": columns["voltage_volt"],
            "current": columns["current_ampere"],
            "cumulative_charge_capacity": per_cycle(columns["charging_capacity_ah"]),
            "cumulative_discharge_capacity": per_cycle(columns["discharging_capacity_ah"]),
        }
    )


def summarise(raw: Any) -> Any:
    from cellpycore import Data, make_step_table, make_summary

    data = Data.from_raw_frame(raw)
    data = make_step_table(data)
    data = make_summary(data)
    return data.summary


def extract(summary: Any) -> PerCycle:
    return (
        summary.get_column("cycle_num").to_list(),
        summary.get_column("charge_capacity").to_list(),
        summary.get_column("discharge_capacity").to_list(),
    )


if __name__ == "__main__":
    raise SystemExit(
        run_peer(
            tool="cellpy",
            packages=("cellpy", "cellpycore", "polars"),
            timed="cellpycore Data.from_raw_frame + make_step_table + make_summary",
            untimed="building the harmonized raw frame (per-cycle capacity counters, "
            "epoch ns, data-point numbers)",
            numbering="the vendor cycle counter (cycle_num = cycle_count)",
            prepare=prepare,
            summarise=summarise,
            extract=extract,
        )
    )
