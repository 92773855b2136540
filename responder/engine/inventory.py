"""A read-only scan of every client config, for `responder servers`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from responder.clients.scan import scan
from responder.core.machine import Machine
from responder.core.secrets import SecretRegistry
from responder.credentials.find import discover


def servers(workspaces: tuple[Path, ...] = (), machine: Machine | None = None
            ) -> tuple[list[dict[str, Any]], list[str]]:
    machine = machine or Machine.current(workspaces)
    secrets = SecretRegistry()
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for item in scan(machine):
        if not item.ok:
            problems.append(f"{item.where}: {item.error}")
            continue
        for entry in item.entries:
            for credential in discover(entry, machine.env).credentials:
                secrets.add(credential.secret)
            rows.append({
                "name": entry.name, "client": item.config.client, "scope": item.config.scope,
                "path": str(item.config.path), "line": entry.line, "disabled": entry.disabled,
                # A literal token in args or a URL must not reach the listing.
                "launch": secrets.scrub(entry.launch),
            })
    return rows, problems
