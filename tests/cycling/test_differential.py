"""dQ/dV and dV/dQ against closed-form answers, on clean, noisy and reversing series.

Golden values: an analytic half-cycle with ``Q(V) = Q0 (1 + tanh((V - V0)/w)) / 2``, so
``dQ/dV = Q0 / (2w) sech²((V - V0)/w)`` and ``dV/dQ = 1 / (dQ/dV)`` at ``V(Q) = V0 + w
artanh(2Q/Q0 - 1)``; the series is sampled at constant current, so the integrated capacity
is exact. The CC-CV profiles of :mod:`tests.cycling` (V linear in time at constant current)
have a constant dQ/dV = Q_cc / ΔV and a CV charge known in closed form. Each test says
which it uses; the real-file test checks internal consistency only (its docstring says so).
"""

from __future__ import annotations

import json
import math

import numpy as np
import polars as pl
import pytest

from elyte.cycling import CellSpec, CyclingDataError, label_cycles
from elyte.cycling.differential import (
    DifferentialResult,
    differential_capacity,
    half_cycle_capacity,
)
from elyte.errors import MissingCellParameterError
from elyte.recording import Recording, RecordingMeta
from tests.conftest import shared_file
from tests.cycling import Segment, build, cccv_cycle

Q0 = 2e-3  # Ah
V0 = 3.7  # V
W = 0.02  # V
CURRENT = 1e-3  # A
PEAK = Q0 / (2 * W)  # Ah/V
EPS = 1e-3  # the series covers Q from EPS*Q0 to (1-EPS)*Q0


def v_of_q(q: np.ndarray) -> np.ndarray:
    """Inverse of Q(V) = Q0 (1 + tanh((V - V0)/W)) / 2."""
    return V0 + W * np.arctanh(2 * q / Q0 - 1)


def q_of_v(v: np.ndarray) -> np.ndarray:
    return Q0 * (1 + np.tanh((v - V0) / W)) / 2


def dqdv_exact(v: np.ndarray) -> np.ndarray:
    return PEAK / np.cosh((v - V0) / W) ** 2


def dvdq_exact(q_passed: np.ndarray, q_start: float) -> np.ndarray:
    """dV/dQ at a capacity passed since the start of the series (which began at q_start)."""
    return 1.0 / dqdv_exact(v_of_q(q_start + q_passed))


def tanh_recording(
    n: int = 2000,
    *,
    noise_v: float = 0.0,
    dips: tuple[float, ...] = (),
    dip_depth_v: float = 0.004,
    seed: int = 0,
    discharge: bool = True,
) -> tuple[Recording, np.ndarray]:
    """Charge (and then discharge) following the tanh Q(V) at constant current.

    The discharge retraces the same Q(V) backwards. ``dips`` are positions (fractions of
    Q0) where the voltage turns back by ``dip_depth_v`` while charge keeps flowing: a
    reversal of the voltage, as after a pause or a temperature change.
    """
    rng = np.random.default_rng(seed)
    q = np.linspace(EPS * Q0, (1 - EPS) * Q0, n)
    v = v_of_q(q)
    if noise_v:
        v = v + rng.normal(0.0, noise_v, n)
    for where in dips:
        v = v - dip_depth_v * np.exp(-0.5 * ((q / Q0 - where) / 0.004) ** 2)
    span = (q[-1] - q[0]) / CURRENT * 3600.0
    t = (q - q[0]) / CURRENT * 3600.0
    times, volts, currents = [t], [v], [np.full(n, CURRENT)]
    if discharge:
        times.append(span + t)  # same time stamp: the current steps, no rest rows
        volts.append(v[::-1].copy())
        currents.append(np.full(n, -CURRENT))
    frame = pl.DataFrame(
        {
            "test_time_second": np.concatenate(times),
            "voltage_volt": np.concatenate(volts),
            "current_ampere": np.concatenate(currents),
            "cycle_count": np.ones(sum(x.size for x in times), dtype=np.int64),
        }
    )
    rec = Recording(frame, RecordingMeta(instrument="generated", format="test", source_path="tanh"))
    return rec, q


