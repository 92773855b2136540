"""Killing responder with SIGKILL at 20 points of a run: afterwards every config parses, no
server entry is lost (it is in the file, or in the run's backup of it), and `runs resume`
finishes the run with every token revoked exactly once and the server disabled everywhere."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from crash_driver import FAST
from scenario import ENV_TOKEN, LITERAL_TOKEN, make_incident

from responder.clients import registry
from responder.clients.apply import originals
from responder.clients.base import ConfigFile
from responder.clients.scan import is_off
from responder.core.machine import Machine
from responder.engine.session import ResumeRequest, resume

CURSOR_TOKEN = "ghp_CRASHcursorTOKEN05CRASHcursorTOKEN05"
TOKENS = (ENV_TOKEN, LITERAL_TOKEN, CURSOR_TOKEN)
DRIVER = Path(__file__).parents[1] / "crash_driver.py"

# Where the kill lands: journal events (after the line is durable), the three moments of a
# config edit (backup written, indexed, file replaced), an atomic write between its fsync and
# its rename (the target untouched) and just after the rename, and a revocation the provider
# accepted but the journal does not know of yet.
POINTS = [
    "journal:run_started",
    "journal:step_finished#1",  # inventory done
    "journal:step_started#2",  # contain begins
    "edit:backed-up#1",
    "edit:indexed#1",
    "write:synced#3",  # the first config's new text written and synced, not yet renamed
    "write:renamed#3",
    "edit:replaced#1",
    "edit:backed-up#2",
    "edit:replaced#2",
    "edit:indexed#3",
    "journal:step_finished#2",  # contain done
    "journal:step_finished#4",  # snapshot done
    "journal:approval",  # revocation approved, nothing sent
    "journal:revoke_sending",  # about to send
    "revoke:sent",  # GitHub has it; the journal does not
    "journal:revoke_outcomes",
    "journal:step_finished#5",  # revoke done
    "journal:step_finished#6",  # verify done
    "journal:step_finished#9",  # maintainer lookup done
]


def _configs(incident) -> list[ConfigFile]:
    return [
        ConfigFile("kiro", "user", incident.user_file),
        ConfigFile("kiro", "workspace", incident.workspace_file),
        ConfigFile("cursor", "user", incident.home / ".cursor/mcp.json"),
        ConfigFile("codex", "user", incident.home / ".codex/config.toml", "config"),
    ]


def _names(config: ConfigFile, text: str) -> set[str]:
    return {entry.name for entry in registry.get(config.client).parse(config, text)}


@pytest.fixture
def incident(tmp_path, monkeypatch, capsys):
    def third_token(seed):
        seed["users"][0]["tokens"].append({"value": CURSOR_TOKEN, "scopes": ["repo"]})

    found = make_incident(tmp_path, monkeypatch, capsys, seed_changes=third_token)
    cursor = found.home / ".cursor/mcp.json"
    cursor.parent.mkdir(parents=True)
    cursor.write_text(json.dumps({"mcpServers": {
        "github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"],
                   "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": CURSOR_TOKEN}},
        "notes": {"command": "uvx", "args": ["notes-mcp"]},
    }}, indent=2))
    codex = found.home / ".codex/config.toml"
    codex.parent.mkdir(parents=True)
    codex.write_text('model = "o4-mini"\n\n[mcp_servers.github]\ncommand = "npx"\n'
                     'args = ["-y", "@modelcontextprotocol/server-github"]\n'
                     'env_vars = ["GITHUB_TOKEN"]\n\n[mcp_servers.search]\ncommand = "uvx"\n'
                     'args = ["search-mcp"]\n')
    yield found
    found.sim.stop()


def _revocations(incident) -> dict[str, int]:
    """How many revocation requests named each token (GitHub's API takes a list per request)."""
    counts = dict.fromkeys(TOKENS, 0)
    for request in incident.sim.requests:
        if request.method == "POST" and request.path == "/credentials/revoke":
            for value in (request.json or {}).get("credentials", []):
                counts[value] = counts.get(value, 0) + 1
    return counts


def _killed_run(incident, point: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RESPONDER_CRASH_AT": point}
    return subprocess.run([sys.executable, str(DRIVER), "github"], env=env,
                          cwd=incident.workspace, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("point", POINTS)
def test_a_run_killed_anywhere_loses_nothing_and_resume_finishes_it(incident, point):
    configs = _configs(incident)
    before = {c.path: c.path.read_text() for c in configs}
    names_before = {c.path: _names(c, before[c.path]) for c in configs}

    killed = _killed_run(incident, point)
    assert killed.returncode == -signal.SIGKILL, (point, killed.returncode, killed.stderr[-2000:])
    for token in TOKENS:
        assert token not in killed.stdout + killed.stderr

    [run_dir] = incident.run_dirs()
    kept = {Path(entry["original"]): text for entry, text in originals(run_dir / "backups")}
    for config in configs:
        text = config.path.read_text()
        # Whole: the file parses, as the original or as the edited version, never between.
        names_now = _names(config, text)
        assert text == before[config.path] or config.path in kept, (point, config.path)
        # Nothing lost: an entry the edit removed is in the run's backup of the original.
        backed_up = _names(config, kept[config.path]) if config.path in kept else set()
        assert names_before[config.path] <= names_now | backed_up
        leftovers = list(config.path.parent.glob(f".{config.path.name}.*"))
        assert leftovers == [] or point.startswith("write:synced"), leftovers

    code, result = resume(ResumeRequest(run_id=run_dir.name, assume_yes=True, timing=FAST,
                                        interactive=False))
    statuses = {s.id: s.result.status for s in result.steps}
    assert statuses["contain"] == "ok" and statuses["revoke"] == "ok", statuses
    assert statuses["verify"] == "ok", statuses
    assert _revocations(incident) == dict.fromkeys(TOKENS, 1), point
    assert all(not incident.sim.state.token_is_live(token) for token in TOKENS)
    machine = Machine.current()
    for config in configs:
        text = config.path.read_text()
        assert is_off(machine, config, "github"), (point, config.path, text)
        # The unrelated servers are still there, untouched by the kill and the resume.
        assert names_before[config.path] - {"github"} <= _names(config, text)
        assert list(config.path.parent.glob(f".{config.path.name}.*")) == []
    assert int(code) == 0, (point, statuses)
