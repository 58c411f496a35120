"""The study manifest: a TOML file that declares electrolytes, cells, files and analyses.

Layout::

    [study]
    name = "demo"

    [[electrolyte]]
    name = "LiPF6-EMC-FEC"
    formulation = "1 M LiPF6 in EMC:FEC 7:3"

    [[cell]]
    id = "lp-aurbach-1"
    electrolyte = "LiPF6-EMC-FEC"
    type = "Li||Cu"
    temperature = "25 degC"
    replicate_group = "aurbach"

    [[cell.analysis]]
    kind = "aurbach"
    files = ["data/lp_li_cu.mpt"]
    area = "1.131 cm2"

Quantities are strings with a unit (``"1.131 cm2"``, ``"260 um"``, ``"3 mAh"``) or bare
numbers in the unit :data:`ANALYSES` states. Relative file paths are relative to the
manifest. Every error is a :class:`~elyte.errors.ManifestError` that names the line and the
field (``tomllib`` gives no line numbers, so the line is found by searching the raw text
for the table and the key).

Analyses: ``cycling``, ``aurbach``, ``symmetric``, ``conductivity``, ``transference``,
``arc``, ``lsv`` (anodic stability; ``threshold`` in mA/cm², default 0.01), ``eis-series``
(alias ``sei``: SEI activation energy over one file per temperature, or one file holding
several spectra with the temperatures in the file), ``dsc`` (``mass`` in mg) and ``design``
(a cell TOML in ``files`` or ``preset`` naming one of :data:`DESIGN_PRESETS`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from elyte.errors import ManifestError
from elyte.units import parse_unit

__all__ = [
    "ANALYSES",
    "DESIGN_PRESETS",
    "AnalysisSpec",
    "CellSpecEntry",
    "Electrolyte",
    "Study",
    "load_manifest",
]

#: Lengths and areas to metres-free base units (um and cm2); ``parse_unit`` has none.
_LENGTH_UM = {"um": 1.0, "µm": 1.0, "μm": 1.0, "mm": 1e3, "cm": 1e4, "m": 1e6, "nm": 1e-3}
_AREA_CM2 = {"cm2": 1.0, "cm^2": 1.0, "cm²": 1.0, "mm2": 1e-2, "mm^2": 1e-2, "mm²": 1e-2}

#: Parameter kinds: (dimension, base unit the analysis uses).
_DIMENSIONS = {
    "area": "cm2",
    "length": "um",
    "charge": "Ah",
    "voltage": "V",
    "temperature": "degC",
    "rate": "degC/min",
    "current_density": "mA/cm2",
    "mass": "mg",
}

#: Current densities to mA/cm2 and masses to mg (``parse_unit`` has neither).
_CURRENT_DENSITY_MA_CM2 = {
    "mA/cm2": 1.0,
    "mA/cm^2": 1.0,
    "mA/cm²": 1.0,
    "uA/cm2": 1e-3,
    "µA/cm2": 1e-3,
    "μA/cm2": 1e-3,
    "uA/cm^2": 1e-3,
    "A/cm2": 1e3,
    "A/m2": 0.1,
}
_MASS_MG = {"mg": 1.0, "g": 1e3, "ug": 1e-3, "µg": 1e-3, "μg": 1e-3}

#: Built-in cell designs a ``design`` analysis may name instead of a cell TOML.
DESIGN_PRESETS = ("seed_pouch_2p8ah", "seed_pouch_222mah", "seed_coin_cell")

#: Analyses and their parameters: name -> (dimension or python type name, required).
ANALYSES: dict[str, dict[str, tuple[str, bool]]] = {
    "cycling": {
        "working_electrode": ("str", True),
        "cycle_definition": ("str", True),
        "nominal_capacity": ("charge", False),
        "area": ("area", False),
        "reference_cycle": ("int", False),
        "threshold": ("float", False),
    },
    "aurbach": {"area": ("area", True), "cutoff": ("voltage", False)},
    "symmetric": {"area": ("area", True)},
    "conductivity": {
        "thickness": ("length", True),
        "area": ("area", True),
        "temperatures": ("temperature_list", True),
        "thickness_error": ("length", False),
        "method": ("str", False),
    },
    "transference": {"dv": ("voltage", True), "circuit": ("str", False)},
    "arc": {"criterion": ("str", False)},
    "lsv": {
        "area": ("area", True),
        "threshold": ("current_density", False),
        "consecutive": ("int", False),
        "baseline": ("str", False),
    },
    "eis-series": {
        "temperatures": ("temperature_list", False),
        "circuit": ("str", False),
        "resistance": ("str", False),
        "global_fit": ("bool", False),
    },
    "dsc": {"mass": ("mass", False), "exo": ("str", False)},
    "design": {"preset": ("str", False), "ce": ("float", False)},
}
ANALYSES["sei"] = ANALYSES["eis-series"]

#: How many files each analysis takes (None: one or more).
_FILE_COUNT: dict[str, int | None] = {
    "cycling": 1,
    "aurbach": 1,
    "symmetric": 1,
    "conductivity": None,
    "transference": 3,
    "arc": 1,
    "lsv": 1,
    "eis-series": None,
    "sei": None,
    "dsc": 1,
    "design": 0,  # a cell TOML, or none with ``preset``
}


@dataclass(frozen=True)
class Electrolyte:
    """An electrolyte of the study.

    Attributes
    ----------
    name : str
        Unique name, used by cells.
    formulation : str
        Free text (salt, solvents, concentrations).
    """

    name: str
    formulation: str = ""


@dataclass(frozen=True)
class AnalysisSpec:
    """One analysis declared on a cell.

    Attributes
    ----------
    kind : str
        One of :data:`ANALYSES`.
    files : tuple of pathlib.Path
        Resolved, existing files (for ``transference``: CA, EIS before, EIS after).
    parameters : dict
        Parameters in base units (area cm², length µm, charge Ah, voltage V, temperature
        °C), keyed by the manifest's names.
    line : int
        Manifest line of the ``[[cell.analysis]]`` header.
    """

    kind: str
    files: tuple[Path, ...]
    parameters: dict[str, Any]
    line: int


@dataclass(frozen=True)
class CellSpecEntry:
    """A cell of the study.

    Attributes
    ----------
    id : str
        Unique cell identifier.
    electrolyte : str
        Name of an :class:`Electrolyte`.
    type : str
        Cell type (``"Li||Cu"``, ``"NCM811||Li"``, ``"SS||SS"``...).
    temperature_c : float or None
        Test temperature, °C.
    replicate_group : str
        Cells of the same group are replicates; the report gives mean ± 95 % CI.
    electrode : dict
        Free-form electrode specification, kept as given.
    analyses : tuple of AnalysisSpec
        What to run on the cell.
    """

    id: str
    electrolyte: str
    type: str
    temperature_c: float | None
    replicate_group: str
    electrode: dict[str, Any]
    analyses: tuple[AnalysisSpec, ...]


@dataclass(frozen=True)
class Study:
    """A validated manifest.

    Attributes
    ----------
    name : str
        Study name (unique in a results store).
    description : str
        Free text.
    path : pathlib.Path
        The manifest file.
    electrolytes : tuple of Electrolyte
        Declared electrolytes.
    cells : tuple of CellSpecEntry
        Declared cells.
    """

    name: str
    description: str
    path: Path
    electrolytes: tuple[Electrolyte, ...]
    cells: tuple[CellSpecEntry, ...] = field(default_factory=tuple)


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?")


class _Locator:
    """Find manifest lines for tables and keys by searching the raw text."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[tuple[int, str]] = []  # (0-based line, table name)
        for i, raw in enumerate(self.lines):
            m = _HEADER.match(raw)
            if m and not raw.lstrip().startswith("#"):
                self.headers.append((i, m.group(2).replace(" ", "")))

    def table(self, name: str, index: int, within: tuple[int, int] | None = None) -> int | None:
        """0-based line of the ``index``-th ``[[name]]`` header (inside ``within``)."""
        lo, hi = within if within is not None else (0, len(self.lines))
        found = [i for i, n in self.headers if n == name and lo <= i < hi]
        return found[index] if index < len(found) else None

    def block(self, start: int | None) -> tuple[int, int]:
        """Line range from a header to the next header (any table)."""
        if start is None:
            return (0, len(self.lines))
        nxt = [i for i, _ in self.headers if i > start]
        return (start, nxt[0] if nxt else len(self.lines))

    def cell_range(self, start: int | None) -> tuple[int, int]:
        """Line range of a ``[[cell]]`` including its sub-tables."""
        if start is None:
            return (0, len(self.lines))
        nxt = [i for i, n in self.headers if i > start and not n.startswith("cell.")]
        return (start, nxt[0] if nxt else len(self.lines))

    def key(self, block: tuple[int, int], key: str, needle: str | None = None) -> int | None:
        """1-based line of ``key =`` (or of ``needle``) inside ``block``."""
        pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
        start = None
        for i in range(*block):
            if pattern.match(self.lines[i]):
                start = i
                break
        if start is None:
            return block[0] + 1 if block[0] < len(self.lines) else None
        if needle is not None:
            for i in range(start, block[1]):
                if needle in self.lines[i]:
                    return i + 1
        return start + 1