# --------------------------------------------------------------------------- analytic
def test_histogram_is_the_exact_bin_average() -> None:
    """Without smoothing, every bin holds the analytic charge between its edges.

    Golden: Q(V) in closed form; the bin value must equal (Q(e_k+1) - Q(e_k)) / step with
    both edges clipped to the voltage range covered (2000 samples: the linear interpolation
    between samples is the only difference).
    """
    rec, q = tanh_recording(discharge=False)
    step = 0.001
    res = differential_capacity(
        rec, cycle_definition="vendor", smoothing="none", voltage_step_v=step
    )
    v, y = res.curve(1, "charge")
    lo, hi = v_of_q(q[0]), v_of_q(q[-1])
    left = np.clip(v - step / 2, lo, hi)
    right = np.clip(v + step / 2, lo, hi)
    wanted = (q_of_v(right) - q_of_v(left)) / step
    assert np.max(np.abs(y - wanted)) < 1e-3 * PEAK
    capacity = q[-1] - q[0]
    assert y.sum() * step == pytest.approx(capacity, rel=1e-12)
    row = res.half_cycles.row(0, named=True)
    assert row["binned_capacity_ah"] == pytest.approx(capacity, rel=1e-12)
    assert row["capacity_ah"] == pytest.approx(capacity, rel=1e-12)
    assert row["reversal_fraction"] == 0.0


@pytest.mark.parametrize("direction", ["charge", "discharge"])
def test_default_smoothing_recovers_peak_and_capacity(direction: str) -> None:
    """Default parameters: peak within one bin of V0, height within 3 %, area = capacity.

    Golden: dQ/dV = Q0/(2w) sech²((V-V0)/w); the discharge retraces Q(V) and has the same
    curve with a negative sign (the convention of the module).
    """
    rec, q = tanh_recording()
    res = differential_capacity(rec, cycle_definition="vendor", direction=direction)  # type: ignore[arg-type]
    sign = 1.0 if direction == "charge" else -1.0
    step = res.parameters["voltage_step_v"]
    row = res.half_cycles.row(0, named=True)
    assert row["direction"] == direction
    assert abs(row["peak_voltage_v"] - V0) <= step
    assert row["peak_dqdv_ah_v"] == pytest.approx(sign * PEAK, rel=0.03)
    v, y = res.curve(1, direction)  # type: ignore[arg-type]
    assert np.all(sign * y >= 0)
    # area under the smoothed curve = charge of the half-cycle (nothing leaks off the grid)
    assert abs(y.sum()) * step == pytest.approx(q[-1] - q[0], rel=1e-9)
    assert np.max(np.abs(y - sign * dqdv_exact(v))) < 0.03 * PEAK


@pytest.mark.parametrize("smoothing", ["gaussian", "savgol"])
def test_smoothing_conserves_area(smoothing: str) -> None:
    """Both filters keep the integral of dQ/dV equal to the charge binned.

    Golden: the analytic capacity of the series, q_end - q_start.
    """
    rec, q = tanh_recording(discharge=False, noise_v=5e-4)
    res = differential_capacity(rec, cycle_definition="vendor", smoothing=smoothing)  # type: ignore[arg-type]
    v, y = res.curve(1, "charge")
    raw = res.dqdv.get_column("dqdv_raw_ah_v").to_numpy()
    step = res.parameters["voltage_step_v"]
    assert y.sum() * step == pytest.approx(q[-1] - q[0], rel=1e-9)
    assert raw.sum() * step == pytest.approx(q[-1] - q[0], rel=1e-9)
    assert np.allclose(np.diff(v), step)
    assert np.max(np.abs(y - dqdv_exact(v))) < 0.05 * PEAK


