"""The LAND/Landt reader: text exports and LANDdt workbooks.

Golden values come from (a) the Battery Data Format project's own conversion of the real
LAND CSV (``../shared/data/landt/*.bdf.csv``) and (b) small files written here, whose
expected canonical values are worked out by hand in each test (unit factors, sums of
per-step capacities, UTC timestamps from :mod:`datetime`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import elyte
from elyte.errors import ElyteError, ReaderError
from elyte.io import arbin, landt
from tests.conftest import shared_file

REAL = ("landt", "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv")
REFERENCE = ("landt", "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv")


def _utc(*args: int) -> float:
    return dt.datetime(*args, tzinfo=dt.UTC).timestamp()  # type: ignore[misc]


def _notes(rec: elyte.Recording) -> str:
    return "\n".join(rec.meta.notes)


def _reaccumulate(values: np.ndarray) -> np.ndarray:
    """Cumulative form of a per-step counter, by hand: add the value held before each drop."""
    out = values.astype(float).copy()
    carried = 0.0
    for i in range(1, len(values)):
        if values[i] < values[i - 1]:
            carried += values[i - 1]
        out[i] = values[i] + carried
    return out


# --------------------------------------------------------------------------------------
# The real LAND CSV export
# --------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_csv_matches_bdf_reference(tmp_path: Path) -> None:
    """Our BDF export of the LAND CSV equals the BDF project's reference conversion.

    The reference (battery-data-format @ 1412b98) predates BDF 1.1: it writes LAND's
    program step number as ``step_index`` (BDF 1.2 calls that ``step_id``; ``step_index``
    now counts points within a step) and writes LAND's per-step capacities under
    ``charging_capacity_ah``/``discharging_capacity_ah``, which BDF now defines as
    cumulative over the test. So we compare their ``step_index`` with our ``step_id``, their
    capacities with our ``step_*_capacity_ah``, and our cumulative columns with their values
    re-accumulated by hand (adding the value held before each restart). Their
    ``ambient_temperature_celsius`` is LAND's ``temperature_1_C``, our
    ``temperature_t1_celsius``. Both files print 4 decimals, read from the same text; the
    tolerance only absorbs float formatting.
    """
    rec = landt.read(shared_file(*REAL))
    out = rec.to_bdf(tmp_path / "ours.bdf.csv")
    ours = pl.read_csv(out, infer_schema_length=None)
    ref = pl.read_csv(shared_file(*REFERENCE), infer_schema_length=None)
    assert ours.height == ref.height == 25162
    pairs = {
        "test_time_second": "test_time_second",
        "voltage_volt": "voltage_volt",
        "current_ampere": "current_ampere",
        "step_id": "step_index",
        "step_charging_capacity_ah": "charging_capacity_ah",
        "step_discharging_capacity_ah": "discharging_capacity_ah",
        "temperature_t1_celsius": "ambient_temperature_celsius",
    }
    for mine, theirs in pairs.items():
        np.testing.assert_allclose(
            ours[mine].cast(pl.Float64).to_numpy(),
            ref[theirs].cast(pl.Float64).to_numpy(),
            rtol=0,
            atol=1e-9,
            err_msg=f"{mine} vs reference {theirs}",
        )
    for mine, theirs in (
        ("charging_capacity_ah", "charging_capacity_ah"),
        ("discharging_capacity_ah", "discharging_capacity_ah"),
    ):
        expected = _reaccumulate(ref[theirs].cast(pl.Float64).to_numpy())
        np.testing.assert_allclose(ours[mine].to_numpy(), expected, rtol=0, atol=1e-9)
    # Totals by hand from the reference: 0.0063 + 0.0013 Ah discharged, 0.0032 Ah charged.
    assert ours["discharging_capacity_ah"][-1] == pytest.approx(0.0076, abs=1e-12)
    assert ours["charging_capacity_ah"][-1] == pytest.approx(0.0032, abs=1e-12)


@pytest.mark.realdata
def test_real_csv_structure_and_notes() -> None:
    """Facts read off the CSV by eye: 2 cycles, program steps 1-3, preamble keys, dates."""
    rec = elyte.read(shared_file(*REAL))
    assert rec.meta.format == "landt"
    assert rec.meta.instrument == "LAND"
    data = rec.data
    assert data["cycle_count"].unique().sort().to_list() == [1, 2]
    assert data["step_id"].unique().sort().to_list() == [1, 2, 3]
    # rest, discharge, charge (cycle 1), discharge (cycle 2): four executed steps.
    assert data["step_count"].unique(maintain_order=True).to_list() == [1, 2, 3, 4]
    assert data["record_index"].to_list()[:3] == [1, 2, 3]
    assert data["step_type"].unique(maintain_order=True).to_list() == [
        "rest",
        "discharge CC",
        "charge CC",
    ]
    # First row: 04/30/2024 14:33:19 (read as UTC by default, and said so).
    assert data["unix_time_second"][0] == _utc(2024, 4, 30, 14, 33, 19)
    assert rec.meta.start_time == dt.datetime(2024, 4, 30, 14, 33, 19)
    notes = _notes(rec)
    assert "read as UTC" in notes
    assert "month-first" in notes
    assert "per-step counter" in notes
    assert "record_index" in notes
    assert "no sensor" in notes
    assert rec.meta.vendor["preamble"]["Nominal capacity used to define the C rate"] == "Ah"
    assert rec.meta.vendor["current_sign_convention"].startswith("signed")
    assert rec.meta.column_map["step_index"] == "step_id"
    assert rec.meta.column_map["charge_capacity_Ah"] == "step_charging_capacity_ah"
    # Monotonic test time, and current is negative only in discharge steps.
    assert bool((data["test_time_second"].diff().drop_nulls() > 0).all())
    discharging = data.filter(pl.col("step_type") == "discharge CC")["current_ampere"]
    assert bool((discharging < 0).all())


@pytest.mark.realdata
def test_real_csv_timezone_option() -> None:
    """Reading the clock as Oslo time (CEST, UTC+2) moves the timestamps 2 h earlier."""
    rec = landt.read(shared_file(*REAL), timezone="Europe/Oslo")
    assert rec.data["unix_time_second"][0] == _utc(2024, 4, 30, 12, 33, 19)
    with pytest.raises(ReaderError, match="time zone"):
        landt.read(shared_file(*REAL), timezone="Mars/Olympus")


# --------------------------------------------------------------------------------------
# Generated text exports
# --------------------------------------------------------------------------------------

_HEADER = (
    "channel_index,cycle_index,step_index,date_time_iso_string,test_time_s,step_time_s,"
    "current_A,voltage_V,discharge_capacity_Ah,charge_capacity_Ah,discharge_energy_Wh,"
    "charge_energy_Wh,Pressure_Psi,temperature_1_C,temperature_2_C,temperature_3_C,step_name"
)


def _bdf_style_csv(tmp_path: Path, dates: list[str], name: str = "land.csv") -> Path:
    rows = [
        ("1,1,1", 0.0, 0.0, "0.0000", "3.0000", "0", "0", "0", "0", "rest"),
        ("2,1,2", 10.0, 0.0, "-0.0010", "2.9000", "0", "0", "0", "0", "discharge CC"),
        ("3,1,2", 20.0, 10.0, "-0.0010", "2.8000", "0.0025", "0", "0.0070", "0", "discharge CC"),
        ("4,1,3", 30.0, 0.0, "0.0010", "3.1000", "0", "0", "0", "0", "charge CC"),
        ("5,1,3", 40.0, 10.0, "0.0010", "3.2000", "0", "0.0030", "0", "0.0096", "charge CC"),
        ("6,2,2", 50.0, 0.0, "-0.0010", "2.9500", "0", "0", "0", "0", "discharge CC"),
        ("7,2,2", 60.0, 10.0, "-0.0010", "2.9000", "0.0040", "0", "0.0116", "0", "discharge CC"),
    ]
    lines = ["cell model:,,,,", "cell id: X1,,,,", "Nominal capacity:Ah,,,,", _HEADER]
    for (ids, t, st, i, v, dq, cq, de, ce, step), date in zip(rows, dates, strict=True):
        lines.append(f"{ids},{date},{t:.3f},{st:.3f},{i},{v},{dq},{cq},{de},{ce},0,25,0,0,{step},")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


_MONTH_FIRST = [
    "05/13/2024 23:59:50",
    "05/14/2024 00:00:00",
    "05/14/2024 00:00:10",
    "05/14/2024 00:00:20",
    "05/14/2024 00:00:30",
    "05/14/2024 00:00:40",
    "05/14/2024 00:00:50",
]


def test_generated_csv_exact_values(tmp_path: Path) -> None:
    """Per-step capacities become step_* columns; the cumulative ones are their running sums.

    Expected cumulative discharge: 0.0025 Ah after cycle 1, +0.0040 Ah in cycle 2 = 0.0065 Ah.
    """
    path = _bdf_style_csv(tmp_path, _MONTH_FIRST)
    assert landt.guess_can_open(path)
    rec = landt.read(path)
    data = rec.data
    assert data["step_id"].to_list() == [1, 2, 2, 3, 3, 2, 2]
    assert data["step_count"].to_list() == [1, 2, 2, 3, 3, 4, 4]
    assert data["cycle_count"].to_list() == [1, 1, 1, 1, 1, 2, 2]
    assert data["step_discharging_capacity_ah"].to_list() == [0, 0, 0.0025, 0, 0, 0, 0.004]
    assert data["discharging_capacity_ah"].to_list() == pytest.approx(
        [0, 0, 0.0025, 0.0025, 0.0025, 0.0025, 0.0065], abs=1e-15
    )
    assert data["charging_capacity_ah"].to_list() == pytest.approx(
        [0, 0, 0, 0, 0.003, 0.003, 0.003], abs=1e-15
    )
    assert data["discharging_energy_wh"][-1] == pytest.approx(0.007 + 0.0116, abs=1e-15)
    assert data["charging_energy_wh"][-1] == pytest.approx(0.0096, abs=1e-15)
    assert data["current_ampere"].to_list() == [0.0, -1e-3, -1e-3, 1e-3, 1e-3, -1e-3, -1e-3]
    assert data["temperature_t1_celsius"].to_list() == [25.0] * 7
    assert data["unix_time_second"][0] == _utc(2024, 5, 13, 23, 59, 50)
    assert data["unix_time_second"][1] == _utc(2024, 5, 14, 0, 0, 0)
    assert rec.meta.vendor["preamble"]["cell id"] == "X1"
    assert rec.unit("step_charging_capacity_ah") == "Ah"


def test_day_first_dates_are_recognised(tmp_path: Path) -> None:
    """13/05/2024: the first field exceeds 12, so the dates are day-first."""
    dates = [d[3:5] + "/" + d[0:2] + d[5:] for d in _MONTH_FIRST]
    rec = landt.read(_bdf_style_csv(tmp_path, dates))
    assert rec.data["unix_time_second"][0] == _utc(2024, 5, 13, 23, 59, 50)
    assert "day-first" in _notes(rec)


def test_ambiguous_dates_decided_by_test_time(tmp_path: Path) -> None:
    """06/05 → 07/05 at midnight: only day-first makes the 10 s step match the test time."""
    dates = ["06/05/2024 23:59:50"] + [f"07/05/2024 00:00:{s:02d}" for s in range(0, 60, 10)]
    rec = landt.read(_bdf_style_csv(tmp_path, dates))
    assert rec.data["unix_time_second"][0] == _utc(2024, 5, 6, 23, 59, 50)
    assert "agrees with the test time" in _notes(rec)
    month_first = ["05/06/2024 23:59:50"] + [f"05/07/2024 00:00:{s:02d}" for s in range(0, 60, 10)]
    rec = landt.read(_bdf_style_csv(tmp_path, month_first, "b.csv"))
    assert rec.data["unix_time_second"][0] == _utc(2024, 5, 6, 23, 59, 50)


def test_undecidable_dates_are_noted_and_overridable(tmp_path: Path) -> None:
    """All on 05/06/2024: month-first is assumed, said in the notes, and dayfirst flips it."""
    dates = [f"05/06/2024 10:00:{s:02d}" for s in range(0, 70, 10)]
    path = _bdf_style_csv(tmp_path, dates)
    rec = landt.read(path)
    assert rec.data["unix_time_second"][0] == _utc(2024, 5, 6, 10, 0, 0)
    assert "ambiguous" in _notes(rec)
    rec = landt.read(path, dayfirst=True)
    assert rec.data["unix_time_second"][0] == _utc(2024, 6, 5, 10, 0, 0)


def test_landdt_text_in_gb18030_with_chinese_headers(tmp_path: Path) -> None:
    """A tab-separated LANDdt export: mA, mAh and h:min:s.ms times; one undirected capacity.

    1.5 mA = 1.5e-3 A; 0.0040 mAh = 4e-6 Ah; '1-01:00:00.500' = 90000.5 s.
    """
    header = "\t".join(
        [
            "记录序号",
            "循环序号",
            "工步序号",
            "工步状态",
            "测试时间",
            "步骤时间",
            "电流/mA",
            "电压/V",
            "容量/mAh",
            "比容量/mAh/g",
        ]
    )
    rows = [
        "1\t1\t1\t搁置\t0:00:00.000\t0:00:00.000\t0\t3.000\t0\t0",
        "2\t1\t2\t恒流放电\t0:00:10.000\t0:00:00.000\t-1.5\t2.900\t0.0000\t0",
        "3\t1\t2\t恒流放电\t0:00:20.000\t0:00:10.000\t-1.5\t2.800\t0.0040\t2.5",
        "4\t1\t3\t恒流充电\t0:00:30.000\t0:00:00.000\t1.5\t3.100\t0.0000\t0",
        "5\t1\t3\t恒流充电\t1-01:00:00.500\t25:00:00.500\t1.5\t3.300\t0.0030\t1.9",
    ]
    path = tmp_path / "land.txt"
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode("gb18030"))
    assert landt.guess_can_open(path)
    assert not arbin.guess_can_open(path)
    rec = elyte.read(path)
    data = rec.data
    assert data["test_time_second"].to_list() == [0.0, 10.0, 20.0, 30.0, 90000.5]
    assert data["step_time_second"][-1] == 90000.5
    assert data["current_ampere"].to_list() == pytest.approx([0, -1.5e-3, -1.5e-3, 1.5e-3, 1.5e-3])
    assert data["step_discharging_capacity_ah"].to_list() == pytest.approx([0, 0, 4e-6, 0, 0])
    assert data["step_charging_capacity_ah"].to_list() == pytest.approx([0, 0, 0, 0, 3e-6])
    assert data["discharging_capacity_ah"][-1] == pytest.approx(4e-6)
    assert data["charging_capacity_ah"][-1] == pytest.approx(3e-6)
    assert data["specific_capacity_mah_per_g"].to_list() == [0, 0, 2.5, 0, 1.9]
    assert rec.unit("specific_capacity_mah_per_g") == "mAh/g"
    assert data["step_type"][1] == "恒流放电"
    assert "GB18030" in _notes(rec)


# --------------------------------------------------------------------------------------
# Generated LANDdt workbooks
# --------------------------------------------------------------------------------------


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


def test_chinese_workbook_signed_current(tmp_path: Path) -> None:
    """记录表 with Chinese headers, mA/mAh/mWh, Excel duration cells and date-time cells.

    Expected: current in A (mA/1000), the undirected 容量 split by step direction, the
    cumulative discharge 0.004 + 0.002 mAh = 6e-6 Ah, SysTime 2024-05-14 10:00:00 as UTC.
    """
    td = dt.timedelta
    t0 = dt.datetime(2024, 5, 14, 10, 0, 0)
    header = [
        "记录序号",
        "测试时间",
        "步骤时间",
        "循环序号",
        "工步序号",
        "工步状态",
        "电压/V",
        "电流/mA",
        "容量/mAh",
        "比容量/mAh/g",
        "能量/mWh",
        "系统时间",
    ]
    rows: list[list[object]] = [
        [1, td(0), td(0), 1, 1, "搁置", 3.00, 0.0, 0.0, 0.0, 0.0, t0],
        [
            2,
            td(seconds=10),
            td(0),
            1,
            2,
            "恒流放电",
            2.90,
            -1.5,
            0.0,
            0.0,
            0.0,
            t0 + td(seconds=10),
        ],
        [
            3,
            td(seconds=20),
            td(seconds=10),
            1,
            2,
            "恒流放电",
            2.80,
            -1.5,
            0.004,
            2.0,
            0.0114,
            t0 + td(seconds=20),
        ],
        [4, td(seconds=30), td(0), 1, 3, "恒流充电", 3.10, 1.5, 0.0, 0.0, 0.0, t0 + td(seconds=30)],
        [
            5,
            td(hours=25, seconds=0.5),
            td(hours=25),
            1,
            3,
            "恒流充电",
            3.30,
            1.5,
            0.003,
            1.5,
            0.0096,
            t0 + td(hours=25, seconds=0.5),
        ],
        [
            6,
            td(hours=25, seconds=10.5),
            td(0),
            2,
            2,
            "恒流放电",
            2.95,
            -1.5,
            0.0,
            0.0,
            0.0,
            t0 + td(hours=25, seconds=10.5),
        ],
        [
            7,
            td(hours=25, seconds=20.5),
            td(seconds=10),
            2,
            2,
            "恒流放电",
            2.90,
            -1.5,
            0.002,
            1.0,
            0.0058,
            t0 + td(hours=25, seconds=20.5),
        ],
    ]
    path = _xlsx(
        tmp_path / "cn.xlsx",
        {
            "测试信息": [["设备", "CT3001A"], ["通道", "5"]],
            "记录表": [header, *rows],
            "工步表": [["循环序号", "工步序号", "工步状态"], [1, 1, "搁置"]],
            "循环表": [["循环序号", "充电容量/mAh"], [1, 0.003]],
        },
    )
    assert landt.guess_can_open(path)
    assert not arbin.guess_can_open(path)
    rec = elyte.read(path)
    data = rec.data
    assert data["test_time_second"].to_list() == [0, 10, 20, 30, 90000.5, 90010.5, 90020.5]
    assert data["current_ampere"].to_list() == pytest.approx(
        [0, -1.5e-3, -1.5e-3, 1.5e-3, 1.5e-3, -1.5e-3, -1.5e-3], abs=1e-15
    )
    assert data["step_discharging_capacity_ah"].to_list() == pytest.approx(
        [0, 0, 4e-6, 0, 0, 0, 2e-6], abs=1e-15
    )
    assert data["discharging_capacity_ah"].to_list() == pytest.approx(
        [0, 0, 4e-6, 4e-6, 4e-6, 4e-6, 6e-6], abs=1e-15
    )
    assert data["charging_capacity_ah"].to_list() == pytest.approx(
        [0, 0, 0, 0, 3e-6, 3e-6, 3e-6], abs=1e-15
    )
    assert data["discharging_energy_wh"][-1] == pytest.approx((0.0114 + 0.0058) / 1000)
    assert data["unix_time_second"][0] == _utc(2024, 5, 14, 10, 0, 0)
    assert data["unix_time_second"][4] == pytest.approx(_utc(2024, 5, 15, 11, 0, 0) + 0.5)
    assert data["record_index"].to_list() == [1, 2, 3, 4, 5, 6, 7]
    assert data["step_count"].to_list() == [1, 2, 2, 3, 3, 4, 4]
    notes = _notes(rec)
    assert "工步表" in notes
    assert "循环表" in notes
    assert rec.meta.vendor["test_information"][0] == ["设备", "CT3001A"]
    assert rec.meta.vendor["current_sign_convention"].startswith("signed")
    assert rec.meta.column_map["电流/mA"] == "current_ampere"


def _english_rows() -> tuple[list[str], list[list[object]]]:
    header = [
        "Index",
        "Cycle",
        "Step",
        "State",
        "Voltage/V",
        "Current/A",
        "TestTime/Sec.",
        "StepTime/Sec.",
        "Capacity/Ah",
        "SCapacity/mAh/g",
        "Energy/Wh",
        "SysTime",
    ]
    rows: list[list[object]] = [
        [1, 1, 1, "R", 3.00, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, "2024-05-14 10:00:00"],
        [2, 1, 2, "D_CC", 2.90, 0.002, 10.0, 0.0, 0.0, 0.0, 0.0, "2024-05-14 10:00:10"],
        [3, 1, 2, "D_CC", 2.80, 0.002, 20.0, 10.0, 0.00002, 4.0, 0.00006, "2024-05-14 10:00:20"],
        [4, 1, 3, "C_CC", 3.60, 0.002, 30.0, 0.0, 0.0, 0.0, 0.0, "2024-05-14 10:00:30"],
        [5, 1, 3, "C_CC", 4.20, 0.002, 40.0, 10.0, 0.00001, 2.0, 0.00004, "2024-05-14 10:00:40"],
        [6, 1, 4, "C_CV", 4.20, 0.001, 50.0, 0.0, 0.0, 0.0, 0.0, "2024-05-14 10:00:50"],
        [7, 1, 4, "C_CV", 4.20, 0.0005, 60.0, 10.0, 0.000004, 0.8, 0.00002, "2024-05-14 10:01:00"],
    ]
    return header, rows


def test_english_workbook_unsigned_current_and_overflow_sheet(tmp_path: Path) -> None:
    """Record-Tab + headerless overflow sheet Record-Tab1; positive currents with states.

    D_CC rows must come out negative (BDF: positive = charging); the CC and CV charge steps
    each restart their capacity, so the cumulative charge is 10 + 4 µAh.
    """
    header, rows = _english_rows()
    path = _xlsx(
        tmp_path / "en.xlsx",
        {
            "Record-Tab": [header, *rows[:4]],
            "Record-Tab1": rows[4:],
            "Step-Tab": [["Step", "Mode"], [1, "R"]],
            "Cycle-Tab": [["Cycle"], [1]],
        },
    )
    assert landt.guess_can_open(path)
    rec = landt.read(path)
    data = rec.data
    assert data.height == 7
    assert data["current_ampere"].to_list() == [0, -0.002, -0.002, 0.002, 0.002, 0.001, 0.0005]
    assert rec.meta.vendor["current_sign_convention"].startswith("unsigned")
    assert "negated" in _notes(rec)
    assert data["step_discharging_capacity_ah"].to_list() == [0, 0, 2e-5, 0, 0, 0, 0]
    assert data["charging_capacity_ah"].to_list() == pytest.approx(
        [0, 0, 0, 0, 1e-5, 1e-5, 1.4e-5], abs=1e-15
    )
    assert data["specific_capacity_mah_per_g"].to_list() == [0, 0, 4.0, 0, 2.0, 0, 0.8]
    assert data["step_type"].to_list() == ["R", "D_CC", "D_CC", "C_CC", "C_CC", "C_CV", "C_CV"]
    assert data["unix_time_second"][-1] == _utc(2024, 5, 14, 10, 1, 0)
    assert "Record-Tab1" in _notes(rec)


def test_capacity_carried_across_steps_is_not_called_per_step(tmp_path: Path) -> None:
    """If the capacity continues from the CC into the CV step, it is not a per-step counter.

    The reader must say so, keep it under a schedule_* name, and still give the right
    cumulative charge: 10 µAh + 4 µAh more in CV = 14 µAh.
    """
    header, rows = _english_rows()
    rows = [list(r) for r in rows]
    rows[5][8] = 0.00001  # CV step starts where CC ended
    rows[6][8] = 0.000014
    for row in rows:
        row[5] = -abs(float(row[5])) if str(row[3]).startswith("D") else row[5]  # type: ignore[arg-type]
    path = _xlsx(tmp_path / "carry.xlsx", {"Record": [header, *rows]})
    rec = landt.read(path)
    data = rec.data
    assert "step_charging_capacity_ah" not in data.columns
    assert data["charging_capacity_ah"].to_list() == pytest.approx(
        [0, 0, 0, 0, 1e-5, 1e-5, 1.4e-5], abs=1e-15
    )
    assert "does not restart at each step" in _notes(rec)


def test_single_sheet_with_title_rows_and_microamps(tmp_path: Path) -> None:
    """Header found below title rows; µA and µAh scaled by 1e-6; h:min:s.ms strings."""
    path = _xlsx(
        tmp_path / "one.xlsx",
        {
            "Sheet1": [
                ["LAND battery test", None, None],
                [],
                [
                    "Record",
                    "TestTime(h:min:s.ms)",
                    "Current(uA)",
                    "Voltage(V)",
                    "Capacity(uAh)",
                    "Step",
                ],
                [1, "0:00:00.000", -50.0, 1.0, 0.0, 1],
                [2, "0:01:00.000", -50.0, 0.9, 0.8333, 1],
                ["Index", "Mode", "Period", None, None, None],  # a block label row
                [3, "0:02:00.000", -50.0, 0.8, 1.6667, 1],
            ]
        },
    )
    assert landt.guess_can_open(path)
    rec = landt.read(path)
    data = rec.data
    assert data["test_time_second"].to_list() == [0.0, 60.0, 120.0]
    assert data["current_ampere"].to_list() == pytest.approx([-5e-5] * 3)
    assert data["discharging_capacity_ah"].to_list() == pytest.approx([0, 0.8333e-6, 1.6667e-6])
    assert "1 row(s) without numeric voltage and current" in _notes(rec)


# --------------------------------------------------------------------------------------
# Errors and guessing
# --------------------------------------------------------------------------------------


def test_bad_cell_names_line_and_column(tmp_path: Path) -> None:
    path = _bdf_style_csv(tmp_path, _MONTH_FIRST)
    text = path.read_text().replace("2.8000", "2.8x", 1)
    path.write_text(text)
    with pytest.raises(ReaderError, match=r"voltage_V.*line 7") as info:
        landt.read(path)
    assert info.value.path == path


def test_missing_columns_and_empty_files(tmp_path: Path) -> None:
    no_header = tmp_path / "x.csv"
    no_header.write_text("time,volts\n0,3\n")
    with pytest.raises(ReaderError, match="no LAND header row"):
        landt.read(no_header)
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(ReaderError, match="empty"):
        landt.read(empty)
    header_only = tmp_path / "h.csv"
    header_only.write_text(_HEADER + "\n")
    with pytest.raises(ReaderError, match="no records"):
        landt.read(header_only)
    broken = tmp_path / "b.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ReaderError, match="Excel"):
        landt.read(broken)


def test_truncated_and_mutated_generated_files_fail_cleanly(tmp_path: Path) -> None:
    """Cut or damaged copies of the generated CSV and workbook raise ElyteError or read."""
    header, rows = _english_rows()
    sources = [
        _bdf_style_csv(tmp_path, _MONTH_FIRST),
        _xlsx(tmp_path / "src.xlsx", {"Record": [header, *rows], "Step": [["Step"], [1]]}),
    ]
    rng = np.random.default_rng(0)
    for source in sources:
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
                landt.read(target)
            except ElyteError as exc:
                error = exc
            assert error is None or error.path == target
            landt.guess_can_open(target)


def test_guess_claims_land_only(tmp_path: Path) -> None:
    generic = tmp_path / "generic.csv"
    generic.write_text("time,voltage,current\n0,3.0,0.001\n")
    arbin_csv = tmp_path / "arbin.csv"
    arbin_csv.write_text(
        "Data Point,Date Time,Test Time (s),Step Time (s),Cycle Index,Step Index,Current (A),"
        "Voltage (V)\n1,10/10/2023 16:09:14.661,1.0,1.0,1,1,0,3.0\n"
    )
    bdf = tmp_path / "x.bdf.csv"
    bdf.write_text("test_time_second,voltage_volt,current_ampere\n0,3,0\n")
    binary = tmp_path / "bin.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    for path in (generic, arbin_csv, bdf, binary, tmp_path / "missing.csv"):
        assert not landt.guess_can_open(path), path.name


@pytest.mark.realdata
def test_guess_rejects_the_arbin_workbook() -> None:
    assert not landt.guess_can_open(
        shared_file("arbin", "bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx")
    )


def test_positive_currents_without_states_are_not_guessed(tmp_path: Path) -> None:
    """All currents positive and no state column: nothing is guessed.

    The sign cannot be checked, so the currents and the undirected capacity are kept as
    printed and the notes say why.
    """
    path = _xlsx(
        tmp_path / "nostate.xlsx",
        {
            "Record": [
                ["Index", "TestTime/Sec.", "Current/mA", "Voltage/V", "Capacity/mAh", "Step"],
                [1, 0.0, 1.0, 3.0, 0.0, 1],
                [2, 10.0, 1.0, 2.9, 0.0028, 1],
                [3, 20.0, 1.0, 3.1, 0.0, 2],
                [4, 30.0, 1.0, 3.2, 0.0028, 2],
            ]
        },
    )
    rec = landt.read(path)
    assert rec.data["current_ampere"].to_list() == [1e-3] * 4
    assert rec.data["capacity_ah"].to_list() == pytest.approx([0, 2.8e-6, 0, 2.8e-6])
    assert "charging_capacity_ah" not in rec.data.columns
    assert rec.meta.vendor["current_sign_convention"].startswith("unknown")
    assert "cannot be split" in _notes(rec)
