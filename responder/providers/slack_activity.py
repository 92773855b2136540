"""Who signed in to the Slack workspace recently: `team.accessLogs`, read with the suspect token.

Facts relied on (docs.slack.dev/reference/methods/team.accessLogs, slack-ruby/slack-api-ref,
@slack/web-api's TeamAccessLogsResponse; shared/reference/providers.md §2 Slack row):
- `team.accessLogs` takes `count` (100 by default, at most 1000) and `page` (at most 100; beyond
  either: `over_pagination_limit`), or `limit` + `cursor`; `before` ends the range (default now);
- it answers `{"ok": true, "logins": [{user_id, username, date_first, date_last, count, ip,
  user_agent, isp, country, region}], "paging": {count, total, page, pages}}`, one entry per
  user, IP and user agent, dates in unix seconds;
- it needs a user token with the `admin` scope on a paid plan. Errors come with HTTP 200:
  `paid_only`, `missing_scope` (with `needed`/`provided`), `not_allowed_token_type` (a bot
  token), `token_revoked`/`invalid_auth` (dead). A rate limit is HTTP 429 with `Retry-After`;
- entries are listed newest `date_last` first (as the sample response shows; by our reading,
  not stated in the docs), so paging stops once a page reaches back past the look-back period.

`new_ip` on an entry: no entry read for the same user and IP began (`date_first`) before the
window, so a rule can flag "sign-in from a new IP during the window". It rests on what was read:
when paging stopped early (a gap says so), an IP may look new when it is not.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from responder.activity.model import ActivityEvent, Capture
from responder.core.errors import ProviderError
from responder.providers.review import since

if TYPE_CHECKING:
    from responder.activity.evidence import EvidenceStore
    from responder.core.http import Answer
    from responder.credentials.model import Credential
    from responder.providers.base import Identity
    from responder.providers.slack import SlackProvider

MAX_PAGES = 5
COUNT = 1000
# How far before the window older sign-ins are read: enough to tell a new IP from a known one.
LOOKBACK = timedelta(days=30)
VANTAGE = "suspect token before revocation"
WHAT = "workspace access logs"
DEAD = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed",
                  "token_expired"})


def team_url(identity: Identity | None) -> str:
    """`https://acme.slack.com` from auth.test's `url`, else a placeholder to fill in."""
    url = identity.detail("url") if identity else None
    return url.rstrip("/") if url else "https://<workspace>.slack.com"


def capture(provider: SlackProvider, credential: Credential, identity: Identity,
            window_start: datetime, evidence: EvidenceStore, budget: float) -> Capture:
    """The workspace's access logs back to LOOKBACK before `window_start`, at most MAX_PAGES
    pages within `budget` seconds; every answer saved, every refusal a gap."""
    result = Capture("slack", identity.account, VANTAGE)
    deadline = time.monotonic() + budget
    hint = f"see {team_url(identity)}/admin/logs (Workspace settings › Access Logs)"
    oldest_wanted = (window_start - LOOKBACK).timestamp()
    read: list[tuple[dict[str, Any], str]] = []
    page = 1
    while True:
        if time.monotonic() >= deadline:
            result.gap(f"{WHAT}, page {page} onward", "not read within the time budget", hint)
            break
        form = {"count": str(COUNT), "page": str(page)}
        request = f"POST {provider.base_url}/team.accessLogs count={COUNT}&page={page}"
        try:
            answer = provider.http.read("POST", "/team.accessLogs", data=form,
                                        headers={"authorization":
                                                 f"Bearer {credential.secret.reveal()}"})
        except ProviderError as error:
            result.gap(f"{WHAT}, page {page}", error.message, hint)
            break
        body = answer.data if answer.data is not None else {"body": answer.text[:2000]}
        file = evidence.save(f"slack-access-logs-p{page}", request, body, answer.status).file
        data = answer.data
        if answer.status != 200 or not isinstance(data, dict) or not data.get("ok"):
            result.gap(f"{WHAT}, page {page}" if page > 1 else WHAT, _refusal(answer), hint)
            break
        logins = [e for e in data.get("logins") or [] if isinstance(e, dict)]
        read += [(entry, file) for entry in logins]
        pages = (data.get("paging") or {}).get("pages")
        more = isinstance(pages, int) and page < pages
        reached_back = any(_number(e.get("date_last")) < oldest_wanted for e in logins)
        if not more or reached_back or not logins:
            break
        if page >= MAX_PAGES:
            result.gap(f"{WHAT} beyond page {MAX_PAGES}",
                       f"not read: responder reads at most {MAX_PAGES} pages of {COUNT} "
                       f"({pages} pages in all); sign-ins marked new_ip may have been seen "
                       "before", hint)
            break
        page += 1
    result.events = normalise(read, identity, window_start)
    return result