def test_noisy_reversing_series_stays_on_the_analytic_curve() -> None:
    """Noise of 1 mV and three voltage reversals: ours stays within 8 % of the peak height.

    Golden: the analytic sech² curve. The naive derivative of the raw samples
    (np.gradient(Q) / np.gradient(V), what navani does) is computed on the same series and
    must explode (more than 20x the peak, and a sign flip at a third of the samples), so the
    test shows the failure it guards against.
    """
    rec, q = tanh_recording(noise_v=1e-3, dips=(0.3, 0.5, 0.7), seed=7, discharge=False)
    v_raw = rec.data.get_column("voltage_volt").to_numpy()
    naive = np.gradient(q) / np.gradient(v_raw)
    assert np.max(np.abs(naive)) > 20 * PEAK
    assert np.mean(naive < 0) > 0.3

    res = differential_capacity(rec, cycle_definition="vendor")
    v, y = res.curve(1, "charge")
    assert np.all(np.isfinite(y))
    assert np.all(y >= 0)
    assert np.max(np.abs(y - dqdv_exact(v))) < 0.08 * PEAK
    row = res.half_cycles.row(0, named=True)
    assert abs(row["peak_voltage_v"] - V0) < 0.004
    assert row["peak_dqdv_ah_v"] == pytest.approx(PEAK, rel=0.05)
    assert row["reversal_fraction"] > 0.3  # the diagnostic sees the non-monotonic series
    step = res.parameters["voltage_step_v"]
    assert y.sum() * step == pytest.approx(q[-1] - q[0], rel=1e-9)


def test_dvdq_clean_series() -> None:
    """dV/dQ of the clean series within 0.5 % (no smoothing) and 1.5 % (default Gaussian).

    Golden: dV/dQ = 1 / (dQ/dV) at V(Q), analytic. Compared between 5 % and 95 % (no
    smoothing) and 10 % and 90 % (Gaussian) of the capacity, away from the ends where
    dV/dQ diverges.
    """
    rec, q = tanh_recording(discharge=False)
    plain = differential_capacity(rec, cycle_definition="vendor", smoothing="none")
    x, y = plain.curve(1, "charge", kind="dvdq")
    mid = (x > 0.05 * Q0) & (x < 0.95 * Q0)
    wanted = dvdq_exact(x, q[0])
    assert np.max(np.abs(y[mid] - wanted[mid]) / wanted[mid]) < 0.005
    # the bin-mean voltage is the mean of V over the bin: (1/dq) * integral of V dQ, with
    # integral of artanh(u) du = u artanh(u) + ln(1 - u²) / 2 and u = 2Q/Q0 - 1
    vbar = plain.dvdq.get_column("voltage_v").to_numpy()
    step = plain.parameters["capacity_step_ah"]

    def v_integral(qq: np.ndarray) -> np.ndarray:
        u = 2 * qq / Q0 - 1
        return V0 * qq + W * Q0 / 2 * (u * np.arctanh(u) + 0.5 * np.log(1 - u * u))

    lo, hi = q[0] + x - step / 2, q[0] + x + step / 2
    wanted_mean = (v_integral(hi) - v_integral(lo)) / step
    assert np.max(np.abs(vbar[mid] - wanted_mean[mid])) < 1e-5
    assert step == pytest.approx(0.005 * (q[-1] - q[0]))
    assert np.allclose(np.diff(x), step)

    smooth = differential_capacity(rec, cycle_definition="vendor")
    x, y = smooth.curve(1, "charge", kind="dvdq")
    mid = (x > 0.1 * Q0) & (x < 0.9 * Q0)
    wanted = dvdq_exact(x, q[0])
    assert np.max(np.abs(y[mid] - wanted[mid]) / wanted[mid]) < 0.015


def test_dvdq_discharge_is_negative() -> None:
    """Discharge: dV/dQ < 0 with the analytic magnitude (golden: 1 / (dQ/dV))."""
    rec, q = tanh_recording()
    res = differential_capacity(rec, cycle_definition="vendor", direction="discharge")
    x, y = res.curve(1, "discharge", kind="dvdq")
    # discharge starts at the top: capacity passed x corresponds to Q = q_end - x
    wanted = -1.0 / dqdv_exact(v_of_q(q[-1] - x))
    mid = (x > 0.1 * Q0) & (x < 0.9 * Q0)
    assert np.max(np.abs(y[mid] - wanted[mid]) / np.abs(wanted[mid])) < 0.015


