"""Accelerating rate calorimetry (ARC) in heat-wait-search (HWS) mode.

Reading
    :func:`read_arc` reads a CSV/TSV or Excel export into an :class:`ArcRecording`: time,
    sample temperature, optionally the jacket (heater) temperature, the pressure and the
    instrument's mode flag. Columns are found by usual names or by ``columns={role:
    header}``; units come from the headers (or ``units={role: unit}``) and are never
    guessed. Time must increase: a row whose time goes back is an error naming the line.

Segmentation (:func:`segment_arc`)
    From the mode flag when the export has one (``heat``, ``wait``, ``search``,
    ``exotherm``; other spellings through ``mode_labels``). Without a flag the pattern is
    inferred from the temperature: a *heat step* is a run of rows rising faster than
    ``heat_rate_min_c_min`` by no more than 1.5 heat steps; between heat steps the sample
    is quiet (wait, then search). The length ``D`` of a wait + search cycle is the median
    length of the quiet intervals that end in a heat step (or ``wait_min + search_min`` when
    given); the search is the last ``search_min`` of it (default ``D/3``, an assumption
    stated in the notes). An exotherm is detected, like the instrument does, where the
    mean rate over the search window reaches the detection threshold; it lasts until the
    next heat step or the end of the data.

Analysis (:func:`analyse_arc`)
    Self-heating rate (SHR)
        Over exotherm segments only, up to each segment's maximum temperature. The time at
        which the sample passes each temperature of a grid of ``smoothing_c`` (default
        0.2 °C) is interpolated and ``SHR = ΔT/Δt`` is assigned to the middle of the cell:
        the derivative is smoothed over a fixed temperature step, which suits both the
        slow start (0.03 °C/min) and the runaway (hundreds of °C/min).
    T_onset
        The temperature at which the first exotherm was detected (the start of the first
        exotherm segment), with the detection threshold it refers to.
    T_tr
        Where the SHR first reaches the criterion, interpolated in ln(SHR). The criterion is
        always a parameter and always printed: the seed uses 1 °C/min, Feng et al. 1 °C/s
        (60x higher; METHODS.md, not verified by us). When the SHR already exceeds the
        criterion at the detection, T_tr is T_onset and flagged ``at_detection``.
    T_max, time to maximum rate, adiabatic rise
        T_max is the highest sample temperature after the onset; the time to maximum rate
        counts from the detection to the maximum SHR; ``ΔT_ad = T_max - T_onset``.
    φ-factor
        ``φ = 1 + m_c·c_p,c / (m_s·c_p,s)`` (default 1, always stated): ``ΔT_ad,corr =
        φ·ΔT_ad``, ``T_max,corr = T_onset + φ·ΔT_ad`` and ``SHR_max,corr = φ·SHR_max``.
        T_onset and T_tr are reported as measured.
    Arrhenius fit
        Least squares of ln(SHR / (K/s)) against 1/T over a window (default: the first
        10 % of the adiabatic rise after T_onset, where a zero-order approximation holds):
        ``ln(dT/dt) = ln(A·ΔT_ad) - Ea/(R·T)`` (Townsend & Tou, Thermochim. Acta 37 (1980)
        1). With several reactions overlapping the Ea is an *apparent* one.

A run without any exotherm is a result (``no self-heating detected up to T``), not an
error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import numpy as np

from elyte._json import jsonable as _clean
from elyte.errors import ReaderError, ThermalError
from elyte.thermal._table import Role, load_table
from elyte.units import GAS_CONSTANT

__all__ = [
    "DEFAULT_CRITERION_C_MIN",
    "DEFAULT_THRESHOLD_C_MIN",
    "MODES",
    "ArcRecording",
    "ArcResult",
    "ArrheniusFit",
    "Exotherm",
    "Segment",
    "Segmentation",
    "ShrCurve",
    "ThermalRunawayPoint",
    "analyse_arc",
    "parse_rate",
    "read_arc",
    "segment_arc",
    "self_heating_rate",
]

#: The seed's thermal-runaway criterion, °C/min.
DEFAULT_CRITERION_C_MIN = 1.0
#: The seed's detection threshold, °C/min (0.02 °C/min is a common instrument default).
DEFAULT_THRESHOLD_C_MIN = 0.03
#: Canonical instrument modes.
MODES = ("heat", "wait", "search", "exotherm", "other")

Mode = Literal["heat", "wait", "search", "exotherm", "other"]

_KELVIN = 273.15

_MODE_WORDS: dict[str, str] = {
    "heat": "heat",
    "heating": "heat",
    "h": "heat",
    "heat step": "heat",
    "ramp": "heat",
    "wait": "wait",
    "waiting": "wait",
    "w": "wait",
    "soak": "wait",
    "equilibrate": "wait",
    "equilibration": "wait",
    "search": "search",
    "searching": "search",
    "seek": "search",
    "s": "search",
    "exotherm": "exotherm",
    "exo": "exotherm",
    "exothermic": "exotherm",
    "e": "exotherm",
    "track": "exotherm",
    "tracking": "exotherm",
    "exotherm tracking": "exotherm",
    "cool": "other",
    "cooling": "other",
    "end": "other",
    "stop": "other",
    "idle": "other",
    "": "other",
}

_ROLES = (
    Role(
        "time",
        ("time", "elapsed time", "test time", "time elapsed", "run time", "runtime", "t"),
        "time",
        True,
        "time",
    ),
    Role(
        "temperature",
        (
            "sample temperature",
            "temperature",
            "sample temp",
            "temp",
            "t sample",
            "tsample",
            "sample",
            "tc",
            "bomb temperature",
            "cell temperature",
        ),
        "temperature",
        True,
        "sample temperature",
    ),
    Role(
        "jacket",
        (
            "jacket temperature",
            "heater temperature",
            "jacket temp",
            "jacket",
            "heater",
            "t jacket",
            "tj",
            "shield temperature",
            "chamber temperature",
        ),
        "temperature",
        False,
        "jacket (heater) temperature",
    ),
    Role("pressure", ("pressure", "sample pressure", "p"), "pressure", False, "pressure"),
    Role("mode", ("mode", "state", "phase", "status", "hws mode", "step"), None, False, "mode"),
)


def parse_rate(value: float | str) -> float:
    """Read a temperature rate and return it in °C/min.

    Numbers are °C/min. Text may carry a unit: ``"1C/min"``, ``"1 °C/min"``,
    ``"0.03 degC/min"``, ``"1C/s"``, ``"60 K/min"``, ``"1 °C s-1"``.

    Raises
    ------
    ThermalError
        If the value is not a positive rate.

    Examples
    --------
    >>> parse_rate("1C/s")
    60.0
    >>> parse_rate("0.03 °C/min")
    0.03
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        rate = float(value)
    else:
        text = str(value).strip().replace("℃", "C").replace("°", "").replace(" ", "")
        text = text.replace("degC", "C").replace("deg", "C")
        match = re.fullmatch(
            r"([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)(?:([CK])(?:/|\*?)(min|s|h|min-1|s-1|h-1))?",
            text,
        )
        if match is None:
            raise ThermalError(
                f"cannot read the rate {value!r}; write e.g. '1C/min', '1C/s' or a number "
                "in degC/min"
            )
        rate = float(match.group(1))
        per = (match.group(3) or "min").removesuffix("-1")
        rate *= {"min": 1.0, "s": 60.0, "h": 1.0 / 60.0}[per]
    if not (math.isfinite(rate) and rate > 0):
        raise ThermalError(f"a rate must be positive and finite, not {value!r}")
    return rate


