"""What a GitHub account did recently: pull it, as raw evidence, from two vantage points.

shared/reference/providers.md §4.5: the suspect token *before* revocation sees the account's
private events and its own lists (SSH, GPG and signing keys, repositories, organisations, app
installations); a responder token afterwards (`RESPONDER_GITHUB_TOKEN`) sees public events and,
with admin rights, repository webhooks, deploy keys and invitations, and an organisation owner's
token reads the GitHub Enterprise Cloud audit log filtered by the suspect token's `hashed_token`.

Each pull runs in two waves, every call of a wave at once (`github_pull.GitHubReader` keeps them
within GitHub's limits): first the lists, then what they point at (each admin repository's
settings, each push of the window compared with what it replaced, each repository the window's
events touched, each organisation's audit log). Whatever could not be seen is a `Gap`.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from responder.activity.model import Gap
from responder.core.times import parse_time
from responder.providers.github_pull import CONCURRENCY, GitHubReader, Listing

if TYPE_CHECKING:
    from responder.activity.evidence import EvidenceStore
    from responder.providers.github import GitHubProvider

EVENT_PAGES = 3  # GitHub keeps at most 300 events (3 pages of 100) for at most 30 days
MAX_PUSHES = 40  # pushes of the window compared with what they replaced
MAX_REPOS = 300  # admin repositories whose settings are read
NEW_BRANCH = "0" * 40
AUDIT_SCOPES = {"read:audit_log", "admin:org", "admin:enterprise"}

# What only the token's owner can list; none of it needs the login, so it is fetched while the
# identity call is still in flight.
OWN_LISTS: dict[str, tuple[str, dict[str, Any], str | None]] = {
    "keys": ("/user/keys", {}, None),
    "gpg_keys": ("/user/gpg_keys", {}, None),
    "ssh_signing_keys": ("/user/ssh_signing_keys", {}, None),
    "repos": ("/user/repos", {"sort": "pushed", "direction": "desc"}, None),
    "orgs": ("/user/orgs", {}, None),
    "installations": ("/user/installations", {}, "installations"),
}
REPO_LISTS = ("hooks", "keys", "invitations")


@dataclass
class GitHubCapture:
    login: str
    vantages: list[str] = field(default_factory=list)
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    per_repo: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    pushes: dict[str, dict[str, Any]] = field(default_factory=dict)  # event id → comparison
    repo_state: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → now
    audit: dict[str, dict[str, Any]] = field(default_factory=dict)  # _document_id → entry
    sources: dict[str, str] = field(default_factory=dict)  # "events", "o/r#hooks" → files
    gaps: list[Gap] = field(default_factory=list)
    complete: set[str] = field(default_factory=set)  # what some vantage read in full

    def merge(self, other: GitHubCapture) -> None:
        self.vantages += [v for v in other.vantages if v not in self.vantages]
        for key, items in other.lists.items():
            _extend(self.lists.setdefault(key, []), items)
        for repo, lists in other.per_repo.items():
            for key, items in lists.items():
                _extend(self.per_repo.setdefault(repo, {}).setdefault(key, []), items)
        for mine, theirs in ((self.pushes, other.pushes), (self.repo_state, other.repo_state),
                             (self.audit, other.audit), (self.sources, other.sources)):
            mine.update({k: v for k, v in theirs.items() if k not in mine})
        self.gaps += [gap for gap in other.gaps if gap not in self.gaps]
        self.complete |= other.complete

    def gap(self, what: str, why: str, hint: str = "") -> None:
        self.gaps.append(Gap("github", self.login, what, why, hint))

    def settle(self) -> None:
        """Drop the gaps another vantage filled: one token lacking a scope is no gap when
        another token of the account read the same list in full."""
        self.gaps = [gap for gap in self.gaps if gap.what not in self.complete]

    def store(self, key: str, listing: Listing, what: str) -> None:
        """A list read: keep what arrived, name where it is, and say what is missing."""
        if listing.items or listing.files:
            self.lists[key] = listing.items
            self.sources[key] = ", ".join(listing.files)
        if listing.problem:
            self.gap(what, listing.problem.why, listing.problem.hint)
        else:
            self.complete.add(what)

    def admin_repos(self) -> list[str]:
        names = [str(r.get("full_name")) for r in self.lists.get("repos", [])
                 if (r.get("permissions") or {}).get("admin")]
        return list(dict.fromkeys(names))

    def orgs(self) -> list[str]:
        names = [str(o.get("login")) for o in self.lists.get("orgs", []) if o.get("login")]
        names += [str((r.get("owner") or {}).get("login")) for r in self.lists.get("repos", [])
                  if (r.get("owner") or {}).get("type") == "Organization"]
        return sorted(set(names), key=str.lower)

    def window_events(self, window_start: datetime) -> list[dict[str, Any]]:
        return [e for e in self.lists.get("events", [])
                if (parse_time(e.get("created_at")) or window_start) >= window_start]


def _extend(mine: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> None:
    known = {_identity(item) for item in mine}
    mine.extend(item for item in theirs if _identity(item) not in known)


def _identity(item: dict[str, Any]) -> Any:
    return item.get("id", item.get("_document_id", repr(sorted(item.items()))[:200]))


@dataclass
class Pull:
    """One token's pull: who reads, what it may read, and until when."""

    provider: GitHubProvider
    token: str
    login: str
    window_start: datetime
    evidence: EvidenceStore
    budget: float
    as_owner: bool  # the suspect token itself, before revocation
    scopes: tuple[str, ...] | None = None
    hashed_token: str | None = None
    # Names this token's evidence apart from another token of the same account read at the
    # same moment, so the file names do not depend on which answer came first.
    tag: str = ""

    def reader(self) -> GitHubReader:
        who = (self.login if self.as_owner else "responder") or "suspect"
        return GitHubReader(self.provider, self.token, self.evidence,
                            time.monotonic() + self.budget, f"{who}-{self.tag}" if self.tag
                            else who)

    @property
    def vantage(self) -> str:
        return "suspect token before revocation" if self.as_owner else "responder token"


