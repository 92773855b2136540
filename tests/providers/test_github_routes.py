"""GitHub beyond personal tokens on github.com: Enterprise Server hosts, the issuing app's own
revoke for gho_/ghu_ tokens, and the cases that must stay manual."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from provider_helpers import credential, settings

from responder.providers.github import GitHubProvider, api_for_host
from responder.providers.registry import Providers
from responder.sim.github import GitHubSimulator
from responder.sim.github_enterprise import GitHubEnterpriseSimulator

PAT = "ghp_" + "E1" * 18
FINE = "github_pat_" + "F2" * 41
OAUTH = "gho_" + "O3" * 18
OTHER_OAUTH = "gho_" + "X4" * 18  # issued by another app
APP = {"client_id": "Iv1.aaaabbbbccccdddd", "client_secret": "sec" * 12}
ADMIN = {"RESPONDER_GITHUB_APP_CLIENT_ID": APP["client_id"],
         "RESPONDER_GITHUB_APP_CLIENT_SECRET": APP["client_secret"]}


def seed(**extra):
    return {"apps": [APP], "users": [{"login": "dana", "tokens": [
        {"value": PAT, "scopes": ["repo"]}, {"value": FINE},
        {"value": OAUTH, "scopes": ["repo"], "app": APP["client_id"]},
        {"value": OTHER_OAUTH, "scopes": ["repo"], "app": "Iv1.other"}]}], **extra}


@pytest.mark.parametrize(("host", "api"), [
    ("ghe.example.com", "https://ghe.example.com/api/v3"),
    ("https://ghe.example.com/", "https://ghe.example.com/api/v3"),
    ("https://ghe.example.com/api/v3", "https://ghe.example.com/api/v3"),
    ("https://octocorp.ghe.com", "https://api.octocorp.ghe.com"),
    ("github.com", "https://api.github.com"),
])
def test_github_host_chooses_the_api_base(host, api):
    assert api_for_host(host) == api


def test_ghes_tokens_go_to_their_own_host_with_an_authenticated_revoke():
    with GitHubEnterpriseSimulator.from_seed(seed(), now=datetime.now(UTC)) as ghes, \
            GitHubSimulator.from_seed({}, now=datetime.now(UTC)) as dotcom:
        providers = Providers(settings(endpoints={"github": dotcom.api_url}))
        creds = [credential(v, "github", github_host=ghes.base_url) for v in (PAT, FINE, OAUTH)]
        [(provider, members)] = providers.group(creds)
        assert provider.base_url == ghes.api_url and provider.enterprise
        assert [provider.route(c) for c in creds] == ["self", "self", "manual"]
        plans = provider.plan_revoke(creds)
        assert [(p.method, p.url, p.authenticated) for p in plans] == [
            ("POST", f"{ghes.api_url}/credentials/revoke", True)]
        assert PAT not in plans[0].body and "ghp_…" in plans[0].body
        outcomes = {o.credential_id: o for o in provider.revoke(creds, {})}
        assert outcomes[creds[0].id].status == outcomes[creds[1].id].status == "submitted"
        assert outcomes[creds[2].id].status == "manual"
        assert f"{ghes.base_url}/settings/applications" in outcomes[creds[2].id].manual[0]
        assert outcomes[creds[2].id].manual[0].startswith("Revoke the GitHub token gho_…")
        [post] = [r for r in ghes.requests if r.path.endswith("/credentials/revoke")]
        assert post.headers["authorization"].endswith(PAT)  # the first token authenticates
        assert not ghes.state.token_is_live(PAT) and not ghes.state.token_is_live(FINE)
        assert ghes.state.token_is_live(OAUTH)
        assert provider.probe(creds[0]).verdict == "dead"
        assert dotcom.requests == []  # nothing about a GHES token went to github.com


def test_old_ghes_without_the_endpoint_gets_the_manual_step():
    with GitHubEnterpriseSimulator.from_seed(seed(version="3.17"), now=datetime.now(UTC)) as ghes:
        provider = GitHubProvider(ghes.api_url, settings())
        [outcome] = provider.revoke([credential(PAT, "github")], {})
        assert outcome.status == "manual" and "3.17 or older" in outcome.detail
        assert f"{ghes.base_url}/settings/tokens" in outcome.manual[0]
        assert ghes.state.token_is_live(PAT)


def test_the_issuing_app_deletes_its_own_tokens_and_others_fall_back_to_by_value():
    with GitHubSimulator.from_seed(seed(), now=datetime.now(UTC)) as sim:
        provider = GitHubProvider(sim.api_url, settings(admin=ADMIN))
        mine, other = credential(OAUTH, "github"), credential(OTHER_OAUTH, "github")
        assert provider.route(mine) == provider.route(other) == "admin"
        plans = provider.plan_revoke([mine, other])
        assert {p.method for p in plans} == {"DELETE"}
        assert all(APP["client_secret"] not in repr(p) for p in plans)
        outcomes = {o.credential_id: o for o in provider.revoke([mine, other], {})}
        assert outcomes[mine.id].status == "submitted" and "issuing app" in outcomes[mine.id].detail
        assert outcomes[other.id].status == "submitted"
        assert "credentials/revoke" in outcomes[other.id].detail
        deletes = [r for r in sim.requests if r.method == "DELETE"]
        assert {r.headers["authorization"].split()[0] for r in deletes} == {"Basic"}
        assert not sim.state.token_is_live(OAUTH) and not sim.state.token_is_live(OTHER_OAUTH)


def test_a_cleartext_enterprise_host_never_receives_a_token():
    provider = GitHubProvider(api_for_host("http://ghe.internal.example"), settings())
    cred = credential(PAT, "github")
    assert provider.route(cred) == "manual"
    assert provider.identify(cred) is None
    [outcome] = provider.revoke([cred], {})
    assert outcome.status == "manual" and "plain http" in outcome.detail


def test_a_5xx_on_the_batch_is_unknown_and_not_resent():
    with GitHubSimulator.from_seed(seed(), now=datetime.now(UTC)) as sim:
        provider = GitHubProvider(sim.api_url, settings())
        sim.faults.add("POST", "/credentials/revoke", status=502)
        [outcome] = provider.revoke([credential(PAT, "github")], {})
        assert outcome.status == "unknown"
        assert len([r for r in sim.requests if r.path == "/credentials/revoke"]) == 1


def test_an_app_private_key_is_manual_with_the_app_settings_page():
    key = "-----BEGIN RSA PRIVATE KEY-----\n" + "K" * 64 + "\n-----END RSA PRIVATE KEY-----"
    provider = GitHubProvider("https://api.github.com", settings())
    cred = credential(key, "github", "GitHub App private key")
    assert provider.route(cred) == "manual"
    [outcome] = provider.revoke([cred], {})
    assert "Private keys" in outcome.manual[0] and key not in repr(outcome)
