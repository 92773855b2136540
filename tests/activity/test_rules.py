"""Flagging rules: the shipped set, the operators, user files in front, and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from responder.activity import rules
from responder.activity.model import ActivityEvent
from responder.core.errors import BadInput, ExitCode
from responder.engine.loader import load as load_playbook


def event(kind: str, *, in_window: bool = True, at: str = "2025-01-10T12:00:00Z",
          provider: str = "github", **detail) -> ActivityEvent:
    return ActivityEvent(
        provider=provider, kind=kind, at=at, account="octo", target="octo/repo",
        summary=f"{kind} on octo/repo", source="evidence/events.json", in_window=in_window,
        detail=detail,
    )


@pytest.fixture(scope="module")
def shipped() -> tuple[rules.Rule, ...]:
    return load_playbook("compromised-server").rules


def write(tmp_path: Path, text: str, name: str = "mine.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# -- the shipped rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "detail", "rule", "severity"),
    [
        ("ssh_key_added", {}, "ssh-key-added", "critical"),
        ("gpg_key_added", {}, "signing-key-added", "high"),
        ("ssh_signing_key_added", {}, "signing-key-added", "high"),
        ("deploy_key_added", {"read_only": False}, "deploy-key-added-write", "critical"),
        ("deploy_key_added", {"read_only": True}, "deploy-key-added", "high"),
        ("webhook_added", {"new_host": True, "host": "x.test"}, "webhook-to-new-host",
         "critical"),
        ("webhook_added", {"new_host": False, "host": "ci.test"}, "webhook-added", "high"),
        ("collaborator_added", {}, "collaborator-added", "high"),
        ("invitation_sent", {}, "collaborator-added", "high"),
        ("org_member_added", {}, "collaborator-added", "high"),
        ("app_installed", {}, "app-installed", "high"),
        ("repository_made_public", {}, "repository-made-public", "critical"),
        ("repository_deleted", {}, "repository-deleted-or-moved", "critical"),
        ("repository_transferred", {}, "repository-deleted-or-moved", "critical"),
        ("repository_missing", {}, "repository-deleted-or-moved", "critical"),
        ("push", {"files": ["src/a.py", ".github/workflows/ci.yml"], "forced": False},
         "workflow-changed", "critical"),
        ("push", {"files": ["src/a.py"], "forced": True}, "force-push", "high"),
        ("release_published", {}, "release-published", "high"),
        ("tag_created", {}, "tag-changed", "medium"),
        ("repository_created", {}, "repository-created", "medium"),
        ("login", {"new_ip": True}, "sign-in-from-new-ip", "high"),
        ("member_added", {}, "collaborator-added", "high"),  # GitLab
        ("user_added", {}, "collaborator-added", "high"),  # OpenAI
        ("api_key_created", {}, "access-token-created", "critical"),
        ("project_created", {}, "repository-created", "medium"),
        ("branch_deleted", {}, "branch-deleted", "medium"),
        ("audit_key.used", {"by_suspect_key": True}, "done-with-the-key", "medium"),
    ],
)
def test_in_window_attacker_activity_is_flagged(shipped, kind, detail, rule, severity):
    (flag,) = rules.flag([event(kind, **detail)], shipped)
    assert (flag.rule, flag.severity) == (rule, severity)
    assert flag.reason
    assert flag.event.kind == kind


@pytest.mark.parametrize(
    ("kind", "detail"),
    [
        ("ssh_key_added", {}),
        ("webhook_added", {"new_host": True}),
        ("deploy_key_added", {"read_only": False}),
        ("collaborator_added", {}),
        ("repository_made_public", {}),
        ("push", {"files": [".github/workflows/ci.yml"], "forced": True}),
    ],
)
def test_the_same_activity_outside_the_window_is_not_flagged(shipped, kind, detail):
    assert rules.flag([event(kind, in_window=False, **detail)], shipped) == []


@pytest.mark.parametrize(
    "ordinary",
    [
        event("push", files=["src/app.py", "README.md"], forced=False),
        event("push"),  # a push whose files could not be compared
        event("issue_comment"), event("star"), event("pull_request"),
        event("login", new_ip=False),
        event("tool_call", provider="local", tool="get_issue", argument_text="repo=octo/app"),
        event("push", files=["docs/github/workflows.md"], forced=False),
    ],
)
def test_ordinary_activity_is_not_flagged(shipped, ordinary):
    assert rules.flag([ordinary], shipped) == []


def test_tool_calls_touching_secrets_or_changing_things_are_flagged(shipped):
    reading_keys = event("tool_call", provider="local", tool="read_file",
                         argument_text="path=/home/dev/.ssh/id_ed25519")
    pushing = event("tool_call", provider="local", tool="push_files", argument_text="repo=x")
    assert [f.rule for f in rules.flag([reading_keys], shipped)] == ["tool-call-touching-secrets"]
    assert [f.rule for f in rules.flag([pushing], shipped)] == ["tool-call-changing-things"]
    leaking = event("tool_call", provider="local", tool="http_post",
                    argument_text="body=found: xoxp-1-2-3-abc")
    assert [f.rule for f in rules.flag([leaking], shipped)] == ["tool-call-carrying-a-token"]


def test_anything_done_with_the_token_per_the_audit_log_is_flagged(shipped):
    (flag,) = rules.flag([event("audit_team.add_member", by_token=True)], shipped)
    assert flag.rule == "done-with-the-token"
    assert rules.flag([event("audit_team.add_member", by_token=False)], shipped) == []


def test_flags_are_sorted_most_severe_first_then_newest(shipped):
    events = [
        event("tag_created", at="2025-01-10T10:00:00Z"),  # medium
        event("collaborator_added", at="2025-01-10T11:00:00Z"),  # high
        event("push", files=["a.py"], at="2025-01-10T11:30:00Z"),  # not flagged
        event("repository_made_public", at="2025-01-10T09:00:00Z"),  # critical
        event("release_published", at="2025-01-10T12:00:00Z"),  # high, newer
        event("deploy_key_added", read_only=False, at="2025-01-10T08:00:00Z"),  # critical, older
    ]
    flags = rules.flag(events, shipped)
    assert [f.severity for f in flags] == ["critical", "critical", "high", "high", "medium"]
    assert [f.event.kind for f in flags] == [
        "repository_made_public", "deploy_key_added", "release_published", "collaborator_added",
        "tag_created"]


def test_shipped_rules_are_unique_and_only_judge_the_window(shipped):
    ids = [rule.id for rule in shipped]
    assert len(ids) == len(set(ids)) >= 20
    assert all(rule.match["in_window"].value is True for rule in shipped)
    assert all(rule.source.endswith("rules/compromised-server.yaml") for rule in shipped)


# -- operators --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "detail", "expected"),
    [
        ("{one_of: [a.test, b.test]}", {"host": "b.test"}, True),
        ("{one_of: [a.test, b.test]}", {"host": "c.test"}, False),
        ("[a.test, b.test]", {"host": "a.test"}, True),
        ("{not: a.test}", {"host": "b.test"}, True),
        ("{not: a.test}", {"host": "a.test"}, False),
        ("{not_one_of: [a.test, b.test]}", {"host": "c.test"}, True),
        ("{not_one_of: [a.test, b.test]}", {"host": "a.test"}, False),
        ("{matches: '^ci\\.'}", {"host": "CI.example.test"}, True),
        ("{matches: '^ci\\.'}", {"host": "x.ci.example.test"}, False),
        ("{prefix: exfil}", {"host": "EXFIL.test"}, True),
        ("{contains: attacker}", {"host": "www.attacker.test"}, True),
        ("{contains: attacker}", {"host": "www.test"}, False),
        ("{exists: true}", {"host": "x"}, True),
        ("{exists: true}", {}, False),
        ("{exists: false}", {}, True),
        ("{at_least: 10}", {"host": 12}, True),
        ("{at_least: 10}", {"host": 9}, False),
        ("{at_least: 10}", {"host": "12"}, False),
        ("{prefix: .github/workflows/}", {"host": ["a.py", ".github/workflows/x.yml"]}, True),
        ("{prefix: .github/workflows/}", {"host": ["a.py"]}, False),
        ("true", {"host": 1}, False),  # YAML true is not the number 1
        ("1", {"host": True}, False),
    ],
)
def test_operators(tmp_path, condition, detail, expected):
    path = write(tmp_path, f"format: 1\nrules:\n  - id: r\n    match:\n"
                           f"      detail.host: {condition}\n    severity: low\n    reason: r\n")
    assert bool(rules.flag([event("webhook_added", **detail)], rules.load(path))) is expected


def test_every_condition_must_hold(tmp_path):
    path = write(tmp_path, "format: 1\nrules:\n  - id: r\n    match: {kind: webhook_added, "
                           "provider: gitlab}\n    severity: low\n    reason: r\n")
    mine = rules.load(path)
    assert rules.flag([event("webhook_added")], mine) == []
    assert len(rules.flag([event("webhook_added", provider="gitlab")], mine)) == 1


# -- user rules in front of the shipped ones --------------------------------------------------


def test_a_user_rule_comes_first_and_can_lower_a_severity(tmp_path, shipped):
    path = write(tmp_path, "format: 1\nrules:\n  - id: our-bots-add-keys\n"
                           "    match: {kind: ssh_key_added, detail.title: {prefix: bot-}}\n"
                           "    severity: low\n    reason: our provisioning adds bot keys\n")
    combined = rules.combine([rules.load(path)], shipped)
    (mine,) = rules.flag([event("ssh_key_added", title="bot-7")], combined)
    (theirs,) = rules.flag([event("ssh_key_added", title="laptop")], combined)
    assert (mine.rule, mine.severity) == ("our-bots-add-keys", "low")
    assert (theirs.rule, theirs.severity) == ("ssh-key-added", "critical")


def test_an_ignore_rule_marks_known_good_activity(tmp_path, shipped):
    path = write(tmp_path, "format: 1\nrules:\n  - id: our-ci\n    ignore: true\n"
                           "    match: {kind: webhook_added, detail.host: ci.example.test}\n")
    combined = rules.combine([rules.load(path)], shipped)
    assert rules.flag([event("webhook_added", host="ci.example.test", new_host=True)],
                      combined) == []
    assert len(rules.flag([event("webhook_added", host="evil.test", new_host=True)],
                          combined)) == 1


def test_a_user_rule_with_a_shipped_id_replaces_it(tmp_path, shipped):
    path = write(tmp_path, "format: 1\nrules:\n  - id: tag-changed\n"
                           "    match: {kind: [tag_created, tag_deleted], in_window: true}\n"
                           "    severity: critical\n    reason: we never move tags\n")
    combined = rules.combine([rules.load(path)], shipped)
    assert [r.id for r in combined].count("tag-changed") == 1
    (flag,) = rules.flag([event("tag_created")], combined)
    assert (flag.severity, flag.reason) == ("critical", "we never move tags")


# -- bad files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("format: 1\nrules:\n  - id: x\n    match: {kind: push}\n    severity: high\n"
         "    reason: r\n    sevrity: high\n", 7, ["'x'", "sevrity"]),
        ("format: 1\nrulez: []\n", 2, ["rulez"]),
        ("format: 1\nrules:\n  - id: x\n    match: {kind: push}\n    severity: urgent\n"
         "    reason: r\n", 5, ["'x'", "severity"]),
        ("format: 2\nrules: []\n", 1, ["format"]),
        ("format: 1\nrules:\n  - id: a\n    match: {kind: push}\n    severity: low\n"
         "    reason: r\n  - id: b\n    match: {kind: {startswith: x}}\n    severity: low\n"
         "    reason: r\n", 8, ["'b'", "unknown operator 'startswith'"]),
        ("format: 1\nrules:\n  - id: b\n    match: {detail.host: {matches: '(unclosed'}}\n"
         "    severity: low\n    reason: r\n", 4, ["not a valid regular expression"]),
        ("format: 1\nrules:\n  - id: b\n    match: {hostname: x}\n    severity: low\n"
         "    reason: r\n", 4, ["unknown field 'hostname'"]),
        ("format: 1\nrules:\n  - id: b\n    match: {kind: push}\n", 3,
         ["needs a severity and a reason"]),
        ("format: 1\nrules:\n  - id: b\n    match: {}\n    severity: low\n    reason: r\n", 4,
         ["match"]),
    ],
)
def test_a_bad_rules_file_is_bad_input_naming_file_line_and_rule(tmp_path, text, line, words):
    path = write(tmp_path, text, "my-rules.yaml")
    with pytest.raises(BadInput) as info:
        rules.load(path)
    assert info.value.exit_code == ExitCode.BAD_INPUT
    assert info.value.where == (f"{path}:{line}" if line else str(path))
    for word in words:
        assert word in str(info.value), str(info.value)
    assert info.value.hint and "docs/rules.md" in info.value.hint


def test_a_duplicate_id_in_one_file_is_bad_input(tmp_path):
    path = write(tmp_path, "format: 1\nrules:\n" + "  - id: x\n    match: {kind: push}\n"
                 "    severity: low\n    reason: r\n" * 2)
    with pytest.raises(BadInput, match="'x' is used twice"):
        rules.load(path)


def test_a_missing_rules_file_is_bad_input(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(BadInput) as info:
        rules.load(path)
    assert info.value.where == str(path)


def test_a_rules_file_that_is_not_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "format: 1\nrules:\n\t- id: x\n", "my-rules.yaml")
    with pytest.raises(BadInput) as info:
        rules.load(path)
    assert info.value.where == f"{path}:3:1"


def test_a_playbook_naming_a_missing_rules_file_fails_to_load(tmp_path):
    from responder.core.errors import PlaybookError

    shipped_text = Path(load_playbook("compromised-server").path).read_text()
    path = write(tmp_path, shipped_text.replace("rules: rules/compromised-server.yaml",
                                                "rules: rules/nope.yaml"), "pb.yaml")
    with pytest.raises(PlaybookError) as info:
        load_playbook(str(path))
    assert "nope.yaml" in str(info.value)
    assert info.value.where.startswith(f"{path}:")
