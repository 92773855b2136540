"""A `responder run` or `runs resume` in a process of its own, for the adversarial resume tests:
any mode (dry run, --offline, --match package, no --yes) and killable at a named point with
RESPONDER_CRASH_AT, the resume included (two kills in a row).

    python resume_helpers.py run '{"server": "github", "dry_run": true}'
    python resume_helpers.py resume '{"run_id": "2026...", "assume_yes": true}'
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from crash_driver import FAST

HERE = Path(__file__)


def spawn(kind: str, spec: dict, *, cwd: Path, crash_at: str | None = None,
          unset: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.pop("RESPONDER_CRASH_AT", None)
    if crash_at:
        env["RESPONDER_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, str(HERE), kind, json.dumps(spec)], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def killed(kind: str, spec: dict, point: str, *, cwd: Path,
           unset: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    done = spawn(kind, spec, cwd=cwd, crash_at=point, unset=unset)
    assert done.returncode == -signal.SIGKILL, (point, done.returncode, done.stderr[-3000:])
    return done


def _main(kind: str, spec: dict) -> int:
    from responder.core.errors import ResponderError
    from responder.engine.session import ResumeRequest, RunRequest, execute, resume

    try:
        if kind == "run":
            code, _ = execute(RunRequest(playbook="compromised-server", timing=FAST,
                                         interactive=False, **spec))
        else:
            code, _ = resume(ResumeRequest(timing=FAST, interactive=False, **spec))
    except ResponderError as exc:  # as the CLI boundary does: a message, no traceback
        print(f"error: {exc.message}", file=sys.stderr)
        return int(exc.exit_code)
    return int(code)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1], json.loads(sys.argv[2])))
