"""Impedance spectroscopy: spectra, equivalent circuits and batched circuit fitting.

* :class:`Spectrum` holds one sweep (frequency in Hz, complex impedance in ohm with Z″
  signed as measured, plus source, temperature and sweep number);
  :func:`spectra_from_recording` splits a :class:`~elyte.recording.Recording` into its
  sweeps.
* :class:`Circuit` parses impedance.py-style strings (``"R0-p(R1,CPE1)-W1"``) into a tree
  and evaluates ``Z`` and the analytic ``∂Z/∂p`` for a batch of parameter sets; elements
  are listed in :mod:`elyte.impedance.circuits`, and :func:`register_element` adds new ones.
* :func:`fit` fits one circuit to many spectra at once (vectorised Levenberg-Marquardt in log
  parameters, automatic starting values, covariance and 1sigma errors, optional parameters
  shared across a series) and returns :class:`FitResult` or a falsy :class:`FailedFit`
  per spectrum; :func:`results_frame` tabulates them.

Examples
--------
>>> import numpy as np
>>> from elyte.impedance import Circuit, Spectrum, fit
>>> f = np.logspace(6, -1, 50)
>>> z = Circuit("R0-p(R1,CPE1)").impedance(f, [10.0, 100.0, 1e-5, 0.85])
>>> spectra = [Spectrum(f, z * k) for k in (1.0, 2.0, 3.0)]
>>> [round(r["R1"], 6) for r in fit(spectra, "R0-p(R1,CPE1)")]
[100.0, 200.0, 300.0]
"""

from __future__ import annotations

from elyte.errors import CircuitError, ImpedanceError
from elyte.impedance.circuits import (
    ELEMENTS,
    Circuit,
    ElementKind,
    ElementRegistry,
    ParameterSpec,
    register_element,
)
from elyte.impedance.fit import FailedFit, FitResult, fit, results_frame
from elyte.impedance.guess import initial_guess
from elyte.impedance.spectrum import Spectrum, spectra_from_recording

__all__ = [
    "ELEMENTS",
    "Circuit",
    "CircuitError",
    "ElementKind",
    "ElementRegistry",
    "FailedFit",
    "FitResult",
    "ImpedanceError",
    "ParameterSpec",
    "Spectrum",
    "fit",
    "initial_guess",
    "register_element",
    "results_frame",
    "spectra_from_recording",
]
