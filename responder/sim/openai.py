"""An api.openai.com simulator: `/v1/models` and the Admin API key endpoints, with its quirks.

- Errors come in OpenAI's envelope `{"error": {"message", "type", "param", "code"}}`. An unknown or
  deleted key answers 401 `code: "invalid_api_key"`, and the message echoes a masked form of the
  key ("Incorrect API key provided: sk-proj-****…wxyz"), so clients must never relay it.
- A key that exists but lacks a scope also answers **401**, with `code: null` and "You have
  insufficient permissions for this operation. Missing scopes: …": a 401 alone does not mean dead.
  Seed `missing_scopes` on a token to make `/v1/models` answer that way.
- `/v1/organization/*` needs an admin key (`sk-admin-…`); a project key there gets the same
  insufficient-permissions 401 (`api.management.read`).
- Lists are cursor pages: `limit` (1–100, default 20), `after` = the last id seen; the answer
  carries `first_id`, `last_id`, `has_more`.
- Project keys are listed with `redacted_value` (visible head and tail around "..."; seed
  `redacted_value` to override), never the value. Deleting a key removes it from the listing at
  once, but the key itself keeps working for `revoke_lag` more requests (propagation).
- A service account's key cannot be deleted through the project's api_keys endpoint: 400.
- Rate limits (429 with `retry-after`) and server errors come through `faults`.
- `GET /v1/organization/audit_logs` (admin key) lists audit log objects newest first: `id`,
  `type` (`api_key.created`, `project.created`, `user.added`, `login.succeeded`, ...),
  `effective_at` (unix seconds), `actor` ({type: session, session: {user, ip_address,
  user_agent}} or {type: api_key, api_key: {id, type, user | service_account}}), `project`
  {id, name} and a payload under the type's own name. Filters: `effective_at[gt|gte|lt|lte]`,
  `event_types[]`; cursor pages as above. When the seed turns audit logging off, the route
  answers 400 (the real answer is UNCONFIRMED; it is documented only that logging must be on).

Seed: `{"organization": "org-…", "projects": [{"id", "name"}], "revoke_lag": 0, "tokens": [{"value",
"account" (owner email, or the service account's name), "id" ("key_…"), "name", "project",
"owner_type" ("user" / "service_account"), "owner_id", "redacted_value", "missing_scopes"}],
"audit_logging": true, "audit_logs": [{"type", "effective_at" (unix, ISO or "-2h"), "actor",
"project"?, <type>?: {...}}]}`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from responder.sim.server import Fault, Request, Response, Route, SimServer, resolve_time
from responder.sim.tokens import SimToken, TokenBook, bearer

ADMIN_PREFIX = "sk-admin-"
_KEY_PREFIX = re.compile(r"^(sk-(?:proj|svcacct|admin)-|sk-)")
_NO_KEY = ("You didn't provide an API key. You need to provide your API key in an Authorization "
           "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password "
           "field (with blank username) if you're accessing the API from your browser and are "
           "prompted for a username and password. You can obtain an API key from "
           "https://platform.openai.com/account/api-keys.")
_MISSING_SCOPES = ("You have insufficient permissions for this operation. Missing scopes: {}. "
                   "Check that you have the correct role in your organization (Reader, Writer, "
                   "Owner) and project (Viewer, Member, Owner), and if you're using a restricted "
                   "API key, that it has the necessary scopes.")
_MODELS = ("gpt-4o", "gpt-4o-mini", "text-embedding-3-small")


def redacted_value(value: str) -> str:
    """The Admin API's form, e.g. `sk-proj-abc...wxyz` (the exact widths are UNCONFIRMED)."""
    match = _KEY_PREFIX.match(value)
    head = len(match.group(1)) if match else 0
    return f"{value[:head + 3]}...{value[-4:]}"


def openai_error(status: int, message: str, type_: str = "invalid_request_error",
                 code: str | None = None, param: str | None = None,
                 headers: dict[str, str] | None = None) -> Response:
    return Response(status, {"error": {"message": message, "type": type_, "param": param,
                                       "code": code}}, headers=dict(headers or {}))


