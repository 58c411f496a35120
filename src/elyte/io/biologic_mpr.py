"""Reader plugin: BioLogic EC-Lab binary raw data (``.mpr``), written from the format facts.

BioLogic does not publish the format; the facts below were established by the open-source
community (galvani, yadg) and checked here byte by byte against EC-Lab's own text exports
of the same runs. The code is our own.

File layout (all integers little-endian):

* 52-byte file magic: ``BIO-LOGIC MODULAR FILE``, byte 0x1A, spaces to 48 bytes, 4 zero
  bytes;
* a sequence of modules, each starting with ``MODULE`` and a header: short name (10 bytes,
  ``"VMP Set"``, ``"VMP data"``, ``"VMP LOG"``, ``"VMP loop"``, ``"VMP ExtDev"``), long name
  (25 bytes), then either ``length u4, version u4, date 8 bytes`` (up to EC-Lab 11.4x) or,
  in newer files, ``0xFFFFFFFF u4, length u4, version u4, sub-version u4, date 8 bytes``.
  ``length`` bytes of module data follow the header.
* ``VMP Set``: the technique's settings; byte 0 is the technique ID (4 = GCPL, 0x7F = MB,
  ...), a Pascal string at 0x07 holds the comments.
* ``VMP data``: ``n_points u4``, then the number of columns (``u1`` at 4 with ``u2`` IDs from
  byte 5 in data-module versions 2 and 3; ``u2`` at 4 with ``u2`` IDs from byte 6 in the new
  header layout; ``u1`` IDs in the old version 0), then zero padding, then ``n_points``
  fixed-size records starting at byte 405 (version 2), 406 (version 3), 1007 (new layout)
  or 100 (version 0). A record holds one value per column ID in ID order, except that all
  flag IDs (1, 2, 3, 21, 31, 65) share one byte, placed at the first flag ID.
* ``VMP LOG``: channel (zero-based, byte 0x09), channel serial number (``u2`` at 0xAB),
  the acquisition start as an OLE automation date (``f8`` days since 1899-12-30 at 0x249),
  and Pascal strings: file name (0x251), host (0x351), address (0x384), EC-Lab version
  (0x3B7).
* ``VMP loop``: ``n u4`` then ``n`` row indices (``u4``) where loops start.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from elyte.errors import ReaderError
from elyte.io.biologic_common import build_biologic_recording, sha256_soon
from elyte.recording import Recording

__all__ = [
    "COLUMN_IDS",
    "FLAG_IDS",
    "TECHNIQUE_IDS",
    "description",
    "guess_can_open",
    "name",
    "read",
]

name = "biologic-mpr"
description = "BioLogic EC-Lab binary raw data (.mpr)"

_MAGIC_TEXT = b"BIO-LOGIC MODULAR FILE"
_MAGIC = (_MAGIC_TEXT + b"\x1a").ljust(48, b" ") + b"\x00\x00\x00\x00"
_HEADER_OLD = 10 + 25 + 4 + 4 + 8
_HEADER_NEW = 10 + 25 + 4 + 4 + 4 + 4 + 8

#: Flag column ID → (EC-Lab name, bit mask in the shared flag byte).
FLAG_IDS: dict[int, tuple[str, int]] = {
    1: ("mode", 0x03),
    2: ("ox/red", 0x04),
    3: ("error", 0x08),
    21: ("control changes", 0x10),
    31: ("Ns changes", 0x20),
    65: ("counter inc.", 0x80),
}

#: Data column ID → (EC-Lab column name, numpy dtype). IDs marked "twin" were checked
#: value by value against EC-Lab's text export of the same run (../shared/data/biologic);
#: the others come from the community's reverse engineering and are unverified here.
COLUMN_IDS: dict[int, tuple[str, str]] = {
    4: ("time/s", "<f8"),  # twin
    5: ("control/V/mA", "<f4"),  # twin
    6: ("Ewe/V", "<f4"),  # twin
    7: ("dq/mA.h", "<f8"),  # twin
    8: ("I/mA", "<f4"),  # twin
    9: ("Ece/V", "<f4"),  # twin
    11: ("<I>/mA", "<f8"),  # twin
    13: ("(Q-Qo)/mA.h", "<f8"),  # twin
    16: ("Analog IN 1/V", "<f4"),
    17: ("Analog IN 2/V", "<f4"),
    19: ("control/V", "<f4"),  # twin
    20: ("control/mA", "<f4"),  # twin
    23: ("dQ/mA.h", "<f8"),
    24: ("cycle number", "<f8"),  # twin
    32: ("freq/Hz", "<f4"),  # twin
    33: ("|Ewe|/V", "<f4"),  # twin
    34: ("|I|/A", "<f4"),  # twin
    35: ("Phase(Z)/deg", "<f4"),  # twin
    36: ("|Z|/Ohm", "<f4"),  # twin
    37: ("Re(Z)/Ohm", "<f4"),  # twin
    38: ("-Im(Z)/Ohm", "<f4"),  # twin
    39: ("I Range", "<u2"),  # twin
    69: ("R/Ohm", "<f4"),
    70: ("P/W", "<f4"),  # twin
    74: ("|Energy|/W.h", "<f8"),  # twin
    75: ("Analog OUT/V", "<f4"),
    76: ("<I>/mA", "<f4"),  # twin
    77: ("<Ewe>/V", "<f4"),  # twin
    78: ("Cs-2/µF-2", "<f4"),
    96: ("|Ece|/V", "<f4"),  # twin
    98: ("Phase(Zce)/deg", "<f4"),  # twin
    99: ("|Zce|/Ohm", "<f4"),  # twin
    100: ("Re(Zce)/Ohm", "<f4"),  # twin
    101: ("-Im(Zce)/Ohm", "<f4"),  # twin
    123: ("Energy charge/W.h", "<f8"),  # twin
    124: ("Energy discharge/W.h", "<f8"),  # twin
    125: ("Capacitance charge/µF", "<f8"),  # twin
    126: ("Capacitance discharge/µF", "<f8"),  # twin
    131: ("Ns", "<u2"),  # twin
    163: ("|Estack|/V", "<f4"),
    168: ("Rcmp/Ohm", "<f4"),
    169: ("Cs/µF", "<f4"),  # twin
    172: ("Cp/µF", "<f4"),  # twin
    173: ("Cp-2/µF-2", "<f4"),
    174: ("<Ewe>/V", "<f4"),  # twin
    178: ("(Q-Qo)/C", "<f4"),
    179: ("dQ/C", "<f4"),
    182: ("step time/s", "<f8"),
    211: ("Q charge/discharge/C", "<f8"),
    217: ("THD Ewe/%", "<f4"),
    241: ("|E1|/V", "<f4"),
    242: ("|E2|/V", "<f4"),
    271: ("Phase(Z1)/deg", "<f4"),
    272: ("Phase(Z2)/deg", "<f4"),
    295: ("I Range", "<u2"),
    301: ("|Z1|/Ohm", "<f4"),
    302: ("|Z2|/Ohm", "<f4"),
    326: ("P/W", "<f4"),
    331: ("Re(Z1)/Ohm", "<f4"),
    332: ("Re(Z2)/Ohm", "<f4"),
    361: ("-Im(Z1)/Ohm", "<f4"),
    362: ("-Im(Z2)/Ohm", "<f4"),
    379: ("Energy charge/W.h", "<f8"),
    391: ("<E1>/V", "<f4"),
    392: ("<E2>/V", "<f4"),
    422: ("Phase(Zstack)/deg", "<f4"),
    423: ("|Zstack|/Ohm", "<f4"),
    424: ("Re(Zstack)/Ohm", "<f4"),
    425: ("-Im(Zstack)/Ohm", "<f4"),
    426: ("<Estack>/V", "<f4"),
    430: ("Phase(Zwe-ce)/deg", "<f4"),  # twin
    431: ("|Zwe-ce|/Ohm", "<f4"),  # twin
    432: ("Re(Zwe-ce)/Ohm", "<f4"),  # twin
    433: ("-Im(Zwe-ce)/Ohm", "<f4"),  # twin
    434: ("(Q-Qo)/C", "<f4"),  # twin
    435: ("dQ/C", "<f4"),  # twin
    441: ("<Ece>/V", "<f4"),  # twin
    462: ("Temperature/°C", "<f4"),
    467: ("Q charge/discharge/mA.h", "<f8"),  # twin
    468: ("half cycle", "<u4"),  # twin
    469: ("z cycle", "<u4"),
    471: ("<Ece>/V", "<f4"),  # twin
    473: ("THD Ewe/%", "<f4"),  # twin
    474: ("THD I/%", "<f4"),  # twin
    475: ("THD Ece/%", "<f4"),
    476: ("NSD Ewe/%", "<f4"),  # twin
    477: ("NSD I/%", "<f4"),  # twin
    478: ("NSD Ece/%", "<f4"),
    479: ("NSR Ewe/%", "<f4"),  # twin
    480: ("NSR I/%", "<f4"),  # twin
    481: ("NSR Ece/%", "<f4"),
    **{486 + k: (f"|Ewe h{k + 2}|/V", "<f4") for k in range(6)},  # twin
    **{492 + k: (f"|I h{k + 2}|/A", "<f4") for k in range(6)},  # twin
    **{498 + k: (f"|Ece h{k + 2}|/V", "<f4") for k in range(6)},
}

#: Technique ID (byte 0 of the settings module) → EC-Lab short name.
TECHNIQUE_IDS: dict[int, str] = {
    0x04: "GCPL",
    0x06: "CV",
    0x0B: "OCV",
    0x18: "CA",
    0x19: "CP",
    0x1C: "WAIT",
    0x1D: "PEIS",
    0x1E: "GEIS",
    0x30: "CV",
    0x32: "ZIR",
    0x33: "CVA",
    0x6C: "LSV",
    0x77: "GCPL",
    0x7F: "MB",
}

_OLE_EPOCH = datetime(1899, 12, 30)
_PLAUSIBLE_OLE_DAYS = (32874.0, 73051.0)  # 1990-01-01 .. 2100-01-01
_LOG_TIMESTAMP_OFFSETS = (0x249, 465, 469, 473)


@dataclass(frozen=True, slots=True)
class _Module:
    """One module of the file: where its data lies and what its header says."""

    short_name: str
    long_name: str
    header_offset: int
    start: int
    length: int
    version: int
    sub_version: int | None
    date: str


def _read_file(path: Path) -> memoryview:
    """Return the whole file, read into a numpy buffer.

    numpy asks the kernel for huge pages for large buffers, which makes filling a file of
    tens of MB several times cheaper than filling a ``bytes`` object.
    """
    with path.open("rb", buffering=0) as handle:
        size = os.fstat(handle.fileno()).st_size
        view = np.empty(size, dtype=np.uint8).data
        filled = 0
        while filled < size and (n := handle.readinto(view[filled:])):
            filled += n
    return view[:filled]


def guess_can_open(path: Path) -> bool:
    """Return True for files starting with ``BIO-LOGIC MODULAR FILE``."""
    try:
        with Path(path).open("rb") as handle:
            return handle.read(len(_MAGIC_TEXT)) == _MAGIC_TEXT
    except OSError:
        return False


def read(path: Path, **options: Any) -> Recording:
    """Read an EC-Lab ``.mpr`` binary file.

    Parameters
    ----------
    path : pathlib.Path
        The ``.mpr`` file.
    **options
        None are supported; passing any raises :class:`~elyte.errors.ReaderError`.

    Returns
    -------
    Recording
        The same canonical columns as :func:`elyte.io.biologic_mpt.read` gives for EC-Lab's
        text export of the run, plus the binary file's other columns as extras.

    Raises
    ------
    ReaderError
        If the magic, a module header or the data layout is wrong or truncated; the error
        carries the byte ``offset`` of the problem.
    """
    path = Path(path)
    if options:
        raise ReaderError(f"unsupported options for {name}: {sorted(options)}", path=path)
    try:
        raw = _read_file(path)
    except OSError as exc:
        raise ReaderError(f"cannot read file: {exc}", path=path) from exc
    notes: list[str] = []
    if raw[: len(_MAGIC_TEXT)] != _MAGIC_TEXT:
        raise ReaderError(
            "not an EC-Lab .mpr file (no 'BIO-LOGIC MODULAR FILE' magic)", path=path, offset=0
        )
    # The provenance hash of the bytes just read (no second read), computed while they are
    # decoded.
    digest = sha256_soon(raw)
    if raw[: len(_MAGIC)] != _MAGIC:
        notes.append("the file magic differs from the usual 52 bytes after its first 22")
    modules = _modules(raw, path, notes)
    by_name: dict[str, _Module] = {}
    for module in modules:
        if module.short_name in by_name:
            notes.append(f"a second {module.short_name!r} module was ignored")
            continue
        by_name[module.short_name] = module
    known = {"VMP Set", "VMP data", "VMP LOG", "VMP loop", "VMP ExtDev"}
    notes.extend(
        f"module {module.short_name!r} ({module.long_name}) was not read"
        for module in modules
        if module.short_name not in known
    )
    data_module = by_name.get("VMP data")
    if data_module is None:
        raise ReaderError("the file has no 'VMP data' module", path=path, offset=len(raw))

    vendor: dict[str, Any] = {"modules": [m.short_name for m in modules]}
    technique = None
    settings = by_name.get("VMP Set")
    if settings is not None and settings.length > 0:
        technique_id = raw[settings.start]
        vendor["technique_id"] = technique_id
        technique = TECHNIQUE_IDS.get(technique_id)
        if technique is None:
            notes.append(f"technique ID {technique_id} is not known; technique left empty")
        else:
            vendor["technique"] = technique
        comments = _pascal(raw, settings.start + 0x07, settings)
        if comments:
            vendor["comments"] = comments
    else:
        notes.append("no settings module: technique unknown")

    frame, column_ids = _data_frame(raw, data_module, path, notes)
    vendor["column_ids"] = column_ids
    vendor["data_module_version"] = data_module.version
    if data_module.sub_version is not None:
        vendor["data_module_sub_version"] = data_module.sub_version

    channel = None
    start_time = None
    log = by_name.get("VMP LOG")
    if log is not None:
        channel, start_time = _log(raw, log, vendor, notes)
    else:
        notes.append("no LOG module: start time and channel unknown")
    loop = by_name.get("VMP loop")
    if loop is not None:
        rows = _loop(raw, loop, path)
        if rows is not None:
            vendor["loop_start_rows"] = rows
    return build_biologic_recording(
        frame,
        path=path,
        format=name,
        technique=technique,
        channel=channel,
        start_time=start_time,
        notes=notes,
        vendor=vendor,
        sha256=digest,
    )


def _modules(raw: memoryview, path: Path, notes: list[str]) -> list[_Module]:
    """Walk the module chain, validating every length against the file size."""
    size = len(raw)
    pos = len(_MAGIC)
    modules = []
    while pos < size:
        if raw[pos : pos + 6] != b"MODULE":
            if not np.frombuffer(raw, dtype=np.uint8, offset=pos).any():
                notes.append(f"{size - pos} zero bytes after the last module were ignored")
                break
            raise ReaderError(
                f"expected 'MODULE' but found {bytes(raw[pos : pos + 6])!r}",
                path=path,
                offset=pos,
            )
        head = pos + 6
        if head + _HEADER_OLD > size:
            raise ReaderError("module header cut short (truncated file)", path=path, offset=head)
        short = str(raw[head : head + 10], "latin-1").strip(" \x00")
        long = str(raw[head + 10 : head + 35], "latin-1").strip(" \x00")
        (first,) = struct.unpack_from("<I", raw, head + 35)
        if first == 0xFFFFFFFF:
            if head + _HEADER_NEW > size:
                raise ReaderError(
                    f"module {short!r} header cut short (truncated file)", path=path, offset=head
                )
            length, version, sub = struct.unpack_from("<III", raw, head + 39)
            date = bytes(raw[head + 51 : head + 59])
            start = head + _HEADER_NEW
            sub_version: int | None = sub
        else:
            length, version = first, struct.unpack_from("<I", raw, head + 39)[0]
            date = bytes(raw[head + 43 : head + 51])
            start = head + _HEADER_OLD
            sub_version = None
        if start + length > size:
            raise ReaderError(
                f"module {short!r} announces {length} bytes but only {size - start} remain "
                "(truncated file)",
                path=path,
                offset=start,
            )
        modules.append(
            _Module(
                short,
                long,
                pos,
                start,
                length,
                version,
                sub_version,
                date.decode("latin-1", errors="replace"),
            )
        )
        pos = start + length
    return modules


def _data_layout(raw: memoryview, module: _Module, path: Path) -> tuple[int, list[int], int]:
    """Return the point count, column IDs and first-record offset (from module start)."""
    start, length = module.start, module.length
    if length < 6:
        raise ReaderError("data module too short to hold its column list", path=path, offset=start)
    (n_points,) = struct.unpack_from("<I", raw, start)
    if module.sub_version is not None:
        (n_columns,) = struct.unpack_from("<H", raw, start + 4)
        ids_at, id_type, data_at = 6, "<u2", 0x3EF
    elif module.version in (2, 3):
        n_columns = raw[start + 4]
        ids_at, id_type, data_at = 5, "<u2", 405 if module.version == 2 else 406
    elif module.version == 0:
        n_columns = raw[start + 4]
        ids_at, id_type, data_at = 5, "u1", 100
    else:
        raise ReaderError(
            f"data module version {module.version} is not one we know (0, 2, 3 or the "
            "new header layout)",
            path=path,
            offset=module.header_offset,
        )
    id_size = np.dtype(id_type).itemsize
    if ids_at + n_columns * id_size > min(data_at, length):
        raise ReaderError(
            f"data module lists {n_columns} columns, more than its header can hold",
            path=path,
            offset=start + 4,
        )
    ids = np.frombuffer(raw, dtype=id_type, count=n_columns, offset=start + ids_at)
    if data_at > length:
        raise ReaderError(
            "data module ends before its first record (truncated file)",
            path=path,
            offset=start + length,
        )
    return int(n_points), [int(i) for i in ids], data_at


def _data_frame(
    raw: memoryview, module: _Module, path: Path, notes: list[str]
) -> tuple[pl.DataFrame, list[int]]:
    """Decode the data records into a frame with EC-Lab column names."""
    n_points, ids, data_at = _data_layout(raw, module, path)
    available = module.length - data_at
    names: list[str] = []
    formats: list[str] = []
    offsets: list[int] = []
    flags: list[tuple[str, int]] = []
    unknown_runs: list[list[int]] = []
    unknown_at: list[int] = []
    position = 0
    flag_offset: int | None = None
    previous_unknown = False
    for column_id in ids:
        if column_id in FLAG_IDS:
            if flag_offset is None:
                flag_offset = position
                position += 1
            flags.append(FLAG_IDS[column_id])
            previous_unknown = False
            continue
        if column_id in COLUMN_IDS:
            column, dtype = COLUMN_IDS[column_id]
            base, n = column, 2
            while column in names:
                column, n = f"{base} #{n}", n + 1
            names.append(column)
            formats.append(dtype)
            offsets.append(position)
            position += np.dtype(dtype).itemsize
            previous_unknown = False
            continue
        if previous_unknown:
            unknown_runs[-1].append(column_id)
        else:
            unknown_runs.append([column_id])
            unknown_at.append(position)
        previous_unknown = True
    known_size = position
    record_size = known_size
    if unknown_runs:
        if n_points == 0:
            notes.append(
                f"column IDs {[i for run in unknown_runs for i in run]} are not known; "
                "the file has no data points, so nothing was lost"
            )
        elif len(unknown_runs) > 1:
            raise ReaderError(
                f"column IDs {unknown_runs} are not known and not adjacent, so the position "
                "of the known columns between them cannot be inferred",
                path=path,
                offset=module.start + 5,
            )
        else:
            if available % n_points:
                raise ReaderError(
                    f"column IDs {unknown_runs[0]} are not known and the data block "
                    f"({available} bytes) is not a whole number of {n_points} records",
                    path=path,
                    offset=module.start + data_at,
                )
            record_size = available // n_points
            width = record_size - known_size
            if width <= 0:
                raise ReaderError(
                    f"column IDs {unknown_runs[0]} are not known and the records leave no "
                    "room for them",
                    path=path,
                    offset=module.start + data_at,
                )
            gap = unknown_at[0]
            offsets = [o + width if o >= gap else o for o in offsets]
            if flag_offset is not None and flag_offset >= gap:
                flag_offset += width
            notes.append(
                f"warning: column IDs {unknown_runs[0]} are not known; their {width} bytes "
                "per record (inferred from the data length) were skipped"
            )
    needed = record_size * n_points
    if needed > available:
        raise ReaderError(
            f"data module announces {n_points} points of {record_size} bytes "
            f"({needed} bytes) but holds only {available} (truncated file)",
            path=path,
            offset=module.start + module.length,
        )
    if needed < available:
        notes.append(f"{available - needed} bytes after the last data record were ignored")
    return _decode(
        raw,
        module.start + data_at,
        n_points,
        record_size,
        names,
        formats,
        offsets,
        flags,
        flag_offset,
    ), ids


#: Rows decoded per block: the records of one block stay in the CPU cache while each of
#: their columns is copied out, so the file's data is read from memory once, not once per
#: column.
_ROWS_PER_BLOCK = 1 << 16


def _decode(
    raw: memoryview,
    offset: int,
    n_points: int,
    record_size: int,
    names: list[str],
    formats: list[str],
    offsets: list[int],
    flags: list[tuple[str, int]],
    flag_offset: int | None,
) -> pl.DataFrame:
    """Copy each column out of the fixed-size records into a frame (float64 and int64).

    float64 is the text export's precision and the canonical columns' type anyway; integer
    columns and flags become int64. All columns live in one numpy block that polars takes
    over without copying: a single large allocation is much cheaper to fill than one per
    column.
    """
    fields = list(zip(names, formats, offsets, strict=True))
    if flag_offset is not None:
        fields.append(("__flags", "u1", flag_offset))
    layout = np.dtype(
        {
            "names": [f[0] for f in fields],
            "formats": [f[1] for f in fields],
            "offsets": [f[2] for f in fields],
            "itemsize": record_size,
        }
    )
    records = np.frombuffer(raw, dtype=layout, count=n_points, offset=offset)
    block = np.empty((len(flags) + len(names), n_points), dtype=np.float64)
    integers = block.view(np.int64)
    targets: list[tuple[str, np.ndarray]] = []  # (field, destination row)
    kinds = [np.dtype(fmt).kind for fmt in formats]
    rows = len(flags)
    for i, (column, kind) in enumerate(zip(names, kinds, strict=True)):
        targets.append((column, (integers if kind in "ui" else block)[rows + i]))
    masks = [(mask, (mask & -mask).bit_length() - 1) for _, mask in flags]
    for start in range(0, n_points, _ROWS_PER_BLOCK):
        part = records[start : start + _ROWS_PER_BLOCK]
        stop = start + len(part)
        for column, row in targets:
            row[start:stop] = part[column]
        if masks:
            byte = np.ascontiguousarray(part["__flags"])
            for k, (mask, shift) in enumerate(masks):
                integers[k, start:stop] = (byte & mask) >> shift
    series = [pl.Series(flag, integers[k]) for k, (flag, _) in enumerate(flags)]
    series += [pl.Series(column, row) for column, row in targets]
    return pl.DataFrame(series, height=n_points)


def _pascal(raw: memoryview, offset: int, module: _Module) -> str | None:
    """Read a length-prefixed string inside ``module``; None if it does not fit."""
    end = module.start + module.length
    if offset >= end:
        return None
    n = raw[offset]
    if offset + 1 + n > end:
        return None
    return str(raw[offset + 1 : offset + 1 + n], "cp1252", errors="replace").strip("\x00")


def _log(
    raw: memoryview, module: _Module, vendor: dict[str, Any], notes: list[str]
) -> tuple[str | None, datetime | None]:
    """Channel and acquisition start from the LOG module."""
    start, length = module.start, module.length
    channel = None
    if length > 0x09:
        channel = str(raw[start + 0x09] + 1)
    if length >= 0xAB + 2:
        vendor["channel_serial_number"] = struct.unpack_from("<H", raw, start + 0xAB)[0]
    for key, offset in (
        ("saved_file", 0x251),
        ("host", 0x351),
        ("address", 0x384),
        ("ec_lab_version", 0x3B7),
    ):
        text = _pascal(raw, start + offset, module)
        if text and text.isprintable():
            vendor[key] = text
    start_time = None
    for offset in _LOG_TIMESTAMP_OFFSETS:
        if offset + 8 > length:
            continue
        (days,) = struct.unpack_from("<d", raw, start + offset)
        if _PLAUSIBLE_OLE_DAYS[0] < days < _PLAUSIBLE_OLE_DAYS[1]:
            moment = _OLE_EPOCH + timedelta(days=days)
            # EC-Lab keeps the start to the millisecond; the double carries ~1 µs of noise.
            start_time = moment.replace(microsecond=0) + timedelta(
                milliseconds=round(moment.microsecond / 1000)
            )
            if offset != 0x249:
                notes.append(f"acquisition start read at LOG offset {offset}, not the usual 0x249")
            break
    if start_time is None:
        notes.append("no plausible acquisition start in the LOG module; start_time left empty")
    return channel, start_time


def _loop(raw: memoryview, module: _Module, path: Path) -> list[int] | None:
    if module.length < 4:
        return None
    (n,) = struct.unpack_from("<I", raw, module.start)
    if 4 + 4 * n > module.length:
        raise ReaderError(
            f"loop module lists {n} indices but holds only {module.length} bytes",
            path=path,
            offset=module.start,
        )
    return [int(i) for i in np.frombuffer(raw, dtype="<u4", count=n, offset=module.start + 4)]
