"""An equivalent circuit: parsed tree, parameter vector, batched impedance and Jacobian."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from elyte.errors import CircuitError, ImpedanceError
from elyte.impedance.circuits.elements import ELEMENTS, ElementKind, ParameterSpec
from elyte.impedance.circuits.parser import ElementNode, Node, SeriesNode, parse_circuit

__all__ = ["Circuit", "CircuitParameter"]

Array = npt.NDArray[Any]
_TWO_PI = 2.0 * np.pi


@dataclass(frozen=True)
class CircuitParameter:
    """One entry of a circuit's parameter vector.

    Attributes
    ----------
    name : str
        Full name: the element name for one-parameter elements (``"R0"``, ``"C1"``,
        ``"W1"``), ``"<element>_<parameter>"`` otherwise (``"CPE1_Q"``, ``"CPE1_alpha"``,
        ``"Wo1_tau"``).
    element : str
        Name of the element it belongs to.
    spec : ParameterSpec
        Unit, default bounds and log-space flag.
    """

    name: str
    element: str
    spec: ParameterSpec

    @property
    def unit(self) -> str:
        """Unit of the parameter."""
        return self.spec.unit


def _walk(node: Node) -> Iterator[ElementNode]:
    if isinstance(node, ElementNode):
        yield node
    else:
        for child in node.children:
            yield from _walk(child)


class Circuit:
    """An equivalent circuit written as an impedance.py-style string.

    ``-`` joins elements in series and ``p(a,b,...)`` puts branches in parallel; elements
    are a symbol plus an optional label (``R0``, ``CPE1``, ``R_b``). See
    :mod:`elyte.impedance.circuits` for the element table.

    Parameters
    ----------
    spec : str or Circuit
        The circuit string, e.g. ``"R0-p(R1,CPE1)-W1"``.
    registry : mapping of str to ElementKind, optional
        Element kinds by symbol; default :data:`~elyte.impedance.circuits.ELEMENTS`.

    Attributes
    ----------
    spec : str
        The canonical string (whitespace removed).
    tree : Node
        The parsed tree.
    parameters : tuple of CircuitParameter
        The parameter vector, in the order elements appear in the string.

    Examples
    --------
    >>> import numpy as np
    >>> c = Circuit("R0-p(R1,C1)")
    >>> c.parameter_names
    ('R0', 'R1', 'C1')
    >>> z = c.impedance([1e6, 1e-3], [10.0, 100.0, 1e-6])
    >>> np.round(z.real, 3)
    array([ 10., 110.])
    """

    def __init__(
        self, spec: str | Circuit, *, registry: Mapping[str, ElementKind] | None = None
    ) -> None:
        if isinstance(spec, Circuit):
            if registry is None:
                registry = spec.registry
            spec = spec.spec
        self.registry: Mapping[str, ElementKind] = ELEMENTS if registry is None else registry
        self.tree: Node = parse_circuit(spec, self.registry)
        self.spec: str = str(self.tree)
        self.elements: tuple[ElementNode, ...] = tuple(_walk(self.tree))
        params: list[CircuitParameter] = []
        for el in self.elements:
            single = el.kind.n_parameters == 1
            for p in el.kind.parameters:
                name = el.name if single else f"{el.name}_{p.name}"
                params.append(CircuitParameter(name, el.name, p))
        self.parameters: tuple[CircuitParameter, ...] = tuple(params)
        names = [p.name for p in params]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise CircuitError(f"circuit {self.spec!r} has clashing parameter names {dup}")
        self._index = {n: i for i, n in enumerate(names)}

    # ------------------------------------------------------------------ description
    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Names of the parameters, in vector order."""
        return tuple(p.name for p in self.parameters)

    @property
    def parameter_units(self) -> tuple[str, ...]:
        """Units of the parameters, in vector order."""
        return tuple(p.unit for p in self.parameters)

    @property
    def n_parameters(self) -> int:
        """Length of the parameter vector."""
        return len(self.parameters)

    def index(self, name: str) -> int:
        """Position of parameter ``name`` in the vector.

        Raises
        ------
        ImpedanceError
            If the circuit has no such parameter (the message lists the names).
        """
        try:
            return self._index[name]
        except KeyError:
            raise ImpedanceError(
                f"circuit {self.spec!r} has no parameter {name!r}; its parameters are "
                f"{list(self.parameter_names)}"
            ) from None

    def describe(self) -> str:
        """Return a plain-text table of the elements, their formulas and parameter units."""
        lines = [f"circuit {self.spec}"]
        for el in self.elements:
            units = ", ".join(f"{p.name} [{p.unit}]" for p in el.kind.parameters)
            lines.append(f"  {el.name}: {el.kind.description}; {el.kind.formula}; {units}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Circuit({self.spec!r})"

    def __str__(self) -> str:
        return self.spec

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Circuit):
            return NotImplemented
        return self.spec == other.spec and all(
            a.kind is b.kind for a, b in zip(self.elements, other.elements, strict=True)
        )

    def __hash__(self) -> int:
        return hash(self.spec)

    # ------------------------------------------------------------------ evaluation
    def _prepare(
        self, frequency: npt.ArrayLike, parameters: npt.ArrayLike
    ) -> tuple[Array, Array, bool]:
        f = np.asarray(frequency, dtype=float)
        p = np.asarray(parameters, dtype=float)
        if f.ndim not in (1, 2):
            raise ImpedanceError(f"frequency must be 1-D or 2-D, got shape {f.shape}")
        if p.ndim not in (1, 2) or p.shape[-1] != self.n_parameters:
            raise ImpedanceError(
                f"parameters must have shape ({self.n_parameters},) or (n, "
                f"{self.n_parameters}) for {self.spec!r} (parameters "
                f"{list(self.parameter_names)}), got shape {p.shape}"
            )
        squeeze = p.ndim == 1 and f.ndim == 1
        p2 = np.atleast_2d(p)
        omega = _TWO_PI * np.atleast_2d(f)
        if omega.shape[0] not in (1, p2.shape[0]) and p2.shape[0] != 1:
            raise ImpedanceError(
                f"{omega.shape[0]} frequency rows do not match {p2.shape[0]} parameter sets"
            )
        return omega, p2, squeeze

    def impedance(self, frequency: npt.ArrayLike, parameters: npt.ArrayLike) -> Array:
        """Complex impedance (ohm) at ``frequency`` (Hz).

        Parameters
        ----------
        frequency : array_like, Hz
            Shape ``(n_freq,)`` (shared by every parameter set) or ``(n_sets, n_freq)``.
        parameters : array_like
            Shape ``(n_params,)`` or ``(n_sets, n_params)``, in :attr:`parameter_names`
            order and the units of :attr:`parameter_units`.

        Returns
        -------
        numpy.ndarray of complex, ohm
            ``(n_freq,)`` for one parameter set and 1-D frequencies, else
            ``(n_sets, n_freq)``.
        """
        omega, p, squeeze = self._prepare(frequency, parameters)
        cols = [p[:, k : k + 1] for k in range(p.shape[1])]
        with np.errstate(all="ignore"):
            z, _ = _evaluate(self.tree, cols, omega, jacobian=False)
        z = np.broadcast_to(z, np.broadcast_shapes(z.shape, (p.shape[0], omega.shape[1])))
        return z[0].copy() if squeeze else np.array(z)

    def impedance_and_jacobian(
        self, frequency: npt.ArrayLike, parameters: npt.ArrayLike
    ) -> tuple[Array, Array]:
        """Impedance and its analytic derivatives with respect to every parameter.

        Derivatives of series and parallel blocks follow from the chain rule:
        ``∂Z/∂p = ∂Z_i/∂p`` in series and ``∂Z/∂p = (Z/Z_i)² ∂Z_i/∂p`` in parallel,
        where ``Z_i`` is the branch holding ``p``.

        Parameters
        ----------
        frequency, parameters : array_like
            As for :meth:`impedance`.

        Returns
        -------
        z : numpy.ndarray of complex, ohm
            ``(n_freq,)`` or ``(n_sets, n_freq)``.
        jacobian : numpy.ndarray of complex
            ``∂Z/∂p_k`` in ohm per unit of ``p_k``: ``(n_params, n_freq)`` or
            ``(n_sets, n_params, n_freq)``.
        """
        omega, p, squeeze = self._prepare(frequency, parameters)
        z, jac = self._batched(omega, p)
        if squeeze:
            return z[0], jac[0]
        return z, jac

    def _batched(self, omega: Array, p: Array) -> tuple[Array, Array]:
        """Kernel: ``omega`` (1 or B, F) rad/s, ``p`` (B, P) -> Z (B, F), J (B, P, F)."""
        n_sets = p.shape[0]
        n_freq = omega.shape[1]
        cols = [p[:, k : k + 1] for k in range(p.shape[1])]
        with np.errstate(all="ignore"):
            z, derivs = _evaluate(self.tree, cols, omega, jacobian=True)
        z = np.broadcast_to(z, (n_sets, n_freq))
        jac = np.empty((n_sets, p.shape[1], n_freq), dtype=complex)
        for k, d in derivs:
            jac[:, k, :] = d
        return np.array(z), jac


