"""DSC analysis on synthetic curves of analytic truth (Gaussian peaks on a sloped baseline).

For a Gaussian peak of width sigma the steepest point of the leading edge is at
T_peak - sigma, where the net signal is h e^(-1/2) and its slope h e^(-1/2) / sigma; the
tangent there meets the baseline at T_peak - 2 sigma. The area is the enthalpy put in.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from elyte.errors import ColumnMappingError, ThermalError
from elyte.thermal.dsc import DscCurve, analyse_dsc, read_dsc
from tests.thermal import gaussian_dsc

# The seed's NCM811 cathode with 3D-SIPE-LiFPA: ~214 and ~270 degC, 456.2 and 1123.0 J/g.
SEED_CATHODE = [(214.0, 7.0, 456.2), (270.0, 11.0, 1123.0)]


def _curve(peaks: list[tuple[float, float, float]], **kwargs: float) -> DscCurve:
    temp, t, mw = gaussian_dsc(peaks, **kwargs)  # type: ignore[arg-type]
    return DscCurve(temp, mw * 1e-3, specific=False, time_s=t)


def test_two_exotherms_recover_onset_peak_and_enthalpy() -> None:
    """Truth: the Gaussian parameters (onset T_p - 2 sigma, peak T_p, area dH)."""
    result = analyse_dsc(_curve(SEED_CATHODE), mass_mg=2.5)
    assert len(result.peaks) == 2
    for peak, (tp, sigma, dh) in zip(result.peaks, SEED_CATHODE, strict=True):
        assert peak.peak_c == pytest.approx(tp, abs=0.05)
        assert peak.onset_c == pytest.approx(tp - 2 * sigma, abs=0.1)
        assert peak.enthalpy_j_g == pytest.approx(dh, rel=5e-3)
    assert result.exo_total_j_g == pytest.approx(456.2 + 1123.0, rel=1e-3)
    assert result.heating_rate_c_min == pytest.approx(5.0, rel=1e-9)
    assert result.mass_basis == "per gram of sample as weighed (m = 2.5 mg)"
    assert "exo up" in str(result)


def test_exo_down_export_gives_the_same_result() -> None:
    """Truth: the same curve with the sign flipped, declared exo down."""
    up = _curve(SEED_CATHODE)
    down = DscCurve(up.temperature_c, -up.heat_flow, specific=False, time_s=up.time_s)
    a = analyse_dsc(up, mass_mg=2.5)
    b = analyse_dsc(down, mass_mg=2.5, exo="down")
    assert [p.peak_c for p in a.peaks] == [p.peak_c for p in b.peaks]
    assert b.exo_total_j_g == pytest.approx(a.exo_total_j_g, rel=1e-12)
    assert "exo down" in str(b)


def test_li_melting_is_used_as_a_temperature_check() -> None:
    """Truth: an endotherm at 181 degC (sigma 1.5) has its onset at 178 degC: offset -2.5."""
    curve = _curve([(181.0, 1.5, -300.0), (250.0, 10.0, 2000.0)], mass_mg=1.0)
    result = analyse_dsc(curve, mass_mg=1.0)
    assert result.li_melting is not None
    assert result.li_melting.onset_c == pytest.approx(178.0, abs=0.1)
    assert result.li_melting.offset_c == pytest.approx(-2.5, abs=0.1)
    assert result.li_melting.enthalpy_j_g == pytest.approx(300.0, rel=5e-3)
    assert "offset -2.5 degC" in result.li_note
    no_li = analyse_dsc(_curve(SEED_CATHODE), mass_mg=2.5)
    assert no_li.li_melting is None
    assert "no endotherm peaking at 170-190 degC" in no_li.li_note


def test_netzsch_like_export_with_a_specific_heat_flow(tmp_path: Path) -> None:
    """Truth: the Gaussian curve written in mW/mg with ';' separators and a '#' preamble."""
    temp, t, mw = gaussian_dsc(SEED_CATHODE, mass_mg=1.0)
    lines = ["#EXPORTTYPE:DATA ALL", "#SAMPLE MASS /mg:1.000", "##Temp./°C;Time/min;DSC/(mW/mg)"]
    lines += [f"{a:.3f};{b / 60:.6f};{c:.8f}" for a, b, c in zip(temp, t, mw, strict=True)]
    path = tmp_path / "netzsch.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    curve = read_dsc(path)
    assert curve.specific
    result = analyse_dsc(curve)
    assert result.mass_basis == "per gram as normalised by the instrument software"
    assert [round(p.peak_c) for p in result.peaks] == [214, 270]
    assert result.peaks[1].enthalpy_j_g == pytest.approx(1123.0, rel=5e-3)


def test_without_time_the_heating_rate_is_required(tmp_path: Path) -> None:
    temp, _, mw = gaussian_dsc([(214.0, 7.0, 456.2)])
    path = tmp_path / "no_time.csv"
    path.write_text(
        "Temperature (°C),Heat Flow (mW)\n"
        + "\n".join(f"{a:.3f},{b:.8f}" for a, b in zip(temp, mw, strict=True))
    )
    curve = read_dsc(path)
    with pytest.raises(ThermalError, match="heating_rate_c_min"):
        analyse_dsc(curve, mass_mg=2.5)
    with pytest.raises(ThermalError, match="mass_mg"):
        analyse_dsc(curve, heating_rate_c_min=5.0)
    result = analyse_dsc(curve, mass_mg=2.5, heating_rate_c_min=5.0)
    assert result.peaks[0].enthalpy_j_g == pytest.approx(456.2, rel=5e-3)


def test_bad_dsc_inputs(tmp_path: Path) -> None:
    path = tmp_path / "raw.csv"
    path.write_text("Temperature (°C),DSC (uV)\n" + "\n".join(f"{i},{i}" for i in range(20)))
    with pytest.raises(ColumnMappingError, match="has unit 'uV'"):
        read_dsc(path)
    curve = _curve(SEED_CATHODE)
    with pytest.raises(ThermalError, match="exo must be"):
        analyse_dsc(curve, mass_mg=1.0, exo="left")  # type: ignore[arg-type]
    with pytest.raises(ThermalError, match="too narrow"):
        analyse_dsc(curve, mass_mg=1.0, window_c=(100.0, 102.0))
    back = np.concatenate((curve.temperature_c, curve.temperature_c[::-1]))
    cooled = DscCurve(back, np.concatenate((curve.heat_flow, curve.heat_flow[::-1])), False)
    with pytest.raises(ThermalError, match="temperature falls"):
        analyse_dsc(cooled, mass_mg=1.0, heating_rate_c_min=5.0)
