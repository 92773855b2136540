"""Every embedded drill scenario through the CLI, with real outcomes: configs in the sandbox
switched off the way each client honours, the exit code, a scorecard whose numbers agree with
the run, and no scenario value in anything printed or written. Then `--seed`: two drills with
the same seed write the same reports and journal events."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from ruamel.yaml import YAML

from responder.cli.app import main
from responder.clients import jsonc
from responder.engine import drill
from responder.engine.drill import FROZEN_AT, load_scenario, run_drill, scenario_names

PLAYBOOK = "compromised-server"
SCENARIOS = ("default", "one-client", "many-clients", "many-providers", "provider-fails",
             "bad-config")


class Drilled:
    """One drill through the CLI: its exit code, printed text, --json document and DrillRun."""

    def __init__(self, code: int, out: str, err: str, run: drill.DrillRun):
        self.code, self.out, self.err, self.run = code, out, err, run
        self.document = json.loads(out)
        self.steps = {s["id"]: s for s in self.document["steps"]}
        self.card = self.document["drill"]["scorecard"]
        self.sandbox = run.sandbox
        self.run_dir = Path(self.document["run_dir"])


@pytest.fixture
def drilled(capsys, monkeypatch):
    def go(scenario: str, *args: str) -> Drilled:
        runs: list[drill.DrillRun] = []
        original = drill.run_drill

        def keep(*a: Any, **k: Any) -> drill.DrillRun:
            runs.append(original(*a, **k))
            return runs[-1]

        monkeypatch.setattr(drill, "run_drill", keep)
        code = main(["drill", PLAYBOOK, "--scenario", scenario, "--json", *args])
        printed = capsys.readouterr()
        monkeypatch.setattr(drill, "run_drill", original)
        assert runs, printed.err[-2000:]
        return Drilled(code, printed.out, printed.err, runs[0])
    return go


def _yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text())


def _jsonc(path: Path) -> Any:
    return jsonc.to_python(jsonc.parse(path.read_text()).root)


def secrets_of(scenario: str) -> dict[str, str]:
    """Every secret value a scenario plants (value → where): its environment, every seeded
    token, and every token written literally in a config it lays out."""
    data = load_scenario(PLAYBOOK, scenario).data
    found = {str(v): f"env {k}" for k, v in (data.get("env") or {}).items()}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if "value" in node and where.endswith("tokens"):
                found.setdefault(str(node["value"]), where)
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, where)

    walk({"github": data.get("github"), "providers": data.get("providers")}, "seed")
    loaded = load_scenario(PLAYBOOK, scenario)
    for item in data.get("files", []):  # values written literally in a config (canaries too)
        text = (loaded.directory / item["source"]).read_text()
        for match in re.finditer(r"\b(?:ghp_|glpat-|xox[bp]-)[A-Za-z0-9-]{20,}", text):
            found.setdefault(match.group(0), f"{item['source']} literal")
    return found


def literal_in_configs(scenario: str, value: str) -> bool:
    loaded = load_scenario(PLAYBOOK, scenario)
    return any(value in (loaded.directory / f["source"]).read_text()
               for f in loaded.data.get("files", []))


def assert_no_secret_anywhere(result: Drilled, scenario: str) -> None:
    """No planted value in stdout, stderr or any file of the run. Backups are the original
    bytes of the edited configs (restore writes them back), so a value the user's own file held
    literally is there by design; a value that only the environment held is not."""
    printed = result.out + result.err
    files = [p for p in result.run_dir.rglob("*") if p.is_file()]
    assert any(p.name == "scorecard.json" for p in files)
    for value, label in secrets_of(scenario).items():
        for shown in (value, value[4:-4]):
            assert shown not in printed, (label, "printed")
        for path in files:
            text = path.read_text(errors="replace")
            if "backups" in path.parts and literal_in_configs(scenario, value):
                continue
            assert value not in text, (label, str(path.relative_to(result.run_dir)))


def assert_scorecard_agrees(result: Drilled) -> None:
    """The scorecard's numbers, recomputed from the envelope's own steps."""
    steps, card = result.document["steps"], result.card
    groups = {"ok": "done", "failed": "failed", "manual": "manual", "skipped": "skipped"}
    for status, group in groups.items():
        ids = [s["id"] for s in steps if s["status"] == status]
        assert card["steps"][group] == {"count": len(ids), "ids": ids}, group
    elapsed, ends = 0, {}
    for step in steps:
        elapsed += step["duration_ms"]
        ends[step["id"]] = elapsed
    assert card["total_ms"] == elapsed
    containment, revocation = card["time_to_containment"], card["time_to_revocation"]
    assert containment["ms"] == (ends["contain"] if containment["reached"] else None)
    assert revocation["ms"] == (ends["verify"] if revocation["reached"] else None)
    credentials = result.steps["inventory"]["outputs"]["credentials"]
    dead = result.steps["verify"]["outputs"].get("dead", [])
    assert revocation["reached"] == (bool(credentials) and len(dead) == len(credentials))
    assert len(revocation["pending"]) == len(credentials) - len(dead)
    manifest = (result.run_dir / "evidence" / "MANIFEST.sha256").read_text().splitlines()
    listed = [line.split("  ", 1)[1] for line in manifest if line and not line.startswith("#")]
    evidence = card["evidence"]
    assert evidence["files"] == len(listed) and evidence["intact"] is True
    assert evidence["bytes"] == sum((result.run_dir / "evidence" / n).stat().st_size
                                    for n in listed)
    severities = Counter(f["severity"] for s in steps for f in s["findings"])
    assert card["findings"] == {k: v for k, v in severities.items() if v}
    assert card["exit_code"] == result.code == result.document["exit_code"]
    saved = json.loads((result.run_dir / "scorecard.json").read_text())
    assert saved == card
    assert "Drill scorecard" in result.err and f"exit {result.code}" in result.err


def test_every_scenario_is_listed_with_its_description(capsys):
    assert set(scenario_names(PLAYBOOK)) == set(SCENARIOS)
    assert main(["drill", "--list"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("default ")
    for name in SCENARIOS:
        description = load_scenario(PLAYBOOK, name).description
        assert description and any(line.split()[0] == name and line.endswith(description)
                                   for line in lines), name


def test_an_unknown_scenario_names_every_scenario(capsys, sandbox):
    assert main(["drill", "--scenario", "nope"]) == 2
    err = capsys.readouterr().err
    assert "no drill scenario 'nope'" in err and "responder drill --list" in err
    for name in SCENARIOS:
        assert name in err
    assert not (sandbox / "state" / "drills").exists()


# -- the default drill ------------------------------------------------------------------------

def test_default(drilled):
    result = drilled("default")
    assert result.code == 0, result.err[-3000:]
    for path in ("home/.kiro/settings/mcp.json", "projects/webapp/.kiro/settings/mcp.json"):
        entry = _jsonc(result.sandbox / path)["mcpServers"]["github"]
        assert entry["disabled"] is True and "autoApprove" not in entry, path
    card = result.card
    assert card["time_to_revocation"]["detail"] == "2 of 2 credential(s) proven dead"
    assert card["flagged_activity"] == {"critical": 5, "high": 2, "medium": 2}
    needs = {n["what"]: n["state"] for n in card["real_run_needs"]}
    assert needs["GITHUB_TOKEN"] == "missing" and needs["RESPONDER_GITHUB_TOKEN"] == "missing"
    assert_scorecard_agrees(result)
    assert_no_secret_anywhere(result, "default")


# -- one client -------------------------------------------------------------------------------

def test_one_client(drilled):
    result = drilled("one-client")
    assert result.code == 0, result.err[-3000:]
    cursor = json.loads((result.sandbox / "home" / ".cursor" / "mcp.json").read_text())
    assert list(cursor["mcpServers"]) == ["context7"]  # Cursor has no flag: the entry goes
    [token] = [v for v, where in secrets_of("one-client").items()
               if where == "env GITHUB_PERSONAL_ACCESS_TOKEN"]
    assert not result.run.fleet["github"].state.token_is_live(token)
    card = result.card
    assert card["time_to_containment"]["reached"] and card["time_to_revocation"]["reached"]
    assert card["time_to_revocation"]["detail"] == "1 of 1 credential(s) proven dead"
    assert card["flagged_activity"] == {"critical": 2}  # the SSH key and the webhook
    needs = {n["what"]: n["state"] for n in card["real_run_needs"]}
    # Not in this test's environment: a real run here would miss both.
    assert needs["RESPONDER_GITHUB_TOKEN"] == "missing"
    assert needs["GITHUB_PERSONAL_ACCESS_TOKEN"] == "missing"
    assert_scorecard_agrees(result)
    assert_no_secret_anywhere(result, "one-client")


def test_the_needs_read_the_real_environment_never_printing_it(drilled, monkeypatch):
    real = "ghp_" + "R" * 36
    monkeypatch.setenv("RESPONDER_GITHUB_TOKEN", real)
    monkeypatch.setenv("GITHUB_PERSONAL_ACCESS_TOKEN", real)
    result = drilled("one-client")
    needs = {n["what"]: n["state"] for n in result.card["real_run_needs"]}
    assert needs["RESPONDER_GITHUB_TOKEN"] == "set"
    assert needs["GITHUB_PERSONAL_ACCESS_TOKEN"] == "set"
    assert "✓ set RESPONDER_GITHUB_TOKEN" in result.err
    # The real value never reaches the sandboxed run (it would have reviewed with it).
    review = result.steps["review"]["changes"][0]
    assert "set RESPONDER_GITHUB_TOKEN to re-check" in review
    printed = result.out + result.err
    assert real not in printed and real[4:-4] not in printed
    assert not any(real in p.read_text(errors="replace")
                   for p in result.run_dir.rglob("*") if p.is_file())


# -- many clients -----------------------------------------------------------------------------

def test_many_clients_each_switched_off_the_way_it_honours(drilled):
    result = drilled("many-clients")
    assert result.code == 0, result.err[-3000:]
    home, project = result.sandbox / "home", result.sandbox / "projects" / "app"
    inventory = result.steps["inventory"]["outputs"]
    assert {t["client"] for t in inventory["targets"]} == {
        "cursor", "vscode", "codex", "goose", "zed", "gemini-cli", "continue", "claude-code"}
    assert len(inventory["credentials"]) == 1  # one token, handed over eight ways
    # JSON, no flag: removed.
    assert list(json.loads((home / ".cursor" / "mcp.json").read_text())["mcpServers"]) == [
        "context7"]
    # JSONC (comments, trailing commas), schema forbids a flag: removed, comments kept.
    vscode_path = home / ".config" / "Code" / "User" / "mcp.json"
    assert list(_jsonc(vscode_path)["servers"]) == ["fetch"]
    assert "// VS Code user MCP servers" in vscode_path.read_text()
    # TOML: enabled = false, the auto-approval gone, the other server untouched.
    codex = tomlkit.parse((home / ".codex" / "config.toml").read_text())
    assert codex["mcp_servers"]["github"]["enabled"] is False
    assert "default_tools_approval_mode" not in codex["mcp_servers"]["github"]
    assert "enabled" not in codex["mcp_servers"]["memory"]
    # YAML (goose): enabled: false.
    goose = _yaml(home / ".config" / "goose" / "config.yaml")["extensions"]
    assert goose["github"]["enabled"] is False and goose["developer"]["enabled"] is True
    # JSONC (zed): "enabled": false in context_servers.
    zed = _jsonc(home / ".config" / "zed" / "settings.json")["context_servers"]
    assert zed["github"]["enabled"] is False and zed["postgres"]["enabled"] is True
    # Gemini CLI: the enablement store, as `gemini mcp disable` writes it; trust removed.
    assert json.loads((home / ".gemini" / "mcp-server-enablement.json").read_text()) == {
        "github": {"enabled": False}}
    assert "trust" not in _jsonc(home / ".gemini" / "settings.json")["mcpServers"]["github"]
    # YAML (continue), no flag: the list item removed.
    items = _yaml(home / ".continue" / "config.yaml")["mcpServers"]
    assert [i["name"] for i in items] == ["filesystem"]
    # Claude Code project file: removed, and listed so a `git pull` cannot bring it back.
    assert json.loads((project / ".mcp.json").read_text())["mcpServers"] == {}
    settings = json.loads((project / ".claude" / "settings.local.json").read_text())
    assert settings["disabledMcpjsonServers"] == ["github"]
    card = result.card
    assert card["time_to_containment"]["reached"]
    assert card["time_to_containment"]["detail"].startswith(
        "switched off in all 8 config file(s) that define it; 10 file(s) written")
    assert_scorecard_agrees(result)
    assert_no_secret_anywhere(result, "many-clients")


# -- many providers ---------------------------------------------------------------------------

def test_many_providers_scorecard_names_admin_keys_and_manual_providers(drilled):
    result = drilled("many-providers")
    assert result.code == 0, result.err[-3000:]
    card = result.card
    revocation = card["time_to_revocation"]
    assert not revocation["reached"] and revocation["detail"].startswith(
        "not reached: 7 of 20 unconfirmed (7 no revocation API")
    assert {p["provider"] for p in revocation["pending"]} == {
        "aws", "stripe", "notion", "linear", "sentry", "huggingface", "unknown"}
    needs = {n["what"]: n for n in card["real_run_needs"]}
    # The drill set the admin keys in its sandbox; this environment has none.
    assert needs["RESPONDER_OPENAI_ADMIN_KEY"]["state"] == "missing"
    assert "sk-proj-…" in needs["RESPONDER_OPENAI_ADMIN_KEY"]["detail"]
    assert needs["RESPONDER_ANTHROPIC_ADMIN_KEY"]["state"] == "missing"
    assert {"GITHUB_TOKEN", "NPM_TOKEN"} <= set(needs)
    assert {w for w in needs if w.startswith("manual:")} == {
        "manual:aws", "manual:stripe", "manual:notion", "manual:linear", "manual:sentry",
        "manual:huggingface", "manual:unknown", "manual:steps"}
    assert all(h in needs["network"]["detail"] for h in ("api.github.com", "slack.com"))
    assert_scorecard_agrees(result)


# -- a provider that fails --------------------------------------------------------------------

def test_provider_fails(drilled):
    result = drilled("provider-fails")
    assert result.code == 1, result.err[-3000:]
    steps = result.steps
    assert steps["contain"]["status"] == "ok"  # containment needs no provider
    cursor = json.loads((result.sandbox / "home" / ".cursor" / "mcp.json").read_text())
    assert cursor["mcpServers"] == {}
    assert steps["revoke"]["status"] == "failed" and steps["verify"]["status"] == "failed"
    revoke = steps["revoke"]["outputs"]
    credentials = {c["provider"]: c for c in steps["inventory"]["outputs"]["credentials"]}
    assert set(credentials) == {"github", "gitlab", "slack"}
    assert revoke["failed"] == [credentials["gitlab"]["id"]]  # 429: refused, certain
    assert sorted(revoke["unknown"]) == sorted([credentials["github"]["id"],  # 500
                                                credentials["slack"]["id"]])  # timeout
    changes = "\n".join(steps["revoke"]["changes"])
    assert "answered 500" in changes and "429" in changes and "timed out" in changes
    manual = "\n".join(steps["revoke"]["manual"])
    for credential in credentials.values():  # every token has its exact fallback
        assert credential["redacted"] in manual
    fleet = result.run.fleet
    tokens = {c["provider"]: v for c in credentials.values()
              for v in secrets_of("provider-fails") if c["redacted"][-4:] == v[-4:]}
    assert fleet["github"].state.token_is_live(tokens["github"])  # nothing was revoked
    assert fleet["gitlab"].tokens.is_active(tokens["gitlab"])
    assert fleet["slack"].tokens.is_active(tokens["slack"])
    card = result.card
    assert card["time_to_containment"]["reached"]
    revocation = card["time_to_revocation"]
    assert (revocation["reached"], revocation["ms"]) == (False, None)
    assert revocation["detail"] == ("not reached: 3 of 3 unconfirmed (2 revocation unconfirmed, "
                                    "1 revocation failed)")
    assert sorted((p["provider"], p["credential"], p["why"].split(":")[0])
                  for p in revocation["pending"]) == [
        ("github", credentials["github"]["redacted"], "revocation unconfirmed"),
        ("gitlab", credentials["gitlab"]["redacted"], "revocation failed"),
        ("slack", credentials["slack"]["redacted"], "revocation unconfirmed")]
    assert card["steps"]["failed"] == {"count": 2, "ids": ["revoke", "verify"]}
    assert result.document["drill"]["faults"] == [
        "github answers 500 on POST /credentials/revoke",
        "gitlab answers 429 on DELETE /api/v4/personal_access_tokens/self",
        "slack answers nothing (timeout) on * /api/auth.revoke"]
    assert_scorecard_agrees(result)
    assert_no_secret_anywhere(result, "provider-fails")


# -- a config that does not parse -------------------------------------------------------------

def test_bad_config(drilled):
    result = drilled("bad-config")
    assert result.code == 2, result.err[-3000:]
    scenario = load_scenario(PLAYBOOK, "bad-config")
    broken = result.sandbox / "home" / ".codeium" / "windsurf" / "mcp_config.json"
    assert broken.read_bytes() == (scenario.directory / "windsurf-mcp-config.json").read_bytes()
    kiro = json.loads((result.sandbox / "home" / ".kiro" / "settings" / "mcp.json").read_text())
    assert kiro["mcpServers"]["github"]["disabled"] is True
    assert "autoApprove" not in kiro["mcpServers"]["github"]
    cursor = json.loads((result.sandbox / "home" / ".cursor" / "mcp.json").read_text())
    assert cursor["mcpServers"] == {}
    assert [e.split(": ")[0] for e in result.document["input_errors"]] == [f"{broken}:5:7"]
    assert f"{broken}:5:7: expected ',' or '}}'" in result.err
    assert result.steps["verify"]["status"] == "ok"  # the token is still revoked
    containment = result.card["time_to_containment"]
    assert containment["reached"] is False and containment["ms"] is None
    assert containment["detail"] == ("not reached: switched off in 2 of 3 config file(s); "
                                     "1 problem(s) left, listed below")
    assert [p["config"] for p in containment["pending"]] == [str(broken)]
    assert "it may still enable the server" in containment["pending"][0]["why"]
    assert result.card["time_to_revocation"]["reached"]
    assert_scorecard_agrees(result)
    assert_no_secret_anywhere(result, "bad-config")


# -- --seed and the frozen clock --------------------------------------------------------------

def _journal_events(run_dir: Path) -> list[str]:
    """The journal without what is measured: step durations and the wall-clock time an edit
    was written (the re-check waits on it)."""
    text = (run_dir / "journal.jsonl").read_text()
    return re.sub(r'"(duration_ms|written_at)": [0-9.]+', r'"\1": 0', text).splitlines()


@pytest.mark.parametrize("scenario", ["default", "one-client", "provider-fails"])
def test_two_drills_with_one_seed_write_the_same_reports(drilled, sandbox, scenario):
    first = drilled(scenario, "--seed", "42")
    kept = {name: (first.run_dir / name).read_bytes()
            for name in ("report.md", "maintainer-report.md", "checklist.md")}
    events = _journal_events(first.run_dir)
    second = drilled(scenario, "--seed", "42")
    assert second.run_dir == first.run_dir and second.sandbox == first.sandbox
    assert second.document["run_id"] == first.document["run_id"]
    assert first.document["run_id"].startswith(f"{FROZEN_AT:%Y%m%dT%H%M%SZ}-{PLAYBOOK}-")
    assert second.sandbox == (sandbox / "state" / "drills"
                              / f"{FROZEN_AT:%Y%m%dT%H%M%SZ}-{scenario}-seed42")
    for name, data in kept.items():
        assert (second.run_dir / name).read_bytes() == data, name
    again = _journal_events(second.run_dir)
    # The second run replaced the first one's directory: its journal is its own, not appended.
    assert sum('"event": "run_started"' in line for line in again) == 1
    # Concurrent provider calls journal in whichever order they finish; the events are equal.
    assert Counter(again) == Counter(events)
    if scenario == "one-client":
        assert again == events  # one provider: the very same sequence
    # The frozen clock: every journal line and the window start from it.
    assert all(json.loads(line)["ts"] == FROZEN_AT.isoformat() for line in again)
    assert second.document["started_at"] == FROZEN_AT.isoformat()
    assert second.document["drill"]["seed"] == 42


def test_seeds_and_scenarios_keep_their_runs_apart(sandbox):
    one = run_drill(PLAYBOOK, "one-client", seed=1)
    other_seed = run_drill(PLAYBOOK, "one-client", seed=2)
    other_scenario = run_drill(PLAYBOOK, "bad-config", seed=1)
    ids = {one.result.run_id, other_seed.result.run_id, other_scenario.result.run_id}
    assert len(ids) == 3
    assert all(Path(r.result.run_dir).is_dir() for r in (one, other_seed, other_scenario))
    # Without a seed the drill runs now, with a fresh id, as before.
    live = run_drill(PLAYBOOK, "one-client")
    assert live.result.run_id not in ids and live.seed is None
    assert live.result.started_at != FROZEN_AT.isoformat()


def test_a_seeded_drill_never_replaces_what_it_did_not_make(sandbox):
    from responder.core.errors import BadInput

    name = f"{FROZEN_AT:%Y%m%dT%H%M%SZ}-one-client-seed9"
    foreign = sandbox / "state" / "drills" / name
    foreign.mkdir(parents=True)
    (foreign / "keep.txt").write_text("someone's")
    with pytest.raises(BadInput) as caught:
        run_drill(PLAYBOOK, "one-client", seed=9)
    assert "is not a seeded drill's sandbox" in caught.value.message
    assert (foreign / "keep.txt").read_text() == "someone's"
    (foreign / "keep.txt").unlink()
    foreign.rmdir()
    # A run directory by the seeded id that the drill's mark does not name: left alone too.
    run_id = drill.seeded_run_id(FROZEN_AT, PLAYBOOK, "one-client", 9)
    other = sandbox / "state" / "runs" / run_id
    other.mkdir(parents=True)
    (other / "journal.jsonl").write_text("{}\n")
    with pytest.raises(BadInput) as caught:
        run_drill(PLAYBOOK, "one-client", seed=9)
    assert "is not this seeded drill's" in caught.value.message
    assert (other / "journal.jsonl").read_text() == "{}\n"


def test_a_scenario_can_freeze_the_clock_elsewhere(sandbox, monkeypatch):
    scenario = load_scenario(PLAYBOOK, "one-client")
    moved = drill.Scenario(scenario.name, scenario.directory,
                           {**scenario.data, "frozen_at": "2025-06-01T12:00:00Z"})
    monkeypatch.setattr(drill, "load_scenario", lambda playbook, name: moved)
    result = run_drill(PLAYBOOK, "one-client", seed=3)
    assert result.result.started_at == "2025-06-01T12:00:00+00:00"
    assert result.result.run_id.startswith("20250601T120000Z-")
    # Relative seed times ("-2h") count from the frozen instant: the key is still flagged.
    review = next(s for s in result.result.steps if s.id == "review")
    assert [f["at"] for f in review.result.outputs["flagged"]] == [
        "2025-06-01T10:00:00+00:00", "2025-06-01T10:00:00+00:00"]


# -- a bug found on the way, left for its owner -----------------------------------------------

def test_concurrent_first_uses_of_the_evidence_store_share_one_store(monkeypatch):
    from responder.core.secrets import SecretRegistry
    from responder.engine import context
    from responder.engine.loader import load
    from responder.engine.output import Output
    from responder.engine.session import RunRequest, build_context

    slow = context.EvidenceStore

    class Slow(slow):  # widens the window between the check and the assignment
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            time.sleep(0.05)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(context, "EvidenceStore", Slow)
    registry = SecretRegistry()
    loaded = load(PLAYBOOK)
    ctx = build_context(loaded, RunRequest(playbook=PLAYBOOK, interactive=False), {},
                        registry, Output(registry))
    stores: list[Any] = []
    threads = [threading.Thread(target=lambda: stores.append(ctx.evidence)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(s) for s in stores}) == 1
