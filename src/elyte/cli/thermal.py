"""``elyte arc``, ``elyte arc-simulate`` and ``elyte dsc``: thermal safety.

Each function returns a JSON document with ``--json`` and otherwise prints text and
returns None (registered through ``_command_returning_json`` in :mod:`elyte.cli`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["arc", "arc_simulate", "dsc"]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
PngOpt = Annotated[
    Path | None, typer.Option("--png", help="Also write the figure (needs matplotlib).")
]
ColumnOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--column",
        help="ROLE=HEADER for a column the usual names miss (repeatable).",
    ),
]
UnitOpt = Annotated[
    list[str] | None,
    typer.Option("--unit", help="ROLE=UNIT for a header without a unit (repeatable)."),
]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="Sheet of an Excel workbook.")]


def _pairs(items: list[str] | None, option: str) -> dict[str, str]:
    from elyte.errors import ThermalError

    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ThermalError(f"{option} takes KEY=VALUE, not {item!r}")
        out[key.strip()] = value.strip()
    return out


def _save(figure: Any, png: Path) -> str:
    from elyte.plotting import save_figure

    return str(save_figure(figure, png, dpi=200))


def arc(
    file: Annotated[Path, typer.Argument(help="ARC export (CSV/TSV or Excel).")],
    criterion: Annotated[
        list[str] | None,
        typer.Option(
            "--criterion",
            help="T_tr criterion, e.g. 1C/min (default, the seed's) or 1C/s (Feng); repeatable.",
        ),
    ] = None,
    threshold: Annotated[
        str, typer.Option("--threshold", help="Detection threshold (default 0.03C/min).")
    ] = "0.03C/min",
    phi: Annotated[float, typer.Option("--phi", help="phi-factor (default 1: none).")] = 1.0,
    smoothing_c: Annotated[
        float, typer.Option("--smoothing-c", help="Temperature step of the SHR, degC.")
    ] = 0.2,
    infer_modes: Annotated[
        bool,
        typer.Option("--infer-modes", help="Infer heat/wait/search/exotherm even with a flag."),
    ] = False,
    step_c: Annotated[
        float, typer.Option("--step-c", help="Heat step, degC (for inferred modes).")
    ] = 5.0,
    compare: Annotated[
        bool,
        typer.Option("--compare", help="Also the seed's Table S7, normalised to the criterion."),
    ] = False,
    column: ColumnOpt = None,
    unit: UnitOpt = None,
    mode_label: Annotated[
        list[str] | None,
        typer.Option("--mode-label", help="WORD=MODE for the export's mode words (repeatable)."),
    ] = None,
    sheet: SheetOpt = None,
    png: PngOpt = None,
    json_output: JsonOpt = False,
) -> dict[str, Any] | None:
    """ARC heat-wait-search run: T_onset, T_tr at the stated criterion, T_max, SHR."""
    from elyte.thermal.arc import analyse_arc, parse_rate, read_arc

    criteria = criterion or ["1C/min"]
    rec = read_arc(
        file,
        columns=_pairs(column, "--column"),
        units=_pairs(unit, "--unit"),
        mode_labels=_pairs(mode_label, "--mode-label"),
        sheet=sheet,
    )
    result = analyse_arc(
        rec,
        criteria=criteria,
        threshold_c_min=threshold,
        phi=phi,
        smoothing_c=smoothing_c,
        use_flag=not infer_modes,
        step_c=step_c,
    )
    document = result.to_dict()
    comparison = None
    if compare:
        from elyte.thermal.literature import normalise_all

        comparison = normalise_all(target_c_min=parse_rate(criteria[0]))
        document["literature"] = [row.to_dict() for row in comparison]
    if png is not None:
        from elyte.thermal.plots import plot_shr

        document["written"] = {"png": _save(plot_shr(result), png)}
    if json_output:
        return document
    lines = [str(result)]
    if comparison is not None:
        target = result.tr[0].label
        lines.append(f"literature (Table S7), T_tr at {target}:")
        for row in comparison:
            e = row.entry
            tr = f"{row.tr_at_target_c:.0f} degC" if row.tr_at_target_c is not None else "-"
            onset = f"{e.onset_c:.0f}" if e.onset_c is not None else "-"
            lines.append(
                f"  {e.reference:<10} {e.electrolyte[:32]:<32} T_onset {onset:>4}  T_tr {tr:>9}"
                f"  ({row.method}){'' if row.comparable else ' [not a cell]'}"
            )
    typer.echo("\n".join(lines))
    return None


def arc_simulate(
    params: Annotated[
        str,
        typer.Argument(
            help="Model parameters (TOML) or a preset: kim2007-18650, ncm-type, "
            "li-metal-ncm811-pouch."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="ARC CSV file to write.")],
    png: PngOpt = None,
    json_output: JsonOpt = False,
) -> dict[str, Any] | None:
    """Simulate a heat-wait-search ARC run of a thermal-runaway model; write it (simulated)."""
    from elyte.thermal.runaway import HwsProtocol, load_model_toml, preset, simulate_hws

    source = Path(params)
    if source.suffix.lower() == ".toml" or source.exists():
        model, protocol = load_model_toml(source)
    else:
        model, protocol = preset(params), HwsProtocol()
    sim = simulate_hws(model, protocol)
    written = sim.write_csv(out)
    document = sim.to_dict()
    document["output"] = str(written)
    if png is not None:
        from elyte.thermal.arc import read_arc, segment_arc
        from elyte.thermal.plots import plot_arc_temperature

        rec = read_arc(written)
        document["written"] = {"png": _save(plot_arc_temperature(rec, segment_arc(rec)), png)}
    if json_output:
        return document
    lines = [
        f"wrote {written} (simulated, model {model.name}, {sim.time_s.size} rows, "
        f"{sim.time_s[-1] / 3600:.1f} h, computed in {sim.runtime_s:.2f} s)",
        f"  {sim.end_reason}",
    ]
    if sim.first_detection_c is None:
        lines.append("  no exotherm detected")
    else:
        lines.append(f"  first detection (T_onset) {sim.first_detection_c:.2f} degC")
    for truth in sim.truth:
        observed = "-" if truth.observable_c is None else f"{truth.observable_c:.2f} degC"
        anywhere = "-" if truth.any_mode_c is None else f"{truth.any_mode_c:.2f} degC"
        lines.append(
            f"  model SHR reaches {truth.rate_c_min:g} degC/min: {observed} while tracking "
            f"({anywhere} in any mode)"
        )
    typer.echo("\n".join(lines))
    return None


def dsc(
    file: Annotated[Path, typer.Argument(help="DSC export (CSV/TSV or Excel).")],
    mass_mg: Annotated[
        float | None,
        typer.Option("--mass-mg", help="Sample mass, mg (needed when the heat flow is in W)."),
    ] = None,
    exo: Annotated[
        str, typer.Option("--exo", help="Direction of an exotherm in the export: up or down.")
    ] = "up",
    from_c: Annotated[
        float | None, typer.Option("--from-c", help="Start of the window, degC.")
    ] = None,
    to_c: Annotated[float | None, typer.Option("--to-c", help="End of the window, degC.")] = None,
    heating_rate: Annotated[
        float | None,
        typer.Option("--heating-rate", help="degC/min; needed without a time column."),
    ] = None,
    column: ColumnOpt = None,
    unit: UnitOpt = None,
    sheet: SheetOpt = None,
    png: PngOpt = None,
    json_output: JsonOpt = False,
) -> dict[str, Any] | None:
    """DSC heating run: onset (tangent), peak, enthalpy in J/g with the mass basis stated."""
    from elyte.errors import ThermalError
    from elyte.thermal.dsc import analyse_dsc, read_dsc

    curve = read_dsc(
        file, columns=_pairs(column, "--column"), units=_pairs(unit, "--unit"), sheet=sheet
    )
    window = None
    if from_c is not None or to_c is not None:
        lo = from_c if from_c is not None else float(curve.temperature_c.min())
        hi = to_c if to_c is not None else float(curve.temperature_c.max())
        window = (lo, hi)
    if exo not in ("up", "down"):
        raise ThermalError(f"--exo must be up or down, not {exo!r}")
    result = analyse_dsc(
        curve,
        mass_mg=mass_mg,
        exo="up" if exo == "up" else "down",
        window_c=window,
        heating_rate_c_min=heating_rate,
    )
    document = result.to_dict()
    if png is not None:
        from elyte.thermal.plots import plot_dsc

        document["written"] = {"png": _save(plot_dsc(result), png)}
    if json_output:
        return document
    typer.echo(str(result))
    return None
