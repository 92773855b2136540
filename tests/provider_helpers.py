"""Helpers for provider adapter tests: a credential of a given provider, and fast Settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from responder.core.secrets import Secret
from responder.credentials.model import Credential
from responder.engine.context import Timing
from responder.providers.base import Settings

FAST = Timing(request_timeout=2.0, verify_backoff=(0.02, 0.05), read_retries=1,
              max_retry_after=0.2)


def credential(value: str, provider: str, kind: str = "token", **context: str) -> Credential:
    return Credential(Secret(value), provider, kind, context=tuple(context.items()))


def settings(timing: Timing = FAST, endpoints: dict[str, str] | None = None,
             admin: dict[str, str] | None = None) -> Settings:
    now = datetime.now(UTC)
    return Settings(timing=timing, endpoints=MappingProxyType(dict(endpoints or {})),
                    admin=MappingProxyType({k: Secret(v) for k, v in (admin or {}).items()}),
                    clock=lambda: now, window_start=now - timedelta(days=7))


