"""The lock directories live clients hold while they write a config (`<file>.lock`).

Claude Code (proper-lockfile) and Cline create `<file>.lock` with mkdir, which is atomic, and keep
its mtime fresh while they hold it. responder takes the same lock around its own write, waits a
little for a live one, and only ever removes a lock that its holder abandoned (stale).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from responder.core.errors import ResponderError

# proper-lockfile's default: a lock not refreshed for 10 s belongs to a process that died.
STALE_AFTER = 10.0


class FileLocked(ResponderError):
    """A running client holds the file's lock; the file was not changed."""


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextlib.contextmanager
def held(path: Path, *, wait: float = 5.0, poll: float = 0.05) -> Iterator[None]:
    lock = lock_path(path)
    deadline = time.monotonic() + wait
    while True:
        try:
            os.mkdir(lock, 0o700)
            break
        except FileExistsError:
            if _stale(lock) and _remove_abandoned(lock):
                continue
            if time.monotonic() >= deadline:
                raise FileLocked(
                    f"a running client holds the lock {lock.name}; the file was not changed",
                    where=str(path),
                    hint="quit the client (it may rewrite the file from memory anyway), then "
                    "run the playbook again") from None
            time.sleep(poll)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.rmdir(lock)


def _remove_abandoned(lock: Path) -> bool:
    """Remove a stale lock; False when it cannot be (not an empty directory: not ours to
    delete), in which case it is waited for like a live one."""
    try:
        os.rmdir(lock)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


def _stale(lock: Path) -> bool:
    try:
        return time.time() - lock.stat().st_mtime > STALE_AFTER
    except FileNotFoundError:
        return True  # released between our mkdir and stat: try again at once
