"""`responder run compromised-server --server github --yes` in a process of its own, with short
waits, for the SIGKILL tests: they set RESPONDER_CRASH_AT and kill it at a named point."""

from __future__ import annotations

import sys

from responder.engine.context import Timing
from responder.engine.session import RunRequest, execute

# The simulator answers at once: no reason to wait seconds between probes.
FAST = Timing(request_timeout=5.0, snapshot_budget=10.0,
              verify_backoff=(0.05, 0.1, 0.2, 0.4, 0.8), read_retries=1, max_retry_after=0.5,
              lock_wait=0.5, recheck_after=0.05)

if __name__ == "__main__":
    code, _ = execute(RunRequest(playbook="compromised-server", server=sys.argv[1],
                                 assume_yes=True, timing=FAST, interactive=False))
    sys.exit(int(code))
