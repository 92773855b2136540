"""Declarative flagging rules: which normalised events look like an attacker, and why.

A rules file (`format: 1`, `rules: [...]`) ships with each playbook; users add their own with
`--rules FILE`. A rule matches an event when every condition of its `match` holds. A condition
is a field (`kind`, `provider`, `account`, `target`, `in_window`, `detail.<key>`) and either a
value (equal), a list (one of), or one operator:

    {one_of: [...]}  {not: value}  {not_one_of: [...]}  {matches: regex}  {prefix: text}
    {contains: text}  {exists: true|false}  {at_least: number}

`matches`, `prefix` and `contains` test text case-insensitively; on a list field (e.g.
`detail.files`) they hold when any item does. Rules are tried in order and the first match
decides: user rules come first, so a user rule can raise or lower a severity or, with
`ignore: true`, mark known-good activity (the CI webhook host) as not worth flagging. A user rule
with the id of a shipped rule replaces it.

Files are validated once, before a run starts; a mistake names the file, the line and the rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from responder.activity.model import ActivityEvent
from responder.core.errors import BadInput
from responder.core.times import parse_time
from responder.core.yaml_nodes import line_of, plain

Severity = Literal["low", "medium", "high", "critical"]
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
FIELDS = ("provider", "kind", "account", "target", "summary", "in_window")
OPERATORS = ("one_of", "not", "not_one_of", "matches", "prefix", "contains", "exists",
             "at_least")
HINT = "see docs/rules.md for the rule format"


class Condition(BaseModel):
    """One field's test, normalised from the YAML shorthand."""

    model_config = ConfigDict(frozen=True)

    op: str
    value: Any = None
    pattern: re.Pattern[str] | None = None

    def holds(self, actual: Any) -> bool:
        op, value = self.op, self.value
        if op == "exists":
            return (actual is not None) == bool(value)
        if op in ("equals", "not"):
            equal = _equal(actual, value)
            return equal if op == "equals" else not equal
        if op in ("one_of", "not_one_of"):
            inside = any(_equal(actual, item) for item in value)
            return inside if op == "one_of" else not inside
        if op == "at_least":
            return isinstance(actual, int | float) and not isinstance(actual, bool) \
                and actual >= value
        texts = [str(item) for item in actual] if isinstance(actual, list | tuple) else \
            [] if actual is None else [str(actual)]
        if op == "matches":
            assert self.pattern is not None
            return any(self.pattern.search(text) for text in texts)
        needle = str(value).lower()
        if op == "prefix":
            return any(text.lower().startswith(needle) for text in texts)
        return any(needle in text.lower() for text in texts)  # contains


def _equal(actual: Any, expected: Any) -> bool:
    # YAML `true` must not equal the number 1, and "1" must not equal 1.
    return type(actual) is type(expected) and actual == expected if isinstance(
        expected, bool) or isinstance(actual, bool) else actual == expected


def _condition(key: str, raw: Any) -> Condition:
    if key not in FIELDS and not (key.startswith("detail.") and len(key) > len("detail.")):
        raise ValueError(f"unknown field {key!r}: use one of {', '.join(FIELDS)} or "
                         f"detail.<name>")
    if isinstance(raw, list):
        return Condition(op="one_of", value=tuple(raw))
    if not isinstance(raw, dict):
        return Condition(op="equals", value=raw)
    if len(raw) != 1:
        raise ValueError(f"{key}: an operator mapping has exactly one of {', '.join(OPERATORS)}")
    ((op, value),) = raw.items()
    if op not in OPERATORS:
        raise ValueError(f"{key}: unknown operator {op!r}; operators: {', '.join(OPERATORS)}")
    if op in ("one_of", "not_one_of"):
        if not isinstance(value, list):
            raise ValueError(f"{key}: {op} takes a list")
        return Condition(op=op, value=tuple(value))
    if op == "matches":
        try:
            return Condition(op=op, value=value, pattern=re.compile(str(value), re.IGNORECASE))
        except re.error as exc:
            raise ValueError(f"{key}: {value!r} is not a valid regular expression ({exc})") \
                from None
    if op == "exists" and not isinstance(value, bool):
        raise ValueError(f"{key}: exists takes true or false")
    if op == "at_least" and (not isinstance(value, int | float) or isinstance(value, bool)):
        raise ValueError(f"{key}: at_least takes a number")
    if op in ("prefix", "contains") and not isinstance(value, str):
        raise ValueError(f"{key}: {op} takes text")
    return Condition(op=op, value=value)


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,80}$")
    match: dict[str, Condition] = Field(min_length=1)
    severity: Severity | None = None
    reason: str = ""
    ignore: bool = False  # known-good: matching events are not flagged
    source: str = ""  # the file it came from (set by the loader)

    @field_validator("match", mode="before")
    @classmethod
    def _conditions(cls, raw: Any) -> Any:
        if not isinstance(raw, dict):
            return raw
        return {str(key): _condition(str(key), value) for key, value in raw.items()}

    @model_validator(mode="after")
    def _flag_or_ignore(self) -> Rule:
        if not self.ignore and (self.severity is None or not self.reason.strip()):
            raise ValueError("a rule needs a severity and a reason (or ignore: true)")
        return self

    def matches(self, event: ActivityEvent) -> bool:
        return all(condition.holds(event.field_value(key))
                   for key, condition in self.match.items())


class RuleFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal[1]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Flag:
    rule: str
    severity: str
    reason: str
    event: ActivityEvent


def load(path: Path) -> tuple[Rule, ...]:
    """One rules file, validated; mistakes raise BadInput naming the file, line and rule."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"rules file cannot be read: {exc}", where=str(path),
                       hint="check the path given to --rules") from None
    try:
        document = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise BadInput(f"rules file is not valid YAML: {exc.problem or exc.context}",
                       where=where, hint="check the indentation on that line (spaces, not "
                       "tabs)") from None
    except YAMLError as exc:
        raise BadInput(f"rules file is not valid YAML: {exc}", where=str(path)) from None
    try:
        parsed = RuleFile.model_validate(plain(document))
    except ValidationError as exc:
        # A misspelt key says the most about what to fix, so it is named first.
        first = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
        loc = tuple(first["loc"])
        where = _where(path, document, loc)
        rule = _rule_id(document, loc)
        message = str(first["msg"]).removeprefix("Value error, ")
        field = ".".join(str(part) for part in loc[2:]) if len(loc) > 2 else \
            ".".join(map(str, loc))
        raise BadInput(f"rules file: {f'rule {rule!r}: ' if rule else ''}{field}: {message}",
                       where=where, hint=HINT) from None
    ids = [rule.id for rule in parsed.rules]
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate:
        raise BadInput(f"rules file: rule id {duplicate!r} is used twice", where=str(path),
                       hint="ids must be unique within a file")
    return tuple(rule.model_copy(update={"source": str(path)}) for rule in parsed.rules)


def load_files(paths: list[Path]) -> list[tuple[Rule, ...]]:
    """The user's `--rules` files, each validated."""
    return [load(Path(path).expanduser()) for path in paths]


def combine(user: list[tuple[Rule, ...]], shipped: tuple[Rule, ...]) -> tuple[Rule, ...]:
    """User rules first (in the order given), then the shipped rules they do not replace."""
    mine = [rule for rules in user for rule in rules]
    replaced = {rule.id for rule in mine}
    return tuple(mine) + tuple(rule for rule in shipped if rule.id not in replaced)


def flag(events: list[ActivityEvent], rules: tuple[Rule, ...]) -> list[Flag]:
    """The first matching rule decides; the result is most severe first, then newest."""
    flags = []
    for event in events:
        for rule in rules:
            if rule.matches(event):
                if not rule.ignore:
                    assert rule.severity is not None
                    flags.append(Flag(rule.id, rule.severity, rule.reason, event))
                break
    return sorted(flags, key=lambda f: (SEVERITY_ORDER[f.severity], -timestamp(f.event.at)))


def timestamp(at: str) -> float:
    """Seconds since the epoch of an event time (0 when unknown), for ordering."""
    moment = parse_time(at)
    return moment.timestamp() if moment else 0.0


def _where(path: Path, document: Any, loc: tuple[Any, ...]) -> str:
    found = line_of(document, loc)
    return f"{path}:{found[0]}" if found else str(path)


def _rule_id(document: Any, loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        try:
            rule = document["rules"][loc[1]]
            return str(rule.get("id")) if isinstance(rule, dict) and rule.get("id") else None
        except (KeyError, IndexError, TypeError):
            return None
    return None
