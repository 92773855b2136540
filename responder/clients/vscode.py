"""VS Code and GitHub Copilot in VS Code: `mcp.json` (user, profiles, workspace), the legacy `mcp`
key in `settings.json` and `.code-workspace` files, and dev containers. All JSONC.

VS Code's schema has no disable key (unknown keys are rejected), so the entry is removed. Settings
Sync can bring a removed server back from another machine; the report says so.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from responder.clients import places
from responder.clients.generic import Container, Kind, Place, Spec, SpecAdapter
from responder.clients.mechanisms import Remove
from responder.core.machine import Machine

# Cursor, Windsurf and Kiro share VS Code's layout but have their own MCP files.
_APPS = ("Code", "Code - Insiders", "VSCodium")
_EXAMPLE = '{"servers": {"name": {"type": "stdio", "command": "..."}}}'


def _user_dirs(machine: Machine) -> list[Path]:
    return places.vscode_user_dirs(machine, _APPS)


def _user_files(name: str):
    def at(machine: Machine) -> list[Path]:
        found = []
        for user in _user_dirs(machine):
            found.append(user / name)
            profiles = user / "profiles"
            with contextlib.suppress(OSError):  # no profiles folder
                found += sorted(p / name for p in profiles.iterdir())
        return found
    return at


def _kind(*patterns: tuple[str, ...]) -> Kind:
    return Kind("jsonc", tuple(Container(p, Remove()) for p in patterns), example=_EXAMPLE)


SPEC = Spec(
    name="vscode",
    title="VS Code",
    kinds={
        "mcp": _kind(("servers",)),
        "settings": _kind(("mcp", "servers"), ("mcp.servers",)),
        "workspace-file": _kind(("settings", "mcp", "servers"), ("settings", "mcp.servers")),
        "devcontainer": _kind(("customizations", "vscode", "mcp", "servers")),
    },
    places=(
        Place("user", "mcp", at=_user_files("mcp.json")),
        Place("user", "settings", at=_user_files("settings.json")),
        Place("workspace", "mcp", relative=(".vscode/mcp.json",)),
        Place("workspace", "settings", relative=(".vscode/settings.json",)),
        Place("workspace", "workspace-file", relative=("*.code-workspace",)),
        Place("devcontainer", "devcontainer", relative=(
            ".devcontainer/devcontainer.json", ".devcontainer.json",
            ".devcontainer/*/devcontainer.json")),
    ),
    notes=("VS Code Settings Sync can bring a removed server back from another machine: check "
           "every synced profile, or turn sync off for MCP servers until the incident is over.",
           "Servers entered through ${input:...} keep their secret in VS Code's secret storage; "
           "disabling does not delete it.",),
)


def adapter() -> SpecAdapter:
    return SpecAdapter(SPEC)
