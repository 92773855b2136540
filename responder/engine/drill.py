"""`responder drill`: the real playbook against a sandbox home and simulated providers.

A scenario (fixtures/drills/<playbook>/<scenario>/scenario.yaml) says which config files to lay
out, which environment the run sees, how to seed the simulators and which of their endpoints
fail. The run is the real code path with real edits, only inside the sandbox, and every provider
call goes to 127.0.0.1.

With a seed the drill is reproducible: the run id and the sandbox's name come from the seed, and
the run, the simulators and the dated fixtures all see one frozen instant (FROZEN_AT, or the
scenario's `frozen_at`), so two drills with the same seed write the same reports.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from responder.core.errors import BadInput
from responder.core.fs import ensure_private_dir, write_private
from responder.core.machine import Machine
from responder.core.paths import runs_dir, state_dir
from responder.core.secrets import SecretRegistry
from responder.engine.context import Timing
from responder.engine.result import RunResult
from responder.engine.session import RunRequest, execute

if TYPE_CHECKING:
    from responder.engine.scorecard import Scorecard
    from responder.sim.fleet import Fleet

# Short waits: the simulator answers at once, and a drill should finish in seconds.
DRILL_TIMING = Timing(request_timeout=5.0, snapshot_budget=10.0,
                      verify_backoff=(0.05, 0.1, 0.2, 0.4, 0.8), read_retries=2,
                      max_retry_after=0.5, lock_wait=0.5, recheck_after=0.2)
# The instant a seeded drill happens at, unless its scenario names another.
FROZEN_AT = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
# Marks a sandbox as a seeded drill's, naming its run: only a directory carrying it (and that
# run's directory) is ever replaced by the next drill with the same seed.
SEED_MARK = "seeded-drill.json"
SCORECARD_NAME = "scorecard.json"
_TIMING_KEYS = frozenset(Timing.__dataclass_fields__)


@dataclass(frozen=True)
class Scenario:
    name: str
    directory: Path
    data: dict[str, Any]

    @property
    def description(self) -> str:
        return str(self.data.get("description") or "").strip()


def scenarios_dir(playbook: str) -> Path:
    return Path(str(resources.files("responder.fixtures"))) / "drills" / playbook


def scenario_names(playbook: str) -> list[str]:
    root = scenarios_dir(playbook)
    return sorted(p.name for p in root.iterdir() if (p / "scenario.yaml").is_file()) \
        if root.is_dir() else []


def list_scenarios(playbook: str) -> list[Scenario]:
    """Every embedded scenario of a playbook, `default` first, then by name."""
    names = scenario_names(playbook)
    ordered = [n for n in names if n == "default"] + [n for n in names if n != "default"]
    return [load_scenario(playbook, name) for name in ordered]


def load_scenario(playbook: str, name: str) -> Scenario:
    from ruamel.yaml import YAML

    path = scenarios_dir(playbook) / name / "scenario.yaml"
    if "/" in name or name.startswith(".") or not path.is_file():
        available = scenario_names(playbook)
        raise BadInput(f"no drill scenario {name!r} for playbook {playbook!r}",
                       hint="scenarios: " + (", ".join(available) or "(none)")
                       + " (`responder drill --list` describes them)")
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
    """`--fault PROVIDER=STATUS|timeout`: every call to that simulator fails that way. A
    scenario's `faults:` entries can narrow one to a method and a path (e.g. only revocation)."""

    provider: str
    status: int | None  # None: the call hangs past the request timeout
    method: str = "*"
    path: str = "*"  # an fnmatch pattern on the request path

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

    @classmethod
    def from_scenario(cls, scenario: Scenario, item: dict[str, Any]) -> Fault:
        what = str(item.get("status", ""))
        if not item.get("provider") or not (what == "timeout"
                                            or what.isdigit() and 400 <= int(what) <= 599):
            raise BadInput(f"scenario {scenario.name!r}: fault {item!r} needs a provider and a "
                           f"status (400-599 or timeout)")
        return cls(str(item["provider"]).lower(), int(what) if what.isdigit() else None,
                   str(item.get("method", "*")).upper(), str(item.get("path", "*")))

    def describe(self) -> str:
        where = "" if (self.method, self.path) == ("*", "*") else f" on {self.method} {self.path}"
        return f"{self.provider} answers {self.status or 'nothing (timeout)'}{where}"


