"""A slack.com Web API simulator: `auth.test` and `auth.revoke`, with Slack's quirks.

- Every answer is HTTP 200, errors included: `{"ok": false, "error": "invalid_auth"}`. Only rate
  limits differ: 429 with `Retry-After` (injected through `faults`).
- A revoked token answers `token_revoked` for a while, then `invalid_auth`; `revoke_lag` requests
  may still succeed first (propagation).
- `auth.revoke?test=1` is a dry run: `{"ok": true, "revoked": false}`.
- The token may come as `Authorization: Bearer` or as a `token` form field.
- `auth.test` puts the token's scopes in `X-OAuth-Scopes`.
- `team.accessLogs` (docs.slack.dev/reference/methods/team.accessLogs and slack-api-ref): the
  workspace's sign-ins, one entry per user, IP and user agent, newest `date_last` first, in
  classic paging (`count` up to 1000, `page` up to 100, else `over_pagination_limit`; `paging`
  {count, total, page, pages}). It needs a user token with the `admin` scope on a paid plan:
  a bot token gets `not_allowed_token_type`, a token without the scope `missing_scope` with
  `needed`/`provided`, a free workspace `paid_only`; all with HTTP 200.

Seed: `{"revoke_lag": 0, "tokens": [{"value", "account", "account_id"?, "scopes"?, "team"?,
"team_id"?, "plan"?: "free" | "pro"}], "access_logs": [{"user_id", "username", "ip",
"user_agent", "isp"?, "country"?, "region"?, "count"?, "date_first", "date_last", "team"?}]}`;
dates are unix seconds, ISO-8601 or offsets like "-2h"; an entry's `team` defaults to "acme".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from responder.sim.server import Fault, Request, Response, SimServer, resolve_time
from responder.sim.tokens import SimToken, TokenBook, bearer

MAX_COUNT = 1000
MAX_PAGE = 100


class SlackSimulator(SimServer):
    server_header = "slack-sim"
    api_path = "/api"

    def __init__(self, book: TokenBook | None = None,
                 access_logs: list[dict[str, Any]] | None = None,
                 now: datetime | None = None) -> None:
        super().__init__()
        self.tokens = book or TokenBook()
        self._now = now
        self.access_logs = [self._login(entry) for entry in access_logs or []]
        for method in ("GET", "POST"):
            self.route(method, "/api/auth.test", self._auth_test)
            self.route(method, "/api/auth.revoke", self._auth_revoke)
            self.route(method, "/api/team.accessLogs", self._access_logs)

    @classmethod
    def from_seed(cls, seed: dict[str, Any], now: datetime | None = None) -> SlackSimulator:
        return cls(TokenBook.from_seed(seed, id_prefix="B0"), seed.get("access_logs"), now)

    def clock(self) -> datetime:
        return self._now or datetime.now(UTC)

    def _login(self, entry: dict[str, Any]) -> dict[str, Any]:
        login = {"user_id": "U0DANA001", "username": "dana", "count": 1, "ip": "203.0.113.10",
                 "user_agent": "Slack/4.41 (Mac OS X 14.5)", "isp": "Example ISP",
                 "country": "US", "region": "CA", "team": "acme", **entry}
        for key in ("date_first", "date_last"):
            value = login.get(key, login.get("date_first", "-1h"))
            login[key] = value if isinstance(value, int) else int(
                resolve_time(value, self.clock()).timestamp())
        return login

    def error_response(self, status: int, message: str | None = None,
                       fault: Fault | None = None) -> Response:
        if status == 429:
            return Response(429, {"ok": False, "error": "ratelimited"})
        if status == 404:
            return Response(200, {"ok": False, "error": "unknown_method"})
        return Response(status, {"ok": False, "error": message or "internal_error"})

    def _token(self, request: Request) -> tuple[str | None, SimToken | None]:
        value = bearer(request.headers.get("authorization"))
        if value is None and request.body:
            form = parse_qs(request.body.decode("utf-8", "replace"))
            value = (form.get("token") or [None])[0]
        if value is None:
            value = request.arg("token")
        return value, self.tokens.authenticate(value)

    def _dead(self, value: str | None) -> Response:
        if value is None:
            return Response(200, {"ok": False, "error": "not_authed"})
        known = self.tokens.get(value)
        error = "token_revoked" if known is not None and known.revoked else "invalid_auth"
        return Response(200, {"ok": False, "error": error})

    def _auth_test(self, request: Request) -> Response:
        value, token = self._token(request)
        if token is None:
            return self._dead(value)
        body = {"ok": True, "url": f"https://{token.meta.get('team', 'acme')}.slack.com/",
                "team": token.meta.get("team", "acme"), "user": token.account,
                "team_id": token.meta.get("team_id", "T0ACME001"),
                "user_id": token.account_id or "U0DANA001"}
        if token.value.startswith("xoxb-"):
            body["bot_id"] = token.id
        return Response(200, body, headers={"x-oauth-scopes": ",".join(token.scopes)})

    def _auth_revoke(self, request: Request) -> Response:
        value, token = self._token(request)
        if token is None:
            return self._dead(value)
        if request.arg("test") in ("1", "true"):
            return Response(200, {"ok": True, "revoked": False})
        self.tokens.revoke(token)
        return Response(200, {"ok": True, "revoked": True})

    def _access_logs(self, request: Request) -> Response:
        value, token = self._token(request)
        if token is None:
            return self._dead(value)
        if token.value.startswith("xoxb-"):
            return Response(200, {"ok": False, "error": "not_allowed_token_type"})
        if "admin" not in token.scopes:
            return Response(200, {"ok": False, "error": "missing_scope", "needed": "admin",
                                  "provided": ",".join(token.scopes)})
        if str(token.meta.get("plan", "pro")) == "free":
            return Response(200, {"ok": False, "error": "paid_only"})
        args = _args(request)
        try:
            count = int(args.get("count") or 100)
            page = int(args.get("page") or 1)
            before = args.get("before") or "now"
            cutoff = self.clock().timestamp() if before == "now" else float(before)
        except ValueError:
            return Response(200, {"ok": False, "error": "invalid_arguments"})
        if count > MAX_COUNT or page > MAX_PAGE:
            return Response(200, {"ok": False, "error": "over_pagination_limit"})
        count, page = max(1, count), max(1, page)
        team = token.meta.get("team", "acme")
        chosen = sorted((e for e in self.access_logs
                         if e["team"] == team and e["date_last"] <= cutoff),
                        key=lambda e: e["date_last"], reverse=True)
        logins = [{k: v for k, v in e.items() if k != "team"}
                  for e in chosen[(page - 1) * count: page * count]]
        pages = max(1, -(-len(chosen) // count))
        return Response(200, {"ok": True, "logins": logins,
                              "paging": {"count": count, "total": len(chosen), "page": page,
                                         "pages": pages}})


def _args(request: Request) -> dict[str, str]:
    """Method arguments from the query string and a form body, as Slack accepts both."""
    args = {k: v[0] for k, v in request.query.items() if v}
    if request.body and request.json is None:
        form = parse_qs(request.body.decode("utf-8", "replace"))
        args.update({k: v[0] for k, v in form.items() if v})
    return args
