"""SlackProvider against the Slack simulator: 200-on-error, revoke, proof, rate limits."""

from __future__ import annotations

import pytest
from provider_helpers import credential, settings

from responder.core.errors import ProviderError
from responder.providers.slack import SlackProvider
from responder.sim.slack import SlackSimulator

BOT = "xoxb-1234567890-1234567890123-" + "a" * 24
USER = "xoxp-1234567890-1234567890-1234567890-" + "b" * 32
APP = "xapp-1-A0123-123-" + "c" * 20


@pytest.fixture
def slack():
    sim = SlackSimulator.from_seed({"tokens": [
        {"value": BOT, "account": "mcp-bot", "scopes": ["chat:write", "channels:read"]},
        {"value": USER, "account": "dana"},
    ]})
    with sim:
        yield sim, SlackProvider(sim.api_url, settings())


def test_identity_reads_the_body_and_the_scopes_header(slack):
    sim, provider = slack
    identity = provider.identify(credential(BOT, "slack", "bot token"))
    assert identity.account == "mcp-bot in acme"
    assert identity.scopes == ("chat:write", "channels:read")
    assert identity.handle  # the bot id


def test_revoke_then_probe_proves_death_despite_http_200(slack):
    sim, provider = slack
    cred = credential(BOT, "slack", "bot token")
    assert provider.probe(cred).verdict == "alive"
    [outcome] = provider.revoke([cred], {})
    assert outcome.status == "submitted"
    assert not sim.tokens.is_active(BOT)
    probe = provider.probe(cred)
    assert probe.verdict == "dead" and "token_revoked" in probe.detail
    assert all(r.status == 200 for r in sim.requests)  # Slack never says 401


def test_a_dead_token_at_identity_is_reported_as_401(slack):
    sim, provider = slack
    with pytest.raises(ProviderError) as caught:
        provider.identify(credential("xoxb-1-2-" + "z" * 24, "slack"))
    assert caught.value.status == 401


def test_app_level_tokens_and_webhooks_are_manual(slack):
    sim, provider = slack
    cred = credential(APP, "slack", "app-level token")
    assert provider.route(cred) == "manual"
    [outcome] = provider.revoke([cred], {})
    assert outcome.status == "manual" and "App-Level Tokens" in outcome.manual[0]
    assert sim.requests == []


def test_rate_limit_is_honoured_then_the_revoke_lands_once(slack):
    sim, provider = slack
    sim.faults.add("POST", "/api/auth.revoke", status=429, retry_after=0.05)
    [outcome] = provider.revoke([credential(USER, "slack")], {})
    assert outcome.status == "submitted"
    revokes = [r for r in sim.requests if r.path.endswith("auth.revoke")]
    assert [r.status for r in revokes] == [429, 200]


def test_a_500_on_revoke_is_unknown_and_never_resent(slack):
    sim, provider = slack
    sim.faults.add("POST", "/api/auth.revoke", status=500)
    [outcome] = provider.revoke([credential(USER, "slack")], {})
    assert outcome.status == "unknown"
    assert len([r for r in sim.requests if r.path.endswith("auth.revoke")]) == 1
    assert sim.tokens.is_active(USER)


def test_garbage_answer_is_unknown_for_the_probe(slack):
    sim, provider = slack
    sim.faults.add("POST", "/api/auth.test", status=200, body="<html>proxy</html>", times=5)
    assert provider.probe(credential(BOT, "slack")).verdict == "unknown"
