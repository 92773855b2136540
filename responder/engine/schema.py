"""The JSON Schema of the playbook format, generated from the models and the action registry."""

from __future__ import annotations

from typing import Any

from responder.engine.model import Playbook


def playbook_schema() -> dict[str, Any]:
    from responder.actions import registry

    schema = Playbook.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://responder.dev/schemas/playbook-format-1.json"
    step = schema["$defs"]["Step"]
    actions = registry.all_actions()
    step["properties"]["uses"] = {
        "anyOf": [{"enum": sorted(actions)}, {"type": "null"}],
        "description": "The action to run.",
    }
    # Each action's inputs, so an editor can complete and check `with:` for the chosen action.
    step["allOf"] = [
        {
            "if": {"properties": {"uses": {"const": name}}, "required": ["uses"]},
            "then": {"properties": {"with": {
                "type": "object",
                "properties": {k: {"description": str(v.description or "")}
                               for k, v in cls.Inputs.model_fields.items()},
                "additionalProperties": False,
            }}},
        }
        for name, cls in sorted(actions.items())
    ]
    return schema
