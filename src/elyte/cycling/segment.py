"""Which row belongs to which cycle, and whether the cell is charging, discharging or resting.

Two (three) ways to define a cycle, chosen explicitly by the caller:

``"vendor"``
    The instrument's own cycle counter (``cycle_count``). Counters that start at 0
    (BioLogic's ``cycle number``) are shifted by +1 so that cycles are 1-based; the shift
    is reported. A vendor cycle may hold any sequence of half-cycles (a Neware cycle can
    start with a discharge and hold two of them); the summary counts them.
``"charge_discharge"``
    A cycle is a charge followed by the next discharge: a new cycle starts at every charge
    row whose previous non-rest row was not a charge. Rows before the first charge are
    cycle 0 when they contain a discharge (a cell that starts with a discharge: the lone
    discharge is reported as cycle 0, never dropped); if they are only rest, they join
    cycle 1.
``"discharge_charge"``
    The mirror image: a discharge followed by the next charge, for electrodes that are
    reduced first (Li plating on Cu then stripping, graphite lithiation then delithiation).
    A leading lone charge is cycle 0.

The direction of every row comes from the sign of the current (positive = charging, as BDF
defines it) with a small dead band: ``|I| <= threshold`` is rest. The threshold defaults to
1e-3 of the largest ``|I|`` in the recording and is always returned so it can be recorded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from elyte.errors import ElyteError
from elyte.recording import Recording

__all__ = [
    "DEFAULT_RELATIVE_CURRENT_THRESHOLD",
    "DIRECTION_DTYPE",
    "CycleDefinition",
    "CyclingDataError",
    "Labelling",
    "RowLabels",
    "current_threshold",
    "label_arrays",
    "label_cycles",
    "label_frame",
]

#: How a cycle is defined (see the module docstring).
CycleDefinition = Literal["vendor", "charge_discharge", "discharge_charge"]

#: dtype of the ``direction`` column.
DIRECTION_DTYPE = pl.Enum(["charge", "discharge", "rest"])

_NAMES = {1: "charge", -1: "discharge", 0: "rest"}

#: Default dead band of the direction labels, as a fraction of the largest |current|.
DEFAULT_RELATIVE_CURRENT_THRESHOLD = 1e-3

_DEFINITIONS: dict[str, str] = {
    "vendor": "the instrument's cycle counter (cycle_count)",
    "charge_discharge": (
        "a charge followed by the next discharge; a new cycle starts at each charge that "
        "follows a discharge (rest ignored); a discharge before the first charge is cycle 0"
    ),
    "discharge_charge": (
        "a discharge followed by the next charge; a new cycle starts at each discharge that "
        "follows a charge (rest ignored); a charge before the first discharge is cycle 0"
    ),
}


class CyclingDataError(ElyteError, ValueError):
    """The recording cannot be analysed as asked (a needed column or cycle is missing)."""


@dataclass(frozen=True)
class Labelling:
    """Result of :func:`label_frame`: the labelled rows and how they were labelled.

    Attributes
    ----------
    frame : polars.DataFrame
        The input rows plus ``cycle`` (Int64) and ``direction`` (String).
    definition : str
        The cycle definition used.
    current_threshold_a : float
        Dead band of the direction labels, A.
    info : dict
        Plain-JSON facts to record: the definition in words, the vendor cycle offset,
        whether a cycle 0 exists and why.
    codes : numpy.ndarray
        Direction of every row as int8: 1 charge, -1 discharge, 0 rest.
    """

    frame: pl.DataFrame
    definition: str
    current_threshold_a: float
    info: Mapping[str, Any] = field(default_factory=dict)
    codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))


def _run_starts(codes: np.ndarray) -> np.ndarray:
    """First row of every run of equal direction codes (row 0 included)."""
    if codes.size == 0:
        return np.zeros(0, dtype=np.int64)
    change = np.flatnonzero(codes[1:] != codes[:-1])
    change += 1
    return np.concatenate((np.zeros(1, dtype=np.int64), change))


def _pair_cycles(codes: np.ndarray, lead: int) -> tuple[np.ndarray, bool]:
    """Cycle number of every row for the charge→discharge (discharge→charge) definition.

    A cycle starts at the first row of each run of ``lead`` rows whose previous non-rest run
    has the other direction (or does not exist). Rows before the first start are cycle 0
    when they hold a row of the other direction, else cycle 1. Works on the runs of equal
    codes, so the per-row work is one comparison and one fill.

    Returns
    -------
    numbers : numpy.ndarray
        Cycle of every row (int64).
    has_lone : bool
        Whether the rows before the first start hold the other direction (cycle 0).
    """
    n = codes.size
    starts = _run_starts(codes)
    run_code = codes[starts]
    active = run_code != 0
    active_starts = starts[active]
    active_code = run_code[active]
    previous = np.empty_like(active_code)
    if previous.size:
        previous[0] = 0
        previous[1:] = active_code[:-1]
    first_rows = active_starts[(active_code == lead) & (previous != lead)]
    lead_end = int(first_rows[0]) if first_rows.size else n
    has_lone = bool(np.any(active_code[active_starts < lead_end] == -lead))
    values = np.arange(first_rows.size + 1, dtype=np.int64)
    if lead_end > 0 and not has_lone:
        values[0] = 1
    edges = np.concatenate((np.zeros(1, dtype=np.int64), first_rows, np.full(1, n)))
    return np.repeat(values, np.diff(edges)), has_lone


def current_threshold(current: pl.Series | np.ndarray, threshold_a: float | None) -> float:
    """Dead band of the direction labels, A.

    Parameters
    ----------
    current : polars.Series or numpy.ndarray
        Current of every row, A.
    threshold_a : float or None
        An explicit threshold (A, >= 0), returned unchanged; ``None`` derives
        :data:`DEFAULT_RELATIVE_CURRENT_THRESHOLD` x max |I|.

    Returns
    -------
    float
        The threshold, A.

    Raises
    ------
    CyclingDataError
        If an explicit threshold is negative or not finite.
    """
    if threshold_a is not None:
        value = float(threshold_a)
        if not np.isfinite(value) or value < 0:
            raise CyclingDataError(f"current_threshold_a must be >= 0 A, not {threshold_a!r}")
        return value
    values = np.asarray(current, dtype=np.float64)
    # largest |I| as max(max I, -min I): two reductions, no temporary array; NaN ignored
    peak = (
        max(float(np.fmax.reduce(values)), -float(np.fmin.reduce(values))) if values.size else 0.0
    )
    if not math.isfinite(peak):  # an infinite current, or no finite one at all
        finite = values[np.isfinite(values)]
        peak = float(np.max(np.abs(finite))) if finite.size else 0.0
    return DEFAULT_RELATIVE_CURRENT_THRESHOLD * peak


def _require(frame: pl.DataFrame, columns: tuple[str, ...], path: str | None, why: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CyclingDataError(
            f"{why} needs the column(s) {missing}; the recording has {frame.columns}", path=path
        )


#: The three direction labels as a Series of :data:`DIRECTION_DTYPE`, gathered by code.
_DIRECTION_VALUES = pl.Series("direction", ["charge", "discharge", "rest"], dtype=DIRECTION_DTYPE)
#: Position in :data:`_DIRECTION_VALUES` of code -1, 0 and 1 (index ``code + 1``).
_DIRECTION_INDEX = np.array([1, 2, 0], dtype=np.uint32)


@dataclass(frozen=True)
class RowLabels:
    """Result of :func:`label_arrays`: cycle and direction of every row, as arrays.

    Attributes
    ----------
    codes : numpy.ndarray
        Direction of every row as int8: 1 charge, -1 discharge, 0 rest.
    cycle : numpy.ndarray
        Cycle of every row (int64).
    threshold : float
        Dead band of the direction labels, A.
    info : dict
        Plain-JSON facts to record (see :class:`Labelling`).
    """

    codes: np.ndarray
    cycle: np.ndarray
    threshold: float
    info: Mapping[str, Any]


def label_arrays(
    frame: pl.DataFrame,
    *,
    definition: CycleDefinition,
    current_threshold_a: float | None = None,
    path: str | None = None,
) -> RowLabels:
    """Cycle and direction of every row as numpy arrays (what :func:`label_frame` adds).

    Same rules as :func:`label_frame`; nothing is added to the frame, so callers that only
    need the arrays skip building the ``direction`` column.

    Parameters
    ----------
    frame : polars.DataFrame
        Canonical recording data; needs ``current_ampere`` (and ``cycle_count`` for
        ``definition="vendor"``).
    definition : {"vendor", "charge_discharge", "discharge_charge"}
        What a cycle is (module docstring).
    current_threshold_a : float, optional
        Dead band of the direction labels, A; default 1e-3 x max |I|.
    path : str, optional
        Source file, for error messages.

    Returns
    -------
    RowLabels
        Direction codes, cycle numbers, threshold used and facts to record.

    Raises
    ------
    CyclingDataError
        If the definition is unknown, a needed column is missing or the vendor counter is
        negative.
    """
    if definition not in _DEFINITIONS:
        raise CyclingDataError(
            f"cycle definition must be one of {sorted(_DEFINITIONS)}, not {definition!r}",
            path=path,
        )
    _require(frame, ("current_ampere",), path, "labelling cycles")
    current = frame.get_column("current_ampere").cast(pl.Float64).fill_null(np.nan).to_numpy()
    threshold = current_threshold(current, current_threshold_a)
    with np.errstate(invalid="ignore"):  # NaN compares False: a row without current is rest
        codes = (current > threshold).view(np.int8) - (current < -threshold).view(np.int8)
    info: dict[str, Any] = {"definition_text": _DEFINITIONS[definition]}
    if definition == "vendor":
        _require(frame, ("cycle_count",), path, "cycle_definition='vendor'")
        counter = frame.get_column("cycle_count").cast(pl.Int64)
        minimum = counter.min()
        lowest = None if minimum is None else int(minimum)  # type: ignore[arg-type]
        if lowest is not None and lowest < 0:
            raise CyclingDataError(
                f"cycle_count has negative values (lowest {lowest}); use "
                "cycle_definition='charge_discharge' instead",
                path=path,
            )
        offset = 1 if lowest is not None and lowest == 0 else 0
        gaps = counter.null_count()
        filled = counter.forward_fill().backward_fill().fill_null(1) if gaps else counter
        cycle = filled.to_numpy()
        if offset:
            cycle = cycle + offset
        info["vendor_cycle_offset"] = offset
        if offset:
            info["vendor_cycle_note"] = "the vendor counter starts at 0; cycle = cycle_count + 1"
        if gaps:
            info["vendor_cycle_gaps"] = f"{gaps} row(s) without a cycle_count took the previous one"
    else:
        lead = 1 if definition == "charge_discharge" else -1
        lead_name, other_name = _NAMES[lead], _NAMES[-lead]
        cycle, has_lone = _pair_cycles(codes, lead)
        info["cycle_0"] = (
            f"the recording starts with a {other_name} before the first {lead_name}: that "
            f"lone {other_name} is reported as cycle 0"
            if has_lone
            else None
        )
    return RowLabels(codes, np.asarray(cycle, dtype=np.int64), threshold, info)


def label_frame(
    frame: pl.DataFrame,
    *,
    definition: CycleDefinition,
    current_threshold_a: float | None = None,
    path: str | None = None,
) -> Labelling:
    """Label rows with ``cycle`` and ``direction``; also return how it was done.

    Parameters
    ----------
    frame : polars.DataFrame
        Canonical recording data; needs ``current_ampere`` (and ``cycle_count`` for
        ``definition="vendor"``).
    definition : {"vendor", "charge_discharge", "discharge_charge"}
        What a cycle is (module docstring).
    current_threshold_a : float, optional
        Dead band of the direction labels, A; default 1e-3 x max |I|.
    path : str, optional
        Source file, for error messages.

    Returns
    -------
    Labelling
        Labelled frame, threshold used and facts to record.

    Raises
    ------
    CyclingDataError
        If the definition is unknown or a needed column is missing.
    """
    labels = label_arrays(
        frame, definition=definition, current_threshold_a=current_threshold_a, path=path
    )
    direction = _DIRECTION_VALUES.gather(_DIRECTION_INDEX[labels.codes.astype(np.intp) + 1])
    out = frame.with_columns(direction, pl.Series("cycle", labels.cycle, dtype=pl.Int64))
    return Labelling(out, definition, labels.threshold, labels.info, labels.codes)


def label_cycles(
    rec: Recording,
    *,
    definition: CycleDefinition,
    current_threshold_a: float | None = None,
) -> pl.DataFrame:
    """Add ``cycle`` and ``direction`` columns to a recording's data.

    Parameters
    ----------
    rec : Recording
        The recording; needs ``current_ampere`` (and ``cycle_count`` for ``"vendor"``).
    definition : {"vendor", "charge_discharge", "discharge_charge"}
        What a cycle is: the instrument's counter, a charge followed by the next discharge,
        or a discharge followed by the next charge (see :mod:`elyte.cycling.segment`).
    current_threshold_a : float, optional
        Rows with ``|current| <= threshold`` are labelled ``"rest"``; default
        1e-3 x the largest ``|current|`` (get the value with :func:`current_threshold`).

    Returns
    -------
    polars.DataFrame
        ``rec.data`` plus ``cycle`` (Int64; 1-based, 0 for a leading lone half-cycle) and
        ``direction`` (``"charge"``, ``"discharge"`` or ``"rest"``, as a polars Enum that
        compares equal to those strings).

    Raises
    ------
    CyclingDataError
        If the definition is unknown or a needed column is missing.

    Examples
    --------
    >>> import polars as pl
    >>> from elyte.recording import Recording, RecordingMeta
    >>> rec = Recording(
    ...     pl.DataFrame({"current_ampere": [-1.0, 0.0, 1.0, 1.0, -1.0, 1.0]}),
    ...     RecordingMeta(instrument="example", format="none"),
    ... )
    >>> label_cycles(rec, definition="charge_discharge")["cycle"].to_list()
    [0, 0, 1, 1, 1, 2]
    """
    return label_frame(
        rec.data,
        definition=definition,
        current_threshold_a=current_threshold_a,
        path=rec.meta.source_path,
    ).frame
