"""The results store on a real PostgreSQL server, checked against the same run on SQLite.

The server comes from ``ELYTE_TEST_POSTGRES_URL`` (``.ci/run`` starts one and sets it). When
it is unset, the tests start a throwaway server themselves with the local ``initdb`` and
``pg_ctl``; they skip, stating why, only where no server can be started.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from elyte.study import load_manifest, open_store, query_metrics, run_study
from elyte.study.store import (
    AnalysisRow,
    CellRow,
    CycleRow,
    FigureRow,
    FileRow,
    MetricRow,
)

pytest.importorskip("matplotlib")

_SKIP_ENV = "ELYTE_TEST_POSTGRES_SKIP"
_URL_ENV = "ELYTE_TEST_POSTGRES_URL"
_INITDB_OPTIONS = ["-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale"]


def _pg_bin() -> Path | None:
    """Folder with ``initdb`` and ``pg_ctl`` (Debian's versioned folder first)."""

    def version(folder: str) -> tuple[int, ...]:
        digits = Path(folder).parent.name.split(".")
        return tuple(int(d) for d in digits if d.isdigit())

    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    return Path(pg_ctl).parent if initdb and pg_ctl else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(cmd: list[str]) -> list[str]:
    """Run as ``postgres`` when we are root (``initdb`` refuses root)."""
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    if runuser is None:
        raise RuntimeError("running as root without runuser to switch to the postgres user")
    return [runuser, "-u", "postgres", "--", *cmd]


@contextlib.contextmanager
def _local_server() -> Iterator[str]:
    """Start a throwaway server in a temporary folder; yield its admin URL."""
    pytest.importorskip("psycopg", reason="psycopg (the PostgreSQL driver) is not installed")
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip(f"PostgreSQL cannot start: no initdb/pg_ctl found and {_URL_ENV} is unset")
    if os.geteuid() == 0:
        try:
            import pwd

            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("PostgreSQL cannot start: running as root and no 'postgres' user exists")
    root = Path(tempfile.mkdtemp(prefix="elyte-test-pg-"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    data = root / "data"
    try:
        init = subprocess.run(
            _as_owner([str(bin_dir / "initdb"), "-D", str(data), *_INITDB_OPTIONS]),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if init.returncode != 0:
            pytest.skip(f"PostgreSQL cannot start: initdb failed: {init.stderr.strip()[-300:]}")
        options = f"-p {port} -k {root} -c listen_addresses=localhost -c fsync=off"
        waits = ["-w", "-t", "60", "-o", options, "start"]
        start = subprocess.run(
            _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), *waits]),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if start.returncode != 0:
            log = (root / "log").read_text() if (root / "log").exists() else start.stderr
            pytest.skip(f"PostgreSQL cannot start: pg_ctl start failed: {log.strip()[-300:]}")
        try:
            yield f"postgresql+psycopg://postgres@localhost:{port}/postgres"
        finally:
            subprocess.run(
                _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                capture_output=True,
                timeout=60,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """URL of a fresh, empty database on a PostgreSQL server (dropped afterwards)."""
    if os.environ.get(_SKIP_ENV):
        pytest.skip(os.environ[_SKIP_ENV])
    pytest.importorskip("psycopg", reason="psycopg (the PostgreSQL driver) is not installed")
    with contextlib.ExitStack() as stack:
        base = os.environ.get(_URL_ENV) or stack.enter_context(_local_server())
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        name = f"elyte_test_{uuid.uuid4().hex[:12]}"
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as exc:
            admin.dispose()
            pytest.fail(f"PostgreSQL at {base} is set but unusable: {exc}")
        try:
            yield make_url(base).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Write a small study from the virtual lab: cycling, Aurbach and ARC for one electrolyte."""
    from elyte.cli.simulate import _run
    from elyte.virtual.params import load_params

    root = tmp_path_factory.mktemp("pgstudy")
    p = load_params("3d-sipe-lifpa")
    data = root / "data"
    data.mkdir()
    (cyc,), _ = _run("cycling", p, data, 1)
    (licu,), _ = _run("aurbach", p, data, 1)
    (arc,), _ = _run("arc", p, data, 1)

    def cell(cid: str, kind: str, analysis: list[str]) -> list[str]:
        return [
            "[[cell]]",
            f'id = "{cid}"',
            f'electrolyte = "{p.name}"',
            f'type = "{kind}"',
            'temperature = "25 degC"',
            f'replicate_group = "{cid}"',
            "",
            "[[cell.analysis]]",
            *analysis,
            "",
        ]

    lines = [
        "[study]",
        'name = "pg-check"',
        'description = "Virtual-lab files for the PostgreSQL store test."',
        "",
        "[[electrolyte]]",
        f'name = "{p.name}"',
        'formulation = "virtual lab set 3d-sipe-lifpa"',
        "",
        *cell(
            "cyc-1",
            "NCM811||Li",
            [
                'kind = "cycling"',
                f'files = ["data/{cyc.name}"]',
                'working_electrode = "positive"',
                'cycle_definition = "charge_discharge"',
                'nominal_capacity = "3 mAh"',
            ],
        ),
        *cell(
            "aurbach-1",
            "Li||Cu",
            [
                'kind = "aurbach"',
                f'files = ["data/{licu.name}"]',
                'area = "1.1309733552923256 cm2"',
            ],
        ),
        *cell(
            "arc-1",
            "NCM811||Li pouch",
            ['kind = "arc"', f'files = ["data/{arc.name}"]', 'criterion = "1C/min"'],
        ),
    ]
    path = root / "study.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sqlite_engine(manifest: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = open_store(tmp_path_factory.mktemp("sqlite") / "study.db")
    run_study(load_manifest(manifest), engine, progress=False)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def pg_engine(manifest: Path, pg_url: str) -> Iterator[Engine]:
    engine = open_store(pg_url)
    assert engine.dialect.name == "postgresql"
    summary = run_study(load_manifest(manifest), engine, progress=False)
    assert sorted(summary.computed) == ["arc-1/arc", "aurbach-1/aurbach", "cyc-1/cycling"]
    yield engine
    engine.dispose()


def _key(row: dict[str, Any]) -> tuple[str, ...]:
    return (row["cell"], row["analysis"], row["name"], row["condition"])


def test_postgres_metrics_equal_sqlite(sqlite_engine: Engine, pg_engine: Engine) -> None:
    """Truth: the same manifest run into SQLite (the default store), value for value."""
    lite = query_metrics(sqlite_engine)
    pg = query_metrics(pg_engine)
    assert len(lite) > 10
    assert {_key(r) for r in pg} == {_key(r) for r in lite}
    by_key = {_key(r): r for r in lite}
    for row in pg:
        # double precision on both sides: the floats must round-trip exactly
        assert row == by_key[_key(row)]
    assert {r["analysis"] for r in pg} == {"cycling", "aurbach", "arc"}


def test_postgres_stores_every_table(sqlite_engine: Engine, pg_engine: Engine) -> None:
    """Truth: the row counts and the per-cycle JSON and PNG bytes of the SQLite store."""

    def snapshot(engine: Engine) -> dict[str, Any]:
        with Session(engine) as s:
            return {
                "analyses": s.scalar(select(func.count()).select_from(AnalysisRow)),
                "metrics": s.scalar(select(func.count()).select_from(MetricRow)),
                "cycles": [
                    (c.cycle, c.data)
                    for c in s.scalars(
                        select(CycleRow)
                        .join(AnalysisRow, CycleRow.analysis_id == AnalysisRow.id)
                        .order_by(AnalysisRow.kind, CycleRow.cycle, CycleRow.id)
                    )
                ],
                "figures": sorted((f.title, f.png) for f in s.scalars(select(FigureRow))),
                "conventions": sorted(
                    (a.kind, repr(a.conventions), repr(a.parameters), repr(a.notes))
                    for a in s.scalars(select(AnalysisRow))
                ),
            }

    lite, pg = snapshot(sqlite_engine), snapshot(pg_engine)
    assert lite["cycles"], "the cycling analysis should store per-cycle rows"
    assert lite["figures"], "the analyses should store figures"
    assert pg == lite


def test_postgres_query_metrics_filters(pg_engine: Engine) -> None:
    """Truth: the metric names the Aurbach analysis declares (``ce``) and the study's name."""
    ce = query_metrics(pg_engine, "ce", study="pg-check")
    assert [r["cell"] for r in ce] == ["aurbach-1"]
    assert 0.9 < ce[0]["value"] <= 1.0
    assert query_metrics(pg_engine, "ce", study="no-such-study") == []
    assert query_metrics(pg_engine, electrolyte="no-such-electrolyte") == []
    wildcard = query_metrics(pg_engine, "t_%")
    assert wildcard
    assert all(r["name"].startswith("t_") for r in wildcard)


def test_postgres_second_run_recomputes_nothing(manifest: Path, pg_engine: Engine) -> None:
    study = load_manifest(manifest)
    summary = run_study(study, pg_engine, progress=False)
    assert summary.computed == []
    assert sorted(summary.cached) == ["arc-1/arc", "aurbach-1/aurbach", "cyc-1/cycling"]


def test_postgres_accepts_large_files_and_non_finite_json(pg_engine: Engine) -> None:
    """Truth: constructed values; PostgreSQL's integer is 32-bit and its JSON rejects NaN."""
    with Session(pg_engine) as session, session.begin():
        cell = session.scalars(select(CellRow).where(CellRow.name == "cyc-1")).one()
        row = AnalysisRow(
            cell_id=cell.id,
            position=99,
            kind="probe",
            key="0" * 64,
            parameters={"x": float("nan")},
            conventions={"inf": [float("inf"), 1.5]},
            notes=[],
        )
        row.files = [FileRow(path="big.bin", sha256="0" * 64, size_bytes=5 * 2**30)]
        session.add(row)
    with Session(pg_engine) as session, session.begin():
        got = session.scalars(select(AnalysisRow).where(AnalysisRow.kind == "probe")).one()
        assert got.files[0].size_bytes == 5 * 2**30
        assert got.parameters == {"x": None}
        assert got.conventions == {"inf": [None, 1.5]}
        session.delete(got)


_KILLER = """
import os, signal, sys
from elyte.study import load_manifest, open_store, run_study
count = 0
def die(label):
    global count
    count += 1
    if count == 2:
        os.kill(os.getpid(), signal.SIGKILL)
run_study(load_manifest(sys.argv[1]), open_store(sys.argv[2]), progress=False, before_store=die)
"""


def test_postgres_kill_9_leaves_a_consistent_store(manifest: Path, pg_url: str) -> None:
    """A SIGKILL just before the second analysis is stored: one complete analysis remains."""
    base = make_url(pg_url)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"{base.database}_kill"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    engine = open_store(url)
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _KILLER, str(manifest), url],
            capture_output=True,
            timeout=120,
            env={**os.environ, "MPLBACKEND": "Agg"},
        )
        assert proc.returncode == -signal.SIGKILL, proc.stderr
        with Session(engine) as session:
            analyses = session.scalars(select(AnalysisRow)).all()
            assert len(analyses) == 1
            assert analyses[0].metrics
            orphans = session.scalar(
                select(func.count())
                .select_from(MetricRow)
                .where(MetricRow.analysis_id != analyses[0].id)
            )
            assert orphans == 0
        again = run_study(load_manifest(manifest), engine, progress=False)
        assert len(again.computed) == 2
        assert len(again.cached) == 1
        assert run_study(load_manifest(manifest), engine, progress=False).computed == []
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
