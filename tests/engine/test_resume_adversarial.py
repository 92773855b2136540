"""`responder runs resume`, tried the hard way: real runs in their own processes, killed with
SIGKILL at named points (the resume too), in every mode, with the machine changed in between
(a variable unset, a config deleted, the configs restored), checked against docs/runs.md."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from crash_driver import FAST
from resume_helpers import killed
from scenario import ALL_TOKENS, ENV_TOKEN, LITERAL_TOKEN, make_incident

from responder.engine import journal, session
from responder.engine.session import ResumeRequest, RunRequest, execute, resume

CURSOR_TOKEN = "ghp_ADVERcursorTOKEN06ADVERcursorTOKEN06"
COPY_TOKEN = "ghp_ADVERcopyTOKEN0007ADVERcopyTOKEN0007"
FRESH_TOKEN = "ghp_ADVERfreshTOKEN08ADVERfreshTOKEN08XY"  # a replacement, set after the kill
SECRETS = (*ALL_TOKENS, CURSOR_TOKEN, COPY_TOKEN, FRESH_TOKEN)


@pytest.fixture
def incident(tmp_path, monkeypatch, capsys):
    def more_tokens(seed):
        seed["users"][0]["tokens"] += [{"value": CURSOR_TOKEN, "scopes": ["repo"]},
                                       {"value": COPY_TOKEN, "scopes": ["repo"]},
                                       {"value": FRESH_TOKEN, "scopes": ["repo"]}]

    found = make_incident(tmp_path, monkeypatch, capsys, seed_changes=more_tokens)
    # The CLI in this process waits like the crash driver does, not seconds per recheck.
    monkeypatch.setattr(session, "Timing", lambda: FAST)
    yield found
    found.sim.stop()


def _cursor(incident, servers: dict) -> Path:
    path = incident.home / ".cursor/mcp.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"mcpServers": servers}, indent=2))
    return path


GITHUB_SERVER = {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]}


def _events(run_dir: Path, name: str | None = None) -> list[dict]:
    found = journal.read(run_dir / "journal.jsonl")
    return [e for e in found if name is None or e.get("event") == name]


def _revocations(incident) -> dict[str, int]:
    counts: dict[str, int] = {}
    for request in incident.sim.requests:
        if request.method == "POST" and request.path == "/credentials/revoke":
            for value in (request.json or {}).get("credentials", []):
                counts[value] = counts.get(value, 0) + 1
    return counts


def _statuses(result) -> dict[str, str]:
    return {s.id: s.result.status for s in result.steps}


def _resume(run_id: str, **kwargs):
    kwargs.setdefault("assume_yes", True)
    return resume(ResumeRequest(run_id=run_id, timing=FAST, interactive=False, **kwargs))


def _tree(root: Path, skip: Path) -> dict[str, str]:
    """Every file under root (but not under skip) → its SHA-256: what a dry run must not touch."""
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and skip not in p.parents}


def _no_secrets(run_dir: Path, *texts: str) -> None:
    """No token in what was printed or in any file of the run but its backups of the originals
    (which hold the configs as they were, literal tokens included, by design)."""
    for path in run_dir.rglob("*"):
        if path.is_file() and "backups" not in path.relative_to(run_dir).parts:
            data = path.read_bytes()
            for token in SECRETS:
                assert token.encode() not in data, (path, token[:12])
    for text in texts:
        for token in SECRETS:
            assert token not in text, token[:12]



def test_a_killed_dry_run_resumes_as_a_dry_run_and_changes_nothing(incident):
    _cursor(incident, {"github": {**GITHUB_SERVER, "env": {
        "GITHUB_PERSONAL_ACCESS_TOKEN": CURSOR_TOKEN}}})
    before = _tree(incident.root / "box", incident.state)
    killed("run", {"server": "github", "dry_run": True}, "journal:step_finished#2",
           cwd=incident.workspace)
    [run_dir] = incident.run_dirs()
    code, out, err = incident.run("runs", "resume", run_dir.name, "--yes")  # --yes tempts it
    assert code == 0, out + err
    assert "DRY RUN" in out and "resuming (attempt 2)" in out
    assert incident.writing_requests() == []
    assert _revocations(incident) == {}
    assert all(incident.sim.state.token_is_live(t) for t in (ENV_TOKEN, LITERAL_TOKEN,
                                                             CURSOR_TOKEN))
    assert _tree(incident.root / "box", incident.state) == before
    assert not (run_dir / "backups" / "index.json").exists()
    finished = {e["id"]: e["status"] for e in _events(run_dir, "step_finished")}
    assert finished["contain"] == "planned" and finished["revoke"] == "planned"
    assert "dry-run" in incident.run("runs", "list")[1]
    _no_secrets(run_dir, out, err)


def test_a_killed_offline_run_resumes_offline_and_sends_nothing(incident):
    killed("run", {"server": "github", "offline": True, "assume_yes": True},
           "journal:step_finished#2", cwd=incident.workspace)
    [run_dir] = incident.run_dirs()
    code, result = _resume(run_dir.name)
    statuses = _statuses(result)
    assert result.resumed == ["inventory", "contain"]
    assert statuses["snapshot"] == "skipped" and statuses["revoke"] == "skipped", statuses
    assert incident.sim.requests == []  # --offline: nothing left the machine, on resume too
    assert not any("revoke" in e.get("event", "") for e in _events(run_dir))
    manual = next(s for s in result.steps if s.id == "revoke").result.manual
    assert manual, "each credential gets its manual revocation step"
    _no_secrets(run_dir)




def test_match_package_finds_a_removed_entry_of_another_name_in_the_backups(incident):
    """`--match package` also disables `gh-copy` (same package, another name); Cursor has no
    disable flag, so contain removed it. Killed right after, the resume must read its literal
    token from the run's backup of the original and revoke it, once."""
    cursor = _cursor(incident, {
        "gh-copy": {**GITHUB_SERVER, "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": COPY_TOKEN}},
        "notes": {"command": "uvx", "args": ["notes-mcp"]}})
    killed("run", {"server": "github", "match": "package", "assume_yes": True},
           "journal:step_finished#2", cwd=incident.workspace)
    assert "gh-copy" not in cursor.read_text() and "notes" in cursor.read_text()
    [run_dir] = incident.run_dirs()
    code, result = _resume(run_dir.name)
    assert int(code) == 0, _statuses(result)
    assert _revocations(incident) == {ENV_TOKEN: 1, LITERAL_TOKEN: 1, COPY_TOKEN: 1}
    assert not incident.sim.state.token_is_live(COPY_TOKEN)
    assert json.loads(cursor.read_text())["mcpServers"].keys() == {"notes"}
    _no_secrets(run_dir)


