"""What GitHub says about a source repository: does it exist, is private vulnerability reporting
on, and where is its security policy (maintainers.md §4 and §5).

Read through PyGithub's requester with the responder's own token when one is set (never a
suspect one), anonymously otherwise. The lookups run side by side; each one that fails becomes a
gap, never an exception.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from responder.core.concurrency import concurrently
from responder.maintainers.model import Gap
from responder.maintainers.repository import SourceRepo

POLICY_PATHS = ("SECURITY.md", ".github/SECURITY.md", "docs/SECURITY.md")


@dataclass(frozen=True)
class Policy:
    repository: str  # "o/r" or "o/.github"
    path: str
    text: str
    html_url: str
    inherited: bool  # from the owner's `.github` repository


@dataclass
class RepoFacts:
    repo: SourceRepo
    exists: bool | None = None  # None: could not tell
    full_name: str | None = None  # as GitHub spells it now (after a rename or transfer)
    html_url: str | None = None
    homepage: str | None = None
    archived: bool = False
    fork: bool = False
    pvr: bool | None = None  # private vulnerability reporting enabled; None: unknown
    pvr_source: str = ""
    policy: Policy | None = None
    gaps: list[Gap] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.full_name or self.repo.slug


class GitHubReader:
    def __init__(self, gh: Any, api_url: str, save) -> None:
        self.gh = gh
        self.api_url = api_url.rstrip("/")
        self.save = save

    def call(self, path: str) -> tuple[int, Any]:
        """(status, data): 0 when GitHub could not be reached."""
        from github import GithubException
        from requests.exceptions import RequestException

        try:
            _, data = self.gh.requester.requestJsonAndCheck("GET", f"{self.api_url}{path}")
            return 200, data
        except GithubException as exc:
            return exc.status, exc.data
        except RequestException as exc:
            return 0, {"message": type(exc).__name__}

    def facts(self, repo: SourceRepo) -> RepoFacts:
        found = RepoFacts(repo)
        slug = repo.slug
        jobs = {"repo": f"/repos/{slug}", "pvr": f"/repos/{slug}/private-vulnerability-reporting"}
        jobs |= {f"file:{p}": f"/repos/{slug}/contents/{p}" for p in POLICY_PATHS}
        answers = dict(zip(jobs, concurrently(list(jobs.values()), self.call, "gh-maint"),
                           strict=True))
        status, data = answers["repo"]
        if status == 200 and isinstance(data, dict):
            self.save(f"github-{slug}", f"GET {self.api_url}/repos/{slug}", data)
            found.exists = True
            found.full_name = data.get("full_name")
            found.html_url = data.get("html_url")
            found.homepage = data.get("homepage") or None
            found.archived, found.fork = bool(data.get("archived")), bool(data.get("fork"))
        elif status == 404:
            found.exists = False
            found.gaps.append(Gap(f"GitHub repository {slug}", "GitHub answers 404: it was "
                                  "deleted, made private, or never existed",
                                  "confirm the repository with the maintainers another way"))
            return found
        else:
            found.gaps.append(Gap(f"GitHub repository {slug}", _why(status, data)))
        status, data = answers["pvr"]
        if status == 200 and isinstance(data, dict) and isinstance(data.get("enabled"), bool):
            found.pvr = data["enabled"]
            found.pvr_source = (f"GET /repos/{slug}/private-vulnerability-reporting → "
                                f"enabled: {str(found.pvr).lower()}")
        else:
            found.gaps.append(Gap(f"private vulnerability reporting on {slug}",
                                  _why(status, data),
                                  f"look for 'Report a vulnerability' at "
                                  f"https://github.com/{slug}/security"))
        found.policy = self._policy(slug, answers, inherited=False)
        if found.policy is None:
            owner = slug.split("/")[0]
            paths = {p: f"/repos/{owner}/.github/contents/{p}" for p in POLICY_PATHS}
            results = dict(zip(paths, concurrently(list(paths.values()), self.call, "gh-maint"),
                               strict=True))
            found.policy = self._policy(f"{owner}/.github",
                                        {f"file:{p}": v for p, v in results.items()},
                                        inherited=True)
        return found

    def _policy(self, slug: str, answers: dict[str, tuple[int, Any]], *, inherited: bool
                ) -> Policy | None:
        for path in POLICY_PATHS:  # GitHub's own order of precedence
            status, data = answers[f"file:{path}"]
            if status != 200 or not isinstance(data, dict) or data.get("type") != "file":
                continue
            try:
                text = base64.b64decode(data.get("content") or "").decode("utf-8", "replace")
            except ValueError:
                continue
            self.save(f"github-{slug}-{path}", f"GET {self.api_url}/repos/{slug}/contents/"
                      f"{path}", text)
            return Policy(slug, path, text,
                          data.get("html_url") or f"https://github.com/{slug}/blob/HEAD/{path}",
                          inherited)
        return None


def _why(status: int, data: Any) -> str:
    message = data.get("message") if isinstance(data, dict) else None
    if status == 0:
        return f"GitHub could not be reached ({message or 'network error'})"
    if status in (401, 403):
        return (f"GitHub answered {status}" + (f" ({message})" if message else "")
                + "; set RESPONDER_GITHUB_TOKEN to read it")
    return f"GitHub answered {status}" + (f" ({message})" if message else "")
