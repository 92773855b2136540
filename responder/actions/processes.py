"""processes.stop: stop the running processes of the server.

Disabling a server in its configs does not end the copies already running: a compromised server
keeps its tokens and its connections until its process exits. This step finds those processes
(argv matching a launch command, or the launch's package visibly running), lists them in the
plan, and stops them: SIGTERM, then SIGKILL after a grace period. Irreversible, because whatever
the process held in memory is gone, so the runner asks first.

A command line can carry a token literally (`--token ghp_…`, `GITHUB_TOKEN=…`), so every command
line shown is scrubbed of registered secrets and has secret-looking values masked as well.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
from pydantic import Field, field_validator

from responder.actions.base import Action, ActionInputs, Finding, Plan, StepResult
from responder.core.durations import parse_duration
from responder.core.errors import BadInput
from responder.core.machine import Machine
from responder.core.secrets import redact
from responder.credentials import classify
from responder.maintainers.identity import package_of
from responder.processes.find import Launch, ServerProcess, find
from responder.processes.stop import StopOutcome, stop

_STOPPED = ("terminated", "killed")
_HOST_PLATFORM = sys.platform if sys.platform in ("darwin", "win32") else "linux"
_MAX_SHOWN = 400  # characters of a command line in a plan line


class StopProcesses(Action):
    name = "processes.stop"
    effect = "irreversible"
    # It finds the server's processes again each time: one an interrupted attempt stopped is
    # simply not found, so running it again after a kill stops nothing twice.
    resumes_safely = True
    summary = ("Find the running processes of the server (command line matching a launch "
               "command, or its package running) and stop them: SIGTERM, then SIGKILL after a "
               "grace period.")

    class Inputs(ActionInputs):
        entries: list[dict[str, Any]]
        grace: float = Field(3.0, ge=0)

        @field_validator("grace", mode="before")
        @classmethod
        def _seconds(cls, value: Any) -> Any:
            return seconds(value) if isinstance(value, str) else value

    def plan(self, ctx, inputs: Inputs) -> Plan:
        away = elsewhere(ctx.machine)
        if away:
            return Plan(payload={"processes": [], "elsewhere": away})
        launches = launches_of(inputs.entries)
        processes = find(launches) if launches else []
        how = stopping(inputs.grace)
        summary = tuple(f"stop pid {p.pid} ({p.username or 'unknown user'}) with {how}: "
                        f"{shown_cmdline(ctx, p.cmdline)}" for p in processes)
        # As operations, the runner shows them and asks before apply() (the step is
        # irreversible); as the summary, they are what dry-run and a refusal report.
        return Plan(summary=summary, operations=summary, payload={"processes": processes})

    def apply(self, ctx, inputs: Inputs, plan: Plan) -> StepResult:
        result = StepResult()
        payload = plan.payload or {}
        if payload.get("elsewhere"):
            result.status = "skipped"
            result.error = f"running processes not looked at: {payload['elsewhere']}"
            return result
        processes: list[ServerProcess] = payload.get("processes", [])
        if not processes:
            result.changes.append("no running process of the server found")
            result.outputs = {"stopped": [], "failed": [], "found": 0, "already_gone": [],
                              "replaced": [], "processes": []}
            return result
        outcomes = stop(processes, grace=inputs.grace)
        _report(result, processes, outcomes)
        failed = result.outputs["failed"]
        if failed:
            command = kill_command(ctx.machine.platform, failed)
            result.manual.append(f"Stop the server's remaining process(es) by hand: {command} "
                                 "(as their owner, or with sudo / an elevated prompt)")
            return result.fail(f"could not stop {len(failed)} process(es): pid "
                               + ", ".join(map(str, failed)), f"stop them by hand: {command}")
        return result

    def verify(self, ctx, inputs: Inputs, result: StepResult) -> None:
        """None of the stopped processes may be alive; a restarted server is a finding."""
        records = result.outputs.get("processes", [])
        stopped = [r for r in records if r["outcome"] in _STOPPED]
        alive = [r["pid"] for r in stopped if is_alive(r["pid"], r["create_time"])]
        result.outputs["verified"] = not alive
        if alive:
            command = kill_command(ctx.machine.platform, alive)
            result.fail("still running after the stop: pid " + ", ".join(map(str, alive)),
                        f"stop them by hand: {command}")
            return
        known = {(r["pid"], r["create_time"]) for r in records}
        again = [p for p in find(launches_of(inputs.entries))
                 if (p.pid, p.create_time) not in known]
        if again:
            pids = ", ".join(str(p.pid) for p in again)
            result.findings.append(Finding(
                "high", f"the server is running again (pid {pids}): a client restarted it"))
            result.manual.append(f"Quit the MCP client that restarted the server (pid {pids}), "
                                 "then run this playbook again")


def stopping(grace: float) -> str:
    """How apply() stops a process (processes/stop.py), for the plan."""
    if sys.platform == "win32":
        return "TerminateProcess"  # Windows has no gentler request to exit
    return f"SIGTERM, then SIGKILL if still running after {grace:g}s"


def elsewhere(machine: Machine) -> str | None:
    """Why this host's process table is not the examined machine's, if it is not.

    A run over a mounted disk image or another OS's layout (RESPONDER_SYSTEM_ROOT,
    RESPONDER_PLATFORM) must never stop look-alike processes on the host that examines it.
    """
    if Path(getattr(machine, "root", "/")) != Path("/"):
        return f"this run examines the files under {machine.root}, not this host"
    if machine.platform != _HOST_PLATFORM:
        return f"this run examines a {machine.platform} layout on a {_HOST_PLATFORM} host"
    return None


def launches_of(entries: Sequence[dict[str, Any]]) -> list[Launch]:
    """The distinct launch commands of the inventory's entries (remote servers have none)."""
    launches: dict[Launch, None] = {}
    for entry in entries:
        command = entry.get("command")
        if not isinstance(command, str) or not command.strip():
            continue
        args = tuple(str(a) for a in entry.get("args") or ())
        package = entry.get("package") or _package_key(command, args)
        launches.setdefault(Launch(command, args, package), None)
    return list(launches)


