"""The configured HTTP client every httpx-based provider adapter uses.

One policy for the whole run, because a bad hour is when a provider is slow, rate limits or fails:

- every call has a timeout (connect and read), so a dead provider can never hang a run;
- reads are retried with backoff on connection errors, timeouts, 429 and 5xx, honouring
  `Retry-After` up to `Timing.max_retry_after`;
- writes are never re-sent blindly. They are retried only when the provider certainly did not act
  on them: the connection was refused before anything was sent, or it answered 429 (rate limited,
  not processed). A timeout or a 5xx after sending leaves the outcome unknown, and the caller
  verifies instead of sending again.

Errors come out as `ProviderError` with the provider's title and no URL query or body, because
both can carry a token (Google's tokeninfo takes it as a query parameter).
"""

from __future__ import annotations

import functools
import json
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from responder import __version__
from responder.core.errors import ProviderError

if TYPE_CHECKING:

    from responder.engine.context import Timing

USER_AGENT = f"mcp-responder/{__version__} (incident response)"
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 529})  # 529: Anthropic overloaded


@dataclass(frozen=True)
class Answer:
    """A provider's answer: status, lower-cased headers, and the body parsed as JSON if it is."""

    status: int
    headers: Mapping[str, str]
    text: str
    data: Any  # parsed JSON, or None when the body is empty or not JSON

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json_or_fail(self, provider: str) -> Any:
        """The parsed body, or a ProviderError when the provider answered with something else."""
        if self.data is None and self.text.strip():
            raise ProviderError(f"{provider} answered {self.status} with a body that is not "
                                f"JSON ({len(self.text)} bytes)", status=self.status,
                                hint="the provider may be failing or a proxy answered; retry "
                                "later or use the manual step")
        return self.data


class HttpClient:
    """A thin, thread-safe wrapper around one `httpx.Client` for one provider base URL."""

    def __init__(self, title: str, base_url: str, timing: Timing,
                 headers: Mapping[str, str] | None = None) -> None:
        import httpx

        self.title = title
        self.base_url = base_url.rstrip("/")
        self.timing = timing
        self._client = httpx.Client(
            base_url=self.base_url,
            verify=tls_context(),
            timeout=httpx.Timeout(timing.request_timeout, connect=min(5.0,
                                                                      timing.request_timeout)),
            headers={"user-agent": USER_AGENT, "accept": "application/json", **(headers or {})},
            follow_redirects=False,  # a redirect could carry the token to another host
        )

    def close(self) -> None:
        self._client.close()

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    # -- calls --------------------------------------------------------------------------------

    def read(self, method: str, path: str, **kwargs: Any) -> Answer:
        """A call that changes nothing: retried with backoff within the run's bounds."""
        attempts = 1 + max(0, self.timing.read_retries)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                answer = self._send(method, path, **kwargs)
            except _Transport as exc:
                if last:
                    raise self._unreachable(exc.error) from None
                time.sleep(self._backoff(attempt))
                continue
            if answer.status in _RETRY_STATUSES and not last:
                time.sleep(self._wait(answer, attempt))
                continue
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def write(self, method: str, path: str, **kwargs: Any) -> Answer:
        """A call that changes something: sent once, re-sent only when it surely did not land.

        Raises `ProviderError` with `delivered` False (surely not acted on) or None (unknown)."""
        attempts = 1 + max(0, self.timing.read_retries)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                answer = self._send(method, path, **kwargs)
            except _Transport as exc:
                if exc.before_sending and not last:
                    time.sleep(self._backoff(attempt))
                    continue
                error = self._unreachable(exc.error)
                error.delivered = False if exc.before_sending else None
                raise error from None
            if answer.status == 429 and not last and self._retry_after(answer) is not None:
                time.sleep(self._wait(answer, attempt))
                continue
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    # -- internals ----------------------------------------------------------------------------

    def _send(self, method: str, path: str, **kwargs: Any) -> Answer:
        import httpx

        try:
            response = self._client.request(method, path, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise _Transport(exc, before_sending=True) from None
        except httpx.HTTPError as exc:  # read timeout, protocol error: it may have landed
            raise _Transport(exc, before_sending=False) from None
        text = response.text
        try:
            data = json.loads(text) if text.strip() else None
        except ValueError:
            data = None
        return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()},
                      text, data)

    def _unreachable(self, error: Exception) -> ProviderError:
        import httpx

        timeout = isinstance(error, httpx.TimeoutException)
        what = "timed out" if timeout else "unreachable"
        return ProviderError(
            f"{self.title} {what} at {self.base_url} ({type(error).__name__})",
            hint="check the network, or the provider's status page; the manual step is listed")

    def _retry_after(self, answer: Answer) -> float | None:
        value = answer.headers.get("retry-after")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            return None  # an HTTP date: treated as "later than we will wait"

    def _wait(self, answer: Answer, attempt: int) -> float:
        after = self._retry_after(answer)
        wait = self._backoff(attempt) if after is None else after
        return min(wait, self.timing.max_retry_after)

    def _backoff(self, attempt: int) -> float:
        return min(0.2 * (2 ** attempt), self.timing.max_retry_after)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One certificate store for every client of the run. Loading the CA bundle costs tens of
    milliseconds of CPU; ten adapters doing it at once would serialise on it."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


class _Transport(Exception):
    def __init__(self, error: Exception, *, before_sending: bool) -> None:
        super().__init__(type(error).__name__)
        self.error = error
        self.before_sending = before_sending


def rate_limit_hint(answer: Answer, title: str) -> str | None:
    """A hint for a 429 (or a rate-limit 403): when to retry, and that the manual step is listed."""
    if answer.status != 429 and "retry-after" not in answer.headers:
        return None
    wait = answer.headers.get("retry-after", "?")
    return f"rate limited by {title} (retry after {wait} s); use the manual step now"


def may_carry_token(url: str) -> bool:
    """Whether a credential may be sent to this base URL: https, or plain http to loopback only
    (the simulators). A token must never cross a network in clear."""
    import ipaddress
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    if parts.scheme != "http":
        return False
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
