"""GitHub Enterprise Server on 127.0.0.1: the same API under `/api/v3`, with GHES's differences
for revocation (shared/reference/providers.md §4.2 "GHES differs"):

- `POST /credentials/revoke` must be authenticated (github.com forbids that) and accepts only
  `ghp_` and `github_pat_` values;
- GHES 3.17 and older have no such endpoint at all (404).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from responder.sim.github import GitHubSimulator, _error, _revoke_body_problems
from responder.sim.github_state import GitHubState
from responder.sim.server import Handler, Request, Response

_ACCEPTED = ("ghp_", "github_pat_")


class GitHubEnterpriseSimulator(GitHubSimulator):
    server_header = "GitHub Enterprise Server"
    api_path = "/api/v3"

    def __init__(self, state: GitHubState | None = None, version: str = "3.19") -> None:
        self.version = version
        super().__init__(state)

    @classmethod
    def from_seed(cls, seed: dict[str, Any], now: datetime | None = None
                  ) -> GitHubEnterpriseSimulator:
        sim = cls(GitHubState.from_seed(seed, now), str(seed.get("version", "3.19")))
        sim.revoke_lag = int(seed.get("revoke_lag", 0))
        return sim

    def route(self, method: str, template: str, handler: Handler, **options: Any) -> None:
        if template == "/credentials/revoke":
            if _older(self.version, "3.18"):
                return  # the endpoint does not exist before 3.18
            handler, options = self._authenticated_revoke, {**options, "auth": "required"}
        super().route(method, self.api_path + template, handler, **options)

    def _authenticated_revoke(self, request: Request) -> Response:
        problems = _revoke_body_problems(request.json)
        if problems:
            return _error(422, "Validation failed", errors=problems)
        for value in request.json["credentials"]:
            # Only the two PAT kinds are revoked on GHES; other strings are ignored silently.
            if value.startswith(_ACCEPTED) and value in self.state.tokens:
                self.state.revoke(value, "POST /credentials/revoke (GHES)")
        return Response(202, {})


def _older(version: str, than: str) -> bool:
    def parts(text: str) -> tuple[int, ...]:
        return tuple(int(p) for p in text.split(".") if p.isdigit())
    return parts(version) < parts(than)
