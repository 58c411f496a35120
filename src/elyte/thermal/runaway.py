"""A lumped thermal-runaway model and a heat-wait-search (HWS) controller that tests it.

The model is one well-mixed cell (a single temperature) in which Arrhenius decomposition
reactions release heat. In an accelerating rate calorimeter the cell is adiabatic, so the
heat balance per unit cell volume is

    C_eff(T) dT/dt = sum_i W_i sum_j dH_ij A_ij exp(-Ea_ij / (R T)) f_i(x_i) + P_heater

with ``C_eff = rho·c_p`` plus an apparent heat capacity for melting (a Gaussian of width
``width_c`` around the melting point holding the latent heat ``W·ΔH_m``), ``W`` the mass of
reactant per cell volume (g/m³), ``ΔH`` the heat per gram (J/g) and ``A``, ``Ea`` the
Arrhenius factors of each *channel* (most reactions have one; the NCM cathode has two that
share one conversion). Rate laws ``f``:

``decay``
    ``dx/dt = -k·x^n``: ``x`` is the fraction of reactant left (SEI, anode, electrolyte,
    lithium). With an *inhibition* (``inhibition_ref``), the rate is multiplied by
    ``exp(-z/z_ref)`` and ``dz/dt = +k·x^n``: the growing product layer slows the reaction
    (Kim's dimensionless SEI thickness ``t_sei``).
``autocatalytic``
    ``dalpha/dt = k·alpha(1-alpha)``: ``alpha`` is the converted fraction (cathode decomposition).

Parameter sets (each reaction carries its ``source`` and how it was checked):

* :func:`kim2007_18650` — the Hatchard et al. (J. Electrochem. Soc. 148 (2001) A755) /
  Kim et al. (J. Power Sources 170 (2007) 476) LiCoO2/graphite 18650 set. The values were
  cross-checked against three independent public implementations (an R script quoting
  "Kim et al. (2007), Table 1" with Ea/R = 16247, 16247, 16791 and 32956 K, a MATLAB
  parameter file "Hatchard 2001 / Kim 2007", a JavaScript simulator with
  ``t_sei,ref = 0.033``); the original paper was not read.
* :func:`ncm_type` — the same anode and electrolyte reactions with a two-channel
  layered-oxide cathode (A = 1.75e9 and 1.077e12 1/s, Ea = 1.1495e5 and 1.5888e5 J/mol,
  ΔH = 77 and 84 J/g) as used by Hu et al., ACS Omega (2020), doi:10.1021/acsomega.0c01862,
  and by Bilyaz et al. (2020) according to two public implementations; that the channels
  describe an NCM cathode is how those implementations label them, not checked here.
* :func:`li_metal_ncm811` — a Li-metal variant for the seed's NCM811/Li pouch cell: a
  Li-electrolyte reaction passivated by its own products, the NCM cathode, electrolyte
  decomposition and the Li melting endotherm (180.5 °C, 432 J/g = 3.0 kJ/mol / 6.94 g/mol).
  **No published Li-metal set was found: every Li parameter is an assumption**, exposed
  and labelled as such; the masses per volume follow the seed's cell design.

The :func:`simulate_hws` controller drives the model as an instrument does: heat by
``step_c`` at ``heat_rate_c_min``, wait ``wait_min`` (adiabatic), search ``search_min``
(adiabatic) and compare the mean rate over the search with the detection threshold; above
it, track the exotherm adiabatically until the self-heating rate falls below the threshold
again, then resume heat-wait-search (or stop above ``end_c``). The integrator is an
adaptive Dormand-Prince 5(4) Runge-Kutta scheme written here on Python floats (scipy is not a
dependency); steps are limited to ``log_interval_s`` and ``log_dt_c`` so that every
accepted step is one logged row. :meth:`HwsSimulation.write_csv` writes the run as an ARC
export (marked simulated) that :func:`elyte.thermal.arc.read_arc` reads back.
"""

from __future__ import annotations

import math
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import numpy as np

from elyte.errors import ExportError, ThermalError
from elyte.units import GAS_CONSTANT

__all__ = [
    "DEFAULT_WATCH_RATES_C_MIN",
    "KELVIN",
    "Channel",
    "CriterionTruth",
    "HwsProtocol",
    "HwsSimulation",
    "Melting",
    "Reaction",
    "RunawayModel",
    "kim2007_18650",
    "li_metal_ncm811",
    "load_model_toml",
    "ncm_type",
    "preset",
    "simulate_hws",
]

#: 0 °C in kelvin.
KELVIN = 273.15

#: Rates (°C/min) at which :func:`simulate_hws` records the model's own crossings: the
#: seed's detection threshold, the seed's T_tr criterion and Feng's 1 °C/s.
DEFAULT_WATCH_RATES_C_MIN = (0.03, 1.0, 60.0)

RateLaw = Literal["decay", "autocatalytic"]

_KIM = (
    "Hatchard et al., J. Electrochem. Soc. 148 (2001) A755; Kim et al., J. Power Sources 170 "
    "(2007) 476, Table 1"
)
_KIM_CHECK = (
    "cross-checked against three public implementations quoting Kim 2007 Table 1; original "
    "paper not read"
)
_HU = "Hu et al., ACS Omega (2020), doi:10.1021/acsomega.0c01862 (two-channel cathode)"
_HU_CHECK = (
    "values identical in two public implementations (liiontr library, a COMSOL model file); "
    "original paper not read; NCM assignment as labelled there"
)
_ASSUMED = "assumption (no published Li-metal set found); exposed for the user to change"