_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S.*)?$")


def _convert(value: Any, dimension: str) -> float:
    """Convert ``value`` (number or ``"number unit"``) to the dimension's base unit."""
    base = _DIMENSIONS[dimension]
    if isinstance(value, bool):
        raise ValueError(f"expected a quantity in {base}, got a boolean")
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a quantity such as '1 {base}', got {value!r}")
    m = _QUANTITY.match(value)
    if m is None:
        raise ValueError(f"{value!r} is not a number followed by a unit (e.g. '1 {base}')")
    number, unit = float(m.group(1)), (m.group(2) or base).strip()
    if dimension == "length":
        if unit in _LENGTH_UM:
            return number * _LENGTH_UM[unit]
    elif dimension == "area":
        if unit in _AREA_CM2:
            return number * _AREA_CM2[unit]
    elif dimension == "current_density":
        if unit in _CURRENT_DENSITY_MA_CM2:
            return number * _CURRENT_DENSITY_MA_CM2[unit]
    elif dimension == "mass":
        if unit in _MASS_MG:
            return number * _MASS_MG[unit]
    elif dimension == "rate":
        if unit in ("degC/min", "°C/min", "C/min", "K/min"):
            return number
    else:
        spec = parse_unit(unit, temperature_c=dimension == "temperature")
        if spec is not None and spec.dimension == dimension:
            return number * spec.factor + spec.offset
    what = _describe_unit(unit)
    raise ValueError(f"unit {unit!r}{what} is not a {dimension} unit (expected e.g. {base!r})")


