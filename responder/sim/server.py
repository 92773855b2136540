"""A small routing HTTP server for provider simulators.

Stdlib only, so the drill and the tests can start one in a few milliseconds without extra
dependencies. A provider simulator subclasses :class:`SimServer`, registers routes and overrides
the hooks ``dispatch`` (authentication, rate limits), ``error_response`` (the provider's error
shape) and ``finalize`` (headers the provider puts on every response).
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import random
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlsplit

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case keys
    body: bytes
    json: Any
    params: dict[str, str] = field(default_factory=dict)  # filled from the route template
    route: Route | None = None
    context: dict[str, Any] = field(default_factory=dict)  # scratch space for dispatch hooks
    raw_query: str = ""  # as sent, for fault patterns that name a query

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-serialisable; None means an empty body
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # sent verbatim instead of ``body`` when set


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    json: Any
    status: int
    response_json: Any
    response_headers: dict[str, str]


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    pattern: re.Pattern[str]
    options: Mapping[str, Any]


@dataclass
class Fault:
    method: str
    path: str
    status: int | None
    times: int | None
    delay: float
    retry_after: int | float | str | None
    body: Any
    hits: int = 0

    def matches(self, method: str, path: str, query: str = "") -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        # A pattern with a "?" names a query too ("/users/u/events?*page=2*"): it is matched
        # against path?query, so "page 2 of a list fails" can be set up; otherwise the path only.
        target = f"{path}?{query}" if "?" in self.path else path
        return self.method in ("*", method) and fnmatch.fnmatchcase(target, self.path)


class FaultInjector:
    """Faults are checked before routing, in the order they were added; the first live one wins."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        method: str = "*",
        path: str = "*",
        status: int | None = None,
        times: int | None = 1,
        delay: float = 0.0,
        retry_after: int | float | str | None = None,
        body: Any = None,
    ) -> Fault:
        if status is None and delay <= 0:
            raise ValueError("a fault needs a status, a delay, or both")
        fault = Fault(method.upper(), path, status, times, delay, retry_after, body)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str, query: str = "") -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path, query):
                    fault.hits += 1
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def __iter__(self) -> Iterator[Fault]:
        with self._lock:
            return iter(list(self._faults))


