"""The drill scorecard as data (responder/engine/scorecard.py), from hand-made run results: each
milestone reached or not and why, the step groups, the evidence count, and what a real run
would additionally need, read from the real environment."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from responder.actions.base import Finding, StepResult
from responder.cli.scorecard import render
from responder.credentials.patterns import KINDS, PREFIXES
from responder.engine import scorecard
from responder.engine.result import RunResult, StepRecord
from responder.providers.admin import ADMIN_VARIABLES

GH = {"id": "sha256:gh", "redacted": "ghp_…AAAA", "provider": "github",
      "kind": "personal access token (classic)", "well_formed": True,
      "origins": [{"variable": "GITHUB_TOKEN", "literal": False}]}
OPENAI = {"id": "sha256:oa", "redacted": "sk-proj-…BBBB", "provider": "openai",
          "kind": "project API key", "well_formed": True, "origins": [{"literal": True}]}
STRIPE = {"id": "sha256:st", "redacted": "sk_live_…CCCC", "provider": "stripe",
          "kind": "secret key", "well_formed": True, "origins": [{"literal": True}]}


def step(id_: str, kind: str, status: str = "ok", ms: int = 10, **result: Any) -> StepRecord:
    return StepRecord(id_, id_, id_, kind, "read", StepResult(status=status, **result), ms)


def run_result(tmp_path: Path, steps: list[StepRecord]) -> RunResult:
    run_dir = tmp_path / "run"
    (run_dir / "evidence").mkdir(parents=True, exist_ok=True)
    return RunResult("r1", "compromised-server", "x", str(run_dir), False, "t0", steps=steps)


def inventory(credentials: list[dict], *, unparsed: list[dict] | None = None,
              targets: int = 2) -> StepRecord:
    return step("inventory", "clients.inventory", ms=30, outputs={
        "credentials": credentials, "unparsed": unparsed or [],
        "targets": [{"path": f"/box/c{n}.json", "name": "s"} for n in range(targets)]})


def contain(status: str = "ok", **outputs: Any) -> StepRecord:
    return step("contain", "clients.disable", status, ms=20, outputs={
        "disabled": ["/box/c0.json", "/box/c1.json"], "already_disabled": [], "failed": [],
        "manual": [], **outputs})


def steps_for(credentials: list[dict], dead: list[str], **revoke: list[str]) -> list[StepRecord]:
    buckets = {"submitted": [], "failed": [], "unknown": [], "manual": [], **revoke}
    unconfirmed = [c["id"] for c in credentials if c["id"] not in dead
                   and c["id"] not in buckets["manual"] + buckets["failed"]]
    return [inventory(credentials), contain(),
            step("stop", "processes.stop", "skipped", ms=1,
                 error="running processes not looked at: this run examines the files under "
                       "/box, not this host"),
            step("revoke", "tokens.revoke", ms=100, outputs=buckets),
            step("verify", "tokens.verify", "failed" if unconfirmed else "ok", ms=200,
                 outputs={"dead": dead, "unconfirmed": unconfirmed}),
            step("review", "activity.review", ms=50, outputs={"flagged": [
                {"severity": "critical"}, {"severity": "high"}, {"severity": "critical"}]},
                findings=[Finding("medium", "gap"), Finding("low", "pin")]),
            step("reissue", "manual", "manual", ms=0, manual=["do it"])]


def compute(result: RunResult, env: dict[str, str] | None = None,
            scenario_env: dict[str, str] | None = None) -> scorecard.Scorecard:
    return scorecard.compute(result, scenario_env=scenario_env or {"GITHUB_TOKEN": "x"},
                             real_env=env or {})


def test_both_milestones_reached_measure_from_the_run_start(tmp_path):
    card = compute(run_result(tmp_path, steps_for([GH], dead=["sha256:gh"],
                                                  submitted=["sha256:gh"])))
    assert card.containment == scorecard.Milestone(
        True, 50, "switched off in all 2 config file(s) that define it; 2 file(s) written")
    # inventory 30 + contain 20 + stop 1 + revoke 100 + verify 200
    assert card.revocation == scorecard.Milestone(True, 351, "1 of 1 credential(s) proven dead")
    assert card.total_ms == 401
    assert dict(card.steps) == {"done": ("inventory", "contain", "revoke", "verify", "review"),
                                "failed": (), "manual": ("reissue",), "skipped": ("stop",)}
    assert card.findings == {"medium": 1, "low": 1}
    assert card.flagged == {"critical": 2, "high": 1}
    assert card.left_manual == 1


def test_revocation_not_reached_counts_each_reason(tmp_path):
    creds = [GH, OPENAI, STRIPE]
    card = compute(run_result(tmp_path, steps_for(creds, dead=[], unknown=["sha256:gh"],
                                                  failed=["sha256:oa"],
                                                  manual=["sha256:st"])))
    revocation = card.revocation
    assert not revocation.reached and revocation.ms is None
    assert revocation.detail == ("not reached: 3 of 3 unconfirmed (1 revocation unconfirmed, "
                                 "1 revocation failed, 1 no revocation API with what the run "
                                 "has)")
    assert [(p["credential"], p["provider"]) for p in revocation.pending] == [
        ("ghp_…AAAA", "github"), ("sk-proj-…BBBB", "openai"), ("sk_live_…CCCC", "stripe")]


def test_a_malformed_credential_is_never_called_api_less(tmp_path):
    odd = {**GH, "well_formed": False}
    card = compute(run_result(tmp_path, steps_for([odd], dead=[], manual=["sha256:gh"])))
    assert card.revocation.pending[0]["why"].startswith("malformed: never sent")
    assert not [n for n in card.needs if n.what == "manual:github"]


def test_no_credential_is_not_applicable(tmp_path):
    card = compute(run_result(tmp_path, steps_for([], dead=[])))
    assert not card.revocation.reached
    assert card.revocation.detail.startswith("not applicable")


@pytest.mark.parametrize(("change", "expected"), [
    ({"failed": ["/box/c1.json: locked by the client"]}, "/box/c1.json: locked by the client"),
    ({"manual": ["Disable it in the app's settings"]}, "Disable it in the app's settings"),
])
def test_containment_not_reached_when_a_config_was_not_switched_off(tmp_path, change, expected):
    steps = steps_for([GH], dead=["sha256:gh"])
    steps[1] = contain("failed" if "failed" in change else "ok", **change)
    card = compute(run_result(tmp_path, steps))
    assert not card.containment.reached and card.containment.ms is None
    assert [p["why"] for p in card.containment.pending] == [expected]


def test_containment_not_reached_with_a_config_that_did_not_parse(tmp_path):
    steps = steps_for([GH], dead=["sha256:gh"])
    steps[0] = inventory([GH], unparsed=[{"path": "/box/w.json", "where": "/box/w.json:5:7",
                                          "error": "expected ','"}])
    card = compute(run_result(tmp_path, steps))
    assert card.containment.detail == ("not reached: switched off in 2 of 3 config file(s); "
                                       "1 problem(s) left, listed below")
    assert card.containment.pending[0]["config"] == "/box/w.json"
    assert card.containment.pending[0]["why"].startswith("/box/w.json:5:7: expected ','")


def test_containment_not_reached_when_a_config_came_back(tmp_path):
    steps = steps_for([GH], dead=["sha256:gh"])
    steps.insert(5, step("recheck", "clients.recheck", "failed",
                         outputs={"reverted": ["/box/c0.json"]}))
    card = compute(run_result(tmp_path, steps))
    assert [p["config"] for p in card.containment.pending] == ["/box/c0.json"]


def test_a_playbook_without_the_steps_says_so(tmp_path):
    card = compute(run_result(tmp_path, [step("x", "report.draft")]))
    assert card.containment.detail == "not reached: the playbook has no clients.disable step"
    assert card.revocation.detail.startswith("not applicable")


def test_evidence_is_counted_from_the_manifest_and_checked(tmp_path):
    result = run_result(tmp_path, steps_for([GH], dead=["sha256:gh"]))
    evidence = Path(result.run_dir) / "evidence"
    lines = []
    for name, body in (("a.json", "{}\n"), ("b.json", '{"x": 1}\n')):
        (evidence / name).write_text(body)
        lines += [f"# t GET /{name}", f"{hashlib.sha256(body.encode()).hexdigest()}  {name}"]
    (evidence / "MANIFEST.sha256").write_text("\n".join(lines) + "\n")
    (evidence / "manifest.jsonl").write_text("")
    (evidence / "stray.txt").write_text("?")
    card = compute(result)
    assert (card.evidence.files, card.evidence.bytes) == (2, 3 + 9)
    assert card.evidence.intact and card.evidence.unlisted == 1
    (evidence / "a.json").write_text("[]\n")  # edited after capture
    assert not compute(result).evidence.intact


def test_needs_come_from_the_real_environment(tmp_path):
    result = run_result(tmp_path, steps_for([GH, OPENAI, STRIPE], dead=["sha256:gh"],
                                            submitted=["sha256:gh"], manual=["sha256:oa",
                                                                             "sha256:st"]))
    missing = {n.what: n for n in compute(result).needs}
    assert missing["RESPONDER_OPENAI_ADMIN_KEY"].state == "missing"
    assert ADMIN_VARIABLES["RESPONDER_OPENAI_ADMIN_KEY"] in \
        missing["RESPONDER_OPENAI_ADMIN_KEY"].detail
    assert "sk-proj-…BBBB" in missing["RESPONDER_OPENAI_ADMIN_KEY"].detail
    assert missing["RESPONDER_GITHUB_TOKEN"].state == "missing"
    assert missing["GITHUB_TOKEN"].state == "missing"
    assert "RESPONDER_ANTHROPIC_ADMIN_KEY" not in missing  # no Anthropic key in this run
    assert missing["manual:stripe"].state == "manual"
    assert "manual:openai" in missing  # no admin key here: the drill left it manual too
    assert missing["network"].detail.startswith("HTTPS access to api.github.com, "
                                                "api.openai.com")
    assert "processes" in missing and missing["manual:steps"].detail.endswith(": reissue")
    secret = "sk-admin-" + "Z" * 40
    given = {n.what: n for n in compute(result, env={
        "RESPONDER_OPENAI_ADMIN_KEY": secret, "RESPONDER_GITHUB_TOKEN": "ghp_x",
        "GITHUB_TOKEN": "ghp_y"}).needs}
    assert {given[w].state for w in ("RESPONDER_OPENAI_ADMIN_KEY", "RESPONDER_GITHUB_TOKEN",
                                     "GITHUB_TOKEN")} == {"set"}
    assert secret not in json.dumps([n.as_dict() for n in given.values()])
    # A variable the scenario did not set is the user's own business, not the drill's.
    other = {n.what for n in compute(result, scenario_env={"NPM_TOKEN": "x"}).needs}
    assert "GITHUB_TOKEN" not in other


def test_the_admin_table_names_documented_variables_and_real_kinds():
    kinds = {(k.provider, k.kind) for k in KINDS} | {(p, k) for _, p, k in PREFIXES}
    for (provider, kind), names in scorecard._ADMIN_NEEDED.items():
        assert set(names) <= set(ADMIN_VARIABLES), names
        assert (provider, kind) in kinds, (provider, kind)


def test_the_scorecard_is_json_and_renders(tmp_path):
    card = compute(run_result(tmp_path, steps_for([GH, STRIPE], dead=["sha256:gh"],
                                                  manual=["sha256:st"])))
    data = json.loads(json.dumps(card.as_dict()))
    assert data["steps"]["skipped"] == {"count": 1, "ids": ["stop"]}
    assert data["time_to_revocation"]["reached"] is False
    text = "\n".join(render(card))
    assert "time to containment (all configs disabled): 50 ms" in text
    assert "not reached: 1 of 2 unconfirmed (1 no revocation API" in text
    assert "      - sk_live_…CCCC (stripe): no revocation API" in text
    assert "✗ missing RESPONDER_GITHUB_TOKEN" in text
    assert "☐ manual stripe: no revocation API for secret key sk_live_…CCCC" in text
    assert "findings: 1 medium, 1 low" in text and "flagged activity: 2 critical, 1 high" in text


def test_scrubbed_masks_every_free_text_the_run_supplied(tmp_path):
    from responder.core.secrets import SecretRegistry

    leaked = "ghp_" + "L" * 36
    steps = steps_for([GH], dead=["sha256:gh"])
    steps[0] = inventory([GH], unparsed=[{"path": "/box/w.yaml", "where": "/box/w.yaml:2:1",
                                          "error": f"cannot parse {leaked!r}"}])
    registry = SecretRegistry()
    registry.add(leaked)
    card = scorecard.scrubbed(compute(run_result(tmp_path, steps)), registry.scrub)
    text = json.dumps(card.as_dict()) + "\n".join(render(card))
    assert leaked not in text and "/box/w.yaml:2:1: cannot parse" in text


def test_a_drill_knows_every_secret_its_scenario_planted():
    from responder.engine.drill import load_scenario, planted_secrets

    default = planted_secrets(load_scenario("compromised-server", "default"))
    for value in ("ghp_DRILLenvTOKEN0001DRILLenvTOKEN0001DR",  # env
                  "ghp_RESPONDERbotTOKEN3RESPONDERbotTOKEN3",  # env and seed
                  "ghp_DRILLliteralTOKEN2DRILLliteralTOKEN2",  # written in a config
                  "ghp_CANARYunusedTOKEN4CANARYunusedTOKEN4"):  # another server's, in a config
        assert value not in default.scrub(f"x {value} y"), value
    fails = planted_secrets(load_scenario("compromised-server", "provider-fails"))
    assert "FAILSslackBot3" not in fails.scrub(
        "xoxb-1234567890-1234567890123-FAILSslackBot3FAILSslack")
