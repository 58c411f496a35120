"""Write simulated recordings as instrument files that elyte's own readers read back.

Two layouts are written:

* :func:`write_mpt`: a BioLogic EC-Lab text export (``.mpt``): ``EC-Lab ASCII FILE``, the
  ``Nb header lines : N`` line, the technique title, ``key : value`` header lines, then one
  tab-separated row per point under EC-Lab's own column names (``time/s``, ``Ewe/V``,
  ``I/mA``, ``(Q-Qo)/mA.h``, ``freq/Hz``, ``-Im(Z)/Ohm``, ...). The ``Comments`` and
  ``Device`` lines say that the file is simulated; :mod:`elyte.io.biologic_mpt` keeps them
  in ``meta.vendor["header"]``.
* :func:`write_landt_csv`: a LAND CSV export in the snake_case layout of the Battery Data
  Format project's LAND example (``key:`` preamble lines, then ``cycle_index, step_index,
  test_time_s, current_A, voltage_V, ...``), with capacities restarting at every step as
  LAND prints them. A ``comment:`` preamble line says that the file is simulated;
  :mod:`elyte.io.landt` keeps it in ``meta.vendor["preamble"]``.

Current keeps the sign it has in the recording (BDF: positive when charging; for a
three-electrode BioLogic file this is EC-Lab's "positive = oxidation at the working
electrode"). Numbers are printed with 11 significant digits, so capacities and resistances
survive the round trip to far better than 0.1 %.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, timedelta
from os import PathLike
from pathlib import Path

import numpy as np
import polars as pl

from elyte.errors import ExportError
from elyte.io.biologic_common import TECHNIQUE_SHORT_NAMES, short_technique_name
from elyte.recording import Recording

__all__ = ["SIMULATED_MARK", "write_landt_csv", "write_mpt"]

#: Text written into every file's metadata.
SIMULATED_MARK = "simulated by the elyte virtual lab (not an instrument measurement)"

_TITLES = {short: title for title, short in TECHNIQUE_SHORT_NAMES.items()}
_PROPER_TITLES = {
    "GCPL": "Galvanostatic Cycling with Potential Limitation",
    "CA": "Chronoamperometry / Chronocoulometry",
    "CP": "Chronopotentiometry",
    "CV": "Cyclic Voltammetry",
    "LSV": "Linear Sweep Voltammetry",
    "MB": "Modulo Bat",
    "OCV": "Open Circuit Voltage",
    "PEIS": "Potentio Electrochemical Impedance Spectroscopy",
    "GEIS": "Galvano Electrochemical Impedance Spectroscopy",
}

#: Canonical column → (EC-Lab header, factor from SI to the printed unit).
_MPT_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("frequency_hertz", "freq/Hz", 1.0),
    ("real_impedance_ohm", "Re(Z)/Ohm", 1.0),
    ("imaginary_impedance_ohm", "-Im(Z)/Ohm", -1.0),
    ("absolute_impedance_ohm", "|Z|/Ohm", 1.0),
    ("phase_degree", "Phase(Z)/deg", 1.0),
    ("test_time_second", "time/s", 1.0),
    ("voltage_volt", "Ewe/V", 1.0),
    ("current_ampere", "I/mA", 1e3),
    ("cycle_count", "cycle number", 1.0),
    ("step_id", "Ns", 1.0),
    ("net_capacity_ah", "(Q-Qo)/mA.h", 1e3),
    ("temperature_t1_celsius", "Temperature/°C", 1.0),
)
_INTEGER_HEADERS = frozenset({"Ns", "half cycle"})
_SETTING_WIDTH = 20


def _title(technique: str | None, rec: Recording) -> str:
    if technique is None:
        technique = rec.meta.techniques[0] if rec.meta.techniques else "GCPL"
    short = short_technique_name(technique)
    return _PROPER_TITLES.get(short, _TITLES.get(short, technique.strip()))


def _half_cycles(current: np.ndarray) -> np.ndarray:
    """EC-Lab's half-cycle counter: +1 whenever the sign of a non-zero current flips."""
    sign = np.sign(current)
    idx = np.where(sign != 0, np.arange(sign.size), 0)
    np.maximum.accumulate(idx, out=idx)
    held = sign[idx]
    if held.size and held[0] == 0:
        first = np.flatnonzero(sign)
        held[: first[0] if first.size else held.size] = sign[first[0]] if first.size else 0
    flips = np.concatenate([[0], (held[1:] != held[:-1]).astype(np.int64)])
    return np.cumsum(flips)


