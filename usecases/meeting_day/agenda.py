"""The agenda: bringing it up to date, posting it (on demand and when it falls due), and starting the meeting.

An agenda lists every referral accepted onto its meeting and every review waiting for a decision; it is
read in a fixed number of queries (``usecases.meeting_day.meeting_rows``) with the budget position. Changes take the
cluster's turn (``store.db.take_turn``) before reading what they check, so two clusters never wait for
each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, String, bindparam, cast, exists, func, literal
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from cards.meetings import no_channel_card
from cluster import keys
from cluster.agenda import AgendaEntry, AgendaView, ItemState
from cluster.clock import LONDON
from cluster.commands.meetings import ShowAgenda, StartMeeting
from cluster.errors import Refusal
from cluster.meetings import MeetingSlot, agenda_due, agenda_horizon, check_start_day, next_meeting
from cluster.permissions import HAND_OVER_MEETING, POST_AGENDA, RUN_MEETING, SEE_AGENDA, authorize, covers
from cluster.referrals import Kind, State
from cluster.review_form import GOES_TO_MEETING
from cluster.reviews import ReviewState
from cluster.roles import Role
from cluster.wider_team import agenda_without_pupils, sees_pupils
from store import audit
from store.db import take_turn, transaction
from store.models import AgendaItem, Person
from store.outbox import owe_card, owe_notice, owed_already
from store.repo import meeting_slots, role_holders, slot_of
from store.seed import bank_holidays
from usecases.budget import budget_on
from usecases.meeting_day import register
from usecases.meeting_day.ballots import Interests, cluster_settings, meeting_interests, refresh_user_ids
from usecases.meeting_day.meeting_rows import (
    CLUSTER_CHANNEL,
    MEETING_CHANNEL,
    MeetingRows,
    cluster_of_channel,
    cluster_of_meeting,
    load_meeting,
    meeting_entries,
    meeting_turn,
)
from usecases.people import Actor

_T = SQLModel.metadata.tables
_ITEM, _MEETING, _REFERRAL, _REVIEW = _T["agenda_item"], _T["meeting"], _T["referral"], _T["review"]
_CLUSTER, _REF, _POST, _OUTBOX = _T["cluster"], _T["conversation_ref"], _T["channel_post"], _T["outbox"]

_LISTED = sa_select(_ITEM.c.referral_id).where(_ITEM.c.meeting_id == bindparam("meeting"))
# A Capital Fund application goes to its round's Cluster Panel, never onto an agenda (an older one may still
# name a meeting).
_ACCEPTED = sa_select(_REFERRAL.c.id).where(
    _REFERRAL.c.meeting_id == bindparam("meeting"),
    _REFERRAL.c.state == State.ACCEPTED.value,
    _REFERRAL.c.kind != Kind.CAPITAL.value,
)
_REVIEWS_LISTED = (
    sa_select(_ITEM.c.review_id)
    .select_from(_ITEM.join(_MEETING, _MEETING.c.id == _ITEM.c.meeting_id))
    .where(_MEETING.c.cluster_id == bindparam("cluster"), _ITEM.c.review_id.is_not(None))
)
_REVIEWS_WAITING = sa_select(_REVIEW.c.id, _REVIEW.c.referral_id, _REVIEW.c.answers["recommendation"]).where(
    _REVIEW.c.cluster_id == bindparam("cluster"), _REVIEW.c.state == ReviewState.SUBMITTED.value
)


def sync_items(session: Session, rows: MeetingRows) -> None:
    """Every referral accepted onto this meeting, and every review waiting for a decision, has an agenda item.

    In the caller's unit, which holds the cluster's turn (a fixed number of queries, and one insert per
    new item).
    """
    meeting = rows.meeting
    assert meeting.id is not None
    if meeting.ended_at is not None:
        return  # an ended meeting takes nothing more: what is left moves on (usecases.meeting_day.carry_over)
    connection = session.connection()
    have = set(connection.execute(_LISTED, {"meeting": meeting.id}).scalars())
    for referral_id in connection.execute(_ACCEPTED, {"meeting": meeting.id}).scalars():
        if referral_id not in have:
            session.add(AgendaItem(meeting_id=meeting.id, referral_id=referral_id))
            have.add(referral_id)
    if meeting.started_at is None:
        listed = set(connection.execute(_REVIEWS_LISTED, {"cluster": meeting.cluster_id}).scalars())
        for review_id, referral_id, recommendation in connection.execute(
            _REVIEWS_WAITING, {"cluster": meeting.cluster_id}
        ):
            if recommendation in GOES_TO_MEETING and review_id not in listed and referral_id not in have:
                session.add(AgendaItem(meeting_id=meeting.id, referral_id=referral_id, review_id=review_id))
                have.add(referral_id)
    session.flush()


def quorum_lines(session: Session, rows: MeetingRows, entries: list[AgendaEntry]) -> tuple[tuple[int, str, bool], ...]:
    """Each pending item's quorum check from who is on the register now, for the chair before opening it.

    One read of the register, the settings and the interests, whatever the number of items.
    """
    meeting_id = rows.meeting.id or 0
    pending = [e for e in entries if e.state == ItemState.PENDING and e.kind is not Kind.DISCUSSION]
    if not pending:
        return ()
    attending = register.attendees(session, meeting_id)
    settings = cluster_settings(session, rows.meeting.cluster_id)
    interests = meeting_interests(session, meeting_id)
    checks = []
    for e in pending:
        declared = interests.get(e.item_id, Interests()).person_ids
        here = register.item_presence(session, rows, settings, e.setting_id, declared, attending)
        checks.append((e.item_id, here.check.line(), here.check.quorate))
    return tuple(checks)


def agenda_view(session: Session, rows: MeetingRows) -> AgendaView:
    """A meeting's agenda as it stands, with the budget position (a fixed number of queries).

    Once the meeting has started, each pending item carries its quorum check from the register (the chair's
    view shows it beside "Open the vote").
    """
    meeting, cluster = rows.meeting, rows.cluster
    entries = meeting_entries(session, meeting.id or 0)
    requested = sum(e.requested_pence for e in entries if e.decision is None)
    budget = budget_on(session, meeting.cluster_id, cluster.name, meeting.day, requested)
    live = meeting.started_at is not None and meeting.ended_at is None
    refresh = refresh_user_ids(session, meeting.cluster_id, meeting.id or 0) if meeting.ended_at is None else ()
    acting = session.get(Person, meeting.acting_chair_id) if meeting.acting_chair_id is not None else None
    return AgendaView(
        meeting_id=meeting.id or 0,
        meeting=slot_of(meeting),
        cluster=cluster.name,
        entries=tuple(entries),
        position=budget.position if budget else None,
        started=meeting.started_at is not None,
        ended=meeting.ended_at is not None,
        quorum_lines=quorum_lines(session, rows, entries) if live else (),
        refresh_user_ids=refresh,
        acting_chair=acting.name if acting is not None else "",
        cluster_id=meeting.cluster_id,
    )


def agenda_for_channel(engine: Engine, actor: Actor, conversation_id: str, now: datetime) -> AgendaView:
    """Post (or redraw) the next meeting's agenda in the channel (chair, admin or team around the cluster)."""
    with transaction(engine, serial=False) as session:
        cluster_id = cluster_of_channel(session, conversation_id)
        authorize(actor.grants, POST_AGENDA, cluster_id)
        take_turn(session, "cluster", cluster_id)
        slot = next_meeting(meeting_slots(session, cluster_id), now)
        if slot is None:
            raise Refusal("There is no upcoming meeting for this cluster.")
        rows = load_meeting(session, slot.id)
        sync_items(session, rows)
        audit.record(session, now, actor.tag, "agenda.post", f"meeting:{slot.id}")
        owe_card(session, keys.agenda(slot.id), conversation_id, now)
        return agenda_view(session, rows)


