"""The run's journal: one JSON line per event, scrubbed of secrets, appended durably.

The journal is the record a post-incident review reads, and the input of `runs show`, the
report's timeline and (later) resume. A crash can cut only the last line, which `read` skips.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from responder.core.fs import append_private
from responder.core.jsonsafe import dumps
from responder.core.secrets import SecretRegistry

JOURNAL_NAME = "journal.jsonl"


class Journal:
    def __init__(self, path: Path, secrets: SecretRegistry, clock: Callable[[], datetime]):
        self.path = path
        self._secrets = secrets
        self._clock = clock

    def record(self, event: str, **fields: Any) -> None:
        line = dumps({"ts": self._clock().isoformat(), "event": event, **fields})
        append_private(self.path, self._secrets.scrub(line) + "\n")


def read(path: Path) -> list[dict[str, Any]]:
    """Every complete event; a final line cut by a crash is ignored, not an error."""
    events: list[dict[str, Any]] = []
    if not path.exists():
        return events
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            events.append(value)
    return events
