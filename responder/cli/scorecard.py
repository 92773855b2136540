"""The drill's closing lines: how fast containment and revocation were, and where things are."""

from __future__ import annotations

import sys
from pathlib import Path

from responder.engine.result import RunResult


def show(result: RunResult, sandbox: Path, *, to_stderr: bool = False) -> None:
    stream = sys.stderr if to_stderr else sys.stdout
    elapsed = 0
    marks: dict[str, int] = {}
    counts: dict[str, int] = {}
    for step in result.steps:
        elapsed += step.duration_ms
        marks[step.id] = elapsed
        counts[step.result.status] = counts.get(step.result.status, 0) + 1
    lines = [
        "",
        "Drill scorecard",
        f"  time to containment (configs disabled): {marks.get('contain', 0)} ms",
        f"  time to revocation proven (tokens dead): {marks.get('verify', 0)} ms",
        "  steps: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())),
        f"  sandbox home and workspace: {sandbox}",
        f"  run directory: {result.run_dir}",
        "  a real run needs: the server's tokens in its environment (or the config), network "
        "access to the providers, and RESPONDER_GITHUB_TOKEN for the post-revocation review",
    ]
    stream.write("\n".join(lines) + "\n")
