"""GoogleProvider against the Google simulator: tokeninfo identity, revoke by value (the whole
grant), refresh tokens that cannot be proven dead, manual keys, rate limits, timeouts, garbage."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from provider_helpers import credential, settings

from responder.core.errors import ProviderError
from responder.engine.context import Timing
from responder.providers.google import GoogleProvider
from responder.sim.google import GoogleSimulator

ACCESS = "ya29.a0AfB_byC" + "x" * 40 + "Q1w2"
SIBLING = "ya29.a0AfB_byD" + "y" * 40 + "E3r4"
OTHER = "ya29.a0AfB_byE" + "z" * 40 + "T5y6"
REFRESH = "1//0gLmN" + "r" * 40 + "U7i8"
API_KEY = "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6q"
PEM_KEY = ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC" + "k" * 60
           + "\n-----END PRIVATE KEY-----\n")
SCOPES = ["https://www.googleapis.com/auth/drive.readonly", "openid"]
SLOW = Timing(request_timeout=0.3, verify_backoff=(0.02,), read_retries=1, max_retry_after=0.2)


def _sim(**seed):
    return GoogleSimulator.from_seed({"tokens": [
        {"value": ACCESS, "account": "dana@example.com", "account_id": "108123456789012345678",
         "scopes": SCOPES, "expires_at": "+50m", "refresh": REFRESH},
        {"value": SIBLING, "account": "dana@example.com", "scopes": SCOPES,
         "refresh": REFRESH},
        {"value": REFRESH, "account": "dana@example.com"},
        {"value": OTHER, "account": "ops@example.com", "scopes": ["openid"]},
    ], **seed})


def _provider(sim, timing=None):
    run = settings(endpoints={"google": sim.api_url}) if timing is None else \
        settings(timing=timing, endpoints={"google": sim.api_url})
    return GoogleProvider(GoogleProvider.base_url_for(credential(ACCESS, "google"), run), run)


@pytest.fixture
def google():
    sim = _sim()
    with sim:
        yield sim, _provider(sim)


def _cred(value=ACCESS, kind="OAuth access token", **context):
    return credential(value, "google", kind, **context)


def _form(record):
    return parse_qs(record.body.decode())


def test_identity_comes_from_tokeninfo_as_a_post_form(google):
    sim, provider = google
    identity = provider.identify(_cred())
    assert identity.account == "dana@example.com"
    assert identity.account_id == "108123456789012345678"
    assert identity.scopes == tuple(SCOPES)
    assert identity.expires and identity.expires.endswith("Z")
    assert identity.detail("aud").endswith(".apps.googleusercontent.com")
    assert identity.detail("access_type") == "offline"
    [call] = sim.requests
    assert (call.method, call.path, call.query) == ("POST", "/oauth2/v3/tokeninfo", {})
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert _form(call) == {"access_token": [ACCESS]}
    assert "authorization" not in call.headers


def test_revoke_posts_the_token_as_a_form_then_probe_proves_death(google):
    sim, provider = google
    cred = _cred(OTHER)
    assert provider.probe(cred).verdict == "alive"
    [outcome] = provider.revoke([cred], {})
    assert outcome.status == "submitted"
    [revoke] = [r for r in sim.requests if r.path == "/revoke"]
    assert (revoke.method, revoke.query, revoke.status) == ("POST", {}, 200)
    assert revoke.headers["content-type"] == "application/x-www-form-urlencoded"
    assert _form(revoke) == {"token": [OTHER]} and "authorization" not in revoke.headers
    assert revoke.response_json == {}
    assert not sim.tokens.is_active(OTHER)
    probe = provider.probe(cred)
    assert probe.verdict == "dead" and "invalid_token" in probe.detail


def test_revoking_an_access_token_ends_its_whole_grant(google):
    sim, provider = google
    [outcome] = provider.revoke([_cred()], {})
    assert outcome.status == "submitted"
    assert not any(sim.tokens.is_active(v) for v in (ACCESS, SIBLING, REFRESH))
    assert sim.tokens.is_active(OTHER)


def test_a_refresh_token_revokes_its_access_tokens_but_cannot_be_proven_dead(google):
    sim, provider = google
    cred = _cred(REFRESH, "OAuth refresh token")
    assert provider.route(cred) == "self"
    assert provider.identify(cred) is None
    [outcome] = provider.revoke([cred], {})
    assert outcome.status == "submitted"
    assert not sim.tokens.is_active(REFRESH)
    assert provider.probe(_cred(SIBLING)).verdict == "dead"
    probe = provider.probe(cred)
    assert probe.verdict == "unknown" and "client's secret" in probe.detail
    assert "https://myaccount.google.com/connections" in provider.manual_steps(cred)[0]
    assert [r.path for r in sim.requests] == ["/revoke", "/oauth2/v3/tokeninfo"]


def test_tokeninfo_does_not_know_refresh_tokens(google):
    sim, provider = google
    answer = provider.http.read("POST", "/oauth2/v3/tokeninfo", data={"access_token": REFRESH})
    assert answer.status == 400 and answer.data["error_description"] == "Invalid Value"


def test_a_dead_token_at_identity_is_reported_as_401(google):
    sim, provider = google
    with pytest.raises(ProviderError) as caught:
        provider.identify(_cred("ya29.a0Expired" + "q" * 30))
    assert caught.value.status == 401
    assert sim.requests[0].response_json == {"error": "invalid_token",
                                             "error_description": "Invalid Value"}


def test_an_expired_access_token_is_dead_everywhere():
    sim = GoogleSimulator.from_seed({"tokens": [
        {"value": OTHER, "account": "ops@example.com", "expires_at": "-1m"}]})
    with sim:
        provider = _provider(sim)
        assert provider.probe(_cred(OTHER)).verdict == "dead"
        [outcome] = provider.revoke([_cred(OTHER)], {})
        assert outcome.status == "submitted" and "already invalid" in outcome.detail
        revoke = [r for r in sim.requests if r.path == "/revoke"][0]
        assert revoke.status == 400
        assert revoke.response_json["error_description"] == "Token expired or revoked"


def test_revoke_takes_post_only(google):
    sim, provider = google
    answer = provider.http.read("GET", "/revoke", params={"token": "x"})
    assert answer.status == 404 and answer.data is None and "Error 404" in answer.text


def test_api_keys_and_service_account_keys_are_manual_and_send_nothing(google):
    sim, provider = google
    api_key = _cred(API_KEY, "API key")
    sa_key = _cred(PEM_KEY, "service account key",
                   google_client_email="mcp-drive@acme-prod.iam.gserviceaccount.com",
                   google_private_key_id="0a1b2c3d4e5f60718293a4b5c6d7e8f901234567")
    assert [provider.route(c) for c in (api_key, sa_key)] == ["manual", "manual"]
    assert provider.identify(api_key) is None and provider.identify(sa_key) is None
    assert provider.plan_revoke([api_key, sa_key]) == []
    key_outcome, sa_outcome = provider.revoke([api_key, sa_key], {})
    assert key_outcome.status == sa_outcome.status == "manual"
    assert "https://console.cloud.google.com/apis/credentials" in key_outcome.manual[0]
    steps = " ".join(sa_outcome.manual)
    assert ("`gcloud iam service-accounts keys disable 0a1b2c3d4e5f60718293a4b5c6d7e8f901234567 "
            "--iam-account=mcp-drive@acme-prod.iam.gserviceaccount.com`") in steps
    assert "gcloud iam service-accounts keys delete 0a1b2c3d4e5f60718293a4b5c6d7e8f9012" in steps
    assert ('protoPayload.authenticationInfo.principalEmail='
            '"mcp-drive@acme-prod.iam.gserviceaccount.com" AND timestamp>="') in steps
    assert "--project=acme-prod" in steps
    assert provider.probe(api_key).verdict == "unknown"
    assert sim.requests == []


def test_service_account_steps_say_where_the_ids_come_from_when_missing(google):
    sim, provider = google
    steps = " ".join(provider.manual_steps(_cred(PEM_KEY, source_file="/home/dana/sa.json")))
    assert "keys disable <private_key_id> --iam-account=<client_email>" in steps
    assert "client_email and private_key_id fields" in steps and "/home/dana/sa.json" in steps


def test_rate_limit_is_honoured_then_the_revoke_lands_once(google):
    sim, provider = google
    sim.faults.add("POST", "/revoke", status=429, retry_after=0.05)
    [outcome] = provider.revoke([_cred(OTHER)], {})
    assert outcome.status == "submitted"
    assert [r.status for r in sim.requests if r.path == "/revoke"] == [429, 200]


def test_a_500_on_revoke_is_unknown_and_never_resent(google):
    sim, provider = google
    sim.faults.add("POST", "/revoke", status=500)
    [outcome] = provider.revoke([_cred(OTHER)], {})
    assert outcome.status == "unknown" and outcome.manual
    assert len([r for r in sim.requests if r.path == "/revoke"]) == 1
    assert sim.tokens.is_active(OTHER)


def test_a_timeout_on_revoke_is_unknown_and_never_resent():
    sim = _sim()
    with sim:
        provider = _provider(sim, timing=SLOW)
        fault = sim.faults.add("POST", "/revoke", delay=0.6)
        [outcome] = provider.revoke([_cred(OTHER)], {})
        assert outcome.status == "unknown" and "timed out" in outcome.detail
        assert fault.hits == 1


def test_garbage_answers_give_a_clear_status(google):
    sim, provider = google
    html = "<html><body>Bad gateway</body></html>"
    sim.faults.add("POST", "/oauth2/v3/tokeninfo", status=200, body=html, times=9)
    with pytest.raises(ProviderError) as caught:
        provider.identify(_cred())
    assert "not JSON" in caught.value.message
    assert provider.probe(_cred()).verdict == "unknown"
    sim.faults.add("POST", "/revoke", status=200, body=html)
    [outcome] = provider.revoke([_cred(OTHER)], {})
    assert outcome.status == "unknown" and "not JSON" in outcome.detail
    sim.faults.add("POST", "/revoke", status=403, body=html)
    [outcome] = provider.revoke([_cred(OTHER)], {})
    assert outcome.status == "failed" and "not JSON" in outcome.detail


def test_probe_is_unknown_on_errors(google):
    sim, provider = google
    sim.faults.add("POST", "/oauth2/v3/tokeninfo", status=503, times=9)
    assert provider.probe(_cred()).verdict == "unknown"


def test_two_hosts_in_reality_one_with_an_override():
    real = GoogleProvider(GoogleProvider.base_url_for(_cred(), settings()), settings())
    assert real.base_url == "https://oauth2.googleapis.com"
    assert real.tokeninfo_base == "https://www.googleapis.com"
    assert real.tokeninfo_http is not real.http
    [plan] = real.plan_revoke([_cred(), _cred(API_KEY)])
    assert (plan.method, plan.url, plan.authenticated) == (
        "POST", "https://oauth2.googleapis.com/revoke", False)
    assert plan.body.startswith("token=ya29.…")
    real.close()
    over = settings(endpoints={"google": "http://127.0.0.1:9"})
    sim_bound = GoogleProvider(GoogleProvider.base_url_for(_cred(), over), over)
    assert sim_bound.tokeninfo_base == "http://127.0.0.1:9"
    assert sim_bound.tokeninfo_http is sim_bound.http


def test_no_token_value_in_anything_returned(google):
    sim, provider = google
    creds = [_cred(), _cred(REFRESH), _cred(API_KEY), _cred(PEM_KEY)]
    everything = [provider.identify(c) for c in creds]
    everything += provider.plan_revoke(creds)
    everything += [provider.manual_steps(c) for c in creds]
    sim.faults.add("POST", "/revoke", status=500)
    everything += provider.revoke(creds, {})
    everything += [provider.probe(c) for c in creds]
    text = repr(everything)
    for value in (ACCESS, REFRESH, API_KEY, PEM_KEY, PEM_KEY.splitlines()[1]):
        assert value not in text
    assert sim.errors == []
