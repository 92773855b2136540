"""The GitHub simulator's security-reporting routes: PVR status, private reports with report
templates, and repository contents — through PyGithub and raw HTTP, every body checked against
GitHub's OpenAPI subset (and the newer PVR 422 delta)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from github import Auth, Github, GithubException, UnknownObjectException
from github_openapi import DELTA_URN, URN, pointer, registry, validation_errors

from responder.sim.github import GitHubSimulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
ADMIN = "ghp_" + "Ad1" * 12  # admin of every acme repository
REPORTER = "ghp_" + "Rp2" * 12  # an outsider with a classic token
REPORTER_FINE = "github_pat_11REPORTER0" + "r" * 71
CAROL = "ghp_" + "Ca3" * 12  # push access to acme/mcp-weather, no admin

REPO_POLICY = "# Security\nReport to security@acme.example.\n"
GITHUB_DIR_POLICY = "# Security (.github)\n"
DOCS_POLICY = "# Security (docs)\n"
ORG_POLICY = "# Acme security policy\nUse private vulnerability reporting.\n"
TERMS = "I have read the reporting guidelines"
TEMPLATE = {
    "sections": [
        {"title": "Impact", "required": True},
        {"title": "Steps to reproduce", "required": True},
        {"title": "Terms", "options": [{"label": TERMS, "required": True},
                                       {"label": "I would like to be credited"}]},
    ]
}
GOOD_DESCRIPTION = f"""## Impact
Version 2.1.0 sends the MCP client's environment to a remote host.

## Steps to reproduce
1. Run `npx -y @acme/mcp-weather@2.1.0`.
2. Watch outbound connections.

## Terms
- [x] {TERMS}
- [ ] I would like to be credited
"""


def make_seed() -> dict[str, Any]:
    return {
        "users": [
            {"login": "acme-admin", "id": 7001, "tokens": [{"value": ADMIN, "scopes": ["repo"]}]},
            {"login": "reporter", "id": 7002,
             "tokens": [{"value": REPORTER, "scopes": ["public_repo"]},
                        {"value": REPORTER_FINE}]},
            {"login": "carol", "id": 7003, "tokens": [{"value": CAROL, "scopes": ["repo"]}]},
        ],
        "repos": [
            {
                "full_name": "acme/mcp-weather",
                "homepage": "https://acme.example",
                "private_vulnerability_reporting": True,
                "admins": ["acme-admin"],
                "collaborators": [{"login": "carol", "permission": "write"}],
                "files": {
                    "SECURITY.md": REPO_POLICY,
                    ".github/SECURITY.md": GITHUB_DIR_POLICY,
                    ".github/ISSUE_TEMPLATE/bug.md": "bug\n",
                    "docs/SECURITY.md": DOCS_POLICY,
                    "hello.txt": "hello\n",
                    "empty.txt": "",
                },
                "report_template": TEMPLATE,
            },
            {"full_name": "acme/mcp-tools", "private_vulnerability_reporting": True,
             "admins": ["acme-admin"]},
            {"full_name": "acme/plain", "admins": ["acme-admin"]},
            {"full_name": "acme/.github", "files": {"SECURITY.md": ORG_POLICY}},
            {"full_name": "acme/internal", "private": True, "admins": ["acme-admin"],
             "private_vulnerability_reporting": True,
             "files": {"SECURITY.md": "# internal\n"}},
        ],
    }


@pytest.fixture
def sim() -> Any:
    with GitHubSimulator.from_seed(make_seed(), now=NOW) as running:
        yield running
    assert running.errors == []


def github(sim: GitHubSimulator, token: str | None) -> Github:
    auth = Auth.Token(token) if token else None
    return Github(auth=auth, base_url=sim.base_url, retry=None, seconds_between_requests=0,
                  seconds_between_writes=0)


def call(sim: GitHubSimulator, method: str, path: str, token: str | None = None,
         body: Any = None, **headers: str) -> httpx.Response:
    sent = {"User-Agent": "responder-tests", "Accept": "application/vnd.github+json", **headers}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    return httpx.request(method, sim.base_url + path, headers=sent, timeout=5,
                         content=None if body is None else json.dumps(body).encode())


# --- the OpenAPI subset and the PVR 422 delta --------------------------------------------------


REPORTS = "/repos/{owner}/{repo}/security-advisories/reports"
PVR = "/repos/{owner}/{repo}/private-vulnerability-reporting"
CONTENTS = "/repos/{owner}/{repo}/contents/{path}"
def schema_errors(ref: str, instance: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message[:200]}"
            for e in validation_errors(ref, instance) if not _nullable_quirk(e)]


def _nullable_quirk(error: Any) -> bool:
    """OpenAPI 3.0's `nullable: true` beside an enum (severity) or an `allOf: [$ref]` (publisher,
    private_fork): the validator still applies the enum or the referenced schema to null. GitHub
    means null is allowed there, and its own advisory example carries such nulls."""
    if error.instance is not None:
        return False
    nullable_enum = error.validator == "enum" and error.schema.get("nullable")
    return bool(nullable_enum) or "allOf" in error.absolute_schema_path


def response_schema(method: str, template: str, status: int) -> str | None:
    """The subset's schema for a documented response; None when it has no body."""
    document = registry().contents(URN)
    response = document["paths"][template][method.lower()]["responses"][str(status)]
    parts: tuple[str, ...] = ("paths", template, method.lower(), "responses", str(status))
    if "$ref" in response:
        name = response["$ref"].rsplit("/", 1)[-1]
        parts, response = ("components", "responses", name), document["components"][
            "responses"][name]
    if "content" not in response:
        return None
    return URN + pointer(*parts, "content", "application/json", "schema")


