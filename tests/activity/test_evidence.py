"""Evidence files: private, hashed in a sha256sum manifest, scrubbed, and verifiable."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from responder.activity.evidence import EvidenceStore, verify_manifest
from responder.core.secrets import Secret, SecretRegistry

NOW = datetime(2025, 1, 10, 12, 30, tzinfo=UTC)
TOKEN = "ghp_" + "E" * 36  # fake


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def directory(tmp_path) -> Path:
    return tmp_path / "runs" / "r1" / "evidence"


@pytest.fixture
def secrets() -> SecretRegistry:
    registry = SecretRegistry()
    registry.add(Secret(TOKEN))
    return registry


@pytest.fixture
def store(directory, secrets) -> EvidenceStore:
    return EvidenceStore(directory, secrets, lambda: NOW)


def test_save_writes_private_files(store, directory):
    item = store.save("user", "GET /user", {"login": "octo"})
    path = directory / item.file
    assert item.file == "user.json"
    assert json.loads(path.read_text()) == {"login": "octo"}
    assert mode(path) == 0o600
    assert mode(directory) == 0o700
    assert mode(directory / "MANIFEST.sha256") == 0o600
    assert mode(directory / "manifest.jsonl") == 0o600


def test_manifest_is_in_sha256sum_format_and_matches_the_files(store, directory):
    store.save("user", "GET /user", {"login": "octo"})
    store.save("events", "GET /users/octo/events", [{"type": "PushEvent"}], status=200)
    text = (directory / "MANIFEST.sha256").read_text().splitlines()
    # Each hash line is preceded by a comment with the capture time and the request.
    assert text[0] == f"# {NOW.isoformat()} GET /user"
    assert text[2] == f"# {NOW.isoformat()} GET /users/octo/events"
    lines = [line for line in text if not line.startswith("#")]
    assert len(lines) == 2
    for line in lines:
        match = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line)
        assert match, line
        digest, name = match.groups()
        assert hashlib.sha256((directory / name).read_bytes()).hexdigest() == digest
    assert [line.split("  ")[1] for line in lines] == ["user.json", "events.json"]


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="coreutils sha256sum not installed")
def test_manifest_passes_sha256sum_check(store, directory):
    store.save("user", "GET /user", {"login": "octo"})
    store.save("keys", "GET /user/keys", [])
    result = subprocess.run(["sha256sum", "-c", "MANIFEST.sha256"], cwd=directory,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_manifest_json_has_capture_time_and_request(store, directory):
    item = store.save("hooks", "GET /repos/octo/repo/hooks", [], status=200)
    (entry,) = [json.loads(line) for line in
                (directory / "manifest.jsonl").read_text().splitlines()]
    assert entry["file"] == "hooks.json"
    assert entry["request"] == "GET /repos/octo/repo/hooks"
    assert entry["captured_at"] == NOW.isoformat()
    assert entry["sha256"] == item.sha256
    assert entry["status"] == 200


def test_duplicate_names_get_a_numbered_suffix(store, directory):
    first = store.save("events", "GET /a", [1])
    second = store.save("events", "GET /b", [2])
    third = store.save("events", "GET /c", [3])
    assert [first.file, second.file, third.file] == ["events.json", "events-2.json",
                                                     "events-3.json"]
    assert json.loads((directory / "events.json").read_text()) == [1]
    assert json.loads((directory / "events-2.json").read_text()) == [2]
    assert [i.file for i in store.items] == ["events.json", "events-2.json", "events-3.json"]


def test_names_are_made_safe_for_a_file_name(store, directory):
    item = store.save("../../etc/passwd repos/octo", "GET /x", {})
    assert "/" not in item.file
    assert (directory / item.file).is_file()
    assert not (directory.parent / "etc").exists()


def test_registered_secrets_are_scrubbed_from_data_and_request(store, directory):
    item = store.save(
        "token-check",
        f"GET https://api.github.test/user?access_token={TOKEN}",
        {"echo": TOKEN, "nested": [{"header": f"token {TOKEN}"}]},
    )
    saved = (directory / item.file).read_text()
    assert TOKEN not in saved
    assert "ghp_…EEEE" in saved
    assert TOKEN not in item.request
    for name in ("MANIFEST.sha256", "manifest.jsonl"):
        assert TOKEN not in (directory / name).read_text()
    # The hash is of the scrubbed bytes actually on disk.
    assert hashlib.sha256((directory / item.file).read_bytes()).hexdigest() == item.sha256


def test_a_secret_object_in_the_data_is_written_redacted(store, directory):
    item = store.save("identity", "GET /user", {"token": Secret(TOKEN)})
    assert TOKEN not in (directory / item.file).read_text()


def test_verify_manifest_is_empty_when_intact(store, directory):
    store.save("a", "GET /a", {"a": 1})
    store.save("b", "GET /b", {"b": 2})
    assert verify_manifest(directory) == []


def test_verify_manifest_reports_a_tampered_and_a_missing_file(store, directory):
    store.save("a", "GET /a", {"a": 1})
    store.save("b", "GET /b", {"b": 2})
    store.save("c", "GET /c", {"c": 3})
    (directory / "a.json").write_text('{"a": 2}\n')
    (directory / "c.json").unlink()
    problems = verify_manifest(directory)
    assert problems == ["a.json: changed since capture", "c.json: missing"]


def test_text_evidence_is_kept_verbatim_but_scrubbed(store, directory):
    text = f"2025-01-10T12:00:00Z [info] call with {TOKEN}\nline two\n"
    item = store.save_text("claude-desktop-mcp-server-github", "file ~/Library/Logs/x.log", text)
    assert item.file == "claude-desktop-mcp-server-github.log"
    saved = (directory / item.file).read_text()
    assert saved == text.replace(TOKEN, "ghp_…EEEE")
    assert hashlib.sha256((directory / item.file).read_bytes()).hexdigest() == item.sha256
    assert verify_manifest(directory) == []


def test_a_newline_in_a_request_cannot_break_the_manifest(store, directory):
    store.save("a", "GET /a\nfake  line", {"a": 1})
    assert verify_manifest(directory) == []
    assert (directory / "MANIFEST.sha256").read_text().count("\n") == 2


def test_many_saves_at_once_keep_one_line_pair_each(store, directory):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda n: store.save("page", f"GET /p?page={n}", {"n": n}), range(64)))
    assert len({item.file for item in store.items}) == 64
    lines = (directory / "MANIFEST.sha256").read_text().splitlines()
    assert len(lines) == 128
    assert len((directory / "manifest.jsonl").read_text().splitlines()) == 64
    assert verify_manifest(directory) == []


def test_token_shaped_values_nobody_registered_are_found_and_scrubbed(directory, secrets):
    from responder.credentials.classify import find_in_text

    other = "glpat-" + "Q" * 20  # fake: a token in a client's log responder never saw before
    store = EvidenceStore(directory, secrets, lambda: NOW,
                          find_secrets=lambda text: [v for _, v in find_in_text(text)])
    item = store.save_text("log", "file x.log", f"12:00 call token={other}\n")
    assert other not in (directory / item.file).read_text()
    # registered, so whatever the run prints or writes afterwards is scrubbed too
    assert other not in secrets.scrub(f"summary with {other}")
