"""OpenAIProvider against the OpenAI simulator: admin-key lookup by redacted_value, delete, proof,
the 401-that-is-not-dead trap, and the faults a bad hour brings."""

from __future__ import annotations

import httpx
import pytest
from provider_helpers import credential, settings

from responder.core.errors import ProviderError
from responder.engine.context import Timing
from responder.providers.openai import OpenAIProvider
from responder.sim.openai import OpenAISimulator

ADMIN = "sk-admin-" + "Ad" * 29 + "T3BlbkFJ" + "mN" * 29
PROJ = "sk-proj-" + "Pa" * 37 + "T3BlbkFJ" + "Qb" * 36 + "Wxyz"
SVC = "sk-svcacct-" + "Sv" * 29 + "T3BlbkFJ" + "Sc" * 29
OTHER_ADMIN = "sk-admin-" + "Ot" * 29 + "T3BlbkFJ" + "Hr" * 29
STRANGER = "sk-proj-" + "Zz" * 37 + "T3BlbkFJ" + "Yy" * 37  # no organization knows it
VAR = "RESPONDER_OPENAI_ADMIN_KEY"


def _seed(**extra):
    return {
        "organization": "org-acme",
        "projects": [{"id": "proj_alpha", "name": "Alpha"}, {"id": "proj_beta", "name": "Beta"}],
        "tokens": [
            {"value": ADMIN, "account": "Dana Admin", "id": "key_admin", "name": "responder"},
            {"value": OTHER_ADMIN, "account": "Eve Owner", "id": "key_admin2", "name": "ci"},
            {"value": PROJ, "account": "dana@example.com", "id": "key_proj",
             "name": "mcp-server", "project": "proj_beta", "account_id": "user-dana",
             "last_used_at": "2026-03-01T12:00:00Z"},
            {"value": SVC, "account": "deploy-bot", "id": "key_svc", "project": "proj_alpha"},
            *extra.pop("tokens", []),
        ],
        **extra,
    }


def _start(seed, admin=True, timing=None):
    sim = OpenAISimulator.from_seed(seed)
    sim.start()
    kwargs = {"admin": {VAR: ADMIN}} if admin else {}
    if timing is not None:
        kwargs["timing"] = timing
    return sim, OpenAIProvider(sim.api_url, settings(**kwargs))


@pytest.fixture
def openai():
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


def _proj():
    return credential(PROJ, "openai", "project API key")


def _deletes(sim):
    return [r for r in sim.requests if r.method == "DELETE"]


def _no_value_in(*things):
    text = repr(things)
    for value in (ADMIN, PROJ, SVC, OTHER_ADMIN, STRANGER):
        assert value not in text


# -- identity -------------------------------------------------------------------------------------


def test_identity_finds_owner_and_project_by_redacted_value(openai):
    sim, provider = openai
    identity = provider.identify(_proj())
    assert identity.handle == "key_proj"
    assert identity.account == "dana@example.com" and identity.account_id == "user-dana"
    assert identity.token_kind == "project key"
    assert identity.detail("project_id") == "proj_beta" and identity.detail("project") == "Beta"
    assert identity.detail("last_used_at") == "2026-03-01T12:00:00Z"
    listings = [r for r in sim.requests if r.path.endswith("/api_keys")]
    assert {r.path for r in listings} == {"/v1/organization/projects/proj_alpha/api_keys",
                                          "/v1/organization/projects/proj_beta/api_keys"}
    assert all(r.query["owner_project_access"] == ["any"] for r in listings)
    assert all(r.headers["authorization"] == f"Bearer {ADMIN}" for r in listings)
    _no_value_in(identity)


def test_identity_without_admin_key_is_a_liveness_probe_with_a_note(no_admin):
    sim, provider = no_admin
    cred = _proj()
    assert provider.route(cred) == "manual"
    identity = provider.identify(cred)
    assert identity.account == "unknown (no admin key)" and identity.handle is None
    assert any(VAR in note for note in identity.notes)
    assert identity.detail("organization") == "org-acme"
    [request] = sim.requests
    assert (request.method, request.path) == ("GET", "/v1/models")
    assert request.headers["authorization"] == f"Bearer {PROJ}"


