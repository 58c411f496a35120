"""``elyte aurbach``, ``elyte symmetric`` and ``elyte lsv`` on generated files of known truth."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from elyte.cli import app
from elyte.examples import galvanostatic_example
from tests.conftest import shared_file
from tests.lithium import AREA_CM2, li_cu_protocol
from tests.lithium.test_symmetric import li_li
from tests.voltammetry import sweep, tafel

runner = CliRunner()


def test_aurbach_json_recovers_the_generated_ce(tmp_path: Path) -> None:
    """Truth: the generator's analytic Q1..Q4 (tests/lithium), true CE 0.99."""
    rec, truth = li_cu_protocol(true_ce=0.99)
    path = rec.to_parquet(tmp_path / "licu.parquet")
    result = runner.invoke(app, ["aurbach", str(path), "--area-cm2", str(AREA_CM2), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["ce"] == pytest.approx(truth.ce, rel=1e-9)
    assert doc["q1_ah"] == pytest.approx(truth.q1_ah, rel=1e-9)
    assert "nucleation" in doc


def test_aurbach_text_and_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    rec, _ = li_cu_protocol(true_ce=0.98)
    path = rec.to_parquet(tmp_path / "licu.parquet")
    png = tmp_path / "a.png"
    result = runner.invoke(
        app, ["aurbach", str(path), "--area-cm2", str(AREA_CM2), "--png", str(png)]
    )
    assert result.exit_code == 0, result.output
    assert "modified-Aurbach CE = 98.000 %" in result.output
    assert png.stat().st_size > 1000


def test_aurbach_refuses_a_cathode_cycling_file(tmp_path: Path) -> None:
    """A plain cathode/Li cycling file must give a clear message, never a CE."""
    path = galvanostatic_example().to_parquet(tmp_path / "ncm.parquet")
    result = runner.invoke(app, ["aurbach", str(path), "--area-cm2", "1.13", "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "not Li plating on Cu" in result.stderr


def test_symmetric_detects_the_generated_hard_short(tmp_path: Path) -> None:
    """Truth: tests/lithium/test_symmetric.li_li with a hard short from t = 31 h."""
    rec = li_li(n_half=24, hard_at=31 * 3600.0)
    path = rec.to_parquet(tmp_path / "lili.parquet")
    result = runner.invoke(app, ["symmetric", str(path), "--area-cm2", "1.13", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["hard_short"]["detected"] is True
    assert doc["hard_short"]["time_s"] == pytest.approx(31 * 3600.0)


def test_lsv_onset_matches_the_tafel_truth(tmp_path: Path) -> None:
    """Truth: j = j0 exp((E - E0)/b) crosses 0.01 mA/cm² at E0 + b ln(0.01/j0)."""
    j0, e0, b = 1e-4, 5.0, 0.05
    rec = sweep(
        [3.0, 6.0],
        rate_mv_s=1.0,
        dt_s=1.0,
        area_cm2=1.0,
        model=lambda e, d, leg: tafel(j0, e0, b)(e),
    )
    path = rec.to_parquet(tmp_path / "lsv.parquet")
    result = runner.invoke(
        app, ["lsv", str(path), "--area-cm2", "1", "--threshold-mA-cm2", "0.01", "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["threshold_ma_cm2"] == 0.01
    assert doc["onset_interpolated_v"] == pytest.approx(e0 + b * np.log(0.01 / j0), abs=1e-3)


def test_lsv_text_always_prints_the_threshold() -> None:
    path = shared_file("biologic", "cv.mpr")
    result = runner.invoke(app, ["lsv", str(path), "--area-cm2", "1"])
    assert result.exit_code == 0, result.output
    assert "0.01 mA/cm2" in result.output
    assert "5.26" in result.output  # onset of the real CV's first anodic sweep