def _fmt_rate(rate_c_min: float) -> str:
    if rate_c_min >= 60.0 and math.isclose(rate_c_min % 60.0, 0.0, abs_tol=1e-9):
        return f"{rate_c_min / 60.0:g} degC/s"
    return f"{rate_c_min:g} degC/min"


# --------------------------------------------------------------------------- recording
@dataclass(frozen=True, eq=False)
class ArcRecording:
    """An ARC run: time, sample temperature and what else the export holds.

    Attributes
    ----------
    time_s : numpy.ndarray
        Time, s, strictly increasing.
    temperature_c : numpy.ndarray
        Sample temperature, °C.
    jacket_c : numpy.ndarray or None
        Jacket (heater) temperature, °C.
    pressure_bar : numpy.ndarray or None
        Pressure, bar.
    mode : numpy.ndarray or None
        Instrument mode of each row (one of :data:`MODES`), from the flag column.
    source : str or None
        File read.
    simulated : bool
        True for runs written by :mod:`elyte.thermal.runaway`.
    notes : tuple of str
        Everything decided while reading.
    columns : dict
        Role → header in the file.
    """

    time_s: np.ndarray
    temperature_c: np.ndarray
    jacket_c: np.ndarray | None = None
    pressure_bar: np.ndarray | None = None
    mode: np.ndarray | None = None
    source: str | None = None
    simulated: bool = False
    notes: tuple[str, ...] = ()
    columns: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        time_s = np.asarray(self.time_s, dtype=float)
        temp = np.asarray(self.temperature_c, dtype=float)
        where = Path(self.source) if self.source else None
        if time_s.ndim != 1 or time_s.shape != temp.shape:
            raise ThermalError("time and temperature must be 1-D arrays of one length", path=where)
        if time_s.size < 2:
            raise ThermalError(f"an ARC run needs at least 2 rows, not {time_s.size}", path=where)
        for label, arr in (("time", time_s), ("temperature", temp)):
            bad = np.flatnonzero(~np.isfinite(arr))
            if bad.size:
                raise ThermalError(f"{label} is not finite at row {int(bad[0])}", path=where)
        back = np.flatnonzero(np.diff(time_s) <= 0)
        if back.size:
            i = int(back[0])
            raise ThermalError(
                f"time is not increasing at row {i + 1} ({time_s[i]:g} s then {time_s[i + 1]:g} s)",
                path=where,
            )
        object.__setattr__(self, "time_s", time_s)
        object.__setattr__(self, "temperature_c", temp)
        for name in ("jacket_c", "pressure_bar"):
            arr = getattr(self, name)
            if arr is not None:
                arr = np.asarray(arr, dtype=float)
                if arr.shape != time_s.shape:
                    raise ThermalError(f"{name} must have one value per row", path=where)
                object.__setattr__(self, name, arr)
        if self.mode is not None:
            mode = np.asarray(self.mode).astype(str)
            if mode.shape != time_s.shape:
                raise ThermalError("mode must have one value per row", path=where)
            unknown = sorted(set(np.unique(mode).tolist()) - set(MODES))
            if unknown:
                raise ThermalError(f"unknown modes {unknown}; use one of {list(MODES)}", path=where)
            object.__setattr__(self, "mode", mode)

    def __len__(self) -> int:
        return int(self.time_s.size)

    def __repr__(self) -> str:
        src = Path(self.source).name if self.source else "<memory>"
        sim = ", simulated" if self.simulated else ""
        return (
            f"ArcRecording({len(self)} rows, {self.temperature_c.min():.1f}-"
            f"{self.temperature_c.max():.1f} degC, from {src}{sim})"
        )


