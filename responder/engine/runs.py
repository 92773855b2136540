"""Past runs in the state directory: list them, show one, restore the configs one edited."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from responder.clients.apply import RestoreOutcome, restore
from responder.core.errors import BadInput
from responder.core.paths import runs_dir
from responder.core.secrets import Secret, SecretRegistry
from responder.engine import journal
from responder.engine.journal import JOURNAL_NAME, Journal
from responder.engine.resume import status_of


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
    return RunSummary(
        run_id=directory.name,
        path=directory,
        playbook=str(started.get("playbook", "?")),
        started=str(started.get("ts", "?")),
        status=status_of(events),
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


def restore_run(directory: Path, *, force: bool, dry_run: bool,
                env: Mapping[str, str] | None = None) -> list[RestoreOutcome]:
    """Restore, with every diff shown for a refused file masked of the secrets it holds."""
    backups = directory / "backups"
    if not (backups / "index.json").exists():
        return []
    outcomes = restore(backups, force=force, dry_run=dry_run)
    put_back = [o.path for o in outcomes if o.status in ("restored", "removed")]
    if put_back and not dry_run:
        # A resume of this run then knows who re-enabled the server there: the user.
        Journal(directory / JOURNAL_NAME, SecretRegistry(), lambda: datetime.now(UTC)).record(
            "configs_restored", paths=put_back)
    return [dataclasses.replace(o, diff=_masked(o, env or {})) if o.diff else o
            for o in outcomes]


def _masked(outcome: RestoreOutcome, env: Mapping[str, str]) -> str:
    """Config files hold tokens; a diff of one is scrubbed of every credential either side of
    it defines, and of anything that looks like a known token format."""
    from responder.clients import registry
    from responder.clients.base import ConfigFile
    from responder.core.secrets import SecretRegistry
    from responder.credentials import classify
    from responder.credentials.find import discover

    secrets = SecretRegistry()
    config = ConfigFile(outcome.client, outcome.scope, Path(outcome.path), outcome.kind)
    for text in (_read(config.path), _read(Path(outcome.backup)) if outcome.backup else ""):
        if not text or outcome.client not in registry.names():
            continue  # a file responder created has an empty backup
        try:
            entries = registry.get(outcome.client).parse(config, text)
        except Exception:  # noqa: BLE001 - a file that no longer parses gets the line mask
            continue
        for entry in entries:
            for credential in discover(entry, env).credentials:
                secrets.add(credential.secret)
                for encoded in credential.encodings:  # base64 forms, headers
                    secrets.add(encoded)
    # Whatever parsing missed: the value of every secret-looking key on a diff line.
    for value in classify.masked_values(outcome.diff):
        secrets.add(Secret(value))
    for _kind, token in classify.find_in_text(outcome.diff):
        secrets.add(Secret(token))
    return secrets.scrub(outcome.diff)


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
