"""Recording a meeting's decision on a referral: the outcome, the money, the review date and the payments.

Outcomes: approved in full; approved for a smaller amount and/or with conditions; deferred, saying what
information the next meeting needs; declined, with feedback for the school; or advice only.

The outcome follows the vote. Money is approved (in full, for less or with conditions) only when the closed
vote carried with quorum met, the chair's casting vote deciding a tie; a referral is declined only when the
vote was lost, and a lost vote can only be declined or deferred. An item that was not quorate can only be
deferred. Deferral and advice only need no carried vote. A solution-focused discussion asks for no money and
is not voted on: the chair records the advice (or defers it) directly.

A funded decision sets its review date - by default twelve months after the meeting, never later, and the
chair may set it earlier - and how it is paid: in one sum or in termly instalments. Money is whole pence.

When it is paid is the revenue ledger's business (:mod:`cluster.terms`, :mod:`cluster.ledger`): on the
council's school term dates, from the first day of the term after the meeting, never on the meeting day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cluster.errors import Refusal
from cluster.provision import format_pence
from cluster.voting import Result, Tally, quorum_line


class Outcome(StrEnum):
    """What the meeting decided."""

    APPROVED = "approved"
    APPROVED_REDUCED = "approved_reduced"
    DEFERRED = "deferred"
    DECLINED = "declined"
    ADVICE_ONLY = "advice"


OUTCOME_TITLES: dict[Outcome, str] = {
    Outcome.APPROVED: "Approved",
    Outcome.APPROVED_REDUCED: "Approved for a smaller amount or with conditions",
    Outcome.DEFERRED: "Deferred for more information",
    Outcome.DECLINED: "Declined",
    Outcome.ADVICE_ONLY: "Advice only",
}

FUNDED = frozenset({Outcome.APPROVED, Outcome.APPROVED_REDUCED})


class Schedule(StrEnum):
    """How approved money is paid."""

    ONE_SUM = "one_sum"
    TERMLY = "termly"


SCHEDULE_TITLES: dict[Schedule, str] = {
    Schedule.ONE_SUM: "One sum",
    Schedule.TERMLY: "Termly instalments",
}

# What each vote allows, in the order the chair's form offers them.
_CARRIED = (Outcome.APPROVED, Outcome.APPROVED_REDUCED, Outcome.DEFERRED, Outcome.ADVICE_ONLY)
_LOST = (Outcome.DECLINED, Outcome.DEFERRED)
_ONLY_DEFERRED = (Outcome.DEFERRED,)
_NOT_CARRIED = (Outcome.DEFERRED, Outcome.ADVICE_ONLY)
_DISCUSSION = (Outcome.ADVICE_ONLY, Outcome.DEFERRED)

_CAN_BE: dict[tuple[Outcome, ...], str] = {
    _CARRIED: "be approved (in full, for less or with conditions), deferred or recorded as advice only",
    _LOST: "be declined or deferred",
    _ONLY_DEFERRED: "only be deferred",
    _NOT_CARRIED: "be deferred or recorded as advice only",
    _DISCUSSION: "be recorded as advice only or deferred",
}


def outcomes_allowed(discussion: bool, result: Result | None) -> tuple[Outcome, ...]:
    """The outcomes the chair may record for an item, given its kind and its closed vote's result.

    ``discussion`` is a solution-focused discussion (no money asked, not voted on): advice only or
    deferred, whatever happened. Otherwise ``result`` is the closed vote's result (None: not voted on).
    Carried: any but declined. Lost: declined or deferred. Not quorate: deferred only. Tied without a
    casting vote, every setting abstaining, or not voted on: deferred or advice only.
    """
    if discussion:
        return _DISCUSSION
    if result is Result.APPROVED:
        return _CARRIED
    if result is Result.DECLINED:
        return _LOST
    if result is Result.NOT_QUORATE:
        return _ONLY_DEFERRED
    return _NOT_CARRIED


def _why(discussion: bool, result: Result | None, tally: Tally | None) -> tuple[str, str]:
    """Why the item allows what it does (the refusal's first half), and what to call the item after it."""
    if discussion:
        return "A solution-focused discussion asks for no money and is not voted on", "it"
    if result is Result.APPROVED:
        return "The vote was carried", "the item"
    if result is Result.DECLINED:
        return "The vote was lost", "the item"
    if result is Result.NOT_QUORATE:
        counted = f" ({quorum_line(tally)})" if tally is not None else ""
        return f"The meeting was not quorate for this item{counted}", "it"
    if result is Result.TIE:
        return "The vote was tied and the chair gave no casting vote", "the item"
    if result is Result.NO_VOTES:
        return "Every setting abstained", "the item"
    return "This item has not been voted on", "it"


def check_outcome_follows_vote(
    outcome: Outcome, discussion: bool, result: Result | None, tally: Tally | None = None
) -> Outcome:
    """The outcome, if the vote allows it (see :func:`outcomes_allowed`); refuses otherwise, saying why.

    For example: "The vote was lost, so the item can be declined or deferred."
    """
    allowed = outcomes_allowed(discussion, result)
    if outcome not in allowed:
        why, item = _why(discussion, result, tally)
        raise Refusal(f"{why}, so {item} can {_CAN_BE[allowed]}.")
    return outcome


def _long_date(day: date) -> str:
    """'11 December 2026'."""
    return f"{day.day} {day:%B %Y}"


def default_review_date(meeting_day: date) -> date:
    """Twelve months after the meeting, on the same day of the month; 29 February becomes 28 February."""
    try:
        return meeting_day.replace(year=meeting_day.year + 1)
    except ValueError:  # 29 February, and next year is not a leap year
        return meeting_day.replace(year=meeting_day.year + 1, day=28)


def check_review_date(meeting_day: date, chosen: date) -> date:
    """The chair's review date, if it falls after the meeting and within twelve months of it."""
    latest = default_review_date(meeting_day)
    if chosen > latest:
        raise Refusal(f"The review must be within a year of the meeting: on or before {_long_date(latest)}.")
    if chosen <= meeting_day:
        raise Refusal("The review date must be after the meeting.")
    return chosen


@dataclass(frozen=True)
class CheckedDecision:
    """A checked decision, ready to record. Unfunded outcomes have no money, review date or schedule."""

    outcome: Outcome
    amount_pence: int
    conditions: str = ""
    feedback: str = ""
    information_needed: str = ""
    review_date: date | None = None
    schedule: Schedule | None = None

    @property
    def funded(self) -> bool:
        """Whether the decision commits money."""
        return self.outcome in FUNDED


def check_decision(
    outcome: Outcome,
    requested_pence: int,
    amount_pence: int | None,
    review_date: date | None,
    schedule: Schedule | None,
    meeting_day: date,
    conditions: str = "",
    feedback: str = "",
    information_needed: str = "",
    *,
    discussion: bool = False,
) -> CheckedDecision:
    """Check what the chair records for an item and give the decision, or refuse with what to put right.

    - Approved: the amount requested (None means that amount), without conditions - an approval with
      conditions is the other approved outcome.
    - Approved for a smaller amount or with conditions: at least £0.01 and no more than requested, and
      either less than requested or with conditions (None means the amount requested).
    - Deferred: says what information the next meeting needs.
    - Declined: gives the school feedback.
    - Advice only: nothing more, except on a solution-focused discussion (``discussion``), where the
      advice itself is what is recorded (in ``feedback``).

    Funded outcomes get a review date (the default when None, checked otherwise) and a schedule (termly
    when None). Unfunded outcomes have an amount of 0 and no review date or schedule, whatever was given.
    Feedback is kept for every outcome; conditions only for a funded one, and the information needed only
    when deferring. Text is trimmed of surrounding spaces.
    """
    if requested_pence < 0:
        raise ValueError("the amount requested cannot be negative")
    conditions, feedback, information_needed = conditions.strip(), feedback.strip(), information_needed.strip()

    if outcome not in FUNDED:
        if outcome == Outcome.DECLINED and not feedback:
            raise Refusal("Give the school feedback when declining.")
        if outcome == Outcome.ADVICE_ONLY and discussion and not feedback:
            raise Refusal("Write down the advice the meeting gave the school.")
        if outcome == Outcome.DEFERRED and not information_needed:
            raise Refusal("Say what information is needed for the next meeting.")
        return CheckedDecision(
            outcome=outcome,
            amount_pence=0,
            feedback=feedback,
            information_needed=information_needed if outcome == Outcome.DEFERRED else "",
        )

    if requested_pence == 0:
        raise Refusal("This referral asks for no money, so there is nothing to approve: record advice only.")
    amount = requested_pence if amount_pence is None else amount_pence
    requested = format_pence(requested_pence)
    if outcome == Outcome.APPROVED:
        if amount != requested_pence:
            raise Refusal(
                f"An approval in full is for the {requested} requested. "
                "To approve less, choose approved for a smaller amount."
            )
        if conditions:
            raise Refusal("To approve with conditions, choose approved for a smaller amount or with conditions.")
    else:
        if amount < 1:
            raise Refusal("Approve at least £0.01. To give nothing, decline or record advice only.")
        if amount > requested_pence:
            raise Refusal(f"The amount approved cannot be more than the {requested} requested.")
        if amount == requested_pence and not conditions:
            raise Refusal("Say what is reduced or give the conditions.")

    return CheckedDecision(
        outcome=outcome,
        amount_pence=amount,
        conditions=conditions,
        feedback=feedback,
        review_date=default_review_date(meeting_day)
        if review_date is None
        else check_review_date(meeting_day, review_date),
        schedule=Schedule.TERMLY if schedule is None else schedule,
    )
