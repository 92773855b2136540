"""Visual Studio 2022 17.14+ / 2026 (Windows): `%USERPROFILE%\\.mcp.json` and
`<solution>\\.vs\\mcp.json`, key `servers`. No flag: remove.

Visual Studio also reads `<solution>\\.mcp.json`, `.vscode\\mcp.json` and `.cursor\\mcp.json`;
those files belong to the Claude Code, VS Code and Cursor adapters, which also remove the entry.
"""

from __future__ import annotations

from responder.clients.generic import Container, Kind, Place, Spec, SpecAdapter, files
from responder.clients.mechanisms import Remove

SPEC = Spec(
    name="visual-studio",
    title="Visual Studio",
    kinds={"mcp": Kind("json", (Container(("servers",), Remove()),
                                Container(("mcpServers",), Remove())),
                       example='{"servers": {"name": {"type": "stdio", "command": "..."}}}')},
    places=(
        Place("user", "mcp", at=files(lambda m: m.home / ".mcp.json"), platforms=("win32",)),
        Place("solution", "mcp", relative=(".vs/mcp.json",), platforms=("win32",)),
    ),
    notes=("Visual Studio remembers tool approvals per solution: reset them under Tools > "
           "Options > GitHub > Copilot > Tools.",),
)


def adapter() -> SpecAdapter:
    return SpecAdapter(SPEC)
