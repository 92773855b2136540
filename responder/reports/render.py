"""Render a report template in Jinja's sandbox, from the user's directory first if given.

`--templates DIR` replaces any shipped template by a file of the same name in DIR
(`report.md.j2`, `maintainer-report.md.j2`). The sandbox stays: a template can format what it is
given, never reach outside it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from responder.core.errors import BadInput

TEMPLATES = ("report.md.j2", "maintainer-report.md.j2")


@lru_cache(maxsize=8)
def _environment(user_dir: str | None):
    from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    loaders = [FileSystemLoader(user_dir)] if user_dir else []
    return ImmutableSandboxedEnvironment(
        loader=ChoiceLoader([*loaders, PackageLoader("responder.reports", "templates")]),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, data: dict[str, Any], user_dir: Path | None = None) -> str:
    from jinja2 import TemplateError

    try:
        return _environment(str(user_dir) if user_dir else None).get_template(template).render(
            **data)
    except TemplateError as exc:
        where = f"{user_dir / template}" if user_dir and (user_dir / template).is_file() \
            else template
        line = getattr(exc, "lineno", None)
        raise BadInput(f"template {where}" + (f", line {line}" if line else "")
                       + f": {exc.message or type(exc).__name__}",
                       hint="fix the template (docs/reports.md lists the fields each one gets) "
                       "or run without --templates") from None


def check_user_templates(user_dir: Path) -> None:
    """Before a run starts: the directory exists and its templates compile (exit 2 if not)."""
    from jinja2 import TemplateSyntaxError

    if not user_dir.is_dir():
        raise BadInput(f"--templates {user_dir}: not a directory",
                       hint="give a directory holding report.md.j2 and/or "
                       "maintainer-report.md.j2")
    mine = [name for name in TEMPLATES if (user_dir / name).is_file()]
    if not mine:
        raise BadInput(f"--templates {user_dir}: holds neither " + " nor ".join(TEMPLATES),
                       hint="copy a shipped template from docs/reports.md and edit it")
    for name in mine:
        try:
            _environment(str(user_dir)).get_template(name)
        except TemplateSyntaxError as exc:
            raise BadInput(f"template {user_dir / name}, line {exc.lineno}: {exc.message}",
                           hint="fix the template, or run without --templates") from None