class OpenAISimulator(SimServer):
    server_header = "openai-sim"
    api_path = "/v1"

    def __init__(self, book: TokenBook | None = None, organization: str = "org-acme",
                 projects: list[dict[str, Any]] | None = None,
                 audit_logs: list[dict[str, Any]] | None = None,
                 audit_logging: bool = True, now: datetime | None = None) -> None:
        super().__init__()
        self.now = now  # relative seed times ("-2h") count from it; None: the real clock
        self.tokens = book or TokenBook()
        self.organization = organization
        self.audit_logging = audit_logging
        self.audit_logs = _audit_logs(audit_logs or [], now or datetime.now(UTC))
        self.projects: dict[str, dict[str, Any]] = {}
        for project in projects or []:
            self.projects[project["id"]] = {"name": project.get("name", project["id"]),
                                            **project}
        for token in self.tokens.all():
            project = token.meta.get("project")
            if project and project not in self.projects:
                self.projects[project] = {"id": project, "name": project}
        self.route("GET", "/v1/models", self._models)
        self.route("GET", "/v1/organization/projects", self._projects, admin=True)
        self.route("GET", "/v1/organization/projects/{project_id}/api_keys", self._project_keys,
                   admin=True)
        self.route("DELETE", "/v1/organization/projects/{project_id}/api_keys/{key_id}",
                   self._delete_project_key, admin=True)
        self.route("GET", "/v1/organization/admin_api_keys", self._admin_keys, admin=True)
        self.route("DELETE", "/v1/organization/admin_api_keys/{key_id}", self._delete_admin_key,
                   admin=True)
        self.route("GET", "/v1/organization/audit_logs", self._audit_log, admin=True)

    @classmethod
    def from_seed(cls, seed: dict[str, Any], now: datetime | None = None) -> OpenAISimulator:
        return cls(TokenBook.from_seed(seed, id_prefix="key"),
                   organization=str(seed.get("organization", "org-acme")),
                   projects=list(seed.get("projects") or []),
                   audit_logs=list(seed.get("audit_logs") or []),
                   audit_logging=bool(seed.get("audit_logging", True)), now=now)

    # -- hooks --------------------------------------------------------------------------------

    def dispatch(self, request: Request, route: Route) -> Response:
        value = bearer(request.headers.get("authorization"))
        if value is None:
            return openai_error(401, _NO_KEY)
        token = self.tokens.authenticate(value)
        if token is None:
            return openai_error(401, f"Incorrect API key provided: {_masked(value)}. You can "
                                     "find your API key at "
                                     "https://platform.openai.com/account/api-keys.",
                                code="invalid_api_key")
        request.context["token"] = token
        if route.options.get("admin") and not token.value.startswith(ADMIN_PREFIX):
            # UNCONFIRMED for project keys; the message is the one OpenAI gives keys lacking it.
            return openai_error(401, _MISSING_SCOPES.format("api.management.read"))
        return route.handler(request)

    def error_response(self, status: int, message: str | None = None,
                       fault: Fault | None = None) -> Response:
        if status == 429:
            return openai_error(429, message or "Rate limit reached for requests in organization "
                                "on requests per min (RPM): Limit 500, Used 500, Requested 1. "
                                "Please try again in 120ms.", type_="requests",
                                code="rate_limit_exceeded")
        if status == 404:
            return openai_error(404, message or "Invalid URL", code="unknown_url")
        if status >= 500:
            return openai_error(status, message or "The server had an error while processing "
                                "your request. Sorry about that!", type_="server_error")
        return openai_error(status, message or "Bad request")

    def finalize(self, request: Request, response: Response) -> None:
        response.headers.setdefault("openai-version", "2020-10-01")
        response.headers.setdefault("openai-processing-ms", "12")
        response.headers.setdefault("x-request-id", f"req_{self.rng.getrandbits(128):032x}")
        if "token" in request.context:
            response.headers.setdefault("openai-organization", self.organization)

    # -- handlers -----------------------------------------------------------------------------

    def _models(self, request: Request) -> Response:
        token: SimToken = request.context["token"]
        missing = token.meta.get("missing_scopes")
        if token.value.startswith(ADMIN_PREFIX):
            missing = missing or "api.model.read"  # admin keys cannot use the inference API
        if missing:
            return openai_error(401, _MISSING_SCOPES.format(missing))
        return Response(200, {"object": "list", "data": [
            {"id": model, "object": "model", "created": 1715367049, "owned_by": "system"}
            for model in _MODELS]})

    def _projects(self, request: Request) -> Response:
        with self.tokens.lock:
            items = [{"id": p["id"], "object": "organization.project", "name": p["name"],
                      "created_at": 1711471533, "archived_at": None, "status": "active"}
                     for p in sorted(self.projects.values(), key=lambda p: p["id"])]
        return _page(request, items)

    def _project_keys(self, request: Request) -> Response:
        project = request.params["project_id"]
        if project not in self.projects:
            return openai_error(404, f"No such project: {project}")
        with self.tokens.lock:
            items = [self._project_key(t) for t in self._listed() if t.meta.get("project") ==
                     project]
        return _page(request, items)

    def _delete_project_key(self, request: Request) -> Response:
        project, key_id = request.params["project_id"], request.params["key_id"]
        with self.tokens.lock:
            token = self.tokens.by_id(key_id)
            if token is None or token.revoked or token.meta.get("project") != project:
                return openai_error(404, f"No such API key: {key_id}")
            if _owner_type(token) == "service_account":
                return openai_error(400, "API keys owned by service accounts cannot be deleted "
                                         "this way; delete the service account instead.")
            self.tokens.revoke(token)
        return Response(200, {"object": "organization.project.api_key.deleted", "id": key_id,
                              "deleted": True})

    def _admin_keys(self, request: Request) -> Response:
        with self.tokens.lock:
            items = [self._admin_key(t) for t in self._listed(admin=True)]
        if request.arg("order") == "desc":
            items.reverse()
        return _page(request, items)

    def _delete_admin_key(self, request: Request) -> Response:
        key_id = request.params["key_id"]
        with self.tokens.lock:
            token = self.tokens.by_id(key_id)
            if token is None or token.revoked or not token.value.startswith(ADMIN_PREFIX):
                return openai_error(404, f"No such admin API key: {key_id}")
            self.tokens.revoke(token)
        return Response(200, {"object": "organization.admin_api_key.deleted", "id": key_id,
                              "deleted": True})

    def _audit_log(self, request: Request) -> Response:
        if not self.audit_logging:
            return openai_error(400, "Audit logging is not enabled for this organization.")
        bounds = {op: request.arg(f"effective_at[{op}]") for op in ("gt", "gte", "lt", "lte")}
        try:
            limits = {op: int(v) for op, v in bounds.items() if v is not None}
        except ValueError:
            return openai_error(400, "Invalid 'effective_at'.", param="effective_at")
        types = set(request.query.get("event_types[]") or [])
        checks = {"gt": int.__gt__, "gte": int.__ge__, "lt": int.__lt__, "lte": int.__le__}
        items = [e for e in self.audit_logs
                 if all(checks[op](e["effective_at"], v) for op, v in limits.items())
                 and (not types or e["type"] in types)]
        return _page(request, items)

    # -- objects ------------------------------------------------------------------------------

    def _listed(self, admin: bool = False) -> list[SimToken]:
        """Keys the organization still has, oldest id first: deleted ones vanish at once."""
        return sorted((t for t in self.tokens.all() if not t.revoked
                       and t.value.startswith(ADMIN_PREFIX) == admin), key=lambda t: t.id)

    def _project_key(self, token: SimToken) -> dict[str, Any]:
        owner_type = _owner_type(token)
        owner_id = token.account_id or token.meta.get("owner_id") or f"user-{token.id}"
        if owner_type == "service_account":
            owner: dict[str, Any] = {"type": "service_account", "service_account": {
                "object": "organization.project.service_account", "id": owner_id,
                "name": token.account, "role": "member", "created_at": 1711471533}}
        else:
            owner = {"type": "user", "user": {
                "object": "organization.project.user", "id": owner_id,
                "name": token.meta.get("owner_name", token.account.split("@")[0]),
                "email": token.account, "role": "owner", "created_at": 1711471533,
                "added_at": 1711471533}}
        return {"object": "organization.project.api_key", "id": token.id,
                "name": token.name or "Secret key",
                "redacted_value": token.meta.get("redacted_value") or redacted_value(token.value),
                "created_at": _unix(token.created_at, self.now),
                "last_used_at": _unix(token.meta["last_used_at"], self.now)
                if token.meta.get("last_used_at") else None,
                "owner_project_access": "active", "owner": owner}

    def _admin_key(self, token: SimToken) -> dict[str, Any]:
        return {"object": "organization.admin_api_key", "id": token.id,
                "name": token.name or "Admin key",
                "redacted_value": token.meta.get("redacted_value") or redacted_value(token.value),
                "created_at": _unix(token.created_at, self.now), "expires_at": None,
                "last_used_at": None,
                "owner": {"type": "user", "object": "organization.user",
                          "id": token.account_id or f"user-{token.id}", "name": token.account,
                          "created_at": 1711471533, "role": "owner"}}


