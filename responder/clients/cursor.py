"""Cursor: `~/.cursor/mcp.json` and `<project>/.cursor/mcp.json`. No disable flag: remove."""

from __future__ import annotations

from responder.clients.generic import Place, Spec, SpecAdapter, files, globbed, map_kind
from responder.clients.mechanisms import Remove

SPEC = Spec(
    name="cursor",
    title="Cursor",
    kinds={"mcp": map_kind(Remove())},
    places=(
        Place("user", "mcp", at=files(lambda m: m.home / ".cursor" / "mcp.json")),
        Place("plugin", "mcp", at=globbed(lambda m: m.home / ".cursor" / "plugins",
                                          "*/**/mcp.json")),
        Place("project", "mcp", relative=(".cursor/mcp.json",)),
    ),
    notes=("Cursor keeps its own on/off toggle outside mcp.json; after a restore, check the "
           "server's state in Cursor Settings > MCP.",),
)


def adapter() -> SpecAdapter:
    return SpecAdapter(SPEC)
