"""Worker threads for the use cases, so a slow query never stops the event loop.

A lock held elsewhere or a slow PostgreSQL then delays only the turns that need it, not everyone else's.

A handler is a coroutine that calls the (synchronous) use cases; each runs to the end on a worker thread,
in that thread's own event loop (kept for the thread's life: a new loop per turn, as ``asyncio.run``
makes, costs 0.3 ms of CPU against 0.02 ms). The pool is bounded, and smaller than the database's connection pool, so a
burst of clicks queues here instead of failing to get a connection.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
DEFAULT_WORKERS = 8


class Workers:
    """A bounded pool of threads that run handlers off the event loop."""

    def __init__(self, size: int = DEFAULT_WORKERS) -> None:
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="clusterbot-usecase")
        self._local = threading.local()

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run ``work()`` to the end on a worker thread and return what it returned (or raise what it raised)."""

        def in_thread() -> T:
            async def whole() -> T:
                return await work()

            loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
            if loop is None:
                loop = self._local.loop = asyncio.new_event_loop()
            return loop.run_until_complete(whole())

        return await asyncio.get_running_loop().run_in_executor(self._pool, in_thread)

    async def call(self, work: Callable[[], T]) -> T:
        """Run the plain function ``work()`` on a worker thread (a use case called outside any handler)."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    def close(self) -> None:
        """Stop taking work; the handlers already running finish."""
        self._pool.shutdown(wait=True, cancel_futures=True)
