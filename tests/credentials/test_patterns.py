"""The provider table (providers.md §1.1): every provider and kind, keyword anchoring, malformed
prefixes, ambiguity, and the names that hint at a provider (§2). Every value is a fake made here."""

from __future__ import annotations

import re
import uuid

import pytest

from responder.credentials import classify, patterns

REQUIRED_PROVIDERS = {
    "github", "gitlab", "slack", "google", "npm", "cloudflare", "openai", "anthropic",
    "huggingface", "atlassian", "notion", "linear", "sentry", "stripe", "aws", "supabase",
    "vercel", "figma", "postman", "digitalocean", "heroku", "discord", "brave", "azure-devops",
}


def fake_uuid() -> str:
    return str(uuid.UUID(int=0x1234_5678_9ABC_4DEF_8123_4567_89AB_CDEF))


# (provider, kind, value): formats trusted without a hint.
PREFIXED = [
    ("github", "personal access token (classic)", "ghp_" + "A1" * 18),
    ("github", "fine-grained personal access token", "github_pat_" + "B2" * 41),
    ("github", "OAuth app token", "gho_" + "C3" * 18),
    ("github", "GitHub App user token", "ghu_" + "D4" * 18),
    ("github", "GitHub App installation token", "ghs_" + "E5" * 18),
    ("github", "GitHub App refresh token", "ghr_" + "F6" * 38),
    ("gitlab", "personal access token", "glpat-" + "a1B2_" * 4),
    ("gitlab", "personal access token", "glpat-" + "x" * 27 + ".01" + "abcdefg"),
    ("gitlab", "deploy token", "gldt-" + "d" * 20),
    ("gitlab", "pipeline trigger token", "glptt-" + "0123456789abcdef" * 2 + "01234567"),
    ("gitlab", "runner authentication token", "glrt-" + "r" * 20),
    ("gitlab", "CI/CD job token", "glcbt-" + "c" * 24),
    ("gitlab", "feed token", "glft-" + "f" * 20),
    ("gitlab", "OAuth application secret", "gloas-" + "o" * 64),
    ("gitlab", "SCIM token", "glsoat-" + "s" * 20),
    ("slack", "bot token", "xoxb-" + "1" * 10 + "-" + "2" * 12 + "aBcD"),
    ("slack", "user token", "xoxp-" + "-".join(["3" * 10] * 3) + "-" + "a" * 32),
    ("slack", "app-level token", "xapp-1-A0B1C2D3-123456-abc123def"),
    ("slack", "configuration access token", "xoxe.xoxp-1-" + "A" * 164),
    ("slack", "configuration refresh token", "xoxe-1-" + "B" * 146),
    ("slack", "browser session token", "xoxc-" + "4" * 24),
    ("slack", "incoming webhook",
     "https://hooks.slack.com/services/T00000000/B00000000/" + "w" * 24),
    ("google", "API key", "AIza" + "G" * 35),
    ("google", "OAuth access token", "ya29." + "a0" * 20),
    ("google", "OAuth client secret", "GOCSPX-" + "c" * 28),
    ("google", "OAuth refresh token", "1//0" + "r" * 60),
    ("npm", "access token", "npm_" + "n" * 36),
    ("cloudflare", "origin CA key", "v1.0-" + "a" * 24 + "-" + "b" * 146),
    ("cloudflare", "user API token", "cfut_" + "U" * 40 + "abcdef01"),
    ("cloudflare", "account API token", "cfat_" + "A" * 40 + "abcdef01"),
    ("cloudflare", "global API key", "cfk_" + "K" * 40 + "abcdef01"),
    ("openai", "project API key", "sk-proj-" + "p" * 74 + "T3BlbkFJ" + "q" * 74),
    ("openai", "service account key", "sk-svcacct-" + "s" * 58 + "T3BlbkFJ" + "t" * 58),
    ("openai", "admin key", "sk-admin-" + "a" * 58 + "T3BlbkFJ" + "d" * 58),
    ("openai", "API key (legacy)", "sk-" + "l" * 20 + "T3BlbkFJ" + "m" * 20),
    ("anthropic", "API key", "sk-ant-api03-" + "k" * 93 + "AA"),
    ("anthropic", "admin key", "sk-ant-admin01-" + "j" * 93 + "AA"),
    ("huggingface", "user access token", "hf_" + "h" * 34),
    ("huggingface", "organization API token", "api_org_" + "o" * 34),
    ("atlassian", "API token", "ATATT3" + "x" * 186),
    ("atlassian", "organization admin key", "ATCTT3xFfG" + "a" * 40 + "=" + "A1b2C3d4"),
    ("notion", "integration secret", "ntn_" + "1" * 11 + "N" * 35),
    ("notion", "integration secret (legacy)", "secret_" + "S" * 43),
    ("linear", "API key", "lin_api_" + "L" * 40),
    ("sentry", "user auth token", "sntryu_" + "e" * 64),
    ("sentry", "organization auth token", "sntrys_eyJpYXQiO" + "a" * 30 + "_" + "b" * 43),
    ("stripe", "secret key", "sk_live_" + "s" * 24),
    ("stripe", "restricted key", "rk_test_" + "r" * 24),
    ("aws", "access key id", "AKIA" + "Q" * 16),
    ("aws", "access key id", "ASIA" + "T" * 16),
    ("supabase", "access token", "sbp_" + "0a" * 20),
    ("figma", "personal access token", "figd_" + "f" * 40),
    ("figma", "personal access token", "figp_" + "g" * 45),
    ("postman", "API key", "PMAK-" + "a" * 24 + "-" + "b" * 34),
    ("digitalocean", "personal access token", "dop_v1_" + "d" * 64),
    ("digitalocean", "OAuth token", "doo_v1_" + "e" * 64),
    ("digitalocean", "refresh token", "dor_v1_" + "f" * 64),
    ("heroku", "API key", "HRKU-AA" + "h" * 58),
]

