"""To a referrer in personal chat: what the meeting decided on their referral, or that it goes to the next one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from cards import verbs
from cards.common import Card, button, card, facts, heading, text
from cards.meeting_day.parts import (
    Element,
    decision_pairs,
    decision_summary,
    entry_line,
    long_date,
    long_day,
    slot_line,
)
from cluster.agenda import AgendaEntry, DecisionView, Moved
from cluster.decisions import FUNDED, Outcome
from cluster.ledger import Payment
from cluster.meetings import MeetingSlot
from cluster.provision import format_pence


def outcome_notice_card(
    entry: AgendaEntry,
    decision: DecisionView,
    meeting_day: date,
    deferred_to: MeetingSlot | None,
    payments: Sequence[Payment] = (),
    decision_id: int | None = None,
) -> Card:
    """To the referrer in personal chat: what the meeting decided, with the feedback, amount and review date.

    A funded decision lists its instalments from the ledger (each on a term's first day, from the term
    after the meeting); a deferral says which meeting it goes to. With ``decision_id`` it offers the
    decision's letter (Word), which the bot also sends beside the notice.
    """
    funded = decision.outcome in FUNDED
    body: list[Element] = [
        heading(f"Decision on {entry.reference}"),
        text(entry_line(entry), subtle=True, spacing="None"),
        # The words carry the outcome: no colour (Teams' green falls short of 4.5:1 contrast in some themes).
        text(decision_summary(decision, entry.requested_pence), size="Medium", weight="Bolder"),
        facts([("Meeting", long_day(meeting_day)), *decision_pairs(decision)]),
    ]
    if funded and payments:
        body.append(text("Payments", weight="Bolder"))
        body.append(
            facts(
                [
                    (
                        f"{long_date(p.due_on)} ({p.term})" if p.term else long_date(p.due_on),
                        format_pence(p.amount_pence),
                    )
                    for p in payments
                ]
            )
        )
    if funded and decision.review_date:
        body.append(
            text(
                f"The cluster reviews this allocation by {long_date(decision.review_date)}.",
                subtle=True,
            )
        )
    if decision.outcome is Outcome.DEFERRED:
        if deferred_to is not None:
            where = f"It goes to the next meeting: {slot_line(deferred_to)}."
        else:
            where = "It goes to the next meeting."
        body.append(text(f"{where} Have the information needed ready for it."))
    actions = [
        button("Open the referral", verbs.REFERRAL_OPEN, {"referral_id": entry.referral_id}),
        button("My referrals", verbs.MY_REFERRALS),
    ]
    if decision_id is not None:
        actions.insert(1, button("Decision letter (Word)", verbs.DECISION_LETTER, {"decision_id": decision_id}))
    return card(body, actions)


def moved_notice_card(moved: Moved) -> Card:
    """To the referrer in personal chat: the meeting their referral was on has ended, so it goes to the next one."""
    what = f"The review of {moved.reference}" if moved.review else moved.reference
    return card(
        [
            heading(f"{moved.reference} goes to the next meeting"),
            text(
                f"{what} was waiting on the {moved.cluster} cluster's meeting of {long_day(moved.ended.day)}, "
                f"which has ended without reaching it. It goes to the next meeting: {slot_line(moved.to)}. "
                "You need do nothing."
            ),
        ],
        [
            button("Open the referral", verbs.REFERRAL_OPEN, {"referral_id": moved.referral_id}),
            button("My referrals", verbs.MY_REFERRALS),
        ],
    )
