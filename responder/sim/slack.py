"""A slack.com Web API simulator: `auth.test` and `auth.revoke`, with Slack's quirks.

- Every answer is HTTP 200, errors included: `{"ok": false, "error": "invalid_auth"}`. Only rate
  limits differ: 429 with `Retry-After` (injected through `faults`).
- A revoked token answers `token_revoked` for a while, then `invalid_auth`; `revoke_lag` requests
  may still succeed first (propagation).
- `auth.revoke?test=1` is a dry run: `{"ok": true, "revoked": false}`.
- The token may come as `Authorization: Bearer` or as a `token` form field.
- `auth.test` puts the token's scopes in `X-OAuth-Scopes`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from responder.sim.server import Fault, Request, Response, SimServer
from responder.sim.tokens import SimToken, TokenBook, bearer


class SlackSimulator(SimServer):
    server_header = "slack-sim"
    api_path = "/api"

    def __init__(self, book: TokenBook | None = None) -> None:
        super().__init__()
        self.tokens = book or TokenBook()
        for method in ("GET", "POST"):
            self.route(method, "/api/auth.test", self._auth_test)
            self.route(method, "/api/auth.revoke", self._auth_revoke)

    @classmethod
    def from_seed(cls, seed: dict[str, Any], now: datetime | None = None) -> SlackSimulator:
        return cls(TokenBook.from_seed(seed, id_prefix="B0"))

    def error_response(self, status: int, message: str | None = None,
                       fault: Fault | None = None) -> Response:
        if status == 429:
            return Response(429, {"ok": False, "error": "ratelimited"})
        if status == 404:
            return Response(200, {"ok": False, "error": "unknown_method"})
        return Response(status, {"ok": False, "error": message or "internal_error"})

    def _token(self, request: Request) -> tuple[str | None, SimToken | None]:
        value = bearer(request.headers.get("authorization"))
        if value is None and request.body:
            form = parse_qs(request.body.decode("utf-8", "replace"))
            value = (form.get("token") or [None])[0]
        if value is None:
            value = request.arg("token")
        return value, self.tokens.authenticate(value)

    def _dead(self, value: str | None) -> Response:
        if value is None:
            return Response(200, {"ok": False, "error": "not_authed"})
        known = self.tokens.get(value)
        error = "token_revoked" if known is not None and known.revoked else "invalid_auth"
        return Response(200, {"ok": False, "error": error})

    def _auth_test(self, request: Request) -> Response:
        value, token = self._token(request)
        if token is None:
            return self._dead(value)
        body = {"ok": True, "url": f"https://{token.meta.get('team', 'acme')}.slack.com/",
                "team": token.meta.get("team", "acme"), "user": token.account,
                "team_id": token.meta.get("team_id", "T0ACME001"),
                "user_id": token.account_id or "U0DANA001"}
        if token.value.startswith("xoxb-"):
            body["bot_id"] = token.id
        return Response(200, body, headers={"x-oauth-scopes": ",".join(token.scopes)})

    def _auth_revoke(self, request: Request) -> Response:
        value, token = self._token(request)
        if token is None:
            return self._dead(value)
        if request.arg("test") in ("1", "true"):
            return Response(200, {"ok": True, "revoked": False})
        self.tokens.revoke(token)
        return Response(200, {"ok": True, "revoked": True})