# --------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class Channel:
    """One Arrhenius channel of a reaction.

    Attributes
    ----------
    a_per_s : float
        Pre-exponential factor, 1/s.
    ea_j_mol : float
        Activation energy, J/mol.
    dh_j_g : float
        Heat released per gram of reactant converted through this channel, J/g (positive
        for an exotherm).
    """

    a_per_s: float
    ea_j_mol: float
    dh_j_g: float

    def __post_init__(self) -> None:
        for label, value in (("a_per_s", self.a_per_s), ("ea_j_mol", self.ea_j_mol)):
            if not (math.isfinite(value) and value > 0):
                raise ThermalError(f"{label} must be a positive number, not {value!r}")
        if not math.isfinite(self.dh_j_g):
            raise ThermalError(f"dh_j_g must be finite, not {self.dh_j_g!r}")


@dataclass(frozen=True)
class Reaction:
    """A decomposition reaction of the lumped model.

    Attributes
    ----------
    name : str
        What reacts (``"SEI decomposition"``).
    channels : tuple of Channel
        Arrhenius channels sharing the reaction's conversion.
    w_g_m3 : float
        Reactant mass per cell volume, g/m³.
    x0 : float
        Initial state: fraction left (``decay``) or fraction converted (``autocatalytic``).
    law : {"decay", "autocatalytic"}
        Rate law (see the module docstring).
    order : float
        Reaction order ``n`` of a ``decay`` law.
    inhibition_ref : float or None
        ``z_ref`` of the product-layer inhibition ``exp(-z/z_ref)``; None for none.
    inhibition0 : float
        Initial ``z``.
    source : str
        Where the numbers come from.
    checked : str
        How they were checked (or that they are assumptions).
    """

    name: str
    channels: tuple[Channel, ...]
    w_g_m3: float
    x0: float
    law: RateLaw = "decay"
    order: float = 1.0
    inhibition_ref: float | None = None
    inhibition0: float = 0.0
    source: str = ""
    checked: str = ""

    def __post_init__(self) -> None:
        if not self.channels:
            raise ThermalError(f"reaction {self.name!r} has no Arrhenius channel")
        if self.law not in ("decay", "autocatalytic"):
            raise ThermalError(
                f"reaction {self.name!r}: law must be 'decay' or 'autocatalytic', not {self.law!r}"
            )
        if not (math.isfinite(self.w_g_m3) and self.w_g_m3 >= 0):
            raise ThermalError(f"reaction {self.name!r}: w_g_m3 must be >= 0")
        if not (0.0 <= self.x0 <= 1.0):
            raise ThermalError(f"reaction {self.name!r}: x0 must lie in [0, 1], not {self.x0}")
        if self.law == "autocatalytic" and not (0.0 < self.x0 < 1.0):
            raise ThermalError(
                f"reaction {self.name!r}: an autocatalytic reaction needs 0 < x0 < 1 (it "
                "never starts from exactly 0)"
            )
        if not (math.isfinite(self.order) and self.order >= 0):
            raise ThermalError(f"reaction {self.name!r}: order must be >= 0")
        if self.inhibition_ref is not None and not self.inhibition_ref > 0:
            raise ThermalError(f"reaction {self.name!r}: inhibition_ref must be > 0")

    @classmethod
    def single(
        cls,
        name: str,
        *,
        a_per_s: float,
        ea_j_mol: float,
        dh_j_g: float,
        **kwargs: Any,
    ) -> Reaction:
        """Build a one-channel reaction (keyword arguments as for the class)."""
        return cls(name, (Channel(a_per_s, ea_j_mol, dh_j_g),), **kwargs)

    def available_fraction(self) -> float:
        """Fraction of the reactant still to convert at the start."""
        return self.x0 if self.law == "decay" else 1.0 - self.x0

    def heat_j_m3(self) -> float:
        """Heat the reaction can still release, J per m³ of cell (mean channel ΔH)."""
        dh = sum(c.dh_j_g for c in self.channels) / len(self.channels)
        return dh * self.w_g_m3 * self.available_fraction()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON (and TOML) view."""
        out: dict[str, Any] = {
            "name": self.name,
            "law": self.law,
            "w_g_m3": self.w_g_m3,
            "x0": self.x0,
            "order": self.order,
            "channels": [
                {"a_per_s": c.a_per_s, "ea_j_mol": c.ea_j_mol, "dh_j_g": c.dh_j_g}
                for c in self.channels
            ],
            "source": self.source,
            "checked": self.checked,
        }
        if self.inhibition_ref is not None:
            out["inhibition_ref"] = self.inhibition_ref
            out["inhibition0"] = self.inhibition0
        return out


@dataclass(frozen=True)
class Melting:
    """A melting endotherm, as an apparent heat capacity.

    Attributes
    ----------
    name : str
        What melts.
    t_c : float
        Melting point, °C.
    dh_j_g : float
        Latent heat, J/g (positive: absorbed).
    w_g_m3 : float
        Mass of the melting phase per cell volume, g/m³.
    width_c : float
        Standard deviation of the Gaussian spreading the latent heat, °C.
    source : str
        Where the numbers come from.
    """

    name: str
    t_c: float
    dh_j_g: float
    w_g_m3: float
    width_c: float = 1.0
    source: str = ""

    def __post_init__(self) -> None:
        if not (self.width_c > 0 and self.dh_j_g >= 0 and self.w_g_m3 >= 0):
            raise ThermalError(f"melting {self.name!r}: width_c > 0, dh_j_g >= 0, w_g_m3 >= 0")

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class RunawayModel:
    """The lumped cell: volumetric heat capacity, reactions and melting endotherms.

    Attributes
    ----------
    name : str
        Label of the parameter set.
    rho_cp_j_m3_k : float
        Volumetric heat capacity of the cell, J/(m³·K).
    reactions : tuple of Reaction
        Heat sources.
    melting : tuple of Melting
        Endotherms.
    notes : tuple of str
        Sources and assumptions of the set as a whole.
    """

    name: str
    rho_cp_j_m3_k: float
    reactions: tuple[Reaction, ...]
    melting: tuple[Melting, ...] = ()
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not (math.isfinite(self.rho_cp_j_m3_k) and self.rho_cp_j_m3_k > 0):
            raise ThermalError(f"rho_cp_j_m3_k must be > 0, not {self.rho_cp_j_m3_k!r}")
        names = [r.name for r in self.reactions]
        if len(set(names)) != len(names):
            raise ThermalError(f"reaction names must be unique: {names}")

    def adiabatic_rise_c(self) -> float:
        """Temperature rise if every reaction ran to completion, °C (melting neglected)."""
        return sum(r.heat_j_m3() for r in self.reactions) / self.rho_cp_j_m3_k

    def with_reaction(self, name: str, **changes: Any) -> RunawayModel:
        """Return a copy with one reaction's fields replaced (``w_g_m3=...``)."""
        reactions = []
        found = False
        for r in self.reactions:
            if r.name == name:
                reactions.append(replace(r, **changes))
                found = True
            else:
                reactions.append(r)
        if not found:
            raise ThermalError(
                f"no reaction {name!r} in {self.name!r}; it has {[r.name for r in self.reactions]}"
            )
        return replace(self, reactions=tuple(reactions))

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {
            "name": self.name,
            "rho_cp_j_m3_k": self.rho_cp_j_m3_k,
            "adiabatic_rise_c": self.adiabatic_rise_c(),
            "reactions": [r.to_dict() for r in self.reactions],
            "melting": [m.to_dict() for m in self.melting],
            "notes": list(self.notes),
        }

    def self_heating_rate(self, temperature_c: float) -> float:
        """Chemical self-heating rate of the fresh cell at ``temperature_c``, °C/min."""
        rhs, y0 = _compile(self)
        _, shr = rhs([temperature_c + KELVIN, *y0], 0.0)
        return shr * 60.0


