"""`responder checklist PLAYBOOK`: export a playbook as a checklist for people."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer


class Format(StrEnum):
    markdown = "markdown"
    json = "json"


def checklist(
    playbook: str = typer.Argument(..., help="A shipped playbook name or a playbook file."),
    format: Format = typer.Option(Format.markdown, "--format", "-f",
                                  help="markdown (a GitHub task list) or json."),
    output: Path = typer.Option(None, "--output", "-o", help="Write to this file instead of "
                                "stdout."),
    run_id: str = typer.Option(None, "--run", help="Add what this run left to do (its manual "
                               "steps: credentials to revoke by hand, reports to send) as "
                               "unticked items. A unique prefix of the run id is enough."),
) -> int:
    """Export a playbook as a checklist: every step, automated and manual, grouped by phase.

    With --run, the checklist ends with what that run left for people, as unticked items."""
    from responder.core.fs import write_export
    from responder.core.jsonsafe import dumps
    from responder.engine.loader import load
    from responder.reports import checklist as render

    loaded = load(playbook)
    run = None
    if run_id is not None:
        import os

        from responder.engine.runs import events, find

        directory = find(os.environ, run_id)
        run = {"run_id": directory.name, "left": render.left_by_run(events(directory))}
    if format is Format.json:
        text = dumps(render.as_json(loaded.playbook, run), indent=2) + "\n"
    else:
        text = render.as_markdown(loaded.playbook, run)
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_export(output, text)
        typer.echo(f"wrote {output}", err=True)
    return 0
