"""Modified-Aurbach CE on generated Li||Cu recordings of known truth, and refusals.

Golden values: the generated recordings (:mod:`tests.lithium`) are piecewise-constant
current with the step durations computed from the programmed capacities, so each step's
charge is ``|I| x duration`` exactly (analytic), and the final strip is as long as the
chosen true CE requires (``Q4 = CE (Q1 + Q2) - Q3``). Real files: the BioLogic GCPL
recordings in ../shared/data are not Li||Cu tests and must be refused.
"""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import polars as pl
import pytest

from elyte.cycling import CyclingDataError
from elyte.errors import ElyteError, MissingCellParameterError, ProtocolError
from elyte.examples import galvanostatic_example
from elyte.lithium import find_half_cycles, modified_aurbach_ce
from elyte.recording import Recording, RecordingMeta
from tests.conftest import shared_file
from tests.lithium import AREA_CM2, Step, downsample, li_cu_protocol, render

REL = 1e-9


def _check_exact(result: object, truth: object) -> None:
    for name in ("q1_ah", "q2_ah", "q3_ah", "q4_ah"):
        got, want = getattr(result, name), getattr(truth, name)
        assert got == pytest.approx(want, rel=REL), name
    analytic = (truth.q3_ah + truth.q4_ah) / (truth.q1_ah + truth.q2_ah)  # type: ignore[attr-defined]
    assert result.ce == pytest.approx(analytic, rel=REL)  # type: ignore[attr-defined]
    assert result.ce == pytest.approx(truth.ce, rel=REL)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "variant",
    [
        {},
        {"vendor_columns": True},
        {"rest_s": 300.0},
        {"step_columns": False},
        {"plating_sign": 1},
        {"order": "plate_first", "rest_s": 120.0},
        {"order": "plate_first"},
        {"formation": False},
        {"true_ce": 0.95, "n_cycles": 5},
    ],
    ids=lambda v: ",".join(f"{k}={x}" for k, x in v.items()) or "seed",
)
def test_generated_protocol_recovers_q1_to_q4(variant: dict[str, object]) -> None:
    """Q1..Q4 and the CE match the analytic charges to 1e-9 relative; the protocol is named."""
    rec, truth = li_cu_protocol(**variant)  # type: ignore[arg-type]
    result = modified_aurbach_ce(rec, area_cm2=AREA_CM2)
    _check_exact(result, truth)
    p = result.protocol
    assert p.n_cycles == variant.get("n_cycles", 10)
    assert p.current_density_ma_cm2 == pytest.approx(0.5, rel=1e-9)
    assert p.plating_current_density_ma_cm2 == pytest.approx(0.5, rel=1e-9)
    assert p.stripping_current_density_ma_cm2 == pytest.approx(0.5, rel=1e-9)
    assert p.reservoir_capacity_mah_cm2 == pytest.approx(5.0, rel=1e-9)
    assert p.cycled_capacity_mah_cm2 == pytest.approx(1.0, rel=1e-9)
    assert p.cutoff_v == pytest.approx(1.0)
    assert p.formation is variant.get("formation", True)
    assert p.cycle_order == ("plate_first" if variant.get("order") else "strip_first")
    assert p.plating_current_sign == variant.get("plating_sign", -1)
    assert p.plating_sign_source.startswith("detected")
    if p.formation:
        assert p.formation_capacity_mah_cm2 == pytest.approx(5.0, rel=1e-9)
        assert result.formation_plating_ah == pytest.approx(truth.formation_plating_ah, rel=REL)
        assert result.formation_stripping_ah == pytest.approx(truth.formation_stripping_ah, rel=REL)
        assert result.formation_ce == pytest.approx(0.9, rel=REL)
    else:
        assert result.formation_ce is None
        assert p.formation_capacity_mah_cm2 is None
    assert result.q1_mah_cm2 == pytest.approx(5.0, rel=REL)


