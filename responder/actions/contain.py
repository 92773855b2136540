"""clients.disable: switch the server off in every config, the way each client honours it.

One planned write per file: the config itself (a flag, a list, or the entry removed) and any other
file the client's mechanism needs (Gemini CLI's enablement file, Claude Code's settings.local.json).
A file that changed between plan and write is planned again from its new text (a few times: a
running client may be saving it), never overwritten blindly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from responder.actions.base import Action, ActionInputs, FileChange, Plan, StepResult
from responder.clients import registry as clients
from responder.clients.apply import read_text, write_edit
from responder.clients.base import ConfigFile, Edit
from responder.clients.scan import is_off
from responder.core.errors import ConcurrentEdit, ResponderError
from responder.core.secrets import Secret
from responder.credentials.classify import masked_values

_ATTEMPTS = 3
_READ_ERRORS = (ResponderError, OSError, UnicodeDecodeError)


@dataclass
class _Write:
    edit: Edit
    replan: Callable[[], Edit]  # the same change, planned again from the file as it is now
    targets: list[tuple[ConfigFile, str]]  # (config, server name) this write switches off


class Disable(Action):
    name = "clients.disable"
    effect = "write"
    summary = ("Disable the server in every config that defines it, with the mechanism each "
               "client honours, and remove its auto-approvals; each file is backed up, replaced "
               "atomically and re-read.")

    class Inputs(ActionInputs):
        server: str
        targets: list[dict[str, Any]]  # inventory's targets: client, scope, kind, path, name

    def plan(self, ctx, inputs: Inputs) -> Plan:
        writes: dict[Path, _Write] = {}
        already: list[str] = []
        problems: list[str] = []
        manual: list[str] = []
        gone: list[str] = []
        for path, group in _by_file(inputs.targets).items():
            config = ConfigFile.from_dict(group[0])
            if not config.path.exists():
                gone.append(str(path))  # deleted since the inventory: it starts nothing now
                continue
            names = list(dict.fromkeys(str(t["name"]) for t in group))
            adapter = clients.get(config.client)
            steps = [m for n in names if (m := adapter.manual(config, n))]
            manual += steps
            try:
                if not steps:
                    edit = _disable(config, names)
                    if edit.changed:
                        writes[path] = _Write(edit, _replanner(config, names),
                                              [(config, n) for n in names])
                    else:
                        already.append(str(path))
                for name in names:
                    for extra in adapter.companions(config, name, ctx.machine):
                        _add_companion(writes, extra, config, name, ctx.machine)
            except _READ_ERRORS as exc:
                problems.append(f"{config.path}: {_reason(exc)}")
        edits = [w.edit for w in writes.values()]
        for edit in edits:
            # Diff context shows neighbouring servers: mask what no parser saw as a credential.
            for value in masked_values(edit.diff()):
                ctx.secrets.add(Secret(value))
        return Plan(
            summary=tuple(f"{'create' if e.created else 'edit'} {e.config.path} "
                          f"({e.config.client} {e.config.scope})" for e in edits),
            files=tuple(FileChange(str(e.config.path), e.summary, ctx.secrets.scrub(e.diff()))
                        for e in edits),
            payload={"writes": list(writes.values()), "already": already, "problems": problems,
                     "manual": manual, "gone": gone},
        )

    def apply(self, ctx, inputs: Inputs, plan: Plan) -> StepResult:
        result = StepResult()
        payload: dict[str, Any] = plan.payload
        backups = ctx.run_dir / "backups"
        edited, failed = [], list(payload["problems"])
        for write in payload["writes"]:
            try:
                outcome = _write(write, backups, ctx.timing.lock_wait)
            except _READ_ERRORS as exc:
                failed.append(f"{write.edit.config.path}: {_reason(exc)}")
                continue
            if outcome is None:
                payload["already"].append(str(write.edit.config.path))
                continue
            edit, record = outcome
            edited.append({**edit.config.as_dict(), "server": edit.server,
                           "sha256_after": record.sha256_after, "created": edit.created,
                           "backup": f"backups/{record.backup}", "written_at": time.time(),
                           "targets": [{**c.as_dict(), "name": n} for c, n in write.targets]})
            result.changes.append(f"{edit.config.label()}: " + "; ".join(edit.summary)
                                  + f" (backup: backups/{record.backup})")
        for path in payload["already"]:
            result.changes.append(f"{path}: already disabled, no auto-approvals; left as is")
        for path in payload["gone"]:
            result.changes.append(f"{path}: no longer exists, so no client starts the server "
                                  "from it; nothing to do")
        result.manual.extend(payload["manual"])
        result.manual.extend(_client_notes(inputs.targets))
        result.outputs = {"edited": edited, "disabled": [e["path"] for e in edited],
                          "already_disabled": payload["already"], "gone": payload["gone"],
                          "failed": failed,
                          "manual": payload["manual"],
                          "backups": [e["backup"] for e in edited]}
        if failed:
            result.manual.extend(f"Disable {inputs.server!r} by hand in {f}" for f in failed)
            return result.fail(f"could not disable in {len(failed)} file(s): " + "; ".join(failed),
                               "the other files were disabled; fix the named ones by hand")
        return result

    def verify(self, ctx, inputs: Inputs, result: StepResult) -> None:
        """Re-read every config: each target must be switched off there now."""
        failed = {f.split(": ")[0] for f in result.outputs["failed"]}

        def still_on(targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [t for t in targets if str(t["path"]) not in failed and not t.get("managed")
                    and not is_off(ctx.machine, ConfigFile.from_dict(t), str(t["name"]))]

        on = still_on(list(inputs.targets))
        if on:
            # A client saving at this moment may leave the file empty for an instant
            # (truncate, then write): look once more before calling the edit undone.
            time.sleep(0.2)
            on = still_on(on)
        reverted = list(dict.fromkeys(str(t["path"]) for t in on))
        result.outputs["verified"] = not reverted
        if reverted:
            result.fail("the edit did not hold in: " + ", ".join(reverted),
                        "a running client may have rewritten the file: quit it and run again")


def _by_file(targets: list[dict[str, Any]]) -> dict[Path, list[dict[str, Any]]]:
    grouped: dict[Path, list[dict[str, Any]]] = {}
    for target in targets:
        grouped.setdefault(Path(str(target["path"])), []).append(target)
    return grouped


def _disable(config: ConfigFile, names: list[str]) -> Edit:
    """One edit of the file switching off every name (several when matched by package)."""
    adapter = clients.get(config.client)
    before = text = read_text(config.path)
    summary: list[str] = []
    removed: list[str] = []
    lock = False
    for name in names:
        edit = adapter.disable(config, text, name)
        text, lock = edit.after, lock or edit.lock
        summary += edit.summary
        removed += edit.removed
    return Edit(config, ", ".join(names), before, text, tuple(summary), removed=tuple(removed),
                lock=lock or adapter.locks(config))


def _replanner(config: ConfigFile, names: list[str]) -> Callable[[], Edit]:
    return lambda: _disable(config, names)


def _add_companion(writes: dict[Path, _Write], edit: Edit, config: ConfigFile, name: str,
                   machine) -> None:
    path = edit.config.path
    if path in writes:
        writes[path].targets.append((config, name))  # re-planned at write time, from the file
        return
    adapter = clients.get(config.client)

    def replan() -> Edit:
        found = [e for e in adapter.companions(config, name, machine) if e.config.path == path]
        return found[0] if found else Edit(edit.config, name, edit.after, edit.after)

    writes[path] = _Write(edit, replan, [(config, name)])


def _write(write: _Write, backups: Path, lock_wait: float):
    edit = write.edit
    for attempt in range(_ATTEMPTS):
        try:
            return edit, write_edit(edit, backups, lock_wait=lock_wait)
        except ConcurrentEdit:
            if attempt == _ATTEMPTS - 1:
                raise
            edit = write.replan()
            if not edit.changed:
                return None
    return None


def _reason(exc: Exception) -> str:
    """The error without repeating the path the caller already names; with its hint."""
    if isinstance(exc, ResponderError):
        return exc.message + (f" ({exc.hint})" if exc.hint else "")
    return str(exc)


def _client_notes(targets: list[dict[str, Any]]) -> list[str]:
    notes: list[str] = []
    for client in dict.fromkeys(str(t["client"]) for t in targets):
        spec = getattr(clients.get(client), "spec", None)
        notes += list(getattr(spec, "notes", ()))
    return notes
