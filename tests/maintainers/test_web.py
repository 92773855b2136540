"""WebReader: the host map (named hosts, "*", loopback left alone), redirects followed by hand and
recorded, Authorization never crossing hosts, the size cap, retries, timeouts, and never raising.
Every request goes to a WebSimulator on 127.0.0.1."""

from __future__ import annotations

import os

import pytest

from responder.engine.context import Endpoints, Timing
from responder.maintainers.web import MAX_REDIRECTS, WebReader
from responder.sim.web import Page as SimPage
from responder.sim.web import WebSimulator

FAST = Timing(request_timeout=3.0, read_retries=2, max_retry_after=0.0)

SITES = {
    "a.example": {
        "/hello.txt": "hello from a\n",
        "/data.json": {"json": {"answer": 42}},
        "/not-json": {"body": "<html>nope</html>", "content_type": "text/html; charset=utf-8"},
        "/start": {"status": 302, "location": "/middle"},
        "/middle": {"status": 301, "location": "https://a.example/end"},
        "/end": "the end\n",
        "/to-b": {"status": 302, "location": "https://b.example/landing"},
        "/to-b-and-back": {"status": 302, "location": "https://b.example/back"},
        "/home": "home again\n",
        "/to-ftp": {"status": 302, "location": "ftp://a.example/file"},
        "/to-mailto": {"status": 302, "location": "mailto:security@a.example"},
        "/to-broken": {"status": 302, "location": "http://[broken/"},
        "/loop": {"status": 302, "location": "/loop"},
        "/mirror/hello.txt": "hello through a prefix\n",
        "/with-query": "query page\n",
        "/flaky": "finally\n",
        "/slow": "slow but here\n",
        "/missing-redirect-target": {"status": 307, "location": "/nowhere"},
    },
    "b.example": {
        "/landing": "landed on b\n",
        "/back": {"status": 302, "location": "https://a.example/home"},
    },
    "c.example": {"/hello.txt": "hello from c\n"},
    "127.0.0.1": {"/direct": "reached directly\n"},
}
# A chain of redirects on one host: /r0 → /r1 → ... → /r9 → /done.
SITES["a.example"].update({f"/r{i}": {"status": 302, "location": f"/r{i + 1}"}
                           for i in range(9)})
SITES["a.example"]["/r9"] = {"status": 302, "location": "/done"}
SITES["a.example"]["/done"] = "done\n"


@pytest.fixture
def sim():
    with WebSimulator.from_seed({"sites": SITES}) as running:
        yield running
    assert running.errors == []


@pytest.fixture
def web(sim):
    reader = WebReader(FAST, {"a.example": sim.base_url, "b.example": sim.base_url,
                              "c.example": sim.base_url})
    yield reader
    reader.close()


def seen(sim, path):
    return [r for r in sim.requests if r.path == path]


# --- the host map -------------------------------------------------------------------------------


def test_mapped_host_is_served_by_the_simulator_with_the_original_host_header(sim, web):
    page = web.get("https://a.example/hello.txt")
    assert page.ok and page.status == 200
    assert page.text == "hello from a\n"
    # the logical URL stays what the caller asked for, not the simulator's address
    assert page.url == "https://a.example/hello.txt"
    (request,) = seen(sim, "/hello.txt")
    assert request.headers["host"] == "a.example"


def test_the_same_path_on_two_hosts_is_told_apart_by_the_host_header(sim, web):
    assert web.get("https://a.example/hello.txt").text == "hello from a\n"
    assert web.get("https://c.example/hello.txt").text == "hello from c\n"
    assert [r.headers["host"] for r in seen(sim, "/hello.txt")] == ["a.example", "c.example"]


def test_star_answers_for_every_host_not_named(sim):
    with WebSimulator.from_seed({"sites": {"a.example": {"/hello.txt": "named\n"}}}) as other:
        reader = WebReader(FAST, {"a.example": other.base_url, "*": sim.base_url})
        assert reader.get("https://c.example/hello.txt").text == "hello from c\n"
        # a named host wins over "*"
        assert reader.get("https://a.example/hello.txt").text == "named\n"
        reader.close()
    assert [r.headers["host"] for r in seen(sim, "/hello.txt")] == ["c.example"]


def test_star_does_not_take_a_loopback_url(sim):
    # A simulator's own URL must reach it even when "*" points at a closed port.
    reader = WebReader(FAST, {"*": "http://127.0.0.1:9"})
    page = reader.get(sim.base_url + "/direct")
    reader.close()
    assert page.ok and page.text == "reached directly\n"


def test_host_map_base_url_path_prefix_and_query_are_kept(sim):
    reader = WebReader(FAST, {"a.example": sim.base_url + "/mirror"})
    page = reader.get("https://a.example/hello.txt")
    assert page.ok and page.text == "hello through a prefix\n"
    reader.close()
    reader = WebReader(FAST, {"a.example": sim.base_url})
    assert reader.get("https://a.example/with-query?x=1&y=two").ok
    reader.close()
    (request,) = seen(sim, "/with-query")
    assert request.query == {"x": ["1"], "y": ["two"]}


