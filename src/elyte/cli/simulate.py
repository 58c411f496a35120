"""``elyte simulate``: run a virtual-lab experiment and write its instrument files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from elyte._json import jsonable as _plain

__all__ = ["EXPERIMENTS", "simulate"]

#: Experiments this command runs, with what they write.
EXPERIMENTS = {
    "eis-ss": "SS|E|SS impedance at -10..60 degC (one BioLogic .mpt per temperature)",
    "eis-li-li": "Li||Li impedance at 20..60 degC (one .mpt per temperature)",
    "eis-cycled": "cathode/Li impedance after 1..80 cycles (one .mpt, one sweep per cycle)",
    "transference": "Bruce-Vincent: EIS before, CA at 10 mV, EIS after (three .mpt)",
    "arc": "ARC heat-wait-search run of the cell (ARC CSV)",
    "aurbach": "Li||Cu modified-Aurbach protocol of the seed at the set's CE (one .mpt)",
    "li-li": "Li||Li galvanostatic cycling, 0.5 mA/cm2 / 1 mAh/cm2 (one .mpt)",
    "cycling": "NCM811/Li CC-CV cycling, 120 cycles, Li-inventory limited by the set's CE (LAND)",
    "lsv": "LSV of Li|E|SS at 1 mV/s with the set's oxidation behaviour (one .mpt)",
}


def _run(experiment: str, params: Any, out: Path, seed: int) -> tuple[list[Path], Any]:
    from elyte.virtual import eis, writers
    from elyte.virtual.arc import simulate_arc
    from elyte.virtual.transference import simulate_bruce_vincent

    key = params.key
    if experiment == "eis-ss":
        runs = eis.blocking_temperature_series(params, seed=seed)
        files = [
            writers.write_mpt(rec, out / f"{key}_ss_{t.temperature_c:+.0f}C.mpt", technique="PEIS")
            for rec, t in runs
        ]
        return files, [t for _, t in runs]
    if experiment == "eis-li-li":
        li = eis.li_li_temperature_series(params, seed=seed)
        files = [
            writers.write_mpt(
                rec, out / f"{key}_lili_{t.temperature_c:+.0f}C.mpt", technique="PEIS"
            )
            for rec, t in li
        ]
        return files, [t for _, t in li]
    if experiment == "eis-cycled":
        rec, truth = eis.simulate_cycled_eis(params, seed=seed)
        return [writers.write_mpt(rec, out / f"{key}_cycled_eis.mpt", technique="PEIS")], truth
    if experiment == "transference":
        before, ca, after, bv = simulate_bruce_vincent(params, seed=seed)
        files = [
            writers.write_mpt(before, out / f"{key}_bv_eis_before.mpt", technique="PEIS"),
            writers.write_mpt(ca, out / f"{key}_bv_ca.mpt", technique="CA"),
            writers.write_mpt(after, out / f"{key}_bv_eis_after.mpt", technique="PEIS"),
        ]
        return files, bv
    if experiment == "arc":
        sim, arc_truth = simulate_arc(params, seed=seed)
        return [sim.write_csv(out / f"{key}_arc.csv")], arc_truth
    if experiment == "aurbach":
        from elyte.virtual.lithium import li_cu_aurbach

        rec, licu = li_cu_aurbach(ce=params.ce, seed=seed)
        return [writers.write_mpt(rec, out / f"{key}_li_cu.mpt", technique="GCPL")], licu
    if experiment == "li-li":
        from elyte.virtual.lithium import li_li_cycling

        rec, lili = li_li_cycling(seed=seed)
        return [writers.write_mpt(rec, out / f"{key}_li_li.mpt", technique="GCPL")], lili
    if experiment == "cycling":
        from elyte.virtual.cycling import cathode_li_cycling

        # 120 cycles: long enough for the Li reservoir of a low-CE electrolyte to run out
        rec, cyc = cathode_li_cycling(li_ce=params.ce, n_cycles=120, seed=seed)
        return [writers.write_landt_csv(rec, out / f"{key}_ncm811_li.csv")], cyc
    if experiment == "lsv":
        from elyte.virtual.lsv import linear_sweep, lsv_preset

        rec, lsv_truth = linear_sweep(**lsv_preset(key), seed=seed)
        return [writers.write_mpt(rec, out / f"{key}_lsv.mpt", technique="LSV")], lsv_truth
    from elyte.errors import ElyteError

    raise ElyteError(f"unknown experiment {experiment!r}; choose one of {sorted(EXPERIMENTS)}")


def simulate(
    experiment: Annotated[
        str, typer.Argument(help="Experiment: " + ", ".join(sorted(EXPERIMENTS)) + ".")
    ],
    params: Annotated[
        str,
        typer.Option(
            "--params",
            help="Parameter TOML file, or a shipped set: 3d-sipe-lifpa, lipf6-emc-fec.",
        ),
    ] = "3d-sipe-lifpa",
    out: Annotated[Path, typer.Option("--out", help="Directory for the files.")] = Path("."),
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the noise.")] = 0,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON document on stdout.")
    ] = False,
) -> dict[str, Any] | None:
    """Simulate an experiment from a parameter set and write instrument files (simulated)."""
    from elyte.errors import ElyteError
    from elyte.virtual.params import load_params

    if experiment not in EXPERIMENTS:
        raise ElyteError(f"unknown experiment {experiment!r}; choose one of {sorted(EXPERIMENTS)}")
    p = load_params(params)
    out.mkdir(parents=True, exist_ok=True)
    files, truth = _run(experiment, p, out, seed)
    document = {
        "experiment": experiment,
        "description": EXPERIMENTS[experiment],
        "simulated": True,
        "electrolyte": p.name,
        "params": p.source,
        "seed": seed,
        "files": [str(f) for f in files],
        "truth": _plain(truth),
    }
    if json_output:
        return document
    lines = [f"simulated {experiment} for {p.name} ({p.source}), seed {seed}:"]
    lines.extend(f"  wrote {f}" for f in files)
    typer.echo("\n".join(lines))
    return None
