"""Recording: units, selection, summary, and the Parquet/BDF exports."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import elyte
from elyte.errors import ExportError, ReaderError
from elyte.examples import galvanostatic_example
from elyte.recording import Recording, RecordingMeta


def _rec(**columns: list[object]) -> Recording:
    frame = pl.DataFrame(columns)
    return Recording(frame, RecordingMeta(instrument="test", format="none"))


def test_unit_of_canonical_and_missing_column() -> None:
    rec = _rec(test_time_second=[0.0], voltage_volt=[3.0])
    assert rec.unit("voltage_volt") == "V"
    with pytest.raises(KeyError, match="no column 'current_ampere'"):
        rec.unit("current_ampere")


def test_select_by_technique_and_cycle() -> None:
    rec = _rec(
        test_time_second=[0.0, 1.0, 2.0, 3.0],
        voltage_volt=[3.0, 3.1, 3.2, 3.3],
        technique=["PEIS", "GCPL", "GCPL", "PEIS"],
        cycle_count=[1, 1, 2, 2],
    )
    assert rec.select(technique="gcpl").data["test_time_second"].to_list() == [1.0, 2.0]
    assert rec.select(technique="PEIS", cycles=2).data["test_time_second"].to_list() == [3.0]
    # the original is untouched
    assert len(rec) == 4


def test_select_without_column_is_a_clear_error() -> None:
    rec = _rec(test_time_second=[0.0], voltage_volt=[3.0])
    with pytest.raises(ReaderError, match="no 'technique' column"):
        rec.select(technique="PEIS")


def test_summary_spans_with_units() -> None:
    rec = galvanostatic_example(cycles=2)
    summary = rec.summary()
    assert summary["cycles"] == 2
    assert summary["current"]["max"] == {"value": pytest.approx(2e-3), "unit": "A"}
    assert summary["current"]["min"]["value"] == pytest.approx(-2e-3)
    assert summary["duration"]["unit"] == "s"
    assert summary["simulated"] is True


def test_parquet_round_trip_is_exact(tmp_path: Path) -> None:
    rec = galvanostatic_example(cycles=2)
    path = rec.to_parquet(tmp_path / "r.parquet")
    back = elyte.read(path)
    assert back.data.equals(rec.data)
    assert back.meta.units == rec.meta.units
    assert back.meta.simulated is True
    assert back.meta.techniques == ("GCPL",)
    # a recording made in memory gets the Parquet file as its source
    assert back.meta.source_path == str(path)


def test_bdf_export_requires_time_voltage_current(tmp_path: Path) -> None:
    rec = _rec(test_time_second=[0.0], voltage_volt=[3.0])
    with pytest.raises(ExportError, match="lacks \\['current_ampere'\\]"):
        rec.to_bdf(tmp_path / "x.bdf.csv")


def test_bdf_export_human_labels_and_round_trip(tmp_path: Path) -> None:
    rec = galvanostatic_example(cycles=1)
    path = rec.to_bdf(tmp_path / "x.bdf.csv", labels="human")
    header = path.read_text().splitlines()[0].split(",")
    assert header[:3] == ["Test Time / s", "Voltage / V", "Current / A"]
    back = elyte.read(path)
    assert back.meta.format == "bdf"
    for column in ("test_time_second", "voltage_volt", "current_ampere", "charging_capacity_ah"):
        assert back.data[column].to_list() == pytest.approx(rec.data[column].to_list())