def own_lists(provider: GitHubProvider, token: str, evidence: EvidenceStore,
              budget: float, tag: str = "") -> GitHubCapture:
    """The owner-only lists of `token` (no login needed), every one at once."""
    reader = GitHubReader(provider, token, evidence, time.monotonic() + budget,
                          f"suspect-{tag}" if tag else "suspect")
    result = GitHubCapture(login="", vantages=["suspect token before revocation"])
    with ThreadPoolExecutor(max_workers=len(OWN_LISTS), thread_name_prefix="github-own") as pool:
        listings = dict(zip(OWN_LISTS, pool.map(
            lambda key: reader.pages(OWN_LISTS[key][0], f"own-{key}", OWN_LISTS[key][1],
                                     unwrap=OWN_LISTS[key][2]), OWN_LISTS), strict=True))
    for key, listing in listings.items():
        _store_own(result, key, listing, provider.web_url)
    return result


def _store_own(result: GitHubCapture, key: str, listing: Listing, web_url: str) -> None:
    problem = listing.problem
    if key == "installations" and problem and problem.status == 403:
        # Only GitHub App user tokens may list them; for a PAT this is expected.
        result.gap(_WHAT[key], "this kind of token cannot list them (403)",
                   f"check {web_url}/settings/installations by hand")
    elif problem and problem.status in (403, 404) and not listing.files:
        # GitHub hides an owner-only list from a token without its scope behind a 404.
        result.gap(_WHAT[key], f"this token cannot read them ({problem.status}: it lacks "
                   f"the {_SCOPE_FOR.get(key, 'needed')} scope)",
                   "another of the account's tokens, or the settings page, may show them")
    else:
        result.store(key, listing, _WHAT[key])


_SCOPE_FOR = {"keys": "read:public_key", "gpg_keys": "read:gpg_key",
              "ssh_signing_keys": "read:ssh_signing_key", "orgs": "read:org",
              "repos": "repo"}


_WHAT = {
    "keys": "SSH keys", "gpg_keys": "GPG keys", "ssh_signing_keys": "SSH signing keys",
    "repos": "repositories", "orgs": "organisations",
    "installations": "app installations on the account",
    "events": "events",
}