def test_dvdq_noisy_series() -> None:
    """Voltage noise of 0.2 mV: ours within 20 %, the naive gradient off by more than 5x.

    Golden: the analytic dV/dQ between 10 % and 85 % of the capacity.
    """
    rec, q = tanh_recording(noise_v=2e-4, seed=3, discharge=False)
    v_raw = rec.data.get_column("voltage_volt").to_numpy()
    naive = np.gradient(v_raw) / np.gradient(q)
    inner = (q > 0.1 * Q0) & (q < 0.85 * Q0)
    truth = 1.0 / dqdv_exact(v_of_q(q))
    assert np.max(np.abs(naive[inner] - truth[inner]) / truth[inner]) > 5.0

    res = differential_capacity(rec, cycle_definition="vendor")
    x, y = res.curve(1, "charge", kind="dvdq")
    mid = (x > 0.1 * Q0) & (x < 0.85 * Q0)
    wanted = dvdq_exact(x, q[0])
    assert np.max(np.abs(y[mid] - wanted[mid]) / wanted[mid]) < 0.2


def test_midpoint_and_histogram_agree_on_dense_data() -> None:
    """The two binning rules differ only by where a sample's charge lands within a bin.

    Golden: the analytic capacity (both conserve it) and the analytic curve (5 %).
    """
    rec, q = tanh_recording(n=4000, discharge=False)
    a = differential_capacity(rec, cycle_definition="vendor", method="histogram")
    b = differential_capacity(rec, cycle_definition="vendor", method="midpoint")
    assert b.parameters["method"] == "midpoint"
    va, ya = a.curve(1, "charge")
    vb, yb = b.curve(1, "charge")
    assert np.array_equal(va, vb)
    assert np.max(np.abs(ya - yb)) < 0.01 * PEAK
    step = a.parameters["voltage_step_v"]
    assert yb.sum() * step == pytest.approx(q[-1] - q[0], rel=1e-9)


# --------------------------------------------------------------------------- CC-CV
def _cccv(n_cycles: int = 3, vendor_columns: bool = False) -> tuple[Recording, list[Segment]]:
    segments: list[Segment] = []
    for c in range(1, n_cycles + 1):
        segments += cccv_cycle(
            c,
            i_charge=1e-3,
            i_discharge=1e-3,
            t_cc=3600.0 - 60 * c,
            t_cv=900.0,
            t_dis=3900.0 - 60 * c,
            samples=40,
        )
    return build(segments, vendor_columns=vendor_columns), segments


@pytest.mark.parametrize("vendor_columns", [False, True])
def test_cv_phase_excluded_and_cc_part_flat(vendor_columns: bool) -> None:
    """CC-CV charge: CV charge reported and left out; CC dQ/dV = Q_cc / (4.3 V - 3.6 V).

    Golden: the generated profile (tests.cycling.cccv_cycle): constant current with V
    linear in time from 3.6 to 4.3 V during CC, then constant V with the current falling
    linearly to 10 % (40 samples, so the first CV interval already has a current 2.25 %
    below the CC current, past the 2 % cv_current_drop); the analytic charges of the CC
    and CV segments. With ``vendor_columns`` the charge comes from the exact
    cumulative columns instead of integrating the current.
    """
    rec, segments = _cccv(vendor_columns=vendor_columns)
    res = differential_capacity(rec, cycle_definition="vendor", cycles=2, smoothing="none")
    cc = next(s for s in segments if s.cycle_count == 2 and s.step_type == "CC_Chg")
    cv = next(s for s in segments if s.cycle_count == 2 and s.step_type == "CCCV_Chg")
    dis = next(s for s in segments if s.cycle_count == 2 and s.step_type == "CC_DChg")
    charge = res.half_cycles.filter(pl.col("direction") == "charge").row(0, named=True)
    assert charge["cv_capacity_ah"] == pytest.approx(cv.charge_ah, rel=1e-9)
    assert charge["binned_capacity_ah"] == pytest.approx(cc.charge_ah, rel=1e-9)
    assert charge["capacity_ah"] == pytest.approx(cc.charge_ah + cv.charge_ah, rel=1e-9)
    v, y = res.curve(2, "charge")
    inner = (v > 3.61) & (v < 4.29)
    assert np.allclose(y[inner], cc.charge_ah / (4.3 - 3.6), rtol=1e-9)
    v, y = res.curve(2, "discharge")
    inner = (v > 2.81) & (v < 4.09)
    assert np.allclose(y[inner], dis.charge_ah / (4.1 - 2.8), rtol=1e-9)  # negative
    assert res.parameters["exclude_cv"] is True

    kept = differential_capacity(
        rec, cycle_definition="vendor", cycles=2, smoothing="none", exclude_cv=False
    )
    row = kept.half_cycles.filter(pl.col("direction") == "charge").row(0, named=True)
    assert row["cv_capacity_ah"] == 0.0
    assert row["binned_capacity_ah"] == pytest.approx(cc.charge_ah + cv.charge_ah, rel=1e-9)


