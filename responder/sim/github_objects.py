"""JSON bodies of the GitHub simulator, shaped after the schemas in api.github.com-subset.json.

URLs that clients follow (``url``, ``hooks_url``, ``Link``) point at the simulator's base URL, so
PyGithub's lazy objects and paginated lists keep talking to it; ``html_url`` stays on github.com.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from responder.sim.server import iso

if TYPE_CHECKING:
    from responder.sim.github_state import GitHubState, Repo, User

WEB = "https://github.com"

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


def _time(value: datetime | str | None) -> str | None:
    return iso(value) if isinstance(value, datetime) else value


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


def _event_payload(
    base: str, event: dict[str, Any], repo_id: int, state: GitHubState
) -> dict[str, Any]:
    # Only the fields each payload schema requires are filled in; the seed's own payload wins.
    key = str(event["id"])
    defaults: dict[str, dict[str, Any]] = {
        "PushEvent": {
            "repository_id": repo_id,
            "push_id": int(key) if key.isdigit() else int(fake_sha(key)[:10], 16),
            "ref": "refs/heads/main",
            "head": fake_sha(key, "head"),
            "before": fake_sha(key, "before"),
        },
        "CreateEvent": {
            "ref": "main",
            "ref_type": "branch",
            "full_ref": "refs/heads/main",
            "master_branch": "main",
            "pusher_type": "user",
        },
        "DeleteEvent": {
            "ref": "topic",
            "ref_type": "branch",
            "full_ref": "refs/heads/topic",
            "pusher_type": "user",
        },
        "WatchEvent": {"action": "started"},
        "MemberEvent": {"action": "added"},
    }
    payload = {**defaults.get(event["type"], {}), **(event.get("payload") or {})}
    member = payload.get("member")
    # Seeds may name the added collaborator by login, or give only some of its fields.
    if isinstance(member, str):
        member = {"login": member}
    if isinstance(member, dict) and "login" in member:
        number, kind = state.identity(member["login"])
        payload["member"] = {**simple_user(base, member["login"], number, kind), **member}
    return payload


def event(base: str, item: dict[str, Any], state: GitHubState) -> dict[str, Any]:
    actor_login = item["actor"]
    actor_id, _ = state.identity(actor_login)
    repo_name = item["repo"]
    repo = state.repos.get(repo_name.lower())
    repo_id = repo.id if repo else state.identity(repo_name)[0]
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
