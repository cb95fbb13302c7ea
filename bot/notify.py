"""Notices to people's personal chats (a new referral to check, an outcome), sent after the turn's answer.

A notice is written to the outbox (so it survives a restart and is sent once) and the sender is asked to
deliver at once, in the background: Teams gives an invoke about five seconds, and telling the admins about a
new referral must not spend them. The sender keeps Teams' rate limits and retries what is refused for now.
The same background delivery carries the channel cards (``deliver_soon``).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Sequence

from sqlalchemy import Engine

from bot.routes import Notice
from bot.sender import Sender
from cluster.clock import Clock
from store.db import transaction
from store.outbox import owe

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
log = logging.getLogger("clusterbot.notify")


class Notifier:
    """Owes notices to the outbox and has the sender deliver them straight away."""

    def __init__(self, engine: Engine, sender: Sender, clock: Clock) -> None:
        self._engine = engine
        self._sender = sender
        self._clock = clock
        self._delivery: asyncio.Task[object] | None = None
        self._again = False

    def send_later(self, notices: Sequence[Notice]) -> None:
        """Owe the notices now; deliver them in the background."""
        if not notices:
            return
        now = self._clock.now()
        with transaction(self._engine) as session:
            for notice in notices:
                activity = {
                    "type": "message",
                    "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": notice.card}],
                }
                # Each notice is its own message; a repeated click owes none (the use cases see to that).
                batch = secrets.token_hex(8)
                for person in notice.person_ids:
                    owe(session, f"notice:{batch}:person:{person}", now, activity, person_id=person)
        self.deliver_soon()

    def deliver_soon(self, after_seconds: float = 0.0) -> None:
        """Have the sender deliver what is owed, in the background (once more if it is busy now).

        ``after_seconds`` holds a delivery back a little, so a burst of changes (thirty votes in a second)
        is delivered together; a delivery already under way is not held back.
        """
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
