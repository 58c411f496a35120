"""Cell manifests: a cell design, its scenarios and sweeps in a TOML file.

Layout (every key optional except the cell's size; see ``examples/cells/*.toml``)::

    [cell]
    format = "pouch"          # or "coin"
    name = "NCM811/Li 2.8 Ah pouch"
    capacity_ah = 2.8         # pouch: or cathode_sheets = 7 (with the electrode size)
    average_voltage_v = 3.8
    ce = 0.9939               # optional: Li-inventory cycle life
    tolerance = 0.05

    [cathode]                 # fields of elyte.design.Cathode
    areal_capacity_mah_cm2 = 3.7
    width_mm = 60
    height_mm = 90

    [anode]                   # Anode; collector = "Cu" or "none"
    [separator]               # Separator
    [electrolyte]             # Electrolyte
    [packaging]               # Packaging; laminate = "none" for no laminate
    [tabs]                    # Tabs (pouch only)

    [reported]                # values to check, keys of elyte.design.REPORTABLE
    wh_kg = 437

    [[scenario]]              # variants: dotted paths into the design
    name = "6 um Cu under the Li"
    set = { "anode.collector" = "Cu" }

    [[sweep]]                 # what-if: a list of values, or start/stop/num
    parameter = "np_ratio"
    start = 1.0
    stop = 4.0
    num = 13

Strings ``"none"`` stand for no laminate / no collector. Unknown keys are errors (a typo
would otherwise silently fall back to a default).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from elyte.design.cell import (
    Anode,
    Cathode,
    CoinCell,
    Electrolyte,
    Packaging,
    PouchCell,
    Separator,
    Tabs,
)
from elyte.design.errors import DesignError
from elyte.errors import ElyteError

__all__ = ["CellManifest", "load_cell_manifest", "parse_cell_manifest"]

_MAX_BYTES = 1_000_000
_MAX_SWEEP = 10_000
_SECTIONS: dict[str, type] = {
    "cathode": Cathode,
    "anode": Anode,
    "separator": Separator,
    "electrolyte": Electrolyte,
    "packaging": Packaging,
    "tabs": Tabs,
}
_NONE_FIELDS = {("anode", "collector"), ("packaging", "laminate")}


@dataclass(frozen=True)
class CellManifest:
    """A parsed manifest.

    Attributes
    ----------
    design : PouchCell or CoinCell
        The base design.
    scenarios : dict
        Name -> design variant (the base design first, as ``"base"``).
    sweeps : tuple of (str, numpy.ndarray)
        Parameter and values of each requested sweep.
    path : str
        Where it was read from.
    """

    design: PouchCell | CoinCell
    scenarios: dict[str, PouchCell | CoinCell]
    sweeps: tuple[tuple[str, np.ndarray], ...]
    path: str


def _component(section: str, raw: Any, where: str) -> Any:
    cls = _SECTIONS[section]
    if not isinstance(raw, dict):
        raise DesignError(f"[{section}] must be a table", path=where)
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise DesignError(
            f"[{section}] has unknown key(s) {', '.join(unknown)}; known: "
            f"{', '.join(sorted(known))}",
            path=where,
        )
    values = {
        k: (None if (section, k) in _NONE_FIELDS and str(v).lower() == "none" else v)
        for k, v in raw.items()
    }
    return cls(**values)


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    else:
        out[prefix] = None if isinstance(value, str) and value.lower() == "none" else value


def parse_cell_manifest(data: dict[str, Any], where: str = "<manifest>") -> CellManifest:
    """Build a :class:`CellManifest` from parsed TOML (see the module docstring).

    Raises
    ------
    DesignError
        On an unknown section or key, a bad scenario or sweep, or a design that cannot be
        evaluated (the message names the file).
    """
    allowed = {"cell", "reported", "scenario", "sweep", *_SECTIONS}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise DesignError(
            f"unknown section(s) {', '.join(unknown)}; known: {', '.join(sorted(allowed))}",
            path=where,
        )
    cell = data.get("cell", {})
    if not isinstance(cell, dict):
        raise DesignError("[cell] must be a table", path=where)
    fmt = str(cell.get("format", "pouch")).lower()
    if fmt not in ("pouch", "coin"):
        raise DesignError(f"[cell] format must be 'pouch' or 'coin', not {fmt!r}", path=where)
    cls: type[PouchCell] | type[CoinCell] = PouchCell if fmt == "pouch" else CoinCell
    top = {k: v for k, v in cell.items() if k != "format"}
    known = {f.name for f in fields(cls)} - set(_SECTIONS) - {"reported"}
    bad = sorted(set(top) - known)
    if bad:
        raise DesignError(
            f"[cell] has unknown key(s) {', '.join(bad)} for a {fmt} cell; known: "
            f"{', '.join(sorted(known))}",
            path=where,
        )
    kwargs: dict[str, Any] = dict(top)
    cls_fields = {f.name for f in fields(cls)}
    for section in _SECTIONS:
        if section in data:
            if section not in cls_fields:
                raise DesignError(f"a {fmt} cell has no [{section}] section", path=where)
            if not isinstance(data[section], dict):
                raise DesignError(f"[{section}] must be a table", path=where)
            merged = {**_asdict_shallow(getattr(cls(), section)), **data[section]}
            kwargs[section] = _component(section, merged, where)
    reported = data.get("reported", {})
    if not isinstance(reported, dict):
        raise DesignError("[reported] must be a table", path=where)
    kwargs["reported"] = dict(reported)
    try:
        design = cls(**kwargs)
        design.evaluate()
    except ElyteError as exc:
        raise DesignError(f"the cell cannot be evaluated: {exc}", path=where) from None
    except TypeError as exc:
        raise DesignError(f"bad [cell] value: {exc}", path=where) from None
    scenarios: dict[str, PouchCell | CoinCell] = {"base": design}
    raw_scen = data.get("scenario", [])
    if not isinstance(raw_scen, list):
        raise DesignError("scenarios are written [[scenario]]", path=where)
    for i, sc in enumerate(raw_scen, start=1):
        if not isinstance(sc, dict) or not isinstance(sc.get("name"), str):
            raise DesignError(f"[[scenario]] number {i} needs a name", path=where)
        extra = sorted(set(sc) - {"name", "set"})
        if extra:
            raise DesignError(
                f"[[scenario]] {sc['name']!r} has unknown key(s) {', '.join(extra)} (use set = "
                "{ ... })",
                path=where,
            )
        changes: dict[str, Any] = {}
        _flatten("", sc.get("set", {}), changes)
        try:
            variant = design.with_changes(changes)
            variant.evaluate()
        except ElyteError as exc:
            raise DesignError(f"scenario {sc['name']!r}: {exc}", path=where) from None
        scenarios[sc["name"]] = variant
    sweeps: list[tuple[str, np.ndarray]] = []
    raw_sweeps = data.get("sweep", [])
    if not isinstance(raw_sweeps, list):
        raise DesignError("sweeps are written [[sweep]]", path=where)
    for i, sw in enumerate(raw_sweeps, start=1):
        sweeps.append(_sweep_spec(sw, i, where))
    return CellManifest(design, scenarios, tuple(sweeps), where)


def _asdict_shallow(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


def _sweep_spec(sw: Any, i: int, where: str) -> tuple[str, np.ndarray]:
    if not isinstance(sw, dict) or not isinstance(sw.get("parameter"), str):
        raise DesignError(f"[[sweep]] number {i} needs a parameter", path=where)
    extra = sorted(set(sw) - {"parameter", "values", "start", "stop", "num"})
    if extra:
        raise DesignError(f"[[sweep]] number {i} has unknown key(s) {', '.join(extra)}", path=where)
    if "values" in sw:
        try:
            values = np.asarray(sw["values"], dtype=np.float64)
        except (TypeError, ValueError):
            raise DesignError(
                f"[[sweep]] {sw['parameter']}: values must be numbers", path=where
            ) from None
    else:
        try:
            start, stop, num = float(sw["start"]), float(sw["stop"]), int(sw.get("num", 11))
        except (KeyError, TypeError, ValueError):
            raise DesignError(
                f"[[sweep]] {sw['parameter']}: give values = [...] or start, stop (and num)",
                path=where,
            ) from None
        if not 1 <= num <= _MAX_SWEEP:
            raise DesignError(f"[[sweep]] num must be 1..{_MAX_SWEEP}", path=where)
        values = np.linspace(start, stop, num)
    if values.ndim != 1 or not 1 <= values.size <= _MAX_SWEEP:
        raise DesignError(f"[[sweep]] {sw['parameter']}: 1..{_MAX_SWEEP} values", path=where)
    return sw["parameter"], values


def load_cell_manifest(path: str | PathLike[str]) -> CellManifest:
    """Read a cell manifest (TOML).

    Raises
    ------
    DesignError
        If the file cannot be read, is not TOML, or does not describe a usable cell.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > _MAX_BYTES:
            raise DesignError(f"manifest larger than {_MAX_BYTES} bytes", path=p)
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except DesignError:
        raise
    except FileNotFoundError:
        from elyte.errors import MissingFileError

        raise MissingFileError("no such manifest", path=p) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DesignError(f"cannot read the manifest: {exc}", path=p) from None
    except tomllib.TOMLDecodeError as exc:
        raise DesignError(f"not valid TOML: {exc}", path=p) from None
    return parse_cell_manifest(data, str(p))
