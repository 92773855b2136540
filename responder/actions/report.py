"""report.draft: the internal incident report and the maintainer disclosure, from the journal."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from responder.actions.base import Action, ActionInputs, Finding, Plan, StepResult
from responder.core.errors import BadInput
from responder.core.fs import write_private
from responder.engine import journal
from responder.reports import checklist, incident, maintainer
from responder.reports.render import render


class DraftReports(Action):
    name = "report.draft"
    effect = "read"  # writes only inside the run's own directory
    summary = ("Draft report.md (the internal incident report, from the journal) and "
               "maintainer-report.md (a disclosure for the maintainer: the package, versions, "
               "indicators and timeline; no paths, names or tokens). `--templates DIR` "
               "overrides either template.")

    class Inputs(ActionInputs):
        server: str
        submit: bool = False  # the submit step will file it: no "send it" left for the user

    def apply(self, ctx, inputs: Inputs, plan: Plan) -> StepResult:
        events = journal.read(ctx.journal.path)
        pending, later = [], []
        if ctx.playbook is not None:
            ids = [s.id for s in ctx.playbook.steps]
            mine = ids.index(ctx.shared.get("current_step", ids[-1])) if ids else 0
            later = [s for s in ctx.playbook.steps[mine + 1:] if s.manual]
            pending = [s.manual.strip() for s in later]
        found = ctx.shared.get("maintainer") or _saved_discovery(ctx.run_dir)
        data = incident.build(events, pending, found)
        result = StepResult()
        report = ctx.run_dir / "report.md"
        private = private_words(ctx, data)
        try:
            internal = render("report.md.j2", data, ctx.templates)
            text = render("maintainer-report.md.j2", maintainer.build(data, found, private),
                          ctx.templates)
        except BadInput as exc:  # a user template that fails on this run's data
            result.input_errors.append(exc.message)
            return result.fail(exc.message, exc.hint)
        write_private(report, ctx.secrets.scrub(internal))
        left = maintainer.leaks(text, private)
        if left:
            # A user template can print anything it is given; nothing private leaves here.
            text = maintainer.redact(text, private)
            result.findings.append(Finding("medium", f"the disclosure template produced "
                                           f"{len(left)} private word(s); they were replaced "
                                           f"with {maintainer.REDACTED}"))
        disclosure = write_private(ctx.run_dir / "maintainer-report.md", ctx.secrets.scrub(text))
        chosen = (found or {}).get("chosen")
        send = _send_line(disclosure.name, inputs.server, chosen)
        filing = inputs.submit and bool(chosen) and chosen.get("submit") == "github-pvr"
        if filing:
            send = f"the submit step files {disclosure.name} at {chosen['address']} next"
        result.changes += [f"wrote {report}", f"wrote {disclosure} (review it before sending)"]
        if ctx.playbook is not None:
            mine = [] if filing else [{"step": "report", "text": send}]
            left_items = checklist.left_by_run(events) + mine + [
                {"step": s.id, "text": s.manual.strip()} for s in later]
            path = ctx.run_dir / "checklist.md"
            write_private(path, ctx.secrets.scrub(checklist.as_markdown(
                ctx.playbook, {"run_id": ctx.run_id, "left": left_items})))
            result.changes.append(f"wrote {path} (the playbook's checklist plus what is left)")
        result.outputs = {"report": str(report), "maintainer_report": str(disclosure)}
        if filing:
            result.changes.append(send)
        else:
            result.manual.append(send)
        return result


def _send_line(name: str, server: str, chosen: dict[str, Any] | None) -> str:
    if not chosen:
        return (f"Send {name} to the maintainer of {server!r} through a private channel (their "
                f"security policy or GitHub private vulnerability reporting), never a public "
                f"issue")
    how = (" (or run again with --submit to file it from here)"
           if chosen.get("submit") == "github-pvr" else "")
    return (f"Review {name}, then send it to the maintainer of {server!r} through "
            f"{chosen['address']} ({chosen['kind']}, trust {chosen['trust']}){how}; never a "
            f"public issue")


def _saved_discovery(run_dir: Path) -> dict[str, Any] | None:
    import json

    try:
        return json.loads((run_dir / "maintainer.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


_PERSONAL_KEYS = ("name", "email", "login", "org", "team", "workspace", "user", "project")


def private_words(ctx, data: dict[str, Any]) -> list[str]:
    """What identifies the user, the machine or the accounts: never in the disclosure."""
    words = [ctx.machine.env.get("USER", ""), ctx.machine.env.get("USERNAME", ""),
             ctx.machine.env.get("LOGNAME", ""), socket.gethostname(),
             socket.gethostname().split(".")[0], str(ctx.machine.home), ctx.machine.home.name]
    for identity in data["identities"]:
        words.append(identity.get("account") or "")
        words += [str(v) for k, v in (identity.get("details") or {}).items()
                  if isinstance(v, str) and any(p in k for p in _PERSONAL_KEYS)]
    for flag in data["flagged"]:
        target = flag.get("target") or ""
        words += [flag.get("account") or "", target, target.split("/")[0]]
    for entry in data["entries"]:
        words += [entry.get("path") or "", str(Path(entry.get("path") or "/").parent)]
    generic = {"github", "gitlab", "slack", "openai", "user", "users", "home", "root",
               "unknown", "organization", "repository", "account", "token", "main", "/", "."}
    return sorted({w for w in words if w and w.lower() not in generic and len(w) >= 3})
