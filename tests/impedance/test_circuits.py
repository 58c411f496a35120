"""Circuit strings, element impedances and the analytic Jacobian.

Reference values are analytic constructions written out in the tests (limits and special
cases of the element formulas, series/parallel sums by hand) and central finite differences
of the impedance for every derivative; nothing is taken from elyte's own output.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from elyte.errors import CircuitError, ImpedanceError
from elyte.impedance.circuits import (
    BUILTIN_ELEMENTS,
    ELEMENTS,
    Circuit,
    ElementKind,
    ElementRegistry,
    ParameterSpec,
    parse_circuit,
)

F = np.logspace(6, -2, 41)
W = 2 * np.pi * F

# one realistic parameter set per element (units as in the element table)
ELEMENT_PARAMS = {
    "R": [12.0],
    "C": [3e-6],
    "L": [2e-7],
    "CPE": [4e-5, 0.83],
    "W": [35.0],
    "Wo": [40.0, 2.5],
    "Ws": [40.0, 2.5],
    "G": [30.0, 0.01],
    "La": [1e-6, 0.9],
}


# ------------------------------------------------------------------------- parsing
def test_builtin_table_is_complete() -> None:
    assert set(BUILTIN_ELEMENTS) == set(ELEMENT_PARAMS)
    for kind in BUILTIN_ELEMENTS.values():
        assert kind.formula.startswith("Z = ")
        assert kind.has_analytic_jacobian
        assert all(p.unit for p in kind.parameters)
        doc = kind.impedance.__doc__ or ""
        assert "Z =" in doc, f"{kind.symbol} docstring lacks its formula"


def test_parse_canonical_string_and_names() -> None:
    c = Circuit(" R0 - p( R1 , CPE1 ) - W1 ")
    assert c.spec == "R0-p(R1,CPE1)-W1"
    assert c.parameter_names == ("R0", "R1", "CPE1_Q", "CPE1_alpha", "W1")
    assert c.parameter_units == ("ohm", "ohm", "ohm^-1 s^alpha", "1", "ohm s^-1/2")
    assert [e.name for e in c.elements] == ["R0", "R1", "CPE1", "W1"]
    assert c.index("CPE1_alpha") == 3
    assert repr(c) == "Circuit('R0-p(R1,CPE1)-W1')"
    assert "Z = 1/(Q (jω)^alpha)" in c.describe()


def test_parse_labels_nested_and_multi_branch() -> None:
    c = Circuit("L_lead-R_b-p(R_sei,CPE_sei,p(R2-Wo_1,C2))-Ws2-G1-La1")
    assert c.parameter_names == (
        "L_lead",
        "R_b",
        "R_sei",
        "CPE_sei_Q",
        "CPE_sei_alpha",
        "R2",
        "Wo_1_R",
        "Wo_1_tau",
        "C2",
        "Ws2_R",
        "Ws2_tau",
        "G1_R",
        "G1_tau",
        "La1_L",
        "La1_alpha",
    )
    assert str(parse_circuit(c.spec, ELEMENTS)) == c.spec
    assert Circuit(c.spec) == c
    assert hash(Circuit(c.spec)) == hash(c)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("R0-", "expected an element"),
        ("R0-p(R1,C1", "expected ')'"),
        ("p(R1)", "at least two branches"),
        ("R0-X1", "unknown element 'X1'"),
        ("Rb", "did you mean R_b"),
        ("CPEdl", "did you mean CPE_dl"),
        ("R1-R1", "used twice"),
        ("R0)", "unexpected ')'"),
        ("R0,R1", "unexpected ','"),
        ("__import__('os').system('x')", "expected an element"),
        ("R1.real", "unexpected '.'"),
        ("R0+R1", "unexpected '+'"),
        ("p1(R1,R2)", "unknown element 'p1'"),
    ],
)
def test_parse_errors_point_at_the_problem(text: str, fragment: str) -> None:
    with pytest.raises(CircuitError, match=None) as info:
        Circuit(text)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_parse_rejects_non_strings() -> None:
    with pytest.raises(CircuitError, match="string"):
        parse_circuit(42, ELEMENTS)  # type: ignore[arg-type]


def test_unknown_parameter_name_lists_the_known_ones() -> None:
    with pytest.raises(ImpedanceError, match=r"parameters are \['R0', 'C1'\]"):
        Circuit("R0-C1").index("R1")


# ------------------------------------------------------------------------- element values
def test_element_values_against_closed_forms() -> None:
    """Each element against its formula written out here, and limits that fix the form."""

    def z(spec: str, params: list[float], f: np.ndarray = F) -> np.ndarray:
        return Circuit(spec).impedance(f, params)

    w = W
    np.testing.assert_allclose(z("R1", [12.0]), np.full(F.size, 12.0 + 0j))
    np.testing.assert_allclose(z("C1", [3e-6]), 1 / (1j * w * 3e-6))
    np.testing.assert_allclose(z("L1", [2e-7]), 1j * w * 2e-7)
    np.testing.assert_allclose(
        z("CPE1", [4e-5, 0.83]), 1 / (4e-5 * w**0.83 * np.exp(1j * np.pi / 2 * 0.83))
    )
    # CPE with alpha = 1 is a capacitor; La with alpha = 1 an inductor
    np.testing.assert_allclose(z("CPE1", [3e-6, 1.0]), z("C1", [3e-6]), rtol=1e-12)
    np.testing.assert_allclose(z("La1", [2e-7, 1.0]), z("L1", [2e-7]), rtol=1e-12)
    # Warburg: Z' = -Z'' = sigma / sqrt(omega)
    zw = z("W1", [35.0])
    np.testing.assert_allclose(zw.real, 35.0 / np.sqrt(w))
    np.testing.assert_allclose(zw.imag, -35.0 / np.sqrt(w))
    # finite Warburgs at low frequency: Ws -> R; Wo -> R/3 + R/(j omega tau)
    low = np.array([1e-7])
    np.testing.assert_allclose(z("Ws1", [40.0, 2.5], low), [40.0 + 0j], rtol=1e-6)
    zo = z("Wo1", [40.0, 2.5], low)
    wl = 2 * np.pi * low
    np.testing.assert_allclose(zo.real, 40.0 / 3, rtol=1e-6)
    np.testing.assert_allclose(zo.imag, -40.0 / (wl * 2.5), rtol=1e-6)
    # ... and at high frequency both become the semi-infinite Warburg R/sqrt(j omega tau)
    high = np.array([1e5])
    semi = 40.0 / np.sqrt(1j * 2 * np.pi * high * 2.5)
    np.testing.assert_allclose(z("Wo1", [40.0, 2.5], high), semi, rtol=1e-9)
    np.testing.assert_allclose(z("Ws1", [40.0, 2.5], high), semi, rtol=1e-9)
    # Gerischer: R at omega -> 0, R 2^(-1/4) e^{-j pi/8} at omega tau = 1 (1 + j = √2 e^{jπ/4})
    np.testing.assert_allclose(z("G1", [30.0, 0.01], low), [30.0 + 0j], rtol=1e-6)
    at_tau = np.array([1 / (2 * np.pi * 0.01)])
    np.testing.assert_allclose(
        z("G1", [30.0, 0.01], at_tau), 30 / 2**0.25 * np.exp(-1j * np.pi / 8), rtol=1e-12
    )
    # La: |Z| = L omega^alpha, phase alpha * 90 degrees
    zla = z("La1", [1e-6, 0.9])
    np.testing.assert_allclose(np.abs(zla), 1e-6 * w**0.9)
    np.testing.assert_allclose(np.angle(zla), 0.9 * np.pi / 2)


def test_series_and_parallel_combine_by_hand() -> None:
    r0, r1, c1, q, a = 5.0, 100.0, 1e-6, 2e-5, 0.8
    z = Circuit("R0-p(R1,C1)-CPE1").impedance(F, [r0, r1, c1, q, a])
    zc = 1 / (1j * W * c1)
    zq = 1 / (q * (1j * W) ** a)
    np.testing.assert_allclose(z, r0 + 1 / (1 / r1 + 1 / zc) + zq, rtol=1e-12)
    # R || C at omega = 1/(RC): R/2 - jR/2
    f_c = np.array([1 / (2 * np.pi * r1 * c1)])
    np.testing.assert_allclose(
        Circuit("p(R1,C1)").impedance(f_c, [r1, c1]), [r1 / 2 - 1j * r1 / 2], rtol=1e-12
    )
    # three branches
    z3 = Circuit("p(R1,R2,R3)").impedance(F, [1.0, 2.0, 4.0])
    np.testing.assert_allclose(z3, np.full(F.size, 1 / (1 + 0.5 + 0.25) + 0j))


# ------------------------------------------------------------------------- Jacobian
def _finite_difference(c: Circuit, f: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Central differences with a relative step, one parameter at a time: (n, P, F)."""
    p2 = np.atleast_2d(p)
    out = np.empty((p2.shape[0], p2.shape[1], f.shape[-1]), complex)
    for k in range(p2.shape[1]):
        h = 1e-6 * np.abs(p2[:, k])
        up, dn = p2.copy(), p2.copy()
        up[:, k] += h
        dn[:, k] -= h
        out[:, k] = (c.impedance(f, up) - c.impedance(f, dn)) / (2 * h[:, None])
    return out


