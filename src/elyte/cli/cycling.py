"""``elyte cycling``: per-cycle table, retention and life metrics of a cycling file."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer

from elyte.errors import ElyteError

__all__ = ["cycling"]


def _pct(value: float | None) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{100.0 * value:.2f}"


def _num(value: float | None, scale: float = 1.0, digits: int = 4) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value * scale:.{digits}g}"


def _metrics(table: Any) -> dict[str, Any]:
    """Life metrics that apply to any table; a metric that cannot be computed says why."""
    from elyte.cycling import average_ce, cycles_to_threshold, detect_sudden_failure, fade_rate

    out: dict[str, Any] = {}
    for name, func in (
        ("cycles_to_80_percent", lambda: cycles_to_threshold(table, 0.8)),
        ("average_ce", lambda: average_ce(table)),
        ("fade_rate", lambda: fade_rate(table)),
        ("sudden_failure", lambda: detect_sudden_failure(table)),
    ):
        try:
            out[name] = func().to_dict()
        except ElyteError as exc:
            out[name] = {"not_computed": str(exc)}
    return out


def cycling(
    file: Annotated[Path, typer.Argument(help="Cycling file (any format elyte reads).")],
    working_electrode: Annotated[
        str,
        typer.Option(
            "--working-electrode",
            "-w",
            help="positive (cathode/Li half cell: CE = discharge/charge) or negative "
            "(Li on Cu, anode/Li: CE = charge/discharge).",
        ),
    ],
    cycle_definition: Annotated[
        str,
        typer.Option(
            "--cycles",
            help="What a cycle is: vendor (instrument counter), charge_discharge or "
            "discharge_charge (pairs of half-cycles).",
        ),
    ],
    mass_mg: Annotated[float | None, typer.Option("--mass-mg", help="Active mass, mg.")] = None,
    loading_mg_cm2: Annotated[
        float | None, typer.Option("--loading-mg-cm2", help="Electrode loading, mg/cm².")
    ] = None,
    area_cm2: Annotated[
        float | None, typer.Option("--area-cm2", help="Electrode area, cm².")
    ] = None,
    diameter_mm: Annotated[
        float | None,
        typer.Option("--diameter-mm", help="Disk electrode diameter, mm (sets the area)."),
    ] = None,
    active_fraction: Annotated[
        float | None,
        typer.Option("--active-fraction", help="Active-material mass fraction (0-1)."),
    ] = None,
    specific_capacity: Annotated[
        float | None,
        typer.Option("--specific-capacity", help="Nominal specific capacity (1 C), mAh/g."),
    ] = None,
    nominal_capacity_mah: Annotated[
        float | None,
        typer.Option("--nominal-capacity-mah", help="Nominal cell capacity (1 C), mAh."),
    ] = None,
    reference_cycle: Annotated[
        int, typer.Option("--reference-cycle", help="Cycle that is 100 % for retention.")
    ] = 1,
    technique: Annotated[
        str | None,
        typer.Option("--technique", help="Only rows of this technique (e.g. GCPL in MB files)."),
    ] = None,
    format: Annotated[
        str | None, typer.Option("--format", "-f", help="Reader to use (default: guessed).")
    ] = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Also write the per-cycle table as CSV.")
    ] = None,
    png: Annotated[
        Path | None,
        typer.Option("--png", help="Also write a capacity/CE-vs-cycle figure (needs matplotlib)."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON document on stdout.")
    ] = False,
) -> dict[str, Any] | None:
    """Summarise galvanostatic cycling: capacity, CE, energy, retention, per cycle."""
    from elyte.cycling import CellSpec, summarize
    from elyte.errors import MissingCellParameterError
    from elyte.io.registry import read

    if diameter_mm is not None:
        if area_cm2 is not None:
            raise MissingCellParameterError("give --area-cm2 or --diameter-mm, not both")
        area_cm2 = math.pi * (diameter_mm / 20.0) ** 2
    cell = CellSpec(
        working_electrode=working_electrode,  # type: ignore[arg-type]  # validated by CellSpec
        active_mass_g=None if mass_mg is None else mass_mg / 1000.0,
        loading_mg_cm2=loading_mg_cm2,
        area_cm2=area_cm2,
        active_fraction=active_fraction,
        nominal_specific_capacity_mah_g=specific_capacity,
        nominal_capacity_ah=None if nominal_capacity_mah is None else nominal_capacity_mah / 1e3,
        name=file.stem,
    )
    rec = read(file, format=format)
    if technique is not None:
        rec = rec.select(technique=technique)
    # asking for a mass-based quantity on the command line makes the mass required
    specific = True if (mass_mg is not None or loading_mg_cm2 is not None) else None
    table = summarize(
        rec,
        cell,
        cycle_definition=cycle_definition,  # type: ignore[arg-type]  # validated by summarize
        reference_cycle=reference_cycle,
        specific=specific,
    )
    written: dict[str, str] = {}
    if csv is not None:
        written["csv"] = str(table.to_csv(csv))
    if png is not None:
        from elyte.cycling.plots import plot_capacity_ce

        figure = plot_capacity_ce(table)
        figure.savefig(png, dpi=200, bbox_inches="tight")
        written["png"] = str(png)
    document = table.to_dict()
    document["metrics"] = _metrics(table)
    document["written"] = written
    if json_output:
        return document
    _print_table(table, document)
    return None


def _print_table(table: Any, document: dict[str, Any]) -> None:
    data = table.data
    specific = "discharge_capacity_mah_g" in data.columns and (
        data.get_column("discharge_capacity_mah_g").null_count() < data.height
    )
    cap_unit = "mAh/g" if specific else "mAh"
    lines = [
        f"{document['source'].get('path')}  ({table.conventions.get('cycle_definition')} cycles, "
        f"working electrode {table.conventions.get('working_electrode')})",
        f"{'cycle':>5} {'Q_ch/' + cap_unit:>12} {'Q_dis/' + cap_unit:>12} {'CE/%':>8} "
        f"{'retention/%':>12} {'V_ch/V':>7} {'V_dis/V':>7}",
    ]
    for row in data.iter_rows(named=True):
        if specific:
            q_ch, q_dis, scale = row["charge_capacity_mah_g"], row["discharge_capacity_mah_g"], 1.0
        else:
            q_ch, q_dis, scale = row["charge_capacity_ah"], row["discharge_capacity_ah"], 1e3
        lines.append(
            f"{row['cycle']:>5} {_num(q_ch, scale):>12} {_num(q_dis, scale):>12} "
            f"{_pct(row['coulombic_efficiency']):>8} {_pct(row['capacity_retention']):>12} "
            f"{_num(row['mean_charge_voltage_v']):>7} {_num(row['mean_discharge_voltage_v']):>7}"
        )
    metrics = document["metrics"]
    lines.append("")
    for key, value in metrics.items():
        lines.append(f"{key}: {_describe(value)}")
    lines.extend(f"note: {note}" for note in table.notes)
    lines.extend(f"wrote {kind}: {path}" for kind, path in document["written"].items())
    typer.echo("\n".join(lines))


def _describe(metric: dict[str, Any]) -> str:
    if "not_computed" in metric:
        return f"not computed ({metric['not_computed']})"
    keys = ("cycle", "mean", "fade_percent_per_cycle", "detected", "reason")
    shown = {k: metric[k] for k in keys if k in metric and metric[k] is not None}
    return ", ".join(
        f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}" for k, v in shown.items()
    )
