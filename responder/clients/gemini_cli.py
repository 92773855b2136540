"""Gemini CLI: `mcpServers` in `settings.json` (user, project, system) and in extensions.

Gemini CLI has no flag in the entry; `gemini mcp disable NAME` records the name, lower-cased and
trimmed, in `~/.gemini/mcp-server-enablement.json`, which Gemini checks for every server whatever
file defines it. responder writes that same record, and removes `trust: true` (which skips every
confirmation) from the entry itself.
"""

from __future__ import annotations

from pathlib import Path

from responder.clients import companions, places
from responder.clients.base import ConfigFile, Edit
from responder.clients.documents.base import Document
from responder.clients.generic import Container, Kind, Place, Spec, SpecAdapter, globbed
from responder.clients.mechanisms import Elsewhere
from responder.core.machine import Machine

ENABLEMENT = "mcp-server-enablement.json"
_MANUAL = ("{path} is a system settings file owned by administrators; responder disabled "
           "'{name}' for this user in ~/.gemini/" + ENABLEMENT + ". An administrator should "
           "remove it from {path} or add it to mcp.excluded there.")


def gemini_dir(machine: Machine) -> Path:
    base = places.env_dir(machine, "GEMINI_CLI_HOME") or machine.home
    return base / ".gemini"


def enablement_key(name: str) -> str:
    return name.strip().lower()


def _system_dir(machine: Machine) -> Path:
    if machine.platform == "win32":
        return places.program_data(machine) / "gemini-cli"
    if machine.platform == "darwin":
        return machine.system("/Library/Application Support/GeminiCli")
    return machine.system("/etc/gemini-cli")


def _system(machine: Machine) -> list[Path]:
    override = places.env_dir(machine, "GEMINI_CLI_SYSTEM_SETTINGS_PATH")
    directory = _system_dir(machine)
    return [override or directory / "settings.json", directory / "system-defaults.json"]


def _companion(config: ConfigFile, name: str, machine: Machine) -> Edit:
    target = ConfigFile("gemini-cli", "enablement", gemini_dir(machine) / ENABLEMENT,
                        kind="enablement")
    key = enablement_key(name)
    return companions.set_value(target, name, (key,), {"enabled": False},
                                f'recorded "{key}": {{"enabled": false}} (what `gemini mcp '
                                f'disable {name}` writes)')


def _disabled(config: ConfigFile, name: str, machine: Machine | None, doc: Document) -> bool:
    for path in (("mcp", "excluded"), ("excludeMCPServers",)):
        excluded = doc.value(path)
        if isinstance(excluded, list) and name in excluded:
            return True
    if machine is None:
        return False
    record = companions.read_json(gemini_dir(machine) / ENABLEMENT)
    state = record.get(enablement_key(name)) if isinstance(record, dict) else None
    return isinstance(state, dict) and state.get("enabled") is False


_SETTINGS = Kind(
    "jsonc",
    (Container(("mcpServers",), Elsewhere(f"listed as disabled in ~/.gemini/{ENABLEMENT}")),),
    approvals=(("trust",),),
    companion=_companion,
    disabled_elsewhere=_disabled,
)

SPEC = Spec(
    name="gemini-cli",
    title="Gemini CLI",
    kinds={"settings": _SETTINGS},
    places=(
        Place("user", "settings", at=lambda m: [gemini_dir(m) / "settings.json"]),
        Place("extension", "settings",
              at=globbed(gemini_dir, "extensions/*/gemini-extension.json")),
        Place("project", "settings", relative=(".gemini/settings.json",)),
        Place("system", "settings", at=_system, managed=_MANUAL),
    ),
    notes=("Gemini CLI caches OAuth tokens for MCP servers in ~/.gemini/mcp-oauth-tokens.json; "
           "disabling does not delete them.",),
)


def adapter() -> SpecAdapter:
    return SpecAdapter(SPEC)
