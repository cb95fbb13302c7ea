"""The sender's side of the outbox: claiming what is due, and recording what became of each message.

The sender (``bot.delivery.sender``) claims what is due, sends it, and records the outcome here: delivered
only after the connector accepted it (:func:`mark_delivered`), tried again later (:func:`mark_retry`), or
undeliverable (:func:`mark_undeliverable`); a channel card whose posted message was deleted is posted afresh
(:func:`card_gone`).

Claims and leases. A sender claims the rows it is about to send by moving their ``not_before`` to the end of
a short lease (:func:`claim`, 20 seconds in production): nobody else takes a row whose time has not come,
and a sender that dies (SIGKILL, power loss) leaves its rows owed again once the lease runs out, so another
replica or the restarted process sends them within seconds, not minutes. A batch may take longer than the
lease (Teams lets one conversation have 7 messages a second), so the sender renews it while it works
(:func:`extend_claim`, every third of the lease): a row is renewed only while its ``not_before`` is still
exactly the lease the sender set, so an outcome recorded meanwhile (delivered, a retry time, a postponement)
is never overwritten. A live replica's claim is therefore never taken from it, and a dead one's lapses on
its own, with no record of which process claimed what: the lease *is* the heartbeat. A sender told to stop
hands back the rows it has not started sending (:func:`postpone` to now), so a clean stop leaves nothing
waiting for a lease. On PostgreSQL claiming also skips rows another sender has locked at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from store import audit
from store.db import transaction
from store.models import ChannelPost, Outbox
from store.outbox.owing import DELIVERED, OWED, UNDELIVERABLE

ACTOR = "scheduler"
ERROR_LENGTH = 300


@dataclass(frozen=True)
class OwedMessage:
    """One owed row, as the sender needs it."""

    id: int
    key: str
    person_id: int | None
    conversation_id: str | None
    activity: dict[str, Any]  # the whole activity, for rows owed before cards were kept as cards
    attempts: int
    created_at: datetime
    card_key: str | None = None  # a channel card: drawn when sent, posted once and updated after
    thread_of: str | None = None
    revision: int = 0
    card: dict[str, Any] | None = None  # the Adaptive Card owed; the sender puts it in Teams' envelope


@dataclass(frozen=True)
class Target:
    """Where to send a message: the connector's service URL and the conversation."""

    service_url: str
    conversation_id: str


@dataclass(frozen=True)
class CardPlace:
    """Where a channel card goes: the activity to update, or the conversation (or thread) to post it in."""

    conversation_id: str
    activity_id: str | None


def _as_message(row: Outbox) -> OwedMessage:
    assert row.id is not None
    return OwedMessage(
        row.id,
        row.key,
        row.person_id,
        row.conversation_id,
        dict(row.activity),
        row.attempts,
        row.created_at,
        row.card_key,
        row.thread_of,
        row.revision,
        dict(row.card) if row.card is not None else None,
    )


def _due_rows(session: Session, now: datetime, limit: int, lock: bool) -> list[Outbox]:
    query = (
        select(Outbox).where(Outbox.state == OWED, col(Outbox.not_before) <= now).order_by(col(Outbox.id)).limit(limit)
    )
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.exec(query))


def due(engine: Engine, now: datetime, limit: int = 200) -> list[OwedMessage]:
    """Owed messages whose time has come (``not_before <= now``), oldest first."""
    with transaction(engine) as session:
        return [_as_message(row) for row in _due_rows(session, now, limit, lock=False)]


def claim(engine: Engine, now: datetime, until: datetime, limit: int = 200) -> list[OwedMessage]:
    """Like :func:`due`, but holds the messages until ``until`` so no other sender takes them meanwhile.

    A sender that stops before recording an outcome leaves them owed: they are due again at ``until`` (the
    sender renews the lease while it works: :func:`extend_claim`). PostgreSQL skips rows another sender has
    locked; SQLite's writer lock serialises claims.
    """
    with transaction(engine) as session:
        rows = _due_rows(session, now, limit, lock=True)
        for row in rows:
            row.not_before = until
            session.add(row)
        return [_as_message(row) for row in rows]


def extend_claim(engine: Engine, ids: list[int], held_until: datetime, until: datetime) -> list[int]:
    """Renew the claim on the rows still held until ``held_until`` (the lease set earlier) to ``until``.

    A row that has an outcome (delivered, owed again at a retry time, postponed) no longer carries
    ``held_until`` and is left alone. Returns the ids still held.
    """
    if not ids:
        return []
    with transaction(engine) as session:
        rows = list(
            session.exec(
                select(Outbox).where(
                    col(Outbox.id).in_(ids), Outbox.state == OWED, col(Outbox.not_before) == held_until
                )
            )
        )
        for row in rows:
            row.not_before = until
            session.add(row)
        return [row.id for row in rows if row.id is not None]


