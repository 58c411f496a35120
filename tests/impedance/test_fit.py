"""Batched circuit fitting: recovery of known parameters, uncertainties, failures, options.

Synthetic truth: spectra computed in the test from chosen parameters with the circuit's own
formulas (checked independently in ``test_circuits.py``) over 7 MHz to 100 mHz, 10 points
per decade, plus Gaussian noise of 0.5 % of |Z| on Z' and on Z'' separately (seeded).
Real spectra are compared with impedance.py's fits of the same data, same circuit, same
starting values and same weighting (values recorded below with their provenance).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import elyte
from elyte.errors import ImpedanceError
from elyte.impedance import (
    Circuit,
    ElementRegistry,
    FailedFit,
    FitResult,
    ParameterSpec,
    Spectrum,
    fit,
    initial_guess,
    results_frame,
    spectra_from_recording,
)
from tests.conftest import shared_file

F = np.logspace(np.log10(7e6), -1, 80)
NOISE = 0.005

#: circuit -> central true parameters (units as in Circuit(...).parameter_units)
CASES = {
    "R0-p(R1,CPE1)-W1": [10.0, 100.0, 1e-5, 0.85, 50.0],
    "L1-R1-CPE1": [1e-7, 50.0, 1e-6, 0.9],
    "L_lead-R0-p(R_b,CPE_g)-CPE_dl": [1e-7, 2.0, 50.0, 1e-8, 0.93, 1e-6, 0.88],
}


def _truths(circuit: Circuit, center: list[float], n: int, rng: np.random.Generator) -> np.ndarray:
    """Parameters scattered around ``center``: x e^U(-0.3, 0.3); exponents +- 0.03."""
    p = np.array(center) * np.exp(rng.uniform(-0.3, 0.3, (n, len(center))))
    for k, par in enumerate(circuit.parameters):
        if not par.spec.log:
            p[:, k] = center[k] + rng.uniform(-0.03, 0.03, n)
    return p


def _noisy(
    circuit: Circuit, truth: np.ndarray, rng: np.random.Generator, f: np.ndarray = F
) -> list[Spectrum]:
    z = np.atleast_2d(circuit.impedance(f, truth))
    z = z + NOISE * np.abs(z) * (rng.standard_normal(z.shape) + 1j * rng.standard_normal(z.shape))
    return [Spectrum(f, zi, sweep=i) for i, zi in enumerate(z)]


# ------------------------------------------------------------------------- recovery
@pytest.mark.parametrize("spec", sorted(CASES))
def test_noise_free_recovery_is_exact(spec: str) -> None:
    c = Circuit(spec)
    truth = np.array(CASES[spec])
    for weighting in ("modulus", "unit", "proportional"):
        res = fit(Spectrum(F, c.impedance(F, truth)), spec, weighting=weighting)
        assert isinstance(res, FitResult), res
        np.testing.assert_allclose(res.values, truth, rtol=1e-6)
        assert res.chi2 < 1e-12 * (1 if weighting != "unit" else 1e4)


@pytest.mark.parametrize("spec", sorted(CASES))
def test_batch_of_200_noisy_spectra(spec: str) -> None:
    """200 spectra, each with its own true parameters, fitted in one call.

    Tolerances: every fit converges; the median relative error is below 2 % for every
    parameter, 5 % for CPE coefficients Q (strongly correlated with their exponent) and
    10 % for the lead inductance (barely visible above the bulk arc); and the
    reported 1-sigma errors are calibrated: the scatter of (fit - truth)/sigma has a
    standard deviation between 0.8 and 1.25 for every parameter.
    """
    rng = np.random.default_rng(11)
    c = Circuit(spec)
    truth = _truths(c, CASES[spec], 200, rng)
    results = fit(_noisy(c, truth, rng), spec)
    assert all(isinstance(r, FitResult) for r in results), [r for r in results if not r][:3]
    values = np.array([r.values for r in results])
    errors = np.array([r.errors for r in results])
    rel = np.abs(values / truth - 1)
    for k, name in enumerate(c.parameter_names):
        limit = 0.10 if name.startswith("L") else 0.05 if name.endswith("_Q") else 0.02
        assert np.median(rel[:, k]) < limit, (name, np.median(rel[:, k]))
        z = (values[:, k] - truth[:, k]) / errors[:, k]
        assert 0.8 < np.std(z) < 1.25, (name, np.std(z))
    assert all(r.spectrum.sweep == i for i, r in enumerate(results))


def test_batch_with_different_grids_equals_single_fits() -> None:
    """Padding spectra of different lengths must not change any fit."""
    rng = np.random.default_rng(5)
    spec = "R0-p(R1,CPE1)-W1"
    c = Circuit(spec)
    truth = _truths(c, CASES[spec], 4, rng)
    grids = [F, F[5:60], np.logspace(5, -1, 31), F[::2]]
    spectra = [_noisy(c, t, rng, g)[0] for t, g in zip(truth, grids, strict=True)]
    batch = fit(spectra, spec)
    for s, b in zip(spectra, batch, strict=True):
        one = fit(s, spec)
        assert isinstance(one, FitResult)
        assert isinstance(b, FitResult)
        np.testing.assert_allclose(b.values, one.values, rtol=1e-7)
        np.testing.assert_allclose(b.errors, one.errors, rtol=1e-5)
        assert b.n_points == len(s)


def test_user_element_without_jacobian_is_fitted() -> None:
    registry = ElementRegistry()
    registry.register(
        "K",
        lambda w, r, tau: r / (1 + 1j * w * tau),
        [ParameterSpec("R", "ohm"), ParameterSpec("tau", "s")],
        formula="Z = R/(1 + jωτ)",
    )
    c = Circuit("R0-K1-CPE1", registry=registry)
    truth = np.array([5.0, 80.0, 1e-4, 2e-4, 0.9])
    res = fit(Spectrum(F, c.impedance(F, truth)), c, initial=truth * 1.3 - [0, 0, 0, 0, 0.3])
    assert isinstance(res, FitResult), res
    np.testing.assert_allclose(res.values, truth, rtol=1e-5)


# ------------------------------------------------------------------------- results API
def test_result_api() -> None:
    spec = "R0-p(R1,CPE1)-W1"
    rng = np.random.default_rng(2)
    c = Circuit(spec)
    s = _noisy(c, np.array(CASES[spec]), rng)[0]
    res = fit(s, spec)
    assert isinstance(res, FitResult)
    assert bool(res)
    assert res.success
    assert res["R1"] == res.values[1]
    assert res.error("R1") == res.errors[1]
    assert res.as_dict()["W1"] == res.values[4]
    assert res.units == c.parameter_units
    assert res.names == c.parameter_names
    assert res.dof == 2 * len(F) - 5
    assert res.n_points == len(F)
    assert res.reduced_chi2 == pytest.approx(res.chi2 / res.dof)
    # modulus weighting with 0.5 % noise on each component: reduced chi2 ~ 0.005^2
    assert 0.5 * NOISE**2 < res.reduced_chi2 < 2 * NOISE**2
    np.testing.assert_allclose(res.model(), c.impedance(F, res.values))
    assert np.abs(res.residuals()).max() < 6 * NOISE
    np.testing.assert_allclose(np.sqrt(np.diag(res.covariance)), res.errors)
    d = json.loads(json.dumps(res.to_dict()))
    assert d["success"]
    assert d["parameters"][1]["name"] == "R1"
    assert "R1=" in repr(res)
    with pytest.raises(ImpedanceError, match="no parameter 'R9'"):
        res["R9"]


def test_fixed_parameters() -> None:
    spec = "R0-p(R1,CPE1)-W1"
    c = Circuit(spec)
    rng = np.random.default_rng(8)
    truth = _truths(c, CASES[spec], 3, rng)
    spectra = _noisy(c, truth, rng)
    res = fit(spectra, spec, fixed={"W1": truth[:, 4], "R0": 10.0})
    for r, t in zip(res, truth, strict=True):
        assert isinstance(r, FitResult)
        assert r["W1"] == t[4]
        assert r["R0"] == 10.0
        assert r.error("W1") == 0.0
        assert r.error("R0") == 0.0
        assert r.fixed == ("R0", "W1")
        assert r.dof == 2 * len(F) - 3
        assert abs(r["R1"] / t[1] - 1) < 0.05
    with pytest.raises(ImpedanceError, match="every parameter is fixed"):
        fit(spectra[0], "R0-R1", fixed={"R0": 1.0, "R1": 2.0})


def test_parameter_on_a_bound() -> None:
    """An ideal capacitor (noise-free) fitted as a CPE drives alpha to its upper bound 1."""
    c = Circuit("R0-p(R1,C1)")
    s = Spectrum(F, c.impedance(F, [10.0, 100.0, 1e-6]))
    failed = fit(s, "R0-p(R1,CPE1)")
    assert isinstance(failed, FailedFit)
    assert not failed
    assert failed.reason == "hit_bounds"
    assert failed.at_bounds == ("CPE1_alpha",)
    assert failed["CPE1_alpha"] == pytest.approx(1.0)
    kept = fit(s, "R0-p(R1,CPE1)", on_bound="keep")
    assert isinstance(kept, FitResult)
    assert kept.at_bounds == ("CPE1_alpha",)
    assert math.isnan(kept.error("CPE1_alpha"))
    assert kept["R1"] == pytest.approx(100.0, rel=1e-6)
    assert np.isfinite(kept.error("R1"))
    # a user bound below the truth
    capped = fit(s, "R0-p(R1,C1)", bounds={"R1": (0.0, 50.0)})
    assert isinstance(capped, FailedFit)
    assert capped.reason == "hit_bounds"
    assert capped["R1"] == pytest.approx(50.0)


# ------------------------------------------------------------------------- failures
def test_failed_fits_say_why() -> None:
    c = Circuit("R0-p(R1,CPE1)")
    s = Spectrum(F, c.impedance(F, [10.0, 100.0, 1e-5, 0.8]))
    few = fit(Spectrum(F[:2], s.impedance[:2]), "R0-p(R1,CPE1)-W1")
    assert isinstance(few, FailedFit)
    assert few.reason == "too_few_points"
    # two resistors in series: only their sum is determined
    singular = fit(Spectrum(F, np.full(F.size, 30.0 + 0j)), "R0-R1")
    assert isinstance(singular, FailedFit)
    assert singular.reason == "singular_jacobian"
    assert singular["R0"] + singular["R1"] == pytest.approx(30.0)
    # a capacitor of 0 F in series: the model is infinite
    inf = fit(s, "R0-C1", fixed={"C1": 0.0})
    assert isinstance(inf, FailedFit)
    assert inf.reason == "non_finite"
    slow = fit(s, "R0-p(R1,CPE1)", initial=[1.0, 1.0, 1.0, 0.5], max_iter=2, restarts=0)
    assert isinstance(slow, FailedFit)
    assert slow.reason == "not_converged"
    assert "max_iter=2" in slow.message
    d = json.loads(json.dumps(slow.to_dict()))
    assert d["success"] is False
    assert d["reason"] == "not_converged"
    assert "not_converged" in repr(slow)


def test_restarts_rescue_a_bad_start() -> None:
    """A hopeless user start fails alone; the restart from the automatic guess succeeds."""
    c = Circuit("R0-p(R1,CPE1)")
    truth = [10.0, 100.0, 1e-5, 0.8]
    s = Spectrum(F, c.impedance(F, truth))
    bad = [1e3, 1e-2, 1e-12, 0.05]
    first = fit(s, c, initial=bad, restarts=0)
    assert isinstance(first, FailedFit)
    assert first.reason == "singular_jacobian"
    rescued = fit(s, c, initial=bad, restarts=2)
    assert isinstance(rescued, FitResult)
    assert any("restart" in n for n in rescued.notes)
    np.testing.assert_allclose(rescued.values, truth, rtol=1e-4)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"weighting": "square"}, "weighting must be one of"),
        ({"on_bound": "ignore"}, "on_bound"),
        ({"max_iter": 0}, "max_iter"),
        ({"fixed": {"R9": 1.0}}, "no parameter 'R9'"),
        ({"bounds": {"R1": (5.0, 1.0)}}, "not below"),
        ({"bounds": {"R1": (-1.0, 1.0)}}, "lower bound must be >= 0"),
        ({"bounds": {"R1": 3.0}}, "must be (lower, upper)"),
        ({"initial": "guess"}, "initial must be 'auto'"),
        ({"initial": [1.0, 2.0]}, "initial must have shape (4,)"),
        ({"initial": {"R1": -5.0}}, "outside its bounds"),
        ({"initial": {"CPE1_alpha": 1.5}}, "outside its bounds"),
        ({"initial": {"R1": np.nan}}, "not finite"),
        ({"fixed": {"R1": [1.0, 2.0]}}, "one value per spectrum"),
        ({"fixed": {"R1": 1.0}, "shared": ["R1"]}, "both fixed and shared"),
    ],
)
def test_invalid_options(kwargs: dict[str, object], fragment: str) -> None:
    s = Spectrum(F, Circuit("R0-p(R1,CPE1)").impedance(F, [10.0, 100.0, 1e-5, 0.8]))
    with pytest.raises(ImpedanceError) as info:
        fit(s, "R0-p(R1,CPE1)", **kwargs)  # type: ignore[arg-type]
    assert fragment in str(info.value)


def test_invalid_inputs() -> None:
    with pytest.raises(ImpedanceError, match="at least one spectrum"):
        fit([], "R0")
    with pytest.raises(ImpedanceError, match="not a Spectrum"):
        fit([np.ones(3)], "R0")  # type: ignore[list-item]
    with pytest.raises(ImpedanceError, match="takes a Spectrum"):
        fit("data.mpr", "R0")  # type: ignore[arg-type]


# ------------------------------------------------------------------------- global fits
def test_shared_parameter_global_fit() -> None:
    """Six spectra with one CPE exponent (0.85) and different resistances.

    Checks: the shared value is common and recovered; the joint optimum is a stationary
    point of the stacked problem (dense gradient built here from the circuit's Jacobian);
    the per-spectrum covariance blocks equal those of the dense inverse (JᵀJ)⁻¹·χ²/dof
    computed here without the Schur complement.
    """
    spec = "R0-p(R1,CPE1)"
    c = Circuit(spec)
    rng = np.random.default_rng(4)
    truth = _truths(c, [10.0, 100.0, 1e-5, 0.85], 6, rng)
    truth[:, 3] = 0.85
    spectra = _noisy(c, truth, rng)
    shared = fit(spectra, spec, shared=["CPE1_alpha"])
    single = fit(spectra, spec)
    assert all(isinstance(r, FitResult) for r in shared + single)
    alphas = {r["CPE1_alpha"] for r in shared}
    assert len(alphas) == 1
    alpha = alphas.pop()
    sigma = shared[0].error("CPE1_alpha")
    assert abs(alpha - 0.85) < 4 * sigma
    assert sigma < min(r.error("CPE1_alpha") for r in single)
    assert all(r.shared == ("CPE1_alpha",) for r in shared)

    # dense stacked problem in the fitted variables (ln R0, ln R1, ln Q per spectrum; alpha)
    n = len(spectra)
    cols = 3 * n + 1
    jac_rows, res_rows = [], []
    for i, (s, r) in enumerate(zip(spectra, shared, strict=True)):
        z, jz = c.impedance_and_jacobian(s.frequency, r.values)
        w = 1 / np.abs(s.impedance)
        block = np.zeros((2 * s.frequency.size, cols))
        for k in range(3):
            d = jz[k] * r.values[k] * w
            block[:, 3 * i + k] = np.concatenate([d.real, d.imag])
        d = jz[3] * w
        block[:, -1] = np.concatenate([d.real, d.imag])
        jac_rows.append(block)
        diff = (z - s.impedance) * w
        res_rows.append(np.concatenate([diff.real, diff.imag]))
    jd = np.vstack(jac_rows)
    rd = np.concatenate(res_rows)
    grad = jd.T @ rd
    cosine = np.abs(grad) / (np.linalg.norm(jd, axis=0) * np.linalg.norm(rd))
    assert cosine.max() < 1e-6
    dof = rd.size - cols
    assert shared[0].dof == dof
    chi2 = rd @ rd
    assert sum(r.chi2 for r in shared) == pytest.approx(chi2, rel=1e-9)
    cov_x = np.linalg.inv(jd.T @ jd) * chi2 / dof
    for i, r in enumerate(shared):
        idx = [3 * i, 3 * i + 1, 3 * i + 2, cols - 1]
        scale = np.array([*r.values[:3], 1.0])
        expected = cov_x[np.ix_(idx, idx)] * np.outer(scale, scale)
        np.testing.assert_allclose(r.covariance, expected, rtol=1e-6)


def test_results_frame() -> None:
    spec = "R0-p(R1,CPE1)"
    c = Circuit(spec)
    s = Spectrum(F, c.impedance(F, [10.0, 100.0, 1e-5, 0.8]), source="a.mpr", sweep=0)
    res = [fit(s, spec), fit(Spectrum(F[:1], s.impedance[:1], sweep=1), spec)]
    frame = results_frame(res)
    assert frame.height == 2
    assert frame["success"].to_list() == [True, False]
    assert frame["reason"].to_list() == [None, "too_few_points"]
    assert frame["R1"][0] == pytest.approx(100.0)
    assert "R1_error" in frame.columns
    assert frame["R1_error"][1] is None


# ------------------------------------------------------------------------- real spectra
# Reference fits by impedance.py 1.7.1 (scipy 1.17.1, numpy 2.4.6), produced on 2026-11-26
# with `benchmarks/bench_impedance.py --golden` from the same data, circuit, starting values
# and weighting (weight_by_modulus=False for "unit", True for "modulus"). Starting values:
# impedance.py's own tutorial guess for exampleData.csv, elyte's automatic guesses rounded
# to three digits for the others (written out here, so both tools start from them).
IMPEDANCEPY = {
    ("exampleData", "unit"): [
        0.0165187,
        0.00867655,
        3.32143,
        0.00538996,
        0.0630927,
        232.52,
        0.219542,
    ],
    ("exampleData", "modulus"): [
        0.0163986,
        0.00905622,
        3.06043,
        0.00528668,
        0.144869,
        1320.13,
        0.201514,
    ],
    ("BioLogic", "unit"): [63.7222, 47.7911, 0.0092661, 0.926479],
    ("BioLogic", "modulus"): [63.5622, 48.1967, 0.00929789, 0.915158],
    ("geis0", "unit"): [6.0304, 101.173, 8.22169e-05, 0.583792],
    ("geis1", "unit"): [5.0306, 103.112, 9.10461e-05, 0.569148],
    ("geis2", "unit"): [5.66779, 100.788, 8.44406e-05, 0.580193],
    ("geis3", "unit"): [5.39137, 101.124, 8.74367e-05, 0.575799],
    ("geis0", "modulus"): [6.75951, 87.1229, 3.71853e-05, 0.665042],
    ("geis1", "modulus"): [5.97393, 88.591, 4.13214e-05, 0.650869],
    ("geis2", "modulus"): [6.81201, 82.9404, 2.78944e-05, 0.696543],
    ("geis3", "modulus"): [6.45305, 84.0682, 3.12209e-05, 0.682524],
    ("peis", "unit"): [10.8122, 5.27436, 0.00014474],
    ("peis", "modulus"): [10.7904, 5.24204, 0.000141767],
}
STARTS = {
    "exampleData": ("R0-p(R1,C1)-p(R2-Wo1,C2)", [0.01, 0.01, 100, 0.01, 0.05, 100, 1]),
    "BioLogic": ("R0-p(R1,CPE1)", [57.9, 57.7, 0.00835, 0.816]),
    "geis0": ("R0-p(R1,CPE1)", [7.59, 91.8, 4.49e-05, 0.658]),
    "geis1": ("R0-p(R1,CPE1)", [7.34, 108.0, 9.94e-05, 0.569]),
    "geis2": ("R0-p(R1,CPE1)", [7.43, 106.0, 8.92e-05, 0.585]),
    "geis3": ("R0-p(R1,CPE1)", [7.02, 91.0, 4.69e-05, 0.654]),
    "peis": ("R0-p(R1,C1)", [10.4, 8.52, 0.000112]),
}


def _real_spectrum(label: str) -> Spectrum:
    if label == "exampleData":
        data = np.loadtxt(shared_file("eis", "impedancepy_exampleData.csv"), delimiter=",")
        # impedance.py's tutorial drops the inductive points (Z'' > 0) first: the nine
        # highest frequencies of this file
        return Spectrum(data[:, 0], data[:, 1] + 1j * data[:, 2]).without_inductive()
    if label == "BioLogic":
        path = shared_file("eis", "impedancepy_exampleDataBioLogic.mpt")
        return spectra_from_recording(elyte.read(path))[0]
    if label.startswith("geis"):
        path = shared_file("biologic", "geis.issue_149.mpr")
        return spectra_from_recording(elyte.read(path))[int(label[-1])]
    # peis.mpr below ~60 Hz is noise (Z' jumps between 1 and 30 ohm): fit above it
    path = shared_file("biologic", "peis.mpr")
    return spectra_from_recording(elyte.read(path))[0].crop(f_min=60.0)


@pytest.mark.realdata
@pytest.mark.parametrize(("label", "weighting"), sorted(IMPEDANCEPY))
def test_real_spectra_agree_with_impedancepy(label: str, weighting: str) -> None:
    """Same data, circuit, start and weighting: parameters within 1 % of impedance.py.

    One exception, explained: exampleData.csv with unit weighting, where the finite Warburg
    (Wo1_R, Wo1_tau) sits in a flat valley. impedance.py stops 1 % and 2.3 % away from our
    optimum; there its chi2 is higher than ours (checked here with the same model), and
    the differences are well inside our 1-sigma errors (3 % and 7 %).
    """
    s = _real_spectrum(label)
    circuit, start = STARTS[label]
    ref = np.array(IMPEDANCEPY[(label, weighting)])
    res = fit(s, circuit, initial=start, weighting=weighting)  # type: ignore[arg-type]
    assert isinstance(res, FitResult), res
    rel = np.abs(res.values / ref - 1)
    if (label, weighting) == ("exampleData", "unit"):
        others = [k for k, n in enumerate(res.names) if not n.startswith("Wo1")]
        assert rel[others].max() < 0.01
        c = Circuit(circuit)
        chi2_ref = np.sum(np.abs(c.impedance(s.frequency, ref) - s.impedance) ** 2)
        assert res.chi2 < chi2_ref
        for name in ("Wo1_R", "Wo1_tau"):
            k = res.names.index(name)
            assert abs(res.values[k] - ref[k]) < res.errors[k]
    else:
        assert rel.max() < 0.01, rel


@pytest.mark.realdata
def test_real_spectra_with_automatic_guesses() -> None:
    """The four GEIS sweeps fitted as one batch from automatic starting values."""
    spectra = [_real_spectrum(f"geis{i}") for i in range(4)]
    for weighting in ("unit", "modulus"):
        res = fit(spectra, "R0-p(R1,CPE1)", weighting=weighting)  # type: ignore[arg-type]
        for i, r in enumerate(res):
            assert isinstance(r, FitResult)
            np.testing.assert_allclose(r.values, IMPEDANCEPY[(f"geis{i}", weighting)], rtol=0.01)
    bio = _real_spectrum("BioLogic")
    r = fit(bio, "R0-p(R1,CPE1)")
    assert isinstance(r, FitResult)
    np.testing.assert_allclose(r.values, IMPEDANCEPY[("BioLogic", "modulus")], rtol=0.01)


def test_initial_guess_shapes_and_values() -> None:
    """Guesses read off an R0-p(R1,C1)-W1 spectrum land near the truth they come from."""
    c = Circuit("R0-p(R1,C1)-W1")
    truth = np.array([10.0, 100.0, 1e-6, 20.0])
    z = c.impedance(F, truth)
    g = initial_guess(c, F, z)
    assert g.shape == (4,)
    assert g[0] == pytest.approx(10.0, rel=0.05)  # high-frequency intercept
    assert g[1] == pytest.approx(100.0, rel=0.3)  # arc width
    assert g[2] == pytest.approx(1e-6, rel=0.5)  # from the apex frequency
    assert g[3] == pytest.approx(20.0, rel=0.3)  # low-frequency -Z'' sqrt(omega)
    g2 = initial_guess(c, F, np.stack([z, 2 * z]))
    assert g2.shape == (2, 4)
    assert g2[1, 1] == pytest.approx(2 * g2[0, 1], rel=1e-9)
