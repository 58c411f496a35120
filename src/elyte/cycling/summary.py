"""One row per cycle: capacities, Coulombic efficiency, energies, voltages, CV share, C-rate.

:func:`summarize` turns a :class:`~elyte.recording.Recording` of a galvanostatic test into a
:class:`CycleTable`. Everything the numbers depend on is a parameter and is written into
``CycleTable.conventions``:

* **Cycles** — the caller chooses the definition (:mod:`elyte.cycling.segment`).
* **Capacities** — from the recording's cumulative ``charging_capacity_ah`` /
  ``discharging_capacity_ah`` columns when present (the instrument's own coulomb count), or
  integrated from the current: ``∫ max(I, 0) dt`` and ``∫ max(-I, 0) dt`` by the trapezoid
  rule with the zero crossing of an interval resolved, so the result is exact for a current
  that is linear between samples. Energies likewise from the cumulative energy columns or
  from ``∫ V·I dt``.
* **Attribution** — the interval between two consecutive rows counts toward the cycle of the
  later row, so the cycles partition the test: their capacities add up to the total.
* **Coulombic efficiency** — positive working electrode: discharge / charge of the same
  cycle; negative working electrode: charge / discharge (stripping / plating for Li on Cu).
* **Retention** — delivered capacity (discharge for a positive, charge for a negative
  working electrode) over that of the reference cycle.
* **CV share** — the part of the charge capacity passed while the voltage is held within a
  tolerance of the cycle's highest charging voltage *and* the current has fallen below
  ``(1 - cv_current_drop)`` x the cycle's largest charging current; or, when the recording
  has steps typed ``CV...`` (``CV_Chg``), the charge passed in those steps.
* **C-rate** — median ``|I|`` of the charging (discharging) rows over the nominal capacity.

The hot path is vectorised: per-row increments with numpy, then one polars ``group_by`` over
the cycles.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl

from elyte.cycling.cell import CellSpec
from elyte.cycling.segment import CycleDefinition, CyclingDataError, label_frame
from elyte.errors import ExportError, MissingCellParameterError
from elyte.recording import Recording

__all__ = ["CapacityBasis", "CycleTable", "Integration", "summarize"]

#: Where capacities and energies come from: the vendor's cumulative columns when present
#: (``"auto"``), always those (``"vendor"``), or always integrated (``"integrated"``).
CapacityBasis = Literal["auto", "vendor", "integrated"]

#: How the current is integrated when the capacity is not taken from vendor columns:
#: ``"trapezoid"`` (the current varies linearly between samples) or ``"interval_mean"``
#: (each row's current is the mean over the interval that ends at that row, as EC-Lab's
#: ``<I>`` is defined).
Integration = Literal["trapezoid", "interval_mean"]

#: Unit of every column :func:`summarize` can produce.
UNITS: dict[str, str] = {
    "cycle": "1",
    "start_time_s": "s",
    "duration_s": "s",
    "charge_capacity_ah": "Ah",
    "discharge_capacity_ah": "Ah",
    "charge_capacity_mah_g": "mAh/g",
    "discharge_capacity_mah_g": "mAh/g",
    "charge_capacity_mah_cm2": "mAh/cm2",
    "discharge_capacity_mah_cm2": "mAh/cm2",
    "coulombic_efficiency": "1",
    "capacity_retention": "1",
    "charge_energy_wh": "Wh",
    "discharge_energy_wh": "Wh",
    "charge_energy_wh_kg": "Wh/kg",
    "discharge_energy_wh_kg": "Wh/kg",
    "mean_charge_voltage_v": "V",
    "mean_discharge_voltage_v": "V",
    "voltage_hysteresis_v": "V",
    "cv_charge_capacity_ah": "Ah",
    "cv_charge_fraction": "1",
    "charge_current_a": "A",
    "discharge_current_a": "A",
    "charge_c_rate": "1/h",
    "discharge_c_rate": "1/h",
    "mean_temperature_celsius": "degC",
    "charge_segments": "1",
    "discharge_segments": "1",
}

_TEMPERATURE_COLUMNS = ("temperature_t1_celsius", "ambient_temperature_celsius")
_SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class CycleTable:
    """Per-cycle metrics of a galvanostatic test, with units and every convention used.

    Attributes
    ----------
    data : polars.DataFrame
        One row per cycle, sorted by ``cycle``; column names end in their unit (see
        :attr:`units`). Quantities that could not be computed are null, and
        :attr:`conventions` says why.
    units : dict
        Unit of every column (``"1"`` for dimensionless fractions and counts).
    conventions : dict
        How the numbers were obtained: cycle definition, CE definition, working electrode,
        reference cycle, capacity and energy basis, current threshold, CV detection,
        C-rate basis, mass and area used (plain JSON).
    cell : CellSpec
        The cell parameters given.
    source : dict
        ``path``, ``sha256``, ``format`` and ``instrument`` of the recording.
    notes : tuple of str
        Anything unusual found while summarising, in plain sentences.
    """

    data: pl.DataFrame
    units: Mapping[str, str]
    conventions: Mapping[str, Any]
    cell: CellSpec
    source: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return self.data.height

    @property
    def cycles(self) -> list[int]:
        """Cycle numbers in the table."""
        return [int(c) for c in self.data.get_column("cycle").to_list()]

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view: rows, units, conventions, cell, source and notes.

        Non-finite numbers become ``None``.
        """
        rows = [
            {k: _finite_or_none(v) for k, v in row.items()}
            for row in self.data.iter_rows(named=True)
        ]
        return {
            "units": dict(self.units),
            "conventions": _jsonable(dict(self.conventions)),
            "cell": _jsonable(self.cell.to_dict()),
            "source": _jsonable(dict(self.source)),
            "notes": list(self.notes),
            "rows": rows,
        }

    def to_json(self, path: str | PathLike[str] | None = None, *, indent: int = 2) -> str:
        """Serialise :meth:`to_dict` as JSON; also write it to ``path`` when given.

        Raises
        ------
        ExportError
            If the file cannot be written.
        """
        text = json.dumps(self.to_dict(), indent=indent)
        if path is not None:
            try:
                Path(path).write_text(text + "\n", encoding="utf-8")
            except OSError as exc:
                raise ExportError(f"cannot write JSON: {exc}", path=path) from exc
        return text

    def to_csv(self, path: str | PathLike[str]) -> Path:
        """Write the table as CSV (one row per cycle, unit-suffixed headers).

        Returns
        -------
        pathlib.Path
            The file written.

        Raises
        ------
        ExportError
            If the file cannot be written.
        """
        target = Path(path)
        try:
            self.data.write_csv(target)
        except OSError as exc:
            raise ExportError(f"cannot write CSV: {exc}", path=target) from exc
        return target


