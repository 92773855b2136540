"""The GitHub simulator: contract against GitHub's OpenAPI subset, PyGithub end to end, seeds."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from github import (
    Auth,
    BadCredentialsException,
    Github,
    GithubException,
    RateLimitExceededException,
    UnknownObjectException,
)
from github_openapi import URN, registry, validation_errors
from github_openapi import pointer as openapi_pointer

from responder.sim.github import GitHubSimulator, GitHubState
from responder.sim.server import iso

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
OWNER_CLASSIC = "ghp_" + "Ab1" * 12
OWNER_FINE = "github_pat_11ABCDEFG0" + "x" * 72
OWNER_OAUTH = "gho_" + "Cd2" * 12
OWNER_APP_USER = "ghu_" + "Ef3" * 12
OWNER_REFRESH = "ghr_" + "Gh4" * 12
INSTALLATION = "ghs_" + "Ij5" * 12
BOT = "ghp_" + "Kl6" * 12  # the responder's own read credential, admin on octo-dev/api
CAROL = "ghp_" + "Mn7" * 12  # collaborator with push access only
STRANGER = "github_pat_11ZZZZZZZ0" + "y" * 72  # no access to the private repository
EVENT_TYPES = ("PushEvent", "CreateEvent", "MemberEvent", "WatchEvent", "DeleteEvent")
MEMBER_FORMS = ("mallory", {"login": "mallory", "id": 9999001})  # seeds may use either


APP_ID, APP_SECRET = "Iv1.0123456789abcdef", "s3cr3t" * 6
APP_AUTH = {"Authorization": "Basic " + __import__("base64").b64encode(
    f"{APP_ID}:{APP_SECRET}".encode()).decode()}


def make_seed() -> dict[str, Any]:
    events = [
        {
            "id": str(4_000_100 - i),
            "type": EVENT_TYPES[i % len(EVENT_TYPES)],
            "created_at": f"-{i + 1}h",
            "public": i % 3 != 0,
            "repo": "octo-dev/api",
            **(
                {"payload": {"action": "added", "member": MEMBER_FORMS[i % 2]}}
                if i % 5 == 2
                else {}
            ),
        }
        for i in range(45)
    ]
    return {
        "apps": [{"client_id": APP_ID, "client_secret": APP_SECRET}],
        "users": [
            {
                "login": "octo-dev",
                "id": 1001,
                "name": "Octo Dev",
                "email": "octo@example.com",
                "tokens": [
                    {
                        "value": OWNER_CLASSIC,
                        "scopes": ["repo", "read:org", "admin:public_key"],
                        "expires_at": "2027-01-31 00:00:00 UTC",
                    },
                    {"value": OWNER_FINE, "expires_at": "+30d"},
                    {"value": OWNER_OAUTH, "scopes": ["repo", "user"], "app": APP_ID},
                    {"value": OWNER_APP_USER},
                    {"value": OWNER_REFRESH},
                ],
                "keys": [
                    {
                        "id": 11,
                        "title": "laptop",
                        "key": "ssh-ed25519 AAAAC3Nz",
                        "created_at": "-200d",
                    }
                ],
                "gpg_keys": [{"id": 21, "key_id": "3262EFF25BA0D270", "created_at": "-300d"}],
                "ssh_signing_keys": [
                    {
                        "id": 22,
                        "title": "signing",
                        "key": "ssh-ed25519 AAAAsig",
                        "created_at": "-3d",
                    }
                ],
                "events": events,
            },
            {
                "login": "responder-bot",
                "id": 2002,
                "type": "Bot",
                "tokens": [{"value": BOT, "scopes": ["repo", "read:org"]}],
            },
            {"login": "carol", "id": 3003, "tokens": [{"value": CAROL, "scopes": ["repo"]}]},
            {"login": "stranger", "id": 4004, "tokens": [{"value": STRANGER}]},
            {
                "login": "deploy-app[bot]",
                "id": 5005,
                "type": "Bot",
                "tokens": [{"value": INSTALLATION}],
            },
        ],
        "repos": [
            {
                "full_name": "octo-dev/api",
                "private": True,
                "pushed_at": "-2h",
                "created_at": "-400d",
                "admins": ["octo-dev", "responder-bot", "deploy-app[bot]"],
                "collaborators": ["octo-dev", {"login": "carol", "permission": "write"}],
                "hooks": [
                    {
                        "id": 7,
                        "config": {"url": "https://ci.example.com/hook", "content_type": "json"},
                        "events": ["push"],
                        "active": True,
                        "created_at": "-100d",
                        "updated_at": "-100d",
                    }
                ],
                "deploy_keys": [
                    {
                        "id": 31,
                        "title": "deploy",
                        "key": "ssh-ed25519 AAAAdep",
                        "read_only": False,
                        "created_at": "-1h",
                        "added_by": "octo-dev",
                    }
                ],
                "invitations": [
                    {
                        "id": 41,
                        "invitee": "mallory",
                        "inviter": "octo-dev",
                        "permissions": "admin",
                        "created_at": "-3h",
                    }
                ],
            },
            {"full_name": "octo-dev/docs", "private": False, "pushed_at": "-5d"},
            {
                "full_name": "acme/infra",
                "private": True,
                "pushed_at": "-1d",
                "admins": ["octo-dev"],
            },
        ],
    }


@pytest.fixture
def sim() -> Any:
    with GitHubSimulator.from_seed(make_seed(), now=NOW) as running:
        yield running
    assert running.errors == []


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    json: Any
    raw: bytes


def call(
    sim: GitHubSimulator,
    method: str,
    path: str,
    token: str | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    port = urlsplit(sim.base_url).port
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    sent = {"User-Agent": "responder-tests", "Accept": "application/vnd.github+json"}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    if data is not None:
        sent["Content-Type"] = "application/json"
    sent.update(headers or {})
    try:
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    lowered = {key.lower(): value for key, value in response.getheaders()}
    return Reply(response.status, lowered, json.loads(raw) if raw else None, raw)


def github(sim: GitHubSimulator, token: str | None, **kwargs: Any) -> Github:
    auth = Auth.Token(token) if token else None
    # PyGithub throttles itself by default (0.25 s between requests, 1 s between writes).
    throttle = {"seconds_between_requests": 0, "seconds_between_writes": 0}
    return Github(auth=auth, base_url=sim.base_url, retry=None, **throttle, **kwargs)


# --- contract: responses and requests match api.github.com-subset.json -------------------------


# Served by the simulator because PyGithub and the verifier need them; not in the subset.
OUTSIDE_SUBSET = {
    ("GET", "/users/{username}"),
    ("GET", "/repos/{owner}/{repo}"),
    ("GET", "/installation/repositories"),
    ("GET", "/repos/{owner}/{repo}/compare/{basehead}"),
    ("GET", "/repos/{owner}/{repo}/commits/{ref}"),
    ("GET", "/user/orgs"),
    ("GET", "/user/installations"),
    ("GET", "/orgs/{org}/installations"),
    ("GET", "/orgs/{org}/audit-log"),  # it is in the GHEC subset, not this one
    *(("GET", "/repositories/{id}" + rest) for rest in (
        "", "/hooks", "/keys", "/invitations", "/collaborators", "/compare/{basehead}",
        "/commits/{ref}", "/private-vulnerability-reporting", "/contents/{path}")),
    ("PUT", "/repositories/{id}/private-vulnerability-reporting"),
    ("DELETE", "/repositories/{id}/private-vulnerability-reporting"),
    ("POST", "/repositories/{id}/security-advisories/reports"),
}
# Checked against the subset in test_github_security_sim.py.
SECURITY_ROUTES = {
    (method, "/repos/{owner}/{repo}/private-vulnerability-reporting")
    for method in ("GET", "PUT", "DELETE")
} | {("POST", "/repos/{owner}/{repo}/security-advisories/reports"),
     ("GET", "/repos/{owner}/{repo}/contents/{path}")}


def _spec() -> tuple[dict[str, Any], Any]:
    return registry().contents(URN), registry()


def _schema_errors(pointer: str, instance: Any) -> list[str]:
    errors = []
    for error in validation_errors(URN + pointer, instance):
        path = list(error.absolute_path)
        # GitHub's event payload is a oneOf whose PublicEvent branch is a bare {"type": "object"}:
        # every payload (the spec's own examples too) matches two branches. Check the payload
        # against the branch its event type names instead.
        if error.validator == "oneOf" and path[-1:] == ["payload"] and not error.context:
            event = instance[path[0]] if isinstance(instance, list) else instance
            kebab = re.sub(r"(?<!^)(?=[A-Z])", "-", event["type"]).lower()
            errors += _schema_errors(openapi_pointer("components", "schemas", kebab),
                                     event["payload"])
            continue
        errors.append(f"{path}: {error.message[:300]}")
    return errors


def _response_pointer(method: str, template: str, status: int) -> str | None:
    """Pointer to the JSON schema of a documented response; None when it has no body."""
    document, _ = _spec()
    responses = document["paths"][template][method.lower()]["responses"]
    assert str(status) in responses, f"{method} {template} does not document {status}"
    response = responses[str(status)]
    parts: tuple[str, ...] = ("paths", template, method.lower(), "responses", str(status))
    if "$ref" in response:
        name = response["$ref"].rsplit("/", 1)[-1]
        parts, response = (
            ("components", "responses", name),
            document["components"]["responses"][name],
        )
    if "content" not in response:
        return None
    return openapi_pointer(*parts, "content", "application/json", "schema")


CONTRACT_CASES = [
    # (method, template, path, token, body, expected status)
    ("GET", "/user", "/user", OWNER_FINE, None, 200),  # private view
    ("GET", "/user", "/user", OWNER_CLASSIC, None, 200),  # public view: no user scope
    ("GET", "/user", "/user", OWNER_OAUTH, None, 200),
    ("GET", "/user", "/user", "ghp_" + "0" * 36, None, 401),
    ("GET", "/users/{username}/events", "/users/octo-dev/events", OWNER_CLASSIC, None, 200),
    (
        "GET",
        "/users/{username}/events",
        "/users/octo-dev/events?per_page=20&page=2",
        BOT,
        None,
        200,
    ),
    ("GET", "/users/{username}/events/public", "/users/octo-dev/events/public", None, None, 200),
    ("GET", "/user/keys", "/user/keys", OWNER_CLASSIC, None, 200),
    ("GET", "/user/gpg_keys", "/user/gpg_keys", OWNER_FINE, None, 200),
    ("GET", "/user/gpg_keys", "/user/gpg_keys", OWNER_CLASSIC, None, 404),  # scope missing
    ("GET", "/user/ssh_signing_keys", "/user/ssh_signing_keys", OWNER_FINE, None, 200),
    ("GET", "/user/repos", "/user/repos?sort=pushed", OWNER_CLASSIC, None, 200),
    ("GET", "/repos/{owner}/{repo}/hooks", "/repos/octo-dev/api/hooks", BOT, None, 200),
    ("GET", "/repos/{owner}/{repo}/hooks", "/repos/octo-dev/api/hooks", STRANGER, None, 404),
    ("GET", "/repos/{owner}/{repo}/keys", "/repos/octo-dev/api/keys", BOT, None, 200),
    ("GET", "/repos/{owner}/{repo}/invitations", "/repos/octo-dev/api/invitations", BOT, None, 200),
    (
        "GET",
        "/repos/{owner}/{repo}/collaborators",
        "/repos/octo-dev/api/collaborators",
        CAROL,
        None,
        200,
    ),
    (
        "GET",
        "/repos/{owner}/{repo}/collaborators",
        "/repos/nobody/none/collaborators",
        BOT,
        None,
        404,
    ),
    (
        "POST",
        "/credentials/revoke",
        "/credentials/revoke",
        None,
        {"credentials": [OWNER_CLASSIC, "not-a-token"]},
        202,
    ),
    ("POST", "/credentials/revoke", "/credentials/revoke", None, {"credentials": []}, 422),
    ("POST", "/credentials/revoke", "/credentials/revoke", None, {"tokens": ["x"]}, 422),
    ("GET", "/rate_limit", "/rate_limit", None, None, 200),
    ("GET", "/rate_limit", "/rate_limit", BOT, None, 200),
    ("DELETE", "/installation/token", "/installation/token", INSTALLATION, None, 204),
]


@pytest.mark.parametrize(
    ("method", "template", "path", "token", "body", "status"),
    CONTRACT_CASES,
    ids=[f"{case[0]} {case[2]} {case[5]}" for case in CONTRACT_CASES],
)
def test_response_matches_openapi_subset(
    sim: GitHubSimulator,
    method: str,
    template: str,
    path: str,
    token: str | None,
    body: Any,
    status: int,
) -> None:
    pointer = _response_pointer(method, template, status)
    reply = call(sim, method, path, token, body)
    assert reply.status == status, reply.json
    if pointer is None:
        assert reply.raw == b""
    else:
        assert reply.headers["content-type"] == "application/json; charset=utf-8"
        assert _schema_errors(pointer, reply.json) == []
    if isinstance(reply.json, list):
        assert reply.json, "a contract case should exercise a non-empty list"


@pytest.mark.parametrize(("method", "token", "status"), [
    ("POST", OWNER_OAUTH, 200),  # check: the app owner sees its own token
    ("POST", OWNER_CLASSIC, 404),  # not this app's token: "invalid"
    ("DELETE", OWNER_CLASSIC, 422),
    ("DELETE", OWNER_OAUTH, 204),
])
def test_app_token_endpoints_match_openapi_subset(sim, method, token, status) -> None:
    path = f"/applications/{APP_ID}/token"
    reply = call(sim, method, path, body={"access_token": token}, headers=APP_AUTH)
    assert reply.status == status, reply.json
    pointer = _response_pointer(method, "/applications/{client_id}/token", status)
    if pointer is None:
        assert reply.raw == b""
    else:
        assert _schema_errors(pointer, reply.json) == []
    if status == 204:
        assert not sim.state.token_is_live(OWNER_OAUTH)


def test_app_token_endpoints_refuse_a_wrong_secret(sim) -> None:
    bad = {"Authorization": "Basic " + __import__("base64").b64encode(
        f"{APP_ID}:wrong".encode()).decode()}
    reply = call(sim, "DELETE", f"/applications/{APP_ID}/token",
                 body={"access_token": OWNER_OAUTH}, headers=bad)
    assert reply.status == 404
    assert sim.state.token_is_live(OWNER_OAUTH)


def test_server_error_fault_matches_openapi_subset(sim: GitHubSimulator) -> None:
    sim.faults.add(method="POST", path="/credentials/revoke", status=500)
    reply = call(sim, "POST", "/credentials/revoke", body={"credentials": [OWNER_CLASSIC]})
    assert reply.status == 500
    assert _schema_errors(_response_pointer("POST", "/credentials/revoke", 500), reply.json) == []
    assert sim.state.token_is_live(OWNER_CLASSIC)


def test_revoke_request_bodies_sent_match_request_schema(sim: GitHubSimulator) -> None:
    document, _ = _spec()
    pointer = openapi_pointer(
        "paths",
        "/credentials/revoke",
        "post",
        "requestBody",
        "content",
        "application/json",
        "schema",
    )
    example = document["paths"]["/credentials/revoke"]["post"]["requestBody"]["content"][
        "application/json"
    ]["examples"]["default"]["value"]
    github(sim, None).requester.requestJsonAndCheck(
        "POST", "/credentials/revoke", input={"credentials": [OWNER_FINE, OWNER_OAUTH]}
    )
    call(sim, "POST", "/credentials/revoke", body=example)
    sent = [r for r in sim.requests if r.path == "/credentials/revoke"]
    assert len(sent) == 2 and all(r.status == 202 for r in sent)
    for recorded in sent:
        assert "authorization" not in recorded.headers
        assert _schema_errors(pointer, recorded.json) == []
    assert _schema_errors(pointer, {"credentials": []}) != []  # the schema does bite


def test_routes_are_in_the_subset_and_all_covered(sim: GitHubSimulator) -> None:
    document, _ = _spec()
    served = {(route.method, route.template) for route in sim.routes}
    in_subset = {
        (method.upper(), template)
        for template, operations in document["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert served - in_subset == OUTSIDE_SUBSET
    covered = {(case[0], case[1]) for case in CONTRACT_CASES}
    covered |= {("DELETE", "/applications/{client_id}/token"),
                ("POST", "/applications/{client_id}/token")}  # test_app_token_endpoints_...
    covered |= SECURITY_ROUTES
    assert served & in_subset == covered


# --- PyGithub end to end -----------------------------------------------------------------------


def test_identity_and_scope_headers(sim: GitHubSimulator) -> None:
    gh = github(sim, OWNER_CLASSIC)
    assert gh.get_user().login == "octo-dev"
    headers, data = gh.requester.requestJsonAndCheck("GET", "/user")
    assert headers["x-oauth-scopes"] == "repo, read:org, admin:public_key"
    assert headers["x-accepted-oauth-scopes"] == ""
    assert headers["github-authentication-token-expiration"] == "2027-01-31 00:00:00 UTC"
    assert gh.oauth_scopes == ["repo", "read:org", "admin:public_key"]
    assert data["id"] == 1001 and data["user_view_type"] == "public"


@pytest.mark.parametrize("token", [OWNER_FINE, OWNER_APP_USER])
def test_no_scope_header_for_fine_grained_and_app_tokens(sim: GitHubSimulator, token: str) -> None:
    headers, data = github(sim, token).requester.requestJsonAndCheck("GET", "/user")
    assert "x-oauth-scopes" not in headers
    assert data["user_view_type"] == "private" and data["email"] == "octo@example.com"


def test_events_walk_pages_newest_first(sim: GitHubSimulator) -> None:
    gh = github(sim, OWNER_CLASSIC, per_page=30)
    events = list(gh.get_user("octo-dev").get_events())
    assert len(events) == 45
    times = [event.created_at for event in events]
    assert times == sorted(times, reverse=True)
    assert times[0] == NOW - timedelta(hours=1)
    pages = [r for r in sim.requests if r.path == "/users/octo-dev/events"]
    assert [r.query.get("page", ["1"]) for r in pages] == [["1"], ["2"]]
    assert 'rel="next"' in pages[0].response_headers["link"]
    assert 'rel="last"' in pages[0].response_headers["link"]
    member = next(e for e in events if e.type == "MemberEvent")
    assert member.payload["member"]["login"] == "mallory"


def test_private_events_hidden_from_another_token(sim: GitHubSimulator) -> None:
    seen_by_bot = list(github(sim, BOT).get_user("octo-dev").get_events())
    public = list(github(sim, None).get_user("octo-dev").get_public_events())
    expected = sum(1 for i in range(45) if i % 3 != 0)
    assert len(seen_by_bot) == len(public) == expected
    assert all(event.public for event in seen_by_bot)
    owner_public = call(sim, "GET", "/users/octo-dev/events/public?per_page=100", OWNER_CLASSIC)
    assert len(owner_public.json) == expected


def test_installation_token_sees_public_events_only(sim: GitHubSimulator) -> None:
    reply = call(sim, "GET", "/users/octo-dev/events?per_page=100", INSTALLATION)
    assert reply.status == 200 and all(event["public"] for event in reply.json)


def test_repo_hooks_keys_invitations_collaborators(sim: GitHubSimulator) -> None:
    repo = github(sim, BOT).get_repo("octo-dev/api")
    assert repo.permissions.admin is True
    hooks = list(repo.get_hooks())
    assert [(h.id, h.config["url"], h.events) for h in hooks] == [
        (7, "https://ci.example.com/hook", ["push"])
    ]
    keys = list(repo.get_keys())
    assert [(k.id, k.title, k.read_only) for k in keys] == [(31, "deploy", False)]
    assert keys[0].created_at == NOW - timedelta(hours=1)
    invitations = list(repo.get_pending_invitations())
    assert [(i.invitee.login, i.permissions) for i in invitations] == [("mallory", "admin")]
    collaborators = {c.login: c.role_name for c in repo.get_collaborators()}
    assert collaborators == {
        "octo-dev": "admin",
        "responder-bot": "admin",
        "deploy-app[bot]": "admin",
        "carol": "write",
    }


def test_repository_settings_need_admin(sim: GitHubSimulator) -> None:
    repo = github(sim, CAROL).get_repo("octo-dev/api")
    assert repo.permissions.push and not repo.permissions.admin
    for listing in (repo.get_hooks, repo.get_keys, repo.get_pending_invitations):
        with pytest.raises(GithubException) as caught:
            list(listing())
        assert caught.value.status == 403
        assert caught.value.data["message"] == "Must have admin rights to Repository."
    assert {c.login for c in repo.get_collaborators()} >= {"carol"}  # push is enough here
    with pytest.raises(UnknownObjectException):
        github(sim, STRANGER).get_repo("octo-dev/api")
    reply = call(sim, "GET", "/repos/octo-dev/api/hooks", STRANGER)
    assert reply.status == 404 and reply.json["message"] == "Not Found"


def test_user_repos_sort_permissions_and_pages(sim: GitHubSimulator) -> None:
    repos = list(github(sim, OWNER_CLASSIC).get_user().get_repos(sort="pushed", direction="desc"))
    assert [r.full_name for r in repos] == ["octo-dev/api", "acme/infra", "octo-dev/docs"]
    assert all(r.permissions.admin for r in repos)
    first = call(sim, "GET", "/user/repos?per_page=2", CAROL)
    assert [r["full_name"] for r in first.json] == ["octo-dev/api"]
    assert first.json[0]["permissions"] == {
        "pull": True,
        "triage": True,
        "push": True,
        "maintain": False,
        "admin": False,
    }
    paged = call(sim, "GET", "/user/repos?per_page=2&sort=full_name", OWNER_CLASSIC)
    assert [r["full_name"] for r in paged.json] == ["acme/infra", "octo-dev/api"]
    assert "page=2" in paged.headers["link"] and "sort=full_name" in paged.headers["link"]
    assert call(sim, "GET", "/user/repos?type=owner&visibility=all", CAROL).status == 422


def test_own_key_lists_follow_token_scopes(sim: GitHubSimulator) -> None:
    gh = github(sim, OWNER_CLASSIC)
    assert [k.title for k in gh.get_user().get_keys()] == ["laptop"]
    _, gpg = github(sim, OWNER_FINE).requester.requestJsonAndCheck("GET", "/user/gpg_keys")
    assert [k["key_id"] for k in gpg] == ["3262EFF25BA0D270"]
    with pytest.raises(UnknownObjectException):
        gh.requester.requestJsonAndCheck("GET", "/user/gpg_keys")  # no read:gpg_key scope


def test_revoke_by_value_then_bad_credentials(sim: GitHubSimulator) -> None:
    headers, data = github(sim, None).requester.requestJsonAndCheck(
        "POST", "/credentials/revoke", input={"credentials": [OWNER_CLASSIC, "ghp_unknown"]}
    )
    assert data == {}
    assert sim.state.revocations == [(OWNER_CLASSIC, "POST /credentials/revoke")]
    assert not sim.state.token_is_live(OWNER_CLASSIC)
    with pytest.raises(BadCredentialsException) as caught:
        github(sim, OWNER_CLASSIC).requester.requestJsonAndCheck("GET", "/user")
    assert caught.value.data == {
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/rest",
        "status": "401",
    }
    assert sim.state.token_is_live(OWNER_FINE)  # other tokens of the same user keep working


def test_revoke_accepts_every_by_value_kind_but_installation(sim: GitHubSimulator) -> None:
    values = [OWNER_CLASSIC, OWNER_FINE, OWNER_OAUTH, OWNER_APP_USER, OWNER_REFRESH, INSTALLATION]
    assert call(sim, "POST", "/credentials/revoke", body={"credentials": values}).status == 202
    assert [value for value, _ in sim.state.revocations] == values[:-1]
    assert sim.state.token_is_live(INSTALLATION)


def test_authenticated_revoke_is_forbidden(sim: GitHubSimulator) -> None:
    with pytest.raises(GithubException) as caught:
        github(sim, BOT).requester.requestJsonAndCheck(
            "POST", "/credentials/revoke", input={"credentials": [OWNER_CLASSIC]}
        )
    assert caught.value.status == 403
    assert sim.state.token_is_live(OWNER_CLASSIC) and sim.state.revocations == []


@pytest.mark.parametrize(
    "body",
    [
        {"credentials": []},
        {"credentials": "ghp_x"},
        {"credentials": [1]},
        {"credentials": ["ghp_x"] * 1001},
        {},
        ["ghp_x"],
    ],
)
def test_revoke_validation(sim: GitHubSimulator, body: Any) -> None:
    reply = call(sim, "POST", "/credentials/revoke", body=body)
    assert reply.status == 422
    assert reply.json["message"] == "Validation failed" and reply.json["errors"]


def test_revoke_unparseable_json_is_400(sim: GitHubSimulator) -> None:
    reply = call(sim, "POST", "/credentials/revoke", body=b"{nope")
    assert reply.status == 400 and reply.json["message"] == "Problems parsing JSON"


def test_installation_token_revokes_itself(sim: GitHubSimulator) -> None:
    anonymous = github(sim, None).requester
    anonymous.requestJsonAndCheck(
        "POST", "/credentials/revoke", input={"credentials": [INSTALLATION]}
    )
    assert sim.state.token_is_live(INSTALLATION)
    installation = github(sim, INSTALLATION).requester
    _, listing = installation.requestJsonAndCheck("GET", "/installation/repositories")
    assert [r["full_name"] for r in listing["repositories"]] == ["octo-dev/api"]
    with pytest.raises(GithubException) as caught:
        installation.requestJsonAndCheck("GET", "/user")
    assert caught.value.status == 403  # installation tokens have no user identity
    with pytest.raises(GithubException) as caught:
        github(sim, OWNER_CLASSIC).requester.requestJsonAndCheck("DELETE", "/installation/token")
    assert caught.value.status == 403
    installation.requestJsonAndCheck("DELETE", "/installation/token")
    assert sim.state.revocations == [(INSTALLATION, "DELETE /installation/token")]
    with pytest.raises(BadCredentialsException):
        installation.requestJsonAndCheck("GET", "/installation/repositories")


def test_revoke_lag_keeps_answering_for_a_while(sim: GitHubSimulator) -> None:
    sim.revoke_lag = 2
    sim.state.revoke(OWNER_CLASSIC, "test")
    assert not sim.state.token_is_live(OWNER_CLASSIC)
    statuses = [call(sim, "GET", "/user", OWNER_CLASSIC).status for _ in range(4)]
    assert statuses == [200, 200, 401, 401]


def test_refresh_and_expired_tokens_do_not_authenticate() -> None:
    seed = {
        "users": [
            {
                "login": "u",
                "tokens": [
                    {"value": OWNER_REFRESH},
                    {"value": OWNER_CLASSIC, "expires_at": "-1m"},
                    {"value": OWNER_FINE, "expires_at": "+1m"},
                ],
            }
        ]
    }
    with GitHubSimulator.from_seed(seed, now=NOW) as sim:
        assert call(sim, "GET", "/user", OWNER_REFRESH).status == 401
        assert call(sim, "GET", "/user", OWNER_CLASSIC).status == 401
        assert not sim.state.token_is_live(OWNER_CLASSIC)
        assert call(sim, "GET", "/user", OWNER_FINE).status == 200
        sim.state.advance(timedelta(minutes=2))
        assert call(sim, "GET", "/user", OWNER_FINE).status == 401


def test_unauthenticated_budget_is_sixty_per_hour(sim: GitHubSimulator) -> None:
    body = {"credentials": ["ghp_nothing"]}
    replies = [call(sim, "POST", "/credentials/revoke", body=body) for _ in range(60)]
    assert {r.status for r in replies} == {202}
    assert replies[-1].headers["x-ratelimit-remaining"] == "0"
    with pytest.raises(RateLimitExceededException) as caught:
        github(sim, None).requester.requestJsonAndCheck("POST", "/credentials/revoke", input=body)
    assert caught.value.status == 403
    assert caught.value.headers["x-ratelimit-remaining"] == "0"
    assert call(sim, "GET", "/user", OWNER_FINE).status == 200  # tokens have their own budget
    assert call(sim, "GET", "/rate_limit").json["resources"]["core"]["remaining"] == 0
    sim.state.advance(timedelta(hours=1))
    assert call(sim, "POST", "/credentials/revoke", body=body).status == 202


# --- faults, headers, lifecycle ----------------------------------------------------------------


def test_fault_500_once_then_ok(sim: GitHubSimulator) -> None:
    sim.faults.add(method="GET", path="/user", status=500, times=1)
    requester = github(sim, OWNER_FINE).requester
    with pytest.raises(GithubException) as caught:
        requester.requestJsonAndCheck("GET", "/user")
    assert caught.value.status == 500 and caught.value.data["message"] == "Server Error"
    assert requester.requestJsonAndCheck("GET", "/user")[1]["login"] == "octo-dev"


def test_fault_429_with_retry_after(sim: GitHubSimulator) -> None:
    sim.faults.add(method="GET", path="/repos/*/hooks", status=429, retry_after=7, times=None)
    requester = github(sim, BOT).requester
    for _ in range(2):
        with pytest.raises(GithubException) as caught:
            requester.requestJsonAndCheck("GET", "/repos/octo-dev/api/hooks")
        assert caught.value.status == 429
        assert caught.value.headers["retry-after"] == "7"
        assert "secondary rate limit" in caught.value.data["message"]
    assert call(sim, "GET", "/repos/octo-dev/api/keys", BOT).status == 200


def test_fault_403_retry_after_reads_as_rate_limit(sim: GitHubSimulator) -> None:
    sim.faults.add(method="POST", path="/credentials/revoke", status=403, retry_after=60)
    with pytest.raises(RateLimitExceededException) as caught:
        github(sim, None).requester.requestJsonAndCheck(
            "POST", "/credentials/revoke", input={"credentials": [OWNER_CLASSIC]}
        )
    assert caught.value.headers["retry-after"] == "60"
    assert sim.state.token_is_live(OWNER_CLASSIC)


def test_fault_delay_and_custom_body(sim: GitHubSimulator) -> None:
    sim.faults.add(method="GET", path="/user", delay=0.2)
    started = time.monotonic()
    assert call(sim, "GET", "/user", OWNER_FINE).status == 200
    assert time.monotonic() - started >= 0.2
    sim.faults.add(method="*", path="/rate_limit", status=503, body={"message": "down"})
    reply = call(sim, "GET", "/rate_limit")
    assert (reply.status, reply.json) == (503, {"message": "down"})
    assert "x-github-request-id" in reply.headers
    with pytest.raises(ValueError):
        sim.faults.add(path="/user")


def test_common_headers_unknown_routes_and_user_agent(sim: GitHubSimulator) -> None:
    reply = call(sim, "GET", "/user", OWNER_FINE)
    for header in (
        "x-github-request-id",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-ratelimit-used",
        "x-ratelimit-resource",
    ):
        assert header in reply.headers
    assert reply.headers["x-ratelimit-limit"] == "5000"
    assert reply.headers["github-authentication-token-expiration"] == "2026-05-31 12:00:00 UTC"
    missing = call(sim, "GET", "/nope/nothing", OWNER_FINE)
    assert missing.status == 404 and missing.json["message"] == "Not Found"
    assert missing.headers["content-type"] == "application/json; charset=utf-8"
    assert call(sim, "GET", "/users/ghost").status == 404
    assert call(sim, "GET", "/user").json["message"] == "Requires authentication"
    no_agent = call(sim, "GET", "/rate_limit", headers={"User-Agent": ""})
    assert no_agent.status == 403
    logged = sim.requests[-1]
    assert (logged.method, logged.path, logged.status) == ("GET", "/rate_limit", 403)
    assert logged.headers["accept"] == "application/vnd.github+json"


def test_request_log_records_queries_and_bodies(sim: GitHubSimulator) -> None:
    call(sim, "GET", "/users/octo-dev/events?per_page=5&page=2", OWNER_FINE)
    call(sim, "POST", "/credentials/revoke", body={"credentials": ["ghp_x"]})
    events, revoke = sim.requests[-2:]
    assert events.query == {"per_page": ["5"], "page": ["2"]}
    assert len(events.response_json) == 5 and events.response_json[0]["id"] == "4000095"
    assert revoke.json == {"credentials": ["ghp_x"]}
    assert revoke.body == b'{"credentials": ["ghp_x"]}'
    assert revoke.response_json == {}


def test_start_is_fast_and_stop_closes_keep_alive_connections() -> None:
    state = GitHubState.from_seed(make_seed(), now=NOW)
    timings = []
    for _ in range(3):
        sim = GitHubSimulator(state)
        started = time.perf_counter()
        url = sim.start()
        timings.append(time.perf_counter() - started)
        assert url == sim.base_url and url.startswith("http://127.0.0.1:")
        gh = github(sim, OWNER_FINE)
        assert gh.get_user().login == "octo-dev"  # leaves a keep-alive connection open
        started = time.perf_counter()
        sim.stop()
        assert time.perf_counter() - started < 1
        sim.stop()  # idempotent
    assert min(timings) < 0.05


def test_concurrent_clients(sim: GitHubSimulator) -> None:
    statuses: list[int] = []

    def worker() -> None:
        gh = github(sim, BOT)
        for _ in range(5):
            statuses.append(len(list(gh.get_user("octo-dev").get_events())))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert statuses == [30] * 40


# --- seeds -------------------------------------------------------------------------------------


def test_relative_seed_times_resolve_against_now(sim: GitHubSimulator) -> None:
    events = call(sim, "GET", "/users/octo-dev/events?per_page=2", OWNER_FINE).json
    assert [e["created_at"] for e in events] == [iso(NOW - timedelta(hours=h)) for h in (1, 2)]
    keys = call(sim, "GET", "/user/keys", OWNER_FINE).json
    assert keys[0]["created_at"] == iso(NOW - timedelta(days=200))
    repo = call(sim, "GET", "/repos/octo-dev/api", BOT).json
    assert repo["pushed_at"] == iso(NOW - timedelta(hours=2))
    assert repo["created_at"] == iso(NOW - timedelta(days=400))
    hooks = call(sim, "GET", "/repos/octo-dev/api/hooks", BOT).json
    assert hooks[0]["updated_at"] == "2026-01-21T12:00:00Z"


def test_absolute_seed_times_and_defaults() -> None:
    seed = {
        "users": [
            {
                "login": "u",
                "created_at": "2020-01-02T03:04:05Z",
                "keys": [{"id": 1, "key": "k", "created_at": datetime(2025, 1, 1)}],
                "events": [{"type": "PushEvent", "created_at": "-30m", "repo": "u/secret"}],
            }
        ],
        "repos": [{"full_name": "u/secret", "private": True, "pushed_at": "2026-04-30 10:00:00"}],
    }
    state = GitHubState.from_seed(seed, now=NOW)
    user = state.user("U")
    assert user is not None and user.created_at == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert user.keys[0]["created_at"] == datetime(2025, 1, 1, tzinfo=UTC)
    assert user.events[0]["created_at"] == NOW - timedelta(minutes=30)
    assert user.events[0]["public"] is False  # follows the private repository
    assert state.repo("u", "secret").pushed_at == datetime(2026, 4, 30, 10, tzinfo=UTC)
    assert GitHubState.from_seed({}, now=NOW).now == NOW


def test_seed_rejects_unknown_token_prefix_and_duplicates() -> None:
    with pytest.raises(ValueError, match="unknown prefix"):
        GitHubState.from_seed({"users": [{"login": "u", "tokens": [{"value": "xoxb-1"}]}]}, NOW)
    with pytest.raises(ValueError, match="seeded twice"):
        GitHubState.from_seed(
            {
                "users": [
                    {"login": "a", "tokens": [{"value": BOT}]},
                    {"login": "b", "tokens": [{"value": BOT}]},
                ]
            },
            NOW,
        )
    with pytest.raises(ValueError, match="duplicate user"):
        GitHubState.from_seed({"users": [{"login": "a"}, {"login": "A"}]}, NOW)


def test_events_older_than_the_window_are_not_served() -> None:
    seed = {
        "users": [
            {
                "login": "u",
                "tokens": [{"value": OWNER_FINE}],
                "events": [
                    {"id": "1", "created_at": "-29d", "repo": "u/r"},
                    {"id": "2", "created_at": "-31d", "repo": "u/r"},
                ],
            }
        ]
    }
    with GitHubSimulator.from_seed(seed, now=NOW) as sim:
        events = call(sim, "GET", "/users/u/events", OWNER_FINE).json
        assert [e["id"] for e in events] == ["1"]


def test_expiration_header_formats() -> None:
    seed = {
        "users": [
            {
                "login": "u",
                "tokens": [
                    {"value": OWNER_FINE, "expires_at": "2026-06-01 10:00:00 -0700"},
                    {"value": OWNER_CLASSIC, "expires_at": "2026-06-01T10:00:00Z"},
                    {"value": OWNER_OAUTH, "expires_at": datetime(2026, 6, 2, 8, 30)},
                ],
            }
        ]
    }
    with GitHubSimulator.from_seed(seed, now=NOW) as sim:
        headers = {
            token: call(sim, "GET", "/user", token).headers[
                "github-authentication-token-expiration"
            ]
            for token in (OWNER_FINE, OWNER_CLASSIC, OWNER_OAUTH)
        }
    assert headers == {
        OWNER_FINE: "2026-06-01 10:00:00 -0700",  # GitHub's own format is kept verbatim
        OWNER_CLASSIC: "2026-06-01 10:00:00 UTC",
        OWNER_OAUTH: "2026-06-02 08:30:00 UTC",
    }
    assert sim.state.tokens[OWNER_FINE].expires_at == datetime(2026, 6, 1, 17, tzinfo=UTC)
