"""A running client that rewrites its config file while (or after) responder edits it.

- Between plan and write: the file changed after responder read it. The edit is planned again from
  the new text (the client's change is kept AND the server is disabled), never a blind overwrite.
- After the write: a client that holds the old config in memory writes it back. The run must say
  so loudly (exit 1, a critical finding naming the file, a manual step to quit the client).
- `responder runs restore` after the file changed since the run: refused with a masked diff;
  `--force` puts the original bytes back; a file responder created is deleted.
- A dotfiles symlink stays a symlink; its target is what gets edited and restored.
"""

from __future__ import annotations

import functools
import json
import os
import threading
import time
from pathlib import Path

import pytest

from responder.actions import contain as contain_action
from responder.cli.app import main
from responder.engine import session
from responder.engine.context import Timing

TOKEN = "ghp_" + "Zq8Lk2Vw9Rt4Yp6Mn3Bc7Xd1Fg5Hj0Ks2Ua9"
assert len(TOKEN) == 40

KIRO_REL = ".kiro/settings/mcp.json"
KIRO = """{
  // my MCP servers
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": {
        "GITHUB_PERSONAL_ACCESS_TOKEN": "@TOKEN@"
      },
      "autoApprove": ["get_file_contents"]
    },
    "fetch": {
      "command": "uvx",
      "args": ["mcp-server-fetch"]
    }
  }
}
""".replace("@TOKEN@", TOKEN)

CURSOR_REL = ".cursor/mcp.json"
CURSOR = """{
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"]
    },
    "linear": {
      "url": "https://mcp.linear.app/sse"
    }
  }
}
"""


