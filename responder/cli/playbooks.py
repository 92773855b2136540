"""`responder playbooks list | show | validate | schema`."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="List, show, validate playbooks and print their JSON Schema.",
                  no_args_is_help=True)


@app.command("list")
def list_() -> int:
    """The playbooks shipped with responder."""
    from responder.engine.loader import load, shipped

    for name in shipped():
        loaded = load(name)
        typer.echo(f"{name:<24} {loaded.playbook.title}")
    return 0


@app.command("show")
def show(name: str = typer.Argument(..., help="A playbook name or file.")) -> int:
    """A playbook's inputs and steps, in order, with what each step does."""
    from responder.engine.loader import load
    from responder.reports.checklist import items

    loaded = load(name)
    pb = loaded.playbook
    typer.echo(f"{pb.id}: {pb.title}\n  file: {loaded.path}\n")
    if pb.description:
        typer.echo(pb.description.strip() + "\n")
    typer.echo("inputs:")
    for key, spec in pb.inputs.items():
        need = "required" if spec.required else f"default {spec.default}"
        typer.echo(f"  {key} ({spec.type}, {need}): {spec.description}")
    typer.echo("\nsteps:")
    for i, row in enumerate(items(pb), 1):
        what = row["uses"] or "manual"
        typer.echo(f"  {i}. [{row['phase']}] {row['id']}: {row['title']}  ({what}, "
                   f"{row['effect']})")
    return 0


@app.command("validate")
def validate(paths: list[Path] = typer.Argument(..., help="Playbook files to check.")) -> int:
    """Check playbook files; each error names the file, line, step and key."""
    from responder.core.errors import ExitCode, ResponderError
    from responder.engine.loader import load

    code = 0
    for path in paths:
        try:
            loaded = load(str(path) if "/" in str(path) or path.suffix else f"./{path}")
        except ResponderError as exc:
            typer.echo(f"✗ {exc}", err=True)
            code = int(ExitCode.BAD_INPUT)
            continue
        typer.echo(f"✓ {path}: {loaded.playbook.id}, {len(loaded.playbook.steps)} steps")
    return code


@app.command("schema")
def schema() -> int:
    """The JSON Schema of the playbook format, for editors."""
    from responder.core.jsonsafe import dumps
    from responder.engine.schema import playbook_schema

    typer.echo(dumps(playbook_schema(), indent=2))
    return 0
