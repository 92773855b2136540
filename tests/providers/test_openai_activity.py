"""OpenAI activity against the simulator: the organization's audit log, read with the admin key,
normalised with what the suspect key did marked, paged, and every refusal a gap."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from provider_helpers import FAST, credential, settings

from responder.activity.evidence import EvidenceStore
from responder.core.secrets import SecretRegistry
from responder.providers import openai_activity
from responder.providers.openai import OpenAIProvider
from responder.sim.openai import OpenAISimulator
from responder.sim.server import Response

ADMIN = "sk-admin-" + "Ad" * 29 + "T3BlbkFJ" + "mN" * 29
PROJ = "sk-proj-" + "Pa" * 37 + "T3BlbkFJ" + "Qb" * 36 + "Wxyz"
VAR = "RESPONDER_OPENAI_ADMIN_KEY"
NOW = datetime.now(UTC).replace(microsecond=0)
START = NOW - timedelta(days=7)
DANA = {"type": "session", "session": {"user": {"id": "user-dana", "email": "dana@example.com"},
                                       "ip_address": "203.0.113.10",
                                       "user_agent": "Mozilla/5.0"}}
SUSPECT = {"type": "api_key", "api_key": {"id": "key_proj", "type": "user",
                                          "user": {"id": "user-dana",
                                                   "email": "dana@example.com"}}}
BETA = {"id": "proj_beta", "name": "Beta"}
LOGS = [
    {"type": "api_key.created", "effective_at": "-2d", "actor": SUSPECT, "project": BETA,
     "api_key.created": {"id": "key_new", "data": {"scopes": ["api.model.read"]}}},
    {"type": "api_key.updated", "effective_at": "-1d", "actor": DANA, "project": BETA,
     "api_key.updated": {"id": "key_proj", "data": {"scopes": ["api.all"]}}},
    {"type": "user.added", "effective_at": "-3h", "actor": DANA,
     "user.added": {"id": "user-mallory", "data": {"role": "owner"}}},
    {"type": "login.succeeded", "effective_at": "-1h",
     "actor": {"type": "session", "session": {"user": {"id": "user-dana",
                                                       "email": "dana@example.com"},
                                              "ip_address": "198.51.100.66",
                                              "user_agent": "curl/8.4"}}},
    {"type": "project.created", "effective_at": "-20d", "actor": DANA,
     "project.created": {"id": "proj_old"}},
]


def _seed(**extra) -> dict:
    return {"organization": "org-acme", "projects": [BETA],
            "tokens": [{"value": ADMIN, "account": "Dana Admin", "id": "key_admin"},
                       {"value": PROJ, "account": "dana@example.com", "id": "key_proj",
                        "project": "proj_beta", "account_id": "user-dana"}],
            "audit_logs": LOGS, **extra}


@pytest.fixture
def evidence(tmp_path) -> EvidenceStore:
    # An empty registry: nothing is scrubbed, so a key that leaked would be on disk.
    return EvidenceStore(tmp_path / "evidence", SecretRegistry(), lambda: datetime.now(UTC))


def _run(sim, evidence, admin=ADMIN, budget=10.0):
    provider = OpenAIProvider(sim.api_url, settings(admin={VAR: admin} if admin else None))
    cred = credential(PROJ, "openai", "project key")
    lookup = OpenAIProvider(sim.api_url, settings(admin={VAR: ADMIN}))
    identity = lookup.identify(cred)
    sim.requests.clear()
    return provider.capture_activity(cred, identity, START, evidence, budget)


def test_the_audit_log_is_captured_and_what_the_suspect_key_did_is_marked(evidence):
    with OpenAISimulator.from_seed(_seed()) as sim:
        capture = _run(sim, evidence)
        [call] = sim.requests
    assert (capture.provider, capture.vantage, capture.gaps) == ("openai", "responder token", [])
    assert capture.account == "dana@example.com"
    kinds = {e.kind: e for e in capture.events}
    assert set(kinds) == {"api_key_created", "api_key_updated", "user_added", "login"}
    created = kinds["api_key_created"]
    assert created.detail == {
        "id": created.detail["id"], "type": "api_key.created", "actor_type": "api_key",
        "actor_email": "dana@example.com", "actor_id": "user-dana",
        "actor_api_key_id": "key_proj", "ip_address": None, "user_agent": None,
        "project_id": "proj_beta", "project_name": "Beta", "object_id": "key_new",
        "by_suspect_key": True, "on_suspect_key": False}
    assert created.target == "Beta" and created.in_window
    assert created.summary == "api_key.created by dana@example.com on key_new in Beta"
    assert kinds["api_key_updated"].detail["on_suspect_key"] is True
    assert kinds["api_key_updated"].detail["by_suspect_key"] is False
    assert kinds["login"].detail["ip_address"] == "198.51.100.66"
    assert kinds["user_added"].target == "the organization"
    assert call.query["effective_at[gte]"] == [str(int(START.timestamp()))]
    assert call.headers["authorization"] == f"Bearer {ADMIN}"
    assert all(e.source == "openai-audit-logs-p1.json" for e in capture.events)


def test_pages_follow_the_cursor_and_each_is_saved(monkeypatch, evidence):
    monkeypatch.setattr(openai_activity, "LIMIT", 3)
    with OpenAISimulator.from_seed(_seed()) as sim:
        capture = _run(sim, evidence)
        afters = [r.query.get("after") for r in sim.requests]
    assert len(capture.events) == 4 and capture.gaps == []
    assert afters[0] is None and afters[1] is not None and len(afters) == 2
    assert [i.file for i in evidence.items] == ["openai-audit-logs-p1.json",
                                                "openai-audit-logs-p2.json"]


def test_without_an_admin_key_there_is_no_capture_and_nothing_is_sent(evidence):
    with OpenAISimulator.from_seed(_seed()) as sim:
        assert _run(sim, evidence, admin=None) is None
        assert sim.requests == [] and evidence.items == []


def test_audit_logging_off_is_a_gap_that_says_so(evidence):
    with OpenAISimulator.from_seed(_seed(audit_logging=False)) as sim:
        capture = _run(sim, evidence)
    [gap] = capture.gaps
    assert gap.what == "organization audit log" and "audit logging may be off" in gap.why
    assert "(invalid_request_error)" in gap.why and "not enabled" not in gap.why  # no relaying
    assert evidence.items[0].status == 400


def test_an_admin_variable_that_is_not_an_admin_key_is_a_gap(evidence):
    with OpenAISimulator.from_seed(_seed()) as sim:
        capture = _run(sim, evidence, admin=PROJ)
    [gap] = capture.gaps
    assert gap.why.startswith(f"OpenAI refused {VAR} (401")
    assert capture.events == []


class FailingPageTwo(OpenAISimulator):
    def dispatch(self, request, route):
        if request.path == "/v1/organization/audit_logs" and request.arg("after"):
            return Response(500, {"error": {"message": "boom", "type": "server_error",
                                            "param": None, "code": None}})
        return super().dispatch(request, route)


def test_a_page_that_fails_keeps_what_was_read_and_records_a_gap(monkeypatch, evidence):
    monkeypatch.setattr(openai_activity, "LIMIT", 3)
    with FailingPageTwo.from_seed(_seed()) as sim:
        capture = _run(sim, evidence)
        tries = [r for r in sim.requests if r.query.get("after")]
    assert len(tries) == 1 + FAST.read_retries
    assert len(capture.events) == 3
    [gap] = capture.gaps
    assert (gap.what, gap.why) == ("organization audit log, page 2",
                                   "OpenAI answered 500 (server_error)")


def test_no_key_value_anywhere(evidence, tmp_path):
    with OpenAISimulator.from_seed(_seed()) as sim:
        capture = _run(sim, evidence)
    texts = [repr(capture), json.dumps([e.__dict__ for e in capture.events]),
             json.dumps([g.as_dict() for g in capture.gaps])]
    texts += [p.read_text() for p in (tmp_path / "evidence").iterdir()]
    texts += [item.request for item in evidence.items]
    assert capture.events
    assert not [t for t in texts if ADMIN in t or PROJ in t]
