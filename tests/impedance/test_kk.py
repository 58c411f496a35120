"""Lin-KK: synthetic spectra (KK-consistent by construction) and real spectra."""

from __future__ import annotations

import numpy as np
import pytest

from elyte.errors import ImpedanceError
from elyte.impedance import Circuit, Spectrum, spectra_from_recording
from elyte.impedance.kk import lin_kk
from tests.conftest import shared_file

F = np.logspace(5, -1, 50)


def _noisy(z: np.ndarray, level: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return z + level * np.abs(z) * (rng.normal(size=z.size) + 1j * rng.normal(size=z.size))


def test_circuit_spectrum_passes_at_noise_level() -> None:
    """A circuit's impedance is KK-consistent (analytic): residuals at the 0.2 % noise level."""
    z = Circuit("R0-p(R1,CPE1)-p(R2,C2)").impedance(F, [10.0, 100.0, 1e-5, 0.85, 50.0, 1e-3])
    result = lin_kk(Spectrum(F, _noisy(z, 0.002)))
    assert result.mu < 0.85
    assert result.rms_residual_percent < 0.4
    assert result.passed(1.0)


def test_drifting_spectrum_fails() -> None:
    """A non-stationary 'spectrum' (Z' drifting by 20 % along the sweep) is flagged."""
    z = Circuit("R0-p(R1,CPE1)").impedance(F, [10.0, 100.0, 1e-5, 0.85])
    drift = z * (1 + 0.2 * np.linspace(0, 1, F.size) ** 3)
    assert lin_kk(Spectrum(F, drift.real + 1j * z.imag)).max_residual_percent > 2.0


def test_blocking_spike_needs_capacitance_and_auto_adds_it() -> None:
    """R-CPE (blocking electrode): auto mode adds the series C and fits well."""
    z = Circuit("R0-CPE1").impedance(F, [20.0, 1e-5, 0.9])
    result = lin_kk(Spectrum(F, z))
    assert result.capacitance_farad is not None
    assert any("capacitance" in n for n in result.notes)
    assert result.max_residual_percent < 1.0


def test_fixed_m_and_bad_input() -> None:
    """n_elements is honoured; too few points and bad c are ImpedanceError."""
    z = Circuit("R0-p(R1,C1)").impedance(F, [1.0, 10.0, 1e-4])
    assert lin_kk(Spectrum(F, z), n_elements=7).n_elements == 7
    with pytest.raises(ImpedanceError):
        lin_kk(Spectrum(F[:3], z[:3]))
    with pytest.raises(ImpedanceError):
        lin_kk(Spectrum(F, z), c=1.5)


def test_real_impedancepy_csv_small_residuals() -> None:
    """impedance.py's exampleData.csv (real Li-ion data): Lin-KK residuals below 0.5 %."""
    path = shared_file("eis", "impedancepy_exampleData.csv")
    d = np.loadtxt(path, delimiter=",")
    s = Spectrum.from_arrays(d[:, 0], d[:, 1], d[:, 2]).without_inductive()
    result = lin_kk(s)
    assert result.max_residual_percent < 0.5
    assert result.to_dict()["max_residual"]["unit"] == "%"


def test_real_pydrttools_small_residuals() -> None:
    """PyDRTtools' Li-ion cell spectrum (with inductive points): rms residual below 0.2 %."""
    d = np.loadtxt(shared_file("eis", "pydrttools_LIB_data.txt"))
    result = lin_kk(Spectrum.from_arrays(d[:, 0], d[:, 1], d[:, 2]))
    assert result.rms_residual_percent < 0.2
    assert result.inductance_henry is not None
    assert result.inductance_henry > 0


def test_real_noisy_peis_is_flagged() -> None:
    """Yadg's peis.mpr has erratic points below 100 Hz (see its -Z'' sign flips): KK fails."""
    from elyte.io.registry import read

    s = spectra_from_recording(read(shared_file("biologic", "peis.mpr")))[0]
    assert not lin_kk(s).passed(5.0)
