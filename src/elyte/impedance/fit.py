"""Fit equivalent circuits to many spectra at once (vectorised Levenberg-Marquardt).

:func:`fit` takes one :class:`~elyte.impedance.spectrum.Spectrum` or a list of them and a
circuit string, and returns a :class:`FitResult` (or a falsy :class:`FailedFit` that says
why) per spectrum. All spectra of a call are fitted *together*: every iteration evaluates
the circuit and its analytic Jacobian for the whole batch in one call, solves the
damped normal equations of every spectrum in one ``numpy.linalg.solve`` on stacked
matrices, and keeps a damping factor λ and a convergence flag per spectrum. There is no
Python loop over fits.

Model
-----
For each spectrum the residual vector is ``[w'·(Z'_model - Z'), w″·(Z″_model - Z″)]`` over
its points and ``χ² = Σ residual²``. Weights (``weighting=``):

``"modulus"`` (default)
    ``w' = w″ = 1/|Z|``: relative errors, so every decade of |Z| counts (Macdonald's
    modulus weighting; impedance.py's ``weight_by_modulus=True``).
``"unit"``
    ``w' = w″ = 1``: absolute errors in ohm (impedance.py's default); the large-|Z| end
    dominates.
``"proportional"``
    ``w' = 1/|Z'|``, ``w″ = 1/|Z″|``, each floored at ``10⁻³·|Z|`` so that points where a
    component crosses zero do not get unbounded weight.

Parameters that must be positive (resistances, capacitances, CPE Q, time constants) are
fitted as ``ln p``; exponents (CPE and La alpha) linearly. Bounds (defaults from the elements,
overridable per parameter) are enforced by projection: a step is clipped into the box and a
parameter sitting on a bound with the gradient pushing outward is held there for that
iteration. A step changes no log parameter by more than a factor e.

Uncertainties
-------------
At the optimum, the covariance of the fitted (transformed) parameters is
``(JᵀJ)⁻¹·χ²/(2N - n_free)`` with ``J`` the weighted Jacobian of the residuals (that is,
``(JᵀWJ)⁻¹`` scaled by the reduced χ², since the weights are unknown up to a factor); it is
mapped to the parameters by ``dp/d(ln p) = p``. The 1sigma errors are the square roots of its
diagonal. They are statistical errors *given the model*.

Failures
--------
A fit that cannot be trusted returns :class:`FailedFit` (``bool(result) is False``) with a
``reason``: ``"not_converged"`` (iteration limit or no step reduces χ²),
``"singular_jacobian"`` (parameters not identifiable from the data: the scaled normal
matrix is singular), ``"hit_bounds"`` (a parameter ended on a bound; pass
``on_bound="keep"`` to accept it), ``"non_finite"`` (the model is not finite at the start)
or ``"too_few_points"``. The failure still carries the last parameter values.

Global fits
-----------
``shared=["CPE1_alpha", ...]`` fits the chosen parameters as one value common to every
spectrum of the call (a temperature or cycle series) and the others per spectrum. The
joint problem is solved by the same Levenberg-Marquardt on the stacked residuals; its
normal matrix is block-arrow shaped and is solved through the Schur complement of the
per-spectrum blocks, so the cost stays linear in the number of spectra.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np
import numpy.typing as npt

from elyte.errors import ImpedanceError
from elyte.impedance.circuits import Circuit
from elyte.impedance.guess import initial_guess
from elyte.impedance.spectrum import Spectrum

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "FailedFit",
    "FailureReason",
    "FitResult",
    "Weighting",
    "fit",
    "results_frame",
]

Array = npt.NDArray[Any]
Weighting = Literal["modulus", "unit", "proportional"]
FailureReason = Literal[
    "not_converged", "singular_jacobian", "hit_bounds", "non_finite", "too_few_points"
]
_WEIGHTINGS = ("modulus", "unit", "proportional")
_PROPORTIONAL_FLOOR = 1e-3

# solver status codes
_RUNNING, _CONVERGED, _MAX_ITER, _NON_FINITE, _STALLED = 0, 1, 2, 3, 4
_LAMBDA_MAX = 1e16
_RCOND_SINGULAR = 1e-13
_MAX_LOG_STEP = 1.0
_UNDETERMINED_LOG = math.log(100.0)


# --------------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class FitResult:
    """A converged circuit fit of one spectrum.

    Attributes
    ----------
    circuit : Circuit
        The fitted circuit.
    names, units : tuple of str
        Parameter names (``"R0"``, ``"CPE1_Q"``, ...) and their units.
    values : numpy.ndarray
        Best-fit parameters, in ``units``.
    errors : numpy.ndarray
        1sigma standard errors (0 for fixed parameters; NaN where not estimable).
    covariance : numpy.ndarray
        ``(n_params, n_params)`` covariance of ``values`` (zero rows for fixed ones).
    chi2 : float
        Weighted sum of squared residuals (dimensionless for modulus/proportional
        weighting, ohm² for unit weighting).
    reduced_chi2 : float
        ``chi2 / dof`` (for a global fit: that of the whole series).
    dof : int
        ``2·n_points - n_free`` (for a global fit: of the whole series).
    n_points : int
        Frequencies used.
    weighting : str
        ``"modulus"``, ``"unit"`` or ``"proportional"``.
    n_iter : int
        Levenberg-Marquardt iterations.
    initial : numpy.ndarray
        Starting values.
    fixed, shared, at_bounds : tuple of str
        Parameters held fixed, shared across a global fit, and ending on a bound.
    spectrum : Spectrum
        The data fitted.
    notes : tuple of str
        Assumptions and remarks, in plain sentences.
    """

    circuit: Circuit
    names: tuple[str, ...]
    units: tuple[str, ...]
    values: Array
    errors: Array
    covariance: Array
    chi2: float
    reduced_chi2: float
    dof: int
    n_points: int
    weighting: str
    n_iter: int
    initial: Array
    spectrum: Spectrum
    fixed: tuple[str, ...] = ()
    shared: tuple[str, ...] = ()
    at_bounds: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    success: bool = field(default=True, init=False)

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{n}={v:.5g}±{e:.2g} {u}"
            for n, v, e, u in zip(self.names, self.values, self.errors, self.units, strict=True)
        )
        return f"FitResult({self.circuit.spec}: {parts}; chi2_red={self.reduced_chi2:.3g})"

    def __getitem__(self, name: str) -> float:
        return float(self.values[self._index(name)])

    def _index(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise ImpedanceError(
                f"no parameter {name!r} in {self.circuit.spec!r}; parameters are {list(self.names)}"
            ) from None

    def error(self, name: str) -> float:
        """1sigma error of parameter ``name``, in its unit."""
        return float(self.errors[self._index(name)])

    def as_dict(self) -> dict[str, float]:
        """Parameter values by name."""
        return {n: float(v) for n, v in zip(self.names, self.values, strict=True)}

    def model(self, frequency: npt.ArrayLike | None = None) -> Array:
        """Fitted impedance (ohm) at ``frequency`` (Hz; default: the spectrum's)."""
        f = self.spectrum.frequency if frequency is None else np.asarray(frequency, float)
        return self.circuit.impedance(f, self.values)

    def residuals(self) -> Array:
        """Relative residuals ``(Z_model - Z)/|Z|`` (complex) at the spectrum's points."""
        z = self.spectrum.impedance
        return (self.model() - z) / np.abs(z)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view (NaN as ``None``)."""

        def num(v: float) -> float | None:
            return float(v) if math.isfinite(v) else None

        return {
            "success": True,
            "circuit": self.circuit.spec,
            "parameters": [
                {"name": n, "value": num(v), "error": num(e), "unit": u}
                for n, v, e, u in zip(self.names, self.values, self.errors, self.units, strict=True)
            ],
            "chi2": num(self.chi2),
            "reduced_chi2": num(self.reduced_chi2),
            "dof": self.dof,
            "n_points": self.n_points,
            "weighting": self.weighting,
            "n_iter": self.n_iter,
            "fixed": list(self.fixed),
            "shared": list(self.shared),
            "at_bounds": list(self.at_bounds),
            "source": self.spectrum.source,
            "sweep": self.spectrum.sweep,
            "temperature_kelvin": self.spectrum.temperature_kelvin,
            "notes": list(self.notes),
        }


@dataclass(frozen=True, eq=False)
class FailedFit:
    """A fit that did not give a trustworthy result; falsy, with the reason.

    Attributes
    ----------
    reason : str
        ``"not_converged"``, ``"singular_jacobian"``, ``"hit_bounds"``, ``"non_finite"`` or
        ``"too_few_points"``.
    message : str
        What happened, in one or two sentences.
    circuit : Circuit
        The circuit.
    names, units : tuple of str
        Parameter names and units.
    values : numpy.ndarray
        The last parameter values (the best found), NaN when there are none.
    chi2 : float
        χ² at ``values`` (NaN if not finite).
    n_iter : int
        Iterations done.
    initial : numpy.ndarray
        Starting values.
    spectrum : Spectrum
        The data.
    notes : tuple of str
        Remarks.
    """

    reason: FailureReason
    message: str
    circuit: Circuit
    names: tuple[str, ...]
    units: tuple[str, ...]
    values: Array
    chi2: float
    n_iter: int
    initial: Array
    spectrum: Spectrum
    weighting: str = "modulus"
    at_bounds: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    success: bool = field(default=False, init=False)

    def __bool__(self) -> bool:
        return False

    def __getitem__(self, name: str) -> float:
        return float(self.values[list(self.names).index(name)])

    def as_dict(self) -> dict[str, float]:
        """Last parameter values by name."""
        return {n: float(v) for n, v in zip(self.names, self.values, strict=True)}

    def __repr__(self) -> str:
        return f"FailedFit({self.circuit.spec}, reason={self.reason!r}: {self.message})"

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view (NaN as ``None``)."""
        return {
            "success": False,
            "reason": self.reason,
            "message": self.message,
            "circuit": self.circuit.spec,
            "parameters": [
                {"name": n, "value": float(v) if math.isfinite(v) else None, "unit": u}
                for n, v, u in zip(self.names, self.values, self.units, strict=True)
            ],
            "chi2": self.chi2 if math.isfinite(self.chi2) else None,
            "n_iter": self.n_iter,
            "weighting": self.weighting,
            "at_bounds": list(self.at_bounds),
            "source": self.spectrum.source,
            "sweep": self.spectrum.sweep,
            "notes": list(self.notes),
        }


# --------------------------------------------------------------------------- problem set-up
@dataclass
class _Problem:
    circuit: Circuit
    spectra: list[Spectrum]
    omega: Array  # (1 or B, F) rad/s
    z: Array  # (B, F)
    w_re: Array  # (B, F), 0 on padding
    w_im: Array
    n_points: Array  # (B,)
    free: Array  # (n,) parameter indices fitted
    log: Array  # (n,) bool
    lo: Array  # (n,) bounds in x space
    hi: Array
    template: Array  # (B, P) fixed values (others overwritten)

    def subset(self, rows: Array) -> _Problem:
        """Return the same problem restricted to some of the spectra."""
        return _Problem(
            self.circuit,
            [self.spectra[i] for i in rows],
            self.omega if self.omega.shape[0] == 1 else self.omega[rows],
            self.z[rows],
            self.w_re[rows],
            self.w_im[rows],
            self.n_points[rows],
            self.free,
            self.log,
            self.lo,
            self.hi,
            self.template[rows],
        )

    def to_params(self, x: Array, rows: Array) -> Array:
        p = self.template[rows].copy()
        with np.errstate(over="ignore"):
            p[:, self.free] = np.where(self.log, np.exp(x), x)
        return p

    def residuals(self, x: Array, rows: Array) -> tuple[Array, Array]:
        """Weighted residuals (b, 2F) and their Jacobian transposed (b, n, 2F)."""
        p = self.to_params(x, rows)
        omega = self.omega if self.omega.shape[0] == 1 else self.omega[rows]
        z, jac = self.circuit._batched(omega, p)
        wr = self.w_re[rows]
        wi = self.w_im[rows]
        d = z - self.z[rows]
        r = np.concatenate([wr * d.real, wi * d.imag], axis=1)
        jf = jac[:, self.free, :]
        scale = np.where(self.log, p[:, self.free], 1.0)[:, :, None]
        jf = jf * scale
        jt = np.concatenate([wr[:, None, :] * jf.real, wi[:, None, :] * jf.imag], axis=2)
        bad = ~np.isfinite(r).all(axis=1) | ~np.isfinite(jt).all(axis=(1, 2))
        if bad.any():
            r[bad] = np.inf
            jt[bad] = 0.0
        return r, jt


def _as_list(spectra: Spectrum | Sequence[Spectrum]) -> tuple[list[Spectrum], bool]:
    if isinstance(spectra, Spectrum):
        return [spectra], True
    if isinstance(spectra, str | bytes) or not isinstance(spectra, Sequence):
        raise ImpedanceError(
            f"fit() takes a Spectrum or a sequence of them, not {type(spectra).__name__}"
        )
    out = list(spectra)
    if not out:
        raise ImpedanceError("fit() needs at least one spectrum")
    for i, s in enumerate(out):
        if not isinstance(s, Spectrum):
            raise ImpedanceError(
                f"item {i} is a {type(s).__name__}, not a Spectrum (build one with "
                "Spectrum.from_arrays or spectra_from_recording)"
            )
    return out, False


def _pack(spectra: list[Spectrum]) -> tuple[Array, Array, Array, Array]:
    """Pad spectra to a common length: frequency, Z (last point repeated), mask, n."""
    n = np.array([len(s) for s in spectra])
    f_max = int(n.max())
    b = len(spectra)
    freq = np.empty((b, f_max))
    z = np.empty((b, f_max), complex)
    mask = np.arange(f_max)[None, :] < n[:, None]
    for i, s in enumerate(spectra):  # copying arrays, not fitting
        freq[i, : n[i]] = s.frequency
        freq[i, n[i] :] = s.frequency[-1]
        z[i, : n[i]] = s.impedance
        z[i, n[i] :] = s.impedance[-1]
    return freq, z, mask, n


def _weights(weighting: str, z: Array, mask: Array) -> tuple[Array, Array]:
    modulus = np.abs(z)
    if weighting == "unit":
        w_re = np.ones(z.shape)
        w_im = np.ones(z.shape)
    elif weighting == "modulus":
        w_re = 1.0 / modulus
        w_im = w_re.copy()
    else:
        floor = _PROPORTIONAL_FLOOR * modulus
        w_re = 1.0 / np.maximum(np.abs(z.real), floor)
        w_im = 1.0 / np.maximum(np.abs(z.imag), floor)
    w_re = np.where(mask & np.isfinite(w_re), w_re, 0.0)
    w_im = np.where(mask & np.isfinite(w_im), w_im, 0.0)
    return w_re, w_im


def _per_spectrum(name: str, value: Any, n_spectra: int, what: str) -> Array:
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return np.full(n_spectra, float(arr))
    if arr.shape != (n_spectra,):
        raise ImpedanceError(
            f"{what} for {name!r} must be a number or one value per spectrum "
            f"({n_spectra}), got shape {arr.shape}"
        )
    return arr


# --------------------------------------------------------------------------- the solver
@dataclass(frozen=True)
class _Options:
    weighting: str
    on_bound: str
    max_iter: int
    ftol: float
    xtol: float
    gtol: float
    restarts: int


@dataclass
class _Solution:
    x: Array
    cost: Array
    status: Array
    n_iter: Array
    jt: Array
    r: Array


def _solve_stack(m: Array, rhs: Array) -> Array:
    out: Array
    try:
        out = np.linalg.solve(m, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        out = np.einsum("bij,bj->bi", np.linalg.pinv(m), rhs)
    return out


def _near(x: Array, bound: Array, rel: float, side: int) -> Array:
    """``x`` within ``rel`` (relative, at least absolute) of a finite bound."""
    finite = np.isfinite(bound)
    b = np.where(finite, bound, 0.0)
    tol = rel * np.maximum(1.0, np.abs(b))
    near = x <= b + tol if side < 0 else x >= b - tol
    return finite & near


def _limit_step(step: Array, log: Array) -> Array:
    """Shorten steps that change a log parameter by more than a factor e (same direction).

    A long Gauss-Newton step can jump over a shallow minimum onto a plateau (a time
    constant running off to infinity, where chi2 is flat and slightly higher); a factor e
    per iteration still crosses ten decades in under 25 iterations.
    """
    if not log.any():
        return step
    largest = np.max(np.abs(np.where(log, step, 0.0)), axis=-1, keepdims=True)
    factor = np.where(largest > _MAX_LOG_STEP, _MAX_LOG_STEP / np.maximum(largest, 1e-300), 1.0)
    return step * factor


def _frozen(x: Array, g: Array, lo: Array, hi: Array) -> Array:
    return (_near(x, lo, 1e-10, -1) & (g > 0)) | (_near(x, hi, 1e-10, 1) & (g < 0))


def _lm_independent(
    problem: _Problem, x0: Array, *, max_iter: int, ftol: float, xtol: float, gtol: float
) -> _Solution:
    """Levenberg-Marquardt for a batch of independent problems (one per row of ``x0``)."""
    b, n = x0.shape
    lo, hi = problem.lo, problem.hi
    x = np.clip(x0, lo, hi)
    r, jt = problem.residuals(x, np.arange(b))
    cost = 0.5 * np.einsum("bm,bm->b", r, r)
    status = np.where(np.isfinite(cost), _RUNNING, _NON_FINITE)
    lam = np.full(b, 1e-3)
    nu = np.full(b, 2.0)
    n_iter = np.zeros(b, int)
    eye = np.eye(n)
    for _ in range(max_iter):
        act = np.flatnonzero(status == _RUNNING)
        if act.size == 0:
            break
        xa, ja, ra, ca = x[act], jt[act], r[act], cost[act]
        a = ja @ ja.transpose(0, 2, 1)
        g = np.einsum("bnm,bm->bn", ja, ra)
        frozen = _frozen(xa, g, lo, hi)
        g = np.where(frozen, 0.0, g)
        diag = np.einsum("bii->bi", a)
        # convergence by gradient: cosine between residual and every Jacobian column
        with np.errstate(all="ignore"):
            cosine = np.abs(g) / np.sqrt(diag * 2.0 * ca[:, None])
        small_grad = (np.nan_to_num(cosine, nan=0.0).max(axis=1) <= gtol) | (ca == 0.0)
        status[act[small_grad]] = _CONVERGED
        keep = ~small_grad
        if not keep.any():
            continue
        act, xa, ja, ra, ca = act[keep], xa[keep], ja[keep], ra[keep], ca[keep]
        a, g, frozen, diag = a[keep], g[keep], frozen[keep], diag[keep]
        scale = np.maximum(diag, 1e-12 * diag.max(axis=1, keepdims=True))
        scale = np.where(scale > 0, scale, 1.0)
        m = a + lam[act, None, None] * scale[:, :, None] * eye
        if frozen.any():
            free = (~frozen).astype(float)
            m = m * free[:, :, None] * free[:, None, :] + frozen[:, :, None] * eye
        step = _limit_step(_solve_stack(m, -g), problem.log)
        x_new = np.clip(xa + step, lo, hi)
        step = x_new - xa
        r_new, j_new = problem.residuals(x_new, act)
        c_new = 0.5 * np.einsum("bm,bm->b", r_new, r_new)
        c_new = np.where(np.isfinite(c_new), c_new, np.inf)
        predicted = -np.einsum("bn,bn->b", step, g) - 0.5 * np.einsum("bi,bij,bj->b", step, a, step)
        actual = ca - c_new
        accept = actual > 0
        with np.errstate(all="ignore"):
            rho = np.where(predicted > 0, actual / predicted, 0.0)
        n_iter[act] += 1
        # damping update (Nielsen 1999): shrink on good steps, grow geometrically on bad
        shrink = np.maximum(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3)
        lam[act] = np.where(accept, lam[act] * shrink, lam[act] * nu[act])
        nu[act] = np.where(accept, 2.0, nu[act] * 2.0)
        tiny_change = (np.abs(actual) <= ftol * ca) & (predicted <= ftol * ca)
        step_norm = np.sqrt(np.einsum("bn,bn->b", step, step))
        x_norm = np.sqrt(np.einsum("bn,bn->b", xa, xa))
        tiny_step = step_norm <= xtol * (x_norm + xtol)
        done = (accept & (tiny_change | tiny_step | (c_new == 0.0))) | (~accept & tiny_change)
        stalled = ~accept & ~done & (lam[act] > _LAMBDA_MAX)
        upd = act[accept]
        x[upd] = x_new[accept]
        r[upd] = r_new[accept]
        jt[upd] = j_new[accept]
        cost[upd] = c_new[accept]
        status[act[done]] = _CONVERGED
        status[act[stalled]] = _STALLED
    status[status == _RUNNING] = _MAX_ITER
    return _Solution(x, cost, status, n_iter, jt, r)


def _lm_shared(
    problem: _Problem,
    x0: Array,
    shared: Array,
    *,
    max_iter: int,
    ftol: float,
    xtol: float,
    gtol: float,
) -> _Solution:
    """Joint Levenberg-Marquardt with some free parameters common to every spectrum.

    ``shared`` is a boolean mask over the free parameters. The normal matrix is solved by
    the Schur complement of the per-spectrum (local) blocks.
    """
    b, n = x0.shape
    loc = ~shared
    lo, hi = problem.lo, problem.hi
    rows = np.arange(b)
    xs = np.median(x0[:, shared], axis=0)
    xl = x0[:, loc].copy()

    def assemble(xs_: Array, xl_: Array) -> Array:
        x = np.empty((b, n))
        x[:, shared] = xs_
        x[:, loc] = xl_
        return np.clip(x, lo, hi)

    x = assemble(xs, xl)
    xs, xl = x[0, shared], x[:, loc]
    r, jt = problem.residuals(x, rows)
    cost = 0.5 * float(np.sum(r * r))
    n_iter = 0
    status = _RUNNING if math.isfinite(cost) else _NON_FINITE
    lam, nu = 1e-3, 2.0
    n_s, n_l = int(shared.sum()), int(loc.sum())
    eye_s, eye_l = np.eye(n_s), np.eye(n_l)
    while status == _RUNNING and n_iter < max_iter:
        js, jl = jt[:, shared, :], jt[:, loc, :]
        u = np.einsum("bim,bjm->ij", js, js)
        w = js @ jl.transpose(0, 2, 1)  # (b, S, L)
        v = jl @ jl.transpose(0, 2, 1)  # (b, L, L)
        gs = np.einsum("bim,bm->i", js, r)
        gl = np.einsum("bim,bm->bi", jl, r)
        du, dv = np.diag(u).copy(), np.einsum("bii->bi", v)
        with np.errstate(all="ignore"):
            cos_s = np.abs(gs) / np.sqrt(du * 2.0 * cost)
            cos_l = np.abs(gl) / np.sqrt(dv * 2.0 * cost)
        gmax = max(
            float(np.nan_to_num(cos_s, nan=0.0).max(initial=0.0)),
            float(np.nan_to_num(cos_l, nan=0.0).max(initial=0.0)),
        )
        if gmax <= gtol or cost == 0.0:
            status = _CONVERGED
            break
        su = np.where(du > 0, du, 1.0)
        sv = np.where(dv > 0, dv, 1.0)
        u_d = u + lam * su * eye_s
        if n_l:
            v_d = v + lam * sv[:, :, None] * eye_l
            v_inv = np.linalg.inv(v_d)
            y = w @ v_inv  # (b, S, L)
            schur = u_d - np.einsum("bsl,btl->st", y, w)
            rhs = -gs + np.einsum("bsl,bl->s", y, gl)
            ds = np.linalg.solve(schur, rhs)
            dl = np.einsum("bij,bj->bi", v_inv, -gl - np.einsum("bsl,s->bl", w, ds))
        else:
            ds = np.linalg.solve(u_d, -gs)
            dl = np.zeros((b, 0))
        x_new = assemble(xs + ds, xl + dl)
        ds = x_new[0, shared] - xs
        dl = x_new[:, loc] - xl
        r_new, j_new = problem.residuals(x_new, rows)
        c_new = 0.5 * float(np.sum(r_new * r_new))
        if not math.isfinite(c_new):
            c_new = math.inf
        step = np.concatenate([ds, dl.ravel()])
        grad = np.concatenate([gs, gl.ravel()])
        quad = (
            ds @ u @ ds
            + 2.0 * np.einsum("s,bsl,bl->", ds, w, dl)
            + np.einsum("bi,bij,bj->", dl, v, dl)
        )
        predicted = -float(step @ grad) - 0.5 * float(quad)
        actual = cost - c_new
        n_iter += 1
        accept = actual > 0
        rho = actual / predicted if predicted > 0 else 0.0
        if accept:
            lam *= max(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3)
            nu = 2.0
        else:
            lam *= nu
            nu *= 2.0
        tiny_change = abs(actual) <= ftol * cost and predicted <= ftol * cost
        x_all = np.concatenate([xs, xl.ravel()])
        tiny_step = float(np.linalg.norm(step)) <= xtol * (float(np.linalg.norm(x_all)) + xtol)
        if accept:
            xs, xl, r, jt, cost = x_new[0, shared], x_new[:, loc], r_new, j_new, c_new
        if (accept and (tiny_change or tiny_step or c_new == 0.0)) or (not accept and tiny_change):
            status = _CONVERGED
        elif not accept and lam > _LAMBDA_MAX:
            status = _STALLED
    if status == _RUNNING:
        status = _MAX_ITER
    x = assemble(xs, xl)
    costs = 0.5 * np.einsum("bm,bm->b", r, r)
    return _Solution(x, costs, np.full(b, status), np.full(b, n_iter), jt, r)


# --------------------------------------------------------------------------- covariance
def _inverse_scaled(a: Array) -> tuple[Array, Array]:
    """Inverse of stacked symmetric PSD matrices via their correlation form; singular flags."""
    d = np.sqrt(np.einsum("bii->bi", a))
    singular = ~(d > 0).all(axis=1)
    ds = np.where(d > 0, d, 1.0)
    corr = a / (ds[:, :, None] * ds[:, None, :])
    eig = np.linalg.eigvalsh(corr)
    with np.errstate(all="ignore"):
        rcond = eig[:, 0] / eig[:, -1]
    singular |= ~(rcond > _RCOND_SINGULAR)
    safe = np.where(singular[:, None, None], np.eye(a.shape[1]), corr)
    inv = np.linalg.inv(safe) / (ds[:, :, None] * ds[:, None, :])
    return inv, singular


def _covariance_independent(jt: Array, keep: Array) -> tuple[Array, Array]:
    """(JᵀJ)⁻¹ restricted to the ``keep`` columns (others zero); singular flags."""
    n = jt.shape[1]
    a = jt @ jt.transpose(0, 2, 1)
    k = keep.astype(float)
    eye = np.eye(n)
    a_k = a * k[:, :, None] * k[:, None, :] + (1.0 - k)[:, :, None] * eye
    inv, singular = _inverse_scaled(a_k)
    inv = inv * k[:, :, None] * k[:, None, :]
    return inv, singular


def _covariance_shared(jt: Array, shared: Array) -> tuple[Array, Array]:
    """Per-spectrum blocks (shared + local) of the joint inverse normal matrix."""
    b, n, _ = jt.shape
    loc = ~shared
    js, jl = jt[:, shared, :], jt[:, loc, :]
    u = np.einsum("bim,bjm->ij", js, js)
    w = js @ jl.transpose(0, 2, 1)
    v = jl @ jl.transpose(0, 2, 1)
    v_inv, sing_v = _inverse_scaled(v) if loc.any() else (np.zeros((b, 0, 0)), np.zeros(b, bool))
    schur = u - np.einsum("bsl,blk,btk->st", w, v_inv, w)
    s_inv, sing_s = _inverse_scaled(schur[None])
    s_inv = s_inv[0]
    y = w @ v_inv  # (b, S, L)
    c_sl = -np.einsum("st,btl->bsl", s_inv, y)
    c_ll = v_inv + np.einsum("bsl,st,btk->blk", y, s_inv, y)
    cov = np.zeros((b, n, n))
    si = np.flatnonzero(shared)
    li = np.flatnonzero(loc)
    cov[:, si[:, None], si[None, :]] = s_inv
    cov[:, si[:, None], li[None, :]] = c_sl
    cov[:, li[:, None], si[None, :]] = c_sl.transpose(0, 2, 1)
    cov[:, li[:, None], li[None, :]] = c_ll
    singular = sing_v | bool(sing_s[0])
    return cov, singular


# --------------------------------------------------------------------------- public API
@overload
def fit(
    spectra: Spectrum,
    circuit: str | Circuit,
    *,
    initial: str | Mapping[str, Any] | npt.ArrayLike | None = ...,
    weighting: Weighting = ...,
    bounds: Mapping[str, tuple[float, float]] | None = ...,
    fixed: Mapping[str, Any] | None = ...,
    shared: Sequence[str] | None = ...,
    max_iter: int = ...,
    on_bound: Literal["fail", "keep"] = ...,
    ftol: float = ...,
    xtol: float = ...,
    gtol: float = ...,
    restarts: int = ...,
) -> FitResult | FailedFit: ...


@overload
def fit(
    spectra: Sequence[Spectrum],
    circuit: str | Circuit,
    *,
    initial: str | Mapping[str, Any] | npt.ArrayLike | None = ...,
    weighting: Weighting = ...,
    bounds: Mapping[str, tuple[float, float]] | None = ...,
    fixed: Mapping[str, Any] | None = ...,
    shared: Sequence[str] | None = ...,
    max_iter: int = ...,
    on_bound: Literal["fail", "keep"] = ...,
    ftol: float = ...,
    xtol: float = ...,
    gtol: float = ...,
    restarts: int = ...,
) -> list[FitResult | FailedFit]: ...


def fit(
    spectra: Spectrum | Sequence[Spectrum],
    circuit: str | Circuit,
    *,
    initial: str | Mapping[str, Any] | npt.ArrayLike | None = None,
    weighting: Weighting = "modulus",
    bounds: Mapping[str, tuple[float, float]] | None = None,
    fixed: Mapping[str, Any] | None = None,
    shared: Sequence[str] | None = None,
    max_iter: int = 500,
    on_bound: Literal["fail", "keep"] = "fail",
    ftol: float = 1e-10,
    xtol: float = 1e-10,
    gtol: float = 1e-10,
    restarts: int = 3,
) -> FitResult | FailedFit | list[FitResult | FailedFit]:
    """Fit an equivalent circuit to one spectrum or a batch of spectra.

    Parameters
    ----------
    spectra : Spectrum or sequence of Spectrum
        Data. A sequence is fitted as one vectorised batch (and returns a list).
    circuit : str or Circuit
        E.g. ``"R0-p(R1,CPE1)-W1"``; see :mod:`elyte.impedance.circuits`.
    initial : "auto", None, mapping or array_like, optional
        Starting values. ``None``/``"auto"``: read off each spectrum (see
        :mod:`elyte.impedance.guess`). A mapping ``{name: value}`` sets some (a number,
        or one value per spectrum) and guesses the rest. An array: ``(n_params,)`` for
        all spectra or ``(n_spectra, n_params)``.
    weighting : {"modulus", "unit", "proportional"}
        Residual weights (see the module notes). Default ``"modulus"``.
    bounds : mapping of str to (float, float), optional
        ``{name: (lower, upper)}`` overriding the element defaults (positive parameters:
        ``(0, inf)``; exponents: ``(0, 1)``). Log-space parameters need ``lower >= 0``.
    fixed : mapping of str to float or array_like, optional
        Parameters held at a value (one for all spectra, or one per spectrum).
    shared : sequence of str, optional
        Parameters fitted as a single value common to all spectra (a global fit).
    max_iter : int
        Iteration limit per fit (for a global fit: of the joint problem).
    on_bound : {"fail", "keep"}
        What to do with a fit that ends with a parameter on a bound: return
        :class:`FailedFit` (``"fail"``) or a :class:`FitResult` that lists it in
        ``at_bounds`` with NaN error (``"keep"``).
    ftol, xtol, gtol : float
        Convergence: relative change of χ², relative step in the fitted (log) parameters,
        and the largest cosine between the residual vector and a Jacobian column.
    restarts : int
        Rounds of refitting the spectra whose fit failed: from the automatic guess first
        when ``initial`` was given, then from random starting points around the first ones
        (log parameters scattered by a factor of about e, then e², ...; bounded linear
        ones uniform over their range; seeded, so reproducible). Each round fits all
        remaining failures as one batch; the first acceptable fit whose chi2 is no higher
        than the failed attempt's is kept, and its notes say so (a fit that ended on a
        bound is thus only replaced by a better one). Not used for global (``shared``)
        fits.

    Returns
    -------
    FitResult or FailedFit, or a list of them
        One per spectrum, in input order; a single result for a single spectrum.

    Raises
    ------
    ImpedanceError
        For invalid options: unknown parameter names, bad shapes, starting values outside
        the bounds, a parameter both fixed and shared. (A fit that fails is a result.)

    Examples
    --------
    >>> import numpy as np
    >>> from elyte.impedance import Circuit, Spectrum, fit
    >>> f = np.logspace(5, -1, 40)
    >>> truth = [20.0, 150.0, 2e-5, 0.9]
    >>> z = Circuit("R0-p(R1,CPE1)").impedance(f, truth)
    >>> result = fit(Spectrum(f, z), "R0-p(R1,CPE1)")
    >>> bool(result), round(result["R1"], 3)
    (True, 150.0)
    """
    items, single = _as_list(spectra)
    circ = circuit if isinstance(circuit, Circuit) else Circuit(circuit)
    if weighting not in _WEIGHTINGS:
        raise ImpedanceError(f"weighting must be one of {_WEIGHTINGS}, not {weighting!r}")
    if on_bound not in ("fail", "keep"):
        raise ImpedanceError(f"on_bound must be 'fail' or 'keep', not {on_bound!r}")
    if not (isinstance(max_iter, int) and max_iter >= 1):
        raise ImpedanceError(f"max_iter must be a positive integer, not {max_iter!r}")
    b = len(items)
    n_par = circ.n_parameters
    names = circ.parameter_names
    notes: list[str] = []

    # -- bounds and transforms
    lower = np.array([p.spec.lower for p in circ.parameters], float)
    upper = np.array([p.spec.upper for p in circ.parameters], float)
    log = np.array([p.spec.log for p in circ.parameters], bool)
    for name, pair in (bounds or {}).items():
        k = circ.index(name)
        try:
            lo_k, hi_k = (float(v) for v in pair)
        except (TypeError, ValueError):
            raise ImpedanceError(
                f"bounds for {name!r} must be (lower, upper), not {pair!r}"
            ) from None
        if not lo_k < hi_k:
            raise ImpedanceError(f"bounds for {name!r}: lower {lo_k} is not below upper {hi_k}")
        if log[k] and lo_k < 0:
            raise ImpedanceError(
                f"{name!r} is positive (fitted as its logarithm); its lower bound must be "
                f">= 0, not {lo_k}"
            )
        lower[k], upper[k] = lo_k, hi_k

    # -- fixed and shared
    template = np.full((b, n_par), np.nan)
    fixed_mask = np.zeros(n_par, bool)
    for name, value in (fixed or {}).items():
        k = circ.index(name)
        template[:, k] = _per_spectrum(name, value, b, "a fixed value")
        if not np.isfinite(template[:, k]).all():
            raise ImpedanceError(f"fixed value of {name!r} is not finite")
        fixed_mask[k] = True
    shared_names = tuple(shared or ())
    shared_mask_all = np.zeros(n_par, bool)
    for name in shared_names:
        k = circ.index(name)
        if fixed_mask[k]:
            raise ImpedanceError(f"{name!r} cannot be both fixed and shared")
        shared_mask_all[k] = True
    free = np.flatnonzero(~fixed_mask)
    if free.size == 0:
        raise ImpedanceError("every parameter is fixed: nothing to fit")

    # -- data
    freq, z, mask, n_points = _pack(items)
    same_grid = bool(np.all(n_points == n_points[0]) and np.all(freq == freq[0]))
    omega = 2.0 * np.pi * (freq[:1] if same_grid else freq)
    w_re, w_im = _weights(weighting, z, mask)
    if weighting == "proportional":
        notes.append(
            "proportional weights 1/|Z'| and 1/|Z''| are floored at 1e-3 |Z| where a "
            "component is near zero"
        )

    # -- starting values
    p0 = np.full((b, n_par), np.nan)
    user_given = np.zeros(n_par, bool)
    if isinstance(initial, str):
        if initial != "auto":
            raise ImpedanceError(f"initial must be 'auto', a mapping or an array, not {initial!r}")
    elif isinstance(initial, Mapping):
        for name, value in initial.items():
            k = circ.index(name)
            p0[:, k] = _per_spectrum(name, value, b, "an initial value")
            user_given[k] = True
    elif initial is not None:
        arr = np.asarray(initial, dtype=float)
        if arr.shape == (n_par,):
            arr = np.broadcast_to(arr, (b, n_par))
        if arr.shape != (b, n_par):
            raise ImpedanceError(
                f"initial must have shape ({n_par},) or ({b}, {n_par}) for parameters "
                f"{list(names)}, got {np.asarray(initial).shape}"
            )
        p0[:] = arr
        user_given[:] = True
    need_guess = ~user_given & ~fixed_mask
    if need_guess.any():
        guess = initial_guess(circ, freq, z, mask)
        p0[:, need_guess] = guess[:, need_guess]
        for col in np.flatnonzero(need_guess):
            clipped = np.clip(p0[:, col], lower[col], upper[col])
            if log[col]:
                clipped = np.maximum(clipped, lower[col] if lower[col] > 0 else 1e-300)
            p0[:, col] = clipped
    p0[:, fixed_mask] = template[:, fixed_mask]
    for col in np.flatnonzero(user_given & ~fixed_mask):
        k = int(col)
        v = p0[:, k]
        if not np.isfinite(v).all():
            raise ImpedanceError(f"initial value of {names[k]!r} is not finite")
        if ((v < lower[k]) | (v > upper[k])).any() or (log[k] and (v <= 0).any()):
            bad = v[(v < lower[k]) | (v > upper[k]) | (log[k] & (v <= 0))][0]
            raise ImpedanceError(
                f"initial value of {names[k]!r} ({bad}) is outside its bounds "
                f"({lower[k]}, {upper[k]})" + (" or not positive" if log[k] else "")
            )

    lf = log[free]
    with np.errstate(divide="ignore"):
        lo_x = np.where(lf, np.log(np.maximum(lower[free], 0.0)), lower[free])
        hi_x = np.where(lf, np.log(upper[free]), upper[free])
        x0 = np.where(lf, np.log(p0[:, free]), p0[:, free])
    problem = _Problem(circ, items, omega, z, w_re, w_im, n_points, free, lf, lo_x, hi_x, template)
    x_auto = None
    if restarts > 0 and (user_given & ~fixed_mask).any():
        auto = initial_guess(circ, freq, z, mask)[:, free]
        auto = np.clip(auto, lower[free], upper[free])
        auto = np.where(lf, np.maximum(auto, 1e-300), auto)
        with np.errstate(divide="ignore"):
            x_auto = np.where(lf, np.log(auto), auto)

    # -- enough data?
    n_free = free.size
    shared_free = shared_mask_all[free]
    if shared_free.any():
        n_local = n_free - int(shared_free.sum())
        total_dof = int(2 * n_points.sum()) - int(shared_free.sum()) - b * n_local
        too_few = np.full(b, total_dof < 0)
    else:
        total_dof = 0
        too_few = 2 * n_points < n_free

    # -- solve (non-finite trial values are handled explicitly, not warned about)
    with np.errstate(all="ignore"):
        return _solve_and_report(
            problem,
            x0,
            p0,
            items,
            single,
            shared_free,
            shared_names,
            fixed_mask,
            log,
            n_points,
            too_few,
            total_dof,
            x_auto,
            notes,
            _Options(weighting, on_bound, max_iter, ftol, xtol, gtol, restarts),
        )


def _solve_and_report(
    problem: _Problem,
    x0: Array,
    p0: Array,
    items: list[Spectrum],
    single: bool,
    shared_free: Array,
    shared_names: tuple[str, ...],
    fixed_mask: Array,
    log: Array,
    n_points: Array,
    too_few: Array,
    total_dof: int,
    x_auto: Array | None,
    notes: list[str],
    opts: _Options,
) -> FitResult | FailedFit | list[FitResult | FailedFit]:
    weighting, on_bound, max_iter = opts.weighting, opts.on_bound, opts.max_iter
    ftol, xtol, gtol = opts.ftol, opts.xtol, opts.gtol
    circ = problem.circuit
    free = problem.free
    lo_x, hi_x = problem.lo, problem.hi
    b = len(items)
    n_par = circ.n_parameters
    n_free = free.size
    names = circ.parameter_names
    if shared_free.any():
        sol = _lm_shared(
            problem, x0, shared_free, max_iter=max_iter, ftol=ftol, xtol=xtol, gtol=gtol
        )
        cov_x, singular = _covariance_shared(sol.jt, shared_free)
        chi2_total = float(2.0 * sol.cost.sum())
        dof_all = np.full(b, total_dof)
        red_all = np.full(b, chi2_total / total_dof if total_dof > 0 else np.nan)
        at_lo, at_hi = _at_bounds(sol.x, lo_x, hi_x)
        on_bnd = at_lo | at_hi
        restarted = np.zeros(b, int)
        notes.append(
            f"global fit of {b} spectra: {list(shared_names)} shared; reduced chi2 and the "
            "covariance scale are those of the whole series"
        )
    else:
        sol = _lm_independent(problem, x0, max_iter=max_iter, ftol=ftol, xtol=xtol, gtol=gtol)
        restarted = _restart_failures(
            problem,
            sol,
            x0,
            x_auto,
            ~too_few,
            opts.restarts,
            on_bound,
            max_iter=max_iter,
            ftol=ftol,
            xtol=xtol,
            gtol=gtol,
        )
        at_lo, at_hi = _at_bounds(sol.x, lo_x, hi_x)
        on_bnd = at_lo | at_hi
        keep = ~on_bnd if on_bound == "keep" else np.ones_like(on_bnd)
        cov_x, singular = _covariance_independent(sol.jt, keep)
        chi2_each = 2.0 * sol.cost
        dof_all = 2 * n_points - n_free
        red_all = np.where(dof_all > 0, chi2_each / np.maximum(dof_all, 1), np.nan)

    # -- parameters the data do not determine at all (1-sigma beyond a factor 100)
    vague_x = _undetermined(cov_x, np.where(np.isfinite(red_all), red_all, 0.0), problem)

    # -- results
    p_final = problem.to_params(sol.x, np.arange(b))
    results: list[FitResult | FailedFit] = []
    units = circ.parameter_units
    fixed_names = tuple(n for n, f in zip(names, fixed_mask, strict=True) if f)
    for i, spec in enumerate(items):
        chi2 = float(2.0 * sol.cost[i])
        bound_names = tuple(names[free[k]] for k in np.flatnonzero(on_bnd[i]))
        common = {
            "circuit": circ,
            "names": names,
            "units": units,
            "initial": p0[i].copy(),
            "spectrum": spec,
        }
        fail: tuple[FailureReason, str] | None = None
        st = sol.status[i]
        if too_few[i]:
            fail = (
                "too_few_points",
                f"{n_points[i]} points (2 values each) cannot determine {n_free} parameters",
            )
        elif st == _NON_FINITE:
            fail = ("non_finite", "the model or its derivatives are not finite at the start")
        elif st == _MAX_ITER:
            fail = ("not_converged", f"no convergence within max_iter={max_iter} iterations")
        elif st == _STALLED:
            fail = (
                "not_converged",
                "the fit stalled: no step reduces chi2 although the gradient is not small",
            )
        elif bound_names and on_bound == "fail":
            fail = (
                "hit_bounds",
                f"{list(bound_names)} ended on a bound; widen bounds=, fix the parameter, or "
                "pass on_bound='keep'",
            )
        elif singular[i]:
            fail = (
                "singular_jacobian",
                "the parameters are not identifiable from these data (singular JᵀJ); "
                "simplify the circuit, fix or share a parameter, or widen the frequency range",
            )
        elif vague_x[i].any():
            which = [names[free[k]] for k in np.flatnonzero(vague_x[i])]
            fail = (
                "singular_jacobian",
                f"{which} not determined by these data (the 1-sigma range spans more than "
                "a factor 100, or a whole bounded range): drop or fix them, or widen the "
                "frequency range",
            )
        if fail is not None:
            if opts.restarts > 0 and not shared_free.any() and fail[0] != "too_few_points":
                fail = (
                    fail[0],
                    fail[1] + f" ({opts.restarts} restarts from other starting values failed too)",
                )
            results.append(
                FailedFit(
                    fail[0],
                    fail[1],
                    values=p_final[i],
                    chi2=chi2 if math.isfinite(chi2) else math.nan,
                    n_iter=int(sol.n_iter[i]),
                    weighting=weighting,
                    at_bounds=bound_names,
                    notes=tuple(notes),
                    **common,
                )
            )
            continue
        # covariance in parameter space: dp/dx = p for log parameters
        jac = np.where(log[free], p_final[i, free], 1.0)
        scale = red_all[i] if math.isfinite(red_all[i]) else math.nan
        cov_free = cov_x[i] * np.outer(jac, jac) * scale
        cov = np.zeros((n_par, n_par))
        cov[np.ix_(free, free)] = cov_free
        errors = np.sqrt(np.clip(np.diag(cov), 0.0, None))
        if bound_names:
            for name in bound_names:
                k = names.index(name)
                errors[k] = np.nan
                cov[k, :] = np.nan
                cov[:, k] = np.nan
        extra = list(notes)
        if restarted[i]:
            extra.append(
                f"converged after {restarted[i]} restart(s) from other starting values "
                "(initial holds the first start)"
            )
        if not math.isfinite(red_all[i]):
            extra.append("no degrees of freedom left: errors cannot be estimated")
        vague = [
            n
            for n, v, e in zip(names, p_final[i], errors, strict=True)
            if math.isfinite(e) and e > abs(v)
        ]
        if vague:
            extra.append(
                f"{vague} not determined by these data: the 1-sigma error exceeds the value"
            )
        results.append(
            FitResult(
                values=p_final[i],
                errors=errors,
                covariance=cov,
                chi2=chi2,
                reduced_chi2=float(red_all[i]),
                dof=int(dof_all[i]),
                n_points=int(n_points[i]),
                weighting=weighting,
                n_iter=int(sol.n_iter[i]),
                fixed=fixed_names,
                shared=shared_names,
                at_bounds=bound_names,
                notes=tuple(extra),
                **common,
            )
        )
    return results[0] if single else results


def _undetermined(cov_x: Array, scale: Array, problem: _Problem) -> Array:
    """Parameters whose 1-sigma error (fitted variable) spans more than the allowed width.

    Log parameters: more than a factor 100 either way (sigma of ln p > ln 100); bounded
    linear parameters: more than their whole range. ``scale`` is the reduced chi2.
    """
    var = np.einsum("bii->bi", cov_x) * scale[:, None]
    sigma = np.sqrt(np.clip(var, 0.0, None))
    width = np.where(
        problem.log,
        _UNDETERMINED_LOG,
        np.where(np.isfinite(problem.hi - problem.lo), problem.hi - problem.lo, np.inf),
    )
    out: Array = np.isfinite(sigma) & (sigma > width)
    return out


def _acceptable(problem: _Problem, sol: _Solution, on_bound: str) -> Array:
    """Which fits of a solution would be reported as a :class:`FitResult`."""
    at_lo, at_hi = _at_bounds(sol.x, problem.lo, problem.hi)
    on_bnd = at_lo | at_hi
    keep = ~on_bnd if on_bound == "keep" else np.ones_like(on_bnd)
    cov_x, singular = _covariance_independent(sol.jt, keep)
    dof = 2 * problem.n_points - problem.free.size
    red = np.where(dof > 0, 2.0 * sol.cost / np.maximum(dof, 1), 0.0)
    singular = singular | _undetermined(cov_x, red, problem).any(axis=1)
    ok: Array = (sol.status == _CONVERGED) & ~singular
    if on_bound == "fail":
        ok &= ~on_bnd.any(axis=1)
    return ok


def _perturb(
    x0: Array, lo: Array, hi: Array, log: Array, rng: np.random.Generator, spread: float
) -> Array:
    """Random starting points around ``x0``.

    Log parameters: ``ln p`` scattered with standard deviation ``spread``; bounded linear
    ones: uniform over their range; unbounded linear ones: ``spread·max(1, |x|)``.
    """
    b, n = x0.shape
    finite = np.isfinite(lo) & np.isfinite(hi)
    span = np.where(finite, hi - lo, 0.0)
    uniform = np.where(finite, lo, 0.0) + span * rng.uniform(0.0, 1.0, (b, n))
    scatter = x0 + spread * np.maximum(1.0, np.abs(x0)) * rng.normal(0.0, 1.0, (b, n))
    linear = np.where(finite, uniform, scatter)
    logs = x0 + rng.normal(0.0, spread, (b, n))
    out: Array = np.clip(np.where(log, logs, linear), lo, hi)
    return out


def _restart_failures(
    problem: _Problem,
    sol: _Solution,
    x0: Array,
    x_auto: Array | None,
    eligible: Array,
    restarts: int,
    on_bound: str,
    *,
    max_iter: int,
    ftol: float,
    xtol: float,
    gtol: float,
) -> Array:
    """Refit failed spectra from other starts (in place); returns the restart count used.

    Round 1 starts from the automatic guess when the first start was (partly) the user's
    (``x_auto``), otherwise from ``x0`` scattered by a factor ~e; round k scatters ``x0``
    k times wider. Each round fits all still-failing spectra together; the first fit that
    is acceptable and has a chi2 no higher than the failed attempt's is kept. The random
    generator is seeded, so results are reproducible.
    """
    used = np.zeros(x0.shape[0], int)
    if restarts <= 0:
        return used
    good = _acceptable(problem, sol, on_bound)
    rng = np.random.default_rng(20240605)
    for attempt in range(1, restarts + 1):
        retry = np.flatnonzero(~good & eligible)
        if retry.size == 0:
            break
        sub = problem.subset(retry)
        if attempt == 1 and x_auto is not None:
            start = np.clip(x_auto[retry], problem.lo, problem.hi)
        else:
            spread = float(attempt - 1 if x_auto is not None else attempt)
            start = _perturb(x0[retry], problem.lo, problem.hi, problem.log, rng, spread)
        trial = _lm_independent(sub, start, max_iter=max_iter, ftol=ftol, xtol=xtol, gtol=gtol)
        # a restart must also fit at least as well as the failed attempt: a far-off local
        # minimum is not a rescue of a fit that only ended on a bound
        before = sol.cost[retry]
        no_worse = ~np.isfinite(before) | (trial.cost <= before * (1.0 + 1e-9))
        ok = _acceptable(sub, trial, on_bound) & no_worse
        take = retry[ok]
        sol.x[take] = trial.x[ok]
        sol.cost[take] = trial.cost[ok]
        sol.status[take] = trial.status[ok]
        sol.n_iter[take] += trial.n_iter[ok]
        sol.jt[take] = trial.jt[ok]
        sol.r[take] = trial.r[ok]
        good[take] = True
        used[take] = attempt
    return used


def _at_bounds(x: Array, lo: Array, hi: Array) -> tuple[Array, Array]:
    return _near(x, lo, 1e-8, -1), _near(x, hi, 1e-8, 1)


def results_frame(results: Sequence[FitResult | FailedFit]) -> pl.DataFrame:
    """One row per fit: source, sweep, temperature, success, reason, χ², values and errors.

    Parameter columns are named after the parameters (values) and ``<name>_error`` (1sigma);
    units are those of ``result.units``. Returns a polars DataFrame.
    """
    import polars as pl

    rows = []
    for res in results:
        row: dict[str, Any] = {
            "source": res.spectrum.source,
            "sweep": res.spectrum.sweep,
            "temperature_kelvin": res.spectrum.temperature_kelvin,
            "success": bool(res),
            "reason": res.reason if isinstance(res, FailedFit) else None,
            "chi2": res.chi2,
            "reduced_chi2": res.reduced_chi2 if isinstance(res, FitResult) else None,
        }
        for k, name in enumerate(res.names):
            row[name] = float(res.values[k])
            row[f"{name}_error"] = float(res.errors[k]) if isinstance(res, FitResult) else None
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)