def _removed_entry_killed(incident, point: str) -> Path:
    """Cursor's `github` (removed by contain) passes one token from $GITHUB_TOKEN and one
    literally; the run is killed at `point`."""
    _cursor(incident, {"github": {**GITHUB_SERVER, "env": {
        "GITHUB_PERSONAL_ACCESS_TOKEN": "${env:GITHUB_TOKEN}", "BACKUP_TOKEN": CURSOR_TOKEN}}})
    killed("run", {"server": "github", "assume_yes": True}, point, cwd=incident.workspace)
    [run_dir] = incident.run_dirs()
    return run_dir


def test_removed_entry_with_its_variable_set_again_is_revoked_from_the_backup(incident):
    run_dir = _removed_entry_killed(incident, "journal:step_finished#2")
    code, out, err = incident.run("runs", "resume", run_dir.name, "--yes")
    assert code == 0, out + err
    assert _revocations(incident) == {ENV_TOKEN: 1, LITERAL_TOKEN: 1, CURSOR_TOKEN: 1}
    _no_secrets(run_dir, out, err)


def test_a_variable_gone_after_revoke_leaves_verify_unconfirmed_not_a_traceback(
        incident, monkeypatch):
    run_dir = _removed_entry_killed(incident, "journal:step_finished#5")  # revoke done
    monkeypatch.delenv("GITHUB_TOKEN")
    code, out, err = incident.run("runs", "resume", run_dir.name, "--yes")
    assert code == 1, out + err
    assert "Traceback" not in out + err and _events(run_dir, "internal_error") == []
    [verify] = [e for e in _events(run_dir, "step_finished") if e["id"] == "verify"]
    assert verify["status"] == "failed"
    assert [c for c in verify["changes"] if "REVOCATION UNCONFIRMED" in c]
    assert any(m.startswith("Check at its provider that ") for m in verify["manual"])
    assert _revocations(incident) == {ENV_TOKEN: 1, LITERAL_TOKEN: 1, CURSOR_TOKEN: 1}
    _no_secrets(run_dir, out, err)