def test_gitt_like_pauses_stay_one_half_cycle() -> None:
    """Charge pulses with rests (voltage relaxing by 30 mV): one half-cycle, no spikes.

    Golden: every pulse passes 1e-3 A x 600 s; V rises linearly 3.6 -> 4.2 V over the
    pulses (relaxing during rests), so the CC-equivalent dQ/dV is Q / 0.6 V. The relaxation
    jumps are reversals; the smoothed curve must stay below 3x that level.
    """
    segments: list[Segment] = []
    n_pulses = 10
    for k in range(n_pulses):
        v_lo = 3.6 + 0.6 * k / n_pulses
        v_hi = 3.6 + 0.6 * (k + 1) / n_pulses
        segments.append(Segment(600.0, 1e-3, 1e-3, v_lo + 0.03, v_hi + 0.03, 30, 1))
        segments.append(Segment(300.0, 0.0, 0.0, v_hi, v_hi, 5, 1))
    rec = build(segments)
    res = differential_capacity(rec, cycle_definition="vendor")
    assert res.half_cycles.height == 1
    total = n_pulses * 1e-3 * 600.0 / 3600.0
    row = res.half_cycles.row(0, named=True)
    assert row["capacity_ah"] == pytest.approx(total, rel=1e-9)
    _, y = res.curve(1, "charge")
    assert np.all(np.isfinite(y))
    assert np.max(y) < 3 * total / 0.6
    assert y.sum() * res.parameters["voltage_step_v"] == pytest.approx(total, rel=1e-9)


def test_half_cycle_capacity_per_row() -> None:
    """Capacity since the start of each half-cycle, per row; null on rest rows.

    Golden: constant 1 mA current, so Q = 1e-3 A x (t - t_start) / 3600.
    """
    rec, _ = _cccv(n_cycles=2)
    frame = half_cycle_capacity(rec, cycle_definition="vendor")
    assert {"segment", "half_cycle_capacity_ah", "cycle", "direction"} <= set(frame.columns)
    rest = frame.filter(pl.col("direction") == "rest")
    assert rest.get_column("half_cycle_capacity_ah").null_count() == rest.height
    dis = frame.filter((pl.col("cycle") == 2) & (pl.col("direction") == "discharge"))
    t = dis.get_column("test_time_second").to_numpy()
    q = dis.get_column("half_cycle_capacity_ah").to_numpy()
    np.testing.assert_allclose(q, 1e-3 * (t - t[0]) / 3600.0, rtol=0, atol=1e-15)


# --------------------------------------------------------------------------- API
def test_labelled_frame_gives_the_same_result() -> None:
    """A frame from label_cycles is accepted and gives the same curves as the Recording."""
    rec, _ = tanh_recording()
    a = differential_capacity(rec, cycle_definition="vendor")
    b = differential_capacity(label_cycles(rec, definition="vendor"))
    assert a.dqdv.equals(b.dqdv)
    assert a.dvdq.equals(b.dvdq)
    assert b.parameters["cycle_definition"] == "as labelled by the caller"


