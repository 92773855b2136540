"""`GET /orgs/{org}/audit-log` of GitHub Enterprise Cloud, over an organization's seeded entries.

Who may read it, in GitHub's order: an unknown organization, or one not on GHEC (`ghec: false`),
answers 404 "Not Found"; a caller who is not an owner, or a classic/OAuth token with neither
`read:audit_log` nor `admin:org`, answers 403 (the messages are UNCONFIRMED).

Query: `phrase` holds space-separated qualifiers, each optionally negated with `-`:
`hashed_token:"VALUE"` (compared with base64(sha256(token)) in the org's `hash_form`, so only the
form the org writes matches), `created:` with `>=`, `>`, `<=`, `<`, a bare day or `A..B`, days or
ISO-8601 times, `action:` (a name, a category like `repo`, or a `*` pattern), and any other field
of the entries by equality (`actor:`, `repo:`, `user:`, `operation_type:`...). A bare word, an
unbalanced quote or a bad time answers 400 "The supplied query is invalid". Without `created:`
only the past three months are searched; Git events (`git.*`) are kept for seven days and are
listed only with `include=git` or `include=all` (default `web`). `order` is `desc` (default) or
`asc`; `per_page` 30 by default, at most 100; cursor pages through `after`/`before`, whose values
come from the `Link` header (`rel="next"` carries `after=CURSOR&before=`, `rel="prev"` and
`rel="first"` appear once there is a previous page).

Entries carry `@timestamp` and `created_at` in epoch milliseconds, `_document_id`,
`org`/`org_id`, `actor_id`, `operation_type`, and for seeded tokens `hashed_token`, `token_id`,
`programmatic_access_type`; a raw token is never shown. Seeded extra fields pass through as
they are.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import hashlib
import shlex
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from responder.sim import github_objects as obj
from responder.sim.github_state import token_kind
from responder.sim.server import Request, Response

if TYPE_CHECKING:
    from responder.sim.github import Caller, GitHubSimulator
    from responder.sim.github_state import GitHubState, Org

SCOPES = ("admin:org", "read:audit_log")
_DOC = (
    "https://docs.github.com/enterprise-cloud@latest/rest/orgs/orgs"
    "#get-the-audit-log-for-an-organization"
)
_NOT_OWNER = "Must be an organization owner to read the audit log."  # UNCONFIRMED wording
_NO_SCOPE = "This endpoint needs the read:audit_log scope."  # UNCONFIRMED wording
_INVALID = "The supplied query is invalid"
_WINDOW = timedelta(days=90)
_GIT_WINDOW = timedelta(days=7)

# How the audit log names the kind of credential behind an event (UNCONFIRMED wording).
ACCESS_TYPES = {
    "classic_pat": "Personal access token (classic)",
    "fine_grained_pat": "Fine-grained personal access token",
    "oauth": "OAuth access token",
    "app_user": "GitHub App user-to-server token",
    "app_installation": "GitHub App server-to-server token",
}
_OPERATION_TYPES = (
    (("create", "add", "added", "invite", "enable", "import"), "create"),
    (("destroy", "delete", "remove", "removed", "revoke", "disable"), "remove"),
    (("clone", "fetch", "download", "access"), "access"),
    (("login", "logout", "oauth_authorization"), "authentication"),
)


class InvalidQuery(ValueError):
    pass


def register(sim: GitHubSimulator) -> None:
    sim.route("GET", "/orgs/{org}/audit-log", lambda r: audit_log(sim, r), auth="required",
              scopes=SCOPES, handler_checks_scopes=True)


def hashed_token(value: str, form: str) -> str:
    """base64(sha256(token)): 44 characters padded, 43 unpadded (the form an org's log uses)."""
    digest = base64.b64encode(hashlib.sha256(value.encode()).digest()).decode()
    return digest if form == "padded" else digest.rstrip("=")


def audit_log(sim: GitHubSimulator, request: Request) -> Response:
    caller: Caller = request.context["caller"]
    org = sim.state.org(request.params["org"])
    if org is None or not org.ghec:
        return obj.error(404, "Not Found", _DOC)
    if not org.is_owner(caller.login):
        return obj.error(403, _NOT_OWNER, _DOC)
    if sim.lacks_scope(caller, SCOPES):
        return obj.error(403, _NO_SCOPE, _DOC)
    try:
        matches = _matcher(request.arg("phrase") or "", sim.state.now)
        after, before = (_cursor(request.arg(name)) for name in ("after", "before"))
    except InvalidQuery:
        return obj.error(400, _INVALID, _DOC)
    include = request.arg("include") or "web"
    wanted = {"git": (True,), "all": (True, False)}.get(include, (False,))
    events = [
        event for event in (audit_event(org, item, sim.state) for item in org.audit_log)
        if event["action"].startswith("git.") in wanted and matches(event)
        and not _expired(event, sim.state.now)
    ]
    ascending = (request.arg("order") or "desc").lower() == "asc"
    events.sort(key=_position, reverse=not ascending)
    _, per_page = sim.page_args(request)
    page, has_prev, has_next = _slice(events, after, before, per_page, ascending)
    return Response(200, page, _links(sim, request, page, has_prev, has_next))


def audit_event(org: Org, item: dict[str, Any], state: GitHubState) -> dict[str, Any]:
    """One audit-log entry: times in epoch milliseconds, the token only as its hash."""
    moment = _millis(item["created_at"])
    seeded = {k: v for k, v in item.items() if k not in ("token", "created_at")}
    body: dict[str, Any] = {"@timestamp": moment, "created_at": moment, "org": org.login,
                            "org_id": org.id}
    for field in ("actor", "user"):
        if item.get(field):
            body[f"{field}_id"] = state.identity(str(item[field]))[0]
    repo = state.repo_named(str(item["repo"])) if item.get("repo") else None
    if repo is not None:
        body["repo_id"] = repo.id
    verb = str(item["action"]).rsplit(".", 1)[-1]
    body["operation_type"] = next(
        (kind for verbs, kind in _OPERATION_TYPES if verb in verbs), "modify"
    )
    token = str(item.get("token") or "")
    if token:
        body["hashed_token"] = hashed_token(token, org.hash_form)
        body["token_id"] = obj.number_for("token", token)
        kind = token_kind(token)
        if kind in ACCESS_TYPES:
            body["programmatic_access_type"] = ACCESS_TYPES[kind]
        seeded_token = state.tokens.get(token)
        if seeded_token is not None and seeded_token.scopes:
            body["token_scopes"] = ",".join(seeded_token.scopes)
    return {**body, **seeded}


# searching


def _matcher(phrase: str, now: datetime) -> Callable[[dict[str, Any]], bool]:
    try:
        words = shlex.split(phrase)
    except ValueError as problem:
        raise InvalidQuery(phrase) from problem
    tests: list[tuple[bool, Callable[[dict[str, Any]], bool]]] = []
    dated = False
    for word in words:
        negated = word.startswith("-")
        key, colon, value = word.removeprefix("-").partition(":")
        if not colon or not key or not value:
            raise InvalidQuery(word)  # free text is not something the simulator searches
        if key == "created":
            dated = True
        tests.append((negated, _qualifier(key, value)))
    if not dated:
        oldest = _millis(now - _WINDOW)
        tests.append((False, lambda event: event["created_at"] >= oldest))
    return lambda event: all(test(event) != negated for negated, test in tests)


def _qualifier(key: str, value: str) -> Callable[[dict[str, Any]], bool]:
    if key == "created":
        low, high = _time_range(value)
        return lambda event: low <= event["created_at"] < high
    if key == "hashed_token":
        return lambda event: event.get("hashed_token") == value
    if key == "action":
        return lambda event: (event["action"] == value or event["action"].startswith(value + ".")
                              or fnmatch.fnmatchcase(event["action"], value))
    wanted = value.lower()
    return lambda event: str(event.get(key, "")).lower() == wanted


def _time_range(value: str) -> tuple[int, int]:
    """[low, high) in epoch milliseconds for a created: qualifier."""
    never, forever = 0, 2**62
    try:
        if ".." in value:
            start, _, end = value.partition("..")
            return (never if start == "*" else _moment(start)[0],
                    forever if end == "*" else _moment(end)[1])
        for operator in (">=", "<=", ">", "<"):
            if value.startswith(operator):
                first, past = _moment(value.removeprefix(operator))
                return {">=": (first, forever), ">": (past, forever),
                        "<=": (never, past), "<": (never, first)}[operator]
        return _moment(value)
    except (ValueError, TypeError) as problem:
        raise InvalidQuery(value) from problem


def _moment(text: str) -> tuple[int, int]:
    """A day covers the whole day; a time is a single millisecond."""
    start = datetime.fromisoformat(text.replace("Z", "+00:00"))
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    if len(text) == 10:
        return _millis(start), _millis(start + timedelta(days=1))
    return _millis(start), _millis(start) + 1


def _expired(event: dict[str, Any], now: datetime) -> bool:
    return event["action"].startswith("git.") and event["created_at"] < _millis(now - _GIT_WINDOW)


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


# cursor pages


def _position(event: dict[str, Any]) -> tuple[int, str]:
    return event["created_at"], str(event["_document_id"])


def _cursor(value: str | None) -> tuple[int, str] | None:
    if not value:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        millis, _, document = raw.partition("|")
        return int(millis), document
    except (binascii.Error, UnicodeDecodeError, ValueError) as problem:
        raise InvalidQuery(value) from problem


def _encode(event: dict[str, Any]) -> str:
    millis, document = _position(event)
    return base64.urlsafe_b64encode(f"{millis}|{document}".encode()).decode().rstrip("=")


def _slice(
    events: list[dict[str, Any]],
    after: tuple[int, str] | None,
    before: tuple[int, str] | None,
    per_page: int,
    ascending: bool,
) -> tuple[list[dict[str, Any]], bool, bool]:
    """The page after (or before) a cursor, and whether pages exist before and after it."""
    def later(event: dict[str, Any], cursor: tuple[int, str]) -> bool:  # in listing order
        return _position(event) > cursor if ascending else _position(event) < cursor

    if after is not None:
        start = next((i for i, e in enumerate(events) if later(e, after)), len(events))
        end = start + per_page
    elif before is not None:
        end = next((i for i, e in enumerate(events)
                    if later(e, before) or _position(e) == before), len(events))
        start = max(end - per_page, 0)
    else:
        start, end = 0, per_page
    return events[start:end], start > 0, end < len(events)


def _links(
    sim: GitHubSimulator,
    request: Request,
    page: list[dict[str, Any]],
    has_prev: bool,
    has_next: bool,
) -> dict[str, str]:
    kept = {k: v for k, v in request.query.items() if k not in ("after", "before", "page")}
    url = sim.base_url + request.path

    def link(after: str, before: str, rel: str) -> str:
        query = urlencode({**kept, "after": [after], "before": [before]}, doseq=True)
        return f'<{url}?{query}>; rel="{rel}"'

    links = [link(_encode(page[-1]), "", "next")] if has_next and page else []
    if has_prev and page:
        links += [link("", "", "first"), link("", _encode(page[0]), "prev")]
    return {"link": ", ".join(links)} if links else {}
