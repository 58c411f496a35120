"""Differential scanning calorimetry (DSC): baseline, onset, peak temperature, enthalpy.

The seed heats wet electrodes taken from charged cells at 5 °C/min from 30 to 500 °C and
reports exothermic peaks (NCM811 cathode: ≈214 and ≈270 °C) and enthalpies in J/g. This
module does the same from an export (:func:`read_dsc`) with every choice stated in the
result (:func:`analyse_dsc`):

Sign
    ``exo="up"`` (default) or ``"down"``: the instrument's convention, always printed. Inside
    the analysis an exotherm is positive.
Mass basis
    A heat flow in W (mW, µW) is divided by ``mass_mg``; a heat flow already per mass
    (W/g, mW/mg) is used as exported. The result says which ("per gram of sample as
    weighed, m = 2.50 mg" or "as normalised by the instrument software").
Window and baseline
    The analysis uses the heating rows inside ``window_c`` (default: the whole run except
    its first ``startup_c`` = 10 °C, where the heat flow settles). The baseline is the
    straight line through the mean signal of the first and last ``edge_c`` (2 °C) of the
    window; the net heat flow is the signal minus the baseline.
Peaks
    Local maxima of the net heat flow (smoothed over ``smooth_points`` points for the
    search only) higher than ``min_peak_fraction`` of the largest one, kept when the net
    signal falls by at least ``min_valley_fraction`` of the smaller peak between two of
    them. Each peak is integrated from where the net signal leaves zero before it (or the
    minimum between it and the previous peak) to where it returns (or the next minimum).
Onset
    Extrapolated onset: the tangent at the steepest point of the leading edge meets the
    baseline (net = 0). For a Gaussian peak of width sigma it lies 2 sigma before the maximum.
Enthalpy
    ∫ net dt in J/g, with the time column when there is one, otherwise ``dt = dT/β`` with
    the heating rate ``heating_rate_c_min`` (then required).
Li melting check
    Li melts at 180.5 °C (432 J/g). When an endotherm peaks between 170 and 190 °C its
    onset is reported with its offset from 180.5 °C, a check of the temperature scale.
    An exotherm overlapping it (the seed's Li anode reacts at 170-192 °C) can hide it.

One heating rate gives no kinetics: Kissinger or ASTM E698 need at least three rates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import numpy as np

from elyte.errors import ReaderError, ThermalError
from elyte.thermal._table import Role, load_table

__all__ = [
    "LI_MELTING_C",
    "LI_MELTING_J_G",
    "DscCurve",
    "DscPeak",
    "DscResult",
    "LiMeltingCheck",
    "analyse_dsc",
    "read_dsc",
]

#: Melting point of lithium, °C.
LI_MELTING_C = 180.5
#: Enthalpy of fusion of lithium, J/g (3.0 kJ/mol / 6.94 g/mol).
LI_MELTING_J_G = 432.0

_ROLES = (
    Role("time", ("time", "elapsed time", "t"), "time", False, "time"),
    Role(
        "temperature",
        ("temperature", "temp", "sample temperature", "ts", "t sample", "program temperature"),
        "temperature",
        True,
        "sample temperature",
    ),
    Role(
        "heat_flow",
        (
            "heat flow",
            "heatflow",
            "dsc",
            "hf",
            "heat flow exo up",
            "heat flow exo down",
            "normalized heat flow",
        ),
        "heat_flow",
        True,
        "heat flow",
    ),
)


@dataclass(frozen=True, eq=False)
class DscCurve:
    """A DSC heating run.

    Attributes
    ----------
    temperature_c : numpy.ndarray
        Sample temperature, °C.
    heat_flow : numpy.ndarray
        Heat flow in W, or in W/g when ``specific``.
    specific : bool
        Whether the heat flow is per gram already.
    time_s : numpy.ndarray or None
        Time, s.
    source : str or None
        File read.
    notes : tuple of str
        What was decided while reading.
    columns : dict
        Role → header in the file.
    """

    temperature_c: np.ndarray
    heat_flow: np.ndarray
    specific: bool
    time_s: np.ndarray | None = None
    source: str | None = None
    notes: tuple[str, ...] = ()
    columns: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        temp = np.asarray(self.temperature_c, dtype=float)
        flow = np.asarray(self.heat_flow, dtype=float)
        where = Path(self.source) if self.source else None
        if temp.ndim != 1 or temp.shape != flow.shape or temp.size < 10:
            raise ThermalError(
                "temperature and heat flow must be 1-D arrays of one length (at least 10 rows)",
                path=where,
            )
        if not (np.isfinite(temp).all() and np.isfinite(flow).all()):
            raise ThermalError("temperature and heat flow must be finite", path=where)
        object.__setattr__(self, "temperature_c", temp)
        object.__setattr__(self, "heat_flow", flow)
        if self.time_s is not None:
            t = np.asarray(self.time_s, dtype=float)
            if t.shape != temp.shape or not np.isfinite(t).all():
                raise ThermalError("time must be finite, one value per row", path=where)
            back = np.flatnonzero(np.diff(t) <= 0)
            if back.size:
                raise ThermalError(f"time is not increasing at row {int(back[0]) + 1}", path=where)
            object.__setattr__(self, "time_s", t)


def read_dsc(
    path: str | PathLike[str],
    *,
    columns: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> DscCurve:
    """Read a DSC export (CSV/TSV text or Excel workbook).

    Parameters
    ----------
    path : str or os.PathLike
        The export.
    columns : mapping of str to str, optional
        Role → header: ``temperature``, ``heat_flow``, ``time`` (optional).
    units : mapping of str to str, optional
        Role → unit for headers without one (``{"heat_flow": "mW"}``).
    sheet : str, optional
        Sheet of a workbook.

    Returns
    -------
    DscCurve
        The run; rows without a temperature or heat flow are skipped (noted).

    Raises
    ------
    ColumnMappingError
        If the temperature or heat-flow column is missing or has no usable unit (a raw
        signal in µV cannot be converted).
    ReaderError
        If a cell is not a number or the time goes back.
    """
    source = Path(path)
    table = load_table(source, _ROLES, columns=columns, units=units, sheet=sheet, what="DSC")
    temp = table.values["temperature"]
    flow = table.values["heat_flow"]
    keep = np.isfinite(temp) & np.isfinite(flow)
    notes = list(table.notes)
    time_s = table.values.get("time")
    if time_s is not None:
        keep &= np.isfinite(time_s)
    if (~keep).any():
        notes.append(f"{int((~keep).sum())} row(s) with an empty cell skipped")
    rows = np.flatnonzero(keep)
    if time_s is not None:
        back = np.flatnonzero(np.diff(time_s[rows]) <= 0)
        if back.size:
            i = rows[int(back[0]) + 1]
            raise ReaderError(
                f"time is not increasing at line {table.first_line + int(i)} (column "
                f"{table.headers['time']!r})",
                path=source,
            )
    specific = table.specific["heat_flow"]
    notes.append(
        f"heat flow column {table.headers['heat_flow']!r} in {table.units['heat_flow']}"
        + (" (per mass)" if specific else "")
    )
    return DscCurve(
        temperature_c=temp[rows],
        heat_flow=flow[rows],
        specific=specific,
        time_s=None if time_s is None else time_s[rows],
        source=str(source),
        notes=tuple(notes),
        columns=dict(table.headers),
    )


@dataclass(frozen=True)
class DscPeak:
    """One peak of the net heat flow.

    Attributes
    ----------
    kind : {"exo", "endo"}
        Exotherm or endotherm.
    onset_c : float or None
        Extrapolated onset (tangent intersection), °C.
    peak_c : float
        Temperature of the extreme, °C.
    start_c, end_c : float
        Integration range, °C.
    enthalpy_j_g : float
        Heat released (exo) or absorbed (endo), J/g, positive.
    height_w_g : float
        Net heat flow at the extreme, W/g, positive.
    tangent_c, tangent_w_g : float or None
        The steepest point of the leading edge, where the onset tangent touches, °C and W/g.
    """

    kind: str
    onset_c: float | None
    peak_c: float
    start_c: float
    end_c: float
    enthalpy_j_g: float
    height_w_g: float
    tangent_c: float | None = None
    tangent_w_g: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {
            k: (v if not isinstance(v, float) or math.isfinite(v) else None)
            for k, v in self.__dict__.items()
        }


@dataclass(frozen=True)
class LiMeltingCheck:
    """The Li melting endotherm as a temperature check.

    Attributes
    ----------
    onset_c : float or None
        Extrapolated onset of the endotherm, °C.
    peak_c : float
        Its peak, °C.
    offset_c : float or None
        ``onset_c - 180.5``, °C.
    enthalpy_j_g : float
        Heat absorbed, J/g on the result's mass basis (432 J/g per gram of Li).
    """

    onset_c: float | None
    peak_c: float
    offset_c: float | None
    enthalpy_j_g: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class DscResult:
    """Peaks and enthalpies of a DSC heating run.

    Attributes
    ----------
    source : str or None
        File analysed.
    exo : {"up", "down"}
        Sign convention of the export.
    mass_mg : float or None
        Sample mass used, mg.
    mass_basis : str
        What "per gram" means here.
    window_c : tuple of float
        Temperatures analysed, °C.
    heating_rate_c_min : float
        Heating rate (fitted to the time column, or as given), °C/min.
    peaks : tuple of DscPeak
        Exotherms, in temperature order.
    endotherms : tuple of DscPeak
        Endotherms, in temperature order.
    exo_total_j_g, endo_total_j_g : float
        Integrals of the positive and negative parts of the net heat flow, J/g (both ≥ 0).
    li_melting : LiMeltingCheck or None
        The Li melting check; None with ``li_note`` saying why.
    li_note : str
        Outcome of the Li check.
    temperature_c, net_w_g, baseline_w_g, signal_w_g : numpy.ndarray
        The analysed rows: temperature, net heat flow (exo positive), baseline and signal
        (exo positive), W/g.
    notes : tuple of str
        Every choice made.
    """

    source: str | None
    exo: str
    mass_mg: float | None
    mass_basis: str
    window_c: tuple[float, float]
    heating_rate_c_min: float
    peaks: tuple[DscPeak, ...]
    endotherms: tuple[DscPeak, ...]
    exo_total_j_g: float
    endo_total_j_g: float
    li_melting: LiMeltingCheck | None
    li_note: str
    temperature_c: np.ndarray
    net_w_g: np.ndarray
    baseline_w_g: np.ndarray
    signal_w_g: np.ndarray
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view (arrays left out)."""
        return {
            "source": self.source,
            "exo": self.exo,
            "mass_mg": self.mass_mg,
            "mass_basis": self.mass_basis,
            "window_c": list(self.window_c),
            "heating_rate_c_min": self.heating_rate_c_min,
            "peaks": [p.to_dict() for p in self.peaks],
            "endotherms": [p.to_dict() for p in self.endotherms],
            "exo_total_j_g": self.exo_total_j_g,
            "endo_total_j_g": self.endo_total_j_g,
            "li_melting": self.li_melting.to_dict() if self.li_melting else None,
            "li_note": self.li_note,
            "notes": list(self.notes),
            "units": {
                "mass_mg": "mg",
                "window_c": "degC",
                "heating_rate_c_min": "degC/min",
                "onset_c": "degC",
                "peak_c": "degC",
                "enthalpy_j_g": "J/g",
                "height_w_g": "W/g",
                "exo_total_j_g": "J/g",
                "endo_total_j_g": "J/g",
            },
        }

    def __str__(self) -> str:
        lines = [
            f"DSC {self.source or '<memory>'}: {self.window_c[0]:.1f}-{self.window_c[1]:.1f} degC "
            f"at {self.heating_rate_c_min:.3g} degC/min, exo {self.exo}, {self.mass_basis}"
        ]
        for p in self.peaks:
            onset = f"{p.onset_c:.1f}" if p.onset_c is not None else "-"
            lines.append(
                f"  exotherm: onset {onset} degC, peak {p.peak_c:.1f} degC, "
                f"{p.enthalpy_j_g:.1f} J/g ({p.start_c:.0f}-{p.end_c:.0f} degC)"
            )
        lines.extend(
            f"  endotherm: peak {p.peak_c:.1f} degC, {p.enthalpy_j_g:.1f} J/g"
            for p in self.endotherms
        )
        lines.append(
            f"  total exothermic {self.exo_total_j_g:.1f} J/g, "
            f"endothermic {self.endo_total_j_g:.1f} J/g"
        )
        lines.append(f"  Li melting check: {self.li_note}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def _smooth(y: np.ndarray, points: int) -> np.ndarray:
    if points <= 1 or y.size < points:
        return y
    kernel = np.ones(points) / points
    pad = points // 2
    padded = np.concatenate((np.full(pad, y[0]), y, np.full(points - 1 - pad, y[-1])))
    return np.convolve(padded, kernel, mode="valid")


def _find_peaks(net: np.ndarray, min_fraction: float, valley_fraction: float) -> list[int]:
    """Return the indices of the distinct maxima of ``net`` (positive peaks only)."""
    top = float(net.max()) if net.size else 0.0
    if top <= 0:
        return []
    height = min_fraction * top
    inner = (net[1:-1] >= net[:-2]) & (net[1:-1] > net[2:]) & (net[1:-1] >= height)
    candidates = np.flatnonzero(inner) + 1
    if candidates.size > 200:
        candidates = candidates[np.argsort(net[candidates])[-200:]]
    kept: list[int] = []
    for i in candidates[np.argsort(-net[candidates])].tolist():
        distinct = True
        for j in kept:
            a, b = min(i, j), max(i, j)
            valley = float(net[a : b + 1].min())
            if valley > min(net[i], net[j]) * (1.0 - valley_fraction):
                distinct = False
                break
        if distinct:
            kept.append(i)
    return sorted(kept)


def _peak_ranges(net: np.ndarray, peaks: list[int]) -> list[tuple[int, int]]:
    """Integration range (first, last row) of each peak."""
    ranges = []
    for k, p in enumerate(peaks):
        lo_limit = 0 if k == 0 else peaks[k - 1] + int(np.argmin(net[peaks[k - 1] : p + 1]))
        hi_limit = (
            net.size - 1 if k == len(peaks) - 1 else p + int(np.argmin(net[p : peaks[k + 1] + 1]))
        )
        below = np.flatnonzero(net[lo_limit : p + 1] <= 0)
        start = lo_limit + int(below[-1]) if below.size else lo_limit
        after = np.flatnonzero(net[p : hi_limit + 1] <= 0)
        stop = p + int(after[0]) if after.size else hi_limit
        ranges.append((start, stop))
    return ranges


def _integrate(y: np.ndarray, t: np.ndarray) -> float:
    if y.size < 2:
        return 0.0
    return float(np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(t)))


