"""Lin-KK validation of an impedance spectrum, before (and independent of) any circuit fit.

Method (Schönleber, Klotz and Ivers-Tiffée, Electrochim. Acta 131 (2014) 20): a spectrum
that obeys the Kramers-Kronig relations (linear, causal, stable, time-invariant) is
described to within its noise by a series of ``M`` Voigt elements with fixed time
constants,

``Z_KK(ω) = R_s + Σ_k R_k/(1 + jωτ_k) [+ jωL] [+ 1/(jωC)]``,

with ``τ_k`` log-spaced from ``1/ω_max`` to ``1/ω_min``. Only the ``R_k`` (and ``R_s``,
``L``, ``1/C``) are unknown, and the model is linear in them, so a weighted linear least
squares over Z' and Z″ together (weights ``1/|Z|``) gives them directly. ``M`` grows
from 1 until the under/over-fitting measure

``μ = 1 - Σ_{R_k<0}|R_k| / Σ_{R_k≥0}|R_k|``

drops below ``c`` (0.85 by default): negative resistances mean the series starts to fit
noise. The residuals ``(Z - Z_KK)/|Z|`` (real and imaginary parts, in %) then show whether
the data are KK-consistent: for a good spectrum they scatter around zero at the noise
level (typically < 1 %); drift or non-linearity shows up as a trend, usually at low
frequency.

Examples
--------
>>> import numpy as np
>>> from elyte.impedance import Circuit, Spectrum
>>> from elyte.impedance.kk import lin_kk
>>> f = np.logspace(5, -1, 40)
>>> z = Circuit("R0-p(R1,CPE1)").impedance(f, [10.0, 100.0, 1e-5, 0.85])
>>> result = lin_kk(Spectrum(f, z))
>>> result.max_residual_percent < 0.5
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from elyte.errors import ImpedanceError
from elyte.impedance.spectrum import Spectrum

__all__ = ["KKResult", "lin_kk"]

Array = npt.NDArray[Any]


@dataclass(frozen=True, eq=False)
class KKResult:
    """Outcome of a Lin-KK test.

    Attributes
    ----------
    spectrum : Spectrum
        The data tested.
    n_elements : int
        ``M``, the number of Voigt elements chosen.
    mu : float
        The μ criterion at ``M`` (1 = no negative ``R_k``).
    c : float
        The μ threshold used.
    tau_second : numpy.ndarray
        Time constants ``τ_k``, s.
    resistance_ohm : numpy.ndarray
        Fitted ``R_k``, ohm.
    series_resistance_ohm : float
        ``R_s``, ohm.
    inductance_henry : float or None
        Series ``L``, H (None when not included).
    capacitance_farad : float or None
        Series ``C``, F (None when not included; ``inf`` when ``1/C`` came out as 0).
    model : numpy.ndarray
        ``Z_KK`` at the spectrum's frequencies, ohm.
    residual_real_percent, residual_imag_percent : numpy.ndarray
        ``100·(Z' - Z'_KK)/|Z|`` and ``100·(Z″ - Z″_KK)/|Z|``, %.
    notes : tuple of str
        Remarks (for example: μ never fell below ``c``).
    """

    spectrum: Spectrum
    n_elements: int
    mu: float
    c: float
    tau_second: Array
    resistance_ohm: Array
    series_resistance_ohm: float
    inductance_henry: float | None
    capacitance_farad: float | None
    model: Array
    residual_real_percent: Array
    residual_imag_percent: Array
    notes: tuple[str, ...] = field(default=())

    @property
    def max_residual_percent(self) -> float:
        """Largest absolute residual (real or imaginary), % of |Z|."""
        return float(
            max(np.abs(self.residual_real_percent).max(), np.abs(self.residual_imag_percent).max())
        )

    @property
    def rms_residual_percent(self) -> float:
        """Root-mean-square of all residuals (real and imaginary), % of |Z|."""
        both = np.concatenate([self.residual_real_percent, self.residual_imag_percent])
        return float(np.sqrt(np.mean(both**2)))

    def passed(self, threshold_percent: float = 1.0) -> bool:
        """Whether every residual is within ``threshold_percent`` of |Z|."""
        return self.max_residual_percent <= threshold_percent

    def __repr__(self) -> str:
        return (
            f"KKResult(M={self.n_elements}, mu={self.mu:.3f}, max residual "
            f"{self.max_residual_percent:.3g} %, rms {self.rms_residual_percent:.3g} %)"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view: numbers as ``{"value", "unit"}``, residual arrays as lists."""

        def q(v: float | None, unit: str) -> dict[str, Any] | None:
            if v is None or not math.isfinite(v):
                return None
            return {"value": float(v), "unit": unit}

        return {
            "method": "Lin-KK (Schönleber et al. 2014)",
            "n_elements": self.n_elements,
            "mu": self.mu,
            "c": self.c,
            "max_residual": q(self.max_residual_percent, "%"),
            "rms_residual": q(self.rms_residual_percent, "%"),
            "series_resistance": q(self.series_resistance_ohm, "ohm"),
            "inductance": q(self.inductance_henry, "H"),
            "capacitance": q(self.capacitance_farad, "F"),
            "frequency_hertz": self.spectrum.frequency.tolist(),
            "residual_real_percent": self.residual_real_percent.tolist(),
            "residual_imag_percent": self.residual_imag_percent.tolist(),
            "source": self.spectrum.source,
            "sweep": self.spectrum.sweep,
            "notes": list(self.notes),
        }


