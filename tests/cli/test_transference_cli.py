"""``elyte transference`` on generated CA + EIS files of known t+."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import typer
from typer.testing import CliRunner

from elyte.cli import _command_returning_json
from elyte.cli.transference import transference
from elyte.impedance import Circuit
from elyte.recording import Recording, RecordingMeta

runner = CliRunner()
DV = 0.010
RB, RI0, RISS, T_TRUE = 40.0, 150.0, 180.0, 0.45


def _app() -> typer.Typer:
    # the maintainers register it on elyte.cli.app; here the same wrapper on a private app
    app = typer.Typer()
    app.command("transference")(_command_returning_json(transference))
    app.command("noop")(lambda: None)  # two commands keep the sub-command name
    return app


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Write the generated set (truth: t+ = 0.45): CA and Li‖Li spectra.

    CA: I(t) = Iss + (I0-Iss)·exp(-t/τ).
    I0 = ΔV/(R_b + R_i,0), Iss = ΔV/(R_b/t+ + R_i,ss); spectra from R0-p(R1,CPE1).
    """
    i0 = DV / (RB + RI0)
    iss = DV / (RB / T_TRUE + RISS)
    t = np.arange(0.0, 6001.0, 2.0)
    current = iss + (i0 - iss) * np.exp(-t / 300.0)
    ca = Recording(
        pl.DataFrame({"test_time_second": t, "current_ampere": current}),
        RecordingMeta(instrument="generated", format="none", techniques=("CA",)),
    ).to_parquet(tmp_path / "ca.parquet")
    f = np.logspace(6, -1, 50)
    paths = []
    for name, ri in (("before", RI0), ("after", RISS)):
        z = Circuit("R0-p(R1,CPE1)").impedance(f, [RB, ri, 2e-5, 0.9])
        rec = Recording(
            pl.DataFrame(
                {
                    "frequency_hertz": f,
                    "real_impedance_ohm": z.real,
                    "imaginary_impedance_ohm": z.imag,
                }
            ),
            RecordingMeta(instrument="generated", format="none", techniques=("PEIS",)),
        )
        paths.append(rec.to_parquet(tmp_path / f"{name}.parquet"))
    return ca, paths[0], paths[1]


def test_transference_json_recovers_t_plus(tmp_path: Path) -> None:
    ca, before, after = _files(tmp_path)
    args = ["transference", "--ca", str(ca), "--eis-before", str(before)]
    args += ["--eis-after", str(after), "--dv-mV", "10", "--json"]
    result = runner.invoke(_app(), args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["t_plus"] == pytest.approx(T_TRUE, abs=1e-3)
    assert doc["i0_source"] == "eis"
    assert doc["before"]["interfacial_ohm"] == pytest.approx(RI0, rel=1e-4)
    assert doc["after"]["interfacial_ohm"] == pytest.approx(RISS, rel=1e-4)
    assert doc["chronoamperometry"]["steady"]["reached"] is True
    assert doc["flags"] == []


def test_transference_text_png_and_bad_file(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    ca, before, after = _files(tmp_path)
    png = tmp_path / "ca.png"
    args = ["transference", "--ca", str(ca), "--eis-before", str(before)]
    args += ["--eis-after", str(after), "--png", str(png), "--i0", "extrapolated"]
    result = runner.invoke(_app(), args)
    assert result.exit_code == 0, result.output
    assert "I0 extrapolated" in result.stdout
    # the EIS variant is exact; the sqrt(t) extrapolation of an exponential decay is not
    assert "t+ with I0 from EIS: 0.4500" in result.stdout
    assert png.stat().st_size > 0
    # the CA file given as a spectrum: one-line error, exit status 1
    bad = ["transference", "--ca", str(ca), "--eis-before", str(ca), "--eis-after", str(after)]
    result = runner.invoke(_app(), bad)
    assert result.exit_code == 1
    assert "error:" in result.output
