"""Slack activity against the simulator: team.accessLogs read with the suspect token, logins
normalised with new-IP marks, paging bounded, and every ok:false turned into a named gap."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from provider_helpers import FAST, credential, settings

from responder.activity.evidence import EvidenceStore
from responder.core.secrets import SecretRegistry
from responder.providers import slack_activity
from responder.providers.slack import SlackProvider
from responder.sim.server import Response
from responder.sim.slack import SlackSimulator, _args

ADMIN = "xoxp-1234567890-1234567890-1234567890-" + "a" * 32
NO_ADMIN = "xoxp-1234567890-1234567890-1234567891-" + "b" * 32
FREE = "xoxp-1234567890-1234567890-1234567892-" + "c" * 32
BOT = "xoxb-1234567890-1234567890123-" + "d" * 24
APP = "xapp-1-A0123-123-" + "e" * 20
NOW = datetime.now(UTC).replace(microsecond=0)
START = NOW - timedelta(days=7)
KNOWN_IP, NEW_IP, OTHER_IP = "203.0.113.10", "198.51.100.66", "192.0.2.77"


def ago(days: float = 0, hours: float = 0) -> int:
    return int((NOW - timedelta(days=days, hours=hours)).timestamp())


LOGINS = [
    # dana's usual IP: used long before the window and during it
    {"user_id": "U0DANA001", "username": "dana", "ip": KNOWN_IP, "count": 40,
     "date_first": ago(20), "date_last": ago(hours=1)},
    # a sign-in from an IP dana never used before the window
    {"user_id": "U0DANA001", "username": "dana", "ip": NEW_IP, "count": 3,
     "user_agent": "python-requests/2.31", "isp": "VPS Host", "country": "NL",
     "region": "NH", "date_first": ago(2), "date_last": ago(1)},
    # bob's IP with a new device in the window: the IP was known from another entry
    {"user_id": "U0BOB0001", "username": "bob", "ip": OTHER_IP, "count": 2,
     "user_agent": "Slack/4.0 (Windows)", "date_first": ago(15), "date_last": ago(14)},
    {"user_id": "U0BOB0001", "username": "bob", "ip": OTHER_IP, "count": 1,
     "user_agent": "Slack/4.41 (Mac OS X)", "date_first": ago(1), "date_last": ago(hours=2)},
    # erin, only before the window
    {"user_id": "U0ERIN001", "username": "erin", "ip": "192.0.2.5", "count": 9,
     "date_first": ago(25), "date_last": ago(20)},
]


def _seed(logins=None) -> dict:
    return {
        "tokens": [
            {"value": ADMIN, "account": "dana", "account_id": "U0DANA001",
             "scopes": ["admin", "channels:read"]},
            {"value": NO_ADMIN, "account": "dana", "account_id": "U0DANA001",
             "scopes": ["channels:read", "chat:write"]},
            {"value": FREE, "account": "fay", "account_id": "U0FAY0001", "scopes": ["admin"],
             "plan": "free", "team": "tiny"},
            {"value": BOT, "account": "mcp-bot", "scopes": ["chat:write"]},
        ],
        "access_logs": LOGINS if logins is None else logins,
    }


@pytest.fixture
def slack():
    sim = SlackSimulator.from_seed(_seed())
    with sim:
        yield sim, SlackProvider(sim.api_url, settings())


@pytest.fixture
def evidence(tmp_path) -> EvidenceStore:
    # An empty registry: nothing is scrubbed, so a token that leaked would be on disk.
    return EvidenceStore(tmp_path / "evidence", SecretRegistry(), lambda: datetime.now(UTC))


def _capture(provider, evidence, value=ADMIN, budget=10.0):
    cred = credential(value, "slack", "user token")
    identity = provider.identify(cred)
    return provider.capture_activity(cred, identity, START, evidence, budget)


def _login(capture, ip, user="U0DANA001"):
    return [e for e in capture.events if e.detail["ip"] == ip and e.detail["user_id"] == user]


def test_access_logs_become_login_events_with_the_fields_rules_match(slack, evidence):
    sim, provider = slack
    capture = _capture(provider, evidence)
    assert (capture.provider, capture.account, capture.gaps) == ("slack", "dana in acme", [])
    assert capture.vantage == "suspect token before revocation"
    assert len(capture.events) == 5 and {e.kind for e in capture.events} == {"login"}
    [new] = _login(capture, NEW_IP)
    assert new.detail == {
        "user_id": "U0DANA001", "username": "dana", "ip": NEW_IP,
        "user_agent": "python-requests/2.31", "count": 3, "date_first": ago(2),
        "date_last": ago(1), "isp": "VPS Host", "country": "NL", "region": "NH",
        "new_ip": True, "token_user": True}
    assert new.at == datetime.fromtimestamp(ago(1), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert new.target == "dana in acme" and new.in_window
    assert NEW_IP in new.summary and "(NL, NH, VPS Host)" in new.summary
    assert "not seen before the window" in new.summary
    assert new.source == "slack-access-logs-p1.json"
    [call] = [r for r in sim.requests if r.path == "/api/team.accessLogs"]
    assert call.method == "POST" and _args(call) == {"count": "1000", "page": "1"}
    assert call.headers["authorization"] == f"Bearer {ADMIN}"


def test_date_last_decides_the_window_and_new_ip_needs_no_earlier_entry(slack, evidence):
    sim, provider = slack
    capture = _capture(provider, evidence)
    [known] = _login(capture, KNOWN_IP)
    assert known.in_window and known.detail["new_ip"] is False
    bob = sorted(_login(capture, OTHER_IP, "U0BOB0001"), key=lambda e: e.detail["date_last"])
    assert [e.in_window for e in bob] == [False, True]
    assert [e.detail["new_ip"] for e in bob] == [False, False]  # the IP was known to bob
    assert [e.detail["token_user"] for e in bob] == [False, False]
    [erin] = [e for e in capture.events if e.detail["username"] == "erin"]
    assert not erin.in_window and erin.detail["new_ip"] is False


def test_paging_continues_then_stops_once_it_reaches_back_past_the_look_back(monkeypatch,
                                                                            evidence):
    recent = [{"user_id": f"U{n}", "username": f"u{n}", "ip": f"192.0.2.{n}",
               "date_first": ago(3), "date_last": ago(3, hours=n)} for n in range(1, 4)]
    old = [{"user_id": f"U{n}", "username": f"u{n}", "ip": f"192.0.2.{n}",
            "date_first": ago(60 + n), "date_last": ago(50 + n)} for n in range(4, 9)]
    sim = SlackSimulator.from_seed(_seed(recent + old))
    with sim:
        provider = SlackProvider(sim.api_url, settings())
        monkeypatch.setattr(slack_activity, "COUNT", 2)
        capture = _capture(provider, evidence)
        pages = [_args(r)["page"] for r in sim.requests if r.path == "/api/team.accessLogs"]
    assert pages == ["1", "2"]  # page 2 reached 51 days back: older pages are not needed
    assert len(capture.events) == 4 and capture.gaps == []
    assert [i.file for i in evidence.items] == ["slack-access-logs-p1.json",
                                                 "slack-access-logs-p2.json"]


def test_paging_is_bounded_and_the_gap_says_new_ip_may_be_wrong(monkeypatch, evidence):
    many = [{"user_id": "U0DANA001", "ip": f"192.0.2.{n}", "date_first": ago(1),
             "date_last": ago(hours=n)} for n in range(1, 9)]
    sim = SlackSimulator.from_seed(_seed(many))
    with sim:
        provider = SlackProvider(sim.api_url, settings())
        monkeypatch.setattr(slack_activity, "COUNT", 1)
        capture = _capture(provider, evidence)
        team = "https://acme.slack.com"
    assert len(capture.events) == slack_activity.MAX_PAGES
    [gap] = capture.gaps
    assert gap.what == "workspace access logs beyond page 5"
    assert "(8 pages in all)" in gap.why and "new_ip" in gap.why
    assert gap.hint == f"see {team}/admin/logs (Workspace settings › Access Logs)"


class FailingPageTwo(SlackSimulator):
    def dispatch(self, request, route):
        if request.path == "/api/team.accessLogs" and _args(request).get("page") == "2":
            return Response(500, {"ok": False, "error": "internal_error"})
        return super().dispatch(request, route)


def test_a_page_that_fails_keeps_what_was_read_and_records_a_gap(monkeypatch, evidence):
    sim = FailingPageTwo.from_seed(_seed())
    with sim:
        provider = SlackProvider(sim.api_url, settings())
        monkeypatch.setattr(slack_activity, "COUNT", 2)
        capture = _capture(provider, evidence)
        tries = [r for r in sim.requests if _args(r).get("page") == "2"]
    assert len(tries) == 1 + FAST.read_retries
    assert len(capture.events) == 2
    [gap] = capture.gaps
    assert (gap.what, gap.why) == ("workspace access logs, page 2", "Slack answered 500")
    assert [i.status for i in evidence.items] == [200, 500]


@pytest.mark.parametrize(("value", "why"), [
    (FREE, "the workspace's plan has no access logs (paid_only: Slack keeps them on paid plans "
           "only)"),
    (NO_ADMIN, "the token lacks the admin scope access logs need (missing_scope; it has "
               "channels:read,chat:write)"),
    (BOT, "this token type cannot read access logs (not_allowed_token_type): they need a user "
          "token of a workspace owner or admin with the admin scope"),
])
def test_every_ok_false_is_a_gap_with_the_reason_and_the_manual_page(slack, evidence, value,
                                                                      why):
    sim, provider = slack
    capture = _capture(provider, evidence, value=value)
    assert capture.events == []
    [gap] = capture.gaps
    assert (gap.what, gap.why) == ("workspace access logs", why)
    assert gap.hint.startswith("see https://") and "/admin/logs" in gap.hint
    [saved] = evidence.items
    assert saved.status == 200  # Slack's refusals are HTTP 200: the body decides
    assert json.loads((evidence.directory / saved.file).read_text())["ok"] is False


def test_a_rate_limit_that_outlasts_the_retries_is_a_gap(slack, evidence):
    sim, provider = slack
    cred = credential(ADMIN, "slack", "user token")
    identity = provider.identify(cred)
    sim.faults.add("POST", "/api/team.accessLogs", status=429, retry_after=0.01, times=9)
    capture = provider.capture_activity(cred, identity, START, evidence, 10.0)
    [gap] = capture.gaps
    assert gap.why == "rate limited by Slack (429, retry after 0.01 s)"
    assert evidence.items[0].status == 429


def test_a_dead_token_is_a_gap_not_an_exception(slack, evidence):
    sim, provider = slack
    cred = credential(ADMIN, "slack", "user token")
    identity = provider.identify(cred)
    sim.tokens.revoke(sim.tokens.get(ADMIN))
    capture = provider.capture_activity(cred, identity, START, evidence, 10.0)
    [gap] = capture.gaps
    assert gap.why == "Slack says the token no longer works (token_revoked), so access logs " \
                      "cannot be read"


def test_an_unreachable_slack_is_a_gap(evidence):
    sim = SlackSimulator.from_seed(_seed())
    with sim:
        provider = SlackProvider(sim.api_url, settings())
        cred = credential(ADMIN, "slack", "user token")
        identity = provider.identify(cred)
    capture = provider.capture_activity(cred, identity, START, evidence, 10.0)
    [gap] = capture.gaps
    assert "unreachable" in gap.why and capture.events == [] and evidence.items == []


def test_no_token_value_anywhere(slack, evidence, tmp_path):
    sim, provider = slack
    capture = _capture(provider, evidence)
    texts = [repr(capture), json.dumps([e.__dict__ for e in capture.events]),
             json.dumps([g.as_dict() for g in capture.gaps])]
    texts += [p.read_text() for p in (tmp_path / "evidence").iterdir()]
    texts += [item.request for item in evidence.items]
    texts += [f"{r.path}?{r.query} {r.body!r}" for r in sim.requests]
    assert capture.events and evidence.items
    assert not [t for t in texts if ADMIN in t]


def test_tokens_without_a_self_route_capture_nothing(slack, evidence):
    sim, provider = slack
    identity = provider.identify(credential(ADMIN, "slack", "user token"))
    sim.requests.clear()
    assert provider.capture_activity(credential(APP, "slack", "app-level token"), identity,
                                     START, evidence, 5.0) is None
    assert sim.requests == [] and evidence.items == []
