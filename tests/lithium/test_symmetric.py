"""Li‖Li symmetric cycling: overpotentials, hysteresis, noise, shorts and capacity.

How the truth is made (:func:`li_li`): the seed's Fig. S14a protocol, 0.5 mA/cm² for
1 mAh/cm² per half-cycle (2 h) on a 2 cm² electrode (I = 1 mA), the cell starting with a
plating (negative current). Half-cycle ``h`` (1-based) has a plateau overpotential
``p_h = 30 mV + 1 mV·(h - 1)`` (linear growth: 0.5 mV/h), a peak ``+40 mV`` at its first
row decaying with a 60 s time constant, and a step of ``+10 mV`` over its last 10 %
(the end-of-step rise). The voltage is ``sign(I)·η`` plus optional Gaussian noise.
Consecutive half-cycles share their boundary time stamp (two rows with the same time, as an
instrument records a current step), so the trapezoid integral of ``|I|`` is exactly
``|I|·2 h`` = 1 mAh/cm² per half-cycle. A hard short replaces the voltage from a known time
on by ``sign(I)·0.5 mV`` (a 0.5 Ω short); a soft short replaces the polarisation from a
known half-cycle on by 30 % of its plateau with six times the noise.

So: plateau = ``p_h``, peak = ``p_h + 40 mV`` at the half-cycle's start, end =
``p_h + 10 mV``, hysteresis of cycle c = ``p_{2c-1} + p_{2c}``, noise = the generated sigma,
cumulative capacity = number of half-cycles x 1 mAh/cm², all without fitting anything.
"""

from __future__ import annotations

import json
import math

import numpy as np
import polars as pl
import pytest

import elyte
from elyte.cycling import CyclingDataError
from elyte.errors import ProtocolError
from elyte.lithium.symmetric import (
    HALF_CYCLE_UNITS,
    SymmetricCellError,
    SymmetricResult,
    analyse_symmetric,
)
from elyte.recording import Recording, RecordingMeta
from tests.conftest import shared_file

AREA = 2.0  # cm2
J = 0.5  # mA/cm2
CAP = 1.0  # mAh/cm2 per half-cycle
T_HALF = CAP / J * 3600.0  # 7200 s
ETA0, GROWTH, PEAK, TAU, END_STEP = 0.030, 0.001, 0.040, 60.0, 0.010


def plateau(h: int) -> float:
    """Return the generated plateau overpotential of half-cycle h (1-based), V."""
    return ETA0 + GROWTH * (h - 1)


def li_li(
    n_half: int = 20,
    *,
    dt: float = 10.0,
    noise: float = 0.0,
    seed: int = 1,
    hard_at: float | None = None,
    hard_until: float | None = None,
    soft_from: int | None = None,
    noisy_from: int | None = None,
    first: int = -1,
    rest_s: float = 0.0,
    offset_v: float = 0.0,
    vendor_columns: bool = False,
) -> Recording:
    """Generate the recording described in the module docstring."""
    rng = np.random.default_rng(seed)
    current = J * AREA / 1000.0
    n = round(T_HALF / dt)
    times, volts, currents = [], [], []
    start = 0.0
    for h in range(1, n_half + 1):
        sign = float(first) if h % 2 else float(-first)
        tau = np.arange(n + 1) * dt
        f = tau / T_HALF
        eta = plateau(h) + PEAK * np.exp(-tau / TAU) + np.where(f > 0.9, END_STEP, 0.0)
        sigma = noise
        if soft_from is not None and h >= soft_from:
            eta, sigma = 0.3 * plateau(h) + 0.0 * f, 6 * noise
        if noisy_from is not None and h >= noisy_from:
            sigma = 10 * noise
        t = start + tau
        v = sign * eta + offset_v + (rng.normal(0.0, sigma, tau.size) if sigma else 0.0)
        if hard_at is not None:
            gone = (t >= hard_at) & (t < (hard_until if hard_until is not None else np.inf))
            v = np.where(gone, sign * 0.0005, v)
        times.append(t)
        volts.append(v)
        currents.append(np.full(tau.size, sign * current))
        start = t[-1]
        if rest_s:
            rest_t = start + np.arange(1, 11) * rest_s / 10
            times.append(rest_t)
            volts.append(np.full(10, offset_v))
            currents.append(np.zeros(10))
            start = rest_t[-1]
    frame = pl.DataFrame(
        {
            "test_time_second": np.concatenate(times),
            "voltage_volt": np.concatenate(volts),
            "current_ampere": np.concatenate(currents),
        }
    )
    if vendor_columns:
        # exact cumulative counters: |I|·dt summed over the intervals of each sign
        t = frame["test_time_second"].to_numpy()
        i = frame["current_ampere"].to_numpy()
        dq = np.concatenate([[0.0], np.diff(t)]) * i / 3600.0
        frame = frame.with_columns(
            pl.Series("charging_capacity_ah", np.cumsum(np.where(i > 0, dq, 0.0))),
            pl.Series("discharging_capacity_ah", np.cumsum(np.where(i < 0, -dq, 0.0))),
        )
    return Recording(frame, RecordingMeta(instrument="simulated", format="none", simulated=True))


