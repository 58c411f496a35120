"""Plumbing shared by the peer runners: read the input, time the summary, write JSON.

A runner is started by ``benchmarks/bench_cycling.py`` with the Python of the peer's own
virtual environment (see ``benchmarks/setup_peers.sh``), so this file must work on every
Python those environments use (3.11 and 3.13) and may import nothing but numpy and the
standard library.

The input is an ``.npz`` archive of plain arrays named as elyte's canonical columns
(``test_time_second``, ``current_ampere``, ...). Each runner turns the arrays into the
table its tool takes (untimed), then times only the tool's own cycle-summary call(s).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

#: Per-cycle result of a peer: cycle numbers as the peer numbers them, charge and
#: discharge capacity in Ah (None where the peer reports none for that cycle).
PerCycle = tuple[list[int], list[float | None], list[float | None]]


def load_columns(path: str) -> dict[str, np.ndarray]:
    """Read the benchmark input: one array per canonical column."""
    with np.load(path, allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def package_version(name: str) -> str:
    """Installed version of a distribution, or ``"?"``."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if np.isfinite(number) else None


def run_peer(
    *,
    tool: str,
    packages: tuple[str, ...],
    timed: str,
    untimed: str,
    numbering: str,
    prepare: Callable[[dict[str, np.ndarray]], Any],
    summarise: Callable[[Any], Any],
    extract: Callable[[Any], PerCycle],
    extra: Callable[[], dict[str, Any]] | None = None,
) -> int:
    """Run one peer: prepare its input, time ``summarise`` and write the result as JSON.

    The first call of ``summarise`` warms up (imports, caches, lazy compilation) and is
    reported apart; the next ``--repeat`` calls are the timed runs. The capacities come
    from the last call. ``extra`` adds entries to the JSON (called after the runs).
    """
    parser = argparse.ArgumentParser(description=f"time the cycle summary of {tool}")
    parser.add_argument("input", help=".npz archive written by bench_cycling.py")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs after the warm-up")
    parser.add_argument("--out", required=True, help="JSON file to write")
    args = parser.parse_args()

    columns = load_columns(args.input)
    start = time.perf_counter()
    prepared = prepare(columns)
    prepare_s = time.perf_counter() - start

    start = time.perf_counter()
    result = summarise(prepared)
    warmup_s = time.perf_counter() - start
    times: list[float] = []
    for _ in range(max(args.repeat, 1)):
        start = time.perf_counter()
        result = summarise(prepared)
        times.append(time.perf_counter() - start)

    cycles, charge, discharge = extract(result)
    payload = {
        "tool": tool,
        "versions": {name: package_version(name) for name in packages},
        "python": platform.python_version(),
        "timed": timed,
        "untimed": untimed,
        "numbering": numbering,
        "rows": int(next(iter(columns.values())).size),
        "prepare_s": prepare_s,
        "warmup_s": warmup_s,
        "times_s": times,
        "cycles": [int(c) for c in cycles],
        "charge_ah": [_number(v) for v in charge],
        "discharge_ah": [_number(v) for v in discharge],
    }
    if extra is not None:
        payload.update(extra())
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(payload, handle)
    return 0
