"""--since durations: a whole number and one unit, nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest

from responder.core.durations import parse_duration
from responder.core.errors import BadInput, ExitCode


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("12h", timedelta(hours=12)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        ("45s", timedelta(seconds=45)),
        (" 7d ", timedelta(days=7)),
        ("90d", timedelta(days=90)),
    ],
)
def test_parse_duration_accepts_number_and_unit(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "7", "0d", "-1d", "7x", "1.5h", "d", "7dd", "7 days"])
def test_parse_duration_rejects_with_a_hint_naming_the_units(text):
    with pytest.raises(BadInput) as info:
        parse_duration(text)
    error = info.value
    assert error.exit_code == ExitCode.BAD_INPUT
    assert "--since" in error.message
    assert repr(text) in error.message
    for example in ("30m", "12h", "7d", "2w"):
        assert example in error.hint


def test_parse_duration_names_the_option_it_parses():
    with pytest.raises(BadInput, match="--window"):
        parse_duration("soon", name="--window")