def _onset(
    temp: np.ndarray, net: np.ndarray, start: int, peak: int
) -> tuple[float | None, float | None, float | None]:
    """``(onset, T at the steepest point, net there)`` of a leading edge."""
    if peak - start < 3:
        return None, None, None
    seg_t, seg_y = temp[start : peak + 1], net[start : peak + 1]
    slope = np.gradient(seg_y, seg_t)
    k = int(np.argmax(slope))
    if slope[k] <= 0:
        return None, None, None
    return float(seg_t[k] - seg_y[k] / slope[k]), float(seg_t[k]), float(seg_y[k])


def _peaks_of(
    kind: str,
    temp: np.ndarray,
    net: np.ndarray,
    clock: np.ndarray,
    smooth_points: int,
    min_fraction: float,
    valley_fraction: float,
) -> list[DscPeak]:
    found = _find_peaks(_smooth(net, smooth_points), min_fraction, valley_fraction)
    out = []
    for (start, stop), p in zip(_peak_ranges(net, found), found, strict=True):
        part = slice(start, stop + 1)
        onset, tangent_c, tangent_y = _onset(temp, net, start, p)
        out.append(
            DscPeak(
                kind=kind,
                onset_c=onset,
                peak_c=float(temp[p]),
                start_c=float(temp[start]),
                end_c=float(temp[stop]),
                enthalpy_j_g=_integrate(net[part], clock[part]),
                height_w_g=float(net[p]),
                tangent_c=tangent_c,
                tangent_w_g=tangent_y,
            )
        )
    return out


