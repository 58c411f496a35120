"""``elyte arc``, ``elyte arc-simulate`` and ``elyte dsc`` on generated files of known truth.

The commands are registered here on a local Typer app exactly as :mod:`elyte.cli` registers
the other analysis commands (``_command_returning_json``), so these tests do not depend on
whether the main app lists them yet.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from elyte.cli import _command_returning_json
from elyte.cli.thermal import arc, arc_simulate, dsc
from elyte.thermal.runaway import kim2007_18650, simulate_hws
from tests.thermal import gaussian_dsc, staircase, write_arc_csv

app = typer.Typer()
app.command("arc")(_command_returning_json(arc))
app.command("arc-simulate")(_command_returning_json(arc_simulate))
app.command("dsc")(_command_returning_json(dsc))
runner = CliRunner()

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "thermal"


def test_simulate_then_analyse_round_trip(tmp_path: Path) -> None:
    """Truth: the model's own detection and 1 degC/min crossing, printed by arc-simulate."""
    out = tmp_path / "kim.csv"
    sim = runner.invoke(
        app, ["arc-simulate", str(EXAMPLES / "kim2007_18650.toml"), "--out", str(out), "--json"]
    )
    assert sim.exit_code == 0, sim.output
    truth = json.loads(sim.stdout)
    assert truth["simulated"] is True
    assert truth["runtime_s"] < 1.0
    result = runner.invoke(
        app, ["arc", str(out), "--criterion", "1C/min", "--criterion", "1C/s", "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["simulated"] is True
    assert doc["onset_c"] == pytest.approx(truth["first_detection_c"], abs=1.0)
    by_rate = {t["rate_c_min"]: t for t in truth["truth"]}
    assert [p["criterion"] for p in doc["t_tr"]] == ["1 degC/min", "1 degC/s"]
    assert doc["t_tr"][0]["temperature_c"] == pytest.approx(by_rate[1.0]["observable_c"], abs=1.0)
    assert doc["t_tr"][1]["temperature_c"] == pytest.approx(by_rate[60.0]["observable_c"], abs=1.0)
    assert doc["units"]["onset_c"] == "degC"


def test_arc_text_always_prints_the_criterion(tmp_path: Path) -> None:
    path = simulate_hws(kim2007_18650()).write_csv(tmp_path / "kim.csv")
    result = runner.invoke(app, ["arc", str(path), "--compare"])
    assert result.exit_code == 0, result.output
    assert "T_tr (1 degC/min)" in result.output
    assert "first detection at 0.03 degC/min" in result.output
    assert "literature (Table S7), T_tr at 1 degC/min" in result.output
    assert "Our work" in result.output


def test_arc_without_exotherm_and_with_bad_input(tmp_path: Path) -> None:
    t, temp, mode = staircase()
    flat = write_arc_csv(tmp_path / "flat.csv", t, temp, mode)
    result = runner.invoke(app, ["arc", str(flat)])
    assert result.exit_code == 0, result.output
    assert "no self-heating detected up to 250.0 degC" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("Time / s,Pressure / bar\n0,1\n30,1\n")
    result = runner.invoke(app, ["arc", str(bad), "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "error:" in result.stderr
    assert "sample temperature" in result.stderr
    result = runner.invoke(app, ["arc", str(flat), "--criterion", "fast"])
    assert result.exit_code == 1
    assert "cannot read the rate 'fast'" in result.stderr
    result = runner.invoke(app, ["arc", str(flat), "--column", "temperature"])
    assert result.exit_code == 1
    assert "KEY=VALUE" in result.stderr


def test_arc_simulate_text_and_preset(tmp_path: Path) -> None:
    out = tmp_path / "li.csv"
    result = runner.invoke(app, ["arc-simulate", "li-metal-ncm811-pouch", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "simulated" in result.output
    assert "first detection (T_onset)" in result.output
    assert out.read_text().startswith("# elyte simulated ARC")
    result = runner.invoke(app, ["arc-simulate", "nothing", "--out", str(out)])
    assert result.exit_code == 1
    assert "no preset 'nothing'" in result.stderr


def test_dsc_command(tmp_path: Path) -> None:
    """Truth: Gaussian peaks at 214 and 270 degC with 456.2 and 1123.0 J/g (2.5 mg)."""
    temp, t, mw = gaussian_dsc([(214.0, 7.0, 456.2), (270.0, 11.0, 1123.0)])
    path = tmp_path / "dsc.csv"
    path.write_text(
        "Time (s),Temperature (°C),Heat Flow (mW)\n"
        + "\n".join(f"{a:.3f},{b:.4f},{c:.8f}" for a, b, c in zip(t, temp, mw, strict=True))
    )
    result = runner.invoke(app, ["dsc", str(path), "--mass-mg", "2.5", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [round(p["peak_c"]) for p in doc["peaks"]] == [214, 270]
    assert doc["peaks"][0]["enthalpy_j_g"] == pytest.approx(456.2, rel=5e-3)
    assert doc["mass_basis"] == "per gram of sample as weighed (m = 2.5 mg)"
    text = runner.invoke(app, ["dsc", str(path), "--mass-mg", "2.5", "--from-c", "150"])
    assert text.exit_code == 0, text.output
    assert "exo up" in text.output
    missing = runner.invoke(app, ["dsc", str(path)])
    assert missing.exit_code == 1
    assert "mass_mg" in missing.stderr


def test_png_outputs(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "kim.csv"
    result = runner.invoke(
        app, ["arc-simulate", "kim2007-18650", "--out", str(out), "--png", str(tmp_path / "t.png")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "t.png").stat().st_size > 1000
    result = runner.invoke(app, ["arc", str(out), "--png", str(tmp_path / "s.png")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "s.png").stat().st_size > 1000
