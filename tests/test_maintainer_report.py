"""Issue 6's bar, through the CLI: the package behind the server, the channel a human would pick
(with reasons), `--submit` filing a body GitHub's OpenAPI description accepts, and a disclosure
without any of the user's private strings."""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime

import pytest
from github_openapi import report_body_errors
from scenario import ALL_TOKENS, make_incident

from responder.engine.drill import load_scenario
from responder.sim.npm import NpmSimulator
from responder.sim.web import WebSimulator

REPORTS = "/repos/modelcontextprotocol/servers/security-advisories/reports"


@pytest.fixture
def incident(sandbox, monkeypatch, capsys, request):
    """The default drill's incident, with its npm registry and web hosts simulated."""
    seed_changes = getattr(request, "param", None)
    case = make_incident(sandbox, monkeypatch, capsys, seed_changes=seed_changes)
    npm_seed = load_scenario("compromised-server", "default").data["providers"]["npm"]
    npm = NpmSimulator.from_seed(npm_seed, now=datetime.now(UTC))
    web = WebSimulator.from_seed({"sites": {}})
    npm.start()
    web.start()
    monkeypatch.setenv("RESPONDER_NPM_API_URL", npm.api_url)
    monkeypatch.setenv("RESPONDER_HOST_MAP", f"*={web.base_url}")
    case.npm = npm
    yield case
    npm.stop()
    web.stop()
    case.sim.stop()


def maintainer_step(envelope):
    return next(s for s in envelope["steps"] if s["id"] == "maintainer")["outputs"]


def test_the_channel_chosen_is_pvr_on_the_repository_the_releases_before_declared(incident):
    code, envelope = incident.run_json("run", "compromised-server", "--server", "github",
                                       "--yes")
    assert code == 0, json.dumps(envelope)[:2000]
    found = maintainer_step(envelope)
    package = next(p for p in found["packages"] if p["ecosystem"] == "npm")
    assert package["name"] == "@modelcontextprotocol/server-github"
    assert package["repository"] == "https://github.com/modelcontextprotocol/servers"
    assert [v["version"] for v in package["suspect_versions"]] == ["2025.11.21"]
    assert package["known_good"] == "2025.4.8"
    kinds = {s["kind"] for s in package["signals"]}
    assert {"recent_release", "new_publisher", "repository_changed"} <= kinds
    chosen = found["chosen"]
    # A human picks the private form on the real repository, not the attacker's new one and
    # not the maintainer's email from the registry.
    assert chosen["kind"] == "github-pvr" and chosen["trust"] == "high"
    assert chosen["address"] == ("https://github.com/modelcontextprotocol/servers/security/"
                                 "advisories/new")
    assert "private vulnerability reporting is enabled on modelcontextprotocol/servers" in \
        chosen["reasons"]
    assert any("security policy names this page" in r for r in chosen["reasons"])
    assert chosen["source"].startswith("GET /repos/modelcontextprotocol/servers/private-")
    assert all("mcp-servers-official" not in c["address"] for c in found["contacts"])
    assert [c["kind"] for c in found["contacts"]] == ["github-pvr", "email"]
    # Nothing was filed without --submit.
    assert not [r for r in incident.sim.requests if r.path == REPORTS]
    assert incident.sim.state.reports == []


def test_submit_files_a_body_that_validates_against_the_openapi_description(incident):
    code, envelope = incident.run_json("run", "compromised-server", "--server", "github",
                                       "--yes", "--submit")
    assert code == 0, json.dumps(envelope)[:2000]
    submit = next(s for s in envelope["steps"] if s["id"] == "submit")
    assert submit["status"] == "ok" and submit["outputs"]["submitted"] is True
    (sent,) = [r for r in incident.sim.requests if r.method == "POST" and r.path == REPORTS]
    assert sent.status == 201
    assert report_body_errors(sent.json) == []
    assert sent.json["vulnerabilities"] == [{
        "package": {"ecosystem": "npm", "name": "@modelcontextprotocol/server-github"},
        "vulnerable_version_range": "= 2025.11.21", "patched_versions": None,
        "vulnerable_functions": []}]
    assert sent.json["cwe_ids"] == ["CWE-506"]
    run_dir = incident.run_dirs()[-1]
    assert sent.json["description"] == (run_dir / "maintainer-report.md").read_text()
    assert sent.headers["authorization"].endswith(ALL_TOKENS[2])  # RESPONDER_GITHUB_TOKEN
    (filed,) = incident.sim.state.reports
    assert filed["repo"] == "modelcontextprotocol/servers"
    assert submit["outputs"]["ghsa_id"] == filed["ghsa_id"]


def test_dry_run_shows_the_exact_report_request_and_sends_nothing(incident):
    code, out, _ = incident.run("run", "compromised-server", "--server", "github", "--submit",
                                "--dry-run")
    assert code == 0
    assert f"request POST {incident.sim.base_url}{REPORTS} (with Authorization)" in out
    assert "description, exactly as it will be sent:" in out
    assert "suspected compromise of @modelcontextprotocol/server-github" in out
    assert not [r for r in incident.sim.requests if r.path == REPORTS]


def _template(seed):
    repo = next(r for r in seed["repos"] if r["full_name"] == "modelcontextprotocol/servers")
    repo["report_template"] = {"sections": [
        {"title": "Impact", "required": True},
        {"title": "Affected versions", "required": True}]}