def capture(pull: Pull, known: GitHubCapture | None = None,
            owned: GitHubCapture | None = None) -> GitHubCapture:
    """Pull what `pull.token` can see of `pull.login`'s activity in the window.

    `owned`: the owner-only lists, already read by `own_lists` alongside the identity call.
    `known`: what earlier pulls captured (the review re-reads with a responder token), so
    repositories and organisations it learnt of are checked and finished comparisons are not
    repeated."""
    reader = pull.reader()
    result = GitHubCapture(login=pull.login, vantages=[pull.vantage])
    if owned is not None:
        result.merge(owned)
        result.login = pull.login
        result.gaps = [Gap(g.provider, pull.login, g.what, g.why, g.hint) for g in result.gaps]
    with ThreadPoolExecutor(max_workers=CONCURRENCY, thread_name_prefix="github-pull") as pool:
        lists = {"events": pool.submit(reader.pages, f"/users/{pull.login}/events",
                                       f"{pull.login}-events", None, EVENT_PAGES,
                                       pull.window_start)}
        if pull.as_owner and owned is None:
            for key, (url, params, unwrap) in OWN_LISTS.items():
                lists[key] = pool.submit(reader.pages, url, f"own-{key}", params, 5, None,
                                         unwrap)
        early = []
        if len(lists) == 1:
            # The repositories and organisations are already known: read their settings and
            # audit logs while the events are still on their way.
            early = [pool.submit(task) for task in _list_tasks(pull, reader, _view(known,
                                                                                   result))]
        for key, future in lists.items():
            if key == "events":
                result.store(key, future.result(), _WHAT[key])
            else:
                _store_own(result, key, future.result(), pull.provider.web_url)
        _events_limits(result, pull)
        view = _view(known, result)
        late = _event_tasks(pull, reader, view, known)
        if len(lists) > 1:
            late += _list_tasks(pull, reader, view)
        # Their own threads, so they need not queue behind the early reads; the reader's
        # slots still bound what is in flight.
        with ThreadPoolExecutor(max_workers=CONCURRENCY, thread_name_prefix="github-late") as more:
            for done in early + [more.submit(task) for task in late]:
                done.result()(result)  # each task returns how to record its answer
    return result


def _view(*parts: GitHubCapture | None) -> GitHubCapture:
    """Everything known so far, to decide what to read next."""
    view = GitHubCapture(login="")
    for part in parts:
        if part is not None:
            view.merge(part)
    return view


def _events_limits(result: GitHubCapture, pull: Pull) -> None:
    if len(result.lists.get("events", [])) >= 300:
        result.gap("events beyond GitHub's retention", "GitHub's events API keeps only the "
                   "latest 300 events, and all "
                   "300 are in use: older activity of the window is not in it",
                   "the rest is in the security log (https://github.com/settings/security-log)")
    if (pull.provider.now() - pull.window_start).days >= 30:
        result.gap("events beyond GitHub's retention", "GitHub keeps events for 30 days and "
                   "the window is longer",
                   "older activity is only in the security log or the audit log")


def _list_tasks(pull: Pull, reader: GitHubReader, view: GitHubCapture) -> list:
    """Reads that only need the lists: each organisation's audit log (a chain of calls, so
    first) and installations, then every admin repository's settings."""
    tasks = []
    may_audit = not pull.as_owner or bool(AUDIT_SCOPES & set(pull.scopes or ()))
    if pull.hashed_token and may_audit:
        from responder.providers.github_audit import audit_task

        tasks += [audit_task(reader, org, pull.hashed_token, pull.login, pull.window_start)
                  for org in view.orgs()]
    if not pull.as_owner:
        tasks += [_org_installations_task(reader, org) for org in view.orgs()]
    repos = view.admin_repos()
    if len(repos) > MAX_REPOS:
        tasks.append(_note("repository settings", f"{len(repos)} admin repositories; the "
                           f"{MAX_REPOS} most recently pushed were checked",
                           "check the rest by hand"))
        repos = repos[:MAX_REPOS]
    return tasks + [_repo_list_task(reader, repo, kind) for repo in repos for kind in REPO_LISTS]


def _event_tasks(pull: Pull, reader: GitHubReader, view: GitHubCapture,
                 known: GitHubCapture | None) -> list:
    """Reads the window's events point at: each push compared with what it replaced, each
    repository they touched that the account's list does not hold."""
    tasks = []
    done = known.pushes if known else {}
    pushes = [e for e in view.window_events(pull.window_start) if e.get("type") == "PushEvent"
              and str(e.get("id")) not in done]
    tasks += [_push_task(reader, event) for event in pushes[:MAX_PUSHES]]
    if len(pushes) > MAX_PUSHES:
        tasks.append(_note("pushes", f"{len(pushes)} pushes in the window; the latest "
                           f"{MAX_PUSHES} were compared", "compare the rest by hand"))
    listed = {str(r.get("full_name")).lower() for r in view.lists.get("repos", [])}
    touched = {str((e.get("repo") or {}).get("name")) for e in
               view.window_events(pull.window_start)} - {""}
    checked = known.repo_state if known else {}
    tasks += [_repo_state_task(reader, name, pull.as_owner) for name in sorted(touched)
              if name.lower() not in listed and name not in checked]
    return tasks


