"""The `responder` command: wiring of the command groups and the one error boundary.

Command modules import the engine inside their functions, so `responder --help` loads only typer.
"""

from __future__ import annotations

import os
import sys

import typer

from responder import __version__
from responder.cli import checklist, drill, playbooks, run, runs, servers

app = typer.Typer(
    name="responder",
    help=(
        "Incident-response playbooks for compromised MCP servers: disable the server in every "
        "client config, revoke and verify its tokens, review what it did, draft the reports.\n\n"
        "Exit codes: 0 every step succeeded; 1 the run finished with failed steps; 2 bad input "
        "(usage, playbook, a config that does not parse, unknown server); 3 aborted (approval "
        "refused, interrupted)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"responder {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Global options."""


app.command("run")(run.run)
app.command("drill")(drill.drill)
app.command("checklist")(checklist.checklist)
app.command("servers")(servers.servers)
app.add_typer(playbooks.app, name="playbooks")
app.add_typer(runs.app, name="runs")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; every error a user can cause becomes one message and a documented code."""
    from responder.core.errors import ExitCode, ResponderError

    try:
        code = app(args=argv, standalone_mode=False, prog_name="responder")
    except ResponderError as exc:
        _report(str(exc))
        code = exc.exit_code
    except typer.Abort:
        _report("aborted")
        code = ExitCode.ABORTED
    except typer.TyperException as exc:  # usage errors: unknown option, missing argument
        exc.show()
        code = ExitCode.BAD_INPUT if getattr(exc, "exit_code", 2) == 2 else exc.exit_code
    except KeyboardInterrupt:
        _report("interrupted")
        code = ExitCode.ABORTED
    except Exception as exc:  # the last line of defence: no traceback, no secret
        if os.environ.get("RESPONDER_DEBUG"):
            raise
        _report(f"internal error ({type(exc).__name__}); this is a bug in responder. "
                "Set RESPONDER_DEBUG=1 to see the traceback.")
        code = ExitCode.FAILED
    code = int(code) if isinstance(code, int) else 0
    if argv is None:
        sys.exit(code)
    return code


def _report(message: str) -> None:
    sys.stderr.write(f"responder: error: {message}\n")