REQUEST_SCHEMA = URN + pointer("components", "schemas", "private-vulnerability-report-create")
TEMPLATE_ERROR_SCHEMA = DELTA_URN + pointer("paths", REPORTS, "post", "responses", "422",
                                             "content", "application/json", "schema")


def assert_documented(method: str, template: str, reply: httpx.Response) -> None:
    ref = response_schema(method, template, reply.status_code)
    if template == CONTENTS and reply.status_code == 200 and isinstance(reply.json(), list):
        # The validator cannot follow the oneOf's discriminator to the array branch ("array"
        # names content-directory), so a listing is checked against that branch itself.
        ref = URN + pointer("components", "schemas", "content-directory")
    if ref is None:
        assert reply.content == b""
    else:
        assert schema_errors(ref, reply.json()) == []


# --- private vulnerability reporting: status -----------------------------------------------------


def test_pvr_status_through_pygithub_requester(sim) -> None:
    for token in (None, REPORTER, ADMIN):
        headers, data = github(sim, token).requester.requestJsonAndCheck(
            "GET", "/repos/acme/mcp-weather/private-vulnerability-reporting")
        assert data["enabled"] is True
        assert schema_errors(response_schema("GET", PVR, 200), data) == []
    _, data = github(sim, None).requester.requestJsonAndCheck(
        "GET", "/repos/acme/plain/private-vulnerability-reporting")
    assert data["enabled"] is False


@pytest.mark.parametrize("token", [None, REPORTER, REPORTER_FINE])
def test_pvr_status_of_an_invisible_repository_is_404(sim, token) -> None:
    reply = call(sim, "GET", "/repos/acme/internal/private-vulnerability-reporting", token)
    assert reply.status_code == 404 and reply.json()["message"] == "Not Found"
    assert call(sim, "GET", "/repos/acme/nope/private-vulnerability-reporting",
                token).status_code == 404
    assert call(sim, "GET", "/repos/acme/internal/private-vulnerability-reporting",
                ADMIN).json() == {"enabled": True}


def test_admins_switch_pvr_and_others_cannot(sim) -> None:
    path = "/repos/acme/plain/private-vulnerability-reporting"
    enabled = call(sim, "PUT", path, ADMIN)
    assert enabled.status_code == 204
    assert_documented("PUT", PVR, enabled)
    assert call(sim, "GET", path).json() == {"enabled": True}
    for token, status in [(REPORTER, 403), (CAROL, 403), (None, 401)]:
        refused = call(sim, "DELETE", path, token)
        assert refused.status_code == status
        assert refused.json()["message"]
    assert sim.state.repo("acme", "plain").private_vulnerability_reporting is True
    disabled = call(sim, "DELETE", path, ADMIN)
    assert disabled.status_code == 204
    assert_documented("DELETE", PVR, disabled)
    assert call(sim, "GET", path).json() == {"enabled": False}
    private = call(sim, "PUT", "/repos/acme/internal/private-vulnerability-reporting", ADMIN)
    assert private.status_code == 422
    assert_documented("PUT", PVR, private)


# --- private vulnerability reporting: reports ----------------------------------------------------


