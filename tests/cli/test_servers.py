"""`responder servers`, end to end through `responder.cli.app.main`.

A home with several clients configured (Kiro, Claude Code user + local + a project `.mcp.json`,
Cursor, VS Code, Codex TOML, Goose YAML, Continue YAML), some servers disabled, one literal GitHub
token and one `${env:GITHUB_TOKEN}` reference whose variable is set. The listing must name each
server once with its client, scope, `file:line`, transport, package or URL, redacted credentials
and state; secrets never appear; `--json`, `--client`, `--workspace` and errors behave as
documented.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from responder.cli.app import main
from responder.clients import registry

LITERAL = "ghp_" + "Kq7" * 10 + "Lmwxyz"  # 36 characters after the prefix
FROM_ENV = "ghp_" + "Rt9" * 10 + "Pq5678"
assert len(LITERAL) == len(FROM_ENV) == 40
HEADER = ("client", "scope", "file", "server", "transport", "package or URL", "credentials",
          "state")
_RELOCATIONS = ("XDG_CONFIG_HOME", "APPDATA", "CODEX_HOME", "COPILOT_HOME", "GEMINI_CLI_HOME",
                "CONTINUE_GLOBAL_DIR", "CLINE_DIR", "CLINE_DATA_DIR", "CLINE_MCP_SETTINGS_PATH",
                "VSCODE_PORTABLE", "FLATPAK_XDG_CONFIG_HOME", "GEMINI_CLI_SYSTEM_SETTINGS_PATH",
                "RESPONDER_PLATFORM")

KIRO = """{
  // Kiro user settings
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "%s"},
      "autoApprove": ["search_repositories"]
    },
    "fetch": {
      "command": "uvx",
      "args": ["mcp-server-fetch"],
      "disabled": true
    }
  }
}
""" % LITERAL

CLAUDE = """{
  "numStartups": 12,
  "mcpServers": {
    "sentry": {"type": "http", "url": "https://mcp.sentry.dev/mcp"}
  },
  "projects": {
    "@PROJECT@": {
      "mcpServers": {
        "postgres": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-postgres"]}
      },
      "disabledMcpServers": ["postgres"]
    }
  }
}
"""

MCP_JSON = """{
  "mcpServers": {
    "linear": {"type": "sse", "url": "https://mcp.linear.app/sse"},
    "[red]x": {"command": "npx", "args": ["-y", "@acme/markup-server"]}
  }
}
"""

CURSOR = """{
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${env:GITHUB_TOKEN}"}
    },
    "browser": {"url": "https://mcp.browserbase.com/mcp"}
  }
}
"""

VSCODE = """{
  // user-level servers
  "servers": {
    "playwright": {"type": "stdio", "command": "npx", "args": ["@playwright/mcp@latest"]},
    "copilot": {"type": "http", "url": "https://api.githubcopilot.com/mcp/"},
  },
}
"""

CODEX = """model = "o3"

[mcp_servers.context7]
command = "npx"
args = ["-y", "@upstash/context7-mcp"]

[mcp_servers.time]
command = "uvx"
args = ["mcp-server-time"]
enabled = false

[mcp_servers.figma]
url = "https://mcp.figma.com/mcp"
"""

GOOSE = """GOOSE_PROVIDER: openai
extensions:
  memory:
    type: stdio
    name: memory
    cmd: npx
    args: ["-y", "@modelcontextprotocol/server-memory"]
    enabled: false
  remote:
    type: sse
    name: remote
    uri: https://goose.example.com/sse
    enabled: true
"""

CONTINUE = """name: my-config
version: 1.0.0
schema: v1
mcpServers:
  - name: sqlite
    command: uvx
    args: ["mcp-server-sqlite", "--db-path", "/tmp/test.db"]
