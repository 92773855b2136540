"""A playbook as a CACAO v2.0 playbook (OASIS Security Playbooks v2.0): JSON other tools can read.

The mapping is in docs/checklists.md. Two rules shape everything here:
- Deterministic: every identifier is a uuid5 of the playbook id and the step id in one fixed
  namespace, and the timestamps come from the caller (never the clock unless asked), so two
  exports of the same playbook are byte-identical and a changed playbook diffs cleanly.
- Honest: responder runs a playbook's steps in one process; there is no per-step command. Each
  automated action therefore carries the one `responder run` command line that performs it (and
  every other automated step), and a step extension says which step of that run it is.
"""

from __future__ import annotations

import re
import shlex
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from responder import __version__
from responder.core.errors import BadInput
from responder.engine.model import InputSpec, Playbook, Step

# Fixed forever: changing it changes every identifier of every export.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:responder:cacao-export")
# What `created`/`modified` are when neither --timestamp nor SOURCE_DATE_EPOCH says otherwise:
# responder keeps no record of when a playbook was written, and the current time would make
# every export differ from the last.
DEFAULT_TIME = datetime(1970, 1, 1, tzinfo=UTC)
EXTENSION_VERSION = "1.0.0"

_VARIABLE_TYPES = {"string": "string", "duration": "string", "boolean": "bool",
                   "integer": "integer"}
# Phases of responder playbooks → CACAO playbook-type-ov; other phases add no type.
_PHASE_TYPES = {"contain": "mitigation", "revoke": "remediation", "verify": "remediation",
                "follow-up": "remediation", "snapshot": "investigation",
                "review": "investigation", "report": "notification"}
_TYPE_ORDER = ("mitigation", "remediation", "investigation", "notification")
_INPUT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,190}$")
_INPUT_REF = re.compile(r"\{\{-?\s*inputs\.([A-Za-z_][A-Za-z0-9_]*)\s*-?\}\}")
_WHEN_INPUT = re.compile(
    r"^\{\{-?\s*(not\s+)?inputs\.([A-Za-z_][A-Za-z0-9_]*)"
    r"(?:\s*(==|!=)\s*(?:'([^'\\]*)'|\"([^\"'\\]*)\"))?\s*-?\}\}$")

EXTENSION_SCHEMA = (
    "responder step semantics, attached to each action step. Properties: responder_step "
    "(string: the step id in the responder playbook); action (string: the responder action "
    "that performs the step, or \"manual\"); effect (string: read | write | irreversible | "
    "manual); approval_required (boolean: responder shows the plan and asks a person before "
    "applying, and refuses without one unless run with --yes); reversible (boolean, automated "
    "steps only: false when the change cannot be undone); undo (string, optional: how a write "
    "is undone); on_error (string: stop | continue, whether the run goes on after this step "
    "fails); phase (string: the checklist group); when (string, optional: the responder "
    "template expression that decides whether the step runs). Every automated action's "
    "command is the `responder run` command line that performs all automated steps of the "
    "playbook in order: run it once for the workflow, and read each step's outcome from its "
    "journal (`responder checklist PLAYBOOK --run RUN_ID`).")


def identifier(kind: str, key: str) -> str:
    """`<kind>--<uuid5>`: the same key gives the same id in every export."""
    return f"{kind}--{uuid.uuid5(NAMESPACE, key)}"


def timestamp(moment: datetime) -> str:
    """CACAO's form: UTC, ending in Z, exactly three fraction digits."""
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def export_time(option: str | None, env: Mapping[str, str], *,
                now: datetime | None = None) -> datetime:
    """`--timestamp` (an ISO 8601 time with its offset, or `now`), else `SOURCE_DATE_EPOCH`
    (the reproducible-builds convention: set it to the playbook's last commit time), else
    DEFAULT_TIME. Never the clock unless the user says `now`."""
    if option is not None:
        if option.strip().lower() == "now":
            return (now or datetime.now(UTC)).astimezone(UTC)
        try:
            parsed = datetime.fromisoformat(option.strip())
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            raise BadInput(f"--timestamp {option!r} is not a time with its UTC offset",
                           hint="e.g. --timestamp 2026-03-01T12:00:00Z, or --timestamp now")
        return parsed.astimezone(UTC)
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch.strip()), UTC)
        except (ValueError, OverflowError, OSError):
            raise BadInput(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds "
                           "since 1970", hint="unset it, or set it to e.g. "
                           "$(git log -1 --format=%ct PLAYBOOK_FILE)") from None
    return DEFAULT_TIME


