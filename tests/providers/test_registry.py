"""providers/registry.py: which adapter instance a credential goes to, and the name tables."""

from __future__ import annotations

import importlib
from dataclasses import replace

import pytest
from provider_helpers import credential, settings

from responder.engine.context import Endpoints
from responder.providers.base import Provider
from responder.providers.github import GitHubProvider
from responder.providers.manual import ManualProvider
from responder.providers.registry import ADAPTERS, Providers, adapter_class
from responder.sim.fleet import SIMULATORS, simulator_class

PAT = "ghp_" + "A" * 36
PAT2 = "ghp_" + "B" * 36
GLPAT = "glpat-" + "C" * 20
SLACK = "xoxb-1234567890-1234567890123-" + "d" * 24


def test_one_instance_per_provider_and_base_url():
    providers = Providers(settings())
    first = providers.for_credential(credential(PAT, "github"))
    second = providers.for_credential(credential(PAT2, "github"))
    assert isinstance(first, GitHubProvider) and first is second
    assert first.base_url == "https://api.github.com"
    slack = providers.for_credential(credential(SLACK, "slack"))
    assert slack is not first and slack.name == "slack"
    assert providers.for_credential(credential(SLACK + "x", "slack")) is slack
    groups = providers.group([credential(PAT, "github"), credential(SLACK, "slack"),
                              credential(PAT2, "github")])
    assert [(p.name, len(members)) for p, members in groups] == [("github", 2), ("slack", 1)]


def test_a_github_enterprise_credential_goes_to_its_own_host():
    providers = Providers(settings(endpoints={"github": "http://127.0.0.1:9/gh"}))
    dotcom = providers.for_credential(credential(PAT, "github"))
    ghes = providers.for_credential(credential(PAT2, "github", github_host="ghe.acme.example"))
    ghes_again = providers.for_credential(
        credential(PAT, "github", github_host="https://ghe.acme.example/"))
    assert ghes.base_url == "https://ghe.acme.example/api/v3"
    assert ghes is ghes_again and ghes is not dotcom
    assert ghes.enterprise and not dotcom.enterprise
    assert dotcom.base_url == "http://127.0.0.1:9/gh"  # the run's override


@pytest.mark.parametrize("host", ["github.com", "https://github.com", "api.github.com"])
def test_a_github_com_host_goes_to_the_default_or_the_override(host):
    plain = Providers(settings())
    assert plain.for_credential(
        credential(PAT, "github", github_host=host)).base_url == "https://api.github.com"
    overridden = Providers(settings(endpoints={"github": "http://127.0.0.1:9"}))
    assert overridden.for_credential(
        credential(PAT, "github", github_host=host)).base_url == "http://127.0.0.1:9"


def test_a_gitlab_credential_with_its_own_api_url_wins_over_the_override():
    providers = Providers(settings(endpoints={"gitlab": "http://127.0.0.1:9/api/v4"}))
    own = providers.for_credential(
        credential(GLPAT, "gitlab", gitlab_api_url="https://gitlab.acme.example/"))
    default = providers.for_credential(credential(GLPAT + "x", "gitlab"))
    assert own.base_url == "https://gitlab.acme.example/api/v4"
    assert default.base_url == "http://127.0.0.1:9/api/v4"


def test_endpoints_from_env():
    env = {
        "RESPONDER_GITLAB_API_URL": "  https://gl.acme.example/api/v4 ",
        "RESPONDER_SLACK_API_URL": "http://127.0.0.1:5555/api",
        "RESPONDER_OPENAI_API_URL": "   ",  # blank: ignored
        "RESPONDER_GITHUB_TOKEN": "ghp_not_an_url",
        "GITLAB_API_URL": "https://not.responder.example",
        "XRESPONDER_NPM_API_URL": "https://nope.example",
    }
    endpoints = Endpoints.from_env(env)
    assert dict(endpoints.urls) == {"gitlab": "https://gl.acme.example/api/v4",
                                    "slack": "http://127.0.0.1:5555/api"}
    assert endpoints.github_api_url == "https://api.github.com"
    assert Endpoints.from_env(
        {"RESPONDER_GITHUB_API_URL": "http://127.0.0.1:1"}).github_api_url == "http://127.0.0.1:1"
    providers = Providers(replace(settings(), endpoints=endpoints.urls))
    assert providers.for_credential(credential(GLPAT, "gitlab")).base_url == \
        "https://gl.acme.example/api/v4"
    assert providers.for_credential(credential(SLACK, "slack")).base_url == \
        "http://127.0.0.1:5555/api"


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_every_adapter_env_name_round_trips(name):
    endpoints = Endpoints.from_env({f"RESPONDER_{name.upper()}_API_URL": "http://127.0.0.1:7"})
    assert dict(endpoints.urls) == {name: "http://127.0.0.1:7"}


@pytest.mark.parametrize("provider", sorted(ADAPTERS))
def test_malformed_and_ambiguous_credentials_get_the_manual_provider(provider):
    providers = Providers(settings())
    malformed = replace(credential("x_bad_" + "M" * 20, provider), well_formed=False)
    chosen = providers.for_credential(malformed)
    assert isinstance(chosen, ManualProvider) and chosen.provider == provider
    assert chosen.route(malformed) == "manual"
    ambiguous = replace(credential("y_amb_" + "N" * 34, provider),
                        candidates=(provider, "sentry"))
    assert isinstance(providers.for_credential(ambiguous), ManualProvider)
    assert providers.for_credential(credential("z_ok_" + "O" * 30, provider)).name == provider


def test_unknown_providers_get_one_manual_instance_per_name():
    providers = Providers(settings())
    unknown = providers.for_credential(credential("u_" + "U" * 30, None))
    stripe = providers.for_credential(credential("sk_live_" + "S" * 30, "stripe"))
    assert isinstance(unknown, ManualProvider) and unknown.provider is None
    assert isinstance(stripe, ManualProvider) and stripe.provider == "stripe"
    assert providers.for_credential(credential("u2_" + "U" * 30, None)) is unknown
    assert unknown is not stripe


def test_close_closes_every_instance_and_starts_afresh():
    providers = Providers(settings())
    github = providers.for_credential(credential(PAT, "github"))
    providers.close()
    assert providers.for_credential(credential(PAT, "github")) is not github


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_every_adapter_imports_and_is_named_after_its_key(name):
    cls = adapter_class(name)
    assert issubclass(cls, Provider)
    assert cls.name == name
    assert cls.title and cls.default_url.startswith("https://")
    module, _, attribute = ADAPTERS[name].partition(":")
    assert getattr(importlib.import_module(module), attribute) is cls


@pytest.mark.parametrize("name", sorted(SIMULATORS))
def test_every_simulator_imports_seeds_empty_and_serves_its_api_path(name):
    cls = simulator_class(name)
    sim = cls.from_seed({})
    with pytest.raises(RuntimeError):
        sim.api_url  # noqa: B018 - not running yet
    with sim:
        assert sim.api_url.startswith("http://127.0.0.1:")
        assert sim.api_url.endswith(cls.api_path)
        assert sim.api_url == sim.base_url + cls.api_path
    # Every simulated credential provider has an adapter to point at it; the registries and web
    # hosts the maintainer lookup reads are not credential providers.
    assert name in ADAPTERS or name in ("pypi", "oci", "web")


def test_an_unknown_simulator_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="simulators: github"):
        simulator_class("stripe")