# (provider, a name that hints at it, value, kind): formats that count only with a hint.
KEYWORD = [
    ("cloudflare", "CLOUDFLARE_API_TOKEN", "x" * 40, "API token"),
    ("cloudflare", "CLOUDFLARE_API_KEY", "a" * 37, "global API key"),
    ("atlassian", "JIRA_API_TOKEN", "abcdefghij" * 2 + "abcd", "API token (legacy)"),
    ("sentry", "SENTRY_AUTH_TOKEN", "a" * 64, "auth token (legacy)"),
    ("vercel", "VERCEL_TOKEN", "V" * 24, "access token"),
    ("discord", "DISCORD_TOKEN", "a" * 24 + "." + "b" * 6 + "." + "c" * 27, "bot token"),
    ("azure-devops", "ADO_MCP_AUTH_TOKEN", "z" * 52, "personal access token"),
    ("heroku", "HEROKU_API_KEY", fake_uuid(), "API key (legacy)"),
    ("npm", "NPM_TOKEN", fake_uuid(), "access token (legacy)"),
    ("aws", "AWS_SECRET_ACCESS_KEY", "a/b+" * 10, "secret access key"),
    ("aws", "AWS_SESSION_TOKEN", "s" * 120, "session token"),
]

# (value, provider, kind): a known start, a wrong body.
MALFORMED = [
    ("ghp_" + "A" * 20, "github", "personal access token (classic)"),
    ("github_pat_" + "x" * 10, "github", "fine-grained personal access token"),
    ("glpat-short", "gitlab", "personal access token"),
    ("xoxb-notdigits", "slack", "bot token"),
    ("sk-ant-api03-short", "anthropic", "API key"),
    ("sk-ant-oat01-" + "o" * 20, "anthropic", "API key"),
    ("sk-proj-tooshort", "openai", "project API key"),
    ("hf_1234567", "huggingface", "user access token"),
    ("ntn_tooshort", "notion", "integration secret"),
    ("lin_api_short", "linear", "API key"),
    ("sntryu_notHEX" + "z" * 10, "sentry", "user auth token"),
    ("npm_short12", "npm", "access token"),
    ("AKIAshort", "aws", "access key id"),
    ("sbp_short12", "supabase", "access token"),
    ("PMAK-short12", "postman", "API key"),
    ("dop_v1_short", "digitalocean", "personal access token"),
    ("HRKU-short12", "heroku", "API key"),
    ("ATATT3short", "atlassian", "API token"),
    ("sk_live_!!!!!!", "stripe", "secret key"),
    ("AIzashort12", "google", "API key"),
]


