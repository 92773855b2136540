"""TOML documents (OpenAI Codex `config.toml`), edited by splicing the text.

tomlkit parses, and so validates, every version of the text. Its own editing is not used: a key it
adds to a table lands after the comments that introduce the next table, and a table it removes takes
the next table's comments along. Instead a small scanner records where every header, key and value
starts and ends (tomlkit keeps no positions), and each edit replaces exactly the lines or characters
of one entry. The base class then parses the result again and checks that it means what was meant.

Layout terms used below: a *section* is a `[table]` or `[[array]]` header with the key-value lines
under it; its *body end* is the end of its last key-value (or of the header when it has none).
Blank lines and comments after the body end introduce whatever comes next, so they stay with it.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError, TOMLKitError

from responder.clients.documents.base import BOM, Document, DocumentEditError, KeyPath
from responder.clients.jsonc_edit import newline_of
from responder.core.errors import ConfigParseError

_HINT = "fix the TOML syntax by hand (responder never writes a file it cannot parse)"
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR = re.compile(r"[A-Za-z0-9_+\-.:]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_AFTER_SPACE = re.compile(r" \d{2}:")
_ERROR_PLACE = re.compile(r"\s+at line \d+ col \d+$")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|x([0-9A-Fa-f]{2})|(.))", re.S)
_SIMPLE_ESCAPES = {
    "b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "e": "\x1b", '"': '"', "\\": "\\",
}  # fmt: skip
_COMMENT_OR_BLANK = re.compile(r"[ \t]*(#.*)?\r?\n?")
_SEPARATOR = re.compile(r"[ \t]*=[ \t]*")
_UNPRINTABLE = {
    "character: '\\x00'": "end of file",
    "character: '\\n'": "end of line",
    "character: '\\r'": "end of line",
}


class TomlDocument(Document):
    format = "toml"

    def _parse(self, text: str) -> Any:
        body = text[1:] if text.startswith(BOM) else text
        try:
            # The C-speed standard parser for the value; tomlkit only to explain an error.
            return tomllib.loads(body)
        except tomllib.TOMLDecodeError:
            pass
        try:
            return tomlkit.parse(body).unwrap()
        except ParseError as exc:
            message = _ERROR_PLACE.sub("", str(exc))
            for shown, meant in _UNPRINTABLE.items():
                message = message.replace(shown, meant)
            line, column = exc.line, exc.col + 1
            # tomlkit notices a table defined twice only at the end of its second body.
            duplicate = _redefined_line(text) if "already exists" in message else None
            if duplicate is not None:
                line, column = duplicate, 1
            raise ConfigParseError(self.path, line, column, message, _HINT) from None
        except (TOMLKitError, ValueError) as exc:
            # Errors found after parsing (a table defined twice) carry no position: look for one.
            line = _redefined_line(text) or 1
            raise ConfigParseError(self.path, line, 1, str(exc), _HINT) from None

    def _position(self, path: KeyPath) -> tuple[int, int] | None:
        try:
            layout = _scan(self._text)
        except _ScanError:
            return None
        offset = layout.offset_of(path)
        return None if offset is None else _line_col(self._text, offset)

    def _set(self, path: KeyPath, value: Any) -> str:
        text = self._text
        site = _layout(text).inline_node(path)
        if site is not None:
            return text[: site.start] + _render(value) + text[site.end :]
        if self.has(path):
            # A table written as a [section] or as dotted keys: replace it wholesale.
            text = _delete(text, path)
        return _insert_key(text, path, value)

    def _delete(self, path: KeyPath) -> str:
        return _delete(self._text, path)

    def _append(self, path: KeyPath, item: Any) -> str:
        text = self._text
        layout = _layout(text)
        node = layout.inline_node(path)
        if node is not None and node.kind == "array":
            return _append_item(text, node, _render(item))
        elements = [h for h in layout.headers if h.is_array and h.path[:-1] == path]
        if elements and isinstance(item, dict):
            return _append_table(text, layout, elements[-1], item)
        raise DocumentEditError(f"cannot append to {path!r}: no array found in the text")


# -- scanning ----------------------------------------------------------------------------------


class _ScanError(Exception):
    """The scanner did not understand text that tomlkit accepted."""


@dataclass
class _Node:
    """A value: `kind` is "scalar", "array" or "table" (an inline table)."""

    start: int
    end: int
    kind: str
    children: list[_Child] = field(default_factory=list)


@dataclass
class _Child:
    """An array item (`keys` is empty) or an inline table entry."""

    keys: tuple[str, ...]
    start: int  # of the key, or of the value for array items
    key_end: int
    value: _Node
    comma: int | None = None


@dataclass
class _Header:
    path: KeyPath  # concrete: array-of-tables elements are addressed by their index
    is_array: bool
    start: int  # the "["
    end: int  # end of the header line's content, comment included
    body_end: int


@dataclass
class _Pair:
    table: KeyPath
    entry: _Child
    end: int  # end of the line's content, comment included

    @property
    def path(self) -> KeyPath:
        return self.table + self.entry.keys


@dataclass
class _Layout:
    statements: list[_Header | _Pair]

    @property
    def headers(self) -> list[_Header]:
        return [s for s in self.statements if isinstance(s, _Header)]

    @property
    def pairs(self) -> list[_Pair]:
        return [s for s in self.statements if isinstance(s, _Pair)]

    def offset_of(self, path: KeyPath) -> int | None:
        """Where the first statement defining `path` (or something inside it) starts."""
        for statement in self.statements:
            if isinstance(statement, _Header):
                if _starts_with(statement.path, path):
                    return statement.start
            elif _starts_with(statement.path, path):
                return statement.entry.start
            elif _starts_with(path, statement.path):
                found = _descend(statement.entry.value, path[len(statement.path) :])
                if found is not None and not found[1]:
                    return found[2]
        return None

    def inline_node(self, path: KeyPath) -> _Node | None:
        """The value node exactly at `path`, when a key-value line (or an inline value) holds it."""
        deepest = self.deepest_inline(path)
        return deepest[0] if deepest is not None and not deepest[1] else None

    def deepest_inline(self, path: KeyPath) -> tuple[_Node, KeyPath, int] | None:
        """The innermost value node on the way to `path` and the keys left below it."""
        for pair in self.pairs:
            if _starts_with(path, pair.path):
                return _descend(pair.entry.value, path[len(pair.path) :])
        return None


def _starts_with(path: KeyPath, prefix: KeyPath) -> bool:
    return path[: len(prefix)] == prefix


def _descend(node: _Node, rest: KeyPath) -> tuple[_Node, KeyPath, int] | None:
    """Walk `rest` into an inline value: (node reached, keys left over, start of its key/item)."""
    start = node.start
    while rest:
        key = rest[0]
        if node.kind == "array" and isinstance(key, int):
            if not -len(node.children) <= key < len(node.children):
                return None
            child = node.children[key]
            node, rest, start = child.value, rest[1:], child.start
            continue
        if node.kind != "table":
            return None
        child = next((c for c in node.children if _starts_with(rest, c.keys)), None)
        if child is None:
            return node, rest, start
        node, rest, start = child.value, rest[len(child.keys) :], child.start
    return node, rest, start


@lru_cache(maxsize=8)
def _scan(text: str) -> _Layout:
    return _Scanner(text).scan()


def _layout(text: str) -> _Layout:
    try:
        return _scan(text)
    except _ScanError as exc:
        raise DocumentEditError(f"cannot locate keys in the TOML text: {exc}") from exc


class _Scanner:
    """Records the spans of headers, keys and values in text that tomlkit already accepted."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 1 if text.startswith(BOM) else 0
        self.statements: list[_Header | _Pair] = []
        self.table: KeyPath = ()
        self.header: _Header | None = None
        self.array_counts: dict[KeyPath, int] = {}

    def scan(self) -> _Layout:
        while self._skip_trivia(newlines=True) < len(self.text):
            if self.text[self.pos] == "[":
                self._header()
            else:
                self._pair()
        return _Layout(self.statements)

    # statements

    def _header(self) -> None:
        start = self.pos
        is_array = self.text.startswith("[[", start)
        self.pos += 2 if is_array else 1
        self._skip_blank()
        keys, _ = self._key()
        self._skip_blank()
        self._expect("]]" if is_array else "]")
        self.table = self._resolve(keys, is_array)
        end = self._line_rest()
        self.header = _Header(self.table, is_array, start, end, end)
        self.statements.append(self.header)

    def _resolve(self, keys: tuple[str, ...], is_array: bool) -> KeyPath:
        """The concrete path of a header: an array of tables on the way means its last element."""
        path: KeyPath = ()
        for key in keys[:-1] if is_array else keys:
            path += (key,)
            if path in self.array_counts:
                path += (self.array_counts[path] - 1,)
        if not is_array:
            return path
        path += (keys[-1],)
        count = self.array_counts.get(path, 0)
        self.array_counts[path] = count + 1
        return (*path, count)

    def _pair(self) -> None:
        entry = self._entry()
        end = self._line_rest()
        self.statements.append(_Pair(self.table, entry, end))
        if self.header is not None:
            self.header.body_end = end

    def _entry(self) -> _Child:
        keys, start = self._key()
        key_end = self.pos
        self._skip_blank()
        self._expect("=")
        self._skip_blank()
        return _Child(keys, start, key_end, self._value())

    def _line_rest(self) -> int:
        """Skip to the end of the statement's line; returns where its content (and comment) ends."""
        self._skip_blank()
        if self._peek() == "#":
            self._skip_comment()
        if self.pos < len(self.text) and self._peek() not in "\r\n":
            raise _ScanError(f"unexpected text at offset {self.pos}")
        return self.pos

    # keys and values

    def _key(self) -> tuple[tuple[str, ...], int]:
        start = self.pos
        parts = [self._key_part()]
        while True:
            save = self.pos
            self._skip_blank()
            if self._peek() != ".":
                self.pos = save
                return tuple(parts), start
            self.pos += 1
            self._skip_blank()
            parts.append(self._key_part())

    def _key_part(self) -> str:
        char = self._peek()
        if char in ('"', "'"):
            start = self.pos
            self.pos = self._string_end(start)
            raw = self.text[start + 1 : self.pos - 1]
            return _unescape(raw) if char == '"' else raw
        match = _BARE_KEY.match(self.text, self.pos)
        if match is None:
            raise _ScanError(f"no key at offset {self.pos}")
        self.pos = match.end()
        return match.group()

    def _value(self) -> _Node:
        start, char = self.pos, self._peek()
        if char == "[":
            return self._container("]", "array")
        if char == "{":
            return self._container("}", "table")
        if self.text.startswith(('"""', "'''"), start):
            self.pos = self._multiline_end(start)
        elif char in ('"', "'"):
            self.pos = self._string_end(start)
        else:
            self.pos = self._scalar_end(start)
        return _Node(start, self.pos, "scalar")

    def _container(self, close: str, kind: str) -> _Node:
        node = _Node(self.pos, self.pos, kind)
        self.pos += 1
        while True:
            self._skip_trivia(newlines=True)
            if self._peek() == close:
                self.pos += 1
                node.end = self.pos
                return node
            if kind == "array":
                value = self._value()
                child = _Child((), value.start, value.start, value)
            else:
                child = self._entry()
            node.children.append(child)
            self._skip_trivia(newlines=True)
            if self._peek() == ",":
                child.comma = self.pos
                self.pos += 1
            elif self._peek() != close:
                raise _ScanError(f"expected ',' or {close!r} at offset {self.pos}")

    def _string_end(self, start: int) -> int:
        quote, pos = self.text[start], start + 1
        while pos < len(self.text):
            char = self.text[pos]
            if char == quote:
                return pos + 1
            pos += 2 if char == "\\" and quote == '"' else 1
        raise _ScanError(f"unterminated string at offset {start}")

    def _multiline_end(self, start: int) -> int:
        quote, pos = self.text[start], start + 3
        while pos < len(self.text):
            if self.text[pos] == "\\" and quote == '"':
                pos += 2
            elif self.text.startswith(quote * 3, pos):
                end = pos + 3
                # Up to two quotes right before the closing three belong to the string.
                while end < len(self.text) and self.text[end] == quote and end - pos < 5:
                    end += 1
                return end
            else:
                pos += 1
        raise _ScanError(f"unterminated string at offset {start}")

    def _scalar_end(self, start: int) -> int:
        match = _SCALAR.match(self.text, start)
        if match is None:
            raise _ScanError(f"no value at offset {start}")
        end = match.end()
        # A date-time may separate date and time with one space.
        time = _SCALAR.match(self.text, end + 1) if _DATE.fullmatch(match.group()) else None
        if time is not None and _TIME_AFTER_SPACE.match(self.text, end):
            end = time.end()
        return end

    # whitespace

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _expect(self, token: str) -> None:
        if not self.text.startswith(token, self.pos):
            raise _ScanError(f"expected {token!r} at offset {self.pos}")
        self.pos += len(token)

    def _skip_blank(self) -> None:
        while self._peek() in (" ", "\t"):
            self.pos += 1

    def _skip_comment(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] not in "\r\n":
            self.pos += 1

    def _skip_trivia(self, *, newlines: bool) -> int:
        while True:
            self._skip_blank()
            char = self._peek()
            if char == "#":
                self._skip_comment()
            elif newlines and char in ("\r", "\n"):
                self.pos += 1
            else:
                return self.pos


