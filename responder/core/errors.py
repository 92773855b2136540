"""Errors that reach the user, and the exit codes they map to.

Every error responder raises on purpose names the place (file, line, step) and a fix. The CLI has
one boundary that turns them into a message and an exit code; anything else is a bug.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    OK = 0  # every step succeeded; pending manual steps are listed, not failures
    FAILED = 1  # the run finished with failed steps
    BAD_INPUT = 2  # usage, playbook, a config that does not parse, unknown server
    ABORTED = 3  # approval refused, interrupted


class ResponderError(Exception):
    exit_code: ExitCode = ExitCode.FAILED

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}\n  hint: {self.hint}" if self.hint else text

    def as_dict(self) -> dict[str, object]:
        return {
            "type": type(self).__name__,
            "message": self.message,
            "where": self.where,
            "hint": self.hint,
            "exit_code": int(self.exit_code),
        }


class BadInput(ResponderError):
    exit_code = ExitCode.BAD_INPUT


class PlaybookError(BadInput):
    pass


class ConfigParseError(BadInput):
    def __init__(self, path: Path, line: int, column: int, message: str, hint: str | None = None):
        super().__init__(
            message,
            where=f"{path}:{line}:{column}",
            hint=hint or "fix the file by hand (responder never writes a file it cannot parse)",
        )
        self.path = path
        self.line = line
        self.column = column


class Aborted(ResponderError):
    exit_code = ExitCode.ABORTED


class ProviderError(ResponderError):
    """A provider call failed after the retries it is allowed; the step fails, the run goes on."""

    def __init__(self, message: str, *, status: int | None = None, hint: str | None = None,
                 delivered: bool | None = True) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        # For a writing call: False = surely not acted on (safe to say "not revoked"); None = it
        # may have landed (never re-sent; verification decides); True = the provider answered.
        self.delivered = delivered


class ConcurrentEdit(ResponderError):
    """A config file changed between the read and the write; it is never overwritten blindly."""
