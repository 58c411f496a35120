"""Parameter sets of the virtual lab: seed numbers, derived values and provenance."""

from __future__ import annotations

import math
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from elyte.units import GAS_CONSTANT
from elyte.virtual.params import PRESETS, ParamsError, load_params, preset_params


def _shipped(name: str) -> str:
    return resources.files("elyte.virtual").joinpath("data", f"{name}.toml").read_text("utf-8")


def test_seed_numbers_are_in_the_shipped_sets() -> None:
    """Truth: the seed's printed values (sigma(30 °C), t+, SEI Ea, R_int, CE, T_onset/T_tr)."""
    lifpa = preset_params("3d-sipe-lifpa")
    lipf6 = preset_params("lipf6-emc-fec")
    assert lifpa.conductivity.sigma_s_cm(30.0) == pytest.approx(2.48e-3, rel=1e-12)
    assert (lifpa.t_plus, lipf6.t_plus) == (0.915, 0.339)
    assert (lifpa.sei.ea_j_mol, lipf6.sei.ea_j_mol) == (30000.0, 63500.0)
    assert lifpa.growth.resistance_ohm(1) == pytest.approx(12.0)
    assert lifpa.growth.resistance_ohm(30) == pytest.approx(45.3, abs=1e-3)
    assert lifpa.growth.resistance_ohm(80) == pytest.approx(46.21, abs=0.01)
    assert lipf6.growth.resistance_ohm(50) == pytest.approx(120.1, abs=0.05)
    assert lifpa.ce == 0.9939
    assert (lifpa.lsv_stable_to_v, lipf6.lsv_onset_v) == (5.5, 4.0)
    assert (lifpa.arc.t_onset_c, lifpa.arc.t_tr_c, lifpa.arc.criterion_c_min) == (120.0, 185.0, 1.0)


@pytest.mark.parametrize("name", PRESETS)
def test_every_value_has_a_provenance(name: str) -> None:
    """Every numeric value is marked seed, derived or assumed."""
    p = preset_params(name)

    doc = tomllib.loads(
        Path(
            p.source.replace(
                "elyte/virtual/data",
                str(Path(__import__("elyte.virtual", fromlist=["x"]).__file__).parent / "data"),
            )
        ).read_text("utf-8")
    )
    keys = {
        f"{section}.{k}"
        for section, table in doc.items()
        if isinstance(table, dict) and section != "provenance"
        for k in table
    }
    assert keys == set(p.provenance)
    for key, text in p.provenance.items():
        assert text.split(":")[0] in ("seed", "derived", "assumed"), key


def test_laws_follow_their_formulas() -> None:
    """Truth: the VTF and Arrhenius formulas evaluated by hand."""
    lifpa = preset_params("3d-sipe-lifpa").conductivity
    a = 2.48e-3 * math.sqrt(303.15) * math.exp(850.0 / (303.15 - 200.0))
    assert lifpa.sigma_s_cm(60.0) == pytest.approx(a / math.sqrt(333.15) * math.exp(-850 / 133.15))
    lipf6 = preset_params("lipf6-emc-fec").conductivity
    ratio = math.exp(-12000.0 / GAS_CONSTANT * (1 / 333.15 - 1 / 303.15))
    assert lipf6.sigma_s_cm(60.0) == pytest.approx(6.0e-3 * ratio)
    sei = preset_params("lipf6-emc-fec").sei
    assert sei.r_sei_ohm(25.0) == pytest.approx(24.2)
    assert sei.r_sei_ohm(35.0) < sei.r_sei_ohm(25.0)


def test_user_file_and_errors(tmp_path: Path) -> None:
    text = _shipped("3d-sipe-lifpa")
    mine = tmp_path / "mine.toml"
    mine.write_text(text.replace("t_plus = 0.915", "t_plus = 0.5"), encoding="utf-8")
    assert load_params(mine).t_plus == 0.5
    assert load_params("lipf6-emc-fec").key == "lipf6-emc-fec"
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("t_plus = 0.915", "t_plus = 1.5"), encoding="utf-8")
    with pytest.raises(ParamsError, match="t_plus"):
        load_params(bad)
    (tmp_path / "broken.toml").write_text("[conductivity\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="not a valid TOML"):
        load_params(tmp_path / "broken.toml")
    with pytest.raises(ParamsError, match="cannot read"):
        load_params(tmp_path / "missing.toml")
    with pytest.raises(ParamsError, match="no parameter set"):
        preset_params("nope")
