"""Declarative flagging rules: which normalised events look like an attacker, and why."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from responder.activity.model import ActivityEvent, parse_time
from responder.core.errors import BadInput


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    match: dict[str, Any]
    severity: Literal["low", "medium", "high", "critical"]
    reason: str

    def matches(self, event: ActivityEvent) -> bool:
        for key, expected in self.match.items():
            actual = event.field_value(key)
            if isinstance(expected, list):
                if actual not in expected:
                    return False
            elif actual != expected:
                return False
        return True


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


SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def load(path: Path | None = None) -> tuple[Rule, ...]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    source = path or Path(str(resources.files("responder.activity") / "rules.yaml"))
    try:
        data = YAML(typ="safe").load(source.read_text(encoding="utf-8"))
        return RuleFile.model_validate(data).rules
    except ValidationError as exc:
        first = exc.errors()[0]
        raise BadInput(f"rule file: {'.'.join(map(str, first['loc']))}: {first['msg']}",
                       where=str(source), hint="see docs/playbooks.md, 'Flagging rules'") from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else str(source)
        raise BadInput(f"rule file is not valid YAML: {exc.problem}", where=where,
                       hint="check the indentation on that line (spaces, not tabs)") from None
    except (OSError, ValueError, YAMLError) as exc:
        raise BadInput(f"rule file cannot be read: {exc}", where=str(source)) from None


def flag(events: list[ActivityEvent], rules: tuple[Rule, ...]) -> list[Flag]:
    """The first matching rule flags an event; the result is most severe first, then newest."""
    flags = []
    for event in events:
        for rule in rules:
            if rule.matches(event):
                flags.append(Flag(rule.id, rule.severity, rule.reason, event))
                break
    return sorted(flags, key=lambda f: (SEVERITY_ORDER[f.severity], -_timestamp(f.event.at)))


def _timestamp(at: str) -> float:
    moment = parse_time(at)
    return moment.timestamp() if moment else 0.0
