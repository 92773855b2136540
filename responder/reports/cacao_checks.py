"""The checks a CACAO v2.0 playbook needs beyond its JSON Schemas, in plain Python.

The OASIS schemas cannot see the graph: a dangling step reference, a branch that runs into the
main flow instead of its own end, an unreachable step or a loop all validate. Nor do they apply
the per-command rules or the three-digit timestamps the specification asks for. `problems()`
checks all of that (docs/checklists.md lists each rule); responder runs it on every export before
writing, so a document it hands out is one a CACAO consumer can walk.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
IDENTIFIER = re.compile(rf"^[a-z][a-z0-9-]+[a-z0-9]--{_UUID}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
VARIABLE = re.compile(r"^__[a-zA-Z_][a-zA-Z0-9_-]{0,199}__$")
# A use inside a string: `__name__:value`. Lazy, so `__a__:value __b__:value` is two uses.
VARIABLE_USE = re.compile(r"(__[a-zA-Z_][a-zA-Z0-9_-]{0,199}?__):value")
EXTENSION_PROPERTY = re.compile(r"^[a-z0-9_]{3,250}$")

STEP_TYPES = ("start", "end", "action", "playbook-action", "parallel", "if-condition",
              "while-condition", "switch-condition")
NEXT = ("on_completion", "on_success", "on_failure")
# Commands that carry their text in `command` or `command_b64`, and those that need more.
_COMMAND_OR_B64 = ("manual", "bash", "powershell", "ssh", "caldera-cmd")
_B64_ONLY = ("elastic", "jupyter", "kestrel", "sigma", "yara")


def problems(document: Any) -> list[str]:
    """Every rule the document breaks, one sentence each naming the step or field; [] if none."""
    if not isinstance(document, dict):
        return ["a CACAO playbook is a JSON object"]
    workflow = document.get("workflow")
    if not isinstance(workflow, dict) or not workflow:
        return ["workflow: missing or empty"]
    found: list[str] = []
    found += _top_level(document)
    found += _identifiers(document, workflow)
    found += _references(document, workflow)
    found += _pointers(workflow)
    found += _commands(workflow)
    found += _graph(document, workflow)
    found += _variables(document, workflow)
    found += _extensions(document, workflow)
    found += _secrets(document)
    return found


# -- 1, 7: the playbook object and its timestamps --------------------------------------------

def _top_level(document: dict[str, Any]) -> list[str]:
    found = []
    for key in ("type", "spec_version", "id", "name", "created_by", "created", "modified",
                "workflow_start"):
        if key not in document:
            found.append(f"{key}: missing (required)")
    if document.get("type", "playbook") != "playbook":
        found.append("type: must be 'playbook'")
    if document.get("spec_version", "cacao-2.0") != "cacao-2.0":
        found.append("spec_version: must be 'cacao-2.0'")
    stamps = {}
    for key in ("created", "modified"):
        value = document.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not TIMESTAMP.match(value):
            found.append(f"{key}: {value!r} is not UTC with exactly three fraction digits "
                         "(YYYY-MM-DDTHH:MM:SS.mmmZ)")
        else:
            stamps[key] = value
    if len(stamps) == 2 and stamps["modified"] < stamps["created"]:
        found.append("modified: earlier than created")
    return found


def _identifiers(document: dict[str, Any], workflow: dict[str, Any]) -> list[str]:
    found = []
    for key in ("id", "created_by"):
        value = document.get(key)
        if isinstance(value, str) and not IDENTIFIER.match(value):
            found.append(f"{key}: {value!r} is not a CACAO identifier (type--uuid, version 1-5)")
    starts = []
    for step_id, step in workflow.items():
        if not isinstance(step, dict):
            found.append(f"step {step_id}: not an object")
            continue
        kind = step.get("type")
        if kind not in STEP_TYPES:
            found.append(f"step {step_id}: unknown type {kind!r}")
        elif not IDENTIFIER.match(step_id) or step_id.split("--")[0] != kind:
            found.append(f"step {step_id}: the key must be '{kind}--<uuid>' for a {kind} step")
        if kind == "start":
            starts.append(step_id)
    start = document.get("workflow_start")
    if start is not None and start not in workflow:
        found.append(f"workflow_start: {start} is not a step of the workflow")
    elif start is not None and workflow[start].get("type") != "start":
        found.append(f"workflow_start: {start} is not a start step")
    if len(starts) != 1:
        found.append(f"workflow: {len(starts)} start steps; exactly one is allowed")
    for section, allowed in (("agent_definitions", None), ("target_definitions", None),
                             ("authentication_info_definitions", None),
                             ("extension_definitions", "extension-definition"),
                             ("data_marking_definitions", None)):
        for key, value in (document.get(section) or {}).items():
            kind = value.get("type") if isinstance(value, dict) else None
            if not IDENTIFIER.match(key) or key.split("--")[0] != (allowed or kind):
                found.append(f"{section}: key {key} does not match its type {kind!r}")
    return found


# -- 2: every reference resolves -------------------------------------------------------------

def _successors(step: dict[str, Any], *, failure: bool = True) -> list[tuple[str, str]]:
    """(field, target) for every step this one can go to."""
    pairs = [(field, step[field]) for field in ("on_completion", "on_success", "on_true",
                                                "on_false") if isinstance(step.get(field), str)]
    if failure and isinstance(step.get("on_failure"), str):
        pairs.append(("on_failure", step["on_failure"]))
    pairs += [("next_steps", target) for target in step.get("next_steps") or []
              if isinstance(target, str)]
    cases = step.get("cases")
    if isinstance(cases, dict):
        pairs += [(f"cases.{key}", target) for key, target in cases.items()
                  if isinstance(target, str)]
    return pairs


def _references(document: dict[str, Any], workflow: dict[str, Any]) -> list[str]:
    found = []
    agents = document.get("agent_definitions") or {}
    targets = document.get("target_definitions") or {}
    auth = document.get("authentication_info_definitions") or {}
    extensions = document.get("extension_definitions") or {}
    markings = document.get("data_marking_definitions") or {}
    exception = document.get("workflow_exception")
    if exception is not None and exception not in workflow:
        found.append(f"workflow_exception: {exception} is not a step of the workflow")
    for step_id, step in _steps(workflow):
        for field, target in _successors(step):
            if target not in workflow:
                found.append(f"step {_name(step_id, step)}: {field} points to {target}, "
                             "which is not a step of the workflow")
        agent = step.get("agent")
        if agent is not None and agent not in agents:
            found.append(f"step {_name(step_id, step)}: agent {agent} is not in "
                         "agent_definitions")
        for target in step.get("targets") or []:
            if target not in targets:
                found.append(f"step {_name(step_id, step)}: target {target} is not in "
                             "target_definitions")
        for key in step.get("step_extensions") or {}:
            if key not in extensions:
                found.append(f"step {_name(step_id, step)}: step_extensions {key} is not in "
                             "extension_definitions")
    for key in document.get("playbook_extensions") or {}:
        if key not in extensions:
            found.append(f"playbook_extensions: {key} is not in extension_definitions")
    for key in document.get("markings") or []:
        if key not in markings:
            found.append(f"markings: {key} is not in data_marking_definitions")
    for section in ("agent_definitions", "target_definitions"):
        for key, value in (document.get(section) or {}).items():
            reference = value.get("authentication_info") if isinstance(value, dict) else None
            if reference is not None and reference not in auth:
                found.append(f"{section}: {key} authentication_info {reference} is not in "
                             "authentication_info_definitions")
    return found


# -- 3, 4: next pointers ----------------------------------------------------------------------

def _pointers(workflow: dict[str, Any]) -> list[str]:
    found = []
    for step_id, step in _steps(workflow):
        name = _name(step_id, step)
        kind = step.get("type")
        if "on_completion" in step and ("on_success" in step or "on_failure" in step):
            found.append(f"step {name}: on_completion together with on_success/on_failure")
        if kind == "end":
            pointers = [f for f, _ in _successors(step)]
            if pointers:
                found.append(f"step {name}: an end step has no next step ({pointers[0]})")
            continue
        if kind == "start" and ("on_success" in step or "on_failure" in step):
            found.append(f"step {name}: a start step continues with on_completion only")
        if "on_completion" not in step and "on_success" not in step:
            found.append(f"step {name}: no next step (on_completion or on_success)")
        if kind in ("if-condition", "while-condition") and "on_true" not in step:
            found.append(f"step {name}: {kind} without on_true")
        if kind == "parallel" and len(step.get("next_steps") or []) < 2:
            found.append(f"step {name}: parallel with fewer than two next_steps")
    return found


# -- 6: commands, as each command type requires -----------------------------------------------

def _commands(workflow: dict[str, Any]) -> list[str]:
    found = []
    for step_id, step in _steps(workflow):
        if step.get("type") != "action":
            continue
        name = _name(step_id, step)
        commands = step.get("commands")
        if not isinstance(commands, list) or not commands:
            found.append(f"step {name}: an action needs at least one command")
            commands = []
        if "agent" not in step:
            found.append(f"step {name}: an action needs an agent")
        for index, command in enumerate(commands):
            kind = command.get("type") if isinstance(command, dict) else None
            where = f"step {name}: command {index + 1} ({kind})"
            if not isinstance(kind, str):
                found.append(f"step {name}: command {index + 1} has no type")
            elif kind in _COMMAND_OR_B64:
                if not command.get("command") and not command.get("command_b64"):
                    found.append(f"{where}: needs command or command_b64")
            elif kind == "http-api" and not command.get("command"):
                found.append(f"{where}: needs command (the HTTP start line)")
            elif kind == "openc2-http" and not (command.get("command")
                                                and command.get("content_b64")):
                found.append(f"{where}: needs command and content_b64")
            elif kind in _B64_ONLY and not command.get("command_b64"):
                found.append(f"{where}: needs command_b64")
    return found


# -- 5: reachability, cycles, and every branch ending in its own end step ----------------------

def _graph(document: dict[str, Any], workflow: dict[str, Any]) -> list[str]:
    found = []
    exception = document.get("workflow_exception")
    roots = [r for r in (document.get("workflow_start"), exception) if r in workflow]
    reached = _reach(workflow, roots)
    for step_id, step in _steps(workflow):
        if step_id not in reached:
            found.append(f"step {_name(step_id, step)}: not reachable from workflow_start")
    found += _cycles(workflow)
    for step_id, step in _steps(workflow):
        roots_of = _branch_roots(step)
        if not roots_of:
            continue
        name = _name(step_id, step)
        after = _reach(workflow, [t for f, t in _successors(step)
                                  if f in NEXT and t in workflow]) - {exception}
        ends_by_branch: dict[str, set[str]] = {}
        for field, root in roots_of:
            if root not in workflow:
                continue  # reported as a dangling reference
            branch = _reach(workflow, [root]) - {exception}
            ends = {s for s in branch if workflow[s].get("type") == "end"}
            if not ends:
                found.append(f"step {name}: the {field} branch never reaches an end step")
            merged = sorted(branch & after)
            if merged:
                found.append(f"step {name}: the {field} branch runs into {merged[0]}, which "
                             "comes after the step; a branch must stop at its own end step")
            elif step_id in branch and step.get("type") != "while-condition":
                found.append(f"step {name}: the {field} branch leads back to the step")
            for other, other_ends in ends_by_branch.items():
                shared = sorted(ends & other_ends)
                if shared:
                    found.append(f"step {name}: the {field} and {other} branches share the "
                                 f"end step {shared[0]}; each branch needs its own")
            ends_by_branch[field] = ends
    return found


def _branch_roots(step: dict[str, Any]) -> list[tuple[str, str]]:
    kind = step.get("type")
    if kind in ("if-condition", "while-condition"):
        return [(f, step[f]) for f in ("on_true", "on_false") if isinstance(step.get(f), str)]
    if kind in ("parallel", "switch-condition"):
        return [(f, t) for f, t in _successors(step, failure=False) if f not in NEXT]
    return []


def _reach(workflow: dict[str, Any], roots: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = [r for r in roots if r in workflow]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        step = workflow[current]
        if isinstance(step, dict):
            todo += [t for _, t in _successors(step) if t in workflow and t not in seen]
    return seen


def _cycles(workflow: dict[str, Any]) -> list[str]:
    """Loops are allowed only through a while-condition step."""
    found = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    reported: set[frozenset[str]] = set()

    def targets(node: str) -> Iterator[str]:
        step = workflow[node]
        pairs = _successors(step) if isinstance(step, dict) else []
        return iter([t for _, t in pairs if t in workflow])

    for root in workflow:
        if root in state:
            continue
        state[root] = 1
        path = [root]
        stack = [targets(root)]
        while stack:
            target = next(stack[-1], None)
            if target is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(target) == 1:
                loop = path[path.index(target):]
                key = frozenset(loop)
                if key not in reported and not any(
                        workflow[s].get("type") == "while-condition" for s in loop):
                    reported.add(key)
                    found.append(f"step {_name(target, workflow[target])}: a loop "
                                 f"({' → '.join(loop + [target])}) without a while-condition")
            elif target not in state:
                state[target] = 1
                path.append(target)
                stack.append(targets(target))
    return found


# -- 8: variables ----------------------------------------------------------------------------

def _variables(document: dict[str, Any], workflow: dict[str, Any]) -> list[str]:
    found = []
    globals_ = document.get("playbook_variables") or {}
    found += _declared("playbook_variables", globals_)
    for step_id, step in _steps(workflow):
        name = _name(step_id, step)
        local = step.get("step_variables") or {}
        found += _declared(f"step {name}: step_variables", local)
        scope = set(globals_) | set(local)
        for used in sorted(set(_uses(step))):
            if used not in scope:
                found.append(f"step {name}: uses {used}:value, which is not declared")
        for field in ("in_args", "out_args"):
            for variable in step.get(field) or []:
                if variable not in scope:
                    found.append(f"step {name}: {field} names {variable}, which is not "
                                 "declared")
    for section in ("agent_definitions", "target_definitions"):
        for key, value in (document.get(section) or {}).items():
            for used in sorted(set(_uses(value)) - set(globals_)):
                found.append(f"{section}: {key} uses {used}:value, which is not a playbook "
                             "variable")
    return found


def _declared(where: str, variables: Any) -> list[str]:
    found = []
    if not isinstance(variables, dict):
        return [f"{where}: not an object"]
    for key, value in variables.items():
        if not VARIABLE.match(key):
            found.append(f"{where}: {key!r} is not a variable name (__name__)")
        if not isinstance(value, dict) or "type" not in value:
            found.append(f"{where}: {key} has no type")
        elif value.get("value") is not None and not isinstance(value.get("value"), str):
            found.append(f"{where}: {key} value must be a string or null")
    return found


def _uses(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield from VARIABLE_USE.findall(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("step_variables",):
                yield from _uses(item)
    elif isinstance(value, list):
        for item in value:
            yield from _uses(item)


def _extensions(document: dict[str, Any], workflow: dict[str, Any]) -> list[str]:
    found = []
    for step_id, step in _steps(workflow):
        for key, properties in (step.get("step_extensions") or {}).items():
            for prop in properties if isinstance(properties, dict) else ():
                if not EXTENSION_PROPERTY.match(prop):
                    found.append(f"step {_name(step_id, step)}: extension {key} property "
                                 f"{prop!r} is not 3+ characters of a-z, 0-9 and _")
    return found


# -- 9: no secret values ---------------------------------------------------------------------

def _secrets(document: dict[str, Any]) -> list[str]:
    from responder.credentials import classify

    text = json.dumps(document, ensure_ascii=False)
    kinds = sorted({str(getattr(kind, "name", kind)) for kind, _ in classify.find_in_text(text)})
    return [f"the document contains what looks like a credential ({kind}); "
            "an export never carries one" for kind in kinds]


def _steps(workflow: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for step_id, step in workflow.items():
        if isinstance(step, dict):
            yield step_id, step


def _name(step_id: str, step: dict[str, Any]) -> str:
    name = step.get("name")
    return f"{step_id} ({name})" if isinstance(name, str) and name else step_id
