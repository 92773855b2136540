"""Private, atomic file writes: modes, no temp files left, no half-written targets."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from responder.core import fs
from responder.core.errors import BadInput, ExitCode


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    """Run with the common 022 umask so that a missing chmod would show as 0644/0755."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def work(tmp_path):
    """An empty directory of our own (tmp_path also holds the sandbox's home and cwd)."""
    directory = tmp_path / "work"
    directory.mkdir()
    return directory


def test_write_private_creates_a_0600_file_in_a_0700_directory(work):
    target = work / "state" / "report.md"
    returned = fs.write_private(target, "hello\n")
    assert returned == target
    assert target.read_text() == "hello\n"
    assert mode(target) == 0o600
    assert mode(target.parent) == 0o700


def test_write_private_accepts_bytes(work):
    target = work / "d" / "blob.bin"
    fs.write_private(target, b"\x00\xff")
    assert target.read_bytes() == b"\x00\xff"
    assert mode(target) == 0o600


def test_write_private_tightens_an_existing_directory(work):
    directory = work / "existing"
    directory.mkdir(mode=0o755)
    os.chmod(directory, 0o755)
    fs.write_private(directory / "f", "x")
    assert mode(directory) == 0o700


def test_write_private_replaces_an_existing_file_and_makes_it_private(work):
    target = work / "d" / "f"
    target.parent.mkdir()
    target.write_text("old")
    os.chmod(target, 0o644)
    fs.write_private(target, "new")
    assert target.read_text() == "new"
    assert mode(target) == 0o600


def test_write_private_creates_missing_parents_0700_too(work):
    os.chmod(work, 0o755)
    target = work / "a" / "b" / "c" / "file"
    fs.write_private(target, "x")
    assert mode(target) == 0o600
    assert mode(work / "a" / "b" / "c") == 0o700
    assert mode(work / "a" / "b") == 0o700
    assert mode(work / "a") == 0o700
    assert mode(work) == 0o755  # a directory that already existed is left alone


@pytest.mark.parametrize("original_mode", [0o644, 0o640, 0o600, 0o664], ids=oct)
def test_replace_keeping_mode_keeps_the_original_mode(work, original_mode):
    target = work / "mcp.json"
    target.write_text('{"old": true}')
    os.chmod(target, original_mode)
    fs.replace_keeping_mode(target, b'{"new": true}')
    assert target.read_text() == '{"new": true}'
    assert mode(target) == original_mode
    assert sorted(p.name for p in work.iterdir()) == ["mcp.json"]


@pytest.mark.parametrize("wanted", [0o644, 0o640], ids=oct)
def test_atomic_write_sets_the_given_mode_and_leaves_no_temp_file(work, wanted):
    target = work / "config.json"
    fs.atomic_write(target, b"data", wanted)
    assert target.read_bytes() == b"data"
    assert mode(target) == wanted
    assert [p.name for p in work.iterdir()] == ["config.json"]


def test_atomic_write_replaces_the_inode_not_the_content_in_place(work):
    target = work / "config.json"
    target.write_text("before")
    reader = target.open()  # a reader holding the old file still sees the old content
    try:
        fs.atomic_write(target, b"after", 0o644)
        assert reader.read() == "before"
    finally:
        reader.close()
    assert target.read_text() == "after"


def test_failed_replace_leaves_the_target_unchanged_and_no_temp_file(work, monkeypatch):
    target = work / "mcp.json"
    target.write_text("original")
    os.chmod(target, 0o640)

    def boom(src, dst):
        raise OSError("disk full")

    with monkeypatch.context() as patch, pytest.raises(OSError, match="disk full"):
        patch.setattr(os, "replace", boom)
        fs.replace_keeping_mode(target, b"half-written")
    assert target.read_text() == "original"
    assert mode(target) == 0o640
    assert [p.name for p in work.iterdir()] == ["mcp.json"]


def test_failed_write_private_leaves_no_temp_file(work, monkeypatch):
    target = work / "d" / "f"

    def boom(src, dst):
        raise KeyboardInterrupt  # BaseException: an interrupted run also cleans up

    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(os, "replace", boom)
        fs.write_private(target, "x")
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_failed_fsync_leaves_the_target_unchanged(work, monkeypatch):
    target = work / "f"
    target.write_text("original")

    def boom(fd):
        raise OSError("I/O error")

    with monkeypatch.context() as patch, pytest.raises(OSError, match="I/O error"):
        patch.setattr(os, "fsync", boom)
        fs.atomic_write(target, b"new", 0o600)
    assert target.read_text() == "original"
    assert [p.name for p in work.iterdir()] == ["f"]


def test_append_private_appends_lines_in_a_0600_file(work):
    journal = work / "run" / "journal.jsonl"
    fs.append_private(journal, '{"n": 1}\n')
    fs.append_private(journal, '{"n": 2}\n')
    assert journal.read_text() == '{"n": 1}\n{"n": 2}\n'
    assert mode(journal) == 0o600
    assert mode(journal.parent) == 0o700


def test_write_export_is_private_and_leaves_the_parent_directory_alone(work):
    out = work / "exports"
    out.mkdir()
    os.chmod(out, 0o755)
    target = fs.write_export(out / "checklist.md", "- [ ] item\n")
    assert target.read_text() == "- [ ] item\n"
    assert mode(target) == 0o600
    assert mode(out) == 0o755
    assert [p.name for p in out.iterdir()] == ["checklist.md"]


def test_write_export_into_a_missing_directory_is_bad_input(work):
    target = work / "no-such-dir" / "checklist.md"
    with pytest.raises(BadInput) as info:
        fs.write_export(target, "x")
    assert info.value.exit_code == ExitCode.BAD_INPUT
    assert str(target.parent) in info.value.message
    assert info.value.hint
    assert not target.parent.exists()
