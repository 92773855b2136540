"""Transferred and renamed repositories, and repositories addressed by id.

A repository seeded with `moved_to` lives under its new name. Any request under its former name
(`/repos/{old-owner}/{old-name}...`) answers **301 Moved Permanently** (307 for other methods
than GET/HEAD) with `Location: <base>/repositories/{id}<rest of the path>?<query>` and the body
`{"message", "url", "documentation_url"}`, after the usual authentication and only to callers who
can see the repository (404 otherwise). Every `/repos/{owner}/{repo}/...` route is also served
as `/repositories/{id}/...`, which is where the redirect points.

PyGithub 2.x's requester follows a 301 by itself: it re-sends the same method, headers and body to
the Location's *path only* (the query is dropped), and raises RuntimeError when the Location's
scheme or host differ from its base URL or the path is the one it asked for. It does not follow
307 (or 302 unless asked to).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from responder.sim import github_objects as obj
from responder.sim.server import Handler, Request, Response, Route, compile_template

if TYPE_CHECKING:
    from responder.sim.github import GitHubSimulator

_REPO_PATH = re.compile(r"^/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)(?P<rest>/.*)?$")
_REDIRECT_DOC = f"{obj.DOCS}/guides/best-practices-for-using-the-rest-api#follow-redirects"
_PREFIX = "/repos/{owner}/{repo}"


def moved(sim: GitHubSimulator, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """A route answering with the redirect, when the path names a repository's former name."""
    found = _REPO_PATH.match(path)
    if found is None or sim.state.moved_repo(found["owner"], found["repo"]) is None:
        return None
    route = Route(method, f"{_PREFIX}/*", lambda r: _redirect(sim, r),
                  compile_template(_PREFIX), {})
    return route, {key: value or "" for key, value in found.groupdict().items()}


def register_by_id(sim: GitHubSimulator) -> None:
    """Serve every /repos/{owner}/{repo} route under /repositories/{id} as well."""
    for route in list(sim.routes):
        template = route.template.removeprefix(sim.api_path)
        if template.startswith(_PREFIX):
            suffix = template.removeprefix(_PREFIX)
            sim.route(route.method, "/repositories/{id}" + suffix,
                      _by_id(sim, route.handler), **route.options)


def _by_id(sim: GitHubSimulator, handler: Handler) -> Handler:
    def serve(request: Request) -> Response:
        number = request.params.pop("id")
        repo = sim.state.repo_by_id(int(number)) if number.isdigit() else None
        if repo is None:
            return obj.error(404, "Not Found")
        request.params.update(owner=repo.owner, repo=repo.name)
        return handler(request)

    return serve


def _redirect(sim: GitHubSimulator, request: Request) -> Response:
    repo = sim.state.moved_repo(request.params["owner"], request.params["repo"])
    assert repo is not None
    request.params.update(owner=repo.owner, repo=repo.name)
    visible, _ = sim.visible_repo(request)
    if visible is None:
        return obj.error(404, "Not Found")
    location = f"{sim.api_url}/repositories/{repo.id}{request.params['rest']}"
    if request.raw_query:
        location += f"?{request.raw_query}"
    permanent = request.method in ("GET", "HEAD")
    body = {
        "message": "Moved Permanently" if permanent else "Temporary Redirect",
        "url": location,
        "documentation_url": _REDIRECT_DOC,
    }
    return Response(301 if permanent else 307, body, {"location": location})