@pytest.fixture
def home(sandbox, monkeypatch) -> Path:
    monkeypatch.setenv("RESPONDER_PLATFORM", "linux")
    for name in ("APPDATA", "XDG_CONFIG_HOME", "GEMINI_CLI_HOME", "CLAUDE_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    return sandbox / "home"


def _fast(monkeypatch, **values) -> None:
    values.setdefault("recheck_after", 0.05)
    monkeypatch.setattr(session, "Timing", functools.partial(Timing, **values))


def _place(home: Path, rel: str, text: str) -> Path:
    path = home / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _run(capsys) -> tuple[int, dict, str]:
    code = main(["run", "compromised-server", "--server", "github", "--yes", "--offline",
                 "--json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert TOKEN not in captured.out + captured.err
    return code, json.loads(captured.out), captured.err


def _restore(capsys, run_id: str, *extra: str) -> tuple[int, str]:
    code = main(["runs", "restore", run_id, *extra])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out + captured.err


def _step(envelope: dict, step_id: str) -> dict:
    (step,) = [s for s in envelope["steps"] if s["id"] == step_id]
    return step


def _kiro_servers(path: Path) -> dict:
    """Kiro's file is JSONC: parse it the way responder's Kiro adapter does."""
    from responder.clients import registry
    from responder.clients.scan import locate
    from responder.core.machine import Machine

    machine = Machine.current()
    (config,) = [c for c in locate(machine) if c.path == path]
    adapter = registry.get(config.client)
    return {e.name: e for e in adapter.parse(config, path.read_text(), machine)}


def _temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".responder-tmp")]


# -- between plan and write --------------------------------------------------------------------

CLIENT_ADDS_A_SERVER = (
    '    "fetch": {',
    '    "linear": {\n      "url": "https://mcp.linear.app/sse"\n    },\n    "fetch": {',
)


def _rewrite_after_read(monkeypatch, target: Path, times: int | None):
    """After responder's contain step reads `target`, a client saves a new version of it.

    `times`: how many of those reads trigger a client save (None: every one)."""
    real = contain_action.read_text
    saves: list[str] = []

    def read_then_client_saves(path: Path) -> str:
        text = real(path)
        if Path(path) == target and (times is None or len(saves) < times):
            old, new = CLIENT_ADDS_A_SERVER
            changed = text.replace(old, new, 1) if not saves else text.replace(
                '"fetch": {', f'"fetch": {{\n      "timeout": {len(saves) * 1000},', 1)
            target.write_text(changed)
            saves.append(changed)
        return text

    monkeypatch.setattr(contain_action, "read_text", read_then_client_saves)
    return saves


def test_file_changed_between_plan_and_write_is_replanned(home: Path, capsys,
                                                          monkeypatch) -> None:
    _fast(monkeypatch)
    kiro = _place(home, KIRO_REL, KIRO)
    cursor = _place(home, CURSOR_REL, CURSOR)
    saves = _rewrite_after_read(monkeypatch, kiro, times=1)

    code, envelope, err = _run(capsys)

    assert len(saves) == 1, "the client's save was never triggered"
    assert code == 0, err
    servers = _kiro_servers(kiro)
    assert "linear" in servers, "the client's change was overwritten"
    assert servers["github"].disabled is True
    assert servers["github"].auto_approve == ()
    assert servers["fetch"].disabled is False
    assert "// my MCP servers" in kiro.read_text()
    assert str(kiro) in _step(envelope, "contain")["outputs"]["disabled"]
    assert "github" not in json.loads(cursor.read_text())["mcpServers"]
    # The backup is what responder actually replaced: restore gives back the client's version.
    code, out = _restore(capsys, envelope["run_id"])
    assert code == 0, out
    assert kiro.read_text() == saves[0]


def test_file_that_keeps_changing_is_never_overwritten_blindly(home: Path, capsys,
                                                               monkeypatch) -> None:
    _fast(monkeypatch)
    kiro = _place(home, KIRO_REL, KIRO)
    cursor = _place(home, CURSOR_REL, CURSOR)
    saves = _rewrite_after_read(monkeypatch, kiro, times=None)

    code, envelope, err = _run(capsys)

    assert code == 1, err
    contain = _step(envelope, "contain")
    assert contain["status"] == "failed"
    assert str(kiro) in contain["error"]
    assert "changed after responder read it" in contain["error"]
    assert any(str(kiro) in m for m in contain["manual"])
    # The file holds the client's last save, untouched by responder.
    assert saves and kiro.read_text() == saves[-1]
    assert _kiro_servers(kiro)["github"].disabled is False
    assert str(kiro) not in contain["outputs"]["disabled"]
    # The other file is contained all the same.
    assert "github" not in json.loads(cursor.read_text())["mcpServers"]
    assert _temp_files(home) == []


def test_file_to_create_that_appears_before_the_write_is_replanned(home: Path, capsys,
                                                                   monkeypatch) -> None:
    """Gemini CLI creates its enablement file after responder planned to create it: the edit is
    planned again on top of Gemini's file (its record kept), and restore gives Gemini's file back
    instead of deleting it."""
    _fast(monkeypatch)
    _place(home, GEMINI_REL, GEMINI)
    enablement = home / ".gemini" / "mcp-server-enablement.json"
    gemini_wrote = '{\n  "fetch": {\n    "enabled": false\n  }\n}\n'
    real = contain_action.write_edit
    calls = []

    def gemini_saves_first(edit, backups, **options):
        if edit.config.path == enablement and enablement not in calls:
            enablement.write_text(gemini_wrote)
        calls.append(edit.config.path)
        return real(edit, backups, **options)

    monkeypatch.setattr(contain_action, "write_edit", gemini_saves_first)
    code, envelope, err = _run(capsys)

    assert calls.count(enablement) == 2, calls  # refused once, then planned again
    assert code == 0, err
    assert json.loads(enablement.read_text()) == {"fetch": {"enabled": False},
                                                  "github": {"enabled": False}}
    code, out = _restore(capsys, envelope["run_id"])
    assert code == 0, out
    assert enablement.read_text() == gemini_wrote
    assert (home / GEMINI_REL).read_text() == GEMINI


# -- after the write ---------------------------------------------------------------------------


_RECHECK_KEYERROR = (
    "BUG: clients.recheck crashes with 'internal error: KeyError: \'name\'' as soon as an edited "
    "file's bytes differ from responder's write: actions/contain.py Disable.apply records "
    "`\"targets\": [t.as_dict() for t in write.targets]` (ConfigFile.as_dict has no \"name\"), "
    "and actions/recheck.py _still_off / the finding read target[\"name\"]; so a client that "
    "writes its old copy back gets no critical finding and no 'Quit <client>' manual step, and "
    "a harmless save by the client fails the run")


class ClientWithOldCopy(threading.Thread):
    """Polls the file every 10 ms; when responder's change shows up, saves `original` back once
    (as a client holding the old config in memory does)."""

    def __init__(self, path: Path, original: bytes) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.original = original
        self.stop = threading.Event()
        self.rewrote_at: float | None = None

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                data = self.path.read_bytes()
            except FileNotFoundError:
                data = self.original
            if data != self.original:
                self.path.write_bytes(self.original)
                self.rewrote_at = time.time()
                return
            time.sleep(0.01)


def test_client_rewriting_its_old_copy_fails_the_run_loudly(home: Path, capsys,
                                                            monkeypatch) -> None:
    # The real re-check delay (Timing.recheck_after), so the client has time to act.
    monkeypatch.setattr(session, "Timing", Timing)
    kiro = _place(home, KIRO_REL, KIRO)
    cursor = _place(home, CURSOR_REL, CURSOR)
    client = ClientWithOldCopy(kiro, KIRO.encode())
    client.start()
    try:
        code, envelope, err = _run(capsys)
    finally:
        client.stop.set()
        client.join(2)

    assert client.rewrote_at is not None, "responder never changed the file"
    assert kiro.read_bytes() == KIRO.encode()
    assert code == 1, err
    contain, recheck = _step(envelope, "contain"), _step(envelope, "recheck")
    assert "failed" in (contain["status"], recheck["status"])
    assert recheck["status"] == "failed"  # the end-of-run re-check always sees it
    assert str(kiro) in recheck["outputs"]["reverted"]
    assert str(kiro) in recheck["error"]
    critical = [f for f in recheck["findings"] if f["severity"] == "critical"]
    assert any(str(kiro) in f["message"] and "rewritten" in f["message"] for f in critical)
    manual = " ".join(m for s in envelope["steps"] for m in s["manual"])
    assert "Quit" in manual and str(kiro) in manual
    assert any(m["step"] == "recheck" and "quit" in m["text"].lower()
               for m in envelope["manual_steps"])
    # The file nobody rewrote is still contained and reported as holding.
    assert "github" not in json.loads(cursor.read_text())["mcpServers"]
    assert str(cursor) in recheck["outputs"]["held"]
    assert "rewritten" in err and str(kiro) in err


def test_nothing_rewrites_the_file_recheck_holds(home: Path, capsys, monkeypatch) -> None:
    _fast(monkeypatch, recheck_after=0.3)
    kiro = _place(home, KIRO_REL, KIRO)
    started = time.monotonic()
    code, envelope, err = _run(capsys)
    assert code == 0, err
    assert time.monotonic() - started >= 0.3  # it did wait before re-reading
    recheck = _step(envelope, "recheck")
    assert recheck["status"] == "ok"
    assert recheck["outputs"]["held"] == [str(kiro)]
    assert recheck["outputs"]["reverted"] == [] and recheck["outputs"]["changed"] == []
    assert recheck["findings"] == []
    assert _kiro_servers(kiro)["github"].disabled is True


def test_client_saving_other_changes_keeps_the_server_disabled(home: Path, capsys,
                                                               monkeypatch) -> None:
    """A client that saves the file after responder's edit, keeping the edit, is no alarm."""
    _fast(monkeypatch, recheck_after=0.5)
    kiro = _place(home, KIRO_REL, KIRO)
    done = threading.Event()

    def client_saves_its_own_change() -> None:
        for _ in range(300):
            text = kiro.read_text()
            if '"disabled": true' in text:
                kiro.write_text(text.replace('"uvx"', '"/usr/local/bin/uvx"'))
                done.set()
                return
            time.sleep(0.01)

    worker = threading.Thread(target=client_saves_its_own_change, daemon=True)
    worker.start()
    try:
        code, envelope, err = _run(capsys)
    finally:
        worker.join(4)
    assert done.is_set()
    assert code == 0, err
    recheck = _step(envelope, "recheck")
    assert recheck["status"] == "ok"
    assert recheck["outputs"]["changed"] == [str(kiro)]
    assert not [f for f in recheck["findings"] if f["severity"] == "critical"]
    assert _kiro_servers(kiro)["github"].disabled is True


def test_deleted_config_is_not_reported_as_enabled_again(home: Path, capsys,
                                                         monkeypatch) -> None:
    _fast(monkeypatch, recheck_after=0.5)
    kiro = _place(home, KIRO_REL, KIRO)
    gone = threading.Event()

    def user_deletes_the_file() -> None:
        for _ in range(300):
            if kiro.exists() and '"disabled": true' in kiro.read_text():
                kiro.unlink()
                gone.set()
                return
            time.sleep(0.01)

    worker = threading.Thread(target=user_deletes_the_file, daemon=True)
    worker.start()
    try:
        code, envelope, err = _run(capsys)
    finally:
        worker.join(4)
    assert gone.is_set()
    recheck = _step(envelope, "recheck")
    assert not any("enabled there again" in f["message"] for f in recheck["findings"])
    assert code == 0, err


# -- restore after the file changed since the run ------------------------------------------------


def test_restore_refuses_a_file_changed_since_and_shows_a_masked_diff(home: Path, capsys,
                                                                      monkeypatch) -> None:
    _fast(monkeypatch)
    kiro = _place(home, KIRO_REL, KIRO)
    code, envelope, err = _run(capsys)
    assert code == 0, err
    contained = kiro.read_text()
    assert TOKEN in contained  # the token stays in the file; only the server is off
    # The user (or the client) edits the file after the run, next to the token.
    changed = contained.replace('"disabled": true', '"disabled": true,\n      "timeout": 5000')
    assert changed != contained
    kiro.write_text(changed)

    code, out = _restore(capsys, envelope["run_id"])

    assert code == 1, out
    assert "changed since" in out and str(kiro) in out and "--force" in out
    assert "timeout" in out  # the diff shows what --force would undo
    assert "GITHUB_PERSONAL_ACCESS_TOKEN" in out  # ... with the token's line as context
    assert TOKEN not in out
    assert TOKEN[4:] not in out and TOKEN[4:20] not in out
    assert kiro.read_text() == changed

    code, out = _restore(capsys, envelope["run_id"], "--force")
    assert code == 0, out
    assert TOKEN not in out
    assert kiro.read_bytes() == KIRO.encode()


def test_restore_dry_run_changes_nothing(home: Path, capsys, monkeypatch) -> None:
    _fast(monkeypatch)
    kiro = _place(home, KIRO_REL, KIRO)
    code, envelope, err = _run(capsys)
    contained = kiro.read_bytes()
    code, out = _restore(capsys, envelope["run_id"], "--dry-run")
    assert code == 0, out
    assert "would be restored" in out
    assert kiro.read_bytes() == contained


SECRET_OLD = "old-internal-secret-0123456789abcdef"
SECRET_NEW = "new-internal-secret-fedcba9876543210"
KIRO_INTERNAL = """{
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": {
        "GITHUB_PERSONAL_ACCESS_TOKEN": "@TOKEN@"
      }
    },
    "internal": {
      "command": "node",
      "args": ["server.js"],
      "env": {
        "API_KEY": "@SECRET@"
      }
    }
  }
}
""".replace("@TOKEN@", TOKEN).replace("@SECRET@", SECRET_OLD)


def test_restore_diff_masks_a_secret_the_file_still_holds(home: Path, capsys,
                                                          monkeypatch) -> None:
    _fast(monkeypatch)
    kiro = _place(home, KIRO_REL, KIRO_INTERNAL)
    code, envelope, err = _run(capsys)
    assert code == 0, err
    assert SECRET_OLD not in err
    # Next to the unknown-format secret (within the diff's context), the user edits by hand.
    kiro.write_text(kiro.read_text().replace('"server.js"', '"server.js", "--verbose"'))
    code, out = _restore(capsys, envelope["run_id"])
    assert code == 1
    assert "--verbose" in out and "API_KEY" in out
    assert SECRET_OLD not in out and TOKEN not in out


def test_restore_diff_masks_a_secret_only_the_backup_holds(home: Path, capsys,
                                                           monkeypatch) -> None:
    _fast(monkeypatch)
    kiro = _place(home, KIRO_REL, KIRO_INTERNAL)
    code, envelope, err = _run(capsys)
    assert code == 0, err
    kiro.write_text(kiro.read_text().replace(SECRET_OLD, SECRET_NEW))  # the key was rotated
    code, out = _restore(capsys, envelope["run_id"])
    assert code == 1
    assert "API_KEY" in out  # the changed line is in the diff
    assert SECRET_NEW not in out
    assert SECRET_OLD not in out


def test_restore_diff_masks_secrets_of_a_file_that_no_longer_parses(home: Path, capsys,
                                                                    monkeypatch) -> None:
    _fast(monkeypatch)
    kiro = _place(home, KIRO_REL, KIRO_INTERNAL)
    code, envelope, err = _run(capsys)
    assert code == 0, err
    broken = kiro.read_text().replace(SECRET_OLD, SECRET_NEW).replace(
        '"command": "node",', '"command": "node"')  # the user's hand edit drops a comma
    kiro.write_text(broken)
    code, out = _restore(capsys, envelope["run_id"])
    assert code == 1
    assert "API_KEY" in out
    assert SECRET_NEW not in out and SECRET_OLD not in out


GEMINI_REL = ".gemini/settings.json"
GEMINI = """{
  // Gemini CLI user settings
  "mcpServers": {
    "github": {
      "httpUrl": "https://api.githubcopilot.com/mcp/",
      "headers": {
        "Authorization": "Bearer ${GITHUB_PERSONAL_ACCESS_TOKEN}"
      },
      "trust": true
    }
  }
}
"""


def test_restore_deletes_the_file_responder_created(home: Path, capsys, monkeypatch) -> None:
    _fast(monkeypatch)
    settings = _place(home, GEMINI_REL, GEMINI)
    enablement = home / ".gemini" / "mcp-server-enablement.json"
    assert not enablement.exists()
    code, envelope, err = _run(capsys)
    assert code == 0, err
    assert json.loads(enablement.read_text()) == {"github": {"enabled": False}}
    assert oct(enablement.stat().st_mode & 0o777) == oct(0o600)
    assert '"trust"' not in settings.read_text()

    code, out = _restore(capsys, envelope["run_id"])
    assert code == 0, out
    assert not enablement.exists()
    assert settings.read_text() == GEMINI
    assert "removed" in out and str(enablement) in out
    assert _temp_files(home) == []


def test_restore_keeps_a_created_file_the_client_changed_since(home: Path, capsys,
                                                               monkeypatch) -> None:
    _fast(monkeypatch)
    _place(home, GEMINI_REL, GEMINI)
    enablement = home / ".gemini" / "mcp-server-enablement.json"
    code, envelope, err = _run(capsys)
    assert code == 0, err
    # Gemini CLI records another server in the file responder created.
    later = ('{\n  "github": {\n    "enabled": false\n  },\n'
             '  "fetch": {\n    "enabled": false\n  }\n}\n')
    enablement.write_text(later)
    code, out = _restore(capsys, envelope["run_id"])
    assert code == 1, out
    assert "changed since" in out and str(enablement) in out
    assert enablement.read_text() == later
    code, out = _restore(capsys, envelope["run_id"], "--force")
    assert code == 0, out
    assert not enablement.exists()


# -- dotfiles: a symlinked config -------------------------------------------------------------


@pytest.mark.parametrize("relative", [False, True], ids=["absolute-link", "relative-link"])
def test_symlinked_config_stays_a_symlink_and_its_target_is_edited(relative: bool, home: Path,
                                                                   capsys, monkeypatch) -> None:
    _fast(monkeypatch)
    target = _place(home, "dotfiles/cursor-mcp.json", CURSOR)
    target.chmod(0o640)
    link = home / CURSOR_REL
    link.parent.mkdir(parents=True)
    pointer = "../dotfiles/cursor-mcp.json" if relative else str(target)
    os.symlink(pointer, link)

    code, envelope, err = _run(capsys)

    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == pointer
    servers = json.loads(target.read_text())["mcpServers"]
    assert "github" not in servers and "linear" in servers
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
    assert sorted(os.listdir(link.parent)) == ["mcp.json"]
    assert sorted(os.listdir(target.parent)) == ["cursor-mcp.json"]
    assert _step(envelope, "recheck")["status"] == "ok"

    code, out = _restore(capsys, envelope["run_id"])
    assert code == 0, out
    assert link.is_symlink() and os.readlink(link) == pointer
    assert target.read_text() == CURSOR
    assert sorted(os.listdir(link.parent)) == ["mcp.json"]
    assert sorted(os.listdir(target.parent)) == ["cursor-mcp.json"]
