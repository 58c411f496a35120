"""elyte: evaluate electrolytes for lithium-metal batteries.

Instrument files become one canonical :class:`Recording` (BDF column names, SI units) with
:func:`read`; analyses turn recordings into figures of merit with explicit conventions, units
and uncertainties.

Importing elyte has no side effects: the package logger only gets a ``NullHandler``, and
submodules load when first used.
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

logging.getLogger(__name__).addHandler(logging.NullHandler())

try:
    __version__ = version("elyte")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

if TYPE_CHECKING:
    from elyte.errors import ElyteError, ReaderError
    from elyte.io.registry import available_readers, read
    from elyte.recording import Recording, RecordingMeta

__all__ = [
    "ElyteError",
    "ReaderError",
    "Recording",
    "RecordingMeta",
    "__version__",
    "available_readers",
    "read",
]

_LAZY = {
    "ElyteError": "elyte.errors",
    "ReaderError": "elyte.errors",
    "Recording": "elyte.recording",
    "RecordingMeta": "elyte.recording",
    "read": "elyte.io.registry",
    "available_readers": "elyte.io.registry",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'elyte' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
