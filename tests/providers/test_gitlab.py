"""GitLabProvider against the GitLab simulator: identity, self-revoke, proof, self-hosted
instances, older instances without the self routes, rate limits, timeouts and garbage."""

from __future__ import annotations

import pytest
from provider_helpers import credential, settings

from responder.core.errors import ProviderError
from responder.engine.context import Timing
from responder.providers.gitlab import GitLabProvider, normalise_api_url
from responder.sim.gitlab import GitLabSimulator

PAT = "glpat-" + "A1b2C3d4E5f6G7h8I9j0"
BOT = "glpat-" + "Zy9Xw8Vu7Ts6Rq5Po4Nm"
DEPLOY = "gldt-" + "k" * 20
TRIGGER = "glptt-" + "0123456789abcdef" * 2 + "01234567"
SLOW = Timing(request_timeout=0.3, verify_backoff=(0.02,), read_retries=1, max_retry_after=0.2)


def _sim(**seed):
    return GitLabSimulator.from_seed({"tokens": [
        {"value": PAT, "account": "dana", "account_id": "4242", "name": "mcp-gitlab",
         "scopes": ["api", "read_user"], "expires_at": "2099-01-31"},
        {"value": BOT, "account": "project_17_bot_3f2a", "name": "ci", "scopes": ["read_api"],
         "bot": True},
    ], **seed})


@pytest.fixture
def gitlab():
    sim = _sim()
    with sim:
        yield sim, GitLabProvider(sim.api_url, settings())


def _cred(value=PAT, **context):
    return credential(value, "gitlab", "personal access token", **context)


def test_identity_reads_the_token_and_its_user(gitlab):
    sim, provider = gitlab
    identity = provider.identify(_cred())
    assert (identity.account, identity.account_id) == ("dana", "4242")
    assert identity.handle == "1" and identity.scopes == ("api", "read_user")
    assert identity.expires == "2099-01-31"
    assert identity.detail("name") == "mcp-gitlab"
    assert identity.detail("instance") == sim.base_url
    reads = sorted(r.path for r in sim.requests)
    assert reads == ["/api/v4/personal_access_tokens/self", "/api/v4/user"]
    assert all(r.headers.get("private-token") == PAT and "authorization" not in r.headers
               for r in sim.requests)


def test_revoke_sends_one_delete_self_then_probe_proves_death(gitlab):
    sim, provider = gitlab
    cred = _cred()
    assert provider.probe(cred).verdict == "alive"
    [outcome] = provider.revoke([cred], {})
    assert outcome.status == "submitted" and "204" in outcome.detail
    [delete] = [r for r in sim.requests if r.method == "DELETE"]
    assert delete.path == "/api/v4/personal_access_tokens/self"
    assert delete.headers["private-token"] == PAT and delete.body == b""
    assert delete.status == 204 and delete.response_json is None  # 204, empty body
    assert not sim.tokens.is_active(PAT)
    probe = provider.probe(cred)
    assert probe.verdict == "dead" and "401" in probe.detail
    assert sim.tokens.is_active(BOT)  # only the token that asked


def test_project_access_tokens_revoke_themselves_too(gitlab):
    sim, provider = gitlab
    identity = provider.identify(_cred(BOT))
    assert identity.detail("user_bot") == "True"
    [outcome] = provider.revoke([_cred(BOT)], {})
    assert outcome.status == "submitted" and not sim.tokens.is_active(BOT)


def test_revocation_lag_keeps_the_token_alive_for_a_few_requests():
    sim = _sim(revoke_lag=2)
    with sim:
        provider = GitLabProvider(sim.api_url, settings())
        [outcome] = provider.revoke([_cred()], {})
        assert outcome.status == "submitted"
        verdicts = [provider.probe(_cred()).verdict for _ in range(3)]
    assert verdicts == ["alive", "alive", "dead"]


