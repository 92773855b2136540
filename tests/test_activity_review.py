"""Issue 5's bar: the review of a realistic attack, end to end through the CLI.

The default drill's GitHub simulator holds an attack (new SSH key, webhook to an unknown host,
write deploy key, collaborator added, workflow edited, force push, repository made public, and
a repository created and another cloned with the stolen token per the GHEC audit log) mixed with
ordinary activity (an old laptop key, the CI webhook, an ordinary push, comments, stars). Every
attack item must be flagged with its reason, no ordinary item may be, and every evidence file
must match its manifest hash.
"""

from __future__ import annotations

import hashlib
import json
import subprocess

import pytest
from scenario import ALL_TOKENS, make_incident

from responder.activity.evidence import verify_manifest

ATTACK = {
    # rule → (target, words the summary must hold)
    "ssh-key-added": ("octo-dev", "ci-runner"),
    "webhook-to-new-host": ("octo-dev/api", "exfil.attacker.example"),
    "deploy-key-added-write": ("octo-dev/api", "backup-sync"),
    "collaborator-added": ("octo-dev/api", "shadow-maint"),
    "workflow-changed": ("octo-dev/api", ".github/workflows/ci.yml"),
    "force-push": ("octo-dev/api", "release"),
    "repository-made-public": ("octo-dev/internal-tools", "made public"),
    "repository-created": ("octo-org/mirror-tmp", "repo.create"),
    "repository-cloned": ("octo-org/payments", "git.clone"),
}
ORDINARY = ("work laptop", "ci.example.com", "netlify.example.com", "IssueCommentEvent",
            "WatchEvent", "octo-org/docs")


@pytest.fixture
def incident(sandbox, monkeypatch, capsys):
    made = make_incident(sandbox, monkeypatch, capsys)
    yield made
    made.sim.stop()


@pytest.fixture
def reviewed(incident):
    code, envelope = incident.run_json("run", "compromised-server", "--server", "github",
                                       "--yes")
    assert code == 0, json.dumps(envelope)[-2000:]
    review = next(s for s in envelope["steps"] if s["id"] == "review")
    return incident, review, incident.run_dirs()[0]


def test_every_attack_item_is_flagged_with_its_reason_and_nothing_ordinary(reviewed):
    _, review, _ = reviewed
    flagged = review["outputs"]["flagged"]
    by_rule = {f["rule"]: f for f in flagged}
    assert set(by_rule) == set(ATTACK), [f["rule"] for f in flagged]
    for rule, (target, words) in ATTACK.items():
        flag = by_rule[rule]
        assert flag["target"] == target, flag
        assert words in flag["summary"], flag
        assert flag["reason"] and "incident window" in flag["reason"]
        assert flag["source"], flag  # the evidence file it was read from
    text = json.dumps(flagged)
    for ordinary in ORDINARY:
        assert ordinary not in text
    # most severe first
    order = ["critical", "high", "medium", "low"]
    assert [order.index(f["severity"]) for f in flagged] == sorted(
        order.index(f["severity"]) for f in flagged)
    # The one thing a personal access token cannot see is said, not skipped.
    (gap,) = review["outputs"]["gaps"]
    assert "app installations on the account" in gap and "403" in gap


def test_the_ordinary_activity_is_reviewed_and_kept_not_dropped(reviewed):
    _, review, run_dir = reviewed
    activity = json.loads((run_dir / "activity.json").read_text())
    assert activity["format"] == "responder.activity/1"
    summaries = " | ".join(e["summary"] for e in activity["events"])
    for ordinary in ("work laptop", "ci.example.com", "IssueCommentEvent", "WatchEvent"):
        assert ordinary in summaries
    ordinary_push = [e for e in activity["events"] if e["kind"] == "push"
                     and e["detail"].get("files") == ["src/app.py"]]
    assert ordinary_push and ordinary_push[0]["detail"]["forced"] is False
    assert len(activity["flagged"]) == len(review["outputs"]["flagged"])
    assert review["outputs"]["events"] == len(activity["events"])


def test_the_manifest_hashes_match_every_evidence_file(reviewed):
    incident, _, run_dir = reviewed
    evidence = run_dir / "evidence"
    assert verify_manifest(evidence) == []
    lines = (evidence / "MANIFEST.sha256").read_text().splitlines()
    hashed = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in lines
              if not line.startswith("#")}
    files = {p.name for p in evidence.iterdir()} - {"MANIFEST.sha256", "manifest.jsonl"}
    assert files == set(hashed)
    for name, digest in hashed.items():
        assert hashlib.sha256((evidence / name).read_bytes()).hexdigest() == digest
    # each hash line carries when it was captured and the request that produced it
    comments = [line for line in lines if line.startswith("# ")]
    assert len(comments) == len(hashed)
    assert any("/repos/octo-dev/api/hooks" in c for c in comments)
    assert any("/orgs/octo-org/audit-log" in c and "hashed_token" in c for c in comments)
    check = subprocess.run(["sha256sum", "-c", "--quiet", "MANIFEST.sha256"], cwd=evidence,
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    # every flagged item names evidence files that exist
    activity = json.loads((run_dir / "activity.json").read_text())
    for flag in activity["flagged"]:
        for name in flag["source"].split(", "):
            assert (evidence / name).is_file(), name


def test_the_report_puts_the_activity_review_first_with_flags_then_gaps(reviewed):
    _, _, run_dir = reviewed
    report = (run_dir / "report.md").read_text()
    activity = report.index("## Activity review")
    assert activity < report.index("## Where the server was defined")
    section = report[activity:report.index("## Where the server was defined")]
    assert section.index("Flagged (9)") < section.index("Reviewed:")
    assert "exfil.attacker.example" in section and ".github/workflows/ci.yml" in section
    assert "sha256sum -c MANIFEST.sha256" in section


def test_the_terminal_shows_a_table_of_flagged_items(incident):
    code, out, err = incident.run("run", "compromised-server", "--server", "github", "--yes")
    assert code == 0, out + err
    assert "Flagged activity (9)" in out
    row = next(line for line in out.splitlines() if "exfil.attacker.example" in line)
    assert row.strip().startswith("critical |")


def test_no_token_reaches_any_output_of_the_review(reviewed):
    incident, review, run_dir = reviewed
    captured = json.dumps(review)
    for path in run_dir.rglob("*"):
        # backups/ holds the original configs byte for byte (0600), literal tokens included
        if path.is_file() and "backups" not in path.relative_to(run_dir).parts:
            captured += path.read_text(errors="replace")
    for token in ALL_TOKENS:
        assert token not in captured


def test_a_fault_on_one_repository_is_a_gap_and_the_rest_is_still_reviewed(incident):
    incident.sim.faults.add("GET", "/repos/octo-dev/api/hooks*", status=500, times=None)
    code, envelope = incident.run_json("run", "compromised-server", "--server", "github",
                                       "--yes")
    review = next(s for s in envelope["steps"] if s["id"] == "review")
    assert review["status"] == "ok"
    gaps = " | ".join(review["outputs"]["gaps"])
    assert "octo-dev/api webhooks" in gaps and "500" in gaps
    rules = {f["rule"] for f in review["outputs"]["flagged"]}
    assert "webhook-to-new-host" not in rules  # not seen, so a gap, not a flag
    assert {"ssh-key-added", "deploy-key-added-write", "workflow-changed"} <= rules
    report = (incident.run_dirs()[0] / "report.md").read_text()
    assert "octo-dev/api webhooks" in report and "Evidence gaps" in report
    assert code == 0
