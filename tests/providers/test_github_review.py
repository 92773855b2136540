"""The GitHub activity review end to end against the simulator: the two pulls (suspect token
before revocation, responder token after), what a fault leaves as a gap, pushes compared,
repositories gone or moved, the organisation audit log, merging two tokens' views, the
normalised events and the evidence they came from. Reader-level faults are in test_github_pull."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from responder.activity.evidence import EvidenceStore, verify_manifest
from responder.core.secrets import Secret, SecretRegistry
from responder.engine.context import Timing
from responder.providers.base import Settings
from responder.providers.github import GitHubProvider
from responder.providers.github_activity import GitHubCapture, Pull, capture, own_lists
from responder.providers.github_events import normalise
from responder.sim.github import GitHubSimulator

NOW = datetime.now(UTC).replace(microsecond=0)
WINDOW = NOW - timedelta(days=7)
SUSPECT = "ghp_" + "S1" * 18  # the leaked token: every scope the owner-only lists need
NARROW = "ghp_" + "N2" * 18  # the same account's other token: repo only
RESPONDER = "ghp_" + "R3" * 18  # responder-bot: admin on the repositories, owner of the orgs
APP_USER = "ghu_" + "U4" * 18  # a GitHub App user token of octo: may list installations
TOKENS = (SUSPECT, NARROW, RESPONDER, APP_USER)
FAST = Timing(request_timeout=2.0, verify_backoff=(0.02,), read_retries=1, max_retry_after=0.2)
ZERO = "0" * 40
WORKFLOW = ".github/workflows/ci.yml"


def _push(number: int, at: str, ref: str, before: str, head: str,
          repo: str = "octo/api") -> dict[str, Any]:
    return {"id": str(number), "type": "PushEvent", "created_at": at, "repo": repo,
            "payload": {"ref": f"refs/heads/{ref}", "before": before, "head": head}}


def base_seed() -> dict[str, Any]:
    """octo's account after an attack mixed with ordinary activity."""
    return {
        "users": [
            {"login": "octo", "orgs": ["acme", "padco", "smallco"],
             "tokens": [{"value": SUSPECT, "scopes": ["repo", "read:org", "admin:public_key",
                                                      "read:gpg_key", "read:ssh_signing_key",
                                                      "admin:repo_hook"]},
                        {"value": NARROW, "scopes": ["repo"]},
                        {"value": APP_USER}],
             "keys": [{"id": 101, "title": "laptop", "key": "ssh-ed25519 AAAAold",
                       "created_at": "-400d"},
                      {"id": 102, "title": "ci-runner", "key": "ssh-ed25519 AAAAnew",
                       "created_at": "-3h"}],
             "installations": [{"id": 501, "app_slug": "shady-ci", "created_at": "-2h",
                                "repository_selection": "all"}],
             "events": [
                 _push(1, "-5h", "main", "a1", "a2"),
                 _push(2, "-90m", "main", "a2", "a3"),
                 _push(3, "-80m", "release", "b1", "b2"),
                 _push(4, "-70m", "evil", ZERO, "c1"),
                 _push(5, "-60m", "main", "dead1", "dead2"),
                 {"id": "6", "type": "CreateEvent", "created_at": "-1h", "repo": "octo/fresh",
                  "payload": {"ref_type": "repository"}},
                 {"id": "7", "type": "IssuesEvent", "created_at": "-2h", "repo": "acme/old-name"},
                 {"id": "8", "type": "IssuesEvent", "created_at": "-2h", "repo": "octo/tool"},
                 {"id": "9", "type": "IssuesEvent", "created_at": "-2h", "repo": "octo/gone"},
                 {"id": "10", "type": "WatchEvent", "created_at": "-20d", "repo": "x/y"},
             ]},
            {"login": "responder-bot", "tokens": [{"value": RESPONDER, "scopes": [
                "repo", "admin:repo_hook", "read:org", "read:audit_log"]}]},
        ],
        "repos": [
            {"full_name": "octo/api", "private": True, "admins": ["octo", "responder-bot"],
             "pushed_at": "-1h",
             "hooks": [{"id": 1, "config": {"url": "https://ci.example.com/h"}, "events": ["push"],
                        "created_at": "-300d"},
                       {"id": 2, "config": {"url": "https://exfil.attacker.example/c"},
                        "events": ["push"], "created_at": "-3h"}],
             "deploy_keys": [{"id": 7, "title": "backup", "key": "ssh-ed25519 AAAAdk",
                              "read_only": False, "created_at": "-1h"}],
             "invitations": [{"id": 8, "invitee": "mallory", "permissions": "admin",
                              "created_at": "-1h"}],
             "commits": [
                 {"sha": "a0", "files": ["README.md"], "date": "-400d"},
                 {"sha": "a1", "parents": ["a0"], "files": ["src/app.py"], "date": "-30h"},
                 {"sha": "a2", "parents": ["a1"], "files": ["src/app.py"], "date": "-5h"},
                 {"sha": "a3", "parents": ["a2"], "files": [WORKFLOW], "date": "-90m"},
                 {"sha": "b1", "parents": ["a1"], "files": ["CHANGELOG.md"], "date": "-2d"},
                 {"sha": "b2", "parents": ["a1"], "files": [WORKFLOW, "src/release.py"],
                  "date": "-80m"},
                 {"sha": "c1", "parents": ["a3"], "files": ["evil.sh"], "date": "-70m"},
             ],
             "branches": {"main": "a3", "release": "b2", "evil": "c1"}},
            {"full_name": "octo/web", "private": True, "admins": ["octo", "responder-bot"],
             "hooks": [{"id": 3, "config": {"url": "https://CI.example.com/web"},
                        "events": ["push"], "created_at": "-1h"}]},
            {"full_name": "octo/new", "private": True, "admins": ["octo", "responder-bot"],
             "created_at": "-2h"},
            {"full_name": "octo/fresh", "private": True, "admins": ["octo", "responder-bot"],
             "created_at": "-1h"},
            {"full_name": "acme/old-name", "moved_to": "acme/new-name", "private": True,
             "admins": ["responder-bot"], "collaborators": ["octo"]},
            {"full_name": "octo/tool", "moved_to": "other/tool", "private": True,
             "admins": ["responder-bot"], "collaborators": ["octo"]},
        ],
        "orgs": [
            {"login": "acme", "ghec": True, "owners": ["responder-bot"],
             "installations": [{"id": 601, "app_slug": "org-bot", "created_at": "-2h",
                                "repository_selection": "selected"}],
             "audit_log": [{"action": "hook.create", "actor": "octo", "created_at": "-3h",
                            "token": SUSPECT, "repo": "octo/api"},
                           {"action": "repo.update", "actor": "octo", "created_at": "-2d"},
                           {"action": "repo.update", "actor": "carol", "created_at": "-2d"}]},
            {"login": "padco", "ghec": True, "owners": ["responder-bot"], "hash_form": "padded",
             "audit_log": [{"action": "repo.create", "actor": "octo", "created_at": "-1h",
                            "token": SUSPECT, "repo": "padco/x"}]},
            {"login": "smallco", "ghec": False, "owners": ["responder-bot"]},
        ],
    }


