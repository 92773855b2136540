"""processes.stop: plan lists the server's processes without their secrets, apply stops them,
verify proves they are gone; dry-run and the runner leave them alone until approved."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import uuid

import psutil
import pytest
from pydantic import ValidationError

from responder.actions import registry
from responder.actions.processes import (
    StopProcesses,
    kill_command,
    launches_of,
    masked_argv,
)
from responder.core.secrets import Secret, SecretRegistry
from responder.engine.loader import load
from responder.engine.output import Output
from responder.engine.session import RunRequest, build_context, execute

pytestmark = pytest.mark.usefixtures("host_processes")

SLEEPER = "import time; print('ready', flush=True); time.sleep(60)"
TOKEN = "ghp_" + "P" * 36  # fake, in a known format
REGISTERED = "registered-secret-value-9876"  # fake, known to the run's secret registry


@pytest.fixture
def ctx():
    secrets = SecretRegistry()
    secrets.add(Secret(REGISTERED))
    output = Output(secrets)
    loaded = load("compromised-server")
    return build_context(loaded, RunRequest(playbook="compromised-server", interactive=False),
                         {"since": "7d"}, secrets, output)


@pytest.fixture
def spawn():
    started: list[subprocess.Popen] = []

    def start(*extra: str) -> tuple[subprocess.Popen, dict]:
        args = ["-c", SLEEPER, f"--fake-mcp-marker-{uuid.uuid4().hex}", *extra]
        proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, text=True)
        started.append(proc)
        assert proc.stdout.readline().strip() == "ready"
        entry = {"client": "kiro", "command": sys.executable, "args": args, "package": None}
        return proc, entry

    try:
        yield start
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)
            proc.stdout.close()


def alive(proc: subprocess.Popen) -> bool:
    try:
        return psutil.Process(proc.pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def run(ctx, entries, **inputs):
    action = StopProcesses()
    parsed = StopProcesses.Inputs(entries=entries, **inputs)
    plan = action.plan(ctx, parsed)
    result = action.apply(ctx, parsed, plan)
    if result.status == "ok":
        action.verify(ctx, parsed, result)
    return plan, result


def test_registered():
    assert registry.get("processes.stop") is StopProcesses
    assert StopProcesses.effect == "irreversible"


def test_plan_lists_the_processes_and_apply_stops_them(ctx, spawn):
    proc, entry = spawn()
    other, _ = spawn()
    plan, result = run(ctx, [entry], grace="3s")
    [line] = plan.summary
    assert line.startswith(f"stop pid {proc.pid} (")
    assert entry["args"][2] in line
    assert result.status == "ok", result.error
    assert result.outputs["stopped"] == [proc.pid]
    assert result.outputs["failed"] == []
    assert result.outputs["found"] == 1
    assert result.outputs["verified"] is True
    assert any(c.startswith(f"pid {proc.pid} ") and "terminated" in c for c in result.changes)
    assert not alive(proc)
    assert alive(other)
    record = result.outputs["processes"][0]
    assert record["outcome"] == "terminated" and record["started"]
    assert "cmdline" not in record


def test_plan_does_not_stop_anything(ctx, spawn):
    proc, entry = spawn()
    StopProcesses().plan(ctx, StopProcesses.Inputs(entries=[entry]))
    assert alive(proc)


def test_secrets_on_a_command_line_are_never_shown(ctx, spawn):
    proc, entry = spawn("--token", TOKEN, f"API_KEY={TOKEN[::-1]}", f"--password={REGISTERED}",
                        f"https://user:{REGISTERED}x@host.example/mcp", "--stdio")
    plan = StopProcesses().plan(ctx, StopProcesses.Inputs(entries=[entry]))
    [line] = plan.summary
    for value in (TOKEN, TOKEN[::-1], REGISTERED):
        assert value not in line
    assert "--token ghp_…PPPP" in line
    assert "--stdio" in line


def test_nothing_running_is_an_empty_plan_and_no_manual_step(ctx):
    entry = {"command": sys.executable,
             "args": ["-c", SLEEPER, f"--fake-mcp-marker-{uuid.uuid4().hex}"], "package": None}
    remote = {"command": None, "args": [], "package": None, "url": "https://mcp.example/sse"}
    plan, result = run(ctx, [entry, remote])
    assert plan.summary == ()
    assert result.status == "ok"
    assert result.outputs["found"] == 0 and result.outputs["stopped"] == []
    assert result.manual == []
    assert result.changes == ["no running process of the server found"]


def test_processes_that_cannot_be_stopped_fail_the_step_with_the_kill_command(
        ctx, spawn, monkeypatch):
    proc, entry = spawn()

    def denied(self):
        raise psutil.AccessDenied(self.pid)

    monkeypatch.setattr(psutil.Process, "terminate", denied)
    monkeypatch.setattr(psutil.Process, "kill", denied)
    _, result = run(ctx, [entry], grace=0.2)
    assert result.status == "failed"
    assert result.outputs["failed"] == [proc.pid]
    assert f"kill -9 {proc.pid}" in result.hint
    assert any(f"kill -9 {proc.pid}" in m for m in result.manual)
    assert alive(proc)


def test_verify_fails_when_a_stopped_process_is_still_alive(ctx, spawn, monkeypatch):
    proc, entry = spawn()
    action = StopProcesses()
    inputs = StopProcesses.Inputs(entries=[entry])
    result = action.apply(ctx, inputs, action.plan(ctx, inputs))
    assert result.status == "ok"
    restarted, _ = spawn()
    result.outputs["processes"].append({"pid": restarted.pid, "create_time": psutil.Process(
        restarted.pid).create_time(), "outcome": "terminated"})
    action.verify(ctx, inputs, result)
    assert result.status == "failed"
    assert str(restarted.pid) in result.error
    assert result.outputs["verified"] is False


def test_verify_reports_a_restarted_server(ctx, spawn):
    proc, entry = spawn()
    action = StopProcesses()
    inputs = StopProcesses.Inputs(entries=[entry])
    result = action.apply(ctx, inputs, action.plan(ctx, inputs))
    again = subprocess.Popen([entry["command"], *entry["args"]], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert again.stdout.readline().strip() == "ready"
        action.verify(ctx, inputs, result)
        assert result.status == "ok"
        assert any(f.severity == "high" and str(again.pid) in f.message
                   for f in result.findings)
    finally:
        again.kill()
        again.wait(timeout=10)
        again.stdout.close()


@pytest.mark.parametrize("change", [{"root": "sandbox"}, {"platform": "other"}])
def test_a_run_over_another_machines_files_never_touches_host_processes(
        ctx, spawn, tmp_path, change):
    proc, entry = spawn()
    if "root" in change:
        change = {"root": tmp_path}
    else:
        change = {"platform": "win32" if sys.platform != "win32" else "linux"}
    ctx.machine = dataclasses.replace(ctx.machine, **change)
    plan, result = run(ctx, [entry])
    assert plan.summary == ()
    assert result.status == "skipped"
    assert "not looked at" in result.error
    assert alive(proc)


@pytest.mark.parametrize("given,seconds", [(3, 3.0), ("3", 3.0), ("0.3", 0.3), ("3s", 3.0),
                                           ("500ms", 0.5), ("1m", 60.0)])
def test_grace_accepts_seconds_and_durations(given, seconds):
    assert StopProcesses.Inputs(entries=[], grace=given).grace == seconds


@pytest.mark.parametrize("given", ["soon", "-1", -1])
def test_bad_grace_is_an_input_error(given):
    with pytest.raises(ValidationError):
        StopProcesses.Inputs(entries=[], grace=given)


def test_launches_fill_in_the_package_and_skip_remote_servers():
    launches = launches_of([
        {"command": "npx", "args": ["-y", "@acme/mcp@1.0"]},
        {"command": "npx", "args": ["-y", "@acme/mcp@1.0"], "package": None},  # duplicate
        {"command": "docker", "args": ["run", "acme/mcp"], "package": "oci:docker.io/acme/mcp"},
        {"command": None, "args": [], "url": "https://x.example"},
        {"url": "https://y.example"},
    ])
    assert [(launch.command, launch.package) for launch in launches] == [
        ("npx", "npm:@acme/mcp"), ("docker", "oci:docker.io/acme/mcp")]


def test_masking_rules():
    shown = masked_argv(["server", "--api-key", "k3y-value-123456", "--auth=abcdefghijklmnop",
                         "-e", "GITHUB_TOKEN=abcdefghijklmnopq", "--header",
                         "Authorization: Bearer abcdefghijklmnopqr", f"x{TOKEN}y",
                         "https://h.example/mcp?access_token=abcdefghijklmnop&v=1", "--port",
                         "3000", "MODE=fast"])
    text = " ".join(shown)
    for secret in ("k3y-value-123456", "abcdefghijklmnop", TOKEN):
        assert secret not in text
    assert "--port 3000" in text and "MODE=fast" in text and "&v=1" in text


def test_kill_command_per_platform():
    assert kill_command("linux", [12, 34]) == "kill -9 12 34"
    assert kill_command("win32", [12]) == "taskkill /PID 12 /F"


# --- through the runner -------------------------------------------------------------------------

def _playbook(tmp_path, entry) -> str:
    path = tmp_path / "stop.yaml"
    step = {"id": "stop", "title": "Stop the server's processes", "uses": "processes.stop",
            "with": {"entries": [entry], "grace": "2s"}}
    path.write_text(json.dumps({"format": 1, "id": "stop-test", "title": "T", "steps": [step]}))
    return str(path)


def test_dry_run_only_plans(spawn, tmp_path):
    proc, entry = spawn()
    _, result = execute(RunRequest(playbook=_playbook(tmp_path, entry), dry_run=True))
    [step] = result.steps
    assert step.result.status == "planned"
    assert any(c.startswith(f"would: stop pid {proc.pid} ") for c in step.result.changes)
    assert alive(proc)


def test_approved_run_stops_the_processes(spawn, tmp_path):
    proc, entry = spawn()
    code, result = execute(RunRequest(playbook=_playbook(tmp_path, entry), assume_yes=True))
    assert int(code) == 0
    assert result.steps[0].result.outputs["stopped"] == [proc.pid]
    assert not alive(proc)


def test_without_approval_nothing_is_stopped(spawn, tmp_path):
    proc, entry = spawn()
    code, result = execute(RunRequest(playbook=_playbook(tmp_path, entry), interactive=False))
    step = result.steps[0].result
    assert step.status == "refused"
    assert int(code) == 3
    assert any(f"stop pid {proc.pid} " in m for m in step.manual)
    assert alive(proc)


def test_plan_operations_are_what_the_runner_asks_about(ctx, spawn):
    proc, entry = spawn()
    plan = StopProcesses().plan(ctx, StopProcesses.Inputs(entries=[entry]))
    assert plan.has_effects
    assert plan.operations == plan.summary
    assert plan.operations[0].startswith(f"stop pid {proc.pid} ")


def test_nothing_running_needs_no_approval(tmp_path):
    entry = {"command": sys.executable,
             "args": ["-c", SLEEPER, f"--fake-mcp-marker-{uuid.uuid4().hex}"]}
    code, result = execute(RunRequest(playbook=_playbook(tmp_path, entry), interactive=False))
    assert result.steps[0].result.status == "ok"
    assert int(code) == 0
