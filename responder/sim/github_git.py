"""Commits and comparisons over a repository's seeded commit graph.

- `GET /repos/{owner}/{repo}/compare/{BASE...HEAD}`: anyone who can read the repository (404
  otherwise). Status `ahead` / `behind` / `identical` / `diverged` from walking the parents; an
  unknown ref answers 404 "Not Found" and two histories with nothing in common answer 404 "No
  common ancestor between BASE and HEAD.". Commits come oldest first (at most 250 unless
  `page`/`per_page` ask for a page of them); files are what the head side changed since the merge
  base, one entry per path (at most 300).
- `GET /repos/{owner}/{repo}/commits/{ref}`: a branch, a full or seeded sha or a unique prefix;
  anything else answers 422 "No commit found for SHA: REF".

Refs may contain slashes (`feature/x`): both routes take the rest of the path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from responder.sim import github_objects as obj
from responder.sim.server import Request, Response

if TYPE_CHECKING:
    from responder.sim.github import GitHubSimulator
    from responder.sim.github_state import Commit, Repo

_COMPARE_DOC = f"{obj.DOCS}/commits/commits#compare-two-commits"
_COMMIT_DOC = f"{obj.DOCS}/commits/commits#get-a-commit"
_MAX_COMMITS = 250  # an unpaginated comparison lists at most this many commits
_MAX_FILES = 300


def register(sim: GitHubSimulator) -> None:
    sim.route("GET", "/repos/{owner}/{repo}/compare/{basehead}", lambda r: compare(sim, r),
              greedy=True)
    sim.route("GET", "/repos/{owner}/{repo}/commits/{ref}", lambda r: get_commit(sim, r),
              greedy=True)


def compare(sim: GitHubSimulator, request: Request) -> Response:
    repo, _ = sim.visible_repo(request)
    basehead = request.params["basehead"]
    base_ref, dots, head_ref = basehead.partition("...")
    if repo is None or not dots:
        return obj.error(404, "Not Found", _COMPARE_DOC)
    base, head = repo.resolve(base_ref), repo.resolve(head_ref)
    if base is None or head is None:
        return obj.error(404, "Not Found", _COMPARE_DOC)
    ahead = ancestry(repo, head.sha) - ancestry(repo, base.sha)
    behind = ancestry(repo, base.sha) - ancestry(repo, head.sha)
    merge_base = _merge_base(repo, base.sha, head.sha)
    if merge_base is None:
        return obj.error(404, f"No common ancestor between {base_ref} and {head_ref}.",
                         _COMPARE_DOC)
    status = ("identical" if not ahead and not behind
              else "behind" if not ahead else "ahead" if not behind else "diverged")
    ordered = oldest_first(repo, ahead)
    listed, links = _commit_page(sim, request, ordered)
    base_url = sim.base_url
    body = obj.comparison(base_url, repo, basehead, {
        "base_commit": obj.commit(base_url, repo, base, sim.state, files=False),
        "merge_base_commit": obj.commit(base_url, repo, repo.commits[merge_base], sim.state,
                                        files=False),
        "head_sha": head.sha,
        "status": status,
        "ahead_by": len(ahead),
        "behind_by": len(behind),
        "commits": [obj.commit(base_url, repo, c, sim.state, files=False) for c in listed],
        "files": [obj.diff_entry(base_url, repo, head.sha, change)
                  for change in combined_files(ordered)][:_MAX_FILES],
    })
    return Response(200, body, links)


def get_commit(sim: GitHubSimulator, request: Request) -> Response:
    repo, _ = sim.visible_repo(request)
    if repo is None:
        return obj.error(404, "Not Found", _COMMIT_DOC)
    ref = request.params["ref"]
    found = repo.resolve(ref)
    if found is None:
        return obj.error(422, f"No commit found for SHA: {ref}", _COMMIT_DOC)
    return Response(200, obj.commit(sim.base_url, repo, found, sim.state))


# the commit graph


def ancestry(repo: Repo, sha: str) -> set[str]:
    """The commit and everything it descends from."""
    seen: set[str] = set()
    pending = [sha]
    while pending:
        current = pending.pop()
        if current not in seen:
            seen.add(current)
            pending.extend(repo.commits[current].parents)
    return seen


def _merge_base(repo: Repo, base: str, head: str) -> str | None:
    common = ancestry(repo, base) & ancestry(repo, head)
    # The best common ancestors are those no other common ancestor descends from. Ancestors of a
    # common ancestor are common too, so those are exactly the ones that are nobody's parent
    # here. Of several (criss-cross merges) the newest stands in, as git also picks one.
    parents = {p for sha in common for p in repo.commits[sha].parents}
    best = [sha for sha in common if sha not in parents]
    return max(best, key=lambda sha: (repo.commits[sha].date, sha)) if best else None


def oldest_first(repo: Repo, shas: set[str]) -> list[Commit]:
    """Parents before children; among commits free to go next, the oldest first."""
    waiting = {sha: {p for p in repo.commits[sha].parents if p in shas} for sha in shas}
    ordered: list[Commit] = []
    while waiting:
        ready = [sha for sha, parents in waiting.items() if not parents]
        sha = min(ready, key=lambda s: (repo.commits[s].date, s))
        ordered.append(repo.commits[sha])
        del waiting[sha]
        for parents in waiting.values():
            parents.discard(sha)
    return ordered


def combined_files(commits: list[Commit]) -> list[dict[str, Any]]:
    """One entry per path over a run of commits, as a diff from the first to the last shows it:
    added then changed is still added; added then removed is gone; line counts add up."""
    merged: dict[str, dict[str, Any]] = {}
    for item in commits:
        for change in item.files:
            name = change["filename"]
            earlier = merged.get(name)
            if earlier is None:
                merged[name] = dict(change)
                continue
            status = change["status"]
            if earlier["status"] == "added":
                status = "gone" if status == "removed" else "added"
            merged[name] = {**earlier, **change, "status": status,
                            "additions": earlier["additions"] + change["additions"],
                            "deletions": earlier["deletions"] + change["deletions"]}
    return [merged[name] for name in sorted(merged) if merged[name]["status"] != "gone"]


def _commit_page(
    sim: GitHubSimulator, request: Request, ordered: list[Commit]
) -> tuple[list[Commit], dict[str, str]]:
    if request.arg("page") is None and request.arg("per_page") is None:
        return ordered[:_MAX_COMMITS], {}
    page, per_page = sim.page_args(request)
    last = max((len(ordered) + per_page - 1) // per_page, 1)
    link = sim.link_header(request, page, last)
    return ordered[(page - 1) * per_page : page * per_page], {"link": link} if link else {}
