"""`responder checklist PLAYBOOK`: export a playbook as a checklist (Markdown, JSON) or as a CACAO
v2.0 playbook, optionally ticked from a run's journal."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from responder.engine.loader import LoadedPlaybook


class Format(StrEnum):
    markdown = "markdown"
    json = "json"
    cacao = "cacao"


def checklist(
    playbook: str = typer.Argument(..., help="A shipped playbook name or a playbook file."),
    format: Format = typer.Option(
        Format.markdown, "--format", "-f",
        help="markdown: a GitHub task list grouped by phase, automated and manual steps, an "
             "evidence slot per item and a sign-off line. json: the same items "
             "(schema responder.checklist/1). cacao: an OASIS CACAO v2.0 playbook (JSON) for "
             "SOAR tools, checked before it is written."),
    output: Path = typer.Option(None, "--output", "-o", help="Write to this file (0600) "
                                "instead of stdout."),
    run_id: str = typer.Option(
        None, "--run",
        help="Tick each item from this run's journal: ticked when done (or not needed: its "
             "condition was false); unticked items say why (failed, refused, planned only in "
             "a dry run, for a person, not run yet). What the run left for people follows as "
             "unticked items. A unique prefix of the run id is enough. Not with --format "
             "cacao."),
    timestamp: str = typer.Option(
        None, "--timestamp",
        help="CACAO only: the playbook's created/modified time, an ISO 8601 time with its "
             "offset (2026-03-01T12:00:00Z) or `now`. Default: $SOURCE_DATE_EPOCH if set, "
             "else 1970-01-01T00:00:00.000Z, so two exports are byte-identical."),
) -> int:
    """Export a playbook as a checklist: every step, automated and manual, grouped by phase.

    Examples: responder checklist compromised-server > checklist.md;
    responder checklist compromised-server --run 20260301T1200 (ticked from that run);
    responder checklist compromised-server --format cacao -o compromised-server.cacao.json.
    Formats and the CACAO mapping: docs/checklists.md."""
    from responder.core.errors import BadInput
    from responder.core.fs import write_export
    from responder.engine.loader import load

    if format is Format.cacao and run_id is not None:
        raise BadInput("--run does not combine with --format cacao: a CACAO playbook has no "
                       "place for what a run did",
                       hint="tick a run with --format markdown or --format json")
    if timestamp is not None and format is not Format.cacao:
        raise BadInput("--timestamp applies to --format cacao only",
                       hint="Markdown and JSON checklists carry no timestamp")
    loaded = load(playbook)
    if format is Format.cacao:
        text = _cacao(loaded, timestamp)
    else:
        run = _run(loaded, run_id) if run_id is not None else None
        text = _checklist(loaded, format, run)
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_export(output, text)
        typer.echo(f"wrote {output}", err=True)
    return 0


def _run(loaded: LoadedPlaybook, run_id: str) -> dict[str, Any]:
    import os

    from responder.core.errors import BadInput
    from responder.engine.runs import events, find
    from responder.reports.checklist import run_view

    directory = find(os.environ, run_id)
    journal = events(directory)
    started = next((e for e in journal if e.get("event") == "run_started"), None)
    if started is None:
        raise BadInput(f"run {directory.name} has no journal to tick from",
                       where=str(directory),
                       hint="it stopped before its first step; `responder runs list` shows "
                            "the others")
    recorded = started.get("playbook")
    if recorded and recorded != loaded.playbook.id:
        raise BadInput(f"run {directory.name} ran playbook {recorded!r}, not "
                       f"{loaded.playbook.id!r}",
                       hint=f"responder checklist {recorded} --run {directory.name}")
    return run_view(loaded.playbook, directory.name, journal, playbook_sha256=loaded.sha256)


def _checklist(loaded: LoadedPlaybook, format: Format, run: dict[str, Any] | None) -> str:
    from responder.core.jsonsafe import dumps
    from responder.reports import checklist as render

    if format is Format.json:
        return dumps(render.as_json(loaded.playbook, run), indent=2) + "\n"
    return render.as_markdown(loaded.playbook, run)


def _cacao(loaded: LoadedPlaybook, timestamp: str | None) -> str:
    import os

    from responder.core.errors import ResponderError
    from responder.core.jsonsafe import dumps
    from responder.reports import cacao, cacao_checks

    moment = cacao.export_time(timestamp, os.environ)
    document = cacao.export(loaded.playbook, moment=moment, path=loaded.path,
                            sha256=loaded.sha256)
    problems = cacao_checks.problems(document)
    if problems:
        # The exporter builds the document; a rule it breaks is responder's bug, not the user's.
        shown = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
        raise ResponderError(
            f"the CACAO export of {loaded.playbook.id!r} breaks {len(problems)} CACAO rule(s): "
            f"{shown}",
            hint="this is a bug in responder; nothing was written. Please report it with the "
                 "playbook file.")
    return dumps(document, indent=2) + "\n"