def agenda(engine: Engine, meeting_id: int) -> AgendaView:
    """A meeting's agenda as it stands (for redrawing cards)."""
    with transaction(engine, read_only=True) as session:
        return agenda_view(session, load_meeting(session, meeting_id))


@dataclass(frozen=True)
class PersonalAgenda:
    """Someone's own view of an agenda: whether they run the meeting (its controls), or may hand it over."""

    view: AgendaView
    chairs: bool
    hands_over: bool


def agenda_for(engine: Engine, actor: Actor, command: ShowAgenda) -> PersonalAgenda:
    """A meeting's agenda for a member of its cluster who asks to see it again (or whose Teams refreshes it)."""
    with transaction(engine, read_only=True) as session:
        rows = load_meeting(session, command.meeting_id)
        cluster_id, meeting_id = rows.meeting.cluster_id, rows.meeting.id
        authorize(actor.grants, SEE_AGENDA, cluster_id, meeting_id=meeting_id)
        view = agenda_view(session, rows)
        return PersonalAgenda(
            # The wider team (an observer and nothing more) never sees a pupil's details.
            view if sees_pupils(actor.grants, cluster_id) else agenda_without_pupils(view),
            covers(actor.grants, RUN_MEETING, cluster_id, meeting_id=meeting_id),
            covers(actor.grants, HAND_OVER_MEETING, cluster_id, meeting_id=meeting_id),
        )


