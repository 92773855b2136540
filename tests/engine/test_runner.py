"""The runner's contract: approvals, on_error, dry-run planning, the journal."""

from __future__ import annotations

import json

import pytest
from scenario import ENV_TOKEN, make_incident

from responder.engine.output import Output
from responder.engine.session import RunRequest, execute


@pytest.fixture
def incident(sandbox, monkeypatch, capsys):
    made = make_incident(sandbox, monkeypatch, capsys)
    yield made
    made.sim.stop()


def _run(**kwargs):
    return execute(RunRequest(playbook="compromised-server", server="github", **kwargs))


def test_declined_prompt_sends_nothing_and_exits_3(incident, monkeypatch):
    asked = []
    monkeypatch.setattr(Output, "ask", lambda self, q: asked.append(q) or False)
    code, result = _run(interactive=True)
    assert int(code) == 3 and asked and "cannot be undone" in asked[0]
    assert incident.sim.state.token_is_live(ENV_TOKEN)
    revoke = next(s for s in result.steps if s.id == "revoke")
    assert revoke.result.status == "refused"


def test_accepted_prompt_revokes(incident, monkeypatch):
    monkeypatch.setattr(Output, "ask", lambda self, q: True)
    code, _ = _run(interactive=True)
    assert int(code) == 0
    assert not incident.sim.state.token_is_live(ENV_TOKEN)
    journal = (incident.run_dirs()[0] / "journal.jsonl").read_text().splitlines()
    approvals = [json.loads(line) for line in journal if '"approval"' in line]
    assert approvals[0]["granted"] is True and approvals[0]["how"] == "prompt"


def test_journal_lines_are_ordered_and_redacted(incident):
    _run(assume_yes=True)
    lines = (incident.run_dirs()[0] / "journal.jsonl").read_text().splitlines()
    events = [json.loads(line)["event"] for line in lines]
    assert events[0] == "run_started" and events[-1] == "run_finished"
    started = [json.loads(line)["step"] for line in lines if '"step_started"' in line]
    assert started[:6] == ["inventory", "contain", "stop", "snapshot", "revoke", "verify"]
    assert all(ENV_TOKEN not in line for line in lines)


def test_a_journal_cut_mid_line_is_still_read(incident):
    from responder.engine import journal

    _run(assume_yes=True)
    path = incident.run_dirs()[0] / "journal.jsonl"
    complete = len(journal.read(path))
    with path.open("a") as handle:
        handle.write('{"ts": "2026-01-01", "event": "step_sta')
    assert len(journal.read(path)) == complete


def test_on_error_stop_skips_the_rest(incident, tmp_path):
    playbook = tmp_path / "stop.yaml"
    playbook.write_text(
        "format: 1\nid: stop-test\ntitle: T\ninputs:\n  server: {type: string, required: true}\n"
        "steps:\n"
        "  - id: inventory\n    title: I\n    uses: clients.inventory\n"
        "    with: {server: '{{ inputs.server }}'}\n"
        "  - id: verify\n    title: V\n    uses: tokens.verify\n"
        "    with: {credentials: ['sha256:doesnotexist']}\n"
        "  - id: after\n    title: A\n    manual: never reached\n"
    )
    code, result = execute(RunRequest(playbook=str(playbook), server="github"))
    assert int(code) == 1
    assert [s.result.status for s in result.steps] == ["ok", "failed", "skipped"]


def test_missing_required_input_is_bad_input(incident):
    from responder.core.errors import BadInput

    with pytest.raises(BadInput, match="needs --server"):
        execute(RunRequest(playbook="compromised-server"))