# --------------------------------------------------------------------------- presets
def _kim_sei(w_g_m3: float = 6.104e5) -> Reaction:
    return Reaction.single(
        "SEI decomposition",
        a_per_s=1.667e15,
        ea_j_mol=1.3508e5,
        dh_j_g=257.0,
        w_g_m3=w_g_m3,
        x0=0.15,
        source=_KIM,
        checked=_KIM_CHECK,
    )


def _kim_anode(w_g_m3: float = 6.104e5) -> Reaction:
    return Reaction.single(
        "anode-electrolyte",
        a_per_s=2.5e13,
        ea_j_mol=1.3508e5,
        dh_j_g=1714.0,
        w_g_m3=w_g_m3,
        x0=0.75,
        inhibition_ref=0.033,
        inhibition0=0.033,
        source=_KIM,
        checked=_KIM_CHECK,
    )


def _kim_electrolyte(w_g_m3: float = 4.07e5) -> Reaction:
    return Reaction.single(
        "electrolyte decomposition",
        a_per_s=5.14e25,
        ea_j_mol=2.74e5,
        dh_j_g=155.0,
        w_g_m3=w_g_m3,
        x0=1.0,
        source=_KIM,
        checked=_KIM_CHECK,
    )


def _ncm_cathode(w_g_m3: float = 1.221e6) -> Reaction:
    return Reaction(
        "cathode decomposition (NCM, two channels)",
        (Channel(1.75e9, 1.1495e5, 77.0), Channel(1.077e12, 1.5888e5, 84.0)),
        w_g_m3=w_g_m3,
        x0=0.04,
        law="autocatalytic",
        source=_HU,
        checked=_HU_CHECK,
    )


def kim2007_18650() -> RunawayModel:
    """Hatchard 2001 / Kim 2007 LiCoO2/graphite 18650 set (see the module docstring).

    rho·c_p = 2.14e6 J/(m³·K) is the lumped value the same implementations use for the 18650.
    """
    cathode = Reaction.single(
        "cathode decomposition (LiCoO2)",
        a_per_s=6.667e13,
        ea_j_mol=1.396e5,
        dh_j_g=314.0,
        w_g_m3=1.221e6,
        x0=0.04,
        law="autocatalytic",
        source=_KIM,
        checked=_KIM_CHECK,
    )
    return RunawayModel(
        name="kim2007-18650",
        rho_cp_j_m3_k=2.14e6,
        reactions=(_kim_sei(), _kim_anode(), cathode, _kim_electrolyte()),
        notes=(f"{_KIM}; {_KIM_CHECK}.", "rho_cp 2.14e6 J/(m3 K): lumped 18650 value."),
    )


def ncm_type() -> RunawayModel:
    """Kim's SEI, anode and electrolyte reactions with the two-channel NCM cathode."""
    return RunawayModel(
        name="ncm-type",
        rho_cp_j_m3_k=2.14e6,
        reactions=(_kim_sei(), _kim_anode(), _ncm_cathode(), _kim_electrolyte()),
        notes=(
            f"SEI, anode, electrolyte: {_KIM}; {_KIM_CHECK}.",
            f"Cathode: {_HU}; {_HU_CHECK}.",
            "Those implementations switch the cathode channels on only above 120 or 180 degC; "
            "here they are continuous (no threshold).",
        ),
    )


#: The seed's 2.8 Ah NCM811/Li pouch, per METHODS.md's Table S6 budget (our estimates):
#: cell volume ≈ 11.8 cm³ (10.64 Wh at ≈ 900 Wh/L, assumed), 24.35 g, c_p ≈ 1.0 J/(g·K).
_POUCH_VOLUME_M3 = 11.8e-6


