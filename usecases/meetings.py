"""Meetings: adding, moving and cancelling a cluster's meetings (from the command line or the admin's card).

Each change from the admin's card is one unit of work that returns the card's content as it then stands;
a change refused for what was typed (a day already taken, a link that is not one) stores nothing and comes
back beside the input at fault (:class:`~cluster.errors.InvalidInput`), the card shown again as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Engine
from sqlmodel import Session, select

from cluster.card_ids import MEETING_GONE
from cluster.clock import LONDON
from cluster.commands.meetings import AddMeeting, CancelMeeting, MoveMeeting, SetMeetingLink
from cluster.errors import InvalidInput, Refusal
from cluster.meetings import DEFAULT_END, DEFAULT_START, MeetingSlot, default_deadline
from cluster.permissions import MANAGE_MEETINGS, Forbidden, authorize
from store import audit
from store.db import transaction
from store.models import AgendaItem, Cluster, Meeting, Referral
from store.repo import cluster_by_name, meeting_slots
from usecases.meeting_day.carry_over import carry_over
from usecases.people import Actor


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
    """Add a meeting with the cluster's default referral deadline; one meeting per cluster per day.

    What was left on an ended meeting for want of a next one moves to it, and its referrers are told.
    """
    with transaction(engine) as session:
        cluster = cluster_by_name(session, cluster_name)
        if cluster is None or cluster.id is None:
            raise Refusal(f"There is no cluster called '{cluster_name}'.")
        meeting = _add(session, cluster, day, now, start=start, end=end, title=title, actor=actor)
        carry_over(session, cluster.id, cluster.name, now, actor)
        return next(s for s in meeting_slots(session, cluster.id) if s.id == meeting.id)


def _add(
    session: Session, cluster: Cluster, day: date, now: datetime, *, start: time, end: time, title: str, actor: str
) -> Meeting:
    """Add the meeting and its audit line in the caller's unit."""
    if end <= start:
        raise Refusal("A meeting must end after it starts.")
    if session.exec(select(Meeting).where(Meeting.cluster_id == cluster.id, Meeting.day == day)).first():
        raise Refusal(f"The {cluster.name} cluster already has a meeting on {day:%-d %B %Y}.")
    meeting = Meeting(
        cluster_id=cluster.id or 0,
        title=title,
        day=day,
        start=start,
        end=end,
        deadline=default_deadline(day, cluster.deadline_days),
    )
    session.add(meeting)
    session.flush()
    audit.record(session, now, actor, "meeting.add", f"meeting:{meeting.id}", day=day.isoformat())
    return meeting


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


@dataclass(frozen=True)
class MeetingsCard:
    """The admin's meetings card: the cluster and its meetings not yet over, in date order."""

    cluster: str
    slots: list[MeetingSlot]


@dataclass(frozen=True)
class Changed:
    """What a change from the meetings card comes to: the card as it then stands, and what changed.

    That is the meeting added, moved, or that a cancelled one's referrals ``moved`` to.
    """

    card: MeetingsCard
    slot: MeetingSlot | None = None
    moved: int = 0


def _admin_cluster(session: Session, actor: Actor, cluster_name: str | None = None) -> Cluster:
    """The cluster the actor administers (the named one, or their first by name)."""
    admins = MANAGE_MEETINGS.roles or frozenset()
    names = sorted({g.cluster for g in actor.grants if g.role in admins and g.cluster})
    if cluster_name:
        names = [n for n in names if n.lower() == cluster_name.lower()]
    if not names:
        raise Forbidden(MANAGE_MEETINGS.refusal)
    cluster = cluster_by_name(session, names[0])
    assert cluster is not None
    return cluster


def _card(session: Session, cluster: Cluster, now: datetime) -> MeetingsCard:
    slots = [s for s in meeting_slots(session, cluster.id or 0) if s.ends_at > now]
    return MeetingsCard(cluster.name, sorted(slots, key=lambda s: s.day))


@contextmanager
def _beside(field: str) -> Iterator[None]:
    """A refusal for what was typed comes back beside ``field``; the unit stores nothing of the change.

    A refusal for who is asking (:class:`Forbidden`) is raised as it is: it is not a mistake in a field.
    """
    try:
        yield
    except Forbidden:
        raise
    except Refusal as refusal:
        raise InvalidInput({field: refusal.message}, {}) from None


