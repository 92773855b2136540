"""Anthropic: an API key cannot revoke itself; an Admin API key deactivates it.

Facts this relies on (shared/reference/providers.md §2 Anthropic row, §5; the Admin API reference
at platform.claude.com/docs/en/api/admin/api_keys/*):
- Every call carries `x-api-key` and `anthropic-version: 2023-06-01` (without it: 400).
- There is no whoami for a standard key (`sk-ant-api03-…`): `GET /v1/models` with it tells a
  live key (200) from a dead one (401 `authentication_error`, "invalid x-api-key").
- With an Admin key (`sk-ant-admin01-…`, RESPONDER_ANTHROPIC_ADMIN_KEY):
  `GET /v1/organizations/api_keys?limit=100`, paged with `after_id` = `last_id` while `has_more`.
  Each key has `id`, `name`, `partial_key_hint` (`sk-ant-api03-R2D...igAA`), `status`
  (active / inactive / archived), `created_by {id, type}` and `workspace_id`; never the value.
  `GET /v1/organizations/users/{id}` names the creator.
- Revoke: `POST /v1/organizations/api_keys/{id}` with `{"status": "inactive"}` → 200 and the
  updated key. The Admin API has no delete: an organization admin can re-activate an inactive
  key, so the manual step says to archive or delete it in the Console once the incident is over.
- Admin keys cannot be deactivated through the API at all (Console › Settings › Admin keys);
  `GET /v1/organizations/me` with the Admin key itself identifies it and proves it dead.

Traps:
- 529 `overloaded_error` is Anthropic's own 5xx: reads retry it, and after a write it means
  `unknown` (the generic client only retries 429/500/502/503/504).
- A 401/403 on an Admin API call is about the admin key: it never reads as the suspect key dead.
- `partial_key_hint` shows seven characters of the value (and every key ends in "AA"). A key is
  deactivated only when exactly one key in the organization matches and the suspect key was not
  already rejected; otherwise the revoke fails with the manual step.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from responder.actions.base import RequestPlan
from responder.core.concurrency import in_background
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
from responder.providers.review import since

if TYPE_CHECKING:
    from datetime import datetime

    from responder.core.http import Answer
    from responder.core.secrets import Secret
    from responder.credentials.model import Credential

ADMIN_VARIABLE = "RESPONDER_ANTHROPIC_ADMIN_KEY"
VERSION = "2023-06-01"
API_KEY_PREFIX = "sk-ant-api03-"
ADMIN_PREFIX = "sk-ant-admin01-"
KEYS = "https://platform.claude.com/settings/keys"
ADMIN_KEYS = "https://platform.claude.com/settings/admin-keys"
USAGE = "https://platform.claude.com/usage"
COST = "https://platform.claude.com/cost"
PAGE = 100
MAX_PAGES = 50
DEACTIVATE = {"status": "inactive"}


class AnthropicProvider(Provider):
    name: ClassVar[str] = "anthropic"
    title: ClassVar[str] = "Anthropic"
    default_url: ClassVar[str] = "https://api.anthropic.com/v1"
    settings_urls: ClassVar[tuple[str, ...]] = (KEYS, ADMIN_KEYS, USAGE, COST)

    def __init__(self, base_url: str, settings: Settings) -> None:
        super().__init__(base_url, settings)
        self._found: dict[str, Identity] = {}  # by credential id, once the lookup found the key
        self._found_lock = threading.Lock()

    def route(self, credential: Credential) -> Route:
        standard = credential.secret.reveal().startswith(API_KEY_PREFIX)
        return "admin" if standard and self._admin() is not None else "manual"

    def _admin(self) -> Secret | None:
        return self.settings.admin.get(ADMIN_VARIABLE)

    def _read(self, path: str, key: Secret, params: dict[str, Any] | None = None) -> Answer:
        """A read; the shared client retries 529 overloaded like any 5xx, within the bounds."""
        return self.http.read("GET", path, headers=_headers(key), params=params)

    # -- identity and proof -------------------------------------------------------------------

    def _liveness(self, credential: Credential) -> tuple[str, str, Any]:
        """alive / dead / restricted / limited / error, a detail, and the parsed body."""
        if _is_admin_key(credential):
            answer = self._read("/organizations/me", credential.secret)
        else:
            answer = self._read("/models", credential.secret, {"limit": 1})
        data = _json(answer, self.title)
        kind = _error_type(data)
        if answer.ok and isinstance(data, dict) and kind is None:
            return "alive", f"{answer.status}: the key works", data
        if answer.status == 401 and kind == "authentication_error":
            return "dead", "401 authentication_error", data
        if answer.status == 403 and kind == "permission_error":
            return "restricted", "403 permission_error: the key is recognised but refused", data
        if answer.status == 429:
            hint = rate_limit_hint(answer, self.title) or "rate limited"
            return "limited", f"429 rate_limit_error ({hint})", data
        return "error", f"answered {answer.status}" + (f" ({kind})" if kind else ""), data

    def identify(self, credential: Credential) -> Identity | None:
        value, shown = credential.secret.reveal(), credential.secret.redacted
        if not value.startswith((API_KEY_PREFIX, ADMIN_PREFIX)):
            return None  # no identity call for other sk-ant- credentials
        admin = self._admin() if value.startswith(API_KEY_PREFIX) else None
        notes: list[str] = []
        # The organization lookup does not depend on the liveness answer: both run at once.
        lookup = None
        if admin is not None:
            found_notes: list[str] = []
            lookup = in_background(self._find_key, credential, admin, found_notes,
                                   name="anthropic-lookup")
        try:
            state, detail, data = self._liveness(credential)
        except ProviderError as error:
            if admin is None:
                raise
            state, detail, data = "unchecked", error.message, None
        if state == "dead":
            raise ProviderError(f"Anthropic rejects {shown}: 401 authentication_error (already "
                                "deactivated or deleted, or never valid)", status=401)
        if state == "restricted":
            notes.append(detail)
        elif state != "alive":
            if admin is None:
                raise ProviderError(f"Anthropic liveness check of {shown} failed: {detail}",
                                    status=429 if state == "limited" else None,
                                    hint="retry later, or use the manual step")
            notes.append(f"liveness not checked ({detail}); the key was looked up anyway")
        if _is_admin_key(credential):
            org = data if isinstance(data, dict) else {}
            return Identity(
                credential_id=credential.id, provider=self.name,
                account=str(org.get("name") or "?"), account_id=str(org.get("id") or ""),
                token_kind="Admin API key", scopes=None, expires=None,
                notes=(*notes, "Anthropic's Admin API cannot deactivate Admin keys: delete it "
                               f"at {ADMIN_KEYS}"))
        if admin is None:
            return Identity(
                credential_id=credential.id, provider=self.name,
                account="unknown (no admin key)", account_id="", token_kind="API key",
                scopes=None, expires=None,
                notes=(*notes, f"creator and workspace need {ADMIN_VARIABLE} (an Admin API key, "
                               "sk-ant-admin01-…): without it responder can only tell whether "
                               "the key works"))
        assert lookup is not None  # admin is set here
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
            return Probe("dead", "Anthropic answers 401 authentication_error")
        if state == "alive":
            return Probe("alive", f"Anthropic still accepts the key ({detail})")
        return Probe("unknown", f"Anthropic {detail}")

    # -- finding the key in the organization --------------------------------------------------

    def _find_key(self, credential: Credential, admin: Secret, notes: list[str]) -> Identity:
        value, shown = credential.secret.reveal(), credential.secret.redacted
        keys = self._list_keys(admin)
        matches = [k for k in keys if matches_masked(k.get("partial_key_hint"), value)]
        if len(matches) != 1:
            if matches:
                why = (f"{len(matches)} keys in the organization look like {shown} "
                       f"({', '.join(str(k.get('id')) for k in matches)}): responder will not "
                       "deactivate a key that merely might be this one")
            else:
                why = (f"no key among the organization's {len(keys)} looks like {shown}: it may "
                       "belong to another organization")
            return Identity(credential_id=credential.id, provider=self.name,
                            account="unknown (key not found)", account_id="",
                            token_kind="API key", scopes=None, expires=None,
                            notes=(*notes, why))
        key = matches[0]
        creator = key.get("created_by") if isinstance(key.get("created_by"), dict) else {}
        creator_id = str(creator.get("id") or "")
        account = creator_id or "?"
        if creator_id and creator.get("type", "user") == "user":
            email = self._email(admin, creator_id)
            if email:
                account = email
            else:
                notes = [*notes, f"the creator {creator_id} could not be looked up"]
        status = str(key.get("status") or "?")
        if status != "active":
            notes = [*notes, f"the key is already {status} in the organization"]
        return Identity(
            credential_id=credential.id, provider=self.name, account=account,
            account_id=creator_id, token_kind="API key", scopes=None, expires=None,
            notes=tuple(notes), handle=str(key["id"]),
            details=pairs(("key_name", key.get("name")), ("status", status),
                           ("workspace_id", key.get("workspace_id") or "default"),
                           ("created_by", creator_id), ("created_by_type", creator.get("type")),
                           ("created_at", key.get("created_at"))))

    def _list_keys(self, admin: Secret) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        after: str | None = None
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {"limit": PAGE}
            if after:
                params["after_id"] = after
            answer = self._read("/organizations/api_keys", admin, params)
            data = _json(answer, self.title)
            if answer.status in (401, 403):
                raise _admin_refused(answer, data)
            if answer.status == 429:
                raise ProviderError("Anthropic rate limited the API key listing (429)",
                                    status=429, hint=rate_limit_hint(answer, self.title))
            if (not answer.ok or not isinstance(data, dict)
                    or not isinstance(data.get("data"), list)):
                kind = _error_type(data)
                raise ProviderError(f"Anthropic answered {answer.status}"
                                    + (f" ({kind})" if kind else "") + " to the API key "
                                    "listing, which responder does not expect", status=None,
                                    hint="retry later, or use the manual step")
            page = [item for item in data["data"] if isinstance(item, dict) and item.get("id")]
            items.extend(page)
            last = data.get("last_id") or (page[-1]["id"] if page else None)
            if not data.get("has_more") or not last or last == after:
                return items
            after = str(last)
        raise ProviderError(f"Anthropic listed more than {MAX_PAGES * PAGE} API keys; responder "
                            "stopped there", hint="use the manual step")

    def _email(self, admin: Secret, user_id: str) -> str | None:
        try:
            answer = self._read(f"/organizations/users/{quote(user_id, safe='')}", admin)
            data = _json(answer, self.title)
        except ProviderError:
            return None
        if answer.ok and isinstance(data, dict) and data.get("email"):
            return str(data["email"])
        return None

    # -- revoke -------------------------------------------------------------------------------

    def plan_revoke(self, credentials: list[Credential]) -> list[RequestPlan]:
        plans = []
        for credential in credentials:
            if self.route(credential) != "admin":
                continue
            with self._found_lock:
                known = self._found.get(credential.id)
            if known and known.detail("status") not in (None, "active"):
                continue  # already inactive: nothing is sent
            key = known.handle if known else "{api_key_id}"
            lookup = ("" if known else "; the key id is found first by matching "
                      "partial_key_hint (exactly one match, or nothing is sent)")
            plans.append(RequestPlan(
                "POST", f"{self.base_url}/organizations/api_keys/{key}",
                body='{"status": "inactive"}', authenticated=True,
                note=f"deactivate API key {credential.secret.redacted} with {ADMIN_VARIABLE} "
                     f"(the Admin API has no delete){lookup}"))
        return plans

    def revoke_one(self, credential: Credential, identity: Identity | None) -> RevokeOutcome:
        admin = self._admin()
        if self.route(credential) == "manual" or admin is None:
            return self.manual(credential, _manual_reason(credential))
        if identity is None or not identity.handle and not identity.notes:
            try:
                identity = self.identify(credential)
            except ProviderError as error:
                if error.status == 401:
                    return RevokeOutcome(credential.id, "submitted",
                                         "Anthropic already rejects the key (401): nothing to "
                                         "deactivate; verification confirms")
                return self.failed(credential, f"not deactivated: {error.message}")
        assert identity is not None
        if not identity.handle:
            return self.failed(credential, "not deactivated: " + "; ".join(
                identity.notes or ("the key's id in the organization is unknown",)))
        status = identity.detail("status")
        if status not in (None, "active"):
            return RevokeOutcome(credential.id, "submitted", f"the key is already {status} in "
                                 "the organization: nothing sent; verification confirms")
        path = f"/organizations/api_keys/{quote(identity.handle, safe='')}"
        answer = self.http.write("POST", path, headers=_headers(admin), json=DEACTIVATE)
        return self._deactivated(credential, answer, path)

    def _deactivated(self, credential: Credential, answer: Answer, path: str) -> RevokeOutcome:
        manual = tuple(self.manual_steps(credential))
        common = self.common_write_outcome(credential, answer, f"POST {path}")
        if common is not None:
            return common
        if answer.status == 404:
            return RevokeOutcome(credential.id, "unknown", f"Anthropic answered 404 to POST "
                                 f"{path}: the key is not there any more (deleted in the "
                                 "Console meanwhile?); verification decides", manual)
        try:
            data = _json(answer, self.title)
        except ProviderError as error:
            if answer.ok:
                return RevokeOutcome(credential.id, "unknown", f"{error.message}; the change may "
                                     "have landed: verification decides", manual)
            return self.failed(credential, f"not deactivated: {error.message}")
        if answer.status in (401, 403):
            refused = _admin_refused(answer, data)
            return self.failed(credential, f"not deactivated: {refused.message} "
                                           f"({refused.hint})")
        if answer.ok and isinstance(data, dict) and data.get("status") in ("inactive",
                                                                            "archived"):
            return RevokeOutcome(credential.id, "submitted",
                                 f"POST {path}: status is now {data['status']} (reversible by an "
                                 "organization admin; archive or delete it in the Console once "
                                 "the incident is over)")
        if answer.ok:
            shown = data.get("status") if isinstance(data, dict) else None
            return self.failed(credential, f"not deactivated: Anthropic answered {answer.status} "
                                           f"but the key's status is {shown or 'not reported'}")
        kind = _error_type(data)
        return self.failed(credential, f"not deactivated: Anthropic answered {answer.status} to "
                                       f"POST {path}" + (f" ({kind})" if kind else ""))

    def review_steps(self, identity: Identity | None, credential: Credential,
                     window_start: datetime) -> list[str]:
        # Anthropic has no audit log API (providers.md §2: "none found"): usage, cost and keys.
        start = since(window_start)
        return [f"Open {USAGE} and {COST} from {start}, grouped by API key: requests and spend "
                f"on {credential.secret.redacted} you did not make (an unusual volume, model "
                "mix or hour).",
                f"Open {KEYS} and {ADMIN_KEYS}: API keys and Admin keys created since {start}, "
                "and Console › Settings › Members for members invited meanwhile."]

    def manual_steps(self, credential: Credential) -> list[str]:
        shown = credential.secret.redacted
        with self._found_lock:
            known = self._found.get(credential.id)
        check = (f"Then review usage and cost for the window at {USAGE} and {COST} (group by API "
                 "key), and look for API keys, Admin keys or members added meanwhile.")
        if _is_admin_key(credential):
            return [f"Delete the Anthropic Admin key {shown} at {ADMIN_KEYS} (Console › Settings "
                    "› Admin keys; organization admins only: the Admin API cannot do it). "
                    f"{check}"]
        if not credential.secret.reveal().startswith(API_KEY_PREFIX):
            return [f"Revoke the Anthropic credential {shown} where it was issued (API keys: "
                    f"{KEYS}; a Claude login token: sign that client out). {check}"]
        where = ""
        if known:
            where = (f" (key \"{known.detail('key_name') or known.handle}\", workspace "
                     f"{known.detail('workspace_id')})")
        return [f"Disable, then delete, the Anthropic API key {shown}{where} at {KEYS} (Console "
                f"› Settings › API keys; match the visible ending). {check}"]


def _is_admin_key(credential: Credential) -> bool:
    return credential.secret.reveal().startswith(ADMIN_PREFIX)


def _manual_reason(credential: Credential) -> str:
    value = credential.secret.reveal()
    if value.startswith(ADMIN_PREFIX):
        return "Anthropic's Admin API cannot deactivate Admin keys"
    if value.startswith(API_KEY_PREFIX):
        return (f"an Anthropic key cannot revoke itself; with {ADMIN_VARIABLE} set responder "
                "deactivates it through the Admin API")
    return "Anthropic has no revoke API for this credential"


def _headers(key: Secret) -> dict[str, str]:
    return {"x-api-key": key.reveal(), "anthropic-version": VERSION}


def _json(answer: Answer, title: str) -> Any:
    """The parsed body; a non-JSON answer raises, never with status 401 (which would read as
    "the suspect key is dead")."""
    try:
        return answer.json_or_fail(title)
    except ProviderError as error:
        error.status = None if error.status == 401 else error.status
        raise


def _error_type(data: Any) -> str | None:
    if isinstance(data, dict) and data.get("type") == "error":
        error = data.get("error")
        return str(error.get("type") or "error") if isinstance(error, dict) else "error"
    return None


def _admin_refused(answer: Answer, data: Any) -> ProviderError:
    kind = _error_type(data)
    return ProviderError(
        f"Anthropic refused {ADMIN_VARIABLE} ({answer.status}" + (f" {kind})" if kind else ")"),
        status=None, hint=f"it must be an Admin API key (sk-ant-admin01-…) of the key's "
                          f"organization; create one at {ADMIN_KEYS}")



