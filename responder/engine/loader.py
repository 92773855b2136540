"""Load a playbook file: YAML → validated `Playbook`, or one error naming file, line, step and key.

Playbooks are found by name among the ones shipped inside the package, or by path.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from responder.core.errors import PlaybookError
from responder.core.yaml_nodes import line_of, plain
from responder.engine.model import Playbook

if TYPE_CHECKING:
    from responder.activity.rules import Rule


@dataclass(frozen=True)
class LoadedPlaybook:
    playbook: Playbook
    path: Path
    sha256: str
    rules: tuple[Rule, ...] = ()  # the playbook's flagging rules, validated with it


def shipped_dir() -> Path:
    return Path(str(resources.files("responder.playbooks")))


def shipped() -> dict[str, Path]:
    return {p.stem: p for p in sorted(shipped_dir().glob("*.yaml"))}


def resolve(name_or_path: str) -> Path:
    """A shipped playbook by name, or a file path."""
    available = shipped()
    if name_or_path in available:
        return available[name_or_path]
    candidate = Path(name_or_path).expanduser()
    if candidate.suffix in (".yaml", ".yml") or "/" in name_or_path:
        if candidate.is_file():
            return candidate
        raise PlaybookError(f"no playbook file at {candidate}", hint="check the path")
    names = ", ".join(available) or "(none)"
    close = difflib.get_close_matches(name_or_path, list(available), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise PlaybookError(
        f"unknown playbook {name_or_path!r}",
        hint=f"{hint}available playbooks: {names} (or give a path to a .yaml file)",
    )


def load(name_or_path: str) -> LoadedPlaybook:
    path = resolve(name_or_path)
    raw = path.read_bytes()
    document = _parse_yaml(path, raw)
    _check_unique_ids(path, document)
    try:
        playbook = Playbook.model_validate(plain(document))
    except ValidationError as exc:
        raise _explain(path, document, exc) from None
    _check_actions(path, document, playbook)
    return LoadedPlaybook(playbook, path, hashlib.sha256(raw).hexdigest(),
                          _rules(path, document, playbook))


def _rules(path: Path, document: Any, playbook: Playbook) -> tuple[Rule, ...]:
    from responder.activity import rules

    if playbook.rules is None:
        return ()
    target = (path.parent / playbook.rules)
    if not target.is_file():
        line = line_of(document, ("rules",))
        raise PlaybookError(f"rules: no rules file at {target}",
                            where=f"{path}:{line[0]}:{line[1]}" if line else str(path),
                            hint="the path is relative to the playbook file")
    return rules.load(target)


def _parse_yaml(path: Path, raw: bytes) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError

    yaml = YAML(typ="rt")
    try:
        document = yaml.load(raw.decode("utf-8"))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise PlaybookError(f"not valid YAML: {exc.problem or exc.context}", where=where,
                            hint="check the indentation and quoting on that line") from None
    except UnicodeDecodeError:
        raise PlaybookError("not UTF-8 text", where=str(path)) from None
    if not isinstance(document, dict):
        raise PlaybookError("a playbook is a YAML mapping with format, id, title and steps",
                            where=f"{path}:1")
    return document


def _check_unique_ids(path: Path, document: Any) -> None:
    """Name the step that reuses an id, not the `steps:` list (the model only sees the list)."""
    steps = document.get("steps")
    if not isinstance(steps, list):
        return
    seen: set[str] = set()
    for index, step in enumerate(steps):
        step_id = step.get("id") if isinstance(step, dict) else None
        if not isinstance(step_id, str):
            continue
        if step_id in seen:
            line = line_of(document, ("steps", index, "id"))
            raise PlaybookError(f'step "{step_id}": id {step_id!r} is used twice',
                                where=f"{path}:{line[0]}:{line[1]}" if line else str(path),
                                hint="ids must be unique: rename one of the steps")
        seen.add(step_id)


def _step_name(document: Any, loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
        steps = document.get("steps")
        if isinstance(steps, list) and loc[1] < len(steps) and isinstance(steps[loc[1]], dict):
            return str(steps[loc[1]].get("id", f"#{loc[1] + 1}"))
    return None


_STEP_KEYS = ["id", "title", "uses", "manual", "with", "when", "on_error", "approve", "phase",
              "checklist"]
_TOP_KEYS = ["format", "id", "title", "description", "inputs", "steps"]
_INPUT_KEYS = ["type", "description", "required", "default"]


def _explain(path: Path, document: Any, exc: ValidationError) -> PlaybookError:
    error = exc.errors()[0]
    loc = tuple(p if not isinstance(p, str) or p != "with_" else "with" for p in error["loc"])
    position = line_of(document, loc)
    where = f"{path}:{position[0]}:{position[1]}" if position else str(path)
    step = _step_name(document, loc)
    prefix = f'step "{step}": ' if step else ""
    key = str(loc[-1]) if loc else ""
    if error["type"] == "extra_forbidden":
        allowed = _STEP_KEYS if step and len(loc) == 3 else (
            _INPUT_KEYS if loc and loc[0] == "inputs" else _TOP_KEYS)
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = (f"did you mean {close[0]!r}? " if close else "") + "allowed keys: " + ", ".join(
            allowed)
        return PlaybookError(f"{prefix}unknown key {key!r}", where=where, hint=hint)
    if error["type"] == "missing":
        return PlaybookError(f"{prefix}missing key {key!r}", where=where,
                             hint="see `responder playbooks schema` for the format")
    message = error["msg"].removeprefix("Value error, ")
    field = f"{key!r}: " if key and not isinstance(loc[-1], int) else ""
    return PlaybookError(f"{prefix}{field}{message}", where=where,
                         hint="see docs/playbooks.md or `responder playbooks schema`")


def _check_actions(path: Path, document: Any, playbook: Playbook) -> None:
    """`uses` names an action in the registry, and `with` holds only that action's inputs."""
    from responder.actions import registry

    known = registry.names()
    for index, step in enumerate(playbook.steps):
        if step.uses is None:
            continue
        if step.uses not in known:
            line = line_of(document, ("steps", index, "uses"))
            close = difflib.get_close_matches(step.uses, known, n=1)
            raise PlaybookError(
                f'step "{step.id}": unknown action {step.uses!r}',
                where=f"{path}:{line[0]}:{line[1]}" if line else str(path),
                hint=(f"did you mean {close[0]!r}? " if close else "")
                + "actions: " + ", ".join(known),
            )
        fields = registry.get(step.uses).Inputs.model_fields
        for key in step.with_:
            if key not in fields:
                line = line_of(document, ("steps", index, "with", key))
                allowed = ", ".join(fields) or "(none)"
                close = difflib.get_close_matches(key, list(fields), n=1)
                raise PlaybookError(
                    f'step "{step.id}": action {step.uses!r} has no input {key!r}',
                    where=f"{path}:{line[0]}:{line[1]}" if line else str(path),
                    hint=(f"did you mean {close[0]!r}? " if close else "")
                    + f"inputs of {step.uses}: {allowed}",
                )
        for name, info in fields.items():
            if info.is_required() and name not in step.with_:
                line = line_of(document, ("steps", index))
                raise PlaybookError(
                    f'step "{step.id}": action {step.uses!r} needs input {name!r}',
                    where=f"{path}:{line[0]}:{line[1]}" if line else str(path),
                    hint=f"add `{name}:` under `with:`",
                )
