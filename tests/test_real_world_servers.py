"""Twenty real-world launch configs, as users write them, resolve to the right package (shown by
`responder servers`) and, through the simulated registries, to the right source repository."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from responder.cli.app import main
from responder.engine.context import Timing
from responder.maintainers.discover import Lookup, Sources, discover
from responder.maintainers.web import WebReader
from responder.sim.fleet import Fleet
from responder.sim.oci import OciSimulator

OCI = {
    "registries": {"ghcr.io": {"realm": "https://ghcr.io/token", "service": "ghcr.io"},
                   "registry-1.docker.io": {"realm": "https://auth.docker.io/token",
                                            "service": "registry.docker.io"}},
    "images": [
        {"registry": "ghcr.io", "repository": "github/github-mcp-server", "tags": ["v0.20.1"],
         "platforms": ["linux/amd64", "linux/arm64"],
         "labels": {"org.opencontainers.image.source":
                    "https://github.com/github/github-mcp-server"}},
        {"registry": "registry-1.docker.io", "repository": "mcp/fetch", "tags": ["latest"],
         "labels": {"org.opencontainers.image.source": "https://github.com/docker/mcp-registry"}},
        {"registry": "ghcr.io", "repository": "acme/weather-mcp", "tags": ["1.2"],
         "labels": {"org.opencontainers.image.source": "https://github.com/acme/weather-mcp"}},
    ],
}
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
# The digest the simulated Docker Hub serves for mcp/fetch, as a user would pin it.
DIGEST = OciSimulator.from_seed(OCI, now=NOW).add_image(OCI["images"][1]).tags["latest"]

# name → (config entry, (ecosystem, package, version), repository)
SERVERS = {
    "github": ({"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github@2025.4.8"]},
               ("npm", "@modelcontextprotocol/server-github", "2025.4.8"),
               "https://github.com/modelcontextprotocol/servers"),
    "context7": ({"command": "npx", "args": ["-y", "@upstash/context7-mcp@latest"]},
                 ("npm", "@upstash/context7-mcp", "latest"), "https://github.com/upstash/context7"),
    "playwright": ({"command": "C:\\Program Files\\nodejs\\npx.cmd",
                    "args": ["@playwright/mcp@0.0.41", "--headless"]},
                   ("npm", "@playwright/mcp", "0.0.41"),
                   "https://github.com/microsoft/playwright-mcp"),
    "notion": ({"command": "cmd", "args": ["/c", "npx", "-y", "@notionhq/notion-mcp-server"]},
               ("npm", "@notionhq/notion-mcp-server", None),
               "https://github.com/makenotion/notion-mcp-server"),
    "sentry": ({"command": "npm", "args": ["exec", "--yes", "--", "@sentry/mcp-server@^0.17"]},
               ("npm", "@sentry/mcp-server", "^0.17"), "https://github.com/getsentry/sentry-mcp"),
    "browserbase": ({"command": "pnpm", "args": ["dlx", "@browserbasehq/mcp-server-browserbase"]},
                    ("npm", "@browserbasehq/mcp-server-browserbase", None),
                    "https://github.com/browserbase/mcp-server-browserbase"),
    "supabase": ({"command": "bunx",
                  "args": ["@supabase/mcp-server-supabase@0.5.5", "--read-only"]},
                 ("npm", "@supabase/mcp-server-supabase", "0.5.5"),
                 "https://github.com/supabase-community/supabase-mcp"),
    "linear": ({"command": "npx", "args": ["-y", "mcp-remote", "https://mcp.linear.app/sse"]},
               ("npm", "mcp-remote", None), "https://github.com/geelen/mcp-remote"),
    "fetch": ({"command": "uvx", "args": ["mcp-server-fetch"]},
              ("pypi", "mcp-server-fetch", None), "https://github.com/modelcontextprotocol/servers"),
    "git": ({"command": "uvx",
             "args": ["mcp-server-git@2025.1.14", "--repository", "/home/dana/src/app"]},
            ("pypi", "mcp-server-git", "2025.1.14"),
            "https://github.com/modelcontextprotocol/servers"),
    "serena": ({"command": "uvx", "args": ["--from", "git+https://github.com/oraios/serena",
                                           "serena", "start-mcp-server"]},
               ("vcs", None, None), "https://github.com/oraios/serena"),
    "aws-docs": ({"command": "uvx",
                  "args": ["--from", "awslabs.aws-documentation-mcp-server@latest",
                           "awslabs.aws-documentation-mcp-server"]},
                 ("pypi", "awslabs.aws-documentation-mcp-server", "latest"),
                 "https://github.com/awslabs/mcp"),
    "time": ({"command": "uv", "args": ["tool", "run", "--from",
                                        "mcp-server-time[tz]>=2025.1", "mcp-server-time"]},
             ("pypi", "mcp-server-time", ">=2025.1"),
             "https://github.com/modelcontextprotocol/servers"),
    "sqlite": ({"command": "pipx", "args": ["run", "--spec", "mcp-server-sqlite==2025.4.25",
                                            "mcp-server-sqlite"]},
               ("pypi", "mcp-server-sqlite", "2025.4.25"),
               "https://github.com/modelcontextprotocol/servers"),
    "github-docker": ({"command": "docker", "args": [
                          "run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN",
                          "ghcr.io/github/github-mcp-server:v0.20.1"]},
                      ("oci", "ghcr.io/github/github-mcp-server", "v0.20.1"),
                      "https://github.com/github/github-mcp-server"),
    "fetch-docker": ({"command": "docker", "args": [
                         "run", "-i", "--rm", "-v", "/home/dana/data:/data", "--env-file",
                         "/home/dana/.env", "--network", "host", f"mcp/fetch@{DIGEST}"]},
                     ("oci", "docker.io/mcp/fetch", DIGEST),
                     "https://github.com/docker/mcp-registry"),
    "acme-podman": ({"command": "podman", "args": ["run", "-i", "--rm", "-e=API_KEY",
                                                   "ghcr.io/acme/weather-mcp:1.2"]},
                    ("oci", "ghcr.io/acme/weather-mcp", "1.2"),
                    "https://github.com/acme/weather-mcp"),
    "weather-deno": ({"command": "deno", "args": ["run", "-A", "npm:@acme/mcp-weather@^2/cli"]},
                     ("npm", "@acme/mcp-weather", "^2"), "https://github.com/acme/mcp-weather"),
    "acme-go": ({"command": "go", "args": ["run", "github.com/acme/mcp/cmd/server@v1.3.0"]},
                ("go", "github.com/acme/mcp", "v1.3.0"), "https://github.com/acme/mcp"),
    "acme-remote": ({"type": "http", "url": "https://mcp.acme.example/mcp?tenant=42"},
                    ("remote", "mcp.acme.example", None), None),
}


def npm_package(repository):
    return {"repository": repository, "versions": [
        {"version": "0.0.41", "published": "-90d"}, {"version": "0.5.5", "published": "-80d"},
        {"version": "0.17.1", "published": "-70d"}, {"version": "2.1.0", "published": "-60d"},
        {"version": "2025.4.8", "published": "-50d"}]}


NPM = {
    "@modelcontextprotocol/server-github": npm_package(
        {"type": "git", "url": "git+https://github.com/modelcontextprotocol/servers.git",
         "directory": "src/github"}),
    "@upstash/context7-mcp": npm_package("git+https://github.com/upstash/context7.git"),
    "@playwright/mcp": npm_package({"type": "git",
                                    "url": "git+https://github.com/microsoft/playwright-mcp.git"}),
    "@notionhq/notion-mcp-server": npm_package("github:makenotion/notion-mcp-server"),
    "@sentry/mcp-server": npm_package({"type": "git",
                                       "url": "git+ssh://git@github.com/getsentry/sentry-mcp.git"}),
    "@browserbasehq/mcp-server-browserbase": npm_package(
        "https://github.com/browserbase/mcp-server-browserbase"),
    "@supabase/mcp-server-supabase": npm_package(
        {"type": "git", "url": "git://github.com/supabase-community/supabase-mcp.git"}),
    "mcp-remote": npm_package("geelen/mcp-remote"),
    "@acme/mcp-weather": npm_package("git+https://github.com/acme/mcp-weather.git"),
}


def pypi_project(source):
    return {"project_urls": {"Source": source}, "versions": [
        {"version": "2025.1.14", "published": "-60d"},
        {"version": "2025.4.25", "published": "-30d"}]}


PYPI = {
    "mcp-server-fetch": pypi_project("https://github.com/modelcontextprotocol/servers/tree/main/"
                                     "src/fetch"),
    "mcp-server-git": pypi_project("https://github.com/modelcontextprotocol/servers"),
    "awslabs-aws-documentation-mcp-server": pypi_project(
        "https://github.com/awslabs/mcp/tree/main/src/aws-documentation-mcp-server"),
    "mcp-server-time": {"home_page": "https://github.com/modelcontextprotocol/servers",
                        "versions": [{"version": "2025.1.0", "published": "-10d"}]},
    "mcp-server-sqlite": pypi_project("https://github.com/modelcontextprotocol/servers.git"),
}



@pytest.fixture
def config(sandbox) -> Path:
    path = Path.home() / ".claude.json"
    path.write_text(json.dumps({"mcpServers": {n: entry for n, (entry, _, _) in SERVERS.items()}},
                               indent=2))
    return path


def test_servers_shows_each_identity_as_its_own_fields(config, capsys):
    code = main(["servers", "--json"])
    assert code == 0
    rows = {s["name"]: s for s in json.loads(capsys.readouterr().out)["servers"]}
    assert len(rows) == 20
    for name, (_, (ecosystem, package, version), _) in SERVERS.items():
        row = rows[name]
        assert row["ecosystem"] == ecosystem, name
        if package is not None:
            assert row["package_name"] == package, name
        assert row["version"] == version, name
        assert row["launch"], name  # the raw launch command stays beside it


def test_each_resolves_to_its_source_repository(config, capsys):
    main(["servers", "--json"])
    rows = {s["name"]: s for s in json.loads(capsys.readouterr().out)["servers"]}
    now = NOW
    fleet = Fleet({"npm": {"packages": NPM}, "pypi": {"projects": PYPI}, "oci": OCI,
                   "web": {"sites": {}}}, now=now)
    with fleet:
        env = fleet.env()
        hosts = dict(pair.split("=", 1) for pair in env["RESPONDER_HOST_MAP"].split())
        web = WebReader(Timing(request_timeout=5, read_retries=0), hosts)
        lookup = Lookup(web=web, github=None, sources=Sources(
            npm_registry=env["RESPONDER_NPM_API_URL"], pypi_index=env["RESPONDER_PYPI_API_URL"]),
            window_start=now - timedelta(days=7), now=now, home=Path.home(), env={},
            save=lambda *_: None)
        for name, (_, (ecosystem, _, _), repository) in SERVERS.items():
            row = rows[name]
            found = discover([{"command": None, "args": [], "url": row["url"]}
                              if ecosystem == "remote" else
                              {"command": SERVERS[name][0]["command"],
                               "args": SERVERS[name][0]["args"]}], lookup)
            (facts,) = found.packages
            got = facts.repository.url if facts.repository else None
            assert got == repository, (name, got, [g.text() for g in found.gaps])
            if ecosystem == "remote":
                assert facts.host == "mcp.acme.example"
        web.close()
