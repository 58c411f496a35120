"""Circuit elements: impedance, analytic derivatives, parameter units and default bounds.

Every element is an :class:`ElementKind`: a symbol (``"CPE"``), its parameters (name, unit,
default bounds, whether it is fitted in log space), a function ``Z(ω, *p)`` and, for the
built-in elements, the analytic derivatives ``∂Z/∂p``. Element functions are plain numpy
and broadcast: ``ω`` has shape ``(n_freq,)`` or ``(n_spectra, n_freq)`` and each parameter
has shape ``(n_spectra, 1)`` (or is a float), so one call evaluates a whole batch.

Angular frequency ``ω = 2πf`` is in rad/s; ``j`` is the imaginary unit. The formulas are the
usual ones (Orazem & Tribollet, *Electrochemical Impedance Spectroscopy*, 2nd ed., Wiley
2017, chapters 4-5 and 9-10; Lasia, *Electrochemical Impedance Spectroscopy and its
Applications*, Springer 2014).

User-defined elements are registered with :func:`register_element` (or on a private
:class:`ElementRegistry` handed to :class:`~elyte.impedance.circuits.Circuit`); they may come
without derivatives, in which case central finite differences are used.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from elyte.errors import CircuitError

__all__ = [
    "BUILTIN_ELEMENTS",
    "ELEMENTS",
    "ElementKind",
    "ElementRegistry",
    "ParameterSpec",
    "register_element",
]

Array = npt.NDArray[Any]
#: ``Z(ω, *params) -> Z``: impedance of one element, broadcasting over a batch.
ImpedanceFunction = Callable[..., Array]
#: ``(ω, *params) -> (Z, (∂Z/∂p_1, ...))``: impedance and its derivatives.
JacobianFunction = Callable[..., tuple[Array, tuple[Array, ...]]]

_HALF_PI_J = 0.5j * math.pi


@dataclass(frozen=True)
class ParameterSpec:
    """One parameter of an element.

    Parameters
    ----------
    name : str
        Short name inside the element (``"R"``, ``"Q"``, ``"alpha"``, ``"tau"``).
    unit : str
        Unit of the value (SI, ASCII: ``"ohm"``, ``"F"``, ``"ohm^-1 s^alpha"``).
    lower, upper : float
        Default bounds of a fit (inclusive). ``lower = 0`` with ``log = True`` means the
        parameter is only required to be positive.
    log : bool
        Fit the natural logarithm of the value (for parameters that are positive and may
        span decades). Requires ``lower >= 0``.
    description : str
        What the parameter is, in a few words.
    """

    name: str
    unit: str
    lower: float = 0.0
    upper: float = math.inf
    log: bool = True
    description: str = ""

    def __post_init__(self) -> None:
        if not self.lower < self.upper:
            raise CircuitError(
                f"parameter {self.name!r}: lower bound {self.lower} is not below upper "
                f"bound {self.upper}"
            )
        if self.log and self.lower < 0:
            raise CircuitError(
                f"parameter {self.name!r} is fitted in log space but its lower bound "
                f"{self.lower} is negative"
            )


@dataclass(frozen=True)
class ElementKind:
    """A kind of circuit element (resistor, CPE, ...).

    Parameters
    ----------
    symbol : str
        Letters that name the element in a circuit string (``"R"``, ``"CPE"``, ``"Wo"``).
        Letters only; an element in a circuit is the symbol plus an optional label
        (``R0``, ``CPE_dl``).
    parameters : sequence of ParameterSpec
        The parameters in the order the functions take them.
    impedance : callable
        ``impedance(omega, *params) -> Z`` in ohm, ``omega`` in rad/s, broadcasting.
    jacobian : callable, optional
        ``jacobian(omega, *params) -> (Z, (dZ/dp1, dZ/dp2, ...))``. Without it the
        derivatives are taken by central finite differences (relative step
        ``1e-6``), which is slower and less accurate.
    formula : str
        The impedance formula in plain text, for documentation and reports.
    description : str
        One line about the element.
    """

    symbol: str
    parameters: tuple[ParameterSpec, ...]
    impedance: ImpedanceFunction
    jacobian: JacobianFunction | None = None
    formula: str = ""
    description: str = ""
    _names: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z]+", self.symbol):
            raise CircuitError(
                f"element symbol {self.symbol!r} must be letters only (the label that "
                "follows it in a circuit string starts with a digit or an underscore)"
            )
        if self.symbol == "p":
            raise CircuitError("'p' is reserved for parallel blocks: p(a,b)")
        params = tuple(self.parameters)
        if not params:
            raise CircuitError(f"element {self.symbol!r} needs at least one parameter")
        names = tuple(p.name for p in params)
        if len(set(names)) != len(names):
            raise CircuitError(f"element {self.symbol!r} has repeated parameter names {names}")
        object.__setattr__(self, "parameters", params)
        object.__setattr__(self, "_names", names)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Names of the parameters, in order."""
        return self._names

    @property
    def n_parameters(self) -> int:
        """Number of parameters."""
        return len(self.parameters)

    @property
    def has_analytic_jacobian(self) -> bool:
        """Whether derivatives are analytic (``True``) or finite differences (``False``)."""
        return self.jacobian is not None

    def evaluate(self, omega: Array, params: Sequence[Array]) -> Array:
        """Impedance for angular frequencies ``omega`` (rad/s) and parameter columns."""
        return np.asarray(self.impedance(omega, *params))

    def evaluate_with_jacobian(
        self, omega: Array, params: Sequence[Array]
    ) -> tuple[Array, tuple[Array, ...]]:
        """Impedance and ``∂Z/∂p`` for every parameter (analytic, or finite differences)."""
        if self.jacobian is not None:
            z_an, d_an = self.jacobian(omega, *params)
            return np.asarray(z_an), tuple(np.asarray(d) for d in d_an)
        z = np.asarray(self.impedance(omega, *params))
        derivs: list[Array] = []
        for k, spec in enumerate(self.parameters):
            value = np.asarray(params[k], dtype=float)
            if spec.log:
                step = 1e-6 * np.where(value != 0.0, np.abs(value), 1.0)
            else:
                step = 1e-6 * np.maximum(np.abs(value), 1.0)
            up = list(params)
            down = list(params)
            up[k] = value + step
            down[k] = value - step
            derivs.append(
                (np.asarray(self.impedance(omega, *up)) - np.asarray(self.impedance(omega, *down)))
                / (2.0 * step)
            )
        return z, tuple(derivs)


