"""The demo study end to end: store, incremental re-runs, crash safety, report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elyte.study import load_manifest, open_store, query_metrics, run_manifest, run_study
from elyte.study.demo import demo
from elyte.study.store import AnalysisRow, FigureRow, MetricRow

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    report = demo(out, progress=False)
    assert report.is_file()
    return out


def _metric(db: Path, cell: str, name: str, condition: str = "") -> Any:
    rows = [r for r in query_metrics(db, name) if r["cell"] == cell and r["condition"] == condition]
    assert len(rows) == 1, rows
    return rows[0]


def test_stored_metrics_equal_the_analysis_functions(demo_dir: Path) -> None:
    """Truth: the analysis functions called directly on the same files and parameters."""
    from elyte.impedance import spectra_from_recording
    from elyte.io.registry import read
    from elyte.lithium import modified_aurbach_ce
    from elyte.thermal.arc import analyse_arc, read_arc
    from elyte.transport.transference import bruce_vincent

    study = load_manifest(demo_dir / "study.toml")
    cells = {c.id: c for c in study.cells}
    db = demo_dir / "study.db"

    a = cells["lipf6-emc-fec-aurbach-1"].analyses[0]
    direct = modified_aurbach_ce(read(a.files[0]), area_cm2=a.parameters["area"])
    assert _metric(db, "lipf6-emc-fec-aurbach-1", "ce")["value"] == direct.ce

    t = cells["3d-sipe-lifpa-bv"].analyses[0]
    bv = bruce_vincent(
        read(t.files[0]),
        spectra_from_recording(read(t.files[1]))[0],
        spectra_from_recording(read(t.files[2]))[0],
        dv_v=t.parameters["dv"],
        circuit=t.parameters["circuit"],
    )
    stored = _metric(db, "3d-sipe-lifpa-bv", "t_plus")
    assert stored["value"] == bv.t_plus
    assert stored["uncertainty"] == bv.t_plus_error
    assert t.parameters["dv"] == pytest.approx(0.010)

    r = cells["3d-sipe-lifpa-arc"].analyses[0]
    arc = analyse_arc(read_arc(r.files[0]), criteria=["1C/min"]).to_dict()
    assert _metric(db, "3d-sipe-lifpa-arc", "t_onset")["value"] == arc["onset_c"]
    assert _metric(db, "3d-sipe-lifpa-arc", "t_onset")["unit"] == "°C"


def test_new_analyses_store_what_the_functions_return(demo_dir: Path) -> None:
    """Truth: anodic_stability, sei_activation_energy and the design evaluated directly."""
    from elyte.design import seed_pouch_2p8ah
    from elyte.impedance import spectra_from_recording
    from elyte.impedance.interface import sei_activation_energy
    from elyte.io.registry import read
    from elyte.voltammetry import anodic_stability

    study = load_manifest(demo_dir / "study.toml")
    cells = {c.id: c for c in study.cells}
    db = demo_dir / "study.db"

    a = cells["lipf6-emc-fec-lsv"].analyses[0]
    assert a.parameters["threshold"] == pytest.approx(0.01)
    lsv = anodic_stability(read(a.files[0]), area_cm2=a.parameters["area"], threshold_ma_cm2=0.01)
    assert _metric(db, "lipf6-emc-fec-lsv", "onset_potential")["value"] == lsv.onset_potential_v
    stored = _metric(db, "lipf6-emc-fec-lsv", "onset_potential_interpolated")
    assert stored["value"] == lsv.onset_interpolated_v
    assert stored["unit"] == "V"

    s = cells["3d-sipe-lifpa-sei"].analyses[0]
    spectra = [spectra_from_recording(read(f))[0] for f in s.files]
    sei = sei_activation_energy(
        spectra,
        temperature_kelvin=[t + 273.15 for t in s.parameters["temperatures"]],
        circuit="L0-R0-p(R_SEI,CPE_SEI)-p(R_ct,CPE_dl)",
    )
    stored = _metric(db, "3d-sipe-lifpa-sei", "activation_energy")
    assert stored["value"] == sei.arrhenius.activation_energy_kj_mol
    assert stored["uncertainty"] == sei.arrhenius.activation_energy_error_kj_mol
    assert stored["unit"] == "kJ/mol"
    first = _metric(db, "3d-sipe-lifpa-sei", "R_SEI", f"T = {s.parameters['temperatures'][0]:g} °C")
    assert first["value"] == sei.series.values("R_SEI")[0]

    d = cells["lipf6-emc-fec-pouch-design"].analyses[0]
    design = seed_pouch_2p8ah().with_changes({"ce": d.parameters["ce"]}).evaluate()
    for name, unit in (("wh_kg", "Wh/kg"), ("np_ratio", "1"), ("ec_ratio_g_ah", "g/Ah")):
        stored = _metric(db, "lipf6-emc-fec-pouch-design", name)
        assert stored["value"] == design.metrics[name]
        assert stored["unit"] == unit
    cycles = _metric(db, "lipf6-emc-fec-pouch-design", "cycles_to_li_exhaustion")["value"]
    assert cycles == design.metrics["cycles_to_li_exhaustion"]


@pytest.mark.parametrize("key", ["3d-sipe-lifpa", "lipf6-emc-fec"])
def test_demo_recovers_sei_and_lsv_truth(demo_dir: Path, key: str) -> None:
    """Truth: the set's SEI Ea (within 2 %) and the LSV simulator's noise-free onset.

    The LSV tolerance is the simulator's own: one potential step (``truth.step_v``).
    """
    from elyte.virtual.lsv import linear_sweep, lsv_preset
    from elyte.virtual.params import load_params

    p = load_params(key)
    db = demo_dir / "study.db"
    ea = _metric(db, f"{key}-sei", "activation_energy")["value"]
    assert ea * 1e3 == pytest.approx(p.sei.ea_j_mol, rel=0.02)
    _, truth = linear_sweep(**lsv_preset(key), seed=1)
    assert truth.onset_v is not None
    onset = _metric(db, f"{key}-lsv", "onset_potential")["value"]
    assert abs(onset - truth.onset_v) <= truth.step_v + 1e-9


@pytest.mark.parametrize("key", ["3d-sipe-lifpa", "lipf6-emc-fec"])
def test_demo_recovers_the_virtual_lab_truth(demo_dir: Path, key: str) -> None:
    """Truth: the parameter sets the demo simulated from (derived from the seed's numbers)."""
    from elyte.virtual.params import load_params

    p = load_params(key)
    db = demo_dir / "study.db"
    assert _metric(db, f"{key}-bv", "t_plus")["value"] == pytest.approx(p.t_plus, abs=0.01)
    for replicate in (1, 2):
        ce = _metric(db, f"{key}-aurbach-{replicate}", "ce")["value"]
        assert ce == pytest.approx(p.ce, abs=5e-4)


def test_report_html_has_every_table_and_figure(demo_dir: Path) -> None:
    """Truth: the store's own figures plus one comparison figure per kind the issue lists."""

    class Collect(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tables: list[str] = []
            self.images: list[str] = []
            self.values: list[float] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            if tag == "table":
                self.tables.append(a.get("id") or "")
            if tag == "img":
                assert (a.get("src") or "").startswith("data:image/png;base64,")
                self.images.append(a.get("alt") or "")
            if tag == "td" and a.get("data-value") not in (None, "None"):
                self.values.append(float(a["data-value"] or "nan"))

    parser = Collect()
    parser.feed((demo_dir / "report" / "report.html").read_text(encoding="utf-8"))
    assert parser.tables == ["table-electrolytes", "table-merit-0", "table-merit-1"]
    engine = open_store(demo_dir / "study.db")
    with Session(engine) as session:
        n_figures = session.scalar(select(func.count()).select_from(FigureRow))
        kinds = set(session.scalars(select(AnalysisRow.kind)))
    assert kinds == {
        "cycling",
        "aurbach",
        "symmetric",
        "conductivity",
        "transference",
        "arc",
        "lsv",
        "eis-series",
        "design",
    }
    comparison = [t for t in parser.images if t.startswith("Comparison: ")]
    assert len(parser.images) == n_figures + len(comparison)
    for fragment in ("capacity", "Arrhenius", "Nyquist", "LSV", "ARC self-heating", "Li||Li"):
        assert sum(fragment in t for t in comparison) == 1, (fragment, comparison)
    for fragment in ("LSV (anodic stability)", "Arrhenius (1/R_SEI)", "Energy-density budget"):
        assert sum(fragment in t for t in parser.images) == 2, fragment  # one per electrolyte
    t_plus = _metric(demo_dir / "study.db", "3d-sipe-lifpa-bv", "t_plus")["value"]
    assert t_plus in parser.values  # the single-cell value is shown unchanged
    summary = json.loads((demo_dir / "report" / "results.json").read_text())["summary"]
    ce = [s for s in summary if s["metric"] == "ce" and s["electrolyte"] == "3D-SIPE-LiFPA"]
    assert ce[0]["n"] == 2
    assert ce[0]["ci95"] is not None
    for name in ("metrics.csv", "summary.csv", "cycles.csv"):
        assert (demo_dir / "report" / name).stat().st_size > 100
    methods = (demo_dir / "report" / "report.html").read_text(encoding="utf-8")
    assert "(Q3+Q4)/(Q1+Q2)" in methods
    assert "Bruce-Vincent" in methods


def test_second_run_recomputes_nothing(demo_dir: Path) -> None:
    study = load_manifest(demo_dir / "study.toml")
    engine = open_store(demo_dir / "study.db")
    summary = run_study(study, engine, progress=False)
    assert summary.computed == []
    assert len(summary.cached) == sum(len(c.analyses) for c in study.cells)


def test_changed_parameter_recomputes_only_that_analysis(tmp_path: Path, demo_dir: Path) -> None:
    import shutil

    work = tmp_path / "copy"
    shutil.copytree(demo_dir, work)
    manifest = work / "study.toml"
    text = manifest.read_text()
    manifest.write_text(text.replace('dv = "10 mV"', 'dv = "10.5 mV"', 1))
    summary = run_study(load_manifest(manifest), open_store(work / "study.db"), progress=False)
    assert summary.computed == ["3d-sipe-lifpa-bv/transference"]


_KILLER = """
import os, signal, sys
from elyte.study import load_manifest, open_store, run_study
count = 0
def die(label):
    global count
    count += 1
    if count == 3:
        os.kill(os.getpid(), signal.SIGKILL)
run_study(load_manifest(sys.argv[1]), open_store(sys.argv[2]), progress=False, before_store=die)
"""


def test_kill_9_leaves_a_consistent_store(tmp_path: Path, demo_dir: Path) -> None:
    """A SIGKILL just before the third analysis is stored: two complete analyses remain."""
    db = tmp_path / "killed.db"
    proc = subprocess.run(
        [sys.executable, "-c", _KILLER, str(demo_dir / "study.toml"), str(db)],
        capture_output=True,
        timeout=120,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert proc.returncode == -9, proc.stderr
    engine = open_store(db)
    with Session(engine) as session:
        analyses = session.scalars(select(AnalysisRow)).all()
        assert len(analyses) == 2
        assert all(a.metrics for a in analyses)
        orphans = session.scalar(
            select(func.count())
            .select_from(MetricRow)
            .where(~MetricRow.analysis_id.in_([a.id for a in analyses]))
        )
        assert orphans == 0
    paths = run_manifest(demo_dir / "study.toml", out=tmp_path / "r", db=str(db), progress=False)
    assert paths["html"].is_file()
    again = run_study(load_manifest(demo_dir / "study.toml"), engine, progress=False)
    assert again.computed == []
