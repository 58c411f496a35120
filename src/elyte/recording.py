"""The canonical recording: one table of measurements plus what we know about it.

Every reader returns a :class:`Recording`; every analysis takes one. The table is a polars
DataFrame with BDF column names in SI units (see :mod:`elyte.schema`); the metadata says
where the numbers came from and everything a reader skipped or assumed on the way.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import polars as pl

from elyte._json import jsonable as _jsonable
from elyte.errors import ExportError, ReaderError
from elyte.schema import CANONICAL, canonical_order, label_of

__all__ = ["Recording", "RecordingMeta"]

#: Key under which the metadata is stored in a Parquet file's key-value metadata.
PARQUET_META_KEY = "elyte.recording_meta"


@dataclass(frozen=True)
class RecordingMeta:
    """Provenance and context of a recording.

    Attributes
    ----------
    instrument : str
        Instrument family or make (``"BioLogic"``, ``"Neware"``, ``"LAND"``, ...).
    format : str
        Name of the reader that produced the recording (``"biologic-mpr"``).
    techniques : tuple of str
        Techniques in the file, in order (``("GCPL",)``, ``("PEIS", "GCPL")``).
    source_path : str or None
        Path of the file read, as given.
    sha256 : str or None
        SHA-256 of the file's bytes, so results can be traced to the exact file.
    channel : str or None
        Instrument channel, when the file says.
    start_time : datetime or None
        Acquisition start (local time of the instrument unless the file says otherwise).
    column_map : dict
        Vendor column → canonical column, for every column that was renamed.
    units : dict
        Unit of every column of the data (canonical and extra).
    notes : tuple of str
        Everything skipped, derived or assumed while reading, in plain words.
    simulated : bool
        True for recordings made by elyte's virtual lab, never for instrument files.
    vendor : dict
        Vendor header fields worth keeping (settings, comments), as plain strings/numbers.
    """

    instrument: str
    format: str
    techniques: tuple[str, ...] = ()
    source_path: str | None = None
    sha256: str | None = None
    channel: str | None = None
    start_time: datetime | None = None
    column_map: Mapping[str, str] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    simulated: bool = False
    vendor: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view of the metadata (datetimes as ISO 8601 strings)."""
        out = asdict(self)
        out["techniques"] = list(self.techniques)
        out["notes"] = list(self.notes)
        out["start_time"] = self.start_time.isoformat() if self.start_time else None
        out["column_map"] = dict(self.column_map)
        out["units"] = dict(self.units)
        out["vendor"] = _jsonable(dict(self.vendor))
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RecordingMeta:
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        known = set(cls.__dataclass_fields__)
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["techniques"] = tuple(kwargs.get("techniques", ()))
        kwargs["notes"] = tuple(kwargs.get("notes", ()))
        start = kwargs.get("start_time")
        kwargs["start_time"] = datetime.fromisoformat(start) if start else None
        return cls(**kwargs)


