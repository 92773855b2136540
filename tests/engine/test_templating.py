"""Sandboxed templates: native types for whole expressions, errors for undefined, no Python."""

from __future__ import annotations

from typing import Any

import pytest

from responder.core.errors import ExitCode, PlaybookError
from responder.engine.templating import condition, render

WHERE = "steps[1].with.files"


def scope() -> dict[str, Any]:
    return {
        "inputs": {"server": "github", "since": "7d", "count": 3},
        "run": {"dry_run": False},
        "steps": {
            "inventory": {
                "outputs": {
                    "files": [{"path": "/a/mcp.json", "client": "kiro"}],
                    "credentials": ["sha256:abc", "sha256:def"],
                    "count": 2,
                    "empty": [],
                },
            },
        },
    }


def render_error(value: Any, where: str = WHERE) -> PlaybookError:
    with pytest.raises(PlaybookError) as info:
        render(value, scope(), where)
    assert info.value.exit_code == ExitCode.BAD_INPUT
    assert info.value.where == where or info.value.where.startswith(where)
    return info.value


# ---------------------------------------------------------------------------------------------
# rendering


def test_whole_expression_keeps_a_list():
    files = render("{{ steps.inventory.outputs.files }}", scope(), WHERE)
    assert files == [{"path": "/a/mcp.json", "client": "kiro"}]
    assert isinstance(files, list)


def test_whole_expression_keeps_a_dict_and_an_int():
    assert render("{{ steps.inventory.outputs.files[0] }}", scope(), WHERE) == {
        "path": "/a/mcp.json", "client": "kiro"}
    count = render("{{ steps.inventory.outputs.count }}", scope(), WHERE)
    assert count == 2 and isinstance(count, int)
    assert render("{{ inputs.count + 1 }}", scope(), WHERE) == 4
    assert render("{{ run.dry_run }}", scope(), WHERE) is False


def test_whole_expression_tolerates_surrounding_whitespace():
    assert render("  {{ steps.inventory.outputs.credentials }}\n", scope(), WHERE) == [
        "sha256:abc", "sha256:def"]


def test_mixed_strings_render_to_str():
    text = render("server {{ inputs.server }} has {{ steps.inventory.outputs.count }} files",
                  scope(), WHERE)
    assert text == "server github has 2 files"
    assert render("{{ inputs.count }}{{ inputs.count }}", scope(), WHERE) == "33"


def test_nested_dicts_and_lists_are_rendered():
    value = {
        "server": "{{ inputs.server }}",
        "files": "{{ steps.inventory.outputs.files }}",
        "list": ["{{ inputs.count }}", "plain", {"deep": "since {{ inputs.since }}"}],
        "number": 5,
        "none": None,
    }
    assert render(value, scope(), WHERE) == {
        "server": "github",
        "files": [{"path": "/a/mcp.json", "client": "kiro"}],
        "list": [3, "plain", {"deep": "since 7d"}],
        "number": 5,
        "none": None,
    }


def test_strings_without_templates_are_returned_as_they_are():
    assert render("no braces here", {}, WHERE) == "no braces here"
    assert render(42, {}, WHERE) == 42


def test_default_filter_on_an_undefined_attribute():
    assert render("{{ steps.inventory.outputs.to_verify | default([]) }}", scope(), WHERE) == []
    assert render("{{ inputs.nothing | default('x') }}", scope(), WHERE) == "x"


# ---------------------------------------------------------------------------------------------
# errors


def test_undefined_name_in_a_mixed_string_raises_with_where():
    error = render_error("server {{ inputs.nope }}")
    assert "nope" in error.message
    assert error.where == WHERE
    assert "steps.<id>.outputs" in error.hint


def test_undefined_step_raises_with_where():
    error = render_error("{{ steps.revoke.outputs.to_verify }}")
    assert "revoke" in error.message


def test_undefined_top_level_name_under_an_attribute_raises():
    error = render_error("{{ stepz.inventory.outputs }}")
    assert "stepz" in error.message


def test_where_of_a_nested_value_names_its_key_and_index():
    with pytest.raises(PlaybookError) as info:
        render({"a": ["ok", "{{ nope.x }}"]}, scope(), "steps[2].with")
    assert info.value.where == "steps[2].with.a[1]"


@pytest.mark.parametrize("expression", ["{{ inputs.nope }}", "{{ nope }}",
                                        "{{ steps.inventory.outputs.missing }}"])
def test_undefined_in_a_whole_expression_raises(expression):
    render_error(expression)


@pytest.mark.parametrize("expression", ["{{ 1 / 0 }}", "x {{ 1 // 0 }}",
                                        "{{ range(10 ** 9) | list }}"])
def test_runtime_errors_in_a_template_are_playbook_errors(expression):
    render_error(expression)


def test_type_error_is_a_playbook_error():
    error = render_error("{{ inputs.count + 'x' }}")
    assert "template error" in error.message


def test_syntax_error_is_a_playbook_error():
    render_error("{{ inputs.server ")
    render_error("{{ inputs.server | }}")


# ---------------------------------------------------------------------------------------------
# the sandbox


@pytest.mark.parametrize(
    "expression",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os.system('touch pwned') }}",
        "{{ joiner.__init__.__globals__['os'].system('touch pwned') }}",
        "x {{ ''.__class__.__mro__ }}",
    ],
)
def test_sandbox_refuses_python_internals(expression, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    error = render_error(expression)
    assert "unsafe" in error.message or "undefined" in error.message
    assert not (tmp_path / "pwned").exists()


def test_sandbox_refuses_to_mutate_step_outputs():
    data = scope()
    with pytest.raises(PlaybookError):
        render("{{ steps.inventory.outputs.empty.append(1) }}", data, WHERE)
    assert data["steps"]["inventory"]["outputs"]["empty"] == []


def test_sandbox_refusal_in_a_condition():
    with pytest.raises(PlaybookError):
        condition("cycler.__init__.__globals__", scope(), "steps[3].when")


# ---------------------------------------------------------------------------------------------
# conditions


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("inputs.count > 2", True),
        ("{{ inputs.count > 2 }}", True),
        ("inputs.count > 5", False),
        ("{{ inputs.count > 5 }}", False),
        ("steps.inventory.outputs.credentials", True),
        ("{{ steps.inventory.outputs.empty }}", False),
        ("inputs.server == 'github' and not run.dry_run", True),
        ("  {{ run.dry_run }}  ", False),
    ],
)
def test_condition_with_and_without_braces(expression, expected):
    assert condition(expression, scope(), "steps[3].when") is expected


def test_condition_on_an_undefined_name_raises_with_where():
    for expression in ("inputs.nope", "{{ nope }}"):
        with pytest.raises(PlaybookError) as info:
            condition(expression, scope(), "steps[3].when")
        assert info.value.where == "steps[3].when"


def test_condition_syntax_error_raises():
    with pytest.raises(PlaybookError):
        condition("inputs.count >", scope(), "steps[3].when")