DEFAULT_TIMES = "Give the start and end times, such as 09:30 and 13:00."


def _times(command: AddMeeting) -> tuple[time, time]:
    """The new meeting's times as typed (09:30 to 13:00 when left empty)."""
    try:
        return time.fromisoformat(command.new_start or "09:30"), time.fromisoformat(command.new_end or "13:00")
    except ValueError:
        raise InvalidInput({"new_start": DEFAULT_TIMES}, {}) from None


def admin_meetings(engine: Engine, actor: Actor, now: datetime, cluster_name: str | None = None) -> MeetingsCard:
    """The cluster's meetings not yet over, for its admin's card."""
    with transaction(engine, read_only=True) as session:
        return _card(session, _admin_cluster(session, actor, cluster_name), now)


def _admin_meeting(session: Session, actor: Actor, meeting_id: int) -> tuple[Meeting, Cluster]:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise Refusal(MEETING_GONE)
    authorize(actor.grants, MANAGE_MEETINGS, meeting.cluster_id)
    cluster = session.get(Cluster, meeting.cluster_id)
    assert cluster is not None
    if meeting.started_at is not None:
        raise Refusal("This meeting has started, so it can no longer be moved or cancelled.")
    return meeting, cluster


def _checked_link(link: str) -> str | None:
    link = link.strip()
    if link and not (link.startswith("https://") and len(link) <= 1000):
        raise Refusal("Give the meeting link as it starts: https://teams.microsoft.com/...")
    return link or None


def add_meeting_as(engine: Engine, actor: Actor, command: AddMeeting, now: datetime) -> Changed:
    """An admin adds a meeting (and its online link) to their cluster from the card, in one unit of work.

    What was left on an ended meeting for want of a next one moves to it, and its referrers are told.
    """
    start, end = _times(command)
    day = command.new_day
    with transaction(engine) as session:
        cluster = _admin_cluster(session, actor)
        with _beside("new_day"):
            if day <= now.astimezone(LONDON).date():
                raise Refusal("A new meeting must be on a day still to come.")
        with _beside("new_link"):
            online = _checked_link(command.new_link)
        with _beside("new_day"):
            meeting = _add(session, cluster, day, now, start=start, end=end, title=command.new_title, actor=actor.tag)
        if online:
            meeting.online_link = online
            session.add(meeting)
            audit.record(session, now, actor.tag, "meeting.link", f"meeting:{meeting.id}")
        carry_over(session, cluster.id or 0, cluster.name, now, actor.tag)
        session.flush()
        slot = next(s for s in meeting_slots(session, cluster.id or 0) if s.id == meeting.id)
        return Changed(_card(session, cluster, now), slot)


def move_meeting(engine: Engine, actor: Actor, command: MoveMeeting, now: datetime) -> Changed:
    """Move a meeting to another day; its referrals stay on it and its referral deadline moves with it.

    A day that will not do comes back beside the meeting's date input (``day_{meeting_id}``).
    """
    meeting_id, day = command.meeting_id, command.day
    with transaction(engine) as session, _beside(f"day_{meeting_id}"):
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
        slot = next(s for s in meeting_slots(session, cluster.id or 0) if s.id == meeting.id)
        return Changed(_card(session, _admin_cluster(session, actor), now), slot)


def cancel_meeting(engine: Engine, actor: Actor, command: CancelMeeting, now: datetime) -> Changed:
    """Cancel a meeting; its referrals move to the next meeting, which is returned with how many moved."""
    with transaction(engine) as session:
        meeting, cluster = _admin_meeting(session, actor, command.meeting_id)
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
        session.flush()
        return Changed(_card(session, _admin_cluster(session, actor), now), target, moved)


def set_link(engine: Engine, actor: Actor, command: SetMeetingLink, now: datetime) -> Changed:
    """Set the meeting's online (Teams meeting) link; one that is not a link comes back beside its input."""
    with transaction(engine) as session:
        with _beside(f"link_{command.meeting_id}"):
            meeting, _ = _admin_meeting(session, actor, command.meeting_id)
            meeting.online_link = _checked_link(command.link)
        session.add(meeting)
        audit.record(session, now, actor.tag, "meeting.link", f"meeting:{meeting.id}")
        return Changed(_card(session, _admin_cluster(session, actor), now))


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
