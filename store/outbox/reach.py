"""Where an owed message goes, and what happens when it cannot get there.

A person's message goes to their installed personal chats, a channel's to the channel's stored reference
(:func:`resolve_targets`); a channel card updates its posted activity or is posted, in its thread if it has
one (:func:`card_place`). A person who removed the bot (:func:`bot_removed`) or never installed it
(:func:`unreachable`) is recorded as such, and their messages are owed to the admins of their clusters
instead, with a note saying whom they were for.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cluster import keys
from cluster.markdown import plain
from cluster.roles import Role
from store import audit
from store.db import transaction
from store.models import ChannelPost, ConversationRef, Outbox, Person, RoleAssignment, Setting
from store.outbox.owing import owe
from store.outbox.sending import ACTOR, CardPlace, OwedMessage, Target, give_up, owed_row
from store.repo import role_holders


def channel_ref(session: Session, conversation_id: str) -> ConversationRef | None:
    """The stored reference of a channel, or of the channel a thread is in; None when there is none."""
    # A thread in a channel ("19:...;messageid=123") is reached through the channel's stored reference.
    candidates = [conversation_id, conversation_id.split(";messageid=")[0]]
    for candidate in candidates:
        ref = session.exec(select(ConversationRef).where(ConversationRef.conversation_id == candidate)).first()
        if ref is not None:
            return ref
    return None


def personal_refs(session: Session, person_id: int, installed_only: bool) -> list[ConversationRef]:
    """A person's personal chats with the bot (only the installed ones, if asked), most recently refreshed first."""
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
            ref = channel_ref(session, message.conversation_id)
            if ref is None or not ref.installed:
                return []
            return [Target(ref.service_url, message.conversation_id)]
        if message.person_id is None:
            return []
        return [Target(r.service_url, r.conversation_id) for r in personal_refs(session, message.person_id, True)]


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
    ref = channel_ref(session, row.conversation_id or "")
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
    if not keys.is_rerouted(row.key) and row.card_key is None:
        admins = [a for a in _admins_of(session, cluster_ids) if a != row.person_id]
    card, activity = _for_admin(session, row)
    for admin_id in admins:
        owe(session, keys.rerouted(row.key, admin_id), now, activity, person_id=admin_id, card=card)
    if admins:
        audit.record(session, now, ACTOR, "outbox.rerouted", f"outbox:{row.id}", key=row.key, admins=admins)
    give_up(session, row, now, reason if not admins else f"{reason}; owed to the admins instead", attempted)
    return admins


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
        row = owed_row(session, message.id)
        if row is None:
            return None
        if row.conversation_id is not None:
            ref = channel_ref(session, row.conversation_id)
            refs = [ref] if ref is not None else []
        elif row.person_id is not None:
            refs = personal_refs(session, row.person_id, installed_only=True)
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
        row = owed_row(session, message.id)
        if row is None:
            return None
        clusters = _recipient_clusters(session, row)
        return _reroute(session, row, clusters, now, "no conversation the bot may write to", attempted=False)
