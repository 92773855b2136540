"""The simulated GitHub's state: users, tokens, repositories, events, rate buckets, and seeding.

Seeds are plain dicts (from YAML fixtures); times may be relative ("-3h") to the simulator's clock.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from responder.sim import github_objects as obj
from responder.sim.server import resolve_time

DOCS = obj.DOCS

TOKEN_KINDS = {
    "github_pat_": "fine_grained_pat",
    "ghp_": "classic_pat",
    "gho_": "oauth",
    "ghu_": "app_user",
    "ghr_": "app_refresh",
    "ghs_": "app_installation",
}
SCOPED_KINDS = frozenset({"classic_pat", "oauth"})  # the only kinds with x-oauth-scopes
REVOCABLE_BY_VALUE = frozenset(TOKEN_KINDS.values()) - {"app_installation"}
_TIME_KEYS = ("created_at", "updated_at", "pushed_at", "last_used", "expires_at")
FILE_STATUSES = frozenset({"added", "removed", "modified", "renamed", "copied", "changed",
                           "unchanged"})
HASH_FORMS = ("unpadded", "padded")
_EXPIRATION_HEADER = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (UTC|[+-]\d{4})$")


def token_kind(value: str) -> str | None:
    return next((kind for prefix, kind in TOKEN_KINDS.items() if value.startswith(prefix)), None)


@dataclass
class Token:
    value: str
    login: str
    kind: str
    scopes: list[str]
    expires_at: datetime | None = None
    expiration_header: str | None = None  # kept verbatim: GitHub's format varies by token kind
    revoked_at: datetime | None = None
    uses_after_revoke: int = 0
    app: str | None = None  # client id of the OAuth app / GitHub App that issued it


@dataclass
class User:
    login: str
    id: int
    type: str
    created_at: datetime
    updated_at: datetime
    data: dict[str, Any]
    keys: list[dict[str, Any]] = field(default_factory=list)
    gpg_keys: list[dict[str, Any]] = field(default_factory=list)
    ssh_signing_keys: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    installations: list[dict[str, Any]] = field(default_factory=list)  # visible to its ghu_ tokens


@dataclass
class Commit:
    sha: str  # always 40 hex
    alias: str  # as the seed wrote it
    parents: list[str]
    message: str
    author: str
    date: datetime
    files: list[dict[str, Any]]


@dataclass
class Org:
    login: str
    id: int
    ghec: bool  # only GitHub Enterprise Cloud organizations have the audit-log API
    owners: set[str]  # lower-case logins
    members: set[str]
    audit_log: list[dict[str, Any]]  # created_at resolved; "token" is the raw seeded value
    installations: list[dict[str, Any]]
    hash_form: str  # how this org's audit log writes hashed_token: "unpadded" | "padded"
    data: dict[str, Any]

    def is_owner(self, login: str | None) -> bool:
        return login is not None and login.lower() in self.owners

    def has_member(self, login: str | None) -> bool:
        return login is not None and login.lower() in self.owners | self.members


@dataclass
class Repo:
    full_name: str
    id: int
    private: bool
    created_at: datetime
    pushed_at: datetime
    updated_at: datetime
    data: dict[str, Any]
    roles: dict[str, str] = field(default_factory=dict)  # lower-case login -> permission level
    hooks: list[dict[str, Any]] = field(default_factory=list)
    deploy_keys: list[dict[str, Any]] = field(default_factory=list)
    invitations: list[dict[str, Any]] = field(default_factory=list)
    commits: dict[str, Commit] = field(default_factory=dict)  # full sha -> commit
    branches: dict[str, str] = field(default_factory=dict)  # name -> full sha
    former_names: list[str] = field(default_factory=list)  # before a transfer or rename
    private_vulnerability_reporting: bool = False
    files: dict[str, str] = field(default_factory=dict)  # path -> text on the default branch
    # The repository's PVR report template: {"sections": [{title, required, options}]}.
    report_template: dict[str, Any] | None = None

    def resolve(self, ref: str) -> Commit | None:
        """A branch name, a full or seeded sha, or an unambiguous hex prefix (4+ characters)."""
        if ref in self.branches:
            return self.commits[self.branches[ref]]
        ref = ref.lower()
        if ref in self.commits:
            return self.commits[ref]
        by_alias = [c for c in self.commits.values() if c.alias.lower() == ref]
        if by_alias:
            return by_alias[0]
        if obj.SHORT_SHA.match(ref):
            found = [c for sha, c in self.commits.items() if sha.startswith(ref)]
            return found[0] if len(found) == 1 else None
        return None

    @property
    def owner(self) -> str:
        return self.full_name.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.full_name.split("/", 1)[1]

    @property
    def visibility(self) -> str:
        return "private" if self.private else "public"

    def role(self, login: str | None) -> str | None:
        if login is None:
            return None
        if login.lower() == self.owner.lower():
            return "admin"
        return self.roles.get(login.lower())


@dataclass
class RateBucket:
    limit: int
    reset: datetime
    used: int = 0

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    def headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(int(self.reset.timestamp())),
            "x-ratelimit-used": str(self.used),
            "x-ratelimit-resource": "core",
        }


class GitHubState:
    """Users, tokens and repositories, plus a simulated clock that only moves via ``advance``."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = resolve_time(now or datetime.now(UTC), datetime.now(UTC))
        self.users: dict[str, User] = {}
        self.repos: dict[str, Repo] = {}
        self.moved: dict[str, Repo] = {}  # lower-case former full name -> the repository now
        self.orgs: dict[str, Org] = {}
        self.tokens: dict[str, Token] = {}
        self.apps: dict[str, str] = {}  # OAuth app / GitHub App client id → client secret
        self.revocations: list[tuple[str, str]] = []
        # Accepted private vulnerability reports: {repo, login, body, ghsa_id, created_at}.
        self.reports: list[dict[str, Any]] = []
        self.revoke_lag = 0
        self.unauthenticated_limit = 60
        self.authenticated_limit = 5000
        self.events_window = timedelta(days=30)
        self.events_cap = 300
        self.lock = threading.RLock()
        self._buckets: dict[str, RateBucket] = {}

    @classmethod
    def from_seed(cls, seed: dict[str, Any], now: datetime | None = None) -> GitHubState:
        state = cls(now)
        for app in seed.get("apps") or []:
            state.apps[str(app["client_id"])] = str(app["client_secret"])
        # Repositories first: an event's default visibility follows its repository's.
        for entry in seed.get("repos") or []:
            state.add_repo(entry)
        for entry in seed.get("orgs") or []:
            state.add_org(entry)
        for entry in seed.get("users") or []:
            state.add_user(entry)
        return state

    # seeding

    def _times(self, item: dict[str, Any], **defaults: str) -> dict[str, Any]:
        merged = {**defaults, **item}
        return {
            key: resolve_time(value, self.now) if key in _TIME_KEYS and value is not None else value
            for key, value in merged.items()
        }

    def add_user(self, entry: dict[str, Any]) -> User:
        login = entry["login"]
        if login.lower() in self.users:
            raise ValueError(f"duplicate user {login!r} in seed")
        data = self._times(entry, created_at="-1000d", updated_at="-30d")
        user = User(
            login=login,
            id=int(entry.get("id") or self.identity(login)[0]),
            type=entry.get("type", "User"),
            created_at=data["created_at"],
            updated_at=data["updated_at"],
            data=data,
            keys=[self._times(k, created_at="-90d") for k in entry.get("keys") or []],
            gpg_keys=[self._times(k, created_at="-90d") for k in entry.get("gpg_keys") or []],
            ssh_signing_keys=[
                self._times(k, created_at="-90d") for k in entry.get("ssh_signing_keys") or []
            ],
        )
        self.users[login.lower()] = user
        for item in entry.get("tokens") or []:
            self.add_token(login, item)
        for index, item in enumerate(entry.get("events") or []):
            self.add_event(login, item, index)
        for name in entry.get("orgs") or []:
            org = self.orgs.get(str(name).lower()) or self.add_org({"login": str(name)})
            org.members.add(login.lower())
        user.installations = [
            self._installation(item, login) for item in entry.get("installations") or []
        ]
        return user

    def add_token(self, login: str, item: dict[str, Any]) -> Token:
        value = item["value"]
        kind = token_kind(value)
        if kind is None:
            raise ValueError(f"token of {login!r} has an unknown prefix: {value[:6]}...")
        if value in self.tokens:
            raise ValueError(f"token {value[:6]}...{value[-4:]} is seeded twice")
        token = Token(value, login, kind, list(item.get("scopes") or []), app=item.get("app"))
        raw = item.get("expires_at")
        if raw is not None:
            token.expires_at = resolve_time(raw, self.now)
            # A seed already in GitHub's header format is sent verbatim (it varies by kind).
            verbatim = isinstance(raw, str) and _EXPIRATION_HEADER.match(raw)
            token.expiration_header = (
                raw if verbatim else token.expires_at.strftime("%Y-%m-%d %H:%M:%S UTC")
            )
        self.tokens[value] = token
        return token

    def add_event(self, login: str, item: dict[str, Any], index: int = 0) -> dict[str, Any]:
        event = self._times(item, created_at="-1h")
        repo = self.repo_named(str(event.get("repo", "")))
        event.setdefault("id", str(4_000_000_000 + int(event["created_at"].timestamp()) + index))
        event.setdefault("actor", login)
        event.setdefault("type", "PushEvent")
        event.setdefault("repo", f"{login}/{login}")
        # Events from private repositories are private unless the seed says otherwise.
        event.setdefault("public", not repo.private if repo else True)
        self.users[login.lower()].events.append(event)
        return event

    def add_repo(self, entry: dict[str, Any]) -> Repo:
        full_name = entry["full_name"]
        if full_name.lower() in self.repos:
            raise ValueError(f"duplicate repository {full_name!r} in seed")
        data = self._times(entry, created_at="-365d", pushed_at="-1d")
        repo = Repo(
            full_name=full_name,
            id=int(entry.get("id") or self.identity(full_name)[0]),
            private=bool(entry.get("private", False)),
            created_at=data["created_at"],
            pushed_at=data["pushed_at"],
            updated_at=data.get("updated_at") or data["pushed_at"],
            data=data,
            hooks=[self._times(h, created_at="-30d") for h in entry.get("hooks") or []],
            deploy_keys=[self._times(k, created_at="-30d") for k in entry.get("deploy_keys") or []],
            invitations=[self._times(i, created_at="-1d") for i in entry.get("invitations") or []],
            private_vulnerability_reporting=bool(entry.get("private_vulnerability_reporting")),
            files=_files(entry.get("files"), full_name),
            report_template=_report_template(entry.get("report_template"), full_name),
        )
        for person in entry.get("collaborators") or []:
            login, role = (
                (person, "push")
                if isinstance(person, str)
                else (person["login"], person.get("permission", "push"))
            )
            repo.roles[login.lower()] = obj.normalize_role(role)
        for login in entry.get("admins") or []:
            repo.roles[login.lower()] = "admin"
        self._add_history(repo, entry)
        moved_to = entry.get("moved_to")
        if moved_to:
            # The repository now lives under its new name; the seeded one only redirects.
            if moved_to.lower() in self.repos or "/" not in moved_to:
                raise ValueError(f"repository {full_name!r} cannot move to {moved_to!r}")
            repo.full_name, repo.former_names = moved_to, [full_name]
            self.moved[full_name.lower()] = repo
        self.repos[repo.full_name.lower()] = repo
        return repo

    def _add_history(self, repo: Repo, entry: dict[str, Any]) -> None:
        for item in entry.get("commits") or []:
            alias = str(item["sha"])
            sha = obj.full_sha(alias)
            if sha in repo.commits:
                raise ValueError(f"commit {alias!r} is seeded twice in {repo.full_name!r}")
            repo.commits[sha] = Commit(
                sha=sha,
                alias=alias,
                parents=[obj.full_sha(p) for p in item.get("parents") or []],
                message=str(item.get("message", f"Commit {alias}")),
                author=str(item.get("author") or repo.owner),
                date=resolve_time(item.get("date", "-1d"), self.now),
                files=[_file_change(f, repo.full_name, alias) for f in item.get("files") or []],
            )
        for commit in repo.commits.values():
            missing = [p for p in commit.parents if p not in repo.commits]
            if missing:
                raise ValueError(f"commit {commit.alias!r} of {repo.full_name!r} names a parent "
                                 f"that is not seeded: {missing[0][:12]}")
        for name, sha in (entry.get("branches") or {}).items():
            commit = repo.resolve(str(sha))
            if commit is None:
                raise ValueError(f"branch {name!r} of {repo.full_name!r} points at {sha!r}, "
                                 "which is not a seeded commit")
            repo.branches[str(name)] = commit.sha

    def add_org(self, entry: dict[str, Any]) -> Org:
        login = entry["login"]
        if login.lower() in self.orgs:
            raise ValueError(f"duplicate organization {login!r} in seed")
        hash_form = entry.get("hash_form", "unpadded")
        if hash_form not in HASH_FORMS:
            raise ValueError(f"organization {login!r}: hash_form must be one of {HASH_FORMS}")
        owners = {str(o).lower() for o in entry.get("owners") or []}
        org = Org(
            login=login,
            id=int(entry.get("id") or 50_000_000 + zlib.crc32(login.lower().encode()) % 10**7),
            ghec=bool(entry.get("ghec", False)),
            owners=owners,
            members={str(m).lower() for m in entry.get("members") or []} - owners,
            audit_log=[],
            installations=[],
            hash_form=hash_form,
            data=dict(entry),
        )
        self.orgs[login.lower()] = org
        for index, item in enumerate(entry.get("audit_log") or []):
            org.audit_log.append(self._audit_entry(org, item, index))
        org.installations = [self._installation(i, login) for i in entry.get("installations") or []]
        return org

    def _audit_entry(self, org: Org, item: dict[str, Any], index: int) -> dict[str, Any]:
        if "action" not in item:
            raise ValueError(f"audit-log entry {index} of {org.login!r} has no action")
        entry = dict(item)
        entry["created_at"] = resolve_time(item.get("created_at", "-1h"), self.now)
        entry.setdefault(
            "_document_id",
            base64.urlsafe_b64encode(
                hashlib.sha256(f"{org.login}:{index}:{item['action']}".encode()).digest()
            ).decode()[:22],
        )
        return entry

    def _installation(self, item: dict[str, Any], account: str) -> dict[str, Any]:
        for key in ("id", "app_slug"):
            if key not in item:
                raise ValueError(f"an installation seeded for {account!r} has no {key}")
        return self._times({"account": account, **item}, created_at="-30d")

    # queries

    def identity(self, login: str) -> tuple[int, str]:
        """Id and account type for any login; unseeded logins get a stable synthetic id."""
        user = self.users.get(login.lower())
        if user is not None:
            return user.id, user.type
        org = self.orgs.get(login.lower())
        if org is not None:
            return org.id, "Organization"
        is_org = any(repo.owner.lower() == login.lower() for repo in self.repos.values())
        return 50_000_000 + zlib.crc32(login.lower().encode()) % 10_000_000, (
            "Organization" if is_org else "User"
        )

    def user(self, login: str) -> User | None:
        return self.users.get(login.lower())

    def display_login(self, login: str) -> str:
        user = self.users.get(login.lower())
        return user.login if user else login

    def repo(self, owner: str, name: str) -> Repo | None:
        return self.repos.get(f"{owner}/{name}".lower())

    def repo_named(self, full_name: str) -> Repo | None:
        """By its name now or a former one (events keep the name the repository had then)."""
        key = full_name.lower()
        return self.repos.get(key) or self.moved.get(key)

    def moved_repo(self, owner: str, name: str) -> Repo | None:
        """The repository that used to be owner/name, unless a new one has taken the name."""
        key = f"{owner}/{name}".lower()
        return None if key in self.repos else self.moved.get(key)

    def repo_by_id(self, number: int) -> Repo | None:
        return next((repo for repo in self.repos.values() if repo.id == number), None)

    def org(self, login: str) -> Org | None:
        return self.orgs.get(login.lower())

    def orgs_of(self, login: str) -> list[Org]:
        return sorted((o for o in self.orgs.values() if o.has_member(login)), key=lambda o: o.id)

    def token_is_live(self, value: str) -> bool:
        token = self.tokens.get(value)
        return token is not None and token.revoked_at is None and not self.is_expired(token)

    def is_expired(self, token: Token) -> bool:
        return token.expires_at is not None and token.expires_at <= self.now

    def revoke(self, value: str, via: str) -> bool:
        with self.lock:
            token = self.tokens.get(value)
            if token is None or token.revoked_at is not None:
                return False
            token.revoked_at = self.now
            self.revocations.append((value, via))
            return True

    def advance(self, delta: timedelta) -> None:
        with self.lock:
            self.now += delta

    def bucket(self, key: str, limit: int) -> RateBucket:
        bucket = self._buckets.get(key)
        if bucket is None or bucket.reset <= self.now:
            bucket = self._buckets[key] = RateBucket(limit, self.now + timedelta(hours=1))
        return bucket


