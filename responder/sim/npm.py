"""An npm registry simulator: whoami, the token list and token deletion, with npm's quirks.

- Errors are `{"error": "..."}`: 401 for a token that does not authenticate, 404 for an unknown
  route or token.
- The token list (`GET /-/npm/v1/tokens?perPage=&page=`) shows each token's first six characters
  only (npm-profile: "the first six characters of the token"; `npm token list` prints them with
  a "…" it adds itself), its `key` (sha512 hex of the value), created, readonly, cidr_whitelist.
  Pages hold at most `page_size` entries (seed key, default 1000) and `urls.next` is set while
  more remain.
- Deletion takes the key or, as `npm token revoke <token>` may send, the complete token.
- Two-factor auth, per token (meta `otp: true`): a DELETE without an `npm-otp` header answers 401
  with `WWW-Authenticate: OTP` and a body that mentions the one-time password.
- A token limited to CIDR ranges used from elsewhere (meta `cidr_blocked: true`) answers 401 with
  `WWW-Authenticate: ipaddress` on every call.
- `revoke_lag`: a deleted token keeps working for that many more requests (propagation).

Package metadata (seed key `packages`, built by sim/npm_packages.py), public, no auth:
- `GET /{name}` and `GET /@scope%2fname` (either case of `%2f`): the full packument, or the
  abbreviated one for `Accept: application/vnd.npm.install-v1+json`.
- `GET /{name}/{version-or-dist-tag}`: that version's document.
- `GET /{name}/-/{name}-{version}.tgz`: the tarball `dist` describes.
- The unencoded scoped form (`/@scope/name`, `/@scope/name/1.0.0`) is served too: the live
  registry answers it (UNCONFIRMED: observed in use, not in REGISTRY-API.md). Whether the live
  registry serves the version document for the *encoded* scoped form is UNCONFIRMED; a client
  that falls back to the packument's `versions[v]` is safe either way.
- Unknown package, version or tarball: 404 `{"error": "Not found"}`. UNCONFIRMED: the live
  registry answers an unknown version of a known package with a bare JSON string
  ("version not found: 9.9.9"); here it is the object above, as the brief for issue 6 asks.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from responder.sim import npm_packages as packs
from responder.sim.server import (
    Fault,
    Request,
    Response,
    Route,
    SimServer,
    compile_template,
    resolve_time,
)
from responder.sim.tokens import SimToken, TokenBook, bearer

OTP_MESSAGE = ("You must provide a one-time pass. Upgrade your client to npm@latest in order to "
               "use 2FA.")


def token_key(value: str) -> str:
    return hashlib.sha512(value.encode()).hexdigest()


class NpmSimulator(SimServer):
    server_header = "npm-registry-sim"
    api_path = ""

    def __init__(self, book: TokenBook | None = None, page_size: int = 1000,
                 packages: dict[str, packs.NpmPackage] | None = None) -> None:
        super().__init__()
        self.tokens = book or TokenBook()
        self.page_size = max(1, page_size)
        self.packages: dict[str, packs.NpmPackage] = dict(packages or {})
        # The account routes come first: "/-/whoami" would otherwise read as package "-".
        self.route("GET", "/-/whoami", self._whoami)
        self.route("GET", "/-/npm/v1/tokens", self._list)
        self.route("DELETE", "/-/npm/v1/tokens/token/{key}", self._delete)
        # Package routes catch any path of one to four segments, so they are kept apart and
        # tried after every other route, including routes a test or drill adds later.
        # Templates match one segment per parameter on the raw path: "@scope%2fname" is one
        # segment and is unquoted to "@scope/name" afterwards.
        self.package_routes = [
            Route("GET", template, self._package, compile_template(template), {})
            for template in ("/{p1}", "/{p1}/{p2}", "/{p1}/{p2}/{p3}", "/{p1}/{p2}/{p3}/{p4}")
        ]

    @classmethod
    def from_seed(cls, seed: dict[str, Any], now: datetime | None = None) -> NpmSimulator:
        moment = resolve_time(now or datetime.now(UTC), datetime.now(UTC))
        packages = {str(name): packs.package_from_seed(str(name), dict(entry or {}), moment)
                    for name, entry in (seed.get("packages") or {}).items()}
        return cls(TokenBook.from_seed(seed, id_prefix="npmtok"),
                   page_size=int(seed.get("page_size", 1000)), packages=packages)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        found = super().match(method, path)
        if found is not None or method not in ("GET", "HEAD"):
            return found
        for route in self.package_routes:
            hit = route.pattern.match(path)
            if hit:
                return route, {key: unquote(value) for key, value in hit.groupdict().items()}
        return None

    def error_response(self, status: int, message: str | None = None,
                       fault: Fault | None = None) -> Response:
        default = {401: "Unauthorized", 404: "Not found", 429: "Too Many Requests"}
        return Response(status, {"error": message or default.get(status, "Internal Server Error")})

    # -- authentication -----------------------------------------------------------------------

    def _caller(self, request: Request) -> SimToken | Response:
        token = self.tokens.authenticate(bearer(request.headers.get("authorization")))
        if token is None:
            return self.error_response(401)
        if token.meta.get("cidr_blocked"):
            response = self.error_response(401, "Login is not allowed from your IP address")
            response.headers["www-authenticate"] = "ipaddress"
            return response
        return token

    # -- handlers -----------------------------------------------------------------------------

    def _whoami(self, request: Request) -> Response:
        caller = self._caller(request)
        if isinstance(caller, Response):
            return caller
        return Response(200, {"username": caller.account})

    def _list(self, request: Request) -> Response:
        caller = self._caller(request)
        if isinstance(caller, Response):
            return caller
        try:
            per_page = min(max(1, int(request.arg("perPage", "1000") or 1000)), self.page_size)
            page = max(0, int(request.arg("page", "0") or 0))
        except ValueError:
            return Response(400, {"error": "perPage and page must be integers"})
        mine = sorted((t for t in self.tokens.all() if t.account == caller.account
                       and not t.revoked), key=lambda t: (t.created_at, t.id))
        chunk = mine[page * per_page:(page + 1) * per_page]
        urls: dict[str, str] = {}
        if (page + 1) * per_page < len(mine):
            urls["next"] = f"/-/npm/v1/tokens?perPage={per_page}&page={page + 1}"
        if page > 0:
            urls["prev"] = f"/-/npm/v1/tokens?perPage={per_page}&page={page - 1}"
        return Response(200, {"objects": [_entry(t) for t in chunk], "total": len(mine),
                              "urls": urls})

    def _delete(self, request: Request) -> Response:
        caller = self._caller(request)
        if isinstance(caller, Response):
            return caller
        if caller.meta.get("otp") and not request.headers.get("npm-otp"):
            return Response(401, {"error": OTP_MESSAGE}, headers={"www-authenticate": "OTP"})
        wanted = request.params["key"]
        with self.tokens.lock:
            target = next((t for t in self.tokens.all()
                           if t.account == caller.account and not t.revoked
                           and wanted in (token_key(t.value), t.value)), None)
            if target is None:
                return self.error_response(404, "Token not found")
            self.tokens.revoke(target)
        return Response(204)

    # -- package metadata ---------------------------------------------------------------------

    def _package(self, request: Request) -> Response:
        segments = [request.params[k] for k in ("p1", "p2", "p3", "p4") if k in request.params]
        if segments[0].startswith("@") and "/" not in segments[0] and len(segments) > 1:
            segments = [f"{segments[0]}/{segments[1]}", *segments[2:]]
        name, rest = segments[0], segments[1:]
        package = self.packages.get(name)
        if package is None:
            return self.error_response(404)
        if not rest:
            if packs.ABBREVIATED_TYPE in request.headers.get("accept", ""):
                return Response(200, packs.abbreviated(package, self.base_url),
                                headers={"content-type": packs.ABBREVIATED_TYPE,
                                         "vary": "accept"})
            return Response(200, packs.packument(package, self.base_url),
                            headers={"vary": "accept"})
        if len(rest) == 1:
            version = package.resolve(rest[0])
            if version is None:
                return self.error_response(404)
            return Response(200, packs.version_document(package, version, self.base_url))
        if len(rest) == 2 and rest[0] == "-":
            version = next((v for v in package.versions.values()
                            if package.tarball_name(v.version) == rest[1]), None)
            if version is not None:
                return Response(200, raw=version.tarball,
                                headers={"content-type": "application/octet-stream"})
        return self.error_response(404)


def _entry(token: SimToken) -> dict[str, Any]:
    return {
        "token": token.value[:6],
        "key": token_key(token.value),
        "cidr_whitelist": token.meta.get("cidr_whitelist"),
        "readonly": bool(token.meta.get("readonly", False)),
        "created": token.created_at,
        "updated": token.created_at,
    }
