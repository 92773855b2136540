"""Each client's way of naming a value indirectly (mcp-clients.md §2): `${VAR}` forms, Gemini's
`$VAR` / `%VAR%` and .env files, Continue's `${{ secrets.NAME }}`, Codex's env_vars /
bearer_token_env_var / env_http_headers, Goose's env_keys, VS Code's `${input:}`, Claude Code's
headersHelper; unset and empty variables. Every value is a fake made here."""

from __future__ import annotations

import pytest
from credhelpers import assert_hidden, make_entry, make_machine

from responder.credentials.find import discover


def gh(fill: str) -> str:
    return "ghp_" + fill * 36


GITHUB = "GITHUB_PERSONAL_ACCESS_TOKEN"


@pytest.mark.parametrize("raw", ["${MY_PAT}", "${env:MY_PAT}", "${MY_PAT:-unused}"])
def test_generic_references(raw):
    token = gh("R")
    found = discover(make_entry({"env": {GITHUB: raw}}), {"MY_PAT": token})
    (credential,) = found.credentials
    assert credential.secret.reveal() == token
    assert credential.origins[0].variable == "MY_PAT"
    assert credential.origins[0].literal is False
    assert_hidden(found, token)


def test_default_used_when_unset():
    token = gh("D")
    found = discover(make_entry({"env": {GITHUB: "${MY_PAT:-" + token + "}"}}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == token


@pytest.mark.parametrize("raw", ["$MY_PAT", "%MY_PAT%", "${MY_PAT}"])
def test_gemini_references(raw):
    token = gh("G")
    found = discover(make_entry({"env": {GITHUB: raw}}, client="gemini-cli",
                                path="/sandbox/home/.gemini/settings.json"), {"MY_PAT": token})
    (credential,) = found.credentials
    assert credential.secret.reveal() == token
    assert credential.origins[0].variable == "MY_PAT"


@pytest.mark.parametrize("raw", ["$MY_PAT", "%MY_PAT%"])
def test_other_clients_leave_bare_dollar_and_percent_alone(raw):
    found = discover(make_entry({"env": {GITHUB: raw}}, client="claude-code"),
                     {"MY_PAT": gh("X")})
    assert all(c.secret.reveal() != gh("X") for c in found.credentials)


def gemini_entry(tmp_path, raw: str, scope: str = "user"):
    home = tmp_path / "home"
    path = (home / ".gemini" / "settings.json") if scope == "user" else (
        tmp_path / "repo" / ".gemini" / "settings.json")
    return make_entry({"command": "npx", "env": {GITHUB: raw}}, client="gemini-cli",
                      path=path, scope=scope)


def test_gemini_env_file_found_from_the_current_directory_upward(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "src" / "deep").mkdir(parents=True)
    token = gh("U")
    (repo / ".env").write_text(f"MY_PAT={token}\n")
    machine = make_machine(tmp_path, cwd=repo / "src" / "deep")
    found = discover(gemini_entry(tmp_path, "$MY_PAT"), machine)
    (credential,) = found.credentials
    assert credential.secret.reveal() == token
    assert credential.setting("source_file") == str(repo / ".env")
    assert credential.origins[0].variable == "MY_PAT"
    assert_hidden(found, token)


def test_gemini_search_stops_at_the_repository_root_then_tries_home(tmp_path):
    outer = tmp_path / "outer"
    repo = outer / "repo"
    (repo / ".git").mkdir(parents=True)
    (outer / ".env").write_text(f"MY_PAT={gh('O')}\n")  # above the .git: not read
    machine = make_machine(tmp_path, cwd=repo)
    (machine.home / ".gemini").mkdir()
    (machine.home / ".gemini" / ".env").write_text(f"MY_PAT={gh('H')}\n")
    found = discover(gemini_entry(tmp_path, "${MY_PAT}"), machine)
    (credential,) = found.credentials
    assert credential.secret.reveal() == gh("H")
    assert credential.setting("source_file") == str(machine.home / ".gemini" / ".env")


def test_gemini_prefers_the_process_environment(tmp_path):
    machine = make_machine(tmp_path, env={"MY_PAT": gh("P")})
    (machine.home / ".env").write_text(f"MY_PAT={gh('F')}\n")
    found = discover(gemini_entry(tmp_path, "$MY_PAT"), machine)
    (credential,) = found.credentials
    assert credential.secret.reveal() == gh("P")
    assert credential.setting("source_file") is None


def test_gemini_unset_everywhere_is_unresolved(tmp_path):
    found = discover(gemini_entry(tmp_path, "$MY_PAT"), make_machine(tmp_path))
    assert found.credentials == []
    (sentence,) = found.unresolved
    assert "$MY_PAT" in sentence and "not set" in sentence


@pytest.mark.parametrize("where", ["~/.continue/.env", "<root>/.continue/.env", "<root>/.env"])
def test_continue_secrets(tmp_path, where):
    project = tmp_path / "project"
    (project / ".continue" / "mcpServers").mkdir(parents=True)
    machine = make_machine(tmp_path, cwd=project)
    token = "hf_" + "c" * 34
    path = {"~/.continue/.env": machine.home / ".continue" / ".env",
            "<root>/.continue/.env": project / ".continue" / ".env",
            "<root>/.env": project / ".env"}[where]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"HF_TOKEN={token}\n")
    entry = make_entry({"name": "hf", "command": "npx", "env": {
        "HF_TOKEN": "${{ secrets.HF_TOKEN }}"}}, client="continue",
        path=project / ".continue" / "mcpServers" / "hf.yaml", scope="workspace")
    found = discover(entry, machine)
    (credential,) = found.credentials
    assert (credential.provider, credential.secret.reveal()) == ("huggingface", token)
    assert credential.setting("source_file") == str(path)
    assert credential.origins[0].variable == "HF_TOKEN"
    assert_hidden(found, token)


def test_continue_secret_not_found_is_held_outside(machine):
    entry = make_entry({"env": {GITHUB: "${{ secrets.GITHUB_TOKEN }}"}}, client="continue",
                       path=machine.home / ".continue" / "config.yaml")
    found = discover(entry, machine)
    assert found.credentials == []
    (sentence,) = found.outside
    assert "token held outside the file" in sentence
    assert "secrets.GITHUB_TOKEN" in sentence
    assert found.unresolved == [sentence]


def test_continue_api_key_field(machine):
    token = "sk-ant-api03-" + "k" * 93 + "AA"
    (machine.home / ".continue").mkdir()
    (machine.home / ".continue" / ".env").write_text(f"ANTHROPIC_API_KEY={token}\n")
    entry = make_entry({"name": "remote", "type": "streamable-http", "url": "https://x.test/",
                        "apiKey": "${{ secrets.ANTHROPIC_API_KEY }}"}, client="continue",
                       path=machine.home / ".continue" / "config.yaml")
    (credential,) = discover(entry, machine).credentials
    assert (credential.provider, credential.origins[0].field) == ("anthropic", "apiKey")


def test_vscode_input_is_held_outside():
    found = discover(make_entry({"env": {GITHUB: "${input:github_token}"}}, client="vscode"), {})
    assert found.credentials == []
    (sentence,) = found.outside
    assert "token held outside the file: VS Code secret storage (input github_token)" in sentence
    assert f"env.{GITHUB}" in sentence
    assert found.unresolved == [sentence]


def test_vscode_input_for_a_plain_setting_is_quiet():
    found = discover(make_entry({"args": ["${input:folder}"]}, client="vscode"), {})
    assert (found.credentials, found.unresolved) == ([], [])


def test_claude_code_headers_helper_is_held_outside():
    found = discover(make_entry({"type": "http", "url": "https://mcp.example.test/",
                                 "headersHelper": "/usr/local/bin/make-headers --team x"}),
                     {})
    assert found.credentials == []
    (sentence,) = found.outside
    assert "token held outside the file" in sentence and "headersHelper" in sentence
    assert "/usr/local/bin/make-headers" not in sentence


def test_headers_helper_with_a_token_written_into_the_command():
    token = gh("W")
    found = discover(make_entry({"url": "https://x.test/", "headersHelper":
                                 f"echo 'Authorization: Bearer {token}'"}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == token
    assert credential.origins[0].field == "headersHelper"
    assert_hidden(found, token)


def test_windsurf_file_reference(tmp_path):
    token = "figd_" + "w" * 40
    path = tmp_path / "figma.txt"
    path.write_text(token + "\n")
    found = discover(make_entry({"env": {"FIGMA_API_KEY": "${file:" + str(path) + "}"}},
                                client="windsurf"), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == token
    assert credential.setting("source_file") == str(path)


# -- Codex -------------------------------------------------------------------------------------

def codex(definition):
    return make_entry(definition, client="codex", path="/sandbox/home/.codex/config.toml")


def test_codex_env_vars_inherit_from_the_environment():
    token = gh("C")
    found = discover(codex({"command": "docker", "args": ["run", "-e", GITHUB, "image"],
                            "env_vars": [GITHUB]}), {GITHUB: token})
    (credential,) = found.credentials
    assert credential.secret.reveal() == token
    (origin,) = credential.origins
    assert (origin.field, origin.variable, origin.literal) == (f"env_vars.{GITHUB}", GITHUB,
                                                               False)
    assert_hidden(found, token)


def test_codex_env_vars_unset_is_unresolved():
    found = discover(codex({"command": "x", "env_vars": [GITHUB, "RUST_LOG"]}), {})
    assert found.credentials == []
    (sentence,) = found.unresolved
    assert f"env_vars.{GITHUB}" in sentence and "not set" in sentence


def test_codex_bearer_token_env_var():
    token = "lin_api_" + "b" * 40
    found = discover(codex({"url": "https://mcp.linear.app/mcp",
                            "bearer_token_env_var": "LINEAR_API_KEY"}), {"LINEAR_API_KEY": token})
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == ("linear", "API key")
    assert credential.origins[0].field == "bearer_token_env_var"
    assert credential.origins[0].variable == "LINEAR_API_KEY"


def test_codex_bearer_token_env_var_with_an_unknown_format_takes_the_variable_hint():
    found = discover(codex({"url": "https://x.test/", "bearer_token_env_var": "BRAVE_API_KEY"}),
                     {"BRAVE_API_KEY": "opaque-brave-123"})
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == ("brave", "unrecognised format")


def test_codex_env_http_headers_and_literal_http_headers():
    figma, brave = "figd_" + "h" * 40, "opaque-brave-456"
    found = discover(codex({"url": "https://x.test/", "env_http_headers": {
        "X-Figma-Token": "FIGMA_FOR_MCP"}, "http_headers": {"X-Subscription-Token": brave}}),
        {"FIGMA_FOR_MCP": figma})
    by_field = {c.origins[0].field: c for c in found.credentials}
    assert by_field["env_http_headers.X-Figma-Token"].provider == "figma"
    assert by_field["env_http_headers.X-Figma-Token"].origins[0].variable == "FIGMA_FOR_MCP"
    assert by_field["headers.X-Subscription-Token"].provider == "brave"
    assert by_field["headers.X-Subscription-Token"].literal is True
    assert_hidden(found, figma, brave)


def test_codex_does_not_interpolate():
    found = discover(codex({"command": "x", "env": {GITHUB: "${MY_PAT}"}}), {"MY_PAT": gh("I")})
    assert (found.credentials, found.unresolved) == ([], [])


# -- Goose -------------------------------------------------------------------------------------

def goose(tmp_path, keys):
    directory = tmp_path / "goose"
    directory.mkdir(exist_ok=True)
    return make_entry({"cmd": "npx", "args": ["-y", "@modelcontextprotocol/server-github"],
                       "env_keys": keys, "envs": {}, "type": "stdio"}, client="goose",
                      path=directory / "config.yaml", name="github")


def test_goose_env_keys_from_secrets_yaml(tmp_path):
    token = gh("S")
    entry = goose(tmp_path, [GITHUB])
    (tmp_path / "goose" / "secrets.yaml").write_text(f"{GITHUB}: {token}\nOTHER: 12\n")
    found = discover(entry, {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == token
    assert credential.origins[0].field == f"env_keys.{GITHUB}"
    assert credential.setting("source_file") == str(tmp_path / "goose" / "secrets.yaml")
    assert found.outside == []
    assert_hidden(found, token)


def test_goose_env_keys_in_the_keyring_are_held_outside(tmp_path):
    found = discover(goose(tmp_path, [GITHUB]), {})
    assert found.credentials == []
    (sentence,) = found.outside
    assert f"token held outside the file: Goose keyring entry {GITHUB}" in sentence


def test_goose_env_keys_from_the_environment(tmp_path):
    token = gh("E")
    found = discover(goose(tmp_path, [GITHUB]), {GITHUB: token})
    (credential,) = found.credentials
    assert credential.origins[0].variable == GITHUB
    assert found.outside == []


# -- unset, empty, unknown ------------------------------------------------------------------------

def test_unset_variable_is_unresolved_with_a_manual_step():
    found = discover(make_entry({"env": {"SLACK_BOT_TOKEN": "${SLACK_TOKEN}"}}), {})
    (sentence,) = found.unresolved
    assert "${SLACK_TOKEN}" in sentence and "revoke that token by hand" in sentence


@pytest.mark.parametrize(("raw", "env"), [("${MY_PAT}", {"MY_PAT": ""}), ("", {}),
                                          ("Bearer ", {}), ("${MY_PAT:-}", {})])
def test_set_but_empty_secret_is_its_own_sentence(raw, env):
    found = discover(make_entry({"env": {GITHUB: raw}}), env)
    assert found.credentials == []
    (sentence,) = found.unresolved
    assert sentence.endswith("is empty: this definition gives the server no token; if it runs "
                             "with one from elsewhere, revoke that by hand")
    assert f"env.{GITHUB}" in sentence


def test_empty_plain_setting_is_quiet():
    found = discover(make_entry({"env": {"LOG_LEVEL": ""}}), {})
    assert found.unresolved == []


def test_unknown_secret_without_a_hint_is_listed_with_no_provider():
    found = discover(make_entry({"env": {"SERVICE_SECRET": "opaque-zz-9876"}}, name="tools"), {})
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == (None, "unrecognised secret")
    assert credential.candidates == ()
    assert credential.well_formed is True
    assert_hidden(found, "opaque-zz-9876")


def test_known_name_with_an_unknown_format_gets_that_provider():
    found = discover(make_entry({"env": {"BRAVE_API_KEY": "opaque-brave-789"}}), {})
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == ("brave", "unrecognised format")
    assert credential.well_formed is True


def test_malformed_value_is_listed_not_well_formed():
    value = "glpat-short"
    found = discover(make_entry({"env": {"GITLAB_PERSONAL_ACCESS_TOKEN": value}}), {})
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == ("gitlab", "malformed personal access token")
    assert credential.well_formed is False
    assert credential.describe()["well_formed"] is False


def test_keyword_format_anchored_by_the_server_name_only():
    value = "Cf" * 20
    found = discover(make_entry({"command": "npx", "args": [
        "-y", "@cloudflare/mcp-server-cloudflare"], "env": {"API_TOKEN": value}},
        name="workers"), {})
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == ("cloudflare", "API token")
    found = discover(make_entry({"env": {"API_TOKEN": value}}, name="tools"), {})
    (credential,) = found.credentials
    assert (credential.provider, credential.kind) == (None, "unrecognised secret")


def test_ambiguous_format_has_candidates_and_no_provider():
    value = "abcdefghij" * 2 + "abcd"
    found = discover(make_entry({"env": {"API_TOKEN": value}}, name="vercel-jira-sync"), {})
    (credential,) = found.credentials
    assert credential.provider is None
    assert credential.candidates == ("atlassian", "vercel")
    assert credential.describe()["candidates"] == ["atlassian", "vercel"]
    assert_hidden(found, value)