def analyse_dsc(
    curve: DscCurve,
    *,
    mass_mg: float | None = None,
    exo: Literal["up", "down"] = "up",
    window_c: tuple[float, float] | None = None,
    heating_rate_c_min: float | None = None,
    startup_c: float = 10.0,
    edge_c: float = 2.0,
    smooth_points: int = 5,
    min_peak_fraction: float = 0.05,
    min_valley_fraction: float = 0.2,
    li_check: bool = True,
) -> DscResult:
    """Analyse a DSC heating run (see the module docstring for every choice).

    Parameters
    ----------
    curve : DscCurve
        The run.
    mass_mg : float, optional
        Sample mass, mg; required when the heat flow is in W (not per gram).
    exo : {"up", "down"}
        Direction of an exotherm in the export.
    window_c : tuple of float, optional
        Temperatures to analyse, °C.
    heating_rate_c_min : float, optional
        Heating rate, °C/min; required without a time column.
    startup_c : float
        Without ``window_c``: the first this many °C are left out.
    edge_c : float
        Width of the baseline anchors at both ends of the window, °C.
    smooth_points : int
        Moving-average width for the peak search, points.
    min_peak_fraction : float
        Smallest peak kept, as a fraction of the largest.
    min_valley_fraction : float
        Two maxima are distinct peaks when the signal between them falls by this fraction of
        the smaller one.
    li_check : bool
        Look for the Li melting endotherm.

    Returns
    -------
    DscResult
        Peaks, onsets, enthalpies and the Li check.

    Raises
    ------
    ThermalError
        For a missing mass or heating rate, a bad window, or a window where the temperature
        is not rising.
    """
    where = Path(curve.source) if curve.source else None
    if exo not in ("up", "down"):
        raise ThermalError(f"exo must be 'up' or 'down', not {exo!r}", path=where)
    notes = list(curve.notes)
    if curve.specific:
        flow = curve.heat_flow
        basis = "per gram as normalised by the instrument software"
        if mass_mg is not None:
            notes.append(f"heat flow already per mass: mass_mg = {mass_mg:g} only reported")
    else:
        if mass_mg is None or not (math.isfinite(mass_mg) and mass_mg > 0):
            raise ThermalError(
                "the heat flow is in W, not per gram: pass the sample mass (mass_mg)", path=where
            )
        flow = curve.heat_flow / (mass_mg * 1e-3)
        basis = f"per gram of sample as weighed (m = {mass_mg:g} mg)"
    signal = flow if exo == "up" else -flow
    temp_all = curve.temperature_c
    if window_c is None:
        lo, hi = float(temp_all.min()) + startup_c, float(temp_all.max())
        notes.append(f"window: the whole run except its first {startup_c:g} degC")
    else:
        lo, hi = float(window_c[0]), float(window_c[1])
    if not hi - lo > 2 * edge_c:
        raise ThermalError(
            f"window {lo:.1f}-{hi:.1f} degC is too narrow for baseline anchors of {edge_c:g} degC",
            path=where,
        )
    rows = np.flatnonzero((temp_all >= lo) & (temp_all <= hi))
    if rows.size < 10:
        raise ThermalError(f"fewer than 10 rows in {lo:.1f}-{hi:.1f} degC", path=where)
    rows = np.arange(rows[0], rows[-1] + 1)
    temp = temp_all[rows]
    drop = np.maximum.accumulate(temp) - temp
    if drop.max() > 0.5:
        i = int(np.argmax(drop > 0.5))
        raise ThermalError(
            f"the temperature falls at {temp[i]:.1f} degC inside the window: analyse one heating "
            "segment (window_c) at a time",
            path=where,
        )
    if curve.time_s is not None:
        clock = curve.time_s[rows]
        fitted = float(np.polyfit(clock, temp, 1)[0] * 60.0)
        if (
            heating_rate_c_min is not None
            and abs(fitted - heating_rate_c_min) > 0.05 * heating_rate_c_min
        ):
            notes.append(
                f"heating rate given {heating_rate_c_min:g} degC/min but the time column says "
                f"{fitted:.3g} degC/min; the time column is used"
            )
        rate = fitted
    else:
        if heating_rate_c_min is None or not heating_rate_c_min > 0:
            raise ThermalError(
                "no time column: pass heating_rate_c_min to integrate over temperature", path=where
            )
        rate = float(heating_rate_c_min)
        clock = (temp - temp[0]) / (rate / 60.0)
        notes.append(f"no time column: dt = dT / ({rate:g} degC/min)")
    sig = signal[rows]
    first = temp <= temp[0] + edge_c
    last = temp >= temp[-1] - edge_c
    t1, y1 = float(temp[first].mean()), float(sig[first].mean())
    t2, y2 = float(temp[last].mean()), float(sig[last].mean())
    baseline = y1 + (y2 - y1) * (temp - t1) / (t2 - t1)
    notes.append(
        f"linear baseline through the mean signal of {temp[0]:.1f}-{temp[0] + edge_c:.1f} and "
        f"{temp[-1] - edge_c:.1f}-{temp[-1]:.1f} degC"
    )
    net = sig - baseline
    peaks = _peaks_of(
        "exo", temp, net, clock, smooth_points, min_peak_fraction, min_valley_fraction
    )
    endos = _peaks_of(
        "endo", temp, -net, clock, smooth_points, min_peak_fraction, min_valley_fraction
    )
    exo_total = _integrate(np.maximum(net, 0.0), clock)
    endo_total = _integrate(np.maximum(-net, 0.0), clock)
    li: LiMeltingCheck | None = None
    if not li_check:
        li_note = "not asked for"
    elif not (lo <= LI_MELTING_C - 5 and hi >= LI_MELTING_C + 5):
        li_note = f"the window does not include {LI_MELTING_C} degC"
    else:
        near = [p for p in endos if 170.0 <= p.peak_c <= 190.0]
        if near:
            p = max(near, key=lambda e: e.height_w_g)
            offset = None if p.onset_c is None else p.onset_c - LI_MELTING_C
            li = LiMeltingCheck(p.onset_c, p.peak_c, offset, p.enthalpy_j_g)
            li_note = (
                f"endotherm onset {p.onset_c:.1f} degC (Li melts at {LI_MELTING_C} degC: offset "
                f"{offset:+.1f} degC), {p.enthalpy_j_g:.1f} J/g"
                if p.onset_c is not None and offset is not None
                else f"endotherm at {p.peak_c:.1f} degC without a clear onset"
            )
        else:
            li_note = (
                f"no endotherm peaking at 170-190 degC (Li melts at {LI_MELTING_C} degC); an "
                "overlapping exotherm can hide it"
            )
    notes.append("one heating rate gives no kinetics (Kissinger / ASTM E698 need >= 3 rates)")
    return DscResult(
        source=curve.source,
        exo=exo,
        mass_mg=mass_mg,
        mass_basis=basis,
        window_c=(float(temp[0]), float(temp[-1])),
        heating_rate_c_min=rate,
        peaks=tuple(peaks),
        endotherms=tuple(endos),
        exo_total_j_g=exo_total,
        endo_total_j_g=endo_total,
        li_melting=li,
        li_note=li_note,
        temperature_c=temp,
        net_w_g=net,
        baseline_w_g=baseline,
        signal_w_g=sig,
        notes=tuple(notes),
    )
