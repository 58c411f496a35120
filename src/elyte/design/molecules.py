"""Molecules by name, formula or SMILES: composition, molar mass, atom count, density.

A small built-in library (:data:`LIBRARY`) holds the solvents and salts of Li-metal
electrolytes (EMC, FEC, EC, DMC, DEC, PC, VC, DME, DOL, water; LiPF6, LiFPA, LiTFSI, LiFSI,
LiDFOB, LiBOB, LiBF4, LiClO4, LiNO3, LiAsF6), each with its formula, a SMILES string, the
liquid density where it is a solvent, and where each number comes from. Anything else can be
given as a formula (:func:`parse_formula`, nested brackets, fractional subscripts and hydrate
dots allowed: ``Li[Al(OC(CF3)2C(CF3)2O)2]``, ``LiNi0.8Co0.1Mn0.1O2``, ``CuSO4·5H2O``) or as
SMILES (:func:`parse_smiles`).

The SMILES support is a small parser written for counting atoms, not a cheminformatics
toolkit: it reads the organic subset with implicit hydrogens (OpenSMILES valence rules,
aromatic atoms included), bracket atoms (isotope, chirality, H count, charge and class are
read; only the H count and charge matter here), branches, ring closures (``1``-``9`` and
``%nn``), bond symbols and ``.``-separated components. It does not check valences beyond
what implicit hydrogens need, does not perceive aromaticity and ignores stereochemistry.

Examples
--------
>>> m = molecule("LiFPA")
>>> m.formula, m.n_atoms, round(m.molar_mass, 2)
('C12AlF24LiO4', 42, 698.01)
>>> parse_smiles("CCOC(=O)OC").formula
'C4H8O3'
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from elyte.design.elements import ATOMIC_WEIGHTS, ATOMIC_WEIGHTS_SOURCE
from elyte.design.errors import FormulaError

__all__ = [
    "LIBRARY",
    "Molecule",
    "hill_formula",
    "molecule",
    "parse_formula",
    "parse_smiles",
]

_MAX_TEXT = 2000


def _caret(text: str, pos: int, message: str) -> FormulaError:
    return FormulaError(f"{message}\n  {text}\n  {' ' * pos}^")


def hill_formula(composition: Mapping[str, float]) -> str:
    """Hill-order formula of a composition (C first, then H, then the rest alphabetically).

    Without carbon every element is alphabetical. Counts of 1 are left out; fractional
    counts are written with up to 4 decimals.

    Examples
    --------
    >>> hill_formula({"O": 3, "C": 4, "H": 8})
    'C4H8O3'
    """

    def fmt(sym: str, n: float) -> str:
        if abs(n - 1.0) < 1e-9:
            return sym
        if abs(n - round(n)) < 1e-9:
            return f"{sym}{round(n)}"
        return f"{sym}{n:.4f}".rstrip("0").rstrip(".")

    present = {k: v for k, v in composition.items() if v > 0}
    order: list[str] = []
    if "C" in present:
        order = ["C"] + (["H"] if "H" in present else [])
    order += sorted(k for k in present if k not in order)
    return "".join(fmt(k, present[k]) for k in order)


# --------------------------------------------------------------------------- formula
_TOKEN = re.compile(r"[A-Z][a-z]?|\d+(?:\.\d+)?|\.\d+|[()\[\]{}]|[·•*.]|[+-]\d*|\s+")
_OPEN = {"(": ")", "[": "]", "{": "}"}


def parse_formula(text: str) -> Molecule:
    """Parse a chemical formula into a :class:`Molecule`.

    Parameters
    ----------
    text : str
        Element symbols with optional counts (``C4H8O3``), nested groups in ``()``, ``[]``
        or ``{}`` with multipliers (``Li[Al(OC(CF3)2C(CF3)2O)2]``), fractional counts
        (``LiNi0.8Co0.1Mn0.1O2``), adducts separated by ``.``, ``·``, ``•`` or ``*`` with an
        optional leading coefficient (``CuSO4·5H2O``) and an optional final charge (``PF6-``,
        ``SO4 2-`` is not supported: write ``SO4-2``).

    Returns
    -------
    Molecule
        Named by the formula as given.

    Raises
    ------
    FormulaError
        On an unknown element, an unbalanced bracket or a stray character (the message shows
        where).

    Examples
    --------
    >>> parse_formula("CuSO4·5H2O").formula
    'CuH10O9S'
    """
    if not isinstance(text, str) or not text.strip():
        raise FormulaError(f"a formula must be a non-empty string, not {text!r}")
    if len(text) > _MAX_TEXT:
        raise FormulaError(f"formula longer than {_MAX_TEXT} characters")
    pos = 0
    tokens: list[tuple[str, int]] = []
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise _caret(text, pos, "unexpected character in formula")
        if not m.group().isspace():
            tokens.append((m.group(), pos))
        pos = m.end()

    total: dict[str, float] = {}
    charge = 0
    i = 0
    # split into adduct parts
    parts: list[list[tuple[str, int]]] = [[]]
    for tok, at in tokens:
        if tok in ("·", "•", "*", "."):
            parts.append([])
        else:
            parts[-1].append((tok, at))
    for part in parts:
        if not part:
            raise _caret(text, tokens[-1][1] if tokens else 0, "empty part in formula")
        if part[-1][0][0] in "+-":
            sign_tok, at = part.pop()
            digits = sign_tok[1:]
            charge += (int(digits) if digits else 1) * (1 if sign_tok[0] == "+" else -1)
            if not part:
                raise _caret(text, at, "charge without a formula")
        coefficient = 1.0
        if part[0][0][0].isdigit() or part[0][0][0] == ".":
            coefficient = float(part[0][0])
            part = part[1:]
            if not part:
                raise _caret(text, at, "coefficient without a formula")
        stack: list[tuple[dict[str, float], str, int]] = []
        current: dict[str, float] = {}
        last: dict[str, float] | None = None
        i = 0
        while i < len(part):
            tok, at = part[i]
            if tok in _OPEN:
                stack.append((current, _OPEN[tok], at))
                current = {}
                last = None
            elif tok in (")", "]", "}"):
                if not stack or stack[-1][1] != tok:
                    raise _caret(text, at, "unbalanced bracket")
                group = current
                current, _, _ = stack.pop()
                mult = 1.0
                if i + 1 < len(part) and (part[i + 1][0][0].isdigit() or part[i + 1][0][0] == "."):
                    mult = float(part[i + 1][0])
                    i += 1
                for k, v in group.items():
                    current[k] = current.get(k, 0.0) + v * mult
                last = None
            elif tok[0].isupper():
                if tok not in ATOMIC_WEIGHTS:
                    raise _caret(text, at, f"unknown element {tok!r}")
                n = 1.0
                if i + 1 < len(part) and (part[i + 1][0][0].isdigit() or part[i + 1][0][0] == "."):
                    n = float(part[i + 1][0])
                    i += 1
                current[tok] = current.get(tok, 0.0) + n
                last = current
            elif tok[0] in "+-":
                raise _caret(text, at, "a charge may only end the formula")
            else:
                raise _caret(text, at, "a count must follow an element or a bracket")
            i += 1
        del last
        if stack:
            raise _caret(text, stack[-1][2], "bracket never closed")
        for k, v in current.items():
            total[k] = total.get(k, 0.0) + v * coefficient
    if not total:
        raise FormulaError(f"no element in formula {text!r}")
    return Molecule(name=text.strip(), composition=total, charge=charge, source="formula")


# --------------------------------------------------------------------------- SMILES
_ORGANIC = ("Cl", "Br", "B", "C", "N", "O", "P", "S", "F", "I")
_AROMATIC = ("b", "c", "n", "o", "p", "s")
_VALENCES: dict[str, tuple[int, ...]] = {
    "B": (3,),
    "C": (4,),
    "N": (3, 5),
    "O": (2,),
    "P": (3, 5),
    "S": (2, 4, 6),
    "F": (1,),
    "Cl": (1,),
    "Br": (1,),
    "I": (1,),
}
_BOND_ORDER = {"-": 1.0, "=": 2.0, "#": 3.0, "$": 4.0, ":": 1.0, "/": 1.0, "\\": 1.0}
_BRACKET = re.compile(
    r"\[(?P<iso>\d+)?(?P<sym>[A-Z][a-z]?|se|as|[bcnops])(?P<chiral>@+(?:[A-Z]{2}\d{1,2})?)?"
    r"(?P<h>H\d?)?(?P<charge>[+-]+\d*)?(?::\d+)?\]"
)


@dataclass
class _Atom:
    symbol: str
    aromatic: bool
    bracket: bool
    h: int = 0
    charge: int = 0
    bond_sum: float = 0.0


def parse_smiles(text: str) -> Molecule:
    """Count the atoms of a SMILES string (see the module docstring for the subset read).

    Parameters
    ----------
    text : str
        SMILES, e.g. ``O=C1OCC(F)O1`` (FEC) or ``[Li+].F[P-](F)(F)(F)(F)F`` (LiPF6).

    Returns
    -------
    Molecule
        With implicit hydrogens added and the net charge of all components.

    Raises
    ------
    FormulaError
        On a character outside the subset, an unclosed branch or ring, or a bond without
        atoms on both sides (the message shows where).

    Examples
    --------
    >>> parse_smiles("c1ccccc1").formula
    'C6H6'
    >>> parse_smiles("[Li+].F[P-](F)(F)(F)(F)F").formula
    'F6LiP'
    """
    if not isinstance(text, str) or not text.strip():
        raise FormulaError(f"a SMILES string must be non-empty, not {text!r}")
    if len(text) > _MAX_TEXT:
        raise FormulaError(f"SMILES longer than {_MAX_TEXT} characters")
    s = text.strip()
    atoms: list[_Atom] = []
    prev: int | None = None
    branch: list[int | None] = []
    rings: dict[int, tuple[int, float | None, int]] = {}
    pending: float | None = None
    pending_at = 0
    i = 0

    def bond(a: int, b: int, order: float | None) -> None:
        if order is None:
            order = 1.0  # single, or aromatic between two aromatic atoms (counted as 1)
        atoms[a].bond_sum += order
        atoms[b].bond_sum += order

    while i < len(s):
        ch = s[i]
        if ch == "[":
            m = _BRACKET.match(s, i)
            if m is None:
                raise _caret(s, i, "unreadable bracket atom")
            sym = m.group("sym")
            aromatic = sym[0].islower()
            element = sym.capitalize() if aromatic else sym
            if element not in ATOMIC_WEIGHTS:
                raise _caret(s, i, f"unknown element {sym!r}")
            h_text = m.group("h")
            h = 0 if h_text is None else (int(h_text[1:]) if len(h_text) > 1 else 1)
            c_text = m.group("charge")
            charge = 0
            if c_text:
                sign = 1 if c_text[0] == "+" else -1
                digits = c_text.lstrip("+-")
                charge = sign * (int(digits) if digits else len(c_text))
            atoms.append(_Atom(element, aromatic, True, h=h, charge=charge))
            new = len(atoms) - 1
            i = m.end()
        elif ch in "BCNOPSFI" or ch in "bcnops":
            two = s[i : i + 2]
            if two in ("Cl", "Br"):
                sym, i = two, i + 2
            else:
                sym, i = ch, i + 1
            aromatic = sym[0].islower()
            atoms.append(_Atom(sym.upper() if aromatic else sym, aromatic, False))
            new = len(atoms) - 1
        elif ch in _BOND_ORDER:
            if pending is not None:
                raise _caret(s, i, "two bond symbols in a row")
            pending, pending_at = _BOND_ORDER[ch], i
            i += 1
            continue
        elif ch == "(":
            if prev is None:
                raise _caret(s, i, "branch without an atom before it")
            branch.append(prev)
            i += 1
            continue
        elif ch == ")":
            if not branch:
                raise _caret(s, i, "unbalanced ')'")
            if pending is not None:
                raise _caret(s, pending_at, "bond without an atom after it")
            prev = branch.pop()
            i += 1
            continue
        elif ch.isdigit() or ch == "%":
            if ch == "%":
                if not s[i + 1 : i + 3].isdigit() or len(s[i + 1 : i + 3]) != 2:
                    raise _caret(s, i, "'%' must be followed by two digits")
                label, width = int(s[i + 1 : i + 3]), 3
            else:
                label, width = int(ch), 1
            if prev is None:
                raise _caret(s, i, "ring closure without an atom before it")
            if label in rings:
                other, order, _ = rings.pop(label)
                if pending is not None and order is not None and pending != order:
                    raise _caret(s, i, "ring-closure bond orders disagree")
                chosen = pending if pending is not None else order
                if chosen is None and not (atoms[other].aromatic and atoms[prev].aromatic):
                    chosen = 1.0
                bond(other, prev, chosen)
            else:
                rings[label] = (prev, pending, i)
            pending = None
            i += width
            continue
        elif ch == ".":
            if pending is not None:
                raise _caret(s, pending_at, "bond without an atom after it")
            prev = None
            i += 1
            continue
        else:
            raise _caret(s, i, "character outside the SMILES subset elyte reads")
        if prev is not None:
            bond(prev, new, pending)
        elif pending is not None:
            raise _caret(s, pending_at, "bond without an atom before it")
        pending = None
        prev = new
    if pending is not None:
        raise _caret(s, pending_at, "bond without an atom after it")
    if branch:
        raise FormulaError(f"unclosed branch '(' in SMILES {s!r}")
    if rings:
        label, (_, _, at) = next(iter(rings.items()))
        raise _caret(s, at, f"ring bond {label} never closed")

    composition: dict[str, float] = {}
    charge = 0
    for a in atoms:
        composition[a.symbol] = composition.get(a.symbol, 0.0) + 1.0
        charge += a.charge
        if a.bracket:
            hydrogens = a.h
        else:
            valences = _VALENCES.get(a.symbol, ())
            used = a.bond_sum + (1.0 if a.aromatic else 0.0)
            need = math.ceil(used - 1e-9)
            fit = [v for v in valences if v >= need]
            hydrogens = fit[0] - need if fit else 0
        if hydrogens:
            composition["H"] = composition.get("H", 0.0) + hydrogens
    return Molecule(name=s, composition=composition, charge=charge, smiles=s, source="SMILES")


# --------------------------------------------------------------------------- Molecule
@dataclass(frozen=True)
class Molecule:
    """A molecule (or salt formula unit) with its composition.

    Attributes
    ----------
    name : str
        Short name (library key, or the formula/SMILES it was parsed from).
    composition : dict
        Element symbol -> number of atoms per molecule (floats, to allow
        ``LiNi0.8Co0.1Mn0.1O2``).
    charge : int
        Net charge (0 for a neutral salt written with its counter-ion).
    smiles : str or None
        SMILES, where known.
    density_g_cm3 : float or None
        Liquid density of a solvent, g/cm³ (None for salts).
    density_temperature_c : float or None
        Temperature of that density, °C.
    kind : str
        ``"solvent"``, ``"salt"`` or ``"other"``.
    full_name : str
        IUPAC or common name.
    source : str
        Where the density (and, for library entries, the structure) comes from.
    """

    name: str
    composition: dict[str, float]
    charge: int = 0
    smiles: str | None = None
    density_g_cm3: float | None = None
    density_temperature_c: float | None = None
    kind: str = "other"
    full_name: str = ""
    source: str = ""
    aliases: tuple[str, ...] = field(default=(), repr=False)

    def __hash__(self) -> int:
        return hash((self.name, self.formula, self.charge, self.density_g_cm3))

    @property
    def formula(self) -> str:
        """Hill-order formula, e.g. ``C4H8O3``."""
        return hill_formula(self.composition)

    @property
    def molar_mass(self) -> float:
        """Molar mass from the standard atomic weights, g/mol."""
        return float(sum(ATOMIC_WEIGHTS[k] * v for k, v in self.composition.items()))

    @property
    def n_atoms(self) -> int:
        """Number of atoms per molecule (formula unit).

        Raises
        ------
        FormulaError
            If a count is fractional (a non-stoichiometric solid has no whole atom count).
        """
        total = sum(self.composition.values())
        if any(abs(v - round(v)) > 1e-9 for v in self.composition.values()):
            raise FormulaError(f"{self.name} has fractional counts: no whole atom count")
        return round(total)

    @property
    def molar_volume_cm3(self) -> float | None:
        """Molar volume of the pure liquid, cm³/mol (None without a density)."""
        return None if self.density_g_cm3 is None else self.molar_mass / self.density_g_cm3

    def with_density(self, density_g_cm3: float, source: str = "given") -> Molecule:
        """Copy with another density, g/cm³ (for a measured value or another temperature)."""
        from dataclasses import replace

        return replace(self, density_g_cm3=float(density_g_cm3), source=source)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        try:
            atoms: int | None = self.n_atoms
        except FormulaError:
            atoms = None
        return {
            "name": self.name,
            "full_name": self.full_name,
            "formula": self.formula,
            "composition": dict(self.composition),
            "charge": self.charge,
            "smiles": self.smiles,
            "molar_mass_g_mol": self.molar_mass,
            "n_atoms": atoms,
            "density_g_cm3": self.density_g_cm3,
            "density_temperature_c": self.density_temperature_c,
            "kind": self.kind,
            "source": self.source,
            "atomic_weights": ATOMIC_WEIGHTS_SOURCE,
        }


_XU2004 = "K. Xu, Chem. Rev. 104 (2004) 4303, Table 1"
_SUPPLIER = "supplier data sheets (verify against your lot)"


def _entry(
    name: str,
    full_name: str,
    smiles: str,
    kind: str,
    density: float | None = None,
    temperature: float | None = None,
    source: str = "",
    aliases: tuple[str, ...] = (),
) -> Molecule:
    parsed = parse_smiles(smiles)
    return Molecule(
        name=name,
        composition=parsed.composition,
        charge=parsed.charge,
        smiles=smiles,
        density_g_cm3=density,
        density_temperature_c=temperature,
        kind=kind,
        full_name=full_name,
        source=source or "structure from its SMILES",
        aliases=aliases,
    )


_LIFPA_SMILES = (
    "[Li+].FC(F)(F)C1(C(F)(F)F)O[Al-]2(OC1(C(F)(F)F)C(F)(F)F)"
    "OC(C(F)(F)F)(C(F)(F)F)C(C(F)(F)F)(C(F)(F)F)O2"
)

#: Built-in molecules, keyed by short name (look-ups are case-insensitive and accept aliases).
LIBRARY: dict[str, Molecule] = {
    m.name: m
    for m in (
        _entry("EMC", "ethyl methyl carbonate", "CCOC(=O)OC", "solvent", 1.006, 25, _XU2004),
        _entry("DMC", "dimethyl carbonate", "COC(=O)OC", "solvent", 1.063, 25, _XU2004),
        _entry("DEC", "diethyl carbonate", "CCOC(=O)OCC", "solvent", 0.969, 25, _XU2004),
        _entry(
            "EC",
            "ethylene carbonate",
            "O=C1OCCO1",
            "solvent",
            1.321,
            40,
            _XU2004 + " (liquid at 40 °C; EC melts at 36.4 °C)",
        ),
        _entry("PC", "propylene carbonate", "CC1COC(=O)O1", "solvent", 1.200, 25, _XU2004),
        _entry(
            "FEC",
            "4-fluoro-1,3-dioxolan-2-one (fluoroethylene carbonate)",
            "O=C1OCC(F)O1",
            "solvent",
            1.454,
            25,
            _SUPPLIER + "; 1.45-1.49 g/cm3 is quoted",
        ),
        _entry("VC", "vinylene carbonate", "O=C1OC=CO1", "solvent", 1.355, 25, _SUPPLIER),
        _entry("DME", "1,2-dimethoxyethane", "COCCOC", "solvent", 0.86, 25, _XU2004),
        _entry("DOL", "1,3-dioxolane", "C1COCO1", "solvent", 1.06, 25, _XU2004),
        _entry("H2O", "water", "O", "solvent", 0.99705, 25, "CRC Handbook", aliases=("water",)),
        _entry("LiPF6", "lithium hexafluorophosphate", "[Li+].F[P-](F)(F)(F)(F)F", "salt"),
        _entry(
            "LiFPA",
            "lithium bis(perfluoropinacolato)aluminate, Li[Al(OC(CF3)2C(CF3)2O)2]",
            _LIFPA_SMILES,
            "salt",
            aliases=("LiAl(pfpin)2",),
        ),
        _entry(
            "LiTFSI",
            "lithium bis(trifluoromethanesulfonyl)imide",
            "[Li+].O=S(=O)([N-]S(=O)(=O)C(F)(F)F)C(F)(F)F",
            "salt",
        ),
        _entry(
            "LiFSI", "lithium bis(fluorosulfonyl)imide", "[Li+].O=S(=O)(F)[N-]S(=O)(=O)F", "salt"
        ),
        _entry(
            "LiDFOB",
            "lithium difluoro(oxalato)borate",
            "[Li+].F[B-]1(F)OC(=O)C(=O)O1",
            "salt",
            aliases=("LiODFB",),
        ),
        _entry(
            "LiBOB", "lithium bis(oxalato)borate", "[Li+].O=C1O[B-]2(OC1=O)OC(=O)C(=O)O2", "salt"
        ),
        _entry("LiBF4", "lithium tetrafluoroborate", "[Li+].F[B-](F)(F)F", "salt"),
        _entry("LiClO4", "lithium perchlorate", "[Li+].[O-]Cl(=O)(=O)=O", "salt"),
        _entry("LiNO3", "lithium nitrate", "[Li+].[O-][N+](=O)[O-]", "salt"),
        _entry("LiAsF6", "lithium hexafluoroarsenate", "[Li+].F[As-](F)(F)(F)(F)F", "salt"),
    )
}

_INDEX: dict[str, Molecule] = {}
for _m in LIBRARY.values():
    for _key in (_m.name, *_m.aliases):
        _INDEX[_key.lower()] = _m


def molecule(spec: str | Molecule) -> Molecule:
    """Look a molecule up by library name, or parse it as a formula or SMILES.

    Parameters
    ----------
    spec : str or Molecule
        A library name (case-insensitive: ``"emc"``, ``"LiFPA"``), ``"smiles:<SMILES>"``,
        ``"formula:<formula>"``, or a bare formula (``"C4H8O3"``). A bare string that is
        neither a library name nor a valid formula is tried as SMILES. A Molecule is
        returned as is.

    Returns
    -------
    Molecule

    Raises
    ------
    FormulaError
        If nothing fits.

    Examples
    --------
    >>> molecule("fec").formula
    'C3H3FO3'
    >>> molecule("smiles:CO").formula, molecule("CO").formula
    ('CH4O', 'CO')
    """
    if isinstance(spec, Molecule):
        return spec
    if not isinstance(spec, str) or not spec.strip():
        raise FormulaError(f"a molecule is a name, formula or SMILES string, not {spec!r}")
    text = spec.strip()
    lower = text.lower()
    if lower in _INDEX:
        return _INDEX[lower]
    if lower.startswith("smiles:"):
        return parse_smiles(text[7:])
    if lower.startswith("formula:"):
        return parse_formula(text[8:])
    try:
        return parse_formula(text)
    except FormulaError as formula_error:
        try:
            return parse_smiles(text)
        except FormulaError:
            known = ", ".join(sorted(LIBRARY))
            raise FormulaError(
                f"{text!r} is not a library molecule ({known}), a formula or a SMILES string: "
                f"{formula_error.message}"
            ) from None
