"""The playbook as a human checklist: Markdown task list and JSON, grouped by phase."""

from __future__ import annotations

import json
import re

import pytest

from responder.engine import loader
from responder.reports import checklist

STEP_IDS = ["inventory", "contain", "stop", "snapshot", "revoke", "verify", "recheck", "review",
            "maintainer", "report", "submit", "reissue", "client-logs", "provider-log"]
HEADINGS = ["Inventory", "Contain", "Snapshot", "Revoke", "Verify", "Review", "Report",
            "Follow up"]


@pytest.fixture(scope="module")
def playbook():
    return loader.load("compromised-server").playbook


@pytest.fixture(scope="module")
def markdown(playbook) -> str:
    return checklist.as_markdown(playbook)


def test_markdown_has_one_unchecked_item_per_step(playbook, markdown):
    items = [line for line in markdown.splitlines() if line.startswith("- [ ] ")]
    assert len(items) == len(STEP_IDS) == len(playbook.steps)
    for step, line in zip(playbook.steps, items, strict=True):
        assert f"**{step.title}**" in line
    assert "- [x]" not in markdown


def test_markdown_items_carry_the_checklist_sentence(playbook, markdown):
    for step in playbook.steps:
        assert step.checklist_text in markdown


def test_markdown_phases_are_headings_in_order(markdown):
    headings = re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE)
    assert headings == HEADINGS


def test_markdown_items_sit_under_their_phase(playbook, markdown):
    sections = re.split(r"^## ", markdown, flags=re.MULTILINE)[1:]
    by_heading = {section.splitlines()[0]: section for section in sections}
    assert "Revoke every token the server held" in by_heading["Revoke"]
    assert "Revoke every token the server held" not in by_heading["Contain"]
    follow_up = by_heading["Follow up"]
    for step_id in ("reissue", "client-logs", "provider-log"):
        assert f"**{playbook.step(step_id).title}**" in follow_up
    assert follow_up.count("- [ ] ") == 3


def test_markdown_marks_only_stopping_and_revoking_as_irreversible(playbook, markdown):
    lines = [line for line in markdown.splitlines() if line.startswith("- [ ] ")]
    irreversible = [line for line in lines if "irreversible" in line]
    assert irreversible == [f"- [ ] **{playbook.step(step).title}** "
                            "(automated, irreversible: asks first)"
                            for step in ("stop", "revoke", "submit")]


def test_an_approve_step_asks_first_without_claiming_irreversible(tmp_path):
    path = tmp_path / "gate.yaml"
    path.write_text("format: 1\nid: gate\ntitle: Gate\nsteps:\n  - id: contain\n"
                    "    title: Contain\n    uses: clients.disable\n    approve: true\n"
                    "    with: {server: x, targets: []}\n")
    text = checklist.as_markdown(loader.load(str(path)).playbook)
    assert "- [ ] **Contain** (automated, asks first)" in text.splitlines()


def test_markdown_tells_automated_from_manual(playbook, markdown):
    lines = [line for line in markdown.splitlines() if line.startswith("- [ ] ")]
    manual = [line for line in lines if line.endswith("(manual)")]
    assert len(manual) == 3
    assert "`tokens.revoke`" in markdown


def test_markdown_ends_with_a_sign_off_line(markdown):
    tail = markdown.rstrip().splitlines()[-1]
    assert "Completed by:" in tail
    assert "Date (UTC):" in tail
    assert "Sign-off:" in tail
    assert markdown.startswith("# Checklist: Compromised MCP server")


def test_markdown_conditions_are_shown(playbook, markdown):
    submit = markdown.split(f"**{playbook.step('submit').title}**", 1)[1].split("\n- ", 1)[0]
    assert "_Only when:_ `{{ inputs.submit }}` is true" in submit


def test_json_export_schema_and_every_step(playbook):
    document = checklist.as_json(playbook)
    json.dumps(document)  # plain JSON, nothing exotic
    assert document["schema"] == "responder.checklist/1"
    assert document["playbook"] == "compromised-server"
    assert [p["phase"] for p in document["phases"]] == [
        "inventory", "contain", "snapshot", "revoke", "verify", "review", "report", "follow-up"]
    ids = [item["id"] for phase in document["phases"] for item in phase["items"]]
    assert ids == STEP_IDS


