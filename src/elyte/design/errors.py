"""Errors of the design tools (cell budgets, formulations, molecules, compositions)."""

from __future__ import annotations

from elyte.errors import ElyteError

__all__ = ["DesignError", "FormulaError"]


class DesignError(ElyteError, ValueError):
    """A cell manifest, formulation or composition is not usable as given.

    The message names the parameter (or the manifest key, with the file as ``path``) and
    what is allowed.
    """


class FormulaError(DesignError):
    """A chemical formula or SMILES string cannot be parsed, or names an unknown element.

    The message shows the string with a caret under the position of the problem.
    """