def test_plate_first_without_step_counter_merges_steps_but_keeps_the_ce() -> None:
    """Without steps or rests the reservoir and the first cycle plating merge: n = 9, CE exact."""
    rec, truth = li_cu_protocol(order="plate_first", step_columns=False)
    result = modified_aurbach_ce(rec, area_cm2=AREA_CM2)
    assert result.ce == pytest.approx(truth.ce, rel=REL)
    assert result.protocol.n_cycles == 9
    assert result.q1_ah == pytest.approx(truth.q1_ah * 6 / 5, rel=REL)  # 5 + 1 mAh/cm2
    assert any("no step counter" in note for note in result.notes)


def test_steps_table_roles_and_per_cycle_ce() -> None:
    """Roles, cycle numbers and the per-cycle table follow the generated protocol."""
    rec, truth = li_cu_protocol(q_cycle_strip=0.98)
    result = modified_aurbach_ce(rec, area_cm2=AREA_CM2)
    _check_exact(result, truth)
    roles = result.steps.get_column("role").to_list()
    assert roles[:3] == ["formation_plating", "formation_stripping", "reservoir_plating"]
    assert roles[-1] == "final_stripping"
    assert roles[3:-1] == ["cycle_stripping", "cycle_plating"] * 10
    enters = result.steps.get_column("enters").to_list()
    assert enters[:3] == ["", "", "Q1"]
    assert enters[-1] == "Q4"
    assert result.steps.get_column("reached_cutoff").to_list() == [
        r in ("formation_stripping", "final_stripping") for r in roles
    ]
    cycles = result.cycles
    assert cycles.get_column("cycle").to_list() == list(range(1, 11))
    np.testing.assert_allclose(result.per_cycle_ce, 0.98, rtol=REL)
    np.testing.assert_allclose(
        cycles.get_column("plating_ah").to_numpy(), truth.cycle_plating_ah, rtol=REL
    )
    np.testing.assert_allclose(
        cycles.get_column("stripping_ah").to_numpy(), truth.cycle_stripping_ah, rtol=REL
    )
    np.testing.assert_allclose(cycles.get_column("plating_median_voltage_v").to_numpy(), -0.030)
    np.testing.assert_allclose(cycles.get_column("stripping_median_voltage_v").to_numpy(), 0.030)


def test_adams_form() -> None:
    """Adams: (n Q_C + Q_S)/(n Q_C + Q_T); Q_C = Q2/n by default, or the nominal capacity."""
    rec, truth = li_cu_protocol(q_cycle_strip=0.98)
    result = modified_aurbach_ce(rec, area_cm2=AREA_CM2)
    q2, q1, q4 = truth.q2_ah, truth.q1_ah, truth.q4_ah
    assert result.ce_adams == pytest.approx((q2 + q4) / (q2 + q1), rel=REL)
    assert result.ce_adams != pytest.approx(result.ce, rel=1e-6)  # Q3 != Q2 here
    nominal = modified_aurbach_ce(rec, area_cm2=AREA_CM2, nominal_cycled_capacity_mah_cm2=1.05)
    n_qc = 10 * 1.05 * AREA_CM2 / 1000.0
    assert nominal.ce_adams == pytest.approx((n_qc + q4) / (n_qc + q1), rel=REL)
    assert "given" in nominal.conventions["adams_cycled_charge"]


def test_voltage_noise_does_not_change_the_charges() -> None:
    """2 mV voltage noise: charges exact, cut-off found within the noise."""
    rec, truth = li_cu_protocol(noise_v=0.002, seed=3)
    result = modified_aurbach_ce(rec, area_cm2=AREA_CM2)
    _check_exact(result, truth)
    assert result.protocol.cutoff_v == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize(("every", "tol_ce", "tol_q"), [(10, 2e-4, 2e-3), (60, 2e-4, 5e-3)])
