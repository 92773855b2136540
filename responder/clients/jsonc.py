"""JSONC (JSON with comments and trailing commas) parsed into nodes that keep exact character spans.

Several MCP clients keep their servers in JSONC files that people edit by hand. Disabling a server
must change a few characters and leave comments, key order, indentation and line endings alone, and
no Python library edits JSONC in place. So this parser records where every key and value sits in the
text, and `jsonc_edit` splices new text into those spans. Offsets index the text as given (a BOM,
if any, is offset 0); lines and columns are 1-based.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

BOM = "\ufeff"
# Python's own recursion limit would otherwise decide, with a RecursionError instead of a message.
MAX_DEPTH = 200

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_PLAIN = re.compile(r'[^"\\\x00-\x1f]+')
# Fast paths (a scan reads thousands of files): a run of whitespace, a string with no escapes.
_SPACE = re.compile(r"[ \t\r\n]*")
_SIMPLE_STRING = re.compile(r'"([^"\\\x00-\x1f]*)"')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_KEYWORDS: dict[str, bool | None] = {"true": True, "false": False, "null": None}


class JsoncError(ValueError):
    """The text is not valid JSONC; `line` and `column` (1-based) point at the problem."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{message} (line {line}, column {column})")
        self.message = message
        self.line = line
        self.column = column


class EmptyDocumentError(JsoncError):
    """The text holds no value at all, only whitespace or comments."""


@dataclass(frozen=True)
class ScalarNode:
    kind: str  # "string" | "number" | "true" | "false" | "null"
    start: int
    end: int
    value: str | int | float | bool | None


@dataclass(frozen=True)
class Member:
    key: str
    key_start: int  # offset of the key's opening quote
    key_end: int  # offset just past the key's closing quote
    value: Node
    comma: int | None  # offset of the ',' that separates this member from the next, if any

    @property
    def start(self) -> int:
        return self.key_start

    @property
    def end(self) -> int:
        """End of the member itself (its value), not counting the comma."""
        return self.value.end


@dataclass(frozen=True)
class ObjectNode:
    start: int  # offset of '{'
    end: int  # offset just past '}'
    members: tuple[Member, ...]
    kind: str = "object"

    def get(self, key: str) -> Member | None:
        """The member that counts for `key`: the last one, as JSON.parse decides duplicates."""
        found = [m for m in self.members if m.key == key]
        return found[-1] if found else None

    def all(self, key: str) -> list[Member]:
        return [m for m in self.members if m.key == key]


@dataclass(frozen=True)
class ArrayNode:
    start: int
    end: int
    items: tuple[Node, ...]
    kind: str = "array"


Node = ObjectNode | ArrayNode | ScalarNode


