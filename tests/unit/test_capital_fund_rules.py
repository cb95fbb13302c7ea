"""The Capital Fund's governance: panel scores and their averages, the Board's decision, and release."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from cluster.capital_fund import (
    MAX_GRANT_PENCE,
    Criterion,
    Journey,
    Recommendation,
    Round,
    Score,
    Visit,
    averages,
    check_board_decision,
    check_can_score,
    check_invoice_amount,
    check_recommendation,
    check_round,
    check_score,
    missing_for_release,
    one_decimal,
    release_amount,
)
from cluster.commands.capital import ScoreApplication, score_input
from cluster.errors import Refusal

ALL_FOURS = {score_input(c): "4" for c in Criterion}
PASSED = Visit("Pat Team", date(2026, 6, 1), True, "")


def score(value: int, **changed: int) -> Score:
    scores = {c: changed.get(c.value, value) for c in Criterion}
    return Score(scores, {})


def test_a_member_scores_every_criterion_from_one_to_five() -> None:
    checked, errors = check_score(ScoreApplication(referral_id=1, **ALL_FOURS))
    assert errors == {}
    assert checked.scores[Criterion.DELIVERABILITY] == 4


def test_a_missing_or_out_of_range_score_is_named_in_the_card() -> None:
    typed = dict(ALL_FOURS, score_deliverability="", score_value_for_money="6")
    _, errors = check_score(ScoreApplication(referral_id=1, **typed))
    assert errors == {
        "deliverability": "Score Deliverability from 1 to 5.",
        "value_for_money": "Value for money is scored from 1 to 5.",
    }


def test_a_member_from_the_applying_setting_cannot_score_it() -> None:
    with pytest.raises(Refusal, match="applying setting"):
        check_can_score({7, 9}, 9)
    check_can_score({7}, 9)


def test_averages_are_per_criterion_and_overall_over_the_members_who_scored() -> None:
    found = averages([score(4), score(3, strategic_fit=5), score(5, strategic_fit=2)])
    assert found.per_criterion[Criterion.STRATEGIC_FIT] == Fraction(11, 3)
    assert found.per_criterion[Criterion.DELIVERABILITY] == 4
    assert found.overall == Fraction(11 + 12 * 5, 3 * 6)
    assert one_decimal(found.per_criterion[Criterion.STRATEGIC_FIT]) == "3.7"
    assert found.scored_by == 3


def test_an_average_on_a_half_is_shown_rounded_up() -> None:
    assert one_decimal(Fraction(13, 4)) == "3.3"
    assert one_decimal(Fraction(5)) == "5.0"


def test_no_scores_means_no_averages() -> None:
    assert averages([]).overall is None


def test_a_recommendation_needs_reasons_and_conditions_when_it_sets_them() -> None:
    chosen, errors = check_recommendation("recommend_with_conditions", "", "")
    assert chosen is Recommendation.WITH_CONDITIONS
    assert set(errors) == {"reasons", "conditions"}
    assert check_recommendation("do_not_recommend", "Poor value.", "")[1] == {}


def test_the_board_approves_up_to_what_was_asked_and_never_more_than_fifteen_thousand() -> None:
    assert check_board_decision(True, 12_000_00, 14_000_00, "Use a local supplier", "").amount_pence == 12_000_00
    with pytest.raises(Refusal, match="more than the setting asked"):
        check_board_decision(True, 14_500_00, 14_000_00, "", "")
    with pytest.raises(Refusal, match=r"at most £15,000\.00"):
        check_board_decision(True, MAX_GRANT_PENCE + 1, 20_000_00, "", "")


def test_the_board_declines_with_reasons() -> None:
    with pytest.raises(Refusal, match="reasons"):
        check_board_decision(False, None, 10_000_00, "", " ")
    assert not check_board_decision(False, None, 10_000_00, "", "Maintenance").approved


def test_a_release_asked_for_too_early_names_every_missing_step() -> None:
    with pytest.raises(Refusal) as refused:
        release_amount(Journey(10_000_00, started_on=date(2026, 3, 1)))
    assert refused.value.message == (
        "The money cannot be released yet: the SENCO has not marked the project completed; "
        "no quality-assurance visit has been recorded; no paid invoices have been uploaded."
    )


def test_a_failed_visit_holds_the_money_back() -> None:
    failed = Visit("Pat Team", date(2026, 6, 1), False, "Sensory room unfinished")
    journey = Journey(10_000_00, completed_on=date(2026, 5, 20), visit=failed, invoices_pence=(9_000_00,))
    assert missing_for_release(journey) == ["the quality-assurance visit did not pass"]


def test_the_release_is_the_grant_or_the_invoices_whichever_is_less() -> None:
    done = Journey(10_000_00, completed_on=date(2026, 5, 20), visit=PASSED, invoices_pence=(6_000_00, 2_500_50))
    assert release_amount(done) == 8_500_50
    over = Journey(10_000_00, completed_on=date(2026, 5, 20), visit=PASSED, invoices_pence=(7_000_00, 4_000_00))
    assert release_amount(over) == 10_000_00


def test_money_is_released_once() -> None:
    done = Journey(10_000_00, date(2026, 3, 1), date(2026, 5, 20), PASSED, (9_000_00,), released_pence=9_000_00)
    with pytest.raises(Refusal, match="already released"):
        release_amount(done)


def test_an_invoice_amount_is_pounds_and_pence() -> None:
    assert check_invoice_amount("£1,234.5") == 1_234_50
    for bad in ("", "12.345", "abc", "0", "-5"):
        with pytest.raises(Refusal):
            check_invoice_amount(bad)


def test_a_rounds_dates_follow_each_other() -> None:
    good = Round(
        "2025/26",
        500_000_00,
        date(2025, 9, 1),
        date(2025, 12, 31),
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 8, 31),
        date(2026, 9, 30),
    )
    assert check_round(good) == good
    with pytest.raises(Refusal, match="the panel meets"):
        check_round(Round(**{**good.__dict__, "panel_by": date(2025, 12, 1)}))