# --------------------------------------------------------------------------- exact
@pytest.mark.parametrize("dt", [10.0, 120.0])
def test_noise_free_values_are_exact(dt: float) -> None:
    """Every per-half-cycle quantity equals its generated value (also at 2 min sampling)."""
    res = analyse_symmetric(li_li(dt=dt), area_cm2=AREA)
    hc = res.half_cycles
    assert hc.height == 20
    assert res.cycles.height == 10
    truth = np.array([plateau(h) for h in range(1, 21)])
    np.testing.assert_allclose(hc["plateau_overpotential_v"], truth, rtol=0, atol=1e-12)
    np.testing.assert_allclose(hc["peak_overpotential_v"], truth + PEAK, rtol=0, atol=1e-12)
    np.testing.assert_allclose(hc["end_overpotential_v"], truth + END_STEP, rtol=0, atol=1e-12)
    np.testing.assert_allclose(hc["peak_time_s"], np.arange(20) * T_HALF, rtol=0, atol=1e-9)
    np.testing.assert_allclose(hc["noise_v"], 0.0, atol=1e-15)
    assert hc["process"].to_list() == ["plating", "stripping"] * 10
    signs = np.array([-1.0, 1.0] * 10)
    np.testing.assert_allclose(hc["plateau_voltage_v"], signs * truth, atol=1e-12)
    np.testing.assert_allclose(hc["capacity_mah_cm2"], CAP, rtol=1e-12)
    np.testing.assert_allclose(
        hc["cumulative_capacity_mah_cm2"], np.arange(1, 21) * CAP, rtol=1e-12
    )
    np.testing.assert_allclose(hc["current_density_ma_cm2"], J, rtol=1e-12)
    assert res.cumulative_capacity_mah_cm2 == pytest.approx(20 * CAP, rel=1e-12)
    assert res.current_density_ma_cm2 == pytest.approx(J, rel=1e-12)
    assert res.areal_capacity_mah_cm2 == pytest.approx(CAP, rel=1e-12)
    assert res.duration_h == pytest.approx(40.0, rel=1e-12)
    # hysteresis of cycle c = p(2c-1) + p(2c); plating first, so cycle 1 = half-cycles 1, 2
    cycles = res.cycles
    assert cycles["cycle"].to_list() == list(range(1, 11))
    np.testing.assert_allclose(
        cycles["hysteresis_v"],
        [plateau(2 * c - 1) + plateau(2 * c) for c in range(1, 11)],
        atol=1e-12,
    )
    np.testing.assert_allclose(cycles["plating_overpotential_v"], truth[0::2], atol=1e-12)
    np.testing.assert_allclose(cycles["stripping_overpotential_v"], truth[1::2], atol=1e-12)
    # 1 mV per 2 h half-cycle
    assert res.plateau_growth_mv_per_h == pytest.approx(0.5, rel=1e-9)
    assert not res.hard_short.detected
    assert not res.soft_short.detected
    assert res.failure is None


