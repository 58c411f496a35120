"""Unit parsing and conversion factors (values from the SI brochure and NIST SP 811)."""

from __future__ import annotations

import polars as pl
import pytest

from elyte.units import duration_to_seconds, parse_unit, split_header


@pytest.mark.parametrize(
    ("unit", "dimension", "factor"),
    [
        ("V", "voltage", 1.0),
        ("mV", "voltage", 1e-3),
        ("mA", "current", 1e-3),
        ("µA", "current", 1e-6),
        ("uA", "current", 1e-6),
        ("nA", "current", 1e-9),
        ("mA.h", "charge", 1e-3),
        ("mAh", "charge", 1e-3),
        ("A.h", "charge", 1.0),
        ("W.h", "energy", 1.0),
        ("mWh", "energy", 1e-3),
        ("kOhm", "resistance", 1e3),
        ("mOhm", "resistance", 1e-3),
        ("Ω", "resistance", 1.0),
        ("kHz", "frequency", 1e3),
        ("min", "time", 60.0),
        ("h", "time", 3600.0),
        ("psi", "pressure", 6894.757293168),  # NIST SP 811: 1 psi = 6.894 757 kPa
    ],
)
def test_parse_unit_factors(unit: str, dimension: str, factor: float) -> None:
    spec = parse_unit(unit)
    assert spec is not None
    assert spec.dimension == dimension
    assert spec.factor == pytest.approx(factor, rel=1e-12)


def test_kelvin_to_celsius_offset() -> None:
    spec = parse_unit("K")
    assert spec is not None
    assert 300.0 * spec.factor + spec.offset == pytest.approx(26.85)


def test_bare_c_is_coulomb_unless_temperature() -> None:
    coulomb = parse_unit("C")
    celsius = parse_unit("C", temperature_c=True)
    assert coulomb is not None
    assert coulomb.dimension == "charge_coulomb"
    assert celsius is not None
    assert celsius.dimension == "temperature"


def test_unknown_unit_is_none() -> None:
    assert parse_unit("furlong") is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Ewe/V", ("Ewe", "V")),
        ("(Q-Qo)/mA.h", ("(Q-Qo)", "mA.h")),
        ("control/V/mA", ("control/V", "mA")),
        ("Current(mA)", ("Current", "mA")),
        ("Voltage / V", ("Voltage", "V")),
        ("Voltage [V]", ("Voltage", "V")),
        ("current_A", ("current", "A")),
        ("cycle number", ("cycle number", None)),
        ("step_name", ("step_name", None)),
        ("SpeCap/mAh/g", ("SpeCap", "mAh/g")),
        ("dV/dt(V/s)", ("dV/dt", "V/s")),
        ("Re(Z)/Ohm", ("Re(Z)", "Ohm")),
        ("Phase(Z)/deg", ("Phase(Z)", "deg")),
    ],
)
def test_split_header(header: str, expected: tuple[str, str | None]) -> None:
    assert split_header(header) == expected


def test_duration_to_seconds_handles_vendor_forms() -> None:
    frame = pl.DataFrame({"t": ["0:00:01.500", "27:13:05.250", "1-03:13:05.250", "02:30", "12.5"]})
    seconds = frame.select(duration_to_seconds(pl.col("t"))).to_series().to_list()
    expected = [1.5, 27 * 3600 + 13 * 60 + 5.25, 86400 + 3 * 3600 + 13 * 60 + 5.25, 150.0, 12.5]
    assert seconds == pytest.approx(expected)


def test_duration_garbage_becomes_null() -> None:
    frame = pl.DataFrame({"t": ["abc", "1:xx:00"]})
    assert frame.select(duration_to_seconds(pl.col("t"))).to_series().null_count() == 2
