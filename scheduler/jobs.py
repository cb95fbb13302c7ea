"""Scheduled jobs: plain async functions that take their dependencies and ``now`` and say what they did.

What is owed is derived from our tables every time (an agenda is due when its meeting is close enough and
no agenda card is recorded for it), so a restart loses nothing and a second run sends nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine

from cards.meeting import agenda_card
from cards.meetings import deadline_reminder_card, meeting_morning_card
from cards.reviews import review_nudge_card
from store import meeting_day as md
from store.reminders import owe_deadline_reminders, owe_meeting_morning_posts
from store.reviews import owe_review_nudges

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


class Deliverer(Protocol):
    """Sends whatever the outbox owes, keeping Teams' limits (the bot's sender)."""

    async def deliver_due(self) -> Any:
        """Send what is due; report what happened."""
        ...


@dataclass(frozen=True)
class Owed:
    """What one run of the reminders job found owed."""

    review_nudges: tuple[str, ...]
    deadline_reminders: tuple[str, ...]
    meeting_posts: tuple[str, ...]


def owe_reminders(engine: Engine, now: datetime) -> Owed:
    """Write every nudge and reminder owed now to the outbox (each once per recipient)."""
    return Owed(
        tuple(owe_review_nudges(engine, now, review_nudge_card)),
        tuple(owe_deadline_reminders(engine, now, deadline_reminder_card)),
        tuple(owe_meeting_morning_posts(engine, now, meeting_morning_card)),
    )


async def remind_and_deliver(engine: Engine, sender: Deliverer, now: datetime) -> tuple[Owed, Any]:
    """Owe what has fallen due, then deliver everything owed (including what earlier runs could not)."""
    owed = await asyncio.to_thread(owe_reminders, engine, now)
    report = await sender.deliver_due()
    return owed, report
