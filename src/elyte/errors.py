"""The exception hierarchy of elyte.

Every error the library raises on purpose is an :class:`ElyteError`. Each subclass also
inherits the builtin exception a Python user would expect (``ReaderError`` is a
``ValueError``, ``MissingFileError`` a ``FileNotFoundError``), so ``except ValueError``
keeps working for callers who do not know elyte.

Errors about a file carry the file's ``path`` and, for binary formats, the ``offset`` (in
bytes from the start of the file) where the problem was found. ``str(error)`` puts both in
front of the message so the one line the CLI prints is enough to find the problem.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

__all__ = [
    "CircuitError",
    "ColumnMappingError",
    "ElyteError",
    "ExportError",
    "ImpedanceError",
    "ManifestError",
    "MissingCellParameterError",
    "MissingDependencyError",
    "MissingFileError",
    "ProtocolError",
    "ReaderError",
    "ThermalError",
    "UnknownFormatError",
]


class ElyteError(Exception):
    """Root of every error raised on purpose by elyte.

    Parameters
    ----------
    message : str
        What is wrong, in one sentence, and where possible what to do about it.
    path : str or os.PathLike, optional
        The file the error is about.
    offset : int, optional
        Byte offset in ``path`` where the problem was found (binary formats).
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        offset: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.offset = offset

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}"
            if self.offset is not None:
                where += f" (byte {self.offset})"
            where += ": "
        return where + self.message

    def __reduce__(self) -> tuple[object, ...]:
        # Keep keyword-only fields when pickled (multiprocessing, Dask).
        return (_rebuild, (type(self), self.message, self.path, self.offset))


def _rebuild(
    cls: type[ElyteError], message: str, path: Path | None, offset: int | None
) -> ElyteError:
    return cls(message, path=path, offset=offset)


class ReaderError(ElyteError, ValueError):
    """A file could not be read: its content is not what its format promises."""


class UnknownFormatError(ReaderError):
    """No installed reader recognises the file, or the requested format does not exist."""


class ColumnMappingError(ReaderError, KeyError):
    """A column mapping names a column the file lacks, or a canonical name we do not know."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return ElyteError.__str__(self)


class MissingFileError(ElyteError, FileNotFoundError):
    """The path does not exist or is not a regular file."""


class ExportError(ElyteError, OSError):
    """A recording could not be written (bad target, unsupported format)."""


# ElyteError and ImportError both define .path; ours (a Path) wins.
class MissingDependencyError(ElyteError, ImportError):  # type: ignore[misc]
    """An optional dependency needed for this feature is not installed."""


class MissingCellParameterError(ElyteError, ValueError):
    """A cell parameter the calculation needs was not given, or is not a usable value.

    The message names the parameters to pass (for example ``active_mass_g``, or
    ``loading_mg_cm2`` with ``area_cm2`` and ``active_fraction``).
    """


class ProtocolError(ElyteError, ValueError):
    """A recording does not follow the test protocol an analysis expects.

    Raised, for example, when a file given to the modified-Aurbach analysis is not a Li||Cu
    plating/stripping test. The message names the missing or unexpected step (its position,
    time and voltage) so that the recording can be checked by eye.
    """


class ImpedanceError(ElyteError, ValueError):
    """Impedance data or a fit request is not usable as given.

    Raised, for example, for a spectrum with mismatched or non-finite arrays, a recording
    without impedance columns, or fit options that name unknown parameters. The message
    repeats the bad value and says what is allowed.
    """


class CircuitError(ImpedanceError):
    """An equivalent-circuit string cannot be parsed, or names an element nobody registered.

    The message shows the string with a caret under the position of the problem.
    """


class ThermalError(ElyteError, ValueError):
    """A calorimetry recording (ARC, DSC) or a thermal-runaway model cannot be used as asked.

    Raised, for example, for an analysis window outside the data, a criterion that is not a
    positive rate, or model parameters that are not physical. The message repeats the bad
    value and says what is allowed. A run without any exotherm is *not* an error.
    """


class ManifestError(ElyteError, ValueError):
    """A study manifest (TOML) is not valid: a missing file, an unknown analysis, a bad unit.

    ``line`` is the 1-based line of the manifest the problem is on (``None`` when it cannot
    be placed); ``str(error)`` puts the file and line in front of the message.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        offset: int | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, path=path, offset=offset)
        self.line = line
        self.field = field

    def __str__(self) -> str:
        where = f"{self.path}" if self.path is not None else "manifest"
        if self.line is not None:
            where += f", line {self.line}"
        return f"{where}: {self.message}"
