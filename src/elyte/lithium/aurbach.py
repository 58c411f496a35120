"""Modified-Aurbach Coulombic efficiency of Li plating/stripping on Cu (Li||Cu cells).

The protocol (the seed's "2. Battery assembling and testing", after Piao et al., ACS Energy
Lett. 6 (2021) 1839; Adams et al., Adv. Energy Mater. 8 (2018) 1702097):

1. *formation*: plate Li on bare Cu (5 mAh/cm²) and strip it to a voltage cut-off (1 V);
   excluded from the CE, reported as the formation (first-cycle) efficiency;
2. *reservoir*: plate Q1 (5 mAh/cm²);
3. *cycling*: n cycles of stripping and plating a fixed capacity (1 mAh/cm², n = 10); Q2 is
   the plated and Q3 the stripped charge summed over the cycles;
4. *final strip*: strip everything left to the cut-off, Q4.

The seed defines ``CE = (Q3 + Q4) / (Q1 + Q2)``. :func:`modified_aurbach_ce` finds these
steps in a raw recording, integrates the charge of each, and refuses (with
:class:`~elyte.errors.ProtocolError`, naming the step) a recording that does not follow the
protocol, so a plain cycling file never yields a CE.

How the recording is read
-------------------------
* **Half-cycles.** Rows are labelled by the sign of the current with the dead band of
  :func:`elyte.cycling.segment.current_threshold` (BDF sign: positive charges the cell). A
  half-cycle is a run of rows of one sign; a new one starts where the sign changes, where
  the step counter changes (``step_count``, else ``step_id``, when the recording has one),
  or after a rest (rows inside the dead band) that lasts at least ``min_rest_s``.
* **Which sign plates.** For a Li||Cu cell with Cu as the working electrode the voltage
  (Cu vs Li) is below 0 V while Li plates and rises to the cut-off when the Cu is stripped
  bare. The plating sign is therefore *detected*: it is the sign whose rows have the lower
  median voltage (on BioLogic and LAND cells wired Cu = working, the negative current). It
  can be given instead (``plating_current_sign``); either way the result records it. A
  recording whose plating rows sit above ``max_plating_voltage_v`` (0.05 V by default; Li
  cannot plate above 0 V vs Li) is refused: it is not Li on Cu.
* **Strips to the cut-off.** A strip that empties the Cu ends on a voltage rise: its last
  voltage lies at least ``min_cutoff_margin_v`` above the median stripping voltage. The
  formation strip and the final strip must end so, a cycled strip must not (the reservoir
  ran out). The cut-off reported is the end voltage of the final strip, unless given
  (``cutoff_v``, then checked within ``cutoff_tolerance_v``); the formation strip may use
  another cut-off (0.5 V vs 1 V) without harm.
* **Charge.** From the instrument's cumulative ``charging_capacity_ah`` /
  ``discharging_capacity_ah`` when present (``capacity_basis="auto"``), else integrated from
  the current with the rule of :func:`elyte.cycling.summarize` (trapezoid, zero crossings
  resolved, or EC-Lab's interval mean). A half-cycle's charge is the charge of its own sign
  passed in the intervals that end at its rows plus the interval right after its last row
  (where a current step between two sparse samples is spread), so consecutive half-cycles
  never share charge.

The Adams form
--------------
Adams et al. (2018) write the average CE of the reservoir method as
``CE = (n·Q_C + Q_S) / (n·Q_C + Q_T)`` with Q_T the reservoir, Q_C the charge cycled in each
of the n cycles and Q_S the final strip. With the measured charges this equals the seed's
form when ``Q2 = Q3 = n·Q_C``; we report it with ``Q_C`` = the nominal cycled capacity when
given (``nominal_cycled_capacity_mah_cm2``) and the mean measured cycled plating charge
``Q2 / n`` otherwise. The equation was checked against METHODS.md and secondary summaries;
the primary paper's text was not available to us (only its abstract), so the symbols
follow the common reading of it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from elyte.cycling.segment import CyclingDataError, current_threshold
from elyte.cycling.summary import (
    CapacityBasis,
    Integration,
    _increments_from_cumulative,
    _jsonable,
    _positive_part,
)
from elyte.errors import MissingCellParameterError, ProtocolError
from elyte.recording import Recording

__all__ = [
    "AurbachProtocol",
    "AurbachResult",
    "HalfCycle",
    "HalfCycles",
    "find_half_cycles",
    "modified_aurbach_ce",
]

_SECONDS_PER_HOUR = 3600.0

#: Units of the fields of :class:`AurbachResult` and the columns of its tables.
UNITS: dict[str, str] = {
    "ce": "1",
    "ce_adams": "1",
    "formation_ce": "1",
    "q1_ah": "Ah",
    "q2_ah": "Ah",
    "q3_ah": "Ah",
    "q4_ah": "Ah",
    "q1_mah_cm2": "mAh/cm2",
    "q2_mah_cm2": "mAh/cm2",
    "q3_mah_cm2": "mAh/cm2",
    "q4_mah_cm2": "mAh/cm2",
    "formation_plating_ah": "Ah",
    "formation_stripping_ah": "Ah",
    "adams_cycled_charge_ah": "Ah",
    "area_cm2": "cm2",
    "start_time_s": "s",
    "end_time_s": "s",
    "duration_s": "s",
    "charge_ah": "Ah",
    "capacity_mah_cm2": "mAh/cm2",
    "current_a": "A",
    "current_density_ma_cm2": "mA/cm2",
    "start_voltage_v": "V",
    "end_voltage_v": "V",
    "median_voltage_v": "V",
    "min_voltage_v": "V",
    "max_voltage_v": "V",
    "plating_ah": "Ah",
    "stripping_ah": "Ah",
    "plating_mah_cm2": "mAh/cm2",
    "stripping_mah_cm2": "mAh/cm2",
    "coulombic_efficiency": "1",
    "plating_median_voltage_v": "V",
    "stripping_median_voltage_v": "V",
    "cutoff_v": "V",
    "cycled_capacity_mah_cm2": "mAh/cm2",
    "reservoir_capacity_mah_cm2": "mAh/cm2",
    "formation_capacity_mah_cm2": "mAh/cm2",
    "plating_current_density_ma_cm2": "mA/cm2",
    "stripping_current_density_ma_cm2": "mA/cm2",
}

Direction = Literal["plating", "stripping"]


# --------------------------------------------------------------------------- half-cycles
@dataclass(frozen=True)
class HalfCycle:
    """One plating or stripping half-cycle of a Li||Cu (or Li||Li) recording.

    Attributes
    ----------
    index : int
        Position among the half-cycles of the recording, 1-based.
    direction : {"plating", "stripping"}
        Li plated onto or stripped from the working electrode.
    current_sign : int
        Sign of the current in the recording, +1 or -1 (BDF sign).
    start_row, end_row : int
        First and last row (0-based) with current of this half-cycle.
    start_time_s, end_time_s : float
        Test time of those rows, s.
    charge_ah : float
        Charge passed, Ah (positive).
    current_a : float
        Median |current| of its rows, A.
    start_voltage_v, end_voltage_v, median_voltage_v, min_voltage_v, max_voltage_v : float
        Voltage at the first and last row, and its median, minimum and maximum, V.
    steps : tuple of int
        Values of the step counter seen in it (empty when the recording has none).
    """

    index: int
    direction: Direction
    current_sign: int
    start_row: int
    end_row: int
    start_time_s: float
    end_time_s: float
    charge_ah: float
    current_a: float
    start_voltage_v: float
    end_voltage_v: float
    median_voltage_v: float
    min_voltage_v: float
    max_voltage_v: float
    steps: tuple[int, ...] = ()

    @property
    def duration_s(self) -> float:
        """Time from the first to the last row, s."""
        return self.end_time_s - self.start_time_s

    def describe(self) -> str:
        """One-line description used in error messages."""
        return (
            f"half-cycle #{self.index} ({self.direction}, "
            f"t = {self.start_time_s / _SECONDS_PER_HOUR:.4g}-"
            f"{self.end_time_s / _SECONDS_PER_HOUR:.4g} h, "
            f"{self.charge_ah * 1000:.4g} mAh, ends at {self.end_voltage_v:.3f} V)"
        )


@dataclass(frozen=True)
class HalfCycles:
    """Result of :func:`find_half_cycles`.

    Attributes
    ----------
    items : tuple of HalfCycle
        The half-cycles in time order.
    plating_current_sign : int
        Sign of the current that plates Li on the working electrode (+1 or -1).
    plating_sign_source : str
        ``"given"`` or how it was detected, with the median voltages.
    median_voltage_v : dict
        Median voltage of the rows with positive (``"+1"``) and negative (``"-1"``) current,
        V (``None`` for a sign without rows).
    current_threshold_a : float
        Dead band of the direction labels, A.
    conventions : dict
        How half-cycles were delimited and how the charge was obtained (plain JSON).
    notes : tuple of str
        Anything unusual, in plain sentences.
    """

    items: tuple[HalfCycle, ...]
    plating_current_sign: int
    plating_sign_source: str
    median_voltage_v: Mapping[str, float | None]
    current_threshold_a: float
    conventions: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.items)

    def plating(self) -> tuple[HalfCycle, ...]:
        """Return the plating half-cycles."""
        return tuple(h for h in self.items if h.direction == "plating")

    def stripping(self) -> tuple[HalfCycle, ...]:
        """Return the stripping half-cycles."""
        return tuple(h for h in self.items if h.direction == "stripping")

    def to_frame(self) -> pl.DataFrame:
        """One row per half-cycle (unit-suffixed column names)."""
        rows = [
            {
                "index": h.index,
                "direction": h.direction,
                "current_sign": h.current_sign,
                "start_row": h.start_row,
                "end_row": h.end_row,
                "start_time_s": h.start_time_s,
                "end_time_s": h.end_time_s,
                "duration_s": h.duration_s,
                "charge_ah": h.charge_ah,
                "current_a": h.current_a,
                "start_voltage_v": h.start_voltage_v,
                "end_voltage_v": h.end_voltage_v,
                "median_voltage_v": h.median_voltage_v,
                "min_voltage_v": h.min_voltage_v,
                "max_voltage_v": h.max_voltage_v,
            }
            for h in self.items
        ]
        return pl.DataFrame(rows) if rows else pl.DataFrame()


def _float_column(frame: pl.DataFrame, name: str) -> np.ndarray:
    return frame.get_column(name).cast(pl.Float64).fill_null(np.nan).to_numpy()


def _row_increments(
    frame: pl.DataFrame,
    t: np.ndarray,
    *,
    capacity_basis: CapacityBasis,
    integration: Integration,
    path: str | None,
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray, str]:
    """Charge (Ah) passed in the interval ending at each row: charging and discharging part.

    The same rules as :func:`elyte.cycling.summarize`: the vendor's cumulative columns when
    present (unless ``capacity_basis="integrated"``), else the current integrated over time.
    """
    if capacity_basis not in ("auto", "vendor", "integrated"):
        raise CyclingDataError(
            f"capacity_basis must be 'auto', 'vendor' or 'integrated', not {capacity_basis!r}",
            path=path,
        )
    if integration not in ("trapezoid", "interval_mean"):
        raise CyclingDataError(
            f"integration must be 'trapezoid' or 'interval_mean', not {integration!r}", path=path
        )
    vendor = all(c in frame.columns for c in ("charging_capacity_ah", "discharging_capacity_ah"))
    if capacity_basis == "vendor" and not vendor:
        raise CyclingDataError(
            "capacity_basis='vendor' needs the cumulative columns charging_capacity_ah and "
            "discharging_capacity_ah, which the recording lacks; use 'integrated'",
            path=path,
        )
    if vendor and capacity_basis != "integrated":
        dqc, down_c = _increments_from_cumulative(_float_column(frame, "charging_capacity_ah"))
        dqd, down_d = _increments_from_cumulative(_float_column(frame, "discharging_capacity_ah"))
        if down_c or down_d:
            notes.append(
                f"the cumulative capacity columns decrease at {down_c + down_d} row(s); those "
                "decreases are kept as negative increments"
            )
        return (
            dqc,
            dqd,
            "vendor: increments of the cumulative columns charging_capacity_ah and "
            "discharging_capacity_ah (the instrument's coulomb count)",
        )
    n = t.size
    dt = np.zeros(n)
    if n > 1:
        dt[1:] = t[1:] - t[:-1]
    bad = ~np.isfinite(dt) | (dt < 0)
    if bad.any():
        notes.append(
            f"{int(bad.sum())} interval(s) with a missing or decreasing test time were given "
            "zero duration"
        )
        dt[bad] = 0.0
    current = _float_column(frame, "current_ampere")
    i1 = np.where(np.isfinite(current), current, 0.0)
    if integration == "interval_mean":
        i0 = i1
    else:
        i0 = np.empty(n)
        if n:
            i0[0] = i1[0]
            i0[1:] = i1[:-1]
    dqc = _positive_part(i0, i1) * dt / _SECONDS_PER_HOUR
    dqd = _positive_part(-i0, -i1) * dt / _SECONDS_PER_HOUR
    rule = (
        "integrated: trapezoid of max(I, 0) and max(-I, 0) over test time, zero crossings "
        "resolved (exact for current linear between samples)"
        if integration == "trapezoid"
        else "integrated: each row's current times the interval ending at it (EC-Lab's <I>)"
    )
    return dqc, dqd, rule


def _check_sign(value: int | None, path: str | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or value not in (-1, 1):
        raise ProtocolError(
            f"plating_current_sign must be -1 or +1 (or None to detect it), not {value!r}",
            path=path,
        )
    return int(value)


def find_half_cycles(
    rec: Recording,
    *,
    plating_current_sign: Literal[-1, 1] | None = None,
    max_plating_voltage_v: float = 0.05,
    current_threshold_a: float | None = None,
    min_rest_s: float = 1.0,
    capacity_basis: CapacityBasis = "auto",
    integration: Integration = "trapezoid",
) -> HalfCycles:
    """Split a Li plating/stripping recording into half-cycles and integrate their charge.

    Parameters
    ----------
    rec : Recording
        Needs ``test_time_second``, ``current_ampere`` and ``voltage_volt`` (of the working
        electrode, Cu, against Li).
    plating_current_sign : {-1, 1}, optional
        Sign of the current that plates Li on the working electrode. Default: detected as the
        sign whose rows have the lower median voltage (the only sign, when there is one).
    max_plating_voltage_v : float
        Highest median voltage of the plating rows that is accepted as Li plating, V
        (default 0.05 V: Li plates below 0 V vs Li; the margin allows for offsets).
    current_threshold_a : float, optional
        Rows with ``|I| <= threshold`` are rest, A; default 1e-3 x max |I|.
    min_rest_s : float
        A rest spanning at least this long (s, from its first to its last row) ends a
        half-cycle even when the next one has the same sign.
    capacity_basis : {"auto", "vendor", "integrated"}
        Where the charge comes from (see :func:`elyte.cycling.summarize`).
    integration : {"trapezoid", "interval_mean"}
        Integration rule when the charge is integrated.

    Returns
    -------
    HalfCycles
        The half-cycles with their charge, voltages and the detected plating sign.

    Raises
    ------
    CyclingDataError
        If a needed column is missing, the recording is empty or a parameter is invalid.
    ProtocolError
        If no current flows, or the plating rows are not at Li-plating voltages.
    """
    path = rec.meta.source_path
    frame = rec.data
    missing = [
        c for c in ("test_time_second", "current_ampere", "voltage_volt") if c not in frame.columns
    ]
    if missing:
        raise CyclingDataError(
            f"a Li plating/stripping analysis needs the column(s) {missing}; the recording has "
            f"{frame.columns}",
            path=path,
        )
    if frame.height == 0:
        raise CyclingDataError("the recording has no rows", path=path)
    if not (math.isfinite(min_rest_s) and min_rest_s >= 0):
        raise CyclingDataError(f"min_rest_s must be >= 0 s, not {min_rest_s!r}", path=path)
    if not math.isfinite(max_plating_voltage_v):
        raise CyclingDataError(
            f"max_plating_voltage_v must be a finite voltage, not {max_plating_voltage_v!r}",
            path=path,
        )
    given_sign = _check_sign(plating_current_sign, path)
    notes: list[str] = []

    t = _float_column(frame, "test_time_second")
    current = _float_column(frame, "current_ampere")
    v = _float_column(frame, "voltage_volt")
    threshold = current_threshold(current, current_threshold_a)
    with np.errstate(invalid="ignore"):
        codes = np.where(current > threshold, 1, np.where(current < -threshold, -1, 0))
    codes = codes.astype(np.int8)
    active = np.flatnonzero(codes != 0)
    if active.size == 0:
        raise ProtocolError(
            f"no current flows in the recording (|I| <= {threshold:.3g} A everywhere): there is "
            "no plating or stripping to analyse",
            path=path,
        )

    # ---- which sign plates --------------------------------------------------------------
    medians: dict[str, float | None] = {}
    for sign in (1, -1):
        values = v[codes == sign]
        values = values[np.isfinite(values)]
        medians[f"{sign:+d}"] = float(np.median(values)) if values.size else None
    pos, neg = medians["+1"], medians["-1"]
    if given_sign is not None:
        sign = given_sign
        source = "given"
        other = medians[f"{-sign:+d}"]
        mine = medians[f"{sign:+d}"]
        if mine is not None and other is not None and mine > other:
            notes.append(
                f"the given plating sign {sign:+d} has the higher median voltage ({mine:.4g} V "
                f"vs {other:.4g} V); with Cu as the working electrode plating is the lower one: "
                "check the wiring or the sign"
            )
    elif pos is not None and neg is not None:
        sign = 1 if pos < neg else -1
        source = (
            f"detected: the {'positive' if sign > 0 else 'negative'} current has the lower "
            f"median voltage ({min(pos, neg):.4g} V vs {max(pos, neg):.4g} V)"
        )
    elif pos is None and neg is None:
        raise ProtocolError("the recording has no voltage where current flows", path=path)
    else:
        sign = 1 if pos is not None else -1
        source = (
            f"detected: only {'positive' if sign > 0 else 'negative'} current flows; taken as "
            "plating because its voltage is at Li-plating level"
        )
    plating_median = medians[f"{sign:+d}"]
    if plating_median is None or plating_median > max_plating_voltage_v:
        shown = (
            "no voltage"
            if plating_median is None
            else f"a median voltage of {plating_median:.4g} V"
        )
        raise ProtocolError(
            f"this is not Li plating on Cu: the plating half-cycles (current sign {sign:+d}, "
            f"{source}) have {shown}, above max_plating_voltage_v = {max_plating_voltage_v:g} V "
            "(Li plates below 0 V vs Li; the voltage must be that of the Cu working electrode "
            "against Li)",
            path=path,
        )

    # ---- half-cycle boundaries ------------------------------------------------------------
    step_col = next((c for c in ("step_count", "step_id") if c in frame.columns), None)
    ac = codes[active]
    new = np.ones(active.size, dtype=bool)
    new[1:] = ac[1:] != ac[:-1]
    if step_col is not None:
        steps = frame.get_column(step_col).cast(pl.Int64).forward_fill().fill_null(-1).to_numpy()
        sa = steps[active]
        new[1:] |= sa[1:] != sa[:-1]
    else:
        steps = None
    if active.size > 1:
        gap_rows = np.diff(active) > 1
        # span of the rest rows between two active rows: first to last rest row
        first_rest = np.minimum(active[:-1] + 1, t.size - 1)
        last_rest = np.maximum(active[1:] - 1, 0)
        with np.errstate(invalid="ignore"):
            rest_span = t[last_rest] - t[first_rest]
        new[1:] |= gap_rows & (np.nan_to_num(rest_span, nan=0.0) >= min_rest_s)
    hc_id = np.cumsum(new) - 1
    starts = active[new]
    ends = active[np.r_[new[1:], True]]

    # ---- charge of each half-cycle ----------------------------------------------------------
    dqc, dqd, basis = _row_increments(
        frame, t, capacity_basis=capacity_basis, integration=integration, path=path, notes=notes
    )
    n = t.size
    cum_c = np.concatenate(([0.0], np.cumsum(dqc)))
    cum_d = np.concatenate(([0.0], np.cumsum(dqd)))
    upto = np.minimum(ends + 1, n - 1) + 1
    hc_sign = codes[starts].astype(np.int64)
    charge = np.where(hc_sign > 0, cum_c[upto] - cum_c[starts], cum_d[upto] - cum_d[starts])
    total = float(cum_c[-1] + cum_d[-1])
    assigned = float(np.sum(charge))
    if total > 0 and abs(total - assigned) > 1e-6 * total:
        notes.append(
            f"{(total - assigned) * 1000:.4g} mAh ({(total - assigned) / total:.2%} of all "
            "charge passed) falls outside the half-cycles (rests below the current threshold, "
            "reverse current inside a half-cycle)"
        )

    # ---- per-half-cycle statistics ----------------------------------------------------------
    stats = (
        pl.DataFrame(
            {
                "hc": hc_id,
                "i": np.abs(current[active]),
                "v": v[active],
            }
        )
        .with_columns(pl.col("v").fill_nan(None))
        .group_by("hc", maintain_order=True)
        .agg(
            pl.col("i").median().alias("i_med"),
            pl.col("v").median().alias("v_med"),
            pl.col("v").min().alias("v_min"),
            pl.col("v").max().alias("v_max"),
        )
        .sort("hc")
    )
    if steps is not None:
        step_sets = (
            pl.DataFrame({"hc": hc_id, "s": steps[active]})
            .group_by("hc", maintain_order=True)
            .agg(pl.col("s").unique(maintain_order=True))
            .sort("hc")
            .get_column("s")
            .to_list()
        )
    else:
        step_sets = [[] for _ in range(starts.size)]

    def _num(value: Any) -> float:
        return float(value) if value is not None else math.nan

    items = tuple(
        HalfCycle(
            index=k + 1,
            direction="plating" if int(hc_sign[k]) == sign else "stripping",
            current_sign=int(hc_sign[k]),
            start_row=int(starts[k]),
            end_row=int(ends[k]),
            start_time_s=float(t[starts[k]]),
            end_time_s=float(t[ends[k]]),
            charge_ah=float(charge[k]),
            current_a=_num(row["i_med"]),
            start_voltage_v=float(v[starts[k]]),
            end_voltage_v=float(v[ends[k]]),
            median_voltage_v=_num(row["v_med"]),
            min_voltage_v=_num(row["v_min"]),
            max_voltage_v=_num(row["v_max"]),
            steps=tuple(int(s) for s in step_sets[k]),
        )
        for k, row in enumerate(stats.iter_rows(named=True))
    )
    conventions = {
        "direction": "charge if current > threshold, discharge if current < -threshold, else "
        "rest (BDF sign: positive current charges the cell)",
        "current_threshold_a": threshold,
        "current_threshold_rule": "given by the caller"
        if current_threshold_a is not None
        else "1e-3 x the largest |current| in the recording",
        "half_cycle_boundaries": (
            "a change of current sign"
            + (f", a change of {step_col}" if step_col else "")
            + f", or a rest spanning at least {min_rest_s:g} s"
        ),
        "plating_current_sign": sign,
        "plating_sign_source": source,
        "max_plating_voltage_v": max_plating_voltage_v,
        "capacity_basis": basis,
        "charge_attribution": "own-sign charge of the intervals ending at the half-cycle's rows "
        "and of the interval right after its last row",
    }
    return HalfCycles(
        items=items,
        plating_current_sign=sign,
        plating_sign_source=source,
        median_voltage_v=medians,
        current_threshold_a=threshold,
        conventions=conventions,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class AurbachProtocol:
    """The protocol as recognised in the recording.

    Attributes
    ----------
    area_cm2 : float
        Electrode area used for the areal quantities, cm².
    plating_current_sign : int
        Sign of the plating current in the recording (+1 or -1).
    plating_sign_source : str
        ``"given"`` or how it was detected.
    formation : bool
        Whether a formation plating + strip to the cut-off precedes the reservoir.
    cycle_order : {"strip_first", "plate_first"}
        Order within a cycle: the seed strips then plates; some protocols plate first.
    n_cycles : int
        Number of cycles in the cycling segment.
    cutoff_v : float
        Voltage cut-off of the strips to bare Cu, V.
    cutoff_source : str
        ``"given"`` or ``"detected: ..."``.
    current_density_ma_cm2 : float
        Median current density over all half-cycles of the protocol, mA/cm².
    plating_current_density_ma_cm2, stripping_current_density_ma_cm2 : float
        The same for plating and stripping half-cycles, mA/cm².
    formation_capacity_mah_cm2 : float or None
        Charge of the formation plating, mAh/cm².
    reservoir_capacity_mah_cm2 : float
        Q1 per area, mAh/cm².
    cycled_capacity_mah_cm2 : float
        Median charge of the cycled half-cycles, mAh/cm².
    """

    area_cm2: float
    plating_current_sign: int
    plating_sign_source: str
    formation: bool
    cycle_order: Literal["strip_first", "plate_first"]
    n_cycles: int
    cutoff_v: float
    cutoff_source: str
    current_density_ma_cm2: float
    plating_current_density_ma_cm2: float
    stripping_current_density_ma_cm2: float
    formation_capacity_mah_cm2: float | None
    reservoir_capacity_mah_cm2: float
    cycled_capacity_mah_cm2: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        out: dict[str, Any] = _jsonable(dict(self.__dict__))
        return out


@dataclass(frozen=True)
class AurbachResult:
    """Modified-Aurbach Coulombic efficiency and everything it was computed from.

    Attributes
    ----------
    ce : float
        ``(Q3 + Q4) / (Q1 + Q2)``, the seed's definition (fraction, not percent).
    ce_adams : float
        ``(n·Q_C + Q_S) / (n·Q_C + Q_T)`` (Adams et al. 2018) with ``Q_T = Q1``,
        ``Q_S = Q4`` and ``Q_C`` as recorded in ``conventions["adams_cycled_charge"]``.
    q1_ah, q2_ah, q3_ah, q4_ah : float
        Reservoir plating, summed cycled plating, summed cycled stripping and final strip, Ah.
    formation_plating_ah, formation_stripping_ah : float or None
        Charge of the formation half-cycles (excluded from the CE), Ah.
    formation_ce : float or None
        Formation stripping / plating (first-cycle efficiency on bare Cu).
    adams_cycled_charge_ah : float
        ``Q_C`` used in :attr:`ce_adams`, Ah.
    protocol : AurbachProtocol
        Detected protocol parameters.
    steps : polars.DataFrame
        One row per half-cycle with its role (``formation_plating``,
        ``formation_stripping``, ``reservoir_plating``, ``cycle_plating``,
        ``cycle_stripping``, ``final_stripping``, ``conditioning``), cycle number, charge
        (Ah, mAh/cm²), current density, voltages, whether it reached the cut-off and which
        Q it enters.
    cycles : polars.DataFrame
        One row per cycle of the cycling segment: plated and stripped charge, their ratio
        ``coulombic_efficiency`` (stripped / plated of the same cycle; with
        capacity-limited steps it is ~1 by construction, the Li lost shows in Q4) and the
        median plating and stripping voltages.
    conventions : dict
        Every rule and threshold used (plain JSON).
    notes : tuple of str
        Anything unusual, in plain sentences.
    source : dict
        ``path``, ``sha256``, ``format`` and ``instrument`` of the recording.
    units : dict
        Unit of every numeric field and column.
    """

    ce: float
    ce_adams: float
    q1_ah: float
    q2_ah: float
    q3_ah: float
    q4_ah: float
    formation_plating_ah: float | None
    formation_stripping_ah: float | None
    formation_ce: float | None
    adams_cycled_charge_ah: float
    protocol: AurbachProtocol
    steps: pl.DataFrame
    cycles: pl.DataFrame
    conventions: Mapping[str, Any]
    notes: tuple[str, ...] = ()
    source: Mapping[str, Any] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=lambda: dict(UNITS))

    def _areal(self, value_ah: float) -> float:
        return value_ah * 1000.0 / self.protocol.area_cm2

    @property
    def q1_mah_cm2(self) -> float:
        """Q1 per area, mAh/cm²."""
        return self._areal(self.q1_ah)

    @property
    def q2_mah_cm2(self) -> float:
        """Q2 per area, mAh/cm²."""
        return self._areal(self.q2_ah)

    @property
    def q3_mah_cm2(self) -> float:
        """Q3 per area, mAh/cm²."""
        return self._areal(self.q3_ah)

    @property
    def q4_mah_cm2(self) -> float:
        """Q4 per area, mAh/cm²."""
        return self._areal(self.q4_ah)

    @property
    def per_cycle_ce(self) -> np.ndarray:
        """Stripped / plated charge of each cycle of the cycling segment."""
        return self.cycles.get_column("coulombic_efficiency").to_numpy()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view: numbers, protocol, tables (as row lists), conventions, notes."""
        out: dict[str, Any] = {
            "ce": self.ce,
            "ce_percent": 100.0 * self.ce,
            "ce_adams": self.ce_adams,
            "q1_ah": self.q1_ah,
            "q2_ah": self.q2_ah,
            "q3_ah": self.q3_ah,
            "q4_ah": self.q4_ah,
            "q1_mah_cm2": self.q1_mah_cm2,
            "q2_mah_cm2": self.q2_mah_cm2,
            "q3_mah_cm2": self.q3_mah_cm2,
            "q4_mah_cm2": self.q4_mah_cm2,
            "formation_plating_ah": self.formation_plating_ah,
            "formation_stripping_ah": self.formation_stripping_ah,
            "formation_ce": self.formation_ce,
            "adams_cycled_charge_ah": self.adams_cycled_charge_ah,
            "protocol": self.protocol.to_dict(),
            "steps": self.steps.to_dicts(),
            "cycles": self.cycles.to_dicts(),
            "conventions": dict(self.conventions),
            "notes": list(self.notes),
            "source": dict(self.source),
            "units": dict(self.units),
        }
        result: dict[str, Any] = _jsonable(out)
        return result


