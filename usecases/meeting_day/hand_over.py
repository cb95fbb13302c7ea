"""Handing one meeting over: the chair (or a cluster admin) names a member of the cluster to chair it.

The person named holds ``Role.ACTING_CHAIR`` for that meeting only (``store.repo.person_with_grants`` reads
it from ``Meeting.acting_chair_id``), so they run that meeting - start it, open and close its votes, record
its decisions, end it - and nothing else. The chair keeps their own controls too, and takes the meeting back
by choosing themself ("Myself: take the meeting back"): handing it to a chair of the cluster leaves it with
no acting chair.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, bindparam, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from cards.meeting_day.hand_over import acting_chair_notice
from cluster import keys
from cluster.commands.meetings import HandOver, ShowHandOver
from cluster.errors import Refusal
from cluster.meetings import MeetingSlot
from cluster.permissions import HAND_OVER_MEETING, RUN_MEETING, covers
from cluster.roles import Grant, Role
from store import audit
from store.db import transaction
from store.outbox import owe_notice
from store.repo import slot_of
from usecases.meeting_day.agenda import PersonalAgenda, agenda_view
from usecases.meeting_day.meeting_rows import MeetingRows, meeting_turn
from usecases.people import Actor

_T = SQLModel.metadata.tables
_PERSON, _ROLE, _SETTING = _T["person"], _T["role_assignment"], _T["setting"]

# The cluster's members who may chair a meeting: its settings' SENCOs and delegates, its chair, team and admins
# (observers only watch).
_MEMBERS = (
    sa_select(_PERSON.c.id, _PERSON.c.name)
    .select_from(
        _PERSON.join(_ROLE, _ROLE.c.person_id == _PERSON.c.id).outerjoin(_SETTING, _SETTING.c.id == _ROLE.c.setting_id)
    )
    .where(
        _ROLE.c.role != Role.OBSERVER.value,
        or_(_ROLE.c.cluster_id == bindparam("cluster"), _SETTING.c.cluster_id == bindparam("cluster")),
    )
    .distinct()
    .order_by(_PERSON.c.name, _PERSON.c.id)
)


@dataclass(frozen=True)
class HandOverForm:
    """What the hand-over card offers: the meeting, who chairs it now, and the members to choose from."""

    meeting_id: int
    meeting: MeetingSlot
    cluster: str
    acting_chair_id: int | None
    members: tuple[tuple[int, str], ...]
    myself: int | None = None  # the chair's own person id, offered to take a handed-over meeting back


def _members(session: Session, cluster_id: int) -> tuple[tuple[int, str], ...]:
    found = session.connection().execute(_MEMBERS, {"cluster": cluster_id})
    return tuple(dict.fromkeys((int(i), str(name)) for i, name in found))


def _chairs(grants: Iterable[Grant], cluster_id: int) -> bool:
    """Whether the person chairs the cluster itself (not only one meeting of it)."""
    return any(g.role is Role.CHAIR and g.cluster_id == cluster_id and g.meeting_id is None for g in grants)


def _form(session: Session, rows: MeetingRows, actor: Actor) -> HandOverForm:
    meeting = rows.meeting
    return HandOverForm(
        meeting.id or 0,
        slot_of(meeting),
        rows.cluster.name,
        meeting.acting_chair_id,
        _members(session, meeting.cluster_id),
        actor.person_id if _chairs(actor.grants, meeting.cluster_id) else None,
    )


def hand_over_form(engine: Engine, actor: Actor, command: ShowHandOver) -> HandOverForm:
    """The hand-over card for the chair or a cluster admin (refused once the meeting has ended)."""
    with transaction(engine, serial=False) as session:
        rows = meeting_turn(session, actor.grants, HAND_OVER_MEETING, command.meeting_id)
        if rows.meeting.ended_at is not None:
            raise Refusal("This meeting has ended.")
        return _form(session, rows, actor)


def hand_over(engine: Engine, actor: Actor, command: HandOver, now: datetime) -> PersonalAgenda:
    """Hand the meeting to a member of its cluster, who is told in their personal chat; returns the agenda.

    Naming the same person twice changes nothing; naming another moves the meeting to them. Naming a chair of
    the cluster (the chair choosing themself) takes the meeting back: it has no acting chair again.
    """
    with transaction(engine, serial=False) as session:
        rows = meeting_turn(session, actor.grants, HAND_OVER_MEETING, command.meeting_id)
        meeting = rows.meeting
        if meeting.ended_at is not None:
            raise Refusal("This meeting has ended.")
        members = dict(_members(session, meeting.cluster_id))
        if command.person_id not in members:
            raise Refusal("Choose a member of this cluster to chair the meeting.")
        if command.person_id == actor.person_id and _chairs(actor.grants, meeting.cluster_id):
            _take_back(session, rows, actor, now)
        elif meeting.acting_chair_id != command.person_id:
            meeting.acting_chair_id = command.person_id
            session.add(meeting)
            audit.record(
                session, now, actor.tag, "meeting.hand_over", f"meeting:{meeting.id}", to=f"person:{command.person_id}"
            )
            rows.cards_changed(session, now, keys.agenda(meeting.id or 0))
            notice = acting_chair_notice(rows.cluster.name, slot_of(meeting), meeting.id or 0)
            owe_notice(session, keys.handed_over(meeting.id or 0), now, notice, [command.person_id])
        chairs = covers(actor.grants, RUN_MEETING, meeting.cluster_id, meeting_id=meeting.id)
        return PersonalAgenda(agenda_view(session, rows), chairs, hands_over=True)


def _take_back(session: Session, rows: MeetingRows, actor: Actor, now: datetime) -> None:
    """The chair takes a handed-over meeting back: no acting chair; taking back one never handed over is nothing."""
    meeting = rows.meeting
    if meeting.acting_chair_id is None:
        return
    audit.record(
        session, now, actor.tag, "meeting.take_back", f"meeting:{meeting.id}", was=f"person:{meeting.acting_chair_id}"
    )
    meeting.acting_chair_id = None
    session.add(meeting)
    rows.cards_changed(session, now, keys.agenda(meeting.id or 0))
