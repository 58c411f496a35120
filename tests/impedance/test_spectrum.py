"""Spectrum construction, validation, derived spectra and splitting recordings into sweeps.

Generated recordings are built in the tests with known sweeps; the real BioLogic binaries
are checked against EC-Lab's own text exports of the same runs (the ``.mpt`` twins), which
were written by the vendor software independently of our ``.mpr`` reader.
"""

from __future__ import annotations

import json
import pickle

import numpy as np
import polars as pl
import pytest

import elyte
from elyte.errors import ImpedanceError
from elyte.impedance import Spectrum, spectra_from_recording
from elyte.recording import Recording, RecordingMeta
from tests.conftest import shared_file

F = np.logspace(5, -1, 13)


def _recording(columns: dict[str, list[object] | np.ndarray], source: str = "gen.mpr") -> Recording:
    return Recording(
        pl.DataFrame(columns, strict=False),
        RecordingMeta(instrument="test", format="generated", source_path=source),
    )


# ------------------------------------------------------------------------- Spectrum
def test_from_arrays_and_views() -> None:
    s = Spectrum.from_arrays(
        [1e3, 1e2, 1e1], [10.0, 12.0, 20.0], [-1.0, -3.0, 2.0], source="x", sweep=2
    )
    np.testing.assert_array_equal(s.impedance, [10 - 1j, 12 - 3j, 20 + 2j])
    np.testing.assert_array_equal(s.real, [10.0, 12.0, 20.0])
    np.testing.assert_array_equal(s.imag, [-1.0, -3.0, 2.0])
    np.testing.assert_allclose(s.omega, 2 * np.pi * s.frequency)
    np.testing.assert_allclose(s.modulus, np.abs(s.impedance))
    np.testing.assert_allclose(s.phase_degree[0], np.degrees(np.arctan2(-1.0, 10.0)))
    assert len(s) == 3
    assert s.sweep == 2
    assert "3 points" in repr(s)
    assert "sweep 2" in repr(s)
    with pytest.raises(ValueError, match="read-only"):
        s.frequency[0] = 5.0


def test_pickle_keeps_everything_read_only() -> None:
    s = Spectrum([1e3, 1e2], [1 - 1j, 2 - 2j], source="a", sweep=1, metadata={"cycle_count": 2})
    back = pickle.loads(pickle.dumps(s))
    np.testing.assert_array_equal(back.impedance, s.impedance)
    assert back.metadata == {"cycle_count": 2}
    assert back.sweep == 1
    assert not back.frequency.flags.writeable


def test_arrays_are_copied() -> None:
    f = np.array([1e3, 1e2])
    z = np.array([1 - 1j, 2 - 2j])
    s = Spectrum(f, z)
    f[0] = 7.0
    z[0] = 0.0
    assert s.frequency[0] == 1e3
    assert s.impedance[0] == 1 - 1j


@pytest.mark.parametrize(
    ("f", "z", "fragment"),
    [
        ([1.0, 2.0], [1 + 0j], "2 frequencies but 1"),
        ([], [], "no points"),
        ([[1.0]], [[1 + 0j]], "must be 1-D"),
        ([1.0, np.nan], [1 + 0j, 1 + 0j], "non-finite"),
        ([1.0, 2.0], [1 + 0j, complex(np.inf, 0)], "non-finite"),
        ([1.0, 0.0], [1 + 0j, 1 + 0j], "must be > 0"),
        ([1.0, -2.0], [1 + 0j, 1 + 0j], "must be > 0"),
        (["a"], [1 + 0j], "not numeric"),
    ],
)
def test_invalid_spectra(f: object, z: object, fragment: str) -> None:
    with pytest.raises(ImpedanceError, match=None) as info:
        Spectrum(f, z)  # type: ignore[arg-type]
    assert fragment in str(info.value)


def test_invalid_temperature_and_parts() -> None:
    with pytest.raises(ImpedanceError, match="temperature_kelvin"):
        Spectrum([1.0], [1 + 0j], temperature_kelvin=-3.0)
    with pytest.raises(ImpedanceError, match="different shapes"):
        Spectrum.from_arrays([1.0, 2.0], [1.0, 2.0], [1.0])


