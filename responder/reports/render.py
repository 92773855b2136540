"""Render a report template in Jinja's sandbox and write it, scrubbed, as a private file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from responder.core.fs import write_private
from responder.core.secrets import SecretRegistry


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import PackageLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(
        loader=PackageLoader("responder.reports", "templates"),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, data: dict[str, Any]) -> str:
    return _environment().get_template(template).render(**data)


def write(path: Path, template: str, data: dict[str, Any], secrets: SecretRegistry) -> Path:
    return write_private(path, secrets.scrub(render(template, data)))
