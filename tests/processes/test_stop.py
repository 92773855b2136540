"""Stopping server processes, with real subprocesses: TERM, KILL after the grace period, and the
PID-reuse guard. No timing assertions: only outcomes and whether the process is still there."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import psutil
import pytest

from responder.processes.find import ServerProcess
from responder.processes.stop import StopOutcome, stop

SLEEPER = "import time; print('ready', flush=True); time.sleep(60)"
STUBBORN = ("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(60)")


@pytest.fixture
def spawn():
    started: list[subprocess.Popen] = []

    def start(code: str = SLEEPER) -> subprocess.Popen:
        argv = [sys.executable, "-c", code, f"--fake-mcp-marker-{uuid.uuid4().hex}"]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        started.append(proc)
        # The child says "ready" only after its SIGTERM handler is in place.
        assert proc.stdout.readline().strip() == "ready"
        return proc

    try:
        yield start
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)
            proc.stdout.close()


def server(proc: subprocess.Popen, *, create_time: float | None = None) -> ServerProcess:
    info = psutil.Process(proc.pid)
    return ServerProcess(
        pid=proc.pid,
        create_time=info.create_time() if create_time is None else create_time,
        name=info.name(), cmdline=tuple(info.cmdline()), username=info.username(),
        matched="argv contains the launch command")


def running(proc: subprocess.Popen) -> bool:
    try:
        return psutil.Process(proc.pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_term_stops_a_process(spawn):
    proc = spawn()
    [outcome] = stop([server(proc)], grace=5)
    assert outcome.status == "terminated"
    assert outcome.pid == proc.pid
    assert "SIGTERM" in outcome.detail or os.name != "posix"
    assert not running(proc)


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM can only be ignored on POSIX")
def test_a_process_that_ignores_term_is_killed_after_the_grace(spawn):
    proc = spawn(STUBBORN)
    [outcome] = stop([server(proc)], grace=0.3)
    assert outcome.status == "killed"
    assert "SIGKILL" in outcome.detail
    assert not running(proc)


def test_pid_reuse_guard_never_signals_another_process(spawn):
    proc = spawn()
    [outcome] = stop([server(proc, create_time=psutil.Process(proc.pid).create_time() - 1000)],
                     grace=0.3)
    assert outcome.status == "replaced"
    assert "not signalled" in outcome.detail
    assert running(proc)
    assert proc.poll() is None


def test_a_process_that_already_exited(spawn):
    proc = spawn()
    record = server(proc)
    proc.kill()
    proc.wait(timeout=10)
    [outcome] = stop([record], grace=0.3)
    assert outcome == StopOutcome(proc.pid, "already gone", outcome.detail)


def test_mixed_processes_are_all_handled_in_one_call_in_order(spawn):
    polite, stubborn, reused = spawn(), spawn(STUBBORN), spawn()
    records = [server(polite), server(stubborn),
               server(reused, create_time=psutil.Process(reused.pid).create_time() + 1000),
               server(polite)]  # a duplicate is handled once
    outcomes = stop(records, grace=0.3)
    assert [(o.pid, o.status) for o in outcomes] == [
        (polite.pid, "terminated"),
        (stubborn.pid, "killed" if os.name == "posix" else "terminated"),
        (reused.pid, "replaced"),
    ]
    assert not running(polite) and not running(stubborn) and running(reused)


def test_permission_problems_are_outcomes_not_exceptions(spawn, monkeypatch):
    proc = spawn()

    def denied(self):
        raise psutil.AccessDenied(self.pid)

    monkeypatch.setattr(psutil.Process, "terminate", denied)
    monkeypatch.setattr(psutil.Process, "kill", denied)
    [outcome] = stop([server(proc)], grace=0.3)
    assert outcome.status == "failed"
    assert "permission denied" in outcome.detail
    assert running(proc)


def test_responder_never_stops_itself():
    me = psutil.Process()
    record = ServerProcess(os.getpid(), me.create_time(), me.name(), tuple(me.cmdline()),
                           me.username(), "test")
    [outcome] = stop([record], grace=0.1)
    assert outcome.status == "failed"
    assert "refusing" in outcome.detail


def test_nothing_to_stop():
    assert stop([]) == []
