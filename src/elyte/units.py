"""Units: vendor unit strings to SI, in one place.

elyte works inside in SI base units (plus the battery field's Ah and Wh, which the Battery
Data Format uses for capacity and energy, and degrees Celsius for temperature). Readers call
:func:`parse_unit` on the unit a vendor prints and multiply by the factor it returns; nothing
after the reader ever asks "was this mA?".

The few physical constants the analyses need live here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

__all__ = [
    "BOLTZMANN",
    "FARADAY",
    "GAS_CONSTANT",
    "UnitSpec",
    "duration_to_seconds",
    "parse_unit",
    "split_header",
]

#: Faraday constant, C/mol (CODATA 2018, exact).
FARADAY = 96485.33212
#: Molar gas constant, J/(mol K) (CODATA 2018, exact).
GAS_CONSTANT = 8.314462618
#: Boltzmann constant, J/K (CODATA 2018, exact).
BOLTZMANN = 1.380649e-23


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """How to bring a vendor quantity to elyte's base unit.

    ``value_in_base = value * factor + offset``.

    Attributes
    ----------
    dimension : str
        Physical dimension (``"voltage"``, ``"current"``, ``"charge"``, ...).
    suffix : str
        Suffix used in column names for the base unit (``"volt"``, ``"ampere"``, ``"ah"``).
    factor : float
        Multiplier to the base unit.
    offset : float
        Additive offset to the base unit (temperatures only).
    """

    dimension: str
    suffix: str
    factor: float = 1.0
    offset: float = 0.0


def _prefixed(
    symbols: tuple[str, ...], dimension: str, suffix: str, prefixes: str = "pnumkM"
) -> dict[str, UnitSpec]:
    scale = {"p": 1e-12, "n": 1e-9, "u": 1e-6, "µ": 1e-6, "μ": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6}
    table: dict[str, UnitSpec] = {}
    for symbol in symbols:
        table[symbol] = UnitSpec(dimension, suffix)
        for p in prefixes + ("µμ" if "u" in prefixes else ""):
            table[p + symbol] = UnitSpec(dimension, suffix, scale[p])
    return table


_UNITS: dict[str, UnitSpec] = {
    **_prefixed(("V",), "voltage", "volt"),
    **_prefixed(("A",), "current", "ampere"),
    **_prefixed(("Ah", "A.h", "A·h", "A*h"), "charge", "ah"),
    **_prefixed(("Wh", "W.h", "W·h", "W*h"), "energy", "wh"),
    **_prefixed(("W",), "power", "watt"),
    **_prefixed(("Ohm", "ohm", "Ω", "O"), "resistance", "ohm"),
    **_prefixed(("Hz",), "frequency", "hertz"),
    **_prefixed(("F",), "capacitance", "farad"),
    **_prefixed(("Pa",), "pressure", "pascal"),
    **_prefixed(("J",), "energy_joule", "joule"),
    "C": UnitSpec("charge_coulomb", "coulomb"),
    "mC": UnitSpec("charge_coulomb", "coulomb", 1e-3),
    "uC": UnitSpec("charge_coulomb", "coulomb", 1e-6),
    "µC": UnitSpec("charge_coulomb", "coulomb", 1e-6),
    "s": UnitSpec("time", "second"),
    "sec": UnitSpec("time", "second"),
    "ms": UnitSpec("time", "second", 1e-3),
    "min": UnitSpec("time", "second", 60.0),
    "h": UnitSpec("time", "second", 3600.0),
    "hr": UnitSpec("time", "second", 3600.0),
    "°C": UnitSpec("temperature", "celsius"),
    "degC": UnitSpec("temperature", "celsius"),
    "℃": UnitSpec("temperature", "celsius"),
    "K": UnitSpec("temperature", "celsius", 1.0, -273.15),
    "psi": UnitSpec("pressure", "pascal", 6894.757293168),
    "bar": UnitSpec("pressure", "pascal", 1e5),
    "deg": UnitSpec("angle", "degree"),
    "°": UnitSpec("angle", "degree"),
    "%": UnitSpec("fraction", "percent"),
    "mAh/g": UnitSpec("specific_charge", "mah_per_g"),
    "mA.h/g": UnitSpec("specific_charge", "mah_per_g"),
    "Wh/kg": UnitSpec("specific_energy", "wh_per_kg"),
    "mWh/g": UnitSpec("specific_energy", "wh_per_kg"),
    "V/s": UnitSpec("voltage_rate", "v_per_s"),
    "mV/s": UnitSpec("voltage_rate", "v_per_s", 1e-3),
    "mA/cm2": UnitSpec("current_density", "a_per_m2", 10.0),
    "mA/cm²": UnitSpec("current_density", "a_per_m2", 10.0),
    "mAh/cm2": UnitSpec("areal_charge", "mah_per_cm2"),
    "mAh/cm²": UnitSpec("areal_charge", "mah_per_cm2"),
    "S/cm": UnitSpec("conductivity", "s_per_m", 100.0),
    "mS/cm": UnitSpec("conductivity", "s_per_m", 0.1),
    "S/m": UnitSpec("conductivity", "s_per_m"),
    "1": UnitSpec("dimensionless", ""),
}

_ALIASES = {"ohms": "Ohm", "Ohms": "Ohm", "mohm": "mOhm", "kohm": "kOhm", "uohm": "uOhm"}


def parse_unit(unit: str, *, temperature_c: bool = False) -> UnitSpec | None:
    """Return how to convert ``unit`` to elyte's base unit, or ``None`` if unknown.

    Parameters
    ----------
    unit : str
        A unit as a vendor prints it: ``"mA"``, ``"mA.h"``, ``"µA"``, ``"Ohm"``, ``"°C"``.
    temperature_c : bool, optional
        Read a bare ``"C"`` as degrees Celsius instead of coulomb. Readers set this for
        columns they know to be temperatures (``"Temperature(C)"``).

    Returns
    -------
    UnitSpec or None
        The conversion, or ``None`` when the unit is not one we know (the caller keeps the
        column as it is and records that).

    Examples
    --------
    >>> parse_unit("mA").factor
    0.001
    >>> parse_unit("mA.h").suffix
    'ah'
    """
    text = unit.strip().replace("\u00b7", ".")
    text = _ALIASES.get(text, text)
    if temperature_c and text == "C":
        return _UNITS["°C"]
    return _UNITS.get(text)


_HEADER_PATTERNS = (
    re.compile(r"^(?P<name>.*?)\s*/\s*(?P<unit>[^/]+)$"),  # BioLogic "Ewe/V", BDF "Voltage / V"
    re.compile(r"^(?P<name>.*?)\s*\((?P<unit>[^()]+)\)$"),  # LAND/Neware "Current(mA)"
    re.compile(r"^(?P<name>.*?)\s*\[(?P<unit>[^\[\]]+)\]$"),  # "Voltage [V]"
)


def split_header(header: str) -> tuple[str, str | None]:
    """Split a vendor column header into its quantity name and its unit.

    Recognises ``name/unit`` (BioLogic, BDF labels), ``name(unit)`` (LAND, Neware, Arbin),
    ``name [unit]`` and ``name_unit`` when the suffix is a unit we know. Units that contain a
    slash themselves (``SpeCap/mAh/g``, ``dV/dt(V/s)``) are recognised when they are units
    we know.

    Examples
    --------
    >>> split_header("Ewe/V")
    ('Ewe', 'V')
    >>> split_header("Current(mA)")
    ('Current', 'mA')
    >>> split_header("current_A")
    ('current', 'A')
    >>> split_header("SpeCap/mAh/g")
    ('SpeCap', 'mAh/g')
    >>> split_header("dV/dt(V/s)")
    ('dV/dt', 'V/s')
    >>> split_header("cycle number")
    ('cycle number', None)
    """
    text = header.strip()
    if text.endswith((")", "]")):
        for pattern in _HEADER_PATTERNS[1:]:
            match = pattern.match(text)
            if match and match.group("name"):
                return match.group("name").strip(), match.group("unit").strip()
    if "/" in text:
        # the leftmost slash whose right-hand side is a known (possibly compound) unit
        for i, char in enumerate(text):
            if char == "/" and i > 0:
                unit = text[i + 1 :].strip()
                if "/" in unit and parse_unit(unit) is not None:
                    return text[:i].strip(), unit
    for pattern in _HEADER_PATTERNS:
        match = pattern.match(text)
        if match and match.group("name"):
            return match.group("name").strip(), match.group("unit").strip()
    if "_" in text:
        name, _, suffix = text.rpartition("_")
        if name and parse_unit(suffix) is not None:
            return name, suffix
    return text, None


def duration_to_seconds(column: pl.Expr) -> pl.Expr:
    """Polars expression turning ``h:min:s(.ms)`` or ``d-h:min:s`` strings into seconds.

    Durations longer than a day appear as ``"27:13:05.250"`` or ``"1-03:13:05.250"`` in LAND
    and Neware exports; both forms are handled. Plain numbers pass through as seconds.
    Unparseable entries become null (the caller decides whether that is an error).
    """
    text = column.cast(pl.String).str.strip_chars()
    days = text.str.extract(r"^(\d+)-", 1).cast(pl.Float64).fill_null(0.0)
    rest = text.str.replace(r"^\d+-", "")
    parts = rest.str.split(":")
    n = parts.list.len()
    hours = pl.when(n == 3).then(parts.list.get(0, null_on_oob=True)).otherwise(pl.lit("0"))
    minutes = (
        pl.when(n == 3)
        .then(parts.list.get(1, null_on_oob=True))
        .when(n == 2)
        .then(parts.list.get(0, null_on_oob=True))
        .otherwise(pl.lit("0"))
    )
    seconds = parts.list.get(-1, null_on_oob=True)
    return (
        days * 86400.0
        + hours.cast(pl.Float64, strict=False) * 3600.0
        + minutes.cast(pl.Float64, strict=False) * 60.0
        + seconds.cast(pl.Float64, strict=False)
    )
