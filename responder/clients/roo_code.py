"""Roo Code and its forks (Kilo Code): `mcp_settings.json` in the extension's global storage and
`<project>/.roo/mcp.json`; strict JSON, `"disabled": true`, pre-approvals in `alwaysAllow`."""

from __future__ import annotations

from pathlib import Path

from responder.clients import places
from responder.clients.generic import Place, Spec, SpecAdapter, map_kind
from responder.clients.mechanisms import Flag
from responder.core.machine import Machine

_EXTENSIONS = ("rooveterinaryinc.roo-cline", "kilocode.kilo-code")


def _global(machine: Machine) -> list[Path]:
    found = [user / "globalStorage" / ext / "settings" / "mcp_settings.json"
             for user in places.vscode_user_dirs(machine) for ext in _EXTENSIONS]
    found.append(machine.home / ".kilocode" / "cli" / "global" / "settings" / "mcp_settings.json")
    return found


SPEC = Spec(
    name="roo-code",
    title="Roo Code",
    kinds={"settings": map_kind(Flag("disabled", True), approvals=(("alwaysAllow",),))},
    places=(
        Place("user", "settings", at=_global),
        Place("project", "settings", relative=(".roo/mcp.json", ".kilocode/mcp.json")),
    ),
)


def adapter() -> SpecAdapter:
    return SpecAdapter(SPEC)
