"""Scheduled jobs: plain async functions that take their dependencies and ``now`` and say what they did.

What is owed is derived from our tables every time (an agenda is due when its meeting is close enough and
it was neither posted nor owed before) and written to the outbox, so a restart loses nothing and a second
run sends nothing twice. The reminders job's steps (``usecases.nudges``, ``usecases.reminders``) find what is
newly owed by indexed due dates, so a run costs what falls due, not what is open, and write it in batches
whose transactions hold the write lock for milliseconds, so the bot's turns go on between them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine

from cluster.clock import LONDON
from cluster.terms import terms_warning
from store.db import transaction
from store.terms import loaded_terms
from usecases import citywide_pack
from usecases.capital import owe_capital_notices
from usecases.erasure import erase_expired
from usecases.meeting_day import agenda as md
from usecases.nudges import owe_review_nudges
from usecases.qa_nudges import owe_qa_nudges
from usecases.reminders import owe_deadline_reminders, owe_meeting_morning_posts


class Deliverer(Protocol):
    """Sends whatever the outbox owes, keeping Teams' limits (the bot's sender)."""

    async def deliver_due(self) -> Any:
        """Send what is due; report what happened."""
        ...


def owe_agendas(engine: Engine, now: datetime) -> tuple[list[int], list[str]]:
    """Owe every agenda that is due, and tell the admins and chair of a cluster with no channel (once a meeting)."""
    return md.owe_due_agendas(engine, now), md.owe_channel_requests(engine, now)


async def post_due_agendas(engine: Engine, sender: Deliverer, now: datetime) -> list[int]:
    """Owe every agenda that is due (by default five working days before its meeting) and deliver it.

    A cluster with no linked channel has nowhere for its agenda: its admins and chair are told then, once per
    meeting, how to link one. Returns the meetings whose agenda was owed by this run; an agenda the
    connector refuses for now stays owed, and the sender tries it again.
    """
    owed, told = await asyncio.to_thread(owe_agendas, engine, now)
    if owed or told:
        await sender.deliver_due()
    return owed


@dataclass(frozen=True)
class RemindersOwed:
    """What one run of the reminders job found owed."""

    review_nudges: tuple[str, ...]
    deadline_reminders: tuple[str, ...]
    meeting_posts: tuple[str, ...]


def owe_reminders(engine: Engine, now: datetime) -> RemindersOwed:
    """Write every nudge and reminder owed now to the outbox (each once per recipient)."""
    return RemindersOwed(
        tuple(owe_review_nudges(engine, now)),
        tuple(owe_deadline_reminders(engine, now)),
        tuple(owe_meeting_morning_posts(engine, now)),
    )


async def remind_and_deliver(engine: Engine, sender: Deliverer, now: datetime) -> tuple[RemindersOwed, Any]:
    """Owe what has fallen due, then deliver everything owed (including what earlier runs could not)."""
    owed = await asyncio.to_thread(owe_reminders, engine, now)
    report = await sender.deliver_due()
    return owed, report


def term_dates_warning(engine: Engine, now: datetime) -> str | None:
    """The warning for officers when the loaded school term dates end within six months (None: all is well).

    One read of a few dozen rows: instalments are scheduled on term dates, so once they run out no funded
    decision can be recorded, and the warning comes early enough to load the council's next dates.
    """
    with transaction(engine, read_only=True) as session:
        return terms_warning(loaded_terms(session), now.astimezone(LONDON).date())


def owe_capital(engine: Engine, now: datetime) -> list[str]:
    """Owe the Capital Fund's scoring cards (once a window closes) and its nudges that have fallen due."""
    return owe_capital_notices(engine, now)


async def capital_and_deliver(engine: Engine, sender: Deliverer, now: datetime) -> list[str]:
    """Owe what the Capital Fund has due now, and deliver it; returns the outbox keys newly owed."""
    owed = await asyncio.to_thread(owe_capital, engine, now)
    if owed:
        await sender.deliver_due()
    return owed


def owe_citywide_packs(engine: Engine, now: datetime) -> citywide_pack.PacksOwed:
    """Owe each Citywide Meeting's pack on its pack day (or tell the officers once that no channel is linked)."""
    return citywide_pack.owe_due_packs(engine, now)


async def citywide_packs_and_deliver(engine: Engine, sender: Deliverer, now: datetime) -> citywide_pack.PacksOwed:
    """Owe the packs that have fallen due, and deliver them; returns what this run owed."""
    owed = await asyncio.to_thread(owe_citywide_packs, engine, now)
    if owed.packs or owed.officer_notes:
        await sender.deliver_due()
    return owed


async def qa_nudges_and_deliver(engine: Engine, sender: Deliverer, now: datetime) -> list[str]:
    """Owe the quality-assurance visits' nudges that have come (open actions, follow-ups), and deliver them.

    A job of its own beside the reminders: with nothing near it is one read-only unit of two indexed reads.
    """
    owed = await asyncio.to_thread(owe_qa_nudges, engine, now)
    if owed:
        await sender.deliver_due()
    return owed


async def remove_expired_pupil_details(engine: Engine, now: datetime) -> list[int]:
    """Remove the pupil details of every referral past its cluster's retention period (``usecases.erasure``).

    Decisions, money and ratings stay; each referral changed has its audit line. The work is done in short
    batches off the event loop; returns the referrals changed (none on a second run).
    """
    return await asyncio.to_thread(erase_expired, engine, now)
