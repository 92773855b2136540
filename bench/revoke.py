"""Revocation under a slow network: 20 credentials across the simulated providers, each call
delayed by --latency (default 200 ms). Prints the wall time of identity capture, revoke and
verification (the snapshot, revoke and verify steps) next to what one-call-at-a-time would cost.

Usage: python bench/revoke.py [N] [--latency SECONDS]
The drill scenario is fixtures/drills/compromised-server/many-providers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="?", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.2)
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("responder"))
    walls, phases, counts = [], [], None
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as state:
            start = time.perf_counter()
            done = subprocess.run(
                [exe, "drill", "compromised-server", "--scenario", "many-providers", "--json",
                 "--latency", str(args.latency)],
                capture_output=True, text=True, env={**os.environ, "RESPONDER_STATE_DIR": state})
            walls.append(time.perf_counter() - start)
            envelope = json.loads(done.stdout)
        steps = {s["id"]: s for s in envelope["steps"]}
        phases.append({k: steps[k]["duration_ms"] for k in ("snapshot", "revoke", "verify")})
        revoke = steps["revoke"]["outputs"]
        counts = {
            "credentials": len(steps["inventory"]["outputs"]["credentials"]),
            "identified": len(steps["snapshot"]["outputs"]["identities"]),
            "revoked via API": len(revoke["submitted"]) + len(revoke["unknown"]),
            "manual": len(revoke["manual"]),
            "failed": len(revoke["failed"]),
            "proven dead": len(steps["verify"]["outputs"].get("dead", [])),
            "unconfirmed": len(steps["verify"]["outputs"].get("unconfirmed", [])),
        }
    total = [sum(p.values()) for p in phases]
    print(f"latency per provider call   {args.latency * 1000:.0f} ms (runs={args.runs})")
    print("credentials                 " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
    for key in ("snapshot", "revoke", "verify"):
        print(f"  {key:<9} median {statistics.median(p[key] for p in phases):7.0f} ms")
    print(f"identity + revoke + verify  median {statistics.median(total):7.0f} ms, "
          f"max {max(total):.0f} ms")
    serial = counts["revoked via API"] * 3 * args.latency * 1000
    print(f"one call at a time would be at least {serial:.0f} ms "
          f"({counts['revoked via API']} credentials x 3 round trips)")
    print(f"whole drill wall time       median {statistics.median(walls) * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
