"""Provider adapters by name, built from the run's endpoints and timing."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from responder.engine.context import RunContext
    from responder.providers.github import GitHubProvider


def github(ctx: RunContext) -> GitHubProvider:
    from responder.providers.github import GitHubProvider

    return GitHubProvider(ctx.endpoints.github_api_url, ctx.timing)


# Providers with an API adapter; every other provider gets manual steps from the revoke action.
SUPPORTED = ("github",)
