"""From a command line to a finished run: inputs, context, runner, summary, envelope."""

from __future__ import annotations

import dataclasses
import secrets as _random
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from responder.core.durations import parse_duration
from responder.core.errors import BadInput, ExitCode
from responder.core.jsonsafe import dumps
from responder.core.machine import Machine
from responder.core.paths import new_run_dir
from responder.core.secrets import Secret, SecretRegistry
from responder.engine.approvals import ApprovalPolicy
from responder.engine.context import Endpoints, RunContext, Timing
from responder.engine.journal import JOURNAL_NAME, Journal
from responder.engine.loader import LoadedPlaybook, load
from responder.engine.output import Output
from responder.engine.result import RunResult
from responder.engine.runlock import holding
from responder.engine.runner import Runner
from responder.providers.admin import ADMIN_VARIABLES

if TYPE_CHECKING:
    from responder.activity.rules import Rule


@dataclass
class RunRequest:
    playbook: str
    server: str | None = None
    since: str | None = None
    match: str | None = None
    variables: list[str] = field(default_factory=list)
    workspaces: list[Path] = field(default_factory=list)
    rules: list[Path] = field(default_factory=list)  # the user's flagging rules, tried first
    templates: Path | None = None  # the user's report templates, tried before the shipped ones
    submit: bool = False  # file the maintainer disclosure (asks first; never in dry-run)
    dry_run: bool = False
    offline: bool = False
    assume_yes: bool = False
    json_output: bool = False
    # Injected by drills and tests; a real run reads them from the process.
    run_id: str | None = None  # a drill's seeded id; otherwise time + random
    machine: Machine | None = None
    clock: Callable[[], datetime] | None = None
    timing: Timing | None = None
    stdout: TextIO | None = None
    interactive: bool | None = None


def resolve_inputs(loaded: LoadedPlaybook, request: RunRequest) -> dict[str, Any]:
    specs = loaded.playbook.inputs
    given: dict[str, str] = {}
    for item in request.variables:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise BadInput(f"--var {item!r} is not KEY=VALUE", hint="e.g. --var since=3d")
        given[key.strip()] = value
    if request.server is not None:
        given["server"] = request.server
    if request.since is not None:
        given["since"] = request.since
    if request.match is not None:
        given["match"] = request.match
    if request.submit:
        if "submit" not in specs:
            raise BadInput(f"playbook {loaded.playbook.id!r} has nothing to submit",
                           hint="--submit works with playbooks that have a `submit` input, "
                           "such as compromised-server")
        given["submit"] = "true"
    unknown = [k for k in given if k not in specs]
    if unknown:
        raise BadInput(f"playbook {loaded.playbook.id!r} has no input {unknown[0]!r}",
                       hint="its inputs: " + (", ".join(specs) or "(none)"))
    values: dict[str, Any] = {}
    for name, spec in specs.items():
        raw = given.get(name, spec.default)
        if raw is None:
            if spec.required:
                flag = f"--{name}" if name in ("server", "since", "match") else f"--var {name}=..."
                raise BadInput(f"playbook {loaded.playbook.id!r} needs {flag}",
                               hint=spec.description or None)
            values[name] = None
            continue
        values[name] = _coerce(name, spec.type, raw)
        if spec.choices is not None and str(values[name]) not in spec.choices:
            raise BadInput(f"input {name} must be one of {', '.join(spec.choices)}, not "
                           f"{values[name]!r}")
    return values


def _coerce(name: str, kind: str, raw: Any) -> Any:
    text = str(raw)
    if kind == "duration":
        parse_duration(text, name=f"input {name}")
        return text
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise BadInput(f"input {name} must be a whole number, not {text!r}") from None
    if kind == "boolean":
        if text.lower() in ("true", "yes", "1", "on"):
            return True
        if text.lower() in ("false", "no", "0", "off"):
            return False
        raise BadInput(f"input {name} must be true or false, not {text!r}")
    return text


def new_run_id(now: datetime, playbook: str) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{playbook}-{_random.token_hex(3)}"


