"""A Google OAuth simulator: `/revoke` and `/oauth2/v3/tokeninfo` on one port, with Google's quirks.

Real Google serves these on two hosts (oauth2.googleapis.com and www.googleapis.com); here both
live on one base with `api_path` "", which is what RESPONDER_GOOGLE_API_URL points the adapter at.

- `POST /revoke` takes the token as a form field (or in the query string, as Google's own curl
  example does), needs no authentication, and answers 200 `{}`; an unknown, expired or revoked
  token answers 400 `{"error": "invalid_token", "error_description": "Token expired or
  revoked"}`; no token at all is 400 `invalid_request`.
- Revoking kills the whole grant: a refresh token takes down every access token seeded with
  `{"refresh": <that refresh token's value>}`, and an access token takes down its refresh token
  (and so its siblings).
- `/revoke` only takes POST: a GET answers Google's HTML 404 page, like any unknown route.
- `tokeninfo` (GET `?access_token=`, POST form `access_token=`, or `Authorization: Bearer`)
  describes a live access token with the numbers as strings (`exp`, `expires_in`,
  `email_verified`); anything else, a live refresh token included, is 400 `{"error":
  "invalid_token", "error_description": "Invalid Value"}`.
- An access token past its `expires_at` (default: one hour after start) is dead everywhere;
  `revoke_lag` requests may still succeed after a revoke (propagation).

Seed: `{"revoke_lag": 0, "tokens": [{"value", "account" (the email), "account_id"? (sub),
"scopes"?, "expires_at"?, "refresh"?, "aud"?}]}`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from responder.sim.server import Fault, Request, Response, SimServer, resolve_time
from responder.sim.tokens import SimToken, TokenBook, bearer

ACCESS = "ya29."
REFRESH = "1//"
NOT_FOUND_PAGE = (b"<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 404 "
                  b"(Not Found)!!1</title>\n  <p><b>404.</b> <ins>That\xe2\x80\x99s an error."
                  b"</ins>\n  <p>The requested URL was not found on this server.  <ins>That\xe2"
                  b"\x80\x99s all we know.</ins>\n")
DEFAULT_AUD = "32555940559.apps.googleusercontent.com"


class GoogleSimulator(SimServer):
    server_header = "ESF"
    api_path = ""

    def __init__(self, book: TokenBook | None = None, now: datetime | None = None) -> None:
        super().__init__()
        self.tokens = book or TokenBook()
        self._now = now
        self._started = self.clock()
        self.route("POST", "/revoke", self._revoke)
        for method in ("GET", "POST"):
            self.route(method, "/oauth2/v3/tokeninfo", self._tokeninfo)

    @classmethod
    def from_seed(cls, seed: dict[str, Any], now: datetime | None = None) -> GoogleSimulator:
        return cls(TokenBook.from_seed(seed, id_prefix="grant"), now=now)

    def clock(self) -> datetime:
        return self._now or datetime.now(UTC)

    def error_response(self, status: int, message: str | None = None,
                       fault: Fault | None = None) -> Response:
        if status == 404:
            return Response(404, raw=NOT_FOUND_PAGE,
                            headers={"content-type": "text/html; charset=UTF-8"})
        if status == 429:
            return Response(429, {"error": "rate_limit_exceeded",
                                  "error_description": message or "Rate Limit Exceeded"})
        return Response(status, {"error": "internal_failure" if status >= 500 else "bad_request",
                                 "error_description": message or "Backend Error"})

    # -- tokens -------------------------------------------------------------------------------

    def _expired(self, token: SimToken) -> bool:
        if not token.value.startswith(ACCESS):
            return False  # refresh tokens do not expire on their own here
        return self.clock() >= self._expiry(token)

    def _expiry(self, token: SimToken) -> datetime:
        if token.expires_at:
            return resolve_time(token.expires_at, self.clock())
        return self._started + timedelta(hours=1)

    def _live(self, value: str | None) -> SimToken | None:
        token = self.tokens.authenticate(value)
        if token is None or self._expired(token):
            return None
        return token

    def _grant(self, token: SimToken) -> list[SimToken]:
        """Every token of the same grant: the refresh token and the access tokens from it."""
        refresh = token.value if token.value.startswith(REFRESH) else token.meta.get("refresh")
        if not refresh:
            return [token]
        return [t for t in self.tokens.all()
                if t.value == refresh or t.meta.get("refresh") == refresh]

    # -- handlers -----------------------------------------------------------------------------

    def _revoke(self, request: Request) -> Response:
        value = _form(request, "token") or request.arg("token")
        if not value:
            return Response(400, {"error": "invalid_request",
                                  "error_description": "Bad Request"})
        token = self._live(value)
        if token is None:
            return Response(400, {"error": "invalid_token",
                                  "error_description": "Token expired or revoked"})
        with self.tokens.lock:
            for member in self._grant(token):
                self.tokens.revoke(member)
        return Response(200, {})

    def _tokeninfo(self, request: Request) -> Response:
        value = (_form(request, "access_token") or request.arg("access_token")
                 or bearer(request.headers.get("authorization")))
        token = self._live(value) if value and value.startswith(ACCESS) else None
        if token is None:
            return Response(400, {"error": "invalid_token", "error_description": "Invalid Value"})
        expiry = self._expiry(token)
        left = max(0, int((expiry - self.clock()).total_seconds()))
        aud = str(token.meta.get("aud", DEFAULT_AUD))
        body = {"azp": aud, "aud": aud, "sub": token.account_id or _sub(token.account),
                "scope": " ".join(token.scopes), "exp": str(int(expiry.timestamp())),
                "expires_in": str(left), "access_type": "offline" if token.meta.get("refresh")
                else "online"}
        if "@" in token.account:
            body.update(email=token.account, email_verified="true")
        return Response(200, body)


def _form(request: Request, key: str) -> str | None:
    if not request.body or "x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return None
    values = parse_qs(request.body.decode("utf-8", "replace")).get(key)
    return values[0] if values else None


def _sub(account: str) -> str:
    """A stable 21-digit subject id, like Google's, from the account name."""
    digits = "".join(str(ord(c) % 10) for c in account)
    return ("1" + digits + "0" * 20)[:21]