def _reset_at(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Counter restarted at each new ``group``: value minus its value just before the group."""
    start = np.concatenate([[True], group[1:] != group[:-1]])
    before = np.concatenate([[0.0], values[:-1]])
    base = np.where(start, before, np.nan)
    idx = np.where(start, np.arange(values.size), 0)
    np.maximum.accumulate(idx, out=idx)
    return values - base[idx]


def _mpt_frame(rec: Recording, short: str) -> pl.DataFrame:
    data = rec.data
    out: dict[str, pl.Series] = {}
    for canonical, header, factor in _MPT_COLUMNS:
        if canonical not in data.columns:
            continue
        if header == "I/mA" and short in ("GCPL", "CP", "MB"):
            header = "<I>/mA"
        col = data.get_column(canonical)
        if header in ("cycle number",) or header in _INTEGER_HEADERS:
            out[header] = col.cast(pl.Int64) if header == "Ns" else col.cast(pl.Float64)
        else:
            out[header] = (col.cast(pl.Float64) * factor).alias(header)
    have_cum = {"charging_capacity_ah", "discharging_capacity_ah"} <= set(data.columns)
    if have_cum and "current_ampere" in data.columns:
        half = _half_cycles(data.get_column("current_ampere").to_numpy())
        charge = data.get_column("charging_capacity_ah").to_numpy().astype(float)
        discharge = data.get_column("discharging_capacity_ah").to_numpy().astype(float)
        out["half cycle"] = pl.Series("half cycle", half, dtype=pl.Int64)
        out["Q charge/mA.h"] = pl.Series(np.maximum(_reset_at(charge, half), 0.0) * 1e3)
        out["Q discharge/mA.h"] = pl.Series(np.maximum(_reset_at(discharge, half), 0.0) * 1e3)
        if "(Q-Qo)/mA.h" not in out:
            out["(Q-Qo)/mA.h"] = pl.Series((charge - discharge) * 1e3)
    if not out:
        raise ExportError("the recording has no column an EC-Lab export can hold")
    return pl.DataFrame({k: v.rename(k) for k, v in out.items()})


def write_mpt(
    rec: Recording,
    path: str | PathLike[str],
    *,
    technique: str | None = None,
    comments: Sequence[str] = (),
) -> Path:
    """Write a recording as an EC-Lab ``.mpt`` text export.

    Parameters
    ----------
    rec : Recording
        Canonical recording (SI units). Columns written when present: time (s), voltage
        (V), current (mA), cycle number, ``Ns`` (from ``step_id``), ``(Q-Qo)`` (mA·h),
        ``Q charge``/``Q discharge`` per half cycle (mA·h, from the cumulative capacities),
        impedance (Hz, Ω; ``-Im(Z)`` is the negated imaginary part) and temperature (°C).
    path : str or os.PathLike
        Target file (``.mpt``).
    technique : str, optional
        EC-Lab technique, as short name (``"PEIS"``) or title; by default the recording's
        first technique, else GCPL.
    comments : sequence of str
        Extra header lines (``key : value`` or plain text), e.g. the simulation inputs.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ExportError
        If the recording has no writable column or the file cannot be written.
    """
    target = Path(path)
    title = _title(technique, rec)
    short = short_technique_name(title)
    frame = _mpt_frame(rec, short)
    body = io.BytesIO()
    floats = [c for c, t in frame.schema.items() if t == pl.Float64]
    frame.with_columns(pl.col(floats).round_sig_figs(11)).write_csv(
        body,
        separator="\t",
        include_header=False,
        float_scientific=True,
        float_precision=10,
        quote_style="never",
        line_terminator="\r\n",
    )
    header = [
        "",
        title,
        "",
        "Run on channel : 1 (SN 0)",
        f"Comments : {SIMULATED_MARK}",
        "Device : elyte virtual lab (simulated)",
    ]
    start = rec.meta.start_time or datetime(2024, 1, 1)
    header.append(f"Acquisition started on : {start.strftime('%m/%d/%Y %H:%M:%S.%f')[:-3]}")
    for line in comments:
        text = line.replace("\r", " ").replace("\n", " ")
        header.append(text if " : " in text else f"Simulation : {text}")
    header.append(f"{'ctrl_type':<{_SETTING_WIDTH}}{short:<{_SETTING_WIDTH}}")
    header.append(f"{'origin':<{_SETTING_WIDTH}}{'simulated':<{_SETTING_WIDTH}}")
    n_header = len(header) + 3  # magic, Nb header lines, column line
    lines = ["EC-Lab ASCII FILE", f"Nb header lines : {n_header}", *header]
    lines.append("\t".join(frame.columns))
    text = "\r\n".join(lines) + "\r\n"
    try:
        target.write_bytes(text.encode("cp1252") + body.getvalue())
    except OSError as exc:
        raise ExportError(f"cannot write EC-Lab export: {exc}", path=target) from exc
    return target


def _step_groups(data: pl.DataFrame) -> np.ndarray:
    """Executed-step number of each row (from ``step_count``, else step/cycle changes)."""
    if "step_count" in data.columns:
        return data.get_column("step_count").to_numpy()
    keys = [c for c in ("cycle_count", "step_id") if c in data.columns]
    if not keys:
        current = data.get_column("current_ampere").to_numpy()
        return _half_cycles(np.where(np.abs(current) > 0, current, 0.0) + 0.0)
    arr = np.column_stack([data.get_column(c).to_numpy() for c in keys])
    change = np.concatenate([[0], np.any(arr[1:] != arr[:-1], axis=1).astype(np.int64)])
    return np.cumsum(change) + 1


def write_landt_csv(
    rec: Recording, path: str | PathLike[str], *, comments: Sequence[str] = ()
) -> Path:
    """Write a recording as a LAND CSV export (the BDF project's LAND layout).

    Parameters
    ----------
    rec : Recording
        Canonical recording with at least time, voltage and current.
    path : str or os.PathLike
        Target file (``.csv``).
    comments : sequence of str
        Extra preamble lines (``key:value``), e.g. the simulation inputs.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ExportError
        If time, voltage or current is missing or the file cannot be written.

    Notes
    -----
    ``step_index`` is the recording's ``step_id`` (else its executed step number); the
    capacities restart at every executed step, as LAND prints them; ``step_name`` is the
    recording's ``step_type`` when present, else ``CC_Chg``/``CC_DChg``/``Rest`` from the
    sign of the current.
    """
    target = Path(path)
    data = rec.data
    missing = [
        c for c in ("test_time_second", "voltage_volt", "current_ampere") if c not in data.columns
    ]
    if missing:
        raise ExportError(f"a LAND export needs columns {missing}", path=target)
    n = data.height
    steps = _step_groups(data)
    current = data.get_column("current_ampere").to_numpy().astype(float)
    out: dict[str, pl.Series | np.ndarray] = {}
    out["channel_index"] = np.arange(1, n + 1)
    out["cycle_index"] = (
        data.get_column("cycle_count").to_numpy() if "cycle_count" in data.columns else np.ones(n)
    ).astype(np.int64)
    out["step_index"] = (
        data.get_column("step_id").to_numpy() if "step_id" in data.columns else steps
    ).astype(np.int64)
    time = data.get_column("test_time_second").to_numpy().astype(float)
    if rec.meta.start_time is not None:
        start = rec.meta.start_time
        stamps = [start + timedelta(seconds=float(s)) for s in np.floor(time)]
        out["date_time_iso_string"] = pl.Series(stamps).dt.strftime("%Y-%m-%d %H:%M:%S")
    out["test_time_s"] = time
    first = np.concatenate([[True], steps[1:] != steps[:-1]])
    idx = np.where(first, np.arange(n), 0)
    np.maximum.accumulate(idx, out=idx)
    step_start = np.concatenate([[0.0], time[:-1]])[idx]
    step_start[idx == 0] = 0.0
    out["step_time_s"] = time - step_start
    out["current_A"] = current
    out["voltage_V"] = data.get_column("voltage_volt").to_numpy().astype(float)
    for cum, header in (
        ("discharging_capacity_ah", "discharge_capacity_Ah"),
        ("charging_capacity_ah", "charge_capacity_Ah"),
        ("discharging_energy_wh", "discharge_energy_Wh"),
        ("charging_energy_wh", "charge_energy_Wh"),
    ):
        if cum in data.columns:
            out[header] = np.maximum(_reset_at(data.get_column(cum).to_numpy(), steps), 0.0)
    if "temperature_t1_celsius" in data.columns:
        out["temperature_1_C"] = data.get_column("temperature_t1_celsius").to_numpy()
    if "step_type" in data.columns:
        out["step_name"] = data.get_column("step_type").fill_null("Rest")
    else:
        sign = pl.Series(np.sign(current)).cast(pl.Int64)
        step_sign = pl.DataFrame({"s": sign, "g": steps}).select(
            pl.col("s").abs().max().over("g") * pl.col("s").sum().over("g").sign()
        )
        names = step_sign.to_series().replace_strict(
            {1: "CC_Chg", -1: "CC_DChg", 0: "Rest"}, return_dtype=pl.String
        )
        out["step_name"] = names
    frame = pl.DataFrame(
        {k: (v if isinstance(v, pl.Series) else pl.Series(v)) for k, v in out.items()}
    )
    floats = [c for c, t in frame.schema.items() if t == pl.Float64]
    frame = frame.with_columns(pl.col(floats).round_sig_figs(11))
    ncol = frame.width
    pad = "," * (ncol - 1)
    preamble = [
        f"cell model:elyte virtual cell{pad}",
        f"cell id:{rec.meta.channel or 'virtual'}{pad}",
        f"test:{','.join(rec.meta.techniques) or 'cycling'}{pad}",
        f"comment:{SIMULATED_MARK}{pad}",
        f"origin:simulated{pad}",
    ]
    for line in comments:
        text = line.replace(",", ";").replace("\r", " ").replace("\n", " ")
        preamble.append(f"{text if ':' in text else 'simulation:' + text}{pad}")
    body = io.BytesIO()
    frame.write_csv(body, float_precision=None, quote_style="never")
    try:
        target.write_bytes(("\n".join(preamble) + "\n").encode("utf-8") + body.getvalue())
    except OSError as exc:
        raise ExportError(f"cannot write LAND export: {exc}", path=target) from exc
    return target
