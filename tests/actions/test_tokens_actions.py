"""tokens.snapshot, tokens.revoke and tokens.verify through the real runner, against simulated
providers: one run, several providers, and what happens when one of them (or its adapter) fails.

The playbook is a small one of our own (inventory → snapshot → revoke → verify); the server's
definition is a Cursor user config in a sandbox home, and the run's environment points every
provider at a simulator from `Fleet`."""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path
from types import MappingProxyType

import pytest

from responder.core.machine import Machine
from responder.engine.context import Timing
from responder.engine.session import RunRequest, execute
from responder.providers.base import Probe
from responder.providers.github import GitHubProvider
from responder.providers.gitlab import GitLabProvider
from responder.providers.google import GoogleProvider
from responder.providers.npm import NpmProvider
from responder.providers.slack import SlackProvider
from responder.sim.fleet import Fleet

GITHUB = "ghp_TOKENSactionsGH01TOKENSactionsGH01TO"
GITLAB = "glpat-TOKENSactionsGL02xyz"
SLACK = "xoxb-1234567890-1234567890123-TOKENSactionsSLACK03xx"
NPM = "npm_" + "tokensactionsnpm04" * 2
GOOGLE = "ya29.TOKENSactionsGOOGLE05TOKENSactionsGOOGLE05TOKENSactionsGOOG"
STRIPE = "sk_live_TOKENSactionsSTRIPE06TOKENSactionsSTR"
VALUES = {"github": GITHUB, "gitlab": GITLAB, "slack": SLACK, "npm": NPM, "google": GOOGLE}
ENV_NAMES = {"github": "GITHUB_PERSONAL_ACCESS_TOKEN", "gitlab": "GITLAB_PERSONAL_ACCESS_TOKEN",
             "slack": "SLACK_BOT_TOKEN", "npm": "NPM_TOKEN",
             "google": "GOOGLE_OAUTH_ACCESS_TOKEN"}
ADAPTERS = {"github": GitHubProvider, "gitlab": GitLabProvider, "slack": SlackProvider,
            "npm": NpmProvider, "google": GoogleProvider}
# Paths that change something at each simulator (Slack and Google read with POST too).
REVOKE_PATHS = {"github": "/credentials/revoke", "gitlab": "/api/v4/personal_access_tokens/self",
                "slack": "/api/auth.revoke", "npm": "/-/npm/v1/tokens/token/",
                "google": "/revoke"}

TIMING = Timing(request_timeout=2.0, snapshot_budget=2.0, verify_backoff=(0.02, 0.05, 0.1),
                read_retries=1, max_retry_after=0.05, lock_wait=0.2, recheck_after=0.0)

PLAYBOOK = """\
format: 1
id: tokens-test
title: Tokens only
inputs:
  server: {type: string, required: true}
steps:
  - id: inventory
    title: Find the credentials
    uses: clients.inventory
    with: {server: '{{ inputs.server }}'}
  - id: snapshot
    title: Identities
    uses: tokens.snapshot
    on_error: continue
    with:
      credentials: '{{ steps.inventory.outputs.credentials }}'
      capture_activity: false
  - id: revoke
    title: Revoke
    uses: tokens.revoke
    on_error: continue
    with: {credentials: '{{ steps.inventory.outputs.credentials }}'}
  - id: verify
    title: Verify
    uses: tokens.verify
    on_error: continue
    with: {credentials: '{{ steps.revoke.outputs.to_verify | default([]) }}'}
"""


def seeds(providers=("github", "gitlab", "slack", "npm", "google"), **extra) -> dict:
    table = {
        "github": {"users": [{"login": "dana", "id": 4401, "tokens": [
            {"value": GITHUB, "scopes": ["repo"]}]}]},
        "gitlab": {"tokens": [{"value": GITLAB, "account": "dana", "account_id": "7012"}]},
        "slack": {"tokens": [{"value": SLACK, "account": "ops-bot"}]},
        "npm": {"tokens": [{"value": NPM, "account": "dana"}]},
        "google": {"tokens": [{"value": GOOGLE, "account": "dana@example.com"}]},
    }
    chosen = {name: table[name] for name in providers}
    for name, changes in extra.items():
        chosen[name] = {**chosen[name], **changes}
    return chosen


