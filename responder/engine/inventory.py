"""A read-only scan of every client config, for `responder servers`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from responder.clients import registry
from responder.clients.apply import read_text
from responder.core.errors import ConfigParseError
from responder.core.machine import Machine
from responder.core.secrets import SecretRegistry
from responder.credentials.find import discover


def scan(workspaces: tuple[Path, ...] = (), machine: Machine | None = None
         ) -> tuple[list[dict[str, Any]], list[str]]:
    machine = machine or Machine.current(workspaces)
    secrets = SecretRegistry()
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for adapter in registry.all_adapters():
        for config in adapter.locate(machine):
            try:
                entries = adapter.parse(config, read_text(config.path))
            except ConfigParseError as exc:
                problems.append(str(exc).splitlines()[0])
                continue
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(f"{config.path}: cannot read: {exc}")
                continue
            for entry in entries:
                for credential in discover(entry, machine.env).credentials:
                    secrets.add(credential.secret)
                rows.append({
                    "name": entry.name, "client": config.client, "scope": config.scope,
                    "path": str(config.path), "line": entry.line, "disabled": entry.disabled,
                    # A literal token in args or a URL must not reach the listing.
                    "launch": secrets.scrub(entry.launch),
                })
    return rows, problems
