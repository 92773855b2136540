"""CloudflareProvider against the Cloudflare simulator: user and account tokens, 9109, keys."""

from __future__ import annotations

import hashlib

import pytest
from provider_helpers import credential, settings

from responder.core.errors import ProviderError
from responder.engine.context import Timing
from responder.providers.cloudflare import CloudflareProvider
from responder.sim.cloudflare import CloudflareSimulator

ACC = "0123456789abcdef0123456789abcdef"
USER = "cfut_" + "U" * 40 + "0a1b2c3d"
ACCOUNT = "cfat_" + "A" * 40 + "4e5f6a7b"
UNPREFIXED_ACCOUNT = "k" * 40  # an account token from before the cfat_ prefix
NO_WRITE = "cfut_" + "N" * 40 + "8c9d0e1f"
DISABLED = "cfut_" + "D" * 40 + "2a3b4c5d"
GLOBAL = "0123456789abcdef0123456789abcdef01234"
GLOBAL_NEW = "cfk_" + "G" * 40 + "6e7f8a9b"
ORIGIN_CA = "v1.0-" + "a" * 24 + "-" + "b" * 146
SLOW = Timing(request_timeout=0.3, verify_backoff=(0.02,), read_retries=1, max_retry_after=0.2)
ALL = (USER, ACCOUNT, UNPREFIXED_ACCOUNT, NO_WRITE, DISABLED, GLOBAL, GLOBAL_NEW, ORIGIN_CA)
BASE = "/client/v4"


def token_id(value: str) -> str:
    return hashlib.md5(value.encode()).hexdigest()


@pytest.fixture
def cloudflare():
    sim = CloudflareSimulator.from_seed({"tokens": [
        {"value": USER, "account": "dana", "email": "dana@example.com", "expires_at": "+30d",
         "accounts": [ACC]},
        {"value": ACCOUNT, "account": "acme", "owner_account": ACC},
        {"value": UNPREFIXED_ACCOUNT, "account": "acme", "owner_account": ACC},
        {"value": NO_WRITE, "account": "dana", "can_self_revoke": False, "user_read": False},
        {"value": DISABLED, "account": "dana", "status": "disabled"},
    ]})
    with sim:
        yield sim, CloudflareProvider(sim.api_url, settings())


def cred(value: str, **context: str):
    return credential(value, "cloudflare", "API token", **context)


def deletes(sim):
    return [r for r in sim.requests if r.method == "DELETE"]


def test_identity_of_a_user_token(cloudflare):
    sim, provider = cloudflare
    identity = provider.identify(cred(USER))
    assert identity.handle == token_id(USER) and identity.account == "dana@example.com"
    assert identity.token_kind == "user API token" and identity.scopes is None
    assert identity.expires and identity.detail("status") == "active"
    assert [r.path for r in sim.requests] == [f"{BASE}/user/tokens/verify", f"{BASE}/user"]
    assert all(r.headers["authorization"] == f"Bearer {USER}" for r in sim.requests)


def test_revoke_deletes_its_own_id_then_probe_proves_death(cloudflare):
    sim, provider = cloudflare
    c = cred(USER)
    assert provider.plan_revoke([c])[0].url.endswith("/user/tokens/<id>")
    identity = provider.identify(c)
    [plan] = provider.plan_revoke([c])
    assert (plan.method, plan.url) == ("DELETE", f"{sim.api_url}/user/tokens/{token_id(USER)}")
    assert provider.probe(c).verdict == "alive"
    [outcome] = provider.revoke([c], {c.id: identity})
    assert outcome.status == "submitted"
    [request] = deletes(sim)
    assert request.path == f"{BASE}/user/tokens/{token_id(USER)}" and request.body == b""
    assert request.headers["authorization"] == f"Bearer {USER}"
    assert request.response_json == {"success": True, "errors": [], "messages": [],
                                     "result": {"id": token_id(USER)}}
    assert not sim.tokens.is_active(USER)
    probe = provider.probe(c)
    assert probe.verdict == "dead" and "1000" in probe.detail


def test_revoke_without_identity_reads_the_id_first(cloudflare):
    sim, provider = cloudflare
    [outcome] = provider.revoke([cred(USER)], {})
    assert outcome.status == "submitted"
    assert [r.method for r in sim.requests] == ["GET", "DELETE"]


