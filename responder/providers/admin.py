"""Privileged credentials the user may hand responder, one documented variable each.

Some providers cannot revoke a key with the key itself: OpenAI project keys and Anthropic keys
need an organisation admin key, and GitHub OAuth app tokens are revoked most precisely by the app
that issued them. With the variable set the adapter takes the admin route; without it, the
credential gets a manual step. Values are registered with the run's secret scrubber.
"""

from __future__ import annotations

from collections.abc import Mapping

from responder.core.secrets import Secret

ADMIN_VARIABLES: dict[str, str] = {
    "RESPONDER_OPENAI_ADMIN_KEY": "an OpenAI organization admin key (sk-admin-…), to delete "
                                  "project API keys",
    "RESPONDER_ANTHROPIC_ADMIN_KEY": "an Anthropic Admin API key (sk-ant-admin01-…), to "
                                     "deactivate API keys",
    "RESPONDER_GITHUB_APP_CLIENT_ID": "the client id of the OAuth app or GitHub App that issued "
                                      "the gho_/ghu_ tokens",
    "RESPONDER_GITHUB_APP_CLIENT_SECRET": "that app's client secret",
}


def admin_credentials(env: Mapping[str, str]) -> dict[str, Secret]:
    return {name: Secret(env[name]) for name in ADMIN_VARIABLES if env.get(name, "").strip()}
