"""Time navani's cycle summary on the benchmark input.

Run by ``bench_cycling.py`` with the Python of the navani environment. navani reads a
Battery Data Format table with ``navani.bdf.bdf_processing``, which labels every row as
charge, discharge or rest from the sign of the current, counts half cycles and makes the
per-half-cycle ``Capacity`` (mAh) from the cumulative charging and discharging capacity
columns; ``navani.echem.cycle_summary`` then reports per full cycle (= ceil(half cycle / 2)).

elyte's canonical columns are BDF's machine-readable names, so the input needs no
conversion: a pandas DataFrame of them is built before the clock starts. Both navani steps
are timed, since together they do what ``elyte.cycling.summarize`` does from the same
columns (the benchmark also reports ``cycle_summary`` alone).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from _common import PerCycle, run_peer

_PHASES: dict[str, list[float]] = {"bdf_processing": [], "cycle_summary": []}


def prepare(columns: dict[str, np.ndarray]) -> Any:
    import pandas as pd

    names = (
        "test_time_second",
        "voltage_volt",
        "current_ampere",
        "cycle_count",
        "step_count",
        "charging_capacity_ah",
        "discharging_capacity_ah",
    )
    return pd.DataFrame({name: columns[name] for name in names})


def summarise(frame: Any) -> Any:
    from navani.bdf import bdf_processing
    from navani.echem import cycle_summary

    start = time.perf_counter()
    processed = bdf_processing(frame)
    middle = time.perf_counter()
    summary = cycle_summary(processed)
    _PHASES["bdf_processing"].append(middle - start)
    _PHASES["cycle_summary"].append(time.perf_counter() - middle)
    return summary


def extract(summary: Any) -> PerCycle:
    cycles = [int(c) for c in summary.index]
    charge = [None if v != v else float(v) / 1000.0 for v in summary["Charge Capacity"]]
    discharge = [None if v != v else float(v) / 1000.0 for v in summary["Discharge Capacity"]]
    return cycles, charge, discharge


def phases() -> dict[str, Any]:
    # the first entry of each phase is the warm-up; the timed runs follow
    return {"phases_s": {name: values[1:] for name, values in _PHASES.items()}}


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")  # np.trapz deprecation and pandas chained assignment
    raise SystemExit(
        run_peer(
            tool="navani",
            packages=("navani", "pandas", "numpy"),
            timed="navani.bdf.bdf_processing + navani.echem.cycle_summary",
            untimed="building a pandas DataFrame of the canonical (BDF-named) columns",
            numbering="full cycle = ceil(half cycle / 2); half cycles count changes of "
            "current sign, rest ignored; rows before the first charge are cycle 0",
            prepare=prepare,
            summarise=summarise,
            extract=extract,
            extra=phases,
        )
    )
