"""The provider adapter contract, and the values adapters return.

An adapter knows one provider: how to learn whose a credential is (`identify`), how to kill it
(`plan_revoke` shows the exact requests, `revoke` sends them), how to prove it dead (`probe`), and
what a person must do when no API can (`manual_steps`). The actions in `actions/tokens.py` run
adapters concurrently and own the ordering (identity, then revoke, then bounded verification).

Safety rules every adapter keeps:
- a credential is only ever sent to the provider it was recognised for, at the base URL its own
  server definition names (GitHub Enterprise, self-hosted GitLab) or the run's configured one;
- a revoke is sent once; when its outcome is unknown it is verified, never re-sent;
- only the redacted form of a value appears in any message, plan or outcome.
"""

from __future__ import annotations

import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from responder.core.concurrency import concurrently
from responder.core.errors import ProviderError

if TYPE_CHECKING:
    from responder.actions.base import RequestPlan
    from responder.activity.evidence import EvidenceStore
    from responder.activity.model import Capture
    from responder.core.http import Answer, HttpClient
    from responder.core.secrets import Secret
    from responder.credentials.model import Credential
    from responder.engine.context import Timing

Route = Literal["self", "admin", "manual"]
Verdict = Literal["dead", "alive", "unknown"]


@dataclass(frozen=True)
class Identity:
    credential_id: str
    provider: str
    account: str  # login / username / workspace
    account_id: str
    token_kind: str
    scopes: tuple[str, ...] | None  # None: the provider does not report scopes for this kind
    expires: str | None
    audit_handle: str | None = None  # e.g. GitHub's hashed_token for audit-log search
    notes: tuple[str, ...] = ()
    # The provider's own id for this token (Cloudflare token id, npm key, OpenAI key id, ...),
    # which the revoke needs; never the value.
    handle: str | None = None
    details: tuple[tuple[str, str], ...] = ()  # e.g. (("project", "proj_1"),), for the report

    def detail(self, key: str) -> str | None:
        return dict(self.details).get(key)

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
            "handle": self.handle,
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Identity:
        """Back from as_dict(): a resumed run's identities come from the journal."""
        scopes = data.get("scopes")
        return cls(
            credential_id=str(data["credential"]), provider=str(data["provider"]),
            account=str(data.get("account", "")), account_id=str(data.get("account_id", "")),
            token_kind=str(data.get("token_kind", "")),
            scopes=tuple(scopes) if scopes is not None else None,
            expires=data.get("expires"), audit_handle=data.get("audit_handle"),
            notes=tuple(data.get("notes") or ()), handle=data.get("handle"),
            details=tuple((str(k), str(v)) for k, v in (data.get("details") or {}).items()),
        )


@dataclass(frozen=True)
class RevokeOutcome:
    credential_id: str
    # submitted: the provider accepted the request (proof comes from verify); unknown: the request
    # may or may not have reached the provider, so it is never re-sent blindly; verify decides;
    # failed: surely not revoked; manual: no API route here.
    status: Literal["submitted", "failed", "unknown", "manual"]
    detail: str = ""
    manual: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Probe:
    """One verification attempt: the provider rejects the token (dead), accepts it (alive), or
    the answer proves nothing (unknown: an error, a timeout, garbage)."""

    verdict: Verdict
    detail: str = ""
    retry: bool = True  # False: asking again cannot give another answer (no check exists)


@dataclass(frozen=True)
class Settings:
    """What adapters get from the run: endpoints, bounds, and the admin credentials the user
    provided through documented environment variables. Built once per run by the registry."""

    timing: Timing
    endpoints: Mapping[str, str]  # provider name → base URL override (RESPONDER_<P>_API_URL)
    admin: Mapping[str, Secret]  # env var name → value, e.g. RESPONDER_OPENAI_ADMIN_KEY
    clock: Any  # () -> datetime
    window_start: datetime | None = None  # the start of the review window (--since)


