"""Stop server processes: SIGTERM to all, one shared grace period, SIGKILL to the survivors.

Each process is re-identified by its start time before any signal: a PID that now belongs to
another process is reported as "replaced" and never signalled. Problems with one process are
outcomes, never exceptions, so one stubborn process cannot stop the others being handled.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import psutil

from responder.processes.find import ServerProcess, responder_lineage

Status = Literal["terminated", "killed", "already gone", "failed", "replaced"]

# psutil reads start times from the OS clock ticks; equal processes agree to far better than this.
_SAME_START = 0.01
_TERM = "SIGTERM" if os.name == "posix" else "TerminateProcess"
_KILL = "SIGKILL" if os.name == "posix" else "TerminateProcess"


@dataclass(frozen=True)
class StopOutcome:
    pid: int
    status: Status
    detail: str


def stop(processes: Sequence[ServerProcess], *, grace: float = 3.0,
         kill_wait: float = 2.0) -> list[StopOutcome]:
    """Stop every process; one outcome per distinct PID, in the order given."""
    unique = list({p.pid: p for p in processes}.values())
    outcomes: dict[int, StopOutcome] = {}
    attached: list[psutil.Process] = []
    for process in unique:
        target = _attach(process)
        if isinstance(target, StopOutcome):
            outcomes[process.pid] = target
        else:
            attached.append(target)
    signalled = _signal(attached, "terminate", outcomes)
    survivors = _wait(signalled, grace, outcomes, "terminated", f"stopped by {_TERM}")
    killed = _signal(survivors, "kill", outcomes)
    left = _wait(killed, kill_wait, outcomes, "killed",
                 f"still running {grace:g}s after {_TERM}; stopped by {_KILL}")
    for proc in left:
        outcomes[proc.pid] = StopOutcome(proc.pid, "failed",
                                         f"still running after {_KILL}")
    return [outcomes[p.pid] for p in unique]


def _attach(process: ServerProcess) -> psutil.Process | StopOutcome:
    """The live process behind a ServerProcess, or why there is nothing to signal."""
    pid = process.pid
    if pid in responder_lineage():
        return StopOutcome(pid, "failed", "refusing to stop responder or the process that "
                                          "started it")
    try:
        proc = psutil.Process(pid)
        started = proc.create_time()
        if abs(started - process.create_time) > _SAME_START:
            return StopOutcome(pid, "replaced", "the PID now belongs to another process; "
                                                "not signalled")
        if proc.status() == psutil.STATUS_ZOMBIE:
            return StopOutcome(pid, "already gone", "exited already (not yet reaped by its "
                                                    "parent)")
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return StopOutcome(pid, "already gone", "no longer running")
    except psutil.AccessDenied:
        return StopOutcome(pid, "failed", "access denied while checking it")
    return proc


def _signal(procs: Sequence[psutil.Process], method: Literal["terminate", "kill"],
            outcomes: dict[int, StopOutcome]) -> list[psutil.Process]:
    """Send the signal to each; return those it was sent to."""
    sent = []
    for proc in procs:
        try:
            getattr(proc, method)()  # psutil refuses (NoSuchProcess) if the PID was reused
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            outcomes[proc.pid] = StopOutcome(proc.pid, "already gone", "exited before the "
                                                                       "signal")
            continue
        except psutil.AccessDenied:
            outcomes[proc.pid] = StopOutcome(proc.pid, "failed", "permission denied: it runs "
                                                                 "as another user")
            continue
        except OSError as exc:
            outcomes[proc.pid] = StopOutcome(proc.pid, "failed", f"could not signal it: "
                                                                 f"{exc.strerror or exc}")
            continue
        sent.append(proc)
    return sent


def _wait(procs: list[psutil.Process], timeout: float, outcomes: dict[int, StopOutcome],
          status: Status, detail: str) -> list[psutil.Process]:
    """Wait for all together; record the ones that ended, return the ones still running."""
    if not procs:
        return []
    try:
        gone, alive = psutil.wait_procs(procs, timeout=max(timeout, 0.0))
    except psutil.Error:
        gone, alive = [], procs
    for proc in gone:
        outcomes[proc.pid] = StopOutcome(proc.pid, status, detail)
    running = []
    for proc in alive:
        if _has_ended(proc):  # a zombie has stopped running; its parent reaps it
            outcomes[proc.pid] = StopOutcome(proc.pid, status, detail)
        else:
            running.append(proc)
    return running


def _has_ended(proc: psutil.Process) -> bool:
    try:
        return proc.status() == psutil.STATUS_ZOMBIE or not proc.is_running()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return True
    except psutil.AccessDenied:
        return False