# --------------------------------------------------------------------------- built-ins
def _ln_jw(omega: Array) -> Array:
    """ln(jω) = ln ω + jπ/2, without forming jω first."""
    return np.log(omega) + _HALF_PI_J


def _resistor(omega: Array, r: Array) -> Array:
    """Resistor: Z = R."""
    return np.zeros(np.broadcast_shapes(np.shape(omega), np.shape(r)), complex) + r


def _resistor_jac(omega: Array, r: Array) -> tuple[Array, tuple[Array, ...]]:
    z = _resistor(omega, r)
    return z, (np.ones_like(z),)


def _capacitor(omega: Array, c: Array) -> Array:
    """Capacitor: Z = 1/(jωC)."""
    return -1j / (omega * c)


def _capacitor_jac(omega: Array, c: Array) -> tuple[Array, tuple[Array, ...]]:
    z = _capacitor(omega, c)
    return z, (-z / c,)


def _inductor(omega: Array, inductance: Array) -> Array:
    """Inductor: Z = jωL."""
    return 1j * omega * inductance


def _inductor_jac(omega: Array, inductance: Array) -> tuple[Array, tuple[Array, ...]]:
    z = _inductor(omega, inductance)
    return z, (1j * omega + np.zeros_like(z),)


def _cpe(omega: Array, q: Array, alpha: Array) -> Array:
    """Constant-phase element: Z = 1/(Q (jω)^alpha)."""
    z: Array = np.exp(-alpha * _ln_jw(omega)) / q
    return z


def _cpe_jac(omega: Array, q: Array, alpha: Array) -> tuple[Array, tuple[Array, ...]]:
    ln_jw = _ln_jw(omega)
    z = np.exp(-alpha * ln_jw) / q
    return z, (-z / q, -ln_jw * z)


_SQRT2 = math.sqrt(2.0)


def _warburg(omega: Array, sigma: Array) -> Array:
    """Semi-infinite Warburg: Z = sigma (1 - j)/√ω."""
    return sigma * (1.0 - 1.0j) / np.sqrt(omega)


def _warburg_jac(omega: Array, sigma: Array) -> tuple[Array, tuple[Array, ...]]:
    unit = (1.0 - 1.0j) / np.sqrt(omega)
    z = sigma * unit
    return z, (unit + np.zeros_like(z),)


def _wo(omega: Array, r: Array, tau: Array) -> Array:
    """Finite-length Warburg, open (reflective) end: Z = R coth(√(jωτ))/√(jωτ)."""
    s = np.sqrt(1j * omega * tau)
    z: Array = r / (s * np.tanh(s))
    return z