def test_provider_names_are_exactly_the_required_ones():
    assert set(patterns.PROVIDERS) == REQUIRED_PROVIDERS
    assert {k.provider for k in patterns.KINDS} <= REQUIRED_PROVIDERS
    assert {p for _, p, _ in patterns.PREFIXES} <= REQUIRED_PROVIDERS
    assert {p for p, _ in patterns.NAME_WORDS} == REQUIRED_PROVIDERS
    # Brave has no format at all: only its names.
    assert "brave" not in {k.provider for k in patterns.KINDS}


def test_every_provider_with_a_format_has_a_sample_here():
    covered = {p for p, _, _ in PREFIXED} | {p for p, _, _, _ in KEYWORD}
    assert covered == {k.provider for k in patterns.KINDS}
    kinds = {(p, k) for p, k, _ in PREFIXED} | {(p, k) for p, _, _, k in KEYWORD}
    table = {(k.provider, k.kind) for k in patterns.KINDS}
    assert table - kinds <= {("gitlab", "incoming mail token"), ("gitlab", "agent token"),
                             ("gitlab", "feature flags client token"),
                             ("slack", "browser session cookie")}


def test_cores_are_python_re_with_scoped_flags_only():
    for kind in patterns.KINDS:
        assert "(?i)" not in kind.core, kind
        assert re.compile(kind.core).groups == 0, kind
        assert kind.pattern.pattern.startswith("(?<![A-Za-z0-9_-])"), kind
        assert kind.pattern.pattern.endswith("(?![A-Za-z0-9_-])"), kind


@pytest.mark.parametrize(("provider", "kind", "value"), PREFIXED)
def test_each_prefixed_kind_is_recognised_without_a_hint(provider, kind, value):
    found = classify.recognise(value)
    assert found is not None, value[:8]
    assert (found.provider, found.kind) == (provider, kind)
    assert classify.judge(value) == classify.Verdict(provider, kind)


@pytest.mark.parametrize(("provider", "kind", "value"), PREFIXED)
def test_each_prefixed_kind_is_found_inside_text_unless_too_plain(provider, kind, value):
    found = classify.find_in_text(f'--flag "{value}" and more')
    if kind == "OAuth refresh token":  # `1//...` is trusted only as a whole value
        assert found == []
        return
    assert [(k.provider, k.kind, v) for k, v in found] == [(provider, kind, value)]


@pytest.mark.parametrize(("provider", "kind", "value"), PREFIXED)
def test_a_prefixed_token_glued_to_a_word_is_not_matched(provider, kind, value):
    assert classify.recognise("x" + value) is None or classify.recognise("x" + value).kind != kind
    assert all(v != value for _, v in classify.find_in_text("_" + value + "_x"))


@pytest.mark.parametrize(("provider", "name", "value", "kind"), KEYWORD)
def test_keyword_formats_count_only_with_a_hint_naming_the_provider(provider, name, value,
                                                                    kind):
    assert classify.recognise(value) is None
    assert classify.find_in_text(f"x {value} y") == []
    hinted = classify.judge(value, classify.provider_hints(name), (), True)
    assert hinted == classify.Verdict(provider, kind)
    # No hint: a secret of unknown provider.
    assert classify.judge(value, (), (), True) == classify.Verdict(None, "unrecognised secret")
    # A hint naming another provider: that provider, unrecognised format.
    other = "linear" if provider != "linear" else "notion"
    assert classify.judge(value, (other,), (), True) == classify.Verdict(
        other, "unrecognised format")
    # A name that does not look secret (an account id, an app id): nothing.
    assert classify.judge(value, (provider,), (), False) is None


@pytest.mark.parametrize(("provider", "name", "value", "kind"), KEYWORD)
def test_weak_hints_anchor_keyword_formats_only_when_the_name_names_no_provider(
        provider, name, value, kind):
    assert classify.judge(value, (), (provider,), True) == classify.Verdict(provider, kind)
    strong = "figma" if provider != "figma" else "notion"
    assert classify.judge(value, (strong,), (provider,), True).provider == strong


