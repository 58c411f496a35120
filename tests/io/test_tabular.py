"""Vendor-neutral helpers shared by the LAND and Arbin readers (``elyte.io._tabular``).

Every input here is generated in the test, and every expected value is worked out by hand
from that input (decoded bytes, seconds in a duration, UTC timestamps from
:mod:`datetime`, restart points of a counter), so the golden values do not come from the
code under test.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import polars as pl
import pytest

from elyte.errors import ElyteError, ReaderError
from elyte.io._frame import Rule
from elyte.io._tabular import (
    CleanFrame,
    add_step_count,
    assign_counters,
    decode_head,
    guess_separator,
    head_rows,
    note_time_reversals,
    numeric_or_text,
    open_workbook,
    parse_datetimes,
    parse_durations,
    read_delimited,
    reading_errors,
    sheet_table,
    split_line,
    step_count_expr,
    to_float,
)


def _utc(*args: int) -> float:
    return dt.datetime(*args, tzinfo=dt.UTC).timestamp()  # type: ignore[misc]


def _has_vi(cells: list[str]) -> bool:
    return {"V", "I"} <= set(cells)


# --------------------------------------------------------------------------------------
# Text loading
# --------------------------------------------------------------------------------------


def test_decode_head_drops_a_character_cut_by_the_limit() -> None:
    """'é' is two UTF-8 bytes; cutting after the first must not be an error."""
    data = "abc é".encode()
    assert decode_head(data[:-1]) == ("abc ", "utf-8-sig")
    assert decode_head("电压/V,电流/mA\n".encode("gb18030")) == ("电压/V,电流/mA\n", "gb18030")
    with pytest.raises(UnicodeError):
        decode_head(b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00abc")


def test_separator_and_cells() -> None:
    """The most frequent separator wins; cells lose blanks and double quotes."""
    assert guess_separator("a;b;c,d") == ";"
    assert guess_separator("a\tb\tc") == "\t"
    assert guess_separator("abc") == ","
    assert split_line(' "Time(s)" , V ,I\r\n', ",") == ["Time(s)", "V", "I"]


def test_head_rows_and_binary(tmp_path: Path) -> None:
    """Lines come back with their own separators; a NUL byte means no rows."""
    text = tmp_path / "a.csv"
    text.write_text("x;y\nV,I\n")
    assert head_rows(text) == [("x;y", ["x", "y"]), ("V,I", ["V", "I"])]
    assert head_rows(text, rows=1) == [("x;y", ["x", "y"])]
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"V,I\x00\n")
    assert head_rows(binary) == []


def test_read_delimited_preamble_and_trailing_separators(tmp_path: Path) -> None:
    """Preamble lines above the header; an empty unnamed trailing column is dropped."""
    path = tmp_path / "x.csv"
    path.write_text("Cell: A1\nMass: 2 mg\nt,V,I,\n0,3.1,0.5,\n1,3.2,0.5,\n")
    table = read_delimited(path, _has_vi, what="Test")
    assert table.preamble == ["Cell: A1", "Mass: 2 mg"]
    assert table.frame.columns == ["t", "V", "I"]
    assert table.frame["V"].to_list() == ["3.1", "3.2"]  # text: the caller converts
    assert table.first_line == 4  # 1-based line of the first record
    assert table.notes == []


def test_read_delimited_gb18030(tmp_path: Path) -> None:
    """GB18030 text is decoded and noted."""
    path = tmp_path / "x.csv"
    path.write_bytes("说明\nt,V,I,状态\n0,3.1,0.5,放电\n".encode("gb18030"))
    table = read_delimited(path, _has_vi, what="Test")
    assert table.frame["状态"].to_list() == ["放电"]
    assert table.preamble == ["说明"]
    assert "GB18030" in table.notes[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"V,I\x00\n", "binary"),
        (b"a,b\n1,2\n", "no Test header row"),
    ],
)
def test_read_delimited_refuses(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(ReaderError, match=message) as info:
        read_delimited(path, _has_vi, what="Test")
    assert str(path) in str(info.value)


# --------------------------------------------------------------------------------------
# Numbers, durations, date-times
# --------------------------------------------------------------------------------------


def test_to_float_decimal_comma_and_bad_cell(tmp_path: Path) -> None:
    """' 1,5 ' is 1.5; an empty cell is null; 'abc' names its line (first_line + row)."""
    frame = pl.DataFrame({"a": ["1", " 1,5 ", ""], "b": ["2", "3", "4"]})
    out = to_float(frame, ["a", "b"], path=tmp_path / "f", first_line=10)
    assert out["a"].to_list() == [1.0, 1.5, None]
    assert out["b"].to_list() == [2.0, 3.0, 4.0]
    bad = pl.DataFrame({"a": ["1", "abc"]})
    with pytest.raises(ReaderError, match=r"'abc' at line 11, which is not a number"):
        to_float(bad, ["a"], path=tmp_path / "f", first_line=10)


def test_parse_durations(tmp_path: Path) -> None:
    """1-03:13:05.250 = 86400 + 3·3600 + 13·60 + 5.25 s; numbers are left to the caller."""
    frame = pl.DataFrame(
        {
            "t": ["0:00:01.5", "27:13:05.250", "1-03:13:05.250"],
            "n": ["1", "2", "3"],
            "d": [dt.timedelta(seconds=90)] * 3,
        }
    )
    path = tmp_path / "f"

    def seconds(column: str, *, text: bool = False) -> list[float] | None:
        out = parse_durations(frame, column, path=path, first_line=2, text=text)
        return None if out is None else out.to_list()

    assert seconds("t") == [1.5, 27 * 3600 + 13 * 60 + 5.25, 86400 + 3 * 3600 + 13 * 60 + 5.25]
    assert seconds("n") is None
    assert seconds("n", text=True) == [1.0, 2.0, 3.0]
    assert seconds("d") == [90.0] * 3
    bad = pl.DataFrame({"t": ["0:00:01", "x:y"]})
    with pytest.raises(ReaderError, match=r"'x:y' at record 3, which is not a duration"):
        parse_durations(bad, "t", path=path, first_line=2, where="record")


def test_numeric_or_text() -> None:
    """All-number text becomes Float64 (blanks null); anything else stays text."""
    assert numeric_or_text(pl.Series(["1", " 2 ", ""])).to_list() == [1.0, 2.0, None]
    assert numeric_or_text(pl.Series(["1,5"])).dtype == pl.String
    assert numeric_or_text(pl.Series(["1,5"]), decimal_comma=True).to_list() == [1.5]
    assert numeric_or_text(pl.Series([" a ", "1"])).to_list() == ["a", "1"]
    assert numeric_or_text(pl.Series([1, 2])).dtype == pl.Float64


def test_parse_datetimes_day_first_from_a_field_above_12(tmp_path: Path) -> None:
    """13/05/2024 can only be day-first; seconds and fractions are kept."""
    values = pl.Series(["12/05/2024 10:00:00", "13/05/2024 10:00:01.5"])
    unix, start, notes = parse_datetimes(
        values, path=tmp_path / "f", column="Date", timezone=None, dayfirst=None, test_time=None
    )
    assert unix.to_list() == [_utc(2024, 5, 12, 10, 0, 0), _utc(2024, 5, 13, 10, 0, 1) + 0.5]
    assert start == dt.datetime(2024, 5, 12, 10, 0, 0)
    assert any("day-first" in n for n in notes)
    assert any("read as UTC" in n for n in notes)


def test_parse_datetimes_order_from_test_time(tmp_path: Path) -> None:
    """Neither order is excluded by a field above 12, so the test time decides.

    05/06/2024 → 06/06/2024 is 31 days month-first and 1 day day-first; the test times are
    86400 s apart, so day-first.
    """
    values = pl.Series(["05/06/2024 00:00:00", "06/06/2024 00:00:00"])
    unix, _, notes = parse_datetimes(
        values,
        path=tmp_path / "f",
        column="Date",
        timezone=None,
        dayfirst=None,
        test_time=pl.Series([0.0, 86400.0]),
    )
    assert unix.to_list() == [_utc(2024, 6, 5, 0, 0, 0), _utc(2024, 6, 6, 0, 0, 0)]
    assert any("day/month/year" in n and "test time" in n for n in notes)


def test_parse_datetimes_timezone_and_errors(tmp_path: Path) -> None:
    """Oslo is UTC+2 in May: 10:00 local is 08:00 UTC."""
    values = pl.Series(["2024-05-14 10:00:00"])
    unix, _, _ = parse_datetimes(
        values,
        path=tmp_path / "f",
        column="Date",
        timezone="Europe/Oslo",
        dayfirst=None,
        test_time=None,
    )
    assert unix.to_list() == [_utc(2024, 5, 14, 8, 0, 0)]
    for bad, message in (("2024-13-01 00:00:00", "impossible"), ("yesterday", "not a date")):
        with pytest.raises(ReaderError, match=message):
            parse_datetimes(
                pl.Series([bad]),
                path=tmp_path / "f",
                column="Date",
                timezone=None,
                dayfirst=None,
                test_time=None,
            )


# --------------------------------------------------------------------------------------
# Step counting and counters
# --------------------------------------------------------------------------------------


def test_step_count() -> None:
    """New step when step_id or cycle changes or the step time goes back (step 1 repeated)."""
    data = pl.DataFrame(
        {
            "step_id": [1, 1, 2, 2, 2, 1],
            "cycle_count": [1, 1, 1, 1, 2, 2],
            "step_time_second": [0.0, 1.0, 0.0, 1.0, 2.0, 0.0],
            "test_time_second": [0.0, 1.0, 2.0, 3.0, 2.5, 5.0],
        }
    )
    assert data.select(step_count_expr(data)).to_series().to_list() == [1, 1, 2, 2, 3, 4]
    restart = pl.DataFrame({"step_id": [1, 1, 1], "step_time_second": [0.0, 1.0, 0.0]})
    assert restart.select(step_count_expr(restart)).to_series().to_list() == [1, 1, 2]
    assert step_count_expr(pl.DataFrame({"x": [1]})) is None
    units: dict[str, str] = {}
    notes: list[str] = []
    out = add_step_count(data, units, notes, changes="Step")
    assert out["step_count"].to_list() == [1, 1, 2, 2, 3, 4]
    assert units == {"step_count": "1"}
    assert notes == ["step_count derived: +1 whenever Step changes or the step time restarts"]
    note_time_reversals(data, notes)
    assert notes[-1] == "test time goes backwards 1 time(s)"


def _counter_frame(values: list[float]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "step_count": [1, 1, 2, 2, 3, 3],
            "cycle_count": [1, 1, 1, 1, 2, 2],
            "q": values,
        }
    )


def _assign(frame: pl.DataFrame, prefer: str) -> tuple[pl.DataFrame, list[str]]:
    notes: list[str] = []
    out = assign_counters(
        frame,
        {"charging_capacity": "q"},
        prefer=prefer,
        vendor_label="Vendor",
        units={"q": "Ah"},
        column_map={"Q(Ah)": "q"},
        notes=notes,
        path=Path("f"),
    )
    return out, notes


def test_assign_counters_per_step() -> None:
    """Restarts at every step change: a per-step counter (build_recording accumulates)."""
    out, notes = _assign(_counter_frame([1.0, 2.0, 0.5, 1.0, 0.2, 0.4]), "step")
    assert out.columns == ["step_count", "cycle_count", "step_charging_capacity_ah"]
    assert "as documented" in notes[0]


def test_assign_counters_per_cycle_and_cumulative() -> None:
    """Restart only at the cycle change: cumulative = value + 4.0 held before the drop."""
    out, notes = _assign(_counter_frame([1.0, 2.0, 3.0, 4.0, 0.5, 1.0]), "cycle")
    assert out["cycle_charging_capacity_ah"].to_list() == [1.0, 2.0, 3.0, 4.0, 0.5, 1.0]
    assert out["charging_capacity_ah"].to_list() == [1.0, 2.0, 3.0, 4.0, 4.5, 5.0]
    out, notes = _assign(_counter_frame([1.0, 2.0, 3.0, 4.0, 0.5, 1.0]), "step")
    assert "cycle_charging_capacity_ah" in out.columns
    assert "does not restart at each step as documented" in notes[0]


def test_assign_counters_schedule_restart_and_rounding() -> None:
    """A restart inside a step is neither per-step nor per-cycle: a schedule_* counter.

    A drop of 1e-9 (below 1e-6 of the largest value 3.0) is rounding, not a restart.
    """
    out, notes = _assign(_counter_frame([1.0, 0.5, 1.0, 2.0, 3.0, 3.0 - 1e-9]), "step")
    assert "schedule_charging_capacity_ah" in out.columns
    total = out["charging_capacity_ah"].to_list()
    assert total[:5] == [1.0, 1.5, 2.0, 3.0, 4.0]
    assert total[5] == pytest.approx(4.0 - 1e-9)
    assert any("rounding" in n for n in notes)


# --------------------------------------------------------------------------------------
# Assembling and errors
# --------------------------------------------------------------------------------------


def test_clean_frame_maps_vendor_names(tmp_path: Path) -> None:
    """Current in mA becomes A (1000 mA = 1 A); a repeated label gets _2; mAh/g is kept."""
    clean = CleanFrame()
    assert clean.add("current(mA)", pl.Series([1000.0]), "I/mA") == "current(mA)"
    assert clean.add("current(mA)", pl.Series([2000.0]), "I2/mA") == "current_2(mA)"
    clean.add_as_printed("specific_capacity", "mAh/g", pl.Series([2.5]), "SpeCap/mAh/g")
    canon, renamed = clean.canonicalise({"current": Rule("current_ampere")}, path=tmp_path)
    assert canon.frame["current_ampere"].to_list() == [1.0]
    assert canon.frame["current_2_ampere"].to_list() == [2.0]
    assert canon.frame["specific_capacity_mah_per_g"].to_list() == [2.5]
    assert canon.units["specific_capacity_mah_per_g"] == "mAh/g"
    assert canon.column_map == {
        "I/mA": "current_ampere",
        "I2/mA": "current_2_ampere",
        "SpeCap/mAh/g": "specific_capacity_mah_per_g",
    }
    assert renamed["current(mA)"] == "current_ampere"


def test_reading_errors(tmp_path: Path) -> None:
    """Damage-type exceptions become ReaderError; ElyteError and bugs pass through."""
    path = tmp_path / "f.csv"
    with (
        pytest.raises(ReaderError, match=r"unreadable file \(KeyError") as info,
        reading_errors(path),
    ):
        raise KeyError("x")
    assert isinstance(info.value.__cause__, KeyError)
    original = ReaderError("mine", path=path)
    with pytest.raises(ReaderError) as info, reading_errors(path):
        raise original
    assert info.value is original
    with pytest.raises(ElyteError), reading_errors(path):
        raise ElyteError("x")
    with pytest.raises(RuntimeError), reading_errors(path):
        raise RuntimeError("a bug is not hidden")


# --------------------------------------------------------------------------------------
# Workbooks
# --------------------------------------------------------------------------------------


def test_open_workbook_refuses_broken_containers(tmp_path: Path) -> None:
    """Not a zip; a zip without a workbook part; a member claiming a huge expansion."""
    pytest.importorskip("fastexcel")
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ReaderError, match="not a readable Excel workbook"):
        open_workbook(junk)
    empty = tmp_path / "empty.xlsx"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ReaderError, match="no xl/workbook part"):
        open_workbook(empty)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (8 * 1024 * 1024))
    with pytest.raises(ReaderError, match="implausible size"):
        open_workbook(bomb)


def test_sheet_table_title_rows_and_overflow(tmp_path: Path) -> None:
    """Header under two title rows; the overflow sheet continues without a header."""
    openpyxl = pytest.importorskip("openpyxl")
    pytest.importorskip("fastexcel")
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Data"
    for row in (["Report"], [], ["t", "V", "I", "V"], [0, 3.1, 0.5, 3.0], [1, 3.2, 0.5, 3.0]):
        first.append(row)
    second = book.create_sheet("Data_2")
    second.append([2, 3.3, 0.5, 3.0])
    path = tmp_path / "x.xlsx"
    book.save(path)
    reader = open_workbook(path)
    found = sheet_table(reader, "Data", path, _has_vi)
    assert found is not None
    header, frame, row = found
    assert header == ["t", "V", "I", "V"]
    assert row == 2  # 0-based row of the header
    assert frame.columns == ["t", "V", "I", "V_1"]
    assert frame["V"].to_list() == [3.1, 3.2]
    more = sheet_table(reader, "Data_2", path, _has_vi, header=header)
    assert more is not None
    assert more[2] == -1
    assert more[1]["V"].to_list() == [3.3]
    assert sheet_table(reader, "Data_2", path, lambda cells: False) is None
