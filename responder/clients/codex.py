"""OpenAI Codex (CLI, IDE extension, app): `[mcp_servers.<name>]` tables in `config.toml`.

Codex skips a server with `enabled = false`. Approval modes (`default_tools_approval_mode`, and
`approval_mode` per tool) would pre-approve tools when it is turned back on, so they go. Codex
rejects unknown keys, so nothing else is ever added to a server table.
"""

from __future__ import annotations

from pathlib import Path

from responder.clients import places
from responder.clients.generic import Place, Spec, SpecAdapter, globbed, map_kind
from responder.clients.mechanisms import Flag, Remove
from responder.core.machine import Machine

_MANUAL = ('As an administrator, set `enabled = false` under [mcp_servers.{name}] in {path} '
           '(system-wide Codex config; responder does not edit files owned by administrators).')


def _home(machine: Machine) -> Path:
    return places.env_dir(machine, "CODEX_HOME") or machine.home / ".codex"


def _system(machine: Machine) -> list[Path]:
    if machine.platform == "win32":
        return [places.program_data(machine) / "OpenAI" / "Codex" / "config.toml"]
    return [machine.system("/etc/codex/config.toml")]


_TOML = map_kind(Flag("enabled", False), key="mcp_servers", format="toml",
                 approvals=(("default_tools_approval_mode",), ("tools", "*", "approval_mode")),
                 example='[mcp_servers.name]\ncommand = "npx"')

SPEC = Spec(
    name="codex",
    title="OpenAI Codex",
    kinds={"config": _TOML, "plugin": map_kind(Remove())},
    places=(
        Place("user", "config", at=lambda m: [_home(m) / "config.toml"]),
        Place("profile", "config", at=globbed(_home, "*.config.toml")),
        Place("project", "config", relative=(".codex/config.toml",)),
        Place("system", "config", at=_system, managed=_MANUAL),
        Place("plugin", "plugin", at=globbed(_home, "plugins/**/.mcp.json")),
    ),
)


def adapter() -> SpecAdapter:
    return SpecAdapter(SPEC)