def _finite_or_none(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float):
        return _finite_or_none(value)
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


# --------------------------------------------------------------------------- kernels
def _positive_part(y0: np.ndarray, y1: np.ndarray) -> np.ndarray:
    """Mean of ``max(y, 0)`` over an interval where ``y`` runs linearly from y0 to y1."""
    hi = np.maximum(y0, y1)
    lo = np.minimum(y0, y1)
    mixed = (hi > 0) & (lo < 0)
    span = np.where(mixed, hi - lo, 1.0)
    crossing = np.where(mixed, hi * hi / (2.0 * span), 0.0)
    return np.where(lo >= 0, 0.5 * (y0 + y1), np.where(hi <= 0, 0.0, crossing))


_GAP_FACTOR = 10.0


def _segment_starts(code: np.ndarray, cycle: np.ndarray) -> np.ndarray:
    """Flag the rows that start a half-cycle.

    A row starts one when it is not rest and the previous non-rest row of the same cycle
    has another direction or does not exist.
    """
    n = code.size
    if n == 0:
        return np.zeros(0, dtype=bool)
    index = np.arange(n)
    last_active = np.maximum.accumulate(np.where(code != 0, index, -1))
    previous = np.empty(n, dtype=np.int64)
    previous[0] = -1
    previous[1:] = last_active[:-1]
    has_previous = previous >= 0
    safe = np.where(has_previous, previous, 0)
    same = has_previous & (code[safe] == code) & (cycle[safe] == cycle)
    starts: np.ndarray = (code != 0) & ~same
    return starts


