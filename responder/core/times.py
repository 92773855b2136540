"""Timestamps as providers and registries write them (ISO 8601, often with a `Z`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_instant(value: Any) -> datetime | None:
    """Like parse_time, but a time without an offset is taken as UTC, so it always compares."""
    parsed = parse_time(value)
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def utc_text(value: datetime | None) -> str:
    """`2026-11-21T20:52:00Z`: the form both reports use."""
    if value is None:
        return "unknown"
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
