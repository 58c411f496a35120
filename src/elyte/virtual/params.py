"""Parameter sets of the virtual lab: the seed's two electrolytes and user TOML files.

A parameter set holds what the simulators need about one electrolyte: its conductivity
law sigma(T) (VTF or Arrhenius), the Li+ transference number, the SEI of a Li‖Li cell, the
growth of the interfacial resistance of a cathode/Li cell, the Li‖Cu Coulombic efficiency,
the anodic stability and the thermal-runaway model. Two sets ship with elyte
(``3d-sipe-lifpa`` and ``lipf6-emc-fec``, in ``elyte/virtual/data``); they are *derived from
the seed's reported numbers*, and every value carries its provenance: ``seed`` (printed in
the seed), ``derived`` (computed from seed numbers; the entry says how) or ``assumed`` (not
in the seed).

Conductivity laws (sigma in S/cm, T in K):

``arrhenius``
    ``sigma(T) = sigma_ref·exp(-Ea/R·(1/T - 1/T_ref))``.
``vtf``
    ``sigma(T) = A·T^(-1/2)·exp(-B/(T - T0))`` with ``A`` fixed by
    ``sigma(T_ref) = sigma_ref`` (the form :func:`elyte.transport.fit_vtf` fits).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

from elyte.errors import ElyteError
from elyte.units import GAS_CONSTANT

__all__ = [
    "KELVIN",
    "PRESETS",
    "ArcParams",
    "CellGeometry",
    "ConductivityLaw",
    "ElectrolyteParams",
    "InterfaceGrowth",
    "ParamsError",
    "SeiParams",
    "load_params",
    "preset_params",
]

#: 0 °C in kelvin.
KELVIN = 273.15

#: Names of the parameter sets shipped with elyte.
PRESETS = ("3d-sipe-lifpa", "lipf6-emc-fec")


class ParamsError(ElyteError, ValueError):
    """A parameter file is missing a value, has a bad one, or is not TOML."""


@dataclass(frozen=True)
class ConductivityLaw:
    """Ionic conductivity as a function of temperature.

    Attributes
    ----------
    form : {"vtf", "arrhenius"}
        The law.
    sigma_ref_s_cm : float
        sigma at ``t_ref_c``, S/cm.
    t_ref_c : float
        Reference temperature, °C.
    ea_j_mol : float
        Activation energy (Arrhenius), J/mol.
    b_k, t0_k : float
        VTF pseudo-activation B and ideal glass temperature T0, K.
    """

    form: str
    sigma_ref_s_cm: float
    t_ref_c: float
    ea_j_mol: float = math.nan
    b_k: float = math.nan
    t0_k: float = math.nan

    def __post_init__(self) -> None:
        if self.form not in ("vtf", "arrhenius"):
            raise ParamsError(f"conductivity form must be 'vtf' or 'arrhenius', not {self.form!r}")
        if not self.sigma_ref_s_cm > 0:
            raise ParamsError("conductivity sigma_ref_s_cm must be > 0")
        if self.form == "arrhenius" and not self.ea_j_mol >= 0:
            raise ParamsError("an Arrhenius conductivity needs ea_j_mol >= 0")
        if self.form == "vtf" and not (self.b_k > 0 and 0 <= self.t0_k < self.t_ref_c + KELVIN):
            raise ParamsError("a VTF conductivity needs b_k > 0 and 0 <= t0_k < T_ref")

    @property
    def vtf_prefactor(self) -> float:
        """VTF ``A`` (S/cm·K^½) fixed by sigma(T_ref) = sigma_ref (NaN for Arrhenius)."""
        if self.form != "vtf":
            return math.nan
        t = self.t_ref_c + KELVIN
        return self.sigma_ref_s_cm * math.sqrt(t) * math.exp(self.b_k / (t - self.t0_k))

    def sigma_s_cm(self, temperature_c: float) -> float:
        """Return sigma at ``temperature_c`` (°C), S/cm."""
        t = temperature_c + KELVIN
        if self.form == "arrhenius":
            t_ref = self.t_ref_c + KELVIN
            return self.sigma_ref_s_cm * math.exp(
                -self.ea_j_mol / GAS_CONSTANT * (1 / t - 1 / t_ref)
            )
        if t <= self.t0_k:
            raise ParamsError(f"VTF conductivity is undefined at or below T0 = {self.t0_k} K")
        return self.vtf_prefactor / math.sqrt(t) * math.exp(-self.b_k / (t - self.t0_k))


@dataclass(frozen=True)
class CellGeometry:
    """Blocking (SS|E|SS) or Li‖Li coin cell: separator thickness and electrode area.

    Attributes
    ----------
    thickness_um : float
        Electrolyte/separator thickness, µm.
    area_cm2 : float
        Electrode area, cm².
    eps_r : float
        Effective relative permittivity (geometric capacitance).
    """

    thickness_um: float
    area_cm2: float
    eps_r: float = 20.0

    @property
    def cell_constant_per_cm(self) -> float:
        """``K = L/A``, cm⁻¹."""
        return self.thickness_um * 1e-4 / self.area_cm2

    @property
    def geometric_capacitance_f(self) -> float:
        """``C_geo = ε0·εr·A/L``, F."""
        return 8.8541878128e-14 * self.eps_r / self.cell_constant_per_cm


@dataclass(frozen=True)
class SeiParams:
    """Interface of a Li‖Li cell: R_SEI(T) and R_ct(T), whole cell, Arrhenius in 1/R.

    Attributes
    ----------
    ea_j_mol, r_sei_ref_ohm : float
        Activation energy (J/mol) and R_SEI at ``t_ref_c`` (ohm).
    t_ref_c : float
        Reference temperature, °C.
    r_ct_ref_ohm, ea_ct_j_mol : float
        Charge-transfer resistance at ``t_ref_c`` (ohm) and its activation energy (J/mol).
    """

    ea_j_mol: float
    r_sei_ref_ohm: float
    t_ref_c: float
    r_ct_ref_ohm: float
    ea_ct_j_mol: float

    def _arr(self, r_ref: float, ea: float, temperature_c: float) -> float:
        t, t_ref = temperature_c + KELVIN, self.t_ref_c + KELVIN
        return r_ref * math.exp(ea / GAS_CONSTANT * (1 / t - 1 / t_ref))

    def r_sei_ohm(self, temperature_c: float) -> float:
        """R_SEI at ``temperature_c`` (°C), ohm."""
        return self._arr(self.r_sei_ref_ohm, self.ea_j_mol, temperature_c)

    def r_ct_ohm(self, temperature_c: float) -> float:
        """R_ct at ``temperature_c`` (°C), ohm."""
        return self._arr(self.r_ct_ref_ohm, self.ea_ct_j_mol, temperature_c)


@dataclass(frozen=True)
class InterfaceGrowth:
    """Interfacial resistance of a cathode/Li cell against cycle number N (1-based).

    ``R(N) = R_sat - (R_sat - R_1)·exp(-(N - 1)/τ) + s·(N - 1)``: a saturating part (an SEI
    that stabilises) plus a linear part (an SEI that keeps growing).

    Attributes
    ----------
    r_first_ohm, r_sat_ohm : float
        R at the first cycle and the saturation value of the saturating part, ohm.
    tau_cycles : float
        Cycles over which the saturating part settles.
    slope_ohm_per_cycle : float
        Linear growth, ohm per cycle.
    """

    r_first_ohm: float
    r_sat_ohm: float
    tau_cycles: float
    slope_ohm_per_cycle: float

    def resistance_ohm(self, cycle: float) -> float:
        """Interfacial resistance after ``cycle`` cycles, ohm."""
        n = float(cycle) - 1.0
        sat = self.r_sat_ohm - (self.r_sat_ohm - self.r_first_ohm) * math.exp(-n / self.tau_cycles)
        return sat + self.slope_ohm_per_cycle * n


@dataclass(frozen=True)
class ArcParams:
    """Thermal runaway: the elyte.thermal model used and the seed's reported temperatures.

    Attributes
    ----------
    preset : str
        Name of an :func:`elyte.thermal.preset`.
    li_rate_factor : float
        Multiplies the pre-exponential factor of the ``Li-electrolyte`` reaction (1 = as is).
    t_onset_c, t_tr_c : float
        The seed's T_onset and T_tr (for comparison, not inputs), °C.
    criterion_c_min : float
        Thermal-runaway criterion, °C/min.
    """

    preset: str
    li_rate_factor: float
    t_onset_c: float
    t_tr_c: float
    criterion_c_min: float = 1.0

    def model(self) -> Any:
        """Return the :class:`elyte.thermal.RunawayModel` with the Li rate factor applied."""
        from dataclasses import replace

        from elyte.thermal import preset

        base = preset(self.preset)
        if self.li_rate_factor == 1.0:
            return base
        names = [r.name for r in base.reactions]
        if "Li-electrolyte" not in names:
            raise ParamsError(
                f"preset {self.preset!r} has no 'Li-electrolyte' reaction to speed up"
            )
        li = base.reactions[names.index("Li-electrolyte")]
        channels = tuple(replace(c, a_per_s=c.a_per_s * self.li_rate_factor) for c in li.channels)
        return base.with_reaction("Li-electrolyte", channels=channels)


@dataclass(frozen=True)
class ElectrolyteParams:
    """Everything the simulators need about one electrolyte.

    Attributes
    ----------
    key, name : str
        Short identifier and display name.
    conductivity : ConductivityLaw
        sigma(T).
    cell : CellGeometry
        Coin-cell geometry used for SS|E|SS and Li‖Li.
    t_plus : float
        Li+ transference number (Bruce-Vincent current fraction).
    diffusion_cm2_s : float
        Salt diffusion coefficient, cm²/s.
    sei : SeiParams
        Li‖Li interface.
    growth : InterfaceGrowth
        Cathode/Li interfacial resistance against cycles.
    ce : float
        Li‖Cu Coulombic efficiency (fraction).
    lsv_stable_to_v, lsv_onset_v : float
        Anodic stability limit and oxidation onset, V vs Li/Li+.
    arc : ArcParams
        Thermal runaway.
    provenance : dict of str to str
        ``"section.field"`` → ``"seed: ..."``, ``"derived: ..."`` or ``"assumed: ..."``.
    source : str
        File the set was read from.
    """

    key: str
    name: str
    conductivity: ConductivityLaw
    cell: CellGeometry
    t_plus: float
    diffusion_cm2_s: float
    sei: SeiParams
    growth: InterfaceGrowth
    ce: float
    lsv_stable_to_v: float
    lsv_onset_v: float
    arc: ArcParams
    provenance: Mapping[str, str] = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        if not 0.0 < self.t_plus < 1.0:
            raise ParamsError(f"{self.key}: t_plus must lie in (0, 1), not {self.t_plus}")
        if not 0.0 < self.ce <= 1.0:
            raise ParamsError(f"{self.key}: ce must lie in (0, 1], not {self.ce}")
        if not self.diffusion_cm2_s > 0:
            raise ParamsError(f"{self.key}: diffusion_cm2_s must be > 0")

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view, with the provenance of every value."""
        from dataclasses import asdict

        out = asdict(self)
        out["provenance"] = dict(self.provenance)
        return out