def test_downsampled_recording_within_tolerance(every: int, tol_ce: float, tol_q: float) -> None:
    """Sampled every 10 s / 60 s (step ends kept, step-start duplicates dropped).

    The trapezoid spreads each current step over the sampling gap: stated tolerance
    |dCE| <= 2e-4 and |dQ|/Q <= 0.2 % (10 s) / 0.5 % (60 s). With ``interval_mean`` the
    interval that ends at a row lies entirely in that row's step, so it is exact again.
    """
    rec, truth = li_cu_protocol(dt_s=1.0)
    coarse = downsample(rec, every)
    assert coarse.data.height < rec.data.height / (every / 2)
    result = modified_aurbach_ce(coarse, area_cm2=AREA_CM2)
    assert abs(result.ce - truth.ce) <= tol_ce
    for name in ("q1_ah", "q2_ah", "q3_ah", "q4_ah"):
        assert getattr(result, name) == pytest.approx(getattr(truth, name), rel=tol_q), name
    assert result.protocol.n_cycles == 10
    exact = modified_aurbach_ce(coarse, area_cm2=AREA_CM2, integration="interval_mean")
    _check_exact(exact, truth)


def test_given_sign_and_cutoff_are_recorded() -> None:
    rec, truth = li_cu_protocol()
    result = modified_aurbach_ce(rec, area_cm2=AREA_CM2, plating_current_sign=-1, cutoff_v=1.0)
    _check_exact(result, truth)
    assert result.protocol.plating_sign_source == "given"
    assert result.protocol.cutoff_source == "given"
    assert result.conventions["plating_current_sign"] == -1


def test_short_conditioning_strip_is_excluded_and_reported() -> None:
    """A tiny strip before the first plating is conditioning, not an error."""
    rec, truth = li_cu_protocol()
    head, _ = render([Step("stripping", 0.001, to_cutoff=True, step_id=9)])
    shift = float(head.data.get_column("test_time_second").max())  # type: ignore[arg-type]
    data = pl.concat(
        [
            head.data,
            rec.data.with_columns(pl.col("test_time_second") + shift, pl.col("step_count") + 1),
        ]
    )
    result = modified_aurbach_ce(Recording(data, rec.meta), area_cm2=AREA_CM2)
    _check_exact(result, truth)
    assert result.steps.get_column("role")[0] == "conditioning"
    assert any("conditioning" in note for note in result.notes)


def test_to_dict_is_json() -> None:
    rec, _ = li_cu_protocol()
    out = modified_aurbach_ce(rec, area_cm2=AREA_CM2).to_dict()
    text = json.dumps(out)
    assert out["ce_percent"] == pytest.approx(99.0, rel=1e-9)
    assert out["protocol"]["n_cycles"] == 10
    assert out["units"]["q1_mah_cm2"] == "mAh/cm2"
    assert len(out["steps"]) == 24
    assert len(out["cycles"]) == 10
    assert "NaN" not in text


def test_find_half_cycles_on_a_deposition_test() -> None:
    """One plating only (Fig. S15 style): the sign is taken from the voltage, charge exact."""
    rec, _ = render([Step("plating", 3.0, bare_cu=True, step_id=1)])
    found = find_half_cycles(rec)
    assert len(found) == 1
    assert found.plating_current_sign == -1
    assert "only negative current" in found.plating_sign_source
    assert found.items[0].charge_ah == pytest.approx(3.0 * AREA_CM2 / 1000.0, rel=REL)
    assert found.to_frame().height == 1


# --------------------------------------------------------------------------- refusals
def _raises(rec: Recording, match: str, **kwargs: object) -> ProtocolError:
    with pytest.raises(ProtocolError, match=match) as info:
        modified_aurbach_ce(rec, area_cm2=AREA_CM2, **kwargs)  # type: ignore[arg-type]
    return info.value


def test_protocol_error_is_an_elyte_value_error() -> None:
    err = ProtocolError("missing step", path="x.mpr")
    assert isinstance(err, ElyteError)
    assert isinstance(err, ValueError)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is ProtocolError
    assert str(back) == "x.mpr: missing step"


def test_cathode_cycling_is_refused() -> None:
    """A cathode/Li cycling file never gets a CE."""
    err = _raises(galvanostatic_example(), "not Li plating on Cu")
    assert "median voltage of 3." in str(err)


def test_wrong_plating_sign_is_refused_not_silently_used() -> None:
    """Forcing the stripping sign as plating breaks the protocol; the message says 'given'."""
    rec, _ = li_cu_protocol()
    err = _raises(rec, "starts with a stripping", plating_current_sign=1)
    assert "plating current sign +1, given" in str(err)


