"""The thin CLI: help, checklist export, playbook commands, drill, runs, servers."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema

from responder.cli.app import main

REPO = Path(__file__).resolve().parents[2]


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_help_lists_every_command_and_the_exit_codes(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for word in ("run", "drill", "checklist", "servers", "playbooks", "runs", "Exit codes"):
        assert word in out


def test_usage_error_is_exit_2_without_traceback(capsys):
    code, out, err = run(capsys, "run", "compromised-server", "--bogus")
    assert code == 2 and "Traceback" not in out + err and "--bogus" in out + err


def test_checklist_markdown_and_json(capsys, tmp_path):
    code, out, _ = run(capsys, "checklist", "compromised-server")
    assert code == 0
    assert out.count("- [ ] ") == 14
    assert "## Revoke" in out and "irreversible" in out
    target = tmp_path / "c.json"
    code, _, _ = run(capsys, "checklist", "compromised-server", "--format", "json", "-o",
                     str(target))
    data = json.loads(target.read_text())
    assert data["schema"] == "responder.checklist/1"
    assert [i["id"] for p in data["phases"] for i in p["items"]][:3] == [
        "inventory", "contain", "stop"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_playbooks_commands(capsys, tmp_path):
    assert run(capsys, "playbooks", "list")[1].startswith("compromised-server")
    assert "tokens.revoke, irreversible" in run(capsys, "playbooks", "show",
                                                "compromised-server")[1]
    code, out, _ = run(capsys, "playbooks", "schema")
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\nid: x\ntitle: X\nsteps:\n  - id: a\n    title: A\n"
                   "    manual: do it\n    on_eror: continue\n")
    code, _, err = run(capsys, "playbooks", "validate", str(bad))
    assert code == 2 and f"{bad}:8:5" in err and "did you mean 'on_error'" in err
    shipped = REPO / "playbooks" / "compromised-server.yaml"
    assert run(capsys, "playbooks", "validate", str(shipped))[0] == 0


def test_drill_runs_the_real_playbook_in_a_sandbox(capsys, sandbox):
    code, out, err = run(capsys, "drill", "compromised-server", "--json")
    assert code == 0, err[-3000:]
    envelope = json.loads(out)
    assert envelope["status"] == "ok"
    assert "Drill scorecard" in err and "time to containment" in err
    review = next(s for s in envelope["steps"] if s["id"] == "review")
    assert sorted(f["rule"] for f in review["outputs"]["flagged"]) == sorted([
        "deploy-key-added-write", "workflow-changed", "repository-made-public", "ssh-key-added",
        "webhook-to-new-host", "force-push", "collaborator-added", "repository-cloned",
        "repository-created"])
    drills = list((sandbox / "state" / "drills").iterdir())
    config = drills[0] / "home" / ".kiro" / "settings" / "mcp.json"
    assert '"disabled": true' in config.read_text()
    assert "ghp_DRILL" not in out + err


def test_runs_list_and_show(capsys):
    run(capsys, "drill")
    code, out, _ = run(capsys, "runs", "list")
    assert code == 0 and "compromised-server" in out and "server=github" in out
    run_id = out.split()[0]
    code, out, _ = run(capsys, "runs", "show", run_id[:20])
    assert code == 0 and "ok       contain" in out


def test_servers_lists_without_secrets(capsys, sandbox):
    settings = sandbox / "home" / ".kiro" / "settings"
    settings.mkdir(parents=True)
    token = "ghp_" + "Q" * 36
    (settings / "mcp.json").write_text(json.dumps({"mcpServers": {
        "github": {"command": "npx", "args": ["-y", "gh", "--token", token]}}}))
    code, out, _ = run(capsys, "servers", "--json")
    data = json.loads(out)
    assert code == 0 and data["servers"][0]["name"] == "github"
    assert token not in out


def test_help_starts_without_heavy_imports():
    code = ("import sys; from responder.cli import app; "
            "print(sorted(m for m in ('github','httpx','jinja2','ruamel','pydantic','requests') "
            "if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"
