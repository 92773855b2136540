"""The default incident, laid out for a test: Kiro configs in a sandbox home and workspace, the
GitHub simulator seeded with an attack, and the environment a real run would see."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from responder.cli.app import main
from responder.engine.drill import build_sandbox, load_scenario
from responder.sim.github import GitHubSimulator

ENV_TOKEN = "ghp_DRILLenvTOKEN0001DRILLenvTOKEN0001DR"
LITERAL_TOKEN = "ghp_DRILLliteralTOKEN2DRILLliteralTOKEN2"
RESPONDER_TOKEN = "ghp_RESPONDERbotTOKEN3RESPONDERbotTOKEN3"
CANARY = "ghp_CANARYunusedTOKEN4CANARYunusedTOKEN4"
ALL_TOKENS = (ENV_TOKEN, LITERAL_TOKEN, RESPONDER_TOKEN, CANARY)


@dataclass
class Incident:
    root: Path
    home: Path
    workspace: Path
    state: Path
    sim: GitHubSimulator
    capsys: pytest.CaptureFixture[str]

    @property
    def user_file(self) -> Path:
        return self.home / ".kiro/settings/mcp.json"

    @property
    def workspace_file(self) -> Path:
        return self.workspace / ".kiro/settings/mcp.json"

    def run(self, *args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = self.capsys.readouterr()
        return code, out.out, out.err

    def run_json(self, *args: str) -> tuple[int, dict]:
        code, out, _ = self.run(*args, "--json")
        return code, json.loads(out)

    def run_dirs(self) -> list[Path]:
        return sorted((self.state / "runs").iterdir())

    def writing_requests(self) -> list:
        return [r for r in self.sim.requests if r.method not in ("GET", "HEAD")]


def make_incident(root: Path, monkeypatch: pytest.MonkeyPatch,
                  capsys: pytest.CaptureFixture[str], *, responder_token: bool = True,
                  seed_changes=None) -> Incident:
    scenario = load_scenario("compromised-server", "default")
    home, workspace = build_sandbox(scenario, root / "box")
    seed = scenario.data["github"]
    if seed_changes:
        seed_changes(seed)
    sim = GitHubSimulator.from_seed(seed, now=datetime.now(UTC))
    sim.start()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("RESPONDER_GITHUB_API_URL", sim.base_url)
    monkeypatch.setenv("GITHUB_TOKEN", ENV_TOKEN)
    if responder_token:
        monkeypatch.setenv("RESPONDER_GITHUB_TOKEN", RESPONDER_TOKEN)
    monkeypatch.chdir(workspace)
    return Incident(root, home, workspace, root / "state", sim, capsys)
