"""The Playground demo's own data: what lets a newcomer's tour reach a carried vote on any date.

Only ``clusterbot playground`` (and the end-to-end tests that stand in for it) call these, on the demo's own
database; ``clusterbot seed`` and the shipped cluster files never do, so no real cluster gets a demo quorum,
budget or meeting. Each is idempotent: starting the demo again changes nothing that is already in place.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Engine
from sqlmodel import select

from cluster.clock import LONDON
from cluster.errors import Refusal
from cluster.meetings import DEADLINE_TIME, MeetingSlot
from store import audit
from store.db import transaction
from store.models import Cluster, Meeting
from store.repo import cluster_by_name, meeting_slots
from usecases.budget import budget_for, set_budget
from usecases.meetings import _add, set_voting_rules

TODAY_TITLE = "Today's demo meeting"
# All day: the tour may be taken at any hour, and a meeting whose scheduled end has passed is not "next".
TODAY_START = time(0, 0)
TODAY_END = DEADLINE_TIME


def _cluster(engine: Engine, name: str) -> Cluster:
    with transaction(engine, read_only=True) as session:
        cluster = cluster_by_name(session, name)
        if cluster is None or cluster.id is None:
            raise Refusal(f"There is no cluster called '{name}'.")
        return cluster


def ensure_quorum(engine: Engine, cluster_name: str, quorum: int, now: datetime, actor: str) -> bool:
    """Give the demo cluster a quorum its few demo voters can reach; True when it was changed.

    The shipped Central cluster needs half its 29 settings (15); the demo has a handful of voting SENCOs.
    """
    if _cluster(engine, cluster_name).quorum == quorum:
        return False
    set_voting_rules(engine, cluster_name, now, quorum=quorum, same_trust_recusal=None, actor=actor)
    return True


def school_year_of(day: date) -> tuple[date, date]:
    """The school year (1 September to 31 August) a day falls in."""
    first = day.year if day.month >= 9 else day.year - 1
    return date(first, 9, 1), date(first + 1, 8, 31)


def ensure_budget(engine: Engine, cluster_name: str, baseline_pence: int, now: datetime, actor: str) -> str | None:
    """Give the demo cluster a budget for this school year when none covers today; returns its label if added."""
    today = now.astimezone(LONDON).date()
    if budget_for(engine, cluster_name, today) is not None:
        return None
    starts, ends = school_year_of(today)
    label = f"Demo {starts.year}/{(starts.year + 1) % 100:02d}"
    set_budget(engine, actor, cluster_name, label, starts, ends, (baseline_pence, 0, 0, 0), now)
    return label


def ensure_meeting_today(engine: Engine, cluster_name: str, now: datetime, actor: str) -> MeetingSlot:
    """A meeting of the demo cluster today, taking referrals until 23:59, so the whole tour fits in one sitting.

    A SENCO's referral goes on the next meeting whose deadline has not passed, and a chair starts a meeting on
    its day: so the demo meeting is today, all day, with today's 23:59 as its deadline. A meeting already on
    today's date (from an earlier run) is kept; if it has not started, its deadline and end move to 23:59 so
    it takes the tour's referral. One audit line for what changed.
    """
    today = now.astimezone(LONDON).date()
    deadline = datetime.combine(today, DEADLINE_TIME, tzinfo=LONDON)
    with transaction(engine) as session:
        cluster = cluster_by_name(session, cluster_name)
        if cluster is None or cluster.id is None:
            raise Refusal(f"There is no cluster called '{cluster_name}'.")
        meeting = session.exec(select(Meeting).where(Meeting.cluster_id == cluster.id, Meeting.day == today)).first()
        if meeting is None:
            meeting = _add(
                session, cluster, today, now, start=TODAY_START, end=TODAY_END, title=TODAY_TITLE, actor=actor
            )
            meeting.deadline = deadline
            session.add(meeting)
        elif meeting.started_at is None and not meeting.cancelled and meeting.deadline < deadline:
            meeting.deadline, meeting.end = deadline, TODAY_END
            session.add(meeting)
            audit.record(session, now, actor, "meeting.move", f"meeting:{meeting.id}", deadline=deadline.isoformat())
        session.flush()
        return next(s for s in meeting_slots(session, cluster.id) if s.id == meeting.id)
