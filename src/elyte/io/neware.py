"""Neware BTS binary files (``.nda``, ``.ndax``, zipped ``.nda``) through fastnda.

The bytes are decoded by `fastnda <https://github.com/EmpaEconversion/fastnda>`_ (BSD-3);
this module checks the container, calls fastnda's public :func:`fastnda.read` and maps its
columns to canonical ones in one :func:`~elyte.io._frame.canonicalise` call.

File kinds, recognised by their content (the extension only has to agree for guessing):

* ``.nda`` — starts with the ASCII magic ``NEWARE``; read by fastnda directly.
* ``.ndax`` — a zip archive holding ``data.ndc`` (plus ``data_runInfo.ndc``,
  ``data_step.ndc``, auxiliary ``data_AUX_*.ndc`` and XML headers). The archive is checked
  here (``data.ndc`` present, declared sizes plausible) before fastnda opens it; the test
  header (``TestInfo.xml``) and ``VersionInfo.xml`` are parsed here for the metadata.
* ``.nda.zip`` / ``.ndax.zip`` — a zip holding exactly one ``.nda`` (or ``.ndax``) file, as
  .nda files are often shared. fastnda only opens paths, so the member is streamed into a
  temporary folder (bounded memory) and removed after reading.

Column mapping (fastnda's ``columns="default"`` names → canonical; units are converted once,
by :func:`~elyte.io._frame.canonicalise`, from the unit suffix in fastnda's names):

* ``total_time_s`` → ``test_time_second``; ``step_time_s`` → ``step_time_second`` (s).
* ``unix_time_s`` → ``unix_time_second`` (s since 1970 UTC; for nda versions 1, 3 and 4
  fastnda derives it from the start time, which the notes say).
* ``voltage_V`` → ``voltage_volt`` (V).
* ``current_mA`` → ``current_ampere`` (mA → A). Neware already stores discharge current as
  negative, which is BDF's sign (positive = charging): no sign change.
* ``index`` → ``record_index``; ``cycle_count`` → ``cycle_count`` (see ``cycle_mode``);
  ``step_count`` → ``step_count`` (+1 at every executed step); ``step_index`` → ``step_id``
  (the step number in the program); ``step_type`` → ``step_type`` (fastnda's names:
  ``CC_Chg``, ``CC_DChg``, ``CCCV_Chg``, ``Rest``, ...).
* ``capacity_mAh`` / ``energy_mWh`` → extras ``step_net_capacity_ah`` / ``step_net_energy_wh``
  (mAh → Ah, mWh → Wh), from which the BDF capacity and energy columns are made (below).
* ``aux*_temperature_degC`` → ``temperature_t1_celsius`` ... ``t3`` in file order (noted,
  since where each sensor sat is unknown); further auxiliary channels stay as extras.

Capacity and energy: Neware counts them per step (the counter restarts at every step), and
fastnda returns one signed value per step — positive while charging, negative while
discharging. That value is kept (converted to Ah/Wh) as the extras ``step_net_capacity_ah``
/ ``step_net_energy_wh``; its positive part becomes ``step_charging_*`` and the magnitude of
its negative part ``step_discharging_*``. The BDF cumulative columns
(``charging_capacity_ah`` etc.) are the per-step value plus the final value of every earlier
step, with steps delimited by ``step_count`` (exact even where a step starts above the
previous step's final value, which plain drop detection would miss); ``net_capacity_ah``
and ``net_energy_wh`` are charging minus discharging. All of this is stated in the notes.

``cycle_mode`` (reader option, passed to fastnda): ``"raw"`` (default) keeps the cycle
counter stored in the file, which is what BDF means by "as the instrument counts it".
Neware's own BTSDA software does not always show that counter: in one of our reference files
BTSDA starts a new cycle at every charge that follows a discharge, which ``"chg"`` (fastnda's
own default) reproduces; ``"dchg"`` and ``"auto"`` are fastnda's other rules. Files without
a stored counter fall back to ``"auto"`` (fastnda says so; the message is in the notes).

Decisions on edge cases:

* A file with no data points (a test stopped before the first record, e.g. ``empty.ndax``
  from fastnda's test set) reads as an **empty recording**: zero rows with the canonical
  columns present and a note, not an error — the file is well formed, it just holds no
  records, and BTSDA exports it as an empty table too.
* A file whose headers are damaged but whose data are intact (``Unit27_Example_Corrupt``:
  an undecodable byte in ``TestInfo.xml``) reads; what fastnda could not use (there, the
  auxiliary channels, which cannot be matched to their sensors without that header) is
  reported in the notes, as are every warning and log message fastnda emits while reading.
* Everything else that goes wrong — not a Neware file, truncated or corrupted archives,
  unsupported format versions, any exception inside fastnda — becomes a
  :class:`~elyte.errors.ReaderError` naming the file.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import threading
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from xml.etree import ElementTree

import numpy as np
import polars as pl

from elyte.errors import ElyteError, ReaderError
from elyte.io._frame import Canonicalised, Rule, build_recording, canonicalise, normalise_key
from elyte.recording import Recording
from elyte.schema import canonical_order

__all__ = ["description", "guess_can_open", "name", "read"]

name = "neware"
description = "Neware BTS binary files (.nda, .ndax, .nda.zip) via fastnda"

_NDA_MAGIC = b"NEWARE"
_ZIP_MAGIC = b"PK\x03\x04"
_CYCLE_MODES = ("raw", "chg", "dchg", "auto")
#: Deflate cannot expand more than about 1032:1; beyond a generous total we require a
#: plausible ratio so that a zip bomb is refused before anything is decompressed.
_MAX_PLAIN_BYTES = 1 << 30
_MAX_RATIO = 200
_MAX_XML_BYTES = 4 << 20

_T = TypeVar("_T")

# fastnda quantity (its column name without the unit suffix) -> canonical column
_RULES: dict[str, Rule] = {
    "index": Rule("record_index"),
    "total_time": Rule("test_time_second"),
    "step_time": Rule("step_time_second"),
    "unix_time": Rule("unix_time_second"),
    "voltage": Rule("voltage_volt"),
    "current": Rule("current_ampere"),
    "cycle_count": Rule("cycle_count"),
    "step_count": Rule("step_count"),
    "step_index": Rule("step_id"),
    "step_type": Rule("step_type"),
}
_TEMPERATURE_TARGETS = (
    "temperature_t1_celsius",
    "temperature_t2_celsius",
    "temperature_t3_celsius",
)
_PLAIN_TEMPERATURE = re.compile(r"^aux\d*_temperature_degC$")
# fastnda suffixes elyte's unit table does not know; written as "name(unit)" so that the
# unit is recorded (and noted as unknown) instead of being read as part of the name
_UNKNOWN_SUFFIX = re.compile(r"^(aux\d*_.+)_(kg|mm|N)$")


# --------------------------------------------------------------------------- guessing
def guess_can_open(path: Path) -> bool:
    """Return True for ``.nda``/``.ndax``/``.nda.zip`` files with the matching magic bytes.

    Parameters
    ----------
    path : pathlib.Path
        Candidate file.

    Returns
    -------
    bool
        Whether the extension is a Neware one and the first bytes agree with it. Never
        raises: unreadable files are simply not claimed.
    """
    try:
        lower = Path(path).name.lower()
        with Path(path).open("rb") as handle:
            head = handle.read(len(_NDA_MAGIC))
    except (OSError, ValueError, TypeError):
        return False
    if lower.endswith(".nda"):
        return head == _NDA_MAGIC
    if lower.endswith((".ndax", ".nda.zip", ".ndax.zip")):
        return head[: len(_ZIP_MAGIC)] == _ZIP_MAGIC
    return False


# --------------------------------------------------------------------------- reading
def read(path: Path, *, cycle_mode: str = "raw") -> Recording:
    """Read a Neware ``.nda``, ``.ndax`` or zipped ``.nda`` file.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    cycle_mode : {"raw", "chg", "dchg", "auto"}, optional
        How ``cycle_count`` is made (passed to :func:`fastnda.read`): ``"raw"`` keeps the
        counter stored in the file (default); the others let fastnda number cycles from the
        step types (see the module docstring).

    Returns
    -------
    Recording
        Canonical columns in SI units (time s, voltage V, current A positive when charging,
        capacity Ah, energy Wh, temperature °C) plus fastnda's other columns as extras.

    Raises
    ------
    ReaderError
        If the file is not a Neware file, is damaged, or fastnda cannot decode it.
    """
    path = Path(path)
    if cycle_mode not in _CYCLE_MODES:
        raise ReaderError(
            f"cycle_mode must be one of {', '.join(_CYCLE_MODES)}, not {cycle_mode!r}",
            path=path,
        )
    with _Scratch() as tmp:
        source = _prepare(path, tmp, depth=0)
        frame, notes = _fastnda_call(
            lambda: _read_frame(source.fastnda_path, cycle_mode), path=path
        )
        meta = _metadata(source, path)
    notes = source.notes + notes + meta.notes
    return _to_recording(frame, path=path, meta=meta, cycle_mode=cycle_mode, notes=notes)


def _read_frame(file: Path, cycle_mode: str) -> pl.DataFrame:
    import fastnda

    frame = fastnda.read(file, cycle_mode=cycle_mode)
    if not isinstance(frame, pl.DataFrame):
        raise TypeError(f"fastnda returned {type(frame).__name__}, not a polars DataFrame")
    return frame


# --------------------------------------------------------------------------- containers
class _Scratch:
    """A temporary folder that is only created when something has to be unpacked."""

    def __init__(self) -> None:
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def folder(self) -> Path:
        if self._folder is None:
            # ignore_cleanup_errors: on Windows a file fastnda memory-mapped cannot be
            # deleted while the map lives; the OS removes the temporary folder later
            self._folder = tempfile.TemporaryDirectory(
                prefix="elyte-neware-", ignore_cleanup_errors=True
            )
        return Path(self._folder.name)

    def __enter__(self) -> _Scratch:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None


@dataclass
class _Source:
    """What the container check found: the kind of file and where fastnda should read it."""

    kind: str  # "nda" or "ndax"
    fastnda_path: Path
    zipped: bool = False
    inner_name: str | None = None
    xml: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _prepare(path: Path, tmp: _Scratch, *, depth: int) -> _Source:
    """Identify the file by its content and make it readable for fastnda (by suffix)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ReaderError(f"cannot open the file ({exc.strerror or exc})", path=path) from exc
    if head.startswith(_NDA_MAGIC):
        return _Source("nda", _with_suffix(path, ".nda", tmp))
    if not head.startswith(_ZIP_MAGIC):
        raise ReaderError(
            "not a Neware file: it starts with neither 'NEWARE' (.nda) nor a zip header "
            f"(.ndax); first bytes {head[:8]!r}",
            path=path,
            offset=0,
        )
    try:
        with zipfile.ZipFile(path) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            _check_sizes(path, infos.values())
            if "data.ndc" in infos:
                notes: list[str] = []
                xml = _read_xml_members(archive, infos, notes)
                return _Source("ndax", _with_suffix(path, ".ndax", tmp), xml=xml, notes=notes)
            inner = [
                info
                for info in infos.values()
                if not info.is_dir() and info.filename.lower().endswith((".nda", ".ndax"))
            ]
            if depth > 0 or len(inner) != 1:
                raise ReaderError(
                    "zip archive is neither a Neware .ndax (no data.ndc inside) nor a zipped "
                    f".nda/.ndax (it holds {len(inner)} such files; exactly one is needed)",
                    path=path,
                )
            member = inner[0]
            suffix = ".ndax" if member.filename.lower().endswith(".ndax") else ".nda"
            target = tmp.folder() / f"unzipped{suffix}"
            with archive.open(member) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    except ElyteError:
        raise
    except Exception as exc:  # zipfile raises BadZipFile, zlib/isal errors, struct.error, ...
        raise ReaderError(
            f"damaged zip container ({type(exc).__name__}: {exc})", path=path
        ) from exc
    try:
        source = _prepare(target, tmp, depth=depth + 1)
    except ReaderError as exc:
        raise ReaderError(f"inside the zip, {member.filename!r}: {exc.message}", path=path) from exc
    source.zipped = True
    source.inner_name = member.filename
    source.notes.append(
        f"read {member.filename!r} from the zip archive (unpacked to a temporary file)"
    )
    return source


