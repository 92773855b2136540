"""Slack: `auth.test` for identity and proof, `auth.revoke` for the kill.

Slack's trap (shared/reference/providers.md §2): every Web API answer is HTTP 200, errors
included. `auth.test` with a revoked token says `{"ok": false, "error": "token_revoked"}` with a
200, so responder always reads the body; a 200 alone proves nothing. Bot (`xoxb-`) and user
(`xoxp-`) tokens may revoke themselves. App-level tokens, browser-session tokens and incoming
webhooks have no self-revoke: manual steps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from responder.actions.base import RequestPlan
from responder.core.errors import ProviderError
from responder.providers.base import Identity, Probe, Provider, RevokeOutcome, Route, unexpected

if TYPE_CHECKING:
    from datetime import datetime

    from responder.activity.evidence import EvidenceStore
    from responder.activity.model import Capture
    from responder.core.http import Answer
    from responder.credentials.model import Credential

SELF_REVOCABLE = ("xoxb-", "xoxp-")
# auth.test errors that mean "this token no longer works".
DEAD = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed",
                  "token_expired"})
APPS = "https://api.slack.com/apps"


class SlackProvider(Provider):
    name: ClassVar[str] = "slack"
    title: ClassVar[str] = "Slack"
    default_url: ClassVar[str] = "https://slack.com/api"
    settings_urls: ClassVar[tuple[str, ...]] = (APPS,)

    def route(self, credential: Credential) -> Route:
        return "self" if credential.secret.reveal().startswith(SELF_REVOCABLE) else "manual"

    # -- identity and proof -------------------------------------------------------------------

    def _auth_test(self, credential: Credential) -> Answer:
        return self.http.read("POST", "/auth.test", headers=_bearer(credential))

    def identify(self, credential: Credential) -> Identity | None:
        if self.route(credential) == "manual":
            return None
        answer = self._auth_test(credential)
        data = _body(answer, self.title, "auth.test")
        if not data.get("ok"):
            error = str(data.get("error") or "unknown_error")
            if error in DEAD:
                raise ProviderError(f"Slack says the token is not valid ({error})", status=401)
            raise ProviderError(f"Slack auth.test failed: {error}", status=answer.status)
        scopes = answer.headers.get("x-oauth-scopes")
        bot = data.get("bot_id")
        return Identity(
            credential_id=credential.id, provider=self.name,
            account=f"{data.get('user', '?')} in {data.get('team', '?')}",
            account_id=f"{data.get('team_id', '?')}/{data.get('user_id', '?')}",
            token_kind=credential.kind,
            scopes=None if scopes is None else tuple(s.strip() for s in scopes.split(",")
                                                      if s.strip()),
            expires=None,
            handle=str(bot) if bot else None,
            details=tuple((k, str(data[k])) for k in ("url", "team_id", "user_id", "bot_id",
                                                      "enterprise_id") if data.get(k)),
        )

    def probe(self, credential: Credential) -> Probe:
        try:
            answer = self._auth_test(credential)
            data = _body(answer, self.title, "auth.test")
        except ProviderError as error:
            return Probe("unknown", error.message)
        if data.get("ok"):
            return Probe("alive", "auth.test still answers ok: true")
        error = str(data.get("error") or "")
        if error in DEAD:
            return Probe("dead", f"auth.test answers ok: false, error: {error} (HTTP 200, as "
                                 "Slack always does)")
        return Probe("unknown", f"auth.test answered ok: false, error: {error or '?'}")

    # -- revoke -------------------------------------------------------------------------------

    def plan_revoke(self, credentials: list[Credential]) -> list[RequestPlan]:
        return [RequestPlan("POST", f"{self.base_url}/auth.revoke", authenticated=True,
                            note=f"{c.kind} {c.secret.redacted} revokes itself (bearer)")
                for c in credentials if self.route(c) == "self"]

    def revoke_one(self, credential: Credential, identity: Identity | None) -> RevokeOutcome:
        if self.route(credential) == "manual":
            return self.manual(credential, "Slack has no self-revoke for this token type")
        answer = self.http.write("POST", "/auth.revoke", headers=_bearer(credential))
        common = self.common_write_outcome(credential, answer, "POST auth.revoke")
        if common is not None:
            return common
        data = _body(answer, self.title, "auth.revoke")
        if data.get("ok") and data.get("revoked"):
            return RevokeOutcome(credential.id, "submitted", "auth.revoke: revoked: true")
        error = str(data.get("error") or "")
        if error in DEAD:
            return RevokeOutcome(credential.id, "submitted", f"already invalid ({error})")
        return self.failed(credential, f"auth.revoke answered ok: {data.get('ok')}, error: "
                                       f"{error or '?'}")

    # -- activity -----------------------------------------------------------------------------

    def capture_activity(self, credential: Credential, identity: Identity,
                         window_start: datetime, evidence: EvidenceStore,
                         budget: float) -> Capture | None:
        """The workspace's access logs (paid plans, a user token with the admin scope), read
        with the suspect token; a bot token or a free plan is recorded as a gap, not skipped."""
        if self.route(credential) == "manual":
            return None
        from responder.providers.slack_activity import capture

        return capture(self, credential, identity, window_start, evidence, budget)

    def review_steps(self, identity: Identity | None, credential: Credential,
                     window_start: datetime) -> list[str]:
        from responder.providers.slack_activity import review_steps

        return review_steps(identity, window_start)

    def manual_steps(self, credential: Credential) -> list[str]:
        value, shown = credential.secret.reveal(), credential.secret.redacted
        check = ("Then check the workspace's access logs and integration logs (Settings & "
                 "administration › Workspace settings) for the window.")
        if "hooks.slack.com" in value:
            return [f"Delete the incoming webhook {shown} at {APPS} › your app › Incoming "
                    f"Webhooks (a webhook URL cannot be revoked through the API). {check}"]
        if value.startswith("xapp-"):
            return [f"Revoke the app-level token {shown} at {APPS} › your app › Basic "
                    f"Information › App-Level Tokens. {check}"]
        if value.startswith(("xoxc-", "xoxd-")):
            return [f"{shown} is a browser session token: sign that user out of all sessions "
                    f"(Slack › Profile › Account settings › \"Sign out all other sessions\"), "
                    f"and reset their password. {check}"]
        return [f"Revoke the Slack {credential.kind} {shown} at {APPS} › your app › OAuth & "
                f"Permissions › \"Revoke tokens\" (or remove the app from the workspace). "
                f"{check}"]


def _bearer(credential: Credential) -> dict[str, str]:
    return {"authorization": f"Bearer {credential.secret.reveal()}"}


def _body(answer: Answer, title: str, method: str) -> dict:
    data = answer.json_or_fail(title)
    if answer.status == 429:
        raise ProviderError(f"Slack rate limited {method} (429)", status=429,
                            hint=f"retry after {answer.headers.get('retry-after', '?')} s")
    if not isinstance(data, dict):
        raise unexpected(title, answer.status, method)
    return data
