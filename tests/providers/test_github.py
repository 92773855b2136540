"""GitHubProvider through PyGithub against the simulator: identity, revoke, proof of death."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from provider_helpers import settings

from responder.core.secrets import Secret
from responder.credentials.classify import recognise
from responder.credentials.model import Credential
from responder.engine.context import Timing
from responder.providers.github import GitHubProvider
from responder.sim.github import GitHubSimulator

PAT = "ghp_" + "a1" * 18
FINE = "github_pat_" + "B2" * 41
INSTALL = "ghs_" + "c3" * 18
UNKNOWN_OWNER = "ghp_" + "z9" * 18  # well-formed but GitHub does not know it


def _cred(value: str) -> Credential:
    kind = recognise(value)
    return Credential(Secret(value), kind.provider, kind.kind)


@pytest.fixture
def github():
    seed = {
        "users": [{"login": "octo", "id": 1, "tokens": [
            {"value": PAT, "scopes": ["repo", "user"], "expires_at": "2027-01-01 00:00:00 UTC"},
            {"value": FINE},
        ]}],
        "repos": [{"full_name": "octo/api", "private": True, "admins": ["octo"]}],
    }
    sim = GitHubSimulator.from_seed(seed, now=datetime.now(UTC))
    sim.state.add_token("octo", {"value": INSTALL})
    with sim:
        fast = settings(Timing(read_retries=1, max_retry_after=0.1))
        yield sim, GitHubProvider(sim.base_url, fast)


def test_identity_reads_login_scopes_and_expiry(github):
    sim, provider = github
    identity = provider.identify(_cred(PAT))
    assert (identity.account, identity.scopes) == ("octo", ("repo", "user"))
    assert identity.expires == "2027-01-01 00:00:00 UTC"
    assert identity.audit_handle == Secret(PAT).hashed_token


def test_fine_grained_tokens_report_no_scopes(github):
    _, provider = github
    identity = provider.identify(_cred(FINE))
    assert identity.scopes is None
    assert any("does not report scopes" in n for n in identity.notes)


def test_installation_token_identity_and_self_revoke(github):
    sim, provider = github
    identity = provider.identify(_cred(INSTALL))
    assert identity.account_id == "installation"
    outcome = provider.revoke([_cred(INSTALL)], {})
    assert [o.status for o in outcome] == ["submitted"]
    assert any(r.method == "DELETE" and r.path == "/installation/token" for r in sim.requests)
    assert not sim.state.token_is_live(INSTALL)
    assert provider.probe(_cred(INSTALL)).verdict == "dead"


def test_batch_revoke_is_one_unauthenticated_request_never_retried(github):
    sim, provider = github
    creds = [_cred(PAT), _cred(FINE), _cred(UNKNOWN_OWNER)]
    plans = provider.plan_revoke(creds)
    assert len(plans) == 1 and not plans[0].authenticated
    assert PAT not in (plans[0].body or "") and "ghp_…" in (plans[0].body or "")
    sim.faults.add(method="POST", path="/credentials/revoke", status=422, times=1)
    outcomes = provider.revoke(creds, {})
    assert {o.status for o in outcomes} == {"failed"}
    assert len([r for r in sim.requests if r.path == "/credentials/revoke"]) == 1
    outcomes = provider.revoke(creds, {})
    assert {o.status for o in outcomes} == {"submitted"}
    posts = [r for r in sim.requests if r.path == "/credentials/revoke"]
    assert "authorization" not in posts[-1].headers
    assert provider.probe(_cred(PAT)).verdict == "dead"
    assert provider.probe(_cred(FINE)).verdict == "dead"


def test_probe_is_alive_while_the_token_works_and_unknown_on_errors(github):
    sim, provider = github
    assert provider.probe(_cred(PAT)).verdict == "alive"
    sim.faults.add(method="GET", path="/user", status=500, times=None)
    assert provider.probe(_cred(PAT)).verdict == "unknown"
