"""Where values hide in a definition: headers and their schemes, flags, JSON inside a value,
base64, URLs, and the files a definition points at. Every value is a fake made here, and every
test checks that no sentence, description or repr shows it."""

from __future__ import annotations

import base64
import json

import pytest
from credhelpers import assert_hidden, make_entry, make_machine

from responder.core.secrets import SecretRegistry
from responder.credentials.find import discover
from responder.credentials.sources import MAX_BYTES


def gh(fill: str = "A") -> str:
    return "ghp_" + fill * 36


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# -- headers ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("header", "value", "provider", "kind"), [
    ("Authorization", "Bearer " + "hf_" + "h" * 34, "huggingface", "user access token"),
    ("Authorization", "token " + gh("T"), "github", "personal access token (classic)"),
    ("Authorization", "Sentry-Bearer " + "sntryu_" + "e" * 64, "sentry", "user auth token"),
    ("Authorization", "Bot " + "a" * 24 + "." + "b" * 6 + "." + "c" * 27, "discord",
     "bot token"),
    ("X-Subscription-Token", "BSA" + "k" * 24, "brave", "unrecognised format"),
    ("x-api-key", "sk-ant-api03-" + "k" * 93 + "AA", "anthropic", "API key"),
    ("X-Figma-Token", "figd_" + "f" * 40, "figma", "personal access token"),
])
def test_header_values_with_their_scheme_word_stripped(header, value, provider, kind):
    found = discover(make_entry({"url": "https://mcp.example.test/", "headers": {
        header: value}}), {})
    (credential,) = found.credentials
    token = value.split(" ", 1)[-1]
    assert credential.secret.reveal() == token
    assert (credential.provider, credential.kind) == (provider, kind)
    assert credential.origins[0].field == f"headers.{header}"
    assert_hidden(found, token)


def test_sentry_bearer_scheme_anchors_the_legacy_sentry_format():
    legacy = "0123456789abcdef" * 4
    found = discover(make_entry({"url": "https://mcp.sentry.dev/mcp", "headers": {
        "Authorization": "Sentry-Bearer " + legacy}}), {})
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == ("sentry", "auth token (legacy)")


