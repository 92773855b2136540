"""Reading public documents (registry metadata, security.txt, image manifests) over HTTPS.

Every fetch is public and anonymous, so the rules differ from the provider clients':

- redirects are followed by hand, at most five, and each hop is recorded, because a redirect is
  where a compromised site sends a reporter somewhere else (RFC 9116 §5.2);
- an `Authorization` header (an anonymous registry pull token) never crosses to another host;
- bodies are capped (an npm packument can exceed 10 MB), and a bigger one is a named failure;
- a failure never raises: it comes back as a `Page` with `error` set, so one registry down
  never stops the others.

`RESPONDER_HOST_MAP` ("ghcr.io=http://127.0.0.1:4100 mcp.acme.example=http://127.0.0.1:4200")
sends a host's requests to another base URL with the original `Host` header: the simulators in
drills and tests, or a mirror; `*=URL` takes every host not named. URLs stay the logical
`https://host/...` everywhere they are shown.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from responder.core.http import USER_AGENT, tls_context

if TYPE_CHECKING:
    from responder.engine.context import Timing

MAX_BYTES = 32 * 1024 * 1024
MAX_REDIRECTS = 5
_RETRY = frozenset({429, 500, 502, 503, 504})
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Page:
    url: str  # the logical URL finally read (after redirects)
    status: int = 0  # 0: no answer at all
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case keys
    body: bytes = b""
    redirects: tuple[tuple[int, str, str], ...] = ()  # (status, from, to)
    error: str | None = None  # why nothing usable came back; None when status is 2xx

    @property
    def ok(self) -> bool:
        return self.error is None and 200 <= self.status < 300

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class WebReader:
    """One pooled, thread-safe client for every public read of a maintainer lookup."""

    def __init__(self, timing: Timing, host_map: Mapping[str, str] | None = None,
                 max_bytes: int = MAX_BYTES) -> None:
        import httpx

        self.timing = timing
        self.host_map = dict(host_map or {})
        self.max_bytes = max_bytes
        self._client = httpx.Client(
            verify=tls_context(),
            timeout=httpx.Timeout(timing.request_timeout,
                                  connect=min(5.0, timing.request_timeout)),
            headers={"user-agent": USER_AGENT},
            follow_redirects=False,
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        )

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, headers: Mapping[str, str] | None = None,
            method: str = "GET") -> Page:
        import httpx

        try:
            return self._get(url, headers, method)
        except (httpx.InvalidURL, ValueError) as exc:
            # A malformed URL or Location, or a redirect to mailto: (httpx builds the next
            # request even when it does not follow it): a hostile host must not end the lookup.
            return Page(url, error=f"not a usable URL ({type(exc).__name__})")

    def _get(self, url: str, headers: Mapping[str, str] | None, method: str) -> Page:
        hops: list[tuple[int, str, str]] = []
        sent = dict(headers or {})
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            page = self._once(method, current, sent)
            if page.status in (301, 302, 303, 307, 308) and page.headers.get("location"):
                target = urljoin(current, page.headers["location"])
                hops.append((page.status, current, target))
                before, after = urlsplit(current), urlsplit(target)
                if _host(target) != _host(current) or (before.scheme, after.scheme) == (
                        "https", "http"):  # never to another host, nor in clear
                    sent = {k: v for k, v in sent.items() if k.lower() != "authorization"}
                if urlsplit(target).scheme not in ("https", "http"):
                    return Page(target, page.status, page.headers, b"", tuple(hops),
                                f"redirected to a non-web URL ({urlsplit(target).scheme}:)")
                current = target
                continue
            error = page.error
            if error is None and not 200 <= page.status < 300:
                error = f"HTTP {page.status}"
            return Page(current, page.status, page.headers, page.body, tuple(hops), error)
        return Page(current, 0, {}, b"", tuple(hops), f"more than {MAX_REDIRECTS} redirects")

    def _once(self, method: str, url: str, headers: Mapping[str, str]) -> Page:
        import httpx

        actual, host_header = self._route(url)
        send = dict(headers)
        if host_header:
            send["host"] = host_header
        attempts = 1 + max(0, self.timing.read_retries)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                with self._client.stream(method, actual, headers=send) as response:
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body.extend(chunk)
                        if len(body) > self.max_bytes:
                            return Page(url, response.status_code, _lower(response.headers),
                                        b"", error=f"larger than {_size(self.max_bytes)}")
                    status, answered = response.status_code, _lower(response.headers)
            except httpx.TimeoutException:
                if last:
                    return Page(url, error="timed out")
                time.sleep(self._backoff(attempt))
                continue
            except (httpx.HTTPError, OSError) as exc:
                if last:
                    return Page(url, error=f"unreachable ({type(exc).__name__})")
                time.sleep(self._backoff(attempt))
                continue
            if status in _RETRY and not last:
                time.sleep(self._wait(answered, attempt))
                continue
            return Page(url, status, answered, bytes(body))
        raise AssertionError("unreachable")  # pragma: no cover

    def _route(self, url: str) -> tuple[str, str | None]:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        # "*" answers for every other host: drills send everything to a simulator, so nothing
        # a scenario did not plan for can reach the internet.
        base = self.host_map.get(host)
        if base is None and host not in _LOOPBACK:  # a simulator's own URL is left alone
            base = self.host_map.get("*")
        if base is None:
            return url, None
        mapped = urlsplit(base)
        path = mapped.path.rstrip("/") + parts.path
        # The Host header names what the URL names, port included when it is not the default.
        named = host if parts.port in (None, 443 if parts.scheme == "https" else 80) \
            else f"{host}:{parts.port}"
        return urlunsplit((mapped.scheme, mapped.netloc, path, parts.query, "")), named

    def _wait(self, headers: Mapping[str, str], attempt: int) -> float:
        try:
            after = float(headers.get("retry-after", ""))
        except ValueError:
            after = self._backoff(attempt)
        return min(max(0.0, after), self.timing.max_retry_after)

    def _backoff(self, attempt: int) -> float:
        return min(0.2 * (2 ** attempt), self.timing.max_retry_after)


def _size(count: int) -> str:
    return f"{count / 2**20:g} MB" if count >= 2**20 else f"{count / 1024:g} KB"


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _lower(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}