def test_report_through_pygithub_files_a_triage_advisory(sim) -> None:
    repo = github(sim, REPORTER).get_repo("acme/mcp-tools")
    advisory = repo.report_security_vulnerability(
        summary="Malicious release 2.1.0 exfiltrates credentials",
        description="Version 2.1.0 posts environment variables to a remote host.",
        severity_or_cvss_vector_string="critical",
        vulnerabilities=[{"package": {"ecosystem": "npm", "name": "@acme/mcp-tools"},
                          "vulnerable_version_range": "= 2.1.0", "patched_versions": None,
                          "vulnerable_functions": []}],
        cwe_ids=["CWE-506"],
    )
    assert advisory.ghsa_id.startswith("GHSA-") and len(advisory.ghsa_id) == 19
    assert advisory.state == "triage" and advisory.severity == "critical"
    assert advisory.author.login == "reporter"
    assert advisory.cwes[0].cwe_id == "CWE-506"
    posted = [r for r in sim.requests if r.method == "POST"][-1]
    assert posted.status == 201
    assert schema_errors(REQUEST_SCHEMA, posted.json) == []
    assert schema_errors(response_schema("POST", REPORTS, 201), posted.response_json) == []
    assert posted.response_json["submission"] == {"accepted": False}
    assert posted.response_json["credits"] == []
    assert posted.response_json["collaborating_users"] is None
    [filed] = sim.state.reports
    assert filed["repo"] == "acme/mcp-tools" and filed["login"] == "reporter"
    assert filed["body"] == posted.json and filed["ghsa_id"] == advisory.ghsa_id


def test_report_with_a_cvss_vector_and_a_fine_grained_token(sim) -> None:
    vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    reply = call(sim, "POST", "/repos/acme/mcp-tools/security-advisories/reports",
                 REPORTER_FINE, {"summary": "s", "description": "d",
                                 "cvss_vector_string": vector, "start_private_fork": False})
    assert reply.status_code == 201, reply.json()
    assert_documented("POST", REPORTS, reply)
    body = reply.json()
    assert body["cvss"] == {"vector_string": vector, "score": 9.8}
    assert body["cvss_severities"] == {"cvss_v3": body["cvss"], "cvss_v4": None}
    assert body["severity"] == "critical"  # derived from the vector


@pytest.mark.parametrize(("vector", "score", "severity"), [
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "critical"),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "critical"),
    ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 6.5, "medium"),
    ("CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.8, "low"),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, None),
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", None, None),
])
def test_severity_follows_the_cvss_base_score(sim, vector, score, severity) -> None:
    reply = call(sim, "POST", "/repos/acme/mcp-tools/security-advisories/reports", REPORTER,
                 {"summary": "s", "description": "d", "cvss_vector_string": vector})
    assert reply.status_code == 201, reply.json()
    assert_documented("POST", REPORTS, reply)
    assert reply.json()["cvss"]["score"] == score
    assert reply.json()["severity"] == severity


def test_report_that_satisfies_the_template_through_pygithub(sim) -> None:
    repo = github(sim, REPORTER).get_repo("acme/mcp-weather")
    advisory = repo.report_security_vulnerability("Malicious 2.1.0", GOOD_DESCRIPTION, "high")
    assert advisory.description == GOOD_DESCRIPTION
    assert [r["ghsa_id"] for r in sim.state.reports] == [advisory.ghsa_id]


IMPACT = "## Impact\nVersion 2.1.0 sends the MCP client's environment to a remote host.\n\n"
STEPS = "## Steps to reproduce\n1. Run it.\n\n"
TICKED = f"## Terms\n- [x] {TERMS}\n"

TEMPLATE_CASES = [
    ("missing_section", STEPS + TICKED,
     [{"code": "missing_section", "section": "Impact"}]),
    ("missing_two", TICKED,
     [{"code": "missing_section", "section": "Impact"},
      {"code": "missing_section", "section": "Steps to reproduce"}]),
    ("empty_section", "## Impact\n<!-- what can an attacker do? -->\n\n" + STEPS + TICKED,
     [{"code": "empty_section", "section": "Impact"}]),
    ("unchecked_required_option", IMPACT + STEPS + f"## Terms\n- [ ] {TERMS}\n",
     [{"code": "unchecked_required_option", "section": "Terms", "option": TERMS}]),
    ("ticked_outside_its_section", IMPACT + f"- [x] {TERMS}\n" + STEPS + "## Terms\nnone\n",
     [{"code": "unchecked_required_option", "section": "Terms", "option": TERMS}]),
    ("terms_missing", IMPACT + STEPS,
     [{"code": "unchecked_required_option", "section": "Terms", "option": TERMS}]),
    ("sections_out_of_order", STEPS + IMPACT + TICKED,
     [{"code": "sections_out_of_order", "section": "Impact"}]),
    ("heading_in_a_code_fence", "```\n## Impact\n```\n" + STEPS + TICKED,
     [{"code": "missing_section", "section": "Impact"}]),
    ("plain_text_is_no_heading", "Impact: it is bad\n\n" + STEPS + TICKED,
     [{"code": "missing_section", "section": "Impact"}]),
]