@pytest.mark.parametrize("admin", [True, False])
def test_an_unknown_key_at_identity_is_401(admin):
    sim, provider = _start(_seed(), admin=admin)
    try:
        with pytest.raises(ProviderError) as caught:
            provider.identify(credential(STRANGER, "openai"))
        assert caught.value.status == 401
        _no_value_in(caught.value.message, caught.value.hint)
        # The organization lookup runs alongside the liveness check (reads only); nothing is
        # ever written for a key the provider does not know.
        assert not [r for r in sim.requests if r.method != "GET"]
    finally:
        sim.stop()


def test_a_restricted_key_answers_401_but_is_not_dead(no_admin):
    sim, provider = no_admin
    sim.tokens.get(PROJ).meta["missing_scopes"] = "api.model.read"
    identity = provider.identify(_proj())  # no ProviderError(401): the key is valid
    assert any("api.model.read" in note for note in identity.notes)
    probe = provider.probe(_proj())
    assert probe.verdict == "unknown" and "lacks scopes" in probe.detail
    assert [r.status for r in sim.requests] == [401, 401]


def test_a_project_key_given_as_admin_key_is_not_mistaken_for_a_dead_suspect():
    sim = OpenAISimulator.from_seed(_seed())
    with sim:
        provider = OpenAIProvider(sim.api_url, settings(admin={VAR: PROJ}))
        with pytest.raises(ProviderError) as caught:
            provider.identify(credential(SVC, "openai"))
        assert caught.value.status != 401
        assert VAR in caught.value.message and "sk-admin-" in (caught.value.hint or "")
        [outcome] = provider.revoke([credential(SVC, "openai")], {})
        assert outcome.status == "failed" and outcome.manual
        assert _deletes(sim) == []


def test_pagination_of_projects_and_keys():
    projects = [{"id": f"proj_{n:03d}", "name": f"P{n}"} for n in range(130)]
    filler = [{"value": f"sk-proj-{n:03d}" + "f" * 60 + "T3BlbkFJ" + "g" * 60 + f"{n:04d}",
               "account": "x@example.com", "project": "proj_129"} for n in range(120)]
    sim, provider = _start(_seed(projects=projects, tokens=filler))
    try:
        sim.tokens.get(PROJ).meta["project"] = "proj_129"
        identity = provider.identify(_proj())
        assert identity.handle == "key_proj" and identity.detail("project_id") == "proj_129"
        pages = [r for r in sim.requests if r.path == "/v1/organization/projects"]
        assert [r.query.get("after") for r in pages] == [None, ["proj_099"]]
        keys = [r for r in sim.requests if r.path.endswith("proj_129/api_keys")]
        assert len(keys) == 2 and keys[1].query["after"] and keys[0].query["limit"] == ["100"]
    finally:
        sim.stop()


# -- matching safety ------------------------------------------------------------------------------


def test_two_look_alikes_mean_no_handle_and_no_delete(openai):
    sim, provider = openai
    twin = PROJ[:11] + "Zz" * 40 + PROJ[-4:]  # same head and tail, another key
    sim.tokens.add(twin, account="mallory@example.com", id="key_twin",
                   meta={"project": "proj_alpha"})
    identity = provider.identify(_proj())
    assert identity.handle is None
    assert any("key_proj" in n and "key_twin" in n for n in identity.notes)
    [outcome] = provider.revoke([_proj()], {_proj().id: identity})
    assert outcome.status == "failed" and "merely might be" in outcome.detail
    assert outcome.manual and "platform.openai.com" in outcome.manual[0]
    assert _deletes(sim) == []
    assert sim.tokens.is_active(PROJ) and sim.tokens.is_active(twin)


def test_no_match_means_no_delete(openai):
    sim, provider = openai
    sim.tokens.get(PROJ).meta["redacted_value"] = "sk-proj-Qqq...abcd"  # another key's form
    [outcome] = provider.revoke([_proj()], {})
    assert outcome.status == "failed" and "looks like" in outcome.detail
    assert _deletes(sim) == []


