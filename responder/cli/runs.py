"""`responder runs list | show RUN_ID | resume RUN_ID | restore RUN_ID`."""

from __future__ import annotations

import os

import typer

app = typer.Typer(help="Past runs: list them, show one, resume one that was interrupted or "
                  "failed, restore the configs a run edited.", no_args_is_help=True)


@app.command("list")
def list_() -> int:
    """Every run in the state directory, oldest first."""
    from responder.engine.runs import summaries

    rows = summaries(os.environ)
    if not rows:
        typer.echo("no runs yet")
    for row in rows:
        mode = "dry-run" if row.dry_run else "live"
        typer.echo(f"{row.run_id}  {row.playbook}  server={row.server}  {mode}  {row.status}")
    return 0


@app.command("show")
def show(run_id: str = typer.Argument(..., help="A run id (a unique prefix is enough).")) -> int:
    """A run's steps and outcome, from its journal."""
    from responder.engine.runs import events, find, summary

    directory = find(os.environ, run_id)
    info = summary(directory)
    typer.echo(f"{info.run_id}: {info.playbook} server={info.server} "
               f"({'dry run' if info.dry_run else 'live'}) status={info.status}")
    typer.echo(f"  directory: {directory}")
    for event in events(directory):
        if event.get("event") == "step_finished":
            error = f": {event['error']}" if event.get("error") else ""
            typer.echo(f"  {event['ts']}  {event['status']:<8} {event['id']}{error}")
            for change in event.get("changes", []):
                typer.echo(f"      {change}")
    return 0


@app.command("resume")
def resume(
    run_id: str = typer.Argument(..., help="The run to continue (a unique prefix is enough)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Approve the irreversible steps left "
                             "(revocation, submitting the disclosure) without asking."),
    force: bool = typer.Option(False, "--force", help="Resume although the playbook changed "
                               "since the run started (steps are matched by id)."),
    redo: list[str] = typer.Option([], "--redo", help="Run this step again although an "
                                   "interrupted attempt may have done it (an irreversible step "
                                   "whose outcome you checked by hand). Repeatable."),
    json_output: bool = typer.Option(False, "--json", help="Print the run's JSON result "
                                     "envelope on stdout and nothing else there."),
) -> int:
    """Continue an interrupted or failed run, in its own directory, from its journal.

    Steps finished before the first unfinished one are not run again (their results and the
    credentials they found are restored); from there every step runs, except an irreversible
    step an earlier attempt completed, which is never repeated. A revocation an interrupted
    attempt may have sent is probed before it is sent again. The run keeps its mode (dry run,
    --offline), inputs, workspaces and rules. Refuses if the playbook changed since, unless
    --force."""
    from responder.engine.session import ResumeRequest
    from responder.engine.session import resume as resume_run

    code, _ = resume_run(ResumeRequest(run_id=run_id, force=force, redo=list(redo),
                                       assume_yes=yes, json_output=json_output))
    return int(code)


@app.command("restore")
def restore(
    run_id: str = typer.Argument(..., help="The run whose config edits to undo."),
    force: bool = typer.Option(False, "--force", help="Overwrite files changed since the run."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be restored."),
) -> int:
    """Put back every config file a run edited, from its backups (re-enables the server).

    A file changed since the run is left alone and its diff shown (secrets masked) unless
    --force; a file responder created (a client's list of disabled servers) is deleted."""
    from responder.core.errors import ExitCode
    from responder.engine.runs import find, restore_run

    outcomes = restore_run(find(os.environ, run_id), force=force, dry_run=dry_run,
                           env=os.environ)
    if not outcomes:
        typer.echo("this run edited no config file")
    blocked = False
    for outcome in outcomes:
        status = f"would be {outcome.status}" if dry_run and outcome.status == "restored" \
            else outcome.status
        typer.echo(f"{status:<18} {outcome.path}" + (f"  ({outcome.detail})"
                                                      if outcome.detail else ""))
        if outcome.diff:
            typer.echo("  what --force would undo (secrets masked):")
            typer.echo("".join(f"    {line}\n" for line in outcome.diff.splitlines()), nl=False)
        blocked = blocked or outcome.status in ("changed since", "missing", "locked")
    return int(ExitCode.FAILED) if blocked else 0
