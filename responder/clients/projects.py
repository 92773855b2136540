"""Which project folders to look in for project-scoped MCP configs.

A compromised server is often configured in a repository the user is not standing in. Clients
remember the projects they have opened; those records name the folders to check
(shared/reference/mcp-clients.md §5): Claude Code's `projects` keys in `~/.claude.json`, Codex's
`[projects."<path>"]` tables, and the `workspace.json` of every VS Code-family workspace storage
folder. The current directory, its ancestors and every `--workspace` come first.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from responder.clients import places
from responder.core.machine import Machine

# Records larger than this are not project lists; reading them would only cost time.
_MAX_RECORD = 64 * 1024 * 1024
_CODEX_PROJECT = re.compile(r'^\s*\[projects\.(".*?"|\'.*?\')\]', re.MULTILINE)


def roots(machine: Machine) -> tuple[Path, ...]:
    """Existing project folders, each once, in the order: cwd and its ancestors, --workspace
    folders, then the folders clients remember."""
    found: dict[Path, None] = {}
    for path in _candidates(machine):
        try:
            if path.is_absolute() and path.is_dir():
                found.setdefault(path, None)
        except OSError:
            continue  # an unreadable or looping path is not a project we can scan
    return tuple(found)


def _candidates(machine: Machine) -> Iterator[Path]:
    yield machine.cwd
    # Parent folders may hold a project file (a monorepo's .mcp.json), but never above the
    # examined machine's root: a drill or a mounted image must not reach the host's files.
    yield from (p for p in machine.cwd.parents if p.is_relative_to(machine.root))
    yield from machine.workspaces
    yield from _claude_projects(machine)
    yield from _codex_projects(machine)
    yield from _vscode_workspaces(machine)


def _claude_projects(machine: Machine) -> Iterable[Path]:
    base = places.env_dir(machine, "CLAUDE_CONFIG_DIR") or machine.home
    data = _json(base / ".claude.json")
    projects = data.get("projects") if isinstance(data, dict) else None
    return [Path(key) for key in projects] if isinstance(projects, dict) else []


def _codex_projects(machine: Machine) -> Iterable[Path]:
    home = places.env_dir(machine, "CODEX_HOME") or machine.home / ".codex"
    text = _text(home / "config.toml")
    if text is None:
        return []
    try:
        projects = tomllib.loads(text).get("projects")
    except tomllib.TOMLDecodeError:
        # The config scan reports the syntax error; the project names are still worth having.
        return [Path(m.group(1)[1:-1]) for m in _CODEX_PROJECT.finditer(text)]
    return [Path(key) for key in projects] if isinstance(projects, dict) else []


def _vscode_workspaces(machine: Machine) -> Iterator[Path]:
    for user_dir in places.vscode_user_dirs(machine):
        storage = user_dir / "workspaceStorage"
        try:
            folders = list(storage.iterdir())
        except OSError:
            continue
        for folder in folders:
            data = _json(folder / "workspace.json")
            if not isinstance(data, dict):
                continue
            for key in ("folder", "workspace"):
                path = _file_uri(data.get(key))
                if path is not None:
                    yield path.parent if key == "workspace" else path


def _file_uri(value: object) -> Path | None:
    if not isinstance(value, str) or not value.startswith("file://"):
        return None  # remote (vscode-remote://) folders are not on this disk
    path = unquote(urlsplit(value).path)
    if re.match(r"^/[A-Za-z]:/", path):  # file:///c%3A/Users/... on Windows
        path = path[1:]
    return Path(path)


def _text(path: Path) -> str | None:
    try:
        if path.stat().st_size > _MAX_RECORD:
            return None
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def _json(path: Path) -> object:
    text = _text(path)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
