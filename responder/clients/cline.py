"""Cline (VS Code extension, CLI, SDK): `cline_mcp_settings.json`, strict JSON.

Cline honours `"disabled": true` and pre-approves tools listed in `autoApprove`. Its writer guards
the file with a `<file>.lock` directory, which responder takes too while it writes.
"""

from __future__ import annotations

from pathlib import Path

from responder.clients import places
from responder.clients.generic import Place, Spec, SpecAdapter, map_kind
from responder.clients.mechanisms import Flag
from responder.core.machine import Machine

_FILE = "cline_mcp_settings.json"


def _settings(machine: Machine) -> list[Path]:
    found = []
    explicit = places.env_dir(machine, "CLINE_MCP_SETTINGS_PATH")
    if explicit is not None:
        found.append(explicit)
    data_dir = places.env_dir(machine, "CLINE_DATA_DIR")
    if data_dir is not None:
        found.append(data_dir / "settings" / _FILE)
    cline_dir = places.env_dir(machine, "CLINE_DIR")
    if cline_dir is not None:
        found.append(cline_dir / "data" / "settings" / _FILE)
    found.append(machine.home / ".cline" / "data" / "settings" / _FILE)
    # Older builds kept the file here and migrate it once; a copy left behind still counts.
    found += [user / "globalStorage" / "saoudrizwan.claude-dev" / "settings" / _FILE
              for user in places.vscode_user_dirs(machine)]
    found.append(machine.home / "Documents" / "Cline" / "MCP" / _FILE)
    return found


SPEC = Spec(
    name="cline",
    title="Cline",
    kinds={"settings": map_kind(Flag("disabled", True), approvals=(("autoApprove",),),
                                lock=True)},
    places=(Place("user", "settings", at=_settings),),
)


def adapter() -> SpecAdapter:
    return SpecAdapter(SPEC)
