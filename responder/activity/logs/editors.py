"""Editors whose MCP log is an Output-panel channel, and Zed's log file.

Kiro writes MCP traffic to the Output channel "Kiro - MCP Logs" [doc: kiro.dev/docs/mcp];
VS Code to one channel per server ("MCP: List Servers" › Show Output) [doc]; Cursor to "MCP Logs";
Cline and Roo Code to their own channels [code]. Where those channels land on disk is
UNCONFIRMED, so a person is always asked to read them, and the editor's `logs/` folder is also
searched for `.log` files named after MCP or the server, for JSON-RPC `tools/call` requests
(VS Code prints them as `[Client Says] {...}` [2nd: microsoft/vscode#244377]).
Zed writes `Zed.log`: ~/Library/Logs/Zed on macOS, $XDG_DATA_HOME/zed/logs (default
~/.local/share/zed/logs) on Linux, %LOCALAPPDATA%\\Zed\\logs on Windows (UNCONFIRMED beyond the
macOS path).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from responder.activity.logs.lines import mention_server, scan_text
from responder.activity.logs.scan import ClientScan, Context, normalise
from responder.clients import places
from responder.core.machine import Machine

# client → the VS Code-family applications whose user-data folder holds its logs. Cline and Roo
# Code live inside those editors: searching the same folders for them would count each call twice.
EDITOR_APPS: dict[str, tuple[str, ...]] = {
    "vscode": ("Code", "Code - Insiders", "VSCodium"),
    "cursor": ("Cursor",),
    "windsurf": ("Windsurf",),
    "kiro": ("Kiro",),
}

_STEPS = {
    "kiro": 'open View › Output, choose "Kiro - MCP Logs", and read every call to {servers} '
            "since {start}",
    "vscode": 'run "MCP: List Servers", pick {servers}, choose "Show Output", and read every '
              "tool call since {start}",
    "cursor": 'open View › Output, choose "MCP Logs" (and any "MCP: <server>" channel), and read '
              "every call to {servers} since {start}",
    "windsurf": "open View › Output, choose the Windsurf channel, and read every MCP call to "
                "{servers} since {start}; Cascade's history shows each call too",
    "cline": 'open View › Output, choose "Cline", and read every MCP call to {servers} since '
             "{start}; each task's history in the Cline panel shows the calls too",
    "roo-code": 'open View › Output, choose "Roo-Code", and read every MCP call to {servers} '
                "since {start}; each task's history shows the calls too",
}
_GENERIC = ("no MCP log file is known: read its chat history for calls to {servers} "
            "since {start}")


def manual_step(client: str, title: str, servers: list[str], start: datetime) -> str:
    template = _STEPS.get(client, _GENERIC)
    when = start.strftime("%Y-%m-%d %H:%M UTC")
    return f"{title}: " + template.format(servers=", ".join(servers), start=when)


def scan_editor(client: str, ctx: Context) -> ClientScan:
    """The editor's on-disk logs, searched as a bonus; never a gap when there are none."""
    result = ClientScan()
    for folder in _log_roots(ctx.machine, client):
        if not ctx.files.exists(folder):
            continue
        for path in ctx.files.walk(folder, lambda p: _named(ctx, p) is not False, max_depth=5):
            text = ctx.files.read(path)
            if text is None:
                continue
            named = _named(ctx, path)
            default = named if isinstance(named, str) else None
            result.findings.append(
                scan_text(path, text, ctx.window, mention_server(ctx.servers), default))
    return result


def _log_roots(machine: Machine, client: str) -> list[Path]:
    portable = places.env_dir(machine, "VSCODE_PORTABLE") if client == "vscode" else None
    roots = [portable / "user-data" / "logs"] if portable else []
    return roots + [places.user_config_dir(machine, app) / "logs"
                    for app in EDITOR_APPS.get(client, ())]


def _named(ctx: Context, path: Path) -> str | bool:
    """The server a log file is named after, True for another MCP log, False for the rest."""
    if path.suffix != ".log":
        return False
    name = f"_{normalise(path.stem)}_"
    server = next((s for s in ctx.servers.names
                   if normalise(s) and f"_{normalise(s)}_" in name), None)
    return server or "_mcp_" in name


def zed_logs(machine: Machine) -> Path:
    if machine.platform == "darwin":
        return machine.home / "Library" / "Logs" / "Zed"
    if machine.platform == "win32":
        return places.localappdata(machine) / "Zed" / "logs"
    data = places.env_dir(machine, "XDG_DATA_HOME") or machine.home / ".local" / "share"
    return data / "zed" / "logs"


def scan_zed(ctx: Context) -> ClientScan:
    folder = zed_logs(ctx.machine)
    result = ClientScan(looked=[folder], found=ctx.files.exists(folder))
    if result.found:
        for path in ctx.files.walk(folder, lambda p: p.name.startswith("Zed.log"), max_depth=0):
            text = ctx.files.read(path)
            if text is not None:
                result.findings.append(
                    scan_text(path, text, ctx.window, mention_server(ctx.servers)))
    return result
