"""Cold start of `responder --help`: the median of N fresh processes (target: well under 0.3 s).

Usage: python bench/cold_start.py [N]   (uses the `responder` on PATH or next to this Python)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    exe = Path(sys.executable).with_name("responder")
    command = [str(exe)] if exe.exists() else [shutil.which("responder") or "responder"]
    for args in (["--help"], ["run", "--help"], ["--version"]):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=True, env={**os.environ, "COLUMNS": "100"})
            times.append(time.perf_counter() - start)
        print(f"responder {' '.join(args):<12} median {statistics.median(times) * 1000:6.1f} ms"
              f"  min {min(times) * 1000:6.1f} ms  max {max(times) * 1000:6.1f} ms  (n={runs})")


if __name__ == "__main__":
    main()
