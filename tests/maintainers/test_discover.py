"""discover() end to end against a Fleet of simulators (npm, PyPI, OCI, web hosts, GitHub): the
contact a human would choose, with its reasons; known-good repositories after a changed release;
security.txt on the exact host or, flagged, its parent; offline and failing registries as named
gaps that leave every other package alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from github import Github

from responder.engine.context import Endpoints, Timing
from responder.maintainers.discover import Lookup, Sources, discover, targets
from responder.maintainers.github_meta import GitHubReader
from responder.maintainers.web import WebReader
from responder.sim.fleet import Fleet

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
WINDOW = NOW - timedelta(days=7)
FAST = Timing(request_timeout=3.0, read_retries=1, max_retry_after=0.0)
FUTURE = "2026-12-31T00:00:00Z"
ALICE = {"name": "alice", "email": "alice@acme.example"}
MALLORY = {"name": "mallory", "email": "mallory@evil.example"}
WEATHER_PVR = "https://github.com/acme/mcp-weather/security/advisories/new"

NPX_WEATHER = {"command": "npx", "args": ["-y", "@acme/mcp-weather"]}
UVX_ACME = {"command": "uvx", "args": ["acme-mcp"]}
DOCKER_MCP = {"command": "docker", "args": ["run", "-i", "--rm", "-e", "TOKEN",
                                            "ghcr.io/acme/mcp:1.2"]}
GO_RUN = {"command": "go", "args": ["run", "github.com/acme/go-mcp/cmd/server@v1.3.0"]}
REMOTE = {"url": "https://mcp.acme.example/sse"}
REMOTE_PARENT_ONLY = {"url": "https://mcp.other.example/sse"}
NPX_LEFTPAD = {"command": "npx", "args": ["-y", "left-pad-mcp@0.1.0"]}


def security_txt(contact: str) -> dict:
    return {"body": f"Contact: {contact}\nExpires: {FUTURE}\n"}


SEEDS = {
    "npm": {"packages": {
        "@acme/mcp-weather": {
            "repository": {"type": "git", "url": "git+https://github.com/acme/mcp-weather.git"},
            "homepage": "https://weather.acme.example",
            "maintainers": [ALICE],
            "bugs": {"email": "bugs@acme.example"},
            "versions": [
                {"version": "1.0.0", "published": "-200d", "publisher": ALICE},
                {"version": "2.0.0", "published": "-30d", "publisher": ALICE},
                {"version": "2.1.0", "published": "-5h", "publisher": MALLORY,
                 "repository": {"type": "git",
                                "url": "git+https://github.com/mallory/mcp-weather.git"},
                 "maintainers": [MALLORY]},
            ],
        },
        "left-pad-mcp": {"repository": "github:acme/left-pad-mcp",
                         "versions": [{"version": "0.1.0", "published": "-100d"}]},
    }},
    "pypi": {"projects": {"acme-mcp": {
        "author_email": "Alice <alice@acme.example>",
        "versions": [
            {"version": "1.3.0", "published": "-90d",
             "project_urls": {"Source": "https://github.com/acme/acme-mcp",
                              "Security": "https://acme.example/security"}},
            {"version": "1.4.1", "published": "-3h",
             "project_urls": {"Source": "https://github.com/mallory/acme-mcp",
                              "Security": "https://evil.example/report"}},
        ]}}},
    "oci": {"images": [{"registry": "ghcr.io", "repository": "acme/mcp", "tags": ["1.2"],
                        "labels": {"org.opencontainers.image.source":
                                   "https://github.com/acme/mcp"}}]},
    "web": {"sites": {
        "mcp.acme.example": {"/.well-known/security.txt":
                             security_txt("mailto:security@acme.example")},
        "other.example": {"/.well-known/security.txt":
                          security_txt("mailto:security@other.example")},
        "mcp.other.example": {"/": "the server itself, no security.txt\n"},
        "weather.acme.example": {"/.well-known/security.txt":
                                 security_txt("mailto:weather-psirt@acme.example")},
    }},
    "github": {"repos": [
        {"full_name": "acme/mcp-weather", "private_vulnerability_reporting": True,
         "files": {"SECURITY.md": f"Report privately: {WEATHER_PVR}\n"
                                  f"or write to security@acme.example.\n"}},
        {"full_name": "mallory/mcp-weather", "private_vulnerability_reporting": True},
        {"full_name": "acme/acme-mcp",
         "files": {".github/SECURITY.md": "Email pysec@acme.example for security issues.\n"}},
        {"full_name": "mallory/acme-mcp", "private_vulnerability_reporting": True},
        {"full_name": "acme/mcp"},
        {"full_name": "acme/.github",
         "files": {"SECURITY.md": "All Acme projects: org-security@acme.example\n"}},
        {"full_name": "acme/go-mcp", "private_vulnerability_reporting": True},
        {"full_name": "acme/left-pad-mcp", "private_vulnerability_reporting": True},
    ]},
}


@pytest.fixture
def fleet():
    with Fleet(SEEDS, now=NOW) as running:
        yield running
    assert running.errors() == []


class Run:
    def __init__(self, fleet: Fleet, home: Path, *, offline: bool = False) -> None:
        self.fleet = fleet
        self.saved: list[tuple[str, str]] = []
        env = fleet.env()
        hosts = {"*": "http://127.0.0.1:9", **Endpoints.from_env(env).hosts}
        self.web = None if offline else WebReader(FAST, hosts)
        gh = Github(base_url=fleet["github"].api_url, retry=None, seconds_between_requests=0,
                    seconds_between_writes=0)
        self.github = None if offline else GitHubReader(gh, fleet["github"].api_url, self.save)
        self.lookup = Lookup(web=self.web, github=self.github,
                             sources=Sources(npm_registry=fleet["npm"].api_url,
                                             pypi_index=fleet["pypi"].api_url),
                             window_start=WINDOW, now=NOW, home=home, env={}, save=self.save)

    def save(self, name, request, payload) -> None:
        self.saved.append((name, request))

    def __call__(self, *entries):
        try:
            return discover(list(entries), self.lookup)
        finally:
            if self.web is not None:
                self.web.close()


@pytest.fixture
def run(fleet, tmp_path):
    return lambda *entries, **kw: Run(fleet, tmp_path / "home", **kw)(*entries)


def github_paths(fleet) -> list[str]:
    return [r.path for r in fleet["github"].requests]


def by_name(found, name):
    return next(p for p in found.packages if (p.identity and p.identity.name == name)
                or p.host == name)


# --- npm: a malicious recent release ------------------------------------------------------------


def test_npm_malicious_release_chooses_pvr_on_the_known_good_repository(fleet, run):
    found = run(NPX_WEATHER)
    (facts,) = found.packages
    assert facts.suspect == ["2.1.0"]
    kinds = {s.kind for s in facts.signals}
    assert {"recent_release", "new_publisher", "repository_changed", "unpinned"} <= kinds
    # contacts come from 2.0.0's repository, not the one the suspect release declares
    assert facts.repository.slug == "acme/mcp-weather"
    assert "2.0.0" in facts.repository_source
    chosen = found.chosen
    assert chosen.kind == "github-pvr" and chosen.address == WEATHER_PVR
    assert chosen.trust == "high" and chosen.submit == "github-pvr"
    assert chosen.package == "npm @acme/mcp-weather"
    assert any("enabled on acme/mcp-weather" in r for r in chosen.reasons)
    assert any("2.0.0" in r for r in chosen.reasons)  # where the repository came from
    # the SECURITY.md link to the same form merged into the PVR contact
    assert "the security policy names this page for reports" in chosen.reasons
    assert [c.address for c in found.contacts].count(WEATHER_PVR) == 1
    # the attacker's repository was never asked
    assert not any("/mallory/" in p for p in github_paths(fleet))


def test_the_flagged_new_publisher_is_not_offered_as_a_plain_contact(fleet, run):
    found = run(NPX_WEATHER)
    assert not [c for c in found.contacts if "mallory@evil.example" in c.address]


def test_npm_ranking_and_registry_route(fleet, run):
    found = run(NPX_WEATHER)
    assert [c.kind for c in found.contacts] == ["github-pvr", "security-policy", "security-txt",
                                                "email"]
    addresses = [c.address for c in found.contacts]
    assert addresses[1] == "mailto:security@acme.example"
    assert addresses[2] == "mailto:weather-psirt@acme.example"  # the homepage's security.txt
    # the flagged new publisher's own mailbox is never offered: it would warn the attacker
    assert addresses[3:] == ["mailto:bugs@acme.example"]
    (route,) = found.registry_reports
    assert "npmjs.com/support" in route and "@acme/mcp-weather (2.1.0)" in route
    assert found.gaps == []


def test_npm_result_is_json_and_keeps_the_evidence(fleet, run, tmp_path):
    lookup_run = Run(fleet, tmp_path / "home")
    found = lookup_run(NPX_WEATHER)
    data = json.loads(json.dumps(found.as_dict()))
    (package,) = data["packages"]
    assert package["ecosystem"] == "npm" and package["name"] == "@acme/mcp-weather"
    assert package["known_good"] == "2.0.0"
    assert package["suspect_versions"] == [{"version": "2.1.0",
                                            "published": "2026-05-01T07:00:00Z",
                                            "publisher": "mallory <mallory@evil.example>"}]
    assert data["chosen"]["address"] == WEATHER_PVR
    assert "attacker" in data["trust_warning"]
    names = [name for name, _ in lookup_run.saved]
    assert "npm-@acme/mcp-weather" in names
    assert any(name.startswith("github-acme/mcp-weather") for name in names)
    assert any(name.startswith("security-txt-weather.acme.example") for name in names)


def test_same_package_in_two_definitions_is_looked_up_once(fleet, run):
    found = run(NPX_WEATHER, {"command": "npx", "args": ["@acme/mcp-weather"]})
    assert len(found.packages) == 1
    assert len([r for r in fleet["npm"].requests if "mcp-weather" in r.path]) == 1


# --- PyPI: Security URL and a Source that changed per release -----------------------------------


def test_pypi_changed_source_uses_the_known_good_release_and_distrusts_the_security_url(fleet,
                                                                                        run):
    found = run(UVX_ACME)
    (facts,) = found.packages
    assert facts.suspect == ["1.4.1"]
    assert "repository_changed" in {s.kind for s in facts.signals}
    assert facts.repository.slug == "acme/acme-mcp"
    # both releases' own metadata were read
    paths = [r.path for r in fleet["pypi"].requests]
    assert "/pypi/acme-mcp/1.4.1/json" in paths and "/pypi/acme-mcp/1.3.0/json" in paths
    chosen = found.chosen
    assert (chosen.kind, chosen.address) == ("security-policy", "mailto:pysec@acme.example")
    assert chosen.source == ".github/SECURITY.md in acme/acme-mcp"
    url = next(c for c in found.contacts if c.kind == "project-security-url")
    assert url.address == "https://evil.example/report"  # the latest release's, shown...
    assert url.trust == "low"  # ...but distrusted
    assert any("changed the repository URL" in w for w in url.warnings)
    assert not any("/mallory/" in p for p in github_paths(fleet))
    assert "pypi.org/project/acme-mcp" in found.registry_reports[0]


# --- OCI image on ghcr.io -----------------------------------------------------------------------


def test_ghcr_image_source_label_leads_to_the_owners_default_policy(fleet, run):
    found = run(DOCKER_MCP)
    (facts,) = found.packages
    assert facts.identity.name == "ghcr.io/acme/mcp" and facts.identity.version == "1.2"
    assert facts.repository.slug == "acme/mcp"
    assert facts.repository_source == "image label org.opencontainers.image.source"
    chosen = found.chosen
    assert chosen.address == "mailto:org-security@acme.example"
    assert "owner's default policy" in chosen.source
    assert "/repos/acme/.github/contents/SECURITY.md" in github_paths(fleet)
    hosts = {r.headers.get("host") for r in fleet["oci"].requests}
    assert hosts == {"ghcr.io"}
    assert "report-abuse" in found.registry_reports[0]


# --- Go module ----------------------------------------------------------------------------------


def test_go_module_repository_comes_from_the_path(fleet, run):
    found = run(GO_RUN)
    (facts,) = found.packages
    assert facts.identity.ecosystem == "go" and facts.repository.slug == "acme/go-mcp"
    assert found.chosen.address == "https://github.com/acme/go-mcp/security/advisories/new"
    assert found.chosen.trust == "high"
    for name in ("npm", "pypi", "oci"):
        assert fleet[name].requests == []


# --- remote servers and security.txt ------------------------------------------------------------


def test_remote_server_uses_security_txt_on_its_exact_host(fleet, run):
    found = run(REMOTE)
    (facts,) = found.packages
    assert facts.identity is None and facts.host == "mcp.acme.example"
    (contact,) = found.contacts
    assert contact.kind == "security-txt" and contact.address == "mailto:security@acme.example"
    assert contact.trust == "medium"
    assert contact.source == "https://mcp.acme.example/.well-known/security.txt"
    assert any("on mcp.acme.example" in r for r in contact.reasons)
    assert found.registry_reports == []
    # the parent domain was not needed
    assert [r.headers["host"] for r in fleet["web"].requests] == ["mcp.acme.example"]


def test_remote_server_falls_back_to_the_parent_domain_flagged_and_low(fleet, run):
    found = run(REMOTE_PARENT_ONLY)
    (contact,) = found.contacts
    assert contact.address == "mailto:security@other.example"
    assert contact.trust == "low"
    assert any("parent domain other.example (it does not cover mcp.other.example)" in r
               for r in contact.reasons)
    asked = [(r.headers["host"], r.path) for r in fleet["web"].requests]
    assert asked == [("mcp.other.example", "/.well-known/security.txt"),
                     ("mcp.other.example", "/security.txt"),
                     ("other.example", "/.well-known/security.txt")]


def test_remote_server_with_no_security_txt_anywhere_has_no_contact(fleet, run):
    found = run({"url": "https://mcp.nobody.example/sse"})
    assert found.contacts == [] and len(found.packages) == 1


def test_security_txt_served_as_html_is_not_used(fleet, run):
    fleet["web"].sites["mcp.acme.example"]["/.well-known/security.txt"] = type(
        fleet["web"].sites["other.example"]["/.well-known/security.txt"])(
        body="Contact: mailto:security@acme.example\nExpires: 2026-12-31T00:00:00Z\n",
        content_type="text/html")
    found = run(REMOTE)
    assert not any(c.address == "mailto:security@acme.example" and "mcp.acme.example" in c.source
                   for c in found.contacts)


def test_security_txt_redirect_is_shown_on_the_contact(fleet, run):
    page = type(fleet["web"].sites["other.example"]["/.well-known/security.txt"])
    fleet["web"].sites["mcp.acme.example"]["/.well-known/security.txt"] = page(
        status=301, location="https://www.acme.example/.well-known/security.txt")
    fleet["web"].sites["www.acme.example"] = {
        "/.well-known/security.txt": page(body=f"Contact: mailto:www@acme.example\n"
                                               f"Expires: {FUTURE}\n")}
    found = run(REMOTE)
    (contact,) = found.contacts
    assert contact.address == "mailto:www@acme.example"
    assert any("reached through redirects" in w and "www.acme.example" in w
               for w in contact.warnings)


def test_security_txt_redirect_stays_visible_when_the_file_has_other_problems(fleet, run):
    page = type(fleet["web"].sites["other.example"]["/.well-known/security.txt"])
    fleet["web"].sites["mcp.acme.example"]["/.well-known/security.txt"] = page(
        status=301, location="https://files.attacker.example/security.txt")
    fleet["web"].sites["files.attacker.example"] = {"/security.txt": page(
        body=f"junk one\njunk two\njunk three\nContact: mailto:x@attacker.example\n"
             f"Expires: {FUTURE}\n")}
    found = run(REMOTE)
    (contact,) = found.contacts
    assert any("reached through redirects" in w for w in contact.warnings)


def test_a_hostile_security_txt_redirect_does_not_take_down_the_lookup(fleet, run):
    page = type(fleet["web"].sites["other.example"]["/.well-known/security.txt"])
    fleet["web"].sites["mcp.acme.example"]["/.well-known/security.txt"] = page(
        status=302, location="mailto:gotcha@attacker.example")
    found = run(REMOTE, GO_RUN)
    assert by_name(found, "github.com/acme/go-mcp").repository.slug == "acme/go-mcp"


# --- offline ------------------------------------------------------------------------------------


def test_offline_still_gives_package_facts_and_names_the_gaps(fleet, run):
    found = run(NPX_WEATHER, {"command": "npx", "args": ["-y", "@acme/pinned@1.2.3"]},
                GO_RUN, REMOTE, offline=True)
    assert [r for _, r in fleet.requests()] == []  # nothing was asked of anyone
    assert len(found.packages) == 4
    assert "--offline" in found.gaps[0].why
    weather = by_name(found, "@acme/mcp-weather")
    assert weather.identity.ecosystem == "npm" and weather.repository is None
    assert any("source repository of npm @acme/mcp-weather" in g.what for g in found.gaps)
    # the launch command's own facts survive: the pinned version, the Go repository
    data = found.as_dict()
    pinned = next(p for p in data["packages"] if p["name"] == "@acme/pinned")
    assert pinned["version"] == "1.2.3"
    go = by_name(found, "github.com/acme/go-mcp")
    assert go.repository.slug == "acme/go-mcp"
    assert found.contacts == []
    # the registry's own malware route needs no lookup
    assert any("npmjs.com/support" in r for r in found.registry_reports)
    assert {s.kind for s in weather.signals} == {"unpinned"}


# --- failing registries -------------------------------------------------------------------------


def test_registry_500_is_a_gap_and_other_packages_are_unaffected(fleet, run):
    fleet["npm"].faults.add(method="GET", path="/@acme*", status=500, times=None)
    found = run(NPX_WEATHER, UVX_ACME, GO_RUN)
    weather = by_name(found, "@acme/mcp-weather")
    assert weather.found is True and weather.releases == []
    assert any("npm metadata for @acme/mcp-weather" in g.what and "HTTP 500" in g.why
               for g in found.gaps)
    assert len([r for r in fleet["npm"].requests if r.path.startswith("/@acme")]) == \
        1 + FAST.read_retries
    # the others were read in full
    assert by_name(found, "acme-mcp").repository.slug == "acme/acme-mcp"
    assert by_name(found, "github.com/acme/go-mcp").repository.slug == "acme/go-mcp"
    packages = {c.package for c in found.contacts}
    assert {"pypi acme-mcp", "go github.com/acme/go-mcp"} <= packages
    assert not any(c.package == "npm @acme/mcp-weather" and c.kind == "github-pvr"
                   for c in found.contacts)


def test_package_removed_from_the_registry_is_flagged_missing(fleet, run):
    found = run({"command": "npx", "args": ["-y", "@acme/removed-mcp@1.0.0"]})
    (facts,) = found.packages
    assert facts.found is False
    assert "missing_from_registry" in {s.kind for s in facts.signals}
    assert any("404" in g.why for g in found.gaps)


def test_github_down_is_a_gap_and_registry_facts_remain(fleet, run):
    fleet["github"].faults.add(method="GET", path="/repos/*", status=502, times=None)
    found = run({"command": "npx", "args": ["-y", "left-pad-mcp@0.1.0"]})
    (facts,) = found.packages
    assert facts.repository.slug == "acme/left-pad-mcp"
    assert any("GitHub answered 502" in g.why for g in found.gaps)
    assert not any(c.kind == "github-pvr" for c in found.contacts)


def test_nothing_to_look_up_is_one_gap(run):
    found = run({"command": "my-local-binary"})
    assert found.packages == [] and found.gaps[0].what == "the package"


def test_targets_tell_versions_and_hosts_apart():
    pairs = targets([NPX_WEATHER, {"command": "npx", "args": ["@acme/mcp-weather@2.0.0"]},
                     REMOTE, {"url": "https://MCP.acme.example/other"}])
    assert [(i.name if i else None, i.version if i else None, h) for i, h in pairs] == [
        ("@acme/mcp-weather", None, None), ("@acme/mcp-weather", "2.0.0", None),
        (None, None, "mcp.acme.example")]


# --- the maintainer.discover action -------------------------------------------------------------


def action_context(fleet, monkeypatch, *, offline=False):
    from responder.core.secrets import SecretRegistry
    from responder.engine.loader import load
    from responder.engine.output import Output
    from responder.engine.session import RunRequest, build_context

    env = fleet.env()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("RESPONDER_HOST_MAP", "*=http://127.0.0.1:9 " + env["RESPONDER_HOST_MAP"])
    registry = SecretRegistry()
    request = RunRequest(playbook="compromised-server", interactive=False, offline=offline,
                         clock=lambda: NOW, timing=FAST)
    return build_context(load("compromised-server"), request, {"since": "7d"}, registry,
                         Output(registry))


def find(ctx, *entries):
    from responder.actions.maintainer import FindMaintainer

    action = FindMaintainer()
    inputs = FindMaintainer.Inputs(server="weather", entries=list(entries))
    return action.apply(ctx, inputs, action.plan(ctx, inputs))


def test_action_writes_maintainer_json_and_shows_the_best_channel(fleet, monkeypatch):
    ctx = action_context(fleet, monkeypatch)
    result = find(ctx, NPX_WEATHER)
    assert result.outputs["chosen"]["address"] == WEATHER_PVR
    path = Path(result.outputs["file"])
    data = json.loads(path.read_text())
    assert data["schema"] == "responder.maintainer/1" and data["server"] == "weather"
    assert data["chosen"]["kind"] == "github-pvr"
    assert ctx.shared["maintainer"]["chosen"]["address"] == WEATHER_PVR
    assert result.table is not None and result.table.rows[0][2] == WEATHER_PVR
    assert any(c.startswith("best channel: " + WEATHER_PVR) for c in result.changes)
    assert any("published by mallory" in f.message and f.severity == "high"
               for f in result.findings)
    assert any("npmjs.com/support" in m for m in result.manual)
    # the registry's answer is kept as evidence of what it said during the incident
    assert any(p.name.startswith("npm-") for p in (ctx.run_dir / "evidence").rglob("*"))


def test_action_offline_reads_nothing_and_names_the_gap(fleet, monkeypatch):
    ctx = action_context(fleet, monkeypatch, offline=True)
    result = find(ctx, NPX_WEATHER)
    assert [r for _, r in fleet.requests()] == []
    assert result.outputs["chosen"] is None
    assert any("--offline" in g for g in result.outputs["gaps"])
    assert any("No private channel was found" in m for m in result.manual)
    (package,) = result.outputs["packages"]
    assert package["name"] == "@acme/mcp-weather"
