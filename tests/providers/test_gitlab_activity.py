"""GitLab activity against the simulator: the user's events and the members who joined their
projects, read with the suspect token, normalised, paged, bounded, and every gap named."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from provider_helpers import FAST, credential, settings

from responder.activity.evidence import EvidenceStore
from responder.core.secrets import SecretRegistry
from responder.providers import gitlab_activity
from responder.providers.gitlab import GitLabProvider
from responder.sim.gitlab import GitLabSimulator
from responder.sim.server import Response

PAT = "glpat-" + "Ev3ntsT0kenA1b2C3d4"
NARROW = "glpat-" + "Nar0wScop3dT0kenXy9"  # read_api only: no events
DEPLOY = "gldt-" + "d" * 20
SHA_A, SHA_B = "a" * 40, "b" * 40
# The window opens at noon UTC three days ago, so "an hour before" falls on the same date and
# GitLab's day-granular `after` still returns it.
START = (datetime.now(UTC) - timedelta(days=3)).replace(hour=12, minute=0, second=0,
                                                         microsecond=0)


def at(hours: float) -> str:
    return (START + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _seed(events: dict | None = None) -> dict:
    return {
        "tokens": [
            {"value": PAT, "account": "dana", "account_id": "4242",
             "scopes": ["api", "read_user"]},
            {"value": NARROW, "account": "dana", "account_id": "4242", "scopes": ["read_api"]},
        ],
        "projects": [{"id": 7, "path_with_namespace": "acme/api",
                      "members": ["dana", "mallory"]},
                     {"id": 9, "path_with_namespace": "acme/site", "members": ["dana"]}],
        "events": events if events is not None else {
            "dana": [
                {"created_at": at(1), "project_id": 7,
                 "push_data": {"action": "pushed", "ref": "main", "ref_type": "branch",
                               "commit_from": SHA_A, "commit_to": SHA_B, "commit_count": 3,
                               "commit_title": "Update deploy script"}},
                {"created_at": at(2), "project_id": 7,
                 "push_data": {"action": "created", "ref": "exfil", "ref_type": "branch",
                               "commit_from": None, "commit_to": SHA_B, "commit_count": 1}},
                {"created_at": at(3), "project_id": 9,
                 "push_data": {"action": "removed", "ref": "v1.0", "ref_type": "tag",
                               "commit_from": SHA_A, "commit_to": None, "commit_count": 0}},
                {"created_at": at(4), "project_id": 9, "action_name": "created"},
                {"created_at": at(5), "project_id": 7, "action_name": "accepted",
                 "target_type": "MergeRequest", "target_title": "Add CI step"},
                {"created_at": at(6), "project_id": 7, "action_name": "commented on",
                 "target_type": "Note"},
                {"created_at": at(-1), "project_id": 7,  # same date, before the window
                 "push_data": {"action": "pushed", "ref": "main", "commit_count": 1}},
                {"created_at": at(-72), "project_id": 7,  # days before: GitLab filters it
                 "push_data": {"action": "pushed", "ref": "old", "commit_count": 1}},
            ],
            "mallory": [
                {"created_at": at(1.5), "project_id": 7, "action_name": "joined"},
            ],
            "erin": [  # not a member of dana's projects: never in dana's feeds
                {"created_at": at(1), "project_id": 55, "action_name": "joined"},
            ],
        },
    }


def _sim(seed: dict | None = None, cls: type[GitLabSimulator] = GitLabSimulator):
    return cls.from_seed(seed or _seed())


@pytest.fixture
def gitlab():
    sim = _sim()
    with sim:
        yield sim, GitLabProvider(sim.api_url, settings())


@pytest.fixture
def evidence(tmp_path) -> EvidenceStore:
    # An empty registry: nothing is scrubbed, so a token that leaked would be on disk.
    return EvidenceStore(tmp_path / "evidence", SecretRegistry(), lambda: datetime.now(UTC))


def _cred(value: str = PAT):
    return credential(value, "gitlab", "personal access token")


def _capture(provider, evidence, value=PAT, budget=10.0):
    cred = _cred(value)
    identity = GitLabProvider(provider.base_url, provider.settings).identify(_cred(PAT))
    return provider.capture_activity(cred, identity, START, evidence, budget)


def _by_kind(capture):
    return {e.kind: e for e in capture.events}


def test_events_are_captured_and_normalised_with_the_fields_rules_match(gitlab, evidence):
    sim, provider = gitlab
    capture = _capture(provider, evidence)
    assert (capture.provider, capture.account, capture.gaps) == ("gitlab", "dana", [])
    assert capture.vantage == "suspect token before revocation"
    kinds = _by_kind(capture)
    assert set(kinds) == {"push", "branch_created", "tag_deleted", "project_created",
                          "merge_request_merged", "comment_added", "member_added"}
    push = next(e for e in capture.events if e.kind == "push" and e.in_window)
    assert push.target == "acme/api" and push.at == at(1).replace("Z", ".000Z")
    assert push.summary == "dana pushed 3 commits to branch main in acme/api"
    assert push.detail == {
        "event_id": push.detail["event_id"], "action_name": "pushed to", "target_type": None,
        "target_title": None, "project_id": 7, "project": "acme/api", "author": "dana",
        "ref": "main", "ref_type": "branch", "push_action": "pushed", "commit_from": SHA_A,
        "commit_to": SHA_B, "commit_count": 3, "commit_title": "Update deploy script"}
    assert kinds["branch_created"].detail["ref"] == "exfil"
    assert kinds["branch_created"].detail["action_name"] == "pushed new"
    assert kinds["tag_deleted"].detail["action_name"] == "deleted"
    assert kinds["tag_deleted"].target == "acme/site"
    assert kinds["project_created"].summary == "dana created project acme/site"
    assert kinds["merge_request_merged"].detail["target_title"] == "Add CI step"
    assert all(e.source.startswith("gitlab-") and e.source.endswith(".json")
               for e in capture.events)


def test_a_member_who_joined_one_of_the_users_projects_is_member_added(gitlab, evidence):
    sim, provider = gitlab
    capture = _capture(provider, evidence)
    [joined] = [e for e in capture.events if e.kind == "member_added"]
    assert joined.detail["member"] == "mallory" and joined.detail["author"] == "mallory"
    assert joined.account == "dana" and joined.target == "acme/api" and joined.in_window
    assert joined.summary == "mallory joined acme/api"
    assert joined.source == "gitlab-joined-dana-p1.json"
    feeds = [r.query for r in sim.requests if r.path == "/api/v4/events"]
    assert {"scope": ["all"], "action": ["joined"], "after": [(START.date() - timedelta(
        days=1)).isoformat()], "per_page": ["100"], "page": ["1"]} in feeds


def test_the_window_is_respected(gitlab, evidence):
    sim, provider = gitlab
    capture = _capture(provider, evidence)
    after = (START.date() - timedelta(days=1)).isoformat()
    assert all(r.query["after"] == [after] for r in sim.requests if r.path == "/api/v4/events")
    refs = {(e.detail.get("ref"), e.in_window) for e in capture.events if e.kind == "push"}
    assert refs == {("main", True), ("main", False)}  # the old one was never returned
    early = [e for e in capture.events if not e.in_window]
    assert len(early) == 1 and early[0].at.startswith(at(-1)[:16])


def test_pagination_follows_x_next_page_and_saves_every_page(monkeypatch, gitlab, evidence):
    sim, provider = gitlab
    monkeypatch.setattr(gitlab_activity, "PER_PAGE", 2)
    capture = _capture(provider, evidence)
    pages = [r.query["page"][0] for r in sim.requests
             if r.path == "/api/v4/events" and "scope" not in r.query]
    assert pages == ["1", "2", "3", "4"]  # 7 events of dana's own, 2 a page
    assert len([e for e in capture.events if e.detail["author"] == "dana"]) == 7
    files = {item.file for item in evidence.items}
    assert {f"gitlab-events-dana-p{n}.json" for n in range(1, 5)} <= files
    assert all(item.status == 200 for item in evidence.items)
    [page2] = [i for i in evidence.items if i.file == "gitlab-events-dana-p2.json"]
    assert page2.request.startswith(f"GET {sim.api_url}/events?after=")
    assert "page=2" in page2.request and "per_page=2" in page2.request
    assert capture.gaps == []


def test_pagination_is_bounded_and_says_what_it_left_unread(monkeypatch, evidence):
    many = {"dana": [{"created_at": at(1 + n / 10), "project_id": 7,
                      "push_data": {"ref": f"b{n}"}} for n in range(13)]}
    sim = _sim(_seed(many))
    with sim:
        provider = GitLabProvider(sim.api_url, settings())
        monkeypatch.setattr(gitlab_activity, "PER_PAGE", 2)
        capture = _capture(provider, evidence)
        web = sim.base_url
    assert len(capture.events) == 2 * gitlab_activity.MAX_PAGES
    [gap] = capture.gaps
    assert gap.what == "events beyond page 5"
    assert "at most 5 pages" in gap.why and "(7 pages in all)" in gap.why
    assert gap.hint == f"see {web}/users/dana/activity"


class FailingPageTwo(GitLabSimulator):
    """Page 2 of the user's own events fails with a 500, every time it is asked for."""

    def dispatch(self, request, route):
        if request.path == "/api/v4/events" and request.arg("page") == "2" \
                and request.arg("scope") is None:
            return Response(500, {"message": "500 Internal Server Error"})
        return super().dispatch(request, route)


