"""Finding the credentials a server definition hands its server: env, headers, args, URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from responder.clients.base import ConfigFile, ServerEntry
from responder.core import jsonsafe
from responder.credentials.find import discover

CONFIG = Path("/sandbox/home/.kiro/settings/mcp.json")


def token(prefix: str = "ghp_", fill: str = "A", length: int = 36) -> str:
    """A fake token, made here (never a real value)."""
    return prefix + fill * length


def entry(definition: dict[str, Any], name: str = "github") -> ServerEntry:
    return ServerEntry(name, ConfigFile("kiro", "user", CONFIG), definition, disabled=False)


def everything_said(found) -> str:
    """Every sentence and description a Discovery yields, as one string."""
    return "\n".join(
        [*found.unresolved, *found.literal_findings,
         *(jsonsafe.dumps(c.describe()) for c in found.credentials),
         *(repr(c) for c in found.credentials)]
    )


def test_env_reference_is_resolved_from_the_given_environment():
    value = token(fill="R")
    found = discover(
        entry({"command": "npx", "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GH_TOKEN_FOR_MCP}"}}),
        {"GH_TOKEN_FOR_MCP": value},
    )
    assert len(found.credentials) == 1
    credential = found.credentials[0]
    assert credential.secret.reveal() == value
    assert credential.provider == "github"
    assert credential.kind == "personal access token (classic)"
    (origin,) = credential.origins
    assert origin.literal is False
    assert origin.variable == "GH_TOKEN_FOR_MCP"
    assert origin.field == "env.GITHUB_PERSONAL_ACCESS_TOKEN"
    assert origin.config == str(CONFIG)
    assert origin.server == "github"
    assert found.literal_findings == []
    assert found.unresolved == []
    assert value not in everything_said(found)


def test_literal_token_in_env_is_a_finding_that_shows_only_the_redacted_form():
    value = token(fill="L")
    found = discover(entry({"env": {"GITHUB_PERSONAL_ACCESS_TOKEN": value}}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == value
    assert credential.origins[0].literal is True
    assert credential.origins[0].variable is None
    assert credential.literal is True
    (sentence,) = found.literal_findings
    assert value not in sentence
    assert value[4:] not in sentence
    assert credential.secret.redacted in sentence
    assert "env.GITHUB_PERSONAL_ACCESS_TOKEN" in sentence
    assert str(CONFIG) in sentence
    assert value not in everything_said(found)


@pytest.mark.parametrize("scheme", ["Bearer ", "bearer ", "token ", "Bearer   "])
def test_authorization_header_scheme_is_stripped(scheme):
    value = token(fill="H")
    found = discover(entry({"url": "https://mcp.example.test/", "headers": {
        "Authorization": scheme + value}}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == value
    assert credential.kind == "personal access token (classic)"
    assert credential.origins[0].field == "headers.Authorization"
    assert credential.origins[0].literal is True


def test_header_referencing_a_variable():
    value = token(fill="V")
    found = discover(entry({"headers": {"Authorization": "Bearer ${GITHUB_PAT}"}}),
                     {"GITHUB_PAT": value})
    (credential,) = found.credentials
    assert credential.secret.reveal() == value
    assert credential.origins[0].literal is False
    assert credential.origins[0].variable == "GITHUB_PAT"
    assert found.literal_findings == []


def test_flag_with_inline_value():
    value = token(fill="F")
    found = discover(entry({"command": "server", "args": ["--verbose", f"--token={value}"]}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == value
    assert credential.origins[0].field == "args[1] --token="
    assert value not in found.literal_findings[0]


def test_flag_with_inline_reference():
    value = token(fill="G")
    found = discover(entry({"args": ["--access-token=${MCP_TOKEN}"]}), {"MCP_TOKEN": value})
    (credential,) = found.credentials
    assert credential.secret.reveal() == value
    assert credential.origins[0].variable == "MCP_TOKEN"
    assert credential.origins[0].literal is False


def test_flag_then_value_with_an_unknown_format():
    found = discover(entry({"args": ["--auth-token", "abcdefgh12345", "--port", "8080"]}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == "abcdefgh12345"
    assert credential.kind == "unrecognised secret"
    assert credential.provider is None
    assert credential.origins[0].field == "args[1] --auth-token"
    assert "abcdefgh12345" not in everything_said(found)


@pytest.mark.parametrize("args", [["--api-key", "abcdefgh12345"], ["--api-key=abcdefgh12345"]])
def test_api_key_flag_with_an_unknown_format(args):
    found = discover(entry({"args": args}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == "abcdefgh12345"
    assert credential.kind == "unrecognised secret"


def test_x_api_key_header_with_an_unknown_format():
    found = discover(entry({"url": "https://mcp.example.test/", "headers": {
        "x-api-key": "opaque-key-0123456789"}}), {})
    (credential,) = found.credentials
    assert credential.kind == "unrecognised secret"


def test_flag_then_value_with_a_known_format_is_found():
    value = token(fill="K")
    found = discover(entry({"args": ["-y", "server", "--api-key", value]}), {})
    assert {c.secret.reveal() for c in found.credentials} == {value}
    assert "args[3] --api-key" in {o.field for c in found.credentials for o in c.origins}
    assert all(value not in s for s in found.literal_findings)


def test_flag_then_value_is_reported_once():
    value = token(fill="K")
    found = discover(entry({"args": ["--api-key", value]}), {})
    assert len(found.credentials) == 1
    assert len(found.literal_findings) == 1


def test_flag_then_unset_reference_is_reported_once():
    found = discover(entry({"args": ["--token", "${UNSET_PAT}"]}), {})
    assert len(found.unresolved) == 1


def test_token_in_url_query():
    value = token(fill="Q")
    found = discover(entry({"url": f"https://mcp.example.test/sse?token={value}&x=1"}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == value
    assert credential.origins[0].field == "url ?token="
    assert value not in found.literal_findings[0]


def test_token_in_url_userinfo():
    value = token(fill="U")
    found = discover(entry({"url": f"https://user:{value}@mcp.example.test/sse"}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == value
    assert credential.origins[0].field == "url userinfo"


def test_token_in_a_url_passed_as_an_argument():
    value = token(fill="W")
    found = discover(entry({"command": "npx", "args": [
        "mcp-remote", f"https://mcp.example.test/mcp?token={value}"]}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == value
    assert credential.origins[0].field == "args[1]"
    assert credential.origins[0].literal is True


def test_unknown_format_value_in_url_query_with_a_secret_key():
    found = discover(entry({"url": "https://mcp.example.test/?api_key=zyxwvut98765"}), {})
    (credential,) = found.credentials
    assert credential.secret.reveal() == "zyxwvut98765"
    assert credential.kind == "unrecognised secret"


def test_unset_reference_is_an_unresolved_sentence_not_a_credential():
    found = discover(entry({"env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}"}}), {})
    assert found.credentials == []
    assert found.literal_findings == []
    (sentence,) = found.unresolved
    assert "${GITHUB_TOKEN}" in sentence
    assert "env.GITHUB_PERSONAL_ACCESS_TOKEN" in sentence
    assert "github" in sentence
    assert str(CONFIG) in sentence


def test_unset_secret_named_reference_under_a_plain_name_is_reported():
    found = discover(entry({"env": {"CONFIG": "${SERVICE_API_KEY}"}}), {})
    assert found.credentials == []
    assert len(found.unresolved) == 1


def test_unset_non_secret_reference_is_ignored_quietly():
    found = discover(entry({"env": {"LOG_LEVEL": "${MCP_LOG_LEVEL}"}}), {})
    assert (found.credentials, found.unresolved, found.literal_findings) == ([], [], [])


def test_non_secret_env_is_ignored():
    found = discover(entry({"env": {"GITHUB_TOOLSETS": "repos,issues",
                                    "GITHUB_HOST": "https://github.example.test"}}), {})
    assert found.credentials == []
    assert found.unresolved == []
    assert found.literal_findings == []


def test_secret_named_variable_with_unknown_format():
    found = discover(entry({"env": {"MY_API_KEY": "abcdefgh12345"}}), {})
    (credential,) = found.credentials
    assert credential.provider is None
    assert credential.kind == "unrecognised secret"
    assert credential.secret.reveal() == "abcdefgh12345"
    (sentence,) = found.literal_findings
    assert "abcdefgh12345" not in sentence
    assert "…2345" in sentence


def test_secret_named_value_shorter_than_eight_is_ignored():
    found = discover(entry({"env": {"MY_API_KEY": "abc1234"}}), {})
    assert found.credentials == []


def test_github_named_variable_with_unknown_format_hints_github():
    found = discover(entry({"env": {"GITHUB_TOKEN": "not-a-known-format-123"}}), {})
    (credential,) = found.credentials
    assert credential.provider == "github"
    # A hinted provider with a value of no known format (issue 4): "unrecognised format";
    # "unrecognised secret" is kept for values no name ties to any provider.
    assert credential.kind == "unrecognised format"
    assert credential.well_formed is True


def test_github_hint_from_the_referenced_variable_name():
    found = discover(entry({"env": {"API_TOKEN": "${GITHUB_MCP_SECRET}"}}),
                     {"GITHUB_MCP_SECRET": "some-opaque-value-42"})
    (credential,) = found.credentials
    assert credential.provider == "github"
    assert credential.origins[0].variable == "GITHUB_MCP_SECRET"


def test_non_string_and_malformed_fields_do_not_crash():
    found = discover(entry({"env": {"PORT": 8080, "GITHUB_TOKEN": None}, "headers": ["x"],
                            "args": [1, None, "--flag"], "url": 42}), {})
    assert found.credentials == []
    assert found.unresolved == []


def test_several_places_in_one_definition():
    env_value, header_value, arg_value = token(fill="a"), token(fill="b"), token(fill="c")
    found = discover(entry({
        "command": "server",
        "args": [f"--token={arg_value}"],
        "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${PAT}", "GITHUB_TOOLSETS": "repos"},
        "headers": {"Authorization": f"Bearer {header_value}"},
    }), {"PAT": env_value})
    assert {c.secret.reveal() for c in found.credentials} == {env_value, header_value, arg_value}
    assert len(found.literal_findings) == 2  # header and arg; the env one is a reference
    said = everything_said(found)
    for value in (env_value, header_value, arg_value):
        assert value not in said


# What the GitHub-only finder produced before the provider table grew (issue 4): recorded from
# that implementation, so the GitHub results stay exactly as they were.
def _t(prefix: str, fill: str, length: int = 36) -> str:
    return prefix + fill * length


GITHUB_BEFORE = [
    ({"command": "npx", "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GH_TOKEN_FOR_MCP}"}},
     {"GH_TOKEN_FOR_MCP": _t("ghp_", "R")},
     [("github", "personal access token (classic)",
       (("env.GITHUB_PERSONAL_ACCESS_TOKEN", False, "GH_TOKEN_FOR_MCP"),))], 0, 0),
    ({"env": {"GITHUB_PERSONAL_ACCESS_TOKEN": _t("ghp_", "L")}}, {},
     [("github", "personal access token (classic)",
       (("env.GITHUB_PERSONAL_ACCESS_TOKEN", True, None),))], 0, 1),
    ({"env": {"GITHUB_PERSONAL_ACCESS_TOKEN": _t("github_pat_", "b", 82)}}, {},
     [("github", "fine-grained personal access token",
       (("env.GITHUB_PERSONAL_ACCESS_TOKEN", True, None),))], 0, 1),
    ({"url": "https://api.githubcopilot.com/mcp/",
      "headers": {"Authorization": "Bearer " + _t("gho_", "H")}}, {},
     [("github", "OAuth app token", (("headers.Authorization", True, None),))], 0, 1),
    ({"headers": {"Authorization": "token ${GITHUB_PAT}"}}, {"GITHUB_PAT": _t("ghu_", "V")},
     [("github", "GitHub App user token", (("headers.Authorization", False, "GITHUB_PAT"),))],
     0, 0),
    ({"command": "server", "args": ["--verbose", "--token=" + _t("ghs_", "F")]}, {},
     [("github", "GitHub App installation token", (("args[1] --token=", True, None),))], 0, 1),
    ({"args": ["-y", "server", "--api-key", _t("ghr_", "K", 76)]}, {},
     [("github", "GitHub App refresh token", (("args[3] --api-key", True, None),))], 0, 1),
    ({"args": ["--access-token=${MCP_TOKEN}"]}, {"MCP_TOKEN": _t("ghp_", "G")},
     [("github", "personal access token (classic)",
       (("args[0] --access-token=", False, "MCP_TOKEN"),))], 0, 0),
    ({"url": "https://mcp.example.test/sse?token=" + _t("ghp_", "Q") + "&x=1"}, {},
     [("github", "personal access token (classic)", (("url ?token=", True, None),))], 0, 1),
    ({"url": "https://user:" + _t("ghp_", "U") + "@mcp.example.test/sse"}, {},
     [("github", "personal access token (classic)", (("url userinfo", True, None),))], 0, 1),
    ({"command": "npx", "args": ["mcp-remote",
                                 "https://mcp.example.test/mcp?token=" + _t("ghp_", "W")]}, {},
     [("github", "personal access token (classic)", (("args[1]", True, None),))], 0, 1),
    ({"command": "docker", "args": ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN",
                                    "ghcr.io/github/github-mcp-server"],
      "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}", "GITHUB_TOOLSETS": "repos",
              "GITHUB_HOST": "https://ghe.example.test"}}, {"GITHUB_TOKEN": _t("ghp_", "D")},
     [("github", "personal access token (classic)",
       (("env.GITHUB_PERSONAL_ACCESS_TOKEN", False, "GITHUB_TOKEN"),))], 0, 0),
    ({"env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}"}}, {}, [], 1, 0),
    ({"env": {"GITHUB_TOKEN": "${GH:-" + _t("ghp_", "P") + "}"}}, {},
     [("github", "personal access token (classic)", (("env.GITHUB_TOKEN", False, "GH"),))],
     0, 0),
    ({"env": {"NOTE": "see " + _t("ghp_", "N") + " here"}}, {},
     [("github", "personal access token (classic)", (("env.NOTE", True, None),))], 0, 1),
]


@pytest.mark.parametrize(("definition", "env", "credentials", "unresolved", "literal"),
                         GITHUB_BEFORE)
def test_github_behaviour_is_unchanged(definition, env, credentials, unresolved, literal):
    found = discover(entry(definition), env)
    assert [(c.provider, c.kind, tuple((o.field, o.literal, o.variable) for o in c.origins))
            for c in found.credentials] == credentials
    assert (len(found.unresolved), len(found.literal_findings)) == (unresolved, literal)
    assert all(c.well_formed and not c.candidates for c in found.credentials)


def test_github_host_is_now_context_of_the_github_token():
    found = discover(entry({"env": {"GITHUB_PERSONAL_ACCESS_TOKEN": token(),
                                    "GITHUB_HOST": "https://ghe.example.test"}}), {})
    (credential,) = found.credentials
    assert credential.context == (("github_host", "https://ghe.example.test"),)
