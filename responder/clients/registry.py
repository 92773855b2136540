"""Client adapters by name. One entry per supported MCP client."""

from __future__ import annotations

import importlib

from responder.clients.base import ClientAdapter

_ADAPTERS: dict[str, str] = {
    "kiro": "responder.clients.kiro:KiroAdapter",
}


def names() -> list[str]:
    return list(_ADAPTERS)


def get(name: str) -> ClientAdapter:
    module_name, _, class_name = _ADAPTERS[name].partition(":")
    return getattr(importlib.import_module(module_name), class_name)()


def all_adapters() -> list[ClientAdapter]:
    return [get(name) for name in names()]