class Rig:
    """A sandbox home with the server's config, a fleet, and a way to run the playbook."""

    def __init__(self, root: Path, fleet: Fleet, providers, stripe: bool) -> None:
        self.root, self.fleet = root, fleet
        self.home = root / "box" / "home"
        self.cwd = root / "box" / "work"
        (self.home / ".cursor").mkdir(parents=True)
        self.cwd.mkdir(parents=True)
        env = {ENV_NAMES[p]: VALUES[p] for p in providers}
        if stripe:
            env["STRIPE_SECRET_KEY"] = STRIPE
        (self.home / ".cursor" / "mcp.json").write_text(json.dumps({"mcpServers": {
            "ops": {"command": "npx", "args": ["-y", "@acme/ops-mcp"], "env": env}}}))
        self.playbook = root / "tokens-test.yaml"
        self.playbook.write_text(PLAYBOOK)
        self.state = root / "state"

    def run(self, **kwargs):
        env = {"HOME": str(self.home), "USER": "tester", "RESPONDER_STATE_DIR": str(self.state),
               **self.fleet.env()}
        machine = Machine(home=self.home, cwd=self.cwd, env=MappingProxyType(env),
                          root=self.root / "box")
        stdout = io.StringIO()
        kwargs.setdefault("assume_yes", True)
        code, result = execute(RunRequest(
            playbook=str(self.playbook), server="ops", machine=machine, timing=TIMING,
            interactive=False, json_output=True, stdout=stdout, **kwargs))
        steps = {s.id: s.result for s in result.steps}
        return int(code), steps, result, stdout.getvalue()

    def ids(self, steps) -> dict[str, str]:
        """provider (or "stripe") → credential id, from the inventory's output."""
        return {(c["provider"] or "?"): c["id"] for c in steps["inventory"].outputs["credentials"]}

    def writes(self, name: str) -> list:
        return [r for r in self.fleet[name].requests
                if r.path.startswith(REVOKE_PATHS[name]) and r.method in ("POST", "DELETE")]

    def live(self, name: str) -> bool:
        sim = self.fleet[name]
        if name == "github":
            return sim.state.token_is_live(GITHUB)
        return sim.tokens.is_active(VALUES[name])


@pytest.fixture
def rig_factory(tmp_path):
    made = []

    def make(providers=("github", "gitlab", "slack", "npm", "google"), *, stripe=False,
             latency=0.0, **extra):
        fleet = Fleet(seeds(providers, **extra), latency=latency).start()
        made.append(fleet)
        return Rig(tmp_path, fleet, providers, stripe)

    yield make
    for fleet in made:
        fleet.stop()


def _text(steps, step_id: str) -> str:
    return "\n".join(steps[step_id].changes + steps[step_id].manual)


# -- the whole path ---------------------------------------------------------------------------

def test_credentials_of_five_providers_are_revoked_and_proven_dead_in_one_run(rig_factory,
                                                                             capsys):
    rig = rig_factory(stripe=True)
    code, steps, result, printed = rig.run()
    ids = rig.ids(steps)
    assert set(ids) == {"github", "gitlab", "slack", "npm", "google", "stripe"}
    assert code == 0, {k: (v.status, v.error) for k, v in steps.items()}
    assert len(steps["snapshot"].outputs["identities"]) == 5
    revoke = steps["revoke"].outputs
    assert sorted(revoke["submitted"]) == sorted(ids[p] for p in VALUES)
    assert revoke["manual"] == [ids["stripe"]] and revoke["failed"] == revoke["unknown"] == []
    assert "https://dashboard.stripe.com/apikeys" in "\n".join(steps["revoke"].manual)
    assert sorted(steps["verify"].outputs["dead"]) == sorted(ids[p] for p in VALUES)
    assert steps["verify"].outputs["unconfirmed"] == []
    for name in VALUES:
        assert not rig.live(name), name
        assert len(rig.writes(name)) == 1, name  # each revoke sent exactly once
    assert rig.fleet.errors() == []
    everything = printed + capsys.readouterr().out + capsys.readouterr().err
    journal = (Path(result.run_dir) / "journal.jsonl").read_text()
    for value in (*VALUES.values(), STRIPE):
        assert value not in everything and value not in journal


