"""What an earlier attempt of a run did, read back from its journal, for `runs resume`.

A step counts as done when its last `step_finished` says so (ok, manual, or skipped for a reason
of its own). Everything from the first step that is not done runs again, except a step with an
irreversible effect that an earlier attempt completed: that one is never repeated. A step the
kill interrupted (started, never finished) is the delicate case: whether an irreversible one had
its effect is unknown, so it runs again only if its action can tell from the journal what was
already sent (`Action.resumes_safely`), or when the user names it with `--redo`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from responder.actions.base import Finding, StepResult
from responder.core.errors import BadInput
from responder.engine import journal
from responder.engine.journal import JOURNAL_NAME

_NOT_RUN = "not run: "  # the error of a step skipped because an earlier one stopped the run


@dataclass(frozen=True)
class EarlierRun:
    run_dir: Path
    events: tuple[dict[str, Any], ...]

    @classmethod
    def read(cls, run_dir: Path) -> EarlierRun:
        events = tuple(journal.read(run_dir / JOURNAL_NAME))
        if not any(e.get("event") == "run_started" for e in events):
            raise BadInput(f"{run_dir / JOURNAL_NAME} has no run_started event, so there is "
                           "nothing to resume from",
                           where=str(run_dir / JOURNAL_NAME),
                           hint="start a new run with `responder run`")
        return cls(run_dir, events)

    @property
    def started(self) -> dict[str, Any]:
        return next(e for e in self.events if e.get("event") == "run_started")

    @property
    def attempts(self) -> int:
        return 1 + sum(1 for e in self.events if e.get("event") == "run_resumed")

    @property
    def dry_run(self) -> bool:
        return bool(self.started.get("dry_run"))

    @cached_property
    def finished(self) -> dict[str, dict[str, Any]]:
        return last_finished(self.events)

    @cached_property
    def interrupted(self) -> set[str]:
        """Steps an attempt started and never finished: the kill came while they ran."""
        open_steps: set[str] = set()
        for event in self.events:
            if event.get("event") == "step_started":
                open_steps.add(str(event.get("step")))
            elif event.get("event") == "step_finished":
                open_steps.discard(str(event.get("id")))
        return open_steps

    def done(self, step_id: str) -> bool:
        event = self.finished.get(step_id)
        return event is not None and is_done(event, dry_run=self.dry_run)

    def status(self) -> str:
        return status_of(self.events)


def last_finished(events: tuple[dict[str, Any], ...] | list[dict[str, Any]]
                  ) -> dict[str, dict[str, Any]]:
    """Each step's last `step_finished` event: a resumed run may finish a step again."""
    last: dict[str, dict[str, Any]] = {}
    for event in events:
        if event.get("event") == "step_finished" and isinstance(event.get("id"), str):
            last[event["id"]] = event
    return last


def status_of(events: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> str:
    """A run's state now: its last attempt's status, or "interrupted" when the last attempt
    (first run or resume) never recorded its end."""
    marks = [e for e in events if e.get("event") in ("run_started", "run_resumed",
                                                      "run_finished")]
    if marks and marks[-1].get("event") == "run_finished":
        return str(marks[-1].get("status", "?"))
    return "interrupted"


def is_done(event: dict[str, Any], *, dry_run: bool) -> bool:
    status = event.get("status")
    if status in ("ok", "manual"):
        return True
    if status == "skipped":
        return not str(event.get("error") or "").startswith(_NOT_RUN)
    return status == "planned" and dry_run


def result_of(event: dict[str, Any]) -> StepResult:
    """A finished step's result as the journal recorded it (already free of secrets)."""
    return StepResult(
        status=event.get("status", "ok"),
        outputs=dict(event.get("outputs") or {}),
        changes=list(event.get("changes") or []),
        findings=[Finding(f.get("severity", "info"), f.get("message", ""), f.get("where"))
                  for f in event.get("findings") or [] if isinstance(f, dict)],
        manual=list(event.get("manual") or []),
        error=event.get("error"),
        hint=event.get("hint"),
        input_errors=list(event.get("input_errors") or []),
    )
