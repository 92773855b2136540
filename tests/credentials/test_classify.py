"""Credential formats: each GitHub kind, exact lengths, and no match inside a longer word."""

from __future__ import annotations

import pytest

from responder.credentials import classify


def fake(prefix: str, length: int, alphabet: str = "Ab3") -> str:
    """A fake token of `length` characters after the prefix (never a real one)."""
    return prefix + (alphabet * length)[:length]


GITHUB_KINDS = [
    ("ghp_", 36, "personal access token (classic)"),
    ("gho_", 36, "OAuth app token"),
    ("ghu_", 36, "GitHub App user token"),
    ("ghs_", 36, "GitHub App installation token"),
    ("ghr_", 36, "GitHub App refresh token"),
    ("ghr_", 76, "GitHub App refresh token"),
    ("github_pat_", 82, "fine-grained personal access token"),
]


@pytest.mark.parametrize(("prefix", "length", "kind"), GITHUB_KINDS)
def test_each_github_kind_is_recognised(prefix, length, kind):
    value = fake(prefix, length)
    found = classify.recognise(value)
    assert found is not None
    assert found.provider == "github"
    assert found.kind == kind


def test_fine_grained_pat_allows_underscores_in_its_body():
    value = "github_pat_" + "A1" * 11 + "_" + ("b2" * 30)[:59]
    assert len(value) == len("github_pat_") + 82
    assert classify.recognise(value).kind == "fine-grained personal access token"


def test_surrounding_whitespace_is_ignored():
    assert classify.recognise("  " + fake("ghp_", 36) + "\n").kind == (
        "personal access token (classic)"
    )


@pytest.mark.parametrize(
    ("prefix", "length"),
    [
        ("ghp_", 35), ("ghp_", 37), ("gho_", 35), ("gho_", 37), ("ghu_", 35), ("ghu_", 37),
        ("ghs_", 35), ("ghs_", 37), ("ghr_", 35), ("ghr_", 256),
        ("github_pat_", 81), ("github_pat_", 83),
    ],
)
def test_wrong_lengths_are_rejected(prefix, length):
    value = fake(prefix, length)
    assert classify.recognise(value) is None
    assert classify.find_in_text(f"token {value} here") == []


@pytest.mark.parametrize("prefix", ["ghp_", "gho_", "ghu_", "ghs_"])
def test_classic_kinds_reject_non_alphanumeric_bodies(prefix):
    assert classify.recognise(prefix + "A" * 35 + "_") is None
    assert classify.recognise(prefix + "A" * 35 + "-") is None


@pytest.mark.parametrize("prefix", ["ghp_", "gho_", "ghs_", "github_pat_"])
def test_prefix_is_case_sensitive(prefix):
    length = 82 if prefix == "github_pat_" else 36
    assert classify.recognise(fake(prefix.upper(), length)) is None


@pytest.mark.parametrize(
    "wrap",
    [
        "x{}",  # glued to a preceding letter
        "9{}",
        "_{}",
        "-{}",
        "{}Z",  # glued to a following letter (makes it too long)
        "{}_x",
        "{}-x",
    ],
)
def test_a_token_embedded_in_a_longer_word_is_not_matched(wrap):
    token = fake("ghp_", 36)
    text = wrap.format(token)
    assert classify.recognise(text) is None
    assert classify.find_in_text(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "https://example.test/mcp?token={}&x=1",
        "--token={}",
        "Bearer {}",
        '{{"Authorization": "token {}"}}',
        "a {} b",
    ],
)
def test_find_in_text_finds_a_delimited_token(text):
    token = fake("ghp_", 36)
    found = classify.find_in_text(text.format(token))
    assert [(k.kind, v) for k, v in found] == [("personal access token (classic)", token)]


def test_find_in_text_finds_several_tokens_of_different_kinds():
    classic, fine = fake("ghp_", 36), fake("github_pat_", 82)
    found = classify.find_in_text(f"{classic} and {fine}")
    assert sorted(v for _, v in found) == sorted([classic, fine])


@pytest.mark.parametrize(
    "name",
    ["GITHUB_TOKEN", "GITHUB_PERSONAL_ACCESS_TOKEN", "MY_API_KEY", "APIKEY", "client_secret",
     "DB_PASSWORD", "Authorization", "GH_PAT", "AWS_ACCESS_KEY", "--auth-token"],
)
def test_secret_looking_names(name):
    assert classify.looks_secret(name)


@pytest.mark.parametrize("name", ["GITHUB_TOOLSETS", "PATH", "GITHUB_HOST", "LOG_LEVEL", "DEBUG"])
def test_ordinary_names_do_not_look_secret(name):
    assert not classify.looks_secret(name)


@pytest.mark.parametrize("name", ["x-api-key", "X-Access-Key"])
def test_hyphenated_header_names_look_secret(name):
    assert classify.looks_secret(name)


@pytest.mark.parametrize(
    ("name", "hint"),
    [("GITHUB_TOKEN", "github"), ("GH_TOKEN", "github"), ("github_pat", "github"),
     ("MY_API_KEY", None), ("SLACK_BOT_TOKEN", "slack")],
)
def test_provider_hint_from_the_name(name, hint):
    assert classify.provider_hint(name) == hint
