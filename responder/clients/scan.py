"""Read every config file of the given clients once: its servers, or why it could not be read.

Project folders are discovered once (`clients.projects`) and handed to every adapter. A file two
clients read is scanned once, by the first adapter in registry order that locates it.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from responder.clients import projects, registry
from responder.clients.apply import originals, read_text
from responder.clients.base import ConfigFile, ServerEntry
from responder.core.errors import ConfigParseError, ResponderError
from responder.core.machine import Machine

# MCP configs are a few kilobytes; a file this large is not one, and parsing it would stall the
# scan (snyk/agent-scan uses the same limit).
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Scanned:
    config: ConfigFile
    entries: tuple[ServerEntry, ...] = ()
    where: str | None = None  # set when the file could not be read or parsed
    error: str | None = None
    hint: str | None = None  # how to fix the file
    mode: int | None = None  # permission bits, for the hardening findings

    @property
    def ok(self) -> bool:
        return self.error is None


def locate(machine: Machine, clients: Iterable[str] | None = None) -> list[ConfigFile]:
    roots = projects.roots(machine)
    found: list[ConfigFile] = []
    seen: set[object] = set()
    for name in clients or registry.names():
        for config in registry.get(name).locate(machine, roots):
            key = _identity(config.path)
            if key in seen:
                continue
            seen.add(key)
            found.append(config)
    return found


def scan(machine: Machine, clients: Iterable[str] | None = None) -> Iterator[Scanned]:
    for config in locate(machine, clients):
        yield read_config(machine, config)


def read_config(machine: Machine, config: ConfigFile) -> Scanned:
    adapter = registry.get(config.client)
    try:
        info = config.path.stat()
        if info.st_size > MAX_BYTES:
            return Scanned(config, where=str(config.path), error=(
                f"the file is {info.st_size / 1048576:.1f} MiB, over the "
                f"{MAX_BYTES // 1048576} MiB an MCP config can plausibly be; it was not read "
                "(check by hand whether it defines the server)"))
        entries = adapter.parse(config, read_text(config.path), machine)
    except ConfigParseError as exc:
        return Scanned(config, where=exc.where, error=exc.message, hint=exc.hint)
    except UnicodeDecodeError as exc:
        line, column = _line_col(exc.object, exc.start)
        return Scanned(config, where=f"{config.path}:{line}:{column}",
                       error=f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x})",
                       hint="save the file as UTF-8 (MCP clients read it as UTF-8 too)")
    except OSError as exc:
        return Scanned(config, where=str(config.path), error=f"cannot read: {_reason(exc)}",
                       hint=_unreadable_hint(exc))
    return Scanned(config, tuple(entries), mode=info.st_mode & 0o777)


def is_off(machine: Machine, config: ConfigFile, name: str) -> bool:
    """Whether the client would not start `name` from this file as it is now. A file that is
    gone starts nothing; one that cannot be read or parsed cannot be vouched for."""
    try:
        return registry.get(config.client).is_disabled(config, read_text(config.path), name,
                                                       machine)
    except FileNotFoundError:
        return True
    except (ConfigParseError, ResponderError, OSError, UnicodeDecodeError):
        return False


def _identity(path: Path) -> object:
    """The same file reached by two paths (a symlink, cwd == home) is one file."""
    try:
        info = os.stat(path)
    except OSError:  # a dangling link or a loop: reading it reports why
        return os.path.abspath(path)
    return (info.st_dev, info.st_ino)


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    line_start = max(before.rfind(b"\n"), before.rfind(b"\r")) + 1
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1, \
        offset - line_start + 1


def _unreadable_hint(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "the path is a symlink loop: point the link at the real file"
    if exc.errno == errno.ENOENT:
        return "the path is a symlink to a file that does not exist: fix or remove the link"
    if exc.errno == errno.EISDIR:
        return "a directory sits where the client expects its config file"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "run responder as the user who owns the file, or check it by hand"
    return "check the file by hand"


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def backed_up(backups: Path) -> list[ServerEntry]:
    """The servers of each file as it was before this run first edited it (its backup), read
    with the same adapter: a resumed run finds there the entries its first attempt removed."""
    found: list[ServerEntry] = []
    for entry, text in originals(backups):
        if entry.get("client") not in registry.names():
            continue
        config = ConfigFile(entry["client"], entry.get("scope", ""), Path(entry["original"]),
                            entry.get("kind", ""))
        try:
            found.extend(registry.get(config.client).parse(config, text))
        except Exception:  # noqa: BLE001 - a companion file (a client's list) holds no servers
            continue
    return found
