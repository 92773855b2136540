"""AnthropicProvider against the Anthropic simulator: Admin-key lookup by partial_key_hint,
deactivation (there is no delete), proof, the version header, 529 and the other faults."""

from __future__ import annotations

import httpx
import pytest
from provider_helpers import credential, settings

from responder.core.errors import ProviderError
from responder.engine.context import Timing
from responder.providers.anthropic import AnthropicProvider
from responder.sim.anthropic import AnthropicSimulator

ADMIN = "sk-ant-admin01-" + "Ad" * 46 + "mAA"
KEY = "sk-ant-api03-" + "R2D" + "k9" * 45 + "igAA"
OTHER = "sk-ant-api03-" + "Xy7" + "q1" * 45 + "zzAA"
OLD = "sk-ant-api03-" + "Old" + "o0" * 45 + "ldAA"
STRANGER = "sk-ant-api03-" + "Nob" + "n0" * 45 + "dyAA"  # no organization knows it
VAR = "RESPONDER_ANTHROPIC_ADMIN_KEY"


def _seed(**extra):
    return {
        "organization": {"id": "org-uuid-1", "name": "Acme"},
        "tokens": [
            {"value": ADMIN, "account": "root@example.com", "id": "apikey_admin"},
            {"value": KEY, "account": "dana@example.com", "account_id": "user_01Dana",
             "id": "apikey_01Key", "name": "mcp-server", "workspace_id": "wrkspc_01Tools"},
            {"value": OTHER, "account": "eve@example.com", "account_id": "user_01Eve",
             "id": "apikey_02Other"},
            {"value": OLD, "account": "dana@example.com", "account_id": "user_01Dana",
             "id": "apikey_03Old", "status": "archived"},
            *extra.pop("tokens", []),
        ],
        **extra,
    }


def _start(seed, admin=True, timing=None):
    sim = AnthropicSimulator.from_seed(seed)
    sim.start()
    kwargs = {"admin": {VAR: ADMIN}} if admin else {}
    if timing is not None:
        kwargs["timing"] = timing
    return sim, AnthropicProvider(sim.api_url, settings(**kwargs))


@pytest.fixture
def anthropic():
    sim, provider = _start(_seed())
    yield sim, provider
    provider.close()
    sim.stop()
    assert sim.errors == []


@pytest.fixture
def no_admin():
    sim, provider = _start(_seed(), admin=False)
    yield sim, provider
    provider.close()
    sim.stop()


def _key(value=KEY):
    return credential(value, "anthropic", "API key")


def _writes(sim):
    return [r for r in sim.requests if r.method == "POST"]


def _no_value_in(*things):
    text = repr(things)
    for value in (ADMIN, KEY, OTHER, OLD, STRANGER):
        assert value not in text


# -- identity -------------------------------------------------------------------------------------


def test_identity_finds_the_key_by_partial_hint_and_names_its_creator(anthropic):
    sim, provider = anthropic
    identity = provider.identify(_key())
    assert identity.handle == "apikey_01Key"
    assert (identity.account, identity.account_id) == ("dana@example.com", "user_01Dana")
    assert identity.detail("workspace_id") == "wrkspc_01Tools"
    assert identity.detail("status") == "active" and identity.detail("key_name") == "mcp-server"
    by_path = {r.path: r for r in sim.requests}  # the lookup runs alongside the liveness check
    assert len(sim.requests) == 3
    liveness = by_path["/v1/models"]
    listing = by_path["/v1/organizations/api_keys"]
    user = by_path["/v1/organizations/users/user_01Dana"]
    assert (liveness.path, liveness.query) == ("/v1/models", {"limit": ["1"]})
    assert liveness.headers["x-api-key"] == KEY
    assert (listing.path, listing.query["limit"]) == ("/v1/organizations/api_keys", ["100"])
    assert user.path == "/v1/organizations/users/user_01Dana"
    for request in sim.requests:
        assert request.headers["anthropic-version"] == "2023-06-01"
        assert "authorization" not in request.headers
    assert listing.headers["x-api-key"] == user.headers["x-api-key"] == ADMIN
    _no_value_in(identity)


def test_identity_without_admin_key_is_a_liveness_probe_with_a_note(no_admin):
    sim, provider = no_admin
    assert provider.route(_key()) == "manual"
    identity = provider.identify(_key())
    assert identity.account == "unknown (no admin key)" and identity.handle is None
    assert any(VAR in note for note in identity.notes)
    assert [r.path for r in sim.requests] == ["/v1/models"]


@pytest.mark.parametrize("admin", [True, False])
def test_an_unknown_key_at_identity_is_401(admin):
    sim, provider = _start(_seed(), admin=admin)
    try:
        with pytest.raises(ProviderError) as caught:
            provider.identify(_key(STRANGER))
        assert caught.value.status == 401
        # The organization lookup runs alongside (reads only); nothing is written.
        assert not [r for r in sim.requests if r.method != "GET"]
        [body] = [r.response_json for r in sim.requests if r.path.endswith("/models")]
        assert body["type"] == "error" and body["error"] == {
            "type": "authentication_error", "message": "invalid x-api-key"}
        assert body["request_id"].startswith("req_")
    finally:
        sim.stop()


