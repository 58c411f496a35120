"""Temperature dependence of a rate-like quantity: Arrhenius and VTF fits, chosen by AICc.

Works for any positive quantity that grows with temperature: ionic conductivity sigma (S/cm),
a diffusion coefficient, or an interfacial "conductance" 1/R (for the activation energy
of Li+ transport through the SEI).

Models (``T`` in K, ``R`` = 8.314462618 J/(mol K)), all fitted in ``ln y``:

``arrhenius`` with ``form="sigma"``
    ``y = A·exp(-Ea/(R·T))``: ``ln y = ln A - (Ea/R)·(1/T)``.
``arrhenius`` with ``form="sigmaT"``
    ``y·T = A'·exp(-Ea/(R·T))``. The two forms give activation energies that differ by
    about ``R·T̄`` (≈ 2.5 kJ/mol near 300 K), so the form is part of every result.
``vtf``
    ``y = A·T^(-1/2)·exp(-B/(T - T0))`` with ``T0`` below the lowest measured ``T``
    (by ``t0_margin``, K); pseudo-activation energy ``Ea = B·R``. For a fixed ``T0`` the
    model is linear in ``(ln A, B)``; ``T0`` is found by a scan plus golden-section
    refinement of the residual sum of squares, then the 3-by-3 covariance comes from the
    Jacobian at the optimum.

With ``y_error`` (1-sigma, same unit as ``y``) the fit is weighted by ``y/y_error`` (the 1-sigma of
``ln y``) and the parameter covariance is scaled by the reduced χ² when that exceeds 1
(errors are never made smaller than the given data errors imply); without it, all points
weigh the same and the covariance is scaled by the residual variance.

Models are compared by the corrected Akaike information criterion (on the weighted
residual sum of squares, ``AICc = n·ln(SSR/n) + 2k + 2k(k+1)/(n-k-1)``, ``k`` = number of
fitted parameters), never by R².
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from elyte.errors import ElyteError
from elyte.units import FARADAY, GAS_CONSTANT

__all__ = [
    "FARADAY",
    "GAS_CONSTANT",
    "ArrheniusFit",
    "ModelComparison",
    "TransportError",
    "VTFFit",
    "celsius_to_kelvin",
    "compare_models",
    "fit_arrhenius",
    "fit_vtf",
]

Array = npt.NDArray[Any]
# Constants live in elyte.units (one place); re-exported here for convenience.
# FARADAY converts J/mol to eV per particle: 1 eV x N_A = F J/mol.
Form = Literal["sigma", "sigmaT"]


class TransportError(ElyteError, ValueError):
    """Temperature-series data cannot be fitted as given (too few points, non-positive values)."""


def _q(value: float, unit: str) -> dict[str, Any] | None:
    return {"value": float(value), "unit": unit} if math.isfinite(value) else None


def _aicc(ssr: float, n: int, k: int) -> float:
    if n - k - 1 <= 0 or ssr <= 0:
        return math.inf if n - k - 1 <= 0 else -math.inf
    return n * math.log(ssr / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1)


def _prepare(
    temperature_kelvin: npt.ArrayLike,
    values: npt.ArrayLike,
    errors: npt.ArrayLike | None,
    minimum: int,
    what: str,
) -> tuple[Array, Array, Array, bool]:
    """Return validated T, ln y and the weights of ln y (1/sigma_ln y, or ones)."""
    try:
        t = np.asarray(temperature_kelvin, dtype=float).ravel()
        y = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise TransportError(f"{what}: temperatures and values must be numbers ({exc})") from None
    if t.size != y.size:
        raise TransportError(f"{what}: {t.size} temperatures but {y.size} values")
    if t.size < minimum:
        raise TransportError(f"{what} needs at least {minimum} temperatures, got {t.size}")
    if not (np.isfinite(t).all() and (t > 0).all()):
        raise TransportError(f"{what}: temperatures must be finite and > 0 K, got {t.tolist()}")
    if np.unique(t).size < 2:
        raise TransportError(f"{what}: needs at least two different temperatures")
    if not (np.isfinite(y).all() and (y > 0).all()):
        raise TransportError(f"{what}: values must be finite and > 0, got {y.tolist()}")
    if errors is None:
        return t, np.log(y), np.ones_like(y), False
    e = np.asarray(errors, dtype=float).ravel()
    if e.size != y.size or not (np.isfinite(e).all() and (e > 0).all()):
        raise TransportError(f"{what}: y_error must be {y.size} finite values > 0")
    return t, np.log(y), y / e, True


def _linear(x: Array, ln_y: Array, w: Array) -> tuple[Array, Array, float]:
    """Weighted LS of ln y = a + b·x: coefficients, unscaled (XᵀWX)⁻¹ and SSR."""
    design = np.column_stack([np.ones_like(x), x]) * w[:, None]
    rhs = ln_y * w
    coef, *_ = np.linalg.lstsq(design, rhs, rcond=None)
    resid = rhs - design @ coef
    return coef, np.linalg.inv(design.T @ design), float(resid @ resid)


def _scale(ssr: float, dof: int, weighted: bool) -> float:
    if dof <= 0:
        return math.nan
    s2 = ssr / dof
    return max(s2, 1.0) if weighted else s2


@dataclass(frozen=True, eq=False)
class ArrheniusFit:
    """Arrhenius fit ``y = A·exp(-Ea/RT)`` (``form="sigma"``) or ``y·T = A'·exp(-Ea/RT)``.

    Attributes
    ----------
    form : {"sigma", "sigmaT"}
        Which quantity was fitted as Arrhenius.
    activation_energy_j_mol, activation_energy_error_j_mol : float
        ``Ea`` and its 1-sigma, J/mol.
    ln_prefactor, ln_prefactor_error : float
        ``ln A`` (A in the unit of ``y``, times K for ``sigmaT``) and its 1-sigma.
    temperature_kelvin, values : numpy.ndarray
        The data.
    residuals : numpy.ndarray
        ``ln y - ln y_model`` (unweighted).
    ssr : float
        Weighted residual sum of squares (in ln y).
    aicc : float
        Corrected Akaike information criterion.
    quantity, unit : str
        What ``y`` is (``"conductivity"``, ``"1/R_SEI"``) and its unit.
    notes : tuple of str
        Remarks.
    """

    form: Form
    activation_energy_j_mol: float
    activation_energy_error_j_mol: float
    ln_prefactor: float
    ln_prefactor_error: float
    temperature_kelvin: Array
    values: Array
    residuals: Array
    ssr: float
    aicc: float
    quantity: str = "y"
    unit: str = ""
    notes: tuple[str, ...] = field(default=())

    model_name: str = field(default="arrhenius", init=False)
    n_parameters: int = field(default=2, init=False)

    @property
    def activation_energy_kj_mol(self) -> float:
        """``Ea``, kJ/mol."""
        return self.activation_energy_j_mol / 1e3

    @property
    def activation_energy_error_kj_mol(self) -> float:
        """1-sigma of ``Ea``, kJ/mol."""
        return self.activation_energy_error_j_mol / 1e3

    @property
    def activation_energy_ev(self) -> float:
        """``Ea``, eV (per particle)."""
        return self.activation_energy_j_mol / FARADAY

    @property
    def activation_energy_error_ev(self) -> float:
        """1-sigma of ``Ea``, eV."""
        return self.activation_energy_error_j_mol / FARADAY

    def predict(self, temperature_kelvin: npt.ArrayLike) -> Array:
        """Model ``y`` at ``temperature_kelvin`` (K), in the unit of ``values``."""
        t = np.asarray(temperature_kelvin, dtype=float)
        ln = self.ln_prefactor - self.activation_energy_j_mol / (GAS_CONSTANT * t)
        if self.form == "sigmaT":
            ln = ln - np.log(t)
        return np.asarray(np.exp(ln))

    def describe(self) -> str:
        """One line: the form, Ea in kJ/mol and eV with 1-sigma."""
        eq = "y = A·exp(-Ea/RT)" if self.form == "sigma" else "y·T = A'·exp(-Ea/RT)"
        return (
            f"Arrhenius ({self.form} form, {eq}) of {self.quantity}: Ea = "
            f"{self.activation_energy_kj_mol:.2f} ± {self.activation_energy_error_kj_mol:.2f} "
            f"kJ/mol = {self.activation_energy_ev:.4f} ± {self.activation_energy_error_ev:.4f} eV"
        )

    def __repr__(self) -> str:
        return f"ArrheniusFit({self.describe()}; AICc {self.aicc:.3g})"

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view, numbers as ``{"value", "unit"}``."""
        pre_unit = self.unit if self.form == "sigma" else f"{self.unit} K".strip()
        return {
            "model": "arrhenius",
            "form": self.form,
            "equation": "y = A exp(-Ea/RT)" if self.form == "sigma" else "y T = A' exp(-Ea/RT)",
            "quantity": self.quantity,
            "activation_energy": _q(self.activation_energy_kj_mol, "kJ/mol"),
            "activation_energy_error": _q(self.activation_energy_error_kj_mol, "kJ/mol"),
            "activation_energy_ev": _q(self.activation_energy_ev, "eV"),
            "activation_energy_ev_error": _q(self.activation_energy_error_ev, "eV"),
            "prefactor": _q(math.exp(self.ln_prefactor), pre_unit),
            "ln_prefactor": self.ln_prefactor,
            "ln_prefactor_error": self.ln_prefactor_error,
            "aicc": self.aicc if math.isfinite(self.aicc) else None,
            "n_points": int(self.temperature_kelvin.size),
            "temperature_kelvin": self.temperature_kelvin.tolist(),
            "values": self.values.tolist(),
            "unit": self.unit,
            "notes": list(self.notes),
        }


