"""The drill's closing lines: the scorecard (responder/engine/scorecard.py) as text."""

from __future__ import annotations

from typing import TextIO

from responder.engine.drill import DrillRun
from responder.engine.scorecard import Milestone, Scorecard

_MARKS = {"missing": "✗ missing", "set": "✓ set", "manual": "☐ manual", "note": "•"}


def render(card: Scorecard) -> list[str]:
    lines = ["", "Drill scorecard",
             "  time to containment (all configs disabled): " + _milestone(card.containment)]
    lines += [f"      - {p['why']}" for p in card.containment.pending]
    lines.append("  time to revocation (all credentials proven dead): "
                 + _milestone(card.revocation))
    lines += [f"      - {_pending(p)}" for p in card.revocation.pending]
    total = sum(len(ids) for ids in card.steps.values())
    lines.append("  steps: " + ", ".join(f"{len(ids)} {group}" for group, ids in
                                          card.steps.items())
                 + f" (of {total}; {card.total_ms} ms in all)")
    for group, ids in card.steps.items():
        if ids and group != "done":
            lines.append(f"    {group}: {', '.join(ids)}")
    lines.append(f"  left for a person: {card.left_manual} to-do item(s)")
    ev = card.evidence
    lines.append(f"  evidence: {ev.files} file(s), {ev.bytes:,} bytes in {ev.directory} "
                 + ("(MANIFEST.sha256 intact)" if ev.intact else "(MANIFEST.sha256 MISMATCH)")
                 + (f", {ev.unlisted} not in the manifest" if ev.unlisted else ""))
    lines.append("  findings: " + (_counts(card.findings) or "none"))
    lines.append("  flagged activity: " + (_counts(card.flagged) or "none"))
    lines.append("  a real run would additionally need:")
    lines += [f"    {_MARKS.get(n.state, n.state)} {n.what}: {n.detail}"
              if not n.what.startswith(("manual:", "network", "processes"))
              else f"    {_MARKS.get(n.state, n.state)} {n.detail}" for n in card.needs]
    if not card.needs:
        lines.append("    nothing beyond what this drill had")
    return lines


def show(drill_run: DrillRun, stream: TextIO) -> None:
    lines = render(drill_run.scorecard)
    lines.insert(2, f"  scenario: {drill_run.scenario.name}"
                 + (f" (seed {drill_run.seed}, clock frozen at {drill_run.result.started_at})"
                    if drill_run.seed is not None else "")
                 + (f"; faults: {'; '.join(f.describe() for f in drill_run.faults)}"
                    if drill_run.faults else ""))
    lines += [f"  sandbox home and workspace: {drill_run.sandbox}",
              f"  run directory: {drill_run.result.run_dir} (scorecard.json)",
              f"  exit {drill_run.code}: {drill_run.scorecard.status}"]
    stream.write("\n".join(lines) + "\n")
    stream.flush()


def _milestone(milestone: Milestone) -> str:
    if milestone.reached:
        return f"{milestone.ms} ms ({milestone.detail})"
    return milestone.detail


def _pending(item: dict[str, str]) -> str:
    return f"{item['credential']} ({item['provider']}): {item['why']}"


def _counts(counts: dict[str, int] | object) -> str:
    return ", ".join(f"{n} {severity}" for severity, n in dict(counts).items())  # type: ignore[call-overload]