def test_a_failed_project_listing_means_no_trusted_match(openai):
    sim, provider = openai
    sim.faults.add("GET", "/v1/organization/projects/proj_alpha/api_keys", status=500, times=9)
    with pytest.raises(ProviderError) as caught:
        provider.identify(_proj())
    assert caught.value.status != 401 and "cannot be trusted" in caught.value.message
    [outcome] = provider.revoke([_proj()], {})
    assert outcome.status == "failed" and _deletes(sim) == []


# -- revoke and proof -----------------------------------------------------------------------------


def test_revoke_then_probe_proves_death(openai):
    sim, provider = openai
    cred = _proj()
    identity = provider.identify(cred)
    assert provider.probe(cred).verdict == "alive"
    [plan] = provider.plan_revoke([cred])
    assert plan.method == "DELETE" and plan.authenticated
    assert plan.url == f"{sim.api_url}/organization/projects/proj_beta/api_keys/key_proj"
    [outcome] = provider.revoke([cred], {cred.id: identity})
    assert outcome.status == "submitted"
    [delete] = _deletes(sim)
    assert delete.path == "/v1/organization/projects/proj_beta/api_keys/key_proj"
    assert delete.headers["authorization"] == f"Bearer {ADMIN}" and delete.body == b""
    assert delete.response_json == {"object": "organization.project.api_key.deleted",
                                    "id": "key_proj", "deleted": True}
    assert not sim.tokens.is_active(PROJ)
    probe = provider.probe(cred)
    assert probe.verdict == "dead" and "invalid_api_key" in probe.detail
    _no_value_in(identity, plan, outcome, probe, provider.manual_steps(cred))


def test_revoke_looks_the_key_up_when_no_identity_was_captured(openai):
    sim, provider = openai
    assert provider.plan_revoke([_proj()])[0].url.endswith("/projects/{project_id}/api_keys/"
                                                           "{key_id}")
    [outcome] = provider.revoke([_proj()], {})
    assert outcome.status == "submitted" and not sim.tokens.is_active(PROJ)


def test_revoke_lag_keeps_the_key_alive_for_a_while():
    sim, provider = _start(_seed(revoke_lag=1))
    try:
        [outcome] = provider.revoke([_proj()], {})
        assert outcome.status == "submitted"
        assert provider.probe(_proj()).verdict == "alive"  # propagation
        assert provider.probe(_proj()).verdict == "dead"
    finally:
        sim.stop()


def test_admin_keys_are_deleted_through_admin_api_keys(openai):
    sim, provider = openai
    cred = credential(OTHER_ADMIN, "openai", "admin key")
    identity = provider.identify(cred)
    assert (identity.handle, identity.account, identity.token_kind) == (
        "key_admin2", "Eve Owner", "admin key")
    [liveness] = [r for r in sim.requests if r.headers["authorization"] == f"Bearer {OTHER_ADMIN}"]
    assert liveness.path == "/v1/organization/admin_api_keys"
    [outcome] = provider.revoke([cred], {cred.id: identity})
    assert outcome.status == "submitted"
    [delete] = _deletes(sim)
    assert delete.path == "/v1/organization/admin_api_keys/key_admin2"
    assert delete.headers["authorization"] == f"Bearer {ADMIN}"
    assert provider.probe(cred).verdict == "dead"


def test_service_account_keys_are_a_manual_step(openai):
    sim, provider = openai
    cred = credential(SVC, "openai")
    identity = provider.identify(cred)
    assert identity.account == "deploy-bot" and identity.detail("owner_type") == "service_account"
    assert provider.plan_revoke([cred]) == []
    [outcome] = provider.revoke([cred], {cred.id: identity})
    assert outcome.status == "failed" and "service account" in outcome.detail
    assert "Service accounts" in outcome.manual[0] and "Alpha" in outcome.manual[0]
    assert _deletes(sim) == []


def test_the_sim_refuses_to_delete_a_service_account_key(openai):
    sim, _ = openai
    answer = httpx.delete(f"{sim.api_url}/organization/projects/proj_alpha/api_keys/key_svc",
                          headers={"authorization": f"Bearer {ADMIN}"})
    assert answer.status_code == 400 and answer.json()["error"]["type"] == "invalid_request_error"


