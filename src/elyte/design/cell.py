"""Cell design model: mass budget, Wh/kg, Wh/L, N/P, E/C and Li excess of a cell build.

Two formats share one vectorised budget (numpy, so that :mod:`elyte.design.whatif` sweeps a
parameter in one call):

* :class:`PouchCell` — a stack of cathode sheets (single- or double-sided, Al collector)
  and Li-metal anodes (free-standing or on Cu), one separator layer per cathode face,
  electrolyte by E/C ratio or volume, two tabs and a laminate pouch (areal mass x the two
  faces of the sealed envelope plus the walls of the formed cup).
* :class:`CoinCell` — a cathode disk, a Li disk, a separator disk, an electrolyte volume and
  the case hardware.

Every assumption is a named parameter with a documented default (the seed's Table S6 where
the seed gives a value, a typical value otherwise) and the result always carries the mass
budget, the list of parameters with the source of each value, and the checks against
reported values (:attr:`DesignResult.checks`, flagged beyond ``tolerance``, 5 % by default).

Model
-----
* Cathode areal capacity per coated face ``P = loading x active_fraction x specific
  capacity``; when ``areal_capacity_mah_cm2`` is given instead, the specific capacity is the
  implied one (reported) and P scales with the loading in sweeps.
* Coated area ``A = capacity / P``; with the electrode size, the number of faces is
  ``A / (width x height)`` (fractional counts are kept, and noted).
* Li: ``li_thickness_um`` is the Li facing *each* cathode face (a 50 µm foil per face, or
  2 x 50 µm on a double-sided Cu anode). ``N = thickness x 0.534 g/cm³ x 3860 mAh/g``
  (:func:`elyte.lithium.inventory.li_areal_capacity`); ``N/P`` per area. Stack ends are
  anodes: double-sided cathodes need ``sheets + 1`` anode collectors, single-sided ones one
  per face.
* Separator: one layer per cathode face, ``thickness x density x (1 - porosity)`` or a given
  areal mass; it holds no extra mass for the electrolyte in its pores (that is in E/C).
* Electrolyte: ``E/C x capacity`` (g) or ``volume x density``.
* Pouch envelope: ``(stack width + 2 seal) x (stack height + 2 seal)``, two faces, plus the
  cup walls ``2 (W + H) x stack thickness``; volume for Wh/L = envelope area x (stack
  thickness + 2 laminate thicknesses), seals included; the electrolyte fills the pores
  and adds no volume of its own.
* Tabs: two strips ``width x thickness x length`` of the positive (Al) and negative (Ni)
  tab metals; no tab sealant film, no uncoated collector flags.
* Li excess and cycle life: for a lithiated cathode (NCM811, LiCoO2) the whole Li is excess,
  cycles to exhaustion ``(N/P) / (1 - CE)`` from
  :func:`elyte.lithium.inventory.cycles_to_li_exhaustion` (one implementation).

Examples
--------
The seed's 2.8 Ah NCM811/Li pouch (Table S6) with 60 x 90 mm electrodes and a standard
113 µm laminate:

>>> from elyte.design import seed_pouch_2p8ah
>>> r = seed_pouch_2p8ah().evaluate()
>>> round(r.metrics["wh_kg"]), round(r.metrics["stack_wh_kg"])
(408, 458)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
import polars as pl

from elyte.design.errors import DesignError
from elyte.design.materials import laminate as _laminate
from elyte.design.materials import material as _material
from elyte.errors import MissingCellParameterError
from elyte.lithium.inventory import (
    LI_DENSITY_G_CM3,
    LI_SPECIFIC_CAPACITY_MAH_G,
    LiInventory,
    cycles_to_li_exhaustion,
    li_inventory,
)

__all__ = [
    "COMPONENTS",
    "REPORTABLE",
    "Anode",
    "Cathode",
    "Check",
    "CoinCell",
    "DesignResult",
    "Electrolyte",
    "Packaging",
    "Parameter",
    "PouchCell",
    "Separator",
    "Tabs",
]

#: Rows of every mass budget, in order.
COMPONENTS = (
    "cathode coating",
    "cathode collector",
    "Li metal",
    "anode collector",
    "separator",
    "electrolyte",
    "tabs",
    "packaging",
)

#: Quantities a design may report (``reported={...}``) and their units.
REPORTABLE: dict[str, str] = {
    "wh_kg": "Wh/kg",
    "wh_l": "Wh/L",
    "energy_wh": "Wh",
    "capacity_ah": "Ah",
    "total_mass_g": "g",
    "np_ratio": "1",
    "ec_ratio_g_ah": "g/Ah",
    "li_areal_capacity_mah_cm2": "mAh/cm2",
    "areal_capacity_mah_cm2": "mAh/cm2",
    "specific_capacity_mah_g": "mAh/g",
}

_DEFAULT_TOLERANCE = 0.05


# --------------------------------------------------------------------------- components
@dataclass(frozen=True, kw_only=True)
class Cathode:
    """The positive electrode.

    Parameters
    ----------
    material : str
        Active material in the data file (``NCM811``, ``LiCoO2``); gives the specific
        capacity and average voltage when they are not given. Default ``NCM811`` (seed).
    areal_capacity_mah_cm2 : float, optional
        P per coated face, mAh/cm² (seed: 3.7). If given, the specific capacity is implied
        from the loading; if not, ``P = loading x active_fraction x specific capacity``.
    loading_mg_cm2 : float
        Coating mass per face (active + binder + carbon), mg/cm². Default 18.1 (seed).
    active_fraction : float
        Active-material mass fraction of the coating. Default 0.978 (seed).
    specific_capacity_mah_g : float, optional
        Reversible capacity of the active material, mAh/g (default: the material's, 210
        for NCM811).
    coating_density_g_cm3 : float
        Pressed coating density, g/cm³, for the thickness (Wh/L only). Default 3.4
        (typical calendered NCM811 electrode; assumption).
    double_sided : bool
        Coated on both sides of the collector. Default True (stacked pouch); coin cells use
        single-sided disks.
    width_mm, height_mm : float, optional
        Coated size of one face, mm (pouch): needed for the laminate, tabs and Wh/L.
    collector : str
        Collector metal. Default ``Al``.
    collector_thickness_um : float
        Collector thickness, µm. Default 8 (seed).
    lithiated : bool
        The cathode brings its own Li (NCM, LCO, LFP): the whole Li anode is excess.
        Default True.
    """

    material: str = "NCM811"
    areal_capacity_mah_cm2: float | None = None
    loading_mg_cm2: float = 18.1
    active_fraction: float = 0.978
    specific_capacity_mah_g: float | None = None
    coating_density_g_cm3: float = 3.4
    double_sided: bool = True
    width_mm: float | None = None
    height_mm: float | None = None
    collector: str = "Al"
    collector_thickness_um: float = 8.0
    lithiated: bool = True


@dataclass(frozen=True, kw_only=True)
class Anode:
    """The Li-metal negative electrode.

    Parameters
    ----------
    li_thickness_um : float, optional
        Li facing each cathode face, µm. Default 50 (seed). Give it or ``np_ratio``.
    np_ratio : float, optional
        N/P (areal): sets the Li thickness from P. Overrides ``li_thickness_um``.
    collector : str, optional
        ``"Cu"`` for Li on a Cu foil; None (default) for a free-standing Li foil (the
        seed's Table S6 lists no Cu).
    collector_thickness_um : float
        Cu thickness, µm, when a collector is used. Default 6.
    overhang_mm : float
        Anode larger than the cathode on each edge, mm (pouch). Default 0 (optimistic).
    diameter_mm : float
        Li disk diameter, mm (coin). Default 15.6 (a common 2032 Li chip; assumption).
    """

    li_thickness_um: float | None = 50.0
    np_ratio: float | None = None
    collector: str | None = None
    collector_thickness_um: float = 6.0
    overhang_mm: float = 0.0
    diameter_mm: float = 15.6


@dataclass(frozen=True, kw_only=True)
class Separator:
    """The separator.

    Parameters
    ----------
    material : str
        Entry in the data file: ``PE`` (25 µm, 40 % porosity; default) or ``GF-A``
        (glass fibre, by areal mass).
    thickness_um, porosity, areal_mass_g_m2 : float, optional
        Override the material's values; an areal mass wins over thickness x porosity.
    overhang_mm : float
        Separator larger than the cathode on each edge, mm (pouch). Default 0.
    diameter_mm : float
        Disk diameter, mm (coin). Default 19.
    """

    material: str = "PE"
    thickness_um: float | None = None
    porosity: float | None = None
    areal_mass_g_m2: float | None = None
    overhang_mm: float = 0.0
    diameter_mm: float = 19.0


@dataclass(frozen=True, kw_only=True)
class Electrolyte:
    """The electrolyte.

    Parameters
    ----------
    material : str
        Entry in the data file for the density (``generic``, ``LiPF6-EMC-FEC``,
        ``3D-SIPE-LiFPA``); used to convert volume and mass.
    ec_ratio_g_ah : float, optional
        E/C, g of electrolyte per Ah of cell capacity.
    volume_ul : float, optional
        Volume, µL (used when E/C is not given).
    density_g_cm3 : float, optional
        Override the material's density, g/cm³.
    """

    material: str = "generic"
    ec_ratio_g_ah: float | None = None
    volume_ul: float | None = None
    density_g_cm3: float | None = None


@dataclass(frozen=True, kw_only=True)
class Packaging:
    """The pouch laminate (or, for a coin cell, the case hardware).

    Parameters
    ----------
    laminate : str, optional
        Laminate in the data file. Default ``al-laminate-113um`` (a standard 113 µm film,
        181.5 g/m²); None for no laminate.
    areal_mass_g_m2, thickness_um : float, optional
        Override the laminate's areal mass (g/m²) and thickness (µm).
    seal_width_mm : float
        Seal width on each edge of the envelope, mm. Default 5.
    mass_g : float, optional
        Fixed packaging mass, g (wins over the laminate; a coin cell's hardware).
    """

    laminate: str | None = "al-laminate-113um"
    areal_mass_g_m2: float | None = None
    thickness_um: float | None = None
    seal_width_mm: float = 5.0
    mass_g: float | None = None


@dataclass(frozen=True, kw_only=True)
class Tabs:
    """The two tabs of a pouch.

    Parameters
    ----------
    positive_material, negative_material : str
        Tab metals. Defaults ``Al`` and ``Ni``.
    width_mm, thickness_mm, length_mm : float
        Size of each tab strip, mm. Defaults 8, 0.1 and 25 (assumption).
    mass_g : float, optional
        Fixed mass of both tabs, g (wins over the size).
    """

    positive_material: str = "Al"
    negative_material: str = "Ni"
    width_mm: float = 8.0
    thickness_mm: float = 0.1
    length_mm: float = 25.0
    mass_g: float | None = None


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Parameter:
    """One input of the budget: value, unit, and where the value comes from.

    ``source`` is ``"given"``, ``"default"`` (the value equals the documented default),
    ``"material data: ..."`` or ``"derived: ..."``.
    """

    name: str
    value: float | str | bool | None
    unit: str
    source: str
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        value = self.value
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        return {
            "name": self.name,
            "value": value,
            "unit": self.unit,
            "source": self.source,
            "description": self.description,
        }


@dataclass(frozen=True)
class Check:
    """A reported value against the budget.

    Attributes
    ----------
    quantity : str
        Key in :data:`REPORTABLE`.
    reported, computed : float
        The two values (unit ``unit``).
    relative_difference : float
        ``computed / reported - 1``.
    flagged : bool
        ``|relative_difference| > tolerance``.
    tolerance : float
        Fraction (0.05 = 5 %).
    message : str
        One sentence; for Wh/kg it also says what packaging + tabs may weigh to reach the
        reported value.
    """

    quantity: str
    reported: float
    computed: float
    unit: str
    relative_difference: float
    flagged: bool
    tolerance: float
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {
            "quantity": self.quantity,
            "reported": self.reported,
            "computed": _finite(self.computed),
            "unit": self.unit,
            "relative_difference": _finite(self.relative_difference),
            "flagged": self.flagged,
            "tolerance": self.tolerance,
            "message": self.message,
        }


_METRIC_UNITS: dict[str, str] = {
    "capacity_ah": "Ah",
    "average_voltage_v": "V",
    "energy_wh": "Wh",
    "total_mass_g": "g",
    "wh_kg": "Wh/kg",
    "wh_l": "Wh/L",
    "volume_cm3": "cm3",
    "stack_mass_g": "g",
    "stack_wh_kg": "Wh/kg",
    "stack_thickness_mm": "mm",
    "envelope_width_mm": "mm",
    "envelope_height_mm": "mm",
    "areal_capacity_mah_cm2": "mAh/cm2",
    "specific_capacity_mah_g": "mAh/g",
    "active_mass_g": "g",
    "coated_area_cm2": "cm2",
    "cathode_faces": "1",
    "li_thickness_um": "um",
    "li_areal_capacity_mah_cm2": "mAh/cm2",
    "np_ratio": "1",
    "li_excess_mah_cm2": "mAh/cm2",
    "li_excess_mah": "mAh",
    "ec_ratio_g_ah": "g/Ah",
    "electrolyte_volume_ul": "uL",
    "electrolyte_ul_per_mah": "uL/mAh",
    "cycles_to_li_exhaustion": "1",
}


def _finite(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


@dataclass(frozen=True)
class DesignResult:
    """Mass budget and figures of merit of one cell design.

    Attributes
    ----------
    name : str
        The design's name.
    format : str
        ``"pouch"`` or ``"coin"``.
    budget : polars.DataFrame
        One row per component (:data:`COMPONENTS`): ``component``, ``material``,
        ``mass_g``, ``mass_fraction``, ``area_cm2``, ``basis`` (how the mass was computed).
    metrics : dict
        ``wh_kg``, ``wh_l`` (NaN without the electrode size), ``energy_wh``,
        ``total_mass_g``, ``stack_wh_kg`` (without tabs and packaging), ``np_ratio``,
        ``ec_ratio_g_ah``, ``li_excess_mah_cm2``, ``cycles_to_li_exhaustion`` (NaN without
        a CE)... units in :attr:`units`.
    parameters : tuple of Parameter
        Every input with its value and source.
    checks : tuple of Check
        Reported values against the budget.
    notes : tuple of str
        Anything derived, assumed or unusual.
    units : dict
        Unit of every metric.
    """

    name: str
    format: str
    budget: pl.DataFrame
    metrics: dict[str, float]
    parameters: tuple[Parameter, ...]
    checks: tuple[Check, ...] = ()
    notes: tuple[str, ...] = ()
    units: dict[str, str] = field(default_factory=lambda: dict(_METRIC_UNITS))

    @property
    def flagged(self) -> tuple[Check, ...]:
        """The checks beyond tolerance."""
        return tuple(c for c in self.checks if c.flagged)

    def mass(self, component: str) -> float:
        """Mass of one budget row, g.

        Raises
        ------
        DesignError
            If the component is not a budget row.
        """
        if component not in COMPONENTS:
            raise DesignError(f"unknown component {component!r}: one of {', '.join(COMPONENTS)}")
        return float(self.budget.filter(pl.col("component") == component)["mass_g"][0])

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view (non-finite numbers become ``None``)."""
        return {
            "name": self.name,
            "format": self.format,
            "metrics": {k: _finite(float(v)) for k, v in self.metrics.items()},
            "units": dict(self.units),
            "budget": [{k: _finite(v) for k, v in row.items()} for row in self.budget.to_dicts()],
            "checks": [c.to_dict() for c in self.checks],
            "flagged": [c.quantity for c in self.flagged],
            "parameters": [p.to_dict() for p in self.parameters],
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        m = self.metrics
        lines = [f"{self.name or 'cell'} ({self.format})"]
        lines.append(
            f"  {m['capacity_ah']:.4g} Ah x {m['average_voltage_v']:.3g} V = "
            f"{m['energy_wh']:.4g} Wh on {m['coated_area_cm2']:.1f} cm2 of coated cathode "
            f"({m['areal_capacity_mah_cm2']:.3g} mAh/cm2, {m['specific_capacity_mah_g']:.4g} "
            "mAh/g active)"
        )
        lines.append(f"  {'mass budget':<28}{'g':>9}{'%':>7}  basis")
        for row in self.budget.iter_rows(named=True):
            label = (
                f"{row['component']} ({row['material']})" if row["material"] else row["component"]
            )
            lines.append(
                f"  {label:<28}{row['mass_g']:>9.4g}{100 * row['mass_fraction']:>7.1f}  "
                f"{row['basis']}"
            )
        lines.append(f"  {'total':<28}{m['total_mass_g']:>9.4g}{100.0:>7.1f}")
        wh_l = f", {m['wh_l']:.0f} Wh/L" if math.isfinite(m["wh_l"]) else ""
        lines.append(
            f"  energy density {m['wh_kg']:.1f} Wh/kg{wh_l}; electrode stack alone "
            f"{m['stack_wh_kg']:.1f} Wh/kg ({m['stack_mass_g']:.4g} g)"
        )
        cyc = m["cycles_to_li_exhaustion"]
        life = f"; Li runs out after {cyc:.0f} cycles at the given CE" if math.isfinite(cyc) else ""
        lines.append(
            f"  N/P {m['np_ratio']:.3g} (Li {m['li_thickness_um']:.3g} um = "
            f"{m['li_areal_capacity_mah_cm2']:.3g} mAh/cm2), E/C {m['ec_ratio_g_ah']:.3g} g/Ah "
            f"({m['electrolyte_ul_per_mah']:.3g} uL/mAh), Li excess "
            f"{m['li_excess_mah_cm2']:.3g} mAh/cm2{life}"
        )
        if self.checks:
            lines.append(f"  reported values (flagged beyond {100 * self.checks[0].tolerance:g} %)")
            lines.extend(f"   {'!' if c.flagged else ' '} {c.message}" for c in self.checks)
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


# --------------------------------------------------------------------------- helpers
def _num(name: str, value: Any, *, allow_zero: bool = False, upper: float | None = None) -> float:
    ok = (
        not isinstance(value, bool)
        and isinstance(value, int | float | np.integer | np.floating)
        and math.isfinite(float(value))
        and (float(value) >= 0 if allow_zero else float(value) > 0)
        and (upper is None or float(value) <= upper)
    )
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        if upper is not None:
            bound += f" and <= {upper:g}"
        raise MissingCellParameterError(f"{name} must be a finite number {bound}, not {value!r}")
    return float(value)


def _opt(name: str, value: Any, **kw: Any) -> float:
    return math.nan if value is None else _num(name, value, **kw)


def _src(obj: Any, name: str) -> str:
    for f in fields(obj):
        if f.name == name:
            return "default" if getattr(obj, name) == f.default else "given"
    return "given"  # pragma: no cover - only called with field names


def _no_collector(value: str | None) -> bool:
    return value is None or str(value).strip().lower() in ("", "none", "no")


# --------------------------------------------------------------------------- designs
class _Design:
    """Shared machinery of PouchCell and CoinCell (flat parameters, evaluation, overrides)."""

    name: str
    reported: Mapping[str, float]
    tolerance: float
    ce: float | None
    average_voltage_v: float | None
    cathode: Cathode
    anode: Anode
    separator: Separator
    electrolyte: Electrolyte
    packaging: Packaging

    format = "cell"

    # -- flat parameters -------------------------------------------------------------------
    def _common(self) -> tuple[dict[str, float], list[Parameter], list[str]]:
        c, a, s, e = self.cathode, self.anode, self.separator, self.electrolyte
        p: dict[str, float] = {}
        out: list[Parameter] = []
        notes: list[str] = []

        def put(key: str, value: float, unit: str, source: str, text: str = "") -> None:
            p[key] = value
            out.append(Parameter(key, None if math.isnan(value) else value, unit, source, text))

        active = _material("active", c.material)
        loading = _num("cathode.loading_mg_cm2", c.loading_mg_cm2)
        fraction = _num("cathode.active_fraction", c.active_fraction, upper=1.0)
        put("loading_mg_cm2", loading, "mg/cm2", _src(c, "loading_mg_cm2"), "coating per face")
        put("active_fraction", fraction, "1", _src(c, "active_fraction"), "active mass fraction")
        if c.areal_capacity_mah_cm2 is not None:
            areal = _num("cathode.areal_capacity_mah_cm2", c.areal_capacity_mah_cm2)
            spec = areal / (loading * fraction) * 1000.0
            put(
                "specific_capacity_mah_g",
                spec,
                "mAh/g",
                "derived: areal_capacity / (loading x active_fraction)",
                f"given P = {areal:g} mAh/cm2",
            )
            nominal = (
                c.specific_capacity_mah_g
                if c.specific_capacity_mah_g is not None
                else active.get("specific_capacity_mah_g")
            )
            if abs(spec / nominal - 1.0) > 0.05:
                notes.append(
                    f"the areal capacity {areal:g} mAh/cm2 implies {spec:.1f} mAh/g of "
                    f"{c.material}, {100 * (spec / nominal - 1):+.1f} % from {nominal:g} mAh/g"
                )
        elif c.specific_capacity_mah_g is not None:
            spec = _num("cathode.specific_capacity_mah_g", c.specific_capacity_mah_g)
            put("specific_capacity_mah_g", spec, "mAh/g", "given")
        else:
            spec = active.get("specific_capacity_mah_g")
            put("specific_capacity_mah_g", spec, "mAh/g", f"material data: {active.source}")
        voltage = (
            _num("average_voltage_v", self.average_voltage_v)
            if self.average_voltage_v is not None
            else active.get("average_voltage_v")
        )
        put(
            "average_voltage_v",
            voltage,
            "V",
            "given" if self.average_voltage_v is not None else f"material data: {active.source}",
        )
        put(
            "coating_density_g_cm3",
            _num("cathode.coating_density_g_cm3", c.coating_density_g_cm3),
            "g/cm3",
            _src(c, "coating_density_g_cm3"),
            "pressed coating (thickness only)",
        )
        for name, flag in (
            ("cathode.double_sided", c.double_sided),
            ("cathode.lithiated", c.lithiated),
        ):
            if not isinstance(flag, bool):
                raise MissingCellParameterError(f"{name} must be true or false, not {flag!r}")
        put("sides", 2.0 if c.double_sided else 1.0, "1", _src(c, "double_sided"), "coated sides")
        al = _material("metal", c.collector)
        put(
            "al_thickness_um",
            _num("cathode.collector_thickness_um", c.collector_thickness_um),
            "um",
            _src(c, "collector_thickness_um"),
            f"{c.collector} collector",
        )
        put("al_density_g_cm3", al.density_g_cm3, "g/cm3", f"material data: {al.source}")
        # Li
        if a.np_ratio is not None:
            put("np_ratio", _num("anode.np_ratio", a.np_ratio), "1", "given", "sets Li thickness")
            put("li_thickness_um", math.nan, "um", "derived: np_ratio x P")
        else:
            if a.li_thickness_um is None:
                raise MissingCellParameterError(
                    "give the Li anode: anode.li_thickness_um=... (µm per cathode face) or "
                    "anode.np_ratio=..."
                )
            put("np_ratio", math.nan, "1", "derived: Li capacity / P")
            put(
                "li_thickness_um",
                _num("anode.li_thickness_um", a.li_thickness_um, allow_zero=True),
                "um",
                _src(a, "li_thickness_um"),
                "Li per cathode face",
            )
        put(
            "li_density_g_cm3",
            LI_DENSITY_G_CM3,
            "g/cm3",
            "elyte.lithium.inventory.LI_DENSITY_G_CM3",
        )
        put(
            "li_specific_capacity_mah_g",
            LI_SPECIFIC_CAPACITY_MAH_G,
            "mAh/g",
            "elyte.lithium.inventory.LI_SPECIFIC_CAPACITY_MAH_G",
        )
        if _no_collector(a.collector):
            put("cu_thickness_um", 0.0, "um", _src(a, "collector"), "no anode collector")
            put("cu_density_g_cm3", 0.0, "g/cm3", "no anode collector")
        else:
            cu = _material("metal", str(a.collector))
            put(
                "cu_thickness_um",
                _num("anode.collector_thickness_um", a.collector_thickness_um),
                "um",
                _src(a, "collector_thickness_um"),
                f"{a.collector} collector under the Li",
            )
            put("cu_density_g_cm3", cu.density_g_cm3, "g/cm3", f"material data: {cu.source}")
        # separator
        sep = _material("separator", s.material)
        if s.areal_mass_g_m2 is not None:
            put(
                "sep_areal_mass_g_m2",
                _num("separator.areal_mass_g_m2", s.areal_mass_g_m2),
                "g/m2",
                "given",
            )
        elif "areal_mass_g_m2" in sep.values and s.thickness_um is None and s.porosity is None:
            put(
                "sep_areal_mass_g_m2",
                sep.get("areal_mass_g_m2"),
                "g/m2",
                f"material data: {sep.source}",
            )
        else:
            put(
                "sep_areal_mass_g_m2",
                math.nan,
                "g/m2",
                "derived: thickness x density x (1 - porosity)",
            )
        thickness = (
            _num("separator.thickness_um", s.thickness_um)
            if s.thickness_um is not None
            else sep.get("thickness_um")
        )
        put(
            "sep_thickness_um",
            thickness,
            "um",
            "given" if s.thickness_um is not None else f"material data: {sep.source}",
        )
        if math.isnan(p["sep_areal_mass_g_m2"]):
            porosity = (
                _num("separator.porosity", s.porosity, allow_zero=True, upper=0.99)
                if s.porosity is not None
                else sep.get("porosity")
            )
            polymer = _material("polymer", str(sep.values.get("material", "PE")))
            put(
                "sep_porosity",
                porosity,
                "1",
                "given" if s.porosity is not None else f"material data: {sep.source}",
            )
            put(
                "sep_density_g_cm3",
                polymer.density_g_cm3,
                "g/cm3",
                f"material data: {polymer.source}",
            )
        else:
            put("sep_porosity", math.nan, "1", "not used (areal mass given)")
            put("sep_density_g_cm3", math.nan, "g/cm3", "not used (areal mass given)")
        # electrolyte
        el = _material("electrolyte", e.material)
        rho_e = (
            _num("electrolyte.density_g_cm3", e.density_g_cm3)
            if e.density_g_cm3 is not None
            else el.density_g_cm3
        )
        put(
            "electrolyte_density_g_cm3",
            rho_e,
            "g/cm3",
            "given" if e.density_g_cm3 is not None else f"material data: {el.source}",
        )
        put(
            "ec_ratio_g_ah",
            _opt("electrolyte.ec_ratio_g_ah", e.ec_ratio_g_ah),
            "g/Ah",
            _src(e, "ec_ratio_g_ah"),
        )
        put(
            "electrolyte_volume_ul",
            _opt("electrolyte.volume_ul", e.volume_ul),
            "uL",
            _src(e, "volume_ul"),
        )
        if e.ec_ratio_g_ah is None and e.volume_ul is None:
            raise MissingCellParameterError(
                "give the electrolyte: electrolyte.ec_ratio_g_ah=... (g/Ah) or "
                "electrolyte.volume_ul=... (µL)"
            )
        if e.ec_ratio_g_ah is not None and e.volume_ul is not None:
            raise MissingCellParameterError(
                "give the electrolyte once: ec_ratio_g_ah or volume_ul, not both"
            )
        ce = _opt("ce", self.ce, upper=1.0)
        put(
            "ce",
            ce,
            "1",
            "given" if self.ce is not None else "not given",
            "Li plating/stripping CE for the Li-inventory cycle life",
        )
        p["lithiated"] = 1.0 if c.lithiated else 0.0
        out.append(Parameter("cathode_lithiated", c.lithiated, "", _src(c, "lithiated")))
        return p, out, notes

    def parameters(self) -> tuple[Parameter, ...]:
        """Every input of the budget with its value, unit and source."""
        return tuple(self._flat()[1])

    def _flat(self) -> tuple[dict[str, float], list[Parameter], list[str]]:
        raise NotImplementedError  # pragma: no cover

    def _core(self, p: Mapping[str, Any]) -> dict[str, np.ndarray]:
        raise NotImplementedError  # pragma: no cover

    # -- evaluation --------------------------------------------------------------------------
    def evaluate(self) -> DesignResult:
        """Mass budget, figures of merit and checks of this design.

        Raises
        ------
        MissingCellParameterError
            If a needed parameter is missing or not a usable value.
        DesignError
            If a material is unknown or a reported quantity is not in :data:`REPORTABLE`.
        """
        flat, params, notes = self._flat()
        with np.errstate(all="ignore"):
            raw = self._core(flat)
        values = {k: float(np.asarray(v).reshape(-1)[0]) for k, v in raw.items()}
        if not all(math.isfinite(values[k]) for k in ("wh_kg", "total_mass_g", "np_ratio")):
            raise MissingCellParameterError(
                "the parameters give no finite energy density (a value far out of range?)"
            )
        notes = list(notes) + self._notes(values)
        total = values["total_mass_g"]
        rows = []
        for comp in COMPONENTS:
            mass = values[f"mass:{comp}"]
            rows.append(
                {
                    "component": comp,
                    "material": self._material_label(comp),
                    "mass_g": mass,
                    "mass_fraction": mass / total,
                    "area_cm2": values.get(f"area:{comp}", math.nan),
                    "basis": self._basis(comp, values),
                }
            )
        budget = pl.DataFrame(
            rows,
            schema={
                "component": pl.String,
                "material": pl.String,
                "mass_g": pl.Float64,
                "mass_fraction": pl.Float64,
                "area_cm2": pl.Float64,
                "basis": pl.String,
            },
        )
        metrics = {k: v for k, v in values.items() if ":" not in k}
        checks = tuple(self._checks(values))
        return DesignResult(
            name=self.name,
            format=self.format,
            budget=budget,
            metrics=metrics,
            parameters=tuple(params),
            checks=checks,
            notes=tuple(notes),
        )

    def li_inventory(
        self, ce: float | Sequence[float] | np.ndarray, *, n_cycles: int | None = None
    ) -> LiInventory:
        """Li lost cycle by cycle for a CE history, with this design's N and P.

        Calls :func:`elyte.lithium.inventory.li_inventory` (the one Li-inventory model) with
        the design's Li areal capacity, cathode areal capacity and lithiation.

        Parameters
        ----------
        ce : float or sequence of float
            Per-cycle CE (fractions), or one CE with ``n_cycles``.
        n_cycles : int, optional
            Number of cycles for a single CE.

        Returns
        -------
        LiInventory

        Raises
        ------
        MissingCellParameterError
            If the CE values are not fractions in (0, 1] or the design is incomplete.
        """
        m = self.evaluate().metrics
        return li_inventory(
            ce,
            anode_capacity_mah_cm2=m["li_areal_capacity_mah_cm2"],
            cathode_capacity_mah_cm2=m["areal_capacity_mah_cm2"],
            n_cycles=n_cycles,
            cathode_lithiated=self.cathode.lithiated,
        )

    def with_changes(self, changes: Mapping[str, Any]) -> Any:
        """Copy with some parameters changed, by dotted path.

        Parameters
        ----------
        changes : mapping
            ``{"anode.collector": "Cu", "packaging.laminate": None, "capacity_ah": 2.8}``.

        Returns
        -------
        PouchCell or CoinCell

        Raises
        ------
        DesignError
            If a path does not name a parameter.
        """
        design: Any = self
        for path, value in changes.items():
            design = _set(design, str(path).split("."), value, str(path))
        return design

    # -- checks ------------------------------------------------------------------------------
    def _checks(self, v: Mapping[str, float]) -> list[Check]:
        tol = _num("tolerance", self.tolerance)
        out: list[Check] = []
        for key, reported in self.reported.items():
            if key not in REPORTABLE:
                raise DesignError(
                    f"unknown reported quantity {key!r}: one of {', '.join(REPORTABLE)}"
                )
            rep = _num(f"reported.{key}", reported)
            computed = v[key]
            rel = computed / rep - 1.0 if math.isfinite(computed) else math.nan
            flagged = not math.isfinite(rel) or abs(rel) > tol
            unit = REPORTABLE[key]
            shown = "" if unit == "1" else f" {unit}"
            msg = (
                f"{key}: reported {rep:.4g}{shown}, budget {computed:.4g}{shown} "
                f"({100 * rel:+.1f} %)"
            )
            if not math.isfinite(computed):
                msg = f"{key}: reported {rep:.4g}{shown}, not computable from the inputs"
            if key == "wh_kg":
                allowance = v["energy_wh"] / rep * 1000.0 - v["stack_mass_g"]
                now = v["mass:tabs"] + v["mass:packaging"]
                if allowance <= 0:
                    msg += (
                        f"; unreachable: the electrode stack alone weighs "
                        f"{v['stack_mass_g']:.4g} g and gives {v['stack_wh_kg']:.4g} Wh/kg"
                    )
                else:
                    msg += (
                        f"; to reach it, tabs + packaging may weigh at most {allowance:.3g} g "
                        f"(budget: {now:.3g} g)"
                    )
            out.append(Check(key, rep, computed, unit, rel, flagged, tol, msg))
        return out

    def _notes(self, v: Mapping[str, float]) -> list[str]:
        notes: list[str] = []
        if v["li_thickness_um"] == 0:
            notes.append(
                "anode-free cell (no Li foil): N/P = 0 and no Li excess"
                + (
                    "; the plated Li needs a collector: set anode.collector = 'Cu'"
                    if v["mass:anode collector"] == 0
                    else ""
                )
            )
        return notes

    def _material_label(self, comp: str) -> str:
        c, a = self.cathode, self.anode
        labels = {
            "cathode coating": c.material,
            "cathode collector": c.collector,
            "Li metal": "Li",
            "anode collector": "" if _no_collector(a.collector) else str(a.collector),
            "separator": self.separator.material,
            "electrolyte": self.electrolyte.material,
        }
        return labels.get(comp, "")

    def _basis(self, comp: str, v: Mapping[str, float]) -> str:
        raise NotImplementedError  # pragma: no cover


def _set(obj: Any, parts: list[str], value: Any, path: str) -> Any:
    names = {f.name for f in fields(obj)}
    if parts[0] not in names:
        raise DesignError(
            f"{path!r} does not name a parameter of {type(obj).__name__} "
            f"(known: {', '.join(sorted(names))})"
        )
    if len(parts) == 1:
        return replace(obj, **{parts[0]: value})
    child = getattr(obj, parts[0])
    if not hasattr(child, "__dataclass_fields__"):
        raise DesignError(f"{path!r}: {parts[0]} has no parameters below it")
    return replace(obj, **{parts[0]: _set(child, parts[1:], value, path)})


def _li(p: Mapping[str, Any], areal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Li thickness (µm) and areal capacity N (mAh/cm²) from a thickness or an N/P."""
    rho, cap = p["li_density_g_cm3"], p["li_specific_capacity_mah_g"]
    np_ratio = np.asarray(p["np_ratio"], dtype=np.float64)
    thickness = np.where(
        np.isfinite(np_ratio), np_ratio * areal / (rho * cap) * 1.0e4, p["li_thickness_um"]
    )
    return thickness, thickness * 1.0e-4 * rho * cap


def _sep_areal_g_cm2(p: Mapping[str, Any]) -> np.ndarray:
    given = np.asarray(p["sep_areal_mass_g_m2"], dtype=np.float64)
    derived = p["sep_thickness_um"] * p["sep_density_g_cm3"] * (1.0 - p["sep_porosity"])
    return np.asarray(np.where(np.isfinite(given), given, derived) / 1.0e4, dtype=np.float64)


def _electrolyte_g(p: Mapping[str, Any], capacity_ah: np.ndarray) -> np.ndarray:
    ec = np.asarray(p["ec_ratio_g_ah"], dtype=np.float64)
    by_volume = p["electrolyte_volume_ul"] * 1.0e-3 * p["electrolyte_density_g_cm3"]
    return np.asarray(np.where(np.isfinite(ec), ec * capacity_ah, by_volume), dtype=np.float64)


def _finish(p: Mapping[str, Any], out: dict[str, Any]) -> dict[str, np.ndarray]:
    """Totals and figures of merit shared by both formats."""
    total = sum(out[f"mass:{c}"] for c in COMPONENTS)
    stack = total - out["mass:tabs"] - out["mass:packaging"]
    energy = out["capacity_ah"] * out["average_voltage_v"]
    out["energy_wh"] = energy
    out["total_mass_g"] = total
    out["stack_mass_g"] = stack
    out["wh_kg"] = energy / total * 1000.0
    out["stack_wh_kg"] = energy / stack * 1000.0
    out["wh_l"] = energy / (out["volume_cm3"] / 1000.0)
    out["ec_ratio_g_ah"] = out["mass:electrolyte"] / out["capacity_ah"]
    out["electrolyte_volume_ul"] = out["mass:electrolyte"] / p["electrolyte_density_g_cm3"] * 1e3
    out["electrolyte_ul_per_mah"] = out["electrolyte_volume_ul"] / (out["capacity_ah"] * 1e3)
    np_ratio = out["np_ratio"]
    lithiated = bool(p["lithiated"])
    out["li_excess_mah_cm2"] = (
        out["li_areal_capacity_mah_cm2"]
        if lithiated
        else out["li_areal_capacity_mah_cm2"] - out["areal_capacity_mah_cm2"]
    )
    ce = float(np.asarray(p["ce"]).reshape(-1)[0]) if np.size(p["ce"]) == 1 else math.nan
    if math.isfinite(ce):
        # one call per distinct N/P (a single one unless N/P itself is swept), so that the
        # Li-inventory model stays in elyte.lithium.inventory
        ratios = np.asarray(np_ratio, dtype=np.float64)
        distinct, where = np.unique(ratios, return_inverse=True)
        life = np.array(
            [
                cycles_to_li_exhaustion(ce, float(r), cathode_lithiated=lithiated) if r > 0 else 0.0
                for r in distinct
            ]
        )
        out["cycles_to_li_exhaustion"] = life[where].reshape(ratios.shape)
    else:
        out["cycles_to_li_exhaustion"] = np.full(np.shape(np_ratio), math.nan)
    return {k: np.asarray(v, dtype=np.float64) for k, v in out.items()}


@dataclass(frozen=True, kw_only=True)
class PouchCell(_Design):
    """A stacked pouch cell (see the module docstring for the model).

    Parameters
    ----------
    name : str
        Label.
    capacity_ah : float, optional
        Cell capacity, Ah (seed: 2.8). Give it or ``cathode_sheets`` with the electrode
        size.
    cathode_sheets : float, optional
        Number of cathode sheets (the capacity then follows from P and the area).
    average_voltage_v : float, optional
        Average discharge voltage, V (default: the material's, 3.8 V for NCM811).
    cathode, anode, separator, electrolyte, packaging, tabs
        Components (defaults: the seed's Table S6 values where it gives them; E/C 2.0 g/Ah).
    ce : float, optional
        Li plating/stripping CE (fraction) for the Li-inventory cycle life.
    reported : mapping
        Reported values to check (keys in :data:`REPORTABLE`).
    tolerance : float
        Relative difference beyond which a reported value is flagged. Default 0.05.
    """

    name: str = ""
    capacity_ah: float | None = None
    cathode_sheets: float | None = None
    average_voltage_v: float | None = None
    cathode: Cathode = field(default_factory=Cathode)
    anode: Anode = field(default_factory=Anode)
    separator: Separator = field(default_factory=Separator)
    electrolyte: Electrolyte = field(default_factory=lambda: Electrolyte(ec_ratio_g_ah=2.0))
    packaging: Packaging = field(default_factory=Packaging)
    tabs: Tabs = field(default_factory=Tabs)
    ce: float | None = None
    reported: Mapping[str, float] = field(default_factory=dict)
    tolerance: float = _DEFAULT_TOLERANCE

    format = "pouch"

    def _flat(self) -> tuple[dict[str, float], list[Parameter], list[str]]:
        p, out, notes = self._common()
        c, a, s, k, t = self.cathode, self.anode, self.separator, self.packaging, self.tabs

        def put(key: str, value: float, unit: str, source: str, text: str = "") -> None:
            p[key] = value
            out.append(Parameter(key, None if math.isnan(value) else value, unit, source, text))

        if (self.capacity_ah is None) == (self.cathode_sheets is None):
            raise MissingCellParameterError(
                "give the pouch size once: capacity_ah=... (Ah) or cathode_sheets=... (with "
                "cathode.width_mm and cathode.height_mm)"
            )
        put("capacity_ah", _opt("capacity_ah", self.capacity_ah), "Ah", _src(self, "capacity_ah"))
        put(
            "cathode_sheets",
            _opt("cathode_sheets", self.cathode_sheets),
            "1",
            _src(self, "cathode_sheets"),
        )
        has_size = c.width_mm is not None and c.height_mm is not None
        if (c.width_mm is None) != (c.height_mm is None):
            raise MissingCellParameterError("give both cathode.width_mm and cathode.height_mm")
        put(
            "width_mm",
            _opt("cathode.width_mm", c.width_mm),
            "mm",
            _src(c, "width_mm"),
            "coated face width",
        )
        put(
            "height_mm",
            _opt("cathode.height_mm", c.height_mm),
            "mm",
            _src(c, "height_mm"),
            "coated face height",
        )
        if self.cathode_sheets is not None and not has_size:
            raise MissingCellParameterError(
                "cathode_sheets needs the electrode size: cathode.width_mm and cathode.height_mm"
            )
        put(
            "anode_overhang_mm",
            _num("anode.overhang_mm", a.overhang_mm, allow_zero=True),
            "mm",
            _src(a, "overhang_mm"),
        )
        put(
            "sep_overhang_mm",
            _num("separator.overhang_mm", s.overhang_mm, allow_zero=True),
            "mm",
            _src(s, "overhang_mm"),
        )
        put(
            "seal_width_mm",
            _num("packaging.seal_width_mm", k.seal_width_mm, allow_zero=True),
            "mm",
            _src(k, "seal_width_mm"),
        )
        if k.mass_g is not None:
            put(
                "packaging_mass_g",
                _num("packaging.mass_g", k.mass_g, allow_zero=True),
                "g",
                "given",
            )
            put("laminate_areal_mass_g_m2", math.nan, "g/m2", "not used (mass given)")
            put(
                "laminate_thickness_um",
                0.0
                if k.thickness_um is None
                else _num("packaging.thickness_um", k.thickness_um, allow_zero=True),
                "um",
                _src(k, "thickness_um"),
            )
        elif _no_collector(k.laminate) and k.areal_mass_g_m2 is None:
            put("packaging_mass_g", 0.0, "g", "given: no laminate")
            put("laminate_areal_mass_g_m2", math.nan, "g/m2", "no laminate")
            put("laminate_thickness_um", 0.0, "um", "no laminate")
        else:
            lam = None if _no_collector(k.laminate) else _laminate(str(k.laminate))
            if not has_size:
                raise MissingCellParameterError(
                    "the laminate mass needs the electrode size: give cathode.width_mm and "
                    "cathode.height_mm, or packaging.mass_g=... (g), or packaging.laminate=none"
                )
            put("packaging_mass_g", math.nan, "g", "derived: laminate area x areal mass")
            if k.areal_mass_g_m2 is not None:
                put(
                    "laminate_areal_mass_g_m2",
                    _num("packaging.areal_mass_g_m2", k.areal_mass_g_m2, allow_zero=True),
                    "g/m2",
                    "given",
                )
            else:
                assert lam is not None
                put(
                    "laminate_areal_mass_g_m2",
                    lam.areal_mass_g_m2,
                    "g/m2",
                    f"material data: {lam.source}",
                )
            if k.thickness_um is not None:
                put(
                    "laminate_thickness_um",
                    _num("packaging.thickness_um", k.thickness_um, allow_zero=True),
                    "um",
                    "given",
                )
            else:
                put(
                    "laminate_thickness_um",
                    lam.thickness_um if lam is not None else 0.0,
                    "um",
                    f"material data: {lam.source}" if lam is not None else "not given (0)",
                )
        if t.mass_g is not None:
            put("tab_mass_g", _num("tabs.mass_g", t.mass_g, allow_zero=True), "g", "given")
        else:
            pos = _material("metal", t.positive_material)
            neg = _material("metal", t.negative_material)
            volume = (
                _num("tabs.width_mm", t.width_mm)
                * _num("tabs.thickness_mm", t.thickness_mm)
                * _num("tabs.length_mm", t.length_mm)
                / 1000.0
            )
            put(
                "tab_mass_g",
                volume * (pos.density_g_cm3 + neg.density_g_cm3),
                "g",
                f"derived: {t.width_mm:g} x {t.thickness_mm:g} x {t.length_mm:g} mm "
                f"{t.positive_material} + {t.negative_material} "
                f"({_src(t, 'width_mm')} size)",
            )
        if not has_size:
            notes.append(
                "no electrode size: no Wh/L, and the anode collectors are counted as one per "
                "two cathode faces (the extra end-of-stack anode is left out)"
            )
        return p, out, notes

    def _core(self, p: Mapping[str, Any]) -> dict[str, np.ndarray]:
        f = {k: np.asarray(v, dtype=np.float64) for k, v in p.items()}
        sides = f["sides"]
        areal = f["loading_mg_cm2"] * f["active_fraction"] * f["specific_capacity_mah_g"] / 1e3
        face = f["width_mm"] * f["height_mm"] / 100.0  # cm2, NaN without a size
        capacity = np.where(
            np.isfinite(f["capacity_ah"]),
            f["capacity_ah"],
            f["cathode_sheets"] * sides * face * areal / 1000.0,
        )
        area = capacity * 1000.0 / areal  # coated faces, cm2
        faces = area / face
        sheets = faces / sides
        has_size = bool(np.all(np.isfinite(face)))

        def grown(o: np.ndarray) -> np.ndarray:
            if not has_size:
                return np.ones_like(area)
            grown_area = (f["width_mm"] + 2 * o) * (f["height_mm"] + 2 * o)
            return np.asarray(grown_area / (100.0 * face), dtype=np.float64)

        fa, fs = grown(f["anode_overhang_mm"]), grown(f["sep_overhang_mm"])
        li_t, li_cap = _li(f, areal)
        li_area = area * fa
        al_area = area / sides
        if has_size:
            anodes = np.where(sides == 2.0, sheets + 1.0, faces)
            cu_area = anodes * face * fa
        else:
            anodes = area / sides
            cu_area = li_area / sides
        sep_area = area * fs
        out: dict[str, Any] = {
            "capacity_ah": capacity,
            "average_voltage_v": f["average_voltage_v"] * np.ones_like(area),
            "areal_capacity_mah_cm2": areal,
            "specific_capacity_mah_g": f["specific_capacity_mah_g"] * np.ones_like(area),
            "active_mass_g": f["loading_mg_cm2"] * f["active_fraction"] / 1e3 * area,
            "coated_area_cm2": area,
            "cathode_faces": faces,
            "li_thickness_um": li_t,
            "li_areal_capacity_mah_cm2": li_cap,
            "np_ratio": li_cap / areal,
            "li_excess_mah": li_cap * li_area,
            "mass:cathode coating": f["loading_mg_cm2"] / 1e3 * area,
            "mass:cathode collector": f["al_thickness_um"] * 1e-4 * f["al_density_g_cm3"] * al_area,
            "mass:Li metal": li_t * 1e-4 * f["li_density_g_cm3"] * li_area,
            "mass:anode collector": f["cu_thickness_um"] * 1e-4 * f["cu_density_g_cm3"] * cu_area,
            "mass:separator": _sep_areal_g_cm2(f) * sep_area,
            "mass:electrolyte": _electrolyte_g(f, capacity),
            "mass:tabs": f["tab_mass_g"] * np.ones_like(area),
            "area:cathode coating": area,
            "area:cathode collector": al_area,
            "area:Li metal": li_area,
            "area:anode collector": np.where(f["cu_thickness_um"] > 0, cu_area, 0.0),
            "area:separator": sep_area,
        }
        thickness_cm = (
            faces * f["loading_mg_cm2"] / 1e3 / f["coating_density_g_cm3"]
            + sheets * f["al_thickness_um"] * 1e-4
            + faces * li_t * 1e-4
            + anodes * f["cu_thickness_um"] * 1e-4
            + faces * f["sep_thickness_um"] * 1e-4
        )
        grow = np.maximum(f["anode_overhang_mm"], f["sep_overhang_mm"])
        width = f["width_mm"] + 2 * grow
        height = f["height_mm"] + 2 * grow
        env_w = width + 2 * f["seal_width_mm"]
        env_h = height + 2 * f["seal_width_mm"]
        envelope = env_w * env_h / 100.0  # cm2
        lam_area = 2.0 * envelope + 2.0 * (width + height) / 10.0 * thickness_cm
        packaging = np.where(
            np.isfinite(f["packaging_mass_g"]),
            f["packaging_mass_g"],
            lam_area * f["laminate_areal_mass_g_m2"] / 1e4,
        )
        out["mass:packaging"] = packaging * np.ones_like(area)
        out["area:packaging"] = np.where(np.isfinite(f["packaging_mass_g"]), np.nan, lam_area)
        out["stack_thickness_mm"] = thickness_cm * 10.0
        out["envelope_width_mm"] = env_w * np.ones_like(area)
        out["envelope_height_mm"] = env_h * np.ones_like(area)
        out["volume_cm3"] = envelope * (thickness_cm + 2 * f["laminate_thickness_um"] * 1e-4)
        return _finish(f, out)

    def _notes(self, v: Mapping[str, float]) -> list[str]:
        notes = super()._notes(v)
        faces = v["cathode_faces"]
        if math.isfinite(faces) and abs(faces - round(faces)) > 0.05:
            notes.append(
                f"the coated area is {faces:.2f} electrode faces: the budget keeps the "
                "fractional count (round the capacity or the size for a buildable stack)"
            )
        return notes

    def _basis(self, comp: str, v: Mapping[str, float]) -> str:
        c = self.cathode
        area = v["coated_area_cm2"]
        if comp == "cathode coating":
            return (
                f"{c.loading_mg_cm2:g} mg/cm2 x {area:.1f} cm2 ({100 * c.active_fraction:g} % "
                f"active = {v['active_mass_g']:.4g} g)"
            )
        if comp == "cathode collector":
            return (
                f"{c.collector_thickness_um:g} um x {v['area:cathode collector']:.1f} cm2 "
                f"({'double' if c.double_sided else 'single'}-sided)"
            )
        if comp == "Li metal":
            return f"{v['li_thickness_um']:.3g} um x {v['area:Li metal']:.1f} cm2"
        if comp == "anode collector":
            if v["mass:anode collector"] == 0:
                return "none (free-standing Li)"
            return f"{self.anode.collector_thickness_um:g} um x {v['area:anode collector']:.1f} cm2"
        if comp == "separator":
            return f"{v['area:separator']:.1f} cm2 (one layer per cathode face)"
        if comp == "electrolyte":
            return f"E/C {v['ec_ratio_g_ah']:.3g} g/Ah = {v['electrolyte_volume_ul'] / 1e3:.3g} mL"
        if comp == "tabs":
            return (
                "given"
                if self.tabs.mass_g is not None
                else (
                    f"{self.tabs.positive_material} + {self.tabs.negative_material}, "
                    f"{self.tabs.width_mm:g} x {self.tabs.thickness_mm:g} x "
                    f"{self.tabs.length_mm:g} mm each"
                )
            )
        k = self.packaging
        if k.mass_g is not None:
            return "given"
        if _no_collector(k.laminate) and k.areal_mass_g_m2 is None:
            return "none"
        lam = (
            f"{k.areal_mass_g_m2:g} g/m2"
            if k.areal_mass_g_m2 is not None
            else f"{k.laminate} ({_laminate(str(k.laminate)).areal_mass_g_m2:.4g} g/m2)"
        )
        return (
            f"{lam} x {v['area:packaging']:.1f} cm2 (envelope {v['envelope_width_mm']:.0f} x "
            f"{v['envelope_height_mm']:.0f} mm, two faces + cup walls)"
        )


@dataclass(frozen=True, kw_only=True)
class CoinCell(_Design):
    """A coin cell (2032 by default; see the module docstring).

    Parameters
    ----------
    name : str
        Label.
    cathode_diameter_mm : float
        Cathode disk diameter, mm. Default 12 (seed).
    average_voltage_v : float, optional
        Average discharge voltage, V (default: the material's).
    cathode : Cathode
        Default single-sided NCM811 at the seed's loading.
    anode : Anode
        Default 50 µm Li, 15.6 mm disk.
    separator : Separator
        Default GF-A glass fibre, 19 mm (the seed's coin cells).
    electrolyte : Electrolyte
        Default 50 µL (seed) of the ``generic`` density.
    packaging : Packaging
        ``mass_g`` = case hardware; default: the ``coin.CR2032`` estimate.
    ce, reported, tolerance
        As for :class:`PouchCell`.
    """

    name: str = ""
    cathode_diameter_mm: float = 12.0
    average_voltage_v: float | None = None
    cathode: Cathode = field(default_factory=lambda: Cathode(double_sided=False))
    anode: Anode = field(default_factory=Anode)
    separator: Separator = field(default_factory=lambda: Separator(material="GF-A"))
    electrolyte: Electrolyte = field(default_factory=lambda: Electrolyte(volume_ul=50.0))
    packaging: Packaging = field(default_factory=lambda: Packaging(laminate=None))
    ce: float | None = None
    reported: Mapping[str, float] = field(default_factory=dict)
    tolerance: float = _DEFAULT_TOLERANCE

    format = "coin"

    def _flat(self) -> tuple[dict[str, float], list[Parameter], list[str]]:
        p, out, notes = self._common()

        def put(key: str, value: float, unit: str, source: str, text: str = "") -> None:
            p[key] = value
            out.append(Parameter(key, None if math.isnan(value) else value, unit, source, text))

        put(
            "cathode_diameter_mm",
            _num("cathode_diameter_mm", self.cathode_diameter_mm),
            "mm",
            _src(self, "cathode_diameter_mm"),
        )
        put(
            "li_diameter_mm",
            _num("anode.diameter_mm", self.anode.diameter_mm),
            "mm",
            _src(self.anode, "diameter_mm"),
        )
        put(
            "sep_diameter_mm",
            _num("separator.diameter_mm", self.separator.diameter_mm),
            "mm",
            _src(self.separator, "diameter_mm"),
        )
        if self.packaging.mass_g is not None:
            put(
                "hardware_mass_g",
                _num("packaging.mass_g", self.packaging.mass_g, allow_zero=True),
                "g",
                "given",
            )
        else:
            hw = _material("coin", "CR2032")
            put("hardware_mass_g", hw.get("hardware_mass_g"), "g", f"material data: {hw.source}")
        if self.cathode.double_sided:
            notes.append(
                "a coin-cell cathode disk is taken as single-sided whatever double_sided says"
            )
        return p, out, notes

    def _core(self, p: Mapping[str, Any]) -> dict[str, np.ndarray]:
        f = {k: np.asarray(v, dtype=np.float64) for k, v in p.items()}
        areal = f["loading_mg_cm2"] * f["active_fraction"] * f["specific_capacity_mah_g"] / 1e3
        area = math.pi * (f["cathode_diameter_mm"] / 20.0) ** 2 * np.ones_like(areal)
        capacity = areal * area / 1000.0
        li_area = math.pi * (f["li_diameter_mm"] / 20.0) ** 2 * np.ones_like(areal)
        sep_area = math.pi * (f["sep_diameter_mm"] / 20.0) ** 2 * np.ones_like(areal)
        li_t, li_cap = _li(f, areal)
        out: dict[str, Any] = {
            "capacity_ah": capacity,
            "average_voltage_v": f["average_voltage_v"] * np.ones_like(area),
            "areal_capacity_mah_cm2": areal,
            "specific_capacity_mah_g": f["specific_capacity_mah_g"] * np.ones_like(area),
            "active_mass_g": f["loading_mg_cm2"] * f["active_fraction"] / 1e3 * area,
            "coated_area_cm2": area,
            "cathode_faces": np.ones_like(area),
            "li_thickness_um": li_t,
            "li_areal_capacity_mah_cm2": li_cap,
            "np_ratio": li_cap / areal,
            "li_excess_mah": li_cap * li_area,
            "mass:cathode coating": f["loading_mg_cm2"] / 1e3 * area,
            "mass:cathode collector": f["al_thickness_um"] * 1e-4 * f["al_density_g_cm3"] * area,
            "mass:Li metal": li_t * 1e-4 * f["li_density_g_cm3"] * li_area,
            "mass:anode collector": f["cu_thickness_um"] * 1e-4 * f["cu_density_g_cm3"] * li_area,
            "mass:separator": _sep_areal_g_cm2(f) * sep_area,
            "mass:electrolyte": _electrolyte_g(f, capacity),
            "mass:tabs": np.zeros_like(area),
            "mass:packaging": f["hardware_mass_g"] * np.ones_like(area),
            "area:cathode coating": area,
            "area:cathode collector": area,
            "area:Li metal": li_area,
            "area:anode collector": np.where(f["cu_thickness_um"] > 0, li_area, 0.0),
            "area:separator": sep_area,
            "stack_thickness_mm": np.full_like(area, math.nan),
            "envelope_width_mm": np.full_like(area, math.nan),
            "envelope_height_mm": np.full_like(area, math.nan),
            "volume_cm3": np.full_like(area, math.nan),
        }
        return _finish(f, out)

    def _material_label(self, comp: str) -> str:
        if comp == "packaging":
            return "coin hardware"
        return super()._material_label(comp)

    def _basis(self, comp: str, v: Mapping[str, float]) -> str:
        c = self.cathode
        if comp == "cathode coating":
            return (
                f"{c.loading_mg_cm2:g} mg/cm2 x {self.cathode_diameter_mm:g} mm disk "
                f"({v['coated_area_cm2']:.4g} cm2, {v['active_mass_g'] * 1e3:.4g} mg active)"
            )
        if comp == "cathode collector":
            return f"{c.collector_thickness_um:g} um x {v['coated_area_cm2']:.4g} cm2"
        if comp == "Li metal":
            return f"{v['li_thickness_um']:.3g} um x {self.anode.diameter_mm:g} mm disk"
        if comp == "anode collector":
            if v["mass:anode collector"] == 0:
                return "none (free-standing Li)"
            return f"{self.anode.collector_thickness_um:g} um x {self.anode.diameter_mm:g} mm disk"
        if comp == "separator":
            return f"{self.separator.material}, {self.separator.diameter_mm:g} mm disk"
        if comp == "electrolyte":
            return f"{v['electrolyte_volume_ul']:.3g} uL = E/C {v['ec_ratio_g_ah']:.3g} g/Ah"
        if comp == "tabs":
            return "none (coin cell)"
        return "given" if self.packaging.mass_g is not None else "CR2032 estimate (weigh yours)"
