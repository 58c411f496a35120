"""Time ``elyte.cycling.summarize`` against cellpy, PyProBE and navani on 1,000,000 rows.

Run from the project root::

    .venv/bin/python benchmarks/bench_cycling.py [--rows N] [--repeat N] [--peer-repeat N]

The peers live in their own virtual environments (they pin other polars, pandas and numpy
releases than elyte, and the newest cellpy needs Python 3.13); make them with
``benchmarks/setup_peers.sh``. A peer whose environment is missing is skipped with a
message, so the script also runs with elyte alone.

**Inputs.** (1) A galvanostatic test generated here, with a current profile whose
capacities are known in closed form: per cycle a rest, a constant-current charge, a
constant-voltage charge with exponentially decaying current, a rest and a constant-current
discharge, the step durations shrinking slowly from cycle to cycle (capacity fade). Every
step is logged at its start and end and every ``--interval`` seconds between, as Neware
cyclers do (a step's first row repeats the previous row's time with the new current and a
zero step capacity), and the cumulative charging and discharging capacity columns hold the
exact integral of the current. (2) When ``../shared/data`` is there, a real Neware file
(``--real``, default ``test_2.ndax``: 108,563 rows, a rate test whose first vendor cycles
hold several charge/discharge pairs) read by ``elyte.read`` and repeated end to end with
its time, cycle, step-count and capacity counters shifted, up to ``--rows``.

**What is timed.** The cycle summary from a table already in memory, not file parsing.
elyte: ``summarize(rec, cell, cycle_definition="vendor")`` on a ``Recording`` of the
canonical columns (capacities from the cumulative columns, plus energies, mean voltages, CV
share, C-rates), the reference of the ratios; also, for comparison,
``cycle_definition="charge_discharge"`` (cycles from the sign of the current, the
definition navani uses) and that with ``capacity_basis="integrated"``. Each peer runs in
a subprocess with its own Python; the table it takes is built from the same arrays before
its clock starts, and only its summary call(s) are timed (see
``benchmarks/peers/run_*.py``). Every tool gets one untimed warm-up call; the table reports
the median and minimum of the timed runs, and the ratio peer / elyte of the medians.

**Capacities.** Each tool's per-cycle charge and discharge capacities (Ah) are compared
with those of the elyte run that defines cycles the same way (cellpy and PyProBE: the
vendor counter, PyProBE's numbers +1 as it counts from 0; navani: charge→discharge pairs,
its full cycle 0 of leading rest dropped, mAh / 1000) and, for the generated input, with
the exact values, as the largest relative difference over all cycles. Tools that read the
capacity counters must agree to ``--tolerance`` (default 1e-9); the integrated elyte path,
a trapezoid over the sampled current, to ``--integrated-tolerance`` (default 1e-5).
Disagreements are listed under each table with their reason.

The table is printed as Markdown and written to ``benchmarks/results/cycling.md``. Goal:
elyte at least 10x faster than the fastest peer, with the same capacities.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

import elyte
from elyte.cycling import CellSpec, CycleTable, summarize
from elyte.recording import Recording, RecordingMeta

ROOT = Path(__file__).resolve().parents[1]
PEERS_DIR = ROOT / "benchmarks" / "peers"
DEFAULT_VENVS = ROOT / "benchmarks" / ".venv-peers"
OUT = ROOT / "benchmarks" / "results" / "cycling.md"
DEFAULT_REAL = ROOT.parent / "shared" / "data" / "neware" / "test_2.ndax"

#: The seed's NCM811 cell: 18.1 mg/cm2 x 97.8 % on a 12 mm disk, 1 C = 210 mA/g.
CELL = CellSpec(
    working_electrode="positive",
    loading_mg_cm2=18.1,
    active_fraction=0.978,
    area_cm2=math.pi * 0.6**2,
    nominal_specific_capacity_mah_g=210.0,
)


# --------------------------------------------------------------------------- input
@dataclass(frozen=True)
class Profile:
    """The generated test: step lengths in sampling intervals, currents in A, times in s."""

    interval_s: float = 10.0
    rest_intervals: int = 30
    cc_intervals: int = 700
    cv_intervals: int = 180
    discharge_intervals: int = 760
    current_a: float = 2.1e-3  # 0.5 C of the seed cell
    cv_tau_s: float = 900.0
    fade_per_cycle: float = 3e-4


@dataclass(frozen=True)
class Generated:
    """Columns of the generated test and its exact per-cycle capacities (Ah)."""

    columns: dict[str, np.ndarray]
    cycles: np.ndarray
    charge_ah: np.ndarray
    discharge_ah: np.ndarray


_Fn = Callable[[np.ndarray], np.ndarray]


def _zero(s: np.ndarray) -> np.ndarray:
    return np.zeros_like(s)


def _rest_after_discharge(s: np.ndarray) -> np.ndarray:
    return 3.0 + 0.35 * (1.0 - np.exp(-s / 120.0))


def _rest_after_charge(s: np.ndarray) -> np.ndarray:
    return 4.3 - 0.08 * (1.0 - np.exp(-s / 120.0))


def _charge_voltage(s: np.ndarray, duration: float) -> np.ndarray:
    return 3.6 + 0.7 * (s / duration) ** 0.8


def _discharge_voltage(s: np.ndarray, duration: float) -> np.ndarray:
    return 4.2 - 1.2 * (s / duration) ** 1.5


def generate(rows: int, profile: Profile) -> Generated:
    """Make at least ``rows`` rows of the cycling profile described in the module docstring.

    Step by step (a loop over steps, vectorised within each): every step is sampled at
    step times 0, h, 2h, ..., n*h, so a step's first row repeats the previous step's last
    time stamp with the new step's current, as a cycler logs a step change.
    """
    h, i_c, tau = profile.interval_s, profile.current_a, profile.cv_tau_s
    parts: dict[str, list[np.ndarray]] = {
        name: []
        for name in (
            "test_time_second",
            "step_time_second",
            "voltage_volt",
            "current_ampere",
            "charging_capacity_ah",
            "discharging_capacity_ah",
            "cycle_count",
            "step_id",
            "step_count",
        )
    }
    step_types: list[tuple[str, int]] = []
    truth_charge: list[float] = []
    truth_discharge: list[float] = []
    t0 = q_charge = q_discharge = 0.0
    total = step_count = 0
    cycle = 0
    while total < rows:
        cycle += 1
        fade = max(0.5, 1.0 - profile.fade_per_cycle * (cycle - 1)) * (
            1.0 + 0.004 * math.sin(0.7 * cycle)
        )
        n_cc = max(2, round(profile.cc_intervals * fade))
        n_dis = max(2, round(profile.discharge_intervals * fade))
        n_rest, n_cv = profile.rest_intervals, profile.cv_intervals
        t_cc, t_cv, t_dis = n_cc * h, n_cv * h, n_dis * h
        # (step id, vendor type, intervals, current(s), voltage(s), charge(s), discharge(s))
        steps: list[tuple[int, str, int, _Fn, _Fn, _Fn, _Fn]] = [
            (1, "Rest", n_rest, _zero, _rest_after_discharge, _zero, _zero),
            (
                2,
                "CC_Chg",
                n_cc,
                lambda s: np.full_like(s, i_c),
                functools.partial(_charge_voltage, duration=t_cc),
                lambda s: i_c * s / 3600.0,
                _zero,
            ),
            (
                3,
                "CV_Chg",
                n_cv,
                lambda s: i_c * np.exp(-s / tau),
                lambda s: np.full_like(s, 4.3),
                lambda s: i_c * tau * (1.0 - np.exp(-s / tau)) / 3600.0,
                _zero,
            ),
            (4, "Rest", n_rest, _zero, _rest_after_charge, _zero, _zero),
            (
                5,
                "CC_DChg",
                n_dis,
                lambda s: np.full_like(s, -i_c),
                functools.partial(_discharge_voltage, duration=t_dis),
                _zero,
                lambda s: i_c * s / 3600.0,
            ),
        ]
        for step_id, step_type, n, current, voltage, charge, discharge in steps:
            step_count += 1
            s = np.arange(n + 1, dtype=np.float64) * h
            dq_c, dq_d = charge(s), discharge(s)
            parts["test_time_second"].append(t0 + s)
            parts["step_time_second"].append(s)
            parts["voltage_volt"].append(voltage(s))
            parts["current_ampere"].append(current(s))
            parts["charging_capacity_ah"].append(q_charge + dq_c)
            parts["discharging_capacity_ah"].append(q_discharge + dq_d)
            parts["cycle_count"].append(np.full(n + 1, cycle, dtype=np.int64))
            parts["step_id"].append(np.full(n + 1, step_id, dtype=np.int64))
            parts["step_count"].append(np.full(n + 1, step_count, dtype=np.int64))
            step_types.append((step_type, n + 1))
            t0 += n * h
            q_charge += float(dq_c[-1])
            q_discharge += float(dq_d[-1])
            total += n + 1
        cv_charge = i_c * tau * (1.0 - math.exp(-t_cv / tau))
        truth_charge.append((i_c * t_cc + cv_charge) / 3600.0)
        truth_discharge.append(i_c * t_dis / 3600.0)
    columns = {name: np.concatenate(chunks) for name, chunks in parts.items()}
    columns["step_type"] = np.repeat(
        np.array([name for name, _ in step_types]), [count for _, count in step_types]
    )
    columns["record_index"] = np.arange(1, total + 1, dtype=np.int64)
    return Generated(
        columns=columns,
        cycles=np.arange(1, cycle + 1),
        charge_ah=np.array(truth_charge),
        discharge_ah=np.array(truth_discharge),
    )


#: Canonical columns handed to every tool (the generated test has exactly these).
INPUT_COLUMNS = (
    "test_time_second",
    "step_time_second",
    "voltage_volt",
    "current_ampere",
    "charging_capacity_ah",
    "discharging_capacity_ah",
    "cycle_count",
    "step_id",
    "step_count",
    "step_type",
    "record_index",
)


def tile_real(path: Path, rows: int) -> Generated:
    """Repeat a real recording (read by elyte) until it has at least ``rows`` rows.

    Copy ``j`` is shifted by ``j`` times the recording's span in test time (plus one
    median sampling interval), cycle counter, step counter and cumulative capacities, so
    the result reads as one long test. There is no analytic reference: the per-cycle
    capacities are compared with elyte's only.
    """
    frame = elyte.read(path).data
    missing = [c for c in INPUT_COLUMNS if c not in frame.columns]
    if missing:
        raise SystemExit(f"{path} lacks the column(s) {missing} this benchmark needs")
    frame = frame.select(INPUT_COLUMNS).drop_nulls(
        ["test_time_second", "current_ampere", "cycle_count", "step_id", "step_count"]
    )
    n = frame.height
    copies = max(1, -(-rows // n))
    copy = np.repeat(np.arange(copies), n)
    columns: dict[str, np.ndarray] = {}
    for name in INPUT_COLUMNS:
        values = frame.get_column(name)
        if name == "step_type":
            text = values.cast(pl.String).fill_null("").to_numpy().astype(str)
            columns[name] = np.tile(text, copies)
            continue
        array = values.to_numpy()
        if name in ("step_time_second", "voltage_volt", "current_ampere", "step_id"):
            columns[name] = np.tile(array, copies)
            continue
        if name == "test_time_second":
            step = float(np.median(np.diff(array))) if n > 1 else 1.0
            span = float(array[-1] - array[0]) + step
        elif name == "record_index":
            span = float(n)
        else:
            span = float(np.nanmax(array)) if name.endswith("_ah") else float(array.max())
        columns[name] = np.tile(array, copies) + (copy * span).astype(array.dtype)
    cycles = np.unique(columns["cycle_count"])
    return Generated(
        columns=columns,
        cycles=cycles,
        charge_ah=np.full(cycles.size, np.nan),
        discharge_ah=np.full(cycles.size, np.nan),
    )


# --------------------------------------------------------------------------- runs
@dataclass
class Run:
    """One tool's timings and per-cycle capacities in the vendor cycle numbering."""

    tool: str
    version: str
    timed: str
    times_s: list[float]
    capacities: dict[int, tuple[float | None, float | None]]
    numbering: str
    tolerance: float
    compare_with: str = "elyte"
    detail: str = ""

    @property
    def median(self) -> float:
        """Median of the timed runs, s."""
        return statistics.median(self.times_s)


