"""`responder checklist`: the three formats through the CLI, and `--run` ticking items from a real
or a synthetic journal."""

from __future__ import annotations

import json
import os
import re
import stat

import pytest

from responder.cli.app import main
from responder.core.fs import ensure_private_dir
from responder.core.paths import runs_dir
from responder.engine import loader
from responder.engine.drill import run_drill
from responder.engine.runs import events as journal_events
from responder.engine.runs import find
from responder.reports import cacao
from responder.reports.cacao_checks import problems

TASK = re.compile(r"^- \[( |x)\] \*\*(.+)\*\* \(")


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def ticks(markdown: str) -> dict[str, bool]:
    """Step title → ticked, for the playbook's items (not the "left from run" ones)."""
    found = {}
    for line in markdown.splitlines():
        match = TASK.match(line)
        if match:
            found[match.group(2)] = match.group(1) == "x"
    return found


@pytest.fixture(scope="module")
def playbook():
    return loader.load("compromised-server").playbook


def write_journal(run_id: str, lines: list[str]) -> str:
    directory = ensure_private_dir(ensure_private_dir(runs_dir(os.environ)) / run_id)
    (directory / "journal.jsonl").write_text("".join(lines))
    return run_id


def event(name: str, **fields) -> str:
    return json.dumps({"ts": "2026-03-01T12:00:00+00:00", "event": name, **fields}) + "\n"


def step(step_id: str, status: str, error: str | None = None, manual=()) -> str:
    return event("step_finished", id=step_id, status=status, error=error, manual=list(manual),
                 changes=[])


# -- with a real run ---------------------------------------------------------------------------

def test_a_drills_checklist_ticks_what_its_journal_says(capsys, playbook):
    drilled = run_drill("compromised-server", "default")
    capsys.readouterr()
    run_id = drilled.result.run_id
    last = {}
    for entry in journal_events(find(os.environ, run_id)):
        if entry.get("event") == "step_finished":
            last[entry["id"]] = entry
    assert set(last) == {s.id for s in playbook.steps}

    code, out, err = run(capsys, "checklist", "compromised-server", "--run", run_id[:24])
    assert code == 0, err
    assert f"Run `{run_id}` (live run), status: ok." in out
    ticked = ticks(out)
    for item in playbook.steps:
        entry = last[item.id]
        expected = entry["status"] == "ok" or (entry["status"] == "skipped"
                                               and entry["error"] == "condition is false")
        assert ticked[item.title] is expected, (item.id, entry["status"])
    assert ticked[playbook.step("revoke").title] is True
    assert ticked[playbook.step("reissue").title] is False  # a person's job
    assert ticked[playbook.step("submit").title] is True  # not asked for: not needed
    assert "not needed: its condition (`{{ inputs.submit }}`) was false" in out

    code, out, _ = run(capsys, "checklist", "compromised-server", "--run", run_id, "-f", "json")
    data = json.loads(out)
    assert data["run"]["run_id"] == run_id and data["run"]["status"] == "ok"
    rows = {row["id"]: row for phase in data["phases"] for row in phase["items"]}
    for step_id, entry in last.items():
        assert rows[step_id]["status"] == entry["status"]
        assert rows[step_id]["done"] is ticked[playbook.step(step_id).title]
        assert rows[step_id]["note"]


# -- with synthetic journals -------------------------------------------------------------------

def test_a_journal_cut_mid_line_is_still_read(capsys, playbook):
    run_id = write_journal("20260301T120000Z-compromised-server-aaaaaa", [
        event("run_started", playbook="compromised-server", dry_run=True),
        step("inventory", "ok"),
        step("contain", "planned"),
        step("stop", "refused", "not approved (no terminal); nothing was sent"),
        '{"ts": "2026-03-01T12:00:01+00:00", "event": "step_finished", "id": "snap',
    ])
    code, out, err = run(capsys, "checklist", "compromised-server", "--run", run_id)
    assert code == 0, err
    assert f"Run `{run_id}` (dry run), status: interrupted." in out
    ticked = ticks(out)
    assert ticked[playbook.step("inventory").title] is True
    assert [title for title, done in ticked.items() if done] == [
        playbook.step("inventory").title]
    assert "  - _Run:_ planned only, dry run" in out
    assert "  - _Run:_ refused: not approved (no terminal); nothing was sent" in out
    assert out.count(f"  - _Run:_ not run yet: `responder runs resume {run_id}`") == 11


def test_a_failed_step_and_what_the_run_left(capsys, playbook):
    run_id = write_journal("20260301T130000Z-compromised-server-bbbbbb", [
        event("run_started", playbook="compromised-server", dry_run=False),
        step("inventory", "ok"),
        step("revoke", "failed", "GitHub answered 500", manual=["Revoke ghp_…9f2a by hand."]),
        step("revoke", "failed", "GitHub answered 503", manual=["Revoke ghp_…9f2a by hand."]),
        event("run_finished", status="failed", exit_code=1),
    ])
    code, out, _ = run(capsys, "checklist", "compromised-server", "--run", run_id[:30])
    assert code == 0
    assert "  - _Run:_ failed: GitHub answered 503" in out  # the last finish counts
    assert "GitHub answered 500" not in out
    assert f"## Left from run {run_id}" in out
    assert "- [ ] Revoke ghp_…9f2a by hand. _(step revoke)_" in out
    assert out.count("Revoke ghp_…9f2a by hand.") == 1


