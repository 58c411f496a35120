"""Time ``elyte.read`` against calling fastnda directly on every Neware file.

Run from the project root::

    .venv/bin/python benchmarks/bench_neware.py [--repeat N]

For each ``.nda``/``.ndax``/``.nda.zip`` file in ``../shared/data/neware`` both paths are
timed in the same process, alternating, after one warm-up call each (imports, caches):

* **fastnda** — ``fastnda.read(file, cycle_mode="raw")`` (the same cycle mode elyte uses by
  default). fastnda cannot open a zipped ``.nda``, so for those the baseline includes
  unpacking the member into a temporary folder, as a user of fastnda would have to.
* **elyte** — ``elyte.read(file)``: format detection, container checks, fastnda, the column
  mapping and unit conversion, cumulative capacities, metadata and the file's SHA-256.

The table (median and minimum of ``--repeat`` runs, and the ratio of the medians) is printed
as Markdown and written to ``benchmarks/results/neware.md``. Goal: ratio ≤ 1.2.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import fastnda
import polars as pl

import elyte

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "neware"
OUT = ROOT / "benchmarks" / "results" / "neware.md"


def fastnda_direct(path: Path) -> pl.DataFrame:
    if path.name.lower().endswith(".zip"):
        with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path) as archive:
            member = next(n for n in archive.namelist() if n.lower().endswith((".nda", ".ndax")))
            target = Path(tmp) / Path(member).name
            target.write_bytes(archive.read(member))
            return fastnda.read(target, cycle_mode="raw")
    return fastnda.read(path, cycle_mode="raw")


def elyte_read(path: Path) -> pl.DataFrame:
    return elyte.read(path).data


def timed(func: Callable[[Path], pl.DataFrame], path: Path) -> float:
    start = time.perf_counter()
    func(path)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per file and path")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"no Neware data at {DATA}; nothing to time", file=sys.stderr)
        return 1
    logging.disable(logging.CRITICAL)  # fastnda's own log lines would clutter the output
    warnings.simplefilter("ignore")
    files = sorted(
        p for p in DATA.iterdir() if p.name.lower().endswith((".nda", ".ndax", ".nda.zip"))
    )
    rows = []
    for path in files:
        try:
            rows_read = elyte.read(path).data.height
            fastnda_direct(path)
        except Exception as exc:  # report, do not stop the whole benchmark
            rows.append(f"| {path.name} | - | error: {type(exc).__name__} | | | | | |")
            continue
        base: list[float] = []
        ours: list[float] = []
        for _ in range(args.repeat):
            base.append(timed(fastnda_direct, path))
            ours.append(timed(elyte_read, path))
        ratio = statistics.median(ours) / statistics.median(base)
        rows.append(
            f"| {path.name} | {rows_read} | {statistics.median(base) * 1e3:.2f} "
            f"| {min(base) * 1e3:.2f} | {statistics.median(ours) * 1e3:.2f} "
            f"| {min(ours) * 1e3:.2f} | {ratio:.2f} "
            f"| {(statistics.median(ours) - statistics.median(base)) * 1e3:+.1f} |"
        )
    header = [
        "# Neware reader: elyte.read vs fastnda.read",
        "",
        f"fastnda {fastnda.__version__}, polars {pl.__version__}, Python "
        f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPU cores; "
        f"{args.repeat} runs per file and path, interleaved; times in ms.",
        "",
        "| file | rows | fastnda median | fastnda min | elyte median | elyte min "
        "| ratio (medians) | overhead (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    table = "\n".join(header + rows) + "\n"
    print(table)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
