"""YamlDocument: Continue and Goose `config.yaml` read and edited byte for byte."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from responder.clients.documents.base import DocumentEditError
from responder.clients.documents.yaml_doc import YamlDocument
from responder.core.errors import ConfigParseError

PATH = Path("/home/dana/.continue/config.yaml")

CONTINUE = """\
name: Local Assistant
version: 1.0.0
schema: v1

models: []

mcpServers:
  # GitHub, added by hand
  - name: github
    command: npx  # the runner
    args:
      - "-y"
      - "@modelcontextprotocol/server-github"
    env:
      GITHUB_PERSONAL_ACCESS_TOKEN: ${{ secrets.GITHUB_TOKEN }}

  # Linear, remote
  - name: linear
    type: streamable-http
    url: https://mcp.linear.app/mcp

rules:
  - Always answer in English
"""

# As goose writes it (serde_yaml: keys sorted, sequences not indented), no final newline.
GOOSE = """\
GOOSE_MODEL: gpt-4o
GOOSE_PROVIDER: openai
extensions:
  developer:
    bundled: true
    enabled: true
    name: developer
    timeout: 300
    type: builtin
  github:
    args:
    - -y
    - '@modelcontextprotocol/server-github'
    bundled: null
    cmd: npx
    enabled: true
    envs:
      GITHUB_PERSONAL_ACCESS_TOKEN: ghp_example
    name: github
    timeout: 300
    type: stdio
  memory:
    enabled: false
    name: memory
    type: builtin"""

# Edited by hand: blank lines between extensions, comments, flow sequences, odd spacing.
GOOSE_HAND = """\
extensions:
  # the GitHub server (see the wiki)
  github:
    name:   github
    cmd: npx
    args: ["-y", "@modelcontextprotocol/server-github"]
    enabled: true     # turned on 2024-11-02\t(dana)

  memory:
    name: memory
    enabled: true

