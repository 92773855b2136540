"""A playbook as a checklist people can follow: a Markdown task list or JSON, grouped by phase.

With a run's journal, each item is ticked or not from what that run did, and says why not.
"""

from __future__ import annotations

from typing import Any

from responder import __version__
from responder.engine.model import Playbook, Step

# Additive changes (a new key) keep the version; a removed or re-typed key bumps it.
CHECKLIST_SCHEMA = "responder.checklist/1"
EVIDENCE_SLOT = "Evidence: ______________________"
SIGN_OFF = ("Completed by: ____________________  Date (UTC): ______________  "
            "Sign-off: ____________________")
_CONDITION_FALSE = "condition is false"


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
            "text": step.checklist_text.strip(),
            "kind": kind,
            "uses": step.uses,
            "effect": effect,
            "how": how,
            "approval": effect == "irreversible" or step.approve,
            "when": step.when,
            "on_error": step.on_error,
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


# -- a run's journal → ticks ------------------------------------------------------------------

def run_status(events: list[dict[str, Any]]) -> str:
    """The run's status now: its last attempt's, or "interrupted" (engine/resume.py)."""
    from responder.engine.resume import status_of

    return status_of(events)


def step_outcomes(playbook: Playbook, run_id: str, events: list[dict[str, Any]],
                  status: str) -> dict[str, dict[str, Any]]:
    """Per step: done (tick it), status (as journaled, or "not_run") and a note saying why.
    The last `step_finished` of a step counts: a resumed run may finish a step again."""
    from responder.engine.resume import last_finished

    last = last_finished(events)
    outcomes = {}
    for step in playbook.steps:
        event = last.get(step.id)
        if event is None:
            outcomes[step.id] = {"done": False, "status": "not_run",
                                 "note": _not_run_note(run_id, status)}
        else:
            outcomes[step.id] = _outcome(step, event)
    return outcomes


def _not_run_note(run_id: str, status: str) -> str:
    if status == "interrupted":
        return f"not run yet: `responder runs resume {run_id}`"
    return "not in this run (the playbook had no such step then)"


def _outcome(step: Step, event: dict[str, Any]) -> dict[str, Any]:
    status = str(event.get("status", "?"))
    error = str(event.get("error") or "").strip()
    if status == "ok":
        return {"done": True, "status": status, "note": "done"}
    if status == "skipped" and error == _CONDITION_FALSE:
        when = f" (`{step.when.strip()}`)" if step.when else ""
        return {"done": True, "status": status,
                "note": f"not needed: its condition{when} was false"}
    notes = {
        "skipped": error if error.startswith("not run") else f"skipped: {error or 'no reason'}",
        "failed": f"failed: {error or 'no reason recorded'}",
        "refused": f"refused: {error or 'not approved'}",
        "planned": "planned only, dry run",
        "manual": "for a person to do: see what the run left, below",
    }
    return {"done": False, "status": status,
            "note": notes.get(status, f"{status}: {error}" if error else status)}


def run_view(playbook: Playbook, run_id: str, events: list[dict[str, Any]], *,
             playbook_sha256: str | None = None) -> dict[str, Any]:
    """What `as_json` and `as_markdown` need to tick a checklist from a run's journal."""
    started = next((e for e in events if e.get("event") == "run_started"), {})
    status = run_status(events)
    recorded = started.get("playbook_sha256")
    return {
        "run_id": run_id,
        "dry_run": bool(started.get("dry_run", False)),
        "status": status,
        "started": started.get("ts"),
        "playbook_changed": bool(playbook_sha256 and recorded and recorded != playbook_sha256),
        "steps": step_outcomes(playbook, run_id, events, status),
        "left": left_by_run(events),
    }


# -- JSON -------------------------------------------------------------------------------------

