"""Sandboxed templates for step inputs and `when:` conditions.

A playbook is data, so a template must never reach Python: Jinja's SandboxedEnvironment refuses
attribute access to internals, and undefined names are errors instead of empty strings. A value
that is one whole `{{ expression }}` keeps its native type, so steps can hand lists and mappings
to later steps.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from responder.core.errors import PlaybookError

# Everything a template can raise at render time: a playbook error, never a crash. (Jinja's
# TemplateError covers undefined names and the sandbox's SecurityError.)
_ERRORS: tuple[type[Exception], ...] = (
    ArithmeticError, AttributeError, IndexError, KeyError, TypeError, ValueError,
)

_WHOLE_EXPRESSION = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\{\{|\}\}).)*)\}\}\s*$", re.DOTALL)


@lru_cache(maxsize=1)
def _environment():
    global _ERRORS
    from jinja2 import StrictUndefined, TemplateError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    _ERRORS = (*_ERRORS, TemplateError)
    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def _fail(where: str, exc: Exception) -> PlaybookError:
    return PlaybookError(
        f"template error: {exc}",
        where=where,
        hint="templates see `inputs.*`, `run.*` and `steps.<id>.outputs.*` of earlier steps",
    )


def render(value: Any, scope: dict[str, Any], where: str) -> Any:
    """Render every string inside `value` (recursing into lists and mappings)."""
    from jinja2 import Undefined

    if isinstance(value, dict):
        return {k: render(v, scope, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, scope, f"{where}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, str) or "{" not in value:
        return value
    env = _environment()
    try:
        whole = _WHOLE_EXPRESSION.match(value)
        if whole:
            result = env.compile_expression(whole.group("expr"), undefined_to_none=False)(**scope)
            if isinstance(result, Undefined):
                result._fail_with_undefined_error()
            return result
        return env.from_string(value).render(**scope)
    except _ERRORS as exc:
        raise _fail(where, exc) from None


def condition(expression: str, scope: dict[str, Any], where: str) -> bool:
    """A `when:` condition; `{{ }}` around it is optional."""
    from jinja2 import Undefined

    whole = _WHOLE_EXPRESSION.match(expression)
    source = whole.group("expr") if whole else expression
    try:
        result = _environment().compile_expression(source, undefined_to_none=False)(**scope)
        if isinstance(result, Undefined):
            result._fail_with_undefined_error()
        return bool(result)
    except _ERRORS as exc:
        raise _fail(where, exc) from None
