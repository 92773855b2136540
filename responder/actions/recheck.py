"""clients.recheck: after a while, re-read every config the run edited; report any a client undid.

Running clients keep their config in memory and some write it back (Claude Code's `~/.claude.json`,
Kiro's and Cline's own toggles). An edit that looked fine right after the write can be gone a few
seconds later. This step waits until the edits are `Timing.recheck_after` seconds old, re-reads
each file, and fails loudly for every server that is enabled again.
"""

from __future__ import annotations

import time
from typing import Any

from responder.actions.base import Action, ActionInputs, Finding, Plan, StepResult
from responder.clients.apply import read_text, sha256_text
from responder.clients.base import ConfigFile
from responder.clients.scan import is_off


class Recheck(Action):
    name = "clients.recheck"
    effect = "read"
    summary = ("Re-read every config the contain step edited, a few seconds later, and report "
               "any edit a running client reverted.")

    class Inputs(ActionInputs):
        edited: list[dict[str, Any]]  # the contain step's `edited` output

    def apply(self, ctx, inputs: Inputs, plan: Plan) -> StepResult:
        result = StepResult()
        if not inputs.edited:
            result.changes.append("no config was edited; nothing to re-check")
            return result
        newest = max(float(e.get("written_at", 0.0)) for e in inputs.edited)
        wait = ctx.timing.recheck_after - (time.time() - newest)
        if wait > 0:
            time.sleep(wait)
        restored = {str(p) for e in ctx.earlier if e.get("event") == "configs_restored"
                    for p in e.get("paths") or []}
        reverted, held, changed = [], [], []
        for item in inputs.edited:
            path = str(item["path"])
            try:
                text = read_text(ConfigFile.from_dict(item).path)
            except FileNotFoundError:
                text = None
            except (OSError, UnicodeDecodeError) as exc:
                reverted.append(f"{path} (cannot read: {exc})")
                continue
            if text is not None and sha256_text(text) == item["sha256_after"]:
                held.append(path)
                continue
            back_on = [t for t in item.get("targets", [])
                       if not is_off(ctx.machine, ConfigFile.from_dict(t), str(t["name"]))]
            if back_on and path in restored:
                reverted.append(path)
                names = ", ".join(sorted({str(t["name"]) for t in back_on})) or item["server"]
                result.findings.append(Finding(
                    "critical", f"{path} was put back by `responder runs restore`, so {names} "
                    "is enabled there again and can start", path))
                result.manual.append(f"If restoring {path} was not meant, run the playbook "
                                     f"again to disable {names} there")
            elif back_on:
                reverted.append(path)
                names = ", ".join(sorted({str(t["name"]) for t in back_on})) or item["server"]
                result.findings.append(Finding(
                    "critical", f"{path} was rewritten after responder's edit and {names} is "
                    "enabled there again (a running client saved its old copy)", path))
                result.manual.append(
                    f"Quit {item['client']} completely, then run the playbook again to disable "
                    f"{names} in {path}")
            else:
                changed.append(path)
        result.changes.append(f"{len(held)} edited file(s) unchanged since the edit")
        result.changes += [f"{p}: changed since the edit, but the server is still disabled"
                           for p in changed]
        result.outputs = {"held": held, "changed": changed, "reverted": reverted}
        if reverted:
            return result.fail("a client undid the edit in: " + ", ".join(reverted),
                               "quit the client, then run the playbook again")
        return result