@pytest.mark.parametrize("seed", range(3))
def test_noisy_values_within_tolerance(seed: int) -> None:
    """Noisy recordings give the generated values within stated tolerances.

    Noise sigma = 0.5 mV. Tolerances: plateau (median of 361 points) 0.2 mV; peak (max of
    the first quarter, the first point 6 mV above the next) 3 sigma; end (median of 37
    points) 0.5 mV; noise estimate within 15 % of sigma; growth within 2 %.
    """
    sigma = 0.0005
    res = analyse_symmetric(li_li(noise=sigma, seed=seed), area_cm2=AREA)
    hc = res.half_cycles
    truth = np.array([plateau(h) for h in range(1, 21)])
    np.testing.assert_allclose(hc["plateau_overpotential_v"], truth, atol=2e-4)
    np.testing.assert_allclose(hc["peak_overpotential_v"], truth + PEAK, atol=3 * sigma)
    np.testing.assert_allclose(hc["end_overpotential_v"], truth + END_STEP, atol=5e-4)
    np.testing.assert_allclose(hc["noise_v"], sigma, rtol=0.15)
    assert res.plateau_growth_mv_per_h == pytest.approx(0.5, rel=0.02)
    assert not res.hard_short.detected
    assert not res.soft_short.detected


# --------------------------------------------------------------------------- shorts
def test_hard_short_at_known_time() -> None:
    """A hard short is found at its generated time, half-cycle and cycle.

    Collapse to 0.5 mV from t = 15.5 x 2 h = 31 h (half-cycle 16, cycle 8) on: the first
    row at or after that time is a sample (every 10 s), so the time is exact.
    """
    t_short = 15.5 * T_HALF
    res = analyse_symmetric(li_li(noise=0.0005, hard_at=t_short), area_cm2=AREA)
    hard = res.hard_short
    assert hard.detected
    assert hard.time_s == pytest.approx(t_short, abs=1e-9)
    assert hard.half_cycle == 16
    assert hard.cycle == 8
    assert not res.soft_short.detected
    assert "hard short" in res.soft_short.reason
    assert res.failure is hard
    # the growth fit uses only the half-cycles that ended before the short
    assert res.plateau_growth_mv_per_h == pytest.approx(0.5, rel=0.02)


def test_brief_collapse_is_not_a_hard_short() -> None:
    """A collapse shorter than hard_short_min_s is not a hard short.

    A collapse lasting 300 s (rows from t0 to t0 + 290 s) is below the default 600 s and
    is ignored; with hard_short_min_s = 200 it is the short, at t0.
    """
    t0 = 5.5 * T_HALF
    rec = li_li(hard_at=t0, hard_until=t0 + 300.0)
    res = analyse_symmetric(rec, area_cm2=AREA)
    assert not res.hard_short.detected
    assert "longest 290 s" in res.hard_short.reason
    strict = analyse_symmetric(rec, area_cm2=AREA, hard_short_min_s=200.0)
    assert strict.hard_short.detected
    assert strict.hard_short.time_s == pytest.approx(t0)
    assert strict.hard_short.half_cycle == 6
    assert strict.hard_short.cycle == 3


def test_soft_short_at_known_half_cycle() -> None:
    """A soft short is found at its generated half-cycle and time.

    Polarisation collapses to 30 % (with 6x noise) from half-cycle 13 (cycle 7) on: the
    soft short is half-cycle 13, at its first row, t = 12 x 2 h = 24 h.
    """
    res = analyse_symmetric(li_li(noise=0.0005, soft_from=13), area_cm2=AREA)
    soft = res.soft_short
    assert soft.detected
    assert soft.half_cycle == 13
    assert soft.cycle == 7
    assert soft.time_s == pytest.approx(12 * T_HALF, abs=1e-9)
    assert "overpotential" in soft.reason
    assert not res.hard_short.detected
    flags = res.half_cycles["soft_short_flag"].to_list()
    assert flags[:12] == [None] * 12
    assert flags[12] == "overpotential drop"
    assert res.failure is soft


