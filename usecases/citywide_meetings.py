"""Citywide meetings (kept with ``clusterbot citywide``), the citywide channel, and the next citywide meeting."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from cluster.citywide_meetings import CitywideSlot, check_times, next_citywide
from cluster.clock import LONDON
from cluster.errors import Refusal
from cluster.meetings import DEFAULT_END, DEFAULT_START
from cluster.permissions import LINK_CITYWIDE, authorize
from cluster.roles import Role
from store import audit
from store.db import transaction
from store.models import CitywideMeeting, ConversationRef
from usecases.people import Actor, require_registered

# Who sees the next citywide meeting with their own: the chairs attend it, council officers run it.
ATTENDS = frozenset({Role.CHAIR, Role.COUNCIL_OFFICER})


def slot_of(meeting: CitywideMeeting) -> CitywideSlot:
    """The rules' view of a stored citywide meeting."""
    return CitywideSlot(
        meeting.id or 0,
        meeting.day,
        meeting.start,
        meeting.end,
        meeting.title,
        meeting.online_link,
        meeting.cancelled,
    )


def _when(day: date) -> str:
    return f"{day:%A %-d %B %Y}"


def _checked_link(link: str | None) -> str | None:
    link = (link or "").strip()
    if link and not (link.startswith("https://") and len(link) <= 1000):
        raise Refusal("Give the meeting link as it starts: https://teams.microsoft.com/...")
    return link or None


def add_citywide_meeting(
    engine: Engine,
    day: date,
    now: datetime,
    *,
    start: time = DEFAULT_START,
    end: time = DEFAULT_END,
    title: str = "",
    link: str | None = None,
    actor: str = "cli",
) -> CitywideSlot:
    """Add a citywide meeting (one a day); a cancelled one on that day is put back with these details."""
    try:
        check_times(start, end)
    except ValueError as exc:
        raise Refusal(str(exc)) from None
    if day < now.astimezone(LONDON).date():
        raise Refusal(f"{_when(day)} has passed: add citywide meetings still to come.")
    title = title.strip()
    if len(title) > 80:
        raise Refusal("Keep the title to 80 characters.")
    online = _checked_link(link)
    with transaction(engine) as session:
        meeting = session.exec(select(CitywideMeeting).where(CitywideMeeting.day == day)).first()
        if meeting is not None and not meeting.cancelled:
            raise Refusal(f"There is already a citywide meeting on {_when(day)}.")
        if meeting is None:
            meeting = CitywideMeeting(day=day, start=start, end=end)
        meeting.start, meeting.end, meeting.title = start, end, title
        meeting.online_link, meeting.cancelled = online, False
        session.add(meeting)
        session.flush()
        audit.record(session, now, actor, "citywide.add", f"citywide_meeting:{meeting.id}", day=day.isoformat())
        return slot_of(meeting)


def list_citywide_meetings(engine: Engine) -> list[CitywideSlot]:
    """Every citywide meeting, earliest first (cancelled ones included, and marked)."""
    with transaction(engine, read_only=True) as session:
        rows = session.exec(select(CitywideMeeting).order_by(col(CitywideMeeting.day))).all()
        return [slot_of(m) for m in rows]


def cancel_citywide_meeting(engine: Engine, day: date, now: datetime, actor: str = "cli") -> CitywideSlot:
    """Cancel the citywide meeting on ``day``: its pack is no longer posted."""
    with transaction(engine) as session:
        meeting = session.exec(select(CitywideMeeting).where(CitywideMeeting.day == day)).first()
        if meeting is None:
            raise Refusal(f"There is no citywide meeting on {_when(day)}.")
        if meeting.cancelled:
            raise Refusal(f"The citywide meeting on {_when(day)} is already cancelled.")
        meeting.cancelled = True
        session.add(meeting)
        audit.record(session, now, actor, "citywide.cancel", f"citywide_meeting:{meeting.id}", day=day.isoformat())
        return slot_of(meeting)


def citywide_slots(session: Session, from_day: date) -> list[CitywideSlot]:
    """The citywide meetings from ``from_day`` on (by the day index: a handful)."""
    rows = session.exec(
        select(CitywideMeeting).where(col(CitywideMeeting.day) >= from_day).order_by(col(CitywideMeeting.day))
    ).all()
    return [slot_of(m) for m in rows]


def next_citywide_meeting(engine: Engine, actor: Actor, now: datetime) -> CitywideSlot | None:
    """The next citywide meeting, for a chair or a council officer (None for everyone else, or none to come)."""
    if not any(g.role in ATTENDS for g in actor.grants):
        return None
    with transaction(engine, read_only=True) as session:
        return next_citywide(citywide_slots(session, now.astimezone(LONDON).date()), now)


# --- the citywide channel ----------------------------------------------------------------------------------


def link_citywide(engine: Engine, conversation_id: str, actor: Actor, now: datetime) -> None:
    """Make this team channel the citywide channel (council officers); linking another moves it there."""
    require_registered(actor)
    authorize(actor.grants, LINK_CITYWIDE, 0)  # a council officer reaches every row; nobody else holds it
    with transaction(engine) as session:
        ref = session.exec(select(ConversationRef).where(ConversationRef.conversation_id == conversation_id)).first()
        if ref is None or ref.kind != "channel":
            raise Refusal("Link the citywide channel from inside the team channel the Citywide Meetings use.")
        # One citywide channel: whichever was linked before is not any more.
        session.execute(
            update(ConversationRef)
            .where(col(ConversationRef.citywide).is_(True), col(ConversationRef.id) != ref.id)
            .values(citywide=False)
        )
        ref.citywide = True
        session.add(ref)
        audit.record(session, now, actor.tag, "channel.link_citywide", "citywide", conversation_id=conversation_id)


def is_citywide_channel(engine: Engine, conversation_id: str) -> bool:
    """Whether this conversation is the citywide channel."""
    with transaction(engine, read_only=True) as session:
        found = session.exec(
            select(ConversationRef.citywide).where(ConversationRef.conversation_id == conversation_id)
        ).first()
        return bool(found)


def citywide_channel(session: Session) -> str | None:
    """The citywide channel's conversation id, if one is linked and the bot is still installed there."""
    found: str | None = session.exec(
        select(ConversationRef.conversation_id)
        .where(col(ConversationRef.citywide).is_(True), col(ConversationRef.installed).is_(True))
        .order_by(col(ConversationRef.updated_at).desc())
        .limit(1)
    ).first()
    return found
