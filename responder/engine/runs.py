"""Past runs in the state directory: list them, show one, restore the configs one edited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from responder.clients.apply import RestoreOutcome, restore
from responder.core.errors import BadInput
from responder.core.paths import runs_dir
from responder.engine import journal
from responder.engine.journal import JOURNAL_NAME


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    path: Path
    playbook: str
    started: str
    status: str
    dry_run: bool
    server: str


def summaries(env: Mapping[str, str]) -> list[RunSummary]:
    root = runs_dir(env)
    if not root.is_dir():
        return []
    found = []
    for directory in sorted(root.iterdir()):
        if directory.is_dir():
            found.append(summary(directory))
    return found


def summary(directory: Path) -> RunSummary:
    events = journal.read(directory / JOURNAL_NAME)
    started = next((e for e in events if e.get("event") == "run_started"), {})
    finished = next((e for e in events if e.get("event") == "run_finished"), {})
    return RunSummary(
        run_id=directory.name,
        path=directory,
        playbook=str(started.get("playbook", "?")),
        started=str(started.get("ts", "?")),
        status=str(finished.get("status", "interrupted")),
        dry_run=bool(started.get("dry_run", False)),
        server=str((started.get("inputs") or {}).get("server", "?")),
    )


def find(env: Mapping[str, str], run_id: str) -> Path:
    root = runs_dir(env)
    exact = root / run_id
    if run_id and "/" not in run_id and exact.is_dir():
        return exact
    matches = [p for p in root.glob(f"{run_id}*") if p.is_dir()] if root.is_dir() else []
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(p.name for p in sorted(root.iterdir())[-5:]) if root.is_dir() else ""
    raise BadInput(f"no single run matches {run_id!r}",
                   hint="`responder runs list` shows run ids" + (f"; latest: {known}" if known
                                                                    else ""))


def events(directory: Path) -> list[dict[str, Any]]:
    return journal.read(directory / JOURNAL_NAME)


def restore_run(directory: Path, *, force: bool, dry_run: bool) -> list[RestoreOutcome]:
    backups = directory / "backups"
    if not (backups / "index.json").exists():
        return []
    return restore(backups, force=force, dry_run=dry_run)
