"""YAML documents (Continue `config.yaml`, Goose `config.yaml`), edited by splicing the text.

ruamel.yaml reads the values (round-trip mode). Dumping its tree back would re-indent sequences,
re-wrap long strings and move comments, so edits do not go through it: ruamel's composer gives the
start and end of every key and value, and each edit replaces exactly the lines or characters of one
entry. The base class then parses the result again and checks that it means what was meant.

Terms used below: an *entry* is a mapping key with its value, or a sequence item; its *content end*
is where its last meaningful character ends (trailing blank lines and comments are not part of it:
they introduce whatever comes next).
"""

from __future__ import annotations

import bisect
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import TaggedScalar
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.scalarbool import ScalarBoolean

from responder.clients.documents.base import BOM, Document, DocumentEditError, KeyPath
from responder.clients.jsonc_edit import indent_unit, newline_of
from responder.core.errors import ConfigParseError

_HINT = "fix the YAML by hand: check the indentation and the quoting around that line"
_DUPLICATE = re.compile(r'found duplicate key "(.*?)" with value')
# Plain scalars that mean the same in block and flow context (no ':', '#', ',', brackets, quotes).
_PLAIN_SAFE = re.compile(r"(?:[A-Za-z0-9_./~]|-(?=\S))[A-Za-z0-9_@./~+= -]*(?<! )")
_REST_OF_LINE = re.compile(r"[ \t]*(?:#[^\r\n]*)?")


class YamlDocument(Document):
    format = "yaml"

    def _parse(self, text: str) -> Any:
        body = text[1:] if text.startswith(BOM) else text
        try:
            return _plain(YAML(typ="rt").load(body))
        except MarkedYAMLError as exc:
            raise _parse_error(self, exc) from None
        except YAMLError as exc:
            raise ConfigParseError(self.path, 1, 1, str(exc), _HINT) from None

    def _position(self, path: KeyPath) -> tuple[int, int] | None:
        try:
            entry = _Tree.of(self._text).entry(path)
        except (YAMLError, DocumentEditError):
            return None
        node = entry.key if entry.key is not None else entry.value
        return node.start_mark.line + 1, node.start_mark.column + 1

    def _set(self, path: KeyPath, value: Any) -> str:
        tree = _Tree.of(self._text)
        parent = _written(tree.entry(path[:-1]).value, path[:-1])
        if not isinstance(parent, MappingNode):
            raise DocumentEditError(f"{path[:-1]!r} is not a mapping in the YAML text")
        key = path[-1]
        existing = next((e for e in tree.children(parent) if _key_is(e.key, key)), None)
        if existing is not None:
            return tree.replace_value(existing, value)
        return tree.insert_key(parent, str(key), value)

    def _delete(self, path: KeyPath) -> str:
        tree = _Tree.of(self._text)
        return tree.remove(tree.entry(path))

    def _append(self, path: KeyPath, item: Any) -> str:
        tree = _Tree.of(self._text)
        node = _written(tree.entry(path).value, path)
        if not isinstance(node, SequenceNode):
            raise DocumentEditError(f"{path!r} is not a sequence in the YAML text")
        return tree.append(node, item)


def _written(node: Node, path: KeyPath) -> Node:
    """`node`, unless it is an alias: editing it would change every place that uses the anchor."""
    if isinstance(node, _AliasNode):
        raise DocumentEditError(
            f"{path!r} is an alias of an anchor used elsewhere; edit it by hand"
        )
    return node


# -- reading -------------------------------------------------------------------------------------


def _parse_error(document: Document, exc: MarkedYAMLError) -> ConfigParseError:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = exc.problem or exc.context or "invalid YAML"
    if isinstance(exc, DuplicateKeyError):
        # ruamel's message quotes both values, which may be secrets: name the key only.
        found = _DUPLICATE.search(problem)
        problem = f'duplicate key "{found.group(1) if found else "?"}"'
        hint = "a key may appear only once in a mapping: remove or rename one of the two"
        return ConfigParseError(document.path, line, column, problem, hint)
    return ConfigParseError(document.path, line, column, problem, _HINT)


def _plain(data: Any) -> Any:
    """ruamel's round-trip types as plain Python values."""
    if isinstance(data, dict):
        # Complex keys (`? [a, b]`) stay as ruamel made them: plain lists cannot be keys.
        return {
            _plain(k) if isinstance(k, str | int | float) else k: _plain(v) for k, v in data.items()
        }
    if isinstance(data, list):
        return [_plain(v) for v in data]
    if isinstance(data, TaggedScalar):
        return data.value
    if isinstance(data, bool | ScalarBoolean):
        return bool(data)
    for kind in (str, int, float):
        if isinstance(data, kind):
            return kind(data)
    return data


