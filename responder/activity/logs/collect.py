"""Local evidence: the tool calls each MCP client logged for the suspect servers in the window.

For every client that defines one of the servers, its logs are read (bounded), the calls in the
window become `tool_call` events, and the in-window lines of every file that yielded something are
kept verbatim (scrubbed) as evidence. A client whose logs are missing is a gap; an editor whose MCP
log is an Output-panel channel gets a manual step.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from responder.activity.evidence import EvidenceStore
from responder.activity.logs import (
    amazon_q,
    claude_code,
    claude_desktop,
    codex,
    continue_dev,
    editors,
    goose,
)
from responder.activity.logs.lines import NOT_LOGGED
from responder.activity.logs.scan import (
    Call,
    ClientScan,
    Context,
    FileBudget,
    Finding,
    LogFiles,
    ServerNames,
    Window,
    local_zone,
)
from responder.activity.model import ActivityEvent, Capture
from responder.clients import registry
from responder.core.machine import Machine
from responder.core.times import parse_time

# Clients whose logs are files responder can read; every other client gets a manual step.
READERS: dict[str, Callable[[Context], ClientScan]] = {
    "claude-desktop": claude_desktop.scan,
    "claude-code": claude_code.scan,
    "codex": codex.scan,
    "goose": goose.scan,
    "continue": continue_dev.scan,
    "amazon-q": amazon_q.scan,
    "zed": editors.scan_zed,
}

SAME_CALL_SECONDS = 10  # one call logged by two files of a client (mcp.log and its server's log)
UNLOGGED_ARGUMENTS_SECONDS = 120  # a transcript's tool_use and the MCP log's "Calling MCP tool"
SHOWN = 60  # characters of an argument value in summaries
SUMMARY_ARGUMENTS = 3
ARGUMENT_TEXT = 4000


def collect(machine: Machine, servers: Mapping[str, set[str]], window_start: datetime,
            evidence: EvidenceStore, *, now: datetime) -> Capture:
    """servers: server name as configured → the client names that define it. One `tool_call`
    event per call of those servers in the window, plus gaps and manual steps."""
    capture = Capture(provider="local", account="this machine", vantage="local logs")
    window = Window(_utc(window_start), _utc(now), local_zone(machine))
    budget = FileBudget()
    for client, names in _by_client(servers).items():
        title = client_title(client)
        ctx = Context(machine, window, ServerNames(names), LogFiles(window, budget))
        reader = READERS.get(client)
        result = reader(ctx) if reader else editors.scan_editor(client, ctx)
        if reader is None:
            capture.manual.append(editors.manual_step(client, title, names, window.start))
        elif result.looked and not result.found:
            capture.gap(f"{title} logs of {', '.join(names)}",
                        "no log found at " + ", ".join(str(path) for path in result.looked),
                        hint="the client may not have run here, or its logs were deleted")
        capture.manual.extend(result.manual)
        _record(capture, evidence, client, title, result.findings)
        for note in ctx.files.gaps:
            capture.gap(f"{title}: {note.what}", note.why, note.hint)
    if budget.skipped:
        capture.gap(f"{budget.skipped} more log files",
                    f"not read: a review reads at most {budget.limit} log files and "
                    f"{budget.byte_limit // (1024 * 1024)} MB, newest first",
                    hint="read the older files by hand if the window is long")
    # By time, not by text: "…:00Z" and "…:00.500Z" do not sort as strings.
    capture.events.sort(key=lambda event: (parse_time(event.at), event.account, event.target))
    return capture


def client_title(client: str) -> str:
    try:
        return registry.get(client).title
    except KeyError:
        return client


def _by_client(servers: Mapping[str, set[str]]) -> dict[str, list[str]]:
    clients: dict[str, list[str]] = {}
    for server, names in servers.items():
        for client in names:
            clients.setdefault(client, []).append(server)
    return {client: sorted(clients[client]) for client in sorted(clients)}


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _record(capture: Capture, evidence: EvidenceStore, client: str, title: str,
            findings: list[Finding]) -> None:
    saved: dict[Path, str] = {}
    for finding in findings:
        if finding.problem:
            capture.gap(f"{title}: {finding.path}", finding.problem)
        if finding.excerpt:
            request = f"file {finding.path}" + (f" ({finding.note})" if finding.note else "")
            item = evidence.save_text(_evidence_name(client, finding.path), request,
                                      "\n".join(finding.excerpt) + "\n",
                                      suffix=_suffix(finding.path))
            saved[finding.path] = item.file
        for server, count in sorted(finding.undated.items()):
            kept = f"; the entries are kept as {saved[finding.path]}" \
                if finding.path in saved else ""
            capture.gap(f"{title}: {count} call(s) to {server} in {finding.path}",
                        "logged without a time, so they cannot be placed in the window" + kept,
                        hint="compare with the file's modification time and the session's content")
    calls = [(call, finding.path) for finding in findings for call in finding.calls
             if call.at is not None]
    for merged in merge(calls):
        capture.events.append(_event(client, title, merged, saved))


@dataclass
class Merged:
    call: Call
    paths: list[Path]


def merge(calls: list[tuple[Call, Path]]) -> list[Merged]:
    """One entry per call, though a client often logs it twice (Claude Desktop's shared and
    per-server logs; Claude Code's transcript and its MCP log; Codex's rollout and TUI log)."""
    merged: list[Merged] = []
    for call, path in sorted(calls, key=lambda pair: pair[0].at):
        same = next((entry for entry in merged if _same(entry, call, path)), None)
        if same is None:
            merged.append(Merged(call, [path]))
            continue
        kept = same.call
        if path not in same.paths:
            same.paths.append(path)
        if (call.arguments_known and not kept.arguments_known) or kept.tool == NOT_LOGGED:
            # The fuller record wins, and its file is named first.
            same.call = replace(call, at=min(kept.at, call.at), key=call.key or kept.key)
            same.paths.remove(path)
            same.paths.insert(0, path)
    return merged


def _same(entry: Merged, call: Call, path: Path) -> bool:
    kept = entry.call
    if kept.server != call.server:
        return False
    if kept.key and call.key:
        return kept.key == call.key
    if kept.tool != call.tool and NOT_LOGGED not in (kept.tool, call.tool):
        return False
    if path in entry.paths:
        return False  # two lines of one file are two calls
    apart = abs((call.at - kept.at).total_seconds())
    if kept.arguments_known and call.arguments_known:
        return apart <= SAME_CALL_SECONDS and _canonical(kept.arguments) == \
            _canonical(call.arguments)
    return apart <= UNLOGGED_ARGUMENTS_SECONDS


def _event(client: str, title: str, merged: Merged, saved: dict[Path, str]) -> ActivityEvent:
    call = merged.call
    detail: dict[str, Any] = {
        "client": client,
        "server": call.server,
        "tool": call.tool,
        "arguments": {str(key): _short(value) for key, value in call.arguments.items()},
        "argument_text": _argument_text(call.arguments),
        "log": str(merged.paths[0]),
    }
    if len(merged.paths) > 1:
        detail["also_logged_in"] = [str(path) for path in merged.paths[1:]]
    if not call.arguments_known:
        detail["arguments_logged"] = False
    if call.key:
        detail["call_id"] = call.key
    shown = ", ".join(f"{key}={_short(value, quoted=True)}"
                      for key, value in list(call.arguments.items())[:SUMMARY_ARGUMENTS])
    if len(call.arguments) > SUMMARY_ARGUMENTS:
        shown += ", …"
    action = f"{call.tool}({shown if call.arguments_known else 'arguments not logged'})"
    if call.tool == NOT_LOGGED:
        action = "a tool call (tool and arguments not logged)"
    sources = dict.fromkeys(saved[path] for path in merged.paths if path in saved)
    return ActivityEvent(
        provider="local", kind="tool_call", at=_iso(call.at), account=title,
        target=call.server, summary=f"{title}: {call.server} → {action}",
        source=", ".join(sources), in_window=True, detail=detail)


def _short(value: Any, quoted: bool = False) -> str:
    text = _masked(json.dumps(value, ensure_ascii=False) if quoted or not isinstance(value, str)
                   else value)
    return text if len(text) <= SHOWN else text[:SHOWN - 1] + "…"


def _argument_text(arguments: Mapping[str, Any]) -> str:
    parts = [f"{key}={value if isinstance(value, str) else _compact(value)}"
             for key, value in arguments.items()]
    return _masked(" ".join(parts))[:ARGUMENT_TEXT]


def _masked(text: str) -> str:
    """Tokens masked before any cut: a cut token no longer matches the secret scrub."""
    from responder.core.secrets import redact
    from responder.credentials.classify import find_in_text

    for _, token in find_in_text(text):
        text = text.replace(token, redact(token))
    return text


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _canonical(arguments: Mapping[str, Any]) -> str:
    return json.dumps(arguments, sort_keys=True, default=str)


def _iso(when: datetime) -> str:
    spec = "milliseconds" if when.microsecond else "seconds"
    return when.astimezone(UTC).isoformat(timespec=spec).replace("+00:00", "Z")


def _evidence_name(client: str, path: Path) -> str:
    return f"local-{client}-{path.parent.name}-{path.stem}"


def _suffix(path: Path) -> str:
    return ".jsonl" if path.suffix in (".jsonl", ".json", ".db") else ".log"
