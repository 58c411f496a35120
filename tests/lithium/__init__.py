"""Generated Li||Cu recordings whose charges and voltages are known exactly.

:func:`li_cu_protocol` writes the seed's modified-Aurbach protocol as piecewise-constant
current: every step holds one current, consecutive steps share their boundary time stamp
(two rows with the same time, as an instrument records a step change), so the trapezoid
rule integrates each step's charge exactly: ``Q = |I| x duration``. The durations follow
from the programmed capacities, and the final strip is made as long as the chosen true CE
requires: ``Q4 = CE x (Q1 + Q2) - Q3``. Those analytic charges are the golden values.

The voltage of the Cu electrode vs Li is piecewise linear with break points on the time
grid: a nucleation dip at the start of a plating on bare Cu (from +0.1 V down to
``plateau - dip_depth`` at ``t_tip_s``, back to the plateau at ``t_tip_s + t_recover_s``),
a plating plateau (-40 mV on bare Cu, -30 mV on Li), a stripping plateau (+30 mV) and, at
the end of a strip to the cut-off, a linear rise to exactly the cut-off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from elyte.recording import Recording, RecordingMeta

AREA_CM2 = math.pi * 0.6**2  # 12 mm disk
J_MA_CM2 = 0.5
PLATEAU_BARE_CU_V = -0.040
PLATEAU_ON_LI_V = -0.030
STRIP_PLATEAU_V = 0.030
START_V = 0.10


@dataclass(frozen=True)
class Step:
    """One programmed step: plating, stripping or rest."""

    kind: str  # "plating", "stripping", "rest"
    capacity_mah_cm2: float = 0.0  # plating/stripping
    duration_s: float = 0.0  # rest
    to_cutoff: bool = False
    bare_cu: bool = False
    step_id: int = 0
    cutoff_v: float | None = None  # per-step cut-off (default: the protocol's)


@dataclass
class Truth:
    """Analytic values of a generated protocol (charges in Ah)."""

    q1_ah: float
    q2_ah: float
    q3_ah: float
    q4_ah: float
    ce: float
    formation_plating_ah: float
    formation_stripping_ah: float
    cycle_plating_ah: list[float] = field(default_factory=list)
    cycle_stripping_ah: list[float] = field(default_factory=list)
    plating_starts_s: list[float] = field(default_factory=list)
    dip_depth_v: float = 0.0
    t_tip_s: float = 0.0


def _grid(duration: float, dt: float, breaks: list[float]) -> np.ndarray:
    base = np.arange(0.0, duration, dt)
    pts = np.concatenate([base, [duration], [b for b in breaks if 0.0 < b < duration]])
    return np.unique(pts)


def li_cu_protocol(
    *,
    true_ce: float = 0.99,
    formation_ce: float = 0.90,
    q_formation: float = 5.0,
    q_reservoir: float = 5.0,
    q_cycle: float = 1.0,
    q_cycle_strip: float | None = None,
    n_cycles: int = 10,
    j_ma_cm2: float = J_MA_CM2,
    area_cm2: float = AREA_CM2,
    cutoff_v: float = 1.0,
    dt_s: float = 10.0,
    rest_s: float = 0.0,
    formation: bool = True,
    order: str = "strip_first",
    plating_sign: int = -1,
    dip_depth_v: float = 0.10,
    t_tip_s: float = 20.0,
    t_recover_s: float = 40.0,
    noise_v: float = 0.0,
    seed: int = 0,
    step_columns: bool = True,
    vendor_columns: bool = False,
) -> tuple[Recording, Truth]:
    """Simulate the seed's modified-Aurbach protocol; return the recording and its truth."""
    q_strip = q_cycle if q_cycle_strip is None else q_cycle_strip
    q2, q3 = n_cycles * q_cycle, n_cycles * q_strip
    q4 = true_ce * (q_reservoir + q2) - q3
    steps: list[Step] = []
    if formation:
        steps += [
            Step("plating", q_formation, bare_cu=True, step_id=1),
            Step("stripping", formation_ce * q_formation, to_cutoff=True, step_id=2),
        ]
    steps.append(Step("plating", q_reservoir, bare_cu=True, step_id=3))
    pair = [Step("stripping", q_strip, step_id=4), Step("plating", q_cycle, step_id=5)]
    if order == "plate_first":
        pair = pair[::-1]
    for _ in range(n_cycles):
        steps += pair
    steps.append(Step("stripping", q4, to_cutoff=True, step_id=6))
    if rest_s > 0:
        with_rests: list[Step] = []
        for s in steps:
            with_rests += [s, Step("rest", duration_s=rest_s, step_id=7)]
        steps = with_rests[:-1]
    return render(
        steps,
        j_ma_cm2=j_ma_cm2,
        area_cm2=area_cm2,
        cutoff_v=cutoff_v,
        dt_s=dt_s,
        plating_sign=plating_sign,
        dip_depth_v=dip_depth_v,
        t_tip_s=t_tip_s,
        t_recover_s=t_recover_s,
        noise_v=noise_v,
        seed=seed,
        step_columns=step_columns,
        vendor_columns=vendor_columns,
        true_ce=true_ce,
    )