def test_crop_sorted_inductive_frame_and_dict() -> None:
    f = np.array([1e6, 3e5, 1e5, 1e4, 1e3, 1e2])
    z = np.array([5 + 3j, 5 + 1j, 5 - 1j, 6 + 0.1j, 8 - 3j, 12 - 5j])
    s = Spectrum(f, z, source="a.mpr")
    c = s.crop(f_min=1e3, f_max=2e5)
    np.testing.assert_array_equal(c.frequency, [1e5, 1e4, 1e3])
    assert "3 point(s) dropped" in c.notes[-1]
    with pytest.raises(ImpedanceError, match="no point"):
        s.crop(f_min=1e7)
    ni = s.without_inductive()
    # only the leading inductive run goes; the isolated Z'' > 0 at 1e4 Hz stays
    np.testing.assert_array_equal(ni.frequency, [1e5, 1e4, 1e3, 1e2])
    assert "2 inductive" in ni.notes[-1]
    assert s.crop().notes == ()  # nothing dropped, nothing noted
    with pytest.raises(ImpedanceError, match="inductive"):
        Spectrum([1.0, 2.0], [1 + 1j, 1 + 2j]).without_inductive()
    asc = s.sorted(descending=False)
    np.testing.assert_array_equal(asc.frequency, np.sort(f))
    np.testing.assert_array_equal(asc.impedance, z[::-1])
    frame = s.to_frame()
    assert frame.columns == ["frequency_hertz", "real_impedance_ohm", "imaginary_impedance_ohm"]
    np.testing.assert_array_equal(frame["imaginary_impedance_ohm"].to_numpy(), z.imag)
    d = json.loads(json.dumps(s.to_dict()))
    assert d["source"] == "a.mpr"
    assert d["imaginary_impedance_ohm"][0] == 3.0


# ------------------------------------------------------------------------- recordings
def test_split_by_frequency_restart() -> None:
    """Three descending sweeps back to back, no cycle column: split where f jumps up."""
    freq = np.concatenate([F, F, F[:5]])
    n = freq.size
    rec = _recording(
        {
            "frequency_hertz": freq,
            "real_impedance_ohm": np.arange(n, dtype=float),
            "imaginary_impedance_ohm": -np.ones(n),
            "test_time_second": np.arange(n, dtype=float),
            "voltage_volt": np.full(n, 3.5),
        }
    )
    spectra = spectra_from_recording(rec)
    assert [len(s) for s in spectra] == [13, 13, 5]
    assert [s.sweep for s in spectra] == [0, 1, 2]
    assert spectra[1].metadata["first_row"] == 13
    assert spectra[1].metadata["last_row"] == 25
    assert spectra[2].metadata["start_time_second"] == 26.0
    assert spectra[0].metadata["mean_voltage_volt"] == pytest.approx(3.5)
    assert spectra[0].real[0] == 0.0
    assert spectra[1].real[0] == 13.0
    assert all(s.source == "gen.mpr" for s in spectra)
    assert spectra[0].temperature_kelvin is None


def test_split_by_other_techniques_and_counters() -> None:
    """GCPL rows (no frequency) between PEIS sweeps; cycle_count changes on one grid."""
    nan = [None] * 3
    f = list(F[:4])
    freq = f + nan + f + f  # sweep, 3 GCPL rows, sweep, sweep (cycle changes only)
    cycle = [1] * 4 + [1] * 3 + [2] * 4 + [3] * 4
    tech_index = [1] * 4 + [2] * 3 + [3] * 8
    technique = ["PEIS"] * 4 + ["GCPL"] * 3 + ["PEIS"] * 8
    rec = _recording(
        {
            "frequency_hertz": freq,
            "real_impedance_ohm": [1.0] * 4 + nan + [2.0] * 8,
            "imaginary_impedance_ohm": [-1.0] * 4 + nan + [-1.0] * 8,
            "cycle_count": cycle,
            "technique_index": tech_index,
            "technique": technique,
            "temperature_t1_celsius": [25.0] * 4 + [99.0] * 3 + [30.0] * 4 + [35.0] * 4,
        }
    )
    spectra = spectra_from_recording(rec)
    assert [len(s) for s in spectra] == [4, 4, 4]
    assert [s.metadata["cycle_count"] for s in spectra] == [1, 2, 3]
    assert [s.metadata["technique_index"] for s in spectra] == [1, 3, 3]
    assert {s.metadata["technique"] for s in spectra} == {"PEIS"}
    assert [s.temperature_kelvin for s in spectra] == pytest.approx([298.15, 303.15, 308.15])
    assert "temperature_t1_celsius" in spectra[0].notes[-1]
    explicit = spectra_from_recording(rec, temperature_kelvin=[300.0, 310.0, 320.0])
    assert [s.temperature_kelvin for s in explicit] == [300.0, 310.0, 320.0]
    assert all(
        s.temperature_kelvin == 280.0 for s in spectra_from_recording(rec, temperature_kelvin=280.0)
    )
    with pytest.raises(ImpedanceError, match="2 temperatures given for 3 sweeps"):
        spectra_from_recording(rec, temperature_kelvin=[1.0, 2.0])


