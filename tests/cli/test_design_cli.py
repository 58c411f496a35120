"""``elyte design``, ``elyte formulate`` and ``elyte composition``: JSON, text, figures, errors.

The commands are registered here the same way :mod:`elyte.cli` registers them, so the
tests run whether or not the main app has them yet.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from elyte.cli import _command_returning_json
from elyte.cli.design import composition, design, formulate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cells"

app = typer.Typer()
app.command("design")(_command_returning_json(design))
app.command("formulate")(_command_returning_json(formulate))
app.command("composition")(_command_returning_json(composition))
runner = CliRunner()


def test_design_json_has_budget_checks_scenarios_and_sweeps() -> None:
    """Wh/kg equals the hand calculation of tests/design/test_cell.py (407.86 Wh/kg)."""
    result = runner.invoke(app, ["design", str(EXAMPLES / "ncm811_li_2p8ah_pouch.toml"), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["result"]["metrics"]["wh_kg"] == pytest.approx(407.86, abs=0.01)
    assert doc["result"]["flagged"] == ["wh_kg"]
    assert len(doc["result"]["budget"]) == 8
    assert {r["scenario"] for r in doc["scenarios"]["rows"]} >= {"base", "6 um Cu under the Li"}
    assert doc["sweeps"][0]["parameter"] == "np_ratio"
    assert doc["result"]["metrics"]["cycles_to_li_exhaustion"] > 400


def test_design_text_sweep_and_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    png = tmp_path / "w.png"
    result = runner.invoke(
        app,
        [
            "design",
            str(EXAMPLES / "ncm811_li_222mah_pouch.toml"),
            "--sweep",
            "np_ratio=1:3:5",
            "--sweep",
            "li_thickness_um=20,50",
            "--png",
            str(png),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "mass budget" in result.output
    assert "! wh_kg: reported 300 Wh/kg" in result.output
    assert "what-if: np_ratio" in result.output
    assert png.stat().st_size > 1000


def test_formulate_table_s5_box() -> None:
    result = runner.invoke(
        app,
        [
            "formulate",
            "--salt",
            "LiFPA",
            "-c",
            "1",
            "--unit",
            "mol/L-solvent",
            "--box",
            "EMC=200",
            "--box",
            "FEC=280",
            "--box",
            "LiFPA=40",
            "--box-edge",
            "50.7",
            "--stated-atoms",
            "7480",
            "--stated-density",
            "1.270",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert round(100 * doc["formulation"]["solvent_mass_fraction"], 1) == 63.8
    assert doc["md_box"]["n_atoms"] == 7480
    assert doc["md_box"]["density_g_cm3"] == pytest.approx(0.9994, abs=1e-4)
    assert doc["md_box"]["flagged"] == ["density_g_cm3"]


def test_formulate_text_and_box_from_recipe() -> None:
    result = runner.invoke(
        app,
        [
            "formulate",
            "--salt",
            "LiPF6",
            "-c",
            "1",
            "--solution-density",
            "1.3",
            "--water-ppm",
            "20",
            "--box-salt",
            "20",
            "--box-density",
            "1.3",
        ],
    )
    assert result.exit_code == 0, result.output
    for text in ("molality", "MD box", "water 20 ppm"):
        assert text in result.output


def test_composition_table_s4() -> None:
    args = ["composition", "C=7.24", "O=15.49", "F=58.87", "Al=18.40"]
    expect = ["--expect", "C=11.26", "--expect", "O=18.09", "--expect", "F=57.91"]
    result = runner.invoke(app, [*args, *expect, "--expect", "Al=12.74", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["flagged"] == []
    at = {r["element"]: r["at_percent"] for r in doc["rows"]}
    assert at["F"] == pytest.approx(57.902, abs=1e-3)
    text = runner.invoke(app, ["composition", "--formula", "LiFPA", "--exclude", "Li"])
    assert text.exit_code == 0
    assert "29.268" in text.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["design", "/nonexistent/cell.toml"], "no such manifest"),
        (["formulate", "--salt", "LiPF6", "-c", "1"], "solution's density"),
        (["formulate"], "--salt"),
        (["formulate", "--box", "EMC"], "NAME=VALUE"),
        (["composition", "C=x"], "not a number"),
        (["composition"], "values or --formula"),
        (["composition", "Xq=1"], "unknown element"),
    ],
)
def test_errors_are_one_line(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_design_bad_sweep(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["design", str(EXAMPLES / "ncm811_li_coin.toml"), "--sweep", "np_ratio=a:b"]
    )
    assert result.exit_code == 1
    assert "must be numbers" in result.stderr
