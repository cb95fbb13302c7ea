"""The Citywide Meeting: council officers run it, each cluster's chair attends; its pack, and when it is due.

Citywide meetings are data like cluster meetings (a day, a time, an online link, cancelled or not). Before
each one the bot posts its pack in the citywide channel: the citywide figures, each cluster's decisions since
the previous citywide meeting, the reviews overdue, the Capital Fund's quality-assurance visits and the
impact. The pack is due the same number of working days before the meeting as a cluster's agenda (five,
England's bank holidays not counted), and it names nothing about a pupil: a referral by its reference,
setting, kind and amount only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Generic, TypeVar

from cluster.clock import LONDON
from cluster.meetings import Timed, working_days_before

PACK_WORKING_DAYS = 5
ROWS_PER_CLUSTER = 15  # each section shows at most this many rows per cluster, then "and N more"

T = TypeVar("T")


@dataclass(frozen=True)
class CitywideSlot(Timed):
    """A citywide meeting as the rules see it."""

    id: int
    day: date
    start: time
    end: time
    title: str = ""
    online_link: str | None = None
    cancelled: bool = False


def check_times(start: time, end: time) -> None:
    """Refuse a meeting that ends before it starts (the sentence is shown as it is)."""
    if end <= start:
        raise ValueError(f"The meeting must end after it starts ({start:%H:%M}), not at {end:%H:%M}.")


def pack_day(meeting_day: date, holidays: Collection[date] = frozenset()) -> date:
    """The day a citywide meeting's pack is posted: five working days before it, bank holidays skipped."""
    return working_days_before(meeting_day, PACK_WORKING_DAYS, holidays)


def pack_due(meeting: CitywideSlot, now: datetime, holidays: Collection[date] = frozenset()) -> bool:
    """Whether the pack should be in the citywide channel by now: from its pack day until the meeting ends."""
    if meeting.cancelled or meeting.ends_at <= now:
        return False
    return now.astimezone(LONDON).date() >= pack_day(meeting.day, holidays)


def next_citywide(meetings: Iterable[CitywideSlot], now: datetime) -> CitywideSlot | None:
    """The earliest citywide meeting not cancelled and not yet over, or None."""
    upcoming = [m for m in meetings if not m.cancelled and m.ends_at > now]
    return min(upcoming, key=lambda m: m.starts_at, default=None)


def school_year_start(day: date) -> date:
    """1 September of the school year ``day`` falls in."""
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def period_start(previous_day: date | None, today: date, holidays: Collection[date] = frozenset()) -> date:
    """Where a pack's period starts: where the previous meeting's pack ended, or the school year's start.

    The previous pack was drawn on its pack day, five working days before its meeting, so this one starts
    there: a decision made between that pack and that meeting is in this pack, not in neither.
    """
    return pack_day(previous_day, holidays) if previous_day is not None else school_year_start(today)


# --- what the pack holds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackDecision:
    """A decision as the pack shows it: never a pupil's initials, name or date of birth."""

    reference: str
    setting: str
    kind: str  # cluster.referrals.Kind value
    outcome: str  # cluster.decisions.Outcome value
    amount_pence: int
    decided_on: date


@dataclass(frozen=True)
class PackReview:
    """A review past its due date and not yet submitted."""

    reference: str
    setting: str
    due: date
    days_overdue: int


@dataclass(frozen=True)
class PackVisit:
    """A quality-assurance visit to a Capital Fund project."""

    reference: str
    setting: str
    visited_on: date
    passed: bool | None


@dataclass(frozen=True)
class Section(Generic[T]):
    """One cluster's rows of one section: the first few, and how many there are in all."""

    rows: tuple[T, ...] = ()
    total: int = 0

    @property
    def more(self) -> int:
        """How many rows were left off."""
        return self.total - len(self.rows)


@dataclass(frozen=True)
class ClusterPack:
    """One cluster's part of the pack."""

    cluster: str
    decisions: Section[PackDecision]
    overdue: Section[PackReview]
    visits: Section[PackVisit]


@dataclass(frozen=True)
class CitywidePack:
    """What the pack for one citywide meeting shows (the figures and the impact come as card elements)."""

    meeting: CitywideSlot
    since: date
    until: date
    clusters: tuple[ClusterPack, ...]
