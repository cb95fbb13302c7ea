"""Reviews: every funded decision is reviewed by its review date; when to nudge, and whom.

A review is *upcoming* until 30 days before it is due, *due* from then until its due date, and *overdue*
after it; then *submitted*, then *decided*. Nudges go to the setting's SENCO and delegates 30, 14 and 7 days
before the due date and on it, then weekly while overdue; once overdue by more than 14 days the chair and
admins are told too. Every interval can be set per cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from cluster.impact import RatedOutcome, rated_outcomes
from cluster.review_plan import Delivered, Paid, PlannedRow, delivered


class ReviewState(StrEnum):
    """Where a review stands."""

    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    SUBMITTED = "submitted"
    DECIDED = "decided"


REVIEW_STATE_TITLES: dict[ReviewState, str] = {
    ReviewState.UPCOMING: "Upcoming",
    ReviewState.DUE: "Due",
    ReviewState.OVERDUE: "Overdue",
    ReviewState.SUBMITTED: "Submitted",
    ReviewState.DECIDED: "Decided",
}


@dataclass(frozen=True)
class NudgePlan:
    """A cluster's nudge intervals, in days."""

    before: tuple[int, ...] = (30, 14, 7, 0)
    overdue_every: int = 7
    escalate_after: int = 14
    snooze: int = 7

    @property
    def due_window(self) -> int:
        """How many days before its due date a review counts as due."""
        return max(self.before, default=0)


DEFAULT_PLAN = NudgePlan()


def plan_from(stored: dict[str, object]) -> NudgePlan:
    """A cluster's nudge plan from its stored settings (missing ones take the defaults); refuses nonsense."""
    before = stored.get("before", list(DEFAULT_PLAN.before))
    every = stored.get("overdue_every", DEFAULT_PLAN.overdue_every)
    escalate = stored.get("escalate_after", DEFAULT_PLAN.escalate_after)
    if not isinstance(before, list) or not all(isinstance(d, int) and 0 <= d <= 365 for d in before):
        raise ValueError("days before must be whole numbers from 0 to 365")
    if not isinstance(every, int) or not 0 <= every <= 90 or not isinstance(escalate, int) or not 0 <= escalate <= 365:
        raise ValueError("overdue and escalation intervals must be whole numbers of days")
    return NudgePlan(before=tuple(sorted(set(before), reverse=True)), overdue_every=every, escalate_after=escalate)


@dataclass(frozen=True)
class ReviewView:
    """A review as lists and forms show it: a pupil by initials and year group at most."""

    id: int
    reference: str
    setting: str
    kind_title: str
    pupil_label: str
    amount_pence: int
    due: date
    state: ReviewState
    outcomes_set: str
    answers: dict[str, Any]
    outcomes: tuple[str, ...] = ()  # the outcomes the referral set one by one, each rated (cluster.impact)
    kind: str = ""
    # The referral's provision map and the decision's ledger: read for the review form only (not for lists).
    planned: tuple[PlannedRow, ...] = ()
    paid: Paid | None = None

    @property
    def delivered(self) -> tuple[Delivered, ...]:
        """Each planned row with the weeks the review's answers say were delivered."""
        return delivered(self.planned, self.answers)

    @property
    def rated(self) -> tuple[RatedOutcome, ...]:
        """Each outcome set, with the rating the review's answers give it (None until it is rated)."""
        return rated_outcomes(self.outcomes, self.answers)


def state_on(due: date, today: date, stored: str, plan: NudgePlan = DEFAULT_PLAN) -> ReviewState:
    """The review's state today, from its due date and whether it was submitted or decided."""
    if stored in (ReviewState.SUBMITTED, ReviewState.DECIDED):
        return ReviewState(stored)
    if today > due:
        return ReviewState.OVERDUE
    if today >= due - timedelta(days=plan.due_window):
        return ReviewState.DUE
    return ReviewState.UPCOMING


@dataclass(frozen=True)
class Nudge:
    """A nudge that has fallen due: its stable name (part of the once-only key), and whether it escalates."""

    point: str
    on: date
    escalate: bool = False


def _points(due: date, today: date, plan: NudgePlan) -> list[Nudge]:
    points = [Nudge(f"before-{d}" if d else "due", due - timedelta(days=d)) for d in sorted(plan.before, reverse=True)]
    if plan.overdue_every > 0 and today > due:
        weeks = (today - due).days // plan.overdue_every
        points += [Nudge(f"overdue-{n}", due + timedelta(days=n * plan.overdue_every)) for n in range(1, weeks + 1)]
    return [p for p in points if p.on <= today]


def owed_nudges(
    due: date, today: date, stored: str, snoozed_until: date | None = None, plan: NudgePlan = DEFAULT_PLAN
) -> list[Nudge]:
    """The nudges owed today: the latest point that has come (a missed one is not sent late in a burst).

    Nothing is owed once the review is submitted, or while it is snoozed. Once overdue by more than
    ``escalate_after`` days, the latest point also goes to the chair and admins (``escalate``).
    """
    if stored in (ReviewState.SUBMITTED, ReviewState.DECIDED):
        return []
    points = _points(due, today, plan)
    if not points:
        return []
    latest = points[-1]
    owed: list[Nudge] = []
    snoozed = snoozed_until is not None and today < snoozed_until
    if not snoozed:
        owed.append(latest)
    # A snooze pauses the SENCO's reminders, never the escalation to the chair and admins.
    if (today - due).days > plan.escalate_after:
        owed.append(Nudge(f"{latest.point}-escalated", latest.on, escalate=True))
    return owed