def li_metal_ncm811() -> RunawayModel:
    """Li-metal variant for the seed's 2.8 Ah NCM811/Li pouch (illustrative assumptions).

    Masses per cell volume from METHODS.md's cell budget (11.8 cm³ assumed): NCM811
    13.4 g → 1.14e6 g/m³; electrolyte 5.6 g → 4.75e5 g/m³; Li 2.0 g → 1.71e5 g/m³, of
    which the 5.6 g of electrolyte can consume ≈ 0.39 g (one Li per carbonate of
    ≈ 100 g/mol, assumed) → 3.3e4 g/m³ reactive Li. rho·c_p = 24.35 g x 1.0 J/(g·K) /
    11.8 cm³ = 2.06e6 J/(m³·K). The Li-electrolyte kinetics (A, Ea, ΔH, inhibition) are
    assumptions, tuned by hand so that the simulated HWS run detects the exotherm near the
    seed's T_onset of 120 °C (it gives ≈119 °C, and T_tr(1 °C/min) ≈176 °C against the
    seed's 185 °C); ΔH = 2.0e4 J/g Li is of the order of the seed's 22205 J/g for the wet
    Li anode in DSC. The run is sensitive to ``inhibition_ref`` near 0.09, where the first
    exotherm dies out and a second one starts. Change them freely.
    """
    li_reactive = 0.39 / _POUCH_VOLUME_M3
    li_total = 2.02 / _POUCH_VOLUME_M3
    li_electrolyte = Reaction.single(
        "Li-electrolyte",
        a_per_s=1.5e12,
        ea_j_mol=1.30e5,
        dh_j_g=2.0e4,
        w_g_m3=li_reactive,
        x0=1.0,
        inhibition_ref=0.1,
        inhibition0=0.1,
        source="Li-metal variant: " + _ASSUMED,
        checked=_ASSUMED,
    )
    return RunawayModel(
        name="li-metal-ncm811-pouch",
        rho_cp_j_m3_k=24.35 * 1.0 / _POUCH_VOLUME_M3,
        reactions=(
            li_electrolyte,
            _ncm_cathode(w_g_m3=13.4 / _POUCH_VOLUME_M3),
            _kim_electrolyte(w_g_m3=5.6 / _POUCH_VOLUME_M3),
        ),
        melting=(
            Melting(
                "Li melting",
                t_c=180.5,
                dh_j_g=432.0,
                w_g_m3=li_total,
                width_c=1.0,
                source="Li: mp 180.5 degC, 3.0 kJ/mol / 6.94 g/mol = 432 J/g",
            ),
        ),
        notes=(
            "Illustrative Li-metal variant: the Li-electrolyte reaction parameters are "
            "assumptions, not a published set.",
            "Masses per volume from the seed's cell design (METHODS.md, Table S6 budget), "
            "cell volume 11.8 cm3 assumed.",
            f"Cathode: {_HU}; electrolyte: {_KIM}.",
        ),
    )


_PRESETS: dict[str, Callable[[], RunawayModel]] = {
    "kim2007-18650": kim2007_18650,
    "ncm-type": ncm_type,
    "li-metal-ncm811-pouch": li_metal_ncm811,
}


def preset(name: str) -> RunawayModel:
    """Return a named parameter set (``kim2007-18650``, ``ncm-type``, ``li-metal-ncm811-pouch``).

    Raises
    ------
    ThermalError
        For an unknown name.
    """
    try:
        return _PRESETS[name]()
    except KeyError:
        raise ThermalError(f"no preset {name!r}; choose one of {sorted(_PRESETS)}") from None


# --------------------------------------------------------------------------- protocol
@dataclass(frozen=True)
class HwsProtocol:
    """Heat-wait-search settings of the simulated instrument.

    Attributes
    ----------
    start_c, end_c : float
        First and last temperature of the heat-wait-search staircase, °C (seed: 40 → 250).
    step_c : float
        Heat step, °C (seed: 5).
    threshold_c_min : float
        Detection threshold, °C/min (seed: 0.03).
    heat_rate_c_min : float
        Heating rate during a heat step, °C/min (assumption; the seed does not say).
    wait_min, search_min : float
        Durations of wait and search, min (assumptions; the seed does not say).
    max_temperature_c : float
        Safety limit: exotherm tracking stops there, °C.
    log_interval_s : float
        Longest time between logged rows, s.
    log_dt_c : float
        Largest temperature change between logged rows, °C.
    max_duration_h : float
        Give up (error) after this much simulated time, h.
    """

    start_c: float = 40.0
    end_c: float = 250.0
    step_c: float = 5.0
    threshold_c_min: float = 0.03
    heat_rate_c_min: float = 2.0
    wait_min: float = 30.0
    search_min: float = 15.0
    max_temperature_c: float = 1000.0
    log_interval_s: float = 30.0
    log_dt_c: float = 0.2
    max_duration_h: float = 1000.0

    def __post_init__(self) -> None:
        positive = (
            "step_c",
            "threshold_c_min",
            "heat_rate_c_min",
            "wait_min",
            "search_min",
            "log_interval_s",
            "log_dt_c",
            "max_duration_h",
        )
        for name in positive:
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ThermalError(f"protocol {name} must be a positive number, not {value!r}")
        if not self.start_c < self.end_c < self.max_temperature_c:
            raise ThermalError("protocol needs start_c < end_c < max_temperature_c")

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return dict(self.__dict__)


# --------------------------------------------------------------------------- integrator
_HEAT, _WAIT, _SEARCH, _EXO = 0, 1, 2, 3
_MODE_NAMES = ("heat", "wait", "search", "exotherm")