@dataclass
class Review:
    sim: GitHubSimulator
    provider: GitHubProvider
    evidence: EvidenceStore
    directory: Path

    def own(self, token: str = SUSPECT, budget: float = 10) -> GitHubCapture:
        return own_lists(self.provider, token, self.evidence, budget)

    def suspect(self, token: str = SUSPECT, scopes: tuple[str, ...] | None = None,
                budget: float = 10) -> GitHubCapture:
        known = self.sim.state.tokens[token].scopes
        return capture(self.pull(token, True, budget, scopes or tuple(known)),
                       owned=self.own(token, budget))

    def responder(self, known: GitHubCapture | None, budget: float = 10) -> GitHubCapture:
        return capture(self.pull(RESPONDER, False, budget), known=known)

    def pull(self, token: str, as_owner: bool, budget: float = 10,
             scopes: tuple[str, ...] | None = None) -> Pull:
        return Pull(self.provider, token, "octo", WINDOW, self.evidence, budget, as_owner,
                    scopes=scopes, hashed_token=Secret(SUSPECT).hashed_token)

    def both(self) -> GitHubCapture:
        """What the review action does: the snapshot, then the re-check with its knowledge."""
        merged = GitHubCapture(login="octo")
        merged.merge(self.suspect())
        merged.merge(self.responder(known=merged))
        merged.settle()
        return merged

    def paths(self, prefix: str = "") -> Counter[str]:
        return Counter(r.path for r in self.sim.requests if r.path.startswith(prefix))


