"""Review steps: where each provider's own audit or security log is, with exact URLs and commands,
the window start in UTC to the minute, and never a secret value."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from provider_helpers import credential, settings

from responder.credentials.model import Origin
from responder.providers.base import Identity
from responder.providers.gitlab import GitLabProvider
from responder.providers.manual import SPECS, ManualProvider, aws_review_steps
from responder.providers.registry import adapter_class
from responder.providers.slack import SlackProvider

# 12:00 at UTC+2 is 10:00 UTC: every step must say so.
START = datetime(2026, 3, 1, 12, 0, 30, tzinfo=timezone(timedelta(hours=2)))
SINCE = "2026-03-01 10:00 UTC"
ISO = "2026-03-01T10:00:30Z"
URL = re.compile(r"https://[^\s)`\"',]+")
AKIA = "AKIAREVIEWTEST234567"
AWS_SECRET = "Review0test/Secret+Key0Review0test/Secret"


def _identity(provider: str, account: str, **details: str) -> Identity:
    return Identity("c1", provider, account, "1", "token", None, None,
                    details=tuple(details.items()))


def _text(steps: list[str]) -> str:
    assert steps and all(isinstance(s, str) and s for s in steps)
    return "\n".join(steps)


# -- GitLab -----------------------------------------------------------------------------------

def test_gitlab_com_steps_name_the_users_own_pages_exactly():
    cred = credential("glpat-" + "R" * 20, "gitlab", "personal access token")
    provider = GitLabProvider(GitLabProvider.base_url_for(cred, settings()), settings())
    text = _text(provider.review_steps(_identity("gitlab", "dana"), cred, START))
    for path in ("authentication_log", "active_sessions", "personal_access_tokens", "ssh_keys",
                 "gpg_keys", "applications"):
        assert f"https://gitlab.com/-/user_settings/{path}" in text
    assert "https://gitlab.com/-/profile/audit_log" in text  # before GitLab 16
    assert "signed in as dana" in text and SINCE in text
    assert "admin/audit_logs" not in text  # gitlab.com has no instance admin area for users
    assert "Secure › Audit events" in text


def test_self_managed_steps_use_the_instance_host_and_its_admin_audit_log():
    cred = credential("glpat-" + "R" * 20, "gitlab", "personal access token",
                      gitlab_api_url="https://git.example.com/")
    provider = GitLabProvider(GitLabProvider.base_url_for(cred, settings()), settings())
    text = _text(provider.review_steps(None, cred, START))
    assert "https://git.example.com/-/user_settings/authentication_log" in text
    assert "https://git.example.com/-/user_settings/active_sessions" in text
    assert "https://git.example.com/admin/audit_logs" in text
    assert "gitlab.com" not in text.replace("git.example.com", "")
    assert "signed in as the token's user" in text


# -- Slack ------------------------------------------------------------------------------------

def test_slack_steps_use_the_workspace_url_from_identity():
    cred = credential("xoxp-1-2-3-" + "s" * 32, "slack", "user token")
    identity = _identity("slack", "dana in acme", url="https://acme.slack.com/")
    text = _text(SlackProvider("https://slack.com/api", settings()).review_steps(
        identity, cred, START))
    assert "https://acme.slack.com/admin/logs" in text
    assert "https://acme.slack.com/apps/manage" in text
    assert "above all for dana;" in text and SINCE in text


def test_slack_steps_without_identity_leave_a_placeholder_not_a_guess():
    cred = credential("xoxb-1-2-" + "s" * 24, "slack", "bot token")
    text = _text(SlackProvider("https://slack.com/api", settings()).review_steps(
        None, cred, START))
    assert "https://<workspace>.slack.com/admin/logs" in text


# -- AWS --------------------------------------------------------------------------------------

def _commands(text: str) -> list[str]:
    return re.findall(r"`([^`]+)`", text)


def test_aws_steps_are_real_commands_with_the_utc_start_and_the_paired_key_in_full():
    cred = credential(AWS_SECRET, "aws", "secret access key", aws_access_key_id=AKIA,
                      aws_region="eu-west-1")
    steps = aws_review_steps(cred, START)
    text = _text(steps)
    assert (f"`aws cloudtrail lookup-events --lookup-attributes "
            f"AttributeKey=AccessKeyId,AttributeValue={AKIA} --start-time {ISO} --query "
            "'Events[].[EventTime,EventName,EventSource,Username]' --output table` with "
            "--region eu-west-1; IAM and STS calls are recorded in us-east-1") in text
    assert "AttributeKey=EventName,AttributeValue=$e" in text and "CreateAccessKey" in text
    assert f"aws iam get-access-key-last-used --access-key-id {AKIA}" in text
    for command in ("aws iam list-users", "aws iam list-roles", "aws iam list-access-keys",
                    "aws iam get-login-profile", "aws iam list-attached-user-policies",
                    "aws iam list-user-policies"):
        assert command in text
    # Only subcommands that exist; --max-results is not a CLI option of lookup-events.
    real = {"cloudtrail lookup-events", "iam list-users", "iam list-roles",
            "iam list-access-keys", "iam get-login-profile", "iam list-attached-user-policies",
            "iam list-user-policies", "iam get-access-key-last-used", "ec2 describe-regions"}
    used = {" ".join(m.split()[1:3]) for c in _commands(text)
            for m in re.findall(r"aws \S+ \S+", c)}
    assert used <= real
    assert "--max-results" not in text
    assert AWS_SECRET not in text and SINCE in text


def test_aws_without_a_region_repeats_per_region_and_us_east_1():
    cred = credential(AWS_SECRET, "aws", "secret access key", aws_access_key_id=AKIA)
    text = _text(aws_review_steps(cred, START))
    assert "--region <region>, once for each region you use" in text
    assert "aws ec2 describe-regions --query 'Regions[].RegionName' --output text" in text


def test_aws_in_us_east_1_needs_no_second_region():
    cred = credential(AWS_SECRET, "aws", "secret access key", aws_access_key_id=AKIA,
                      aws_region="us-east-1")
    assert "run it with --region us-east-1 too" not in _text(aws_review_steps(cred, START))


def test_a_lone_key_id_is_shown_redacted_with_where_to_find_it():
    origin = Origin(config="/home/dana/.cursor/mcp.json", server="aws", field="env",
                    literal=True)
    cred = replace(credential(AKIA, "aws", "access key id", aws_access_key_id=AKIA),
                   origins=(origin,))
    text = _text(aws_review_steps(cred, START))
    assert AKIA not in text
    assert f"AttributeValue={cred.secret.redacted}" in text
    assert "take the whole key id from /home/dana/.cursor/mcp.json" in text


def test_a_secret_without_its_key_id_asks_for_it_first():
    cred = credential(AWS_SECRET, "aws", "secret access key")
    steps = aws_review_steps(cred, START)
    assert "was not found beside it" in steps[0] and cred.secret.redacted in steps[0]
    assert "AttributeValue=<access key id>" in _text(steps)
    assert AWS_SECRET not in _text(steps)


def test_the_manual_provider_routes_aws_to_its_review():
    cred = credential(AWS_SECRET, "aws", "secret access key", aws_access_key_id=AKIA)
    assert ManualProvider("aws", settings()).review_steps(None, cred, START) == \
        aws_review_steps(cred, START)


# -- every other adapter ----------------------------------------------------------------------

ADAPTER_CASES = [
    ("openai", "sk-proj-" + "Rv" * 40 + "Wxyz", "project key"),
    ("anthropic", "sk-ant-api03-" + "Rv" * 45 + "AA", "API key"),
    ("npm", "npm_" + "Rv" * 18, "access token"),
    ("vercel", "Rv" * 12, "access token"),
    ("cloudflare", "Rv" * 20, "API token"),
    ("google", "ya29." + "Rv" * 40, "OAuth access token"),
    ("google", "AIza" + "Rv" * 17 + "R", "API key"),
]


@pytest.mark.parametrize(("name", "value", "kind"), ADAPTER_CASES)
def test_every_adapter_names_a_page_and_the_utc_start_never_the_value(name, value, kind):
    cls = adapter_class(name)
    cred = credential(value, name, kind)
    identity = _identity(name, "dana")
    steps = cls(cls.default_url, settings()).review_steps(identity, cred, START)
    text = _text(steps)
    assert URL.search(text), text
    assert SINCE in text
    assert value not in text


def test_npm_and_cloudflare_fill_in_what_identity_knows():
    npm = adapter_class("npm")
    text = _text(npm(npm.default_url, settings()).review_steps(
        _identity("npm", "dana"), credential("npm_" + "Rv" * 18, "npm", "token"), START))
    assert "https://www.npmjs.com/settings/dana/tokens" in text
    assert "npm view <package> time --json" in text
    cloudflare = adapter_class("cloudflare")
    cred = credential("Rv" * 20, "cloudflare", "API token", cloudflare_account_id="acc123")
    text = _text(cloudflare(cloudflare.default_url, settings()).review_steps(None, cred, START))
    assert "https://dash.cloudflare.com/acc123 › Manage Account › Audit Log" in text


def test_openai_says_whether_responder_reads_the_audit_log_itself():
    cls = adapter_class("openai")
    cred = credential("sk-proj-" + "Rv" * 40 + "Wxyz", "openai", "project key")
    without = _text(cls(cls.default_url, settings()).review_steps(None, cred, START))
    assert "set RESPONDER_OPENAI_ADMIN_KEY and responder reads it itself" in without
    admin = settings(admin={"RESPONDER_OPENAI_ADMIN_KEY": "sk-admin-" + "A" * 60})
    with_admin = _text(cls(cls.default_url, admin).review_steps(None, cred, START))
    assert "responder read it with RESPONDER_OPENAI_ADMIN_KEY" in with_admin


def test_a_google_service_account_gets_the_logging_command_from_the_start():
    cls = adapter_class("google")
    cred = credential("-----BEGIN PRIVATE KEY-----\nMIIE" + "R" * 60, "google",
                      "service account key",
                      google_client_email="bot@my-proj.iam.gserviceaccount.com")
    text = _text(cls(cls.default_url, settings()).review_steps(None, cred, START))
    assert ("gcloud logging read 'protoPayload.authenticationInfo.principalEmail="
            "\"bot@my-proj.iam.gserviceaccount.com\" AND timestamp>=\"2026-03-01T10:00:30Z\"' "
            "--project=my-proj") in text


# -- manual-only providers --------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_manual_spec_has_a_review_with_a_page_or_command_and_the_start(name):
    value = f"mv_{name.replace('-', '')}_" + "Q7x" * 10 + "Zk9w"
    cred = credential(value, name, "API token")
    [step] = ManualProvider(name, settings()).review_steps(None, cred, START)
    assert step.startswith(f"Review {SPECS[name].title} activity since {SINCE}: ")
    assert URL.search(step) or "`" in step or "›" in step, step
    assert SPECS[name].review, f"{name} has no review text of its own"
    assert "{" not in step and "}" not in step
    assert value not in step


def test_spec_reviews_use_the_credentials_context():
    cred = credential("mv_sentry_" + "Q7x" * 10, "sentry", "user auth token",
                      sentry_host="https://sentry.acme.example/")
    [step] = ManualProvider("sentry", settings()).review_steps(None, cred, START)
    assert "https://sentry.acme.example/settings/<organization>/audit-log/" in step


def test_ambiguous_credentials_get_the_review_of_each_candidate():
    value = "Ab3dE" * 8
    cred = replace(credential(value, None, "API token"), candidates=("cloudflare", "sentry"))
    text = _text(ManualProvider(None, settings()).review_steps(None, cred, START))
    assert "Manage Account › Audit Log" in text and "sentry.io/settings" in text
    assert value not in text


def test_a_malformed_api_provider_credential_gets_that_adapters_review_at_its_host():
    cred = replace(credential("glpat-short", "gitlab", "personal access token",
                              gitlab_api_url="https://git.example.com"), well_formed=False)
    text = _text(ManualProvider("gitlab", settings()).review_steps(None, cred, START))
    assert "https://git.example.com/-/user_settings/authentication_log" in text


def test_an_unknown_provider_gets_a_generic_review():
    cred = credential("zz_" + "P" * 30, "acme-internal", "token")
    [step] = ManualProvider("acme-internal", settings()).review_steps(None, cred, START)
    assert step.startswith("Review the audit or security log of the service that issued")
    assert SINCE in step and cred.secret.reveal() not in step
