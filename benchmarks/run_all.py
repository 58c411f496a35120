"""Run every ``benchmarks/bench_*.py`` script and collect their tables.

Each script times elyte against a peer in the same process and run, prints a Markdown table
of ratios, and writes it to ``benchmarks/results/<name>.md``. This runner executes them one
after the other and concatenates the tables into ``benchmarks/results/summary.md``, which the
README quotes. Benchmarks are never part of the test suite.
"""

from __future__ import annotations

import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def main() -> int:
    """Run all benchmark scripts; return a non-zero status if any failed."""
    RESULTS.mkdir(exist_ok=True)
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"## {script.name}", flush=True)
        proc = subprocess.run([sys.executable, str(script)], check=False)
        if proc.returncode:
            failed.append(script.name)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# Benchmark summary",
        "",
        f"Measured {stamp} on {platform.machine()} with Python {platform.python_version()}, "
        f"{_cpu_count()} CPU cores. Ratios are elyte time / peer time in the same run "
        "(< 1 means elyte is faster).",
        "",
    ]
    for table in sorted(RESULTS.glob("*.md")):
        if table.name != "summary.md":
            parts += [table.read_text().strip(), ""]
    (RESULTS / "summary.md").write_text("\n".join(parts))
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    raise SystemExit(main())
