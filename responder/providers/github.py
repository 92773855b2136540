"""GitHub: identify a token, revoke it, prove it dead. Through PyGithub.

Facts this relies on (shared/reference/providers.md §4): `POST /credentials/revoke` takes up to
1000 tokens unauthenticated and answers 202 with no per-token result (an authenticated call gets
403 on github.com); `ghs_` installation tokens revoke themselves with `DELETE /installation/token`;
an app owner deletes its `gho_`/`ghu_` tokens with `DELETE /applications/{client_id}/token` (HTTP
Basic client id and secret) and checks them with `POST` on the same path (404 = invalid); `GET
/user` with a dead token answers 401.

GitHub Enterprise Server (a server whose env sets `GITHUB_HOST`) differs: its API is at
`https://<host>/api/v3`, `/credentials/revoke` must be authenticated and takes only `ghp_` and
`github_pat_`, and before 3.18 it does not exist (manual step). GHE.com hosts
(`<sub>.ghe.com`) are GitHub's cloud and behave like github.com at `https://api.<sub>.ghe.com`.

Writing requests are built with `retry=None` so that PyGithub's default retry (which includes
POST) can never send a revoke twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from responder.actions.base import RequestPlan
from responder.core.errors import ProviderError
from responder.core.http import may_carry_token
from responder.credentials.model import Credential
from responder.providers.base import Identity, Probe, Provider, RevokeOutcome, Route, Settings

if TYPE_CHECKING:
    from github import Github

    from responder.engine.context import Timing

BY_VALUE_PREFIXES = ("ghp_", "github_pat_", "gho_", "ghu_", "ghr_")
GHES_BY_VALUE_PREFIXES = ("ghp_", "github_pat_")
APP_PREFIXES = ("gho_", "ghu_")
INSTALLATION_PREFIX = "ghs_"
REVOKE_BATCH = 1000
DOTCOM_API = "https://api.github.com"
SETTINGS = {
    "ghp_": "/settings/tokens",
    "github_pat_": "/settings/personal-access-tokens",
    "gho_": "/settings/applications",
    "ghu_": "/settings/applications",
    "ghr_": "/settings/applications",
}
SECURITY_LOG = "https://github.com/settings/security-log"
CLIENT_ID = "RESPONDER_GITHUB_APP_CLIENT_ID"
CLIENT_SECRET = "RESPONDER_GITHUB_APP_CLIENT_SECRET"


def _prefix(credential: Credential) -> str:
    value = credential.secret.reveal()
    for prefix in (*BY_VALUE_PREFIXES, INSTALLATION_PREFIX):
        if value.startswith(prefix):
            return prefix
    return ""


def api_for_host(host: str) -> str:
    """The REST base for a `GITHUB_HOST` value (with or without a scheme)."""
    text = host.strip().rstrip("/")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    name = (parts.hostname or "").lower()
    if name in ("github.com", "api.github.com", ""):
        return DOTCOM_API
    if name.endswith(".ghe.com"):
        sub = name.removeprefix("api.")
        return f"{parts.scheme}://api.{sub}"
    if parts.path.rstrip("/").endswith("/api/v3"):
        return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    return f"{parts.scheme}://{parts.netloc}/api/v3"


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


class GitHubProvider(Provider):
    name: ClassVar[str] = "github"
    title: ClassVar[str] = "GitHub"
    default_url: ClassVar[str] = DOTCOM_API
    settings_urls: ClassVar[tuple[str, ...]] = ("https://github.com/settings/tokens",)

    def __init__(self, base_url: str, settings: Settings) -> None:
        super().__init__(base_url, settings)
        self.enterprise = self.base_url.endswith("/api/v3")  # GitHub Enterprise Server
        self.insecure = not may_carry_token(self.base_url)

    @property
    def api_url(self) -> str:
        return self.base_url

    @property
    def web_url(self) -> str:
        """Where people sign in: github.com, or the GHES / GHE.com host."""
        if self.enterprise:
            return self.base_url.removesuffix("/api/v3")
        parts = urlsplit(self.base_url)
        if (parts.hostname or "").endswith(".ghe.com"):
            return f"{parts.scheme}://{(parts.netloc or '').removeprefix('api.')}"
        return "https://github.com"  # github.com, or a simulator standing in for it

    @classmethod
    def base_url_for(cls, credential: Credential, settings: Settings) -> str:
        host = credential.setting("github_host")
        if host:
            api = api_for_host(host)
            if api != DOTCOM_API:
                return api
        return settings.endpoints.get(cls.name) or cls.default_url

    # -- clients ------------------------------------------------------------------------------

    def client(self, token: str | None, *, writes: bool = False,
               basic: tuple[str, str] | None = None, pool_size: int | None = None) -> Github:
        import logging

        from github import Auth, Github

        # PyGithub logs redirects and retries to stderr at INFO; responder says what matters.
        logging.getLogger("github").setLevel(logging.WARNING)
        auth = Auth.Login(*basic) if basic else Auth.Token(token) if token else None
        return Github(
            auth=auth,
            base_url=self.api_url,
            timeout=int(max(1, self.timing.request_timeout)),
            retry=None if writes else _bounded_retry(self.timing),
            per_page=100,
            pool_size=pool_size,  # as many connections as the review has requests in flight
            # PyGithub spaces requests out by default; a run makes tens of calls, not thousands,
            # and every second counts in an incident.
            seconds_between_requests=None,
            seconds_between_writes=None,
        )

    def call(self, gh: Github, verb: str, url: str, **kwargs: Any) -> tuple[dict[str, Any], Any]:
        """One raw call through PyGithub's requester, with errors turned into ProviderError."""
        from github import BadCredentialsException, GithubException
        from requests.exceptions import ConnectionError as RequestsConnectionError
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
        except RequestsConnectionError as exc:
            raise ProviderError(f"GitHub unreachable at {self.api_url} ({type(exc).__name__})",
                                hint="check the network or RESPONDER_GITHUB_API_URL",
                                delivered=False) from exc
        except RequestException as exc:
            raise ProviderError(f"no answer from GitHub at {self.api_url} "
                                f"({type(exc).__name__})", hint="GitHub may be slow or down",
                                delivered=None) from exc

    # -- routes -------------------------------------------------------------------------------

    def _app(self) -> tuple[str, str] | None:
        admin = self.settings.admin
        if CLIENT_ID in admin and CLIENT_SECRET in admin:
            return admin[CLIENT_ID].reveal(), admin[CLIENT_SECRET].reveal()
        return None

    def route(self, credential: Credential) -> Route:
        prefix = _prefix(credential)
        if self.insecure or not prefix:
            return "manual"
        if prefix == INSTALLATION_PREFIX:
            return "self"
        if prefix in APP_PREFIXES and self._app():
            return "admin"
        accepted = GHES_BY_VALUE_PREFIXES if self.enterprise else BY_VALUE_PREFIXES
        return "self" if prefix in accepted else "manual"

    # -- identity -----------------------------------------------------------------------------

    def identify(self, credential: Credential) -> Identity | None:
        if self.insecure or not _prefix(credential):
            return None
        if _prefix(credential) == "ghr_":
            return None  # refresh tokens only work at the OAuth token exchange
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
        if expiry and _near(expiry, self.now()):
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
            details=(("api_url", self.api_url),),
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
            details=(("api_url", self.api_url),),
        )

    # -- review -------------------------------------------------------------------------------

    def review_steps(self, identity: Identity | None, credential: Credential,
                     window_start: datetime) -> list[str]:
        if identity is None or identity.account_id == "installation":
            return []
        since = f"{window_start:%Y-%m-%d %H:%M} UTC"
        web, who = self.web_url, identity.account
        return [
            f"Check GitHub's security log for {who} at {web}/settings/security-log (signed in "
            f"as {who}; it has no API): look for personal_access_token, oauth_authorization, "
            f"oauth_access, public_key, two_factor_authentication and repo events since "
            f"{since}",
            f"Check what {who} has authorised and installed at {web}/settings/applications and "
            f"{web}/settings/installations: remove any app or OAuth grant added since {since}",
        ]

    # -- revoke -------------------------------------------------------------------------------

    def _split(self, credentials: list[Credential]) -> dict[Route | str, list[Credential]]:
        groups: dict[str, list[Credential]] = {"app": [], "batch": [], "install": [],
                                                "manual": []}
        for credential in credentials:
            route, prefix = self.route(credential), _prefix(credential)
            if route == "manual":
                groups["manual"].append(credential)
            elif route == "admin":
                groups["app"].append(credential)
            elif prefix == INSTALLATION_PREFIX:
                groups["install"].append(credential)
            else:
                groups["batch"].append(credential)
        return groups

    def plan_revoke(self, credentials: list[Credential]) -> list[RequestPlan]:
        groups = self._split(credentials)
        note = ("GHES: authenticated with the first token of the batch, only ghp_/github_pat_"
                if self.enterprise else "60 requests/hour budget, no Authorization header")
        plans = [
            RequestPlan(
                "POST", f"{self.api_url}/credentials/revoke",
                body=json.dumps({"credentials": [c.secret.redacted for c in chunk]},
                                ensure_ascii=False),
                authenticated=self.enterprise,
                note=f"revokes {len(chunk)} token(s) in one request ({note})",
            )
            for chunk in _chunks(groups["batch"], REVOKE_BATCH)
        ]
        app = self._app()
        plans += [
            RequestPlan("DELETE", f"{self.api_url}/applications/{app[0]}/token",
                        body=json.dumps({"access_token": c.secret.redacted}), authenticated=True,
                        note=f"the issuing app deletes {c.secret.redacted} (HTTP Basic client "
                             "id and secret); if it is not this app's, it joins the by-value "
                             "batch")
            for c in groups["app"] if app
        ]
        plans += [
            RequestPlan("DELETE", f"{self.api_url}/installation/token", authenticated=True,
                        note=f"installation token {c.secret.redacted} revokes itself")
            for c in groups["install"]
        ]
        return plans

    def revoke(self, credentials: list[Credential],
               identities: Mapping[str, Identity]) -> list[RevokeOutcome]:
        groups = self._split(credentials)
        outcomes = [self.manual(c, self._why_manual(c)) for c in groups["manual"]]
        with ThreadPoolExecutor(max_workers=8, thread_name_prefix="github-revoke") as pool:
            batch = [pool.submit(self._revoke_by_value, chunk)
                     for chunk in _chunks(groups["batch"], REVOKE_BATCH)]
            apps = [pool.submit(self._revoke_as_app, c) for c in groups["app"]]
            installs = [pool.submit(self._revoke_installation, c) for c in groups["install"]]
            fallback: list[Credential] = []
            for future, credential in zip(apps, groups["app"], strict=True):
                outcome = future.result()
                if outcome is None:  # not this app's token: GitHub's by-value route still works
                    fallback.append(credential)
                else:
                    outcomes.append(outcome)
            for future in batch + installs:
                result = future.result()
                outcomes += result if isinstance(result, list) else [result]
        if fallback:
            outcomes += self._revoke_by_value(fallback) if not self.enterprise else [
                self.manual(c, "not this app's token, and GHES does not revoke it by value")
                for c in fallback]
        return outcomes

    def _why_manual(self, credential: Credential) -> str:
        if self.insecure:
            return (f"{self.api_url} is plain http to another host: responder does not send a "
                    "token there")
        if _prefix(credential) == "":
            return "not a token GitHub can revoke through its API"
        return "GitHub Enterprise Server revokes only ghp_ and github_pat_ by value"

    def _revoke_by_value(self, chunk: list[Credential]) -> list[RevokeOutcome]:
        from github import GithubException
        from requests.exceptions import ConnectionError as RequestsConnectionError
        from requests.exceptions import RequestException

        # github.com: any Authorization header gets 403. GHES: it must be authenticated; the
        # first token of the batch authenticates its own revocation.
        gh = self.client(chunk[0].secret.reveal() if self.enterprise else None, writes=True)
        try:
            gh.requester.requestJsonAndCheck(
                "POST", "/credentials/revoke",
                input={"credentials": [c.secret.reveal() for c in chunk]},
            )
        except GithubException as exc:
            if self.enterprise and exc.status == 404:
                return [self.manual(c, "this GitHub Enterprise Server (3.17 or older) has no "
                                       "/credentials/revoke") for c in chunk]
            detail = f"GitHub answered {exc.status}: {_message(exc.data)}"
            if exc.status >= 500:  # it may have acted before failing: verify, never re-send
                return [RevokeOutcome(c.id, "unknown", detail + "; verification decides",
                                      tuple(self.manual_steps(c))) for c in chunk]
            hint = _hint_for(exc.status, exc.headers)
            return [self.failed(c, detail + (f" ({hint})" if hint else "")) for c in chunk]
        except RequestsConnectionError as exc:
            detail = f"GitHub unreachable at {self.api_url} ({type(exc).__name__}); not sent"
            return [self.failed(c, detail) for c in chunk]
        except RequestException as exc:
            # A timeout after sending: GitHub may have acted. Never re-send; verify will tell.
            detail = f"no answer from GitHub ({type(exc).__name__}); the request may have landed"
            return [RevokeOutcome(c.id, "unknown", detail, tuple(self.manual_steps(c)))
                    for c in chunk]
        return [RevokeOutcome(c.id, "submitted",
                              "accepted by POST /credentials/revoke (202); GitHub emails the owner")
                for c in chunk]

    def _revoke_as_app(self, credential: Credential) -> RevokeOutcome | None:
        app = self._app()
        assert app is not None
        gh = self.client(None, writes=True, basic=app)
        try:
            self.call(gh, "DELETE", f"/applications/{app[0]}/token",
                      input={"access_token": credential.secret.reveal()})
        except ProviderError as exc:
            if exc.status in (404, 422):
                return None
            return self.outcome_of_error(credential, exc)
        return RevokeOutcome(credential.id, "submitted",
                             "deleted by the issuing app (DELETE /applications/…/token, 204)")

    def _revoke_installation(self, credential: Credential) -> RevokeOutcome:
        gh = self.client(credential.secret.reveal(), writes=True)
        try:
            self.call(gh, "DELETE", "/installation/token")
        except ProviderError as exc:
            if exc.status == 401:
                return RevokeOutcome(credential.id, "submitted", "already invalid (401)")
            return self.outcome_of_error(credential, exc)
        return RevokeOutcome(credential.id, "submitted", "DELETE /installation/token (204)")

    # -- verify -------------------------------------------------------------------------------

    def probe(self, credential: Credential) -> Probe:
        """Dead when GitHub rejects the token itself (401); the app's check (404) for gho_/ghu_
        when the app's credentials are configured."""
        prefix = _prefix(credential)
        if prefix == "ghr_":
            return Probe("unknown", "a refresh token cannot be checked without the app's "
                                    "client secret", retry=False)
        gh = self.client(credential.secret.reveal())
        url = "/installation/repositories" if prefix == INSTALLATION_PREFIX else "/user"
        try:
            self.call(gh, "GET", url)
        except ProviderError as exc:
            if exc.status == 401:
                return Probe("dead", f"GET {url} answers 401 Bad credentials")
            return Probe("unknown", exc.message)
        return Probe("alive", f"GET {url} still answers 200")

    def manual_steps(self, credential: Credential) -> list[str]:
        shown, web = credential.secret.redacted, self.web_url
        log = f"{web}/settings/security-log"
        if credential.secret.reveal().lstrip().startswith("-----BEGIN"):
            return [f"Delete the GitHub App private key {shown} at {web}/settings/apps › the app "
                    f"› General › Private keys (generate a new one first if the app must keep "
                    f"working), then check the app's advanced deliveries and the org audit log."]
        if _prefix(credential) == INSTALLATION_PREFIX:
            return [f"Suspend or uninstall the GitHub App whose installation token {shown} is "
                    f"(org or user settings › Applications › Installed GitHub Apps on {web}); "
                    f"an installation token also expires within an hour."]
        place = web + SETTINGS.get(_prefix(credential), SETTINGS["ghp_"])
        return [f"Revoke the GitHub token {shown} by hand at {place} (it is the one the "
                f"{credential.kind} list shows with that ending), then check {log} for its use."]


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
