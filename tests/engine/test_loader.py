"""Loading playbooks: the shipped one, and every kind of mistake named by file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from responder.core.errors import ExitCode, PlaybookError
from responder.engine import loader
from responder.engine.model import Playbook

SHIPPED_ORDER = ["inventory", "contain", "stop", "snapshot", "revoke", "verify", "recheck",
                 "review", "maintainer", "report", "submit", "reissue", "client-logs",
                 "provider-log"]

GOOD = """\
format: 1
id: tiny
title: Tiny playbook
inputs:
  server:
    type: string
    required: true
steps:
  - id: draft
    title: Draft the report
    uses: report.draft
    with:
      server: "{{ inputs.server }}"
  - id: by-hand
    title: Do it by hand
    manual: Call the maintainer.
"""


def write(tmp_path: Path, text: str, name: str = "playbook.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the n-th line containing `needle`."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def load_error(path: Path) -> PlaybookError:
    with pytest.raises(PlaybookError) as info:
        loader.load(str(path))
    error = info.value
    assert error.exit_code == ExitCode.BAD_INPUT
    return error


def where_parts(error: PlaybookError) -> tuple[str, int, int]:
    file, line, col = error.where.rsplit(":", 2)
    return file, int(line), int(col)


# ---------------------------------------------------------------------------------------------
# what loads


def test_shipped_playbook_loads_with_the_expected_steps_in_order():
    loaded = loader.load("compromised-server")
    assert isinstance(loaded.playbook, Playbook)
    assert [step.id for step in loaded.playbook.steps] == SHIPPED_ORDER
    assert loaded.playbook.id == "compromised-server"
    assert loaded.path.name == "compromised-server.yaml"
    assert len(loaded.sha256) == 64
    assert loaded.playbook.inputs["server"].required is True
    assert loaded.playbook.inputs["since"].default == "7d"


def test_shipped_playbook_steps_use_or_are_manual():
    playbook = loader.load("compromised-server").playbook
    assert playbook.step("revoke").uses == "tokens.revoke"
    assert playbook.step("contain").on_error == "continue"
    manual = [s.id for s in playbook.steps if s.is_manual]
    assert manual == ["reissue", "client-logs", "provider-log"]


def test_shipped_lists_the_default_playbook():
    assert "compromised-server" in loader.shipped()


def test_a_good_playbook_loads_from_a_path(tmp_path):
    path = write(tmp_path, GOOD)
    loaded = loader.load(str(path))
    assert [s.id for s in loaded.playbook.steps] == ["draft", "by-hand"]
    assert loaded.path == path
    assert loaded.playbook.step("draft").with_ == {"server": "{{ inputs.server }}"}


def test_resolve_finds_a_playbook_by_path(tmp_path):
    path = write(tmp_path, GOOD, "mine.yml")
    assert loader.resolve(str(path)) == path


def test_resolve_finds_a_relative_path_from_the_current_directory(tmp_path, monkeypatch):
    write(tmp_path, GOOD, "local.yaml")
    monkeypatch.chdir(tmp_path)
    assert loader.resolve("local.yaml").resolve() == (tmp_path / "local.yaml").resolve()


def test_resolve_finds_a_shipped_playbook_by_name():
    assert loader.resolve("compromised-server") == loader.shipped()["compromised-server"]


# ---------------------------------------------------------------------------------------------
# what does not


def test_unknown_step_key_names_line_step_key_and_suggests_the_fix(tmp_path):
    text = GOOD.replace("    manual: Call the maintainer.\n",
                        "    manual: Call the maintainer.\n    on_eror: continue\n")
    path = write(tmp_path, text)
    error = load_error(path)
    file, line, col = where_parts(error)
    assert file == str(path)
    assert line == line_of(text, "on_eror")
    assert col == 5
    assert 'step "by-hand"' in error.message
    assert "'on_eror'" in error.message
    assert "did you mean 'on_error'" in error.hint


def test_unknown_top_level_key(tmp_path):
    text = GOOD.replace("title: Tiny playbook\n", "title: Tiny playbook\ndescripton: typo\n")
    path = write(tmp_path, text)
    error = load_error(path)
    file, line, col = where_parts(error)
    assert (file, line, col) == (str(path), line_of(text, "descripton"), 1)
    assert "'descripton'" in error.message
    assert "did you mean 'description'" in error.hint
    assert "steps" in error.hint  # the allowed keys are listed


def test_unknown_input_key(tmp_path):
    text = GOOD.replace("    type: string\n", "    tpye: string\n")
    path = write(tmp_path, text)
    error = load_error(path)
    assert where_parts(error)[1] == line_of(text, "tpye")
    assert "'tpye'" in error.message
    assert "did you mean 'type'" in error.hint


def test_unknown_action_name_suggests_the_close_one(tmp_path):
    text = GOOD.replace("uses: report.draft", "uses: clients.disabel")
    path = write(tmp_path, text)
    error = load_error(path)
    file, line, col = where_parts(error)
    assert (file, line) == (str(path), line_of(text, "clients.disabel"))
    assert col == 5
    assert 'step "draft"' in error.message
    assert "'clients.disabel'" in error.message
    assert "did you mean 'clients.disable'" in error.hint


def test_unknown_with_key_for_an_action(tmp_path):
    text = GOOD.replace('      server: "{{ inputs.server }}"\n',
                        '      server: "{{ inputs.server }}"\n      sever: x\n')
    path = write(tmp_path, text)
    error = load_error(path)
    file, line, col = where_parts(error)
    assert (file, line, col) == (str(path), line_of(text, "sever: x"), 7)
    assert 'step "draft"' in error.message
    assert "'sever'" in error.message
    assert "report.draft" in error.message
    assert "did you mean 'server'" in error.hint


def test_missing_required_action_input(tmp_path):
    text = GOOD.replace('    with:\n      server: "{{ inputs.server }}"\n', "")
    path = write(tmp_path, text)
    error = load_error(path)
    file, line, _ = where_parts(error)
    assert (file, line) == (str(path), line_of(text, "- id: draft"))
    assert 'step "draft"' in error.message
    assert "'server'" in error.message
    assert "server:" in error.hint and "with:" in error.hint


def test_missing_step_title(tmp_path):
    text = GOOD.replace("    title: Do it by hand\n", "")
    path = write(tmp_path, text)
    error = load_error(path)
    assert where_parts(error)[1] == line_of(text, "- id: by-hand")
    assert 'step "by-hand"' in error.message
    assert "'title'" in error.message


def test_step_with_both_uses_and_manual(tmp_path):
    text = GOOD.replace("    manual: Call the maintainer.\n",
                        "    manual: Call the maintainer.\n    uses: report.draft\n")
    path = write(tmp_path, text)
    error = load_error(path)
    file, line, _ = where_parts(error)
    assert (file, line) == (str(path), line_of(text, "- id: by-hand"))
    assert 'step "by-hand"' in error.message
    assert "`uses`" in error.message and "`manual`" in error.message


def test_step_with_neither_uses_nor_manual(tmp_path):
    text = GOOD.replace("    manual: Call the maintainer.\n", "")
    error = load_error(write(tmp_path, text))
    assert 'step "by-hand"' in error.message
    assert "exactly one of" in error.message


def test_duplicate_step_ids_are_an_error_naming_the_id(tmp_path):
    text = GOOD.replace("- id: by-hand", "- id: draft")
    path = write(tmp_path, text)
    error = load_error(path)
    assert error.where.startswith(f"{path}:")
    assert "'draft'" in error.message
    assert "twice" in error.message


def test_duplicate_step_id_error_points_at_the_duplicate(tmp_path):
    text = GOOD.replace("- id: by-hand", "- id: draft")
    path = write(tmp_path, text)
    error = load_error(path)
    assert where_parts(error)[1] == line_of(text, "- id: draft", occurrence=2)
    assert 'step "draft"' in error.message


def test_format_2_is_refused_on_its_line(tmp_path):
    text = GOOD.replace("format: 1", "format: 2")
    path = write(tmp_path, text)
    error = load_error(path)
    assert where_parts(error) == (str(path), 1, 1)
    assert "'format'" in error.message
    assert "1" in error.message.replace("'format'", "")
    assert error.hint


def test_tab_indentation_names_the_line(tmp_path):
    text = GOOD.replace("    title: Do it by hand", "\ttitle: Do it by hand")
    path = write(tmp_path, text)
    error = load_error(path)
    file, line, _ = where_parts(error)
    assert (file, line) == (str(path), line_of(text, "\ttitle"))
    assert "not valid YAML" in error.message
    assert "indentation" in error.hint


def test_bad_indentation_names_the_line(tmp_path):
    text = GOOD.replace("    title: Draft the report", "      title: Draft the report")
    path = write(tmp_path, text)
    error = load_error(path)
    file, line, _ = where_parts(error)
    assert file == str(path)
    assert line == line_of(text, "title: Draft the report")
    assert "not valid YAML" in error.message


def test_unclosed_quote_names_a_line(tmp_path):
    text = GOOD.replace('"{{ inputs.server }}"', '"{{ inputs.server }}')
    path = write(tmp_path, text)
    error = load_error(path)
    assert error.where.startswith(f"{path}:")
    assert "not valid YAML" in error.message


@pytest.mark.parametrize("text", ["- just\n- a list\n", "a scalar\n", ""])
def test_a_document_that_is_not_a_mapping(tmp_path, text):
    path = write(tmp_path, text)
    error = load_error(path)
    assert error.where.startswith(f"{path}:1")
    assert "mapping" in error.message


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"format: 1\ntitle: caf\xe9\n")
    error = load_error(path)
    assert error.where == str(path)
    assert "UTF-8" in error.message


def test_unknown_playbook_name_lists_the_available_ones():
    with pytest.raises(PlaybookError) as info:
        loader.load("compromised-sever")
    error = info.value
    assert error.exit_code == ExitCode.BAD_INPUT
    assert "'compromised-sever'" in error.message
    assert "compromised-server" in error.hint
    assert "did you mean 'compromised-server'" in error.hint
    assert "available playbooks" in error.hint


def test_unknown_playbook_name_without_a_close_match():
    with pytest.raises(PlaybookError) as info:
        loader.resolve("zzz")
    assert "available playbooks: compromised-server" in info.value.hint
    assert "did you mean" not in info.value.hint


@pytest.mark.parametrize("name", ["missing.yaml", "sub/dir/missing"])
def test_path_to_a_missing_file(tmp_path, name):
    path = tmp_path / name
    with pytest.raises(PlaybookError) as info:
        loader.load(str(path))
    assert info.value.exit_code == ExitCode.BAD_INPUT
    assert str(path) in info.value.message
    assert info.value.hint


def test_a_required_input_with_a_default_is_refused(tmp_path):
    text = GOOD.replace("    required: true\n", "    required: true\n    default: x\n")
    path = write(tmp_path, text)
    error = load_error(path)
    assert where_parts(error)[1] == line_of(text, "  server:")
    assert "required or has a default" in error.message


def test_a_manual_step_takes_no_with(tmp_path):
    text = GOOD.replace("    manual: Call the maintainer.\n",
                        "    manual: Call the maintainer.\n    with: {a: 1}\n")
    error = load_error(write(tmp_path, text))
    assert 'step "by-hand"' in error.message
    assert "no `with`" in error.message


def test_bad_step_id_names_the_pattern(tmp_path):
    text = GOOD.replace("- id: by-hand", "- id: By Hand")
    path = write(tmp_path, text)
    error = load_error(path)
    assert where_parts(error)[1] == line_of(text, "- id: By Hand")
    assert "'id'" in error.message
