"""The shipped flagging rules, their order of severity, and user rule files."""

from __future__ import annotations

from pathlib import Path

import pytest

from responder.activity import rules
from responder.activity.model import ActivityEvent
from responder.core.errors import BadInput, ExitCode


def event(kind: str, *, in_window: bool = True, at: str = "2025-01-10T12:00:00Z",
          **detail) -> ActivityEvent:
    return ActivityEvent(
        provider="github", kind=kind, at=at, account="octo", target="octo/repo",
        summary=f"{kind} on octo/repo", source="evidence/events.json", in_window=in_window,
        detail=detail,
    )


@pytest.fixture(scope="module")
def shipped() -> tuple[rules.Rule, ...]:
    return rules.load()


@pytest.mark.parametrize(
    ("kind", "detail", "rule", "severity"),
    [
        ("ssh_key_added", {}, "ssh-key-added", "high"),
        ("webhook_added", {}, "webhook-added", "high"),
        ("deploy_key_added", {"read_only": False}, "deploy-key-added-write", "critical"),
        ("deploy_key_added", {"read_only": True}, "deploy-key-added", "high"),
        ("collaborator_added", {}, "collaborator-added", "high"),
        ("invitation_sent", {}, "collaborator-added", "high"),
        ("repository_made_public", {}, "repository-made-public", "critical"),
        ("gpg_key_added", {}, "signing-key-added", "medium"),
        ("repository_created", {}, "repository-created", "medium"),
    ],
)
def test_in_window_attacker_activity_is_flagged(shipped, kind, detail, rule, severity):
    (flag,) = rules.flag([event(kind, **detail)], shipped)
    assert flag.rule == rule
    assert flag.severity == severity
    assert flag.reason
    assert flag.event.kind == kind


@pytest.mark.parametrize(
    ("kind", "detail"),
    [
        ("ssh_key_added", {}),
        ("webhook_added", {}),
        ("deploy_key_added", {"read_only": False}),
        ("collaborator_added", {}),
        ("repository_made_public", {}),
    ],
)
def test_the_same_activity_outside_the_window_is_not_flagged(shipped, kind, detail):
    assert rules.flag([event(kind, in_window=False, **detail)], shipped) == []


def test_a_push_is_not_flagged(shipped):
    assert rules.flag([event("push"), event("push", in_window=False)], shipped) == []


def test_flags_are_sorted_most_severe_first(shipped):
    events = [
        event("gpg_key_added", at="2025-01-10T10:00:00Z"),  # medium
        event("ssh_key_added", at="2025-01-10T11:00:00Z"),  # high
        event("push", at="2025-01-10T11:30:00Z"),  # not flagged
        event("repository_made_public", at="2025-01-10T09:00:00Z"),  # critical
        event("webhook_added", at="2025-01-10T12:00:00Z"),  # high, newer
        event("deploy_key_added", read_only=False, at="2025-01-10T08:00:00Z"),  # critical, older
    ]
    flags = rules.flag(events, shipped)
    assert [f.severity for f in flags] == ["critical", "critical", "high", "high", "medium"]
    # Within a severity, newest first.
    assert [f.event.kind for f in flags] == [
        "repository_made_public", "deploy_key_added", "webhook_added", "ssh_key_added",
        "gpg_key_added"]


def test_the_first_matching_rule_wins(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "format: 1\n"
        "rules:\n"
        "  - id: my-ssh\n"
        "    match: {kind: ssh_key_added}\n"
        "    severity: low\n"
        "    reason: we add keys all the time\n"
    )
    mine = rules.load(path)
    (flag,) = rules.flag([event("ssh_key_added")], mine + rules.load())
    assert flag.rule == "my-ssh"
    assert flag.severity == "low"


def test_user_rule_matching_on_detail(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "format: 1\n"
        "rules:\n"
        "  - id: evil-hook\n"
        "    match: {kind: webhook_added, detail.host: [evil.example.test, bad.example.test]}\n"
        "    severity: critical\n"
        "    reason: known attacker host\n"
    )
    mine = rules.load(path)
    assert [f.rule for f in rules.flag([event("webhook_added", host="bad.example.test")],
                                       mine)] == ["evil-hook"]
    assert rules.flag([event("webhook_added", host="ok.example.test")], mine) == []


@pytest.mark.parametrize(
    "text",
    [
        # an unknown key in a rule
        "format: 1\nrules:\n  - id: x\n    match: {kind: push}\n    severity: high\n"
        "    reason: r\n    sevrity: high\n",
        # an unknown top-level key
        "format: 1\nrulez: []\n",
        # a severity that does not exist
        "format: 1\nrules:\n  - id: x\n    match: {kind: push}\n    severity: urgent\n"
        "    reason: r\n",
        # the wrong format
        "format: 2\nrules: []\n",
    ],
)
def test_a_bad_user_rules_file_is_bad_input_naming_the_file(tmp_path, text):
    path = tmp_path / "my-rules.yaml"
    path.write_text(text)
    with pytest.raises(BadInput) as info:
        rules.load(path)
    assert info.value.exit_code == ExitCode.BAD_INPUT
    assert info.value.where == str(path)
    assert str(path) in str(info.value)


def test_a_bad_key_is_named_in_the_message(tmp_path):
    path = tmp_path / "my-rules.yaml"
    path.write_text("format: 1\nrules:\n  - id: x\n    match: {kind: push}\n    severity: high\n"
                    "    reason: r\n    sevrity: high\n")
    with pytest.raises(BadInput, match="sevrity"):
        rules.load(path)


def test_a_missing_user_rules_file_is_bad_input(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(BadInput) as info:
        rules.load(path)
    assert info.value.where == str(path)


def test_a_user_rules_file_that_is_not_yaml_is_bad_input(tmp_path):
    path = tmp_path / "my-rules.yaml"
    path.write_text("format: 1\nrules:\n\t- id: x\n")
    with pytest.raises(BadInput) as info:
        rules.load(path)
    assert info.value.where == f"{path}:3:1"


def test_shipped_rules_ids_are_unique(shipped):
    ids = [rule.id for rule in shipped]
    assert len(ids) == len(set(ids))
    assert all(rule.match.get("in_window") is True for rule in shipped)


def test_rule_file_path_default_is_the_shipped_one(shipped):
    assert Path(rules.__file__).with_name("rules.yaml").is_file()
    assert {r.id for r in shipped} >= {"ssh-key-added", "webhook-added", "deploy-key-added-write",
                                       "collaborator-added", "repository-made-public"}
