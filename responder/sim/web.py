"""Arbitrary web hosts (security.txt, OAuth protected-resource metadata) behind one simulator.

A run reaches it through `RESPONDER_HOST_MAP` (`host=base_url`): the client connects to this
simulator but sends the original host in the `Host` header, so pages are chosen by that header
(port stripped, case-insensitive) and then by exact path.

Seed:
    sites:
      mcp.acme.example:
        /.well-known/security.txt: {body: "Contact: ...", content_type: "text/plain"}
        /security.txt: {status: 301, location: "https://mcp.acme.example/.well-known/security.txt"}
        /.well-known/oauth-protected-resource: {json: {...}}

A page is `status` (default 200), `body` (text) or `json`, `content_type`, `location` (for
redirects), `headers`; a plain string is a 200 text body. Unknown host or path: 404 text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from responder.sim.server import Fault, Request, Response, Route, SimServer, phrase

TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Page:
    status: int = 200
    body: str | None = None
    json: Any = None
    content_type: str | None = None
    location: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_seed(cls, seed: Any) -> Page:
        if isinstance(seed, str):
            return cls(body=seed)
        seed = dict(seed or {})
        return cls(status=int(seed.get("status", 200)), body=seed.get("body"),
                   json=seed.get("json"), content_type=seed.get("content_type"),
                   location=seed.get("location"),
                   headers={str(k).lower(): str(v) for k, v in (seed.get("headers") or {}).items()})


def host_of(header: str | None) -> str:
    """The Host header without its port ("[::1]:8080" keeps its brackets), lower-case."""
    host = (header or "").strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


class WebSimulator(SimServer):
    server_header = "web-sim"
    api_path = ""

    def __init__(self, sites: dict[str, dict[str, Page]] | None = None) -> None:
        super().__init__()
        self.sites = {host.lower(): pages for host, pages in (sites or {}).items()}
        # Every path on every host goes to one handler: paths have any number of segments.
        self.routes.append(Route("GET", "/*", self._page, re.compile(r"^/.*$"), {}))

    @property
    def hosts(self) -> list[str]:
        return list(self.sites)

    @classmethod
    def from_seed(cls, seed: dict[str, Any], now: datetime | None = None) -> WebSimulator:
        return cls({str(host): {str(path): Page.from_seed(page)
                                for path, page in (pages or {}).items()}
                    for host, pages in (seed.get("sites") or {}).items()})

    def error_response(self, status: int, message: str | None = None,
                       fault: Fault | None = None) -> Response:
        return Response(status, raw=(message or phrase(status)).encode(),
                        headers={"content-type": TEXT})

    def _page(self, request: Request) -> Response:
        page = self.sites.get(host_of(request.headers.get("host")), {}).get(request.path)
        if page is None:
            return self.error_response(404)
        headers = dict(page.headers)
        if page.location is not None:
            headers["location"] = page.location
        if page.json is not None:
            if page.content_type:
                headers["content-type"] = page.content_type
            return Response(page.status, page.json, headers=headers)
        headers["content-type"] = page.content_type or TEXT
        return Response(page.status, raw=(page.body or "").encode(), headers=headers)
