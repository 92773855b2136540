"""Every client's golden cases, end to end through the CLI.

For each case in `fixtures/clients/<client>/cases.yaml`: the `before` file is placed where that
client keeps it on that OS, `responder run compromised-server --server github` runs for real
(offline: this is about containment), the file must equal `after` byte for byte, the client's own
mechanism must say the server is off, every other server must be unchanged, and `responder runs
restore` must give back the original bytes (and delete files responder created).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from responder.cli.app import main
from responder.clients import registry
from responder.clients.scan import locate
from responder.core.machine import Machine

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "clients"
PLACEHOLDER = "@PROJECT@"


@dataclass(frozen=True)
class Case:
    client: str
    id: str
    platform: str
    place: str
    before: Path
    after: Path
    server: str
    expect: str
    also: tuple[dict, ...]


def _cases() -> list[Case]:
    found = []
    for manifest in sorted(FIXTURES.glob("*/cases.yaml")):
        data = YAML(typ="safe").load(manifest.read_text(encoding="utf-8"))
        for item in data["cases"]:
            found.append(Case(manifest.parent.name, item["id"], item["platform"], item["place"],
                              manifest.parent / item["before"], manifest.parent / item["after"],
                              item.get("server", "github"), item["expect"],
                              tuple(item.get("also") or ())))
    return found


CASES = _cases()


def test_every_client_has_golden_cases() -> None:
    assert {c.client for c in CASES} == set(registry.names())


@dataclass
class Sandbox:
    root: Path
    home: Path
    project: Path
    system: Path

    def resolve(self, place: str) -> Path:
        top, _, rest = place.partition("/")
        base = {"home": self.home, "project": self.project, "root": self.system}[top]
        return base / rest

    def text(self, source: Path) -> bytes:
        return source.read_bytes().replace(PLACEHOLDER.encode(), self.project.as_posix().encode())


@pytest.fixture
def box(sandbox, monkeypatch) -> Sandbox:
    made = Sandbox(sandbox, sandbox / "home", sandbox / "project", sandbox / "system")
    made.project.mkdir()
    made.system.mkdir()
    monkeypatch.setenv("RESPONDER_SYSTEM_ROOT", str(made.system))
    for name in ("APPDATA", "XDG_CONFIG_HOME", "CODEX_HOME", "COPILOT_HOME", "GEMINI_CLI_HOME",
                 "CONTINUE_GLOBAL_DIR", "CLINE_DIR", "CLINE_DATA_DIR", "CLINE_MCP_SETTINGS_PATH"):
        monkeypatch.delenv(name, raising=False)
    return made


def _run(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("case", CASES, ids=[f"{c.client}/{c.id}" for c in CASES])
def test_golden_case(case: Case, box: Sandbox, monkeypatch, capsys) -> None:
    monkeypatch.setenv("RESPONDER_PLATFORM", case.platform)
    target = box.resolve(case.place)
    target.parent.mkdir(parents=True, exist_ok=True)
    original = box.text(case.before)
    target.write_bytes(original)
    companions = []
    for extra in case.also:
        path = box.resolve(extra["place"])
        before = box.text(case.before.parent / extra["before"]) if extra["before"] else None
        if before is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(before)
        companions.append((path, before, box.text(case.before.parent / extra["after"])))

    machine = Machine(home=box.home, cwd=box.root / "cwd", workspaces=(box.project,),
                      platform=case.platform, root=box.system)
    located = {c.path: c for c in locate(machine)}
    assert target in located, f"{case.client} does not locate {case.place} on {case.platform}"
    assert located[target].client == case.client

    code, out = _run(capsys, "run", "compromised-server", "--server", case.server, "--yes",
                     "--offline", "--workspace", str(box.project))
    assert code == 0, out
    assert target.read_bytes() == box.text(case.after), out
    for path, _before, after in companions:
        assert path.read_bytes() == after, path

    config = located[target]
    adapter = registry.get(case.client)
    text = target.read_bytes().decode()
    if case.expect == "manual":
        assert "As an administrator" in out or "administrator" in out
    else:
        assert adapter.is_disabled(config, text, case.server, machine)
    others_before = _others(adapter, config, original.decode(), case.server)
    assert _others(adapter, config, text, case.server) == others_before

    (run_dir,) = [p for p in (box.root / "state" / "runs").iterdir() if p.is_dir()]
    code, out = _run(capsys, "runs", "restore", run_dir.name)
    assert code == 0, out
    assert target.read_bytes() == original
    for path, before, _after in companions:
        assert (path.read_bytes() if path.exists() else None) == before, path


def _others(adapter, config, text: str, server: str) -> list[tuple[str, str]]:
    # By name, not location: removing a list item moves the indexes of the items after it.
    return sorted((e.name, json.dumps(e.definition, sort_keys=True, default=str))
                  for e in adapter.parse(config, text) if e.name != server)
