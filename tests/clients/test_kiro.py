"""Kiro adapter: golden before/after files, locate, parse (with errors), disable, is_disabled."""

from __future__ import annotations

from pathlib import Path

import pytest

from responder.clients.base import ConfigFile
from responder.clients.jsonc import ObjectNode, line_col, parse
from responder.clients.kiro import KiroAdapter
from responder.core.errors import ConfigParseError
from responder.core.machine import Machine

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "clients" / "kiro"
# The mcp.json cases (user-*, workspace-*); agent files have their own cases in cases.yaml.
CASES = sorted(p.name.removesuffix(".before.json") for p in FIXTURES.glob("*.before.json")
               if p.name.startswith(("user-", "workspace-")))
SERVER = "github"
kiro = KiroAdapter()


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # no newline translation: CRLF must survive


def config_for(case: str) -> ConfigFile:
    scope = case.split("-", 1)[0]
    return ConfigFile("kiro", scope, FIXTURES / f"{case}.before.json")


def user() -> ConfigFile:
    return ConfigFile("kiro", "user", Path("/home/u/.kiro/settings/mcp.json"))


WORKSPACE = ConfigFile("kiro", "workspace", Path("/src/p/.kiro/settings/mcp.json"))


def autoapprove_lines(text: str) -> set[int]:
    """Lines of `text` covered by an autoApprove member of the server being disabled."""
    lines: set[int] = set()
    for entry in _entry_nodes(parse(text).root):
        for member in entry.all("autoApprove"):
            first = line_col(text, member.key_start)[0]
            last = line_col(text, member.value.end)[0]
            lines.update(range(first, last + 1))
    return lines


def _entry_nodes(root: object) -> list[ObjectNode]:
    assert isinstance(root, ObjectNode)
    containers = [root.get("mcpServers")]
    powers = root.get("powers")
    if powers is not None and isinstance(powers.value, ObjectNode):
        containers.append(powers.value.get("mcpServers"))
    return [
        member.value
        for container in containers
        if container is not None and isinstance(container.value, ObjectNode)
        for member in container.value.all(SERVER)
        if isinstance(member.value, ObjectNode)
    ]


# --- golden pairs -----------------------------------------------------------------------------


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 7


@pytest.mark.parametrize("case", CASES)
def test_golden_disable(case: str) -> None:
    config = config_for(case)
    before = read(FIXTURES / f"{case}.before.json")
    after = read(FIXTURES / f"{case}.after.json")

    edit = kiro.disable(config, before, SERVER)
    assert edit.before == before
    assert edit.after == after
    assert edit.changed == (before != after)
    assert bool(edit.summary) == edit.changed

    assert kiro.is_disabled(config, after, SERVER)
    again = kiro.disable(config, after, SERVER)
    assert again.after == after and again.summary == ()

    servers_before = kiro.parse(config, before)
    servers_after = kiro.parse(config, after)
    others = [(s.name, s.definition) for s in servers_before if s.name != SERVER]
    assert others == [(s.name, s.definition) for s in servers_after if s.name != SERVER]
    for entry in servers_after:
        if entry.name == SERVER:
            assert entry.disabled and entry.auto_approve == ()
            assert "autoApprove" not in entry.definition

    removed = autoapprove_lines(before)
    for start, end in parse(before).comments:
        if line_col(before, start)[0] not in removed:
            assert before[start:end] in after, f"comment lost: {before[start:end]!r}"


@pytest.mark.parametrize("case", CASES)
def test_golden_cases_keep_layout(case: str) -> None:
    before = read(FIXTURES / f"{case}.before.json")
    after = read(FIXTURES / f"{case}.after.json")
    assert before.endswith("\n") == after.endswith("\n")
    assert ("\r\n" in before) == ("\r\n" in after)
    assert after.count("\n") == after.count("\r\n") or "\r" not in after
    assert before.startswith("\ufeff") == after.startswith("\ufeff")


def test_summary_names_the_change_and_the_tools() -> None:
    case = "user-comments-three-servers"
    edit = kiro.disable(config_for(case), read(FIXTURES / f"{case}.before.json"), SERVER)
    assert edit.summary == (
        'set "disabled": true in mcpServers.github',
        'removed "autoApprove" from mcpServers.github (3 tools: create_issue, list_issues, '
        "get_issue)",
    )
    assert edit.server == SERVER


def test_summary_for_powers_and_wildcard() -> None:
    case = "user-powers-and-mcpservers"
    edit = kiro.disable(config_for(case), read(FIXTURES / f"{case}.before.json"), SERVER)
    assert 'set "disabled": true in powers.mcpServers.github' in edit.summary
    assert 'removed "autoApprove" from powers.mcpServers.github (every tool: "*")' in edit.summary


