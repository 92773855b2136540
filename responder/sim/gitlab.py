"""A GitLab REST API (v4) simulator: the token's own routes and `GET /user`, with GitLab's quirks.

- The API lives under `/api/v4`; the token comes in `PRIVATE-TOKEN` (or `Authorization: Bearer`).
- An unknown, expired or revoked token answers 401 `{"message": "401 Unauthorized"}`, on every
  route; `revoke_lag` requests may still succeed after a revoke (propagation).
- `GET /personal_access_tokens/self` describes the calling token (integer ids, `expires_at` as a
  date); `DELETE /personal_access_tokens/self` revokes it and answers 204 with an empty body.
- Unknown routes answer a JSON 404 `{"message": "404 Not Found"}`, before any authentication
  (GitLab's catch-all route). The seed's `version` moves the instance back in time: before 15.0
  the DELETE `self` route does not exist, before 15.5 neither does the GET one.
- Rate limits (injected through `faults`) answer 429 with a plain-text `Retry later` body, as
  GitLab's Rack::Attack throttle does.

Seed: `{"version": "17.0.0", "revoke_lag": 0, "tokens": [{"value", "account", "id"?,
"account_id"?, "name"?, "scopes"?, "expires_at"?, "bot"?: true}]}`.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime
from typing import Any

from responder.sim.server import Fault, Request, Response, SimServer, iso, resolve_time
from responder.sim.tokens import SimToken, TokenBook, bearer

SELF_DELETE_SINCE = (15, 0)
SELF_GET_SINCE = (15, 5)  # by our reading of GitLab's docs; not confirmed


class GitLabSimulator(SimServer):
    server_header = "nginx"
    api_path = "/api/v4"

    def __init__(self, book: TokenBook | None = None, version: str = "17.0.0",
                 now: datetime | None = None) -> None:
        super().__init__()
        self.tokens = book or TokenBook()
        self.version = _version(version)
        self._now = now
        self._user_ids: dict[str, int] = {}
        if self.version >= SELF_GET_SINCE:
            self.route("GET", "/api/v4/personal_access_tokens/self", self._token_self)
        if self.version >= SELF_DELETE_SINCE:
            self.route("DELETE", "/api/v4/personal_access_tokens/self", self._revoke_self)
        self.route("GET", "/api/v4/user", self._user)

    @classmethod
    def from_seed(cls, seed: dict[str, Any], now: datetime | None = None) -> GitLabSimulator:
        tokens = [{"id": str(number), **item}
                  for number, item in enumerate(seed.get("tokens") or [], start=1)]
        book = TokenBook.from_seed({**seed, "tokens": tokens})
        return cls(book, version=str(seed.get("version", "17.0.0")), now=now)

    def clock(self) -> datetime:
        return self._now or datetime.now(UTC)

    def error_response(self, status: int, message: str | None = None,
                       fault: Fault | None = None) -> Response:
        if status == 429:
            return Response(429, raw=b"Retry later\n",
                            headers={"content-type": "text/plain"})
        if status == 404:
            return Response(404, {"message": message or "404 Not Found"})
        return Response(status, {"message": message or f"{status} {_phrase(status)}"})

    def dispatch(self, request: Request, route: Any) -> Response:
        token = self._authenticate(request)
        if token is None:
            return Response(401, {"message": "401 Unauthorized"})
        request.context["token"] = token
        return route.handler(request)

    # -- auth ---------------------------------------------------------------------------------

    def _authenticate(self, request: Request) -> SimToken | None:
        value = (request.headers.get("private-token")
                 or bearer(request.headers.get("authorization")))
        token = self.tokens.authenticate(value)
        if token is None or not self._live(token):
            return None
        with self.tokens.lock:
            token.meta["last_used_at"] = iso(self.clock())
        return token

    def _expires(self, token: SimToken) -> str | None:
        """GitLab keeps a PAT's expiry as a date; it stops working at the start of that day."""
        if not token.expires_at:
            return None
        return resolve_time(token.expires_at, self.clock()).strftime("%Y-%m-%d")

    def _live(self, token: SimToken | None) -> bool:
        if token is None:
            return False
        expires = self._expires(token)
        return expires is None or expires > self.clock().strftime("%Y-%m-%d")

    def _user_id(self, token: SimToken) -> int:
        if token.account_id:
            return int(token.account_id) if token.account_id.isdigit() else (
                zlib.crc32(token.account_id.encode()) % 10_000)
        with self.tokens.lock:
            return self._user_ids.setdefault(token.account, 100 + len(self._user_ids))

    # -- handlers -----------------------------------------------------------------------------

    def _token_self(self, request: Request) -> Response:
        token: SimToken = request.context["token"]
        return Response(200, {
            "id": int(token.id) if token.id.isdigit() else token.id,
            "name": token.name or "mcp-server",
            "revoked": token.revoked,
            "created_at": token.created_at,
            "description": token.meta.get("description"),
            "scopes": list(token.scopes),
            "user_id": self._user_id(token),
            "last_used_at": token.meta.get("last_used_at"),
            "active": not token.revoked,
            "expires_at": self._expires(token),
        })

    def _revoke_self(self, request: Request) -> Response:
        token: SimToken = request.context["token"]
        self.tokens.revoke(token)
        return Response(204)

    def _user(self, request: Request) -> Response:
        token: SimToken = request.context["token"]
        return Response(200, {
            "id": self._user_id(token),
            "username": token.account,
            "name": token.meta.get("full_name", token.account.title()),
            "state": "active",
            "bot": bool(token.meta.get("bot", False)),
            "web_url": f"https://gitlab.example.com/{token.account}",
        })


def _version(text: str) -> tuple[int, int]:
    parts = (text.split(".") + ["0", "0"])[:2]
    return int(parts[0]), int(parts[1])


def _phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
