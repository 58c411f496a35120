"""Cell manifests: the shipped examples load, and mistakes name the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elyte.design import load_cell_manifest, seed_pouch_2p8ah
from elyte.design.errors import DesignError
from elyte.design.manifest import parse_cell_manifest
from elyte.errors import ElyteError, MissingFileError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cells"


def test_example_2p8ah_matches_the_seed_design() -> None:
    m = load_cell_manifest(EXAMPLES / "ncm811_li_2p8ah_pouch.toml")
    r = m.design.evaluate()
    assert r.metrics["wh_kg"] == pytest.approx(seed_pouch_2p8ah().evaluate().metrics["wh_kg"])
    assert set(m.scenarios) == {
        "base",
        "electrode stack only",
        "thin 88 um laminate",
        "6 um Cu under the Li",
    }
    assert [p for p, _ in m.sweeps] == [
        "np_ratio",
        "ec_ratio_g_ah",
        "loading_mg_cm2",
        "li_thickness_um",
    ]
    assert m.scenarios["6 um Cu under the Li"].evaluate().mass("anode collector") > 2.0


@pytest.mark.parametrize("name", ["ncm811_li_222mah_pouch.toml", "ncm811_li_coin.toml"])
def test_other_examples_load(name: str) -> None:
    m = load_cell_manifest(EXAMPLES / name)
    assert m.design.evaluate().flagged  # both seed claims are flagged


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[cell]\ncapacity_ah = 1\n[cathode]\nwidht_mm = 5\n", "unknown key"),
        ("[cel]\n", "unknown section"),
        ("[cell]\nformat = 'cylinder'\n", "format"),
        ("[cell]\ncapacity_ah = 'big'\n[cathode]\nwidth_mm=50\nheight_mm=50\n", "capacity_ah"),
        ("[cell]\ncapacity_ah = 1\n", "electrode size"),
        ("not toml [", "not valid TOML"),
        (
            "[cell]\ncapacity_ah = 1\n[cathode]\nwidth_mm=50\nheight_mm=50\n[[scenario]]\n"
            "name='x'\nset={'anode.thick'=1}\n",
            "does not name",
        ),
        (
            "[cell]\ncapacity_ah = 1\n[cathode]\nwidth_mm=50\nheight_mm=50\n[[sweep]]\n"
            "parameter='np_ratio'\n",
            "values",
        ),
        ("[cell]\nformat='coin'\n[tabs]\nmass_g=1\n", "no \\[tabs\\]"),
    ],
)
def test_bad_manifests(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "cell.toml"
    path.write_text(text)
    with pytest.raises(DesignError, match=match) as info:
        load_cell_manifest(path)
    assert str(path) in str(info.value)


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(MissingFileError):
        load_cell_manifest(tmp_path / "nope.toml")


_KEYS = {
    "cell": ["capacity_ah", "cathode_sheets", "average_voltage_v", "ce", "tolerance", "format"],
    "cathode": ["width_mm", "height_mm", "loading_mg_cm2", "double_sided", "material"],
    "anode": ["li_thickness_um", "np_ratio", "collector"],
    "electrolyte": ["ec_ratio_g_ah", "volume_ul", "density_g_cm3"],
    "packaging": ["laminate", "mass_g", "seal_width_mm"],
    "reported": ["wh_kg", "np_ratio", "bogus"],
}
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(0, 3), max_size=3),
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(sorted(_KEYS)),
        st.dictionaries(st.sampled_from(sorted({k for v in _KEYS.values() for k in v})), _VALUES),
    )
)
def test_random_manifests_fail_cleanly(data: dict) -> None:
    """Whatever the content, the loader returns a manifest or raises an ElyteError."""
    clean = {s: {k: v for k, v in d.items() if v is not None} for s, d in data.items()}
    message = ""
    try:
        manifest = parse_cell_manifest(clean, "fuzz.toml")
    except ElyteError as exc:
        message = str(exc)
    else:
        assert manifest.design.evaluate().metrics["wh_kg"] > 0
    assert message == "" or "fuzz.toml" in message