def make_review(directory: Path, seed: dict[str, Any], timing: Timing = FAST,
                registry: SecretRegistry | None = None) -> tuple[Review, GitHubSimulator]:
    sim = GitHubSimulator.from_seed(seed, now=NOW)
    sim.start()
    settings = Settings(timing=timing, endpoints=MappingProxyType({}),
                        admin=MappingProxyType({}), clock=lambda: NOW, window_start=WINDOW)
    if registry is None:
        registry = SecretRegistry()
        for token in TOKENS:
            registry.add(token)
    evidence = EvidenceStore(directory / "evidence", registry, lambda: NOW)
    return Review(sim, GitHubProvider(sim.base_url, settings), evidence, directory), sim


@pytest.fixture
def review(tmp_path):
    made, sim = make_review(tmp_path, base_seed())
    yield made
    sim.stop()
    assert sim.errors == []


def gaps_about(captured: GitHubCapture, text: str) -> list[str]:
    return [g.text() for g in captured.gaps if text in g.what]


# -- faults: the review goes on and says what it could not see --------------------------------


def test_events_page_two_failing_keeps_page_one_and_names_the_page(tmp_path):
    seed = base_seed()
    seed["users"][0]["events"] = [{"id": str(900 + n), "type": "WatchEvent", "repo": "x/y",
                                   "created_at": f"-{n + 1}m"} for n in range(150)]
    review, sim = make_review(tmp_path, seed)
    with sim:
        sim.faults.add("GET", "/users/octo/events?*page=2*", status=500, times=None)
        captured = review.suspect()
    assert len(captured.lists["events"]) == 100
    [gap] = gaps_about(captured, "events")
    assert "page 2 of 2" in gap and "500" in gap and "other pages were kept" in gap


def test_a_partial_read_stays_a_gap_after_settle(tmp_path):
    seed = base_seed()
    seed["users"][0]["events"] = [{"id": str(900 + n), "type": "WatchEvent", "repo": "x/y",
                                   "created_at": f"-{n + 1}m"} for n in range(150)]
    review, sim = make_review(tmp_path, seed)
    with sim:
        sim.faults.add("GET", "/users/octo/events?*page=2*", status=500, times=None)
        captured = review.both()  # merged and settled, as activity.review does
    assert any("page 2 of 2" in g for g in gaps_about(captured, "events"))


def test_repository_list_page_two_failing_keeps_page_one(tmp_path):
    seed = base_seed()
    seed["repos"] += [{"full_name": f"bulk/r{n:03d}", "collaborators": ["octo"]}
                      for n in range(150)]
    review, sim = make_review(tmp_path, seed)
    with sim:
        sim.faults.add("GET", "/user/repos?*page=2*", status=500, times=None)
        owned = review.own()
    assert len(owned.lists["repos"]) == 100
    [gap] = gaps_about(owned, "repositories")
    assert "page 2 of 2" in gap and "500" in gap


def test_missing_scope_on_one_repos_hooks_names_the_scope(review):
    sim = review.sim
    route = next(r for r in sim.routes if r.template == "/repos/{owner}/{repo}/hooks")
    # GitHub's answer for a classic token without a hook scope: 403 naming what it accepts.
    route.options.update(scopes=("admin:repo_hook", "read:repo_hook", "write:repo_hook"),
                         scope_error=(403, "Must have admin rights to Repository."))
    captured = review.suspect(token=NARROW)
    hooks = [g for g in captured.gaps if g.what.endswith(" webhooks")]
    assert {g.what for g in hooks} == {"octo/api webhooks", "octo/web webhooks",
                                       "octo/new webhooks", "octo/fresh webhooks"}
    assert all("403" in g.why and "admin:repo_hook" in g.why for g in hooks)
    # the other lists of the same repositories were read
    assert set(captured.per_repo["octo/api"]) == {"keys", "invitations"}


def test_a_403_without_accepted_scopes_says_access_refused(review):
    review.sim.faults.add("GET", "/repos/octo/api/keys", status=403, times=None)
    captured = review.suspect()
    [gap] = [g for g in captured.gaps if g.what == "octo/api deploy keys"]
    assert "access refused (403" in gap.why and "scope" not in gap.why


def test_deleted_repository_is_an_event_for_the_suspect_and_a_gap_for_the_responder(review):
    mine = review.suspect()
    assert mine.repo_state["octo/gone"]["state"] == "missing"
    missing = [e for e in normalise(mine, WINDOW) if e.kind == "repository_missing"]
    assert [(e.target, e.in_window) for e in missing] == [("octo/gone", True)]
    theirs = review.responder(known=None)
    assert "octo/gone" not in theirs.repo_state
    [gap] = gaps_about(theirs, "repository octo/gone")
    assert "not found (404)" in gap
    assert not [e for e in normalise(theirs, WINDOW) if e.kind == "repository_missing"]


