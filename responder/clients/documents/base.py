"""One editable config document, whatever its format: read values, change one key, keep the rest.

A `Document` wraps the text of a JSON/JSONC, TOML or YAML file. Adapters read it as plain Python
values and change it through `set`, `delete` and `append`, addressed by a path of keys and list
indexes. Each backend splices the text (or uses a round-trip library) so that comments, key order,
indentation and line endings outside the touched key stay byte for byte.

The base class checks every change: the edited text is parsed again and must equal the previous
value with exactly that change applied. A backend bug can therefore never write a file that means
something other than what the plan said; it raises `DocumentEditError` instead.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, NoReturn

from responder.core.errors import ConfigParseError

Key = str | int
KeyPath = tuple[Key, ...]

BOM = "\ufeff"


class DocumentEditError(RuntimeError):
    """An edit produced text that does not parse or does not mean what was intended (a bug)."""


class Document(ABC):
    """Parsed text of one config file. Subclasses implement the underscore methods."""

    format: ClassVar[str]  # "json" | "jsonc" | "toml" | "yaml"

    def __init__(self, text: str, path: Path) -> None:
        self.path = path
        self._text = text
        self._value = self._parse(text)

    # -- reading -----------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The current text, with every edit made so far."""
        return self._text

    def value(self, path: KeyPath = ()) -> Any:
        """The plain Python value at `path` (dicts, lists, str, int, float, bool, None), or None
        when the path does not exist. Mappings come back as dicts in file order."""
        node: Any = self._value
        for key in path:
            in_mapping = isinstance(node, Mapping) and isinstance(key, str) and key in node
            in_list = isinstance(node, list) and isinstance(key, int) \
                and -len(node) <= key < len(node)
            if in_mapping or in_list:
                node = node[key]
            else:
                return None
        return node

    def has(self, path: KeyPath) -> bool:
        parent = self.value(path[:-1]) if path else None
        key = path[-1] if path else None
        if isinstance(parent, Mapping):
            return key in parent
        if isinstance(parent, list) and isinstance(key, int):
            return -len(parent) <= key < len(parent)
        return not path

    def line(self, path: KeyPath) -> int:
        """1-based line where the key (or list item) at `path` starts; 1 when unknown."""
        return self.position(path)[0]

    def position(self, path: KeyPath) -> tuple[int, int]:
        """1-based (line, column) of the key or item at `path`, falling back to its nearest
        existing ancestor, then to (1, 1)."""
        for cut in range(len(path), 0, -1):
            if self.has(path[:cut]):
                found = self._position(path[:cut])
                if found is not None:
                    return found
        return (1, 1)

    def fail(self, path: KeyPath, message: str, hint: str | None = None) -> NoReturn:
        """Raise the parse error an adapter reports for a wrong shape at `path`."""
        line, column = self.position(path)
        raise ConfigParseError(self.path, line, column, message, hint)

    # -- editing -----------------------------------------------------------------------------

    def set(self, path: KeyPath, value: Any) -> None:
        """Set the mapping key at `path` (its last element is a str) to `value`. Missing mappings
        on the way are created; an existing key keeps its place in the file."""
        if not path or not isinstance(path[-1], str):
            raise ValueError(f"set() needs a path ending in a key, got {path!r}")
        existing = len(path) - 1
        while existing > 0 and not isinstance(self.value(path[:existing]), Mapping):
            existing -= 1
        if existing and not self.has(path[:existing]):
            raise DocumentEditError(f"no mapping on the way to {path!r}")
        nested: Any = copy.deepcopy(value)
        for key in reversed(path[existing + 1:]):
            nested = {key: nested}
        target = path[: existing + 1]
        expected = _with(self._value, target, nested)
        self._commit(self._set(target, nested), expected)

    def delete(self, path: KeyPath) -> None:
        """Remove the key or list item at `path` (nothing happens when it is absent). A key or item
        that fills whole lines goes with those lines and a comment at the end of its last line."""
        if not path:
            raise ValueError("cannot delete the whole document")
        if not self.has(path):
            return
        expected = _without(self._value, path)
        self._commit(self._delete(path), expected)

    def append(self, path: KeyPath, item: Any) -> None:
        """Append `item` to the list at `path`, creating the list when it is absent."""
        current = self.value(path)
        if current is None and not self.has(path):
            self.set(path, [item])
            return
        if not isinstance(current, list):
            raise DocumentEditError(f"{path!r} is not a list")
        expected = _with(self._value, path, [*current, copy.deepcopy(item)])
        self._commit(self._append(path, copy.deepcopy(item)), expected)

    def _commit(self, new_text: str, expected: Any) -> None:
        try:
            new_value = self._parse(new_text)
        except ConfigParseError as exc:
            raise DocumentEditError(f"the edit made {self.path} invalid: {exc.message}") from exc
        if new_value != expected:
            raise DocumentEditError(f"the edit of {self.path} does not hold the intended value")
        self._text, self._value = new_text, new_value
        self._reparsed()

    # -- backends ----------------------------------------------------------------------------

    @abstractmethod
    def _parse(self, text: str) -> Any:
        """Parse `text` into plain Python values, raising ConfigParseError(self.path, line, col,
        message, hint) on bad syntax. A leading BOM is accepted."""

    @abstractmethod
    def _position(self, path: KeyPath) -> tuple[int, int] | None:
        """1-based line and column of the existing key or item at `path`."""

    @abstractmethod
    def _set(self, path: KeyPath, value: Any) -> str:
        """New text with mapping key `path` set to `value`; the parent mapping exists."""

    @abstractmethod
    def _delete(self, path: KeyPath) -> str:
        """New text without the existing key or item at `path`."""

    @abstractmethod
    def _append(self, path: KeyPath, item: Any) -> str:
        """New text with `item` appended to the existing list at `path`."""

    def _reparsed(self) -> None:  # noqa: B027 - optional hook, most backends need nothing
        """Hook: the text changed; backends holding a syntax tree rebuild it here."""


def _with(root: Any, path: KeyPath, value: Any) -> Any:
    root = copy.deepcopy(root)
    node = root
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return root


def _without(root: Any, path: KeyPath) -> Any:
    root = copy.deepcopy(root)
    node = root
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return root
