"""tokens.snapshot, tokens.revoke, tokens.verify: identity first, then revoke, then proof.

Order matters: once a credential is revoked, who it belonged to and what only it could see
(private events, its own key lists) are gone. So the snapshot runs first, each provider's revoke is
sent once (batched where the provider allows), and verification polls each credential with the
credential itself until its provider rejects it. A revoke that cannot be proven is reported as
"revocation unconfirmed", never as done.

Every provider call of a step runs concurrently, and one provider failing (a timeout, a 500, a
429, garbage, even a bug in its adapter) never stops the others: it ends in a clear status and a
manual step for its own credentials.
"""

from __future__ import annotations

import time
from typing import Any

from responder.actions.base import Action, ActionInputs, Finding, Plan, StepResult
from responder.core import crashpoints
from responder.core.concurrency import concurrently, in_background
from responder.core.errors import ProviderError
from responder.credentials.model import Credential
from responder.providers.base import Identity, Probe, Provider, RevokeOutcome


def _credentials(ctx, items: list[Any]) -> list[Credential]:
    """The run's credentials behind step outputs' ids. One a resumed run could not read again
    (its config entry or variable is gone) is set aside in `lost` for a manual step."""
    found = []
    for item in items:
        credential_id = item["id"] if isinstance(item, dict) else str(item)
        if ctx.credentials.has(credential_id):
            found.append(ctx.credentials.get(credential_id))
        else:
            label = item.get("redacted") if isinstance(item, dict) \
                else ctx.shared.get("credential_labels", {}).get(credential_id)
            _lost(ctx)[credential_id] = str(label or f"credential {credential_id[:12]}")
    return found


def _earlier_identities(ctx) -> dict[str, Identity]:
    """The identities earlier attempts of a resumed run captured, by credential id."""
    found: dict[str, Identity] = {}
    for event in ctx.earlier:
        if event.get("event") == "step_finished" and event.get("uses") == Snapshot.name:
            for data in (event.get("outputs") or {}).get("identities") or []:
                identity = Identity.from_dict(data)
                found[identity.credential_id] = identity
    return found


def _tag(credential: Credential) -> str:
    """A few characters of the fingerprint: which token's capture an evidence file holds."""
    return credential.id.partition(":")[2][:8] or credential.id[:8]


def _lost(ctx) -> dict[str, str]:
    return ctx.shared.setdefault("lost_credentials", {})


def _identities(ctx) -> dict[str, Identity]:
    return ctx.shared.setdefault("identities", {})


def _already_dead(ctx) -> set[str]:
    return ctx.shared.setdefault("already_dead", set())


