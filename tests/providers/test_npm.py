"""NpmProvider against the npm registry simulator: keys, pagination, 2FA, CIDR, faults."""

from __future__ import annotations

import hashlib

import pytest
from provider_helpers import credential, settings

from responder.core.errors import ProviderError
from responder.engine.context import Timing
from responder.providers.npm import NpmProvider, _match
from responder.sim.npm import NpmSimulator

TOKEN = "npm_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
OTHER = "npm_" + "Zz" + "9" * 34
OTP_TOKEN = "npm_" + "Ot" + "p" * 34
BLOCKED = "npm_" + "Ci" + "d" * 34
LEGACY = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
SLOW = Timing(request_timeout=0.3, verify_backoff=(0.02,), read_retries=1, max_retry_after=0.2)
ALL = (TOKEN, OTHER, OTP_TOKEN, BLOCKED, LEGACY)


def key(value: str) -> str:
    return hashlib.sha512(value.encode()).hexdigest()


@pytest.fixture
def npm():
    sim = NpmSimulator.from_seed({"page_size": 2, "tokens": [
        {"value": OTHER, "account": "dana", "created_at": "2026-01-01T00:00:00Z"},
        {"value": LEGACY, "account": "dana", "created_at": "2026-01-02T00:00:00Z",
         "readonly": True},
        {"value": "npm_" + "x" * 36, "account": "dana", "created_at": "2026-01-03T00:00:00Z"},
        {"value": TOKEN, "account": "dana", "created_at": "2026-01-04T00:00:00Z",
         "cidr_whitelist": ["192.0.2.0/24"]},
        {"value": OTP_TOKEN, "account": "otto", "otp": True},
        {"value": BLOCKED, "account": "cid", "cidr_blocked": True},
    ]})
    with sim:
        yield sim, NpmProvider(sim.api_url, settings())


def deletes(sim):
    return [r for r in sim.requests if r.method == "DELETE"]


def test_identity_finds_the_key_across_pages(npm):
    sim, provider = npm
    identity = provider.identify(credential(TOKEN, "npm", "access token"))
    assert identity.account == "dana" and identity.handle == key(TOKEN)
    assert identity.scopes == ("publish",) and identity.token_kind == "publish token"
    assert identity.detail("cidr_whitelist") == "192.0.2.0/24"
    pages = [r.query["page"][0] for r in sim.requests if r.path == "/-/npm/v1/tokens"]
    assert pages == ["0", "1"]  # this token is on the second page: urls.next was followed
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in sim.requests)
    legacy = provider.identify(credential(LEGACY, "npm"))
    assert legacy.scopes == ("read-only",) and legacy.handle == key(LEGACY)


def test_the_truncated_list_is_matched_only_when_one_entry_fits():
    value = "npm_abCDEF" + "0" * 32
    entry = {"token": "npm_ab", "key": "k1"}
    assert _match([entry], value) == (entry, None)
    assert _match([{"token": "npm_ab…", "key": "k1"}], value)[0]["key"] == "k1"
    twins, note = _match([entry, {"token": "npm_ab", "key": "k2"}], value)
    assert twins is None and "2 listed tokens" in note
    exact = {"token": "npm_ab", "key": key(value)}
    assert _match([entry, exact], value) == (exact, None)  # the sha512 key settles it
    assert _match([{"token": "npm_zz", "key": "k3"}], value)[0] is None


def test_revoke_by_key_then_probe_proves_death(npm):
    sim, provider = npm
    cred = credential(TOKEN, "npm")
    identity = provider.identify(cred)
    [plan] = provider.plan_revoke([cred])
    assert plan.method == "DELETE" and plan.url.endswith(f"/-/npm/v1/tokens/token/{key(TOKEN)}")
    assert provider.probe(cred).verdict == "alive"
    [outcome] = provider.revoke([cred], {cred.id: identity})
    assert outcome.status == "submitted"
    [request] = deletes(sim)
    assert request.path == f"/-/npm/v1/tokens/token/{key(TOKEN)}"  # the key, never the value
    assert request.headers["authorization"] == f"Bearer {TOKEN}" and request.body == b""
    assert not sim.tokens.is_active(TOKEN)
    assert provider.probe(cred).verdict == "dead"


def test_without_a_key_the_value_goes_in_the_path_like_the_npm_cli(npm):
    sim, provider = npm
    sim.faults.add("GET", "/-/npm/v1/tokens", status=403, times=None,
                   body={"error": "granular tokens cannot list tokens"})
    cred = credential(TOKEN, "npm")
    identity = provider.identify(cred)
    assert identity.handle is None and "could not be read" in identity.notes[0]
    [plan] = provider.plan_revoke([cred])
    assert cred.secret.redacted in plan.note and TOKEN not in repr(plan)
    [outcome] = provider.revoke([cred], {cred.id: identity})
    assert outcome.status == "submitted" and TOKEN not in repr(outcome)
    assert deletes(sim)[0].path == f"/-/npm/v1/tokens/token/{TOKEN}"
    assert not sim.tokens.is_active(TOKEN)