def test_account_tokens_use_the_account_endpoints(cloudflare):
    sim, provider = cloudflare
    c = cred(ACCOUNT, cloudflare_account_id=ACC)
    assert provider.route(c) == "self"
    identity = provider.identify(c)
    assert identity.token_kind == "account API token" and identity.account_id == ACC
    assert [r.path for r in sim.requests] == [f"{BASE}/accounts/{ACC}/tokens/verify"]
    [outcome] = provider.revoke([c], {c.id: identity})
    assert outcome.status == "submitted"
    assert deletes(sim)[0].path == f"{BASE}/accounts/{ACC}/tokens/{token_id(ACCOUNT)}"
    assert provider.probe(c).verdict == "dead"


def test_an_unprefixed_account_token_falls_back_to_the_account_verify(cloudflare):
    sim, provider = cloudflare
    c = cred(UNPREFIXED_ACCOUNT, cloudflare_account_id=ACC)
    identity = provider.identify(c)
    assert identity.token_kind == "account API token"
    assert [r.status for r in sim.requests] == [401, 200]  # the user endpoint says "invalid"
    [outcome] = provider.revoke([c], {c.id: identity})
    assert outcome.status == "submitted"
    assert deletes(sim)[0].path.startswith(f"{BASE}/accounts/{ACC}/tokens/")
    assert provider.probe(c).verdict == "dead"


def test_a_live_account_token_is_never_called_dead_without_its_account(cloudflare):
    sim, provider = cloudflare
    c = cred(UNPREFIXED_ACCOUNT)
    with pytest.raises(ProviderError) as caught:
        provider.identify(c)
    assert caught.value.status != 401 and "account-owned" in caught.value.message
    probe = provider.probe(c)
    assert probe.verdict == "alive"
    [outcome] = provider.revoke([c], {})
    assert outcome.status == "failed" and outcome.manual
    assert deletes(sim) == [] and sim.tokens.is_active(UNPREFIXED_ACCOUNT)


def test_a_dead_token_at_identity_is_401(cloudflare):
    sim, provider = cloudflare
    with pytest.raises(ProviderError) as caught:
        provider.identify(cred("cfut_" + "Z" * 40 + "00000000"))
    assert caught.value.status == 401
    assert sim.requests[0].response_json["errors"] == [{"code": 1000,
                                                        "message": "Invalid API Token"}]


def test_a_disabled_token_counts_as_dead_but_is_still_deleted_by_hand(cloudflare):
    sim, provider = cloudflare
    c = cred(DISABLED)
    with pytest.raises(ProviderError) as caught:
        provider.identify(c)
    assert caught.value.status == 401 and "re-enabled" in caught.value.message
    probe = provider.probe(c)
    assert probe.verdict == "dead" and "disabled" in probe.detail


def test_without_api_tokens_write_the_revoke_fails_with_the_manual_step(cloudflare):
    sim, provider = cloudflare
    c = cred(NO_WRITE)
    identity = provider.identify(c)
    assert identity.account == "?" and "9109" in identity.notes[0]  # no User Details Read
    [outcome] = provider.revoke([c], {c.id: identity})
    assert outcome.status == "failed" and "API Tokens Write" in outcome.detail
    assert "https://dash.cloudflare.com/profile/api-tokens" in outcome.manual[0]
    assert "Audit Log" in outcome.manual[1]
    [request] = deletes(sim)
    assert request.status == 403 and request.response_json["errors"][0]["code"] == 9109
    assert sim.tokens.is_active(NO_WRITE)


@pytest.mark.parametrize("value", [GLOBAL, GLOBAL_NEW, ORIGIN_CA])
def test_keys_are_manual_and_send_nothing(cloudflare, value):
    sim, provider = cloudflare
    c = cred(value)
    assert provider.route(c) == "manual"
    assert provider.identify(c) is None and provider.plan_revoke([c]) == []
    [outcome] = provider.revoke([c], {})
    assert outcome.status == "manual" and "\"Change\"" in outcome.manual[0]
    assert "https://dash.cloudflare.com/profile/api-tokens" in outcome.manual[0]
    assert provider.probe(c).verdict == "unknown"
    assert sim.requests == []


def test_an_account_token_without_its_account_is_manual(cloudflare):
    sim, provider = cloudflare
    c = cred(ACCOUNT)
    assert provider.route(c) == "manual"
    [outcome] = provider.revoke([c], {})
    assert outcome.status == "manual"
    assert "https://dash.cloudflare.com/<account_id>/api-tokens" in outcome.manual[0]
    steps = provider.manual_steps(cred(ACCOUNT, cloudflare_account_id=ACC))
    assert f"https://dash.cloudflare.com/{ACC}/api-tokens" in steps[0]
    assert sim.requests == []


