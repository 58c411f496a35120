"""``elyte cycling`` on generated and real files: table, JSON, CSV, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from elyte.cli import app
from elyte.examples import galvanostatic_example
from tests.conftest import shared_file

runner = CliRunner()


@pytest.fixture
def example_file(tmp_path: Path) -> Path:
    return galvanostatic_example(cycles=3).to_parquet(tmp_path / "ex.parquet")


def test_json_capacities_match_the_generator(example_file: Path) -> None:
    """The example generator passes 4 mAh x 0.99^(n-1) each way; CE is therefore 1."""
    result = runner.invoke(
        app, ["cycling", str(example_file), "-w", "positive", "--cycles", "vendor", "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    q_dis = [row["discharge_capacity_ah"] for row in doc["rows"]]
    # sampled every 10 s at 2 mA: the step ends on the last whole sample (int(duration/10))
    expected = [int(4e-3 * 0.99**k / 2e-3 * 3600 / 10) * 10 * 2e-3 / 3600 for k in range(3)]
    assert q_dis == pytest.approx(expected, rel=1e-9)
    assert doc["units"]["discharge_capacity_ah"] == "Ah"
    assert doc["conventions"]["working_electrode"] == "positive"
    assert "cycles_to_80_percent" in doc["metrics"]


def test_text_table_and_csv(example_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "cycles.csv"
    result = runner.invoke(
        app,
        [
            "cycling",
            str(example_file),
            "-w",
            "positive",
            "--cycles",
            "vendor",
            "--mass-mg",
            "20",
            "--csv",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Q_dis/mAh/g" in result.output
    table = pl.read_csv(out)
    assert table.height == 3
    assert table["discharge_capacity_mah_g"][0] == pytest.approx(
        table["discharge_capacity_ah"][0] * 1e3 / 0.020
    )


def test_missing_mass_parameters_is_one_clear_line(example_file: Path) -> None:
    result = runner.invoke(
        app,
        [
            "cycling",
            str(example_file),
            "-w",
            "positive",
            "--cycles",
            "vendor",
            "--loading-mg-cm2",
            "18.1",
        ],
    )
    assert result.exit_code == 1
    assert "area_cm2" in result.stderr
    assert "active_fraction" in result.stderr


def test_bad_working_electrode(example_file: Path) -> None:
    result = runner.invoke(
        app, ["cycling", str(example_file), "-w", "cathode", "--cycles", "vendor"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")


def test_real_neware_file_runs() -> None:
    path = shared_file("neware", "21_10_7_85.ndax")
    result = runner.invoke(
        app, ["cycling", str(path), "-w", "positive", "--cycles", "vendor", "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["source"]["format"] == "neware"
    assert len(doc["rows"]) >= 1


def test_png_figure_is_written(example_file: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    png = tmp_path / "cycles.png"
    result = runner.invoke(
        app,
        ["cycling", str(example_file), "-w", "positive", "--cycles", "vendor", "--png", str(png)],
    )
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
