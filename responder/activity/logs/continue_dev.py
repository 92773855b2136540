"""Continue: `core.log` and saved chat sessions under $CONTINUE_GLOBAL_DIR (default ~/.continue).

`logs/core.log` [code: continuedev/continue core/util/paths.ts]: whether it records tool calls is
UNCONFIRMED; it is searched for JSON-RPC `tools/call` requests on lines naming the server.
`sessions/<id>.json`: `history[].message.toolCalls[].function.{name, arguments}` (arguments as JSON
text). Continue names an MCP tool `<server>_<tool>`, the server lower-cased with runs of other
characters turned into `_` [code: continuedev/continue getToolNameFromMCPServer]; older
builds used `<tool>_<server>` or the bare tool name (not attributable). The session format keeps
no time per message as far as known (UNCONFIRMED): such calls are reported as a gap, their
entries kept as evidence when the session file changed during the window.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from responder.activity.logs.lines import mention_server, scan_text
from responder.activity.logs.scan import Call, ClientScan, Context, Finding, parse_when
from responder.clients import places
from responder.core.machine import Machine

_TIME_KEYS = ("timestamp", "createdAt", "created_at", "created", "time", "dateCreated")


def continue_home(machine: Machine) -> Path:
    return places.env_dir(machine, "CONTINUE_GLOBAL_DIR") or machine.home / ".continue"


def scan(ctx: Context) -> ClientScan:
    home = continue_home(ctx.machine)
    logs, sessions = home / "logs", home / "sessions"
    result = ClientScan(looked=[logs, sessions])
    if ctx.files.exists(logs):
        result.found = True
        for path in ctx.files.walk(logs, lambda p: p.name.startswith("core"), max_depth=0):
            text = ctx.files.read(path)
            if text is not None:
                result.findings.append(
                    scan_text(path, text, ctx.window, mention_server(ctx.servers)))
    if ctx.files.exists(sessions):
        result.found = True
        for path in ctx.files.walk(sessions, _is_session, max_depth=0):
            text = ctx.files.read(path)
            if text is not None:
                result.findings.append(_session(ctx, path, text))
    return result


def _is_session(path: Path) -> bool:
    return path.suffix == ".json" and path.name != "sessions.json"


def _session(ctx: Context, path: Path, text: str) -> Finding:
    finding = Finding(path, note="history entries with tool calls, one per line")
    try:
        session = json.loads(text)
    except ValueError:
        finding.problem = "not valid JSON"
        return finding
    history = session.get("history") if isinstance(session, dict) else None
    for item in history if isinstance(history, list) else []:
        if not isinstance(item, dict):
            continue
        message = item.get("message") if isinstance(item.get("message"), dict) else {}
        at = _time(ctx, item) or _time(ctx, message)
        calls = [call for raw in _tool_calls(item, message)
                 if (call := _call(ctx, raw, at)) is not None]
        if not calls:
            continue
        if at is None:
            for call in calls:
                finding.undated[call.server] = finding.undated.get(call.server, 0) + 1
        elif not ctx.window.contains(at):
            continue
        else:
            finding.calls.extend(calls)
        finding.excerpt.append(json.dumps(item, ensure_ascii=False))
    return finding


def _time(ctx: Context, entry: dict[str, Any]) -> Any:
    return next((when for key in _TIME_KEYS
                 if (when := parse_when(entry.get(key), ctx.window.local)) is not None), None)


def _tool_calls(item: dict[str, Any], message: dict[str, Any]) -> list[dict[str, Any]]:
    calls = [call for call in message.get("toolCalls") or [] if isinstance(call, dict)]
    states = item.get("toolCallStates") or [item.get("toolCallState")]
    seen = {call.get("id") for call in calls}
    for state in states if isinstance(states, list) else []:
        call = state.get("toolCall") if isinstance(state, dict) else None
        if isinstance(call, dict) and call.get("id") not in seen:
            calls.append(call)
            seen.add(call.get("id"))
    return calls


def _call(ctx: Context, raw: dict[str, Any], at: Any) -> Call | None:
    function = raw.get("function") if isinstance(raw.get("function"), dict) else {}
    name = str(function.get("name") or "")
    split = ctx.servers.split(name, delimiters=("_",)) or _suffixed(ctx, name)
    if split is None:
        return None
    arguments: Any = function.get("arguments")
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except ValueError:
            arguments = {"(unparsed)": arguments}
    return Call(at, split[0], split[1], arguments if isinstance(arguments, dict) else {},
                key=str(raw.get("id") or ""))


def _suffixed(ctx: Context, name: str) -> tuple[str, str] | None:
    for server in ctx.servers.names:
        suffix = "_" + "_".join(server.split(" ")).lower()
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return server, name[:-len(suffix)]
    return None
