"""Fixtures for the credential tests."""

from __future__ import annotations

import pytest
from credhelpers import make_machine

from responder.core.machine import Machine


@pytest.fixture
def machine(tmp_path) -> Machine:
    """A sandbox machine: home and current directory under tmp_path, HOME set, nothing else."""
    return make_machine(tmp_path)
