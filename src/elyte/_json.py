"""One conversion of result values to plain JSON, used by every ``to_dict``."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

import numpy as np

__all__ = ["jsonable"]


def jsonable(value: Any) -> Any:
    """Return ``value`` as plain JSON data.

    Mappings become dicts with string keys, sequences lists, dataclasses dicts of their
    fields, numpy scalars and arrays Python numbers and lists, datetimes ISO 8601 strings,
    paths strings; non-finite floats (NaN, ±inf) become ``None`` so that the result is
    strict JSON. Anything else unknown becomes its ``str``.

    Examples
    --------
    >>> jsonable({"a": float("nan"), "b": (1, 2.5), 3: np.float64(1.5)})
    {'a': None, 'b': [1, 2.5], '3': 1.5}
    """
    if isinstance(value, np.generic):  # before float: np.float64 subclasses float
        return jsonable(value.item())
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    return str(value)