def test_host_lookup_ignores_the_case_of_the_url_host(sim, web):
    page = web.get("https://A.Example/hello.txt")
    assert page.ok and page.text == "hello from a\n"


def test_the_test_sandbox_map_sends_every_host_to_a_closed_port():
    hosts = Endpoints.from_env(os.environ).hosts
    assert hosts == {"*": "http://127.0.0.1:9"}
    reader = WebReader(FAST, hosts)
    page = reader.get("https://registry.npmjs.org/left-pad")
    reader.close()
    assert not page.ok and page.status == 0
    assert page.error is not None and page.error.startswith("unreachable")


# --- bodies -------------------------------------------------------------------------------------


def test_json_and_content_type(web):
    page = web.get("https://a.example/data.json")
    assert page.json() == {"answer": 42}
    assert page.content_type == "application/json"
    text = web.get("https://a.example/hello.txt")
    assert text.content_type == "text/plain"  # parameters (charset) dropped
    assert text.json() is None


def test_non_json_body_reads_as_none_not_an_exception(web):
    page = web.get("https://a.example/not-json")
    assert page.ok and page.json() is None and page.content_type == "text/html"


def test_404_is_a_page_with_an_error_not_an_exception(sim, web):
    page = web.get("https://a.example/no-such-page")
    assert page.status == 404 and not page.ok and page.error == "HTTP 404"
    assert len(seen(sim, "/no-such-page")) == 1  # a 404 is an answer: never retried


def test_head_method_is_sent_as_head(sim, web):
    page = web.get("https://a.example/hello.txt", method="HEAD")
    assert page.ok and page.body == b""
    assert [r.method for r in seen(sim, "/hello.txt")] == ["HEAD"]


def test_body_over_the_cap_is_a_named_failure_with_no_body(sim):
    sim.sites["a.example"]["/big"] = SimPage(body="x" * 5000)
    sim.sites["a.example"]["/exact"] = SimPage(body="y" * 1000)
    reader = WebReader(FAST, {"a.example": sim.base_url}, max_bytes=1000)
    big = reader.get("https://a.example/big")
    exact = reader.get("https://a.example/exact")
    reader.close()
    assert not big.ok and big.body == b"" and "larger than" in (big.error or "")
    assert big.status == 200  # what the server said is kept, the body is not
    assert exact.ok and len(exact.body) == 1000
    # a body over the cap is not retried either
    assert len(seen(sim, "/big")) == 1


# --- redirects ----------------------------------------------------------------------------------


def test_redirects_are_followed_by_hand_and_every_hop_recorded(sim, web):
    page = web.get("https://a.example/start")
    assert page.ok and page.text == "the end\n"
    assert page.url == "https://a.example/end"
    assert page.redirects == (
        (302, "https://a.example/start", "https://a.example/middle"),
        (301, "https://a.example/middle", "https://a.example/end"),
    )
    assert [r.path for r in sim.requests] == ["/start", "/middle", "/end"]


def test_redirect_to_another_host_is_recorded_and_followed(web):
    page = web.get("https://a.example/to-b")
    assert page.ok and page.text == "landed on b\n"
    assert page.url == "https://b.example/landing"
    assert page.redirects == ((302, "https://a.example/to-b", "https://b.example/landing"),)


def test_authorization_is_kept_on_the_same_host(sim, web):
    page = web.get("https://a.example/start", {"Authorization": "Bearer anon-pull-token"})
    assert page.ok
    assert all(r.headers.get("authorization") == "Bearer anon-pull-token"
               for r in sim.requests)
    assert len(sim.requests) == 3


def test_authorization_never_crosses_to_another_host(sim, web):
    page = web.get("https://a.example/to-b", {"Authorization": "Bearer anon-pull-token",
                                              "accept": "text/plain"})
    assert page.ok
    first, second = sim.requests
    assert first.headers.get("authorization") == "Bearer anon-pull-token"
    assert "authorization" not in second.headers
    assert second.headers.get("accept") == "text/plain"  # other headers travel on


def test_authorization_dropped_once_stays_dropped_when_coming_back(sim, web):
    page = web.get("https://a.example/to-b-and-back", {"authorization": "Bearer tok"})
    assert page.ok and page.text == "home again\n"
    assert [r.headers.get("host") for r in sim.requests] == ["a.example", "b.example",
                                                             "a.example"]
    assert [("authorization" in r.headers) for r in sim.requests] == [True, False, False]
    assert len(page.redirects) == 2


def test_exactly_the_redirect_limit_is_followed(sim, web):
    # /r5 → /r6 → /r7 → /r8 → /r9 → /done: five redirects
    page = web.get("https://a.example/r5")
    assert MAX_REDIRECTS == 5
    assert page.ok and page.text == "done\n" and len(page.redirects) == 5


