"""Virtual lab: simulated experiments with known ground truth, written as instrument files.

Every simulator is a pure function of physical parameters and a random ``seed``; it returns
``(Recording, Truth)`` with ``meta.simulated`` true. :mod:`elyte.virtual.writers` writes the
recordings as BioLogic ``.mpt`` or LAND CSV exports that elyte's own readers read back.
"""

from __future__ import annotations

from elyte.virtual.lsv import SEED_PRESETS as LSV_PRESETS
from elyte.virtual.lsv import LsvTruth, linear_sweep, lsv_preset
from elyte.virtual.writers import SIMULATED_MARK, write_landt_csv, write_mpt

__all__ = [
    "LSV_PRESETS",
    "SIMULATED_MARK",
    "LsvTruth",
    "linear_sweep",
    "lsv_preset",
    "write_landt_csv",
    "write_mpt",
]