def test_basic_header_is_decoded_to_user_and_token():
    token = "ATATT3" + "x" * 186
    encoded = b64(f"dana@example.test:{token}")
    found = discover(make_entry({"url": "https://mcp.example.test/", "headers": {
        "Authorization": f"Basic {encoded}"}}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == token
    assert (credential.provider, credential.kind) == ("atlassian", "API token")
    assert credential.setting("basic_user") == "dana@example.test"
    assert [e.reveal() for e in credential.encodings] == [encoded]
    assert [s.reveal() for s in found.secrets] == [token, encoded]
    assert_hidden(found, token, encoded)


def test_a_short_basic_header_is_decoded_too():
    encoded = b64("ci:opaque12")  # shorter than the long-base64 threshold
    found = discover(make_entry({"headers": {"Authorization": f"Basic {encoded}"}}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == "opaque12"
    assert credential.setting("basic_user") == "ci"
    assert [e.reveal() for e in credential.encodings] == [encoded]
    assert_hidden(found, encoded, "opaque12")


def test_basic_header_with_a_token_as_the_user():
    token = gh("B")
    encoded = b64(f"{token}:x-oauth-basic")
    found = discover(make_entry({"headers": {"Authorization": f"Basic {encoded}"}}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == token
    assert credential.setting("basic_user") is None
    assert_hidden(found, token, encoded)


# -- args -------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["-y", "@stripe/mcp", "--tools=all", "--api-key=" + "sk_live_" + "s" * 24],
    ["-y", "@stripe/mcp", "--api-key", "sk_live_" + "s" * 24],
])
def test_flag_forms(args):
    found = discover(make_entry({"command": "npx", "args": args}), {})
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == ("stripe", "secret key")
    assert_hidden(found, "sk_live_" + "s" * 24)


@pytest.mark.parametrize("flag", ["--figma-api-key", "--access-token", "--auth-token", "--token",
                                  "--pat", "--client-secret"])
def test_secret_flags_with_an_unknown_format(flag):
    found = discover(make_entry({"args": [f"{flag}=opaque-value-123"]}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == "opaque-value-123"
    expected = "figma" if "figma" in flag else None
    assert credential.provider == expected
    assert_hidden(found, "opaque-value-123")


@pytest.mark.parametrize("args", [
    ["--path", "/home/dana/projects/long-folder-name"],
    ["--authentication", "interactive-browser"],
    ["--auth-type", "oauth-device-flow"],
    ["--token-env", "SOME_VARIABLE_NAME"],
    ["--api-url", "https://api.example.test/v1"],
])
def test_flags_that_configure_rather_than_carry_a_secret(args):
    found = discover(make_entry({"args": args}), {})
    assert found.credentials == []


def test_mcp_remote_header_argument():
    token = "lin_api_" + "L" * 40
    found = discover(make_entry({"command": "npx", "args": [
        "mcp-remote", "https://mcp.linear.app/sse", "--header",
        "Authorization: Bearer ${LINEAR_TOKEN}"]}), {"LINEAR_TOKEN": token})
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == ("linear", "API key")
    assert credential.origins[0].field == "args[3] --header Authorization"
    assert credential.origins[0].variable == "LINEAR_TOKEN"
    assert_hidden(found, token)


def test_docker_env_assignment_argument():
    found = discover(make_entry({"command": "docker", "args": [
        "run", "-e", "SERVICE_API_KEY=opaque-value-456", "image"]}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == "opaque-value-456"
    assert credential.origins[0].field == "args[2] SERVICE_API_KEY="
    assert_hidden(found, "opaque-value-456")


def test_a_file_flag_is_opened_not_taken_as_the_secret(tmp_path):
    key = tmp_path / "app.pem"
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIfakeFAKEfake\n-----END RSA PRIVATE KEY-----"
    key.write_text(pem + "\n")
    found = discover(make_entry({"args": ["--github-app-private-key-path", str(key)]},
                                name="github"), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == pem
    assert (credential.provider, credential.kind) == ("github", "GitHub App private key")
    assert credential.setting("source_file") == str(key)
    assert_hidden(found, pem, "MIIfakeFAKEfake")


# -- JSON and base64 inside values -----------------------------------------------------------

def test_notion_headers_json_inside_an_env_value():
    secret = "ntn_" + "1" * 11 + "N" * 35
    found = discover(make_entry({"command": "npx", "env": {
        "OPENAPI_MCP_HEADERS": json.dumps({"Authorization": f"Bearer {secret}",
                                           "Notion-Version": "2022-06-28"})}}), {})
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == ("notion", "integration secret")
    assert credential.origins[0].field == "env.OPENAPI_MCP_HEADERS.Authorization"
    assert credential.origins[0].literal is True
    assert_hidden(found, secret)


def test_json_inside_a_referenced_value_uses_the_inner_key_as_the_name():
    found = discover(make_entry({"env": {"HEADERS": "${MCP_HEADERS}"}}), {
        "MCP_HEADERS": json.dumps({"nested": {"X-Figma-Token": "opaque-figma-123"}})})
    (credential,) = found.credentials
    assert credential.provider == "figma"
    assert credential.kind == "unrecognised format"
    assert credential.origins[0].field == "env.HEADERS.nested.X-Figma-Token"
    assert credential.origins[0].variable == "MCP_HEADERS"
    assert_hidden(found, "opaque-figma-123")


def test_azure_devops_base64_email_and_pat():
    pat = "q" * 52
    encoded = b64(f"dana@example.test:{pat}")
    found = discover(make_entry({"command": "npx", "args": [
        "-y", "@azure-devops/mcp", "contoso", "--authentication", "pat"],
        "env": {"PERSONAL_ACCESS_TOKEN": encoded}}, name="ado"), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == pat
    assert (credential.provider, credential.kind) == ("azure-devops", "personal access token")
    assert dict(credential.context) == {"basic_user": "dana@example.test", "azure_org": "contoso"}
    assert [e.reveal() for e in credential.encodings] == [encoded]
    assert_hidden(found, pat, encoded)


def test_base64_of_a_known_token_is_decoded():
    token = gh("Z")
    encoded = b64(token)
    found = discover(make_entry({"env": {"SERVICE_TOKEN": encoded}}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == token
    assert credential.provider == "github"
    assert [e.reveal() for e in credential.encodings] == [encoded]


def test_a_random_secret_that_happens_to_be_base64_alphabet_is_kept_whole():
    found = discover(make_entry({"env": {"MY_API_KEY": "Zm9vYmFyYmF6cXV4cXV1eA"}}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == "Zm9vYmFyYmF6cXV4cXV1eA"
    assert credential.encodings == ()


# -- URLs ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["api_key", "token", "key", "apiKey", "access_token"])
def test_url_query_keys(key):
    found = discover(make_entry({"url": f"https://mcp.example.test/sse?{key}=opaque-q-123&x=1"}),
                     {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == "opaque-q-123"
    assert credential.origins[0].field == f"url ?{key}="
    assert_hidden(found, "opaque-q-123")


def test_url_userinfo_with_an_unknown_password_and_a_token_username():
    found = discover(make_entry({"url": "https://dana:opaque-pw-123@mcp.example.test/"}), {})
    (credential,) = found.credentials
    assert credential.origins[0].field == "url userinfo"
    token = gh("U")
    found = discover(make_entry({"url": f"https://{token}@mcp.example.test/"}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == token
    assert_hidden(found, token, "opaque-pw-123")


def test_url_argument_query_key_with_an_unknown_format():
    found = discover(make_entry({"command": "npx", "args": [
        "mcp-remote", "https://mcp.example.test/sse?api_key=opaque-a-123"]}), {})
    (credential,) = found.credentials
    assert credential.origins[0].field == "args[1] ?api_key="
    assert_hidden(found, "opaque-a-123")


def test_a_slack_webhook_url_is_a_credential():
    hook = "https://hooks.slack.com/services/T00000000/B00000000/" + "w" * 24
    found = discover(make_entry({"env": {"SLACK_WEBHOOK_URL": hook}}), {})
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == ("slack", "incoming webhook")
    assert_hidden(found, hook)


# -- files ---------------------------------------------------------------------------------------

def test_google_oauth_token_file(tmp_path, machine):
    access, refresh = "ya29." + "a0" * 30, "1//0" + "r" * 60
    path = tmp_path / "gdrive-credentials.json"
    path.write_text(json.dumps({"access_token": access, "refresh_token": refresh,
                                "scope": "https://www.googleapis.com/auth/drive.readonly",
                                "token_type": "Bearer", "expiry_date": 1700000000000}))
    found = discover(make_entry({"command": "npx", "env": {
        "GDRIVE_CREDENTIALS_PATH": str(path)}}, name="gdrive"), machine)
    by_kind = {c.kind: c for c in found.credentials}
    assert set(by_kind) == {"OAuth access token", "OAuth refresh token"}
    assert by_kind["OAuth access token"].secret.reveal() == access
    assert by_kind["OAuth refresh token"].secret.reveal() == refresh
    for credential in found.credentials:
        assert credential.provider == "google"
        assert credential.setting("source_file") == str(path)
        assert credential.literal is False
    assert {o.field for c in found.credentials for o in c.origins} == {
        "env.GDRIVE_CREDENTIALS_PATH.access_token", "env.GDRIVE_CREDENTIALS_PATH.refresh_token"}
    assert found.literal_findings == []
    assert_hidden(found, access, refresh)


def test_google_service_account_file(tmp_path, machine):
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEvFAKEserviceACCOUNT\n-----END PRIVATE KEY-----\n"
    path = tmp_path / "sa.json"
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "demo", "private_key_id": "0123abcd",
        "private_key": pem, "client_email": "mcp@demo.iam.gserviceaccount.test",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs"}))
    found = discover(make_entry({"env": {"GOOGLE_APPLICATION_CREDENTIALS": str(path)}}), machine)
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == ("google", "service account key")
    assert credential.secret.reveal() == pem.strip()
    assert credential.setting("google_client_email") == "mcp@demo.iam.gserviceaccount.test"
    assert credential.setting("google_private_key_id") == "0123abcd"
    assert credential.setting("source_file") == str(path)
    assert_hidden(found, pem.strip(), "MIIEvFAKEserviceACCOUNT")


def test_google_oauth_client_file(tmp_path, machine):
    secret = "GOCSPX-" + "c" * 28
    path = tmp_path / "gcp-oauth.keys.json"
    path.write_text(json.dumps({"installed": {"client_id": "123.apps.example.test",
                                              "client_secret": secret}}))
    found = discover(make_entry({"env": {"GDRIVE_OAUTH_PATH": str(path)}}), machine)
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == ("google", "OAuth client secret")
    assert credential.setting("google_client_id") == "123.apps.example.test"
    assert_hidden(found, secret)


def test_github_app_private_key_path(tmp_path, machine):
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEfakeGITHUBapp\n-----END RSA PRIVATE KEY-----"
    path = tmp_path / "app.private-key.pem"
    path.write_text(pem + "\n")
    found = discover(make_entry({"env": {"GITHUB_APP_ID": "12345",
                                         "GITHUB_APP_PRIVATE_KEY_PATH": "~/../" + path.name}}),
                     make_machine(tmp_path))
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == ("github", "GitHub App private key")
    assert credential.setting("source_file").endswith(path.name)
    assert_hidden(found, pem, "MIIEfakeGITHUBapp")


def test_an_inline_github_app_private_key():
    pem = "-----BEGIN RSA PRIVATE KEY-----\\nMIIEinlineFAKE\\n-----END RSA PRIVATE KEY-----"
    found = discover(make_entry({"env": {"GITHUB_APP_PRIVATE_KEY": pem}}), {})
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == ("github", "GitHub App private key")
    assert credential.secret.reveal() == pem.replace("\\n", "\n")
    assert [e.reveal() for e in credential.encodings] == [pem]  # the form written in the file
    assert_hidden(found, "MIIEinlineFAKE")


def test_an_inline_service_account_json_keeps_its_escaped_key_form():
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEinlineSA\n-----END PRIVATE KEY-----\n"
    raw = json.dumps({"type": "service_account", "private_key": pem,
                      "client_email": "sa@demo.test"})
    found = discover(make_entry({"env": {"GOOGLE_CREDENTIALS_JSON": raw}}), {})
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == ("google", "service account key")
    assert [e.reveal() for e in credential.encodings] == [json.dumps(pem.strip())[1:-1]]
    registry = SecretRegistry()
    for secret in found.secrets:
        registry.add(secret)
    assert "MIIEinlineSA" not in registry.scrub(raw)


def test_a_token_file_holding_one_line(tmp_path, machine):
    token = "glpat-" + "t" * 20
    path = tmp_path / "gitlab.token"
    path.write_text(token + "\n")
    found = discover(make_entry({"env": {"GITLAB_TOKEN_FILE": str(path)}}), machine)
    (credential,) = found.credentials
    assert (credential.provider, credential.secret.reveal()) == ("gitlab", token)


def test_path_variables_are_never_taken_as_the_secret_themselves(machine):
    found = discover(make_entry({"env": {"GDRIVE_CREDENTIALS_PATH": "/nowhere/creds.json",
                                         "LOG_FILE": "/tmp/x.log", "DATA_DIR": "/srv/data"}}),
                     machine)
    assert found.credentials == []
    (sentence,) = found.unresolved
    assert "env.GDRIVE_CREDENTIALS_PATH" in sentence
    assert "/nowhere/creds.json does not exist here" in sentence


def test_a_file_over_one_mebibyte_is_not_read(tmp_path, machine):
    path = tmp_path / "huge.json"
    path.write_text(" " * (MAX_BYTES + 1))
    found = discover(make_entry({"env": {"GOOGLE_APPLICATION_CREDENTIALS": str(path)}}), machine)
    assert found.credentials == []
    (sentence,) = found.unresolved
    assert "larger than 1 MiB" in sentence


def test_a_directory_instead_of_a_file_is_a_sentence(tmp_path, machine):
    found = discover(make_entry({"env": {"GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path)}}),
                     machine)
    assert found.credentials == []
    assert "is not a regular file" in found.unresolved[0]


@pytest.mark.parametrize(("client", "raw"), [
    ("vscode", "${workspaceFolder}/.env"),
    ("cursor", "${userHome}/../project/.env"),
    ("continue", "./.env"),
])
def test_env_file(tmp_path, client, raw):
    project = tmp_path / "project"
    (project / ".vscode").mkdir(parents=True)
    token = "sk_live_" + "e" * 24
    (project / ".env").write_text(f"# a comment\nSTRIPE_SECRET_KEY={token}\nPORT=8080\n"
                                  f"EMPTY_TOKEN=\n")
    machine = make_machine(tmp_path, cwd=project)
    entry = make_entry({"command": "npx", "envFile": raw}, client=client,
                       path=project / ".vscode" / "mcp.json", scope="workspace")
    found = discover(entry, machine)
    (credential,) = found.credentials
    assert credential.secret.reveal() == token
    assert credential.provider == "stripe"
    (origin,) = credential.origins
    assert origin.field == "envFile STRIPE_SECRET_KEY"
    assert origin.literal is False
    expected = str(tmp_path / "home" / ".." / "project" / ".env") if client == "cursor" \
        else str(project / ".env")
    assert credential.setting("source_file") == expected
    assert any("envFile EMPTY_TOKEN" in s and "is empty" in s for s in found.unresolved)
    assert_hidden(found, token)


def test_a_missing_env_file_is_a_sentence(tmp_path, machine):
    entry = make_entry({"envFile": str(tmp_path / "nope.env")}, client="vscode")
    found = discover(entry, machine)
    assert found.credentials == []
    (sentence,) = found.unresolved
    assert "envFile cannot be used" in sentence and "does not exist" in sentence


def test_unparseable_files_never_quote_their_lines(tmp_path, machine):
    token = gh("Q")
    goose = tmp_path / "goose"
    goose.mkdir()
    (goose / "secrets.yaml").write_text(f"GITHUB_TOKEN: [{token}\n  - : :\n")
    (machine.home / ".aws").mkdir()
    (machine.home / ".aws" / "credentials").write_text(f"{token}\n[default]\n")
    found = discover(make_entry({"cmd": "npx", "env_keys": ["GITHUB_TOKEN"],
                                 "envs": {"AWS_PROFILE": "default"}}, client="goose",
                                path=goose / "config.yaml"), machine)
    assert found.credentials == []
    text = "\n".join(found.unresolved)
    assert "is not valid YAML" in text
    assert "does not parse as an AWS credentials file" in text
    assert_hidden(found, token)


def test_a_token_written_under_a_file_name_is_judged_as_a_value(machine):
    token = "ghp_" + "F" * 36
    slashed = "wJalr/XUtnFEMI+K7MDENG/" + "b" * 17  # base64 alphabet, slashes included
    found = discover(make_entry({"env": {"GITHUB_TOKEN_FILE": token,
                                         "SERVICE_SECRET_FILE": "opaque-not-a-path",
                                         "SIGNING_SECRET_PATH": slashed}}), machine)
    by_value = {c.secret.reveal(): c for c in found.credentials}
    assert by_value[token].provider == "github"
    assert by_value["opaque-not-a-path"].kind == "unrecognised secret"
    assert by_value[slashed].kind == "unrecognised secret"
    assert found.unresolved == []  # no "file does not exist" sentence naming the value
    assert_hidden(found, token, "opaque-not-a-path", slashed)