@dataclass(frozen=True)
class Document:
    text: str
    root: Node
    comments: tuple[tuple[int, int], ...]  # (start, end) of every comment, in order

    def line_col(self, offset: int) -> tuple[int, int]:
        return line_col(self.text, offset)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of `offset`; a leading BOM takes no column."""
    # A lone CR ends a line too, as editors and str.splitlines() count it.
    line = text.count("\n", 0, offset) + 1
    line_start = text.rfind("\n", 0, offset) + 1
    if "\r" in text:
        line += text.count("\r", 0, offset) - text.count("\r\n", 0, offset)
        line_start = max(line_start, text.rfind("\r", 0, offset) + 1)
    column = offset - line_start + 1
    if line == 1 and text.startswith(BOM) and offset > 0:
        column -= 1
    return line, column


def parse(text: str) -> Document:
    """Parse JSONC text. Raises JsoncError (EmptyDocumentError when there is no value)."""
    return _Parser(text).document()


def to_python(node: Node) -> Any:
    """Plain Python values; for duplicate keys the last one wins, as with JSON.parse."""
    if isinstance(node, ObjectNode):
        return {m.key: to_python(m.value) for m in node.members}
    if isinstance(node, ArrayNode):
        return [to_python(item) for item in node.items]
    return node.value


def describe(node: Node) -> str:
    """'an object', 'a string', ... for messages about a value of the wrong type."""
    kind = "boolean" if node.kind in ("true", "false") else node.kind
    return {"object": "an object", "array": "an array", "null": "null"}.get(kind, f"a {kind}")


def find_object(root: Node, start: int) -> ObjectNode | None:
    """The object whose '{' is at `start`; edits inside an object never move its start."""
    node: Node = root
    while True:
        if isinstance(node, ObjectNode) and node.start == start:
            return node
        if isinstance(node, ObjectNode):
            children: list[Node] = [m.value for m in node.members]
        elif isinstance(node, ArrayNode):
            children = list(node.items)
        else:
            return None
        inside = [c for c in children if c.start <= start < c.end]
        if not inside:
            return None
        node = inside[0]


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 1 if text.startswith(BOM) else 0
        self.comments: list[tuple[int, int]] = []
        self.open: list[tuple[str, int]] = []  # containers not closed yet, for end-of-file messages

    def document(self) -> Document:
        self.skip_trivia()
        if self.pos >= len(self.text):
            raise EmptyDocumentError(
                "empty file: there is no JSON value, only whitespace or comments", 1, 1
            )
        root = self.value()
        self.skip_trivia()
        if self.pos < len(self.text):
            raise self.error("unexpected content after the end of the top-level value", self.pos)
        return Document(self.text, root, tuple(self.comments))

    def error(self, message: str, offset: int) -> JsoncError:
        return JsoncError(message, *line_col(self.text, offset))

    def end_of_file(self) -> JsoncError:
        kind, start = self.open[-1]
        line, column = line_col(self.text, start)
        return self.error(
            f"unexpected end of file: {kind} opened at line {line}, column {column} is not closed",
            len(self.text),
        )

    def skip_trivia(self) -> None:
        text, n = self.text, len(self.text)
        while self.pos < n:
            self.pos = _SPACE.match(text, self.pos).end()
            if self.pos >= n:
                return
            if text.startswith("//", self.pos):
                end = self.pos + 2
                while end < n and text[end] not in "\r\n":
                    end += 1
                self.comments.append((self.pos, end))
                self.pos = end
            elif text.startswith("/*", self.pos):
                close = text.find("*/", self.pos + 2)
                if close < 0:
                    raise self.error(
                        "comments are not closed: this /* has no matching */ before the end",
                        self.pos,
                    )
                self.comments.append((self.pos, close + 2))
                self.pos = close + 2
            else:
                return

    def value(self) -> Node:
        self.skip_trivia()
        text, start = self.text, self.pos
        if start >= len(text):
            raise self.end_of_file()
        ch = text[start]
        if ch == "{":
            return self.object()
        if ch == "[":
            return self.array()
        if ch == '"':
            string = self.string()
            return ScalarNode("string", start, self.pos, string)
        if ch == "-" or ch.isdigit():
            return self.number()
        word = _WORD.match(text, start)
        if word and word.group() in _KEYWORDS:
            self.pos = word.end()
            return ScalarNode(word.group(), start, self.pos, _KEYWORDS[word.group()])
        if word:
            raise self.error(f"unexpected word '{word.group()}': expected a value", start)
        if ch == "'":
            raise self.error("strings must be in double quotes, not single quotes", start)
        raise self.error(f"unexpected {ch!r}: expected a value", start)

    def enter(self, kind: str) -> int:
        if len(self.open) >= MAX_DEPTH:
            raise self.error(f"nesting is deeper than {MAX_DEPTH} levels", self.pos)
        self.open.append((kind, self.pos))
        self.pos += 1
        return self.pos - 1

    def object(self) -> ObjectNode:
        start = self.enter("an object")
        members: list[Member] = []
        while True:
            self.skip_trivia()
            if self.pos >= len(self.text):
                raise self.end_of_file()
            if self.text[self.pos] == "}":
                break
            if self.text[self.pos] != '"':
                what = "a key in double quotes" + (" or '}'" if not members else "")
                raise self.error(f"expected {what}, found {self.text[self.pos]!r}", self.pos)
            key_start = self.pos
            key = self.string()
            key_end = self.pos
            self.skip_trivia()
            if self.pos >= len(self.text):
                raise self.end_of_file()
            if self.text[self.pos] != ":":
                raise self.error(
                    f"expected ':' after the key {self.text[key_start:key_end]}", self.pos
                )
            self.pos += 1
            value = self.value()
            self.skip_trivia()
            if self.pos >= len(self.text):
                raise self.end_of_file()
            ch = self.text[self.pos]
            if ch not in ",}":
                missing = " (is a comma missing before this key?)" if ch == '"' else ""
                raise self.error(f"expected ',' or '}}' after a member{missing}", self.pos)
            members.append(Member(key, key_start, key_end, value, self.pos if ch == "," else None))
            if ch == "}":
                break
            self.pos += 1
        self.pos += 1
        self.open.pop()
        return ObjectNode(start, self.pos, tuple(members))

    def array(self) -> ArrayNode:
        start = self.enter("an array")
        items: list[Node] = []
        while True:
            self.skip_trivia()
            if self.pos >= len(self.text):
                raise self.end_of_file()
            if self.text[self.pos] == "]":
                break
            items.append(self.value())
            self.skip_trivia()
            if self.pos >= len(self.text):
                raise self.end_of_file()
            ch = self.text[self.pos]
            if ch == "]":
                break
            if ch != ",":
                missing = " (is a comma missing before this item?)" if ch in '"{[' else ""
                raise self.error(f"expected ',' or ']' after an array item{missing}", self.pos)
            self.pos += 1
        self.pos += 1
        self.open.pop()
        return ArrayNode(start, self.pos, tuple(items))

    def number(self) -> ScalarNode:
        start = self.pos
        match = _NUMBER.match(self.text, start)
        end = match.end() if match else start
        glued = end < len(self.text) and (self.text[end].isalnum() or self.text[end] == ".")
        if not match or glued:
            raise self.error("invalid number", start)
        self.pos = end
        literal = match.group()
        value: int | float = int(literal) if literal.lstrip("-").isdigit() else float(literal)
        return ScalarNode("number", start, end, value)

    def string(self) -> str:
        simple = _SIMPLE_STRING.match(self.text, self.pos)
        if simple is not None:
            self.pos = simple.end()
            return simple.group(1)
        text, n = self.text, len(self.text)
        start = self.pos
        i = start + 1
        parts: list[str] = []
        while True:
            if i >= n:
                raise self.error("string is not closed before the end of the file", start)
            ch = text[i]
            if ch == '"':
                break
            if ch == "\\":
                decoded, i = self.escape(i)
                parts.append(decoded)
            elif ch in "\r\n":
                raise self.error("string is not closed before the end of the line", start)
            elif ch < " ":
                raise self.error(f"control character U+{ord(ch):04X} in a string is not escaped", i)
            else:
                plain = _PLAIN.match(text, i)
                assert plain is not None  # ch is neither '"', '\\' nor a control character
                parts.append(plain.group())
                i = plain.end()
        self.pos = i + 1
        return "".join(parts)

    def escape(self, i: int) -> tuple[str, int]:
        """Decode the escape at text[i] == '\\'; returns the character(s) and the next offset."""
        text = self.text
        code = text[i + 1 : i + 2]
        if code in _ESCAPES:
            return _ESCAPES[code], i + 2
        if code != "u":
            shown = repr(code) if code else "end of file"
            raise self.error(f"invalid escape in a string: '\\' followed by {shown}", i)
        unit = self.hex4(i)
        # A UTF-16 surrogate pair written as two escapes is one character; a lone surrogate stays
        # as it is, as JSON.parse and Python's json module keep it.
        if 0xD800 <= unit <= 0xDBFF and text.startswith("\\u", i + 6):
            low = self.hex4(i + 6)
            if 0xDC00 <= low <= 0xDFFF:
                return chr(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)), i + 12
        return chr(unit), i + 6

    def hex4(self, i: int) -> int:
        digits = self.text[i + 2 : i + 6]
        if len(digits) != 4 or any(c not in "0123456789abcdefABCDEF" for c in digits):
            raise self.error("invalid \\u escape: four hex digits are needed", i)
        return int(digits, 16)