def render(
    steps: list[Step],
    *,
    j_ma_cm2: float = J_MA_CM2,
    area_cm2: float = AREA_CM2,
    cutoff_v: float = 1.0,
    dt_s: float = 10.0,
    plating_sign: int = -1,
    dip_depth_v: float = 0.10,
    t_tip_s: float = 20.0,
    t_recover_s: float = 40.0,
    noise_v: float = 0.0,
    seed: int = 0,
    step_columns: bool = True,
    vendor_columns: bool = False,
    true_ce: float = float("nan"),
) -> tuple[Recording, Truth]:
    """Sample a list of steps into a Recording (the Truth assumes the Aurbach layout)."""
    current_a = j_ma_cm2 * area_cm2 / 1000.0
    rng = np.random.default_rng(seed)
    times, volts, curs, counts, ids, qcs, qds = ([] for _ in range(7))
    t0 = 0.0
    qc_run = qd_run = 0.0
    last_v = START_V
    charges: list[tuple[str, float, bool, bool]] = []
    plating_starts: list[float] = []
    for k, step in enumerate(steps):
        if step.kind == "rest":
            duration = step.duration_s
            tau = _grid(duration, dt_s, [])
            v = np.full(tau.size, last_v)
            i = np.zeros(tau.size)
        else:
            duration = step.capacity_mah_cm2 / j_ma_cm2 * 3600.0
            sign = plating_sign if step.kind == "plating" else -plating_sign
            if step.kind == "plating":
                plateau = PLATEAU_BARE_CU_V if step.bare_cu else PLATEAU_ON_LI_V
                if step.bare_cu:
                    xs = [0.0, t_tip_s, t_tip_s + t_recover_s, duration]
                    ys = [START_V, plateau - dip_depth_v, plateau, plateau]
                else:
                    xs, ys = [0.0, duration], [plateau, plateau]
                plating_starts.append(t0)
            else:
                if step.to_cutoff:
                    rise = min(600.0, 0.05 * duration)
                    xs = [0.0, duration - rise, duration]
                    ys = [STRIP_PLATEAU_V, 0.05, step.cutoff_v or cutoff_v]
                else:
                    xs, ys = [0.0, duration], [STRIP_PLATEAU_V, STRIP_PLATEAU_V]
            tau = _grid(duration, dt_s, xs)
            v = np.interp(tau, xs, ys)
            i = np.full(tau.size, sign * current_a)
            charges.append((step.kind, current_a * duration / 3600.0, step.to_cutoff, step.bare_cu))
        q_step = np.abs(i) * tau / 3600.0
        if i.size and i[0] > 0:
            qcs.append(qc_run + q_step)
            qds.append(np.full(tau.size, qd_run))
            qc_run += float(q_step[-1])
        else:
            qcs.append(np.full(tau.size, qc_run))
            qds.append(qd_run + q_step)
            qd_run += float(q_step[-1]) if i.size and i[0] < 0 else 0.0
        times.append(t0 + tau)
        volts.append(v)
        curs.append(i)
        counts.append(np.full(tau.size, k + 1))
        ids.append(np.full(tau.size, step.step_id))
        t0 += duration
        last_v = float(v[-1])
    voltage = np.concatenate(volts)
    if noise_v:
        voltage = voltage + rng.normal(0.0, noise_v, voltage.size)
    data: dict[str, np.ndarray] = {
        "test_time_second": np.concatenate(times),
        "voltage_volt": voltage,
        "current_ampere": np.concatenate(curs),
    }
    if step_columns:
        data["step_count"] = np.concatenate(counts).astype(np.int64)
        data["step_id"] = np.concatenate(ids).astype(np.int64)
    if vendor_columns:
        data["charging_capacity_ah"] = np.concatenate(qcs)
        data["discharging_capacity_ah"] = np.concatenate(qds)
    rec = Recording(
        pl.DataFrame(data),
        RecordingMeta(instrument="generated", format="test", source_path="li_cu_generated"),
    )
    truth = _truth(charges, plating_starts, true_ce, dip_depth_v, t_tip_s)
    return rec, truth


def _truth(
    charges: list[tuple[str, float, bool, bool]],
    plating_starts: list[float],
    true_ce: float,
    dip_depth_v: float,
    t_tip_s: float,
) -> Truth:
    formation = len(charges) > 2 and charges[1][2] and charges[0][3]  # strip to the cut-off
    body = charges[2:] if formation else charges
    if len(body) < 2:  # not an Aurbach layout: only the plating starts are meaningful
        return Truth(
            0.0, 0.0, 0.0, 0.0, true_ce, 0.0, 0.0, [], [], plating_starts, dip_depth_v, t_tip_s
        )
    q1 = body[0][1]
    cyc = body[1:-1]
    plate = [q for kind, q, _, _ in cyc if kind == "plating"]
    strip = [q for kind, q, _, _ in cyc if kind == "stripping"]
    q4 = body[-1][1]
    return Truth(
        q1_ah=q1,
        q2_ah=float(sum(plate)),
        q3_ah=float(sum(strip)),
        q4_ah=q4,
        ce=true_ce,
        formation_plating_ah=charges[0][1] if formation else 0.0,
        formation_stripping_ah=charges[1][1] if formation else 0.0,
        cycle_plating_ah=plate,
        cycle_stripping_ah=strip,
        plating_starts_s=plating_starts,
        dip_depth_v=dip_depth_v,
        t_tip_s=t_tip_s,
    )


def downsample(rec: Recording, every: int, *, keep_step_ends: bool = True) -> Recording:
    """Keep every ``every``-th row (and, as instruments do, the last row of each step).

    The duplicate rows at step starts are dropped, so current steps fall between samples.
    """
    frame = rec.data.with_row_index("_row")
    keep = pl.col("_row") % every == 0
    if keep_step_ends and "step_count" in frame.columns:
        keep = keep | (pl.col("step_count") != pl.col("step_count").shift(-1)).fill_null(True)
    out = frame.filter(keep).drop("_row")
    # drop rows that share a time stamp with the row before (the step-start duplicates)
    out = out.filter(pl.col("test_time_second").diff().fill_null(1.0) > 0)
    return Recording(out, rec.meta)
