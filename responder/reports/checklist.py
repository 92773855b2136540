"""A playbook as a checklist people can follow: Markdown task list or JSON, grouped by phase."""

from __future__ import annotations

from typing import Any

from responder import __version__
from responder.engine.model import Playbook

CHECKLIST_SCHEMA = "responder.checklist/1"


def items(playbook: Playbook) -> list[dict[str, Any]]:
    from responder.actions import registry

    rows = []
    for step in playbook.steps:
        if step.uses:
            action = registry.get(step.uses)
            kind, effect, how = "automated", action.effect, action.summary
        else:
            kind, effect, how = "manual", "manual", (step.manual or "").strip()
        rows.append({
            "id": step.id,
            "phase": step.phase,
            "title": step.title,
            "text": step.checklist_text,
            "kind": kind,
            "uses": step.uses,
            "effect": effect,
            "how": how,
            "approval": effect == "irreversible" or step.approve,
        })
    return rows


def left_by_run(events: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The manual steps a run's journal records (revoke by hand, send the report, ...), in step
    order, without repeats: what is left for people after that run."""
    finished = [e for e in events if e.get("event") == "step_finished"]
    seen: dict[str, dict[str, str]] = {}
    for event in finished:
        for text in event.get("manual") or []:
            seen.setdefault(text, {"step": str(event.get("id", "?")), "text": text})
    return list(seen.values())


def as_json(playbook: Playbook, run: dict[str, Any] | None = None) -> dict[str, Any]:
    """`run`: {"run_id", "left": left_by_run(...)} to include what a run left to do."""
    data = {
        "schema": CHECKLIST_SCHEMA,
        "responder_version": __version__,
        "playbook": playbook.id,
        "title": playbook.title,
        "phases": [
            {"phase": phase, "items": [i for i in items(playbook) if i["phase"] == phase]}
            for phase in playbook.phases()
        ],
    }
    if run is not None:
        data["run"] = {"run_id": run["run_id"],
                       "left": [{**item, "done": False} for item in run["left"]]}
    return data


def as_markdown(playbook: Playbook, run: dict[str, Any] | None = None) -> str:
    lines = [f"# Checklist: {playbook.title}", ""]
    if playbook.description:
        lines += [playbook.description.strip(), ""]
    lines += [
        f"Playbook `{playbook.id}`. Automated steps are what `responder run {playbook.id}` does;",
        "tick them from its report, or do them by hand when responder cannot.",
        "",
    ]
    rows = items(playbook)
    for phase in playbook.phases():
        lines += [f"## {phase.replace('-', ' ').capitalize()}", ""]
        for row in (r for r in rows if r["phase"] == phase):
            tag = "automated" if row["kind"] == "automated" else "manual"
            if row["approval"]:
                tag += ", irreversible: asks first"
            lines.append(f"- [ ] **{row['title']}** ({tag})")
            lines.append(f"  {row['text']}")
            if row["kind"] == "automated":
                lines.append(f"  _responder:_ `{row['uses']}`: {row['how']}")
            elif row["how"] and row["how"] != row["text"]:
                lines.append(f"  _How:_ {row['how']}")
            lines.append("  Evidence: ______________________")
        lines.append("")
    if run is not None:
        lines += [f"## Left from run {run['run_id']}", "",
                  "What that run could not do itself (no API, or a call that failed):", ""]
        lines += [f"- [ ] {item['text']} _(step {item['step']})_" for item in run["left"]] \
            or ["- nothing: every step was done by responder"]
        lines.append("")
    lines += ["---", "", "Completed by: ____________________  Date (UTC): ______________  "
              "Sign-off: ____________________", ""]
    return "\n".join(lines)
