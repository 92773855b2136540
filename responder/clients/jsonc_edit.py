"""Minimal, format-preserving edits of one JSONC object: set a member, remove a member.

Each function takes the text and an `ObjectNode` parsed from that same text, and returns new text in
which only that object's members changed. Everything else (other members, comments, key order,
indentation, line endings, the final newline or its absence) is kept byte for byte. Every result is
parsed again and compared with the intended value before it is returned: a config file that a
client can no longer read would be worse than one left alone.
"""

from __future__ import annotations

import json
import re

from responder.clients.jsonc import (
    JsoncError,
    Member,
    ObjectNode,
    find_object,
    parse,
    to_python,
)

_COLON = re.compile(r"[ \t]*:[ \t]*")


class JsoncEditError(RuntimeError):
    """An edit produced text that does not parse or does not hold the intended value (a bug)."""


def set_member(text: str, obj: ObjectNode, key: str, json_literal: str) -> str:
    """Set `key` to the JSON value `json_literal` in `obj`.

    An existing member (the last one, when the key is duplicated) gets its value replaced;
    otherwise a member is inserted after the last one, in the object's own layout.
    """
    literal = json_literal.strip()
    value = to_python(parse(literal).root)
    existing = obj.get(key)
    key_json = json.dumps(key, ensure_ascii=False)
    if existing is not None:
        new = text[: existing.value.start] + literal + text[existing.value.end :]
    elif obj.members:
        new = _insert_after_last(text, obj, key_json, literal)
    else:
        new = _insert_into_empty(text, obj, f"{key_json}: {literal}")
    expected = to_python(obj)
    expected[key] = value
    _verify(text, new, obj, expected)
    return new


def remove_member(text: str, obj: ObjectNode, key: str) -> str:
    """Remove every member named `key` from `obj`, with its comma and, when it fills whole lines,
    with those lines (a comment at the end of its last line goes too; comments on lines of their
    own stay)."""
    expected = {k: v for k, v in to_python(obj).items() if k != key}
    new, current = text, obj
    while found := current.all(key):
        new = _remove_one(new, current, current.members.index(found[-1]))
        current = _reparse(new, obj)
    _verify(text, new, obj, expected)
    return new


