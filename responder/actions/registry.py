"""The one explicit registry of step types: `uses:` name → action class.

Classes are imported on first use so that `responder --help` stays fast.
"""

from __future__ import annotations

import importlib

from responder.actions.base import Action

_ACTIONS: dict[str, str] = {
    "clients.inventory": "responder.actions.inventory:Inventory",
    "clients.disable": "responder.actions.contain:Disable",
    "processes.stop": "responder.actions.processes:StopProcesses",
    "clients.recheck": "responder.actions.recheck:Recheck",
    "tokens.snapshot": "responder.actions.tokens:Snapshot",
    "tokens.revoke": "responder.actions.tokens:Revoke",
    "tokens.verify": "responder.actions.tokens:VerifyRevoked",
    "activity.review": "responder.actions.review:Review",
    "maintainer.discover": "responder.actions.maintainer:FindMaintainer",
    "report.draft": "responder.actions.report:DraftReports",
    "maintainer.submit": "responder.actions.submit:SubmitReport",
}


def names() -> list[str]:
    return sorted(_ACTIONS)


def get(name: str) -> type[Action]:
    module_name, _, class_name = _ACTIONS[name].partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def all_actions() -> dict[str, type[Action]]:
    return {name: get(name) for name in names()}
