"""Real-world MCP launch configs → package identity → repository (issue 6, "the bar").

Each row is a command and args the way client configs and server READMEs write them (Claude
Desktop, Cursor, VS Code, Windows variants, Docker hardening flags). The row says which package
runs (ecosystem, canonical name, version as pinned or None when floating) and, where the identity
alone determines it (Go modules, git sources), the repository `from_identity` gives; for every
other row that is None, because the repository has to come from registry metadata.

A `latest` tag is kept as written (`version="latest"`), as identity.py does for every launcher:
it names a tag, not a version, and the metadata step resolves it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from responder.maintainers.identity import package_of, url_key
from responder.maintainers.repository import SourceRepo, from_identity

DIGEST = "sha256:" + "3f" * 32


def gh(owner: str, name: str) -> SourceRepo:
    return SourceRepo("github.com", owner, name)


def row(id: str, command: str, args: list[str], ecosystem: str, name: str,
        version: str | None = None, repo: SourceRepo | None = None, **more):
    return pytest.param(command, args, ecosystem, name, version, repo, more, id=id)


ROWS = [
    # --- npx: the reference servers' READMEs and the most-installed third-party servers ---------
    row("server-github", "npx", ["-y", "@modelcontextprotocol/server-github"],
        "npm", "@modelcontextprotocol/server-github", launcher="npx"),
    row("server-filesystem-dirs", "npx",
        ["-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop",
         "/Users/me/Downloads"],
        "npm", "@modelcontextprotocol/server-filesystem"),
    row("server-postgres-url-arg", "npx",
        ["-y", "@modelcontextprotocol/server-postgres", "postgresql://localhost/mydb"],
        "npm", "@modelcontextprotocol/server-postgres"),
    row("context7-latest", "npx", ["-y", "@upstash/context7-mcp@latest"],
        "npm", "@upstash/context7-mcp", "latest"),
    row("context7-api-key-flag", "npx", ["-y", "@upstash/context7-mcp", "--api-key", "KEY"],
        "npm", "@upstash/context7-mcp"),
    row("playwright-pinned-no-y", "npx", ["@playwright/mcp@0.0.41"],
        "npm", "@playwright/mcp", "0.0.41"),
    row("playwright-latest-server-flags", "npx",
        ["@playwright/mcp@latest", "--headless", "--browser", "chromium"],
        "npm", "@playwright/mcp", "latest"),
    row("mcp-remote", "npx", ["-y", "mcp-remote", "https://mcp.example.com/sse"],
        "npm", "mcp-remote"),
    row("mcp-remote-pinned-header", "npx",
        ["mcp-remote@0.1.29", "https://mcp.example.com/mcp", "--header",
         "Authorization: Bearer ${AUTH_TOKEN}"],
        "npm", "mcp-remote", "0.1.29"),
    row("supabase-flags-after-package", "npx",
        ["-y", "@supabase/mcp-server-supabase@latest", "--read-only", "--project-ref=abcdef"],
        "npm", "@supabase/mcp-server-supabase", "latest"),
    row("notion", "npx", ["-y", "@notionhq/notion-mcp-server"],
        "npm", "@notionhq/notion-mcp-server"),
    row("stripe-equals-flags", "npx", ["-y", "@stripe/mcp", "--tools=all", "--api-key=KEY"],
        "npm", "@stripe/mcp"),
    row("azure-subcommand-args", "npx", ["-y", "@azure/mcp@latest", "server", "start"],
        "npm", "@azure/mcp", "latest"),
    row("unscoped", "npx", ["-y", "firecrawl-mcp"], "npm", "firecrawl-mcp"),
    row("smithery-cli", "npx", ["-y", "@smithery/cli@latest", "run", "@owner/server", "--key", "K"],
        "npm", "@smithery/cli", "latest"),
    row("custom-registry", "npx",
        ["--registry", "https://npm.internal.example", "-y", "@acme/mcp@2.1.0"],
        "npm", "@acme/mcp", "2.1.0", registry="https://npm.internal.example"),
    row("github-shorthand-with-ref", "npx", ["-y", "github:acme/mcp-server#v1.2.0"],
        "vcs", "github.com/acme/mcp-server", "v1.2.0", gh("acme", "mcp-server")),
    row("tsx-runs-a-local-file", "npx", ["-y", "tsx", "/Users/me/src/my-mcp/src/index.ts"],
        "path", "/Users/me/src/my-mcp/src/index.ts"),
    # --- where the launcher lives and how Windows spells it ------------------------------------
    row("windows-npx-cmd", "npx.cmd",
        ["-y", "@modelcontextprotocol/server-filesystem", "C:\\Users\\me\\Desktop"],
        "npm", "@modelcontextprotocol/server-filesystem", launcher="npx"),
    row("windows-cmd-c-separate-args", "cmd", ["/c", "npx", "-y", "@scope/x@1.2.3"],
        "npm", "@scope/x", "1.2.3"),
    row("windows-cmd-c-one-string", "cmd.exe", ["/c", "npx -y @modelcontextprotocol/server-github"],
        "npm", "@modelcontextprotocol/server-github"),
    row("windows-absolute-npx", "C:\\Program Files\\nodejs\\npx.cmd",
        ["-y", "@modelcontextprotocol/server-memory"],
        "npm", "@modelcontextprotocol/server-memory"),
    row("nvm-absolute-npx", "/Users/me/.nvm/versions/node/v20.11.0/bin/npx",
        ["-y", "@modelcontextprotocol/server-brave-search"],
        "npm", "@modelcontextprotocol/server-brave-search"),
    row("homebrew-absolute-uvx", "/opt/homebrew/bin/uvx", ["mcp-server-fetch"],
        "pypi", "mcp-server-fetch", launcher="uvx"),
    row("command-string-no-args", "npx -y @modelcontextprotocol/server-puppeteer", [],
        "npm", "@modelcontextprotocol/server-puppeteer"),
    row("env-wrapper", "env", ["NODE_OPTIONS=--max-old-space-size=4096", "npx", "-y",
                               "@modelcontextprotocol/server-memory"],
        "npm", "@modelcontextprotocol/server-memory"),
    row("sh-c-wrapper", "sh", ["-c", "npx -y @modelcontextprotocol/server-everything"],
        "npm", "@modelcontextprotocol/server-everything"),
    row("bash-lc-exec", "/bin/bash", ["-lc", "exec npx -y @upstash/context7-mcp@1.0.14"],
        "npm", "@upstash/context7-mcp", "1.0.14"),
    # --- the other npm launchers -----------------------------------------------------------------
    row("npm-exec-double-dash-range", "npm", ["exec", "--yes", "--", "@scope/x@^1"],
        "npm", "@scope/x", "^1", launcher="npm exec"),
    row("pnpm-dlx", "pnpm", ["dlx", "@modelcontextprotocol/server-memory"],
        "npm", "@modelcontextprotocol/server-memory", launcher="pnpm dlx"),
    row("yarn-dlx-package", "yarn", ["dlx", "-p", "@scope/tools@2.0.0", "tools-mcp"],
        "npm", "@scope/tools", "2.0.0", launcher="yarn dlx", binary="tools-mcp"),
    row("bunx", "bunx", ["--bun", "@scope/x@1.0.0"], "npm", "@scope/x", "1.0.0", launcher="bunx"),
    # --- uv, pipx, python ------------------------------------------------------------------------
    row("uvx-fetch", "uvx", ["mcp-server-fetch"], "pypi", "mcp-server-fetch"),
    row("uvx-git-repository-arg", "uvx", ["mcp-server-git", "--repository", "/path/to/repo"],
        "pypi", "mcp-server-git"),
    row("uvx-time-equals-arg", "uvx", ["mcp-server-time", "--local-timezone=America/New_York"],
        "pypi", "mcp-server-time"),
    row("uvx-from-git-serena", "uvx",
        ["--from", "git+https://github.com/oraios/serena", "serena", "start-mcp-server"],
        "vcs", "github.com/oraios/serena", None, gh("oraios", "serena"), binary="serena"),
    row("uvx-from-git-ref", "uvx",
        ["--from", "git+https://github.com/oraios/serena@v0.1.4", "serena", "start-mcp-server"],
        "vcs", "github.com/oraios/serena", "v0.1.4", gh("oraios", "serena")),
    row("uvx-from-git-egg", "uvx",
        ["--from", "git+https://github.com/acme/mcp.git#egg=acme-mcp", "acme-mcp"],
        "vcs", "github.com/acme/mcp", None, gh("acme", "mcp")),
    row("uvx-awslabs-at-latest", "uvx", ["awslabs.aws-documentation-mcp-server@latest"],
        "pypi", "awslabs.aws-documentation-mcp-server", "latest"),
    row("uvx-from-quoted-command-string",
        'uvx --from "awslabs.aws-documentation-mcp-server@latest" '
        "awslabs.aws-documentation-mcp-server", [],
        "pypi", "awslabs.aws-documentation-mcp-server", "latest", binary=None),
    row("uv-tool-run-windows-exe", "uv",
        ["tool", "run", "--from", "awslabs.aws-documentation-mcp-server@latest",
         "awslabs.aws-documentation-mcp-server.exe"],
        "pypi", "awslabs.aws-documentation-mcp-server", "latest", launcher="uv tool run",
        binary=None),
    row("uv-tool-run-extra-range", "uv tool run --from 'acme-mcp[redis]>=1.2' acme-server", [],
        "pypi", "acme-mcp", ">=1.2", extras=("redis",), binary="acme-server"),
    row("uvx-custom-index", "uvx",
        ["--index-url", "https://pypi.internal.example/simple", "acme-mcp==1.4.2"],
        "pypi", "acme-mcp", "1.4.2", registry="https://pypi.internal.example/simple"),
    row("uv-directory-run-script", "uv", ["--directory", "/Users/me/weather", "run", "weather.py"],
        "path", "/Users/me/weather", launcher="uv run"),
    row("mcp-install-output", "/Users/me/.local/bin/uv",
        ["run", "--with", "mcp[cli]", "mcp", "run", "/Users/me/server.py"],
        "path", "/Users/me/server.py"),
    row("fastmcp-install-output", "uv",
        ["run", "--with", "fastmcp", "fastmcp", "run", "/Users/me/main.py:mcp"],
        "path", "/Users/me/main.py"),
    row("pipx-run-spec", "pipx",
        ["run", "--spec", "mcp-server-fetch==2025.4.7", "mcp-server-fetch"],
        "pypi", "mcp-server-fetch", "2025.4.7", launcher="pipx run", binary=None),
    row("pipx-run-spec-git", "pipx",
        ["run", "--spec", "git+https://github.com/acme/mcp.git", "acme-mcp"],
        "vcs", "github.com/acme/mcp", None, gh("acme", "mcp")),
    row("python-m", "python", ["-m", "mcp_server_time", "--local-timezone=Europe/Paris"],
        "python-module", "mcp_server_time", launcher="python -m"),
    row("python-m-fastmcp-run", "python3", ["-m", "fastmcp", "run", "src/server.py"],
        "path", "src/server.py"),
    row("node-local-build", "node", ["/Users/me/weather/build/index.js"],
        "path", "/Users/me/weather/build/index.js", launcher="node"),
    # --- containers -------------------------------------------------------------------------------
    row("docker-github-env-name-only", "docker",
        ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN",
         "ghcr.io/github/github-mcp-server"],
        "oci", "ghcr.io/github/github-mcp-server", launcher="docker"),
    row("docker-github-tag-env-value", "docker",
        ["run", "-i", "--rm", "-e", "GITHUB_TOOLSETS=repos,issues", "-e",
         "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server:v0.13.0"],
        "oci", "ghcr.io/github/github-mcp-server", "v0.13.0"),
    row("docker-hub-mcp-fetch", "docker", ["run", "-i", "--rm", "mcp/fetch"],
        "oci", "docker.io/mcp/fetch"),
    row("docker-explicit-hub-latest", "docker", ["run", "-i", "--rm", "docker.io/mcp/fetch:latest"],
        "oci", "docker.io/mcp/fetch", "latest"),
    row("docker-mount-and-container-args", "docker",
        ["run", "-i", "--rm", "--mount",
         "type=bind,src=/Users/me/Desktop,dst=/projects/Desktop", "mcp/filesystem", "/projects"],
        "oci", "docker.io/mcp/filesystem"),
    row("docker-volume-before-rm", "docker",
        ["run", "-i", "-v", "claude-memory:/app/dist", "--rm", "mcp/memory"],
        "oci", "docker.io/mcp/memory"),
    row("docker-hardened-digest", "docker",
        ["run", "-i", "--rm", "--network", "host", "--env-file", "/home/me/.mcp.env",
         "-e=LOG_LEVEL=debug", "--name", "github-mcp", "-v", "/tmp/a:/data", "--read-only",
         f"ghcr.io/github/github-mcp-server:v0.13.0@{DIGEST}", "stdio"],
        "oci", "ghcr.io/github/github-mcp-server", DIGEST),
    row("docker-library-image", "docker", ["run", "-i", "--rm", "-p", "8080:80", "python:3.12"],
        "oci", "docker.io/library/python", "3.12"),
    row("podman-full-name", "podman", ["run", "-i", "--rm", "ghcr.io/github/github-mcp-server"],
        "oci", "ghcr.io/github/github-mcp-server", launcher="podman"),
    row("podman-short-name-no-docker-io", "podman", ["run", "-i", "--rm", "mcp/fetch"],
        "oci", "mcp/fetch"),
    # --- Deno and Go ------------------------------------------------------------------------------
    row("deno-npm-range-subpath", "deno", ["run", "-A", "npm:@scope/x@^2/cli"],
        "npm", "@scope/x", "^2", launcher="deno"),
    row("deno-jsr", "deno", ["run", "--allow-net", "--allow-env", "jsr:@scope/x"],
        "jsr", "@scope/x"),
    row("go-run-pinned", "go", ["run", "github.com/acme/mcp/cmd/server@v1.3.0"],
        "go", "github.com/acme/mcp", "v1.3.0", gh("acme", "mcp"),
        binary="github.com/acme/mcp/cmd/server"),
    row("go-run-grafana-latest", "go",
        ["run", "github.com/grafana/mcp-grafana/cmd/mcp-grafana@latest"],
        "go", "github.com/grafana/mcp-grafana", "latest", gh("grafana", "mcp-grafana")),
    row("go-run-major-version", "go", ["run", "github.com/acme/mcp/v2/cmd/server@v2.1.0"],
        "go", "github.com/acme/mcp/v2", "v2.1.0", gh("acme", "mcp")),
]


@pytest.mark.parametrize("command,args,ecosystem,name,version,repo,more", ROWS)
def test_real_world_launch_command(command, args, ecosystem, name, version, repo, more):
    identity = package_of(command, args)
    assert identity is not None, (command, args)
    assert (identity.ecosystem, identity.name, identity.version) == (ecosystem, name, version)
    for field, expected in more.items():
        assert getattr(identity, field) == expected, (field, getattr(identity, field))
    found = from_identity(identity)
    assert found == repo
    if repo is not None:
        assert found.url == repo.url


def test_the_table_is_large_enough():
    assert len(ROWS) >= 30


@pytest.mark.parametrize("config,key", [
    ({"url": "https://mcp.notion.com/mcp"}, "https://mcp.notion.com/mcp"),
    ({"type": "http", "url": "https://api.githubcopilot.com/mcp/"},
     "https://api.githubcopilot.com/mcp"),
    ({"serverUrl": "https://mcp.linear.app/sse"}, "https://mcp.linear.app/sse"),
    ({"httpUrl": "https://MCP.Example.com:443/mcp?api_key=K#x"}, "https://mcp.example.com/mcp"),
    ({"type": "sse", "url": "http://localhost:8000/sse"}, "http://localhost:8000/sse"),
    ({"url": "https://mcp.context7.com/mcp"}, "https://mcp.context7.com/mcp"),
], ids=["notion", "github-copilot", "windsurf-serverUrl", "gemini-httpUrl", "local-sse",
        "context7"])
def test_remote_url_config(config, key):
    url = next(v for k, v in config.items() if k in ("url", "serverUrl", "httpUrl"))
    assert url_key(url) == key
    # The identity of a remote server is its host: the one security.txt applies to (§1.5).
    assert urlsplit(key).hostname == urlsplit(url).hostname.lower()
