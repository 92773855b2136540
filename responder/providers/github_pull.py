"""Reading GitHub for the review: many calls at once, within GitHub's limits, every page kept.

One `GitHubReader` per token. It runs up to `CONCURRENCY` requests in flight (GitHub allows 100
concurrent requests before its secondary rate limit; the rest is left for the person's own
tools), waits out a secondary limit's `Retry-After` (capped), stops before the primary budget is
spent (`RESERVE` calls are left for the person's own work), and saves every raw page as evidence.

A read that fails never raises past the caller: it returns a `Listing` whose `problem` says what
could not be seen and why, and keeps whatever pages did arrive.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    from github import Github

    from responder.activity.evidence import EvidenceStore
    from responder.providers.github import GitHubProvider

CONCURRENCY = 64
RESERVE = 200  # primary-limit calls left untouched for the person's own work
PER_PAGE = 100
SECONDARY_TRIES = 3
_LAST_PAGE = re.compile(r'<([^>]+)>;\s*rel="last"')
_NEXT_PAGE = re.compile(r'<([^>]+)>;\s*rel="next"')


@dataclass(frozen=True)
class Problem:
    """Why a read failed, in words for the report."""

    status: int | None
    why: str
    hint: str = ""


@dataclass
class Listing:
    items: list[Any] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # evidence files, one per page
    problem: Problem | None = None
    data: Any = None  # the body, for endpoints that answer one object


class ReadFailure(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.why)
        self.problem = problem


class GitHubReader:
    def __init__(self, provider: GitHubProvider, token: str, evidence: EvidenceStore,
                 deadline: float, label: str) -> None:
        self.provider = provider
        self.evidence = evidence
        self.deadline = deadline  # time.monotonic() after which no new request starts
        self.label = label  # evidence name prefix: who read it ("octo-dev", "responder")
        self._gh: Github = provider.client(token, pool_size=CONCURRENCY)
        self._slots = threading.BoundedSemaphore(CONCURRENCY)
        self._lock = threading.Lock()
        self.remaining: int | None = None  # primary rate-limit calls left, as last reported
        self.reset: str | None = None
        self.calls = 0

    # -- one request ----------------------------------------------------------------------------

    def get(self, url: str, params: dict[str, Any] | None = None) -> tuple[dict[str, str], Any]:
        """One GET; raises ReadFailure with the reason (never a token, never a traceback)."""
        from github import GithubException

        for attempt in range(SECONDARY_TRIES):
            self._check_budget()
            with self._slots:
                try:
                    headers, data = self._gh.requester.requestJsonAndCheck(
                        "GET", url, parameters=params)
                except GithubException as exc:
                    self._note(exc.headers or {})
                    wait = _secondary_wait(exc.status, exc.headers or {}, exc.data)
                    if wait is None or attempt == SECONDARY_TRIES - 1:
                        raise ReadFailure(_problem(exc.status, exc.headers or {}, exc.data)) \
                            from None
                except Exception as exc:  # noqa: BLE001 - connection errors, odd redirects
                    raise ReadFailure(Problem(None, _transport_reason(exc),
                                              "GitHub may be slow or unreachable")) from None
                else:
                    self._note(headers)
                    return headers, data
            time.sleep(min(wait, self.provider.timing.max_retry_after,
                           max(self.deadline - time.monotonic(), 0)))
        raise AssertionError("unreachable")

    def _check_budget(self) -> None:
        if time.monotonic() >= self.deadline:
            raise ReadFailure(Problem(None, "not read within the time budget",
                                      "run the review again with more time, or check by hand"))
        with self._lock:
            if self.remaining is not None and self.remaining <= RESERVE:
                raise ReadFailure(Problem(
                    None, f"stopped to keep GitHub's rate limit ({self.remaining} calls left "
                    f"until {_clock_time(self.reset)})",
                    "run `responder runs resume` after the reset, or check by hand"))
            self.calls += 1

    def _note(self, headers: dict[str, str]) -> None:
        lowered = {k.lower(): v for k, v in headers.items()}
        with self._lock:
            if lowered.get("x-ratelimit-remaining", "").isdigit():
                self.remaining = int(lowered["x-ratelimit-remaining"])
                self.reset = lowered.get("x-ratelimit-reset", self.reset)

    # -- saved reads ----------------------------------------------------------------------------

    def one(self, url: str, name: str, params: dict[str, Any] | None = None) -> Listing:
        """One object (a repository, a comparison), saved as evidence."""
        listing = Listing()
        try:
            headers, data = self.get(url, params)
        except ReadFailure as failure:
            listing.problem = failure.problem
            return listing
        listing.data = data
        listing.files.append(self._save(name, url, params or {}, data))
        return listing

    def pages(self, url: str, name: str, params: dict[str, Any] | None = None,
              max_pages: int = 5, stop_before: datetime | None = None,
              unwrap: str | None = None) -> Listing:
        """Every page of a list (up to `max_pages`): page 1 first, then the rest at once
        (GitHub's `rel="last"` link says how many). `stop_before`: newest-first lists whose
        page 1 already reaches back past this time need no more pages. `unwrap`: the key that
        holds the list in an enveloped answer ({"installations": [...]})."""
        listing = Listing()
        base = {**(params or {}), "per_page": PER_PAGE}
        first = self._page(url, name, base, 1, listing, unwrap)
        if first is None:
            return listing
        headers, batch = first
        link = headers.get("link", "")
        last = _page_number(_LAST_PAGE, link) or (2 if _NEXT_PAGE.search(link) else 1)
        # A moved repository answers through a redirect that PyGithub follows without the
        # query (so page 1 came back with the default page size); its links name the new
        # place, where the whole list is read again.
        moved = _moved_to(url, link)
        if moved:
            again = self.pages(moved, name, params, max_pages, stop_before, unwrap)
            again.files[:0] = listing.files
            return again
        oldest = _oldest(batch)
        if stop_before is not None and oldest is not None and oldest < stop_before:
            return listing
        if last > max_pages:
            listing.problem = Problem(None, f"only the first {max_pages} of {last} pages were "
                                      "read", "the rest is older; check it by hand if needed")
        rest = list(range(2, min(last, max_pages) + 1))
        if not rest:
            return listing
        from concurrent.futures import ThreadPoolExecutor

        parts: dict[int, Listing] = {n: Listing() for n in rest}
        with ThreadPoolExecutor(max_workers=len(rest), thread_name_prefix="github-page") as pool:
            list(pool.map(lambda n: self._page(url, name, base, n, parts[n], unwrap), rest))
        for number in rest:
            part = parts[number]
            listing.items.extend(part.items)
            listing.files.extend(part.files)
            if part.problem and not listing.problem:
                # What arrived is kept; the report says which page is missing and why.
                listing.problem = Problem(part.problem.status, f"page {number} of {last}: "
                                          f"{part.problem.why}; the other pages were kept",
                                          part.problem.hint)
        return listing

    def _page(self, url: str, name: str, params: dict[str, Any], number: int,
              listing: Listing, unwrap: str | None) -> tuple[dict[str, str], list[Any]] | None:
        query = {**params, "page": number}
        try:
            headers, data = self.get(url, query)
        except ReadFailure as failure:
            listing.problem = failure.problem
            return None
        batch = (data or {}).get(unwrap, []) if unwrap and isinstance(data, dict) else data
        batch = batch if isinstance(batch, list) else []
        listing.items.extend(batch)
        listing.files.append(self._save(f"{name}-p{number}", url, query, data))
        return headers, batch

    def _save(self, name: str, url: str, params: dict[str, Any], data: Any) -> str:
        query = f"?{urlencode(params)}" if params else ""
        request = f"GET {self.provider.api_url}{url}{query}"
        return self.evidence.save(f"github-{self.label}-{name}", request, data).file


def _clock_time(reset: str | None) -> str:
    """GitHub's `x-ratelimit-reset` (epoch seconds) as a time a person reads."""
    if not reset or not reset.isdigit():
        return "the reset"
    from datetime import UTC

    return f"{datetime.fromtimestamp(int(reset), UTC):%H:%M} UTC"


def _page_number(pattern: re.Pattern[str], link: str) -> int | None:
    match = pattern.search(link)
    if not match:
        return None
    values = parse_qs(urlsplit(match.group(1)).query).get("page")
    return int(values[0]) if values and values[0].isdigit() else None


def _moved_to(url: str, link: str) -> str | None:
    match = _LAST_PAGE.search(link) or _NEXT_PAGE.search(link)
    if not match:
        return None
    parts = urlsplit(match.group(1))
    if parts.path.endswith(url):
        return None
    return urlunsplit(parts._replace(query="", fragment=""))


def _oldest(batch: list[Any]) -> datetime | None:
    from responder.core.times import parse_time

    times = [parse_time(item.get("created_at")) for item in batch if isinstance(item, dict)]
    known = [t for t in times if t is not None]
    return min(known) if known else None


def _secondary_wait(status: int, headers: dict[str, str], data: Any) -> float | None:
    """Seconds to wait before retrying a secondary rate limit; None when it is not one."""
    lowered = {k.lower(): v for k, v in headers.items()}
    message = str((data or {}).get("message", "")) if isinstance(data, dict) else ""
    if status not in (403, 429):
        return None
    if "secondary rate limit" not in message.lower() and "retry-after" not in lowered:
        return None
    try:
        return max(float(lowered.get("retry-after", "1")), 0.0)
    except ValueError:
        return 1.0


def _problem(status: int, headers: dict[str, str], data: Any) -> Problem:
    lowered = {k.lower(): v for k, v in headers.items()}
    message = str((data or {}).get("message", "")) if isinstance(data, dict) else ""
    said = f": {message}" if message else ""
    if status == 401:
        return Problem(401, "the token is no longer valid (401)",
                       "set RESPONDER_GITHUB_TOKEN to review after revocation")
    if status in (403, 429) and (lowered.get("x-ratelimit-remaining") == "0"
                                 or "rate limit" in message.lower()):
        return Problem(status, f"rate limited by GitHub ({status}); resets at "
                       f"{lowered.get('x-ratelimit-reset', '?')}", "run the review again later")
    if status == 403:
        needed = lowered.get("x-accepted-oauth-scopes", "").strip()
        scope = f"; it needs the {needed} scope" if needed else ""
        return Problem(403, f"access refused (403{said}){scope}",
                       "use a token with admin rights there (RESPONDER_GITHUB_TOKEN)")
    if status == 404:
        return Problem(404, "not found (404): deleted, transferred, or not visible to this token",
                       "check it by hand on github.com")
    if status >= 500:
        return Problem(status, f"GitHub answered {status} (after retries)",
                       "GitHub may be failing; run the review again later")
    return Problem(status, f"GitHub answered {status}{said}")


def _transport_reason(exc: Exception) -> str:
    name = type(exc).__name__
    # urllib3's retry wraps a read timeout in a MaxRetryError inside a ConnectionError.
    chain = f"{name} {exc!r}"
    if "Timeout" in name or "timed out" in chain or "TimeoutError" in chain:
        return f"no answer within the timeout ({name})"
    if "Connection" in name:
        return f"GitHub unreachable ({name})"
    return f"the request failed ({name})"