def test_a_variable_gone_after_revoke_is_named_by_its_redacted_form(incident, monkeypatch):
    run_dir = _removed_entry_killed(incident, "journal:step_finished#5")
    monkeypatch.delenv("GITHUB_TOKEN")
    incident.run("runs", "resume", run_dir.name, "--yes")
    [verify] = [e for e in _events(run_dir, "step_finished") if e["id"] == "verify"]
    assert "Check at its provider that ghp_…01DR is revoked" in verify["manual"]


def test_a_variable_gone_before_revoke_gets_a_manual_step_and_verify_unconfirmed(
        incident, monkeypatch):
    run_dir = _removed_entry_killed(incident, "journal:step_finished#2")  # contained only
    monkeypatch.delenv("GITHUB_TOKEN")
    code, out, err = incident.run("runs", "resume", run_dir.name, "--yes")
    assert "Traceback" not in out + err and _events(run_dir, "internal_error") == []
    assert code == 1
    finished = {e["id"]: e for e in _events(run_dir, "step_finished")}
    assert finished["revoke"]["status"] == "failed"
    assert any("Revoke ghp_…01DR by hand" in m for m in finished["revoke"]["manual"])
    # The literal tokens (one only in the backup of the removed entry) were still revoked.
    assert _revocations(incident) == {LITERAL_TOKEN: 1, CURSOR_TOKEN: 1}
    assert incident.sim.state.token_is_live(ENV_TOKEN)
    _no_secrets(run_dir, out, err)
    assert finished["verify"]["status"] == "failed", finished["verify"]["changes"]
    assert any("ghp_…01DR" in c and "UNCONFIRMED" in c for c in finished["verify"]["changes"])


def test_two_kills_in_a_row_still_revoke_every_token_exactly_once(incident):
    _cursor(incident, {"github": {**GITHUB_SERVER, "env": {
        "GITHUB_PERSONAL_ACCESS_TOKEN": CURSOR_TOKEN}}})
    killed("run", {"server": "github", "assume_yes": True}, "journal:revoke_sending",
           cwd=incident.workspace)
    [run_dir] = incident.run_dirs()
    assert _revocations(incident) == {}
    # The resume finds the batch "sending", probes (alive: never arrived), sends it, and is
    # killed after GitHub accepted it but before the journal knows.
    killed("resume", {"run_id": run_dir.name, "assume_yes": True}, "revoke:sent",
           cwd=incident.workspace)
    assert _revocations(incident) == {ENV_TOKEN: 1, LITERAL_TOKEN: 1, CURSOR_TOKEN: 1}
    code, out, err = incident.run("runs", "resume", run_dir.name, "--yes", "--json")
    envelope = json.loads(out)
    assert code == 0, envelope
    assert envelope["attempt"] == 3
    assert envelope["resumed_steps"][:4] == ["inventory", "contain", "stop", "snapshot"]
    assert _revocations(incident) == {ENV_TOKEN: 1, LITERAL_TOKEN: 1, CURSOR_TOKEN: 1}
    assert {s["id"]: s["status"] for s in envelope["steps"]}["verify"] == "ok"
    assert len(_events(run_dir, "run_resumed")) == 2
    _no_secrets(run_dir, out, err)


def test_a_kill_during_verify_resumes_without_revoking_again(incident):
    killed("run", {"server": "github", "assume_yes": True}, "journal:step_started#6",
           cwd=incident.workspace)
    [run_dir] = incident.run_dirs()
    assert [e["step"] for e in _events(run_dir, "step_started")][-1] == "verify"
    code, result = _resume(run_dir.name)
    assert int(code) == 0, _statuses(result)
    assert "revoke" in result.resumed and "verify" not in result.resumed
    assert _revocations(incident) == {ENV_TOKEN: 1, LITERAL_TOKEN: 1}
    assert _statuses(result)["verify"] == "ok"


def test_a_refused_approval_on_resume_sends_nothing_then_yes_finishes(incident):
    killed("run", {"server": "github", "assume_yes": True}, "journal:step_finished#4",
           cwd=incident.workspace)
    [run_dir] = incident.run_dirs()
    code, out, err = incident.run("runs", "resume", run_dir.name)  # no --yes, no terminal
    assert code == 3, out + err
    assert _revocations(incident) == {}
    assert incident.writing_requests() == []
    assert incident.run("runs", "list")[1].rstrip().endswith("live  aborted")
    code, out, err = incident.run("runs", "resume", run_dir.name, "--yes")
    assert code == 0, out + err
    assert _revocations(incident) == {ENV_TOKEN: 1, LITERAL_TOKEN: 1}
    assert incident.run("runs", "list")[1].rstrip().endswith("live  ok")
    _no_secrets(run_dir, out, err)


