"""A Cloudflare API v4 simulator: verify and self-delete for user and account-owned API tokens.

- Every answer, errors included, is the envelope `{"success", "errors": [{"code", "message"}],
  "messages", "result"}`.
- A token with meta `owner_account` (an account id) is account-owned: it verifies only at
  `/accounts/{account_id}/tokens/verify` and answers 401 code 1000 "Invalid API Token" at
  `/user/tokens/verify`, like a dead token; `GET /accounts` answers it 400 code 1001 ("does not
  support account owned tokens"). User tokens verify at `/user/tokens/verify`.
- An unknown, deleted (after `revoke_lag` more requests) or disabled token answers 401 code 1000
  everywhere except verify, which describes a disabled or expired token with 200 and
  `status: disabled|expired` (meta `status`, or `expires_at` in the past).
- `DELETE /user/tokens/{id}` and `DELETE /accounts/{account_id}/tokens/{id}` need "API Tokens
  Write": a token with meta `can_self_revoke: false` gets 403 code 9109 and stays alive.
- `GET /user` needs "User Details Read" (meta `user_read`, default true), else 403 code 9109.
- Unknown routes answer 404 code 7000; rate limits (from `faults`) 429 code 971.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from responder.sim.server import (
    Fault,
    Request,
    Response,
    Route,
    SimServer,
    iso,
    resolve_time,
)
from responder.sim.tokens import SimToken, TokenBook, bearer

INVALID = (1000, "Invalid API Token")
FORBIDDEN = (9109, "Unauthorized to access requested resource")


def envelope(result: Any = None, errors: tuple[tuple[int, str], ...] = (),
             messages: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"success": not errors, "errors": [{"code": c, "message": m} for c, m in errors],
            "messages": messages or [], "result": result}


def failure(status: int, code: int, message: str) -> Response:
    return Response(status, envelope(errors=((code, message),)))


class CloudflareSimulator(SimServer):
    server_header = "cloudflare"
    api_path = "/client/v4"

    def __init__(self, book: TokenBook | None = None, now: datetime | None = None) -> None:
        super().__init__()
        self.tokens = book or TokenBook()
        self.now = now
        base = self.api_path
        self.route("GET", f"{base}/user/tokens/verify", self._verify, scope="user")
        self.route("GET", f"{base}/accounts/{{account_id}}/tokens/verify", self._verify,
                   scope="account")
        self.route("DELETE", f"{base}/user/tokens/{{token_id}}", self._delete, scope="user")
        self.route("DELETE", f"{base}/accounts/{{account_id}}/tokens/{{token_id}}",
                   self._delete, scope="account")
        self.route("GET", f"{base}/user", self._user, scope="user")
        self.route("GET", f"{base}/accounts", self._accounts, scope="user")

    @classmethod
    def from_seed(cls, seed: dict[str, Any], now: datetime | None = None) -> CloudflareSimulator:
        # Cloudflare token ids are 32 hex characters.
        tokens = [{"id": hashlib.md5(str(t["value"]).encode()).hexdigest(), **t}
                  for t in seed.get("tokens") or []]
        return cls(TokenBook.from_seed({**seed, "tokens": tokens}), now)

    def clock(self) -> datetime:
        return self.now or datetime.now(UTC)

    def error_response(self, status: int, message: str | None = None,
                       fault: Fault | None = None) -> Response:
        known = {401: INVALID, 403: FORBIDDEN, 404: (7000, "No route for that URI"),
                 429: (971, "Please wait and consider throttling your request speed")}
        code, text = known.get(status, (status, "Internal Server Error"))
        return failure(status, code, message or text)

    # -- authentication, for every route ------------------------------------------------------

    def dispatch(self, request: Request, route: Route) -> Response:
        value = bearer(request.headers.get("authorization"))
        if value is None:
            return failure(400, 9106, "Missing X-Auth-Key, X-Auth-Email or Authorization "
                                      "headers")
        token = self.tokens.authenticate(value)
        verify = route.handler == self._verify
        if token is None or not verify and self._status(token) != "active":
            return failure(401, *INVALID)
        owner = token.meta.get("owner_account")
        if route.options["scope"] == "user" and owner:
            if route.template.endswith("/accounts"):
                return failure(400, 1001, "List accounts endpoint does not support account "
                                          "owned tokens.")
            return failure(401, *INVALID)  # an account token is unknown to the user endpoints
        if route.options["scope"] == "account" and owner != request.params["account_id"]:
            return failure(401, *INVALID) if verify else failure(403, *FORBIDDEN)
        request.context["token"] = token
        return route.handler(request)

    def _status(self, token: SimToken) -> str:
        status = str(token.meta.get("status", "active"))
        if status == "active" and token.expires_at is not None and \
                resolve_time(token.expires_at, self.clock()) <= self.clock():
            return "expired"
        return status

    # -- handlers -----------------------------------------------------------------------------

    def _verify(self, request: Request) -> Response:
        token: SimToken = request.context["token"]
        result: dict[str, Any] = {"id": token.id, "status": self._status(token)}
        if token.expires_at is not None:
            result["expires_on"] = iso(resolve_time(token.expires_at, self.clock()))
        if token.meta.get("not_before"):
            result["not_before"] = iso(resolve_time(token.meta["not_before"], self.clock()))
        message = {"code": 10000, "message": "This API Token is valid and active", "type": None}
        return Response(200, envelope(result, messages=[message]
                                      if result["status"] == "active" else []))

    def _delete(self, request: Request) -> Response:
        caller: SimToken = request.context["token"]
        if not caller.meta.get("can_self_revoke", True):
            return failure(403, *FORBIDDEN)
        wanted = request.params["token_id"]
        with self.tokens.lock:
            target = self.tokens.by_id(wanted)
            if target is None or target.revoked or target.account != caller.account \
                    or target.meta.get("owner_account") != caller.meta.get("owner_account"):
                return failure(404, 7003, f"Could not route to {request.path}, perhaps your "
                                          "object identifier is invalid?")
            self.tokens.revoke(target)
        return Response(200, envelope({"id": target.id}))

    def _user(self, request: Request) -> Response:
        token: SimToken = request.context["token"]
        if not token.meta.get("user_read", True):
            return failure(403, *FORBIDDEN)
        user_id = token.account_id or hashlib.md5(token.account.encode()).hexdigest()
        return Response(200, envelope({"id": user_id, "email": token.meta.get(
            "email", f"{token.account}@example.com"), "suspended": False}))

    def _accounts(self, request: Request) -> Response:
        token: SimToken = request.context["token"]
        return Response(200, envelope([{"id": str(a), "name": f"{token.account}'s account"}
                                       for a in token.meta.get("accounts") or []]))
