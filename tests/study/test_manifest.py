"""Manifest validation: errors name the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from elyte.errors import ElyteError, ManifestError
from elyte.study.manifest import load_manifest

GOOD = """\
[study]
name = "t"

[[electrolyte]]
name = "E1"
formulation = "1 M LiPF6"

[[cell]]
id = "c1"
electrolyte = "E1"
temperature = "25 degC"

[[cell.analysis]]
kind = "aurbach"
files = ["licu.mpt"]
area = "113.1 mm2"

[[cell]]
id = "c2"
electrolyte = "E1"

[[cell.analysis]]
kind = "conductivity"
files = ["a.mpt", "b.mpt"]
thickness = "0.26 mm"
area = "2.01 cm2"
temperatures = ["20 degC", 30]
"""


def _write(tmp_path: Path, text: str) -> Path:
    for name in ("licu.mpt", "a.mpt", "b.mpt"):
        (tmp_path / name).write_text("x")
    path = tmp_path / "study.toml"
    path.write_text(text)
    return path


def _line_of(text: str, fragment: str) -> int:
    """Return the 1-based line of the (unique) fragment, found independently of the locator."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if fragment in line]
    assert len(hits) == 1, hits
    return hits[0]


def test_good_manifest_converts_units(tmp_path: Path) -> None:
    """Truth: 113.1 mm2 = 1.131 cm2, 0.26 mm = 260 um, bare numbers are in the base unit."""
    study = load_manifest(_write(tmp_path, GOOD))
    a = study.cells[0].analyses[0]
    assert a.parameters["area"] == pytest.approx(1.131)
    c = study.cells[1].analyses[0]
    assert c.parameters["thickness"] == pytest.approx(260.0)
    assert c.parameters["temperatures"] == [20.0, 30.0]
    assert study.cells[0].temperature_c == 25.0
    assert study.cells[1].replicate_group == "c2"


def test_missing_file_names_its_line(tmp_path: Path) -> None:
    text = GOOD.replace('"b.mpt"', '"nothere.mpt"')
    with pytest.raises(ManifestError) as info:
        load_manifest(_write(tmp_path, text))
    assert info.value.line == _line_of(text, "nothere.mpt")
    assert info.value.field == "files"
    assert f"line {info.value.line}" in str(info.value)
    assert "nothere.mpt" in str(info.value)


def test_unknown_analysis_names_its_line(tmp_path: Path) -> None:
    text = GOOD.replace('kind = "conductivity"', 'kind = "conductivty"')
    with pytest.raises(ManifestError) as info:
        load_manifest(_write(tmp_path, text))
    assert info.value.line == _line_of(text, "conductivty")
    assert info.value.field == "kind"
    assert "unknown analysis" in str(info.value)


def test_wrong_unit_names_its_line(tmp_path: Path) -> None:
    text = GOOD.replace('area = "2.01 cm2"', 'area = "2.01 mAh"')
    with pytest.raises(ManifestError) as info:
        load_manifest(_write(tmp_path, text))
    assert info.value.line == _line_of(text, "2.01 mAh")
    assert info.value.field == "area"
    assert "charge" in str(info.value)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, ElyteError)


def test_same_key_in_an_earlier_cell_is_not_blamed(tmp_path: Path) -> None:
    """The first cell also has an ``area``: the error must point at the second cell's."""
    text = GOOD.replace('thickness = "0.26 mm"', 'thickness = "0.26 V"')
    with pytest.raises(ManifestError) as info:
        load_manifest(_write(tmp_path, text))
    assert info.value.line == _line_of(text, "0.26 V")


def test_invalid_toml_reports_the_parser_line(tmp_path: Path) -> None:
    text = GOOD.replace('name = "E1"', 'name = "E1', 1)
    with pytest.raises(ManifestError) as info:
        load_manifest(_write(tmp_path, text))
    assert info.value.line == 5  # the unterminated string


def test_undeclared_electrolyte_and_unknown_field(tmp_path: Path) -> None:
    text = GOOD.replace(
        'electrolyte = "E1"\n\n[[cell.analysis]]\nkind = "conductivity"',
        'electrolyte = "E9"\n\n[[cell.analysis]]\nkind = "conductivity"',
    )
    with pytest.raises(ManifestError, match="E9") as info:
        load_manifest(_write(tmp_path, text))
    assert info.value.line == _line_of(text, '"E9"')
    text = GOOD.replace('area = "113.1 mm2"', 'area = "113.1 mm2"\ncolour = "red"')
    with pytest.raises(ManifestError, match="colour") as info:
        load_manifest(_write(tmp_path, text))
    assert info.value.line == _line_of(text, "colour")


NEW = """\
[study]
name = "t"

[[electrolyte]]
name = "E1"

[[cell]]
id = "lsv"
electrolyte = "E1"

[[cell.analysis]]
kind = "lsv"
files = ["licu.mpt"]
area = "78.5 mm2"
threshold = "20 uA/cm2"
consecutive = 5

[[cell]]
id = "sei"
electrolyte = "E1"

[[cell.analysis]]
kind = "sei"
files = ["a.mpt", "b.mpt"]
temperatures = ["20 degC", "313.15 K"]

[[cell]]
id = "pouch"
electrolyte = "E1"

[[cell.analysis]]
kind = "design"
preset = "seed_pouch_2p8ah"
ce = 0.99
"""


def test_new_analyses_convert_units(tmp_path: Path) -> None:
    """Truth: 78.5 mm2 = 0.785 cm2, 20 uA/cm2 = 0.02 mA/cm2, 313.15 K = 40 degC."""
    study = load_manifest(_write(tmp_path, NEW))
    lsv, sei, design = (c.analyses[0] for c in study.cells)
    assert lsv.parameters == {
        "area": pytest.approx(0.785),
        "threshold": pytest.approx(0.02),
        "consecutive": 5,
    }
    assert sei.kind == "sei"
    assert sei.parameters["temperatures"] == pytest.approx([20.0, 40.0])
    assert design.files == ()
    assert design.parameters == {"preset": "seed_pouch_2p8ah", "ce": 0.99}


@pytest.mark.parametrize(
    ("old", "new", "fragment", "field", "message"),
    [
        ('threshold = "20 uA/cm2"', 'threshold = "20 uA"', "20 uA", "threshold", "current_density"),
        ('"313.15 K"]', '"313.15 K", "50 degC"]', "313.15 K", "temperatures", "3 temperatures"),
        ('preset = "seed_pouch_2p8ah"', 'preset = "big"', "big", "preset", "unknown preset"),
        (
            'preset = "seed_pouch_2p8ah"',
            'preset = "seed_pouch_2p8ah"\nfiles = ["a.mpt"]',
            "a.mpt",
            "files",
            "not both",
        ),
    ],
)
def test_new_analyses_errors_name_the_line(
    tmp_path: Path, old: str, new: str, fragment: str, field: str, message: str
) -> None:
    text = NEW.replace(old, new)
    with pytest.raises(ManifestError) as info:
        load_manifest(_write(tmp_path, text))
    assert info.value.field == field
    assert message in str(info.value)
    if field != "files":
        assert info.value.line == _line_of(text, fragment)
