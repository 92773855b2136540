"""Values provider adapters return: who a token belongs to, and what became of a revoke."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Identity:
    credential_id: str
    provider: str
    account: str  # login / username
    account_id: str
    token_kind: str
    scopes: tuple[str, ...] | None  # None: the provider does not report scopes for this kind
    expires: str | None
    audit_handle: str | None = None  # e.g. GitHub's hashed_token for audit-log search
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "credential": self.credential_id,
            "provider": self.provider,
            "account": self.account,
            "account_id": self.account_id,
            "token_kind": self.token_kind,
            "scopes": list(self.scopes) if self.scopes is not None else None,
            "expires": self.expires,
            "audit_handle": self.audit_handle,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class RevokeOutcome:
    credential_id: str
    # submitted: the provider accepted the request (proof comes from verify); unknown: the request
    # may or may not have reached the provider, so it is never re-sent blindly; verify decides.
    status: Literal["submitted", "failed", "unknown", "manual"]
    detail: str = ""
    manual: tuple[str, ...] = field(default_factory=tuple)
