"""report.draft: the internal incident report and the maintainer disclosure, from the journal."""

from __future__ import annotations

import socket

from responder.actions.base import Action, ActionInputs, Plan, StepResult
from responder.core.fs import write_private
from responder.engine import journal
from responder.reports import checklist, incident, maintainer
from responder.reports.render import write


class DraftReports(Action):
    name = "report.draft"
    effect = "read"  # writes only inside the run's own directory
    summary = ("Draft report.md (the internal incident report, from the journal) and "
               "maintainer-report.md (a minimal disclosure: no paths, names or tokens).")

    class Inputs(ActionInputs):
        server: str

    def apply(self, ctx, inputs: Inputs, plan: Plan) -> StepResult:
        events = journal.read(ctx.journal.path)
        pending, later = [], []
        if ctx.playbook is not None:
            ids = [s.id for s in ctx.playbook.steps]
            mine = ids.index(ctx.shared.get("current_step", ids[-1])) if ids else 0
            later = [s for s in ctx.playbook.steps[mine + 1:] if s.manual]
            pending = [s.manual.strip() for s in later]
        data = incident.build(events, pending)
        report = write(ctx.run_dir / "report.md", "report.md.j2", data, ctx.secrets)
        private = [i["account"] for i in data["identities"]]
        private += [ctx.machine.env.get("USER", ""), socket.gethostname(), str(ctx.machine.home)]
        disclosure = write(ctx.run_dir / "maintainer-report.md", "maintainer-report.md.j2",
                           maintainer.build(data, private), ctx.secrets)
        send = (f"Send {disclosure.name} to the maintainer of {inputs.server!r} through a "
                f"private channel (GitHub private vulnerability reporting or SECURITY.md), "
                f"not a public issue")
        written = [f"wrote {report}", f"wrote {disclosure} (review it before sending)"]
        if ctx.playbook is not None:
            left = checklist.left_by_run(events) + [{"step": "report", "text": send}] + [
                {"step": s.id, "text": s.manual.strip()} for s in later]
            path = ctx.run_dir / "checklist.md"
            write_private(path, ctx.secrets.scrub(checklist.as_markdown(
                ctx.playbook, {"run_id": ctx.run_id, "left": left})))
            written.append(f"wrote {path} (the playbook's checklist plus what is left)")
        return StepResult(
            outputs={"report": str(report), "maintainer_report": str(disclosure)},
            changes=written,
            manual=[send],
        )
