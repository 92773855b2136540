"""What the person running responder sees: rich on a terminal, plain lines otherwise.

Every string passes through the secret registry before it is printed. With `--json` the human
output moves to stderr so that stdout carries only the result envelope.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import IO, Any

from responder.core.secrets import SecretRegistry

_STATUS_STYLE = {
    "ok": ("✓", "green"),
    "planned": ("◌", "cyan"),
    "skipped": ("–", "dim"),
    "manual": ("☐", "yellow"),
    "failed": ("✗", "red"),
    "refused": ("✗", "magenta"),
}


class Output:
    def __init__(self, secrets: SecretRegistry, *, json_mode: bool = False,
                 stream: IO[str] | None = None) -> None:
        from rich.console import Console

        self.secrets = secrets
        self.stream = stream or (sys.stderr if json_mode else sys.stdout)
        self.interactive = self.stream.isatty() and os.environ.get("TERM") != "dumb"
        self.console = Console(
            file=self.stream,
            force_terminal=self.interactive,
            no_color=not self.interactive or "NO_COLOR" in os.environ,
            highlight=False,
            soft_wrap=True,
            emoji=False,
        )

    def _clean(self, text: Any) -> str:
        from rich.markup import escape

        return escape(self.secrets.scrub(str(text)))

    def line(self, text: str = "", style: str | None = None) -> None:
        self.console.print(self._clean(text), style=style)

    def heading(self, text: str) -> None:
        self.console.print(f"[bold]{self._clean(text)}[/bold]")

    def warn(self, text: str) -> None:
        self.console.print(f"[yellow]! {self._clean(text)}[/yellow]")

    def error(self, text: str) -> None:
        self.console.print(f"[red]error: {self._clean(text)}[/red]")

    def step(self, step_id: str, status: str, text: str) -> None:
        mark, style = _STATUS_STYLE.get(status, ("•", ""))
        label = f"[{style}]{mark} {status:<7}[/{style}]" if style else f"{mark} {status:<7}"
        self.console.print(f"{label} [bold]{self._clean(step_id)}[/bold]  {self._clean(text)}")

    def detail(self, text: str) -> None:
        for row in self.secrets.scrub(str(text)).splitlines():
            self.console.print(f"    {self._clean(row)}", style="dim" if self.interactive else None)

    def diff(self, text: str) -> None:
        for row in self.secrets.scrub(text).splitlines():
            style = None
            if self.interactive:
                if row.startswith("+") and not row.startswith("+++"):
                    style = "green"
                elif row.startswith("-") and not row.startswith("---"):
                    style = "red"
            self.console.print(f"    {self._clean(row)}", style=style)

    def table(self, title: str, columns: tuple[str, ...],
              rows: tuple[tuple[str, ...], ...]) -> None:
        """A rich table on a terminal; one indented line per row otherwise (logs, pipes)."""
        if not rows:
            return
        if not self.interactive:
            self.console.print(f"    {self._clean(title)}:")
            for row in rows:
                self.console.print("      " + self._clean(" | ".join(row)))
            return
        from rich.table import Table

        table = Table(title=self._clean(title), title_justify="left", show_lines=False,
                      expand=False, padding=(0, 1))
        for column in columns:
            table.add_column(self._clean(column), overflow="fold")
        styles = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "dim"}
        for row in rows:
            table.add_row(*(self._clean(cell) for cell in row),
                          style=styles.get(row[0]) if row else None)
        self.console.print(table)

    @contextlib.contextmanager
    def working(self, text: str) -> Iterator[None]:
        """A spinner on a terminal; nothing in plain mode (a log must not fill with frames)."""
        if not self.interactive:
            yield
            return
        with self.console.status(self._clean(text)):
            yield

    def ask(self, question: str) -> bool:
        answer = self.console.input(f"[bold]{self._clean(question)}[/bold] [y/N] ")
        return answer.strip().lower() in ("y", "yes")
