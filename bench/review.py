"""The GitHub activity review of an account with many repositories, under network latency.

Seeds the GitHub simulator with one account that admins N repositories (default 50), a push in
the window to each of 10 of them, and an organisation on GitHub Enterprise Cloud, delays every
answer by --latency (default 100 ms), then times the two pulls the review makes:
- the snapshot's pull with the suspect token before revocation (own lists, events, every admin
  repository's webhooks, deploy keys and invitations, each push compared, the audit log);
- the review's re-check with a responder token afterwards.
Each is printed as wall time, requests made, the peak of requests in flight, and round trips
(wall time / latency) next to what one call at a time would take. Run it with --latency 0 too:
that is the local cost (simulator, parsing, evidence written and fsynced) the round trips include.

Usage: python bench/review.py [RUNS] [--repos N] [--latency SECONDS]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SUSPECT = "ghp_" + "B" * 36
RESPONDER = "ghp_" + "R" * 36


def seed(repos: int) -> dict:
    names = [f"bench-org/service-{n:02d}" for n in range(repos)]
    pushes = []
    for n in range(10):
        pushes.append({"id": str(50_000 + n), "type": "PushEvent", "created_at": f"-{n + 1}h",
                       "repo": names[n], "public": False,
                       "payload": {"ref": "refs/heads/main", "before": f"b{n}", "head": f"h{n}"}})
    return {
        "users": [
            {"login": "bench-dev", "orgs": ["bench-org"],
             "tokens": [{"value": SUSPECT, "scopes": ["repo", "admin:repo_hook", "read:org",
                                                      "read:public_key", "read:gpg_key",
                                                      "read:audit_log"]}],
             "keys": [{"id": 1, "title": "laptop", "key": "ssh-ed25519 AAAA", "created_at":
                       "-400d"}],
             "events": pushes},
            {"login": "bench-responder",
             "tokens": [{"value": RESPONDER, "scopes": ["repo", "admin:repo_hook", "read:org",
                                                        "read:audit_log"]}]},
        ],
        "orgs": [{"login": "bench-org", "ghec": True, "owners": ["bench-dev", "bench-responder"],
                  "audit_log": [{"action": "repo.create", "actor": "bench-dev",
                                 "created_at": "-2h", "repo": names[0], "token": SUSPECT}]}],
        "repos": [
            {"full_name": name, "private": True, "pushed_at": f"-{n + 1}h",
             "admins": ["bench-dev", "bench-responder"],
             "hooks": [{"id": 9000 + n, "config": {"url": "https://ci.example.com/hook"},
                        "events": ["push"], "active": True, "created_at": "-300d"}],
             "commits": [{"sha": f"b{n}", "parents": [], "files": ["README.md"],
                          "date": "-30d"},
                         {"sha": f"h{n}", "parents": [f"b{n}"], "files": ["src/app.py"],
                          "date": f"-{n + 1}h"}] if n < 10 else []}
            for n, name in enumerate(names)
        ],
    }


def one_run(repos: int, latency: float) -> dict[str, dict[str, float]]:
    from responder.activity.evidence import EvidenceStore
    from responder.core.secrets import SecretRegistry
    from responder.engine.context import Timing
    from responder.providers.base import Settings
    from responder.providers.github import GitHubProvider
    from responder.providers.github_activity import Pull, capture, own_lists
    from responder.sim.github import GitHubSimulator

    now = datetime.now(UTC)
    figures = {}
    with GitHubSimulator.from_seed(seed(repos), now=now) as sim, \
            tempfile.TemporaryDirectory() as tmp:
        sim.latency = latency
        settings = Settings(timing=Timing(), endpoints={"github": sim.api_url}, admin={},
                            clock=lambda: now)
        provider = GitHubProvider(sim.api_url, settings)
        evidence = EvidenceStore(Path(tmp) / "evidence", SecretRegistry(), lambda: now)
        window = now - timedelta(days=7)
        for label, token, as_owner in (("snapshot (suspect token)", SUSPECT, True),
                                       ("re-check (responder token)", RESPONDER, False)):
            before = len(sim.requests)
            sim.in_flight.peak = 0
            start = time.perf_counter()
            owned = own_lists(provider, token, evidence, 60) if as_owner else None
            captured = capture(Pull(provider, token, "bench-dev", window, evidence, 60,
                                    as_owner=as_owner, hashed_token=_hashed(SUSPECT),
                                    scopes=("read:audit_log",)),
                               known=figures.get("_known"), owned=owned)
            wall = time.perf_counter() - start
            figures["_known"] = captured
            figures[label] = {"wall": wall, "requests": len(sim.requests) - before,
                              "peak": sim.peak_in_flight, "gaps": len(captured.gaps),
                              "repos": len(captured.per_repo)}
    figures.pop("_known")
    return figures


def _hashed(token: str) -> str:
    import base64
    import hashlib

    return base64.b64encode(hashlib.sha256(token.encode()).digest()).decode()


def _round_trips(walls: list[float], latency: float) -> str:
    if latency <= 0:
        return "no latency: local cost only"
    return f"{statistics.median(walls) / latency:4.1f} round trips"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="?", type=int, default=3)
    parser.add_argument("--repos", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    runs = [one_run(args.repos, args.latency) for _ in range(args.runs)]
    print(f"account with {args.repos} admin repositories, {args.latency * 1000:.0f} ms per "
          f"call, runs={args.runs}")
    for label in runs[0]:
        walls = [r[label]["wall"] for r in runs]
        last = runs[-1][label]
        print(f"  {label:<27} median {statistics.median(walls) * 1000:6.0f} ms, max "
              f"{max(walls) * 1000:6.0f} ms; {last['requests']} requests, peak "
              f"{last['peak']} in flight, {_round_trips(walls, args.latency)} "
              f"(one at a time: {last['requests']} round trips, "
              f"{last['requests'] * args.latency:.1f} s); {last['repos']} repositories' "
              f"settings read, {last['gaps']} gap(s)")


if __name__ == "__main__":
    main()
