"""The GitHub simulator's activity-review surface: compare and commits over a seeded commit graph,
transferred repositories (301), organizations, app installations, the GHEC audit log, the
secondary limit on concurrent requests, and faults aimed at one page of a list. Each behaviour is
checked through plain httpx and through PyGithub's requester."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import httpx
import pytest
from github import Auth, Github, GithubException, RateLimitExceededException
from github_openapi import SUBSET
from github_openapi import pointer as _pointer
from test_github_sim import _schema_errors

from responder.sim.github import GitHubSimulator, GitHubState
from responder.sim.github_objects import full_sha

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
OCTO = "ghp_" + "Oc1" * 12  # octo: owner of acme, every scope the review needs
OCTO_NO_AUDIT = "ghp_" + "Oc2" * 12  # octo again, without read:audit_log / admin:org
OCTO_GIST = "ghp_" + "Oc3" * 12  # octo with the gist scope only
OCTO_FINE = "github_pat_11OCTOOCTO0" + "o" * 72
OCTO_APP_USER = "ghu_" + "Oc4" * 12
SUSPECT = "ghp_" + "Su5" * 12  # the leaked token the audit log is searched for
CAROL = "ghp_" + "Ca6" * 12  # acme member, not an owner
STRANGER = "github_pat_11STRANGER0" + "s" * 72
INSTALLATION = "ghs_" + "In7" * 12
WORKFLOW = ".github/workflows/ci.yml"
SHAS = {"root": "c0ffee0", "base": "c1aaaa1", "main": "c2bbbb2", "f1": "f1cccc1", "f2": "f2dddd2",
        "orphan": "0rphan"}  # "0rphan" is not hex: it expands to an unrelated 40-hex sha
GHEC_DOC = SUBSET.parent / "github-openapi-ghec-auditlog-subset.json"


def _audit_entries() -> list[dict[str, Any]]:
    web = [
        {"action": "hook.create", "actor": "octo", "created_at": "-1h", "token": SUSPECT,
         "repo": "acme/api", "hook_id": 77, "config.url": "https://evil.example/hook"},
        {"action": "repo.access", "actor": "octo", "created_at": "-2h", "token": SUSPECT,
         "repo": "acme/api", "visibility": "public", "previous_visibility": "private"},
        {"action": "org.add_member", "actor": "octo", "created_at": "-3h", "token": SUSPECT,
         "user": "mallory"},
        {"action": "public_key.create", "actor": "octo", "created_at": "-4h", "token": SUSPECT},
        {"action": "repo.create", "actor": "octo", "created_at": "-5h", "token": SUSPECT,
         "repo": "acme/tools"},
        {"action": "team.add_member", "actor": "carol", "created_at": "-6h", "user": "dave",
         "team": "acme/devs"},
        {"action": "repo.destroy", "actor": "octo", "created_at": "-40d", "token": SUSPECT,
         "repo": "acme/old-tools"},
    ]
    git = [
        {"action": "git.clone", "actor": "octo", "created_at": "-30m", "token": SUSPECT,
         "repo": "acme/api", "transport_protocol_name": "http", "transport_protocol": 1},
        {"action": "git.push", "actor": "octo", "created_at": "-10d", "token": SUSPECT,
         "repo": "acme/api"},  # older than the seven days Git events are kept
    ]
    return web + git


def make_seed() -> dict[str, Any]:
    return {
        "users": [
            {"login": "octo", "id": 1111, "name": "Octo Cat",
             "tokens": [{"value": OCTO, "scopes": ["repo", "read:org", "read:audit_log"]},
                        {"value": OCTO_NO_AUDIT, "scopes": ["repo", "read:org"]},
                        {"value": OCTO_GIST, "scopes": ["gist"]},
                        {"value": OCTO_FINE}, {"value": OCTO_APP_USER},
                        {"value": SUSPECT, "scopes": ["repo", "admin:repo_hook"]}],
             "orgs": ["side-project"],
             "installations": [{"id": 501, "app_slug": "shady-ci", "app_id": 9001,
                                "created_at": "-2h", "repository_selection": "all",
                                "permissions": {"contents": "write", "workflows": "write"}}],
             "events": [
                 {"id": "9100", "type": "PushEvent", "repo": "acme/old-name", "created_at": "-1h",
                  "payload": {"ref": "refs/heads/main", "before": SHAS["base"],
                              "head": SHAS["main"]}},
                 {"id": "9101", "type": "PushEvent", "repo": "acme/api", "created_at": "-2h",
                  "payload": {"ref": "refs/heads/evil", "before": "0" * 40,
                              "head": SHAS["f2"]}},
                 {"id": "9102", "type": "ReleaseEvent", "repo": "acme/api", "created_at": "-3h",
                  "payload": {"release": {"tag_name": "v9.9.9", "name": "totally legit"}}},
                 {"id": "9103", "type": "CreateEvent", "repo": "acme/api", "created_at": "-4h",
                  "payload": {"ref_type": "repository"}},
                 {"id": "9104", "type": "CreateEvent", "repo": "acme/api", "created_at": "-5h",
                  "payload": {"ref_type": "tag", "ref": "v9.9.9"}},
                 {"id": "9105", "type": "DeleteEvent", "repo": "acme/api", "created_at": "-6h"},
                 {"id": "9106", "type": "PublicEvent", "repo": "acme/api", "created_at": "-7h"},
                 {"id": "9107", "type": "MemberEvent", "repo": "acme/api", "created_at": "-8h"},
             ]},
            {"login": "carol", "id": 2222, "tokens": [
                {"value": CAROL, "scopes": ["repo", "read:org", "read:audit_log"]}]},
            {"login": "stranger", "id": 3333, "tokens": [{"value": STRANGER}]},
            {"login": "shady-ci[bot]", "id": 4444, "type": "Bot",
             "tokens": [{"value": INSTALLATION}]},
        ],
        "repos": [
            {"full_name": "acme/api", "private": True, "admins": ["octo"],
             "collaborators": ["carol"],
             "commits": [
                 {"sha": SHAS["root"], "message": "initial", "author": "carol",
                  "date": "-30d", "files": ["README.md"]},
                 {"sha": SHAS["base"], "parents": [SHAS["root"]], "message": "base",
                  "author": "carol", "date": "-20d", "files": ["src/app.py"]},
                 {"sha": SHAS["main"], "parents": [SHAS["base"]], "message": "main moves on",
                  "author": "carol", "date": "-10d",
                  "files": [{"filename": "src/app.py", "additions": 5, "deletions": 2}]},
                 {"sha": SHAS["f1"], "parents": [SHAS["base"]], "message": "add ci",
                  "author": "octo", "date": "-2h",
                  "files": [{"filename": WORKFLOW, "status": "added", "additions": 20},
                            "src/app.py"]},
                 {"sha": SHAS["f2"], "parents": [SHAS["f1"]], "message": "exfiltrate",
                  "author": "octo", "date": "-1h",
                  "files": [{"filename": WORKFLOW, "additions": 3, "deletions": 1},
                            {"filename": "notes.txt", "status": "removed"}]},
                 {"sha": SHAS["orphan"], "message": "unrelated history", "author": "octo",
                  "date": "-1h", "files": ["x.bin"]},
             ],
             "branches": {"main": SHAS["main"], "feature/ci": SHAS["f2"],
                          "orphan": SHAS["orphan"]}},
            {"full_name": "acme/old-name", "moved_to": "acme/new-name", "private": True,
             "admins": ["octo"], "id": 777000,
             "hooks": [{"id": 5, "config": {"url": "https://ci.example/hook"}}],
             "commits": [{"sha": SHAS["base"], "files": ["a"]},
                         {"sha": SHAS["main"], "parents": [SHAS["base"]], "files": ["b"]}],
             "branches": {"main": SHAS["main"]}},
            {"full_name": "octo/was-public", "moved_to": "octo/is-public"},
        ],
        "orgs": [
            {"login": "acme", "id": 8888, "ghec": True, "owners": ["octo"], "members": ["carol"],
             "audit_log": _audit_entries(),
             "installations": [{"id": 601, "app_slug": "shady-ci", "created_at": "-2h",
                                "repository_selection": "selected"}]},
            {"login": "padco", "ghec": True, "owners": ["octo"], "hash_form": "padded",
             "audit_log": [{"action": "repo.create", "actor": "octo", "token": SUSPECT,
                            "created_at": "-1h", "repo": "padco/x"}]},
            {"login": "smallco", "ghec": False, "owners": ["octo"],
             "audit_log": [{"action": "repo.create", "actor": "octo", "created_at": "-1h"}]},
        ],
    }


@pytest.fixture
def sim() -> Iterator[GitHubSimulator]:
    with GitHubSimulator.from_seed(make_seed(), now=NOW) as running:
        yield running
    assert running.errors == []


def client(sim: GitHubSimulator, token: str | None = None, **kwargs: Any) -> httpx.Client:
    headers = {"user-agent": "responder-tests", "accept": "application/vnd.github+json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return httpx.Client(base_url=sim.api_url, headers=headers, timeout=10, **kwargs)


def requester(sim: GitHubSimulator, token: str | None) -> Any:
    throttle = {"seconds_between_requests": 0, "seconds_between_writes": 0}
    auth = Auth.Token(token) if token else None
    return Github(base_url=sim.api_url, auth=auth, retry=None, **throttle).requester


def full(short: str) -> str:
    return full_sha(short)


def hashed(token: str, padded: bool) -> str:
    digest = base64.b64encode(hashlib.sha256(token.encode()).digest()).decode()
    return digest if padded else digest.rstrip("=")


@cache
def _ghec_validator() -> Any:
    from openapi_schema_validator import OAS30Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    if not GHEC_DOC.is_file():
        pytest.skip(f"GHEC audit-log subset not found at {GHEC_DOC}")
    document = json.loads(GHEC_DOC.read_text())
    registry = Registry().with_resource(
        "urn:ghec", Resource.from_contents(document, default_specification=DRAFT4))
    schema = {"$ref": "urn:ghec#/paths/~1orgs~1{org}~1audit-log/get/responses/200/content/"
                      "application~1json/schema"}
    return OAS30Validator(schema, registry=registry)


def audit_schema_errors(body: Any) -> list[str]:
    return [error.message for error in _ghec_validator().iter_errors(body)]


def simple_user_errors(user: Any) -> list[str]:
    return _schema_errors(_pointer("components", "schemas", "simple-user"), user)


# Response shapes GitHub documents for schemas the subset does not carry (rest-api-description:
# commit-comparison, commit, diff-entry, organization-simple, installation).
COMPARISON_KEYS = {"url", "html_url", "permalink_url", "diff_url", "patch_url", "base_commit",
                   "merge_base_commit", "status", "ahead_by", "behind_by", "total_commits",
                   "commits"}
COMMIT_KEYS = {"url", "sha", "node_id", "html_url", "comments_url", "commit", "author",
               "committer", "parents"}
DIFF_ENTRY_KEYS = {"sha", "filename", "status", "additions", "deletions", "changes", "blob_url",
                   "raw_url", "contents_url"}
ORG_KEYS = {"login", "id", "node_id", "url", "repos_url", "events_url", "hooks_url",
            "issues_url", "members_url", "public_members_url", "avatar_url", "description"}
INSTALLATION_KEYS = {"id", "account", "repository_selection", "access_tokens_url",
                     "repositories_url", "html_url", "app_id", "target_id", "target_type",
                     "permissions", "events", "created_at", "updated_at", "single_file_name",
                     "app_slug", "suspended_by", "suspended_at"}


def assert_commit_shape(item: dict[str, Any], with_files: bool) -> None:
    assert item.keys() >= COMMIT_KEYS
    assert len(item["sha"]) == 40 and int(item["sha"], 16) >= 0
    assert {"author", "committer", "message", "tree", "url", "comment_count"} <= item[
        "commit"].keys()
    assert simple_user_errors(item["author"]) == []
    assert all({"sha", "url"} <= parent.keys() for parent in item["parents"])
    assert ("files" in item) is with_files
    for entry in item.get("files", []):
        assert entry.keys() >= DIFF_ENTRY_KEYS
        assert entry["changes"] == entry["additions"] + entry["deletions"]


# --- compare and commits -----------------------------------------------------------------------


@pytest.mark.parametrize(("basehead", "status", "ahead", "behind", "listed"), [
    (f"{SHAS['base']}...feature/ci", "ahead", 2, 0, ["f1", "f2"]),
    (f"feature/ci...{SHAS['base']}", "behind", 0, 2, []),
    (f"main...{SHAS['main']}", "identical", 0, 0, []),
    ("main...feature/ci", "diverged", 2, 1, ["f1", "f2"]),
    (f"{full(SHAS['base'])}...{full(SHAS['f2'])[:10]}", "ahead", 2, 0, ["f1", "f2"]),
])
def test_compare_walks_the_seeded_graph(sim, basehead, status, ahead, behind, listed) -> None:
    with client(sim, OCTO) as http:
        reply = http.get(f"/repos/acme/api/compare/{basehead}")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body.keys() >= COMPARISON_KEYS
    assert (body["status"], body["ahead_by"], body["behind_by"], body["total_commits"]) == (
        status, ahead, behind, ahead)
    assert [c["sha"] for c in body["commits"]] == [full(SHAS[name]) for name in listed]
    assert body["merge_base_commit"]["sha"] == full(
        SHAS["base"] if status in ("diverged", "ahead", "behind") else SHAS["main"])
    for item in [body["base_commit"], body["merge_base_commit"], *body["commits"]]:
        assert_commit_shape(item, with_files=False)
    assert body["url"] == f"{sim.api_url}/repos/acme/api/compare/{basehead}"
    # PyGithub reads the same comparison.
    _, data = requester(sim, OCTO).requestJsonAndCheck(
        "GET", f"/repos/acme/api/compare/{basehead}")
    assert data["status"] == status and len(data["commits"]) == len(listed)


def test_compare_files_are_the_head_side_changes_with_the_workflow(sim) -> None:
    _, data = requester(sim, OCTO).requestJsonAndCheck(
        "GET", "/repos/acme/api/compare/main...feature/ci")
    files = {entry["filename"]: entry for entry in data["files"]}
    # notes.txt was only removed on the head side: it stays listed as removed; the workflow was
    # added then changed, so it is one added file with both commits' lines.
    assert sorted(files) == [WORKFLOW, "notes.txt", "src/app.py"]
    assert (files[WORKFLOW]["status"], files[WORKFLOW]["additions"],
            files[WORKFLOW]["deletions"], files[WORKFLOW]["changes"]) == ("added", 23, 1, 24)
    assert files["notes.txt"]["status"] == "removed"
    assert files["src/app.py"]["status"] == "modified"
    for entry in data["files"]:
        assert entry.keys() >= DIFF_ENTRY_KEYS
    assert files[WORKFLOW]["contents_url"].startswith(sim.api_url)


def test_compare_errors(sim) -> None:
    with client(sim, OCTO) as http:
        unknown = http.get("/repos/acme/api/compare/main...deadbeef")
        unrelated = http.get("/repos/acme/api/compare/main...orphan")
        no_dots = http.get("/repos/acme/api/compare/main")
    assert (unknown.status_code, unknown.json()["message"]) == (404, "Not Found")
    assert unrelated.status_code == 404
    assert unrelated.json()["message"] == "No common ancestor between main and orphan."
    assert no_dots.status_code == 404
    with client(sim, STRANGER) as http:  # cannot see the private repository at all
        assert http.get("/repos/acme/api/compare/main...feature/ci").status_code == 404
    with pytest.raises(GithubException) as caught:
        requester(sim, OCTO).requestJsonAndCheck("GET", "/repos/acme/api/compare/x...main")
    assert caught.value.status == 404


def test_compare_pages_its_commits_when_asked(sim) -> None:
    with client(sim, OCTO) as http:
        first = http.get("/repos/acme/api/compare/main...feature/ci", params={"per_page": 1})
        second = http.get("/repos/acme/api/compare/main...feature/ci",
                          params={"per_page": 1, "page": 2})
    assert [c["sha"] for c in first.json()["commits"]] == [full(SHAS["f1"])]
    assert [c["sha"] for c in second.json()["commits"]] == [full(SHAS["f2"])]
    assert 'rel="next"' in first.headers["link"] and first.json()["ahead_by"] == 2


def test_commit_by_branch_sha_or_prefix(sim) -> None:
    gh = requester(sim, OCTO)
    _, by_branch = gh.requestJsonAndCheck("GET", "/repos/acme/api/commits/feature/ci")
    assert by_branch["sha"] == full(SHAS["f2"])
    assert_commit_shape(by_branch, with_files=True)
    assert [f["filename"] for f in by_branch["files"]] == [WORKFLOW, "notes.txt"]
    assert by_branch["stats"] == {"additions": 3, "deletions": 2, "total": 5}
    assert by_branch["parents"][0]["sha"] == full(SHAS["f1"])
    assert by_branch["commit"]["author"]["name"] == "Octo Cat"
    with client(sim, OCTO) as http:
        by_short = http.get(f"/repos/acme/api/commits/{SHAS['f1']}").json()
        by_prefix = http.get(f"/repos/acme/api/commits/{full(SHAS['f1'])[:12]}").json()
        missing = http.get("/repos/acme/api/commits/nope")
    assert by_short["sha"] == by_prefix["sha"] == full(SHAS["f1"])
    assert by_short["sha"].startswith(SHAS["f1"])  # a hex short sha starts its expansion
    assert (missing.status_code, missing.json()["message"]) == (
        422, "No commit found for SHA: nope")


# --- transferred repositories ------------------------------------------------------------------


def test_moved_repository_answers_301_to_its_id(sim) -> None:
    with client(sim, OCTO) as http:
        moved = http.get("/repos/acme/old-name/hooks", params={"per_page": 5})
        assert moved.status_code == 301
        location = f"{sim.api_url}/repositories/777000/hooks?per_page=5"
        assert moved.headers["location"] == location
        assert moved.json()["message"] == "Moved Permanently"
        assert moved.json()["url"] == location and moved.json()["documentation_url"]
        assert "x-ratelimit-remaining" in moved.headers
        followed = http.get("/repos/acme/old-name", follow_redirects=True)
        assert followed.status_code == 200 and followed.json()["full_name"] == "acme/new-name"
        by_id = http.get(location)
        assert [hook["id"] for hook in by_id.json()] == [5]
        assert http.get("/repositories/999999999").status_code == 404
        assert http.post("/repos/acme/old-name/hooks", json={}).status_code == 307
        # the new name works directly; compare follows the repository's own graph
        assert http.get("/repos/acme/new-name/compare/main...main").json()["status"] == (
            "identical")
    with client(sim, STRANGER) as http:  # the redirect is no way to learn a private repository
        assert http.get("/repos/acme/old-name").status_code == 404
    with client(sim) as http:  # a public one redirects anyone
        assert http.get("/repos/octo/was-public").status_code == 301


def test_pygithub_follows_the_301_without_the_query(sim) -> None:
    gh = requester(sim, OCTO)
    _, repo = gh.requestJsonAndCheck("GET", "/repos/acme/old-name")
    assert repo["full_name"] == "acme/new-name" and repo["id"] == 777000
    _, hooks = gh.requestJsonAndCheck("GET", "/repos/acme/old-name/hooks",
                                      parameters={"per_page": 1})
    assert [hook["id"] for hook in hooks] == [5]
    asked, followed = sim.requests[-2:]
    assert (asked.status, asked.query) == (301, {"per_page": ["1"]})
    assert (followed.path, followed.status, followed.query) == (
        "/repositories/777000/hooks", 200, {})  # PyGithub re-sends the Location's path only
    _, commit = gh.requestJsonAndCheck("GET", "/repos/acme/old-name/commits/main")
    assert commit["sha"] == full(SHAS["main"])


def test_events_of_a_moved_repository_carry_its_id(sim) -> None:
    with client(sim, OCTO) as http:
        events = http.get("/users/octo/events").json()
    push = next(e for e in events if e["id"] == "9100")
    assert push["repo"] == {"id": 777000, "name": "acme/old-name",
                            "url": f"{sim.api_url}/repos/acme/old-name"}


# --- events ------------------------------------------------------------------------------------


def test_activity_event_defaults_match_the_event_schema(sim) -> None:
    with client(sim, OCTO) as http:
        events = http.get("/users/octo/events").json()
    assert len(events) == 8
    for event in events:
        assert _schema_errors(_pointer("components", "schemas", "event"), event) == [], event
    by_id = {e["id"]: e for e in events}
    push = by_id["9101"]["payload"]
    assert push["before"] == "0" * 40 and push["head"] == full(SHAS["f2"])
    assert set(push) == {"repository_id", "push_id", "ref", "head", "before"}
    assert by_id["9100"]["payload"]["before"] == full(SHAS["base"])
    release = by_id["9102"]["payload"]
    assert release["action"] == "published"
    assert (release["release"]["tag_name"], release["release"]["name"]) == ("v9.9.9",
                                                                            "totally legit")
    assert release["release"]["author"]["login"] == "octo"
    assert by_id["9103"]["payload"]["ref_type"] == "repository"
    assert by_id["9104"]["payload"]["full_ref"] == "refs/tags/v9.9.9"
    assert by_id["9105"]["payload"]["full_ref"] == "refs/heads/topic"
    assert by_id["9106"]["payload"] == {}
    assert by_id["9107"]["payload"]["member"]["login"]
    assert by_id["9101"]["org"]["login"] == "acme"  # events in an org's repository name the org


# --- organizations and installations -----------------------------------------------------------


def test_user_orgs(sim) -> None:
    _, orgs = requester(sim, OCTO).requestJsonAndCheck("GET", "/user/orgs")
    assert [org["login"] for org in orgs] == sorted(
        ["acme", "padco", "smallco", "side-project"],
        key=lambda login: sim.state.org(login).id)
    assert all(org.keys() >= ORG_KEYS for org in orgs)
    assert orgs[[o["login"] for o in orgs].index("acme")]["id"] == 8888
    with client(sim, CAROL) as http:
        assert [o["login"] for o in http.get("/user/orgs").json()] == ["acme"]
    with client(sim, OCTO_GIST) as http:
        denied = http.get("/user/orgs")
    assert denied.status_code == 403
    assert denied.json()["message"] == (
        "You need at least read:org scope or user scope to list your organizations.")
    assert denied.headers["x-accepted-oauth-scopes"] == "admin:org, read:org, repo, user, write:org"
    with client(sim, INSTALLATION) as http:
        assert http.get("/user/orgs").status_code == 403


def test_user_installations_only_for_app_user_tokens(sim) -> None:
    _, listing = requester(sim, OCTO_APP_USER).requestJsonAndCheck("GET", "/user/installations")
    assert listing["total_count"] == 1
    [installation] = listing["installations"]
    assert installation.keys() >= INSTALLATION_KEYS
    assert (installation["app_slug"], installation["app_id"], installation["account"]["login"],
            installation["permissions"]) == (
        "shady-ci", 9001, "octo", {"contents": "write", "workflows": "write"})
    assert installation["created_at"] == "2026-05-01T10:00:00Z"
    for token in (OCTO, OCTO_FINE):
        with pytest.raises(GithubException) as caught:
            requester(sim, token).requestJsonAndCheck("GET", "/user/installations")
        assert caught.value.status == 403
        assert caught.value.data["message"] == (
            "You must authenticate with an access token authorized to a GitHub App in order to "
            "list installations")


def test_org_installations_for_owners(sim) -> None:
    with client(sim, OCTO) as http:
        reply = http.get("/orgs/acme/installations")
    assert reply.status_code == 200
    assert reply.json()["total_count"] == 1
    [item] = reply.json()["installations"]
    assert (item["id"], item["account"]["login"], item["target_type"],
            item["repository_selection"]) == (601, "acme", "Organization", "selected")
    with client(sim, CAROL) as http:
        assert http.get("/orgs/acme/installations").status_code == 404
    with client(sim, OCTO_GIST) as http:
        assert http.get("/orgs/acme/installations").status_code == 404


# --- the audit log -----------------------------------------------------------------------------


def audit(sim: GitHubSimulator, token: str = OCTO, org: str = "acme", **params: Any
          ) -> httpx.Response:
    with client(sim, token) as http:
        return http.get(f"/orgs/{org}/audit-log", params=params)


def test_audit_log_entries_match_the_schema_and_never_show_a_token(sim) -> None:
    reply = audit(sim, per_page=100, include="all")
    assert reply.status_code == 200
    body = reply.json()
    assert audit_schema_errors(body) == []
    assert SUSPECT not in reply.text and OCTO not in reply.text
    hook = next(e for e in body if e["action"] == "hook.create")
    assert hook["hashed_token"] == hashed(SUSPECT, padded=False)
    assert len(hook["hashed_token"]) == 43
    assert hook["@timestamp"] == hook["created_at"] == int(
        (NOW - timedelta(hours=1)).timestamp() * 1000)
    assert (hook["org"], hook["org_id"], hook["actor"], hook["actor_id"]) == (
        "acme", 8888, "octo", 1111)
    assert hook["config.url"] == "https://evil.example/hook" and hook["hook_id"] == 77
    assert hook["programmatic_access_type"] == "Personal access token (classic)"
    assert hook["token_scopes"] == "repo,admin:repo_hook"
    assert isinstance(hook["token_id"], int) and hook["operation_type"] == "create"
    assert len({e["_document_id"] for e in body}) == len(body)
    # default window: three months; Git events older than seven days are gone
    assert {e["action"] for e in body} == {
        "hook.create", "repo.access", "org.add_member", "public_key.create", "repo.create",
        "team.add_member", "repo.destroy", "git.clone"}


@pytest.mark.parametrize(("org", "padded", "count"), [
    ("acme", False, 7), ("acme", True, 0), ("padco", True, 1), ("padco", False, 0),
])
def test_hashed_token_matches_only_the_orgs_form(sim, org, padded, count) -> None:
    phrase = f'hashed_token:"{hashed(SUSPECT, padded)}"'
    reply = audit(sim, org=org, phrase=phrase, per_page=100, include="all")
    assert reply.status_code == 200
    assert len(reply.json()) == count
    assert all(e["hashed_token"] == hashed(SUSPECT, padded) for e in reply.json())
    # PyGithub encodes the phrase once, "+" and "/" included
    _, data = requester(sim, OCTO).requestJsonAndCheck(
        "GET", f"/orgs/{org}/audit-log",
        parameters={"phrase": phrase, "per_page": 100, "include": "all"})
    assert len(data) == count


def test_audit_phrase_qualifiers(sim) -> None:
    def actions(**params: Any) -> list[str]:
        reply = audit(sim, per_page=100, **params)
        assert reply.status_code == 200, reply.text
        return [e["action"] for e in reply.json()]

    since = (NOW - timedelta(hours=3, minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert actions(phrase=f"created:>={since}") == [
        "hook.create", "repo.access", "org.add_member"]
    assert actions(phrase="created:>=2026-03-01") == [
        "hook.create", "repo.access", "org.add_member", "public_key.create", "repo.create",
        "team.add_member", "repo.destroy"]
    assert actions(phrase="created:<2026-03-22") == []  # nothing older was seeded
    assert actions(phrase="created:2026-03-22") == ["repo.destroy"]
    assert actions(phrase="actor:carol") == ["team.add_member"]
    assert actions(phrase="action:repo") == ["repo.access", "repo.create", "repo.destroy"]
    assert actions(phrase="repo:acme/api action:hook.create") == ["hook.create"]
    assert actions(phrase="-actor:octo") == ["team.add_member"]
    assert actions(phrase="visibility:public") == ["repo.access"]
    assert actions(order="asc", phrase="actor:octo created:>=2026-04-30") == [
        "repo.create", "public_key.create", "org.add_member", "repo.access", "hook.create"]
    for bad in ("free text", 'hashed_token:"unbalanced', "created:>=yesterday"):
        reply = audit(sim, phrase=bad)
        assert (reply.status_code, reply.json()["message"]) == (400,
                                                                "The supplied query is invalid")


def test_audit_include_git(sim) -> None:
    web = [e["action"] for e in audit(sim, per_page=100).json()]
    git = [e["action"] for e in audit(sim, per_page=100, include="git").json()]
    everything = [e["action"] for e in audit(sim, per_page=100, include="all").json()]
    assert "git.clone" not in web and git == ["git.clone"]
    assert everything[0] == "git.clone" and len(everything) == len(web) + 1


def test_audit_cursor_pages(sim) -> None:
    seen: list[str] = []
    pages = []
    url: str | None = f"{sim.api_url}/orgs/acme/audit-log?per_page=3"
    with client(sim, OCTO) as http:
        while url:
            reply = http.get(url)
            assert reply.status_code == 200
            pages.append(reply)
            seen += [e["action"] for e in reply.json()]
            url = reply.links.get("next", {}).get("url")
    assert [len(p.json()) for p in pages] == [3, 3, 1]
    assert seen == [e["action"] for e in audit(sim, per_page=100).json()]
    first, second, third = pages
    assert set(first.links) == {"next"}
    assert set(second.links) == {"next", "prev", "first"}
    assert set(third.links) == {"prev", "first"}
    next_url = first.links["next"]["url"]
    assert "after=" in next_url and next_url.endswith("&before=") and "per_page=3" in next_url
    # prev goes back to exactly the first page; first restarts
    with client(sim, OCTO) as http:
        back = http.get(second.links["prev"]["url"]).json()
        restart = http.get(third.links["first"]["url"]).json()
    assert back == first.json() and restart == first.json()
    # PyGithub follows the same cursors through its requester
    gh = requester(sim, OCTO)
    headers, data = gh.requestJsonAndCheck("GET", "/orgs/acme/audit-log",
                                           parameters={"per_page": 3})
    cursor = httpx.URL(headers["link"].split(";")[0].strip("<>")).params["after"]
    _, more = gh.requestJsonAndCheck("GET", "/orgs/acme/audit-log",
                                     parameters={"per_page": 3, "after": cursor, "before": ""})
    assert [e["action"] for e in data + more] == seen[:6]
    assert audit(sim, after="!!not-a-cursor!!").status_code == 400


def test_audit_log_access(sim) -> None:
    not_owner = audit(sim, token=CAROL)
    assert not_owner.status_code == 403 and "organization owner" in not_owner.json()["message"]
    no_scope = audit(sim, token=OCTO_NO_AUDIT)
    assert no_scope.status_code == 403
    assert no_scope.headers["x-accepted-oauth-scopes"] == "admin:org, read:audit_log"
    assert no_scope.headers["x-oauth-scopes"] == "repo, read:org"
    assert audit(sim, token=OCTO_FINE).status_code == 200  # fine-grained: no scopes to check
    assert audit(sim, org="smallco").status_code == 404  # not on GHEC
    assert audit(sim, org="nobody").status_code == 404
    with client(sim) as http:
        assert http.get("/orgs/acme/audit-log").status_code == 401
    with pytest.raises(GithubException) as caught:
        requester(sim, CAROL).requestJsonAndCheck("GET", "/orgs/acme/audit-log")
    assert caught.value.status == 403
    with pytest.raises(GithubException) as caught:
        requester(sim, OCTO).requestJsonAndCheck("GET", "/orgs/smallco/audit-log")
    assert caught.value.status == 404


# --- the secondary rate limit ------------------------------------------------------------------


def _wait_until(condition: Callable[[], bool]) -> None:
    waiter = threading.Event()
    for _ in range(1000):  # ten seconds at most; a wait, not a timing assertion
        if condition():
            return
        waiter.wait(0.01)
    raise AssertionError("the simulator never reached the expected state")


def _fire(sim: GitHubSimulator, count: int, token: str = OCTO) -> tuple[list[threading.Thread],
                                                                        list[httpx.Response]]:
    replies: list[httpx.Response] = []

    def call() -> None:
        with client(sim, token) as http:
            replies.append(http.get("/user/orgs"))

    threads = [threading.Thread(target=call) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads, replies


def test_secondary_limit_refuses_requests_over_max_concurrent(sim) -> None:
    sim.max_concurrent = 2
    # Holding the state lock parks every admitted request inside its handler, so exactly
    # max_concurrent are in flight while the others arrive.
    with sim.state.lock:
        threads, replies = _fire(sim, 5)
        _wait_until(lambda: sim.in_flight.current == 2 and sim.in_flight.refused == 3)
    for thread in threads:
        thread.join(10)
    assert Counter(r.status_code for r in replies) == {200: 2, 403: 3}
    refused = [r for r in replies if r.status_code == 403]
    assert all(r.headers["retry-after"] == "1" for r in refused)
    assert all("secondary rate limit" in r.json()["message"] for r in refused)
    assert all("x-ratelimit-remaining" in r.headers for r in refused)
    assert sim.peak_in_flight == 2 and sim.in_flight.current == 0
    # PyGithub reads it as a rate limit
    sim.max_concurrent = 0
    with pytest.raises(RateLimitExceededException) as caught:
        requester(sim, OCTO).requestJsonAndCheck("GET", "/user/orgs")
    assert caught.value.status == 403 and caught.value.headers["retry-after"] == "1"


def test_latency_counts_as_time_in_flight(sim, monkeypatch) -> None:
    gate = threading.Event()
    real_sleep = time.sleep

    def held(seconds: float) -> None:  # the simulated latency lasts until the test says so
        if seconds == sim.latency:
            gate.wait(10)
        else:
            real_sleep(seconds)

    sim.latency = 0.123
    sim.max_concurrent = 1
    monkeypatch.setattr(time, "sleep", held)
    threads, replies = _fire(sim, 3)
    _wait_until(lambda: sim.in_flight.current == 1 and sim.in_flight.refused == 2)
    gate.set()
    for thread in threads:
        thread.join(10)
    assert sorted(r.status_code for r in replies) == [200, 403, 403]
    assert sim.peak_in_flight == 1


def test_peak_in_flight_under_the_limit(sim) -> None:
    with sim.state.lock:
        threads, replies = _fire(sim, 4)
        _wait_until(lambda: sim.in_flight.current == 4)
    for thread in threads:
        thread.join(10)
    assert [r.status_code for r in replies] == [200] * 4
    assert sim.peak_in_flight == 4 and sim.in_flight.refused == 0


def test_max_concurrent_from_the_seed() -> None:
    assert GitHubSimulator.from_seed({"max_concurrent": 7}).max_concurrent == 7
    assert GitHubSimulator.from_seed({}).max_concurrent == 100


# --- faults on one page of a list --------------------------------------------------------------


def test_fault_pattern_with_a_query_hits_only_that_page(sim) -> None:
    sim.faults.add(method="GET", path="/users/octo/events?*page=2*", status=502, times=None)
    with client(sim, OCTO) as http:
        first = http.get("/users/octo/events", params={"per_page": 3})
        second = http.get("/users/octo/events", params={"per_page": 3, "page": 2})
        again = http.get("/users/octo/events", params={"per_page": 3, "page": 2})
        third = http.get("/users/octo/events", params={"per_page": 3, "page": 3})
    assert [first.status_code, second.status_code, again.status_code, third.status_code] == [
        200, 502, 502, 200]
    gh = requester(sim, OCTO)
    gh.requestJsonAndCheck("GET", "/users/octo/events", parameters={"per_page": 3})
    with pytest.raises(GithubException) as caught:
        gh.requestJsonAndCheck("GET", "/users/octo/events", parameters={"per_page": 3, "page": 2})
    assert caught.value.status == 502


def test_fault_pattern_without_a_query_ignores_it(sim) -> None:
    sim.faults.add(method="GET", path="/users/octo/events", status=500, times=2)
    with client(sim, OCTO) as http:
        statuses = [http.get("/users/octo/events", params={"page": n}).status_code
                    for n in (1, 2, 3)]
    assert statuses == [500, 500, 200]


# --- seeds -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "message"), [
    ({"commits": [{"sha": "a1", "parents": ["zz"]}]}, "parent that is not seeded"),
    ({"commits": [{"sha": "a1"}], "branches": {"main": "b2"}}, "not a seeded commit"),
    ({"commits": [{"sha": "a1", "files": [{"filename": "x", "status": "moved"}]}]},
     "unknown status"),
    ({"commits": [{"sha": "a1"}, {"sha": "A1"}]}, "seeded twice"),
])
def test_seed_rejects_broken_histories(change, message) -> None:
    with pytest.raises(ValueError, match=message):
        GitHubState.from_seed({"repos": [{"full_name": "o/r", **change}]}, NOW)


def test_seed_rejects_bad_orgs() -> None:
    with pytest.raises(ValueError, match="hash_form"):
        GitHubState.from_seed({"orgs": [{"login": "o", "hash_form": "hex"}]}, NOW)
    with pytest.raises(ValueError, match="no action"):
        GitHubState.from_seed({"orgs": [{"login": "o", "audit_log": [{"actor": "x"}]}]}, NOW)
    with pytest.raises(ValueError, match="duplicate organization"):
        GitHubState.from_seed({"orgs": [{"login": "o"}, {"login": "O"}]}, NOW)
