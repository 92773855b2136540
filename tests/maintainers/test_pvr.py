"""The GitHub private vulnerability report: the body against GitHub's OpenAPI schema
(`private-vulnerability-report-create`), report-template 422s read and answered, and the
maintainer.submit action filing it on the GitHub simulator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from github_openapi import report_body_errors

from responder.actions.submit import SubmitReport
from responder.core.secrets import Secret, SecretRegistry
from responder.engine.approvals import ApprovalPolicy
from responder.engine.context import Endpoints
from responder.engine.loader import load
from responder.engine.output import Output
from responder.engine.session import RunRequest, build_context
from responder.maintainers import pvr
from responder.sim.github import GitHubSimulator
from responder.sim.github_security import template_errors as sim_template_errors
from responder.sim.github_state import _report_template

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
REPORTER = "ghp_" + "Rp7" * 12  # fake, in a known format
TERMS = "I have read the security policy"
CREDIT = "I would like to be credited"

DISCLOSURE = """# Security report: suspected compromise of @acme/mcp-weather

## Affected package

npm `@acme/mcp-weather` 2.1.0, published 2026-05-01T06:00:00Z by mallory.

## What happened

Version 2.1.0 read the MCP client's environment and sent tokens to a remote host.

## Timeline (UTC)

- 2026-05-01T06:00:00Z 2.1.0 published
- 2026-05-01T11:00:00Z tokens used from an unknown address

## Indicators

- exfil.attacker.example

## What we ask

