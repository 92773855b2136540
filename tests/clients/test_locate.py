"""Every client's config paths on every OS, per scope, with the environment overrides they honour.

The issue: "Paths per OS (Linux, macOS, Windows) and per scope; env overrides honoured; tests
inject the platform, so every OS's paths are tested here." Paths come from
shared/reference/mcp-clients.md §2 and §5 (docs/clients.md repeats them).

Each row of `ROWS` is (client, platforms, env, path, scope, kind, managed). Paths start with
`~/` (the machine's home), `@/` (a project root), `/` (the machine's `root`, where system files
live) or `^/` (the sandbox itself: where an environment variable points). Env values use the same
prefixes. Every file holds a minimal valid config with one server, `srv`.

- `test_row_is_found_exactly`: with only that file on disk, the adapter locates exactly it, with
  the row's scope, kind and managed flag, and parses one server from it.
- `test_only_this_platforms_layout_is_found`: with every file of the client on disk (every OS's
  layout at once, and the env-relocated copies), each platform finds exactly its own rows.
- then the deduplication rules of `scan.locate`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import pytest

from responder.clients import registry
from responder.clients.scan import locate as scan_locate
from responder.core.machine import PLATFORMS, Machine

ALL = "linux,darwin,win32"
UNIX = "linux,darwin"
SERVER = {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]}


@dataclass(frozen=True)
class Row:
    client: str
    platforms: str  # comma-separated
    env: tuple[tuple[str, str], ...]
    path: str
    scope: str
    kind: str
    managed: bool = False


def row(client, platforms, path, scope, kind="", *, env=None, managed=False) -> Row:
    return Row(client, platforms, tuple((env or {}).items()), path, scope, kind, managed)


ROWS: tuple[Row, ...] = (
    # -- Kiro: user, workspace, CLI agents, Powers ---------------------------------------------
    row("kiro", ALL, "~/.kiro/settings/mcp.json", "user"),
    row("kiro", ALL, "@/.kiro/settings/mcp.json", "workspace"),
    row("kiro", ALL, "~/.kiro/agents/reviewer.json", "agent", "agent"),
    row("kiro", ALL, "~/.kiro/powers/installed/github/mcp.json", "power", "power"),
    row("kiro", ALL, "@/.kiro/agents/dev.json", "workspace-agent", "agent"),
    # -- Claude Code ---------------------------------------------------------------------------
    row("claude-code", ALL, "~/.claude.json", "user", "claude-json"),
    row("claude-code", ALL, "^/claude-cfg/.claude.json", "user", "claude-json",
        env={"CLAUDE_CONFIG_DIR": "^/claude-cfg"}),
    row("claude-code", ALL, "@/.mcp.json", "project", "mcp-json"),
    row("claude-code", ALL, "~/.claude/plugins/cache/official/github/1.0.0/.mcp.json", "plugin",
        "plugin"),
    row("claude-code", "linux", "/etc/claude-code/managed-mcp.json", "managed", "managed",
        managed=True),
    row("claude-code", "darwin", "/Library/Application Support/ClaudeCode/managed-mcp.json",
        "managed", "managed", managed=True),
    row("claude-code", "win32", "/Program Files/ClaudeCode/managed-mcp.json", "managed",
        "managed", managed=True),
    row("claude-code", "win32", "^/PF/ClaudeCode/managed-mcp.json", "managed", "managed",
        env={"ProgramFiles": "^/PF"}, managed=True),
    # -- Claude Desktop (Linux: unofficial builds only, reference §3.1) ------------------------
    row("claude-desktop", "darwin",
        "~/Library/Application Support/Claude/claude_desktop_config.json", "user", "config"),
    row("claude-desktop", "win32", "~/AppData/Roaming/Claude/claude_desktop_config.json", "user",
        "config"),
    row("claude-desktop", "win32", "^/roaming/Claude/claude_desktop_config.json", "user",
        "config", env={"APPDATA": "^/roaming"}),
    row("claude-desktop", "linux", "~/.config/Claude/claude_desktop_config.json", "user",
        "config"),
    row("claude-desktop", "linux", "^/xdg/Claude/claude_desktop_config.json", "user", "config",
        env={"XDG_CONFIG_HOME": "^/xdg"}),
    # -- Cursor --------------------------------------------------------------------------------
    row("cursor", ALL, "~/.cursor/mcp.json", "user", "mcp"),
    row("cursor", ALL, "~/.cursor/plugins/cache/acme/github/mcp.json", "plugin", "mcp"),
    row("cursor", ALL, "~/.cursor/plugins/local/mine/mcp.json", "plugin", "mcp"),
    row("cursor", ALL, "@/.cursor/mcp.json", "project", "mcp"),
    # -- VS Code: user (per app, per OS), profiles, legacy settings, workspace, devcontainer ---
    row("vscode", "linux", "~/.config/Code/User/mcp.json", "user", "mcp"),
    row("vscode", "linux", "~/.config/Code - Insiders/User/mcp.json", "user", "mcp"),
    row("vscode", "linux", "~/.config/VSCodium/User/mcp.json", "user", "mcp"),
    row("vscode", "linux", "^/xdg/Code/User/mcp.json", "user", "mcp",
        env={"XDG_CONFIG_HOME": "^/xdg"}),
    row("vscode", "darwin", "~/Library/Application Support/Code/User/mcp.json", "user", "mcp"),
    row("vscode", "darwin", "~/Library/Application Support/Code - Insiders/User/mcp.json",
        "user", "mcp"),
    row("vscode", "win32", "~/AppData/Roaming/Code/User/mcp.json", "user", "mcp"),
    row("vscode", "win32", "^/roaming/Code/User/mcp.json", "user", "mcp",
        env={"APPDATA": "^/roaming"}),
    row("vscode", ALL, "^/portable/user-data/User/mcp.json", "user", "mcp",
        env={"VSCODE_PORTABLE": "^/portable"}),
    row("vscode", "linux", "~/.config/Code/User/profiles/5f3e1a2b/mcp.json", "user", "mcp"),
    row("vscode", "darwin", "~/Library/Application Support/Code/User/profiles/5f3e1a2b/mcp.json",
        "user", "mcp"),
    row("vscode", "win32", "~/AppData/Roaming/Code/User/profiles/5f3e1a2b/mcp.json", "user",
        "mcp"),
    row("vscode", "linux", "~/.config/Code/User/settings.json", "user", "settings"),
    row("vscode", "linux", "~/.config/Code/User/profiles/5f3e1a2b/settings.json", "user",
        "settings"),
    row("vscode", "win32", "~/AppData/Roaming/Code/User/settings.json", "user", "settings"),
    row("vscode", ALL, "@/.vscode/mcp.json", "workspace", "mcp"),
    row("vscode", ALL, "@/.vscode/settings.json", "workspace", "settings"),
    row("vscode", ALL, "@/app.code-workspace", "workspace", "workspace-file"),
    row("vscode", ALL, "@/.devcontainer/devcontainer.json", "devcontainer", "devcontainer"),
    row("vscode", ALL, "@/.devcontainer.json", "devcontainer", "devcontainer"),
    row("vscode", ALL, "@/.devcontainer/python/devcontainer.json", "devcontainer",
        "devcontainer"),
    # -- Windsurf ------------------------------------------------------------------------------
    row("windsurf", ALL, "~/.codeium/windsurf/mcp_config.json", "user", "mcp"),
    row("windsurf", ALL, "~/.codeium/mcp_config.json", "user", "mcp"),
    row("windsurf", ALL, "@/.windsurf/mcp.json", "project", "mcp"),
    # -- Cline: default, the three overrides, legacy copies ------------------------------------
    row("cline", ALL, "~/.cline/data/settings/cline_mcp_settings.json", "user", "settings"),
    row("cline", ALL, "^/cline/custom.json", "user", "settings",
        env={"CLINE_MCP_SETTINGS_PATH": "^/cline/custom.json"}),
    row("cline", ALL, "^/cline-data/settings/cline_mcp_settings.json", "user", "settings",
        env={"CLINE_DATA_DIR": "^/cline-data"}),
    row("cline", ALL, "^/cline-dir/data/settings/cline_mcp_settings.json", "user", "settings",
        env={"CLINE_DIR": "^/cline-dir"}),
    row("cline", "linux", "~/.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/"
        "cline_mcp_settings.json", "user", "settings"),
    row("cline", "darwin", "~/Library/Application Support/Code/User/globalStorage/"
        "saoudrizwan.claude-dev/settings/cline_mcp_settings.json", "user", "settings"),
    row("cline", "win32", "~/AppData/Roaming/Code/User/globalStorage/saoudrizwan.claude-dev/"
        "settings/cline_mcp_settings.json", "user", "settings"),
    row("cline", ALL, "~/Documents/Cline/MCP/cline_mcp_settings.json", "user", "settings"),
    # -- Roo Code and Kilo Code ----------------------------------------------------------------
    row("roo-code", "linux", "~/.config/Code/User/globalStorage/rooveterinaryinc.roo-cline/"
        "settings/mcp_settings.json", "user", "settings"),
    row("roo-code", "darwin", "~/Library/Application Support/Code/User/globalStorage/"
        "rooveterinaryinc.roo-cline/settings/mcp_settings.json", "user", "settings"),
    row("roo-code", "win32", "~/AppData/Roaming/Code/User/globalStorage/"
        "rooveterinaryinc.roo-cline/settings/mcp_settings.json", "user", "settings"),
    row("roo-code", "linux", "~/.config/Code/User/globalStorage/kilocode.kilo-code/settings/"
        "mcp_settings.json", "user", "settings"),
    row("roo-code", ALL, "~/.kilocode/cli/global/settings/mcp_settings.json", "user", "settings"),
    row("roo-code", ALL, "@/.roo/mcp.json", "project", "settings"),
    row("roo-code", ALL, "@/.kilocode/mcp.json", "project", "settings"),
    # -- Continue: config.yaml, block files, CONTINUE_GLOBAL_DIR -------------------------------
    row("continue", ALL, "~/.continue/config.yaml", "user", "yaml"),
    row("continue", ALL, "^/continue/config.yaml", "user", "yaml",
        env={"CONTINUE_GLOBAL_DIR": "^/continue"}),
    row("continue", ALL, "~/.continue/mcpServers/github.yaml", "user-block", "yaml"),
    row("continue", ALL, "~/.continue/mcpServers/github.yml", "user-block", "yaml"),
    row("continue", ALL, "~/.continue/mcpServers/claude.json", "user-block", "json"),
    row("continue", ALL, "^/continue/mcpServers/github.yaml", "user-block", "yaml",
        env={"CONTINUE_GLOBAL_DIR": "^/continue"}),
    row("continue", ALL, "@/.continue/mcpServers/github.yaml", "project-block", "yaml"),
    row("continue", ALL, "@/.continue/mcpServers/servers.json", "project-block", "json"),
    # -- Zed -----------------------------------------------------------------------------------
    row("zed", UNIX, "~/.config/zed/settings.json", "user", "settings"),
    row("zed", "linux", "^/xdg/zed/settings.json", "user", "settings",
        env={"XDG_CONFIG_HOME": "^/xdg"}),
    row("zed", "linux", "^/flatpak/zed/settings.json", "user", "settings",
        env={"FLATPAK_XDG_CONFIG_HOME": "^/flatpak"}),
    row("zed", "win32", "~/AppData/Roaming/Zed/settings.json", "user", "settings"),
    row("zed", "win32", "^/roaming/Zed/settings.json", "user", "settings",
        env={"APPDATA": "^/roaming"}),
    row("zed", ALL, "@/.zed/settings.json", "project", "settings"),
    # -- Gemini CLI ----------------------------------------------------------------------------
    row("gemini-cli", ALL, "~/.gemini/settings.json", "user", "settings"),
    row("gemini-cli", ALL, "^/gem/.gemini/settings.json", "user", "settings",
        env={"GEMINI_CLI_HOME": "^/gem"}),
    row("gemini-cli", ALL, "~/.gemini/extensions/github/gemini-extension.json", "extension",
        "settings"),
    row("gemini-cli", ALL, "@/.gemini/settings.json", "project", "settings"),
    row("gemini-cli", "linux", "/etc/gemini-cli/settings.json", "system", "settings",
        managed=True),
    row("gemini-cli", "linux", "/etc/gemini-cli/system-defaults.json", "system", "settings",
        managed=True),
    row("gemini-cli", "darwin", "/Library/Application Support/GeminiCli/settings.json", "system",
        "settings", managed=True),
    row("gemini-cli", "darwin", "/Library/Application Support/GeminiCli/system-defaults.json",
        "system", "settings", managed=True),
    row("gemini-cli", "win32", "/ProgramData/gemini-cli/settings.json", "system", "settings",
        managed=True),
    row("gemini-cli", "win32", "/ProgramData/gemini-cli/system-defaults.json", "system",
        "settings", managed=True),
    row("gemini-cli", "win32", "^/PD/gemini-cli/settings.json", "system", "settings",
        env={"ProgramData": "^/PD"}, managed=True),
    row("gemini-cli", ALL, "^/sys/gemini-settings.json", "system", "settings",
        env={"GEMINI_CLI_SYSTEM_SETTINGS_PATH": "^/sys/gemini-settings.json"}, managed=True),
    # -- OpenAI Codex --------------------------------------------------------------------------
    row("codex", ALL, "~/.codex/config.toml", "user", "config"),
    row("codex", ALL, "^/codex/config.toml", "user", "config", env={"CODEX_HOME": "^/codex"}),
    row("codex", ALL, "~/.codex/work.config.toml", "profile", "config"),
    row("codex", ALL, "@/.codex/config.toml", "project", "config"),
    row("codex", UNIX, "/etc/codex/config.toml", "system", "config", managed=True),
    row("codex", "win32", "/ProgramData/OpenAI/Codex/config.toml", "system", "config",
        managed=True),
    row("codex", "win32", "^/PD/OpenAI/Codex/config.toml", "system", "config",
        env={"ProgramData": "^/PD"}, managed=True),
    row("codex", ALL, "~/.codex/plugins/acme/github/.mcp.json", "plugin", "plugin"),
    row("codex", ALL, "^/codex/plugins/acme/.mcp.json", "plugin", "plugin",
        env={"CODEX_HOME": "^/codex"}),
    # -- Amazon Q Developer --------------------------------------------------------------------
    row("amazon-q", ALL, "~/.aws/amazonq/mcp.json", "user", "mcp"),
    row("amazon-q", ALL, "~/.aws/amazonq/default.json", "user", "mcp"),
    row("amazon-q", ALL, "~/.aws/amazonq/cli-agents/dev.json", "agent", "agent"),
    row("amazon-q", ALL, "@/.amazonq/mcp.json", "project", "mcp"),
    row("amazon-q", ALL, "@/.amazonq/default.json", "project", "mcp"),
    row("amazon-q", ALL, "@/.amazonq/cli-agents/dev.json", "project-agent", "agent"),
    # -- Goose ---------------------------------------------------------------------------------
    row("goose", UNIX, "~/.config/goose/config.yaml", "user", "config"),
    row("goose", "linux", "^/xdg/goose/config.yaml", "user", "config",
        env={"XDG_CONFIG_HOME": "^/xdg"}),
    row("goose", "win32", "~/AppData/Roaming/Block/goose/config/config.yaml", "user", "config"),
    row("goose", "win32", "^/roaming/Block/goose/config/config.yaml", "user", "config",
        env={"APPDATA": "^/roaming"}),
    # -- JetBrains Junie, LM Studio ------------------------------------------------------------
    row("junie", ALL, "~/.junie/mcp/mcp.json", "user", "mcp"),
    row("junie", ALL, "@/.junie/mcp/mcp.json", "project", "mcp"),
    row("lm-studio", ALL, "~/.lmstudio/mcp.json", "user", "mcp"),
    row("lm-studio", ALL, "~/.cache/lm-studio/mcp.json", "user", "mcp"),
    # -- Visual Studio (Windows only) ----------------------------------------------------------
    row("visual-studio", "win32", "~/.mcp.json", "user", "mcp"),
    row("visual-studio", "win32", "@/.vs/mcp.json", "solution", "mcp"),
    # -- GitHub Copilot CLI --------------------------------------------------------------------
    row("copilot-cli", ALL, "~/.copilot/mcp-config.json", "user", "mcp"),
    row("copilot-cli", ALL, "^/copilot/mcp-config.json", "user", "mcp",
        env={"COPILOT_HOME": "^/copilot"}),
)

# Other clients' files that sit next to these and must not be picked up by the wrong adapter.
DECOYS: dict[str, tuple[str, ...]] = {
    # VS Code's adapter reads Code, Code - Insiders and VSCodium; the forks have their own files.
    "vscode": ("~/.config/Cursor/User/mcp.json", "~/.config/Windsurf/User/mcp.json",
               "~/.config/Kiro/User/mcp.json", "@/.cursor/mcp.json"),
    "cursor": ("~/.cursor/plugins/readme.json", "@/.vscode/mcp.json"),
    "claude-code": ("~/.claude/settings.json", "~/.mcp.json", "@/.claude/settings.local.json",
                    "/etc/claude-code/managed-settings.json"),
    "codex": ("~/.codex/requirements.toml",),
    "continue": ("~/.continue/config.json.bak", "~/.continue/mcpServers/readme.md"),
    "visual-studio": ("@/.mcp.json", "@/.vscode/mcp.json"),
}


def _cases() -> list[tuple[Row, str]]:
    return [(r, p) for r in ROWS for p in r.platforms.split(",")]


CASES = _cases()


@dataclass
class Box:
    base: Path
    home: Path
    cwd: Path
    project: Path
    root: Path

    def path(self, spec: str) -> Path:
        if spec.startswith("~/"):
            return self.home / spec[2:]
        if spec.startswith("@/"):
            return self.project / spec[2:]
        if spec.startswith("^/"):
            return self.base / spec[2:]
        assert spec.startswith("/"), spec
        return self.root / spec[1:]

    def machine(self, platform: str, env: dict[str, str] | None = None,
                cwd: Path | None = None, home: Path | None = None) -> Machine:
        resolved = {k: str(self.path(v)) if v[:2] in ("~/", "@/", "^/") else v
                    for k, v in (env or {}).items()}
        return Machine(home=home or self.home, cwd=cwd or self.cwd, workspaces=(self.project,),
                       env=MappingProxyType(resolved), platform=platform, root=self.root)


@pytest.fixture
def box(tmp_path) -> Box:
    made = Box(tmp_path, tmp_path / "home", tmp_path / "cwd", tmp_path / "project",
               tmp_path / "root")
    for folder in (made.home, made.cwd, made.project, made.root):
        folder.mkdir(exist_ok=True)
    return made


def content(client: str, kind: str, path: Path) -> str:
    """A minimal valid config of that client and kind, with one server `srv`."""
    if client == "codex" and kind == "config":
        return '[mcp_servers.srv]\ncommand = "npx"\nargs = ["-y", "x"]\n'
    if client == "goose":
        return "extensions:\n  srv:\n    type: stdio\n    cmd: npx\n    enabled: true\n"
    if client == "continue" and kind == "yaml":
        block = "name: blocks\nversion: 0.0.1\nschema: v1\n" if "mcpServers" in path.parts else ""
        return block + "mcpServers:\n  - name: srv\n    command: npx\n"
    if client == "zed":
        return json.dumps({"context_servers": {"srv": SERVER}})
    if client == "visual-studio":
        return json.dumps({"servers": {"srv": SERVER}})
    if client == "vscode":
        inner = {"servers": {"srv": {"type": "stdio", **SERVER}}}
        shaped = {"mcp": inner,
                  "settings": {"mcp": inner},
                  "workspace-file": {"folders": [{"path": "."}], "settings": {"mcp": inner}},
                  "devcontainer": {"customizations": {"vscode": {"mcp": inner}}}}[kind]
        return "// JSONC\n" + json.dumps(shaped, indent=2)
    return json.dumps({"mcpServers": {"srv": SERVER}}, indent=2)


def write(box: Box, r: Row) -> Path:
    target = box.path(r.path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content(r.client, r.kind, target), encoding="utf-8")
    return target


def found(client: str, machine: Machine, box: Box) -> list[tuple[Path, str, str, bool]]:
    located = registry.get(client).locate(machine, (box.project,))
    return [(c.path, c.scope, c.kind, c.managed) for c in located]


@pytest.mark.parametrize(("r", "platform"), CASES,
                         ids=[f"{r.client}:{platform}:{r.path}{':env' if r.env else ''}"
                              for r, platform in CASES])
def test_row_is_found_exactly(r: Row, platform: str, box: Box) -> None:
    target = write(box, r)
    machine = box.machine(platform, dict(r.env))
    assert found(r.client, machine, box) == [(target, r.scope, r.kind, r.managed)]
    (config,) = registry.get(r.client).locate(machine, (box.project,))
    assert config.client == r.client
    entries = registry.get(r.client).parse(config, target.read_text(encoding="utf-8"), machine)
    assert [e.name for e in entries] == ["srv"]


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("client", registry.names())
def test_only_this_platforms_layout_is_found(client: str, platform: str, box: Box) -> None:
    mine = [r for r in ROWS if r.client == client]
    assert mine, f"no rows for {client}"
    for r in mine:
        write(box, r)
    for decoy in DECOYS.get(client, ()):
        path = box.path(decoy)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"mcpServers": {"decoy": SERVER}}), encoding="utf-8")
    expected = {(box.path(r.path), r.scope, r.kind, r.managed) for r in mine
                if not r.env and platform in r.platforms.split(",")}
    got = found(client, box.machine(platform), box)
    assert len(got) == len(set(got)), "a file located twice"
    assert set(got) == expected


def test_every_client_has_rows_on_every_platform_it_supports() -> None:
    covered = {(r.client, p) for r, p in CASES}
    for client in registry.names():
        platforms = ("win32",) if client == "visual-studio" else PLATFORMS
        for platform in platforms:
            assert (client, platform) in covered, (client, platform)


def test_env_override_is_read_from_the_machine_not_the_host(box: Box, monkeypatch) -> None:
    # The machine under examination carries its own environment; the process's must not leak in.
    target = write(box, row("codex", ALL, "~/.codex/config.toml", "user", "config"))
    monkeypatch.setenv("CODEX_HOME", str(box.base / "host-codex"))
    assert found("codex", box.machine("linux"), box) == [(target, "user", "config", False)]


def test_macos_claude_desktop_path_is_not_read_on_linux_or_windows(box: Box) -> None:
    mac = write(box, row("claude-desktop", "darwin", "~/Library/Application Support/Claude/"
                         "claude_desktop_config.json", "user", "config"))
    assert found("claude-desktop", box.machine("linux"), box) == []
    assert found("claude-desktop", box.machine("win32"), box) == []
    assert found("claude-desktop", box.machine("darwin"), box) == [(mac, "user", "config", False)]


def test_linux_system_files_are_not_read_on_windows(box: Box) -> None:
    for spec in ("/etc/codex/config.toml", "/etc/claude-code/managed-mcp.json",
                 "/etc/gemini-cli/settings.json"):
        path = box.path(spec)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content("codex" if spec.endswith(".toml") else "x", "config", path))
    for client in ("codex", "claude-code", "gemini-cli"):
        assert found(client, box.machine("win32"), box) == []


# -- reference vs code: where they disagree ------------------------------------------------


def test_zed_on_macos_ignores_xdg_config_home(box: Box) -> None:
    target = write(box, row("zed", "darwin", "~/.config/zed/settings.json", "user", "settings"))
    machine = box.machine("darwin", {"XDG_CONFIG_HOME": "^/xdg"})
    assert (target, "user", "settings", False) in found("zed", machine, box)


def test_windows_programdata_override_is_case_insensitive(box: Box) -> None:
    target = write(box, row("codex", "win32", "^/PD/OpenAI/Codex/config.toml", "system",
                            "config", managed=True))
    machine = box.machine("win32", {"PROGRAMDATA": "^/PD"})
    assert found("codex", machine, box) == [(target, "system", "config", True)]


def test_windows_programfiles_override_is_case_insensitive(box: Box) -> None:
    target = write(box, row("claude-code", "win32", "^/PF/ClaudeCode/managed-mcp.json",
                            "managed", "managed", managed=True))
    machine = box.machine("win32", {"PROGRAMFILES": "^/PF"})
    assert found("claude-code", machine, box) == [(target, "managed", "managed", True)]


@pytest.mark.xfail(strict=True, reason=(
    "BUG: reference §2 (Continue) names the legacy ~/.continue/config.json "
    "(experimental.modelContextProtocolServers); responder/clients/continue_dev.py places "
    "(lines 37-45) never locate it, so servers defined there are not listed or disabled"))
def test_continue_legacy_config_json_is_located(box: Box) -> None:
    target = box.home / ".continue" / "config.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps({"experimental": {"modelContextProtocolServers": [
        {"transport": {"type": "stdio", "command": "npx", "args": ["-y", "x"]}}]}}))
    assert target in [c.path for c in registry.get("continue").locate(box.machine("linux"),
                                                                     (box.project,))]


def test_claude_code_plugin_json_inline_servers_are_located(box: Box) -> None:
    target = box.home / ".claude/plugins/cache/acme/github/1.0.0/.claude-plugin/plugin.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps({"name": "github", "mcpServers": {"srv": SERVER}}))
    assert target in [c.path for c in registry.get("claude-code").locate(box.machine("linux"),
                                                                        (box.project,))]


# -- scan.locate: one owner per file ---------------------------------------------------------


def _owners(machine: Machine, clients=None) -> dict[Path, tuple[str, str]]:
    located = scan_locate(machine, clients)
    paths = [c.path.resolve() for c in located]
    assert len(paths) == len(set(paths)), f"a file located twice: {paths}"
    return {c.path: (c.client, c.scope) for c in located}


def test_project_mcp_json_is_owned_by_claude_code_on_windows(box: Box) -> None:
    for spec, body in (("@/.mcp.json", {"mcpServers": {"srv": SERVER}}),
                       ("@/.vs/mcp.json", {"servers": {"srv": SERVER}}),
                       ("@/.vscode/mcp.json", {"servers": {"srv": SERVER}}),
                       ("@/.cursor/mcp.json", {"mcpServers": {"srv": SERVER}}),
                       ("~/.mcp.json", {"servers": {"srv": SERVER}})):
        path = box.path(spec)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(body))
    owners = _owners(box.machine("win32"))
    assert owners == {
        box.path("@/.mcp.json"): ("claude-code", "project"),
        box.path("@/.vs/mcp.json"): ("visual-studio", "solution"),
        box.path("@/.vscode/mcp.json"): ("vscode", "workspace"),
        box.path("@/.cursor/mcp.json"): ("cursor", "project"),
        box.path("~/.mcp.json"): ("visual-studio", "user"),
    }
    # On Linux and macOS there is no Visual Studio: ~/.mcp.json is nobody's user file.
    owners = _owners(box.machine("linux"))
    assert box.path("~/.mcp.json") not in owners
    assert owners[box.path("@/.mcp.json")] == ("claude-code", "project")


# A user file per client that a project root equal to home would also reach as a project file.
HOME_AND_PROJECT = (
    ("cursor", "~/.cursor/mcp.json"),
    ("kiro", "~/.kiro/settings/mcp.json"),
    ("kiro", "~/.kiro/agents/reviewer.json"),
    ("gemini-cli", "~/.gemini/settings.json"),
    ("codex", "~/.codex/config.toml"),
    ("junie", "~/.junie/mcp/mcp.json"),
    ("continue", "~/.continue/mcpServers/github.yaml"),
)


@pytest.mark.parametrize(("client", "spec"), HOME_AND_PROJECT)
@pytest.mark.parametrize("platform", PLATFORMS)
def test_user_file_counted_once_when_cwd_is_home(client: str, spec: str, platform: str,
                                                 box: Box) -> None:
    r = next(r for r in ROWS if r.client == client and r.path == spec)
    target = write(box, r)
    machine = Machine(home=box.home, cwd=box.home, platform=platform, root=box.root)
    located = [c for c in scan_locate(machine) if c.path.resolve() == target.resolve()]
    assert [(c.client, c.scope) for c in located] == [(client, r.scope)]


def test_cursor_user_file_counted_once_through_a_symlinked_home(box: Box) -> None:
    # HOME is a symlink to the real folder the user stands in: two spellings, one file.
    real = box.home
    link = box.base / "home-link"
    os.symlink(real, link)
    target = write(box, row("cursor", ALL, "~/.cursor/mcp.json", "user", "mcp"))
    machine = Machine(home=link, cwd=real, platform="linux", root=box.root)
    spelled = [c.path for c in registry.get("cursor").locate(machine, (real,))]
    assert sorted(spelled) == sorted([link / ".cursor/mcp.json", target])  # the adapter sees two
    located = [c for c in scan_locate(machine, ["cursor"])]
    assert [(c.path, c.scope) for c in located] == [(link / ".cursor/mcp.json", "user")]


def test_windows_home_mcp_json_goes_to_claude_code_when_cwd_is_home(box: Box) -> None:
    # Standing in %USERPROFILE%, ~/.mcp.json is both Visual Studio's user file and Claude Code's
    # project file: scanned once, by the first adapter in registry order.
    path = box.path("~/.mcp.json")
    path.write_text(json.dumps({"servers": {"srv": SERVER}}))
    machine = Machine(home=box.home, cwd=box.home, platform="win32", root=box.root)
    located = [c for c in scan_locate(machine) if c.path == path]
    assert [(c.client, c.scope) for c in located] == [("claude-code", "project")]
    assert registry.names().index("claude-code") < registry.names().index("visual-studio")


def test_scan_locate_keeps_registry_order_and_client_filter(box: Box) -> None:
    for r in (ROWS[0], next(r for r in ROWS if r.path == "~/.cursor/mcp.json"),
              next(r for r in ROWS if r.path == "~/.codex/config.toml")):
        write(box, r)
    machine = box.machine("linux")
    assert [c.client for c in scan_locate(machine)] == ["kiro", "cursor", "codex"]
    assert [c.client for c in scan_locate(machine, ["codex", "kiro"])] == ["codex", "kiro"]
    assert scan_locate(machine, ["zed"]) == []
