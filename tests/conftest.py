"""Shared fixtures: where the real instrument files live, and skipping when they do not."""

from __future__ import annotations

from pathlib import Path

import pytest

#: ``../shared/data`` relative to the project root (see that folder's PROVENANCE.md).
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_file(*parts: str) -> Path:
    """Path of a real instrument file; skips the calling test when it is not there."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} (../shared/data is absent)")
    return path


@pytest.fixture
def shared_data() -> Path:
    """Return the ``../shared/data`` folder; skip the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent")
    return SHARED_DATA
