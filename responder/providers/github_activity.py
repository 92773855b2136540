"""What a GitHub account did recently: pull it (as raw evidence) and normalise it.

Two vantage points (shared/reference/providers.md §4.5): the suspect token *before* revocation
sees the account's private events and its own key lists; a separate responder token afterwards
sees public events and, with admin rights, repository webhooks and deploy keys. Both pulls are
bounded in pages and time; whatever could not be seen is recorded as a gap, never as silence.
"""

from __future__ import annotations

import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from responder.activity.evidence import EvidenceStore
from responder.activity.model import ActivityEvent, parse_time
from responder.core.errors import ProviderError
from responder.providers.github import GitHubProvider

MAX_PAGES = 3
PER_PAGE = 100


@dataclass
class GitHubCapture:
    login: str
    vantage: str  # "suspect token before revocation" | "responder token"
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # "events", "keys", ...
    per_repo: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # list key → evidence file(s)
    gaps: list[str] = field(default_factory=list)

    def merge(self, other: GitHubCapture) -> None:
        for key, items in other.lists.items():
            known = {_identity(i) for i in self.lists.get(key, [])}
            self.lists.setdefault(key, []).extend(i for i in items if _identity(i) not in known)
        for repo, lists in other.per_repo.items():
            for key, items in lists.items():
                mine = self.per_repo.setdefault(repo, {}).setdefault(key, [])
                known = {_identity(i) for i in mine}
                mine.extend(i for i in items if _identity(i) not in known)
        self.sources.update({k: v for k, v in other.sources.items() if k not in self.sources})
        self.gaps.extend(other.gaps)


def _identity(item: dict[str, Any]) -> Any:
    return item.get("id", repr(sorted(item.items()))[:200])


def _pages(provider: GitHubProvider, token: str, url: str, params: dict[str, Any],
           evidence: EvidenceStore, label: str, stop_before: datetime | None = None
           ) -> tuple[list[dict[str, Any]], str]:
    """Walk a list endpoint page by page, saving each raw page as evidence."""
    gh = provider.client(token)
    items: list[dict[str, Any]] = []
    files: list[str] = []
    for page in range(1, MAX_PAGES + 1):
        query = {**params, "per_page": PER_PAGE, "page": page}
        headers, data = provider.call(gh, "GET", url, parameters=query)
        request = f"GET {provider.api_url}{url}?" + "&".join(f"{k}={v}" for k, v in query.items())
        files.append(evidence.save(f"github-{label}-p{page}", request, data).file)
        batch = data if isinstance(data, list) else []
        items.extend(batch)
        oldest = parse_time(batch[-1].get("created_at")) if batch else None
        if len(batch) < PER_PAGE or 'rel="next"' not in headers.get("link", ""):
            break
        if stop_before and oldest and oldest < stop_before:
            break
    return items, ", ".join(files)


# What only the token's owner can list; none of it needs the login, so it can be fetched while
# the identity call is still in flight.
OWN_LISTS: dict[str, tuple[str, dict[str, Any]]] = {
    "keys": ("/user/keys", {}),
    "gpg_keys": ("/user/gpg_keys", {}),
    "ssh_signing_keys": ("/user/ssh_signing_keys", {}),
    "repos": ("/user/repos", {"sort": "pushed", "direction": "desc"}),
}


def own_lists(provider: GitHubProvider, token: str, evidence: EvidenceStore, budget: float
              ) -> GitHubCapture:
    """The owner-only lists of `token`, within `budget` seconds (login not needed)."""
    result = GitHubCapture(login="", vantage="suspect token before revocation")
    deadline = time.monotonic() + budget
    with ThreadPoolExecutor(max_workers=len(OWN_LISTS), thread_name_prefix="github-own") as pool:
        futures = {pool.submit(_pages, provider, token, url, params, evidence, f"own-{key}"): key
                   for key, (url, params) in OWN_LISTS.items()}
        _collect(futures, deadline, result, lambda key, value: _store_list(result, key, value))
    return result


def capture(provider: GitHubProvider, token: str, login: str, window_start: datetime,
            evidence: EvidenceStore, budget: float, *, as_owner: bool,
            repos: list[str] | None = None, owned: GitHubCapture | None = None
            ) -> GitHubCapture:
    """Pull what `token` can see of `login`'s recent activity within `budget` seconds.
    `owned`: the owner-only lists, already fetched by `own_lists` alongside the identity call."""
    vantage = "suspect token before revocation" if as_owner else "responder token"
    result = GitHubCapture(login=login, vantage=vantage)
    if owned is not None:
        result.merge(owned)
    deadline = time.monotonic() + budget
    account_lists: dict[str, tuple[str, dict[str, Any]]] = {
        "events": (f"/users/{login}/events", {}),
    }
    if as_owner and owned is None:
        account_lists.update(OWN_LISTS)
    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="github-activity") as pool:
        futures = {
            pool.submit(_pages, provider, token, url, params, evidence, f"{login}-{key}",
                        window_start if key == "events" else None): key
            for key, (url, params) in account_lists.items()
        }
        if owned is None:  # the repositories to look at come from the lists being fetched
            _collect(futures, deadline, result,
                     lambda key, value: _store_list(result, key, value))
        targets = repos if repos is not None else _recent_admin_repos(result, window_start)
        repo_futures = {}
        for full_name in targets:
            for key in ("hooks", "keys", "invitations"):
                label = f"{full_name.replace('/', '_')}-{key}"
                future = pool.submit(_pages, provider, token, f"/repos/{full_name}/{key}", {},
                                     evidence, label)
                repo_futures[future] = f"{full_name}#{key}"
        if owned is not None:
            _collect(futures, deadline, result,
                     lambda key, value: _store_list(result, key, value))
        _collect(repo_futures, deadline, result,
                 lambda key, value: _store_repo(result, key, value))
    return result


