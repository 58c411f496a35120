"""Benchmark of elyte's BioLogic readers against their natural baselines.

Run as ``python benchmarks/bench_biologic.py`` (from the project root). Two comparisons:

* ``.mpr``: ``elyte.io.biologic_mpr.read`` against galvani's ``BioLogic.MPRfile`` (the
  ``bench`` extra: ``pip install galvani``). galvani stops at a numpy record array with
  EC-Lab's names, so it is also timed followed by ``polars.DataFrame(...)``, the nearest
  like-for-like table. elyte additionally converts units, derives BDF's cumulative columns
  and hashes the file (SHA-256) for provenance. Goal: within 2x of galvani.
* ``.mpt``: ``elyte.io.biologic_mpt.read`` against a bare ``polars.read_csv`` of the same
  table (header lines skipped, tab separator, decimal comma where the file has one). Goal:
  within 1.5x.

Every file of ``../shared/data/biologic`` is timed, plus enlarged copies (the real tables
repeated, written to a temporary folder) to show the per-row cost apart from the fixed
per-file cost. Each timing is the minimum over several repetitions (after one warm-up
call); the ratio is elyte / baseline. The Markdown table is printed and written to
``benchmarks/results/biologic.md``.
"""

from __future__ import annotations

import platform
import statistics
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from elyte.io import biologic_mpr, biologic_mpt

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "biologic"
RESULTS = ROOT / "benchmarks" / "results" / "biologic.md"
REPEATS = 25


def best_of(func: Callable[[], object], repeats: int = REPEATS) -> float:
    """Minimum wall time of ``func`` in seconds over ``repeats`` calls after a warm-up."""
    func()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def mpt_table_args(path: Path) -> dict[str, object]:
    """Arguments for a bare ``polars.read_csv`` of an export's data table."""
    raw = path.read_bytes()
    n_header = int(raw.split(b"\n", 2)[1].split(b":")[1]) if raw.startswith(b"EC-Lab") else 1
    parts = raw.split(b"\n", n_header + 1)
    data_line = parts[n_header] if len(parts) > n_header else b""
    return {
        "skip_rows": n_header - 1,
        "separator": "\t",
        "encoding": "utf8-lossy",
        "decimal_comma": b"," in data_line,
        "truncate_ragged_lines": True,
    }


def enlarge_mpt(source: Path, target: Path, factor: int) -> Path:
    """Copy of an export with its data rows repeated ``factor`` times."""
    raw = source.read_bytes()
    n_header = int(raw.split(b"\n", 2)[1].split(b":")[1])
    parts = raw.split(b"\n", n_header)
    head, body = b"\n".join(parts[:n_header]), parts[n_header].rstrip(b"\n")
    target.write_bytes(head + b"\n" + b"\n".join([body] * factor))
    return target


def enlarge_mpr(source: Path, target: Path, factor: int) -> Path:
    """Copy of an ``.mpr`` whose data module holds its records repeated ``factor`` times.

    Only the old module header layout (EC-Lab < 11.50, data module version 2 or 3) is
    handled, which is enough for the benchmark's source file.
    """
    raw = source.read_bytes()
    pos = raw.index(b"MODULEVMP data")
    head = pos + 6
    length, version = struct.unpack_from("<II", raw, head + 35)
    start = head + 51
    data_at = 405 if version == 2 else 406
    (n_points,) = struct.unpack_from("<I", raw, start)
    block = raw[start + data_at : start + length]
    new_data = bytearray(raw[start : start + data_at]) + block * factor
    struct.pack_into("<I", new_data, 0, n_points * factor)
    header = bytearray(raw[pos:start])
    struct.pack_into("<I", header, 6 + 35, len(new_data))
    target.write_bytes(raw[:pos] + bytes(header) + bytes(new_data) + raw[start + length :])
    return target


