"""Tests of the fast paths shared by the BioLogic readers.

The readers compute their derived columns (cycle number, Q charge/discharge, average
current, cumulative capacities and energies) with numpy when the inputs allow it, and with
polars expressions otherwise. The polars expressions are the reference: every test here
checks that the fast way gives the same bits as the reference way (or as ``hashlib`` for the
provenance hash, or as the one-piece read for the block-wise and from-disk reads), on
constructed edge values and on the real files in ``../shared/data/biologic``.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from elyte.errors import ReaderError
from elyte.io import biologic_common, biologic_mpr, biologic_mpt
from elyte.io.biologic_common import _Derived, _evaluate, _numpy_inputs, sha256_soon
from elyte.recording import Recording
from tests.conftest import SHARED_DATA, shared_file
from tests.io.test_biologic_mpr import build_mpr, write
from tests.io.test_biologic_mpt import gcpl_text

_FOLDER = SHARED_DATA / "biologic"
REAL_FILES = sorted(p.name for p in _FOLDER.glob("*.mp[rt]")) if _FOLDER.is_dir() else ["ca.mpr"]


def assert_identical(ours: pl.Series, reference: pl.Series) -> None:
    """Assert same name, dtype, nulls and values; floats bit for bit (-0.0, NaN, inf)."""
    assert ours.name == reference.name
    assert ours.dtype == reference.dtype, ours.name
    assert ours.is_null().to_list() == reference.is_null().to_list(), ours.name
    if ours.dtype == pl.Float64:
        a = ours.fill_null(0.0).to_numpy().view(np.int64)
        b = reference.fill_null(0.0).to_numpy().view(np.int64)
        bad = np.flatnonzero(a != b)
        assert bad.size == 0, (
            f"{ours.name}: rows {bad[:5]}: {ours[bad[:5]]} != {reference[bad[:5]]}"
        )
    else:
        assert ours.to_list() == reference.to_list(), ours.name


def assert_same_recording(ours: Recording, reference: Recording) -> None:
    assert ours.data.columns == reference.data.columns
    for name in ours.data.columns:
        assert_identical(ours.data.get_column(name), reference.data.get_column(name))
    assert ours.meta == reference.meta


# ---------------------------------------------------------------------------------------
# numpy evaluation == polars expressions, on constructed edge values
# ---------------------------------------------------------------------------------------

# Charges, times and voltages with what real files have (restarts, pauses, steps back in
# time, -0.0) plus values whose differences and sums overflow to infinity.
CHARGE = [0.0, -0.0, 0.5, 1.5, 1.5, 0.25, -2.0, -2.0, 3.0, 1.7e308, -1.7e308, 0.0]
TIME = [0.0, 1.0, 2.0, 2.0, 3.0, 2.5, 4.0, 5.0, 6.0, 7.0, 8.0, 1.7e308]
VOLTAGE = [3.0, 3.1, -0.0, 3.3, 3.4, 3.5, 3.6, 3.7, 1e300, 3.9, 4.0, 4.1]
GROUP = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]


def columns(n: int, *, first_charge: float = 0.0) -> dict[str, pl.Series]:
    charge = [first_charge, *CHARGE[1:]][:n]
    return {
        "q": pl.Series("q", charge, dtype=pl.Float64),
        "t": pl.Series("t", TIME[:n], dtype=pl.Float64),
        "v": pl.Series("v", VOLTAGE[:n], dtype=pl.Float64),
        "g": pl.Series("g", GROUP[:n], dtype=pl.Int64),
        "h": pl.Series("h", [7, -3, 0, 1, 2, 5, 9, 11, 4, 0, 1, 2][:n], dtype=pl.Int64),
    }


DERIVED = [
    _Derived("x", "scaled", ("q",), 1 / 3.6),
    _Derived("x", "half_cycle_to_cycle", ("h",)),
    _Derived("x", "positive_part", ("q",)),
    _Derived("x", "negative_part", ("q",)),
    _Derived("x", "average_current", ("q", "t")),
    _Derived("x", "counter_total", ("q",)),
    _Derived("x", "counter_total", ("q", "g")),
    _Derived("x", "positive_increments", ("q",)),
    _Derived("x", "negative_increments", ("q",)),
    _Derived("x", "charging_energy", ("q", "v")),
    _Derived("x", "discharging_energy", ("q", "v")),
]


@pytest.mark.parametrize("derived", DERIVED, ids=lambda d: f"{d.kind}{len(d.inputs)}")
@pytest.mark.parametrize("n", [0, 1, 2, 5, len(CHARGE)])
@pytest.mark.parametrize("first_charge", [0.0, 0.25])
def test_numpy_evaluation_is_bit_identical_to_polars(
    derived: _Derived, n: int, first_charge: float
) -> None:
    """Reference: the same column computed by the polars expressions."""
    cols = columns(n, first_charge=first_charge)
    assert _numpy_inputs([derived], cols) is not None  # the fast path is what is tested
    (ours,) = _evaluate([derived], cols)
    (reference,) = _evaluate([derived], cols, reference=True)
    assert_identical(ours, reference)


def test_chained_derivations_use_values_computed_in_the_same_pass() -> None:
    """Reference: polars, where the second column reads the first one's expression."""
    cols = columns(len(CHARGE))
    chain = [
        _Derived("q mah", "scaled", ("q",), 1 / 3.6),
        _Derived("pos", "positive_part", ("q mah",)),
        _Derived("neg", "negative_part", ("q mah",)),
    ]
    ours = _evaluate(chain, cols)
    reference = _evaluate(chain, cols, reference=True)
    for a, b in zip(ours, reference, strict=True):
        assert_identical(a, b)


