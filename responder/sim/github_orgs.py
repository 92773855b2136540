"""Organizations a token's user belongs to, and the GitHub App installations it can see.

- `GET /user/orgs`: the caller's organizations (organization-simple). Classic and OAuth tokens need
  one of admin:org, read:org, repo, user, write:org; without: 403 "You need at least read:org
  scope or user scope to list your organizations.". Installation tokens: 403 "Resource not
  accessible by integration".
- `GET /user/installations`: only GitHub App user tokens (`ghu_`) may list; any other token 403
  "You must authenticate with an access token authorized to a GitHub App in order to list
  installations". Body `{total_count, installations}`.
- `GET /orgs/{org}/installations`: organization owners; classic/OAuth tokens need admin:org,
  read:org or write:org. Anyone else gets 404 (UNCONFIRMED: GitHub may answer 403). Same body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from responder.sim import github_objects as obj
from responder.sim.server import Request, Response

if TYPE_CHECKING:
    from responder.sim.github import Caller, GitHubSimulator

_ORGS_SCOPES = ("admin:org", "read:org", "repo", "user", "write:org")
_ORGS_DENIED = "You need at least read:org scope or user scope to list your organizations."
_ORG_INSTALLATION_SCOPES = ("admin:org", "read:org", "write:org")
_APP_USERS_ONLY = (
    "You must authenticate with an access token authorized to a GitHub App in order to list "
    "installations"
)
_INSTALLATIONS_DOC = (
    f"{obj.DOCS}/apps/installations#list-app-installations-accessible-to-the-user-access-token"
)


def register(sim: GitHubSimulator) -> None:
    sim.route("GET", "/user/orgs", lambda r: _user_orgs(sim, r), auth="required",
              users_only=True, scopes=_ORGS_SCOPES, scope_error=(403, _ORGS_DENIED))
    sim.route("GET", "/user/installations", lambda r: _user_installations(sim, r),
              auth="required", users_only=True)
    sim.route("GET", "/orgs/{org}/installations", lambda r: _org_installations(sim, r),
              auth="required", scopes=_ORG_INSTALLATION_SCOPES)


def _user_orgs(sim: GitHubSimulator, request: Request) -> Response:
    caller: Caller = request.context["caller"]
    orgs = sim.state.orgs_of(caller.login or "")
    return sim.paginate(request, orgs, lambda org: obj.organization_simple(sim.base_url, org))


def _user_installations(sim: GitHubSimulator, request: Request) -> Response:
    caller: Caller = request.context["caller"]
    if caller.token is None or caller.token.kind != "app_user" or caller.user is None:
        return obj.error(403, _APP_USERS_ONLY, _INSTALLATIONS_DOC)
    return _installations(sim, request, caller.user.installations)


def _org_installations(sim: GitHubSimulator, request: Request) -> Response:
    caller: Caller = request.context["caller"]
    org = sim.state.org(request.params["org"])
    if org is None or not org.is_owner(caller.login):
        return obj.error(404, "Not Found")
    return _installations(sim, request, org.installations)


def _installations(
    sim: GitHubSimulator, request: Request, items: list[dict[str, Any]]
) -> Response:
    return sim.paginate(
        request,
        items,
        lambda item: obj.installation(sim.base_url, item, sim.state),
        wrap=lambda page, total: {"total_count": total, "installations": page},
    )
