"""Run every analysis a manifest declares, incrementally, into the results store."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from elyte.study.analyses import AnalysisOutput, run_analysis
from elyte.study.manifest import AnalysisSpec, CellSpecEntry, Study
from elyte.study.store import (
    AnalysisRow,
    CellRow,
    CycleRow,
    ElectrolyteRow,
    FigureRow,
    FileRow,
    MetricRow,
    StudyRow,
)

__all__ = ["RunSummary", "analysis_key", "run_study", "sha256_file"]

#: Bump when the stored results of an analysis change meaning (forces recomputation).
PIPELINE_VERSION = "1"


@dataclass
class RunSummary:
    """What a run did.

    Attributes
    ----------
    computed : list of str
        ``cell/kind`` labels recomputed in this run.
    cached : list of str
        Labels whose files and parameters were unchanged (not recomputed).
    study_id : int
        Primary key of the study in the store.
    """

    computed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    study_id: int = 0


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, hex, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def analysis_key(spec: AnalysisSpec, hashes: list[str]) -> str:
    """Key of an analysis: kind, file hashes (in order), parameters and pipeline version."""
    text = json.dumps(
        {"v": PIPELINE_VERSION, "kind": spec.kind, "files": hashes, "p": spec.parameters},
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _cell_context(cell: CellSpecEntry) -> dict[str, Any]:
    return {"id": cell.id, "temperature_c": cell.temperature_c, "type": cell.type}


def _compute(
    kind: str, files: tuple[Path, ...], params: dict[str, Any], ctx: dict[str, Any]
) -> AnalysisOutput:
    return run_analysis(kind, files, params, ctx)


def _sync_study(session: Session, study: Study) -> tuple[StudyRow, dict[str, CellRow]]:
    row = session.scalars(select(StudyRow).where(StudyRow.name == study.name)).one_or_none()
    if row is None:
        row = StudyRow(name=study.name)
        session.add(row)
    row.description = study.description
    row.manifest = str(study.path)
    session.flush()
    electrolytes = {
        e.name: e
        for e in session.scalars(select(ElectrolyteRow).where(ElectrolyteRow.study_id == row.id))
    }
    for e in study.electrolytes:
        if e.name not in electrolytes:
            electrolytes[e.name] = ElectrolyteRow(study_id=row.id, name=e.name)
            session.add(electrolytes[e.name])
        electrolytes[e.name].formulation = e.formulation
    session.flush()
    cells = {c.name: c for c in session.scalars(select(CellRow).where(CellRow.study_id == row.id))}
    wanted = {c.id for c in study.cells}
    for name, old in list(cells.items()):
        if name not in wanted:
            session.delete(old)
            del cells[name]
    for c in study.cells:
        if c.id not in cells:
            cells[c.id] = CellRow(study_id=row.id, name=c.id, electrolyte_id=0)
            session.add(cells[c.id])
        cr = cells[c.id]
        cr.electrolyte_id = electrolytes[c.electrolyte].id
        cr.type = c.type
        cr.temperature_c = c.temperature_c
        cr.replicate_group = c.replicate_group
        cr.electrode = c.electrode
    declared = {e.name for e in study.electrolytes}
    for name, gone in list(electrolytes.items()):
        if name not in declared:
            session.delete(gone)
    session.flush()
    return row, cells


def _store(
    engine: Engine,
    cell_id: int,
    position: int,
    spec: AnalysisSpec,
    key: str,
    hashes: list[str],
    out: AnalysisOutput,
) -> None:
    """Replace the cell's analysis at ``position`` in one transaction."""
    with Session(engine) as session, session.begin():
        old = session.scalars(
            select(AnalysisRow).where(
                AnalysisRow.cell_id == cell_id, AnalysisRow.position == position
            )
        ).all()
        for row in old:
            session.delete(row)
        session.flush()
        row = AnalysisRow(
            cell_id=cell_id,
            position=position,
            kind=spec.kind,
            key=key,
            parameters=spec.parameters,
            conventions=out.conventions,
            notes=out.notes,
        )
        row.files = [
            FileRow(path=str(f), sha256=h, size_bytes=f.stat().st_size)
            for f, h in zip(spec.files, hashes, strict=True)
        ]
        row.metrics = [
            MetricRow(
                name=m.name,
                value=m.value,
                unit=m.unit,
                uncertainty=m.uncertainty,
                condition=m.condition,
            )
            for m in out.metrics
        ]
        row.cycles = [
            CycleRow(cycle=int(r.get("cycle", i + 1)), data=r) for i, r in enumerate(out.cycle_rows)
        ]
        row.figures = [FigureRow(title=t, png=png) for t, png in out.figures.items()]
        session.add(row)