def test_hardcoded_token_case_is_parsed_and_kept() -> None:
    case = "user-github-last-trailing-commas"
    before = read(FIXTURES / f"{case}.before.json")
    (github,) = [e for e in kiro.parse(config_for(case), before) if e.name == SERVER]
    token = github.definition["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"]
    assert token.startswith("ghp_") and len(token) == 40 and token[4:].isalnum()
    assert token in read(FIXTURES / f"{case}.after.json")
    assert github.definition["disabledTools"] == ["delete_repository"]


# --- locate -----------------------------------------------------------------------------------


def _write(root: Path) -> Path:
    path = root / ".kiro" / "settings" / "mcp.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"mcpServers": {}}')
    return path


def test_locate_user_then_workspaces(tmp_path: Path) -> None:
    home, cwd, other, empty = (tmp_path / n for n in ("home", "cwd", "other", "empty"))
    for d in (home, cwd, other, empty):
        d.mkdir(exist_ok=True)
    files = [_write(home), _write(cwd), _write(other)]
    machine = Machine(home=home, cwd=cwd, workspaces=(empty, other, cwd))
    found = kiro.locate(machine)
    assert [(c.client, c.scope, c.path) for c in found] == [
        ("kiro", "user", files[0]),
        ("kiro", "workspace", files[1]),
        ("kiro", "workspace", files[2]),
    ]


def test_locate_lists_home_once_when_cwd_is_home(tmp_path: Path) -> None:
    user_file = _write(tmp_path)
    found = kiro.locate(Machine(home=tmp_path, cwd=tmp_path, workspaces=(tmp_path,)))
    assert [(c.scope, c.path) for c in found] == [("user", user_file)]