def test_noise_rise_alone_is_a_soft_short() -> None:
    """A rise of the noise alone is a soft short.

    Polarisation intact but noise x10 from half-cycle 11 on (0.5 -> 5 mV): flagged as a
    noise rise at half-cycle 11, timed at its start (20 h).
    """
    res = analyse_symmetric(li_li(noise=0.0005, noisy_from=11), area_cm2=AREA)
    soft = res.soft_short
    assert soft.detected
    assert soft.half_cycle == 11
    assert soft.cycle == 6
    assert soft.time_s == pytest.approx(10 * T_HALF)
    assert "noise" in soft.reason
    assert res.half_cycles["soft_short_flag"][10] == "noise rise"


# --------------------------------------------------------------------------- layouts
def test_rests_vendor_columns_and_a_leading_stripping() -> None:
    """Rests, vendor counters and a leading stripping keep the capacity exact.

    Rests of 10 min between half-cycles, vendor cumulative counters, and a cell that starts
    with a stripping (cycle 0): the capacity is still exactly 1 mAh/cm2 per half-cycle.
    """
    res = analyse_symmetric(
        li_li(n_half=9, rest_s=600.0, first=+1, vendor_columns=True), area_cm2=AREA
    )
    hc = res.half_cycles
    assert hc["process"].to_list() == ["stripping"] + ["plating", "stripping"] * 4
    assert hc["cycle"].to_list() == [0, 1, 1, 2, 2, 3, 3, 4, 4]
    np.testing.assert_allclose(hc["capacity_mah_cm2"], CAP, rtol=1e-12)
    assert res.cumulative_capacity_mah_cm2 == pytest.approx(9 * CAP, rel=1e-12)
    np.testing.assert_allclose(
        hc["plateau_overpotential_v"], [plateau(h) for h in range(1, 10)], atol=1e-12
    )
    assert any("cycle 0" in n for n in res.notes)
    assert res.parameters["capacity_basis"] == "auto"


def test_small_offset_is_tolerated_and_large_one_refused() -> None:
    """A small voltage offset is tolerated, a large one refused.

    A 20 mV offset (reference mismatch) is accepted and splits the plateau voltages
    symmetrically; a cell at 3.7 V (two different electrodes) is refused.
    """
    res = analyse_symmetric(li_li(n_half=8, offset_v=0.02), area_cm2=AREA)
    hc = res.half_cycles
    np.testing.assert_allclose(
        hc["plateau_voltage_v"],
        [0.02 + s * plateau(h) for h, s in zip(range(1, 9), [-1, 1] * 4, strict=True)],
        atol=1e-12,
    )
    with pytest.raises(SymmetricCellError, match="does not centre on 0 V"):
        analyse_symmetric(li_li(n_half=8, offset_v=3.7), area_cm2=AREA)


def test_voltage_against_the_current_is_refused() -> None:
    """A voltage of the opposite sign of the current is refused.

    A recording whose voltage has the opposite sign of the current is not a symmetric cell
    seen from its working electrode (leads swapped or a mislabelled current).
    """
    rec = li_li(n_half=6)
    swapped = Recording(rec.data.with_columns(-pl.col("voltage_volt")), rec.meta)
    with pytest.raises(SymmetricCellError, match="does not follow the current"):
        analyse_symmetric(swapped, area_cm2=AREA)