def test_show_list_and_checklist_read_a_resumed_run(incident):
    killed("run", {"server": "github", "assume_yes": True}, "journal:step_finished#3",
           cwd=incident.workspace)
    [run_dir] = incident.run_dirs()
    code, out, err = incident.run("runs", "resume", run_dir.name[:22], "--yes")
    assert code == 0, out + err
    code, shown, err = incident.run("runs", "show", run_dir.name)
    assert code == 0 and "status=ok" in shown
    assert shown.count(" inventory") == 1 and shown.count(" revoke") == 1
    code, listed, _ = incident.run("runs", "list")
    assert listed.strip() == f"{run_dir.name}  compromised-server  server=github  live  ok"
    code, out, err = incident.run("checklist", "compromised-server", "--run", run_dir.name,
                                  "--format", "json")
    assert code == 0, err
    ticked = json.loads(out)
    text = json.dumps(ticked)
    for step in ("inventory", "contain", "revoke", "verify", "report"):
        assert step in text
    code, markdown, err = incident.run("checklist", "compromised-server", "--run",
                                       run_dir.name)
    assert code == 0, err
    assert "- [x]" in markdown and "not run yet" not in markdown
    _no_secrets(run_dir, shown, listed, out, markdown)


def test_a_config_deleted_after_contain_still_has_its_token_revoked(incident):
    killed("run", {"server": "github", "assume_yes": True}, "journal:step_finished#2",
           cwd=incident.workspace)
    [run_dir] = incident.run_dirs()
    incident.workspace_file.unlink()  # the user deletes the project config holding a literal
    code, result = _resume(run_dir.name)
    assert int(code) == 0, _statuses(result)
    assert _revocations(incident) == {ENV_TOKEN: 1, LITERAL_TOKEN: 1}
    assert not incident.workspace_file.exists()  # not recreated


def test_a_config_deleted_before_contain_is_a_clear_failure(incident):
    killed("run", {"server": "github", "assume_yes": True}, "journal:step_finished#1",
           cwd=incident.workspace)
    [run_dir] = incident.run_dirs()
    incident.workspace_file.unlink()
    code, out, err = incident.run("runs", "resume", run_dir.name, "--yes")
    assert code == 1 and "Traceback" not in out + err
    assert _events(run_dir, "internal_error") == []
    finished = {e["id"]: e for e in _events(run_dir, "step_finished")}
    # Its literal token was only in the deleted file (no edit, so no backup): a manual step.
    assert "Revoke ghp_…KEN2 by hand: its config entry or environment variable is gone, so " \
        "the resumed run could not read it again" in finished["revoke"]["manual"]
    assert _revocations(incident) == {ENV_TOKEN: 1}
    assert not incident.workspace_file.exists()  # not recreated
    assert "disabled" in json.loads(_strip_comments(incident.user_file.read_text()))[
        "mcpServers"]["github"]
    _no_secrets(run_dir, out, err)


def test_a_config_deleted_before_contain_counts_as_contained(incident):
    killed("run", {"server": "github", "assume_yes": True}, "journal:step_finished#1",
           cwd=incident.workspace)
    [run_dir] = incident.run_dirs()
    incident.workspace_file.unlink()
    _resume(run_dir.name)
    finished = {e["id"]: e for e in _events(run_dir, "step_finished")}
    assert finished["contain"]["status"] == "ok", finished["contain"]["error"]
    assert not any("by hand" in m for m in finished["contain"]["manual"])


def test_resume_after_restore_does_not_contain_again_and_recheck_says_so(incident):
    killed("run", {"server": "github", "assume_yes": True}, "journal:step_finished#3",
           cwd=incident.workspace)
    [run_dir] = incident.run_dirs()
    before = incident.user_file.read_text()
    code, out, err = incident.run("runs", "restore", run_dir.name)
    assert code == 0, out + err
    assert incident.user_file.read_text() != before
    enabled_again = incident.user_file.read_text()
    code, out, err = incident.run("runs", "resume", run_dir.name, "--yes")
    # docs/runs.md: a step finished before the first unfinished one is not run again, so
    # contain is restored and the configs stay as the user put them back ...
    assert "contain" in [e["step"] for e in _events(run_dir, "step_restored")]
    assert incident.user_file.read_text() == enabled_again
    assert _revocations(incident) == {ENV_TOKEN: 1, LITERAL_TOKEN: 1}
    # ... and the re-check says loudly that the server is enabled again, and why.
    assert code == 1
    [recheck] = [e for e in _events(run_dir, "step_finished") if e["id"] == "recheck"]
    assert recheck["status"] == "failed"
    assert any("put back by `responder runs restore`, so github is enabled there again"
               in f["message"] for f in recheck["findings"])
    assert not any("running client" in f["message"] for f in recheck["findings"])


