"""ARC reading and analysis: round trips through the simulated instrument, analytic exotherms.

Ground truth comes from outside the analysis code: the thermal-runaway model's own
detection and its own instantaneous self-heating rate (recorded by the integrator, see
``HwsSimulation.truth``), or exotherms constructed analytically in the test.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from elyte.errors import ColumnMappingError, ElyteError, ReaderError, ThermalError
from elyte.thermal.arc import (
    ArcRecording,
    analyse_arc,
    parse_rate,
    read_arc,
    segment_arc,
)
from elyte.thermal.runaway import (
    HwsSimulation,
    kim2007_18650,
    li_metal_ncm811,
    ncm_type,
    simulate_hws,
)
from tests.thermal import GAS_CONSTANT, staircase, write_arc_csv, zero_order_exotherm

CRITERIA = (0.03, 1.0, 60.0)  # the seed's threshold, the seed's criterion, Feng's 1 degC/s


@pytest.fixture(scope="module", params=["kim2007-18650", "ncm-type", "li-metal-ncm811-pouch"])
def simulated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[HwsSimulation, Path]:
    model = {
        "kim2007-18650": kim2007_18650,
        "ncm-type": ncm_type,
        "li-metal-ncm811-pouch": li_metal_ncm811,
    }[request.param]()
    sim = simulate_hws(model)
    path = sim.write_csv(tmp_path_factory.mktemp("arc") / f"{request.param}.csv")
    return sim, path


@pytest.mark.parametrize("use_flag", [True, False], ids=["flag", "inferred"])
def test_round_trip_recovers_the_models_own_temperatures(
    simulated: tuple[HwsSimulation, Path], use_flag: bool
) -> None:
    """Truth: the model's first detection and its own SHR crossings (integrator events).

    The simulated run is written as an ARC CSV, read back and analysed, with the mode flag
    and with the modes inferred from the temperature alone; T_onset and T_tr at each
    criterion must agree within 1 degC (the issue's tolerance).
    """
    sim, path = simulated
    rec = read_arc(path)
    assert rec.simulated
    result = analyse_arc(rec, criteria=CRITERIA, use_flag=use_flag)
    assert result.segmentation.source == ("flag" if use_flag else "inferred")
    assert sim.first_detection_c is not None
    assert result.onset_c == pytest.approx(sim.first_detection_c, abs=1.0)
    for rate in CRITERIA:
        truth = sim.truth_for(rate)
        found = result.tr_at(rate)
        if truth.observable_c is None:
            assert found.temperature_c is None
        else:
            assert found.temperature_c == pytest.approx(truth.observable_c, abs=1.0), rate
            assert found.at_detection == truth.at_detection


def test_criterion_dependence_on_one_run(tmp_path: Path) -> None:
    """Truth: the Kim model's own crossings; the criterion alone moves T_tr by > 100 degC.

    T_tr at 0.03 degC/min (the detection threshold: reached at the detection), at the
    seed's 1 degC/min and at Feng's 1 degC/s, from one simulated run.
    """
    sim = simulate_hws(kim2007_18650())
    rec = read_arc(sim.write_csv(tmp_path / "kim.csv"))
    result = analyse_arc(rec, criteria=["1C/min", "0.03C/min", "1C/s"])
    t_slow = result.tr_at(0.03).temperature_c
    t_seed = result.tr_at("1 °C/min").temperature_c
    t_feng = result.tr_at("1C/s").temperature_c
    assert t_slow is not None
    assert t_seed is not None
    assert t_feng is not None
    assert t_slow < t_seed < t_feng
    assert t_slow == pytest.approx(result.onset_c)
    assert t_seed == pytest.approx(sim.truth_for(1.0).observable_c, abs=1.0)
    assert t_feng == pytest.approx(sim.truth_for(60.0).observable_c, abs=1.0)
    assert t_feng - t_seed > 40.0
    assert result.t_tr_c == t_seed  # the first criterion is the main one
    text = str(result)
    for label in ("T_tr (1 degC/min)", "T_tr (0.03 degC/min)", "T_tr (1 degC/s)"):
        assert label in text
    assert "already exceeded at detection" in text


def test_a_run_without_exotherm_is_a_result_not_an_error(tmp_path: Path) -> None:
    """Truth: a staircase with no self-heating at all (generated in the test)."""
    t, temp, mode = staircase()
    for with_flag in (True, False):
        path = write_arc_csv(
            tmp_path / f"flat{with_flag}.csv", t, temp, mode if with_flag else None
        )
        result = analyse_arc(read_arc(path))
        assert not result.detected
        assert result.onset_c is None
        assert result.t_tr_c is None
        assert result.message == (
            "no self-heating detected up to 250.0 degC (detection threshold 0.03 degC/min)"
        )
        assert result.message in str(result)
        assert result.to_dict()["detected"] is False


def test_a_simulated_inert_cell_gives_no_self_heating(tmp_path: Path) -> None:
    """Truth: a model whose reactions hold no reactant cannot heat itself."""
    kim = kim2007_18650()
    inert = replace(kim, reactions=tuple(replace(r, w_g_m3=0.0) for r in kim.reactions))
    rec = read_arc(simulate_hws(inert).write_csv(tmp_path / "inert.csv"))
    result = analyse_arc(rec, use_flag=False)
    assert not result.detected
    assert "no self-heating detected up to 250.0 degC" in result.message


def test_inferred_modes_agree_with_the_flag(simulated: tuple[HwsSimulation, Path]) -> None:
    """Truth: the simulated controller's own mode column."""
    _, path = simulated
    rec = read_arc(path)
    flagged = segment_arc(rec).mode
    inferred = segment_arc(rec, use_flag=False).mode
    assert np.mean(flagged == inferred) > 0.97
    # every exotherm row of the instrument is found as exotherm
    assert np.mean(inferred[flagged == "exotherm"] == "exotherm") > 0.99


def _analytic_run(tmp_path: Path, ea: float = 1.2e5) -> tuple[ArcRecording, float, float]:
    """Build a wait at 100 degC, then an exact zero-order exotherm from 100 to 170 degC."""
    rate_100 = 0.05 / 60.0  # K/s at 100 degC
    b = rate_100 * math.exp(ea / (GAS_CONSTANT * 373.15))
    t_exo, temp_exo = zero_order_exotherm(b_per_s=b, ea_j_mol=ea, start_c=100.0, stop_c=170.0)
    pick = np.unique(np.concatenate((np.arange(0, t_exo.size, 20), [t_exo.size - 1])))
    t_wait = np.arange(0.0, 1800.0, 60.0)
    t = np.concatenate((t_wait, 1800.0 + t_exo[pick]))
    temp = np.concatenate((np.full(t_wait.size, 100.0), temp_exo[pick]))
    mode = np.array(["wait"] * t_wait.size + ["exotherm"] * pick.size)
    path = write_arc_csv(tmp_path / "zero_order.csv", t, temp, mode)
    return read_arc(path), b, ea


def test_arrhenius_fit_recovers_a_zero_order_activation_energy(tmp_path: Path) -> None:
    """Truth: dT/dt = B exp(-Ea/RT) built analytically (Ea = 120 kJ/mol).

    Also T_tr at 1 degC/min is where B exp(-Ea/RT) = 1/60 K/s, i.e. T = Ea / (R ln(60 B)).
    """
    rec, b, ea = _analytic_run(tmp_path)
    result = analyse_arc(rec, arrhenius_window_c=(101.0, 160.0))
    assert result.onset_c == pytest.approx(100.0)
    fit = result.arrhenius
    assert fit is not None
    assert fit.ea_j_mol == pytest.approx(ea, rel=5e-3)
    assert fit.ln_a_dtad == pytest.approx(math.log(b), abs=0.1)
    assert fit.r_squared > 0.9999
    t_tr = ea / (GAS_CONSTANT * math.log(60.0 * b)) - 273.15
    assert result.t_tr_c == pytest.approx(t_tr, abs=0.1)
    assert result.t_max_c == pytest.approx(170.0)
    assert result.adiabatic_rise_c == pytest.approx(70.0)
    # max SHR at the top: B exp(-Ea / R 443.15) in degC/min
    top = b * math.exp(-ea / (GAS_CONSTANT * 443.15)) * 60.0
    assert result.max_shr_c_min == pytest.approx(top, rel=0.01)
    assert result.time_to_max_rate_s == pytest.approx(rec.time_s[-1] - 1800.0, rel=1e-3)


def test_phi_factor_corrects_the_adiabatic_rise_and_is_stated(tmp_path: Path) -> None:
    """Truth: phi multiplies the observed rise (METHODS.md, phi-factor)."""
    rec, _, _ = _analytic_run(tmp_path)
    plain = analyse_arc(rec)
    corrected = analyse_arc(rec, phi=1.25)
    assert corrected.adiabatic_rise_corrected_c == pytest.approx(1.25 * plain.adiabatic_rise_c)
    assert corrected.t_max_corrected_c == pytest.approx(100.0 + 1.25 * 70.0)
    assert corrected.onset_c == plain.onset_c
    assert corrected.t_tr_c == plain.t_tr_c
    assert "phi = 1.25" in str(corrected)
    assert "phi = 1 " in str(plain)
    with pytest.raises(ThermalError, match="phi must be >= 1"):
        analyse_arc(rec, phi=0.9)


def test_a_pressure_column_is_read_with_its_unit(tmp_path: Path) -> None:
    t, temp, mode = staircase(end_c=60.0)
    pressure_psi = np.linspace(14.5, 29.0, t.size)
    path = tmp_path / "p.csv"
    write_arc_csv(path, t, temp, mode, pressure_bar=pressure_psi)
    text = path.read_text().replace("Pressure / bar", "Pressure (psi)")
    path.write_text(text)
    result = analyse_arc(read_arc(path))
    assert result.max_pressure_bar == pytest.approx(29.0 * 0.06894757293168, rel=1e-4)


def test_headers_in_minutes_and_kelvin_and_an_excel_export(tmp_path: Path) -> None:
    """Truth: the same staircase in other units and in a workbook reads back identically."""
    openpyxl = pytest.importorskip("openpyxl")
    t, temp, mode = staircase(end_c=70.0)
    path = write_arc_csv(
        tmp_path / "k.csv",
        t / 60.0,
        temp + 273.15,
        mode,
        time_header="Time (min)",
        temperature_header="Temp [K]",
    )
    rec = read_arc(path)
    assert np.allclose(rec.time_s, t, atol=1e-9)
    assert np.allclose(rec.temperature_c, temp, atol=1e-5)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ARC run exported by the instrument"])
    sheet.append(["t/s", "Tc/°C", "Jacket/°C", "State"])
    for row in zip(t.tolist(), temp.tolist(), temp.tolist(), mode.tolist(), strict=True):
        sheet.append(list(row))
    book.save(tmp_path / "run.xlsx")
    rec = read_arc(tmp_path / "run.xlsx", columns={"time": "t/s", "temperature": "Tc/°C"})
    assert np.allclose(rec.temperature_c, temp)
    assert rec.jacket_c is not None
    assert rec.mode is not None
    assert rec.columns["mode"] == "State"


def test_file_without_a_temperature_column_gets_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "no_temp.csv"
    path.write_text("Time / s,Jacket temperature / degC\n0,40\n30,40.1\n")
    with pytest.raises(ColumnMappingError, match="sample temperature") as info:
        read_arc(path)
    assert isinstance(info.value, ElyteError)
    assert info.value.path == path
    assert "Time / s" in str(info.value)
    with pytest.raises(ColumnMappingError, match="'Tc' mapped to 'temperature' is not in"):
        read_arc(path, columns={"temperature": "Tc"})


def test_non_monotonic_time_gets_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "back.csv"
    path.write_text("Time / s,Temperature / degC\n0,40\n30,40.1\n20,40.2\n60,40.3\n")
    with pytest.raises(ReaderError, match=r"time is not monotonic: line 4 has 20 s after 30 s"):
        read_arc(path)


def test_other_bad_inputs_name_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Time,Temperature / degC\n0,40\n30,40.1\n")
    with pytest.raises(ColumnMappingError, match="no unit"):
        read_arc(path)
    assert read_arc(path, units={"time": "s"}).time_s[-1] == 30.0
    path.write_text("Time / s,Temperature / degC\n0,40\n30,hot\n")
    with pytest.raises(ReaderError, match="'hot' at line 3"):
        read_arc(path)
    path.write_text("Time / s,Temperature / degC,Mode\n0,40,wait\n30,40.1,boil\n")
    with pytest.raises(ReaderError, match="unknown mode word"):
        read_arc(path)
    assert read_arc(path, mode_labels={"boil": "exotherm"}).mode is not None
    path.write_text("Time / s,Temperature / V\n0,40\n30,40.1\n")
    with pytest.raises(ColumnMappingError, match="has unit 'V'"):
        read_arc(path)
    path.write_text("Time / s,Temperature / degC\n0,40\n0,40\n30,40.1\n")
    assert "repeating the previous time" in " ".join(read_arc(path).notes)
    with pytest.raises(ElyteError, match="no such file"):
        read_arc(tmp_path / "missing.csv")
    path.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(ReaderError):
        read_arc(path)


def test_recordings_built_in_memory_are_checked() -> None:
    with pytest.raises(ThermalError, match="not increasing at row 2"):
        ArcRecording(np.array([0.0, 1.0, 1.0]), np.array([40.0, 41.0, 42.0]))
    with pytest.raises(ThermalError, match="unknown modes"):
        ArcRecording(np.array([0.0, 1.0]), np.array([40.0, 41.0]), mode=np.array(["wait", "x"]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (1.0, 1.0),
        ("1C/min", 1.0),
        ("1 °C/min", 1.0),
        ("0.03 degC/min", 0.03),
        ("1C/s", 60.0),
        ("1 °C s-1", 60.0),
        ("60 K/min", 60.0),
        ("0.48", 0.48),
        ("120C/h", 2.0),
    ],
)
def test_parse_rate(text: float | str, expected: float) -> None:
    assert parse_rate(text) == pytest.approx(expected)


@pytest.mark.parametrize("bad", ["fast", "-1C/min", 0.0, "1 V/s"])
def test_parse_rate_refuses_nonsense(bad: float | str) -> None:
    with pytest.raises(ThermalError):
        parse_rate(bad)


def test_noisy_fast_logged_export_without_flag() -> None:
    """Truth: the Kim model's own detection and crossings, as in the round trip.

    The simulated run is resampled every 5 s (plus its own rows) with 0.01 degC of Gaussian
    noise on the temperature (a thermocouple's resolution) and no mode column.
    """
    sim = simulate_hws(kim2007_18650())
    t = np.union1d(sim.time_s, np.arange(0.0, sim.time_s[-1], 5.0))
    temp = np.interp(t, sim.time_s, sim.temperature_c)
    temp += np.random.default_rng(1).normal(0.0, 0.01, temp.size)
    result = analyse_arc(ArcRecording(t, temp), criteria=[1.0, 60.0])
    assert result.segmentation.source == "inferred"
    assert result.onset_c == pytest.approx(sim.first_detection_c, abs=1.0)
    assert result.tr_at(1.0).temperature_c == pytest.approx(
        sim.truth_for(1.0).observable_c, abs=1.0
    )
    assert result.tr_at(60.0).temperature_c == pytest.approx(
        sim.truth_for(60.0).observable_c, abs=1.0
    )


def test_an_exotherm_detected_on_the_last_row_is_reported_without_rates() -> None:
    """Truth: a one-row exotherm has an onset but no self-heating rate to speak of."""
    mode = np.array(["wait", "wait", "search", "search", "exotherm"])
    rec = ArcRecording(np.arange(5.0) * 60.0, np.array([40.0, 40.0, 40.0, 40.0, 40.1]), mode=mode)
    result = analyse_arc(rec)
    assert result.onset_c == pytest.approx(40.1)
    assert result.t_tr_c is None
    assert result.max_shr_c_min is None
    assert "no self-heating rate (too little rise)" in str(result)
    assert "max SHR - degC/min" in str(result)
