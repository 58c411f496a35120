"""Published ARC results (the seed's Table S7) and how far they can be compared.

Table S7 of the seed puts its T_onset = 120 °C and T_tr = 185 °C (criterion 1 °C/min) next
to published values measured with other criteria (0.48, 10 and 60 °C/min), on other
samples (full cells, Li/Li cells, pristine Li pressed on a solid electrolyte) and with
detection thresholds that the table does not state. :func:`table_s7` returns the rows as
shipped in ``data/table_s7.toml``; :func:`normalise` says for each row what can be put on
a common footing and flags the rest:

* T_tr measured at the target criterion is compared as it is.
* T_tr at another criterion is moved to the target by a *two-point Arrhenius estimate*:
  the straight line of ln(rate) against 1/T through (T_onset, detection threshold) and
  (T_tr, criterion). Real self-heating curves are not one Arrhenius line (several
  reactions take over one after another), the detection threshold of the other
  laboratories is assumed (``assumed_threshold_c_min``, default 0.02 °C/min, a common
  instrument default) and the estimate is an extrapolation when the target lies outside
  the two rates: it is flagged as such and is a rough guide only.
* "No thermal runaway" and "not mentioned" cannot be normalised; samples that are not
  cells (Li pressed on a solid electrolyte, Li/Li cells) are flagged as not comparable with
  a full cell whatever the criterion.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from elyte.errors import ThermalError

__all__ = [
    "DEFAULT_ASSUMED_THRESHOLD_C_MIN",
    "LiteratureEntry",
    "NormalisedEntry",
    "normalise",
    "normalise_all",
    "table_s7",
    "two_point_arrhenius",
]

#: Detection threshold assumed where a source does not state it, °C/min.
DEFAULT_ASSUMED_THRESHOLD_C_MIN = 0.02
_KELVIN = 273.15


@dataclass(frozen=True)
class LiteratureEntry:
    """One row of Table S7 (or of the seed's text), as printed.

    Attributes mirror the fields documented at the top of ``data/table_s7.toml``.
    """

    group: str
    reference: str
    citation: str
    electrolyte: str
    cell: str
    sample: str
    equipment: str
    onset_status: str
    tr_status: str
    soc_percent: float | None = None
    capacity_ah: float | None = None
    onset_c: float | None = None
    tr_c: float | None = None
    criterion_c_min: float | None = None
    threshold_c_min: float | None = None
    remark: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return dict(self.__dict__)


def table_s7(*, include_seed_text: bool = True) -> tuple[LiteratureEntry, ...]:
    """Rows of the seed's Table S7 (and, by default, the ARC numbers of its Fig. S30/S31 text).

    Returns
    -------
    tuple of LiteratureEntry
        In the table's order.
    """
    text = resources.files("elyte.thermal").joinpath("data/table_s7.toml").read_text("utf-8")
    rows = tomllib.loads(text)["entries"]
    entries = tuple(LiteratureEntry(**row) for row in rows)
    if not include_seed_text:
        entries = tuple(e for e in entries if e.group != "seed-text")
    return entries


def two_point_arrhenius(
    t1_c: float, rate1_c_min: float, t2_c: float, rate2_c_min: float, target_c_min: float
) -> float:
    """Temperature where the line ln(rate) = a - b/T through two points reaches ``target``.

    Parameters
    ----------
    t1_c, t2_c : float
        Temperatures of the two points, °C (``t2_c > t1_c``).
    rate1_c_min, rate2_c_min : float
        Rates there, °C/min (``rate2 > rate1``).
    target_c_min : float
        Rate wanted, °C/min.

    Returns
    -------
    float
        Temperature, °C.

    Raises
    ------
    ThermalError
        If the points do not describe a rate rising with temperature.

    Examples
    --------
    >>> round(two_point_arrhenius(100.0, 0.1, 150.0, 10.0, 1.0), 2)
    123.43
    """
    if not (t2_c > t1_c and rate2_c_min > rate1_c_min > 0 and target_c_min > 0):
        raise ThermalError(
            "two-point Arrhenius needs t2 > t1 and rate2 > rate1 > 0, not "
            f"({t1_c}, {rate1_c_min}), ({t2_c}, {rate2_c_min})"
        )
    inv1, inv2 = 1.0 / (t1_c + _KELVIN), 1.0 / (t2_c + _KELVIN)
    b = math.log(rate2_c_min / rate1_c_min) / (inv1 - inv2)
    return 1.0 / (inv1 - math.log(target_c_min / rate1_c_min) / b) - _KELVIN


@dataclass(frozen=True)
class NormalisedEntry:
    """A literature row with its T_tr brought to the target criterion where possible.

    Attributes
    ----------
    entry : LiteratureEntry
        The row as printed.
    target_c_min : float
        The common criterion, °C/min.
    tr_at_target_c : float or None
        T_tr at the target criterion, °C (measured, or estimated: see ``method``).
    method : str
        ``"as reported"`` (same criterion), ``"two-point Arrhenius estimate"`` or
        ``"not normalisable"``.
    comparable : bool
        Whether the row is a cell that can be compared with a full-cell result at all.
    flags : tuple of str
        Everything that limits the comparison, in plain words.
    """

    entry: LiteratureEntry
    target_c_min: float
    tr_at_target_c: float | None
    method: str
    comparable: bool
    flags: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        out = self.entry.to_dict()
        out.update(
            target_c_min=self.target_c_min,
            tr_at_target_c=self.tr_at_target_c,
            method=self.method,
            comparable=self.comparable,
            flags=list(self.flags),
        )
        return out


def normalise(
    entry: LiteratureEntry,
    *,
    target_c_min: float = 1.0,
    assumed_threshold_c_min: float = DEFAULT_ASSUMED_THRESHOLD_C_MIN,
) -> NormalisedEntry:
    """Bring one row to the target criterion where possible and flag what cannot be.

    Parameters
    ----------
    entry : LiteratureEntry
        The row.
    target_c_min : float
        The common criterion, °C/min (default: the seed's 1 °C/min).
    assumed_threshold_c_min : float
        Detection threshold assumed where the row does not state one, °C/min.

    Returns
    -------
    NormalisedEntry
        The row, its T_tr at the target and the flags.
    """
    flags: list[str] = []
    comparable = entry.sample == "cell"
    if entry.sample == "li+electrolyte":
        flags.append("pristine Li on a solid electrolyte, no cathode: not a cell")
    elif entry.sample == "li/li cell":
        flags.append("Li/Li cell, no cathode: not comparable with a full cell")
    elif entry.sample == "electrode+electrolyte":
        flags.append("one electrode with electrolyte, not a cell")
    if entry.sample == "cell":
        if entry.soc_percent is None:
            flags.append("SOC not mentioned")
        if entry.capacity_ah is None:
            flags.append("capacity not mentioned")
    threshold = entry.threshold_c_min
    if entry.onset_status == "reported":
        if threshold is None:
            flags.append(
                f"detection threshold not stated: T_onset compared as printed "
                f"({assumed_threshold_c_min:g} degC/min assumed for estimates)"
            )
    else:
        flags.append("T_onset not mentioned")
    tr: float | None = None
    method = "not normalisable"
    if entry.tr_status == "no thermal runaway":
        flags.append("no thermal runaway reported (end temperature of the test not given)")
    elif entry.tr_status != "reported" or entry.tr_c is None:
        flags.append("T_tr not mentioned")
    elif entry.criterion_c_min is None:
        flags.append("T_tr criterion not stated")
    elif math.isclose(entry.criterion_c_min, target_c_min, rel_tol=1e-9):
        tr, method = entry.tr_c, "as reported"
    elif entry.onset_c is None:
        flags.append(
            f"T_tr at {entry.criterion_c_min:g} degC/min without T_onset: cannot be moved "
            f"to {target_c_min:g} degC/min"
        )
    else:
        rate1 = threshold if threshold is not None else assumed_threshold_c_min
        try:
            tr = two_point_arrhenius(
                entry.onset_c, rate1, entry.tr_c, entry.criterion_c_min, target_c_min
            )
            method = "two-point Arrhenius estimate"
            inside = rate1 <= target_c_min <= entry.criterion_c_min
            flags.append(
                f"T_tr measured at {entry.criterion_c_min:g} degC/min; "
                f"{'interpolated' if inside else 'extrapolated'} to {target_c_min:g} degC/min "
                "through (T_onset, threshold) and (T_tr, criterion): a rough estimate"
            )
        except ThermalError as exc:
            flags.append(f"cannot estimate: {exc.message}")
    return NormalisedEntry(entry, target_c_min, tr, method, comparable, tuple(flags))


def normalise_all(
    entries: tuple[LiteratureEntry, ...] | None = None,
    *,
    target_c_min: float = 1.0,
    assumed_threshold_c_min: float = DEFAULT_ASSUMED_THRESHOLD_C_MIN,
) -> tuple[NormalisedEntry, ...]:
    """:func:`normalise` every row (default: :func:`table_s7`)."""
    rows = table_s7() if entries is None else entries
    return tuple(
        normalise(e, target_c_min=target_c_min, assumed_threshold_c_min=assumed_threshold_c_min)
        for e in rows
    )