@pytest.mark.parametrize(("description", "expected"),
                         [case[1:] for case in TEMPLATE_CASES],
                         ids=[case[0] for case in TEMPLATE_CASES])
def test_template_errors_match_the_newer_422_shape(sim, description, expected) -> None:
    reply = call(sim, "POST", "/repos/acme/mcp-weather/security-advisories/reports", REPORTER,
                 {"summary": "Malicious 2.1.0", "description": description, "severity": "high"})
    assert reply.status_code == 422
    body = reply.json()
    assert schema_errors(TEMPLATE_ERROR_SCHEMA, body) == []
    assert body["message"] == ("Advisory description does not satisfy this repository's "
                               "report template.")
    assert body["documentation_url"].startswith("https://docs.github.com/")
    assert body["errors"] == [{"resource": "RepositoryAdvisory", "field": "description", **e}
                              for e in expected]
    assert sim.state.reports == []


def test_template_error_through_pygithub_names_the_section(sim) -> None:
    repo = github(sim, REPORTER).get_repo("acme/mcp-weather")
    with pytest.raises(GithubException) as raised:
        repo.report_security_vulnerability("Malicious 2.1.0", STEPS + TICKED, "high")
    assert raised.value.status == 422
    assert raised.value.data["errors"][0]["code"] == "missing_section"
    assert raised.value.data["errors"][0]["section"] == "Impact"


def test_template_matching_is_lenient_about_case_level_and_bullets(sim) -> None:
    description = ("# IMPACT #\nIt leaks tokens.\n\n###### steps TO reproduce\nRun it.\n"
                   "### Details\nmore\n\n## Terms\n* [X] i have read the  reporting guidelines\n")
    reply = call(sim, "POST", "/repos/acme/mcp-weather/security-advisories/reports", REPORTER,
                 {"summary": "s", "description": description})
    assert reply.status_code == 201, reply.json()
    assert_documented("POST", REPORTS, reply)


BODY_CASES = [
    # (id, body, accepted): the simulator must agree with the OpenAPI request schema.
    ("minimal", {"summary": "s", "description": "d"}, True),
    ("full", {"summary": "s", "description": "d", "severity": "low", "cwe_ids": ["CWE-912"],
              "vulnerabilities": [{"package": {"ecosystem": "pip", "name": None},
                                   "vulnerable_version_range": None, "patched_versions": "1.5",
                                   "vulnerable_functions": ["run"]}],
              "start_private_fork": True}, True),
    ("nulls", {"summary": "s", "description": "d", "vulnerabilities": None, "cwe_ids": None,
               "cvss_vector_string": None}, True),
    ("cve_id", {"summary": "s", "description": "d", "cve_id": "CVE-2026-0001"}, False),
    ("credits", {"summary": "s", "description": "d", "credits": []}, False),
    ("no_description", {"summary": "s"}, False),
    ("no_summary", {"description": "d"}, False),
    ("summary_too_long", {"summary": "x" * 1025, "description": "d"}, False),
    ("description_too_long", {"summary": "s", "description": "x" * 65536}, False),
    ("severity_unknown", {"summary": "s", "description": "d", "severity": "urgent"}, False),
    ("severity_null", {"summary": "s", "description": "d", "severity": None}, True),
    ("summary_not_a_string", {"summary": 5, "description": "d"}, False),
    ("vulnerability_extra_key", {"summary": "s", "description": "d", "vulnerabilities": [
        {"package": {"ecosystem": "npm", "name": "x"}, "cve": "x"}]}, False),
    ("ecosystem_pypi", {"summary": "s", "description": "d", "vulnerabilities": [
        {"package": {"ecosystem": "pypi", "name": "x"}}]}, False),
    ("no_package", {"summary": "s", "description": "d", "vulnerabilities": [
        {"vulnerable_version_range": "< 2"}]}, False),
    ("cwe_not_a_string", {"summary": "s", "description": "d", "cwe_ids": [506]}, False),
    ("not_an_object", ["summary", "description"], False),
]


