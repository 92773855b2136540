"""The generated playbook JSON Schema: valid 2020-12, takes the shipped playbook, refuses typos."""

from __future__ import annotations

import copy

import pytest
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

from responder.actions import registry
from responder.engine import loader
from responder.engine.schema import playbook_schema


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = playbook_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.fixture
def shipped() -> dict:
    path = loader.shipped()["compromised-server"]
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def errors(validator: Draft202012Validator, document: dict) -> list[str]:
    return [error.message for error in validator.iter_errors(document)]


def test_schema_is_valid_draft_2020_12():
    schema = playbook_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(".json")


def test_schema_lists_every_registered_action():
    uses = playbook_schema()["$defs"]["Step"]["properties"]["uses"]
    enums = [alt["enum"] for alt in uses["anyOf"] if "enum" in alt]
    assert enums == [registry.names()]


def test_shipped_playbook_validates(validator, shipped):
    assert errors(validator, shipped) == []


def test_unknown_step_key_fails(validator, shipped):
    document = copy.deepcopy(shipped)
    document["steps"][1]["on_eror"] = "continue"
    found = errors(validator, document)
    assert found
    assert any("on_eror" in message for message in found)


def test_unknown_top_level_key_fails(validator, shipped):
    document = copy.deepcopy(shipped)
    document["descripton"] = "typo"
    assert any("descripton" in message for message in errors(validator, document))


def test_unknown_uses_fails(validator, shipped):
    document = copy.deepcopy(shipped)
    document["steps"][1]["uses"] = "clients.disabel"
    found = errors(validator, document)
    assert found
    assert any("clients.disabel" in message for message in found)


def test_unknown_with_key_for_the_chosen_action_fails(validator, shipped):
    document = copy.deepcopy(shipped)
    document["steps"][0]["with"]["sever"] = "github"
    assert any("sever" in message for message in errors(validator, document))


def test_a_with_key_of_another_action_fails(validator, shipped):
    document = copy.deepcopy(shipped)
    document["steps"][0]["with"]["credentials"] = []  # an input of tokens.*, not clients.inventory
    assert errors(validator, document)


def test_format_2_fails(validator, shipped):
    document = copy.deepcopy(shipped)
    document["format"] = 2
    assert errors(validator, document)


def test_bad_on_error_value_fails(validator, shipped):
    document = copy.deepcopy(shipped)
    document["steps"][1]["on_error"] = "ignore"
    assert errors(validator, document)
