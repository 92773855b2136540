"""Tables for the terminal: rich when stdout is a terminal, aligned plain text otherwise."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

_COLUMNS = ("client", "scope", "file", "server", "transport", "package or URL", "credentials",
            "state")


def servers_table(found) -> None:
    home = found.home
    rows = []
    for row in found.servers:
        path = row["path"]
        if Path(path).is_relative_to(home):
            path = "~/" + Path(path).relative_to(home).as_posix()
        rows.append((row["client"], row["scope"], f"{path}:{row['line']}", row["name"],
                     row["transport"], _runs(row),
                     ", ".join(row["credentials"]) or "-",
                     "disabled" if row["disabled"] else "enabled"))
    if not rows:
        typer.echo(f"no MCP servers found in {found.files} config file(s)")
    elif sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(*_COLUMNS, title=f"{len(rows)} MCP server(s) in {found.files} file(s)")
        for cells in rows:
            # Text(): a server name like "[red]x" is data, not rich markup.
            table.add_row(*(Text(c) for c in cells),
                          style="dim" if cells[-1] == "disabled" else None)
        Console().print(table)
    else:
        widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(_COLUMNS)]
        for cells in (_COLUMNS, *rows):
            typer.echo("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
    for problem in found.problems:
        typer.echo(f"! {problem['where']}: {problem['error']}", err=True)
        if problem.get("hint"):
            typer.echo(f"  hint: {problem['hint']}", err=True)


def _runs(row) -> str:
    """`npm @acme/x 2.1.0`, `oci ghcr.io/acme/mcp`, or the remote URL; the launch otherwise."""
    if row.get("ecosystem") and row["ecosystem"] != "remote":
        return " ".join(filter(None, (row["ecosystem"], row["package_name"], row["version"])))
    return row["url"] or row["launch"]