def test_a_500_on_one_repos_hooks_leaves_the_others_read(review):
    review.sim.faults.add("GET", "/repos/octo/api/hooks", status=500, times=None)
    captured = review.suspect()
    assert [g.what for g in captured.gaps if "webhooks" in g.what] == ["octo/api webhooks"]
    assert "500" in gaps_about(captured, "octo/api webhooks")[0]
    assert "hooks" not in captured.per_repo.get("octo/api", {})
    assert [h["id"] for h in captured.per_repo["octo/web"]["hooks"]] == [3]
    assert set(captured.per_repo["octo/api"]) == {"keys", "invitations"}


def test_a_tiny_time_budget_gives_gaps_not_an_exception(review):
    captured = review.suspect(budget=0)
    assert captured.lists == {} and captured.per_repo == {}
    budget = [g for g in captured.gaps if "not read within the time budget" in g.why]
    assert {g.what for g in budget} >= {"events", "SSH keys", "repositories"}
    assert review.sim.requests == []


# -- concurrency -------------------------------------------------------------------------------


def test_thirty_admin_repositories_are_read_at_once_each_list_once(tmp_path):
    from responder.providers.github_pull import CONCURRENCY

    seed = base_seed()
    seed["repos"] += [{"full_name": f"octo/svc-{n:02d}", "private": True,
                       "admins": ["octo", "responder-bot"]} for n in range(30)]
    review, sim = make_review(tmp_path, seed)
    with sim:
        sim.latency = 0.2
        snapshot = review.suspect()
        first = review.paths("/repos/octo/svc-")
        peak = sim.in_flight.peak
        review.responder(known=snapshot)
        both = review.paths("/repos/octo/svc-")
    assert 10 < peak <= min(CONCURRENCY, sim.max_concurrent)
    assert sim.in_flight.refused == 0
    expected = {f"/repos/octo/svc-{n:02d}/{kind}" for n in range(30)
                for kind in ("hooks", "keys", "invitations")}
    assert set(first) == expected and set(first.values()) == {1}
    assert set(both) == expected and set(both.values()) == {2}
    assert len(snapshot.per_repo) == 34


# -- pushes ------------------------------------------------------------------------------------


def test_pushes_are_compared_with_what_they_replaced(review):
    captured = review.suspect()
    pushes = {e.detail["event_id"]: e for e in normalise(captured, WINDOW) if e.kind == "push"}
    ordinary, workflow, forced, branch, unknown = (pushes[str(n)] for n in range(1, 6))
    assert (ordinary.detail["forced"], ordinary.detail["files"]) == (False, ["src/app.py"])
    assert ordinary.detail["workflow_files"] == [] and ordinary.detail["comparison"] == "ahead"
    assert workflow.detail["workflow_files"] == [WORKFLOW] and not workflow.detail["forced"]
    assert forced.detail["forced"] is True and forced.detail["comparison"] == "diverged"
    assert forced.detail["workflow_files"] == [WORKFLOW] and "force push" in forced.summary
    assert branch.detail["files"] == ["evil.sh"] and branch.detail["comparison"] == "new branch"
    assert "files" not in unknown.detail and "not compared" in unknown.summary
    paths = review.paths("/repos/octo/api/")
    c1 = next(p for p in paths if p.startswith("/repos/octo/api/commits/"))
    assert c1.endswith(review.sim.state.repos["octo/api"].resolve("c1").sha)
    assert not [p for p in paths if "/compare/" + ZERO in p]
    [gap] = [g for g in captured.gaps if g.what.startswith("push to octo/api refs/heads/main")]
    assert "no longer reachable" in gap.why
    assert forced.source.count(".json") == 2  # the event page and the comparison


def test_the_responder_does_not_compare_a_push_twice(review):
    snapshot = review.suspect()
    before = sum(n for p, n in review.paths().items() if "/compare/" in p or "/commits/" in p)
    review.responder(known=snapshot)
    after = sum(n for p, n in review.paths().items() if "/compare/" in p or "/commits/" in p)
    # only the one the snapshot could not compare is asked again
    assert after - before == 1


# -- transferred and renamed repositories -------------------------------------------------------


