"""Electrolyte formulation: concentrations, solvent blends, water content and MD boxes.

Concentration conventions (M = salt molar mass in kg/mol, rho = solution density in kg/L):

* molality ``b`` (mol per kg of solvent) and salt mass fraction ``w``:
  ``w = bM / (1 + bM)``, ``b = w / (M (1 - w))`` — no density needed;
* molarity ``c`` (mol per L of *solution*): ``c = b rho / (1 + bM)``, ``b = c / (rho - cM)`` —
  needs the solution's density, which only a measurement gives;
* "per litre of solvent" ``c_s`` (mol per L of the solvent blend before the salt is added,
  a common lab recipe that is often written "1 M"): ``b = c_s / rho_solvent``.

Solvent blends by volume assume ideal mixing (volumes add); the blend density is
``sum(phi_i rho_i)``. Densities of the library solvents are at 25 °C (EC at 40 °C) with sources
in :mod:`elyte.design.molecules`; pass measured ones with ``densities=``.

Water: ppm is µg of water per g of solution (Karl Fischer); ``mol/kg = ppm x 1e-6 / M_H2O``.

MD boxes: :func:`md_box` gives atoms, mass, and the cubic edge at a density or the density
of a given edge, and checks stated values; :func:`md_box_for_formulation` turns a recipe into
molecule counts.

Examples
--------
The seed's electrolyte, 1 mol LiFPA per litre of EMC/FEC 1:1 by volume, is 63.8 wt %
solvent (the seed's number):

>>> f = formulate("LiFPA", 1.0, "mol/L-solvent", {"EMC": 1, "FEC": 1})
>>> round(100 * f.solvent_mass_fraction, 1), round(f.molality_mol_kg, 3)
(63.8, 0.813)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from elyte.design.cell import Check
from elyte.design.elements import ATOMIC_WEIGHTS_SOURCE
from elyte.design.errors import DesignError
from elyte.design.molecules import Molecule, molecule

__all__ = [
    "AVOGADRO",
    "UNITS",
    "Formulation",
    "MDBox",
    "SolventBlend",
    "formulate",
    "mass_fraction_from_molality",
    "md_box",
    "md_box_for_formulation",
    "molality_from_mass_fraction",
    "molality_from_molarity",
    "molality_from_solvent_molarity",
    "molarity_from_mass_fraction",
    "molarity_from_molality",
    "water_mol_per_kg",
    "water_ppm_from_mol_per_kg",
    "water_ppm_of_mixture",
]

#: Avogadro constant, 1/mol (exact, SI 2019).
AVOGADRO = 6.02214076e23

#: Concentration units understood by :func:`formulate`.
UNITS = ("mol/L", "mol/L-solvent", "mol/kg", "wt%")

_CM3_PER_A3 = 1.0e-24
_MAX_MOLECULES = 10**9

ArrayLike = float | np.ndarray


def _arr(name: str, x: ArrayLike, *, lo: float = 0.0, hi: float = math.inf) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if not np.all(np.isfinite(a)) or np.any(a < lo) or np.any(a >= hi):
        raise DesignError(f"{name} must be finite and in [{lo:g}, {hi:g}), not {x!r}")
    return a


def _out(a: np.ndarray) -> ArrayLike:
    return float(a) if a.ndim == 0 else a


def _molar_kg(molar_mass_g_mol: float) -> float:
    if not (isinstance(molar_mass_g_mol, int | float) and molar_mass_g_mol > 0):
        raise DesignError(f"molar mass must be a positive number (g/mol), not {molar_mass_g_mol!r}")
    return float(molar_mass_g_mol) / 1000.0


def mass_fraction_from_molality(molality_mol_kg: ArrayLike, molar_mass_g_mol: float) -> ArrayLike:
    """Salt mass fraction from molality: ``w = bM / (1 + bM)``.

    Parameters
    ----------
    molality_mol_kg : float or array
        mol of salt per kg of solvent.
    molar_mass_g_mol : float
        Salt molar mass, g/mol.

    Returns
    -------
    float or array
        Mass fraction (0-1).

    Examples
    --------
    >>> round(mass_fraction_from_molality(1.0, 151.905), 5)
    0.13187
    """
    bm = _arr("molality", molality_mol_kg) * _molar_kg(molar_mass_g_mol)
    return _out(bm / (1.0 + bm))


def molality_from_mass_fraction(mass_fraction: ArrayLike, molar_mass_g_mol: float) -> ArrayLike:
    """Molality from the salt mass fraction: ``b = w / (M (1 - w))``, mol/kg.

    Raises
    ------
    DesignError
        If the fraction is outside [0, 1).
    """
    w = _arr("mass fraction", mass_fraction, hi=1.0)
    return _out(w / (_molar_kg(molar_mass_g_mol) * (1.0 - w)))


def molarity_from_molality(
    molality_mol_kg: ArrayLike, molar_mass_g_mol: float, density_g_cm3: float
) -> ArrayLike:
    """Molarity (mol per L of solution) from molality: ``c = b rho / (1 + bM)``.

    Parameters
    ----------
    molality_mol_kg : float or array
        mol/kg of solvent.
    molar_mass_g_mol : float
        Salt molar mass, g/mol.
    density_g_cm3 : float
        Density of the *solution*, g/cm³ (= kg/L).
    """
    b = _arr("molality", molality_mol_kg)
    rho = float(_arr("density", density_g_cm3, lo=1e-12))
    return _out(b * rho / (1.0 + b * _molar_kg(molar_mass_g_mol)))


def molality_from_molarity(
    molarity_mol_l: ArrayLike, molar_mass_g_mol: float, density_g_cm3: float
) -> ArrayLike:
    """Molality from molarity: ``b = c / (rho - cM)``, mol/kg.

    Raises
    ------
    DesignError
        If ``c M >= rho`` (the salt alone would outweigh the solution).
    """
    c = _arr("molarity", molarity_mol_l)
    rho = float(_arr("density", density_g_cm3, lo=1e-12))
    solvent = rho - c * _molar_kg(molar_mass_g_mol)
    if np.any(solvent <= 0):
        raise DesignError(
            f"{molarity_mol_l!r} mol/L of a {molar_mass_g_mol:g} g/mol salt weighs more than "
            f"a litre of a {rho:g} g/cm3 solution: check the density"
        )
    return _out(c / solvent)


def molarity_from_mass_fraction(
    mass_fraction: ArrayLike, molar_mass_g_mol: float, density_g_cm3: float
) -> ArrayLike:
    """Molarity from the salt mass fraction: ``c = w rho / M``, mol/L."""
    w = _arr("mass fraction", mass_fraction, hi=1.0)
    rho = float(_arr("density", density_g_cm3, lo=1e-12))
    return _out(w * rho / _molar_kg(molar_mass_g_mol))


def molality_from_solvent_molarity(
    mol_per_l_solvent: ArrayLike, solvent_density_g_cm3: float
) -> ArrayLike:
    """Molality from mol of salt per litre of solvent: ``b = c_s / rho_solvent``."""
    c = _arr("mol per L of solvent", mol_per_l_solvent)
    return _out(c / float(_arr("solvent density", solvent_density_g_cm3, lo=1e-12)))


# --------------------------------------------------------------------------- water
_M_WATER = molecule("H2O").molar_mass


def water_mol_per_kg(ppm: ArrayLike) -> ArrayLike:
    """Water content in mol per kg of solution from ppm (µg/g).

    Examples
    --------
    >>> round(water_mol_per_kg(30.0) * 1000, 4)  # mmol/kg
    1.6653
    """
    return _out(_arr("water ppm", ppm, hi=1e6) * 1e-6 / (_M_WATER / 1000.0))


def water_ppm_from_mol_per_kg(mol_per_kg: ArrayLike) -> ArrayLike:
    """Inverse of :func:`water_mol_per_kg`: ppm (µg/g) from mol/kg of solution."""
    return _out(_arr("water mol/kg", mol_per_kg) * (_M_WATER / 1000.0) * 1e6)


def water_ppm_of_mixture(masses_g: Sequence[float], ppm: Sequence[float]) -> float:
    """Water content of a mixture of components, ppm (mass-weighted mean).

    Parameters
    ----------
    masses_g : sequence of float
        Mass of each component, g.
    ppm : sequence of float
        Water content of each component, ppm (µg/g).

    Raises
    ------
    DesignError
        If the sequences differ in length or hold negative values.

    Examples
    --------
    >>> water_ppm_of_mixture([10.0, 10.0], [20.0, 40.0])
    30.0
    """
    m = _arr("masses", np.asarray(masses_g, dtype=np.float64))
    w = _arr("ppm", np.asarray(ppm, dtype=np.float64), hi=1e6)
    if m.shape != w.shape or m.ndim != 1 or m.size == 0 or m.sum() <= 0:
        raise DesignError("give one water content per component and a positive total mass")
    return float(np.sum(m * w) / np.sum(m))


# --------------------------------------------------------------------------- blends
@dataclass(frozen=True)
class SolventBlend:
    """A solvent mixture with its volume, mass and mole fractions.

    Attributes
    ----------
    components : tuple of Molecule
        The solvents (with the densities used).
    volume_fractions, mass_fractions, mole_fractions : tuple of float
        Fractions of the blend (ideal mixing for the volumes).
    density_g_cm3 : float
        Blend density, ``sum(phi_i rho_i)`` (ideal mixing).
    molar_mass_g_mol : float
        Mean molar mass, ``sum(x_i M_i)``.
    basis : str
        How the ratio was given (``volume``, ``mass`` or ``mole``).
    """

    components: tuple[Molecule, ...]
    volume_fractions: tuple[float, ...]
    mass_fractions: tuple[float, ...]
    mole_fractions: tuple[float, ...]
    density_g_cm3: float
    molar_mass_g_mol: float
    basis: str

    @classmethod
    def from_ratio(
        cls,
        ratio: Mapping[str | Molecule, float],
        by: Literal["volume", "mass", "mole"] = "volume",
        *,
        densities: Mapping[str, float] | None = None,
    ) -> SolventBlend:
        """Blend from a ratio (``{"EMC": 1, "FEC": 1}`` by volume).

        Parameters
        ----------
        ratio : mapping
            Solvent (name, formula, SMILES or Molecule) -> share (any positive scale).
        by : {"volume", "mass", "mole"}
            What the shares are.
        densities : mapping, optional
            Solvent name -> density, g/cm³, overriding the library's.

        Raises
        ------
        DesignError
            If a share is not positive, ``by`` is unknown, or a density is missing.
        """
        if by not in ("volume", "mass", "mole"):
            raise DesignError(f"by must be 'volume', 'mass' or 'mole', not {by!r}")
        if not ratio:
            raise DesignError("a solvent blend needs at least one solvent")
        mols: list[Molecule] = []
        shares: list[float] = []
        dens = {str(k).lower(): v for k, v in (densities or {}).items()}
        for spec, share in ratio.items():
            m = molecule(spec)
            key = spec.name.lower() if isinstance(spec, Molecule) else str(spec).lower()
            if key in dens or m.name.lower() in dens:
                m = m.with_density(float(dens.get(key, dens.get(m.name.lower(), 0.0))))
            if m.density_g_cm3 is None or not m.density_g_cm3 > 0:
                raise DesignError(
                    f"solvent {m.name} has no density: pass densities={{'{m.name}': ...}} (g/cm3)"
                )
            if (
                isinstance(share, bool)
                or not isinstance(share, int | float)
                or not (math.isfinite(share) and share > 0)
            ):
                raise DesignError(f"the share of {m.name} must be a positive number, not {share!r}")
            mols.append(m)
            shares.append(float(share))
        s = np.asarray(shares) / sum(shares)
        rho = np.asarray([m.density_g_cm3 for m in mols], dtype=np.float64)
        mm = np.asarray([m.molar_mass for m in mols])
        if by == "volume":
            vol = s
            mass = vol * rho / np.sum(vol * rho)
        elif by == "mass":
            mass = s
            vol = mass / rho / np.sum(mass / rho)
        else:
            mass = s * mm / np.sum(s * mm)
            vol = mass / rho / np.sum(mass / rho)
        mole = mass / mm / np.sum(mass / mm)
        return cls(
            components=tuple(mols),
            volume_fractions=tuple(float(x) for x in vol),
            mass_fractions=tuple(float(x) for x in mass),
            mole_fractions=tuple(float(x) for x in mole),
            density_g_cm3=float(np.sum(vol * rho)),
            molar_mass_g_mol=float(np.sum(mole * mm)),
            basis=by,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {
            "basis": self.basis,
            "density_g_cm3": self.density_g_cm3,
            "molar_mass_g_mol": self.molar_mass_g_mol,
            "components": [
                {
                    "name": m.name,
                    "formula": m.formula,
                    "molar_mass_g_mol": m.molar_mass,
                    "density_g_cm3": m.density_g_cm3,
                    "density_source": m.source,
                    "volume_fraction": v,
                    "mass_fraction": w,
                    "mole_fraction": x,
                }
                for m, v, w, x in zip(
                    self.components,
                    self.volume_fractions,
                    self.mass_fractions,
                    self.mole_fractions,
                    strict=True,
                )
            ],
            "assumption": "ideal mixing: volumes add",
        }


# --------------------------------------------------------------------------- formulation
@dataclass(frozen=True)
class Formulation:
    """A salt in a solvent blend, in every concentration convention.

    Attributes
    ----------
    salt : Molecule
        The salt.
    blend : SolventBlend
        The solvents.
    molality_mol_kg : float
        mol of salt per kg of solvent.
    salt_mass_fraction, solvent_mass_fraction : float
        Mass fractions of the solution.
    mol_per_l_solvent : float
        mol of salt per litre of solvent blend.
    molarity_mol_l : float or None
        mol per litre of solution (None without the solution density).
    solution_density_g_cm3 : float or None
        As given (a measured value).
    solvent_per_salt : float
        Molecules of solvent per formula unit of salt.
    water_ppm : float or None
        Water content as given, ppm (µg/g of solution).
    given : str
        The concentration as given (value and unit).
    notes : tuple of str
        Conventions and anything not computed.
    """

    salt: Molecule
    blend: SolventBlend
    molality_mol_kg: float
    salt_mass_fraction: float
    solvent_mass_fraction: float
    mol_per_l_solvent: float
    molarity_mol_l: float | None
    solution_density_g_cm3: float | None
    solvent_per_salt: float
    water_ppm: float | None
    given: str
    notes: tuple[str, ...] = ()

    @property
    def mole_ratios(self) -> dict[str, float]:
        """Molecules of each solvent per salt formula unit."""
        return {
            m.name: x * self.solvent_per_salt
            for m, x in zip(self.blend.components, self.blend.mole_fractions, strict=True)
        }

    @property
    def water(self) -> dict[str, float] | None:
        """Water as mol/kg of solution, mmol/L (with a density) and H2O per salt."""
        if self.water_ppm is None:
            return None
        per_kg = float(water_mol_per_kg(self.water_ppm))
        salt_per_kg = self.salt_mass_fraction / (self.salt.molar_mass / 1000.0)
        out = {
            "ppm": self.water_ppm,
            "mol_per_kg_solution": per_kg,
            "h2o_per_salt": per_kg / salt_per_kg if salt_per_kg > 0 else math.inf,
        }
        if self.solution_density_g_cm3 is not None:
            out["mmol_per_l"] = per_kg * self.solution_density_g_cm3 * 1000.0
        return out

    def recipe(
        self, *, solvent_volume_ml: float | None = None, solution_mass_g: float | None = None
    ) -> dict[str, Any]:
        """Return what to weigh for a batch (give exactly one size).

        Parameters
        ----------
        solvent_volume_ml : float, optional
            Total solvent volume, mL (ideal mixing).
        solution_mass_g : float, optional
            Mass of the finished solution, g.

        Returns
        -------
        dict
            ``salt_g`` and per solvent ``{"g": ..., "ml": ...}``, plus ``solution_g``.

        Raises
        ------
        DesignError
            If not exactly one size is given or it is not positive.
        """
        if (solvent_volume_ml is None) == (solution_mass_g is None):
            raise DesignError("give exactly one of solvent_volume_ml=... or solution_mass_g=...")
        if solvent_volume_ml is not None:
            v = float(_arr("solvent volume", solvent_volume_ml, lo=1e-12))
            solvent_g = v * self.blend.density_g_cm3
        else:
            m = float(_arr("solution mass", solution_mass_g, lo=1e-12))  # type: ignore[arg-type]
            solvent_g = m * self.solvent_mass_fraction
        salt_g = solvent_g * self.molality_mol_kg * self.salt.molar_mass / 1000.0
        solvents = {
            c.name: {"g": solvent_g * w, "ml": solvent_g * w / float(c.density_g_cm3 or math.nan)}
            for c, w in zip(self.blend.components, self.blend.mass_fractions, strict=True)
        }
        return {
            "salt": self.salt.name,
            "salt_g": salt_g,
            "solvents": solvents,
            "solution_g": salt_g + solvent_g,
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {
            "given": self.given,
            "salt": self.salt.to_dict(),
            "blend": self.blend.to_dict(),
            "molality_mol_kg": self.molality_mol_kg,
            "salt_mass_fraction": self.salt_mass_fraction,
            "solvent_mass_fraction": self.solvent_mass_fraction,
            "mol_per_l_solvent": self.mol_per_l_solvent,
            "molarity_mol_l": self.molarity_mol_l,
            "solution_density_g_cm3": self.solution_density_g_cm3,
            "solvent_per_salt": self.solvent_per_salt,
            "mole_ratios": self.mole_ratios,
            "water": self.water,
            "recipe_per_10_ml_solvent": self.recipe(solvent_volume_ml=10.0),
            "atomic_weights": ATOMIC_WEIGHTS_SOURCE,
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        mol = (
            f"{self.molarity_mol_l:.4g} mol/L of solution"
            if self.molarity_mol_l is not None
            else "molarity needs the solution density"
        )
        blend = " / ".join(
            f"{m.name} {100 * v:.1f} vol% ({100 * w:.1f} wt%)"
            for m, v, w in zip(
                self.blend.components,
                self.blend.volume_fractions,
                self.blend.mass_fractions,
                strict=True,
            )
        )
        ratios = ", ".join(f"{v:.3g} {k}" for k, v in self.mole_ratios.items())
        r = self.recipe(solvent_volume_ml=10.0)
        lines = [
            f"{self.salt.name} ({self.salt.formula}, {self.salt.molar_mass:.2f} g/mol) in {blend}",
            f"  given {self.given}",
            f"  molality {self.molality_mol_kg:.4g} mol/kg; {self.mol_per_l_solvent:.4g} mol per L "
            f"of solvent; {mol}",
            f"  salt {100 * self.salt_mass_fraction:.2f} wt%, solvent "
            f"{100 * self.solvent_mass_fraction:.2f} wt%; per salt: {ratios}",
            f"  solvent blend {self.blend.density_g_cm3:.4g} g/cm3 (ideal mixing); for 10 mL of "
            f"solvent weigh {r['salt_g']:.4g} g of salt",
        ]
        w = self.water
        if w is not None:
            lines.append(
                f"  water {w['ppm']:g} ppm = {1e3 * w['mol_per_kg_solution']:.4g} mmol/kg "
                f"= {w['h2o_per_salt']:.3g} H2O per salt"
            )
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def formulate(
    salt: str | Molecule,
    concentration: float,
    unit: str = "mol/L",
    solvents: Mapping[str | Molecule, float] | SolventBlend | None = None,
    by: Literal["volume", "mass", "mole"] = "volume",
    *,
    solution_density_g_cm3: float | None = None,
    densities: Mapping[str, float] | None = None,
    water_ppm: float | None = None,
) -> Formulation:
    """Convert a salt concentration in a solvent blend to every convention.

    Parameters
    ----------
    salt : str or Molecule
        The salt (library name, formula or SMILES).
    concentration : float
        Value in ``unit``.
    unit : {"mol/L", "mol/L-solvent", "mol/kg", "wt%"}
        Molarity (per L of solution; needs ``solution_density_g_cm3``), mol per L of solvent
        blend, molality, or salt weight percent.
    solvents : mapping or SolventBlend
        Solvent shares (default EMC/FEC 1:1, the seed's) or a ready blend.
    by : {"volume", "mass", "mole"}
        What the shares are (default volume).
    solution_density_g_cm3 : float, optional
        Measured density of the solution, g/cm³ (gives the molarity).
    densities : mapping, optional
        Solvent densities overriding the library's, g/cm³.
    water_ppm : float, optional
        Water content, ppm (µg/g of solution).

    Returns
    -------
    Formulation

    Raises
    ------
    DesignError
        On an unknown unit, a missing density, or an impossible concentration.
    """
    if unit not in UNITS:
        raise DesignError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    s = molecule(salt)
    blend = (
        solvents
        if isinstance(solvents, SolventBlend)
        else SolventBlend.from_ratio(solvents or {"EMC": 1.0, "FEC": 1.0}, by, densities=densities)
    )
    c = float(_arr("concentration", concentration))
    notes: list[str] = []
    rho = None
    if solution_density_g_cm3 is not None:
        rho = float(_arr("solution density", solution_density_g_cm3, lo=1e-12))
    if unit == "mol/L":
        if rho is None:
            raise DesignError(
                "a molarity (mol per L of solution) needs the solution's density: pass "
                "solution_density_g_cm3=... (CLI: --solution-density), or give the "
                "concentration as mol/L-solvent if the salt was dissolved in a litre of solvent"
            )
        b = float(molality_from_molarity(c, s.molar_mass, rho))
    elif unit == "mol/L-solvent":
        b = float(molality_from_solvent_molarity(c, blend.density_g_cm3))
    elif unit == "mol/kg":
        b = c
    else:
        if c >= 100.0:
            raise DesignError("a salt weight percent must be below 100")
        b = float(molality_from_mass_fraction(c / 100.0, s.molar_mass))
    w = float(mass_fraction_from_molality(b, s.molar_mass))
    molarity = None if rho is None else float(molarity_from_molality(b, s.molar_mass, rho))
    if rho is None:
        notes.append("no solution density given: the molarity (per L of solution) is not computed")
    if s.kind != "salt":
        notes.append(f"{s.name} is not a library salt: check it is the solute you mean")
    solvent_per_salt = (1000.0 / blend.molar_mass_g_mol) / b if b > 0 else math.inf
    if water_ppm is not None:
        water_ppm = float(_arr("water ppm", water_ppm, hi=1e6))
    return Formulation(
        salt=s,
        blend=blend,
        molality_mol_kg=b,
        salt_mass_fraction=w,
        solvent_mass_fraction=1.0 - w,
        mol_per_l_solvent=b * blend.density_g_cm3,
        molarity_mol_l=molarity,
        solution_density_g_cm3=rho,
        solvent_per_salt=solvent_per_salt,
        water_ppm=water_ppm,
        given=f"{c:g} {unit}",
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- MD boxes
@dataclass(frozen=True)
class MDBox:
    """Composition and size of a cubic simulation box.

    Attributes
    ----------
    counts : dict
        Molecule name -> number in the box.
    molecules : dict
        Molecule name -> Molecule.
    n_molecules, n_atoms : int
        Totals.
    mass_g : float
        Mass of the box content, g.
    edge_angstrom : float
        Cubic edge, Å.
    density_g_cm3 : float
        Mass / edge³.
    salt_molarity_mol_l : float
        Salt formula units per box volume, mol/L (0 without a salt).
    salt_molality_mol_kg : float
        Salt per kg of the other molecules, mol/kg.
    checks : tuple of Check
        Stated values against the computed ones.
    notes : tuple of str
        How the box was sized and anything inconsistent.
    """

    counts: dict[str, int]
    molecules: dict[str, Molecule]
    n_molecules: int
    n_atoms: int
    mass_g: float
    edge_angstrom: float
    density_g_cm3: float
    salt_molarity_mol_l: float
    salt_molality_mol_kg: float
    checks: tuple[Check, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def flagged(self) -> tuple[Check, ...]:
        """The checks that failed."""
        return tuple(c for c in self.checks if c.flagged)

    def edge_at_density(self, density_g_cm3: float) -> float:
        """Cubic edge that gives this content a density, Å."""
        rho = float(_arr("density", density_g_cm3, lo=1e-12))
        return float((self.mass_g / rho / _CM3_PER_A3) ** (1.0 / 3.0))

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {
            "counts": dict(self.counts),
            "molecules": {
                k: {"formula": m.formula, "n_atoms": m.n_atoms, "molar_mass_g_mol": m.molar_mass}
                for k, m in self.molecules.items()
            },
            "n_molecules": self.n_molecules,
            "n_atoms": self.n_atoms,
            "mass_g": self.mass_g,
            "edge_angstrom": self.edge_angstrom,
            "volume_angstrom3": self.edge_angstrom**3,
            "density_g_cm3": self.density_g_cm3,
            "salt_molarity_mol_l": self.salt_molarity_mol_l,
            "salt_molality_mol_kg": self.salt_molality_mol_kg,
            "checks": [c.to_dict() for c in self.checks],
            "flagged": [c.quantity for c in self.flagged],
            "notes": list(self.notes),
            "units": {
                "mass_g": "g",
                "edge_angstrom": "angstrom",
                "density_g_cm3": "g/cm3",
                "salt_molarity_mol_l": "mol/L",
                "salt_molality_mol_kg": "mol/kg",
            },
        }

    def __str__(self) -> str:
        content = " + ".join(f"{n} {k}" for k, n in self.counts.items())
        lines = [
            f"MD box: {content} = {self.n_molecules} molecules, {self.n_atoms} atoms, "
            f"{self.mass_g:.5g} g",
            f"  cubic edge {self.edge_angstrom:.4g} A, density {self.density_g_cm3:.4g} g/cm3, "
            f"salt {self.salt_molarity_mol_l:.3g} mol/L ({self.salt_molality_mol_kg:.3g} mol/kg)",
        ]
        lines.extend(f"  {'!' if c.flagged else ' '} {c.message}" for c in self.checks)
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


_STATED = {
    "n_atoms": "1",
    "n_molecules": "1",
    "edge_angstrom": "angstrom",
    "density_g_cm3": "g/cm3",
}


def md_box(
    counts: Mapping[str | Molecule, int],
    *,
    edge_angstrom: float | None = None,
    density_g_cm3: float | None = None,
    stated: Mapping[str, float] | None = None,
    tolerance: float = 0.02,
) -> MDBox:
    """Atoms, mass and size of a cubic box of molecules; checks stated values.

    Parameters
    ----------
    counts : mapping
        Molecule (name, formula, SMILES or Molecule) -> number in the box.
    edge_angstrom : float, optional
        Cubic edge, Å (gives the density).
    density_g_cm3 : float, optional
        Target density, g/cm³ (gives the edge). Give exactly one of the two.
    stated : mapping, optional
        Values stated elsewhere to check: ``n_atoms`` and ``n_molecules`` (exact),
        ``edge_angstrom`` and ``density_g_cm3`` (within ``tolerance``).
    tolerance : float
        Relative tolerance of the edge and density checks (default 0.02).

    Returns
    -------
    MDBox

    Raises
    ------
    DesignError
        If counts are not positive integers, a molecule has fractional atoms, or the size is
        not given exactly once.

    Examples
    --------
    >>> box = md_box({"EMC": 200, "FEC": 280, "LiFPA": 40}, edge_angstrom=50.7)
    >>> box.n_atoms, round(box.density_g_cm3, 3)
    (7480, 0.999)
    """
    if (edge_angstrom is None) == (density_g_cm3 is None):
        raise DesignError("give the box size once: edge_angstrom=... or density_g_cm3=...")
    if not counts:
        raise DesignError("an MD box needs at least one molecule")
    mols: dict[str, Molecule] = {}
    n: dict[str, int] = {}
    for spec, count in counts.items():
        m = molecule(spec)
        if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 1:
            raise DesignError(f"the count of {m.name} must be a positive integer, not {count!r}")
        if count > _MAX_MOLECULES:
            raise DesignError(f"more than {_MAX_MOLECULES} molecules of {m.name}")
        _ = m.n_atoms  # raises FormulaError on fractional formulas
        mols[m.name] = m
        n[m.name] = n.get(m.name, 0) + int(count)
    n_atoms = sum(n[k] * mols[k].n_atoms for k in n)
    mass = sum(n[k] * mols[k].molar_mass for k in n) / AVOGADRO
    notes: list[str] = []
    if edge_angstrom is not None:
        edge = float(_arr("edge", edge_angstrom, lo=1e-12))
        rho = mass / (edge**3 * _CM3_PER_A3)
        notes.append(f"density = box mass / ({edge:g} A)^3")
    else:
        rho = float(_arr("density", density_g_cm3, lo=1e-12))  # type: ignore[arg-type]
        edge = (mass / rho / _CM3_PER_A3) ** (1.0 / 3.0)
        notes.append(f"edge = (box mass / {rho:g} g/cm3)^(1/3)")
    volume_l = edge**3 * _CM3_PER_A3 / 1000.0
    salts = [k for k in n if mols[k].kind == "salt"]
    n_salt = sum(n[k] for k in salts)
    other_kg = sum(n[k] * mols[k].molar_mass for k in n if k not in salts) / AVOGADRO / 1000.0
    molarity = n_salt / AVOGADRO / volume_l
    molality = n_salt / AVOGADRO / other_kg if other_kg > 0 else math.inf
    checks: list[Check] = []
    computed = {
        "n_atoms": float(n_atoms),
        "n_molecules": float(sum(n.values())),
        "edge_angstrom": edge,
        "density_g_cm3": rho,
    }
    for key, value in (stated or {}).items():
        if key not in _STATED:
            raise DesignError(f"unknown stated quantity {key!r}: one of {', '.join(_STATED)}")
        rep = float(_arr(f"stated {key}", value, lo=1e-300))
        got = computed[key]
        rel = got / rep - 1.0
        exact = key in ("n_atoms", "n_molecules")
        flagged = got != rep if exact else abs(rel) > tolerance
        msg = f"{key}: stated {rep:g}, computed {got:.6g} ({100 * rel:+.1f} %)"
        if flagged and key == "density_g_cm3" and edge_angstrom is not None:
            msg += (
                f"; {rep:g} g/cm3 needs a {(mass / rep / _CM3_PER_A3) ** (1 / 3):.4g} A cube for "
                "this content"
            )
        if flagged and key == "n_atoms":
            per = ", ".join(f"{k} {mols[k].n_atoms}" for k in n)
            msg += f" (atoms per molecule: {per})"
        checks.append(
            Check(key, rep, got, _STATED[key], rel, flagged, 0.0 if exact else tolerance, msg)
        )
    return MDBox(
        counts=n,
        molecules=mols,
        n_molecules=sum(n.values()),
        n_atoms=n_atoms,
        mass_g=mass,
        edge_angstrom=edge,
        density_g_cm3=rho,
        salt_molarity_mol_l=molarity,
        salt_molality_mol_kg=molality,
        checks=tuple(checks),
        notes=tuple(notes),
    )


def md_box_for_formulation(
    formulation: Formulation,
    n_salt: int = 40,
    *,
    density_g_cm3: float | None = None,
) -> MDBox:
    """Molecule counts and box size for a formulation.

    Parameters
    ----------
    formulation : Formulation
        The recipe; solvent counts are ``round(n_salt x solvent per salt)``.
    n_salt : int
        Salt formula units in the box (default 40, the seed's).
    density_g_cm3 : float, optional
        Density to size the box (default: the formulation's solution density; without one
        a :class:`DesignError` asks for it).

    Returns
    -------
    MDBox
        With a note of the realised molality against the recipe's (rounding).

    Raises
    ------
    DesignError
        If no density is known or a count rounds to zero.
    """
    if isinstance(n_salt, bool) or not isinstance(n_salt, int) or n_salt < 1:
        raise DesignError(f"n_salt must be a positive integer, not {n_salt!r}")
    rho = density_g_cm3 if density_g_cm3 is not None else formulation.solution_density_g_cm3
    if rho is None:
        raise DesignError(
            "sizing the box needs a density: pass density_g_cm3=... (an experimental or "
            "NPT-equilibrated value)"
        )
    counts: dict[str | Molecule, int] = {formulation.salt: n_salt}
    for name, ratio in formulation.mole_ratios.items():
        k = round(ratio * n_salt)
        if k < 1:
            raise DesignError(f"{name} rounds to no molecule with {n_salt} salt: use more salt")
        counts[next(m for m in formulation.blend.components if m.name == name)] = k
    box = md_box(counts, density_g_cm3=rho)
    realised = box.salt_molality_mol_kg
    note = (
        f"counts rounded from {n_salt} x the recipe's mole ratios: molality "
        f"{realised:.4g} mol/kg against {formulation.molality_mol_kg:.4g} "
        f"({100 * (realised / formulation.molality_mol_kg - 1):+.2f} %)"
    )
    return MDBox(**{**box.__dict__, "notes": (*box.notes, note)})
