"""``elyte simulate``: writes files that our readers read back, marked simulated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from elyte.cli import _command_returning_json, app
from elyte.cli.simulate import EXPERIMENTS, simulate
from elyte.io.registry import read

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("simulate")(_command_returning_json(simulate))
    app.command("noop")(lambda: None)
    return app


@pytest.mark.parametrize("experiment", sorted(EXPERIMENTS))
def test_every_experiment_writes_readable_files(experiment: str, tmp_path: Path) -> None:
    result = runner.invoke(
        _app(),
        ["simulate", experiment, "--params", "3d-sipe-lifpa", "--out", str(tmp_path), "--json"],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["simulated"] is True
    assert doc["experiment"] == experiment
    assert doc["files"]
    for f in doc["files"]:
        assert "simulated" in Path(f).read_text(encoding="latin-1").lower()
        if f.endswith(".mpt"):
            assert read(f).data.height > 0


def test_text_output_and_errors(tmp_path: Path) -> None:
    ok = runner.invoke(_app(), ["simulate", "eis-cycled", "--out", str(tmp_path)])
    assert ok.exit_code == 0
    assert "wrote" in ok.stdout
    bad = runner.invoke(_app(), ["simulate", "nonsense", "--out", str(tmp_path)])
    assert bad.exit_code == 1
    assert "unknown experiment" in bad.output
    missing = runner.invoke(
        _app(), ["simulate", "arc", "--params", str(tmp_path / "x.toml"), "--out", str(tmp_path)]
    )
    assert missing.exit_code == 1
    assert "cannot read" in missing.output


def test_simulated_aurbach_file_gives_back_the_sets_ce(tmp_path: Path) -> None:
    """Truth: the parameter set's CE (derived from the seed's 99.39 % for 3D-SIPE-LiFPA)."""
    from elyte.virtual.params import load_params

    result = CliRunner().invoke(app, ["simulate", "aurbach", "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    path = json.loads(result.stdout)["files"][0]
    analysed = CliRunner().invoke(app, ["aurbach", path, "--area-cm2", "1.1309734", "--json"])
    assert analysed.exit_code == 0, analysed.output
    ce = json.loads(analysed.stdout)["ce"]
    assert abs(ce - load_params("3d-sipe-lifpa").ce) < 5e-4


@pytest.mark.parametrize("experiment", ["li-li", "cycling"])
def test_time_series_experiments_read_back_as_simulated(tmp_path: Path, experiment: str) -> None:
    import elyte

    result = CliRunner().invoke(app, ["simulate", experiment, "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    for path in json.loads(result.stdout)["files"]:
        assert elyte.read(path).meta.simulated is True
