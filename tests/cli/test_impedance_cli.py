"""`conductivity` and `eis_fit` command functions on generated BDF files and real EIS files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import typer

from elyte.cli.impedance import conductivity, eis_fit
from elyte.errors import ElyteError
from elyte.impedance import Circuit
from elyte.transport import GAS_CONSTANT
from tests.conftest import shared_file

F = np.logspace(6, -1, 50)


def _bdf(path: Path, z: np.ndarray) -> Path:
    rows = [
        f"{i},0.0,0.0,{float(f)!r},{float(c.real)!r},{float(c.imag)!r}"
        for i, (f, c) in enumerate(zip(F, z, strict=True))
    ]
    path.write_text(
        "Test Time / s,Voltage / V,Current / A,Frequency / Hz,Real Impedance / ohm,"
        "Imaginary Impedance / ohm\n" + "\n".join(rows) + "\n"
    )
    return path


def _series(tmp_path: Path) -> tuple[list[Path], np.ndarray, np.ndarray]:
    """Blocking-cell spectra with R_b(T) Arrhenius (Ea = 20 kJ/mol in the sigma form)."""
    t_c = np.array([0.0, 10.0, 20.0, 30.0, 40.0, 50.0])
    t_k = t_c + 273.15
    rb = 50.0 * np.exp(20e3 / GAS_CONSTANT * (1 / t_k - 1 / 303.15))
    files = [
        _bdf(tmp_path / f"t{i}.bdf.csv", Circuit("R_b-CPE_dl").impedance(F, [r, 1e-5, 0.9]))
        for i, r in enumerate(rb)
    ]
    return files, t_c, rb


def test_conductivity_json_and_arrhenius(tmp_path: Path) -> None:
    """Sigma = L/(A R_b) per file (analytic) and Ea = 20 kJ/mol back from the sigma(T) fit."""
    files, t_c, rb = _series(tmp_path)
    doc = conductivity(
        files,
        thickness_um=100.0,
        area_cm2=1.0,
        temperatures=",".join(str(t) for t in t_c),
        json_output=True,
    )
    assert doc is not None
    doc = json.loads(json.dumps(doc, allow_nan=False))
    sigma = [r["conductivity"]["value"] for r in doc["results"]]
    np.testing.assert_allclose(sigma, 0.01 / rb, rtol=1e-4)
    arr = doc["temperature_dependence"]["fits"]["arrhenius_sigma"]
    assert arr["form"] == "sigma"
    assert arr["activation_energy"]["value"] == pytest.approx(20.0, abs=0.05)
    assert arr["activation_energy"]["unit"] == "kJ/mol"


def test_conductivity_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Text mode prints sigma in mS/cm and the AICc choice, and returns None."""
    files, _t_c, _ = _series(tmp_path)
    out = conductivity(files, thickness_um=100.0, area_cm2=1.0, temperatures="0,10,20,30,40,50")
    assert out is None
    text = capsys.readouterr().out
    assert "mS/cm" in text
    assert "AICc prefers" in text


def test_conductivity_bad_temperatures(tmp_path: Path) -> None:
    """A temperature count that does not match the sweeps is an ElyteError."""
    files, _, _ = _series(tmp_path)
    with pytest.raises(ElyteError):
        conductivity(files, thickness_um=100.0, area_cm2=1.0, temperatures="20,30")


def test_eis_fit_real_geis_all_sweeps() -> None:
    """Yadg's geis.issue_149.mpr (4 sweeps): one batch fit per file, Lin-KK for each sweep."""
    path = shared_file("biologic", "geis.issue_149.mpr")
    doc = eis_fit(path, circuit="R0-p(R1,CPE1)", json_output=True)
    assert doc is not None
    assert len(doc["fits"]) == 4
    assert len(doc["lin_kk"]) == 4
    json.dumps(doc, allow_nan=False)


def test_eis_fit_generated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A generated R0-p(R1,CPE1) spectrum is fitted back to its parameters (analytic truth)."""
    z = Circuit("R0-p(R1,CPE1)").impedance(F, [10.0, 100.0, 1e-5, 0.85])
    path = _bdf(tmp_path / "one.bdf.csv", z)
    doc = eis_fit(path, circuit="R0-p(R1,CPE1)", json_output=True)
    assert doc is not None
    params = {p["name"]: p["value"] for p in doc["fits"][0]["parameters"]}
    assert params["R1"] == pytest.approx(100.0, rel=1e-6)
    assert eis_fit(path, circuit="R0-p(R1,CPE1)") is None
    assert "Lin-KK" in capsys.readouterr().out
    with pytest.raises((ElyteError, typer.Exit)):
        eis_fit(path, circuit="R0-p(R1,CPE1)", sweep=3)