def _unescape(raw: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2) or match.group(3)
        if code:
            return chr(int(code, 16))
        return _SIMPLE_ESCAPES.get(match.group(4), match.group(4))

    return _ESCAPE.sub(one, raw)


def _redefined_line(text: str) -> int | None:
    """The line of the first key or header that defines something a second time."""
    try:
        layout = _Scanner(text).scan()
    except _ScanError:
        return None
    values: set[KeyPath] = set()
    tables: set[KeyPath] = set()
    for statement in layout.statements:
        if statement.path in values or statement.path in tables:
            offset = statement.start if isinstance(statement, _Header) else statement.entry.start
            return _line_col(text, offset)[0]
        if isinstance(statement, _Header):
            tables.add(statement.path)
        else:
            values.add(statement.path)
            # Dotted keys define every table on their way.
            tables.update(
                statement.path[:cut] for cut in range(len(statement.table) + 1, len(statement.path))
            )
    return None


# -- lines ---------------------------------------------------------------------------------------


def _line_col(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    column = offset - start + 1
    if start == 0 and text.startswith(BOM):
        column -= 1  # editors do not count the byte-order mark
    return text.count("\n", 0, offset) + 1, max(column, 1)


def _split_lines(text: str) -> list[str]:
    """Lines with their own endings; only "\\n" ends a line (as in TOML)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _line_starts(lines: list[str]) -> list[int]:
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line)
    return starts


def _line_index(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1


def _is_trivia(line: str) -> bool:
    return _COMMENT_OR_BLANK.fullmatch(line) is not None


def _is_blank(line: str) -> bool:
    return not line.strip()


def _indent_at(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    prefix = text[start:offset].lstrip(BOM)
    return prefix if not prefix.strip(" \t") else ""


def _insert_line_after(text: str, content_end: int, line: str) -> str:
    """Insert `line` as a new line after the line whose content ends at `content_end`."""
    newline = newline_of(text)
    eol = text.find("\n", content_end)
    if eol == -1:
        # The last line has no final newline: the new line becomes the unterminated last one.
        return text + newline + line
    return text[: eol + 1] + line + newline + text[eol + 1 :]


def _finish(original: str, new: str) -> str:
    """Keep the original's lack of a final newline."""
    if original and not original.endswith("\n") and new.endswith("\n"):
        return new[:-2] if new.endswith("\r\n") else new[:-1]
    return new


# -- deleting ------------------------------------------------------------------------------------


def _delete(text: str, path: KeyPath) -> str:
    layout = _layout(text)
    pairs = [p for p in layout.pairs if _starts_with(p.path, path)]
    headers = [h for h in layout.headers if _starts_with(h.path, path)]
    if not pairs and not headers:
        return _remove_inline(text, path)
    new = _remove_statements(text, pairs, headers)
    parent = path[:-1]
    if parent and not _defines(_layout(new), parent):
        # The removed key was all that defined its table (or array): keep it, empty.
        return _insert_key(new, parent, [] if isinstance(path[-1], int) else {})
    return new


def _defines(layout: _Layout, path: KeyPath) -> bool:
    return any(_starts_with(s.path, path) for s in layout.statements)


def _remove_statements(text: str, pairs: list[_Pair], headers: list[_Header]) -> str:
    lines = _split_lines(text)
    starts = _line_starts(lines)
    doomed: set[int] = set()
    header_lines: set[int] = set()
    for pair in pairs:
        first = _line_index(starts, pair.entry.start)
        doomed.update(range(first, _line_index(starts, pair.end) + 1))
    for header in headers:
        first = _line_index(starts, header.start)
        header_lines.add(first)
        doomed.update(range(first, _line_index(starts, header.body_end) + 1))
    runs = _merge_runs(lines, sorted(doomed))
    for first, last in runs:
        if header_lines.intersection(range(first, last + 1)):
            first, last = _tidy_blank_lines(lines, first, last)
        doomed.update(range(first, last + 1))
    kept = "".join(line for index, line in enumerate(lines) if index not in doomed)
    if text.startswith(BOM) and not kept.startswith(BOM):
        kept = BOM + kept  # the first line went, the byte-order mark stays
    return _finish(text, kept)


def _merge_runs(lines: list[str], doomed: list[int]) -> list[tuple[int, int]]:
    """Contiguous runs of doomed lines; runs apart only by comments and blank lines become one
    (the comments sat inside what is removed, such as a comment above a removed sub-table)."""
    runs: list[tuple[int, int]] = []
    for index in doomed:
        if runs and all(_is_trivia(line) for line in lines[runs[-1][1] + 1 : index]):
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


def _tidy_blank_lines(lines: list[str], first: int, last: int) -> tuple[int, int]:
    """Widen a removed section so that one blank line, not two, separates its neighbours."""
    if all(_is_blank(line) for line in lines[last + 1 :]):
        while first > 0 and _is_blank(lines[first - 1]):
            first -= 1
        return first, len(lines) - 1
    if first == 0 or _is_blank(lines[first - 1]):
        while last + 1 < len(lines) and _is_blank(lines[last + 1]):
            last += 1
    return first, last


def _remove_inline(text: str, path: KeyPath) -> str:
    """Remove the inline entry or item at `path`; dotted entries inside it (`{ a.b = 1, a.c = 2 }`
    for `a`) go one by one, each removal changing the commas the next one sees."""
    found = _inline_children(_layout(text), path)
    while found is not None:
        node, index = found
        text = _remove_child(text, node, index)
        found = None if isinstance(path[-1], int) else _inline_children(_layout(text), path)
    return text


def _inline_children(layout: _Layout, path: KeyPath) -> tuple[_Node, int] | None:
    """The container and index of the last inline entry (or item) at or inside `path`."""
    deepest = layout.deepest_inline(path[:-1])
    if deepest is None:
        return None
    node, rest, _ = deepest
    rest += path[-1:]
    if node.kind == "array" and len(rest) == 1 and isinstance(rest[0], int):
        count = len(node.children)
        return (node, rest[0] % count) if -count <= rest[0] < count else None
    if node.kind == "table":
        hits = [i for i, c in enumerate(node.children) if _starts_with(c.keys, rest)]
        return (node, hits[-1]) if hits else None
    return None


def _remove_child(text: str, node: _Node, index: int) -> str:
    child = node.children[index]
    end = child.comma + 1 if child.comma is not None else child.value.end
    whole = _whole_lines(text, child.start, end)
    if whole is not None:
        new = text[: whole[0]] + text[whole[1] :]
        previous = node.children[index - 1] if index else None
        last_without_comma = index == len(node.children) - 1 and child.comma is None
        # Inline tables (TOML 1.0) allow no comma after their last entry; arrays do.
        if node.kind == "table" and last_without_comma and previous and previous.comma is not None:
            new = new[: previous.comma] + new[previous.comma + 1 :]
        return new
    if index < len(node.children) - 1:
        new = text[: child.start] + text[node.children[index + 1].start :]
    elif index:
        cut = node.children[index - 1].comma
        assert cut is not None  # every item but the last is followed by a comma
        new = text[: cut + (1 if child.comma is not None else 0)] + text[end:]
    else:
        new = text[: child.start] + text[end:]
    return _collapse_if_empty(new, node)


def _whole_lines(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of the full lines from `start` to `end` plus a comment at the end of the last one,
    or None when anything else shares those lines."""
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip(" \t"):
        return None
    rest = re.compile(r"[ \t]*(#[^\r\n]*)?(\r?\n|$)").match(text, end)
    if rest is None:
        return None
    return line_start, rest.end()


def _collapse_if_empty(text: str, node: _Node) -> str:
    """`[ ]` or `{  }` left by removing the only entry become `[]` or `{}`."""
    close = text.find("]" if node.kind == "array" else "}", node.start)
    if close != -1 and not text[node.start + 1 : close].strip():
        return text[: node.start + 1] + text[close:]
    return text


# -- inserting -----------------------------------------------------------------------------------


def _insert_key(text: str, path: KeyPath, value: Any) -> str:
    layout = _layout(text)
    parent, key = path[:-1], path[-1]
    deepest = layout.deepest_inline(parent)
    if deepest is not None:
        node, rest, _ = deepest
        if node.kind != "table":
            raise DocumentEditError(f"{parent!r} is not a table in the TOML text")
        return _insert_entry(text, node, _render_keys((*rest, key)), _render(value))
    header = next((h for h in layout.headers if h.path == parent), None)
    if header is not None:
        return _insert_in_section(text, layout, header, key, value)
    dotted = [
        p for p in layout.pairs
        if _starts_with(p.path, parent) and _starts_with(parent, p.table) and p.path != parent
    ]  # fmt: skip
    if dotted:
        last = dotted[-1]
        keys = (*parent[len(last.table) :], key)
        return _insert_pair_after(text, last, _render_keys(keys), _render(value))
    if not parent:
        return _insert_at_root(text, layout, key, value)
    return _insert_section(text, layout, parent, key, value)


def _pair_line(keys: str, value: str, like: _Pair | None, text: str) -> str:
    """A `key = value` line written like `like` (indentation and spacing around '=')."""
    if like is None:
        return f"{keys} = {value}"
    separator = text[like.entry.key_end : like.entry.value.start]
    if not _SEPARATOR.fullmatch(separator):
        separator = " = "
    return _indent_at(text, like.entry.start) + keys + separator + value


def _insert_pair_after(text: str, after: _Pair, keys: str, value: str) -> str:
    return _insert_line_after(text, after.end, _pair_line(keys, value, after, text))


def _insert_in_section(
    text: str, layout: _Layout, header: _Header, key: str | int, value: Any
) -> str:
    own = [p for p in layout.pairs if p.table == header.path]
    if own:
        return _insert_pair_after(text, own[-1], _render_keys((key,)), _render(value))
    line = _pair_line(_render_keys((key,)), _render(value), None, "")
    return _insert_line_after(text, header.end, _indent_at(text, header.start) + line)


def _insert_at_root(text: str, layout: _Layout, key: str | int, value: Any) -> str:
    keys, rendered = _render_keys((key,)), _render(value)
    root = [p for p in layout.pairs if p.table == ()]
    if root:
        return _insert_pair_after(text, root[-1], keys, rendered)
    newline = newline_of(text)
    headers = layout.headers
    if not headers:
        if not text.strip(BOM):
            return text + f"{keys} = {rendered}" + newline
        separator = "" if text.endswith("\n") else newline
        return _finish(text, text + separator + f"{keys} = {rendered}" + newline)
    at = _block_start(text, headers[0].start)
    return text[:at] + f"{keys} = {rendered}" + newline + newline + text[at:]


def _insert_section(text: str, layout: _Layout, parent: KeyPath, key: str | int, value: Any) -> str:
    """A table that only exists through its sub-tables gets its own `[section]`, placed before the
    first of them (and above the comments that introduce it)."""
    first = next(h for h in layout.headers if _starts_with(h.path, parent))
    names = tuple(k for k in parent if isinstance(k, str))
    newline = newline_of(text)
    at = _block_start(text, first.start)
    indent = _indent_at(text, first.start)
    section = (
        f"{indent}[{_render_keys(names)}]{newline}"
        f"{indent}{_render_keys((key,))} = {_render(value)}{newline}{newline}"
    )
    return text[:at] + section + text[at:]


def _block_start(text: str, header_start: int) -> int:
    """Start of the comment lines right above a header (the header's line when there are none)."""
    lines = _split_lines(text)
    starts = _line_starts(lines)
    index = _line_index(starts, header_start)
    while index > 0 and lines[index - 1].lstrip(" \t" + BOM).startswith("#"):
        index -= 1
    return starts[index] + (1 if index == 0 and text.startswith(BOM) else 0)


def _insert_entry(text: str, node: _Node, keys: str, value: str) -> str:
    if not node.children:
        return text[: node.start] + "{ " + f"{keys} = {value}" + " }" + text[node.end :]
    last = node.children[-1]
    separator = text[last.key_end : last.value.start]
    entry = keys + (separator if _SEPARATOR.fullmatch(separator) else " = ") + value
    if last.comma is not None:
        return text[: last.comma + 1] + " " + entry + "," + text[last.comma + 1 :]
    return text[: last.value.end] + ", " + entry + text[last.value.end :]


def _append_item(text: str, node: _Node, item: str) -> str:
    close = node.end - 1
    if not node.children:
        inner = text[node.start + 1 : close]
        if not inner.strip():
            return text[: node.start + 1] + item + text[close:]
        # Only comments inside: the item goes on a line of its own before the closing bracket.
        at = text.rfind("\n", 0, close) + 1
        indent = _indent_at(text, close) + "  "
        return text[:at] + indent + item + "," + newline_of(text) + text[at:]
    last = node.children[-1]
    if "\n" not in text[last.value.end : close]:
        if last.comma is not None:
            return text[: last.comma + 1] + " " + item + "," + text[last.comma + 1 :]
        return text[: last.value.end] + ", " + item + text[last.value.end :]
    # One item per line: a new line like the last one, after its comma and same-line comment.
    after = last.comma + 1 if last.comma is not None else last.value.end
    rest = re.compile(r"[ \t]*(#[^\r\n]*)?").match(text, after)
    line_end = rest.end() if rest is not None else after
    # Items end with a comma when the last one does; otherwise the old last item gets one.
    trailing = last.comma is not None
    comma = "" if trailing else ","
    added = newline_of(text) + _indent_at(text, last.start) + item + ("," if trailing else "")
    head, tail = text[: last.value.end], text[last.value.end : line_end]
    return head + comma + tail + added + text[line_end:]


def _append_table(text: str, layout: _Layout, last: _Header, item: dict[str, Any]) -> str:
    """A new `[[array]]` element after the last one and its sub-tables, written like it."""
    element = [h for h in layout.headers if _starts_with(h.path, last.path)]
    body_end = max(h.body_end for h in element)
    newline = newline_of(text)
    header_text = text[last.start : text.find("]]", last.start) + 2]
    indent = _indent_at(text, last.start)
    pairs = [f"{indent}{_render_keys((k,))} = {_render(v)}" for k, v in item.items()]
    lines = [header_text, *pairs]
    return _insert_block_after(text, body_end, newline.join(lines))


def _insert_block_after(text: str, content_end: int, block: str) -> str:
    """Insert `block` after the line ending at `content_end`, separated by one blank line."""
    newline = newline_of(text)
    eol = text.find("\n", content_end)
    if eol == -1:
        return text + newline + newline + block
    return text[: eol + 1] + newline + block + newline + text[eol + 1 :]


# -- rendering -----------------------------------------------------------------------------------


def _render_keys(keys: tuple[Any, ...]) -> str:
    parts = []
    for key in keys:
        if not isinstance(key, str):
            raise DocumentEditError(f"a TOML key must be a string, not {key!r}")
        parts.append(key if _BARE_KEY.fullmatch(key) else tomlkit.item(key).as_string())
    return ".".join(parts)


def _render(value: Any) -> str:
    """One value as inline TOML: tables become inline tables."""
    if value is None:
        raise DocumentEditError("TOML has no null value")
    if isinstance(value, dict):
        if not value:
            return "{}"
        entries = ", ".join(f"{_render_keys((k,))} = {_render(v)}" for k, v in value.items())
        return "{ " + entries + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    return tomlkit.item(value).as_string()
