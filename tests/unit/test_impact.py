"""Impact rules on their own: the outcomes a referral sets, rating each at review, and adding ratings up."""

from __future__ import annotations

from datetime import date

from cluster.impact import (
    ImpactCount,
    Rating,
    Tally,
    outcomes_of,
    outcomes_to_rate,
    ratings_line,
    tally_by,
    too_many_outcomes,
)
from cluster.referrals import Kind, check_details
from cluster.review_form import EXTRA_RATINGS, RATE_THIS, check_review
from tests.support.referral_flow import GOOD_EHCP, GOOD_INDIVIDUAL, GOOD_PROJECT

TODAY = date(2026, 7, 1)
ANSWERS = {
    "outcomes_achieved": "Met most",
    "attendance": "97%",
    "progress": "Good",
    "wellbeing": "Settled",
    "provision_delivered": "As planned",
    "actual_spend": "400",
    "recommendation": "stop",
}
TWO = ("Uses 3-word phrases", "Follows two-step instructions")


def test_the_outcomes_set_are_the_non_empty_lines_trimmed_and_without_bullets_or_numbers() -> None:
    typed = " 1. Uses 3-word phrases \n\n- Follows two-step instructions\n   \n• Joins in at play\n3-word sentences"
    assert outcomes_of(typed) == [
        "Uses 3-word phrases",
        "Follows two-step instructions",
        "Joins in at play",
        "3-word sentences",
    ]


def test_a_referral_stored_without_the_outcomes_field_sets_no_outcomes_to_rate() -> None:
    assert outcomes_of(None) == []
    assert outcomes_to_rate({"impact_measures": "Boxall profiles"}) == ()


def test_a_referral_stored_with_more_outcomes_than_a_review_rates_falls_back_to_free_text() -> None:
    assert outcomes_to_rate({"outcomes": "\n".join(f"Outcome {n}" for n in range(9))}) == ()
    assert len(outcomes_to_rate({"outcomes": "\n".join(f"Outcome {n}" for n in range(8))})) == 8


def test_more_than_eight_outcomes_is_a_clear_message_on_the_outcomes_field_of_every_kind_reviewed() -> None:
    nine = "\n".join(f"Outcome {n}" for n in range(9))
    assert too_many_outcomes(nine) == "Set at most 8 outcomes, one per line (there are 9)."
    for kind, good in ((Kind.INDIVIDUAL, GOOD_INDIVIDUAL), (Kind.PROJECT, GOOD_PROJECT), (Kind.EHCP, GOOD_EHCP)):
        assert check_details(kind, good).ok, kind
        assert check_details(kind, {**good, "outcomes": nine}).errors == {"outcomes": too_many_outcomes(nine)}


def test_project_and_ehcp_forms_ask_for_outcomes_one_per_line() -> None:
    for kind, good in ((Kind.PROJECT, GOOD_PROJECT), (Kind.EHCP, GOOD_EHCP)):
        errors = check_details(kind, {k: v for k, v in good.items() if k != "outcomes"}).errors
        assert errors == {"outcomes": "Outcomes sought, one per line is required."}


def test_a_review_needs_a_rating_for_every_outcome_set() -> None:
    checked = check_review({**ANSWERS, "outcome_rating_1": "achieved"}, TODAY, TWO)
    assert checked.errors == {"outcome_rating_2": RATE_THIS}


def test_a_rating_that_is_none_of_the_three_is_refused_on_its_field() -> None:
    checked = check_review({**ANSWERS, "outcome_rating_1": "achieved", "outcome_rating_2": "mostly"}, TODAY, TWO)
    assert checked.errors == {"outcome_rating_2": RATE_THIS}


def test_a_rating_for_an_outcome_the_referral_did_not_set_is_refused() -> None:
    raw = {**ANSWERS, "outcome_rating_1": "achieved", "outcome_rating_2": "partly", "outcome_rating_3": "achieved"}
    assert check_review(raw, TODAY, TWO).errors == {EXTRA_RATINGS: "Only the 2 outcomes the referral set can be rated."}
    assert EXTRA_RATINGS in check_review({**ANSWERS, "outcome_rating_1": "achieved"}, TODAY, ()).errors


def test_a_review_rating_each_outcome_keeps_each_rating_with_its_answers() -> None:
    checked = check_review({**ANSWERS, "outcome_rating_1": "achieved", "outcome_rating_2": "not_achieved"}, TODAY, TWO)
    assert checked.ok
    assert checked.values["outcome_rating_1"] == "achieved" and checked.values["outcome_rating_2"] == "not_achieved"


def test_a_review_of_a_referral_without_outcomes_to_rate_is_the_free_text_form_as_before() -> None:
    assert check_review(ANSWERS, TODAY).ok


def test_a_tally_counts_each_rating_and_its_total() -> None:
    tally = Tally.of([Rating.ACHIEVED, Rating.PARTLY, Rating.ACHIEVED, Rating.NOT_ACHIEVED])
    assert (tally.count(Rating.ACHIEVED), tally.count(Rating.PARTLY), tally.count(Rating.NOT_ACHIEVED)) == (2, 1, 1)
    assert tally.total == 4


def test_the_share_achieved_is_a_whole_percent_rounded_half_up_and_zero_when_nothing_was_rated() -> None:
    assert Tally.of([Rating.ACHIEVED, Rating.PARTLY, Rating.PARTLY]).share_achieved == 33
    assert Tally.of([Rating.ACHIEVED, Rating.ACHIEVED, Rating.PARTLY]).share_achieved == 67
    assert Tally.of([Rating.ACHIEVED] + [Rating.PARTLY] * 7).share_achieved == 13  # 12.5 rounds up
    assert Tally.of([Rating.PARTLY]).share_achieved == 0
    assert Tally().share_achieved == 0 and Tally().total == 0


def test_two_tallies_add_up_rating_by_rating() -> None:
    both = Tally.of([Rating.ACHIEVED, Rating.PARTLY]) + Tally.of([Rating.ACHIEVED, Rating.NOT_ACHIEVED])
    assert both == Tally({Rating.ACHIEVED: 2, Rating.PARTLY: 1, Rating.NOT_ACHIEVED: 1})
    assert both.total == 4 and both.share_achieved == 50


def test_counted_rows_add_up_by_any_key() -> None:
    rows = [
        ImpactCount(1, "individual", Rating.ACHIEVED, 3),
        ImpactCount(1, "project", Rating.PARTLY, 2),
        ImpactCount(2, "individual", Rating.ACHIEVED, 1),
        ImpactCount(2, "individual", Rating.NOT_ACHIEVED, 4),
    ]
    by_kind = tally_by(rows, lambda r: r.kind)
    assert by_kind["individual"] == Tally({Rating.ACHIEVED: 4, Rating.NOT_ACHIEVED: 4})
    assert by_kind["project"].total == 2
    by_cluster = tally_by(rows, lambda r: r.cluster_id)
    assert by_cluster[1].share_achieved == 60 and by_cluster[2].share_achieved == 20
    assert tally_by([], lambda r: r) == {}


def test_places_that_may_not_show_the_outcomes_text_show_ratings_by_number() -> None:
    assert ratings_line([Rating.ACHIEVED, Rating.PARTLY, Rating.NOT_ACHIEVED]) == (
        "1: Achieved · 2: Partly achieved · 3: Not achieved"
    )
    assert ratings_line([]) == ""
