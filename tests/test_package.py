"""Importing elyte is light and has no side effects."""

from __future__ import annotations

import logging
import subprocess
import sys

import elyte


def test_import_has_no_side_effects() -> None:
    code = (
        "import logging, sys, warnings; warnings.simplefilter('error');"
        "root = list(logging.getLogger().handlers);"
        "import elyte;"
        "assert logging.getLogger().handlers == root, 'root logger touched';"
        "print(sorted(m for m in ('polars', 'numpy', 'typer', 'fastnda') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"  # heavy modules load on first use only


def test_package_logger_has_only_a_null_handler() -> None:
    handlers = logging.getLogger("elyte").handlers
    assert [type(h) for h in handlers] == [logging.NullHandler]


def test_lazy_public_api() -> None:
    assert callable(elyte.read)
    assert elyte.Recording.__name__ == "Recording"
    assert issubclass(elyte.ReaderError, ValueError)