@pytest.mark.parametrize("failing", ["github", "gitlab", "slack", "npm", "google"])
def test_a_provider_answering_500_fails_only_its_own_credentials(rig_factory, failing):
    rig = rig_factory(("github", "gitlab", "slack", "npm", "google"))
    rig.fleet[failing].faults.add("*", "*", status=500, times=None)
    code, steps, _, _ = rig.run()
    ids = rig.ids(steps)
    mine = ids[failing]
    assert code == 1
    revoke, verify = steps["revoke"].outputs, steps["verify"].outputs
    assert mine in revoke["unknown"] + revoke["failed"] and mine not in revoke["submitted"]
    if mine in revoke["unknown"]:  # it may have landed: verification decides, and cannot
        assert verify["unconfirmed"] == [mine]
        assert "REVOCATION UNCONFIRMED" in _text(steps, "verify")
        assert steps["verify"].manual and steps["verify"].status == "failed"
    else:  # surely not revoked: the revoke step fails with the manual step
        assert steps["revoke"].status == "failed" and steps["revoke"].manual
        assert verify["unconfirmed"] == []
    others = sorted(ids[p] for p in VALUES if p != failing)
    assert sorted(revoke["submitted"]) == others and sorted(verify["dead"]) == others
    # A write answered 500 is never sent again.
    assert len(rig.writes(failing)) <= 1
    assert rig.live(failing)
    assert not any(rig.live(p) for p in VALUES if p != failing)


def test_slacks_500_is_unknown_at_revoke_and_unconfirmed_at_verify(rig_factory):
    rig = rig_factory(("github", "slack"))
    rig.fleet["slack"].faults.add("*", "*", status=500, times=None)
    code, steps, _, _ = rig.run()
    ids = rig.ids(steps)
    assert steps["revoke"].outputs["unknown"] == [ids["slack"]]
    assert steps["verify"].outputs["unconfirmed"] == [ids["slack"]]
    assert steps["verify"].outputs["dead"] == [ids["github"]]
    assert "https://api.slack.com/apps" in "\n".join(steps["verify"].manual)
    assert len(rig.writes("slack")) == 1 and code == 1


def test_a_bug_in_one_adapters_revoke_does_not_stop_the_others(rig_factory, monkeypatch):
    def broken(self, credentials, identities):
        raise RuntimeError("adapter bug")

    monkeypatch.setattr(NpmProvider, "revoke", broken)
    rig = rig_factory(("github", "gitlab", "slack", "npm"))
    code, steps, _, _ = rig.run()
    ids = rig.ids(steps)
    revoke = steps["revoke"]
    assert code == 1 and revoke.status == "failed"
    assert revoke.outputs["failed"] == [ids["npm"]]
    text = _text(steps, "revoke")
    assert "internal error in the npm adapter (RuntimeError)" in text
    assert "npm token revoke" in "\n".join(revoke.manual) or \
        "npmjs.com" in "\n".join(revoke.manual)
    others = sorted(ids[p] for p in ("github", "gitlab", "slack"))
    assert sorted(steps["verify"].outputs["dead"]) == others
    assert rig.live("npm") and rig.writes("npm") == []


