"""`responder drill`: rehearse a playbook in a sandbox against simulated providers."""

from __future__ import annotations

import typer


def drill(
    playbook: str = typer.Argument("compromised-server", help="The playbook to rehearse."),
    scenario: str = typer.Option("default", "--scenario", help="The embedded scenario to "
                                 "rehearse (see fixtures/drills/<playbook>/)."),
    json_output: bool = typer.Option(False, "--json", help="Print the run's JSON result "
                                     "envelope on stdout."),
) -> int:
    """Rehearse a playbook end to end in a sandbox: real MCP configs in a throwaway home,
    simulated providers on 127.0.0.1, real edits, no real credentials needed.

    Prints a scorecard (time to containment, time to revocation proven) and where the run's
    report, journal and evidence are."""
    from responder.cli.scorecard import show
    from responder.engine.drill import run_drill

    code, result, sandbox = run_drill(playbook, scenario, json_output=json_output)
    show(result, sandbox, to_stderr=json_output)
    return code