class Provider(ABC):
    """One provider at one base URL. Subclasses set `name`, `title`, `default_url`."""

    name: ClassVar[str]
    title: ClassVar[str]
    default_url: ClassVar[str] = ""
    # Settings pages, for manual steps and the report; the first is the main one.
    settings_urls: ClassVar[tuple[str, ...]] = ()

    def __init__(self, base_url: str, settings: Settings) -> None:
        self.base_url = base_url.rstrip("/")
        self.settings = settings
        self._http: HttpClient | None = None
        self._http_lock = threading.Lock()

    @property
    def timing(self) -> Timing:
        return self.settings.timing

    # -- which instance -----------------------------------------------------------------------

    @classmethod
    def base_url_for(cls, credential: Credential, settings: Settings) -> str:
        """The API base this credential must go to: the run's override, else the default.
        Adapters for self-hostable providers read the server's own variables (GITHUB_HOST,
        GITLAB_API_URL) from `credential.context` first."""
        return settings.endpoints.get(cls.name) or cls.default_url

    def recognizes(self, credential: Credential) -> bool:
        return credential.provider == self.name

    # -- the contract -------------------------------------------------------------------------

    @abstractmethod
    def route(self, credential: Credential) -> Route:
        """How this credential can be revoked with what this run has."""

    def identify(self, credential: Credential) -> Identity | None:
        """Whose the credential is, captured before any revoke. None: this provider has no
        identity call for this kind. Raises ProviderError (status 401 = already invalid)."""
        return None

    def plan_revoke(self, credentials: list[Credential]) -> list[RequestPlan]:
        """The exact writing requests `revoke` would send (values redacted)."""
        return []

    def revoke(self, credentials: list[Credential],
               identities: Mapping[str, Identity]) -> list[RevokeOutcome]:
        """Revoke a batch. The default sends one request per credential, concurrently."""
        return concurrently(credentials, lambda c: self._revoke_guarded(c, identities.get(c.id)),
                            f"revoke-{self.name}", limit=16)

    def revoke_one(self, credential: Credential, identity: Identity | None) -> RevokeOutcome:
        return self.manual(credential, "no revoke API for this credential")

    def probe(self, credential: Credential) -> Probe:
        """One verification attempt with the suspect credential itself."""
        return Probe("unknown", f"{self.title} offers no way to check this credential",
                     retry=False)

    @abstractmethod
    def manual_steps(self, credential: Credential) -> list[str]:
        """What a person must do: the exact settings URL and what to check there."""

    # -- activity (the review) ----------------------------------------------------------------

    def capture_activity(self, credential: Credential, identity: Identity,
                         window_start: datetime, evidence: EvidenceStore,
                         budget: float) -> Capture | None:
        """What the suspect credential can see of its account's activity since `window_start`,
        pulled before it is revoked (within `budget` seconds; every raw answer saved through
        `evidence`). None: this provider has no activity API for this kind."""
        return None

    def review_steps(self, identity: Identity | None, credential: Credential,
                     window_start: datetime) -> list[str]:
        """The activity review a person must do by hand: where the provider's own audit or
        security log is, and what to look for since `window_start`."""
        return []

    # -- helpers for subclasses ---------------------------------------------------------------

    def manual(self, credential: Credential, why: str) -> RevokeOutcome:
        return RevokeOutcome(credential.id, "manual", why, tuple(self.manual_steps(credential)))

    def failed(self, credential: Credential, why: str) -> RevokeOutcome:
        return RevokeOutcome(credential.id, "failed", why, tuple(self.manual_steps(credential)))

    def outcome_of_error(self, credential: Credential, error: ProviderError) -> RevokeOutcome:
        """A writing call that raised: unknown if it may have landed, failed otherwise."""
        if error.delivered is None:
            return RevokeOutcome(credential.id, "unknown",
                                 f"{error.message}; the request may have landed, so it is not "
                                 "sent again: verification decides",
                                 tuple(self.manual_steps(credential)))
        return self.failed(credential, error.message + (f" ({error.hint})" if error.hint else ""))

    def common_write_outcome(self, credential: Credential, answer: Answer,
                             request: str) -> RevokeOutcome | None:
        """The answers to a writing call that mean the same at every provider: a 5xx may have
        landed (unknown: verify, never re-send); a 429 surely did not (failed, manual step)."""
        if answer.status >= 500:
            return RevokeOutcome(credential.id, "unknown", f"{self.title} answered "
                                 f"{answer.status} to {request}; it may have landed, so it is "
                                 "not sent again: verification decides",
                                 tuple(self.manual_steps(credential)))
        if answer.status == 429:
            from responder.core.http import rate_limit_hint

            return self.failed(credential, "not revoked: " + (
                rate_limit_hint(answer, self.title) or f"rate limited by {self.title} (429)"))
        return None

    def _revoke_guarded(self, credential: Credential,
                        identity: Identity | None) -> RevokeOutcome:
        try:
            return self.revoke_one(credential, identity)
        except ProviderError as error:
            return self.outcome_of_error(credential, error)

    @property
    def http(self) -> HttpClient:
        """One pooled, thread-safe client per adapter instance; auth goes per request."""
        with self._http_lock:
            if self._http is None:
                from responder.core.http import HttpClient

                self._http = HttpClient(self.title, self.base_url, self.timing)
            return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    def now(self) -> datetime:
        return self.settings.clock()


def unexpected(title: str, status: int, what: str) -> ProviderError:
    """A provider answer that fits none of the documented cases."""
    return ProviderError(f"{title} answered {status} to {what}, which responder does not "
                         f"expect", status=status,
                         hint="the API may have changed; use the manual step")


# How providers show a key in listings: a head, a mask ("...", "…" or asterisks), a tail.
_MASK = re.compile(r"(?:\.{2,}|…|\*+)+")


def masked_parts(hint: Any) -> tuple[str, str] | None:
    """(head, tail) of a masked form such as `sk-proj-abc...wxyz`, or None if it is not one
    (no mask, no head, a tail under 2 characters, or more than one mask)."""
    if not isinstance(hint, str):
        return None
    mask = _MASK.search(hint)
    if mask is None:
        return None
    head, tail = hint[:mask.start()], hint[mask.end():]
    if not head or len(tail) < 2 or _MASK.search(tail):
        return None
    return head, tail


def matches_masked(hint: Any, value: str) -> bool:
    """Whether a provider's masked form of a key fits this value: same head, same tail."""
    parts = masked_parts(hint)
    if parts is None:
        return False
    head, tail = parts
    return len(value) > len(head) + len(tail) and value.startswith(head) and value.endswith(tail)


def pairs(*items: tuple[str, Any]) -> tuple[tuple[str, str], ...]:
    """Identity details without the empty ones."""
    return tuple((key, str(value)) for key, value in items if value not in (None, ""))
