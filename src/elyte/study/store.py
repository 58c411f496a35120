"""The results store: a SQLAlchemy 2.x schema, SQLite by default.

Tables: ``studies``, ``electrolytes``, ``cells``, ``files``, ``analyses`` (parameters and
conventions as JSON, figures as PNG), ``metrics`` (name, value, unit, uncertainty) and
``cycle_rows`` (per-cycle tables). Each analysis is written in one transaction, so a run
killed mid-way leaves the last complete state.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    create_engine,
    event,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

__all__ = [
    "AnalysisRow",
    "Base",
    "CellRow",
    "CycleRow",
    "ElectrolyteRow",
    "FigureRow",
    "FileRow",
    "MetricRow",
    "StudyRow",
    "database_url",
    "open_store",
    "query_metrics",
]


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


class StudyRow(Base):
    """A study (one manifest)."""

    __tablename__ = "studies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    manifest: Mapped[str] = mapped_column(Text, default="")


class ElectrolyteRow(Base):
    """An electrolyte of a study."""

    __tablename__ = "electrolytes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    formulation: Mapped[str] = mapped_column(Text, default="")


class CellRow(Base):
    """A cell: electrolyte, type, temperature, replicate group."""

    __tablename__ = "cells"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    electrolyte_id: Mapped[int] = mapped_column(ForeignKey("electrolytes.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(100), default="")
    temperature_c: Mapped[float | None] = mapped_column(Float, nullable=True)
    replicate_group: Mapped[str] = mapped_column(String(200), default="")
    electrode: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    electrolyte: Mapped[ElectrolyteRow] = relationship()


class AnalysisRow(Base):
    """One analysis of one cell, keyed by its files' SHA-256 and its parameters."""

    __tablename__ = "analyses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("cells.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(50))
    key: Mapped[str] = mapped_column(String(64))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    conventions: Mapped[dict[str, Any]] = mapped_column(JSON)
    notes: Mapped[list[str]] = mapped_column(JSON)
    cell: Mapped[CellRow] = relationship()
    metrics: Mapped[list[MetricRow]] = relationship(
        back_populates="analysis", cascade="all, delete-orphan"
    )
    files: Mapped[list[FileRow]] = relationship(cascade="all, delete-orphan")
    cycles: Mapped[list[CycleRow]] = relationship(cascade="all, delete-orphan")
    figures: Mapped[list[FigureRow]] = relationship(cascade="all, delete-orphan")


class FileRow(Base):
    """A raw file an analysis read, with its SHA-256."""

    __tablename__ = "files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)


class MetricRow(Base):
    """A scalar figure of merit with unit and uncertainty."""

    __tablename__ = "metrics"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    unit: Mapped[str] = mapped_column(String(50))
    uncertainty: Mapped[float | None] = mapped_column(Float, nullable=True)
    condition: Mapped[str] = mapped_column(String(200), default="")
    analysis: Mapped[AnalysisRow] = relationship(back_populates="metrics")


class CycleRow(Base):
    """One row of a per-cycle table (the row's columns as JSON)."""

    __tablename__ = "cycle_rows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"))
    cycle: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class FigureRow(Base):
    """A figure an analysis drew (PNG)."""

    __tablename__ = "figures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    png: Mapped[bytes] = mapped_column(LargeBinary)


def database_url(db: str | Path) -> str:
    """Turn a path or URL into a SQLAlchemy URL (a plain path means a SQLite file)."""
    text = str(db)
    return text if "://" in text else f"sqlite:///{Path(text).resolve()}"


def _finite(value: Any) -> Any:
    """Replace non-finite floats (NaN, ±inf) by ``None``, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _strict_json(value: Any) -> str:
    """JSON text PostgreSQL accepts: non-finite floats become ``null``."""
    return json.dumps(_finite(value))


def open_store(db: str | Path) -> Engine:
    """Create the engine for ``db`` (path or URL) and the tables if they are missing.

    Parameters
    ----------
    db : str or pathlib.Path
        A SQLAlchemy URL, or a path to a SQLite file.

    Returns
    -------
    sqlalchemy.engine.Engine
        The engine; SQLite connections enforce foreign keys. On PostgreSQL, whose JSON
        type rejects ``NaN`` and ``Infinity``, non-finite floats inside JSON columns are
        stored as ``null`` (SQLite keeps them).
    """
    url = database_url(db)
    if url.startswith("postgresql"):
        engine = create_engine(url, json_serializer=_strict_json)
    else:
        engine = create_engine(url)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _pragma(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    Base.metadata.create_all(engine)
    return engine


def query_metrics(
    db: str | Path | Engine,
    name: str | None = None,
    *,
    electrolyte: str | None = None,
    study: str | None = None,
) -> list[dict[str, Any]]:
    """Metrics across every study in a store, optionally filtered.

    Parameters
    ----------
    db : str, pathlib.Path or sqlalchemy.engine.Engine
        The store.
    name : str, optional
        Metric name (``"t_plus"``); SQL ``LIKE`` wildcards (``%``) allowed.
    electrolyte, study : str, optional
        Restrict to one electrolyte or study.

    Returns
    -------
    list of dict
        One dict per metric: study, electrolyte, cell, replicate_group, analysis, name,
        value, unit, uncertainty, condition.
    """
    engine = db if isinstance(db, Engine) else open_store(db)
    stmt = (
        select(MetricRow, AnalysisRow, CellRow, ElectrolyteRow, StudyRow)
        .join(AnalysisRow, MetricRow.analysis_id == AnalysisRow.id)
        .join(CellRow, AnalysisRow.cell_id == CellRow.id)
        .join(ElectrolyteRow, CellRow.electrolyte_id == ElectrolyteRow.id)
        .join(StudyRow, CellRow.study_id == StudyRow.id)
        .order_by(
            StudyRow.name, ElectrolyteRow.name, CellRow.name, AnalysisRow.position, MetricRow.id
        )
    )
    if name is not None:
        stmt = stmt.where(MetricRow.name.like(name))
    if electrolyte is not None:
        stmt = stmt.where(ElectrolyteRow.name == electrolyte)
    if study is not None:
        stmt = stmt.where(StudyRow.name == study)
    with Session(engine) as session:
        return [
            {
                "study": s.name,
                "electrolyte": e.name,
                "cell": c.name,
                "replicate_group": c.replicate_group,
                "analysis": a.kind,
                "name": m.name,
                "value": m.value,
                "unit": m.unit,
                "uncertainty": m.uncertainty,
                "condition": m.condition,
            }
            for m, a, c, e, s in session.execute(stmt).all()
        ]