def time_elyte(rec: Recording, repeat: int, **options: Any) -> tuple[list[float], CycleTable]:
    table = summarize(rec, CELL, **options)  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        table = summarize(rec, CELL, **options)
        times.append(time.perf_counter() - start)
    return times, table


def capacities_of(table: CycleTable) -> dict[int, tuple[float | None, float | None]]:
    frame = table.data
    return {
        int(c): (q_c, q_d)
        for c, q_c, q_d in zip(
            frame.get_column("cycle").to_list(),
            frame.get_column("charge_capacity_ah").to_list(),
            frame.get_column("discharge_capacity_ah").to_list(),
            strict=True,
        )
    }


@dataclass(frozen=True)
class Peer:
    """How to run one peer and map its cycle numbers to the vendor counter."""

    name: str
    venv: str
    script: str
    cycle_offset: int  # elyte cycle = peer cycle + offset
    compare_with: str  # the elyte run with the same cycle definition


PEERS = (
    Peer("cellpy", "cellpy", "run_cellpy.py", 0, "elyte"),
    Peer("PyProBE", "pyprobe", "run_pyprobe.py", 1, "elyte"),
    Peer("navani", "navani", "run_navani.py", 0, "elyte (charge→discharge)"),
)


def run_peer(
    peer: Peer, venvs: Path, data: Path, repeat: int, timeout: float, tolerance: float
) -> Run | str:
    """Run a peer's script in its own environment; a message instead of a Run on failure."""
    python = venvs / peer.venv / "bin" / "python"
    if not python.exists():
        return f"skipped: no environment at {python.parent.parent} (run benchmarks/setup_peers.sh)"
    out = data.parent / f"{peer.venv}.json"
    command = [str(python), str(PEERS_DIR / peer.script), str(data), "--repeat", str(repeat)]
    try:
        proc = subprocess.run(
            [*command, "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"skipped: still running after {timeout:.0f} s"
    if proc.returncode or not out.exists():
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return f"failed (exit {proc.returncode}): {last}"
    result = json.loads(out.read_text(encoding="utf-8"))
    capacities: dict[int, tuple[float | None, float | None]] = {}
    for c, q_c, q_d in zip(
        result["cycles"], result["charge_ah"], result["discharge_ah"], strict=True
    ):
        if q_c is None and q_d is None:
            continue  # e.g. navani's cycle 0: the rest before the first charge
        capacities[int(c) + peer.cycle_offset] = (q_c, q_d)
    versions = ", ".join(f"{k} {v}" for k, v in result["versions"].items())
    detail = ""
    if "phases_s" in result:
        detail = "; ".join(
            f"{name} {statistics.median(values):.2f} s"
            for name, values in result["phases_s"].items()
        )
    return Run(
        tool=peer.name,
        version=f"{versions}; Python {result['python']}",
        timed=result["timed"],
        times_s=result["times_s"],
        capacities=capacities,
        numbering=result["numbering"],
        tolerance=tolerance,
        compare_with=peer.compare_with,
        detail=detail,
    )


# --------------------------------------------------------------------------- compare
def max_relative_difference(
    ours: dict[int, tuple[float | None, float | None]],
    reference: dict[int, tuple[float | None, float | None]],
    which: int,
) -> float:
    """Largest |a - b| / |b| over the cycles of ``reference``; inf if a cycle is missing."""
    worst = 0.0
    for cycle, values in reference.items():
        worst = max(worst, _relative(ours.get(cycle, (None, None))[which], values[which]))
    return worst


def _relative(got: float | None, expected: float | None) -> float:
    """|got - expected| / |expected|; 0 when neither has a capacity, inf when one lacks it."""
    if not got and not expected:  # None or 0 on both sides: no half-cycle of that kind
        return 0.0
    if got is None or expected is None:
        return math.inf
    if expected == 0:
        return 1.0
    return abs(got - expected) / abs(expected)


def compare(run: Run, reference: dict[int, tuple[float | None, float | None]]) -> dict[str, Any]:
    charge = max_relative_difference(run.capacities, reference, 0)
    discharge = max_relative_difference(run.capacities, reference, 1)
    extra = sorted(set(run.capacities) - set(reference))
    missing = sorted(set(reference) - set(run.capacities))
    same = not extra and not missing and max(charge, discharge) <= run.tolerance
    differ = [
        cycle
        for cycle, expected in reference.items()
        if cycle in run.capacities
        and any(
            _relative(got, want) > run.tolerance
            for got, want in zip(run.capacities[cycle], expected, strict=True)
        )
    ]
    return {
        "charge": charge,
        "discharge": discharge,
        "extra": extra,
        "missing": missing,
        "differ": differ,
        "same": same,
    }


def _fmt_rel(value: float) -> str:
    if math.isinf(value):
        return "missing cycles"
    return "0" if value == 0 else f"{value:.1e}"


def _cycles_text(values: list[int]) -> str:
    if len(values) <= 6:
        return ", ".join(str(v) for v in values)
    return ", ".join(str(v) for v in values[:5]) + f", ... ({len(values)})"


_WHY = {
    "PyProBE": "PyProBE takes a cycle's charge (discharge) capacity as the range, max - "
    "min, of the net capacity over the cycle's charging (discharging) rows, which is the "
    "charge passed only when the cycle holds a single charge (discharge); elyte and "
    "cellpy add up every half-cycle of the vendor cycle",
    "elyte (integrated)": "an instrument's coulomb counter need not equal the trapezoid "
    "of the current it logs; in test_2.ndax the whole gap sits in the first logged "
    "interval of each step, where Neware's step counter already holds 1.3 to 2.5 times "
    "I x dt of the logged current (over the rest of a step the two agree to about 1e-7), "
    "so it is largest in the shortest cycles",
}


def _explain(run: Run, reference: Run, differ: list[int], segments: dict[int, int]) -> str:
    """Say in one sentence where and why ``run`` disagrees with ``reference``."""
    text = f"{run.tool} differs from {reference.tool} in {len(differ)} cycle(s) " + (
        f"({_cycles_text(differ)})"
    )
    if reference.tool == "elyte":
        multi = [c for c in differ if segments.get(c, 0) > 2]
        text += f"; {len(multi)} of them hold more than one charge or discharge half-cycle"
    ratios = [
        _relative(got, expected)
        for cycle in differ
        for got, expected in zip(run.capacities[cycle], reference.capacities[cycle], strict=True)
        if got and expected
    ]
    if ratios:
        text += f" (median relative difference there {statistics.median(ratios):.1e})"
    why = _WHY.get(run.tool)
    return text + (f": {why}." if why else ".")


# --------------------------------------------------------------------------- main
@dataclass(frozen=True)
class Input:
    """One input of the benchmark: its description, columns and exact capacities if known."""

    title: str
    description: str
    data: Generated

    @property
    def rows(self) -> int:
        """Number of rows."""
        return int(self.data.columns["test_time_second"].size)


def bench_input(args: argparse.Namespace, item: Input) -> tuple[str, list[Run]]:
    """Time elyte and every peer on one input; return its Markdown section and the runs."""
    gen = item.data
    truth: dict[int, tuple[float | None, float | None]] = {
        int(c): (float(q_c), float(q_d))
        for c, q_c, q_d in zip(gen.cycles, gen.charge_ah, gen.discharge_ah, strict=True)
        if math.isfinite(q_c)
    }
    frame = pl.DataFrame(
        {name: values for name, values in gen.columns.items() if name != "step_type"}
    ).with_columns(pl.Series("step_type", gen.columns["step_type"]).cast(pl.Categorical))
    rec = Recording(frame, RecordingMeta(instrument="benchmark", format="bench-cycling"))

    runs: list[Run] = []
    notes: list[str] = []
    times, table = time_elyte(rec, args.repeat, cycle_definition="vendor")
    elyte_run = Run(
        tool="elyte",
        version=f"elyte {elyte.__version__}, polars {pl.__version__}; "
        f"Python {platform.python_version()}",
        timed='summarize(rec, cell, cycle_definition="vendor"): capacities from the '
        "cumulative columns, plus energies (V*I), mean voltages, CV share, C-rates",
        times_s=times,
        capacities=capacities_of(table),
        numbering="the vendor cycle counter",
        tolerance=args.tolerance,
    )
    segments = {
        int(c): int(n_c) + int(n_d)
        for c, n_c, n_d in table.data.select(
            "cycle", "charge_segments", "discharge_segments"
        ).iter_rows()
    }
    runs.append(elyte_run)
    print(f"  elyte: median {elyte_run.median:.3f} s", file=sys.stderr)
    pairs = (
        "a charge and the next discharge (from the sign of the current); rows before the "
        "first charge join cycle 1 unless they hold a discharge"
    )
    times, table = time_elyte(rec, args.repeat, cycle_definition="charge_discharge")
    runs.append(
        Run(
            tool="elyte (charge→discharge)",
            version=elyte_run.version,
            timed='summarize(..., cycle_definition="charge_discharge"): capacities from '
            "the cumulative columns",
            times_s=times,
            capacities=capacities_of(table),
            numbering=pairs,
            tolerance=args.tolerance,
            # the two definitions give the same cycles only where every vendor cycle is
            # one charge followed by one discharge (the generated test)
            compare_with="elyte" if truth else "",
        )
    )
    times, table = time_elyte(
        rec, args.repeat, cycle_definition="charge_discharge", capacity_basis="integrated"
    )
    runs.append(
        Run(
            tool="elyte (integrated)",
            version=elyte_run.version,
            timed='summarize(..., cycle_definition="charge_discharge", '
            'capacity_basis="integrated"): capacities by integrating the current '
            "(trapezoid), energies from V*I",
            times_s=times,
            capacities=capacities_of(table),
            numbering=pairs,
            tolerance=args.integrated_tolerance,
            compare_with="elyte (charge→discharge)",
        )
    )

    wanted = {p.lower() for p in args.only} if args.only is not None else None
    with tempfile.TemporaryDirectory(prefix="elyte-bench-cycling-") as tmp:
        data = Path(tmp) / "input.npz"
        np.savez(data, **gen.columns)  # type: ignore[arg-type]  # numpy stubs: allow_pickle
        for peer in PEERS:
            if wanted is not None and peer.name.lower() not in wanted:
                continue
            print(f"  {peer.name}: running ...", file=sys.stderr, flush=True)
            outcome = run_peer(
                peer, args.peers_venvs, data, args.peer_repeat, args.timeout, args.tolerance
            )
            if isinstance(outcome, str):
                print(f"  {peer.name}: {outcome}", file=sys.stderr)
                notes.append(f"{peer.name}: {outcome}")
                continue
            print(f"  {peer.name}: median {outcome.median:.3f} s", file=sys.stderr)
            runs.append(outcome)
    return report(item, runs, elyte_run, truth, segments, notes), runs


def main() -> int:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per input (at least)")
    parser.add_argument("--repeat", type=int, default=9, help="timed runs of elyte")
    parser.add_argument("--peer-repeat", type=int, default=5, help="timed runs of each peer")
    parser.add_argument("--interval", type=float, default=10.0, help="sampling interval, s")
    parser.add_argument(
        "--real",
        type=Path,
        default=DEFAULT_REAL,
        help="a real recording (any file elyte reads) to repeat as the second input; "
        "skipped when absent (default %(default)s)",
    )
    parser.add_argument("--no-real", action="store_true", help="time the generated test only")
    parser.add_argument(
        "--peers-venvs",
        type=Path,
        default=Path(os.environ.get("ELYTE_PEERS_VENVS", DEFAULT_VENVS)),
        help="folder holding one virtual environment per peer (default %(default)s)",
    )
    parser.add_argument(
        "--only", nargs="*", default=None, help="peers to run (default: all of them)"
    )
    parser.add_argument("--timeout", type=float, default=1800.0, help="per peer and input, s")
    parser.add_argument("--tolerance", type=float, default=1e-9)
    parser.add_argument("--integrated-tolerance", type=float, default=1e-5)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    inputs = [
        Input(
            "Generated test (exact capacities known)",
            "generated: per cycle a rest, CC charge, CV charge (exponential current "
            "decay), rest and CC discharge, the steps shortening slowly (fade); one row "
            f"every {args.interval:g} s and at every step change",
            generate(args.rows, Profile(interval_s=args.interval)),
        )
    ]
    skipped: list[str] = []
    if not args.no_real:
        if args.real.is_file():
            inputs.append(
                Input(
                    f"Real Neware recording repeated ({args.real.name})",
                    f"{args.real.name} read by elyte and repeated end to end (time, "
                    "cycle, step-count and capacity counters shifted by each copy)",
                    tile_real(args.real, args.rows),
                )
            )
        else:
            skipped.append(f"The real-data input was skipped: {args.real} is absent.")

    sections = []
    runs: list[Run] = []
    for item in inputs:
        print(f"{item.title}: {item.rows} rows", file=sys.stderr)
        section, runs = bench_input(args, item)
        sections.append(section)
    header = [
        "# Cycle summary: elyte vs cellpy, PyProBE and navani",
        "",
        f"{platform.machine()}, {os.cpu_count()} CPU cores, Python "
        f"{platform.python_version()} for elyte. Times in seconds: median and minimum of "
        f"{args.repeat} timed runs for elyte and {args.peer_repeat} for each peer, after "
        "one untimed warm-up each. Ratio = peer median / elyte median (elyte with the "
        "vendor cycle counter); above 1 means elyte is faster. The input is handed to "
        "each tool as a table in memory, built before its clock starts: no file is "
        "parsed in the timed part. Capacities in Ah per cycle; relative differences are "
        "the largest over all cycles. Produced by `benchmarks/bench_cycling.py`.",
        *(["", *skipped] if skipped else []),
        "",
    ]
    text = "\n".join(header) + "\n" + "\n".join(sections) + "\n" + describe(runs)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


def report(
    item: Input,
    runs: list[Run],
    elyte_run: Run,
    truth: dict[int, tuple[float | None, float | None]],
    segments: dict[int, int],
    notes: list[str],
) -> str:
    """One input's Markdown section: timings, ratios, capacity agreement, conventions."""
    peers = [r for r in runs if not r.tool.startswith("elyte")]
    lines = [
        f"## {item.title}",
        "",
        f"{item.rows:,} rows, {item.data.cycles.size} vendor cycles; {item.description}.",
        "",
        "| tool | median (s) | min (s) | peer / elyte | capacities compared with "
        "| charge: max rel. diff | discharge: max rel. diff | same capacities? |",
        "|---|---:|---:|---:|---|---:|---:|---|",
    ]
    by_name = {run.tool: run for run in runs}
    explanations: list[str] = []
    for run in runs:
        ratio = f"{run.median / elyte_run.median:.1f}"
        if run.tool.startswith("elyte"):
            ratio = "1" if run is elyte_run else f"({run.median / elyte_run.median:.2f})"
        against = run.compare_with if run is not elyte_run else ""
        if not against:
            diff_c = diff_d = "-"
            same = "reference" if run is elyte_run else "not compared (other cycles)"
        else:
            versus = compare(run, by_name[against].capacities)
            diff_c, diff_d = _fmt_rel(versus["charge"]), _fmt_rel(versus["discharge"])
            same = f"yes (tol. {run.tolerance:g})" if versus["same"] else "**no**"
            if versus["extra"] or versus["missing"]:
                same += (
                    f"; cycles only in {run.tool}: {_cycles_text(versus['extra']) or '-'}, "
                    f"missing: {_cycles_text(versus['missing']) or '-'}"
                )
            if not versus["same"] and versus["differ"]:
                explanations.append(_explain(run, by_name[against], versus["differ"], segments))
        lines.append(
            f"| {run.tool} | {run.median:.3f} | {min(run.times_s):.3f} | {ratio} "
            f"| {against or '-'} | {diff_c} | {diff_d} | {same} |"
        )
    lines.append("")
    if peers:
        fastest = min(peers, key=lambda r: r.median)
        factor = fastest.median / elyte_run.median
        verdict = "met" if factor >= 10 else "not met"
        lines += [
            f"Goal (elyte at least 10x faster than the fastest peer): the fastest peer, "
            f"{fastest.tool}, takes {fastest.median:.3f} s, {factor:.2f}x elyte's "
            f"{elyte_run.median:.3f} s: **{verdict}**.",
            "",
        ]
    if explanations:
        lines += [*explanations, ""]
    if truth:
        lines += [
            "Deviation from the exact capacities of the generated profile:",
            "",
            "| tool | charge | discharge |",
            "|---|---:|---:|",
        ]
        for run in runs:
            exact = compare(run, truth)
            lines.append(
                f"| {run.tool} | {_fmt_rel(exact['charge'])} | {_fmt_rel(exact['discharge'])} |"
            )
        lines.append("")
    navani = by_name.get("navani")
    if navani is not None and navani.detail:
        lines += [f"navani's two steps (median): {navani.detail}.", ""]
    if notes:
        lines += [*(f"- {note}" for note in notes), ""]
    return "\n".join(lines)


def describe(runs: list[Run]) -> str:
    """Markdown list: what each tool ran, its versions, and how it numbers cycles."""
    lines = ["## What each tool ran", ""]
    lines += [
        f"- **{run.tool}** ({run.version}): {run.timed}. Cycles: {run.numbering}." for run in runs
    ]
    lines += [
        "",
        "Cycle numbers are mapped before comparing: PyProBE's (from 0) +1; navani's full "
        "cycle 0 (the rest before the first charge, no capacity) is dropped, and its mAh "
        "are divided by 1000.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