def start_meeting(engine: Engine, actor: Actor, command: StartMeeting, now: datetime) -> AgendaView:
    """The chair starts the meeting; starting it twice is harmless. Returns the agenda as it then stands."""
    with transaction(engine, serial=False) as session:
        rows = meeting_turn(session, actor.grants, RUN_MEETING, command.meeting_id)
        meeting = rows.meeting
        if meeting.ended_at is not None:
            raise Refusal("This meeting has ended.")
        if meeting.started_at is None:
            check_start_day(slot_of(meeting), now)
            meeting.started_at = now
            session.add(meeting)
            sync_items(session, rows)
            audit.record(session, now, actor.tag, "meeting.start", f"meeting:{meeting.id}")
            rows.cards_changed(session, now, keys.agenda(meeting.id or 0))
        return agenda_view(session, rows)


def prepare_agenda(engine: Engine, meeting_id: int, now: datetime, actor_tag: str = "scheduler") -> AgendaView:
    """Bring a meeting's agenda up to date with its accepted referrals, for posting."""
    with transaction(engine, serial=False) as session:
        cluster_id = cluster_of_meeting(session, meeting_id)
        take_turn(session, "cluster", cluster_id)
        rows = load_meeting(session, meeting_id)
        sync_items(session, rows)
        audit.record(session, now, actor_tag, "agenda.post", f"meeting:{meeting_id}")
        return agenda_view(session, rows)


# --- agendas falling due --------------------------------------------------------------------------------

_KEY = literal(keys.AGENDA_PREFIX) + cast(_MEETING.c.id, String)  # keys.agenda, in SQL
# The clusters linked to a channel (their meetings' agendas are posted there; the others' admins are told).
_LINKED = sa_select(_REF.c.cluster_id).where(_REF.c.cluster_id.is_not(None), _REF.c.installed)
# Meetings of linked clusters from today to the horizon whose agenda was neither posted nor owed: the
# meeting table's (cluster_id, day) index finds each linked cluster's few meetings of the coming days.
_DUE_SOON = (
    sa_select(_MEETING, _CLUSTER.c.agenda_days, MEETING_CHANNEL)
    .select_from(_MEETING.join(_CLUSTER, _CLUSTER.c.id == _MEETING.c.cluster_id))
    .where(
        _MEETING.c.cluster_id.in_(_LINKED),
        _MEETING.c.day >= bindparam("today"),
        _MEETING.c.day <= bindparam("horizon"),
        _MEETING.c.cancelled.is_(False),
        ~exists().where(_POST.c.key == _KEY),
        ~exists().where(_OUTBOX.c.card_key == _KEY),
    )
    .order_by(_MEETING.c.day, _MEETING.c.id)
)
_MOST_DAYS = sa_select(func.max(_CLUSTER.c.agenda_days))
_POSTED_OR_OWED = sa_select(
    exists().where(_POST.c.key == bindparam("key")) | exists().where(_OUTBOX.c.card_key == bindparam("key"))
)


def owe_due_agendas(engine: Engine, now: datetime) -> list[int]:
    """Owe to its cluster's channel every agenda that is due and not yet posted or owed; returns the meetings.

    An agenda is due (by default) five working days before its meeting, in the channel linked to the
    cluster. One read finds the meetings of the coming days whose agenda is due (its cost grows with
    them, not with every meeting there is); each is then owed in its own short unit, in its cluster's
    turn, which brings its items up to date with the accepted referrals (the sender draws the card). An
    agenda owed before is not owed again (the chair's ``agenda`` posts it again on demand).
    """
    owed: list[int] = []
    for row, slot in _agendas_due(engine, now, _DUE_SOON):
        if row.channel is not None and _owe_agenda(engine, slot.id, now):
            owed.append(slot.id)
    return owed


def _agendas_due(engine: Engine, now: datetime, query: Any) -> list[tuple[Any, MeetingSlot]]:
    """The meetings ``query`` finds from today to the agenda horizon whose agenda is due now, with their rows.

    One read; ``query`` selects the meeting's columns and its cluster's ``agenda_days``.
    """
    holidays = bank_holidays()
    today = now.astimezone(LONDON).date()
    with transaction(engine, read_only=True) as session:
        connection = session.connection()
        most = connection.execute(_MOST_DAYS).scalar()
        if most is None:
            return []
        horizon = agenda_horizon(today, int(most), holidays)
        soon = connection.execute(query, {"today": today, "horizon": horizon}).all()
    due = [(row, slot_of(row)) for row in soon]
    return [(row, slot) for row, slot in due if agenda_due(slot, now, row.agenda_days, holidays)]


