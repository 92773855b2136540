"""The CACAO v2.0 export: valid against the OASIS schemas (top level as Draft 2020-12, each command
against its own Draft-07 schema), clean under the semantic checks, deterministic; and the
semantic checker itself catches what the schemas cannot."""

from __future__ import annotations

import copy
import json
import os
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from responder.core.errors import BadInput
from responder.engine import loader
from responder.reports import cacao
from responder.reports.cacao_checks import problems

REPO = Path(__file__).resolve().parents[2]


def _schema_dir() -> Path:
    local = REPO.parent / "shared"
    shared = local if local.is_dir() else Path(os.environ.get("RESPONDER_SHARED_DIR", str(local)))
    return shared / "reference" / "cacao-v2-schemas"


@cache
def _schemas() -> tuple[Any, dict[str, dict[str, Any]]]:
    root = _schema_dir()
    if not (root / "playbook.json").is_file():
        pytest.skip(f"CACAO schemas not found in {root} (set RESPONDER_SHARED_DIR)")
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    documents = {p.relative_to(root).as_posix(): json.loads(p.read_text())
                 for p in sorted(root.rglob("*.json"))}
    registry = Registry().with_resources(
        (d["$id"], Resource.from_contents(d, default_specification=DRAFT7))
        for d in documents.values())
    return registry, documents


def schema_errors(document: dict[str, Any]) -> list[str]:
    """Mode B (anchors §3.9): playbook.json as Draft 2020-12, its references as declared
    (Draft-07), and each command against commands/<type>.json as Draft-07."""
    from jsonschema import Draft7Validator, Draft202012Validator

    registry, documents = _schemas()
    top = {**documents["playbook.json"],
           "$schema": "https://json-schema.org/draft/2020-12/schema"}
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in Draft202012Validator(top, registry=registry).iter_errors(document)]
    for step_id, step in document.get("workflow", {}).items():
        for index, command in enumerate(step.get("commands") or []):
            schema = documents.get(f"commands/{command.get('type')}.json")
            if schema is None:
                errors.append(f"{step_id}: command {index}: no schema for {command.get('type')}")
                continue
            errors += [f"{step_id}: command {index}: {e.message}"
                       for e in Draft7Validator(schema, registry=registry).iter_errors(command)]
    return errors


def export(name_or_path: str, **kwargs: Any) -> dict[str, Any]:
    loaded = loader.load(name_or_path)
    return cacao.export(loaded.playbook, path=loaded.path, sha256=loaded.sha256, **kwargs)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return export("compromised-server")


