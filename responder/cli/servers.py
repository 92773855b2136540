"""`responder servers`: every MCP server configured on this machine."""

from __future__ import annotations

from pathlib import Path

import typer


def servers(
    workspace: list[Path] = typer.Option([], "--workspace", "-w",
                                         help="Also look in this project directory."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> int:
    """List every MCP server defined in the client configs found (never shows secrets)."""
    from responder.core.errors import ExitCode
    from responder.core.jsonsafe import dumps
    from responder.engine.inventory import servers as scan_servers

    found, problems = scan_servers(tuple(workspace))
    if json_output:
        typer.echo(dumps({"schema": "responder.servers/1", "servers": found,
                          "unparsed": problems}, indent=2))
    else:
        if not found:
            typer.echo("no MCP servers found")
        for row in found:
            state = "disabled" if row["disabled"] else "enabled"
            typer.echo(f"{row['name']:<20} {state:<9} {row['client']} {row['scope']:<10} "
                       f"{row['path']}:{row['line']}  {row['launch']}")
        for problem in problems:
            typer.echo(f"! {problem}", err=True)
    return int(ExitCode.BAD_INPUT) if problems else 0