def _assert_jacobian_matches(spec: str, p: np.ndarray, f: np.ndarray = F) -> None:
    """Compare p·∂Z/∂p with finite differences, pointwise, to 1e-7 of |Z|.

    |Z| is the natural scale of a finite-difference error (round-off ~ eps·|Z|/h with a
    relative step h = 1e-6), so this holds for every parameter at every frequency.
    """
    c = Circuit(spec)
    z, jac = c.impedance_and_jacobian(f, p)
    np.testing.assert_allclose(z, c.impedance(f, p), rtol=1e-14)
    fd = _finite_difference(c, f, p)
    p2 = np.atleast_2d(p)
    jac2 = jac if jac.ndim == 3 else jac[None]
    z2 = np.atleast_2d(z)
    err = np.abs(p2[:, :, None] * (jac2 - fd))
    assert np.all(err <= 1e-7 * np.abs(z2)[:, None, :]), float(np.max(err / np.abs(z2)[:, None]))
    # and the derivatives are not trivially zero
    assert np.all(np.abs(p2[:, :, None] * jac2).max(axis=-1) > 1e-6 * np.abs(z2).max())


@pytest.mark.parametrize("symbol", sorted(ELEMENT_PARAMS))
def test_element_jacobian_matches_finite_differences(symbol: str) -> None:
    _assert_jacobian_matches(f"{symbol}1", np.array(ELEMENT_PARAMS[symbol]))


