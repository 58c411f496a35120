"""The exception hierarchy: every ElyteError is also the builtin a user would catch."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from elyte.errors import (
    ColumnMappingError,
    ElyteError,
    ExportError,
    MissingDependencyError,
    MissingFileError,
    ReaderError,
    UnknownFormatError,
)


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (ReaderError, ValueError),
        (UnknownFormatError, ValueError),
        (ColumnMappingError, KeyError),
        (MissingFileError, FileNotFoundError),
        (ExportError, OSError),
        (MissingDependencyError, ImportError),
    ],
)
def test_subclasses_inherit_builtin(cls: type[ElyteError], builtin: type[Exception]) -> None:
    err = cls("bad thing", path="x.mpr")
    assert isinstance(err, ElyteError)
    assert isinstance(err, builtin)


def test_message_names_path_and_offset() -> None:
    err = ReaderError("column table truncated", path=Path("cell.mpr"), offset=1234)
    assert str(err) == "cell.mpr (byte 1234): column table truncated"
    assert err.path == Path("cell.mpr")
    assert err.offset == 1234


def test_message_without_path() -> None:
    assert str(ReaderError("oops")) == "oops"


def test_column_mapping_error_is_not_quoted_like_keyerror() -> None:
    assert str(ColumnMappingError("no column 'x'", path="a.csv")) == "a.csv: no column 'x'"


def test_pickle_round_trip_keeps_fields() -> None:
    err = ReaderError("broken", path="f.nda", offset=7)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is ReaderError
    assert (back.path, back.offset, back.message) == (Path("f.nda"), 7, "broken")
