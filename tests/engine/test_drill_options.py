"""`responder drill` options (--fault), and `responder checklist --run` after a drill."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from responder.cli.app import main
from responder.core.errors import BadInput, ExitCode
from responder.engine import drill
from responder.engine.context import Timing
from responder.engine.drill import Fault, run_drill

TOKENS = ("ghp_DRILLenvTOKEN0001DRILLenvTOKEN0001DR", "ghp_DRILLliteralTOKEN2DRILLliteralTOKEN2",
          "ghp_RESPONDERbotTOKEN3RESPONDERbotTOKEN3")
# The drill's own waits, shortened: a provider that answers 500 to everything is otherwise
# polled for the drill's whole verification backoff.
FAST = Timing(request_timeout=2.0, snapshot_budget=2.0, verify_backoff=(0.02, 0.05),
              read_retries=1, max_retry_after=0.05, lock_wait=0.5, recheck_after=0.05)


@pytest.fixture(autouse=True)
def fast_drill(monkeypatch):
    monkeypatch.setattr(drill, "DRILL_TIMING", FAST)


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


# -- Fault.parse ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["github", "github=", "=500", "github=abc", "github=5xx",
                                  "github=-1", "github=500ms", "github=TIMEOUT", "", "=",
                                  "github:500"])
def test_a_malformed_fault_is_bad_input_with_a_hint(text):
    with pytest.raises(BadInput) as caught:
        Fault.parse(text)
    error = caught.value
    assert error.exit_code == ExitCode.BAD_INPUT
    assert repr(text) in error.message and "PROVIDER=STATUS" in error.message
    assert error.hint and "--fault slack=429" in error.hint


@pytest.mark.parametrize(("text", "expected"), [
    ("github=500", Fault("github", 500)),
    ("Slack=429", Fault("slack", 429)),
    (" gitlab =503", Fault("gitlab", 503)),
    ("openai=timeout", Fault("openai", None)),
    ("anthropic=529", Fault("anthropic", 529)),
])
def test_a_fault_parses(text, expected):
    assert Fault.parse(text) == expected


@pytest.mark.parametrize("text", ["github=0", "github=42", "github=1000"])
def test_a_status_outside_http_is_bad_input(text):
    with pytest.raises(BadInput):
        Fault.parse(text)


def test_a_fault_for_a_provider_the_scenario_does_not_simulate_is_bad_input(sandbox):
    with pytest.raises(BadInput) as caught:
        run_drill("compromised-server", "default", faults=(Fault("slack", 500),))
    assert "'slack'" in caught.value.message and "does not simulate" in caught.value.message
    assert caught.value.hint == "simulated here: github, npm, oci, pypi, web"
    assert not (sandbox / "state" / "drills").exists()  # nothing was laid out


def test_the_cli_turns_fault_errors_into_exit_2(capsys, sandbox):
    code, out, err = run(capsys, "drill", "--fault", "slack=500")
    assert code == 2 and "does not simulate" in err and "hint: simulated here: github" in err
    code, out, err = run(capsys, "drill", "--fault", "github=soon")
    assert code == 2 and "is not PROVIDER=STATUS" in err and "Traceback" not in out + err
    assert not (sandbox / "state" / "runs").exists()


# -- a drill with GitHub failing --------------------------------------------------------------

@pytest.fixture
def failed_drill(capsys):
    code, out, err = run(capsys, "drill", "--fault", "github=500", "--json")
    return code, json.loads(out), out + err


def test_drill_with_github_answering_500(failed_drill):
    code, envelope, printed = failed_drill
    steps = {s["id"]: s for s in envelope["steps"]}
    assert code == 1 and envelope["status"] == "failed"
    assert steps["contain"]["status"] == "ok"  # containment does not depend on GitHub
    tokens = {c["id"]: c["redacted"] for c in steps["inventory"]["outputs"]["credentials"]}
    assert len(tokens) == 2
    revoke, verify = steps["revoke"], steps["verify"]
    assert sorted(revoke["outputs"]["unknown"]) == sorted(tokens)
    assert revoke["outputs"]["submitted"] == []
    assert sorted(verify["outputs"]["unconfirmed"]) == sorted(tokens)
    assert verify["status"] == "failed" and verify["outputs"]["dead"] == []
    assert all("REVOCATION UNCONFIRMED" in change for change in verify["changes"])
    for redacted in tokens.values():
        for step in (revoke, verify):
            assert any(redacted in m and "https://github.com/settings/tokens" in m
                       for m in step["manual"]), (step["id"], redacted)
    left = [m["text"] for m in envelope["manual_steps"]]
    assert any("https://github.com/settings/tokens" in text for text in left)
    assert "Drill scorecard" in printed
    for token in TOKENS:
        assert token not in printed


def test_checklist_after_a_drill_lists_what_it_left(failed_drill, capsys):
    _, envelope, _ = failed_drill
    run_id = envelope["run_id"]
    code, out, err = run(capsys, "checklist", "compromised-server", "--run", run_id)
    assert code == 0, err
    assert f"## Left from run {run_id}" in out
    left_section = out.split(f"## Left from run {run_id}", 1)[1]
    items = [line for line in left_section.splitlines() if line.startswith("- [ ] ")]
    texts = {m["text"] for m in envelope["manual_steps"]}
    assert len(items) == len(texts)  # each once, though revoke and verify both name them
    for text in texts:
        assert any(line.startswith(f"- [ ] {text}") for line in items), text[:60]
    assert any("https://github.com/settings/tokens" in line for line in items)
    # A unique prefix of the run id is enough.
    assert run(capsys, "checklist", "compromised-server", "--run", run_id[:-3])[1] == out


def test_checklist_json_after_a_drill(failed_drill, capsys):
    _, envelope, _ = failed_drill
    run_id = envelope["run_id"]
    code, out, _ = run(capsys, "checklist", "compromised-server", "--run", run_id,
                       "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["run"]["run_id"] == run_id
    left = data["run"]["left"]
    assert left and all(item["done"] is False for item in left)
    assert {item["text"] for item in left} == {m["text"] for m in envelope["manual_steps"]}
    assert {item["step"] for item in left} >= {"revoke", "report"}


def test_checklist_of_an_unknown_run_is_exit_2_with_a_hint(failed_drill, capsys):
    code, out, err = run(capsys, "checklist", "compromised-server", "--run", "19990101-nope")
    assert code == 2 and out == ""
    assert "no single run matches '19990101-nope'" in err
    assert "hint: `responder runs list` shows run ids" in err
    assert failed_drill[1]["run_id"] in err  # the latest runs are named


def test_checklist_of_an_unknown_run_with_no_runs_at_all(capsys):
    code, _, err = run(capsys, "checklist", "compromised-server", "--run", "anything")
    assert code == 2 and "responder runs list" in err


def test_the_run_directory_has_a_private_checklist(failed_drill, capsys):
    _, envelope, _ = failed_drill
    path = Path(envelope["run_dir"]) / "checklist.md"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert f"## Left from run {envelope['run_id']}" in text
    for step in ("revoke", "verify"):
        for manual in next(s for s in envelope["steps"] if s["id"] == step)["manual"]:
            assert f"- [ ] {manual}" in text
    assert "- [ ] Review maintainer-report.md, then send it" in text
    for token in TOKENS:
        assert token not in text


def test_the_run_directorys_checklist_has_the_same_items_as_checklist_run(failed_drill,
                                                                          capsys):
    _, envelope, _ = failed_drill
    run_id = envelope["run_id"]
    _, out, _ = run(capsys, "checklist", "compromised-server", "--run", run_id)
    saved = (Path(envelope["run_dir"]) / "checklist.md").read_text()

    def left(text: str) -> list[str]:
        section = text.split(f"## Left from run {run_id}", 1)[1]
        return [line for line in section.splitlines() if line.startswith("- [ ] ")]

    assert left(saved) == left(out)


# -- --seed, --list and a scenario's own faults and timing -----------------------------------

def test_a_negative_seed_is_a_usage_error(capsys, sandbox):
    code, out, err = run(capsys, "drill", "--seed", "-1")
    assert code == 2 and "--seed" in err and "Traceback" not in out + err
    assert not (sandbox / "state").exists()


def test_list_for_a_playbook_without_scenarios_is_exit_2(capsys):
    code, out, err = run(capsys, "drill", "no-such-playbook", "--list")
    assert code == 2 and out == "" and "no drill scenarios for playbook 'no-such-playbook'" in err


def _with(monkeypatch, **data):
    base = drill.load_scenario("compromised-server", "one-client")
    changed = drill.Scenario(base.name, base.directory, {**base.data, **data})
    monkeypatch.setattr(drill, "load_scenario", lambda playbook, name: changed)


@pytest.mark.parametrize("fault", [{"status": 500}, {"provider": "github"},
                                   {"provider": "github", "status": "soon"}])
def test_a_scenario_fault_without_provider_or_status_is_bad_input(monkeypatch, sandbox, fault):
    _with(monkeypatch, faults=[fault])
    with pytest.raises(BadInput) as caught:
        run_drill("compromised-server", "one-client")
    assert "needs a provider and a status" in caught.value.message
    assert not (sandbox / "state" / "drills").exists()


def test_a_scenario_fault_for_an_unsimulated_provider_is_bad_input(monkeypatch, sandbox):
    _with(monkeypatch, faults=[{"provider": "slack", "status": 500}])
    with pytest.raises(BadInput) as caught:
        run_drill("compromised-server", "one-client")
    assert caught.value.message == ("the scenario's fault names 'slack', which scenario "
                                    "'one-client' does not simulate")


def test_an_unknown_timing_key_is_bad_input(monkeypatch, sandbox):
    _with(monkeypatch, timing={"request_timout": 1})
    with pytest.raises(BadInput) as caught:
        run_drill("compromised-server", "one-client")
    assert "unknown timing key 'request_timout'" in caught.value.message
    assert "request_timeout" in caught.value.hint


def test_a_scenario_fault_hits_only_its_path(monkeypatch, sandbox):
    _with(monkeypatch, faults=[{"provider": "github", "method": "POST",
                                "path": "/credentials/revoke", "status": 503}])
    drilled = run_drill("compromised-server", "one-client")
    statuses = {(r.method, r.path): r.status for _, r in drilled.fleet.requests()
                if _ == "github"}
    assert statuses[("POST", "/credentials/revoke")] == 503
    assert statuses[("GET", "/user")] in (200, 401)  # identity and proof still answer
    assert drilled.code == 1 and drilled.faults == (
        Fault("github", 503, "POST", "/credentials/revoke"),)
    assert drilled.scorecard.containment.reached and not drilled.scorecard.revocation.reached


@pytest.mark.parametrize("status", [200, 600, 42])
def test_a_scenario_fault_status_outside_errors_is_bad_input(monkeypatch, sandbox, status):
    _with(monkeypatch, faults=[{"provider": "github", "status": status}])
    with pytest.raises(BadInput) as caught:
        run_drill("compromised-server", "one-client")
    assert "(400-599 or timeout)" in caught.value.message


def test_a_bad_frozen_at_is_bad_input(monkeypatch, sandbox):
    _with(monkeypatch, frozen_at="next tuesday")
    with pytest.raises(BadInput) as caught:
        run_drill("compromised-server", "one-client", seed=1)
    assert "frozen_at 'next tuesday' is not an ISO 8601 time" in caught.value.message
    assert not (sandbox / "state" / "drills").exists()
    run_drill("compromised-server", "one-client")  # without a seed the clock is not frozen