def _sparse_step_changes(labels: np.ndarray, dt: np.ndarray) -> int:
    """Count intervals at a change of direction that are much longer than usual."""
    if dt.size < 2:
        return 0
    changed = np.zeros(dt.size, dtype=bool)
    changed[1:] = labels[1:] != labels[:-1]
    positive = dt[dt > 0]
    if positive.size == 0:
        return 0
    typical = float(np.median(positive))
    return int(np.count_nonzero(changed & (dt > _GAP_FACTOR * typical)))


def _increments_from_cumulative(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Row-wise increments of a cumulative counter (first row 0); count of decreases."""
    filled = pl.Series(values).fill_nan(None).forward_fill().fill_null(0.0).to_numpy()
    inc = np.empty_like(filled)
    if filled.size:
        inc[0] = 0.0
        np.subtract(filled[1:], filled[:-1], out=inc[1:])
    return inc, int(np.count_nonzero(inc < 0))


def _float_column(frame: pl.DataFrame, name: str) -> np.ndarray:
    return frame.get_column(name).cast(pl.Float64).fill_null(np.nan).to_numpy()


# --------------------------------------------------------------------------- summarize
def summarize(
    rec: Recording,
    cell: CellSpec,
    *,
    cycle_definition: CycleDefinition,
    reference_cycle: int = 1,
    capacity_basis: CapacityBasis = "auto",
    integration: Integration = "trapezoid",
    current_threshold_a: float | None = None,
    cv_voltage_tolerance_v: float = 0.005,
    cv_current_drop: float = 0.02,
    specific: bool | None = None,
    areal: bool | None = None,
    c_rate: bool | None = None,
) -> CycleTable:
    """Summarise a galvanostatic cycling recording, one row per cycle.

    Parameters
    ----------
    rec : Recording
        Needs ``test_time_second`` and ``current_ampere``; ``voltage_volt`` for energies,
        mean voltages and the CV share; ``cycle_count`` for the vendor cycle definition.
    cell : CellSpec
        Cell parameters (working electrode, mass, area, nominal capacity).
    cycle_definition : {"vendor", "charge_discharge", "discharge_charge"}
        What a cycle is (see :mod:`elyte.cycling.segment`). No default on purpose.
    reference_cycle : int
        Cycle whose delivered capacity is 100 % in ``capacity_retention`` (e.g. the first
        cycle after formation).
    capacity_basis : {"auto", "vendor", "integrated"}
        ``"auto"`` uses the cumulative capacity (energy) columns when the recording has
        them and integrates the current (V·I) otherwise; ``"vendor"`` requires the
        columns; ``"integrated"`` always integrates.
    integration : {"trapezoid", "interval_mean"}
        Rule for integrating I (and V·I) over time: ``"trapezoid"`` treats the current
        as linear between samples (exact for piecewise-linear profiles, zero crossings
        resolved); ``"interval_mean"`` takes each row's value as the mean over the
        interval ending at that row (EC-Lab's ``<I>``), which is right when a step
        change happens between two sparse samples.
    current_threshold_a : float, optional
        Dead band for the charge/discharge/rest labels, A (default 1e-3 x max |I|). It
        affects cycle boundaries and the median currents, not the integrals.
    cv_voltage_tolerance_v : float
        A charging row is in the CV phase when its voltage is within this many volts of
        the cycle's highest charging voltage (and its current has dropped, see below).
    cv_current_drop : float
        ... and its current is below ``(1 - cv_current_drop)`` x the cycle's largest
        charging current.
    specific, areal, c_rate : bool or None
        Whether to compute mAh/g and Wh/kg (needs the active mass), mAh/cm² (needs the
        area) and C-rates (needs the nominal capacity). ``None``: when the cell allows,
        otherwise the columns are null and the conventions say why. ``True``: required,
        so a missing parameter raises. ``False``: not computed.

    Returns
    -------
    CycleTable
        The per-cycle table with units and conventions.

    Raises
    ------
    CyclingDataError
        If the recording is empty, a needed column is missing, the basis ``"vendor"`` is
        asked for without the cumulative columns, a parameter is out of range, or the
        reference cycle is absent.
    MissingCellParameterError
        If ``specific``, ``areal`` or ``c_rate`` is ``True`` and the cell lacks what it
        needs.
    """
    path = rec.meta.source_path
    frame = rec.data
    for name in ("test_time_second", "current_ampere"):
        if name not in frame.columns:
            raise CyclingDataError(
                f"summarising cycles needs the column {name!r}; the recording has {frame.columns}",
                path=path,
            )
    if frame.height == 0:
        raise CyclingDataError("the recording has no rows to summarise", path=path)
    if capacity_basis not in ("auto", "vendor", "integrated"):
        raise CyclingDataError(
            f"capacity_basis must be 'auto', 'vendor' or 'integrated', not {capacity_basis!r}",
            path=path,
        )
    if integration not in ("trapezoid", "interval_mean"):
        raise CyclingDataError(
            f"integration must be 'trapezoid' or 'interval_mean', not {integration!r}", path=path
        )
    if not (math.isfinite(cv_voltage_tolerance_v) and cv_voltage_tolerance_v >= 0):
        raise CyclingDataError(
            f"cv_voltage_tolerance_v must be >= 0 V, not {cv_voltage_tolerance_v!r}", path=path
        )
    if not (math.isfinite(cv_current_drop) and 0 <= cv_current_drop < 1):
        raise CyclingDataError(
            f"cv_current_drop must be in [0, 1), not {cv_current_drop!r}", path=path
        )

    labelled = label_frame(
        frame,
        definition=cycle_definition,
        current_threshold_a=current_threshold_a,
        path=path,
    )
    lab = labelled.frame
    notes: list[str] = []
    conventions: dict[str, Any] = {
        "cycle_definition": cycle_definition,
        **labelled.info,
        "current_threshold_a": labelled.current_threshold_a,
        "current_threshold_rule": (
            "given by the caller"
            if current_threshold_a is not None
            else "1e-3 x the largest |current| in the recording"
        ),
        "direction": "charge if current > threshold, discharge if current < -threshold, "
        "else rest (BDF sign: positive current charges the cell)",
        "integration": integration,
        "interval_attribution": "each interval between consecutive rows counts toward the "
        "cycle of its later row; the cycles partition the test",
    }

    # ---- per-row increments (numpy) -------------------------------------------------
    t = _float_column(lab, "test_time_second")
    current = _float_column(lab, "current_ampere")
    n = t.size
    dt = np.zeros(n)
    if n > 1:
        dt[1:] = t[1:] - t[:-1]
    bad_dt = ~np.isfinite(dt) | (dt < 0)
    if bad_dt.any():
        notes.append(
            f"{int(bad_dt.sum())} interval(s) with a missing or decreasing test time were "
            "given zero duration"
        )
        dt[bad_dt] = 0.0
    i_filled = np.where(np.isfinite(current), current, 0.0)
    if n and not np.isfinite(current).all():
        notes.append(
            f"{int((~np.isfinite(current)).sum())} row(s) with a missing current were "
            "counted as zero current"
        )
    i0 = np.empty(n)
    if n:
        i0[0] = i_filled[0]
        i0[1:] = i_filled[:-1]
    if integration == "interval_mean":
        i0 = i_filled  # each row's value holds over the interval that ends at it
    has_voltage = "voltage_volt" in lab.columns
    v = _float_column(lab, "voltage_volt") if has_voltage else np.full(n, np.nan)

    vendor_cap = all(c in lab.columns for c in ("charging_capacity_ah", "discharging_capacity_ah"))
    vendor_energy = all(c in lab.columns for c in ("charging_energy_wh", "discharging_energy_wh"))
    if capacity_basis == "vendor" and not vendor_cap:
        raise CyclingDataError(
            "capacity_basis='vendor' needs the cumulative columns charging_capacity_ah and "
            "discharging_capacity_ah, which the recording lacks; use 'integrated'",
            path=path,
        )
    use_vendor_cap = vendor_cap and capacity_basis != "integrated"
    use_vendor_energy = vendor_energy and capacity_basis != "integrated"
    if use_vendor_cap:
        dqc, down_c = _increments_from_cumulative(_float_column(lab, "charging_capacity_ah"))
        dqd, down_d = _increments_from_cumulative(_float_column(lab, "discharging_capacity_ah"))
        if down_c or down_d:
            notes.append(
                f"the cumulative capacity columns decrease at {down_c + down_d} row(s); "
                "those decreases are kept as negative increments"
            )
        conventions["capacity_basis"] = (
            "vendor: increments of the cumulative columns charging_capacity_ah and "
            "discharging_capacity_ah (the instrument's coulomb count)"
        )
    else:
        if integration == "trapezoid":
            gaps = _sparse_step_changes(labelled.codes, dt)
            if gaps:
                notes.append(
                    f"{gaps} interval(s) where the direction changes span more than "
                    f"{_GAP_FACTOR:g}x the median sampling interval; the trapezoid spreads "
                    "the current step over the whole gap (if each row's current is the mean "
                    "over the preceding interval, as EC-Lab's <I>, use "
                    "integration='interval_mean')"
                )
        dqc = _positive_part(i0, i_filled) * dt / _SECONDS_PER_HOUR
        dqd = _positive_part(-i0, -i_filled) * dt / _SECONDS_PER_HOUR
        conventions["capacity_basis"] = (
            "integrated: trapezoid of max(I, 0) and max(-I, 0) over test time, zero "
            "crossings resolved (exact for current linear between samples)"
            if integration == "trapezoid"
            else "integrated: each row's current times the interval ending at it (the "
            "current is the interval mean, as EC-Lab's <I>)"
        )
    if use_vendor_energy:
        dec, _ = _increments_from_cumulative(_float_column(lab, "charging_energy_wh"))
        ded, _ = _increments_from_cumulative(_float_column(lab, "discharging_energy_wh"))
        conventions["energy_basis"] = (
            "vendor: increments of the cumulative columns charging_energy_wh and "
            "discharging_energy_wh"
        )
    elif has_voltage:
        v_filled = np.where(np.isfinite(v), v, np.nan)
        v0 = np.empty(n)
        if n:
            v0[0] = v_filled[0]
            v0[1:] = v_filled[:-1]
        if integration == "interval_mean":
            v0 = v_filled
        p1 = v_filled * i_filled
        p0 = v0 * i0
        trapezoid = 0.5 * (p0 + p1) * dt
        v_mid = 0.5 * (v0 + v_filled)
        charging = (i0 >= 0) & (i_filled >= 0)
        discharging = (i0 <= 0) & (i_filled <= 0)
        # An interval where the current changes sign: mean voltage x the signed part of I.
        dec_mixed = v_mid * _positive_part(i0, i_filled) * dt
        ded_mixed = v_mid * _positive_part(-i0, -i_filled) * dt
        dec = np.where(charging, trapezoid, np.where(discharging, 0.0, dec_mixed))
        ded = np.where(discharging, -trapezoid, np.where(charging, 0.0, ded_mixed))
        dec = np.nan_to_num(dec, nan=0.0) / _SECONDS_PER_HOUR
        ded = np.nan_to_num(ded, nan=0.0) / _SECONDS_PER_HOUR
        if not np.isfinite(v).all():
            notes.append(f"{int((~np.isfinite(v)).sum())} row(s) without a voltage add no energy")
        conventions["energy_basis"] = (
            "integrated: trapezoid of V*I over test time, split by the sign of I (exact "
            "for V*I linear between samples)"
            if integration == "trapezoid"
            else "integrated: each row's V*I times the interval ending at it"
        )
    else:
        dec = ded = np.full(n, np.nan)
        conventions["energy_basis"] = "not computed: the recording has no voltage_volt column"

    code = labelled.codes
    cycle_values = lab.get_column("cycle").fill_null(0).to_numpy()
    work = lab.select("cycle").with_columns(
        pl.Series("_code", code),
        pl.Series("_seg", _segment_starts(code, cycle_values)),
        pl.Series("_t", t),
        pl.Series("_i", i_filled),
        pl.Series("_v", v),
        pl.Series("_dt", dt),
        pl.Series("_dqc", dqc),
        pl.Series("_dqd", dqd),
        pl.Series("_dec", dec),
        pl.Series("_ded", ded),
    )

    # ---- CV phase --------------------------------------------------------------------
    cv_expr, cv_conv = _cv_rows(lab, has_voltage, cv_voltage_tolerance_v, cv_current_drop)
    conventions["cv_detection"] = cv_conv
    work = work.with_columns(cv_expr.alias("_cv"))

    # ---- temperature ----------------------------------------------------------------
    temp_col = next((c for c in _TEMPERATURE_COLUMNS if c in lab.columns), None)
    if temp_col is not None:
        temp = _float_column(lab, temp_col)
        t_prev = np.empty(n)
        if n:
            t_prev[0] = temp[0]
            t_prev[1:] = temp[:-1]
        t_mid = 0.5 * (t_prev + temp)
        ok = np.isfinite(t_mid)
        work = work.with_columns(
            pl.Series("_temp", temp),
            pl.Series("_tdt", np.where(ok, t_mid * dt, 0.0)),
            pl.Series("_wdt", np.where(ok, dt, 0.0)),
        )
        conventions["temperature"] = (
            f"time-weighted mean of {temp_col} over the cycle (trapezoid); the sample mean "
            "where a cycle has zero duration"
        )
    else:
        conventions["temperature"] = (
            "not computed: the recording has no temperature column "
            f"({' or '.join(_TEMPERATURE_COLUMNS)})"
        )

    # ---- group by cycle ----------------------------------------------------------------
    charging_rows = pl.col("_code") == 1
    discharging_rows = pl.col("_code") == -1
    aggs: list[pl.Expr] = [
        pl.col("_t").min().alias("start_time_s"),
        pl.col("_dt").sum().alias("duration_s"),
        pl.col("_dqc").sum().alias("charge_capacity_ah"),
        pl.col("_dqd").sum().alias("discharge_capacity_ah"),
        pl.col("_dec").sum().alias("charge_energy_wh"),
        pl.col("_ded").sum().alias("discharge_energy_wh"),
        pl.col("_dqc").filter(pl.col("_cv")).sum().alias("cv_charge_capacity_ah"),
        pl.col("_i").filter(charging_rows).abs().median().alias("charge_current_a"),
        pl.col("_i").filter(discharging_rows).abs().median().alias("discharge_current_a"),
        (pl.col("_seg") & charging_rows).sum().cast(pl.Int64).alias("charge_segments"),
        (pl.col("_seg") & discharging_rows).sum().cast(pl.Int64).alias("discharge_segments"),
    ]
    if temp_col is not None:
        aggs += [
            pl.col("_tdt").sum().alias("_tdt"),
            pl.col("_wdt").sum().alias("_wdt"),
            pl.col("_temp").fill_nan(None).mean().alias("_tmean"),
        ]
    table = work.group_by("cycle").agg(aggs).sort("cycle")
    if not has_voltage:
        table = table.with_columns(
            pl.lit(None, dtype=pl.Float64).alias("charge_energy_wh"),
            pl.lit(None, dtype=pl.Float64).alias("discharge_energy_wh"),
        )
    if temp_col is not None:
        table = table.with_columns(
            pl.when(pl.col("_wdt") > 0)
            .then(pl.col("_tdt") / pl.col("_wdt"))
            .otherwise(pl.col("_tmean"))
            .alias("mean_temperature_celsius")
        ).drop("_tdt", "_wdt", "_tmean")
    else:
        table = table.with_columns(pl.lit(None, dtype=pl.Float64).alias("mean_temperature_celsius"))

    # ---- derived columns -------------------------------------------------------------
    qc, qd = pl.col("charge_capacity_ah"), pl.col("discharge_capacity_ah")
    ec, ed = pl.col("charge_energy_wh"), pl.col("discharge_energy_wh")
    positive = cell.working_electrode == "positive"
    num, den = (qd, qc) if positive else (qc, qd)
    delivered = "discharge" if positive else "charge"
    conventions["working_electrode"] = cell.working_electrode
    conventions["coulombic_efficiency"] = (
        "discharge_capacity_ah / charge_capacity_ah of the same cycle (positive working electrode)"
        if positive
        else "charge_capacity_ah / discharge_capacity_ah of the same cycle (negative working "
        "electrode: stripping / plating, delithiation / lithiation); null for a cycle "
        "that lacks a charge or a discharge half-cycle"
    )
    both_halves = (pl.col("charge_segments") > 0) & (pl.col("discharge_segments") > 0)
    table = table.with_columns(
        pl.when(both_halves & (den > 0))
        .then(num / den)
        .otherwise(None)
        .alias("coulombic_efficiency"),
        pl.when(qc > 0).then(ec / qc).otherwise(None).alias("mean_charge_voltage_v"),
        pl.when(qd > 0).then(ed / qd).otherwise(None).alias("mean_discharge_voltage_v"),
        pl.when(qc > 0)
        .then(pl.col("cv_charge_capacity_ah") / qc)
        .otherwise(None)
        .alias("cv_charge_fraction"),
    ).with_columns(
        (pl.col("mean_charge_voltage_v") - pl.col("mean_discharge_voltage_v")).alias(
            "voltage_hysteresis_v"
        )
    )
    if not has_voltage:
        table = table.with_columns(
            pl.lit(None, dtype=pl.Float64).alias("cv_charge_capacity_ah"),
            pl.lit(None, dtype=pl.Float64).alias("cv_charge_fraction"),
        )
    conventions["mean_voltage"] = "energy / capacity of the half-cycle"
    conventions["voltage_hysteresis"] = "mean_charge_voltage_v - mean_discharge_voltage_v"

    # mass-normalised
    table, conventions["specific"] = _optional(
        table,
        want=specific,
        available=cell.has_active_mass(),
        raise_missing=cell.active_mass,
        columns=(
            "charge_capacity_mah_g",
            "discharge_capacity_mah_g",
            "charge_energy_wh_kg",
            "discharge_energy_wh_kg",
        ),
        make=lambda: _specific_columns(cell.active_mass()),
        described=lambda: {
            "active_mass_g": cell.active_mass(),
            "basis": "active material (CellSpec.active_mass())",
        },
    )
    table, conventions["areal"] = _optional(
        table,
        want=areal,
        available=cell.area_cm2 is not None,
        raise_missing=cell.area,
        columns=("charge_capacity_mah_cm2", "discharge_capacity_mah_cm2"),
        make=lambda: [
            (qc * 1000.0 / cell.area()).alias("charge_capacity_mah_cm2"),
            (qd * 1000.0 / cell.area()).alias("discharge_capacity_mah_cm2"),
        ],
        described=lambda: {"area_cm2": cell.area()},
    )
    table, conventions["c_rate"] = _optional(
        table,
        want=c_rate,
        available=cell.has_nominal_capacity(),
        raise_missing=cell.nominal_capacity,
        columns=("charge_c_rate", "discharge_c_rate"),
        make=lambda: [
            (pl.col("charge_current_a") / cell.nominal_capacity()).alias("charge_c_rate"),
            (pl.col("discharge_current_a") / cell.nominal_capacity()).alias("discharge_c_rate"),
        ],
        described=lambda: {
            "nominal_capacity_ah": cell.nominal_capacity(),
            "rule": "median |current| of the charging (discharging) rows / nominal capacity",
        },
    )

    # retention
    cycles = table.get_column("cycle").to_list()
    if reference_cycle not in cycles:
        raise CyclingDataError(
            f"reference cycle {reference_cycle} is not in the recording (cycles "
            f"{_span(cycles)}); pass reference_cycle=<one of them>",
            path=path,
        )
    delivered_col = f"{delivered}_capacity_ah"
    ref_value = table.filter(pl.col("cycle") == reference_cycle).get_column(delivered_col)[0]
    if ref_value is None or not ref_value > 0:
        notes.append(
            f"the reference cycle {reference_cycle} delivered no {delivered} capacity; "
            "capacity_retention is null"
        )
        retention = pl.lit(None, dtype=pl.Float64)
    else:
        retention = (
            pl.when(pl.col(f"{delivered}_segments") > 0)
            .then(pl.col(delivered_col) / float(ref_value))
            .otherwise(None)
        )
    table = table.with_columns(retention.alias("capacity_retention"))
    conventions["reference_cycle"] = reference_cycle
    conventions["capacity_retention"] = (
        f"{delivered_col} / {delivered_col} of cycle {reference_cycle} (delivered capacity "
        f"of a {cell.working_electrode} working electrode); null for a cycle without a "
        f"{delivered} half-cycle"
    )
    conventions["duration"] = "sum of the intervals attributed to the cycle"
    conventions["current_columns"] = (
        "charge_current_a / discharge_current_a: median |current| of the rows labelled "
        "charge / discharge"
    )

    # notes on unusual cycles
    odd = table.filter((pl.col("charge_segments") > 1) | (pl.col("discharge_segments") > 1))
    if odd.height:
        notes.append(
            f"cycle(s) {_span(odd.get_column('cycle').to_list())} hold more than one charge or "
            "discharge half-cycle (see charge_segments, discharge_segments)"
        )
    if labelled.info.get("cycle_0"):
        notes.append(str(labelled.info["cycle_0"]))

    table = table.select([c for c in UNITS if c in table.columns])
    source = {
        "path": path,
        "sha256": rec.meta.sha256,
        "format": rec.meta.format,
        "instrument": rec.meta.instrument,
    }
    return CycleTable(
        data=table,
        units={c: UNITS[c] for c in table.columns},
        conventions=conventions,
        cell=cell,
        source=source,
        notes=tuple(notes),
    )


def _span(values: list[Any]) -> str:
    if len(values) <= 12:
        return ", ".join(str(v) for v in values)
    return ", ".join(str(v) for v in values[:10]) + f", ... ({len(values)} in all)"


def _specific_columns(mass_g: float) -> list[pl.Expr]:
    kg = mass_g / 1000.0
    return [
        (pl.col("charge_capacity_ah") * 1000.0 / mass_g).alias("charge_capacity_mah_g"),
        (pl.col("discharge_capacity_ah") * 1000.0 / mass_g).alias("discharge_capacity_mah_g"),
        (pl.col("charge_energy_wh") / kg).alias("charge_energy_wh_kg"),
        (pl.col("discharge_energy_wh") / kg).alias("discharge_energy_wh_kg"),
    ]


def _optional(
    table: pl.DataFrame,
    *,
    want: bool | None,
    available: bool,
    raise_missing: Callable[[], float],
    columns: tuple[str, ...],
    make: Callable[[], list[pl.Expr]],
    described: Callable[[], dict[str, Any]],
) -> tuple[pl.DataFrame, str | dict[str, Any]]:
    """Add columns that need a cell parameter: compute, raise, or null with a reason."""
    if want is True and not available:
        raise_missing()  # raises MissingCellParameterError naming what to pass
        raise MissingCellParameterError(f"cannot compute {columns}")  # pragma: no cover
    if want is False:
        reason = "not requested"
    elif available:
        return table.with_columns(make()), described()
    else:
        try:
            raise_missing()
        except MissingCellParameterError as exc:
            reason = f"not computed: {exc.message}"
        else:  # pragma: no cover - available said otherwise
            reason = "not computed"
    return table.with_columns(pl.lit(None, dtype=pl.Float64).alias(c) for c in columns), reason


def _cv_rows(
    lab: pl.DataFrame, has_voltage: bool, tolerance_v: float, current_drop: float
) -> tuple[pl.Expr, dict[str, Any]]:
    """Expression flagging the rows whose preceding interval belongs to a CV phase."""
    i = pl.col("_i")
    if "step_type" in lab.columns:
        step_type = lab.get_column("step_type").cast(pl.String)
        names = [s for s in step_type.unique().to_list() if s is not None]
        cv_names = [s for s in names if s.strip().upper().startswith("CV")]
        if cv_names:
            return (
                pl.lit(step_type.is_in(cv_names).fill_null(False)) & (i > 0),
                {
                    "method": "step_type",
                    "rule": "charge passed in steps whose step_type starts with 'CV'",
                },
            )
    if not has_voltage:
        return pl.lit(False), {"method": "none", "rule": "not computed: no voltage_volt column"}
    charging = i > 0
    v_max = pl.col("_v").filter(pl.col("_code") == 1).max().over("cycle")
    i_cc = i.filter(pl.col("_code") == 1).max().over("cycle")
    expr = (
        charging & (pl.col("_v") >= v_max - tolerance_v) & (i < (1.0 - current_drop) * i_cc)
    ).fill_null(False)
    return expr, {
        "method": "voltage",
        "rule": "a charging row is in the CV phase when V >= (highest charging V of the cycle) "
        "- voltage_tolerance_v and I < (1 - current_drop) x (largest charging I of the "
        "cycle); the interval ending at such a row counts as CV",
        "voltage_tolerance_v": tolerance_v,
        "current_drop": current_drop,
    }
