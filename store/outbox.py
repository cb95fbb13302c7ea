"""The outbox: proactive messages owed to people and channels, kept until the connector accepts them.

A use case that decides a message is owed calls :func:`owe` (or :func:`owe_all`, for many in one statement)
inside its own transaction, under a key unique per message and recipient (``review:12:due-14:person:7``).
The insert does nothing when the key is taken, so deciding twice (a second replica, a rerun after a
restart) owes the message once. What is kept is the Adaptive Card itself: the sender puts it in Teams'
message envelope when it sends it (``bot.teams.wire``, the one place the envelope is built), and a row owed
before cards were kept as such (a whole activity, in ``activity``) is sent as it was stored. The sender
(``bot.delivery.sender``) claims what is due, sends it, and records the outcome here: delivered only after the
connector accepted it, tried again later, or undeliverable. A person who removed the bot is recorded as
such and their messages are owed to the admins of their clusters instead.

A notice that follows a change (a referral accepted or returned, a decision) is owed with
:func:`owe_notice` by the use case that makes the change, in its transaction and under a key derived from
the change (``notice:decision:12``, ``notice:referral:7:accepted:v4``), so a click Teams delivers twice, or
a crash between the change and the notice, neither doubles nor loses it.

Cards the bot keeps up to date in a channel (the agenda, a vote card, the minutes) are owed with
:func:`owe_card`: one row per card, owed again whenever the card changes. The sender draws such a card from
the database when it sends it, posts it the first time and updates it in place after that (the posted
activity's id is kept in ``channel_post``), so thirty votes in a second cost a few updates, and the last
update always shows what the database holds.

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

import copy
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Engine, TypeDecorator, bindparam, case
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlmodel import Session, SQLModel, col, select

from cluster.markdown import plain
from cluster.roles import Role
from cluster.text import to_json
from store import audit
from store.db import transaction
from store.models import ChannelPost, ConversationRef, Outbox, Person, RoleAssignment, Setting
from store.repo import role_holders

ACTOR = "scheduler"
OWED, DELIVERED, UNDELIVERABLE = "owed", "delivered", "undeliverable"
REROUTE_MARK = ":admin:"
CARD_PREFIX = "card:"
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
    return owe_all(session, now, [Owing(f"{key}:person:{person}", card, person_id=person) for person in people])


def owe_attachment(
    session: Session, key: str, now: datetime, attachment: dict[str, Any], person_ids: Iterable[int]
) -> list[str]:
    """Owe a message carrying one attachment of any kind (a file offer, say) to each person, as :func:`owe_notice`."""
    activity = {"type": "message", "attachments": [attachment]}
    owed = []
    for person in dict.fromkeys(person_ids):
        person_key = f"{key}:person:{person}"
        if owe(session, person_key, now, activity, person_id=person):
            owed.append(person_key)
    return owed


def owe_card(session: Session, card_key: str, channel: str, now: datetime, thread_of: str | None = None) -> None:
    """Owe the channel card ``card_key`` (post it, or update it with what the database holds now).

    In the caller's transaction. The card has one row: new, it is owed now; already owed, its revision goes
    up so the send under way is followed by one more; delivered before, it is owed again now.
    """
    dialect = session.get_bind().dialect.name
    statement = _OWE_CARD.get(dialect)
    if statement is None:
        statement = _OWE_CARD[dialect] = _owe_card_statement(_insert_for(session))
    values = {"key": f"{CARD_PREFIX}{card_key}", "channel": channel, "card_key": card_key, "thread_of": thread_of}
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


def _channel_ref(session: Session, conversation_id: str) -> ConversationRef | None:
    # A thread in a channel ("19:...;messageid=123") is reached through the channel's stored reference.
    candidates = [conversation_id, conversation_id.split(";messageid=")[0]]
    for candidate in candidates:
        ref = session.exec(select(ConversationRef).where(ConversationRef.conversation_id == candidate)).first()
        if ref is not None:
            return ref
    return None


def _personal_refs(session: Session, person_id: int, installed_only: bool) -> list[ConversationRef]:
    person = session.get(Person, person_id)
    if person is None or not person.aad_object_id:
        return []
    query = select(ConversationRef).where(
        ConversationRef.aad_object_id == person.aad_object_id, ConversationRef.kind == "personal"
    )
    if installed_only:
        query = query.where(ConversationRef.installed == True)  # noqa: E712
    return list(session.exec(query.order_by(col(ConversationRef.updated_at).desc(), col(ConversationRef.id).desc())))


def resolve_targets(engine: Engine, message: OwedMessage) -> list[Target]:
    """Where ``message`` goes: the channel's stored reference, or the person's installed personal chats.

    Empty when there is nowhere the bot may write (no stored reference, or the bot was removed). A person
    with more than one installed personal chat gets the most recently refreshed first.
    """
    with transaction(engine) as session:
        if message.conversation_id is not None:
            ref = _channel_ref(session, message.conversation_id)
            if ref is None or not ref.installed:
                return []
            return [Target(ref.service_url, message.conversation_id)]
        if message.person_id is None:
            return []
        return [Target(r.service_url, r.conversation_id) for r in _personal_refs(session, message.person_id, True)]


def card_place(engine: Engine, message: OwedMessage) -> CardPlace:
    """Where the channel card of ``message`` goes now: update its posted activity, or post it (in a thread).

    Read just before sending, so a vote card owed after its agenda goes into the thread of the agenda the
    sender has just posted.
    """
    assert message.card_key is not None and message.conversation_id is not None
    with transaction(engine) as session:
        posted = session.get(ChannelPost, message.card_key)
        if posted is not None:
            return CardPlace(posted.conversation_id, posted.activity_id)
        root = session.get(ChannelPost, message.thread_of) if message.thread_of else None
        if root is not None:
            return CardPlace(f"{message.conversation_id};messageid={root.activity_id}", None)
        return CardPlace(message.conversation_id, None)


def posted_card(engine: Engine, card_key: str) -> CardPlace | None:
    """The conversation and activity of a channel card posted earlier, or None."""
    with transaction(engine) as session:
        posted = session.get(ChannelPost, card_key)
        return CardPlace(posted.conversation_id, posted.activity_id) if posted else None


def postpone(engine: Engine, ids: list[int], not_before: datetime) -> None:
    """Owe these messages again from ``not_before`` without counting an attempt (they were not sent)."""
    if not ids:
        return
    with transaction(engine) as session:
        for row in session.exec(select(Outbox).where(col(Outbox.id).in_(ids), Outbox.state == OWED)):
            row.not_before = not_before
            session.add(row)


def _owed_row(session: Session, message_id: int) -> Outbox | None:
    row = session.get(Outbox, message_id)
    return row if row is not None and row.state == OWED else None


def _clip(error: str) -> str:
    return error[:ERROR_LENGTH]


def mark_delivered(
    engine: Engine, id: int, now: datetime, *, revision: int = 0, posted: CardPlace | None = None
) -> bool:
    """Record that the connector accepted the message; False when it was no longer owed.

    For a channel card, ``revision`` is the one the sender drew and ``posted`` the activity it created (a
    first post): the card's id is kept to update it later, and a card that changed meanwhile stays owed.
    """
    with transaction(engine) as session:
        row = _owed_row(session, id)
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
        row = _owed_row(session, id)
        if row is None:
            return False
        row.attempts += 1
        row.not_before, row.last_error = not_before, _clip(error)
        session.add(row)
        return True


def _undeliverable(session: Session, row: Outbox, now: datetime, error: str, attempted: bool = True) -> None:
    row.state, row.last_error = UNDELIVERABLE, _clip(error)
    row.attempts += 1 if attempted else 0
    session.add(row)
    audit.record(session, now, ACTOR, "outbox.undeliverable", f"outbox:{row.id}", key=row.key, error=_clip(error))


def mark_undeliverable(engine: Engine, id: int, now: datetime, error: str) -> bool:
    """Give up on the message, recording why; False when it was no longer owed."""
    with transaction(engine) as session:
        row = _owed_row(session, id)
        if row is None:
            return False
        _undeliverable(session, row, now, error)
        return True


def _person_clusters(session: Session, person_id: int) -> set[int]:
    direct = session.exec(
        select(RoleAssignment.cluster_id).where(
            RoleAssignment.person_id == person_id, col(RoleAssignment.cluster_id).is_not(None)
        )
    ).all()
    via_setting = session.exec(
        select(Setting.cluster_id)
        .join(RoleAssignment, col(RoleAssignment.setting_id) == Setting.id)
        .where(RoleAssignment.person_id == person_id)
    ).all()
    return {c for c in [*direct, *via_setting] if c is not None}


def _recipient_clusters(session: Session, row: Outbox) -> set[int]:
    """The clusters whose admins hear of a message that cannot reach its recipient (person or channel)."""
    if row.person_id is not None:
        return _person_clusters(session, row.person_id)
    ref = _channel_ref(session, row.conversation_id or "")
    return {ref.cluster_id} if ref is not None and ref.cluster_id is not None else set()


def _admins_of(session: Session, cluster_ids: set[int]) -> list[int]:
    if not cluster_ids:
        return []
    by_cluster = role_holders(session, [Role.ADMIN], in_clusters=cluster_ids)
    return sorted({person for people in by_cluster.values() for person in people})


def _for_admin_card(card: dict[str, Any], note: dict[str, Any]) -> dict[str, Any]:
    """The card with the note on top and without its buttons (they are the recipient's, not the admin's)."""
    if card.get("type") != "AdaptiveCard":
        return card
    return {key: value for key, value in card.items() if key != "actions"} | {"body": [note, *card.get("body", [])]}


def _for_admin(session: Session, row: Outbox) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The rerouted message, saying whom it was for: (card, None), or (None, activity) for a row of old."""
    person = session.get(Person, row.person_id) if row.person_id else None
    whom = person.name if person else "a channel"
    note = {
        "type": "TextBlock",
        "wrap": True,
        "isSubtle": True,
        "text": f"Sent to you because the bot cannot reach {plain(whom)} (removed, or never installed).",
    }
    if row.card is not None:
        return _for_admin_card(copy.deepcopy(dict(row.card)), note), None
    activity = copy.deepcopy(dict(row.activity))
    for attachment in activity.get("attachments") or []:
        content = attachment.get("content")
        if isinstance(content, dict):
            attachment["content"] = _for_admin_card(content, note)
    return None, activity