def flagging_rules(loaded: LoadedPlaybook, request: RunRequest) -> tuple[Rule, ...]:
    """The user's rule files (validated now, before any step) in front of the playbook's."""
    from responder.activity import rules

    return rules.combine(rules.load_files(request.rules), loaded.rules)


def build_context(loaded: LoadedPlaybook, request: RunRequest, inputs: dict[str, Any],
                  registry: SecretRegistry, output: Output) -> RunContext:
    rules = flagging_rules(loaded, request)  # a bad rules file stops the run before it starts
    if request.templates is not None:
        from responder.reports.render import check_user_templates

        check_user_templates(request.templates)  # so does a template that does not compile
    machine = request.machine or Machine.current(tuple(request.workspaces))
    clock = request.clock or (lambda: datetime.now(UTC))
    env: Mapping[str, str] = machine.env
    run_id = request.run_id or new_run_id(clock(), loaded.playbook.id)
    run_dir = new_run_dir(env, run_id)
    responder_tokens = {}
    if env.get("RESPONDER_GITHUB_TOKEN"):
        responder_tokens["github"] = Secret(env["RESPONDER_GITHUB_TOKEN"])
        registry.add(responder_tokens["github"])
    for name in ADMIN_VARIABLES:  # provider admin credentials: scrubbed like any other secret
        if env.get(name):
            registry.add(env[name])
    interactive = (sys.stdin.isatty() and output.interactive) if request.interactive is None \
        else request.interactive
    return RunContext(
        run_id=run_id,
        run_dir=run_dir,
        machine=machine,
        clock=clock,
        since=parse_duration(str(inputs.get("since") or "7d")),
        secrets=registry,
        journal=Journal(run_dir / JOURNAL_NAME, registry, clock),
        output=output,
        approvals=ApprovalPolicy(assume_yes=request.assume_yes,
                                 ask=output.ask if interactive else None),
        endpoints=Endpoints.from_env(env),
        timing=request.timing or Timing(),
        dry_run=request.dry_run,
        offline=request.offline,
        responder_tokens=responder_tokens,
        playbook=loaded.playbook,
        rules=rules,
        rule_files=tuple(str(p) for p in request.rules),
        templates=request.templates,
    )


def execute(request: RunRequest) -> tuple[ExitCode, RunResult]:
    """Run a playbook and print its outcome; bad input raises before any step runs."""
    registry = SecretRegistry()
    output = Output(registry, json_mode=request.json_output)
    loaded = load(request.playbook)
    inputs = resolve_inputs(loaded, request)
    ctx = build_context(loaded, request, inputs, registry, output)
    with holding(ctx.run_dir):
        result = Runner(loaded, ctx, inputs).run()
    return _finish(result, request, registry, output)


def _finish(result: RunResult, request: RunRequest, registry: SecretRegistry,
            output: Output) -> tuple[ExitCode, RunResult]:
    summarize(result, output)
    if request.json_output:
        stream = request.stdout or sys.stdout
        stream.write(registry.scrub(dumps(result.envelope(), indent=2)) + "\n")
        stream.flush()
    return result.exit_code, result


@dataclass
class ResumeRequest:
    run_id: str  # a unique prefix is enough
    force: bool = False  # resume although the playbook changed since the run started
    redo: list[str] = field(default_factory=list)  # steps whose interrupted outcome the user
    # checked: run them again
    assume_yes: bool = False
    json_output: bool = False
    # Injected by tests; a real resume reads them from the process.
    clock: Callable[[], datetime] | None = None
    timing: Timing | None = None
    stdout: TextIO | None = None
    interactive: bool | None = None


def resume(request: ResumeRequest) -> tuple[ExitCode, RunResult]:
    """Continue an interrupted or failed run in its own directory, from its journal."""
    import os

    from responder.engine.runs import find

    run_dir = find(os.environ, request.run_id)
    with holding(run_dir):
        return _resume(run_dir, request)


