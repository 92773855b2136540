"""The JSONC parser (spans, values, error positions) and the two editing primitives."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from responder.clients.jsonc import (
    MAX_DEPTH,
    ArrayNode,
    EmptyDocumentError,
    JsoncError,
    ObjectNode,
    find_object,
    line_col,
    parse,
    to_python,
)
from responder.clients.jsonc_edit import (
    JsoncEditError,
    indent_unit,
    newline_of,
    remove_member,
    set_member,
)


def value_of(text: str) -> Any:
    return to_python(parse(text).root)


def obj_at(text: str, *path: str) -> ObjectNode:
    node = parse(text).root
    for key in path:
        assert isinstance(node, ObjectNode)
        member = node.get(key)
        assert member is not None
        node = member.value
    assert isinstance(node, ObjectNode)
    return node


def set_at(text: str, path: tuple[str, ...], key: str, literal: str) -> str:
    return set_member(text, obj_at(text, *path), key, literal)


def remove_at(text: str, path: tuple[str, ...], key: str) -> str:
    return remove_member(text, obj_at(text, *path), key)


# --- parser ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "b": [true, false, null], "c": {"d": "e"}}',
        "[1, -2, 3.5, -0.25, 1e3, 2E-2, 0, -0, 12345678901234567890]",
        '"just a string"',
        "42",
        "null",
        r'{"esc": "\" \\ \/ \b \f \n \r \t \u00e9 \u20AC"}',
        r'{"pair": "\ud83d\ude00", "lone": "\ud800x", "low": "\udc00"}',
        '{"unicode": "grüße 😀", "": "empty key"}',
        "{}",
        "[]",
        '{"nested": [[[]], {"x": [{}]}]}',
    ],
)
def test_strict_json_parses_like_the_json_module(text: str) -> None:
    assert value_of(text) == json.loads(text)


def test_comment_markers_inside_strings_are_text() -> None:
    text = '{"url": "http://x/*y*/", "c": "// not a comment", "k/*": "/*", "e": "*/"}'
    document = parse(text)
    assert document.comments == ()
    assert to_python(document.root) == {
        "url": "http://x/*y*/",
        "c": "// not a comment",
        "k/*": "/*",
        "e": "*/",
    }


def test_comments_everywhere_and_trailing_commas() -> None:
    text = (
        "// header\n"
        "/* block\n   over lines */ {\n"
        '  "a" /* before colon */ : /* before value */ [1, 2, /* in array */ 3,], // end\n'
        '  "b": {"c": true,}, /**/\n'
        "} // after\n"
    )
    document = parse(text)
    assert to_python(document.root) == {"a": [1, 2, 3], "b": {"c": True}}
    assert [text[s:e] for s, e in document.comments] == [
        "// header",
        "/* block\n   over lines */",
        "/* before colon */",
        "/* before value */",
        "/* in array */",
        "// end",
        "/**/",
        "// after",
    ]


def test_bom_and_crlf() -> None:
    text = '\ufeff{\r\n  "a": 1, // one\r\n  "b": "x"\r\n}\r\n'
    document = parse(text)
    assert to_python(document.root) == {"a": 1, "b": "x"}
    # The line comment ends before the CR of the CRLF.
    assert [text[s:e] for s, e in document.comments] == ["// one"]
    assert line_col(text, text.index("{")) == (1, 1)  # the BOM takes no column
    assert line_col(text, text.index('"b"')) == (3, 3)


def test_spans_of_members_and_commas() -> None:
    text = '{ "key" : [1, 2] , "other": "v" }'
    root = parse(text).root
    assert isinstance(root, ObjectNode)
    first, second = root.members
    assert text[first.key_start : first.key_end] == '"key"'
    assert text[first.value.start : first.value.end] == "[1, 2]"
    assert text[first.start : first.end] == '"key" : [1, 2]'
    assert first.comma is not None and text[first.comma] == ","
    assert second.comma is None
    assert text[root.start : root.end] == text
    assert isinstance(first.value, ArrayNode)
    assert [text[i.start : i.end] for i in first.value.items] == ["1", "2"]


def test_duplicate_keys_last_wins_but_all_are_visible() -> None:
    text = '{"a": 1, "b": 2, "a": 3}'
    root = parse(text).root
    assert isinstance(root, ObjectNode)
    assert to_python(root) == {"a": 3, "b": 2}
    assert [m.key for m in root.members] == ["a", "b", "a"]
    assert [to_python(m.value) for m in root.all("a")] == [1, 3]
    member = root.get("a")
    assert member is not None and to_python(member.value) == 3


def test_find_object_by_start_offset() -> None:
    text = '{"a": [{"b": {}}], "c": {"d": 1}}'
    root = parse(text).root
    inner = find_object(root, text.index('{"b"'))
    assert inner is not None and to_python(inner) == {"b": {}}
    assert find_object(root, text.index('{"d"')) is not None
    assert find_object(root, text.index("[")) is None


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ('{\n  "a": {\n    "b": 1\n', 4, 1, "an object opened at line 2, column 8 is not closed"),
        ('{"a": [1, 2', 1, 12, "an array opened at line 1, column 7 is not closed"),
        ('{"a": ', 1, 7, "unexpected end of file: an object opened at line 1, column 1"),
        ('{"a"', 1, 5, "unexpected end of file"),
        ('{\n  "a": "abc\n}', 2, 8, "string is not closed before the end of the line"),
        ('{"a": "abc', 1, 7, "string is not closed before the end of the file"),
        ('{\n  /* note\n  "a": 1\n}', 2, 3, "comments are not closed"),
        ('{\n  "a": 1\n  "b": 2\n}', 3, 3, "expected ',' or '}' after a member"),
        ('{"a": 1 "b": 2}', 1, 9, "is a comma missing before this key?"),
        ("[1 2]", 1, 4, "expected ',' or ']' after an array item"),
        ('{"a": 1,, "b": 2}', 1, 9, "expected a key in double quotes"),
        ("{,}", 1, 2, "expected a key in double quotes or '}'"),
        ("[1,,2]", 1, 4, "unexpected ','"),
        ("[,]", 1, 2, "unexpected ','"),
        ("{a: 1}", 1, 2, "expected a key in double quotes"),
        ("{'a': 1}", 1, 2, "expected a key in double quotes"),
        ("{\"a\": 'x'}", 1, 7, "double quotes"),
        ('{"a" 1}', 1, 6, "expected ':' after the key \"a\""),
        ('{"a": tru}', 1, 7, "unexpected word 'tru'"),
        ('{"a": NaN}', 1, 7, "unexpected word 'NaN'"),
        ('{"a": True}', 1, 7, "unexpected word 'True'"),
        ('{"a": 01}', 1, 7, "invalid number"),
        ('{"a": 1.}', 1, 7, "invalid number"),
        ('{"a": .5}', 1, 7, "unexpected '.'"),
        ('{"a": -}', 1, 7, "invalid number"),
        ('{"a": +1}', 1, 7, "unexpected '+'"),
        ('{"a": "\\x"}', 1, 8, "invalid escape"),
        ('{"a": "\\u12G4"}', 1, 8, "invalid \\u escape"),
        ('{"a": "tab\there"}', 1, 11, "control character U+0009"),
        ('{"a": 1} {"b": 2}', 1, 10, "unexpected content after the end"),
        ('{"a": 1}\n]', 2, 1, "unexpected content after the end"),
        ('\ufeff{"a": 1', 1, 8, "is not closed"),
    ],
)
def test_errors_name_line_and_column(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(JsoncError) as caught:
        parse(text)
    assert message in caught.value.message
    assert (caught.value.line, caught.value.column) == (line, column)


@pytest.mark.parametrize("text", ["", "   \n\t", "// only a comment\n", "/* a */ // b", "\ufeff"])
def test_empty_documents(text: str) -> None:
    with pytest.raises(EmptyDocumentError) as caught:
        parse(text)
    assert caught.value.message.startswith("empty file")


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(JsoncError, match="nesting is deeper"):
        parse("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert parse("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None


# --- set_member -------------------------------------------------------------------------------


def test_set_replaces_an_existing_value_only() -> None:
    text = '{\n  "a": false, // keep\n  "b": [1]\n}\n'
    assert set_at(text, (), "a", "true") == '{\n  "a": true, // keep\n  "b": [1]\n}\n'
    assert set_at(text, (), "b", '{"x": 1}') == '{\n  "a": false, // keep\n  "b": {"x": 1}\n}\n'


def test_set_replaces_the_last_duplicate() -> None:
    text = '{"a": 1, "a": 2}'
    assert set_at(text, (), "a", "3") == '{"a": 1, "a": 3}'


def test_insert_into_multiline_object_uses_sibling_indentation() -> None:
    text = '{\n  "s": {\n    "a": 1,\n    "b": "x"\n  }\n}\n'
    expected = '{\n  "s": {\n    "a": 1,\n    "b": "x",\n    "k": true\n  }\n}\n'
    assert set_at(text, ("s",), "k", "true") == expected


def test_insert_puts_the_comma_before_a_line_comment() -> None:
    text = '{\n  "x": 1 // note\n}'
    assert set_at(text, (), "k", "true") == '{\n  "x": 1, // note\n  "k": true\n}'


def test_insert_after_a_block_comment_and_multiline_value() -> None:
    text = '{\n  "x": [\n    1\n  ] /* why */\n}\n'
    expected = '{\n  "x": [\n    1\n  ], /* why */\n  "k": null\n}\n'
    assert set_at(text, (), "k", "null") == expected


def test_insert_keeps_trailing_comma_style() -> None:
    text = '{\n  "x": 1,\n  "y": 2, // two\n}\n'
    expected = '{\n  "x": 1,\n  "y": 2, // two\n  "k": true,\n}\n'
    assert set_at(text, (), "k", "true") == expected


def test_insert_keeps_own_line_comments_before_the_closing_brace() -> None:
    text = '{\n  "x": 1\n  // "y": 2\n}\n'
    expected = '{\n  "x": 1,\n  "k": 2\n  // "y": 2\n}\n'
    assert set_at(text, (), "k", "2") == expected


def test_insert_with_tabs_crlf_and_no_final_newline() -> None:
    text = '{\r\n\t"a": {\r\n\t\t"x": 1\r\n\t}\r\n}'
    expected = '{\r\n\t"a": {\r\n\t\t"x": 1,\r\n\t\t"k": true\r\n\t}\r\n}'
    assert set_at(text, ("a",), "k", "true") == expected


def test_insert_when_the_closing_brace_shares_the_last_line() -> None:
    text = '{\n  "x": 1,\n  "y": 2}'
    assert set_at(text, (), "k", "true") == '{\n  "x": 1,\n  "y": 2,\n  "k": true}'


def test_insert_keeps_trailing_spaces_on_the_previous_line() -> None:
    text = '{\n  "x": 1   \n}'
    assert set_at(text, (), "k", "true") == '{\n  "x": 1,   \n  "k": true\n}'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', '{"a": 1, "k": true}'),
        ('{"a":1}', '{"a":1, "k":true}'),
        ('{ "a": 1, }', '{ "a": 1, "k": true, }'),
        ('{"a": 1, "b": 2}\n', '{"a": 1, "b": 2, "k": true}\n'),
        ("{}", '{"k": true}'),
        ("{ }", '{ "k": true }'),
        ("{ /* none */ }", '{ /* none */ "k": true }'),
    ],
)
def test_insert_into_single_line_objects(text: str, expected: str) -> None:
    assert set_at(text, (), "k", "true") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{\n  "a": {\n  }\n}', '{\n  "a": {\n    "k": true\n  }\n}'),
        (
            '{\n  "a": {\n    // none yet\n  }\n}',
            '{\n  "a": {\n    // none yet\n    "k": true\n  }\n}',
        ),
        ('{\r\n\t"a": {\r\n\t}\r\n}', '{\r\n\t"a": {\r\n\t\t"k": true\r\n\t}\r\n}'),
        ("{\n}\n", '{\n  "k": true\n}\n'),
    ],
)
def test_insert_into_multiline_empty_objects(text: str, expected: str) -> None:
    path = () if text.startswith("{\n}") else ("a",)
    assert set_at(text, path, "k", "true") == expected


def test_insert_escapes_the_key() -> None:
    assert set_at("{}", (), 'we"ird\\é', "1") == '{"we\\"ird\\\\é": 1}'


def test_set_rejects_an_invalid_literal() -> None:
    with pytest.raises(JsoncError):
        set_at("{}", (), "k", "tru")


def test_self_check_catches_a_node_from_other_text() -> None:
    stale = obj_at('{"a": 1}')
    with pytest.raises(JsoncEditError):
        set_member('{"abc": 1}', stale, "a", "2")


# --- remove_member ----------------------------------------------------------------------------


def test_remove_a_middle_member_on_whole_lines() -> None:
    text = '{\n  "a": 1,\n  "b": [\n    "x", // inner\n    "y"\n  ], // why\n  "c": 3\n}\n'
    assert remove_at(text, (), "b") == '{\n  "a": 1,\n  "c": 3\n}\n'


def test_remove_keeps_comments_on_their_own_lines() -> None:
    text = '{\n  "a": 1,\n  // about b\n  "b": 2,\n  /* about c */\n  "c": 3\n}\n'
    expected = '{\n  "a": 1,\n  // about b\n  /* about c */\n  "c": 3\n}\n'
    assert remove_at(text, (), "b") == expected


def test_remove_the_last_member_drops_the_previous_comma() -> None:
    text = '{\n  "a": 1, // note\n  "b": [\n    2\n  ] // gone\n}\n'
    assert remove_at(text, (), "b") == '{\n  "a": 1 // note\n}\n'


def test_remove_the_last_member_keeps_trailing_comma_style() -> None:
    text = '{\n  "a": 1,\n  "b": 2,\n}\n'
    assert remove_at(text, (), "b") == '{\n  "a": 1,\n}\n'


def test_remove_the_only_member() -> None:
    assert remove_at('{\n  "a": 1\n}\n', (), "a") == "{\n}\n"
    assert remove_at('{"a": 1}', (), "a") == "{}"
    assert remove_at('{ "a": 1 }', (), "a") == "{ }"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("a", '{"b": 2, "c": 3}'),
        ("b", '{"a": 1, "c": 3}'),
        ("c", '{"a": 1, "b": 2}'),
    ],
)
def test_remove_from_a_single_line_object(key: str, expected: str) -> None:
    assert remove_at('{"a": 1, "b": 2, "c": 3}', (), key) == expected


def test_remove_inline_with_trailing_comma() -> None:
    assert remove_at('{"a": 1, "b": 2,}', (), "b") == '{"a": 1,}'


def test_remove_a_member_sharing_its_line_with_others() -> None:
    text = '{\n  "a": 1, "b": 2,\n  "c": 3\n}'
    assert remove_at(text, (), "a") == '{\n  "b": 2,\n  "c": 3\n}'
    assert remove_at(text, (), "b") == '{\n  "a": 1,\n  "c": 3\n}'


def test_remove_a_last_member_sharing_the_closing_brace_line() -> None:
    text = '{\n  "a": 1,\n  "b": [\n    2\n  ]}'
    assert remove_at(text, (), "b") == '{\n  "a": 1\n}'


def test_remove_every_duplicate() -> None:
    text = '{\n  "x": 1,\n  "a": 1,\n  "y": 2,\n  "a": 2\n}'
    assert remove_at(text, (), "a") == '{\n  "x": 1,\n  "y": 2\n}'


def test_remove_an_absent_key_changes_nothing() -> None:
    text = '{"a": 1} // c'
    assert remove_at(text, (), "zzz") == text


def test_remove_keeps_crlf_and_missing_final_newline() -> None:
    text = '{\r\n\t"a": 1,\r\n\t"b": 2\r\n}'
    assert remove_at(text, (), "b") == '{\r\n\t"a": 1\r\n}'
    assert remove_at(text, (), "a") == '{\r\n\t"b": 2\r\n}'


def test_remove_in_a_nested_object_touches_nothing_outside() -> None:
    text = '// top\n{\n  "s": {\n    "a": 1,\n    "b": 2\n  },\n  "t": 3 // end\n}\n'
    expected = '// top\n{\n  "s": {\n    "a": 1\n  },\n  "t": 3 // end\n}\n'
    assert remove_at(text, ("s",), "b") == expected


def test_layout_helpers() -> None:
    assert newline_of("{\r\n}") == "\r\n"
    assert newline_of("{\n}") == "\n"
    assert newline_of("{}") == "\n"
    assert indent_unit('{\n    "a": {\n        "b": 1\n    }\n}') == "    "
    assert indent_unit('{\n\t"a": 1\n}') == "\t"
    assert indent_unit("{}") == "  "


# --- property test: random layouts, random edits ------------------------------------------------

KEYS = ["a", "b", "c", "d", "e"]
LITERALS = [
    "true",
    "false",
    "null",
    "0",
    "-1.5",
    '"s"',
    '"http://x/*y*/"',
    "[1, 2]",
    '{"z": 1}',
    "[]",
]


class _Writer:
    """Writes a random JSONC object in one of the layouts people and tools produce."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.nl = rng.choice(["\n", "\r\n"])
        self.unit = rng.choice(["  ", "    ", "\t"])
        self.count = 0

    def comment(self) -> str:
        self.count += 1
        return f"// c{self.count}"

    def obj(self, depth: int) -> tuple[str, dict[str, Any]]:
        rng = self.rng
        keys = rng.sample(KEYS, rng.randint(0, 4))
        values: dict[str, Any] = {}
        texts: list[str] = []
        for key in keys:
            if depth < 2 and rng.random() < 0.3:
                text, value = self.obj(depth + 1)
            else:
                text = rng.choice(LITERALS)
                value = json.loads(text)
            values[key] = value
            texts.append(f'"{key}": {text}')
        trailing = bool(texts) and rng.random() < 0.3
        if rng.random() < 0.3:
            return "{" + ", ".join(texts) + ("," if trailing else "") + "}", values
        inner = self.unit * (depth + 1)
        lines = []
        for i, text in enumerate(texts):
            if rng.random() < 0.3:
                lines.append(inner + self.comment())
            comma = "," if i < len(texts) - 1 or trailing else ""
            tail = " " + self.comment() if rng.random() < 0.3 else ""
            lines.append(inner + text + comma + tail)
        if rng.random() < 0.2:
            lines.append(inner + self.comment())
        body = "".join(self.nl + line for line in lines)
        return "{" + body + self.nl + self.unit * depth + "}", values


