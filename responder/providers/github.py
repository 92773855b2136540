"""GitHub: identify a token, revoke it by value, prove it dead. Through PyGithub.

Facts this relies on (shared/reference/providers.md §4): `POST /credentials/revoke` takes up to
1000 tokens unauthenticated and answers 202 with no per-token result (an authenticated call gets
403); `ghs_` installation tokens revoke themselves with `DELETE /installation/token`; `GET /user`
with a dead token answers 401. Writing requests are built with `retry=None` so that PyGithub's
default retry (which includes POST) can never send a revoke twice.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from responder.actions.base import RequestPlan
from responder.core.errors import ProviderError
from responder.credentials.model import Credential
from responder.providers.base import Identity, RevokeOutcome

if TYPE_CHECKING:
    from github import Github

    from responder.engine.context import Timing

BY_VALUE_PREFIXES = ("ghp_", "github_pat_", "gho_", "ghu_", "ghr_")
INSTALLATION_PREFIX = "ghs_"
REVOKE_BATCH = 1000
SETTINGS = {
    "ghp_": "https://github.com/settings/tokens",
    "github_pat_": "https://github.com/settings/personal-access-tokens",
    "gho_": "https://github.com/settings/applications",
    "ghu_": "https://github.com/settings/applications",
    "ghr_": "https://github.com/settings/applications",
    "ghs_": "the GitHub App's installation settings (uninstall or suspend the app)",
}
SECURITY_LOG = "https://github.com/settings/security-log"


def _prefix(credential: Credential) -> str:
    value = credential.secret.reveal()
    for prefix in (*BY_VALUE_PREFIXES, INSTALLATION_PREFIX):
        if value.startswith(prefix):
            return prefix
    return ""


def _bounded_retry(timing: Timing):
    from urllib3.util.retry import Retry

    cap = timing.max_retry_after

    class BoundedRetry(Retry):
        # A Retry-After of an hour must not freeze a run: wait at most `cap`, then fail clearly.
        def get_retry_after(self, response):  # type: ignore[no-untyped-def]
            value = super().get_retry_after(response)
            return None if value is None else min(value, cap)

    return BoundedRetry(
        total=timing.read_retries,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        backoff_factor=0.2,
        respect_retry_after_header=True,
        raise_on_status=False,
    )


class GitHubProvider:
    name = "github"
    title = "GitHub"

    def __init__(self, api_url: str, timing: Timing) -> None:
        self.api_url = api_url.rstrip("/")
        self.timing = timing

    # -- clients ------------------------------------------------------------------------------

    def client(self, token: str | None, *, writes: bool = False) -> Github:
        from github import Auth, Github

        return Github(
            auth=Auth.Token(token) if token else None,
            base_url=self.api_url,
            timeout=int(max(1, self.timing.request_timeout)),
            retry=None if writes else _bounded_retry(self.timing),
            per_page=100,
            # PyGithub spaces requests out by default; a run makes tens of calls, not thousands,
            # and every second counts in an incident.
            seconds_between_requests=None,
            seconds_between_writes=None,
        )

    def call(self, gh: Github, verb: str, url: str, **kwargs: Any) -> tuple[dict[str, Any], Any]:
        """One raw call through PyGithub's requester, with errors turned into ProviderError."""
        from github import BadCredentialsException, GithubException
        from requests.exceptions import RequestException

        try:
            return gh.requester.requestJsonAndCheck(verb, url, **kwargs)
        except BadCredentialsException as exc:
            raise ProviderError("GitHub says the token is not valid (401 Bad credentials)",
                                status=401) from exc
        except GithubException as exc:
            raise ProviderError(f"GitHub answered {exc.status} to {verb} {url}: "
                                f"{_message(exc.data)}", status=exc.status,
                                hint=_hint_for(exc.status, exc.headers)) from exc
        except RequestException as exc:
            raise ProviderError(f"GitHub unreachable at {self.api_url} ({type(exc).__name__})",
                                hint="check the network or RESPONDER_GITHUB_API_URL") from exc

    # -- identity -----------------------------------------------------------------------------

    def identify(self, credential: Credential, now: datetime) -> Identity:
        gh = self.client(credential.secret.reveal())
        if _prefix(credential) == INSTALLATION_PREFIX:
            return self._identify_installation(gh, credential)
        headers, user = self.call(gh, "GET", "/user")
        scopes_header = headers.get("x-oauth-scopes")
        scopes = None if scopes_header is None else tuple(
            s.strip() for s in scopes_header.split(",") if s.strip())
        expiry = headers.get("github-authentication-token-expiration")
        notes: list[str] = []
        if scopes is None:
            notes.append("GitHub does not report scopes for this token type (fine-grained or "
                         "app token): its permissions cannot be read from the token itself")
        if expiry and _near(expiry, now):
            notes.append("the reported expiry is about now; GitHub has been seen to send the "
                         "current time for fine-grained tokens, so treat it as unknown")
        return Identity(
            credential_id=credential.id,
            provider=self.name,
            account=str(user.get("login")),
            account_id=str(user.get("id")),
            token_kind=credential.kind,
            scopes=scopes,
            expires=expiry,
            audit_handle=credential.secret.hashed_token,
            notes=tuple(notes),
        )

    def _identify_installation(self, gh: Github, credential: Credential) -> Identity:
        """`ghs_` tokens have no user: GET /user answers 403, so list what the token reaches."""
        _, data = self.call(gh, "GET", "/installation/repositories", parameters={"per_page": 100})
        repos = [r.get("full_name") for r in (data or {}).get("repositories", [])]
        owners = sorted({str(name).split("/")[0] for name in repos if name})
        return Identity(
            credential_id=credential.id, provider=self.name,
            account=owners[0] if len(owners) == 1 else "app installation",
            account_id="installation", token_kind=credential.kind, scopes=None, expires=None,
            audit_handle=credential.secret.hashed_token,
            notes=(f"installation token reaching {data.get('total_count', len(repos))} "
                   f"repositories: {', '.join(str(r) for r in repos[:10])}",),
        )

    # -- revoke -------------------------------------------------------------------------------

    def plan_revoke(self, credentials: list[Credential]) -> list[RequestPlan]:
        by_value = [c for c in credentials if _prefix(c) in BY_VALUE_PREFIXES]
        plans = [
            RequestPlan(
                "POST", f"{self.api_url}/credentials/revoke",
                body=json.dumps({"credentials": [c.secret.redacted for c in chunk]},
                                ensure_ascii=False),
                authenticated=False,
                note=f"revokes {len(chunk)} token(s) in one request (60 requests/hour budget)",
            )
            for chunk in _chunks(by_value, REVOKE_BATCH)
        ]
        plans += [
            RequestPlan("DELETE", f"{self.api_url}/installation/token", authenticated=True,
                        note=f"installation token {c.secret.redacted} revokes itself")
            for c in credentials if _prefix(c) == INSTALLATION_PREFIX
        ]
        return plans

    def revoke(self, credentials: list[Credential]) -> list[RevokeOutcome]:
        outcomes: list[RevokeOutcome] = []
        by_value = [c for c in credentials if _prefix(c) in BY_VALUE_PREFIXES]
        for chunk in _chunks(by_value, REVOKE_BATCH):
            outcomes += self._revoke_by_value(chunk)
        for credential in credentials:
            prefix = _prefix(credential)
            if prefix == INSTALLATION_PREFIX:
                outcomes.append(self._revoke_installation(credential))
            elif prefix not in BY_VALUE_PREFIXES:
                outcomes.append(RevokeOutcome(credential.id, "manual",
                                              "format not recognised as a GitHub token",
                                              tuple(self.manual_steps(credential))))
        return outcomes

    def _revoke_by_value(self, chunk: list[Credential]) -> list[RevokeOutcome]:
        from github import GithubException
        from requests.exceptions import ConnectionError as RequestsConnectionError
        from requests.exceptions import RequestException

        gh = self.client(None, writes=True)  # any Authorization header → 403 on github.com
        try:
            gh.requester.requestJsonAndCheck(
                "POST", "/credentials/revoke",
                input={"credentials": [c.secret.reveal() for c in chunk]},
            )
        except GithubException as exc:
            detail = f"GitHub answered {exc.status}: {_message(exc.data)}"
            hint = _hint_for(exc.status, exc.headers)
            return [RevokeOutcome(c.id, "failed", detail + (f" ({hint})" if hint else ""),
                                  tuple(self.manual_steps(c))) for c in chunk]
        except RequestsConnectionError as exc:
            detail = f"GitHub unreachable at {self.api_url} ({type(exc).__name__}); not sent"
            return [RevokeOutcome(c.id, "failed", detail, tuple(self.manual_steps(c)))
                    for c in chunk]
        except RequestException as exc:
            # A timeout after sending: GitHub may have acted. Never re-send; verify will tell.
            detail = f"no answer from GitHub ({type(exc).__name__}); the request may have landed"
            return [RevokeOutcome(c.id, "unknown", detail, tuple(self.manual_steps(c)))
                    for c in chunk]
        return [RevokeOutcome(c.id, "submitted",
                              "accepted by POST /credentials/revoke (202); GitHub emails the owner")
                for c in chunk]

    def _revoke_installation(self, credential: Credential) -> RevokeOutcome:
        gh = self.client(credential.secret.reveal(), writes=True)
        try:
            self.call(gh, "DELETE", "/installation/token")
        except ProviderError as exc:
            if exc.status == 401:
                return RevokeOutcome(credential.id, "submitted", "already invalid (401)")
            return RevokeOutcome(credential.id, "failed", exc.message,
                                 tuple(self.manual_steps(credential)))
        return RevokeOutcome(credential.id, "submitted", "DELETE /installation/token (204)")

    # -- verify -------------------------------------------------------------------------------

    def is_revoked(self, credential: Credential) -> bool | None:
        """True when GitHub rejects the token (401), False when it still works, None if unknown."""
        gh = self.client(credential.secret.reveal())
        installation = _prefix(credential) == INSTALLATION_PREFIX
        url = "/installation/repositories" if installation else "/user"
        try:
            self.call(gh, "GET", url)
        except ProviderError as exc:
            return True if exc.status == 401 else None
        return False

    def manual_steps(self, credential: Credential) -> list[str]:
        place = SETTINGS.get(_prefix(credential), SETTINGS["ghp_"])
        return [f"Revoke the GitHub token {credential.secret.redacted} by hand at {place} "
                f"(it is the one the {credential.kind} list shows with that ending), then check "
                f"{SECURITY_LOG} for its use."]


def _chunks(items: list[Credential], size: int) -> list[list[Credential]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _message(data: Any) -> str:
    if isinstance(data, dict) and data.get("message"):
        return str(data["message"])
    return "no message"


def _hint_for(status: int | None, headers: dict[str, str] | None) -> str | None:
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    if status in (403, 429) and (headers.get("x-ratelimit-remaining") == "0"
                                 or "retry-after" in headers):
        wait = headers.get("retry-after") or headers.get("x-ratelimit-reset", "?")
        return f"rate limited by GitHub (retry after {wait}); use the manual step now"
    if status and status >= 500:
        return "GitHub is failing; retry later or use the manual step"
    return None


def _near(expiry: str, now: datetime) -> bool:
    for fmt in ("%Y-%m-%d %H:%M:%S %Z", "%Y-%m-%d %H:%M:%S %z"):
        try:
            moment = datetime.strptime(expiry, fmt)
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return abs(moment - now) < timedelta(minutes=5)
    return False