def _note(what: str, why: str, hint: str):
    """A gap known before any call, recorded like a task's answer."""
    return lambda: lambda result: result.gap(what, why, hint)


def _repo_list_task(reader: GitHubReader, repo: str, kind: str):
    def run():
        listing = reader.pages(f"/repos/{repo}/{kind}", f"{repo.replace('/', '_')}-{kind}")

        def record(result: GitHubCapture) -> None:
            if listing.items or listing.files:
                result.per_repo.setdefault(repo, {})[kind] = listing.items
                result.sources[f"{repo}#{kind}"] = ", ".join(listing.files)
            if listing.problem:
                result.gap(f"{repo} {_REPO_WHAT[kind]}", listing.problem.why,
                           listing.problem.hint)
            else:
                result.complete.add(f"{repo} {_REPO_WHAT[kind]}")
        return record
    return run


_REPO_WHAT = {"hooks": "webhooks", "keys": "deploy keys", "invitations": "invitations"}


def _push_task(reader: GitHubReader, event: dict[str, Any]):
    """Compare a push with what it replaced: the files it changed, and whether it rewrote
    history (a force push leaves `before` off the new head's ancestry)."""
    def run():
        repo = str((event.get("repo") or {}).get("name"))
        payload = event.get("payload") or {}
        before, head = str(payload.get("before") or ""), str(payload.get("head") or "")
        event_id = str(event.get("id"))
        safe = repo.replace("/", "_")
        if not head:
            answer, url = None, ""
        elif before in ("", NEW_BRANCH):
            url = f"/repos/{repo}/commits/{head}"
            answer = reader.one(url, f"{safe}-commit-{head[:12]}")
        else:
            url = f"/repos/{repo}/compare/{before}...{head}"
            answer = reader.one(url, f"{safe}-compare-{before[:7]}-{head[:7]}")

        def record(result: GitHubCapture) -> None:
            if answer is None:
                result.gap(f"push {event_id} to {repo}", "the event names no commit")
                return
            if answer.problem:
                why = answer.problem.why
                if answer.problem.status == 404:
                    why = ("its commits are no longer reachable (the branch was force-pushed "
                           "again, or the repository is gone)")
                result.gap(f"push to {repo} {payload.get('ref', '')} at "
                           f"{event.get('created_at')}", why, answer.problem.hint)
                return
            data = answer.data or {}
            files = [str(f.get("filename")) for f in data.get("files") or [] if f.get("filename")]
            status = data.get("status") if "status" in data else "new branch"
            result.pushes[event_id] = {
                "files": files, "status": status,
                "forced": status in ("diverged", "behind"),
                "source": ", ".join(answer.files),
            }
        return record
    return run


def _repo_state_task(reader: GitHubReader, name: str, as_owner: bool):
    """A repository the window's events touched but that is not in the account's list: gone,
    moved, or just someone else's."""
    def run():
        answer = reader.one(f"/repos/{name}", f"repo-{name.replace('/', '_')}")

        def record(result: GitHubCapture) -> None:
            if answer.problem and answer.problem.status == 404 and as_owner:
                # The suspect token touched it in the window and cannot see it now.
                result.repo_state[name] = {"state": "missing", "source": ""}
            elif answer.problem:
                result.gap(f"repository {name}", answer.problem.why, answer.problem.hint)
            else:
                data = answer.data or {}
                now = str(data.get("full_name") or name)
                result.repo_state[name] = {
                    "state": "moved" if now.lower() != name.lower() else "present",
                    "now": now, "visibility": data.get("visibility"),
                    "source": ", ".join(answer.files)}
        return record
    return run


def _org_installations_task(reader: GitHubReader, org: str):
    def run():
        listing = reader.pages(f"/orgs/{org}/installations", f"org-{org}-installations",
                               unwrap="installations")

        def record(result: GitHubCapture) -> None:
            if listing.items or listing.files:
                _extend(result.lists.setdefault("installations", []), listing.items)
                result.sources[f"installations:{org}"] = ", ".join(listing.files)
            if listing.problem:
                result.gap(f"app installations of {org}", listing.problem.why,
                           "an organisation owner's token can list them")
        return record
    return run
