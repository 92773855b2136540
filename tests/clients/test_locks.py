"""responder honours the lock directories live clients hold on their config files.

Cline guards `cline_mcp_settings.json` with `<file>.lock`; Claude Code (proper-lockfile) guards
`~/.claude.json` with `~/.claude.json.lock`. Both are directories made with mkdir and kept fresh
(mtime) while held. responder must wait a little for a live lock, never delete one, take over a
stale one, hold the lock itself while it writes, and leave no lock behind.
"""

from __future__ import annotations

import functools
import json
import os
import threading
import time
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

from responder.cli.app import main
from responder.clients import apply, locks
from responder.clients.locks import STALE_AFTER, FileLocked, held, lock_path
from responder.engine import session
from responder.engine.context import Timing

CLINE_TEXT = """{
  "mcpServers": {
    "github": {
      "type": "stdio",
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "autoApprove": ["get_file_contents"]
    },
    "fetch": {
      "command": "uvx",
      "args": ["mcp-server-fetch"],
      "disabled": false
    }
  }
}
"""

CLAUDE_TEXT = """{
  "numStartups": 12,
  "mcpServers": {
    "github": {
      "type": "stdio",
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"]
    },
    "fetch": {
      "type": "stdio",
      "command": "uvx",
      "args": ["mcp-server-fetch"]
    }
  },
  "hasCompletedOnboarding": true
}
"""

CURSOR_TEXT = """{
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"]
    }
  }
}
"""


@dataclass(frozen=True)
class Locked:
    id: str
    place: str  # relative to HOME
    text: str

    def path(self, home: Path) -> Path:
        return home / self.place

    def lock(self, home: Path) -> Path:
        return lock_path(self.path(home))

    def contained(self, home: Path) -> bool:
        data = json.loads(self.path(home).read_text())
        servers = data["mcpServers"]
        if self.id == "cline":
            return servers["github"].get("disabled") is True and "autoApprove" not in \
                servers["github"] and servers["fetch"]["disabled"] is False
        return "github" not in servers and "fetch" in servers


CLIENTS = [
    Locked("cline", ".cline/data/settings/cline_mcp_settings.json", CLINE_TEXT),
    Locked("claude-code", ".claude.json", CLAUDE_TEXT),
]


