"""One server configured across many clients, through the CLI: containment everywhere, matching
by package or URL, running processes stopped, hardening findings, and a full restore."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from responder.cli.app import main
from responder.clients import registry
from responder.clients.scan import locate
from responder.core.machine import Machine

PKG = "@modelcontextprotocol/server-github"
LITERAL = "ghp_" + "L1teral" * 5 + "X"  # 40 chars, a classic PAT's shape; never live


def _json(value: object) -> str:
    return json.dumps(value, indent=2) + "\n"


def _server(**extra: object) -> dict:
    return {"command": "npx", "args": ["-y", PKG], **extra}


@pytest.fixture
def home(sandbox) -> Path:
    return sandbox / "home"


@pytest.fixture
def project(sandbox) -> Path:
    path = sandbox / "project"
    path.mkdir()
    return path


def _write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)
    return path


def _run(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out + out.err


def _machine(home: Path, project: Path, sandbox: Path) -> Machine:
    return Machine(home=home, cwd=sandbox / "cwd", workspaces=(project,), root=sandbox)


def _disabled_everywhere(machine: Machine, name: str) -> dict[str, bool]:
    found = {}
    for config in locate(machine):
        adapter = registry.get(config.client)
        text = config.path.read_bytes().decode()
        if any(e.name == name for e in adapter.parse(config, text, machine)) or \
                config.client == "claude-code":
            found[f"{config.client}:{config.path.name}"] = adapter.is_disabled(
                config, text, name, machine)
    return found


def test_one_run_disables_the_server_in_every_client_and_restore_undoes_it(
        home, project, sandbox, capsys):
    files = {
        "kiro": _write(home / ".kiro/settings/mcp.json", _json({"mcpServers": {
            "github": _server(env={"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}"},
                              autoApprove=["*"]),
            "fetch": {"command": "uvx", "args": ["mcp-server-fetch"]}}})),
        "claude": _write(home / ".claude.json", _json({
            "numStartups": 12,
            "mcpServers": {"github": _server()},
            "projects": {project.as_posix(): {"mcpServers": {"github": _server()},
                                              "allowedTools": []}}})),
        "mcp-json": _write(project / ".mcp.json", _json({"mcpServers": {
            "github": _server(), "other": {"command": "node", "args": ["x.js"]}}})),
        "cursor": _write(home / ".cursor/mcp.json", _json({"mcpServers": {"github": _server()}})),
        "vscode": _write(home / ".config/Code/User/mcp.json",
                         '{\n  // mine\n  "servers": {\n    "github": {"type": "stdio", '
                         f'"command": "npx", "args": ["-y", "{PKG}"]}}\n  }}\n}}\n'),
        "codex": _write(home / ".codex/config.toml",
                        '# Codex\n[mcp_servers.github]\ncommand = "npx"\n'
                        f'args = ["-y", "{PKG}"]\n'),
        "gemini": _write(home / ".gemini/settings.json",
                         _json({"mcpServers": {"github": _server(trust=True)}})),
        "goose": _write(home / ".config/goose/config.yaml",
                        "extensions:\n  github:\n    cmd: npx\n    args: [-y, "
                        f"'{PKG}']\n    enabled: true\n    type: stdio\n"),
    }
    originals = {k: p.read_bytes() for k, p in files.items()}
    machine = _machine(home, project, sandbox)

    code, out = _run(capsys, "run", "compromised-server", "--server", "github", "--yes",
                     "--offline")
    assert code == 0, out
    assert all(_disabled_everywhere(machine, "github").values()), out
    assert all(p.read_bytes() != originals[k] for k, p in files.items())
    enablement = home / ".gemini/mcp-server-enablement.json"
    assert json.loads(enablement.read_text()) == {"github": {"enabled": False}}
    settings_local = project / ".claude/settings.local.json"
    assert json.loads(settings_local.read_text()) == {"disabledMcpjsonServers": ["github"]}
    claude = json.loads(files["claude"].read_text())
    assert "github" not in claude["mcpServers"]
    assert claude["projects"][project.as_posix()]["disabledMcpServers"] == ["github"]
    assert claude["numStartups"] == 12
    assert "// mine" in files["vscode"].read_text()
    assert "enabled = false" in files["codex"].read_text()
    kiro = json.loads(files["kiro"].read_text())["mcpServers"]
    assert kiro["github"]["disabled"] is True and "autoApprove" not in kiro["github"]
    assert kiro["fetch"] == {"command": "uvx", "args": ["mcp-server-fetch"]}

    (run_dir,) = (sandbox / "state" / "runs").iterdir()
    code, out = _run(capsys, "runs", "restore", run_dir.name)
    assert code == 0, out
    assert {k: p.read_bytes() for k, p in files.items()} == originals
    assert not enablement.exists() and not settings_local.exists()


def test_same_package_under_another_name_is_listed_then_included_with_match_package(
        home, project, sandbox, capsys):
    cursor = _write(home / ".cursor/mcp.json", _json({"mcpServers": {"github": _server()}}))
    vscode = _write(home / ".config/Code/User/mcp.json", _json({"servers": {
        "gh-tools": {"type": "stdio", "command": "npx", "args": ["-y", f"{PKG}@1.2.0"]},
        "fetch": {"type": "stdio", "command": "uvx", "args": ["mcp-server-fetch"]}}}))
    vscode_before = vscode.read_bytes()

    code, out = _run(capsys, "run", "compromised-server", "--server", "github", "--yes",
                     "--offline")
    assert code == 0, out
    assert "github" not in json.loads(cursor.read_text())["mcpServers"]
    assert vscode.read_bytes() == vscode_before  # default: by name only
    assert "also check 'gh-tools'" in out
    assert f"--server {PKG} --match package" in out
    (run_dir,) = (sandbox / "state" / "runs").iterdir()
    report = (run_dir / "report.md").read_text()
    assert "Also check" in report and "gh-tools" in report and f"npm:{PKG}" in report

    code, out = _run(capsys, "run", "compromised-server", "--server", PKG, "--yes",
                     "--offline", "--match", "package")
    assert code == 0, out
    servers = json.loads(vscode.read_text())["servers"]
    assert "gh-tools" not in servers and "fetch" in servers


def test_match_package_by_package_name_and_match_url(home, project, sandbox, capsys):
    cursor = _write(home / ".cursor/mcp.json", _json({"mcpServers": {
        "gh": _server(), "remote": {"url": "https://API.example.com:443/mcp/?x=1"}}}))
    windsurf = _write(home / ".codeium/windsurf/mcp_config.json", _json({"mcpServers": {
        "ex": {"serverUrl": "https://api.example.com/mcp"}, "keep": {"command": "uvx"}}}))

    code, out = _run(capsys, "run", "compromised-server", "--server", PKG, "--match",
                     "package", "--yes", "--offline")
    assert code == 0, out
    assert set(json.loads(cursor.read_text())["mcpServers"]) == {"remote"}

    code, out = _run(capsys, "run", "compromised-server", "--server", "remote", "--match",
                     "url", "--yes", "--offline")
    assert code == 0, out
    assert json.loads(cursor.read_text())["mcpServers"] == {}
    assert set(json.loads(windsurf.read_text())["mcpServers"]) == {"keep"}

    code, out = _run(capsys, "run", "compromised-server", "--server", "x", "--match", "nope")
    assert code == 2 and "must be one of name, package, url" in out


SLEEPER = "import sys, time; print('ready', flush=True); time.sleep(120)"


@pytest.fixture
def server_process():
    marker = f"--mcp-test-{uuid.uuid4().hex}"
    argv = [sys.executable, "-c", SLEEPER, marker]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    try:
        yield process, argv
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(5)


@pytest.mark.usefixtures("host_processes")
def test_running_server_process_is_stopped_with_approval(home, server_process, capsys):
    process, argv = server_process
    config = _write(home / ".kiro/settings/mcp.json", _json({"mcpServers": {
        "sleeper": {"command": argv[0], "args": argv[1:]}}}))

    code, out = _run(capsys, "run", "compromised-server", "--server", "sleeper", "--offline")
    assert code == 3, out  # no terminal, no --yes: stopping is refused...
    assert process.poll() is None
    assert json.loads(config.read_text())["mcpServers"]["sleeper"]["disabled"] is True  # ...not
    assert f"stop pid {process.pid}" in out  # containment, which came first

    code, out = _run(capsys, "run", "compromised-server", "--server", "sleeper", "--yes",
                     "--offline")
    assert code == 0, out
    assert process.wait(10) is not None
    assert f"pid {process.pid}" in out


def test_hardening_findings_reach_the_report(home, project, sandbox, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_" + "E" * 36)
    _write(home / ".cursor/mcp.json", _json({"mcpServers": {
        "github": _server(env={"GITHUB_PERSONAL_ACCESS_TOKEN": "${env:GITHUB_TOKEN}"})}}),
        mode=0o644)
    _write(project / ".cursor/mcp.json", _json({"mcpServers": {
        "github": _server(env={"GITHUB_PERSONAL_ACCESS_TOKEN": LITERAL})}}))
    _write(home / ".kiro/settings/mcp.json", _json({"mcpServers": {
        "github": _server(autoApprove=["*"])}}))

    code, out = _run(capsys, "run", "compromised-server", "--server", "github", "--yes",
                     "--offline", "--workspace", str(project))
    assert code == 0, out
    (run_dir,) = (sandbox / "state" / "runs").iterdir()
    report = (run_dir / "report.md").read_text()
    assert "readable by other users (mode 0644)" in out
    assert "is a project file that holds 1 token(s) written literally" in report
    assert "pre-approved every tool" in report
    assert LITERAL not in out + report and "ghp_…" in report


CANARY = "ghp_CANARYneighbourTOKENxCANARYneighbour1"
# No known format: only their keys say they are secret. One per file, so that no file's value is
# masked merely because another file's parser registered the same string.
OPAQUE = tuple(f"opaque-canary-{n}-7f3a9c21" for n in ("toml", "yaml", "continue", "json"))


@pytest.mark.parametrize("dry_run", [False, True], ids=["run", "dry-run"])
def test_canary_secrets_of_neighbouring_servers_never_leak(home, project, sandbox, capsys,
                                                          dry_run):
    """Diffs show the lines around the edit: neighbours' secrets, in every format, must not
    reach the screen, the journal, the reports or any file responder writes (backups aside)."""
    _write(home / ".codex/config.toml",
           '[mcp_servers.neighbour]\ncommand = "x"\n[mcp_servers.neighbour.env]\n'
           f'API_TOKEN = "{CANARY}"\nCLIENT_SECRET = "{OPAQUE[0]}"\n\n'
           f'[mcp_servers.github]\ncommand = "npx"\nargs = ["-y", "{PKG}"]\n')
    _write(home / ".config/goose/config.yaml",
           f"extensions:\n  neighbour:\n    cmd: x\n    envs:\n      TOKEN: {CANARY}\n"
           f"      PASSWORD: {OPAQUE[1]}\n  github:\n    cmd: npx\n    enabled: true\n")
    _write(home / ".continue/config.yaml",
           f"mcpServers:\n  - name: neighbour\n    command: x\n    apiKey: {OPAQUE[2]}\n"
           f"  - name: github\n    command: npx\n    env:\n      GITHUB_TOKEN: {CANARY}\n")
    _write(home / ".cursor/mcp.json", _json({"mcpServers": {
        "neighbour": {"url": "https://x.example/mcp", "headers": {
            "Authorization": f"Bearer {CANARY}", "X-Api-Key": OPAQUE[3]}},
        "github": _server()}}))
    args = ["run", "compromised-server", "--server", "github", "--yes", "--offline"]
    code, out = _run(capsys, *args, *(["--dry-run"] if dry_run else []))
    assert code in (0, 1), out
    assert "@@" in out or dry_run is False  # the dry run really showed diffs
    written = [p for p in (sandbox / "state").rglob("*")
               if p.is_file() and "backups" not in p.parts]
    assert written
    for leak in (CANARY, *OPAQUE):
        assert leak not in out
        for path in written:
            assert leak.encode() not in path.read_bytes(), path
    code, out = _run(capsys, "servers", "--json")
    assert CANARY not in out