@dataclass(frozen=True, eq=False)
class VTFFit:
    """VTF fit ``y = A·T^(-1/2)·exp(-B/(T - T0))``.

    Attributes
    ----------
    ln_prefactor, b_kelvin, t0_kelvin : float
        ``ln A`` (A in the unit of ``y`` times K^1/2), ``B`` (K) and ``T0`` (K).
    ln_prefactor_error, b_error_kelvin, t0_error_kelvin : float
        1-sigma errors (NaN where not estimable, e.g. ``T0`` on its bound).
    t0_upper_kelvin : float
        The constraint ``T0 <= t0_upper_kelvin`` (lowest T minus the margin).
    t0_at_bound : bool
        Whether ``T0`` ended on a bound of its search range.
    temperature_kelvin, values, residuals : numpy.ndarray
        Data and ``ln y - ln y_model``.
    ssr, aicc : float
        Weighted residual sum of squares (ln y) and AICc.
    quantity, unit : str
        What ``y`` is and its unit.
    notes : tuple of str
        Remarks.
    """

    ln_prefactor: float
    ln_prefactor_error: float
    b_kelvin: float
    b_error_kelvin: float
    t0_kelvin: float
    t0_error_kelvin: float
    t0_upper_kelvin: float
    t0_at_bound: bool
    temperature_kelvin: Array
    values: Array
    residuals: Array
    ssr: float
    aicc: float
    quantity: str = "y"
    unit: str = ""
    notes: tuple[str, ...] = field(default=())

    model_name: str = field(default="vtf", init=False)
    n_parameters: int = field(default=3, init=False)

    @property
    def pseudo_activation_energy_kj_mol(self) -> float:
        """``B·R``, kJ/mol."""
        return self.b_kelvin * GAS_CONSTANT / 1e3

    @property
    def pseudo_activation_energy_error_kj_mol(self) -> float:
        """1-sigma of ``B·R``, kJ/mol."""
        return self.b_error_kelvin * GAS_CONSTANT / 1e3

    @property
    def pseudo_activation_energy_ev(self) -> float:
        """``B·R``, eV."""
        return self.b_kelvin * GAS_CONSTANT / FARADAY

    def predict(self, temperature_kelvin: npt.ArrayLike) -> Array:
        """Model ``y`` at ``temperature_kelvin`` (K > T0)."""
        t = np.asarray(temperature_kelvin, dtype=float)
        return np.asarray(
            np.exp(self.ln_prefactor - 0.5 * np.log(t) - self.b_kelvin / (t - self.t0_kelvin))
        )

    def describe(self) -> str:
        """One line with B, T0 and the pseudo-activation energy."""
        return (
            f"VTF (y = A·T^-1/2·exp(-B/(T-T0))) of {self.quantity}: B = {self.b_kelvin:.4g} ± "
            f"{self.b_error_kelvin:.2g} K, T0 = {self.t0_kelvin:.4g} ± {self.t0_error_kelvin:.2g}"
            f" K, pseudo-Ea = B·R = {self.pseudo_activation_energy_kj_mol:.3f} ± "
            f"{self.pseudo_activation_energy_error_kj_mol:.2g} kJ/mol"
        )

    def __repr__(self) -> str:
        return f"VTFFit({self.describe()}; AICc {self.aicc:.3g})"

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view, numbers as ``{"value", "unit"}``."""
        return {
            "model": "vtf",
            "equation": "y = A T^(-1/2) exp(-B/(T - T0))",
            "quantity": self.quantity,
            "prefactor": _q(math.exp(self.ln_prefactor), f"{self.unit} K^1/2".strip()),
            "ln_prefactor": self.ln_prefactor,
            "ln_prefactor_error": self.ln_prefactor_error
            if math.isfinite(self.ln_prefactor_error)
            else None,
            "b": _q(self.b_kelvin, "K"),
            "b_error": _q(self.b_error_kelvin, "K"),
            "t0": _q(self.t0_kelvin, "K"),
            "t0_error": _q(self.t0_error_kelvin, "K"),
            "t0_upper_bound": _q(self.t0_upper_kelvin, "K"),
            "t0_at_bound": self.t0_at_bound,
            "pseudo_activation_energy": _q(self.pseudo_activation_energy_kj_mol, "kJ/mol"),
            "pseudo_activation_energy_error": _q(
                self.pseudo_activation_energy_error_kj_mol, "kJ/mol"
            ),
            "pseudo_activation_energy_ev": _q(self.pseudo_activation_energy_ev, "eV"),
            "aicc": self.aicc if math.isfinite(self.aicc) else None,
            "n_points": int(self.temperature_kelvin.size),
            "temperature_kelvin": self.temperature_kelvin.tolist(),
            "values": self.values.tolist(),
            "unit": self.unit,
            "notes": list(self.notes),
        }


def fit_arrhenius(
    temperature_kelvin: npt.ArrayLike,
    values: npt.ArrayLike,
    *,
    y_error: npt.ArrayLike | None = None,
    form: Form = "sigma",
    quantity: str = "y",
    unit: str = "",
) -> ArrheniusFit:
    """Fit ``ln y`` (``form="sigma"``) or ``ln(y·T)`` (``form="sigmaT"``) linear in 1/T.

    Parameters
    ----------
    temperature_kelvin : array_like, K
        Temperatures (at least 2 different ones).
    values : array_like
        The positive quantity ``y`` (sigma in S/cm, 1/R in 1/ohm, ...).
    y_error : array_like, optional
        1-sigma of ``values`` (same unit); weights the fit.
    form : {"sigma", "sigmaT"}
        Arrhenius in ``y`` or in ``y·T``.
    quantity, unit : str
        Names for the report.

    Returns
    -------
    ArrheniusFit

    Raises
    ------
    TransportError
        For mismatched lengths, fewer than 2 temperatures, or non-positive values.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([273.15, 298.15, 323.15, 348.15])
    >>> y = 1e3 * np.exp(-30e3 / (GAS_CONSTANT * t))
    >>> round(fit_arrhenius(t, y).activation_energy_kj_mol, 6)
    30.0
    """
    if form not in ("sigma", "sigmaT"):
        raise TransportError(f"form must be 'sigma' or 'sigmaT', not {form!r}")
    t, ln_y, w, weighted = _prepare(temperature_kelvin, values, y_error, 2, "Arrhenius fit")
    target = ln_y + np.log(t) if form == "sigmaT" else ln_y
    coef, inv, ssr = _linear(1.0 / t, target, w)
    n = t.size
    dof = n - 2
    notes: list[str] = []
    if dof <= 0:
        cov = np.full((2, 2), np.nan) if not weighted else inv
        notes.append("two temperatures only: the error comes from the data errors alone")
        if not weighted:
            notes.append("no data errors and no spare degree of freedom: errors are unknown")
    else:
        cov = inv * _scale(ssr, dof, weighted)
    ea = -coef[1] * GAS_CONSTANT
    ea_err = math.sqrt(cov[1, 1]) * GAS_CONSTANT if np.isfinite(cov[1, 1]) else math.nan
    resid = target - (coef[0] + coef[1] / t)
    if n < 5 or float(t.max() - t.min()) < 40.0:
        notes.append(
            f"{n} temperatures over {float(t.max() - t.min()):.1f} K: fewer than 5 or a span "
            "below 40 K makes the activation energy uncertain"
        )
    return ArrheniusFit(
        form=form,
        activation_energy_j_mol=float(ea),
        activation_energy_error_j_mol=float(ea_err),
        ln_prefactor=float(coef[0]),
        ln_prefactor_error=float(math.sqrt(cov[0, 0])) if np.isfinite(cov[0, 0]) else math.nan,
        temperature_kelvin=t,
        values=np.exp(ln_y),
        residuals=resid,
        ssr=ssr,
        aicc=_aicc(ssr, n, 2),
        quantity=quantity,
        unit=unit,
        notes=tuple(notes),
    )


def fit_vtf(
    temperature_kelvin: npt.ArrayLike,
    values: npt.ArrayLike,
    *,
    y_error: npt.ArrayLike | None = None,
    t0_margin: float = 5.0,
    t0_min: float | None = None,
    quantity: str = "y",
    unit: str = "",
) -> VTFFit:
    """Fit ``ln y = ln A - ½ ln T - B/(T - T0)`` with ``T0 <= min(T) - t0_margin``.

    Parameters
    ----------
    temperature_kelvin : array_like, K
        At least 4 temperatures (5 or more over 40 K recommended).
    values : array_like
        The positive quantity ``y``.
    y_error : array_like, optional
        1-sigma of ``values``.
    t0_margin : float, K
        ``T0`` stays at least this far below the lowest temperature.
    t0_min : float, K, optional
        Lower end of the ``T0`` search (default ``max(0, min(T) - 300 K)``).
    quantity, unit : str
        Names for the report.

    Returns
    -------
    VTFFit

    Raises
    ------
    TransportError
        For fewer than 4 temperatures, non-positive values, or an empty ``T0`` range.
    """
    t, ln_y, w, weighted = _prepare(temperature_kelvin, values, y_error, 4, "VTF fit")
    target = ln_y + 0.5 * np.log(t)
    hi = float(t.min()) - float(t0_margin)
    lo = max(0.0, float(t.min()) - 300.0) if t0_min is None else float(t0_min)
    if not lo < hi:
        raise TransportError(f"VTF fit: empty T0 range [{lo}, {hi}] K")

    def profile(t0s: Array) -> tuple[Array, Array]:
        # for each T0 the model is linear in (ln A, B): solve all 2x2 systems at once
        x = -1.0 / (t[None, :] - t0s[:, None])  # (k, n)
        ww = w**2
        s0 = ww.sum()
        s1 = (ww * x).sum(axis=1)
        s2 = (ww * x * x).sum(axis=1)
        r0 = (ww * target).sum()
        r1 = (ww * x * target).sum(axis=1)
        det = s0 * s2 - s1 * s1
        a = (s2 * r0 - s1 * r1) / det
        b = (s0 * r1 - s1 * r0) / det
        res = w * (target[None, :] - a[:, None] - b[:, None] * x)
        return (res**2).sum(axis=1), np.column_stack([a, b])

    grid = np.linspace(lo, hi, 400)
    ssr_grid, _ = profile(grid)
    ssr_grid = np.where(np.isfinite(ssr_grid), ssr_grid, np.inf)
    k = int(np.argmin(ssr_grid))
    a_, b_ = grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]
    # golden-section refinement on the bracket around the best grid point
    g = (math.sqrt(5.0) - 1.0) / 2.0
    for _ in range(60):
        c_ = b_ - g * (b_ - a_)
        d_ = a_ + g * (b_ - a_)
        fc, fd = profile(np.array([c_, d_]))[0]
        if fc < fd:
            b_ = d_
        else:
            a_ = c_
    t0 = 0.5 * (a_ + b_)
    ssr_arr, coef = profile(np.array([t0]))
    ssr = float(ssr_arr[0])
    ln_a, b = float(coef[0, 0]), float(coef[0, 1])
    span = hi - lo
    at_bound = bool(t0 >= hi - 1e-6 * span or t0 <= lo + 1e-6 * span)
    notes: list[str] = []
    if b <= 0:
        notes.append("B came out <= 0: the data do not curve like VTF")
    n = t.size
    dof = n - 3
    jac = np.column_stack([np.ones_like(t), -1.0 / (t - t0), -b / (t - t0) ** 2]) * w[:, None]
    errs = np.full(3, math.nan)
    if at_bound:
        notes.append(
            f"T0 ended on its search bound ({t0:.2f} K; allowed {lo:.2f} to {hi:.2f} K): its "
            "error is not estimated and B, ln A errors are for T0 fixed there"
        )
        jac2 = jac[:, :2]
        if dof + 1 > 0:
            cov2 = np.linalg.inv(jac2.T @ jac2) * _scale(ssr, dof + 1, weighted)
            errs[:2] = np.sqrt(np.diag(cov2))
    elif dof > 0:
        try:
            cov = np.linalg.inv(jac.T @ jac) * _scale(ssr, dof, weighted)
            errs = np.sqrt(np.abs(np.diag(cov)))
        except np.linalg.LinAlgError:
            notes.append("the VTF parameters are not separately determined (singular Jacobian)")
    else:
        notes.append("no spare degree of freedom: the VTF errors are not estimated")
    if n < 5 or float(t.max() - t.min()) < 40.0:
        notes.append(
            f"{n} temperatures over {float(t.max() - t.min()):.1f} K: VTF needs at least 5 over "
            "40 K to be meaningful"
        )
    resid = target - (ln_a - b / (t - t0))
    return VTFFit(
        ln_prefactor=ln_a,
        ln_prefactor_error=float(errs[0]),
        b_kelvin=b,
        b_error_kelvin=float(errs[1]),
        t0_kelvin=float(t0),
        t0_error_kelvin=float(errs[2]),
        t0_upper_kelvin=hi,
        t0_at_bound=at_bound,
        temperature_kelvin=t,
        values=np.exp(ln_y),
        residuals=resid,
        ssr=ssr,
        aicc=_aicc(ssr, n, 3),
        quantity=quantity,
        unit=unit,
        notes=tuple(notes),
    )


@dataclass(frozen=True, eq=False)
class ModelComparison:
    """Arrhenius (sigma and sigma*T forms) and VTF fits of one series, and the AICc choice.

    Attributes
    ----------
    fits : dict of str to ArrheniusFit or VTFFit
        ``"arrhenius_sigma"``, ``"arrhenius_sigmaT"`` and (with ≥ 4 points) ``"vtf"``.
    best : str
        Key of the fit with the lowest AICc among ``"arrhenius_<form>"`` and ``"vtf"``.
    delta_aicc : dict of str to float
        AICc minus the lowest, per compared fit.
    notes : tuple of str
        Remarks (for example why VTF was not fitted).
    """

    fits: dict[str, ArrheniusFit | VTFFit]
    best: str
    delta_aicc: dict[str, float]
    notes: tuple[str, ...] = ()

    @property
    def best_fit(self) -> ArrheniusFit | VTFFit:
        """The chosen fit."""
        return self.fits[self.best]

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {
            "best": self.best,
            "criterion": "AICc",
            "delta_aicc": {
                k: (v if math.isfinite(v) else None) for k, v in self.delta_aicc.items()
            },
            "fits": {k: f.to_dict() for k, f in self.fits.items()},
            "notes": list(self.notes),
        }


def compare_models(
    temperature_kelvin: npt.ArrayLike,
    values: npt.ArrayLike,
    *,
    y_error: npt.ArrayLike | None = None,
    arrhenius_form: Form = "sigma",
    t0_margin: float = 5.0,
    quantity: str = "y",
    unit: str = "",
) -> ModelComparison:
    """Fit Arrhenius (both forms) and VTF and choose between Arrhenius and VTF by AICc.

    Both Arrhenius forms are reported; the one named by ``arrhenius_form`` is the one
    compared with VTF (the sigma form has the same ``ln y`` residual scale as VTF's ``ln y``).

    Parameters
    ----------
    temperature_kelvin, values, y_error
        As for :func:`fit_arrhenius`.
    arrhenius_form : {"sigma", "sigmaT"}
        Which Arrhenius form enters the comparison.
    t0_margin : float, K
        For :func:`fit_vtf`.
    quantity, unit : str
        Names for the report.

    Returns
    -------
    ModelComparison
    """
    fits: dict[str, ArrheniusFit | VTFFit] = {}
    for form in ("sigma", "sigmaT"):
        fits[f"arrhenius_{form}"] = fit_arrhenius(
            temperature_kelvin, values, y_error=y_error, form=form, quantity=quantity, unit=unit
        )
    notes: list[str] = []
    n = int(np.asarray(temperature_kelvin).size)
    compared = [f"arrhenius_{arrhenius_form}"]
    if n >= 4:
        fits["vtf"] = fit_vtf(
            temperature_kelvin,
            values,
            y_error=y_error,
            t0_margin=t0_margin,
            quantity=quantity,
            unit=unit,
        )
        compared.append("vtf")
        if n < 5:
            notes.append("4 temperatures: AICc of a 3-parameter VTF is undefined; Arrhenius kept")
    else:
        notes.append(f"VTF not fitted: {n} temperatures (needs at least 4, better 5 or more)")
    aicc = {k: fits[k].aicc for k in compared}
    finite = {k: v for k, v in aicc.items() if math.isfinite(v)}
    best = min(finite, key=lambda k: finite[k]) if finite else compared[0]
    low = finite[best] if finite else math.nan
    delta = {k: v - low for k, v in aicc.items()}
    return ModelComparison(fits=fits, best=best, delta_aicc=delta, notes=tuple(notes))


def celsius_to_kelvin(values: Sequence[float] | npt.ArrayLike) -> Array:
    """Convert °C to K."""
    return np.asarray(values, dtype=float) + 273.15
