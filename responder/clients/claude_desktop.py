"""Claude Desktop: `claude_desktop_config.json`. No disable flag exists, so the entry is removed.

Desktop extensions (.mcpb) and remote connectors live outside this file; the report says so.
"""

from __future__ import annotations

from responder.clients import places
from responder.clients.generic import Place, Spec, SpecAdapter, files, map_kind
from responder.clients.mechanisms import Remove

SPEC = Spec(
    name="claude-desktop",
    title="Claude Desktop",
    kinds={"config": map_kind(Remove())},
    places=(
        Place("user", "config", at=files(
            lambda m: places.user_config_dir(m, "Claude") / "claude_desktop_config.json")),
    ),
    notes=("Claude Desktop extensions (.mcpb) and claude.ai connectors are not in "
           "claude_desktop_config.json: check Settings > Extensions and Connectors by hand.",),
)


def adapter() -> SpecAdapter:
    return SpecAdapter(SPEC)