def test_one_redirect_more_than_the_limit_is_an_error(sim, web):
    page = web.get("https://a.example/r4")
    assert not page.ok and page.status == 0
    assert page.error == f"more than {MAX_REDIRECTS} redirects"
    assert len(page.redirects) == MAX_REDIRECTS + 1
    assert "/done" not in [r.path for r in sim.requests]


def test_a_redirect_loop_ends(web):
    page = web.get("https://a.example/loop")
    assert not page.ok and "redirects" in (page.error or "")


def test_redirect_to_a_non_web_scheme_is_refused_and_recorded(sim, web):
    page = web.get("https://a.example/to-ftp")
    assert not page.ok
    assert page.error == "redirected to a non-web URL (ftp:)"
    assert page.redirects == ((302, "https://a.example/to-ftp", "ftp://a.example/file"),)
    assert len(sim.requests) == 1


def test_redirect_to_a_missing_page_reports_the_final_status(web):
    page = web.get("https://a.example/missing-redirect-target")
    assert page.status == 404 and page.error == "HTTP 404"
    assert page.url == "https://a.example/nowhere"
    assert len(page.redirects) == 1


def test_redirect_to_mailto_is_an_error_not_an_exception(web):
    page = web.get("https://a.example/to-mailto")
    assert not page.ok and page.error is not None


def test_malformed_redirect_location_is_an_error_not_an_exception(web):
    page = web.get("https://a.example/to-broken")
    assert not page.ok and page.error is not None


def test_malformed_url_is_an_error_not_an_exception(web):
    page = web.get("https://[::1/security.txt")
    assert not page.ok and page.error is not None


# --- retries and failures -----------------------------------------------------------------------


def test_5xx_is_retried_until_it_answers(sim, web):
    sim.faults.add(method="GET", path="/flaky", status=503, times=2)
    page = web.get("https://a.example/flaky")
    assert page.ok and page.text == "finally\n"
    assert [r.status for r in seen(sim, "/flaky")] == [503, 503, 200]


def test_429_is_retried_with_retry_after(sim, web):
    sim.faults.add(method="GET", path="/flaky", status=429, times=1, retry_after=0)
    page = web.get("https://a.example/flaky")
    assert page.ok
    assert [r.status for r in seen(sim, "/flaky")] == [429, 200]


def test_a_huge_retry_after_is_capped_by_the_timing(sim, web):
    # max_retry_after is 0 here: a server asking for an hour must not stall the lookup
    sim.faults.add(method="GET", path="/flaky", status=503, times=1, retry_after=3600)
    assert web.get("https://a.example/flaky").ok


def test_persistent_500_gives_up_after_the_retries_with_the_status(sim, web):
    sim.faults.add(method="GET", path="/flaky", status=500, times=None)
    page = web.get("https://a.example/flaky")
    assert not page.ok and page.status == 500 and page.error == "HTTP 500"
    assert len(seen(sim, "/flaky")) == 1 + FAST.read_retries


def test_no_retries_means_one_attempt(sim):
    sim.faults.add(method="GET", path="/flaky", status=502, times=None)
    reader = WebReader(Timing(request_timeout=3.0, read_retries=0, max_retry_after=0.0),
                       {"a.example": sim.base_url})
    page = reader.get("https://a.example/flaky")
    reader.close()
    assert page.status == 502 and len(seen(sim, "/flaky")) == 1


def test_4xx_other_than_429_is_not_retried(sim, web):
    sim.faults.add(method="GET", path="/flaky", status=403, times=None)
    page = web.get("https://a.example/flaky")
    assert page.status == 403 and page.error == "HTTP 403"
    assert len(seen(sim, "/flaky")) == 1


def test_a_timeout_is_named_and_never_raises(sim):
    sim.faults.add(method="GET", path="/slow", delay=1.0, times=None)
    reader = WebReader(Timing(request_timeout=0.2, read_retries=0, max_retry_after=0.0),
                       {"a.example": sim.base_url})
    page = reader.get("https://a.example/slow")
    reader.close()
    assert not page.ok and page.status == 0 and page.error == "timed out"


def test_a_timeout_is_retried(sim):
    sim.faults.add(method="GET", path="/slow", delay=1.0, times=1)
    reader = WebReader(Timing(request_timeout=0.3, read_retries=1, max_retry_after=0.0),
                       {"a.example": sim.base_url})
    page = reader.get("https://a.example/slow")
    reader.close()
    assert page.ok and page.text == "slow but here\n"


def test_an_unreachable_host_is_named_and_never_raises():
    reader = WebReader(Timing(request_timeout=1.0, read_retries=1, max_retry_after=0.0),
                       {"down.example": "http://127.0.0.1:9"})
    page = reader.get("https://down.example/.well-known/security.txt")
    reader.close()
    assert not page.ok and page.status == 0
    assert page.error == "unreachable (ConnectError)"
    assert page.url == "https://down.example/.well-known/security.txt"
