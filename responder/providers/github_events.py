"""GitHub's answers as normalised activity events, the shape flagging rules read.

Kinds come from three places that say the same things differently: the events API (`PushEvent`,
`MemberEvent`, ...), the lists (a key's or a webhook's `created_at`) and the audit log (`action`
names such as `hook.create`). Each event keeps the evidence file it was read from.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from responder.activity.model import ActivityEvent
from responder.core.times import parse_time
from responder.providers.github_activity import GitHubCapture

_EVENT_KINDS = {
    "PublicEvent": "repository_made_public",
    "ReleaseEvent": "release_published",
    "ForkEvent": "fork",
    "WatchEvent": "star",
    "IssuesEvent": "issue",
    "IssueCommentEvent": "issue_comment",
    "PullRequestEvent": "pull_request",
    "PullRequestReviewEvent": "pull_request_review",
    "PullRequestReviewCommentEvent": "pull_request_review_comment",
    "CommitCommentEvent": "commit_comment",
    "GollumEvent": "wiki_edited",
}

# Audit-log actions (GitHub Enterprise Cloud) → kinds. Unlisted actions keep `audit_<action>`.
_AUDIT_KINDS = {
    "repo.create": "repository_created",
    "repo.destroy": "repository_deleted",
    "repo.transfer": "repository_transferred",
    "repo.transfer_outgoing": "repository_transferred",
    "repo.rename": "repository_renamed",
    "repo.add_member": "collaborator_added",
    "repo.update_member": "collaborator_added",
    "repository_invitation.create": "invitation_sent",
    "org.add_member": "org_member_added",
    "org.invite_member": "org_member_added",
    "hook.create": "webhook_added",
    "hook.config_changed": "webhook_changed",
    "hook.events_changed": "webhook_changed",
    "public_key.create": "deploy_key_added",
    "deploy_key.create": "deploy_key_added",
    "integration_installation.create": "app_installed",
    "oauth_authorization.create": "oauth_app_authorized",
    "personal_access_token.request_created": "access_token_created",
    "protected_branch.destroy": "branch_protection_changed",
    "protected_branch.policy_override": "branch_protection_changed",
    "protected_branch.update_admin_enforced": "branch_protection_changed",
    "repository_ruleset.destroy": "branch_protection_changed",
    "repo.create_actions_secret": "secret_changed",
    "repo.update_actions_secret": "secret_changed",
    "org.create_actions_secret": "secret_changed",
    "org.update_actions_secret": "secret_changed",
    "git.push": "push",
    "git.clone": "repository_cloned",
    "release.publish": "release_published",
}


def normalise(capture: GitHubCapture, window_start: datetime) -> list[ActivityEvent]:
    login = capture.login
    events: list[ActivityEvent] = []

    def add(kind: str, at: Any, target: str, summary: str, source_key: str,
            detail: dict[str, Any] | None = None, source: str | None = None) -> None:
        moment = parse_time(at) if not isinstance(at, datetime) else at
        events.append(ActivityEvent(
            provider="github", kind=kind, at=moment.isoformat() if moment else str(at or ""),
            account=login, target=target, summary=summary,
            source=source if source is not None else capture.sources.get(source_key, ""),
            in_window=bool(moment and moment >= window_start), detail=detail or {},
        ))

    _from_events(capture, add)
    _from_lists(capture, add, window_start)
    _from_repositories(capture, add, window_start)
    _from_audit_log(capture, add)
    return events


Add = Callable[..., None]


def _from_events(capture: GitHubCapture, add: Add) -> None:
    for raw in capture.lists.get("events", []):
        etype, repo = raw.get("type", ""), (raw.get("repo") or {}).get("name", "")
        payload = raw.get("payload") or {}
        base = {"event_id": raw.get("id"), "type": etype, "public": raw.get("public")}
        kind = _EVENT_KINDS.get(etype, f"event_{etype}")
        summary = f"{etype} on {repo}"
        detail: dict[str, Any] = dict(base)
        source = None
        if etype == "PushEvent":
            kind, summary, detail, source = _push(capture, raw, repo, payload, base)
        elif etype == "MemberEvent":
            member = (payload.get("member") or {}).get("login", "?")
            kind = "collaborator_added" if payload.get("action") == "added" else "member_changed"
            summary = f"{member} {payload.get('action', 'changed')} as collaborator on {repo}"
            detail["member"] = member
        elif etype in ("CreateEvent", "DeleteEvent"):
            verb = "created" if etype == "CreateEvent" else "deleted"
            ref_type = payload.get("ref_type", "ref")
            kind = f"{ref_type}_{verb}"
            summary = f"{verb} {ref_type} {payload.get('ref') or repo}" + \
                (f" in {repo}" if ref_type != "repository" else "")
            detail["ref"] = payload.get("ref")
        elif etype == "ReleaseEvent":
            release = payload.get("release") or {}
            summary = f"release {release.get('tag_name', '?')} {payload.get('action', '')} " \
                      f"on {repo}"
            detail["tag"] = release.get("tag_name")
        elif etype == "PublicEvent":
            summary = f"{repo} made public"
        add(kind, raw.get("created_at"), repo or capture.login, summary, "events", detail,
            source)


def _push(capture: GitHubCapture, raw: dict[str, Any], repo: str, payload: dict[str, Any],
          base: dict[str, Any]) -> tuple[str, str, dict[str, Any], str | None]:
    ref = str(payload.get("ref") or "")
    branch = ref.removeprefix("refs/heads/")
    compared = capture.pushes.get(str(raw.get("id")))
    detail = {**base, "ref": ref, "before": payload.get("before"), "head": payload.get("head")}
    if compared is None:
        return "push", f"push to {repo} {branch} (files not compared)", detail, None
    files = compared["files"]
    workflows = [f for f in files if f.startswith(".github/workflows/")]
    detail.update(files=files, forced=compared["forced"], comparison=compared["status"],
                  workflow_files=workflows)
    parts = [f"{'force ' if compared['forced'] else ''}push to {repo} {branch}",
             f"{len(files)} file(s)"]
    if workflows:
        parts.append("workflows: " + ", ".join(workflows[:5]))
    source = ", ".join(x for x in (capture.sources.get("events", ""), compared["source"]) if x)
    return "push", "; ".join(parts), detail, source


def _from_lists(capture: GitHubCapture, add: Add, window_start: datetime) -> None:
    login = capture.login
    for key, kind, noun in (("keys", "ssh_key_added", "SSH key"),
                            ("gpg_keys", "gpg_key_added", "GPG key"),
                            ("ssh_signing_keys", "ssh_signing_key_added", "SSH signing key")):
        for raw in capture.lists.get(key, []):
            title = raw.get("title") or raw.get("key_id") or raw.get("id")
            add(kind, raw.get("created_at"), login, f"{noun} {title!s} on {login}", key,
                {"id": raw.get("id"), "title": title})
    installs = ", ".join(v for k, v in capture.sources.items() if k.startswith("installations"))
    for raw in capture.lists.get("installations", []):
        app = raw.get("app_slug") or raw.get("app_id") or "?"
        account = (raw.get("account") or {}).get("login", login)
        add("app_installed", raw.get("created_at"), str(account),
            f"app {app} installed on {account} ({raw.get('repository_selection', '?')} "
            f"repositories)", "installations",
            {"id": raw.get("id"), "app": app, "permissions": raw.get("permissions") or {}},
            source=installs)
    old_hosts = _hosts_before(capture, window_start)
    for repo, lists in capture.per_repo.items():
        for raw in lists.get("hooks", []):
            url = (raw.get("config") or {}).get("url", "")
            host = (urlsplit(url).hostname or "?").lower()
            add("webhook_added", raw.get("created_at"), repo,
                f"webhook to {host} on {repo} (events: {', '.join(raw.get('events') or [])})",
                f"{repo}#hooks", {"id": raw.get("id"), "host": host, "active": raw.get("active"),
                                  "new_host": host not in old_hosts})
        for raw in lists.get("keys", []):
            read_only = bool(raw.get("read_only", True))
            access = "read-only" if read_only else "read-write"
            add("deploy_key_added", raw.get("created_at"), repo,
                f"{access} deploy key {raw.get('title')!s} on {repo}", f"{repo}#keys",
                {"id": raw.get("id"), "read_only": read_only, "added_by": raw.get("added_by")})
        for raw in lists.get("invitations", []):
            invitee = (raw.get("invitee") or {}).get("login", "?")
            add("invitation_sent", raw.get("created_at"), repo,
                f"{invitee} invited to {repo} ({raw.get('permissions')})", f"{repo}#invitations",
                {"id": raw.get("id"), "invitee": invitee})


def _hosts_before(capture: GitHubCapture, window_start: datetime) -> set[str]:
    """Hosts that webhooks created before the window already send to: the known-good ones."""
    hosts = set()
    for lists in capture.per_repo.values():
        for raw in lists.get("hooks", []):
            created = parse_time(raw.get("created_at"))
            if created is not None and created < window_start:
                hosts.add((urlsplit((raw.get("config") or {}).get("url", "")).hostname or "")
                          .lower())
    return hosts


def _from_repositories(capture: GitHubCapture, add: Add, window_start: datetime) -> None:
    seen_created = {(e.get("repo") or {}).get("name") for e in capture.lists.get("events", [])
                    if e.get("type") == "CreateEvent"
                    and (e.get("payload") or {}).get("ref_type") == "repository"}
    for raw in capture.lists.get("repos", []):
        name = str(raw.get("full_name"))
        if name in seen_created:
            continue  # already an event of its own
        created = parse_time(raw.get("created_at"))
        if created is not None and created >= window_start:
            add("repository_created", raw.get("created_at"), name,
                f"repository {name} created ({raw.get('visibility', '?')})", "repos",
                {"visibility": raw.get("visibility"), "fork": raw.get("fork")})
    for name, state in capture.repo_state.items():
        touched = [e.get("created_at") for e in capture.lists.get("events", [])
                   if (e.get("repo") or {}).get("name") == name]
        last = max(touched, key=lambda t: parse_time(t) or datetime.min.replace(tzinfo=UTC),
                   default=None)
        if state["state"] == "missing":
            add("repository_missing", last, name, f"{name} was used in the window and no "
                "longer exists for the account (deleted or transferred)", "events",
                {"state": "missing"})
        elif state["state"] == "moved":
            moved_owner = state["now"].split("/")[0].lower() != name.split("/")[0].lower()
            add("repository_transferred" if moved_owner else "repository_renamed", last, name,
                f"{name} now lives at {state['now']}", "", {"now": state["now"]},
                source=state.get("source", ""))


def _from_audit_log(capture: GitHubCapture, add: Add) -> None:
    for entry in capture.audit.values():
        action = str(entry.get("action", "?"))
        millis = entry.get("@timestamp") or entry.get("created_at")
        at = datetime.fromtimestamp(millis / 1000, UTC) if isinstance(millis, int | float) \
            else parse_time(millis)
        repo = entry.get("repo") or entry.get("repository") or ""
        target = str(repo or entry.get("user") or entry.get("org") or entry.get("_org", ""))
        kind = _AUDIT_KINDS.get(action, f"audit_{action}")
        if action == "repo.access" and entry.get("visibility") == "public":
            kind = "repository_made_public"
        detail = {"action": action, "actor": entry.get("actor"),
                  "by_token": bool(entry.get("_by_token")), "org": entry.get("_org"),
                  "hash_form": entry.get("_hash_form"),
                  "country": (entry.get("actor_location") or {}).get("country_name")}
        url = _hook_url(entry.get("config"))
        if url:
            detail["host"] = (urlsplit(url).hostname or "?").lower()
        if entry.get("user"):
            detail["member"] = entry.get("user")
        who = f" by {entry.get('actor')}" if entry.get("actor") else ""
        token = " with the compromised token" if detail["by_token"] else ""
        add(kind, at, target, f"audit log: {action} on {target}{who}{token}",
            f"audit:{entry.get('_org', '')}", detail)


def _hook_url(config: Any) -> str:
    if isinstance(config, dict):
        return str(config.get("url") or "")
    if isinstance(config, list):
        return next((str(c.get("url")) for c in config if isinstance(c, dict) and c.get("url")),
                    "")
    return ""
