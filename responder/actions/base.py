"""The contract every step type (`uses:` name) fulfils: plan, apply, verify.

`plan()` must not change anything outside the run's own directory; it describes every file edit
(with its diff) and every writing HTTP request so that dry-run can show them exactly. `apply()`
does what the plan says and nothing more. `verify()` checks that the change held.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from responder.engine.context import RunContext

Effect = Literal["read", "write", "irreversible"]
Status = Literal["ok", "failed", "skipped", "planned", "refused", "manual"]
Severity = Literal["info", "low", "medium", "high", "critical"]


class ActionInputs(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


@dataclass(frozen=True)
class FileChange:
    path: str
    summary: tuple[str, ...]
    diff: str  # already scrubbed of secrets


@dataclass(frozen=True)
class RequestPlan:
    """A writing HTTP request, shown in full (secrets redacted) before it is sent."""

    method: str
    url: str
    body: str | None = None  # redacted
    authenticated: bool = False
    note: str = ""

    def line(self) -> str:
        auth = "with Authorization" if self.authenticated else "no Authorization header"
        text = f"{self.method} {self.url} ({auth})"
        return f"{text}\n    body: {self.body}" if self.body else text


@dataclass(frozen=True)
class Plan:
    summary: tuple[str, ...] = ()
    files: tuple[FileChange, ...] = ()
    requests: tuple[RequestPlan, ...] = ()
    # Other effects, one line each, e.g. "stop pid 4242 (dana): node .../server-github".
    operations: tuple[str, ...] = ()
    payload: Any = None  # private to the action's apply(); never journaled

    @property
    def has_effects(self) -> bool:
        return bool(self.files or self.requests or self.operations)


@dataclass(frozen=True)
class Finding:
    severity: Severity
    message: str
    where: str | None = None


@dataclass(frozen=True)
class Table:
    """Rows worth a table on the terminal (the flagged activity), shown after the step line."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass
class StepResult:
    status: Status = "ok"
    outputs: dict[str, Any] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)
    error: str | None = None
    hint: str | None = None
    # Bad input met along the way (a config that does not parse) that did not stop the step:
    # the run goes on elsewhere and ends with exit code 2.
    input_errors: list[str] = field(default_factory=list)
    table: Table | None = None

    def fail(self, error: str, hint: str | None = None) -> StepResult:
        self.status, self.error, self.hint = "failed", error, hint
        return self


class Action(ABC):
    """Base class for step types. Subclasses set `name`, `effect`, `Inputs` and `summary`."""

    name: ClassVar[str]
    effect: ClassVar[Effect]
    summary: ClassVar[str]
    Inputs: ClassVar[type[ActionInputs]] = ActionInputs
    # An irreversible action that journals each thing it sends, so a resumed run can tell what
    # an interrupted attempt already did and never does it twice. Others are not re-run after an
    # interruption without --redo.
    resumes_safely: ClassVar[bool] = False

    def plan(self, ctx: RunContext, inputs: Any) -> Plan:
        """What apply() would do. Read actions do their reading in apply()."""
        return Plan()

    @abstractmethod
    def apply(self, ctx: RunContext, inputs: Any, plan: Plan) -> StepResult:
        """Do what the plan says (or, for a read action, do the reading)."""

    def verify(self, ctx: RunContext, inputs: Any, result: StepResult) -> None:
        """Check the change held; record findings or fail the result. Default: nothing to check."""
        return None

    def restore(self, ctx: RunContext, inputs: Any, outputs: dict[str, Any]) -> None:
        """A resumed run took this step's result from an earlier attempt: rebuild what apply()
        leaves in the context for later steps (outputs are restored already). Default: none."""
        return None