def test_a_bug_in_one_adapters_probe_is_unconfirmed_with_the_manual_step(rig_factory,
                                                                        monkeypatch):
    def broken(self, credential):
        raise RuntimeError("probe bug")

    monkeypatch.setattr(GitLabProvider, "probe", broken)
    rig = rig_factory(("github", "gitlab", "slack"))
    code, steps, _, _ = rig.run()
    ids = rig.ids(steps)
    assert code == 1
    verify = steps["verify"]
    assert verify.outputs["unconfirmed"] == [ids["gitlab"]]
    assert sorted(verify.outputs["dead"]) == sorted([ids["github"], ids["slack"]])
    assert "internal error in the GitLab adapter (RuntimeError)" in _text(steps, "verify")
    assert "personal_access_tokens" in "\n".join(verify.manual)  # GitLab's manual step


def test_a_bug_in_one_adapters_identify_does_not_stop_the_snapshot(rig_factory, monkeypatch):
    def broken(self, credential):
        raise KeyError("identify bug")

    monkeypatch.setattr(SlackProvider, "identify", broken)
    rig = rig_factory(("gitlab", "slack"))
    code, steps, _, _ = rig.run()
    ids = rig.ids(steps)
    snapshot = steps["snapshot"].outputs
    assert [i["credential"] for i in snapshot["identities"]] == [ids["gitlab"]]
    [failure] = snapshot["failed"]
    assert failure["id"] == ids["slack"] and "internal error in the Slack adapter" in \
        failure["error"]
    # The bug was at identity only: the revoke still goes out and is proven.
    assert code == 0 and sorted(steps["verify"].outputs["dead"]) == sorted(ids.values())


def test_a_credential_already_dead_at_snapshot_is_not_sent_a_revoke(rig_factory):
    rig = rig_factory(("gitlab", "slack"))
    book = rig.fleet["gitlab"].tokens
    book.revoke(book.get(GITLAB))  # dead before the run: GitLab answers 401
    code, steps, _, _ = rig.run()
    ids = rig.ids(steps)
    assert code == 0
    assert any(f["id"] == ids["gitlab"] and f["status"] == 401
               for f in steps["snapshot"].outputs["failed"])
    assert ids["gitlab"] in steps["revoke"].outputs["submitted"]
    assert "already invalid when its identity was captured (401): nothing sent" in \
        _text(steps, "revoke")
    assert rig.writes("gitlab") == []
    assert len(rig.writes("slack")) == 1
    assert sorted(steps["verify"].outputs["dead"]) == sorted(ids.values())


def test_offline_sends_no_request_and_lists_every_manual_step(rig_factory):
    rig = rig_factory(stripe=True)
    code, steps, result, _ = rig.run(offline=True)
    assert rig.fleet.requests() == []
    assert steps["snapshot"].status == "skipped" and steps["revoke"].status == "skipped"
    assert steps["verify"].status == "skipped"
    ids = rig.ids(steps)
    assert sorted(steps["revoke"].outputs["manual"]) == sorted(ids.values())
    manual = "\n".join(steps["revoke"].manual)
    for place in ("github.com/settings/tokens", "personal_access_tokens", "api.slack.com/apps",
                  "npm", "myaccount.google.com/connections", "dashboard.stripe.com/apikeys"):
        assert place in manual, place
    for value in (*VALUES.values(), STRIPE):
        assert value not in manual
    assert all(rig.live(name) for name in VALUES)
    left = [m["text"] for m in result.manual_steps()]
    assert len(left) == len(steps["revoke"].manual)


def test_dry_run_shows_the_planned_requests_redacted_and_sends_no_write(rig_factory, capsys):
    rig = rig_factory()
    code, steps, result, envelope = rig.run(dry_run=True)
    revoke = steps["revoke"]
    assert revoke.status == "planned"
    planned = "\n".join(revoke.outputs["planned_requests"])
    assert f"POST {rig.fleet['github'].base_url}/credentials/revoke" in planned
    assert f"DELETE {rig.fleet['gitlab'].api_url}/personal_access_tokens/self" in planned
    assert f"POST {rig.fleet['slack'].api_url}/auth.revoke" in planned
    assert f"POST {rig.fleet['google'].api_url}/revoke" in planned
    assert "/-/npm/v1/tokens/token/" in planned
    assert "ghp_…" in planned  # GitHub's body is shown, redacted
    printed = capsys.readouterr()
    journal = (Path(result.run_dir) / "journal.jsonl").read_text()
    for value in VALUES.values():
        assert value not in planned + envelope + printed.out + printed.err + journal
    for name in VALUES:
        assert rig.writes(name) == [], name
        assert rig.live(name), name
    assert steps["verify"].status == "skipped"


