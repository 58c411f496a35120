"""Elemental composition: weight % <-> atomic % (EDS, XPS, ICP), and a formula's composition.

``at_i = (wt_i / A_i) / sum_j (wt_j / A_j)`` and back, with the standard atomic weights of
:mod:`elyte.design.elements` (IUPAC/CIAAW). Inputs that do not sum to 100 are normalised
and the sum is reported. EDS does not detect H or Li (and quantifies B, C, N, O poorly);
:func:`formula_composition` can leave such elements out so that a formula is compared on the
same basis.

Examples
--------
The seed's Table S4 (EDS of the dry 3D-SIPE-LiFPA polymer):

>>> c = wt_to_at({"C": 7.24, "O": 15.49, "F": 58.87, "Al": 18.40})
>>> [round(x, 2) for x in c.at_percent]
[11.26, 18.09, 57.9, 12.74]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from elyte.design.cell import Check
from elyte.design.elements import ATOMIC_WEIGHTS_SOURCE, atomic_weight
from elyte.design.errors import DesignError
from elyte.design.molecules import Molecule, molecule

__all__ = ["Composition", "at_to_wt", "formula_composition", "wt_to_at"]

#: Default tolerance of :meth:`Composition.compare`, percentage points.
DEFAULT_TOLERANCE_PP = 0.02


@dataclass(frozen=True)
class Composition:
    """An elemental composition in weight and atomic percent.

    Attributes
    ----------
    elements : tuple of str
        Element symbols, in input order.
    wt_percent, at_percent : tuple of float
        Normalised to 100.
    atomic_weights : tuple of float
        The atomic weights used, g/mol.
    basis : str
        What was given: ``wt``, ``at`` or ``formula``.
    input_sum : float
        Sum of the given percentages (100 for a formula).
    excluded : tuple of str
        Elements left out (formula input).
    checks : tuple of Check
        Stated values against the computed ones (absolute difference in percentage points
        in ``relative_difference``'s place: see :meth:`compare`).
    notes : tuple of str
        Normalisation and anything unusual.
    """

    elements: tuple[str, ...]
    wt_percent: tuple[float, ...]
    at_percent: tuple[float, ...]
    atomic_weights: tuple[float, ...]
    basis: str
    input_sum: float
    excluded: tuple[str, ...] = ()
    checks: tuple[Check, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def table(self) -> pl.DataFrame:
        """``element``, ``atomic_weight_g_mol``, ``wt_percent``, ``at_percent``."""
        return pl.DataFrame(
            {
                "element": list(self.elements),
                "atomic_weight_g_mol": list(self.atomic_weights),
                "wt_percent": list(self.wt_percent),
                "at_percent": list(self.at_percent),
            }
        )

    @property
    def flagged(self) -> tuple[Check, ...]:
        """The checks beyond tolerance."""
        return tuple(c for c in self.checks if c.flagged)

    def compare(
        self,
        stated: Mapping[str, float],
        basis: str = "at",
        *,
        tolerance_pp: float = DEFAULT_TOLERANCE_PP,
    ) -> Composition:
        """Copy with checks of stated percentages (absolute difference, percentage points).

        Parameters
        ----------
        stated : mapping
            Element -> stated percent.
        basis : {"at", "wt"}
            Which percentages are stated.
        tolerance_pp : float
            Flag beyond this absolute difference, percentage points (default 0.02: a
            table rounded to two decimals, with unstated atomic weights).

        Raises
        ------
        DesignError
            If an element is not in the composition or the basis is unknown.
        """
        if basis not in ("at", "wt"):
            raise DesignError(f"basis must be 'at' or 'wt', not {basis!r}")
        values = dict(
            zip(self.elements, self.at_percent if basis == "at" else self.wt_percent, strict=True)
        )
        checks = list(self.checks)
        for el, rep in stated.items():
            if el not in values:
                raise DesignError(f"{el} is not in the composition ({', '.join(self.elements)})")
            got = values[el]
            diff = got - float(rep)
            flagged = abs(diff) > tolerance_pp
            checks.append(
                Check(
                    quantity=f"{el} {basis}%",
                    reported=float(rep),
                    computed=got,
                    unit=f"{basis}%",
                    relative_difference=diff,
                    flagged=flagged,
                    tolerance=tolerance_pp,
                    message=(
                        f"{el}: stated {float(rep):g} {basis}%, computed {got:.3f} "
                        f"({diff:+.3f} percentage points)"
                    ),
                )
            )
        return Composition(**{**self.__dict__, "checks": tuple(checks)})

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {
            "basis": self.basis,
            "input_sum": self.input_sum,
            "excluded": list(self.excluded),
            "rows": self.table.to_dicts(),
            "checks": [
                {**c.to_dict(), "difference_pp": c.relative_difference} for c in self.checks
            ],
            "flagged": [c.quantity for c in self.flagged],
            "atomic_weights": ATOMIC_WEIGHTS_SOURCE,
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        lines = [f"{'element':<8}{'A g/mol':>12}{'wt%':>9}{'at%':>9}"]
        for el, a, w, x in zip(
            self.elements, self.atomic_weights, self.wt_percent, self.at_percent, strict=True
        ):
            lines.append(f"{el:<8}{a:>12.6g}{w:>9.3f}{x:>9.3f}")
        lines.extend(f"{'!' if c.flagged else ' '} {c.message}" for c in self.checks)
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)


def _parse(values: Mapping[str, float]) -> tuple[list[str], np.ndarray, np.ndarray, float]:
    if not values:
        raise DesignError("give at least one element")
    elements = list(values)
    weights = np.asarray([atomic_weight(e) for e in elements])
    try:
        p = np.asarray([float(values[e]) for e in elements], dtype=np.float64)
    except (TypeError, ValueError):
        raise DesignError(f"percentages must be numbers: {dict(values)!r}") from None
    if not np.all(np.isfinite(p)) or np.any(p < 0) or p.sum() <= 0:
        raise DesignError("percentages must be finite, >= 0, and not all zero")
    return elements, weights, p, float(p.sum())


def _notes(total: float) -> list[str]:
    if abs(total - 100.0) > 0.01:
        return [f"the given percentages sum to {total:.4g}: normalised to 100"]
    return []


def wt_to_at(wt_percent: Mapping[str, float]) -> Composition:
    """Atomic percent from weight percent.

    Parameters
    ----------
    wt_percent : mapping
        Element symbol -> weight percent (normalised if the sum is not 100).

    Returns
    -------
    Composition

    Raises
    ------
    DesignError
        On an unknown element or a negative value.
    """
    elements, a, w, total = _parse(wt_percent)
    moles = w / a
    at = 100.0 * moles / moles.sum()
    return Composition(
        elements=tuple(elements),
        wt_percent=tuple(float(x) for x in 100.0 * w / w.sum()),
        at_percent=tuple(float(x) for x in at),
        atomic_weights=tuple(float(x) for x in a),
        basis="wt",
        input_sum=total,
        notes=tuple(_notes(total)),
    )


def at_to_wt(at_percent: Mapping[str, float]) -> Composition:
    """Weight percent from atomic percent (inverse of :func:`wt_to_at`)."""
    elements, a, x, total = _parse(at_percent)
    mass = x * a
    return Composition(
        elements=tuple(elements),
        wt_percent=tuple(float(v) for v in 100.0 * mass / mass.sum()),
        at_percent=tuple(float(v) for v in 100.0 * x / x.sum()),
        atomic_weights=tuple(float(v) for v in a),
        basis="at",
        input_sum=total,
        notes=tuple(_notes(total)),
    )


def formula_composition(formula: str | Molecule, *, exclude: Sequence[str] = ()) -> Composition:
    """Weight and atomic percent of a formula, optionally leaving elements out.

    Parameters
    ----------
    formula : str or Molecule
        Library name, formula or SMILES (see :func:`elyte.design.molecules.molecule`).
    exclude : sequence of str
        Elements to leave out before normalising (``("H", "Li")`` to compare with EDS).

    Returns
    -------
    Composition

    Raises
    ------
    DesignError
        If nothing is left after the exclusion.

    Examples
    --------
    >>> c = formula_composition("LiFPA", exclude=("Li",))
    >>> dict(zip(c.elements, [round(x, 2) for x in c.at_percent]))
    {'C': 29.27, 'Al': 2.44, 'F': 58.54, 'O': 9.76}
    """
    m = molecule(formula)
    drop = set(exclude)
    kept = {el: n for el, n in m.composition.items() if el not in drop}
    if not kept:
        raise DesignError(f"nothing left of {m.formula} after excluding {', '.join(exclude)}")
    order = sorted(kept, key=lambda e: (e != "C", e != "H", e))
    comp = at_to_wt({e: kept[e] for e in order})
    notes = [f"from {m.formula}" + (f", without {', '.join(sorted(drop))}" if drop else "")]
    return Composition(
        **{
            **comp.__dict__,
            "basis": "formula",
            "input_sum": 100.0,
            "excluded": tuple(sorted(drop & set(m.composition))),
            "notes": tuple(notes),
        }
    )
