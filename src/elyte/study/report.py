"""One self-contained HTML report (supplementary-information layout), with CSV and JSON.

Everything comes from the results store, so a re-run that recomputes nothing still
writes the full report.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import math
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from elyte.errors import ElyteError
from elyte.study.store import AnalysisRow, CellRow, ElectrolyteRow, StudyRow

__all__ = ["replicate_statistics", "student_t95", "write_report"]

#: Two-sided 95 % Student-t quantiles for 1..30 degrees of freedom.
_T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def student_t95(dof: int) -> float:
    """Two-sided 95 % Student-t quantile (1.96 above 30 degrees of freedom).

    Examples
    --------
    >>> student_t95(1)
    12.706
    """
    return _T95[dof - 1] if dof <= len(_T95) else 1.96


def replicate_statistics(values: list[float]) -> dict[str, float | int | None]:
    """Mean, sample standard deviation and 95 % CI half-width (Student t) of replicates.

    Parameters
    ----------
    values : list of float
        One value per replicate cell.

    Returns
    -------
    dict
        ``n``, ``mean``, ``std`` and ``ci95`` (``None`` for fewer than two values).

    Examples
    --------
    >>> replicate_statistics([1.0, 3.0])["ci95"]
    12.706
    """
    n = len(values)
    mean = statistics.fmean(values) if values else None
    if n < 2:
        return {"n": n, "mean": mean, "std": None, "ci95": None}
    std = statistics.stdev(values)
    return {"n": n, "mean": mean, "std": std, "ci95": student_t95(n - 1) * std / math.sqrt(n)}


def _fmt(value: float | None, digits: int = 5) -> str:
    return "—" if value is None else f"{value:.{digits}g}"


def _load(engine: Engine, study_name: str) -> dict[str, Any]:
    with Session(engine) as session:
        study = session.scalars(select(StudyRow).where(StudyRow.name == study_name)).one()
        electrolytes = session.scalars(
            select(ElectrolyteRow)
            .where(ElectrolyteRow.study_id == study.id)
            .order_by(ElectrolyteRow.id)
        ).all()
        analyses = session.scalars(
            select(AnalysisRow)
            .join(CellRow)
            .where(CellRow.study_id == study.id)
            .order_by(CellRow.id, AnalysisRow.position)
            .options(
                selectinload(AnalysisRow.metrics),
                selectinload(AnalysisRow.files),
                selectinload(AnalysisRow.cycles),
                selectinload(AnalysisRow.figures),
                selectinload(AnalysisRow.cell).selectinload(CellRow.electrolyte),
            )
        ).all()
        records = [
            {
                "electrolyte": a.cell.electrolyte.name,
                "cell": a.cell.name,
                "cell_type": a.cell.type,
                "temperature_c": a.cell.temperature_c,
                "replicate_group": a.cell.replicate_group,
                "analysis": a.kind,
                "parameters": a.parameters,
                "conventions": a.conventions,
                "notes": a.notes,
                "files": [{"path": f.path, "sha256": f.sha256} for f in a.files],
                "metrics": [
                    {
                        "name": m.name,
                        "value": m.value,
                        "unit": m.unit,
                        "uncertainty": m.uncertainty,
                        "condition": m.condition,
                    }
                    for m in a.metrics
                ],
                "cycles": [c.data for c in sorted(a.cycles, key=lambda c: c.cycle)],
                "figures": [(f.title, f.png) for f in a.figures],
            }
            for a in analyses
        ]
        return {
            "study": {
                "name": study.name,
                "description": study.description,
                "manifest": study.manifest,
            },
            "electrolytes": [{"name": e.name, "formulation": e.formulation} for e in electrolytes],
            "analyses": records,
        }


def _summary_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str, str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        for m in r["metrics"]:
            k = (
                r["electrolyte"],
                r["replicate_group"],
                r["analysis"],
                m["name"],
                m["condition"],
                m["unit"],
            )
            groups[k].append({**m, "cell": r["cell"]})
    rows = []
    for (electrolyte, group, kind, name, condition, unit), items in groups.items():
        values = [i["value"] for i in items if i["value"] is not None]
        stats = replicate_statistics(values)
        single_u = items[0]["uncertainty"] if len(items) == 1 else None
        rows.append(
            {
                "electrolyte": electrolyte,
                "replicate_group": group,
                "analysis": kind,
                "metric": name,
                "condition": condition,
                "unit": unit,
                "n": stats["n"],
                "mean": stats["mean"],
                "uncertainty": single_u,
                "std": stats["std"],
                "ci95": stats["ci95"],
                "cells": ", ".join(i["cell"] for i in items),
            }
        )
    return rows


def _comparison_figures(data: dict[str, Any]) -> tuple[list[tuple[str, bytes]], list[str]]:
    """Figures that put the electrolytes side by side, and notes on those not drawn.

    Capacity/CE and Arrhenius come from the store; Nyquist, LSV, ARC and Li||Li re-read
    the files the store lists (skipped, with a note, where a file is gone or changed).
    Built on :class:`matplotlib.figure.Figure` (no pyplot, no global state).
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return [], ["comparison figures not drawn: matplotlib is not installed"]
    out: list[tuple[str, bytes]] = []
    notes: list[str] = []
    records = data["analyses"]
    cyc = [r for r in records if r["analysis"] == "cycling" and r["cycles"]]
    if cyc:
        fig = Figure(figsize=(6, 5), layout="constrained")
        ax1, ax2 = fig.subplots(2, 1, sharex=True)
        for r in cyc:
            x = [c["cycle"] for c in r["cycles"]]
            cap = [1e3 * (c.get("discharge_capacity_ah") or math.nan) for c in r["cycles"]]
            ce = [100 * (c.get("coulombic_efficiency") or math.nan) for c in r["cycles"]]
            label = f"{r['electrolyte']} ({r['cell']})"
            ax1.plot(x, cap, marker="o", ms=2, label=label)
            ax2.plot(x, ce, marker="o", ms=2, label=label)
        ax1.set_ylabel("Discharge capacity / mAh")
        ax2.set_ylabel("Coulombic efficiency / %")
        ax2.ticklabel_format(axis="y", useOffset=False)
        low, high = ax2.get_ylim()
        if high - low < 0.5:  # a flat CE: show +-0.25 % around it, not float noise
            mid = 0.5 * (low + high)
            ax2.set_ylim(mid - 0.25, mid + 0.25)
        ax2.set_xlabel("Cycle")
        ax1.legend(fontsize=7)
        out.append(("Comparison: capacity and CE vs cycle", _png(fig)))
    cond = [r for r in records if r["analysis"] == "conductivity"]
    if cond:
        fig = Figure(figsize=(5, 4), layout="constrained")
        ax = fig.add_subplot()
        for r in cond:
            pts = [
                (m["value"], float(m["condition"].split("=")[1].split("°")[0]))
                for m in r["metrics"]
                if m["name"] == "conductivity" and m["value"]
            ]
            ax.semilogy(
                [1000 / (t + 273.15) for _, t in pts],
                [v for v, _ in pts],
                "o-",
                label=r["electrolyte"],
            )
        ax.set_xlabel("1000 / T / K⁻¹")
        ax.set_ylabel("conductivity / S cm⁻¹")
        ax.legend(fontsize=7)
        out.append(("Comparison: Arrhenius plot of the conductivity", _png(fig)))
    for title, kind, draw in (
        ("Comparison: Nyquist (blocking cell, spectrum nearest 25 °C)", "conductivity", _nyquist),
        ("Comparison: LSV (anodic stability, onset marked)", "lsv", _lsv),
        ("Comparison: ARC self-heating rate", "arc", _arc),
        ("Comparison: Li||Li voltage trace", "symmetric", _lili),
    ):
        chosen = _first_per_electrolyte(records, kind)
        if not chosen:
            continue
        try:
            fig = draw(chosen)
        except (ElyteError, ValueError, OSError, KeyError) as exc:  # a note, not a crash
            notes.append(f"figure '{title}' not drawn: {exc}")
            continue
        out.append((title, _png(fig)))
    return out, notes


