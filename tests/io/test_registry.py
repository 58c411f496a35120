"""Finding readers: guessing, explicit formats, and the errors when nothing fits."""

from __future__ import annotations

from pathlib import Path

import pytest

import elyte
from elyte.errors import MissingFileError, ReaderError, UnknownFormatError
from elyte.io.registry import ReaderPlugin, available_readers, get_reader


def test_builtin_readers_are_registered() -> None:
    readers = available_readers()
    for name in (
        "biologic-mpr",
        "biologic-mpt",
        "neware",
        "landt",
        "arbin",
        "bdf",
        "csv",
        "gamry-dta",
        "zplot",
        "chi",
        "eis-text",
    ):
        assert name in readers
        assert isinstance(get_reader(name), ReaderPlugin)


def test_unknown_format_lists_installed_readers() -> None:
    with pytest.raises(UnknownFormatError, match=r"installed readers: .*biologic-mpr"):
        get_reader("nope")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MissingFileError, match="no such file"):
        elyte.read(tmp_path / "absent.mpr")
    with pytest.raises(FileNotFoundError):  # the builtin a user would catch
        elyte.read(tmp_path / "absent.mpr")


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(MissingFileError, match="not a regular file"):
        elyte.read(tmp_path)


def test_unrecognised_file_names_the_readers(tmp_path: Path) -> None:
    path = tmp_path / "notes.xyz"
    path.write_text("hello\n")
    with pytest.raises(UnknownFormatError, match="no installed reader recognises") as info:
        elyte.read(path)
    assert info.value.path == path
    assert "neware" in str(info.value)


def test_bad_reader_option_is_a_reader_error(tmp_path: Path) -> None:
    path = tmp_path / "a.bdf.csv"
    path.write_text("test_time_second,voltage_volt,current_ampere\n0,3.0,0.001\n")
    with pytest.raises(ReaderError, match="takes no options"):
        elyte.read(path, bogus=1)


def test_third_party_plugin_via_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plugin registered under the entry point group is found and listed."""
    import types
    from importlib.metadata import EntryPoint

    from elyte.io import registry

    plugin = types.ModuleType("fake_reader")
    plugin.name = "fake"  # type: ignore[attr-defined]
    plugin.description = "a fake reader"  # type: ignore[attr-defined]
    plugin.guess_can_open = lambda path: path.suffix == ".fake"  # type: ignore[attr-defined]
    plugin.read = lambda path, **kw: None  # type: ignore[attr-defined]
    ep = EntryPoint(name="fake", value="fake_reader", group=registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(ep.__class__, "load", lambda self: plugin)

    def fake_entry_points(group: str) -> list[EntryPoint]:
        return [ep] if group == registry.ENTRY_POINT_GROUP else []

    monkeypatch.setattr(registry, "entry_points", fake_entry_points)
    registry._plugins.cache_clear()
    try:
        assert available_readers()["fake"] == "a fake reader"
    finally:
        registry._plugins.cache_clear()
