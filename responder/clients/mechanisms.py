"""The ways a client can be told not to start a server (shared/reference/mcp-clients.md §1).

Each mechanism edits one `Document` and can tell whether an entry is switched off by it:
- `Flag`: a key in the entry the client reads (`"disabled": true`, `enabled = false`);
- `Remove`: no flag exists, so the entry goes; the run's backup keeps the original file;
- `ProjectList`: the client's own list next to the entry (Claude Code's `disabledMcpServers`);
- `Elsewhere`: the switch lives in another file (Gemini CLI's enablement file); the adapter's
  companion edit writes it, and `holds` is answered by the adapter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from responder.clients.documents.base import Document, KeyPath


@dataclass(frozen=True)
class Found:
    """One server entry in a document: the container it sits in, its key there, its name."""

    container: KeyPath
    key: str | int
    name: str
    value: Any

    @property
    def path(self) -> KeyPath:
        return (*self.container, self.key)


def dotted(path: KeyPath) -> str:
    """`projects["/src/app"].mcpServers.github` style, for messages."""
    text = ""
    for key in path:
        if isinstance(key, int):
            text += f"[{key}]"
        elif key.replace("_", "").replace("-", "").isalnum():
            text += f".{key}" if text else key
        else:
            text += f"[{json.dumps(key)}]"
    return text


class Mechanism(Protocol):
    label: str  # how the user's checklist names it

    def done(self, doc: Document, found: Found) -> bool:
        """True when nothing more needs to change in this document for `found`."""
        ...

    def apply(self, doc: Document, found: Found) -> str:
        """Make the change in `doc`; return the sentence that describes it."""
        ...

    def keeps_entry(self) -> bool:
        ...


@dataclass(frozen=True)
class Flag:
    key: str
    value: bool

    @property
    def label(self) -> str:
        return f'"{self.key}": {json.dumps(self.value)}'

    def done(self, doc: Document, found: Found) -> bool:
        return isinstance(found.value, dict) and found.value.get(self.key) is self.value

    def apply(self, doc: Document, found: Found) -> str:
        doc.set((*found.path, self.key), self.value)
        return f"set {self.label} in {dotted(found.path)}"

    def keeps_entry(self) -> bool:
        return True


@dataclass(frozen=True)
class Remove:
    label: str = "entry removed (kept in the run's backups for `responder runs restore`)"

    def done(self, doc: Document, found: Found) -> bool:
        return False  # a found entry is still there

    def apply(self, doc: Document, found: Found) -> str:
        doc.delete(found.path)
        return (f"removed {dotted(found.path)} (the client has no disable flag; the entry is kept "
                "in this run's backups for `responder runs restore`)")

    def keeps_entry(self) -> bool:
        return False


@dataclass(frozen=True)
class ProjectList:
    """A list of disabled names kept in the mapping that holds the server container."""

    key: str

    @property
    def label(self) -> str:
        return f'name listed in "{self.key}"'

    def _list_path(self, found: Found) -> KeyPath:
        return (*found.container[:-1], self.key)

    def done(self, doc: Document, found: Found) -> bool:
        listed = doc.value(self._list_path(found))
        return isinstance(listed, list) and found.name in listed

    def apply(self, doc: Document, found: Found) -> str:
        path = self._list_path(found)
        if doc.has(path) and not isinstance(doc.value(path), list):
            doc.fail(path, f"{dotted(path)} must be a list of server names",
                     f'write "{self.key}": ["{found.name}"]')
        doc.append(path, found.name)
        return f'added "{found.name}" to {dotted(path)}'

    def keeps_entry(self) -> bool:
        return True


@dataclass(frozen=True)
class Elsewhere:
    label: str

    def done(self, doc: Document, found: Found) -> bool:
        return True

    def apply(self, doc: Document, found: Found) -> str:  # pragma: no cover - never called
        raise AssertionError("Elsewhere mechanisms change no entry")

    def keeps_entry(self) -> bool:
        return True
