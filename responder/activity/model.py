"""Normalised activity: what happened on an account, in one shape for every provider.

A provider's pull yields a `Capture`: the events it could read, the `Gap`s it could not (a 403 for
a missing scope, a page that failed, a repository that is gone), and the review steps a person
must do by hand (a security log with no API). A gap is a finding: the report lists it beside the
flagged events, never drops it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Gap:
    """Something the review could not see, and why."""

    provider: str
    account: str
    what: str  # "events, page 2", "octo-dev/api webhooks", "Slack access logs"
    why: str  # "GitHub answered 500 three times", "the token lacks the admin scope"
    hint: str = ""  # how to see it anyway

    def text(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.provider} {self.account}: {self.what}: {self.why}{hint}"

    def as_dict(self) -> dict[str, str]:
        return {"provider": self.provider, "account": self.account, "what": self.what,
                "why": self.why, "hint": self.hint}


@dataclass
class Capture:
    """What one pull of one account's activity yielded."""

    provider: str
    account: str
    vantage: str  # "suspect token before revocation" | "responder token" | "local logs"
    events: list[ActivityEvent] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)  # review steps with no API, exact URLs

    def gap(self, what: str, why: str, hint: str = "") -> None:
        self.gaps.append(Gap(self.provider, self.account, what, why, hint))
