"""`responder drill`: rehearse a playbook in a sandbox against simulated providers."""

from __future__ import annotations

import sys
from pathlib import Path

import typer


def drill(
    playbook: str = typer.Argument("compromised-server", help="The playbook to rehearse."),
    scenario: str = typer.Option("default", "--scenario", help="The embedded scenario to "
                                 "rehearse; --list describes them."),
    list_only: bool = typer.Option(False, "--list", help="List the playbook's scenarios with "
                                   "their descriptions, and exit."),
    seed: int = typer.Option(None, "--seed", min=0, help="Make the drill reproducible: the run "
                             "id, the sandbox's name and the simulators' random values come "
                             "from the seed, and the clock is frozen (2026-01-15T09:30:00Z "
                             "unless the scenario says otherwise). A second drill with the same "
                             "seed replaces the first one's sandbox and run directory."),
    json_output: bool = typer.Option(False, "--json", help="Print the run's JSON result "
                                     "envelope on stdout, with the scorecard under `drill`; "
                                     "the text goes to stderr."),
    latency: float = typer.Option(0.0, "--latency", min=0.0, max=5.0, help="Seconds every "
                                  "simulated provider waits before answering (rehearse a slow "
                                  "provider; the calls still run concurrently)."),
    rules: list[Path] = typer.Option([], "--rules", help="A flagging rules file tried before "
                                     "the playbook's own (repeatable; format: docs/rules.md)."),
    submit: bool = typer.Option(False, "--submit", help="Rehearse filing the maintainer "
                                "disclosure: it goes to the simulated GitHub."),
    templates: Path = typer.Option(None, "--templates", help="A directory whose report "
                                   "templates replace the shipped ones (docs/reports.md)."),
    fault: list[str] = typer.Option([], "--fault", help="Make one simulated provider fail: "
                                    "PROVIDER=STATUS (e.g. slack=429, gitlab=500) or "
                                    "PROVIDER=timeout. Repeatable."),
) -> int:
    """Rehearse a playbook end to end in a sandbox: real MCP configs in a throwaway home,
    simulated providers on 127.0.0.1, real edits, no real credentials needed.

    Prints a scorecard: time to containment and to revocation, steps done / failed / left
    manual / skipped, evidence captured, findings, and what a real run on this machine would
    additionally need. The scorecard is also saved as scorecard.json in the run directory.
    Exit codes are the run's (docs/drills.md)."""
    if list_only:
        return _list(playbook)
    from responder.cli.scorecard import show
    from responder.core.jsonsafe import dumps
    from responder.engine.drill import Fault, run_drill

    drill_run = run_drill(playbook, scenario, json_output=json_output, latency=latency,
                          faults=tuple(Fault.parse(f) for f in fault), rules=list(rules),
                          submit=submit, templates=templates, seed=seed)
    if json_output:
        sys.stdout.write(dumps(drill_run.json_document(), indent=2) + "\n")
        sys.stdout.flush()
    show(drill_run, sys.stderr if json_output else sys.stdout)
    return drill_run.code


def _list(playbook: str) -> int:
    from responder.core.errors import BadInput
    from responder.engine.drill import list_scenarios

    scenarios = list_scenarios(playbook)
    if not scenarios:
        raise BadInput(f"no drill scenarios for playbook {playbook!r}",
                       hint="drills ship for: compromised-server")
    width = max(len(s.name) for s in scenarios)
    for item in scenarios:
        typer.echo(f"{item.name.ljust(width)}  {item.description}")
    return 0