GOOSE_MODE: smart_approve
"""


def doc(text: str) -> YamlDocument:
    return YamlDocument(text, PATH)


def changes(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines only in `before` and the lines only in `after` (every other line is identical)."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, old, new, autojunk=False
    ).get_opcodes():
        if tag != "equal":
            removed += old[i1:i2]
            added += new[j1:j2]
    return removed, added


# --- reading --------------------------------------------------------------------------------------


def test_values_are_plain_python() -> None:
    document = doc(CONTINUE)
    value = document.value()
    assert type(value) is dict
    servers = document.value(("mcpServers",))
    assert type(servers) is list
    assert type(servers[0]) is dict
    assert servers[0]["args"] == ["-y", "@modelcontextprotocol/server-github"]
    assert type(servers[0]["args"][0]) is str
    assert servers[0]["env"] == {"GITHUB_PERSONAL_ACCESS_TOKEN": "${{ secrets.GITHUB_TOKEN }}"}
    assert document.value(("version",)) == "1.0.0"
    assert document.value(("models",)) == []
    assert document.value(("mcpServers", -1, "name")) == "linear"
    assert document.value(("mcpServers", 2)) is None


def test_goose_values() -> None:
    document = doc(GOOSE)
    github = document.value(("extensions", "github"))
    assert github["enabled"] is True
    assert github["bundled"] is None
    assert type(github["timeout"]) is int
    assert document.value(("extensions", "memory", "enabled")) is False
    assert list(document.value(("extensions",))) == ["developer", "github", "memory"]


def test_has() -> None:
    document = doc(CONTINUE)
    assert document.has(("mcpServers", 1))
    assert document.has(("mcpServers", -2, "env"))
    assert not document.has(("mcpServers", 2))
    assert not document.has(("mcpServers", 0, "disabled"))


@pytest.mark.parametrize("text", ["", "# nothing configured yet\n", "---\n"])
def test_an_empty_document_is_none(text: str) -> None:
    assert doc(text).value() is None


@pytest.mark.parametrize(
    ("path", "position"),
    [
        (("name",), (1, 1)),
        (("mcpServers",), (7, 1)),
        (("mcpServers", 0), (9, 5)),  # the item's content, after "- "
        (("mcpServers", 0, "command"), (10, 5)),
        (("mcpServers", 0, "args", 1), (13, 9)),
        (("mcpServers", 0, "env", "GITHUB_PERSONAL_ACCESS_TOKEN"), (15, 7)),
        (("mcpServers", 1, "url"), (20, 5)),
        (("mcpServers", 1, "disabled"), (18, 5)),  # missing: the nearest ancestor
        (("nothing",), (1, 1)),
    ],
)
def test_position_and_line(path: tuple[str | int, ...], position: tuple[int, int]) -> None:
    document = doc(CONTINUE)
    assert document.position(path) == position
    assert document.line(path) == position[0]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("mcpServers:\n  - name: a\n    args: [1, 2\n  - name: b\n", 4, 9),
        ("mcpServers:\n  - name: a\n  command: x\n", 3, 3),
        ('extensions:\n  github:\n    cmd: "npx\n', 4, 1),
        ("\ufeffname: x\nversion: : 1\n", 2, 10),
        ("extensions:\r\n  github:\r\n\tenabled: true\r\n", 3, 1),
        ("a: 1\n---\nb: 2\n", 2, 1),
    ],
)
def test_syntax_errors_name_their_line(text: str, line: int, column: int) -> None:
    with pytest.raises(ConfigParseError) as caught:
        doc(text)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert caught.value.where == f"{PATH}:{line}:{column}"
    assert caught.value.hint


def test_duplicate_keys_name_the_line_but_not_the_values() -> None:
    text = "extensions:\n  github:\n    envs:\n      TOKEN: ghp_one\n      TOKEN: ghp_two\n"
    with pytest.raises(ConfigParseError) as caught:
        doc(text)
    assert caught.value.line == 5
    assert caught.value.message == 'duplicate key "TOKEN"'
    assert "ghp_" not in str(caught.value)


def test_bom_is_accepted_and_columns_ignore_it() -> None:
    document = doc("\ufeffextensions:\n  github:\n    enabled: true\n")
    assert document.value(("extensions", "github", "enabled")) is True
    assert document.position(("extensions",)) == (1, 1)
    assert document.position(("extensions", "github", "enabled")) == (3, 5)


# --- set ------------------------------------------------------------------------------------------


def test_goose_disable_replaces_the_value_only() -> None:
    document = doc(GOOSE)
    document.set(("extensions", "github", "enabled"), False)
    assert document.text == GOOSE.replace(
        "    cmd: npx\n    enabled: true\n", "    cmd: npx\n    enabled: false\n"
    )
    assert changes(GOOSE, document.text) == (["    enabled: true\n"], ["    enabled: false\n"])
    assert not document.text.endswith("\n")


def test_goose_hand_edited_keeps_the_end_of_line_comment() -> None:
    document = doc(GOOSE_HAND)
    document.set(("extensions", "github", "enabled"), False)
    assert changes(GOOSE_HAND, document.text) == (
        ["    enabled: true     # turned on 2024-11-02\t(dana)\n"],
        ["    enabled: false     # turned on 2024-11-02\t(dana)\n"],
    )


def test_set_a_new_key_goes_after_the_mappings_last_line() -> None:
    document = doc(GOOSE_HAND)
    document.set(("extensions", "github", "timeout"), 300)
    assert document.text == GOOSE_HAND.replace("(dana)\n", "(dana)\n    timeout: 300\n")
    document.set(("extensions", "memory", "timeout"), 60)
    assert changes(GOOSE_HAND, document.text) == (
        [],
        ["    timeout: 300\n", "    timeout: 60\n"],
    )
    assert document.line(("extensions", "memory", "timeout")) == 13


def test_set_disabled_on_a_continue_list_item() -> None:
    document = doc(CONTINUE)
    document.set(("mcpServers", 0, "disabled"), True)
    document.set(("mcpServers", 1, "disabled"), True)
    assert document.text == CONTINUE.replace(
        "secrets.GITHUB_TOKEN }}\n", "secrets.GITHUB_TOKEN }}\n    disabled: true\n"
    ).replace("linear.app/mcp\n", "linear.app/mcp\n    disabled: true\n")


def test_set_in_a_not_indented_sequence() -> None:
    text = "mcpServers:\n- name: a\n  command: x\n-   name: b\n    command: y\nrules: []"
    document = doc(text)
    document.set(("mcpServers", 1, "disabled"), True)
    document.set(("mcpServers", 0, "disabled"), True)
    assert document.text == (
        "mcpServers:\n- name: a\n  command: x\n  disabled: true\n"
        "-   name: b\n    command: y\n    disabled: true\nrules: []"
    )


def test_set_a_root_key_at_the_end_without_final_newline() -> None:
    document = doc(GOOSE)
    document.set(("GOOSE_MODE",), "auto")
    assert document.text == GOOSE + "\nGOOSE_MODE: auto"


def test_set_an_empty_value_and_a_block_scalar() -> None:
    text = "a:\n  note: |\n    line one\n    line two\n\n  empty:\n  last: 1\n"
    document = doc(text)
    document.set(("a", "empty"), False)
    document.set(("a", "note"), "short")
    assert document.text == "a:\n  note: short\n\n  empty: false\n  last: 1\n"


def test_set_creates_missing_mappings_in_block_style() -> None:
    document = doc(GOOSE_HAND)
    document.set(("extensions", "slack", "enabled"), False)
    assert changes(GOOSE_HAND, document.text) == (
        [],
        ["  slack:\n", "    enabled: false\n"],
    )
    assert document.text.endswith(
        "    enabled: true\n  slack:\n    enabled: false\n\nGOOSE_MODE: smart_approve\n"
    )


def test_set_replaces_a_block_mapping() -> None:
    document = doc(CONTINUE)
    document.set(("mcpServers", 0, "env"), {"GITHUB_TOOLSETS": "repos"})
    assert changes(CONTINUE, document.text) == (
        ["      GITHUB_PERSONAL_ACCESS_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n"],
        ["      GITHUB_TOOLSETS: repos\n"],
    )


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("true", '"true"'),
        ("", '""'),
        ("@scope/pkg", '"@scope/pkg"'),
        ("a: b", '"a: b"'),
        ("# hash", '"# hash"'),
        ("1.5", '"1.5"'),
        ("null", '"null"'),
        ("~", '"~"'),
        ("line\nbreak", '"line\\nbreak"'),
        ("-y", "-y"),
        ("npx", "npx"),
        ("grüße", '"grüße"'),
        (300, "300"),
        (False, "false"),
        (None, "null"),
        (["-y", "x y", "x "], '[-y, x y, "x "]'),
        ({"a": "1"}, '{a: "1"}'),
    ],
)
def test_set_writes_values_that_read_back_the_same(value: object, written: str) -> None:
    document = doc("key: old\nother: 1\n")
    document.set(("key",), value)
    assert document.text == f"key: {written}\nother: 1\n"
    assert document.value(("key",)) == value


def test_set_through_an_alias_is_refused() -> None:
    text = (
        "base: &base\n  cmd: npx\nextensions:\n  a: *base\n  b:\n    <<: *base\n    enabled: true\n"
    )
    document = doc(text)
    with pytest.raises(DocumentEditError):
        document.set(("extensions", "a", "enabled"), False)
    document.set(("extensions", "b", "enabled"), False)
    assert document.text == text.replace("enabled: true", "enabled: false")
    assert document.text.startswith("base: &base\n")


# --- delete ---------------------------------------------------------------------------------------


def test_delete_a_list_item_keeps_the_comment_that_starts_the_next_item() -> None:
    document = doc(CONTINUE)
    document.delete(("mcpServers", 0))
    assert changes(CONTINUE, document.text) == (
        [
            "  - name: github\n",
            "    command: npx  # the runner\n",
            "    args:\n",
            '      - "-y"\n',
            '      - "@modelcontextprotocol/server-github"\n',
            "    env:\n",
            "      GITHUB_PERSONAL_ACCESS_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n",
        ],
        [],
    )
    assert document.value(("mcpServers",)) == [
        {"name": "linear", "type": "streamable-http", "url": "https://mcp.linear.app/mcp"}
    ]


def test_delete_the_last_list_item() -> None:
    document = doc(CONTINUE)
    document.delete(("mcpServers", 1))
    assert changes(CONTINUE, document.text) == (
        [
            "  - name: linear\n",
            "    type: streamable-http\n",
            "    url: https://mcp.linear.app/mcp\n",
        ],
        [],
    )
    # The blank line stays: the comment above the removed item is kept, and stays apart.
    assert "  # Linear, remote\n\nrules:\n" in document.text


def test_delete_the_only_item_writes_an_empty_list() -> None:
    text = (
        "# GitHub block\r\nname: GitHub\r\nversion: 1.0.0\r\nschema: v1\r\nmcpServers:  # one\r\n"
        "  - name: github\r\n    type: streamable-http\r\n    url: https://api.githubcopilot.com/mcp/\r\n"
    )
    document = doc(text)
    document.delete(("mcpServers", 0))
    assert document.text == (
        "# GitHub block\r\nname: GitHub\r\nversion: 1.0.0\r\nschema: v1\r\n"
        "mcpServers: []  # one\r\n"
    )
    assert document.value(("mcpServers",)) == []


def test_delete_from_a_not_indented_sequence() -> None:
    text = "mcpServers:\n- name: github\n  command: docker\n  args:\n  - run\n  - -i\n- name: b\n"
    document = doc(text)
    document.delete(("mcpServers", 0, "args", 0))
    assert document.text == text.replace("  - run\n", "")
    document.delete(("mcpServers", 0))
    assert document.text == "mcpServers:\n- name: b\n"


def test_delete_an_extension_leaves_one_blank_line() -> None:
    document = doc(GOOSE_HAND)
    document.delete(("extensions", "github"))
    assert document.text == (
        "extensions:\n"
        "  # the GitHub server (see the wiki)\n"
        "\n"
        "  memory:\n"
        "    name: memory\n"
        "    enabled: true\n"
        "\n"
        "GOOSE_MODE: smart_approve\n"
    )
    document.delete(("extensions", "memory"))
    assert document.text == (
        "extensions: {}\n  # the GitHub server (see the wiki)\n\nGOOSE_MODE: smart_approve\n"
    )


def test_delete_the_first_extension_takes_the_blank_line_after_it() -> None:
    text = "extensions:\n  github:\n    enabled: true\n\n  memory:\n    enabled: true\n"
    document = doc(text)
    document.delete(("extensions", "github"))
    assert document.text == "extensions:\n  memory:\n    enabled: true\n"


def test_delete_goose_extension_keeps_a_missing_final_newline() -> None:
    document = doc(GOOSE)
    document.delete(("extensions", "memory"))
    assert document.text == GOOSE[: GOOSE.index("\n  memory:")]
    document.delete(("extensions", "github"))
    assert document.text == GOOSE[: GOOSE.index("\n  github:")]


def test_delete_a_key_with_its_end_of_line_comment() -> None:
    document = doc(CONTINUE)
    document.delete(("mcpServers", 0, "command"))
    assert changes(CONTINUE, document.text) == (["    command: npx  # the runner\n"], [])


def test_delete_the_first_key_of_an_item_moves_the_next_key_up() -> None:
    document = doc(CONTINUE)
    document.delete(("mcpServers", 0, "name"))
    assert changes(CONTINUE, document.text) == (
        ["  - name: github\n", "    command: npx  # the runner\n"],
        ["  - command: npx  # the runner\n"],
    )


def test_delete_the_only_key_writes_an_empty_mapping() -> None:
    document = doc(CONTINUE)
    document.delete(("mcpServers", 0, "env", "GITHUB_PERSONAL_ACCESS_TOKEN"))
    assert changes(CONTINUE, document.text) == (
        ["    env:\n", "      GITHUB_PERSONAL_ACCESS_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n"],
        ["    env: {}\n"],
    )
    assert document.value(("mcpServers", 0, "env")) == {}


def test_delete_the_only_key_of_an_item_and_of_the_document() -> None:
    document = doc("mcpServers:\n  - name: a  # x\n")
    document.delete(("mcpServers", 0, "name"))
    assert document.text == "mcpServers:\n  - {}  # x\n"
    document.delete(("mcpServers",))
    assert document.text == "{}\n"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("args", 0), 'args: ["@modelcontextprotocol/server-github", "--ro"]\n'),
        (("args", 2), 'args: ["-y", "@modelcontextprotocol/server-github"]\n'),
        (("env", "A"), "env: {B: '2'}  # flow\n"),
        (("env", "B"), "env: {A: 1}  # flow\n"),
    ],
)
def test_delete_in_flow_collections(path: tuple[str | int, ...], expected: str) -> None:
    text = (
        'args: ["-y", "@modelcontextprotocol/server-github", "--ro"]\n'
        "env: {A: 1, B: '2'}  # flow\n"
    )
    document = doc(text)
    document.delete(path)
    (edited,) = [line for line in text.splitlines(True) if line.startswith(str(path[0]))]
    assert document.text == text.replace(edited, expected)


def test_delete_the_only_item_of_a_flow_list() -> None:
    document = doc("mcpServers: [{name: github, command: npx}]\n")
    document.delete(("mcpServers", 0))
    assert document.text == "mcpServers: []\n"


def test_delete_a_block_scalar() -> None:
    text = "a:\n  note: |\n    one\n    two\n  enabled: true\n"
    document = doc(text)
    document.delete(("a", "note"))
    assert document.text == "a:\n  enabled: true\n"


def test_delete_a_key_whose_value_is_an_alias() -> None:
    text = "base: &b\n  cmd: npx\nextensions:\n  gh: *b  # same\n  other: 1\n"
    document = doc(text)
    document.delete(("extensions", "gh"))
    assert document.text == "base: &b\n  cmd: npx\nextensions:\n  other: 1\n"


def test_delete_missing_path_changes_nothing() -> None:
    document = doc(CONTINUE)
    document.delete(("mcpServers", 5))
    assert document.text == CONTINUE


# --- append ---------------------------------------------------------------------------------------


def test_append_a_server_to_a_continue_list() -> None:
    document = doc(CONTINUE)
    document.append(
        ("mcpServers",),
        {"name": "sentry", "command": "npx", "args": ["-y", "@sentry/mcp"], "env": {"X": "1"}},
    )
    assert changes(CONTINUE, document.text) == (
        [],
        [
            "  - name: sentry\n",
            "    command: npx\n",
            '    args: [-y, "@sentry/mcp"]\n',
            "    env:\n",
            '      X: "1"\n',
        ],
    )
    assert document.text.index("  - name: sentry") > document.text.index("url: https://mcp.linear")


def test_append_to_a_not_indented_list_with_a_wide_gap() -> None:
    text = "mcpServers:\n-   name: a\n    command: x\nrules: []\n"
    document = doc(text)
    document.append(("mcpServers",), {"name": "b", "command": "y"})
    assert document.text == (
        "mcpServers:\n-   name: a\n    command: x\n-   name: b\n    command: y\nrules: []\n"
    )


def test_append_scalars_to_block_and_flow_lists() -> None:
    document = doc(GOOSE)
    document.append(("extensions", "github", "args"), "--read-only")
    assert changes(GOOSE, document.text) == ([], ["    - --read-only\n"])
    document = doc(GOOSE_HAND)
    document.append(("extensions", "github", "args"), "--read-only")
    assert changes(GOOSE_HAND, document.text) == (
        ['    args: ["-y", "@modelcontextprotocol/server-github"]\n'],
        ['    args: ["-y", "@modelcontextprotocol/server-github", --read-only]\n'],
    )


def test_append_to_an_empty_flow_list() -> None:
    document = doc(CONTINUE)
    document.append(("models",), {"name": "gpt", "provider": "openai"})
    assert changes(CONTINUE, document.text) == (
        ["models: []\n"],
        ["models: [{name: gpt, provider: openai}]\n"],
    )


def test_append_creates_a_missing_list() -> None:
    document = doc("extensions:\n  github:\n    cmd: npx\n")
    document.append(("extensions", "github", "args"), "-y")
    assert document.text == "extensions:\n  github:\n    cmd: npx\n    args: [-y]\n"


# --- layout: CRLF, BOM, final newline -------------------------------------------------------------


def test_crlf_stays_crlf() -> None:
    text = CONTINUE.replace("\n", "\r\n")
    document = doc(text)
    document.set(("mcpServers", 1, "disabled"), True)
    document.delete(("mcpServers", 0))
    document.append(("rules",), "Be brief")
    assert document.text.count("\n") == document.text.count("\r\n")
    expected = doc(CONTINUE)
    expected.set(("mcpServers", 1, "disabled"), True)
    expected.delete(("mcpServers", 0))
    expected.append(("rules",), "Be brief")
    assert document.text == expected.text.replace("\n", "\r\n")
    assert document.text.endswith("  - Always answer in English\r\n  - Be brief\r\n")


def test_bom_stays_when_the_first_line_goes() -> None:
    document = doc("\ufeffGOOSE_MODE: auto\nextensions:\n  github:\n    enabled: true\n")
    document.delete(("GOOSE_MODE",))
    assert document.text == "\ufeffextensions:\n  github:\n    enabled: true\n"
    document.set(("GOOSE_MODE",), "chat")
    assert document.text == "\ufeffextensions:\n  github:\n    enabled: true\nGOOSE_MODE: chat\n"


def test_no_final_newline_stays_without() -> None:
    text = "extensions:\n  github:\n    enabled: true\n    args:\n    - -y"
    document = doc(text)
    document.set(("extensions", "github", "timeout"), 300)
    assert document.text == text + "\n    timeout: 300"
    document.delete(("extensions", "github", "timeout"))
    assert document.text == text
    document.append(("extensions", "github", "args"), "x")
    assert document.text == text + "\n    - x"


def test_document_markers_stay() -> None:
    text = "%YAML 1.2\n---\n# goose\nextensions:\n  github:\n    enabled: true\n...\n"
    document = doc(text)
    document.set(("extensions", "github", "enabled"), False)
    document.set(("GOOSE_MODE",), "auto")
    assert document.text == (
        "%YAML 1.2\n---\n# goose\nextensions:\n  github:\n    enabled: false\n"
        "GOOSE_MODE: auto\n...\n"
    )
