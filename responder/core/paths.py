"""Where responder keeps its own state: one directory per run, private to the user."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from responder.core.fs import ensure_private_dir


def state_dir(env: Mapping[str, str]) -> Path:
    """`$RESPONDER_STATE_DIR`, else the platform's user state directory for responder."""
    configured = env.get("RESPONDER_STATE_DIR")
    if configured:
        return Path(configured).expanduser()
    import platformdirs  # only needed when no override is set

    return Path(platformdirs.user_state_dir("responder", appauthor=False))


def runs_dir(env: Mapping[str, str]) -> Path:
    return state_dir(env) / "runs"


def new_run_dir(env: Mapping[str, str], run_id: str) -> Path:
    root = ensure_private_dir(runs_dir(env))
    ensure_private_dir(root.parent)
    return ensure_private_dir(root / run_id)