def _owner_type(token: SimToken) -> str:
    if token.meta.get("owner_type"):
        return str(token.meta["owner_type"])
    return "service_account" if token.value.startswith("sk-svcacct-") else "user"


def _masked(value: str) -> str:
    return f"{value[:8]}{'*' * 20}{value[-4:]}" if len(value) > 16 else "sk-****"


def _unix(moment: Any, now: datetime | None = None) -> int:
    return int(resolve_time(moment, now or datetime.now(UTC)).timestamp())


def _page(request: Request, items: list[dict[str, Any]]) -> Response:
    try:
        limit = int(request.arg("limit") or 20)
    except ValueError:
        limit = 0
    if not 1 <= limit <= 100:
        return openai_error(400, "Invalid 'limit': must be between 1 and 100.", param="limit")
    after = request.arg("after")
    start = 0
    if after:
        ids = [item["id"] for item in items]
        start = ids.index(after) + 1 if after in ids else len(items)
    page = items[start:start + limit]
    return Response(200, {"object": "list", "data": page,
                          "first_id": page[0]["id"] if page else None,
                          "last_id": page[-1]["id"] if page else None,
                          "has_more": start + limit < len(items)})


def _audit_logs(seeded: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Seeded audit log objects, newest first, with ids and unix `effective_at`."""
    items = []
    for entry in seeded:
        item = dict(entry)
        moment = item.get("effective_at", "-1h")
        item["effective_at"] = moment if isinstance(moment, int) else int(
            resolve_time(moment, now).timestamp())
        items.append(item)
    items.sort(key=lambda e: e["effective_at"], reverse=True)
    for number, item in enumerate(items, start=1):
        day = datetime.fromtimestamp(item["effective_at"], UTC).strftime("%Y%m%d")
        item.setdefault("id", f"audit_log-{number:04d}_{day}")
    return items