@pytest.mark.parametrize(
    "spec",
    [
        "R0-p(R1,CPE1)-W1",
        "L1-R0-p(R1,CPE1)-CPE2",
        "R0-p(R1,C1)-p(R2-Wo1,C2)",
        "La1-R0-p(R1,p(R2-G1,CPE1),C2)-Ws1",
        "p(p(R1,C1)-R2,p(L1,R3))",
    ],
)
def test_nested_circuit_jacobian_matches_finite_differences(spec: str) -> None:
    c = Circuit(spec)
    rng = np.random.default_rng(3)
    base = []
    for el in c.elements:
        base += ELEMENT_PARAMS[el.kind.symbol]
    p = np.array(base) * np.exp(rng.uniform(-0.3, 0.3, (4, len(base))))
    for k, par in enumerate(c.parameters):
        if not par.spec.log:
            p[:, k] = rng.uniform(0.6, 0.95, 4)
    _assert_jacobian_matches(spec, p)


def test_batch_shapes() -> None:
    c = Circuit("R0-p(R1,CPE1)")
    p = np.array([[10.0, 100.0, 1e-5, 0.9], [20.0, 50.0, 2e-5, 0.8], [1.0, 1.0, 1e-3, 0.5]])
    z, jac = c.impedance_and_jacobian(F, p)
    assert z.shape == (3, F.size)
    assert jac.shape == (3, 4, F.size)
    for i in range(3):
        np.testing.assert_array_equal(z[i], c.impedance(F, p[i]))
    # per-set frequency grids
    f2 = np.stack([F, F * 2, F / 3])
    z2 = c.impedance(f2, p)
    for i in range(3):
        np.testing.assert_allclose(z2[i], c.impedance(f2[i], p[i]), rtol=1e-14)
    with pytest.raises(ImpedanceError, match=r"shape \(4,\) or \(n, 4\)"):
        c.impedance(F, [1.0, 2.0])
    with pytest.raises(ImpedanceError, match="do not match"):
        c.impedance(np.stack([F, F]), p)
    with pytest.raises(ImpedanceError, match="1-D or 2-D"):
        c.impedance(np.zeros((2, 2, 2)), p)


