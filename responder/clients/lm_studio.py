"""LM Studio: `~/.lmstudio/mcp.json` (Cursor notation). No confirmed flag: remove."""

from __future__ import annotations

from responder.clients.generic import Place, Spec, SpecAdapter, files, map_kind
from responder.clients.mechanisms import Remove

SPEC = Spec(
    name="lm-studio",
    title="LM Studio",
    kinds={"mcp": map_kind(Remove())},
    places=(
        Place("user", "mcp", at=files(
            lambda m: m.home / ".lmstudio" / "mcp.json",
            lambda m: m.home / ".cache" / "lm-studio" / "mcp.json")),
    ),
)


def adapter() -> SpecAdapter:
    return SpecAdapter(SPEC)
