"""One process at a time per run: a run and a `runs resume` of it (or two resumes) working
side by side could each send the revocations the other has not journaled yet."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from responder.core.errors import BadInput

LOCK_NAME = ".lock"


@contextlib.contextmanager
def holding(run_dir: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows has no flock; the journal still records every attempt
        yield
        return
    fd = os.open(run_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            # Released by the kernel when the holder exits, even by SIGKILL: never stale.
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BadInput(f"run {run_dir.name} is in progress in another responder process",
                           where=str(run_dir),
                           hint="let it finish (`responder runs show RUN_ID` shows how far it "
                                "got); resume it only once that process has ended") from None
        yield
    finally:
        os.close(fd)