def test_a_format_two_hinted_providers_share_is_ambiguous():
    value = "Ab12" * 10  # 40 characters: a Cloudflare API token and an AWS secret key alike
    verdict = classify.judge(value, (), ("aws", "cloudflare"), True)
    assert verdict.provider is None
    assert verdict.candidates == ("aws", "cloudflare")
    assert verdict.well_formed is True
    lower = "abcdefghij" * 2 + "abcd"  # Vercel (24) and Atlassian legacy (20 + 4 hex)
    verdict = classify.judge(lower, ("vercel", "atlassian"), (), True)
    assert (verdict.provider, verdict.candidates) == (None, ("atlassian", "vercel"))
    # One hint decides.
    assert classify.judge(lower, ("vercel",), (), True).provider == "vercel"


def test_a_prefixed_format_wins_over_any_hint():
    value = "ghp_" + "A" * 36
    assert classify.judge(value, ("slack",), ("aws",), True) == classify.Verdict(
        "github", "personal access token (classic)")


@pytest.mark.parametrize(("value", "provider", "kind"), MALFORMED)
def test_a_known_prefix_with_a_wrong_body_is_malformed(value, provider, kind):
    assert classify.recognise(value) is None
    verdict = classify.judge(value, (), (), True)
    assert verdict == classify.Verdict(provider, f"malformed {kind}", well_formed=False)
    assert classify.malformed(value) == (provider, kind)


def test_malformed_needs_a_secret_name_and_eight_characters():
    assert classify.judge("ghp_" + "A" * 20, (), (), False) is None
    assert classify.judge("ghp_abc", (), (), True) is None


def test_unknown_format_takes_the_provider_the_name_names():
    assert classify.judge("opaque-value-123", ("brave",), (), True) == classify.Verdict(
        "brave", "unrecognised format")
    assert classify.judge("opaque-value-123", (), (), True) == classify.Verdict(
        None, "unrecognised secret")
    verdict = classify.judge("opaque-value-123", ("slack", "github"), (), True)
    assert (verdict.provider, verdict.candidates) == (None, ("github", "slack"))
    # Weak hints (server name, package) never give an unknown value a provider.
    assert classify.judge("opaque-value-123", (), ("brave",), True).provider is None


HINTS = [
    ("GITHUB_PERSONAL_ACCESS_TOKEN", "github"), ("GH_TOKEN", "github"),
    ("GITHUB_APP_PRIVATE_KEY", "github"), ("GITLAB_PERSONAL_ACCESS_TOKEN", "gitlab"),
    ("GITLAB_JOB_TOKEN", "gitlab"), ("PRIVATE-TOKEN", "gitlab"), ("SLACK_BOT_TOKEN", "slack"),
    ("SLACK_MCP_XOXC_TOKEN", "slack"), ("GOOGLE_MAPS_API_KEY", "google"),
    ("GDRIVE_CREDENTIALS_PATH", "google"), ("GEMINI_API_KEY", "google"), ("NPM_TOKEN", "npm"),
    ("NODE_AUTH_TOKEN", "npm"), ("CLOUDFLARE_API_TOKEN", "cloudflare"),
    ("CF_API_TOKEN", "cloudflare"), ("OPENAI_API_KEY", "openai"),
    ("ANTHROPIC_API_KEY", "anthropic"), ("HF_TOKEN", "huggingface"),
    ("DEFAULT_HF_TOKEN", "huggingface"), ("HUGGINGFACE_TOKEN", "huggingface"),
    ("JIRA_API_TOKEN", "atlassian"), ("JIRA_PERSONAL_TOKEN", "atlassian"),
    ("CONFLUENCE_API_TOKEN", "atlassian"), ("ATLASSIAN_OAUTH_ACCESS_TOKEN", "atlassian"),
    ("NOTION_TOKEN", "notion"), ("LINEAR_API_KEY", "linear"),
    ("SENTRY_ACCESS_TOKEN", "sentry"), ("STRIPE_SECRET_KEY", "stripe"),
    ("MCP_STRIPE_API_KEY", "stripe"), ("AWS_SECRET_ACCESS_KEY", "aws"),
    ("SUPABASE_ACCESS_TOKEN", "supabase"), ("VERCEL_TOKEN", "vercel"),
    ("FIGMA_API_KEY", "figma"), ("--figma-api-key", "figma"), ("X-Figma-Token", "figma"),
    ("FIGMA_OAUTH_TOKEN", "figma"), ("POSTMAN_API_KEY", "postman"),
    ("DO_TOKEN", "digitalocean"), ("DIGITALOCEAN_API_TOKEN", "digitalocean"),
    ("HEROKU_API_KEY", "heroku"), ("DISCORD_TOKEN", "discord"), ("BRAVE_API_KEY", "brave"),
    ("X-Subscription-Token", "brave"), ("ADO_MCP_AUTH_TOKEN", "azure-devops"),
    ("AZURE_DEVOPS_EXT_PAT", "azure-devops"),
]


