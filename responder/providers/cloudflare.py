"""Cloudflare: `tokens/verify` for identity and proof, DELETE of the token's own id for the kill.

Facts (shared/reference/providers.md §1.1, §2 Cloudflare row; §5: developers.cloudflare.com API
reference for user and account tokens):
- `GET /user/tokens/verify` → `{"success": true, "result": {id, status, expires_on, not_before},
  "errors": [], "messages": []}`; status is active, disabled or expired. Account-owned tokens
  verify at `GET /accounts/{account_id}/tokens/verify` (same shape).
- Revoke is `DELETE /user/tokens/{id}` (account tokens: `DELETE /accounts/{account_id}/tokens/
  {id}`) with the id from verify, and works only when the token holds "API Tokens Write"
  ("Account API Tokens Write"). Without it Cloudflare answers 403 (code 9109): the token stays
  alive and a person must delete it.
- A dead token answers 401 `{"errors": [{"code": 1000, "message": "Invalid API Token"}]}`.
- Global API keys (`cfk_`, or 37 hex characters) authenticate with X-Auth-Email + X-Auth-Key and
  have no revoke API; Origin CA keys (`v1.0-`) neither: both are rolled in the dashboard.

Traps:
- An account-owned token is "Invalid API Token" (401, sometimes 403) at `/user/tokens/verify`
  while it works everywhere else. A 401 there is only proof of death once the account endpoint
  agrees, or, with no account id known, once `GET /accounts` does not answer code 1001 ("List
  accounts endpoint does not support account owned tokens"), which only a live account token gets.
- A disabled token counts as dead for verification, but it still exists and can be re-enabled:
  the manual step says to delete it.
- Every answer, errors included, is the `{success, errors, messages, result}` envelope.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any, ClassVar

from responder.actions.base import RequestPlan
from responder.core.errors import ProviderError
from responder.core.http import rate_limit_hint
from responder.providers.base import Identity, Probe, Provider, RevokeOutcome, Route, Settings
from responder.providers.review import since

if TYPE_CHECKING:
    from datetime import datetime

    from responder.core.http import Answer
    from responder.credentials.model import Credential

DASH = "https://dash.cloudflare.com"
PROFILE_TOKENS = f"{DASH}/profile/api-tokens"
USER_TOKEN, ACCOUNT_TOKEN, GLOBAL_KEY, ORIGIN_CA_KEY = (
    "user API token", "account API token", "Global API Key", "Origin CA Key")
_GLOBAL_HEX = re.compile(r"[a-f0-9]{37}")
INVALID_TOKEN = 1000  # "Invalid API Token"
NOT_FOR_ACCOUNT_TOKENS = 1001  # GET /accounts: "does not support account owned tokens"
ACCOUNT_OWNED = ("Cloudflare accepts this value as an account-owned API token, whose id and "
                 "revoke need the account id")


def kind_of(value: str) -> str:
    if value.startswith("cfk_") or _GLOBAL_HEX.fullmatch(value):
        return GLOBAL_KEY
    if value.startswith("v1.0-"):
        return ORIGIN_CA_KEY
    return ACCOUNT_TOKEN if value.startswith("cfat_") else USER_TOKEN


class CloudflareProvider(Provider):
    name: ClassVar[str] = "cloudflare"
    title: ClassVar[str] = "Cloudflare"
    default_url: ClassVar[str] = "https://api.cloudflare.com/client/v4"
    settings_urls: ClassVar[tuple[str, ...]] = (PROFILE_TOKENS, f"{DASH}/<account_id>/api-tokens")

    def __init__(self, base_url: str, settings: Settings) -> None:
        super().__init__(base_url, settings)
        # Token id and owning account learned by identify, for plans and manual steps.
        self._known: dict[str, tuple[str, str | None]] = {}
        self._known_lock = threading.Lock()

    def route(self, credential: Credential) -> Route:
        kind = kind_of(credential.secret.reveal())
        if kind in (GLOBAL_KEY, ORIGIN_CA_KEY):
            return "manual"
        if kind == ACCOUNT_TOKEN and not credential.setting("cloudflare_account_id"):
            return "manual"  # its verify and DELETE paths need the account id
        return "self"

    # -- verify -------------------------------------------------------------------------------

    def _read(self, credential: Credential, path: str) -> Answer:
        return self.http.read("GET", path, headers=_bearer(credential))

    def _verify(self, credential: Credential) -> tuple[Answer, str | None]:
        """The verify answer that decides, and the account it came from (None: the user's)."""
        account = credential.setting("cloudflare_account_id")
        if kind_of(credential.secret.reveal()) == ACCOUNT_TOKEN:
            if not account:
                raise ProviderError("a Cloudflare account token can only be checked with its "
                                    "account id", hint="use the manual step")
            return self._read(credential, f"/accounts/{account}/tokens/verify"), account
        answer = self._read(credential, "/user/tokens/verify")
        if answer.status in (401, 403) and account:
            # Account-owned tokens fail the user endpoint: ask the account's before concluding.
            return self._read(credential, f"/accounts/{account}/tokens/verify"), account
        return answer, None

    def _rejection(self, credential: Credential, answer: Answer,
                   account: str | None) -> str | None:
        """None: verify did not reject the token. "dead": Cloudflare's Invalid API Token.
        "account-owned": rejected at the user endpoint, yet a live account-owned token, which
        GET /accounts alone answers with code 1001 (checked only when no account id is known)."""
        if not _invalid(answer):
            return None
        if account is None and kind_of(credential.secret.reveal()) == USER_TOKEN:
            accounts = self._read(credential, "/accounts")
            if accounts.status == 400 and NOT_FOR_ACCOUNT_TOKENS in _codes(accounts):
                return "account-owned"
        return "dead"

    def identify(self, credential: Credential) -> Identity | None:
        if self.route(credential) == "manual":
            # Keys need the account e-mail, account tokens their account id: no call fits.
            return None
        answer, account = self._verify(credential)
        rejection = self._rejection(credential, answer, account)
        if rejection == "account-owned":
            raise ProviderError(ACCOUNT_OWNED, hint="add CLOUDFLARE_ACCOUNT_ID to the server's "
                                "definition, or use the manual step")
        if rejection == "dead":
            raise ProviderError("Cloudflare says the token is not valid (401, code 1000 "
                                "Invalid API Token)", status=401)
        result = _result(answer, self.title)
        status = str(result.get("status") or "?")
        self._remember(credential, str(result["id"]), account)
        if status != "active":
            raise ProviderError(f"Cloudflare says the token is {status}; it still exists and "
                                "can be re-enabled or extended, so delete it in the dashboard",
                                status=401)
        owner, owner_id, note = (f"account {account}", account, None) if account else \
            self._user(credential)
        details = [(k, str(result[k])) for k in ("status", "not_before") if result.get(k)]
        if account:
            details.append(("account_id", account))
        return Identity(
            credential_id=credential.id, provider=self.name, account=owner,
            account_id=owner_id, token_kind=ACCOUNT_TOKEN if account else USER_TOKEN,
            scopes=None,  # verify does not show the token's policies
            expires=str(result["expires_on"]) if result.get("expires_on") else None,
            handle=str(result["id"]), notes=(note,) if note else (), details=tuple(details),
        )

    def _user(self, credential: Credential) -> tuple[str, str, str | None]:
        """The token owner's e-mail, best effort: it needs "User Details Read"."""
        try:
            answer = self._read(credential, "/user")
        except ProviderError as error:
            return "?", "?", f"GET /user failed ({error.message})"
        user = answer.data.get("result") if isinstance(answer.data, dict) else None
        if answer.ok and isinstance(user, dict) and user.get("id"):
            return str(user.get("email") or user["id"]), str(user["id"]), None
        return "?", "?", f"GET /user answered {answer.status} ({_errors(answer)}); owner unknown"

    def probe(self, credential: Credential) -> Probe:
        kind = kind_of(credential.secret.reveal())
        if kind in (GLOBAL_KEY, ORIGIN_CA_KEY):
            return Probe("unknown", f"a {kind} cannot be checked without the account e-mail; "
                                    "roll it in the dashboard")
        try:
            answer, account = self._verify(credential)
            rejection = self._rejection(credential, answer, account)
            if rejection == "account-owned":
                return Probe("alive", "rejected as a user token, but Cloudflare still accepts "
                                      "it as an account-owned token")
            if rejection == "dead":
                return Probe("dead", "verify answers 401, code 1000 Invalid API Token")
            result = _result(answer, self.title)
        except ProviderError as error:
            return Probe("unknown", error.message)
        status = str(result.get("status") or "?")
        if status == "active":
            return Probe("alive", "verify still says status: active")
        if status in ("disabled", "expired"):
            return Probe("dead", f"verify says status: {status}")
        return Probe("unknown", f"verify says status: {status}")

    def _remember(self, credential: Credential, token_id: str, account: str | None) -> None:
        with self._known_lock:
            self._known[credential.id] = (token_id, account)

    def _recall(self, credential: Credential) -> tuple[str | None, str | None]:
        """(token id, owning account) from identify; before it, only what the prefix tells."""
        with self._known_lock:
            known = self._known.get(credential.id)
        if known is not None:
            return known
        if kind_of(credential.secret.reveal()) == ACCOUNT_TOKEN:
            return None, credential.setting("cloudflare_account_id")
        return None, None

    # -- revoke -------------------------------------------------------------------------------

    def plan_revoke(self, credentials: list[Credential]) -> list[RequestPlan]:
        plans = []
        for credential in credentials:
            if self.route(credential) != "self":
                continue
            token_id, account = self._recall(credential)
            where = f"/accounts/{account}/tokens" if account else "/user/tokens"
            plans.append(RequestPlan(
                "DELETE", f"{self.base_url}{where}/{token_id or '<id>'}", authenticated=True,
                note=f"{credential.secret.redacted} deletes itself"
                     + ("" if token_id else "; <id> comes from its tokens/verify answer")
                     + ("" if token_id or account or not credential.setting(
                         "cloudflare_account_id") else "; under /accounts/<account_id>/tokens "
                                                       "if it turns out account-owned")
                     + "; refused (403) unless it holds \"API Tokens Write\""))
        return plans

    def revoke_one(self, credential: Credential, identity: Identity | None) -> RevokeOutcome:
        if self.route(credential) == "manual":
            return self.manual(credential, _why_manual(credential))
        if identity is not None and identity.handle:
            token_id, account = identity.handle, identity.detail("account_id")
        else:
            token_id, account = self._recall(credential)
            if token_id is None:
                answer, account = self._verify(credential)
                rejection = self._rejection(credential, answer, account)
                if rejection == "account-owned":
                    return self.failed(credential, ACCOUNT_OWNED)
                if rejection == "dead":
                    return RevokeOutcome(credential.id, "submitted",
                                         "Cloudflare already says Invalid API Token; "
                                         "verification confirms")
                token_id = str(_result(answer, self.title)["id"])
        path = f"/accounts/{account}/tokens/{token_id}" if account else f"/user/tokens/{token_id}"
        answer = self.http.write("DELETE", path, headers=_bearer(credential))
        manual = tuple(self.manual_steps(credential))
        if answer.ok:
            if isinstance(answer.data, dict) and answer.data.get("success") is True:
                return RevokeOutcome(credential.id, "submitted",
                                     f"Cloudflare deleted token {token_id}")
            return RevokeOutcome(credential.id, "unknown",
                                 f"Cloudflare answered {answer.status} without success: true; "
                                 "verification decides", manual)
        if answer.status == 403:
            return RevokeOutcome(
                credential.id, "failed",
                f"Cloudflare refused the token deleting itself (403: {_errors(answer)}); it "
                "lacks \"API Tokens Write\", so a person must delete it", manual)
        if _invalid(answer):
            return RevokeOutcome(credential.id, "submitted",
                                 "Cloudflare answered Invalid API Token: already invalid; "
                                 "verification confirms")
        if answer.status == 429:
            return RevokeOutcome(credential.id, "failed",
                                 rate_limit_hint(answer, self.title) or "rate limited (429)",
                                 manual)
        if answer.status >= 500:
            return RevokeOutcome(credential.id, "unknown",
                                 f"Cloudflare answered {answer.status}; verification decides",
                                 manual)
        return RevokeOutcome(credential.id, "failed",
                             f"Cloudflare answered {answer.status} to the DELETE: "
                             f"{_errors(answer)}", manual)

    def review_steps(self, identity: Identity | None, credential: Credential,
                     window_start: datetime) -> list[str]:
        # The audit log API path is UNCONFIRMED (providers.md §2): the dashboard's menu path.
        start = since(window_start)
        account = credential.setting("cloudflare_account_id") or (
            identity.detail("account_id") if identity else None)
        home = f"{DASH}/{account}" if account else f"{DASH} › the account"
        return [f"Open {home} › Manage Account › Audit Log from {start}: DNS records, Workers, "
                "firewall and page rules, members and API tokens created or changed by the "
                "token or its user.",
                f"Open {PROFILE_TOKENS}: API tokens created since {start} (a token allowed to "
                "write API tokens can make more)."]

    def manual_steps(self, credential: Credential) -> list[str]:
        shown = credential.secret.redacted
        kind = kind_of(credential.secret.reveal())
        check = ("Then review the account's audit log (Manage Account › Audit Log) for the "
                 "window: DNS, Workers, firewall, member and API token changes.")
        if kind in (GLOBAL_KEY, ORIGIN_CA_KEY):
            return [f"Roll the {kind} {shown} at {PROFILE_TOKENS} › API Keys › {kind} › "
                    "\"Change\" (there is no API to revoke it; the old key stops working at "
                    "once), then update whatever still uses it and prefer a scoped API token.",
                    check]
        token_id, account = self._recall(credential)
        page = f"{DASH}/{account}/api-tokens" if account else PROFILE_TOKENS
        if kind == ACCOUNT_TOKEN and not account:
            page = f"{DASH}/<account_id>/api-tokens (Manage Account › Account API Tokens)"
        which = f" (token id {token_id})" if token_id else ""
        return [f"Delete the Cloudflare {kind} {shown}{which} at {page}: find it by name (the "
                "page never shows values) and choose Delete; a disabled token can be "
                "re-enabled, so delete it rather than disable it.", check]


def _why_manual(credential: Credential) -> str:
    kind = kind_of(credential.secret.reveal())
    if kind in (GLOBAL_KEY, ORIGIN_CA_KEY):
        return f"a Cloudflare {kind} has no revoke API; it is rolled in the dashboard"
    return "an account API token needs its account id (CLOUDFLARE_ACCOUNT_ID) to be revoked"


def _invalid(answer: Answer) -> bool:
    """Cloudflare's own "this token does not exist or no longer works"."""
    return answer.status == 401 and INVALID_TOKEN in _codes(answer)


def _result(answer: Answer, title: str) -> dict[str, Any]:
    if answer.status == 429:
        raise ProviderError("Cloudflare rate limited tokens/verify (429)", status=429,
                            hint=rate_limit_hint(answer, title))
    data = answer.json_or_fail(title)
    result = data.get("result") if isinstance(data, dict) else None
    if not answer.ok or not isinstance(result, dict) or not result.get("id") \
            or data.get("success") is not True:
        # A 401 without code 1000 is not Cloudflare's "invalid token": never report it as one.
        raise ProviderError(f"Cloudflare answered {answer.status} to tokens/verify: "
                            f"{_errors(answer)}",
                            status=None if answer.status == 401 else answer.status,
                            hint="use the manual step")
    return result


def _codes(answer: Answer) -> set[int]:
    errors = answer.data.get("errors") if isinstance(answer.data, dict) else None
    return {e["code"] for e in errors or [] if isinstance(e, dict) and isinstance(e.get("code"),
                                                                                   int)}


def _errors(answer: Answer) -> str:
    errors = answer.data.get("errors") if isinstance(answer.data, dict) else None
    if errors:
        return "; ".join(f"{e.get('code', '?')} {str(e.get('message', ''))[:120]}"
                         for e in errors[:3] if isinstance(e, dict)) or "unreadable errors"
    return "a body that is not JSON" if answer.data is None and answer.text.strip() \
        else "no error detail"


def _bearer(credential: Credential) -> dict[str, str]:
    return {"authorization": f"Bearer {credential.secret.reveal()}"}
