"""The decision rules on their own: outcomes, what each needs, review dates and payment schedules.

When a schedule's instalments fall is the ledger's rule, tested in test_term_rules.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from cluster.decisions import (
    FUNDED,
    CheckedDecision,
    Outcome,
    Schedule,
    check_decision,
    check_outcome_follows_vote,
    check_review_date,
    default_review_date,
    outcomes_allowed,
)
from cluster.errors import Refusal
from cluster.voting import Ballot, Choice, Result, Tally, result, tally

MEETING = date(2025, 12, 11)  # Central, 11 December 2025
REQUESTED = 5_000_00


def decide(
    outcome: Outcome,
    amount: int | None = None,
    review: date | None = None,
    schedule: Schedule | None = None,
    **text: str,
) -> CheckedDecision:
    return check_decision(outcome, REQUESTED, amount, review, schedule, MEETING, **text)


# Review dates


def test_the_review_date_defaults_to_twelve_months_after_the_meeting() -> None:
    assert default_review_date(MEETING) == date(2026, 12, 11)


def test_a_meeting_on_29_february_is_reviewed_by_28_february() -> None:
    assert default_review_date(date(2028, 2, 29)) == date(2029, 2, 28)


def test_the_chair_may_set_an_earlier_review_date() -> None:
    assert check_review_date(MEETING, date(2026, 7, 9)) == date(2026, 7, 9)


def test_the_review_may_fall_on_the_anniversary_of_the_meeting() -> None:
    assert check_review_date(MEETING, date(2026, 12, 11)) == date(2026, 12, 11)


def test_a_review_date_more_than_a_year_after_the_meeting_is_refused() -> None:
    with pytest.raises(Refusal) as refused:
        check_review_date(MEETING, date(2026, 12, 12))
    assert refused.value.message == "The review must be within a year of the meeting: on or before 11 December 2026."


@pytest.mark.parametrize("day", [MEETING, date(2025, 12, 1)])
def test_a_review_date_on_or_before_the_meeting_is_refused(day: date) -> None:
    with pytest.raises(Refusal) as refused:
        check_review_date(MEETING, day)
    assert refused.value.message == "The review date must be after the meeting."


# Approved in full


def test_an_approval_is_for_the_amount_requested_by_default() -> None:
    decision = decide(Outcome.APPROVED)
    assert decision.amount_pence == REQUESTED
    assert decision.funded


def test_a_funded_decision_gets_the_default_review_date_and_termly_payments() -> None:
    decision = decide(Outcome.APPROVED)
    assert decision.review_date == date(2026, 12, 11)
    assert decision.schedule == Schedule.TERMLY


def test_a_funded_decision_keeps_the_chairs_review_date_and_schedule() -> None:
    decision = decide(Outcome.APPROVED, REQUESTED, date(2026, 7, 9), Schedule.ONE_SUM)
    assert (decision.review_date, decision.schedule) == (date(2026, 7, 9), Schedule.ONE_SUM)


def test_a_funded_decision_with_a_review_date_too_late_is_refused() -> None:
    with pytest.raises(Refusal, match="on or before 11 December 2026"):
        decide(Outcome.APPROVED, review=date(2027, 1, 5))


def test_an_approval_in_full_for_a_different_amount_is_refused() -> None:
    with pytest.raises(Refusal) as refused:
        decide(Outcome.APPROVED, 4_000_00)
    assert refused.value.message == (
        "An approval in full is for the £5,000.00 requested. To approve less, choose approved for a smaller amount."
    )


def test_an_approval_in_full_with_conditions_is_steered_to_the_approval_with_conditions() -> None:
    with pytest.raises(Refusal, match="choose approved for a smaller amount or with conditions"):
        decide(Outcome.APPROVED, conditions="Termly report to the cluster.")


def test_a_referral_that_asks_for_no_money_cannot_be_approved() -> None:
    with pytest.raises(Refusal, match="record advice only"):
        check_decision(Outcome.APPROVED, 0, None, None, None, MEETING)


# Approved for a smaller amount or with conditions


def test_an_approval_for_a_smaller_amount_is_recorded_with_that_amount() -> None:
    decision = decide(Outcome.APPROVED_REDUCED, 3_500_00)
    assert decision.amount_pence == 3_500_00
    assert decision.outcome in FUNDED


def test_an_approval_with_conditions_may_be_for_the_full_amount() -> None:
    decision = decide(Outcome.APPROVED_REDUCED, conditions="  Evidence of impact at the July meeting.  ")
    assert decision.amount_pence == REQUESTED
    assert decision.conditions == "Evidence of impact at the July meeting."


def test_an_approval_for_the_full_amount_without_conditions_must_say_what_is_reduced() -> None:
    with pytest.raises(Refusal) as refused:
        decide(Outcome.APPROVED_REDUCED, REQUESTED)
    assert refused.value.message == "Say what is reduced or give the conditions."


def test_an_approval_for_more_than_was_requested_is_refused() -> None:
    with pytest.raises(Refusal) as refused:
        decide(Outcome.APPROVED_REDUCED, REQUESTED + 1, conditions="x")
    assert refused.value.message == "The amount approved cannot be more than the £5,000.00 requested."


@pytest.mark.parametrize("amount", [0, -100])
def test_an_approval_must_be_for_at_least_a_penny(amount: int) -> None:
    with pytest.raises(Refusal, match=r"Approve at least £0\.01"):
        decide(Outcome.APPROVED_REDUCED, amount, conditions="x")


def test_an_approval_for_a_penny_is_allowed() -> None:
    assert decide(Outcome.APPROVED_REDUCED, 1).amount_pence == 1


# Declined, deferred, advice only


def test_declining_needs_feedback_for_the_school() -> None:
    with pytest.raises(Refusal) as refused:
        decide(Outcome.DECLINED, feedback="   ")
    assert refused.value.message == "Give the school feedback when declining."


def test_a_decline_is_recorded_with_its_feedback_and_no_money() -> None:
    decision = decide(Outcome.DECLINED, REQUESTED, date(2026, 7, 9), Schedule.ONE_SUM, feedback="Try SALT first.")
    assert decision == CheckedDecision(Outcome.DECLINED, 0, feedback="Try SALT first.")
    assert not decision.funded


def test_deferring_needs_the_information_wanted_for_the_next_meeting() -> None:
    with pytest.raises(Refusal) as refused:
        decide(Outcome.DEFERRED)
    assert refused.value.message == "Say what information is needed for the next meeting."


def test_a_deferral_is_recorded_with_the_information_needed_and_no_money() -> None:
    decision = decide(Outcome.DEFERRED, information_needed="The educational psychologist's report.")
    assert decision.information_needed == "The educational psychologist's report."
    assert (decision.amount_pence, decision.review_date, decision.schedule) == (0, None, None)


def test_advice_only_needs_nothing_more_and_has_no_money() -> None:
    decision = decide(Outcome.ADVICE_ONLY, feedback="Share the visual timetable with the class teacher.")
    assert (decision.amount_pence, decision.review_date, decision.schedule) == (0, None, None)
    assert decision.feedback == "Share the visual timetable with the class teacher."


def test_conditions_and_information_needed_are_kept_only_where_they_belong() -> None:
    advice = decide(Outcome.ADVICE_ONLY, conditions="c", information_needed="i")
    assert (advice.conditions, advice.information_needed) == ("", "")
    approved = decide(Outcome.APPROVED_REDUCED, 1_00, information_needed="i")
    assert approved.information_needed == ""


def test_a_negative_request_is_a_bug() -> None:
    with pytest.raises(ValueError):
        check_decision(Outcome.ADVICE_ONLY, -1, None, None, None, MEETING)


# The outcome follows the vote


def closed(approve: int, decline: int, abstain: int = 0, needed: int = 3) -> Tally:
    ballots = [Ballot(i, i, Choice.APPROVE) for i in range(approve)]
    ballots += [Ballot(100 + i, 100 + i, Choice.DECLINE) for i in range(decline)]
    ballots += [Ballot(200 + i, 200 + i, Choice.ABSTAIN) for i in range(abstain)]
    return tally(ballots, needed)


def follows(outcome: Outcome, t: Tally | None, casting: Choice | None = None, discussion: bool = False) -> Outcome:
    return check_outcome_follows_vote(outcome, discussion, None if t is None else result(t, casting), t)


@pytest.mark.parametrize("outcome", [Outcome.APPROVED, Outcome.APPROVED_REDUCED])
def test_money_is_approved_when_the_vote_carried_with_quorum_met(outcome: Outcome) -> None:
    assert follows(outcome, closed(3, 1)) is outcome


@pytest.mark.parametrize("outcome", [Outcome.APPROVED, Outcome.APPROVED_REDUCED])
def test_a_lost_vote_cannot_be_recorded_as_approved(outcome: Outcome) -> None:
    with pytest.raises(Refusal) as refused:
        follows(outcome, closed(1, 2))
    assert refused.value.message == "The vote was lost, so the item can be declined or deferred."


def test_a_lost_vote_can_be_declined_or_deferred_only() -> None:
    assert outcomes_allowed(False, Result.DECLINED) == (Outcome.DECLINED, Outcome.DEFERRED)
    assert follows(Outcome.DECLINED, closed(1, 2)) is Outcome.DECLINED
    assert follows(Outcome.DEFERRED, closed(1, 2)) is Outcome.DEFERRED
    with pytest.raises(Refusal):
        follows(Outcome.ADVICE_ONLY, closed(1, 2))


@pytest.mark.parametrize("outcome", [o for o in Outcome if o is not Outcome.DEFERRED])
def test_an_inquorate_item_can_only_be_deferred_whatever_the_votes(outcome: Outcome) -> None:
    with pytest.raises(Refusal) as refused:
        follows(outcome, closed(2, 0))
    assert refused.value.message == (
        "The meeting was not quorate for this item (2 voted, 3 needed), so it can only be deferred."
    )
    assert follows(Outcome.DEFERRED, closed(2, 0)) is Outcome.DEFERRED


def test_abstentions_count_towards_the_quorum_but_do_not_carry_the_vote() -> None:
    quorate = closed(1, 0, abstain=2)
    assert follows(Outcome.APPROVED, quorate) is Outcome.APPROVED
    with pytest.raises(Refusal) as refused:
        follows(Outcome.APPROVED, closed(0, 0, abstain=3))
    assert refused.value.message.startswith("Every setting abstained")


def test_a_tie_is_approved_only_on_the_chairs_casting_vote() -> None:
    tied = closed(2, 2)
    assert follows(Outcome.APPROVED, tied, casting=Choice.APPROVE) is Outcome.APPROVED
    with pytest.raises(Refusal) as refused:
        follows(Outcome.APPROVED, tied)
    assert refused.value.message == (
        "The vote was tied and the chair gave no casting vote, so the item can be deferred or recorded as advice only."
    )
    with pytest.raises(Refusal):
        follows(Outcome.APPROVED, tied, casting=Choice.DECLINE)
    assert follows(Outcome.DECLINED, tied, casting=Choice.DECLINE) is Outcome.DECLINED


def test_a_carried_vote_cannot_be_recorded_as_declined() -> None:
    with pytest.raises(Refusal) as refused:
        follows(Outcome.DECLINED, closed(3, 1))
    assert refused.value.message.startswith("The vote was carried, so the item can be approved")


@pytest.mark.parametrize("t", [None, closed(2, 2), closed(0, 0, abstain=3), closed(3, 0)])
def test_deferral_and_advice_only_need_no_carried_vote(t: Tally | None) -> None:
    assert follows(Outcome.DEFERRED, t) is Outcome.DEFERRED
    assert follows(Outcome.ADVICE_ONLY, t) is Outcome.ADVICE_ONLY


@pytest.mark.parametrize("outcome", [Outcome.APPROVED, Outcome.DECLINED])
def test_an_item_that_was_not_voted_on_is_neither_approved_nor_declined(outcome: Outcome) -> None:
    with pytest.raises(Refusal) as refused:
        follows(outcome, None)
    assert refused.value.message.startswith("This item has not been voted on")


@pytest.mark.parametrize("t", [None, closed(3, 0), closed(0, 3), closed(1, 0)])
def test_a_discussion_is_recorded_as_advice_or_deferred_without_a_vote(t: Tally | None) -> None:
    assert outcomes_allowed(True, None) == (Outcome.ADVICE_ONLY, Outcome.DEFERRED)
    assert follows(Outcome.ADVICE_ONLY, t, discussion=True) is Outcome.ADVICE_ONLY
    assert follows(Outcome.DEFERRED, t, discussion=True) is Outcome.DEFERRED
    for outcome in (Outcome.APPROVED, Outcome.APPROVED_REDUCED, Outcome.DECLINED):
        with pytest.raises(Refusal) as refused:
            follows(outcome, t, discussion=True)
        assert "asks for no money and is not voted on" in refused.value.message


def test_a_discussions_advice_must_be_written_down() -> None:
    with pytest.raises(Refusal) as refused:
        check_decision(Outcome.ADVICE_ONLY, 0, None, None, None, MEETING, discussion=True)
    assert refused.value.message == "Write down the advice the meeting gave the school."
    advice = check_decision(Outcome.ADVICE_ONLY, 0, None, None, None, MEETING, feedback=" Try a timetable. ")
    assert advice.feedback == "Try a timetable."


@pytest.mark.parametrize("result_", [*Result, None])
def test_approval_is_allowed_only_after_a_carried_vote(result_: Result | None) -> None:
    funded = set(outcomes_allowed(False, result_)) & FUNDED
    assert bool(funded) == (result_ is Result.APPROVED)
