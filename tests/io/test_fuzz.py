"""Mutated and truncated files: every reader fails with an ElyteError, fast, or reads.

Each reader plugin's ``read`` is called directly, *not* through ``elyte.read``: the registry
wraps stray exceptions into ``ReaderError`` as a last line of defence, and this test must
prove that the readers themselves never let an ``IndexError``, ``struct.error``,
``UnicodeDecodeError`` or a third-party exception escape.

Seeds are small real files from ../shared/data (skipped when absent) and files generated
here. Hypothesis truncates them, flips bytes, overwrites runs with zeros or 0xFF, and
splices. ``deadline`` bounds the time of a single read; the process' peak RSS growth over
the whole run bounds memory (a reader trusting a corrupted length field would allocate
gigabytes).
"""

from __future__ import annotations

import resource
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elyte.errors import ElyteError
from elyte.io.registry import get_reader
from elyte.recording import Recording
from tests.conftest import SHARED_DATA

_BDF = b"test_time_second,voltage_volt,current_ampere\n" + b"".join(
    f"{i * 10},{3.0 + i * 0.01:.4f},0.001\n".encode() for i in range(40)
)
_CSV = b"Time/s;Ewe/V;I/mA\n" + b"".join(
    f"{i};{3.0 + i * 0.01:.3f};1,5\n".encode() for i in range(40)
)


def _head(path: Path, lines: int) -> bytes:
    with path.open("rb") as handle:
        return b"".join(handle.readline() for _ in range(lines))


# (format, seed name, loader of the seed bytes or None when unavailable, reader options)
SEEDS: list[tuple[str, str, Callable[[], bytes | None], dict[str, object]]] = [
    ("bdf", "generated.bdf.csv", lambda: _BDF, {}),
    (
        "csv",
        "generated.csv",
        lambda: _CSV,
        {"columns": {"test_time_second": "Time/s", "voltage_volt": "Ewe/V"}},
    ),
]


def _real(fmt: str, *parts: str, lines: int | None = None) -> None:
    path = SHARED_DATA.joinpath(*parts)

    def load() -> bytes | None:
        if not path.exists():
            return None
        return _head(path, lines) if lines else path.read_bytes()

    SEEDS.append((fmt, parts[-1], load, {}))


_real("biologic-mpr", "biologic", "wait.mpr")
_real("biologic-mpr", "biologic", "peis.mpr")
_real("biologic-mpr", "biologic", "cp.mpr")
_real("biologic-mpt", "biologic", "peis.mpt")
_real("biologic-mpt", "biologic", "mb.issue_95.de.mpt")
_real("neware", "neware", "21_10_7_85.ndax")
_real("neware", "neware", "Unit27_Example_Corrupt.ndax")
_real("landt", "landt", "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv", lines=60)
_real("arbin", "arbin", "bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx")
_real("gamry-dta", "eis", "impedancepy_exampleDataGamry.DTA")
_real("zplot", "eis", "impedancepy_exampleDataZPlot.z")
_real("chi", "eis", "impedancepy_exampleDataCHInstruments.txt")
_real("eis-text", "eis", "impedancepy_exampleData.csv")
_real("eis-text", "eis", "pydrttools_LIB_data.txt")


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """Truncate, flip, overwrite or splice ``data``."""
    n = len(data)
    kind = draw(st.sampled_from(["truncate", "flip", "overwrite", "splice", "mixed"]))
    buf = bytearray(data)
    if kind in ("truncate", "mixed"):
        buf = buf[: draw(st.integers(0, max(n - 1, 0)))]
    if kind in ("flip", "mixed") and buf:
        for _ in range(draw(st.integers(1, 16))):
            i = draw(st.integers(0, len(buf) - 1))
            buf[i] = draw(st.integers(0, 255))
    if kind == "overwrite" and buf:
        start = draw(st.integers(0, len(buf) - 1))
        length = draw(st.integers(1, 64))
        fill = draw(st.sampled_from([0x00, 0xFF, 0x7F]))
        buf[start : start + length] = bytes([fill]) * len(buf[start : start + length])
    if kind == "splice" and buf:
        a = draw(st.integers(0, len(buf) - 1))
        b = draw(st.integers(a, len(buf)))
        buf = buf[:a] + buf[b:] + buf[a:b]
    return bytes(buf)


def _suffix(name: str) -> str:
    return "".join(Path(name).suffixes[-2:]) if name.endswith(".bdf.csv") else Path(name).suffix


def _check(fmt: str, name: str, blob: bytes, options: dict[str, object]) -> None:
    reader = get_reader(fmt)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{_suffix(name)}"
        path.write_bytes(blob)
        try:
            result = reader.read(path, **options)
        except ElyteError as exc:
            error: ElyteError | None = exc
        else:
            error = None
            assert isinstance(result, Recording)
        if error is not None:
            assert error.path is not None, f"{type(error).__name__} without a path: {error}"
        # guessing must never raise either
        reader.guess_can_open(path)


_IDS = [f"{s[0]}:{s[1]}" for s in SEEDS]


@pytest.mark.parametrize(("fmt", "name", "load", "options"), SEEDS, ids=_IDS)
def test_mutated_files_fail_cleanly(
    fmt: str, name: str, load: Callable[[], bytes | None], options: dict[str, object]
) -> None:
    _fuzz(fmt, name, load, options, examples=25)


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "name", "load", "options"), SEEDS, ids=_IDS)
def test_mutated_files_fail_cleanly_long(
    fmt: str, name: str, load: Callable[[], bytes | None], options: dict[str, object]
) -> None:
    _fuzz(fmt, name, load, options, examples=400)


def _fuzz(
    fmt: str,
    name: str,
    load: Callable[[], bytes | None],
    options: dict[str, object],
    *,
    examples: int,
) -> None:
    seed = load()
    if seed is None:
        pytest.skip(f"seed file {name} not available (../shared/data is absent)")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    @settings(
        max_examples=examples,
        deadline=5000,  # ms: no read of a corrupted small file may take longer
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        derandomize=True,
    )
    @given(blob=mutated(seed))
    def run(blob: bytes) -> None:
        _check(fmt, name, blob, options)

    run()
    _check(fmt, name, b"", options)  # the empty file
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert grown_mib < 1024, f"peak memory grew by {grown_mib:.0f} MiB while fuzzing {name}"
