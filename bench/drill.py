"""Wall time of every embedded drill scenario, end to end in a fresh process (start to the
scorecard printed), and the scorecard's own figures.

Usage: python bench/drill.py [N] [SCENARIO...]   (N runs each, default 5; default: every scenario)

The bar (issue 7): `responder drill compromised-server` prints its scorecard in under 3 s.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from responder.engine.drill import scenario_names

PLAYBOOK = "compromised-server"


def _milestone(values: list[int | None]) -> str:
    reached = [v for v in values if v is not None]
    if not reached:
        return "    not reached"
    return f"{statistics.median(reached):7.0f} ms" + ("" if len(reached) == len(values) else
                                                      f" ({len(reached)}/{len(values)})")


def bench(scenario: str, runs: int, exe: str) -> None:
    walls: list[float] = []
    contain: list[int | None] = []
    revoke: list[int | None] = []
    codes: set[int] = set()
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as state:
            start = time.perf_counter()
            done = subprocess.run([exe, "drill", PLAYBOOK, "--scenario", scenario, "--json"],
                                  capture_output=True, text=True,
                                  env={**os.environ, "RESPONDER_STATE_DIR": state})
            walls.append(time.perf_counter() - start)
            codes.add(done.returncode)
            if "Drill scorecard" not in done.stderr:
                sys.exit(f"{scenario}: no scorecard printed (exit {done.returncode}):\n"
                         f"{done.stderr[-2000:]}")
            card = json.loads(done.stdout)["drill"]["scorecard"]
            contain.append(card["time_to_containment"]["ms"])
            revoke.append(card["time_to_revocation"]["ms"])
    worst = max(walls)
    print(f"{scenario:15} wall median {statistics.median(walls) * 1000:6.0f} ms, "
          f"max {worst * 1000:6.0f} ms{'  (over 3 s!)' if worst >= 3 else ''} | "
          f"containment {_milestone(contain)} | revocation {_milestone(revoke)} | "
          f"exit {','.join(map(str, sorted(codes)))} (n={runs})")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    chosen = sys.argv[2:] or scenario_names(PLAYBOOK)
    exe = str(Path(sys.executable).with_name("responder"))
    for scenario in chosen:
        bench(scenario, runs, exe)


if __name__ == "__main__":
    main()
