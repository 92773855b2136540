"""Provider adapters by name, and the run's set of adapter instances.

Adapters are imported only when a run meets a credential of theirs (PyGithub and httpx are heavy).
Each (provider, base URL) pair gets one instance, so that tokens for GitHub Enterprise or a
self-hosted GitLab go to their own host and tokens for the public service to theirs.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from responder.providers.base import Provider, Settings

if TYPE_CHECKING:
    from responder.credentials.model import Credential
    from responder.engine.context import RunContext
    from responder.providers.github import GitHubProvider

# Providers with an API adapter (identity, revoke and/or verify over HTTP).
ADAPTERS: dict[str, str] = {
    "github": "responder.providers.github:GitHubProvider",
    "gitlab": "responder.providers.gitlab:GitLabProvider",
    "slack": "responder.providers.slack:SlackProvider",
    "google": "responder.providers.google:GoogleProvider",
    "npm": "responder.providers.npm:NpmProvider",
    "vercel": "responder.providers.vercel:VercelProvider",
    "cloudflare": "responder.providers.cloudflare:CloudflareProvider",
    "openai": "responder.providers.openai:OpenAIProvider",
    "anthropic": "responder.providers.anthropic:AnthropicProvider",
}


def adapter_class(name: str) -> type[Provider]:
    module, _, attribute = ADAPTERS[name].partition(":")
    return getattr(importlib.import_module(module), attribute)


def warm_up(names: Iterable[str | None]) -> None:
    """Import the adapters a run will need in a background thread, while containment (which
    needs none of them) runs: PyGithub alone takes about 0.2 s to import, and that must not be
    paid at the moment the first identity call is due."""
    wanted = sorted({n for n in names if n in ADAPTERS})
    if not wanted:
        return

    def load() -> None:
        for name in wanted:
            adapter_class(name)
        from responder.core.http import tls_context

        tls_context()

    threading.Thread(target=load, name="warm-up", daemon=True).start()


def settings_for(ctx: RunContext) -> Settings:
    from responder.providers.admin import admin_credentials

    return Settings(timing=ctx.timing, endpoints=ctx.endpoints.urls,
                    admin=admin_credentials(ctx.machine.env), clock=ctx.clock,
                    window_start=ctx.window_start)


class Providers:
    """The adapters one run uses, created on first need and shared by its steps."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._instances: dict[tuple[str, str], Provider] = {}
        self._lock = threading.Lock()

    def for_credential(self, credential: Credential) -> Provider:
        """The adapter that handles this credential; a manual-only one when no API may be used:
        unknown, ambiguous or malformed values are never sent anywhere."""
        from responder.providers import manual

        name = credential.provider
        # Only a value whose format is the provider's goes to its API: a name alone
        # (OPENAI_API_KEY holding an Azure key) could send one provider's secret to another.
        recognised = not credential.kind.startswith("unrecognised")
        if name in ADAPTERS and credential.well_formed and not credential.candidates \
                and recognised:
            cls = adapter_class(name)
            return self.instance(cls, cls.base_url_for(credential, self.settings))
        key = ("manual", name or "")
        with self._lock:
            if key not in self._instances:
                self._instances[key] = manual.ManualProvider(name, self.settings)
            return self._instances[key]

    def group(self, credentials: Iterable[Credential]) -> list[tuple[Provider, list[Credential]]]:
        groups: dict[int, tuple[Provider, list[Credential]]] = {}
        for credential in credentials:
            provider = self.for_credential(credential)
            groups.setdefault(id(provider), (provider, []))[1].append(credential)
        return list(groups.values())

    def close(self) -> None:
        with self._lock:
            for provider in self._instances.values():
                provider.close()
            self._instances.clear()

    def instance(self, cls: type[Provider], base_url: str) -> Provider:
        key = (cls.name, base_url)
        with self._lock:
            if key not in self._instances:
                self._instances[key] = cls(base_url, self.settings)
            return self._instances[key]


def github(ctx: RunContext) -> GitHubProvider:
    """The run's github.com (or RESPONDER_GITHUB_API_URL) adapter, for the activity review."""
    from responder.providers.github import GitHubProvider

    return ctx.providers.instance(GitHubProvider,  # type: ignore[return-value]
                                 ctx.endpoints.github_api_url)
