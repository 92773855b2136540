"""VercelProvider against the Vercel simulator: 403-means-dead only with invalidToken, faults."""

from __future__ import annotations

import pytest
from provider_helpers import credential, settings

from responder.core.errors import ProviderError
from responder.engine.context import Timing
from responder.providers.vercel import VercelProvider
from responder.sim.vercel import VercelSimulator

TOKEN = "Ab3dEf6hIj9kLm2nOp5qRs8t"
TEAM = "Tm4eAm7tOk3nXy6zQw9eRt2y"
SSO = "Ss0sAm1lTo2kEn3qWe4rTy5u"
SLOW = Timing(request_timeout=0.3, verify_backoff=(0.02,), read_retries=1, max_retry_after=0.2)
ALL = (TOKEN, TEAM, SSO)


@pytest.fixture
def vercel():
    sim = VercelSimulator.from_seed({"tokens": [
        {"value": TOKEN, "account": "dana", "account_id": "usr_dana", "id": "tok_dana",
         "name": "mcp-server", "expires_at": "+30d", "teams": ["team_acme"]},
        {"value": TEAM, "account": "ci", "id": "tok_ci", "name": "deploy",
         "teams": ["team_acme"], "user_forbidden": True},
        {"value": SSO, "account": "sam", "id": "tok_sso", "sso_required": "team_acme"},
    ]})
    with sim:
        yield sim, VercelProvider(sim.api_url, settings())


def deletes(sim):
    return [r for r in sim.requests if r.method == "DELETE"]


def test_identity_reads_the_current_token_and_the_user(vercel):
    sim, provider = vercel
    identity = provider.identify(credential(TOKEN, "vercel", "token"))
    assert identity.account == "dana" and identity.account_id == "usr_dana"
    assert identity.handle == "tok_dana" and identity.token_kind == "oauth2-token"
    assert identity.scopes == ("user", "team:team_acme")
    assert identity.expires and identity.expires.endswith("Z")
    assert identity.detail("name") == "mcp-server" and identity.detail("teams") == "team_acme"
    paths = [r.path for r in sim.requests]
    assert paths == ["/v5/user/tokens/current", "/v2/user"]
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" and not r.query
               for r in sim.requests)  # no teamId on user-level calls


def test_a_team_token_refused_the_user_call_still_identifies(vercel):
    sim, provider = vercel
    identity = provider.identify(credential(TEAM, "vercel"))
    assert identity.handle == "tok_ci" and identity.account == "token deploy"
    assert "403" in identity.notes[0]


def test_revoke_current_then_probe_proves_death(vercel):
    sim, provider = vercel
    cred = credential(TOKEN, "vercel")
    identity = provider.identify(cred)
    [plan] = provider.plan_revoke([cred])
    assert (plan.method, plan.url) == ("DELETE", f"{sim.api_url}/v3/user/tokens/current")
    assert provider.probe(cred).verdict == "alive"
    [outcome] = provider.revoke([cred], {cred.id: identity})
    assert outcome.status == "submitted" and "tok_dana" in outcome.detail
    [request] = deletes(sim)
    assert request.path == "/v3/user/tokens/current" and request.body == b""
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert not sim.tokens.is_active(TOKEN)
    probe = provider.probe(cred)
    assert probe.verdict == "dead" and "invalidToken" in probe.detail
    assert sim.requests[-1].status == 403  # Vercel's dead-token answer is a 403


def test_a_dead_token_at_identity_is_401(vercel):
    sim, provider = vercel
    with pytest.raises(ProviderError) as caught:
        provider.identify(credential("Zz" * 12, "vercel"))
    assert caught.value.status == 401


def test_a_403_without_invalid_token_is_never_death(vercel):
    sim, provider = vercel
    cred = credential(SSO, "vercel")
    with pytest.raises(ProviderError) as caught:
        provider.identify(cred)
    assert caught.value.status == 403 and "not proof" in caught.value.message
    probe = provider.probe(cred)
    assert probe.verdict == "unknown" and "SSO" in probe.detail
    [outcome] = provider.revoke([cred], {})
    assert outcome.status == "failed" and "https://vercel.com/account/tokens" in outcome.manual[0]
    assert sim.tokens.is_active(SSO)


