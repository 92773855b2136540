"""The run's journal: one JSON line per event, scrubbed of secrets, appended durably.

The journal is the record a post-incident review reads, and the input of `runs show`, the
report's timeline, `checklist --run` and `runs resume`. A crash can cut only the last line, which
`read` skips; the first line a resumed run appends starts on a fresh line after it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from responder.core import crashpoints
from responder.core.fs import append_private
from responder.core.jsonsafe import dumps
from responder.core.secrets import SecretRegistry

JOURNAL_NAME = "journal.jsonl"


class Journal:
    def __init__(self, path: Path, secrets: SecretRegistry, clock: Callable[[], datetime]):
        self.path = path
        self._secrets = secrets
        self._clock = clock
        self._checked = False
        self._lock = threading.Lock()

    def record(self, event: str, **fields: Any) -> None:
        line = self._secrets.scrub(dumps({"ts": self._clock().isoformat(), "event": event,
                                          **fields})) + "\n"
        with self._lock:
            if not self._checked:
                self._checked = True
                if _cut(self.path):
                    line = "\n" + line  # never glue an event onto the half line a kill left
        append_private(self.path, line)
        crashpoints.reached(f"journal:{event}")


def _cut(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            handle.seek(-1, 2)
            return handle.read(1) != b"\n"
    except OSError:  # missing or empty
        return False


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