def test_pagination_follows_after_id():
    filler = [{"value": f"sk-ant-api03-F{n:02d}" + "f" * 90 + f"{n:02d}AA",
               "account": "x@example.com", "id": f"apikey_00{n:03d}"} for n in range(150)]
    sim, provider = _start(_seed(tokens=filler))
    try:
        identity = provider.identify(_key())
        assert identity.handle == "apikey_01Key"
        pages = [r for r in sim.requests if r.path == "/v1/organizations/api_keys"]
        assert [r.query.get("after_id") for r in pages] == [None, ["apikey_00099"]]
    finally:
        sim.stop()


def test_an_admin_key_given_as_suspect_is_identified_by_itself_and_manual(anthropic):
    sim, provider = anthropic
    cred = credential(ADMIN, "anthropic", "Admin API key")
    assert provider.route(cred) == "manual"
    identity = provider.identify(cred)
    assert (identity.account, identity.account_id) == ("Acme", "org-uuid-1")
    [request] = sim.requests
    assert request.path == "/v1/organizations/me" and request.headers["x-api-key"] == ADMIN
    assert provider.probe(cred).verdict == "alive"  # never probed on /v1/models
    sim.requests.clear()
    assert provider.plan_revoke([cred]) == []
    [outcome] = provider.revoke([cred], {})
    assert outcome.status == "manual" and "cannot deactivate Admin keys" in outcome.detail
    assert "https://platform.claude.com/settings/admin-keys" in outcome.manual[0]
    assert sim.requests == []
    _no_value_in(identity, outcome)


def test_a_standard_key_given_as_admin_key_is_not_mistaken_for_a_dead_suspect():
    sim = AnthropicSimulator.from_seed(_seed())
    with sim:
        provider = AnthropicProvider(sim.api_url, settings(admin={VAR: OTHER}))
        with pytest.raises(ProviderError) as caught:
            provider.identify(_key())
        assert caught.value.status != 401 and VAR in caught.value.message
        [outcome] = provider.revoke([_key()], {})
        assert outcome.status == "failed" and _writes(sim) == []


# -- matching safety ------------------------------------------------------------------------------


def test_two_look_alikes_mean_no_handle_and_nothing_sent(anthropic):
    sim, provider = anthropic
    twin = KEY[:16] + "T" * 88 + KEY[-4:]
    sim.tokens.add(twin, account="mallory@example.com", id="apikey_09Twin")
    identity = provider.identify(_key())
    assert identity.handle is None and any("apikey_09Twin" in n for n in identity.notes)
    [outcome] = provider.revoke([_key()], {_key().id: identity})
    assert outcome.status == "failed" and "merely might be" in outcome.detail
    assert "https://platform.claude.com/settings/keys" in outcome.manual[0]
    assert _writes(sim) == [] and sim.tokens.is_active(KEY) and sim.tokens.is_active(twin)


def test_an_archived_key_is_not_touched_again(anthropic):
    sim, provider = anthropic
    sim.tokens.revoke_lag = 5  # the archived key still answers: propagation
    identity = provider.identify(_key(OLD))
    assert identity.detail("status") == "archived"
    assert provider.plan_revoke([_key(OLD)]) == []
    [outcome] = provider.revoke([_key(OLD)], {_key(OLD).id: identity})
    assert outcome.status == "submitted" and "already archived" in outcome.detail
    assert _writes(sim) == []


# -- revoke and proof -----------------------------------------------------------------------------


def test_revoke_then_probe_proves_death(anthropic):
    sim, provider = anthropic
    cred = _key()
    identity = provider.identify(cred)
    assert provider.probe(cred).verdict == "alive"
    [plan] = provider.plan_revoke([cred])
    assert (plan.method, plan.url) == ("POST", f"{sim.api_url}/organizations/api_keys/"
                                               "apikey_01Key")
    assert plan.body == '{"status": "inactive"}' and plan.authenticated
    [outcome] = provider.revoke([cred], {cred.id: identity})
    assert outcome.status == "submitted" and "inactive" in outcome.detail
    [write] = _writes(sim)
    assert write.path == "/v1/organizations/api_keys/apikey_01Key"
    assert write.json == {"status": "inactive"}
    assert write.headers["x-api-key"] == ADMIN
    assert write.headers["anthropic-version"] == "2023-06-01"
    assert write.headers["content-type"] == "application/json"
    assert write.response_json["status"] == "inactive"
    assert not sim.tokens.is_active(KEY)
    probe = provider.probe(cred)
    assert probe.verdict == "dead" and "authentication_error" in probe.detail
    _no_value_in(identity, plan, outcome, probe, provider.manual_steps(cred))


def test_revoke_looks_the_key_up_when_no_identity_was_captured(anthropic):
    sim, provider = anthropic
    assert provider.plan_revoke([_key()])[0].url.endswith("/organizations/api_keys/{api_key_id}")
    [outcome] = provider.revoke([_key()], {})
    assert outcome.status == "submitted" and not sim.tokens.is_active(KEY)