def _first_per_electrolyte(records: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    """Electrolyte -> its first ``kind`` analysis whose files are unchanged on disk."""
    from elyte.study.pipeline import sha256_file

    chosen: dict[str, Any] = {}
    for r in records:
        if r["analysis"] != kind or r["electrolyte"] in chosen:
            continue
        paths = [Path(f["path"]) for f in r["files"]]
        if all(p.is_file() for p in paths) and all(
            sha256_file(p) == f["sha256"] for p, f in zip(paths, r["files"], strict=True)
        ):
            chosen[r["electrolyte"]] = r
    return chosen


def _nyquist(chosen: dict[str, Any]) -> Any:
    from elyte.impedance import spectra_from_recording
    from elyte.impedance.plots import plot_nyquist
    from elyte.io.registry import read

    spectra, labels = [], []
    for name, r in chosen.items():
        temps = r["parameters"]["temperatures"]
        k = min(range(len(temps)), key=lambda i: abs(temps[i] - 25.0))
        spectra.append(spectra_from_recording(read(r["files"][k]["path"]))[0])
        labels.append(f"{name} ({temps[k]:g} °C)")
    return plot_nyquist(spectra, labels=labels)


def _lsv(chosen: dict[str, Any]) -> Any:
    from elyte.io.registry import read
    from elyte.voltammetry import DEFAULT_CONSECUTIVE, DEFAULT_THRESHOLD_MA_CM2, anodic_stability
    from elyte.voltammetry.plots import plot_lsv

    results = {}
    for name, r in chosen.items():
        p = r["parameters"]
        results[name] = anodic_stability(
            read(r["files"][0]["path"]),
            area_cm2=p["area"],
            threshold_ma_cm2=p.get("threshold", DEFAULT_THRESHOLD_MA_CM2),
            consecutive=p.get("consecutive", DEFAULT_CONSECUTIVE),
            baseline=p.get("baseline"),
        )
    return plot_lsv(results)


def _arc(chosen: dict[str, Any]) -> Any:
    from elyte.thermal.arc import analyse_arc, read_arc
    from elyte.thermal.plots import plot_shr

    return plot_shr(
        {
            name: analyse_arc(
                read_arc(r["files"][0]["path"]),
                criteria=[r["parameters"].get("criterion", "1C/min")],
            )
            for name, r in chosen.items()
        }
    )


def _lili(chosen: dict[str, Any]) -> Any:
    from matplotlib.figure import Figure

    from elyte.io.registry import read

    fig = Figure(figsize=(6, 3), layout="constrained")
    ax = fig.add_subplot()
    for name, r in chosen.items():
        frame = read(r["files"][0]["path"]).data
        t = frame.get_column("test_time_second").to_numpy() / 3600.0
        ax.plot(t, frame.get_column("voltage_volt").to_numpy(), lw=0.6, label=name)
    ax.set_xlabel("Time / h")
    ax.set_ylabel("Voltage / V")
    ax.legend(fontsize=7)
    return fig


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def _img(title: str, png: bytes) -> str:
    b64 = base64.b64encode(png).decode()
    return (
        f'<figure><img alt="{html.escape(title)}" src="data:image/png;base64,{b64}">'
        f"<figcaption>{html.escape(title)}</figcaption></figure>"
    )


_CSS = (
    "body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}"
    "table{border-collapse:collapse;margin:1em 0;font-size:90%}"
    "td,th{border:1px solid #bbb;padding:3px 6px;text-align:left}"
    "figure{display:inline-block;margin:0.5em}img{max-width:520px}"
)


def write_report(engine: Engine, study_name: str, out: str | Path) -> dict[str, Path]:
    """Write ``report.html``, ``metrics.csv``, ``summary.csv``, ``cycles.csv`` and ``results.json``.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store.
    study_name : str
        Which study.
    out : str or pathlib.Path
        Folder to write into (created).

    Returns
    -------
    dict of str to pathlib.Path
        The files written, by kind (``"html"``, ``"metrics_csv"``...).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    data = _load(engine, study_name)
    records = data["analyses"]
    summary = _summary_rows(records)
    esc = html.escape
    parts = [
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{esc(study_name)}</title>"
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Supplementary information: {esc(study_name)}</h1>",
        f"<p>{esc(data['study']['description'])}</p>",
        "<h2 id='electrolytes'>Electrolytes</h2><table id='table-electrolytes'>"
        "<tr><th>Electrolyte</th><th>Formulation</th></tr>",
    ]
    parts += [
        f"<tr><td>{esc(e['name'])}</td><td>{esc(e['formulation'])}</td></tr>"
        for e in data["electrolytes"]
    ]
    parts.append("</table>")
    comparison, figure_notes = _comparison_figures(data)
    if comparison:
        parts.append("<h2 id='comparison'>Comparison figures</h2>")
        parts += [_img(t, p) for t, p in comparison]
    parts += [f"<p class='note'>note: {esc(n)}</p>" for n in figure_notes]
    for k, e in enumerate(data["electrolytes"]):
        parts.append(f"<h2 id='electrolyte-{k}'>{esc(e['name'])}: figures of merit</h2>")
        parts.append(
            f"<table class='merit' id='table-merit-{k}' data-electrolyte='{esc(e['name'])}'>"
            "<tr><th>Analysis</th><th>Replicate group</th><th>Metric</th><th>Condition</th>"
            "<th>Value</th><th>Uncertainty (1 s.u.) / 95 % CI</th>"
            "<th>Unit</th><th>n</th><th>Cells</th></tr>"
        )
        for s in summary:
            if s["electrolyte"] != e["name"]:
                continue
            if s["n"] >= 2:
                spread = f"± {_fmt(s['ci95'])} (95 % CI, Student t, n = {s['n']})"
            else:
                spread = "—" if s["uncertainty"] is None else f"± {_fmt(s['uncertainty'])}"
            parts.append(
                f"<tr><td>{esc(s['analysis'])}</td><td>{esc(s['replicate_group'])}</td>"
                f"<td>{esc(s['metric'])}</td><td>{esc(s['condition'])}</td>"
                f"<td class='value' data-value='{s['mean']!r}'>{_fmt(s['mean'])}</td>"
                f"<td>{spread}</td><td>{esc(s['unit'])}</td><td>{s['n']}</td><td>{esc(s['cells'])}</td></tr>"
            )
        parts.append("</table>")
        for r in records:
            if r["electrolyte"] != e["name"]:
                continue
            parts += [_img(f"{r['cell']} — {title}", png) for title, png in r["figures"]]
    parts.append("<h2 id='methods'>Methods, conventions and assumptions</h2>")
    for r in records:
        parts.append(f"<h3>{esc(r['cell'])}: {esc(r['analysis'])}</h3><ul>")
        parts.append(f"<li>parameters: {esc(json.dumps(r['parameters'], ensure_ascii=False))}</li>")
        parts += [
            f"<li>file: {esc(f['path'])} (SHA-256 {f['sha256'][:16]}…)</li>" for f in r["files"]
        ]
        for key, value in r["conventions"].items():
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            parts.append(f"<li class='convention'>{esc(key)}: {esc(text)}</li>")
        parts += [f"<li class='note'>note: {esc(n)}</li>" for n in r["notes"]]
        parts.append("</ul>")
    parts.append(
        "<p>Replicate statistics: mean over the cells of a replicate group, 95 % confidence "
        "interval = t(0.975, n-1) · s / √n with the sample standard deviation s. A single "
        "cell shows the analysis's own standard uncertainty where it gives one.</p>"
        "</body></html>"
    )
    paths = {"html": out / "report.html"}
    paths["html"].write_text("".join(parts), encoding="utf-8")
    flat = [
        {
            **m,
            "electrolyte": r["electrolyte"],
            "cell": r["cell"],
            "replicate_group": r["replicate_group"],
            "analysis": r["analysis"],
        }
        for r in records
        for m in r["metrics"]
    ]
    paths["metrics_csv"] = _csv(out / "metrics.csv", flat)
    paths["summary_csv"] = _csv(out / "summary.csv", summary)
    cycles = [
        {"cell": r["cell"], "electrolyte": r["electrolyte"], **c}
        for r in records
        for c in r["cycles"]
    ]
    paths["cycles_csv"] = _csv(out / "cycles.csv", cycles)
    document = {
        **{k: v for k, v in data.items() if k != "analyses"},
        "analyses": [{k: v for k, v in r.items() if k != "figures"} for r in records],
        "summary": summary,
    }
    paths["json"] = out / "results.json"
    paths["json"].write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")
    return paths


def _csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    fields: list[str] = []
    for row in rows:
        fields += [k for k in row if k not in fields]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path
