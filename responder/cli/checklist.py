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
) -> int:
    """Export a playbook as a checklist: every step, automated and manual, grouped by phase."""
    from responder.core.fs import write_export
    from responder.core.jsonsafe import dumps
    from responder.engine.loader import load
    from responder.reports import checklist as render

    loaded = load(playbook)
    if format is Format.json:
        text = dumps(render.as_json(loaded.playbook), indent=2) + "\n"
    else:
        text = render.as_markdown(loaded.playbook)
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_export(output, text)
        typer.echo(f"wrote {output}", err=True)
    return 0
