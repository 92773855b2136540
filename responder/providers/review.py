"""Shared wording for the activity review steps adapters hand a person."""

from __future__ import annotations

from datetime import UTC, datetime


def since(window_start: datetime) -> str:
    """The window start as review steps show it: UTC, to the minute ("2026-03-01 10:00 UTC"),
    whatever zone the run's clock is in."""
    return window_start.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso_utc(window_start: datetime) -> str:
    """The window start as CLI flags take it: `2026-03-01T10:00:00Z`."""
    return window_start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