@dataclass(frozen=True)
class DrillRun:
    code: int
    result: RunResult
    sandbox: Path
    fleet: Fleet  # stopped, but its state and request log stay readable (tests, benchmarks)
    scenario: Scenario
    seed: int | None
    faults: tuple[Fault, ...]
    envelope: dict[str, Any] | None  # the run's --json envelope, before the drill's key is added
    scorecard: Scorecard

    def json_document(self) -> dict[str, Any]:
        """The run's envelope with the drill's own key: scenario, seed, sandbox, scorecard."""
        return {**(self.envelope or self.result.envelope()), "drill": {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "frozen_at": self.result.started_at if self.seed is not None else None,
            "faults": [f.describe() for f in self.faults],
            "sandbox": str(self.sandbox),
            "scorecard": self.scorecard.as_dict(),
        }}


def run_drill(playbook: str, scenario_name: str, *, json_output: bool = False,
              env: dict[str, str] | None = None, latency: float = 0.0,
              faults: tuple[Fault, ...] = (), rules: list[Path] | None = None,
              submit: bool = False, templates: Path | None = None,
              seed: int | None = None) -> DrillRun:
    """Run one drill. With `json_output` the run's envelope is captured (not printed): the
    caller prints `DrillRun.json_document()`, which adds the scorecard."""
    from responder.engine.scorecard import compute, scrubbed
    from responder.sim.fleet import Fleet

    base_env = dict(os.environ if env is None else env)
    scenario = load_scenario(playbook, scenario_name)
    frozen = _frozen_at(scenario) if seed is not None else None
    now = frozen or datetime.now(UTC)
    seeds = provider_seeds(scenario)
    every_fault = (*(Fault.from_scenario(scenario, f) for f in scenario.data.get("faults") or ()),
                   *faults)
    unknown = [f for f in every_fault if f.provider not in seeds]
    if unknown:
        source = "--fault" if unknown[0] in faults else "the scenario's fault"
        raise BadInput(f"{source} names {unknown[0].provider!r}, which scenario "
                       f"{scenario.name!r} does not simulate",
                       hint="simulated here: " + ", ".join(sorted(seeds)))
    from responder.activity.rules import load_files

    load_files(rules or [])  # a bad rules file stops the drill before its sandbox exists
    if templates is not None:
        from responder.reports.render import check_user_templates

        check_user_templates(templates)  # and so does a template that does not compile
    timing = _timing(scenario)
    run_id = seeded_run_id(now, playbook, scenario.name, seed) if seed is not None else None
    drills = state_dir(base_env) / "drills"
    if seed is None:
        sandbox = ensure_private_dir(drills / f"{now:%Y%m%dT%H%M%SZ}-{scenario.name}-"
                                     f"{os.getpid()}")
    else:
        sandbox = drills / f"{now:%Y%m%dT%H%M%SZ}-{scenario.name}-seed{seed}"
        _clear_seeded(sandbox, runs_dir(base_env) / str(run_id))
        ensure_private_dir(sandbox)
        write_private(sandbox / SEED_MARK, json.dumps({"seed": seed, "run_id": run_id}) + "\n")
    home, workspace = build_sandbox(scenario, sandbox, now)
    fleet = Fleet(seeds, now=now, latency=latency, seed=seed)
    for fault in every_fault:
        fleet[fault.provider].faults.add(
            fault.method, fault.path, status=fault.status or 504, times=None,
            delay=0.0 if fault.status else timing.request_timeout + 1.0,
            retry_after=1 if fault.status == 429 else None)
    captured = io.StringIO()
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
            machine=machine, timing=timing, interactive=False, rules=list(rules or []),
            submit=submit, templates=templates, run_id=run_id,
            clock=(lambda: frozen) if frozen is not None else None,
            stdout=captured if json_output else None,
        ))
    envelope = json.loads(captured.getvalue()) if json_output else None
    scorecard = scrubbed(compute(result, scenario_env=scenario.data.get("env") or {},
                                 real_env=base_env), planted_secrets(scenario).scrub)
    # Kept with the run, so `responder runs show` and CI can read it after the fact.
    write_private(Path(result.run_dir) / SCORECARD_NAME,
                  json.dumps(scorecard.as_dict(), indent=2) + "\n")
    return DrillRun(int(code), result, sandbox, fleet, scenario, seed, every_fault, envelope,
                    scorecard)