# -- the node tree -------------------------------------------------------------------------------


class _AliasNode(ScalarNode):
    """An alias (`*name`) where it is written; the composer would give the anchored node, whose
    position is elsewhere in the file."""

    def __init__(self, target: Node, event: AliasEvent) -> None:
        super().__init__("alias", "", event.start_mark, event.end_mark)
        self.target = target


class _SpanComposer(Composer):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.parser.check_event(AliasEvent):
            event = self.parser.peek_event()
            return _AliasNode(super().compose_node(parent, index), event)
        return super().compose_node(parent, index)


@dataclass(frozen=True)
class _Entry:
    """A mapping key with its value, or a sequence item (`key` is None); `parent` is None for the
    document's root node."""

    key: Node | None
    value: Node
    parent: Node | None


def _key_is(node: Node | None, key: Any) -> bool:
    return isinstance(node, ScalarNode) and isinstance(key, str) and node.value == key


class _Tree:
    """The composed nodes of one text, with offsets into that text (the BOM included)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.shift = 1 if text.startswith(BOM) else 0
        yaml = YAML(typ="rt")
        yaml.Composer = _SpanComposer
        self.root: Node | None = yaml.compose(text[self.shift :])
        self.parents: dict[int, _Entry] = {}
        if self.root is not None:
            self._index(self.root)

    @staticmethod
    def of(text: str) -> _Tree:
        return _tree(text)

    def _index(self, node: Node) -> None:
        for entry in self.children(node):
            self.parents[id(entry.value)] = entry
            if not isinstance(entry.value, _AliasNode):
                self._index(entry.value)

    # navigation

    def children(self, node: Node) -> list[_Entry]:
        if isinstance(node, MappingNode):
            return [_Entry(k, v, node) for k, v in node.value]
        if isinstance(node, SequenceNode):
            return [_Entry(None, v, node) for v in node.value]
        return []

    def entry(self, path: KeyPath) -> _Entry:
        if self.root is None:
            raise DocumentEditError("the YAML document is empty")
        current = _Entry(None, self.root, None)
        for key in path:
            if isinstance(current.value, _AliasNode):
                raise DocumentEditError(f"{path!r} goes through an alias; edit it by hand")
            children = self.children(current.value)
            if isinstance(key, int) and isinstance(current.value, SequenceNode):
                if not -len(children) <= key < len(children):
                    raise DocumentEditError(f"no item {key} at {path!r}")
                current = children[key]
                continue
            found = [e for e in children if _key_is(e.key, key)]
            if not found:
                raise DocumentEditError(f"no key {key!r} in the YAML text at {path!r}")
            current = found[-1]
        return current

    # positions

    def start(self, node: Node) -> int:
        return node.start_mark.index + self.shift

    def end(self, node: Node) -> int:
        return node.end_mark.index + self.shift

    def colon_after(self, key: Node) -> int:
        """Offset just past the ':' that follows a mapping key."""
        match = re.compile(r"[ \t]*:").match(self.text, self.end(key))
        if match is None:
            raise DocumentEditError(f"no ':' after the key at offset {self.end(key)}")
        return match.end()

    def dash_before(self, item: Node) -> int:
        """Offset of the '-' that starts a block sequence item."""
        offset = self.start(item)
        while offset > 0 and self.text[offset - 1] in " \t\r\n":
            offset -= 1
        if offset == 0 or self.text[offset - 1] != "-":
            raise DocumentEditError(f"no '-' before the item at offset {self.start(item)}")
        return offset - 1

    def is_empty_scalar(self, node: Node) -> bool:
        # An empty value (`key:`) is reported at the position of the next token.
        return isinstance(node, ScalarNode) and node.style is None and node.value == ""

    def content_end(self, entry: _Entry) -> int:
        """Where the entry's last meaningful character ends."""
        node = entry.value
        if self.is_empty_scalar(node) and not isinstance(node, _AliasNode):
            if entry.key is not None:
                return self.colon_after(entry.key)
            return self.dash_before(node) + 1 if entry.parent is not None else 0
        if isinstance(node, ScalarNode):
            # Block scalars (`|`, `>`) end after the blank lines that follow them.
            return self.start(node) + len(self.text[self.start(node) : self.end(node)].rstrip())
        if node.flow_style:
            return self.end(node)
        last = self.children(node)[-1]
        return self.content_end(last)

    def line_end(self, offset: int) -> int:
        """End of the line's content (before its newline), past a comment after `offset`."""
        match = _REST_OF_LINE.match(self.text, offset)
        end = match.end() if match else offset
        if end < len(self.text) and self.text[end] not in "\r\n":
            raise DocumentEditError(f"unexpected text after offset {offset}")
        return end

    def line_start(self, offset: int) -> int:
        return self.text.rfind("\n", 0, offset) + 1

    def alone_on_line(self, offset: int) -> bool:
        return not self.text[self.line_start(offset) : offset].strip(" \t" + BOM)

    def column(self, offset: int) -> int:
        return (
            offset - self.line_start(offset) - (self.shift if self.line_start(offset) == 0 else 0)
        )

    # edits

    def remove(self, entry: _Entry) -> str:
        parent = entry.parent
        if parent is None:
            raise DocumentEditError("cannot remove the whole YAML document")
        if parent.flow_style:
            return self._remove_flow(entry)
        siblings = self.children(parent)
        index = next(i for i, e in enumerate(siblings) if e.value is entry.value)
        start = self._block_start(entry)
        holder = self.parents.get(id(parent))
        end = self.line_end(self.content_end(entry))
        if holder is None and len(siblings) == 1:
            return self._splice(start, end, _empty(parent))  # the document's only entry
        if not self.alone_on_line(start):
            # The first key of a `- key: value` item: the next key moves up to its place.
            if index + 1 < len(siblings):
                return self._splice(start, self._block_start(siblings[index + 1]), "")
            return self._splice(start, self.content_end(entry), _empty(parent))
        opens = index == 0 and len(siblings) > 1
        new = _without_lines(self.text, start, end, first=opens)
        if len(siblings) == 1 and holder is not None:
            new = self._emptied(new, parent, holder)
        return new

    def _block_start(self, entry: _Entry) -> int:
        return self.start(entry.key) if entry.key is not None else self.dash_before(entry.value)

    def _emptied(self, new: str, collection: Node, holder: _Entry) -> str:
        """`new` with `{}` or `[]` written after the key (or '-') of the now-empty `collection`."""
        at = self.colon_after(holder.key) if holder.key else self.dash_before(collection) + 1
        # `at` lies before the removed lines, so it is the same offset in `new`.
        return new[:at] + " " + _empty(collection) + new[at:]

    def _remove_flow(self, entry: _Entry) -> str:
        parent = entry.parent
        assert parent is not None
        siblings = self.children(parent)
        index = next(i for i, e in enumerate(siblings) if e.value is entry.value)
        start = self.start(entry.key) if entry.key is not None else self.start(entry.value)
        end = self.content_end(entry)
        if index + 1 < len(siblings):
            after = siblings[index + 1]
            return self._splice(start, self._entry_start(after), "")
        if index:
            return self._splice(self.content_end(siblings[index - 1]), end, "")
        return self._splice(self.start(parent), self.end(parent), _empty(parent))

    def _entry_start(self, entry: _Entry) -> int:
        return self.start(entry.key) if entry.key is not None else self.start(entry.value)

    def replace_value(self, entry: _Entry, value: Any) -> str:
        node = entry.value
        inline = not (self.is_empty_scalar(node) or isinstance(node, _AliasNode))
        if inline and isinstance(node, ScalarNode):
            inline = node.style not in ("|", ">")
        if inline and isinstance(node, MappingNode | SequenceNode):
            inline = bool(node.flow_style)
        if inline:
            return self._splice(self.start(node), self.end(node), _flow(value))
        assert entry.key is not None
        colon, end = self.colon_after(entry.key), self.content_end(entry)
        indent = self.column(self.start(entry.key))
        return self._splice(colon, end, self._value_text(value, indent, entry.parent))

    def _value_text(self, value: Any, indent: int, mapping: Node | None) -> str:
        """What follows `key:`: ` value`, or a nested block mapping in block mappings."""
        if isinstance(value, dict) and value and mapping is not None and not mapping.flow_style:
            unit = _indent_unit(self.text)
            pad = " " * indent + unit
            newline = newline_of(self.text)
            return "".join(newline + pad + line for line in _block_lines(value, unit))
        return " " + _flow(value)

    def insert_key(self, mapping: MappingNode, key: str, value: Any) -> str:
        entries = self.children(mapping)
        if mapping.flow_style:
            pair = f"{_scalar(key)}: {_flow(value)}"
            if not entries:
                return self._splice(self.start(mapping), self.end(mapping), "{" + pair + "}")
            end = self.content_end(entries[-1])
            return self._splice(end, end, ", " + pair)
        assert entries[0].key is not None
        indent = self.column(self.start(entries[0].key))
        line = " " * indent + _scalar(key) + ":" + self._value_text(value, indent, mapping)
        return self._add_line(self.line_end(self.content_end(entries[-1])), line)

    def append(self, sequence: SequenceNode, item: Any) -> str:
        entries = self.children(sequence)
        if sequence.flow_style or not entries:
            if not entries:
                return self._splice(self.start(sequence), self.end(sequence), f"[{_flow(item)}]")
            end = self.content_end(entries[-1])
            return self._splice(end, end, ", " + _flow(item))
        last = entries[-1]
        dash = self.dash_before(last.value)
        # The gap between '-' and the item (`- name` or `-   name`) is kept for the new item.
        gap = self.start(last.value) - dash - 1
        if "\n" in self.text[dash : self.start(last.value)] or not self.alone_on_line(dash):
            gap = 1
        dash_column = self.column(dash)
        return self._add_line(
            self.line_end(self.content_end(last)), _item_text(item, dash_column, gap, self.text)
        )

    def _add_line(self, line_end: int, line: str) -> str:
        """Insert `line` as a new line after the line whose content ends at `line_end`."""
        return self._splice(line_end, line_end, newline_of(self.text) + line)

    def _splice(self, start: int, end: int, replacement: str) -> str:
        return self.text[:start] + replacement + self.text[end:]


