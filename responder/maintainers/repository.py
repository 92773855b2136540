"""Source repository URLs in one normal form (shared/reference/maintainers.md §2.1, §2.2, §2.4).

npm's `repository` field, PyPI project URLs, OCI `org.opencontainers.image.source` labels and git
sources in launch commands all name repositories, each in its own spelling:
`git+ssh://git@github.com/o/r.git`, `github:o/r`, `https://github.com/o/r/tree/main/src/x#readme`.
`parse_repository` turns every one of them into `SourceRepo("github.com", "o", "r", "src/x")`, and
answers None for anything that is not a repository (a homepage, a docs site, an owner's profile,
GitHub Sponsors): a wrong repository would send the disclosure to the wrong people.

Equality [design]: owner and name keep the case they were written in, for display, but on
github.com they compare case-insensitively because GitHub resolves `O/R` and `o/r` to the same
repository. Other hosts compare exactly: a self-hosted git server may well be case-sensitive.
`subpath` takes part in equality; compare `.key` to ask "same repository?" regardless of it.

UNCONFIRMED: GitLab's legacy project URLs without the `/-/` separator (`group/project/tree/...`)
are cut at the first well-known route word, which mis-reads a subgroup or project named like one.
A `/tree/<ref>/<path>` URL whose ref contains a slash cannot be told apart from a path; the first
segment after `tree` is taken as the ref.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from responder.maintainers.identity import PackageIdentity

GITHUB = "github.com"
GITLAB = "gitlab.com"
BITBUCKET = "bitbucket.org"

# Hosts whose owner/name compare case-insensitively (see the module docstring).
_CASE_INSENSITIVE = frozenset({GITHUB})

# Forges whose plain https URLs are repository pages; on any other host only a URL that says
# "git" (scheme, `.git` suffix, npm `type: git`) is taken for a repository.
_FORGES = frozenset({GITHUB, GITLAB, BITBUCKET, "codeberg.org", "gitea.com", "git.sr.ht"})
_ALIASES = {"www.github.com": GITHUB, "www.gitlab.com": GITLAB, "www.bitbucket.org": BITBUCKET,
            "ssh.github.com": GITHUB, "altssh.gitlab.com": GITLAB}
_SHORTHAND_HOSTS = {"github": GITHUB, "gitlab": GITLAB, "bitbucket": BITBUCKET}

# First path segments on github.com that are site pages, not owners.
_GITHUB_RESERVED = frozenset({
    "about", "account", "apps", "blog", "collections", "contact", "customer-stories",
    "codespaces", "dashboard", "enterprise", "events", "explore", "features", "git-guides",
    "issues", "join", "login", "logout", "marketplace", "new", "notifications", "orgs",
    "organizations", "pricing", "pulls", "readme", "search", "security", "sessions", "settings",
    "signup", "site", "sponsors", "stars", "team", "topics", "trending", "users", "watching",
    "advisories", "resources", "solutions", "premium-support",
})
# Route words that end a GitLab project path when the `/-/` separator is missing (legacy URLs).
_GITLAB_ROUTES = frozenset({"tree", "blob", "raw", "blame", "issues", "merge_requests", "wikis",
                            "commits", "commit", "tags", "releases", "pipelines", "jobs",
                            "activity", "compare", "branches", "graphs", "network", "snippets",
                            "security", "packages", "environments", "milestones", "labels"})

_GITHUB_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$")
_SEGMENT = re.compile(r"^[A-Za-z0-9_.~+-]+$")


@dataclass(frozen=True, eq=False)
class SourceRepo:
    host: str  # "github.com", "gitlab.com", "bitbucket.org", or another git host
    owner: str  # on GitLab may hold subgroups: "group/sub"
    name: str
    subpath: str | None = None  # monorepo directory: npm `repository.directory`, `/tree/<ref>/x`

    @property
    def slug(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def url(self) -> str:
        return f"https://{self.host}/{self.owner}/{self.name}"

    @property
    def is_github(self) -> bool:
        return self.host == GITHUB

    @property
    def key(self) -> str:
        """`host/owner/name`, equal for two spellings of the same repository; no subpath."""
        path = f"{self.owner}/{self.name}"
        return f"{self.host}/{path.lower() if self.host in _CASE_INSENSITIVE else path}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SourceRepo):
            return NotImplemented
        return (self.key, self.subpath) == (other.key, other.subpath)

    def __hash__(self) -> int:
        return hash((self.key, self.subpath))


def parse_repository(value: str | Mapping[str, Any] | None) -> SourceRepo | None:
    """The repository a metadata value names, or None when it names none (or only a guess)."""
    try:
        if isinstance(value, Mapping):
            return _from_mapping(value)
        if isinstance(value, str):
            return _from_text(value, assume_git=False)
    except (ValueError, TypeError):  # urlsplit on hostile input (bad ports, brackets)
        return None
    return None


def from_identity(identity: PackageIdentity) -> SourceRepo | None:
    """The repository a package identity alone determines: Go modules and git sources.

    Registry packages (npm, PyPI, JSR) and images need their metadata read first; an image's
    owner on ghcr.io is a guess at a repository, not a repository, so it gives None here.
    """
    try:
        if identity.ecosystem == "go":
            # Only where a repository is always exactly host/owner/name. A GitLab path may hold
            # subgroups, so which prefix is the module is a guess; vanity paths (golang.org/x,
            # go.acme.dev) resolve through a `go-get` <meta> tag, not through the path.
            host = identity.name.split("/", 1)[0].lower()
            if host not in (GITHUB, BITBUCKET):
                return None
            # Path segments after owner/name (a /v2 major-version suffix) are not read.
            return _from_text(f"https://{identity.name}", assume_git=False)
        if identity.ecosystem == "vcs":
            return _from_text(f"https://{identity.name}", assume_git=True)
    except (ValueError, TypeError):
        return None
    return None


# --- npm's repository field -------------------------------------------------------------------

def _from_mapping(value: Mapping[str, Any]) -> SourceRepo | None:
    url = value.get("url")
    if not isinstance(url, str):
        return None
    kind = value.get("type")
    if isinstance(kind, str) and kind.lower() not in ("git", ""):
        return None  # svn, hg: not something a git forge lookup can use
    repo = _from_text(url, assume_git=True)
    directory = value.get("directory")
    if repo is not None and isinstance(directory, str) and _clean_subpath(directory):
        return SourceRepo(repo.host, repo.owner, repo.name, _clean_subpath(directory))
    return repo


def _from_text(text: str, *, assume_git: bool) -> SourceRepo | None:
    text = text.strip()
    if not text or re.search(r"\s", text):
        return None
    shorthand = re.fullmatch(r"(github|gitlab|bitbucket|gist):([^#]+)(?:#.*)?", text)
    if shorthand:
        if shorthand.group(1) == "gist":
            return None  # a gist is a snippet, with no security policy or advisories
        host = _SHORTHAND_HOSTS[shorthand.group(1)]
        return _on_host(host, shorthand.group(2), assume_git=True)
    if re.fullmatch(r"[A-Za-z0-9][\w.-]*/[\w.-]+(?:#.*)?", text) and "." not in text.split("/")[0]:
        return _on_host(GITHUB, text.split("#")[0], assume_git=True)  # npm: "owner/repo"
    scp = re.fullmatch(r"(?:(?:git\+)?ssh://)?(?:[\w.~-]+@)?([\w-]+(?:\.[\w-]+)+)"
                       r":(?!//)(?!\d+(?:/|$))([^#]+)(?:#.*)?", text)
    if scp:  # git@github.com:o/r.git, and the invalid but common ssh://git@github.com:o/r
        return _on_host(scp.group(1), scp.group(2), assume_git=True)
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", text)
    if scheme is None:
        if re.match(r"^[\w-]+(?:\.[\w-]+)+/", text):  # github.com/o/r
            return _from_text(f"https://{text}", assume_git=assume_git)
        return None
    kind = scheme.group(1).lower()
    if kind.startswith("git+"):
        kind, text, assume_git = kind[4:], text[4:], True
    elif kind in ("git", "ssh"):
        assume_git = True
    if kind not in ("https", "http", "git", "ssh"):
        return None
    parts = urlsplit(text)
    host = parts.hostname or ""
    if not host or parts.port == 0:  # .port raises ValueError on a port that is no number
        return None
    path = parts.path
    if assume_git and "@" in path:  # uv and pip put a ref after the path: repo.git@v1.0
        path = path.split("@", 1)[0]
    return _on_host(host, path, assume_git=assume_git or path.rstrip("/").endswith(".git"))


# --- per host ---------------------------------------------------------------------------------

def _on_host(host: str, path: str, *, assume_git: bool) -> SourceRepo | None:
    host = _ALIASES.get(host.lower().rstrip("."), host.lower().rstrip("."))
    segments = [unquote(s) for s in path.split("/") if s]
    if host == GITHUB:
        return _github(segments)
    if host == GITLAB:
        return _gitlab(host, segments)
    if host == BITBUCKET:
        return _simple(host, segments, subpath_after=("src",))
    if host in _FORGES:  # Codeberg, Gitea, sourcehut: sub-path URLs differ, none is read
        return _simple(host, segments, subpath_after=())
    if not assume_git:
        return None  # a page on some host is not known to be a repository
    return _generic(host, segments)


def _github(segments: list[str]) -> SourceRepo | None:
    if len(segments) < 2 or segments[0].lower() in _GITHUB_RESERVED:
        return None
    owner, name = segments[0], _strip_git(segments[1])
    if not _GITHUB_OWNER.match(owner) or not _valid_name(name):
        return None
    subpath = None
    if len(segments) > 3 and segments[2] in ("tree", "blob"):
        tail = segments[4:]
        if segments[2] == "blob":
            tail = tail[:-1]  # a file: its folder is the sub-path
        subpath = _clean_subpath("/".join(tail))
    return SourceRepo(GITHUB, owner, name, subpath)


def _gitlab(host: str, segments: list[str]) -> SourceRepo | None:
    subpath = None
    if "-" in segments:
        cut = segments.index("-")
        route = segments[cut + 1:]
        if len(route) > 2 and route[0] in ("tree", "blob"):
            tail = route[2:-1] if route[0] == "blob" else route[2:]
            subpath = _clean_subpath("/".join(tail))
        segments = segments[:cut]
    else:
        for index, segment in enumerate(segments[2:], start=2):
            if segment in _GITLAB_ROUTES:
                segments = segments[:index]
                break
    if len(segments) < 2 or segments[0] in ("explore", "users", "groups", "dashboard", "help"):
        return None
    owner, name = "/".join(segments[:-1]), _strip_git(segments[-1])
    if not all(_SEGMENT.match(s) for s in segments[:-1]) or not _valid_name(name):
        return None
    return SourceRepo(host, owner, name, subpath)


def _simple(host: str, segments: list[str], *, subpath_after: tuple[str, ...]
            ) -> SourceRepo | None:
    """Forges with exactly `owner/name` (Bitbucket, Codeberg, Gitea, sourcehut `~owner/name`)."""
    if len(segments) < 2:
        return None
    owner, name = segments[0], _strip_git(segments[1])
    if not _SEGMENT.match(owner) or not _valid_name(name):
        return None
    subpath = None
    if len(segments) > 4 and segments[2] in subpath_after:
        subpath = _clean_subpath("/".join(segments[4:]))
    return SourceRepo(host, owner, name, subpath)


def _generic(host: str, segments: list[str]) -> SourceRepo | None:
    """Any other git host: the last segment is the repository, the rest its owner."""
    if len(segments) < 2:
        return None
    owner, name = "/".join(segments[:-1]), _strip_git(segments[-1])
    if not all(_SEGMENT.match(s) for s in segments[:-1]) or not _valid_name(name):
        return None
    return SourceRepo(host, owner, name)


def _strip_git(name: str) -> str:
    return name[:-4] if name.lower().endswith(".git") else name


def _valid_name(name: str) -> bool:
    return bool(_SEGMENT.match(name)) and name not in (".", "..")


def _clean_subpath(path: str) -> str | None:
    parts = [p for p in re.split(r"[\\/]+", path.strip()) if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return "/".join(parts)
