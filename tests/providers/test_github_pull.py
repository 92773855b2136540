"""GitHubReader under GitHub's limits and failures: pages fanned out after page 1, a page that
fails, secondary and primary rate limits, timeouts, the time budget, and a repository whose
name moved (301). Failures are `Listing.problem`s and capture gaps, never exceptions."""

from __future__ import annotations

import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from test_github_review import (
    RESPONDER,
    SUSPECT,
    WINDOW,
    Review,
    base_seed,
    make_review,
)

from responder.engine.context import Timing
from responder.providers.github_pull import RESERVE, SECONDARY_TRIES, GitHubReader


@pytest.fixture
def review(tmp_path):
    made, sim = make_review(tmp_path, base_seed())
    yield made
    sim.stop()
    assert made.sim.errors == []


def reader(review: Review, token: str = RESPONDER, budget: float = 10) -> GitHubReader:
    return GitHubReader(review.provider, token, review.evidence, time.monotonic() + budget,
                        "responder")


def hooks(count: int, created_at: str = "-300d") -> list[dict[str, Any]]:
    return [{"id": n, "config": {"url": f"https://h{n}.example/x"}, "created_at": created_at}
            for n in range(1, count + 1)]


def with_hooks(tmp_path, count: int, **repo: Any) -> tuple[Review, Any]:
    seed = base_seed()
    seed["repos"].append({"full_name": "octo/many", "private": True,
                          "admins": ["octo", "responder-bot"], "hooks": hooks(count), **repo})
    return make_review(tmp_path, seed)


def pages_asked(review: Review, path: str) -> list[int]:
    return sorted(int(r.query["page"][0]) for r in review.sim.requests
                  if r.path == path and "page" in r.query)


# -- pages ---------------------------------------------------------------------------------------


def test_pages_after_the_first_follow_rel_last_and_stop_at_max_pages(tmp_path):
    review, sim = with_hooks(tmp_path, 650)
    with sim:
        listing = reader(review).pages("/repos/octo/many/hooks", "many-hooks", max_pages=5)
    assert [h["id"] for h in listing.items] == list(range(1, 501))
    assert pages_asked(review, "/repos/octo/many/hooks") == [1, 2, 3, 4, 5]
    assert listing.problem is not None and "first 5 of 7 pages" in listing.problem.why
    assert len(listing.files) == 5


def test_a_failing_middle_page_keeps_the_others_and_names_it(tmp_path):
    review, sim = with_hooks(tmp_path, 350)
    with sim:
        sim.faults.add("GET", "/repos/octo/many/hooks?*page=3*", status=502, times=None)
        listing = reader(review).pages("/repos/octo/many/hooks", "many-hooks")
    ids = [h["id"] for h in listing.items]
    assert ids == list(range(1, 201)) + list(range(301, 351))
    assert "page 3 of 4" in listing.problem.why and "502" in listing.problem.why
    assert "other pages were kept" in listing.problem.why


def test_newest_first_lists_stop_once_page_one_reaches_past_the_window(tmp_path):
    seed = base_seed()
    seed["users"][0]["events"] = [{"id": str(900 + n), "type": "WatchEvent", "repo": "x/y",
                                   "created_at": f"-{n + 1}h" if n < 90 else f"-{n - 80}d"}
                                  for n in range(180)]
    review, sim = make_review(tmp_path, seed)
    with sim:
        listing = reader(review, SUSPECT).pages("/users/octo/events", "events", max_pages=3,
                                                stop_before=WINDOW)
    assert len(listing.items) == 100 and listing.problem is None
    assert pages_asked(review, "/users/octo/events") == [1]


# -- secondary rate limit --------------------------------------------------------------------


