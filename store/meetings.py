"""Meetings: adding and listing a cluster's meetings (the admin's meeting card comes with issue 4)."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Engine
from sqlmodel import select

from cluster.errors import Refusal
from cluster.meetings import DEFAULT_END, DEFAULT_START, MeetingSlot, default_deadline
from store import audit
from store.db import transaction
from store.models import Meeting
from store.repo import cluster_by_name, meeting_slots


def add_meeting(
    engine: Engine,
    cluster_name: str,
    day: date,
    now: datetime,
    *,
    start: time = DEFAULT_START,
    end: time = DEFAULT_END,
    title: str = "",
    actor: str = "cli",
) -> MeetingSlot:
    """Add a meeting with the cluster's default referral deadline; one meeting per cluster per day."""
    if end <= start:
        raise Refusal("A meeting must end after it starts.")
    with transaction(engine) as session:
        cluster = cluster_by_name(session, cluster_name)
        if cluster is None or cluster.id is None:
            raise Refusal(f"There is no cluster called '{cluster_name}'.")
        if session.exec(select(Meeting).where(Meeting.cluster_id == cluster.id, Meeting.day == day)).first():
            raise Refusal(f"The {cluster.name} cluster already has a meeting on {day:%-d %B %Y}.")
        meeting = Meeting(
            cluster_id=cluster.id,
            title=title,
            day=day,
            start=start,
            end=end,
            deadline=default_deadline(day, cluster.deadline_days),
        )
        session.add(meeting)
        session.flush()
        audit.record(session, now, actor, "meeting.add", f"meeting:{meeting.id}", day=day.isoformat())
        return next(s for s in meeting_slots(session, cluster.id) if s.id == meeting.id)


def list_meetings(engine: Engine, cluster_name: str) -> list[MeetingSlot]:
    """The cluster's meetings in date order."""
    with transaction(engine) as session:
        cluster = cluster_by_name(session, cluster_name)
        if cluster is None or cluster.id is None:
            raise Refusal(f"There is no cluster called '{cluster_name}'.")
        return sorted(meeting_slots(session, cluster.id), key=lambda m: m.day)


def set_deadline_days(engine: Engine, cluster_name: str, days: int, now: datetime, actor: str = "cli") -> int:
    """Set how many days before a meeting referrals close; future meetings' deadlines move. Returns how many."""
    if not 0 <= days <= 60:
        raise Refusal("The referral deadline must be between 0 and 60 days before the meeting.")
    with transaction(engine) as session:
        cluster = cluster_by_name(session, cluster_name)
        if cluster is None or cluster.id is None:
            raise Refusal(f"There is no cluster called '{cluster_name}'.")
        cluster.deadline_days = days
        session.add(cluster)
        moved = 0
        for meeting in session.exec(select(Meeting).where(Meeting.cluster_id == cluster.id)):
            deadline = default_deadline(meeting.day, days)
            if meeting.deadline > now and deadline != meeting.deadline:
                meeting.deadline = deadline
                session.add(meeting)
                moved += 1
        audit.record(session, now, actor, "cluster.deadline_days", f"cluster:{cluster.name}", days=days, moved=moved)
        return moved


def set_voting_rules(
    engine: Engine,
    cluster_name: str,
    now: datetime,
    *,
    quorum: int | None,
    same_trust_recusal: bool | None,
    actor: str = "cli",
) -> tuple[int | None, bool]:
    """Set a cluster's quorum (None: half its settings, rounded up) and whether a trust's settings recuse."""
    if quorum is not None and quorum < 1:
        raise Refusal("A quorum is at least one setting.")
    with transaction(engine) as session:
        cluster = cluster_by_name(session, cluster_name)
        if cluster is None or cluster.id is None:
            raise Refusal(f"There is no cluster called '{cluster_name}'.")
        cluster.quorum = quorum
        if same_trust_recusal is not None:
            cluster.same_trust_recusal = same_trust_recusal
        session.add(cluster)
        audit.record(
            session,
            now,
            actor,
            "cluster.voting_rules",
            f"cluster:{cluster.name}",
            quorum=quorum,
            same_trust_recusal=cluster.same_trust_recusal,
        )
        return cluster.quorum, cluster.same_trust_recusal
