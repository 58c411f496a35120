"""``elyte aurbach``, ``elyte symmetric`` and ``elyte lsv``: lithium-metal protocols."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["aurbach", "lsv", "symmetric"]

FileArg = Annotated[Path, typer.Argument(help="Recording (any format elyte reads).")]
AreaOpt = Annotated[float, typer.Option("--area-cm2", help="Electrode area, cm².")]
FormatOpt = Annotated[
    str | None, typer.Option("--format", "-f", help="Reader to use (default: guessed).")
]
TechniqueOpt = Annotated[
    str | None,
    typer.Option("--technique", help="Only rows of this technique (multi-technique files)."),
]
PngOpt = Annotated[
    Path | None, typer.Option("--png", help="Also write the figure (needs matplotlib).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


def _load(file: Path, format: str | None, technique: str | None) -> Any:
    from elyte.io.registry import read

    rec = read(file, format=format)
    return rec.select(technique=technique) if technique is not None else rec


def _save(figure: Any, png: Path) -> str:
    from elyte.plotting import save_figure

    return str(save_figure(figure, png, dpi=200))


def aurbach(
    file: FileArg,
    area_cm2: AreaOpt,
    cutoff_v: Annotated[
        float | None,
        typer.Option("--cutoff-v", help="Stripping cut-off, V (default: detected)."),
    ] = None,
    plating_sign: Annotated[
        int | None,
        typer.Option(
            "--plating-sign", help="Sign of the plating current, -1 or 1 (default: detected)."
        ),
    ] = None,
    nucleation: Annotated[
        bool,
        typer.Option("--nucleation/--no-nucleation", help="Also the nucleation overpotential."),
    ] = True,
    format: FormatOpt = None,
    technique: TechniqueOpt = None,
    png: PngOpt = None,
    json_output: JsonOpt = False,
) -> dict[str, Any] | None:
    """Modified-Aurbach Coulombic efficiency of a Li‖Cu recording: CE = (Q3+Q4)/(Q1+Q2)."""
    from elyte.errors import ElyteError
    from elyte.lithium import modified_aurbach_ce, nucleation_overpotential

    rec = _load(file, format, technique)
    result = modified_aurbach_ce(
        rec,
        area_cm2=area_cm2,
        cutoff_v=cutoff_v,
        plating_current_sign=plating_sign,  # type: ignore[arg-type]
    )
    document = result.to_dict()
    nuc = None
    if nucleation:
        try:
            nuc = nucleation_overpotential(
                rec,
                plating_current_sign=result.protocol.plating_current_sign,  # type: ignore[arg-type]
            )
            document["nucleation"] = nuc.to_dict()
        except ElyteError as exc:
            document["nucleation"] = {"not_computed": str(exc)}
    if png is not None:
        from elyte.lithium.plots import plot_aurbach

        document["written"] = {"png": _save(plot_aurbach(rec, result, nucleation=nuc), png)}
    if json_output:
        return document
    p = result.protocol
    lines = [
        f"{file}: modified-Aurbach CE = {100 * result.ce:.3f} %"
        "  ((Q3+Q4)/(Q1+Q2), the seed's definition)",
        f"  Adams et al. form: {100 * result.ce_adams:.3f} %",
        f"  Q1 (reservoir plating) {1e3 * result.q1_ah / area_cm2:.4g} mAh/cm²; "
        f"Q2 (cycled plating, n={p.n_cycles}) {1e3 * result.q2_ah / area_cm2:.4g} mAh/cm²; "
        f"Q3 (cycled stripping) {1e3 * result.q3_ah / area_cm2:.4g} mAh/cm²; "
        f"Q4 (final strip to {p.cutoff_v:.3g} V) {1e3 * result.q4_ah / area_cm2:.4g} mAh/cm²",
        f"  recognised: {p.current_density_ma_cm2:.3g} mA/cm², cycled "
        f"{p.cycled_capacity_mah_cm2:.3g} mAh/cm², reservoir {p.reservoir_capacity_mah_cm2:.3g} "
        f"mAh/cm², formation {'yes' if p.formation else 'no'}, order {p.cycle_order}, "
        f"plating sign {p.plating_current_sign:+d} ({p.plating_sign_source})",
    ]
    if result.formation_ce is not None:
        lines.append(f"  formation CE (excluded): {100 * result.formation_ce:.2f} %")
    if nuc is not None:
        eta = [v for v in nuc.overpotential_v.tolist() if v == v]
        if eta:
            lines.append(f"  nucleation overpotential: first plating {1e3 * eta[0]:.1f} mV")
    lines.extend(f"  note: {n}" for n in result.notes)
    typer.echo("\n".join(lines))
    return None


def symmetric(
    file: FileArg,
    area_cm2: AreaOpt,
    format: FormatOpt = None,
    technique: TechniqueOpt = None,
    png: PngOpt = None,
    json_output: JsonOpt = False,
) -> dict[str, Any] | None:
    """Li‖Li symmetric cycling: overpotentials per half-cycle, shorts, capacity passed."""
    from elyte.lithium import analyse_symmetric

    rec = _load(file, format, technique)
    result = analyse_symmetric(rec, area_cm2=area_cm2)
    document = result.to_dict()
    if png is not None:
        from elyte.lithium.symmetric_plots import plot_symmetric

        document["written"] = {"png": _save(plot_symmetric(rec, result), png)}
    if json_output:
        return document
    typer.echo(f"{file}: {result}")
    return None


def lsv(
    file: FileArg,
    area_cm2: AreaOpt,
    threshold_ma_cm2: Annotated[
        float,
        typer.Option("--threshold-mA-cm2", help="Onset threshold, mA/cm² (always printed)."),
    ] = 0.01,
    consecutive: Annotated[
        int, typer.Option("--consecutive", help="Points that must exceed the threshold.")
    ] = 3,
    direction: Annotated[
        str, typer.Option("--direction", help="anodic (oxidation) or cathodic (reduction).")
    ] = "anodic",
    baseline: Annotated[
        str | None,
        typer.Option("--baseline", help="Subtract a baseline: capacitive or capacitive_resistive."),
    ] = None,
    sweep: Annotated[int, typer.Option("--sweep", help="Which sweep of that direction.")] = 1,
    format: FormatOpt = None,
    technique: TechniqueOpt = None,
    png: PngOpt = None,
    json_output: JsonOpt = False,
) -> dict[str, Any] | None:
    """Electrochemical stability window from an LSV (or a CV sweep): onset potential."""
    from elyte.voltammetry import stability_onset

    rec = _load(file, format, technique)
    result = stability_onset(
        rec,
        area_cm2=area_cm2,
        direction=direction,  # type: ignore[arg-type]  # validated by stability_onset
        threshold_ma_cm2=threshold_ma_cm2,
        consecutive=consecutive,
        baseline=baseline,  # type: ignore[arg-type]
        sweep=sweep,
    )
    document = result.to_dict()
    if png is not None:
        from elyte.voltammetry.plots import plot_lsv

        document["written"] = {"png": _save(plot_lsv(result), png)}
    if json_output:
        return document
    typer.echo(f"{file}: {result}")
    return None
