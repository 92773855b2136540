"""Wall time of the embedded drill, end to end in a fresh process, and its step timings.

Usage: python bench/drill.py [N]
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


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    exe = str(Path(sys.executable).with_name("responder"))
    walls, contain, proven = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as state:
            start = time.perf_counter()
            done = subprocess.run([exe, "drill", "compromised-server", "--json"],
                                  capture_output=True, text=True,
                                  env={**os.environ, "RESPONDER_STATE_DIR": state})
            walls.append(time.perf_counter() - start)
            envelope = json.loads(done.stdout)
            elapsed = 0
            for step in envelope["steps"]:
                elapsed += step["duration_ms"]
                if step["id"] == "contain":
                    contain.append(elapsed)
                if step["id"] == "verify":
                    proven.append(elapsed)
    print(f"drill wall time           median {statistics.median(walls) * 1000:7.1f} ms (n={runs})")
    print(f"time to containment       median {statistics.median(contain):7.1f} ms")
    print(f"time to revocation proven median {statistics.median(proven):7.1f} ms")


if __name__ == "__main__":
    main()
