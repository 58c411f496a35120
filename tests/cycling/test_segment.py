"""label_cycles: direction labels and the three cycle definitions."""

from __future__ import annotations

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