def compile_template(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(
        f"(?P<{part}>[^/]+)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$")


_RELATIVE = re.compile(r"^\s*([+-])\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def resolve_time(value: str | datetime | date, now: datetime) -> datetime:
    """Seed times: ISO-8601, a datetime (YAML loaders produce those), or an offset like "-2h"."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    match = _RELATIVE.match(str(value))
    if match:
        sign, amount, unit = match.groups()
        delta = timedelta(**{_UNITS[unit]: float(amount)})
        return now + delta if sign == "+" else now - delta
    text = str(value).strip()
    text = text[:-3].strip() + "+00:00" if text.endswith(" UTC") else text
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 makes a burst of concurrent clients wait for SYN
    # retransmits (a second each); a run opens tens of connections at once.
    request_queue_size = 128

    def __init__(self, sim: SimServer, port: int = 0) -> None:
        self.sim = sim
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse DNS lookup that can take seconds.
        super(ThreadingHTTPServer, self).server_bind()
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        # Keep-alive handler threads would otherwise sit on idle client sockets after stop().
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, ConnectionError | TimeoutError):
            self.sim.errors.append(error)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; with Nagle on, keep-alive clients wait ~40 ms for
    # the delayed ACK on every response.
    disable_nagle_algorithm = True
    server: _HTTPServer
    timeout = 60

    def version_string(self) -> str:
        return self.server.sim.server_header

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header follows the simulator's clock, like every other time it reports.
        return formatdate(self.server.sim.clock().timestamp(), usegmt=True)

    def log_message(self, format: str, *args: Any) -> None:
        """The request log lives in memory; nothing is printed."""

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        response = self.server.sim.handle(self.command, self.path, headers, body)
        payload = response.raw
        if payload is None:
            payload = b"" if response.body is None else json.dumps(response.body).encode()
        self.send_response(response.status)
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve


class SimServer:
    """Routing, fault injection and a request log around a ThreadingHTTPServer in a thread."""

    server_header = "sim"
    # Where the provider's API lives under the host, so a base URL built as base_url + api_path
    # looks like the real one (GitLab's /api/v4, OpenAI's /v1).
    api_path = ""

    def __init__(self) -> None:
        # Seconds every request waits before it is answered: a slow provider, for drills and the
        # concurrency benchmark. Faults add their own delay on top.
        self.latency: float = 0.0
        # The source of the random values a provider hands out (request ids, issued tokens);
        # a seeded drill replaces it with a seeded one.
        self.rng: random.Random = random.Random()
        # The loopback port to listen on; 0 (or a port that is taken): any free one. A seeded
        # drill asks for the same ports each time so its journal names the same URLs.
        self.port: int = 0
        self.routes: list[Route] = []
        self.faults = FaultInjector()
        self.requests: list[RecordedRequest] = []
        # Exceptions raised by handlers: they answer 500, and tests can assert this stays empty.
        self.errors: list[BaseException] = []
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._log_lock = threading.Lock()

    # lifecycle

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("simulator is not running; call start() first")
        return f"http://127.0.0.1:{self._httpd.server_port}"

    def start(self) -> str:
        if self._httpd is None:
            self._httpd = self._bind()
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.02},  # stop() waits at most one poll interval
                name=f"{type(self).__name__}-{self._httpd.server_port}",
                daemon=True,
            )
            self._thread.start()
        return self.base_url

    def _bind(self) -> _HTTPServer:
        if self.port:
            try:
                return _HTTPServer(self, self.port)
            except OSError:
                pass  # taken: any free port will do, only the URLs differ
        return _HTTPServer(self)

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # routing

    def route(self, method: str, template: str, handler: Handler, **options: Any) -> None:
        self.routes.append(
            Route(method.upper(), template, handler, compile_template(template), options)
        )

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        lookup = "GET" if method == "HEAD" else method
        for route in self.routes:
            found = route.pattern.match(path)
            if found and route.method == lookup:
                return route, {key: unquote(value) for key, value in found.groupdict().items()}
        return None

    # hooks for provider simulators

    def dispatch(self, request: Request, route: Route) -> Response:
        return route.handler(request)

    def error_response(
        self, status: int, message: str | None = None, fault: Fault | None = None
    ) -> Response:
        return Response(status, {"message": message or phrase(status)})

    def finalize(self, request: Request, response: Response) -> None:
        """Add the headers every response carries."""

    def clock(self) -> datetime:
        return datetime.now(UTC)

    # pipeline

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response:
        split = urlsplit(target)
        request = Request(
            method=method.upper(),
            path=split.path or "/",
            query=parse_qs(split.query, keep_blank_values=True),
            headers=headers,
            body=body,
            json=_parse_json(body),
            raw_query=split.query,
        )
        response = self._respond(request)
        if response.body is not None and response.raw is None:
            response.headers.setdefault("content-type", JSON_CONTENT_TYPE)
        self.finalize(request, response)
        # Recorded before the bytes go out, so a client that got its answer always finds it logged.
        with self._log_lock:
            self.requests.append(
                RecordedRequest(
                    method=request.method,
                    path=request.path,
                    query=request.query,
                    headers=request.headers,
                    body=request.body,
                    json=request.json,
                    status=response.status,
                    response_json=response.body,
                    response_headers=dict(response.headers),
                )
            )
        return response

    @property
    def api_url(self) -> str:
        return self.base_url + self.api_path

    def _respond(self, request: Request) -> Response:
        if self.latency > 0:
            time.sleep(self.latency)
        fault = self.faults.take(request.method, request.path, request.raw_query)
        if fault is not None:
            if fault.delay > 0:
                time.sleep(fault.delay)
            if fault.status is not None:
                return self._fault_response(fault)
        found = self.match(request.method, request.path)
        if found is None:
            return self.error_response(404)
        request.route, request.params = found
        try:
            return self.dispatch(request, request.route)
        except Exception as error:  # a handler bug must answer 500, not drop the connection
            self.errors.append(error)
            return self.error_response(500)

    def _fault_response(self, fault: Fault) -> Response:
        assert fault.status is not None
        if fault.body is None:
            response = self.error_response(fault.status, fault=fault)
        elif isinstance(fault.body, str | bytes):
            raw = fault.body.encode() if isinstance(fault.body, str) else fault.body
            response = Response(
                fault.status, raw=raw, headers={"content-type": "text/plain; charset=utf-8"}
            )
        else:
            response = Response(fault.status, fault.body)
        if fault.retry_after is not None:
            response.headers["retry-after"] = str(fault.retry_after)
        return response


def phrase(status: int) -> str:
    """The reason phrase, also for statuses the stdlib does not know (Anthropic's 529)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Overloaded" if status == 529 else f"HTTP {status}"


def _parse_json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None