@pytest.mark.parametrize(("body", "accepted"), [case[1:] for case in BODY_CASES],
                         ids=[case[0] for case in BODY_CASES])
def test_body_validation_agrees_with_the_request_schema(sim, body, accepted) -> None:
    assert (schema_errors(REQUEST_SCHEMA, body) == []) is accepted
    reply = call(sim, "POST", "/repos/acme/mcp-tools/security-advisories/reports", REPORTER, body)
    assert reply.status_code == (201 if accepted else 422), reply.json()
    assert_documented("POST", REPORTS, reply)
    if not accepted:
        assert reply.json()["message"].startswith("Invalid request.\n\n")
    assert len(sim.state.reports) == int(accepted)


@pytest.mark.parametrize(("body", "field"), [
    ({"severity": "high", "cvss_vector_string": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
     "severity"),
    ({"cvss_vector_string": "9.8"}, "cvss_vector_string"),
    ({"cwe_ids": ["506"]}, "cwe_ids"),
])
def test_semantic_problems_are_validation_failed(sim, body, field) -> None:
    reply = call(sim, "POST", "/repos/acme/mcp-tools/security-advisories/reports", REPORTER,
                 {"summary": "s", "description": "d", **body})
    assert reply.status_code == 422
    assert_documented("POST", REPORTS, reply)
    assert reply.json()["message"] == "Validation Failed"
    assert reply.json()["errors"][0]["field"] == field
    assert sim.state.reports == []


def test_report_needs_a_token_an_enabled_repository_and_a_visible_one(sim) -> None:
    body = {"summary": "s", "description": "d", "severity": "high"}
    anonymous = call(sim, "POST", "/repos/acme/mcp-tools/security-advisories/reports", None, body)
    assert anonymous.status_code == 401
    disabled = call(sim, "POST", "/repos/acme/plain/security-advisories/reports", REPORTER, body)
    assert disabled.status_code == 422
    assert_documented("POST", REPORTS, disabled)
    assert "private vulnerability reporting is not enabled" in disabled.json()["message"].lower()
    hidden = call(sim, "POST", "/repos/acme/internal/security-advisories/reports", REPORTER, body)
    assert hidden.status_code == 404
    assert_documented("POST", REPORTS, hidden)
    missing = call(sim, "POST", "/repos/acme/none/security-advisories/reports", REPORTER, body)
    assert missing.status_code == 404
    garbled = httpx.post(sim.base_url + "/repos/acme/mcp-tools/security-advisories/reports",
                         content=b"{not json", headers={"Authorization": f"Bearer {REPORTER}",
                                                        "User-Agent": "t"})
    assert garbled.status_code == 400
    with pytest.raises(GithubException) as raised:
        github(sim, REPORTER).get_repo("acme/plain").report_security_vulnerability(
            "s", "d", "high")
    assert raised.value.status == 422
    assert sim.state.reports == []


def test_pygithub_cve_id_puts_a_forbidden_key_in_the_body(sim) -> None:
    repo = github(sim, REPORTER).get_repo("acme/mcp-tools")
    with pytest.raises(GithubException) as raised:
        repo.report_security_vulnerability("s", "d", "high", cve_id="CVE-2026-0001")
    assert raised.value.status == 422
    assert '"cve_id" is not a permitted key.' in raised.value.data["message"]


# --- repository contents -------------------------------------------------------------------------


@pytest.mark.parametrize(("repo", "path", "text"), [
    ("acme/mcp-weather", "SECURITY.md", REPO_POLICY),
    ("acme/mcp-weather", ".github/SECURITY.md", GITHUB_DIR_POLICY),
    ("acme/mcp-weather", "docs/SECURITY.md", DOCS_POLICY),
    ("acme/.github", "SECURITY.md", ORG_POLICY),
])
def test_security_policies_through_pygithub(sim, repo, path, text) -> None:
    content = github(sim, None).get_repo(repo).get_contents(path)
    assert content.decoded_content.decode() == text
    assert content.path == path and content.name == path.rsplit("/", 1)[-1]
    assert content.html_url == f"https://github.com/{repo}/blob/main/{path}"
    reply = call(sim, "GET", f"/repos/{repo}/contents/{path}")
    assert_documented("GET", CONTENTS, reply)


def test_content_file_is_encoded_like_github(sim) -> None:
    long_text = "x" * 200
    sim.state.repo("acme", "mcp-weather").files["long.txt"] = long_text
    hello = call(sim, "GET", "/repos/acme/mcp-weather/contents/hello.txt").json()
    assert hello["sha"] == "ce013625030ba8dba906f756967f9e9ca394464a"  # git hash-object
    assert hello["content"] == "aGVsbG8K\n" and hello["size"] == 6
    assert hello["encoding"] == "base64" and hello["type"] == "file"
    assert hello["git_url"].endswith(f"/git/blobs/{hello['sha']}")
    assert hello["_links"] == {"self": hello["url"], "git": hello["git_url"],
                               "html": hello["html_url"]}
    empty = call(sim, "GET", "/repos/acme/mcp-weather/contents/empty.txt").json()
    assert empty["sha"] == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391" and empty["content"] == ""
    wrapped = call(sim, "GET", "/repos/acme/mcp-weather/contents/long.txt").json()["content"]
    lines = wrapped.split("\n")
    assert lines[-1] == "" and all(len(line) == 60 for line in lines[:-2])
    assert base64.b64decode(wrapped) == long_text.encode()
    raw = call(sim, "GET", "/repos/acme/mcp-weather/contents/SECURITY.md",
               Accept="application/vnd.github.raw+json")
    assert raw.status_code == 200 and raw.text == REPO_POLICY


def test_a_directory_lists_its_entries(sim) -> None:
    reply = call(sim, "GET", "/repos/acme/mcp-weather/contents/.github")
    assert_documented("GET", CONTENTS, reply)
    listing = reply.json()
    assert [(e["type"], e["path"]) for e in listing] == [
        ("dir", ".github/ISSUE_TEMPLATE"), ("file", ".github/SECURITY.md")]
    assert listing[0]["download_url"] is None and "content" not in listing[1]


@pytest.mark.parametrize(("path", "token"), [
    ("/repos/acme/mcp-weather/contents/security.md", None),  # case-sensitive
    ("/repos/acme/plain/contents/SECURITY.md", None),
    ("/repos/acme/.github/contents/docs/SECURITY.md", None),
    ("/repos/acme/internal/contents/SECURITY.md", None),
    ("/repos/acme/internal/contents/SECURITY.md", REPORTER),
    ("/repos/acme/none/contents/SECURITY.md", None),
    ("/repos/acme/mcp-weather/contents/SECURITY.md?ref=no-such-branch", None),
])
def test_missing_or_hidden_files_are_404(sim, path, token) -> None:
    reply = call(sim, "GET", path, token)
    assert reply.status_code == 404
    assert_documented("GET", CONTENTS, reply)
    assert reply.json()["documentation_url"].startswith("https://docs.github.com/")


def test_a_trailing_slash_and_the_default_branch_still_name_the_file(sim) -> None:
    for path in ("SECURITY.md/", "SECURITY.md?ref=main"):
        reply = call(sim, "GET", f"/repos/acme/mcp-weather/contents/{path}")
        assert reply.status_code == 200
        assert base64.b64decode(reply.json()["content"]).decode() == REPO_POLICY


def test_files_are_also_served_by_repository_id(sim) -> None:
    number = sim.state.repo("acme", "mcp-weather").id
    reply = call(sim, "GET", f"/repositories/{number}/contents/docs/SECURITY.md")
    assert reply.status_code == 200 and reply.json()["path"] == "docs/SECURITY.md"
    status = call(sim, "GET", f"/repositories/{number}/private-vulnerability-reporting")
    assert status.json() == {"enabled": True}


def test_a_private_repository_shows_its_files_to_members(sim) -> None:
    reply = call(sim, "GET", "/repos/acme/internal/contents/SECURITY.md", ADMIN)
    assert reply.status_code == 200
    with pytest.raises(UnknownObjectException):
        github(sim, REPORTER).get_repo("acme/internal")


def test_repository_shows_the_seeded_homepage(sim) -> None:
    repo = github(sim, None).get_repo("acme/mcp-weather")
    assert repo.homepage == "https://acme.example"
    assert repo.html_url == "https://github.com/acme/mcp-weather"


def test_seeded_report_template_is_checked() -> None:
    from responder.sim.github_state import GitHubState

    bad = {"repos": [{"full_name": "a/b", "report_template": {"sections": [{"required": True}]}}]}
    with pytest.raises(ValueError, match="no title"):
        GitHubState.from_seed(bad)
    with pytest.raises(ValueError, match="relative path"):
        GitHubState.from_seed({"repos": [{"full_name": "a/b", "files": {"/etc/x": "y"}}]})
