"""Run a playbook: for each step, render → plan → approve → apply → verify → journal.

A resumed run (`runs resume`) goes through the same loop with the earlier attempts' journal:
steps they finished are restored instead of run (see engine/resume.py for which).
"""

from __future__ import annotations

import time
import traceback
from typing import Any

from pydantic import ValidationError

from responder.actions import registry
from responder.actions.base import Action, Plan, StepResult
from responder.core.errors import BadInput, ResponderError
from responder.engine import templating
from responder.engine.context import RunContext
from responder.engine.loader import LoadedPlaybook
from responder.engine.model import Step
from responder.engine.result import RunResult, StepRecord
from responder.engine.resume import EarlierRun, is_done, result_of


class Runner:
    def __init__(self, loaded: LoadedPlaybook, ctx: RunContext, inputs: dict[str, Any],
                 earlier: EarlierRun | None = None, redo: frozenset[str] = frozenset()) -> None:
        self.loaded = loaded
        self.playbook = loaded.playbook
        self.ctx = ctx
        self.inputs = inputs
        self.earlier = earlier
        self.redo = redo  # steps to run again although an earlier attempt may have done them
        self.result = RunResult(
            run_id=ctx.run_id,
            playbook=self.playbook.id,
            playbook_sha256=loaded.sha256,
            run_dir=str(ctx.run_dir),
            dry_run=ctx.dry_run,
            started_at=ctx.clock().isoformat(),
            inputs=inputs,
        )
        self._outputs: dict[str, dict[str, Any]] = {}

    def scope(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "steps": self._outputs,
            "run": {
                "id": self.ctx.run_id,
                "dry_run": self.ctx.dry_run,
                "offline": self.ctx.offline,
                "dir": str(self.ctx.run_dir),
                "since": self.inputs.get("since"),
            },
        }

    def run(self) -> RunResult:
        ctx, out = self.ctx, self.ctx.output
        if self.earlier is None:
            ctx.journal.record(
                "run_started", run_id=ctx.run_id, playbook=self.playbook.id,
                playbook_path=str(self.loaded.path), playbook_sha256=self.loaded.sha256,
                inputs=self.inputs, dry_run=ctx.dry_run, offline=ctx.offline,
                # What `runs resume` needs to look at the same machine the same way.
                cwd=str(ctx.machine.cwd), workspaces=[str(w) for w in ctx.machine.workspaces],
                rules=list(ctx.rule_files),
                templates=str(ctx.templates) if ctx.templates else None,
            )
        else:
            self.result.started_at = str(self.earlier.started.get("ts", self.result.started_at))
            self.result.attempt = self.earlier.attempts + 1
            ctx.journal.record("run_resumed", attempt=self.result.attempt,
                               playbook_sha256=self.loaded.sha256, redo=sorted(self.redo))
        mode = "DRY RUN: nothing outside the run directory will change" if ctx.dry_run else "live"
        out.heading(f"responder {self.playbook.id} ({mode})")
        out.line(f"run {ctx.run_id}  →  {ctx.run_dir}")
        if self.earlier is not None:
            out.line(f"resuming (attempt {self.result.attempt}): what earlier attempts finished "
                     "is not done again")
        stopped_by: str | None = None
        reached = False  # past the first step the earlier attempts did not finish
        try:
            for step in self.playbook.steps:
                if stopped_by:
                    skipped = StepResult(status="skipped", error=f"not run: {stopped_by}")
                    self._record(step, skipped, 0)
                    continue
                if self.earlier is not None:
                    if self._restored(step, past_first_undone=reached):
                        continue
                    reached = True
                    if self._outcome_unknown(step):
                        continue
                record = self._run_step(step)
                if record.result.status == "failed" and step.on_error == "stop":
                    stopped_by = f"step {step.id!r} failed and has on_error: stop"
        except BadInput:
            # The run cannot go on (e.g. the server is not in any config): its journal says so,
            # so `runs list` does not show it as interrupted.
            ctx.journal.record("run_finished", status="bad_input", exit_code=2)
            raise
        except KeyboardInterrupt:
            self.result.aborted = "interrupted (Ctrl-C)"
            ctx.journal.record("run_interrupted")
            out.warn("interrupted: the steps above are done; nothing else was started")
        self.result.finished_at = ctx.clock().isoformat()
        ctx.journal.record("run_finished", status=self.result.status,
                           exit_code=int(self.result.exit_code))
        return self.result

    def _restored(self, step: Step, *, past_first_undone: bool) -> bool:
        """Take a step's result from an earlier attempt instead of running it again: every step
        done before the first undone one, and after it every done irreversible step."""
        assert self.earlier is not None
        event = self.earlier.finished.get(step.id)
        if event is None or step.id in self.redo \
                or not is_done(event, dry_run=self.earlier.dry_run):
            return False
        action_cls = registry.get(step.uses) if step.uses else None
        if past_first_undone and (action_cls is None or action_cls.effect != "irreversible"):
            return False
        result = result_of(event)
        self._outputs[step.id] = {"status": result.status, "outputs": result.outputs}
        if action_cls is not None:
            # Rebuild what the step left in memory (credentials, identities) for later steps.
            action_cls().restore(self.ctx, self._inputs(step, action_cls), result.outputs)
        self.result.steps.append(self._step_record(step, result, 0))
        self.result.input_errors.extend(result.input_errors)
        self.result.resumed.append(step.id)
        self.ctx.journal.record("step_restored", step=step.id, status=result.status)
        self.ctx.output.step(step.id, result.status, f"{step.title} (done in an earlier attempt)")
        return True

    def _outcome_unknown(self, step: Step) -> bool:
        """An irreversible step a kill interrupted may or may not have taken effect: unless its
        action can tell from the journal, it is not repeated without --redo."""
        assert self.earlier is not None
        action_cls = registry.get(step.uses) if step.uses else None
        if action_cls is None or action_cls.effect != "irreversible" or action_cls.resumes_safely \
                or step.id in self.redo:
            return False
        last = self.earlier.finished.get(step.id) or {}
        if step.id not in self.earlier.interrupted \
                and not (last.get("outputs") or {}).get("outcome_unknown"):
            return False
        again = f"responder runs resume {self.ctx.run_id} --redo {step.id}"
        result = StepResult(
            status="failed", outputs={"outcome_unknown": True},
            error="an earlier attempt was interrupted while this step ran, so whether it took "
                  "effect is unknown; it was not repeated",
            hint=f"check whether it was done; if not, do it by hand or run `{again}`",
            manual=[f"Check whether step {step.id!r} ({step.title}) took effect before the "
                    f"interruption; if not, run `{again}`"])
        self._show(step, result)
        self._record(step, result, 0)
        return True

    def _inputs(self, step: Step, action_cls: type[Action]) -> Any:
        where = f"{self.loaded.path} step {step.id!r}"
        rendered = templating.render(step.with_, self.scope(), where)
        try:
            return action_cls.Inputs.model_validate(rendered)
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(p) for p in first["loc"])
            raise BadInput(f"step {step.id!r}: input {key!r}: {first['msg']}",
                           where=str(self.loaded.path),
                           hint=f"see `responder playbooks show {self.playbook.id}`") from None

    def _step_record(self, step: Step, result: StepResult, started: float) -> StepRecord:
        action = registry.get(step.uses) if step.uses else None
        return StepRecord(
            id=step.id,
            title=step.title,
            phase=step.phase,
            kind=step.uses or "manual",
            effect=action.effect if action else "manual",
            result=result,
            duration_ms=int((time.monotonic() - started) * 1000) if started else 0,
        )

    def _record(self, step: Step, result: StepResult, started: float) -> StepRecord:
        record = self._step_record(step, result, started)
        self.result.steps.append(record)
        self.result.input_errors.extend(result.input_errors)
        self._outputs[step.id] = {"status": result.status, "outputs": result.outputs}
        self.ctx.journal.record("step_finished", **record.as_dict())
        return record

    def _run_step(self, step: Step) -> StepRecord:
        ctx, out = self.ctx, self.ctx.output
        started = time.monotonic()
        where = f"{self.loaded.path} step {step.id!r}"
        ctx.journal.record("step_started", step=step.id, title=step.title, uses=step.uses)
        ctx.shared["current_step"] = step.id
        if step.when is not None and not templating.condition(step.when, self.scope(), where):
            out.step(step.id, "skipped", f"{step.title} (condition is false)")
            return self._record(step, StepResult(status="skipped", error="condition is false"),
                                started)
        if step.manual is not None:
            text = str(templating.render(step.manual, self.scope(), where))
            out.step(step.id, "manual", step.title)
            out.detail(text.strip())
            return self._record(step, StepResult(status="manual", manual=[text.strip()]), started)
        action_cls = registry.get(step.uses or "")
        action = action_cls()
        inputs = self._inputs(step, action_cls)
        try:
            with out.working(f"{step.id}: {step.title}"):
                result = self._execute(step, action, inputs)
        except BadInput:
            raise
        except ResponderError as exc:
            result = StepResult().fail(exc.message, exc.hint)
        except Exception as exc:  # a bug must not stop containment reporting or leak a trace
            ctx.journal.record("internal_error", step=step.id, error=repr(exc),
                               trace=traceback.format_exc(limit=8))
            result = StepResult().fail(f"internal error: {type(exc).__name__}: {exc}",
                                       "this is a bug in responder; the journal has details")
        self._show(step, result)
        return self._record(step, result, started)

    def _execute(self, step: Step, action: Action, inputs: Any) -> StepResult:
        ctx = self.ctx
        plan = action.plan(ctx, inputs)
        if plan.has_effects:
            ctx.journal.record(
                "step_planned", step=step.id, operations=list(plan.operations),
                files=[{"path": f.path, "summary": list(f.summary), "diff": f.diff}
                       for f in plan.files],
                requests=[{"method": r.method, "url": r.url, "body": r.body,
                           "authenticated": r.authenticated, "note": r.note}
                          for r in plan.requests],
            )
        if action.effect != "read" and ctx.dry_run:
            self._show_plan(step, plan)
            return StepResult(status="planned", outputs={"planned": True, **_plan_outputs(plan)},
                              changes=[f"would: {line}" for line in plan.summary])
        if action.effect == "irreversible" or step.approve:
            if not plan.has_effects:
                return action.apply(ctx, inputs, plan)
            self._show_plan(step, plan)
            decision = ctx.approvals.decide(f"{step.title}: proceed? This cannot be undone."
                                            if action.effect == "irreversible"
                                            else f"{step.title}: proceed?")
            ctx.journal.record("approval", step=step.id, granted=decision.granted,
                               how=decision.how)
            if not decision.granted:
                how = ("run again with --yes to approve it, or from a terminal to be asked"
                       if decision.how == "no terminal" else "run again when you are ready")
                return StepResult(status="refused",
                                  error=f"not approved ({decision.how}); nothing was sent",
                                  hint=how, manual=list(plan.summary and [
                                      f"Not done (approval refused): {line}"
                                      for line in plan.summary]))
        result = action.apply(ctx, inputs, plan)
        if result.status == "ok":
            action.verify(ctx, inputs, result)
        return result

    def _show_plan(self, step: Step, plan: Plan) -> None:
        out = self.ctx.output
        if not plan.has_effects:
            return
        out.line(f"  plan for {step.id}:")
        for operation in plan.operations:
            out.detail(operation)
        for change in plan.files:
            out.detail(f"edit {change.path}: " + "; ".join(change.summary))
            if change.diff:
                out.diff(change.diff)
        for request in plan.requests:
            out.detail(f"request {request.line()}")
            if request.note:
                out.detail(f"    ({request.note})")

    def _show(self, step: Step, result: StepResult) -> None:
        out = self.ctx.output
        headline = step.title
        if result.error:
            headline = f"{step.title}: {result.error}"
        out.step(step.id, result.status, headline)
        for change in result.changes:
            out.detail(change)
        if result.table is not None:
            out.table(result.table.title, result.table.columns, result.table.rows)
        for finding in result.findings:
            out.detail(f"[{finding.severity}] {finding.message}")
        for text in result.manual:
            out.detail(f"to do: {text}")
        if result.hint and result.status in ("failed", "refused"):
            out.detail(f"hint: {result.hint}")


def _plan_outputs(plan: Plan) -> dict[str, Any]:
    return {
        "planned_files": [f.path for f in plan.files],
        "planned_requests": [r.line() for r in plan.requests],
    }
