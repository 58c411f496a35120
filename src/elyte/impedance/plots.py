"""Figures for impedance and ion transport: Nyquist, Bode, Arrhenius and the CA step.

Built like the other ``plots`` modules (:mod:`elyte.plotting`: no pyplot state, headless,
matplotlib optional via ``pip install "elyte[plot]"``). Every function returns a
:class:`matplotlib.figure.Figure`; save it with :func:`save_figure`.

* :func:`plot_nyquist`: -Z″ against Z' on equal axes (data as markers, fits as lines),
  optionally with a panel of relative residuals against frequency.
* :func:`plot_bode`: |Z| and the phase against frequency.
* :func:`plot_arrhenius`: ln sigma (or ln sigmaT) against 1000/T with a straight line.
* :func:`plot_chronoamperometry`: the current of a potentiostatic step with I0 and Iss.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from elyte.errors import ImpedanceError
from elyte.impedance.fit import FailedFit, FitResult
from elyte.impedance.spectrum import Spectrum
from elyte.plotting import CELL_COLOURS, FIGSIZE, STYLE, load_matplotlib, new_axes, save_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from elyte.transport.transference import ChronoampAnalysis, TransferenceResult

__all__ = [
    "plot_arrhenius",
    "plot_bode",
    "plot_chronoamperometry",
    "plot_nyquist",
    "save_figure",
]

#: Gas constant, J mol^-1 K^-1.
GAS_CONSTANT = 8.314462618

_TIME = {"s": 1.0, "min": 60.0, "h": 3600.0}


def _spectra_list(spectra: Spectrum | Sequence[Spectrum]) -> list[Spectrum]:
    items = [spectra] if isinstance(spectra, Spectrum) else list(spectra)
    if not items:
        raise ImpedanceError("nothing to plot: no spectrum given")
    return items


def _fits_list(
    fits: FitResult | FailedFit | Sequence[FitResult | FailedFit] | None, n: int
) -> list[FitResult | None]:
    if fits is None:
        return [None] * n
    items = [fits] if isinstance(fits, FitResult | FailedFit) else list(fits)
    if len(items) != n:
        raise ImpedanceError(f"{len(items)} fit(s) for {n} spectrum/spectra")
    return [f if isinstance(f, FitResult) else None for f in items]


def _label(s: Spectrum, labels: Sequence[str] | None, k: int) -> str | None:
    if labels is not None:
        return labels[k]
    return None


def _model_curve(result: FitResult, s: Spectrum) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    f = np.logspace(np.log10(s.frequency.max()), np.log10(s.frequency.min()), 200)
    return f, result.model(f)


def plot_nyquist(
    spectra: Spectrum | Sequence[Spectrum],
    fits: FitResult | FailedFit | Sequence[FitResult | FailedFit] | None = None,
    *,
    residuals: bool = False,
    labels: Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Nyquist plot: -Z″ up against Z', equal scales on both axes.

    Parameters
    ----------
    spectra : Spectrum or sequence of Spectrum
        Data, drawn as markers.
    fits : FitResult or FailedFit or sequence of them, optional
        One per spectrum; converged fits are drawn as lines over the spectrum's frequency
        range (failed ones are skipped).
    residuals : bool
        Add a lower panel with the relative residuals ``(Z_fit - Z)/|Z|`` (real and
        imaginary part, %) against frequency. Needs ``fits`` and a new figure.
    labels : sequence of str, optional
        Legend entries, one per spectrum.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes (only without ``residuals``).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ImpedanceError
        For a fits/spectra count mismatch, or ``residuals`` with ``ax`` or without fits.
    """
    mpl = load_matplotlib()
    items = _spectra_list(spectra)
    fit_items = _fits_list(fits, len(items))
    if residuals and (ax is not None or fits is None):
        raise ImpedanceError("residuals=True needs fits and a new figure (no ax=)")
    with mpl.rc_context(STYLE):
        if residuals:
            from matplotlib.figure import Figure

            fig = Figure(figsize=(FIGSIZE[0], FIGSIZE[1] * 1.5), layout="constrained")
            main, res_ax = fig.subplots(2, 1, gridspec_kw={"height_ratios": [3, 1]})
        else:
            fig, main = new_axes(mpl, ax, FIGSIZE)
            res_ax = None
        for k, (s, result) in enumerate(zip(items, fit_items, strict=True)):
            colour = CELL_COLOURS[k % len(CELL_COLOURS)]
            main.plot(s.real, -s.imag, "o", color=colour, mfc="none", label=_label(s, labels, k))
            if result is not None:
                _, zf = _model_curve(result, s)
                main.plot(zf.real, -zf.imag, "-", color=colour)
                if res_ax is not None:
                    r = result.residuals()
                    res_ax.plot(s.frequency, 100 * r.real, "o", color=colour, ms=2.5)
                    res_ax.plot(s.frequency, 100 * r.imag, "s", color=colour, ms=2.5, mfc="none")
        main.set_aspect("equal", adjustable="datalim")
        main.set_xlabel("$Z'$ (Ω)")
        main.set_ylabel("$-Z''$ (Ω)")
        if labels is not None:
            main.legend()
        if res_ax is not None:
            res_ax.set_xscale("log")
            res_ax.axhline(0.0, color="0.5", lw=0.6)
            res_ax.set_xlabel("Frequency (Hz)")
            res_ax.set_ylabel("Residual (%)")
    return fig


