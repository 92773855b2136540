"""Who says yes to an irreversible step: `--yes`, a person at a terminal, or nobody (refuse)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    granted: bool
    how: str  # "--yes" | "prompt" | "declined at prompt" | "no terminal"


class ApprovalPolicy:
    def __init__(self, *, assume_yes: bool, ask: Callable[[str], bool] | None) -> None:
        """`ask` is None when there is no terminal to ask on."""
        self.assume_yes = assume_yes
        self._ask = ask

    def decide(self, question: str) -> Decision:
        if self.assume_yes:
            return Decision(True, "--yes")
        if self._ask is None:
            return Decision(False, "no terminal")
        if self._ask(question):
            return Decision(True, "prompt")
        return Decision(False, "declined at prompt")

    def person_confirms(self, question: str) -> bool:
        """A statement only a person can make (a report template's "I have read the policy"):
        `--yes` approves actions, it does not vouch for facts, so without a terminal: no."""
        return self._ask is not None and bool(self._ask(question))
