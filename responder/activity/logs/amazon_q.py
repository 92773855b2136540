"""Amazon Q Developer CLI: `mcp.log` next to `qchat.log` in its log folder.

Folder [code: aws/amazon-q-developer-cli crates/chat-cli/src/util/directories.rs logs_dir]:
`<runtime dir>/qlog` on Unix, the runtime dir being $XDG_RUNTIME_DIR, else $TMPDIR (macOS: the
per-user temporary folder), else /tmp; `%TEMP%\\amazon-q\\logs` on Windows. `mcp.log` holds
tracing lines of target `mcp` (server stderr, server log notifications)
[code: crates/chat-cli/src/logging.rs]; whether tool calls reach it, or `qchat.log` at a raised
log level, is UNCONFIRMED. Lines naming the server are kept; JSON-RPC `tools/call` requests and
tool names `<server>___<tool>` (Q's delimiter is three underscores [code: tool_manager.rs
NAMESPACE_DELIMITER]) are read as calls.
"""

from __future__ import annotations

import re
from pathlib import Path

from responder.activity.logs.lines import mention_server, scan_text, timed_lines
from responder.activity.logs.scan import Call, ClientScan, Context, Finding, GapNote
from responder.clients import places
from responder.core.machine import Machine

_QUALIFIED = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*___[A-Za-z0-9][A-Za-z0-9_-]*")


def log_dirs(machine: Machine) -> list[Path]:
    if machine.platform == "win32":
        temp = places.env_dir(machine, "TEMP") or places.env_dir(machine, "TMP") or \
            places.localappdata(machine) / "Temp"
        return [temp / "amazon-q" / "logs"]
    found = [places.env_dir(machine, "XDG_RUNTIME_DIR") if machine.platform == "linux" else None,
             places.env_dir(machine, "TMPDIR"),
             machine.system("tmp") if machine.platform == "linux" else None]
    unique: list[Path] = []
    for base in found:
        if base is not None and base / "qlog" not in unique:
            unique.append(base / "qlog")
    return unique


def scan(ctx: Context) -> ClientScan:
    result = ClientScan(looked=log_dirs(ctx.machine))
    if not result.looked:
        ctx.files.gaps.append(GapNote(
            "Amazon Q log folder", "TMPDIR is not set, so the per-user temporary folder is unknown",
            hint="on the Mac, run `getconf DARWIN_USER_TEMP_DIR` and read qlog/mcp.log there"))
    for folder in result.looked:
        if not ctx.files.exists(folder):
            continue
        result.found = True
        for path in ctx.files.walk(folder, _wanted, max_depth=0):
            text = ctx.files.read(path)
            if text is not None:
                result.findings.append(_log(ctx, path, text))
    return result


def _wanted(path: Path) -> bool:
    return path.suffix == ".log" and path.name.startswith(("mcp", "qchat"))


def _log(ctx: Context, path: Path, text: str) -> Finding:
    finding = scan_text(path, text, ctx.window, mention_server(ctx.servers))
    seen = {(call.at, call.tool) for call in finding.calls}
    for line in timed_lines(text, ctx.window.local):
        if line.at is None or not ctx.window.contains(line.at) or "___" not in line.text:
            continue
        for token in _QUALIFIED.findall(line.text):
            split = ctx.servers.split(token, delimiters=("___",))
            if split and (line.at, split[1]) not in seen:
                seen.add((line.at, split[1]))
                finding.calls.append(Call(line.at, split[0], split[1], {}, arguments_known=False))
                if line.text not in finding.excerpt:
                    finding.excerpt.append(line.text)
    return finding
