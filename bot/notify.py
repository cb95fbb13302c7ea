"""Notices to people's personal chats, sent after the turn has been answered.

Teams gives an invoke about five seconds; telling the admins about a new referral must not spend them.
Notices run as tasks the app waits for when it shuts down. A notice that fails is logged with a reference;
the durable, retrying sender that keeps Teams' rate limits comes with the scheduler (issue 5).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from sqlalchemy import Engine

from bot.connector import Connector, ConnectorError
from bot.routes import Notice
from store.referrals import personal_conversations

log = logging.getLogger("clusterbot.notify")
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


class Notifier:
    """Sends notices in the background and remembers the tasks until they finish."""

    def __init__(self, engine: Engine, connector: Connector) -> None:
        self._engine = engine
        self._connector = connector
        self._tasks: set[asyncio.Task[None]] = set()

    def send_later(self, notices: Sequence[Notice]) -> None:
        """Start sending; returns at once."""
        if not notices:
            return
        task = asyncio.create_task(self._send(list(notices)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for every notice under way (on shutdown, and in tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _send(self, notices: list[Notice]) -> None:
        for notice in notices:
            activity = {
                "type": "message",
                "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": notice.card}],
            }
            for reference in personal_conversations(self._engine, notice.person_ids):
                try:
                    await self._connector.send(reference["serviceUrl"], reference["conversation"]["id"], activity)
                except (TimeoutError, ConnectorError, OSError) as exc:
                    log.warning("notice not delivered to %s: %s", reference["conversation"]["id"], exc)
