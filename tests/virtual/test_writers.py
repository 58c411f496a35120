"""Round trips of the virtual-lab writers through elyte's own readers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

import elyte
from elyte.errors import ExportError
from elyte.recording import Recording, RecordingMeta
from elyte.virtual import SIMULATED_MARK, write_landt_csv, write_mpt


def _cycling() -> Recording:
    """Analytic constant-current cycle: 1 mA charge 1 h, rest, 1 mA discharge 1 h, rest."""
    dt = 10.0
    n = 360
    t = np.arange(1, 4 * n + 1) * dt
    current = np.concatenate([np.full(n, 1e-3), np.zeros(n), np.full(n, -1e-3), np.zeros(n)])
    dq = current * dt / 3600.0
    frame = pl.DataFrame(
        {
            "test_time_second": t,
            "voltage_volt": 3.7 + 0.1 * np.sin(t / 1000.0),
            "current_ampere": current,
            "cycle_count": np.ones(t.size, dtype=np.int64),
            "step_id": np.repeat(np.arange(1, 5), n),
            "charging_capacity_ah": np.cumsum(np.clip(dq, 0, None)),
            "discharging_capacity_ah": np.cumsum(np.clip(-dq, 0, None)),
        }
    )
    return Recording(frame, RecordingMeta("test", "none", ("GCPL",), simulated=True))


def test_mpt_round_trip_cycling(tmp_path: Path) -> None:
    """Capacities of an analytic 1 mA x 1 h cycle (1.000 mAh each way) survive .mpt."""
    rec = _cycling()
    back = elyte.read(write_mpt(rec, tmp_path / "c.mpt"))
    assert back.meta.format == "biologic-mpt"
    assert back.techniques == ("GCPL",)
    assert back.data["charging_capacity_ah"][-1] == pytest.approx(1e-3, rel=1e-9)
    assert back.data["discharging_capacity_ah"][-1] == pytest.approx(1e-3, rel=1e-9)
    np.testing.assert_allclose(back.data["current_ampere"], rec.data["current_ampere"])
    np.testing.assert_allclose(back.data["voltage_volt"], rec.data["voltage_volt"], rtol=1e-9)
    assert back.data["step_id"].to_list() == rec.data["step_id"].to_list()
    assert SIMULATED_MARK in back.meta.vendor["header"]["Comments"]


def test_mpt_round_trip_impedance(tmp_path: Path) -> None:
    """A series R-C spectrum keeps Z'' negative (capacitive) after -Im(Z) is written."""
    f = np.logspace(6, -1, 50)
    z = 100.0 + 1.0 / (2j * np.pi * f * 1e-6)
    frame = pl.DataFrame(
        {
            "frequency_hertz": f,
            "real_impedance_ohm": z.real,
            "imaginary_impedance_ohm": z.imag,
            "test_time_second": np.arange(f.size, dtype=float),
        }
    )
    rec = Recording(frame, RecordingMeta("test", "none", ("PEIS",), simulated=True))
    back = elyte.read(write_mpt(rec, tmp_path / "z.mpt"))
    assert back.techniques == ("PEIS",)
    np.testing.assert_allclose(back.data["imaginary_impedance_ohm"], z.imag, rtol=1e-9)
    np.testing.assert_allclose(back.data["frequency_hertz"], f, rtol=1e-9)


def test_landt_round_trip(tmp_path: Path) -> None:
    """LAND per-step capacities accumulate back to the analytic 1.000 mAh each way."""
    rec = _cycling()
    back = elyte.read(write_landt_csv(rec, tmp_path / "c.csv", comments=["sigma:1 mS/cm"]))
    assert back.meta.format == "landt"
    assert back.data["charging_capacity_ah"][-1] == pytest.approx(1e-3, rel=1e-9)
    assert back.data["discharging_capacity_ah"][-1] == pytest.approx(1e-3, rel=1e-9)
    np.testing.assert_allclose(back.data["current_ampere"], rec.data["current_ampere"])
    assert back.data["step_id"].to_list() == rec.data["step_id"].to_list()
    assert back.meta.vendor["preamble"]["comment"] == SIMULATED_MARK
    assert back.meta.vendor["preamble"]["sigma"] == "1 mS/cm"


def test_writers_refuse_empty(tmp_path: Path) -> None:
    """A recording without writable columns is an ExportError, not a broken file."""
    rec = Recording(pl.DataFrame({"x": [1.0]}), RecordingMeta("test", "none"))
    with pytest.raises(ExportError):
        write_mpt(rec, tmp_path / "e.mpt")
    with pytest.raises(ExportError):
        write_landt_csv(rec, tmp_path / "e.csv")
