r"""Li+ transference number by the Bruce-Vincent method (potentiostatic polarisation + EIS).

A symmetric Li‖Li cell is polarised by a small step ΔV (≪ k_BT/e, typically 10 mV) and the
current is recorded until it settles (chronoamperometry, CA); impedance spectra are taken
just before and just after. Evans, Vincent and Bruce (Polymer 28 (1987) 2324) correct the
current ratio for the change of the interfacial resistance:

.. math:: t_+ = \frac{I_{ss}(\Delta V - I_0 R_0)}{I_0(\Delta V - I_{ss} R_{ss})}

with :math:`I_0` the initial and :math:`I_{ss}` the steady-state current and :math:`R_0`,
:math:`R_{ss}` the interfacial resistances (SEI + charge transfer, whole cell: both
electrodes together) before and after polarisation.

What this module does
---------------------
* :func:`analyse_chronoamperometry` reads :math:`I_0` by extrapolating the early decay to
  the start of the step and detects the steady state (see its docstring for the exact
  rules; every parameter used is kept in the result).
* :func:`interfacial_resistance` fits a spectrum with a Li‖Li circuit (default
  ``"R0-p(R1,CPE1)"``) through :func:`elyte.impedance.fit` and splits the resistances into
  bulk (``R0``) and interfacial (the sum of the other plain resistors) with 1sigma errors.
* :func:`bruce_vincent` combines both: :math:`t_+` with :math:`I_0` taken either as
  ``ΔV/(R_b,0 + R_i,0)`` from the spectrum before (default when it is available: no
  double-layer spike, no dependence on the sampling rate) or as the extrapolated current;
  both values are always reported, with the uncorrected ratio :math:`I_{ss}/I_0` and the
  Abraham et al. (Chem. Mater. 9 (1997) 1978) variant :math:`t_+ R_{b,ss}/R_{b,0}`.
  Uncertainties are first-order propagations of the 1sigma errors of the independent inputs
  (currents, fitted resistances), treated as uncorrelated.
* :func:`bruce_vincent_formula` is the bare formula.

The result is a current fraction; it equals the transference number only for an ideal,
dilute binary electrolyte (Balsara & Newman, J. Electrochem. Soc. 162 (2015) A2720).

Examples
--------
>>> round(bruce_vincent_formula(0.010, 1.0e-4, 5.0e-5, 20.0, 25.0), 6)
0.457143
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from elyte.errors import ImpedanceError, ProtocolError

if TYPE_CHECKING:
    from elyte.impedance import FailedFit, FitResult, Spectrum
    from elyte.recording import Recording

__all__ = [
    "ChronoampAnalysis",
    "InitialCurrent",
    "InterfaceFit",
    "SteadyState",
    "TransferenceResult",
    "analyse_chronoamperometry",
    "bruce_vincent",
    "bruce_vincent_formula",
    "interfacial_resistance",
]

Array = npt.NDArray[np.float64]

#: Default circuit for a Li‖Li spectrum: bulk resistance + one interfacial arc.
DEFAULT_CIRCUIT = "R0-p(R1,CPE1)"

#: Flags a result can carry.
FLAG_T_OUTSIDE = "t_plus_outside_0_1"
FLAG_ISS_GE_I0 = "iss_not_below_i0"
FLAG_NO_STEADY = "no_steady_state"


def _num(v: float | None) -> float | None:
    return float(v) if v is not None and math.isfinite(v) else None


# --------------------------------------------------------------------------- formula
def bruce_vincent_formula(
    dv_v: float, i0_a: float, iss_a: float, r0_ohm: float, rss_ohm: float
) -> float:
    """Evans-Vincent-Bruce transference number ``Iss(ΔV - I0 R0) / (I0(ΔV - Iss Rss))``.

    Parameters
    ----------
    dv_v : float
        Applied polarisation ΔV, V.
    i0_a, iss_a : float
        Initial and steady-state current, A (same sign as ``dv_v``, or both magnitudes).
    r0_ohm, rss_ohm : float
        Interfacial resistance before and after polarisation (whole cell), ohm.

    Returns
    -------
    float
        The current fraction t+ (NaN when a denominator is zero).
    """
    den = i0_a * (dv_v - iss_a * rss_ohm)
    if den == 0:
        return math.nan
    return float(iss_a * (dv_v - i0_a * r0_ohm) / den)


def _propagate(
    func: Callable[[Mapping[str, float]], float],
    values: Mapping[str, float],
    errors: Mapping[str, float],
) -> float:
    """First-order 1sigma of ``func`` for uncorrelated inputs (central differences)."""
    var = 0.0
    for name, sigma in errors.items():
        if not math.isfinite(sigma):
            return math.nan
        if sigma == 0:
            continue
        h = max(abs(values[name]) * 1e-6, sigma * 1e-3)
        up = dict(values)
        dn = dict(values)
        up[name] += h
        dn[name] -= h
        d = (func(up) - func(dn)) / (2 * h)
        var += (d * sigma) ** 2
    return math.sqrt(var)


# --------------------------------------------------------------------------- CA analysis
@dataclass(frozen=True)
class InitialCurrent:
    """Initial current read from the CA curve by extrapolation to the start of the step.

    Attributes
    ----------
    current_a, error_a : float
        Extrapolated I0 and its 1sigma error (from the least-squares covariance), A (magnitude).
    method : str
        ``"sqrt_t"``: ``I = a + b·√t`` (early diffusion-limited decay); ``"linear"``:
        ``I = a + b·t``. ``a`` is I0.
    intercept_a, slope : float
        The fitted ``a`` (A) and ``b`` (A s^-1/2 or A s^-1).
    window_s : tuple of float
        Times (s since the start of the step) of the points fitted, first and last.
    spike_s : float
        Points earlier than this (s since the start of the step) were excluded as the
        double-layer charging spike.
    n_points : int
        Points fitted.
    first_point_a : float
        The first recorded current (the spike), A, for comparison.
    """

    current_a: float
    error_a: float
    method: str
    intercept_a: float
    slope: float
    window_s: tuple[float, float]
    spike_s: float
    n_points: int
    first_point_a: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {
            "current_a": _num(self.current_a),
            "error_a": _num(self.error_a),
            "method": self.method,
            "intercept_a": _num(self.intercept_a),
            "slope": _num(self.slope),
            "window_s": list(self.window_s),
            "spike_s": self.spike_s,
            "n_points": self.n_points,
            "first_point_a": _num(self.first_point_a),
        }


@dataclass(frozen=True)
class SteadyState:
    """Steady-state current and the test that decided whether it was reached.

    Attributes
    ----------
    current_a, error_a : float
        Iss (mean over the trailing window) and its 1sigma error (standard error of the mean,
        combined with half the drift across the window), A (magnitude).
    reached : bool
        ``relative_drift <= threshold``.
    relative_drift : float
        ``|slope| x window duration / Iss``: fractional change of the current across the
        trailing window, from a straight-line fit.
    slope_a_per_s : float
        Slope of the straight line, A/s (of the magnitude; negative while decaying).
    threshold : float
        Largest ``relative_drift`` accepted as steady.
    window_s : tuple of float
        Times (s since the start of the step) of the trailing window, first and last.
    n_points : int
        Points in the window.
    """

    current_a: float
    error_a: float
    reached: bool
    relative_drift: float
    slope_a_per_s: float
    threshold: float
    window_s: tuple[float, float]
    n_points: int

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {
            "current_a": _num(self.current_a),
            "error_a": _num(self.error_a),
            "reached": self.reached,
            "relative_drift": _num(self.relative_drift),
            "slope_a_per_s": _num(self.slope_a_per_s),
            "threshold": self.threshold,
            "window_s": list(self.window_s),
            "n_points": self.n_points,
        }


@dataclass(frozen=True, eq=False)
class ChronoampAnalysis:
    """I0 and Iss of one potentiostatic step.

    Attributes
    ----------
    time_s : numpy.ndarray
        Time since the start of the step, s.
    current_a : numpy.ndarray
        Current as recorded (signed), A.
    sign : int
        Sign of the polarisation current (+1 or -1); I0 and Iss are magnitudes.
    initial : InitialCurrent
        Extrapolated I0.
    steady : SteadyState
        Iss and the steady-state test.
    source : str or None
        File the curve came from.
    notes : tuple of str
        What was assumed or derived.
    """

    time_s: Array
    current_a: Array
    sign: int
    initial: InitialCurrent
    steady: SteadyState
    source: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def flags(self) -> tuple[str, ...]:
        """QC flags of the curve alone (no steady state, Iss ≥ I0)."""
        out = []
        if not self.steady.reached:
            out.append(FLAG_NO_STEADY)
        if self.steady.current_a >= self.initial.current_a:
            out.append(FLAG_ISS_GE_I0)
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view (without the arrays)."""
        return {
            "source": self.source,
            "n_points": int(self.time_s.size),
            "duration_s": float(self.time_s[-1]),
            "sign": self.sign,
            "initial": self.initial.to_dict(),
            "steady": self.steady.to_dict(),
            "flags": list(self.flags),
            "notes": list(self.notes),
        }