# --------------------------------------------------------------------------- analysis
def _positive(name: str, value: float | None, *, allow_zero: bool = False) -> None:
    if value is None:
        return
    ok = (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and (value >= 0 if allow_zero else value > 0)
    )
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise MissingCellParameterError(f"{name} must be a finite number {bound}, not {value!r}")


def modified_aurbach_ce(
    rec: Recording,
    *,
    area_cm2: float,
    plating_current_sign: Literal[-1, 1] | None = None,
    cutoff_v: float | None = None,
    cutoff_tolerance_v: float = 0.05,
    min_cutoff_margin_v: float = 0.1,
    formation: bool | None = None,
    capacity_rtol: float = 0.05,
    nominal_cycled_capacity_mah_cm2: float | None = None,
    max_plating_voltage_v: float = 0.05,
    current_threshold_a: float | None = None,
    min_rest_s: float = 1.0,
    conditioning_fraction: float = 0.01,
    capacity_basis: CapacityBasis = "auto",
    integration: Integration = "trapezoid",
) -> AurbachResult:
    """Modified-Aurbach Coulombic efficiency of a Li||Cu recording.

    Parameters
    ----------
    rec : Recording
        The whole test in one recording: test time, current and the voltage of Cu vs Li.
    area_cm2 : float
        Cu electrode area, cm² (a 12 mm disk is ``math.pi * 0.6**2`` = 1.131 cm²).
    plating_current_sign : {-1, 1}, optional
        Sign of the plating current; detected from the voltage when omitted (module
        docstring). The result records which.
    cutoff_v : float, optional
        Voltage cut-off of the strips to bare Cu, V; default the end voltage of the last
        half-cycle.
    cutoff_tolerance_v : float
        A strip reaches the cut-off when it ends within this many volts of it (default
        0.05 V).
    min_cutoff_margin_v : float
        A strip "ends on a voltage rise" (the Li on the Cu is used up) when its last voltage
        is at least this far above the median stripping voltage, V (default 0.1 V). The
        formation and final strips must, the cycled strips must not.
    formation : bool, optional
        Whether the recording starts with a formation plating and strip to the cut-off.
        Default: detected (a second half-cycle that strips and ends on a voltage rise).
    capacity_rtol : float
        Allowed relative deviation of each cycled half-cycle from their median charge
        (default 0.05); a larger one means a step did not end by capacity.
    nominal_cycled_capacity_mah_cm2 : float, optional
        Programmed cycled capacity for the Adams form (default: the mean measured cycled
        plating charge).
    max_plating_voltage_v : float
        Highest median plating voltage accepted as Li plating, V (default 0.05).
    current_threshold_a : float, optional
        Rest dead band, A (default 1e-3 x max |I|).
    min_rest_s : float
        Rests at least this long separate two half-cycles of the same sign, s (default 1).
    conditioning_fraction : float
        Strips before the first plating that pass less than this fraction of the largest
        plating charge are treated as conditioning (excluded, reported) instead of an error.
    capacity_basis : {"auto", "vendor", "integrated"}
        Where the charge comes from (see :func:`elyte.cycling.summarize`).
    integration : {"trapezoid", "interval_mean"}
        Integration rule when the charge is integrated.

    Returns
    -------
    AurbachResult
        CE (seed and Adams forms), Q1-Q4, formation efficiency, per-cycle table, the
        half-cycles with their roles and the recognised protocol.

    Raises
    ------
    ProtocolError
        If the recording does not follow the protocol; the message names the missing or
        unexpected step.
    MissingCellParameterError
        If ``area_cm2`` (or another numeric parameter) is not a positive finite number.
    CyclingDataError
        If a needed column is missing or the recording is empty.

    Examples
    --------
    >>> import math
    >>> from elyte.examples import galvanostatic_example
    >>> try:
    ...     modified_aurbach_ce(galvanostatic_example(), area_cm2=math.pi * 0.6**2)
    ... except ProtocolError as exc:
    ...     print(str(exc)[:31])
    this is not Li plating on Cu: t
    """
    path = rec.meta.source_path
    _positive("area_cm2", area_cm2)
    _positive("cutoff_tolerance_v", cutoff_tolerance_v, allow_zero=True)
    _positive("min_cutoff_margin_v", min_cutoff_margin_v, allow_zero=True)
    _positive("capacity_rtol", capacity_rtol)
    _positive("nominal_cycled_capacity_mah_cm2", nominal_cycled_capacity_mah_cm2)
    _positive("conditioning_fraction", conditioning_fraction, allow_zero=True)
    if cutoff_v is not None and not (isinstance(cutoff_v, int | float) and math.isfinite(cutoff_v)):
        raise MissingCellParameterError(f"cutoff_v must be a finite voltage, not {cutoff_v!r}")
    if formation not in (None, True, False):
        raise ProtocolError(f"formation must be True, False or None, not {formation!r}", path=path)
    area = float(area_cm2)

    found = find_half_cycles(
        rec,
        plating_current_sign=plating_current_sign,
        max_plating_voltage_v=max_plating_voltage_v,
        current_threshold_a=current_threshold_a,
        min_rest_s=min_rest_s,
        capacity_basis=capacity_basis,
        integration=integration,
    )
    notes = list(found.notes)
    hcs = list(found.items)
    sign_text = f"plating current sign {found.plating_current_sign:+d}, {found.plating_sign_source}"

    def fail(message: str) -> ProtocolError:
        return ProtocolError(f"{message} [{sign_text}]", path=path)

    # ---- conditioning strips before the first plating -------------------------------------
    plated = [h.charge_ah for h in hcs if h.direction == "plating"]
    if not plated:
        raise fail(
            "missing step: the recording has no plating half-cycle; the modified-Aurbach "
            "protocol plates Li on Cu first"
        )
    conditioning: list[HalfCycle] = []
    while hcs and hcs[0].direction == "stripping":
        first = hcs[0]
        if first.charge_ah > conditioning_fraction * max(plated):
            raise fail(
                f"unexpected step: the recording starts with a stripping, {first.describe()}; "
                "the modified-Aurbach protocol starts by plating Li on Cu"
            )
        conditioning.append(hcs.pop(0))
    if conditioning:
        notes.append(
            f"{len(conditioning)} short strip(s) before the first plating (less than "
            f"{conditioning_fraction:.0%} of the largest plating charge) were treated as "
            "conditioning and excluded"
        )

    # ---- final strip and cut-off --------------------------------------------------------------
    final = hcs[-1]
    if final.direction != "stripping":
        raise fail(
            f"missing step: the final strip to the cut-off; the recording ends with a plating, "
            f"{final.describe()}"
        )
    strip_medians = np.array([h.median_voltage_v for h in hcs if h.direction == "stripping"])
    strip_medians = strip_medians[np.isfinite(strip_medians)]
    strip_plateau = float(np.median(strip_medians)) if strip_medians.size else math.nan
    limit_v = strip_plateau + min_cutoff_margin_v

    def at_limit(h: HalfCycle) -> bool:
        """Tell whether a strip ended on a voltage rise (the Li on the Cu was used up)."""
        return h.direction == "stripping" and h.end_voltage_v >= limit_v

    if not at_limit(final):
        raise fail(
            f"missing step: the final strip to the cut-off; the last half-cycle, "
            f"{final.describe()}, ends less than {min_cutoff_margin_v:g} V above the stripping "
            f"plateau (median {strip_plateau:.3f} V), so it ended by capacity or time"
        )
    if cutoff_v is None:
        cutoff = final.end_voltage_v
        cutoff_source = "detected: end voltage of the last strip"
    else:
        cutoff = float(cutoff_v)
        cutoff_source = "given"
        if final.end_voltage_v < cutoff - cutoff_tolerance_v:
            raise fail(
                f"missing step: the final strip to the cut-off; the last half-cycle, "
                f"{final.describe()}, ends below the cut-off {cutoff:g} V (tolerance "
                f"{cutoff_tolerance_v:g} V)"
            )

    def reached(h: HalfCycle) -> bool:
        return h.direction == "stripping" and h.end_voltage_v >= cutoff - cutoff_tolerance_v

    # ---- formation ---------------------------------------------------------------------------
    detected_formation = len(hcs) >= 3 and at_limit(hcs[1])
    if formation is True and not detected_formation:
        what = hcs[1].describe() if len(hcs) > 1 else "nothing"
        raise fail(
            "missing step: the formation strip to the cut-off; formation=True but the second "
            f"half-cycle is {what}, which does not end on a voltage rise (at least "
            f"{limit_v:.3f} V)"
        )
    has_formation = detected_formation if formation is None else bool(formation)
    body = 2 if has_formation else 0
    if body >= len(hcs) - 1:
        raise fail(
            "missing step: the reservoir plating (Q1) and the cycling segment; after "
            f"{'the formation' if has_formation else 'the start'} only the final strip "
            f"{final.describe()} follows"
        )
    reservoir = hcs[body]
    if reservoir.direction != "plating":
        raise fail(
            f"missing step: the reservoir plating (Q1); found a stripping, {reservoir.describe()}"
        )
    cyc = hcs[body + 1 : -1]
    if not cyc:
        raise fail(
            f"missing step: the cycling segment (Q2, Q3); the reservoir plating "
            f"{reservoir.describe()} is followed directly by the final strip"
        )
    order: Literal["strip_first", "plate_first"] = (
        "strip_first" if cyc[0].direction == "stripping" else "plate_first"
    )
    lead = cyc[0].direction
    for k, h in enumerate(cyc):
        expected = lead if k % 2 == 0 else ("plating" if lead == "stripping" else "stripping")
        if h.direction != expected:
            raise fail(
                f"unexpected step: {h.describe()} in cycle {k // 2 + 1} of the cycling segment, "
                f"where a {expected} was expected (cycle order: {order.replace('_', ' ')})"
            )
    if len(cyc) % 2:
        raise fail(
            f"missing step: cycle {len(cyc) // 2 + 1} of the cycling segment is incomplete; "
            f"{cyc[-1].describe()} is not followed by a "
            f"{'plating' if lead == 'stripping' else 'stripping'} before the final strip"
        )
    n_cycles = len(cyc) // 2
    for k, h in enumerate(cyc):
        if at_limit(h):
            raise fail(
                f"unexpected step: the stripping of cycle {k // 2 + 1}, {h.describe()}, ended on "
                f"a voltage rise (at least {limit_v:.3f} V): the Li reservoir ran out during "
                "cycling, or the recording holds more than one protocol run; the "
                "modified-Aurbach CE is undefined"
            )
    charges = np.array([h.charge_ah for h in cyc])
    q_c = float(np.median(charges))
    for k, h in enumerate(cyc):
        if abs(h.charge_ah - q_c) > capacity_rtol * q_c:
            raise fail(
                f"unexpected step: the {h.direction} of cycle {k // 2 + 1}, {h.describe()}, "
                f"passed {h.charge_ah * 1000 / area:.4g} mAh/cm2 but the cycled capacity is "
                f"{q_c * 1000 / area:.4g} mAh/cm2 (median; tolerance {capacity_rtol:.0%}): the "
                "step did not end by capacity"
            )
    if reservoir.charge_ah <= q_c:
        raise fail(
            f"unexpected step: the reservoir plating (Q1 = {reservoir.charge_ah * 1000 / area:.4g}"
            f" mAh/cm2, {reservoir.describe()}) is not larger than the cycled capacity "
            f"({q_c * 1000 / area:.4g} mAh/cm2): this is not a reservoir protocol"
        )

    # ---- charges and CE ------------------------------------------------------------------------
    platings = [h for h in cyc if h.direction == "plating"]
    strippings = [h for h in cyc if h.direction == "stripping"]
    q1 = reservoir.charge_ah
    q2 = float(sum(h.charge_ah for h in platings))
    q3 = float(sum(h.charge_ah for h in strippings))
    q4 = final.charge_ah
    ce = (q3 + q4) / (q1 + q2)
    if nominal_cycled_capacity_mah_cm2 is not None:
        qc_adams = float(nominal_cycled_capacity_mah_cm2) * area / 1000.0
        adams_rule = (
            f"Q_C = the nominal cycled capacity {nominal_cycled_capacity_mah_cm2:g} mAh/cm2 x "
            f"{area:g} cm2 (given)"
        )
    else:
        qc_adams = q2 / n_cycles
        adams_rule = "Q_C = Q2 / n, the mean measured cycled plating charge"
    ce_adams = (n_cycles * qc_adams + q4) / (n_cycles * qc_adams + q1)
    f_plate = hcs[0].charge_ah if has_formation else None
    f_strip = hcs[1].charge_ah if has_formation else None
    f_ce = (f_strip / f_plate) if (f_plate and f_strip is not None) else None

    # ---- tables ----------------------------------------------------------------------------------
    roles: dict[int, tuple[str, int | None, str]] = {}
    for h in conditioning:
        roles[h.index] = ("conditioning", None, "")
    if has_formation:
        roles[hcs[0].index] = ("formation_plating", None, "")
        roles[hcs[1].index] = ("formation_stripping", None, "")
    roles[reservoir.index] = ("reservoir_plating", None, "Q1")
    for k, h in enumerate(cyc):
        roles[h.index] = (
            f"cycle_{h.direction}",
            k // 2 + 1,
            "Q2" if h.direction == "plating" else "Q3",
        )
    roles[final.index] = ("final_stripping", None, "Q4")
    used = conditioning + hcs
    steps = pl.DataFrame(
        {
            "index": [h.index for h in used],
            "role": [roles[h.index][0] for h in used],
            "cycle": pl.Series([roles[h.index][1] for h in used], dtype=pl.Int64),
            "direction": [h.direction for h in used],
            "enters": [roles[h.index][2] for h in used],
            "start_time_s": [h.start_time_s for h in used],
            "end_time_s": [h.end_time_s for h in used],
            "duration_s": [h.duration_s for h in used],
            "charge_ah": [h.charge_ah for h in used],
            "capacity_mah_cm2": [h.charge_ah * 1000.0 / area for h in used],
            "current_density_ma_cm2": [h.current_a * 1000.0 / area for h in used],
            "start_voltage_v": [h.start_voltage_v for h in used],
            "end_voltage_v": [h.end_voltage_v for h in used],
            "median_voltage_v": [h.median_voltage_v for h in used],
            "min_voltage_v": [h.min_voltage_v for h in used],
            "max_voltage_v": [h.max_voltage_v for h in used],
            "reached_cutoff": [reached(h) for h in used],
        }
    )
    plate_q = np.array([h.charge_ah for h in platings])
    strip_q = np.array([h.charge_ah for h in strippings])
    cycles = pl.DataFrame(
        {
            "cycle": np.arange(1, n_cycles + 1, dtype=np.int64),
            "plating_ah": plate_q,
            "stripping_ah": strip_q,
            "plating_mah_cm2": plate_q * 1000.0 / area,
            "stripping_mah_cm2": strip_q * 1000.0 / area,
            "coulombic_efficiency": strip_q / plate_q,
            "plating_median_voltage_v": [h.median_voltage_v for h in platings],
            "stripping_median_voltage_v": [h.median_voltage_v for h in strippings],
        }
    )
    all_i = np.array([h.current_a for h in hcs])
    plate_i = np.array([h.current_a for h in hcs if h.direction == "plating"])
    strip_i = np.array([h.current_a for h in hcs if h.direction == "stripping"])
    protocol = AurbachProtocol(
        area_cm2=area,
        plating_current_sign=found.plating_current_sign,
        plating_sign_source=found.plating_sign_source,
        formation=has_formation,
        cycle_order=order,
        n_cycles=n_cycles,
        cutoff_v=cutoff,
        cutoff_source=cutoff_source,
        current_density_ma_cm2=float(np.nanmedian(all_i)) * 1000.0 / area,
        plating_current_density_ma_cm2=float(np.nanmedian(plate_i)) * 1000.0 / area,
        stripping_current_density_ma_cm2=float(np.nanmedian(strip_i)) * 1000.0 / area,
        formation_capacity_mah_cm2=f_plate * 1000.0 / area if f_plate is not None else None,
        reservoir_capacity_mah_cm2=q1 * 1000.0 / area,
        cycled_capacity_mah_cm2=q_c * 1000.0 / area,
    )
    if not any(c in rec.data.columns for c in ("step_count", "step_id")):
        notes.append(
            "the recording has no step counter: half-cycles are delimited by the current sign "
            "and by rests only, so two steps of the same sign with no rest between them (the "
            "reservoir plating and the first plating of a cycle that plates first) count as "
            "one; that changes Q1, n and the per-cycle table, not the CE"
        )
    if order == "plate_first":
        notes.append(
            "the cycling segment plates before it strips (the seed strips first); Q1-Q4 and "
            "the CE do not depend on the order"
        )
    conventions: dict[str, Any] = {
        **found.conventions,
        "ce": "(Q3 + Q4) / (Q1 + Q2) (the seed's equation): Q1 reservoir plating, Q2 plating "
        "summed over the cycling segment, Q3 stripping summed over it, Q4 final strip to the "
        "cut-off; the formation half-cycles are excluded",
        "ce_adams": "(n*Q_C + Q_S) / (n*Q_C + Q_T) (Adams et al., Adv. Energy Mater. 8 (2018) "
        "1702097) with Q_T = Q1, Q_S = Q4",
        "adams_cycled_charge": adams_rule,
        "per_cycle_ce": "stripped / plated charge within each cycle of the cycling segment; "
        "~1 by construction when both steps end by capacity",
        "formation_ce": "formation stripping / formation plating charge",
        "cutoff_v": cutoff,
        "cutoff_source": cutoff_source,
        "cutoff_tolerance_v": cutoff_tolerance_v,
        "reached_cutoff": "a strip's last voltage >= cutoff_v - cutoff_tolerance_v",
        "min_cutoff_margin_v": min_cutoff_margin_v,
        "strip_to_limit": "a strip ends on a voltage rise (Li on the Cu used up) when its last "
        "voltage is at least min_cutoff_margin_v above the median stripping voltage "
        f"({strip_plateau:.4g} V); the formation strip and the final strip must, the cycled "
        "strips must not",
        "capacity_rtol": capacity_rtol,
        "formation_rule": "given by the caller"
        if formation is not None
        else "detected: the second half-cycle is a strip that ends on a voltage rise",
        "current_density": "median |current| of a half-cycle's rows / area",
    }
    source = {
        "path": path,
        "sha256": rec.meta.sha256,
        "format": rec.meta.format,
        "instrument": rec.meta.instrument,
    }
    return AurbachResult(
        ce=ce,
        ce_adams=ce_adams,
        q1_ah=q1,
        q2_ah=q2,
        q3_ah=q3,
        q4_ah=q4,
        formation_plating_ah=f_plate,
        formation_stripping_ah=f_strip,
        formation_ce=f_ce,
        adams_cycled_charge_ah=qc_adams,
        protocol=protocol,
        steps=steps,
        cycles=cycles,
        conventions=conventions,
        notes=tuple(notes),
        source=source,
    )