def test_input_errors() -> None:
    rec, _ = tanh_recording()
    with pytest.raises(CyclingDataError, match="cycle_definition"):
        differential_capacity(rec)
    with pytest.raises(CyclingDataError, match="label_cycles"):
        differential_capacity(rec.data)
    with pytest.raises(CyclingDataError, match="already labelled"):
        differential_capacity(label_cycles(rec, definition="vendor"), cycle_definition="vendor")
    with pytest.raises(CyclingDataError, match=r"cycle\(s\) \[7\].*available: 1"):
        differential_capacity(rec, cycle_definition="vendor", cycles=[1, 7])
    no_voltage = Recording(rec.data.drop("voltage_volt"), rec.meta)
    with pytest.raises(CyclingDataError, match="voltage_volt"):
        differential_capacity(no_voltage, cycle_definition="vendor")
    with pytest.raises(CyclingDataError, match="capacity_basis='vendor'"):
        differential_capacity(rec, cycle_definition="vendor", capacity_basis="vendor")
    with pytest.raises(CyclingDataError, match="Recording or a labelled"):
        differential_capacity([1, 2, 3])  # type: ignore[arg-type]


def test_stray_voltage_fails_fast() -> None:
    """One absurd voltage sample must not allocate a billion bins: a clear error instead."""
    rec, _ = tanh_recording(n=200, discharge=False)
    voltage = rec.data.get_column("voltage_volt").to_numpy().copy()
    voltage[100] = 1e6
    bad = Recording(rec.data.with_columns(pl.Series("voltage_volt", voltage)), rec.meta)
    with pytest.raises(CyclingDataError, match="voltage_step_v"):
        differential_capacity(bad, cycle_definition="vendor")
    with pytest.raises(CyclingDataError, match="capacity_step_fraction"):
        differential_capacity(rec, cycle_definition="vendor", capacity_step_fraction=1e-7)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("voltage_step_v", 0.0),
        ("voltage_step_v", -1e-3),
        ("voltage_step_v", math.nan),
        ("gaussian_sigma_v", 0.0),
        ("savgol_window_v", -1.0),
        ("savgol_polyorder", 9),
        ("savgol_polyorder", 1.5),
        ("capacity_step_fraction", 0.6),
        ("capacity_sigma_fraction", 0.0),
        ("cv_voltage_tolerance_v", -0.1),
        ("cv_current_drop", 1.0),
        ("method", "gradient"),
        ("smoothing", "lowess"),
        ("direction", "up"),
    ],
)
def test_bad_parameters(name: str, value: object) -> None:
    rec, _ = tanh_recording(n=50)
    with pytest.raises(CyclingDataError, match=name if name != "direction" else "direction"):
        differential_capacity(rec, cycle_definition="vendor", **{name: value})  # type: ignore[arg-type]


def test_selection_cell_and_record() -> None:
    """Cycle and direction selection, mass-normalised columns and the recorded parameters.

    Golden: the CC profile's constant dQ/dV (see test_cv_phase_excluded_and_cc_part_flat)
    divided by the given mass.
    """
    rec, segments = _cccv(n_cycles=3)
    cell = CellSpec(working_electrode="positive", active_mass_g=0.02)
    res = differential_capacity(
        rec,
        cycle_definition="vendor",
        cycles=[1, 3],
        direction="charge",
        cell=cell,
        smoothing="none",
    )
    assert isinstance(res, DifferentialResult)
    assert res.half_cycles.get_column("cycle").to_list() == [1, 3]
    assert set(res.dqdv.get_column("direction").unique()) == {"charge"}
    np.testing.assert_allclose(
        res.dqdv.get_column("dqdv_mah_g_v").to_numpy(),
        res.dqdv.get_column("dqdv_ah_v").to_numpy() * 1000 / 0.02,
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        res.dvdq.get_column("dvdq_v_g_mah").to_numpy(),
        res.dvdq.get_column("dvdq_v_ah").to_numpy() * 0.02 / 1000,
        rtol=1e-12,
    )
    cc = next(s for s in segments if s.cycle_count == 3 and s.step_type == "CC_Chg")
    v, y = res.curve(3, "charge", column="dqdv_mah_g_v")
    inner = (v > 3.61) & (v < 4.29)
    assert np.allclose(y[inner], cc.charge_ah * 1000 / 0.02 / 0.7, rtol=1e-9)
    assert res.units["dqdv.dqdv_mah_g_v"] == "mAh/(g V)"
    assert res.units["dqdv.dqdv_ah_v"] == "Ah/V"
    assert res.units["dvdq.dvdq_v_ah"] == "V/Ah"
    params = res.parameters
    for key in (
        "method",
        "voltage_step_v",
        "smoothing",
        "gaussian_sigma_v",
        "capacity_step_ah",
        "exclude_cv",
        "cv_voltage_tolerance_v",
        "capacity_basis",
        "cycle_definition",
        "current_threshold_a",
        "active_mass_g",
    ):
        assert key in params
    assert params["active_mass_g"] == 0.02
    text = json.dumps(res.to_dict())
    assert "half_cycles" in json.loads(text)
    with pytest.raises(CyclingDataError, match="no discharge half-cycle 1 of cycle 1"):
        res.curve(1, "discharge")

    with pytest.raises(MissingCellParameterError, match="active_mass_g"):
        differential_capacity(
            rec, cycle_definition="vendor", cell=CellSpec(working_electrode="positive")
        )


