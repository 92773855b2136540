"""GitHub's secondary rate limit on concurrent requests, as the simulator models it.

GitHub documents "no more than 100 concurrent requests" across the REST and GraphQL APIs; a request
over that answers 403 (or 429) with a secondary-rate-limit message and a `retry-after`. The
simulator counts requests from arrival to answer (its simulated latency included) and keeps the
peak, so tests and the benchmark can check that a client stays under the limit.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

DEFAULT_MAX_CONCURRENT = 100


@dataclass
class InFlight:
    max_concurrent: int = DEFAULT_MAX_CONCURRENT
    current: int = 0
    peak: int = 0
    refused: int = 0  # requests answered with the secondary limit
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def enter(self) -> bool:
        """Count a request in; False (and counted as refused) when the limit is reached."""
        with self._lock:
            if self.current >= self.max_concurrent:
                self.refused += 1
                return False
            self.current += 1
            self.peak = max(self.peak, self.current)
            return True

    def leave(self) -> None:
        with self._lock:
            self.current -= 1
