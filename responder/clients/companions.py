"""Edits of JSON files that hold a client's list of switched-off servers.

Gemini CLI keeps `gemini mcp disable` in `mcp-server-enablement.json`; Claude Code rejects project
`.mcp.json` servers named in `disabledMcpjsonServers`. Such a file may not exist yet: it is then
created (0600, as every file responder writes) and `restore` deletes it again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from responder.clients.apply import read_text
from responder.clients.base import ConfigFile, Edit
from responder.clients.documents.base import KeyPath
from responder.clients.documents.jsonc_doc import JsoncDocument
from responder.core.errors import ConfigParseError


def set_value(config: ConfigFile, server: str, path: KeyPath, value: Any, summary: str) -> Edit:
    """Set `path` to `value` in the JSON file of `config`, creating the file when absent."""
    before, created = _current(config.path)
    if created:
        after = _new_file({path[0]: _nest(path[1:], value)})
    else:
        doc = JsoncDocument(before, config.path)
        if doc.value(path) == value:
            return Edit(config, server, before, before)
        doc.set(path, value)
        after = doc.text
    return Edit(config, server, before, after, (summary,), created=created)


def add_to_list(config: ConfigFile, server: str, path: KeyPath, item: str, summary: str) -> Edit:
    """Append `item` to the list at `path` unless it is there, creating the file when absent."""
    before, created = _current(config.path)
    if created:
        after = _new_file({path[0]: _nest(path[1:], [item])})
    else:
        doc = JsoncDocument(before, config.path)
        listed = doc.value(path)
        if isinstance(listed, list) and item in listed:
            return Edit(config, server, before, before)
        if doc.has(path) and not isinstance(listed, list):
            doc.fail(path, f"{'.'.join(map(str, path))} must be a list",
                     f'write "{path[-1]}": ["{item}"]')
        doc.append(path, item)
        after = doc.text
    return Edit(config, server, before, after, (summary,), created=created)


def read_json(path: Path) -> Any:
    """The parsed file, or None when it is absent or does not parse (the caller decides)."""
    try:
        return JsoncDocument(read_text(path), path).value()
    except (OSError, UnicodeDecodeError, ValueError, ConfigParseError):
        return None


def _current(path: Path) -> tuple[str, bool]:
    try:
        return read_text(path), False
    except FileNotFoundError:
        return "", True


def _nest(path: KeyPath, value: Any) -> Any:
    for key in reversed(path):
        value = {key: value}
    return value


def _new_file(value: Any) -> str:
    # The layout the clients themselves write (JSON.stringify(value, null, 2) plus a newline).
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
