"""An api.anthropic.com simulator: `/v1/models` and the Admin API's key endpoints, with its quirks.

- Every call needs `anthropic-version` (2023-06-01): missing or unknown → 400
  `invalid_request_error`, checked before the key.
- The key goes in `x-api-key`; a missing, unknown or deactivated key → 401 `authentication_error`
  ("invalid x-api-key"). Errors use Anthropic's envelope
  `{"type": "error", "error": {"type", "message"}, "request_id"}`, and every answer carries a
  `request-id` header.
- `/v1/organizations/*` needs an Admin key (`sk-ant-admin01-…`); a standard key there gets 403
  `permission_error`, and an Admin key on the Messages-side API (`/v1/models`) gets 401 (both
  answers are UNCONFIRMED; simulated pessimistically so that a client probing an Admin key on
  `/v1/models` would wrongly see it dead, and the tests would catch it).
- `GET /v1/organizations/api_keys` lists keys (never values) with `partial_key_hint`
  (`sk-ant-api03-R2D...igAA`), `status` (active / inactive / archived), `created_by`,
  `workspace_id`; pages with `limit` (1–1000, default 20), `after_id` / `before_id`, answering
  `first_id`, `last_id`, `has_more`.
- The Admin API has no delete: `POST /v1/organizations/api_keys/{id}` with `{"status": "inactive"}`
  (or "archived") deactivates the key and answers the updated key; "active" re-enables it. A
  deactivated key keeps working for `revoke_lag` more requests (propagation).
- 529 `overloaded_error` and 429 `rate_limit_error` with `retry-after` come through `faults`.

Seed: `{"organization": {"id", "name"}, "revoke_lag": 0, "tokens": [{"value", "account" (the
creator's email), "account_id" ("user_…"), "id" ("apikey_…"), "name", "workspace_id", "status"}]}`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from responder.sim.server import Fault, Request, Response, Route, SimServer, iso, resolve_time
from responder.sim.tokens import SimToken, TokenBook

ADMIN_PREFIX = "sk-ant-admin01-"
VERSIONS = frozenset({"2023-06-01", "2023-01-01"})
STATUSES = ("active", "inactive", "archived")
_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
          404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error",
          500: "api_error", 529: "overloaded_error"}
_MODELS = (("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5"),
           ("claude-haiku-4-5-20251001", "Claude Haiku 4.5"))


def partial_key_hint(value: str) -> str:
    """The Admin API's form: `sk-ant-api03-` plus three characters, "...", the last four."""
    return f"{value[:16]}...{value[-4:]}"


def anthropic_error(status: int, message: str, type_: str | None = None,
                    headers: dict[str, str] | None = None) -> Response:
    request_id = f"req_{uuid.uuid4().hex[:24]}"
    return Response(status, {"type": "error", "error": {
        "type": type_ or _TYPES.get(status, "api_error"), "message": message},
        "request_id": request_id}, headers={"request-id": request_id, **(headers or {})})


