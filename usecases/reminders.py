"""Reminders owed for meetings: referral deadlines (to every SENCO and delegate) and the meeting-day post.

Like review nudges, each is written to the outbox once, keyed by meeting, reminder and recipient
(``deadline:12:7:person:3``, ``morning:12``). Both look only at the meetings whose deadline or day is near
(indexed queries on ``meeting.deadline`` and ``meeting.day``), never at every meeting of every cluster, and
write in transactions of a few hundred outbox rows.

The deadline reminders keep a mark (``store.job_marks``) of the reminders they owed in full, and of the
newest role they had seen: a run with nothing new reads the meetings near their deadline and owes nothing,
without looking up a key; someone who becomes a SENCO or delegate meanwhile is owed the reminder in hand.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cards.meetings import deadline_reminder_card, meeting_morning_card
from cluster import keys
from cluster.clock import LONDON
from cluster.meetings import deadline_reminders_due, meeting_morning
from cluster.roles import Role
from store import job_marks
from store.db import transaction
from store.models import Cluster, ConversationRef, Meeting, RoleAssignment, Setting
from store.outbox import Owing, owe_all, owed_already
from store.repo import role_holders, slot_of

MARK = "deadline-reminders"
REMINDER_DAYS = (7, 2)
"""Days before a referral deadline that its reminders go (``cluster.meetings.deadline_reminders_due``)."""
BATCH = 300
"""Outbox rows written per transaction."""
REFERRERS = (Role.SENCO.value, Role.DELEGATE.value)


def _write(engine: Engine, now: datetime, owing: list[Owing], size: int) -> list[str]:
    """Owe ``owing`` in transactions of at most ``size`` rows each."""
    owed: list[str] = []
    for start in range(0, len(owing), size):
        with transaction(engine) as session:
            owed += owe_all(session, now, owing[start : start + size])
    return owed


def _clusters_given_referrers(session: Session, seen: int, newest: int) -> set[int]:
    """The clusters where someone became a SENCO or delegate since role ``seen``."""
    if newest <= seen:
        return set()
    return {
        cluster
        for cluster in session.exec(
            select(Setting.cluster_id)
            .join(RoleAssignment, col(RoleAssignment.setting_id) == Setting.id)
            .where(
                col(RoleAssignment.id) > seen,
                col(RoleAssignment.id) <= newest,
                col(RoleAssignment.role).in_(REFERRERS),
            )
        )
    }


def _referrers(session: Session, clusters: set[int]) -> dict[int, list[int]]:
    """Each cluster's SENCOs and delegates, in one query."""
    return role_holders(session, REFERRERS, in_clusters=clusters) if clusters else {}


def owe_deadline_reminders(engine: Engine, now: datetime, *, batch_size: int = BATCH) -> list[str]:
    """Owe every SENCO and delegate of a cluster a reminder 7 and 2 days before its next referral deadline."""
    today = now.astimezone(LONDON).date()
    # A reminder is owed from 7 days before the deadline's day until the deadline: so deadlines before the
    # end of the 7th day from today, and not yet passed.
    horizon = datetime.combine(today + timedelta(days=max(REMINDER_DAYS) + 1), time(0), tzinfo=LONDON)
    with transaction(engine, read_only=True) as session:
        mark = job_marks.read(session, MARK)
        newest = job_marks.newest_role(session)
        near = session.exec(
            select(Meeting, Cluster.name)
            .join(Cluster, col(Cluster.id) == Meeting.cluster_id)
            .where(
                col(Meeting.deadline) > now,
                col(Meeting.deadline) < horizon,
                col(Meeting.cancelled) == False,  # noqa: E712
            )
            .order_by(col(Meeting.id))
        ).all()
        due = [
            (meeting.cluster_id, name, slot, days)
            for meeting, name in near
            for slot in [slot_of(meeting)]
            for days in deadline_reminders_due(slot, now, REMINDER_DAYS)
        ]
        done = {(int(m), int(d)) for m, d in mark.get("done", [])} if mark else set()
        joined = _clusters_given_referrers(session, int(mark.get("roles", 0)), newest) if mark else set()
        todo = [item for item in due if (item[2].id, item[3]) not in done or item[0] in joined]
        owing: list[Owing] = []
        if todo:
            people = _referrers(session, {cluster for cluster, _, _, _ in todo})
            keyed = [
                (keys.for_person(keys.deadline_reminder(slot.id, days), person), cluster, name, slot, person)
                for cluster, name, slot, days in todo
                for person in people.get(cluster, [])
            ]
            taken = owed_already(session, (key for key, *_ in keyed))
            drawn: dict[int, dict[str, Any]] = {}
            for key, _cluster, name, slot, person in keyed:
                if key in taken:
                    continue
                if slot.id not in drawn:
                    # The card says how long is really left, which is less than the point when a run was missed.
                    left = (slot.deadline.astimezone(LONDON).date() - today).days
                    drawn[slot.id] = deadline_reminder_card(name, slot, left)
                owing.append(Owing(key, drawn[slot.id], person_id=person))
    owed = _write(engine, now, owing, batch_size)
    # Only now that every batch is in are these reminders done: a run stopped before does them again.
    marks = {"done": sorted([slot.id, days] for _, _, slot, days in due), "roles": newest}
    if marks != mark:
        with transaction(engine) as session:
            job_marks.write(session, MARK, now, marks)
    return owed


def owe_meeting_morning_posts(engine: Engine, now: datetime) -> list[str]:
    """Owe each linked channel a post on the morning of its cluster's meeting."""
    today = now.astimezone(LONDON).date()
    with transaction(engine, read_only=True) as session:
        todays = session.exec(
            select(Meeting, Cluster.name)
            .join(Cluster, col(Cluster.id) == Meeting.cluster_id)
            .where(col(Meeting.day) == today, col(Meeting.cancelled) == False)  # noqa: E712
            .order_by(col(Meeting.id))
        ).all()
        slots = [(meeting.cluster_id, name, slot_of(meeting)) for meeting, name in todays]
        morning = [(cluster, name, slot) for cluster, name, slot in slots if meeting_morning(slot, now)]
        if not morning:
            return []
        channels: dict[int, str] = {}
        for cluster, conversation in session.exec(
            select(ConversationRef.cluster_id, ConversationRef.conversation_id)
            .where(col(ConversationRef.cluster_id).in_({c for c, _, _ in morning}), col(ConversationRef.installed))
            .order_by(col(ConversationRef.id))
        ):
            channels.setdefault(cluster or 0, conversation)
        taken = owed_already(session, (keys.morning(slot.id) for _, _, slot in morning))
        owing = [
            Owing(keys.morning(slot.id), meeting_morning_card(name, slot), conversation_id=channels[cluster])
            for cluster, name, slot in morning
            if cluster in channels and keys.morning(slot.id) not in taken
        ]
    return _write(engine, now, owing, BATCH)
