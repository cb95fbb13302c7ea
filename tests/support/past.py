"""Playing a test's past: the use cases a set-up drives for what happened before, and the notices they owed.

A set-up that needs history (a referral accepted, a meeting's decision, an application before the panel)
drives the use cases directly, each at its own time. Those use cases owe their notices themselves, in the same
transaction, as they do for a click. In the story the test tells, those notices went out on their day; the bot
or scheduler the test then starts must not send them as if they were new. So each is marked delivered at the
time of the step that owed it (its ``not_before``), as the sender does when the scheduler's time-travel walk
(tests/scheduler/test_time_travel.py) delivers what the referral's changes and the decision owed before it
walks on: the tests then watch only what is owed from the moment they start.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from store.db import make_engine
from store.models import Outbox
from store.outbox import DELIVERED, OWED

T = TypeVar("T")


@dataclass(frozen=True)
class Played(Generic[T]):
    """What the past's steps returned, and the keys of the notices they owed (delivered on their day)."""

    result: T
    delivered: frozenset[str]


def owed_keys(engine: Engine) -> frozenset[str]:
    """The keys of every message still owed."""
    with Session(engine) as session:
        return frozenset(session.exec(select(Outbox.key).where(Outbox.state == OWED)))


def deliver_owed(engine: Engine, besides: Collection[str] = ()) -> frozenset[str]:
    """Mark every message still owed (but those keyed in ``besides``) delivered at the time it was owed.

    Returns their keys. ``not_before`` is the time of the step that owed the message (or owed a channel card
    again), so ``delivered_at`` reads as the sender would have left it, delivering on that step's day.
    """
    with Session(engine) as session:
        rows = session.exec(select(Outbox).where(Outbox.state == OWED, col(Outbox.key).not_in(list(besides)))).all()
        for row in rows:
            row.state, row.delivered_at, row.attempts = DELIVERED, row.not_before, row.attempts + 1
            session.add(row)
        session.commit()
        return frozenset(row.key for row in rows)


def play_past(database_url: str, steps: Callable[[], T]) -> Played[T]:
    """Run a set-up's past ``steps`` on the database, then deliver what they owed on their day.

    Only what the steps owed: a message owed before them (by an earlier step of the set-up, say) is left as
    it is.
    """
    engine = make_engine(database_url)
    try:
        before = owed_keys(engine)
        result = steps()
        return Played(result, deliver_owed(engine, besides=before))
    finally:
        engine.dispose()