def test_a_secondary_limit_is_waited_out_and_the_read_succeeds(review):
    sim = review.sim
    sim.max_concurrent, sim.latency = 1, 0.2
    read = reader(review)
    urls = ["/repos/octo/api/hooks", "/repos/octo/web/hooks"]
    with ThreadPoolExecutor(2) as pool:
        listings = list(pool.map(lambda url: read.pages(url, url.replace("/", "_")), urls))
    assert sim.in_flight.refused >= 1
    assert [lst.problem for lst in listings] == [None, None]
    assert [[h["id"] for h in lst.items] for lst in listings] == [[1, 2], [3]]
    refused = [r for r in sim.requests if r.status == 403]
    assert refused and all("secondary rate limit" in r.response_json["message"]
                           for r in refused)


def test_a_secondary_limit_that_persists_is_a_gap_after_a_few_tries(review):
    review.sim.faults.add("GET", "/repos/octo/api/keys", status=403, retry_after=1, times=None)
    captured = review.suspect()
    [gap] = [g for g in captured.gaps if g.what == "octo/api deploy keys"]
    assert "rate limited by GitHub (403)" in gap.why
    assert review.paths()["/repos/octo/api/keys"] == SECONDARY_TRIES
    assert captured.per_repo["octo/web"]["hooks"]  # the rest was read


def test_many_reads_under_a_low_concurrency_limit_end_read_or_as_gaps(tmp_path):
    seed = base_seed()
    seed["repos"] += [{"full_name": f"octo/svc-{n:02d}", "private": True,
                       "admins": ["octo", "responder-bot"]} for n in range(30)]
    review, sim = make_review(tmp_path, seed, Timing(request_timeout=3.0, read_retries=1,
                                                     max_retry_after=0.3))
    with sim:
        sim.max_concurrent, sim.latency = 4, 0.1
        captured = review.suspect()
    assert sim.in_flight.refused > 0 and sim.in_flight.peak <= 4
    for n in range(30):
        repo = f"octo/svc-{n:02d}"
        for kind, what in (("hooks", "webhooks"), ("keys", "deploy keys"),
                           ("invitations", "invitations")):
            read = kind in captured.per_repo.get(repo, {})
            gaps = [g for g in captured.gaps if g.what == f"{repo} {what}"]
            assert read != bool(gaps), (repo, kind)
            assert all("rate limit" in g.why for g in gaps)


# -- primary rate limit --------------------------------------------------------------------------


def test_reads_stop_at_the_reserve_and_send_nothing_more(review):
    bucket = review.sim.state.bucket("user:responder-bot", 5000)
    read = reader(review)
    read.one("/repos/octo/api", "api")
    bucket.used = 5000 - RESERVE + 10  # the next answer reports fewer calls than the reserve
    read.one("/repos/octo/web", "web")
    sent = len(review.sim.requests)
    listing = read.pages("/repos/octo/api/hooks", "hooks")
    assert listing.problem is not None and "rate limit" in listing.problem.why
    assert f"{RESERVE - 11} calls left" in listing.problem.why
    assert len(review.sim.requests) == sent


def test_a_capture_near_the_limit_gives_rate_limit_gaps_not_more_calls(review):
    from responder.providers.github_activity import OWN_LISTS, capture

    review.sim.state.bucket("user:octo", 5000).used = 5000 - RESERVE
    review.sim.latency = 0.2  # every first-wave read is on its way before any answer is back
    # Without `owned`, the first wave is the events and the owner-only lists; all the rest
    # (each repository's settings, pushes, moved repositories, audit logs) comes after it.
    captured = capture(review.pull(SUSPECT, True, scopes=("repo", "read:audit_log")))
    sent = Counter(r.path for r in review.sim.requests)
    assert sent == Counter({"/users/octo/events": 1, **{url: 1 for url, _, _ in
                                                         OWN_LISTS.values()}})
    for repo in ("octo/api", "octo/web", "octo/new", "octo/fresh"):
        for what in ("webhooks", "deploy keys", "invitations"):
            [gap] = [g for g in captured.gaps if g.what == f"{repo} {what}"]
            assert "stopped to keep GitHub's rate limit" in gap.why
    later = [g for g in captured.gaps if g.what.startswith(("push to", "repository ",
                                                            "audit log of"))]
    assert len(later) == 5 + 3 + 4  # five pushes, three moved or gone repositories, four orgs
    assert all("rate limit" in g.why for g in later)


