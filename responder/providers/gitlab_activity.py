"""What a GitLab account did recently, read with the suspect token before it is revoked.

Facts relied on (GitLab's doc/api/events.md, app/models/event.rb, push_event_payload.rb and
lib/api/entities/event.rb, read through the reference search):
- `GET /events` lists the authenticated user's own events, newest first; it needs the `read_user`
  or `api` scope. `after` and `before` are dates (YYYY-MM-DD) and exclusive, so the day before the
  window start is asked for and events are then compared with the exact start;
- `scope=all` adds the events of other users in the user's projects; with `action=joined` that is
  exactly "who became a member of one of my projects", the GitLab form of "collaborator added"
  (a `joined` event is authored by the member who joined, so the user's own feed never shows it);
- an event carries `project_id` (no path), `action_name` (`pushed to`, `pushed new`, `deleted`,
  `opened`, `created`/`imported` for a project, `accepted` for a merged merge request, `joined`,
  `left`, `commented on`, ...), `target_type` (`Issue`, `MergeRequest`, `Note`, `Milestone`,
  `WikiPage::Meta`, ...) and, for pushes, `push_data` {action: created | removed | pushed,
  ref_type: branch | tag, ref, commit_from, commit_to, commit_count, commit_title, ref_count};
- offset pagination: `x-next-page` is empty on the last page; `Link` has rel="next"; per_page is
  at most 100. Above 10,000 results GitLab drops `x-total`/`x-total-pages`, never `x-next-page`.

What the events API does not show (so it is a review step, not a silence): force pushes (push_data
has no "forced" flag), new personal access tokens, SSH keys, deploy keys, webhooks, CI/CD
variables, visibility changes and sign-ins. Those are in the user's settings pages and, for
administrators, the audit events.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from responder.activity.model import ActivityEvent, Capture
from responder.core.errors import ProviderError
from responder.core.times import parse_time
from responder.providers.review import since

if TYPE_CHECKING:
    from responder.activity.evidence import EvidenceStore
    from responder.core.http import Answer
    from responder.credentials.model import Credential
    from responder.providers.base import Identity
    from responder.providers.gitlab import GitLabProvider

MAX_PAGES = 5
PER_PAGE = 100
MAX_PROJECT_LOOKUPS = 20
VANTAGE = "suspect token before revocation"

# action_name (without push_data) → the verb of the normalised kind.
_VERBS = {"opened": "opened", "created": "created", "accepted": "merged", "closed": "closed",
          "reopened": "reopened", "updated": "updated", "destroyed": "deleted",
          "deleted": "deleted", "approved": "approved"}
_MEMBERSHIP = {"joined": "member_added", "left": "member_left",
               "removed due to membership expiration from": "member_expired"}


@dataclass(frozen=True)
class _Feed:
    label: str  # evidence file name prefix
    what: str  # how a gap names it
    params: dict[str, str]


@dataclass
class _Read:
    items: list[tuple[dict[str, Any], str]] = field(default_factory=list)  # (event, evidence file)
    gaps: list[tuple[str, str, str]] = field(default_factory=list)  # (what, why, hint)


def capture(provider: GitLabProvider, credential: Credential, identity: Identity,
            window_start: datetime, evidence: EvidenceStore, budget: float) -> Capture:
    """The account's events since `window_start`, and the members who joined its projects, read
    within `budget` seconds. Every raw page is saved; whatever could not be read is a gap."""
    user = identity.account
    result = Capture("gitlab", user, VANTAGE)
    deadline = time.monotonic() + budget
    after = (window_start.astimezone(UTC).date() - timedelta(days=1)).isoformat()
    hint = f"see {provider.host}/users/{user}/activity"
    feeds = [
        _Feed(f"gitlab-events-{user}", "events", {"after": after}),
        _Feed(f"gitlab-joined-{user}", "members who joined the account's projects",
              {"after": after, "scope": "all", "action": "joined"}),
    ]
    pool = ThreadPoolExecutor(max_workers=len(feeds), thread_name_prefix="gitlab-activity")
    try:
        futures = {pool.submit(_read, provider, credential, feed, evidence, deadline, hint): feed
                   for feed in feeds}
        done, _ = wait(futures, timeout=max(0.0, deadline - time.monotonic()))
        reads: list[_Read] = []
        for future, feed in futures.items():
            if future in done:
                reads.append(future.result())
            else:
                result.gap(feed.what, f"not read within the time budget ({budget:g} s)", hint)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    items: list[tuple[dict[str, Any], str]] = []
    seen: set[Any] = set()
    for read in reads:
        for what, why, gap_hint in read.gaps:
            result.gap(what, why, gap_hint)
        for raw, file in read.items:
            key = raw.get("id", id(raw))
            if key not in seen:
                seen.add(key)
                items.append((raw, file))
    projects = _project_paths(provider, credential, items, window_start, evidence, deadline)
    result.events = normalise(items, user, window_start, projects)
    return result


def _read(provider: GitLabProvider, credential: Credential, feed: _Feed,
          evidence: EvidenceStore, deadline: float, hint: str) -> _Read:
    """One feed, page by page (at most MAX_PAGES), each raw page saved as evidence."""
    out = _Read()
    page = 1
    while True:
        if time.monotonic() >= deadline:
            out.gaps.append((f"{feed.what}, page {page} onward",
                             "not read within the time budget", hint))
            return out
        query = {**feed.params, "per_page": str(PER_PAGE), "page": str(page)}
        request = f"GET {provider.base_url}/events?{urlencode(query)}"
        try:
            answer = provider.http.read("GET", "/events", params=query,
                                        headers={"private-token": credential.secret.reveal()})
        except ProviderError as error:
            out.gaps.append((f"{feed.what}, page {page}", error.message, hint))
            return out
        body = answer.data if answer.data is not None else {"body": answer.text[:2000]}
        file = evidence.save(f"{feed.label}-p{page}", request, body, answer.status).file
        if answer.status != 200 or not isinstance(answer.data, list):
            out.gaps.append((f"{feed.what}, page {page}", _refusal(answer), hint))
            return out
        out.items += [(raw, file) for raw in answer.data if isinstance(raw, dict)]
        following = _next_page(answer, page)
        if following is None:
            return out
        if page >= MAX_PAGES:
            total = answer.headers.get("x-total-pages")
            out.gaps.append((f"{feed.what} beyond page {MAX_PAGES}",
                             f"not read: responder reads at most {MAX_PAGES} pages of {PER_PAGE}"
                             + (f" ({total} pages in all)" if total else ""), hint))
            return out
        page = following


def _next_page(answer: Answer, page: int) -> int | None:
    """The next page from `x-next-page`, else the Link header, else a full page's guess."""
    header = answer.headers.get("x-next-page")
    if header is not None:
        return int(header) if header.strip().isdigit() else None
    for part in answer.headers.get("link", "").split(","):
        if 'rel="next"' in part:
            url = part.split(";")[0].strip().strip("<>")
            number = (parse_qs(urlsplit(url).query).get("page") or [""])[0]
            return int(number) if number.isdigit() else page + 1
    data = answer.data
    return page + 1 if isinstance(data, list) and len(data) >= PER_PAGE else None