# ------------------------------------------------------------------------- user elements
def _debye(omega: np.ndarray, r: np.ndarray, tau: np.ndarray) -> np.ndarray:
    return r / (1 + 1j * omega * tau)


def _debye_jac(
    omega: np.ndarray, r: np.ndarray, tau: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    d = 1 + 1j * omega * tau
    return r / d, (1 / d + 0 * omega, -r * 1j * omega / d**2)


def test_user_element_with_and_without_jacobian() -> None:
    registry = ElementRegistry()
    spec = [ParameterSpec("R", "ohm"), ParameterSpec("tau", "s")]
    registry.register("K", _debye, spec, jacobian=_debye_jac, formula="Z = R/(1 + jωτ)")
    registry.register("Kn", _debye, spec, formula="Z = R/(1 + jωτ)")
    assert "K" not in ELEMENTS  # private registry
    c = Circuit("R0-K1-Kn1", registry=registry)
    p = np.array([3.0, 50.0, 1e-3, 20.0, 1e-1])
    z, jac = c.impedance_and_jacobian(F, p)
    # a Debye element equals R || C with C = tau/R: independent construction
    rc = Circuit("R0-p(R1,C1)-p(R2,C2)")
    np.testing.assert_allclose(z, rc.impedance(F, [3.0, 50.0, 1e-3 / 50.0, 20.0, 1e-1 / 20.0]))
    fd = _finite_difference(c, F, p)[0]
    scale = np.max(np.abs(fd), axis=-1, keepdims=True)
    np.testing.assert_allclose(jac / scale, fd / scale, atol=1e-6)
    # Kn has no Jacobian: its finite-difference fallback must match the analytic formula
    _, (d_r, d_tau) = _debye_jac(W, np.array(20.0), np.array(1e-1))
    np.testing.assert_allclose(jac[3], d_r, rtol=1e-8)
    np.testing.assert_allclose(jac[4], d_tau, atol=1e-8 * np.abs(d_tau).max())
    assert not registry["Kn"].has_analytic_jacobian


def test_registry_rules() -> None:
    registry = ElementRegistry()
    spec = [ParameterSpec("R", "ohm")]
    with pytest.raises(CircuitError, match="already registered"):
        registry.register("R", lambda w, r: r + 0 * w, spec)
    registry.register("R", lambda w, r: 2 * r + 0 * w, spec, replace=True)
    assert Circuit("R1", registry=registry).impedance([1.0], [1.0])[0] == 2.0
    assert Circuit("R1").impedance([1.0], [1.0])[0] == 1.0  # default registry untouched
    with pytest.raises(CircuitError, match="letters only"):
        ElementKind("K2", tuple(spec), _debye)
    with pytest.raises(CircuitError, match="reserved"):
        ElementKind("p", tuple(spec), _debye)
    with pytest.raises(CircuitError, match="repeated parameter"):
        ElementKind("K", (spec[0], spec[0]), _debye)
    with pytest.raises(CircuitError, match="negative"):
        ParameterSpec("x", "1", lower=-1.0, log=True)
    with pytest.raises(CircuitError, match="not below"):
        ParameterSpec("x", "1", lower=2.0, upper=1.0)
    with pytest.raises(CircuitError, match="ElementKind"):
        registry.add("K")  # type: ignore[arg-type]
    copy = registry.copy()
    assert set(copy) == set(registry)
    assert len(copy) == len(registry)
    assert "ElementRegistry" in repr(copy)


def test_default_parameter_specs() -> None:
    cpe = BUILTIN_ELEMENTS["CPE"]
    assert [p.name for p in cpe.parameters] == ["Q", "alpha"]
    q, alpha = cpe.parameters
    assert q.log
    assert q.lower == 0
    assert math.isinf(q.upper)
    assert not alpha.log
    assert (alpha.lower, alpha.upper) == (0.0, 1.0)
