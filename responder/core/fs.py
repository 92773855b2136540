"""File writes that cannot half-happen and cannot be read by other users."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from glob import escape as glob_escape
from pathlib import Path

from responder.core import crashpoints

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
_TEMP_SUFFIX = ".responder-tmp"


def ensure_private_dir(path: Path) -> Path:
    """Create `path` and any missing parents as 0700; parents that already exist are left alone."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        directory.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        os.chmod(directory, PRIVATE_DIR)  # mkdir's mode is filtered by the umask
    os.chmod(path, PRIVATE_DIR)
    return path


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, data: bytes, mode: int) -> None:
    """Write to a temp file in the same directory, fsync, then rename over the target."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=_TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        crashpoints.reached("write:synced")  # a kill here leaves the target untouched
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    crashpoints.reached("write:renamed")
    _fsync_dir(path.parent)


def sweep_temp(path: Path) -> list[Path]:
    """Remove the temp files a killed atomic_write of `path` left beside it (the target itself
    was never touched); the next write of the file calls this."""
    swept = []
    for leftover in path.parent.glob(f".{glob_escape(path.name)}.*{_TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            leftover.unlink()
            swept.append(leftover)
    return swept


def replace_keeping_mode(path: Path, data: bytes) -> None:
    """Atomically replace an existing file the user owns, keeping its permission bits."""
    mode = stat.S_IMODE(path.stat().st_mode)
    atomic_write(path, data, mode)


def write_private(path: Path, data: bytes | str) -> Path:
    """A responder-owned file: 0600 inside a 0700 directory."""
    ensure_private_dir(path.parent)
    atomic_write(path, data.encode("utf-8") if isinstance(data, str) else data, PRIVATE_FILE)
    return path


def append_private(path: Path, line: str) -> None:
    """Append one line durably; used for the journal, where a crash may cut only the last line."""
    ensure_private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def write_export(path: Path, data: str) -> Path:
    """A file the user asked for by path: private (0600), but their directory is left as it is."""
    if not path.parent.is_dir():
        from responder.core.errors import BadInput

        raise BadInput(f"no directory {path.parent}", hint="create it first or choose another path")
    atomic_write(path, data.encode("utf-8"), PRIVATE_FILE)
    return path
