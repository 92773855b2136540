"""OpenAI Codex: session rollouts and the TUI log, under $CODEX_HOME (default ~/.codex).

Rollouts: `sessions/YYYY/MM/DD/rollout-*.jsonl` (and `archived_sessions/`), one
`{"timestamp","type","payload"}` per line. MCP calls are persisted as `response_item` payloads
`{"type":"function_call","name":"mcp__<server>__<tool>","arguments":"<JSON text>","call_id"}`
[code: openai/codex codex-rs/core/src/rollout/policy.rs persists FunctionCall], newer builds
splitting the name as `"namespace":"mcp__<server>","name":"<tool>"`, and older ones writing
`<server>__<tool>` [2nd]; `event_msg` payloads `mcp_tool_call_begin|end` with
`invocation: {server, tool, arguments}` appear in some builds' rollouts [2nd].
TUI log: `log/codex-tui.log`, tracing lines such as
`2025-11-01T19:29:20.903182Z  INFO codex_core::codex: ToolCall: <name> <JSON arguments>` [2nd].
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from responder.activity.logs.lines import json_lines, timed_lines
from responder.activity.logs.scan import Call, ClientScan, Context, Finding, parse_when
from responder.clients import places
from responder.core.machine import Machine

_TOOL_CALL = re.compile(r"ToolCall: (\S+) ?(.*)$")


def codex_home(machine: Machine) -> Path:
    return places.env_dir(machine, "CODEX_HOME") or machine.home / ".codex"


def scan(ctx: Context) -> ClientScan:
    home = codex_home(ctx.machine)
    sessions, archived, log = home / "sessions", home / "archived_sessions", home / "log"
    result = ClientScan(looked=[sessions, log])
    for folder, depth in ((sessions, 4), (archived, 1)):
        if not ctx.files.exists(folder):
            continue
        result.found = True
        for path in ctx.files.walk(folder, lambda p: p.suffix == ".jsonl", max_depth=depth):
            text = ctx.files.read(path)
            if text is not None:
                result.findings.append(_rollout(ctx, path, text))
    if ctx.files.exists(log):
        result.found = True
        for path in ctx.files.walk(log, lambda p: p.name.startswith("codex-tui"), max_depth=0):
            text = ctx.files.read(path)
            if text is not None:
                result.findings.append(_tui_log(ctx, path, text))
    return result


def _rollout(ctx: Context, path: Path, text: str) -> Finding:
    finding = Finding(path)
    for raw, entry in json_lines(text, finding):
        payload = entry.get("payload") if isinstance(entry.get("payload"), dict) else entry
        call = _call(ctx, payload, parse_when(entry.get("timestamp"), ctx.window.local))
        if call is not None:
            finding.keep(raw, [call], call.at, ctx.window)
    return finding


def _call(ctx: Context, payload: dict[str, Any], at: Any) -> Call | None:
    kind = payload.get("type")
    if kind == "function_call":
        name, namespace = str(payload.get("name") or ""), str(payload.get("namespace") or "")
        qualified = f"{namespace.rstrip('_')}__{name}" if namespace else name
        split = ctx.servers.split(qualified, prefixes=("mcp__", ""))
        arguments = _arguments(payload.get("arguments"))
        key = str(payload.get("call_id") or "")
    elif kind in ("mcp_tool_call_begin", "mcp_tool_call_end"):
        invocation = payload.get("invocation")
        if not isinstance(invocation, dict):
            return None
        server = ctx.servers.match(str(invocation.get("server") or ""))
        split = (server, str(invocation.get("tool") or "")) if server else None
        arguments = _arguments(invocation.get("arguments"))
        key = str(payload.get("call_id") or "")
    else:
        return None
    if split is None or not split[1]:
        return None
    return Call(at, split[0], split[1], arguments if arguments is not None else {},
                arguments_known=arguments is not None, key=key)


def _arguments(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError:
            return {"(unparsed)": value}
    return value if isinstance(value, dict) else None


def _tui_log(ctx: Context, path: Path, text: str) -> Finding:
    finding = Finding(path)
    for line in timed_lines(text, ctx.window.local):
        match = _TOOL_CALL.search(line.text)
        if match is None or line.at is None or not ctx.window.contains(line.at):
            continue
        split = ctx.servers.split(match.group(1), prefixes=("mcp__", ""))
        if split is None:
            continue
        arguments = _arguments(match.group(2)) if match.group(2) else {}
        finding.excerpt.append(line.text)
        finding.calls.append(Call(line.at, split[0], split[1], arguments or {},
                                  arguments_known=arguments is not None))
    return finding
