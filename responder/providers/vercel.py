"""Vercel: the `current` token's metadata for identity and proof, and its own DELETE for the kill.

Facts (shared/reference/providers.md §2 Vercel row; §5 and vercel.com/docs/rest-api
authentication pages):
- `GET /v5/user/tokens/current` → `{"token": {id, name, type, origin, scopes, expiresAt,
  activeAt, createdAt}}`; `scopes` is a list of `{type: "user"|"team", teamId?, origin,
  createdAt, expiresAt?}`; times are milliseconds since the epoch.
- `DELETE /v3/user/tokens/current` invalidates the token that authenticates the call → 200
  `{"tokenId"}`: the cleanest self-revoke reviewed, no id lookup and no admin.
- `GET /v2/user` → `{"user": {id, username, email, ...}}`; used for the account name only.

Traps:
- Vercel answers a dead token with 403, not 401: `{"error": {"code": "forbidden", "message":
  "Not authorized", "invalidToken": true}}`. Only that flag, or a 401, proves death. A 403
  without it (a team scope or SAML SSO restriction) comes from a live token: unknown, never dead.
- Every endpoint accepts `teamId`/`slug`; responder sends neither to these user-level token calls,
  where a team the token does not cover would only add a 403.
- The dashboard lists tokens by name, never by value: the manual step names the token.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from responder.actions.base import RequestPlan
from responder.core.errors import ProviderError
from responder.core.http import rate_limit_hint
from responder.providers.base import Identity, Probe, Provider, RevokeOutcome, Route, Settings
from responder.providers.review import since

if TYPE_CHECKING:
    from responder.core.http import Answer
    from responder.credentials.model import Credential

TOKENS = "https://vercel.com/account/tokens"
CURRENT = "/v5/user/tokens/current"
REVOKE = "/v3/user/tokens/current"


class VercelProvider(Provider):
    name: ClassVar[str] = "vercel"
    title: ClassVar[str] = "Vercel"
    default_url: ClassVar[str] = "https://api.vercel.com"
    settings_urls: ClassVar[tuple[str, ...]] = (TOKENS,)

    def __init__(self, base_url: str, settings: Settings) -> None:
        super().__init__(base_url, settings)
        # Token names learned by identify: the dashboard shows names, so the manual step uses it.
        self._names: dict[str, str] = {}
        self._names_lock = threading.Lock()

    def route(self, credential: Credential) -> Route:
        return "self"

    # -- identity and proof -------------------------------------------------------------------

    def _current(self, credential: Credential) -> Answer:
        return self.http.read("GET", CURRENT, headers=_bearer(credential))

    def identify(self, credential: Credential) -> Identity | None:
        answer = self._current(credential)
        dead = _dead(answer)
        if dead:
            raise ProviderError(f"Vercel says the token is not valid ({dead})", status=401)
        token = _token(answer, self.title)
        user, note = self._user(credential)
        name = str(token.get("name") or "")
        if name:
            with self._names_lock:
                self._names[credential.id] = name
        scopes = token.get("scopes")
        teams = sorted({str(s["teamId"]) for s in scopes or [] if isinstance(s, dict)
                        and s.get("teamId")})
        details = [(k, v) for k, v in (
            ("name", name), ("type", str(token.get("type") or "")),
            ("origin", str(token.get("origin") or "")),
            ("created", _when(token.get("createdAt"))), ("active", _when(token.get("activeAt"))),
            ("teams", ", ".join(teams)), ("email", str(user.get("email") or "")),
        ) if v]
        return Identity(
            credential_id=credential.id, provider=self.name,
            account=str(user.get("username") or user.get("email") or f"token {name or '?'}"),
            account_id=str(user.get("id") or user.get("uid") or "?"),
            token_kind=str(token.get("type") or credential.kind),
            scopes=(tuple(_scope(s) for s in scopes if isinstance(s, dict))
                    if isinstance(scopes, list) else None),
            expires=_when(token.get("expiresAt")) or None,
            handle=str(token["id"]), notes=(note,) if note else (), details=tuple(details),
        )

    def _user(self, credential: Credential) -> tuple[dict[str, Any], str | None]:
        """Whose token it is, best effort: team-scoped tokens may be refused `/v2/user`."""
        try:
            answer = self.http.read("GET", "/v2/user", headers=_bearer(credential))
        except ProviderError as error:
            return {}, f"GET /v2/user failed ({error.message})"
        user = answer.data.get("user") if isinstance(answer.data, dict) else None
        if answer.ok and isinstance(user, dict):
            return user, None
        return {}, f"GET /v2/user answered {answer.status} ({_message(answer)}); account unknown"

    def probe(self, credential: Credential) -> Probe:
        try:
            answer = self._current(credential)
        except ProviderError as error:
            return Probe("unknown", error.message)
        dead = _dead(answer)
        if dead:
            return Probe("dead", f"the token's metadata call answers {dead}")
        if answer.status == 403:
            return Probe("unknown", f"403 without invalidToken ({_message(answer)}): a team or "
                                    "SSO restriction, not proof the token is dead")
        try:
            token = _token(answer, self.title)
        except ProviderError as error:
            return Probe("unknown", error.message)
        return Probe("alive", f"Vercel still describes token {token['id']}")

    # -- revoke -------------------------------------------------------------------------------

    def plan_revoke(self, credentials: list[Credential]) -> list[RequestPlan]:
        return [RequestPlan("DELETE", f"{self.base_url}{REVOKE}", authenticated=True,
                            note=f"{c.secret.redacted} deletes itself (\"current\" = the token "
                                 "that authenticates the call)")
                for c in credentials]

    def revoke_one(self, credential: Credential, identity: Identity | None) -> RevokeOutcome:
        answer = self.http.write("DELETE", REVOKE, headers=_bearer(credential))
        manual = tuple(self.manual_steps(credential))
        if answer.ok:
            data = answer.data
            if not isinstance(data, dict) or not data.get("tokenId"):
                return RevokeOutcome(credential.id, "unknown",
                                     f"Vercel answered {answer.status} without the deleted "
                                     "tokenId; verification decides", manual)
            detail = f"Vercel deleted token {data['tokenId']}"
            if identity is not None and identity.handle not in (None, data["tokenId"]):
                detail += f" (identity named {identity.handle}; verification decides)"
            return RevokeOutcome(credential.id, "submitted", detail)
        dead = _dead(answer)
        if dead:
            return RevokeOutcome(credential.id, "submitted",
                                 f"Vercel answered {dead}: already invalid; verification "
                                 "confirms")
        if answer.status == 429:
            return RevokeOutcome(credential.id, "failed",
                                 rate_limit_hint(answer, self.title) or "rate limited (429)",
                                 manual)
        if answer.status >= 500:
            return RevokeOutcome(credential.id, "unknown",
                                 f"Vercel answered {answer.status}; verification decides", manual)
        return RevokeOutcome(credential.id, "failed",
                             f"Vercel answered {answer.status} to the DELETE: {_message(answer)}",
                             manual)

    def review_steps(self, identity: Identity | None, credential: Credential,
                     window_start: datetime) -> list[str]:
        # The team audit log's URL is UNCONFIRMED (providers.md §2): its menu path, beside the
        # tokens page that surely exists.
        start = since(window_start)
        return [f"Open {TOKENS}: tokens created or last used since {start} that you do not "
                "recognise.",
                "For each team the token could reach: the audit log (Team Settings › Security "
                f"& Privacy › Audit Log) from {start}; deployments since {start} (`vercel list "
                "--scope <team>`); environment variables added or changed (`vercel env ls` in "
                "each project), and rotate every one the token could read."]

    def manual_steps(self, credential: Credential) -> list[str]:
        with self._names_lock:
            name = self._names.get(credential.id)
        which = f"the token named \"{name}\"" if name else "the token (the list shows names, "\
            "creation dates and last use, never values)"
        return [
            f"Delete {which} for {credential.secret.redacted} at {TOKENS} (Account Settings › "
            "Tokens; tokens scoped to a team are listed in the owner's personal account).",
            "Then check, for each team the token could reach, the audit log (Team Settings › "
            "Security & Privacy › Audit Log) and the recent deployments and environment "
            "variable changes in the window; rotate environment variables it could read.",
        ]


def _dead(answer: Answer) -> str | None:
    """How the answer proves the token dead, or None: a 401, or a 403 flagged invalidToken."""
    if answer.status == 401:
        return "401"
    error = answer.data.get("error") if isinstance(answer.data, dict) else None
    if answer.status == 403 and isinstance(error, dict) and error.get("invalidToken") is True:
        return "403 with invalidToken: true"
    return None


def _token(answer: Answer, title: str) -> dict[str, Any]:
    if answer.status == 429:
        raise ProviderError("Vercel rate limited the token metadata call (429)", status=429,
                            hint=rate_limit_hint(answer, title))
    if answer.status == 403:
        raise ProviderError(f"Vercel refused the token metadata (403: {_message(answer)}); a "
                            "team or SSO restriction, not proof the token is dead", status=403,
                            hint="use the manual step")
    data = answer.json_or_fail(title)
    token = data.get("token") if isinstance(data, dict) else None
    if not answer.ok or not isinstance(token, dict) or not token.get("id"):
        raise ProviderError(f"Vercel answered {answer.status} to the token metadata call: "
                            f"{_message(answer)}", status=answer.status,
                            hint="the API may be failing; use the manual step")
    return token


def _message(answer: Answer) -> str:
    error = answer.data.get("error") if isinstance(answer.data, dict) else None
    if isinstance(error, dict):
        return f"{error.get('code', '?')}: {str(error.get('message', ''))[:200]}"
    return "a body that is not JSON" if answer.data is None and answer.text.strip() \
        else "no error message"


def _scope(scope: dict[str, Any]) -> str:
    kind = str(scope.get("type") or "?")
    return f"{kind}:{scope['teamId']}" if scope.get("teamId") else kind


def _when(millis: Any) -> str:
    if not isinstance(millis, int | float) or isinstance(millis, bool):
        return ""
    try:
        return datetime.fromtimestamp(millis / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):  # a nonsense value must not end the step
        return ""


def _bearer(credential: Credential) -> dict[str, str]:
    return {"authorization": f"Bearer {credential.secret.reveal()}"}
