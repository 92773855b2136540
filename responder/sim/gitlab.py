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
- `GET /events` lists the calling user's own events, newest first (GitLab's events API, doc/api/
  events.md): `after`/`before` are dates (YYYY-MM-DD, both exclusive), `action` (pushed, created,
  joined, ...), `target_type` (issue, merge_request, ...), `sort`, `scope=all` (also the events of
  other users in the projects the user is a member of), `page`/`per_page` (20 by default, 100 at
  most) with GitLab's pagination headers (`x-page`, `x-next-page`, `x-total-pages`, `Link`). It
  needs the `api` or `read_user` scope (the docs); without it: 403 `insufficient_scope`.
- `GET /projects/:id` describes a project the user is a member of (`api` or `read_api`).

Seed: `{"version": "17.0.0", "revoke_lag": 0, "tokens": [{"value", "account", "id"?,
"account_id"?, "name"?, "scopes"?, "expires_at"?, "bot"?: true}], "projects": [{"id",
"path_with_namespace", "members": [username, ...]}], "events": {username: [{"action_name"?,
"created_at" (ISO or "-2h"), "project_id", "target_type"?, "target_title"?, "push_data"?}]}}`.
A push event's `action_name` follows from `push_data.action` when it is left out (created →
"pushed new", removed → "deleted", pushed → "pushed to").
"""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from responder.sim.server import Fault, Request, Response, SimServer, iso, resolve_time
from responder.sim.tokens import SimToken, TokenBook, bearer

SELF_DELETE_SINCE = (15, 0)
SELF_GET_SINCE = (15, 5)  # by our reading of GitLab's docs; not confirmed
EVENT_SCOPES = frozenset({"api", "read_user"})  # doc/api/events.md: "read_user or api"
PROJECT_SCOPES = frozenset({"api", "read_api"})
# The `action` filter's values and the action_name each one shows (app/models/event.rb).
ACTION_OF_NAME = {
    "pushed to": "pushed", "pushed new": "pushed", "opened": "created", "created": "created",
    "imported": "created", "accepted": "merged", "closed": "closed", "reopened": "reopened",
    "updated": "updated", "destroyed": "destroyed", "commented on": "commented",
    "joined": "joined", "left": "left", "approved": "approved",
    "removed due to membership expiration from": "expired",
}
PUSH_ACTION_NAMES = {"created": "pushed new", "removed": "deleted", "pushed": "pushed to"}


class GitLabSimulator(SimServer):
    server_header = "nginx"
    api_path = "/api/v4"

    def __init__(self, book: TokenBook | None = None, version: str = "17.0.0",
                 now: datetime | None = None, projects: list[dict[str, Any]] | None = None,
                 events: dict[str, list[dict[str, Any]]] | None = None) -> None:
        super().__init__()
        self.tokens = book or TokenBook()
        self.version = _version(version)
        self._now = now
        self._user_ids: dict[str, int] = {}
        self.projects = {int(p["id"]): dict(p) for p in projects or []}
        self.events = self._seed_events(events or {})
        if self.version >= SELF_GET_SINCE:
            self.route("GET", "/api/v4/personal_access_tokens/self", self._token_self)
        if self.version >= SELF_DELETE_SINCE:
            self.route("DELETE", "/api/v4/personal_access_tokens/self", self._revoke_self)
        self.route("GET", "/api/v4/user", self._user)
        self.route("GET", "/api/v4/events", self._events)
        self.route("GET", "/api/v4/projects/{id}", self._project)

    @classmethod
    def from_seed(cls, seed: dict[str, Any], now: datetime | None = None) -> GitLabSimulator:
        tokens = [{"id": str(number), **item}
                  for number, item in enumerate(seed.get("tokens") or [], start=1)]
        book = TokenBook.from_seed({**seed, "tokens": tokens})
        return cls(book, version=str(seed.get("version", "17.0.0")), now=now,
                   projects=seed.get("projects"), events=seed.get("events"))

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
        return self._id_of(token.account)

    def _id_of(self, username: str) -> int:
        """The id of a user, also of one who has no token in the seed (an event's author)."""
        token = next((t for t in self.tokens.all() if t.account == username and t.account_id),
                     None)
        if token is not None:
            return self._user_id(token)
        with self.tokens.lock:
            return self._user_ids.setdefault(username, 100 + len(self._user_ids))

    def _scoped(self, token: SimToken, needed: frozenset[str]) -> bool:
        return not token.scopes or bool(needed & set(token.scopes))

    def _insufficient_scope(self, needed: frozenset[str]) -> Response:
        return Response(403, {"error": "insufficient_scope",
                              "error_description": "The request requires higher privileges "
                                                   "than provided by the access token.",
                              "scope": " ".join(sorted(needed))})

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


    # -- events ---------------------------------------------------------------------------------

    def _seed_events(self, seeded: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
        """The instance's events in GitLab's shape, oldest first, each with its `_action` (the
        filter value) and `_at` (a datetime) for the handler; both are removed on output."""
        events = []
        for username, items in seeded.items():
            for item in items or []:
                raw = dict(item)
                push = raw.get("push_data")
                name = raw.get("action_name") or (
                    PUSH_ACTION_NAMES.get(str(push.get("action", "pushed")), "pushed to")
                    if isinstance(push, dict) else "opened")
                at = resolve_time(raw.pop("created_at"), self.clock())
                author = str(raw.pop("author", username))
                event = {"id": 0, "project_id": raw.get("project_id"), "action_name": name,
                         "target_id": raw.get("target_id"), "target_iid": raw.get("target_iid"),
                         "target_type": raw.get("target_type"), "author_id": self._id_of(author),
                         "target_title": raw.get("target_title"),
                         "created_at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                         "author": {"id": self._id_of(author), "username": author,
                                    "name": author.title(), "state": "active",
                                    "web_url": f"https://gitlab.example.com/{author}"}}
                if isinstance(push, dict):
                    event["push_data"] = {"commit_count": 1, "action": "pushed",
                                          "ref_type": "branch", "commit_from": None,
                                          "commit_to": None, "ref": "main",
                                          "commit_title": None, "ref_count": None, **push}
                event["author_username"] = author
                event["_action"] = raw.get("action") or ACTION_OF_NAME.get(name, name)
                event["_at"] = at
                events.append(event)
        events.sort(key=lambda e: e["_at"])
        for number, event in enumerate(events, start=1):
            event["id"] = number
        return events

    def _member_projects(self, username: str) -> set[int]:
        return {pid for pid, p in self.projects.items() if username in (p.get("members") or [])}

    def _events(self, request: Request) -> Response:
        token: SimToken = request.context["token"]
        if not self._scoped(token, EVENT_SCOPES):
            return self._insufficient_scope(EVENT_SCOPES)
        try:
            after, before = _date(request.arg("after")), _date(request.arg("before"))
            page = max(1, int(request.arg("page") or 1))
            per_page = min(100, max(1, int(request.arg("per_page") or 20)))
        except ValueError as error:
            return Response(400, {"error": str(error)})
        sort = request.arg("sort") or "desc"
        if sort not in ("asc", "desc"):
            return Response(400, {"error": "sort does not have a valid value"})
        user = token.account
        mine = self._member_projects(user) if request.arg("scope") == "all" else set()
        action, target = request.arg("action"), request.arg("target_type")
        chosen = [
            e for e in self.events
            if (e["author_username"] == user or e["project_id"] in mine)
            and (after is None or e["_at"].date() > after)
            and (before is None or e["_at"].date() < before)
            and (action is None or e["_action"] == action)
            and (target is None or _snake(e["target_type"]) == target)
        ]
        if sort == "desc":
            chosen.reverse()
        total = len(chosen)
        pages = max(1, -(-total // per_page))
        body = [{k: v for k, v in e.items() if not k.startswith("_")}
                for e in chosen[(page - 1) * per_page: page * per_page]]
        return Response(200, body, headers=self._pagination(request, page, per_page, total,
                                                            pages))

    def _pagination(self, request: Request, page: int, per_page: int, total: int,
                    pages: int) -> dict[str, str]:
        """GitLab's offset-pagination headers: x-next-page and x-prev-page are empty strings
        on the last and the first page; Link carries full URLs with the query."""
        query = {k: v[0] for k, v in request.query.items() if k not in ("page", "per_page")}

        def url(number: int) -> str:
            params = urlencode({**query, "page": number, "per_page": per_page})
            return f"{self.base_url}{request.path}?{params}"

        links = []
        if page > 1:
            links.append(f'<{url(page - 1)}>; rel="prev"')
        if page < pages:
            links.append(f'<{url(page + 1)}>; rel="next"')
        links += [f'<{url(1)}>; rel="first"', f'<{url(pages)}>; rel="last"']
        return {"x-page": str(page), "x-per-page": str(per_page), "x-total": str(total),
                "x-total-pages": str(pages),
                "x-next-page": str(page + 1) if page < pages else "",
                "x-prev-page": str(page - 1) if page > 1 else "", "link": ", ".join(links)}

    def _project(self, request: Request) -> Response:
        token: SimToken = request.context["token"]
        if not self._scoped(token, PROJECT_SCOPES):
            return self._insufficient_scope(PROJECT_SCOPES)
        key = request.params["id"]
        project = self.projects.get(int(key)) if key.isdigit() else None
        if project is None or token.account not in (project.get("members") or []):
            return Response(404, {"message": "404 Project Not Found"})
        path = str(project["path_with_namespace"])
        return Response(200, {"id": int(key), "name": path.rsplit("/", 1)[-1],
                              "path_with_namespace": path,
                              "web_url": f"https://gitlab.example.com/{path}",
                              "visibility": project.get("visibility", "private")})


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("after or before is invalid (YYYY-MM-DD)") from None


def _snake(value: Any) -> str | None:
    """`MergeRequest` → `merge_request`: the target_type filter is lower snake case."""
    if not value:
        return None
    text = str(value)
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower()
                   for i, c in enumerate(text))


def _version(text: str) -> tuple[int, int]:
    parts = (text.split(".") + ["0", "0"])[:2]
    return int(parts[0]), int(parts[1])


def _phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
