"""The command line: one clear line and exit 1 on errors, one JSON document with --json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from elyte.cli import app

runner = CliRunner()


def _example(tmp_path: Path, name: str = "ex.parquet") -> Path:
    out = tmp_path / name
    result = runner.invoke(app, ["example", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_inspect_text(tmp_path: Path) -> None:
    path = _example(tmp_path)
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert "voltage_volt" in result.output
    assert "(simulated)" in result.output
    assert "cycles      3" in result.output


def test_inspect_json_is_one_document_with_units(tmp_path: Path) -> None:
    path = _example(tmp_path)
    result = runner.invoke(app, ["inspect", str(path), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["rows"] > 1000
    assert doc["voltage"]["max"]["unit"] == "V"
    assert {"name": "current_ampere", "unit": "A"} in doc["columns"]


def test_error_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["inspect", str(tmp_path / "missing.mpr")])
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("error: ")
    assert "missing.mpr: no such file" in result.stderr


def test_convert_to_bdf_and_parquet(tmp_path: Path) -> None:
    src = _example(tmp_path)
    bdf = tmp_path / "out.bdf.csv"
    result = runner.invoke(app, ["convert", str(src), "--to", "bdf", "-o", str(bdf), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["output"] == str(bdf)
    assert bdf.read_text().startswith("test_time_second,")
    result = runner.invoke(app, ["convert", str(bdf), "--to", "parquet"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.bdf.csv.parquet").exists()


def test_convert_rejects_unknown_target(tmp_path: Path) -> None:
    src = _example(tmp_path)
    result = runner.invoke(app, ["convert", str(src), "--to", "xlsx"])
    assert result.exit_code == 1
    assert "--to must be one of ['bdf', 'parquet']" in result.stderr


def test_convert_never_overwrites_input(tmp_path: Path) -> None:
    src = _example(tmp_path)
    before = src.read_bytes()
    result = runner.invoke(app, ["convert", str(src), "--to", "parquet", "-o", str(src)])
    assert result.exit_code == 1
    assert src.read_bytes() == before


def test_formats_lists_readers() -> None:
    result = runner.invoke(app, ["formats", "--json"])
    assert result.exit_code == 0
    names = {r["name"] for r in json.loads(result.stdout)}
    assert {"biologic-mpr", "neware", "landt", "csv"} <= names


def test_module_entry_point_runs(tmp_path: Path) -> None:
    """The installed package runs as ``python -m elyte`` in a fresh process."""
    out = tmp_path / "ex.bdf.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "elyte", "example", str(out), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["simulated"] is True