def test_revoke_without_identity_looks_the_key_up_first(npm):
    sim, provider = npm
    cred = credential(TOKEN, "npm")
    [outcome] = provider.revoke([cred], {})
    assert outcome.status == "submitted"
    assert deletes(sim)[0].path.endswith(key(TOKEN))


def test_a_dead_token_at_identity_is_401(npm):
    sim, provider = npm
    with pytest.raises(ProviderError) as caught:
        provider.identify(credential("npm_" + "d" * 36, "npm"))
    assert caught.value.status == 401


def test_two_factor_challenge_fails_with_the_manual_step(npm):
    sim, provider = npm
    cred = credential(OTP_TOKEN, "npm")
    identity = provider.identify(cred)
    [outcome] = provider.revoke([cred], {cred.id: identity})
    assert outcome.status == "failed" and "one-time password" in outcome.detail
    assert f"npm token revoke {key(OTP_TOKEN)[:16]}" in outcome.manual[0]
    assert "https://www.npmjs.com/settings/otto/tokens" in outcome.manual[0]
    assert "npm view <package> time" in outcome.manual[1]
    assert len(deletes(sim)) == 1 and deletes(sim)[0].status == 401
    assert sim.tokens.is_active(OTP_TOKEN)
    assert provider.probe(cred).verdict == "alive"  # the 401 was a challenge, not death


def test_a_cidr_refusal_is_never_read_as_death(npm):
    sim, provider = npm
    cred = credential(BLOCKED, "npm")
    with pytest.raises(ProviderError) as caught:
        provider.identify(cred)
    assert caught.value.status != 401 and "IP address" in caught.value.message
    probe = provider.probe(cred)
    assert probe.verdict == "unknown" and "IP address" in probe.detail


def test_manual_steps_name_the_settings_page(npm):
    sim, provider = npm
    steps = provider.manual_steps(credential(TOKEN, "npm"))
    assert "https://www.npmjs.com/settings/<username>/tokens" in steps[0]
    assert sim.requests == []


def test_rate_limit_is_honoured_then_the_revoke_lands_once(npm):
    sim, provider = npm
    cred = credential(TOKEN, "npm")
    identity = provider.identify(cred)
    sim.faults.add("DELETE", "/-/npm/v1/tokens/token/*", status=429, retry_after=0.05)
    [outcome] = provider.revoke([cred], {cred.id: identity})
    assert outcome.status == "submitted"
    assert [r.status for r in deletes(sim)] == [429, 204]


def test_a_500_on_revoke_is_unknown_and_never_resent(npm):
    sim, provider = npm
    cred = credential(TOKEN, "npm")
    identity = provider.identify(cred)
    sim.faults.add("DELETE", "/-/npm/v1/tokens/token/*", status=500)
    [outcome] = provider.revoke([cred], {cred.id: identity})
    assert outcome.status == "unknown" and outcome.manual
    assert len(deletes(sim)) == 1
    assert sim.tokens.is_active(TOKEN)


def test_a_timeout_on_revoke_is_unknown(npm):
    sim, _ = npm
    provider = NpmProvider(sim.api_url, settings(timing=SLOW))
    cred = credential(TOKEN, "npm")
    identity = provider.identify(cred)
    sim.faults.add("DELETE", "/-/npm/v1/tokens/token/*", delay=0.6)
    [outcome] = provider.revoke([cred], {cred.id: identity})
    assert outcome.status == "unknown" and "timed out" in outcome.detail
    assert len(deletes(sim)) <= 1


def test_garbage_answers_give_a_clear_status(npm):
    sim, provider = npm
    sim.faults.add("GET", "/-/whoami", status=200, body="<html>proxy</html>", times=None)
    cred = credential(TOKEN, "npm")
    with pytest.raises(ProviderError) as caught:
        provider.identify(cred)
    assert "not JSON" in caught.value.message
    assert provider.probe(cred).verdict == "unknown"


def test_probe_is_unknown_on_errors(npm):
    sim, provider = npm
    sim.faults.add("GET", "/-/whoami", status=503, times=None)
    assert provider.probe(credential(TOKEN, "npm")).verdict == "unknown"


def test_revoke_lag_keeps_the_token_alive_for_a_while():
    sim = NpmSimulator.from_seed({"revoke_lag": 1, "tokens": [{"value": TOKEN}]})
    with sim:
        provider = NpmProvider(sim.api_url, settings())
        cred = credential(TOKEN, "npm")
        [outcome] = provider.revoke([cred], {})
        assert outcome.status == "submitted" and not sim.tokens.is_active(TOKEN)
        assert provider.probe(cred).verdict == "alive"
        assert provider.probe(cred).verdict == "dead"


def test_no_token_value_in_anything_returned(npm):
    sim, provider = npm
    returned = []
    for value in ALL:
        cred = credential(value, "npm")
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