def _evaluate(
    node: Node, cols: Sequence[Array], omega: Array, *, jacobian: bool
) -> tuple[Array, list[tuple[int, Array]]]:
    """Impedance of ``node`` and, if asked, ``(parameter index, ∂Z/∂p)`` pairs."""
    if isinstance(node, ElementNode):
        kind = node.kind
        args = cols[node.first : node.first + kind.n_parameters]
        if not jacobian:
            return kind.evaluate(omega, args), []
        z, derivs = kind.evaluate_with_jacobian(omega, args)
        return z, [(node.first + i, d) for i, d in enumerate(derivs)]
    parts = [_evaluate(child, cols, omega, jacobian=jacobian) for child in node.children]
    if isinstance(node, SeriesNode):
        z = parts[0][0]
        for zc, _ in parts[1:]:
            z = z + zc
        return z, [pair for _, pairs in parts for pair in pairs]
    # a ParallelNode: 1/Z = sum of 1/Z_i
    admittance = 1.0 / parts[0][0]
    for zc, _ in parts[1:]:
        admittance = admittance + 1.0 / zc
    z = 1.0 / admittance
    if not jacobian:
        return z, []
    out: list[tuple[int, Array]] = []
    for zc, pairs in parts:
        if not pairs:
            continue
        ratio = z / zc
        factor = ratio * ratio
        out.extend((k, factor * d) for k, d in pairs)
    return z, out
