"""`responder drill`: rehearse a playbook in a sandbox against simulated providers."""

from __future__ import annotations

from pathlib import Path

import typer


def drill(
    playbook: str = typer.Argument("compromised-server", help="The playbook to rehearse."),
    scenario: str = typer.Option("default", "--scenario", help="The embedded scenario to "
                                 "rehearse (see fixtures/drills/<playbook>/)."),
    json_output: bool = typer.Option(False, "--json", help="Print the run's JSON result "
                                     "envelope on stdout."),
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

    Prints a scorecard (time to containment, time to revocation proven) and where the run's
    report, journal and evidence are."""
    from responder.cli.scorecard import show
    from responder.engine.drill import Fault, run_drill

    drill_run = run_drill(playbook, scenario, json_output=json_output, latency=latency,
                          faults=tuple(Fault.parse(f) for f in fault), rules=list(rules),
                          submit=submit, templates=templates)
    show(drill_run.result, drill_run.sandbox, to_stderr=json_output)
    return drill_run.code