def test_a_page_that_fails_keeps_what_was_read_and_records_a_gap(monkeypatch, evidence):
    sim = _sim(cls=FailingPageTwo)
    with sim:
        provider = GitLabProvider(sim.api_url, settings())
        monkeypatch.setattr(gitlab_activity, "PER_PAGE", 2)
        capture = _capture(provider, evidence)
        attempts = [r for r in sim.requests if r.query.get("page") == ["2"]
                    and "scope" not in r.query]
    assert len(attempts) == 1 + FAST.read_retries  # retried, then given up
    [gap] = capture.gaps
    assert (gap.what, gap.why) == ("events, page 2", "GitLab answered 500 (500 Internal Server "
                                                     "Error)")
    own = [e for e in capture.events if e.detail["author"] == "dana"]
    assert len(own) == 2  # page 1 kept
    assert any(e.kind == "member_added" for e in capture.events)  # the other feed is whole
    [failed] = [i for i in evidence.items if i.file == "gitlab-events-dana-p2.json"]
    assert failed.status == 500


def test_a_token_without_the_scope_gives_a_gap_naming_it(gitlab, evidence):
    sim, provider = gitlab
    capture = _capture(provider, evidence, value=NARROW)
    assert capture.events == []
    assert {g.what for g in capture.gaps} == {
        "events, page 1", "members who joined the account's projects, page 1"}
    assert all("403" in g.why and "read_user or api scope" in g.why for g in capture.gaps)
    assert {i.status for i in evidence.items} == {403}


