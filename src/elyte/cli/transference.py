"""``elyte transference``: Bruce-Vincent Li+ transference number from CA + EIS files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["transference"]


def _spectrum(path: Path, sweep: int, fmt: str | None) -> Any:
    from elyte.errors import ImpedanceError
    from elyte.impedance import spectra_from_recording
    from elyte.io.registry import read

    spectra = spectra_from_recording(read(path, format=fmt))
    try:
        return spectra[sweep]
    except IndexError:
        raise ImpedanceError(
            f"{path} holds {len(spectra)} sweep(s); there is no sweep {sweep}"
        ) from None


def transference(
    ca: Annotated[Path, typer.Option("--ca", help="Chronoamperometry recording (ΔV step).")],
    eis_before: Annotated[
        Path, typer.Option("--eis-before", help="Impedance recording before polarisation.")
    ],
    eis_after: Annotated[
        Path, typer.Option("--eis-after", help="Impedance recording after polarisation.")
    ],
    dv_mv: Annotated[float, typer.Option("--dv-mV", help="Applied polarisation ΔV, mV.")] = 10.0,
    circuit: Annotated[
        str, typer.Option("--circuit", help="Li‖Li circuit fitted to both spectra.")
    ] = "R0-p(R1,CPE1)",
    bulk: Annotated[
        str, typer.Option("--bulk", help="Circuit parameter that is the bulk resistance.")
    ] = "R0",
    i0: Annotated[
        str,
        typer.Option("--i0", help="I0 for t+: auto, eis (ΔV/(Rb+Ri)) or extrapolated (CA)."),
    ] = "auto",
    spike_s: Annotated[
        float | None,
        typer.Option("--spike-s", help="Double-layer spike excluded from the I0 fit, s."),
    ] = None,
    early_window_s: Annotated[
        float | None,
        typer.Option("--early-window-s", help="Early decay fitted for I0, s (default 2 %)."),
    ] = None,
    steady_window_s: Annotated[
        float | None,
        typer.Option("--steady-window-s", help="Trailing window for Iss, s (default 10 %)."),
    ] = None,
    steady_threshold: Annotated[
        float,
        typer.Option("--steady-threshold", help="Largest relative drift counted as steady."),
    ] = 0.01,
    sweep_before: Annotated[
        int, typer.Option("--sweep-before", help="Sweep of the 'before' file (default last).")
    ] = -1,
    sweep_after: Annotated[
        int, typer.Option("--sweep-after", help="Sweep of the 'after' file (default first).")
    ] = 0,
    format: Annotated[
        str | None, typer.Option("--format", "-f", help="Reader to use (default: guessed).")
    ] = None,
    png: Annotated[
        Path | None, typer.Option("--png", help="Also write the CA figure (needs matplotlib).")
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON document on stdout.")
    ] = False,
) -> dict[str, Any] | None:
    """Bruce-Vincent t+ = Iss(ΔV - I0·R0)/(I0(ΔV - Iss·Rss)) from a CA step and EIS."""
    from elyte.io.registry import read
    from elyte.transport.transference import bruce_vincent

    rec = read(ca, format=format)
    before = _spectrum(eis_before, sweep_before, format)
    after = _spectrum(eis_after, sweep_after, format)
    result = bruce_vincent(
        rec,
        before,
        after,
        dv_v=dv_mv * 1e-3,
        i0=i0,  # type: ignore[arg-type]  # validated by bruce_vincent
        circuit=circuit,
        bulk=bulk,
        spike_s=spike_s,
        early_window_s=early_window_s,
        steady_window_s=steady_window_s,
        steady_threshold=steady_threshold,
    )
    document = result.to_dict()
    document["files"] = {
        "ca": str(ca),
        "eis_before": str(eis_before),
        "eis_after": str(eis_after),
        "sweep_before": sweep_before,
        "sweep_after": sweep_after,
    }
    if png is not None:
        from elyte.impedance.plots import plot_chronoamperometry
        from elyte.plotting import save_figure

        document["written"] = {
            "png": str(save_figure(plot_chronoamperometry(result), png, dpi=200))
        }
    if json_output:
        return document
    b, a = result.before, result.after
    lines = [
        f"{ca}: {result}",
        f"  t+ with I0 from EIS: {result.t_plus_eis_i0:.4f} ± {result.t_plus_eis_i0_error:.2g}; "
        f"with extrapolated I0: {result.t_plus_extrapolated_i0:.4f} ± "
        f"{result.t_plus_extrapolated_i0_error:.2g}",
        f"  before: Rb = {b.bulk_ohm:.5g} ± {b.bulk_error_ohm:.2g} Ω, Ri = "
        f"{b.interfacial_ohm:.5g} ± {b.interfacial_error_ohm:.2g} Ω; after: Rb = "
        f"{a.bulk_ohm:.5g} ± {a.bulk_error_ohm:.2g} Ω, Ri = {a.interfacial_ohm:.5g} ± "
        f"{a.interfacial_error_ohm:.2g} Ω ({circuit})",
    ]
    lines.extend(f"  note: {n}" for n in result.notes)
    typer.echo("\n".join(lines))
    return None
