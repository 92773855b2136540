"""JetBrains Junie: `~/.junie/mcp/mcp.json` and `<project>/.junie/mcp/mcp.json`. Remove."""

from __future__ import annotations

from responder.clients.generic import Place, Spec, SpecAdapter, files, map_kind
from responder.clients.mechanisms import Remove

SPEC = Spec(
    name="junie",
    title="JetBrains Junie",
    kinds={"mcp": map_kind(Remove())},
    places=(
        Place("user", "mcp", at=files(lambda m: m.home / ".junie" / "mcp" / "mcp.json")),
        Place("project", "mcp", relative=(".junie/mcp/mcp.json",)),
    ),
)


def adapter() -> SpecAdapter:
    return SpecAdapter(SPEC)
