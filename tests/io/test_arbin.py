"""The Arbin reader: MITS Pro Excel workbooks and CSV exports.

Golden values: for the real workbook, the facts its publisher gives (PROVENANCE.md:
graphite/Li half cell cycled at 50 µA between 0.05 and 1 V) and cells read straight from
the sheet with fastexcel; for the files written here, values worked out by hand in each
test (sums of per-cycle capacities, UTC timestamps from :mod:`datetime`).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import elyte
from elyte.errors import ElyteError, ReaderError
from elyte.io import arbin, landt
from tests.conftest import shared_file

REAL = ("arbin", "bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx")


def _utc(*args: int) -> float:
    return dt.datetime(*args, tzinfo=dt.UTC).timestamp()  # type: ignore[misc]


def _notes(rec: elyte.Recording) -> str:
    return "\n".join(rec.meta.notes)


# --------------------------------------------------------------------------------------
# The real workbook
# --------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_workbook_physics() -> None:
    """50 µA graphite/Li half cell, 0.05-1 V (PROVENANCE.md), read through elyte.read."""
    path = shared_file(*REAL)
    assert arbin.guess_can_open(path)
    rec = elyte.read(path)
    assert rec.meta.format == "arbin"
    assert rec.meta.instrument == "Arbin"
    assert rec.meta.channel == "11"
    data = rec.data
    assert data.height == 4526
    current = data["current_ampere"]
    active = current.filter(current != 0).abs()
    assert active.median() == pytest.approx(50e-6, rel=0.02)
    assert active.max() < 60e-6
    # Discharge (lithiating graphite) is negative current, as BDF wants.
    assert data.filter(pl.col("step_id") == 2)["current_ampere"].max() < 0  # type: ignore[operator]
    assert data.filter(pl.col("step_id") == 3)["current_ampere"].min() > 0  # type: ignore[operator]
    # After the first discharge reaches the lower cut-off, the cell stays within 0.05-1 V.
    cycling = data.filter(pl.col("step_count") >= 3)["voltage_volt"]
    assert cycling.min() >= 0.0499  # type: ignore[operator]
    assert cycling.max() <= 1.0001  # type: ignore[operator]
    assert data["voltage_volt"].min() == pytest.approx(0.05, abs=1e-3)
    assert data.filter(pl.col("step_id") == 3)["voltage_volt"].max() == pytest.approx(1.0, abs=1e-3)
    # Time runs forward; the cumulative capacities never decrease.
    assert bool((data["test_time_second"].diff().drop_nulls() > 0).all())
    for column in ("charging_capacity_ah", "discharging_capacity_ah"):
        assert bool((data[column].diff().drop_nulls() >= 0).all()), column
    # One Cycle_Index for the whole file, so the per-cycle counter is also the total.
    assert data["cycle_count"].unique().to_list() == [1]
    assert data["cycle_discharging_capacity_ah"].equals(
        data["discharging_capacity_ah"], check_names=False
    )
    assert data["step_count"].unique(maintain_order=True).to_list() == [1, 2, 3, 4, 5]
    # Date_Time minus Test_Time is the same instant for every row (within 0.1 s).
    start = data["unix_time_second"] - data["test_time_second"]
    assert float(start.max() - start.min()) < 0.1  # type: ignore[operator]
    assert "read as UTC" in _notes(rec)
    assert "Internal Resistance(Ohm)" in _notes(rec)  # empty column dropped, and said so
    assert rec.meta.vendor["Start DateTime"] == "2020-10-19 11:33:31"


@pytest.mark.realdata
def test_real_workbook_cells_match_the_sheet() -> None:
    """Last row against the raw cells read with fastexcel (units already A, V, Ah)."""
    fastexcel = pytest.importorskip("fastexcel")
    path = shared_file(*REAL)
    raw = fastexcel.read_excel(str(path)).load_sheet("Channel_11_1").to_polars()
    rec = arbin.read(path)
    last = rec.data.row(-1, named=True)
    assert last["test_time_second"] == raw["Test_Time(s)"][-1]
    assert last["voltage_volt"] == raw["Voltage(V)"][-1]
    assert last["current_ampere"] == raw["Current(A)"][-1]
    assert last["cycle_charging_capacity_ah"] == raw["Charge_Capacity(Ah)"][-1]
    assert last["discharging_capacity_ah"] == raw["Discharge_Capacity(Ah)"][-1]
    assert last["step_id"] == int(raw["Step_Index"][-1])
    first = raw["Date_Time"][0]
    assert rec.data["unix_time_second"][0] == pytest.approx(
        first.replace(tzinfo=dt.UTC).timestamp(), abs=1e-3
    )
    assert rec.meta.start_time == first


# --------------------------------------------------------------------------------------
# Generated workbooks and CSV files
# --------------------------------------------------------------------------------------

_HEADER = [
    "Data_Point",
    "Test_Time(s)",
    "Date_Time",
    "Step_Time(s)",
    "Step_Index",
    "Cycle_Index",
    "Current(A)",
    "Voltage(V)",
    "Charge_Capacity(Ah)",
    "Discharge_Capacity(Ah)",
    "Charge_Energy(Wh)",
    "Discharge_Energy(Wh)",
    "Internal_Resistance(Ohm)",
    "dV/dt(V/s)",
    "Aux_Temperature(°)_1",
]


def _rows() -> list[list[object]]:
    t0 = dt.datetime(2024, 1, 1, 9, 0, 0)

    def at(s: float) -> dt.datetime:
        return t0 + dt.timedelta(seconds=s)

    # Capacities accumulate within the cycle and restart when Cycle_Index goes to 2.
    return [
        [1, 0.0, at(0), 0.0, 1, 1, 0.0, 3.00, 0.0, 0.0, 0.0, 0.0, 0.05, 0.0, 25.0],
        [2, 10.0, at(10), 0.0, 2, 1, -0.001, 2.90, 0.0, 0.0, 0.0, 0.0, 0.05, -0.01, 25.1],
        [3, 20.0, at(20), 10.0, 2, 1, -0.001, 2.80, 0.0, 0.00278, 0.0, 0.0080, 0.05, -0.01, 25.2],
        [4, 30.0, at(30), 0.0, 3, 1, 0.001, 3.10, 0.0, 0.00278, 0.0, 0.0080, 0.05, 0.01, 25.3],
        [
            5,
            40.0,
            at(40),
            10.0,
            3,
            1,
            0.001,
            3.20,
            0.0025,
            0.00278,
            0.0078,
            0.0080,
            0.05,
            0.01,
            25.4,
        ],
        [6, 50.0, at(50), 0.0, 2, 2, -0.001, 2.95, 0.0, 0.0, 0.0, 0.0, 0.05, -0.01, 25.5],
        [7, 60.0, at(60), 10.0, 2, 2, -0.001, 2.90, 0.0, 0.0030, 0.0, 0.0087, 0.05, -0.01, 25.6],
    ]


def _xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


_INFO = [
    [None, None, None, "TEST REPORT"],
    [None, None, None, "gen_test", "Serial Number"],
    [None, None, None, "2024-01-02", 12345],
    ["Channel", "Start DateTime", "Schedule File Name", "Creator", "Comments"],
    [1, "2024-01-01 09:00:00", "x.sdu", "me", None],
]


def _workbook(tmp_path: Path) -> Path:
    rows = _rows()
    return _xlsx(
        tmp_path / "arbin.xlsx",
        {
            "Global_Info": _INFO,
            "Channel_1_1": [_HEADER, *rows[:5]],
            "Channel_1_2": [_HEADER, *rows[5:]],
            "Statistics_1": [["Cycle_Index", "Charge_Capacity(Ah)"], [1, 0.0025]],
            "Channel_Chart": [["chart"]],
        },
    )


def test_generated_workbook_per_cycle_counters(tmp_path: Path) -> None:
    """Two overflow sheets, capacities per cycle → cycle_* columns and cumulative totals.

    By hand: discharge 2.78 mAh in cycle 1 plus 3.00 mAh in cycle 2 = 5.78 mAh in total.
    """
    path = _workbook(tmp_path)
    assert arbin.guess_can_open(path)
    assert not landt.guess_can_open(path)
    rec = elyte.read(path)
    data = rec.data
    assert data["record_index"].to_list() == [1, 2, 3, 4, 5, 6, 7]
    assert data["cycle_discharging_capacity_ah"].to_list() == [
        0,
        0,
        0.00278,
        0.00278,
        0.00278,
        0,
        0.003,
    ]
    assert data["discharging_capacity_ah"].to_list() == pytest.approx(
        [0, 0, 0.00278, 0.00278, 0.00278, 0.00278, 0.00578], abs=1e-15
    )
    assert data["charging_capacity_ah"].to_list() == pytest.approx(
        [0, 0, 0, 0, 0.0025, 0.0025, 0.0025], abs=1e-15
    )
    assert data["discharging_energy_wh"][-1] == pytest.approx(0.0080 + 0.0087, abs=1e-15)
    assert data["step_id"].to_list() == [1, 2, 2, 3, 3, 2, 2]
    assert data["step_count"].to_list() == [1, 2, 2, 3, 3, 4, 4]
    assert data["temperature_t1_celsius"].to_list() == [25.0, 25.1, 25.2, 25.3, 25.4, 25.5, 25.6]
    assert data["internal_resistance_ohm"].to_list() == [0.05] * 7
    assert data["dv_dt_v_per_s"].to_list() == [0.0, -0.01, -0.01, 0.01, 0.01, -0.01, -0.01]
    assert rec.unit("dv_dt_v_per_s") == "V/s"
    assert data["unix_time_second"].to_list() == [
        _utc(2024, 1, 1, 9, 0, 0) + s for s in range(0, 70, 10)
    ]
    assert rec.meta.channel == "1"
    assert rec.meta.vendor["test_name"] == "gen_test"
    assert rec.meta.vendor["Serial Number"] == "12345"
    notes = _notes(rec)
    assert "Channel_1_2" in notes
    assert "Statistics_1" in notes
    assert "per-cycle counter" in notes
    assert rec.meta.column_map["Charge_Capacity(Ah)"] == "cycle_charging_capacity_ah"


def test_several_channels_and_the_channel_option(tmp_path: Path) -> None:
    rows = _rows()
    other = [list(r) for r in rows]
    for row in other:
        row[7] = float(row[7]) + 1.0  # type: ignore[arg-type]
    path = _xlsx(
        tmp_path / "two.xlsx",
        {"Info": _INFO, "Channel_1_1": [_HEADER, *rows], "Channel_2_1": [_HEADER, *other]},
    )
    rec = arbin.read(path)
    assert rec.data["voltage_volt"][0] == 3.0
    assert "pass channel=" in _notes(rec)
    rec = arbin.read(path, channel=2)
    assert rec.data["voltage_volt"][0] == 4.0
    with pytest.raises(ReaderError, match="channel"):
        arbin.read(path, channel=9)


_CSV_HEADER = (
    "Data Point,Date Time,Test Time (s),Step Time (s),Cycle Index,Step Index,TC_Counter1,"
    "Current (A),Voltage (V),Power (W),Charge Capacity (Ah),Discharge Capacity (Ah),"
    "Charge Energy (Wh),Discharge Energy (Wh),mAh/g,dV/dt (V/s),Internal Resistance (Ohm),"
    "Aux_Temperature_1 (C)"
)


def _csv(tmp_path: Path) -> Path:
    # The schedule resets both capacities when step 4 (CV charge) starts: neither a step
    # nor a cycle convention, so they must keep schedule_* names.
    rows = [
        (1, 0, 0, 1, 0.0, 3.00, 0.0, 0.0),
        (2, 10, 0, 2, -0.002, 2.90, 0.0, 0.0),
        (3, 20, 10, 2, -0.002, 2.80, 0.0, 0.0010),
        (4, 30, 0, 3, 0.002, 3.50, 0.0, 0.0010),
        (5, 40, 10, 3, 0.002, 4.00, 0.0020, 0.0010),
        (6, 50, 0, 4, 0.001, 4.20, 0.0, 0.0),
        (7, 60, 10, 4, 0.001, 4.20, 0.0005, 0.0),
    ]
    lines = [_CSV_HEADER]
    start = dt.datetime(2023, 10, 11, 23, 59, 50, 661000)
    for point, t, st, step, i, v, qc, qd in rows:
        stamp = "\t" + (start + dt.timedelta(seconds=t)).strftime("%m/%d/%Y %H:%M:%S.%f")[:-3]
        lines.append(
            f"{point},{stamp},{t},{st},1,{step},0,{i},{v},{i * v},{qc},{qd},0,0,{qc * 1000},0,"
            f"0.1,24.5"
        )
    path = tmp_path / "arbin.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode())
    return path


def test_generated_csv_schedule_resets(tmp_path: Path) -> None:
    """Counters reset by the schedule mid-cycle: schedule_* names, right cumulative totals.

    By hand: 2.0 mAh charged before the reset plus 0.5 mAh after = 2.5 mAh; 1.0 mAh
    discharged in total. The dates (10/11/2023 23:59:50.661, then 10/12/2023 00:00:00.661,
    ...) have no field above 12; only month-first makes midnight a 10 s step, as the test
    time says.
    """
    path = _csv(tmp_path)
    assert arbin.guess_can_open(path)
    assert not landt.guess_can_open(path)
    rec = elyte.read(path)
    data = rec.data
    assert "cycle_charging_capacity_ah" not in data.columns
    assert data["schedule_charging_capacity_ah"].to_list() == [0, 0, 0, 0, 0.002, 0, 0.0005]
    assert data["charging_capacity_ah"].to_list() == pytest.approx(
        [0, 0, 0, 0, 0.002, 0.002, 0.0025], abs=1e-15
    )
    assert data["discharging_capacity_ah"].to_list() == pytest.approx(
        [0, 0, 0.001, 0.001, 0.001, 0.001, 0.001], abs=1e-15
    )
    assert data["power_watt"][1] == pytest.approx(-0.002 * 2.9)
    assert data["temperature_t1_celsius"].to_list() == [24.5] * 7
    assert data["specific_capacity_mah_per_g"][4] == pytest.approx(2.0)
    assert data["record_index"].to_list() == list(range(1, 8))
    assert data["unix_time_second"][0] == pytest.approx(_utc(2023, 10, 11, 23, 59, 50) + 0.661)
    assert data["unix_time_second"][-1] == pytest.approx(_utc(2023, 10, 12, 0, 0, 50) + 0.661)
    notes = _notes(rec)
    assert "month/day/year: only that order agrees with the test time" in notes
    assert "does not restart at each cycle" in notes
    assert "assuming each restart begins from zero" in notes


def test_bad_content_is_a_reader_error(tmp_path: Path) -> None:
    path = _csv(tmp_path)
    path.write_text(path.read_text(encoding="utf-8-sig").replace(",2.8,", ",2.8V,", 1))
    with pytest.raises(ReaderError, match=r"Voltage \(V\).*line 4"):
        arbin.read(path)
    no_channel = _xlsx(tmp_path / "none.xlsx", {"Sheet": [["a", "b"], [1, 2]]})
    with pytest.raises(ReaderError, match="no Channel_"):
        arbin.read(no_channel)
    assert not arbin.guess_can_open(no_channel)


def test_truncated_and_mutated_generated_files_fail_cleanly(tmp_path: Path) -> None:
    """Cut or damaged copies of the generated workbook and CSV raise ElyteError or read."""
    rng = np.random.default_rng(1)
    for source in (_workbook(tmp_path), _csv(tmp_path)):
        blob = source.read_bytes()
        for k in range(40):
            data = bytearray(blob[: int(rng.integers(0, len(blob)))] if k % 2 else blob)
            for _ in range(int(rng.integers(0, 6))):
                if data:
                    data[int(rng.integers(0, len(data)))] = int(rng.integers(0, 256))
            target = tmp_path / f"m{k}{source.suffix}"
            target.write_bytes(bytes(data))
            error: ElyteError | None = None
            try:
                arbin.read(target)
            except ElyteError as exc:
                error = exc
            assert error is None or error.path == target
            arbin.guess_can_open(target)


@pytest.mark.realdata
def test_guess_rejects_the_land_csv() -> None:
    path = shared_file("landt", "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv")
    assert not arbin.guess_can_open(path)
    assert landt.guess_can_open(path)


def test_guess_rejects_generic_files(tmp_path: Path) -> None:
    generic = tmp_path / "g.csv"
    generic.write_text("time,voltage,current\n0,3,0\n")
    assert not arbin.guess_can_open(generic)
    assert not arbin.guess_can_open(tmp_path / "missing.xlsx")
    junk = tmp_path / "j.xlsx"
    junk.write_bytes(b"\x00" * 100)
    assert not arbin.guess_can_open(junk)


def test_reading_the_real_workbook_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    """Calamine's "could not determine dtype" warnings for empty columns stay quiet."""
    path = shared_file("arbin", "bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx")
    with caplog.at_level(logging.DEBUG):
        elyte.read(path)
    assert [r for r in caplog.records if r.name.startswith("fastexcel")] == []
