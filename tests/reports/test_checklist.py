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