def by_step(document: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """responder step id → (CACAO action id, action)."""
    found = {}
    for step_id, step in document["workflow"].items():
        for semantics in (step.get("step_extensions") or {}).values():
            found[semantics["responder_step"]] = (step_id, step)
    return found


# -- every shipped playbook ------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(loader.shipped()))
def test_every_shipped_playbook_exports_valid_cacao(name):
    document = export(name)
    assert schema_errors(document) == []
    assert problems(document) == []
    steps = loader.load(name).playbook.steps
    assert len(by_step(document)) == len(steps)


def test_the_validator_is_not_blind(document):
    """The schema check above rejects what mode B is known to reject."""
    for mutate in (lambda d: d.update(bogus=1),
                   lambda d: d["playbook_variables"]["__server__"].update(value=True),
                   lambda d: d.update(created="2026-01-01T00:00:00+00:00"),
                   lambda d: d["playbook_variables"].update(server={"type": "string"})):
        broken = copy.deepcopy(document)
        mutate(broken)
        assert schema_errors(broken), mutate


# -- the mapping -----------------------------------------------------------------------------

def test_shape_of_the_compromised_server_export(document):
    playbook = loader.load("compromised-server").playbook
    assert document["id"] == "playbook--8aa77b86-5dba-5b2f-a9b1-530954c40de0"  # pinned forever
    assert document["name"] == playbook.title
    assert document["created"] == document["modified"] == "1970-01-01T00:00:00.000Z"
    workflow = document["workflow"]
    start = workflow[document["workflow_start"]]
    assert start["type"] == "start"
    steps = by_step(document)
    assert start["on_completion"] == steps["inventory"][0]
    assert [s for s in steps] == [s.id for s in playbook.steps]
    # inventory stops the run on failure; contain goes on.
    inventory = steps["inventory"][1]
    assert inventory["on_success"] == steps["contain"][0]
    assert inventory["on_failure"] == document["workflow_exception"]
    assert workflow[document["workflow_exception"]]["type"] == "end"
    contain = steps["contain"][1]
    assert contain["on_completion"] == steps["stop"][0]
    assert "on_success" not in contain and "on_failure" not in contain


def test_automated_steps_are_the_responder_run_command(document):
    revoke = by_step(document)["revoke"][1]
    agent = document["agent_definitions"][revoke["agent"]]
    assert agent == {**agent, "type": "security-category", "name": "responder CLI",
                     "category": ["orchestrator"]}
    [command] = revoke["commands"]
    assert command["type"] == "bash"
    assert command["command"].startswith("responder run compromised-server ")
    assert "--var 'server=__server__:value'" in command["command"]
    assert "'revoke'" in command["description"] and "tokens.revoke" in command["description"]
    [semantics] = revoke["step_extensions"].values()
    assert semantics == {"responder_step": "revoke", "action": "tokens.revoke",
                         "effect": "irreversible", "approval_required": True,
                         "reversible": False, "on_error": "continue", "phase": "revoke"}
    contain = next(iter(by_step(document)["contain"][1]["step_extensions"].values()))
    assert contain["effect"] == "write" and contain["reversible"] is True
    assert contain["approval_required"] is False and "runs restore" in contain["undo"]
    [extension_id] = document["extension_definitions"]
    assert set(revoke["step_extensions"]) == {extension_id}


def test_manual_steps_are_manual_commands_for_a_person(document):
    playbook = loader.load("compromised-server").playbook
    reissue = by_step(document)["reissue"][1]
    assert reissue["commands"] == [{"type": "manual",
                                    "command": playbook.step("reissue").manual.strip()}]
    assert document["agent_definitions"][reissue["agent"]]["type"] == "individual"
    assert next(iter(reissue["step_extensions"].values()))["effect"] == "manual"


def test_a_when_step_is_an_if_condition_with_its_own_end(document):
    workflow = document["workflow"]
    steps = by_step(document)
    submit_id, submit = steps["submit"]
    [(if_id, condition)] = [(k, s) for k, s in workflow.items() if s["type"] == "if-condition"]
    assert condition["on_true"] == submit_id
    assert condition["condition"] == "__submit__:value = 'true'"
    assert steps["report"][1]["on_completion"] == if_id
    assert condition["on_completion"] == steps["reissue"][0]
    branch_end = submit["on_completion"]
    assert workflow[branch_end]["type"] == "end"
    assert branch_end not in (document["workflow_exception"],
                              steps["provider-log"][1]["on_success"])


def test_inputs_are_external_string_valued_variables(document):
    variables = document["playbook_variables"]
    assert list(variables) == ["__server__", "__match__", "__since__", "__submit__"]
    assert all(v["external"] is True for v in variables.values())
    assert variables["__server__"]["value"] is None  # required: the caller supplies it
    assert variables["__since__"] == {**variables["__since__"], "type": "string", "value": "7d"}
    assert variables["__submit__"] == {**variables["__submit__"], "type": "bool",
                                       "value": "false"}


def test_two_exports_are_byte_identical():
    first = json.dumps(export("compromised-server"), indent=2)
    second = json.dumps(export("compromised-server"), indent=2)
    assert first == second


def test_identifiers_depend_only_on_the_playbook_and_step_ids(tmp_path):
    source = (loader.shipped()["compromised-server"]).read_text()
    edited = tmp_path / "edited.yaml"
    edited.write_text(source.replace("title: Revoke every token the server held",
                                     "title: Revoke them all")
                      .replace("rules: rules/compromised-server.yaml", ""))
    before, after = export("compromised-server"), export(str(edited))
    assert before["id"] == after["id"]
    assert list(before["workflow"]) == list(after["workflow"])
    assert by_step(after)["revoke"][1]["name"] == "Revoke them all"
    # A playbook file outside the package is run by its file name, not a machine path.
    command = by_step(after)["revoke"][1]["commands"][0]["command"]
    assert command.startswith("responder run edited.yaml ") and str(tmp_path) not in command


# -- timestamps ------------------------------------------------------------------------------

def test_timestamp_format_is_utc_with_three_digits():
    moment = datetime(2026, 3, 1, 13, 5, 9, 123987, tzinfo=UTC)
    assert cacao.timestamp(moment) == "2026-03-01T13:05:09.123Z"
    document = export("compromised-server", moment=moment)
    assert document["created"] == document["modified"] == "2026-03-01T13:05:09.123Z"
    assert schema_errors(document) == [] and problems(document) == []


def test_export_time_sources(monkeypatch):
    env: dict[str, str] = {}
    assert cacao.export_time(None, env) == cacao.DEFAULT_TIME
    env["SOURCE_DATE_EPOCH"] = "1767225600"
    assert cacao.export_time(None, env) == datetime(2026, 1, 1, tzinfo=UTC)
    assert cacao.export_time("2026-02-01T10:00:00+02:00", env) == datetime(2026, 2, 1, 8,
                                                                           tzinfo=UTC)
    now = datetime(2026, 5, 5, 5, 5, 5, tzinfo=UTC)
    assert cacao.export_time("now", env, now=now) == now
    for bad in ("2026-02-01T10:00:00", "yesterday", ""):
        with pytest.raises(BadInput) as caught:
            cacao.export_time(bad, env)
        assert caught.value.hint and "now" in caught.value.hint
    with pytest.raises(BadInput):
        cacao.export_time(None, {"SOURCE_DATE_EPOCH": "soon"})


# -- a playbook with conditions and on_error: stop --------------------------------------------

BRANCHING = """\
format: 1
id: branching
title: Branching rehearsal
inputs:
  server: {type: string, required: true, description: The server.}
  notify: {type: boolean, default: false}
  team: {type: string, default: ""}
  tries: {type: integer, default: 3}
steps:
  - id: first
    title: Maybe tell the owners first
    when: "{{ not inputs.notify }}"
    manual: Tell the {{ inputs.server }} owners.
  - id: inventory
    title: Inventory
    uses: clients.inventory
    with: {server: "{{ inputs.server }}"}
  - id: gated
    title: Inventory again when the first found something
    uses: clients.inventory
    when: "{{ steps.inventory.outputs.targets }}"
    with: {server: "{{ inputs.server }}"}
  - id: named
    title: Only for github
    manual: Ask GitHub.
    when: "{{ inputs.server == 'github' }}"
  - id: team
    title: Page the team
    manual: Page the team.
    when: "{{ inputs.team }}"
    on_error: continue
  - id: retry
    title: Retry
    manual: Try again.
    when: "{{ inputs.tries }}"
  - id: last
    title: Notify
    manual: Done.
    when: "{{ inputs.notify }}"
"""


@pytest.fixture
def branching(tmp_path) -> dict[str, Any]:
    path = tmp_path / "branching.yaml"
    path.write_text(BRANCHING)
    return export(str(path))


def test_conditions_and_stops_export_validly(branching):
    assert schema_errors(branching) == []
    assert problems(branching) == []
    workflow = branching["workflow"]
    conditions = [s for s in workflow.values() if s["type"] == "if-condition"]
    assert len(conditions) == 6
    assert branching["playbook_processing_summary"]["if_logic"] is True
    assert branching["playbook_processing_summary"]["manual_playbook"] is False


def test_each_condition_branch_ends_alone_and_the_flow_goes_on(branching):
    workflow = branching["workflow"]
    steps = by_step(branching)
    action_step = {action_id: name for name, (action_id, _) in steps.items()}
    entries = {action_step[s["on_true"]]: s for s in workflow.values()
               if s["type"] == "if-condition"}
    assert set(entries) == {"first", "gated", "named", "team", "retry", "last"}
    gated_id, gated = steps["gated"]
    assert entries["gated"]["on_true"] == gated_id
    assert gated["on_failure"] == branching["workflow_exception"]  # on_error: stop
    assert workflow[gated["on_success"]]["type"] == "end"
    assert entries["gated"]["on_completion"] == next(
        key for key, step in workflow.items() if step is entries["named"])
    ends = [steps[s][1].get("on_success") or steps[s][1].get("on_completion") for s in entries]
    assert all(workflow[end]["type"] == "end" for end in ends)
    assert len(set(ends)) == len(ends)  # one end per branch
    assert workflow[entries["last"]["on_completion"]]["type"] == "end"
    assert entries["last"]["on_completion"] not in ends
    assert workflow[workflow[branching["workflow_start"]]["on_completion"]] is entries["first"]


def test_conditions_read_inputs_or_a_declared_variable(branching):
    workflow = branching["workflow"]
    conditions = {workflow[s["on_true"]]["name"]: s["condition"]
                  for s in workflow.values() if s["type"] == "if-condition"}
    assert conditions["Maybe tell the owners first"] == "__notify__:value = 'false'"
    assert conditions["Only for github"] == "__server__:value = 'github'"
    assert conditions["Page the team"] == "__team__:value != ''"
    assert conditions["Notify"] == "__notify__:value = 'true'"
    # Step outputs and integer truth are responder's to evaluate: a declared variable.
    assert conditions["Inventory again when the first found something"] \
        == "__when_gated__:value = 'true'"
    assert conditions["Retry"] == "__when_retry__:value = 'true'"
    declared = branching["playbook_variables"]["__when_gated__"]
    assert declared["external"] is False and declared["value"] is None
    assert branching["playbook_variables"]["__tries__"] == {
        **branching["playbook_variables"]["__tries__"], "type": "integer", "value": "3"}
    first = by_step(branching)["first"][1]
    assert first["commands"][0]["command"] == "Tell the __server__:value owners."


def test_a_manual_only_playbook_needs_no_orchestrator(tmp_path):
    path = tmp_path / "people.yaml"
    path.write_text("format: 1\nid: people\ntitle: People only\nsteps:\n"
                    "  - id: call\n    title: Call\n    manual: Call them.\n"
                    "    on_error: continue\n")
    document = export(str(path))
    assert schema_errors(document) == [] and problems(document) == []
    assert [a["type"] for a in document["agent_definitions"].values()] == ["individual"]
    assert document["playbook_processing_summary"]["manual_playbook"] is True
    assert "workflow_exception" not in document  # nothing stops the run
    assert "playbook_variables" not in document


# -- the semantic checker catches what the schemas cannot -------------------------------------

def mutated(document: dict[str, Any], change) -> dict[str, Any]:
    copy_ = copy.deepcopy(document)
    change(copy_)
    return copy_


def test_a_dangling_reference_is_caught(document):
    ghost = cacao.identifier("action", "nowhere")
    broken = mutated(document, lambda d: by_step(d)["contain"][1].update(on_completion=ghost))
    assert schema_errors(broken) == []  # the schemas cannot see it
    found = problems(broken)
    assert any("on_completion points to " + ghost in p for p in found), found


def test_a_dangling_agent_and_extension_are_caught(document):
    def change(d):
        by_step(d)["reissue"][1]["agent"] = cacao.identifier("individual", "ghost")
        d["extension_definitions"].clear()
    found = problems(mutated(document, change))
    assert any("agent individual--" in p and "agent_definitions" in p for p in found)
    assert any("step_extensions" in p and "extension_definitions" in p for p in found)


def test_a_branch_without_its_own_end_is_caught(document):
    def change(d):
        steps = by_step(d)
        # The submit branch joins the main flow instead of ending.
        steps["submit"][1]["on_completion"] = steps["reissue"][0]
    broken = mutated(document, change)
    found = problems(broken)
    assert any("on_true branch runs into" in p and "its own end" in p for p in found), found


def test_a_branch_ending_in_the_main_end_is_caught(document):
    def change(d):
        steps = by_step(d)
        main_end = steps["provider-log"][1]["on_success"]
        own_end = steps["submit"][1]["on_completion"]
        steps["submit"][1]["on_completion"] = main_end
        del d["workflow"][own_end]
    found = problems(mutated(document, change))
    assert any("on_true branch runs into" in p for p in found), found


def test_two_branches_sharing_an_end_are_caught(document):
    def change(d):
        steps = by_step(d)
        [condition] = [s for s in d["workflow"].values() if s["type"] == "if-condition"]
        extra = cacao.identifier("action", "else-branch")
        d["workflow"][extra] = {**copy.deepcopy(steps["submit"][1]), "name": "else"}
        condition["on_false"] = extra
    found = problems(mutated(document, change))
    assert any("share the end step" in p for p in found), found


def test_an_unreachable_step_is_caught(document):
    orphan = cacao.identifier("action", "orphan")

    def change(d):
        d["workflow"][orphan] = {**copy.deepcopy(by_step(d)["reissue"][1]), "name": "Orphan"}
    broken = mutated(document, change)
    found = problems(broken)
    assert [p for p in found if "not reachable" in p] == [
        f"step {orphan} (Orphan): not reachable from workflow_start"]


@pytest.mark.parametrize("stamp", ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00.1234Z",
                                   "2026-01-01T00:00:00.000+00:00", "2026-01-01 00:00:00.000Z"])
