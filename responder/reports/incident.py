"""The internal incident report: built from the run's journal, so it says what really happened."""

from __future__ import annotations

from typing import Any

from responder import __version__


def steps_from_journal(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The last `step_finished` record of each step."""
    return {e["id"]: e for e in events if e.get("event") == "step_finished" and "id" in e}


def build(events: list[dict[str, Any]], pending_manual: list[str],
          maintainer: dict[str, Any] | None = None) -> dict[str, Any]:
    started = next((e for e in events if e.get("event") == "run_started"), {})
    steps = steps_from_journal(events)

    def outputs(step_id: str) -> dict[str, Any]:
        return (steps.get(step_id) or {}).get("outputs") or {}

    inventory, contain = outputs("inventory"), outputs("contain")
    revoke, verify = outputs("revoke"), outputs("verify")
    identities = {i["credential"]: i for i in outputs("snapshot").get("identities", [])}
    dead, unconfirmed = set(verify.get("dead", [])), set(verify.get("unconfirmed", []))
    credentials = []
    for cred in inventory.get("credentials", []):
        cid = cred["id"]
        if cid in dead:
            state = "revoked, proven dead"
        elif cid in unconfirmed:
            state = "REVOCATION UNCONFIRMED"
        elif cid in revoke.get("failed", []):
            state = "revoke FAILED"
        elif cid in revoke.get("manual", []):
            state = "manual revoke needed"
        elif revoke.get("planned"):
            state = "would be revoked (dry run)"
        else:
            state = "not revoked"
        credentials.append({**cred, "state": state,
                            "account": identities.get(cid, {}).get("account", "unknown"),
                            "found_in": sorted({o["config"] for o in cred["origins"]})})
    timeline = [
        {"ts": e["ts"], "text": f"{e['id']}: {e['status']}"
         + (f" ({e['error']})" if e.get("error") else "")}
        for e in events if e.get("event") == "step_finished"
    ]
    finished = {e["id"]: e["ts"] for e in events if e.get("event") == "step_finished"
                and e.get("status") == "ok"}
    manual = [text for s in steps.values() for text in s.get("manual", [])] + pending_manual
    # The review's gaps have their own place in the report, beside the flagged activity.
    findings = [f for step_id, s in steps.items() for f in s.get("findings", [])
                if not (step_id == "review" and f.get("message", "").startswith("evidence gap"))]
    return {
        "version": __version__,
        "run_id": started.get("run_id", "?"),
        "playbook": started.get("playbook", "?"),
        "dry_run": started.get("dry_run", False),
        "started_at": started.get("ts", "?"),
        "server": (started.get("inputs") or {}).get("server", "?"),
        "since": (started.get("inputs") or {}).get("since", "?"),
        "entries": inventory.get("entries", []),
        "unparsed": inventory.get("unparsed", []),
        "also_check": inventory.get("also_check", []),
        # Planned (dry-run) and skipped steps have no counts to report.
        "processes": outputs("stop") if "found" in outputs("stop") else {},
        "recheck": outputs("recheck") if "held" in outputs("recheck") else {},
        "disabled": contain.get("disabled", []),
        "already_disabled": contain.get("already_disabled", []),
        "contain_failed": contain.get("failed", []),
        "planned_files": contain.get("planned_files", []),
        "backups": contain.get("backups", []),
        "credentials": credentials,
        "identities": list(identities.values()),
        "flagged": outputs("review").get("flagged", []),
        "gaps": outputs("review").get("gaps", []),
        "review": outputs("review"),
        "findings": [f for f in findings if f.get("severity") in ("critical", "high", "medium")],
        "timeline": timeline,
        "contained_at": finished.get("contain"),
        "revoked_at": finished.get("revoke"),
        "verified_at": finished.get("verify"),
        "manual": list(dict.fromkeys(manual)),
        # The maintainer lookup in full (people, every contact with its provenance), when run.
        "maintainer": maintainer or {},
    }