def _store_list(result: GitHubCapture, key: str, value: tuple[list[dict[str, Any]], str]) -> None:
    result.lists[key], result.sources[key] = value


def _store_repo(result: GitHubCapture, key: str, value: tuple[list[dict[str, Any]], str]) -> None:
    repo, _, kind = key.partition("#")
    result.per_repo.setdefault(repo, {})[kind] = value[0]
    result.sources[f"{repo}#{kind}"] = value[1]


def _collect(futures: dict[Any, str], deadline: float, result: GitHubCapture, store) -> None:
    pending = set(futures)
    while pending:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        done, pending = wait(pending, timeout=remaining, return_when=FIRST_COMPLETED)
        for future in done:
            key = futures[future]
            try:
                store(key, future.result())
            except ProviderError as exc:
                result.gaps.append(f"{key}: not captured ({exc.message})")
    for future in pending:
        future.cancel()
        result.gaps.append(f"{futures[future]}: not captured within the time budget")


def _recent_admin_repos(result: GitHubCapture, window_start: datetime) -> list[str]:
    names = []
    for repo in result.lists.get("repos", []):
        pushed = parse_time(repo.get("pushed_at"))
        admin = (repo.get("permissions") or {}).get("admin")
        if admin and pushed and pushed >= window_start:
            names.append(str(repo.get("full_name")))
    return names


_EVENT_KINDS = {
    "PublicEvent": "repository_made_public",
    "ReleaseEvent": "release_published",
    "PushEvent": "push",
    "ForkEvent": "fork",
    "WatchEvent": "star",
    "IssuesEvent": "issue",
    "IssueCommentEvent": "issue_comment",
    "PullRequestEvent": "pull_request",
}


def normalise(capture: GitHubCapture, window_start: datetime) -> list[ActivityEvent]:
    login = capture.login
    events: list[ActivityEvent] = []

    def add(kind: str, at: Any, target: str, summary: str, source_key: str,
            detail: dict[str, Any] | None = None) -> None:
        moment = parse_time(at)
        events.append(ActivityEvent(
            provider="github", kind=kind, at=str(at or ""), account=login, target=target,
            summary=summary, source=capture.sources.get(source_key, ""),
            in_window=bool(moment and moment >= window_start), detail=detail or {},
        ))

    for raw in capture.lists.get("events", []):
        etype, repo = raw.get("type", ""), (raw.get("repo") or {}).get("name", "")
        payload = raw.get("payload") or {}
        kind = _EVENT_KINDS.get(etype, f"event_{etype}")
        if etype == "MemberEvent":
            kind = "collaborator_added" if payload.get("action") == "added" else "member_changed"
            member = (payload.get("member") or {}).get("login", "?")
            summary = f"{member} {payload.get('action', 'changed')} as collaborator on {repo}"
        elif etype == "CreateEvent":
            kind = f"{payload.get('ref_type', 'ref')}_created"
            summary = f"created {payload.get('ref_type')} {payload.get('ref') or repo}"
        elif etype == "DeleteEvent":
            kind = f"{payload.get('ref_type', 'ref')}_deleted"
            summary = f"deleted {payload.get('ref_type')} {payload.get('ref')} in {repo}"
        else:
            summary = f"{etype} on {repo}"
        add(kind, raw.get("created_at"), repo or login, summary, "events",
            {"event_id": raw.get("id"), "type": etype, "public": raw.get("public")})
    for key, kind, noun in (("keys", "ssh_key_added", "SSH key"),
                            ("gpg_keys", "gpg_key_added", "GPG key"),
                            ("ssh_signing_keys", "ssh_signing_key_added", "SSH signing key")):
        for raw in capture.lists.get(key, []):
            title = raw.get("title") or raw.get("key_id") or raw.get("id")
            add(kind, raw.get("created_at"), login, f"{noun} {title!s} on {login}", key,
                {"id": raw.get("id"), "title": title})
    for repo, lists in capture.per_repo.items():
        for raw in lists.get("hooks", []):
            url = (raw.get("config") or {}).get("url", "")
            host = urlsplit(url).hostname or "?"
            add("webhook_added", raw.get("created_at"), repo,
                f"webhook to {host} on {repo} (events: {', '.join(raw.get('events') or [])})",
                f"{repo}#hooks", {"id": raw.get("id"), "host": host,
                                  "active": raw.get("active")})
        for raw in lists.get("keys", []):
            read_only = bool(raw.get("read_only", True))
            access = "read-only" if read_only else "read-write"
            add("deploy_key_added", raw.get("created_at"), repo,
                f"{access} deploy key {raw.get('title')!s} on {repo}", f"{repo}#keys",
                {"id": raw.get("id"), "read_only": read_only})
        for raw in lists.get("invitations", []):
            invitee = (raw.get("invitee") or {}).get("login", "?")
            add("invitation_sent", raw.get("created_at"), repo,
                f"{invitee} invited to {repo} ({raw.get('permissions')})", f"{repo}#invitations",
                {"id": raw.get("id"), "invitee": invitee})
    return events
