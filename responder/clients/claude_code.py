"""Claude Code: `~/.claude.json` (user servers, and per-project "local" servers under
`projects["<path>"]`), project `.mcp.json`, plugin `.mcp.json` files, and the managed file.

Claude Code ignores `"disabled": true` (anthropics/claude-code#43865). What it honours:
- local servers: the project's own `disabledMcpServers` list (what `/mcp disable` writes);
- user servers: removal (a per-project list would miss every project opened later);
- `.mcp.json` servers: removal, because Copilot CLI and Visual Studio read the same file and honour
  no list; and `disabledMcpjsonServers` in the project's `.claude/settings.local.json`, so a `git
  pull` that brings the entry back does not bring the server back;
- `managed-mcp.json`: administrators only; the manual step names `deniedMcpServers`.
Claude Code holds `~/.claude.json.lock` (a lock directory) while it writes; responder does too.
"""

from __future__ import annotations

from pathlib import Path

from responder.clients import companions, places
from responder.clients.base import ConfigFile, Edit
from responder.clients.generic import Container, Kind, Place, Spec, SpecAdapter, globbed
from responder.clients.mechanisms import ProjectList, Remove
from responder.core.machine import Machine

_MANAGED = ('As an administrator, remove "{name}" from {path}, or add {{"serverName": "{name}"}} '
            'to "deniedMcpServers" in {dir}/managed-settings.json (managed settings win over '
            'every user file).')


def config_home(machine: Machine) -> Path:
    return places.env_dir(machine, "CLAUDE_CONFIG_DIR") or machine.home


def _managed(machine: Machine) -> list[Path]:
    if machine.platform == "darwin":
        base = machine.system("/Library/Application Support/ClaudeCode")
    elif machine.platform == "win32":
        base = places.program_files(machine) / "ClaudeCode"
    else:
        base = machine.system("/etc/claude-code")
    return [base / "managed-mcp.json"]


def _settings_local(config: ConfigFile, name: str, machine: Machine) -> Edit:
    target = ConfigFile("claude-code", "settings", config.path.parent / ".claude" /
                        "settings.local.json", kind="settings")
    return companions.add_to_list(
        target, name, ("disabledMcpjsonServers",), name,
        f'added "{name}" to disabledMcpjsonServers (Claude Code keeps it off even if the entry '
        f'comes back with a git pull)')


SPEC = Spec(
    name="claude-code",
    title="Claude Code",
    kinds={
        "claude-json": Kind("json", (
            Container(("mcpServers",), Remove()),
            Container(("projects", "*", "mcpServers"), ProjectList("disabledMcpServers"),
                      scope="local"),
        ), lock=True),
        "mcp-json": Kind("json", (Container(("mcpServers",), Remove()),
                                  Container(("servers",), Remove())),
                         companion=_settings_local),
        "managed": Kind("json", (Container(("mcpServers",), Remove()),)),
        "plugin": Kind("json", (Container(("mcpServers",), Remove()),), flat=True),
        "plugin-manifest": Kind("json", (Container(("mcpServers",), Remove(),
                                                   may_refer=True),)),
    },
    places=(
        Place("user", "claude-json", at=lambda m: [config_home(m) / ".claude.json"]),
        Place("project", "mcp-json", relative=(".mcp.json",)),
        Place("managed", "managed", at=_managed, managed=_MANAGED),
        Place("plugin", "plugin", at=globbed(lambda m: m.home / ".claude" / "plugins" / "cache",
                                             "**/.mcp.json")),
        Place("plugin", "plugin-manifest", at=globbed(
            lambda m: m.home / ".claude" / "plugins" / "cache", "**/.claude-plugin/plugin.json")),
    ),
    notes=("claude.ai connectors sync from the account and can re-enable themselves; check "
           "them at claude.ai > Settings > Connectors.",
           "Claude Code keeps OAuth tokens for MCP servers in the OS keychain; disabling does "
           "not delete them.",),
)


def adapter() -> SpecAdapter:
    return SpecAdapter(SPEC)
