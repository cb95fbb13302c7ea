"""Cards the bot keeps up to date in a channel: the agenda, and each item's vote card.

A card is posted once under a stable key (``agenda:12``, ``vote:34``) and updated in place after that, so
posting the agenda again replaces it. Updates of a busy vote card are coalesced: when thirty members vote
within a second, the shared card is redrawn from the database a few times, not thirty times, which keeps
within Teams' limit of seven sends a second per conversation, and what it shows is always what the
database holds at the moment it is drawn.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy import Engine

from bot.connector import Connector, ConnectorError
from cards.common import Card
from cluster.clock import Clock
from store import meeting_day as md

log = logging.getLogger("clusterbot.channel")
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
Builder = Callable[[], Card]


def _activity(card: Card) -> dict[str, object]:
    return {"type": "message", "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card}]}


class ChannelCards:
    """Posts and updates channel cards through the connector, remembering their ids in the database."""

    def __init__(self, engine: Engine, connector: Connector, clock: Clock, coalesce_seconds: float = 0.5) -> None:
        self._engine = engine
        self._connector = connector
        self._clock = clock
        self._delay = coalesce_seconds
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._dirty: set[str] = set()

    def _service_url(self, channel: str) -> str:
        reference = md.channel_reference(self._engine, channel)
        if reference is None:
            raise ConnectorError(0, f"no stored reference for channel {channel}")
        return str(reference["serviceUrl"])

    async def post(self, key: str, channel: str, card: Card, thread_of: str | None = None) -> None:
        """Update the card posted under ``key``, or post it (in the thread of ``thread_of``'s card) if new."""
        service_url = self._service_url(channel)
        existing = md.find_post(self._engine, key)
        if existing is not None:
            await self._connector.update(service_url, existing[0], existing[1], _activity(card))
            return
        conversation = channel
        if thread_of is not None:
            root = md.find_post(self._engine, thread_of)
            if root is not None:
                conversation = f"{channel};messageid={root[1]}"
        sent = await self._connector.send(service_url, conversation, _activity(card))
        md.remember_post(self._engine, key, conversation, sent.id, self._clock.now())

    def refresh_soon(self, key: str, channel: str, builder: Builder) -> None:
        """Redraw the card under ``key`` shortly, once for any number of requests in the meantime."""
        if key in self._pending:
            self._dirty.add(key)
            return
        self._pending[key] = asyncio.create_task(self._refresh(key, channel, builder))

    async def _refresh(self, key: str, channel: str, builder: Builder) -> None:
        try:
            while True:
                self._dirty.discard(key)
                await asyncio.sleep(self._delay)
                try:
                    await self.post(key, channel, builder())
                except (TimeoutError, ConnectorError, OSError) as exc:
                    log.warning("could not update %s: %s", key, exc)
                if key not in self._dirty:
                    return
        finally:
            self._pending.pop(key, None)

    async def drain(self) -> None:
        """Wait for every pending redraw (on shutdown, and in tests)."""
        while self._pending:
            await asyncio.gather(*list(self._pending.values()), return_exceptions=True)
