"""TomlDocument: Codex `config.toml` read and edited byte for byte (tomlkit parses, we splice)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from responder.clients.documents.base import DocumentEditError
from responder.clients.documents.toml_doc import TomlDocument
from responder.core.errors import ConfigParseError

PATH = Path("/home/dana/.codex/config.toml")

CODEX = """\
# Codex CLI configuration (~/.codex/config.toml)
model = "gpt-5-codex"
approval_policy = "on-request"

[projects."/home/dana/src/billing-api"]
trust_level = "trusted"

[mcp_servers.context7]
command = "npx"
args = ["-y", "@upstash/context7-mcp"]

# GitHub MCP server; the PAT comes from the shell
[mcp_servers.github]
command = "docker"  # local image
args = ["run", "-i", "--rm", "ghcr.io/github/github-mcp-server"]
default_tools_approval_mode = "auto" # stop asking for every read
startup_timeout_sec = 20

# only what the triage workflow needs
[mcp_servers.github.env]
GITHUB_TOOLSETS = "repos,issues"

[mcp_servers.github.tools.search]
approval_mode = "auto"

# Linear, remote
[mcp_servers.linear]
url = "https://mcp.linear.app/mcp"
bearer_token_env_var = "LINEAR_API_KEY"
"""


def doc(text: str) -> TomlDocument:
    return TomlDocument(text, PATH)


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
    document = doc(CODEX)
    github = document.value(("mcp_servers", "github"))
    assert type(github) is dict
    assert github["args"] == ["run", "-i", "--rm", "ghcr.io/github/github-mcp-server"]
    assert github["env"] == {"GITHUB_TOOLSETS": "repos,issues"}
    assert github["tools"] == {"search": {"approval_mode": "auto"}}
    assert document.value(("mcp_servers", "github", "startup_timeout_sec")) == 20
    assert document.value(("projects", "/home/dana/src/billing-api", "trust_level")) == "trusted"
    assert list(document.value(("mcp_servers",))) == ["context7", "github", "linear"]
    assert document.value(("mcp_servers", "nope")) is None


def test_has() -> None:
    document = doc(CODEX)
    assert document.has(("mcp_servers", "github", "env"))
    assert document.has(("mcp_servers", "github", "args", -1))
    assert not document.has(("mcp_servers", "github", "enabled"))
    assert not document.has(("mcp_servers", "github", "args", 4))


@pytest.mark.parametrize(
    ("path", "position"),
    [
        (("model",), (2, 1)),
        (("mcp_servers", "github"), (13, 1)),  # the [table] header
        (("mcp_servers", "github", "command"), (14, 1)),
        (("mcp_servers", "github", "args", 3), (15, 30)),  # an item of an inline array
        (("mcp_servers", "github", "env"), (20, 1)),
        (("mcp_servers", "github", "env", "GITHUB_TOOLSETS"), (21, 1)),
        (("mcp_servers", "github", "tools"), (23, 1)),  # implicit: its first sub-table
        (("mcp_servers",), (8, 1)),  # implicit: its first sub-table
        (("mcp_servers", "linear", "url"), (28, 1)),
        (("mcp_servers", "github", "enabled"), (13, 1)),  # missing: the nearest ancestor
        (("nothing", "here"), (1, 1)),
    ],
)
def test_position_and_line(path: tuple[str | int, ...], position: tuple[int, int]) -> None:
    document = doc(CODEX)
    assert document.position(path) == position
    assert document.line(path) == position[0]


def test_positions_of_inline_and_dotted_servers() -> None:
    text = (
        "[mcp_servers]\n"
        'github = { command = "npx", args = ["-y", "srv"] }\n'
        '  linear.command = "uvx"\n'
    )
    document = doc(text)
    assert document.position(("mcp_servers", "github", "args")) == (2, 29)
    assert document.position(("mcp_servers", "github", "args", 1)) == (2, 43)
    assert document.position(("mcp_servers", "linear")) == (3, 3)
    assert document.position(("mcp_servers", "linear", "command")) == (3, 3)


def test_empty_file_is_an_empty_table() -> None:
    assert doc("").value() == {}
    assert doc("# nothing yet\n").value() == {}


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('model = "o3"\nargs = [\n', 2, 1),
        ('model = "o3"\n[mcp_servers.github\ncommand = "npx"\n', 2, 20),
        ('model = "o3"\nenabled = \n', 2, 11),
        ("[mcp_servers.a]\nx = 1\n\n[mcp_servers.a]\ny = 2\n", 4, 1),  # a table defined twice
        ("[a]\nb.c = 1\n\n[a.b]\nd = 2\n", 4, 1),  # a dotted table redefined by a header
        ("[a]\nx = 1\nx = 2\n", 3, 1),
        ("\ufeffa = 1\nb = @\n", 2, 5),
        ('a = "x"\r\nb = 1979-13-45\r\n', 2, 15),
    ],
)
def test_syntax_errors_name_their_line(text: str, line: int, column: int) -> None:
    with pytest.raises(ConfigParseError) as caught:
        doc(text)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert caught.value.where == f"{PATH}:{line}:{column}"
    assert " at line " not in caught.value.message
    assert caught.value.hint


def test_bom_is_accepted_and_columns_ignore_it() -> None:
    document = doc('\ufeffmodel = "o3"\n[mcp_servers.x]\ncommand = "x"\n')
    assert document.value(("model",)) == "o3"
    assert document.position(("model",)) == (1, 1)


# --- set ------------------------------------------------------------------------------------------


def test_set_inserts_after_the_tables_last_key_not_after_the_next_tables_comment() -> None:
    document = doc(CODEX)
    document.set(("mcp_servers", "github", "enabled"), False)
    expected = CODEX.replace(
        "startup_timeout_sec = 20\n", "startup_timeout_sec = 20\nenabled = false\n"
    )
    assert document.text == expected
    assert changes(CODEX, document.text) == ([], ["enabled = false\n"])
    assert document.value(("mcp_servers", "github", "enabled")) is False
    assert document.line(("mcp_servers", "github", "enabled")) == 18


def test_set_replaces_an_existing_value_and_keeps_its_comment() -> None:
    document = doc(CODEX)
    document.set(("mcp_servers", "github", "default_tools_approval_mode"), "prompt")
    assert changes(CODEX, document.text) == (
        ['default_tools_approval_mode = "auto" # stop asking for every read\n'],
        ['default_tools_approval_mode = "prompt" # stop asking for every read\n'],
    )


def test_set_existing_enabled_true_in_place() -> None:
    text = '[mcp_servers.github]\nenabled = true   # on\nurl = "https://x"\n'
    document = doc(text)
    document.set(("mcp_servers", "github", "enabled"), False)
    assert document.text == '[mcp_servers.github]\nenabled = false   # on\nurl = "https://x"\n'


def test_set_after_a_multiline_array_with_a_sub_table_right_below() -> None:
    text = (
        "[mcp_servers.github]\n"
        'command = "npx"\n'
        "enabled_tools = [\n"
        '    "get_issue",\n'
        '    "create_issue",\n'
        "]\n"
        "[mcp_servers.github.env]\n"
        'GITHUB_TOOLSETS = "repos"\n'
    )
    document = doc(text)
    document.set(("mcp_servers", "github", "enabled"), False)
    assert document.text == text.replace("]\n[", "]\nenabled = false\n[")


def test_set_in_a_table_without_keys() -> None:
    text = "[mcp_servers.github]  # placeholder\n\n[mcp_servers.other]\nurl = 'x'\n"
    document = doc(text)
    document.set(("mcp_servers", "github", "enabled"), False)
    assert document.text == (
        "[mcp_servers.github]  # placeholder\nenabled = false\n\n[mcp_servers.other]\nurl = 'x'\n"
    )


def test_set_follows_the_tables_indentation_and_spacing() -> None:
    text = '[mcp_servers.github]\n\tcommand="npx"\n\targs=["-y"]\n\n[other]\nx=1\n'
    document = doc(text)
    document.set(("mcp_servers", "github", "enabled"), False)
    assert document.text == (
        '[mcp_servers.github]\n\tcommand="npx"\n\targs=["-y"]\n\tenabled=false\n\n[other]\nx=1\n'
    )


def test_set_in_an_implicit_table_writes_its_header_before_its_first_sub_table() -> None:
    text = 'model = "o3"\n\n# env for github\n[mcp_servers.github.env]\nTOKEN_NAME = "GH"\n'
    document = doc(text)
    document.set(("mcp_servers", "github", "enabled"), False)
    assert document.text == (
        'model = "o3"\n'
        "\n"
        "[mcp_servers.github]\n"
        "enabled = false\n"
        "\n"
        "# env for github\n"
        "[mcp_servers.github.env]\n"
        'TOKEN_NAME = "GH"\n'
    )


def test_set_in_an_inline_server_table() -> None:
    text = (
        "[mcp_servers]\n"
        'github = { command = "npx", args = ["-y", "srv"] }  # inline\n'
        'linear = {command="uvx"}\n'
        "empty = {}\n"
    )
    document = doc(text)
    document.set(("mcp_servers", "github", "enabled"), False)
    document.set(("mcp_servers", "linear", "enabled"), False)
    document.set(("mcp_servers", "empty", "enabled"), False)
    assert document.text == (
        "[mcp_servers]\n"
        'github = { command = "npx", args = ["-y", "srv"], enabled = false }  # inline\n'
        'linear = {command="uvx", enabled=false}\n'
        "empty = { enabled = false }\n"
    )


def test_set_in_a_server_written_with_dotted_keys() -> None:
    text = 'mcp_servers.github.command = "npx"\nmcp_servers.github.args = []\nmodel = "o3"\n'
    document = doc(text)
    document.set(("mcp_servers", "github", "enabled"), False)
    assert document.text == (
        'mcp_servers.github.command = "npx"\n'
        "mcp_servers.github.args = []\n"
        "mcp_servers.github.enabled = false\n"
        'model = "o3"\n'
    )


def test_set_creates_missing_tables_as_an_inline_value() -> None:
    document = doc(CODEX)
    document.set(("mcp_servers", "linear", "tools", "search", "approval_mode"), "prompt")
    assert changes(CODEX, document.text) == (
        [],
        ['tools = { search = { approval_mode = "prompt" } }\n'],
    )
    assert document.text.endswith(
        'bearer_token_env_var = "LINEAR_API_KEY"\n'
        'tools = { search = { approval_mode = "prompt" } }\n'
    )


def test_set_a_new_root_key_goes_after_the_root_keys() -> None:
    document = doc(CODEX)
    document.set(("sandbox_mode",), "read-only")
    assert changes(CODEX, document.text) == ([], ['sandbox_mode = "read-only"\n'])
    assert document.line(("sandbox_mode",)) == 4


def test_set_quotes_keys_and_strings_that_need_it() -> None:
    document = doc("[mcp_servers.github]\ncommand = 'npx'\n")
    document.set(("mcp_servers", "github", "env", "A KEY"), 'say "hi"\n')
    assert document.text == (
        '[mcp_servers.github]\ncommand = \'npx\'\nenv = { "A KEY" = "say \\"hi\\"\\n" }\n'
    )
    assert document.value(("mcp_servers", "github", "env", "A KEY")) == 'say "hi"\n'


def test_set_replaces_a_sub_table_wholesale() -> None:
    document = doc(CODEX)
    document.set(("mcp_servers", "github", "env"), {"GITHUB_TOOLSETS": "repos"})
    # The comment above the old [env] header stays: comments on lines of their own are kept.
    assert changes(CODEX, document.text) == (
        ["[mcp_servers.github.env]\n", 'GITHUB_TOOLSETS = "repos,issues"\n'],
        ['env = { GITHUB_TOOLSETS = "repos" }\n'],
    )
    assert "startup_timeout_sec = 20\nenv = {" in document.text


def test_set_null_is_refused() -> None:
    document = doc(CODEX)
    with pytest.raises(DocumentEditError):
        document.set(("mcp_servers", "github", "enabled"), None)
    assert document.text == CODEX


# --- delete ---------------------------------------------------------------------------------------


def test_delete_a_key_removes_its_line_and_comment() -> None:
    document = doc(CODEX)
    document.delete(("mcp_servers", "github", "default_tools_approval_mode"))
    assert changes(CODEX, document.text) == (
        ['default_tools_approval_mode = "auto" # stop asking for every read\n'],
        [],
    )


def test_delete_a_tool_approval_keeps_the_empty_tool_table() -> None:
    document = doc(CODEX)
    document.delete(("mcp_servers", "github", "tools", "search", "approval_mode"))
    assert changes(CODEX, document.text) == (['approval_mode = "auto"\n'], [])
    assert document.value(("mcp_servers", "github", "tools")) == {"search": {}}


def test_delete_a_server_takes_its_sub_tables_and_keeps_the_next_tables_comment() -> None:
    # Comment lines above the removed header stay (responder never drops a comment line of its
    # own); the comment above the sub-table [env] sat inside the removed block and goes with it.
    document = doc(CODEX)
    document.delete(("mcp_servers", "github"))
    assert document.text == (
        "# Codex CLI configuration (~/.codex/config.toml)\n"
        'model = "gpt-5-codex"\n'
        'approval_policy = "on-request"\n'
        "\n"
        '[projects."/home/dana/src/billing-api"]\n'
        'trust_level = "trusted"\n'
        "\n"
        "[mcp_servers.context7]\n"
        'command = "npx"\n'
        'args = ["-y", "@upstash/context7-mcp"]\n'
        "\n"
        "# GitHub MCP server; the PAT comes from the shell\n"
        "\n"
        "# Linear, remote\n"
        "[mcp_servers.linear]\n"
        'url = "https://mcp.linear.app/mcp"\n'
        'bearer_token_env_var = "LINEAR_API_KEY"\n'
    )
    assert list(document.value(("mcp_servers",))) == ["context7", "linear"]


def test_delete_a_server_between_blank_lines_leaves_one_blank_line() -> None:
    text = "[mcp_servers.a]\nx = 1\n\n[mcp_servers.github]\ny = 2\n\n[mcp_servers.b]\nz = 3\n"
    document = doc(text)
    document.delete(("mcp_servers", "github"))
    assert document.text == "[mcp_servers.a]\nx = 1\n\n[mcp_servers.b]\nz = 3\n"


def test_delete_the_first_table_of_the_file() -> None:
    text = "[mcp_servers.github]\ny = 2\n\n[mcp_servers.b]\nz = 3\n"
    document = doc(text)
    document.delete(("mcp_servers", "github"))
    assert document.text == "[mcp_servers.b]\nz = 3\n"


def test_delete_the_last_table_leaves_no_trailing_blank_lines() -> None:
    document = doc(CODEX)
    document.delete(("mcp_servers", "linear"))
    assert document.text.endswith('approval_mode = "auto"\n\n# Linear, remote\n')


def test_delete_the_last_table_keeps_a_missing_final_newline() -> None:
    text = "[mcp_servers.a]\nx = 1\n\n[mcp_servers.github]\ny = 2"
    document = doc(text)
    document.delete(("mcp_servers", "github"))
    assert document.text == "[mcp_servers.a]\nx = 1"


def test_delete_sub_tables_that_are_not_next_to_their_table() -> None:
    text = (
        "[mcp_servers.github]\n"
        'command = "npx"\n'
        "\n"
        "[mcp_servers.linear]\n"
        'command = "uvx"\n'
        "\n"
        "[mcp_servers.github.env]\n"
        'A = "1"\n'
    )
    document = doc(text)
    document.delete(("mcp_servers", "github"))
    assert document.text == '[mcp_servers.linear]\ncommand = "uvx"\n'


def test_delete_the_only_sub_table_keeps_its_parent_as_an_empty_table() -> None:
    text = '[mcp_servers.github]\ncommand = "npx"\n\n[mcp_servers.github.tools.search]\nx = 1\n'
    document = doc(text)
    document.delete(("mcp_servers", "github", "tools", "search"))
    assert document.text == '[mcp_servers.github]\ncommand = "npx"\ntools = {}\n'
    assert document.value(("mcp_servers", "github", "tools")) == {}


def test_delete_an_inline_server_line() -> None:
    text = (
        "[mcp_servers]\n"
        "# github, inline\n"
        'github = { command = "npx", args = ["-y"] }  # compromised\n'
        'linear = { command = "uvx" }\n'
    )
    document = doc(text)
    document.delete(("mcp_servers", "github"))
    assert document.text == '[mcp_servers]\n# github, inline\nlinear = { command = "uvx" }\n'


def test_delete_a_server_written_with_dotted_keys() -> None:
    text = '[mcp_servers]\ngithub.command = "npx"\ngithub.args = ["-y"]\nlinear.command = "uvx"\n'
    document = doc(text)
    document.delete(("mcp_servers", "github"))
    assert document.text == '[mcp_servers]\nlinear.command = "uvx"\n'


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("s", "env", "A"), 's = { command = "npx", env = { B = "2" } }\n'),
        (("s", "env", "B"), 's = { command = "npx", env = { A = "1" } }\n'),
        (("s", "command"), 's = { env = { A = "1", B = "2" } }\n'),
        (("s", "env"), 's = { command = "npx" }\n'),
    ],
)
def test_delete_inside_an_inline_table(path: tuple[str, ...], line: str) -> None:
    text = 's = { command = "npx", env = { A = "1", B = "2" } }\n'
    document = doc(text)
    document.delete(path)
    assert document.text == line


def test_delete_the_only_entry_of_an_inline_table() -> None:
    document = doc('s = { env = { A = "1" } }\n')
    document.delete(("s", "env", "A"))
    assert document.text == "s = { env = {} }\n"


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (0, 'args = ["@upstash/context7-mcp", "--ro"]\n'),
        (1, 'args = ["-y", "--ro"]\n'),
        (2, 'args = ["-y", "@upstash/context7-mcp"]\n'),
        (-1, 'args = ["-y", "@upstash/context7-mcp"]\n'),
    ],
)
def test_delete_an_item_of_a_one_line_array(index: int, expected: str) -> None:
    document = doc('args = ["-y", "@upstash/context7-mcp", "--ro"]\n')
    document.delete(("args", index))
    assert document.text == expected


def test_delete_items_of_a_multiline_array() -> None:
    text = 'tools = [\n    "get_issue",  # read\n    "create_issue",\n    "merge"\n]\n'
    document = doc(text)
    document.delete(("tools", 0))
    assert document.text == 'tools = [\n    "create_issue",\n    "merge"\n]\n'
    document.delete(("tools", 1))
    assert document.text == 'tools = [\n    "create_issue",\n]\n'
    document.delete(("tools", 0))
    assert document.value(("tools",)) == []


def test_delete_missing_path_changes_nothing() -> None:
    document = doc(CODEX)
    document.delete(("mcp_servers", "nope"))
    assert document.text == CODEX


# --- append ---------------------------------------------------------------------------------------


def test_append_to_a_one_line_array() -> None:
    document = doc(CODEX)
    document.append(("mcp_servers", "context7", "args"), "--read-only")
    assert changes(CODEX, document.text) == (
        ['args = ["-y", "@upstash/context7-mcp"]\n'],
        ['args = ["-y", "@upstash/context7-mcp", "--read-only"]\n'],
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a = []\n", 'a = ["x"]\n'),
        ("a = [ ]\n", 'a = ["x"]\n'),
        ("a = [1,]\n", 'a = [1, "x",]\n'),
        ('a = [\n  "p",\n  "q",\n]\n', 'a = [\n  "p",\n  "q",\n  "x",\n]\n'),
        ('a = [\n  "p",\n  "q"  # last\n]\n', 'a = [\n  "p",\n  "q",  # last\n  "x"\n]\n'),
    ],
)
def test_append_keeps_the_arrays_layout(text: str, expected: str) -> None:
    document = doc(text)
    document.append(("a",), "x")
    assert document.text == expected


def test_append_creates_a_missing_array() -> None:
    document = doc('[mcp_servers.github]\ncommand = "npx"\n')
    document.append(("mcp_servers", "github", "disabled_tools"), "merge_pull_request")
    assert document.text == (
        '[mcp_servers.github]\ncommand = "npx"\ndisabled_tools = ["merge_pull_request"]\n'
    )


# --- arrays of tables -----------------------------------------------------------------------------

AOT = """\
[[servers]]
name = "a"

