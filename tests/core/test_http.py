"""core/http.py against a real simulator on 127.0.0.1: what is retried, what is never re-sent,
how long it waits, and where a token may go."""

from __future__ import annotations

import socket
import time
from types import SimpleNamespace

import httpx
import pytest

from responder.core import http as http_module
from responder.core.errors import ProviderError
from responder.core.http import HttpClient, may_carry_token
from responder.engine.context import Timing
from responder.sim.server import Response, SimServer

TIMING = Timing(request_timeout=1.0, read_retries=2, max_retry_after=0.05)


def _sim() -> SimServer:
    sim = SimServer()
    sim.route("GET", "/thing", lambda r: Response(200, {"ok": True}))
    sim.route("POST", "/thing", lambda r: Response(200, {"done": True}))
    sim.route("GET", "/html", lambda r: Response(
        200, raw=b"<!DOCTYPE html><html><body>Bad gateway</body></html>",
        headers={"content-type": "text/html"}))
    sim.route("GET", "/empty", lambda r: Response(204))
    return sim


@pytest.fixture
def sim():
    server = _sim()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def waits(monkeypatch):
    """Every pause the client takes, recorded instead of slept (only inside core/http.py)."""
    recorded: list[float] = []
    monkeypatch.setattr(http_module, "time", SimpleNamespace(sleep=recorded.append))
    return recorded


def _client(sim: SimServer, timing: Timing = TIMING) -> HttpClient:
    return HttpClient("Testprov", sim.base_url, timing)


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed on exit: nothing listens there


def _hits(sim: SimServer, method: str, path: str) -> int:
    return sum(1 for r in sim.requests if r.method == method and r.path == path)


# -- reads ------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [429, 500, 502, 503, 504, 529])
def test_a_read_is_retried_after_a_transient_status(sim, waits, status):
    sim.faults.add("GET", "/thing", status=status, times=1, body={"error": "transient"})
    answer = _client(sim).read("GET", "/thing")
    assert answer.status == 200 and answer.data == {"ok": True}
    assert [r.status for r in sim.requests] == [status, 200]
    assert len(waits) == 1


def test_a_read_gives_up_after_read_retries_and_returns_the_last_answer(sim, waits):
    sim.faults.add("GET", "/thing", status=503, times=None)
    answer = _client(sim).read("GET", "/thing")
    assert answer.status == 503 and not answer.ok
    assert _hits(sim, "GET", "/thing") == 1 + TIMING.read_retries
    assert len(waits) == TIMING.read_retries


def test_read_retries_zero_means_one_attempt(sim, waits):
    sim.faults.add("GET", "/thing", status=500, times=None)
    answer = _client(sim, Timing(request_timeout=1.0, read_retries=0)).read("GET", "/thing")
    assert answer.status == 500 and _hits(sim, "GET", "/thing") == 1 and waits == []


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_a_read_is_not_retried_on_a_definite_answer(sim, waits, status):
    sim.faults.add("GET", "/thing", status=status, times=None)
    assert _client(sim).read("GET", "/thing").status == status
    assert _hits(sim, "GET", "/thing") == 1 and waits == []


def test_a_read_is_retried_after_a_connection_error(sim, waits):
    client = _client(sim)
    calls = []
    real = client._client.request

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise httpx.ConnectError("connection refused")
        return real(*args, **kwargs)

    client._client.request = flaky
    answer = client.read("GET", "/thing")
    assert answer.status == 200 and len(calls) == 2 and _hits(sim, "GET", "/thing") == 1
    assert len(waits) == 1


def test_a_read_is_retried_after_a_read_timeout(sim):
    sim.faults.add("GET", "/thing", delay=0.5, times=1)  # the first answer comes too late
    client = _client(sim, Timing(request_timeout=0.2, read_retries=1, max_retry_after=0.01))
    answer = client.read("GET", "/thing")
    assert answer.status == 200 and answer.data == {"ok": True}


