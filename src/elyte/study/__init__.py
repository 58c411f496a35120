"""Studies: a TOML manifest, every analysis it declares, a results store and a report.

>>> from elyte.study import load_manifest, run_manifest  # doctest: +SKIP
>>> paths = run_manifest("study.toml", out="report")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from elyte.study.manifest import ANALYSES, Study, load_manifest
from elyte.study.pipeline import RunSummary, run_study
from elyte.study.report import write_report
from elyte.study.store import open_store, query_metrics

__all__ = [
    "ANALYSES",
    "RunSummary",
    "Study",
    "load_manifest",
    "open_store",
    "query_metrics",
    "run_manifest",
    "run_study",
    "write_report",
]


def run_manifest(
    manifest: str | Path,
    *,
    out: str | Path | None = None,
    db: str | None = None,
    jobs: int = 1,
    progress: TextIO | bool = True,
) -> dict[str, Path]:
    """Validate a manifest, run its analyses incrementally and write the report.

    Parameters
    ----------
    manifest : str or pathlib.Path
        The study's TOML manifest.
    out : str or pathlib.Path, optional
        Report folder (default: ``report/`` beside the manifest).
    db : str, optional
        SQLAlchemy URL or SQLite path (default: ``study.db`` beside the manifest).
    jobs : int
        Worker processes for the analyses.
    progress : file or bool
        Where progress lines go: ``True`` (standard error), ``False`` (silent) or a stream.

    Returns
    -------
    dict of str to pathlib.Path
        The report's files (``"html"``, CSVs, ``"json"``) and ``"db"`` (only for SQLite).
    """
    study = load_manifest(manifest)
    folder = Path(manifest).resolve().parent
    engine = open_store(db if db is not None else folder / "study.db")
    try:
        run_study(study, engine, jobs=jobs, progress=progress)
        return write_report(engine, study.name, out if out is not None else folder / "report")
    finally:
        engine.dispose()