def next_due(engine: Engine) -> datetime | None:
    """When the earliest owed message becomes due, or None when nothing is owed."""
    with transaction(engine) as session:
        return session.exec(
            select(Outbox.not_before).where(Outbox.state == OWED).order_by(col(Outbox.not_before)).limit(1)
        ).first()


def postpone(engine: Engine, ids: list[int], not_before: datetime) -> None:
    """Owe these messages again from ``not_before`` without counting an attempt (they were not sent)."""
    if not ids:
        return
    with transaction(engine) as session:
        for row in session.exec(select(Outbox).where(col(Outbox.id).in_(ids), Outbox.state == OWED)):
            row.not_before = not_before
            session.add(row)


def owed_row(session: Session, message_id: int) -> Outbox | None:
    """The row of ``message_id`` while it is still owed, else None (an outcome was recorded meanwhile)."""
    row = session.get(Outbox, message_id)
    return row if row is not None and row.state == OWED else None


def clip(error: str) -> str:
    """An error as the row keeps it (its column holds :data:`ERROR_LENGTH` characters)."""
    return error[:ERROR_LENGTH]


def mark_delivered(
    engine: Engine, id: int, now: datetime, *, revision: int = 0, posted: CardPlace | None = None
) -> bool:
    """Record that the connector accepted the message; False when it was no longer owed.

    For a channel card, ``revision`` is the one the sender drew and ``posted`` the activity it created (a
    first post): the card's id is kept to update it later, and a card that changed meanwhile stays owed.
    """
    with transaction(engine) as session:
        row = owed_row(session, id)
        if row is None:
            return False
        if posted is not None and posted.activity_id and row.card_key is not None:
            post = session.get(ChannelPost, row.card_key) or ChannelPost(
                key=row.card_key, conversation_id=posted.conversation_id, activity_id="", posted_at=now
            )
            post.conversation_id, post.activity_id, post.posted_at = posted.conversation_id, posted.activity_id, now
            session.add(post)
        attempts = row.attempts + 1
        if row.card_key is not None and row.revision != revision:
            row.not_before, row.attempts, row.last_error = now, 0, None  # it changed while being sent: again
        else:
            row.state, row.delivered_at = DELIVERED, now
        session.add(row)
        audit.record(session, now, ACTOR, "outbox.delivered", f"outbox:{id}", key=row.key, attempts=attempts)
        return True


def mark_retry(engine: Engine, id: int, now: datetime, not_before: datetime, error: str) -> bool:
    """Count a failed attempt and owe the message again from ``not_before``; False when no longer owed."""
    with transaction(engine) as session:
        row = owed_row(session, id)
        if row is None:
            return False
        row.attempts += 1
        row.not_before, row.last_error = not_before, clip(error)
        session.add(row)
        return True


def give_up(session: Session, row: Outbox, now: datetime, error: str, attempted: bool = True) -> None:
    """Mark ``row`` undeliverable and audit why, in the caller's transaction (``attempted``: it was tried)."""
    row.state, row.last_error = UNDELIVERABLE, clip(error)
    row.attempts += 1 if attempted else 0
    session.add(row)
    audit.record(session, now, ACTOR, "outbox.undeliverable", f"outbox:{row.id}", key=row.key, error=clip(error))


def mark_undeliverable(engine: Engine, id: int, now: datetime, error: str) -> bool:
    """Give up on the message, recording why; False when it was no longer owed."""
    with transaction(engine) as session:
        row = owed_row(session, id)
        if row is None:
            return False
        give_up(session, row, now, error)
        return True


def card_gone(engine: Engine, message: OwedMessage, forget: str, now: datetime, error: str) -> bool:
    """The channel message a card was to update, or to reply under, is gone (deleted in Teams): post afresh.

    ``forget`` is the key of the card whose posted message is gone. The card stays owed and is due now; the
    next send posts it anew (at the channel's top level, when its thread's first message is gone). Should
    that fail too, the channel itself is gone, and that is recorded as for any message. False when the
    message was no longer owed.
    """
    with transaction(engine) as session:
        row = owed_row(session, message.id)
        if row is None:
            return False
        post = session.get(ChannelPost, forget)
        if post is not None:
            session.delete(post)
        row.attempts += 1
        row.not_before, row.last_error = now, clip(error)
        session.add(row)
        audit.record(session, now, ACTOR, "channel.card_gone", f"outbox:{row.id}", key=row.key, forgot=forget)
        return True


def state_of(engine: Engine, key: str) -> Outbox | None:
    """The outbox row under ``key`` (for reports and tests)."""
    with transaction(engine) as session:
        return session.exec(select(Outbox).where(Outbox.key == key)).first()
