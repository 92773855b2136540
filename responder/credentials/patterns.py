"""The credential formats responder knows, and the words that name a provider.

Cores come from shared/reference/providers.md §1.1 (gitleaks `config/gitleaks.toml`, trufflehog
`pkg/detectors/*`), rewritten for Python `re`: a case-insensitive part is a scoped `(?i:...)` group,
never a mid-pattern `(?i)`. Each core is wrapped as `(?<![A-Za-z0-9_-])CORE(?![A-Za-z0-9_-])` so
that a token glued to a longer word does not match.

Three sorts of entries:

- prefixed formats (`ghp_`, `xoxb-`, `AKIA`, ...): trusted on their own;
- keyword-anchored ("kw") formats (a bare 40-character string for Cloudflare, a UUID for Heroku,
  ...): far too generic to trust alone, so they count only when a provider hint (the variable,
  header or flag name, or more weakly the server's name and package) names that provider;
- prefixes alone (`PREFIXES`): a value that starts like a known token but does not fit its format
  is that provider's, marked malformed (it is never sent anywhere).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Provider names, exactly as provider adapters and manual steps know them.
PROVIDERS: tuple[str, ...] = (
    "github", "gitlab", "slack", "google", "npm", "cloudflare", "openai", "anthropic",
    "huggingface", "atlassian", "notion", "linear", "sentry", "stripe", "aws", "supabase",
    "vercel", "figma", "postman", "digitalocean", "heroku", "discord", "brave", "azure-devops",
)

_LEFT = r"(?<![A-Za-z0-9_-])"
_RIGHT = r"(?![A-Za-z0-9_-])"


def wrap(core: str) -> str:
    return f"{_LEFT}(?:{core}){_RIGHT}"


@dataclass(frozen=True)
class Kind:
    provider: str
    kind: str
    pattern: re.Pattern[str]  # the wrapped core, compiled
    core: str = ""
    keyword: bool = False  # "kw": only with a hint naming the provider
    embedded: bool = True  # also searched for inside longer text (find_in_text)


def _kind(provider: str, kind: str, core: str, *, keyword: bool = False,
          embedded: bool = True) -> Kind:
    compiled = re.compile(wrap(core))
    if compiled.groups:  # the combined matcher tells kinds apart by their one named group
        raise ValueError(f"capturing group in the core for {provider} {kind}")
    return Kind(provider, kind, compiled, core, keyword, embedded and not keyword)


_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_GITLAB_BODY = r"[A-Za-z0-9_-]{20,300}(?:\.[0-9a-z]{2}[0-9a-z]{7})?"

# Order matters only where two cores can match at the same place: the more specific one first.
KINDS: tuple[Kind, ...] = (
    # GitHub
    _kind("github", "fine-grained personal access token", r"github_pat_[A-Za-z0-9_]{82}"),
    _kind("github", "personal access token (classic)", r"ghp_[A-Za-z0-9]{36}"),
    _kind("github", "OAuth app token", r"gho_[A-Za-z0-9]{36}"),
    _kind("github", "GitHub App user token", r"ghu_[A-Za-z0-9]{36}"),
    _kind("github", "GitHub App installation token", r"ghs_[A-Za-z0-9]{36}"),
    _kind("github", "GitHub App refresh token", r"ghr_[A-Za-z0-9]{36,255}"),
    # GitLab
    _kind("gitlab", "personal access token",
          r"glpat-[A-Za-z0-9_-]{27,300}\.[0-9a-z]{2}[0-9a-z]{7}|glpat-[A-Za-z0-9_-]{20}"),
    _kind("gitlab", "deploy token", r"gldt-" + _GITLAB_BODY),
    _kind("gitlab", "pipeline trigger token", r"glptt-[0-9a-f]{40}|glptt-" + _GITLAB_BODY),
    _kind("gitlab", "runner authentication token", r"glrt-" + _GITLAB_BODY),
    _kind("gitlab", "CI/CD job token",
          r"glcbt-[A-Za-z0-9_-]{20,}(?:\.[A-Za-z0-9_-]+){0,2}"),
    _kind("gitlab", "feed token", r"glft-" + _GITLAB_BODY),
    _kind("gitlab", "OAuth application secret", r"gloas-" + _GITLAB_BODY),
    _kind("gitlab", "SCIM token", r"glsoat-" + _GITLAB_BODY),
    _kind("gitlab", "incoming mail token", r"glimt-" + _GITLAB_BODY),
    _kind("gitlab", "agent token", r"glagent-" + _GITLAB_BODY),
    _kind("gitlab", "feature flags client token", r"glffct-" + _GITLAB_BODY),
    # Slack
    _kind("slack", "configuration access token", r"(?i:xoxe\.xox[bp]-\d-[A-Z0-9]{163,166})"),
    _kind("slack", "configuration refresh token", r"(?i:xoxe-\d-[A-Z0-9]{146})"),
    _kind("slack", "bot token", r"xoxb-[0-9]{10,13}-[0-9]{10,13}[A-Za-z0-9-]*"),
    _kind("slack", "user token", r"xox[pe](?:-[0-9]{10,13}){3}-[A-Za-z0-9-]{28,34}"),
    _kind("slack", "app-level token", r"(?i:xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+)"),
    _kind("slack", "browser session token", r"xoxc-[A-Za-z0-9-]{20,}"),
    _kind("slack", "browser session cookie", r"xoxd-[A-Za-z0-9%+/=_-]{20,}"),
    _kind("slack", "incoming webhook",
          r"(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56}"),
    # Google
    _kind("google", "API key", r"AIza[A-Za-z0-9_-]{35}"),
    _kind("google", "OAuth access token", r"ya29\.[A-Za-z0-9_-]{10,}"),
    _kind("google", "OAuth client secret", r"GOCSPX-[A-Za-z0-9_-]{28}"),
    # Too plain to look for inside text; a whole value of this shape is a refresh token.
    _kind("google", "OAuth refresh token", r"1//[A-Za-z0-9_-]{30,}", embedded=False),
    # npm
    _kind("npm", "access token", r"(?i:npm_[a-z0-9]{36})"),
    _kind("npm", "access token (legacy)", _UUID, keyword=True),
    # Cloudflare
    _kind("cloudflare", "origin CA key", r"v1\.0-[a-f0-9]{24}-[a-f0-9]{146}"),
    _kind("cloudflare", "user API token", r"cfut_[A-Za-z0-9]{40}[a-f0-9]{8}"),
    _kind("cloudflare", "account API token", r"cfat_[A-Za-z0-9]{40}[a-f0-9]{8}"),
    _kind("cloudflare", "global API key", r"cfk_[A-Za-z0-9]{40}[a-f0-9]{8}"),
    _kind("cloudflare", "API token", r"[A-Za-z0-9_-]{40}", keyword=True),
    _kind("cloudflare", "global API key", r"[a-f0-9]{37}", keyword=True),
    # OpenAI (T3BlbkFJ = base64 of "OpenAI")
    _kind("openai", "project API key",
          r"sk-proj-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ"
          r"(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})"),
    _kind("openai", "service account key",
          r"sk-svcacct-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ"
          r"(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})"),
    _kind("openai", "admin key",
          r"sk-admin-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ"
          r"(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})"),
    _kind("openai", "API key (legacy)", r"sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}"),
    # Anthropic
    _kind("anthropic", "API key", r"sk-ant-api03-[A-Za-z0-9_-]{93}AA"),
    _kind("anthropic", "admin key", r"sk-ant-admin01-[A-Za-z0-9_-]{93}AA"),
    # Hugging Face
    _kind("huggingface", "user access token", r"hf_[A-Za-z]{34}"),
    _kind("huggingface", "organization API token", r"api_org_[A-Za-z]{34}"),
    # Atlassian
    _kind("atlassian", "API token",
          r"ATATT3[A-Za-z0-9_=-]{186}|ATATT[A-Za-z0-9+/=_-]+=[A-Za-z0-9]{8}"),
    _kind("atlassian", "organization admin key", r"ATCTT3xFfG[A-Za-z0-9+/=_-]+=[A-Za-z0-9]{8}"),
    _kind("atlassian", "API token (legacy)", r"[a-z0-9]{20}[a-f0-9]{4}", keyword=True),
    # Notion
    _kind("notion", "integration secret", r"ntn_[0-9]{11}[A-Za-z0-9]{35}"),
    _kind("notion", "integration secret (legacy)", r"secret_[A-Za-z0-9]{43}"),
    # Linear
    _kind("linear", "API key", r"lin_api_[A-Za-z0-9]{40}"),
    # Sentry
    _kind("sentry", "user auth token", r"sntryu_[a-f0-9]{64}"),
    _kind("sentry", "organization auth token",
          r"sntrys_eyJpYXQiO[A-Za-z0-9+/=]{10,400}_[A-Za-z0-9+/]{43}"),
    _kind("sentry", "auth token (legacy)", r"[a-f0-9]{64}", keyword=True),
    # Stripe
    _kind("stripe", "secret key", r"sk_(?:test|live|prod)_[A-Za-z0-9]{10,99}"),
    _kind("stripe", "restricted key", r"rk_(?:test|live|prod)_[A-Za-z0-9]{10,99}"),
    # AWS
    _kind("aws", "access key id", r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}"),
    _kind("aws", "secret access key", r"[A-Za-z0-9+/]{40}", keyword=True),
    _kind("aws", "session token", r"[A-Za-z0-9+/]{100,}={0,3}", keyword=True),
    # Supabase
    _kind("supabase", "access token", r"sbp_[a-z0-9]{40}"),
    # Vercel
    _kind("vercel", "access token", r"[A-Za-z0-9]{24}", keyword=True),
    # Figma
    _kind("figma", "personal access token", r"figd_[A-Za-z0-9_-]{40}"),
    _kind("figma", "personal access token", r"figp_[A-Za-z0-9_=-]{40,54}"),
    # Postman
    _kind("postman", "API key", r"PMAK-(?i:[a-f0-9]{24}-[a-f0-9]{34})"),
    # DigitalOcean
    _kind("digitalocean", "personal access token", r"dop_v1_[a-f0-9]{64}"),
    _kind("digitalocean", "OAuth token", r"doo_v1_[a-f0-9]{64}"),
    _kind("digitalocean", "refresh token", r"(?i:dor_v1_[a-f0-9]{64})"),
    # Heroku
    _kind("heroku", "API key", r"HRKU-AA[A-Za-z0-9_-]{58}"),
    _kind("heroku", "API key (legacy)", _UUID, keyword=True),
    # Discord (newer, longer ids: the first part may be longer than 24; UNCONFIRMED upstream)
    _kind("discord", "bot token",
          r"[A-Za-z0-9_-]{24,28}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}", keyword=True),
    # Azure DevOps: the older 52-character format, and the 84-character one with the "AZDO"
    # signature (newer formats are UNCONFIRMED in the reference).
    _kind("azure-devops", "personal access token",
          r"[a-z0-9]{52}|[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}", keyword=True),
    # Brave Search: no format is known; only the names BRAVE_API_KEY / X-Subscription-Token.
)

# A value that starts with one of these but fits no format is that provider's, malformed.
# Longest first, so `sk-ant-admin01-` wins over `sk-ant-`.
PREFIXES: tuple[tuple[str, str, str], ...] = tuple(sorted((
    ("github_pat_", "github", "fine-grained personal access token"),
    ("ghp_", "github", "personal access token (classic)"),
    ("gho_", "github", "OAuth app token"),
    ("ghu_", "github", "GitHub App user token"),
    ("ghs_", "github", "GitHub App installation token"),
    ("ghr_", "github", "GitHub App refresh token"),
    ("glpat-", "gitlab", "personal access token"),
    ("gldt-", "gitlab", "deploy token"),
    ("glptt-", "gitlab", "pipeline trigger token"),
    ("glrt-", "gitlab", "runner authentication token"),
    ("glcbt-", "gitlab", "CI/CD job token"),
    ("glft-", "gitlab", "feed token"),
    ("gloas-", "gitlab", "OAuth application secret"),
    ("glsoat-", "gitlab", "SCIM token"),
    ("xoxb-", "slack", "bot token"),
    ("xoxp-", "slack", "user token"),
    ("xapp-", "slack", "app-level token"),
    ("xoxe.", "slack", "configuration access token"),
    ("xoxc-", "slack", "browser session token"),
    ("xoxd-", "slack", "browser session cookie"),
    ("AIza", "google", "API key"),
    ("ya29.", "google", "OAuth access token"),
    ("GOCSPX-", "google", "OAuth client secret"),
    ("npm_", "npm", "access token"),
    ("cfut_", "cloudflare", "user API token"),
    ("cfat_", "cloudflare", "account API token"),
    ("cfk_", "cloudflare", "global API key"),
    ("sk-proj-", "openai", "project API key"),
    ("sk-svcacct-", "openai", "service account key"),
    ("sk-admin-", "openai", "admin key"),
    ("sk-ant-api03-", "anthropic", "API key"),
    ("sk-ant-admin01-", "anthropic", "admin key"),
    ("sk-ant-", "anthropic", "API key"),
    ("hf_", "huggingface", "user access token"),
    ("api_org_", "huggingface", "organization API token"),
    ("ATATT3", "atlassian", "API token"),
    ("ATCTT3", "atlassian", "organization admin key"),
    ("ntn_", "notion", "integration secret"),
    ("lin_api_", "linear", "API key"),
    ("sntryu_", "sentry", "user auth token"),
    ("sntrys_", "sentry", "organization auth token"),
    ("sk_live_", "stripe", "secret key"),
    ("sk_test_", "stripe", "secret key"),
    ("sk_prod_", "stripe", "secret key"),
    ("rk_live_", "stripe", "restricted key"),
    ("rk_test_", "stripe", "restricted key"),
    ("rk_prod_", "stripe", "restricted key"),
    ("AKIA", "aws", "access key id"),
    ("ASIA", "aws", "access key id"),
    ("sbp_", "supabase", "access token"),
    ("figd_", "figma", "personal access token"),
    ("figp_", "figma", "personal access token"),
    ("PMAK-", "postman", "API key"),
    ("dop_v1_", "digitalocean", "personal access token"),
    ("doo_v1_", "digitalocean", "OAuth token"),
    ("dor_v1_", "digitalocean", "refresh token"),
    ("HRKU-", "heroku", "API key"),
), key=lambda item: -len(item[0])))

# -- provider hints ----------------------------------------------------------------------------
#
# Strong hints come from the name a value is given under (env var, header, flag, JSON key), after
# upper-casing and turning every run of other characters into "_": `X-Figma-Token` ->
# `X_FIGMA_TOKEN`, `--figma-api-key` -> `FIGMA_API_KEY`. A word of five letters or more may appear
# anywhere in the name; a short one must be a whole `_`-separated part (`GH_TOKEN`, not `HIGH`).
# The variables come from providers.md §2 (env var column).

NAME_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("github", ("GITHUB", "_GH_", "_GHE_")),
    ("gitlab", ("GITLAB", "_GLAB_")),
    ("slack", ("SLACK",)),
    ("google", ("GOOGLE", "GDRIVE", "GEMINI", "GMAIL", "_GCP_", "GCLOUD", "_GMAPS_")),
    ("npm", ("_NPM_", "NPMJS")),
    ("cloudflare", ("CLOUDFLARE", "_CF_")),
    ("openai", ("OPENAI",)),
    ("anthropic", ("ANTHROPIC", "CLAUDE")),
    ("huggingface", ("HUGGING", "_HF_")),
    ("atlassian", ("ATLASSIAN", "_JIRA_", "CONFLUENCE", "BITBUCKET")),
    ("notion", ("NOTION",)),
    ("linear", ("LINEAR",)),
    ("sentry", ("SENTRY",)),
    ("stripe", ("STRIPE",)),
    ("aws", ("_AWS_", "AMAZON")),
    ("supabase", ("SUPABASE",)),
    ("vercel", ("VERCEL",)),
    ("figma", ("FIGMA",)),
    ("postman", ("POSTMAN",)),
    ("digitalocean", ("DIGITALOCEAN", "DIGITAL_OCEAN", "_DO_")),
    ("heroku", ("HEROKU",)),
    ("discord", ("DISCORD",)),
    ("brave", ("BRAVE",)),
    ("azure-devops", ("AZURE_DEVOPS", "AZUREDEVOPS", "_ADO_", "_AZDO_", "_VSTS_")),
)

# Whole names that name a provider without containing its name.
EXACT_NAMES: dict[str, str] = {
    "_X_SUBSCRIPTION_TOKEN_": "brave",
    "_PRIVATE_TOKEN_": "gitlab",
    "_NODE_AUTH_TOKEN_": "npm",
    "_JOB_TOKEN_": "gitlab",
}

# The scheme word of an Authorization value that names a provider.
SCHEME_HINTS: dict[str, str] = {"sentry-bearer": "sentry", "bot": "discord"}

# Weak hints: words in the server's name, its command and package, and its URL's host
# (lower case). Short words must be whole words; long ones may be part of one ("notionhq").
WEAK_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("github", ("github",)),
    ("gitlab", ("gitlab",)),
    ("slack", ("slack",)),
    ("google", ("google", "gdrive", "gmail", "gcp", "bigquery")),
    ("npm", ("npmjs",)),
    ("cloudflare", ("cloudflare",)),
    ("openai", ("openai",)),
    ("anthropic", ("anthropic",)),
    ("huggingface", ("huggingface", "hf")),
    ("atlassian", ("atlassian", "jira", "confluence", "bitbucket")),
    ("notion", ("notion",)),
    ("linear", ("linear",)),
    ("sentry", ("sentry",)),
    ("stripe", ("stripe",)),
    ("aws", ("aws", "awslabs")),
    ("supabase", ("supabase",)),
    ("vercel", ("vercel",)),
    ("figma", ("figma",)),
    ("postman", ("postman",)),
    ("digitalocean", ("digitalocean",)),
    ("heroku", ("heroku",)),
    ("discord", ("discord",)),
    ("brave", ("brave",)),
    ("azure-devops", ("azure-devops", "azuredevops", "ado", "azdo")),
)