@lru_cache(maxsize=8)
def _tree(text: str) -> _Tree:
    return _Tree(text)


# -- removing lines ------------------------------------------------------------------------------


def _without_lines(text: str, start: int, end: int, *, first: bool) -> str:
    """`text` without the full lines from offset `start` to `end`, and without the blank lines
    that would otherwise double up around the gap (`first`: the entry opened its collection and
    others follow, so blank lines after it only separated it from them)."""
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    top = bisect.bisect_right(offsets, start) - 1
    bottom = bisect.bisect_right(offsets, end) - 1
    top, bottom = _tidy_blank_lines(lines, top, min(bottom, len(lines) - 1), first=first)
    kept = "".join(lines[:top] + lines[bottom + 1 :])
    if text.startswith(BOM) and not kept.startswith(BOM):
        kept = BOM + kept  # the first line went, the byte-order mark stays
    if text and not text.endswith("\n") and kept.endswith("\n"):
        # The last line went: the line before it becomes the last, again without a newline.
        kept = kept[:-2] if kept.endswith("\r\n") else kept[:-1]
    return kept


def _tidy_blank_lines(lines: list[str], top: int, bottom: int, *, first: bool) -> tuple[int, int]:
    def blank(index: int) -> bool:
        return not lines[index].strip(" \t\r\n" + BOM)

    if all(blank(i) for i in range(bottom + 1, len(lines))):
        while top > 0 and blank(top - 1):
            top -= 1
        return top, len(lines) - 1
    before = lines[top - 1].strip(" \t") if top else ""
    # A blank line (or the collection's own key line) above the gap already separates it.
    if top == 0 or blank(top - 1) or (first and not before.startswith("#")):
        while bottom + 1 < len(lines) and blank(bottom + 1):
            bottom += 1
    return top, bottom


