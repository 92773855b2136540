"""`responder run compromised-server` end to end: real Kiro files, PyGithub on the simulator."""

from __future__ import annotations

import json
import os
import stat

import pytest
from scenario import (
    ALL_TOKENS,
    CANARY,
    ENV_TOKEN,
    LITERAL_TOKEN,
    make_incident,
)

from responder.activity.evidence import verify_manifest
from responder.clients.base import ConfigFile
from responder.clients.kiro import KiroAdapter


@pytest.fixture
def incident(sandbox, monkeypatch, capsys):
    made = make_incident(sandbox, monkeypatch, capsys)
    yield made
    made.sim.stop()


def _parse(path, scope="user"):
    return KiroAdapter().parse(ConfigFile("kiro", scope, path), path.read_bytes().decode())


def _entry(path, name, scope="user"):
    return next(e for e in _parse(path, scope) if e.name == name)


def test_dry_run_changes_nothing_and_shows_the_plan(incident):
    before = {p: p.read_bytes() for p in (incident.user_file, incident.workspace_file)}
    code, out, err = incident.run("run", "compromised-server", "--server", "github", "--dry-run")
    assert code == 0, out + err
    assert {p: p.read_bytes() for p in before} == before
    assert incident.writing_requests() == []
    # the exact diff and the exact request, with secrets redacted
    assert '-      "disabled": false,' in out
    assert '+      "disabled": true' in out
    assert "POST " + incident.sim.base_url + "/credentials/revoke (no Authorization header)" in out
    assert '"credentials": ["ghp_…01DR", "ghp_…KEN2"]' in out
    assert all(t not in out + err for t in ALL_TOKENS)
    # nothing outside the run's own directory: no backups were made, tokens all still live
    run_dir = incident.run_dirs()[0]
    assert not (run_dir / "backups").exists()
    assert incident.sim.state.token_is_live(ENV_TOKEN)
    journal = [json.loads(line) for line in (run_dir / "journal.jsonl").read_text().splitlines()]
    assert journal[0]["event"] == "run_started" and journal[0]["dry_run"] is True


def test_real_run_contains_revokes_verifies_reviews_and_reports(incident):
    user_before = incident.user_file.read_text()
    os.chmod(incident.user_file, 0o644)
    code, envelope = incident.run_json("run", "compromised-server", "--server", "github",
                                       "--yes")
    assert code == 0, json.dumps(envelope, indent=1)[:3000]
    assert envelope["schema"] == "responder.run-result/1"
    statuses = {s["id"]: s["status"] for s in envelope["steps"]}
    assert statuses == {
        "inventory": "ok", "contain": "ok", "stop": "skipped", "recheck": "ok", "snapshot": "ok",
        "revoke": "ok", "verify": "ok",
        "review": "ok", "maintainer": "ok", "report": "ok", "submit": "skipped",
        "reissue": "manual", "client-logs": "manual",
        "provider-log": "manual",
    }

    # contained in both files, comments kept, other servers untouched, mode kept
    for path, scope in ((incident.user_file, "user"), (incident.workspace_file, "workspace")):
        entry = _entry(path, "github", scope)
        assert entry.disabled and entry.auto_approve == ()
    after = incident.user_file.read_text()
    assert "// the token comes from the shell" in after
    assert "/* the fetch server is unrelated to the incident */" in after
    assert "// project override" in incident.workspace_file.read_text()
    before_servers = {e.name: e.definition for e in KiroAdapter().parse(
        ConfigFile("kiro", "user", incident.user_file), user_before)}
    after_servers = {e.name: e.definition for e in _parse(incident.user_file)}
    assert after_servers["fetch"] == before_servers["fetch"]
    assert after_servers["docs"] == before_servers["docs"]
    assert stat.S_IMODE(incident.user_file.stat().st_mode) == 0o644

    # both tokens revoked in one unauthenticated request, after identity and before the probe
    sim = incident.sim
    assert not sim.state.token_is_live(ENV_TOKEN)
    assert not sim.state.token_is_live(LITERAL_TOKEN)
    revokes = [r for r in sim.requests if r.path == "/credentials/revoke"]
    assert len(revokes) == 1
    assert "authorization" not in revokes[0].headers
    assert sorted(revokes[0].json["credentials"]) == sorted([ENV_TOKEN, LITERAL_TOKEN])
    order = [(r.method, r.path, r.headers.get("authorization", "")) for r in sim.requests]
    revoke_at = order.index(("POST", "/credentials/revoke", ""))
    identity_calls = [i for i, (m, p, a) in enumerate(order) if p == "/user" and ENV_TOKEN in a]
    assert identity_calls[0] < revoke_at < identity_calls[-1]
    assert [r.status for r in sim.requests if r.path == "/user"
            and ENV_TOKEN in r.headers.get("authorization", "")][-1] == 401

    # the attack is flagged, the ordinary activity is not
    review = next(s for s in envelope["steps"] if s["id"] == "review")
    reasons = " | ".join(f["reason"] + " " + f["summary"] for f in review["outputs"]["flagged"])
    for expected in ("SSH key added", "webhook to exfil.attacker.example",
                     "read-write deploy key", "collaborator or member added",
                         "repository made public"):
        assert expected in reasons, reasons
    assert "ci.example.com" not in reasons and "work laptop" not in reasons
    assert "PushEvent" not in reasons

    # files of the run: report, disclosure, evidence with a manifest, 0600 in 0700
    run_dir = incident.run_dirs()[0]
    report = (run_dir / "report.md").read_text()
    assert "revoked, proven dead" in report and "exfil.attacker.example" in report
    assert "written literally in the config" in report
    disclosure = (run_dir / "maintainer-report.md").read_text()
    assert "@modelcontextprotocol/server-github" in disclosure
    for private in ("octo-dev", str(incident.home), "tester", "ghp_"):
        assert private not in disclosure
    assert verify_manifest(run_dir / "evidence") == []
    for path in run_dir.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path