def _section(doc: Mapping[str, Any], name: str, where: str) -> Mapping[str, Any]:
    value = doc.get(name)
    if not isinstance(value, Mapping):
        raise ParamsError(f"{where}: missing table [{name}]")
    return value


def _num(table: Mapping[str, Any], key: str, where: str, default: float | None = None) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ParamsError(f"{where}: {key} must be a finite number, not {value!r}")
    return float(value)


def params_from_dict(doc: Mapping[str, Any], *, source: str = "<dict>") -> ElectrolyteParams:
    """Build a parameter set from a parsed TOML document (see the shipped files).

    Raises
    ------
    ParamsError
        For a missing table or value, or a value out of range.
    """
    w = source
    cond = _section(doc, "conductivity", w)
    form = str(cond.get("form", ""))
    law = ConductivityLaw(
        form=form,
        sigma_ref_s_cm=_num(cond, "sigma_ref_s_cm", w),
        t_ref_c=_num(cond, "t_ref_c", w),
        ea_j_mol=_num(cond, "ea_j_mol", w) if form == "arrhenius" else math.nan,
        b_k=_num(cond, "b_k", w) if form == "vtf" else math.nan,
        t0_k=_num(cond, "t0_k", w) if form == "vtf" else math.nan,
    )
    cell = _section(doc, "cell", w)
    tr = _section(doc, "transference", w)
    sei = _section(doc, "sei", w)
    gr = _section(doc, "interface_growth", w)
    li = _section(doc, "lithium", w)
    lsv = _section(doc, "lsv", w)
    arc = _section(doc, "arc", w)
    prov = doc.get("provenance", {})
    if not isinstance(prov, Mapping):
        raise ParamsError(f"{w}: [provenance] must be a table")
    geometry = CellGeometry(
        _num(cell, "thickness_um", w), _num(cell, "area_cm2", w), _num(cell, "eps_r", w, 20.0)
    )
    if not (geometry.thickness_um > 0 and geometry.area_cm2 > 0 and geometry.eps_r > 0):
        raise ParamsError(f"{w}: cell thickness, area and eps_r must be > 0")
    return ElectrolyteParams(
        key=str(doc.get("key", Path(source).stem)),
        name=str(doc.get("name", doc.get("key", Path(source).stem))),
        conductivity=law,
        cell=geometry,
        t_plus=_num(tr, "t_plus", w),
        diffusion_cm2_s=_num(tr, "diffusion_cm2_s", w),
        sei=SeiParams(
            _num(sei, "ea_j_mol", w),
            _num(sei, "r_sei_ref_ohm", w),
            _num(sei, "t_ref_c", w),
            _num(sei, "r_ct_ref_ohm", w),
            _num(sei, "ea_ct_j_mol", w),
        ),
        growth=InterfaceGrowth(
            _num(gr, "r_first_ohm", w),
            _num(gr, "r_sat_ohm", w),
            _num(gr, "tau_cycles", w),
            _num(gr, "slope_ohm_per_cycle", w, 0.0),
        ),
        ce=_num(li, "ce", w),
        lsv_stable_to_v=_num(lsv, "stable_to_v", w),
        lsv_onset_v=_num(lsv, "onset_v", w),
        arc=ArcParams(
            str(arc.get("preset", "li-metal-ncm811-pouch")),
            _num(arc, "li_rate_factor", w, 1.0),
            _num(arc, "t_onset_c", w, math.nan) if "t_onset_c" in arc else math.nan,
            _num(arc, "t_tr_c", w, math.nan) if "t_tr_c" in arc else math.nan,
            _num(arc, "criterion_c_min", w, 1.0),
        ),
        provenance={str(k): str(v) for k, v in prov.items()},
        source=source,
    )