def test_resume_from_another_directory_looks_at_the_run_s_workspace(incident, monkeypatch):
    killed("run", {"server": "github", "assume_yes": True}, "journal:step_finished#1",
           cwd=incident.workspace)
    [run_dir] = incident.run_dirs()
    monkeypatch.chdir(incident.root)
    code, result = _resume(run_dir.name)
    assert int(code) == 0, _statuses(result)
    assert _revocations(incident) == {ENV_TOKEN: 1, LITERAL_TOKEN: 1}
    workspace = json.loads(_strip_comments(incident.workspace_file.read_text()))
    assert workspace["mcpServers"]["github"]["disabled"] is True


def _strip_comments(text: str) -> str:
    """The Kiro fixtures are JSON with comments and trailing commas."""
    import re

    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"^\s*//.*$|\s//[^\"\n]*$", "", text, flags=re.M)
    return re.sub(r",(\s*[}\]])", r"\1", text)


def test_a_rotated_token_in_the_variable_is_never_revoked_by_the_resume(incident, monkeypatch):
    """Between the kill and the resume the user put a fresh token in $GITHUB_TOKEN. The resume
    must not revoke it (the run never found it); the old one gets a manual step."""
    killed("run", {"server": "github", "assume_yes": True}, "journal:step_finished#4",
           cwd=incident.workspace)
    [run_dir] = incident.run_dirs()
    monkeypatch.setenv("GITHUB_TOKEN", FRESH_TOKEN)
    code, result = _resume(run_dir.name)
    assert incident.sim.state.token_is_live(FRESH_TOKEN)
    assert _revocations(incident) == {LITERAL_TOKEN: 1}
    revoke = next(s for s in result.steps if s.id == "revoke")
    assert any(m.startswith("Revoke ghp_…01DR by hand") for m in revoke.result.manual)
    assert int(code) == 1
    _no_secrets(run_dir)


def test_a_resume_after_revocation_keeps_the_identities_and_the_flagged_activity(incident):
    claude = incident.home / ".claude.json"
    claude.write_text(json.dumps({"mcpServers": {"github": {**GITHUB_SERVER, "env": {
        "GITHUB_PERSONAL_ACCESS_TOKEN": COPY_TOKEN}}}}, indent=2))
    lock = incident.home / ".claude.json.lock"  # Claude Code is writing it: contain fails there
    lock.mkdir()
    (lock / "held").write_text("")
    code, first = execute(RunRequest(playbook="compromised-server", server="github",
                                     assume_yes=True, timing=FAST, interactive=False))
    assert _statuses(first)["contain"] == "failed" and _statuses(first)["revoke"] == "ok"
    report = Path(first.run_dir) / "report.md"
    assert "**Activity:** 9 item(s) flagged" in report.read_text()
    (lock / "held").unlink()
    lock.rmdir()

    code, second = _resume(first.run_id)
    assert _statuses(second)["contain"] == "ok"
    assert _revocations(incident) == {ENV_TOKEN: 1, LITERAL_TOKEN: 1, COPY_TOKEN: 1}
    assert "**Activity:** 9 item(s) flagged" in report.read_text()
    snapshot = next(s for s in second.steps if s.id == "snapshot")
    assert snapshot.result.outputs["identities"]


def test_a_resume_ending_in_bad_input_is_listed_as_bad_input(incident):
    killed("run", {"server": "github", "assume_yes": True}, "journal:run_started",
           cwd=incident.workspace)
    [run_dir] = incident.run_dirs()
    incident.workspace_file.unlink()
    incident.user_file.unlink()  # the user removed the server everywhere by hand
    code, out, err = incident.run("runs", "resume", run_dir.name, "--yes")
    assert code == 2 and "no MCP server named 'github'" in err and "Traceback" not in err
    assert incident.run("runs", "list")[1].rstrip().endswith("live  bad_input")