def test_savgol_parameters_recorded() -> None:
    """Savitzky-Golay: the window actually used (odd number of bins) is recorded in V."""
    rec, _ = tanh_recording(n=400, discharge=False)
    res = differential_capacity(
        rec, cycle_definition="vendor", smoothing="savgol", savgol_window_v=0.010
    )
    assert res.parameters["savgol_window_v"] == pytest.approx(0.011)
    assert res.parameters["savgol_polyorder"] == 2
    assert res.parameters["gaussian_sigma_v"] is None


def test_vectorised_speed() -> None:
    """200 half-cycles of 2000 rows (400,000 rows) in well under a few seconds."""
    rec, _ = tanh_recording(n=2000)
    frames = [
        rec.data.with_columns(
            pl.col("test_time_second") + k * 1e5, pl.lit(k + 1, dtype=pl.Int64).alias("cycle_count")
        )
        for k in range(100)
    ]
    big = Recording(pl.concat(frames), rec.meta)
    import time

    start = time.perf_counter()
    res = differential_capacity(big, cycle_definition="vendor")
    elapsed = time.perf_counter() - start
    assert res.half_cycles.height == 200
    assert elapsed < 5.0


# --------------------------------------------------------------------------- real data
@pytest.mark.realdata
def test_real_biologic_file_is_finite_and_sign_consistent() -> None:
    """A real BioLogic GCPL file (5 cycles, 2-3.8 V): finite, one-signed curves, area = charge.

    Reference: internal consistency only (no independent dQ/dV exists for this file): the
    integral of dQ/dV equals the charge put on the grid, binned + CV charge equals the
    half-cycle charge, the charge curves are >= 0 and the discharge ones <= 0. The voltage
    of this file is quantised and noisy: the naive derivative of the same samples has
    negative and non-finite values, which ours must not.
    """
    from elyte.io import biologic_mpr

    path = shared_file("biologic", "jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr")
    rec = biologic_mpr.read(path)
    res = differential_capacity(rec, cycle_definition="vendor", cycles=[2, 3])
    assert res.half_cycles.height == 4
    step = res.parameters["voltage_step_v"]
    for row in res.half_cycles.iter_rows(named=True):
        _, y = res.curve(row["cycle"], row["direction"], segment=row["segment"])
        sign = 1.0 if row["direction"] == "charge" else -1.0
        assert np.all(np.isfinite(y))
        assert np.all(sign * y >= 0)
        assert abs(y.sum()) * step == pytest.approx(row["binned_capacity_ah"], rel=1e-9)
        assert row["binned_capacity_ah"] + row["cv_capacity_ah"] == pytest.approx(
            row["capacity_ah"], rel=1e-9
        )
        assert row["reversal_fraction"] > 0.01  # the raw voltage does reverse
    rows = half_cycle_capacity(rec, cycle_definition="vendor").filter(
        (pl.col("cycle") == 2) & (pl.col("direction") == "charge")
    )
    q = rows.get_column("half_cycle_capacity_ah").to_numpy()
    v_raw = rows.get_column("voltage_volt").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        naive = np.gradient(q) / np.gradient(v_raw)
    assert np.any(naive < 0)
    assert not np.all(np.isfinite(naive))
