"""Benchmark of elyte's BioLogic readers against their natural baselines.

Run as ``python benchmarks/bench_biologic.py`` (from the project root). Two comparisons:

* ``.mpr``: ``elyte.io.biologic_mpr.read`` against galvani's ``BioLogic.MPRfile`` (the
  ``bench`` extra: ``pip install galvani``), on the files galvani can read. Goal: within 2x.
* ``.mpt``: ``elyte.io.biologic_mpt.read`` against a bare ``polars.read_csv`` of the same
  table (header lines skipped, tab separator, decimal comma where the file has one, schema
  inferred). Goal: within 1.5x.

The two sides do not do the same work. galvani stops at a numpy record array over the
file's bytes, with EC-Lab's names and vendor units (mA, mA.h), so it is also timed followed
by ``polars.DataFrame(...)``, the nearest like-for-like table. The bare ``read_csv`` stops at
a table with the vendor's headers and units. elyte returns a canonical polars DataFrame in
SI units with BDF names, the derived BDF columns (cumulative capacities and energies, cycle
number, technique) and the file's SHA-256 in the metadata.

Every file of ``../shared/data/biologic`` is timed, plus enlarged copies (the real tables
repeated, written to a temporary folder) that show the per-row cost apart from the fixed
per-file cost. The calls of all contenders are interleaved (one call of each in turn,
repeated), so that a slow spell of a shared machine hits all of them alike; each figure is
the median over the repetitions, after a warm-up call. The ratio is elyte / baseline, of
the medians; the ratio of the fastest calls is also given, as it is the least disturbed by
other work on the machine.

For the real files a second table says where elyte's time goes: the SHA-256 of the file
and :func:`elyte.io._frame.canonicalise` (the one place where vendor units become SI),
measured inside the same reads. Both are part of the output contract, so baseline + SHA-256
+ canonicalise is a floor for any reader with elyte's output that hashes on the calling
thread (elyte hashes files of 1 MB and more on a helper thread, which hides the hash on a
multi-core machine); its ratio to the baseline is given as "floor".

The Markdown report is printed and written to ``benchmarks/results/biologic.md``.
"""

from __future__ import annotations

import hashlib
import os
import platform
import statistics
import struct
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

from elyte.io import biologic_common, biologic_mpr, biologic_mpt

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "biologic"
RESULTS = ROOT / "benchmarks" / "results" / "biologic.md"
REPEATS_SMALL = 61  # files under 5 MB
REPEATS_LARGE = 21
LARGE_BYTES = 5_000_000