def newline_of(text: str) -> str:
    """The file's own line ending: the one its first line uses."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def indent_unit(text: str) -> str:
    """One level of indentation as the file writes it: a tab, or the smallest run of spaces."""
    widths: list[int] = []
    for line in text.splitlines():
        stripped = line.lstrip(" \t")
        if not stripped or len(stripped) == len(line):
            continue
        if line[0] == "\t":
            return "\t"
        widths.append(len(line) - len(stripped))
    return " " * min(widths) if widths else "  "


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _indent_before(text: str, offset: int) -> str | None:
    """The whitespace that starts the line of `offset`, if nothing else precedes `offset` there."""
    start = _line_start(text, offset)
    prefix = text[start:offset]
    return prefix if not prefix.strip(" \t") else None


def _skip_same_line(text: str, pos: int, comma: int | None) -> tuple[int, bool]:
    """Walk past spaces, the member's comma and comments that end on this line.

    Returns the offset after the last thing walked past (not after trailing spaces) and whether only
    whitespace is left on the line from there.
    """
    n = len(text)
    end = pos
    while True:
        while pos < n and text[pos] in " \t":
            pos += 1
        if pos == comma:
            pos = end = pos + 1
        elif text.startswith("//", pos):
            while pos < n and text[pos] not in "\r\n":
                pos += 1
            end = pos
        elif text.startswith("/*", pos) and "\n" not in text[pos : text.find("*/", pos) + 2]:
            pos = end = text.find("*/", pos) + 2
        else:
            return end, pos >= n or text[pos] in "\r\n"


def _line_after(text: str, pos: int) -> int:
    """Offset just past the line ending at `pos` (or the end of the text)."""
    if text.startswith("\r\n", pos):
        return pos + 2
    return pos + 1 if pos < len(text) and text[pos] in "\r\n" else pos


def _member_text(text: str, obj: ObjectNode, key_json: str, literal: str) -> str:
    last = obj.members[-1]
    colon = text[last.key_end : last.value.start]
    return key_json + (colon if _COLON.fullmatch(colon) else ": ") + literal


def _insert_after_last(text: str, obj: ObjectNode, key_json: str, literal: str) -> str:
    member = _member_text(text, obj, key_json, literal)
    last = obj.members[-1]
    trailing = last.comma is not None
    multiline = "\n" in text[obj.start + 1 : obj.members[0].key_start]
    if not multiline:
        if last.comma is not None:
            return text[: last.comma + 1] + " " + member + "," + text[last.comma + 1 :]
        return text[: last.value.end] + ", " + member + text[last.value.end :]
    indent = next(
        (i for m in reversed(obj.members) if (i := _indent_before(text, m.key_start)) is not None),
        None,
    )
    if indent is None:
        indent = (_indent_before(text, obj.start) or "") + indent_unit(text)
    end, rest_blank = _skip_same_line(text, last.value.end, last.comma)
    if rest_blank:
        # Keep whatever trailing spaces the line had where they were.
        while end < len(text) and text[end] not in "\r\n":
            end += 1
    added = newline_of(text) + indent + member + ("," if trailing else "")
    comma = "" if trailing else ","
    return text[: last.value.end] + comma + text[last.value.end : end] + added + text[end:]


def _insert_into_empty(text: str, obj: ObjectNode, member: str) -> str:
    inside_start, inside_end = obj.start + 1, obj.end - 1
    inside = text[inside_start:inside_end]
    comments = parse(text[obj.start : obj.end]).comments
    after_comments = inside_start + (comments[-1][1] - 1 if comments else 0)
    if "\n" in inside:
        closing = _indent_before(text, inside_end)
        outer = closing if closing is not None else (_indent_before(text, obj.start) or "")
        added = newline_of(text) + outer + indent_unit(text) + member
        return text[:after_comments] + added + text[after_comments:]
    if not inside:
        return text[:inside_start] + member + text[inside_end:]
    if not comments:
        return text[:inside_start] + " " + member + " " + text[inside_end:]
    return text[:after_comments] + " " + member + text[after_comments:]


def _remove_one(text: str, obj: ObjectNode, index: int) -> str:
    members = obj.members
    member = members[index]
    is_last = index == len(members) - 1
    previous: Member | None = members[index - 1] if index else None
    # The previous comma goes too when the last member goes, unless the object ends with a comma.
    drop_previous_comma = is_last and member.comma is None
    end = member.comma + 1 if member.comma is not None else member.value.end

    whole_lines = _whole_lines(text, member.key_start, end)
    if whole_lines is not None:
        start, stop = whole_lines
    elif not is_last:
        start, stop = member.key_start, end
        while stop < len(text) and text[stop] in " \t":
            stop += 1
        if stop >= len(text) or text[stop] in "\r\n":
            start, stop = _spaces_before(text, member.key_start), end
    else:
        start, stop = _spaces_before(text, member.key_start), end
    new = text[:start] + text[stop:]
    if drop_previous_comma and previous is not None and previous.comma is not None:
        # The comma lies before `start`, so the cut above did not move it.
        new = new[: previous.comma] + new[previous.comma + 1 :]
    return new


def _whole_lines(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of the full lines from `start` to `end` (plus a comment at the end of the last one),
    or None when something else shares those lines."""
    if _indent_before(text, start) is None:
        return None
    stop, rest_blank = _skip_same_line(text, end, None)
    if not rest_blank:
        return None
    while stop < len(text) and text[stop] in " \t":
        stop += 1
    return _line_start(text, start), _line_after(text, stop)


def _spaces_before(text: str, offset: int) -> int:
    while offset > 0 and text[offset - 1] in " \t":
        offset -= 1
    return offset


def _reparse(new: str, obj: ObjectNode) -> ObjectNode:
    try:
        found = find_object(parse(new).root, obj.start)
    except JsoncError as exc:
        raise JsoncEditError(f"the edit made the text invalid: {exc}") from exc
    if found is None:
        raise JsoncEditError(f"the edited object at offset {obj.start} is gone")
    return found


def _verify(original: str, new: str, obj: ObjectNode, expected: object) -> None:
    tail = len(original) - obj.end
    if new[: obj.start] != original[: obj.start] or new[len(new) - tail :] != original[obj.end :]:
        raise JsoncEditError("the edit changed text outside the object it was meant for")
    found = _reparse(new, obj)
    if to_python(found) != expected:
        raise JsoncEditError("the edited object does not hold the intended value")