def test_an_exhausted_limit_answer_is_a_rate_limit_problem(review):
    review.sim.state.bucket("user:responder-bot", 5000).used = 5000
    listing = reader(review).one("/repos/octo/api", "api")
    assert listing.problem is not None and listing.problem.status == 403
    assert "rate limited by GitHub (403)" in listing.problem.why
    assert len(review.sim.requests) == 1 and listing.files == []


def test_the_reserve_gap_names_the_reset_as_a_time(review):
    review.sim.state.bucket("user:responder-bot", 5000).used = 5000 - RESERVE
    read = reader(review)
    read.one("/repos/octo/api", "api")
    problem = read.one("/repos/octo/web", "web").problem
    assert problem is not None and re.search(r"\d\d:\d\d", problem.why), problem.why


# -- timeouts and the time budget ----------------------------------------------------------------


SLOW = Timing(request_timeout=1.0, read_retries=0, max_retry_after=0.2)


def test_a_call_that_times_out_is_one_gap_and_the_rest_is_read(tmp_path):
    review, sim = make_review(tmp_path, base_seed(), SLOW)
    with sim:
        sim.faults.add("GET", "/repos/octo/web/keys", delay=1.5, times=None)
        captured = review.suspect()
    [gap] = [g for g in captured.gaps if g.what == "octo/web deploy keys"]
    assert captured.per_repo["octo/web"]["hooks"] and captured.per_repo["octo/api"]["keys"]
    assert gap.hint


def test_a_timeout_gap_says_it_timed_out(tmp_path):
    review, sim = make_review(tmp_path, base_seed(), SLOW)
    with sim:
        sim.faults.add("GET", "/repos/octo/web/keys", delay=1.5, times=None)
        captured = review.suspect()
    [gap] = [g for g in captured.gaps if g.what == "octo/web deploy keys"]
    assert "timeout" in gap.why.lower() and "unreachable" not in gap.why


def test_the_budget_ending_between_pages_keeps_page_one(tmp_path):
    review, sim = with_hooks(tmp_path, 150)
    with sim:
        sim.latency = 0.6
        listing = reader(review, budget=0.3).pages("/repos/octo/many/hooks", "hooks")
    assert len(listing.items) == 100
    assert "page 2 of 2: not read within the time budget" in listing.problem.why
    assert pages_asked(review, "/repos/octo/many/hooks") == [1]


def test_the_budget_ending_mid_capture_leaves_gaps_for_the_second_wave(review):
    known = review.suspect()
    review.sim.latency = 0.6
    captured = review.responder(known=known, budget=0.3)
    late = [g for g in captured.gaps if "time budget" in g.why]
    assert any(g.what.startswith("push to") for g in late)
    assert "events" in captured.lists  # the first wave arrived


# -- a repository whose name moved ---------------------------------------------------------------


def test_a_moved_repositorys_list_ends(tmp_path):
    review, sim = with_hooks(tmp_path, 45, moved_to="octo/renamed")
    with sim:
        listing = reader(review).pages("/repos/octo/many/hooks", "many-hooks")
    asked = [r for r in sim.requests if r.path.endswith("/hooks")]
    assert len(asked) <= 2 * 5  # bounded: at most max_pages, each one redirect
    assert listing.items


def test_a_moved_repositorys_list_is_read_once_each(tmp_path):
    review, sim = with_hooks(tmp_path, 45, moved_to="octo/renamed")
    with sim:
        listing = reader(review).pages("/repos/octo/many/hooks", "many-hooks")
    ids = [h["id"] for h in listing.items]
    assert sorted(ids) == list(range(1, 46)) or listing.problem is not None
