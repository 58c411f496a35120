"""BDF CSV/Parquet import: names, labels, aliases, and round trips with our export."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import elyte
from elyte.errors import ReaderError
from tests.conftest import shared_file


def test_machine_names(tmp_path: Path) -> None:
    path = tmp_path / "a.bdf.csv"
    path.write_text(
        "test_time_second,voltage_volt,current_ampere,cycle_count\n0,3.0,0.001,1\n10,3.1,0.001,1\n"
    )
    rec = elyte.read(path)
    assert rec.meta.format == "bdf"
    assert rec.data["voltage_volt"].to_list() == [3.0, 3.1]
    assert rec.data["cycle_count"].dtype == pl.Int64
    assert rec.meta.notes == ()  # nothing was assumed


def test_human_labels_and_deprecated_millisecond_alias(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("Test Time / s,Voltage / V,Current / A\n0,3.0,-0.002\n")
    rec = elyte.read(path)
    assert rec.data["current_ampere"].to_list() == [-0.002]
    path2 = tmp_path / "c.bdf.csv"
    path2.write_text("test_time_millisecond,voltage_v,current_a\n1500,3.0,0.0\n")
    rec2 = elyte.read(path2)
    assert rec2.data["test_time_second"].to_list() == [1.5]


def test_integer_looking_start_of_a_float_column(tmp_path: Path) -> None:
    """Capacity that is 0 for 20,000 rows and then 0.0063 is still read (as float)."""
    path = tmp_path / "late.bdf.csv"
    rows = "".join(f"{i},3.0,0.0,0\n" for i in range(20_000)) + "20000,3.0,-0.0002,0.0063\n"
    path.write_text("test_time_second,voltage_volt,current_ampere,discharging_capacity_ah\n" + rows)
    rec = elyte.read(path)
    assert rec.data["discharging_capacity_ah"][-1] == 0.0063


def test_reference_bdf_file_from_the_bdf_project() -> None:
    """The BDF project's own example file (../shared/data/landt/*.bdf.csv) reads."""
    path = shared_file("landt", "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv")
    rec = elyte.read(path)
    assert rec.meta.format == "bdf"
    assert rec.data.height == 25162  # the LAND export it was converted from has 25162 rows
    assert rec.data["discharging_capacity_ah"].max() == 0.0063


def test_missing_required_columns(tmp_path: Path) -> None:
    path = tmp_path / "d.bdf.csv"
    path.write_text("test_time_second,voltage_volt\n0,3.0\n")
    with pytest.raises(ReaderError, match="required columns \\['current_ampere'\\]"):
        elyte.read(path)


def test_plain_parquet_with_bdf_names(tmp_path: Path) -> None:
    path = tmp_path / "e.parquet"
    pl.DataFrame(
        {"test_time_second": [0.0, 1.0], "voltage_volt": [3.0, 3.2], "current_ampere": [0.0, 1.0]}
    ).write_parquet(path)
    rec = elyte.read(path)
    assert rec.data["voltage_volt"].to_list() == [3.0, 3.2]
    assert rec.meta.sha256 is not None


def test_garbage_parquet_is_reader_error(tmp_path: Path) -> None:
    path = tmp_path / "f.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(ReaderError, match="not a readable Parquet"):
        elyte.read(path)


def test_elyte_parquet_without_units_gets_canonical_units(tmp_path: Path) -> None:
    """Canonical columns get their unit from the schema; an extra without one is refused."""
    from elyte.recording import Recording, RecordingMeta

    frame = pl.DataFrame({"test_time_second": [0.0], "voltage_volt": [3.0], "foo": [1.0]})
    rec = Recording(frame.drop("foo"), RecordingMeta(instrument="x", format="none"))
    back = elyte.read(rec.to_parquet(tmp_path / "a.parquet"))
    assert back.meta.units == {"test_time_second": "s", "voltage_volt": "V"}
    bad = Recording(frame, RecordingMeta(instrument="x", format="none"))
    with pytest.raises(ReaderError, match=r"\['foo'\] have no recorded unit"):
        elyte.read(bad.to_parquet(tmp_path / "b.parquet"))
