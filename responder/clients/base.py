"""What every MCP client adapter provides, and the values they exchange.

An adapter knows one client's config files: where they are (`locate`), what servers they define
(`parse`), and the minimal text change that disables one server the way that client honours
(`disable`). Adapters never write files; `clients.apply` does, with backup and atomic replace.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from responder.core.machine import Machine


@dataclass(frozen=True)
class ConfigFile:
    client: str  # adapter name, e.g. "kiro"
    scope: str  # "user" | "workspace" | ...
    path: Path

    def label(self) -> str:
        return f"{self.client} {self.scope} {self.path}"


@dataclass(frozen=True)
class ServerEntry:
    name: str
    config: ConfigFile
    definition: Mapping[str, Any]  # the parsed entry: command, args, env, url, headers, ...
    disabled: bool
    auto_approve: tuple[str, ...] = ()
    line: int = 0  # 1-based line of the entry's key in the file

    @property
    def launch(self) -> str:
        """The launch command or URL as one line, for display (never includes env or headers)."""
        if self.definition.get("url"):
            return str(self.definition["url"])
        command = self.definition.get("command") or ""
        args = self.definition.get("args") or []
        return " ".join([str(command), *[str(a) for a in args]]).strip()


@dataclass(frozen=True)
class Edit:
    """The exact change to one file: full text before and after, and what it means."""

    config: ConfigFile
    server: str
    before: str
    after: str
    summary: tuple[str, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        """A unified diff. Callers scrub it through the secret registry before showing it."""
        path = str(self.config.path)
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                fromfile=f"{path} (before)",
                tofile=f"{path} (after)",
            )
        )


class ClientAdapter(Protocol):
    name: str
    title: str

    def locate(self, machine: Machine) -> list[ConfigFile]:
        """Config files of this client that exist on the machine."""
        ...

    def parse(self, config: ConfigFile, text: str) -> list[ServerEntry]:
        """All servers the file defines. Raises ConfigParseError naming line and column."""
        ...

    def disable(self, config: ConfigFile, text: str, name: str) -> Edit:
        """The minimal change that disables `name` and removes its auto-approvals.

        Returns an Edit whose `after` equals `before` when nothing needs to change.
        """
        ...

    def is_disabled(self, config: ConfigFile, text: str, name: str) -> bool:
        """True when the client will not start `name` from this file."""
        ...