def _file_change(item: str | dict[str, Any], repo: str, commit: str) -> dict[str, Any]:
    change = {"filename": item} if isinstance(item, str) else dict(item)
    if "filename" not in change:
        raise ValueError(f"a file of commit {commit!r} in {repo!r} has no filename")
    change.setdefault("status", "modified")
    if change["status"] not in FILE_STATUSES:
        raise ValueError(f"file {change['filename']!r} of commit {commit!r} in {repo!r} has an "
                         f"unknown status {change['status']!r}")
    change.setdefault("additions", 0 if change["status"] == "removed" else 1)
    change.setdefault("deletions", 1 if change["status"] == "removed" else 0)
    return change


def _files(seeded: Any, repo: str) -> dict[str, str]:
    files = dict(seeded or {})
    for path, text in files.items():
        if not isinstance(path, str) or not path or path.startswith("/") or "//" in path:
            raise ValueError(f"file {path!r} of {repo!r} is not a relative path")
        if not isinstance(text, str):
            raise ValueError(f"file {path!r} of {repo!r} must be text")
    return files


def _report_template(seeded: Any, repo: str) -> dict[str, Any] | None:
    """Sections as {title, required, options: [{label, required}]}, in the template's order."""
    if seeded is None:
        return None
    sections = []
    for item in seeded.get("sections") or []:
        section = {"title": item} if isinstance(item, str) else dict(item)
        if not str(section.get("title") or "").strip():
            raise ValueError(f"a report template section of {repo!r} has no title")
        options = [{"label": o} if isinstance(o, str) else dict(o)
                   for o in section.get("options") or []]
        if any(not str(o.get("label") or "").strip() for o in options):
            raise ValueError(f"an option of section {section['title']!r} of {repo!r} has no label")
        sections.append({
            "title": str(section["title"]).strip(),
            "required": bool(section.get("required", False)),
            "options": [{"label": str(o["label"]).strip(), "required": bool(o.get("required"))}
                        for o in options],
        })
    return {"sections": sections}
