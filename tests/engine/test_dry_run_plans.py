"""Each write and irreversible action's plan is exactly what its apply() then does: the diff as
the file will read (only secrets masked), the processes and how they are stopped, and no request
shown that a real run would not send (nor one sent that was not shown)."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime

import pytest
from scenario import ENV_TOKEN, LITERAL_TOKEN, make_incident

from responder.actions.processes import StopProcesses
from responder.core.secrets import SecretRegistry
from responder.credentials.classify import masked_values
from responder.engine.drill import load_scenario
from responder.engine.loader import load
from responder.engine.output import Output
from responder.engine.session import RunRequest, build_context
from responder.sim.npm import NpmSimulator
from responder.sim.web import WebSimulator

REPORTS = "/repos/modelcontextprotocol/servers/security-advisories/reports"


def _journal(incident) -> list[dict]:
    """The latest run's journal (run ids of the same second sort by their random part)."""
    latest = max(incident.run_dirs(), key=lambda d: (d / "journal.jsonl").stat().st_mtime_ns)
    text = (latest / "journal.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def _planned(incident) -> dict[str, dict]:
    return {e["step"]: e for e in _journal(incident) if e["event"] == "step_planned"}


# -- clients.disable: the diff shown is the edit ------------------------------------------------

@pytest.mark.parametrize(("line", "masked"), [
    # an environment reference names where the token lives: shown as written
    ('"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}",', []),
    ('"API_KEY": "${env:OPENAI_API_KEY}"', []),
    ("api_key = $OPENAI_API_KEY", []),
    ("TOKEN=%GH_TOKEN%", []),
    # the scheme is not the secret; the credential after it is (JSON, TOML, YAML, escaped JSON)
    ('"Authorization": "Bearer int-NEIGHBOURsecret0001"', ["int-NEIGHBOURsecret0001"]),
    ('Authorization = "Basic dXNlcjpwYXNzd29yZA=="', ["dXNlcjpwYXNzd29yZA=="]),
    ("authorization: token int-NEIGHBOURsecret0002", ["int-NEIGHBOURsecret0002"]),
    ('"H": "{\\"Authorization\\": \\"Bearer int-NEIGHBOURsecret0003\\"}"',
     ["int-NEIGHBOURsecret0003"]),
    ('"Authorization": "Bearer ${GITHUB_TOKEN}"', []),
    # a literal value of a secret-looking key, and a default that may be a literal token
    ('"INTERNAL_API_SECRET": "int-NEIGHBOURsecret0004"', ["int-NEIGHBOURsecret0004"]),
    ('"GITHUB_TOKEN": "${GITHUB_TOKEN:-ghp_literalDefault0001}"',
     ["${GITHUB_TOKEN:-ghp_literalDefault0001"]),
    ("// the token comes from the shell", []),
])
def test_diff_masking_hides_values_not_references_or_scheme_words(line, masked):
    assert masked_values(f"     {line}\n") == masked


def _cursor_config(home):
    path = home / ".cursor/mcp.json"
    path.parent.mkdir(parents=True)
    path.write_text(
        '{\n  "mcpServers": {\n'
        '    "ops": {"command": "npx", "args": ["-y", "ops-mcp"]},\n'
        '    "docs": {"url": "https://docs.example.com/mcp",\n'
        '             "headers": {"Authorization": "Bearer int-NEIGHBOURsecret0005"}},\n'
        '    "other": {"command": "npx", "env": {"GITHUB_TOKEN": "${GITHUB_TOKEN}"}}\n'
        '  }\n}\n', encoding="utf-8")
    return path


def test_the_contain_diff_keeps_references_and_later_output_keeps_its_words(sandbox, capsys):
    from responder.cli.app import main

    path = _cursor_config(sandbox / "home")
    code = main(["run", "compromised-server", "--server", "ops", "--dry-run", "--offline"])
    out = capsys.readouterr().out
    assert code == 0, out
    diff = f"--- {path} (before)\n+++ {path} (after)\n@@ -1,6 +1,5 @@\n"
    assert diff + (' {\n   "mcpServers": {\n'
                   '-    "ops": {"command": "npx", "args": ["-y", "ops-mcp"]},\n'
                   '     "docs": {"url": "https://docs.example.com/mcp",\n'
                   '              "headers": {"Authorization": "Bearer …0005"}},\n'
                   '     "other": {"command": "npx", "env": {"GITHUB_TOKEN": "${GITHUB_TOKEN}"}}\n'
                   ) in "\n".join(row[4:] for row in out.splitlines()) + "\n"
    assert "int-NEIGHBOUR" not in out
    # Nothing but the secret was registered: the words stay readable in the rest of the run.
    state = sandbox / "state"
    text = "".join(p.read_text(encoding="utf-8") for p in state.rglob("*") if p.is_file())
    assert "int-NEIGHBOUR" not in text and "Bearer …0005" in text


# -- processes.stop: the operations say which process and how --------------------------------

SLEEPER = "import time; print('ready', flush=True); time.sleep(60)"


@pytest.mark.usefixtures("host_processes")
def test_the_stop_plan_names_each_process_and_how_it_is_stopped():
    args = ["-c", SLEEPER, f"--plan-marker-{uuid.uuid4().hex}", "--api-token=int-SECRETarg0001"]
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        secrets = SecretRegistry()
        ctx = build_context(load("compromised-server"),
                            RunRequest(playbook="compromised-server", interactive=False),
                            {"since": "7d"}, secrets, Output(secrets))
        entry = {"client": "kiro", "command": sys.executable, "args": args, "package": None}
        plan = StopProcesses().plan(ctx, StopProcesses.Inputs(entries=[entry], grace="2s"))
        (operation,) = plan.operations
        how = ("TerminateProcess" if sys.platform == "win32"
               else "SIGTERM, then SIGKILL if still running after 2s")
        assert operation.startswith(f"stop pid {proc.pid} (")
        assert f") with {how}: {sys.executable} -c " in operation
        assert "--api-token=…0001" in operation and "int-SECRETarg0001" not in operation
        assert proc.poll() is None  # planning stops nothing
    finally:
        proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()


# -- maintainer.submit: no request shown that would not be sent -------------------------------

@pytest.fixture
def incident(sandbox, monkeypatch, capsys, request):
    """The default incident with its registry: the repository takes private reports."""
    made = make_incident(sandbox, monkeypatch, capsys,
                         responder_token=getattr(request, "param", True))
    npm = NpmSimulator.from_seed(load_scenario("compromised-server", "default")
                                 .data["providers"]["npm"], now=datetime.now(UTC))
    web = WebSimulator.from_seed({"sites": {}})
    npm.start()
    web.start()
    monkeypatch.setenv("RESPONDER_NPM_API_URL", npm.api_url)
    monkeypatch.setenv("RESPONDER_HOST_MAP", f"*={web.base_url}")
    yield made
    npm.stop()
    web.stop()
    made.sim.stop()


@pytest.mark.parametrize("incident", [False], indirect=True, ids=["no-responder-token"])
def test_without_a_responder_token_submit_plans_nothing_and_asks_nothing(incident):
    code, out, err = incident.run("run", "compromised-server", "--server", "github", "--submit",
                                  "--dry-run")
    assert code == 0, out + err
    assert "submit" not in _planned(incident)
    assert REPORTS not in out
    assert ("would: not file the report on modelcontextprotocol/servers: "
            "RESPONDER_GITHUB_TOKEN is not set") in out

    code, envelope = incident.run_json("run", "compromised-server", "--server", "github",
                                       "--submit", "--yes")
    submit = next(s for s in envelope["steps"] if s["id"] == "submit")
    assert submit["status"] == "manual"
    assert submit["error"] == "RESPONDER_GITHUB_TOKEN is not set: nothing was sent"
    assert "security/advisories/new" in submit["manual"][0]
    approvals = [e for e in _journal(incident) if e["event"] == "approval"]
    assert [a["step"] for a in approvals] == ["revoke"]  # nothing to approve for the report
    assert not [r for r in incident.sim.requests if r.path == REPORTS]


def test_the_submit_request_shown_is_the_one_sent(incident):
    code, out, err = incident.run("run", "compromised-server", "--server", "github", "--submit",
                                  "--dry-run")
    assert code == 0, out + err
    (shown,) = _planned(incident)["submit"]["requests"]
    code, envelope = incident.run_json("run", "compromised-server", "--server", "github",
                                       "--submit", "--yes")
    assert code == 0
    (sent,) = [r for r in incident.sim.requests if r.method == "POST" and r.path == REPORTS]
    assert (shown["method"], shown["url"]) == ("POST", incident.sim.base_url + REPORTS)
    assert "authorization" in sent.headers and shown["authenticated"] is True
    body = json.loads(shown["body"])
    assert body["description"].startswith("<the ") and body["description"].endswith(
        " characters below, from maintainer-report.md>")
    assert {**sent.json, "description": None} == {**body, "description": None}


# -- plans and what apply() then sends -----------------------------------------------------

def _kill_literal(seed):
    # The workspace token is already dead when the run starts: the snapshot gets 401.
    token = next(t for u in seed["users"] for t in u["tokens"] if t["value"] == LITERAL_TOKEN)
    token["expires_at"] = "-1d"


@pytest.fixture
def dead_literal(sandbox, monkeypatch, capsys):
    made = make_incident(sandbox, monkeypatch, capsys, seed_changes=_kill_literal)
    yield made
    made.sim.stop()


def test_a_token_dead_at_the_snapshot_is_not_in_the_planned_revoke(dead_literal):
    code, out, err = dead_literal.run("run", "compromised-server", "--server", "github",
                                      "--dry-run")
    assert code == 0, out + err
    (shown,) = _planned(dead_literal)["revoke"]["requests"]
    dead_literal.sim.requests.clear()
    dead_literal.run("run", "compromised-server", "--server", "github", "--yes")
    (sent,) = [r for r in dead_literal.sim.requests if r.path == "/credentials/revoke"]
    assert sent.json["credentials"] == [ENV_TOKEN]
    assert json.loads(shown["body"])["credentials"] == ["ghp_…01DR"]


def test_each_planned_request_says_what_it_is_for(incident):
    code, out, _ = incident.run("run", "compromised-server", "--server", "github", "--dry-run")
    assert code == 0
    (request,) = _planned(incident)["revoke"]["requests"]
    assert request.get("note", "").startswith("revokes ")
    assert f"({request['note']})" in out
