"""Li inventory: how much Li a cell loses per cycle, and when its Li excess runs out.

In a Li-metal cell every cycle plates the cycled charge Q onto the anode and strips it
again; the part ``(1 - CE) x Q`` that is not recovered (SEI, electrically isolated "dead"
Li) is lost for good. The cell keeps its capacity while the Li excess covers the losses
and fails abruptly once it is used up: the "sudden failure" of the seed's LiPF6 cells.

Model and its closed form
-------------------------
With ``L_k = sum_{i <= k} (1 - CE_i) x Q_i`` the Li lost after k cycles, the excess is
exhausted at the first cycle k with ``L_k >= E``. The excess E depends on where the
cathode's Li is:

* **lithiated cathode** (NCM811, LiCoO2, LFP as assembled; ``cathode_lithiated=True``,
  the default): the cathode brings the Li it cycles, so the whole Li-metal anode is excess,
  ``E = N`` (N = anode areal capacity);
* **unlithiated cathode** (S, O2, or a delithiated host): the anode must also supply the
  cathode's Li, ``E = N - P`` (P = cathode areal capacity).

For a constant CE and ``Q_i = u x P`` (u the utilisation of the cathode, 1 by default) the
losses are linear in k, so the exhaustion point is exactly

``k* = (N/P) / (u (1 - CE))`` (lithiated) or ``k* = (N/P - 1) / (u (1 - CE))`` (unlithiated),

and the first whole cycle at which the excess is gone is ``ceil(k*)``. This is exact under
the model's assumptions (constant CE and cycled charge; Li lost only as the CE deficit);
real cells often fail earlier (electrolyte consumption, impedance growth). The often quoted
``(N/P - 1)/(1 - CE)`` is the unlithiated case; for the seed's NCM811/Li cells the
lithiated form applies.

Li metal's areal capacity from its thickness uses a density of 0.534 g/cm³ and 3860 mAh/g
(``F / (3.6 x M_Li)`` with M_Li = 6.94 g/mol gives 3862 mAh/g; 3860 mAh/g and 0.534 g/cm³
are the values quoted throughout the Li-metal literature, e.g. Xu et al., Energy Environ.
Sci. 7 (2014) 513). 50 µm of Li is then 10.31 mAh/cm²; the seed's Table S6 rounds it to
10 mAh/cm² (N/P 2.7 against 3.7 mAh/cm² of NCM811).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from elyte.cycling.summary import CycleTable, _jsonable
from elyte.errors import MissingCellParameterError

__all__ = [
    "LI_DENSITY_G_CM3",
    "LI_SPECIFIC_CAPACITY_MAH_G",
    "LiInventory",
    "cycles_to_li_exhaustion",
    "li_areal_capacity",
    "li_inventory",
    "li_thickness",
]

#: Density of Li metal, g/cm³ (room temperature).
LI_DENSITY_G_CM3 = 0.534

#: Theoretical specific capacity of Li metal, mAh/g.
LI_SPECIFIC_CAPACITY_MAH_G = 3860.0

_UM_PER_CM = 1.0e4
_CROSSING_RTOL = 1.0e-12


def _check(name: str, value: Any, *, allow_zero: bool = False, upper: float | None = None) -> float:
    ok = (
        not isinstance(value, bool)
        and isinstance(value, int | float | np.floating | np.integer)
        and math.isfinite(float(value))
        and (float(value) >= 0 if allow_zero else float(value) > 0)
        and (upper is None or float(value) <= upper)
    )
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        if upper is not None:
            bound += f" and <= {upper:g}"
        raise MissingCellParameterError(f"{name} must be a finite number {bound}, not {value!r}")
    return float(value)


def li_areal_capacity(
    thickness_um: float,
    *,
    density_g_cm3: float = LI_DENSITY_G_CM3,
    specific_capacity_mah_g: float = LI_SPECIFIC_CAPACITY_MAH_G,
) -> float:
    """Areal capacity of a Li-metal foil, mAh/cm².

    Parameters
    ----------
    thickness_um : float
        Foil thickness, µm.
    density_g_cm3 : float
        Density of Li, g/cm³ (default 0.534).
    specific_capacity_mah_g : float
        Specific capacity of Li, mAh/g (default 3860).

    Returns
    -------
    float
        ``thickness x density x specific capacity``, mAh/cm².

    Raises
    ------
    MissingCellParameterError
        If a value is not a positive finite number.

    Examples
    --------
    >>> round(li_areal_capacity(50.0), 2)
    10.31
    """
    t = _check("thickness_um", thickness_um)
    rho = _check("density_g_cm3", density_g_cm3)
    cap = _check("specific_capacity_mah_g", specific_capacity_mah_g)
    return t / _UM_PER_CM * rho * cap


def li_thickness(
    areal_capacity_mah_cm2: float,
    *,
    density_g_cm3: float = LI_DENSITY_G_CM3,
    specific_capacity_mah_g: float = LI_SPECIFIC_CAPACITY_MAH_G,
) -> float:
    """Thickness of Li metal holding an areal capacity, µm (inverse of :func:`li_areal_capacity`).

    Raises
    ------
    MissingCellParameterError
        If a value is not a positive finite number.

    Examples
    --------
    >>> round(li_thickness(10.0), 1)
    48.5
    """
    q = _check("areal_capacity_mah_cm2", areal_capacity_mah_cm2)
    rho = _check("density_g_cm3", density_g_cm3)
    cap = _check("specific_capacity_mah_g", specific_capacity_mah_g)
    return q / (rho * cap) * _UM_PER_CM


def cycles_to_li_exhaustion(
    ce: float,
    np_ratio: float,
    *,
    cathode_lithiated: bool = True,
    utilisation: float = 1.0,
) -> float:
    """Closed-form cycle at which a constant CE uses up the Li excess (module docstring).

    Parameters
    ----------
    ce : float
        Coulombic efficiency of Li plating/stripping, fraction (0.9939, not 99.39).
    np_ratio : float
        Anode (Li) over cathode areal capacity, N/P.
    cathode_lithiated : bool
        True when the cathode brings its own Li (NCM, LCO, LFP): excess = N. False for an
        unlithiated cathode (S, O2): excess = N - P.
    utilisation : float
        Cycled charge as a fraction of the cathode capacity (default 1).

    Returns
    -------
    float
        ``k* = (N/P) / (u (1 - CE))`` or ``(N/P - 1) / (u (1 - CE))``; ``inf`` for CE = 1;
        0 when there is no excess.

    Raises
    ------
    MissingCellParameterError
        If CE is outside (0, 1], N/P is not positive or the utilisation is outside (0, 1].

    Examples
    --------
    >>> round(cycles_to_li_exhaustion(0.9939, 2.7), 1)
    442.6
    >>> round(cycles_to_li_exhaustion(0.9939, 2.7, cathode_lithiated=False), 1)
    278.7
    """
    c = _check("ce", ce, upper=1.0)
    ratio = _check("np_ratio", np_ratio)
    u = _check("utilisation", utilisation, upper=1.0)
    excess = ratio if cathode_lithiated else ratio - 1.0
    if excess <= 0:
        return 0.0
    if c >= 1.0:
        return math.inf
    return excess / (u * (1.0 - c))


@dataclass(frozen=True)
class LiInventory:
    """Li lost over a CE history and when the Li excess runs out.

    Attributes
    ----------
    cycles : polars.DataFrame
        One row per cycle: ``cycle``, ``coulombic_efficiency``, ``cycled_mah_cm2`` (the
        charge in the CE's denominator: plated Li, or the charge of a cathode/Li cell),
        ``li_lost_mah_cm2``, ``cumulative_li_lost_mah_cm2``, ``excess_left_mah_cm2``
        (negative once exhausted).
    anode_capacity_mah_cm2 : float
        N, the Li-metal anode's areal capacity, mAh/cm².
    cathode_capacity_mah_cm2 : float or None
        P, mAh/cm² (None when only the anode was given).
    np_ratio : float or None
        N/P.
    excess_mah_cm2 : float
        Li that may be lost before the cell runs short: N (lithiated cathode) or N - P.
    exhausted_at_cycle : int or None
        First cycle after which the cumulative loss reaches the excess (None: not within
        the history).
    closed_form_cycles : float or None
        :func:`cycles_to_li_exhaustion` for the mean CE and mean cycled charge (the
        constant-CE approximation of the history), cycles.
    mean_ce : float
        Charge-weighted mean CE of the history, ``1 - sum(loss) / sum(cycled)``.
    conventions : dict
        Model, constants and where each number came from (plain JSON).
    notes : tuple of str
        Anything unusual, in plain sentences.
    units : dict
        Unit of every column and numeric field.
    """

    cycles: pl.DataFrame
    anode_capacity_mah_cm2: float
    cathode_capacity_mah_cm2: float | None
    np_ratio: float | None
    excess_mah_cm2: float
    exhausted_at_cycle: int | None
    closed_form_cycles: float | None
    mean_ce: float
    conventions: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    units: dict[str, str] = field(
        default_factory=lambda: {
            "cycle": "1",
            "coulombic_efficiency": "1",
            "cycled_mah_cm2": "mAh/cm2",
            "li_lost_mah_cm2": "mAh/cm2",
            "cumulative_li_lost_mah_cm2": "mAh/cm2",
            "excess_left_mah_cm2": "mAh/cm2",
            "anode_capacity_mah_cm2": "mAh/cm2",
            "cathode_capacity_mah_cm2": "mAh/cm2",
            "np_ratio": "1",
            "excess_mah_cm2": "mAh/cm2",
            "exhausted_at_cycle": "1",
            "closed_form_cycles": "1",
            "mean_ce": "1",
        }
    )

    @property
    def cumulative_li_lost(self) -> np.ndarray:
        """Cumulative Li lost after each cycle, mAh/cm²."""
        return self.cycles.get_column("cumulative_li_lost_mah_cm2").to_numpy()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view (non-finite numbers become ``None``)."""
        out: dict[str, Any] = _jsonable(
            {
                "anode_capacity_mah_cm2": self.anode_capacity_mah_cm2,
                "cathode_capacity_mah_cm2": self.cathode_capacity_mah_cm2,
                "np_ratio": self.np_ratio,
                "excess_mah_cm2": self.excess_mah_cm2,
                "exhausted_at_cycle": self.exhausted_at_cycle,
                "closed_form_cycles": self.closed_form_cycles,
                "mean_ce": self.mean_ce,
                "conventions": self.conventions,
                "notes": list(self.notes),
                "units": self.units,
                "cycles": self.cycles.to_dicts(),
            }
        )
        return out


def _from_table(
    table: CycleTable, area_cm2: float | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """CE, the CE's denominator charge (mAh/cm²) and cycle numbers from a CycleTable."""
    data = table.data.filter(pl.col("coulombic_efficiency").is_not_null())
    negative = table.conventions.get("working_electrode") == "negative"
    denominator = "discharge" if negative else "charge"
    areal = f"{denominator}_capacity_mah_cm2"
    if areal in data.columns and data.get_column(areal).null_count() < data.height:
        q = data.get_column(areal).cast(pl.Float64).fill_null(np.nan).to_numpy()
        how = f"CycleTable column {areal}"
    else:
        if area_cm2 is None:
            raise MissingCellParameterError(
                f"the CycleTable has no {areal} column: pass area_cm2=... (cm²) to turn "
                f"{denominator}_capacity_ah into mAh/cm², or build the table with a CellSpec "
                "that has area_cm2"
            )
        q = (
            data.get_column(f"{denominator}_capacity_ah").cast(pl.Float64).to_numpy()
            * 1000.0
            / area_cm2
        )
        how = f"CycleTable column {denominator}_capacity_ah x 1000 / area_cm2"
    ce = data.get_column("coulombic_efficiency").cast(pl.Float64).to_numpy()
    cycles = data.get_column("cycle").cast(pl.Int64).to_numpy()
    return ce, q, cycles, how


def li_inventory(
    ce: float | Sequence[float] | np.ndarray | CycleTable,
    *,
    cathode_capacity_mah_cm2: float | None = None,
    anode_capacity_mah_cm2: float | None = None,
    li_thickness_um: float | None = None,
    np_ratio: float | None = None,
    cycled_capacity_mah_cm2: float | Sequence[float] | np.ndarray | None = None,
    n_cycles: int | None = None,
    cathode_lithiated: bool = True,
    area_cm2: float | None = None,
) -> LiInventory:
    """Cumulative Li lost from a CE history and the cycle at which the Li excess is gone.

    Parameters
    ----------
    ce : float, sequence of float, numpy.ndarray or CycleTable
        Per-cycle Coulombic efficiency (fractions), a single constant CE (then give
        ``n_cycles``), or a :class:`~elyte.cycling.CycleTable` whose ``coulombic_efficiency``
        column and CE-denominator capacity (charge for a positive working electrode,
        plating = discharge for a negative one) are used.
    cathode_capacity_mah_cm2 : float, optional
        P, the cathode's areal capacity, mAh/cm² (the seed: 3.7). Also the default cycled
        charge per cycle.
    anode_capacity_mah_cm2 : float, optional
        N, the Li anode's areal capacity, mAh/cm².
    li_thickness_um : float, optional
        Li foil thickness, µm (N from :func:`li_areal_capacity`).
    np_ratio : float, optional
        N/P (N = ratio x P; needs ``cathode_capacity_mah_cm2``). Give N exactly one way.
    cycled_capacity_mah_cm2 : float or array, optional
        Charge cycled per cycle (the CE's denominator), mAh/cm²; default P, or the table's
        capacities for a CycleTable.
    n_cycles : int, optional
        Number of cycles when ``ce`` is a single number.
    cathode_lithiated : bool
        Whether the cathode brings its own Li (default True: NCM811); see the module
        docstring.
    area_cm2 : float, optional
        Electrode area, cm², to convert a CycleTable's Ah to mAh/cm² when it has no areal
        columns.

    Returns
    -------
    LiInventory
        Per-cycle losses, the exhaustion cycle and the closed-form estimate.

    Raises
    ------
    MissingCellParameterError
        If N is not given exactly once, a needed capacity is missing, a CE is outside
        (0, 1], or the arrays do not match.

    Examples
    --------
    The seed's pouch cell (50 µm Li, NCM811 3.7 mAh/cm²) at the Li||Cu CE of 99.39 %:

    >>> inv = li_inventory(0.9939, n_cycles=600, li_thickness_um=50.0,
    ...                    cathode_capacity_mah_cm2=3.7)
    >>> round(inv.np_ratio, 2), inv.exhausted_at_cycle
    (2.79, 457)
    """
    given = [x is not None for x in (anode_capacity_mah_cm2, li_thickness_um, np_ratio)]
    if sum(given) != 1:
        raise MissingCellParameterError(
            "give the Li anode exactly once: anode_capacity_mah_cm2=... (mAh/cm²), "
            "li_thickness_um=... (µm) or np_ratio=... (with cathode_capacity_mah_cm2)"
        )
    p = (
        _check("cathode_capacity_mah_cm2", cathode_capacity_mah_cm2)
        if cathode_capacity_mah_cm2 is not None
        else None
    )
    conventions: dict[str, Any] = {}
    if anode_capacity_mah_cm2 is not None:
        n_cap = _check("anode_capacity_mah_cm2", anode_capacity_mah_cm2)
        conventions["anode"] = "given as areal capacity"
    elif li_thickness_um is not None:
        n_cap = li_areal_capacity(li_thickness_um)
        conventions["anode"] = (
            f"{li_thickness_um:g} µm x {LI_DENSITY_G_CM3} g/cm3 x {LI_SPECIFIC_CAPACITY_MAH_G:g} "
            "mAh/g"
        )
    else:
        if p is None:
            raise MissingCellParameterError(
                "np_ratio needs cathode_capacity_mah_cm2=... (mAh/cm²) to give the anode capacity"
            )
        n_cap = _check("np_ratio", np_ratio) * p
        conventions["anode"] = "np_ratio x cathode_capacity_mah_cm2"
    if area_cm2 is not None:
        _check("area_cm2", area_cm2)

    notes: list[str] = []
    if isinstance(ce, CycleTable):
        ce_arr, q_arr, cycle_no, how = _from_table(ce, area_cm2)
        conventions["ce_source"] = "CycleTable column coulombic_efficiency"
        conventions["cycled_source"] = how
        if cycled_capacity_mah_cm2 is not None:
            raise MissingCellParameterError(
                "cycled_capacity_mah_cm2 cannot be combined with a CycleTable, which has its "
                "own capacities"
            )
    else:
        ce_arr = np.atleast_1d(np.asarray(ce, dtype=np.float64))
        if ce_arr.ndim != 1 or ce_arr.size == 0:
            raise MissingCellParameterError("ce must be a number or a 1-D sequence of numbers")
        if ce_arr.size == 1 and n_cycles is not None:
            if isinstance(n_cycles, bool) or not isinstance(n_cycles, int) or n_cycles < 1:
                raise MissingCellParameterError(
                    f"n_cycles must be an integer >= 1, not {n_cycles!r}"
                )
            ce_arr = np.full(n_cycles, ce_arr[0])
        elif n_cycles is not None and n_cycles != ce_arr.size:
            raise MissingCellParameterError(
                f"n_cycles={n_cycles} does not match the {ce_arr.size} CE values given"
            )
        cycle_no = np.arange(1, ce_arr.size + 1, dtype=np.int64)
        conventions["ce_source"] = "given"
        if cycled_capacity_mah_cm2 is None:
            if p is None:
                raise MissingCellParameterError(
                    "the cycled charge is unknown: pass cathode_capacity_mah_cm2=... (mAh/cm²) "
                    "or cycled_capacity_mah_cm2=..."
                )
            q_arr = np.full(ce_arr.size, p)
            conventions["cycled_source"] = "cathode_capacity_mah_cm2 every cycle (full utilisation)"
        else:
            q_arr = np.atleast_1d(np.asarray(cycled_capacity_mah_cm2, dtype=np.float64))
            if q_arr.size == 1:
                q_arr = np.full(ce_arr.size, q_arr[0])
            if q_arr.shape != ce_arr.shape:
                raise MissingCellParameterError(
                    f"cycled_capacity_mah_cm2 has {q_arr.size} values for {ce_arr.size} cycles"
                )
            conventions["cycled_source"] = "given"
    if not np.all(np.isfinite(ce_arr) & (ce_arr > 0) & (ce_arr <= 1.0)):
        bad = ce_arr[~(np.isfinite(ce_arr) & (ce_arr > 0) & (ce_arr <= 1.0))]
        raise MissingCellParameterError(
            f"every CE must be a fraction in (0, 1] (0.9939, not 99.39); got {bad[:5].tolist()}"
        )
    if not np.all(np.isfinite(q_arr) & (q_arr >= 0)):
        raise MissingCellParameterError("the cycled charges must be finite and >= 0 mAh/cm²")

    excess = n_cap if cathode_lithiated else n_cap - (p if p is not None else math.nan)
    if not cathode_lithiated and p is None:
        raise MissingCellParameterError(
            "with an unlithiated cathode the excess is N - P: pass cathode_capacity_mah_cm2=..."
        )
    if excess <= 0:
        notes.append(
            f"the cell has no Li excess (N = {n_cap:.4g} mAh/cm2"
            + (f", P = {p:.4g} mAh/cm2" if p is not None else "")
            + "): it loses capacity from the first cycle"
        )
    lost = (1.0 - ce_arr) * q_arr
    cumulative = np.cumsum(lost)
    left = excess - cumulative
    # an exact crossing counts despite rounding: compare with a 1e-12 relative margin
    hit = (
        np.flatnonzero(cumulative >= excess * (1.0 - _CROSSING_RTOL))
        if excess > 0
        else np.array([0])
    )
    exhausted = int(cycle_no[hit[0]]) if hit.size else None
    total_q = float(np.sum(q_arr))
    mean_ce = 1.0 - float(np.sum(lost)) / total_q if total_q > 0 else math.nan
    closed: float | None = None
    if p is not None and total_q > 0:
        utilisation = float(np.mean(q_arr)) / p
        if 1.0 < utilisation <= 1.0 + _CROSSING_RTOL:  # rounding of a mean of P's
            utilisation = 1.0
        if 0 < utilisation <= 1:
            closed = cycles_to_li_exhaustion(
                mean_ce,
                n_cap / p,
                cathode_lithiated=cathode_lithiated,
                utilisation=utilisation,
            )
        else:
            notes.append(
                f"the mean cycled charge is {utilisation:.3g} x P; no closed form (utilisation "
                "outside (0, 1])"
            )
    conventions.update(
        {
            "li_lost": "(1 - CE) x cycled charge, per cycle; cumulative sum over the history",
            "excess": "N (lithiated cathode: the cathode brings its own Li)"
            if cathode_lithiated
            else "N - P (unlithiated cathode: the anode also supplies the cathode's Li)",
            "exhausted_at_cycle": "first cycle whose cumulative loss reaches the excess "
            "(within 1e-12 relative, so that an exact crossing counts despite rounding)",
            "closed_form": "(N/P) / (u (1 - CE))"
            if cathode_lithiated
            else "(N/P - 1) / (u (1 - CE))",
            "closed_form_inputs": "CE = charge-weighted mean of the history, u = mean cycled "
            "charge / P",
            "li_density_g_cm3": LI_DENSITY_G_CM3,
            "li_specific_capacity_mah_g": LI_SPECIFIC_CAPACITY_MAH_G,
        }
    )
    table = pl.DataFrame(
        {
            "cycle": cycle_no,
            "coulombic_efficiency": ce_arr,
            "cycled_mah_cm2": q_arr,
            "li_lost_mah_cm2": lost,
            "cumulative_li_lost_mah_cm2": cumulative,
            "excess_left_mah_cm2": left,
        }
    )
    return LiInventory(
        cycles=table,
        anode_capacity_mah_cm2=n_cap,
        cathode_capacity_mah_cm2=p,
        np_ratio=n_cap / p if p is not None else None,
        excess_mah_cm2=excess,
        exhausted_at_cycle=exhausted,
        closed_form_cycles=closed,
        mean_ce=mean_ce,
        conventions=conventions,
        notes=tuple(notes),
    )
