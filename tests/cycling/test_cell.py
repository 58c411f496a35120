"""CellSpec: active mass, nominal capacity, and the errors that say what to pass."""

from __future__ import annotations

import math

import pytest

from elyte.cycling import CellSpec
from elyte.errors import ElyteError, MissingCellParameterError

SEED_AREA = math.pi * 0.6**2  # 12 mm disk, cm²


def test_seed_cell_mass_and_nominal_capacity() -> None:
    """The seed's NCM811 electrode: 18.1 mg/cm² x 97.8 wt % x 12 mm disk, 1 C = 210 mA/g.

    Golden values computed by hand from the seed's stated numbers: 18.1 x 1.130973 x 0.978
    = 20.0203 mg, and 210 mAh/g x 20.0203 mg = 4.2043 mAh; the areal capacity
    18.1 x 0.978 x 210 / 1000 = 3.7174 mAh/cm² matches the seed's "3.7 mAh cm⁻²".
    """
    cell = CellSpec(
        working_electrode="positive",
        loading_mg_cm2=18.1,
        active_fraction=0.978,
        area_cm2=SEED_AREA,
        nominal_specific_capacity_mah_g=210.0,
    )
    assert cell.active_mass() == pytest.approx(20.020264e-3, rel=1e-6)
    assert cell.nominal_capacity() == pytest.approx(4.204255e-3, rel=1e-6)
    assert cell.nominal_capacity() * 1000 / cell.area() == pytest.approx(3.717378, rel=1e-6)
    d = cell.to_dict()
    assert d["derived_active_mass_g"] == pytest.approx(cell.active_mass())
    assert d["working_electrode"] == "positive"


def test_direct_mass_and_nominal_capacity_ah() -> None:
    cell = CellSpec(working_electrode="negative", active_mass_g=0.005, nominal_capacity_ah=2e-3)
    assert cell.active_mass() == 0.005
    assert cell.nominal_capacity() == 2e-3
    assert cell.has_active_mass()
    assert cell.has_nominal_capacity()


def test_missing_mass_names_parameters() -> None:
    cell = CellSpec(working_electrode="positive", loading_mg_cm2=18.1)
    assert not cell.has_active_mass()
    with pytest.raises(MissingCellParameterError) as info:
        cell.active_mass()
    message = str(info.value)
    for name in ("active_mass_g", "area_cm2", "active_fraction"):
        assert name in message
    assert isinstance(info.value, ElyteError)
    assert isinstance(info.value, ValueError)


def test_missing_area_and_nominal_capacity() -> None:
    cell = CellSpec(working_electrode="positive", active_mass_g=0.01)
    with pytest.raises(MissingCellParameterError, match="area_cm2"):
        cell.area()
    with pytest.raises(MissingCellParameterError, match="nominal_capacity_ah"):
        cell.nominal_capacity()
    specific_only = CellSpec(working_electrode="positive", nominal_specific_capacity_mah_g=210)
    with pytest.raises(MissingCellParameterError, match="active_mass_g"):
        specific_only.nominal_capacity()
    assert not specific_only.has_nominal_capacity()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"active_mass_g": -1.0},
        {"active_mass_g": float("nan")},
        {"active_mass_g": 0.0},
        {"active_fraction": 1.2},
        {"area_cm2": float("inf")},
        {"active_mass_g": "0.1"},
        {"active_mass_g": 0.1, "loading_mg_cm2": 18.1},
        {"nominal_capacity_ah": 1e-3, "nominal_specific_capacity_mah_g": 210.0},
    ],
)
def test_invalid_values_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(MissingCellParameterError):
        CellSpec(working_electrode="positive", **kwargs)  # type: ignore[arg-type]


def test_working_electrode_is_required_and_checked() -> None:
    with pytest.raises(TypeError):
        CellSpec(active_mass_g=0.01)  # type: ignore[call-arg]
    with pytest.raises(MissingCellParameterError, match="positive"):
        CellSpec(working_electrode="cathode")  # type: ignore[arg-type]