def _reroute(
    session: Session, row: Outbox, cluster_ids: set[int], now: datetime, reason: str, attempted: bool
) -> list[int]:
    """Owe the row's activity to the admins of ``cluster_ids`` and give up on the row itself."""
    admins: list[int] = []
    # A message already rerouted once is not passed on again; nor is a channel card (a vote card is of no
    # use in a personal chat, and the admins hear of the removal from the channel's other messages).
    if REROUTE_MARK not in row.key and row.card_key is None:
        admins = [a for a in _admins_of(session, cluster_ids) if a != row.person_id]
    card, activity = _for_admin(session, row)
    for admin_id in admins:
        owe(session, f"{row.key}{REROUTE_MARK}{admin_id}", now, activity, person_id=admin_id, card=card)
    if admins:
        audit.record(session, now, ACTOR, "outbox.rerouted", f"outbox:{row.id}", key=row.key, admins=admins)
    _undeliverable(session, row, now, reason if not admins else f"{reason}; owed to the admins instead", attempted)
    return admins


def card_gone(engine: Engine, message: OwedMessage, forget: str, now: datetime, error: str) -> bool:
    """The channel message a card was to update, or to reply under, is gone (deleted in Teams): post afresh.

    ``forget`` is the key of the card whose posted message is gone. The card stays owed and is due now; the
    next send posts it anew (at the channel's top level, when its thread's first message is gone). Should
    that fail too, the channel itself is gone, and that is recorded as for any message. False when the
    message was no longer owed.
    """
    with transaction(engine) as session:
        row = _owed_row(session, message.id)
        if row is None:
            return False
        post = session.get(ChannelPost, forget)
        if post is not None:
            session.delete(post)
        row.attempts += 1
        row.not_before, row.last_error = now, _clip(error)
        session.add(row)
        audit.record(session, now, ACTOR, "channel.card_gone", f"outbox:{row.id}", key=row.key, forgot=forget)
        return True