def timings(contenders: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Wall times in seconds of each contender, calls interleaved, after one warm-up each."""
    for func in contenders.values():
        func()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    order = list(contenders.items())
    for i in range(repeats):
        # rotate who goes first, so no contender always runs right after the same one
        for name, func in order[i % len(order) :] + order[: i % len(order)]:
            start = time.perf_counter()
            func()
            times[name].append(time.perf_counter() - start)
    return times


def median_ms(values: list[float]) -> float:
    """Median of ``values`` (seconds) in milliseconds."""
    return statistics.median(values) * 1e3


@contextmanager
def canonicalise_timer() -> Iterator[list[float]]:
    """Collect the time spent in ``canonicalise`` by the BioLogic readers meanwhile."""
    spent: list[float] = []
    original = biologic_common.canonicalise

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    biologic_common.canonicalise = timed
    try:
        yield spent
    finally:
        biologic_common.canonicalise = original


def fixed_costs(path: Path, read: Callable[[Path], object], repeats: int) -> tuple[float, float]:
    """Median ms of the SHA-256 of ``path``'s bytes and of canonicalise within ``read``."""
    raw = path.read_bytes()
    sha = timings({"sha": lambda: hashlib.sha256(raw).hexdigest()}, repeats)["sha"]
    with canonicalise_timer() as spent:
        for _ in range(repeats):
            read(path)
    return median_ms(sha), median_ms(spent)


def mpt_table_args(path: Path) -> dict[str, Any]:
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


def _galvani_table(open_mpr: Callable[[str], Any], path: str) -> pl.DataFrame:
    """Read with galvani and turn its record array into a polars table (like for like)."""
    return pl.DataFrame(open_mpr(path).data)


def _verdict(ratio: float, goal: float) -> str:
    return "met" if ratio <= goal else "not met"


def bench_mpr(files: list[Path], lines: list[str]) -> None:
    """Time the .mpr reader against galvani and append the report."""
    try:
        from galvani import BioLogic  # the optional `bench` extra; never used by src/
    except ImportError:
        lines += ["## .mpr: elyte vs galvani", "", "galvani is not installed; skipped.", ""]
        print("galvani is not installed (pip install galvani); .mpr baseline skipped")
        return

    lines += [
        "## .mpr: elyte vs galvani (goal: within 2x)",
        "",
        "| file | rows | elyte ms | galvani ms | ratio | ratio of minima "
        "| galvani + DataFrame ms | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    small: list[float] = []
    large: list[float] = []
    failures: list[str] = []
    floors: list[tuple[str, float, float, float, float]] = []
    for path in files:
        rows = biologic_mpr.read(path).data.height
        try:
            BioLogic.MPRfile(str(path))
        except Exception as exc:  # galvani's own failure, reported, not fatal
            failures.append(f"{path.name}: {type(exc).__name__}: {exc}")
            continue
        is_large = path.stat().st_size > LARGE_BYTES
        repeats = REPEATS_LARGE if is_large else REPEATS_SMALL
        times = timings(
            {
                "elyte": partial(biologic_mpr.read, path),
                "galvani": partial(BioLogic.MPRfile, str(path)),
                "table": partial(_galvani_table, BioLogic.MPRfile, str(path)),
            },
            repeats,
        )
        ours, theirs, table = (median_ms(times[k]) for k in ("elyte", "galvani", "table"))
        fastest = min(times["elyte"]) / min(times["galvani"])
        (large if is_large else small).append(ours / theirs)
        lines.append(
            f"| {path.name} | {rows} | {ours:.2f} | {theirs:.2f} | {ours / theirs:.1f} | "
            f"{fastest:.1f} | {table:.2f} | {ours / table:.1f} |"
        )
        if not is_large:
            sha, canon = fixed_costs(path, biologic_mpr.read, repeats)
            floors.append((path.name, ours, theirs, sha, canon))
    if small:
        median = statistics.median(small)
        lines += [
            "",
            f"Median ratio on the {len(small)} real files galvani reads: **{median:.1f}x** "
            f"(goal 2x: {_verdict(median, 2)}).",
        ]
    for ratio in large:
        lines.append(
            f"Large file (enlarged copy): **{ratio:.1f}x** (goal 2x: {_verdict(ratio, 2)})."
        )
    if failures:
        lines += ["", "galvani failed on:", *[f"- {f}" for f in failures]]
    _floor_table(floors, "galvani", lines)


def bench_mpt(files: list[Path], lines: list[str]) -> None:
    """Time the .mpt reader against a bare polars.read_csv and append the report."""
    lines += [
        "## .mpt: elyte vs bare polars.read_csv (goal: within 1.5x)",
        "",
        "| file | rows | elyte ms | polars.read_csv ms | ratio | ratio of minima |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    small: list[float] = []
    large: list[float] = []
    floors: list[tuple[str, float, float, float, float]] = []
    for path in files:
        args = mpt_table_args(path)
        rows = biologic_mpt.read(path).data.height
        is_large = path.stat().st_size > LARGE_BYTES
        repeats = REPEATS_LARGE if is_large else REPEATS_SMALL
        times = timings(
            {
                "elyte": partial(biologic_mpt.read, path),
                "polars": partial(pl.read_csv, path, **args),
            },
            repeats,
        )
        ours, bare = median_ms(times["elyte"]), median_ms(times["polars"])
        fastest = min(times["elyte"]) / min(times["polars"])
        (large if is_large else small).append(ours / bare)
        lines.append(
            f"| {path.name} | {rows} | {ours:.2f} | {bare:.2f} | {ours / bare:.1f} | "
            f"{fastest:.1f} |"
        )
        if not is_large:
            sha, canon = fixed_costs(path, biologic_mpt.read, repeats)
            floors.append((path.name, ours, bare, sha, canon))
    median = statistics.median(small)
    lines += [
        "",
        f"Median ratio on the {len(small)} real files: **{median:.1f}x** "
        f"(goal 1.5x: {_verdict(median, 1.5)}).",
    ]
    for ratio in large:
        lines.append(
            f"Large file (enlarged copy): **{ratio:.1f}x** (goal 1.5x: {_verdict(ratio, 1.5)})."
        )
    _floor_table(floors, "polars.read_csv", lines)


def _floor_table(
    floors: list[tuple[str, float, float, float, float]], baseline: str, lines: list[str]
) -> None:
    if not floors:
        return
    lines += [
        "",
        f"Where elyte's time goes on the real files (ms, medians): floor = ({baseline} + "
        f"SHA-256 + canonicalise) / {baseline}, the best ratio a reader with elyte's output "
        "reaches when it hashes on the calling thread (elyte hashes files of 1 MB and more "
        "on a helper thread). The floor counts the baseline's own time; where elyte does "
        "that part faster (its text parse knows the schema and reuses the bytes it read), "
        "'elyte above floor' can be negative.",
        "",
        f"| file | elyte | {baseline} | SHA-256 | canonicalise | elyte above floor | floor |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    floor_ratios = []
    for name, ours, base, sha, canon in floors:
        floor = (base + sha + canon) / base
        floor_ratios.append(floor)
        lines.append(
            f"| {name} | {ours:.2f} | {base:.2f} | {sha:.2f} | {canon:.2f} | "
            f"{ours - base - sha - canon:.2f} | {floor:.1f} |"
        )
    lines += ["", f"Median floor: {statistics.median(floor_ratios):.1f}x.", ""]


def main() -> int:
    """Time the readers and write the Markdown report; return the process exit code."""
    if not DATA.is_dir():
        print(f"real data folder {DATA} is absent; nothing to benchmark")
        return 0
    lines = [
        "# BioLogic readers: benchmark",
        "",
        f"Python {platform.python_version()}, polars {pl.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} CPU cores. Calls interleaved; medians of "
        f"{REPEATS_SMALL} calls (files under 5 MB) or {REPEATS_LARGE} (larger) after a "
        "warm-up. Ratio = elyte / baseline.",
        "",
        "What each side does: galvani returns a numpy record array over the file's bytes, "
        "with EC-Lab's column names and vendor units; a bare `polars.read_csv` returns the "
        "vendor table as printed. elyte returns a canonical polars DataFrame in SI units "
        "with BDF names, adds the derived BDF columns (cumulative capacities and energies, "
        "cycle number, technique), and records the file's SHA-256 in the metadata.",
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
        bench_mpr(mpr_files, lines)
        lines.append("")
        bench_mpt(mpt_files, lines)
    report = "\n".join(lines).rstrip() + "\n"
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