def test_result_serialises() -> None:
    """The result serialises to JSON and prints its criteria.

    To_dict() is plain JSON with units, both shorts and both tables; str() gives the
    criteria.
    """
    res = analyse_symmetric(li_li(n_half=10, hard_at=7.5 * T_HALF), area_cm2=AREA)
    data = json.loads(json.dumps(res.to_dict()))
    assert data["hard_short"]["detected"] is True
    assert data["hard_short"]["time_h"] == pytest.approx(15.0)
    assert data["soft_short"]["detected"] is False
    assert data["units"]["plateau_overpotential_v"] == "V"
    assert data["units"]["cumulative_capacity_mah_cm2"] == "mAh/cm2"
    assert len(data["half_cycles"]) == 10
    assert len(data["cycles"]) == 5
    assert set(data["half_cycles"][0]) == set(HALF_CYCLE_UNITS)
    text = str(res)
    assert "hard short at 15.00 h (cycle 4, half-cycle 8)" in text
    assert "|V| < 2 mV for >= 600 s" in text
    assert isinstance(res, SymmetricResult)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"area_cm2": 0.0}, "area_cm2"),
        ({"area_cm2": AREA, "plateau_window": (0.8, 0.2)}, "plateau_window"),
        ({"area_cm2": AREA, "peak_window": 1.5}, "peak_window"),
        ({"area_cm2": AREA, "soft_short_drop": 0.0}, "soft_short_drop"),
        ({"area_cm2": AREA, "baseline_half_cycles": 0}, "baseline_half_cycles"),
        ({"area_cm2": AREA, "hard_short_v": -1.0}, "hard_short_v"),
    ],
)
def test_bad_parameters(kwargs: dict[str, object], match: str) -> None:
    """Out-of-range parameters raise CyclingDataError naming the parameter."""
    with pytest.raises(CyclingDataError, match=match):
        analyse_symmetric(li_li(n_half=4), **kwargs)  # type: ignore[arg-type]


def test_missing_columns_and_one_direction_only() -> None:
    """No current column: CyclingDataError; only platings: a ProtocolError saying so."""
    meta = RecordingMeta(instrument="x", format="none")
    with pytest.raises(CyclingDataError, match="current_ampere"):
        analyse_symmetric(
            Recording(pl.DataFrame({"test_time_second": [0.0], "voltage_volt": [0.0]}), meta),
            area_cm2=1.0,
        )
    rec = li_li(n_half=1)
    with pytest.raises(ProtocolError, match=r"1 plating .* and 0 stripping"):
        analyse_symmetric(rec, area_cm2=AREA)


# --------------------------------------------------------------------------- real files
@pytest.mark.realdata
@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("ca.mpr", "0 plating .* and 1 stripping"),
        ("cp.mpr", "1 plating .* and 0 stripping"),
        ("gcpl.issue_149.mpr", "does not centre on 0 V"),
        ("jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr", "does not centre on 0 V"),
        ("gcpl.issue_211.mpr", "does not follow the current"),
        ("lsv.mpr", "not a galvanostatic plating/stripping test"),
    ],
)
def test_real_files_that_are_not_symmetric_cells(name: str, match: str) -> None:
    """Real EC-Lab files that are not symmetric-cell tests are refused.

    The EC-Lab CA, CP, LSV and GCPL files are not Li‖Li cycling tests (PROVENANCE.md: a
    chronoamperometry, a single-current chronopotentiometry, a cathodic LSV, cathode-type
    cells near 3 V, and a polymer/activated-carbon cell cycled between -0.6 and 0.5 V whose
    voltage does not change sign with the current). Each is refused with a ProtocolError
    saying what was found, never analysed into overpotentials.
    """
    rec = elyte.read(shared_file("biologic", name))
    with pytest.raises(SymmetricCellError, match=match) as info:
        analyse_symmetric(rec, area_cm2=1.0)
    assert isinstance(info.value, ProtocolError)
    assert isinstance(info.value, CyclingDataError)
    assert str(info.value).startswith(str(rec.meta.source_path))


