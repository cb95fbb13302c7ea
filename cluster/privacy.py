"""Who a referral is about: the rules that find one pupil's records (subject access, erasure, retention).

A pupil is known to the bot only by the setting that referred them and the school's own pupil reference
(``pupil_ref``, from the school's MIS); names and dates of birth are never asked for.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cluster.clock import LONDON
from cluster.errors import Refusal
from cluster.impact import RATING_FIELD
from cluster.referrals import Kind, State
from cluster.review_plan import DELIVERED_FIELD


def pupil_key(pupil_ref: str) -> str:
    """A pupil reference as compared: case and surrounding spaces do not matter (``ab-12`` is ``AB-12``)."""
    return pupil_ref.strip().upper()


def is_about(details: Mapping[str, Any], pupil_ref: str) -> bool:
    """True when a referral's answers name this pupil reference (within one setting: references are the school's)."""
    held = details.get("pupil_ref")
    return isinstance(held, str) and bool(held.strip()) and pupil_key(held) == pupil_key(pupil_ref)


# --- What is the pupil's, and what the council keeps -------------------------------------------------------
#
# A referral about one pupil (individual, EHCP, a discussion about a pupil) holds special category data: the
# pupil's initials, year group and reference, the description of their needs, their plan and its Section F,
# and the outcomes sought for them. Removing those leaves an anonymous record of what the council decided
# and paid, which it must keep for its accounts: the reference, kind, setting, state, dates, amounts, the
# decision, the provision rows' costs, the instalments, and each review's ratings (so the city's impact
# figures are the same before and after).
#
# Projects and Capital Fund applications are about a setting, not a pupil: their forms ask for no pupil and
# their answers are the council's record of what it funded (the capital evaluation reads them), so neither the
# retention job nor an erasure request changes them. A school that wrote a pupil into one asks its admin to
# return or correct it; the README says so.

# The answers of each kind that are kept when the pupil's details are removed: money, dates and facts of
# the process, nothing that describes the pupil.
KEPT_ANSWERS: dict[Kind, frozenset[str]] = {
    Kind.INDIVIDUAL: frozenset({"duration_terms", "parental_consent"}),
    Kind.EHCP: frozenset({"amount", "period_start", "period_end"}),
    Kind.DISCUSSION: frozenset(),
}
# The kinds whose answers are about one pupil (a discussion's question and background describe its case).
ABOUT_A_PUPIL = frozenset(KEPT_ANSWERS)
# A review's answers that are kept: the money, the recommendation, the dates and the ratings (the free text
# describes the pupil's progress, attendance and wellbeing).
KEPT_REVIEW_ANSWERS = frozenset({"actual_spend", "recommendation", "adjusted_amount", "next_review"})
# What a provision row's description becomes: the row's numbers (and so its cost) stay.
REMOVED_PROVISION = "Details removed"


def holds_pupil_details(kind: Kind) -> bool:
    """True when a referral of this kind is about one pupil (individual, EHCP, a discussion)."""
    return kind in ABOUT_A_PUPIL


def kept_answers(kind: Kind, details: Mapping[str, Any]) -> dict[str, Any]:
    """A referral's answers once the pupil's details are removed: only money, dates and process facts.

    A kind that is about no pupil (a project, a capital application) keeps every answer.
    """
    if kind not in KEPT_ANSWERS:
        return dict(details)
    return {name: value for name, value in details.items() if name in KEPT_ANSWERS[kind]}


def kept_review_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """A review's answers once the pupil's details are removed: money, recommendation, dates, ratings, weeks."""
    return {
        name: value
        for name, value in answers.items()
        if name in KEPT_REVIEW_ANSWERS or name.startswith((RATING_FIELD.format(""), DELIVERED_FIELD.format("")))
    }


# --- How long: the retention period and when its clock starts ----------------------------------------------
#
# The records are the council's funding decisions and payments: council finance and grant records are kept for
# the current year plus six years (Limitation Act 1980, Accounts and Audit Regulations 2015; e.g. Staffordshire's
# and Lincolnshire's retention schedules), and the ICO's storage limitation principle asks for a standard period
# after which personal data is erased or anonymised. The pupil's own SEN file, kept much longer (the IRMS
# Information Management Toolkit for Schools: date of birth + 31 years), is the school's, in its MIS, not this
# bot's. So by default a referral's pupil details go six years after its last activity, and a draft or returned
# referral nobody finished goes after one year.

DEFAULT_MONTHS = 72
ABANDONED_MONTHS = 12  # a draft or returned referral left untouched: never decided, nothing to account for
MIN_MONTHS = 1
MAX_MONTHS = 600  # 50 years: a typo guard


def check_months(months: int) -> int:
    """A cluster's retention period in months, refused outside 1 to 600."""
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise Refusal(f"The retention period must be {MIN_MONTHS} to {MAX_MONTHS} months, not {months}.")
    return months


def period_months(cluster_months: int | None) -> int:
    """The months a cluster keeps pupil details after a referral's last activity (None: the default, 6 years)."""
    return DEFAULT_MONTHS if cluster_months is None else cluster_months


@dataclass(frozen=True)
class Activity:
    """What the retention rules need to know about one referral, read from its rows.

    ``last_at`` is its latest activity (its last change, decision, review, payment or release); the counts say
    what is still going on.
    """

    kind: Kind
    state: State
    last_at: datetime
    outcome: str | None = None  # the latest decision's
    open_reviews: int = 0  # reviews not yet submitted, or submitted and waiting for the meeting
    unpaid_instalments: int = 0
    capital_open: bool = False  # approved by the Board and not yet completed and released


def funding_active(activity: Activity) -> str | None:
    """Why the referral's funding is still going on (its details are needed), or None when it is over."""
    if activity.state in (State.SUBMITTED, State.ACCEPTED):
        return "it is waiting for the meeting's decision"
    if activity.open_reviews:
        return "its funding is approved and its review is not yet done"
    if activity.unpaid_instalments:
        plural = "s are" if activity.unpaid_instalments > 1 else " is"
        return f"{activity.unpaid_instalments} instalment{plural} not yet paid"
    if activity.capital_open:
        return "its capital project is not yet completed and released"
    return None


def retention_from(activity: Activity, cluster_months: int | None) -> tuple[datetime, int] | None:
    """When the referral's retention clock started and how many months it runs; None while it is active.

    The clock starts at the last activity: once decided with its reviews done and its money paid, once
    withdrawn or declined, or when a draft or returned referral was last touched (which runs the shorter,
    abandoned period unless the cluster's own period is shorter still).
    """
    if funding_active(activity) is not None:
        return None
    months = period_months(cluster_months)
    if activity.state in (State.DRAFT, State.RETURNED):
        months = min(months, ABANDONED_MONTHS)
    return activity.last_at, months


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus whole calendar months (the 31st becomes the month's last day)."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def removal_due(activity: Activity, cluster_months: int | None, now: datetime) -> bool:
    """True when the referral is about a pupil and its retention period has passed."""
    if not holds_pupil_details(activity.kind):
        return False
    started = retention_from(activity, cluster_months)
    return started is not None and add_months(started[0], started[1]) <= now


def earliest_last_activity(cluster_months: int | None, now: datetime) -> datetime:
    """The newest last activity that can be due now: anything touched after it is inside every period."""
    return add_months(now, -min(period_months(cluster_months), ABANDONED_MONTHS))


def removed_line(erased_at: datetime) -> str:
    """What a card or document shows where a referral's pupil details were."""
    return f"Pupil details removed on {erased_at.astimezone(LONDON):%-d %B %Y}"
