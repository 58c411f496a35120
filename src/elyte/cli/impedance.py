"""``elyte conductivity`` and ``elyte eis-fit``: impedance commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["conductivity", "eis_fit"]

FormatOpt = Annotated[
    str | None, typer.Option("--format", "-f", help="Reader to use (default: guessed).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


def _spectra(files: list[Path], format: str | None) -> list[Any]:
    from elyte.impedance import spectra_from_recording
    from elyte.io.registry import read

    out: list[Any] = []
    for file in files:
        out.extend(spectra_from_recording(read(file, format=format)))
    return out


def _temperatures(text: str | None, n: int) -> list[float] | None:
    from elyte.errors import ImpedanceError

    if text is None:
        return None
    try:
        values = [float(v) + 273.15 for v in text.split(",") if v.strip()]
    except ValueError:
        raise ImpedanceError(
            f"--temperatures must be a comma-separated list of °C, got {text!r}"
        ) from None
    if len(values) not in (1, n):
        raise ImpedanceError(f"{len(values)} temperatures given for {n} spectra")
    return values


def conductivity(
    files: Annotated[list[Path], typer.Argument(help="EIS recordings (all sweeps are used).")],
    thickness_um: Annotated[
        float, typer.Option("--thickness-um", help="Electrolyte/separator thickness, µm.")
    ],
    area_cm2: Annotated[float, typer.Option("--area-cm2", help="Electrode area, cm².")],
    temperatures: Annotated[
        str | None,
        typer.Option("--temperatures", help="Comma list of °C, one per sweep (or one for all)."),
    ] = None,
    thickness_error_um: Annotated[
        float, typer.Option("--thickness-error-um", help="1-sigma of the thickness, µm.")
    ] = 0.0,
    area_error_cm2: Annotated[
        float, typer.Option("--area-error-cm2", help="1-sigma of the area, cm².")
    ] = 0.0,
    method: Annotated[
        str | None,
        typer.Option("--method", help="R_b for sigma: fit, spike or min_imag (default: fit)."),
    ] = None,
    circuit: Annotated[
        str | None, typer.Option("--circuit", help="Circuit with R_b (default: chosen).")
    ] = None,
    effective: Annotated[
        bool, typer.Option("--effective", help="Soaked separator: label sigma as effective.")
    ] = False,
    format: FormatOpt = None,
    json_output: JsonOpt = False,
) -> dict[str, Any] | None:
    """Ionic conductivity sigma = L/(A·R_b) of blocking-electrode cells, and sigma(T) fits."""
    from elyte.impedance.conductivity import conductivity as compute
    from elyte.transport.arrhenius import compare_models

    spectra = _spectra(files, format)
    temps = _temperatures(temperatures, len(spectra))
    results = compute(
        spectra,
        thickness_um=thickness_um,
        area_cm2=area_cm2,
        thickness_error_um=thickness_error_um,
        area_error_cm2=area_error_cm2,
        temperature_kelvin=temps,
        method=method,  # type: ignore[arg-type]  # validated by compute
        circuit=circuit,
        effective=effective,
    )
    document: dict[str, Any] = {"results": [r.to_dict() for r in results]}
    t = [r.temperature_kelvin for r in results]
    comparison = None
    if len(results) >= 2 and all(v is not None for v in t) and len(set(t)) >= 2:
        comparison = compare_models(
            t,  # type: ignore[arg-type]
            [r.conductivity_s_cm for r in results],
            y_error=[r.conductivity_error_s_cm for r in results]
            if all(r.conductivity_error_s_cm > 0 for r in results)
            else None,
            quantity="conductivity",
            unit="S/cm",
        )
        document["temperature_dependence"] = comparison.to_dict()
    if json_output:
        return document
    lines = []
    for r in results:
        src = Path(r.bulk.spectrum.source).name if r.bulk.spectrum.source else "-"
        temp = (
            f"{r.temperature_kelvin - 273.15:6.2f} °C" if r.temperature_kelvin is not None else "-"
        )
        by = ", ".join(f"{k} {v:.5g}" for k, v in r.bulk.by_method().items())
        lines.append(
            f"{src} sweep {r.bulk.spectrum.sweep} {temp}: sigma = {r.conductivity_ms_cm:.4g} ± "
            f"{r.conductivity_error_ms_cm:.2g} mS/cm (R_b {r.bulk_resistance_ohm:.5g} ohm by "
            f"{r.method}; R_b by method [ohm]: {by}; spread "
            f"{100 * r.bulk.spread_relative:.2g} %)"
        )
        lines.extend(f"  note: {n}" for n in r.notes)
    if comparison is not None:
        lines.extend(f"  {f.describe()}  (AICc {f.aicc:.4g})" for f in comparison.fits.values())
        lines.append(f"  AICc prefers: {comparison.best}")
        lines.extend(f"  note: {n}" for n in comparison.notes)
    typer.echo("\n".join(lines))
    return None


def eis_fit(
    file: Annotated[Path, typer.Argument(help="EIS recording (any format elyte reads).")],
    circuit: Annotated[str, typer.Option("--circuit", help="E.g. 'R0-p(R1,CPE1)-W1'.")],
    sweep: Annotated[
        int | None, typer.Option("--sweep", help="Only this sweep (0-based); default all.")
    ] = None,
    weighting: Annotated[
        str, typer.Option("--weighting", help="modulus, unit or proportional.")
    ] = "modulus",
    crop_inductive: Annotated[
        bool,
        typer.Option("--crop-inductive/--keep-inductive", help="Drop Z'' > 0 points at high f."),
    ] = False,
    kk: Annotated[bool, typer.Option("--kk/--no-kk", help="Also run the Lin-KK test.")] = True,
    format: FormatOpt = None,
    json_output: JsonOpt = False,
) -> dict[str, Any] | None:
    """Fit an equivalent circuit to every sweep of a file (one batch), with Lin-KK."""
    from elyte.errors import ImpedanceError
    from elyte.impedance import fit
    from elyte.impedance.kk import lin_kk

    spectra = _spectra([file], format)
    if sweep is not None:
        if not 0 <= sweep < len(spectra):
            raise ImpedanceError(f"{file} holds {len(spectra)} sweep(s); no sweep {sweep}")
        spectra = [spectra[sweep]]
    if crop_inductive:
        spectra = [s.without_inductive() if (s.imag > 0).any() else s for s in spectra]
    results = fit(list(spectra), circuit, weighting=weighting)  # type: ignore[call-overload]
    kks = [lin_kk(s) for s in spectra] if kk else [None] * len(spectra)
    document = {
        "file": str(file),
        "circuit": circuit,
        "fits": [r.to_dict() for r in results],
        "lin_kk": [
            None
            if k is None
            else {
                key: val
                for key, val in k.to_dict().items()
                if key not in ("frequency_hertz", "residual_real_percent", "residual_imag_percent")
            }
            for k in kks
        ],
    }
    if json_output:
        return document
    lines = []
    for s, r, k in zip(spectra, results, kks, strict=True):
        lines.append(f"{file} sweep {s.sweep} ({len(s)} points): {r!r}")
        if k is not None:
            lines.append(f"  Lin-KK: {k!r}")
    typer.echo("\n".join(lines))
    return None