class Snapshot(Action):
    name = "tokens.snapshot"
    effect = "read"
    summary = ("Capture each credential's identity (account, type, scopes, expiry) through its "
               "provider, and what only a GitHub token can see of recent activity, before "
               "anything is revoked.")

    class Inputs(ActionInputs):
        credentials: list[dict[str, Any]]
        capture_activity: bool = True

    def apply(self, ctx, inputs: Inputs, plan: Plan) -> StepResult:
        result = StepResult()
        if ctx.offline:
            result.status = "skipped"
            result.error = "--offline: identities not captured"
            return result
        creds = _credentials(ctx, inputs.credentials)
        done = concurrently(creds, lambda c: self._one(ctx, c, inputs.capture_activity),
                            "identify")
        identities, failures, without = [], [], []
        before = _earlier_identities(ctx)
        for credential, identity, error, captured in done:
            if error is not None and error.status == 401 and credential.id in before:
                # Revoked by an earlier attempt of this run: who it was is in the journal.
                identity = before[credential.id]
                _already_dead(ctx).add(credential.id)
                _identities(ctx)[credential.id] = identity
                identities.append(identity)
                ctx.shared["snapshot_restored"] = True
                result.changes.append(f"{credential.secret.redacted}: revoked since an earlier "
                                      f"attempt captured it: {identity.provider} account "
                                      f"{identity.account} (id {identity.account_id})")
                continue
            if error is not None:
                failures.append({"id": credential.id, "redacted": credential.secret.redacted,
                                 "provider": credential.provider, "error": error.message,
                                 "status": error.status})
                if error.status == 401:
                    _already_dead(ctx).add(credential.id)
                continue
            if identity is None:
                without.append(credential.id)
                continue
            identities.append(identity)
            _identities(ctx)[credential.id] = identity
            self._describe(ctx, result, credential, identity)
            if captured is not None:
                self._keep(ctx, result, identity, captured)
        for failure in failures:
            if failure["status"] == 401:
                text = f"{failure['redacted']} is already invalid (401): nothing to capture"
            else:
                text = f"identity of {failure['redacted']} not captured: {failure['error']}"
            result.findings.append(Finding("medium", text))
        result.outputs = {
            "identities": [i.as_dict() for i in identities],
            "failed": failures,
            "no_identity": without,
        }
        return result

    def _one(self, ctx, credential: Credential, capture_activity: bool):
        provider = ctx.providers.for_credential(credential)
        owned = None
        github = (capture_activity and provider.name == "github"
                  and provider.route(credential) == "self"
                  and not credential.secret.reveal().startswith(("ghs_", "ghr_")))
        if github:
            # What only the owner can list needs no login: fetch it while /user is in flight.
            from responder.providers.github_activity import own_lists

            owned = in_background(own_lists, provider, credential.secret.reveal(),
                                  ctx.evidence, ctx.timing.snapshot_budget, _tag(credential),
                                  name="github-own")
        try:
            identity = provider.identify(credential)
        except ProviderError as error:
            return credential, None, error, None
        except Exception as error:  # noqa: BLE001 - one adapter's bug must not stop the others
            return credential, None, _adapter_bug(provider, error), None
        captured = None
        if identity is not None and owned is not None:
            from responder.providers.github_activity import Pull, capture

            captured = capture(Pull(provider, credential.secret.reveal(), identity.account,
                                    ctx.window_start, ctx.evidence, ctx.timing.snapshot_budget,
                                    as_owner=True, scopes=identity.scopes,
                                    hashed_token=identity.audit_handle,
                                    tag=_tag(credential)), owned=owned.result())
        elif identity is not None and capture_activity:
            try:
                captured = provider.capture_activity(credential, identity, ctx.window_start,
                                                     ctx.evidence, ctx.timing.snapshot_budget)
            except Exception as error:  # noqa: BLE001 - the capture is best effort
                from responder.activity.model import Capture

                captured = Capture(provider.name, identity.account, "suspect token before "
                                   "revocation")
                captured.gap("activity", f"not captured: internal error in the {provider.title} "
                             f"adapter ({type(error).__name__})", "review it by hand")
        return credential, identity, None, captured

    def restore(self, ctx, inputs: Inputs, outputs: dict[str, Any]) -> None:
        """Identities and known-dead tokens from the journal. What the suspect tokens saw is in
        evidence/ (and in activity.json if an earlier review finished)."""
        for data in outputs.get("identities") or []:
            identity = Identity.from_dict(data)
            _identities(ctx)[identity.credential_id] = identity
        for failure in outputs.get("failed") or []:
            if failure.get("status") == 401:
                _already_dead(ctx).add(str(failure["id"]))
        ctx.shared["snapshot_restored"] = True

    @staticmethod
    def _keep(ctx, result: StepResult, identity: Identity, captured: Any) -> None:
        from responder.providers.github_activity import GitHubCapture

        if isinstance(captured, GitHubCapture):
            captures = ctx.shared.setdefault("github_captures", {})
            # Each token of an account sees a different part of it (scopes): keep the union.
            if identity.account in captures:
                captures[identity.account].merge(captured)
            else:
                captures[identity.account] = captured
            count = sum(len(v) for v in captured.lists.values()) + sum(
                len(items) for lists in captured.per_repo.values() for items in lists.values())
        else:
            ctx.shared.setdefault("activity_captures", []).append(captured)
            count = len(captured.events)
        result.changes.append(f"captured {count} item(s) of {identity.provider} account "
                              f"{identity.account}'s recent activity as evidence before "
                              f"revocation")

    @staticmethod
    def _describe(ctx, result: StepResult, credential: Credential, identity: Identity) -> None:
        ctx.evidence.save(f"{identity.provider}-identity-{identity.account_id}",
                          f"{identity.provider} identity of {credential.secret.redacted} "
                          f"(suspect credential)", identity.as_dict())
        scopes = ", ".join(identity.scopes) if identity.scopes is not None else "not reported"
        result.changes.append(
            f"{credential.secret.redacted}: {identity.provider} account {identity.account} "
            f"(id {identity.account_id}), {identity.token_kind}, scopes: {scopes}, expires: "
            f"{identity.expires or 'never / not reported'}")
        for note in identity.notes:
            result.findings.append(Finding("info", f"{credential.secret.redacted}: {note}"))


