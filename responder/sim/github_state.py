"""The simulated GitHub's state: users, tokens, repositories, events, rate buckets, and seeding.

Seeds are plain dicts (from YAML fixtures); times may be relative ("-3h") to the simulator's clock.
"""

from __future__ import annotations

import re
import threading
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from responder.sim import github_objects as obj
from responder.sim.server import resolve_time

DOCS = "https://docs.github.com/rest"

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
        self.tokens: dict[str, Token] = {}
        self.apps: dict[str, str] = {}  # OAuth app / GitHub App client id → client secret
        self.revocations: list[tuple[str, str]] = []
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
        repo = self.repos.get(str(event.get("repo", "")).lower())
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
        self.repos[full_name.lower()] = repo
        return repo

    # queries

    def identity(self, login: str) -> tuple[int, str]:
        """Id and account type for any login; unseeded logins get a stable synthetic id."""
        user = self.users.get(login.lower())
        if user is not None:
            return user.id, user.type
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