def as_json(playbook: Playbook, run: dict[str, Any] | None = None) -> dict[str, Any]:
    """`run`: run_view(...), or {"run_id", "left"} for only what a run left to do."""
    steps = (run or {}).get("steps") or {}

    def item(row: dict[str, Any]) -> dict[str, Any]:
        return {**row, **steps[row["id"]]} if row["id"] in steps else row

    rows = items(playbook)
    data: dict[str, Any] = {
        "schema": CHECKLIST_SCHEMA,
        "responder_version": __version__,
        "playbook": playbook.id,
        "title": playbook.title,
        "phases": [
            {"phase": phase, "items": [item(r) for r in rows if r["phase"] == phase]}
            for phase in playbook.phases()
        ],
    }
    if run is not None:
        data["run"] = {
            **{key: run[key] for key in ("run_id", "dry_run", "status", "started",
                                         "playbook_changed") if key in run},
            "left": [{**entry, "done": False} for entry in run["left"]],
        }
    return data


# -- Markdown ---------------------------------------------------------------------------------

def as_markdown(playbook: Playbook, run: dict[str, Any] | None = None) -> str:
    """A GitHub task list: one top-level `- [ ]`/`- [x]` item per step, its details nested."""
    steps = (run or {}).get("steps")
    lines = [f"# Checklist: {playbook.title}", ""]
    if playbook.description:
        lines += [playbook.description.strip(), ""]
    lines += [
        f"Playbook `{playbook.id}`. Automated steps are what `responder run {playbook.id}` does;",
        "tick them from its report, or do them by hand when responder cannot.",
        "",
    ]
    if run is not None and steps is not None:
        lines += _run_header(run)
    rows = items(playbook)
    for phase in playbook.phases():
        lines += [f"## {phase.replace('-', ' ').capitalize()}", ""]
        for row in (r for r in rows if r["phase"] == phase):
            outcome = steps.get(row["id"]) if steps is not None else None
            lines += _item(row, outcome)
        lines.append("")
    if run is not None:
        lines += [f"## Left from run {run['run_id']}", "",
                  "What that run could not do itself (no API, or a call that failed):", ""]
        lines += [f"- [ ] {_nested(item['text'])} _(step {item['step']})_"
                  for item in run["left"]] or ["Nothing: the run listed no manual step."]
        lines.append("")
    lines += ["---", "", SIGN_OFF, ""]
    return "\n".join(lines)


def _run_header(run: dict[str, Any]) -> list[str]:
    kind = "dry run" if run.get("dry_run") else "live run"
    status = run.get("status", "?")
    text = f"Run `{run['run_id']}` ({kind}), status: {status}."
    if status == "interrupted":
        text += f" It did not finish: `responder runs resume {run['run_id']}` continues it."
    lines = [text, "[x] marks what that run did; every unticked item says why not.", ""]
    if run.get("dry_run"):
        lines[1] = ("[x] marks what that run did; a dry run only plans writing and "
                    "irreversible steps, so those stay unticked.")
    if run.get("playbook_changed"):
        lines += ["The playbook file changed since that run started: items follow the "
                  "current file.", ""]
    return lines


def _item(row: dict[str, Any], outcome: dict[str, Any] | None) -> list[str]:
    tag = row["kind"]
    if row["effect"] == "irreversible":
        tag += ", irreversible: asks first"
    elif row["approval"]:
        tag += ", asks first"
    box = "[x]" if outcome and outcome["done"] else "[ ]"
    lines = [f"- {box} **{row['title']}** ({tag})"]
    details = []
    if row["text"] != row["title"]:
        details.append(row["text"])
    if row["kind"] == "automated":
        details.append(f"_responder:_ `{row['uses']}`: {row['how']}")
    elif row["how"] and row["how"] != row["text"]:
        details.append(f"_How:_ {row['how']}")
    if row["when"]:
        details.append(f"_Only when:_ `{row['when'].strip()}` is true")
    if outcome is not None:
        details.append(f"_Run:_ {outcome['note']}")
    details.append(EVIDENCE_SLOT)
    lines += [f"  - {_nested(text, 4)}" for text in details]
    return lines


def _nested(text: str, indent: int = 2) -> str:
    """Text that stays inside its list item however many lines it has."""
    pad = " " * indent
    return f"\n{pad}".join(line.strip() for line in text.strip().splitlines() if line.strip())
