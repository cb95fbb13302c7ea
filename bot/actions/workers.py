"""Worker threads for the handlers and use cases, so a slow query never stops the event loop.

A lock held elsewhere or a slow PostgreSQL then delays only the turns that need it, not everyone else's.
Handlers are plain functions: each runs to the end on a worker thread. The pool is bounded, and smaller
than the database's connection pool, so a burst of clicks queues here instead of failing to get a connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
DEFAULT_WORKERS = 8


class Workers:
    """A bounded pool of threads that run handlers off the event loop."""

    def __init__(self, size: int = DEFAULT_WORKERS) -> None:
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="clusterbot-usecase")

    async def call(self, work: Callable[[], T]) -> T:
        """Run the plain function ``work()`` on a worker thread; return what it returns, raise what it raises."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    def close(self) -> None:
        """Stop taking work; the handlers already running finish."""
        self._pool.shutdown(wait=True, cancel_futures=True)