def test_revoke_lag_keeps_the_key_alive_for_a_while():
    sim, provider = _start(_seed(revoke_lag=1))
    try:
        [outcome] = provider.revoke([_key()], {})
        assert outcome.status == "submitted"
        assert provider.probe(_key()).verdict == "alive"
        assert provider.probe(_key()).verdict == "dead"
    finally:
        sim.stop()


def test_without_admin_key_revoke_is_manual_and_sends_nothing(no_admin):
    sim, provider = no_admin
    assert provider.plan_revoke([_key()]) == []
    [outcome] = provider.revoke([_key()], {})
    assert outcome.status == "manual" and VAR in outcome.detail
    assert "https://platform.claude.com/settings/keys" in outcome.manual[0]
    assert "https://platform.claude.com/usage" in outcome.manual[0]
    assert sim.requests == []


# -- the simulator's own checks -------------------------------------------------------------------


def test_the_sim_requires_the_version_header_and_an_admin_key(anthropic):
    sim, _ = anthropic
    bare = httpx.get(f"{sim.api_url}/models", headers={"x-api-key": KEY})
    assert bare.status_code == 400
    assert bare.json()["error"]["type"] == "invalid_request_error"
    assert "anthropic-version" in bare.json()["error"]["message"]
    wrong = httpx.get(f"{sim.api_url}/organizations/api_keys",
                      headers={"x-api-key": KEY, "anthropic-version": "2023-06-01"})
    assert wrong.status_code == 403 and wrong.json()["error"]["type"] == "permission_error"
    assert wrong.headers["request-id"]


# -- faults ---------------------------------------------------------------------------------------


def test_rate_limit_is_honoured_then_the_change_lands_once(anthropic):
    sim, provider = anthropic
    identity = provider.identify(_key())
    sim.faults.add("POST", "/v1/organizations/api_keys/*", status=429, retry_after=0.05)
    [outcome] = provider.revoke([_key()], {_key().id: identity})
    assert outcome.status == "submitted"
    assert [r.status for r in _writes(sim)] == [429, 200]
    assert _writes(sim)[0].response_json["error"]["type"] == "rate_limit_error"


@pytest.mark.parametrize("status", [500, 529])
def test_a_5xx_or_529_on_revoke_is_unknown_and_never_resent(anthropic, status):
    sim, provider = anthropic
    identity = provider.identify(_key())
    sim.faults.add("POST", "/v1/organizations/api_keys/*", status=status)
    [outcome] = provider.revoke([_key()], {_key().id: identity})
    assert outcome.status == "unknown" and str(status) in outcome.detail and outcome.manual
    assert len(_writes(sim)) == 1 and sim.tokens.is_active(KEY)


def test_a_timeout_on_revoke_is_unknown():
    sim, provider = _start(_seed(), timing=Timing(request_timeout=0.3, verify_backoff=(0.02,),
                                                  read_retries=1, max_retry_after=0.1))
    try:
        identity = provider.identify(_key())
        sim.faults.add("POST", "/v1/organizations/api_keys/*", delay=0.6)
        [outcome] = provider.revoke([_key()], {_key().id: identity})
        assert outcome.status == "unknown" and "timed out" in outcome.detail
        assert len(_writes(sim)) <= 1
    finally:
        sim.stop()


def test_garbage_answers_give_clear_statuses(anthropic):
    sim, provider = anthropic
    identity = provider.identify(_key())
    sim.faults.add("GET", "/v1/models", status=200, body="<html>proxy</html>", times=5)
    assert provider.probe(_key()).verdict == "unknown"
    sim.faults.add("POST", "/v1/organizations/api_keys/*", status=200, body="<html>ok</html>")
    [outcome] = provider.revoke([_key()], {_key().id: identity})
    assert outcome.status == "unknown" and "not JSON" in outcome.detail
    sim.faults.add("GET", "/v1/organizations/api_keys", status=401, body="<html>sso</html>",
                   times=5)
    with pytest.raises(ProviderError) as caught:
        provider.identify(_key(OTHER))
    assert "not JSON" in caught.value.message and caught.value.status is None


def test_overloaded_reads_are_retried_and_probe_is_unknown_on_errors(anthropic):
    sim, provider = anthropic
    sim.faults.add("GET", "/v1/models", status=529, times=1)
    assert provider.probe(_key()).verdict == "alive"  # one 529, then the retry answers
    sim.faults.add("GET", "/v1/models", status=529, times=2)
    probe = provider.probe(_key())
    assert probe.verdict == "unknown" and "overloaded_error" in probe.detail
    sim.faults.add("GET", "/v1/models", status=429, retry_after=0.01, times=2)
    assert provider.probe(_key()).verdict == "unknown"
    sim.faults.add("GET", "/v1/models", status=500, times=2)
    assert provider.probe(_key()).verdict == "unknown"
    assert provider.probe(_key()).verdict == "alive"
