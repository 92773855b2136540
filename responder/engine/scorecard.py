"""A drill's scorecard as data: how fast the run contained and revoked, what it left, what it
captured, and what a real run on this machine would additionally need.

Everything is read from the RunResult and the run directory; times are the step durations the
runner measured (wall clock), summed from the run's start to the end of the step in question.
The needs are computed from the credentials the drill met and the real environment of the
person drilling (never the sandbox's), so the list says what *this* user would be missing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from responder.activity.evidence import verify_manifest
from responder.engine.result import RunResult, StepRecord
from responder.providers.admin import ADMIN_VARIABLES

SEVERITIES = ("critical", "high", "medium", "low", "info")
# Step statuses as the scorecard groups them.
GROUPS = {"ok": "done", "failed": "failed", "manual": "manual", "skipped": "skipped",
          "refused": "refused", "planned": "planned"}
_MANIFESTS = frozenset({"MANIFEST.sha256", "manifest.jsonl"})
# Credentials a provider revokes only with a privileged credential of the user's: (provider,
# kind) → the variables that hold it (providers/admin.py documents each; the adapters' route()
# takes the admin route for exactly these).
_ADMIN_NEEDED: dict[tuple[str, str], tuple[str, ...]] = {
    ("openai", "project API key"): ("RESPONDER_OPENAI_ADMIN_KEY",),
    ("openai", "service account key"): ("RESPONDER_OPENAI_ADMIN_KEY",),
    ("openai", "API key (legacy)"): ("RESPONDER_OPENAI_ADMIN_KEY",),
    ("openai", "admin key"): ("RESPONDER_OPENAI_ADMIN_KEY",),
    ("anthropic", "API key"): ("RESPONDER_ANTHROPIC_ADMIN_KEY",),
    ("github", "OAuth app token"): ("RESPONDER_GITHUB_APP_CLIENT_ID",
                                    "RESPONDER_GITHUB_APP_CLIENT_SECRET"),
    ("github", "GitHub App user token"): ("RESPONDER_GITHUB_APP_CLIENT_ID",
                                          "RESPONDER_GITHUB_APP_CLIENT_SECRET"),
}


@dataclass(frozen=True)
class Milestone:
    reached: bool
    ms: int | None  # run start → end of the step that reached it; None when not reached
    detail: str  # what was reached, or why not
    pending: tuple[dict[str, str], ...] = ()  # what stands in the way, one item each

    def as_dict(self) -> dict[str, Any]:
        return {"reached": self.reached, "ms": self.ms, "detail": self.detail,
                "pending": [dict(p) for p in self.pending]}


@dataclass(frozen=True)
class Evidence:
    files: int  # listed in MANIFEST.sha256
    bytes: int  # their sizes
    intact: bool  # every listed file still matches its hash
    unlisted: int  # other files in evidence/ (neither manifest nor listed)
    directory: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Need:
    """One thing a real run would need beyond what the drill provided."""

    what: str  # a variable name, "network", "manual", "processes"
    state: str  # "missing" | "set" | "manual" | "note"
    detail: str

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Scorecard:
    run_id: str
    run_dir: str
    exit_code: int
    status: str
    total_ms: int
    containment: Milestone
    revocation: Milestone
    steps: Mapping[str, tuple[str, ...]]  # group (done, failed, manual, skipped...) → step ids
    left_manual: int  # to-do items the run left, each counted once
    evidence: Evidence
    findings: Mapping[str, int]  # severity → count, the steps' findings
    flagged: Mapping[str, int]  # severity → count, the review's flagged activity
    needs: tuple[Need, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "run_dir": self.run_dir, "exit_code": self.exit_code,
            "status": self.status, "total_ms": self.total_ms,
            "time_to_containment": self.containment.as_dict(),
            "time_to_revocation": self.revocation.as_dict(),
            "steps": {group: {"count": len(ids), "ids": list(ids)}
                      for group, ids in self.steps.items()},
            "left_manual": self.left_manual,
            "evidence": self.evidence.as_dict(),
            "findings": dict(self.findings),
            "flagged_activity": dict(self.flagged),
            "real_run_needs": [n.as_dict() for n in self.needs],
        }


def compute(result: RunResult, *, scenario_env: Mapping[str, Any],
            real_env: Mapping[str, str]) -> Scorecard:
    ends = _ends(result.steps)
    steps: dict[str, tuple[str, ...]] = {g: () for g in ("done", "failed", "manual", "skipped")}
    for record in result.steps:
        group = GROUPS.get(record.result.status, record.result.status)
        steps[group] = (*steps.get(group, ()), record.id)
    findings = Counter(f.severity for s in result.steps for f in s.result.findings)
    review = _step(result, "activity.review")
    flagged = Counter(str(f.get("severity")) for f in
                      (review.result.outputs.get("flagged") or [] if review else []))
    return Scorecard(
        run_id=result.run_id, run_dir=result.run_dir, exit_code=int(result.exit_code),
        status=result.status, total_ms=sum(s.duration_ms for s in result.steps),
        containment=containment(result, ends), revocation=revocation(result, ends),
        steps=steps, left_manual=len(dict.fromkeys(m["text"] for m in result.manual_steps())),
        evidence=evidence(Path(result.run_dir) / "evidence"),
        findings=_by_severity(findings), flagged=_by_severity(flagged),
        needs=needs(result, scenario_env, real_env),
    )


def scrubbed(card: Scorecard, scrub: Callable[[str], str]) -> Scorecard:
    """The card with `scrub` applied to every free text taken from the run (a step's error, a
    parser's message): the drill's own second line of defence, as the run has for its output."""
    def milestone(item: Milestone) -> Milestone:
        return replace(item, detail=scrub(item.detail),
                       pending=tuple({k: scrub(v) for k, v in p.items()} for p in item.pending))

    return replace(card, containment=milestone(card.containment),
                   revocation=milestone(card.revocation),
                   needs=tuple(replace(n, detail=scrub(n.detail)) for n in card.needs))


def _ends(records: list[StepRecord]) -> dict[str, int]:
    """Each step's end, in ms from the run's start (the steps run one after another)."""
    elapsed, ends = 0, {}
    for record in records:
        elapsed += record.duration_ms
        ends[record.id] = elapsed
    return ends


def _step(result: RunResult, kind: str) -> StepRecord | None:
    return next((s for s in result.steps if s.kind == kind), None)


def _by_severity(counts: Counter[str]) -> dict[str, int]:
    known = {s: counts[s] for s in SEVERITIES if counts.get(s)}
    return {**known, **{s: n for s, n in counts.items() if s not in known and n}}


def _not_run(record: StepRecord | None, what: str) -> str | None:
    if record is None:
        return f"the playbook has no {what} step"
    if record.result.status not in ("ok", "failed"):
        reason = f": {record.result.error}" if record.result.error else ""
        return f"the {record.id} step was {record.result.status}{reason}"
    return None


def containment(result: RunResult, ends: Mapping[str, int]) -> Milestone:
    """Reached when every config that defines the server was switched off and stayed so, and
    no config was left unread (an unparsed one may define it)."""
    contain = _step(result, "clients.disable")
    inventory = _step(result, "clients.inventory")
    why = _not_run(contain, "clients.disable")
    if why or contain is None:
        return Milestone(False, None, f"not reached: {why}")
    out = contain.result.outputs
    pending = [{"config": str(f).split(": ")[0], "why": str(f)} for f in out.get("failed") or []]
    pending += [{"config": "", "why": str(m)} for m in out.get("manual") or []]
    unparsed = (inventory.result.outputs.get("unparsed") or []) if inventory else []
    pending += [{"config": str(u.get("path")), "why": f"{u.get('where')}: {u.get('error')} "
                 f"(not parsed, not changed; it may still enable the server)"}
                for u in unparsed]
    recheck = _step(result, "clients.recheck")
    reverted = (recheck.result.outputs.get("reverted") or []) if recheck else []
    pending += [{"config": str(p), "why": "enabled again before the run ended"}
                for p in reverted]
    listed = (inventory.result.outputs.get("targets") or []) if inventory else []
    targets = list(dict.fromkeys(str(t.get("path")) for t in listed))
    written = len(out.get("disabled") or [])
    if pending or contain.result.status != "ok":
        blocked = {p["config"] for p in pending}
        off = len([t for t in targets if t not in blocked])
        return Milestone(False, None, f"not reached: switched off in {off} of "
                         f"{len(targets) + len(unparsed)} config file(s); {len(pending)} "
                         "problem(s) left, listed below", tuple(pending))
    already = len(out.get("already_disabled") or [])
    return Milestone(True, ends[contain.id],
                     f"switched off in all {len(targets)} config file(s) that define it; "
                     f"{written} file(s) written"
                     + (f", {already} already off" if already else ""))


def revocation(result: RunResult, ends: Mapping[str, int]) -> Milestone:
    """Reached when every credential the server was handed is proven dead by its provider."""
    inventory = _step(result, "clients.inventory")
    credentials = (inventory.result.outputs.get("credentials") or []) if inventory else []
    if not credentials:
        return Milestone(False, None, "not applicable: the server was handed no credential "
                         "responder could find")
    verify, revoke = _step(result, "tokens.verify"), _step(result, "tokens.revoke")
    dead = set((verify.result.outputs.get("dead") or []) if verify else [])
    buckets = revoke.result.outputs if revoke else {}
    unconfirmed = set((verify.result.outputs.get("unconfirmed") or []) if verify else [])
    pending = []
    for credential in credentials:
        if credential["id"] in dead:
            continue
        if credential.get("well_formed") is False:
            why = "malformed: never sent to a provider, manual step"
        elif credential["id"] in (buckets.get("manual") or []):
            why = "no revocation API with what the run has: manual step"
        elif credential["id"] in (buckets.get("failed") or []):
            why = "revocation failed: manual step"
        elif credential["id"] in unconfirmed:
            why = "revocation unconfirmed: the provider did not reject it"
        else:
            why = "not revoked"
        pending.append({"credential": str(credential.get("redacted")),
                        "provider": str(credential.get("provider") or "unknown"), "why": why})
    if pending or verify is None:
        counts = Counter(p["why"].split(":")[0] for p in pending)
        return Milestone(False, None,
                         f"not reached: {len(pending)} of {len(credentials)} unconfirmed ("
                         + ", ".join(f"{n} {why}" for why, n in counts.items()) + ")",
                         tuple(pending))
    return Milestone(True, ends[verify.id], f"{len(dead)} of {len(credentials)} credential(s) "
                     "proven dead")


def evidence(directory: Path) -> Evidence:
    manifest = directory / "MANIFEST.sha256"
    listed: list[str] = []
    if manifest.is_file():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                listed.append(line.partition("  ")[2])
    size = sum((directory / name).stat().st_size for name in listed
               if (directory / name).is_file())
    present = {p.name for p in directory.iterdir() if p.is_file()} if directory.is_dir() \
        else set()
    return Evidence(files=len(listed), bytes=size,
                    intact=not listed or not verify_manifest(directory),
                    unlisted=len(present - set(listed) - _MANIFESTS), directory=str(directory))


def needs(result: RunResult, scenario_env: Mapping[str, Any],
          real_env: Mapping[str, str]) -> tuple[Need, ...]:
    """What the drill supplied (simulators, the scenario's variables) that a real run here would
    have to find in the real environment, and what no run can do by itself."""
    inventory = _step(result, "clients.inventory")
    credentials = (inventory.result.outputs.get("credentials") or []) if inventory else []
    found: list[Need] = []

    def state(name: str) -> str:
        return "set" if str(real_env.get(name, "")).strip() else "missing"

    # Privileged credentials some providers need to revoke a key.
    wanted: dict[str, list[str]] = {}
    for credential in credentials:
        for name in _ADMIN_NEEDED.get((str(credential.get("provider")),
                                       str(credential.get("kind"))), ()):
            wanted.setdefault(name, []).append(str(credential.get("redacted")))
    for name, shown in wanted.items():
        found.append(Need(name, state(name), f"{ADMIN_VARIABLES[name]}: revokes "
                          f"{', '.join(shown)}; without it those are left as manual steps"))
    # The responder's own GitHub read credential, for the post-revocation review.
    if any(c.get("provider") == "github" for c in credentials):
        found.append(Need("RESPONDER_GITHUB_TOKEN", state("RESPONDER_GITHUB_TOKEN"),
                          "responder's own GitHub read token: once the server's tokens are "
                          "dead, the review re-checks the account's repositories, webhooks, "
                          "keys and audit log with it (without it: only the pre-revocation "
                          "snapshot)"))
    # Variables the server's definitions reference, which the drill set in its sandbox.
    referenced: dict[str, list[str]] = {}
    for credential in credentials:
        for origin in credential.get("origins") or []:
            variable = origin.get("variable")
            if variable and variable in scenario_env:
                referenced.setdefault(str(variable), []).append(str(credential.get("redacted")))
    for name, shown in referenced.items():
        found.append(Need(name, state(name), f"the server's config reads "
                          f"{', '.join(dict.fromkeys(shown))} from ${name}; the drill set it in "
                          "the sandbox, a real run reads it from its own environment (or the "
                          "shell the client started from)"))
    # Credentials no provider API can revoke.
    revoke = _step(result, "tokens.revoke")
    manual_ids = set((revoke.result.outputs.get("manual") or []) if revoke else [])
    by_provider: dict[str, list[str]] = {}
    for credential in credentials:
        if credential["id"] in manual_ids and credential.get("well_formed") is not False:
            by_provider.setdefault(str(credential.get("provider") or "unknown"), []).append(
                f"{credential.get('kind')} {credential.get('redacted')}")
    for provider, items in by_provider.items():
        found.append(Need(f"manual:{provider}", "manual",
                          f"{provider}: no revocation API for {', '.join(items)}; a person "
                          "revokes it at the place the run names"))
    hosts = _provider_hosts({str(c.get("provider")) for c in credentials})
    if hosts:
        found.append(Need("network", "note", "HTTPS access to " + ", ".join(hosts)
                          + " (the drill answered from simulators on 127.0.0.1)"))
    for record in result.steps:
        if record.kind == "processes.stop" and record.result.status == "skipped" \
                and "not this host" in (record.result.error or ""):
            found.append(Need("processes", "note", "a real run lists the server's running "
                              "processes on this host and stops them once you approve; the "
                              "drill does not look at this host's processes"))
    manual_steps = [s.id for s in result.steps if s.result.status == "manual"]
    if manual_steps:
        found.append(Need("manual:steps", "manual", f"{len(manual_steps)} step(s) have no API "
                          f"and are a person's job: {', '.join(manual_steps)}"))
    return tuple(found)


def _provider_hosts(providers: set[str]) -> list[str]:
    from responder.providers.registry import ADAPTERS, adapter_class

    hosts = []
    for name in sorted(providers & set(ADAPTERS)):
        url = adapter_class(name).default_url
        if url:
            hosts.append(urlsplit(url).netloc or url)
    return list(dict.fromkeys(hosts))
