"""The study's ``dsc`` analysis stores what elyte.thermal.analyse_dsc returns."""

from __future__ import annotations

from pathlib import Path

import pytest

from elyte.study.analyses import run_analysis
from elyte.thermal.dsc import analyse_dsc, read_dsc
from tests.thermal import gaussian_dsc

pytest.importorskip("matplotlib")


def test_dsc_runner_equals_the_function(tmp_path: Path) -> None:
    """Truth: analyse_dsc on the same file, and the Gaussian peaks' enthalpies.

    The peaks are the seed's NCM811 cathode with 3D-SIPE-LiFPA (456.2 and 1123.0 J/g); the
    manifest's mass parameter is in mg after unit conversion.
    """
    peaks = [(214.0, 7.0, 456.2), (270.0, 11.0, 1123.0)]
    temp, t, mw = gaussian_dsc(peaks, mass_mg=2.5)
    lines = ["Temp./°C;Time/min;DSC/mW"]
    lines += [f"{a:.3f};{b / 60:.6f};{c:.8f}" for a, b, c in zip(temp, t, mw, strict=True)]
    path = tmp_path / "dsc.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = run_analysis("dsc", (path,), {"mass": 2.5}, {"id": "c"})
    direct = analyse_dsc(read_dsc(path), mass_mg=2.5)
    enthalpies = [m.value for m in out.metrics if m.name == "peak_enthalpy"]
    assert enthalpies == [p.enthalpy_j_g for p in direct.peaks]
    assert enthalpies[1] == pytest.approx(1123.0, rel=5e-3)
    assert all(m.unit == "J/g" for m in out.metrics if m.name == "peak_enthalpy")
    assert out.figures
