"""clients.disable: switch the server off in every config, the way each client honours it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from responder.actions.base import Action, ActionInputs, FileChange, Plan, StepResult
from responder.clients import registry as clients
from responder.clients.apply import read_text, write_edit
from responder.clients.base import ConfigFile, Edit
from responder.core.errors import ConcurrentEdit, ResponderError


class Disable(Action):
    name = "clients.disable"
    effect = "write"
    summary = ("Disable the server in every config that defines it and remove its "
               "auto-approvals; each file is backed up, replaced atomically and re-read.")

    class Inputs(ActionInputs):
        server: str
        files: list[dict[str, str]]

    def plan(self, ctx, inputs: Inputs) -> Plan:
        edits: list[Edit] = []
        already: list[str] = []
        problems: list[str] = []
        for item in inputs.files:
            config = ConfigFile(item["client"], item["scope"], Path(item["path"]))
            try:
                edit = _edit(config, inputs.server)
            except (ResponderError, OSError, UnicodeDecodeError) as exc:
                problems.append(f"{config.path}: {exc}")
                continue
            (edits.append(edit) if edit.changed else already.append(str(config.path)))
        return Plan(
            summary=tuple(f"disable {inputs.server!r} in {e.config.label()}" for e in edits),
            files=tuple(FileChange(str(e.config.path), e.summary, ctx.secrets.scrub(e.diff()))
                        for e in edits),
            payload={"edits": edits, "already": already, "problems": problems},
        )

    def apply(self, ctx, inputs: Inputs, plan: Plan) -> StepResult:
        result = StepResult()
        payload: dict[str, Any] = plan.payload
        backups = ctx.run_dir / "backups"
        disabled, failed, backup_files = [], list(payload["problems"]), []
        for edit in payload["edits"]:
            try:
                try:
                    record = write_edit(edit, backups)
                except ConcurrentEdit:
                    # The client rewrote the file under us: plan again from its new text, once.
                    edit = _edit(edit.config, inputs.server)
                    if not edit.changed:
                        payload["already"].append(str(edit.config.path))
                        continue
                    record = write_edit(edit, backups)
            except (ResponderError, OSError, UnicodeDecodeError) as exc:
                failed.append(f"{edit.config.path}: {exc}")
                continue
            disabled.append(str(edit.config.path))
            backup_files.append(f"backups/{record.backup}")
            result.changes.append(f"{edit.config.label()}: " + "; ".join(edit.summary)
                                  + f" (backup: backups/{record.backup})")
        for path in payload["already"]:
            result.changes.append(f"{path}: already disabled, no auto-approvals; left as is")
        result.outputs = {"disabled": disabled, "already_disabled": payload["already"],
                          "failed": failed, "backups": backup_files}
        if failed:
            result.manual.extend(f"Disable {inputs.server!r} by hand in {f.split(': ')[0]} "
                                 f"(set \"disabled\": true and delete \"autoApprove\")"
                                 for f in failed)
            return result.fail(f"could not disable in {len(failed)} file(s): " + "; ".join(failed),
                               "the other files were disabled; fix the named ones by hand")
        return result

    def verify(self, ctx, inputs: Inputs, result: StepResult) -> None:
        """Re-read every file: the server must be disabled there now."""
        kinds = {i["path"]: ConfigFile(i["client"], i["scope"], Path(i["path"]))
                 for i in inputs.files}
        reverted = []
        for path in result.outputs["disabled"] + result.outputs["already_disabled"]:
            config = kinds[path]
            adapter = clients.get(config.client)
            try:
                held = adapter.is_disabled(config, read_text(config.path), inputs.server)
            except (ResponderError, OSError, UnicodeDecodeError):
                held = False
            if not held:
                reverted.append(path)
        result.outputs["verified"] = not reverted
        if reverted:
            result.fail("the edit did not hold in: " + ", ".join(reverted),
                        "a running client may have rewritten the file: quit it and run again")


def _edit(config: ConfigFile, server: str) -> Edit:
    return clients.get(config.client).disable(config, read_text(config.path), server)
