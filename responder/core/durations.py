"""Durations as people type them on a command line: 30m, 12h, 7d, 2w."""

from __future__ import annotations

import re
from datetime import timedelta

from responder.core.errors import BadInput

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_PATTERN = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")


def parse_duration(text: str, *, name: str = "--since") -> timedelta:
    match = _PATTERN.match(str(text))
    if not match or int(match.group(1)) == 0:
        raise BadInput(
            f"{name} {text!r} is not a duration",
            hint="use a number and a unit: 30m, 12h, 7d or 2w",
        )
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
