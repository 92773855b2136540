"""`responder servers`: every MCP server configured on this machine."""

from __future__ import annotations

from pathlib import Path

import typer


def servers(
    workspace: list[Path] = typer.Option([], "--workspace", "-w",
                                         help="Also look in this project directory "
                                         "(repeatable)."),
    client: list[str] = typer.Option([], "--client", "-c", help="Only this client "
                                     "(repeatable), e.g. claude-code, cursor, vscode."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> int:
    """List every MCP server in every client config found: client, scope, file, server,
    transport, package or URL, credentials (redacted), and whether it is disabled. Secrets are
    never shown. Exit code 2 when a config could not be read (it is named)."""
    from responder.cli.tables import servers_table
    from responder.clients import registry
    from responder.core.errors import BadInput, ExitCode
    from responder.core.jsonsafe import dumps
    from responder.engine.inventory import servers as scan_servers

    unknown = [c for c in client if c not in registry.names()]
    if unknown:
        raise BadInput(f"unknown client {unknown[0]!r}",
                       hint="clients: " + ", ".join(registry.names()))
    found = scan_servers(tuple(workspace), clients=list(client) or None)
    if json_output:
        typer.echo(dumps({"schema": "responder.servers/1", "files_scanned": found.files,
                          "servers": found.servers, "unparsed": found.problems}, indent=2))
    else:
        servers_table(found)
    return int(ExitCode.BAD_INPUT) if found.problems else 0