def test_a_dead_token_is_a_gap_not_an_exception(gitlab, evidence):
    sim, provider = gitlab
    identity = provider.identify(_cred())
    sim.tokens.revoke(sim.tokens.get(PAT))
    capture = provider.capture_activity(_cred(), identity, START, evidence, 10.0)
    assert capture.events == [] and len(capture.gaps) == 2
    assert all("no longer valid (401" in g.why for g in capture.gaps)


def test_an_unreachable_instance_is_a_gap(evidence):
    sim = _sim()
    with sim:
        provider = GitLabProvider(sim.api_url, settings())
        identity = provider.identify(_cred())
    capture = provider.capture_activity(_cred(), identity, START, evidence, 10.0)
    assert capture.events == [] and len(capture.gaps) == 2
    assert all("unreachable" in g.why for g in capture.gaps)
    assert evidence.items == []


def test_the_time_budget_bounds_the_capture(evidence):
    sim = _sim()
    with sim:
        provider = GitLabProvider(sim.api_url, settings())
        identity = provider.identify(_cred())
        sim.faults.add("GET", "/api/v4/events", delay=1.5, times=4)
        capture = provider.capture_activity(_cred(), identity, START, evidence, 0.2)
    assert capture.events == []
    assert all("time budget" in g.why for g in capture.gaps) and len(capture.gaps) == 2


def test_no_token_value_anywhere(gitlab, evidence, tmp_path):
    sim, provider = gitlab
    capture = _capture(provider, evidence)
    texts = [repr(capture), json.dumps([e.__dict__ for e in capture.events], default=str),
             json.dumps([g.as_dict() for g in capture.gaps])]
    texts += [p.read_text() for p in (tmp_path / "evidence").iterdir()]
    texts += [item.request for item in evidence.items]
    texts += [f"{r.path}?{r.query}" for r in sim.requests]
    assert capture.events and evidence.items
    assert not [t for t in texts if PAT in t]
    assert all(r.headers.get("private-token") == PAT for r in sim.requests)


def test_other_token_kinds_and_insecure_urls_capture_nothing(gitlab, evidence):
    sim, provider = gitlab
    identity = provider.identify(_cred())
    sim.requests.clear()
    assert provider.capture_activity(credential(DEPLOY, "gitlab", "deploy token"), identity,
                                     START, evidence, 5.0) is None
    remote = GitLabProvider("http://gitlab.example.com/api/v4", settings())
    assert remote.capture_activity(_cred(), identity, START, evidence, 5.0) is None
    assert sim.requests == [] and evidence.items == []


@pytest.mark.parametrize(("raw", "kind", "summary"), [
    ({"action_name": "destroyed", "target_type": "Milestone", "target_title": "v2"},
     "milestone_deleted", "dana destroyed milestone v2 in acme/api"),
    ({"action_name": "created", "target_type": "WikiPage::Meta", "target_title": "Home"},
     "wiki_page_created", "dana created wiki page Home in acme/api"),
    ({"action_name": "opened", "target_type": "Issue", "target_title": "Bug"},
     "issue_opened", "dana opened issue Bug in acme/api"),
    ({"action_name": "imported"}, "project_imported", "dana imported project acme/api"),
    ({"action_name": "left"}, "member_left", "dana left acme/api"),
    ({"action_name": "removed due to membership expiration from"}, "member_expired",
     "dana removed due to membership expiration from acme/api"),
    ({"action_name": "archived", "target_type": "Project"}, "event_archived",
     "dana archived project in acme/api"),
])
def test_every_action_name_gets_a_stable_kind(raw, kind, summary):
    event = {"id": 1, "project_id": 7, "created_at": at(1), "author_username": "dana", **raw}
    [normalised] = gitlab_activity.normalise([(event, "f.json")], "dana", START,
                                             {7: "acme/api"})
    assert (normalised.kind, normalised.summary) == (kind, summary)
    assert normalised.in_window and normalised.source == "f.json"
