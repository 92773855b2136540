"""activity.review: pull what the affected accounts did in the window, flag it, keep evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from responder.actions.base import Action, ActionInputs, Finding, Plan, StepResult
from responder.activity import rules as flagging
from responder.core.fs import write_private
from responder.core.jsonsafe import dumps
from responder.providers import registry as providers
from responder.providers.github import SECURITY_LOG
from responder.providers.github_activity import GitHubCapture, capture, normalise


class Review(Action):
    name = "activity.review"
    effect = "read"
    summary = ("Review the accounts' activity in the --since window: new keys, webhooks, deploy "
               "keys, collaborators, repositories made public; flag what looks like an attacker "
               "and save every raw response as evidence with a SHA-256 manifest.")

    class Inputs(ActionInputs):
        identities: list[dict[str, Any]]
        rules: str | None = None  # an extra rules file, applied before the shipped rules

    def apply(self, ctx, inputs: Inputs, plan: Plan) -> StepResult:
        result = StepResult()
        github = [i for i in inputs.identities if i["provider"] == "github"
                  and i.get("account_id") != "installation"]
        accounts = sorted({i["account"] for i in github})
        # Accounts on a GitHub Enterprise host: RESPONDER_GITHUB_TOKEN is for github.com (or
        # RESPONDER_GITHUB_API_URL), so they are reviewed from their snapshot only.
        elsewhere = {i["account"]: (i.get("details") or {}).get("api_url") for i in github
                     if (i.get("details") or {}).get("api_url", ctx.endpoints.github_api_url)
                     != ctx.endpoints.github_api_url}
        if not accounts:
            result.status = "skipped"
            result.error = "no account identified, so there is no activity to review"
            return result
        rule_set = flagging.load()
        if inputs.rules:
            rule_set = flagging.load(Path(inputs.rules)) + rule_set
        responder_token = ctx.responder_tokens.get("github")
        captures: dict[str, GitHubCapture] = ctx.shared.get("github_captures", {})
        provider = providers.github(ctx)
        all_events, all_flags, gaps = [], [], []
        for account in accounts:
            merged = captures.get(account) or GitHubCapture(login=account, vantage="none")
            if account not in captures:
                merged.gaps.append("no pre-revocation snapshot: private events and the "
                                   "account's own key lists were not captured")
            if responder_token and not ctx.offline and account not in elsewhere:
                repos = sorted(merged.per_repo) or None
                merged.merge(capture(provider, responder_token.reveal(), account,
                                     ctx.window_start, ctx.evidence, ctx.timing.snapshot_budget,
                                     as_owner=False, repos=repos or []))
                result.changes.append(f"{account}: re-checked with RESPONDER_GITHUB_TOKEN")
            else:
                result.changes.append(
                    f"{account}: reviewed from the pre-revocation snapshot (set "
                    f"RESPONDER_GITHUB_TOKEN to re-check webhooks and deploy keys afterwards)")
            events = normalise(merged, ctx.window_start)
            flags = flagging.flag(events, rule_set)
            all_events += events
            all_flags += flags
            gaps += [f"{account}: {gap}" for gap in merged.gaps]
            log = SECURITY_LOG if account not in elsewhere else \
                f"{str(elsewhere[account]).removesuffix('/api/v3')}/settings/security-log"
            result.manual.append(
                f"Check GitHub's security log for {account} at {log} (it has no API): "
                f"look for personal_access_token, oauth_authorization and public_key events "
                f"since {ctx.window_start:%Y-%m-%d %H:%M} UTC")
        activity = {
            "window_start": ctx.window_start.isoformat(),
            "flagged": [{"rule": f.rule, "severity": f.severity, "reason": f.reason,
                         "event": f.event} for f in all_flags],
            "events": all_events,
            "gaps": gaps,
        }
        write_private(ctx.run_dir / "activity.json", ctx.secrets.scrub(dumps(activity, indent=2)))
        for flag in all_flags:
            result.findings.append(Finding(
                flag.severity, f"{flag.reason}: {flag.event.summary} at {flag.event.at}",
                flag.event.target))
        for gap in gaps:
            result.findings.append(Finding("medium", f"evidence gap: {gap}"))
        result.changes.append(f"{len(all_events)} event(s) reviewed, {len(all_flags)} flagged; "
                              f"{len(ctx.evidence.items)} evidence file(s) in evidence/")
        result.outputs = {
            "accounts": accounts,
            "events": len(all_events),
            "flagged": [{"severity": f.severity, "reason": f.reason, "summary": f.event.summary,
                         "at": f.event.at, "target": f.event.target, "rule": f.rule}
                        for f in all_flags],
            "gaps": gaps,
            "evidence_files": len(ctx.evidence.items),
        }
        return result