def test_a_team_outside_the_scope_is_refused_without_invalid_token(vercel):
    sim, provider = vercel
    answer = provider.http.read("GET", "/v5/user/tokens/current", params={"teamId": "team_x"},
                                headers={"authorization": f"Bearer {TOKEN}"})
    assert answer.status == 403 and "invalidToken" not in answer.data["error"]
    ok = provider.http.read("GET", "/v5/user/tokens/current", params={"teamId": "team_acme"},
                            headers={"authorization": f"Bearer {TOKEN}"})
    assert ok.status == 200


def test_manual_steps_name_the_token_and_the_page(vercel):
    sim, provider = vercel
    cred = credential(TOKEN, "vercel")
    assert "https://vercel.com/account/tokens" in provider.manual_steps(cred)[0]
    assert sim.requests == []
    provider.identify(cred)
    steps = provider.manual_steps(cred)
    assert '"mcp-server"' in steps[0] and "Audit Log" in steps[1]


def test_rate_limit_is_honoured_then_the_revoke_lands_once(vercel):
    sim, provider = vercel
    sim.faults.add("DELETE", "/v3/user/tokens/current", status=429, retry_after=0.05)
    [outcome] = provider.revoke([credential(TOKEN, "vercel")], {})
    assert outcome.status == "submitted"
    assert [r.status for r in deletes(sim)] == [429, 200]
    assert deletes(sim)[0].response_json["error"]["code"] == "rate_limited"


def test_a_500_on_revoke_is_unknown_and_never_resent(vercel):
    sim, provider = vercel
    sim.faults.add("DELETE", "/v3/user/tokens/current", status=500)
    [outcome] = provider.revoke([credential(TOKEN, "vercel")], {})
    assert outcome.status == "unknown"
    assert len(deletes(sim)) == 1 and sim.tokens.is_active(TOKEN)


def test_a_timeout_on_revoke_is_unknown(vercel):
    sim, _ = vercel
    provider = VercelProvider(sim.api_url, settings(timing=SLOW))
    sim.faults.add("DELETE", "/v3/user/tokens/current", delay=0.6)
    [outcome] = provider.revoke([credential(TOKEN, "vercel")], {})
    assert outcome.status == "unknown" and "timed out" in outcome.detail


def test_garbage_answers_give_a_clear_status(vercel):
    sim, provider = vercel
    cred = credential(TOKEN, "vercel")
    sim.faults.add("GET", "/v5/user/tokens/current", status=200, body="<html>", times=None)
    with pytest.raises(ProviderError) as caught:
        provider.identify(cred)
    assert "not JSON" in caught.value.message
    assert provider.probe(cred).verdict == "unknown"
    sim.faults.add("DELETE", "/v3/user/tokens/current", status=200, body="<html>")
    [outcome] = provider.revoke([cred], {})
    assert outcome.status == "unknown"  # a 200 may have landed: verification decides


def test_probe_is_unknown_on_errors(vercel):
    sim, provider = vercel
    sim.faults.add("GET", "/v5/user/tokens/current", status=502, times=None)
    assert provider.probe(credential(TOKEN, "vercel")).verdict == "unknown"


def test_revoke_lag_keeps_the_token_alive_for_a_while():
    sim = VercelSimulator.from_seed({"revoke_lag": 1, "tokens": [{"value": TOKEN}]})
    with sim:
        provider = VercelProvider(sim.api_url, settings())
        cred = credential(TOKEN, "vercel")
        [outcome] = provider.revoke([cred], {})
        assert outcome.status == "submitted"
        assert provider.probe(cred).verdict == "alive"
        assert provider.probe(cred).verdict == "dead"


def test_no_token_value_in_anything_returned(vercel):
    sim, provider = vercel
    returned = []
    for value in ALL:
        cred = credential(value, "vercel")
        try:
            identity = provider.identify(cred)
        except ProviderError as error:
            identity = None
            returned.append(error)
        returned += [identity, provider.plan_revoke([cred]), provider.manual_steps(cred)]
        returned += provider.revoke([cred], {cred.id: identity} if identity else {})
        returned.append(provider.probe(cred))
    text = repr(returned) + "".join(str(e) for e in returned if isinstance(e, Exception))
    for value in ALL:
        assert value not in text
