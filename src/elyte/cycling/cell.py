"""What a cycling file cannot know about its cell: active mass, area, nominal capacity.

A :class:`CellSpec` holds the parameters that turn amp-hours into mAh/g, mAh/cm², Wh/kg
and C-rates, and says which electrode is the working one (that decides how the Coulombic
efficiency is defined). Nothing has a hidden default: a quantity that needs a parameter the
spec lacks raises :class:`~elyte.errors.MissingCellParameterError` naming what to pass.

Examples
--------
The seed paper's NCM811/Li coin cell: 18.1 mg/cm² of coating with 97.8 wt % NCM811 on a
12 mm disk, 1 C = 210 mA/g.

>>> import math
>>> cell = CellSpec(
...     working_electrode="positive",
...     loading_mg_cm2=18.1,
...     active_fraction=0.978,
...     area_cm2=math.pi * 0.6**2,
...     nominal_specific_capacity_mah_g=210.0,
... )
>>> round(cell.active_mass() * 1000, 3)  # mg
20.02
>>> round(cell.nominal_capacity() * 1000, 4)  # mAh
4.2043
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

from elyte.errors import MissingCellParameterError

__all__ = ["CellSpec", "WorkingElectrode"]

#: Which electrode of the cell is the one under study.
WorkingElectrode = Literal["positive", "negative"]

_MASS_HINT = (
    "pass active_mass_g=... (grams of active material), or loading_mg_cm2=... with "
    "area_cm2=... and active_fraction=... (mass fraction of active material in the coating, "
    "0-1)"
)


def _check_positive(name: str, value: float | None, *, upper: float | None = None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MissingCellParameterError(f"{name} must be a number, not {value!r}")
    if not math.isfinite(value) or value <= 0 or (upper is not None and value > upper):
        bound = f" and at most {upper}" if upper is not None else ""
        raise MissingCellParameterError(
            f"{name} must be a finite number above 0{bound}, not {value!r}"
        )


@dataclass(frozen=True, kw_only=True)
class CellSpec:
    """Parameters of the cell that the recording cannot provide.

    All arguments are keyword-only. Give the active mass either directly
    (``active_mass_g``) or as ``loading_mg_cm2 x area_cm2 x active_fraction``, not both.

    Parameters
    ----------
    working_electrode : {"positive", "negative"}
        The electrode under study. ``"positive"`` for a cathode against Li (NCM811/Li,
        LiCoO2/Li): Coulombic efficiency = discharge / charge capacity of the same cycle.
        ``"negative"`` for an electrode that is reduced first, such as Cu in a Li||Cu cell
        (plating = discharge, stripping = charge) or graphite against Li: Coulombic
        efficiency = charge / discharge capacity. Required: there is no default.
    active_mass_g : float, optional
        Mass of active material, g.
    loading_mg_cm2 : float, optional
        Mass loading of the coating, mg/cm² (everything on the current collector).
    active_fraction : float, optional
        Mass fraction of active material in the coating, 0-1 (the seed: 0.978).
    area_cm2 : float, optional
        Electrode area, cm² (for mAh/cm², and for the mass from the loading). A 12 mm disk
        is ``math.pi * 0.6**2``.
    nominal_specific_capacity_mah_g : float, optional
        Capacity that defines 1 C, mAh/g of active material (the seed: 210 for NCM811).
    nominal_capacity_ah : float, optional
        Capacity that defines 1 C, Ah (alternative to the specific value; not both).
    name : str, optional
        Label of the cell, carried into results.

    Raises
    ------
    MissingCellParameterError
        If a value is not a positive finite number, ``active_fraction`` exceeds 1, the mass
        or the nominal capacity is given twice, or ``working_electrode`` is not one of the
        two allowed values.
    """

    working_electrode: WorkingElectrode
    active_mass_g: float | None = None
    loading_mg_cm2: float | None = None
    active_fraction: float | None = None
    area_cm2: float | None = None
    nominal_specific_capacity_mah_g: float | None = None
    nominal_capacity_ah: float | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        if self.working_electrode not in ("positive", "negative"):
            raise MissingCellParameterError(
                "working_electrode must be 'positive' (cathode vs Li: CE = discharge/charge) "
                "or 'negative' (e.g. Cu in Li||Cu, graphite vs Li: CE = charge/discharge), "
                f"not {self.working_electrode!r}"
            )
        _check_positive("active_mass_g", self.active_mass_g)
        _check_positive("loading_mg_cm2", self.loading_mg_cm2)
        _check_positive("active_fraction", self.active_fraction, upper=1.0)
        _check_positive("area_cm2", self.area_cm2)
        _check_positive("nominal_specific_capacity_mah_g", self.nominal_specific_capacity_mah_g)
        _check_positive("nominal_capacity_ah", self.nominal_capacity_ah)
        if self.active_mass_g is not None and self.loading_mg_cm2 is not None:
            raise MissingCellParameterError(
                "give the active mass once: either active_mass_g or loading_mg_cm2 (with "
                "area_cm2 and active_fraction), not both"
            )
        if self.nominal_capacity_ah is not None and self.nominal_specific_capacity_mah_g:
            raise MissingCellParameterError(
                "give the nominal capacity once: either nominal_capacity_ah or "
                "nominal_specific_capacity_mah_g, not both"
            )

    # ------------------------------------------------------------------ derived
    def has_active_mass(self) -> bool:
        """Whether :meth:`active_mass` can be computed from the given parameters."""
        if self.active_mass_g is not None:
            return True
        return None not in (self.loading_mg_cm2, self.area_cm2, self.active_fraction)

    def active_mass(self) -> float:
        """Mass of active material, g.

        Returns
        -------
        float
            ``active_mass_g``, or ``loading_mg_cm2 x area_cm2 x active_fraction / 1000``.

        Raises
        ------
        MissingCellParameterError
            If neither way of giving the mass is complete; the message says what to pass.
        """
        if self.active_mass_g is not None:
            return float(self.active_mass_g)
        parts = {
            "loading_mg_cm2": self.loading_mg_cm2,
            "area_cm2": self.area_cm2,
            "active_fraction": self.active_fraction,
        }
        missing = [k for k, v in parts.items() if v is None]
        if missing:
            given = [k for k, v in parts.items() if v is not None]
            detail = f" (given: {', '.join(given)}; missing: {', '.join(missing)})" if given else ""
            raise MissingCellParameterError(f"the active mass is unknown{detail}: {_MASS_HINT}")
        loading, area, fraction = (float(v) for v in parts.values())  # type: ignore[arg-type]
        return loading * area * fraction / 1000.0

    def area(self) -> float:
        """Electrode area, cm².

        Raises
        ------
        MissingCellParameterError
            If ``area_cm2`` was not given.
        """
        if self.area_cm2 is None:
            raise MissingCellParameterError(
                "the electrode area is unknown: pass area_cm2=... (cm²; a 12 mm disk is "
                "math.pi * 0.6**2)"
            )
        return float(self.area_cm2)

    def has_nominal_capacity(self) -> bool:
        """Whether :meth:`nominal_capacity` can be computed from the given parameters."""
        if self.nominal_capacity_ah is not None:
            return True
        return self.nominal_specific_capacity_mah_g is not None and self.has_active_mass()

    def nominal_capacity(self) -> float:
        """Capacity that defines 1 C, Ah.

        Returns
        -------
        float
            ``nominal_capacity_ah``, or ``nominal_specific_capacity_mah_g x active mass``.

        Raises
        ------
        MissingCellParameterError
            If neither ``nominal_capacity_ah`` nor the specific value with an active mass
            is available.
        """
        if self.nominal_capacity_ah is not None:
            return float(self.nominal_capacity_ah)
        if self.nominal_specific_capacity_mah_g is None:
            raise MissingCellParameterError(
                "the nominal capacity (1 C) is unknown: pass nominal_capacity_ah=... (Ah), or "
                "nominal_specific_capacity_mah_g=... (mAh/g, e.g. 210 for NCM811) with the "
                "active mass"
            )
        try:
            mass = self.active_mass()
        except MissingCellParameterError as exc:
            raise MissingCellParameterError(
                "the nominal capacity needs the active mass to turn "
                f"nominal_specific_capacity_mah_g into Ah; {exc.message}"
            ) from None
        return float(self.nominal_specific_capacity_mah_g) * mass / 1000.0

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view: the given parameters plus the derived mass and nominal capacity."""
        out: dict[str, Any] = asdict(self)
        out["derived_active_mass_g"] = self.active_mass() if self.has_active_mass() else None
        out["derived_nominal_capacity_ah"] = (
            self.nominal_capacity() if self.has_nominal_capacity() else None
        )
        return out