def test_no_token_value_in_any_output(incident):
    """The canary test: every byte responder prints or writes, except config backups."""
    code, out, err = incident.run("run", "compromised-server", "--server", "github", "--yes")
    assert code == 0, out + err
    code2, out2, err2 = incident.run("run", "compromised-server", "--server", "github",
                                     "--dry-run", "--json")
    texts = {"stdout": out + out2, "stderr": err + err2}
    for path in incident.state.rglob("*"):
        if path.is_file():
            texts[str(path)] = path.read_bytes().decode("utf-8", "replace")
    for name, text in texts.items():
        for token in ALL_TOKENS:
            if token in text:
                # Backups of a config that held the literal token are the one allowed place.
                assert "/backups/" in name and token in (LITERAL_TOKEN, CANARY), (name, token)
    assert CANARY in (incident.home / ".kiro/settings/mcp.json").read_text()


def test_no_terminal_and_no_yes_refuses_to_revoke(incident):
    code, out, err = incident.run("run", "compromised-server", "--server", "github")
    assert code == 3
    assert "--yes" in out
    assert [r for r in incident.sim.requests if r.path == "/credentials/revoke"] == []
    assert incident.sim.state.token_is_live(ENV_TOKEN)
    # containment is not irreversible and did happen
    assert _entry(incident.user_file, "github").disabled


def test_unparseable_config_is_named_and_never_changed_while_others_are_contained(incident):
    broken = incident.workspace_file
    broken.write_text('{\n  "mcpServers": {\n    "github": {"command": "npx",\n')
    original = broken.read_bytes()
    code, out, err = incident.run("run", "compromised-server", "--server", "github", "--yes")
    assert code == 2
    assert f"{broken}:4:1" in out
    assert broken.read_bytes() == original
    assert _entry(incident.user_file, "github").disabled
    assert "Traceback" not in out + err


def test_unknown_server_lists_the_servers_found(incident):
    code, out, err = incident.run("run", "compromised-server", "--server", "gihtub", "--yes")
    assert code == 2
    assert "no MCP server named 'gihtub'" in err and "docs, fetch, github" in err
    assert incident.sim.requests == []


def test_unknown_playbook_lists_the_available_ones(incident):
    code, out, err = incident.run("run", "compromised-servre", "--server", "github")
    assert code == 2 and "did you mean 'compromised-server'" in err


def test_github_failing_revoke_keeps_containment_and_gives_the_manual_step(incident):
    incident.sim.faults.add(method="POST", path="/credentials/revoke", status=500, times=None)
    code, envelope = incident.run_json("run", "compromised-server", "--server", "github",
                                       "--yes")
    assert code == 1
    assert len([r for r in incident.sim.requests if r.path == "/credentials/revoke"]) == 1
    steps = {s["id"]: s for s in envelope["steps"]}
    # A 500 after sending may have landed: never re-sent, never called done; verify decides.
    assert steps["revoke"]["outputs"]["unknown"] and not steps["revoke"]["outputs"]["submitted"]
    assert steps["verify"]["status"] == "failed"
    assert steps["verify"]["outputs"]["unconfirmed"]
    assert any("https://github.com/settings/tokens" in m for m in steps["verify"]["manual"])
    assert steps["contain"]["status"] == "ok"
    assert _entry(incident.user_file, "github").disabled


def test_rate_limited_reads_are_retried(incident):
    incident.sim.faults.add(method="GET", path="/user", status=429, times=1, retry_after=0)
    code, envelope = incident.run_json("run", "compromised-server", "--server", "github",
                                       "--yes")
    assert code == 0
    # identities are captured concurrently, so the 429 is not necessarily recorded first
    statuses = [r.status for r in incident.sim.requests if r.path == "/user"]
    assert statuses.count(429) == 1 and statuses.count(200) >= 2


def test_unreachable_github_fails_clearly_after_containment(incident, monkeypatch):
    monkeypatch.setenv("RESPONDER_GITHUB_API_URL", "http://127.0.0.1:9")
    code, envelope = incident.run_json("run", "compromised-server", "--server", "github",
                                       "--yes")
    assert code == 1
    steps = {s["id"]: s for s in envelope["steps"]}
    assert steps["contain"]["status"] == "ok"
    assert steps["revoke"]["status"] == "failed"
    assert "unreachable" in " ".join(steps["revoke"]["changes"])


def test_restore_puts_the_original_files_back(incident):
    originals = {p: p.read_bytes() for p in (incident.user_file, incident.workspace_file)}
    code, _, _ = incident.run("run", "compromised-server", "--server", "github", "--yes")
    assert code == 0
    run_id = incident.run_dirs()[0].name
    code, out, _ = incident.run("runs", "restore", run_id)
    assert code == 0 and out.count("restored") == 2
    assert {p: p.read_bytes() for p in originals} == originals


def test_restore_refuses_to_clobber_a_later_edit(incident):
    code, _, _ = incident.run("run", "compromised-server", "--server", "github", "--yes")
    incident.user_file.write_text(incident.user_file.read_text() + "\n")
    run_id = incident.run_dirs()[0].name
    code, out, _ = incident.run("runs", "restore", run_id)
    assert code == 1 and "changed since" in out
