"""A Vercel REST API simulator: the `current` token's metadata and self-delete, and `/v2/user`.

- Errors are `{"error": {"code", "message", ...}}`. Without a token: 403 with `missingToken:
  true`. An unknown, deleted or expired token: 403 `{"code": "forbidden", "message": "Not
  authorized", "invalidToken": true}`; Vercel does not answer 401 for it.
- `teamId` / `slug` are accepted on every call. Naming a team outside the token's scopes answers
  403 forbidden without invalidToken: a live token refused for that scope.
- Per-token meta: `teams` (team ids in its scopes), `type` (default "oauth2-token"), `origin`
  (default "manual"), `email`, `user_forbidden` (a team-scoped token refused `/v2/user`),
  `sso_required` (every call answers 403 forbidden with `saml: true` and no invalidToken).
- `DELETE /v3/user/tokens/current` deletes the calling token → 200 `{"tokenId"}`; another id of
  the same user deletes that token; an unknown id answers 404.
- Every answer carries `x-ratelimit-limit`, `-remaining`, `-reset`; 429s come from `faults`.
- `revoke_lag`: a deleted token keeps working for that many more requests (propagation).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from responder.sim.server import Fault, Request, Response, Route, SimServer, resolve_time
from responder.sim.tokens import SimToken, TokenBook, bearer

RATE_LIMIT = 100


class VercelSimulator(SimServer):
    server_header = "Vercel"
    api_path = ""

    def __init__(self, book: TokenBook | None = None, now: datetime | None = None) -> None:
        super().__init__()
        self.tokens = book or TokenBook()
        self.now = now
        self.route("GET", "/v5/user/tokens/{token_id}", self._metadata)
        self.route("DELETE", "/v3/user/tokens/{token_id}", self._delete)
        self.route("GET", "/v2/user", self._user)

    @classmethod
    def from_seed(cls, seed: dict[str, Any], now: datetime | None = None) -> VercelSimulator:
        return cls(TokenBook.from_seed(seed, id_prefix="vtok"), now)

    def clock(self) -> datetime:
        return self.now or datetime.now(UTC)

    def error_response(self, status: int, message: str | None = None,
                       fault: Fault | None = None) -> Response:
        if status == 429:
            reset = int(self.clock().timestamp()) + 60
            return Response(429, {"error": {
                "code": "rate_limited", "message": message or "Rate limit exceeded",
                "limit": {"remaining": 0, "reset": reset, "resetMs": reset * 1000,
                          "total": RATE_LIMIT}}})
        if status == 404:
            return Response(404, {"error": {"code": "not_found",
                                            "message": message or "The page could not be found"}})
        if status == 403:
            return _forbidden(message or "Not authorized")
        return Response(status, {"error": {"code": "internal_server_error",
                                           "message": message or "An unexpected error occurred"}})

    def finalize(self, request: Request, response: Response) -> None:
        reset = int(self.clock().timestamp()) + 60
        response.headers.setdefault("x-ratelimit-limit", str(RATE_LIMIT))
        response.headers.setdefault("x-ratelimit-remaining", str(RATE_LIMIT - 1))
        response.headers.setdefault("x-ratelimit-reset", str(reset))

    # -- authentication, for every route ------------------------------------------------------

    def dispatch(self, request: Request, route: Route) -> Response:
        value = bearer(request.headers.get("authorization"))
        if value is None:
            return _forbidden("The request is missing an authentication token",
                              missingToken=True)
        token = self.tokens.authenticate(value)
        if token is None or self._expired(token):
            return _forbidden("Not authorized", invalidToken=True)
        if token.meta.get("sso_required"):
            return _forbidden("Not authorized: SAML Single Sign-On is required for this team",
                              saml=True, teamId=str(token.meta["sso_required"]))
        team = request.arg("teamId") or request.arg("slug")
        if team and team not in _teams(token):
            return _forbidden(f"Not authorized: Trying to access resource under scope "
                              f"\"{team}\". You must re-authenticate to this scope or use a "
                              "token with access to this scope.")
        request.context["token"] = token
        return route.handler(request)

    def _expired(self, token: SimToken) -> bool:
        return token.expires_at is not None and \
            resolve_time(token.expires_at, self.clock()) <= self.clock()

    def _target(self, request: Request) -> SimToken | None:
        caller: SimToken = request.context["token"]
        wanted = request.params["token_id"]
        if wanted == "current":
            return caller
        found = self.tokens.by_id(wanted)
        return found if found and found.account == caller.account and not found.revoked \
            else None

    # -- handlers -----------------------------------------------------------------------------

    def _metadata(self, request: Request) -> Response:
        token = self._target(request)
        if token is None:
            return self.error_response(404, "Token not found")
        return Response(200, {"token": self._describe(token)})

    def _delete(self, request: Request) -> Response:
        with self.tokens.lock:
            token = self._target(request)
            if token is None:
                return self.error_response(404, "Token not found")
            self.tokens.revoke(token)
        return Response(200, {"tokenId": token.id})

    def _user(self, request: Request) -> Response:
        token: SimToken = request.context["token"]
        if token.meta.get("user_forbidden"):
            return _forbidden("You don't have permission to access this resource.")
        return Response(200, {"user": {
            "id": token.account_id or f"usr_{token.account}",
            "email": token.meta.get("email", f"{token.account}@example.com"),
            "name": token.account, "username": token.account,
            "defaultTeamId": (_teams(token) or [None])[0],
        }})

    def _describe(self, token: SimToken) -> dict[str, Any]:
        created = _millis(resolve_time(token.created_at, self.clock()))
        origin = str(token.meta.get("origin", "manual"))
        scopes: list[dict[str, Any]] = [{"type": "user", "origin": origin, "createdAt": created}]
        scopes += [{"type": "team", "teamId": team, "origin": origin, "createdAt": created}
                   for team in _teams(token)]
        body: dict[str, Any] = {
            "id": token.id, "name": token.name or "mcp", "type": token.meta.get(
                "type", "oauth2-token"), "origin": origin, "scopes": scopes,
            "activeAt": _millis(self.clock()), "createdAt": created,
        }
        if token.expires_at is not None:
            body["expiresAt"] = _millis(resolve_time(token.expires_at, self.clock()))
        return body


def _forbidden(message: str, **flags: Any) -> Response:
    return Response(403, {"error": {"code": "forbidden", "message": message, **flags}})


def _teams(token: SimToken) -> list[str]:
    return [str(t) for t in token.meta.get("teams") or []]


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
