"""GitHub Copilot CLI: `$COPILOT_HOME/mcp-config.json` (default `~/.copilot`).

Copilot CLI ignores `"disabled": true` (github/copilot-cli#3582), so the entry is removed. Its
workspace `.mcp.json` is handled with Claude Code's project file, also by removal.
"""

from __future__ import annotations

from responder.clients import places
from responder.clients.generic import Place, Spec, SpecAdapter, files, map_kind
from responder.clients.mechanisms import Remove

SPEC = Spec(
    name="copilot-cli",
    title="GitHub Copilot CLI",
    kinds={"mcp": map_kind(Remove())},
    places=(
        Place("user", "mcp", at=files(
            lambda m: (places.env_dir(m, "COPILOT_HOME") or m.home / ".copilot")
            / "mcp-config.json")),
    ),
)


def adapter() -> SpecAdapter:
    return SpecAdapter(SPEC)