def _line(x: Array, y: Array) -> tuple[float, float, float, float]:
    """Least-squares ``y = a + b x``: a, b, sigmaa, sigmab (sigma from the residual scatter)."""
    a_mat = np.column_stack([np.ones_like(x), x])
    coef, *_ = np.linalg.lstsq(a_mat, y, rcond=None)
    n = x.size
    resid = y - a_mat @ coef
    if n > 2:
        s2 = float(resid @ resid) / (n - 2)
        try:
            cov = s2 * np.linalg.inv(a_mat.T @ a_mat)
            sa, sb = (math.sqrt(max(float(v), 0.0)) for v in np.diag(cov))
        except np.linalg.LinAlgError:
            sa = sb = math.nan
    else:
        sa = sb = math.nan
    return float(coef[0]), float(coef[1]), sa, sb


def _ca_arrays(
    data: Recording | tuple[npt.ArrayLike, npt.ArrayLike],
) -> tuple[Array, Array, str | None, list[str]]:
    notes: list[str] = []
    if isinstance(data, tuple):
        t = np.asarray(data[0], dtype=float)
        i = np.asarray(data[1], dtype=float)
        return t, i, None, notes
    import polars as pl

    source = data.meta.source_path
    frame = data.data
    for column in ("test_time_second", "current_ampere"):
        if column not in frame.columns:
            raise ProtocolError(
                f"{source or 'recording'}: a chronoamperometry curve needs {column!r}; the "
                f"recording has {frame.columns}"
            )
    techniques = data.meta.techniques
    if techniques and not any(
        str(x).upper() in ("CA", "PSTAT", "CHRONOAMPEROMETRY") for x in techniques
    ):
        notes.append(
            f"the recording's technique(s) {list(techniques)} are not labelled CA; the whole "
            "time series was used as one potentiostatic step"
        )
    t = frame.get_column("test_time_second").cast(pl.Float64, strict=False).to_numpy()
    i = frame.get_column("current_ampere").cast(pl.Float64, strict=False).to_numpy()
    return t, i, source, notes