def _objects(
    node: Any, value: Any, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], Any]]:
    found = [(path, node)]
    for member in node.members:
        if isinstance(member.value, ObjectNode):
            found += _objects(member.value, value[member.key], (*path, member.key))
    return found


def _at(value: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    for key in path:
        value = value[key]
    return value


def test_random_edits_keep_the_text_valid_and_the_values_right() -> None:
    rng = random.Random(20240611)
    for _ in range(300):
        writer = _Writer(rng)
        text, expected = writer.obj(0)
        final_newline = rng.choice(["", writer.nl])
        text += final_newline
        assert value_of(text) == expected
        for _ in range(6):
            path, node = rng.choice(_objects(parse(text).root, expected))
            key = rng.choice(KEYS)
            target = _at(expected, path)
            # Comments alone on their line stay unless they were inside what the edit replaced.
            gone = [(m.key_start, m.value.end) for m in node.all(key)]
            kept = [
                text[s:e]
                for s, e in parse(text).comments
                if not text[text.rfind("\n", 0, s) + 1 : s].strip()
                and not any(a <= s < b for a, b in gone)
            ]
            if rng.random() < 0.5:
                literal = rng.choice(LITERALS)
                text = set_member(text, node, key, literal)
                target[key] = json.loads(literal)
            else:
                text = remove_member(text, node, key)
                target.pop(key, None)
            assert value_of(text) == expected, text
            assert all(comment in text for comment in kept), text
            assert text.endswith(final_newline)
            if writer.nl == "\r\n":
                assert text.count("\n") == text.count("\r\n"), repr(text)
            else:
                assert "\r" not in text
