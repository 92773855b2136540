"""Project root discovery (responder/clients/projects.py; reference §5 "Project roots come from").

Roots come, in this order and each once: the current directory, its parents (never above the
examined machine's root), every --workspace, then the folders clients remember:
`~/.claude.json` `projects` keys, Codex `[projects."<path>"]` tables, and the `workspace.json` of
every VS Code-family workspace storage folder. Folders that do not exist are dropped.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType
from urllib.parse import quote

import pytest

from responder.clients import projects
from responder.clients.places import VSCODE_APPS
from responder.clients.scan import locate
from responder.core.machine import PLATFORMS, Machine


@pytest.fixture
def base(tmp_path) -> Path:
    for name in ("home", "cwd", "root"):
        (tmp_path / name).mkdir(exist_ok=True)
    return tmp_path


def machine(base: Path, *, cwd: Path | None = None, workspaces=(), env=None,
            platform="linux", root: Path | None = None) -> Machine:
    return Machine(home=base / "home", cwd=cwd or base / "cwd", workspaces=tuple(workspaces),
                   env=MappingProxyType(dict(env or {})), platform=platform,
                   root=root or base / "root")


def folder(base: Path, *parts: str) -> Path:
    path = base.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_uri(path: Path) -> str:
    return "file://" + quote(path.as_posix())


def claude_json(where: Path, *keys: str, extra: dict | None = None) -> None:
    where.mkdir(parents=True, exist_ok=True)
    data = {"numStartups": 3, "projects": {k: {"allowedTools": [], "mcpServers": {}}
                                           for k in keys}}
    (where / ".claude.json").write_text(json.dumps({**data, **(extra or {})}, indent=2))


def remembered(m: Machine) -> list[Path]:
    """The roots beyond cwd (which is always first)."""
    found = projects.roots(m)
    assert found[0] == m.cwd
    return list(found[1:])


# -- ~/.claude.json ------------------------------------------------------------------------------


def test_claude_json_project_keys_in_file_order(base: Path) -> None:
    b, a = folder(base, "src", "b"), folder(base, "src", "a")
    claude_json(base / "home", str(b), str(a))
    assert remembered(machine(base)) == [b, a]


def test_claude_json_drops_missing_files_and_relative_keys(base: Path) -> None:
    real = folder(base, "src", "real")
    (base / "src" / "afile").write_text("not a folder")
    claude_json(base / "home", str(base / "src" / "gone"), str(real), "relative/path",
                str(base / "src" / "afile"))
    assert remembered(machine(base)) == [real]


def test_claude_config_dir_replaces_home(base: Path) -> None:
    in_home, relocated = folder(base, "p", "home-one"), folder(base, "p", "relocated-one")
    claude_json(base / "home", str(in_home))
    claude_json(base / "claude-cfg", str(relocated))
    m = machine(base, env={"CLAUDE_CONFIG_DIR": str(base / "claude-cfg")})
    assert remembered(m) == [relocated]
    assert remembered(machine(base)) == [in_home]


@pytest.mark.parametrize("data", [b"{not json", b"", b"[1, 2]", b'{"projects": ["a"]}',
                                  b'{"projects": null}', b"\xff\xfe garbage"])
def test_unreadable_claude_json_gives_no_roots_and_no_error(base: Path, data: bytes) -> None:
    other = folder(base, "p", "codex-one")
    (base / "home" / ".claude.json").write_bytes(data)
    codex = folder(base, "home", ".codex")
    (codex / "config.toml").write_text(f'[projects."{other}"]\ntrust_level = "trusted"\n')
    assert remembered(machine(base)) == [other]


def test_claude_json_with_bom_is_read(base: Path) -> None:
    p = folder(base, "p", "bom")
    text = json.dumps({"projects": {str(p): {}}})
    (base / "home" / ".claude.json").write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert remembered(machine(base)) == [p]


# -- Codex -----------------------------------------------------------------------------------


def test_codex_projects_tables(base: Path) -> None:
    one, two = folder(base, "p", "one"), folder(base, "p", "two")
    codex = folder(base, "home", ".codex")
    (codex / "config.toml").write_text(
        'model = "o3"\n\n'
        f'[projects."{one}"]\ntrust_level = "trusted"\n\n'
        f"[projects.'{two}']\ntrust_level = \"untrusted\"\n\n"
        f'[projects."{base / "p" / "missing"}"]\ntrust_level = "trusted"\n\n'
        '[mcp_servers.github]\ncommand = "npx"\n')
    assert remembered(machine(base)) == [one, two]


def test_codex_home_relocates_the_config(base: Path) -> None:
    in_home, relocated = folder(base, "p", "default"), folder(base, "p", "relocated")
    folder(base, "home", ".codex")
    (base / "home" / ".codex" / "config.toml").write_text(f'[projects."{in_home}"]\n')
    folder(base, "codex-home")
    (base / "codex-home" / "config.toml").write_text(f'[projects."{relocated}"]\n')
    assert remembered(machine(base, env={"CODEX_HOME": str(base / "codex-home")})) == [relocated]


def test_codex_broken_toml_still_gives_its_projects(base: Path) -> None:
    one, two = folder(base, "p", "one"), folder(base, "p", "two")
    codex = folder(base, "home", ".codex")
    (codex / "config.toml").write_text(
        f'[projects."{one}"]\ntrust_level = "trusted"\n\n'
        '[mcp_servers.github\ncommand = "npx"\n\n'  # unclosed table header: a TOML error
        f"  [projects.'{two}']\ntrust_level = \"trusted\"\n")
    assert remembered(machine(base)) == [one, two]


# -- VS Code family workspace storage ---------------------------------------------------------


def _user_dir(base: Path, platform: str, app: str) -> Path:
    home = base / "home"
    return {"linux": home / ".config" / app,
            "darwin": home / "Library" / "Application Support" / app,
            "win32": home / "AppData" / "Roaming" / app}[platform] / "User"


def _storage(user_dir: Path, slot: str, record: dict) -> None:
    where = user_dir / "workspaceStorage" / slot
    where.mkdir(parents=True, exist_ok=True)
    (where / "workspace.json").write_text(json.dumps(record))


@pytest.mark.parametrize("app", VSCODE_APPS)
@pytest.mark.parametrize("platform", PLATFORMS)
def test_workspace_storage_folder_of_every_app_on_every_os(base: Path, app: str,
                                                           platform: str) -> None:
    project = folder(base, "src", f"{app}-{platform}")
    _storage(_user_dir(base, platform, app), "a1b2c3", {"folder": file_uri(project)})
    assert remembered(machine(base, platform=platform)) == [project]
    # Another OS's layout is not this machine's.
    other = next(p for p in PLATFORMS if p != platform)
    assert remembered(machine(base, platform=other)) == []


def test_workspace_storage_percent_encoding_workspace_files_and_remote(base: Path) -> None:
    spaced = folder(base, "src", "my project #1 (ü)")
    team = folder(base, "src", "team")
    (team / "team.code-workspace").write_text('{"folders": [{"path": "."}]}')
    remote_lookalike = folder(base, "src", "remote")
    user = _user_dir(base, "linux", "Code")
    assert "%20" in file_uri(spaced) and "%23" in file_uri(spaced)
    _storage(user, "1", {"folder": file_uri(spaced)})
    _storage(user, "2", {"workspace": file_uri(team / "team.code-workspace")})
    remote = "vscode-remote://ssh-remote%2Bbox" + remote_lookalike.as_posix()
    _storage(user, "3", {"folder": remote})
    _storage(user, "4", {"folder": file_uri(base / "src" / "deleted")})
    _storage(user, "5", {"configuration": {"weird": True}})
    (user / "workspaceStorage" / "6").mkdir()  # no workspace.json at all
    _storage(user, "7", {"folder": 42})
    found = remembered(machine(base))
    assert sorted(found) == sorted([spaced, team])
    assert remote_lookalike not in found


def test_workspace_storage_under_vscode_portable(base: Path) -> None:
    project = folder(base, "src", "portable-project")
    _storage(base / "portable" / "user-data" / "User", "x", {"folder": file_uri(project)})
    m = machine(base, env={"VSCODE_PORTABLE": str(base / "portable")})
    assert remembered(m) == [project]


def test_workspace_storage_honours_xdg_and_appdata(base: Path) -> None:
    linux_p, win_p = folder(base, "src", "xdg"), folder(base, "src", "win")
    _storage(base / "xdg" / "Cursor" / "User", "x", {"folder": file_uri(linux_p)})
    _storage(base / "roaming" / "Kiro" / "User", "y", {"folder": file_uri(win_p)})
    assert remembered(machine(base, env={"XDG_CONFIG_HOME": str(base / "xdg")})) == [linux_p]
    assert remembered(machine(base, platform="win32",
                              env={"APPDATA": str(base / "roaming")})) == [win_p]


# -- cwd, parents, workspaces; order and duplicates ---------------------------------------------


def test_cwd_and_parents_only_up_to_the_machine_root(base: Path) -> None:
    root = base / "root"
    cwd = folder(base, "root", "src", "mono", "app")
    assert projects.roots(machine(base, cwd=cwd)) == (
        cwd, root / "src" / "mono", root / "src", root)


def test_cwd_outside_the_root_has_no_parents(base: Path) -> None:
    cwd = base / "cwd"
    assert projects.roots(machine(base, cwd=cwd)) == (cwd,)


def test_order_is_cwd_parents_workspaces_claude_codex_vscode_without_duplicates(
        base: Path) -> None:
    root = base / "root"
    cwd = folder(base, "root", "work")
    ws = folder(base, "ws", "one")
    claude_p, codex_p, vscode_p = (folder(base, "p", n) for n in ("claude", "codex", "vscode"))
    # Each later source repeats earlier ones: they must not appear twice or move.
    claude_json(base / "home", str(claude_p), str(ws), str(cwd), str(cwd) + "/")
    folder(base, "home", ".codex")
    (base / "home" / ".codex" / "config.toml").write_text(
        f'[projects."{claude_p}"]\n[projects."{codex_p}"]\n[projects."{root}"]\n')
    user = _user_dir(base, "linux", "Code")
    _storage(user, "1", {"folder": file_uri(vscode_p)})
    _storage(user, "2", {"folder": file_uri(codex_p)})
    _storage(_user_dir(base, "linux", "Cursor"), "3", {"folder": file_uri(ws)})
    m = machine(base, cwd=cwd, workspaces=(ws, ws))
    assert projects.roots(m) == (cwd, root, ws, claude_p, codex_p, vscode_p)


def test_a_project_known_only_to_claude_code_is_scanned_for_cursor(base: Path) -> None:
    project = folder(base, "src", "elsewhere")
    cursor_file = folder(project, ".cursor") / "mcp.json"
    cursor_file.write_text(json.dumps({"mcpServers": {"evil": {"command": "npx"}}}))
    claude_json(base / "home", str(project))
    m = machine(base)
    # Not in cwd, its parents or --workspace: only ~/.claude.json names it.
    assert project not in m.workspace_roots()
    located = [(c.client, c.scope, c.path) for c in locate(m, ["cursor"])]
    assert located == [("cursor", "project", cursor_file)]
    # and the same through Codex's record and VS Code's storage
    (base / "home" / ".claude.json").unlink()
    assert locate(m, ["cursor"]) == []
    _storage(_user_dir(base, "linux", "Code"), "z", {"folder": file_uri(project)})
    assert [c.path for c in locate(m, ["cursor"])] == [cursor_file]