@dataclass(frozen=True, eq=False)
class Recording:
    """A measurement as one canonical table plus metadata.

    Parameters
    ----------
    data : polars.DataFrame
        Rows in time order; columns named as in :data:`elyte.schema.CANONICAL` (SI units,
        BDF names) plus any extra vendor columns under snake_case names ending in their unit.
    meta : RecordingMeta
        Provenance, units of every column, and the reader's notes.

    Examples
    --------
    >>> import polars as pl
    >>> rec = Recording(
    ...     pl.DataFrame({"test_time_second": [0.0, 1.0], "voltage_volt": [3.0, 3.1]}),
    ...     RecordingMeta(instrument="example", format="none"),
    ... )
    >>> rec.unit("voltage_volt")
    'V'
    """

    data: pl.DataFrame
    meta: RecordingMeta

    # ------------------------------------------------------------------ views
    @property
    def columns(self) -> list[str]:
        """Column names of the data."""
        return self.data.columns

    def unit(self, column: str) -> str:
        """Return the unit of ``column`` (``""`` for text columns).

        Raises
        ------
        KeyError
            If the recording has no such column.
        """
        if column not in self.data.columns:
            raise KeyError(f"recording has no column {column!r}; it has {self.data.columns}")
        if column in self.meta.units:
            return self.meta.units[column]
        spec = CANONICAL.get(column)
        return spec.unit if spec is not None else ""

    @property
    def techniques(self) -> tuple[str, ...]:
        """Techniques present, in file order."""
        return self.meta.techniques

    def __len__(self) -> int:
        return self.data.height

    def __repr__(self) -> str:
        src = Path(self.meta.source_path).name if self.meta.source_path else "<memory>"
        techniques = ",".join(self.meta.techniques) or "?"
        return (
            f"Recording({self.meta.instrument} {techniques}, {self.data.height} rows x "
            f"{self.data.width} columns, from {src})"
        )

    def select(
        self,
        *,
        technique: str | Sequence[str] | None = None,
        technique_index: int | Sequence[int] | None = None,
        cycles: int | Sequence[int] | None = None,
    ) -> Recording:
        """Rows of some techniques (segments) and/or cycles, as a new recording.

        Parameters
        ----------
        technique : str or sequence of str, optional
            Technique names (``"PEIS"``); matched case-insensitively.
        technique_index : int or sequence of int, optional
            Positions in the technique sequence (1-based, as in ``technique_index``).
        cycles : int or sequence of int, optional
            Values of ``cycle_count`` to keep.

        Raises
        ------
        ReaderError
            If the recording lacks the column needed for the selection.
        """
        frame = self.data
        for column, wanted in (
            ("technique", technique),
            ("technique_index", technique_index),
            ("cycle_count", cycles),
        ):
            if wanted is None:
                continue
            if column not in frame.columns:
                raise ReaderError(
                    f"cannot select by {column}: the recording has no {column!r} column",
                    path=self.meta.source_path,
                )
            values = [wanted] if isinstance(wanted, str | int) else list(wanted)
            if column == "technique":
                wanted_upper = [str(v).upper() for v in values]
                frame = frame.filter(pl.col(column).str.to_uppercase().is_in(wanted_upper))
            else:
                frame = frame.filter(pl.col(column).is_in(values))
        return replace(self, data=frame)

    def summary(self) -> dict[str, Any]:
        """Facts for ``elyte inspect``: instrument, techniques, size, spans and ranges.

        Numbers come with their units as ``{"value": ..., "unit": ...}``.
        """
        frame = self.data

        def quantity(value: float | int | None, unit: str) -> dict[str, Any] | None:
            if value is None:
                return None
            if isinstance(value, float) and not math.isfinite(value):
                return None
            return {"value": value, "unit": unit}

        def span(column: str) -> dict[str, Any] | None:
            if column not in frame.columns or frame.height == 0:
                return None
            col = frame.get_column(column)
            if not col.dtype.is_numeric():
                return None
            lo, hi = col.min(), col.max()
            if lo is None or hi is None:
                return None
            unit = self.unit(column)
            return {"min": quantity(float(lo), unit), "max": quantity(float(hi), unit)}  # type: ignore[arg-type]

        duration = None
        if "test_time_second" in frame.columns and frame.height:
            t = frame.get_column("test_time_second").drop_nulls()
            if t.len():
                duration = quantity(float(t.max()) - float(t.min()), "s")  # type: ignore[arg-type]
        cycles = None
        if "cycle_count" in frame.columns and frame.height:
            cycles = int(frame.get_column("cycle_count").n_unique())
        return {
            "source": self.meta.source_path,
            "sha256": self.meta.sha256,
            "format": self.meta.format,
            "instrument": self.meta.instrument,
            "techniques": list(self.meta.techniques),
            "simulated": self.meta.simulated,
            "start_time": self.meta.start_time.isoformat() if self.meta.start_time else None,
            "rows": frame.height,
            "columns": [{"name": c, "unit": self.unit(c)} for c in frame.columns],
            "duration": duration,
            "cycles": cycles,
            "voltage": span("voltage_volt"),
            "current": span("current_ampere"),
            "frequency": span("frequency_hertz"),
            "notes": list(self.meta.notes),
        }

    # ---------------------------------------------------------------- export
    def to_parquet(self, path: str | PathLike[str]) -> Path:
        """Write the data to Parquet, with the metadata as JSON in the file's key-value store.

        :func:`elyte.read` reads the file back into an identical recording.
        """
        import pyarrow.parquet as pq

        target = Path(path)
        table = self.data.to_arrow()
        meta = dict(table.schema.metadata or {})
        meta[PARQUET_META_KEY.encode()] = json.dumps(self.meta.to_dict()).encode()
        try:
            pq.write_table(table.replace_schema_metadata(meta), target)
        except OSError as exc:
            raise ExportError(f"cannot write Parquet: {exc}", path=target) from exc
        return target

    def to_bdf(
        self,
        path: str | PathLike[str],
        *,
        labels: Literal["machine", "human"] = "machine",
        extra_columns: bool = False,
    ) -> Path:
        """Write a Battery Data Format CSV file.

        Parameters
        ----------
        path : str or os.PathLike
            Target file, conventionally ending in ``.bdf.csv``.
        labels : {"machine", "human"}
            Header style: BDF machine-readable names (``voltage_volt``) or the
            human-readable labels (``Voltage / V``). Both are valid BDF.
        extra_columns : bool
            Also write the non-BDF columns (vendor extras, ``technique``).

        Raises
        ------
        ExportError
            If the recording lacks one of BDF's required columns (test time, voltage,
            current) or the file cannot be written.
        """
        if labels not in ("machine", "human"):
            raise ExportError(f"labels must be 'machine' or 'human', not {labels!r}", path=path)
        required = ("test_time_second", "voltage_volt", "current_ampere")
        missing = [c for c in required if c not in self.data.columns]
        if missing:
            raise ExportError(
                f"BDF requires columns {list(required)}; the recording lacks {missing}",
                path=path,
            )
        names = [
            c
            for c in canonical_order(self.data.columns)
            if extra_columns or (c in CANONICAL and CANONICAL[c].bdf)
        ]
        frame = self.data.select(names)
        if labels == "human":
            frame = frame.rename(
                {c: label_of(c) if c in CANONICAL else _human_extra(c, self.unit(c)) for c in names}
            )
        target = Path(path)
        try:
            frame.write_csv(target)
        except OSError as exc:
            raise ExportError(f"cannot write BDF CSV: {exc}", path=target) from exc
        return target


def _human_extra(name: str, unit: str) -> str:
    return f"{name} / {unit}" if unit else name
