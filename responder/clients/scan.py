"""Read every config file of the given clients once: its servers, or why it could not be read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from responder.clients import registry
from responder.clients.apply import read_text
from responder.clients.base import ConfigFile, ServerEntry
from responder.core.errors import ConfigParseError
from responder.core.machine import Machine


@dataclass(frozen=True)
class Scanned:
    config: ConfigFile
    entries: tuple[ServerEntry, ...] = ()
    where: str | None = None  # set when the file could not be read or parsed
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def scan(machine: Machine, clients: Iterable[str] | None = None) -> Iterator[Scanned]:
    for name in clients or registry.names():
        adapter = registry.get(name)
        for config in adapter.locate(machine):
            try:
                entries = adapter.parse(config, read_text(config.path))
            except ConfigParseError as exc:
                yield Scanned(config, where=exc.where, error=exc.message)
            except (OSError, UnicodeDecodeError) as exc:
                yield Scanned(config, where=str(config.path), error=f"cannot read: {exc}")
            else:
                yield Scanned(config, tuple(entries))
