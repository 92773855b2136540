"""tokens.snapshot, tokens.revoke, tokens.verify: identity first, then revoke, then proof.

Order matters: once a token is revoked, who it belonged to and what only it could see (private
events, its own key lists) are gone. So the snapshot runs first, the revoke is one batched,
never-repeated request, and verification polls each token until the provider rejects it.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from responder.actions.base import Action, ActionInputs, Finding, Plan, StepResult
from responder.core.errors import ProviderError
from responder.credentials.model import Credential
from responder.providers import registry as providers
from responder.providers.github_activity import capture


def _credentials(ctx, items: list[Any]) -> list[Credential]:
    ids = [item["id"] if isinstance(item, dict) else str(item) for item in items]
    return [ctx.credentials.get(i) for i in ids]


def _manual_other(credential: Credential) -> str:
    where = ", ".join(sorted({o.config for o in credential.origins}))
    provider = credential.provider or "an unknown provider"
    return (f"Revoke {credential.secret.redacted} ({provider} {credential.kind}, from {where}) "
            f"in that provider's console: responder has no API adapter for it yet")


class Snapshot(Action):
    name = "tokens.snapshot"
    effect = "read"
    summary = ("Capture each token's identity (account, type, scopes, expiry) and what only it "
               "can see of recent activity, before it is revoked.")

    class Inputs(ActionInputs):
        credentials: list[dict[str, Any]]
        capture_activity: bool = True

    def apply(self, ctx, inputs: Inputs, plan: Plan) -> StepResult:
        result = StepResult()
        creds = _credentials(ctx, inputs.credentials)
        github = [c for c in creds if c.provider == "github"]
        if ctx.offline:
            result.status = "skipped"
            result.error = "--offline: identities not captured"
            return result
        identities, failures = [], []
        provider = providers.github(ctx)
        with ThreadPoolExecutor(max_workers=8, thread_name_prefix="identify") as pool:
            futures = {pool.submit(provider.identify, c, ctx.clock()): c for c in github}
            for future, credential in futures.items():
                try:
                    identities.append(future.result())
                except ProviderError as exc:
                    failures.append({"id": credential.id, "redacted": credential.secret.redacted,
                                     "error": exc.message, "status": exc.status})
        captures = ctx.shared.setdefault("github_captures", {})
        for identity in identities:
            ctx.evidence.save(f"github-identity-{identity.account}",
                              f"GET {provider.api_url}/user (suspect token)", identity.as_dict())
            scopes = ", ".join(identity.scopes) if identity.scopes is not None else "not reported"
            result.changes.append(
                f"{ctx.credentials.get(identity.credential_id).secret.redacted}: account "
                f"{identity.account} (id {identity.account_id}), {identity.token_kind}, scopes: "
                f"{scopes}, expires: {identity.expires or 'never / not reported'}")
            for note in identity.notes:
                result.findings.append(Finding("info", note))
            if inputs.capture_activity and identity.account not in captures:
                credential = ctx.credentials.get(identity.credential_id)
                captured = capture(provider, credential.secret.reveal(), identity.account,
                                   ctx.window_start, ctx.evidence, ctx.timing.snapshot_budget,
                                   as_owner=True)
                captures[identity.account] = captured
                result.changes.append(
                    f"captured {sum(len(v) for v in captured.lists.values())} item(s) of "
                    f"{identity.account}'s recent activity as evidence before revocation")
                result.findings.extend(Finding("medium", f"evidence gap: {gap}")
                                       for gap in captured.gaps)
        for failure in failures:
            if failure["status"] == 401:
                text = f"{failure['redacted']} is already invalid (401): nothing to capture"
            else:
                text = f"identity of {failure['redacted']} not captured: {failure['error']}"
            result.findings.append(Finding("medium", text))
        others = [c for c in creds if c.provider != "github"]
        result.outputs = {
            "identities": [i.as_dict() for i in identities],
            "failed": failures,
            "not_supported": [c.id for c in others],
        }
        return result


class Revoke(Action):
    name = "tokens.revoke"
    effect = "irreversible"
    summary = ("Revoke every credential through its provider's API (GitHub: all tokens in one "
               "unauthenticated POST /credentials/revoke); a manual step for the rest.")

    class Inputs(ActionInputs):
        credentials: list[dict[str, Any]]

    def plan(self, ctx, inputs: Inputs) -> Plan:
        creds = _credentials(ctx, inputs.credentials)
        github = [c for c in creds if c.provider == "github"]
        others = [c for c in creds if c.provider != "github"]
        if ctx.offline:
            # Nothing leaves the machine: no request is planned, so nothing asks for approval.
            return Plan(payload={"github": [], "others": others, "offline": github})
        requests = tuple(providers.github(ctx).plan_revoke(github)) if github else ()
        summary = tuple(
            f"revoke {c.provider} {c.kind} {c.secret.redacted} (irreversible)" for c in github
        )
        return Plan(summary=summary, requests=requests,
                    payload={"github": github, "others": others})

    def apply(self, ctx, inputs: Inputs, plan: Plan) -> StepResult:
        result = StepResult()
        payload = plan.payload
        if payload.get("offline"):
            provider = providers.github(ctx)
            for credential in payload["offline"]:
                result.manual.extend(provider.manual_steps(credential))
            result.manual.extend(_manual_other(c) for c in payload["others"])
            result.status = "skipped"
            result.error = "--offline: nothing revoked; revoke each token by hand (listed)"
            result.outputs = {"to_verify": [], "submitted": [], "failed": [], "unknown": [],
                              "manual": [c.id for c in payload["offline"] + payload["others"]]}
            return result
        outcomes = providers.github(ctx).revoke(payload["github"]) if payload["github"] else []
        buckets: dict[str, list[str]] = {"submitted": [], "failed": [], "unknown": [],
                                         "manual": []}
        for outcome in outcomes:
            credential = ctx.credentials.get(outcome.credential_id)
            buckets[outcome.status].append(outcome.credential_id)
            result.changes.append(f"{credential.secret.redacted}: {outcome.status}: "
                                  f"{outcome.detail}")
            if outcome.status != "submitted":
                result.manual.extend(outcome.manual)
        for credential in payload["others"]:
            buckets["manual"].append(credential.id)
            result.manual.append(_manual_other(credential))
        result.outputs = {**buckets, "to_verify": buckets["submitted"] + buckets["unknown"]}
        if buckets["failed"]:
            return result.fail(f"{len(buckets['failed'])} token(s) not revoked",
                               "use the manual steps listed; containment already holds")
        return result


class VerifyRevoked(Action):
    name = "tokens.verify"
    effect = "read"
    summary = ("Prove each revoked token is dead: probe it until the provider rejects it "
               "(bounded polling); anything else is reported as revocation unconfirmed.")

    class Inputs(ActionInputs):
        credentials: list[str]

    def apply(self, ctx, inputs: Inputs, plan: Plan) -> StepResult:
        result = StepResult()
        if not inputs.credentials:
            result.status = "skipped"
            result.error = "no revocation to verify"
            return result
        creds = _credentials(ctx, inputs.credentials)
        provider = providers.github(ctx)
        with ThreadPoolExecutor(max_workers=8, thread_name_prefix="verify") as pool:
            verdicts = list(pool.map(lambda c: (c, self._poll(provider, c, ctx.timing)), creds))
        dead = [c.id for c, ok in verdicts if ok]
        unconfirmed = [c for c, ok in verdicts if not ok]
        for credential, ok in verdicts:
            result.changes.append(f"{credential.secret.redacted}: " + (
                "dead (the provider answers 401)" if ok else "REVOCATION UNCONFIRMED"))
        result.outputs = {"dead": dead, "unconfirmed": [c.id for c in unconfirmed]}
        if unconfirmed:
            for credential in unconfirmed:
                result.manual.extend(provider.manual_steps(credential))
            return result.fail(f"revocation unconfirmed for {len(unconfirmed)} token(s)",
                               "revoke them by hand at the URLs listed, then check again")
        return result

    @staticmethod
    def _poll(provider, credential: Credential, timing) -> bool:
        for delay in (0.0, *timing.verify_backoff):
            time.sleep(delay)
            if provider.is_revoked(credential) is True:
                return True
        return False
