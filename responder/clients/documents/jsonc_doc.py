"""JSON and JSONC documents, edited by splicing text into the spans `clients.jsonc` records.

Strict JSON files go through the same parser: responder only ever adds what strict JSON allows
(no comments, a trailing comma only where the file already uses them), so a strict file stays
strict. Duplicate keys follow JSON.parse (the last one counts); `delete` removes every duplicate.
"""

from __future__ import annotations

import json
import re
from typing import Any

from responder.clients.documents.base import Document, DocumentEditError, KeyPath
from responder.clients.jsonc import (
    BOM,
    ArrayNode,
    EmptyDocumentError,
    JsoncError,
    Node,
    ObjectNode,
    line_col,
    parse,
    to_python,
)
from responder.clients.jsonc_edit import (
    indent_unit,
    newline_of,
    remove_member,
    set_member,
)
from responder.core.errors import ConfigParseError

_DECODER = json.JSONDecoder()
_TRIVIA = re.compile(r"(?:\s+|//[^\r\n]*|/\*.*?\*/)*", re.DOTALL)


class JsoncDocument(Document):
    format = "jsonc"

    def _parse(self, text: str) -> Any:
        if not text.startswith(BOM):
            # Most files are strict JSON: the C parser gives the value, and the span tree (for
            # positions and edits) is built only when something asks for it.
            try:
                value = json.loads(text)
            except ValueError:
                pass
            else:
                self._tree = None
                return value
        try:
            self._tree = parse(text).root
        except EmptyDocumentError as exc:
            raise ConfigParseError(
                self.path,
                exc.line,
                exc.column,
                exc.message,
                hint="the file holds no JSON value: write {} or delete the file",
            ) from exc
        except JsoncError as exc:
            raise ConfigParseError(self.path, exc.line, exc.column, exc.message) from exc
        return to_python(self._tree)

    @property
    def _root(self) -> Node:
        if self._tree is None:
            self._tree = parse(self._text).root
        return self._tree

    def _node(self, path: KeyPath) -> Node:
        node: Node = self._root
        for key in path:
            if isinstance(node, ObjectNode) and isinstance(key, str):
                member = node.get(key)
                if member is None:
                    raise KeyError(path)
                node = member.value
            elif isinstance(node, ArrayNode) and isinstance(key, int):
                node = node.items[key]
            else:
                raise KeyError(path)
        return node

    def _position(self, path: KeyPath) -> tuple[int, int] | None:
        if self._tree is None and path:
            found = self._quick_offset(path)
            if found is not None:
                return line_col(self._text, found)
        if not path:
            return line_col(self._text, self._root.start)
        parent = self._node(path[:-1])
        key = path[-1]
        if isinstance(parent, ObjectNode) and isinstance(key, str):
            member = parent.get(key)
            return line_col(self._text, member.key_start) if member else None
        if isinstance(parent, ArrayNode) and isinstance(key, int):
            return line_col(self._text, parent.items[key].start)
        return None

    def _quick_offset(self, path: KeyPath) -> int | None:
        """Where the key at `path` starts, without building the span tree: each key is searched
        after the previous one, and the answer is kept only if the value written after it is the
        value at `path`. Anything unusual falls back to the tree."""
        if not all(isinstance(key, str) for key in path):
            return None
        text, offset, start = self._text, 0, None
        for key in path:
            match = re.compile(r'(?<!\\)' + re.escape(json.dumps(key, ensure_ascii=False))
                               + r"\s*:\s*").search(text, offset)
            if match is None:
                return None
            start, offset = match.start(), match.end()
        try:
            value, _end = _DECODER.raw_decode(text, offset)
        except ValueError:
            return None
        return start if value == self.value(path) else None

    def _set(self, path: KeyPath, value: Any) -> str:
        parent = self._node(path[:-1])
        if not isinstance(parent, ObjectNode):
            raise DocumentEditError(f"{path[:-1]!r} is not an object")
        key = path[-1]
        assert isinstance(key, str)
        return set_member(self._text, parent, key, self._literal(parent, key, value))

    def _delete(self, path: KeyPath) -> str:
        parent = self._node(path[:-1])
        key = path[-1]
        if isinstance(parent, ObjectNode) and isinstance(key, str):
            return remove_member(self._text, parent, key)
        if isinstance(parent, ArrayNode) and isinstance(key, int):
            return _remove_item(self._text, parent, key % len(parent.items))
        raise DocumentEditError(f"cannot delete {path!r}")

    def _append(self, path: KeyPath, item: Any) -> str:
        array = self._node(path)
        if not isinstance(array, ArrayNode):
            raise DocumentEditError(f"{path!r} is not an array")
        return _append_item(self._text, array, json.dumps(item, ensure_ascii=False))

    def _literal(self, parent: ObjectNode, key: str, value: Any) -> str:
        """JSON text for a new value: an object spreads over lines, indented like its
        neighbours, when the object it goes into does; scalars and lists stay on one line."""
        flat = json.dumps(value, ensure_ascii=False)
        inside = self._text[parent.start + 1 : parent.end - 1]
        if not isinstance(value, dict) or not value or "\n" not in inside:
            return flat
        unit = indent_unit(self._text)
        existing = parent.get(key) or (parent.members[-1] if parent.members else None)
        if existing is not None:
            indent = _line_indent(self._text, existing.key_start)
        else:
            indent = _line_indent(self._text, parent.start) + unit
        pretty = json.dumps(value, ensure_ascii=False, indent="\t" if unit == "\t" else len(unit))
        return pretty.replace("\n", newline_of(self._text) + indent)


def _line_indent(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    line = text[start:offset]
    return line[: len(line) - len(line.lstrip(" \t"))]


def _comma_after(text: str, offset: int) -> int | None:
    """Offset of the ',' that follows a value ending at `offset`, skipping comments."""
    pos = _TRIVIA.match(text, offset).end()
    return pos if pos < len(text) and text[pos] == "," else None


def _remove_item(text: str, array: ArrayNode, index: int) -> str:
    items = array.items
    item = items[index]
    comma = _comma_after(text, item.end)
    if index < len(items) - 1 or comma is not None:
        # Cut the item and its comma; when it sits alone on its line, the line goes too.
        stop = comma + 1
        line_start = text.rfind("\n", 0, item.start) + 1
        rest = text[stop:]
        blank_after = re.match(r"[ \t]*(?:\r?\n|$)", rest)
        if not text[line_start : item.start].strip(" \t") and blank_after:
            return text[:line_start] + text[stop + blank_after.end() :]
        spaces = re.match(r"[ \t]*", rest).end()
        return text[: item.start] + text[stop + spaces :]
    if index == 0:
        return text[: item.start] + text[item.end :]
    previous_comma = _comma_after(text, items[index - 1].end)
    assert previous_comma is not None
    return text[:previous_comma] + text[item.end :]


def _append_item(text: str, array: ArrayNode, literal: str) -> str:
    if not array.items:
        return text[: array.start + 1] + literal + text[array.end - 1 :]
    last = array.items[-1]
    comma = _comma_after(text, last.end)
    inside = text[array.start + 1 : last.start]
    if "\n" not in inside:
        if comma is not None:
            return text[: comma + 1] + " " + literal + "," + text[comma + 1 :]
        return text[: last.end] + ", " + literal + text[last.end :]
    indent = _line_indent(text, last.start)
    added = newline_of(text) + indent + literal
    if comma is not None:
        return text[: comma + 1] + added + "," + text[comma + 1 :]
    return text[: last.end] + "," + added + text[last.end :]
