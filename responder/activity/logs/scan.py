"""What every client log reader shares: the window, server-name matching, bounded file access.

A log reader never raises on a bad file: an unreadable file, a directory where a log was expected,
a symlink loop or a file too large to read whole becomes a gap the report shows, because a gap in
evidence is a finding.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from responder.core.machine import Machine

MAX_BYTES = 20 * 1024 * 1024  # per file: the newest 20 MB (the size guard of shared/reference)
MAX_FILES = 2000  # per review: transcripts accumulate for months
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # per review, all files together
MAX_DEPTH = 6


@dataclass(frozen=True)
class Window:
    start: datetime
    now: datetime
    local: tzinfo = UTC  # for timestamps written without a zone (editor output channels)

    def contains(self, at: datetime | None) -> bool:
        return at is not None and self.start <= at <= self.now


@dataclass(frozen=True)
class Context:
    """What a client log reader needs: where to look, what for, and how to read."""

    machine: Machine
    window: Window
    servers: ServerNames
    files: LogFiles


@dataclass(frozen=True)
class Call:
    """One tool call found in a log, already attributed to a configured server."""

    at: datetime | None  # None when the client logged no time: counted as a gap, never an event
    server: str
    tool: str
    arguments: Mapping[str, Any]
    arguments_known: bool = True  # Claude Code's own MCP log names the tool, not its arguments
    key: str = ""  # the client's call id, when it logs one


@dataclass
class Finding:
    """What one log file yielded: calls, and the verbatim in-window lines kept as evidence."""

    path: Path
    calls: list[Call] = field(default_factory=list)
    excerpt: list[str] = field(default_factory=list)
    undated: dict[str, int] = field(default_factory=dict)  # server → calls with no timestamp
    note: str = ""  # how the excerpt was made, when it is not plain lines of the file
    problem: str = ""  # why part of the file could not be used (garbage, unknown format)

    def keep(self, raw: str, calls: list[Call], at: datetime | None, window: Window) -> None:
        """Calls read from one entry: counted when undated, kept (with the entry's text as
        evidence) when inside the window, dropped otherwise."""
        if at is None:
            for call in calls:
                self.undated[call.server] = self.undated.get(call.server, 0) + 1
        elif window.contains(at):
            self.excerpt.append(raw)
            self.calls.extend(calls)


@dataclass
class ClientScan:
    """One client's logs: what they yielded, where they should have been, steps for a person."""

    findings: list[Finding] = field(default_factory=list)
    looked: list[Path] = field(default_factory=list)  # where this client's logs would be
    found: bool = False  # whether any of those places exists
    manual: list[str] = field(default_factory=list)


@dataclass
class FileBudget:
    """How many more files a review may read, shared by every client."""

    limit: int = field(default_factory=lambda: MAX_FILES)
    byte_limit: int = field(default_factory=lambda: MAX_TOTAL_BYTES)
    used: int = 0
    used_bytes: int = 0
    skipped: int = 0

    def spent(self) -> bool:
        return self.used >= self.limit or self.used_bytes >= self.byte_limit


@dataclass(frozen=True)
class GapNote:
    what: str
    why: str
    hint: str = ""


def normalise(name: str) -> str:
    """Clients rewrite server names in tool prefixes (Claude Code, Codex: `[^A-Za-z0-9_-]` → `_`;
    Continue and Goose also lower-case): compare names in a form all of those agree on."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


class ServerNames:
    """The configured servers one client defines, matched the way that client spells them."""

    def __init__(self, names: list[str]) -> None:
        self.names = sorted(names)
        self._by_form = {normalise(name): name for name in self.names}

    def match(self, candidate: str) -> str | None:
        return self._by_form.get(normalise(candidate)) if candidate else None

    def split(self, qualified: str, delimiters: tuple[str, ...] = ("__",),
              prefixes: tuple[str, ...] = ("",)) -> tuple[str, str] | None:
        """`mcp__github__create_issue` → ("github", "create_issue"), trying every place the
        delimiter occurs because server and tool names may themselves contain it."""
        for prefix in prefixes:
            if not qualified.lower().startswith(prefix):
                continue
            rest = qualified[len(prefix):]
            for delimiter in delimiters:
                for found in re.finditer(re.escape(delimiter), rest):
                    server = self.match(rest[:found.start()])
                    tool = rest[found.end():]
                    if server and tool and not tool.startswith(delimiter[0]):
                        return server, tool
        return None


def local_zone(machine: Machine) -> tzinfo:
    name = (machine.env.get("TZ") or "").lstrip(":")
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


_ISO = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d+))?"
                  r"\s?(Z|[+-]\d{2}:?\d{2}|UTC)?")


def parse_when(value: Any, local: tzinfo = UTC) -> datetime | None:
    """An ISO-8601 string (zone optional), or epoch seconds / milliseconds, as UTC."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    match = _ISO.match(value.strip())
    return _from_match(match, local) if match else None