def plot_bode(
    spectra: Spectrum | Sequence[Spectrum],
    fits: FitResult | FailedFit | Sequence[FitResult | FailedFit] | None = None,
    *,
    labels: Sequence[str] | None = None,
) -> Figure:
    """Bode plot: |Z| (log-log) over -phase against frequency, data as markers, fits as lines.

    Parameters
    ----------
    spectra : Spectrum or sequence of Spectrum
        Data.
    fits : FitResult or FailedFit or sequence of them, optional
        One per spectrum (failed ones are skipped).
    labels : sequence of str, optional
        Legend entries, one per spectrum.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: ``axes[0]`` |Z| in ohm, ``axes[1]`` -phase in degrees.
    """
    mpl = load_matplotlib()
    items = _spectra_list(spectra)
    fit_items = _fits_list(fits, len(items))
    with mpl.rc_context(STYLE):
        from matplotlib.figure import Figure

        fig = Figure(figsize=(FIGSIZE[0], FIGSIZE[1] * 1.5), layout="constrained")
        mod_ax, ph_ax = fig.subplots(2, 1, sharex=True)
        for k, (s, result) in enumerate(zip(items, fit_items, strict=True)):
            colour = CELL_COLOURS[k % len(CELL_COLOURS)]
            mod_ax.plot(
                s.frequency, s.modulus, "o", color=colour, mfc="none", label=_label(s, labels, k)
            )
            ph_ax.plot(s.frequency, -s.phase_degree, "o", color=colour, mfc="none")
            if result is not None:
                f, zf = _model_curve(result, s)
                mod_ax.plot(f, np.abs(zf), "-", color=colour)
                ph_ax.plot(f, -np.degrees(np.angle(zf)), "-", color=colour)
        mod_ax.set_xscale("log")
        mod_ax.set_yscale("log")
        mod_ax.set_ylabel("|Z| (Ω)")
        ph_ax.set_ylabel("$-$Phase (°)")
        ph_ax.set_xlabel("Frequency (Hz)")
        if labels is not None:
            mod_ax.legend()
    return fig


