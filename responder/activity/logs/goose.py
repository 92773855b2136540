"""Goose: session records (JSONL files before 1.10, then `sessions.db`) and its system logs.

Paths [doc: block/goose documentation/docs/guides/logs.md]: sessions in
~/.local/share/goose/sessions/ ($XDG_DATA_HOME; Windows %APPDATA%\\Block\\goose\\data\\sessions),
logs in ~/.local/state/goose/logs/ ($XDG_STATE_HOME; Windows %APPDATA%\\Block\\goose\\data\\logs),
the desktop app's ~/Library/Application Support/Goose/logs/main.log on macOS.
A call is an assistant message content block `{"type":"toolRequest","id",
"toolCall":{"status":"success","value":{"name":"<extension>__<tool>","arguments":{…}}}}`; JSONL
messages carry `created` (epoch seconds); `sessions.db` keeps them in table `messages`
(`session_id, role, content_json, created_timestamp`) [2nd: public session parsers and their
fixtures]. Whether the system logs name tool calls is UNCONFIRMED: they are searched for JSON-RPC
`tools/call` requests on lines that name the server.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from responder.activity.logs.lines import json_lines, mention_server, scan_text
from responder.activity.logs.scan import Call, ClientScan, Context, Finding, parse_when
from responder.clients import places
from responder.core.machine import Machine

MAX_DATABASE = 256 * 1024 * 1024


def data_dir(machine: Machine) -> Path:
    if machine.platform == "win32":
        return places.appdata(machine) / "Block" / "goose" / "data"
    base = places.env_dir(machine, "XDG_DATA_HOME") or machine.home / ".local" / "share"
    return base / "goose"


def logs_dirs(machine: Machine) -> list[Path]:
    if machine.platform == "win32":
        return [data_dir(machine) / "logs"]
    base = places.env_dir(machine, "XDG_STATE_HOME") or machine.home / ".local" / "state"
    dirs = [base / "goose" / "logs"]
    if machine.platform == "darwin":
        dirs.append(places.app_support(machine) / "Goose" / "logs")
    return dirs


def scan(ctx: Context) -> ClientScan:
    sessions = data_dir(ctx.machine) / "sessions"
    result = ClientScan(looked=[sessions, *logs_dirs(ctx.machine)])
    if ctx.files.exists(sessions):
        result.found = True
        for path in ctx.files.walk(sessions, lambda p: p.suffix == ".jsonl", max_depth=0):
            finding = _jsonl(ctx, path)
            if finding is not None:
                result.findings.append(finding)
        database = sessions / "sessions.db"
        # Recent writes may sit in the write-ahead log while the database file keeps its mtime.
        if ctx.files.exists(database) and (
                ctx.files.recent(database) or ctx.files.recent(sessions / "sessions.db-wal")):
            result.findings.append(_database(ctx, database))
    for folder in logs_dirs(ctx.machine):
        if not ctx.files.exists(folder):
            continue
        result.found = True
        for path in ctx.files.walk(folder, lambda p: p.suffix == ".log", max_depth=3):
            text = ctx.files.read(path)
            if text is not None:
                result.findings.append(
                    scan_text(path, text, ctx.window, mention_server(ctx.servers)))
    return result


def _jsonl(ctx: Context, path: Path) -> Finding | None:
    text = ctx.files.read(path)
    if text is None:
        return None
    finding = Finding(path)
    for raw, entry in json_lines(text, finding):
        message = entry.get("message") if isinstance(entry.get("message"), dict) else entry
        _add(ctx, finding, raw, message)
    return finding


def _database(ctx: Context, path: Path) -> Finding:
    finding = Finding(path, note="rows of its messages table, as JSON lines")
    try:
        if path.stat().st_size > MAX_DATABASE:
            finding.problem = "larger than 256 MB: not copied; query its messages table by hand"
            return finding
        with tempfile.TemporaryDirectory(prefix="responder-goose-") as scratch:
            # Query a copy (with its write-ahead log) so the evidence itself is never touched.
            copy = Path(scratch) / path.name
            for suffix in ("", "-wal", "-shm"):
                source = path.with_name(path.name + suffix)
                if source.is_file():
                    shutil.copyfile(source, copy.with_name(copy.name + suffix))
            rows = _rows(copy, ctx.window.start.timestamp())
    except (OSError, sqlite3.Error) as error:
        finding.problem = f"cannot query it: {error}"
        return finding
    for session, content, created in rows:
        raw = json.dumps({"session_id": session, "created_timestamp": created,
                          "content_json": content}, ensure_ascii=False)
        try:
            blocks = json.loads(content)
        except (TypeError, ValueError):
            continue
        _add(ctx, finding, raw, {"created": created, "content": blocks})
    return finding


def _rows(database: Path, since: float) -> list[tuple[Any, Any, Any]]:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return connection.execute(
            "SELECT session_id, content_json, created_timestamp FROM messages "
            "WHERE role = 'assistant' AND created_timestamp >= ? "
            "ORDER BY created_timestamp LIMIT 100000", (int(since),)).fetchall()
    finally:
        connection.close()


def _add(ctx: Context, finding: Finding, raw: str, message: dict[str, Any]) -> None:
    content = message.get("content")
    if not isinstance(content, list):
        return
    at = parse_when(message.get("created"), ctx.window.local)
    calls = [call for block in content if (call := _tool_request(ctx, block, at)) is not None]
    if calls:
        finding.keep(raw, calls, at, ctx.window)


def _tool_request(ctx: Context, block: Any, at: Any) -> Call | None:
    if not isinstance(block, dict) or block.get("type") != "toolRequest":
        return None
    call = block.get("toolCall")
    if isinstance(call, dict):
        call = call.get("value") or call.get("Ok") or call
    if not isinstance(call, dict):
        return None
    name = str(call.get("name") or "")
    meta = block.get("_meta") if isinstance(block.get("_meta"), dict) else {}
    extension = ctx.servers.match(str(meta.get("goose_extension") or ""))
    split = ctx.servers.split(name) or ((extension, name) if extension else None)
    if split is None:
        return None
    arguments = call.get("arguments")
    return Call(at, split[0], split[1], arguments if isinstance(arguments, dict) else {},
                key=str(block.get("id") or ""))
