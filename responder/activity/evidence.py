"""Evidence: every raw provider response saved as captured, with a SHA-256 manifest.

Files are written once and never rewritten, so the manifest's hashes prove they were not edited
after capture. `MANIFEST.sha256` is in `sha256sum -c` format; `manifest.json` adds the time of
capture and the request that produced each file.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from responder.core.fs import write_private
from responder.core.jsonsafe import dumps
from responder.core.secrets import SecretRegistry


@dataclass(frozen=True)
class EvidenceItem:
    file: str
    request: str
    captured_at: str
    sha256: str
    status: int | None = None


class EvidenceStore:
    def __init__(self, directory: Path, secrets: SecretRegistry,
                 clock: Callable[[], datetime]) -> None:
        self.directory = directory
        self._secrets = secrets
        self._clock = clock
        self._items: list[EvidenceItem] = []
        self._lock = threading.Lock()

    def save(self, name: str, request: str, data: Any, status: int | None = 200) -> EvidenceItem:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")[:120] or "response"
        with self._lock:
            candidate = f"{slug}.json"
            counter = 2
            taken = {item.file for item in self._items}
            while candidate in taken:
                candidate = f"{slug}-{counter}.json"
                counter += 1
            body = self._secrets.scrub(dumps(data, indent=2)) + "\n"
            write_private(self.directory / candidate, body)
            item = EvidenceItem(candidate, self._secrets.scrub(request),
                                self._clock().isoformat(),
                                hashlib.sha256(body.encode("utf-8")).hexdigest(), status)
            self._items.append(item)
            self._write_manifest()
            return item

    @property
    def items(self) -> list[EvidenceItem]:
        return list(self._items)

    def _write_manifest(self) -> None:
        lines = "".join(f"{item.sha256}  {item.file}\n" for item in self._items)
        write_private(self.directory / "MANIFEST.sha256", lines)
        write_private(self.directory / "manifest.json",
                      json.dumps([item.__dict__ for item in self._items], indent=2) + "\n")


def verify_manifest(directory: Path) -> list[str]:
    """Files whose content no longer matches the manifest (empty when all is intact)."""
    problems = []
    for line in (directory / "MANIFEST.sha256").read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        path = directory / name
        if not path.exists():
            problems.append(f"{name}: missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            problems.append(f"{name}: changed since capture")
    return problems
