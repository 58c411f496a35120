"""label_cycles: direction labels and the three cycle definitions."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from elyte.cycling import CyclingDataError, label_cycles
from elyte.cycling.segment import current_threshold, label_frame
from elyte.recording import Recording, RecordingMeta


def _rec(current: list[float], **extra: list[int]) -> Recording:
    data = {"test_time_second": [float(k) for k in range(len(current))], "current_ampere": current}
    return Recording(
        pl.DataFrame(data | extra), RecordingMeta(instrument="generated", format="test")
    )


def test_direction_threshold() -> None:
    """Rows within the dead band are rest; the default band is 1e-3 of max |I|."""
    rec = _rec([0.0, 1e-4, 5e-3, 1.0, -2e-3, -1.0])
    labelled = label_cycles(rec, definition="charge_discharge")
    assert labelled["direction"].to_list() == [
        "rest",
        "rest",
        "charge",
        "charge",
        "discharge",
        "discharge",
    ]
    assert current_threshold(rec.data["current_ampere"], None) == pytest.approx(1e-3)
    wide = label_cycles(rec, definition="charge_discharge", current_threshold_a=0.01)
    assert wide["direction"].to_list()[2] == "rest"
    assert wide.columns == [*rec.data.columns, "direction", "cycle"]


def test_charge_discharge_pairs_with_leading_rest_and_interrupted_charge() -> None:
    """Leading rest joins cycle 1; a rest inside a charge does not start a new cycle."""
    current = [0, 0, 1, 1, 0, 1, -1, -1, 0, 1, 1, -1, 0]
    labelled = label_cycles(_rec([float(c) for c in current]), definition="charge_discharge")
    assert labelled["cycle"].to_list() == [1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2]
    assert labelled["cycle"].dtype == pl.Int64


def test_lone_leading_discharge_is_cycle_zero() -> None:
    """A cell that starts with a discharge: that discharge is cycle 0, reported."""
    current = [0.0, -1.0, -1.0, 0.0, 1.0, 1.0, -1.0, 0.0, 1.0, -1.0]
    result = label_frame(_rec(current).data, definition="charge_discharge")
    assert result.frame["cycle"].to_list() == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]
    assert "cycle 0" in result.info["cycle_0"]


def test_discharge_charge_definition_for_plating_first() -> None:
    """Li||Cu: plating (discharge) then stripping (charge) form one cycle."""
    current = [-1.0, -1.0, 0.0, 1.0, 1.0, 0.0, -1.0, 1.0]
    labelled = label_cycles(_rec(current), definition="discharge_charge")
    assert labelled["cycle"].to_list() == [1, 1, 1, 1, 1, 1, 2, 2]
    lone_charge = label_cycles(_rec([1.0, -1.0, 1.0]), definition="discharge_charge")
    assert lone_charge["cycle"].to_list() == [0, 1, 1]


def test_vendor_counter_and_zero_based_offset() -> None:
    rec = _rec([1.0, -1.0, 1.0, -1.0], cycle_count=[1, 1, 2, 2])
    assert label_cycles(rec, definition="vendor")["cycle"].to_list() == [1, 1, 2, 2]
    zero = _rec([1.0, -1.0, 1.0, -1.0], cycle_count=[0, 0, 1, 1])
    result = label_frame(zero.data, definition="vendor")
    assert result.frame["cycle"].to_list() == [1, 1, 2, 2]
    assert result.info["vendor_cycle_offset"] == 1


def test_errors() -> None:
    rec = _rec([1.0, -1.0])
    with pytest.raises(CyclingDataError, match="cycle_count"):
        label_cycles(rec, definition="vendor")
    with pytest.raises(CyclingDataError, match="cycle definition"):
        label_cycles(rec, definition="pairs")  # type: ignore[arg-type]
    with pytest.raises(CyclingDataError, match="current_threshold_a"):
        label_cycles(rec, definition="charge_discharge", current_threshold_a=-1.0)
    no_current = Recording(
        pl.DataFrame({"test_time_second": [0.0]}), RecordingMeta(instrument="x", format="y")
    )
    with pytest.raises(CyclingDataError, match="current_ampere"):
        label_cycles(no_current, definition="charge_discharge")
    negative = _rec([1.0, -1.0], cycle_count=[-1, 0])
    with pytest.raises(CyclingDataError, match="negative"):
        label_cycles(negative, definition="vendor")


def test_empty_recording() -> None:
    rec = Recording(
        pl.DataFrame(
            {"test_time_second": [], "current_ampere": []},
            schema={"test_time_second": pl.Float64, "current_ampere": pl.Float64},
        ),
        RecordingMeta(instrument="x", format="y"),
    )
    labelled = label_cycles(rec, definition="charge_discharge")
    assert labelled.height == 0
    assert {"cycle", "direction"} <= set(labelled.columns)


def _reference_pairs(current: list[float], threshold: float, lead: int) -> list[int]:
    """Row-by-row statement of the pair definition (the rule in the module docstring)."""
    codes = [1 if c > threshold else -1 if c < -threshold else 0 for c in current]
    numbers: list[int] = []
    number = 0
    previous_active = 0
    for code in codes:
        if code == lead and previous_active != lead:
            number += 1
        numbers.append(number)
        if code != 0:
            previous_active = code
    leading = [k for k, value in enumerate(numbers) if value == 0]
    if leading and not any(codes[k] == -lead for k in leading):
        for k in leading:
            numbers[k] = 1
    return numbers


@pytest.mark.parametrize("seed", range(25))
def test_pair_cycles_match_row_by_row_rule(seed: int) -> None:
    """The run-based labelling equals a plain loop over the rows, on random currents.

    Golden: ``_reference_pairs``, a row-by-row loop over the documented rule (new cycle at
    a ``lead`` row whose previous non-rest row is not ``lead``; leading rows are cycle 0
    only when they hold the other direction). Also checks the direction labels and that
    missing currents are rest.
    """
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 60))
    current = rng.choice(
        [-1.0, -1e-5, 0.0, 1e-5, 1.0, np.nan], n, p=[0.3, 0.05, 0.2, 0.05, 0.3, 0.1]
    )
    rec = _rec([float(c) for c in current])
    threshold = current_threshold(current, None)
    for definition, lead in (("charge_discharge", 1), ("discharge_charge", -1)):
        result = label_frame(rec.data, definition=definition)  # type: ignore[arg-type]
        assert result.frame["cycle"].to_list() == _reference_pairs(
            [float(c) for c in current], threshold, lead
        )
        words = [
            "charge" if c > threshold else "discharge" if c < -threshold else "rest"
            for c in current
        ]
        assert result.frame["direction"].cast(pl.String).to_list() == words
        assert result.codes.dtype == np.int8
        assert result.codes.tolist() == [
            {"charge": 1, "discharge": -1, "rest": 0}[w] for w in words
        ]


def test_threshold_ignores_missing_and_infinite_currents() -> None:
    """Golden: the largest finite |I| is 2 A, so the default band is 2e-3 A."""
    assert current_threshold(np.array([np.nan, -2.0, 1.0, np.inf]), None) == pytest.approx(2e-3)
    assert current_threshold(np.array([np.nan, np.nan]), None) == 0.0
    assert current_threshold(np.array([], dtype=float), None) == 0.0
