"""Simulated linear sweep voltammetry (LSV) of an electrolyte on an inert working electrode.

:func:`linear_sweep` samples a single anodic sweep ``E(t) = E_start + v t`` every ``dt_s``
and computes the current density (mA/cm²) as the sum of

* the double-layer (capacitive) current ``j_cap = C v`` (``C`` in F/cm², ``v`` in V/s,
  times 1000 for mA), constant along the sweep;
* an optional leakage line ``G (E - E_start)`` (``G`` in S/cm², times 1000 for mA);
* an optional exponential (Tafel-like) oxidation ``j0 exp((E - E0)/b)``;
* an optional Gaussian oxidation peak ``h exp(-(E - E_pk)² / (2 w²))`` (a salt or
  impurity oxidation such as LiPF6 carbonate electrolytes show near 4.0 V vs Li/Li+);
* Gaussian current noise (mA/cm²) and optional Gaussian potential noise (V) from a seeded
  :class:`numpy.random.Generator`.

The current is positive (oxidation at the working electrode, EC-Lab's sign). The
ground truth (:class:`LsvTruth`) gives two onsets at a threshold ``j_th``, both for the
noise-free curve:

``onset_v`` (no baseline subtracted)
    The first potential where the *total* current density reaches ``j_th``. With no leak and
    no peak it is analytic: ``E_on = E0 + b ln((j_th - j_cap)/j0)`` (``None`` when
    ``j_cap >= j_th``: the raw current is above the threshold from the first point).
``onset_corrected_v`` (baseline subtracted)
    The first potential where the *faradaic* current density (exponential plus peak, i.e.
    the total minus ``C v`` and minus the leak line) reaches ``j_th``: what a perfect
    baseline subtraction gives. With no peak it is analytic: ``E_on = E0 + b ln(j_th/j0)``.
    The ``"capacitive"`` baseline of :func:`elyte.voltammetry.anodic_stability` removes
    ``C v`` only, so compare it with this onset when ``leak_s_cm2 = 0``; with a leak use
    ``baseline="capacitive_resistive"``.

Where a peak or a leak makes the closed forms inapplicable, the onset is solved
numerically (first crossing on a 10 µV grid, then bisection to 1 nV).

:data:`SEED_PRESETS` holds parameter sets *derived from the seed's reported numbers*
(1 mV/s on stainless steel, Fig. S24): 3D-SIPE-LiFPA stable to 5.5 V, 1 M LiPF6 EMC/FEC with
an oxidation peak at ca. 4.0 V.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
import polars as pl

from elyte.recording import Recording, RecordingMeta
from elyte.schema import CANONICAL

__all__ = ["SEED_PRESETS", "LsvTruth", "linear_sweep", "lsv_preset"]

#: Threshold of the truth's onsets unless given, mA/cm² (elyte.voltammetry's default).
DEFAULT_THRESHOLD_MA_CM2 = 0.01

_GRID_V = 1e-5


@dataclass(frozen=True)
class LsvTruth:
    """Ground truth of a simulated LSV (noise-free model and its onsets).

    Attributes
    ----------
    e_start_v, e_end_v : float
        Sweep limits, V.
    scan_rate_mv_s : float
        Scan rate, mV/s.
    dt_s : float
        Sampling interval, s.
    step_v : float
        Potential step between samples ``v dt``, V.
    area_cm2 : float
        Working-electrode area, cm².
    capacitance_f_cm2 : float
        Double-layer capacitance, F/cm².
    capacitive_ma_cm2 : float
        Capacitive current density ``C v``, mA/cm².
    leak_s_cm2 : float
        Leakage conductance, S/cm² (``G (E - E_start)``).
    j0_ma_cm2 : float
        Exponential prefactor (0: no exponential), mA/cm².
    e0_v : float
        Reference potential of the exponential, V.
    tafel_b_v : float
        Exponential (Tafel) length ``b``, V per e-fold.
    peak_center_v, peak_height_ma_cm2, peak_width_v : float
        Gaussian oxidation peak: centre (V), height (mA/cm², 0: none), standard width (V).
    threshold_ma_cm2 : float
        Threshold of the two onsets below, mA/cm².
    onset_v : float or None
        First potential where the total noise-free current density reaches the threshold
        (no baseline subtracted), V; ``None`` if never within the sweep or already at its
        start.
    onset_corrected_v : float or None
        First potential where the faradaic current density (total minus ``C v`` and the
        leak line) reaches the threshold, V; ``None`` if never within the sweep or already
        at its start.
    seed : int
        Seed of the noise generator.
    """

    e_start_v: float
    e_end_v: float
    scan_rate_mv_s: float
    dt_s: float
    step_v: float
    area_cm2: float
    capacitance_f_cm2: float
    capacitive_ma_cm2: float
    leak_s_cm2: float
    j0_ma_cm2: float
    e0_v: float
    tafel_b_v: float
    peak_center_v: float
    peak_height_ma_cm2: float
    peak_width_v: float
    threshold_ma_cm2: float
    onset_v: float | None
    onset_corrected_v: float | None
    seed: int

    def faradaic_ma_cm2(self, e_v: np.ndarray) -> np.ndarray:
        """Noise-free oxidation current density (exponential plus peak) at ``e_v`` (V), mA/cm²."""
        e = np.asarray(e_v, dtype=float)
        j = np.zeros_like(e)
        if self.j0_ma_cm2 > 0:
            j = j + self.j0_ma_cm2 * np.exp((e - self.e0_v) / self.tafel_b_v)
        if self.peak_height_ma_cm2 > 0:
            z = (e - self.peak_center_v) / self.peak_width_v
            j = j + self.peak_height_ma_cm2 * np.exp(-0.5 * z * z)
        return j

    def background_ma_cm2(self, e_v: np.ndarray) -> np.ndarray:
        """Capacitive plus leakage current density at ``e_v`` (V), mA/cm²."""
        e = np.asarray(e_v, dtype=float)
        out: np.ndarray = self.capacitive_ma_cm2 + 1000.0 * self.leak_s_cm2 * (e - self.e_start_v)
        return out

    def current_density_ma_cm2(self, e_v: np.ndarray) -> np.ndarray:
        """Noise-free total current density at ``e_v`` (V), mA/cm²."""
        total: np.ndarray = self.background_ma_cm2(e_v) + self.faradaic_ma_cm2(e_v)
        return total

    def onset_at(self, threshold_ma_cm2: float, *, baseline_subtracted: bool) -> float | None:
        """Onset potential at another threshold, V (see the module docstring).

        Parameters
        ----------
        threshold_ma_cm2 : float
            Threshold, mA/cm².
        baseline_subtracted : bool
            True: faradaic current only (``onset_corrected_v``); False: total current
            (``onset_v``).

        Returns
        -------
        float or None
            The first crossing within the sweep, or ``None`` (never, or already at its start).
        """
        return _onset(self, threshold_ma_cm2, baseline_subtracted=baseline_subtracted)


def _onset(truth: LsvTruth, j_th: float, *, baseline_subtracted: bool) -> float | None:
    """First crossing of ``j_th`` by the noise-free (total or faradaic) current density."""
    lo_e, hi_e = truth.e_start_v, truth.e_end_v
    background = 0.0 if baseline_subtracted else truth.capacitive_ma_cm2
    if not baseline_subtracted and background >= j_th:
        return None
    simple = truth.peak_height_ma_cm2 <= 0 and (baseline_subtracted or truth.leak_s_cm2 == 0)
    if simple:  # closed form: E0 + b ln((j_th - background)/j0)
        if truth.j0_ma_cm2 <= 0:
            return None
        e_on = truth.e0_v + truth.tafel_b_v * math.log((j_th - background) / truth.j0_ma_cm2)
        if e_on <= lo_e:
            return None
        return e_on if e_on <= hi_e else None

    def f(e: np.ndarray) -> np.ndarray:
        j = truth.faradaic_ma_cm2(e)
        return j if baseline_subtracted else j + truth.background_ma_cm2(e)

    grid = np.linspace(lo_e, hi_e, max(3, math.ceil((hi_e - lo_e) / _GRID_V) + 1))
    above = np.flatnonzero(f(grid) >= j_th)
    if above.size == 0:
        return None
    k = int(above[0])
    if k == 0:
        return None
    a, b = float(grid[k - 1]), float(grid[k])
    while b - a > 1e-9:
        m = 0.5 * (a + b)
        if float(f(np.array([m]))[0]) >= j_th:
            b = m
        else:
            a = m
    return 0.5 * (a + b)


def linear_sweep(
    *,
    e_start_v: float = 3.0,
    e_end_v: float = 6.0,
    scan_rate_mv_s: float = 1.0,
    area_cm2: float = 1.0,
    capacitance_f_cm2: float = 2e-5,
    leak_s_cm2: float = 0.0,
    j0_ma_cm2: float = 0.0,
    e0_v: float = 5.0,
    tafel_b_v: float = 0.05,
    peak_center_v: float = 4.0,
    peak_height_ma_cm2: float = 0.0,
    peak_width_v: float = 0.05,
    noise_ma_cm2: float = 0.0,
    noise_v: float = 0.0,
    dt_s: float = 1.0,
    threshold_ma_cm2: float = DEFAULT_THRESHOLD_MA_CM2,
    seed: int = 0,
) -> tuple[Recording, LsvTruth]:
    """Simulate one anodic linear sweep with a capacitive baseline and an oxidation onset.

    Parameters
    ----------
    e_start_v, e_end_v : float
        Sweep limits, V vs Li/Li+ (``e_end_v > e_start_v``).
    scan_rate_mv_s : float
        Scan rate, mV/s.
    area_cm2 : float
        Working-electrode area, cm² (current = density x area).
    capacitance_f_cm2 : float
        Double-layer capacitance, F/cm²: capacitive current density ``C v``.
    leak_s_cm2 : float
        Leakage conductance, S/cm²: adds ``G (E - E_start)``.
    j0_ma_cm2 : float
        Prefactor of the exponential oxidation ``j0 exp((E - E0)/b)``, mA/cm² (0: none).
    e0_v : float
        Reference potential of the exponential, V.
    tafel_b_v : float
        Exponential length ``b``, V per e-fold (> 0).
    peak_center_v, peak_height_ma_cm2, peak_width_v : float
        Gaussian oxidation peak: centre (V), height (mA/cm², 0: none), width (V, > 0).
    noise_ma_cm2 : float
        Standard deviation of the current-density noise, mA/cm².
    noise_v : float
        Standard deviation of the measured-potential noise, V (the current follows the
        true potential).
    dt_s : float
        Sampling interval, s.
    threshold_ma_cm2 : float
        Threshold at which the truth's onsets are given, mA/cm².
    seed : int
        Seed of the noise generator.

    Returns
    -------
    Recording
        ``test_time_second``, ``voltage_volt``, ``current_ampere`` (positive = oxidation),
        technique ``LSV``, ``meta.simulated`` true.
    LsvTruth
        The model and its onsets (see the module docstring for which is which).

    Raises
    ------
    ValueError
        For a non-anodic sweep or non-positive rate, step, area, ``b`` or peak width.
    """
    if not e_end_v > e_start_v:
        raise ValueError("linear_sweep simulates an anodic sweep: e_end_v must exceed e_start_v")
    for label, value in (
        ("scan_rate_mv_s", scan_rate_mv_s),
        ("dt_s", dt_s),
        ("area_cm2", area_cm2),
        ("tafel_b_v", tafel_b_v),
        ("peak_width_v", peak_width_v),
        ("threshold_ma_cm2", threshold_ma_cm2),
    ):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{label} must be positive and finite, not {value!r}")
    for label, value in (
        ("capacitance_f_cm2", capacitance_f_cm2),
        ("leak_s_cm2", leak_s_cm2),
        ("j0_ma_cm2", j0_ma_cm2),
        ("peak_height_ma_cm2", peak_height_ma_cm2),
        ("noise_ma_cm2", noise_ma_cm2),
        ("noise_v", noise_v),
    ):
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{label} must be non-negative and finite, not {value!r}")
    rate = scan_rate_mv_s / 1000.0
    duration = (e_end_v - e_start_v) / rate
    n = math.floor(duration / dt_s + 1e-9) + 1
    t = np.arange(n) * dt_s
    e = e_start_v + rate * t
    truth = LsvTruth(
        e_start_v=e_start_v,
        e_end_v=e_end_v,
        scan_rate_mv_s=scan_rate_mv_s,
        dt_s=dt_s,
        step_v=rate * dt_s,
        area_cm2=area_cm2,
        capacitance_f_cm2=capacitance_f_cm2,
        capacitive_ma_cm2=capacitance_f_cm2 * rate * 1000.0,
        leak_s_cm2=leak_s_cm2,
        j0_ma_cm2=j0_ma_cm2,
        e0_v=e0_v,
        tafel_b_v=tafel_b_v,
        peak_center_v=peak_center_v,
        peak_height_ma_cm2=peak_height_ma_cm2,
        peak_width_v=peak_width_v,
        threshold_ma_cm2=threshold_ma_cm2,
        onset_v=None,
        onset_corrected_v=None,
        seed=seed,
    )
    truth = _with_onsets(truth)
    rng = np.random.default_rng(seed)
    j = truth.current_density_ma_cm2(e) + rng.normal(0.0, 1.0, n) * noise_ma_cm2
    e_measured = e + rng.normal(0.0, 1.0, n) * noise_v
    frame = pl.DataFrame(
        {
            "test_time_second": t,
            "voltage_volt": e_measured,
            "current_ampere": j * area_cm2 / 1000.0,
        }
    )
    note = (
        f"simulated: LSV {e_start_v}-{e_end_v} V at {scan_rate_mv_s} mV/s, "
        f"C = {capacitance_f_cm2:g} F/cm2, leak {leak_s_cm2:g} S/cm2, "
        f"j0 = {j0_ma_cm2:g} mA/cm2 at E0 = {e0_v} V, b = {tafel_b_v} V, "
        f"peak {peak_height_ma_cm2:g} mA/cm2 at {peak_center_v} V; true onset at "
        f"{threshold_ma_cm2:g} mA/cm2: {truth.onset_v} V raw, {truth.onset_corrected_v} V "
        "after baseline subtraction"
    )
    meta = RecordingMeta(
        instrument="elyte virtual lab",
        format="simulated",
        techniques=("LSV",),
        units={c: CANONICAL[c].unit for c in frame.columns},
        notes=(note,),
        simulated=True,
        vendor={"seed": seed, "area_cm2": area_cm2, "scan_rate_mv_s": scan_rate_mv_s},
    )
    return Recording(frame, meta), truth


def _with_onsets(truth: LsvTruth) -> LsvTruth:
    j_th = truth.threshold_ma_cm2
    return replace(
        truth,
        onset_v=_onset(truth, j_th, baseline_subtracted=False),
        onset_corrected_v=_onset(truth, j_th, baseline_subtracted=True),
    )


def _peak_width_for(onset_v: float, center_v: float, height: float, j_th: float) -> float:
    """Width (V) of a Gaussian of ``height`` at ``center_v`` reaching ``j_th`` at ``onset_v``."""
    return (center_v - onset_v) / math.sqrt(2.0 * math.log(height / j_th))


#: Parameter sets derived from the seed's reported numbers (LSV at 1 mV/s on stainless steel,
#: Fig. S24), keyword arguments of :func:`linear_sweep`. 3D-SIPE-LiFPA: "stable up to 5.5 V"
#: -> the exponential reaches 0.01 mA/cm² at 5.6 V (j0 = 0.01 mA/cm² at E0 = 5.6 V, b = 50 mV
#: assumed), so the raw current stays below 10 µA/cm² up to 5.5 V. 1 M LiPF6 EMC/FEC:
#: "oxidative peak at ca. 4.0 V" -> a 0.05 mA/cm² Gaussian centred at 4.0 V whose flank
#: reaches 0.01 mA/cm² at 3.9 V (height and width assumed), plus solvent oxidation from
#: 5.0 V. The capacitance (20 µF/cm², a smooth metal electrode) is assumed; the numbers
#: match src/elyte/virtual/data/*.toml ([lsv] stable_to_v, onset_v).
SEED_PRESETS: Mapping[str, Mapping[str, float]] = MappingProxyType(
    {
        "3d-sipe-lifpa": MappingProxyType(
            {
                "e_start_v": 3.0,
                "e_end_v": 6.0,
                "scan_rate_mv_s": 1.0,
                "capacitance_f_cm2": 2e-5,
                "j0_ma_cm2": 0.01,
                "e0_v": 5.6,
                "tafel_b_v": 0.05,
                "peak_height_ma_cm2": 0.0,
            }
        ),
        "lipf6-emc-fec": MappingProxyType(
            {
                "e_start_v": 3.0,
                "e_end_v": 6.0,
                "scan_rate_mv_s": 1.0,
                "capacitance_f_cm2": 2e-5,
                "j0_ma_cm2": 0.01,
                "e0_v": 5.0,
                "tafel_b_v": 0.05,
                "peak_center_v": 4.0,
                "peak_height_ma_cm2": 0.05,
                "peak_width_v": _peak_width_for(3.9, 4.0, 0.05, DEFAULT_THRESHOLD_MA_CM2),
            }
        ),
    }
)


def lsv_preset(name: str) -> dict[str, float]:
    """Keyword arguments of :func:`linear_sweep` for one of the seed's electrolytes.

    Parameters
    ----------
    name : str
        ``"3d-sipe-lifpa"`` or ``"lipf6-emc-fec"`` (derived from the seed; see
        :data:`SEED_PRESETS`).

    Returns
    -------
    dict
        A fresh copy, to update and pass as ``linear_sweep(**kwargs, seed=...)``.

    Raises
    ------
    KeyError
        For an unknown name.
    """
    try:
        return dict(SEED_PRESETS[name])
    except KeyError:
        raise KeyError(f"unknown LSV preset {name!r}; known: {sorted(SEED_PRESETS)}") from None