def test_an_unreachable_provider_is_a_provider_error_after_the_retries(waits):
    port = _dead_port()
    client = HttpClient("Testprov", f"http://127.0.0.1:{port}", TIMING)
    calls = []
    real = client._client.request
    client._client.request = lambda *a, **k: calls.append(a) or real(*a, **k)
    with pytest.raises(ProviderError) as caught:
        client.read("GET", "/x?access_token=SECRETVALUE123")
    assert "Testprov unreachable" in caught.value.message
    assert caught.value.hint and "manual step" in caught.value.hint
    assert "SECRETVALUE123" not in str(caught.value)  # no query (it may hold a token)
    assert len(calls) == 1 + TIMING.read_retries and len(waits) == TIMING.read_retries


def test_retry_after_is_honoured(sim, waits):
    sim.faults.add("GET", "/thing", status=429, times=1, retry_after=0.03)
    client = _client(sim, Timing(request_timeout=1.0, read_retries=2, max_retry_after=5.0))
    assert client.read("GET", "/thing").status == 200
    assert waits == [pytest.approx(0.03)]


def test_retry_after_is_capped_by_max_retry_after(sim, waits):
    sim.faults.add("GET", "/thing", status=503, times=1, retry_after=3600)
    assert _client(sim).read("GET", "/thing").status == 200
    assert waits == [pytest.approx(TIMING.max_retry_after)]


def test_an_http_date_retry_after_waits_at_most_the_cap(sim, waits):
    sim.faults.add("GET", "/thing", status=429, times=1,
                   retry_after="Wed, 21 Oct 2099 07:28:00 GMT")
    assert _client(sim).read("GET", "/thing").status == 200
    assert len(waits) == 1 and waits[0] <= TIMING.max_retry_after


def test_a_long_retry_after_does_not_hold_a_real_read(sim):
    # Not recorded, really slept: a provider asking for an hour must not freeze the run.
    sim.faults.add("GET", "/thing", status=429, times=None, retry_after=3600)
    started = time.monotonic()
    answer = _client(sim, Timing(request_timeout=1.0, read_retries=2,
                                 max_retry_after=0.05)).read("GET", "/thing")
    assert answer.status == 429 and answer.headers["retry-after"] == "3600"
    assert time.monotonic() - started < 1.5


# -- writes -----------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [500, 502, 503, 504, 529])
def test_a_write_answered_5xx_is_not_sent_again(sim, waits, status):
    sim.faults.add("POST", "/thing", status=status, times=None, body={"error": "failing"})
    answer = _client(sim).write("POST", "/thing", json={"token": "x"})
    assert answer.status == status
    assert _hits(sim, "POST", "/thing") == 1 and waits == []


def test_a_write_that_times_out_after_sending_is_unknown_and_sent_once(sim):
    fault = sim.faults.add("POST", "/thing", delay=0.6, times=None)  # any re-send hits it too
    client = _client(sim, Timing(request_timeout=0.2, read_retries=3, max_retry_after=0.01))
    with pytest.raises(ProviderError) as caught:
        client.write("POST", "/thing", json={"revoke": True})
    assert caught.value.delivered is None  # it may have landed: verification decides
    assert "timed out" in caught.value.message
    time.sleep(0.1)  # a re-send, if any, would arrive within this
    assert fault.hits == 1


def test_a_write_to_a_port_nothing_listens_on_surely_did_not_land():
    port = _dead_port()
    client = HttpClient("Testprov", f"http://127.0.0.1:{port}", TIMING)
    with pytest.raises(ProviderError) as caught:
        client.write("DELETE", "/tokens/self")
    assert caught.value.delivered is False
    assert "unreachable" in caught.value.message


