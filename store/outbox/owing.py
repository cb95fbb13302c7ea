"""Owing a message: the rows a use case adds to the outbox, in its own transaction, each under a unique key.

:func:`owe` owes one Adaptive Card (or, for a plain message, a whole activity) to a person's personal chat
or to a channel; :func:`owe_all` owes many in one statement (:func:`serialise` prepares them before the
write lock). The insert does nothing when the key is taken, so deciding twice (a second replica, a rerun
after a restart) owes the message once; :func:`owed_already` tells which keys are taken.

A notice that follows a change (a referral accepted or returned, a decision) is owed with
:func:`owe_notice` by the use case that makes the change, in its transaction and under a key derived from
the change (``notice:decision:12``, ``notice:referral:7:accepted:v4``), so a click Teams delivers twice, or
a crash between the change and the notice, neither doubles nor loses it.

Cards the bot keeps up to date in a channel (the agenda, a vote card, the minutes) are owed with
:func:`owe_card`: one row per card, owed again whenever the card changes. The sender draws such a card from
the database when it sends it, posts it the first time and updates it in place after that (the posted
activity's id is kept in ``channel_post``), so thirty votes in a second cost a few updates, and the last
update always shows what the database holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, TypeDecorator, bindparam, case
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlmodel import Session, SQLModel, col, select

from cluster import keys
from cluster.text import to_json
from store.models import Outbox

OWED, DELIVERED, UNDELIVERABLE = "owed", "delivered", "undeliverable"


def _insert_for(session: Session) -> Any:
    return postgres_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


@dataclass(frozen=True)
class Owing:
    """One message to owe: its key, the Adaptive Card, and whom it is for (a person, or a conversation)."""

    key: str
    card: dict[str, Any]
    person_id: int | None = None
    conversation_id: str | None = None


def _row(now: datetime, owing: Owing, activity: dict[str, Any] | None = None) -> dict[str, Any]:
    if (owing.person_id is None) == (owing.conversation_id is None):
        raise ValueError("a message is owed to a person or to a conversation, exactly one of them")
    return {
        "key": owing.key,
        "person_id": owing.person_id,
        "conversation_id": owing.conversation_id,
        # A card is kept as card content; the sender puts it in Teams' envelope (bot.teams.wire) when it sends it.
        "activity": activity if activity is not None else {},
        "card": owing.card if activity is None else None,
        "state": OWED,
        "attempts": 0,
        "not_before": now,
        "created_at": now,
    }


def owe(
    session: Session,
    key: str,
    now: datetime,
    activity: dict[str, Any] | None = None,
    person_id: int | None = None,
    conversation_id: str | None = None,
    *,
    card: dict[str, Any] | None = None,
) -> bool:
    """Owe an Adaptive Card (``card``) to a person's personal chat or to a channel, in the caller's transaction.

    ``activity`` owes a whole activity instead (a plain message, or a row rerouted from before cards were
    kept as cards); exactly one of the two. Returns True when the message is newly owed, False when ``key``
    was owed before (whatever became of it).
    """
    if (activity is None) == (card is None):
        raise ValueError("a message is a card or an activity, exactly one of them")
    table = SQLModel.metadata.tables["outbox"]
    values = _row(now, Owing(key, card or {}, person_id, conversation_id), activity)
    statement = (
        _insert_for(session)(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.id)
    )
    # RETURNING gives the new row's id, or nothing when the key was taken (rowcount is unreliable here).
    return session.execute(statement).first() is not None


class _JSONText(TypeDecorator[str]):
    """JSON already serialised: a card shared by many rows is serialised once, not once per row."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        """The value is the JSON text itself (PostgreSQL still gets its ``::JSON`` cast)."""
        return None


_NO_ACTIVITY = json.dumps({})


@dataclass(frozen=True)
class Serialised:
    """Messages ready to owe, their cards serialised: a caller can do that before it takes the write lock."""

    rows: tuple[dict[str, Any], ...]


def serialise(now: datetime, owing: Sequence[Owing]) -> Serialised:
    """The outbox rows of ``owing`` (one per key), each card serialised once however many rows share it."""
    texts: dict[int, str] = {}
    rows = []
    for one in {one.key: one for one in owing}.values():
        row = _row(now, one)
        row["activity"] = _NO_ACTIVITY
        row["card"] = texts.get(id(one.card)) or texts.setdefault(id(one.card), to_json(one.card))
        rows.append(row)
    return Serialised(tuple(rows))


def owe_all(session: Session, now: datetime, owing: Sequence[Owing] | Serialised) -> list[str]:
    """Owe many cards in one statement, in the caller's transaction; returns the keys newly owed.

    A key owed before (by an earlier run, or another replica meanwhile) is left as it is, as :func:`owe` does.
    """
    rows = (owing if isinstance(owing, Serialised) else serialise(now, owing)).rows
    if not rows:
        return []
    table = SQLModel.metadata.tables["outbox"]
    # One statement compiled once (and cached), sent in few round trips: SQLAlchemy's "insert many values".
    statement = (
        _insert_for(session)(table)
        .values(activity=bindparam("activity", type_=_JSONText()), card=bindparam("card", type_=_JSONText()))
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.key)
    )
    new = set(session.connection().execute(statement, list(rows)).scalars())
    return [row["key"] for row in rows if row["key"] in new]  # RETURNING promises no order; the caller's is kept


KEYS_PER_QUERY = 500
"""How many keys one look-up sends (SQLite allows 32,766 parameters; short statements plan faster)."""


def owed_already(session: Session, keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` the outbox holds, whatever became of them: one query per few hundred keys."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        chunk = wanted[start : start + KEYS_PER_QUERY]
        found.update(session.exec(select(Outbox.key).where(col(Outbox.key).in_(chunk))))
    return found


def owe_notice(session: Session, key: str, now: datetime, card: dict[str, Any], person_ids: Iterable[int]) -> list[str]:
    """Owe a notice card to each person's personal chat under ``{key}:person:{id}``, in the caller's transaction.

    ``key`` names the change the notice follows, so owing it again (a repeated click) owes nothing more.
    Returns the keys newly owed.
    """
    people = dict.fromkeys(person_ids)
    return owe_all(session, now, [Owing(keys.for_person(key, person), card, person_id=person) for person in people])


def owe_attachment(
    session: Session, key: str, now: datetime, attachment: dict[str, Any], person_ids: Iterable[int]
) -> list[str]:
    """Owe a message carrying one attachment of any kind (a file offer, say) to each person, as :func:`owe_notice`."""
    activity = {"type": "message", "attachments": [attachment]}
    owed = []
    for person in dict.fromkeys(person_ids):
        person_key = keys.for_person(key, person)
        if owe(session, person_key, now, activity, person_id=person):
            owed.append(person_key)
    return owed


MEETING_NOTIFICATION = "meetingNotification"
"""An owed row's ``activity["type"]`` for an in-meeting notification: sent to a Teams meeting, not posted."""


