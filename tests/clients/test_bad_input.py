"""The issue's "Bad input" bar, end to end through the CLI.

"Each malformed file (bad JSON/JSONC/TOML/YAML, wrong types, a symlink loop, unreadable
permissions, a 50 MB file, a BOM) gets a clear message naming file and line, and containment goes
on in every other file; the exit code says some step failed; no file is lost or half-written."

Every case builds a home with one GOOD config that defines `github` (Kiro's user file, which
honours `"disabled": true`) and one BAD file in another client's place. The run must exit 2, name
the bad file with `:LINE:` where a line applies, print no traceback, leave the bad file's bytes
(and its directory) exactly as they were, and still disable the server in the good file.
`responder servers` on the same home exits 2, names the bad file the same way and still lists the
good server.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from responder.cli.app import main
from responder.clients import registry
from responder.clients.base import ConfigFile
from responder.clients.scan import locate
from responder.core.errors import ConfigParseError
from responder.core.machine import Machine
from responder.engine import session
from responder.engine.context import Timing

GOOD_REL = ".kiro/settings/mcp.json"
GOOD = """{
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": {
        "GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}"
      }
    },
    "fetch": {
      "command": "uvx",
      "args": ["mcp-server-fetch"]
    }
  }
}
"""

CLINE = ".cline/data/settings/cline_mcp_settings.json"
CURSOR = ".cursor/mcp.json"
CLAUDE_DESKTOP = ".config/Claude/claude_desktop_config.json"
VSCODE = ".config/Code/User/mcp.json"
CODEX = ".codex/config.toml"
CONTINUE = ".continue/config.yaml"
GOOSE = ".config/goose/config.yaml"
ZED = ".config/zed/settings.json"
GEMINI = ".gemini/settings.json"


@dataclass(frozen=True)
class Bad:
    id: str
    place: str  # relative to HOME
    data: bytes
    line: int | None  # the line the message must name; None when no line applies
    says: str  # a fragment of the message (lower case)


def _b(text: str) -> bytes:
    return text.encode("utf-8")


SYNTAX = [
    # strict JSON
    Bad("json-cline-missing-comma", CLINE, _b(
        '{\n  "mcpServers": {\n    "github": {\n      "command": "npx"\n'
        '      "args": ["-y", "@modelcontextprotocol/server-github"]\n    }\n  }\n}\n'),
        5, "comma"),
    Bad("json-claude-desktop-unquoted-value", CLAUDE_DESKTOP, _b(
        '{\n  "mcpServers": {\n    "github": {\n      "command": npx\n    }\n  }\n}\n'),
        4, "npx"),
    Bad("json-cursor-two-values", CURSOR, _b(
        '{\n  "mcpServers": {\n    "github": {"command": "npx"}\n  }\n}\n{}\n'),
        6, "after the end"),
    Bad("json-cursor-crlf-missing-comma", CURSOR, _b(
        '{\r\n  "mcpServers": {\r\n    "github": {\r\n      "command": "npx"\r\n'
        '      "args": []\r\n    }\r\n  }\r\n}\r\n'),
        5, "comma"),
    Bad("json-cline-raw-tab-in-string", CLINE, _b(
        '{\n  "mcpServers": {\n    "github": {\n      "command": "n\tpx"\n    }\n  }\n}\n'),
        4, "control character"),
    # JSONC
    Bad("jsonc-vscode-unclosed-object", VSCODE, _b(
        '// my servers\n{\n  "servers": {\n    "github": {\n      "command": "npx", // x\n'
        '    },\n'),
        7, "not closed"),
    Bad("jsonc-zed-unclosed-array", ZED, _b(
        '{\n  // Zed settings\n  "context_servers": {\n    "github": {\n'
        '      "command": "npx",\n      "args": ["-y",\n    }\n  }\n}\n'),
        7, ""),
    # TOML
    Bad("toml-codex-unquoted-string", CODEX, _b(
        'model = "o3"\n\n[mcp_servers.github]\ncommand = npx\n'), 4, "unexpected"),
    Bad("toml-codex-unclosed-array", CODEX, _b(
        '[mcp_servers.github]\ncommand = "npx"\nargs = ["-y", "pkg"\n'
        'env = { GITHUB_TOKEN = "x" }\n'), 4, "unexpected"),
    Bad("toml-codex-unclosed-header", CODEX, _b(
        'model = "o3"\n\n[mcp_servers.github\ncommand = "npx"\n'), 3, ""),
    Bad("toml-codex-duplicate-table", CODEX, _b(
        '[mcp_servers.github]\ncommand = "npx"\n\n[mcp_servers.github]\ncommand = "uvx"\n'),
        4, "already exists"),
    # YAML
    Bad("yaml-continue-bad-indent", CONTINUE, _b(
        'name: local\nversion: 1.0.0\nschema: v1\nmcpServers:\n  - name: github\n'
        '    command: npx\n   args: [a\n'), 7, ""),
    Bad("yaml-goose-duplicate-key", GOOSE, _b(
        'extensions:\n  github:\n    cmd: npx\n    enabled: true\n    type: stdio\n'
        '    enabled: false\n'), 6, "duplicate key"),
    Bad("yaml-goose-duplicate-top-key", GOOSE, _b(
        'extensions:\n  github:\n    cmd: npx\n    enabled: true\nextensions:\n  fetch:\n'
        '    cmd: uvx\n'), 5, "duplicate key"),
    Bad("yaml-continue-duplicate-key-in-item", CONTINUE, _b(
        'name: local\nversion: 1.0.0\nschema: v1\nmcpServers:\n  - name: github\n'
        '    command: npx\n    command: uvx\n'), 7, "duplicate key"),
    Bad("yaml-goose-tab-indent", GOOSE, _b(
        'extensions:\n  github:\n    cmd: npx\n\tenabled: true\n'), 4, "\\t"),
    Bad("yaml-goose-unclosed-flow", GOOSE, _b(
        'extensions:\n  github:\n    cmd: npx\n    args: [a, b\n    enabled: true\n'), 5, ""),
    # BOM in front of a broken file: lines are still counted right
    Bad("json-bom-then-missing-comma", CLINE, b"\xef\xbb\xbf" + _b(
        '{\n  "mcpServers": {\n    "github": {\n      "command": "npx"\n'
        '      "args": []\n    }\n  }\n}\n'), 5, "comma"),
    Bad("json-cline-empty", CLINE, b"", 1, "empty"),
    Bad("jsonc-vscode-only-comments", VSCODE, b"  \n// nothing here yet\n", 1, "empty"),
]

TYPES = [
    Bad("types-mcpservers-list", CLINE, _b('{\n  "mcpServers": []\n}\n'), 2, "must be an object"),
    Bad("types-top-level-list", CURSOR, _b('[\n  {"github": {"command": "npx"}}\n]\n'), 1,
        "top level"),
    Bad("types-args-string", CLINE, _b(
        '{\n  "mcpServers": {\n    "github": {\n      "command": "npx",\n'
        '      "args": "npx"\n    }\n  }\n}\n'), 5, "args"),
    Bad("types-disabled-string", CLINE, _b(
        '{\n  "mcpServers": {\n    "github": {\n      "command": "npx",\n'
        '      "disabled": "yes"\n    }\n  }\n}\n'), 5, "disabled"),
    Bad("types-zed-enabled-string", ZED, _b(
        '{\n  // zed\n  "context_servers": {\n    "github": {\n      "command": "npx",\n'
        '      "enabled": "no"\n    }\n  }\n}\n'), 6, "enabled"),
    Bad("types-entry-is-string", CURSOR, _b(
        '{\n  "mcpServers": {\n    "fetch": {"command": "uvx"},\n    "github": "npx"\n  }\n}\n'),
        4, "github"),
    Bad("types-env-list", CURSOR, _b(
        '{\n  "mcpServers": {\n    "github": {\n      "command": "npx",\n'
        '      "env": ["GITHUB_TOKEN=x"]\n    }\n  }\n}\n'), 5, "env"),
    Bad("types-continue-item-without-name", CONTINUE, _b(
        'name: local\nversion: 1.0.0\nschema: v1\nmcpServers:\n  - name: github\n'
        '    command: npx\n  - command: uvx\n    args: [mcp-server-fetch]\n'), 7, "name"),
    Bad("types-continue-servers-mapping", CONTINUE, _b(
        'name: local\nversion: 1.0.0\nschema: v1\nmcpServers:\n  github:\n    command: npx\n'),
        4, "must be a list"),
    Bad("types-toml-args-string", CODEX, _b(
        '[mcp_servers.github]\ncommand = "npx"\nargs = "x"\n'), 3, "args"),
    Bad("types-toml-enabled-string", CODEX, _b(
        '[mcp_servers.github]\ncommand = "npx"\nenabled = "false"\n'), 3, "enabled"),
    Bad("types-goose-extensions-list", GOOSE, _b(
        'extensions:\n  - github\n  - fetch\n'), 1, "must be an object"),
    Bad("types-gemini-trust-string", GEMINI, _b(
        '{\n  "mcpServers": {\n    "github": {\n      "command": "npx",\n'
        '      "trust": "yes"\n    }\n  }\n}\n'), 5, "trust"),
]

PARSE_CASES = SYNTAX + TYPES


@pytest.fixture
def home(sandbox, monkeypatch) -> Path:
    monkeypatch.setenv("RESPONDER_PLATFORM", "linux")
    for name in ("APPDATA", "XDG_CONFIG_HOME", "CODEX_HOME", "COPILOT_HOME", "GEMINI_CLI_HOME",
                 "CONTINUE_GLOBAL_DIR", "CLINE_DIR", "CLINE_DATA_DIR", "CLINE_MCP_SETTINGS_PATH",
                 "VSCODE_PORTABLE", "FLATPAK_XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    # The end-of-run re-check is not what these tests are about: keep each run short.
    monkeypatch.setattr(session, "Timing", functools.partial(Timing, recheck_after=0.05))
    home = sandbox / "home"
    good = home / GOOD_REL
    good.parent.mkdir(parents=True)
    good.write_text(GOOD)
    return home


def _place(home: Path, rel: str, data: bytes) -> Path:
    path = home / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _contain(capsys) -> tuple[int, dict, str]:
    code, out, err = _run(capsys, "run", "compromised-server", "--server", "github", "--yes",
                          "--offline", "--json")
    assert "Traceback" not in out + err, out + err
    assert "internal error" not in out + err, out + err
    return code, json.loads(out), err


def _machine() -> Machine:
    """The machine a CLI run in this sandbox looks at (HOME and platform from the env)."""
    return Machine.current()


def _located(path: Path) -> ConfigFile:
    (config,) = [c for c in locate(_machine()) if c.path == path]
    return config


def _good_contained(home: Path) -> bool:
    """github is off in the good Kiro file, and the other server there is untouched."""
    config = _located(home / GOOD_REL)
    assert config.client == "kiro"
    adapter = registry.get(config.client)
    text = (home / GOOD_REL).read_bytes().decode()
    return adapter.is_disabled(config, text, "github", _machine()) and not adapter.is_disabled(
        config, text, "fetch", _machine())


def _listing(directory: Path) -> dict[str, bytes | str]:
    """Every entry of a directory: a file's bytes, a symlink's target, or a marker."""
    found: dict[str, bytes | str] = {}
    for name in sorted(os.listdir(directory)):
        path = directory / name
        if path.is_symlink():
            found[name] = "-> " + os.readlink(path)
        elif path.is_dir():
            found[name] = "<dir>"
        else:
            found[name] = path.read_bytes()
    return found


def _no_temp_files(root: Path) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.name.endswith(".responder-tmp")]


def _envelope_step(envelope: dict, step_id: str) -> dict:
    (step,) = [s for s in envelope["steps"] if s["id"] == step_id]
    return step


def _assert_names(text: str, path: Path, line: int | None) -> None:
    if line is None:
        assert str(path) in text, text
    else:
        assert f"{path}:{line}:" in text, text


# -- the run ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", PARSE_CASES, ids=[c.id for c in PARSE_CASES])
def test_unparsable_file_is_named_and_every_other_file_is_contained(case: Bad, home: Path,
                                                                     capsys) -> None:
    bad = _place(home, case.place, case.data)
    before = _listing(bad.parent)

    code, envelope, err = _contain(capsys)

    assert code == 2, err
    assert envelope["exit_code"] == 2 and envelope["status"] == "bad_input"
    # The human output (stderr with --json) and the envelope both name file and line.
    _assert_names(err, bad, case.line)
    (problem,) = [e for e in envelope["input_errors"] if str(bad) in e]
    _assert_names(problem, bad, case.line)
    assert case.says in problem.lower(), problem
    unparsed = _envelope_step(envelope, "inventory")["outputs"]["unparsed"]
    assert [u["path"] for u in unparsed] == [str(bad)]
    # Nothing lost or half-written next to the bad file; the good one is contained.
    assert bad.read_bytes() == case.data
    assert _listing(bad.parent) == before
    assert _no_temp_files(home) == []
    assert _good_contained(home)
    assert _envelope_step(envelope, "contain")["status"] == "ok"
    assert _envelope_step(envelope, "contain")["outputs"]["disabled"] == [str(home / GOOD_REL)]


@pytest.mark.parametrize("case", PARSE_CASES, ids=[c.id for c in PARSE_CASES])
def test_servers_names_the_unparsable_file_and_lists_the_rest(case: Bad, home: Path,
                                                              capsys) -> None:
    bad = _place(home, case.place, case.data)

    code, out, err = _run(capsys, "servers")
    assert code == 2
    assert "Traceback" not in out + err
    _assert_names(out + err, bad, case.line)
    rows = [line for line in out.splitlines() if line.startswith("kiro ")]
    assert any(" github " in row for row in rows), out
    assert any(" fetch " in row for row in rows), out

    code, out, err = _run(capsys, "servers", "--json")
    assert code == 2
    data = json.loads(out)
    (problem,) = data["unparsed"]
    assert problem["path"] == str(bad)
    if case.line is not None:
        assert problem["where"].startswith(f"{bad}:{case.line}:"), problem
    assert {(s["client"], s["name"]) for s in data["servers"]} >= {("kiro", "github"),
                                                                  ("kiro", "fetch")}
    assert bad.read_bytes() == case.data


def _expected_hint(home: Path, case: Bad) -> str:
    bad = home / case.place
    config = _located(bad)
    with pytest.raises(ConfigParseError) as caught:
        registry.get(config.client).parse(config, case.data.decode("utf-8-sig"))
    assert caught.value.hint
    return caught.value.hint


HINTED = [c for c in PARSE_CASES if c.id in (
    "json-cline-missing-comma", "toml-codex-unquoted-string", "yaml-goose-duplicate-key",
    "types-args-string", "types-disabled-string", "types-continue-item-without-name",
    "json-cline-empty")]


@pytest.mark.parametrize("case", HINTED, ids=[c.id for c in HINTED])
def test_the_parse_error_hint_reaches_the_user(case: Bad, home: Path, capsys) -> None:
    bad = _place(home, case.place, case.data)
    hint = _expected_hint(home, case)
    code, envelope, err = _contain(capsys)
    assert code == 2
    assert hint in err, err
    code, out, err = _run(capsys, "servers")
    assert code == 2 and str(bad) in out + err
    assert hint in out + err


# -- files that cannot be read at all ----------------------------------------------------------


def _assert_unreadable_reported(capsys, home: Path, bad: Path, says: str) -> dict:
    code, envelope, err = _contain(capsys)
    assert code == 2, err
    (problem,) = [e for e in envelope["input_errors"] if str(bad) in e]
    assert says in problem.lower(), problem
    assert str(bad) in err
    assert _good_contained(home)
    assert _no_temp_files(home) == []
    code, out, err2 = _run(capsys, "servers")
    assert code == 2 and str(bad) in out + err2 and "Traceback" not in out + err2
    assert any(line.startswith("kiro ") and " github " in line for line in out.splitlines())
    return envelope


def test_symlink_loop(home: Path, capsys) -> None:
    bad = home / CLINE
    bad.parent.mkdir(parents=True)
    other = bad.parent / "other.json"
    os.symlink(other, bad)
    os.symlink(bad, other)
    before = _listing(bad.parent)
    _assert_unreadable_reported(capsys, home, bad, "symbolic links")
    assert _listing(bad.parent) == before
    assert bad.is_symlink() and other.is_symlink()


def test_dangling_symlink(home: Path, capsys) -> None:
    bad = home / CURSOR
    bad.parent.mkdir(parents=True)
    os.symlink(home / "dotfiles" / "cursor-mcp.json", bad)
    _assert_unreadable_reported(capsys, home, bad, "no such file")
    assert bad.is_symlink() and not bad.exists()
    assert not (home / "dotfiles").exists()  # nothing was created at the missing target


def test_directory_where_a_file_should_be(home: Path, capsys) -> None:
    bad = home / CLINE
    bad.mkdir(parents=True)
    (bad / "keep.txt").write_text("x")
    _assert_unreadable_reported(capsys, home, bad, "directory")
    assert bad.is_dir() and os.listdir(bad) == ["keep.txt"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a mode-000 file anyway")
def test_unreadable_file(home: Path, capsys) -> None:
    data = _b('{\n  "mcpServers": {\n    "github": {"command": "npx"}\n  }\n}\n')
    bad = _place(home, CURSOR, data)
    bad.chmod(0)
    try:
        _assert_unreadable_reported(capsys, home, bad, "permission denied")
    finally:
        bad.chmod(0o600)
    assert bad.read_bytes() == data


def test_unreadable_file_simulated(home: Path, capsys, monkeypatch) -> None:
    """The same as above, for a root test run: reading the file fails with EACCES."""
    from responder.clients import scan

    data = _b('{\n  "mcpServers": {\n    "github": {"command": "npx"}\n  }\n}\n')
    bad = _place(home, CURSOR, data)
    real = scan.read_text

    def denied(path: Path) -> str:
        if Path(path) == bad:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(scan, "read_text", denied)
    _assert_unreadable_reported(capsys, home, bad, "permission denied")
    assert bad.read_bytes() == data


def test_fifty_megabyte_file(home: Path, capsys) -> None:
    bad = home / CLINE
    bad.parent.mkdir(parents=True)
    with open(bad, "wb") as handle:
        handle.write(b"{")
        handle.truncate(50 * 1024 * 1024)
    _assert_unreadable_reported(capsys, home, bad, "mib")
    assert bad.stat().st_size == 50 * 1024 * 1024
    with open(bad, "rb") as handle:
        assert handle.read(2) == b"{\x00"


INVALID_UTF8 = (b'{\n  "mcpServers": {\n    "github": {\n      "command": "np\xff\xfex"\n'
                b'    }\n  }\n}\n')


def test_invalid_utf8(home: Path, capsys) -> None:
    bad = _place(home, CLINE, INVALID_UTF8)
    _assert_unreadable_reported(capsys, home, bad, "utf-8")
    assert bad.read_bytes() == INVALID_UTF8


def test_invalid_utf8_names_the_line(home: Path, capsys) -> None:
    bad = _place(home, CLINE, INVALID_UTF8)
    code, envelope, err = _contain(capsys)
    assert code == 2
    assert f"{bad}:4:" in err


def test_cr_only_line_endings_count_lines(home: Path, capsys) -> None:
    data = _b('{\r  "mcpServers": {\r    "github": {\r      "command": "npx"\r'
              '      "args": []\r    }\r  }\r}\r')
    bad = _place(home, CLINE, data)
    code, envelope, err = _contain(capsys)
    assert code == 2
    assert f"{bad}:5:" in err


# -- a BOM is not an error ---------------------------------------------------------------------

BOM = b"\xef\xbb\xbf"

BOM_CASES = [
    ("cline-json", CLINE, _b('{\n  "mcpServers": {\n    "github": {\n      "command": "npx"\n'
                            '    }\n  }\n}\n')),
    ("cursor-json-crlf", CURSOR, _b('{\r\n  "mcpServers": {\r\n    "github": {\r\n'
                                    '      "command": "npx"\r\n    }\r\n  }\r\n}\r\n')),
    ("vscode-jsonc", VSCODE, _b('// servers\n{\n  "servers": {\n    "github": {\n'
                                '      "command": "npx", // the GitHub server\n    },\n  },\n}\n')),
    ("codex-toml", CODEX, _b('[mcp_servers.github]\ncommand = "npx"\n')),
    ("goose-yaml", GOOSE, _b('extensions:\n  github:\n    cmd: npx\n    enabled: true\n')),
    ("continue-yaml", CONTINUE, _b('name: local\nversion: 1.0.0\nschema: v1\nmcpServers:\n'
                                   '  - name: github\n    command: npx\n')),
]


@pytest.mark.parametrize("client_id,rel,body", BOM_CASES, ids=[c[0] for c in BOM_CASES])
def test_bom_parses_and_is_contained_keeping_the_bom(client_id: str, rel: str, body: bytes,
                                                     home: Path, capsys) -> None:
    path = _place(home, rel, BOM + body)
    code, envelope, err = _contain(capsys)
    assert code == 0, err
    assert envelope["input_errors"] == []
    data = path.read_bytes()
    assert data.startswith(BOM) and not data[3:].startswith(BOM)
    assert data != BOM + body
    config = _located(path)
    adapter = registry.get(config.client)
    assert adapter.is_disabled(config, data.decode("utf-8"), "github", _machine())
    assert _good_contained(home)
    assert str(path) in _envelope_step(envelope, "contain")["outputs"]["disabled"]
    # restore gives back the exact bytes, BOM included
    code, out, err = _run(capsys, "runs", "restore", envelope["run_id"])
    assert code == 0, out + err
    assert path.read_bytes() == BOM + body


def test_bom_file_line_numbers_in_servers(home: Path, capsys) -> None:
    path = _place(home, CLINE, BOM + _b('{\n  "mcpServers": {\n    "github": {\n'
                                        '      "command": "npx"\n    }\n  }\n}\n'))
    code, out, err = _run(capsys, "servers", "--json")
    assert code == 0
    (row,) = [s for s in json.loads(out)["servers"] if s["path"] == str(path)]
    assert row["line"] == 3


# -- empty files -------------------------------------------------------------------------------


def test_empty_yaml_defines_nothing_and_is_left_alone(home: Path, capsys) -> None:
    """An empty YAML document is valid YAML (null): not an error, and nothing to disable."""
    path = _place(home, GOOSE, b"")
    code, envelope, err = _contain(capsys)
    assert code == 0, err
    assert path.read_bytes() == b""
    assert _good_contained(home)


# -- the only file that defines the server does not parse ---------------------------------------


def test_only_definition_in_a_broken_file_is_still_named(home: Path, capsys) -> None:
    (home / GOOD_REL).unlink()
    case = SYNTAX[0]
    bad = _place(home, case.place, case.data)
    code, out, err = _run(capsys, "run", "compromised-server", "--server", "github", "--yes",
                          "--offline")
    assert code == 2
    assert "Traceback" not in out + err
    assert f"{bad}:{case.line}:" in out + err