def _refusal(answer: Answer) -> str:
    """Why a page could not be read, in the words a reviewer needs."""
    status, data = answer.status, answer.data
    detail = ""
    if isinstance(data, dict):
        text = data.get("error_description") or data.get("message") or data.get("error")
        detail = f" ({str(text)[:160]})" if text else ""
    if status == 401:
        return "GitLab says the token is no longer valid (401 Unauthorized), so its events " \
               "cannot be read"
    if status == 403:
        return ("GitLab refused (403): the token lacks the read_user or api scope the events "
                f"API needs{detail}")
    if status == 404:
        return "this GitLab instance has no events API (404; it came in GitLab 9.3)"
    if status == 429:
        return f"rate limited by GitLab (429, retry after " \
               f"{answer.headers.get('retry-after', '?')} s)"
    if status == 200:
        return "GitLab answered 200 with something that is not a list of events"
    return f"GitLab answered {status}{detail}"


def _project_paths(provider: GitLabProvider, credential: Credential,
                   items: list[tuple[dict[str, Any], str]], window_start: datetime,
                   evidence: EvidenceStore, deadline: float) -> dict[int, str]:
    """`project_id` → `group/project` for the projects of in-window events (events carry only
    the id). A failed lookup leaves the id: the event itself is already captured."""
    wanted: list[int] = []
    for raw, _ in items:
        pid, at = raw.get("project_id"), parse_time(raw.get("created_at"))
        if isinstance(pid, int) and pid not in wanted and at and at >= window_start:
            wanted.append(pid)
    wanted = wanted[:MAX_PROJECT_LOOKUPS]
    remaining = deadline - time.monotonic()
    if not wanted or remaining <= 0:
        return {}

    def lookup(pid: int) -> tuple[int, str | None]:
        try:
            answer = provider.http.read("GET", f"/projects/{pid}",
                                        headers={"private-token": credential.secret.reveal()})
        except ProviderError:
            return pid, None
        evidence.save(f"gitlab-project-{pid}", f"GET {provider.base_url}/projects/{pid}",
                      answer.data if answer.data is not None else {"body": answer.text[:2000]},
                      answer.status)
        data = answer.data
        path = data.get("path_with_namespace") if answer.status == 200 and isinstance(
            data, dict) else None
        return pid, str(path) if path else None

    pool = ThreadPoolExecutor(max_workers=min(8, len(wanted)), thread_name_prefix="gitlab-proj")
    try:
        futures = [pool.submit(lookup, pid) for pid in wanted]
        done, _ = wait(futures, timeout=remaining)
        return {pid: path for pid, path in (f.result() for f in done) if path}
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def normalise(items: list[tuple[dict[str, Any], str]], account: str, window_start: datetime,
              projects: dict[int, str]) -> list[ActivityEvent]:
    """GitLab events → ActivityEvents. Detail keys on every event: event_id, action_name,
    target_type, target_title, project_id, project, author; pushes add ref, ref_type,
    push_action, commit_from, commit_to, commit_count, commit_title; joins add member."""
    events = []
    for raw, file in items:
        pid = raw.get("project_id")
        project = projects.get(pid) if isinstance(pid, int) else None
        where = project or (f"project #{pid}" if pid is not None else account)
        author = str(raw.get("author_username") or (raw.get("author") or {}).get("username")
                     or account)
        kind, summary, extra = _describe(raw, where, author)
        at = raw.get("created_at")
        moment = parse_time(at)
        detail = {"event_id": raw.get("id"), "action_name": raw.get("action_name"),
                  "target_type": raw.get("target_type"), "target_title": raw.get("target_title"),
                  "project_id": pid, "project": project, "author": author, **extra}
        events.append(ActivityEvent(
            provider="gitlab", kind=kind, at=str(at or ""), account=account, target=where,
            summary=summary, source=file, in_window=bool(moment and moment >= window_start),
            detail=detail))
    return events


