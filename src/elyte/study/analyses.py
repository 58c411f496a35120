"""Run one declared analysis on its files and return plain, storable results.

Each runner returns an :class:`AnalysisOutput`: scalar metrics (value, unit, uncertainty,
condition), the conventions and notes the analysis reports, per-cycle rows and figures as
PNG bytes. Values are the analysis functions' own numbers, unchanged.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from elyte.errors import ElyteError

__all__ = ["DESIGN_METRICS", "AnalysisOutput", "Metric", "design_cell", "run_analysis"]


@dataclass(frozen=True)
class Metric:
    """A scalar figure of merit.

    Attributes
    ----------
    name : str
        Metric name (``"ce"``, ``"t_plus"``...).
    value : float or None
        Value in ``unit``; ``None`` when not computed (see ``condition``/notes).
    unit : str
        Unit (``"1"`` for dimensionless).
    uncertainty : float or None
        One standard uncertainty, same unit, where the analysis gives one.
    condition : str
        Where it applies (``"T = 30 °C"``) or ``""``.
    """

    name: str
    value: float | None
    unit: str
    uncertainty: float | None = None
    condition: str = ""


@dataclass
class AnalysisOutput:
    """Everything one analysis produced, ready for the store."""

    metrics: list[Metric] = field(default_factory=list)
    conventions: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    cycle_rows: list[dict[str, Any]] = field(default_factory=list)
    figures: dict[str, bytes] = field(default_factory=dict)


def _num(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _png(make: Callable[[], Any], out: AnalysisOutput, title: str) -> None:
    """Render a figure to PNG bytes; a missing matplotlib or a plot failure becomes a note."""
    try:
        figure = make()
    except ImportError:
        out.notes.append(f"figure '{title}' not drawn: matplotlib is not installed")
        return
    except (ElyteError, ValueError) as exc:
        out.notes.append(f"figure '{title}' not drawn: {exc}")
        return
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")  # a Figure: no pyplot
    out.figures[title] = buffer.getvalue()


def _cycling(files: tuple[Path, ...], p: dict[str, Any], cell: dict[str, Any]) -> AnalysisOutput:
    from elyte.cycling import CellSpec, average_ce, cycles_to_threshold, summarize
    from elyte.io.registry import read

    rec = read(files[0])
    spec = CellSpec(
        working_electrode=p["working_electrode"],
        area_cm2=p.get("area"),
        nominal_capacity_ah=p.get("nominal_capacity"),
        name=cell["id"],
    )
    table = summarize(
        rec,
        spec,
        cycle_definition=p["cycle_definition"],
        reference_cycle=p.get("reference_cycle", 1),
    )
    doc = table.to_dict()
    out = AnalysisOutput(conventions=dict(doc["conventions"]), notes=list(doc["notes"]))
    units = doc["units"]
    out.cycle_rows = [
        {k: v for k, v in row.items() if v is None or isinstance(v, int | float | str)}
        for row in doc["rows"]
    ]
    out.conventions["columns_units"] = units
    ce = average_ce(table)
    out.metrics.append(Metric("average_ce", _num(ce.mean), "1", _num(ce.std)))
    out.conventions["average_ce"] = ce.to_dict()["definition"]
    threshold = p.get("threshold", 0.8)
    life = cycles_to_threshold(table, threshold)
    life_doc = life.to_dict()
    out.metrics.append(
        Metric(
            f"cycles_to_{round(100 * threshold)}_percent",
            _num(life_doc["cycle"]),
            "cycles",
            condition="" if life_doc["cycle"] is not None else "not reached",
        )
    )
    if life_doc.get("reason"):
        out.notes.append(f"cycles to {100 * threshold:g} %: {life_doc['reason']}")
    out.conventions["cycles_to_threshold"] = life_doc["method"]
    rows = out.cycle_rows
    if rows:
        first = rows[0].get("discharge_capacity_ah")
        last = rows[-1].get("discharge_capacity_ah")
        out.metrics.append(Metric("first_discharge_capacity", _num(first), "Ah"))
        if first and last is not None:
            out.metrics.append(
                Metric(
                    "retention_last_cycle", _num(last / first), "1", condition=f"cycle {len(rows)}"
                )
            )
    _png(lambda: _plot("capacity_ce", table), out, "Capacity and CE vs cycle")
    _png(lambda: _plot("profiles", rec, p["cycle_definition"]), out, "Voltage profiles")
    return out


def _plot(which: str, *args: Any) -> Any:
    if which == "capacity_ce":
        from elyte.cycling.plots import plot_capacity_ce

        return plot_capacity_ce(args[0])
    from elyte.cycling.plots import plot_voltage_profiles

    return plot_voltage_profiles(args[0], cycle_definition=args[1])


def _aurbach(files: tuple[Path, ...], p: dict[str, Any], cell: dict[str, Any]) -> AnalysisOutput:
    from elyte.io.registry import read
    from elyte.lithium import modified_aurbach_ce
    from elyte.lithium.plots import plot_aurbach

    rec = read(files[0])
    r = modified_aurbach_ce(rec, area_cm2=p["area"], cutoff_v=p.get("cutoff"))
    d = r.to_dict()
    out = AnalysisOutput(notes=list(d.get("notes", [])))
    out.conventions = {
        "ce": "modified Aurbach: CE = (Q3+Q4)/(Q1+Q2) (the seed's definition)",
        "ce_adams": "Adams et al. form of the modified-Aurbach CE",
        "plating_sign": d["protocol"]["plating_sign_source"],
        "cutoff": d["protocol"]["cutoff_source"],
        "formation": "formation cycle excluded from the CE",
    }
    out.metrics += [
        Metric("ce", _num(d["ce"]), "1"),
        Metric("ce_adams", _num(d["ce_adams"]), "1"),
        Metric("formation_ce", _num(d.get("formation_ce")), "1"),
        Metric("q1", _num(d["q1_mah_cm2"]), "mAh/cm2"),
        Metric("q4", _num(d["q4_mah_cm2"]), "mAh/cm2"),
    ]
    _png(lambda: plot_aurbach(rec, r), out, "Aurbach trace")
    return out


def _symmetric(files: tuple[Path, ...], p: dict[str, Any], cell: dict[str, Any]) -> AnalysisOutput:
    from elyte.io.registry import read
    from elyte.lithium import analyse_symmetric
    from elyte.lithium.symmetric_plots import plot_symmetric

    rec = read(files[0])
    r = analyse_symmetric(rec, area_cm2=p["area"])
    d = r.to_dict()
    out = AnalysisOutput(notes=list(d.get("notes", [])))
    out.conventions = {
        "hard_short": d["hard_short"]["reason"],
        "soft_short": d["soft_short"]["reason"],
        "short_parameters": {**d["hard_short"]["parameters"], **d["soft_short"]["parameters"]},
    }
    out.metrics += [
        Metric("current_density", _num(d["current_density_ma_cm2"]), "mA/cm2"),
        Metric("cumulative_capacity", _num(d["cumulative_capacity_mah_cm2"]), "mAh/cm2"),
        Metric("plateau_growth", _num(d["plateau_growth_mv_per_h"]), "mV/h"),
        Metric("duration", _num(d["duration_h"]), "h"),
        Metric("hard_short", 1.0 if d["hard_short"]["detected"] else 0.0, "1"),
        Metric("soft_short", 1.0 if d["soft_short"]["detected"] else 0.0, "1"),
    ]
    _png(lambda: plot_symmetric(rec, r), out, "Li||Li voltage")
    return out


def _conductivity(
    files: tuple[Path, ...], p: dict[str, Any], cell: dict[str, Any]
) -> AnalysisOutput:
    from elyte.impedance import spectra_from_recording
    from elyte.impedance.conductivity import conductivity
    from elyte.impedance.plots import plot_arrhenius, plot_nyquist
    from elyte.io.registry import read
    from elyte.transport.arrhenius import compare_models

    spectra = [spectra_from_recording(read(f))[0] for f in files]
    temps = [t + 273.15 for t in p["temperatures"]]
    kwargs: dict[str, Any] = {}
    if "thickness_error" in p:
        kwargs["thickness_error_um"] = p["thickness_error"]
    if "method" in p:
        kwargs["method"] = p["method"]
    results = conductivity(
        spectra, thickness_um=p["thickness"], area_cm2=p["area"], temperature_kelvin=temps, **kwargs
    )
    out = AnalysisOutput()
    out.conventions["bulk_resistance_method"] = results[0].method
    out.conventions["cell_constant"] = "sigma = thickness / (area * R_b)"
    for t_c, r in zip(p["temperatures"], results, strict=True):
        out.metrics.append(
            Metric(
                "conductivity",
                _num(r.conductivity_s_cm),
                "S/cm",
                _num(r.conductivity_error_s_cm),
                condition=f"T = {t_c:g} °C",
            )
        )
        out.notes.extend(f"{t_c:g} °C: {n}" for n in r.notes)
    if len(results) >= 2 and len(set(temps)) >= 2:
        cmp = compare_models(
            temps,
            [r.conductivity_s_cm for r in results],
            quantity="conductivity",
            unit="S/cm",
        )
        cd = cmp.to_dict()
        out.conventions["temperature_model_selection"] = f"{cd['criterion']} prefers {cd['best']}"
        arr = cd["fits"].get("arrhenius_sigma")
        if arr is not None:
            out.metrics.append(
                Metric(
                    "activation_energy_arrhenius",
                    _num(arr["activation_energy"]["value"]),
                    "kJ/mol",
                    _num(arr["activation_energy_error"]["value"]),
                )
            )
            out.conventions["activation_energy_arrhenius"] = arr["equation"]
        out.notes.extend(cd.get("notes", []))
    _png(lambda: plot_nyquist(spectra), out, "Nyquist (blocking cell)")
    _png(
        lambda: plot_arrhenius(temps, [r.conductivity_s_cm for r in results]),
        out,
        "Arrhenius (conductivity)",
    )
    return out


def _transference(
    files: tuple[Path, ...], p: dict[str, Any], cell: dict[str, Any]
) -> AnalysisOutput:
    from elyte.impedance import spectra_from_recording
    from elyte.impedance.plots import plot_chronoamperometry
    from elyte.io.registry import read
    from elyte.transport.transference import bruce_vincent

    ca = read(files[0])
    before = spectra_from_recording(read(files[1]))[0]
    after = spectra_from_recording(read(files[2]))[0]
    kwargs = {"circuit": p["circuit"]} if "circuit" in p else {}
    r = bruce_vincent(ca, before, after, dv_v=p["dv"], **kwargs)
    d = r.to_dict()
    out = AnalysisOutput(notes=list(d.get("notes", [])))
    out.conventions = {"method": d["method"], "formula": d["formula"], "i0_source": d["i0_source"]}
    out.metrics += [
        Metric("t_plus", _num(d["t_plus"]), "1", _num(d["t_plus_error"])),
        Metric("t_plus_uncorrected", _num(d["uncorrected"]), "1", _num(d["uncorrected_error"])),
        Metric("i0", _num(d["i0_a"]), "A", _num(d["i0_error_a"])),
        Metric("iss", _num(d["iss_a"]), "A", _num(d["iss_error_a"])),
    ]
    _png(lambda: plot_chronoamperometry(r), out, "Transference CA")
    return out


def _arc(files: tuple[Path, ...], p: dict[str, Any], cell: dict[str, Any]) -> AnalysisOutput:
    from elyte.thermal.arc import analyse_arc, read_arc
    from elyte.thermal.plots import plot_shr

    criterion = p.get("criterion", "1C/min")
    r = analyse_arc(read_arc(files[0]), criteria=[criterion])
    d = r.to_dict()
    out = AnalysisOutput(notes=list(d.get("notes", [])))
    out.conventions = {
        "onset_threshold_c_min": d["threshold_c_min"],
        "phi": d["phi"],
        "smoothing_c": d["smoothing_c"],
        "segmentation": d["segmentation"]["source"],
    }
    out.metrics += [
        Metric("t_onset", _num(d["onset_c"]), "°C"),
        Metric("t_max", _num(d["t_max_c"]), "°C"),
        Metric("max_self_heating_rate", _num(d["max_shr_c_min"]), "°C/min"),
    ]
    for tr in d["t_tr"]:
        out.metrics.append(
            Metric("t_tr", _num(tr["temperature_c"]), "°C", condition=f"at {tr['criterion']}")
        )
    _png(lambda: plot_shr(r), out, "ARC self-heating rate")
    return out


def _lsv(files: tuple[Path, ...], p: dict[str, Any], cell: dict[str, Any]) -> AnalysisOutput:
    from elyte.io.registry import read
    from elyte.voltammetry import DEFAULT_CONSECUTIVE, DEFAULT_THRESHOLD_MA_CM2, anodic_stability
    from elyte.voltammetry.plots import plot_lsv

    rec = read(files[0])
    r = anodic_stability(
        rec,
        area_cm2=p["area"],
        threshold_ma_cm2=p.get("threshold", DEFAULT_THRESHOLD_MA_CM2),
        consecutive=p.get("consecutive", DEFAULT_CONSECUTIVE),
        baseline=p.get("baseline"),
    )
    d = r.to_dict()
    out = AnalysisOutput(notes=list(d.get("notes", [])))
    out.conventions = {
        "onset": (
            f"first potential of {d['consecutive']} consecutive points with an anodic current "
            f"density >= {d['threshold_ma_cm2']:g} mA/cm2 (working-electrode area "
            f"{d['area_cm2']:g} cm2)"
        ),
        "baseline": d["baseline"].get("kind") or "none subtracted",
        **{f"lsv_{k}": v for k, v in d["conventions"].items()},
    }
    if d["onset_reason"]:
        out.notes.append(f"no onset: {d['onset_reason']}")
    out.metrics += [
        Metric("onset_potential", _num(d["onset_potential_v"]), "V"),
        Metric("onset_potential_interpolated", _num(d["onset_interpolated_v"]), "V"),
        Metric("onset_potential_tangent", _num(d["tangent"]["potential_v"]), "V"),
        Metric("scan_rate", _num(d["scan_rate_mv_s"]), "mV/s"),
    ]
    _png(lambda: plot_lsv(r), out, "LSV (anodic stability)")
    return out


def _eis_series(files: tuple[Path, ...], p: dict[str, Any], cell: dict[str, Any]) -> AnalysisOutput:
    from elyte.impedance import spectra_from_recording
    from elyte.impedance.interface import DEFAULT_INTERFACE_CIRCUIT, sei_activation_energy
    from elyte.impedance.plots import plot_arrhenius, plot_nyquist
    from elyte.io.registry import read

    spectra = []
    for f in files:
        found = spectra_from_recording(read(f))
        spectra += found[:1] if len(files) > 1 else found
    temps = [t + 273.15 for t in p["temperatures"]] if "temperatures" in p else None
    circuit = p.get("circuit", DEFAULT_INTERFACE_CIRCUIT)
    resistance = p.get("resistance", "R_SEI")
    r = sei_activation_energy(
        spectra,
        temperature_kelvin=temps,
        circuit=circuit,
        resistance=resistance,
        global_fit=p.get("global_fit", False),
    )
    arr = r.arrhenius
    out = AnalysisOutput(notes=list(r.notes))
    out.conventions = {
        "circuit": circuit,
        "activation_energy": f"Arrhenius fit of 1/{resistance} = A exp(-Ea/RT) (sigma form)",
        "temperatures": "from the manifest" if temps else "from the files",
    }
    out.metrics.append(
        Metric(
            "activation_energy",
            _num(arr.activation_energy_kj_mol),
            "kJ/mol",
            _num(arr.activation_energy_error_kj_mol),
        )
    )
    t_k = [float(t) for t in (temps or [s.temperature_kelvin for s in spectra])]
    values, errors = r.series.values(resistance), r.series.errors(resistance)
    for t, v, e in zip(t_k, values, errors, strict=True):
        out.metrics.append(
            Metric(resistance, _num(v), "ohm", _num(e), condition=f"T = {t - 273.15:g} °C")
        )
    good = [(t, 1.0 / v) for t, v in zip(t_k, values, strict=True) if v > 0]
    _png(lambda: plot_nyquist(spectra), out, "Nyquist (Li||Li, temperature series)")
    _png(
        lambda: plot_arrhenius([g[0] for g in good], [g[1] for g in good]),
        out,
        f"Arrhenius (1/{resistance})",
    )
    return out


def _dsc(files: tuple[Path, ...], p: dict[str, Any], cell: dict[str, Any]) -> AnalysisOutput:
    from elyte.thermal.dsc import analyse_dsc, read_dsc
    from elyte.thermal.plots import plot_dsc

    r = analyse_dsc(read_dsc(files[0]), mass_mg=p.get("mass"), exo=p.get("exo", "up"))
    unit = "J/g"
    out = AnalysisOutput(notes=list(r.notes))
    out.conventions = {
        "mass_basis": r.mass_basis,
        "exo": f"exotherm {r.exo} in the file; net heat flow exo positive",
        "window_c": list(r.window_c),
    }
    out.metrics += [
        Metric("exo_total", _num(r.exo_total_j_g), unit),
        Metric("endo_total", _num(r.endo_total_j_g), unit),
        Metric("heating_rate", _num(r.heating_rate_c_min), "°C/min"),
    ]
    for k, peak in enumerate(r.peaks, start=1):
        out.metrics += [
            Metric("peak_onset", _num(peak.onset_c), "°C", condition=f"{peak.kind} peak {k}"),
            Metric("peak_temperature", _num(peak.peak_c), "°C", condition=f"{peak.kind} peak {k}"),
            Metric(
                "peak_enthalpy", _num(peak.enthalpy_j_g), unit, condition=f"{peak.kind} peak {k}"
            ),
        ]
    _png(lambda: plot_dsc(r), out, "DSC")
    return out


#: Design metrics stored (the rest stay in the design's own report).
DESIGN_METRICS = (
    "wh_kg",
    "wh_l",
    "energy_wh",
    "total_mass_g",
    "stack_wh_kg",
    "np_ratio",
    "ec_ratio_g_ah",
    "li_areal_capacity_mah_cm2",
    "li_excess_mah_cm2",
    "cycles_to_li_exhaustion",
)


def design_cell(files: tuple[Path, ...], p: dict[str, Any]) -> Any:
    """Build the design a ``design`` analysis evaluates: a preset or a cell TOML's design.

    Parameters
    ----------
    files : tuple of pathlib.Path
        Empty (with ``p["preset"]``) or one cell TOML.
    p : dict
        ``preset`` (a :data:`elyte.study.manifest.DESIGN_PRESETS` name) and ``ce``
        (Li coulombic efficiency, for the cycles to Li exhaustion).

    Returns
    -------
    elyte.design.PouchCell or elyte.design.CoinCell
    """
    import elyte.design as design

    cell = (
        getattr(design, p["preset"])()
        if "preset" in p
        else design.load_cell_manifest(files[0]).design
    )
    return cell.with_changes({"ce": p["ce"]}) if "ce" in p else cell


def _design(files: tuple[Path, ...], p: dict[str, Any], cell: dict[str, Any]) -> AnalysisOutput:
    from elyte.design.plots import plot_budget

    r = design_cell(files, p).evaluate()
    out = AnalysisOutput(notes=list(r.notes))
    out.conventions = {
        "design": r.name,
        "format": r.format,
        "assumptions": {q.name: f"{q.value} ({q.source})" for q in r.parameters},
    }
    for c in r.checks:
        out.notes.append(("FLAGGED: " if c.flagged else "") + c.message)
    for name in DESIGN_METRICS:
        if name in r.metrics:
            out.metrics.append(Metric(name, _num(r.metrics[name]), r.units.get(name, "")))
    _png(lambda: plot_budget(r), out, "Energy-density budget")
    return out


_RUNNERS: dict[
    str, Callable[[tuple[Path, ...], dict[str, Any], dict[str, Any]], AnalysisOutput]
] = {
    "cycling": _cycling,
    "aurbach": _aurbach,
    "symmetric": _symmetric,
    "conductivity": _conductivity,
    "transference": _transference,
    "arc": _arc,
    "lsv": _lsv,
    "eis-series": _eis_series,
    "sei": _eis_series,
    "dsc": _dsc,
    "design": _design,
}


def run_analysis(
    kind: str, files: tuple[Path, ...], parameters: dict[str, Any], cell: dict[str, Any]
) -> AnalysisOutput:
    """Run the analysis ``kind`` on ``files`` with the manifest's ``parameters``.

    Parameters
    ----------
    kind : str
        One of :data:`elyte.study.manifest.ANALYSES`.
    files : tuple of pathlib.Path
        The analysis's files, in the manifest's order.
    parameters : dict
        Parameters in base units (see :class:`~elyte.study.manifest.AnalysisSpec`).
    cell : dict
        The cell's identity (``id``, ``temperature_c``...), for labels.

    Returns
    -------
    AnalysisOutput
        Metrics, conventions, notes, per-cycle rows and figures.
    """
    return _RUNNERS[kind](files, parameters, cell)
