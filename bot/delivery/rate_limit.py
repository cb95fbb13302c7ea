"""Teams' limits on a bot's sends, kept: at most 7 a second in one conversation and 40 a second in all.

Teams throttles a bot at 7 messages a second in one conversation, and at about 50 a second across a tenant;
:class:`RateLimiter` makes each send wait for its place in both (the sender, ``bot.delivery.sender``, asks it
before every send and tells it when the send has finished).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class _Stamp:
    """When a send took its place in a window; moved to when it finished, since it arrives in between."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at


class RateLimiter:
    """At most ``per_conversation`` sends in any ``window`` seconds per conversation, and ``global_limit`` in all.

    ``time`` is a monotonic clock and ``sleep`` waits (both injectable for tests). A send counts from when it
    is admitted until ``window`` after :meth:`sent` says it finished, so however long the request takes, its
    arrival at Teams falls inside the counted span.
    """

    def __init__(
        self,
        per_conversation: int = 7,
        global_limit: int = 40,
        window: float = 1.0,
        time_source: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if per_conversation < 1 or global_limit < 1 or window <= 0:
            raise ValueError("limits must be positive")
        self.per_conversation = per_conversation
        self.global_limit = global_limit
        self.window = window
        self._time = time_source
        self._sleep = sleep
        self._conversations: dict[str, list[_Stamp]] = {}
        self._all: list[_Stamp] = []

    def _live(self, stamps: list[_Stamp], now: float) -> list[_Stamp]:
        return [s for s in stamps if s.at > now - self.window]

    def _wait(self, stamps: list[_Stamp], limit: int, now: float) -> float:
        if len(stamps) < limit:
            return 0.0
        # Stamps are not sorted (finishing moves them), so the (len - limit + 1)-th oldest frees the place.
        ordered = sorted(s.at for s in stamps)
        return ordered[len(stamps) - limit] + self.window - now

    async def acquire(self, conversation_id: str) -> _Stamp:
        """Wait until one more send to ``conversation_id`` keeps both limits, and count it."""
        while True:
            now = self._time()
            mine = self._conversations[conversation_id] = self._live(self._conversations.get(conversation_id, []), now)
            self._all = self._live(self._all, now)
            wait = max(self._wait(mine, self.per_conversation, now), self._wait(self._all, self.global_limit, now))
            if wait <= 0:
                stamp = _Stamp(now)
                mine.append(stamp)
                self._all.append(stamp)
                return stamp
            await self._sleep(wait + 0.001)
            self._forget_idle(self._time())

    def sent(self, stamp: _Stamp) -> None:
        """Say the send admitted under ``stamp`` has finished (its window runs from now)."""
        stamp.at = max(stamp.at, self._time())

    def _forget_idle(self, now: float) -> None:
        for conversation_id in [c for c, stamps in self._conversations.items() if not self._live(stamps, now)]:
            del self._conversations[conversation_id]
