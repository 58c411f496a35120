"""Generated cycling recordings whose per-cycle capacities and energies are known exactly.

A profile is a list of :class:`Segment` objects. In each segment the current and the
voltage run linearly from their start to their end value; consecutive segments share their
boundary time (two rows with the same time stamp), so a step change of the current is a
jump, as on an instrument. Within a segment either the current or the voltage is constant,
so the power V·I is linear in time: the trapezoid rule is then exact for both ∫I dt and
∫V·I dt, and the analytic values below are the golden reference of the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from elyte.recording import Recording, RecordingMeta


@dataclass(frozen=True)
class Segment:
    """One piece of a profile: linear current and voltage over ``duration_s``."""

    duration_s: float
    i_start: float
    i_end: float
    v_start: float
    v_end: float
    samples: int = 10
    cycle_count: int = 1
    step_type: str = ""
    temperature: float = 25.0

    @property
    def charge_ah(self) -> float:
        """∫ I dt over the segment, Ah (signed)."""
        return 0.5 * (self.i_start + self.i_end) * self.duration_s / 3600.0

    @property
    def energy_wh(self) -> float:
        """∫ V·I dt for linear V and I (exact, also when both vary), Wh (signed)."""
        v0, v1, i0, i1 = self.v_start, self.v_end, self.i_start, self.i_end
        return self.duration_s * (v0 * i0 / 3 + v0 * i1 / 6 + v1 * i0 / 6 + v1 * i1 / 3) / 3600.0


def build(
    segments: Sequence[Segment],
    *,
    vendor_columns: bool = False,
    t0: float = 0.0,
    name: str = "synthetic",
) -> Recording:
    """Sample a profile into a Recording (``vendor_columns`` adds exact cumulative columns)."""
    times, cur, volt, cyc, step, temp, qc, qd, ec, ed = ([] for _ in range(10))
    start = t0
    qc_run = qd_run = ec_run = ed_run = 0.0
    for k, seg in enumerate(segments):
        tau = np.linspace(0.0, seg.duration_s, seg.samples + 1)
        frac = tau / seg.duration_s
        i = seg.i_start + (seg.i_end - seg.i_start) * frac
        v = seg.v_start + (seg.v_end - seg.v_start) * frac
        times.append(start + tau)
        cur.append(i)
        volt.append(v)
        cyc.append(np.full(tau.size, seg.cycle_count))
        step.append([seg.step_type or f"step{k}"] * tau.size)
        temp.append(np.full(tau.size, seg.temperature))
        # exact running integrals within the segment (no sign change inside a segment)
        q_part = (
            seg.i_start * tau + (seg.i_end - seg.i_start) * tau**2 / (2 * seg.duration_s)
        ) / 3600
        e_part = _energy_partial(seg, tau)
        if seg.i_start >= 0 and seg.i_end >= 0:
            qc.append(qc_run + q_part)
            qd.append(np.full(tau.size, qd_run))
            ec.append(ec_run + e_part)
            ed.append(np.full(tau.size, ed_run))
            qc_run += seg.charge_ah
            ec_run += seg.energy_wh
        else:
            qc.append(np.full(tau.size, qc_run))
            qd.append(qd_run - q_part)
            ec.append(np.full(tau.size, ec_run))
            ed.append(ed_run - e_part)
            qd_run -= seg.charge_ah
            ed_run -= seg.energy_wh
        start += seg.duration_s
    data = {
        "test_time_second": np.concatenate(times),
        "voltage_volt": np.concatenate(volt),
        "current_ampere": np.concatenate(cur),
        "cycle_count": np.concatenate(cyc).astype(np.int64),
        "step_type": [s for part in step for s in part],
        "temperature_t1_celsius": np.concatenate(temp),
    }
    if vendor_columns:
        data |= {
            "charging_capacity_ah": np.concatenate(qc),
            "discharging_capacity_ah": np.concatenate(qd),
            "charging_energy_wh": np.concatenate(ec),
            "discharging_energy_wh": np.concatenate(ed),
        }
    frame = pl.DataFrame(data)
    return Recording(frame, RecordingMeta(instrument="generated", format="test", source_path=name))


def _energy_partial(seg: Segment, tau: np.ndarray) -> np.ndarray:
    """∫_0^tau V·I dt for linear V and I, Wh."""
    T = seg.duration_s
    a_i, b_i = seg.i_start, (seg.i_end - seg.i_start) / T
    a_v, b_v = seg.v_start, (seg.v_end - seg.v_start) / T
    return (a_v * a_i * tau + (a_v * b_i + b_v * a_i) * tau**2 / 2 + b_v * b_i * tau**3 / 3) / 3600


def cccv_cycle(
    cycle: int,
    *,
    i_charge: float,
    i_discharge: float,
    t_cc: float,
    t_cv: float,
    t_dis: float,
    cv_end_fraction: float = 0.1,
    v_low: float = 2.8,
    v_high: float = 4.3,
    samples: int = 20,
    temperature: float = 25.0,
    rest_s: float = 600.0,
) -> list[Segment]:
    """Build a CC-CV charge, rest, CC discharge, rest (V linear in CC, constant in CV)."""
    return [
        Segment(t_cc, i_charge, i_charge, 3.6, v_high, samples, cycle, "CC_Chg", temperature),
        Segment(
            t_cv,
            i_charge,
            cv_end_fraction * i_charge,
            v_high,
            v_high,
            samples,
            cycle,
            "CCCV_Chg",
            temperature,
        ),
        Segment(rest_s, 0.0, 0.0, v_high, 4.15, 5, cycle, "Rest", temperature),
        Segment(
            t_dis, -i_discharge, -i_discharge, 4.1, v_low, samples, cycle, "CC_DChg", temperature
        ),
        Segment(rest_s, 0.0, 0.0, v_low, 3.2, 5, cycle, "Rest", temperature),
    ]


def expected(segments: Sequence[Segment]) -> pl.DataFrame:
    """Analytic per-cycle totals by ``cycle_count`` (charge/discharge Ah and Wh, CV Ah)."""
    rows = [
        {
            "cycle": s.cycle_count,
            "qc": max(s.charge_ah, 0.0),
            "qd": max(-s.charge_ah, 0.0),
            "ec": max(s.energy_wh, 0.0) if s.charge_ah > 0 else 0.0,
            "ed": max(-s.energy_wh, 0.0) if s.charge_ah < 0 else 0.0,
            "qcv": s.charge_ah if s.step_type == "CCCV_Chg" and s.charge_ah > 0 else 0.0,
            "t": s.duration_s,
        }
        for s in segments
    ]
    return pl.DataFrame(rows).group_by("cycle").agg(pl.all().sum()).sort("cycle")