def load_params(path: str | PathLike[str]) -> ElectrolyteParams:
    """Read a parameter set from a TOML file, or return a shipped one by name.

    Parameters
    ----------
    path : str or os.PathLike
        A TOML file, or one of :data:`PRESETS` (``"3d-sipe-lifpa"``, ``"lipf6-emc-fec"``).

    Raises
    ------
    ParamsError
        If the file cannot be read, is not TOML, or lacks a value.
    """
    if str(path) in PRESETS:
        return preset_params(str(path))
    p = Path(path)
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ParamsError(f"cannot read parameter file {p}: {exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ParamsError(f"{p} is not a valid TOML parameter file: {exc}") from exc
    return params_from_dict(doc, source=str(p))


def preset_params(name: str) -> ElectrolyteParams:
    """Return a shipped parameter set (``"3d-sipe-lifpa"`` or ``"lipf6-emc-fec"``).

    Raises
    ------
    ParamsError
        For an unknown name.
    """
    if name not in PRESETS:
        raise ParamsError(f"no parameter set {name!r}; choose one of {list(PRESETS)}")
    text = resources.files("elyte.virtual").joinpath("data", f"{name}.toml").read_text("utf-8")
    return params_from_dict(tomllib.loads(text), source=f"elyte/virtual/data/{name}.toml")