def planted_secrets(scenario: Scenario) -> SecretRegistry:
    """Every secret the scenario planted: its environment's values, the simulators' tokens and
    any token-shaped value in the files it lays out. The run scrubs its own output with what it
    found; the drill scrubs the scorecard it prints with this."""
    from responder.credentials.classify import find_in_text

    registry = SecretRegistry()
    for value in (scenario.data.get("env") or {}).values():
        registry.add(str(value))

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("value", "token") and isinstance(value, str):
                    registry.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk([scenario.data.get("github"), scenario.data.get("providers")])
    for item in scenario.data.get("files", []):  # as laid out, before any edit
        text = (scenario.directory / item["source"]).read_text(encoding="utf-8",
                                                              errors="replace")
        for _, value in find_in_text(text):
            registry.add(value)
    return registry


def _frozen_at(scenario: Scenario) -> datetime:
    value = scenario.data.get("frozen_at")
    if value is None:
        return FROZEN_AT
    try:
        moment = value if isinstance(value, datetime) else \
            datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"scenario {scenario.name!r}: frozen_at {value!r} is not an ISO 8601 "
                       "time", hint="e.g. frozen_at: 2026-01-15T09:30:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _timing(scenario: Scenario) -> Timing:
    """DRILL_TIMING, with the scenario's `timing:` overrides (a scenario whose provider times
    out shortens the request timeout so the drill still takes seconds)."""
    overrides = dict(scenario.data.get("timing") or {})
    unknown = sorted(set(overrides) - _TIMING_KEYS)
    if unknown:
        raise BadInput(f"scenario {scenario.name!r}: unknown timing key {unknown[0]!r}",
                       hint="timing keys: " + ", ".join(sorted(_TIMING_KEYS)))
    if "verify_backoff" in overrides:
        overrides["verify_backoff"] = tuple(float(v) for v in overrides["verify_backoff"])
    return replace(DRILL_TIMING, **overrides)


def seeded_run_id(now: datetime, playbook: str, scenario: str, seed: int) -> str:
    """The run id's usual shape (time, playbook, six hex digits), the digits from the seed and
    the scenario, so two scenarios drilled with one seed keep apart."""
    digits = hashlib.sha256(f"{seed}:{playbook}:{scenario}".encode()).hexdigest()[:6]
    return f"{now:%Y%m%dT%H%M%SZ}-{playbook}-{digits}"


def _clear_seeded(sandbox: Path, run_dir: Path) -> None:
    """Remove what an earlier drill with the same seed left: its sandbox and its run directory,
    both responder's own under the state dir. Anything else by those names is left alone and
    stops the drill."""
    mark = sandbox / SEED_MARK
    if sandbox.is_symlink() or sandbox.exists() and not mark.is_file():
        raise BadInput(f"{sandbox} exists and is not a seeded drill's sandbox",
                       hint="remove it, or drill with another --seed")
    owned = False
    if mark.is_file():
        try:
            owned = json.loads(mark.read_text(encoding="utf-8")).get("run_id") == run_dir.name
        except (ValueError, AttributeError):
            owned = False
    if run_dir.is_symlink() or run_dir.exists() and not owned:
        raise BadInput(f"run directory {run_dir} exists and is not this seeded drill's",
                       hint="remove it, or drill with another --seed")
    if owned and run_dir.is_dir():
        shutil.rmtree(run_dir)
    if sandbox.is_dir():
        shutil.rmtree(sandbox)
