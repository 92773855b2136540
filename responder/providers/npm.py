"""npm: `whoami` for identity and proof, the token list for the token's key, DELETE for the kill.

Facts (shared/reference/providers.md §2 npm row; §5: npm/cli `lib/commands/token.js`,
npm/npm-profile `lib/index.js` and its README):
- `GET /-/whoami` → `{"username"}`; a dead token answers 401.
- `GET /-/npm/v1/tokens?perPage=&page=` lists the account's tokens: `key` (a sha512 that names the
  token), `token` (only its first six characters; `npm token list` adds the "…" itself),
  `created`, `readonly`, `cidr_whitelist`; there is another page while `urls.next` is set.
- `DELETE /-/npm/v1/tokens/token/{key}` revokes. `npm token revoke <token>` may also put the
  complete token in that path; responder only does so when no key can be found.
- Writes take a one-time password in the `npm-otp` header when two-factor auth covers them.

Traps:
- 2FA: the registry refuses the DELETE with 401 and `WWW-Authenticate: OTP` (older answers: a body
  saying "one-time pass", which npm's otplease also accepts). That 401 means "a person must
  confirm", not "this token is dead": the revoke failed, and the manual step is
  `npm token revoke <key>`, which asks for the one-time password.
- A token limited to CIDR ranges answers 401 with `WWW-Authenticate: ipaddress` from any other
  address: not proof of death either.
- The list shows six characters, so tokens can share them (`npm_` leaves two random ones). A key is
  only trusted when it is the token's sha512 or when exactly one listed entry fits.
"""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from responder.actions.base import RequestPlan
from responder.core.concurrency import in_background
from responder.core.errors import ProviderError
from responder.core.http import rate_limit_hint
from responder.providers.base import Identity, Probe, Provider, RevokeOutcome, Route, Settings
from responder.providers.review import since

if TYPE_CHECKING:
    from datetime import datetime

    from responder.core.http import Answer
    from responder.credentials.model import Credential

WEB = "https://www.npmjs.com"
TOKENS = "/-/npm/v1/tokens"
PER_PAGE = 1000  # what npm-profile asks for
MAX_PAGES = 20  # 20,000 tokens: beyond that the list is not worth reading in an incident
SHOWN_KEY = 16  # `npm token revoke` accepts any unique start of a key
# What a 401 may ask for instead of meaning "bad token".
OTP = "a one-time password"
ALLOWED_IP = "an allowed IP address"