def _resume(run_dir: Path, request: ResumeRequest) -> tuple[ExitCode, RunResult]:
    from responder.engine.resume import EarlierRun

    earlier = EarlierRun.read(run_dir)
    started = earlier.started
    loaded = _same_playbook(started, force=request.force)
    unknown = [s for s in request.redo if s not in {step.id for step in loaded.playbook.steps}]
    if unknown:
        raise BadInput(f"--redo {unknown[0]!r}: playbook {loaded.playbook.id!r} has no such step",
                       hint="its steps: " + ", ".join(s.id for s in loaded.playbook.steps))
    if all(earlier.done(step.id) for step in loaded.playbook.steps) and not request.redo:
        raise BadInput(f"run {run_dir.name} has nothing left to do: every step finished",
                       hint="`responder checklist --run RUN_ID` shows what it left for people")
    run = RunRequest(
        playbook=str(loaded.path), run_id=run_dir.name,
        variables=[f"{k}={v}" for k, v in (started.get("inputs") or {}).items()
                   if v is not None and k in loaded.playbook.inputs],
        workspaces=[Path(w) for w in started.get("workspaces") or []],
        rules=[Path(r) for r in started.get("rules") or []],
        templates=Path(started["templates"]) if started.get("templates") else None,
        dry_run=earlier.dry_run, offline=bool(started.get("offline")),
        assume_yes=request.assume_yes, json_output=request.json_output,
        clock=request.clock, timing=request.timing, stdout=request.stdout,
        interactive=request.interactive,
    )
    machine = Machine.current(tuple(run.workspaces))
    cwd = Path(str(started.get("cwd") or machine.cwd))
    run.machine = dataclasses.replace(machine, cwd=cwd if cwd.is_dir() else machine.cwd)
    registry = SecretRegistry()
    output = Output(registry, json_mode=request.json_output)
    inputs = resolve_inputs(loaded, run)
    ctx = build_context(loaded, run, inputs, registry, output)
    ctx.earlier = earlier.events
    runner = Runner(loaded, ctx, inputs, earlier=earlier, redo=frozenset(request.redo))
    return _finish(runner.run(), run, registry, output)


def _same_playbook(started: Mapping[str, Any], *, force: bool) -> LoadedPlaybook:
    """The playbook the run started with; a changed one only with --force (steps then match
    by id), since the journal says what was done under the old text."""
    recorded = Path(str(started.get("playbook_path") or ""))
    loaded = load(str(recorded) if recorded.is_file() else str(started.get("playbook")))
    if loaded.playbook.id != started.get("playbook"):
        raise BadInput(f"{loaded.path} is now playbook {loaded.playbook.id!r}, not "
                       f"{started.get('playbook')!r} as when the run started",
                       where=str(loaded.path), hint="resume with the original playbook file")
    if loaded.sha256 != started.get("playbook_sha256") and not force:
        raise BadInput(f"playbook {loaded.playbook.id!r} changed since the run started "
                       f"({str(started.get('playbook_sha256'))[:12]} → {loaded.sha256[:12]})",
                       where=str(loaded.path),
                       hint="resume with --force to continue under the new text (steps are "
                            "matched by id; finished ones are not repeated), or start a new run")
    return loaded


_EXIT_MEANING = {
    0: "every step succeeded",
    1: "some steps failed: see the manual fallbacks above",
    2: "bad input: a config or value needs fixing (see above)",
    3: "aborted: a step was not approved or the run was interrupted",
}


def summarize(result: RunResult, out: Output) -> None:
    out.line()
    manual = result.manual_steps()
    if result.input_errors:
        out.heading("Needs fixing")
        for text in result.input_errors:
            out.error(text)
    if manual:
        out.heading(f"Left for you ({len(manual)})")
        for item in manual:
            out.line(f"  ☐ [{item['step']}] {item['text']}")
    out.line()
    out.line(f"Run directory: {result.run_dir}")
    out.line("  report.md, maintainer-report.md, maintainer.json, checklist.md, journal.jsonl, "
             "evidence/, backups/")
    code = int(result.exit_code)
    out.line(f"Exit {code}: {_EXIT_MEANING[code]}"
             + (" (dry run: nothing was changed)" if result.dry_run else ""))
