"""Ending the meeting, and its minutes: in the channel, as the posted card, and as files for members.

The minutes are read in a fixed number of queries whatever the number of items: the agenda's, then the
items' votes, the ballots and the interests of the whole meeting at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from cluster import keys
from cluster.agenda import AgendaView, ItemState, MinutesEntry, MinutesView
from cluster.commands.meetings import EndMeeting
from cluster.errors import Refusal
from cluster.permissions import MINUTES, RUN_MEETING, Forbidden, authorize, covers
from cluster.register import QuorumRecord
from cluster.roles import CITYWIDE_ROLES
from store import audit
from store.db import transaction
from store.models import AgendaItem, Meeting
from usecases.meeting_day.agenda import agenda_view
from usecases.meeting_day.attendance import roll_call_view
from usecases.meeting_day.ballots import Interests, meeting_ballots, meeting_interests, result_of, tally_of
from usecases.meeting_day.carry_over import carry_over
from usecases.meeting_day.meeting_rows import MeetingRows, cluster_of_channel, load_meeting, meeting_turn
from usecases.people import Actor

_T = SQLModel.metadata.tables
_ITEM, _CLUSTER = _T["agenda_item"], _T["cluster"]
_OPEN_ITEM = (
    sa_select(_ITEM.c.id).where(_ITEM.c.meeting_id == bindparam("meeting"), _ITEM.c.state == ItemState.OPEN).limit(1)
)
_FIRST_CLUSTER = sa_select(_CLUSTER.c.id).order_by(_CLUSTER.c.id).limit(1)


def end_meeting(engine: Engine, actor: Actor, command: EndMeeting, now: datetime) -> AgendaView:
    """The chair ends the meeting, which owes the minutes to the channel; ending it twice is harmless.

    What the meeting did not reach moves to the next meeting, and its referrers are told
    (``usecases.meeting_day.carry_over``). Returns the agenda as it then stands (the chair's answer).
    """
    meeting_id = command.meeting_id
    with transaction(engine, serial=False) as session:
        rows = meeting_turn(session, actor.grants, RUN_MEETING, meeting_id)
        meeting = rows.meeting
        if session.connection().execute(_OPEN_ITEM, {"meeting": meeting_id}).first() is not None:
            raise Refusal("Close the open vote before ending the meeting.")
        if meeting.ended_at is None:
            meeting.ended_at = now
            session.add(meeting)
            audit.record(session, now, actor.tag, "meeting.end", f"meeting:{meeting.id}")
            carry_over(session, meeting.cluster_id, rows.cluster.name, now, actor.tag)
            rows.cards_changed(session, now, keys.minutes(meeting_id), keys.agenda(meeting_id))
        return agenda_view(session, rows)


def minutes_view(session: Session, rows: MeetingRows) -> MinutesView:
    """A meeting's minutes: who attended; each item's entry, count, result, interests and the register it kept.

    A fixed number of queries, whatever the number of items.
    """
    agenda = agenda_view(session, rows)
    meeting_id = agenda.meeting_id
    items = {i.id: i for i in session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id))}
    cast = meeting_ballots(session, meeting_id)
    declared = meeting_interests(session, meeting_id)
    entries = []
    for entry in agenda.entries:
        item = items[entry.item_id]
        if item.opened_at is None:  # a discussion, or an item never opened: not voted on
            entries.append(MinutesEntry(entry, None, None, ()))
            continue
        count = tally_of(item, rows, cast.get(entry.item_id, []))
        interests = declared.get(entry.item_id, Interests()).names
        kept = QuorumRecord.read(item.quorum_record)
        entries.append(MinutesEntry(entry, count, result_of(item, count), interests, kept))
    attended = roll_call_view(session, rows).register
    return MinutesView(agenda.meeting, agenda.cluster, tuple(entries), rows.meeting.ended_at, agenda.position, attended)


def minutes_of_meeting(engine: Engine, meeting_id: int) -> MinutesView:
    """The minutes of a meeting as posted in its channel (no pupil names; read by the bot, not a person)."""
    with transaction(engine, read_only=True) as session:
        return minutes_view(session, load_meeting(session, meeting_id))


def _latest_held(session: Session, cluster_id: int) -> MeetingRows:
    meeting_id = session.exec(
        select(Meeting.id)
        .where(Meeting.cluster_id == cluster_id, col(Meeting.started_at).is_not(None))
        .order_by(col(Meeting.day).desc())
        .limit(1)
    ).first()
    if meeting_id is None:
        raise Refusal("No meeting of your cluster has been held in Teams yet.")
    return load_meeting(session, meeting_id)


def minutes(engine: Engine, actor: Actor, conversation_id: str, now: datetime) -> MinutesView:
    """The minutes of the channel's cluster's most recent meeting that has started (members only); audited."""
    # Reading and an audit line: nothing is checked that another unit could change, so no turn is taken.
    with transaction(engine, serial=False) as session:
        cluster_id = cluster_of_channel(session, conversation_id)
        authorize(actor.grants, MINUTES, cluster_id)
        rows = _latest_held(session, cluster_id)
        audit.record(session, now, actor.tag, "minutes.read", f"meeting:{rows.meeting.id}")
        return minutes_view(session, rows)


def _members_cluster(session: Session, actor: Actor) -> int:
    """The cluster whose minutes a member has when they name no meeting: the first (by id) they reach."""
    if any(g.role in CITYWIDE_ROLES and MINUTES.holds(g.role) for g in actor.grants):
        first = session.connection().execute(_FIRST_CLUSTER).scalar()
        if first is not None:
            return int(first)
    reached = sorted(
        {g.cluster_id for g in actor.grants if g.cluster_id and covers(actor.grants, MINUTES, g.cluster_id)}
    )
    if not reached:
        raise Forbidden(MINUTES.refusal)
    return reached[0]


def member_minutes(
    engine: Engine, actor: Actor, now: datetime, meeting_id: int | None = None, *, offer_only: bool = False
) -> MinutesView:
    """The minutes of a meeting of the actor's cluster (the latest held, unless one is named); audited.

    ``offer_only``: the minutes are only being offered as files (Teams asks first), so each ``minutes.export``
    line waits for the person to accept a file.
    """
    with transaction(engine, serial=False) as session:
        if meeting_id is not None:
            rows = load_meeting(session, meeting_id)
        else:
            rows = _latest_held(session, _members_cluster(session, actor))
        authorize(actor.grants, MINUTES, rows.meeting.cluster_id)
        if not offer_only:
            audit.record(session, now, actor.tag, "minutes.export", f"meeting:{rows.meeting.id}")
        return minutes_view(session, rows)