def test_a_write_refused_before_sending_is_retried_and_can_succeed(sim, waits):
    client = _client(sim)
    calls = []
    real = client._client.request

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise httpx.ConnectError("connection refused")
        return real(*args, **kwargs)

    client._client.request = flaky
    assert client.write("POST", "/thing").status == 200
    assert len(calls) == 2 and _hits(sim, "POST", "/thing") == 1


def test_a_write_answered_429_with_retry_after_is_sent_again_once(sim, waits):
    sim.faults.add("POST", "/thing", status=429, times=1, retry_after=1)
    answer = _client(sim).write("POST", "/thing")
    assert answer.status == 200 and answer.data == {"done": True}
    assert [r.status for r in sim.requests] == [429, 200]
    assert waits == [pytest.approx(TIMING.max_retry_after)]  # 1 s asked, capped


def test_a_write_answered_429_without_retry_after_is_not_sent_again(sim, waits):
    sim.faults.add("POST", "/thing", status=429, times=None)
    answer = _client(sim).write("POST", "/thing")
    assert answer.status == 429 and _hits(sim, "POST", "/thing") == 1 and waits == []


def test_a_write_rate_limited_every_time_stops_after_the_retries(sim, waits):
    sim.faults.add("POST", "/thing", status=429, times=None, retry_after=0)
    answer = _client(sim).write("POST", "/thing")
    assert answer.status == 429
    assert _hits(sim, "POST", "/thing") == 1 + TIMING.read_retries


# -- answers ----------------------------------------------------------------------------------

def test_json_or_fail_on_an_html_body_is_a_clear_provider_error(sim):
    answer = _client(sim).read("GET", "/html")
    assert answer.status == 200 and answer.data is None
    with pytest.raises(ProviderError) as caught:
        answer.json_or_fail("Testprov")
    error = caught.value
    assert "Testprov answered 200" in error.message and "not JSON" in error.message
    assert error.status == 200 and error.hint and "manual step" in error.hint
    assert "<html>" not in str(error)  # the body itself is never relayed


def test_json_or_fail_on_json_and_on_an_empty_body(sim):
    client = _client(sim)
    assert client.read("GET", "/thing").json_or_fail("Testprov") == {"ok": True}
    assert client.read("GET", "/empty").json_or_fail("Testprov") is None


def test_no_redirect_is_followed(sim):
    sim.route("GET", "/moved", lambda r: Response(
        302, headers={"location": f"{sim.base_url}/thing"}))
    sim.route("POST", "/moved", lambda r: Response(
        307, headers={"location": f"{sim.base_url}/thing"}))
    client = _client(sim)
    answer = client.read("GET", "/moved")
    assert answer.status == 302 and answer.headers["location"].endswith("/thing")
    assert client.write("POST", "/moved").status == 307
    assert [r.path for r in sim.requests] == ["/moved", "/moved"]


def test_every_request_carries_the_user_agent_and_headers_are_lower_cased(sim):
    answer = _client(sim).read("GET", "/thing")
    assert sim.requests[0].headers["user-agent"].startswith("mcp-responder/")
    assert all(key == key.lower() for key in answer.headers)


# -- where a token may go ---------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "https://api.github.com",
    "HTTPS://gitlab.example.com/api/v4",
    "https://10.0.0.5:8443/api",
    "http://127.0.0.1:8080",
    "http://127.8.9.10/api",
    "http://localhost:3000/v1",
    "http://LOCALHOST",
    "http://[::1]:9000/",
])
def test_may_carry_token(url):
    assert may_carry_token(url) is True


@pytest.mark.parametrize("url", [
    "http://api.github.com",
    "http://10.0.0.5:8080",
    "http://192.168.1.10",
    "http://0.0.0.0:8080",
    "http://localhost.attacker.example",
    "http://127.0.0.1.nip.io",
    "http://[::ffff:10.0.0.1]/",
    "ftp://127.0.0.1",
    "file:///etc/passwd",
    "ws://localhost",
    "api.github.com",
    "",
])
def test_may_not_carry_token(url):
    assert may_carry_token(url) is False