class AnthropicSimulator(SimServer):
    server_header = "anthropic-sim"
    api_path = "/v1"

    def __init__(self, book: TokenBook | None = None,
                 organization: dict[str, str] | None = None, now: datetime | None = None) -> None:
        super().__init__()
        self.now = now  # relative seed times ("-2h") count from it; None: the real clock
        self.tokens = book or TokenBook()
        self.organization = {"id": "12345678-1234-5678-1234-567812345678", "name": "Acme",
                             **(organization or {})}
        for token in self.tokens.all():
            if token.meta.get("status") in ("inactive", "archived"):
                self.tokens.revoke(token)
        self.route("GET", "/v1/models", self._models)
        self.route("GET", "/v1/organizations/me", self._me, admin=True)
        self.route("GET", "/v1/organizations/api_keys", self._list_keys, admin=True)
        self.route("GET", "/v1/organizations/api_keys/{api_key_id}", self._get_key, admin=True)
        self.route("POST", "/v1/organizations/api_keys/{api_key_id}", self._update_key,
                   admin=True)
        self.route("GET", "/v1/organizations/users/{user_id}", self._user, admin=True)

    @classmethod
    def from_seed(cls, seed: dict[str, Any], now: datetime | None = None) -> AnthropicSimulator:
        return cls(TokenBook.from_seed(seed, id_prefix="apikey_01"),
                   organization=dict(seed.get("organization") or {}), now=now)

    # -- hooks --------------------------------------------------------------------------------

    def dispatch(self, request: Request, route: Route) -> Response:
        version = request.headers.get("anthropic-version")
        if not version:
            return anthropic_error(400, "anthropic-version: header is required")
        if version not in VERSIONS:
            return anthropic_error(400, f"anthropic-version: unknown version {version!r}")
        value = request.headers.get("x-api-key")
        if not value:
            return anthropic_error(401, "x-api-key header is required")
        token = self.tokens.authenticate(value)
        if token is None:
            return anthropic_error(401, "invalid x-api-key")
        request.context["token"] = token
        if route.options.get("admin") and not token.value.startswith(ADMIN_PREFIX):
            return anthropic_error(403, "This endpoint requires an Admin API key "
                                        "(sk-ant-admin01-…); see Console › Settings › Admin keys.")
        if not route.options.get("admin") and token.value.startswith(ADMIN_PREFIX):
            return anthropic_error(401, "invalid x-api-key")
        return route.handler(request)

    def error_response(self, status: int, message: str | None = None,
                       fault: Fault | None = None) -> Response:
        default = {404: "Not found", 429: "Number of request tokens has exceeded your per-minute "
                   "rate limit", 529: "Overloaded", 500: "Internal server error"}
        return anthropic_error(status, message or default.get(status, "Error"))

    def finalize(self, request: Request, response: Response) -> None:
        request_id = f"req_{self.rng.getrandbits(96):024x}"
        if isinstance(response.body, dict) and "request_id" in response.body:
            response.body["request_id"] = request_id  # an error's id, from the sim's source
            response.headers["request-id"] = request_id
        response.headers.setdefault("request-id", request_id)

    # -- handlers -----------------------------------------------------------------------------

    def _models(self, request: Request) -> Response:
        limit = _limit(request, 1000)
        if isinstance(limit, Response):
            return limit
        items = [{"type": "model", "id": model, "display_name": name,
                  "created_at": "2025-09-29T00:00:00Z"} for model, name in _MODELS][:limit]
        return Response(200, {"data": items, "has_more": limit < len(_MODELS),
                              "first_id": items[0]["id"], "last_id": items[-1]["id"]})

    def _me(self, request: Request) -> Response:
        return Response(200, {"type": "organization", **self.organization})

    def _list_keys(self, request: Request) -> Response:
        limit = _limit(request, 1000)
        if isinstance(limit, Response):
            return limit
        status = request.arg("status")
        if status is not None and status not in STATUSES:
            return anthropic_error(400, f"status: Input should be {', '.join(STATUSES)}")
        with self.tokens.lock:
            items = [self._key(t) for t in self._keys()]
        items = [k for k in items if status in (None, k["status"])
                 and request.arg("workspace_id") in (None, k["workspace_id"])]
        ids = [item["id"] for item in items]
        after, before = request.arg("after_id"), request.arg("before_id")
        if after:
            start = ids.index(after) + 1 if after in ids else len(items)
            page = items[start:start + limit]
            more = start + limit < len(items)
        elif before:
            end = ids.index(before) if before in ids else 0
            page = items[max(0, end - limit):end]
            more = end - limit > 0
        else:
            page, more = items[:limit], limit < len(items)
        return Response(200, {"data": page, "has_more": more,
                              "first_id": page[0]["id"] if page else None,
                              "last_id": page[-1]["id"] if page else None})

    def _get_key(self, request: Request) -> Response:
        token = self._by_id(request.params["api_key_id"])
        if token is None:
            return anthropic_error(404, f"API key {request.params['api_key_id']} not found")
        with self.tokens.lock:
            return Response(200, self._key(token))

    def _update_key(self, request: Request) -> Response:
        token = self._by_id(request.params["api_key_id"])
        if token is None:
            return anthropic_error(404, f"API key {request.params['api_key_id']} not found")
        body = request.json
        if not isinstance(body, dict):
            return anthropic_error(400, "Request body must be a JSON object")
        status = body.get("status")
        if status is not None and status not in STATUSES:
            return anthropic_error(400, f"status: Input should be {', '.join(STATUSES)}")
        with self.tokens.lock:
            if isinstance(body.get("name"), str):
                token.name = body["name"]
            if status is not None:
                if token.meta.get("status") == "archived" and status != "archived":
                    return anthropic_error(400, "An archived API key cannot be changed")
                token.meta["status"] = status
                if status == "active":
                    token.revoked_at, token.uses_after_revoke = None, 0
                else:
                    self.tokens.revoke(token)
            return Response(200, self._key(token))

    def _user(self, request: Request) -> Response:
        user_id = request.params["user_id"]
        with self.tokens.lock:
            owner = next((t for t in self.tokens.all() if _creator(t) == user_id), None)
        if owner is None:
            return anthropic_error(404, f"User {user_id} not found")
        return Response(200, {"type": "user", "id": user_id, "email": owner.account,
                              "name": owner.meta.get("owner_name", owner.account.split("@")[0]),
                              "role": "developer", "added_at": "2025-01-05T10:00:00Z"})

    # -- objects ------------------------------------------------------------------------------

    def _keys(self) -> list[SimToken]:
        return sorted((t for t in self.tokens.all() if not t.value.startswith(ADMIN_PREFIX)),
                      key=lambda t: t.id)

    def _by_id(self, key_id: str) -> SimToken | None:
        token = self.tokens.by_id(key_id)
        return None if token is None or token.value.startswith(ADMIN_PREFIX) else token

    def _key(self, token: SimToken) -> dict[str, Any]:
        return {"type": "api_key", "id": token.id, "name": token.name or "Developer Key",
                "partial_key_hint": token.meta.get("partial_key_hint")
                or partial_key_hint(token.value),
                "status": token.meta.get("status") or ("inactive" if token.revoked else "active"),
                "created_at": iso(resolve_time(token.created_at, self.now or datetime.now(UTC))),
                "created_by": {"id": _creator(token), "type": "user"},
                "workspace_id": token.meta.get("workspace_id")}


def _creator(token: SimToken) -> str:
    return token.account_id or f"user_{token.id.removeprefix('apikey_')}"


def _limit(request: Request, maximum: int) -> int | Response:
    try:
        limit = int(request.arg("limit") or 20)
    except ValueError:
        limit = 0
    if not 1 <= limit <= maximum:
        return anthropic_error(400, f"limit: Input should be between 1 and {maximum}")
    return limit
