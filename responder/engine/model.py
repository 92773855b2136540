"""The playbook format (`format: 1`) as frozen, typed models.

Validated once at load; everything downstream trusts these objects. Unknown keys are errors so a
typo (`on_eror: continue`) can never silently change what a playbook does in a bad hour.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

STEP_ID = r"^[a-z][a-z0-9_-]{0,62}$"

# The order a checklist shows phases in; a playbook may use others, which follow in the order
# they first appear.
PHASES = ("inventory", "contain", "snapshot", "revoke", "verify", "review", "report", "follow-up")

Effect = Literal["read", "write", "irreversible"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class InputSpec(_Frozen):
    """One input of a playbook, set with `--server`, `--since` or `--var KEY=VALUE`."""

    type: Literal["string", "duration", "boolean", "integer"] = Field(
        "string", description="How the value given on the command line is read."
    )
    description: str = Field("", description="What the input means, shown by `playbooks show`.")
    required: bool = Field(False, description="A run without this input stops before any step.")
    default: str | int | bool | None = Field(None, description="Used when the input is not given.")
    choices: tuple[str, ...] | None = Field(
        None, description="The only values a string input accepts.")

    @model_validator(mode="after")
    def _required_has_no_default(self) -> InputSpec:
        if self.required and self.default is not None:
            raise ValueError("an input is either required or has a default, not both")
        if self.choices is not None and self.default is not None \
                and str(self.default) not in self.choices:
            raise ValueError(f"default {self.default!r} is not one of the choices")
        return self


class Step(_Frozen):
    """One step: an automated action (`uses`) or an instruction for a person (`manual`)."""

    id: str = Field(pattern=STEP_ID, description="Unique within the playbook; later steps read "
                    "this step's outputs as `steps.<id>.outputs`.")
    title: str = Field(min_length=1, description="One line saying what the step does.")
    uses: str | None = Field(None, description="The action to run (see `responder actions`).")
    manual: str | None = Field(None, description="Text for a person, when no action can do it.")
    with_: dict[str, Any] = Field(
        default_factory=dict,
        alias="with",
        description="The action's inputs; strings may be sandboxed Jinja templates.",
    )
    when: str | None = Field(None, description="A template expression; the step is skipped "
                             "when it is false.")
    on_error: Literal["stop", "continue"] = Field(
        "stop", description="Whether the run goes on after this step fails."
    )
    approve: bool = Field(False, description="Ask before applying, even for a write step. "
                          "Irreversible steps always ask.")
    phase: str = Field("other", pattern=r"^[a-z][a-z-]*$",
                       description="The checklist group this step belongs to.")
    checklist: str | None = Field(None, description="The sentence a human checklist shows.")

    @model_validator(mode="after")
    def _one_kind(self) -> Step:
        if (self.uses is None) == (self.manual is None):
            raise ValueError("a step has exactly one of `uses` (an action) or `manual` (text)")
        if self.manual is not None and self.with_:
            raise ValueError("a manual step takes no `with`")
        return self

    @property
    def is_manual(self) -> bool:
        return self.manual is not None

    @property
    def checklist_text(self) -> str:
        return self.checklist or self.title


class Playbook(_Frozen):
    """A playbook file."""

    format: Literal[1] = Field(description="The playbook format version; only 1 exists.")
    id: str = Field(pattern=STEP_ID, description="The name used on the command line.")
    title: str = Field(min_length=1)
    description: str = ""
    inputs: dict[str, InputSpec] = Field(default_factory=dict)
    rules: str | None = Field(
        None, description="The flagging rules file for the activity review, relative to the "
        "playbook file (format: docs/rules.md). Users add theirs with --rules.")
    steps: tuple[Step, ...] = Field(min_length=1)

    @field_validator("steps")
    @classmethod
    def _unique_ids(cls, steps: tuple[Step, ...]) -> tuple[Step, ...]:
        seen: set[str] = set()
        for step in steps:
            if step.id in seen:
                raise ValueError(f"step id {step.id!r} is used twice; ids must be unique")
            seen.add(step.id)
        return steps

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def phases(self) -> list[str]:
        present = list(dict.fromkeys(step.phase for step in self.steps))
        known = [p for p in PHASES if p in present]
        return known + [p for p in present if p not in PHASES]