def test_a_dead_token_at_identity_is_reported_as_401(gitlab):
    sim, provider = gitlab
    with pytest.raises(ProviderError) as caught:
        provider.identify(_cred("glpat-" + "n" * 20))
    assert caught.value.status == 401
    assert {r.response_json["message"] for r in sim.requests} == {"401 Unauthorized"}


def test_unknown_routes_answer_gitlabs_json_404(gitlab):
    sim, provider = gitlab
    answer = provider.http.read("GET", "/nope", headers={"private-token": PAT})
    assert answer.status == 404 and answer.data == {"message": "404 Not Found"}


def test_other_gitlab_token_kinds_are_manual_and_send_nothing(gitlab):
    sim, provider = gitlab
    creds = [credential(DEPLOY, "gitlab", "deploy token"),
             credential(TRIGGER, "gitlab", "pipeline trigger token")]
    assert [provider.route(c) for c in creds] == ["manual", "manual"]
    assert provider.identify(creds[0]) is None
    assert provider.plan_revoke(creds) == []
    outcomes = provider.revoke(creds, {})
    assert [o.status for o in outcomes] == ["manual", "manual"]
    assert "Deploy tokens" in outcomes[0].manual[0]
    assert f"{sim.base_url}/<group>/<project>/-/settings/ci_cd" in outcomes[1].manual[0]
    assert provider.probe(creds[0]).verdict == "unknown"
    assert sim.requests == []


def test_manual_steps_name_the_instance_pages_and_the_audit_trail(gitlab):
    sim, provider = gitlab
    [step] = provider.manual_steps(_cred())
    assert f"{sim.base_url}/-/user_settings/personal_access_tokens" in step
    assert f"{sim.base_url}/admin/audit_logs" in step and "/activity" in step


def test_an_instance_older_than_15_has_no_self_revoke():
    sim = _sim(version="14.10.0")
    with sim:
        provider = GitLabProvider(sim.api_url, settings())
        identity = provider.identify(_cred())  # GET self is missing: /user still answers
        assert identity.account == "dana" and identity.scopes is None and identity.handle is None
        assert any("an older GitLab" in note for note in identity.notes)
        [outcome] = provider.revoke([_cred()], {})
        assert outcome.status == "failed" and "15.0" in outcome.detail
        assert "personal_access_tokens" in outcome.manual[0]
        assert sim.tokens.is_active(PAT)
        assert provider.probe(_cred()).verdict == "alive"  # proof falls back to GET /user
        sim.tokens.revoke(sim.tokens.get(PAT))
        assert provider.probe(_cred()).verdict == "dead"


def test_rate_limit_is_honoured_then_the_revoke_lands_once(gitlab):
    sim, provider = gitlab
    sim.faults.add("DELETE", "/api/v4/personal_access_tokens/self", status=429,
                   retry_after=0.05)
    [outcome] = provider.revoke([_cred()], {})
    assert outcome.status == "submitted"
    deletes = [r for r in sim.requests if r.method == "DELETE"]
    assert [r.status for r in deletes] == [429, 204]
    assert deletes[0].response_headers["retry-after"] == "0.05"


def test_a_500_on_revoke_is_unknown_and_never_resent(gitlab):
    sim, provider = gitlab
    sim.faults.add("DELETE", "/api/v4/personal_access_tokens/self", status=500)
    [outcome] = provider.revoke([_cred()], {})
    assert outcome.status == "unknown" and outcome.manual
    assert len([r for r in sim.requests if r.method == "DELETE"]) == 1
    assert sim.tokens.is_active(PAT)


def test_a_timeout_on_revoke_is_unknown_and_never_resent():
    sim = _sim()
    with sim:
        provider = GitLabProvider(sim.api_url, settings(timing=SLOW))
        fault = sim.faults.add("DELETE", "/api/v4/personal_access_tokens/self", delay=0.6)
        [outcome] = provider.revoke([_cred()], {})
        assert outcome.status == "unknown" and "timed out" in outcome.detail
        assert fault.hits == 1  # sent once, never re-sent


