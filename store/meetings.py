"""Meetings: adding and listing a cluster's meetings (the admin's meeting card comes with issue 4)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from cluster.clock import LONDON
from cluster.errors import Refusal
from cluster.meetings import DEFAULT_END, DEFAULT_START, MeetingSlot, default_deadline
from cluster.permissions import MANAGE_MEETINGS, Forbidden, authorize
from store import audit
from store.db import transaction
from store.models import AgendaItem, Cluster, Meeting, Referral
from store.repo import cluster_by_name, get_or_refuse, meeting_slots
from store.usecases import Actor


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


# --- the admin's meeting card -------------------------------------------------------------------------


def _admin_cluster(session: Any, actor: Actor, cluster_name: str | None) -> Cluster:
    """The cluster the actor administers (the named one, or their only one)."""
    admins = MANAGE_MEETINGS.roles or frozenset()
    names = sorted({g.cluster for g in actor.grants if g.role in admins and g.cluster})
    if cluster_name:
        names = [n for n in names if n.lower() == cluster_name.lower()]
    if not names:
        raise Forbidden(MANAGE_MEETINGS.refusal)
    cluster = cluster_by_name(session, names[0])
    assert cluster is not None
    return cluster


def admin_meetings(
    engine: Engine, actor: Actor, now: datetime, cluster_name: str | None = None
) -> tuple[str, list[MeetingSlot]]:
    """The cluster's meetings not yet over, for its admin's card."""
    with transaction(engine) as session:
        cluster = _admin_cluster(session, actor, cluster_name)
        slots = [s for s in meeting_slots(session, cluster.id or 0) if s.ends_at > now]
        return cluster.name, sorted(slots, key=lambda s: s.day)


def _admin_meeting(session: Any, actor: Actor, meeting_id: Any) -> tuple[Meeting, Cluster]:
    meeting = get_or_refuse(session, Meeting, meeting_id, "That meeting no longer exists.")
    authorize(actor.grants, MANAGE_MEETINGS, meeting.cluster_id)
    cluster = session.get(Cluster, meeting.cluster_id)
    assert cluster is not None
    if meeting.started_at is not None:
        raise Refusal("This meeting has started, so it can no longer be moved or cancelled.")
    return meeting, cluster


def add_meeting_as(
    engine: Engine,
    actor: Actor,
    cluster_name: str,
    day: date,
    now: datetime,
    *,
    start: time,
    end: time,
    title: str,
    link: str | None,
) -> MeetingSlot:
    """An admin adds a meeting from the card."""
    with transaction(engine) as session:
        cluster = _admin_cluster(session, actor, cluster_name)
    if day <= now.astimezone(LONDON).date():
        raise Refusal("A new meeting must be on a day still to come.")
    slot = add_meeting(engine, cluster.name, day, now, start=start, end=end, title=title, actor=actor.tag)
    if link:
        set_link(engine, actor, slot.id, link, now)
    return slot


def move_meeting(engine: Engine, actor: Actor, meeting_id: Any, day: date, now: datetime) -> MeetingSlot:
    """Move a meeting to another day; its referrals stay on it and its referral deadline moves with it."""
    with transaction(engine) as session:
        meeting, cluster = _admin_meeting(session, actor, meeting_id)
        if day <= now.astimezone(LONDON).date():
            raise Refusal("Move the meeting to a day still to come.")
        if (
            day != meeting.day
            and session.exec(select(Meeting).where(Meeting.cluster_id == cluster.id, Meeting.day == day)).first()
        ):
            raise Refusal(f"The {cluster.name} cluster already has a meeting on {day:%-d %B %Y}.")
        old = meeting.day
        meeting.day = day
        meeting.deadline = default_deadline(day, cluster.deadline_days)
        session.add(meeting)
        audit.record(session, now, actor.tag, "meeting.move", f"meeting:{meeting.id}", old=str(old), new=str(day))
        session.flush()
        return next(s for s in meeting_slots(session, cluster.id or 0) if s.id == meeting.id)


def cancel_meeting(engine: Engine, actor: Actor, meeting_id: Any, now: datetime) -> tuple[MeetingSlot, int]:
    """Cancel a meeting; its referrals move to the next meeting. Returns that meeting and how many moved."""
    with transaction(engine) as session:
        meeting, cluster = _admin_meeting(session, actor, meeting_id)
        if meeting.cancelled:
            raise Refusal("This meeting is already cancelled.")
        later = [s for s in meeting_slots(session, cluster.id or 0) if s.day > meeting.day and not s.cancelled]
        if not later:
            raise Refusal("Add the next meeting first: this meeting's referrals need somewhere to go.")
        target = min(later, key=lambda s: s.day)
        moved = 0
        for referral in session.exec(select(Referral).where(Referral.meeting_id == meeting.id)):
            referral.meeting_id = target.id
            session.add(referral)
            moved += 1
        for item in session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)):
            session.delete(item)  # pending items are rebuilt on the next meeting's agenda
        meeting.cancelled = True
        session.add(meeting)
        audit.record(
            session, now, actor.tag, "meeting.cancel", f"meeting:{meeting.id}", moved_to=target.id, referrals=moved
        )
        return target, moved


def set_link(engine: Engine, actor: Actor, meeting_id: Any, link: str, now: datetime) -> None:
    """Set the meeting's online (Teams meeting) link."""
    link = link.strip()
    if link and not (link.startswith("https://") and len(link) <= 1000):
        raise Refusal("Give the meeting link as it starts: https://teams.microsoft.com/...")
    with transaction(engine) as session:
        meeting, _ = _admin_meeting(session, actor, meeting_id)
        meeting.online_link = link or None
        session.add(meeting)
        audit.record(session, now, actor.tag, "meeting.link", f"meeting:{meeting.id}")


def set_nudge_plan(
    engine: Engine,
    cluster_name: str,
    now: datetime,
    *,
    before: list[int],
    overdue_every: int,
    escalate_after: int,
    actor: str = "cli",
) -> None:
    """Set a cluster's review nudge intervals (days before the due date, weekly-while-overdue, escalation)."""
    from cluster.reviews import plan_from

    stored = {"before": before, "overdue_every": overdue_every, "escalate_after": escalate_after}
    try:
        plan_from(dict(stored))
    except ValueError as exc:
        raise Refusal(f"Those intervals won't do: {exc}.") from None
    with transaction(engine) as session:
        cluster = cluster_by_name(session, cluster_name)
        if cluster is None:
            raise Refusal(f"There is no cluster called '{cluster_name}'.")
        cluster.nudge_plan = stored
        session.add(cluster)
        audit.record(session, now, actor, "cluster.nudge_plan", f"cluster:{cluster.name}", **stored)
