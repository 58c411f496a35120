"""Reader plugin: arbin (not written yet)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from elyte.errors import ReaderError
from elyte.recording import Recording

name = "arbin".replace("_", "-")
description = "arbin (placeholder)"


def guess_can_open(path: Path) -> bool:
    """Return False: this reader is not written yet."""
    return False


def read(path: Path, **options: Any) -> Recording:
    """Not written yet."""
    raise ReaderError("reader not written yet", path=path)
