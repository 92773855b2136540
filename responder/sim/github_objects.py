"""JSON bodies of the GitHub simulator, shaped after the schemas in api.github.com-subset.json.

URLs that clients follow (``url``, ``hooks_url``, ``Link``) point at the simulator's base URL, so
PyGithub's lazy objects and paginated lists keep talking to it; ``html_url`` stays on github.com.
"""

from __future__ import annotations

import base64
import hashlib
import re
import zlib
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from responder.sim.server import Response, iso, resolve_time

if TYPE_CHECKING:
    from responder.sim.github_state import Commit, GitHubState, Org, Repo, User

WEB = "https://github.com"
DOCS = "https://docs.github.com/rest"
NO_SHA = "0" * 40  # a push's "before" when it created the branch

PERMISSION_LEVELS = ("pull", "triage", "push", "maintain", "admin")
_ROLE_ALIASES = {"read": "pull", "write": "push"}
_ROLE_NAMES = {"pull": "read", "triage": "triage", "push": "write", "maintain": "maintain"}


def normalize_role(role: str) -> str:
    role = _ROLE_ALIASES.get(role, role)
    if role not in PERMISSION_LEVELS:
        raise ValueError(f"unknown repository permission {role!r}")
    return role


def permissions(role: str | None) -> dict[str, bool]:
    rank = PERMISSION_LEVELS.index(role) if role else -1
    return {level: rank >= index for index, level in enumerate(PERMISSION_LEVELS)}


def role_name(role: str) -> str:
    return _ROLE_NAMES.get(role, role)


def node_id(kind: str, number: int) -> str:
    # GitHub's legacy global IDs: base64 of "<len(kind)>:<kind><id>", e.g. "04:User1".
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


def fake_sha(*parts: object) -> str:
    return hashlib.sha1(":".join(map(str, parts)).encode()).hexdigest()


FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
SHORT_SHA = re.compile(r"^[0-9a-f]{4,39}$")


def full_sha(value: str) -> str:
    """Seeds may write short or made-up shas ("a1b2c3d", "base"); the API always shows 40 hex.
    A hex prefix is kept, so the short form a person wrote still starts the full one."""
    value = str(value).strip().lower()
    if FULL_SHA.match(value):
        return value
    filler = fake_sha("seeded-commit", value)
    return (value + filler)[:40] if SHORT_SHA.match(value) else filler


def _time(value: datetime | str | None) -> str | None:
    return iso(value) if isinstance(value, datetime) else value


def error(status: int, message: str, doc: str = DOCS, **extra: Any) -> Response:
    """GitHub's error body: message, documentation_url and (since 2024) the status as a string."""
    body = {"message": message, "documentation_url": doc, "status": str(status), **extra}
    return Response(status, body)


def number_for(*parts: object) -> int:
    return zlib.crc32(":".join(map(str, parts)).encode()) % 10**9


# users