def test_an_unknown_run_is_exit_2_with_a_hint(capsys):
    write_journal("20260301T140000Z-compromised-server-cccccc",
                  [event("run_started", playbook="compromised-server")])
    code, out, err = run(capsys, "checklist", "compromised-server", "--run", "19990101")
    assert code == 2 and out == ""
    assert "no single run matches '19990101'" in err
    assert "hint: `responder runs list` shows run ids" in err
    assert "20260301T140000Z-compromised-server-cccccc" in err


def test_an_ambiguous_prefix_is_exit_2(capsys):
    for suffix in ("dddddd", "eeeeee"):
        write_journal(f"20260301T150000Z-compromised-server-{suffix}",
                      [event("run_started", playbook="compromised-server")])
    code, out, err = run(capsys, "checklist", "compromised-server", "--run", "20260301T15")
    assert code == 2 and out == "" and "no single run matches" in err


def test_a_run_of_another_playbook_is_exit_2(capsys):
    run_id = write_journal("20260301T160000Z-other-ffffff",
                           [event("run_started", playbook="other-playbook")])
    code, out, err = run(capsys, "checklist", "compromised-server", "--run", run_id)
    assert code == 2 and out == ""
    assert "ran playbook 'other-playbook'" in err
    assert f"hint: responder checklist other-playbook --run {run_id}" in err


def test_a_run_without_a_journal_is_exit_2(capsys):
    run_id = write_journal("20260301T170000Z-compromised-server-000000", [])
    code, _, err = run(capsys, "checklist", "compromised-server", "--run", run_id)
    assert code == 2 and "has no journal" in err


# -- CACAO through the CLI ---------------------------------------------------------------------

def test_cacao_export_is_checked_deterministic_and_private(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    code, first, _ = run(capsys, "checklist", "compromised-server", "--format", "cacao")
    assert code == 0
    code, second, _ = run(capsys, "checklist", "compromised-server", "-f", "cacao")
    assert first == second and first.endswith("}\n")
    document = json.loads(first)
    assert problems(document) == []
    assert document["spec_version"] == "cacao-2.0"
    target = tmp_path / "out" / "playbook.cacao.json"
    target.parent.mkdir()
    code, out, err = run(capsys, "checklist", "compromised-server", "-f", "cacao", "-o",
                         str(target))
    assert code == 0 and out == "" and f"wrote {target}" in err
    assert target.read_text() == first
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_cacao_timestamps_come_from_the_option_or_source_date_epoch(capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    _, out, _ = run(capsys, "checklist", "compromised-server", "-f", "cacao")
    assert json.loads(out)["modified"] == "2026-01-01T00:00:00.000Z"
    _, out, _ = run(capsys, "checklist", "compromised-server", "-f", "cacao", "--timestamp",
                    "2026-02-03T04:05:06.789+01:00")
    document = json.loads(out)
    assert document["created"] == document["modified"] == "2026-02-03T03:05:06.789Z"
    code, out, err = run(capsys, "checklist", "compromised-server", "-f", "cacao",
                         "--timestamp", "now")
    assert code == 0 and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$",
                                  json.loads(out)["modified"])


@pytest.mark.parametrize(("args", "message"), [
    (["-f", "cacao", "--run", "x"], "--run does not combine with --format cacao"),
    (["--timestamp", "now"], "--timestamp applies to --format cacao only"),
    (["-f", "cacao", "--timestamp", "2026-01-01T00:00:00"], "not a time with its UTC offset"),
])
def test_option_mistakes_are_exit_2(capsys, args, message):
    code, out, err = run(capsys, "checklist", "compromised-server", *args)
    assert code == 2 and out == "" and message in err and "hint:" in err


def test_an_export_that_breaks_a_rule_is_a_bug_and_nothing_is_written(capsys, tmp_path,
                                                                       monkeypatch):
    real = cacao.export

    def broken(*args, **kwargs):
        document = real(*args, **kwargs)
        document["created"] = "2026-01-01T00:00:00Z"
        return document

    monkeypatch.setattr(cacao, "export", broken)
    target = tmp_path / "x.json"
    code, out, err = run(capsys, "checklist", "compromised-server", "-f", "cacao", "-o",
                         str(target))
    assert code == 1 and out == "" and "Traceback" not in err
    assert "breaks 1 CACAO rule(s): created:" in err and "bug in responder" in err
    assert not target.exists()


def test_help_names_every_format_and_option(capsys):
    code, out, _ = run(capsys, "checklist", "--help")
    assert code == 0
    for word in ("markdown", "json", "cacao", "--output", "--run", "--timestamp",
                 "SOURCE_DATE_EPOCH", "evidence", "sign-off", "docs/checklists.md"):
        assert word in out, word
