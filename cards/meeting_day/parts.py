"""Small pieces the meeting day's cards share: buttons, dates, an entry's line, counts, and a decision in words.

Every card of ``cards.meeting_day`` is posted in the cluster's team channel or sent to a referrer, so these
show a pupil only by the entry's ``pupil_label`` (see the package's docstring).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from cluster.agenda import AgendaEntry, DecisionView, VoteView
from cluster.budget import Position
from cluster.decisions import FUNDED, OUTCOME_TITLES, SCHEDULE_TITLES, Outcome
from cluster.meetings import MeetingSlot
from cluster.provision import format_pence
from cluster.referrals import KIND_TITLES, Kind
from cluster.voting import RESULT_TITLES, Choice, Result, Tally, quorum_line

Element = dict[str, Any]


CHOICE_TITLES: dict[Choice, str] = {Choice.APPROVE: "Approve", Choice.DECLINE: "Decline", Choice.ABSTAIN: "Abstain"}


MY_VIEW = "Refresh my view"  # a shared card's button answering the clicker with their own view of it


def action_set(actions: list[Element]) -> Element:
    """An ActionSet of these buttons."""
    return {"type": "ActionSet", "actions": actions}


def long_day(day: date) -> str:
    """'Thursday 11 December 2025'."""
    return day.strftime("%A %-d %B %Y")


def long_date(day: date) -> str:
    """'11 December 2026'."""
    return f"{day.day} {day:%B %Y}"


def slot_line(slot: MeetingSlot) -> str:
    """'Thursday 11 December 2025, 09:30–13:00'."""
    return f"{long_day(slot.day)}, {slot.start:%H:%M}–{slot.end:%H:%M}"


def amount_line(entry: AgendaEntry) -> str:
    """What the entry asks for; a discussion asks for no money."""
    if entry.kind is Kind.DISCUSSION:
        return "No money asked"
    return format_pence(entry.requested_pence)


def who(entry: AgendaEntry) -> list[str]:
    """The pupil (initials and year group only) and the project's title, where there are any."""
    return [part for part in (entry.pupil_label, entry.title) if part]


def entry_line(entry: AgendaEntry) -> str:
    """'Etruscan Primary School · Individual Pupil Need · £1,200.00 · JS Year 4'."""
    return " · ".join([entry.setting, KIND_TITLES[entry.kind], amount_line(entry), *who(entry)])


def counts(tally: Tally) -> str:
    """'Approve 3 · Decline 1 · Abstain 0'."""
    return f"Approve {tally.approve} · Decline {tally.decline} · Abstain {tally.abstain}"


def quorum(tally: Tally, open_: bool) -> str:
    """'4 voted, 3 needed'; '2 voted, 3 needed — not met' once a vote closed short of its quorum."""
    return quorum_line(tally) + ("" if tally.quorate or open_ else " — not met")


def names_line(names: Sequence[str], none: str = "None") -> str:
    """Names joined with commas, or ``none`` when there are none."""
    return ", ".join(names) if names else none


def decision_summary(decision: DecisionView, requested_pence: int) -> str:
    """A decision in a few words: 'Approved £1,200.00', 'Approved £900.00 with conditions', 'Deferred'."""
    if decision.outcome in FUNDED:
        summary = f"Approved {format_pence(decision.amount_pence)}"
        if decision.amount_pence < requested_pence:
            summary += f" of {format_pence(requested_pence)}"
        if decision.conditions:
            summary += " with conditions"
        if decision.reserve_drawn:
            summary += " (drawing on the emergency reserve)"
        return summary
    return {
        Outcome.DEFERRED: "Deferred",
        Outcome.DECLINED: "Declined",
        Outcome.ADVICE_ONLY: "Advice only",
    }.get(decision.outcome, OUTCOME_TITLES[decision.outcome])


def decision_pairs(decision: DecisionView) -> list[tuple[str, str]]:
    """The decision as label and value pairs: outcome, money, review date, payment, and what was said."""
    pairs = [("Outcome", OUTCOME_TITLES[decision.outcome])]
    if decision.outcome in FUNDED:
        pairs.append(("Amount approved", format_pence(decision.amount_pence)))
        if decision.reserve_drawn:
            pairs.append(("Emergency reserve", "Drawn on"))
        if decision.review_date:
            pairs.append(("Review date", long_date(decision.review_date)))
        if decision.schedule:
            pairs.append(("Payment", SCHEDULE_TITLES[decision.schedule]))
    for label, value in (
        ("Conditions", decision.conditions),
        ("Feedback", decision.feedback),
        ("Information needed", decision.information_needed),
    ):
        if value:
            pairs.append((label, value))
    return pairs


def position_pairs(position: Position | None, requested_pence: int | None = None) -> list[tuple[str, str]]:
    """The budget position: available now (without the reserve), the reserve left, and what is asked."""
    if position is None:
        pairs = [("Budget", "No budget set")]
    else:
        pairs = [("Available now", format_pence(position.available))]
        if position.reserve_used:
            pairs.append(("Emergency reserve used", format_pence(position.reserve_used)))
        if position.reserve:
            pairs.append(("Emergency reserve", format_pence(position.reserve_left)))
    if requested_pence is not None:
        pairs.append(("Total requested", format_pence(requested_pence)))
    return pairs


def result_line(view: VoteView) -> str:
    """'Vote result: Approved', with the chair's casting vote when it settled a tie."""
    if view.result is None:
        return "Vote result: not known"
    # "Vote result", not "Result": until the chair records it, the vote is not the decision.
    line = f"Vote result: {RESULT_TITLES[view.result]}"
    tied = view.tally.approve == view.tally.decline
    if tied and view.casting in (Choice.APPROVE, Choice.DECLINE) and view.result in (Result.APPROVED, Result.DECLINED):
        line += f", on the chair's casting vote ({CHOICE_TITLES[view.casting]})"
    return line