@pytest.mark.parametrize("incident", [_template], indirect=True)
def test_a_report_template_422_is_answered_by_rebuilding_the_sections(incident):
    code, envelope = incident.run_json("run", "compromised-server", "--server", "github",
                                       "--yes", "--submit")
    assert code == 0, json.dumps(envelope)[:2000]
    posts = [r for r in incident.sim.requests if r.method == "POST" and r.path == REPORTS]
    assert [p.status for p in posts] == [422, 201]
    assert posts[0].response_json["errors"][0]["code"] == "missing_section"
    description = posts[1].json["description"]
    assert description.index("### Impact") < description.index("### Affected versions")
    assert "npm package `@modelcontextprotocol/server-github`" in description
    assert report_body_errors(posts[1].json) == []


def _ticked_box(seed):
    repo = next(r for r in seed["repos"] if r["full_name"] == "modelcontextprotocol/servers")
    repo["report_template"] = {"sections": [
        {"title": "Impact", "required": True},
        {"title": "Terms", "options": [
            {"label": "I have read the reporting guidelines", "required": True}]}]}


@pytest.mark.parametrize("incident", [_ticked_box], indirect=True)
def test_a_required_checkbox_is_never_ticked_for_the_user(incident):
    code, envelope = incident.run_json("run", "compromised-server", "--server", "github",
                                       "--yes", "--submit")
    submit = next(s for s in envelope["steps"] if s["id"] == "submit")
    assert code == 1 and submit["status"] == "failed"
    assert "I have read the reporting guidelines" in submit["error"]
    assert "only a person" in submit["error"]
    assert any("security/advisories/new" in m for m in submit["manual"])
    assert incident.sim.state.reports == []


def test_offline_still_drafts_both_documents_and_names_the_gaps(incident):
    code, envelope = incident.run_json("run", "compromised-server", "--server", "github",
                                       "--yes", "--offline")
    found = maintainer_step(envelope)
    assert found["gaps"][0].startswith("registry metadata and security contacts: not read: "
                                       "--offline")
    assert found["chosen"] is None
    run_dir = incident.run_dirs()[-1]
    disclosure = (run_dir / "maintainer-report.md").read_text()
    assert "npm package `@modelcontextprotocol/server-github`" in disclosure
    assert "not read: --offline" in (run_dir / "report.md").read_text()
    assert not [r for r in incident.npm.requests if r.path.startswith("/@")]


def test_registry_down_drafts_with_what_is_known(incident):
    incident.npm.faults.add("GET", "/@*", status=500, times=None)
    code, envelope = incident.run_json("run", "compromised-server", "--server", "github",
                                       "--yes")
    found = maintainer_step(envelope)
    assert any("npm metadata for @modelcontextprotocol/server-github" in g and "500" in g
               for g in found["gaps"]), found["gaps"]
    run_dir = incident.run_dirs()[-1]
    assert "npm package `@modelcontextprotocol/server-github`" in \
        (run_dir / "maintainer-report.md").read_text()
    assert code == 0


def test_the_disclosure_holds_none_of_the_planted_private_strings(incident):
    code, _ = incident.run_json("run", "compromised-server", "--server", "github", "--yes")
    assert code == 0
    run_dir = incident.run_dirs()[-1]
    disclosure = (run_dir / "maintainer-report.md").read_text()
    planted = [
        *ALL_TOKENS, str(incident.home), str(incident.workspace), "webapp", "tester",
        socket.gethostname(), os.uname().nodename.split(".")[0],
        "octo-dev", "octo-org", "octo-dev/api", "internal-tools", "payments", "mirror-tmp",
        "octo-dev@example.com", "Octo Dev", "responder-bot", "shadow-maint", "backup-sync",
        "ci-runner", ".kiro", "mcp.json", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghp_",
        "docs.example.com", "api.githubcopilot.com",
    ]
    for private in planted:
        assert private.lower() not in disclosure.lower(), private
    # ...and it still says what a maintainer needs.
    assert "2025.11.21" in disclosure and "exfil.attacker.example" in disclosure
    assert "## Timeline (UTC)" in disclosure


def test_a_user_template_replaces_the_shipped_one_and_cannot_leak(incident, tmp_path):
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "maintainer-report.md.j2").write_text(
        "Dear maintainers of {{ packages[0].name }}: {{ indicators | length }} indicators.\n"
        "{% for i in indicators %}{{ i }}\n{% endfor %}")
    code, _ = incident.run_json("run", "compromised-server", "--server", "github", "--yes",
                                "--templates", str(templates))
    assert code == 0
    text = (incident.run_dirs()[-1] / "maintainer-report.md").read_text()
    assert text.startswith("Dear maintainers of @modelcontextprotocol/server-github: 9 ")
    assert "octo-dev" not in text


def test_a_template_that_does_not_compile_stops_before_anything_changes(incident, tmp_path):
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "report.md.j2").write_text("line one\n{% for x in %}\n")
    before = incident.user_file.read_text()
    code, out, err = incident.run("run", "compromised-server", "--server", "github", "--yes",
                                  "--templates", str(templates))
    assert code == 2 and "Traceback" not in out + err
    assert f"{templates / 'report.md.j2'}, line 2" in out + err
    assert incident.user_file.read_text() == before
    assert not (incident.state / "runs").exists() or not incident.run_dirs()