Unpublish 2.1.0 and rotate the publishing credentials.
"""

PACKAGES = [
    {"ecosystem": "npm", "name": "@acme/mcp-weather", "version": None,
     "suspect_versions": [{"version": "2.1.0", "published": "2026-05-01T06:00:00Z",
                           "publisher": "mallory"}]},
]


# --- the OpenAPI subset -------------------------------------------------------------------------


def schema_errors(instance: Any) -> list[str]:
    return report_body_errors(instance)


def test_the_validator_rejects_what_the_schema_forbids():
    # proves the check below is not vacuous
    assert schema_errors({"summary": "s", "description": "d", "cve_id": "CVE-2026-1"})
    assert schema_errors({"summary": "s", "description": "d", "severity": "moderate"})
    assert schema_errors({"summary": "s", "description": "d", "severity": None})
    assert schema_errors({"summary": "x" * 1025, "description": "d"})


# --- body ---------------------------------------------------------------------------------------


def test_body_validates_against_the_schema():
    body = pvr.body("Suspected compromise of @acme/mcp-weather", DISCLOSURE, PACKAGES)
    assert schema_errors(body) == []
    assert body["severity"] == "high"
    assert body["cwe_ids"] == ["CWE-506"]
    assert body["vulnerabilities"] == [{
        "package": {"ecosystem": "npm", "name": "@acme/mcp-weather"},
        "vulnerable_version_range": "= 2.1.0",
        "patched_versions": None,
        "vulnerable_functions": [],
    }]
    assert body["description"] == DISCLOSURE


def test_body_never_has_the_fields_the_schema_forbids():
    body = pvr.body("s", "d", PACKAGES)
    assert "cve_id" not in body and "credits" not in body
    assert set(body) <= {"summary", "description", "vulnerabilities", "cwe_ids", "severity",
                         "cvss_vector_string", "start_private_fork"}


@pytest.mark.parametrize("severity", ["critical", "high", "medium", "low"])
def test_every_severity_in_the_enum_validates(severity):
    body = pvr.body("s", "d", PACKAGES, severity=severity)
    assert body["severity"] == severity and schema_errors(body) == []


@pytest.mark.parametrize(("ecosystem", "expected"), [
    ("npm", "npm"), ("pypi", "pip"), ("go", "go"), ("oci", "other"), ("jsr", "other"),
    ("vcs", "other"),
])
def test_ecosystems_map_to_githubs_enum(ecosystem, expected):
    body = pvr.body("s", "d", [{"ecosystem": ecosystem, "name": "x", "suspect_versions": []}])
    (vulnerability,) = body["vulnerabilities"]
    assert vulnerability["package"]["ecosystem"] == expected
    assert vulnerability["vulnerable_version_range"] is None  # no version known: null, allowed
    assert schema_errors(body) == []


def test_remote_hosts_and_local_code_are_not_packages():
    body = pvr.body("s", "d", [{"ecosystem": "remote", "name": "mcp.acme.example"},
                               {"ecosystem": "path", "name": "/home/u/x"}])
    assert "vulnerabilities" not in body and schema_errors(body) == []


def test_several_suspect_versions_are_listed():
    packages = [{"ecosystem": "pypi", "name": "acme-mcp",
                 "suspect_versions": [{"version": "1.4.1"}, {"version": "1.4.2"}]}]
    vulnerabilities = pvr.body("s", "d", packages)["vulnerabilities"]
    # one entry per version: GitHub reads a comma in a range as AND
    assert [v["vulnerable_version_range"] for v in vulnerabilities] == ["= 1.4.1", "= 1.4.2"]
    assert {v["package"]["ecosystem"] for v in vulnerabilities} == {"pip"}


def test_summary_is_cut_to_1024_characters():
    exact = pvr.body("s" * 1024, "d", [])
    assert exact["summary"] == "s" * 1024
    cut = pvr.body("s" * 5000, "d", [])
    assert len(cut["summary"]) == 1024 and cut["summary"].endswith("…")
    assert schema_errors(cut) == []


def test_description_is_cut_to_65535_characters_with_a_note():
    exact = pvr.body("s", "d" * 65535, [])
    assert exact["description"] == "d" * 65535
    cut = pvr.body("s", "d" * 100_000, [])
    assert len(cut["description"]) == 65535
    assert cut["description"].rstrip().endswith("attached separately on request]")
    assert schema_errors(cut) == []


def test_non_ascii_text_counts_characters_not_bytes():
    cut = pvr.body("é" * 2000, "ü" * 70_000, [])
    assert len(cut["summary"]) == 1024 and len(cut["description"]) == 65535
    assert schema_errors(cut) == []


# --- template_errors ----------------------------------------------------------------------------

TEMPLATE_422 = {
    "message": "Advisory description does not satisfy this repository's report template.",
    "errors": [
        {"resource": "RepositoryAdvisory", "field": "description", "code": "missing_section",
         "section": "Impact"},
        {"resource": "RepositoryAdvisory", "field": "description", "code": "empty_section",
         "section": "Details"},
        {"resource": "RepositoryAdvisory", "field": "description",
         "code": "unchecked_required_option", "section": "Terms", "option": TERMS},
        {"resource": "RepositoryAdvisory", "field": "description",
         "code": "sections_out_of_order", "section": "Summary"},
        {"resource": "RepositoryAdvisory", "field": "severity", "code": "invalid",
         "message": "not a template problem"},
    ],
}


def test_template_errors_reads_every_template_code_and_nothing_else():
    errors = pvr.template_errors(TEMPLATE_422)
    assert [(e.code, e.section, e.option) for e in errors] == [
        ("missing_section", "Impact", None), ("empty_section", "Details", None),
        ("unchecked_required_option", "Terms", TERMS), ("sections_out_of_order", "Summary", None)]
    assert [e.text() for e in errors] == [
        "section 'Impact' is missing", "section 'Details' is empty",
        f"section 'Terms' needs the box {TERMS!r} ticked", "section 'Summary' is out of order"]


@pytest.mark.parametrize("data", [None, "text", [], {}, {"errors": "x"}, {"errors": [None, 3]},
                                  {"message": "Validation Failed",
                                   "errors": [{"code": "invalid", "field": "cwe_ids"}]}])
def test_template_errors_is_empty_for_anything_else(data):
    assert pvr.template_errors(data) == []


# --- fit_template against the simulator's template rules ----------------------------------------


def template(*sections):
    return _report_template({"sections": list(sections)}, "acme/mcp-weather")


def converge(tmpl, ticked=frozenset(), rounds=3):
    """What submit does: read the 422, rebuild, send again; [] once the template is satisfied."""
    seen: list[pvr.TemplateError] = []
    description = DISCLOSURE
    for _ in range(rounds + 1):
        errors = sim_template_errors(tmpl, description)
        if not errors:
            return [], description
        found = pvr.template_errors({"errors": errors})
        seen += [e for e in found if e not in seen]
        description = pvr.fit_template(DISCLOSURE, seen, set(ticked))
    return errors, description


def test_the_disclosure_alone_fails_a_template_it_does_not_follow():
    tmpl = template({"title": "Impact", "required": True})
    assert [e["code"] for e in sim_template_errors(tmpl, DISCLOSURE)] == ["missing_section"]


def test_missing_sections_are_added_in_order_with_answers_from_the_disclosure():
    tmpl = template({"title": "Summary", "required": True}, {"title": "Details", "required": True},
                    {"title": "PoC", "required": True}, {"title": "Impact", "required": True})
    errors, description = converge(tmpl)
    assert errors == []
    assert description.index("### Summary") < description.index("### Details") \
        < description.index("### PoC") < description.index("### Impact")
    summary = description.split("### Summary", 1)[1].split("###", 1)[0]
    assert "sent tokens to a remote host" in summary
    poc = description.split("### PoC", 1)[1].split("###", 1)[0]
    assert "exfil.attacker.example" in poc
    # the whole disclosure still follows, without its title line
    assert "### Full report" in description and "# Security report" not in description
    assert "Unpublish 2.1.0" in description


def test_an_empty_section_is_filled():
    # a user's own disclosure template left a heading for the impact without text
    tmpl = template({"title": "Impact", "required": True},
                    {"title": "What happened", "required": True})
    empty = DISCLOSURE.replace("## What happened", "## Impact\n\n<!-- describe -->\n\n"
                               "## What happened")
    errors = pvr.template_errors({"errors": sim_template_errors(tmpl, empty)})
    assert [(e.code, e.section) for e in errors] == [("empty_section", "Impact")]
    fitted = pvr.fit_template(empty, errors, set())
    assert sim_template_errors(tmpl, fitted) == []
    assert "sent tokens to a remote host" in fitted.split("### Impact", 1)[1].split("##", 1)[0]


def test_a_section_the_disclosure_cannot_answer_says_so():
    tmpl = template({"title": "Environment", "required": True})
    errors, description = converge(tmpl)
    assert errors == []
    assert "Not known to the reporter" in description.split("### Environment", 1)[1]


def test_a_required_box_is_ticked_only_when_a_person_said_it_is_true():
    tmpl = template({"title": "Impact", "required": True},
                    {"title": "Terms", "options": [{"label": TERMS, "required": True},
                                                   {"label": CREDIT}]})
    errors, description = converge(tmpl, ticked=frozenset())
    assert [(e["code"], e.get("option")) for e in errors] == [("unchecked_required_option",
                                                               TERMS)]
    assert f"- [ ] {TERMS}" in description and f"- [x] {TERMS}" not in description
    errors, description = converge(tmpl, ticked=frozenset({TERMS}))
    assert errors == []
    assert f"- [x] {TERMS}" in description
    assert CREDIT not in description  # an optional box GitHub did not ask for is not added


def test_sections_out_of_order_are_put_first_in_the_order_github_named_them():
    tmpl = template({"title": "What we ask", "required": True},
                    {"title": "Indicators", "required": True})
    first = sim_template_errors(tmpl, DISCLOSURE)
    assert [e["code"] for e in first] == ["sections_out_of_order"]
    errors, _ = converge(tmpl)
    assert errors == []


def test_a_template_sharing_a_heading_with_the_disclosure_converges():
    tmpl = template({"title": "Affected package", "required": True},
                    {"title": "Impact", "required": True})
    errors, _ = converge(tmpl)
    assert errors == []


def test_fit_template_keeps_the_description_limit():
    long = DISCLOSURE + "\n## Indicators\n\n" + "- x\n" * 30_000
    errors = [pvr.TemplateError("missing_section", "Impact")]
    fitted = pvr.fit_template(long, errors, set())
    assert len(fitted) <= pvr.DESCRIPTION_MAX
    assert fitted.startswith("### Impact")


# --- maintainer.submit on the GitHub simulator ---------------------------------------------------

PVR_CONTACT = {"kind": "github-pvr",
               "address": "https://github.com/acme/mcp-weather/security/advisories/new",
               "source": "GET /repos/acme/mcp-weather/private-vulnerability-reporting",
               "reasons": ["enabled"], "trust": "high", "warnings": [], "submit": "github-pvr",
               "package": "npm @acme/mcp-weather"}


def github_seed(report_template=None):
    return {
        "users": [{"login": "reporter", "id": 9001,
                   "tokens": [{"value": REPORTER, "scopes": ["public_repo"]}]},
                  {"login": "acme-admin", "id": 9002}],
        "repos": [{"full_name": "acme/mcp-weather", "private_vulnerability_reporting": True,
                   "admins": ["acme-admin"], "report_template": report_template}],
    }


@pytest.fixture
def make_sim():
    started = []

    def start(report_template=None):
        sim = GitHubSimulator.from_seed(github_seed(report_template), now=NOW)
        sim.start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()
        assert sim.errors == []


@pytest.fixture
def disclosure(tmp_path):
    path = tmp_path / "maintainer-report.md"
    path.write_text(DISCLOSURE, encoding="utf-8")
    return path


def context(sim, *, token=True, answers=None, yes=True):
    registry = SecretRegistry()
    loaded = load("compromised-server")
    ctx = build_context(loaded, RunRequest(playbook="compromised-server", interactive=False),
                        {"since": "7d"}, registry, Output(registry))
    ctx.endpoints = Endpoints(urls={"github": sim.api_url})
    if token:
        secret = Secret(REPORTER)
        registry.add(secret)
        ctx.responder_tokens = {"github": secret}
    asked: list[str] = []

    def ask(question: str) -> bool:
        asked.append(question)
        return True if answers is None else answers(question)

    ctx.approvals = ApprovalPolicy(assume_yes=yes, ask=ask if answers is not False else None)
    return ctx, asked


def submit(ctx, disclosure, contact=PVR_CONTACT, packages=PACKAGES):
    action = SubmitReport()
    inputs = SubmitReport.Inputs(disclosure=str(disclosure), contact=contact, packages=packages)
    plan = action.plan(ctx, inputs)
    return plan, action.apply(ctx, inputs, plan)


def test_plan_shows_the_exact_request_and_sends_nothing(make_sim, disclosure):
    sim = make_sim()
    ctx, _ = context(sim)
    inputs = SubmitReport.Inputs(disclosure=str(disclosure), contact=PVR_CONTACT,
                                 packages=PACKAGES)
    plan = SubmitReport().plan(ctx, inputs)
    (request,) = plan.requests
    assert request.method == "POST"
    assert request.url == f"{sim.api_url}/repos/acme/mcp-weather/security-advisories/reports"
    assert "What happened" in plan.operations[0]
    assert sim.state.reports == []
    assert schema_errors(plan.payload["body"]) == []


def test_submit_files_a_report_whose_body_validates(make_sim, disclosure):
    sim = make_sim()
    ctx, asked = context(sim)
    _, result = submit(ctx, disclosure)
    assert result.outputs["submitted"] is True, result.error
    assert result.outputs["ghsa_id"]
    (report,) = sim.state.reports
    assert report["repo"] == "acme/mcp-weather" and report["login"] == "reporter"
    assert schema_errors(report["body"]) == []
    assert report["body"]["description"] == DISCLOSURE
    assert "@acme/mcp-weather" in report["body"]["summary"]
    assert asked == []  # no template: nothing to confirm


def test_submit_fits_a_report_template_and_files_it(make_sim, disclosure):
    sim = make_sim({"sections": [{"title": "Impact", "required": True},
                                 {"title": "Terms", "options": [{"label": TERMS,
                                                                 "required": True}]}]})
    ctx, asked = context(sim)
    _, result = submit(ctx, disclosure)
    assert result.outputs["submitted"] is True, result.error
    (report,) = sim.state.reports
    assert f"- [x] {TERMS}" in report["body"]["description"]
    assert schema_errors(report["body"]) == []
    assert any(TERMS in q for q in asked)  # a person vouched for the box
    posts = [r for r in sim.requests if r.method == "POST"]
    assert [r.status for r in posts] == [422, 201]


def test_submit_never_ticks_a_box_a_person_did_not_confirm(make_sim, disclosure):
    sim = make_sim({"sections": [{"title": "Terms", "options": [{"label": TERMS,
                                                                 "required": True}]}]})
    ctx, _ = context(sim, answers=False)  # no terminal: --yes does not vouch for facts
    _, result = submit(ctx, disclosure)
    assert result.status == "failed" and result.outputs["submitted"] is False
    assert sim.state.reports == []
    assert TERMS in result.error and "nothing was filed" in result.error
    assert len([r for r in sim.requests if r.method == "POST"]) == 1


def test_submit_without_a_token_sends_nothing(make_sim, disclosure):
    sim = make_sim()
    ctx, _ = context(sim, token=False)
    _, result = submit(ctx, disclosure)
    assert result.status == "manual"
    assert [r for r in sim.requests if r.method == "POST"] == []
    assert "security/advisories/new" in result.manual[0]


def test_submit_to_an_email_contact_prints_a_mailto_with_the_draft(make_sim, disclosure):
    sim = make_sim()
    ctx, _ = context(sim)
    contact = {"kind": "security-policy", "address": "mailto:security@acme.example",
               "submit": "manual", "package": "npm @acme/mcp-weather"}
    plan, result = submit(ctx, disclosure, contact=contact)
    assert plan.payload is None and result.status == "manual"
    assert "mailto:security@acme.example?subject=" in result.manual[0]
    assert str(disclosure) in result.manual[0]
    assert sim.requests == []


def test_submit_reports_only_the_package_the_channel_speaks_for(make_sim, disclosure):
    sim = make_sim()
    ctx, _ = context(sim)
    other = {"ecosystem": "pypi", "name": "unrelated-mcp", "suspect_versions": []}
    submit(ctx, disclosure, packages=[other, *PACKAGES])
    (report,) = sim.state.reports
    assert [v["package"]["name"] for v in report["body"]["vulnerabilities"]] == \
        ["@acme/mcp-weather"]
    assert "unrelated-mcp" not in report["body"]["summary"]


def test_submit_to_a_repository_with_pvr_off_fails_with_the_manual_step(make_sim, disclosure):
    sim = make_sim()
    sim.state.repos["acme/mcp-weather"].private_vulnerability_reporting = False
    ctx, _ = context(sim)
    _, result = submit(ctx, disclosure)
    assert result.status == "failed" and "422" in result.error
    assert sim.state.reports == []
    assert "security/advisories/new" in result.manual[0]
