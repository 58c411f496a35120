"""Material data of the cell-design model (``materials.toml``), with the source of each value.

The data file ships with the package. Every value used in a cell budget is listed with its
source in the result's parameters, so an estimate is never mistaken for a measurement;
replace any of them by passing your own value to the design (for example
``Electrolyte(density_g_cm3=1.31)``) or by loading another data file with
:func:`load_materials`.

Examples
--------
>>> round(laminate("al-laminate-113um").areal_mass_g_m2, 1)
181.5
>>> material("metal", "Al").density_g_cm3
2.7
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

from elyte.design.errors import DesignError
from elyte.lithium.inventory import LI_DENSITY_G_CM3, LI_SPECIFIC_CAPACITY_MAH_G

__all__ = [
    "Laminate",
    "Material",
    "MaterialData",
    "laminate",
    "load_materials",
    "material",
    "materials",
]

_KINDS = ("active", "metal", "polymer", "separator", "electrolyte", "laminate", "coin")


@dataclass(frozen=True)
class Material:
    """One entry of the data file.

    Attributes
    ----------
    kind : str
        Section of the data file (``active``, ``metal``, ``polymer``, ``separator``,
        ``electrolyte``, ``coin``).
    key : str
        Name within the section (``NCM811``, ``Al``, ``PE``...).
    values : dict
        The numbers (keys carry their unit: ``density_g_cm3``...).
    source : str
        Where the numbers come from.
    """

    kind: str
    key: str
    values: dict[str, Any]
    source: str

    def get(self, name: str) -> float:
        """Return a numeric value of the entry.

        Raises
        ------
        DesignError
            If the entry has no such value.
        """
        value = self.values.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise DesignError(f"material {self.kind}.{self.key} has no numeric {name!r}")
        return float(value)

    @property
    def density_g_cm3(self) -> float:
        """Density, g/cm³."""
        return self.get("density_g_cm3")


@dataclass(frozen=True)
class Laminate:
    """A pouch laminate film built from layers.

    Attributes
    ----------
    key : str
        Name in the data file.
    layers : tuple of (str, float)
        ``(material, thickness_um)`` from outside to inside.
    areal_mass_g_m2 : float
        Sum of thickness x density over the layers, g/m².
    thickness_um : float
        Total thickness, µm.
    source : str
        Where the build comes from.
    """

    key: str
    layers: tuple[tuple[str, float], ...]
    areal_mass_g_m2: float
    thickness_um: float
    source: str


@dataclass(frozen=True)
class MaterialData:
    """All entries of one data file."""

    entries: dict[str, dict[str, Material]]
    laminates: dict[str, Laminate]
    path: str

    def get(self, kind: str, key: str) -> Material:
        """Entry ``kind.key`` (case-insensitive key).

        Raises
        ------
        DesignError
            If there is no such entry (the message lists the known ones).
        """
        section = self.entries.get(kind)
        if section is None:
            raise DesignError(f"unknown material kind {kind!r}: one of {', '.join(_KINDS)}")
        for k, v in section.items():
            if k.lower() == str(key).lower():
                return v
        raise DesignError(
            f"unknown {kind} material {key!r}: known are {', '.join(sorted(section))}"
        )

    def laminate(self, key: str) -> Laminate:
        """Laminate ``key`` (case-insensitive).

        Raises
        ------
        DesignError
            If there is no such laminate.
        """
        for k, v in self.laminates.items():
            if k.lower() == str(key).lower():
                return v
        raise DesignError(
            f"unknown laminate {key!r}: known are {', '.join(sorted(self.laminates))}"
        )


def _parse(data: dict[str, Any], where: str) -> MaterialData:
    entries: dict[str, dict[str, Material]] = {}
    for kind in _KINDS:
        if kind == "laminate":
            continue
        section = data.get(kind, {})
        if not isinstance(section, dict):
            raise DesignError(f"section [{kind}] must be a table", path=where)
        entries[kind] = {}
        for key, raw in section.items():
            if not isinstance(raw, dict) or not isinstance(raw.get("source"), str):
                raise DesignError(f"[{kind}.{key}] needs a 'source' string", path=where)
            values = {k: v for k, v in raw.items() if k != "source"}
            entries[kind][key] = Material(kind, key, values, raw["source"])
    laminates: dict[str, Laminate] = {}
    for key, raw in data.get("laminate", {}).items():
        layers: list[tuple[str, float]] = []
        mass = 0.0
        for layer in raw.get("layers", []):
            name, t = layer.get("material"), layer.get("thickness_um")
            if not isinstance(name, str) or not isinstance(t, int | float) or t <= 0:
                raise DesignError(f"[laminate.{key}] has a bad layer {layer!r}", path=where)
            kind = "metal" if name in entries["metal"] else "polymer"
            rho = MaterialData(entries, {}, where).get(kind, name).density_g_cm3
            mass += float(t) * rho  # µm x g/cm3 = g/m2
            layers.append((name, float(t)))
        if not layers or not isinstance(raw.get("source"), str):
            raise DesignError(f"[laminate.{key}] needs layers and a source", path=where)
        laminates[key] = Laminate(
            key, tuple(layers), mass, sum(t for _, t in layers), raw["source"]
        )
    return MaterialData(entries, laminates, where)


def load_materials(path: str | PathLike[str] | None = None) -> MaterialData:
    """Read a materials data file (default: the one shipped with elyte).

    Raises
    ------
    DesignError
        If the file cannot be read or an entry lacks a source.
    """
    if path is None:
        text = resources.files("elyte.design").joinpath("materials.toml").read_text("utf-8")
        where = "elyte/design/materials.toml"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DesignError(f"cannot read the materials file: {exc}", path=path) from exc
        where = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DesignError(f"not valid TOML: {exc}", path=where) from exc
    parsed = _parse(data, where)
    li = parsed.get("metal", "Li")
    if (
        li.density_g_cm3 != LI_DENSITY_G_CM3
        or li.get("specific_capacity_mah_g") != LI_SPECIFIC_CAPACITY_MAH_G
    ):
        raise DesignError(
            "metal.Li must use elyte.lithium.inventory's constants "
            f"({LI_DENSITY_G_CM3} g/cm3, {LI_SPECIFIC_CAPACITY_MAH_G} mAh/g): one Li model",
            path=where,
        )
    return parsed


@lru_cache(maxsize=1)
def materials() -> MaterialData:
    """Return the shipped data file (read once)."""
    return load_materials()


def material(kind: str, key: str) -> Material:
    """Entry ``kind.key`` of the shipped data file (see :meth:`MaterialData.get`)."""
    return materials().get(kind, key)


def laminate(key: str) -> Laminate:
    """Laminate ``key`` of the shipped data file (see :meth:`MaterialData.laminate`)."""
    return materials().laminate(key)