def _check_sizes(path: Path, infos: Any) -> None:
    """Refuse archives whose declared sizes cannot be real (zip bombs, forged headers)."""
    packed = max(path.stat().st_size, 1)
    plain = 0
    for info in infos:
        if info.file_size < 0 or info.compress_size < 0:
            raise ReaderError(f"zip member {info.filename!r} declares a negative size", path=path)
        plain += info.file_size
    if plain > _MAX_PLAIN_BYTES and plain > _MAX_RATIO * packed:
        raise ReaderError(
            f"zip members declare {plain} bytes unpacked from a {packed}-byte file "
            f"(ratio above {_MAX_RATIO}); refusing to decompress",
            path=path,
        )


def _read_xml_members(
    archive: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], notes: list[str]
) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for member in ("TestInfo.xml", "VersionInfo.xml", "NdaxConfig.xml"):
        info = infos.get(member)
        if info is None:
            continue
        if info.file_size > _MAX_XML_BYTES:
            notes.append(f"{member} declares {info.file_size} bytes; too large, not used")
            continue
        try:
            out[member] = archive.read(info)
        except Exception as exc:  # a damaged header costs the metadata, not the data
            notes.append(f"{member} in the archive is damaged ({type(exc).__name__}); not used")
    return out


def _with_suffix(path: Path, suffix: str, tmp: _Scratch) -> Path:
    """Path fastnda will decode: it picks its decoder by extension, so copy on mismatch."""
    if path.suffix.lower() == suffix:
        return path
    folder = tmp.folder()
    target = folder / f"copy{len(list(folder.iterdir()))}{suffix}"
    try:
        shutil.copyfile(path, target)
    except OSError as exc:
        raise ReaderError(f"cannot copy the file for fastnda ({exc})", path=path) from exc
    return target