def plot_arrhenius(
    temperature_k: npt.ArrayLike,
    conductivity_s_cm: npt.ArrayLike,
    *,
    form: Literal["sigma", "sigma_t"] = "sigma",
    ea_kj_mol: float | None = None,
    prefactor: float | None = None,
    fit_line: bool = True,
    label: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Arrhenius plot: ln sigma (or ln sigmaT) against 1000/T, with a straight line.

    Parameters
    ----------
    temperature_k : array_like
        Temperatures, K.
    conductivity_s_cm : array_like
        Conductivities sigma, S/cm (or any positive quantity such as 1/R_SEI).
    form : {"sigma", "sigma_t"}
        Plot ln sigma (``sigma = A·exp(-Ea/RT)``) or ln(sigma·T)
        (``sigma·T = A·exp(-Ea/RT)``); the y label states which.
    ea_kj_mol, prefactor : float, optional
        A fitted activation energy (kJ/mol) and prefactor ``A`` (S/cm, or S K/cm for the sigmaT
        form) to draw as the line. Give both, or neither.
    fit_line : bool
        Without ``ea_kj_mol``/``prefactor``: draw the least-squares line through the points.
    label : str, optional
        Legend entry for the points.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ImpedanceError
        For mismatched, non-positive or non-finite inputs, or only one of ``ea_kj_mol`` and
        ``prefactor``.
    """
    mpl = load_matplotlib()
    t = np.asarray(temperature_k, dtype=float)
    sigma = np.asarray(conductivity_s_cm, dtype=float)
    if t.shape != sigma.shape or t.ndim != 1 or t.size == 0:
        raise ImpedanceError("temperature and conductivity must be 1-D arrays of one length")
    if not (
        np.isfinite(t).all() and np.isfinite(sigma).all() and (t > 0).all() and (sigma > 0).all()
    ):
        raise ImpedanceError("temperatures (K) and conductivities must be finite and > 0")
    if form not in ("sigma", "sigma_t"):
        raise ImpedanceError(f"form must be 'sigma' or 'sigma_t', not {form!r}")
    if (ea_kj_mol is None) != (prefactor is None):
        raise ImpedanceError("give both ea_kj_mol and prefactor, or neither")
    x = 1000.0 / t
    y = np.log(sigma * t) if form == "sigma_t" else np.log(sigma)
    with mpl.rc_context(STYLE):
        fig, axes = new_axes(mpl, ax, FIGSIZE)
        axes.plot(x, y, "o", color=CELL_COLOURS[0], mfc="none", label=label)
        xl = np.linspace(x.min(), x.max(), 50)
        if ea_kj_mol is not None and prefactor is not None:
            slope = -1e3 * ea_kj_mol / (GAS_CONSTANT * 1000.0)
            axes.plot(xl, np.log(prefactor) + slope * xl, "-", color=CELL_COLOURS[0])
        elif fit_line and x.size >= 2:
            slope, intercept = np.polyfit(x, y, 1)
            axes.plot(xl, intercept + slope * xl, "-", color=CELL_COLOURS[0])
        axes.set_xlabel("1000/T (K⁻¹)")
        axes.set_ylabel(
            r"ln($\sigma T$ / S K cm$^{-1}$)"
            if form == "sigma_t"
            else r"ln($\sigma$ / S cm$^{-1}$)"
        )
        if label is not None:
            axes.legend()
    return fig


def plot_chronoamperometry(
    result: ChronoampAnalysis | TransferenceResult,
    *,
    time_unit: Literal["s", "min", "h"] = "h",
    ax: Axes | None = None,
) -> Figure:
    """Plot the current of a potentiostatic step with I0 and Iss marked.

    Parameters
    ----------
    result : ChronoampAnalysis or TransferenceResult
        The analysed step (a transference result also marks I0 from the impedance).
    time_unit : {"s", "min", "h"}
        Unit of the time axis (time since the start of the step).
    ax : matplotlib.axes.Axes, optional
        Draw into these axes.

    Returns
    -------
    matplotlib.figure.Figure
        Current magnitude in µA; the extrapolated I0 as a marker at t = 0 with its fitted
        early line, Iss as a horizontal line over the steady-state window, I0 = ΔV/(R_b+R_i)
        (transference results) as a dashed line.
    """
    from elyte.transport.transference import ChronoampAnalysis

    mpl = load_matplotlib()
    if time_unit not in _TIME:
        raise ImpedanceError(f"time_unit must be one of {sorted(_TIME)}, not {time_unit!r}")
    analysis = result if isinstance(result, ChronoampAnalysis) else result.ca
    scale = _TIME[time_unit]
    t = analysis.time_s / scale
    i = 1e6 * analysis.sign * analysis.current_a
    ini, ss = analysis.initial, analysis.steady
    with mpl.rc_context(STYLE):
        fig, axes = new_axes(mpl, ax, FIGSIZE)
        axes.plot(t, i, "-", color=CELL_COLOURS[0], label="Current")
        # early fit and its extrapolation to t = 0
        te = np.linspace(0.0, ini.window_s[1], 50)
        xe = np.sqrt(te) if ini.method == "sqrt_t" else te
        axes.plot(te / scale, 1e6 * (ini.intercept_a + ini.slope * xe), ":", color="0.3")
        axes.plot(
            [0.0],
            [1e6 * ini.current_a],
            "o",
            color=CELL_COLOURS[1],
            label=f"$I_0$ = {1e6 * ini.current_a:.4g} µA (extrapolated)",
        )
        axes.plot(
            [ss.window_s[0] / scale, ss.window_s[1] / scale],
            [1e6 * ss.current_a] * 2,
            "-",
            lw=2.5,
            color=CELL_COLOURS[2],
            label=f"$I_{{ss}}$ = {1e6 * ss.current_a:.4g} µA"
            + ("" if ss.reached else " (not steady)"),
        )
        if not isinstance(result, ChronoampAnalysis) and np.isfinite(result.i0_eis_a):
            axes.axhline(
                1e6 * result.i0_eis_a,
                ls="--",
                color=CELL_COLOURS[3],
                lw=0.8,
                label=f"$I_0$ = ΔV/($R_b$+$R_i$) = {1e6 * result.i0_eis_a:.4g} µA",
            )
        top = max(float(np.nanmax(i[1:])) if i.size > 1 else float(i[0]), ini.current_a * 1e6)
        axes.set_ylim(0.0, 1.15 * top)
        axes.set_xlabel(f"Time ({time_unit})")
        axes.set_ylabel("|I| (µA)")
        axes.legend()
    return fig
