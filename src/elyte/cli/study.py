"""``elyte run``, ``elyte demo`` and ``elyte query``: studies, their store and report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["demo", "query", "run"]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="SQLAlchemy URL or SQLite path (default: study.db by the manifest)."),
]


def run(
    study: Annotated[Path, typer.Argument(help="Study manifest (TOML).")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Report folder (default: report/).")
    ] = None,
    db: DbOpt = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Worker processes for the analyses.")
    ] = 1,
    json_output: JsonOpt = False,
) -> dict[str, Any] | None:
    """Run every analysis a study manifest declares (incrementally) and write the report."""
    from elyte.study import run_manifest

    paths = run_manifest(study, out=out, db=db, jobs=jobs)
    document = {k: str(v) for k, v in paths.items()}
    if json_output:
        return document
    typer.echo(f"report: {paths['html']}")
    return None


def demo(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for the simulated study.")
    ] = Path("elyte-demo"),
    json_output: JsonOpt = False,
) -> dict[str, Any] | None:
    """Simulate the example study (the seed's two electrolytes), run it, print the report path."""
    from elyte.study.demo import demo as make

    report = make(out)
    if json_output:
        return {"report": str(report), "manifest": str(Path(out) / "study.toml")}
    typer.echo(str(report))
    return None


def query(
    db: Annotated[str, typer.Argument(help="SQLAlchemy URL or SQLite path of a results store.")],
    metric: Annotated[
        str | None, typer.Option("--metric", "-m", help="Metric name (SQL LIKE '%' allowed).")
    ] = None,
    electrolyte: Annotated[
        str | None, typer.Option("--electrolyte", "-e", help="Only this electrolyte (exact name).")
    ] = None,
    study: Annotated[
        str | None, typer.Option("--study", "-s", help="Only this study (exact name).")
    ] = None,
    json_output: JsonOpt = False,
) -> dict[str, Any] | None:
    """Pull metrics across every study of a store (for example every t_plus by electrolyte)."""
    from elyte.errors import ElyteError
    from elyte.study import query_metrics

    if "://" not in db and not Path(db).is_file():
        raise ElyteError(f"{db}: no such results store")
    rows = [
        r
        for r in query_metrics(db, metric)
        if (electrolyte is None or r["electrolyte"] == electrolyte)
        and (study is None or r["study"] == study)
    ]
    if json_output:
        return {"metrics": rows}
    for r in rows:
        u = "" if r["uncertainty"] is None else f" ± {r['uncertainty']:.3g}"
        v = "-" if r["value"] is None else f"{r['value']:.6g}"
        cond = f" [{r['condition']}]" if r["condition"] else ""
        typer.echo(
            f"{r['study']}\t{r['electrolyte']}\t{r['cell']}\t{r['name']}{cond}\t{v}{u} {r['unit']}"
        )
    return None
