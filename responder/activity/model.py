"""Normalised activity: what happened on an account, in one shape for every provider."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ActivityEvent:
    provider: str
    kind: str  # e.g. ssh_key_added, webhook_added, repository_made_public, push
    at: str  # ISO-8601 UTC, as the provider reported it
    account: str
    target: str  # a repository, or the account itself
    summary: str
    source: str  # the evidence file it was read from
    in_window: bool
    detail: dict[str, Any] = field(default_factory=dict)

    def field_value(self, path: str) -> Any:
        if path.startswith("detail."):
            return self.detail.get(path.removeprefix("detail."))
        return getattr(self, path, None)


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
