"""Reading plain-text client logs without trusting their exact layout.

Lines are timestamped at their start (continuation lines inherit the time of the line before),
and a tool call is any JSON-RPC `tools/call` request found anywhere in a line, whatever the client
wrote around it ("Message from client: {...}", "[Client Says] {...}").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from responder.activity.logs.scan import Call, Finding, ServerNames, Window, line_time

MAX_LINE = 1024 * 1024  # a line longer than this is kept as evidence but not searched for JSON
MAX_DECODE_ATTEMPTS = 64
NOT_LOGGED = "(tool not logged)"


@dataclass(frozen=True)
class Line:
    text: str
    at: datetime | None  # its own timestamp, or the one of the line it continues
    continued: bool = False  # no timestamp of its own: part of the entry above


def timed_lines(text: str, local: tzinfo) -> Iterator[Line]:
    current: datetime | None = None
    for raw in text.splitlines():
        own = line_time(raw, local)
        current = own or current
        yield Line(raw, current, own is None)


def json_objects(text: str, start: int = 0) -> Iterator[dict[str, Any]]:
    """JSON objects embedded in free text, left to right."""
    if len(text) > MAX_LINE:
        return
    decoder = json.JSONDecoder()
    position, attempts = text.find("{", start), 0
    while position != -1 and attempts < MAX_DECODE_ATTEMPTS:
        attempts += 1
        try:
            value, end = decoder.raw_decode(text, position)
        except ValueError:
            position = text.find("{", position + 1)
            continue
        if isinstance(value, dict):
            yield value
        position = text.find("{", end)


_SUMMARY_CALL = re.compile(r"""method=["']?tools/call""")


def rpc_calls(text: str) -> list[tuple[str, dict[str, Any], bool]]:
    """(tool, arguments, arguments known) for each JSON-RPC tools/call request in the text."""
    if "tools/call" not in text:
        return []
    calls = []
    for value in json_objects(text):
        if value.get("method") != "tools/call":
            continue
        params = value.get("params") if isinstance(value.get("params"), dict) else {}
        arguments = params.get("arguments")  # optional in MCP: absent means none
        calls.append((str(params.get("name") or NOT_LOGGED),
                      arguments if isinstance(arguments, dict) else {},
                      arguments is None or isinstance(arguments, dict)))
    if not calls and _SUMMARY_CALL.search(text):
        # Newer Claude Desktop builds log `method="tools/call" id=5 params` without the payload.
        calls.append((NOT_LOGGED, {}, False))
    return calls


def bracket_server(servers: ServerNames) -> Callable[[str], str | None]:
    """The server named in a `[name]` tag of the line (Claude Desktop's mcp.log)."""
    def attribute(text: str) -> str | None:
        for tag in re.findall(r"\[([^\[\]]{1,200})\]", text[:400]):
            server = servers.match(tag)
            if server:
                return server
        return None
    return attribute


def mention_server(servers: ServerNames) -> Callable[[str], str | None]:
    """The first target server whose name appears in the line as a whole word, in any case and
    in the client's normalised spelling; for logs that tag lines with no fixed syntax."""
    patterns = [(name, re.compile(
        rf"(?<![A-Za-z0-9]){_spelled(name)}(?![A-Za-z0-9])", re.IGNORECASE))
        for name in servers.names]

    def attribute(text: str) -> str | None:
        return next((name for name, pattern in patterns if pattern.search(text)), None)
    return attribute


def _spelled(name: str) -> str:
    # "my server" is also written my_server or my-server by the clients that normalise it.
    parts = [re.escape(part) for part in re.split(r"[^A-Za-z0-9]+", name) if part]
    return "[^A-Za-z0-9]+".join(parts) if parts else re.escape(name)


def scan_text(path: Path, text: str, window: Window,
              attribute: Callable[[str], str | None], default: str | None = None) -> Finding:
    """In-window lines that belong to a target server, and the tool calls among them. With a
    `default` server (a per-server log file) every in-window line belongs to it."""
    finding = Finding(path)
    dated, server = False, None
    for line in timed_lines(text, window.local):
        at = line.at
        dated = dated or at is not None
        if at is None or not window.contains(at):
            continue
        # A continuation line (a multi-line entry, a server's stderr) belongs where its entry does.
        server = (server if line.continued else None) or attribute(line.text) or default
        if server is None:
            continue
        finding.excerpt.append(line.text)
        for tool, arguments, known in rpc_calls(line.text):
            finding.calls.append(Call(at, server, tool, arguments, known))
    if not dated and text.strip():
        finding.problem = "no line carries a timestamp: damaged, or a format not known here"
    return finding


def json_lines(text: str, finding: Finding) -> list[tuple[str, dict[str, Any]]]:
    """(raw line, object) for each JSON-object line; the others are noted on the finding."""
    parsed, bad = [], 0
    for raw in text.splitlines():
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            value = None
        if isinstance(value, dict):
            parsed.append((raw, value))
        else:
            bad += 1
    if bad:
        finding.problem = f"{bad} of {bad + len(parsed)} lines are not JSON objects: skipped"
    return parsed
