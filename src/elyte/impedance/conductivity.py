"""Ionic conductivity from the impedance of a blocking-electrode cell (SS|electrolyte|SS).

The bulk resistance ``R_b`` is estimated three ways and all are reported with their
disagreement:

``min_imag``
    Z' at the minimum of -Z″ between the bulk arc and the blocking spike (the interior
    local minimum of -Z″ in frequency order; when the arc lies above the highest measured
    frequency, -Z″ only rises and the minimum is the highest-frequency capacitive point).
``spike``
    The low-frequency blocking spike extrapolated to Z″ = 0: a straight-line fit of Z'
    against -Z″ (weighted by 1/|Z|) over the part of the spike near the real axis (see
    :func:`bulk_resistance`). For a pure CPE spike the
    line is exact, with slope ``cot(alpha·π/2)``; the implied exponent is reported.
``fit``
    An equivalent-circuit fit with :func:`elyte.impedance.fit`: ``R_b-CPE_dl`` when the arc is
    not resolved, ``R0-p(R_b,CPE_g)-CPE_dl`` when it is (an interior minimum of -Z″).
    ``R_b`` is the bulk resistance with its 1-sigma from the fit covariance. With
    ``inductive="model"`` an ``L`` is put in series and the inductive points are kept.

Inductive high-frequency points (Z″ > 0: lead inductance) are cropped first (the result's
notes say how many) unless ``inductive="model"``.

``sigma = L/(A·R_b) = K/R_b`` with the cell constant ``K = L/A`` (cm⁻¹). Its relative 1-sigma is
``√((δL/L)² + (δA/A)² + (δR/R)²)``. A soaked separator gives an *effective* conductivity
(tortuosity and porosity included): pass ``effective=True`` to label it so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from elyte.errors import ImpedanceError
from elyte.impedance.fit import FailedFit, FitResult, fit
from elyte.impedance.spectrum import Spectrum

__all__ = [
    "BulkResistance",
    "ConductivityResult",
    "bulk_resistance",
    "cell_constant",
    "conductivity",
]

Array = npt.NDArray[Any]
Method = Literal["fit", "min_imag", "spike"]
_METHODS = ("fit", "min_imag", "spike")


def _q(value: float | None, unit: str) -> dict[str, Any] | None:
    if value is None or not math.isfinite(value):
        return None
    return {"value": float(value), "unit": unit}


@dataclass(frozen=True, eq=False)
class BulkResistance:
    """Bulk resistance of one spectrum by the three methods.

    Attributes
    ----------
    min_imag_ohm : float
        Z' at the minimum of -Z″, ohm.
    min_imag_frequency_hz : float
        Frequency of that point, Hz.
    arc_resolved : bool
        Whether an interior minimum of -Z″ (arc then spike) was found.
    spike_ohm, spike_error_ohm : float
        Spike extrapolated to Z″ = 0 and the 1-sigma of the intercept, ohm (NaN when the spike
        has fewer than 3 points).
    spike_alpha : float
        CPE exponent implied by the spike's slope (NaN when not fitted).
    spike_points : int
        Points used for the spike line.
    fit : FitResult or FailedFit or None
        The circuit fit (None when not requested).
    fit_ohm, fit_error_ohm : float
        ``R_b`` of the fit and its 1-sigma, ohm (NaN when the fit failed).
    fit_series_ohm : float
        ``R0`` of the fit (leads, contacts; 0 when the circuit has none), ohm. The graphical
        estimates include it, so the spread compares them with ``R0 + R_b``.
    spectrum : Spectrum
        The spectrum analysed (inductive points cropped unless modelled).
    notes : tuple of str
        What was cropped, chosen or assumed.
    """

    min_imag_ohm: float
    min_imag_frequency_hz: float
    arc_resolved: bool
    spike_ohm: float
    spike_error_ohm: float
    spike_alpha: float
    spike_points: int
    fit: FitResult | FailedFit | None
    fit_ohm: float
    fit_error_ohm: float
    spectrum: Spectrum
    fit_series_ohm: float = 0.0
    notes: tuple[str, ...] = field(default=())

    def by_method(self) -> dict[str, float]:
        """``{"fit": ..., "min_imag": ..., "spike": ...}``, ohm (NaN where not available)."""
        return {"fit": self.fit_ohm, "min_imag": self.min_imag_ohm, "spike": self.spike_ohm}

    @property
    def spread_relative(self) -> float:
        """(max - min)/median of the estimates of R0 + R_b (0 with one estimate)."""
        est = self.by_method()
        est["fit"] = self.fit_ohm + self.fit_series_ohm
        v = np.array([x for x in est.values() if math.isfinite(x)])
        if v.size == 0:
            return math.nan
        return float((v.max() - v.min()) / np.median(v))

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {
            "min_imag": _q(self.min_imag_ohm, "ohm"),
            "min_imag_frequency": _q(self.min_imag_frequency_hz, "Hz"),
            "arc_resolved": self.arc_resolved,
            "spike": _q(self.spike_ohm, "ohm"),
            "spike_error": _q(self.spike_error_ohm, "ohm"),
            "spike_cpe_alpha": self.spike_alpha if math.isfinite(self.spike_alpha) else None,
            "spike_points": self.spike_points,
            "fit": _q(self.fit_ohm, "ohm"),
            "fit_error": _q(self.fit_error_ohm, "ohm"),
            "fit_series_resistance": _q(self.fit_series_ohm, "ohm"),
            "fit_result": self.fit.to_dict() if self.fit is not None else None,
            "spread_relative": self.spread_relative
            if math.isfinite(self.spread_relative)
            else None,
            "notes": list(self.notes),
        }


def _graphical(
    s: Spectrum, spike_fraction: float, spike_span: float
) -> tuple[float, float, bool, float, float, float, int, list[str]]:
    """min(-Z″) and spike extrapolation on a spectrum sorted high to low frequency."""
    notes: list[str] = []
    mz = -s.imag
    n = mz.size
    interior = np.flatnonzero((mz[1:-1] < mz[:-2]) & (mz[1:-1] <= mz[2:])) + 1
    # an arc counts as resolved when an apex before the minimum stands clearly above it
    # (twice as high and at least 5 % of Z'), not a wiggle of noise
    apex = np.array([mz[:i].max() for i in interior]) if interior.size else np.empty(0)
    real_ref = np.abs(s.real[interior]) if interior.size else np.empty(0)
    significant = interior[
        (apex >= 2.0 * np.maximum(mz[interior], 0.0)) & (apex >= 0.05 * real_ref)
    ]
    if significant.size:
        k = int(significant[np.argmin(mz[significant])])
        resolved = True
    else:
        k = int(np.argmin(mz))
        resolved = False
        notes.append(
            "-Z'' has no clear minimum between an arc and the spike: the bulk arc lies above "
            f"the highest frequency; min(-Z'') is at {s.frequency[k]:.4g} Hz"
        )
    r_min = float(s.real[k])
    f_min = float(s.frequency[k])
    tail = np.arange(k + 1, n)
    spike_r = spike_e = spike_a = math.nan
    used = 0
    # the spike near the real axis: -Z'' from max(2·min, spike_fraction·Z') up to
    # spike_span·Z' (at least the first 3 points above the lower limit)
    low = max(2.0 * mz[k], spike_fraction * abs(r_min))
    cand = tail[mz[tail] >= low]
    sel = cand[mz[cand] <= spike_span * abs(r_min)]
    if sel.size < 3:
        sel = cand[:3]
    if sel.size >= 3:
        # weighted by 1/|Z|: impedance noise is roughly proportional to |Z|
        w = 1.0 / s.modulus[sel]
        x = mz[sel]
        design = np.column_stack([np.ones_like(x), x]) * w[:, None]
        y = s.real[sel] * w
        coef, *_ = np.linalg.lstsq(design, y, rcond=None)
        resid = y - design @ coef
        dof = sel.size - 2
        cov = np.linalg.inv(design.T @ design) * (resid @ resid / dof if dof > 0 else np.nan)
        spike_r = float(coef[0])
        spike_e = float(math.sqrt(cov[0, 0])) if np.isfinite(cov[0, 0]) else math.nan
        spike_a = float(2.0 / math.pi * math.atan2(1.0, float(coef[1])))
        used = int(sel.size)
    if used == 0:
        notes.append("the blocking spike has fewer than 3 usable points: no extrapolation")
    return r_min, f_min, resolved, spike_r, spike_e, spike_a, used, notes


def _data(entry: tuple[Spectrum, Spectrum, tuple[Any, ...]], inductive: str) -> Spectrum:
    return entry[0] if inductive == "model" else entry[1]


def bulk_resistance(
    spectra: Spectrum | Sequence[Spectrum],
    *,
    circuit: str | None = None,
    inductive: Literal["crop", "model"] = "crop",
    spike_fraction: float = 0.02,
    spike_span: float = 20.0,
    fit_circuit: bool = True,
    weighting: Literal["modulus", "unit", "proportional"] = "modulus",
) -> list[BulkResistance]:
    """Bulk resistance of blocking-electrode spectra by min(-Z″), spike extrapolation and fit.

    Parameters
    ----------
    spectra : Spectrum or sequence of Spectrum
        One or more sweeps (fitted together as one batch per circuit).
    circuit : str, optional
        Circuit to fit; must contain ``R_b`` or a first resistor ``R``. Default: chosen per
        spectrum (see the module notes).
    inductive : {"crop", "model"}
        Crop the high-frequency Z″ > 0 points, or keep them and add a series ``L0`` to the
        default circuit (the graphical methods always use the cropped points). Lead
        inductance also shifts the capacitive points near ``f_max``, where cropping cannot
        remove it: use ``"model"`` when the bulk arc is resolved near the top frequency. On
        simulated SS|gel|SS spectra at 0-10 °C (bulk arc half resolved) cropping biased sigma
        by 5-27 % and ``"model"`` by < 0.11 %; ``"model"`` is not the default because its fit
        fails more often on spectra where the arc lies above ``f_max``. Compare the methods'
        spread in the result.
    spike_fraction, spike_span : float
        The spike line uses the points below the minimum's frequency with
        ``max(2·min(-Z″), spike_fraction·Z'_min) <= -Z″ <= spike_span·Z'_min`` (at least the
        first three above the lower limit).
    fit_circuit : bool
        Also fit a circuit.
    weighting : {"modulus", "unit", "proportional"}
        Fit weighting.

    Returns
    -------
    list of BulkResistance
        In input order.
    """
    items = [spectra] if isinstance(spectra, Spectrum) else list(spectra)
    if not items:
        raise ImpedanceError("bulk_resistance() needs at least one spectrum")
    if inductive not in ("crop", "model"):
        raise ImpedanceError(f"inductive must be 'crop' or 'model', not {inductive!r}")
    prepared: list[tuple[Spectrum, Spectrum, tuple[Any, ...]]] = []
    srt: Spectrum
    for s in items:
        if not isinstance(s, Spectrum):
            raise ImpedanceError(f"expected a Spectrum, got {type(s).__name__}")
        srt = s.sorted()
        cropped = srt.without_inductive() if (srt.imag > 0).any() else srt
        if len(cropped) < 4:
            raise ImpedanceError(
                f"{s!r}: fewer than 4 capacitive points are left after cropping the inductive ones"
            )
        prepared.append((srt, cropped, _graphical(cropped, spike_fraction, spike_span)))

    # circuit per spectrum, then one batched fit per distinct circuit
    chosen: list[str] = []
    for _srt, _cropped, g in prepared:
        if circuit is not None:
            spec = circuit
        else:
            spec = "R0-p(R_b,CPE_g)-CPE_dl" if g[2] else "R_b-CPE_dl"
        if inductive == "model" and circuit is None:
            spec = "L0-" + spec
        chosen.append(spec)
    fits: list[FitResult | FailedFit | None] = [None] * len(items)
    retried: dict[int, str] = {}
    if fit_circuit:
        for spec in dict.fromkeys(chosen):
            idx = [i for i, c in enumerate(chosen) if c == spec]
            data = [_data(prepared[i], inductive) for i in idx]
            # a parameter on a bound (typically CPE_g alpha -> 1, an ideal capacitor) is
            # kept with a NaN error: R_b is still determined
            results = fit(data, spec, weighting=weighting, on_bound="keep")
            for i, r in zip(idx, results, strict=True):
                fits[i] = r
        # a default arc circuit that failed (e.g. R0 not determined next to a large R_b) is
        # retried as the simpler R_b-CPE_dl, whose R_b then includes R0
        retry = [
            i
            for i, r in enumerate(fits)
            if circuit is None and r is not None and not r and "p(R_b" in chosen[i]
        ]
        if retry:
            simple = ("L0-" if inductive == "model" else "") + "R_b-CPE_dl"
            again = fit(
                [_data(prepared[i], inductive) for i in retry],
                simple,
                weighting=weighting,
                on_bound="keep",
            )
            for i, r in zip(retry, again, strict=True):
                if r:
                    old = fits[i]
                    why = old.reason if isinstance(old, FailedFit) else "failed"
                    retried[i] = f"{chosen[i]!r} failed ({why}); refitted as {simple!r}"
                    fits[i] = r
                    chosen[i] = simple

    out = []
    for i, (_srt, cropped, g) in enumerate(prepared):
        r_min, f_min, resolved, spike_r, spike_e, spike_a, used, gnotes = g
        notes = list(cropped.notes) + gnotes
        if i in retried:
            notes.append(retried[i] + "; its R_b includes the series resistance")
        res = fits[i]
        fit_r = fit_e = math.nan
        series = 0.0
        if res is not None:
            names = res.names
            name = "R_b" if "R_b" in names else next((n for n in names if n.startswith("R")), "")
            if not name:
                raise ImpedanceError(f"circuit {chosen[i]!r} has no resistor for R_b")
            if isinstance(res, FitResult):
                fit_r, fit_e = res[name], res.error(name)
                notes.append(f"R_b from the fit is parameter {name!r} of {chosen[i]!r}")
                if res.at_bounds:
                    notes.append(
                        f"fit parameter(s) {list(res.at_bounds)} ended on a bound "
                        "(kept, error not estimated)"
                    )
                if "R0" in names and name != "R0":
                    series = res["R0"]
                    notes.append(
                        f"the series resistance R0 = {res['R0']:.4g} ohm (leads, contacts) is "
                        "not included in R_b (the graphical estimates include it)"
                    )
            else:
                notes.append(f"the circuit fit failed ({res.reason}): {res.message}")
        out.append(
            BulkResistance(
                min_imag_ohm=r_min,
                min_imag_frequency_hz=f_min,
                arc_resolved=resolved,
                spike_ohm=spike_r,
                spike_error_ohm=spike_e,
                spike_alpha=spike_a,
                spike_points=used,
                fit=res,
                fit_ohm=float(fit_r),
                fit_error_ohm=float(fit_e),
                spectrum=cropped,
                fit_series_ohm=float(series),
                notes=tuple(notes),
            )
        )
    return out


def cell_constant(
    thickness_um: float,
    area_cm2: float,
    *,
    thickness_error_um: float = 0.0,
    area_error_cm2: float = 0.0,
) -> tuple[float, float]:
    """Cell constant ``K = L/A`` (cm⁻¹) and its 1-sigma from the thickness and area 1-sigma.

    Raises
    ------
    ImpedanceError
        For a non-positive thickness or area, or negative errors.
    """
    for name, v in (("thickness_um", thickness_um), ("area_cm2", area_cm2)):
        if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
            raise ImpedanceError(f"{name} must be a positive number, got {v!r}")
    for name, v in (("thickness_error_um", thickness_error_um), ("area_error_cm2", area_error_cm2)):
        if not (math.isfinite(v) and v >= 0):
            raise ImpedanceError(f"{name} must be >= 0, got {v!r}")
    k = thickness_um * 1e-4 / area_cm2
    rel = math.hypot(thickness_error_um / thickness_um, area_error_cm2 / area_cm2)
    return k, k * rel


@dataclass(frozen=True, eq=False)
class ConductivityResult:
    """Ionic conductivity of one spectrum.

    Attributes
    ----------
    conductivity_s_cm, conductivity_error_s_cm : float
        sigma and its 1-sigma, S/cm.
    method : str
        Which R_b gave sigma (``"fit"``, ``"min_imag"`` or ``"spike"``).
    bulk_resistance_ohm, bulk_resistance_error_ohm : float
        That R_b and its 1-sigma, ohm (0 for ``min_imag``, which has no statistical error).
    by_method : dict of str to float
        sigma (S/cm) from each available R_b.
    bulk : BulkResistance
        All three estimates and the fit.
    cell_constant_per_cm, cell_constant_error_per_cm : float
        ``K = L/A`` and its 1-sigma, cm⁻¹.
    thickness_um, area_cm2 : float
        Geometry used.
    temperature_kelvin : float or None
        From the spectrum or as given.
    effective : bool
        True for a soaked separator (effective sigma, tortuosity included).
    notes : tuple of str
        Remarks.
    """

    conductivity_s_cm: float
    conductivity_error_s_cm: float
    method: str
    bulk_resistance_ohm: float
    bulk_resistance_error_ohm: float
    by_method: dict[str, float]
    bulk: BulkResistance
    cell_constant_per_cm: float
    cell_constant_error_per_cm: float
    thickness_um: float
    area_cm2: float
    temperature_kelvin: float | None
    effective: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def conductivity_ms_cm(self) -> float:
        """sigma, mS/cm."""
        return 1e3 * self.conductivity_s_cm

    @property
    def conductivity_error_ms_cm(self) -> float:
        """1-sigma of sigma, mS/cm."""
        return 1e3 * self.conductivity_error_s_cm

    def __repr__(self) -> str:
        t = (
            f" at {self.temperature_kelvin - 273.15:.2f} °C"
            if self.temperature_kelvin is not None
            else ""
        )
        kind = "effective sigma" if self.effective else "sigma"
        return (
            f"ConductivityResult({kind} = {self.conductivity_ms_cm:.4g} ± "
            f"{self.conductivity_error_ms_cm:.2g} mS/cm{t}, R_b = {self.bulk_resistance_ohm:.5g} "
            f"ohm ({self.method}), methods disagree by {100 * self.bulk.spread_relative:.2g} %)"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view, numbers as ``{"value", "unit"}``."""
        return {
            "conductivity": _q(self.conductivity_s_cm, "S/cm"),
            "conductivity_error": _q(self.conductivity_error_s_cm, "S/cm"),
            "conductivity_ms_cm": _q(self.conductivity_ms_cm, "mS/cm"),
            "conductivity_error_ms_cm": _q(self.conductivity_error_ms_cm, "mS/cm"),
            "effective": self.effective,
            "method": self.method,
            "bulk_resistance": _q(self.bulk_resistance_ohm, "ohm"),
            "bulk_resistance_error": _q(self.bulk_resistance_error_ohm, "ohm"),
            "conductivity_by_method": {k: _q(v, "S/cm") for k, v in self.by_method.items()},
            "bulk": self.bulk.to_dict(),
            "cell_constant": _q(self.cell_constant_per_cm, "1/cm"),
            "cell_constant_error": _q(self.cell_constant_error_per_cm, "1/cm"),
            "thickness": _q(self.thickness_um, "um"),
            "area": _q(self.area_cm2, "cm2"),
            "temperature": _q(self.temperature_kelvin, "K")
            if self.temperature_kelvin is not None
            else None,
            "source": self.bulk.spectrum.source,
            "sweep": self.bulk.spectrum.sweep,
            "notes": list(self.notes),
        }


def conductivity(
    spectra: Spectrum | Sequence[Spectrum],
    *,
    thickness_um: float,
    area_cm2: float,
    thickness_error_um: float = 0.0,
    area_error_cm2: float = 0.0,
    temperature_kelvin: float | Sequence[float] | None = None,
    method: Method | None = None,
    circuit: str | None = None,
    inductive: Literal["crop", "model"] = "crop",
    effective: bool = False,
) -> list[ConductivityResult]:
    """Sigma = L/(A·R_b) for one or more blocking-electrode spectra.

    Parameters
    ----------
    spectra : Spectrum or sequence of Spectrum
        The sweeps (fitted together as a batch).
    thickness_um, area_cm2 : float
        Electrolyte (or separator) thickness, µm, and electrode area, cm².
    thickness_error_um, area_error_cm2 : float
        Their 1-sigma, µm and cm².
    temperature_kelvin : float or sequence of float, optional, K
        Overrides the spectra's temperatures (one value or one per spectrum).
    method : {"fit", "min_imag", "spike"}, optional
        R_b used for sigma. Default: the fit when it converged, else the spike, else min(-Z″)
        (a note says which).
    circuit, inductive
        See :func:`bulk_resistance`.
    effective : bool
        Label sigma as an effective (separator) conductivity.

    Returns
    -------
    list of ConductivityResult
        In input order.

    Raises
    ------
    ImpedanceError
        For bad geometry, an unknown method, or a temperature count that does not match.
    """
    if method is not None and method not in _METHODS:
        raise ImpedanceError(f"method must be one of {_METHODS}, not {method!r}")
    k, k_err = cell_constant(
        thickness_um,
        area_cm2,
        thickness_error_um=thickness_error_um,
        area_error_cm2=area_error_cm2,
    )
    items = [spectra] if isinstance(spectra, Spectrum) else list(spectra)
    temps: list[float | None]
    if temperature_kelvin is None:
        temps = [s.temperature_kelvin for s in items]
    else:
        given = np.atleast_1d(np.asarray(temperature_kelvin, dtype=float))
        if given.size == 1:
            given = np.repeat(given, len(items))
        if given.size != len(items):
            raise ImpedanceError(f"{given.size} temperatures given for {len(items)} spectra")
        temps = [float(t) for t in given]
    bulks = bulk_resistance(
        items, circuit=circuit, inductive=inductive, fit_circuit=method in (None, "fit")
    )
    out = []
    for b, t in zip(bulks, temps, strict=True):
        notes = list(b.notes)
        errors = {"fit": b.fit_error_ohm, "min_imag": 0.0, "spike": b.spike_error_ohm}
        values = b.by_method()
        if method is None:
            use = next(
                m
                for m in ("fit", "spike", "min_imag")
                if math.isfinite(values[m]) and values[m] > 0
            )
            if use != "fit":
                notes.append(
                    f"sigma uses R_b from {use!r} because the circuit fit is not available"
                )
        else:
            use = method
            if not math.isfinite(values[use]):
                raise ImpedanceError(f"{b.spectrum!r}: R_b by {use!r} is not available")
        r = values[use]
        r_err = errors[use] if math.isfinite(errors[use]) else 0.0
        if use == "min_imag":
            notes.append("min(-Z'') has no statistical error; see the spread between methods")
        if r <= 0:
            raise ImpedanceError(f"{b.spectrum!r}: R_b by {use!r} is {r} ohm, not positive")
        sigma = k / r
        rel = math.hypot(k_err / k, r_err / r)
        by = {m: (k / v if math.isfinite(v) and v > 0 else math.nan) for m, v in values.items()}
        if effective:
            notes.append("effective conductivity of a soaked separator (tortuosity included)")
        out.append(
            ConductivityResult(
                conductivity_s_cm=sigma,
                conductivity_error_s_cm=sigma * rel,
                method=use,
                bulk_resistance_ohm=r,
                bulk_resistance_error_ohm=r_err,
                by_method=by,
                bulk=b,
                cell_constant_per_cm=k,
                cell_constant_error_per_cm=k_err,
                thickness_um=float(thickness_um),
                area_cm2=float(area_cm2),
                temperature_kelvin=t,
                effective=effective,
                notes=tuple(notes),
            )
        )
    return out
