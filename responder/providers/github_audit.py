"""The organisation audit log (GitHub Enterprise Cloud), searched for the suspect token.

`GET /orgs/{org}/audit-log` (shared/reference/providers.md §4.4–4.5): GHEC only, an organisation
owner's token with `read:audit_log`; `phrase` takes `hashed_token:"<base64 sha256>"` and
`created:>=DATE`; `include=all` adds Git events (pushes, clones); pages follow `after` cursors in
the `Link` header; 1,750 queries an hour. Which base64 form GitHub matches (padded or not) is
UNCONFIRMED, so the unpadded form is asked first and the padded one only when that finds
nothing. The account's own actions (`actor:`) are read too: an attacker may have used another of
its credentials; only the `hashed_token` matches are marked `by_token`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from responder.providers.github_pull import Problem, ReadFailure

if TYPE_CHECKING:
    from responder.providers.github_activity import GitHubCapture
    from responder.providers.github_pull import GitHubReader

MAX_PAGES = 10
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


def audit_task(reader: GitHubReader, org: str, hashed_token: str, login: str,
               window_start: datetime):
    def run():
        since = f"created:>={window_start:%Y-%m-%d}"
        found: list[dict[str, Any]] = []
        files: list[str] = []
        problem: Problem | None = None
        matched_form = None
        for form in (hashed_token.rstrip("="), hashed_token):
            entries, saved, problem = _search(reader, org, f'hashed_token:"{form}" {since}',
                                              "token")
            files += saved
            if entries or problem:
                found += [{**e, "_by_token": True} for e in entries]
                matched_form = form if entries else None
                break
            if form == hashed_token:
                break
        by_actor: list[dict[str, Any]] = []
        if problem is None:
            by_actor, saved, problem = _search(reader, org, f"actor:{login} {since}", "actor")
            files += saved

        def record(result: GitHubCapture) -> None:
            for entry in found + by_actor:
                key = str(entry.get("_document_id") or id(entry))
                if key in result.audit and not entry.get("_by_token"):
                    continue
                result.audit[key] = {**entry, "_org": org,
                                     "_hash_form": "padded" if matched_form == hashed_token
                                     else "unpadded" if matched_form else None}
            if files:
                result.sources[f"audit:{org}"] = ", ".join(files)
            if problem is not None:
                why = problem.why
                if problem.status in (403, 404):
                    why += ("; the audit-log API needs GitHub Enterprise Cloud and an "
                            "organisation owner's token with read:audit_log")
                result.gap(f"audit log of {org}", why,
                           f"open https://github.com/organizations/{org}/settings/audit-log "
                           f"and search hashed_token or actor:{login}")
        return record
    return run


def _search(reader: GitHubReader, org: str, phrase: str, label: str
            ) -> tuple[list[dict[str, Any]], list[str], Problem | None]:
    entries: list[dict[str, Any]] = []
    files: list[str] = []
    params: dict[str, Any] = {"phrase": phrase, "include": "all", "per_page": 100}
    url = f"/orgs/{org}/audit-log"
    for page in range(1, MAX_PAGES + 1):
        try:
            headers, data = reader.get(url, params)
        except ReadFailure as failure:
            if page > 1:
                return entries, files, Problem(failure.problem.status,
                                               f"page {page}: {failure.problem.why}; the "
                                               "earlier pages were kept", failure.problem.hint)
            return entries, files, failure.problem
        batch = data if isinstance(data, list) else []
        entries += [e for e in batch if isinstance(e, dict)]
        # The hash cannot be turned back into the token (it is what GitHub shows in the log).
        files.append(reader.evidence.save(
            f"github-{reader.label}-audit-{org}-{label}-p{page}",
            f"GET {reader.provider.api_url}{url}?{urlencode(params)}", data).file)
        cursor = _next_cursor(headers.get("link", ""))
        if not cursor:
            return entries, files, None
        params = {**params, "after": cursor}
    return entries, files, Problem(None, f"more than {MAX_PAGES} pages; the newest were read",
                                   "read the rest in the organisation's audit log page")


def _next_cursor(link: str) -> str | None:
    match = _NEXT.search(link)
    if not match:
        return None
    values = parse_qs(urlsplit(match.group(1)).query).get("after")
    return values[0] if values else None
