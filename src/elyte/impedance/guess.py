"""Automatic initial guesses for circuit fits, read off the spectrum (vectorised over a batch).

The heuristics assume the usual ordering of a circuit string: elements left to right respond
from high to low frequency (``L-R0-p(R1,CPE1)-p(R2,CPE2)-W1``). For every spectrum:

``R`` in series at the top level
    The high-frequency real intercept: the smallest Z' of the spectrum (shared equally when
    several bare resistors are in series).
``L`` / ``La`` in series
    ``L = Z″/ω`` at the highest frequency when Z″ > 0 there (lead inductance); otherwise a
    small value, ``10⁻³·|Z|/ω_max``. ``La`` starts at alpha = 1.
Parallel blocks ``p(R, C)``, ``p(R, CPE)``, ``p(R-..., C)`` (arcs)
    Apexes are the local maxima of -Z″ (3-point smoothed, maximum of a 5-point window),
    taken largest first with at most one per frequency decade and assigned to the blocks
    from high to low frequency; when there are fewer maxima than blocks, shoulders (an
    arc merging into a diffusion or blocking tail: a local maximum of the log-log slope
    d ln(-Z″)/d ln ω above -0.35) count as apexes too. From an apex at
    ``(Z'_a, -Z″_a, f_a)``: the arc width ``R = 2(Z'_a - R_start)`` (``R_start`` =
    intercept plus the arcs before; ``2(-Z″_a)`` when that is not positive),
    ``τ = 1/(2πf_a)``, the CPE exponent from the arc's depression
    ``alpha = (4/π)·atan(2(-Z″_a)/R)`` (clipped to [0.3, 0.95]), then ``C = τ/R`` and
    ``Q = τ^alpha/R``. A block whose arc is not seen gets ``R`` = a share of the real span
    not yet assigned and ``τ`` one decade beyond the found arcs (or at the highest
    frequency).
``C`` / ``CPE`` in series (blocking electrode, double layer)
    From the low-frequency tail: ``alpha = -d ln(-Z″)/d ln ω`` over the last four points
    (clipped to [0.3, 0.95]), ``Q = sin(alpha π/2)/((-Z″)·ω^alpha)`` and
    ``C = 1/((-Z″)ω)`` at the lowest frequency.
``W`` (semi-infinite Warburg)
    ``sigma = (-Z″)·√ω``, median over the three lowest frequencies.
``Wo`` / ``Ws`` / ``G`` (finite diffusion, Gerischer)
    ``R`` = low-frequency Z' minus everything assigned so far (at least 10 % of the median
    |Z|); ``Wo``: ``τ = R/((-Z″)ω)`` at the lowest frequency (its capacitive limit);
    ``Ws``: ``τ = 2.5/ω_min`` (the -Z″ maximum of a short Warburg sits near ωτ ≈ 2.5);
    ``G``: ``τ = 1/ω`` at the geometric middle of the frequency range.
Anything else (user elements, unusual positions)
    Scale-aware defaults from the parameter's unit: ohm → median |Z|, F → 1/(ω_mid·|Z|),
    s → 1/ω_mid, H → |Z|/ω_mid; bounded linear parameters start at 80 % of their range
    (alpha = 0.8), other parameters at 1.

Every guess is finally clipped into the parameter's bounds. Guesses are starting points for
the fit, not estimates to report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from elyte.impedance.circuits import Circuit
from elyte.impedance.circuits.parser import ElementNode, Node, ParallelNode, SeriesNode

__all__ = ["initial_guess"]

Array = npt.NDArray[Any]
_TWO_PI = 2.0 * math.pi
#: a shoulder of -Z'' counts as an arc when its log-log slope rises above this
_SHOULDER_SLOPE = -0.35
#: exponents start inside (0.3, 0.95): a start on the bound alpha = 1 tends to stay there
_ALPHA_MAX = 0.95


@dataclass
class _Features:
    """Per-spectrum features (arrays of shape (B,)) used by the heuristics."""

    omega: Array  # (B, F) rad/s, descending, NaN padded
    real: Array
    neg_imag: Array
    n_valid: Array
    z_scale: Array  # median |Z|
    omega_max: Array
    omega_min: Array
    omega_mid: Array
    r_hf: Array
    im_hf: Array
    re_low: Array
    neg_im_low: Array
    low_slope: Array  # d ln(-Z'')/d ln(omega) at the low end


def _take(a: Array, idx: Array) -> Array:
    return np.take_along_axis(a, idx[:, None], axis=1)[:, 0]


def _features(frequency: Array, impedance: Array, mask: Array) -> _Features:
    omega = np.where(mask, _TWO_PI * frequency, np.nan)
    real = np.where(mask, impedance.real, np.nan)
    neg_imag = np.where(mask, -impedance.imag, np.nan)
    modulus = np.where(mask, np.abs(impedance), np.nan)
    n_valid = mask.sum(axis=1)
    last = n_valid - 1
    z_scale = np.nanmedian(modulus, axis=1)
    z_scale = np.where(np.isfinite(z_scale) & (z_scale > 0), z_scale, 1.0)
    omega_max = omega[:, 0]
    omega_min = _take(omega, last)
    omega_mid = np.sqrt(omega_max * omega_min)
    r_hf = np.nanmin(real, axis=1)
    r_hf = np.where(r_hf > 1e-6 * z_scale, r_hf, 1e-3 * z_scale)
    im_hf = -neg_imag[:, 0]
    k_low = np.stack([np.maximum(last - i, 0) for i in range(3)], axis=1)
    re_low = np.take_along_axis(real, k_low, axis=1).mean(axis=1)
    neg_im_low = np.median(np.take_along_axis(neg_imag, k_low, axis=1), axis=1)
    far = np.maximum(last - 3, 0)
    with np.errstate(all="ignore"):
        low_slope = (np.log(_take(neg_imag, last)) - np.log(_take(neg_imag, far))) / (
            np.log(omega_min) - np.log(_take(omega, far))
        )
    return _Features(
        omega,
        real,
        neg_imag,
        n_valid,
        z_scale,
        omega_max,
        omega_min,
        omega_mid,
        r_hf,
        im_hf,
        re_low,
        neg_im_low,
        low_slope,
    )


def _apexes(feat: _Features, n_arcs: int) -> tuple[Array, Array, Array, Array]:
    """Up to ``n_arcs`` apexes per spectrum, sorted high to low frequency.

    Maxima of -Z'' first; when there are fewer than ``n_arcs``, shoulders (local maxima of
    the log-log slope of -Z'' above -0.35) fill in.

    Returns Z' (B, n), -Z'' (B, n), omega (B, n) and a found-mask (B, n).
    """
    y = feat.neg_imag
    b, f = y.shape
    ys = np.full_like(y, -np.inf)
    if f >= 3:
        mid = 0.25 * y[:, :-2] + 0.5 * y[:, 1:-1] + 0.25 * y[:, 2:]
        ys[:, 1:-1] = np.where(np.isfinite(mid), mid, -np.inf)
    padded = np.pad(ys, ((0, 0), (2, 2)), constant_values=-np.inf)
    window = np.stack([padded[:, i : i + f] for i in range(5)], axis=0).max(axis=0)
    # the two points at either end of a spectrum cannot be an apex (a rising tail is not)
    pos = np.arange(f)[None, :]
    interior = (pos >= 2) & (pos <= feat.n_valid[:, None] - 3)
    candidate = interior & (ys > 0) & (ys >= window) & np.isfinite(ys)
    score = np.where(candidate, ys, -np.inf)
    # shoulders: an arc merging into a rising tail shows no maximum of -Z'', but a local
    # maximum of the log-log slope d ln(-Z'')/d ln(omega) (the flattest point)
    slope = np.full_like(y, -np.inf)
    if f >= 3:
        with np.errstate(all="ignore"):
            ln_y = np.log(np.where(ys > 0, ys, np.nan))
            ln_w = np.log(feat.omega)
            mid_slope = (ln_y[:, :-2] - ln_y[:, 2:]) / (ln_w[:, :-2] - ln_w[:, 2:])
        slope[:, 1:-1] = np.where(np.isfinite(mid_slope), mid_slope, -np.inf)
    padded = np.pad(slope, ((0, 0), (2, 2)), constant_values=-np.inf)
    s_window = np.stack([padded[:, i : i + f] for i in range(5)], axis=0).max(axis=0)
    shoulder = interior & (slope >= s_window) & (slope > _SHOULDER_SLOPE) & np.isfinite(slope)
    s_score = np.where(shoulder, slope, -np.inf)
    logw = np.log10(np.where(np.isfinite(feat.omega), feat.omega, 1.0))
    picks = np.full((b, n_arcs), -1)
    rows = np.arange(b)
    for k in range(n_arcs):
        best = np.argmax(score, axis=1)
        ok = np.isfinite(score[rows, best])
        best_s = np.argmax(s_score, axis=1)
        ok_s = ~ok & np.isfinite(s_score[rows, best_s])
        best = np.where(ok, best, best_s)
        ok = ok | ok_s
        picks[:, k] = np.where(ok, best, -1)
        near = (np.abs(logw - logw[rows, best][:, None]) < 1.0) & ok[:, None]
        score = np.where(near, -np.inf, score)
        s_score = np.where(near, -np.inf, s_score)
    found = picks >= 0
    # sort the picks high to low frequency (lower index = higher frequency); misses last
    order_key = np.where(found, picks, f + 1)
    order = np.argsort(order_key, axis=1, kind="stable")
    picks = np.take_along_axis(picks, order, axis=1)
    found = np.take_along_axis(found, order, axis=1)
    safe = np.where(found, picks, 0)
    re_a = np.take_along_axis(feat.real, safe, axis=1)
    y_a = np.take_along_axis(y, safe, axis=1)
    w_a = np.take_along_axis(feat.omega, safe, axis=1)
    return re_a, y_a, w_a, found


def _generic(
    spec_unit: str, name: str, lower: float, upper: float, log: bool, feat: _Features
) -> Array:
    b = feat.z_scale.shape[0]
    if not log:
        if math.isfinite(lower) and math.isfinite(upper):
            return np.full(b, lower + 0.8 * (upper - lower))
        return np.full(b, 1.0 if not (math.isfinite(lower) and lower > 1.0) else lower + 1.0)
    unit = spec_unit.split()[0] if spec_unit else ""
    if unit == "ohm":
        return feat.z_scale.copy()
    if unit == "F":
        return 1.0 / (feat.omega_mid * feat.z_scale)
    if unit == "s":
        return 1.0 / feat.omega_mid
    if unit == "H":
        return feat.z_scale / feat.omega_mid
    return np.ones(b)


def _positive(value: Array, fallback: Array) -> Array:
    return np.where(np.isfinite(value) & (value > 0), value, fallback)


class _Guesser:
    def __init__(self, circuit: Circuit, feat: _Features) -> None:
        self.circuit = circuit
        self.feat = feat
        b = feat.z_scale.shape[0]
        self.values = np.full((b, circuit.n_parameters), np.nan)
        self.assigned_r = np.zeros(b)

    def set(self, node: ElementNode, *values: Array) -> None:
        for i, v in enumerate(values):
            self.values[:, node.first + i] = v

    def unset(self, node: Node) -> list[ElementNode]:
        if isinstance(node, ElementNode):
            return [node] if np.isnan(self.values[:, node.first]).all() else []
        return [e for c in node.children for e in self.unset(c)]

    # -- element rules
    def inductor(self, node: ElementNode) -> None:
        f = self.feat
        small = 1e-3 * f.z_scale / f.omega_max
        value = _positive(f.im_hf / f.omega_max, small)
        if node.kind.symbol == "La":
            self.set(node, value, np.ones_like(value))
        else:
            self.set(node, value)

    def blocking(self, node: ElementNode) -> None:
        f = self.feat
        y = _positive(f.neg_im_low, f.z_scale)
        if node.kind.symbol == "C":
            self.set(node, 1.0 / (y * f.omega_min))
            return
        alpha = np.clip(np.where(np.isfinite(f.low_slope), -f.low_slope, 0.85), 0.3, _ALPHA_MAX)
        q = np.sin(alpha * np.pi / 2.0) / (y * f.omega_min**alpha)
        self.set(node, q, alpha)

    def diffusion(self, node: ElementNode) -> None:
        f = self.feat
        symbol = node.kind.symbol
        y = _positive(f.neg_im_low, 0.1 * f.z_scale)
        if symbol == "W":
            self.set(node, y * np.sqrt(f.omega_min))
            return
        r = np.maximum(f.re_low - self.assigned_r, 0.1 * f.z_scale)
        if symbol == "Wo":
            tau = np.clip(r / (y * f.omega_min), 1.0 / f.omega_max, 1e3 / f.omega_min)
        elif symbol == "Ws":
            tau = 2.5 / f.omega_min
        else:  # G
            tau = 1.0 / f.omega_mid
        self.set(node, r, tau)

    def arc(self, block: ParallelNode, r_arc: Array, omega_apex: Array, alpha: Array) -> None:
        tau = 1.0 / omega_apex
        r_done = False
        for child in block.children:
            if isinstance(child, ElementNode):
                sym = child.kind.symbol
                if sym == "R" and not r_done:
                    self.set(child, r_arc)
                    r_done = True
                elif sym == "C":
                    self.set(child, tau / r_arc)
                elif sym == "CPE":
                    self.set(child, tau**alpha / r_arc, alpha)
            elif isinstance(child, SeriesNode):
                for el in child.children:
                    if isinstance(el, ElementNode) and el.kind.symbol == "R" and not r_done:
                        self.set(el, r_arc)
                        r_done = True
        self.assigned_r = self.assigned_r + r_arc

    def run(self) -> Array:
        f = self.feat
        tree = self.circuit.tree
        top = list(tree.children) if isinstance(tree, SeriesNode) else [tree]
        blocks = [n for n in top if isinstance(n, ParallelNode)]
        bare_r = [n for n in top if isinstance(n, ElementNode) and n.kind.symbol == "R"]
        for node in bare_r:
            self.set(node, f.r_hf / len(bare_r))
        self.assigned_r = f.r_hf.copy() if bare_r else np.zeros_like(f.r_hf)
        for item in top:
            if isinstance(item, ElementNode) and item.kind.symbol in ("L", "La"):
                self.inductor(item)
        if blocks:
            re_a, y_a, w_a, found = _apexes(f, len(blocks))
            n_found = found.sum(axis=1)
            # real span left for arcs that are not seen
            span = np.maximum(f.re_low - self.assigned_r, 0.1 * f.z_scale)
            for k, block in enumerate(blocks):
                hit = found[:, k]
                r_seen = 2.0 * (re_a[:, k] - self.assigned_r)
                r_seen = np.where(r_seen > 0, r_seen, 2.0 * y_a[:, k])
                missing = np.maximum(len(blocks) - n_found, 1)
                r_miss = span / missing
                r_arc = _positive(np.where(hit, r_seen, r_miss), 0.1 * f.z_scale)
                # an unseen arc sits a decade below the last seen one (or at f_max)
                prev_w = np.where(
                    n_found > 0,
                    w_a[np.arange(len(n_found)), np.maximum(n_found - 1, 0)],
                    f.omega_max * 10.0,
                )
                w_miss = np.maximum(prev_w / 10.0 ** (k - n_found + 1), f.omega_min)
                omega_apex = np.where(hit, w_a[:, k], w_miss)
                with np.errstate(all="ignore"):
                    alpha = (4.0 / np.pi) * np.arctan(2.0 * y_a[:, k] / r_arc)
                alpha = np.clip(np.where(hit & np.isfinite(alpha), alpha, 0.85), 0.3, _ALPHA_MAX)
                self.arc(block, r_arc, omega_apex, alpha)
        for node in [*top, *(e for b in blocks for e in self.unset(b))]:
            if not isinstance(node, ElementNode) or not np.isnan(self.values[:, node.first]).all():
                continue
            sym = node.kind.symbol
            if sym in ("C", "CPE"):
                self.blocking(node)
            elif sym in ("W", "Wo", "Ws", "G"):
                self.diffusion(node)
            elif sym in ("L", "La"):
                self.inductor(node)
        # anything left: generic defaults
        for node in self.circuit.elements:
            for i, spec in enumerate(node.kind.parameters):
                col = node.first + i
                if np.isnan(self.values[:, col]).any():
                    generic = _generic(spec.unit, spec.name, spec.lower, spec.upper, spec.log, f)
                    self.values[:, col] = np.where(
                        np.isnan(self.values[:, col]), generic, self.values[:, col]
                    )
        return self.values


def initial_guess(
    circuit: Circuit, frequency: Array, impedance: Array, mask: Array | None = None
) -> Array:
    """Compute starting parameters for ``circuit`` from a batch of spectra (see the module notes).

    Parameters
    ----------
    circuit : Circuit
        The circuit to fit.
    frequency : numpy.ndarray, Hz
        ``(n_spectra, n_freq)``, or ``(n_freq,)`` for one spectrum or a common grid; any
        order, padding allowed.
    impedance : numpy.ndarray of complex, ohm
        Same shape, Z″ signed as measured.
    mask : numpy.ndarray of bool, optional
        ``True`` for real points, ``False`` for padding.

    Returns
    -------
    numpy.ndarray
        ``(n_spectra, n_params)`` (``(n_params,)`` for 1-D input), in the parameters' units,
        not yet clipped to any user bounds.
    """
    f = np.asarray(frequency, dtype=float)
    z = np.asarray(impedance, dtype=complex)
    one = f.ndim == 1 and z.ndim == 1
    z2 = np.atleast_2d(z)
    f2 = np.broadcast_to(np.atleast_2d(f), z2.shape)
    m2 = np.ones(z2.shape, bool) if mask is None else np.atleast_2d(np.asarray(mask, bool))
    m2 = np.broadcast_to(m2, z2.shape)
    key = np.where(m2, -f2, np.inf)
    order = np.argsort(key, axis=1, kind="stable")
    f2 = np.take_along_axis(f2, order, axis=1)
    z2 = np.take_along_axis(z2, order, axis=1)
    m2 = np.take_along_axis(m2, order, axis=1)
    with np.errstate(all="ignore"):
        feat = _features(f2, z2, m2)
        values = _Guesser(circuit, feat).run()
    for k, param in enumerate(circuit.parameters):
        spec = param.spec
        lo = spec.lower if not spec.log else max(spec.lower, 1e-300)
        values[:, k] = np.clip(values[:, k], lo, spec.upper)
    return values[0] if one else values