def _refusal(answer: Answer) -> str:
    data = answer.data
    if answer.status == 429 or (isinstance(data, dict) and data.get("error") == "ratelimited"):
        return f"rate limited by Slack (429, retry after {answer.headers.get('retry-after', '?')}" \
               " s)"
    if not isinstance(data, dict):
        return f"Slack answered {answer.status} with a body that is not JSON" if answer.text \
            .strip() else f"Slack answered {answer.status} with an empty body"
    if answer.status != 200:
        return f"Slack answered {answer.status}"
    error = str(data.get("error") or "unknown_error")
    if error == "paid_only":
        return "the workspace's plan has no access logs (paid_only: Slack keeps them on paid " \
               "plans only)"
    if error == "missing_scope":
        provided = data.get("provided")
        return (f"the token lacks the {data.get('needed') or 'admin'} scope access logs need "
                f"(missing_scope" + (f"; it has {provided}" if provided else "") + ")")
    if error in ("not_allowed_token_type", "is_bot"):
        return (f"this token type cannot read access logs ({error}): they need a user token of "
                "a workspace owner or admin with the admin scope")
    if error in DEAD:
        return f"Slack says the token no longer works ({error}), so access logs cannot be read"
    return f"Slack answered ok: false, error: {error}"


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _iso(seconds: Any) -> str:
    if not isinstance(seconds, int | float):
        return ""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalise(read: list[tuple[dict[str, Any], str]], identity: Identity,
              window_start: datetime) -> list[ActivityEvent]:
    """Access-log entries → `login` events. `at` and `in_window` follow `date_last`. Detail:
    user_id, username, ip, user_agent, count, date_first, date_last (unix seconds), isp,
    country, region, new_ip, token_user (the entry is the token's own user)."""
    start = window_start.timestamp()
    known_before = {(e.get("user_id"), e.get("ip")) for e, _ in read
                    if _number(e.get("date_first")) < start}
    own = identity.detail("user_id")
    team = identity.account.rpartition(" in ")[2] or identity.account  # "dana in acme"
    events = []
    for entry, file in read:
        user, ip = entry.get("user_id"), entry.get("ip")
        name = entry.get("username") or user or "?"
        place = ", ".join(str(entry[k]) for k in ("country", "region", "isp") if entry.get(k))
        last, first = entry.get("date_last"), entry.get("date_first")
        new_ip = (user, ip) not in known_before
        summary = (f"{name} used Slack from {ip or '?'}" + (f" ({place})" if place else "")
                   + f", {entry.get('count', '?')} time(s) from {_iso(first) or '?'} to "
                   f"{_iso(last) or '?'}" + (" — an IP not seen before the window"
                                             if new_ip and _number(last) >= start else ""))
        events.append(ActivityEvent(
            provider="slack", kind="login", at=_iso(last), account=identity.account,
            target=f"{name} in {team}", summary=summary, source=file,
            in_window=_number(last) >= start,
            detail={"user_id": user, "username": entry.get("username"), "ip": ip,
                    "user_agent": entry.get("user_agent"), "count": entry.get("count"),
                    "date_first": first, "date_last": last, "isp": entry.get("isp"),
                    "country": entry.get("country"), "region": entry.get("region"),
                    "new_ip": new_ip, "token_user": bool(own) and user == own}))
    return events


def review_steps(identity: Identity | None, window_start: datetime) -> list[str]:
    """The workspace pages a person checks by hand. `/admin/logs` (access logs) and
    `/apps/manage` (installed apps) are the workspace's admin pages by our reading of Slack's
    help centre; the menu path is given beside each in case a plan lays them out differently."""
    start = since(window_start)
    team = team_url(identity)
    user = identity.account.split(" in ")[0] if identity else "the token's user"
    return [
        f"Open {team}/admin/logs (Workspace settings › Access Logs; owners and admins, paid "
        f"plans): sign-ins since {start} from IP addresses, places or devices you do not "
        f"recognise, above all for {user}; ask affected members to sign out of all sessions.",
        f"Open {team}/apps/manage (Manage apps): apps, bots, webhooks and app tokens installed "
        f"or changed since {start}, and who did it (Integration Logs on the same page).",
        "On Enterprise Grid, also check Organization settings › Security › Audit logs from "
        f"{start} for the token's user and app.",
    ]
