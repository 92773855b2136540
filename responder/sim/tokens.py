"""Token state shared by the simpler provider simulators (GitLab, Slack, Google, npm, ...).

A `TokenBook` knows every token a simulated provider issued, whose it is and whether it still
works. Like the GitHub simulator, a revoked token can keep working for `revoke_lag` more requests:
real providers take a moment to propagate a revocation, and responder must poll, not assume.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass
class SimToken:
    value: str
    account: str  # login / user name / workspace
    id: str  # the provider's id for the token (never the value)
    account_id: str = ""
    name: str = ""
    kind: str = ""
    scopes: tuple[str, ...] = ()
    expires_at: str | None = None
    created_at: str = "2026-01-05T10:00:00Z"
    revoked_at: datetime | None = None
    uses_after_revoke: int = 0
    # Provider-specific switches, e.g. {"can_self_revoke": False} (Cloudflare), {"otp": True}
    # (npm), {"project": "proj_1"} (OpenAI).
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class TokenBook:
    """Thread-safe: the simulator answers requests on many threads at once."""

    def __init__(self, tokens: Iterable[SimToken] = (), revoke_lag: int = 0) -> None:
        self.lock = threading.RLock()
        self.revoke_lag = revoke_lag
        self._by_value: dict[str, SimToken] = {}
        for token in tokens:
            self._by_value[token.value] = token

    @classmethod
    def from_seed(cls, seed: Mapping[str, Any], id_prefix: str = "tok") -> TokenBook:
        """`{"tokens": [{"value", "account", ...}], "revoke_lag": 0}`; unknown keys go to meta."""
        book = cls(revoke_lag=int(seed.get("revoke_lag", 0)))
        for number, item in enumerate(seed.get("tokens") or [], start=1):
            book.add(**{"id": f"{id_prefix}_{number}", **item})
        return book

    def add(self, value: str, account: str = "dana", **fields: Any) -> SimToken:
        known = {f for f in SimToken.__dataclass_fields__ if f not in ("value", "account")}
        meta = dict(fields.pop("meta", {}) or {})
        meta.update({k: fields.pop(k) for k in list(fields) if k not in known})
        if "scopes" in fields:
            fields["scopes"] = tuple(fields["scopes"])
        fields.setdefault("id", f"tok_{len(self._by_value) + 1}")
        token = SimToken(value=value, account=account, meta=meta, **fields)
        with self.lock:
            self._by_value[value] = token
        return token

    def get(self, value: str | None) -> SimToken | None:
        with self.lock:
            return self._by_value.get(value or "")

    def by_id(self, token_id: str) -> SimToken | None:
        with self.lock:
            return next((t for t in self._by_value.values() if t.id == token_id), None)

    def all(self) -> list[SimToken]:
        with self.lock:
            return list(self._by_value.values())

    def authenticate(self, value: str | None) -> SimToken | None:
        """The live token behind a value, or None (unknown, or revoked and propagated)."""
        with self.lock:
            token = self._by_value.get(value or "")
            if token is None:
                return None
            if token.revoked:
                if token.uses_after_revoke >= self.revoke_lag:
                    return None
                token.uses_after_revoke += 1
            return token

    def revoke(self, token: SimToken) -> bool:
        """Revoke; False when it already was."""
        with self.lock:
            if token.revoked:
                return False
            token.revoked_at = datetime.now(UTC)
            return True

    def is_active(self, value: str) -> bool:
        """The provider's own truth, without lag: for test assertions."""
        token = self.get(value)
        return token is not None and not token.revoked


def bearer(header: str | None) -> str | None:
    """The token in `Authorization: Bearer X` (any case), or None."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None
