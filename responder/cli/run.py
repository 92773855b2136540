"""`responder run PLAYBOOK`: respond to an incident for real (or rehearse it with --dry-run)."""

from __future__ import annotations

from pathlib import Path

import typer


def run(
    playbook: str = typer.Argument(..., help="A shipped playbook name (e.g. compromised-server) "
                                   "or a path to a playbook file."),
    server: str = typer.Option(None, "--server", "-s",
                               help="The MCP server's name as the client configs spell it."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Plan every write and irreversible "
                                 "step, show the exact diffs and requests, change nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Pre-approve irreversible steps "
                             "(token revocation). Without a terminal and without --yes they "
                             "are refused."),
    match: str = typer.Option(None, "--match", help="Which servers count as this one: name "
                              "(default), package (also the same package under another name) "
                              "or url (also the same remote URL)."),
    since: str = typer.Option(None, "--since", help="How far back the activity review looks: "
                              "30m, 12h, 7d (default), 2w."),
    workspace: list[Path] = typer.Option([], "--workspace", "-w", help="A project directory "
                                         "whose project configs to include (repeatable; the "
                                         "current directory, its parents and the projects "
                                         "clients remember are always included)."),
    rules: list[Path] = typer.Option([], "--rules", help="A flagging rules file for the "
                                     "activity review, tried before the playbook's own rules "
                                     "(repeatable; format: docs/rules.md)."),
    submit: bool = typer.Option(False, "--submit", help="File the maintainer disclosure through "
                                "the best private channel found (GitHub private vulnerability "
                                "reporting, with RESPONDER_GITHUB_TOKEN), after showing the "
                                "exact text and asking; other channels are printed to send by "
                                "hand. Never sent in --dry-run."),
    templates: Path = typer.Option(None, "--templates", help="A directory whose report.md.j2 "
                                   "and/or maintainer-report.md.j2 replace the shipped "
                                   "templates (fields: docs/reports.md)."),
    var: list[str] = typer.Option([], "--var", help="Set a playbook input: KEY=VALUE "
                                  "(repeatable)."),
    offline: bool = typer.Option(False, "--offline", help="Make no network request at all; "
                                 "provider steps are skipped."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON result envelope on "
                                     "stdout; progress goes to stderr."),
) -> int:
    """Run a playbook. Example: responder run compromised-server --server github"""
    from responder.engine.session import RunRequest, execute

    code, _ = execute(RunRequest(
        playbook=playbook, server=server, since=since, match=match, variables=list(var),
        workspaces=list(workspace), rules=list(rules), templates=templates, submit=submit,
        dry_run=dry_run, offline=offline,
        assume_yes=yes, json_output=json_output,
    ))
    return int(code)
