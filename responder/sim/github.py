"""A stateful api.github.com simulator for tests and ``responder drill``.

It keeps GitHub's observable semantics where they matter to an incident responder: which token
may read what, what ``/credentials/revoke`` accepts and tells you (nothing per token), the
unauthenticated 60-per-hour budget, the secondary limit on concurrent requests, private events
visible only to their owner, admin-only repository settings, and a configurable lag before a
revoked token stops working. Commits and comparisons (github_git), transferred repositories
(github_redirects), organizations and installations (github_orgs) and the GHEC audit log
(github_audit) live in their own modules.
"""

from __future__ import annotations

import base64
import binascii
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlencode

from responder.sim import (
    github_apps,
    github_audit,
    github_git,
    github_orgs,
    github_redirects,
    github_security,
)
from responder.sim import github_objects as obj
from responder.sim.github_limits import InFlight
from responder.sim.github_state import (
    DOCS,
    REVOCABLE_BY_VALUE,
    SCOPED_KINDS,
    GitHubState,
    RateBucket,
    Repo,
    Token,
    User,
)
from responder.sim.server import Fault, Request, Response, Route, SimServer, phrase


@dataclass
class Caller:
    token: Token | None = None
    user: User | None = None

    @property
    def login(self) -> str | None:
        return self.user.login if self.user else None

    @property
    def bucket_key(self) -> str:
        if self.token is None:
            return "anonymous"  # GitHub counts these per IP; the simulator has one client IP
        if self.token.kind == "app_installation":
            return f"installation:{self.token.value}"
        return f"user:{self.token.login.lower()}"


_error = obj.error  # github_enterprise imports it under this name


_REVOKE_DOC = f"{DOCS}/credentials/revoke#revoke-a-list-of-credentials"
_NO_USER_AGENT = (
    "Request forbidden by administrative rules. Please make sure your request has a User-Agent "
    "header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required)."
)
_NOT_FOR_INTEGRATIONS = "Resource not accessible by integration"
_INSTALLATION_ONLY = (
    "You must authenticate with an installation access token in order to use this endpoint."
)
_SECONDARY_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
_SECONDARY_DOC = (
    f"{DOCS}/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits"
)
_DEFAULT_MESSAGES = {
    401: "Bad credentials",
    404: "Not Found",
    422: "Validation Failed",
    500: "Server Error",
}


