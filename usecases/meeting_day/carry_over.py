"""What is left on a meeting that has ended moves to the cluster's next meeting, and its referrer is told.

A meeting ended by its chair takes no more referrals. Whatever was still waiting on it then (a referral not
yet checked, an accepted one never reached, a review never opened) goes to the next meeting that is neither
cancelled nor ended, as a deferred item does (``usecases.meeting_day.decisions``): an item that was on the agenda is
listed first on the next one, marked as carried over from the meeting it left. An item whose vote was opened
stays: its decision can still be recorded.

This runs in the unit of the change that strands something (ending a meeting, accepting a referral whose
meeting has ended, adding the meeting that was missing), holding the cluster's turn. The referrer's notice
is owed in that unit under a key naming the referral and both meetings, so a doubled click tells them once.
With no later meeting yet, what is left stays until the admin adds one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, exists
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from cards.meeting_day.notices import moved_notice_card
from cluster import keys
from cluster.agenda import ItemState, Moved
from cluster.meetings import following_meeting
from cluster.referrals import Kind, State
from store import audit
from store.models import AgendaItem, ChannelPost, Referral
from store.outbox import owe_card, owe_notice
from store.repo import meeting_slots
from usecases.meeting_day.meeting_rows import CLUSTER_CHANNEL

_T = SQLModel.metadata.tables
_ITEM, _MEETING, _REFERRAL = _T["agenda_item"], _T["meeting"], _T["referral"]


_ENDED = sa_select(_MEETING.c.id).where(_MEETING.c.cluster_id == bindparam("cluster"), _MEETING.c.ended_at.is_not(None))
# Items never opened on an ended meeting: a referral or review the meeting did not reach.
_LEFT_ITEMS = sa_select(_ITEM.c.id).where(_ITEM.c.meeting_id.in_(_ENDED), _ITEM.c.state == ItemState.PENDING)
# Referrals still waiting on an ended meeting (submitted, or accepted), unless their vote there was opened.
_LEFT_REFERRALS = sa_select(_REFERRAL.c.id).where(
    _REFERRAL.c.meeting_id.in_(_ENDED),
    _REFERRAL.c.state.in_((State.SUBMITTED.value, State.ACCEPTED.value)),
    _REFERRAL.c.kind != Kind.CAPITAL.value,
    ~exists().where(
        _ITEM.c.referral_id == _REFERRAL.c.id,
        _ITEM.c.meeting_id == _REFERRAL.c.meeting_id,
        _ITEM.c.state != ItemState.PENDING,
    ),
)


def carry_over(session: Session, cluster_id: int, cluster: str, now: datetime, actor: str) -> list[Moved]:
    """Move everything left on the cluster's ended meetings to the meeting after each, in the caller's unit.

    The caller holds the cluster's turn. Costs two queries when nothing is left; returns what moved.
    """
    connection = session.connection()
    session.flush()
    item_ids = list(connection.execute(_LEFT_ITEMS, {"cluster": cluster_id}).scalars())
    referral_ids = set(connection.execute(_LEFT_REFERRALS, {"cluster": cluster_id}).scalars())
    if not item_ids and not referral_ids:
        return []
    slots = {s.id: s for s in meeting_slots(session, cluster_id)}
    items = [i for i in (session.get(AgendaItem, i) for i in item_ids) if i is not None]
    moved: list[Moved] = []
    for item in items:  # an item carries its referral along, unless it is a review of a decided one
        if item.review_id is None:
            referral_ids.discard(item.referral_id)
        ended = slots[item.meeting_id]
        target = following_meeting(slots.values(), ended)
        referral = session.get(Referral, item.referral_id)
        if target is None or referral is None:
            continue
        if item.review_id is None:
            referral.meeting_id = target.id
            session.add(referral)
        session.delete(item)
        session.add(
            AgendaItem(
                meeting_id=target.id, referral_id=item.referral_id, deferred_from=ended.id, review_id=item.review_id
            )
        )
        moved.append(
            Moved(item.referral_id, referral.reference or "", cluster, item.review_id is not None, ended, target)
        )
    for referral_id in sorted(referral_ids):  # waiting on the meeting but never on its agenda
        referral = session.get(Referral, referral_id)
        if referral is None or referral.meeting_id is None:
            continue
        ended = slots[referral.meeting_id]
        target = following_meeting(slots.values(), ended)
        if target is None:
            continue
        referral.meeting_id = target.id
        session.add(referral)
        moved.append(Moved(referral_id, referral.reference or "", cluster, False, ended, target))
    session.flush()
    _tell(session, cluster_id, moved, now, actor)
    return moved


def _tell(session: Session, cluster_id: int, moved: list[Moved], now: datetime, actor: str) -> None:
    """The audit line and the referrer's notice for each move; an agenda already posted shows the newcomers."""
    channel = session.connection().execute(CLUSTER_CHANNEL, {"cluster": cluster_id}).scalar()
    redrawn: set[int] = set()
    for move in moved:
        audit.record(
            session,
            now,
            actor,
            "referral.carry_over",
            f"referral:{move.referral_id}",
            from_meeting=move.ended.id,
            to_meeting=move.to.id,
            review=move.review,
        )
        referral = session.get(Referral, move.referral_id)
        if referral is not None:  # the key names the referral and both meetings: the same move tells them once
            key = keys.referral_moved(move.referral_id, move.ended.id, move.to.id)
            owe_notice(session, key, now, moved_notice_card(move), (referral.created_by,))
        if channel is None or move.to.id in redrawn:
            continue
        agenda = keys.agenda(move.to.id)
        if session.get(ChannelPost, agenda) is not None:  # posted already: it shows the newcomers
            owe_card(session, agenda, channel, now)
            redrawn.add(move.to.id)
