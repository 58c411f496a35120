"""Parse impedance.py-style circuit strings into a tree (a small recursive-descent parser).

Grammar (whitespace is ignored)::

    circuit  := series
    series   := term ("-" term)*
    term     := element | parallel
    parallel := "p" "(" series ("," series)+ ")"
    element  := SYMBOL LABEL?        e.g. R0, CPE1, Wo_1, R_b, CPE_dl

``SYMBOL`` is the element kind, letters only (``R``, ``CPE``, ``Wo``); ``LABEL`` tells
elements of the same kind apart and starts with a digit or an underscore, so ``Rb`` is an
error (is it ``R`` labelled ``b``, or an unknown kind ``Rb``?) while ``R_b`` and ``R1`` are
fine. Element names must be unique within a circuit. Nothing is ever evaluated as Python.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias

from elyte.errors import CircuitError
from elyte.impedance.circuits.elements import ElementKind

__all__ = ["ElementNode", "Node", "ParallelNode", "SeriesNode", "parse_circuit"]

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_SPLIT = re.compile(r"([A-Za-z]+)((?:[0-9_][A-Za-z0-9_]*)?)")


@dataclass(frozen=True)
class ElementNode:
    """A leaf: one element of the circuit.

    Attributes
    ----------
    name : str
        The element's name as written (``"CPE1"``).
    kind : ElementKind
        What the element is.
    first : int
        Index of its first parameter in the circuit's parameter vector.
    """

    name: str
    kind: ElementKind
    first: int

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class SeriesNode:
    """Elements or blocks in series: ``Z = Σ Z_i``."""

    children: tuple[Node, ...]

    def __str__(self) -> str:
        return "-".join(str(c) for c in self.children)


@dataclass(frozen=True)
class ParallelNode:
    """Branches in parallel: ``1/Z = Σ 1/Z_i``."""

    children: tuple[Node, ...]

    def __str__(self) -> str:
        return "p(" + ",".join(str(c) for c in self.children) + ")"


Node: TypeAlias = ElementNode | SeriesNode | ParallelNode


def _caret(text: str, pos: int) -> str:
    return f"\n    {text}\n    {' ' * pos}^"


class _Parser:
    def __init__(self, text: str, registry: Mapping[str, ElementKind]) -> None:
        self.text = text
        self.registry = registry
        self.pos = 0
        self.n_params = 0
        self.names: set[str] = set()

    # -- lexing helpers
    def _skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def _peek(self) -> str:
        self._skip()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _error(self, message: str, pos: int | None = None) -> CircuitError:
        where = self.pos if pos is None else pos
        return CircuitError(f"{message} at position {where}{_caret(self.text, where)}")

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            found = self._peek() or "the end"
            raise self._error(f"expected {char!r}, found {found!r}")
        self.pos += 1

    # -- grammar
    def parse(self) -> Node:
        if not self.text.strip():
            raise CircuitError("the circuit string is empty")
        node = self.series()
        if self._peek():
            raise self._error(f"unexpected {self._peek()!r}")
        return node

    def series(self) -> Node:
        children = [self.term()]
        while self._peek() == "-":
            self.pos += 1
            children.append(self.term())
        return children[0] if len(children) == 1 else SeriesNode(tuple(children))

    def term(self) -> Node:
        self._skip()
        start = self.pos
        match = _NAME.match(self.text, self.pos)
        if match is None:
            found = self._peek() or "the end"
            raise self._error(f"expected an element or p(...), found {found!r}")
        word = match.group()
        self.pos = match.end()
        if word == "p" and self._peek() == "(":
            return self.parallel(start)
        return self.element(word, start)

    def parallel(self, start: int) -> Node:
        self._expect("(")
        branches = [self.series()]
        while self._peek() == ",":
            self.pos += 1
            branches.append(self.series())
        self._expect(")")
        if len(branches) < 2:
            raise self._error("a parallel block p(...) needs at least two branches", start)
        return ParallelNode(tuple(branches))

    def element(self, word: str, start: int) -> Node:
        split = _SPLIT.fullmatch(word)
        symbol = split.group(1) if split else word
        if split is None or symbol not in self.registry:
            known = ", ".join(sorted(self.registry))
            hint = ""
            for sym in sorted(self.registry, key=len, reverse=True):
                if word.startswith(sym) and word != sym:
                    hint = (
                        f"; did you mean {sym}_{word[len(sym) :]}? A label after the element "
                        "symbol starts with a digit or an underscore"
                    )
                    break
            raise self._error(f"unknown element {word!r} (known: {known}){hint}", start)
        if word in self.names:
            raise self._error(f"element name {word!r} is used twice", start)
        self.names.add(word)
        kind = self.registry[symbol]
        node = ElementNode(word, kind, self.n_params)
        self.n_params += kind.n_parameters
        return node


def parse_circuit(text: str, registry: Mapping[str, ElementKind]) -> Node:
    """Parse ``text`` into a tree of :class:`SeriesNode`, :class:`ParallelNode` and elements.

    Parameters
    ----------
    text : str
        Circuit string, e.g. ``"R0-p(R1,CPE1)-W1"``.
    registry : mapping of str to ElementKind
        Element kinds by symbol (usually :data:`~elyte.impedance.circuits.ELEMENTS`).

    Raises
    ------
    CircuitError
        On a syntax error, an unknown element or a repeated element name; the message
        points at the position.

    Examples
    --------
    >>> from elyte.impedance.circuits.elements import ELEMENTS
    >>> str(parse_circuit("R0 - p(R1, CPE1) - W1", ELEMENTS))
    'R0-p(R1,CPE1)-W1'
    """
    if not isinstance(text, str):
        raise CircuitError(f"a circuit must be given as a string, not {type(text).__name__}")
    return _Parser(text, registry).parse()
