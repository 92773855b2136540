"""What happened in an OpenAI organization recently: its audit log, read with the admin key.

Facts relied on (OpenAI's Admin API reference for "List audit logs", as quoted by API mirrors and
the generated clients found through the reference search; shared/reference/providers.md §2):
- `GET /v1/organization/audit_logs` needs an organization admin key and answers a cursor page
  `{"object": "list", "data": [...], "first_id", "last_id", "has_more"}`; `limit` is 1-100,
  `after` the previous `last_id`; `effective_at[gte]` (unix seconds) bounds it in time;
- an entry has `id`, `type` (`api_key.created`, `api_key.updated`, `api_key.deleted`,
  `project.created`, `service_account.created`, `user.added`, `invite.sent`, `login.succeeded`,
  `login.failed`, ...), `effective_at`, an `actor` (`session`: a user with `ip_address` and
  `user_agent`; `api_key`: the key's tracking id and its user or service account), `project`
  {id, name} where one applies, and a payload under the type's own name with the object's `id`;
- audit logging must be turned on in the organization's settings; what the API answers when it
  is off is UNCONFIRMED, so any refusal is a gap that says logging may be off.

A suspect project key cannot read the audit log, so this is the admin key's view ("responder
token"): the whole organization since the window start, with `by_suspect_key` marking what the
suspect key itself did (its tracking id is the identity's handle).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from responder.activity.model import ActivityEvent, Capture
from responder.core.errors import ProviderError
from responder.providers.review import since

if TYPE_CHECKING:
    from responder.activity.evidence import EvidenceStore
    from responder.core.http import Answer
    from responder.core.secrets import Secret
    from responder.credentials.model import Credential
    from responder.providers.base import Identity
    from responder.providers.openai import OpenAIProvider

MAX_PAGES = 5
LIMIT = 100
VANTAGE = "responder token"
WHAT = "organization audit log"
AUDIT_LOG = "Settings › Organization › Audit logs"
USAGE = "https://platform.openai.com/usage"
API_KEYS = "https://platform.openai.com/api-keys"
PROJECTS = "https://platform.openai.com/settings/organization/projects"
_KINDS = {"login.succeeded": "login", "login.failed": "login_failed"}


def capture(provider: OpenAIProvider, admin: Secret, identity: Identity,
            window_start: datetime, evidence: EvidenceStore, budget: float) -> Capture:
    """The organization's audit log since `window_start`, at most MAX_PAGES pages within
    `budget` seconds; every page saved, every refusal a gap."""
    result = Capture("openai", identity.account, VANTAGE)
    deadline = time.monotonic() + budget
    hint = f"see platform.openai.com › {AUDIT_LOG}, and {USAGE}"
    read: list[tuple[dict[str, Any], str]] = []
    after: str | None = None
    for page in range(1, MAX_PAGES + 1):
        if time.monotonic() >= deadline:
            result.gap(f"{WHAT}, page {page} onward", "not read within the time budget", hint)
            break
        query: dict[str, Any] = {"effective_at[gte]": int(window_start.timestamp()),
                                 "limit": LIMIT}
        if after:
            query["after"] = after
        request = f"GET {provider.base_url}/organization/audit_logs?{urlencode(query)}"
        try:
            answer = provider.http.read("GET", "/organization/audit_logs", params=query,
                                        headers={"authorization": f"Bearer {admin.reveal()}"})
        except ProviderError as error:
            result.gap(f"{WHAT}, page {page}", error.message, hint)
            break
        body = answer.data if answer.data is not None else {"body": answer.text[:2000]}
        file = evidence.save(f"openai-audit-logs-p{page}", request, body, answer.status).file
        data = answer.data
        if answer.status != 200 or not isinstance(data, dict) \
                or not isinstance(data.get("data"), list):
            result.gap(f"{WHAT}, page {page}" if page > 1 else WHAT, _refusal(answer), hint)
            break
        read += [(entry, file) for entry in data["data"] if isinstance(entry, dict)]
        after = data.get("last_id")
        if not data.get("has_more") or not after:
            break
        if page == MAX_PAGES:
            result.gap(f"{WHAT} beyond page {MAX_PAGES}",
                       f"not read: responder reads at most {MAX_PAGES} pages of {LIMIT}", hint)
    result.events = normalise(read, identity, window_start)
    return result


def _refusal(answer: Answer) -> str:
    """Why the page was refused, from the error's type and code only: OpenAI's messages can
    echo part of a key, so they are not relayed."""
    data = answer.data
    error = data.get("error") if isinstance(data, dict) else None
    what = ", ".join(str(error[k]) for k in ("type", "code") if isinstance(error, dict)
                     and error.get(k))
    detail = f" ({what})" if what else ""
    if answer.status == 429:
        wait = answer.headers.get("retry-after", "?")
        return f"rate limited by OpenAI (429, retry after {wait} s)"
    if answer.status in (401, 403):
        return (f"OpenAI refused RESPONDER_OPENAI_ADMIN_KEY ({answer.status}{detail}): it must "
                "be an organization admin key allowed to read audit logs")
    if answer.status == 200:
        return "OpenAI answered 200 with something that is not a list of audit log entries"
    if answer.status < 500:
        return (f"OpenAI answered {answer.status}{detail}; audit logging may be off (an "
                "organization owner turns it on under Settings › Organization › Data controls)")
    return f"OpenAI answered {answer.status}{detail}"


def normalise(read: list[tuple[dict[str, Any], str]], identity: Identity,
              window_start: datetime) -> list[ActivityEvent]:
    """Audit log entries → ActivityEvents; kind is the type with "." → "_" (`api_key_created`,
    `project_created`, `user_added`, ...), `login`/`login_failed` for sign-ins. Detail: id,
    type, actor_type, actor_email, actor_id, actor_api_key_id, ip_address, user_agent,
    project_id, project_name, object_id, by_suspect_key, on_suspect_key."""
    start = window_start.timestamp()
    events = []
    for entry, file in read:
        kind_name = str(entry.get("type") or "unknown")
        actor = entry.get("actor") if isinstance(entry.get("actor"), dict) else {}
        who = _actor(actor)
        payload = entry.get(kind_name) if isinstance(entry.get(kind_name), dict) else {}
        project = entry.get("project") if isinstance(entry.get("project"), dict) else {}
        object_id = payload.get("id")
        moment = entry.get("effective_at")
        at = datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") \
            if isinstance(moment, int | float) else ""
        handle = identity.handle
        detail = {"id": entry.get("id"), "type": kind_name, **who,
                  "project_id": project.get("id"), "project_name": project.get("name"),
                  "object_id": object_id,
                  "by_suspect_key": bool(handle) and who.get("actor_api_key_id") == handle,
                  "on_suspect_key": bool(handle) and object_id == handle}
        by = who.get("actor_email") or who.get("actor_api_key_id") or who.get("actor_id") or "?"
        target = project.get("name") or project.get("id") or "the organization"
        summary = f"{kind_name} by {by}" + (f" on {object_id}" if object_id else "") + (
            f" in {target}" if project else "") + (
            f" from {who['ip_address']}" if who.get("ip_address") else "")
        events.append(ActivityEvent(
            provider="openai", kind=_KINDS.get(kind_name, kind_name.replace(".", "_")), at=at,
            account=identity.account, target=str(target), summary=summary, source=file,
            in_window=isinstance(moment, int | float) and moment >= start, detail=detail))
    return events


def _actor(actor: dict[str, Any]) -> dict[str, Any]:
    kind = actor.get("type")
    session = actor.get("session") if isinstance(actor.get("session"), dict) else {}
    key = actor.get("api_key") if isinstance(actor.get("api_key"), dict) else {}
    user = session.get("user") or key.get("user") or {}
    account = key.get("service_account") or {}
    return {"actor_type": kind, "actor_email": user.get("email"),
            "actor_id": user.get("id") or account.get("id"), "actor_api_key_id": key.get("id"),
            "ip_address": session.get("ip_address"), "user_agent": session.get("user_agent")}


def review_steps(credential: Credential, window_start: datetime, has_admin: bool) -> list[str]:
    """The audit log page has no confirmed URL (its menu path is given); usage and the key and
    project pages surely exist."""
    start = since(window_start)
    read = ("responder read it with RESPONDER_OPENAI_ADMIN_KEY; check it there too" if has_admin
            else "set RESPONDER_OPENAI_ADMIN_KEY and responder reads it itself")
    return [
        f"Open platform.openai.com › {AUDIT_LOG} (only if audit logging was on; {read}) from "
        f"{start}: api_key.created/updated, service_account.created, project.created, "
        "user.added, invite.sent and login events you do not recognise.",
        f"Open {USAGE} from {start}, grouped by API key: requests and spend on "
        f"{credential.secret.redacted} you did not make.",
        f"Open {API_KEYS} and {PROJECTS} › each project › API keys and Service accounts: keys "
        f"and service accounts created since {start}.",
    ]
