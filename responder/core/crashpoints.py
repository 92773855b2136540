"""Named moments where the crash-safety tests kill responder with SIGKILL.

`RESPONDER_CRASH_AT=NAME[#N]` makes the process kill itself, uncatchably, the Nth time (default:
the first) it reaches the point NAME: e.g. `journal:step_finished#3`, `write:renamed#2`,
`revoke:sent`. Killing at a named point instead of after a timer makes each of the tests' kills
land at the same place on every machine. Unset (always, outside those tests) a point costs one
dictionary lookup.
"""

from __future__ import annotations

import os
import signal
import threading

_counts: dict[str, int] = {}
_lock = threading.Lock()


def reached(name: str) -> None:
    spec = os.environ.get("RESPONDER_CRASH_AT")
    if not spec:
        return
    wanted, _, nth = spec.partition("#")
    if wanted != name:
        return
    with _lock:
        _counts[name] = _counts.get(name, 0) + 1
        hit = _counts[name] == (int(nth) if nth.isdigit() else 1)
    if hit:
        os.kill(os.getpid(), signal.SIGKILL)
