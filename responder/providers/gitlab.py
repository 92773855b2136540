"""GitLab (gitlab.com or self-hosted): identity, self-revoke and proof for personal access tokens.

Facts relied on (shared/reference/providers.md §2 GitLab row, §5; python-gitlab#2200; GitLab's
personal access tokens API docs):
- the API lives under `<host>/api/v4` and takes the token in the `PRIVATE-TOKEN` header;
- `GET /personal_access_tokens/self` describes the calling token (id, name, scopes, expires_at,
  last_used_at, revoked, user_id) and `GET /user` its owner (username, id);
- `DELETE /personal_access_tokens/self` revokes the calling token → 204 with an empty body.
  Project and group access tokens are `glpat-` too and revoke the same way;
- a dead token answers 401 `{"message": "401 Unauthorized"}`.

Traps:
- self-hosted instances: the token must go to the server its own definition names
  (`GITLAB_API_URL`, often given without `/api/v4`), and never over plain http to a remote host;
- the `self` routes are recent: DELETE since GitLab 15.0, so an older instance answers 404 (the
  route does not exist) and the token must be revoked by hand. GET `self` came later still
  (15.5 by our reading; not confirmed from GitLab's changelog), so on a 404 identity and proof
  fall back to `GET /user`;
- a 403 means the token is valid but lacks the scope the route needs: alive, not dead;
- other token kinds (deploy, trigger, runner, job, feed, OAuth application, SCIM) have no
  self-revoke: manual steps on the right settings page.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ClassVar

from responder.actions.base import RequestPlan
from responder.core.errors import ProviderError
from responder.core.http import may_carry_token
from responder.providers.base import (
    Identity,
    Probe,
    Provider,
    RevokeOutcome,
    Route,
    Settings,
    unexpected,
)

if TYPE_CHECKING:
    from datetime import datetime

    from responder.activity.evidence import EvidenceStore
    from responder.activity.model import Capture
    from responder.core.http import Answer
    from responder.credentials.model import Credential

API_PATH = "/api/v4"
PAT = "glpat-"
SELF = "/personal_access_tokens/self"

# Prefix → (what it is, where to revoke it, under the instance host). Longest prefixes first
# would matter only if one were a prefix of another; none is.
OTHER_KINDS: dict[str, tuple[str, str]] = {
    "gldt-": ("deploy token", "the project's (or group's) Settings › Repository › Deploy tokens "
              "({host}/<group>/<project>/-/settings/repository): Revoke the token"),
    "glptt-": ("pipeline trigger token", "the project's Settings › CI/CD › Pipeline trigger "
               "tokens ({host}/<group>/<project>/-/settings/ci_cd): revoke the trigger"),
    "glrt-": ("runner authentication token", "the runner's page under the project's or group's "
              "Settings › CI/CD › Runners (instance runners: {host}/admin/runners): reset the "
              "runner's authentication token, or delete the runner"),
    "glcbt-": ("CI/CD job token", "the project's Build › Jobs: cancel the job that owns it (a "
               "job token works only while its job runs)"),
    "glft-": ("feed token", "{host}/-/user_settings/personal_access_tokens, section Feed token: "
              "Reset this token"),
    "gloas-": ("OAuth application secret", "{host}/-/user_settings/applications (or the "
               "group's Settings › Applications, or {host}/admin/applications): open the "
               "application and Renew secret"),
    "glsoat-": ("SCIM token", "the group's Settings › SAML SSO (self-managed: Admin area › "
                "Settings › General › SCIM token): reset the SCIM token, then update the "
                "identity provider with the new one"),
}


class GitLabProvider(Provider):
    name: ClassVar[str] = "gitlab"
    title: ClassVar[str] = "GitLab"
    default_url: ClassVar[str] = "https://gitlab.com/api/v4"
    settings_urls: ClassVar[tuple[str, ...]] = (
        "https://gitlab.com/-/user_settings/personal_access_tokens",)

    @classmethod
    def base_url_for(cls, credential: Credential, settings: Settings) -> str:
        """The server's own GITLAB_API_URL first (self-hosted), then the run's override."""
        own = credential.setting("gitlab_api_url")
        if own and own.strip():
            return normalise_api_url(own)
        return (settings.endpoints.get(cls.name) or cls.default_url).rstrip("/")

    @property
    def host(self) -> str:
        """The instance's web address, for settings pages: the API base without /api/v4."""
        base = self.base_url
        return base[: -len(API_PATH)] if base.endswith(API_PATH) else base

    def insecure(self) -> str | None:
        """Why a token must not be sent to this base URL, or None when it may."""
        if may_carry_token(self.base_url):
            return None
        return (f"the GitLab API URL {self.base_url} is not https: the token would cross the "
                "network in clear, so responder does not send it")

    def route(self, credential: Credential) -> Route:
        if not credential.secret.reveal().startswith(PAT) or self.insecure():
            return "manual"
        return "self"

    # -- identity and proof -------------------------------------------------------------------

    def identify(self, credential: Credential) -> Identity | None:
        if self.route(credential) == "manual":
            return None
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="gitlab-identify") as pool:
            token_call = pool.submit(self.http.read, "GET", SELF, headers=_auth(credential))
            user_call = pool.submit(self.http.read, "GET", "/user", headers=_auth(credential))
            token_answer, user_answer = token_call.result(), user_call.result()
        if 401 in (token_answer.status, user_answer.status):
            raise ProviderError("GitLab says the token is not valid (401 Unauthorized)",
                                status=401)
        token, token_note = self._optional(token_answer, "GET /personal_access_tokens/self")
        user, user_note = self._optional(user_answer, "GET /user")
        if token is None and user is None:
            raise ProviderError(f"GitLab gave no identity for the token ({token_note}; "
                                f"{user_note})", status=token_answer.status,
                                hint="use the manual step to find and revoke it")
        token, user = token or {}, user or {}
        user_id = user.get("id", token.get("user_id"))
        scopes = token.get("scopes")
        details = [(key, str(token[key])) for key in ("name", "created_at", "last_used_at",
                                                      "expires_at", "revoked", "active")
                   if token.get(key) is not None]
        details += [(f"user_{key}", str(user[key])) for key in ("state", "bot", "web_url")
                    if user.get(key) is not None]
        return Identity(
            credential_id=credential.id, provider=self.name,
            account=str(user.get("username") or f"user #{user_id if user_id else '?'}"),
            account_id=str(user_id if user_id is not None else "?"),
            token_kind=credential.kind,
            scopes=tuple(str(s) for s in scopes) if isinstance(scopes, list) else None,
            expires=str(token["expires_at"]) if token.get("expires_at") else None,
            handle=str(token["id"]) if token.get("id") is not None else None,
            notes=tuple(note for note in (token_note, user_note) if note),
            details=(("instance", self.host), *details),
        )

    def _optional(self, answer: Answer, what: str) -> tuple[dict[str, Any] | None, str]:
        """One identity read: its JSON object, or None with the reason it is missing."""
        if answer.status == 404:
            return None, f"{what} does not exist on this instance (an older GitLab)"
        if answer.status == 403:
            return None, f"{what} refused (403): the token lacks the scope for it"
        if answer.status == 429:
            raise ProviderError(f"GitLab rate limited {what} (429)", status=429,
                                hint=f"retry after {answer.headers.get('retry-after', '?')} s")
        data = answer.json_or_fail(self.title)
        if answer.status != 200 or not isinstance(data, dict):
            raise unexpected(self.title, answer.status, what)
        return data, ""

    def probe(self, credential: Credential) -> Probe:
        why = self.insecure()
        if why:
            return Probe("unknown", why)
        if not credential.secret.reveal().startswith(PAT):
            return Probe("unknown", "GitLab offers no way to check this token kind with the "
                                    "token itself")
        try:
            answer = self.http.read("GET", SELF, headers=_auth(credential))
            what = "GET /personal_access_tokens/self"
            if answer.status == 404:  # before GitLab 15.5: ask /user instead
                answer = self.http.read("GET", "/user", headers=_auth(credential))
                what = "GET /user"
        except ProviderError as error:
            return Probe("unknown", error.message)
        if answer.status == 401:
            return Probe("dead", f"{what} answers 401 Unauthorized")
        if answer.status == 403:
            return Probe("alive", f"{what} answers 403: the token is valid but lacks the scope")
        if answer.status == 200 and isinstance(answer.data, dict):
            return Probe("alive", f"{what} still answers 200")
        return Probe("unknown", f"{what} answered {answer.status}"
                     + ("" if answer.data is not None else " with a body that is not JSON"))

    # -- revoke -------------------------------------------------------------------------------

    def plan_revoke(self, credentials: list[Credential]) -> list[RequestPlan]:
        return [RequestPlan("DELETE", f"{self.base_url}{SELF}", authenticated=True,
                            note=f"{c.kind} {c.secret.redacted} revokes itself (PRIVATE-TOKEN)")
                for c in credentials if self.route(c) == "self"]

    def revoke_one(self, credential: Credential, identity: Identity | None) -> RevokeOutcome:
        why = self.insecure()
        if why:
            return self.manual(credential, why)
        if not credential.secret.reveal().startswith(PAT):
            kind = _other_kind(credential.secret.reveal())
            return self.manual(credential, f"GitLab has no self-revoke for a {kind}")
        answer = self.http.write("DELETE", SELF, headers=_auth(credential))
        status = answer.status
        if status in (200, 204):
            return RevokeOutcome(credential.id, "submitted",
                                 f"DELETE /personal_access_tokens/self answered {status}")
        if status == 401:
            return RevokeOutcome(credential.id, "submitted",
                                 "already invalid (401 Unauthorized)")
        if status >= 500:
            return RevokeOutcome(credential.id, "unknown",
                                 f"GitLab answered {status}; the request may have landed, so it "
                                 "is not sent again: verification decides",
                                 tuple(self.manual_steps(credential)))
        if status == 404:
            return self.failed(credential, "this GitLab instance has no self-revoke route "
                                           "(DELETE /personal_access_tokens/self needs GitLab "
                                           "15.0 or later)")
        if status == 403:
            return self.failed(credential, "GitLab refused the self-revoke (403): the token "
                                           "lacks the scope it needs to revoke itself")
        if status == 429:
            return self.failed(credential, "GitLab rate limited the revoke (429, retry after "
                               f"{answer.headers.get('retry-after', '?')} s)")
        return self.failed(credential, f"GitLab answered {status} to the revoke"
                           f"{_message(answer)}")

    # -- activity -----------------------------------------------------------------------------

    def capture_activity(self, credential: Credential, identity: Identity,
                         window_start: datetime, evidence: EvidenceStore,
                         budget: float) -> Capture | None:
        """The user's events (and members joining their projects) since `window_start`, read
        with the suspect personal access token; other kinds cannot read events."""
        if self.route(credential) == "manual":
            return None
        from responder.providers.gitlab_activity import capture

        return capture(self, credential, identity, window_start, evidence, budget)

    def review_steps(self, identity: Identity | None, credential: Credential,
                     window_start: datetime) -> list[str]:
        from responder.providers.gitlab_activity import review_steps

        return review_steps(self.host, identity.account if identity else None, window_start)

    def manual_steps(self, credential: Credential) -> list[str]:
        value, shown, host = credential.secret.reveal(), credential.secret.redacted, self.host
        check = (f"Then review what the token's user did in the window: {host}/users/<username>"
                 "/activity (or GET /api/v4/events with another token of that user), and, if "
                 f"you are an administrator, the audit events ({host}/admin/audit_logs for the "
                 "instance, Secure › Audit events on groups and projects) for new tokens, SSH "
                 "keys, deploy keys, webhooks, members and CI/CD variable changes.")
        prefix = next((p for p in OTHER_KINDS if value.startswith(p)), None)
        if prefix is not None:
            kind, where = OTHER_KINDS[prefix]
            return [f"Revoke the GitLab {kind} {shown} at {where.format(host=host)}. {check}"]
        return [f"Revoke the GitLab token {shown} at {host}/-/user_settings/personal_access_tokens "
                f"(older versions: {host}/-/profile/personal_access_tokens): find it by name, "
                "scopes and last use, and select Revoke. A project or group access token (its "
                "user is a bot) is listed instead under the project's or group's Settings › "
                f"Access tokens. {check}"]


def normalise_api_url(value: str) -> str:
    """`https://gitlab.example.com/` → `https://gitlab.example.com/api/v4` (GITLAB_API_URL is
    given both with and without the API path)."""
    url = value.strip().rstrip("/")
    return url if url.endswith(API_PATH) else url + API_PATH


def _other_kind(value: str) -> str:
    prefix = next((p for p in OTHER_KINDS if value.startswith(p)), None)
    return OTHER_KINDS[prefix][0] if prefix else "token of this kind"


def _auth(credential: Credential) -> dict[str, str]:
    return {"private-token": credential.secret.reveal()}


def _message(answer: Answer) -> str:
    data = answer.data
    if isinstance(data, dict):
        text = data.get("message") or data.get("error")
        if text:
            return f": {str(text)[:200]}"
    return "" if data is not None or not answer.text.strip() else " (a body that is not JSON)"