@pytest.mark.realdata
def test_real_file_without_current() -> None:
    """The OCV file has no current column: a CyclingDataError naming it."""
    rec = elyte.read(shared_file("biologic", "ocv.mpr"))
    with pytest.raises(CyclingDataError, match="current_ampere"):
        analyse_symmetric(rec, area_cm2=1.0)


def test_large_recording_is_fast() -> None:
    """300 half-cycles at 1 s sampling (2.2 million rows) are analysed in a few seconds."""
    import time

    rec = li_li(n_half=300, dt=1.0, noise=0.0005)
    start = time.perf_counter()
    res = analyse_symmetric(rec, area_cm2=AREA)
    elapsed = time.perf_counter() - start
    assert res.half_cycles.height == 300
    assert res.cumulative_capacity_mah_cm2 == pytest.approx(300 * CAP, rel=1e-9)
    assert elapsed < 30.0, elapsed
    assert math.isfinite(res.plateau_growth_mv_per_h or math.nan)


# --------------------------------------------------------------------------- plot
def test_plot_envelope_matches_the_table(tmp_path: object) -> None:
    """The plotted envelope equals the table's values.

    The plateau markers and peaks drawn are the table's values; the short is a vertical
    line at its time; the figure saves as PNG.
    """
    pytest.importorskip("matplotlib")
    from elyte.cycling.plots import save_figure
    from elyte.lithium.symmetric_plots import plot_symmetric

    rec = li_li(n_half=12, noise=0.0005, soft_from=9)
    res = analyse_symmetric(rec, area_cm2=AREA)
    fig = plot_symmetric(rec, res)
    (ax,) = fig.axes
    lines = {line.get_gid(): line for line in ax.get_lines()}
    hc = res.half_cycles
    strip = hc.filter(pl.col("process") == "stripping")
    plate = hc.filter(pl.col("process") == "plating")
    np.testing.assert_allclose(lines["plateau-stripping"].get_ydata(), strip["plateau_voltage_v"])
    np.testing.assert_allclose(
        lines["plateau-stripping"].get_xdata(), strip["plateau_time_s"] / 3600.0
    )
    np.testing.assert_allclose(lines["plateau-plating"].get_ydata(), plate["plateau_voltage_v"])
    np.testing.assert_allclose(lines["peak-plating"].get_ydata(), -plate["peak_overpotential_v"])
    np.testing.assert_allclose(lines["soft-short"].get_xdata(), [8 * T_HALF / 3600.0] * 2)
    assert "hard-short" not in lines
    assert len(lines["voltage"].get_xdata()) == rec.data.height
    assert ax.get_xlabel() == "Time (h)"
    assert ax.get_ylabel() == "Voltage (V)"
    path = save_figure(fig, tmp_path / "li_li.png")  # type: ignore[operator]
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_thinning_keeps_spikes() -> None:
    """Thinning a long trace to ~1000 points keeps a one-row spike (bin min/max)."""
    pytest.importorskip("matplotlib")
    from elyte.lithium.symmetric_plots import plot_symmetric

    rec = li_li(n_half=4, dt=1.0)
    spike_row = 10_000
    frame = rec.data.with_columns(
        pl.when(pl.int_range(pl.len()) == spike_row)
        .then(0.5)
        .otherwise(pl.col("voltage_volt"))
        .alias("voltage_volt")
    )
    spiked = Recording(frame, rec.meta)
    res = analyse_symmetric(spiked, area_cm2=AREA)
    fig = plot_symmetric(spiked, res, max_points=1000, envelope=False, peaks=False)
    (line,) = [ln for ln in fig.axes[0].get_lines() if ln.get_gid() == "voltage"]
    assert len(line.get_xdata()) <= 1000
    assert max(line.get_ydata()) == pytest.approx(0.5)
    with pytest.raises(CyclingDataError, match="time_unit"):
        plot_symmetric(spiked, res, time_unit="d")  # type: ignore[arg-type]
