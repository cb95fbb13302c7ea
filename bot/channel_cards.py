"""Cards the bot keeps up to date in a channel: the agenda, each item's vote card, and the minutes.

A card has a stable key (``agenda:12``, ``vote:34``, ``minutes:12``). Saying it changed owes it to the
channel through the outbox (:func:`store.outbox.owe_card`), and the one sender delivers it: the first time
as a new post (a vote card in the agenda's thread), after that as an update of that post. So channel cards
keep Teams' limits, are retried when Teams is busy, and survive a restart like every other proactive
message. The card is drawn from the database when it is sent, so thirty votes within a second redraw the
shared card a few times, not thirty, and the last redraw shows every vote.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Engine

from cards import meeting as mc
from cluster.clock import Clock
from store import meeting_day as md
from store.db import transaction
from store.outbox import owe_card

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


def draw_channel_card(engine: Engine, card_key: str) -> dict[str, Any]:
    """The activity showing the channel card ``card_key`` as the database holds it now."""
    kind, _, raw_id = card_key.partition(":")
    number = int(raw_id)
    if kind == "agenda":
        card = mc.agenda_card(md.agenda(engine, number))
    elif kind == "vote":
        card = mc.vote_card(md.vote_view(engine, number))
    elif kind == "minutes":
        card = mc.minutes_card(md.minutes_of_meeting(engine, number))
    else:
        raise LookupError(f"no channel card is called {card_key!r}")
    return {"type": "message", "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card}]}


class ChannelCards:
    """Owes channel cards to the outbox and asks for them to be delivered straight away, in the background."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        deliver_soon: Callable[[float], None],
        drain: Callable[[], Awaitable[None]],
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._deliver_soon = deliver_soon
        self._drain = drain

    def changed(self, channel: str, *card_keys: str, thread_of: str | None = None, after_seconds: float = 0.0) -> None:
        """Say these cards changed (or are new): each is posted, or updated where it was posted.

        A new card is posted in the thread of ``thread_of``'s card when that one has been posted. Changes
        that come in bursts (votes) pass ``after_seconds`` so that one redraw carries the whole burst.
        """
        now = self._clock.now()
        with transaction(self._engine) as session:
            for card_key in card_keys:
                owe_card(session, card_key, channel, now, thread_of)
        self._deliver_soon(after_seconds)

    async def drain(self) -> None:
        """Wait until what was owed so far has been delivered, or settled (on shutdown, and in tests)."""
        await self._drain()
