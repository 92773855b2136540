"""A read-only scan of every client config, for `responder servers`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from responder.clients.scan import scan
from responder.core.machine import Machine
from responder.core.secrets import SecretRegistry
from responder.credentials.find import discover


@dataclass
class Inventory:
    servers: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)
    files: int = 0
    home: Path | None = None  # the examined machine's, for showing paths as ~/...


def servers(workspaces: tuple[Path, ...] = (), machine: Machine | None = None,
            clients: list[str] | None = None) -> Inventory:
    # Imported here: the identity rules are only needed once there is something to describe.
    from responder.actions.inventory import identity, identity_fields

    machine = machine or Machine.current(workspaces)
    secrets = SecretRegistry()
    found = Inventory(home=machine.home)
    items = list(scan(machine, clients))
    found.files = len(items)
    for item in items:
        if not item.ok:
            found.problems.append({"path": str(item.config.path), "where": item.where or "",
                                   "error": item.error or "", "hint": item.hint or ""})
            continue
        for entry in item.entries:
            credentials = discover(entry, machine).credentials
            for credential in credentials:
                secrets.add(credential.secret)
                for encoded in credential.encodings:  # base64 forms, headers
                    secrets.add(encoded)
            package, url = identity(entry)
            found.servers.append({
                "name": entry.name,
                "client": item.config.client,
                "scope": entry.scope,
                "path": str(item.config.path),
                "line": entry.line,
                "location": entry.location,
                "transport": entry.view.transport,
                "package": package,
                "url": url,
                **identity_fields(entry),
                "credentials": [c.secret.redacted for c in credentials],
                "disabled": entry.disabled,
                "auto_approve": list(entry.auto_approve),
                "mode": f"{item.mode:04o}" if item.mode is not None else None,
                "launch": entry.launch,
            })
    # A literal token in args or a URL must not reach the listing, whichever row it came from.
    for row in found.servers:
        row["launch"] = secrets.scrub(row["launch"])
        row["url"] = secrets.scrub(row["url"]) if row["url"] else None
    return found