def test_moved_repositories_touched_in_the_window_become_events(review):
    captured = review.suspect()
    assert captured.repo_state["acme/old-name"]["now"] == "acme/new-name"
    assert captured.repo_state["octo/tool"]["now"] == "other/tool"
    events = {e.target: e for e in normalise(captured, WINDOW)
              if e.kind in ("repository_transferred", "repository_renamed")}
    assert events["acme/old-name"].kind == "repository_renamed"
    assert events["octo/tool"].kind == "repository_transferred"
    assert events["octo/tool"].in_window and events["octo/tool"].detail["now"] == "other/tool"
    assert events["octo/tool"].source.endswith(".json")
    # each move was read once, not again and again through the redirect
    assert review.paths("/repos/octo/tool")["/repos/octo/tool"] == 1


# -- the organisation audit log ----------------------------------------------------------------


def test_audit_log_marks_token_entries_and_finds_both_hash_forms(review):
    captured = review.both()
    audit = [e for e in normalise(captured, WINDOW) if e.detail.get("action")]
    by_org = {(e.detail["org"], e.detail["action"], e.detail["actor"]): e for e in audit}
    hook = by_org[("acme", "hook.create", "octo")]
    assert hook.kind == "webhook_added" and hook.detail["by_token"] is True
    assert hook.detail["hash_form"] == "unpadded"
    assert by_org[("acme", "repo.update", "octo")].detail["by_token"] is False
    assert ("acme", "repo.update", "carol") not in by_org
    padded = by_org[("padco", "repo.create", "octo")]
    assert padded.detail["by_token"] is True and padded.detail["hash_form"] == "padded"
    [small] = gaps_about(captured, "audit log of smallco")
    assert "Enterprise Cloud" in small


def test_audit_log_follows_cursor_pages_past_one_hundred(tmp_path):
    seed = base_seed()
    seed["orgs"][0]["audit_log"] = [
        {"action": "git.clone", "actor": "octo", "created_at": f"-{n + 1}m", "token": SUSPECT,
         "repo": "acme/api"} for n in range(230)]
    review, sim = make_review(tmp_path, seed)
    with sim:
        captured = review.responder(known=review.own())
    from_acme = [e for e in captured.audit.values() if e["_org"] == "acme"]
    assert len(from_acme) == 230 and all(e["_by_token"] for e in from_acme)
    pages = [r for r in sim.requests if r.path == "/orgs/acme/audit-log"]
    cursors = [r.query.get("after", [""])[0] for r in pages if "hashed_token" in
               r.query["phrase"][0]]
    assert len(cursors) == 3 and cursors[0] == "" and all(cursors[1:])
    assert len(set(cursors)) == 3
    assert not gaps_about(captured, "audit log of acme")


def test_audit_log_needs_an_owner_with_the_scope(tmp_path):
    seed = base_seed()
    seed["orgs"][0]["owners"] = ["someone-else"]
    seed["users"][1]["tokens"][0]["scopes"] = ["repo", "admin:repo_hook", "read:org"]
    review, sim = make_review(tmp_path, seed)
    with sim:
        captured = review.responder(known=review.own())
    assert captured.audit == {}
    for org in ("acme", "padco"):
        [gap] = gaps_about(captured, f"audit log of {org}")
        assert "403" in gap and "read:audit_log" in gap


@pytest.mark.parametrize(("scopes", "read"), [(("repo", "read:org"), False),
                                              (("repo", "read:audit_log"), True),
                                              (("repo", "admin:org"), True)])
def test_the_suspect_token_reads_the_audit_log_only_with_its_scope(review, scopes, read):
    review.suspect(scopes=scopes)
    asked = [r for r in review.sim.requests if r.path.endswith("/audit-log")]
    assert bool(asked) is read


# -- two tokens of one account -----------------------------------------------------------------


def test_a_list_another_token_read_is_no_gap_one_neither_read_stays(tmp_path):
    seed = base_seed()
    seed["users"][0]["tokens"][0]["scopes"] = ["repo", "read:org", "read:public_key"]
    review, sim = make_review(tmp_path, seed)
    with sim:
        narrow, wide = review.own(NARROW), review.own(SUSPECT)
    assert gaps_about(narrow, "SSH keys") and "read:public_key" in narrow.gaps[0].why
    merged = GitHubCapture(login="octo")
    merged.merge(narrow)
    merged.merge(wide)
    merged.settle()
    assert not gaps_about(merged, "SSH keys")
    assert [k["id"] for k in merged.lists["keys"]] == [101, 102]
    assert gaps_about(merged, "GPG keys") and gaps_about(merged, "SSH signing keys")


# -- normalised events -------------------------------------------------------------------------


