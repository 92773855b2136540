"""OpenAI: a key cannot revoke itself; an organization admin key deletes it through the Admin API.

Facts this relies on (shared/reference/providers.md §2 OpenAI row, §5; the Admin API reference
and the generated `admin/organization` resources of openai/openai-node):
- There is no whoami for a project key. Without RESPONDER_OPENAI_ADMIN_KEY responder can only
  tell a live key from a dead one (`GET /v1/models`), and revoking it is a manual step.
- With an admin key (`sk-admin-…`, Bearer): `GET /v1/organization/projects`, then per project
  `GET /v1/organization/projects/{id}/api_keys?owner_project_access=any` (without the filter the
  listing applies membership-based visibility and may hide enabled keys). Lists are cursor pages:
  `limit` ≤ 100, `after` = the previous `last_id`, until `has_more` is false. Each key has an
  `id`, a `redacted_value` (visible head "..." visible tail) and an owner (a user's email, or a
  service account's name); never the value.
- Revoke: `DELETE /v1/organization/projects/{project_id}/api_keys/{key_id}` →
  `{"object": "organization.project.api_key.deleted", "deleted": true}`. Admin keys:
  `GET /v1/organization/admin_api_keys`, `DELETE /v1/organization/admin_api_keys/{key_id}`.
  A service account's key cannot be deleted through the project's api_keys endpoint (the API
  answers an error), so it is a manual step: delete the service account.
- Proof: `GET /v1/models` with the suspect key → 401 with `code: "invalid_api_key"`.

Traps:
- A 401 alone is not "dead": a valid key that lacks a scope also gets 401, with `code: null` and
  "Missing scopes: …". Only `invalid_api_key` counts. Admin calls refused with 401 are about the
  admin key, never reported as the suspect key being dead.
- The invalid-key message echoes a masked form of the key, so OpenAI's messages are not relayed.
- Matching on `redacted_value` rests on a few visible characters. A key is deleted only when
  exactly one key in the whole organization matches and every listing answered; zero or several
  matches give no handle, and the revoke fails with the manual step. Never delete a key that
  merely might be the one.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from responder.actions.base import RequestPlan
from responder.core.concurrency import concurrently, in_background
from responder.core.errors import ProviderError
from responder.core.http import rate_limit_hint
from responder.providers.base import (
    Identity,
    Probe,
    Provider,
    RevokeOutcome,
    Route,
    Settings,
    matches_masked,
    pairs,
)

if TYPE_CHECKING:
    from responder.activity.evidence import EvidenceStore
    from responder.activity.model import Capture
    from responder.core.http import Answer
    from responder.core.secrets import Secret
    from responder.credentials.model import Credential

ADMIN_VARIABLE = "RESPONDER_OPENAI_ADMIN_KEY"
ADMIN_PREFIX = "sk-admin-"
KINDS = (("sk-admin-", "admin key"), ("sk-svcacct-", "service account key"),
         ("sk-proj-", "project key"), ("sk-", "user key (legacy)"))
API_KEYS = "https://platform.openai.com/api-keys"
PROJECTS = "https://platform.openai.com/settings/organization/projects"
ADMIN_KEYS = "https://platform.openai.com/settings/organization/admin-keys"
USAGE = "https://platform.openai.com/usage"
PAGE = 100
MAX_PAGES = 50  # 5,000 projects or keys: beyond that something is wrong, stop clearly
_SCOPES = re.compile(r"Missing scopes:\s*([\w.:, -]+?)\.?(?:\s|$)")


class OpenAIProvider(Provider):
    name: ClassVar[str] = "openai"
    title: ClassVar[str] = "OpenAI"
    default_url: ClassVar[str] = "https://api.openai.com/v1"
    settings_urls: ClassVar[tuple[str, ...]] = (API_KEYS, PROJECTS, ADMIN_KEYS, USAGE)

    def __init__(self, base_url: str, settings: Settings) -> None:
        super().__init__(base_url, settings)
        # Identities with a handle, by credential id: the dry-run plan and the manual steps name
        # the exact project and key once the lookup has run.
        self._found: dict[str, Identity] = {}
        self._found_lock = threading.Lock()

    def route(self, credential: Credential) -> Route:
        return "admin" if self._admin() is not None else "manual"

    def _admin(self) -> Secret | None:
        return self.settings.admin.get(ADMIN_VARIABLE)

    # -- identity and proof -------------------------------------------------------------------

    def _liveness(self, credential: Credential) -> tuple[str, str, Answer]:
        """alive / dead / restricted / limited / error, with a detail that never quotes OpenAI's
        message (it can echo part of the key)."""
        if _is_admin_key(credential):
            # An admin key cannot call the inference API; its own list is the cheapest proof.
            answer = self.http.read("GET", "/organization/admin_api_keys", params={"limit": 1},
                                    headers=_bearer(credential.secret))
        else:
            answer = self.http.read("GET", "/models", headers=_bearer(credential.secret))
        data = _json(answer, self.title)
        error = _error(data)
        if answer.ok and isinstance(data, dict) and error is None:
            return "alive", f"{answer.status}: the key works", answer
        code = (error or {}).get("code")
        if answer.status == 401 and code == "invalid_api_key":
            return "dead", "401 invalid_api_key", answer
        scopes = _missing_scopes(error)
        if answer.status in (401, 403) and scopes:
            return "restricted", (f"{answer.status}: the key is recognised but lacks scopes "
                                  f"({scopes})"), answer
        if answer.status == 429:
            return "limited", "429: rate limited", answer
        what = ", ".join(str(x) for x in ((error or {}).get("type"), code) if x)
        return "error", f"answered {answer.status}" + (f" ({what})" if what else ""), answer

    def identify(self, credential: Credential) -> Identity | None:
        admin, shown = self._admin(), credential.secret.redacted
        notes: list[str] = []
        # The organization lookup does not depend on the liveness answer: both run at once, so
        # identity costs the longer of the two, not their sum.
        lookup = None
        if admin is not None:
            find = self._find_admin_key if _is_admin_key(credential) else self._find_project_key
            found_notes: list[str] = []
            lookup = in_background(find, credential, admin, found_notes, name="openai-lookup")
        try:
            state, detail, answer = self._liveness(credential)
        except ProviderError as error:
            if admin is None:
                raise
            state, detail, answer = "unchecked", error.message, None
        if state == "dead":
            raise ProviderError(f"OpenAI rejects {shown}: 401 invalid_api_key (already deleted, "
                                "or never valid)", status=401)
        if state == "restricted":
            notes.append(f"the key is valid but restricted: {detail}")
        elif state != "alive":
            if admin is None:
                hint = rate_limit_hint(answer, self.title) if answer is not None else None
                raise ProviderError(f"OpenAI liveness check of {shown} failed: {detail}",
                                    status=429 if state == "limited" else None,
                                    hint=hint or "retry later, or use the manual step")
            notes.append(f"liveness not checked ({detail}); the key was looked up anyway")
        org = answer.headers.get("openai-organization") if answer is not None else None
        if lookup is None:
            identity = Identity(
                credential_id=credential.id, provider=self.name,
                account="unknown (no admin key)", account_id="", token_kind=_kind(credential),
                scopes=None, expires=None,
                notes=(*notes, f"owner and project need {ADMIN_VARIABLE} (an organization admin "
                               "key, sk-admin-…): without it responder can only tell whether the "
                               "key works"),
                details=(("organization", org),) if org else ())
        else:
            identity = lookup.result()
            if notes:
                identity = replace(identity, notes=(*notes, *identity.notes))
        if identity.handle:
            with self._found_lock:
                self._found[credential.id] = identity
        return identity

    def probe(self, credential: Credential) -> Probe:
        try:
            state, detail, _ = self._liveness(credential)
        except ProviderError as error:
            return Probe("unknown", error.message)
        if state == "dead":
            return Probe("dead", "OpenAI answers 401 invalid_api_key")
        if state == "alive":
            return Probe("alive", f"OpenAI still accepts the key ({detail})")
        return Probe("unknown", f"OpenAI {detail}")

    # -- finding the key in the organization --------------------------------------------------

    def _find_project_key(self, credential: Credential, admin: Secret,
                          notes: list[str]) -> Identity:
        value, shown = credential.secret.reveal(), credential.secret.redacted
        projects = self._list(admin, "/organization/projects", {})

        def keys_of(project: dict[str, Any]) -> list[dict[str, Any]] | ProviderError:
            path = f"/organization/projects/{quote(str(project.get('id')), safe='')}/api_keys"
            try:
                return self._list(admin, path, {"owner_project_access": "any"})
            except ProviderError as error:
                return error

        listings = concurrently(projects, keys_of, "openai-keys", limit=8)
        failures = [x for x in listings if isinstance(x, ProviderError)]
        if failures:
            raise ProviderError(
                f"OpenAI: the API keys of {len(failures)} of {len(projects)} project(s) could "
                f"not be listed ({failures[0].message}); without every listing a match for "
                f"{shown} cannot be trusted", status=None,
                hint=failures[0].hint or "retry, or delete the key by hand (manual step)")
        matches = [(project, key) for project, keys in zip(projects, listings, strict=True)
                   for key in keys  # type: ignore[union-attr]
                   if matches_masked(key.get("redacted_value"), value)]
        if len(matches) == 1:
            return self._project_identity(credential, *matches[0], notes)
        if matches:
            where = ", ".join(f"{k.get('id')} in {p.get('id')}" for p, k in matches)
            why = (f"{len(matches)} keys in the organization look like {shown} ({where}): "
                   "responder will not delete a key that merely might be this one")
        else:
            why = (f"no key in the organization's {len(projects)} active project(s) looks like "
                   f"{shown}: it may belong to another organization or an archived project")
        return self._unresolved(credential, [*notes, why])

    def _find_admin_key(self, credential: Credential, admin: Secret,
                        notes: list[str]) -> Identity:
        value, shown = credential.secret.reveal(), credential.secret.redacted
        keys = self._list(admin, "/organization/admin_api_keys", {})
        matches = [k for k in keys if matches_masked(k.get("redacted_value"), value)]
        if len(matches) != 1:
            why = (f"{len(matches)} admin keys look like {shown}: responder will not delete a "
                   "key that merely might be this one" if matches else
                   f"no admin key of the organization looks like {shown}: it may belong to "
                   "another organization")
            return self._unresolved(credential, [*notes, why])
        key = matches[0]
        owner = key.get("owner") if isinstance(key.get("owner"), dict) else {}
        return Identity(
            credential_id=credential.id, provider=self.name,
            account=str(owner.get("name") or owner.get("id") or "?"),
            account_id=str(owner.get("id") or ""), token_kind="admin key", scopes=None,
            expires=_when(key.get("expires_at")), notes=tuple(notes), handle=str(key["id"]),
            details=pairs(("key_name", key.get("name")), ("owner_type", owner.get("type")),
                           ("created_at", _when(key.get("created_at"))),
                           ("last_used_at", _when(key.get("last_used_at")) or "never")))

    def _project_identity(self, credential: Credential, project: dict[str, Any],
                          key: dict[str, Any], notes: list[str]) -> Identity:
        owner = key.get("owner") if isinstance(key.get("owner"), dict) else {}
        owner_type = str(owner.get("type") or "user")
        who = owner.get(owner_type) if isinstance(owner.get(owner_type), dict) else {}
        account = who.get("email") or who.get("name") or who.get("id") or "?"
        if owner_type == "service_account":
            notes = [*notes, f"owned by service account {account}: OpenAI does not delete a "
                             "service account's key through the project's API keys endpoint"]
        return Identity(
            credential_id=credential.id, provider=self.name, account=str(account),
            account_id=str(who.get("id") or ""), token_kind=_kind(credential), scopes=None,
            expires=None, notes=tuple(notes), handle=str(key["id"]),
            details=pairs(("project_id", project.get("id")), ("project", project.get("name")),
                           ("key_name", key.get("name")), ("owner_type", owner_type),
                           ("created_at", _when(key.get("created_at"))),
                           ("last_used_at", _when(key.get("last_used_at")) or "never")))

    def _unresolved(self, credential: Credential, notes: list[str]) -> Identity:
        return Identity(credential_id=credential.id, provider=self.name,
                        account="unknown (key not found)", account_id="",
                        token_kind=_kind(credential), scopes=None, expires=None,
                        notes=tuple(notes))

    def _list(self, admin: Secret, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """Every item of a cursor-paged Admin API list."""
        items: list[dict[str, Any]] = []
        after: str | None = None
        for _ in range(MAX_PAGES):
            query: dict[str, Any] = {"limit": PAGE, **params}
            if after:
                query["after"] = after
            answer = self.http.read("GET", path, headers=_bearer(admin), params=query)
            data = _json(answer, self.title)
            if answer.status in (401, 403):
                raise _admin_refused(answer, data)
            if answer.status == 429:
                raise ProviderError(f"OpenAI rate limited GET {path} (429)", status=429,
                                    hint=rate_limit_hint(answer, self.title))
            if (not answer.ok or not isinstance(data, dict)
                    or not isinstance(data.get("data"), list)):
                raise ProviderError(f"OpenAI answered {answer.status} to GET {path}, which "
                                    "responder does not expect", status=None,
                                    hint="the API may have changed; use the manual step")
            page = [item for item in data["data"] if isinstance(item, dict) and item.get("id")]
            items.extend(page)
            last = data.get("last_id") or (page[-1]["id"] if page else None)
            if not data.get("has_more") or not last or last == after:
                return items
            after = str(last)
        raise ProviderError(f"OpenAI listed more than {MAX_PAGES * PAGE} items at {path}; "
                            "responder stopped there", hint="use the manual step")

    # -- revoke -------------------------------------------------------------------------------

    def plan_revoke(self, credentials: list[Credential]) -> list[RequestPlan]:
        plans = []
        for credential in credentials:
            if self.route(credential) != "admin":
                continue
            with self._found_lock:
                known = self._found.get(credential.id)
            lookup = ("" if known else "; the key id is found first by matching redacted_value "
                      "in the organization (exactly one match, or nothing is sent)")
            shown = credential.secret.redacted
            if _is_admin_key(credential):
                key = known.handle if known else "{key_id}"
                plans.append(RequestPlan(
                    "DELETE", f"{self.base_url}/organization/admin_api_keys/{key}",
                    authenticated=True,
                    note=f"delete admin key {shown} with {ADMIN_VARIABLE}{lookup}"))
                continue
            if known and known.detail("owner_type") == "service_account":
                continue  # a manual step: nothing is sent
            project = (known.detail("project_id") if known else None) or "{project_id}"
            key = known.handle if known else "{key_id}"
            plans.append(RequestPlan(
                "DELETE", f"{self.base_url}/organization/projects/{project}/api_keys/{key}",
                authenticated=True,
                note=f"delete {_kind(credential)} {shown} with {ADMIN_VARIABLE}{lookup}"))
        return plans

    def revoke_one(self, credential: Credential, identity: Identity | None) -> RevokeOutcome:
        admin = self._admin()
        if admin is None:
            return self.manual(credential, "an OpenAI key cannot revoke itself; with "
                                           f"{ADMIN_VARIABLE} set responder deletes it through "
                                           "the Admin API")
        if identity is None or not identity.handle and not identity.notes:
            try:
                identity = self.identify(credential)
            except ProviderError as error:
                if error.status == 401:
                    return RevokeOutcome(credential.id, "submitted",
                                         "OpenAI already rejects the key (401 invalid_api_key): "
                                         "nothing to delete; verification confirms")
                return self.failed(credential, f"not deleted: {error.message}")
        assert identity is not None
        if not identity.handle:
            return self.failed(credential, "not deleted: " + "; ".join(
                identity.notes or ("the key's id in the organization is unknown",)))
        key = quote(identity.handle, safe="")
        if _is_admin_key(credential):
            path = f"/organization/admin_api_keys/{key}"
        else:
            if identity.detail("owner_type") == "service_account":
                return self.failed(credential, f"not deleted: the key belongs to service account "
                                               f"{identity.account}, whose key OpenAI does not "
                                               "delete through the API keys endpoint")
            project = identity.detail("project_id")
            if not project:
                return self.failed(credential, "not deleted: the key's project is unknown")
            path = f"/organization/projects/{quote(project, safe='')}/api_keys/{key}"
        answer = self.http.write("DELETE", path, headers=_bearer(admin))
        return self._deleted(credential, answer, path)

    def _deleted(self, credential: Credential, answer: Answer, path: str) -> RevokeOutcome:
        manual = tuple(self.manual_steps(credential))
        common = self.common_write_outcome(credential, answer, f"DELETE {path}")
        if common is not None:
            return common
        if answer.status == 404:
            return RevokeOutcome(credential.id, "unknown", f"OpenAI answered 404 to DELETE "
                                 f"{path}: the key is not there any more (deleted meanwhile?); "
                                 "verification decides", manual)
        try:
            data = _json(answer, self.title)
        except ProviderError as error:
            if answer.ok:
                return RevokeOutcome(credential.id, "unknown", f"{error.message}; the delete may "
                                     "have landed: verification decides", manual)
            return self.failed(credential, f"not deleted: {error.message}")
        if answer.status in (401, 403):
            refused = _admin_refused(answer, data)
            return self.failed(credential, f"not deleted: {refused.message} ({refused.hint})")
        if answer.ok and isinstance(data, dict) and data.get("deleted") is True:
            return RevokeOutcome(credential.id, "submitted",
                                 f"DELETE {path}: {data.get('object', 'deleted')}, deleted: true")
        if answer.ok:
            return RevokeOutcome(credential.id, "unknown", f"OpenAI answered {answer.status} to "
                                 f"DELETE {path} without deleted: true; verification decides",
                                 manual)
        error = _error(data) or {}
        what = ", ".join(str(x) for x in (error.get("type"), error.get("code")) if x)
        return self.failed(credential, f"not deleted: OpenAI answered {answer.status} to DELETE "
                                       f"{path}" + (f" ({what})" if what else ""))

    # -- activity: the organization's audit log, with the admin key (openai_activity) ---------

    def capture_activity(self, credential: Credential, identity: Identity,
                         window_start: datetime, evidence: EvidenceStore,
                         budget: float) -> Capture | None:
        from responder.providers import openai_activity

        admin = self._admin()
        return None if admin is None else openai_activity.capture(
            self, admin, identity, window_start, evidence, budget)

    def review_steps(self, identity: Identity | None, credential: Credential,
                     window_start: datetime) -> list[str]:
        from responder.providers import openai_activity

        return openai_activity.review_steps(credential, window_start, self._admin() is not None)

    def manual_steps(self, credential: Credential) -> list[str]:
        shown = credential.secret.redacted
        with self._found_lock:
            known = self._found.get(credential.id)
        check = (f"Then check {USAGE} for spend in the window, and the organization's audit log "
                 "(GET /v1/organization/audit_logs with an admin key, e.g. api_key.created and "
                 "api_key.updated events; audit logging must be enabled in the organization "
                 "settings).")
        if _is_admin_key(credential):
            return [f"Delete the OpenAI admin key {shown} at {ADMIN_KEYS} (organization owners "
                    f"only). {check}"]
        if known and known.detail("project_id"):
            where = (f"{PROJECTS} › {known.detail('project') or known.detail('project_id')} "
                     f"({known.detail('project_id')}) › API keys")
        else:
            where = f"{PROJECTS} › each project › API keys"
        if known and known.detail("owner_type") == "service_account":
            return [f"{shown} belongs to the service account {known.account}: delete that "
                    f"service account at {where.replace('API keys', 'Service accounts')} (this "
                    f"deletes its key). {check}"]
        return [f"Delete the OpenAI {_kind(credential)} {shown} at {API_KEYS} (your own keys) or "
                f"at {where} (any member's key; match the visible ending). {check}"]


def _is_admin_key(credential: Credential) -> bool:
    return credential.secret.reveal().startswith(ADMIN_PREFIX)


def _kind(credential: Credential) -> str:
    value = credential.secret.reveal()
    return next((label for prefix, label in KINDS if value.startswith(prefix)), "API key")


def _bearer(secret: Secret) -> dict[str, str]:
    return {"authorization": f"Bearer {secret.reveal()}"}


def _json(answer: Answer, title: str) -> Any:
    """The parsed body; a non-JSON answer raises, never with status 401 (which would read as
    "the suspect key is dead")."""
    try:
        return answer.json_or_fail(title)
    except ProviderError as error:
        error.status = None if error.status == 401 else error.status
        raise


def _error(data: Any) -> dict[str, Any] | None:
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return data["error"]
    return None


def _missing_scopes(error: dict[str, Any] | None) -> str | None:
    message = str((error or {}).get("message") or "")
    found = _SCOPES.search(message)
    if found:
        return found.group(1).strip()
    return "unknown scope" if "insufficient permissions" in message.lower() else None


def _admin_refused(answer: Answer, data: Any) -> ProviderError:
    scopes = _missing_scopes(_error(data))
    return ProviderError(
        f"OpenAI refused {ADMIN_VARIABLE} ({answer.status}"
        + (f", missing scopes: {scopes})" if scopes else ")"), status=None,
        hint=f"it must be an organization admin key (sk-admin-…) allowed to read and delete API "
             f"keys; create one at {ADMIN_KEYS}")






def _when(stamp: Any) -> str | None:
    if isinstance(stamp, int | float) and not isinstance(stamp, bool):
        return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None