def test_verify_stops_polling_a_probe_that_cannot_change(rig_factory, monkeypatch):
    calls = {"final": 0, "retry": 0}

    def final(self, credential):
        calls["final"] += 1
        return Probe("unknown", "no way to check this one", retry=False)

    def retry(self, credential):
        calls["retry"] += 1
        return Probe("unknown", "try again", retry=True)

    monkeypatch.setattr(GitLabProvider, "probe", final)
    monkeypatch.setattr(SlackProvider, "probe", retry)
    rig = rig_factory(("gitlab", "slack"))
    code, steps, _, _ = rig.run()
    assert code == 1
    assert calls["final"] == 1  # stopped at once
    assert calls["retry"] == 1 + len(TIMING.verify_backoff)  # the whole backoff
    assert len(steps["verify"].outputs["unconfirmed"]) == 2


# -- concurrency, without timing assertions ---------------------------------------------------

def test_each_providers_revoke_runs_at_the_same_time(rig_factory, monkeypatch):
    names = ("github", "gitlab", "slack", "google")
    barrier = threading.Barrier(len(names), timeout=3)
    spans: dict[str, tuple[float, float]] = {}
    for name in names:
        cls = ADAPTERS[name]
        original = cls.revoke

        def meeting(self, credentials, identities, _original=original, _name=name):
            barrier.wait()  # serial revokes would never gather here: BrokenBarrierError
            started = time.monotonic()
            outcomes = _original(self, credentials, identities)
            spans[_name] = (started, time.monotonic())
            return outcomes

        monkeypatch.setattr(cls, "revoke", meeting)
    rig = rig_factory(names, latency=0.3)
    code, steps, _, _ = rig.run()
    assert not barrier.broken
    assert steps["revoke"].status == "ok", steps["revoke"].changes
    assert len(steps["revoke"].outputs["submitted"]) == len(names)
    # Every revoke was still waiting on its (slow) provider when the last one started.
    assert max(s for s, _ in spans.values()) < min(e for _, e in spans.values())
    assert code == 0


def test_each_credentials_probe_runs_at_the_same_time(rig_factory, monkeypatch):
    names = ("github", "gitlab", "slack", "npm")
    barrier = threading.Barrier(len(names), timeout=3)
    for name in names:
        cls = ADAPTERS[name]
        original = cls.probe

        def meeting(self, credential, _original=original):
            if credential.secret.reveal() in VALUES.values():
                barrier.wait()  # first probes only: the barrier resets after each round
            return _original(self, credential)

        monkeypatch.setattr(cls, "probe", meeting)
    rig = rig_factory(names)
    code, steps, _, _ = rig.run()
    assert not barrier.broken
    assert "internal error" not in _text(steps, "verify")
    assert sorted(steps["verify"].outputs["dead"]) == sorted(rig.ids(steps).values())
    assert code == 0


# -- what the run recognised ------------------------------------------------------------------

def test_the_inventory_recognises_every_providers_format(rig_factory):
    # Everything above depends on this: at commit 8fe1239 classify.py knew GitHub formats only,
    # and every other credential was an "unrecognised secret" sent to no adapter.
    rig = rig_factory(stripe=True)
    code, steps, _, _ = rig.run(offline=True)
    credentials = steps["inventory"].outputs["credentials"]
    assert sorted(c["provider"] or "?" for c in credentials) == [
        "github", "gitlab", "google", "npm", "slack", "stripe"]
    assert all(c["well_formed"] and not c["candidates"] for c in credentials)
