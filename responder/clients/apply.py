"""Write an adapter's Edit safely, and put the original back on `runs restore`.

Every edit: refuse if the file changed since it was read, back the original up (0600) in the
run's `backups/`, take the client's lock where it has one, replace atomically keeping the file's
mode (through a symlink, to its target), then re-read to confirm. The backup index records hashes
so a restore never clobbers a change made after responder's. A file responder created (a
client's list of disabled servers) is deleted again on restore.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from responder.clients.base import Edit
from responder.clients.locks import FileLocked, held
from responder.core import crashpoints
from responder.core.errors import ConcurrentEdit
from responder.core.fs import (
    PRIVATE_FILE,
    atomic_write,
    replace_keeping_mode,
    sweep_temp,
    write_private,
)

INDEX = "index.json"


def read_text(path: Path) -> str:
    """File text exactly as stored: no newline translation, so CRLF files stay CRLF."""
    return path.read_bytes().decode("utf-8")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Backup:
    original: str
    backup: str
    client: str
    server: str
    sha256_before: str
    sha256_after: str
    created: bool = False
    removed: tuple[str, ...] = ()  # entries removed outright (JSON), for the record
    scope: str = ""
    kind: str = ""
    lock: bool = False  # the client guards the file with a lock directory; restore takes it too


def _load_index(backups: Path) -> list[dict]:
    index = backups / INDEX
    if not index.exists():
        return []
    return json.loads(index.read_text(encoding="utf-8"))


def _target(path: Path) -> Path:
    """Where the bytes live: a dotfile manager's symlink must stay a symlink."""
    return path.resolve() if path.is_symlink() else path


def write_edit(edit: Edit, backups: Path, *, lock_wait: float = 5.0) -> Backup:
    path = _target(edit.config.path)
    guard = held(path, wait=lock_wait) if edit.lock else contextlib.nullcontext()
    with guard:
        current = _current(path)
        if current != (None if edit.created else edit.before):
            raise ConcurrentEdit(
                "the file changed after responder read it (is the client rewriting it?)",
                where=str(path), hint="run the playbook again; the edit is re-planned from the "
                "new text")
        sweep_temp(path)  # what a killed earlier attempt left half-written beside it
        entries = _load_index(backups)
        name = f"{len(entries) + 1:02d}-{edit.config.client}-{edit.config.scope}-{path.name}"
        # Backup, then index, then the file: a kill between any two leaves the original in
        # place or backed up and indexed, so `runs restore` and `runs resume` always find it.
        write_private(backups / name, edit.before.encode("utf-8"))
        crashpoints.reached("edit:backed-up")
        record = Backup(str(path), name, edit.config.client, edit.server, sha256_text(edit.before),
                        sha256_text(edit.after), edit.created, edit.removed, edit.config.scope,
                        edit.config.kind, edit.lock)
        entries.append(asdict(record))
        write_private(backups / INDEX, json.dumps(entries, indent=2))
        crashpoints.reached("edit:indexed")
        if edit.created:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, edit.after.encode("utf-8"), PRIVATE_FILE)
        else:
            replace_keeping_mode(path, edit.after.encode("utf-8"))
    crashpoints.reached("edit:replaced")
    return record


def _current(path: Path) -> str | None:
    try:
        return read_text(path)
    except FileNotFoundError:
        return None


def edited_files(backups: Path) -> list[dict]:
    """The index: every file this run wrote, in order."""
    return _load_index(backups)


def originals(backups: Path) -> list[tuple[dict, str]]:
    """(index entry, the file's text before this run's first edit of it), one per file: what a
    resumed run reads to find again the servers and credentials its first attempt removed."""
    first: dict[str, tuple[dict, str]] = {}
    for entry in _load_index(backups):
        if entry.get("created") or entry["original"] in first:
            continue
        try:
            first[entry["original"]] = (entry, read_text(backups / entry["backup"]))
        except (OSError, UnicodeDecodeError):
            continue  # a backup a kill cut short is not in the index yet; nothing lost
    return list(first.values())


@dataclass(frozen=True)
class RestoreOutcome:
    path: str
    # "restored" | "removed" | "already original" | "changed since" | "missing" | "locked"
    status: str
    detail: str = ""
    diff: str = ""  # for "changed since": what a forced restore would undo (caller scrubs it)
    client: str = ""
    scope: str = ""
    kind: str = ""
    backup: str = ""  # the backup file, for masking a diff against it


def restore(backups: Path, *, force: bool = False, dry_run: bool = False,
            lock_wait: float = 5.0) -> list[RestoreOutcome]:
    """Put back every file this run edited, newest edit first, under the client's lock."""
    outcomes: list[RestoreOutcome] = []
    for entry in reversed(_load_index(backups)):
        path = Path(entry["original"])
        guard = held(path, wait=lock_wait) if entry.get("lock") and not dry_run \
            else contextlib.nullcontext()
        try:
            with guard:
                outcome = _restore_one(backups, entry, force=force, dry_run=dry_run)
        except FileLocked as exc:
            outcome = RestoreOutcome(str(path), "locked", f"{exc.message}; {exc.hint}")
        outcomes.append(dataclasses.replace(outcome, client=entry.get("client", ""),
                                            scope=entry.get("scope", ""),
                                            kind=entry.get("kind", ""),
                                            backup=str(backups / entry["backup"])))
    return outcomes


def _restore_one(backups: Path, entry: dict, *, force: bool, dry_run: bool) -> RestoreOutcome:
    path = Path(entry["original"])
    original = read_text(backups / entry["backup"])
    current = _current(path)
    created = bool(entry.get("created"))
    if current is None:
        if created:
            return RestoreOutcome(str(path), "already original", "responder's file is gone")
        return RestoreOutcome(str(path), "missing", "the file no longer exists")
    current_sha = sha256_text(current)
    if not created and current_sha == entry["sha256_before"]:
        return RestoreOutcome(str(path), "already original")
    if current_sha != entry["sha256_after"] and not force:
        return RestoreOutcome(
            str(path), "changed since",
            "edited after responder's change; use --force to overwrite it with the backup",
            diff=_diff(path, current, "" if created else original))
    if created:
        if not dry_run:
            os.unlink(path)
        return RestoreOutcome(str(path), "removed", "responder created this file")
    if not dry_run:
        replace_keeping_mode(path, original.encode("utf-8"))
    return RestoreOutcome(str(path), "restored")


def _diff(path: Path, current: str, restored: str) -> str:
    return "".join(difflib.unified_diff(
        current.splitlines(keepends=True), restored.splitlines(keepends=True),
        fromfile=f"{path} (now)", tofile=f"{path} (after restore)"))
