"""The repository's promises: README opens with the two set-up commands, CI runs the test one."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    head = text.split("---", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", head)


def test_readme_opens_with_the_drill_and_the_test_command():
    commands = _readme_commands()
    assert len(commands) == 2
    assert commands[0].endswith("responder drill compromised-server")
    assert "pytest" in commands[1]


def test_ci_runs_exactly_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    assert _readme_commands()[1] in ci
