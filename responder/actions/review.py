"""activity.review: what the affected accounts did in the window, flagged, kept as evidence.

Three sources, merged into one list of normalised events:
- the providers: what the suspect credentials captured before revocation (tokens.snapshot),
  and for GitHub a second look with the responder's own token (`RESPONDER_GITHUB_TOKEN`):
  repository settings after the fact, public events, the organisation audit log;
- this machine: the MCP clients' logs of the server's tool calls (`activity.logs`);
- the people: review steps for every log no API reaches (GitHub's security log, ...).

Every event goes through the flagging rules (the user's first, then the playbook's). What could
not be seen is a gap, reported beside the flags: a gap in evidence is a finding, not silence.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from responder.actions.base import Action, ActionInputs, Finding, Plan, StepResult, Table
from responder.activity import rules as flagging
from responder.activity.model import ActivityEvent, Capture, Gap
from responder.core.concurrency import concurrently
from responder.core.fs import write_private
from responder.core.jsonsafe import dumps
from responder.core.times import parse_time

ACTIVITY_FORMAT = "responder.activity/1"
TABLE_ROWS = 40


class Review(Action):
    name = "activity.review"
    effect = "read"
    summary = ("Review the affected accounts' activity in the --since window (keys, webhooks, "
               "deploy keys, collaborators, repositories made public or deleted, force pushes, "
               "workflow changes, releases, app installations, audit-log entries of the token; "
               "GitLab events; Slack sign-ins) and the MCP clients' logs of the server's tool "
               "calls; flag what the rules call suspicious, and save every raw response as "
               "evidence with a SHA-256 manifest.")

    class Inputs(ActionInputs):
        identities: list[dict[str, Any]]
        entries: list[dict[str, Any]] = []  # the server's definitions, for the client logs

    def apply(self, ctx, inputs: Inputs, plan: Plan) -> StepResult:
        result = StepResult()
        events: list[ActivityEvent] = []
        gaps: list[Gap] = []
        manual: list[str] = []
        accounts = self._github(ctx, inputs.identities, result, events, gaps)
        for captured in ctx.shared.get("activity_captures", []):
            self._take(captured, events, gaps, manual)
        local = self._client_logs(ctx, inputs.entries)
        if local is not None:
            self._take(local, events, gaps, manual)
            result.changes.append(f"{len(local.events)} tool call(s) of the server found in the "
                                  f"MCP clients' logs")
        manual += self._review_steps(ctx)
        if ctx.earlier:
            # A resumed run: what an earlier review saw (the suspect tokens' own view among it,
            # gone once they are revoked) stays in this review.
            earlier = _earlier_events(ctx.run_dir / "activity.json")
            events = _merged(earlier + events)
            if ctx.shared.get("snapshot_restored") and not earlier:
                gaps.append(Gap("resumed", "run", "the suspect tokens' pre-revocation capture",
                                "saved by an earlier attempt of this run before its review "
                                "ran, so not flagged here",
                                "read it in evidence/ (listed in MANIFEST.sha256)"))
        flags = _unique(flagging.flag(events, ctx.rules))
        if not ctx.rules:
            result.findings.append(Finding("medium", "the playbook has no flagging rules: the "
                                           "events were saved in activity.json but none was "
                                           "judged"))
        self._write(ctx, events, flags, gaps)
        result.manual += list(dict.fromkeys(manual))
        # The flags are the table (and outputs.flagged); the gaps are findings.
        for gap in gaps:
            result.findings.append(Finding("medium", f"evidence gap: {gap.text()}"))
        result.table = Table(
            f"Flagged activity ({len(flags)})", ("severity", "when (UTC)", "where", "what", "why"),
            tuple((f.severity, f.event.at[:16].replace("T", " "), f.event.target,
                   f.event.summary, f.reason) for f in flags[:TABLE_ROWS]))
        result.changes.append(
            f"{len(events)} event(s) reviewed, {len(flags)} flagged, {len(gaps)} gap(s); "
            f"{len(ctx.evidence.items)} evidence file(s) in evidence/ (MANIFEST.sha256)")
        result.outputs = {
            "accounts": accounts,
            "events": len(events),
            "by_provider": {name: sum(1 for e in events if e.provider == name)
                            for name in sorted({e.provider for e in events})},
            "flagged": [_flag_view(f) for f in flags],
            "gaps": [gap.text() for gap in gaps],
            "evidence_files": len(ctx.evidence.items),
        }
        if not events and not gaps and not accounts and local is None:
            result.status = "skipped"
            result.error = "no account identified and no client log found: nothing to review"
        return result

    # -- sources ------------------------------------------------------------------------------

    def _github(self, ctx, identities: list[dict[str, Any]], result: StepResult,
                events: list[ActivityEvent], gaps: list[Gap]) -> list[str]:
        from responder.providers.github_activity import GitHubCapture

        github = [i for i in identities if i["provider"] == "github"
                  and i.get("account_id") != "installation"]
        accounts = sorted({i["account"] for i in github})
        captures: dict[str, GitHubCapture] = ctx.shared.get("github_captures", {})
        token = ctx.responder_tokens.get("github")
        here = ctx.endpoints.github_api_url

        def one(account: str) -> GitHubCapture:
            mine = [i for i in github if i["account"] == account]
            merged = GitHubCapture(login=account)
            if account in captures:
                merged.merge(captures[account])
            else:
                merged.gap("private events and the account's own lists",
                           "no pre-revocation snapshot (the token was already invalid, or "
                           "the snapshot step did not run)")
            # RESPONDER_GITHUB_TOKEN is for github.com (or RESPONDER_GITHUB_API_URL): accounts
            # on another host are reviewed from their snapshot only.
            api = (mine[0].get("details") or {}).get("api_url", here)
            if token is None or ctx.offline or api != here:
                return merged
            from responder.providers.github_activity import Pull, capture
            from responder.providers.registry import github as run_github

            provider = run_github(ctx)
            handle = next((i.get("audit_handle") for i in mine if i.get("audit_handle")), None)
            merged.merge(capture(Pull(provider, token.reveal(), account, ctx.window_start,
                                      ctx.evidence, ctx.timing.snapshot_budget, as_owner=False,
                                      hashed_token=handle), known=merged))
            return merged

        from responder.providers.github_events import normalise

        for account, merged in zip(accounts, concurrently(accounts, one, "review-github"),
                                   strict=True):
            merged.settle()
            events += normalise(merged, ctx.window_start)
            gaps += merged.gaps
            how = " and re-checked with RESPONDER_GITHUB_TOKEN" if "responder token" in \
                merged.vantages else " (set RESPONDER_GITHUB_TOKEN to re-check repository " \
                "settings and the audit log afterwards)"
            result.changes.append(f"GitHub {account}: reviewed from the pre-revocation "
                                  f"snapshot{how}")
        return accounts

    @staticmethod
    def _take(captured: Capture, events: list[ActivityEvent], gaps: list[Gap],
              manual: list[str]) -> None:
        events += captured.events
        gaps += captured.gaps
        manual += captured.manual

    @staticmethod
    def _client_logs(ctx, entries: list[dict[str, Any]]) -> Capture | None:
        servers: dict[str, set[str]] = {}
        for entry in entries:
            servers.setdefault(str(entry.get("name")), set()).add(str(entry.get("client")))
        if not servers:
            return None
        try:
            from responder.activity.logs import collect

            return collect(ctx.machine, servers, ctx.window_start, ctx.evidence, now=ctx.clock())
        except Exception as error:  # noqa: BLE001 - a log reader's bug must not end the review
            local = Capture("local", "this machine", "local logs")
            local.gap("MCP client logs", f"not read: internal error ({type(error).__name__})",
                      "read the clients' logs by hand (see the client-logs step)")
            return local

    @staticmethod
    def _review_steps(ctx) -> list[str]:
        """Every provider's review by hand (security logs with no API), once per account."""
        steps: list[str] = []
        identities = ctx.shared.get("identities", {})
        for credential in ctx.credentials.all():
            provider = ctx.providers.for_credential(credential)
            try:
                steps += provider.review_steps(identities.get(credential.id), credential,
                                               ctx.window_start)
            except Exception as error:  # noqa: BLE001 - one adapter's bug must not stop the rest
                steps.append(f"Review {provider.title}'s own audit or security log by hand "
                             f"(responder could not build the step: {type(error).__name__})")
        return steps

    # -- output -------------------------------------------------------------------------------

    @staticmethod
    def _write(ctx, events: list[ActivityEvent], flags: list[flagging.Flag],
               gaps: list[Gap]) -> None:
        activity = {
            "format": ACTIVITY_FORMAT,
            "run_id": ctx.run_id,
            "window_start": ctx.window_start.isoformat(),
            "reviewed_at": ctx.clock().isoformat(),
            "flagged": [{**_flag_view(f), "event": f.event} for f in flags],
            "gaps": [gap.as_dict() for gap in gaps],
            "events": sorted(events, key=lambda e: flagging.timestamp(e.at), reverse=True),
        }
        write_private(ctx.run_dir / "activity.json", ctx.secrets.scrub(dumps(activity, indent=2)))


