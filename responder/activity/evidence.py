"""Evidence: every raw provider response saved as captured, with a SHA-256 manifest.

Files are written once and never rewritten, so the manifest's hashes prove they were not edited
after capture. `MANIFEST.sha256` is in `sha256sum -c` format, each hash line preceded by a comment
line (`# <captured-at> <request>`) that `sha256sum -c` skips; `manifest.jsonl` holds the same
records as data, one JSON object per line. Both are appended to, never rewritten, so a review that
saves hundreds of pages at once does not rewrite them hundreds of times, and a crash can cut at
most the last line.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from responder.core.fs import append_private, write_private
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
                 clock: Callable[[], datetime],
                 find_secrets: Callable[[str], Iterable[str]] | None = None) -> None:
        self.directory = directory
        self._secrets = secrets
        # Token-shaped values responder never registered (another token in a client's log, a
        # key echoed by an API) are found here and registered, so they are scrubbed from this
        # file and from everything the run prints or writes after it.
        self._find_secrets = find_secrets
        self._clock = clock
        self._items: list[EvidenceItem] = []
        self._taken: set[str] = {"MANIFEST.sha256", "manifest.jsonl"}
        if directory.is_dir():  # a resumed run: what the first attempt saved is never replaced
            self._taken |= {p.name for p in directory.iterdir()}
        self._lock = threading.Lock()

    def save(self, name: str, request: str, data: Any, status: int | None = 200) -> EvidenceItem:
        """A provider's answer (parsed JSON), saved as captured."""
        return self._write(name, ".json", request, dumps(data, indent=2) + "\n", status)

    def save_text(self, name: str, request: str, text: str, suffix: str = ".log") -> EvidenceItem:
        """Text kept verbatim (a client's log excerpt), with registered secrets scrubbed."""
        return self._write(name, suffix, request, text, None)

    def _write(self, name: str, suffix: str, request: str, text: str,
               status: int | None) -> EvidenceItem:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")[:120] or "response"
        with self._lock:  # only the name is chosen under the lock; the writes run side by side
            candidate = f"{slug}{suffix}"
            counter = 2
            while candidate in self._taken:
                candidate = f"{slug}-{counter}{suffix}"
                counter += 1
            self._taken.add(candidate)
        if self._find_secrets is not None:
            for line in text.splitlines():
                for value in self._find_secrets(line):
                    self._secrets.add(value)
        body = self._secrets.scrub(text)
        write_private(self.directory / candidate, body)
        item = EvidenceItem(candidate, " ".join(self._secrets.scrub(request).split()),
                            self._clock().isoformat(),
                            hashlib.sha256(body.encode("utf-8")).hexdigest(), status)
        with self._lock:
            self._items.append(item)
            # The request is one line (scrubbed, token-free) so the format cannot break.
            append_private(self.directory / "MANIFEST.sha256",
                           f"# {item.captured_at} {item.request}\n{item.sha256}  {item.file}\n")
            append_private(self.directory / "manifest.jsonl", json.dumps(item.__dict__) + "\n")
        return item

    @property
    def items(self) -> list[EvidenceItem]:
        return list(self._items)


def verify_manifest(directory: Path) -> list[str]:
    """Files whose content no longer matches the manifest (empty when all is intact)."""
    problems = []
    for line in (directory / "MANIFEST.sha256").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        digest, _, name = line.partition("  ")
        path = directory / name
        if not path.exists():
            problems.append(f"{name}: missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            problems.append(f"{name}: changed since capture")
    return problems