class NpmProvider(Provider):
    name: ClassVar[str] = "npm"
    title: ClassVar[str] = "npm"
    default_url: ClassVar[str] = "https://registry.npmjs.org"
    settings_urls: ClassVar[tuple[str, ...]] = (f"{WEB}/settings/<username>/tokens",)

    def __init__(self, base_url: str, settings: Settings) -> None:
        super().__init__(base_url, settings)
        # Username and key learned by identify, so that a later plan or manual step can name
        # them (never the value).
        self._known: dict[str, tuple[str | None, str | None]] = {}
        self._known_lock = threading.Lock()

    def route(self, credential: Credential) -> Route:
        return "self"  # every npm token may delete itself (2FA may still ask a person)

    # -- identity and proof -------------------------------------------------------------------

    def _whoami(self, credential: Credential) -> Answer:
        return self.http.read("GET", "/-/whoami", headers=_bearer(credential))

    def identify(self, credential: Credential) -> Identity | None:
        # The token list does not depend on whoami's answer: both are read at once.
        listing = in_background(self._find_entry, credential, name="npm-tokens")
        answer = self._whoami(credential)
        if answer.status == 401:
            challenge = _challenge(answer)
            if challenge is None:
                raise ProviderError(f"npm says the token is not valid (401: {_error(answer)})",
                                    status=401)
            raise ProviderError(f"npm refused whoami and asks for {challenge}, which does not "
                                "say whether the token works", hint=_CHALLENGE_HINT[challenge])
        username = _username(answer, self.title)
        entry, note = listing.result()
        key = str(entry["key"]) if entry else None
        self._remember(credential, username, key)
        details = [("key", key[:SHOWN_KEY])] if key else []
        if entry:
            details += [(k, _text(entry[k])) for k in ("created", "readonly", "cidr_whitelist")
                        if entry.get(k) not in (None, "", [])]
        readonly = bool(entry.get("readonly")) if entry else None
        return Identity(
            credential_id=credential.id, provider=self.name, account=username,
            account_id=username,
            token_kind=(credential.kind if readonly is None
                        else "read-only token" if readonly else "publish token"),
            scopes=None if readonly is None else ("read-only",) if readonly else ("publish",),
            expires=None,  # the classic token list carries no expiry
            handle=key, notes=(note,) if note else (), details=tuple(details),
        )

    def probe(self, credential: Credential) -> Probe:
        try:
            answer = self._whoami(credential)
        except ProviderError as error:
            return Probe("unknown", error.message)
        if answer.status == 401:
            challenge = _challenge(answer)
            if challenge:
                return Probe("unknown", f"whoami answered 401 asking for {challenge}, which does "
                                        "not prove the token dead")
            return Probe("dead", "whoami answers 401")
        try:
            username = _username(answer, self.title)
        except ProviderError as error:
            return Probe("unknown", error.message)
        return Probe("alive", f"whoami still answers {username}")

    # -- the token's key ----------------------------------------------------------------------

    def _list_tokens(self, credential: Credential) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        for page in range(MAX_PAGES):
            answer = self.http.read("GET", TOKENS, headers=_bearer(credential),
                                    params={"perPage": PER_PAGE, "page": page})
            data = answer.json_or_fail(self.title)
            if not answer.ok or not isinstance(data, dict):
                raise ProviderError(f"npm token list answered {answer.status}: "
                                    f"{_error(answer)}", status=answer.status)
            entries += [o for o in data.get("objects") or [] if isinstance(o, dict)]
            urls = data.get("urls")
            if not (isinstance(urls, dict) and urls.get("next")):
                return entries
        raise ProviderError(f"npm token list has more than {MAX_PAGES} pages")

    def _find_entry(self, credential: Credential) -> tuple[dict[str, Any] | None, str | None]:
        """The listed entry of this token, or None and why."""
        try:
            entries = self._list_tokens(credential)
        except ProviderError as error:
            return None, (f"the token list could not be read ({error.message}); the revoke "
                          "names the token by value")
        return _match(entries, credential.secret.reveal())

    def _remember(self, credential: Credential, username: str | None, key: str | None) -> None:
        with self._known_lock:
            self._known[credential.id] = (username, key)

    def _recall(self, credential: Credential) -> tuple[str | None, str | None]:
        with self._known_lock:
            return self._known.get(credential.id, (None, None))

    # -- revoke -------------------------------------------------------------------------------

    def plan_revoke(self, credentials: list[Credential]) -> list[RequestPlan]:
        plans = []
        for credential in credentials:
            shown = credential.secret.redacted
            key = self._recall(credential)[1]
            if key:
                plans.append(RequestPlan("DELETE", f"{self.base_url}{TOKENS}/token/{key}",
                                         authenticated=True,
                                         note=f"{shown} deletes itself by its key"))
                continue
            plans.append(RequestPlan(
                "DELETE", f"{self.base_url}{TOKENS}/token/<key>", authenticated=True,
                note=f"{shown} deletes itself; <key> is read from GET {TOKENS} first. If the "
                     f"list does not name exactly one key, the token itself goes in the path, "
                     f"as `npm token revoke` does: DELETE {self.base_url}{TOKENS}/token/{shown}"))
        return plans

    def revoke_one(self, credential: Credential, identity: Identity | None) -> RevokeOutcome:
        username, key = self._recall(credential)
        if identity is not None:
            username, key = identity.account, identity.handle
        elif key is None:
            entry, _ = self._find_entry(credential)
            key = str(entry["key"]) if entry else None
        if key:
            path, named = f"{TOKENS}/token/{quote(key, safe='')}", f"key {key[:SHOWN_KEY]}"
        else:
            # No key (list unreadable or ambiguous): the registry also takes the complete token
            # in this path, which is what `npm token revoke <token>` sends. It goes only to the
            # registry that issued it, over TLS, and responder never logs request URLs.
            path = f"{TOKENS}/token/{quote(credential.secret.reveal(), safe='')}"
            named = "the token's value (no key)"
        answer = self.http.write("DELETE", path, headers=_bearer(credential))
        if answer.ok:
            return RevokeOutcome(credential.id, "submitted",
                                 f"npm accepted the DELETE by {named} ({answer.status})")
        if answer.status == 401:
            challenge = _challenge(answer)
            if challenge == OTP:
                return RevokeOutcome(
                    credential.id, "failed",
                    "npm asks for a one-time password (two-factor auth covers token changes), so "
                    "the token was not revoked", tuple(_steps(credential, username, key)))
            if challenge:
                return RevokeOutcome(credential.id, "failed",
                                     f"npm refused the DELETE and asks for {challenge}",
                                     tuple(_steps(credential, username, key)))
            return RevokeOutcome(credential.id, "submitted",
                                 "npm answered 401: the token no longer authenticates; "
                                 "verification confirms")
        if answer.status == 429:
            return RevokeOutcome(credential.id, "failed",
                                 rate_limit_hint(answer, self.title) or "rate limited (429)",
                                 tuple(_steps(credential, username, key)))
        if answer.status >= 500:
            return RevokeOutcome(credential.id, "unknown",
                                 f"npm answered {answer.status}; verification decides",
                                 tuple(_steps(credential, username, key)))
        return RevokeOutcome(credential.id, "failed",
                             f"npm answered {answer.status} to the DELETE: {_error(answer)}",
                             tuple(_steps(credential, username, key)))

    def review_steps(self, identity: Identity | None, credential: Credential,
                     window_start: datetime) -> list[str]:
        # npm has no audit log (providers.md §2: "none found"): its tokens and publish times.
        user = identity.account if identity else "<username>"
        start = since(window_start)
        return [f"Run `npm token list` (or open {WEB}/settings/{user}/tokens): tokens created "
                f"since {start} that nobody recognises.",
                f"For each package of {user} (`npm access list packages {user}`, or "
                f"{WEB}/~{user}) run `npm view <package> time --json`: versions published since "
                f"{start} that you did not publish; `npm owner ls <package>` for maintainers "
                "added meanwhile."]

    def manual_steps(self, credential: Credential) -> list[str]:
        return _steps(credential, *self._recall(credential))