def analyse_chronoamperometry(
    data: Recording | tuple[npt.ArrayLike, npt.ArrayLike],
    *,
    spike_s: float | None = None,
    early_window_s: float | None = None,
    early_method: Literal["sqrt_t", "linear"] = "sqrt_t",
    steady_window_s: float | None = None,
    steady_threshold: float = 0.01,
    min_points: int = 3,
) -> ChronoampAnalysis:
    """Find I0 (extrapolated) and Iss (steady state) in a chronoamperometry curve.

    Parameters
    ----------
    data : Recording or (time, current)
        The potentiostatic step: a recording with ``test_time_second`` (s) and
        ``current_ampere`` (A), or the two arrays. Time is counted from the first point.
    spike_s : float, optional
        Points earlier than this many seconds after the first point are the double-layer
        charging spike and are not used for I0. Default: 0, but the first point (sampled
        at the step itself) is always excluded.
    early_window_s : float, optional
        Length (s) of the early decay fitted for I0, counted from the first point used.
        Default: 2 % of the step duration, widened to hold at least ``min_points`` points.
    early_method : {"sqrt_t", "linear"}
        Model extrapolated to t = 0: ``I = a + b√t`` (default; the early concentration
        polarisation builds up diffusively, so the current falls linearly in √t) or
        ``I = a + b·t``.
    steady_window_s : float, optional
        Trailing window (s) tested for steady state and averaged for Iss. Default: the
        last 10 % of the step, widened to hold at least ``min_points`` points.
    steady_threshold : float
        Largest relative change of the current across the trailing window (from a
        straight-line fit) still counted as steady. Default 0.01 (1 %).
    min_points : int
        Fewest points in each window (at least 3).

    Returns
    -------
    ChronoampAnalysis

    Raises
    ------
    ProtocolError
        If the curve has too few finite points, time does not increase, or the current
        has no clear sign.
    """
    t_raw, i_raw, source, notes = _ca_arrays(data)
    where = source or "chronoamperometry curve"
    min_points = max(int(min_points), 3)
    if t_raw.shape != i_raw.shape or t_raw.ndim != 1:
        raise ProtocolError(f"{where}: time and current must be 1-D arrays of one length")
    ok = np.isfinite(t_raw) & np.isfinite(i_raw)
    if int((~ok).sum()):
        notes.append(f"{int((~ok).sum())} row(s) with non-finite time or current dropped")
    t_abs, i = t_raw[ok], i_raw[ok]
    if t_abs.size < 2 * min_points + 1:
        raise ProtocolError(
            f"{where}: {t_abs.size} usable point(s); at least {2 * min_points + 1} are needed"
        )
    if np.any(np.diff(t_abs) <= 0):
        raise ProtocolError(f"{where}: time does not increase monotonically")
    t = t_abs - t_abs[0]
    duration = float(t[-1])
    median = float(np.median(i))
    if median == 0:
        raise ProtocolError(f"{where}: the median current is zero; no polarisation current")
    sign = 1 if median > 0 else -1
    if sign < 0:
        notes.append("the polarisation current is negative; magnitudes are used")
    mag = sign * i
    # -- initial current
    spike = 0.0 if spike_s is None else float(spike_s)
    use = np.flatnonzero(t > spike)
    use = use[use >= 1]
    if use.size < min_points:
        raise ProtocolError(f"{where}: fewer than {min_points} points after the {spike} s spike")
    start_t = float(t[use[0]])
    width = 0.02 * duration if early_window_s is None else float(early_window_s)
    early = use[t[use] <= start_t + width]
    if early.size < min_points:
        early = use[:min_points]
        notes.append(
            f"the early window was widened to {min_points} points "
            f"({float(t[early[-1]]) - start_t:g} s) to fit I0"
        )
    if early_method == "sqrt_t":
        x = np.sqrt(t[early])
    elif early_method == "linear":
        x = t[early]
    else:
        raise ProtocolError(f"early_method must be 'sqrt_t' or 'linear', not {early_method!r}")
    a, b, sa, _ = _line(x, mag[early])
    initial = InitialCurrent(
        current_a=a,
        error_a=sa,
        method=early_method,
        intercept_a=a,
        slope=b,
        window_s=(float(t[early[0]]), float(t[early[-1]])),
        spike_s=spike,
        n_points=int(early.size),
        first_point_a=float(mag[0]),
    )
    # -- steady state
    sw = 0.1 * duration if steady_window_s is None else float(steady_window_s)
    tail = np.flatnonzero(t >= duration - sw)
    if tail.size < min_points:
        tail = np.arange(t.size - min_points, t.size)
    tail_t = t[tail]
    _, slope, _, _ = _line(tail_t - tail_t[0], mag[tail])
    iss = float(np.mean(mag[tail]))
    span = float(tail_t[-1] - tail_t[0])
    drift = abs(slope) * span / abs(iss) if iss != 0 else math.inf
    sem = float(np.std(mag[tail], ddof=1)) / math.sqrt(tail.size)
    iss_err = math.hypot(sem, 0.5 * abs(slope) * span)
    steady = SteadyState(
        current_a=iss,
        error_a=iss_err,
        reached=bool(drift <= steady_threshold),
        relative_drift=drift,
        slope_a_per_s=slope,
        threshold=float(steady_threshold),
        window_s=(float(tail_t[0]), float(tail_t[-1])),
        n_points=int(tail.size),
    )
    if not steady.reached:
        notes.append(
            f"no steady state: the current still changed by {100 * drift:.3g} % across the "
            f"last {span:g} s (threshold {100 * steady_threshold:g} %); Iss is the mean of that "
            "window, an upper bound for a decaying current"
        )
    return ChronoampAnalysis(
        time_s=t,
        current_a=i,
        sign=sign,
        initial=initial,
        steady=steady,
        source=source,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- impedance
@dataclass(frozen=True, eq=False)
class InterfaceFit:
    """Bulk and interfacial resistance of a Li‖Li cell, from a fit or given.

    Attributes
    ----------
    bulk_ohm, bulk_error_ohm : float
        Bulk (electrolyte) resistance R_b and 1sigma, ohm (NaN when not known).
    interfacial_ohm, interfacial_error_ohm : float
        Interfacial resistance R_i (sum of the interfacial resistors, whole cell) and 1sigma.
    bulk_name : str or None
        Circuit parameter taken as R_b.
    interfacial_names : tuple of str
        Circuit parameters summed into R_i.
    fit : FitResult or None
        The circuit fit, when there was one.
    """

    bulk_ohm: float
    bulk_error_ohm: float
    interfacial_ohm: float
    interfacial_error_ohm: float
    bulk_name: str | None = None
    interfacial_names: tuple[str, ...] = ()
    fit: FitResult | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view (with the fit's own view when there was one)."""
        return {
            "bulk_ohm": _num(self.bulk_ohm),
            "bulk_error_ohm": _num(self.bulk_error_ohm),
            "interfacial_ohm": _num(self.interfacial_ohm),
            "interfacial_error_ohm": _num(self.interfacial_error_ohm),
            "bulk_name": self.bulk_name,
            "interfacial_names": list(self.interfacial_names),
            "fit": self.fit.to_dict() if self.fit is not None else None,
        }


def interfacial_resistance(
    spectrum: Spectrum | FitResult,
    circuit: str = DEFAULT_CIRCUIT,
    *,
    bulk: str = "R0",
    interfacial: Sequence[str] | None = None,
    **fit_options: Any,
) -> InterfaceFit:
    """Fit a Li‖Li spectrum and split its resistances into bulk and interfacial.

    Parameters
    ----------
    spectrum : Spectrum or FitResult
        The spectrum (fitted here) or a fit already made.
    circuit : str
        Circuit for the fit (ignored for a FitResult), e.g. ``"R0-p(R1,CPE1)"`` or
        ``"L0-R0-p(R1,CPE1)-p(R2,CPE2)"``.
    bulk : str
        Parameter that is the bulk resistance R_b.
    interfacial : sequence of str, optional
        Parameters summed into R_i. Default: every plain resistor except ``bulk``.
    **fit_options
        Passed to :func:`elyte.impedance.fit`.

    Returns
    -------
    InterfaceFit

    Raises
    ------
    ImpedanceError
        If the fit fails (the reason is given) or names are not in the circuit.
    """
    from elyte.impedance import FitResult, fit

    if isinstance(spectrum, FitResult):
        result: FitResult | FailedFit = spectrum
    else:
        result = fit(spectrum, circuit, **fit_options)
    if not result:
        raise ImpedanceError(
            f"the fit of {getattr(result.spectrum, 'source', None) or 'the spectrum'} with "
            f"{result.circuit.spec!r} failed: {result!r}"
        )
    assert isinstance(result, FitResult)
    names = result.names
    if bulk not in names:
        raise ImpedanceError(f"bulk={bulk!r} is not a parameter of {result.circuit.spec!r}")
    if interfacial is None:
        chosen = tuple(
            p.name
            for p in result.circuit.parameters
            if p.spec.name == "R" and p.name == p.element and p.name != bulk
        )
        if not chosen:
            raise ImpedanceError(
                f"{result.circuit.spec!r} has no resistor besides {bulk!r}; name the "
                "interfacial parameters with interfacial="
            )
    else:
        chosen = tuple(interfacial)
        missing = [n for n in chosen if n not in names]
        if missing:
            raise ImpedanceError(f"{missing} are not parameters of {result.circuit.spec!r}")
    idx = [names.index(n) for n in chosen]
    k = names.index(bulk)
    cov = np.asarray(result.covariance, float)
    r_i = float(np.sum(result.values[idx]))
    r_i_err = math.sqrt(max(float(cov[np.ix_(idx, idx)].sum()), 0.0))
    return InterfaceFit(
        bulk_ohm=float(result.values[k]),
        bulk_error_ohm=float(result.errors[k]),
        interfacial_ohm=r_i,
        interfacial_error_ohm=r_i_err,
        bulk_name=bulk,
        interfacial_names=chosen,
        fit=result,
    )


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class TransferenceResult:
    """Bruce-Vincent transference number with its inputs, variants and QC flags.

    Attributes
    ----------
    t_plus, t_plus_error : float
        t+ (Evans-Vincent-Bruce formula) with the I0 named by ``i0_source``, and its 1sigma.
    i0_source : str
        ``"eis"`` (I0 = ΔV/(R_b,0 + R_i,0)) or ``"extrapolated"`` (from the CA curve).
    t_plus_eis_i0, t_plus_eis_i0_error, t_plus_extrapolated_i0, t_plus_extrapolated_i0_error
        Both variants (NaN when the EIS value of I0 is not available).
    uncorrected, uncorrected_error : float
        Iss/I0 (same I0 as ``t_plus``).
    abraham, abraham_error : float
        ``t_plus x R_b,ss/R_b,0`` (NaN without both bulk resistances).
    dv_v : float
        ΔV, V.
    i0_a, i0_error_a, i0_eis_a, i0_eis_error_a, iss_a, iss_error_a : float
        Currents used, A (magnitudes).
    before, after : InterfaceFit
        R_b and R_i before and after polarisation.
    ca : ChronoampAnalysis
        The CA analysis.
    flags : tuple of str
        ``"t_plus_outside_0_1"``, ``"iss_not_below_i0"``, ``"no_steady_state"``.
    notes : tuple of str
        Assumptions, in plain sentences.
    """

    t_plus: float
    t_plus_error: float
    i0_source: str
    t_plus_eis_i0: float
    t_plus_eis_i0_error: float
    t_plus_extrapolated_i0: float
    t_plus_extrapolated_i0_error: float
    uncorrected: float
    uncorrected_error: float
    abraham: float
    abraham_error: float
    dv_v: float
    i0_a: float
    i0_error_a: float
    i0_eis_a: float
    i0_eis_error_a: float
    iss_a: float
    iss_error_a: float
    before: InterfaceFit
    after: InterfaceFit
    ca: ChronoampAnalysis
    flags: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        flags = f"; flags: {', '.join(self.flags)}" if self.flags else ""
        return (
            f"t+ = {self.t_plus:.4f} ± {self.t_plus_error:.2g} (Bruce-Vincent, I0 "
            f"{self.i0_source}; ΔV = {1e3 * self.dv_v:g} mV, I0 = {1e6 * self.i0_a:.5g} µA, "
            f"Iss = {1e6 * self.iss_a:.5g} µA, R0 = {self.before.interfacial_ohm:.5g} Ω, "
            f"Rss = {self.after.interfacial_ohm:.5g} Ω); uncorrected Iss/I0 = "
            f"{self.uncorrected:.4f}; Abraham = {self.abraham:.4f}{flags}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view (NaN as ``None``)."""
        out: dict[str, Any] = {
            "method": "Bruce-Vincent (Evans, Vincent & Bruce, Polymer 28 (1987) 2324)",
            "formula": "t+ = Iss (dV - I0 R0) / (I0 (dV - Iss Rss))",
        }
        for name in (
            "t_plus",
            "t_plus_error",
            "t_plus_eis_i0",
            "t_plus_eis_i0_error",
            "t_plus_extrapolated_i0",
            "t_plus_extrapolated_i0_error",
            "uncorrected",
            "uncorrected_error",
            "abraham",
            "abraham_error",
            "dv_v",
            "i0_a",
            "i0_error_a",
            "i0_eis_a",
            "i0_eis_error_a",
            "iss_a",
            "iss_error_a",
        ):
            out[name] = _num(getattr(self, name))
        out["i0_source"] = self.i0_source
        out["before"] = self.before.to_dict()
        out["after"] = self.after.to_dict()
        out["chronoamperometry"] = self.ca.to_dict()
        out["flags"] = list(self.flags)
        out["notes"] = list(self.notes)
        return out


def _as_interface(
    value: Spectrum | FitResult | InterfaceFit | float | tuple[float, float],
    which: str,
    circuit: str,
    bulk: str,
    interfacial: Sequence[str] | None,
    bulk_ohm: float | None,
    fit_options: Mapping[str, Any],
) -> InterfaceFit:
    if isinstance(value, InterfaceFit):
        return value
    if isinstance(value, int | float | tuple):
        r, e = (
            (float(value[0]), float(value[1]))
            if isinstance(value, tuple)
            else (
                float(value),
                0.0,
            )
        )
        if not (math.isfinite(r) and r >= 0):
            raise ImpedanceError(f"{which}: interfacial resistance must be >= 0 ohm, not {r}")
        return InterfaceFit(
            bulk_ohm=math.nan if bulk_ohm is None else float(bulk_ohm),
            bulk_error_ohm=math.nan if bulk_ohm is None else 0.0,
            interfacial_ohm=r,
            interfacial_error_ohm=e,
        )
    return interfacial_resistance(
        value, circuit, bulk=bulk, interfacial=interfacial, **dict(fit_options)
    )


def bruce_vincent(
    ca: Recording | ChronoampAnalysis | tuple[npt.ArrayLike, npt.ArrayLike],
    before: Spectrum | FitResult | InterfaceFit | float | tuple[float, float],
    after: Spectrum | FitResult | InterfaceFit | float | tuple[float, float],
    *,
    dv_v: float = 0.010,
    dv_error_v: float = 0.0,
    i0: Literal["auto", "eis", "extrapolated"] = "auto",
    circuit: str = DEFAULT_CIRCUIT,
    bulk: str = "R0",
    interfacial: Sequence[str] | None = None,
    bulk_before_ohm: float | None = None,
    bulk_after_ohm: float | None = None,
    fit_options: Mapping[str, Any] | None = None,
    **ca_options: Any,
) -> TransferenceResult:
    """Bruce-Vincent t+ from a CA step and the impedance before and after it.

    Parameters
    ----------
    ca : Recording, ChronoampAnalysis or (time, current)
        The potentiostatic step (analysed with :func:`analyse_chronoamperometry` and
        ``ca_options`` unless already analysed).
    before, after : Spectrum, FitResult, InterfaceFit, float or (float, float)
        Impedance before and after polarisation: a spectrum (fitted with ``circuit``), a
        fit, or the interfacial resistance in ohm (optionally with its 1sigma).
    dv_v, dv_error_v : float
        Applied ΔV and its 1sigma, V (the magnitude is used).
    i0 : {"auto", "eis", "extrapolated"}
        Which I0 enters ``t_plus``: ``"eis"`` = ΔV/(R_b,0 + R_i,0), ``"extrapolated"``
        = the CA extrapolation; ``"auto"`` uses ``"eis"`` when R_b,0 is known.
    circuit, bulk, interfacial
        Circuit and parameter roles for fitted spectra (see
        :func:`interfacial_resistance`).
    bulk_before_ohm, bulk_after_ohm : float, optional
        R_b when ``before``/``after`` are given as numbers.
    fit_options : mapping, optional
        Passed to :func:`elyte.impedance.fit`.
    **ca_options
        Passed to :func:`analyse_chronoamperometry`.

    Returns
    -------
    TransferenceResult

    Raises
    ------
    ProtocolError, ImpedanceError
        For an unusable CA curve or a failed fit.
    """
    analysis = (
        ca if isinstance(ca, ChronoampAnalysis) else analyse_chronoamperometry(ca, **ca_options)
    )
    fo = dict(fit_options or {})
    b0 = _as_interface(before, "before", circuit, bulk, interfacial, bulk_before_ohm, fo)
    bss = _as_interface(after, "after", circuit, bulk, interfacial, bulk_after_ohm, fo)
    dv = abs(float(dv_v))
    if not (math.isfinite(dv) and dv > 0):
        raise ProtocolError(f"dv_v must be a non-zero voltage, not {dv_v!r}")
    notes = list(analysis.notes)
    iss, iss_e = analysis.steady.current_a, analysis.steady.error_a
    i0x, i0x_e = analysis.initial.current_a, analysis.initial.error_a
    has_eis = math.isfinite(b0.bulk_ohm)
    if i0 == "auto":
        source = "eis" if has_eis else "extrapolated"
    elif i0 in ("eis", "extrapolated"):
        source = i0
    else:
        raise ProtocolError(f"i0 must be 'auto', 'eis' or 'extrapolated', not {i0!r}")
    if source == "eis" and not has_eis:
        raise ImpedanceError("i0='eis' needs the bulk resistance before polarisation")

    def t_eis(v: Mapping[str, float]) -> float:
        i0_ = v["dv"] / (v["rb0"] + v["r0"])
        return bruce_vincent_formula(v["dv"], i0_, v["iss"], v["r0"], v["rss"])

    def t_ext(v: Mapping[str, float]) -> float:
        return bruce_vincent_formula(v["dv"], v["i0"], v["iss"], v["r0"], v["rss"])

    values = {
        "dv": dv,
        "i0": i0x,
        "iss": iss,
        "r0": b0.interfacial_ohm,
        "rss": bss.interfacial_ohm,
        "rb0": b0.bulk_ohm,
        "rbss": bss.bulk_ohm,
    }
    errors = {
        "dv": dv_error_v,
        "i0": i0x_e,
        "iss": iss_e,
        "r0": b0.interfacial_error_ohm,
        "rss": bss.interfacial_error_ohm,
        "rb0": b0.bulk_error_ohm,
        "rbss": bss.bulk_error_ohm,
    }
    eis_keys = ("dv", "iss", "r0", "rss", "rb0")
    ext_keys = ("dv", "i0", "iss", "r0", "rss")
    tx = t_ext(values)
    tx_e = _propagate(t_ext, values, {k: errors[k] for k in ext_keys})
    if has_eis:
        i0e = dv / (b0.bulk_ohm + b0.interfacial_ohm)
        i0e_e = _propagate(
            lambda v: v["dv"] / (v["rb0"] + v["r0"]),
            values,
            {k: errors[k] for k in ("dv", "rb0", "r0")},
        )
        te = t_eis(values)
        te_e = _propagate(t_eis, values, {k: errors[k] for k in eis_keys})
    else:
        i0e = i0e_e = te = te_e = math.nan
        notes.append("no bulk resistance before polarisation: I0 from the CA curve only")
    if source == "eis":
        t, t_e, i0_used, i0_used_e = te, te_e, i0e, i0e_e
        func, keys = t_eis, eis_keys

        def ratio(v: Mapping[str, float]) -> float:
            return v["iss"] * (v["rb0"] + v["r0"]) / v["dv"]

        ratio_keys: tuple[str, ...] = ("dv", "iss", "rb0", "r0")
    else:
        t, t_e, i0_used, i0_used_e = tx, tx_e, i0x, i0x_e
        func, keys = t_ext, ext_keys

        def ratio(v: Mapping[str, float]) -> float:
            return v["iss"] / v["i0"]

        ratio_keys = ("iss", "i0")
    unc = ratio(values)
    unc_e = _propagate(ratio, values, {k: errors[k] for k in ratio_keys})
    if math.isfinite(b0.bulk_ohm) and math.isfinite(bss.bulk_ohm):

        def abraham(v: Mapping[str, float]) -> float:
            return func(v) * v["rbss"] / v["rb0"]

        ab = abraham(values)
        ab_e = _propagate(abraham, values, {k: errors[k] for k in (*keys, "rb0", "rbss")})
    else:
        ab = ab_e = math.nan
    flags = list(analysis.flags)
    if FLAG_ISS_GE_I0 not in flags and iss >= i0_used:
        flags.append(FLAG_ISS_GE_I0)
    if not (0.0 <= t <= 1.0):
        flags.append(FLAG_T_OUTSIDE)
    notes.append("R0 and Rss are whole-cell interfacial resistances (both Li electrodes together)")
    notes.append(
        "uncertainties: first-order propagation of uncorrelated 1sigma errors of ΔV, the "
        "currents and the fitted resistances"
    )
    return TransferenceResult(
        t_plus=t,
        t_plus_error=t_e,
        i0_source=source,
        t_plus_eis_i0=te,
        t_plus_eis_i0_error=te_e,
        t_plus_extrapolated_i0=tx,
        t_plus_extrapolated_i0_error=tx_e,
        uncorrected=unc,
        uncorrected_error=unc_e,
        abraham=ab,
        abraham_error=ab_e,
        dv_v=dv,
        i0_a=i0_used,
        i0_error_a=i0_used_e,
        i0_eis_a=i0e,
        i0_eis_error_a=i0e_e,
        iss_a=iss,
        iss_error_a=iss_e,
        before=b0,
        after=bss,
        ca=analysis,
        flags=tuple(flags),
        notes=tuple(notes),
    )