def test_rate_limit_is_honoured_then_the_revoke_lands_once(cloudflare):
    sim, provider = cloudflare
    c = cred(USER)
    identity = provider.identify(c)
    sim.faults.add("DELETE", f"{BASE}/user/tokens/*", status=429, retry_after=0.05)
    [outcome] = provider.revoke([c], {c.id: identity})
    assert outcome.status == "submitted"
    assert [r.status for r in deletes(sim)] == [429, 200]
    assert deletes(sim)[0].response_json["errors"][0]["code"] == 971


def test_a_500_on_revoke_is_unknown_and_never_resent(cloudflare):
    sim, provider = cloudflare
    c = cred(USER)
    identity = provider.identify(c)
    sim.faults.add("DELETE", f"{BASE}/user/tokens/*", status=500)
    [outcome] = provider.revoke([c], {c.id: identity})
    assert outcome.status == "unknown"
    assert len(deletes(sim)) == 1 and sim.tokens.is_active(USER)


def test_a_timeout_on_revoke_is_unknown(cloudflare):
    sim, _ = cloudflare
    provider = CloudflareProvider(sim.api_url, settings(timing=SLOW))
    c = cred(USER)
    identity = provider.identify(c)
    sim.faults.add("DELETE", f"{BASE}/user/tokens/*", delay=0.6)
    [outcome] = provider.revoke([c], {c.id: identity})
    assert outcome.status == "unknown" and "timed out" in outcome.detail


def test_garbage_answers_give_a_clear_status(cloudflare):
    sim, provider = cloudflare
    c = cred(USER)
    sim.faults.add("GET", f"{BASE}/user/tokens/verify", status=200, body="<html>", times=None)
    with pytest.raises(ProviderError) as caught:
        provider.identify(c)
    assert "not JSON" in caught.value.message
    assert provider.probe(c).verdict == "unknown"
    sim.faults.add("GET", f"{BASE}/user/tokens/verify", status=401, body="<html>", times=None)
    assert provider.probe(c).verdict == "unknown"  # a 401 without code 1000 proves nothing


def test_probe_is_unknown_on_errors(cloudflare):
    sim, provider = cloudflare
    sim.faults.add("GET", f"{BASE}/user/tokens/verify", status=503, times=None)
    assert provider.probe(cred(USER)).verdict == "unknown"
    sim.faults.clear()
    sim.faults.add("GET", f"{BASE}/user/tokens/verify", status=403, times=None)
    assert provider.probe(cred(USER)).verdict == "unknown"


def test_every_answer_is_the_envelope(cloudflare):
    sim, provider = cloudflare
    provider.identify(cred(USER))
    provider.probe(cred("cfut_" + "Q" * 48))
    provider.http.read("GET", "/no/such/route")
    provider.revoke([cred(NO_WRITE)], {})
    assert len(sim.requests) >= 5
    for request in sim.requests:
        assert set(request.response_json) == {"success", "errors", "messages", "result"}
        assert request.response_json["success"] is (request.status == 200)


def test_revoke_lag_keeps_the_token_alive_for_a_while():
    sim = CloudflareSimulator.from_seed({"revoke_lag": 1, "tokens": [{"value": USER}]})
    with sim:
        provider = CloudflareProvider(sim.api_url, settings())
        c = cred(USER)
        [outcome] = provider.revoke([c], {})
        assert outcome.status == "submitted"
        assert provider.probe(c).verdict == "alive"
        assert provider.probe(c).verdict == "dead"


def test_no_token_value_in_anything_returned(cloudflare):
    sim, provider = cloudflare
    returned = []
    for value in ALL:
        for c in (cred(value), cred(value, cloudflare_account_id=ACC)):
            try:
                identity = provider.identify(c)
            except ProviderError as error:
                identity = None
                returned.append(error)
            returned += [identity, provider.plan_revoke([c]), provider.manual_steps(c)]
            returned += provider.revoke([c], {c.id: identity} if identity else {})
            returned.append(provider.probe(c))
    text = repr(returned) + "".join(str(e) for e in returned if isinstance(e, Exception))
    for value in ALL:
        assert value not in text
