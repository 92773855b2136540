"""Context for providers (never secrets): hosts, accounts, orgs and users from the same definition;
and AWS key pairs, one credential per pair. Every value is a fake made here."""

from __future__ import annotations

import pytest
from credhelpers import assert_hidden, make_entry

from responder.credentials.find import discover

AKID = "AKIA" + "K" * 16
SECRET = "wJalr/XUtnFEMI+K7MDENG" + "b" * 18  # 40 characters, base64 alphabet


@pytest.mark.parametrize(("env", "key", "expected"), [
    ({"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_" + "A" * 36, "GITHUB_HOST": "https://ghe.example.test"},
     "github_host", "https://ghe.example.test"),
    ({"GITLAB_PERSONAL_ACCESS_TOKEN": "glpat-" + "g" * 20,
      "GITLAB_API_URL": "https://gitlab.example.test/api/v4"},
     "gitlab_api_url", "https://gitlab.example.test/api/v4"),
    ({"CLOUDFLARE_API_TOKEN": "c" * 40, "CLOUDFLARE_ACCOUNT_ID": "0123abcd"},
     "cloudflare_account_id", "0123abcd"),
    ({"SENTRY_ACCESS_TOKEN": "sntryu_" + "e" * 64, "SENTRY_HOST": "sentry.example.test"},
     "sentry_host", "sentry.example.test"),
    ({"AWS_SECRET_ACCESS_KEY": SECRET, "AWS_DEFAULT_REGION": "eu-central-1"},
     "aws_region", "eu-central-1"),
    ({"ADO_MCP_AUTH_TOKEN": "z" * 52, "ADO_ORG": "fabrikam"}, "azure_org", "fabrikam"),
    ({"AZURE_DEVOPS_EXT_PAT": "z" * 52, "AZURE_DEVOPS_ORG_URL": "https://dev.azure.com/contoso/"},
     "azure_org", "contoso"),
])
def test_context_key_from_the_same_definition(env, key, expected):
    found = discover(make_entry({"command": "npx", "env": env}), {})
    (credential,) = found.credentials
    assert credential.setting(key) == expected
    assert credential.describe()["context"][key] == expected


def test_context_values_may_be_references():
    found = discover(make_entry({"env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_" + "B" * 36,
                                         "GITHUB_HOST": "${GHE}"}}), {"GHE": "https://ghe.test"})
    (credential,) = found.credentials
    assert credential.setting("github_host") == "https://ghe.test"


def test_context_goes_only_to_its_provider():
    found = discover(make_entry({"env": {
        "GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_" + "C" * 36, "GITHUB_HOST": "https://ghe.test",
        "SLACK_BOT_TOKEN": "xoxb-" + "1" * 10 + "-" + "2" * 10 + "abc"}}), {})
    by_provider = {c.provider: c for c in found.credentials}
    assert by_provider["github"].setting("github_host") == "https://ghe.test"
    assert by_provider["slack"].context == ()


@pytest.mark.parametrize(("token_name", "url", "user"), [
    ("JIRA_API_TOKEN", "https://jira.example.test", "dana@example.test"),
    ("CONFLUENCE_API_TOKEN", "https://wiki.example.test", "lee@example.test"),
])
def test_atlassian_url_and_user_follow_the_token_product(token_name, url, user):
    found = discover(make_entry({"command": "uvx", "args": ["mcp-atlassian"], "env": {
        "JIRA_URL": "https://jira.example.test", "JIRA_USERNAME": "dana@example.test",
        "CONFLUENCE_URL": "https://wiki.example.test", "CONFLUENCE_USERNAME": "lee@example.test",
        token_name: "ATATT3" + "t" * 186}}), {})
    (credential,) = found.credentials
    assert credential.provider == "atlassian"
    assert credential.setting("atlassian_url") == url
    assert credential.setting("atlassian_user") == user


def test_azure_org_from_the_package_argument():
    found = discover(make_entry({"command": "npx", "args": [
        "-y", "@azure-devops/mcp@latest", "contoso", "-d", "core"],
        "env": {"ADO_MCP_AUTH_TOKEN": "y" * 52}}), {})
    (credential,) = found.credentials
    assert (credential.provider, credential.setting("azure_org")) == ("azure-devops", "contoso")


def test_sentry_host_from_the_flag():
    found = discover(make_entry({"command": "npx", "args": [
        "@sentry/mcp-server", "--access-token=" + "sntryu_" + "f" * 64,
        "--host=sentry.example.test"]}), {})
    (credential,) = found.credentials
    assert credential.setting("sentry_host") == "sentry.example.test"


