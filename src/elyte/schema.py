"""The canonical columns of a :class:`~elyte.recording.Recording`.

Names and units follow the Battery Data Format (BDF) of the Battery Data Alliance, whose
application ontology gives every quantity a machine-readable name (``voltage_volt``) and a
human-readable label (``Voltage / V``). A few quantities BDF does not define yet (the
technique of a multi-technique file, the phase of an impedance point) get names in the same
style and are marked ``bdf=False``.

Conventions (from the BDF definitions):

* ``current_ampere`` is positive when the test object is being charged.
* ``charging_capacity_ah`` and ``discharging_capacity_ah`` (and the energies) accumulate from
  the start of the test and never reset between steps or cycles. Instruments that reset
  their counters per step or half-cycle (BioLogic, LAND, Neware) are converted by the
  reader; the per-step value the vendor printed is kept as ``step_charging_capacity_ah`` and
  ``step_discharging_capacity_ah`` (BDF 1.2 terms).
* ``imaginary_impedance_ohm`` is the signed imaginary part Z'' (negative for a capacitive
  response); BioLogic's ``-Im(Z)`` is negated on reading.
* ``step_id`` is the step number in the instrument's program (Neware Step_ID, Arbin
  Step_Index, BioLogic Ns) and repeats every cycle; ``step_count`` counts steps as executed,
  +1 at each step change. (BDF's ``step_index`` counts *points within* a step; we do not
  produce it.)

The names were checked against the ontology's published term list (``battery-data-format.ttl``,
version 1.2.0; the 1.3.0 changes were unreleased when this was written and add only
schedule-level accumulators we do not produce).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

__all__ = ["CANONICAL", "Column", "canonical_order", "label_of", "unit_of"]


@dataclass(frozen=True, slots=True)
class Column:
    """One canonical column.

    Attributes
    ----------
    name : str
        Machine-readable name (BDF where ``bdf`` is true).
    label : str
        Human-readable label with unit, as BDF writes it (``"Voltage / V"``).
    unit : str
        Unit symbol (``"V"``, ``"A"``, ``"Ah"``, ``"1"`` for counts).
    dtype : polars.DataType
        Storage type in the frame.
    bdf : bool
        Whether the name is defined by the BDF ontology.
    description : str
        One line on what the column holds.
    """

    name: str
    label: str
    unit: str
    dtype: type[pl.DataType]
    bdf: bool
    description: str


def _c(
    name: str,
    label: str,
    unit: str,
    dtype: type[pl.DataType],
    description: str,
    *,
    bdf: bool = True,
) -> Column:
    return Column(name, label, unit, dtype, bdf, description)


_F, _I, _S = pl.Float64, pl.Int64, pl.String

_COLUMNS = (
    _c("test_time_second", "Test Time / s", "s", _F, "time since the start of the test"),
    _c("unix_time_second", "Unix Time / s", "s", _F, "seconds since 1970-01-01 UTC"),
    _c("voltage_volt", "Voltage / V", "V", _F, "voltage across the test object's terminals"),
    _c("current_ampere", "Current / A", "A", _F, "current, positive when charging"),
    _c("power_watt", "Power / W", "W", _F, "electrical power V·I (sign of the current)"),
    _c("record_index", "Record Index / 1", "1", _I, "row number as the instrument counts"),
    _c("cycle_count", "Cycle Count / 1", "1", _I, "cycle number as the instrument counts it"),
    _c("step_count", "Step Count / 1", "1", _I, "executed step, +1 at every step change"),
    _c(
        "step_id",
        "Step ID",
        "1",
        _I,
        "step number in the instrument's program (Neware Step_ID, Arbin Step_Index, "
        "LAND step, BioLogic Ns); repeats every cycle",
    ),
    _c("step_type", "Step Type", "", _S, "step mode as the vendor names it (kept as printed)"),
    _c("step_time_second", "Step Time / s", "s", _F, "time since the step began"),
    _c(
        "charging_capacity_ah",
        "Charging Capacity / Ah",
        "Ah",
        _F,
        "charge passed while charging, cumulative from the start of the test",
    ),
    _c(
        "discharging_capacity_ah",
        "Discharging Capacity / Ah",
        "Ah",
        _F,
        "charge passed while discharging, cumulative from the start of the test",
    ),
    _c(
        "net_capacity_ah",
        "Net Capacity / Ah",
        "Ah",
        _F,
        "charging minus discharging capacity since the start of the test (BioLogic Q-Qo)",
    ),
    _c(
        "step_charging_capacity_ah",
        "Step Charging Capacity / Ah",
        "Ah",
        _F,
        "charging capacity since the step began (reset at each step)",
    ),
    _c(
        "step_discharging_capacity_ah",
        "Step Discharging Capacity / Ah",
        "Ah",
        _F,
        "discharging capacity since the step began (reset at each step)",
    ),
    _c(
        "cycle_charging_capacity_ah",
        "Cycle Charging Capacity / Ah",
        "Ah",
        _F,
        "charging capacity since the cycle began (reset when the cycle count increases)",
    ),
    _c(
        "cycle_discharging_capacity_ah",
        "Cycle Discharging Capacity / Ah",
        "Ah",
        _F,
        "discharging capacity since the cycle began (reset when the cycle count increases)",
    ),
    _c(
        "charging_energy_wh",
        "Charging Energy / Wh",
        "Wh",
        _F,
        "energy in while charging, cumulative from the start of the test",
    ),
    _c(
        "discharging_energy_wh",
        "Discharging Energy / Wh",
        "Wh",
        _F,
        "energy out while discharging, cumulative from the start of the test",
    ),
    _c(
        "net_energy_wh",
        "Net Energy / Wh",
        "Wh",
        _F,
        "charging minus discharging energy since the start of the test",
    ),
    _c(
        "step_charging_energy_wh",
        "Step Charging Energy / Wh",
        "Wh",
        _F,
        "charging energy since the step began (reset at each step)",
    ),
    _c(
        "step_discharging_energy_wh",
        "Step Discharging Energy / Wh",
        "Wh",
        _F,
        "discharging energy since the step began (reset at each step)",
    ),
    _c(
        "cycle_charging_energy_wh",
        "Cycle Charging Energy / Wh",
        "Wh",
        _F,
        "charging energy since the cycle began",
    ),
    _c(
        "cycle_discharging_energy_wh",
        "Cycle Discharging Energy / Wh",
        "Wh",
        _F,
        "discharging energy since the cycle began",
    ),
    _c(
        "internal_resistance_ohm",
        "Internal Resistance / ohm",
        "ohm",
        _F,
        "internal resistance reported by the instrument (method unspecified)",
    ),
    _c(
        "ambient_temperature_celsius",
        "Ambient Temperature / degC",
        "degC",
        _F,
        "ambient (chamber) temperature",
    ),
    _c(
        "temperature_t1_celsius",
        "Temperature T1 / degC",
        "degC",
        _F,
        "first temperature sensor (a single unlabelled temperature goes here)",
    ),
    _c("temperature_t2_celsius", "Temperature T2 / degC", "degC", _F, "second sensor"),
    _c("temperature_t3_celsius", "Temperature T3 / degC", "degC", _F, "third sensor"),
    _c(
        "applied_pressure_pa",
        "Applied Pressure / Pa",
        "Pa",
        _F,
        "pressure applied to the test object by an external agent",
    ),
    _c("frequency_hertz", "Frequency / Hz", "Hz", _F, "frequency of an impedance point"),
    _c("real_impedance_ohm", "Real Impedance / ohm", "ohm", _F, "real part Z' of the impedance"),
    _c(
        "imaginary_impedance_ohm",
        "Imaginary Impedance / ohm",
        "ohm",
        _F,
        "imaginary part Z'' as measured (negative when capacitive)",
    ),
    _c("absolute_impedance_ohm", "Absolute Impedance / ohm", "ohm", _F, "|Z|"),
    _c("phase_degree", "Phase / deg", "deg", _F, "phase angle atan2(Z'', Z') of the impedance"),
    _c(
        "technique",
        "Technique",
        "",
        _S,
        "technique (segment) of the row in a multi-technique file: GCPL, PEIS, ...",
        bdf=False,
    ),
    _c(
        "technique_index",
        "Technique Index / 1",
        "1",
        _I,
        "position of the technique in the sequence (1 = first)",
        bdf=False,
    ),
)

#: Every canonical column by name.
CANONICAL: dict[str, Column] = {c.name: c for c in _COLUMNS}


def unit_of(name: str) -> str | None:
    """Return the unit symbol of a canonical column (``None`` if ``name`` is not canonical)."""
    column = CANONICAL.get(name)
    return column.unit if column is not None else None


def label_of(name: str) -> str:
    """BDF human-readable label of a canonical column (``name`` itself if not canonical)."""
    column = CANONICAL.get(name)
    return column.label if column is not None else name


def canonical_order(names: list[str]) -> list[str]:
    """Order columns: canonical ones first in schema order, then the others as given."""
    known = [c for c in CANONICAL if c in names]
    return known + [n for n in names if n not in CANONICAL]