def line_time(line: str, local: tzinfo = UTC) -> datetime | None:
    """A timestamp at the start of a log line, optionally in brackets."""
    match = _ISO.match(line.lstrip("[ \ufeff"))
    return _from_match(match, local) if match else None


def _from_match(match: re.Match[str], local: tzinfo) -> datetime | None:
    day, clock, fraction, zone = match.groups()
    text = f"{day}T{clock}.{(fraction or '0')[:6]}"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if zone in ("Z", "UTC"):
        return when.replace(tzinfo=UTC)
    if zone:
        offset = zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"
        return datetime.fromisoformat(f"{text}{offset}").astimezone(UTC)
    return when.replace(tzinfo=local).astimezone(UTC)


class LogFiles:
    """Bounded, never-raising access to log files, recording what it could not read."""

    def __init__(self, window: Window, budget: FileBudget, max_bytes: int | None = None) -> None:
        self.window = window
        self.budget = budget
        self.max_bytes = max_bytes or MAX_BYTES
        self.gaps: list[GapNote] = []

    def exists(self, path: Path) -> bool:
        try:
            return path.exists()
        except OSError:
            return False

    def recent(self, path: Path) -> bool:
        """A file worth reading: it exists, is a file, and changed since the window started."""
        try:
            info = path.stat()
        except FileNotFoundError:
            if path.is_symlink():
                self.gaps.append(GapNote(str(path), "a dangling symlink"))
            return False
        except OSError as error:
            self.gaps.append(GapNote(str(path), f"cannot read it: {error.strerror or error}"))
            return False
        if not stat.S_ISREG(info.st_mode):
            self.gaps.append(GapNote(str(path), "a directory or special file where a log file "
                                     "was expected"))
            return False
        return datetime.fromtimestamp(info.st_mtime, UTC) >= self.window.start

    def walk(self, root: Path, wanted: Callable[[Path], bool],
             max_depth: int = MAX_DEPTH) -> list[Path]:
        """Files under `root` that `wanted` picks and that changed in the window, newest first.
        Directory symlinks are not followed, so a symlink loop cannot trap the walk."""
        if not root.is_dir():
            self.gaps.append(GapNote(str(root), "not a folder, where the client keeps a folder"))
            return []
        found = [path for path in self._entries(root, max_depth) if wanted(path)]
        recent = [path for path in found if self.recent(path)]
        return sorted(recent, key=_mtime, reverse=True)

    def _entries(self, root: Path, max_depth: int) -> Iterator[Path]:
        def on_error(error: OSError) -> None:
            self.gaps.append(GapNote(str(error.filename or root),
                                     f"cannot list it: {error.strerror or error}"))

        base = len(root.parts)
        for directory, subdirs, files in os.walk(root, onerror=on_error, followlinks=False):
            for name in sorted(files):
                yield Path(directory) / name
            # A matching name that is a directory is reported by `recent`, so offer those too.
            for name in subdirs:
                if name.endswith((".log", ".jsonl", ".json", ".txt", ".db")):
                    yield Path(directory) / name
            if len(Path(directory).parts) - base >= max_depth:
                subdirs[:] = []

    def read(self, path: Path) -> str | None:
        """The file's text (its newest `max_bytes` when larger), or None with a gap."""
        if self.budget.spent():
            self.budget.skipped += 1
            return None
        self.budget.used += 1
        try:
            with path.open("rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                start = max(0, size - self.max_bytes)
                handle.seek(start)
                data = handle.read(self.max_bytes)
        except OSError as error:
            self.gaps.append(GapNote(str(path), f"cannot read it: {error.strerror or error}"))
            return None
        self.budget.used_bytes += len(data)
        if start:
            # Drop the partial first line; what came before the kept tail is not seen.
            data = data.split(b"\n", 1)[1] if b"\n" in data else b""
            self.gaps.append(GapNote(
                str(path), f"only its newest {_size(self.max_bytes)} of {_size(size)} were read; "
                "older calls in the window may be missing", hint="read the rest by hand"))
        return data.decode("utf-8", errors="replace")


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):.0f} MB" if count >= 1024 * 1024 else f"{count // 1024} KB"


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
