"""Generators shared by the thermal tests: ARC staircases and DSC curves of known truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np

GAS_CONSTANT = 8.314462618


def write_arc_csv(
    path: Path,
    time_s: np.ndarray,
    temperature_c: np.ndarray,
    mode: np.ndarray | None = None,
    *,
    time_header: str = "Time / s",
    temperature_header: str = "Sample temperature / degC",
    pressure_bar: np.ndarray | None = None,
) -> Path:
    """Write an ARC export the way an instrument would (one header line, CSV)."""
    headers = [time_header, temperature_header]
    columns: list[list[str]] = [
        [repr(float(v)) for v in time_s],
        [f"{v:.6f}" for v in temperature_c],
    ]
    if pressure_bar is not None:
        headers.append("Pressure / bar")
        columns.append([f"{v:.4f}" for v in pressure_bar])
    if mode is not None:
        headers.append("Mode")
        columns.append([str(m) for m in mode])
    lines = [",".join(headers)] + [",".join(row) for row in zip(*columns, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def staircase(
    *, start_c: float = 40.0, end_c: float = 250.0, step_c: float = 5.0, dt_s: float = 30.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return a heat-wait-search run without self-heating (heat 2 degC/min, wait 30, search 15 min).

    Returns time (s), temperature (degC) and the mode of each row.
    """
    # Each row carries the mode that starts at it (the row where a wait ends is "search").
    times, temps, modes = [0.0], [start_c], ["wait"]
    t, temp = 0.0, start_c
    while True:
        for label, following in (("wait", "search"), ("search", "heat")):
            duration = 30 * 60.0 if label == "wait" else 15 * 60.0
            for _ in range(int(duration / dt_s)):
                t += dt_s
                times.append(t)
                temps.append(temp)
                modes.append(label)
            modes[-1] = following
        if temp + step_c > end_c + 1e-9:
            modes[-1] = "search"
            break
        target = temp + step_c
        while temp < target - 1e-9:
            t += dt_s
            temp = min(target, temp + 2.0 * dt_s / 60.0)
            times.append(t)
            temps.append(temp)
            modes.append("heat" if temp < target - 1e-9 else "wait")
    return np.asarray(times), np.asarray(temps), np.asarray(modes)


def zero_order_exotherm(
    *, b_per_s: float, ea_j_mol: float, start_c: float, stop_c: float, step_c: float = 0.01
) -> tuple[np.ndarray, np.ndarray]:
    """Return an exotherm with dT/dt = B exp(-Ea/RT) exactly (zero order, no consumption).

    t(T) = integral of dT / rate, by the trapezoid rule on a fine grid (``step_c``); returns
    time (s, from 0) and temperature (degC).
    """
    temp = np.arange(start_c, stop_c + step_c / 2, step_c)
    rate = b_per_s * np.exp(-ea_j_mol / (GAS_CONSTANT * (temp + 273.15)))  # K/s
    inv = 1.0 / rate
    t = np.concatenate(([0.0], np.cumsum(0.5 * (inv[1:] + inv[:-1]) * np.diff(temp))))
    return t, temp


def gaussian_dsc(
    peaks: list[tuple[float, float, float]],
    *,
    mass_mg: float = 2.5,
    rate_c_min: float = 5.0,
    start_c: float = 30.0,
    stop_c: float = 500.0,
    step_c: float = 0.05,
    baseline_mw: tuple[float, float] = (0.01, 1e-5),
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return a DSC heating run of Gaussian peaks ``(T_peak, sigma, enthalpy J/g)`` (exo positive).

    The heat flow in mW is ``m * beta * sum(dH * g(T))`` (g a normalised Gaussian in 1/K,
    beta in K/s) plus a sloped baseline ``a + b T``. Analytic truth: peak at T_peak, onset
    (tangent at the inflection T_peak - sigma) at T_peak - 2 sigma, area dH J/g.
    Returns temperature (degC), time (s) and heat flow (mW).
    """
    temp = np.arange(start_c, stop_c, step_c)
    beta = rate_c_min / 60.0
    flow = np.zeros_like(temp)
    for tp, sigma, dh in peaks:
        flow += dh * np.exp(-((temp - tp) ** 2) / (2 * sigma**2)) / (sigma * np.sqrt(2 * np.pi))
    mw = mass_mg * beta * flow + baseline_mw[0] + baseline_mw[1] * temp
    return temp, (temp - start_c) / beta, mw