class GitHubSimulator(SimServer):
    """api.github.com on 127.0.0.1. Route options: ``auth`` (required / forbidden), ``users_only``
    (refused to installation tokens), ``scopes`` (classic scopes that may read it; a token without
    any gets ``scope_error``, 404 by default, unless ``handler_checks_scopes``), ``counted``,
    ``greedy`` (the last path parameter may contain slashes, like a branch name)."""

    server_header = "github.com"

    def __init__(self, state: GitHubState | None = None) -> None:
        super().__init__()
        self.state = state or GitHubState()
        self.in_flight = InFlight()
        route = self.route
        route("GET", "/user", self._get_user, auth="required", users_only=True)
        route("GET", "/users/{username}", self._get_named_user)
        route("GET", "/users/{username}/events", self._user_events)
        route("GET", "/users/{username}/events/public", self._user_events, public_only=True)
        for attr, scope in _USER_KEY_LISTS.items():
            route(
                "GET",
                f"/user/{attr}",
                self._own_keys,
                auth="required",
                users_only=True,
                scopes=(f"admin:{scope}", f"read:{scope}", f"write:{scope}"),
                attr=attr,
            )
        route("GET", "/user/repos", self._user_repos, auth="required", users_only=True)
        route("GET", "/repos/{owner}/{repo}", self._get_repo)
        for attr, need in _REPO_LISTS.items():
            route(
                "GET",
                f"/repos/{{owner}}/{{repo}}/{attr}",
                self._repo_list,
                auth="required",
                need=need,
                attr=attr,
            )
        route("POST", "/credentials/revoke", self._credentials_revoke, auth="forbidden")
        route("DELETE", "/installation/token", self._delete_installation_token, auth="required")
        route("GET", "/installation/repositories", self._installation_repos, auth="required")
        route("GET", "/rate_limit", self._rate_limit, counted=False)
        for module in (github_apps, github_git, github_orgs, github_audit, github_security):
            module.register(self)
        github_redirects.register_by_id(self)  # last: it mirrors every /repos/{o}/{r} route

    @classmethod
    def from_seed(cls, seed: dict[str, Any], now: datetime | None = None) -> GitHubSimulator:
        sim = cls(GitHubState.from_seed(seed, now))
        sim.revoke_lag = int(seed.get("revoke_lag", 0))
        if "max_concurrent" in seed:
            sim.max_concurrent = int(seed["max_concurrent"])
        return sim

    @property
    def max_concurrent(self) -> int:
        """Requests answered at once before the secondary rate limit refuses more."""
        return self.in_flight.max_concurrent

    @max_concurrent.setter
    def max_concurrent(self, value: int) -> None:
        self.in_flight.max_concurrent = value

    @property
    def peak_in_flight(self) -> int:
        return self.in_flight.peak

    @property
    def revoke_lag(self) -> int:
        return self.state.revoke_lag

    @revoke_lag.setter
    def revoke_lag(self, value: int) -> None:
        self.state.revoke_lag = value

    # hooks of SimServer

    def clock(self) -> datetime:
        return self.state.now

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        local = path.removeprefix(self.api_path) if self.api_path else path
        redirect = github_redirects.moved(self, method, local)
        if redirect is not None:
            return redirect
        found = super().match(method, path)
        if found is not None:
            return found
        lookup = "GET" if method == "HEAD" else method
        for route in self.routes:  # a branch name with slashes in the last parameter
            if route.options.get("greedy") and route.method == lookup:
                greedy = _greedy_pattern(route.pattern).match(path)
                if greedy:
                    return route, {k: unquote(v) for k, v in greedy.groupdict().items()}
        return None

    def _respond(self, request: Request) -> Response:
        # The in-flight window includes the simulated latency, as the wire time would.
        if not self.in_flight.enter():
            if self.latency > 0:
                time.sleep(self.latency)
            refused = _error(403, _SECONDARY_LIMIT, _SECONDARY_DOC)
            refused.headers["retry-after"] = "1"
            return refused
        try:
            return super()._respond(request)
        finally:
            self.in_flight.leave()

    def dispatch(self, request: Request, route: Route) -> Response:
        with self.state.lock:
            return self._guard(request, route.options) or route.handler(request)

    def error_response(
        self, status: int, message: str | None = None, fault: Fault | None = None
    ) -> Response:
        if message is None:
            secondary = status == 429 or (status == 403 and fault and fault.retry_after is not None)
            message = _SECONDARY_LIMIT if secondary else _DEFAULT_MESSAGES.get(status)
        return _error(status, message or phrase(status))

    def finalize(self, request: Request, response: Response) -> None:
        with self.state.lock:
            caller = request.context.get("caller")
            if caller is None:  # a fault or an unknown route: look at the token, never count
                caller = self._authenticate(request.headers.get("authorization"), consume=False)
            caller = caller or Caller()
            response.headers.update(self._bucket(caller).headers())
        token = caller.token
        if token is not None and token.kind in SCOPED_KINDS:
            scopes = request.route.options.get("scopes", ()) if request.route else ()
            response.headers["x-oauth-scopes"] = ", ".join(token.scopes)
            response.headers["x-accepted-oauth-scopes"] = ", ".join(sorted(scopes))
        if token is not None and token.expiration_header:
            response.headers["github-authentication-token-expiration"] = token.expiration_header
        response.headers.setdefault("x-github-api-version-selected", "2022-11-28")
        response.headers.setdefault("x-github-media-type", "github.v3; format=json")
        response.headers["x-github-request-id"] = _request_id(self.rng)

    # authentication and rate limits

    def _guard(self, request: Request, options: Mapping[str, Any]) -> Response | None:
        if not request.headers.get("user-agent"):
            return _error(403, _NO_USER_AGENT)
        if "authorization" in request.headers and options.get("auth") == "forbidden":
            return _error(
                403, "Authenticated requests are not accepted by this endpoint.", _REVOKE_DOC
            )
        if options.get("auth") == "app":  # HTTP Basic with an app's client id and secret
            return github_apps.guard(self.state, request)
        caller = self._authenticate(request.headers.get("authorization"), consume=True)
        if caller is None:
            return _error(401, "Bad credentials")
        request.context["caller"] = caller
        token = caller.token
        if token is None and options.get("auth") == "required":
            return _error(401, "Requires authentication")
        if token and token.kind == "app_installation" and options.get("users_only"):
            return _error(403, _NOT_FOR_INTEGRATIONS)
        scopes = options.get("scopes")
        if scopes and not options.get("handler_checks_scopes") and self.lacks_scope(caller, scopes):
            # GitHub mostly hides what a token's scopes do not cover; some routes say why.
            return _error(*options.get("scope_error", (404, "Not Found")))
        if options.get("counted", True):
            bucket = self._bucket(caller)
            if bucket.used >= bucket.limit:
                return _error(
                    403,
                    _rate_limit_message(caller),
                    f"{DOCS}/using-the-rest-api/rate-limits-for-the-rest-api",
                )
            bucket.used += 1
        return None

    def _authenticate(self, header: str | None, consume: bool) -> Caller | None:
        """The caller behind an Authorization header; None means 401 Bad credentials."""
        if header is None:
            return Caller()
        value = _token_from_header(header)
        token = self.state.tokens.get(value) if value else None
        # Refresh tokens are only good for the OAuth token exchange, never as API credentials.
        if token is None or token.kind == "app_refresh" or self.state.is_expired(token):
            return None
        if token.revoked_at is not None:
            # Revocation takes a while to reach every GitHub front end; revoke_lag models that.
            if token.uses_after_revoke >= self.state.revoke_lag:
                return None
            if consume:
                token.uses_after_revoke += 1
        return Caller(token, self.state.user(token.login))

    @staticmethod
    def lacks_scope(caller: Caller, scopes: Iterable[str]) -> bool:
        """A classic or OAuth token granted none of these scopes; other kinds have no scopes."""
        token = caller.token
        return bool(token and token.kind in SCOPED_KINDS and not set(scopes) & set(token.scopes))

    def _bucket(self, caller: Caller) -> RateBucket:
        state = self.state
        limit = state.authenticated_limit if caller.token else state.unauthenticated_limit
        return state.bucket(caller.bucket_key, limit)

    # handlers

    def _get_user(self, request: Request) -> Response:
        caller: Caller = request.context["caller"]
        assert caller.user is not None and caller.token is not None
        # Classic and OAuth tokens see private profile fields only with a user scope.
        token = caller.token
        private = token.kind not in SCOPED_KINDS or bool({"user", "read:user"} & set(token.scopes))
        build = obj.private_user if private else obj.public_user
        return Response(200, build(self.base_url, caller.user, self.state))

    def _get_named_user(self, request: Request) -> Response:
        user = self.state.user(request.params["username"])
        if user is None:
            return _error(404, "Not Found")
        return Response(200, obj.public_user(self.base_url, user, self.state))

    def _user_events(self, request: Request) -> Response:
        user = self.state.user(request.params["username"])
        if user is None:
            return _error(404, "Not Found")
        caller: Caller = request.context["caller"]
        assert request.route is not None
        own = (
            not request.route.options.get("public_only")
            and caller.user is user
            and caller.token is not None
            and caller.token.kind != "app_installation"
        )
        oldest = self.state.now - self.state.events_window
        events = sorted(
            (e for e in user.events if (own or e["public"]) and e["created_at"] >= oldest),
            key=lambda e: (e["created_at"], str(e["id"])),
            reverse=True,
        )[: self.state.events_cap]
        return self.paginate(request, events, lambda e: obj.event(self.base_url, e, self.state))

    def _own_keys(self, request: Request) -> Response:
        user = request.context["caller"].user
        assert request.route is not None and user is not None
        attr = request.route.options["attr"]
        build: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "keys": lambda key: obj.ssh_key(self.base_url, key),
            "gpg_keys": lambda key: obj.gpg_key(key, user),
            "ssh_signing_keys": obj.ssh_signing_key,
        }
        return self.paginate(request, getattr(user, attr), build[attr])

    def _user_repos(self, request: Request) -> Response:
        login = request.context["caller"].login
        visibility, affiliation, kind = (
            request.arg(name) for name in ("visibility", "affiliation", "type")
        )
        if kind is not None and (visibility is not None or affiliation is not None):
            return _error(
                422,
                "Validation Failed",
                errors=[{"resource": "Repository", "code": "invalid", "field": "type"}],
            )
        wanted = set((affiliation or "owner,collaborator,organization_member").split(","))
        if kind in ("owner", "member"):
            wanted = {"owner"} if kind == "owner" else {"collaborator", "organization_member"}
        visibility = kind if kind in ("public", "private") else visibility or "all"
        sort = request.arg("sort", "full_name")
        direction = request.arg("direction", "asc" if sort == "full_name" else "desc")
        if sort not in _REPO_SORTS or direction not in ("asc", "desc"):
            return _error(
                422,
                "Validation Failed",
                errors=[{"resource": "Repository", "code": "invalid", "field": "sort"}],
            )
        repos = []
        for repo in self.state.repos.values():
            role = repo.role(login)
            relation = (
                "owner"
                if repo.owner.lower() == login.lower()
                else ("collaborator" if role else None)
            )
            if relation in wanted and visibility in ("all", repo.visibility):
                repos.append((repo, role))
        repos.sort(key=lambda pair: _REPO_SORTS[sort](pair[0]), reverse=direction == "desc")
        return self.paginate(
            request,
            repos,
            lambda pair: obj.repository(
                self.base_url, pair[0], self.state, pair[1], authenticated=True
            ),
        )

    def visible_repo(self, request: Request) -> tuple[Repo | None, str | None]:
        caller: Caller = request.context["caller"]
        repo = self.state.repo(request.params["owner"], request.params["repo"])
        role = repo.role(caller.login) if repo else None
        if repo is None or (repo.private and role is None):
            return None, None
        token = caller.token
        if repo.private and token and token.kind in SCOPED_KINDS and "repo" not in token.scopes:
            return None, None  # a classic token without the repo scope cannot see private repos
        return repo, role or ("pull" if token else None)

    def _get_repo(self, request: Request) -> Response:
        repo, role = self.visible_repo(request)
        if repo is None:
            return _error(404, "Not Found")
        authenticated = request.context["caller"].token is not None
        return Response(200, obj.repository(self.base_url, repo, self.state, role, authenticated))

    def _repo_list(self, request: Request) -> Response:
        assert request.route is not None
        attr, need = request.route.options["attr"], request.route.options["need"]
        repo, role = self.visible_repo(request)
        if repo is None:
            return _error(404, "Not Found")
        levels = obj.PERMISSION_LEVELS
        if role is None or levels.index(role) < levels.index(need):
            return _error(
                403,
                "Must have admin rights to Repository."
                if need == "admin"
                else "Must have push access to view repository collaborators.",
            )
        base, state = self.base_url, self.state
        if attr == "collaborators":
            people = [(repo.owner, "admin")] if state.identity(repo.owner)[1] == "User" else []
            people += [
                (state.display_login(login), level)
                for login, level in repo.roles.items()
                if login != repo.owner.lower()
            ]
            return self.paginate(
                request, people, lambda pair: obj.collaborator(base, pair[0], pair[1], state)
            )
        lists: dict[str, tuple[list[dict[str, Any]], Callable[[dict[str, Any]], Any]]] = {
            "hooks": (repo.hooks, lambda item: obj.hook(base, repo, item)),
            "keys": (repo.deploy_keys, lambda item: obj.deploy_key(base, repo, item)),
            "invitations": (repo.invitations, lambda item: obj.invitation(base, repo, item, state)),
        }
        items, build = lists[attr]
        return self.paginate(request, items, build)

    def _credentials_revoke(self, request: Request) -> Response:
        if request.body and request.json is None:
            return _error(400, "Problems parsing JSON", _REVOKE_DOC)
        problems = _revoke_body_problems(request.json)
        if problems:
            return _error(422, "Validation failed", _REVOKE_DOC, errors=problems)
        for value in request.json["credentials"]:
            token = self.state.tokens.get(value)
            if token is not None and token.kind in REVOCABLE_BY_VALUE:
                self.state.revoke(value, "POST /credentials/revoke")
        # GitHub never says which strings were tokens or whether anything was revoked.
        return Response(202, {})

    def _delete_installation_token(self, request: Request) -> Response:
        token = request.context["caller"].token
        if token.kind != "app_installation":
            return _error(403, _INSTALLATION_ONLY)
        self.state.revoke(token.value, "DELETE /installation/token")
        return Response(204)

    def _installation_repos(self, request: Request) -> Response:
        caller: Caller = request.context["caller"]
        if caller.token is None or caller.token.kind != "app_installation":
            return _error(403, _INSTALLATION_ONLY)
        repos = [
            (repo, repo.role(caller.login))
            for repo in self.state.repos.values()
            if repo.role(caller.login)
        ]
        return self.paginate(
            request,
            repos,
            lambda pair: obj.repository(self.base_url, pair[0], self.state, pair[1], True),
            wrap=lambda page, total: {
                "total_count": total,
                "repository_selection": "selected",
                "repositories": page,
            },
        )

    def _rate_limit(self, request: Request) -> Response:
        caller: Caller = request.context["caller"]
        bucket = self._bucket(caller)
        core = {
            "limit": bucket.limit,
            "used": bucket.used,
            "remaining": bucket.remaining,
            "reset": int(bucket.reset.timestamp()),
        }
        return Response(200, obj.rate_limit_overview(core, caller.token is not None))

    def paginate(
        self,
        request: Request,
        items: list[Any],
        build: Callable[[Any], Any],
        wrap: Callable[[list[Any], int], Any] | None = None,
    ) -> Response:
        page, per_page = self.page_args(request)
        last = max((len(items) + per_page - 1) // per_page, 1)
        chunk = [build(item) for item in items[(page - 1) * per_page : page * per_page]]
        body = wrap(chunk, len(items)) if wrap else chunk
        link = self.link_header(request, page, last)
        return Response(200, body, {"link": link} if link else {})

    @staticmethod
    def page_args(request: Request) -> tuple[int, int]:
        """page (from 1) and per_page (1 to 100, 30 by default), as GitHub reads them."""
        per_page = min(max(_int(request.arg("per_page"), 30), 1), 100)
        return max(_int(request.arg("page"), 1), 1), per_page

    def link_header(self, request: Request, page: int, last: int) -> str:
        return _link_header(self.base_url + request.path, request.query, page, last)


_USER_KEY_LISTS = {
    "keys": "public_key",
    "gpg_keys": "gpg_key",
    "ssh_signing_keys": "ssh_signing_key",
}
_REPO_LISTS = {"hooks": "admin", "keys": "admin", "invitations": "admin", "collaborators": "push"}
_REPO_SORTS: dict[str, Callable[[Repo], Any]] = {
    "full_name": lambda repo: repo.full_name.lower(),
    "created": lambda repo: repo.created_at,
    "updated": lambda repo: repo.updated_at,
    "pushed": lambda repo: repo.pushed_at,
}


def _rate_limit_message(caller: Caller) -> str:
    if caller.token is None:
        return (
            "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated "
            "requests get a higher rate limit. Check out the documentation for more details.)"
        )
    if caller.user is not None:
        return f"API rate limit exceeded for user ID {caller.user.id}."
    return "API rate limit exceeded for installation."


def _token_from_header(header: str) -> str | None:
    scheme, _, credential = header.strip().partition(" ")
    scheme = scheme.lower()
    if scheme in ("token", "bearer"):
        return credential.strip() or None
    if scheme == "basic":
        # Git and some tools send the token as the Basic password with any username.
        try:
            decoded = base64.b64decode(credential.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def _revoke_body_problems(body: Any) -> list[str]:
    if not isinstance(body, dict) or "credentials" not in body:
        return ["credentials is missing"]
    credentials = body["credentials"]
    if not isinstance(credentials, list):
        return ["credentials is not an array"]
    if not 1 <= len(credentials) <= 1000:
        return ["credentials must contain between 1 and 1000 items"]
    if not all(isinstance(item, str) for item in credentials):
        return ["credentials items must be strings"]
    return []


def _link_header(url: str, query: dict[str, list[str]], page: int, last: int) -> str:
    def link(number: int, rel: str) -> str:
        params = {key: values for key, values in query.items() if key != "page"}
        params["page"] = [str(number)]
        return f'<{url}?{urlencode(params, doseq=True)}>; rel="{rel}"'

    links = [link(min(page - 1, last), "prev")] if page > 1 else []
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    if page > 1:
        links.append(link(1, "first"))
    return ", ".join(links)


def _greedy_pattern(pattern: re.Pattern[str]) -> re.Pattern[str]:
    # The last "[^/]+" group of a compiled template, allowed to span slashes.
    head, _, tail = pattern.pattern.rpartition("[^/]+)")
    return re.compile(f"{head}.+){tail}")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _request_id(rng: random.Random) -> str:
    raw = f"{rng.getrandbits(128):032X}"
    return f"{raw[:4]}:{raw[4:9]}:{raw[9:16]}:{raw[16:23]}:{raw[23:31]}"