def _earlier_events(path: Path) -> list[ActivityEvent]:
    """The events an earlier attempt's review wrote to activity.json (none if it never ran)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    names = {f.name for f in dataclasses.fields(ActivityEvent)}
    return [ActivityEvent(**{k: v for k, v in item.items() if k in names})
            for item in data.get("events") or []
            if isinstance(item, dict) and names - {"detail"} <= set(item)]


def _merged(events: list[ActivityEvent]) -> list[ActivityEvent]:
    """One of each event, whichever review read it first."""
    seen: set[tuple[str, ...]] = set()
    kept = []
    for event in events:
        key = (event.provider, event.kind, event.at, event.account, event.target, event.summary)
        if key not in seen:
            seen.add(key)
            kept.append(event)
    return kept


def _flag_view(flag: flagging.Flag) -> dict[str, Any]:
    return {"severity": flag.severity, "reason": flag.reason, "summary": flag.event.summary,
            "at": flag.event.at, "target": flag.event.target, "rule": flag.rule,
            "provider": flag.event.provider, "account": flag.event.account,
            "source": flag.event.source}


def _unique(flags: list[flagging.Flag]) -> list[flagging.Flag]:
    """Two sources telling of one thing (a MemberEvent and its audit entry) flag it once."""
    seen: set[tuple[str, str, str, str]] = set()
    kept = []
    for flag in flags:
        detail = flag.event.detail
        what = str(detail.get("member") or detail.get("host") or flag.event.summary)
        key = (flag.rule, flag.event.target, _minute(flag.event.at), what)
        if key not in seen:
            seen.add(key)
            kept.append(flag)
    return kept


def _minute(at: str) -> str:
    moment = parse_time(at)
    return f"{moment:%Y%m%d%H%M}" if moment else at