def _wo_jac(omega: Array, r: Array, tau: Array) -> tuple[Array, tuple[Array, ...]]:
    s = np.sqrt(1j * omega * tau)
    coth = 1.0 / np.tanh(s)
    shape = coth / s
    z = r * shape
    # d(coth s / s)/ds = -(coth^2 - 1)/s - coth/s^2 and ds/dtau = s/(2 tau)
    dz_dtau = -r / (2.0 * tau) * ((coth * coth - 1.0) + coth / s)
    return z, (shape + np.zeros_like(z), dz_dtau)


def _ws(omega: Array, r: Array, tau: Array) -> Array:
    """Finite-length Warburg, short (transmissive) end: Z = R tanh(√(jωτ))/√(jωτ)."""
    s = np.sqrt(1j * omega * tau)
    return r * np.tanh(s) / s


def _ws_jac(omega: Array, r: Array, tau: Array) -> tuple[Array, tuple[Array, ...]]:
    s = np.sqrt(1j * omega * tau)
    tanh = np.tanh(s)
    shape = tanh / s
    z = r * shape
    # d(tanh s / s)/ds = (1 - tanh^2)/s - tanh/s^2 and ds/dtau = s/(2 tau)
    dz_dtau = r / (2.0 * tau) * ((1.0 - tanh * tanh) - tanh / s)
    return z, (shape + np.zeros_like(z), dz_dtau)


def _gerischer(omega: Array, r: Array, tau: Array) -> Array:
    """Gerischer: Z = R/√(1 + jωτ)."""
    return r / np.sqrt(1.0 + 1j * omega * tau)


def _gerischer_jac(omega: Array, r: Array, tau: Array) -> tuple[Array, tuple[Array, ...]]:
    denom = 1.0 + 1j * omega * tau
    shape = 1.0 / np.sqrt(denom)
    z = r * shape
    return z, (shape + np.zeros_like(z), -0.5 * z * (1j * omega) / denom)


def _la(omega: Array, inductance: Array, alpha: Array) -> Array:
    """Evaluate the modified inductance Z = L (jω)^alpha."""
    z: Array = inductance * np.exp(alpha * _ln_jw(omega))
    return z


def _la_jac(omega: Array, inductance: Array, alpha: Array) -> tuple[Array, tuple[Array, ...]]:
    ln_jw = _ln_jw(omega)
    shape = np.exp(alpha * ln_jw)
    z = inductance * shape
    return z, (shape + np.zeros_like(z), ln_jw * z)


def _exponent(description: str, lower: float = 0.0, upper: float = 1.0) -> ParameterSpec:
    return ParameterSpec("alpha", "1", lower, upper, log=False, description=description)


#: The elements every circuit string may use (symbol -> kind).
BUILTIN_ELEMENTS: Mapping[str, ElementKind] = {
    kind.symbol: kind
    for kind in (
        ElementKind(
            "R",
            (ParameterSpec("R", "ohm", description="resistance"),),
            _resistor,
            _resistor_jac,
            formula="Z = R",
            description="resistor",
        ),
        ElementKind(
            "C",
            (ParameterSpec("C", "F", description="capacitance"),),
            _capacitor,
            _capacitor_jac,
            formula="Z = 1/(jωC)",
            description="ideal capacitor",
        ),
        ElementKind(
            "L",
            (ParameterSpec("L", "H", description="inductance"),),
            _inductor,
            _inductor_jac,
            formula="Z = jωL",
            description="ideal inductor (leads, cables)",
        ),
        ElementKind(
            "CPE",
            (
                ParameterSpec("Q", "ohm^-1 s^alpha", description="CPE coefficient"),
                _exponent("CPE exponent (1 = capacitor, 0.5 = Warburg-like, 0 = resistor)"),
            ),
            _cpe,
            _cpe_jac,
            formula="Z = 1/(Q (jω)^alpha)",
            description="constant-phase element",
        ),
        ElementKind(
            "W",
            (ParameterSpec("sigma", "ohm s^-1/2", description="Warburg coefficient sigma"),),
            _warburg,
            _warburg_jac,
            formula="Z = sigma (1 - j)/√ω",
            description="semi-infinite Warburg diffusion (sigma form)",
        ),
        ElementKind(
            "Wo",
            (
                ParameterSpec("R", "ohm", description="diffusion resistance"),
                ParameterSpec("tau", "s", description="diffusion time L²/D"),
            ),
            _wo,
            _wo_jac,
            formula="Z = R coth(√(jωτ))/√(jωτ)",
            description="finite-length Warburg with a reflective (open, blocking) end",
        ),
        ElementKind(
            "Ws",
            (
                ParameterSpec("R", "ohm", description="diffusion resistance"),
                ParameterSpec("tau", "s", description="diffusion time L²/D"),
            ),
            _ws,
            _ws_jac,
            formula="Z = R tanh(√(jωτ))/√(jωτ)",
            description="finite-length Warburg with a transmissive (short) end",
        ),
        ElementKind(
            "G",
            (
                ParameterSpec("R", "ohm", description="Gerischer resistance (ω → 0 limit)"),
                ParameterSpec("tau", "s", description="Gerischer time constant"),
            ),
            _gerischer,
            _gerischer_jac,
            formula="Z = R/√(1 + jωτ)",
            description="Gerischer element (diffusion coupled to a first-order reaction)",
        ),
        ElementKind(
            "La",
            (
                ParameterSpec("L", "H s^(alpha-1)", description="modified inductance"),
                _exponent("inductance exponent (1 = ideal inductor)"),
            ),
            _la,
            _la_jac,
            formula="Z = L (jω)^alpha",
            description="modified (non-ideal) inductance",
        ),
    )
}