_CHALLENGE_HINT = {
    OTP: "revoke it by hand: `npm token revoke <id>` asks for the password",
    ALLOWED_IP: "the token is limited to CIDR ranges; check it from an allowed "
                             "network or use the manual step",
}


def _steps(credential: Credential, username: str | None, key: str | None) -> list[str]:
    user = username or "<username>"
    page = f"{WEB}/settings/{user}/tokens"
    shown = credential.secret.redacted
    if key:
        revoke = (f"Run `npm token revoke {key[:SHOWN_KEY]}` (the start of the token's key, not "
                  f"the token; npm asks for the one-time password or opens the browser for the "
                  f"security key), or delete the token {shown} at {page}.")
    else:
        revoke = (f"Delete the npm token {shown} at {page} (the list shows each token's first "
                  "characters and creation date), or find its id with `npm token list` and run "
                  "`npm token revoke <id>`; npm asks for the one-time password.")
    check = (f"Then check what it could publish: list the account's packages (`npm access list "
             f"packages {user}`, or {WEB}/~{user}) and run `npm view <package> time` for each "
             "to find versions published in the window; deprecate or unpublish any you did "
             "not make. Review the account's two-factor setting (`npm profile get`; require it "
             "for writes) and remove tokens nobody recognises.")
    return [revoke, check]


def _match(entries: list[dict[str, Any]], value: str) -> tuple[dict[str, Any] | None, str | None]:
    # npm-profile: the key is "a sha512 hash of the token"; when it matches, nothing is guessed.
    digest = hashlib.sha512(value.encode()).hexdigest()
    exact = [e for e in entries if str(e.get("key") or "").lower() == digest]
    if len(exact) == 1:
        return exact[0], None
    fits = [e for e in entries if e.get("key") and _shown(e) and value.startswith(_shown(e))]
    if len(fits) == 1:
        return fits[0], None
    if not fits:
        return None, "no listed token starts like this one; the revoke names it by value"
    return None, (f"{len(fits)} listed tokens start with the same characters, so its key is not "
                  "certain; the revoke names it by value")


def _shown(entry: dict[str, Any]) -> str:
    """The list's truncated form, without an ellipsis a client or proxy may have added."""
    return str(entry.get("token") or "").strip().rstrip("…").removesuffix("...")


def _challenge(answer: Answer) -> str | None:
    """What a 401 asks for instead of meaning "bad token" (npm-registry-fetch's reading)."""
    header = answer.headers.get("www-authenticate", "").lower()
    if "ipaddress" in header:
        return ALLOWED_IP
    if "otp" in header or "one-time pass" in answer.text.lower():
        return OTP
    return None


def _username(answer: Answer, title: str) -> str:
    data = answer.json_or_fail(title)
    if answer.status == 429:
        raise ProviderError("npm rate limited whoami (429)", status=429,
                            hint=rate_limit_hint(answer, title))
    if not answer.ok or not isinstance(data, dict) or not data.get("username"):
        raise ProviderError(f"npm whoami answered {answer.status}: {_error(answer)}",
                            status=answer.status,
                            hint="the registry may be failing; use the manual step")
    return str(data["username"])


def _error(answer: Answer) -> str:
    data = answer.data
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])[:200]
    return "no error message" if answer.data is not None or not answer.text.strip() \
        else "a body that is not JSON"


def _text(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _bearer(credential: Credential) -> dict[str, str]:
    return {"authorization": f"Bearer {credential.secret.reveal()}"}