"""

# (client, scope, file, server, transport, package or URL, credentials, state); `@P` = project.
EXPECTED = [
    ("kiro", "user", "~/.kiro/settings/mcp.json:4", "github", "stdio",
     "npm @modelcontextprotocol/server-github", "ghp_…wxyz", "enabled"),
    ("kiro", "user", "~/.kiro/settings/mcp.json:10", "fetch", "stdio", "pypi mcp-server-fetch",
     "-", "disabled"),
    ("claude-code", "user", "~/.claude.json:4", "sentry", "http", "https://mcp.sentry.dev/mcp",
     "-", "enabled"),
    ("claude-code", "local", "~/.claude.json:9", "postgres", "stdio",
     "npm @modelcontextprotocol/server-postgres", "-", "disabled"),
    ("claude-code", "project", "@P/.mcp.json:3", "linear", "sse", "https://mcp.linear.app/sse",
     "-", "enabled"),
    ("claude-code", "project", "@P/.mcp.json:4", "[red]x", "stdio", "npm @acme/markup-server",
     "-", "enabled"),
    ("cursor", "user", "~/.cursor/mcp.json:3", "github", "stdio",
     "npm @modelcontextprotocol/server-github", "ghp_…5678", "enabled"),
    ("cursor", "user", "~/.cursor/mcp.json:8", "browser", "http",
     "https://mcp.browserbase.com/mcp", "-", "enabled"),
    ("vscode", "user", "~/.config/Code/User/mcp.json:4", "playwright", "stdio",
     "npm @playwright/mcp latest", "-", "enabled"),
    ("vscode", "user", "~/.config/Code/User/mcp.json:5", "copilot", "http",
     "https://api.githubcopilot.com/mcp", "-", "enabled"),
    ("continue", "user", "~/.continue/config.yaml:5", "sqlite", "stdio",
     "pypi mcp-server-sqlite", "-", "enabled"),
    ("codex", "user", "~/.codex/config.toml:3", "context7", "stdio",
     "npm @upstash/context7-mcp", "-", "enabled"),
    ("codex", "user", "~/.codex/config.toml:7", "time", "stdio", "pypi mcp-server-time", "-",
     "disabled"),
    ("codex", "user", "~/.codex/config.toml:12", "figma", "http", "https://mcp.figma.com/mcp",
     "-", "enabled"),
    ("goose", "user", "~/.config/goose/config.yaml:3", "memory", "stdio",
     "npm @modelcontextprotocol/server-memory", "-", "disabled"),
    ("goose", "user", "~/.config/goose/config.yaml:9", "remote", "sse",
     "https://goose.example.com/sse", "-", "enabled"),
]


@pytest.fixture
def home(sandbox, monkeypatch) -> Path:
    for name in _RELOCATIONS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RESPONDER_PLATFORM", "linux")
    monkeypatch.setenv("GITHUB_TOKEN", FROM_ENV)
    home = sandbox / "home"
    project = sandbox / "proj"
    files = {
        home / ".kiro/settings/mcp.json": KIRO,
        home / ".claude.json": CLAUDE.replace("@PROJECT@", str(project)),
        project / ".mcp.json": MCP_JSON,
        home / ".cursor/mcp.json": CURSOR,
        home / ".config/Code/User/mcp.json": VSCODE,
        home / ".codex/config.toml": CODEX,
        home / ".config/goose/config.yaml": GOOSE,
        home / ".continue/config.yaml": CONTINUE,
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return home


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["servers", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def table(out: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    lines = out.splitlines()
    header, *rows = [tuple(re.split(r"\s{2,}", line.strip())) for line in lines if line.strip()]
    return header, rows


def expected(sandbox: Path, rows=EXPECTED) -> list[tuple[str, ...]]:
    project = str(sandbox / "proj")
    return [tuple(cell.replace("@P", project) for cell in r) for r in rows]


def test_plain_table_lists_every_server_once(home, sandbox, capsys) -> None:
    code, out, err = run(capsys)
    assert code == 0, err
    assert err == ""
    header, rows = table(out)
    assert header == HEADER
    assert rows == expected(sandbox)


def test_columns_are_aligned(home, capsys) -> None:
    _code, out, _err = run(capsys)
    lines = [line for line in out.splitlines() if line.strip()]
    for title in HEADER[1:]:
        column = lines[0].index(title)
        for line in lines[1:]:
            assert line[column - 2:column] == "  " and line[column] != " ", (title, line)


def test_secrets_never_printed_only_redacted(home, capsys) -> None:
    for args in ((), ("--json",)):
        code, out, err = run(capsys, *args)
        assert code == 0
        for raw in (LITERAL, FROM_ENV, LITERAL[4:], FROM_ENV[4:], LITERAL[:-4], FROM_ENV[:-4]):
            assert raw not in out + err, args
        assert "ghp_…wxyz" in out and "ghp_…5678" in out


def test_secret_in_args_and_url_is_scrubbed_from_launch_and_url(home, sandbox, capsys) -> None:
    (sandbox / "proj" / ".mcp.json").write_text(json.dumps({"mcpServers": {
        "leaky": {"command": "my-server", "args": ["--token", LITERAL]},
        "query": {"url": f"https://mcp.example.com/mcp?token={FROM_ENV}"}}}))
    for args in ((), ("--json",)):
        _code, out, err = run(capsys, *args)
        assert LITERAL not in out + err and FROM_ENV not in out + err
    data = json.loads(run(capsys, "--json")[1])
    leaky = next(s for s in data["servers"] if s["name"] == "leaky")
    assert leaky["launch"] == "my-server --token ghp_…wxyz"
    query = next(s for s in data["servers"] if s["name"] == "query")
    assert query["credentials"] == ["ghp_…5678"]


FIELDS = {"name", "client", "scope", "path", "line", "location", "transport", "package", "url",
          "credentials", "disabled", "auto_approve", "mode", "launch", "ecosystem",
          "package_name", "version"}


def runs(s) -> str:
    if s["ecosystem"] not in (None, "remote"):
        return " ".join(filter(None, (s["ecosystem"], s["package_name"], s["version"])))
    return s["url"]


def test_json_schema_and_fields(home, sandbox, capsys) -> None:
    code, out, err = run(capsys, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["schema"] == "responder.servers/1"
    assert data["files_scanned"] == 8
    assert data["unparsed"] == []
    assert all(set(s) == FIELDS for s in data["servers"])
    home_text = str(home)
    got = [(s["client"], s["scope"],
            f"{s['path'].replace(home_text, '~', 1)}:{s['line']}", s["name"], s["transport"],
            runs(s), ", ".join(s["credentials"]) or "-",
            "disabled" if s["disabled"] else "enabled") for s in data["servers"]]
    assert got == expected(sandbox)
    kiro = data["servers"][0]
    assert kiro == {
        "name": "github", "client": "kiro", "scope": "user",
        "path": str(home / ".kiro/settings/mcp.json"), "line": 4,
        "location": "mcpServers.github", "transport": "stdio",
        "package": "npm:@modelcontextprotocol/server-github", "url": None,
        "credentials": ["ghp_…wxyz"], "disabled": False,
        "auto_approve": ["search_repositories"], "mode": kiro["mode"],
        "launch": "npx -y @modelcontextprotocol/server-github", "ecosystem": "npm",
        "package_name": "@modelcontextprotocol/server-github", "version": None}
    assert re.fullmatch(r"0[0-7]{3}", kiro["mode"])
    postgres = next(s for s in data["servers"] if s["name"] == "postgres")
    assert postgres["location"] == f'projects["{sandbox / "proj"}"].mcpServers.postgres'
    sentry = next(s for s in data["servers"] if s["name"] == "sentry")
    assert sentry["url"] == "https://mcp.sentry.dev/mcp" and sentry["package"] is None
    assert (sentry["ecosystem"], sentry["package_name"], sentry["version"]) == (
        "remote", "mcp.sentry.dev", None)
    assert sentry["launch"] == "https://mcp.sentry.dev/mcp"
    time = next(s for s in data["servers"] if s["name"] == "time")
    assert time["location"] == "mcp_servers.time" and time["disabled"] is True


def test_client_filter(home, capsys) -> None:
    code, out, _err = run(capsys, "--client", "cursor")
    assert code == 0
    _header, rows = table(out)
    assert [(r[0], r[3]) for r in rows] == [("cursor", "github"), ("cursor", "browser")]
    code, out, _err = run(capsys, "-c", "codex", "-c", "goose", "--json")
    data = json.loads(out)
    assert {s["client"] for s in data["servers"]} == {"codex", "goose"}
    assert data["files_scanned"] == 2


def test_unknown_client_exits_2_with_the_list(home, capsys) -> None:
    code, out, err = run(capsys, "--client", "nope")
    assert code == 2
    assert out == ""
    assert "unknown client 'nope'" in err
    assert "clients: " + ", ".join(registry.names()) in err


def test_broken_file_exits_2_named_on_stderr_and_the_rest_is_listed(home, sandbox,
                                                                      capsys) -> None:
    broken = home / ".codeium" / "windsurf" / "mcp_config.json"
    broken.parent.mkdir(parents=True)
    broken.write_text('{\n  "mcpServers": {\n    "x": {"command": "npx",,}\n  }\n}\n')
    code, out, err = run(capsys)
    assert code == 2
    assert re.search(re.escape(str(broken)) + r":3:\d+: ", err), err
    assert "Traceback" not in err
    _header, rows = table(out)
    assert rows == expected(sandbox)
    code, out, err = run(capsys, "--json")
    assert code == 2
    data = json.loads(out)
    assert [p["path"] for p in data["unparsed"]] == [str(broken)]
    assert data["unparsed"][0]["where"].startswith(f"{broken}:3:")
    assert len(data["servers"]) == len(EXPECTED)


def test_workspace_adds_a_project(home, sandbox, capsys) -> None:
    extra = sandbox / "extra"
    (extra / ".vscode").mkdir(parents=True)
    (extra / ".vscode" / "mcp.json").write_text(
        '{\n  "servers": {\n    "docs": {"type": "http", "url": "https://docs.example.com/mcp"}'
        "\n  }\n}\n")
    _code, out, _err = run(capsys)
    assert "docs" not in out
    code, out, err = run(capsys, "--workspace", str(extra))
    assert code == 0, err
    _header, rows = table(out)
    assert ("vscode", "workspace", f"{extra}/.vscode/mcp.json:3", "docs", "http",
            "https://docs.example.com/mcp", "-", "enabled") in rows
    assert len(rows) == len(EXPECTED) + 1


def test_markup_in_a_server_name_is_printed_literally(home, capsys) -> None:
    _code, out, _err = run(capsys)
    assert "[red]x" in out


def test_markup_is_literal_on_a_terminal_too(home, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code = main(["servers"])
    out = capsys.readouterr().out
    assert code == 0
    assert "MCP server(s)" in out  # the rich table's title: this was the terminal path
    assert "[red]x" in out
    assert LITERAL not in out and FROM_ENV not in out and "ghp_…wxyz" in out


def test_nothing_configured(sandbox, monkeypatch, capsys) -> None:
    for name in _RELOCATIONS:
        monkeypatch.delenv(name, raising=False)
    code, out, err = run(capsys)
    assert code == 0
    assert out.strip() == "no MCP servers found in 0 config file(s)"


# -- bugs ------------------------------------------------------------------------------------


def test_sibling_of_home_is_not_shortened_to_tilde(home, sandbox, capsys) -> None:
    sibling = sandbox / (home.name + "work")
    sibling.mkdir()
    (sibling / ".mcp.json").write_text('{"mcpServers": {"sib": {"command": "npx"}}}')
    _code, out, _err = run(capsys, "--workspace", str(sibling))
    row = next(r for r in table(out)[1] if r[3] == "sib")
    assert row[2] == f"{sibling}/.mcp.json:1"


def test_claude_code_local_server_has_local_scope(home, capsys) -> None:
    data = json.loads(run(capsys, "--json")[1])
    postgres = next(s for s in data["servers"] if s["name"] == "postgres")
    assert postgres["scope"] == "local"