def test_locate_dedupes_a_symlinked_workspace(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir(exist_ok=True)
    real = tmp_path / "real"
    real.mkdir()
    _write(real)
    (tmp_path / "link").symlink_to(real)
    machine = Machine(home=tmp_path / "home", cwd=real, workspaces=(tmp_path / "link",))
    assert [c.scope for c in kiro.locate(machine)] == ["workspace"]


def test_locate_finds_nothing_when_no_file_exists(tmp_path: Path) -> None:
    (tmp_path / ".kiro" / "settings").mkdir(parents=True)
    assert kiro.locate(Machine(home=tmp_path, cwd=tmp_path / "nowhere")) == []


def test_adapter_identity() -> None:
    assert (kiro.name, kiro.title) == ("kiro", "Kiro")


# --- parse ------------------------------------------------------------------------------------

POWERS = """{
  "mcpServers": {
    "github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]},
    "remote": {
      "url": "https://example.com/mcp",
      "disabled": true,
      "autoApprove": ["a", "b"]
    }
  },
  "powers": {
    "mcpServers": {
      "github": {"url": "https://api.githubcopilot.com/mcp/", "disabled": false}
    }
  }
}
"""


def test_parse_entries_with_lines_flags_and_powers() -> None:
    entries = kiro.parse(user(), POWERS)
    assert [(e.name, e.line, e.disabled, e.auto_approve) for e in entries] == [
        ("github", 3, False, ()),
        ("remote", 4, True, ("a", "b")),
        ("github", 12, False, ()),
    ]
    assert entries[0].launch == "npx -y @modelcontextprotocol/server-github"
    assert entries[2].launch == "https://api.githubcopilot.com/mcp/"
    assert all(e.config == user() for e in entries)


def test_workspace_files_ignore_powers() -> None:
    entries = kiro.parse(WORKSPACE, POWERS)
    assert [e.name for e in entries] == ["github", "remote"]
    edit = kiro.disable(WORKSPACE, POWERS, "github")
    assert (
        '"github": {"url": "https://api.githubcopilot.com/mcp/", "disabled": false}' in edit.after
    )
    assert edit.summary == ('set "disabled": true in mcpServers.github',)


def test_is_disabled_needs_every_definition() -> None:
    assert not kiro.is_disabled(user(), POWERS, "github")
    once = POWERS.replace(
        '"github": {"command": "npx",', '"github": {"disabled": true, "command": "npx",'
    )
    assert not kiro.is_disabled(user(), once, "github")  # the Powers copy is still on
    assert kiro.is_disabled(WORKSPACE, once, "github")
    assert kiro.is_disabled(user(), POWERS, "remote")
    assert not kiro.is_disabled(user(), POWERS, "absent")


def test_duplicate_entries_last_wins_for_parse() -> None:
    case = "user-duplicate-entries"
    entries = kiro.parse(config_for(case), read(FIXTURES / f"{case}.before.json"))
    assert [(e.name, e.line, e.definition["args"][1]) for e in entries] == [
        ("github", 9, "@modelcontextprotocol/server-github")
    ]


@pytest.mark.parametrize("text", ['{"mcpServers": {}}', "{}", '{"other": 1} // nothing here'])
def test_files_without_servers(text: str) -> None:
    assert kiro.parse(user(), text) == []
    edit = kiro.disable(user(), text, SERVER)
    assert edit.after == text and edit.summary == () and not edit.changed
    assert not kiro.is_disabled(user(), text, SERVER)


def test_disable_leaves_an_absent_server_alone() -> None:
    edit = kiro.disable(user(), POWERS, "nope")
    assert edit.after == POWERS and edit.summary == ()


def test_disable_an_empty_entry() -> None:
    text = '{\n  "mcpServers": {\n    "github": {}\n  }\n}\n'
    edit = kiro.disable(user(), text, SERVER)
    assert edit.after == '{\n  "mcpServers": {\n    "github": {"disabled": true}\n  }\n}\n'


ERROR_CASES = [
    ("truncated", '{\n  "mcpServers": {\n    "github": {\n', 4, 1, "is not closed"),
    ("args string", '{"mcpServers": {\n  "g": {"command": "x", "args": "x"}\n}}', 2, 33, "args"),
    (
        "disabled string",
        '{"mcpServers": {\n  "g": {\n    "disabled": "yes"\n  }\n}}',
        3,
        17,
        "mcpServers.g.disabled must be true or false, found a string",
    ),
    (
        "env number",
        '{"mcpServers": {"g": {\n  "env": {"A": 1}}}}',
        2,
        16,
        "mcpServers.g.env.A must be a string, found a number",
    ),
    (
        "args item",
        '{"mcpServers": {"g": {"args": ["-y", 2]}}}',
        1,
        38,
        "mcpServers.g.args[1] must be a string",
    ),
    (
        "autoApprove string",
        '{"mcpServers": {"g": {"autoApprove": "*"}}}',
        1,
        38,
        "autoApprove must be an array of strings",
    ),
    ("disabledTools", '{"mcpServers": {"g": {"disabledTools": [null]}}}', 1, 41, "[0]"),
    (
        "headers value",
        '{"mcpServers": {"g": {"headers": {"H": ["v"]}}}}',
        1,
        40,
        "mcpServers.g.headers.H must be a string, found an array",
    ),
    ("env array", '{"mcpServers": {"g": {"env": ["A=1"]}}}', 1, 30, "env must be an object"),
    ("command number", '{"mcpServers": {"g": {"command": 1}}}', 1, 34, "command must be a string"),
    ("url null", '{"mcpServers": {"g": {"url": null}}}', 1, 30, "found null"),
    ("cwd", '{"mcpServers": {"g": {"cwd": false}}}', 1, 30, "found a boolean"),
    ("type", '{"mcpServers": {"g": {"type": {}}}}', 1, 31, "found an object"),
    (
        "entry string",
        '{"mcpServers": {"g": "npx server"}}',
        1,
        22,
        "mcpServers.g must be an object",
    ),
    ("servers array", '{"mcpServers": []}', 1, 16, "mcpServers must be an object"),
    ("top level array", "[]", 1, 1, "the top level must be an object, found an array"),
    ("powers", '{"powers": {"mcpServers": {"p": {"args": 1}}}}', 1, 42, "powers.mcpServers.p.args"),
    ("powers not object", '{"powers": 1}', 1, 12, "powers must be an object"),
    ("missing comma", '{\n  "mcpServers": {}\n  "powers": {}\n}', 3, 3, "expected ',' or '}'"),
    ("empty", "", 1, 1, "empty file"),
    ("only comments", "// nothing yet\n/* still nothing */\n", 1, 1, "empty file"),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [case[1:] for case in ERROR_CASES],
    ids=[case[0] for case in ERROR_CASES],
)
def test_parse_errors_name_line_and_column(text: str, line: int, column: int, message: str) -> None:
    config = user()
    with pytest.raises(ConfigParseError) as caught:
        kiro.parse(config, text)
    error = caught.value
    assert message in error.message
    assert (error.line, error.column) == (line, column)
    assert error.where == f"{config.path}:{line}:{column}"
    assert error.hint
    with pytest.raises(ConfigParseError):
        kiro.disable(config, text, "g")  # a file that does not parse is never edited


def test_empty_file_hint_says_what_to_write() -> None:
    with pytest.raises(ConfigParseError) as caught:
        kiro.parse(user(), "  \n")
    assert caught.value.hint is not None and '{"mcpServers": {}}' in caught.value.hint


def test_unknown_fields_and_shadowed_duplicates_are_not_validated() -> None:
    text = '{"mcpServers": {"g": "old", "g": {"timeout": "soon", "oauth": {"clientId": 1}}}}'
    (entry,) = kiro.parse(user(), text)
    assert entry.definition == {"timeout": "soon", "oauth": {"clientId": 1}}
    edit = kiro.disable(user(), text, "g")
    assert edit.after == text.replace('"clientId": 1}}', '"clientId": 1}, "disabled": true}')
