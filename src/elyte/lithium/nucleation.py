"""Li nucleation overpotential on Cu: the voltage dip at the start of galvanostatic plating.

When Li is plated onto bare Cu the voltage first falls to a minimum (the *tip*: the
overpotential needed to nucleate Li) and then recovers to a flatter *plateau* (growth of
the nuclei). The nucleation overpotential is ``η_n = |V_tip - V_plateau|`` (Yan et al.,
Nat. Energy 1 (2016) 16010; Pei et al., Nano Lett. 17 (2017) 1132).

Windows (all recorded in the result)
------------------------------------
* **tip**: the lowest voltage (Cu vs Li) within the first ``tip_window_s`` seconds of the
  plating step, or the first ``tip_window_fraction`` of its duration when no seconds are
  given (default 10 %);
* **plateau**: the median voltage from ``plateau_offset`` after the tip for
  ``plateau_length`` (seconds, or fractions of the step duration: defaults 10 % and 20 %),
  clipped to the end of the step.

Sampling
--------
The dip lasts seconds to minutes. A recording sampled too coarsely misses its bottom, and
η_n is then underestimated; the result says so (``warnings``, and per step in the
``warning`` column) instead of returning a quiet number:

* fewer than ``min_tip_points`` samples in the tip window;
* fewer than ``min_dip_points`` samples below half the dip depth (the dip is not resolved);
* the minimum at the very end of the tip window (the voltage is still falling: widen it);
* fewer than 3 samples in the plateau window.

Only platings onto bare Cu show a nucleation dip: by default (``which="bare_cu"``) the
first plating of the recording and every plating after a strip that ended at or above
``bare_cu_voltage_v`` are analysed (``which="all"`` analyses every plating).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from elyte.cycling.segment import CyclingDataError
from elyte.cycling.summary import CapacityBasis, _jsonable
from elyte.errors import ProtocolError
from elyte.lithium.aurbach import HalfCycle, find_half_cycles
from elyte.recording import Recording

__all__ = ["NucleationResult", "nucleation_overpotential"]

UNITS: dict[str, str] = {
    "index": "1",
    "start_time_s": "s",
    "duration_s": "s",
    "tip_voltage_v": "V",
    "tip_time_s": "s",
    "plateau_voltage_v": "V",
    "nucleation_overpotential_v": "V",
    "tip_window_s": "s",
    "plateau_start_s": "s",
    "plateau_end_s": "s",
    "tip_points": "1",
    "dip_points": "1",
    "plateau_points": "1",
    "sampling_interval_s": "s",
}


@dataclass(frozen=True)
class NucleationResult:
    """Nucleation overpotential of each analysed plating step.

    Attributes
    ----------
    steps : polars.DataFrame
        One row per plating: ``index`` (half-cycle number), ``start_time_s``,
        ``duration_s``, ``on_bare_cu``, ``tip_voltage_v``, ``tip_time_s`` (after the step
        start), ``plateau_voltage_v``, ``nucleation_overpotential_v`` (null when the tip is
        not below the plateau: no dip), the windows used
        (``tip_window_s``, ``plateau_start_s``, ``plateau_end_s``, after the step start),
        the sample counts (``tip_points``, ``dip_points``, ``plateau_points``), the median
        ``sampling_interval_s`` in the tip window and a ``warning`` (null when none).
    parameters : dict
        The window parameters as given.
    warnings : tuple of str
        Every step's warning, prefixed with its half-cycle number.
    conventions : dict
        Definitions and the half-cycle detection used (plain JSON).
    notes : tuple of str
        Notes from the half-cycle detection.
    source : dict
        ``path``, ``sha256``, ``format``, ``instrument`` of the recording.
    units : dict
        Unit of every column.
    """

    steps: pl.DataFrame
    parameters: Mapping[str, Any]
    warnings: tuple[str, ...]
    conventions: Mapping[str, Any]
    notes: tuple[str, ...] = ()
    source: Mapping[str, Any] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=lambda: dict(UNITS))

    @property
    def overpotential_v(self) -> np.ndarray:
        """η_n of every analysed step, V."""
        return self.steps.get_column("nucleation_overpotential_v").to_numpy()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        out: dict[str, Any] = _jsonable(
            {
                "steps": self.steps.to_dicts(),
                "parameters": dict(self.parameters),
                "warnings": list(self.warnings),
                "conventions": dict(self.conventions),
                "notes": list(self.notes),
                "source": dict(self.source),
                "units": dict(self.units),
            }
        )
        return out


def _window(seconds: float | None, fraction: float, duration: float) -> float:
    return float(seconds) if seconds is not None else fraction * duration


def _check_window(name: str, value: float | None, *, fraction: bool, path: str | None) -> None:
    if value is None:
        return
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (0 < value <= 1 if fraction else value >= 0)
    if not ok:
        bound = "in (0, 1]" if fraction else ">= 0 s"
        raise CyclingDataError(f"{name} must be {bound}, not {value!r}", path=path)


def nucleation_overpotential(
    rec: Recording,
    *,
    which: Literal["bare_cu", "all"] = "bare_cu",
    tip_window_s: float | None = None,
    tip_window_fraction: float = 0.1,
    plateau_offset_s: float | None = None,
    plateau_offset_fraction: float = 0.1,
    plateau_length_s: float | None = None,
    plateau_length_fraction: float = 0.2,
    min_tip_points: int = 10,
    min_dip_points: int = 3,
    bare_cu_voltage_v: float = 0.5,
    plating_current_sign: Literal[-1, 1] | None = None,
    max_plating_voltage_v: float = 0.05,
    current_threshold_a: float | None = None,
    min_rest_s: float = 1.0,
    capacity_basis: CapacityBasis = "auto",
) -> NucleationResult:
    """Nucleation overpotential ``|V_tip - V_plateau|`` of each plating on Cu.

    Parameters
    ----------
    rec : Recording
        Li plating on Cu (a Li||Cu test or a Li deposition test): test time, current and the
        voltage of Cu vs Li.
    which : {"bare_cu", "all"}
        Analyse the platings onto bare Cu (default) or every plating.
    tip_window_s : float, optional
        Length of the tip window after the step start, s. Default: ``tip_window_fraction``
        of the step duration.
    tip_window_fraction : float
        Tip window as a fraction of the step duration (default 0.1).
    plateau_offset_s, plateau_length_s : float, optional
        Start of the plateau window after the tip and its length, s. Default: the
        fractions below times the step duration.
    plateau_offset_fraction, plateau_length_fraction : float
        The same as fractions of the step duration (defaults 0.1 and 0.2).
    min_tip_points : int
        Fewer samples than this in the tip window raise a sampling warning (default 10).
    min_dip_points : int
        Fewer samples than this below half the dip depth raise a warning (default 3).
    bare_cu_voltage_v : float
        A strip that ends at or above this voltage leaves bare Cu, V (default 0.5).
    plating_current_sign, max_plating_voltage_v, current_threshold_a, min_rest_s
        Half-cycle detection, as in :func:`elyte.lithium.find_half_cycles`.
    capacity_basis : {"auto", "vendor", "integrated"}
        Charge basis of the half-cycle detection (not used by η_n itself).

    Returns
    -------
    NucleationResult
        One row per analysed plating, with the windows used and any sampling warning.

    Raises
    ------
    ProtocolError
        If the recording has no plating, none on bare Cu (``which="bare_cu"``), or its
        plating is not at Li-plating voltages.
    CyclingDataError
        If a window parameter is invalid or a needed column is missing.
    """
    path = rec.meta.source_path
    if which not in ("bare_cu", "all"):
        raise CyclingDataError(f"which must be 'bare_cu' or 'all', not {which!r}", path=path)
    for name, value, frac in (
        ("tip_window_s", tip_window_s, False),
        ("tip_window_fraction", tip_window_fraction, True),
        ("plateau_offset_s", plateau_offset_s, False),
        ("plateau_offset_fraction", plateau_offset_fraction, True),
        ("plateau_length_s", plateau_length_s, False),
        ("plateau_length_fraction", plateau_length_fraction, True),
    ):
        _check_window(name, value, fraction=frac, path=path)
    if tip_window_s is not None and tip_window_s <= 0:
        raise CyclingDataError(f"tip_window_s must be > 0 s, not {tip_window_s!r}", path=path)
    for name, count in (("min_tip_points", min_tip_points), ("min_dip_points", min_dip_points)):
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise CyclingDataError(f"{name} must be an integer >= 1, not {count!r}", path=path)

    found = find_half_cycles(
        rec,
        plating_current_sign=plating_current_sign,
        max_plating_voltage_v=max_plating_voltage_v,
        current_threshold_a=current_threshold_a,
        min_rest_s=min_rest_s,
        capacity_basis=capacity_basis,
    )
    items = found.items
    bare: dict[int, bool] = {}
    seen_plating = False
    for k, h in enumerate(items):
        if h.direction != "plating":
            continue
        before = items[k - 1] if k > 0 else None
        bare[h.index] = (not seen_plating) or (
            before is not None
            and before.direction == "stripping"
            and before.end_voltage_v >= bare_cu_voltage_v
        )
        seen_plating = True
    chosen: list[HalfCycle] = [
        h for h in items if h.direction == "plating" and (which == "all" or bare[h.index])
    ]
    if not chosen:
        raise ProtocolError(
            "no plating onto bare Cu in the recording (the first plating and platings after a "
            f"strip to >= {bare_cu_voltage_v:g} V count); pass which='all' to analyse every "
            "plating",
            path=path,
        )

    frame = rec.data
    t = frame.get_column("test_time_second").cast(pl.Float64).fill_null(np.nan).to_numpy()
    v = frame.get_column("voltage_volt").cast(pl.Float64).fill_null(np.nan).to_numpy()
    rows: list[dict[str, Any]] = []
    warnings: list[str] = []
    for h in chosen:
        tau = t[h.start_row : h.end_row + 1] - h.start_time_s
        volt = v[h.start_row : h.end_row + 1]
        ok = np.isfinite(tau) & np.isfinite(volt)
        tau, volt = tau[ok], volt[ok]
        duration = h.duration_s
        problems: list[str] = []
        tip_len = _window(tip_window_s, tip_window_fraction, duration)
        in_tip = tau <= tip_len
        tip_points = int(np.count_nonzero(in_tip))
        row: dict[str, Any] = {
            "index": h.index,
            "start_time_s": h.start_time_s,
            "duration_s": duration,
            "on_bare_cu": bare[h.index],
            "tip_window_s": tip_len,
        }
        if tip_points == 0:
            problems.append("no sample in the tip window")
            rows.append(row | _empty(tip_points))
            warnings.append(f"half-cycle #{h.index}: " + "; ".join(problems))
            continue
        tip_idx_local = int(np.argmin(np.where(in_tip, volt, np.inf)))
        v_tip = float(volt[tip_idx_local])
        t_tip = float(tau[tip_idx_local])
        offset = _window(plateau_offset_s, plateau_offset_fraction, duration)
        length = _window(plateau_length_s, plateau_length_fraction, duration)
        p_start = min(t_tip + offset, duration)
        p_end = min(p_start + length, duration)
        in_plateau = (tau >= p_start) & (tau <= p_end)
        plateau_points = int(np.count_nonzero(in_plateau))
        v_plateau = float(np.median(volt[in_plateau])) if plateau_points else math.nan
        depth = v_plateau - v_tip
        # no dip below the plateau: η_n is undefined, not |V_tip - V_plateau|
        eta = abs(depth) if plateau_points and depth > 0 else math.nan
        dip_points = (
            int(np.count_nonzero(in_tip & (volt <= v_tip + 0.5 * depth))) if depth > 0 else 0
        )
        tip_dt = np.diff(tau[in_tip])
        sampling = float(np.median(tip_dt)) if tip_dt.size else math.nan
        if tip_points < min_tip_points:
            problems.append(
                f"only {tip_points} sample(s) in the {tip_len:.4g} s tip window (at least "
                f"{min_tip_points} wanted; sampling interval {sampling:.4g} s): the dip may be "
                "missed and η_n underestimated"
            )
        if depth > 0 and dip_points < min_dip_points:
            problems.append(
                f"only {dip_points} sample(s) below half the dip depth (at least "
                f"{min_dip_points} wanted): the dip is not resolved and η_n is a lower bound"
            )
        if plateau_points and not depth > 0:
            problems.append(
                "no dip: the lowest voltage of the tip window is not below the plateau, so "
                "η_n is left empty"
            )
        if tip_idx_local == tip_points - 1 and tip_points < volt.size:
            problems.append(
                "the minimum is at the end of the tip window (the voltage is still falling): "
                "widen the tip window"
            )
        if plateau_points < 3:
            problems.append(
                f"only {plateau_points} sample(s) in the plateau window {p_start:.4g}-{p_end:.4g} s"
            )
        row |= {
            "tip_voltage_v": v_tip,
            "tip_time_s": t_tip,
            "plateau_voltage_v": v_plateau if math.isfinite(v_plateau) else None,
            "nucleation_overpotential_v": eta if math.isfinite(eta) else None,
            "plateau_start_s": p_start,
            "plateau_end_s": p_end,
            "tip_points": tip_points,
            "dip_points": dip_points,
            "plateau_points": plateau_points,
            "sampling_interval_s": sampling if math.isfinite(sampling) else None,
            "warning": "; ".join(problems) if problems else None,
        }
        rows.append(row)
        if problems:
            warnings.append(f"half-cycle #{h.index}: " + "; ".join(problems))

    steps = pl.DataFrame(rows, schema=_SCHEMA)
    parameters = {
        "which": which,
        "tip_window_s": tip_window_s,
        "tip_window_fraction": tip_window_fraction,
        "plateau_offset_s": plateau_offset_s,
        "plateau_offset_fraction": plateau_offset_fraction,
        "plateau_length_s": plateau_length_s,
        "plateau_length_fraction": plateau_length_fraction,
        "min_tip_points": min_tip_points,
        "min_dip_points": min_dip_points,
        "bare_cu_voltage_v": bare_cu_voltage_v,
    }
    conventions = {
        **found.conventions,
        "tip": "lowest voltage (Cu vs Li) within the tip window after the step start",
        "plateau": "median voltage over the plateau window, which starts plateau_offset after "
        "the tip and lasts plateau_length (clipped to the step end)",
        "nucleation_overpotential": "|V_tip - V_plateau|",
        "windows": "a value in seconds wins over the fraction of the step duration",
        "bare_cu": "the first plating of the recording, and platings after a strip that ended "
        f"at >= {bare_cu_voltage_v:g} V",
    }
    return NucleationResult(
        steps=steps,
        parameters=parameters,
        warnings=tuple(warnings),
        conventions=conventions,
        notes=found.notes,
        source={
            "path": path,
            "sha256": rec.meta.sha256,
            "format": rec.meta.format,
            "instrument": rec.meta.instrument,
        },
    )


_SCHEMA: dict[str, Any] = {
    "index": pl.Int64,
    "start_time_s": pl.Float64,
    "duration_s": pl.Float64,
    "on_bare_cu": pl.Boolean,
    "tip_window_s": pl.Float64,
    "tip_voltage_v": pl.Float64,
    "tip_time_s": pl.Float64,
    "plateau_voltage_v": pl.Float64,
    "nucleation_overpotential_v": pl.Float64,
    "plateau_start_s": pl.Float64,
    "plateau_end_s": pl.Float64,
    "tip_points": pl.Int64,
    "dip_points": pl.Int64,
    "plateau_points": pl.Int64,
    "sampling_interval_s": pl.Float64,
    "warning": pl.String,
}


def _empty(tip_points: int) -> dict[str, Any]:
    return {
        "tip_voltage_v": None,
        "tip_time_s": None,
        "plateau_voltage_v": None,
        "nucleation_overpotential_v": None,
        "plateau_start_s": None,
        "plateau_end_s": None,
        "tip_points": tip_points,
        "dip_points": 0,
        "plateau_points": 0,
        "sampling_interval_s": None,
        "warning": "no sample in the tip window",
    }
