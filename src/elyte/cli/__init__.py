"""The ``elyte`` command line: a thin layer over the library.

Every command catches :class:`~elyte.errors.ElyteError`, prints one line
(``error: <path>: <message>``) on stderr and exits with status 1. Commands that produce
results accept ``--json`` and then print exactly one JSON document on stdout, numbers as
``{"value": ..., "unit": ...}``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from elyte.errors import ElyteError

__all__ = ["app", "main"]

app = typer.Typer(
    name="elyte",
    help="Evaluate electrolytes for lithium-metal batteries: instrument files to figures of merit.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def _friendly(func: F) -> F:
    """Turn ElyteError into one line on stderr and exit status 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ElyteError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]


def _emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, allow_nan=False) + "\n")


JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
FormatOption = Annotated[
    str | None,
    typer.Option("--format", "-f", help="Reader to use (see `elyte formats`); guessed if omitted."),
]


def _fmt_quantity(q: dict[str, Any] | None) -> str:
    if q is None:
        return "-"
    value = q["value"]
    text = f"{value:.6g}" if isinstance(value, float) else str(value)
    return f"{text} {q['unit']}".strip()


@app.command()
@_friendly
def inspect(
    file: Annotated[Path, typer.Argument(help="Instrument file to read.")],
    format: FormatOption = None,
    json_output: JsonFlag = False,
) -> None:
    """Show what a file holds: instrument, techniques, rows, columns with units, ranges."""
    from elyte.io.registry import read

    rec = read(file, format=format)
    summary = rec.summary()
    if json_output:
        _emit_json(summary)
        return
    lines = [
        f"file        {summary['source']}",
        f"sha256      {summary['sha256']}",
        f"reader      {summary['format']}",
        f"instrument  {summary['instrument']}" + ("  (simulated)" if summary["simulated"] else ""),
        f"techniques  {', '.join(summary['techniques']) or '-'}",
        f"started     {summary['start_time'] or '-'}",
        f"rows        {summary['rows']}",
        f"duration    {_fmt_quantity(summary['duration'])}",
        f"cycles      {summary['cycles'] if summary['cycles'] is not None else '-'}",
    ]
    for key in ("voltage", "current", "frequency"):
        span = summary[key]
        if span is not None:
            lines.append(f"{key:<11} {_fmt_quantity(span['min'])} .. {_fmt_quantity(span['max'])}")
    lines.append("columns")
    lines.extend(f"  {c['name']:<34} {c['unit'] or '-'}" for c in summary["columns"])
    if summary["notes"]:
        lines.append("notes")
        lines.extend(f"  - {n}" for n in summary["notes"])
    typer.echo("\n".join(lines))


@app.command()
@_friendly
def convert(
    file: Annotated[Path, typer.Argument(help="Instrument file to read.")],
    to: Annotated[str, typer.Option("--to", help="Target format: parquet or bdf.")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Output path (default: next to the input)."),
    ] = None,
    format: FormatOption = None,
    json_output: JsonFlag = False,
) -> None:
    """Convert an instrument file to Parquet (with metadata) or a BDF CSV file."""
    from elyte.errors import ExportError
    from elyte.io.registry import read

    targets = {"parquet": ".parquet", "bdf": ".bdf.csv"}
    if to not in targets:
        raise ExportError(f"--to must be one of {sorted(targets)}, not {to!r}")
    rec = read(file, format=format)
    out = output if output is not None else file.with_name(file.name + targets[to])
    if out.resolve() == file.resolve():
        raise ExportError("refusing to overwrite the raw input file", path=out)
    written = rec.to_parquet(out) if to == "parquet" else rec.to_bdf(out)
    document = {
        "input": str(file),
        "output": str(written),
        "format": to,
        "rows": rec.data.height,
        "columns": [{"name": c, "unit": rec.unit(c)} for c in rec.data.columns],
    }
    if json_output:
        _emit_json(document)
    else:
        typer.echo(f"wrote {written} ({rec.data.height} rows, {rec.data.width} columns)")


@app.command()
@_friendly
def formats(json_output: JsonFlag = False) -> None:
    """List the installed readers."""
    from elyte.io.registry import available_readers

    readers = available_readers()
    if json_output:
        _emit_json([{"name": k, "description": v} for k, v in readers.items()])
        return
    width = max(len(k) for k in readers)
    typer.echo("\n".join(f"{k:<{width}}  {v}" for k, v in readers.items()))


@app.command()
@_friendly
def example(
    output: Annotated[
        Path, typer.Argument(help="Where to write it: *.parquet (keeps metadata) or *.csv (BDF).")
    ],
    json_output: JsonFlag = False,
) -> None:
    """Write a small simulated cycling file to try the other commands on."""
    from elyte.examples import galvanostatic_example

    rec = galvanostatic_example()
    output.parent.mkdir(parents=True, exist_ok=True)
    parquet = output.suffix.lower() == ".parquet"
    written = rec.to_parquet(output) if parquet else rec.to_bdf(output)
    if json_output:
        _emit_json({"output": str(written), "rows": rec.data.height, "simulated": True})
    else:
        typer.echo(f"wrote {written} (simulated, {rec.data.height} rows)")


def _command_returning_json(func: F) -> F:
    """Wrap a command that returns a JSON document (``--json``) or None (text printed)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        document = func(*args, **kwargs)
        if document is not None:
            _emit_json(document)

    return _friendly(wrapper)  # type: ignore[return-value]


def _register_commands() -> None:
    from elyte.cli.cycling import cycling
    from elyte.cli.design import composition, design, formulate
    from elyte.cli.impedance import conductivity, eis_fit
    from elyte.cli.lithium import aurbach, lsv, symmetric
    from elyte.cli.simulate import simulate
    from elyte.cli.study import demo, query, run
    from elyte.cli.thermal import arc, arc_simulate, dsc
    from elyte.cli.transference import transference

    app.command("cycling")(_command_returning_json(cycling))
    app.command("aurbach")(_command_returning_json(aurbach))
    app.command("symmetric")(_command_returning_json(symmetric))
    app.command("lsv")(_command_returning_json(lsv))
    app.command("design")(_command_returning_json(design))
    app.command("formulate")(_command_returning_json(formulate))
    app.command("composition")(_command_returning_json(composition))
    app.command("arc")(_command_returning_json(arc))
    app.command("arc-simulate")(_command_returning_json(arc_simulate))
    app.command("dsc")(_command_returning_json(dsc))
    app.command("eis-fit")(_command_returning_json(eis_fit))
    app.command("conductivity")(_command_returning_json(conductivity))
    app.command("transference")(_command_returning_json(transference))
    app.command("simulate")(_command_returning_json(simulate))
    app.command("run")(_command_returning_json(run))
    app.command("demo")(_command_returning_json(demo))
    app.command("query")(_command_returning_json(query))


_register_commands()


def main() -> None:
    """Entry point of the ``elyte`` script."""
    app()
