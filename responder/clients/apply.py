"""Write an adapter's Edit safely, and put the original back on `runs restore`.

Every edit: refuse if the file changed since it was read, back the original up (0600) in the
run's `backups/`, replace atomically keeping the file's mode, then re-read to confirm. The
backup index records hashes so a restore never clobbers a change made after responder's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from responder.clients.base import Edit
from responder.core.errors import ConcurrentEdit
from responder.core.fs import replace_keeping_mode, write_private

INDEX = "index.json"


def read_text(path: Path) -> str:
    """File text exactly as stored: no newline translation, so CRLF files stay CRLF."""
    return path.read_bytes().decode("utf-8")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Backup:
    original: str
    backup: str
    client: str
    server: str
    sha256_before: str
    sha256_after: str


def _load_index(backups: Path) -> list[dict[str, str]]:
    index = backups / INDEX
    if not index.exists():
        return []
    return json.loads(index.read_text(encoding="utf-8"))


def write_edit(edit: Edit, backups: Path) -> Backup:
    path = edit.config.path
    current = read_text(path)
    if current != edit.before:
        raise ConcurrentEdit(
            "the file changed after responder read it (is the client rewriting it?)",
            where=str(path), hint="run the playbook again; the edit is re-planned from the new "
            "text",
        )
    entries = _load_index(backups)
    name = f"{len(entries) + 1:02d}-{edit.config.client}-{edit.config.scope}-{path.name}"
    write_private(backups / name, edit.before.encode("utf-8"))
    record = Backup(str(path), name, edit.config.client, edit.server, _sha(edit.before),
                    _sha(edit.after))
    entries.append(record.__dict__)
    write_private(backups / INDEX, json.dumps(entries, indent=2))
    replace_keeping_mode(path, edit.after.encode("utf-8"))
    return record


@dataclass(frozen=True)
class RestoreOutcome:
    path: str
    status: str  # "restored" | "already original" | "changed since" | "missing"
    detail: str = ""


def restore(backups: Path, *, force: bool = False, dry_run: bool = False) -> list[RestoreOutcome]:
    """Put back every file this run edited, newest edit first."""
    outcomes: list[RestoreOutcome] = []
    for entry in reversed(_load_index(backups)):
        path = Path(entry["original"])
        original = read_text(backups / entry["backup"])
        if not path.exists():
            outcomes.append(RestoreOutcome(str(path), "missing", "the file no longer exists"))
            continue
        current_sha = _sha(read_text(path))
        if current_sha == entry["sha256_before"]:
            outcomes.append(RestoreOutcome(str(path), "already original"))
            continue
        if current_sha != entry["sha256_after"] and not force:
            outcomes.append(RestoreOutcome(
                str(path), "changed since",
                "edited after responder's change; use --force to overwrite it with the backup",
            ))
            continue
        if not dry_run:
            replace_keeping_mode(path, original.encode("utf-8"))
        outcomes.append(RestoreOutcome(str(path), "restored"))
    return outcomes