class Revoke(Action):
    name = "tokens.revoke"
    effect = "irreversible"
    summary = ("Revoke every credential through its provider's API, concurrently (GitHub: all "
               "tokens in one unauthenticated POST /credentials/revoke); an exact manual step "
               "for the rest.")
    # Each batch is journaled before it is sent and its outcome after, so a resumed run never
    # sends a revocation twice: one an interrupted attempt may have sent is probed first.
    resumes_safely = True

    class Inputs(ActionInputs):
        credentials: list[dict[str, Any]]

    def plan(self, ctx, inputs: Inputs) -> Plan:
        creds = _credentials(ctx, inputs.credentials)
        if ctx.offline:
            # Nothing leaves the machine: no request is planned, so nothing asks for approval.
            return Plan(payload={"offline": creds})
        earlier = earlier_revocations(ctx.earlier)
        done = [c for c in creds if earlier.get(c.id) == "submitted"]
        uncertain = [c for c in creds if earlier.get(c.id) in ("sending", "unknown")]
        creds = [c for c in creds if c not in done]
        groups = ctx.providers.group(creds)
        requests: list[Any] = []
        summary = [f"{c.secret.redacted}: revoked by an earlier attempt of this run; not sent "
                   "again" for c in done]
        summary += [f"{c.secret.redacted}: an interrupted attempt may have revoked it; probed "
                    "first, sent only if it still works" for c in uncertain]
        dead = _already_dead(ctx)
        for provider, members in groups:
            automatic = [c for c in members if provider.route(c) != "manual"]
            # Found dead (401) by the snapshot: apply() sends nothing for these.
            send = [c for c in automatic if c.id not in dead]
            requests += provider.plan_revoke(send) if send else []
            summary += [f"revoke {c.provider} {c.kind} {c.secret.redacted} (irreversible)"
                        for c in send]
            summary += [f"send nothing for {c.provider} {c.kind} {c.secret.redacted}: already "
                        "invalid (401) at the snapshot" for c in automatic if c.id in dead]
            summary += [f"manual step for {c.provider or 'unknown'} {c.kind} "
                        f"{c.secret.redacted}" for c in members if c not in automatic]
        return Plan(summary=tuple(summary), requests=tuple(requests),
                    payload={"groups": groups, "done": done, "uncertain": uncertain})

    def apply(self, ctx, inputs: Inputs, plan: Plan) -> StepResult:
        result = StepResult()
        payload = plan.payload
        lost = dict(_lost(ctx))
        if "offline" in payload:
            for credential in payload["offline"]:
                result.manual.extend(ctx.providers.for_credential(credential)
                                     .manual_steps(credential))
            result.status = "skipped"
            result.error = "--offline: nothing revoked; revoke each credential by hand (listed)"
            result.outputs = {"to_verify": [], "submitted": [], "failed": [], "unknown": [],
                              "manual": [c.id for c in payload["offline"]]}
            return result
        dead = _already_dead(ctx)
        identities = _identities(ctx)
        outcomes: list[RevokeOutcome] = [
            RevokeOutcome(c.id, "submitted", "revoked by an earlier attempt of this run "
                          "(journal); not sent again") for c in payload["done"]]
        groups = payload["groups"]
        if payload["uncertain"]:
            settled, groups = self._settle(ctx, payload["uncertain"], groups)
            outcomes += settled
        for group in concurrently(groups, lambda g: self._group(ctx, g[0], g[1], identities,
                                                                dead), "revoke"):
            outcomes += group
        buckets: dict[str, list[str]] = {"submitted": [], "failed": [], "unknown": [],
                                         "manual": []}
        for outcome in outcomes:
            credential = ctx.credentials.get(outcome.credential_id)
            buckets[outcome.status].append(outcome.credential_id)
            result.changes.append(f"{credential.secret.redacted} ({credential.provider or '?'}): "
                                  f"{outcome.status}: {outcome.detail}")
            if outcome.status != "submitted":
                result.manual.extend(outcome.manual)
        for credential_id, label in lost.items():
            buckets["failed"].append(credential_id)
            result.changes.append(f"{label}: not revoked: this resumed run could not read its "
                                  "value again")
            result.manual.append(f"Revoke {label} by hand: its config entry or environment "
                                 "variable is gone, so the resumed run could not read it again")
        result.outputs = {**buckets, "to_verify": buckets["submitted"] + buckets["unknown"]}
        if buckets["failed"]:
            return result.fail(f"{len(buckets['failed'])} credential(s) not revoked",
                               "use the manual steps listed; containment already holds")
        return result

    @staticmethod
    def _settle(ctx, uncertain: list[Credential], groups: list[tuple[Provider, list[Credential]]]
                ) -> tuple[list[RevokeOutcome], list[tuple[Provider, list[Credential]]]]:
        """Credentials an interrupted attempt may have revoked: probed (with the verify step's
        patience, since revocation takes a moment to propagate). Dead ones are settled; one
        that still works is sent again; one no probe can judge is left to verify, unsent."""
        outcomes: list[RevokeOutcome] = []
        hold: set[str] = set()
        for credential, probe in concurrently(
                uncertain, lambda c: (c, VerifyRevoked.poll(ctx, c)), "probe"):
            if probe.verdict == "dead":
                outcomes.append(RevokeOutcome(credential.id, "submitted", "revoked before the "
                                              f"interruption: {probe.detail}"))
                hold.add(credential.id)
            elif probe.verdict != "alive":
                outcomes.append(RevokeOutcome(credential.id, "unknown", "an interrupted "
                                              "attempt may have revoked it and no probe can tell "
                                              f"({probe.detail}); not sent twice"))
                hold.add(credential.id)
        remaining = [(p, [c for c in members if c.id not in hold]) for p, members in groups]
        return outcomes, [(p, members) for p, members in remaining if members]

    @staticmethod
    def _group(ctx, provider: Provider, members: list[Credential],
               identities: dict[str, Identity], dead: set[str]) -> list[RevokeOutcome]:
        # Known dead before revoking (401 at identity): nothing to send; verify proves it.
        outcomes = [RevokeOutcome(c.id, "submitted", "already invalid when its identity was "
                                  "captured (401): nothing sent")
                    for c in members if c.id in dead and provider.route(c) != "manual"]
        todo = [c for c in members if c.id not in dead or provider.route(c) == "manual"]
        sent = [c.id for c in todo if provider.route(c) != "manual"]
        if sent:
            ctx.journal.record("revoke_sending", provider=provider.name, credentials=sent)
        try:
            outcomes += provider.revoke(todo, identities)
        except ProviderError as error:
            outcomes += [provider.outcome_of_error(c, error) for c in todo]
        except Exception as error:  # noqa: BLE001 - one adapter's bug must not stop the others
            bug = _adapter_bug(provider, error)
            outcomes += [provider.failed(c, bug.message) for c in todo]
        crashpoints.reached("revoke:sent")  # the provider has it; the journal does not yet
        ctx.journal.record("revoke_outcomes", provider=provider.name, outcomes=[
            {"credential": o.credential_id, "status": o.status} for o in outcomes])
        return outcomes