def _owe_agenda(engine: Engine, meeting_id: int, now: datetime) -> bool:
    """Owe one meeting's agenda to its channel, unless it was posted or owed meanwhile (in its cluster's turn)."""
    key = keys.agenda(meeting_id)
    with transaction(engine, serial=False) as session:
        take_turn(session, "cluster", cluster_of_meeting(session, meeting_id))
        if session.connection().execute(_POSTED_OR_OWED, {"key": key}).scalar():
            return False
        rows = load_meeting(session, meeting_id)
        if rows.channel is None:
            return False
        sync_items(session, rows)
        audit.record(session, now, "scheduler", "agenda.post", f"meeting:{meeting_id}")
        owe_card(session, key, rows.channel, now)
        return True


def owe_agenda_on_link(session: Session, cluster_id: int, channel: str, now: datetime, actor_tag: str) -> int | None:
    """A channel just linked: owe it the next meeting's agenda if its posting day has passed; returns the meeting.

    In the linking unit, which runs alone (a serial one). Only an agenda not yet posted or owed, of a meeting
    not yet held (the agenda job found no channel for it, and told the admins and chair so).
    """
    slot = next_meeting(meeting_slots(session, cluster_id), now)
    if slot is None or slot.started_at is not None:
        return None
    days = session.connection().execute(sa_select(_CLUSTER.c.agenda_days).where(_CLUSTER.c.id == cluster_id))
    if not agenda_due(slot, now, int(days.scalar_one()), bank_holidays()):
        return None
    key = keys.agenda(slot.id)
    if session.connection().execute(_POSTED_OR_OWED, {"key": key}).scalar():
        return None
    sync_items(session, load_meeting(session, slot.id))
    audit.record(session, now, actor_tag, "agenda.post", f"meeting:{slot.id}")
    owe_card(session, key, channel, now)
    return slot.id


# --- a cluster with no channel: its admins and chair are told when its agenda falls due ------------------------

# Meetings of clusters with no linked channel from today to the horizon, not cancelled or held: the meeting
# table's day index finds the few of the coming days.
_UNLINKED_SOON = (
    sa_select(_MEETING, _CLUSTER.c.agenda_days, _CLUSTER.c.name.label("cluster"))
    .select_from(_MEETING.join(_CLUSTER, _CLUSTER.c.id == _MEETING.c.cluster_id))
    .where(
        _MEETING.c.cluster_id.not_in(_LINKED),
        _MEETING.c.day >= bindparam("today"),
        _MEETING.c.day <= bindparam("horizon"),
        _MEETING.c.cancelled.is_(False),
        _MEETING.c.ended_at.is_(None),
    )
    .order_by(_MEETING.c.day, _MEETING.c.id)
)


def owe_channel_requests(engine: Engine, now: datetime) -> list[str]:
    """Tell the admins and chair of each cluster with no linked channel, once per meeting, what to do.

    On the day the meeting's agenda falls due (when the agenda job would have posted it), each is owed a
    note, under a key derived from the meeting, saying how to link the team channel; the agenda then posts
    as soon as the channel is linked. Returns the keys newly owed.
    """
    told: list[str] = []
    for row, slot in _agendas_due(engine, now, _UNLINKED_SOON):
        told += _tell_no_channel(engine, row.cluster_id, row.cluster, slot, now)
    return told


def _tell_no_channel(engine: Engine, cluster_id: int, cluster: str, slot: MeetingSlot, now: datetime) -> list[str]:
    """Owe the note to the cluster's admins and chair who were not told of this meeting yet (in its turn)."""
    note = keys.no_channel(slot.id)
    with transaction(engine, serial=False) as session:
        take_turn(session, "cluster", cluster_id)
        if session.connection().execute(CLUSTER_CHANNEL, {"cluster": cluster_id}).scalar() is not None:
            return []  # linked meanwhile: the agenda went with the link
        people = role_holders(session, [Role.ADMIN, Role.CHAIR], in_clusters=[cluster_id]).get(cluster_id, [])
        wanted = {keys.for_person(note, p) for p in people}
        if not people or wanted <= owed_already(session, wanted):
            return []  # each was told already: the read stays a read
        owed = owe_notice(session, note, now, no_channel_card(cluster, slot), people)
        audit.record(session, now, "scheduler", "agenda.no_channel", f"meeting:{slot.id}", told=len(owed))
        return owed