def test_average_current_is_empty_where_time_does_not_advance() -> None:
    """Analytic: <I> = dq * 3600 / dt where dt > 0; 0 on a first row without charge."""
    cols = columns(6)
    (current,) = _evaluate([DERIVED[4]], cols)
    # rows: first (dq = 0), dt = 1, dt = 1, dt = 0, dt = 1, dt = -0.5
    assert current.to_list() == [0.0, -0.0 * 3600.0, 0.5 * 3600.0, None, 1.5 * 3600.0, None]


@pytest.mark.parametrize(
    ("series", "usable"),
    [
        (pl.Series("q", [1.0, 2.0]), True),
        (pl.Series("q", [1, 2], dtype=pl.Int32), True),
        (pl.Series("q", [1.0, None]), False),
        (pl.Series("q", [1.0, math.nan]), False),
        (pl.Series("q", [1.0, math.inf]), False),
        (pl.Series("q", [1.0, 2.0], dtype=pl.Float32), False),
        (pl.Series("q", [1, 2], dtype=pl.UInt64), False),
        (pl.Series("q", ["1", "2"]), False),
    ],
)
def test_fast_path_only_for_plain_number_columns(series: pl.Series, usable: bool) -> None:
    """Analytic: nulls, NaN, infinities and exotic types go to the polars expressions."""
    assert (_numpy_inputs([DERIVED[2]], {"q": series}) is not None) is usable


def test_integer_inputs_must_be_integers_for_the_fast_path() -> None:
    """Analytic: a half cycle or group label read as float goes to polars."""
    as_float = {"h": pl.Series("h", [1.0, 2.0])}
    assert _numpy_inputs([DERIVED[1]], as_float) is None


# ---------------------------------------------------------------------------------------
# Whole readers: fast paths against the reference paths
# ---------------------------------------------------------------------------------------


def test_constructed_mpr_reads_the_same_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reference: the same file read with polars expressions and one block of rows."""
    path = write(tmp_path, build_mpr())
    ours = biologic_mpr.read(path)
    monkeypatch.setattr(biologic_common, "_USE_NUMPY", False)
    monkeypatch.setattr(biologic_mpr, "_ROWS_PER_BLOCK", 2)  # 5 rows: blocks of 2, 2, 1
    assert_same_recording(ours, biologic_mpr.read(path))


def test_constructed_mpt_reads_the_same_from_memory_and_from_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reference: the same export left to polars on disk, hashed from disk, no numpy."""
    path = tmp_path / "gcpl.mpt"
    path.write_bytes(gcpl_text())
    ours = biologic_mpt.read(path)
    monkeypatch.setattr(biologic_common, "_USE_NUMPY", False)
    monkeypatch.setattr(biologic_mpt, "_WHOLE_FILE_BYTES", 0)
    assert_same_recording(ours, biologic_mpt.read(path))
    assert ours.meta.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.realdata
@pytest.mark.parametrize("filename", REAL_FILES)
def test_real_file_reads_the_same_both_ways(filename: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reference: polars expressions, rows decoded in small blocks, text read from disk."""
    path = shared_file("biologic", filename)
    reader = biologic_mpr if path.suffix == ".mpr" else biologic_mpt
    ours = reader.read(path)
    monkeypatch.setattr(biologic_common, "_USE_NUMPY", False)
    monkeypatch.setattr(biologic_mpr, "_ROWS_PER_BLOCK", 1000)
    monkeypatch.setattr(biologic_mpt, "_WHOLE_FILE_BYTES", 0)
    assert_same_recording(ours, reader.read(path))


# ---------------------------------------------------------------------------------------
# Provenance hash
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 10, (1 << 20) - 1, 3 << 20])
def test_sha256_soon_equals_hashlib(tmp_path: Path, size: int) -> None:
    """Reference: hashlib.sha256 of the same bytes (inline below 1 MB, on a thread above)."""
    data = np.random.default_rng(size).integers(0, 256, size, dtype=np.uint8).tobytes()
    path = tmp_path / "data.bin"
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert sha256_soon(data)() == expected
    assert sha256_soon(path)() == expected
    assert sha256_soon(path, size=size)() == expected


def test_sha256_soon_turns_io_errors_into_reader_errors(tmp_path: Path) -> None:
    """Analytic: a missing file, and a folder handed to the helper thread."""
    with pytest.raises(ReaderError, match="cannot read file"):
        sha256_soon(tmp_path / "missing.mpt")
    wait = sha256_soon(tmp_path, size=10 << 20)  # large enough for the thread
    with pytest.raises(ReaderError, match="cannot read file"):
        wait()
