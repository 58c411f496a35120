"""The generic CSV reader: explicit mapping, units from headers or options, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

import elyte
from elyte.errors import ColumnMappingError


def _write(tmp_path: Path, text: str, name: str = "run.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_mapping_with_units_in_headers(tmp_path: Path) -> None:
    path = _write(tmp_path, "Time/s,Ewe/V,I/mA,T/°C\n0,3.0,1.0,25\n1,3.1,-2.0,26\n")
    rec = elyte.read(
        path,
        format="csv",
        columns={"test_time_second": "Time/s", "voltage_volt": "Ewe/V", "current_ampere": "I/mA"},
    )
    assert rec.data["current_ampere"].to_list() == pytest.approx([1e-3, -2e-3])
    assert rec.meta.column_map["I/mA"] == "current_ampere"
    assert rec.data["t_celsius"].to_list() == [25.0, 26.0]  # extra kept, unit understood


def test_mapped_column_with_integer_looking_start(tmp_path: Path) -> None:
    rows = "".join(f"{i},0\n" for i in range(12_000)) + "12000,0.25\n"
    path = _write(tmp_path, "t/s,I/mA\n" + rows)
    rec = elyte.read(
        path, format="csv", columns={"test_time_second": "t/s", "current_ampere": "I/mA"}
    )
    assert rec.data["current_ampere"][-1] == pytest.approx(2.5e-4)


def test_units_option_for_unitless_headers_and_semicolons(tmp_path: Path) -> None:
    path = _write(tmp_path, "t;U;I\n0;3,5;10\n60;3,6;10\n")
    rec = elyte.read(
        path,
        format="csv",
        columns={"test_time_second": "t", "voltage_volt": "U", "current_ampere": "I"},
        units={"test_time_second": "min", "voltage_volt": "V", "current_ampere": "uA"},
        decimal_comma=True,
    )
    assert rec.data["test_time_second"].to_list() == [0.0, 3600.0]
    assert rec.data["voltage_volt"].to_list() == [3.5, 3.6]
    assert rec.data["current_ampere"].to_list() == pytest.approx([1e-5, 1e-5])


def test_unit_override_wins_over_header(tmp_path: Path) -> None:
    path = _write(tmp_path, "time,E/V\n0,3200\n")
    rec = elyte.read(
        path,
        format="csv",
        columns={"test_time_second": "time", "voltage_volt": "E/V"},
        units={"test_time_second": "s", "voltage_volt": "mV"},
    )
    assert rec.data["voltage_volt"].to_list() == [3.2]


def test_missing_unit_is_an_error_not_a_guess(tmp_path: Path) -> None:
    path = _write(tmp_path, "time,volts\n0,3\n")
    with pytest.raises(ColumnMappingError, match="no recognisable unit"):
        elyte.read(path, format="csv", columns={"voltage_volt": "volts"})


def test_unknown_header_lists_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, "a/s,b/V\n0,3\n")
    with pytest.raises(ColumnMappingError, match="its columns are \\['a/s', 'b/V'\\]"):
        elyte.read(path, format="csv", columns={"voltage_volt": "Ewe/V"})


def test_unknown_canonical_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "a/s\n0\n")
    with pytest.raises(ColumnMappingError, match="not a canonical column name"):
        elyte.read(path, format="csv", columns={"volts": "a/s"})


def test_no_mapping_and_no_recognisable_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,b\n0,3\n")
    with pytest.raises(ColumnMappingError, match="no voltage or current column"):
        elyte.read(path, format="csv")