def test_json_items_describe_kind_effect_and_approval(playbook):
    rows = {item["id"]: item for item in checklist.items(playbook)}
    assert rows["revoke"]["effect"] == "irreversible"
    assert rows["revoke"]["approval"] is True
    assert rows["revoke"]["kind"] == "automated"
    assert rows["contain"]["effect"] == "write"
    assert rows["contain"]["approval"] is False
    assert rows["reissue"]["kind"] == "manual"
    assert rows["reissue"]["effect"] == "manual"
    assert rows["reissue"]["uses"] is None
    assert rows["reissue"]["how"].startswith("Create a replacement token")


def test_json_items_say_when_and_on_error(playbook):
    rows = {item["id"]: item for item in checklist.items(playbook)}
    assert rows["submit"]["when"] == "{{ inputs.submit }}"
    assert rows["inventory"]["on_error"] == "stop" and rows["contain"]["on_error"] == "continue"


# -- renders as a GitHub task list ------------------------------------------------------------

TASK = re.compile(r"^- \[( |x)\] \S")


def task_list_problems(text: str) -> list[str]:
    """Structural rules a GitHub task list needs: every top-level list line is a task item, its
    details are indented under it, and nothing else at the top level looks like a list."""
    problems = []
    in_fence = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            in_fence = not in_fence
        if in_fence or not line.strip():
            continue
        if re.match(r"^([-*+]|\d+[.)])\s", line) and not TASK.match(line):
            problems.append(f"{number}: top-level list line is not a task: {line[:60]}")
        if re.match(r"^ +\S", line) and not re.match(r"^( {2}| {4})\S", line):
            problems.append(f"{number}: indented line outside the item layout: {line[:60]}")
    return problems


def parsed_items(text: str) -> list[str]:
    """The first line of every top-level list item, as CommonMark parses the document."""
    from markdown_it import MarkdownIt  # a dependency of rich, so always installed

    tokens = MarkdownIt("commonmark").parse(text)
    firsts = []
    for index, token in enumerate(tokens):
        if token.type == "list_item_open" and token.level == 1:
            inline = next(t for t in tokens[index:] if t.type == "inline")
            firsts.append(inline.content.splitlines()[0])
    return firsts


def test_markdown_is_a_task_list(playbook, markdown):
    assert task_list_problems(markdown) == []
    firsts = parsed_items(markdown)
    assert len(firsts) == len(playbook.steps)
    assert all(re.match(r"^\[( |x)\] ", first) for first in firsts)


def test_evidence_slots_and_sign_off_are_plain_text(playbook, markdown):
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(markdown)
    evidence = [t for t in tokens if t.type == "inline" and t.content.startswith("Evidence:")]
    assert len(evidence) == len(playbook.steps)
    for token in evidence:  # underscores stay underscores, not emphasis or a rule
        assert [child.type for child in token.children] == ["text"]
    assert any(t.type == "hr" for t in tokens)
    assert tokens[-2].content.startswith("Completed by:")


def test_the_structural_check_is_not_blind():
    assert task_list_problems("- [ ] fine\n  - detail\n") == []
    assert task_list_problems("- not a task\n")
    assert task_list_problems("* [ ] star\n")
    assert task_list_problems("- [ ] a\n   - three spaces\n")
    assert parsed_items("- [ ] a\n\n  - [x] b\n") == ["[ ] a"]


# -- ticks from a run's journal ---------------------------------------------------------------

def finished(step_id: str, status: str, error: str | None = None, manual=()) -> dict:
    return {"event": "step_finished", "id": step_id, "status": status, "error": error,
            "manual": list(manual), "changes": []}


def journal(*steps: dict, dry_run: bool = False, finish: str | None = "failed") -> list[dict]:
    events = [{"event": "run_started", "playbook": "compromised-server", "dry_run": dry_run,
               "playbook_sha256": "abc", "ts": "2026-03-01T12:00:00+00:00"}]
    for step in steps:
        events += [{"event": "step_started", "step": step["id"]}, step]
    if finish:
        events.append({"event": "run_finished", "status": finish, "exit_code": 1})
    return events


