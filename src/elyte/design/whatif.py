"""What-if: sweep one design parameter (vectorised) and compare scenarios side by side.

:func:`sweep` evaluates the whole budget once for an array of values (numpy broadcasting,
no loop over the values). What is held fixed is stated in the result:

* ``np_ratio`` sets the Li thickness from P (the cell capacity is held);
* ``li_thickness_um`` sets N/P;
* ``loading_mg_cm2`` and ``areal_capacity_mah_cm2`` hold the cell capacity (the coated area
  shrinks as the loading rises) and the Li thickness, or N/P when the design gives N/P;
* ``ec_ratio_g_ah`` / ``electrolyte_volume_ul`` replace the electrolyte amount;
* any other numeric parameter of :meth:`~elyte.design.cell.PouchCell.parameters` replaces
  that value (``cu_thickness_um``, ``laminate_areal_mass_g_m2``, ``packaging_mass_g``...).

:func:`compare` evaluates named variants of a design and tabulates Wh/kg, masses and the
difference from a reported value.

Examples
--------
>>> from elyte.design import seed_pouch_2p8ah
>>> s = sweep(seed_pouch_2p8ah(), "ec_ratio_g_ah", [1.0, 2.0, 3.0])
>>> [round(x) for x in s.table["wh_kg"]]
[457, 408, 368]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from elyte.design.cell import COMPONENTS, CoinCell, DesignResult, PouchCell
from elyte.design.errors import DesignError
from elyte.design.materials import material as _material

__all__ = ["SWEEPABLE", "ScenarioTable", "SweepResult", "compare", "sweep"]

_MAX_POINTS = 1_000_000
_POSITIVE = frozenset(
    {
        "loading_mg_cm2",
        "areal_capacity_mah_cm2",
        "capacity_ah",
        "average_voltage_v",
        "active_fraction",
        "specific_capacity_mah_g",
        "coating_density_g_cm3",
        "cathode_diameter_mm",
        "width_mm",
        "height_mm",
        "electrolyte_density_g_cm3",
    }
)

#: Parameters with a special meaning in :func:`sweep` (unit, what is held).
SWEEPABLE: dict[str, tuple[str, str]] = {
    "np_ratio": ("1", "capacity held; Li thickness = N/P x P / (0.534 g/cm3 x 3860 mAh/g)"),
    "li_thickness_um": ("um", "capacity held; N/P follows"),
    "loading_mg_cm2": (
        "mg/cm2",
        "capacity, active fraction and specific capacity held (P scales with the loading); "
        "Li thickness held (N/P when the design gives N/P)",
    ),
    "areal_capacity_mah_cm2": (
        "mAh/cm2",
        "capacity held; loading = P / (active fraction x specific capacity); Li thickness "
        "held (N/P when the design gives N/P)",
    ),
    "ec_ratio_g_ah": ("g/Ah", "electrolyte = E/C x capacity"),
    "electrolyte_volume_ul": ("uL", "electrolyte = volume x density"),
    "capacity_ah": ("Ah", "loading held; the coated area scales"),
    "separator_thickness_um": ("um", "porosity and polymer density held"),
    "cu_thickness_um": ("um", "a Cu collector under the Li (0 = none)"),
}


@dataclass(frozen=True)
class SweepResult:
    """One parameter swept over an array of values.

    Attributes
    ----------
    parameter : str
        The swept parameter.
    unit : str
        Its unit.
    held : str
        What the sweep holds fixed.
    table : polars.DataFrame
        One row per value: ``value``, ``wh_kg``, ``wh_l``, ``total_mass_g``,
        ``stack_wh_kg``, ``np_ratio``, ``ec_ratio_g_ah``, ``li_thickness_um``,
        ``areal_capacity_mah_cm2``, ``capacity_ah``, ``cycles_to_li_exhaustion`` and the mass
        of every component (``mass_<component>_g``).
    design_name : str
        Name of the design swept.
    reference : dict
        The unswept design's value of the parameter and its Wh/kg.
    """

    parameter: str
    unit: str
    held: str
    table: pl.DataFrame
    design_name: str = ""
    reference: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        rows = [
            {
                k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in r.items()
            }
            for r in self.table.to_dicts()
        ]
        return {
            "parameter": self.parameter,
            "unit": self.unit,
            "held": self.held,
            "design": self.design_name,
            "reference": {
                k: (None if not math.isfinite(v) else v) for k, v in self.reference.items()
            },
            "rows": rows,
        }

    def __str__(self) -> str:
        unit = "" if self.unit == "1" else f" ({self.unit})"
        lines = [f"what-if: {self.parameter}{unit}; {self.held}"]
        lines.append(
            f"  {'value':>10} {'Wh/kg':>8} {'Wh/L':>7} {'mass g':>9} {'N/P':>6} {'E/C':>6}"
        )
        for r in self.table.iter_rows(named=True):
            wh_l = f"{r['wh_l']:7.0f}" if math.isfinite(r["wh_l"]) else f"{'-':>7}"
            lines.append(
                f"  {r['value']:>10.4g} {r['wh_kg']:8.1f} {wh_l} {r['total_mass_g']:9.4g} "
                f"{r['np_ratio']:6.3g} {r['ec_ratio_g_ah']:6.3g}"
            )
        return "\n".join(lines)


def _values(values: Sequence[float] | np.ndarray, parameter: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DesignError(f"sweep values of {parameter} must be numbers: {exc}") from None
    arr = np.atleast_1d(arr)
    if arr.ndim != 1 or arr.size == 0 or arr.size > _MAX_POINTS:
        raise DesignError(
            f"sweep values of {parameter} must be a 1-D list of 1 to {_MAX_POINTS} numbers"
        )
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise DesignError(f"sweep values of {parameter} must be finite and >= 0")
    return arr


def sweep(
    design: PouchCell | CoinCell,
    parameter: str,
    values: Sequence[float] | np.ndarray,
) -> SweepResult:
    """Evaluate a design for every value of one parameter (vectorised).

    Parameters
    ----------
    design : PouchCell or CoinCell
        The design.
    parameter : str
        A key of :data:`SWEEPABLE` or any numeric parameter name of
        ``design.parameters()``.
    values : sequence of float
        Values in the parameter's unit.

    Returns
    -------
    SweepResult

    Raises
    ------
    DesignError
        If the parameter cannot be swept for this design or a value is not usable.
    """
    flat, _, _ = design._flat()
    base = design._core(flat)
    arr = _values(values, parameter)
    if parameter in _POSITIVE and np.any(arr <= 0):
        raise DesignError(f"sweep values of {parameter} must be > 0")
    p: dict[str, Any] = dict(flat)
    held = SWEEPABLE.get(parameter, ("", "everything else held"))[1]
    if parameter == "np_ratio":
        p["np_ratio"], p["li_thickness_um"] = arr, math.nan
        reference = float(base["np_ratio"][()])
    elif parameter == "li_thickness_um":
        p["li_thickness_um"], p["np_ratio"] = arr, math.nan
        reference = float(base["li_thickness_um"][()])
    elif parameter == "areal_capacity_mah_cm2":
        p["loading_mg_cm2"] = (
            arr / (flat["active_fraction"] * flat["specific_capacity_mah_g"]) * 1e3
        )
        reference = float(base["areal_capacity_mah_cm2"][()])
    elif parameter == "ec_ratio_g_ah":
        p["ec_ratio_g_ah"], p["electrolyte_volume_ul"] = arr, math.nan
        reference = float(base["ec_ratio_g_ah"][()])
    elif parameter == "electrolyte_volume_ul":
        p["electrolyte_volume_ul"], p["ec_ratio_g_ah"] = arr, math.nan
        reference = float(base["electrolyte_volume_ul"][()])
    elif parameter == "capacity_ah":
        if isinstance(design, CoinCell):
            raise DesignError("a coin cell's capacity follows from its disk: sweep the loading")
        p["capacity_ah"], p["cathode_sheets"] = arr, math.nan
        reference = float(base["capacity_ah"][()])
    elif parameter == "separator_thickness_um":
        if math.isfinite(flat["sep_areal_mass_g_m2"]):
            raise DesignError(
                "this separator is given by areal mass: sweep sep_areal_mass_g_m2 instead"
            )
        p["sep_thickness_um"] = arr
        reference = flat["sep_thickness_um"]
    elif parameter == "cu_thickness_um":
        p["cu_thickness_um"] = arr
        if flat["cu_density_g_cm3"] == 0.0:
            p["cu_density_g_cm3"] = _material("metal", "Cu").density_g_cm3
        reference = flat["cu_thickness_um"]
    elif parameter in flat and parameter not in ("sides", "lithiated", "ce"):
        if parameter == "laminate_areal_mass_g_m2":
            if not (math.isfinite(flat["width_mm"]) and math.isfinite(flat["height_mm"])):
                raise DesignError("the laminate mass needs the electrode size (width and height)")
            p["packaging_mass_g"] = math.nan
        if parameter == "packaging_mass_g" and "packaging_mass_g" in p:
            p["laminate_areal_mass_g_m2"] = math.nan
        p[parameter] = arr
        reference = flat[parameter]
    else:
        names = sorted(set(SWEEPABLE) | {k for k in flat if k not in ("sides", "lithiated", "ce")})
        raise DesignError(
            f"cannot sweep {parameter!r} for a {design.format} cell: one of {', '.join(names)}"
        )
    unit = SWEEPABLE.get(parameter, ("", ""))[0] or next(
        (q.unit for q in design.parameters() if q.name == parameter), ""
    )
    with np.errstate(all="ignore"):
        out = design._core(p)
    n = arr.size

    def col(key: str) -> np.ndarray:
        return np.broadcast_to(np.asarray(out[key], dtype=np.float64), (n,)).copy()

    data: dict[str, np.ndarray] = {"value": arr}
    for key in (
        "wh_kg",
        "wh_l",
        "total_mass_g",
        "stack_wh_kg",
        "np_ratio",
        "ec_ratio_g_ah",
        "li_thickness_um",
        "areal_capacity_mah_cm2",
        "capacity_ah",
        "cycles_to_li_exhaustion",
    ):
        data[key] = col(key)
    for comp in COMPONENTS:
        data[f"mass_{comp.replace(' ', '_')}_g"] = col(f"mass:{comp}")
    return SweepResult(
        parameter=parameter,
        unit=unit,
        held=held,
        table=pl.DataFrame(data),
        design_name=design.name,
        reference={"value": float(reference), "wh_kg": float(base["wh_kg"][()])},
    )


@dataclass(frozen=True)
class ScenarioTable:
    """Named variants of a design side by side.

    Attributes
    ----------
    table : polars.DataFrame
        One row per scenario: ``scenario``, ``wh_kg``, ``wh_l``, ``total_mass_g``,
        ``stack_mass_g``, ``tabs_g``, ``packaging_g``, ``anode_collector_g``, ``np_ratio``,
        ``ec_ratio_g_ah``, and, with a reported value, ``reported``,
        ``relative_difference`` and ``flagged``.
    results : dict
        Scenario name -> :class:`~elyte.design.cell.DesignResult` (full budgets).
    quantity : str
        The compared quantity (``wh_kg``).
    reported : float or None
        The reported value.
    tolerance : float
        Flag threshold (fraction).
    notes : tuple of str
        How the scenarios were built.
    """

    table: pl.DataFrame
    results: dict[str, DesignResult]
    quantity: str = "wh_kg"
    reported: float | None = None
    tolerance: float = 0.05
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view (with every scenario's budget)."""
        rows = [
            {
                k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in r.items()
            }
            for r in self.table.to_dicts()
        ]
        return {
            "quantity": self.quantity,
            "reported": self.reported,
            "tolerance": self.tolerance,
            "rows": rows,
            "notes": list(self.notes),
            "results": {k: v.to_dict() for k, v in self.results.items()},
        }

    def __str__(self) -> str:
        width = max(len("scenario"), *(len(s) for s in self.table["scenario"]))
        rep = f" against {self.reported:g} Wh/kg reported" if self.reported is not None else ""
        lines = [f"scenarios{rep}"]
        lines.append(
            f"  {'scenario':<{width}} {'Wh/kg':>7} {'mass g':>8} {'pack g':>7} {'tabs g':>7} "
            f"{'Cu g':>6} {'diff':>7}"
        )
        for r in self.table.iter_rows(named=True):
            diff = r.get("relative_difference")
            flag = "!" if r.get("flagged") else " "
            d = f"{100 * diff:+6.1f}%" if diff is not None and math.isfinite(diff) else f"{'-':>7}"
            lines.append(
                f"{flag} {r['scenario']:<{width}} {r['wh_kg']:7.1f} {r['total_mass_g']:8.4g} "
                f"{r['packaging_g']:7.3g} {r['tabs_g']:7.3g} {r['anode_collector_g']:6.3g} {d}"
            )
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def compare(
    scenarios: Mapping[str, PouchCell | CoinCell],
    *,
    reported_wh_kg: float | None = None,
    tolerance: float = 0.05,
    notes: Sequence[str] = (),
) -> ScenarioTable:
    """Evaluate named designs and tabulate them.

    Parameters
    ----------
    scenarios : mapping
        Name -> design.
    reported_wh_kg : float, optional
        A reported energy density to compare with (default: the first design's
        ``reported["wh_kg"]`` if it has one).
    tolerance : float
        Flag beyond this relative difference (default 0.05).
    notes : sequence of str
        Added to the table's notes.

    Returns
    -------
    ScenarioTable

    Raises
    ------
    DesignError
        If no scenario is given.
    """
    if not scenarios:
        raise DesignError("compare needs at least one scenario")
    first = next(iter(scenarios.values()))
    if reported_wh_kg is None:
        reported_wh_kg = first.reported.get("wh_kg")
    results = {name: d.evaluate() for name, d in scenarios.items()}
    rows = []
    for name, r in results.items():
        m = r.metrics
        row: dict[str, Any] = {
            "scenario": name,
            "wh_kg": m["wh_kg"],
            "wh_l": m["wh_l"],
            "total_mass_g": m["total_mass_g"],
            "stack_mass_g": m["stack_mass_g"],
            "tabs_g": r.mass("tabs"),
            "packaging_g": r.mass("packaging"),
            "anode_collector_g": r.mass("anode collector"),
            "np_ratio": m["np_ratio"],
            "ec_ratio_g_ah": m["ec_ratio_g_ah"],
        }
        if reported_wh_kg is not None:
            rel = m["wh_kg"] / reported_wh_kg - 1.0
            row.update(
                reported=float(reported_wh_kg),
                relative_difference=rel,
                flagged=bool(abs(rel) > tolerance),
            )
        rows.append(row)
    return ScenarioTable(
        table=pl.DataFrame(rows),
        results=results,
        reported=None if reported_wh_kg is None else float(reported_wh_kg),
        tolerance=tolerance,
        notes=tuple(notes),
    )
