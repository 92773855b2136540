"""The RunContext: everything a step may use, injected instead of read from globals."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from responder.activity.evidence import EvidenceStore
from responder.core.machine import Machine
from responder.core.secrets import Secret, SecretRegistry
from responder.credentials.model import CredentialStore
from responder.engine.approvals import ApprovalPolicy
from responder.engine.journal import Journal
from responder.engine.model import Playbook
from responder.engine.output import Output

if TYPE_CHECKING:
    from responder.providers.registry import Providers


@dataclass(frozen=True)
class Endpoints:
    """Provider base URLs the user (or a drill) set: RESPONDER_<PROVIDER>_API_URL."""

    urls: Mapping[str, str] = field(default_factory=dict)  # provider name → base URL
    # RESPONDER_HOST_MAP: host → base URL that answers for it (simulators, mirrors); the
    # request keeps the host's name in its Host header.
    hosts: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Endpoints:
        urls = {}
        for key, value in env.items():
            if key.startswith("RESPONDER_") and key.endswith("_API_URL") and value.strip():
                urls[key[len("RESPONDER_"):-len("_API_URL")].lower()] = value.strip()
        hosts = {}
        for pair in env.get("RESPONDER_HOST_MAP", "").replace(",", " ").split():
            host, eq, base = pair.partition("=")
            if eq and host.strip() and base.strip():
                hosts[host.strip().lower()] = base.strip().rstrip("/")
        return cls(MappingProxyType(urls), MappingProxyType(hosts))

    @property
    def github_api_url(self) -> str:
        return self.urls.get("github", "https://api.github.com")


@dataclass(frozen=True)
class Timing:
    """Bounds on waiting, so a dead provider can never hang a run."""

    request_timeout: float = 10.0
    snapshot_budget: float = 20.0  # seconds for the pre-revocation activity pull
    verify_backoff: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0)
    read_retries: int = 3
    max_retry_after: float = 10.0
    lock_wait: float = 5.0  # for a client's lock on a config file
    recheck_after: float = 2.0  # how long a config must hold before the end-of-run re-check


@dataclass
class RunContext:
    run_id: str
    run_dir: Path
    machine: Machine
    clock: Callable[[], datetime]
    since: timedelta
    secrets: SecretRegistry
    journal: Journal
    output: Output
    approvals: ApprovalPolicy
    endpoints: Endpoints = field(default_factory=Endpoints)
    timing: Timing = field(default_factory=Timing)
    dry_run: bool = False
    offline: bool = False
    responder_tokens: dict[str, Secret] = field(default_factory=dict)
    credentials: CredentialStore = field(default_factory=CredentialStore)
    playbook: Playbook | None = None
    templates: Path | None = None  # --templates: the user's report templates, tried first
    rules: tuple[Any, ...] = ()  # flagging rules (activity.rules.Rule): the user's, then shipped
    rule_files: tuple[str, ...] = ()  # the user's --rules files, for the journal (and resume)
    # A resumed run: the journal events of its earlier attempts, for actions that must know
    # what was already sent (tokens.revoke never sends a revocation twice).
    earlier: tuple[dict[str, Any], ...] = ()
    # Data a step hands to a later one that must not appear in outputs (e.g. pre-revocation
    # captures that hold account data the journal should not repeat).
    shared: dict[str, Any] = field(default_factory=dict)
    _evidence: EvidenceStore | None = None
    _providers: Any = None
    # Steps call providers concurrently: the first uses of these must build one of each.
    _lazy: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    @property
    def providers(self) -> Providers:
        """The run's provider adapters, shared by its steps (created on first use)."""
        with self._lazy:
            if self._providers is None:
                from responder.providers.registry import Providers, settings_for

                self._providers = Providers(settings_for(self))
            return self._providers

    @property
    def evidence(self) -> EvidenceStore:
        with self._lazy:
            if self._evidence is None:
                from responder.credentials.classify import find_in_text

                self._evidence = EvidenceStore(
                    self.run_dir / "evidence", self.secrets, self.clock,
                    find_secrets=lambda text: [value for _, value in find_in_text(text)])
            return self._evidence

    @property
    def window_start(self) -> datetime:
        return self.clock() - self.since