def earlier_revocations(events: tuple[dict[str, Any], ...]) -> dict[str, str]:
    """Per credential id, the last word of earlier attempts' journals: "sending" (sent, no
    answer recorded: a kill came in between) or the outcome's status."""
    state: dict[str, str] = {}
    for event in events:
        if event.get("event") == "revoke_sending":
            state.update(dict.fromkeys(event.get("credentials") or [], "sending"))
        elif event.get("event") == "revoke_outcomes":
            for outcome in event.get("outcomes") or []:
                state[str(outcome.get("credential"))] = str(outcome.get("status"))
    return state


class VerifyRevoked(Action):
    name = "tokens.verify"
    effect = "read"
    summary = ("Prove each revoked credential is dead: probe it with itself until its provider "
               "rejects it (bounded polling, concurrently); anything else is reported as "
               "revocation unconfirmed.")

    class Inputs(ActionInputs):
        credentials: list[str]

    def apply(self, ctx, inputs: Inputs, plan: Plan) -> StepResult:
        result = StepResult()
        if not inputs.credentials and not _lost(ctx):
            result.status = "skipped"
            result.error = "no revocation to verify"
            return result
        creds = _credentials(ctx, inputs.credentials)
        verdicts = concurrently(creds, lambda c: (c, self.poll(ctx, c)), "verify")
        dead = [c.id for c, probe in verdicts if probe.verdict == "dead"]
        unconfirmed = [c for c, probe in verdicts if probe.verdict != "dead"]
        lost = dict(_lost(ctx))  # revoke could not send these, so they are not in to_verify
        for label in lost.values():
            result.changes.append(f"{label}: REVOCATION UNCONFIRMED (its value could not be "
                                  "read again, so it cannot be probed)")
            result.manual.append(f"Check at its provider that {label} is revoked")
        for credential, probe in verdicts:
            if probe.verdict == "dead":
                result.changes.append(f"{credential.secret.redacted}: dead ({probe.detail})")
            else:
                result.changes.append(f"{credential.secret.redacted}: REVOCATION UNCONFIRMED "
                                      f"({probe.detail})")
        result.outputs = {"dead": dead, "unconfirmed": [c.id for c in unconfirmed] + list(lost)}
        if unconfirmed or lost:
            for credential in unconfirmed:
                result.manual.extend(ctx.providers.for_credential(credential)
                                     .manual_steps(credential))
            count = len(unconfirmed) + len(lost)
            return result.fail(f"revocation unconfirmed for {count} credential(s)",
                               "revoke them by hand at the places listed, then check again")
        return result

    @staticmethod
    def poll(ctx, credential: Credential) -> Probe:
        provider = ctx.providers.for_credential(credential)
        last = Probe("unknown", "not checked")
        for delay in (0.0, *ctx.timing.verify_backoff):
            time.sleep(delay)
            try:
                last = provider.probe(credential)
            except Exception as error:  # noqa: BLE001 - a probe must never end the step
                last = Probe("unknown", _adapter_bug(provider, error).message)
            if last.verdict == "dead":
                return last
            if not last.retry:
                return last  # no later answer can differ (the provider has no check for it)
        return last


def _adapter_bug(provider: Provider, error: Exception) -> ProviderError:
    return ProviderError(f"internal error in the {provider.title} adapter "
                         f"({type(error).__name__}); its credentials need the manual step",
                         hint="please report this as a responder bug")