def _describe(raw: dict[str, Any], where: str, author: str
              ) -> tuple[str, str, dict[str, Any]]:
    """(kind, summary, extra detail) of one event."""
    name = str(raw.get("action_name") or "")
    push = raw.get("push_data")
    if isinstance(push, dict):
        ref_type = str(push.get("ref_type") or "ref")
        ref, action = push.get("ref"), str(push.get("action") or "pushed")
        extra = {"ref": ref, "ref_type": ref_type, "push_action": action,
                 "commit_from": push.get("commit_from"), "commit_to": push.get("commit_to"),
                 "commit_count": push.get("commit_count"),
                 "commit_title": push.get("commit_title")}
        if action == "created":
            return f"{ref_type}_created", f"{author} created {ref_type} {ref} in {where}", extra
        if action == "removed":
            return f"{ref_type}_deleted", f"{author} deleted {ref_type} {ref} in {where}", extra
        count = push.get("commit_count")
        commits = f"{count} commit{'s' if count != 1 else ''}" if count is not None else "commits"
        return "push", f"{author} pushed {commits} to {ref_type} {ref} in {where}", extra
    if name in _MEMBERSHIP:
        return _MEMBERSHIP[name], f"{author} {name} {where}", {"member": author}
    target_type = raw.get("target_type")
    if not target_type and name in ("created", "imported"):
        return f"project_{name}", f"{author} {name} project {where}", {}
    title = raw.get("target_title")
    thing = _snake(str(target_type)) if target_type else "target"
    if name == "commented on":
        return "comment_added", f"{author} commented in {where}" + (
            f" ({title})" if title else ""), {}
    verb = _VERBS.get(name)
    if verb is None:
        slug = "_".join(name.split()) or "unknown"
        return f"event_{slug}", f"{author} {name or 'acted on'} {thing} in {where}", {}
    label = f" {title!s}" if title else ""
    return f"{thing}_{verb}", f"{author} {name} {thing.replace('_', ' ')}{label} in {where}", {}


def _snake(text: str) -> str:
    """`MergeRequest` → `merge_request`; `WikiPage::Meta` → `wiki_page`."""
    text = text.split("::")[0]
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower()
                   for i, c in enumerate(text))


def review_steps(host: str, account: str | None, window_start: datetime) -> list[str]:
    """What only a person can see: sign-ins, sessions, new credentials, audit events.

    Paths: GitLab 16 moved the user settings from /-/profile/... to /-/user_settings/...; the old
    paths are named for older instances (the exact version is our reading, UNCONFIRMED). Instance
    audit events (/admin/audit_logs) exist only on self-managed instances. Group and project
    audit events are given by menu name: their URLs and tiers are UNCONFIRMED
    (shared/reference/providers.md §2)."""
    start = since(window_start)
    who = f" signed in as {account}" if account else " signed in as the token's user"
    steps = [
        f"Open {host}/-/user_settings/authentication_log{who} (GitLab before 16: "
        f"{host}/-/profile/audit_log): look for sign-ins since {start} from IP addresses or "
        "places you do not recognise.",
        f"Open {host}/-/user_settings/active_sessions (before 16: "
        f"{host}/-/profile/active_sessions): revoke every session you do not recognise.",
        f"Check for credentials created since {start}, which keep working after this token is "
        f"revoked: personal access tokens at {host}/-/user_settings/personal_access_tokens, SSH "
        f"keys at {host}/-/user_settings/ssh_keys, GPG keys at {host}/-/user_settings/gpg_keys "
        f"and authorized applications at {host}/-/user_settings/applications.",
    ]
    if urlsplit(host).hostname != "gitlab.com":
        steps.append(
            f"If you administer this instance, open {host}/admin/audit_logs and filter from "
            f"{start}: new tokens, SSH and deploy keys, webhooks, members, CI/CD variable and "
            "visibility changes made by this user.")
    steps.append(
        "On each group and project the user maintains, open Secure › Audit events (where your "
        f"GitLab tier has them) from {start}, and Settings › Repository › Deploy keys, "
        "Settings › Webhooks, Manage › Members and Settings › CI/CD › Variables: anything "
        "added or changed in the window. The events API shows none of these, nor force pushes.")
    return steps