def bot_removed(
    engine: Engine, message: OwedMessage, now: datetime, error: str = "the bot was removed"
) -> list[int] | None:
    """Record that the recipient removed the bot (403 or 404) and owe the message to the admins instead.

    The person's personal chats (or the channel) are marked uninstalled, the same activity is owed to each
    admin of the person's clusters (or the channel's cluster) under ``{key}:admin:{admin_id}``, and the
    original is marked undeliverable, all in one transaction. Returns the admins it is now owed to (empty:
    nobody to pass it to), or None when the message was no longer owed and nothing changed.
    """
    with transaction(engine) as session:
        row = _owed_row(session, message.id)
        if row is None:
            return None
        if row.conversation_id is not None:
            ref = _channel_ref(session, row.conversation_id)
            refs = [ref] if ref is not None else []
        elif row.person_id is not None:
            refs = _personal_refs(session, row.person_id, installed_only=True)
        else:
            refs = []
        clusters = _recipient_clusters(session, row)
        for ref in refs:
            if ref.installed:
                ref.installed, ref.updated_at = False, now
                session.add(ref)
                audit.record(
                    session,
                    now,
                    ACTOR,
                    "conversation.removed",
                    f"conversation:{ref.kind}",
                    person_id=row.person_id,
                    outbox_id=row.id,
                )
        return _reroute(session, row, clusters, now, error, attempted=True)


def unreachable(engine: Engine, message: OwedMessage, now: datetime) -> list[int] | None:
    """The recipient has nowhere the bot may write (never installed, or removed it): owe it to the admins.

    A person's message goes to the admins of their clusters; a channel's to the admins of the cluster the
    channel is linked to. Returns the admins it is now owed to (empty: the message is just undeliverable),
    or None when the message was no longer owed.
    """
    with transaction(engine) as session:
        row = _owed_row(session, message.id)
        if row is None:
            return None
        clusters = _recipient_clusters(session, row)
        return _reroute(session, row, clusters, now, "no conversation the bot may write to", attempted=False)


def state_of(engine: Engine, key: str) -> Outbox | None:
    """The outbox row under ``key`` (for reports and tests)."""
    with transaction(engine) as session:
        return session.exec(select(Outbox).where(Outbox.key == key)).first()
