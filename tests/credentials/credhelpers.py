"""Helpers for the credential tests: a server entry of any client, a sandbox machine, and
everything a Discovery says (to search for canary values)."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Any

from responder.clients.base import ConfigFile, ServerEntry
from responder.core import jsonsafe
from responder.core.machine import Machine


def make_entry(definition: dict[str, Any], *, name: str = "srv", client: str = "kiro",
               path: Path | str = "/sandbox/home/.kiro/settings/mcp.json",
               scope: str = "user") -> ServerEntry:
    return ServerEntry(name, ConfigFile(client, scope, Path(path)), definition, disabled=False)


def make_machine(tmp_path: Path, env: dict[str, str] | None = None,
                 cwd: Path | None = None) -> Machine:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    work = cwd or tmp_path / "cwd"
    work.mkdir(parents=True, exist_ok=True)
    return Machine(home=home, cwd=work, env=MappingProxyType({"HOME": str(home), **(env or {})}))


def said(found) -> str:
    """Every sentence, description and repr a Discovery yields, as one string."""
    return "\n".join([
        *found.unresolved, *found.outside, *found.literal_findings,
        *(jsonsafe.dumps(c.describe()) for c in found.credentials),
        *(repr(c) for c in found.credentials), repr(found),
    ])


def assert_hidden(found, *values: str) -> None:
    text = said(found)
    for value in values:
        assert value not in text
        if len(value) > 12:
            assert value[4:-4] not in text