def _describe_unit(unit: str) -> str:
    if unit in _LENGTH_UM:
        return " (a length)"
    if unit in _AREA_CM2:
        return " (an area)"
    spec = parse_unit(unit)
    return f" (a {spec.dimension})" if spec is not None else " (unknown)"


def _parameter(name: str, value: Any, kind: str) -> Any:
    if kind == "str":
        if not isinstance(value, str):
            raise ValueError(f"expected a string, got {value!r}")
        return value
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"expected an integer, got {value!r}")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {value!r}")
        return value
    if kind == "float":
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(f"expected a number, got {value!r}")
        return float(value)
    if kind == "temperature_list":
        if not isinstance(value, list) or not value:
            raise ValueError("expected a list of temperatures, one per file")
        return [_convert(v, "temperature") for v in value]
    return _convert(value, kind)


def load_manifest(path: str | Path) -> Study:
    """Read and validate a study manifest.

    Parameters
    ----------
    path : str or pathlib.Path
        The TOML manifest.

    Returns
    -------
    Study
        Electrolytes, cells and analyses, parameters converted to base units and files
        resolved against the manifest's folder.

    Raises
    ------
    ManifestError
        On any problem, with the line (1-based) and field it concerns.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read the manifest ({exc})", path=path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ManifestError(
            f"not valid TOML: {exc}", path=path, line=int(m.group(1)) if m else None
        ) from None
    loc = _Locator(text)

    def fail(message: str, line: int | None, fld: str | None) -> ManifestError:
        return ManifestError(message, path=path, line=line, field=fld)

    study_table = data.get("study", {})
    if not isinstance(study_table, dict) or not isinstance(study_table.get("name"), str):
        top = loc.table("study", 0)
        raise fail(
            "[study] needs a string field 'name'",
            loc.key(loc.block(top), "name") if top is not None else 1,
            "study.name",
        )
    electrolytes: list[Electrolyte] = []
    for k, e in enumerate(data.get("electrolyte", [])):
        start = loc.table("electrolyte", k)
        if not isinstance(e.get("name"), str):
            raise fail("[[electrolyte]] needs a string 'name'", (start or 0) + 1, "name")
        electrolytes.append(Electrolyte(e["name"], str(e.get("formulation", ""))))
    names = [e.name for e in electrolytes]
    if len(set(names)) != len(names):
        raise fail("electrolyte names must be unique", None, "electrolyte.name")
    if not electrolytes:
        raise fail("the manifest declares no [[electrolyte]]", 1, "electrolyte")

    cells: list[CellSpecEntry] = []
    seen: set[str] = set()
    for k, c in enumerate(data.get("cell", [])):
        start = loc.table("cell", k)
        block, whole = loc.block(start), loc.cell_range(start)
        for required in ("id", "electrolyte"):
            if not isinstance(c.get(required), str):
                raise fail(
                    f"[[cell]] number {k + 1} needs a string field {required!r}",
                    loc.key(block, required),
                    required,
                )
        cid = c["id"]
        if cid in seen:
            raise fail(f"cell id {cid!r} is used twice", loc.key(block, "id"), "id")
        seen.add(cid)
        if c["electrolyte"] not in names:
            raise fail(
                f"cell {cid!r}: electrolyte {c['electrolyte']!r} is not declared "
                f"(declared: {', '.join(names)})",
                loc.key(block, "electrolyte"),
                "electrolyte",
            )
        temperature = None
        if "temperature" in c:
            try:
                temperature = _convert(c["temperature"], "temperature")
            except ValueError as exc:
                raise fail(
                    f"cell {cid!r}, field 'temperature': {exc}",
                    loc.key(block, "temperature"),
                    "temperature",
                ) from None
        analyses: list[AnalysisSpec] = []
        for m_index, a in enumerate(c.get("analysis", [])):
            a_start = loc.table("cell.analysis", m_index, within=whole)
            a_block = loc.block(a_start)
            analyses.append(_analysis(a, cid, a_block, loc, path, fail))
        if not analyses:
            raise fail(f"cell {cid!r} declares no [[cell.analysis]]", (start or 0) + 1, "analysis")
        electrode = c.get("electrode", {})
        cells.append(
            CellSpecEntry(
                id=cid,
                electrolyte=c["electrolyte"],
                type=str(c.get("type", "")),
                temperature_c=temperature,
                replicate_group=str(c.get("replicate_group", cid)),
                electrode=dict(electrode) if isinstance(electrode, dict) else {},
                analyses=tuple(analyses),
            )
        )
    if not cells:
        raise fail("the manifest declares no [[cell]]", 1, "cell")
    return Study(
        name=study_table["name"],
        description=str(study_table.get("description", "")),
        path=path.resolve(),
        electrolytes=tuple(electrolytes),
        cells=tuple(cells),
    )


def _analysis(
    a: dict[str, Any],
    cid: str,
    block: tuple[int, int],
    loc: _Locator,
    path: Path,
    fail: Any,
) -> AnalysisSpec:
    kind = a.get("kind")
    if kind not in ANALYSES:
        raise fail(
            f"cell {cid!r}: unknown analysis {kind!r}; choose one of {sorted(ANALYSES)}",
            loc.key(block, "kind"),
            "kind",
        )
    files_raw = a.get("files", [] if kind == "design" else None)
    if isinstance(files_raw, str):
        files_raw = [files_raw]
    if not isinstance(files_raw, list) or not all(isinstance(f, str) for f in files_raw):
        raise fail(
            f"cell {cid!r}, {kind}: 'files' must be a list of paths",
            loc.key(block, "files"),
            "files",
        )
    expected = _FILE_COUNT[kind]
    if kind == "design":
        if len(files_raw) > 1 or bool(files_raw) == ("preset" in a):
            raise fail(
                f"cell {cid!r}, design: give either one cell TOML in 'files' or a 'preset' "
                f"({', '.join(DESIGN_PRESETS)}), not both or neither",
                loc.key(block, "files" if files_raw else "kind"),
                "files",
            )
        if "preset" in a and a["preset"] not in DESIGN_PRESETS:
            raise fail(
                f"cell {cid!r}, design: unknown preset {a['preset']!r}; choose one of "
                f"{list(DESIGN_PRESETS)}",
                loc.key(block, "preset"),
                "preset",
            )
    elif (expected is not None and len(files_raw) != expected) or not files_raw:
        order = " (CA, EIS before, EIS after)" if kind == "transference" else ""
        raise fail(
            f"cell {cid!r}, {kind}: expects {expected or 'one or more'} file(s){order}, "
            f"got {len(files_raw)}",
            loc.key(block, "files"),
            "files",
        )
    files = []
    for name in files_raw:
        resolved = (path.parent / name).resolve()
        if not resolved.is_file():
            raise fail(
                f"cell {cid!r}, {kind}: file {name!r} does not exist (looked for {resolved})",
                loc.key(block, "files", needle=name),
                "files",
            )
        files.append(resolved)
    spec = ANALYSES[kind]
    params: dict[str, Any] = {}
    for key, value in a.items():
        if key in ("kind", "files"):
            continue
        if key not in spec:
            raise fail(
                f"cell {cid!r}, {kind}: unknown field {key!r}; allowed: {sorted(spec)}",
                loc.key(block, key),
                key,
            )
        try:
            params[key] = _parameter(key, value, spec[key][0])
        except ValueError as exc:
            raise fail(
                f"cell {cid!r}, {kind}, field {key!r}: {exc}", loc.key(block, key), key
            ) from None
    for key, (_, required) in spec.items():
        if required and key not in params:
            raise fail(
                f"cell {cid!r}, {kind}: missing required field {key!r}",
                block[0] + 1,
                key,
            )
    multi = kind in ("eis-series", "sei") and len(files) > 1 and "temperatures" in params
    if (kind == "conductivity" or multi) and len(params["temperatures"]) != len(files):
        raise fail(
            f"cell {cid!r}, {kind}: {len(params['temperatures'])} temperatures for "
            f"{len(files)} files",
            loc.key(block, "temperatures"),
            "temperatures",
        )
    return AnalysisSpec(kind=kind, files=tuple(files), parameters=params, line=block[0] + 1)