def test_symmetric_cell_is_refused() -> None:
    """A Li||Li recording (no strip to a cut-off) is not an Aurbach test."""
    steps = [Step("stripping" if k % 2 else "plating", 1.0, step_id=k % 2) for k in range(20)]
    rec, _ = render(steps)
    _raises(rec, "missing step: the final strip to the cut-off")


def test_truncated_recordings_are_refused() -> None:
    rec, _ = li_cu_protocol()
    steps = rec.data.get_column("step_count")
    # stops after the last cycle plating: ends with a plating
    last_plating = rec.data.filter(steps <= steps.max() - 1)  # type: ignore[operator]
    _raises(Recording(last_plating, rec.meta), "ends with a plating")
    # stops after a cycle strip: no strip to the cut-off at the end
    mid = rec.data.filter(steps <= 6)
    _raises(Recording(mid, rec.meta), "missing step: the final strip to the cut-off")


def test_reservoir_exhausted_during_cycling_is_refused() -> None:
    steps = [
        Step("plating", 5.0, bare_cu=True, step_id=1),
        Step("stripping", 4.5, to_cutoff=True, step_id=2),
        Step("plating", 2.0, bare_cu=True, step_id=3),
        Step("stripping", 1.0, step_id=4),
        Step("plating", 1.0, step_id=5),
        Step("stripping", 1.0, to_cutoff=True, step_id=4),
        Step("plating", 1.0, bare_cu=True, step_id=5),
        Step("stripping", 0.9, to_cutoff=True, step_id=6),
    ]
    rec, _ = render(steps)
    _raises(rec, r"stripping of cycle 2, .* ended on a voltage rise .* reservoir ran out")


def test_formation_strip_to_another_cutoff() -> None:
    """Formation stripped to 0.5 V, final strip to 1 V (Adams-style): still recognised."""
    steps = [
        Step("plating", 5.0, bare_cu=True, step_id=1),
        Step("stripping", 4.6, to_cutoff=True, step_id=2, cutoff_v=0.5),
        Step("plating", 5.0, bare_cu=True, step_id=3),
        *[Step("stripping", 1.0, step_id=4), Step("plating", 1.0, step_id=5)] * 3,
        Step("stripping", 4.8, to_cutoff=True, step_id=6),
    ]
    rec, _ = render(steps)
    result = modified_aurbach_ce(rec, area_cm2=AREA_CM2)
    assert result.protocol.formation
    assert result.protocol.cutoff_v == pytest.approx(1.0)
    assert result.formation_ce == pytest.approx(4.6 / 5.0, rel=REL)
    assert result.ce == pytest.approx((3.0 + 4.8) / (5.0 + 3.0), rel=REL)
    assert result.steps.get_column("reached_cutoff").to_list()[:2] == [False, False]


def test_cycle_step_that_did_not_end_by_capacity_is_refused() -> None:
    steps = [
        Step("plating", 5.0, bare_cu=True, step_id=3),
        Step("stripping", 1.0, step_id=4),
        Step("plating", 1.0, step_id=5),
        Step("stripping", 1.0, step_id=4),
        Step("plating", 0.6, step_id=5),
        Step("stripping", 1.0, step_id=4),
        Step("plating", 1.0, step_id=5),
        Step("stripping", 4.5, to_cutoff=True, step_id=6),
    ]
    rec, _ = render(steps)
    _raises(rec, r"plating of cycle 2, .* did not end by capacity")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"q_reservoir": 1.0}, "not a reservoir protocol"),
        ({"n_cycles": 0}, "missing step: the cycling segment"),
    ],
)
def test_protocol_shape_errors(kwargs: dict[str, object], match: str) -> None:
    rec, _ = li_cu_protocol(**kwargs)  # type: ignore[arg-type]
    _raises(rec, match)


def test_formation_required_but_absent() -> None:
    rec, _ = li_cu_protocol(formation=False)
    _raises(rec, "missing step: the formation strip", formation=True)


