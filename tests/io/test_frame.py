"""canonicalise and accumulate_resets: the one place vendor units become SI."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from elyte.errors import ReaderError
from elyte.io._frame import Rule, accumulate_resets, canonicalise, snake

RULES = {
    "ewe": Rule("voltage_volt"),
    "i": Rule("current_ampere"),
    "time": Rule("test_time_second"),
    "-im(z)": Rule("imaginary_impedance_ohm", sign=-1.0),
    "cycle number": Rule("cycle_count"),
}


def test_units_scaled_and_extras_kept() -> None:
    frame = pl.DataFrame(
        {
            "time/s": [0.0, 1.0],
            "Ewe/mV": [3000.0, 3100.0],
            "I/mA": [1.5, -1.5],
            "-Im(Z)/Ohm": [2.0, 3.0],
            "cycle number": [0.0, 1.0],
            "Ece/V": [0.1, 0.2],
            "weird/furlong": [1, 2],
        }
    )
    out = canonicalise(frame, RULES, path=Path("x"))
    data = out.frame
    assert data["voltage_volt"].to_list() == pytest.approx([3.0, 3.1])
    assert data["current_ampere"].to_list() == pytest.approx([1.5e-3, -1.5e-3])
    assert data["imaginary_impedance_ohm"].to_list() == [-2.0, -3.0]
    assert data["cycle_count"].dtype == pl.Int64
    assert data["ece_volt"].to_list() == [0.1, 0.2]
    assert "weird_furlong" in data.columns
    assert any("furlong" in n for n in out.notes)
    assert out.column_map["I/mA"] == "current_ampere"
    assert out.units["ece_volt"] == "V"
    assert data.columns[:3] == ["test_time_second", "voltage_volt", "current_ampere"]


def test_compound_units_convert_to_their_base_unit() -> None:
    frame = pl.DataFrame({"dV/dt(mV/s)": [2.0], "sigma/mS/cm": [1.0], "SpeCap/mAh/g": [200.0]})
    out = canonicalise(frame, RULES, path=Path("x"))
    assert out.frame["dv_dt_v_per_s"].to_list() == [0.002]
    assert out.units["dv_dt_v_per_s"] == "V/s"
    assert out.frame["sigma_s_per_m"].to_list() == pytest.approx([0.1])  # 1 mS/cm = 0.1 S/m
    assert out.units["sigma_s_per_m"] == "S/m"
    assert out.units["specap_mah_per_g"] == "mAh/g"


def test_wrong_dimension_is_an_error() -> None:
    frame = pl.DataFrame({"I/V": [1.0]})
    with pytest.raises(ReaderError, match="should hold current"):
        canonicalise(frame, RULES, path=Path("bad.mpt"))


def test_second_column_for_same_target_becomes_extra() -> None:
    frame = pl.DataFrame({"I/mA": [1.0], "<I>/mA": [2.0]})
    rules = {"i": Rule("current_ampere"), "<i>": Rule("current_ampere")}
    out = canonicalise(frame, rules, path=Path("x"))
    assert out.frame["current_ampere"].to_list() == [1e-3]
    assert out.frame["i_ampere"].to_list() == [2e-3]


def test_accumulate_resets_matches_hand_sum() -> None:
    # per-step counter: 0,1,2 | 0,3 | 0.5,1  → steps end at 2 and 3
    frame = pl.DataFrame({"q": [0.0, 1.0, 2.0, 0.0, 3.0, 0.5, 1.0]})
    total = frame.select(accumulate_resets("q")).to_series().to_list()
    assert total == [0.0, 1.0, 2.0, 2.0, 5.0, 5.5, 6.0]


def test_accumulate_resets_ignores_rounding_dips() -> None:
    """A printed counter that dips by one rounding step is not a restart."""
    frame = pl.DataFrame({"q": [0.0, 5.0, 4.999999999, 5.0, 0.0, 1.0]})
    total = frame.select(accumulate_resets("q")).to_series().to_list()
    assert total == pytest.approx([0.0, 5.0, 4.999999999, 5.0, 5.0, 6.0])


def test_snake_names() -> None:
    assert snake("Ewe-Ece") == "ewe_ece"
    assert snake("|Z|") == "abs_z"
    assert snake("<I>") == "i"
    assert snake("1st") == "c_1st"


def test_files_written_by_the_virtual_lab_read_back_as_simulated(tmp_path: Path) -> None:
    """The writers' mark in a header makes the reader set meta.simulated (both formats)."""
    import elyte
    from elyte.virtual.lithium import li_cu_aurbach
    from elyte.virtual.writers import write_landt_csv, write_mpt

    rec, _ = li_cu_aurbach(seed=1)
    for path in (write_mpt(rec, tmp_path / "a.mpt"), write_landt_csv(rec, tmp_path / "a.csv")):
        back = elyte.read(path)
        assert back.meta.simulated is True
        assert any("elyte virtual lab" in n for n in back.meta.notes)


def test_instrument_files_are_not_marked_simulated() -> None:
    import elyte
    from tests.conftest import shared_file

    assert elyte.read(shared_file("biologic", "gcpl.issue_149.mpt")).meta.simulated is False