def simple_user(base: str, login: str, number: int, kind: str = "User") -> dict[str, Any]:
    api = f"{base}/users/{login}"
    return {
        "login": login,
        "id": number,
        "node_id": node_id(kind, number),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{number}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{WEB}/{login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": kind,
        "user_view_type": "public",
        "site_admin": False,
    }


def public_user(base: str, user: User, state: GitHubState) -> dict[str, Any]:
    data = user.data
    body = simple_user(base, user.login, user.id, user.type)
    body["site_admin"] = bool(data.get("site_admin", False))
    for key in ("name", "company", "blog", "location", "email", "hireable", "bio"):
        body[key] = data.get(key)
    body["blog"] = body["blog"] or ""
    body["twitter_username"] = data.get("twitter_username")
    owned = [repo for repo in state.repos.values() if repo.owner.lower() == user.login.lower()]
    body["public_repos"] = sum(not repo.private for repo in owned)
    body["public_gists"] = int(data.get("public_gists", 0))
    body["followers"] = int(data.get("followers", 0))
    body["following"] = int(data.get("following", 0))
    body["created_at"] = iso(user.created_at)
    body["updated_at"] = iso(user.updated_at)
    return body


def private_user(base: str, user: User, state: GitHubState) -> dict[str, Any]:
    body = public_user(base, user, state)
    private_repos = sum(
        repo.private for repo in state.repos.values() if repo.owner.lower() == user.login.lower()
    )
    body.update(
        user_view_type="private",
        notification_email=user.data.get("email"),
        private_gists=0,
        total_private_repos=private_repos,
        owned_private_repos=private_repos,
        disk_usage=int(user.data.get("disk_usage", 0)),
        collaborators=0,
        two_factor_authentication=bool(user.data.get("two_factor_authentication", True)),
        plan={"name": "free", "space": 976562499, "collaborators": 0, "private_repos": 10000},
    )
    return body


# activity


def _full_ref(ref_type: str, ref: str) -> str:
    return f"refs/tags/{ref}" if ref_type == "tag" else f"refs/heads/{ref}"


def _event_payload(
    base: str, event: dict[str, Any], repo_id: int, state: GitHubState
) -> dict[str, Any]:
    # Only the fields each payload schema requires are filled in; the seed's own payload wins.
    key = str(event["id"])
    seeded = dict(event.get("payload") or {})
    kind = event["type"]
    defaults: dict[str, dict[str, Any]] = {
        "PushEvent": {  # the 2025 shape: no commits, no size
            "repository_id": repo_id,
            "push_id": int(key) if key.isdigit() else int(fake_sha(key)[:10], 16),
            "ref": "refs/heads/main",
            "head": fake_sha(key, "head"),
            "before": fake_sha(key, "before"),
        },
        "CreateEvent": {"ref": "main", "ref_type": "branch", "master_branch": "main",
                        "description": None, "pusher_type": "user"},
        "DeleteEvent": {"ref": "topic", "ref_type": "branch", "pusher_type": "user"},
        "WatchEvent": {"action": "started"},
        # The schema requires a member; a seed that names none gets a stand-in.
        "MemberEvent": {"action": "added", "member": "new-collaborator"},
        "PublicEvent": {},
        "ReleaseEvent": {"action": "published", "release": {}},
    }
    payload = {**defaults.get(kind, {}), **seeded}
    if kind == "PushEvent":
        # Seeds name commits by their short seeded shas; the API shows the full ones.
        for field in ("head", "before"):
            payload[field] = full_sha(str(payload[field]))
    if kind in ("CreateEvent", "DeleteEvent"):
        # A repository's creation has no ref of its own; the schema still wants a string, so the
        # default branch stands in.
        if payload["ref_type"] == "repository" and "ref" not in seeded:
            payload["ref"] = payload.get("master_branch", "main")
        payload.setdefault("full_ref", _full_ref(payload["ref_type"], payload["ref"]))
    if kind == "ReleaseEvent" and isinstance(payload.get("release"), dict):
        payload["release"] = release(base, event, payload["release"], state)
    member = payload.get("member")
    # Seeds may name the added collaborator by login, or give only some of its fields.
    if isinstance(member, str):
        member = {"login": member}
    if isinstance(member, dict) and "login" in member:
        number, kind = state.identity(member["login"])
        payload["member"] = {**simple_user(base, member["login"], number, kind), **member}
    return payload


def release(
    base: str, event: dict[str, Any], seeded: dict[str, Any], state: GitHubState
) -> dict[str, Any]:
    """A published release as a ReleaseEvent carries it; the seed gives any of its fields."""
    repo_name = event["repo"]
    number = int(seeded.get("id") or number_for(event["id"], "release"))
    tag = str(seeded.get("tag_name", "v1.0.0"))
    api = f"{base}/repos/{repo_name}"
    author = seeded.get("author", event["actor"])
    if isinstance(author, str):
        author_id, author_kind = state.identity(author)
        author = simple_user(base, author, author_id, author_kind)
    times = {key: iso(resolve_time(seeded[key], state.now))
             for key in ("created_at", "published_at", "updated_at") if seeded.get(key)}
    created = times.get("created_at") or iso(event["created_at"])
    body = {
        "url": f"{api}/releases/{number}",
        "html_url": f"{WEB}/{repo_name}/releases/tag/{quote(tag)}",
        "assets_url": f"{api}/releases/{number}/assets",
        "upload_url": f"https://uploads.github.com/repos/{repo_name}/releases/{number}/assets"
        "{?name,label}",
        "tarball_url": f"{api}/tarball/{quote(tag)}",
        "zipball_url": f"{api}/zipball/{quote(tag)}",
        "id": number,
        "node_id": node_id("Release", number),
        "tag_name": tag,
        "target_commitish": "main",
        "name": tag,
        "body": None,
        "draft": False,
        "prerelease": False,
        "immutable": False,
        "created_at": created,
        "published_at": created,
        "updated_at": created,
        "assets": [],
    }
    return {**body, **seeded, **times, "id": number, "tag_name": tag, "author": author}


def event(base: str, item: dict[str, Any], state: GitHubState) -> dict[str, Any]:
    actor_login = item["actor"]
    actor_id, _ = state.identity(actor_login)
    repo_name = item["repo"]
    repo = state.repo_named(repo_name)  # a transferred repository keeps its id
    repo_id = repo.id if repo else state.identity(repo_name)[0]
    org = state.org(repo_name.split("/", 1)[0])
    extra = {"org": _actor(base, org.login, org.id, "orgs")} if org else {}
    return {
        "id": str(item["id"]),
        "type": item["type"],
        "actor": {
            "id": actor_id,
            "login": actor_login,
            "display_login": actor_login,
            "gravatar_id": "",
            "url": f"{base}/users/{actor_login}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{actor_id}?",
        },
        "repo": {"id": repo_id, "name": repo_name, "url": f"{base}/repos/{repo_name}"},
        "payload": _event_payload(base, item, repo_id, state),
        "public": bool(item["public"]),
        "created_at": iso(item["created_at"]),
        **extra,
    }


def _actor(base: str, login: str, number: int, kind: str = "users") -> dict[str, Any]:
    return {
        "id": number,
        "login": login,
        "gravatar_id": "",
        "url": f"{base}/{kind}/{login}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{number}?",
    }


# keys


def ssh_key(base: str, item: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": item["key"],
        "id": item["id"],
        "url": f"{base}/user/keys/{item['id']}",
        "title": item.get("title", ""),
        "created_at": _time(item["created_at"]),
        "verified": bool(item.get("verified", True)),
        "read_only": bool(item.get("read_only", False)),
        "last_used": _time(item.get("last_used")),
    }


def gpg_key(item: dict[str, Any], user: User) -> dict[str, Any]:
    email = user.data.get("email")
    return {
        "id": item["id"],
        "name": item.get("name"),
        "primary_key_id": None,
        "key_id": item["key_id"],
        "public_key": item.get("public_key", f"xsBNBF{item['key_id']}"),
        "emails": item.get("emails", [{"email": email, "verified": True}] if email else []),
        "subkeys": item.get("subkeys", []),
        "can_sign": bool(item.get("can_sign", True)),
        "can_encrypt_comms": bool(item.get("can_encrypt_comms", False)),
        "can_encrypt_storage": bool(item.get("can_encrypt_storage", False)),
        "can_certify": bool(item.get("can_certify", True)),
        "created_at": _time(item["created_at"]),
        "expires_at": _time(item.get("expires_at")),
        "revoked": bool(item.get("revoked", False)),
        "raw_key": item.get("raw_key", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n..."),
    }


def ssh_signing_key(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": item["key"],
        "id": item["id"],
        "title": item.get("title", ""),
        "created_at": _time(item["created_at"]),
    }


# repositories


def repository(
    base: str, repo: Repo, state: GitHubState, role: str | None, authenticated: bool
) -> dict[str, Any]:
    api = f"{base}/repos/{repo.full_name}"
    web = f"{WEB}/{repo.full_name}"
    owner_id, owner_kind = state.identity(repo.owner)
    data = repo.data
    body: dict[str, Any] = {
        "id": repo.id,
        "node_id": node_id("Repository", repo.id),
        "name": repo.name,
        "full_name": repo.full_name,
        "owner": simple_user(base, repo.owner, owner_id, owner_kind),
        "private": repo.private,
        "html_url": web,
        "description": data.get("description"),
        "fork": bool(data.get("fork", False)),
        "url": api,
        "git_url": f"git://github.com/{repo.full_name}.git",
        "ssh_url": f"git@github.com:{repo.full_name}.git",
        "clone_url": f"{web}.git",
        "svn_url": web,
        "mirror_url": None,
        "homepage": data.get("homepage"),
        "language": data.get("language"),
        "forks_count": 0,
        "forks": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "watchers": 0,
        "size": int(data.get("size", 0)),
        "default_branch": data.get("default_branch", "main"),
        "open_issues_count": 0,
        "open_issues": 0,
        "is_template": False,
        "topics": list(data.get("topics", [])),
        "has_issues": True,
        "has_projects": True,
        "has_wiki": not repo.private,
        "has_pages": False,
        "has_downloads": True,
        "has_discussions": False,
        "archived": bool(data.get("archived", False)),
        "disabled": False,
        "visibility": "private" if repo.private else "public",
        "pushed_at": iso(repo.pushed_at),
        "created_at": iso(repo.created_at),
        "updated_at": iso(repo.updated_at),
        "allow_forking": not repo.private,
        "web_commit_signoff_required": False,
        "license": None,
    }
    for suffix, path in _REPO_URLS.items():
        body[f"{suffix}_url"] = f"{api}/{path}" if path else api
    if authenticated:
        # GitHub leaves permissions out of anonymous responses.
        body["permissions"] = permissions(role)
        if role:
            body["role_name"] = role_name(role)
    return body


_REPO_URLS = {
    "archive": "{archive_format}{/ref}",
    "assignees": "assignees{/user}",
    "blobs": "git/blobs{/sha}",
    "branches": "branches{/branch}",
    "collaborators": "collaborators{/collaborator}",
    "comments": "comments{/number}",
    "commits": "commits{/sha}",
    "compare": "compare/{base}...{head}",
    "contents": "contents/{+path}",
    "contributors": "contributors",
    "deployments": "deployments",
    "downloads": "downloads",
    "events": "events",
    "forks": "forks",
    "git_commits": "git/commits{/sha}",
    "git_refs": "git/refs{/sha}",
    "git_tags": "git/tags{/sha}",
    "hooks": "hooks",
    "issue_comment": "issues/comments{/number}",
    "issue_events": "issues/events{/number}",
    "issues": "issues{/number}",
    "keys": "keys{/key_id}",
    "labels": "labels{/name}",
    "languages": "languages",
    "merges": "merges",
    "milestones": "milestones{/number}",
    "notifications": "notifications{?since,all,participating}",
    "pulls": "pulls{/number}",
    "releases": "releases{/id}",
    "stargazers": "stargazers",
    "statuses": "statuses/{sha}",
    "subscribers": "subscribers",
    "subscription": "subscription",
    "tags": "tags",
    "teams": "teams",
    "trees": "git/trees{/sha}",
}


def hook(base: str, repo: Repo, item: dict[str, Any]) -> dict[str, Any]:
    api = f"{base}/repos/{repo.full_name}/hooks/{item['id']}"
    config = {"content_type": "form", "insecure_ssl": "0", **item.get("config", {})}
    if config.get("secret"):
        config["secret"] = "********"  # GitHub never returns webhook secrets
    return {
        "type": "Repository",
        "id": item["id"],
        "name": item.get("name", "web"),
        "active": bool(item.get("active", True)),
        "events": list(item.get("events", ["push"])),
        "config": config,
        "updated_at": _time(item.get("updated_at", item["created_at"])),
        "created_at": _time(item["created_at"]),
        "url": api,
        "test_url": f"{api}/test",
        "ping_url": f"{api}/pings",
        "deliveries_url": f"{api}/deliveries",
        "last_response": item.get(
            "last_response", {"code": None, "status": "unused", "message": None}
        ),
    }


def deploy_key(base: str, repo: Repo, item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item["id"],
        "key": item["key"],
        "url": f"{base}/repos/{repo.full_name}/keys/{item['id']}",
        "title": item.get("title", ""),
        "verified": bool(item.get("verified", True)),
        "created_at": _time(item["created_at"]),
        "read_only": bool(item.get("read_only", True)),
        "added_by": item.get("added_by"),
        "last_used": _time(item.get("last_used")),
        "enabled": bool(item.get("enabled", True)),
    }


def invitation(base: str, repo: Repo, item: dict[str, Any], state: GitHubState) -> dict[str, Any]:
    def person(login: str | None) -> dict[str, Any] | None:
        if login is None:
            return None
        number, kind = state.identity(login)
        return simple_user(base, login, number, kind)

    admin = repository(base, repo, state, "admin", authenticated=False)
    return {
        "id": item["id"],
        "node_id": node_id("RepositoryInvitation", item["id"]),
        "repository": admin,
        "invitee": person(item.get("invitee")),
        "inviter": person(item.get("inviter", repo.owner)),
        "permissions": role_name(normalize_role(item.get("permissions", "write"))),
        "created_at": _time(item["created_at"]),
        "expired": bool(item.get("expired", False)),
        "url": f"{base}/user/repository-invitations/{item['id']}",
        "html_url": f"{WEB}/{repo.full_name}/invitations",
    }


def collaborator(base: str, login: str, role: str, state: GitHubState) -> dict[str, Any]:
    number, kind = state.identity(login)
    return {
        **simple_user(base, login, number, kind),
        "permissions": permissions(role),
        "role_name": role_name(role),
    }


# commits


def _git_person(login: str, moment: datetime, state: GitHubState) -> dict[str, Any]:
    number, _ = state.identity(login)
    user = state.user(login)
    name = (user.data.get("name") if user else None) or login
    email = f"{number}+{login}@users.noreply.github.com"
    return {"name": name, "email": email, "date": iso(moment)}


def diff_entry(base: str, repo: Repo, ref: str, change: dict[str, Any]) -> dict[str, Any]:
    api, web = f"{base}/repos/{repo.full_name}", f"{WEB}/{repo.full_name}"
    path = quote(change["filename"])
    additions, deletions = int(change["additions"]), int(change["deletions"])
    body = {
        "sha": change.get("sha") or fake_sha(ref, change["filename"], "blob"),
        "filename": change["filename"],
        "status": change["status"],
        "additions": additions,
        "deletions": deletions,
        "changes": additions + deletions,
        "blob_url": f"{web}/blob/{ref}/{path}",
        "raw_url": f"{web}/raw/{ref}/{path}",
        "contents_url": f"{api}/contents/{path}?ref={ref}",
    }
    for key in ("patch", "previous_filename"):
        if change.get(key):
            body[key] = change[key]
    return body


def commit(
    base: str, repo: Repo, item: Commit, state: GitHubState, files: bool = True
) -> dict[str, Any]:
    """A commit as GET /repos/{o}/{r}/commits/{ref} shows it; compare lists them without files."""
    api, web = f"{base}/repos/{repo.full_name}", f"{WEB}/{repo.full_name}"
    number, kind = state.identity(item.author)
    person = _git_person(item.author, item.date, state)
    tree = fake_sha(item.sha, "tree")
    body: dict[str, Any] = {
        "sha": item.sha,
        "node_id": node_id("Commit", int(item.sha[:8], 16)),
        "commit": {
            "author": person,
            "committer": person,
            "message": item.message,
            "tree": {"sha": tree, "url": f"{api}/git/trees/{tree}"},
            "url": f"{api}/git/commits/{item.sha}",
            "comment_count": 0,
            "verification": {"verified": False, "reason": "unsigned", "signature": None,
                             "payload": None, "verified_at": None},
        },
        "url": f"{api}/commits/{item.sha}",
        "html_url": f"{web}/commit/{item.sha}",
        "comments_url": f"{api}/commits/{item.sha}/comments",
        "author": simple_user(base, item.author, number, kind),
        "committer": simple_user(base, item.author, number, kind),
        "parents": [
            {"sha": sha, "url": f"{api}/commits/{sha}", "html_url": f"{web}/commit/{sha}"}
            for sha in item.parents
        ],
    }
    if files:
        entries = [diff_entry(base, repo, item.sha, change) for change in item.files]
        additions = sum(e["additions"] for e in entries)
        deletions = sum(e["deletions"] for e in entries)
        body["stats"] = {"additions": additions, "deletions": deletions,
                         "total": additions + deletions}
        body["files"] = entries
    return body


def comparison(
    base: str,
    repo: Repo,
    basehead: str,
    parts: dict[str, Any],
) -> dict[str, Any]:
    """The commit-comparison body around what the comparison found (status, counts, lists)."""
    api, web = f"{base}/repos/{repo.full_name}", f"{WEB}/{repo.full_name}"
    owner = repo.owner
    short = f"{owner}:{parts['base_commit']['sha'][:7]}...{owner}:{parts['head_sha'][:7]}"
    return {
        "url": f"{api}/compare/{basehead}",
        "html_url": f"{web}/compare/{basehead}",
        "permalink_url": f"{web}/compare/{short}",
        "diff_url": f"{web}/compare/{basehead}.diff",
        "patch_url": f"{web}/compare/{basehead}.patch",
        "base_commit": parts["base_commit"],
        "merge_base_commit": parts["merge_base_commit"],
        "status": parts["status"],
        "ahead_by": parts["ahead_by"],
        "behind_by": parts["behind_by"],
        "total_commits": parts["ahead_by"],
        "commits": parts["commits"],
        "files": parts["files"],
    }


# organizations and app installations


def organization_simple(base: str, org: Org) -> dict[str, Any]:
    api = f"{base}/orgs/{org.login}"
    return {
        "login": org.login,
        "id": org.id,
        "node_id": node_id("Organization", org.id),
        "url": api,
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events",
        "hooks_url": f"{api}/hooks",
        "issues_url": f"{api}/issues",
        "members_url": f"{api}/members{{/member}}",
        "public_members_url": f"{api}/public_members{{/member}}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{org.id}?v=4",
        "description": org.data.get("description"),
    }


def installation(base: str, item: dict[str, Any], state: GitHubState) -> dict[str, Any]:
    account = str(item.get("account"))
    number, kind = state.identity(account)
    slug = str(item["app_slug"])
    web_settings = (
        f"{WEB}/organizations/{account}/settings/installations"
        if kind == "Organization"
        else f"{WEB}/settings/installations"
    )
    return {
        "id": int(item["id"]),
        "account": simple_user(base, account, number, kind),
        "repository_selection": item.get("repository_selection", "all"),
        "access_tokens_url": f"{base}/app/installations/{item['id']}/access_tokens",
        "repositories_url": f"{base}/installation/repositories",
        "html_url": f"{web_settings}/{item['id']}",
        "app_id": int(item.get("app_id") or number_for("app", slug)),
        "client_id": item.get("client_id", f"Iv1.{fake_sha('app', slug)[:16]}"),
        "target_id": number,
        "target_type": kind,
        "permissions": dict(item.get("permissions") or {"metadata": "read"}),
        "events": list(item.get("events") or []),
        "created_at": _time(item["created_at"]),
        "updated_at": _time(item.get("updated_at", item["created_at"])),
        "single_file_name": None,
        "has_multiple_single_files": False,
        "single_file_paths": [],
        "app_slug": slug,
        "suspended_by": None,
        "suspended_at": None,
        "contact_email": None,
    }


# rate limits


def rate_limit_overview(core: dict[str, int], authenticated: bool) -> dict[str, Any]:
    reset = core["reset"]

    def bucket(limit: int) -> dict[str, int]:
        return {"limit": limit, "used": 0, "remaining": limit, "reset": reset}

    resources = {
        "core": core,
        "search": bucket(30 if authenticated else 10),
        "graphql": bucket(5000 if authenticated else 0),
        "code_search": bucket(10),
        "integration_manifest": bucket(5000),
        "source_import": bucket(100),
        "actions_runner_registration": bucket(10000),
        "scim": bucket(15000),
        "dependency_snapshots": bucket(100),
    }
    return {"resources": resources, "rate": core}