def read_arc(
    path: str | PathLike[str],
    *,
    columns: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    mode_labels: Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> ArcRecording:
    """Read an ARC export (CSV/TSV text or Excel workbook).

    Parameters
    ----------
    path : str or os.PathLike
        The export.
    columns : mapping of str to str, optional
        Role → header, roles ``time``, ``temperature`` (sample), ``jacket``, ``pressure``,
        ``mode``. Without it the usual names are tried (``Time``, ``Sample temperature``,
        ``Temperature``, ``Jacket temperature``, ``Pressure``, ``Mode``).
    units : mapping of str to str, optional
        Role → unit for headers without one (``{"time": "min"}``).
    mode_labels : mapping of str to str, optional
        The export's mode words → ``heat``, ``wait``, ``search``, ``exotherm`` or
        ``other`` (case-insensitive), added to the usual words.
    sheet : str, optional
        Sheet of a workbook.

    Returns
    -------
    ArcRecording
        The run. ``simulated`` is true when a comment line above the header says the file
        was simulated.

    Raises
    ------
    ColumnMappingError
        If there is no time or sample-temperature column, or a unit is missing or wrong.
    ReaderError
        If a cell is not a number, the time goes back, or a mode word is unknown.
    """
    source = Path(path)
    table = load_table(source, _ROLES, columns=columns, units=units, sheet=sheet, what="ARC")
    time_s = table.values["time"]
    temp = table.values["temperature"]
    notes = list(table.notes)
    keep = np.isfinite(time_s) & np.isfinite(temp)
    dropped = int(keep.size - keep.sum())
    if dropped:
        notes.append(f"{dropped} row(s) without time or sample temperature skipped")
    rows = np.flatnonzero(keep)
    if rows.size < 2:
        raise ReaderError("fewer than 2 rows with a time and a sample temperature", path=source)
    t = time_s[rows]
    step = np.diff(t)
    back = np.flatnonzero(step < 0)
    if back.size:
        i = rows[int(back[0]) + 1]
        raise ReaderError(
            f"time is not monotonic: line {table.first_line + int(i)} has {time_s[i]:g} s after "
            f"{time_s[rows[int(back[0])]]:g} s (column {table.headers['time']!r}); an ARC "
            "export must be in time order",
            path=source,
        )
    same = np.flatnonzero(step == 0)
    if same.size:
        rows = np.delete(rows, same + 1)
        notes.append(
            f"{same.size} row(s) repeating the previous time skipped (first at line "
            f"{table.first_line + int(same[0]) + 1})"
        )
    mode = None
    if "mode" in table.text:
        words = {**_MODE_WORDS, **{k.strip().lower(): v for k, v in (mode_labels or {}).items()}}
        bad_targets = sorted(set(words.values()) - set(MODES))
        if bad_targets:
            raise ReaderError(
                f"mode_labels may map only to {list(MODES)}, not {bad_targets}", path=source
            )
        raw = np.char.lower(table.text["mode"][rows])
        uniq, inverse = np.unique(raw, return_inverse=True)
        unknown = [u for u in uniq.tolist() if u not in words]
        if unknown:
            raise ReaderError(
                f"unknown mode word(s) {unknown[:8]} in column {table.headers['mode']!r}; pass "
                "mode_labels={'<word>': 'heat'|'wait'|'search'|'exotherm'|'other'}",
                path=source,
            )
        mode = np.asarray([words[u] for u in uniq.tolist()])[inverse]
    simulated = any("simulated" in c.lower() for c in table.comments)
    if simulated:
        notes.append("the file says it is simulated (comment line above the header)")
    return ArcRecording(
        time_s=time_s[rows],
        temperature_c=temp[rows],
        jacket_c=table.values["jacket"][rows] if "jacket" in table.values else None,
        pressure_bar=table.values["pressure"][rows] if "pressure" in table.values else None,
        mode=mode,
        source=str(source),
        simulated=simulated,
        notes=tuple(notes),
        columns=dict(table.headers),
    )


# --------------------------------------------------------------------------- segments
@dataclass(frozen=True)
class Segment:
    """A run of rows in one mode: rows ``start`` to ``stop - 1``.

    Attributes
    ----------
    mode : str
        One of :data:`MODES`.
    start, stop : int
        First row and one past the last row.
    """

    mode: str
    start: int
    stop: int


@dataclass(frozen=True)
class Segmentation:
    """The modes of an ARC run.

    Attributes
    ----------
    mode : numpy.ndarray
        Mode of every row.
    segments : tuple of Segment
        Runs of one mode, in order.
    source : {"flag", "inferred"}
        From the export's mode column, or inferred from the temperature.
    notes : tuple of str
        Assumptions of the inference.
    """

    mode: np.ndarray
    segments: tuple[Segment, ...]
    source: str
    notes: tuple[str, ...] = ()

    def of(self, mode: str) -> tuple[Segment, ...]:
        """Segments of one mode."""
        return tuple(s for s in self.segments if s.mode == mode)


def _runs(mode: np.ndarray) -> tuple[Segment, ...]:
    edges = np.flatnonzero(mode[1:] != mode[:-1]) + 1
    starts = np.concatenate(([0], edges))
    stops = np.concatenate((edges, [mode.size]))
    return tuple(
        Segment(str(mode[a]), int(a), int(b))
        for a, b in zip(starts.tolist(), stops.tolist(), strict=True)
    )


def segment_arc(
    rec: ArcRecording,
    *,
    use_flag: bool = True,
    step_c: float = 5.0,
    threshold_c_min: float = DEFAULT_THRESHOLD_C_MIN,
    heat_rate_min_c_min: float = 0.5,
    rate_window_s: float = 60.0,
    wait_min: float | None = None,
    search_min: float | None = None,
) -> Segmentation:
    """Heat/wait/search/exotherm segments of a run.

    Parameters
    ----------
    rec : ArcRecording
        The run.
    use_flag : bool
        Use the export's mode column when there is one (default); False infers the
        segments even then (to check the inference).
    step_c : float
        Heat step, °C (inference only).
    threshold_c_min : float
        Detection threshold, °C/min (inference only).
    heat_rate_min_c_min : float
        Rows rising faster than this, °C/min, belong to a heat step unless the run of them
        rises by more than 1.5 heat steps (inference only).
    rate_window_s : float
        The rate of each row is taken over this time window centred on it, s, so that
        noise on fast-logged data does not break a heat step apart (inference only).
    wait_min, search_min : float, optional
        Wait and search durations, min (inference only; estimated when omitted).

    Returns
    -------
    Segmentation
        Modes of the rows.
    """
    if use_flag and rec.mode is not None:
        return Segmentation(rec.mode, _runs(rec.mode), "flag")
    if not (math.isfinite(rate_window_s) and rate_window_s > 0):
        raise ThermalError(f"rate_window_s must be positive, not {rate_window_s!r}")
    return _infer(
        rec,
        step_c,
        parse_rate(threshold_c_min),
        heat_rate_min_c_min,
        rate_window_s,
        wait_min,
        search_min,
    )


def _infer(
    rec: ArcRecording,
    step_c: float,
    threshold_c_min: float,
    heat_rate_min_c_min: float,
    rate_window_s: float,
    wait_min: float | None,
    search_min: float | None,
) -> Segmentation:
    t, temp = rec.time_s, rec.temperature_c
    n = t.size
    notes: list[str] = []
    half = rate_window_s / 2.0
    early, late = np.maximum(t - half, t[0]), np.minimum(t + half, t[-1])
    rate = (np.interp(late, t, temp) - np.interp(early, t, temp)) / (late - early) * 60.0
    fast = rate >= heat_rate_min_c_min
    # runs of fast rows: rows start .. stop - 1
    padded = np.concatenate(([False], fast, [False])).astype(np.int8)
    starts = np.flatnonzero(np.diff(padded) == 1)
    stops = np.flatnonzero(np.diff(padded) == -1)
    gain = temp[np.minimum(stops, n - 1)] - temp[starts]
    is_heat = (gain <= 1.5 * step_c) & (gain >= 0.1 * step_c)
    heat_start, heat_stop = starts[is_heat], stops[is_heat]  # rows start .. stop (exclusive)
    mode = np.full(n, "wait", dtype="<U8")
    for a, b in zip(heat_start.tolist(), heat_stop.tolist(), strict=True):
        mode[a:b] = "heat"
    # quiet intervals: from the end of one heat step to the start of the next
    q_start = np.concatenate(([0], heat_stop))
    q_stop = np.concatenate((heat_start, [n]))
    valid = q_stop > q_start
    q_start, q_stop = q_start[valid], q_stop[valid]
    closed = q_stop < n
    durations = t[np.minimum(q_stop, n - 1)] - t[q_start]
    if wait_min is not None and search_min is not None:
        cycle_s = (wait_min + search_min) * 60.0
    elif closed.any():
        cycle_s = float(np.median(durations[closed]))
        notes.append(
            f"wait + search length taken as the median quiet interval between heat steps, "
            f"{cycle_s / 60:.1f} min"
        )
    else:
        cycle_s = 0.0
        notes.append("no complete heat-wait-search cycle: detection checked from the first row")
    if search_min is not None:
        search_s = search_min * 60.0
    elif wait_min is not None and cycle_s > wait_min * 60.0:
        search_s = cycle_s - wait_min * 60.0
    else:
        search_s = max(cycle_s / 3.0, 60.0)
        notes.append(
            f"search window assumed {search_s / 60:.1f} min (a third of the cycle); pass "
            "search_min to set it"
        )
    threshold = threshold_c_min
    for a, b in zip(q_start.tolist(), q_stop.tolist(), strict=True):
        tq, temp_q = t[a:b], temp[a:b]
        check_from = t[a] + cycle_s - 1e-6
        search_from = t[a] + cycle_s - search_s
        mode[a:b][tq >= search_from] = "search"
        candidates = np.flatnonzero((tq >= check_from) & (tq - t[a] >= search_s - 1e-6))
        if candidates.size == 0:
            continue
        window_start = tq[candidates] - search_s
        temp_then = np.interp(window_start, tq, temp_q)
        slope = (temp_q[candidates] - temp_then) / search_s * 60.0
        hit = np.flatnonzero(slope >= threshold)
        if hit.size:
            first = a + int(candidates[hit[0]])
            mode[first:b] = "exotherm"
    notes.append(
        f"segments inferred from the temperature: heat steps rise faster than "
        f"{heat_rate_min_c_min:g} degC/min (over {rate_window_s:g} s) by at most "
        f"{1.5 * step_c:g} degC; an exotherm is "
        f"detected when the mean rate over the search window reaches {threshold_c_min:g} degC/min"
    )
    return Segmentation(mode, _runs(mode), "inferred", tuple(notes))


# --------------------------------------------------------------------------- SHR
@dataclass(frozen=True)
class ShrCurve:
    """Self-heating rate over the exotherm segments.

    Attributes
    ----------
    temperature_c : numpy.ndarray
        Middle of each temperature cell, °C.
    shr_c_min : numpy.ndarray
        Self-heating rate, °C/min (as measured, φ not applied).
    time_s : numpy.ndarray
        Time at the middle of each cell, s.
    segment : numpy.ndarray
        Index of the exotherm (0 = first) each point belongs to.
    smoothing_c : float
        Temperature step of the derivative, °C.
    """

    temperature_c: np.ndarray
    shr_c_min: np.ndarray
    time_s: np.ndarray
    segment: np.ndarray
    smoothing_c: float

    def __len__(self) -> int:
        return int(self.temperature_c.size)


def _segment_shr(
    t: np.ndarray, temp: np.ndarray, step: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SHR on a temperature grid of ``step`` for one exotherm (rising part only)."""
    peak = int(np.argmax(temp))
    t, temp = t[: peak + 1], np.maximum.accumulate(temp[: peak + 1])
    rise = temp[-1] - temp[0]
    if t.size < 2 or rise <= 0:
        return np.empty(0), np.empty(0), np.empty(0)
    if rise < step:  # one cell: the mean rate
        return (
            np.array([(temp[0] + temp[-1]) / 2]),
            np.array([rise / (t[-1] - t[0]) * 60.0]),
            np.array([(t[0] + t[-1]) / 2]),
        )
    keep = np.concatenate(([True], np.diff(temp) > 0))  # first time at each temperature
    t, temp = t[keep], temp[keep]
    edges = temp[0] + step * np.arange(int(np.floor(rise / step)) + 1)
    times = np.interp(edges, temp, t)
    dt = np.diff(times)
    ok = dt > 0
    mid_t = 0.5 * (edges[1:] + edges[:-1])
    return mid_t[ok], (step / dt[ok]) * 60.0, 0.5 * (times[1:] + times[:-1])[ok]


def self_heating_rate(
    rec: ArcRecording, segmentation: Segmentation, *, smoothing_c: float = 0.2
) -> ShrCurve:
    """Self-heating rate over the exotherm segments (see the module docstring).

    Raises
    ------
    ThermalError
        If ``smoothing_c`` is not positive.
    """
    if not (math.isfinite(smoothing_c) and smoothing_c > 0):
        raise ThermalError(f"smoothing_c must be a positive temperature step, not {smoothing_c!r}")
    parts_t, parts_r, parts_time, parts_seg = [], [], [], []
    for k, seg in enumerate(segmentation.of("exotherm")):
        temp_mid, shr, time_mid = _segment_shr(
            rec.time_s[seg.start : seg.stop], rec.temperature_c[seg.start : seg.stop], smoothing_c
        )
        parts_t.append(temp_mid)
        parts_r.append(shr)
        parts_time.append(time_mid)
        parts_seg.append(np.full(temp_mid.size, k))
    if not parts_t:
        empty = np.empty(0)
        return ShrCurve(empty, empty, empty, np.empty(0, dtype=int), smoothing_c)
    return ShrCurve(
        np.concatenate(parts_t),
        np.concatenate(parts_r),
        np.concatenate(parts_time),
        np.concatenate(parts_seg).astype(int),
        smoothing_c,
    )


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class ThermalRunawayPoint:
    """T_tr at one criterion.

    Attributes
    ----------
    criterion_c_min : float
        The criterion, °C/min.
    temperature_c : float or None
        T_tr, °C; None when the SHR never reached the criterion.
    time_s : float or None
        Time of T_tr, s.
    at_detection : bool
        The SHR already exceeded the criterion when the exotherm was detected (T_tr =
        T_onset).
    """

    criterion_c_min: float
    temperature_c: float | None
    time_s: float | None
    at_detection: bool

    @property
    def label(self) -> str:
        """The criterion as text (``1 degC/min``, ``1 degC/s``)."""
        return _fmt_rate(self.criterion_c_min)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        out: dict[str, Any] = _clean(self.__dict__)
        out["criterion"] = self.label
        return out


@dataclass(frozen=True)
class ArrheniusFit:
    """Zero-order Arrhenius fit of the self-heating rate.

    Attributes
    ----------
    window_c : tuple of float
        Temperature window, °C.
    points : int
        SHR points in the window.
    ea_j_mol : float
        Apparent activation energy, J/mol.
    ln_a_dtad : float
        Intercept ``ln(A·ΔT_ad / K s⁻¹)``.
    a_per_s : float or None
        ``A = exp(intercept) / ΔT_ad`` with the (φ-corrected) adiabatic rise, 1/s.
    r_squared : float
        Coefficient of determination of the line.
    """

    window_c: tuple[float, float]
    points: int
    ea_j_mol: float
    ln_a_dtad: float
    a_per_s: float | None
    r_squared: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        out: dict[str, Any] = _clean(self.__dict__)
        out["ea_kj_mol"] = self.ea_j_mol / 1e3
        return out


@dataclass(frozen=True)
class Exotherm:
    """One exotherm segment.

    Attributes
    ----------
    start_c, end_c, max_c : float
        Temperature at the detection, at the end of the segment and its maximum, °C.
    start_time_s, end_time_s : float
        Times of the start and end, s.
    max_shr_c_min : float or None
        Highest SHR in the segment, °C/min.
    """

    start_c: float
    end_c: float
    max_c: float
    start_time_s: float
    end_time_s: float
    max_shr_c_min: float | None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        out: dict[str, Any] = _clean(self.__dict__)
        return out


_UNITS = {
    "threshold_c_min": "degC/min",
    "onset_c": "degC",
    "onset_time_s": "s",
    "t_max_c": "degC",
    "t_max_time_s": "s",
    "max_shr_c_min": "degC/min",
    "max_shr_temperature_c": "degC",
    "time_to_max_rate_s": "s",
    "adiabatic_rise_c": "degC",
    "adiabatic_rise_corrected_c": "degC",
    "t_max_corrected_c": "degC",
    "max_shr_corrected_c_min": "degC/min",
    "max_pressure_bar": "bar",
    "smoothing_c": "degC",
    "end_temperature_c": "degC",
    "phi": "1",
}


@dataclass(frozen=True)
class ArcResult:
    """What an ARC run says about the sample's thermal stability.

    Attributes
    ----------
    source : str or None
        File analysed.
    simulated : bool
        The run was simulated.
    segmentation : Segmentation
        The modes used.
    threshold_c_min : float
        Detection threshold, °C/min.
    onset_c, onset_time_s : float or None
        T_onset (first detection) and its time; None without exotherm.
    tr : tuple of ThermalRunawayPoint
        T_tr at each criterion asked for (the first is the main one).
    t_max_c, t_max_time_s : float or None
        Highest temperature after the onset and its time.
    max_shr_c_min, max_shr_temperature_c : float or None
        Highest SHR and the temperature there.
    time_to_max_rate_s : float or None
        From the detection to the highest SHR, s.
    adiabatic_rise_c : float or None
        ``T_max - T_onset``, °C.
    phi : float
        φ-factor applied.
    adiabatic_rise_corrected_c, t_max_corrected_c, max_shr_corrected_c_min : float or None
        φ-corrected values.
    arrhenius : ArrheniusFit or None
        The fit; None with ``arrhenius_note`` saying why.
    arrhenius_note : str
        Why there is no fit, or which window was used.
    exotherms : tuple of Exotherm
        Every exotherm segment.
    max_pressure_bar : float or None
        Highest pressure, bar.
    end_temperature_c : float
        Highest temperature of the whole run, °C.
    smoothing_c : float
        Temperature step of the SHR derivative, °C.
    shr : ShrCurve
        The self-heating rate.
    message : str
        ``no self-heating detected up to T`` for a run without exotherm, else ``""``.
    notes : tuple of str
        Assumptions and decisions.
    """

    source: str | None
    simulated: bool
    segmentation: Segmentation
    threshold_c_min: float
    onset_c: float | None
    onset_time_s: float | None
    tr: tuple[ThermalRunawayPoint, ...]
    t_max_c: float | None
    t_max_time_s: float | None
    max_shr_c_min: float | None
    max_shr_temperature_c: float | None
    time_to_max_rate_s: float | None
    adiabatic_rise_c: float | None
    phi: float
    adiabatic_rise_corrected_c: float | None
    t_max_corrected_c: float | None
    max_shr_corrected_c_min: float | None
    arrhenius: ArrheniusFit | None
    arrhenius_note: str
    exotherms: tuple[Exotherm, ...]
    max_pressure_bar: float | None
    end_temperature_c: float
    smoothing_c: float
    shr: ShrCurve
    message: str
    notes: tuple[str, ...]

    @property
    def detected(self) -> bool:
        """Whether any self-heating was detected."""
        return self.onset_c is not None

    @property
    def t_tr_c(self) -> float | None:
        """T_tr at the main criterion, °C."""
        return self.tr[0].temperature_c if self.tr else None

    def tr_at(self, criterion: float | str) -> ThermalRunawayPoint:
        """T_tr at one of the criteria analysed.

        Raises
        ------
        ThermalError
            If that criterion was not analysed.
        """
        rate = parse_rate(criterion)
        for point in self.tr:
            if math.isclose(point.criterion_c_min, rate, rel_tol=1e-9):
                return point
        raise ThermalError(
            f"criterion {_fmt_rate(rate)} was not analysed; analysed: {[p.label for p in self.tr]}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view (the SHR curve is left out)."""
        keys = (
            "source",
            "simulated",
            "threshold_c_min",
            "onset_c",
            "onset_time_s",
            "t_max_c",
            "t_max_time_s",
            "max_shr_c_min",
            "max_shr_temperature_c",
            "time_to_max_rate_s",
            "adiabatic_rise_c",
            "phi",
            "adiabatic_rise_corrected_c",
            "t_max_corrected_c",
            "max_shr_corrected_c_min",
            "max_pressure_bar",
            "end_temperature_c",
            "smoothing_c",
            "message",
        )
        out: dict[str, Any] = {k: _clean(getattr(self, k)) for k in keys}
        out["detected"] = self.detected
        out["t_tr"] = [p.to_dict() for p in self.tr]
        out["arrhenius"] = self.arrhenius.to_dict() if self.arrhenius is not None else None
        out["arrhenius_note"] = self.arrhenius_note
        out["exotherms"] = [e.to_dict() for e in self.exotherms]
        out["segmentation"] = {
            "source": self.segmentation.source,
            "counts": {m: len(self.segmentation.of(m)) for m in MODES},
            "notes": list(self.segmentation.notes),
        }
        out["notes"] = list(self.notes)
        out["units"] = dict(_UNITS)
        return out

    def __str__(self) -> str:
        src = self.source or "<memory>"
        sim = " (simulated)" if self.simulated else ""
        lines = [f"ARC {src}{sim}: segments from {self.segmentation.source}"]
        if not self.detected:
            lines.append(f"  {self.message}")
        else:
            lines.append(
                f"  T_onset {self.onset_c:.1f} degC (first detection at "
                f"{self.threshold_c_min:g} degC/min)"
            )
            for p in self.tr:
                if p.temperature_c is None:
                    top = "-" if self.max_shr_c_min is None else f"{self.max_shr_c_min:.3g}"
                    lines.append(f"  T_tr ({p.label}) not reached (max SHR {top} degC/min)")
                else:
                    flag = " (already exceeded at detection)" if p.at_detection else ""
                    lines.append(f"  T_tr ({p.label}) {p.temperature_c:.1f} degC{flag}")
            if self.max_shr_c_min is None or self.max_shr_temperature_c is None:
                lines.append(
                    f"  T_max {self.t_max_c:.1f} degC; no self-heating rate (too little rise)"
                )
            else:
                lines.append(
                    f"  T_max {self.t_max_c:.1f} degC; max SHR {self.max_shr_c_min:.4g} degC/min "
                    f"at {self.max_shr_temperature_c:.1f} degC; time to max rate "
                    f"{(self.time_to_max_rate_s or 0) / 3600:.2f} h"
                )
            lines.append(
                f"  adiabatic rise {self.adiabatic_rise_c:.1f} degC (phi = {self.phi:g}: "
                f"corrected {self.adiabatic_rise_corrected_c:.1f} degC)"
            )
            if self.arrhenius is not None:
                a = self.arrhenius
                lines.append(
                    f"  Arrhenius (zero order, {a.window_c[0]:.1f}-{a.window_c[1]:.1f} degC, "
                    f"{a.points} points): Ea {a.ea_j_mol / 1e3:.1f} kJ/mol, R2 {a.r_squared:.4f}"
                )
            else:
                lines.append(f"  Arrhenius: {self.arrhenius_note}")
            if len(self.exotherms) > 1:
                lines.append(f"  {len(self.exotherms)} exotherm segments")
        if self.max_pressure_bar is not None:
            lines.append(f"  max pressure {self.max_pressure_bar:.2f} bar")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


# --------------------------------------------------------------------------- analysis
def _crossing(
    shr: ShrCurve, rate: float, rec: ArcRecording, segs: Sequence[Segment]
) -> ThermalRunawayPoint:
    above = np.flatnonzero(shr.shr_c_min >= rate)
    if above.size == 0:
        return ThermalRunawayPoint(rate, None, None, False)
    i = int(above[0])
    k = int(shr.segment[i])
    first_of_segment = i == 0 or shr.segment[i - 1] != k
    if first_of_segment:
        seg = segs[k]
        return ThermalRunawayPoint(
            rate, float(rec.temperature_c[seg.start]), float(rec.time_s[seg.start]), True
        )
    r0, r1 = shr.shr_c_min[i - 1], shr.shr_c_min[i]
    frac = (math.log(rate) - math.log(r0)) / (math.log(r1) - math.log(r0)) if r1 > r0 else 1.0
    temp = shr.temperature_c[i - 1] + frac * (shr.temperature_c[i] - shr.temperature_c[i - 1])
    time_s = shr.time_s[i - 1] + frac * (shr.time_s[i] - shr.time_s[i - 1])
    return ThermalRunawayPoint(rate, float(temp), float(time_s), False)


def _arrhenius(
    shr: ShrCurve, window: tuple[float, float], rise_c: float | None
) -> tuple[ArrheniusFit | None, str]:
    lo, hi = window
    pick = (shr.temperature_c >= lo) & (shr.temperature_c <= hi) & (shr.shr_c_min > 0)
    n = int(pick.sum())
    if n < 3:
        return None, f"fewer than 3 SHR points in {lo:.1f}-{hi:.1f} degC"
    x = 1.0 / (shr.temperature_c[pick] + _KELVIN)
    y = np.log(shr.shr_c_min[pick] / 60.0)
    if np.ptp(x) == 0:
        return None, "the window holds a single temperature"
    slope, intercept = np.polyfit(x, y, 1)
    fitted = slope * x + intercept
    ss_res = float(np.sum((y - fitted) ** 2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    a = math.exp(intercept) / rise_c if rise_c else None
    fit = ArrheniusFit((lo, hi), n, float(-slope * GAS_CONSTANT), float(intercept), a, r2)
    return fit, f"zero-order fit over {lo:.1f}-{hi:.1f} degC"


def analyse_arc(
    rec: ArcRecording,
    *,
    criteria: float | str | Sequence[float | str] = DEFAULT_CRITERION_C_MIN,
    threshold_c_min: float | str = DEFAULT_THRESHOLD_C_MIN,
    phi: float = 1.0,
    smoothing_c: float = 0.2,
    arrhenius_window_c: tuple[float, float] | None = None,
    segmentation: Segmentation | None = None,
    **segment_options: Any,
) -> ArcResult:
    """Analyse an ARC heat-wait-search run (see the module docstring).

    Parameters
    ----------
    rec : ArcRecording
        The run.
    criteria : float, str or sequence of them
        Thermal-runaway criteria, °C/min or text with a unit (``"1C/s"``); the first is the
        main one. Default: the seed's 1 °C/min.
    threshold_c_min : float or str
        Detection threshold, °C/min (default: the seed's 0.03).
    phi : float
        φ-factor (≥ 1; default 1, i.e. no correction).
    smoothing_c : float
        Temperature step of the SHR derivative, °C.
    arrhenius_window_c : tuple of float, optional
        Window of the Arrhenius fit, °C (default: T_onset to T_onset + 10 % of ΔT_ad).
    segmentation : Segmentation, optional
        Segments to use (default: :func:`segment_arc` with ``segment_options``).
    **segment_options
        Passed to :func:`segment_arc`.

    Returns
    -------
    ArcResult
        The characteristic temperatures; a run without an exotherm gives a result whose
        ``message`` says so.

    Raises
    ------
    ThermalError
        If a criterion, the threshold, φ or the window is not usable.
    """
    rates = [
        parse_rate(c) for c in ([criteria] if isinstance(criteria, int | float | str) else criteria)
    ]
    if not rates:
        raise ThermalError("give at least one thermal-runaway criterion")
    threshold = parse_rate(threshold_c_min)
    if not (math.isfinite(phi) and phi >= 1.0):
        raise ThermalError(f"phi must be >= 1 (1 + m_c c_c / (m_s c_s)), not {phi!r}")
    if arrhenius_window_c is not None and not arrhenius_window_c[0] < arrhenius_window_c[1]:
        raise ThermalError(f"arrhenius_window_c must be (low, high), not {arrhenius_window_c!r}")
    seg = (
        segmentation
        if segmentation is not None
        else segment_arc(rec, threshold_c_min=threshold, **segment_options)
    )
    shr = self_heating_rate(rec, seg, smoothing_c=smoothing_c)
    exo_segs = seg.of("exotherm")
    notes = list(rec.notes) + list(seg.notes)
    notes.append(
        f"phi = {phi:g} applied to the adiabatic rise, T_max and the maximum SHR only"
        + (" (no correction)" if phi == 1.0 else "")
    )
    notes.append(f"SHR = dT/dt over exotherm segments, on a {smoothing_c:g} degC temperature grid")
    max_p = (
        float(np.nanmax(rec.pressure_bar))
        if rec.pressure_bar is not None and np.isfinite(rec.pressure_bar).any()
        else None
    )
    end_temp = float(rec.temperature_c.max())
    exotherms = []
    for k, s in enumerate(exo_segs):
        in_seg = shr.segment == k
        exotherms.append(
            Exotherm(
                start_c=float(rec.temperature_c[s.start]),
                end_c=float(rec.temperature_c[s.stop - 1]),
                max_c=float(rec.temperature_c[s.start : s.stop].max()),
                start_time_s=float(rec.time_s[s.start]),
                end_time_s=float(rec.time_s[s.stop - 1]),
                max_shr_c_min=float(shr.shr_c_min[in_seg].max()) if in_seg.any() else None,
            )
        )
    if not exo_segs:
        message = (
            f"no self-heating detected up to {end_temp:.1f} degC (detection threshold "
            f"{threshold:g} degC/min)"
        )
        return ArcResult(
            source=rec.source,
            simulated=rec.simulated,
            segmentation=seg,
            threshold_c_min=threshold,
            onset_c=None,
            onset_time_s=None,
            tr=tuple(ThermalRunawayPoint(r, None, None, False) for r in rates),
            t_max_c=None,
            t_max_time_s=None,
            max_shr_c_min=None,
            max_shr_temperature_c=None,
            time_to_max_rate_s=None,
            adiabatic_rise_c=None,
            phi=phi,
            adiabatic_rise_corrected_c=None,
            t_max_corrected_c=None,
            max_shr_corrected_c_min=None,
            arrhenius=None,
            arrhenius_note="no exotherm",
            exotherms=(),
            max_pressure_bar=max_p,
            end_temperature_c=end_temp,
            smoothing_c=smoothing_c,
            shr=shr,
            message=message,
            notes=tuple(notes),
        )
    first = exo_segs[0]
    onset_c = float(rec.temperature_c[first.start])
    onset_time = float(rec.time_s[first.start])
    after = slice(first.start, None)
    i_max = first.start + int(np.argmax(rec.temperature_c[after]))
    t_max = float(rec.temperature_c[i_max])
    tr = tuple(_crossing(shr, r, rec, exo_segs) for r in rates)
    if shr.shr_c_min.size:
        j = int(np.argmax(shr.shr_c_min))
        max_shr: float | None = float(shr.shr_c_min[j])
        max_shr_t: float | None = float(shr.temperature_c[j])
        ttmr: float | None = float(shr.time_s[j]) - onset_time
    else:
        max_shr = max_shr_t = ttmr = None
        notes.append("the exotherm segments rise too little for a self-heating rate")
    rise = t_max - onset_c
    window = arrhenius_window_c
    if window is None:
        hi = onset_c + 0.1 * phi * rise
        if max_shr_t is not None:
            hi = min(hi, max_shr_t)
        window = (onset_c, hi)
    if window[1] > window[0]:
        fit, fit_note = _arrhenius(shr, window, phi * rise if rise > 0 else None)
    else:
        fit, fit_note = None, "empty default window (no temperature rise)"
    return ArcResult(
        source=rec.source,
        simulated=rec.simulated,
        segmentation=seg,
        threshold_c_min=threshold,
        onset_c=onset_c,
        onset_time_s=onset_time,
        tr=tr,
        t_max_c=t_max,
        t_max_time_s=float(rec.time_s[i_max]),
        max_shr_c_min=max_shr,
        max_shr_temperature_c=max_shr_t,
        time_to_max_rate_s=ttmr,
        adiabatic_rise_c=rise,
        phi=phi,
        adiabatic_rise_corrected_c=phi * rise,
        t_max_corrected_c=onset_c + phi * rise,
        max_shr_corrected_c_min=None if max_shr is None else phi * max_shr,
        arrhenius=fit,
        arrhenius_note=fit_note,
        exotherms=tuple(exotherms),
        max_pressure_bar=max_p,
        end_temperature_c=end_temp,
        smoothing_c=smoothing_c,
        shr=shr,
        message="",
        notes=tuple(notes),
    )
