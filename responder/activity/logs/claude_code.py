"""Claude Code: session transcripts, and its own per-server MCP logs.

Transcripts: `<config>/projects/<cwd slug>/<session>.jsonl` (config = $CLAUDE_CONFIG_DIR or
~/.claude); assistant lines carry `timestamp` and `message.content[]` blocks
`{"type":"tool_use","id":"toolu_…","name":"mcp__<server>__<tool>","input":{…}}`, the server name
with characters outside [A-Za-z0-9_-] replaced by `_`; plugin servers appear as
`mcp__plugin_<plugin>_<server>__<tool>` [2nd: public transcript parsers and their fixtures].
MCP logs: `<cache>/claude-cli-nodejs/<cwd slug>/mcp-logs-<server>/<iso time>.jsonl`, one
`{"debug"|"error": text, "timestamp", "sessionId", "cwd"}` per line, with
`Calling MCP tool: <tool>` for each call (no arguments) [2nd: anthropics/claude-code#69427 and
public notes quoting these lines]; older builds wrote a JSON array to `.txt` files (UNCONFIRMED).
Cache: ~/.cache (or $XDG_CACHE_HOME) on Linux, ~/Library/Caches on macOS,
%LOCALAPPDATA%\\claude-cli-nodejs\\Cache on Windows [2nd].
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from responder.activity.logs.lines import json_lines, rpc_calls
from responder.activity.logs.scan import (
    Call,
    ClientScan,
    Context,
    Finding,
    normalise,
    parse_when,
)
from responder.clients import places
from responder.core.machine import Machine

_CALLING = re.compile(r"^Calling MCP tool: (.+)$")


def transcripts_dir(machine: Machine) -> Path:
    return (places.env_dir(machine, "CLAUDE_CONFIG_DIR") or machine.home / ".claude") / "projects"


def cache_dir(machine: Machine) -> Path:
    if machine.platform == "darwin":
        return machine.home / "Library" / "Caches" / "claude-cli-nodejs"
    if machine.platform == "win32":
        return places.localappdata(machine) / "claude-cli-nodejs" / "Cache"
    cache = places.env_dir(machine, "XDG_CACHE_HOME") or machine.home / ".cache"
    return cache / "claude-cli-nodejs"


def scan(ctx: Context) -> ClientScan:
    transcripts, cache = transcripts_dir(ctx.machine), cache_dir(ctx.machine)
    result = ClientScan(looked=[transcripts, cache])
    if ctx.files.exists(transcripts):
        result.found = True
        for path in ctx.files.walk(transcripts, lambda p: p.suffix == ".jsonl", max_depth=3):
            text = ctx.files.read(path)
            if text is not None:
                result.findings.append(_transcript(ctx, path, text))
    if ctx.files.exists(cache):
        result.found = True
        for path in ctx.files.walk(cache, lambda p: _log_server(ctx, p) is not None, max_depth=2):
            text = ctx.files.read(path)
            if text is not None:
                result.findings.append(_mcp_log(ctx, path, text, _log_server(ctx, path) or ""))
    return result


def _transcript(ctx: Context, path: Path, text: str) -> Finding:
    finding = Finding(path)
    for raw, entry in json_lines(text, finding):
        message = entry.get("message")
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list):
            continue
        at = parse_when(entry.get("timestamp"), ctx.window.local)
        calls = [call for block in content if (call := _tool_use(ctx, block, at)) is not None]
        if calls:
            finding.keep(raw, calls, at, ctx.window)
    return finding


def _tool_use(ctx: Context, block: Any, at: Any) -> Call | None:
    if not isinstance(block, dict) or block.get("type") != "tool_use":
        return None
    split = tool_server(ctx, str(block.get("name") or ""))
    if split is None:
        return None
    arguments = block.get("input") if isinstance(block.get("input"), dict) else {}
    return Call(at, split[0], split[1], arguments, key=str(block.get("id") or ""))


def tool_server(ctx: Context, name: str) -> tuple[str, str] | None:
    """`mcp__<server>__<tool>`, or a plugin's `mcp__plugin_<plugin>_<server>__<tool>`."""
    found = ctx.servers.split(name, prefixes=("mcp__",))
    if found or not name.lower().startswith("mcp__plugin_"):
        return found
    rest = name[len("mcp__"):]
    for match in re.finditer("__", rest):
        head, tool = normalise(rest[:match.start()]), rest[match.end():]
        for server in ctx.servers.names:
            if head.endswith("_" + normalise(server)) and tool:
                return server, tool
    return None


def _log_server(ctx: Context, path: Path) -> str | None:
    folder = path.parent.name
    if not folder.lower().startswith("mcp-logs-") or path.suffix not in (".jsonl", ".txt"):
        return None
    return ctx.servers.match(folder[len("mcp-logs-"):])


def _mcp_log(ctx: Context, path: Path, text: str, server: str) -> Finding:
    finding = Finding(path)
    for raw, entry in _entries(text, finding):
        at = parse_when(entry.get("timestamp"), ctx.window.local)
        if at is None or not ctx.window.contains(at):
            continue
        finding.excerpt.append(raw)
        said = str(entry.get("debug") or entry.get("error") or "")
        calling = _CALLING.match(said)
        if calling:
            finding.calls.append(Call(at, server, calling.group(1).strip(), {},
                                      arguments_known=False))
        for tool, arguments, known in rpc_calls(said):
            finding.calls.append(Call(at, server, tool, arguments, known))
    return finding


def _entries(text: str, finding: Finding) -> list[tuple[str, dict[str, Any]]]:
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except ValueError:
            items = None
        if isinstance(items, list):
            finding.note = "entries of a JSON array, one per line"
            return [(json.dumps(item, ensure_ascii=False), item) for item in items
                    if isinstance(item, dict)]
    return json_lines(text, finding)