def test_each_status_ticks_or_says_why(playbook):
    events = journal(
        finished("inventory", "ok"),
        finished("contain", "failed", "config did not parse"),
        finished("stop", "refused", "not approved (no terminal); nothing was sent"),
        finished("snapshot", "planned"),
        finished("revoke", "skipped", "not run: step 'x' failed and has on_error: stop"),
        finished("submit", "skipped", "condition is false"),
        finished("reissue", "manual", manual=["Create a replacement token."]),
    )
    view = checklist.run_view(playbook, "run-1", events)
    steps = view["steps"]
    assert steps["inventory"] == {"done": True, "status": "ok", "note": "done"}
    assert steps["contain"] == {"done": False, "status": "failed",
                                "note": "failed: config did not parse"}
    assert steps["stop"]["done"] is False and steps["stop"]["note"].startswith("refused: not "
                                                                             "approved")
    assert steps["snapshot"] == {"done": False, "status": "planned",
                                 "note": "planned only, dry run"}
    assert steps["revoke"]["note"] == "not run: step 'x' failed and has on_error: stop"
    assert steps["submit"] == {"done": True, "status": "skipped",
                               "note": "not needed: its condition (`{{ inputs.submit }}`) was "
                                       "false"}
    assert steps["reissue"]["done"] is False and steps["reissue"]["status"] == "manual"
    assert steps["verify"] == {"done": False, "status": "not_run",
                               "note": "not in this run (the playbook had no such step then)"}
    assert view["status"] == "failed" and view["dry_run"] is False
    assert view["left"] == [{"step": "reissue", "text": "Create a replacement token."}]


def test_an_interrupted_run_says_how_to_resume(playbook):
    view = checklist.run_view(playbook, "run-2", journal(finished("inventory", "ok"),
                                                         finish=None))
    assert view["status"] == "interrupted"
    assert view["steps"]["contain"]["note"] == "not run yet: `responder runs resume run-2`"
    text = checklist.as_markdown(playbook, view)
    assert "Run `run-2` (live run), status: interrupted." in text
    assert "`responder runs resume run-2` continues it" in text


def test_the_last_finish_of_a_step_counts(playbook):
    """A resumed run finishes a step again; after a later run_finished it is no longer
    interrupted."""
    events = journal(finished("inventory", "ok"), finished("contain", "failed", "locked"),
                     finish="failed")
    events += [{"event": "run_resumed"}, finished("contain", "ok")]
    view = checklist.run_view(playbook, "run-3", events)
    assert view["steps"]["contain"]["done"] is True
    assert view["status"] == "interrupted"  # resumed, then cut before its end
    events.append({"event": "run_finished", "status": "ok", "exit_code": 0})
    assert checklist.run_status(events) == "ok"


def test_markdown_with_a_run_ticks_items_and_keeps_the_task_list(playbook):
    events = journal(finished("inventory", "ok"), finished("contain", "planned"),
                     finished("submit", "skipped", "condition is false"), dry_run=True,
                     finish="ok")
    text = checklist.as_markdown(playbook, checklist.run_view(playbook, "run-4", events))
    assert task_list_problems(text) == []
    lines = text.splitlines()
    assert f"- [x] **{playbook.step('inventory').title}** (automated)" in lines
    assert f"- [ ] **{playbook.step('contain').title}** (automated)" in lines
    assert f"- [x] **{playbook.step('submit').title}** (automated, irreversible: asks first)" \
        in lines
    assert "  - _Run:_ planned only, dry run" in lines
    assert "Run `run-4` (dry run), status: ok." in lines
    assert "Nothing: the run listed no manual step." in lines
    assert text.count("- [x] ") == 2


def test_json_with_a_run_has_done_status_and_note(playbook):
    events = journal(finished("inventory", "ok"), dry_run=True)
    view = checklist.run_view(playbook, "run-5", events, playbook_sha256="def")
    data = checklist.as_json(playbook, view)
    assert data["schema"] == "responder.checklist/1"
    assert data["run"] == {"run_id": "run-5", "dry_run": True, "status": "failed",
                           "started": "2026-03-01T12:00:00+00:00", "playbook_changed": True,
                           "left": []}
    rows = {item["id"]: item for phase in data["phases"] for item in phase["items"]}
    assert (rows["inventory"]["done"], rows["inventory"]["status"]) == (True, "ok")
    assert all({"done", "status", "note"} <= set(row) for row in rows.values())
    assert "changed since that run" in checklist.as_markdown(playbook, view)


def test_a_multi_line_left_item_stays_inside_its_item(playbook):
    events = journal(finished("reissue", "manual", manual=["First line.\nSecond line."]))
    text = checklist.as_markdown(playbook, checklist.run_view(playbook, "run-6", events))
    assert "- [ ] First line.\n  Second line. _(step reissue)_" in text
    assert task_list_problems(text) == []
