"""Time PyProBE's cycling summary on the benchmark input.

Run by ``bench_cycling.py`` with the Python of the PyProBE environment. The canonical
columns become a PyProBE table (``Time [s]``, ``Step``, ``Event``, ``Current [A]``,
``Voltage [V]``, ``Capacity [Ah]``, the last being the net charge passed since the start)
before the clock starts. Timed: building a ``Procedure`` from that table,
``pyprobe.analysis.cycling.summary`` on it, and collecting the lazy result.

PyProBE finds cycles where the step number decreases (no README cycle details are given),
so its cycles are numbered from 0; its charge (discharge) capacity of a cycle is the range
of the net capacity over the cycle's charging (discharging) rows.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from _common import PerCycle, run_peer


def prepare(columns: dict[str, np.ndarray]) -> Any:
    import polars as pl

    return pl.DataFrame(
        {
            "Time [s]": columns["test_time_second"],
            "Step": columns["step_id"].astype(np.int64),
            "Event": columns["step_count"].astype(np.int64),
            "Current [A]": columns["current_ampere"],
            "Voltage [V]": columns["voltage_volt"],
            "Capacity [Ah]": columns["charging_capacity_ah"] - columns["discharging_capacity_ah"],
        }
    )


def summarise(frame: Any) -> Any:
    from pyprobe.analysis.cycling import summary
    from pyprobe.filters import Procedure

    with warnings.catch_warnings():
        # "No cycle information provided. Cycles will be inferred from the step numbers."
        warnings.simplefilter("ignore", UserWarning)
        procedure = Procedure(lf=frame, info={}, readme_dict={})
        return summary(procedure).data


def extract(result: Any) -> PerCycle:
    return (
        result.get_column("Cycle").to_list(),
        result.get_column("Charge Capacity [Ah]").to_list(),
        result.get_column("Discharge Capacity [Ah]").to_list(),
    )


if __name__ == "__main__":
    from loguru import logger

    logger.remove()  # PyProBE logs through loguru; keep the benchmark output clean
    raise SystemExit(
        run_peer(
            tool="PyProBE",
            packages=("PyProBE-Data", "polars"),
            timed="Procedure(lf=table) + pyprobe.analysis.cycling.summary + collect",
            untimed="building the PyProBE table (net capacity = charging - discharging)",
            numbering="from 0, a new cycle where the step number decreases",
            prepare=prepare,
            summarise=summarise,
            extract=extract,
        )
    )
