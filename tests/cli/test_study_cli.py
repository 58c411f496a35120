"""``elyte run``, ``elyte demo`` and ``elyte query``.

They are registered on a local app until the maintainer adds them to ``elyte.cli.app``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from elyte.cli import _command_returning_json
from elyte.cli.study import demo, query, run

pytest.importorskip("matplotlib")

runner = CliRunner()
app = typer.Typer()
app.command("run")(_command_returning_json(run))
app.command("demo")(_command_returning_json(demo))
app.command("query")(_command_returning_json(query))


def test_demo_then_run_then_query(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "d"), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert Path(doc["report"]).is_file()
    result = runner.invoke(
        app, ["run", doc["manifest"], "--out", str(tmp_path / "r2"), "--db", str(tmp_path / "x.db")]
    )
    assert result.exit_code == 0, result.output
    assert "report:" in result.stdout
    result = runner.invoke(app, ["query", str(tmp_path / "x.db"), "--metric", "t_plus", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["metrics"]
    assert {r["electrolyte"] for r in rows} == {"3D-SIPE-LiFPA", "1 M LiPF6 EMC/FEC"}
    assert all(r["name"] == "t_plus" for r in rows)
    result = runner.invoke(
        app,
        [
            "query",
            str(tmp_path / "x.db"),
            "-m",
            "t_plus",
            "--electrolyte",
            "3D-SIPE-LiFPA",
            "--json",
        ],
    )
    rows = json.loads(result.stdout)["metrics"]
    assert [r["cell"] for r in rows] == ["3d-sipe-lifpa-bv"]
    result = runner.invoke(app, ["query", str(tmp_path / "x.db"), "--study", "other", "--json"])
    assert json.loads(result.stdout)["metrics"] == []


def test_run_with_two_jobs_equals_one_job(tmp_path: Path) -> None:
    """Truth: the same small manifest run in this process (--jobs 1).

    The pool uses the "spawn" start method (pipeline.py): with Linux's default "fork" the
    workers deadlocked once polars had started its threads.
    """
    from elyte.study.demo import write_demo_study

    manifest = write_demo_study(tmp_path / "d")
    text = manifest.read_text()
    keep = text.split("[[cell]]")
    # a small study: the header plus the four LSV and SEI cells
    small = keep[0] + "".join(
        "[[cell]]" + c for c in keep[1:] if "-lsv" in c.split("\n")[1] or "-sei" in c.split("\n")[1]
    )
    manifest.write_text(small)
    values = {}
    for jobs in (1, 2):
        db = tmp_path / f"j{jobs}.db"
        result = runner.invoke(
            app,
            [
                "run",
                str(manifest),
                "--jobs",
                str(jobs),
                "--db",
                str(db),
                "--out",
                str(tmp_path / f"r{jobs}"),
            ],
        )
        assert result.exit_code == 0, result.output
        rows = json.loads(runner.invoke(app, ["query", str(db), "--json"]).stdout)["metrics"]
        values[jobs] = sorted((r["cell"], r["name"], r["condition"], r["value"]) for r in rows)
    assert len({c for c, *_ in values[1]}) == 4
    assert values[1] == values[2]


def test_bad_manifest_is_one_line_with_the_line_number(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        '[study]\nname = "x"\n[[electrolyte]]\nname = "E"\n[[cell]]\nid = "c"\n'
        'electrolyte = "E"\n[[cell.analysis]]\nkind = "nope"\nfiles = []\n'
    )
    result = runner.invoke(app, ["run", str(path)])
    assert result.exit_code != 0
    assert "line 9" in result.output
    assert "Traceback" not in result.output