def test_without_admin_key_revoke_is_manual_and_sends_nothing(no_admin):
    sim, provider = no_admin
    cred = _proj()
    assert provider.plan_revoke([cred]) == []
    [outcome] = provider.revoke([cred], {})
    assert outcome.status == "manual" and VAR in outcome.detail
    assert "https://platform.openai.com/api-keys" in outcome.manual[0]
    assert "https://platform.openai.com/usage" in outcome.manual[0]
    assert sim.requests == []
    _no_value_in(outcome)


# -- faults ---------------------------------------------------------------------------------------


def test_rate_limit_is_honoured_then_the_delete_lands_once(openai):
    sim, provider = openai
    identity = provider.identify(_proj())
    sim.faults.add("DELETE", "/v1/organization/projects/*", status=429, retry_after=0.05)
    [outcome] = provider.revoke([_proj()], {_proj().id: identity})
    assert outcome.status == "submitted"
    assert [r.status for r in _deletes(sim)] == [429, 200]
    assert _deletes(sim)[0].response_json["error"]["code"] == "rate_limit_exceeded"


def test_a_500_on_delete_is_unknown_and_never_resent(openai):
    sim, provider = openai
    identity = provider.identify(_proj())
    sim.faults.add("DELETE", "/v1/organization/projects/*", status=500)
    [outcome] = provider.revoke([_proj()], {_proj().id: identity})
    assert outcome.status == "unknown" and outcome.manual
    assert len(_deletes(sim)) == 1 and sim.tokens.is_active(PROJ)


def test_a_timeout_on_delete_is_unknown():
    sim, provider = _start(_seed(), timing=Timing(request_timeout=0.3, verify_backoff=(0.02,),
                                                  read_retries=1, max_retry_after=0.1))
    try:
        identity = provider.identify(_proj())
        sim.faults.add("DELETE", "/v1/organization/projects/*", delay=0.6)
        [outcome] = provider.revoke([_proj()], {_proj().id: identity})
        assert outcome.status == "unknown" and "timed out" in outcome.detail
        assert len(_deletes(sim)) <= 1
    finally:
        sim.stop()


def test_garbage_answers_give_clear_statuses(openai):
    sim, provider = openai
    identity = provider.identify(_proj())
    sim.faults.add("GET", "/v1/models", status=200, body="<html>proxy</html>", times=5)
    assert provider.probe(_proj()).verdict == "unknown"
    sim.faults.add("DELETE", "/v1/organization/projects/*", status=200, body="<html>ok</html>")
    [outcome] = provider.revoke([_proj()], {_proj().id: identity})
    assert outcome.status == "unknown" and "not JSON" in outcome.detail
    sim.faults.add("GET", "/v1/organization/projects", status=502, body="Bad gateway", times=5)
    with pytest.raises(ProviderError) as caught:
        provider.identify(credential(SVC, "openai"))
    assert "not JSON" in caught.value.message and caught.value.status != 401


def test_a_401_html_page_from_a_proxy_is_not_a_dead_key(no_admin):
    sim, provider = no_admin
    sim.faults.add("GET", "/v1/models", status=401, body="<html>login</html>", times=5)
    with pytest.raises(ProviderError) as caught:
        provider.identify(_proj())
    assert caught.value.status is None
    assert provider.probe(_proj()).verdict == "unknown"


def test_probe_is_unknown_on_errors(openai):
    sim, provider = openai
    sim.faults.add("GET", "/v1/models", status=503, times=2)
    assert provider.probe(_proj()).verdict == "unknown"
    sim.faults.add("GET", "/v1/models", status=429, retry_after=0.01, times=2)
    assert provider.probe(_proj()).verdict == "unknown"
    assert provider.probe(_proj()).verdict == "alive"


def test_the_invalid_key_message_is_never_relayed(openai):
    sim, provider = openai
    with pytest.raises(ProviderError) as caught:
        provider.identify(credential(STRANGER, "openai"))
    [sent] = [r.response_json["error"]["message"] for r in sim.requests
              if r.headers["authorization"] == f"Bearer {STRANGER}"]
    assert "Incorrect API key provided" in sent
    assert "Incorrect" not in caught.value.message and "*" not in caught.value.message
