"""Fit 1000 impedance spectra with elyte's batch solver and with impedance.py, in one run.

Run from the project root::

    .venv/bin/python benchmarks/bench_impedance.py [--n 1000] [--peer-n N] [--seed 0]
    .venv/bin/python benchmarks/bench_impedance.py --golden   # reference values for tests

impedance.py lives in its own virtual environment (it pulls in scipy, matplotlib, altair and
needs pandas, which its 1.7.1 release imports without declaring)::

    python3 -m venv benchmarks/.venv-peers/impedancepy
    benchmarks/.venv-peers/impedancepy/bin/pip install impedance==1.7.1 pandas

Without it the script times elyte alone and says so.

**Input.** ``--n`` synthetic spectra of the circuit ``L0-R0-p(R1,CPE1)-CPE2`` (a
stainless-steel | electrolyte | stainless-steel cell with a visible bulk arc: lead
inductance L0, lead resistance R0, bulk resistance R1 with the geometric CPE1, and the
blocking double layer CPE2), 7 MHz to 100 mHz at 10 points per decade. The true
parameters are drawn per spectrum (seeded): L0 ~ 1e-7 H, R0 ~ 1.5 ohm (factor e^±0.3),
R1 log-uniform in [30, 300] ohm, CPE1 Q log-uniform in [1e-8, 1e-7] with alpha in
[0.85, 0.95], CPE2 Q log-uniform in [1e-6, 1e-5] with alpha in [0.80, 0.92]. Noise: 0.5 %
of |Z| added to Z' and Z'' independently (Gaussian).

**What is timed.** elyte: one call ``fit(spectra, circuit)`` for the whole batch, automatic
starting values included (modulus weighting, the default). impedance.py: in a subprocess
with its own Python, ``CustomCircuit(circuit, initial_guess=g).fit(f, Z,
weight_by_modulus=True)`` in a loop, one spectrum after the other, started from *the same*
starting values g that elyte computed (impedance.py has no automatic guess); only the loop
is timed. ``--peer-n`` fits only the first N spectra with impedance.py and scales its time
to ``--n`` (said in the table when used).

**Accuracy.** The bulk-resistance error is ``|R1_fit / R1_true - 1|`` per spectrum; the
table gives its median (and 95th percentile) over the spectra each tool fitted, and how
many fits failed (elyte: a falsy ``FailedFit``; impedance.py: an exception).

The table is printed and written to ``benchmarks/results/impedance.md``. Goal: elyte at least
30x faster than impedance.py with a median bulk-resistance error no worse.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VENV = ROOT / "benchmarks" / ".venv-peers" / "impedancepy"
OUT = ROOT / "benchmarks" / "results" / "impedance.md"
SHARED = ROOT.parent / "shared" / "data"
CIRCUIT = "L0-R0-p(R1,CPE1)-CPE2"
BULK = "R1"


# --------------------------------------------------------------------------- peer mode
def peer_run(inp: str, out: str) -> None:
    """Fit every spectrum of ``inp`` with impedance.py (runs in the peer's environment)."""
    import warnings
    from importlib.metadata import version

    from impedance.models.circuits import CustomCircuit

    with np.load(inp, allow_pickle=False) as data:
        circuit = str(data["circuit"])
        freq = data["frequency"]
        z = data["impedance"]
        init = data["initial"]
        by_modulus = bool(data["weight_by_modulus"])
    n, n_par = init.shape
    params = np.full((n, n_par), np.nan)
    conf = np.full((n, n_par), np.nan)
    ok = np.zeros(n, bool)
    errors: list[str] = []
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    for i in range(n):
        try:
            model = CustomCircuit(circuit, initial_guess=[float(v) for v in init[i]])
            model.fit(freq[i], z[i], weight_by_modulus=by_modulus)
            params[i] = model.parameters_
            if model.conf_ is not None:
                conf[i] = model.conf_
            ok[i] = True
        except Exception as exc:
            errors.append(f"{i}: {type(exc).__name__}: {exc}")
    elapsed = time.perf_counter() - start
    np.savez(out, params=params, conf=conf, ok=ok, elapsed=elapsed)
    Path(out).with_suffix(".json").write_text(
        json.dumps({"version": version("impedance"), "errors": errors[:20]})
    )


def run_peer(
    python: Path, circuit: str, freq: np.ndarray, z: np.ndarray, init: np.ndarray, modulus: bool
) -> dict[str, Any]:
    """Run :func:`peer_run` in the impedance.py environment; return its arrays."""
    with tempfile.TemporaryDirectory() as tmp:
        inp = Path(tmp) / "in.npz"
        out = Path(tmp) / "out.npz"
        np.savez(
            inp,
            circuit=np.array(circuit),
            frequency=np.atleast_2d(freq),
            impedance=np.atleast_2d(z),
            initial=np.atleast_2d(init),
            weight_by_modulus=np.array(modulus),
        )
        subprocess.run(
            [str(python), str(Path(__file__).resolve()), "--peer-run", str(inp), str(out)],
            check=True,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )
        with np.load(out) as res:
            result = {k: res[k] for k in res.files}
        result.update(json.loads(out.with_suffix(".json").read_text()))
    return result


# --------------------------------------------------------------------------- data
def generate(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frequencies (F,), noisy impedances (n, F) and true parameters (n, P)."""
    from elyte.impedance import Circuit

    rng = np.random.default_rng(seed)
    decades = np.log10(7e6) - np.log10(0.1)
    freq = np.logspace(np.log10(7e6), -1, round(decades * 10) + 1)

    def logu(lo: float, hi: float) -> np.ndarray:
        return np.exp(rng.uniform(np.log(lo), np.log(hi), n))

    truth = np.column_stack(
        [
            1e-7 * np.exp(rng.uniform(-0.3, 0.3, n)),
            1.5 * np.exp(rng.uniform(-0.3, 0.3, n)),
            logu(30.0, 300.0),
            logu(1e-8, 1e-7),
            rng.uniform(0.85, 0.95, n),
            logu(1e-6, 1e-5),
            rng.uniform(0.80, 0.92, n),
        ]
    )
    z = Circuit(CIRCUIT).impedance(freq, truth)
    noise = 0.005 * np.abs(z) * (rng.standard_normal(z.shape) + 1j * rng.standard_normal(z.shape))
    return freq, z + noise, truth


# --------------------------------------------------------------------------- benchmark
def _stats(err: np.ndarray) -> tuple[float, float]:
    finite = err[np.isfinite(err)]
    if finite.size == 0:
        return float("nan"), float("nan")
    return float(np.median(finite)), float(np.percentile(finite, 95))


def benchmark(args: argparse.Namespace) -> str:
    """Time both tools; return the Markdown report."""
    from elyte.impedance import Circuit, Spectrum, fit, initial_guess

    freq, z, truth = generate(args.n, args.seed)
    circuit = Circuit(CIRCUIT)
    k_bulk = circuit.index(BULK)
    spectra = [Spectrum(freq, zi) for zi in z]
    fit(spectra[:10], circuit)  # warm-up (imports, caches)
    times = []
    results: list[Any] = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        results = fit(spectra, circuit)
        times.append(time.perf_counter() - t0)
    t_elyte = float(np.median(times))
    ok_e = np.array([bool(r) for r in results])
    vals_e = np.array([r.values for r in results])
    err_e = np.where(ok_e, np.abs(vals_e[:, k_bulk] / truth[:, k_bulk] - 1.0), np.nan)
    med_e, p95_e = _stats(err_e)

    rows = [
        "| tool | spectra | time (s) | per spectrum (ms) | failed fits | "
        "median bulk-R error | 95th pct. | time / elyte |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        f"| elyte {_version()} (batch) | {args.n} | {t_elyte:.3f} | "
        f"{1e3 * t_elyte / args.n:.2f} | {int((~ok_e).sum())} | {med_e:.2e} | {p95_e:.2e} | 1 |",
    ]
    verdict = "impedance.py not run (no environment at " + str(args.peer_venv) + ")"
    python = args.peer_venv / "bin" / "python"
    peer_note = ""
    if python.exists():
        n_peer = min(args.peer_n or args.n, args.n)
        guess = initial_guess(circuit, freq, z[:n_peer])
        freq_b = np.broadcast_to(freq, (n_peer, freq.size))
        peer = run_peer(python, CIRCUIT, freq_b, z[:n_peer], guess, modulus=True)
        t_peer = float(peer["elapsed"]) * args.n / n_peer
        ok_p = peer["ok"].astype(bool)
        err_p = np.abs(peer["params"][:, k_bulk] / truth[:n_peer, k_bulk] - 1.0)
        err_p = np.where(ok_p, err_p, np.nan)
        med_p, p95_p = _stats(err_p)
        scaled = f" (time of {n_peer} fits x {args.n / n_peer:g})" if n_peer < args.n else ""
        rows.append(
            f"| impedance.py {peer['version']} (loop) | {n_peer} | {t_peer:.2f}{scaled} | "
            f"{1e3 * t_peer / args.n:.1f} | {int((~ok_p).sum())} | {med_p:.2e} | {p95_p:.2e} | "
            f"{t_peer / t_elyte:.0f} |"
        )
        speed = t_peer / t_elyte
        same = err_e[:n_peer]
        med_same, _ = _stats(same)
        met = speed >= 30 and med_e <= med_p * 1.0 + 1e-12
        verdict = (
            f"elyte is {speed:.0f}x faster than impedance.py; median bulk-resistance error "
            f"{med_e:.2e} (elyte, all {args.n}) vs {med_p:.2e} (impedance.py, {n_peer}); on the "
            f"same {n_peer} spectra elyte's median is {med_same:.2e}. Goal (>= 30x, error no "
            f"worse): **{'met' if met else 'not met'}**."
        )
        agree = np.abs(vals_e[:n_peer] / peer["params"] - 1.0)
        both = ok_e[:n_peer] & ok_p
        if both.any():
            peer_note = (
                f"Where both converged ({int(both.sum())} spectra), the largest relative "
                f"difference between the two tools' parameters is, per parameter: "
                + ", ".join(
                    f"{n} {np.nanmax(agree[both, k]):.1e}"
                    for k, n in enumerate(circuit.parameter_names)
                )
                + " (median over spectra: "
                + ", ".join(
                    f"{n} {np.nanmedian(agree[both, k]):.1e}"
                    for k, n in enumerate(circuit.parameter_names)
                )
                + ")."
            )
        if peer.get("errors"):
            peer_note += " First impedance.py errors: " + "; ".join(peer["errors"][:3])
    header = [
        "# Circuit fitting: elyte batch vs impedance.py",
        "",
        f"{platform.machine()}, {os.cpu_count()} CPU cores, Python "
        f"{platform.python_version()} for elyte. {args.n} synthetic spectra of `{CIRCUIT}` "
        f"({freq.size} frequencies, 7 MHz to 100 mHz, 0.5 % Gaussian noise on Z' and Z''; "
        f"seed {args.seed}); bulk resistance = `{BULK}`. Both tools use modulus weighting and "
        "start from the same values (elyte's automatic guess). elyte time: median of "
        f"{args.repeat} runs of one `fit()` call on the whole batch, guesses included; "
        "impedance.py: one loop of `CustomCircuit.fit` calls in its own environment. Produced "
        "by `benchmarks/bench_impedance.py`.",
        "",
    ]
    body = [*rows, "", verdict]
    if peer_note:
        body += ["", peer_note]
    return "\n".join(header + body) + "\n"


def _version() -> str:
    import elyte

    return elyte.__version__


# --------------------------------------------------------------------------- golden values
def golden(args: argparse.Namespace) -> None:
    """Fit the real spectra the tests use with both tools and print the comparison."""
    import elyte
    from elyte.impedance import Spectrum, fit, spectra_from_recording

    python = args.peer_venv / "bin" / "python"
    data = np.loadtxt(SHARED / "eis" / "impedancepy_exampleData.csv", delimiter=",")
    example = Spectrum(data[:, 0], data[:, 1] + 1j * data[:, 2]).without_inductive()
    biologic = spectra_from_recording(
        elyte.read(SHARED / "eis" / "impedancepy_exampleDataBioLogic.mpt")
    )[0]
    geis = spectra_from_recording(elyte.read(SHARED / "biologic" / "geis.issue_149.mpr"))
    peis = spectra_from_recording(elyte.read(SHARED / "biologic" / "peis.mpr"))[0].crop(f_min=60)
    cases = [
        ("exampleData", example, "R0-p(R1,C1)-p(R2-Wo1,C2)", [0.01, 0.01, 100, 0.01, 0.05, 100, 1]),
        ("exampleDataBioLogic", biologic, "R0-p(R1,CPE1)", [57.9, 57.7, 0.00835, 0.816]),
        ("geis sweep 0", geis[0], "R0-p(R1,CPE1)", [7.59, 91.8, 4.49e-05, 0.658]),
        ("geis sweep 1", geis[1], "R0-p(R1,CPE1)", [7.34, 108.0, 9.94e-05, 0.569]),
        ("geis sweep 2", geis[2], "R0-p(R1,CPE1)", [7.43, 106.0, 8.92e-05, 0.585]),
        ("geis sweep 3", geis[3], "R0-p(R1,CPE1)", [7.02, 91.0, 4.69e-05, 0.654]),
        ("peis f>=60 Hz", peis, "R0-p(R1,C1)", [10.4, 8.52, 0.000112]),
    ]
    for modulus in (False, True):
        weighting = "modulus" if modulus else "unit"
        print(f"## weighting={weighting}")
        for label, spec, circ, init in cases:
            peer = run_peer(python, circ, spec.frequency, spec.impedance, np.array(init), modulus)
            ours = fit(spec, circ, initial=init, weighting=weighting)
            p_peer = peer["params"][0]
            print(f"{label}: {circ} impedance.py {peer['version']} ok={bool(peer['ok'][0])}")
            print(f"    impedance.py = {[float(f'{v:.6g}') for v in p_peer]}")
            print(f"    elyte        = {[float(f'{v:.6g}') for v in ours.values]} ({ours!r})")
            print(f"    rel. diff    = {[float(f'{v:.2g}') for v in ours.values / p_peer - 1]}")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="spectra to fit (default 1000)")
    parser.add_argument("--peer-n", type=int, default=None, help="fit only N with impedance.py")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="timed elyte runs (median)")
    parser.add_argument("--peer-venv", type=Path, default=DEFAULT_VENV)
    parser.add_argument("--golden", action="store_true", help="print test reference values")
    parser.add_argument("--peer-run", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="do not write the results file")
    args = parser.parse_args(argv)
    if args.peer_run:
        peer_run(*args.peer_run)
        return 0
    if args.golden:
        golden(args)
        return 0
    report = benchmark(args)
    print(report)
    if not args.no_write:
        OUT.parent.mkdir(exist_ok=True)
        OUT.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
