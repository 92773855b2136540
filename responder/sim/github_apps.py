"""GitHub's OAuth-app endpoints, for app owners: check a token, delete it (shared/reference/
providers.md §4.3). The caller authenticates with HTTP Basic `client_id:client_secret`; a token
of another app is "not found" (404), exactly as GitHub hides it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import TYPE_CHECKING

from responder.sim import github_objects as obj
from responder.sim.server import Request, Response

if TYPE_CHECKING:
    from responder.sim.github import GitHubSimulator
    from responder.sim.github_state import GitHubState

_DOC = "https://docs.github.com/rest/apps/oauth-applications"


def register(sim: GitHubSimulator) -> None:
    sim.route("DELETE", "/applications/{client_id}/token", lambda r: _delete(sim, r), auth="app",
              counted=False)
    sim.route("POST", "/applications/{client_id}/token", lambda r: _check(sim, r), auth="app",
              counted=False)


def guard(state: GitHubState, request: Request) -> Response | None:
    client_id = request.params.get("client_id", "")
    scheme, _, encoded = (request.headers.get("authorization") or "").partition(" ")
    try:
        user, _, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        user, secret = "", ""
    if scheme.lower() != "basic" or user != client_id or state.apps.get(client_id) != secret:
        return Response(404, {"message": "Not Found", "documentation_url": _DOC})
    return None


def _token(sim: GitHubSimulator, request: Request, missing: int):
    body = request.json if isinstance(request.json, dict) else {}
    value = body.get("access_token")
    if not isinstance(value, str) or not value:
        return None, Response(422, {"message": "Invalid request. \"access_token\" wasn't "
                                               "supplied.", "documentation_url": _DOC})
    token = sim.state.tokens.get(value)
    live = token is not None and token.app == request.params["client_id"] and (
        token.revoked_at is None or token.uses_after_revoke < sim.state.revoke_lag)
    if not live:
        # The check answers 404 ("invalid token"); the delete answers 422, as documented.
        message = "Not Found" if missing == 404 else "Validation Failed"
        return None, Response(missing, {"message": message, "documentation_url": _DOC})
    return token, None


def _delete(sim: GitHubSimulator, request: Request) -> Response:
    token, error = _token(sim, request, 422)
    if error is not None:
        return error
    sim.state.revoke(token.value, f"DELETE /applications/{request.params['client_id']}/token")
    return Response(204)


def _check(sim: GitHubSimulator, request: Request) -> Response:
    token, error = _token(sim, request, 404)
    if error is not None:
        return error
    if token.revoked_at is not None:
        token.uses_after_revoke += 1
    user = sim.state.user(token.login)
    base, client_id = sim.base_url, request.params["client_id"]
    now = sim.state.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    # GitHub echoes the token back in full; responder must never keep or show this field.
    return Response(200, {
        "id": 1, "url": f"{base}/authorizations/1", "scopes": token.scopes, "token": token.value,
        "token_last_eight": token.value[-8:],
        "hashed_token": hashlib.sha256(token.value.encode()).hexdigest(),
        "app": {"url": "https://example.com", "name": "simulated app", "client_id": client_id},
        "note": None, "note_url": None, "updated_at": now, "created_at": now,
        "fingerprint": None, "expires_at": None,
        "user": obj.simple_user(base, user.login, user.id) if user else None,
    })