def main() -> int:
    """Time the readers and write the Markdown report; return the process exit code."""
    if not DATA.is_dir():
        print(f"real data folder {DATA} is absent; nothing to benchmark")
        return 0
    try:
        from galvani import BioLogic  # the optional `bench` extra; never used by src/
    except ImportError:
        BioLogic = None
        print("galvani is not installed (pip install galvani); .mpr baseline skipped")

    lines = [
        "# BioLogic readers: benchmark",
        "",
        f"Python {platform.python_version()}, polars {pl.__version__}, "
        f"{platform.machine()} ({platform.processor() or 'cpu'}), "
        f"minimum of {REPEATS} repetitions after a warm-up. Ratio = elyte / baseline.",
        "",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        mpr_files = sorted(DATA.glob("*.mpr"))
        jdb = next((p for p in mpr_files if p.name.startswith("jdb11")), None)
        if jdb is not None:
            mpr_files.append(enlarge_mpr(jdb, scratch / "jdb11_x10.mpr", 10))
        mpt_files = sorted(DATA.glob("*.mpt"))
        gcpl = DATA / "gcpl.issue_211.mpt"
        if gcpl.exists():
            mpt_files.append(enlarge_mpt(gcpl, scratch / "gcpl.issue_211_x20.mpt", 20))

        lines += [
            "## .mpr: elyte vs galvani (goal: within 2x)",
            "",
            "| file | rows | elyte ms | galvani ms | ratio | galvani + polars.DataFrame ms "
            "| ratio |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        ratios, table_ratios, failures = [], [], []
        for path in mpr_files:
            rows = biologic_mpr.read(path).data.height
            ours = best_of(lambda p=path: biologic_mpr.read(p))  # type: ignore[misc]
            if BioLogic is None:
                lines.append(f"| {path.name} | {rows} | {ours * 1e3:.2f} | - | - | - | - |")
                continue
            try:
                theirs = best_of(lambda p=path: BioLogic.MPRfile(str(p)))  # type: ignore[misc]
                table = best_of(  # type: ignore[misc]
                    lambda p=path: pl.DataFrame(BioLogic.MPRfile(str(p)).data)
                )
            except Exception as exc:  # galvani's own failure, reported, not fatal
                failures.append(f"{path.name}: {type(exc).__name__}: {exc}")
                lines.append(f"| {path.name} | {rows} | {ours * 1e3:.2f} | fails | - | - | - |")
                continue
            ratios.append(ours / theirs)
            table_ratios.append(ours / table)
            lines.append(
                f"| {path.name} | {rows} | {ours * 1e3:.2f} | {theirs * 1e3:.2f} | "
                f"{ours / theirs:.1f} | {table * 1e3:.2f} | {ours / table:.1f} |"
            )
        if ratios:
            lines += [
                "",
                f"Median ratio vs galvani: **{statistics.median(ratios):.1f}x**; vs galvani + "
                f"DataFrame: **{statistics.median(table_ratios):.1f}x** "
                f"(goal 2x: {'met' if statistics.median(ratios) <= 2 else 'not met'}).",
            ]
        if failures:
            lines += ["", "galvani failed on:", *[f"- {f}" for f in failures]]

        lines += [
            "",
            "## .mpt: elyte vs bare polars.read_csv (goal: within 1.5x)",
            "",
            "| file | rows | elyte ms | polars.read_csv ms | ratio |",
            "|---|---:|---:|---:|---:|",
        ]
        csv_ratios = []
        for path in mpt_files:
            args = mpt_table_args(path)
            rows = biologic_mpt.read(path).data.height
            ours = best_of(lambda p=path: biologic_mpt.read(p))  # type: ignore[misc]
            bare = best_of(lambda p=path, a=args: pl.read_csv(p, **a))  # type: ignore[misc]
            csv_ratios.append(ours / bare)
            lines.append(
                f"| {path.name} | {rows} | {ours * 1e3:.2f} | {bare * 1e3:.2f} | "
                f"{ours / bare:.1f} |"
            )
        median = statistics.median(csv_ratios)
        lines += [
            "",
            f"Median ratio: **{median:.1f}x** "
            f"(goal 1.5x: {'met' if median <= 1.5 else 'not met'}).",
            "",
        ]
    report = "\n".join(lines)
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