# -- rendering -----------------------------------------------------------------------------------


def _indent_unit(text: str) -> str:
    """The file's indentation step; YAML indents with spaces only (a tab may start a line inside
    a block scalar, which says nothing about indentation)."""
    unit = indent_unit(text)
    return unit if unit.strip(" ") == "" else "  "


def _empty(collection: Node) -> str:
    return "{}" if isinstance(collection, MappingNode) else "[]"


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    text = str(value)
    if _PLAIN_SAFE.fullmatch(text) and _reads_as_string(text):
        return text
    # JSON strings are valid YAML double-quoted scalars.
    return json.dumps(text, ensure_ascii=False)


@lru_cache(maxsize=256)
def _reads_as_string(text: str) -> bool:
    """Whether `text` written plain reads back as that string (not `true`, `1.5`, `null`...)."""
    try:
        return YAML(typ="safe", pure=True).load(f"k: {text}") == {"k": text}
    except YAMLError:
        return False


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _block_lines(value: dict[Any, Any], unit: str) -> list[str]:
    """A mapping in block style, one line per key; nested mappings indent by `unit`."""
    lines: list[str] = []
    for key, item in value.items():
        if isinstance(item, dict) and item:
            lines.append(f"{_scalar(key)}:")
            lines.extend(unit + line for line in _block_lines(item, unit))
        else:
            lines.append(f"{_scalar(key)}: {_flow(item)}")
    return lines


def _item_text(item: Any, dash_column: int, gap: int, text: str) -> str:
    """A block sequence item: `- value`, or a mapping with its first key on the dash's line."""
    lead = " " * dash_column + "-" + " " * gap
    if not (isinstance(item, dict) and item):
        return lead + _flow(item)
    lines = _block_lines(item, _indent_unit(text))
    pad = newline_of(text) + " " * (dash_column + 1 + gap)
    return lead + pad.join(lines)
