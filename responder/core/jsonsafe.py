"""JSON encoding that can never write a secret value: `Secret` renders as its redacted form."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

from responder.core.secrets import Secret


def _default(value: Any) -> Any:
    if isinstance(value, Secret):
        return value.redacted
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def dumps(value: Any, *, indent: int | None = None) -> str:
    return json.dumps(value, default=_default, indent=indent, ensure_ascii=False, sort_keys=False)


def to_plain(value: Any) -> Any:
    """The JSON-safe plain form of a value (dicts, lists, strings, numbers)."""
    return json.loads(dumps(value))