class ElementRegistry(Mapping[str, ElementKind]):
    """Element kinds by symbol; starts with the built-in elements.

    A circuit parser looks element symbols up here. The module-level :data:`ELEMENTS` is
    the registry used when none is given; make a private one (``ElementRegistry()``) to
    keep user elements local to some code.

    Examples
    --------
    >>> import numpy as np
    >>> registry = ElementRegistry()
    >>> kind = registry.register(
    ...     "K",
    ...     lambda w, r, tau: r / (1 + 1j * w * tau),
    ...     [ParameterSpec("R", "ohm"), ParameterSpec("tau", "s")],
    ...     formula="Z = R/(1 + jωτ)",
    ... )
    >>> "K" in registry, kind.has_analytic_jacobian
    (True, False)
    """

    def __init__(self, kinds: Mapping[str, ElementKind] | None = None) -> None:
        self._kinds: dict[str, ElementKind] = dict(BUILTIN_ELEMENTS if kinds is None else kinds)

    def __getitem__(self, symbol: str) -> ElementKind:
        return self._kinds[symbol]

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds)

    def __len__(self) -> int:
        return len(self._kinds)

    def __repr__(self) -> str:
        return f"ElementRegistry({sorted(self._kinds)})"

    def add(self, kind: ElementKind, *, replace: bool = False) -> ElementKind:
        """Add an element kind; refuse to shadow an existing symbol unless ``replace``."""
        if not isinstance(kind, ElementKind):
            raise CircuitError(f"expected an ElementKind, got {type(kind).__name__}")
        if kind.symbol in self._kinds and not replace:
            raise CircuitError(
                f"element {kind.symbol!r} is already registered; pass replace=True to redefine it"
            )
        self._kinds[kind.symbol] = kind
        return kind

    def register(
        self,
        symbol: str,
        impedance: ImpedanceFunction,
        parameters: Sequence[ParameterSpec],
        *,
        jacobian: JacobianFunction | None = None,
        formula: str = "",
        description: str = "",
        replace: bool = False,
    ) -> ElementKind:
        """Define and add a user element; see :class:`ElementKind` for the arguments."""
        kind = ElementKind(
            symbol,
            tuple(parameters),
            impedance,
            jacobian,
            formula=formula,
            description=description,
        )
        return self.add(kind, replace=replace)

    def copy(self) -> ElementRegistry:
        """Return an independent registry with the same kinds."""
        return ElementRegistry(self._kinds)


#: The default registry (built-ins plus whatever :func:`register_element` added).
ELEMENTS = ElementRegistry()


def register_element(
    symbol: str,
    impedance: ImpedanceFunction,
    parameters: Sequence[ParameterSpec],
    *,
    jacobian: JacobianFunction | None = None,
    formula: str = "",
    description: str = "",
    replace: bool = False,
) -> ElementKind:
    """Register a user-defined element in the default registry :data:`ELEMENTS`.

    Parameters
    ----------
    symbol : str
        Letters naming the element in circuit strings (``"K"`` then ``K1``, ``K_sei``).
    impedance : callable
        ``impedance(omega, *params) -> Z`` (ohm; ``omega`` in rad/s). It must broadcast:
        ``omega`` may be ``(n_freq,)`` or ``(n_spectra, n_freq)``, each parameter
        ``(n_spectra, 1)``.
    parameters : sequence of ParameterSpec
        Names, units, default bounds and log-space flags, in the order of the function.
    jacobian : callable, optional
        ``jacobian(omega, *params) -> (Z, (dZ/dp1, ...))``; without it finite differences
        are used.
    formula, description : str
        Documentation shown in reports.
    replace : bool
        Allow redefining an existing symbol (including a built-in).

    Returns
    -------
    ElementKind
        The registered kind.
    """
    return ELEMENTS.register(
        symbol,
        impedance,
        parameters,
        jacobian=jacobian,
        formula=formula,
        description=description,
        replace=replace,
    )
