"""Meeting dates, referral deadlines and which meeting is next."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from cluster.clock import LONDON
from cluster.errors import Refusal

DEFAULT_START = time(9, 30)
DEFAULT_END = time(13, 0)
DEFAULT_DEADLINE_DAYS = 7
DEADLINE_TIME = time(23, 59)


def default_deadline(meeting_day: date, days_before: int = DEFAULT_DEADLINE_DAYS) -> datetime:
    """The referral deadline for a meeting: 23:59 London time, ``days_before`` days before it."""
    if days_before < 0:
        raise ValueError("a referral deadline cannot fall after its meeting")
    return datetime.combine(meeting_day - timedelta(days=days_before), DEADLINE_TIME, tzinfo=LONDON)


class Timed:
    """A meeting's day and times, read as aware London times: a cluster's meetings and citywide ones alike."""

    day: date
    start: time
    end: time

    @property
    def starts_at(self) -> datetime:
        """The start as an aware London time."""
        return datetime.combine(self.day, self.start, tzinfo=LONDON)

    @property
    def ends_at(self) -> datetime:
        """The end as an aware London time."""
        return datetime.combine(self.day, self.end, tzinfo=LONDON)


@dataclass(frozen=True)
class MeetingSlot(Timed):
    """A meeting as the rules see it: when it starts and ends, and when referrals close."""

    id: int
    day: date
    start: time
    end: time
    deadline: datetime
    cancelled: bool = False
    title: str = ""
    online_link: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None

    @property
    def ended(self) -> bool:
        """Whether the chair has ended the meeting (it may have been held before its scheduled end)."""
        return self.ended_at is not None

    @property
    def held_on(self) -> date | None:
        """The London date the meeting was really held: the day it ended, else the day it started (None: not yet)."""
        when = self.ended_at or self.started_at
        return when.astimezone(LONDON).date() if when is not None else None


@dataclass(frozen=True)
class NextMeeting:
    """The next meeting of one named cluster."""

    cluster: str
    slot: MeetingSlot


def next_meeting(meetings: Iterable[MeetingSlot], now: datetime) -> MeetingSlot | None:
    """The earliest meeting not yet over and not cancelled, or None.

    A meeting is over at its scheduled end or when the chair ends it, whichever comes first: a meeting ended
    early is never "the next meeting" again.
    """
    upcoming = [m for m in meetings if not m.cancelled and not m.ended and m.ends_at > now]
    return min(upcoming, key=lambda m: m.starts_at, default=None)


def following_meeting(meetings: Iterable[MeetingSlot], after: MeetingSlot) -> MeetingSlot | None:
    """The meeting that takes what is left on ``after``: the earliest later one not cancelled or ended."""
    later = [m for m in meetings if m.day > after.day and not m.cancelled and not m.ended]
    return min(later, key=lambda m: m.day, default=None)


SETUP_DAYS = 1
"""How many days before its day a meeting may be started: the day before, for a chair setting up."""


def check_start_day(meeting: MeetingSlot, now: datetime) -> None:
    """Refuse to start a meeting except on its day (London) or the day before, naming the meeting's date."""
    today = now.astimezone(LONDON).date()
    if meeting.day - timedelta(days=SETUP_DAYS) <= today <= meeting.day:
        return
    when = f"{meeting.day:%A %-d %B %Y}"
    if today > meeting.day:
        raise Refusal(
            f"This meeting was on {when}, so it can no longer be started. To hold it on another day, "
            "your cluster admin moves it to that day first."
        )
    raise Refusal(
        f"This meeting is on {when}. It can be started on that day, or the day before to set up; "
        "to hold it sooner, your cluster admin moves it first."
    )


def days_until(target: datetime, now: datetime) -> int:
    """Whole London calendar days from now's date to the target's date (negative once past)."""
    return (target.astimezone(LONDON).date() - now.astimezone(LONDON).date()).days


def working_days_before(day: date, count: int, holidays: Collection[date] = frozenset()) -> date:
    """The date ``count`` working days (Monday to Friday, not a bank holiday) before ``day``."""
    if count < 0:
        raise ValueError("count cannot be negative")
    current = day
    while count:
        current -= timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            count -= 1
    return current


def agenda_due(
    meeting: MeetingSlot, now: datetime, working_days: int = 5, holidays: Collection[date] = frozenset()
) -> bool:
    """Whether a meeting's agenda should be in its channel by now: from that many working days before it."""
    if meeting.cancelled or meeting.ended or meeting.ends_at <= now:
        return False
    return now.astimezone(LONDON).date() >= working_days_before(meeting.day, working_days, holidays)


def deadline_reminders_due(meeting: MeetingSlot, now: datetime, days_before: tuple[int, ...] = (7, 2)) -> list[int]:
    """Which referral-deadline reminders have come for a meeting: the latest of ``days_before`` reached, if any.

    Only the latest is owed, so a bot that was down sends one reminder, not a burst.
    """
    if meeting.cancelled or now >= meeting.deadline:
        return []
    today = now.astimezone(LONDON).date()
    deadline_day = meeting.deadline.astimezone(LONDON).date()
    reached = [d for d in sorted(days_before, reverse=True) if today >= deadline_day - timedelta(days=d)]
    return reached[-1:]


def meeting_morning(meeting: MeetingSlot, now: datetime, from_hour: int = 7) -> bool:
    """Whether it is the morning of the meeting (from 07:00 London time until it starts)."""
    local = now.astimezone(LONDON)
    return not meeting.cancelled and local.date() == meeting.day and from_hour <= local.hour and now < meeting.starts_at


def agenda_horizon(today: date, working_days: int = 5, holidays: Collection[date] = frozenset()) -> date:
    """The last meeting day whose agenda is due by ``today`` (see :func:`agenda_due`).

    A meeting on this day or earlier (and not yet over) is at most ``working_days`` working days away, so
    a job can look for due agendas among the meetings up to this day instead of among every meeting.
    """
    day = today
    while working_days_before(day + timedelta(days=1), working_days, holidays) <= today:
        day += timedelta(days=1)
    return day
