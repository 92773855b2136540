"""Running provider calls side by side: most of their time is spent waiting on the network."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
MAX_WORKERS = 32  # a run holds tens of credentials; each call mostly waits on the network


def concurrently(items: Iterable[T], work: Callable[[T], R], prefix: str,
                 limit: int = MAX_WORKERS) -> list[R]:
    """`work` on every item at once (up to `limit` threads); results in the items' order."""
    items = list(items)
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=min(limit, len(items)),
                            thread_name_prefix=prefix) as pool:
        return list(pool.map(work, items))


def in_background(work: Callable[..., R], *args: Any, name: str) -> Future[R]:
    """Start `work(*args)` on its own thread now; `.result()` waits for it (and re-raises)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
    try:
        return pool.submit(work, *args)
    finally:
        pool.shutdown(wait=False)  # the thread ends when the work does