[[servers]]
name = "b"
[servers.env]
X = "1"

[other]
k = 1
"""


def test_array_of_tables_elements_are_addressed_by_index() -> None:
    document = doc(AOT)
    assert document.value(("servers", 1, "env", "X")) == "1"
    assert document.position(("servers", 1)) == (4, 1)
    document.set(("servers", 1, "enabled"), False)
    assert changes(AOT, document.text) == ([], ["enabled = false\n"])
    assert document.line(("servers", 1, "enabled")) == 6


def test_delete_an_array_of_tables_element_with_its_sub_table() -> None:
    document = doc(AOT)
    document.delete(("servers", 1))
    assert document.text == '[[servers]]\nname = "a"\n\n[other]\nk = 1\n'


def test_append_an_array_of_tables_element() -> None:
    document = doc(AOT)
    document.append(("servers",), {"name": "c", "enabled": False})
    assert document.text == AOT.replace(
        'X = "1"\n', 'X = "1"\n\n[[servers]]\nname = "c"\nenabled = false\n'
    )


# --- layout: CRLF, final newline, BOM, strings that look like headers ----------------------------


def test_crlf_stays_crlf() -> None:
    text = CODEX.replace("\n", "\r\n")
    document = doc(text)
    document.set(("mcp_servers", "github", "enabled"), False)
    document.delete(("mcp_servers", "linear"))
    document.append(("mcp_servers", "context7", "args"), "--ro")
    expected = (
        CODEX.replace("startup_timeout_sec = 20\n", "startup_timeout_sec = 20\nenabled = false\n")
        .replace('"@upstash/context7-mcp"]', '"@upstash/context7-mcp", "--ro"]')
        .replace(
            '\n[mcp_servers.linear]\nurl = "https://mcp.linear.app/mcp"\n'
            'bearer_token_env_var = "LINEAR_API_KEY"\n',
            "\n",
        )
        .replace("\n", "\r\n")
    )
    assert document.text == expected
    assert document.text.count("\n") == document.text.count("\r\n")


def test_no_final_newline_stays_without() -> None:
    text = '[mcp_servers.github]\ncommand = "npx"\nargs = [\n  "-y",\n]'
    document = doc(text)
    document.set(("mcp_servers", "github", "enabled"), False)
    assert document.text == text + "\nenabled = false"
    document.delete(("mcp_servers", "github", "enabled"))
    assert document.text == text
    document.delete(("mcp_servers", "github", "args"))
    assert document.text == '[mcp_servers.github]\ncommand = "npx"'


def test_crlf_without_final_newline() -> None:
    text = '[mcp_servers.a]\r\nx = 1\r\n\r\n[mcp_servers.github]\r\ncommand = "npx"'
    document = doc(text)
    document.set(("mcp_servers", "github", "enabled"), False)
    assert document.text == text + "\r\nenabled = false"
    document.delete(("mcp_servers", "github"))
    assert document.text == "[mcp_servers.a]\r\nx = 1"


def test_delete_the_last_server_keeps_an_empty_mcp_servers_table() -> None:
    # delete() removes one key: the table holding it stays, so the file must still define it.
    text = '[a]\r\nx = 1\r\n\r\n[mcp_servers.github]\r\ncommand = "npx"'
    document = doc(text)
    document.delete(("mcp_servers", "github"))
    assert document.text == "mcp_servers = {}\r\n\r\n[a]\r\nx = 1"
    assert document.value() == {"a": {"x": 1}, "mcp_servers": {}}


def test_bom_stays_when_the_first_table_goes() -> None:
    text = '\ufeff[mcp_servers.github]\ncommand = "npx"\n\n[mcp_servers.b]\nz = 3\n'
    document = doc(text)
    assert document.position(("mcp_servers", "github")) == (1, 1)
    document.delete(("mcp_servers", "github"))
    assert document.text == "\ufeff[mcp_servers.b]\nz = 3\n"


def test_multiline_strings_that_look_like_tables_are_values() -> None:
    text = (
        '[mcp_servers.github]\nnote = """\n[mcp_servers.fake]\nenabled = true\n"""\n'
        "literal = '''a ''' \n"
        "\n[mcp_servers.b]\nz = 3\n"
    )
    document = doc(text)
    document.set(("mcp_servers", "github", "enabled"), False)
    assert document.text == text.replace("''' \n", "''' \nenabled = false\n")
    assert "fake" not in document.value(("mcp_servers",))


def test_quoted_and_spaced_keys() -> None:
    text = '[ mcp_servers . "my.server" ]\n"the command" = "npx"\n'
    document = doc(text)
    assert document.value(("mcp_servers", "my.server", "the command")) == "npx"
    document.set(("mcp_servers", "my.server", "enabled"), False)
    assert document.text == text + "enabled = false\n"
    document.delete(("mcp_servers", "my.server", "the command"))
    assert document.text == '[ mcp_servers . "my.server" ]\nenabled = false\n'


def test_date_times_with_a_space_are_one_value() -> None:
    text = "[a]\nsince = 1979-05-27 07:32:00Z  # when\nx = 1\n"
    document = doc(text)
    document.delete(("a", "since"))
    assert document.text == "[a]\nx = 1\n"


def test_every_edit_is_reparsed_and_kept_only_when_it_holds() -> None:
    document = doc(CODEX)
    document.set(("mcp_servers", "github", "enabled"), False)
    document.delete(("mcp_servers", "github", "default_tools_approval_mode"))
    document.delete(("mcp_servers", "github", "tools", "search", "approval_mode"))
    removed, added = changes(CODEX, document.text)
    assert removed == [
        'default_tools_approval_mode = "auto" # stop asking for every read\n',
        'approval_mode = "auto"\n',
    ]
    assert added == ["enabled = false\n"]
    assert TomlDocument(document.text, PATH).value() == document.value()