@pytest.fixture
def home(sandbox, monkeypatch) -> Path:
    monkeypatch.setenv("RESPONDER_PLATFORM", "linux")
    for name in ("APPDATA", "XDG_CONFIG_HOME", "CLINE_DIR", "CLINE_DATA_DIR",
                 "CLINE_MCP_SETTINGS_PATH", "CLAUDE_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    home = sandbox / "home"
    cursor = home / ".cursor" / "mcp.json"
    cursor.parent.mkdir(parents=True)
    cursor.write_text(CURSOR_TEXT)
    return home


def _timing(monkeypatch, **values) -> None:
    """Run with these Timing values (the rest at their defaults); the re-check stays short."""
    values.setdefault("recheck_after", 0.05)
    monkeypatch.setattr(session, "Timing", functools.partial(Timing, **values))


def _place(home: Path, client: Locked) -> Path:
    path = client.path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(client.text)
    return path


def _cursor_contained(home: Path) -> bool:
    return "github" not in json.loads((home / ".cursor" / "mcp.json").read_text())["mcpServers"]


def _run(capsys) -> tuple[int, dict, str]:
    code = main(["run", "compromised-server", "--server", "github", "--yes", "--offline",
                 "--json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, json.loads(captured.out), captured.err


def _step(envelope: dict, step_id: str) -> dict:
    (step,) = [s for s in envelope["steps"] if s["id"] == step_id]
    return step


def _locks_left(home: Path) -> list[str]:
    return [str(p) for p in home.rglob("*.lock")]


# -- end to end --------------------------------------------------------------------------------


@pytest.mark.parametrize("client", CLIENTS, ids=[c.id for c in CLIENTS])
def test_live_lock_held_for_the_whole_run(client: Locked, home: Path, capsys,
                                          monkeypatch) -> None:
    _timing(monkeypatch, lock_wait=0.3)
    path = _place(home, client)
    lock = client.lock(home)
    lock.mkdir()

    started = time.monotonic()
    code, envelope, err = _run(capsys)
    took = time.monotonic() - started

    assert code == 1, err
    contain = _step(envelope, "contain")
    assert contain["status"] == "failed"
    error = contain["error"] + " " + (contain["hint"] or "")
    assert lock.name in error and str(path) in error
    assert "quit the client" in error.lower()
    assert any(str(path) in m for m in contain["manual"]), contain["manual"]
    assert [f for f in contain["outputs"]["failed"] if str(path) in f]
    # The locked file is untouched and not recorded as edited; the lock is still there.
    assert path.read_text() == client.text
    assert str(path) not in contain["outputs"]["disabled"]
    assert lock.is_dir()
    # Everything else is contained anyway.
    assert _cursor_contained(home)
    assert str(home / ".cursor" / "mcp.json") in contain["outputs"]["disabled"]
    assert took >= 0.3  # it did wait for the lock
    assert "lock" in err and str(path) in err


@pytest.mark.parametrize("client", CLIENTS, ids=[c.id for c in CLIENTS])
def test_lock_released_while_waiting(client: Locked, home: Path, capsys, monkeypatch) -> None:
    _timing(monkeypatch)  # the default lock_wait
    assert Timing().lock_wait >= 1.0
    path = _place(home, client)
    lock = client.lock(home)
    lock.mkdir()
    polled = []
    real_time = locks.time
    monkeypatch.setattr(locks, "time", types.SimpleNamespace(
        monotonic=real_time.monotonic, time=real_time.time,
        sleep=lambda s: (polled.append(s), real_time.sleep(s))))
    released = []

    def client_finishes_its_write() -> None:
        time.sleep(0.3)
        os.rmdir(lock)
        released.append(time.time())

    worker = threading.Thread(target=client_finishes_its_write, daemon=True)
    worker.start()
    try:
        code, envelope, err = _run(capsys)
    finally:
        worker.join(5)

    assert code == 0, err
    assert released, "the lock was never released"
    assert polled, "responder never waited on the lock"
    assert client.contained(home)
    assert path.stat().st_mtime >= released[0] - 0.05  # written after the client let go
    assert not lock.exists()
    assert _locks_left(home) == []
    assert str(path) in _step(envelope, "contain")["outputs"]["disabled"]


@pytest.mark.parametrize("client", CLIENTS, ids=[c.id for c in CLIENTS])
def test_stale_lock_is_taken_over(client: Locked, home: Path, capsys, monkeypatch) -> None:
    _timing(monkeypatch, lock_wait=0.5)
    path = _place(home, client)
    lock = client.lock(home)
    lock.mkdir()
    old = time.time() - 60
    os.utime(lock, (old, old))

    code, envelope, err = _run(capsys)

    assert code == 0, err
    assert client.contained(home)
    assert not lock.exists()
    assert _locks_left(home) == []
    assert str(path) in _step(envelope, "contain")["outputs"]["disabled"]


@pytest.mark.parametrize("client", CLIENTS, ids=[c.id for c in CLIENTS])
def test_responder_holds_the_lock_while_it_writes_and_leaves_none(client: Locked, home: Path,
                                                                 capsys, monkeypatch) -> None:
    _timing(monkeypatch)
    path = _place(home, client)
    lock = client.lock(home)
    seen: dict[str, bool] = {}
    real = apply.replace_keeping_mode

    def replace(target: Path, data: bytes) -> None:
        seen[str(target)] = lock_path(Path(target)).is_dir()
        real(target, data)

    monkeypatch.setattr(apply, "replace_keeping_mode", replace)
    code, envelope, err = _run(capsys)

    assert code == 0, err
    assert client.contained(home)
    assert seen[str(path)] is True, "the client's lock was not held during the write"
    assert seen[str(home / ".cursor" / "mcp.json")] is False  # Cursor has no lock
    assert not lock.exists()
    assert _locks_left(home) == []


def test_restore_waits_for_a_live_lock(home: Path, capsys, monkeypatch) -> None:
    """`runs restore` writes the same file as the run: a client's live lock is honoured too."""
    _timing(monkeypatch)
    client = CLIENTS[0]
    path = _place(home, client)
    code, envelope, err = _run(capsys)
    assert code == 0, err
    lock = client.lock(home)
    lock.mkdir()
    released = []

    def client_finishes_its_write() -> None:
        time.sleep(0.3)
        os.rmdir(lock)
        released.append(time.time())

    worker = threading.Thread(target=client_finishes_its_write, daemon=True)
    worker.start()
    try:
        code = main(["runs", "restore", envelope["run_id"]])
    finally:
        worker.join(5)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert code == 0, captured.out + captured.err
    assert path.read_text() == client.text
    assert released
    assert path.stat().st_mtime >= released[0] - 0.05, "restore wrote while the lock was held"
    assert not lock.exists()


# -- locks.held --------------------------------------------------------------------------------


@pytest.fixture
def target(tmp_path) -> Path:
    path = tmp_path / "cfg" / "settings.json"
    path.parent.mkdir()
    path.write_text("{}")
    return path


def test_lock_path_is_next_to_the_file(target: Path) -> None:
    assert lock_path(target) == target.parent / "settings.json.lock"


def test_held_takes_and_releases_the_lock(target: Path) -> None:
    lock = lock_path(target)
    with held(target, wait=0.1):
        assert lock.is_dir()
        assert oct(lock.stat().st_mode & 0o777) == oct(0o700)
    assert not lock.exists()


def test_held_releases_the_lock_when_the_body_fails(target: Path) -> None:
    with pytest.raises(RuntimeError), held(target, wait=0.1):
        raise RuntimeError("write failed")
    assert not lock_path(target).exists()


def test_held_gives_up_on_a_live_lock_after_the_wait_and_keeps_it(target: Path) -> None:
    lock = lock_path(target)
    lock.mkdir()
    entered = False
    started = time.monotonic()
    with pytest.raises(FileLocked) as caught, held(target, wait=0.3, poll=0.02):
        entered = True
    took = time.monotonic() - started
    assert not entered
    assert 0.3 <= took < 2.0
    assert lock.is_dir()  # never delete a live lock
    error = caught.value
    assert lock.name in error.message
    assert error.where == str(target)
    assert "quit the client" in (error.hint or "")
    assert int(error.exit_code) == 1


def test_held_waits_for_a_lock_that_is_released(target: Path) -> None:
    lock = lock_path(target)
    lock.mkdir()
    released = []

    def release() -> None:
        time.sleep(0.2)
        os.rmdir(lock)
        released.append(time.monotonic())

    worker = threading.Thread(target=release, daemon=True)
    worker.start()
    with held(target, wait=3.0, poll=0.02):
        entered = time.monotonic()
        assert lock.is_dir()
    worker.join(2)
    assert released and entered >= released[0]
    assert not lock.exists()


def test_held_takes_over_a_stale_lock(target: Path) -> None:
    lock = lock_path(target)
    lock.mkdir()
    old = time.time() - 60
    os.utime(lock, (old, old))
    started = time.monotonic()
    with held(target, wait=2.0):
        assert lock.is_dir()
        assert time.time() - lock.stat().st_mtime < 5  # our own, fresh lock
    assert time.monotonic() - started < 1.0  # no waiting for a dead holder
    assert not lock.exists()


def test_held_does_not_take_over_a_lock_refreshed_recently(target: Path) -> None:
    lock = lock_path(target)
    lock.mkdir()
    recent = time.time() - STALE_AFTER / 2
    os.utime(lock, (recent, recent))
    with pytest.raises(FileLocked), held(target, wait=0.2, poll=0.02):
        pass
    assert lock.is_dir()


def test_held_is_exclusive_between_two_holders(target: Path) -> None:
    spans: list[tuple[float, float]] = []
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            with held(target, wait=3.0, poll=0.01):
                start = time.monotonic()
                time.sleep(0.15)
                spans.append((start, time.monotonic()))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=hold, daemon=True) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(5)
    assert not errors
    assert len(spans) == 3
    spans.sort()
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert start >= end
    assert not lock_path(target).exists()


def _held_in_thread(target: Path, wait: float) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def go() -> None:
        try:
            with held(target, wait=wait, poll=0.01):
                outcome["entered"] = True
        except BaseException as exc:  # noqa: BLE001
            outcome["error"] = exc

    worker = threading.Thread(target=go, daemon=True)
    worker.start()
    return worker, outcome


def test_held_gives_up_on_a_stale_lock_it_cannot_remove(target: Path) -> None:
    lock = lock_path(target)
    lock.mkdir()
    (lock / "owner").write_text("4242")
    old = time.time() - 60
    os.utime(lock, (old, old))
    worker, outcome = _held_in_thread(target, wait=0.2)
    worker.join(1.5)
    hung = worker.is_alive()
    # Let a hung worker out (removing the blocker lets its rmdir succeed), whatever happened.
    (lock / "owner").unlink()
    os.utime(lock, (old, old))
    worker.join(2)
    assert not hung, "held() did not return within 1.5 s with wait=0.2"
    # Giving up (FileLocked) or clearing the dead lock are both fine; hanging is not.
    assert isinstance(outcome.get("error"), FileLocked) or outcome.get("entered"), outcome


def test_held_gives_up_on_a_stale_lock_file(target: Path) -> None:
    lock = lock_path(target)
    lock.write_text("pid 4242")
    old = time.time() - 60
    os.utime(lock, (old, old))
    worker, outcome = _held_in_thread(target, wait=0.2)
    worker.join(1.5)
    hung = worker.is_alive()
    if hung:
        lock.unlink()  # lets the spinning worker take the lock and finish
    worker.join(2)
    if not hung:
        lock.unlink(missing_ok=True)
    assert not hung, "held() did not return within 1.5 s with wait=0.2"
    assert isinstance(outcome.get("error"), FileLocked) or outcome.get("entered"), outcome
