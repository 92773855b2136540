"""What every MCP client adapter provides, and the values they exchange.

An adapter knows one client's config files: where they are (`locate`), what servers they define
(`parse`), and the minimal text change that disables one server the way that client honours
(`disable`). Adapters never write files; `clients.apply` does, with backup and atomic replace.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from responder.core.machine import Machine


@dataclass(frozen=True)
class ConfigFile:
    client: str  # adapter name, e.g. "kiro"
    scope: str  # "user" | "workspace" | "project" | "local" | "profile" | "agent" | "managed" ...
    path: Path
    kind: str = ""  # which of the client's file shapes this is, when it has several
    managed: bool = False  # owned by an administrator: reported with a manual step, never edited

    def label(self) -> str:
        return f"{self.client} {self.scope} {self.path}"

    def as_dict(self) -> dict[str, Any]:
        return {"client": self.client, "scope": self.scope, "path": str(self.path),
                "kind": self.kind, "managed": self.managed}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConfigFile:
        return cls(str(data["client"]), str(data["scope"]), Path(str(data["path"])),
                   str(data.get("kind") or ""), bool(data.get("managed", False)))


@dataclass(frozen=True)
class ServerEntry:
    name: str
    config: ConfigFile
    definition: Mapping[str, Any]  # the parsed entry: command, args, env, url, headers, ...
    disabled: bool
    auto_approve: tuple[str, ...] = ()
    line: int = 0  # 1-based line of the entry's key in the file
    location: str = ""  # where in the file, e.g. 'projects["/src/app"].mcpServers.github'
    entry_scope: str = ""  # when it differs from the file's (Claude Code "local" servers)

    @property
    def scope(self) -> str:
        return self.entry_scope or self.config.scope

    @cached_property
    def view(self) -> LaunchView:
        """The definition under common field names, whatever the client calls them."""
        return LaunchView.of(self.definition)

    @property
    def launch(self) -> str:
        """The launch command or URL as one line, for display (never includes env or headers)."""
        view = self.view
        if view.url:
            return view.url
        return " ".join([view.command or "", *view.args]).strip()


# Field names clients use for the same thing (shared/reference/mcp-clients.md §2, §5).
_COMMAND = ("command", "cmd")
_URL = ("url", "serverUrl", "httpUrl", "uri")
_HEADERS = ("headers", "http_headers")
_ENV = ("env", "envs")
_TRANSPORT = ("type", "transport", "transportType")
_HTTP = {"http", "streamable-http", "streamableHttp", "streamable_http", "streamablehttp"}


@dataclass(frozen=True)
class LaunchView:
    command: str | None = None
    args: tuple[str, ...] = ()
    url: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    transport: str = "stdio"

    @classmethod
    def of(cls, definition: Mapping[str, Any]) -> LaunchView:
        # Cline's CLI nests the launch under "transport"; Zed's older builds nest the command.
        nested = definition.get("transport")
        if isinstance(nested, Mapping):
            definition = {**definition, **nested}
        command = _first(definition, _COMMAND)
        args = definition.get("args")
        env = _first(definition, _ENV)
        if isinstance(command, Mapping):  # Zed: "command": {"path", "args", "env"}
            args, env, command = command.get("args"), command.get("env") or env, command.get(
                "path")
        url = _first(definition, _URL)
        headers = _first(definition, _HEADERS)
        options = definition.get("requestOptions")  # Continue
        if headers is None and isinstance(options, Mapping):
            headers = options.get("headers")
        declared = _first(definition, _TRANSPORT)
        if isinstance(declared, str) and declared in _HTTP:
            transport = "http"
        elif isinstance(declared, str) and declared:
            transport = declared
        else:
            transport = "http" if url and not command else "stdio"
        return cls(
            command=command if isinstance(command, str) else None,
            args=tuple(str(a) for a in args) if isinstance(args, list) else (),
            url=url if isinstance(url, str) else None,
            env=_strings(env),
            headers=_strings(headers),
            transport=transport,
        )


def _first(definition: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        if definition.get(name) is not None:
            return definition[name]
    return None


def _strings(value: Any) -> dict[str, str]:
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items() if isinstance(v, str)}
    return {}


@dataclass(frozen=True)
class Edit:
    """The exact change to one file: full text before and after, and what it means."""

    config: ConfigFile
    server: str
    before: str
    after: str
    summary: tuple[str, ...] = field(default_factory=tuple)
    created: bool = False  # the file did not exist; restore deletes it again
    removed: tuple[str, ...] = ()  # JSON of entries removed outright, kept for the record
    lock: bool = False  # the client guards the file with a `<file>.lock` directory

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
                fromfile=f"{path} (does not exist yet)" if self.created else f"{path} (before)",
                tofile=f"{path} (after)",
            )
        )


class ClientAdapter(Protocol):
    name: str
    title: str

    def locate(self, machine: Machine, roots: Sequence[Path] | None = None) -> list[ConfigFile]:
        """Config files of this client that exist on the machine: user and system files, and
        project files under each of `roots` (default: the machine's workspace roots)."""
        ...

    def parse(self, config: ConfigFile, text: str,
              machine: Machine | None = None) -> list[ServerEntry]:
        """All servers the file defines. Raises ConfigParseError naming line and column. With a
        machine, `disabled` also reflects state kept in other files (Gemini's enablement file)."""
        ...

    def companions(self, config: ConfigFile, name: str, machine: Machine) -> list[Edit]:
        """Edits of other files that the client's own disable mechanism needs (a list kept in a
        separate file). Empty for most clients."""
        ...

    def disable(self, config: ConfigFile, text: str, name: str) -> Edit:
        """The minimal change that disables `name` and removes its auto-approvals.

        Returns an Edit whose `after` equals `before` when nothing needs to change.
        """
        ...

    def is_disabled(self, config: ConfigFile, text: str, name: str,
                    machine: Machine | None = None) -> bool:
        """True when the client will not start `name` from this file."""
        ...
