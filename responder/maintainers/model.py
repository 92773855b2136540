"""What a maintainer lookup finds: people, versions, signals, contacts and what it could not learn.

Every value records where it came from, because during a publisher compromise the metadata itself
may be the attacker's (maintainers.md, trust warning): the user must see the source of each contact
to judge it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from responder.maintainers.identity import PackageIdentity
from responder.maintainers.repository import SourceRepo


@dataclass(frozen=True)
class Person:
    name: str | None
    email: str | None = None
    role: str = ""  # "maintainer", "publisher", "owner", "author", "authors label", ...
    source: str = ""

    def text(self) -> str:
        who = self.name or self.email or "?"
        return f"{who} <{self.email}>" if self.name and self.email else who


@dataclass(frozen=True)
class Release:
    version: str
    published: datetime | None = None
    publisher: Person | None = None  # npm `_npmUser`; PyPI's JSON API has no uploader
    repository: SourceRepo | None = None
    repository_raw: str | None = None  # as the version declares it, for the signal's text
    yanked: bool = False


@dataclass(frozen=True)
class Signal:
    """A supply-chain sign of a publisher compromise, with the facts that raised it."""

    kind: str  # recent_release, new_publisher, repository_changed, custom_registry, ...
    severity: str  # high | medium | low
    text: str


@dataclass(frozen=True)
class Gap:
    what: str  # what could not be learned
    why: str
    hint: str = ""

    def text(self) -> str:
        return f"{self.what}: {self.why}" + (f" ({self.hint})" if self.hint else "")


@dataclass(frozen=True)
class Contact:
    kind: str  # github-pvr | security-policy | security-txt | project-security-url | email
    address: str  # https URL, mailto:, or the repository for PVR
    source: str  # where the address was read
    reasons: tuple[str, ...]
    trust: str  # high | medium | low
    warnings: tuple[str, ...] = ()
    submit: str = "manual"  # "github-pvr" when --submit can file it; "manual" otherwise
    package: str = ""  # which package or host it is a channel for ("npm @acme/x")

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "reasons": list(self.reasons), "warnings": list(self.warnings)}


@dataclass
class PackageFacts:
    """Everything learned about one package (or remote host) a server definition runs."""

    identity: PackageIdentity | None
    host: str | None = None  # a remote server's host, when it has no package
    registry_url: str | None = None  # the metadata document read
    page_url: str | None = None  # the package's page for people (npmjs.com, pypi.org)
    repository: SourceRepo | None = None
    repository_source: str = ""
    homepage: str | None = None
    security_url: str | None = None  # PyPI's `security` project URL
    mcp_name: str | None = None
    people: list[Person] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)  # oldest first
    installed: list[str] = field(default_factory=list)  # versions found on this machine
    suspect: list[str] = field(default_factory=list)  # versions that may have run
    latest: str | None = None
    labels: dict[str, str] = field(default_factory=dict)  # OCI labels and annotations
    signals: list[Signal] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    redirects: list[str] = field(default_factory=list)
    found: bool = True  # False: the registry does not know it (removed?)

    @property
    def label(self) -> str:
        if self.identity is None:
            return self.host or "?"
        return f"{self.identity.ecosystem} {self.identity.name}"
