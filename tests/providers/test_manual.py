"""ManualProvider: the exact manual steps, and that nothing is ever sent from it."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType

import pytest
from provider_helpers import FAST, credential, settings

from responder.credentials.model import Origin
from responder.providers.base import Settings
from responder.providers.manual import SPECS, ManualProvider, aws_steps
from responder.sim.cloudflare import CloudflareSimulator

AKIA = "AKIAMANUALTEST234567"
ASIA = "ASIAMANUALTEST234567"
AWS_SECRET = "Manual0test/Secret+Key0Manual0test/Secret"
URL = re.compile(r"https://[^\s)`\"']+")


def _value(name: str) -> str:
    # Long enough to keep a four-character tail in the redacted form; unique per provider.
    return f"mv_{name.replace('-', '')}_" + "Q7x" * 10 + "Zk9w"


def _steps(cred, provider=None, s=None) -> str:
    manual = ManualProvider(cred.provider if provider is None else provider, s or settings())
    return "\n".join(manual.manual_steps(cred))


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_spec_gives_an_https_page_and_the_redacted_value_never_the_raw(name):
    value = _value(name)
    cred = credential(value, name, "API token")
    text = _steps(cred)
    assert URL.search(text), text
    assert cred.secret.redacted in text and cred.secret.redacted.endswith("Zk9w")
    assert value not in text
    assert "{" not in text and "}" not in text  # every placeholder of the spec was filled


def test_spec_placeholders_use_the_credentials_context():
    cred = credential(_value("sentry"), "sentry", "user auth token",
                      sentry_host="https://sentry.acme.example/")
    text = _steps(cred)
    assert "https://sentry.acme.example/settings/account/api/auth-tokens/" in text
    assert "sentry.io" not in text
    azure = _steps(credential(_value("azure"), "azure-devops", "personal access token",
                              azure_org="acme-org"))
    assert "https://dev.azure.com/acme-org/_usersSettings/tokens" in azure
    atlassian = _steps(credential(_value("atl"), "atlassian", "API token",
                                  atlassian_user="dana@example.com",
                                  atlassian_url="https://acme.atlassian.net/"))
    assert "(of dana@example.com)" in atlassian and "https://acme.atlassian.net/admin" in atlassian


def test_aws_steps_are_the_exact_commands_with_the_window_start():
    s = settings()
    cred = credential(AWS_SECRET, "aws", "secret access key", aws_access_key_id=AKIA,
                      aws_region="eu-west-1")
    steps = ManualProvider("aws", s).manual_steps(cred)
    text = "\n".join(steps)
    start = s.window_start.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(steps) == 3
    assert f"aws iam get-access-key-last-used --access-key-id {AKIA}" in steps[0]
    assert f"aws iam update-access-key --access-key-id {AKIA} --status Inactive" in steps[0]
    assert (f"aws cloudtrail lookup-events --lookup-attributes "
            f"AttributeKey=AccessKeyId,AttributeValue={AKIA} --start-time {start} "
            f"--region eu-west-1") in steps[1]
    assert f"aws iam delete-access-key --access-key-id {AKIA}" in steps[2]
    # Deactivate (reversible) before delete.
    assert text.index("update-access-key") < text.index("delete-access-key")
    assert AWS_SECRET not in text


def test_aws_without_a_region_asks_for_each_region():
    cred = credential(AWS_SECRET, "aws", "secret access key", aws_access_key_id=AKIA)
    assert "--region <each region you use>" in _steps(cred)


def test_aws_without_a_window_says_so():
    s = replace(settings(), window_start=None)
    cred = credential(AWS_SECRET, "aws", "secret access key", aws_access_key_id=AKIA)
    assert "--start-time <start of the window>" in "\n".join(aws_steps(cred, s))


def test_aws_start_time_is_utc_whatever_the_clocks_zone():
    start = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    s = Settings(timing=FAST, endpoints=MappingProxyType({}), admin=MappingProxyType({}),
                 clock=lambda: start + timedelta(days=7), window_start=start)
    cred = credential(AWS_SECRET, "aws", "secret access key", aws_access_key_id=AKIA)
    assert "--start-time 2026-03-01T10:00:00Z" in "\n".join(aws_steps(cred, s))


def test_aws_session_keys_get_revoke_active_sessions():
    s = settings()
    cred = credential(AWS_SECRET, "aws", "secret access key", aws_access_key_id=ASIA)
    steps = ManualProvider("aws", s).manual_steps(cred)
    text = "\n".join(steps)
    assert "Revoke active sessions" in text and ASIA in text
    assert f"--start-time {s.window_start.strftime('%Y-%m-%dT%H:%M:%SZ')}" in text
    assert "update-access-key" not in text  # temporary credentials cannot be deactivated


def test_aws_without_a_key_id_says_it_is_missing():
    cred = credential(AWS_SECRET, "aws", "secret access key")
    text = _steps(cred)
    assert "access key id was not in the same definition" in text
    assert cred.secret.redacted in text and AWS_SECRET not in text
    assert "--access-key-id" not in text


def test_ambiguous_credentials_list_both_providers_and_say_nothing_was_sent():
    sim = CloudflareSimulator.from_seed({})
    with sim:
        s = settings(endpoints={"cloudflare": sim.api_url})
        value = "Ab3dE" * 8  # 40 characters: fits Cloudflare and more
        cred = replace(credential(value, None, "API token"), candidates=("cloudflare", "sentry"))
        manual = ManualProvider(None, s)
        steps = manual.manual_steps(cred)
        text = "\n".join(steps)
        assert "fits the format of cloudflare and sentry" in steps[0]
        assert "sent it to neither" in steps[0]
        assert "dash.cloudflare.com" in text  # the Cloudflare adapter's own manual step
        assert "sentry.io/settings/account/api/auth-tokens" in text
        assert value not in text and cred.secret.redacted in text
        assert manual.route(cred) == "manual"
        [outcome] = manual.revoke([cred], {})
        assert outcome.status == "manual" and "not sent to any" in outcome.detail
        assert list(outcome.manual) == steps
    assert sim.requests == []  # nothing reached the provider it might belong to


def test_malformed_credentials_say_so_and_get_the_providers_step():
    value = "ghp_tooShort123"
    cred = replace(credential(value, "github", "personal access token (classic)"),
                   well_formed=False)
    manual = ManualProvider("github", settings())
    steps = manual.manual_steps(cred)
    assert "does not fit its format" in steps[0] and "did not send it anywhere" in steps[0]
    assert "https://github.com/settings/tokens" in "\n".join(steps[1:])
    [outcome] = manual.revoke([cred], {})
    assert outcome.status == "manual" and outcome.detail.startswith("malformed value")
    assert value not in "\n".join(steps) + outcome.detail


def test_an_unknown_provider_gets_the_generic_step_naming_the_config():
    value = "int-" + "S3cr3t" * 6
    origin = Origin(config="/home/dana/.cursor/mcp.json", server="ops", field="env.X_SECRET",
                    literal=True)
    cred = replace(credential(value, None, "secret"), origins=(origin,))
    steps = ManualProvider(None, settings()).manual_steps(cred)
    assert len(steps) == 1
    assert "wherever it was issued" in steps[0] and "/home/dana/.cursor/mcp.json" in steps[0]
    assert cred.secret.redacted in steps[0] and value not in steps[0]
    [outcome] = ManualProvider(None, settings()).revoke([cred], {})
    assert outcome.status == "manual" and outcome.detail == "provider not recognised"


def test_an_unknown_name_that_is_not_in_specs_is_generic_too():
    cred = credential("zz_" + "P" * 30, "acme-internal", "token")
    assert "could not tell which provider" in _steps(cred)


@pytest.mark.parametrize("provider", [None, "aws", "stripe", "github", "slack"])
def test_route_is_always_manual_and_revoke_sends_nothing(provider):
    cred = credential("xoxb-1-2-" + "r" * 24 if provider == "slack" else "ghp_" + "R" * 36,
                      provider, "token")
    manual = ManualProvider(provider, settings())
    assert manual.route(cred) == "manual"
    outcomes = manual.revoke([cred, cred], {})
    assert [o.status for o in outcomes] == ["manual", "manual"]
    assert all(o.manual for o in outcomes)
    assert manual._http is None  # no HTTP client was ever created
    assert manual.probe(cred).verdict == "unknown" and manual.probe(cred).retry is False
    assert manual.revoke([], {}) == []


def test_a_manual_only_provider_says_why():
    [outcome] = ManualProvider("stripe", settings()).revoke(
        [credential("sk_live_" + "S" * 40, "stripe", "secret key")], {})
    assert outcome.detail == "no revoke API for this provider: manual step"
    assert "https://dashboard.stripe.com/apikeys" in outcome.manual[0]


def test_window_start_is_utc_in_settings_helper():
    # Guard for the tests above: the helper's window is a UTC datetime.
    assert settings().window_start.tzinfo is UTC
