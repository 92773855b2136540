"""Google: OAuth tokens revoke themselves by value; API keys and service-account keys are manual.

Facts relied on (shared/reference/providers.md §2 Google row, §5; Google's OAuth 2.0 guides;
google-auth-library-ruby#157, google-auth-library-nodejs#510, google-auth-library-java#979):
- `POST https://oauth2.googleapis.com/revoke` with the form field `token` revokes an access or a
  refresh token, unauthenticated → 200 (`{}` or an empty body); 400 with an error code otherwise
  (`invalid_token` = expired, revoked or unknown). Revoking either token of a grant kills the
  grant: the refresh token and every access token minted from it;
- `https://www.googleapis.com/oauth2/v3/tokeninfo` describes a live access token (email, sub,
  scope, aud, azp, exp, expires_in, the numbers as strings) and answers 400 for a dead one.
  Google's own Node client sends the token as a POST form field (`access_token=`), so it never
  appears in a URL: responder does the same;
- API keys (`AIza`) and service-account keys (the private key PEM of a key file) have no
  revoke-by-value API: the Cloud console or `gcloud` must do it.

Traps:
- two hosts: revoke and tokeninfo live on different hosts (one override, RESPONDER_GOOGLE_API_URL,
  points both at one base, as the simulator serves both);
- `/revoke` only takes POST: a GET answers 404 (the endpoint moved from
  accounts.google.com and stopped taking GET, see the issues above);
- tokeninfo knows access tokens only: a live refresh token is "invalid" there, so a refresh
  token cannot be proven dead with the token alone (that needs the OAuth client's secret): its
  verification stays unknown and the manual check is listed;
- the tokeninfo error shape is not documented (providers.md §6): a 400 whose `error` is
  `invalid_token` or whose `error_description` is `Invalid Value` is read as dead, nothing else.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from responder.actions.base import RequestPlan
from responder.core.errors import ProviderError
from responder.providers.base import (
    Identity,
    Probe,
    Provider,
    RevokeOutcome,
    Route,
    Settings,
    unexpected,
)
from responder.providers.review import since

if TYPE_CHECKING:
    from responder.core.http import Answer, HttpClient
    from responder.credentials.model import Credential

ACCESS = "ya29."
REFRESH = "1//"
API_KEY = "AIza"
PEM = "-----BEGIN"
TOKENINFO_BASE = "https://www.googleapis.com"
TOKENINFO_PATH = "/oauth2/v3/tokeninfo"
CONNECTIONS = "https://myaccount.google.com/connections"
CREDENTIALS = "https://console.cloud.google.com/apis/credentials"
DEAD_DESCRIPTIONS = frozenset({"Invalid Value", "Token expired or revoked"})


class GoogleProvider(Provider):
    name: ClassVar[str] = "google"
    title: ClassVar[str] = "Google"
    default_url: ClassVar[str] = "https://oauth2.googleapis.com"
    settings_urls: ClassVar[tuple[str, ...]] = (CONNECTIONS, CREDENTIALS)

    def __init__(self, base_url: str, settings: Settings) -> None:
        super().__init__(base_url, settings)
        # With an override (a simulator, a proxy) both calls go to that one base.
        override = settings.endpoints.get(self.name)
        self.tokeninfo_base = (self.base_url if override else TOKENINFO_BASE).rstrip("/")
        self._tokeninfo_http: HttpClient | None = None
        self._tokeninfo_lock = threading.Lock()

    def route(self, credential: Credential) -> Route:
        return "self" if _kind(credential) in ("access", "refresh") else "manual"

    @property
    def tokeninfo_http(self) -> HttpClient:
        if self.tokeninfo_base == self.base_url:
            return self.http
        with self._tokeninfo_lock:
            if self._tokeninfo_http is None:
                from responder.core.http import HttpClient

                self._tokeninfo_http = HttpClient(self.title, self.tokeninfo_base, self.timing)
            return self._tokeninfo_http

    def close(self) -> None:
        super().close()
        if self._tokeninfo_http is not None:
            self._tokeninfo_http.close()

    # -- identity and proof -------------------------------------------------------------------

    def _tokeninfo(self, credential: Credential) -> Answer:
        # A form body, not `?access_token=`: the value stays out of URLs and access logs.
        return self.tokeninfo_http.read("POST", TOKENINFO_PATH,
                                        data={"access_token": credential.secret.reveal()})

    def identify(self, credential: Credential) -> Identity | None:
        if _kind(credential) != "access":
            return None  # refresh tokens and keys: Google has no identity call for them
        answer = self._tokeninfo(credential)
        if answer.status == 429:
            raise ProviderError("Google rate limited tokeninfo (429)", status=429,
                                hint=f"retry after {answer.headers.get('retry-after', '?')} s")
        data = answer.json_or_fail(self.title)
        if _dead(answer):
            raise ProviderError("Google says the access token is not valid (tokeninfo: "
                                f"{_error(data)})", status=401)
        if answer.status != 200 or not isinstance(data, dict):
            raise unexpected(self.title, answer.status, "tokeninfo")
        scope = data.get("scope")
        sub = str(data.get("sub") or "")
        details = tuple((key, str(data[key])) for key in ("aud", "azp", "access_type",
                                                         "expires_in", "email_verified")
                        if data.get(key) not in (None, ""))
        return Identity(
            credential_id=credential.id, provider=self.name,
            account=str(data.get("email") or (f"sub {sub}" if sub else data.get("azp") or "?")),
            account_id=sub or "?",
            token_kind=credential.kind,
            scopes=tuple(str(scope).split()) if isinstance(scope, str) else None,
            expires=self._expiry(data),
            handle=None,  # revoke goes by value; Google has no id for an access token
            details=details,
        )

    def _expiry(self, data: dict[str, Any]) -> str | None:
        try:
            if data.get("exp") not in (None, ""):
                moment = datetime.fromtimestamp(int(data["exp"]), tz=UTC)
            elif data.get("expires_in") not in (None, ""):
                moment = self.now() + timedelta(seconds=int(data["expires_in"]))
            else:
                return None
        except (TypeError, ValueError, OverflowError, OSError):
            return None
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def probe(self, credential: Credential) -> Probe:
        kind = _kind(credential)
        if kind == "refresh":
            return Probe("unknown", "Google offers no check for a refresh token without the "
                                    "OAuth client's secret (tokeninfo knows access tokens "
                                    f"only); check {CONNECTIONS} as the account owner")
        if kind != "access":
            return Probe("unknown", "Google offers no way to check this key with the key alone")
        try:
            answer = self._tokeninfo(credential)
        except ProviderError as error:
            return Probe("unknown", error.message)
        if _dead(answer):
            return Probe("dead", f"tokeninfo answers {answer.status}: {_error(answer.data)}")
        if answer.status == 200 and isinstance(answer.data, dict):
            return Probe("alive", "tokeninfo still describes the token (200)")
        return Probe("unknown", f"tokeninfo answered {answer.status}"
                     + ("" if answer.data is not None else " with a body that is not JSON"))

    # -- revoke -------------------------------------------------------------------------------

    def plan_revoke(self, credentials: list[Credential]) -> list[RequestPlan]:
        return [RequestPlan("POST", f"{self.base_url}/revoke",
                            body=f"token={c.secret.redacted} (application/x-www-form-urlencoded)",
                            authenticated=False,
                            note=f"{c.kind} {c.secret.redacted}: revoke by value; this ends the "
                                 "whole grant (refresh token and its access tokens)")
                for c in credentials if self.route(c) == "self"]

    def revoke_one(self, credential: Credential, identity: Identity | None) -> RevokeOutcome:
        if self.route(credential) == "manual":
            return self.manual(credential, f"Google has no revoke API for a {_label(credential)}")
        # Unauthenticated, the token only in the form body (Google's docs also show it in the
        # query string, which would put it in URLs and logs).
        answer = self.http.write("POST", "/revoke", data={"token": credential.secret.reveal()})
        status, data = answer.status, answer.data
        if status >= 500:
            return self._unknown(credential, f"Google answered {status}")
        if status == 200:
            if data is None and answer.text.strip():
                return self._unknown(credential, "Google answered 200 with a body that is not "
                                                 "JSON (a proxy?)")
            return RevokeOutcome(credential.id, "submitted", "revoke answered 200")
        if status == 400 and isinstance(data, dict) and data.get("error") == "invalid_token":
            return RevokeOutcome(credential.id, "submitted",
                                 f"already invalid ({_error(data)})")
        if status == 429:
            return self.failed(credential, "Google rate limited the revoke (429, retry after "
                               f"{answer.headers.get('retry-after', '?')} s)")
        if data is None and answer.text.strip():
            return self.failed(credential, f"Google answered {status} with a body that is not "
                                           "JSON; the token was not revoked")
        return self.failed(credential, f"Google answered {status} to the revoke"
                           + (f" ({_error(data)})" if isinstance(data, dict) else ""))

    def _unknown(self, credential: Credential, why: str) -> RevokeOutcome:
        return RevokeOutcome(credential.id, "unknown",
                             f"{why}; the request may have landed, so it is not sent again: "
                             "verification decides", tuple(self.manual_steps(credential)))

    def review_steps(self, identity: Identity | None, credential: Credential,
                     window_start: datetime) -> list[str]:
        start, kind = since(window_start), _kind(credential)
        if kind in ("access", "refresh"):
            return [f"Signed in as {identity.account if identity else 'the account'}, open "
                    f"https://myaccount.google.com/notifications (recent security activity) "
                    f"and {CONNECTIONS}: sign-ins and apps granted access since {start}.",
                    "Workspace administrators: https://admin.google.com › Reporting › Audit and "
                    f"investigation › OAuth log events, Drive and Gmail log events from {start} "
                    "for this app and user."]
        if kind == "service_account":
            email = credential.setting("google_client_email") or "<client_email>"
            project = _project_of(email) or "<project>"
            iso = window_start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            return [f"`gcloud logging read 'protoPayload.authenticationInfo.principalEmail="
                    f"\"{email}\" AND timestamp>=\"{iso}\"' --project={project}`: every call "
                    f"the service account made since {start}; `gcloud iam service-accounts keys "
                    f"list --iam-account={email}` for keys created meanwhile."]
        return [f"Open https://console.cloud.google.com/apis/dashboard (traffic by API) and "
                f"https://console.cloud.google.com/logs/query (Cloud Audit Logs) for each "
                f"project that may own {credential.secret.redacted}: requests and billing since "
                f"{start} you did not make, and keys created at {CREDENTIALS}."]

    def manual_steps(self, credential: Credential) -> list[str]:
        shown, kind = credential.secret.redacted, _kind(credential)
        if kind == "api_key":
            return [f"Delete the API key {shown} at {CREDENTIALS} (in each project that may own "
                    "it; the key's Show key reveals its ending), or regenerate it and restrict "
                    "the new one to the APIs and applications that need it (CLI: `gcloud "
                    "services api-keys list`, then `gcloud services api-keys delete <key id>`). "
                    "API keys carry no identity: check the project's Cloud Audit Logs (Logs "
                    "Explorer) and APIs & Services › Metrics for traffic and billing in the "
                    "window."]
        if kind == "service_account":
            return self._service_account_steps(credential)
        if kind in ("access", "refresh"):
            check = ("Then review the account's security activity "
                     "(https://myaccount.google.com/notifications); Workspace administrators "
                     "can search the OAuth token events (Admin console › Reporting › Audit and "
                     "investigation › OAuth log events) and Drive/Gmail log events for the "
                     "window.")
            return [f"Sign in as the account that granted the {_label(credential)} {shown} and "
                    f"remove the application's access at {CONNECTIONS} (Third-party apps & "
                    "services › the app › Delete all connections); this revokes its refresh "
                    f"and access tokens. {check}"]
        return [f"Revoke the Google credential {shown} where it was created: {CREDENTIALS} for "
                f"project credentials, {CONNECTIONS} for an app's access to an account. Then "
                "check the project's Cloud Audit Logs for the window."]

    def _service_account_steps(self, credential: Credential) -> list[str]:
        email = credential.setting("google_client_email") or "<client_email>"
        key_id = credential.setting("google_private_key_id") or "<private_key_id>"
        source = credential.setting("source_file")
        where = (f" (from {source})" if source else "")
        project = _project_of(email) or "<project>"
        since = (self.settings.window_start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                 if self.settings.window_start else "<window start>")
        missing = ("" if credential.setting("google_client_email")
                   and credential.setting("google_private_key_id") else
                   " Take <client_email> and <private_key_id> from the key file's "
                   "client_email and private_key_id fields.")
        return [
            f"Disable the service-account key{where} now: `gcloud iam service-accounts keys "
            f"disable {key_id} --iam-account={email}` (console: {CREDENTIALS} › the service "
            f"account › Keys).{missing}",
            f"Review what the key did, then delete it: `gcloud logging read "
            f"'protoPayload.authenticationInfo.principalEmail=\"{email}\" AND "
            f"timestamp>=\"{since}\"' --project={project}` (the key shows as "
            "protoPayload.authenticationInfo.serviceAccountKeyName; Data Access logs exist only "
            "where they were enabled), and check for new keys or IAM grants with "
            f"`gcloud iam service-accounts keys list --iam-account={email}`.",
            f"After the review: `gcloud iam service-accounts keys delete {key_id} "
            f"--iam-account={email}`, and remove the key file{where} from every machine.",
        ]


def _kind(credential: Credential) -> str:
    value = credential.secret.reveal().lstrip()
    if value.startswith(ACCESS):
        return "access"
    if value.startswith(REFRESH):
        return "refresh"
    if value.startswith(API_KEY):
        return "api_key"
    if value.startswith(PEM):
        return "service_account"
    return "other"


def _label(credential: Credential) -> str:
    return {"access": "OAuth access token", "refresh": "OAuth refresh token",
            "api_key": "API key", "service_account": "service-account key"}.get(
        _kind(credential), "credential")


def _dead(answer: Answer) -> bool:
    data = answer.data
    if answer.status not in (400, 401) or not isinstance(data, dict):
        return False
    return (data.get("error") == "invalid_token"
            or data.get("error_description") in DEAD_DESCRIPTIONS)


def _error(data: Any) -> str:
    if not isinstance(data, dict):
        return "?"
    parts = [str(data[k]) for k in ("error", "error_description") if data.get(k)]
    return ": ".join(parts)[:200] or "?"


def _project_of(email: str) -> str | None:
    """`name@my-project.iam.gserviceaccount.com` → `my-project`."""
    _, _, domain = email.partition("@")
    suffix = ".iam.gserviceaccount.com"
    return domain[: -len(suffix)] if domain.endswith(suffix) else None