def test_incomplete_and_unexpected_cycles() -> None:
    base = [Step("plating", 5.0, bare_cu=True, step_id=3)]
    final = [Step("stripping", 4.0, to_cutoff=True, step_id=6)]
    s, p = Step("stripping", 1.0, step_id=4), Step("plating", 1.0, step_id=5)
    rec, _ = render([*base, s, p, s, *final])
    _raises(rec, r"missing step: cycle 2 of the cycling segment is incomplete")
    rec, _ = render([*base, s, p, p, s, *final])
    _raises(rec, r"unexpected step: half-cycle #4 .* where a stripping was expected")


def test_long_strip_first_is_refused() -> None:
    steps = [Step("stripping", 1.0, step_id=2)]
    rec, _ = li_cu_protocol()
    head, _ = render(steps)
    shift = float(head.data.get_column("test_time_second").max())  # type: ignore[arg-type]
    data = pl.concat(
        [
            head.data,
            rec.data.with_columns(pl.col("test_time_second") + shift, pl.col("step_count") + 1),
        ]
    )
    _raises(Recording(data, rec.meta), "starts with a stripping")


def test_given_cutoff_not_reached_is_refused() -> None:
    rec, _ = li_cu_protocol()
    _raises(rec, "ends below the cut-off 1.5 V", cutoff_v=1.5)


def test_bad_input() -> None:
    rec, _ = li_cu_protocol(n_cycles=2)
    with pytest.raises(MissingCellParameterError, match="area_cm2"):
        modified_aurbach_ce(rec, area_cm2=0.0)
    with pytest.raises(MissingCellParameterError, match="area_cm2"):
        modified_aurbach_ce(rec, area_cm2=math.nan)
    with pytest.raises(CyclingDataError, match="voltage_volt"):
        modified_aurbach_ce(Recording(rec.data.drop("voltage_volt"), rec.meta), area_cm2=1.0)
    with pytest.raises(CyclingDataError, match="no rows"):
        modified_aurbach_ce(Recording(rec.data.head(0), rec.meta), area_cm2=1.0)
    with pytest.raises(ProtocolError, match="no current flows"):
        modified_aurbach_ce(
            Recording(rec.data.with_columns(pl.lit(0.0).alias("current_ampere")), rec.meta),
            area_cm2=1.0,
        )
    with pytest.raises(ProtocolError, match="plating_current_sign"):
        modified_aurbach_ce(rec, area_cm2=1.0, plating_current_sign=2)  # type: ignore[arg-type]
    with pytest.raises(CyclingDataError, match="capacity_basis"):
        modified_aurbach_ce(rec, area_cm2=1.0, capacity_basis="x")  # type: ignore[arg-type]
    with pytest.raises(CyclingDataError, match="vendor"):
        modified_aurbach_ce(rec, area_cm2=1.0, capacity_basis="vendor")


def test_plain_recording_meta_in_error_message() -> None:
    """The file's path starts the message, so the CLI line names the file."""
    rec = galvanostatic_example()
    named = Recording(rec.data, RecordingMeta(instrument="x", format="y", source_path="a.mpr"))
    err = _raises(named, "not Li plating")
    assert str(err).startswith("a.mpr: ")


# --------------------------------------------------------------------------- real files
@pytest.mark.realdata
@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("gcpl.issue_149.mpr", r"not Li plating on Cu: .* median voltage of 3\.428 V"),
        ("gcpl.issue_149.mpt", r"not Li plating on Cu: .* median voltage of 3\.428 V"),
        (
            "jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr",
            r"not Li plating on Cu: .* median voltage of 2\.713 V",
        ),
        ("gcpl.issue_211.mpr", r"starts with a stripping, half-cycle #1"),
        ("gcpl.issue_211.mpt", r"starts with a stripping, half-cycle #1"),
    ],
)
def test_real_biologic_gcpl_files_are_refused(name: str, reason: str) -> None:
    """The BioLogic GCPL files are cathode / voltage-window cycling, not Li||Cu."""
    import elyte

    path = shared_file("biologic", name)
    rec = elyte.read(path)
    with pytest.raises(ProtocolError, match=reason) as info:
        modified_aurbach_ce(rec, area_cm2=AREA_CM2)
    assert name in str(info.value)
