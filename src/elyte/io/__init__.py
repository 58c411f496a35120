"""Readers: instrument files → :class:`~elyte.recording.Recording`.

One module per vendor format. Each module is a reader plugin (see
:class:`elyte.io.registry.ReaderPlugin`) and is registered under the ``elyte.readers`` entry
point group, so other packages can add readers the same way.
"""

from elyte.io.registry import available_readers, get_reader, read

__all__ = ["available_readers", "get_reader", "read"]