def test_garbage_answers_give_a_clear_status(gitlab):
    sim, provider = gitlab
    html = "<html><body>502 Bad Gateway</body></html>"
    sim.faults.add("GET", "/api/v4/personal_access_tokens/self", status=200, body=html, times=9)
    with pytest.raises(ProviderError) as caught:
        provider.identify(_cred())
    assert "not JSON" in caught.value.message
    probe = provider.probe(_cred())
    assert probe.verdict == "unknown" and "not JSON" in probe.detail
    sim.faults.add("DELETE", "/api/v4/personal_access_tokens/self", status=400, body=html)
    [outcome] = provider.revoke([_cred()], {})
    assert outcome.status == "failed" and "not JSON" in outcome.detail


def test_probe_is_unknown_on_errors(gitlab):
    sim, provider = gitlab
    sim.faults.add("GET", "/api/v4/personal_access_tokens/self", status=503, times=9)
    assert provider.probe(_cred()).verdict == "unknown"


def test_self_hosted_api_url_is_normalised_and_used():
    assert normalise_api_url("https://git.example.com/") == "https://git.example.com/api/v4"
    assert normalise_api_url("https://git.example.com/api/v4/") == "https://git.example.com/api/v4"
    assert normalise_api_url(" https://x.test/gitlab ") == "https://x.test/gitlab/api/v4"
    own = _cred(gitlab_api_url="https://git.example.com")
    assert GitLabProvider.base_url_for(own, settings()) == "https://git.example.com/api/v4"
    run = settings(endpoints={"gitlab": "http://127.0.0.1:9/api/v4/"})
    assert GitLabProvider.base_url_for(_cred(), run) == "http://127.0.0.1:9/api/v4"
    assert GitLabProvider.base_url_for(own, run) == "https://git.example.com/api/v4"
    assert GitLabProvider.base_url_for(_cred(), settings()) == "https://gitlab.com/api/v4"


def test_a_self_hosted_instance_is_reached_at_its_own_url():
    sim = _sim()
    with sim:
        cred = _cred(gitlab_api_url=sim.base_url + "/")
        provider = GitLabProvider(GitLabProvider.base_url_for(cred, settings()), settings())
        assert provider.identify(cred).account == "dana"


def test_plain_http_to_a_remote_host_is_refused():
    cred = _cred(gitlab_api_url="http://gitlab.internal.example")
    provider = GitLabProvider(GitLabProvider.base_url_for(cred, settings()), settings())
    assert provider.route(cred) == "manual"
    assert provider.identify(cred) is None
    assert provider.plan_revoke([cred]) == []
    [outcome] = provider.revoke([cred], {})
    assert outcome.status == "manual" and "in clear" in outcome.detail
    assert "http://gitlab.internal.example/-/user_settings/personal_access_tokens" in \
        outcome.manual[0]
    probe = provider.probe(cred)
    assert probe.verdict == "unknown" and "not https" in probe.detail


def test_the_plan_is_the_exact_delete(gitlab):
    sim, provider = gitlab
    [plan] = provider.plan_revoke([_cred(), credential(DEPLOY, "gitlab")])
    assert (plan.method, plan.url) == ("DELETE",
                                       f"{sim.api_url}/personal_access_tokens/self")
    assert plan.authenticated and plan.body is None


def test_no_token_value_in_anything_returned(gitlab):
    sim, provider = gitlab
    creds = [_cred(), _cred(BOT), credential(DEPLOY, "gitlab", "deploy token")]
    everything = [provider.identify(c) for c in creds]
    everything += provider.plan_revoke(creds)
    everything += [provider.manual_steps(c) for c in creds]
    sim.faults.add("DELETE", "/api/v4/personal_access_tokens/self", status=500)
    everything += provider.revoke(creds, {})
    everything += [provider.probe(c) for c in creds]
    text = repr(everything)
    for value in (PAT, BOT, DEPLOY):
        assert value not in text
    assert sim.errors == []