def _package_key(command: str, args: Sequence[str]) -> str | None:
    identity = package_of(command, args)
    return identity.key if identity is not None else None


def _report(result: StepResult, processes: Sequence[ServerProcess],
            outcomes: Sequence[StopOutcome]) -> None:
    by_pid = {p.pid: p for p in processes}
    records = []
    for outcome in outcomes:
        process = by_pid[outcome.pid]
        user = process.username or "unknown user"
        result.changes.append(f"pid {outcome.pid} ({user}): {outcome.status}: {outcome.detail}")
        if outcome.status == "replaced":
            result.findings.append(Finding(
                "info", f"pid {outcome.pid} exited and its number was reused by another "
                        "process before the stop; that process was not signalled"))
        records.append({"pid": outcome.pid, "create_time": process.create_time,
                        "started": _iso(process.create_time), "user": process.username,
                        "matched": process.matched, "outcome": outcome.status})
    result.outputs = {
        "stopped": [o.pid for o in outcomes if o.status in _STOPPED],
        "failed": [o.pid for o in outcomes if o.status == "failed"],
        "found": len(processes),
        "already_gone": [o.pid for o in outcomes if o.status == "already gone"],
        "replaced": [o.pid for o in outcomes if o.status == "replaced"],
        "processes": records,  # no command lines: they can hold secrets
    }


def is_alive(pid: int, create_time: float) -> bool:
    """The very process (same PID and start time) is still running."""
    try:
        proc = psutil.Process(pid)
        return (abs(proc.create_time() - create_time) < 0.01
                and proc.status() != psutil.STATUS_ZOMBIE)
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except psutil.AccessDenied:
        return True  # cannot tell: assume the worst


def kill_command(platform: str, pids: Sequence[int]) -> str:
    if platform == "win32":
        return "taskkill " + " ".join(f"/PID {pid}" for pid in pids) + " /F"
    return "kill -9 " + " ".join(str(pid) for pid in pids)


def seconds(value: str) -> float:
    """`3`, `0.5`, `3s`, `500ms`, `1m` → seconds."""
    text = value.strip()
    try:
        return float(text)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(ms|s)", text)
    if match:
        return float(match.group(1)) / (1000 if match.group(2) == "ms" else 1)
    try:
        return parse_duration(text, name="grace").total_seconds()
    except BadInput:
        raise ValueError(f"{value!r} is not a duration: use seconds (3, 0.5, 3s)") from None


def _iso(timestamp: float) -> str | None:
    if not timestamp:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


# --- showing a command line without the secrets it may carry ------------------------------------

_SECRET_WORD = re.compile(r"token|secret|passw|key|auth|credential|bearer|cookie|session|"
                          r"(?:^|[-_])pat(?:$|[-_])", re.IGNORECASE)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_EMBEDDED = (
    # Authorization values: "Bearer abc", "token abc", "Basic abc".
    re.compile(r"(?i)(\b(?:bearer|token|basic)\s+)([^\s\"',;]+)"),
    # URL userinfo password: https://user:pass@host
    re.compile(r"(://[^/:@\s]+:)([^/@\s]+)(?=@)"),
    # Secret-looking query parameters: ?token=…&api_key=…
    re.compile(r"(?i)([?&][^=&\s]*(?:token|key|secret|passw|auth|sig)[^=&\s]*=)([^&\s#]+)"),
)


def shown_cmdline(ctx, argv: Sequence[str]) -> str:
    """The command line for people: secrets scrubbed and masked, long lines shortened."""
    text = " ".join(masked_argv(argv))
    text = ctx.secrets.scrub(text)
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN - 1] + "…"


def masked_argv(argv: Sequence[str]) -> list[str]:
    """Mask values after secret-looking flags, `NAME=value` pairs with secret-looking names,
    and tokens of known formats anywhere."""
    shown: list[str] = []
    mask_next = False
    for arg in argv:
        if mask_next:
            shown.append(_mask(arg))
            mask_next = False
            continue
        name, eq, value = arg.partition("=")
        is_flag = arg.startswith("-")
        if eq and _SECRET_WORD.search(name) and (is_flag or _ENV_NAME.match(name)):
            shown.append(f"{name}={_mask(value)}")
        elif is_flag and _SECRET_WORD.search(arg):
            shown.append(arg)
            mask_next = True
        else:
            shown.append(_mask_embedded(arg))
    return shown


def _mask(value: str) -> str:
    return redact(value) if value else value


# Tokens with a well-known prefix, even glued to other text (`x=ghp_…`, `ghp_…,`). Unlike the
# anchored patterns used to classify credentials, a false hit here only over-masks a display.
_PREFIXED_TOKEN = re.compile(r"(?:github_pat_|gh[pousr]_|glpat-|xox[baprse]-|sk-|npm_|hf_)"
                             r"[A-Za-z0-9_-]{16,}")


def _mask_embedded(arg: str) -> str:
    for _, token in classify.find_in_text(arg):
        arg = arg.replace(token, redact(token))
    arg = _PREFIXED_TOKEN.sub(lambda m: redact(m.group(0)), arg)
    for pattern in _EMBEDDED:
        arg = pattern.sub(lambda m: m.group(1) + _mask(m.group(2)), arg)
    return arg