def variable_name(name: str) -> str:
    """`__name__`: a playbook input as a CACAO variable (see _variables for the names allowed)."""
    return f"__{name}__"


def command_ref(playbook: Playbook, path: Path | None) -> str:
    """How `responder run` names the playbook: a shipped one by its name, a file by its file
    name (machine paths would make the export differ between checkouts)."""
    if path is None:
        return playbook.id
    from responder.engine.loader import shipped

    shipped_path = shipped().get(playbook.id)
    if shipped_path is not None and shipped_path.resolve() == path.resolve():
        return playbook.id
    return path.name


def export(playbook: Playbook, *, moment: datetime = DEFAULT_TIME, path: Path | None = None,
           sha256: str | None = None) -> dict[str, Any]:
    return _Builder(playbook, moment, command_ref(playbook, path), sha256).build()


class _Builder:
    def __init__(self, playbook: Playbook, moment: datetime, ref: str,
                 sha256: str | None) -> None:
        self.pb = playbook
        self.moment = moment
        self.ref = ref
        self.sha256 = sha256
        key = playbook.id
        self.ids = {
            "playbook": identifier("playbook", f"playbook:{key}"),
            "identity": identifier("identity", "identity:responder"),
            "start": identifier("start", f"{key}:start"),
            "end": identifier("end", f"{key}:end"),
            "exception": identifier("end", f"{key}:exception"),
            "orchestrator": identifier("security-category", "agent:responder-cli"),
            "person": identifier("individual", "agent:incident-responder"),
            "extension": identifier("extension-definition", "extension:step-semantics"),
        }
        self.variables = self._variables()
        self.condition_variables: dict[str, dict[str, Any]] = {}

    # -- the document -----------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        pb = self.pb
        workflow = self._workflow()
        uses_exception = self.ids["exception"] in workflow
        variables = {**self.variables, **self.condition_variables}
        stamp = timestamp(self.moment)
        description = pb.description.strip() or pb.title
        document: dict[str, Any] = {
            "type": "playbook",
            "spec_version": "cacao-2.0",
            "id": self.ids["playbook"],
            "name": pb.title,
            "description": description,
            "playbook_types": self._types(),
            "created_by": self.ids["identity"],
            "created": stamp,
            "modified": stamp,
            "labels": ["responder", f"responder-playbook:{pb.id}"],
            "external_references": [self._source_reference()],
            "playbook_processing_summary": {
                "manual_playbook": all(step.is_manual for step in pb.steps),
                "if_logic": any(step.when is not None for step in pb.steps),
                "extensions": True,
            },
        }
        if variables:
            document["playbook_variables"] = variables
        document["workflow_start"] = self.ids["start"]
        if uses_exception:
            document["workflow_exception"] = self.ids["exception"]
        document["workflow"] = workflow
        document["agent_definitions"] = self._agents()
        document["extension_definitions"] = {self.ids["extension"]: {
            "type": "extension-definition",
            "name": "responder step semantics",
            "description": "How responder runs each step: its effect, whether it asks first, "
                           "whether it can be undone, and what happens when it fails.",
            "created_by": self.ids["identity"],
            "schema": EXTENSION_SCHEMA,
            "version": EXTENSION_VERSION,
        }}
        return document

    def _source_reference(self) -> dict[str, str]:
        text = f"Exported by responder {__version__} from playbook {self.pb.id}"
        if self.sha256:
            text += f" (playbook file sha256 {self.sha256})"
        return {"name": f"responder playbook {self.pb.id}", "description": text + "."}

    def _types(self) -> list[str]:
        present = {_PHASE_TYPES[step.phase] for step in self.pb.steps
                   if step.phase in _PHASE_TYPES}
        return [kind for kind in _TYPE_ORDER if kind in present] or ["remediation"]

    def _agents(self) -> dict[str, Any]:
        agents: dict[str, Any] = {}
        if any(not step.is_manual for step in self.pb.steps):
            agents[self.ids["orchestrator"]] = {
                "type": "security-category",
                "name": "responder CLI",
                "description": "The responder command line, run on the machine whose MCP "
                               "clients use the server.",
                "category": ["orchestrator"],
            }
        if any(step.is_manual for step in self.pb.steps):
            agents[self.ids["person"]] = {
                "type": "individual",
                "name": "Incident responder",
                "description": "The person running the response: does the manual steps and "
                               "approves the irreversible ones.",
            }
        return agents

    # -- variables --------------------------------------------------------------------------

    def _variables(self) -> dict[str, dict[str, Any]]:
        variables: dict[str, dict[str, Any]] = {}
        for name, spec in self.pb.inputs.items():
            # CACAO's rule for names (a letter first); it also keeps the input safe to quote
            # in the exported `responder run` command line.
            if not _INPUT_NAME.match(name):
                raise BadInput(f"input {name!r} cannot be a CACAO variable name",
                               hint="input names for a CACAO export start with a letter and "
                                    "use only letters, digits, _ and -")
            variables[variable_name(name)] = _variable(name, spec)
        return variables

    def _input_variable(self, name: str) -> str | None:
        key = variable_name(name)
        return key if name in self.pb.inputs and key in self.variables else None

    def _with_variables(self, text: str) -> str:
        """`{{ inputs.server }}` in a manual text → `__server__:value`; other templates stay."""
        def swap(match: re.Match[str]) -> str:
            key = self._input_variable(match.group(1))
            return f"{key}:value" if key else match.group(0)
        return _INPUT_REF.sub(swap, text)

    # -- the workflow -----------------------------------------------------------------------

    def _workflow(self) -> dict[str, Any]:
        steps = self.pb.steps
        entries = [self._entry(step) for step in steps] + [self.ids["end"]]
        start = {"type": "start", "name": self.pb.title, "on_completion": entries[0]}
        workflow: dict[str, Any] = {self.ids["start"]: start}
        for index, step in enumerate(steps):
            after = entries[index + 1]
            action_id = identifier("action", f"{self.pb.id}:step:{step.id}")
            if step.when is None:
                workflow[action_id] = self._action(step, after)
                continue
            branch_end = identifier("end", f"{self.pb.id}:step:{step.id}:if-end")
            condition, note = self._condition(step)
            workflow[entries[index]] = {
                "type": "if-condition",
                "name": f"Only when: {step.title}",
                "description": f"responder runs step {step.id!r} only when `{step.when}` is "
                               f"true. {note}".strip(),
                "condition": condition,
                "on_true": action_id,
                "on_completion": after,
            }
            workflow[action_id] = self._action(step, branch_end)
            workflow[branch_end] = {"type": "end", "name": f"End of step {step.id}"}
        workflow[self.ids["end"]] = {"type": "end", "name": "Done"}
        if any(step.on_error == "stop" for step in steps):
            workflow[self.ids["exception"]] = {
                "type": "end", "name": "Stopped: a step with on_error: stop failed"}
        return workflow

    def _entry(self, step: Step) -> str:
        if step.when is not None:
            return identifier("if-condition", f"{self.pb.id}:step:{step.id}:if")
        return identifier("action", f"{self.pb.id}:step:{step.id}")

    def _condition(self, step: Step) -> tuple[str, str]:
        """A comparison on the input the `when` reads, when it is that simple; otherwise a
        variable responder sets by evaluating the expression itself."""
        match = _WHEN_INPUT.match((step.when or "").strip())
        if match:
            negate, name, operator, single, double = match.groups()
            key = self._input_variable(name)
            if key is not None:
                kind = self.pb.inputs[name].type
                if operator is None and kind == "boolean":
                    return f"{key}:value = '{'false' if negate else 'true'}'", ""
                if operator is None and kind in ("string", "duration"):
                    # A string is true when it is not empty.
                    return f"{key}:value {'=' if negate else '!='} ''", ""
                if operator is not None and not negate and kind in ("string", "duration"):
                    value = single if single is not None else double
                    # STIX patterning compares with `=` and `!=`.
                    return f"{key}:value {'=' if operator == '==' else '!='} '{value}'", ""
        key = variable_name(f"when_{step.id}")
        if key in self.variables:
            raise BadInput(f"step {step.id!r}: its condition needs the CACAO variable {key}, "
                           "which a playbook input already uses", hint="rename that input")
        self.condition_variables[key] = {
            "type": "bool",
            "description": f"Whether step {step.id!r} runs: responder evaluates `{step.when}` "
                           "itself during `responder run` (a template expression CACAO cannot "
                           "state); an executor sets this variable.",
            "value": None,
            "constant": False,
            "external": False,
        }
        return f"{key}:value = 'true'", "A variable stands for the expression here."

    def _action(self, step: Step, after: str) -> dict[str, Any]:
        action: dict[str, Any] = {
            "type": "action",
            "name": step.title,
            "description": step.checklist_text.strip(),
        }
        semantics: dict[str, Any] = {"responder_step": step.id}
        if step.is_manual:
            action["commands"] = [{"type": "manual",
                                   "command": self._with_variables((step.manual or "").strip())}]
            action["agent"] = self.ids["person"]
            semantics |= {"action": "manual", "effect": "manual", "approval_required": False}
        else:
            from responder.actions import registry

            implementation = registry.get(step.uses or "")
            effect = implementation.effect
            asks = effect == "irreversible" or step.approve
            action["commands"] = [{
                "type": "bash",
                "description": self._command_description(step, implementation.summary, asks),
                "command": self._run_command(),
            }]
            action["agent"] = self.ids["orchestrator"]
            semantics |= {"action": step.uses, "effect": effect, "approval_required": asks,
                          "reversible": effect != "irreversible"}
            if effect == "write":
                semantics["undo"] = "responder runs restore RUN_ID"
        semantics |= {"on_error": step.on_error, "phase": step.phase}
        if step.when is not None:
            semantics["when"] = step.when
        action["step_extensions"] = {self.ids["extension"]: semantics}
        if step.on_error == "continue":
            action["on_completion"] = after
        else:
            action["on_success"] = after
            action["on_failure"] = self.ids["exception"]
        return action

    def _command_description(self, step: Step, summary: str, asks: bool) -> str:
        text = (f"responder performs step {step.id!r} ({step.uses}) as part of this command, "
                f"which runs every automated step of playbook {self.pb.id!r} in order: "
                f"{summary.strip()}")
        if asks:
            text += " It shows the plan and asks before applying (or refuses without a " \
                    "terminal, unless --yes is added)."
        return text

    def _run_command(self) -> str:
        # Single quotes: a value substituted for a variable cannot expand $(...) in bash.
        parts = ["responder", "run", shlex.quote(self.ref)]
        for name in self.pb.inputs:
            parts.append(f"--var '{name}={variable_name(name)}:value'")
        return " ".join(parts)


def _variable(name: str, spec: InputSpec) -> dict[str, Any]:
    description = spec.description.strip() or f"The playbook input {name!r}."
    if spec.type == "duration" and not spec.description:
        description += " A duration: 30m, 12h, 7d, 2w."
    if spec.choices:
        description += " One of: " + ", ".join(spec.choices) + "."
    if spec.required:
        description += " Required."
    value: str | None
    if spec.default is None:
        value = None
    elif isinstance(spec.default, bool):
        value = "true" if spec.default else "false"
    else:
        value = str(spec.default)
    return {"type": _VARIABLE_TYPES[spec.type], "description": description, "value": value,
            "constant": False, "external": True}
