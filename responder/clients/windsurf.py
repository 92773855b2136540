"""Windsurf (Codeium): `~/.codeium/windsurf/mcp_config.json` and the JetBrains plugin's file.

Whether Windsurf honours `"disabled": true` is unconfirmed, so the entry is removed.
"""

from __future__ import annotations

from responder.clients.generic import Place, Spec, SpecAdapter, files, map_kind
from responder.clients.mechanisms import Remove

SPEC = Spec(
    name="windsurf",
    title="Windsurf",
    kinds={"mcp": map_kind(Remove())},
    places=(
        Place("user", "mcp", at=files(
            lambda m: m.home / ".codeium" / "windsurf" / "mcp_config.json",
            lambda m: m.home / ".codeium" / "mcp_config.json")),
        Place("project", "mcp", relative=(".windsurf/mcp.json",)),
    ),
)


def adapter() -> SpecAdapter:
    return SpecAdapter(SPEC)
