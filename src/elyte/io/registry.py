"""Finding the reader for a file.

A reader plugin is any object (usually a module) with

``name`` : str
    Short format name users pass as ``format=`` (``"biologic-mpr"``).
``description`` : str
    One line shown by ``elyte formats``.
``guess_can_open(path) -> bool``
    Cheap check (extension, magic bytes, first lines); must not raise.
``read(path, **options) -> Recording``
    The reader itself; raises :class:`~elyte.errors.ReaderError` on bad content.

Plugins are found through the ``elyte.readers`` entry point group; elyte's own readers are
registered there too (``pyproject.toml``) and, as a fallback when the package metadata is not
installed, from the built-in list below. When no reader claims a file, the error lists the
installed readers.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
from collections.abc import Callable
from functools import cache
from importlib.metadata import entry_points
from os import PathLike
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from elyte.errors import ElyteError, MissingFileError, ReaderError, UnknownFormatError
from elyte.recording import Recording

__all__ = ["ReaderPlugin", "available_readers", "file_sha256", "get_reader", "read"]

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "elyte.readers"

# Order matters for guessing: specific formats (magic bytes) before generic text formats.
_BUILTIN = (
    "elyte.io.biologic_mpr",
    "elyte.io.biologic_mpt",
    "elyte.io.neware",
    "elyte.io.landt",
    "elyte.io.arbin",
    "elyte.io.bdf",
    "elyte.io.gamry",
    "elyte.io.zplot",
    "elyte.io.chi",
    "elyte.io.csv",
    "elyte.io.eis_text",
)


@runtime_checkable
class ReaderPlugin(Protocol):
    """What a reader plugin provides (see the module docstring)."""

    name: str
    description: str

    def guess_can_open(self, path: Path) -> bool:
        """Return True if this reader probably reads ``path``."""

    def read(self, path: Path, **options: Any) -> Recording:
        """Read ``path`` into a recording."""


@cache
def _plugins() -> dict[str, ReaderPlugin]:
    found: dict[str, ReaderPlugin] = {}
    for module_name in _BUILTIN:
        plugin = importlib.import_module(module_name)
        found[plugin.name] = plugin
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.value in _BUILTIN:
            continue
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken third-party plugin must not break elyte
            logger.warning("reader plugin %r failed to load: %s", ep.name, exc)
            continue
        if not isinstance(plugin, ReaderPlugin):
            logger.warning("entry point %r is not a reader plugin; ignored", ep.name)
            continue
        found.setdefault(plugin.name, plugin)
    return found


def available_readers() -> dict[str, str]:
    """Installed readers: format name → one-line description."""
    return {name: plugin.description for name, plugin in _plugins().items()}


def get_reader(format: str) -> ReaderPlugin:
    """Return the reader plugin registered as ``format``.

    Raises
    ------
    UnknownFormatError
        If no reader has that name; the message lists the installed ones.
    """
    plugins = _plugins()
    if format not in plugins:
        raise UnknownFormatError(
            f"no reader named {format!r}; installed readers: {', '.join(plugins)}"
        )
    return plugins[format]


def _guess(path: Path) -> ReaderPlugin:
    for plugin in _plugins().values():
        try:
            if plugin.guess_can_open(path):
                return plugin
        except Exception as exc:  # guessing must never be the thing that fails
            logger.debug("reader %s raised while guessing %s: %s", plugin.name, path, exc)
    raise UnknownFormatError(
        "no installed reader recognises this file; pass format= explicitly. "
        f"Installed readers: {', '.join(_plugins())}",
        path=path,
    )


def read(path: str | PathLike[str], *, format: str | None = None, **options: Any) -> Recording:
    """Read an instrument file into a canonical :class:`~elyte.recording.Recording`.

    Parameters
    ----------
    path : str or os.PathLike
        The file. It is only ever opened for reading.
    format : str, optional
        Reader name (see :func:`available_readers`); guessed from the file when omitted.
    **options
        Passed to the reader (for example ``columns=`` for the generic CSV reader).

    Returns
    -------
    Recording
        Canonical columns in SI units with BDF names, plus metadata.

    Raises
    ------
    MissingFileError
        If ``path`` does not exist or is not a file.
    UnknownFormatError
        If no reader recognises the file (or ``format`` names none).
    ReaderError
        If the file's content is broken or not what its format promises.

    Examples
    --------
    >>> import elyte
    >>> rec = elyte.read("cell.mpr")  # doctest: +SKIP
    >>> rec.data.select("test_time_second", "voltage_volt")  # doctest: +SKIP
    """
    file = Path(path)
    if not file.exists():
        raise MissingFileError("no such file", path=file)
    if not file.is_file():
        raise MissingFileError("not a regular file", path=file)
    plugin = get_reader(format) if format is not None else _guess(file)
    return _call_reader(plugin.read, file, options)


def _call_reader(func: Callable[..., Recording], file: Path, options: dict[str, Any]) -> Recording:
    """Run a reader and make sure whatever goes wrong inside reaches the user as an ElyteError."""
    try:
        return func(file, **options)
    except ElyteError:
        raise
    except TypeError as exc:
        if "unexpected keyword argument" in str(exc):
            raise ReaderError(f"unsupported reader option: {exc}", path=file) from exc
        raise ReaderError(f"unreadable file ({type(exc).__name__}: {exc})", path=file) from exc
    except MemoryError as exc:
        raise ReaderError("file too large to read into memory", path=file) from exc
    except Exception as exc:
        # Backstop only: readers raise ReaderError themselves with a precise message, but
        # third-party parsers (polars, fastnda, calamine) raise types of their own.
        raise ReaderError(f"unreadable file ({type(exc).__name__}: {exc})", path=file) from exc


def file_sha256(path: Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
