"""`responder drill`: the real playbook against a sandbox home and simulated providers.

A scenario (fixtures/drills/<playbook>/<scenario>/scenario.yaml) says which config files to lay
out, which environment the run sees and how to seed the GitHub simulator. The run is the real
code path with real edits, only inside the sandbox, and every provider call goes to 127.0.0.1.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from responder.core.errors import BadInput
from responder.core.fs import ensure_private_dir, write_private
from responder.core.machine import Machine
from responder.core.paths import state_dir
from responder.engine.context import Timing
from responder.engine.result import RunResult
from responder.engine.session import RunRequest, execute

if TYPE_CHECKING:
    from responder.sim.fleet import Fleet

# Short waits: the simulator answers at once, and a drill should finish in seconds.
DRILL_TIMING = Timing(request_timeout=5.0, snapshot_budget=10.0,
                      verify_backoff=(0.05, 0.1, 0.2, 0.4, 0.8), read_retries=2,
                      max_retry_after=0.5, lock_wait=0.5, recheck_after=0.2)


@dataclass(frozen=True)
class Scenario:
    name: str
    directory: Path
    data: dict[str, Any]


def scenarios_dir(playbook: str) -> Path:
    return Path(str(resources.files("responder.fixtures"))) / "drills" / playbook


def load_scenario(playbook: str, name: str) -> Scenario:
    from ruamel.yaml import YAML

    root = scenarios_dir(playbook)
    path = root / name / "scenario.yaml"
    if not path.is_file():
        available = sorted(p.name for p in root.iterdir() if (p / "scenario.yaml").is_file()) \
            if root.is_dir() else []
        raise BadInput(f"no drill scenario {name!r} for playbook {playbook!r}",
                       hint="scenarios: " + (", ".join(available) or "(none)"))
    return Scenario(name, path.parent, YAML(typ="safe").load(path.read_text(encoding="utf-8")))


def build_sandbox(scenario: Scenario, root: Path, now: datetime | None = None
                  ) -> tuple[Path, Path]:
    """Lay out the scenario's files under `root`; return (home, workspace). A file marked
    `dated: true` (a client's log) has its `{{ now-2h }}` marks replaced by times relative to
    `now`, so its entries fall inside the drill's window whenever it runs."""
    home = ensure_private_dir(root / "home")
    workspace = ensure_private_dir(root / scenario.data.get("workspace", "workspace"))
    for item in scenario.data.get("files", []):
        target = root / item["target"]
        content = (scenario.directory / item["source"]).read_bytes()
        if item.get("dated"):
            content = _dated(content.decode("utf-8"), now or datetime.now(UTC)).encode("utf-8")
        write_private(target, content)
    return home, workspace


_TIME_MARK = re.compile(r"\{\{\s*now\s*(?:-\s*(\d+)\s*([smhd]))?\s*\}\}")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def _dated(text: str, now: datetime) -> str:
    def when(match: re.Match[str]) -> str:
        number, unit = match.groups()
        moment = now - timedelta(**{_UNITS[unit]: int(number)}) if number else now
        return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return _TIME_MARK.sub(when, text)


def provider_seeds(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """The simulators a scenario needs: `providers: {name: seed}`, and `github:` (the original
    single-provider form, with the top-level `revoke_lag`)."""
    seeds = {name: dict(seed or {}) for name, seed in
             (scenario.data.get("providers") or {}).items()}
    if "github" in scenario.data or not seeds:
        github = dict(scenario.data.get("github") or {})
        github.setdefault("revoke_lag", scenario.data.get("revoke_lag", 1))
        seeds["github"] = github
    # The maintainer lookup reads registries and web hosts: in a drill those are simulators
    # too, empty unless the scenario seeds them, so nothing reaches the internet.
    for name in ("npm", "pypi", "oci", "web"):
        seeds.setdefault(name, {})
    return seeds


@dataclass(frozen=True)
class Fault:
    """`--fault PROVIDER=STATUS|timeout`: every call to that simulator fails that way."""

    provider: str
    status: int | None  # None: the call hangs past the request timeout

    @classmethod
    def parse(cls, text: str) -> Fault:
        provider, eq, what = text.partition("=")
        if not eq or not provider or not (what == "timeout"
                                          or what.isdigit() and 400 <= int(what) <= 599):
            raise BadInput(f"--fault {text!r} is not PROVIDER=STATUS (400-599) or "
                           f"PROVIDER=timeout",
                           hint="e.g. --fault slack=429, --fault gitlab=500, "
                                "--fault openai=timeout")
        return cls(provider.strip().lower(), int(what) if what.isdigit() else None)


@dataclass(frozen=True)
class DrillRun:
    code: int
    result: RunResult
    sandbox: Path
    fleet: Fleet  # stopped, but its state and request log stay readable (tests, benchmarks)


def run_drill(playbook: str, scenario_name: str, *, json_output: bool = False,
              env: dict[str, str] | None = None, latency: float = 0.0,
              faults: tuple[Fault, ...] = (), rules: list[Path] | None = None,
              submit: bool = False, templates: Path | None = None) -> DrillRun:
    from responder.sim.fleet import Fleet

    base_env = dict(os.environ if env is None else env)
    scenario = load_scenario(playbook, scenario_name)
    now = datetime.now(UTC)
    seeds = provider_seeds(scenario)
    unknown = [f.provider for f in faults if f.provider not in seeds]
    if unknown:
        raise BadInput(f"--fault names {unknown[0]!r}, which scenario {scenario.name!r} does not "
                       f"simulate", hint="simulated here: " + ", ".join(sorted(seeds)))
    from responder.activity.rules import load_files

    load_files(rules or [])  # a bad rules file stops the drill before its sandbox exists
    if templates is not None:
        from responder.reports.render import check_user_templates

        check_user_templates(templates)  # and so does a template that does not compile
    sandbox = ensure_private_dir(state_dir(base_env) / "drills" / f"{now:%Y%m%dT%H%M%SZ}-"
                                 f"{scenario.name}-{os.getpid()}")
    home, workspace = build_sandbox(scenario, sandbox, now)
    fleet = Fleet(seeds, now=now, latency=latency)
    for fault in faults:
        fleet[fault.provider].faults.add(
            "*", "*", status=fault.status or 504, times=None,
            delay=0.0 if fault.status else DRILL_TIMING.request_timeout + 1.0,
            retry_after=1 if fault.status == 429 else None)
    with fleet:
        run_env = {
            "HOME": str(home),
            "USER": "drill",
            "PATH": base_env.get("PATH", ""),
            "RESPONDER_STATE_DIR": str(state_dir(base_env)),
            **fleet.env(),
            **{k: str(v) for k, v in (scenario.data.get("env") or {}).items()},
        }
        # Every host the scenario did not map answers from the web simulator (404).
        run_env["RESPONDER_HOST_MAP"] = " ".join(filter(None, (
            run_env.get("RESPONDER_HOST_MAP"), f"*={fleet['web'].base_url}")))
        # root=sandbox keeps the drill inside it: no system file, no parent folder of the
        # sandbox, and no process of this host is ever looked at, let alone changed.
        machine = Machine(home=home, cwd=workspace, env=MappingProxyType(run_env), root=sandbox)
        code, result = execute(RunRequest(
            playbook=playbook, server=scenario.data["server"],
            since=scenario.data.get("since"), assume_yes=True, json_output=json_output,
            machine=machine, timing=DRILL_TIMING, interactive=False, rules=list(rules or []),
            submit=submit, templates=templates,
        ))
    return DrillRun(int(code), result, sandbox, fleet)
