"""A credential a server definition hands to the server, and where it was found."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

from responder.core.secrets import Secret


@dataclass(frozen=True)
class Origin:
    """One place a credential appears: a config file, a server, a field, and how it got there."""

    config: str  # path of the config file
    server: str
    field: str  # e.g. "env.GITHUB_PERSONAL_ACCESS_TOKEN", "headers.Authorization", "args[3]"
    literal: bool  # written into the config itself (a finding: never hardcode tokens)
    variable: str | None = None  # the environment variable a ${VAR} reference named


@dataclass(frozen=True)
class Credential:
    secret: Secret
    provider: str | None  # "github", ... or None when the format is not recognised
    kind: str  # e.g. "personal access token (classic)"
    origins: tuple[Origin, ...] = ()
    # Non-secret settings from the same server definition that say where the credential works
    # or which account it is: ("github_host", "https://ghe.example.com"), ("aws_access_key_id",
    # "AKIA..."), ("atlassian_user", "dana@example.com"). Never a secret value.
    context: tuple[tuple[str, str], ...] = ()
    # Other forms the value was found in (base64 `email:pat`, a Basic header): scrubbed from
    # every output like the value itself.
    encodings: tuple[Secret, ...] = ()
    # When the format fits more than one provider and nothing in the definition decides, the
    # candidates; the credential is then never sent to any of them (it would leak to the others).
    candidates: tuple[str, ...] = ()
    # False when the value looks like a known kind but does not fit its format (too short, bad
    # characters): it is listed with a manual step and never sent anywhere.
    well_formed: bool = True

    def setting(self, key: str) -> str | None:
        return dict(self.context).get(key)

    @property
    def id(self) -> str:
        return self.secret.fingerprint

    @property
    def literal(self) -> bool:
        return any(o.literal for o in self.origins)

    def describe(self) -> dict[str, object]:
        """The journal-safe description: never the value, only its redacted form and fingerprint."""
        return {
            "id": self.id,
            "redacted": self.secret.redacted,
            "provider": self.provider,
            "kind": self.kind,
            "literal": self.literal,
            "context": dict(self.context),
            "candidates": list(self.candidates),
            "well_formed": self.well_formed,
            "origins": [
                {"config": o.config, "server": o.server, "field": o.field, "literal": o.literal,
                 "variable": o.variable}
                for o in self.origins
            ],
        }


@dataclass
class CredentialStore:
    """The run's credentials by fingerprint; step outputs carry fingerprints, never values."""

    _items: dict[str, Credential] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, credential: Credential) -> Credential:
        with self._lock:
            existing = self._items.get(credential.id)
            if existing is None:
                self._items[credential.id] = credential
                return credential
            merged = replace(
                existing,
                origins=tuple(dict.fromkeys(existing.origins + credential.origins)),
                context=tuple(dict.fromkeys(existing.context + credential.context)),
                encodings=tuple(dict.fromkeys(existing.encodings + credential.encodings)),
            )
            self._items[credential.id] = merged
            return merged

    def get(self, credential_id: str) -> Credential:
        return self._items[credential_id]

    def has(self, credential_id: str) -> bool:
        return credential_id in self._items

    def all(self) -> list[Credential]:
        return list(self._items.values())
