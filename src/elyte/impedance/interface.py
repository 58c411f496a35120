"""Interfacial resistance from a series of spectra, and the SEI activation energy.

:func:`interfacial_resistance` fits one circuit to every spectrum of a series (cycles of a
cathode/Li cell, or temperatures of a Li‖Li cell) in one batched call of
:func:`elyte.impedance.fit` and tabulates the resistances (``R_SEI``, ``R_ct``, ...) with
their 1-sigma errors. The default circuit ``R0-p(R_SEI,CPE_SEI)-p(R_ct,CPE_dl)`` has the SEI
arc at high frequency and charge transfer below it (the usual ordering; name your own
circuit if the cell differs). ``shared=`` fits chosen parameters (for example the CPE
exponents) as one value across the series (a global fit).

:func:`sei_activation_energy` takes spectra at several temperatures, fits them, and fits
``1/R_SEI`` (a conductance, a rate-like quantity) as Arrhenius in its sigma form,
``1/R = A·exp(-Ea/RT)``, with :func:`elyte.transport.arrhenius.fit_arrhenius` weighted by
the fit errors (the relative error of ``1/R`` equals that of ``R``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from elyte.errors import ImpedanceError
from elyte.impedance.fit import FailedFit, FitResult, fit
from elyte.impedance.spectrum import Spectrum

if TYPE_CHECKING:
    import polars as pl

    from elyte.transport.arrhenius import ArrheniusFit

__all__ = [
    "DEFAULT_INTERFACE_CIRCUIT",
    "InterfaceSeries",
    "SEIActivation",
    "interfacial_resistance",
    "sei_activation_energy",
]

DEFAULT_INTERFACE_CIRCUIT = "R0-p(R_SEI,CPE_SEI)-p(R_ct,CPE_dl)"


def _q(value: float, unit: str) -> dict[str, Any] | None:
    return {"value": float(value), "unit": unit} if math.isfinite(value) else None


@dataclass(frozen=True, eq=False)
class InterfaceSeries:
    """Fitted resistances of a series of spectra.

    Attributes
    ----------
    circuit : str
        The circuit fitted.
    labels : list of int or float
        Cycle numbers (or temperatures, K) of the spectra.
    label_name : str
        ``"cycle"`` or ``"temperature_kelvin"``.
    resistances : tuple of str
        Interfacial resistance parameters reported (every ``R`` except the series ``R0``).
    fits : list of FitResult or FailedFit
        One per spectrum.
    shared : tuple of str
        Parameters shared across the series (global fit).
    notes : tuple of str
        Remarks.
    """

    circuit: str
    labels: list[float]
    label_name: str
    resistances: tuple[str, ...]
    fits: list[FitResult | FailedFit]
    shared: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def values(self, name: str) -> np.ndarray:
        """Fitted ``name`` per spectrum, ohm (NaN for failed fits)."""
        return np.array([r[name] if r else math.nan for r in self.fits])

    def errors(self, name: str) -> np.ndarray:
        """1-sigma of ``name`` per spectrum, ohm (NaN for failed fits)."""
        return np.array(
            [r.error(name) if isinstance(r, FitResult) else math.nan for r in self.fits]
        )

    def total(self) -> tuple[np.ndarray, np.ndarray]:
        """Sum of the interfacial resistances and its 1-sigma (errors added in quadrature), ohm."""
        v = sum((self.values(n) for n in self.resistances), np.zeros(len(self.fits)))
        e2 = sum((self.errors(n) ** 2 for n in self.resistances), np.zeros(len(self.fits)))
        return np.asarray(v), np.sqrt(np.asarray(e2))

    def to_frame(self) -> pl.DataFrame:
        """One row per spectrum: label, each resistance and its error (ohm), success."""
        import polars as pl

        cols: dict[str, Any] = {self.label_name: self.labels}
        for n in self.resistances:
            cols[f"{n}_ohm"] = self.values(n)
            cols[f"{n}_error_ohm"] = self.errors(n)
        tot, tot_e = self.total()
        cols["total_interfacial_ohm"] = tot
        cols["total_interfacial_error_ohm"] = tot_e
        cols["success"] = [bool(r) for r in self.fits]
        return pl.DataFrame(cols)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        rows = []
        tot, tot_e = self.total()
        for i, r in enumerate(self.fits):
            row: dict[str, Any] = {self.label_name: self.labels[i], "success": bool(r)}
            for n in self.resistances:
                row[n] = _q(self.values(n)[i], "ohm")
                row[f"{n}_error"] = _q(self.errors(n)[i], "ohm")
            row["total_interfacial"] = _q(tot[i], "ohm")
            row["total_interfacial_error"] = _q(tot_e[i], "ohm")
            if not r:
                row["reason"] = r.reason  # type: ignore[union-attr]
            rows.append(row)
        return {
            "circuit": self.circuit,
            "shared": list(self.shared),
            "rows": rows,
            "fits": [r.to_dict() for r in self.fits],
            "notes": list(self.notes),
        }


def interfacial_resistance(
    spectra: Sequence[Spectrum],
    *,
    circuit: str = DEFAULT_INTERFACE_CIRCUIT,
    labels: Sequence[float] | None = None,
    label_name: Literal["cycle", "temperature_kelvin"] = "cycle",
    shared: Sequence[str] | None = None,
    crop_inductive: bool = True,
    weighting: Literal["modulus", "unit", "proportional"] = "modulus",
) -> InterfaceSeries:
    """Fit ``circuit`` to every spectrum and tabulate the interfacial resistances.

    Parameters
    ----------
    spectra : sequence of Spectrum
        The series (one batched fit).
    circuit : str
        Equivalent circuit; every ``R`` parameter except ``R0`` is reported.
    labels : sequence of float, optional
        Cycle numbers (or temperatures). Default: the spectra's ``cycle_count`` metadata when
        every spectrum has it, else 1, 2, 3, ...
    label_name : {"cycle", "temperature_kelvin"}
        Name of the label column.
    shared : sequence of str, optional
        Parameters shared across the series (a global fit, e.g. the CPE exponents).
    crop_inductive : bool
        Drop high-frequency points with Z″ > 0 before fitting.
    weighting : {"modulus", "unit", "proportional"}
        Fit weighting.

    Returns
    -------
    InterfaceSeries
    """
    items = list(spectra)
    if not items:
        raise ImpedanceError("interfacial_resistance() needs at least one spectrum")
    notes: list[str] = []
    if crop_inductive:
        cropped = []
        for s in items:
            if not isinstance(s, Spectrum):
                raise ImpedanceError(f"expected a Spectrum, got {type(s).__name__}")
            cropped.append(s.without_inductive() if (s.imag > 0).any() else s)
        n_crop = sum(1 for a, b in zip(items, cropped, strict=True) if len(a) != len(b))
        if n_crop:
            notes.append(f"inductive high-frequency points (Z'' > 0) cropped in {n_crop} spectra")
        items = cropped
    if labels is None:
        cycles = [s.metadata.get("cycle_count") for s in items]
        if label_name == "cycle" and all(isinstance(c, int) for c in cycles):
            lab = [float(c) for c in cycles]  # type: ignore[arg-type]
            notes.append("cycle numbers from the spectra's cycle_count")
        elif label_name == "temperature_kelvin" and all(
            s.temperature_kelvin is not None for s in items
        ):
            lab = [float(s.temperature_kelvin) for s in items]  # type: ignore[arg-type]
        else:
            lab = [float(i + 1) for i in range(len(items))]
            notes.append(f"{label_name} numbered 1..{len(items)} in the order given")
    else:
        lab = [float(v) for v in labels]
        if len(lab) != len(items):
            raise ImpedanceError(f"{len(lab)} labels for {len(items)} spectra")
    results = fit(items, circuit, weighting=weighting)
    if shared:
        # a global fit starts from the independent fits (shared parameters at their median):
        # the joint problem converges far more reliably from there than from the guesses
        ok = [r for r in results if r]
        if ok:
            start = np.array([r.values if r else ok[0].values for r in results], dtype=float)
            for name in shared:
                k = list(results[0].names).index(name) if name in results[0].names else None
                if k is not None:
                    start[:, k] = np.median([r.values[k] for r in ok])
            results = fit(items, circuit, shared=shared, weighting=weighting, initial=start)
            notes.append(f"global fit sharing {list(shared)}, started from the independent fits")
        else:
            results = fit(items, circuit, shared=shared, weighting=weighting)
    names = results[0].names
    units = results[0].units
    res_names = tuple(
        n
        for n, u in zip(names, units, strict=True)
        if n.startswith("R") and u == "ohm" and n != "R0"
    )
    if not res_names:
        raise ImpedanceError(f"circuit {circuit!r} has no interfacial resistor besides R0")
    failed = sum(1 for r in results if not r)
    if failed:
        notes.append(f"{failed} of {len(results)} fits failed; their rows are NaN")
    return InterfaceSeries(
        circuit=circuit,
        labels=lab,
        label_name=label_name,
        resistances=res_names,
        fits=list(results),
        shared=tuple(shared or ()),
        notes=tuple(notes),
    )


@dataclass(frozen=True, eq=False)
class SEIActivation:
    """Activation energy of ion transport through the SEI from ``R_SEI(T)``.

    Attributes
    ----------
    series : InterfaceSeries
        The fits at each temperature.
    resistance : str
        The parameter used (``"R_SEI"``).
    arrhenius : ArrheniusFit
        Fit of ``1/R`` (sigma form: ``1/R = A·exp(-Ea/RT)``).
    notes : tuple of str
        Remarks.
    """

    series: InterfaceSeries
    resistance: str
    arrhenius: ArrheniusFit
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {
            "resistance": self.resistance,
            "arrhenius": self.arrhenius.to_dict(),
            "series": self.series.to_dict(),
            "notes": list(self.notes),
        }


def sei_activation_energy(
    spectra: Sequence[Spectrum],
    *,
    temperature_kelvin: Sequence[float] | None = None,
    circuit: str = DEFAULT_INTERFACE_CIRCUIT,
    resistance: str = "R_SEI",
    shared: Sequence[str] | None = None,
    global_fit: bool = False,
) -> SEIActivation:
    """Fit spectra at several temperatures and ``1/R_SEI`` as Arrhenius (sigma form).

    Parameters
    ----------
    spectra : sequence of Spectrum
        One spectrum per temperature (at least 2, better 5 over 40 K or more).
    temperature_kelvin : sequence of float, optional, K
        Temperatures; default the spectra's ``temperature_kelvin``.
    circuit : str
        Circuit with the parameter ``resistance``.
    resistance : str
        Parameter whose inverse is fitted (``"R_SEI"``; ``"R_ct"`` for charge transfer).
    shared : sequence of str, optional
        Parameters shared across temperatures.
    global_fit : bool
        Shortcut: share every CPE exponent (``*_alpha``) across temperatures.

    Returns
    -------
    SEIActivation

    Raises
    ------
    ImpedanceError
        When temperatures are missing, or fewer than 2 fits succeed.
    """
    from elyte.transport.arrhenius import fit_arrhenius

    items = list(spectra)
    if temperature_kelvin is None:
        temps = [s.temperature_kelvin for s in items]
        if any(t is None for t in temps):
            raise ImpedanceError(
                "sei_activation_energy() needs temperatures: pass temperature_kelvin= or "
                "spectra with temperature_kelvin set"
            )
        t_arr = np.array(temps, dtype=float)
    else:
        t_arr = np.asarray(temperature_kelvin, dtype=float)
        if t_arr.size != len(items):
            raise ImpedanceError(f"{t_arr.size} temperatures for {len(items)} spectra")
    from elyte.impedance.circuits import Circuit

    share = list(shared or ())
    if global_fit:
        share += [n for n in Circuit(circuit).parameter_names if n.endswith("_alpha")]
        share = list(dict.fromkeys(share))
    series = interfacial_resistance(
        items,
        circuit=circuit,
        labels=t_arr.tolist(),
        label_name="temperature_kelvin",
        shared=share or None,
    )
    r = series.values(resistance)
    e = series.errors(resistance)
    ok = np.isfinite(r) & (r > 0)
    notes = list(series.notes)
    if ok.sum() < 2:
        raise ImpedanceError(
            f"only {int(ok.sum())} fit(s) gave {resistance}; an Arrhenius fit needs at least 2"
        )
    if not ok.all():
        notes.append(f"{int((~ok).sum())} temperature(s) without a fit were left out")
    use_err = bool(np.isfinite(e[ok]).all() and (e[ok] > 0).all())
    arr = fit_arrhenius(
        t_arr[ok],
        1.0 / r[ok],
        y_error=(e[ok] / r[ok] ** 2) if use_err else None,
        form="sigma",
        quantity=f"1/{resistance}",
        unit="1/ohm",
    )
    return SEIActivation(series=series, resistance=resistance, arrhenius=arr, notes=tuple(notes))