# --------------------------------------------------------------------------- fastnda edge
class _Collect(logging.Handler):
    """Keep fastnda's log records from the reading thread (they become notes)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread is not None and record.thread != self.thread:
            return
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text += f" ({type(exc).__name__}: {exc})"
        self.messages.append(text)


@contextmanager
def _captured_fastnda_messages() -> Iterator[list[str]]:
    logger = logging.getLogger("fastnda")
    handler = _Collect()
    logger.addHandler(handler)
    messages: list[str] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield messages
    finally:
        logger.removeHandler(handler)
    seen: set[str] = set()
    for text in [str(w.message) for w in caught] + handler.messages:
        for line in text.splitlines():
            line = line.strip()
            if line and line not in seen:
                seen.add(line)
                messages.append(f"fastnda reported: {line}")


def _fastnda_call(func: Callable[[], _T], *, path: Path) -> tuple[_T, list[str]]:
    """Run a fastnda call; its exceptions become ReaderError, its messages notes."""
    try:
        with _captured_fastnda_messages() as messages:
            result = func()
    except ElyteError:
        raise
    except MemoryError as exc:
        raise ReaderError("file too large to decode in memory", path=path) from exc
    except Exception as exc:  # fastnda raises ValueError, EOFError, KeyError, zlib.error, ...
        raise ReaderError(
            f"fastnda could not decode this Neware file ({type(exc).__name__}: {exc})",
            path=path,
        ) from exc
    return result, messages


# --------------------------------------------------------------------------- metadata
@dataclass
class _Meta:
    channel: str | None = None
    start_time: datetime | None = None
    vendor: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _metadata(source: _Source, path: Path) -> _Meta:
    meta = _Meta()
    try:
        import fastnda

        meta.vendor["fastnda_version"] = str(fastnda.__version__)
    except Exception:  # the version string is a courtesy, never a reason to fail
        pass
    if source.zipped:
        meta.vendor["zip_member"] = source.inner_name
    if source.kind == "ndax":
        _ndax_metadata(source, meta)
    else:
        _nda_metadata(source, path, meta)
    return meta


def _parse_xml(raw: bytes) -> ElementTree.Element | None:
    """Parse a Neware XML header; they declare GB2312, which expat cannot decode itself."""
    for encoding in ("gb18030", "utf-8"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = raw.decode("gb18030", errors="replace")
    text = re.sub(r"^\ufeff?\s*<\?xml[^>]*\?>", "", text, count=1)
    try:
        return ElementTree.fromstring(text)
    except Exception:  # ParseError, or anything expat makes of a damaged header
        return None


def _ndax_metadata(source: _Source, meta: _Meta) -> None:
    meta.vendor["file_kind"] = "ndax"
    for member, raw in source.xml.items():
        root = _parse_xml(raw)
        if root is None:
            meta.notes.append(f"{member} in the archive is not well-formed XML; not used")
            continue
        config = root.find("config")
        if config is None:
            continue
        stem = member.removesuffix(".xml")
        if member == "TestInfo.xml":
            info = config.find("TestInfo")
            if info is None:
                continue
            for key, value in info.attrib.items():
                meta.vendor[f"TestInfo.{key}"] = value
            for child in info:
                for key, value in child.attrib.items():
                    meta.vendor[f"TestInfo.{child.tag}.{key}"] = value
            parts = [info.attrib.get(k) for k in ("DevID", "UnitID", "ChlID")]
            if all(parts):
                meta.channel = "-".join(str(p) for p in parts)
            start = info.attrib.get("StartTime")
            if start:
                meta.start_time = _parse_time(start)
                if meta.start_time is None:
                    meta.notes.append(f"TestInfo.xml StartTime {start!r} is not a date; ignored")
        else:
            for key, value in config.attrib.items():
                meta.vendor[f"{stem}.{key}"] = value
            for child in config:
                for key, value in child.attrib.items():
                    meta.vendor[f"{stem}.{child.tag}.{key}"] = value
    if "TestInfo.xml" not in source.xml:
        meta.notes.append("the archive has no TestInfo.xml: channel and start time unknown")


def _nda_metadata(source: _Source, path: Path, meta: _Meta) -> None:
    import fastnda

    meta.vendor["file_kind"] = "nda"
    try:
        info, messages = _fastnda_call(
            lambda: fastnda.read_metadata(source.fastnda_path), path=path
        )
    except ReaderError as exc:
        meta.notes.append(f"the .nda header could not be read for metadata: {exc.message}")
        return
    meta.notes.extend(messages)
    for key, value in dict(info).items():
        if str(key).startswith("UNKNOWN") or value in ("", None):
            continue
        if isinstance(value, str | int | float):
            meta.vendor[str(key)] = value
    version = info.get("nda_version")
    if version in (1, 3, 4):
        meta.notes.append(
            f"nda version {version} stores no clock time per record: fastnda derived "
            "unix_time_second from the test start time plus the test time, reading the start "
            "time as UTC"
        )
    start = info.get("start_time")
    if isinstance(start, str) and start:
        meta.start_time = _parse_time(start)


def _parse_time(text: str) -> datetime | None:
    text = text.strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for fmt in ("%Y.%m.%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


# --------------------------------------------------------------------------- mapping
def _to_recording(
    frame: pl.DataFrame,
    *,
    path: Path,
    meta: _Meta,
    cycle_mode: str,
    notes: list[str],
) -> Recording:
    notes = list(notes)
    rules = dict(_RULES)
    renames: dict[str, str] = {
        c: f"step_net_{c}" for c in ("capacity_mAh", "energy_mWh") if c in frame.columns
    }
    temperatures = [c for c in frame.columns if _PLAIN_TEMPERATURE.match(c)]
    for column, target in zip(temperatures, _TEMPERATURE_TARGETS, strict=False):
        rules[normalise_key(column)] = Rule(target)
        notes.append(f"auxiliary channel {column!r} read as {target} (sensor placement unknown)")
    for column in frame.columns:
        match = _UNKNOWN_SUFFIX.match(column)
        if match:
            renames[column] = f"{match.group(1)}({match.group(2)})"
    if renames:
        frame = frame.rename(renames)
    # the one place where units are converted (mA -> A, mAh -> Ah, mWh -> Wh)
    canon = canonicalise(frame, rules, path=path)
    out = canon.frame
    units = dict(canon.units)

    # Neware's per-step signed values -> BDF step, cumulative and net columns (two passes:
    # eager polars without common-subexpression elimination is faster than one lazy plan)
    split: list[pl.Expr] = []
    totals: list[pl.Expr] = []
    step_ends = "__elyte_step_ends"  # temporary: last row of each step

    def running(column: str) -> pl.Expr:
        value = pl.col(column)
        carried = pl.when(pl.col(step_ends)).then(value).otherwise(0.0).cum_sum()
        return value + carried.shift(1, fill_value=0.0)

    for quantity, unit in (("capacity", "ah"), ("energy", "wh")):
        signed_name = f"step_net_{quantity}_{unit}"
        if signed_name not in out.columns:
            continue
        signed = pl.col(signed_name)
        symbol = units[signed_name]
        split += [
            pl.when(signed > 0.0)
            .then(signed)
            .otherwise(0.0)
            .alias(f"step_charging_{quantity}_{unit}"),
            pl.when(signed < 0.0)
            .then(-signed)
            .otherwise(0.0)
            .alias(f"step_discharging_{quantity}_{unit}"),
        ]
        units[f"step_charging_{quantity}_{unit}"] = symbol
        units[f"step_discharging_{quantity}_{unit}"] = symbol
        if "step_count" not in out.columns:
            continue
        for direction in ("charging", "discharging"):
            totals.append(
                running(f"step_{direction}_{quantity}_{unit}").alias(
                    f"{direction}_{quantity}_{unit}"
                )
            )
            units[f"{direction}_{quantity}_{unit}"] = symbol
        totals.append(running(signed_name).alias(f"net_{quantity}_{unit}"))
        units[f"net_{quantity}_{unit}"] = symbol
    if split:
        if totals:
            ends = pl.col("step_count") != pl.col("step_count").shift(-1)
            split.append(ends.fill_null(True).alias(step_ends))
            out = out.with_columns(split).with_columns(totals)
        else:
            out = out.with_columns(split)
        out = out.select(canonical_order([c for c in out.columns if c != step_ends]))
        notes.append(
            "fastnda gives one signed capacity/energy per step (positive charging, negative "
            "discharging); its positive part is the step charging value and the magnitude of "
            "its negative part the step discharging value"
        )
        if totals:
            notes.append(
                "Neware counts capacity and energy per step; the cumulative BDF columns add "
                "the final value of every earlier step (steps delimited by step_count), and the "
                "net columns are charging minus discharging"
            )
        if _current_reverses_within_a_step(out):
            notes.append(
                "the current changes sign inside at least one step; there the signed "
                "per-step value is the net of charge and discharge, so the charging and "
                "discharging columns hold that net only"
            )
    notes.append(f"cycle_count from fastnda with cycle_mode={cycle_mode!r}")
    if out.height == 0:
        notes.append("the file holds no data points: the recording has no rows")
    vendor = dict(meta.vendor)
    vendor["cycle_mode"] = cycle_mode
    return build_recording(
        Canonicalised(out, canon.column_map, units, canon.notes),
        path=path,
        instrument="Neware",
        format=name,
        channel=meta.channel,
        start_time=meta.start_time,
        notes=notes,
        vendor=vendor,
    )


def _current_reverses_within_a_step(frame: pl.DataFrame) -> bool:
    """Whether the current changes sign between two rows of the same step."""
    if frame.height < 2 or not {"current_ampere", "step_count"} <= set(frame.columns):
        return False
    sign = np.sign(frame["current_ampere"].to_numpy())
    step = frame["step_count"].to_numpy()
    flips = (sign[1:] * sign[:-1] < 0) & (step[1:] == step[:-1])
    return bool(flips.any())