def test_a_bad_timestamp_is_caught(document, stamp):
    found = problems(mutated(document, lambda d: d.update(created=stamp)))
    assert any(p.startswith("created:") and "three fraction digits" in p for p in found), found


def test_modified_before_created_is_caught(document):
    found = problems(mutated(document, lambda d: d.update(created="2026-01-02T00:00:00.000Z",
                                                          modified="2026-01-01T00:00:00.000Z")))
    assert "modified: earlier than created" in found


def test_on_completion_with_on_success_is_caught(document):
    def change(d):
        inventory = by_step(d)["inventory"][1]
        inventory["on_completion"] = inventory["on_success"]
    broken = mutated(document, change)
    assert schema_errors(broken) == []  # a known gap of the schemas (anchors §3.9)
    found = problems(broken)
    assert any("on_completion together with on_success" in p for p in found), found


def test_a_step_without_a_next_pointer_is_caught(document):
    def change(d):
        contain = by_step(d)["contain"][1]
        del contain["on_completion"]
    found = problems(mutated(document, change))
    assert any("no next step" in p for p in found)
    assert any("not reachable" in p for p in found)  # the steps after it


def test_a_loop_is_caught(document):
    def change(d):
        steps = by_step(d)
        steps["contain"][1]["on_completion"] = steps["inventory"][0]
    found = problems(mutated(document, change))
    assert any("a loop" in p and "without a while-condition" in p for p in found), found


