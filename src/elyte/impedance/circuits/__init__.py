"""Equivalent circuits: impedance.py-style strings parsed into a tree, batched Z and ∂Z/∂p.

Write a circuit as a string: ``-`` puts elements in series, ``p(a,b,...)`` in parallel,
and every element is a symbol plus an optional label (``R0``, ``CPE1``, ``R_b``,
``CPE_dl``)::

    >>> from elyte.impedance.circuits import Circuit
    >>> c = Circuit("R0-p(R1,CPE1)-W1")
    >>> c.parameter_names
    ('R0', 'R1', 'CPE1_Q', 'CPE1_alpha', 'W1')

One-parameter elements name their parameter after themselves; the others append the
parameter's name. :meth:`Circuit.impedance_and_jacobian` evaluates ``Z`` and the analytic
``∂Z/∂p`` for a whole batch of parameter sets at once: parameters ``(n_sets, n_params)``
and frequencies ``(n_freq,)`` or ``(n_sets, n_freq)`` give ``Z`` of shape
``(n_sets, n_freq)`` and a Jacobian ``(n_sets, n_params, n_freq)``.

Built-in elements (``ω = 2πf`` in rad/s):

======  ===============================  ==============================================
symbol  impedance                        parameters [unit]
======  ===============================  ==============================================
R       Z = R                            R [ohm]
C       Z = 1/(jωC)                      C [F]
L       Z = jωL                          L [H]
CPE     Z = 1/(Q (jω)^alpha)             Q [ohm^-1 s^alpha], alpha [1] in [0, 1]
W       Z = sigma (1 - j)/√ω             sigma [ohm s^-1/2] (semi-infinite Warburg)
Wo      Z = R coth(√(jωτ))/√(jωτ)        R [ohm], tau [s] (finite length, open end)
Ws      Z = R tanh(√(jωτ))/√(jωτ)        R [ohm], tau [s] (finite length, short end)
G       Z = R/√(1 + jωτ)                 R [ohm], tau [s] (Gerischer)
La      Z = L (jω)^alpha                 L [H s^(alpha-1)], alpha [1] in [0, 1]
======  ===============================  ==============================================

``W`` uses the Warburg coefficient sigma: ``Z = sigma ω^(-1/2) - j sigma ω^(-1/2)``, so
sigma is the slope of both Z' and -Z″ against ω^(-1/2); for a redox couple
``sigma = RT/(n²F²A√2)·(1/(c_O√D_O) + 1/(c_R√D_R))`` (impedance.py calls it ``A_W``).
``Wo`` and ``Ws`` have the same two-parameter form as impedance.py's elements of those
names. ``La`` is ``L (jω)^alpha`` as its formula says (impedance.py's code computes
``(L jω)^alpha`` instead, so its ``L`` differs from ours unless alpha = 1).

Add elements with :func:`register_element` (default registry) or
:meth:`ElementRegistry.register` (a private one passed as ``Circuit(..., registry=...)``).
"""

from __future__ import annotations

from elyte.impedance.circuits.circuit import Circuit, CircuitParameter
from elyte.impedance.circuits.elements import (
    BUILTIN_ELEMENTS,
    ELEMENTS,
    ElementKind,
    ElementRegistry,
    ParameterSpec,
    register_element,
)
from elyte.impedance.circuits.parser import (
    ElementNode,
    Node,
    ParallelNode,
    SeriesNode,
    parse_circuit,
)

__all__ = [
    "BUILTIN_ELEMENTS",
    "ELEMENTS",
    "Circuit",
    "CircuitParameter",
    "ElementKind",
    "ElementNode",
    "ElementRegistry",
    "Node",
    "ParallelNode",
    "ParameterSpec",
    "SeriesNode",
    "parse_circuit",
    "register_element",
]