# Dormand-Prince 5(4) tableau (Dormand & Prince, J. Comput. Appl. Math. 6 (1980) 19).
_A21 = 1 / 5
_A31, _A32 = 3 / 40, 9 / 40
_A41, _A42, _A43 = 44 / 45, -56 / 15, 32 / 9
_A51, _A52, _A53, _A54 = 19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729
_A61, _A62, _A63, _A64, _A65 = 9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656
_B1, _B3, _B4, _B5, _B6 = 35 / 384, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84
_E1, _E3, _E4, _E5, _E6, _E7 = (
    71 / 57600,
    -71 / 16695,
    71 / 1920,
    -17253 / 339200,
    22 / 525,
    -1 / 40,
)

Rhs = Callable[[list[float], float], tuple[list[float], float]]


def _compile(model: RunawayModel) -> tuple[Rhs, list[float]]:
    """Build the right-hand side on Python floats and the initial chemical state.

    State: ``[T (K), x_1, (z_1), x_2, ...]``. The function returns ``(dy/dt, q/C_eff)``
    where the second item is the chemical self-heating rate in K/s.
    """
    specs: list[tuple[int, int, bool, float, float, tuple[tuple[float, float, float], ...]]] = []
    y0: list[float] = []
    index = 1
    for r in model.reactions:
        ix = index
        y0.append(r.x0)
        index += 1
        iz = -1
        zref = 1.0
        if r.inhibition_ref is not None:
            iz = index
            zref = r.inhibition_ref
            y0.append(r.inhibition0)
            index += 1
        chans = tuple(
            (c.a_per_s, c.ea_j_mol / GAS_CONSTANT, c.dh_j_g * r.w_g_m3) for c in r.channels
        )
        specs.append((ix, iz, r.law == "autocatalytic", r.order, zref, chans))
    melts = tuple(
        (
            m.t_c + KELVIN,
            m.width_c,
            m.w_g_m3 * m.dh_j_g / (m.width_c * math.sqrt(2.0 * math.pi)),
        )
        for m in model.melting
    )
    rho_cp = model.rho_cp_j_m3_k
    n = index
    exp = math.exp

    def rhs(y: list[float], power: float) -> tuple[list[float], float]:
        temp = y[0]
        inv = 1.0 / temp
        dy = [0.0] * n
        q = 0.0
        for ix, iz, auto, order, zref, chans in specs:
            x = y[ix]
            if auto:
                f = x * (1.0 - x) if 0.0 < x < 1.0 else 0.0
            elif x <= 0.0:
                f = 0.0
            else:
                f = x if order == 1.0 else x**order
            if f == 0.0:
                continue
            if iz >= 0:
                f *= exp(-y[iz] / zref)
            ktot = 0.0
            heat = 0.0
            for a, ea_r, hw in chans:
                k = a * exp(-ea_r * inv)
                ktot += k
                heat += hw * k
            rate = ktot * f
            dy[ix] = rate if auto else -rate
            if iz >= 0:
                dy[iz] = rate
            q += heat * f
        cap = rho_cp
        for tm, width, amp in melts:
            u = (temp - tm) / width
            if -8.0 < u < 8.0:
                cap += amp * exp(-0.5 * u * u)
        dy[0] = (q + power) / cap
        return dy, q / cap

    return rhs, y0


def _dopri_step(
    rhs: Rhs, y: list[float], k1: list[float], h: float, power: float, atol: list[float]
) -> tuple[list[float], list[float], float, float]:
    """One Dormand-Prince step: ``(y_new, f(y_new), shr_new, error_norm)``."""
    y2 = [a + h * (_A21 * b) for a, b in zip(y, k1, strict=True)]
    k2, _ = rhs(y2, power)
    y3 = [a + h * (_A31 * b + _A32 * c) for a, b, c in zip(y, k1, k2, strict=True)]
    k3, _ = rhs(y3, power)
    y4 = [
        a + h * (_A41 * b + _A42 * c + _A43 * d) for a, b, c, d in zip(y, k1, k2, k3, strict=True)
    ]
    k4, _ = rhs(y4, power)
    y5 = [
        a + h * (_A51 * b + _A52 * c + _A53 * d + _A54 * e)
        for a, b, c, d, e in zip(y, k1, k2, k3, k4, strict=True)
    ]
    k5, _ = rhs(y5, power)
    y6 = [
        a + h * (_A61 * b + _A62 * c + _A63 * d + _A64 * e + _A65 * g)
        for a, b, c, d, e, g in zip(y, k1, k2, k3, k4, k5, strict=True)
    ]
    k6, _ = rhs(y6, power)
    y7 = [
        a + h * (_B1 * b + _B3 * d + _B4 * e + _B5 * g + _B6 * m)
        for a, b, d, e, g, m in zip(y, k1, k3, k4, k5, k6, strict=True)
    ]
    k7, shr = rhs(y7, power)
    total = 0.0
    for a, a_new, tol, b, d, e, g, m, p in zip(y, y7, atol, k1, k3, k4, k5, k6, k7, strict=True):
        err = h * (_E1 * b + _E3 * d + _E4 * e + _E5 * g + _E6 * m + _E7 * p)
        scale = tol + 1e-6 * max(abs(a), abs(a_new))
        total += (err / scale) ** 2
    return y7, k7, shr, math.sqrt(total / len(y))