def test_ascending_sweeps_and_dropped_points() -> None:
    """Low-to-high sweeps restart where f jumps down; a NaN point does not split a sweep."""
    up = F[::-1]
    freq = np.concatenate([up, up])
    re = np.ones(freq.size)
    re[3] = np.nan
    rec = _recording(
        {
            "frequency_hertz": freq,
            "real_impedance_ohm": re,
            "imaginary_impedance_ohm": -np.ones(freq.size),
        }
    )
    spectra = spectra_from_recording(rec)
    assert [len(s) for s in spectra] == [12, 13]
    assert any("low to high" in n for n in spectra[0].notes)
    assert any("non-finite" in n for n in spectra[0].notes)


def test_recording_errors() -> None:
    with pytest.raises(ImpedanceError, match="no impedance data") as info:
        spectra_from_recording(_recording({"frequency_hertz": [1.0]}))
    assert str(info.value).startswith("gen.mpr: ")
    empty = _recording(
        {
            "frequency_hertz": [0.0, None],
            "real_impedance_ohm": [1.0, 1.0],
            "imaginary_impedance_ohm": [1.0, 1.0],
        }
    )
    with pytest.raises(ImpedanceError, match="no impedance point"):
        spectra_from_recording(empty)
    two = _recording(
        {
            "frequency_hertz": np.concatenate([F, F]),
            "real_impedance_ohm": np.ones(26),
            "imaginary_impedance_ohm": -np.ones(26),
        }
    )
    with pytest.raises(ImpedanceError, match="holds 2 sweeps"):
        Spectrum.from_recording(two)
    assert Spectrum.from_recording(two, sweep=1).sweep == 1
    with pytest.raises(ImpedanceError, match="no sweep 2"):
        Spectrum.from_recording(two, sweep=2)


# ------------------------------------------------------------------------- real files
@pytest.mark.realdata
@pytest.mark.parametrize("name", ["peis", "geis.issue_149"])
def test_biologic_binary_matches_vendor_text_export(name: str) -> None:
    """Sweeps from the .mpr equal those from EC-Lab's own .mpt export of the same run."""
    mpr = spectra_from_recording(elyte.read(shared_file("biologic", f"{name}.mpr")))
    mpt = spectra_from_recording(elyte.read(shared_file("biologic", f"{name}.mpt")))
    assert len(mpr) == len(mpt)
    for a, b in zip(mpr, mpt, strict=True):
        np.testing.assert_allclose(a.frequency, b.frequency, rtol=1e-6)
        np.testing.assert_allclose(a.impedance, b.impedance, rtol=1e-6, atol=1e-6)


@pytest.mark.realdata
def test_real_sweep_counts() -> None:
    peis = spectra_from_recording(elyte.read(shared_file("biologic", "peis.mpr")))
    assert len(peis) == 1
    assert len(peis[0]) == 32
    assert peis[0].frequency[0] == pytest.approx(199998.14, rel=1e-6)
    assert peis[0].frequency[-1] == pytest.approx(1.0, rel=1e-3)
    geis = spectra_from_recording(elyte.read(shared_file("biologic", "geis.issue_149.mpr")))
    assert [len(s) for s in geis] == [21, 21, 21, 21]
    assert [s.metadata["cycle_count"] for s in geis] == [1, 2, 3, 4]
    # capacitive arc: Z'' (signed) negative at 10 kHz, where -Im(Z) printed by EC-Lab is 12.5
    assert geis[0].imag[8] == pytest.approx(-12.47, abs=0.01)
    ex = spectra_from_recording(
        elyte.read(shared_file("eis", "impedancepy_exampleDataBioLogic.mpt"))
    )
    assert len(ex) == 1
    assert len(ex[0]) == 43
    assert ex[0].frequency.max() == pytest.approx(1000.3201)
