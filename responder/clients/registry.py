"""Client adapters by name. One entry per supported MCP client, in the order configs are scanned.

When two clients read the same file (a project `.mcp.json`, `.vscode/mcp.json`), the first adapter
that locates it owns it; each such file's owner uses a mechanism every reader honours.
"""

from __future__ import annotations

import importlib
from functools import cache

from responder.clients.base import ClientAdapter

_ADAPTERS: dict[str, str] = {
    "kiro": "responder.clients.kiro:KiroAdapter",
    "claude-code": "responder.clients.claude_code:adapter",
    "claude-desktop": "responder.clients.claude_desktop:adapter",
    "cursor": "responder.clients.cursor:adapter",
    "vscode": "responder.clients.vscode:adapter",
    "windsurf": "responder.clients.windsurf:adapter",
    "cline": "responder.clients.cline:adapter",
    "roo-code": "responder.clients.roo_code:adapter",
    "continue": "responder.clients.continue_dev:adapter",
    "zed": "responder.clients.zed:adapter",
    "gemini-cli": "responder.clients.gemini_cli:adapter",
    "codex": "responder.clients.codex:adapter",
    "amazon-q": "responder.clients.amazon_q:adapter",
    "goose": "responder.clients.goose:adapter",
    "junie": "responder.clients.junie:adapter",
    "lm-studio": "responder.clients.lm_studio:adapter",
    "visual-studio": "responder.clients.visual_studio:adapter",
    "copilot-cli": "responder.clients.copilot_cli:adapter",
}


def names() -> list[str]:
    return list(_ADAPTERS)


@cache
def get(name: str) -> ClientAdapter:
    module_name, _, factory = _ADAPTERS[name].partition(":")
    return getattr(importlib.import_module(module_name), factory)()


def all_adapters() -> list[ClientAdapter]:
    return [get(name) for name in names()]