def _design(omega: Array, tau: Array, inductance: bool, capacitance: bool) -> Array:
    """Complex design matrix (n_freq, n_cols): R_s, R_k..., [L], [1/C]."""
    cols = [np.ones_like(omega, dtype=complex)[:, None]]
    cols.append(1.0 / (1.0 + 1j * omega[:, None] * tau[None, :]))
    if inductance:
        cols.append((1j * omega)[:, None])
    if capacitance:
        cols.append((1.0 / (1j * omega))[:, None])
    return np.concatenate(cols, axis=1)


def _solve(a: Array, z: Array, weight: Array) -> Array:
    """Weighted linear least squares over real and imaginary parts together."""
    aw = a * weight[:, None]
    zw = z * weight
    lhs = np.concatenate([aw.real, aw.imag], axis=0)
    rhs = np.concatenate([zw.real, zw.imag])
    # scale columns so that lstsq's rank decision does not depend on units
    norm = np.linalg.norm(lhs, axis=0)
    norm[norm == 0] = 1.0
    sol, *_ = np.linalg.lstsq(lhs / norm, rhs, rcond=None)
    return np.asarray(sol / norm)


def lin_kk(
    spectrum: Spectrum,
    *,
    c: float = 0.85,
    max_elements: int | None = None,
    n_elements: int | None = None,
    inductance: bool = True,
    capacitance: bool | None = None,
) -> KKResult:
    """Lin-KK test of one spectrum (Schönleber et al. 2014).

    Parameters
    ----------
    spectrum : Spectrum
        Data (any frequency order; at least 4 points).
    c : float
        μ threshold in (0, 1): ``M`` is the smallest number of elements with ``μ < c``.
    max_elements : int, optional
        Upper limit of ``M`` (default: the number of points, capped at 100).
    n_elements : int, optional
        Use exactly this ``M`` (skips the μ search).
    inductance : bool
        Include a series inductance (lead inductance; Z″ > 0 at high frequency).
    capacitance : bool, optional
        Include a series capacitance (blocking electrodes, or a diffusion tail that has not
        closed: -Z″ still rising at the lowest frequency). ``None`` (default): include it
        when -Z″ at the lowest frequency is larger than at the next one (a note says so).

    Returns
    -------
    KKResult

    Raises
    ------
    ImpedanceError
        For fewer than 4 points, a single frequency, or ``c`` outside (0, 1).
    """
    if not isinstance(spectrum, Spectrum):
        raise ImpedanceError(f"lin_kk() takes a Spectrum, not {type(spectrum).__name__}")
    if not 0.0 < c < 1.0:
        raise ImpedanceError(f"c must be in (0, 1), got {c!r}")
    n = len(spectrum)
    if n < 4:
        raise ImpedanceError(f"Lin-KK needs at least 4 points, the spectrum has {n}")
    omega = spectrum.omega
    if omega.max() <= omega.min():
        raise ImpedanceError("Lin-KK needs more than one distinct frequency")
    z = spectrum.impedance
    weight = 1.0 / np.abs(z)
    notes: list[str] = []
    if capacitance is None:
        low = np.argsort(omega)[:2]
        capacitance = bool(-z.imag[low[0]] > -z.imag[low[1]] > 0)
        if capacitance:
            notes.append(
                "a series capacitance was included: -Z'' still rises at the lowest frequency"
            )
    extra = 1 + int(inductance) + int(capacitance)
    limit = min(100, n) if max_elements is None else int(max_elements)
    limit = max(1, min(limit, 2 * n - extra - 1))

    def solve_for(m: int) -> tuple[Array, Array, float]:
        tau = (
            np.array([1.0 / math.sqrt(omega.max() * omega.min())])
            if m == 1
            else np.logspace(np.log10(1.0 / omega.max()), np.log10(1.0 / omega.min()), m)
        )
        coef = _solve(_design(omega, tau, inductance, capacitance), z, weight)
        rk = coef[1 : 1 + m]
        pos = np.abs(rk[rk >= 0]).sum()
        neg = np.abs(rk[rk < 0]).sum()
        mu = 1.0 - neg / pos if pos > 0 else -math.inf
        return tau, coef, float(mu)

    if n_elements is not None:
        if not 1 <= int(n_elements) <= 2 * n - extra:
            raise ImpedanceError(
                f"n_elements must be between 1 and {2 * n - extra} for {n} points, "
                f"got {n_elements!r}"
            )
        m = int(n_elements)
        tau, coef, mu = solve_for(m)
        notes.append(f"M = {m} Voigt elements as requested (no μ search)")
    else:
        # μ is evaluated for growing M; each M is one small linear solve
        for m in range(1, limit + 1):
            tau, coef, mu = solve_for(m)
            if mu < c:
                break
        else:
            notes.append(f"μ did not fall below c = {c} up to M = {limit}; M = {limit} was used")
    m = tau.size
    a = _design(omega, tau, inductance, capacitance)
    model = a @ coef
    mod = np.abs(z)
    res_re = 100.0 * (z.real - model.real) / mod
    res_im = 100.0 * (z.imag - model.imag) / mod
    k = 1 + m
    ind = float(coef[k]) if inductance else None
    k += int(inductance)
    cap: float | None = None
    if capacitance:
        inv_c = float(coef[k])
        cap = math.inf if inv_c == 0 else 1.0 / inv_c
        if inv_c < 0:
            notes.append("the fitted series capacitance is negative: the data are not blocking")
    return KKResult(
        spectrum=spectrum,
        n_elements=m,
        mu=mu,
        c=c,
        tau_second=tau,
        resistance_ohm=np.asarray(coef[1 : 1 + m], float),
        series_resistance_ohm=float(coef[0]),
        inductance_henry=ind,
        capacitance_farad=cap,
        model=model,
        residual_real_percent=res_re,
        residual_imag_percent=res_im,
        notes=tuple(notes),
    )
