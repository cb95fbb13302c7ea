"""Scheduled jobs: plain async functions that take their dependencies and ``now`` and say what they did.

What is owed is derived from our tables every time (an agenda is due when its meeting is close enough and
no agenda card is recorded for it), so a restart loses nothing and a second run sends nothing twice.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine

from cards.meeting import agenda_card
from store import meeting_day as md

log = logging.getLogger("clusterbot.scheduler")


class ChannelPoster(Protocol):
    """Posts (or updates) a card in a channel under a stable key."""

    async def post(self, key: str, channel: str, card: dict[str, Any], thread_of: str | None = None) -> None:
        """Post or update the card."""
        ...


async def post_due_agendas(engine: Engine, poster: ChannelPoster, now: datetime) -> list[int]:
    """Post every agenda that is due (by default five working days before its meeting); returns the meetings."""
    posted: list[int] = []
    for meeting_id, channel in md.due_agendas(engine, now):
        view = md.prepare_agenda(engine, meeting_id, now)
        try:
            await poster.post(f"agenda:{meeting_id}", channel, agenda_card(view))
        except Exception:  # one channel's failure must not stop the others; it is tried again next run
            log.exception("could not post the agenda of meeting %s", meeting_id)
            continue
        posted.append(meeting_id)
    return posted
