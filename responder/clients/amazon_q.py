"""Amazon Q Developer (CLI and IDE plugin): `mcp.json`, `default.json` and agent files under
`~/.aws/amazonq/` and `<project>/.amazonq/`; strict JSON, `"disabled": true`.

Agent files grant tools with `allowedTools` entries such as `@github` or `@github/tool`; those are
removed for the server so that turning it back on does not also bring back silent approval.
"""

from __future__ import annotations

from responder.clients.generic import Place, Spec, SpecAdapter, files, globbed, map_kind
from responder.clients.mechanisms import Flag

_ROOT = (".aws", "amazonq")

SPEC = Spec(
    name="amazon-q",
    title="Amazon Q Developer",
    kinds={
        "mcp": map_kind(Flag("disabled", True)),
        "agent": map_kind(Flag("disabled", True), tool_lists=(("allowedTools",),)),
    },
    places=(
        Place("user", "mcp", at=files(lambda m: m.home.joinpath(*_ROOT, "mcp.json"),
                                      lambda m: m.home.joinpath(*_ROOT, "default.json"))),
        Place("agent", "agent", at=globbed(lambda m: m.home.joinpath(*_ROOT, "cli-agents"),
                                           "*.json")),
        Place("project", "mcp", relative=(".amazonq/mcp.json", ".amazonq/default.json")),
        Place("project-agent", "agent", relative=(".amazonq/cli-agents/*.json",)),
    ),
)


def adapter() -> SpecAdapter:
    return SpecAdapter(SPEC)
