"""Delivery of what is owed, in the background, after the turn's answer.

The use cases owe notices to people's personal chats (a new referral to check, an outcome) and redraws of
channel cards in the transaction of the change they follow (``store.outbox``), so each is owed once and
survives a restart. The handlers then ask for delivery at once, in the background (``deliver_soon``): Teams
gives an invoke about five seconds, and telling the admins about a new referral must not spend them. The
sender keeps Teams' rate limits and retries what is refused for now.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import Engine

from bot.delivery.sender import Sender
from cluster.clock import Clock

log = logging.getLogger("clusterbot.notify")


class Notifier:
    """Has the sender deliver what is owed straight away, in the background."""

    def __init__(self, engine: Engine, sender: Sender, clock: Clock) -> None:
        self._engine = engine
        self._sender = sender
        self._clock = clock
        self._delivery: asyncio.Task[object] | None = None
        self._again = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The app's event loop, where deliveries run; handlers on worker threads hand their requests to it."""
        self._loop = loop

    def deliver_soon(self, after_seconds: float = 0.0) -> None:
        """Have the sender deliver what is owed, in the background (once more if it is busy now).

        ``after_seconds`` holds a delivery back a little, so a burst of changes (thirty votes in a second)
        is delivered together; a delivery already under way is not held back.
        """
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if self._loop is not None and running is not self._loop:
            # Called from a worker thread's loop, which ends with the handler: deliver from the app's loop.
            self._loop.call_soon_threadsafe(self.deliver_soon, after_seconds)
            return
        if self._delivery is not None and not self._delivery.done():
            self._again = True
            return
        self._delivery = asyncio.create_task(self._deliver(after_seconds))

    async def _deliver(self, after_seconds: float) -> None:
        if after_seconds > 0:
            await asyncio.sleep(after_seconds)
        while True:
            self._again = False
            try:
                await self._sender.deliver_due()
            except Exception:  # the database is away: what is owed stays owed for the scheduler's next run
                log.exception("delivery failed; what is owed is tried again later")
                return
            if not self._again:
                return

    async def drain(self) -> None:
        """Wait for deliveries under way (on shutdown, and in tests)."""
        while self._delivery is not None and not self._delivery.done():
            await asyncio.gather(self._delivery, return_exceptions=True)