# --------------------------------------------------------------------------- simulation
@dataclass(frozen=True)
class CriterionTruth:
    """Where the model's own self-heating rate reaches a criterion.

    Attributes
    ----------
    rate_c_min : float
        The criterion, °C/min.
    any_mode_c : float or None
        First temperature at which the chemical self-heating rate reaches it, in any
        instrument mode (also during a heat step, where an instrument cannot see it), °C.
    observable_c : float or None
        First temperature at which it is reached while the instrument tracks an exotherm;
        when the rate is already above the criterion at the detection, the detection
        temperature (``at_detection`` true). This is what an ideal HWS instrument reports.
    at_detection : bool
        The rate already exceeded the criterion when the exotherm was detected.
    """

    rate_c_min: float
    any_mode_c: float | None
    observable_c: float | None
    at_detection: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class HwsSimulation:
    """A simulated heat-wait-search run.

    Attributes
    ----------
    model : RunawayModel
        The model simulated.
    protocol : HwsProtocol
        The controller settings.
    time_s : numpy.ndarray
        Time of each logged row, s.
    temperature_c : numpy.ndarray
        Sample temperature, °C.
    mode : numpy.ndarray
        Instrument mode from each row on (``heat``, ``wait``, ``search``, ``exotherm``).
    shr_c_min : numpy.ndarray
        The model's chemical self-heating rate at each row (heater excluded), °C/min.
    states : numpy.ndarray
        Chemical state at each row (columns as :attr:`state_names`).
    state_names : tuple of str
        Names of the state columns.
    detections : tuple of (float, float)
        ``(time_s, temperature_c)`` of each exotherm detection.
    truth : tuple of CriterionTruth
        The model's own crossings of the watched rates.
    end_reason : str
        Why the run ended.
    runtime_s : float
        Wall-clock time of the simulation, s.
    steps : int
        Accepted integration steps (= rows - 1).
    rejected : int
        Rejected steps.
    """

    model: RunawayModel
    protocol: HwsProtocol
    time_s: np.ndarray
    temperature_c: np.ndarray
    mode: np.ndarray
    shr_c_min: np.ndarray
    states: np.ndarray
    state_names: tuple[str, ...]
    detections: tuple[tuple[float, float], ...]
    truth: tuple[CriterionTruth, ...]
    end_reason: str
    runtime_s: float
    steps: int
    rejected: int

    @property
    def first_detection_c(self) -> float | None:
        """Temperature of the first exotherm detection, °C (None: none)."""
        return self.detections[0][1] if self.detections else None

    def truth_for(self, rate_c_min: float) -> CriterionTruth:
        """Return the watched crossing of ``rate_c_min`` (one of the watched rates)."""
        for item in self.truth:
            if math.isclose(item.rate_c_min, rate_c_min, rel_tol=1e-9):
                return item
        raise ThermalError(
            f"rate {rate_c_min} degC/min was not watched; watched: "
            f"{[t.rate_c_min for t in self.truth]}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON summary (no arrays)."""
        return {
            "simulated": True,
            "model": self.model.to_dict(),
            "protocol": self.protocol.to_dict(),
            "rows": int(self.time_s.size),
            "duration_h": float(self.time_s[-1] / 3600.0),
            "max_temperature_c": float(self.temperature_c.max()),
            "detections": [{"time_s": t, "temperature_c": temp} for t, temp in self.detections],
            "first_detection_c": self.first_detection_c,
            "truth": [t.to_dict() for t in self.truth],
            "end_reason": self.end_reason,
            "runtime_s": self.runtime_s,
            "steps": self.steps,
            "rejected_steps": self.rejected,
        }

    def write_csv(self, path: str | PathLike[str]) -> Path:
        """Write the run as an ARC export that :func:`~elyte.thermal.arc.read_arc` reads.

        Columns ``Time / s``, ``Sample temperature / degC``, ``Jacket temperature /
        degC`` (ideal tracking: equal to the sample), ``Mode``; comment lines (``#``) on
        top say that the file is simulated and by which model and protocol.

        Raises
        ------
        ExportError
            If the file cannot be written.
        """
        target = Path(path)
        p = self.protocol
        header = [
            "# elyte simulated ARC heat-wait-search run (simulated, not a measurement)",
            f"# model: {self.model.name}",
            f"# protocol: start {p.start_c} degC, end {p.end_c} degC, step {p.step_c} degC, "
            f"threshold {p.threshold_c_min} degC/min, heat {p.heat_rate_c_min} degC/min, "
            f"wait {p.wait_min} min, search {p.search_min} min",
            "# jacket temperature: ideal adiabatic tracking (equal to the sample)",
            "Time / s,Sample temperature / degC,Jacket temperature / degC,Mode",
        ]
        body = [
            f"{t!r},{temp:.6f},{temp:.6f},{m}"
            for t, temp, m in zip(
                self.time_s.tolist(), self.temperature_c.tolist(), self.mode.tolist(), strict=True
            )
        ]
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n".join(header + body) + "\n", encoding="utf-8")
        except OSError as exc:
            raise ExportError(f"cannot write the simulated ARC file: {exc}", path=target) from exc
        return target


def simulate_hws(
    model: RunawayModel,
    protocol: HwsProtocol | None = None,
    *,
    watch_rates_c_min: Sequence[float] = DEFAULT_WATCH_RATES_C_MIN,
) -> HwsSimulation:
    """Run the model through a heat-wait-search test.

    Parameters
    ----------
    model : RunawayModel
        The cell.
    protocol : HwsProtocol, optional
        Controller settings (default: the seed's 40 → 250 °C, 5 °C, 0.03 °C/min).
    watch_rates_c_min : sequence of float
        Self-heating rates, °C/min, whose crossings by the model are recorded as
        :class:`CriterionTruth` (default: 0.03, 1 and 60 °C/min).

    Returns
    -------
    HwsSimulation
        The logged run, the detections and the model's own crossings.

    Raises
    ------
    ThermalError
        If the run does not finish within ``protocol.max_duration_h`` or the integrator
        fails (a step size collapsing to zero).
    """
    p = protocol if protocol is not None else HwsProtocol()
    rates = [float(r) for r in watch_rates_c_min]
    if any(not (math.isfinite(r) and r > 0) for r in rates):
        raise ThermalError(f"watched rates must be positive, not {rates}")
    started = time.perf_counter()
    rhs, y0 = _compile(model)
    y = [p.start_c + KELVIN, *y0]
    atol = [1e-6] + [1e-10] * len(y0)
    threshold = p.threshold_c_min / 60.0  # K/s
    heat_power = model.rho_cp_j_m3_k * p.heat_rate_c_min / 60.0
    wait_s, search_s = p.wait_min * 60.0, p.search_min * 60.0
    t_limit = p.max_duration_h * 3600.0
    t_max_k = p.max_temperature_c + KELVIN
    end_k = p.end_c + KELVIN
    tol_k = 1e-7

    mode = _WAIT
    mode_end = wait_s
    power = 0.0
    target = 0.0
    search_t0 = search_temp0 = 0.0
    k1, shr = rhs(y, power)
    ts, temps, modes, shrs, states = [0.0], [y[0]], [mode], [shr], [y[1:]]
    detections: list[tuple[float, float]] = []
    any_mode: list[float | None] = [None] * len(rates)
    observable: list[float | None] = [None] * len(rates)
    at_detection = [False] * len(rates)
    t = 0.0
    h = 1.0
    rejected = 0
    end_reason = ""
    while True:
        hmax = p.log_interval_s
        if mode in (_WAIT, _SEARCH):
            hmax = min(hmax, mode_end - t)
        slope = k1[0]
        if slope > 0.0:
            hmax = min(hmax, p.log_dt_c / slope)
            if mode == _HEAT:
                hmax = min(hmax, (target - y[0]) / slope * 1.000001 + 1e-9)
        h = min(h, hmax)
        if h < 1e-12:
            raise ThermalError(
                f"the integrator's step collapsed at t = {t:.1f} s, T = {y[0] - KELVIN:.2f} degC"
            )
        y_new, k_new, shr_new, err = _dopri_step(rhs, y, k1, h, power, atol)
        if not err <= 1.0:  # also catches NaN
            rejected += 1
            h *= 0.2 if not math.isfinite(err) else max(0.2, 0.9 * err**-0.2)
            continue
        if mode == _HEAT and y_new[0] > target + tol_k:
            rejected += 1
            h *= max(0.05, 0.9999 * (target - y[0]) / (y_new[0] - y[0]))
            continue
        step_mode = mode
        temp_prev, shr_prev = y[0], shr
        t += h
        y, k1, shr = y_new, k_new, shr_new
        h *= 5.0 if err == 0.0 else min(5.0, 0.9 * err**-0.2)
        # the model's own crossings of the watched rates
        for i, rate in enumerate(rates):
            r = rate / 60.0
            if shr_prev < r <= shr:
                crossing = _crossing_temperature(temp_prev, y[0], shr_prev, shr, r)
                if any_mode[i] is None:
                    any_mode[i] = crossing
                if step_mode == _EXO and observable[i] is None:
                    observable[i] = crossing
        # controller
        if mode == _HEAT:
            if y[0] >= target - tol_k:
                mode, mode_end, power = _WAIT, t + wait_s, 0.0
                k1, shr = rhs(y, power)
        elif mode == _WAIT:
            if t >= mode_end - 1e-9:
                mode, mode_end = _SEARCH, t + search_s
                search_t0, search_temp0 = t, y[0]
        elif mode == _SEARCH:
            if t >= mode_end - 1e-9:
                measured = (y[0] - search_temp0) / (t - search_t0)
                if measured >= threshold:
                    mode = _EXO
                    detections.append((t, y[0] - KELVIN))
                    for i, rate in enumerate(rates):
                        if observable[i] is None and shr * 60.0 >= rate:
                            observable[i] = y[0]
                            at_detection[i] = True
                elif y[0] + p.step_c > end_k + 1e-6:
                    end_reason = f"heat-wait-search reached {p.end_c} degC without an exotherm"
                elif y[0] >= t_max_k:
                    end_reason = f"safety limit {p.max_temperature_c} degC"
                else:
                    mode, target, power = _HEAT, y[0] + p.step_c, heat_power
                    k1, shr = rhs(y, power)
        elif mode == _EXO:
            if y[0] >= t_max_k:
                end_reason = (
                    f"exotherm tracking stopped at the safety limit {p.max_temperature_c} degC"
                )
            elif shr < threshold:
                if y[0] + p.step_c > end_k + 1e-6:
                    end_reason = (
                        f"exotherm ended (rate below {p.threshold_c_min} degC/min) above "
                        f"{p.end_c} degC"
                    )
                else:
                    mode, target, power = _HEAT, y[0] + p.step_c, heat_power
                    k1, shr = rhs(y, power)
        ts.append(t)
        temps.append(y[0])
        modes.append(mode if not end_reason else step_mode)
        shrs.append(shr)
        states.append(y[1:])
        if end_reason:
            break
        if t > t_limit:
            raise ThermalError(
                f"the simulated run did not finish within {p.max_duration_h} h "
                f"(T = {y[0] - KELVIN:.1f} degC); check the protocol and the model"
            )
    names: list[str] = []
    for reaction in model.reactions:
        names.append(reaction.name)
        if reaction.inhibition_ref is not None:
            names.append(f"{reaction.name} inhibition")
    truth = tuple(
        CriterionTruth(
            rate_c_min=rate,
            any_mode_c=None if any_mode[i] is None else float(any_mode[i]) - KELVIN,  # type: ignore[arg-type]
            observable_c=None if observable[i] is None else float(observable[i]) - KELVIN,  # type: ignore[arg-type]
            at_detection=at_detection[i],
        )
        for i, rate in enumerate(rates)
    )
    return HwsSimulation(
        model=model,
        protocol=p,
        time_s=np.asarray(ts),
        temperature_c=np.asarray(temps) - KELVIN,
        mode=np.asarray([_MODE_NAMES[m] for m in modes]),
        shr_c_min=np.asarray(shrs) * 60.0,
        states=np.asarray(states),
        state_names=tuple(names),
        detections=tuple(detections),
        truth=truth,
        end_reason=end_reason,
        runtime_s=time.perf_counter() - started,
        steps=len(ts) - 1,
        rejected=rejected,
    )


def _crossing_temperature(t0: float, t1: float, r0: float, r1: float, r: float) -> float:
    """Temperature where a rate rising from r0 (at t0) to r1 (at t1) reaches r (log-linear)."""
    if r0 <= 0.0 or r1 <= r0:
        return t1
    frac = (math.log(r) - math.log(r0)) / (math.log(r1) - math.log(r0))
    return t0 + frac * (t1 - t0)


# --------------------------------------------------------------------------- TOML
def _reaction_from(entry: Mapping[str, Any], where: str) -> Reaction:
    known = {
        "name",
        "law",
        "w_g_m3",
        "x0",
        "order",
        "inhibition_ref",
        "inhibition0",
        "source",
        "checked",
        "channels",
        "a_per_s",
        "ea_j_mol",
        "dh_j_g",
    }
    unknown = set(entry) - known
    if unknown:
        raise ThermalError(f"{where}: unknown keys {sorted(unknown)}; allowed {sorted(known)}")
    try:
        if "channels" in entry:
            channels = tuple(
                Channel(float(c["a_per_s"]), float(c["ea_j_mol"]), float(c["dh_j_g"]))
                for c in entry["channels"]
            )
        else:
            channels = (
                Channel(float(entry["a_per_s"]), float(entry["ea_j_mol"]), float(entry["dh_j_g"])),
            )
        ref = entry.get("inhibition_ref")
        return Reaction(
            name=str(entry["name"]),
            channels=channels,
            w_g_m3=float(entry["w_g_m3"]),
            x0=float(entry["x0"]),
            law=entry.get("law", "decay"),
            order=float(entry.get("order", 1.0)),
            inhibition_ref=None if ref is None else float(ref),
            inhibition0=float(entry.get("inhibition0", 0.0)),
            source=str(entry.get("source", "")),
            checked=str(entry.get("checked", "")),
        )
    except KeyError as exc:
        raise ThermalError(f"{where}: missing key {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ThermalError):
            raise
        raise ThermalError(f"{where}: {exc}") from None


def load_model_toml(path: str | PathLike[str]) -> tuple[RunawayModel, HwsProtocol]:
    """Read model parameters and an HWS protocol from a TOML file.

    Layout (every table optional except a model source)::

        [model]
        preset = "kim2007-18650"    # or give name, rho_cp_j_m3_k and [[reactions]]
        name = "my cell"
        rho_cp_j_m3_k = 2.14e6

        [[reactions]]              # replaces the preset's reactions when present
        name = "SEI decomposition"
        a_per_s = 1.667e15         # or [[reactions.channels]] tables
        ea_j_mol = 1.3508e5
        dh_j_g = 257
        w_g_m3 = 6.104e5
        x0 = 0.15
        law = "decay"              # or "autocatalytic"
        inhibition_ref = 0.033     # optional

        [[melting]]
        name = "Li melting"
        t_c = 180.5
        dh_j_g = 432
        w_g_m3 = 1.71e5

        [protocol]                 # HwsProtocol fields
        step_c = 5

    Raises
    ------
    ThermalError
        If the file is not valid TOML or the parameters are incomplete or not physical.
    """
    source = Path(path)
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ThermalError("parameter file not found", path=source) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ThermalError(f"not a readable TOML file ({exc})", path=source) from None
    try:
        model_table = dict(data.get("model", {}))
        base = preset(str(model_table.pop("preset"))) if "preset" in model_table else None
        reactions_raw = data.get("reactions")
        if reactions_raw is not None:
            reactions = tuple(
                _reaction_from(entry, f"[[reactions]] #{i + 1}")
                for i, entry in enumerate(reactions_raw)
            )
        elif base is not None:
            reactions = base.reactions
        else:
            raise ThermalError("give [model] preset = ... or [[reactions]] tables")
        melting_raw = data.get("melting")
        if melting_raw is not None:
            melting = tuple(Melting(**dict(m)) for m in melting_raw)
        else:
            melting = base.melting if base is not None else ()
        rho_cp = model_table.pop("rho_cp_j_m3_k", None)
        if rho_cp is None:
            if base is None:
                raise ThermalError("[model] needs rho_cp_j_m3_k")
            rho_cp = base.rho_cp_j_m3_k
        name = str(model_table.pop("name", base.name if base is not None else source.stem))
        notes = tuple(str(n) for n in model_table.pop("notes", ()))
        if model_table:
            raise ThermalError(f"[model]: unknown keys {sorted(model_table)}")
        model = RunawayModel(
            name=name,
            rho_cp_j_m3_k=float(rho_cp),
            reactions=reactions,
            melting=melting,
            notes=(base.notes if base is not None else ()) + notes,
        )
        protocol_table = dict(data.get("protocol", {}))
        fields = set(HwsProtocol.__dataclass_fields__)
        unknown = set(protocol_table) - fields
        if unknown:
            raise ThermalError(
                f"[protocol]: unknown keys {sorted(unknown)}; allowed {sorted(fields)}"
            )
        protocol = HwsProtocol(**{k: float(v) for k, v in protocol_table.items()})
    except ThermalError as exc:
        if exc.path is None:
            raise ThermalError(exc.message, path=source) from None
        raise
    except (TypeError, ValueError) as exc:
        raise ThermalError(f"bad parameter ({exc})", path=source) from None
    return model, protocol