@pytest.mark.parametrize(("name", "provider"), HINTS)
def test_names_from_the_provider_summary_hint_at_their_provider(name, provider):
    assert classify.provider_hints(name) == (provider,)
    assert classify.provider_hint(name) == provider


@pytest.mark.parametrize("name", ["PERSONAL_ACCESS_TOKEN", "API_TOKEN", "DOCKER_TOKEN",
                                  "HIGH_WATERMARK", "Authorization", "x-api-key", "TOKEN"])
def test_generic_names_hint_at_nothing(name):
    assert classify.provider_hints(name) == ()


def test_scheme_words_hint_at_their_provider():
    assert classify.scheme_hint("Sentry-Bearer") == "sentry"
    assert classify.scheme_hint("Bot") == "discord"
    assert classify.scheme_hint("Bearer") is None


@pytest.mark.parametrize(("text", "providers"), [
    ("cloudflare npx -y @cloudflare/mcp-server-cloudflare", ("cloudflare",)),
    ("ado npx -y @azure-devops/mcp contoso", ("azure-devops",)),
    ("linear https://mcp.linear.app/mcp", ("linear",)),
    ("brave-search npx -y @modelcontextprotocol/server-brave-search", ("brave",)),
    ("notion npx -y @notionhq/notion-mcp-server", ("notion",)),
    ("hf https://huggingface.co/mcp", ("huggingface",)),
    ("tools npx -y some-server", ()),
])
def test_weak_hints_from_server_name_package_and_host(text, providers):
    assert classify.weak_hints(text) == providers


@pytest.mark.parametrize("name", ["SUPABASE_SERVICE_ROLE_KEY", "key", "X-Key"])
def test_names_ending_in_key_look_secret(name):
    assert classify.looks_secret(name)


@pytest.mark.parametrize("name", ["STRIPE_PUBLISHABLE_KEY", "PUBLIC_KEY", "KEYBOARD", "MONKEY"])
def test_public_and_non_key_names_do_not(name):
    assert not classify.looks_secret(name)


def test_the_lookups_are_cached():
    for function in (classify.recognise, classify._find_in_text, classify.judge,
                     classify.keyword_fit, classify.malformed, classify.provider_hints,
                     classify.weak_hints, classify.looks_secret):
        assert hasattr(function, "cache_info"), function


def test_the_screen_passes_every_sample():
    """The fast pre-check must let every plain format through (find_in_text relies on it)."""
    for _, _, value in PREFIXED:
        assert classify._SCREEN.search(value), value[:8]
    for value in ("XOXB-" + "1" * 10 + "-" + "2" * 12, "NPM_" + "N" * 36, "DOR_V1_" + "F" * 64):
        assert classify._SCREEN.search(value)
    assert classify.recognise("NPM_" + "N" * 36).provider == "npm"


def test_secret_assignments_still_masks_secret_keys():
    text = 'API_TOKEN = "opaque-123456"\nPORT = "8080"\nSUPABASE_SERVICE_ROLE_KEY: eyJabc.def'
    assert classify.secret_assignments(text) == ["opaque-123456", "eyJabc.def"]


def test_secret_assignments_leave_aws_access_key_ids_visible():
    """The key id is context, not a secret: the manual steps name it in their commands."""
    text = f'"AWS_ACCESS_KEY_ID": "AKIA{"W" * 16}",\n"AWS_SECRET_ACCESS_KEY": "{"s/" * 20}"'
    assert classify.secret_assignments(text) == ["s/" * 20]