def run_study(
    study: Study,
    engine: Engine,
    *,
    jobs: int = 1,
    progress: TextIO | bool = True,
    before_store: Callable[[str], None] | None = None,
) -> RunSummary:
    """Run every analysis of ``study`` whose files or parameters changed since the last run.

    Parameters
    ----------
    study : Study
        A validated manifest.
    engine : sqlalchemy.engine.Engine
        The store (see :func:`~elyte.study.store.open_store`).
    jobs : int
        Worker processes for the analyses to compute (1: in this process).
    progress : file or bool
        Where the progress lines go: ``True`` (standard error), ``False`` (silent) or a
        stream.
    before_store : callable, optional
        Called with each label just before its results are written (tests use it).

    Returns
    -------
    RunSummary
        Which analyses were computed and which were unchanged.
    """
    summary = RunSummary()
    stream: TextIO | None = sys.stderr if progress is True else (progress or None)
    with Session(engine) as session, session.begin():
        study_row, cells = _sync_study(session, study)
        summary.study_id = study_row.id
        cell_ids = {name: c.id for name, c in cells.items()}
        existing = {
            (a.cell_id, a.position): a.key
            for a in session.scalars(
                select(AnalysisRow).where(AnalysisRow.cell_id.in_(cell_ids.values()))
            )
        }
        for cell in study.cells:  # analyses no longer declared
            session.execute(
                delete(AnalysisRow).where(
                    AnalysisRow.cell_id == cell_ids[cell.id],
                    AnalysisRow.position >= len(cell.analyses),
                )
            )
    todo: list[tuple[str, CellSpecEntry, int, AnalysisSpec, str, list[str]]] = []
    total = sum(len(c.analyses) for c in study.cells)
    done = 0

    def tick(label: str, state: str) -> None:
        nonlocal done
        done += 1
        if stream is not None:
            width = 24
            filled = round(width * done / total) if total else width
            bar = "#" * filled + "-" * (width - filled)
            stream.write(f"\r[{bar}] {done}/{total} {label}: {state}\n")
            stream.flush()

    for cell in study.cells:
        for position, spec in enumerate(cell.analyses):
            label = f"{cell.id}/{spec.kind}"
            hashes = [sha256_file(f) for f in spec.files]
            key = analysis_key(spec, hashes)
            if existing.get((cell_ids[cell.id], position)) == key:
                summary.cached.append(label)
                tick(label, "unchanged")
            else:
                todo.append((label, cell, position, spec, key, hashes))

    def finish(
        item: tuple[str, CellSpecEntry, int, AnalysisSpec, str, list[str]], out: AnalysisOutput
    ) -> None:
        label, cell, position, spec, key, hashes = item
        if before_store is not None:
            before_store(label)
        _store(engine, cell_ids[cell.id], position, spec, key, hashes, out)
        summary.computed.append(label)
        tick(label, "computed")

    if jobs > 1 and len(todo) > 1:
        with ProcessPoolExecutor(
            max_workers=jobs,
            # spawn, not fork: a fork after polars started its threads can deadlock
            mp_context=multiprocessing.get_context("spawn"),
        ) as pool:
            futures = [
                (
                    item,
                    pool.submit(
                        _compute,
                        item[3].kind,
                        item[3].files,
                        item[3].parameters,
                        _cell_context(item[1]),
                    ),
                )
                for item in todo
            ]
            for item, future in futures:
                finish(item, future.result())
    else:
        for item in todo:
            finish(
                item,
                _compute(item[3].kind, item[3].files, item[3].parameters, _cell_context(item[1])),
            )
    return summary
