"""GitHub's OpenAPI description (the subset and the PVR 422 delta in ../shared/reference/), for
checking what the simulator answers and what responder sends."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest


def _reference_dir() -> Path:
    local = Path(__file__).resolve().parents[2] / "shared"
    shared = local if local.is_dir() else Path(os.environ.get("RESPONDER_SHARED_DIR", str(local)))
    return shared / "reference" / "github-openapi"


SUBSET = _reference_dir() / "api.github.com-subset.json"
DELTA = _reference_dir() / "github-openapi-pvr-422-delta.json"
URN, DELTA_URN = "urn:github-subset", "urn:github-pvr-delta"


@cache
def registry() -> Any:
    if not SUBSET.is_file() or not DELTA.is_file():
        pytest.skip(f"GitHub OpenAPI files not found in {SUBSET.parent} (set RESPONDER_SHARED_DIR)")
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    def resource(path: Path) -> Any:
        return Resource.from_contents(json.loads(path.read_text()),
                                      default_specification=DRAFT4)

    return Registry().with_resources([(URN, resource(SUBSET)), (DELTA_URN, resource(DELTA))])


def pointer(*parts: str) -> str:
    return "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def validation_errors(ref: str, instance: Any) -> list[Any]:
    """The validator's errors for `instance` against the schema at `ref` (a URN + pointer)."""
    from openapi_schema_validator import OAS30Validator

    validator = OAS30Validator({"$ref": ref}, registry=registry(),
                               format_checker=OAS30Validator.FORMAT_CHECKER)
    return list(validator.iter_errors(instance))


REPORT_REQUEST = URN + pointer("components", "schemas", "private-vulnerability-report-create")


def report_body_errors(body: Any) -> list[str]:
    """Errors of a private vulnerability report body against GitHub's request schema."""
    return [f"{list(e.absolute_path)}: {e.message[:200]}"
            for e in validation_errors(REPORT_REQUEST, body)]