# -- AWS ------------------------------------------------------------------------------------------

def test_aws_key_pair_is_one_credential_the_secret():
    found = discover(make_entry({"command": "uvx", "args": ["awslabs.aws-api-mcp-server"], "env": {
        "AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_REGION": "us-west-2"}}),
        {})
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == ("aws", "secret access key")
    assert credential.secret.reveal() == SECRET
    assert credential.setting("aws_access_key_id") == AKID
    assert credential.setting("aws_region") == "us-west-2"
    assert_hidden(found, SECRET)


def test_aws_key_id_alone_is_its_own_credential():
    found = discover(make_entry({"env": {"AWS_ACCESS_KEY_ID": AKID}}), {})
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == ("aws", "access key id")
    assert credential.setting("aws_access_key_id") == AKID


def test_aws_secret_alone_has_no_key_id():
    found = discover(make_entry({"env": {"AWS_SECRET_ACCESS_KEY": SECRET}}), {})
    (credential,) = found.credentials
    assert credential.kind == "secret access key"
    assert credential.setting("aws_access_key_id") is None


def test_aws_session_token_is_scrubbed_with_its_pair_not_listed_apart():
    session = "IQoJb3JpZ2luX2VjE" + "s" * 120
    found = discover(make_entry({"env": {"AWS_ACCESS_KEY_ID": "ASIA" + "T" * 16,
                                         "AWS_SECRET_ACCESS_KEY": SECRET,
                                         "AWS_SESSION_TOKEN": session}}), {})
    (credential,) = found.credentials
    assert credential.setting("aws_access_key_id") == "ASIA" + "T" * 16
    assert [e.reveal() for e in credential.encodings] == [session]
    assert_hidden(found, SECRET, session)


def test_aws_pair_from_references():
    found = discover(make_entry({"env": {"AWS_ACCESS_KEY_ID": "${KID}",
                                         "AWS_SECRET_ACCESS_KEY": "${KEY}"}}),
                     {"KID": AKID, "KEY": SECRET})
    (credential,) = found.credentials
    assert credential.setting("aws_access_key_id") == AKID
    assert credential.origins[0].variable == "KEY"


def test_aws_profile_read_from_the_credentials_file(machine):
    (machine.home / ".aws").mkdir()
    path = machine.home / ".aws" / "credentials"
    path.write_text(f"[default]\naws_access_key_id = AKIA{'D' * 16}\n"
                    f"aws_secret_access_key = {'d' * 40}\n\n"
                    f"[mcp]\naws_access_key_id = {AKID}\naws_secret_access_key = {SECRET}\n")
    found = discover(make_entry({"command": "uvx", "env": {"AWS_PROFILE": "mcp",
                                                           "AWS_REGION": "eu-west-1"}}), machine)
    (credential,) = found.credentials
    assert credential.secret.reveal() == SECRET
    assert credential.setting("aws_access_key_id") == AKID
    assert credential.setting("aws_region") == "eu-west-1"
    assert credential.setting("source_file") == str(path)
    assert credential.setting("aws_profile") == "mcp"
    assert "[mcp]" in credential.origins[0].field and str(path) in credential.origins[0].field
    assert credential.literal is False
    assert_hidden(found, SECRET, "d" * 40)


def test_aws_profile_from_a_relocated_credentials_file(machine, tmp_path):
    path = tmp_path / "shared-credentials"
    path.write_text(f"[ops]\naws_access_key_id = {AKID}\naws_secret_access_key = {SECRET}\n")
    found = discover(make_entry({"env": {"AWS_PROFILE": "ops",
                                         "AWS_SHARED_CREDENTIALS_FILE": str(path)}}), machine)
    (credential,) = found.credentials
    assert credential.setting("source_file") == str(path)


@pytest.mark.parametrize("file_exists", [True, False])
def test_aws_profile_not_in_the_file_is_held_outside(machine, file_exists):
    if file_exists:
        (machine.home / ".aws").mkdir()
        (machine.home / ".aws" / "credentials").write_text("[other]\naws_access_key_id = x\n")
    found = discover(make_entry({"env": {"AWS_PROFILE": "sso-dev"}}), machine)
    assert found.credentials == []
    (sentence,) = found.outside
    assert "sso-dev" in sentence and "token held outside the file" in sentence
