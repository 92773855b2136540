"""The maintainer lookup for one server, under network latency.

A server defined three ways (an npm package with a malicious release, a PyPI project, a GHCR
image): the simulated npm registry, PyPI, an OCI registry with its token flow, a web host and
GitHub all answer after --latency (default 100 ms). Prints the lookup's wall time, the requests
made and the round trips (wall time / latency): the packages are looked up side by side, and each
package's GitHub reads (repository, private vulnerability reporting, three SECURITY.md places,
then the owner's defaults) run at once.

Usage: python bench/maintainer.py [RUNS] [--latency SECONDS]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def seeds() -> dict:
    versions = [{"version": "1.0.0", "published": "-200d", "publisher": {"name": "dev"}},
                {"version": "1.1.0", "published": "-2h", "publisher": {"name": "stranger"},
                 "repository": "git+https://github.com/evil/weather.git"}]
    return {
        "npm": {"packages": {"@acme/weather": {
            "repository": "git+https://github.com/acme/weather.git",
            "maintainers": [{"name": "dev", "email": "dev@acme.example"}],
            "versions": versions}}},
        "pypi": {"projects": {"acme-tools": {
            "project_urls": {"Source": "https://github.com/acme/tools",
                             "Security": "https://acme.example/security"},
            "versions": [{"version": "2.0", "published": "-90d"},
                         {"version": "2.1", "published": "-1h"}]}}},
        "oci": {"images": [{"registry": "ghcr.io", "repository": "acme/mcp", "tags": ["1.2"],
                            "platforms": ["linux/amd64", "linux/arm64"],
                            "labels": {"org.opencontainers.image.source":
                                       "https://github.com/acme/mcp"}}]},
        "web": {"sites": {"acme.example": {"/.well-known/security.txt": {
            "body": "Contact: mailto:security@acme.example\nExpires: 2099-01-01T00:00:00Z\n",
            "content_type": "text/plain; charset=utf-8"}}}},
        "github": {"repos": [
            {"full_name": name, "private": False, "homepage": "https://acme.example",
             "private_vulnerability_reporting": name != "acme/mcp",
             "files": {"SECURITY.md": "Report to security@acme.example"}}
            for name in ("acme/weather", "acme/tools", "acme/mcp")]},
    }


ENTRIES = [
    {"command": "npx", "args": ["-y", "@acme/weather"]},
    {"command": "uvx", "args": ["acme-tools"]},
    {"command": "docker", "args": ["run", "-i", "--rm", "ghcr.io/acme/mcp:1.2"]},
]


def once(latency: float) -> tuple[float, int]:
    from github import Github

    from responder.engine.context import Timing
    from responder.maintainers.discover import Lookup, Sources, discover
    from responder.maintainers.github_meta import GitHubReader
    from responder.maintainers.web import WebReader
    from responder.sim.fleet import Fleet

    now = datetime.now(UTC)
    fleet = Fleet(seeds(), now=now, latency=latency)
    with fleet:
        env = fleet.env()
        hosts = dict(pair.split("=", 1) for pair in env["RESPONDER_HOST_MAP"].split())
        web = WebReader(Timing(request_timeout=10, read_retries=0), hosts)
        api = env["RESPONDER_GITHUB_API_URL"]
        reader = GitHubReader(Github(base_url=api, pool_size=16, retry=None), api,
                              lambda *_: None)
        lookup = Lookup(web=web, github=reader,
                        sources=Sources(env["RESPONDER_NPM_API_URL"],
                                        env["RESPONDER_PYPI_API_URL"]),
                        window_start=now - timedelta(days=7), now=now, home=Path("/nonexistent"),
                        env={}, save=lambda *_: None)
        started = time.perf_counter()
        found = discover(ENTRIES, lookup)
        wall = time.perf_counter() - started
        web.close()
        assert found.chosen is not None and found.chosen.kind == "github-pvr", found.chosen
        return wall, len(fleet.requests())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    results = [once(args.latency) for _ in range(args.runs)]
    walls = [w for w, _ in results]
    requests = results[0][1]
    median = statistics.median(walls)
    print(f"maintainer lookup, 3 packages, latency {args.latency * 1000:.0f} ms, "
          f"{args.runs} runs")
    print(f"  wall: median {median * 1000:.0f} ms, max {max(walls) * 1000:.0f} ms")
    print(f"  requests: {requests}")
    if args.latency:
        print(f"  round trips: {median / args.latency:.1f} "
              f"(one at a time: {requests * args.latency:.1f} s)")


if __name__ == "__main__":
    main()