def test_start_problems_are_caught(document):
    found = problems(mutated(document, lambda d: d.update(
        workflow_start=cacao.identifier("start", "elsewhere"))))
    assert any(p.startswith("workflow_start:") for p in found)

    def second_start(d):
        d["workflow"][cacao.identifier("start", "second")] = {
            "type": "start", "on_completion": d["workflow"][d["workflow_start"]]["on_completion"]}
    assert any("2 start steps" in p for p in problems(mutated(document, second_start)))


def test_an_undeclared_variable_is_caught(document):
    def change(d):
        by_step(d)["revoke"][1]["commands"][0]["command"] += " --var 'x=__nowhere__:value'"
    found = problems(mutated(document, change))
    assert any("uses __nowhere__:value, which is not declared" in p for p in found), found


def test_a_manual_command_without_text_is_caught(document):
    found = problems(mutated(document, lambda d: by_step(d)["reissue"][1]["commands"][0]
                             .pop("command")))
    assert any("needs command or command_b64" in p for p in found)


def test_a_secret_value_is_caught_and_not_repeated(document):
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    found = problems(mutated(document, lambda d: d.update(description=f"token {token}")))
    assert any("looks like a credential" in p for p in found), found
    assert all(token not in p for p in found)


def test_a_wrong_key_prefix_is_caught(document):
    def change(d):
        key, step = by_step(d)["reissue"]
        d["workflow"][key.replace("action--", "end--")] = d["workflow"].pop(key)
    found = problems(mutated(document, change))
    assert any("must be 'action--<uuid>'" in p for p in found)


def test_an_input_name_cacao_cannot_carry_is_bad_input(tmp_path):
    path = tmp_path / "odd.yaml"
    path.write_text("format: 1\nid: odd\ntitle: Odd\ninputs:\n  \"x'; rm -rf ~; '\": {}\n"
                    "steps:\n  - id: a\n    title: A\n    manual: Do it.\n")
    with pytest.raises(BadInput) as caught:
        export(str(path))
    assert "cannot be a CACAO variable name" in caught.value.message


def test_a_playbook_file_name_is_quoted_in_the_command(tmp_path):
    path = tmp_path / "my playbook.yaml"
    path.write_text("format: 1\nid: spaced\ntitle: Spaced\ninputs:\n  server: {}\nsteps:\n"
                    "  - id: a\n    title: A\n    uses: clients.inventory\n"
                    "    with: {server: \"{{ inputs.server }}\"}\n")
    document = export(str(path))
    command = by_step(document)["a"][1]["commands"][0]["command"]
    assert command == "responder run 'my playbook.yaml' --var 'server=__server__:value'"
    assert schema_errors(document) == [] and problems(document) == []