def owe_meeting_notification(
    session: Session, key: str, now: datetime, channel: str, teams_meeting_id: str, notification: dict[str, Any]
) -> bool:
    """Owe an in-meeting notification to the Teams meeting held in ``channel``, in the caller's transaction.

    The row names the channel (whose reference gives the connector's address, and whose rate limit it counts
    against) and keeps the notification's body as Teams takes it; the sender posts it to the meeting
    (``bot.delivery.sender``). Returns True when newly owed, as :func:`owe`.
    """
    activity = {"type": MEETING_NOTIFICATION, "meetingId": teams_meeting_id, "notification": notification}
    return owe(session, key, now, activity, conversation_id=channel)


def owe_card(session: Session, card_key: str, channel: str, now: datetime, thread_of: str | None = None) -> None:
    """Owe the channel card ``card_key`` (post it, or update it with what the database holds now).

    In the caller's transaction. The card has one row: new, it is owed now; already owed, its revision goes
    up so the send under way is followed by one more; delivered before, it is owed again now.
    """
    dialect = session.get_bind().dialect.name
    statement = _OWE_CARD.get(dialect)
    if statement is None:
        statement = _OWE_CARD[dialect] = _owe_card_statement(_insert_for(session))
    values = {"key": keys.channel_card(card_key), "channel": channel, "card_key": card_key, "thread_of": thread_of}
    session.execute(statement, {**values, "now": now})


# Built once per database kind, with bound parameters, so each click reuses its compiled form (building it
# anew cost a fifth of a vote click's CPU).
_OWE_CARD: dict[str, Any] = {}


def _owe_card_statement(insert: Any) -> Any:
    table = SQLModel.metadata.tables["outbox"]
    statement = insert(table).values(
        key=bindparam("key"),
        conversation_id=bindparam("channel"),
        card_key=bindparam("card_key"),
        thread_of=bindparam("thread_of"),
        activity={},
        state=OWED,
        attempts=0,
        revision=1,
        not_before=bindparam("now"),
        created_at=bindparam("now"),
    )
    settled = table.c.state != OWED
    return statement.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "revision": table.c.revision + 1,
            # A row being sent or waiting out a 429 keeps its time; a settled one is owed from now.
            "not_before": case((settled, statement.excluded.not_before), else_=table.c.not_before),
            "attempts": case((settled, 0), else_=table.c.attempts),
            "created_at": case((settled, statement.excluded.created_at), else_=table.c.created_at),
            "state": OWED,
        },
    )
