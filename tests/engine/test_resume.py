"""`responder runs resume`: what is restored, what runs again, what is never repeated, and the
refusals (a changed playbook, nothing left to do, an unknown --redo step)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from crash_driver import FAST
from scenario import ALL_TOKENS, ENV_TOKEN, LITERAL_TOKEN, make_incident

from responder.engine import journal
from responder.engine.session import ResumeRequest, RunRequest, execute, resume

DRIVER = Path(__file__).parents[1] / "crash_driver.py"


@pytest.fixture
def incident(tmp_path, monkeypatch, capsys):
    found = make_incident(tmp_path, monkeypatch, capsys)
    yield found
    found.sim.stop()


def _kill_at(incident, point: str) -> Path:
    done = subprocess.run([sys.executable, str(DRIVER), "github"],
                          env={**os.environ, "RESPONDER_CRASH_AT": point},
                          cwd=incident.workspace, capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    [run_dir] = incident.run_dirs()
    return run_dir


def _events(run_dir: Path, name: str) -> list[dict]:
    return [e for e in journal.read(run_dir / "journal.jsonl") if e.get("event") == name]


def _revoke_requests(incident) -> int:
    return sum(1 for r in incident.sim.requests
               if r.method == "POST" and r.path == "/credentials/revoke")


def test_resume_through_the_cli_restores_finished_steps_and_runs_the_rest(incident):
    run_dir = _kill_at(incident, "journal:step_finished#4")  # snapshot done, nothing revoked
    code, out, _ = incident.run("runs", "list")
    assert f"{run_dir.name}  compromised-server  server=github  live  interrupted" in out

    code, out, err = incident.run("runs", "resume", run_dir.name[:20], "--yes")
    assert code == 0, out + err
    assert "resuming (attempt 2)" in out
    for step in ("inventory", "contain", "stop", "snapshot"):
        assert f"{step}" in out and "(done in an earlier attempt)" in out
    assert [e["step"] for e in _events(run_dir, "step_restored")] == [
        "inventory", "contain", "stop", "snapshot"]
    # The steps the kill prevented ran now, once each, in the same run directory.
    finished = [e["id"] for e in _events(run_dir, "step_finished")]
    assert finished.count("revoke") == 1 and finished.count("inventory") == 1
    assert _revoke_requests(incident) == 1
    assert not incident.sim.state.token_is_live(ENV_TOKEN)
    assert not incident.sim.state.token_is_live(LITERAL_TOKEN)
    assert (run_dir / "report.md").is_file()
    assert "resumed run: the suspect tokens' pre-revocation capture" in out
    assert incident.run("runs", "list")[1].rstrip().endswith("live  ok")
    for token in ALL_TOKENS:
        assert token not in out + err
        assert token not in (run_dir / "journal.jsonl").read_text()


def test_envelope_of_a_resumed_run_names_the_attempt_and_the_restored_steps(incident):
    run_dir = _kill_at(incident, "journal:step_finished#2")
    code, result = resume(ResumeRequest(run_id=run_dir.name, assume_yes=True, timing=FAST,
                                        interactive=False))
    envelope = result.envelope()
    assert envelope["attempt"] == 2
    assert envelope["resumed_steps"] == ["inventory", "contain"]
    assert envelope["run_id"] == run_dir.name
    assert [s["id"] for s in envelope["steps"]][:3] == ["inventory", "contain", "stop"]
    # Its start is the first attempt's.
    assert envelope["started_at"] == _events(run_dir, "run_started")[0]["ts"]


def test_a_failed_run_resumes_without_revoking_again(incident):
    incident.sim.revoke_lag = 10_000  # the tokens keep working: verify fails
    code, first = execute(RunRequest(playbook="compromised-server", server="github",
                                     assume_yes=True, timing=FAST, interactive=False))
    assert int(code) == 1
    assert {s.id: s.result.status for s in first.steps}["verify"] == "failed"
    assert _revoke_requests(incident) == 1

    incident.sim.revoke_lag = 0  # revocation has propagated now
    code, second = resume(ResumeRequest(run_id=first.run_id, assume_yes=True, timing=FAST,
                                        interactive=False))
    statuses = {s.id: s.result.status for s in second.steps}
    assert int(code) == 0, statuses
    assert statuses["verify"] == "ok"
    # revoke finished in attempt 1: irreversible, so restored even though verify came first
    # among the undone steps... and no second request went out.
    assert "revoke" in second.resumed and "verify" not in second.resumed
    assert _revoke_requests(incident) == 1


def test_a_changed_playbook_is_refused_unless_forced(incident, tmp_path):
    source = Path(__file__).parents[2] / "playbooks" / "compromised-server.yaml"
    mine = tmp_path / "mine.yaml"
    mine.write_text(source.read_text().replace("rules: rules/compromised-server.yaml\n", ""))
    code, first = execute(RunRequest(playbook=str(mine), server="github", offline=True,
                                     timing=FAST, interactive=False))
    # Interrupt it after the fact: drop everything after contain.
    run_dir = Path(first.run_dir)
    lines = (run_dir / "journal.jsonl").read_text().splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if '"step_started"' in line
               and '"stop"' in line)
    (run_dir / "journal.jsonl").write_text("".join(lines[:cut]))
    mine.write_text(mine.read_text().replace("Stop the server's running processes",
                                             "Stop its processes"))

    code, out, err = incident.run("runs", "resume", first.run_id)
    assert code == 2
    assert "changed since the run started" in err and "--force" in err
    assert "Traceback" not in err
    assert len(_events(run_dir, "run_resumed")) == 0  # nothing was appended

    code, result = resume(ResumeRequest(run_id=first.run_id, force=True, timing=FAST,
                                        interactive=False))
    assert result.resumed == ["inventory", "contain"]
    assert [s.title for s in result.steps if s.id == "stop"] == ["Stop its processes"]


def test_a_journal_cut_mid_line_is_read_and_continued_on_a_fresh_line(incident):
    run_dir = _kill_at(incident, "journal:step_finished#3")
    path = run_dir / "journal.jsonl"
    with path.open("a") as handle:
        handle.write('{"ts": "2026-11-22T00:00:00+00:00", "event": "step_star')  # the cut
    code, result = resume(ResumeRequest(run_id=run_dir.name, assume_yes=True, timing=FAST,
                                        interactive=False))
    assert int(code) == 0
    assert result.resumed == ["inventory", "contain", "stop"]
    lines = path.read_text().splitlines()
    assert lines.count('{"ts": "2026-11-22T00:00:00+00:00", "event": "step_star') == 1
    broken = [line for line in lines if not _parses(line)]
    assert len(broken) == 1  # only the cut line; the resumed run's first event is whole
    assert json.loads(lines[lines.index(broken[0]) + 1])["event"] == "run_resumed"


def _parses(line: str) -> bool:
    try:
        json.loads(line)
    except json.JSONDecodeError:
        return False
    return True


def test_a_run_with_nothing_left_is_not_resumed(incident):
    code, first = execute(RunRequest(playbook="compromised-server", server="github",
                                     offline=True, timing=FAST, interactive=False))
    code, out, err = incident.run("runs", "resume", first.run_id)
    assert code == 2 and "nothing left to do" in err


def test_an_unknown_redo_step_is_bad_input(incident):
    run_dir = _kill_at(incident, "journal:step_finished#1")
    code, out, err = incident.run("runs", "resume", run_dir.name, "--redo", "revokee")
    assert code == 2 and "no such step" in err and "revoke" in err


def test_an_unknown_run_is_bad_input(incident):
    code, out, err = incident.run("runs", "resume", "nope")
    assert code == 2 and "no single run matches" in err


def test_an_interrupted_submit_is_not_sent_again_without_redo(incident):
    """maintainer.submit journals nothing per request: after a kill inside it, whether the
    disclosure went out is unknown, so resume leaves it to a person unless --redo submit."""
    code, first = execute(RunRequest(playbook="compromised-server", server="github",
                                     submit=True, assume_yes=True, timing=FAST,
                                     interactive=False))
    run_dir = Path(first.run_dir)
    path = run_dir / "journal.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if '"step_started"' in line
               and '"step": "submit"' in line)
    path.write_text("".join(lines[:cut + 1]))  # killed while submit ran

    code, second = resume(ResumeRequest(run_id=first.run_id, assume_yes=True, timing=FAST,
                                        interactive=False))
    submit = next(s for s in second.steps if s.id == "submit")
    assert submit.result.status == "failed"
    assert submit.result.outputs["outcome_unknown"] is True
    assert any("--redo submit" in text for text in submit.result.manual)
    started = [e for e in _events(run_dir, "step_started") if e["step"] == "submit"]
    assert len(started) == 1  # not run again

    # A third attempt still does not send it (the unknown outcome is remembered) ...
    code, third = resume(ResumeRequest(run_id=first.run_id, assume_yes=True, timing=FAST,
                                       interactive=False))
    assert next(s for s in third.steps if s.id == "submit").result.outputs.get(
        "outcome_unknown") is True
    # ... until the user says so.
    code, fourth = resume(ResumeRequest(run_id=first.run_id, redo=["submit"], assume_yes=True,
                                        timing=FAST, interactive=False))
    started = [e for e in _events(run_dir, "step_started") if e["step"] == "submit"]
    assert len(started) == 2


def test_a_run_still_in_progress_is_not_resumed_beside_it(incident):
    from responder.engine.runlock import holding

    run_dir = _kill_at(incident, "journal:step_finished#1")
    with holding(run_dir):  # as the original process would, were it still running
        code, out, err = incident.run("runs", "resume", run_dir.name, "--yes")
    assert code == 2 and "in progress in another responder process" in err
    assert _events(run_dir, "run_resumed") == []
    assert _revoke_requests(incident) == 0
