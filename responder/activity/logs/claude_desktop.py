"""Claude Desktop: `mcp.log` (every server, lines tagged `[name]`) and `mcp-server-<name>.log`.

Lines look like `2025-06-10T14:02:11.123Z [github] [info] Message from client:
{"method":"tools/call","params":{"name":...,"arguments":{...}},"jsonrpc":"2.0","id":7}
{ metadata: undefined }` [2nd: many public bug reports and guides quote this form]. Newer builds
have been seen logging `Message from client: method="tools/call" id=5 params` without the payload
[2nd: anthropics/claude-ai-mcp#664]; such a call is kept with its tool "not logged".
Folders: macOS ~/Library/Logs/Claude, Windows %APPDATA%\\Claude\\logs [doc]; the MSIX package
folder on Windows and ~/.config/Claude/logs of unofficial Linux builds are UNCONFIRMED.
"""

from __future__ import annotations

import re
from pathlib import Path

from responder.activity.logs.lines import bracket_server, scan_text
from responder.activity.logs.scan import ClientScan, Context
from responder.clients import places
from responder.core.machine import Machine

_SERVER_LOG = re.compile(r"mcp-server-(.+?)\d*\.log$", re.IGNORECASE)
_SHARED_LOG = re.compile(r"mcp\d*\.log$", re.IGNORECASE)


def log_dirs(machine: Machine) -> list[Path]:
    if machine.platform == "darwin":
        return [machine.home / "Library" / "Logs" / "Claude"]
    if machine.platform == "win32":
        packages = places.localappdata(machine) / "Packages"
        try:
            msix = sorted(packages.glob("Claude_*/LocalCache/Roaming/Claude/logs"))
        except OSError:
            msix = []
        return [places.appdata(machine) / "Claude" / "logs", *msix]
    return [places.xdg_config(machine) / "Claude" / "logs"]


def scan(ctx: Context) -> ClientScan:
    result = ClientScan(looked=log_dirs(ctx.machine))
    for folder in result.looked:
        if not ctx.files.exists(folder):
            continue
        result.found = True
        for path in ctx.files.walk(folder, lambda p: _wanted(ctx, p), max_depth=0):
            text = ctx.files.read(path)
            if text is None:
                continue
            default = _server_of(ctx, path)
            result.findings.append(
                scan_text(path, text, ctx.window, bracket_server(ctx.servers), default))
    return result


def _server_of(ctx: Context, path: Path) -> str | None:
    match = _SERVER_LOG.match(path.name)
    if not match:
        return None
    # Rotated copies carry a number after the name; a server whose name ends in digits wins.
    return ctx.servers.match(path.name[len("mcp-server-"):-len(".log")]) or \
        ctx.servers.match(match.group(1))


def _wanted(ctx: Context, path: Path) -> bool:
    return bool(_SHARED_LOG.match(path.name)) or _server_of(ctx, path) is not None
