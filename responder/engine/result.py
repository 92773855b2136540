"""A run's result as data, and its versioned JSON envelope (`--json`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from responder import __version__
from responder.actions.base import StepResult
from responder.core.errors import ExitCode
from responder.core.jsonsafe import to_plain

SCHEMA = "responder.run-result/1"


@dataclass
class StepRecord:
    id: str
    title: str
    phase: str
    kind: str  # action name, or "manual"
    effect: str
    result: StepResult
    duration_ms: int = 0

    def as_dict(self) -> dict[str, Any]:
        r = self.result
        return {
            "id": self.id,
            "title": self.title,
            "phase": self.phase,
            "uses": self.kind,
            "effect": self.effect,
            "status": r.status,
            "duration_ms": self.duration_ms,
            "outputs": to_plain(r.outputs),
            "changes": list(r.changes),
            "findings": [to_plain(f) for f in r.findings],
            "manual": list(r.manual),
            "error": r.error,
            "hint": r.hint,
            "input_errors": list(r.input_errors),
        }


@dataclass
class RunResult:
    run_id: str
    playbook: str
    playbook_sha256: str
    run_dir: str
    dry_run: bool
    started_at: str
    finished_at: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    steps: list[StepRecord] = field(default_factory=list)
    input_errors: list[str] = field(default_factory=list)
    aborted: str | None = None
    attempt: int = 1  # 2 and up: continued by `runs resume`
    resumed: list[str] = field(default_factory=list)  # steps taken from earlier attempts

    @property
    def exit_code(self) -> ExitCode:
        # Most urgent first: an aborted run did not do what was asked; a config that did not parse
        # may still run the server; a failed step needs the manual fallback it names.
        if self.aborted or any(s.result.status == "refused" for s in self.steps):
            return ExitCode.ABORTED
        if self.input_errors:
            return ExitCode.BAD_INPUT
        if any(s.result.status == "failed" for s in self.steps):
            return ExitCode.FAILED
        return ExitCode.OK

    @property
    def status(self) -> str:
        return {0: "ok", 1: "failed", 2: "bad_input", 3: "aborted"}[int(self.exit_code)]

    def manual_steps(self) -> list[dict[str, str]]:
        return [
            {"step": s.id, "text": text}
            for s in self.steps
            for text in s.result.manual
        ]

    def envelope(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "responder_version": __version__,
            "run_id": self.run_id,
            "playbook": self.playbook,
            "playbook_sha256": self.playbook_sha256,
            "dry_run": self.dry_run,
            "status": self.status,
            "exit_code": int(self.exit_code),
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "run_dir": self.run_dir,
            "inputs": to_plain(self.inputs),
            "steps": [s.as_dict() for s in self.steps],
            "manual_steps": self.manual_steps(),
            "input_errors": list(self.input_errors),
            "aborted": self.aborted,
            "attempt": self.attempt,
            "resumed_steps": list(self.resumed),
        }


def error_envelope(error: dict[str, Any]) -> dict[str, Any]:
    """The envelope for a run that could not start (bad input before any step)."""
    return {
        "schema": SCHEMA,
        "responder_version": __version__,
        "status": "bad_input" if error["exit_code"] == 2 else "failed",
        "exit_code": error["exit_code"],
        "error": error,
        "steps": [],
    }