def test_webhook_new_host_compares_with_older_hooks_on_any_repository(review):
    events = normalise(review.suspect(), WINDOW)
    hooks = {e.detail["id"]: e for e in events if e.kind == "webhook_added"}
    assert hooks[1].detail["new_host"] is False and not hooks[1].in_window
    assert hooks[2].detail["new_host"] is True and hooks[2].detail["host"] == \
        "exfil.attacker.example"
    # created in the window, but octo/api's older hook already sends to that host
    assert hooks[3].in_window and hooks[3].detail["new_host"] is False


def test_installations_and_created_repositories(review):
    merged = GitHubCapture(login="octo")
    merged.merge(review.suspect(token=APP_USER, scopes=()))
    merged.merge(review.responder(known=merged))
    events = normalise(merged, WINDOW)
    apps = {e.detail["app"]: e for e in events if e.kind == "app_installed"}
    assert set(apps) == {"shady-ci", "org-bot"} and all(e.in_window for e in apps.values())
    created = Counter(e.target for e in events
                      if e.kind == "repository_created" and "action" not in e.detail)
    assert created == {"octo/new": 1, "octo/fresh": 1}


# -- evidence ----------------------------------------------------------------------------------


def test_every_page_is_evidence_and_no_request_line_holds_a_token(tmp_path):
    # Nothing registered: scrubbing hides nothing, so the files must be token-free by themselves.
    review, sim = make_review(tmp_path, base_seed(), registry=SecretRegistry())
    with sim:
        captured = review.both()
        base = sim.base_url
    directory = tmp_path / "evidence"
    assert verify_manifest(directory) == []
    answered = [r for r in sim.requests if r.status == 200]
    assert len(review.evidence.items) == len(answered) > 30
    listed = {name for files in captured.sources.values() for name in files.split(", ")}
    assert listed <= {item.file for item in review.evidence.items}
    texts = [p.read_text() for p in directory.iterdir()]
    for token in TOKENS:
        assert not any(token in text for text in texts)
    for item in review.evidence.items:
        assert item.request.startswith(f"GET {base}/") and "\n" not in item.request
    manifest = [json.loads(line) for line in (directory / "manifest.jsonl").read_text()
                .splitlines()]
    assert len(manifest) == len(answered)


# -- the review through the CLI: the user's rules ----------------------------------------------


def _drill(capsys, *args: str) -> tuple[int, str, str]:
    from responder.cli.app import main

    code = main(["drill", "compromised-server", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_user_ignore_rule_hides_that_webhook_flag(capsys, sandbox, tmp_path):
    rules = tmp_path / "mine.yaml"
    rules.write_text("format: 1\nrules:\n  - id: our-exfil-test-hook\n    ignore: true\n"
                     "    match: {kind: webhook_added, detail.host: exfil.attacker.example}\n")
    code, out, err = _drill(capsys, "--json", "--rules", str(rules))
    assert code == 0, err[-3000:]
    review = next(s for s in json.loads(out)["steps"] if s["id"] == "review")
    flagged = review["outputs"]["flagged"]
    assert not [f for f in flagged if "exfil.attacker.example" in f["summary"]]
    assert {f["rule"] for f in flagged} >= {"ssh-key-added", "deploy-key-added-write",
                                            "repository-made-public"}
    # the literal token lacks the key scopes; the other token of octo-dev read those lists
    assert not [g for g in review["outputs"]["gaps"] if "keys" in g]
    [run_dir] = (sandbox / "state" / "runs").iterdir()
    activity = json.loads((run_dir / "activity.json").read_text())
    hooks = [e for e in activity["events"] if e["kind"] == "webhook_added"]
    assert any(e["detail"]["host"] == "exfil.attacker.example" for e in hooks)  # kept, unflagged


def test_a_bad_rules_file_stops_before_any_run_or_change(capsys, sandbox, tmp_path):
    rules = tmp_path / "bad.yaml"
    rules.write_text("format: 1\nrules:\n  - id: broken\n    match:\n      kind: webhook_added\n"
                     "      detail.host: {startswith: exfil}\n    severity: high\n"
                     "    reason: x\n")
    code, out, err = _drill(capsys, "--rules", str(rules))
    assert code == 2
    # the file, a line of the broken rule, the rule and the operator
    assert f"{rules}:4" in err or f"{rules}:6" in err, err
    assert "'broken'" in err and "startswith" in err
    assert not (sandbox / "state" / "runs").exists()
    # checked before the drill lays out its sandbox: nothing at all is left behind
    assert not (sandbox / "state" / "drills").exists()
