"""The review form's start from the plan: rows confirmed by weeks delivered, and what was paid prefilled."""

from __future__ import annotations

from datetime import date

from cluster.review_form import check_review, prefilled
from cluster.review_plan import Delivered, Paid, PlannedRow, amount_words, delivered_total, delivery_words

ROW = PlannedRow(1, "Language group", "Teaching assistant", 30, 3, 2, 38, 42750)
TODAY = date(2026, 7, 1)
ANSWERS = {
    "outcomes_achieved": "Met",
    "attendance": "97%",
    "progress": "Good",
    "wellbeing": "Settled",
    "actual_spend": "427.50",
    "recommendation": "stop",
}


def test_the_amount_planned_reads_as_a_senco_would_say_it() -> None:
    assert amount_words(ROW) == "30 minutes, 3 times a week for 38 weeks, group of 2"


def test_a_row_delivered_in_part_costs_its_planned_cost_in_proportion_rounded_once() -> None:
    assert Delivered(ROW, 20).cost_pence == 22500
    assert Delivered(ROW, 1).cost_pence == 1125  # 42750 / 38 = 1125 exactly
    assert Delivered(PlannedRow(1, "x", "y", 30, 1, 1, 3, 100), 1).cost_pence == 33  # 33.33p


def test_delivery_is_said_in_words() -> None:
    assert delivery_words(Delivered(ROW, 38)) == "As planned (38 weeks)"
    assert delivery_words(Delivered(ROW, 20)) == "20 of 38 weeks"
    assert delivery_words(Delivered(ROW, 0)) == "Not delivered"
    assert delivery_words(Delivered(ROW, None)) == "Not confirmed"


def test_the_delivered_total_adds_only_the_confirmed_rows() -> None:
    assert delivered_total([Delivered(ROW, 38), Delivered(ROW, 0)]) == 42750
    assert delivered_total([Delivered(ROW, None)]) is None


def test_the_form_starts_from_the_weeks_planned_and_what_was_paid() -> None:
    values = prefilled((), [ROW], Paid(42750, paid_pence=21375, instalments=2, instalments_paid=1), {})
    assert values["delivered_weeks_1"] == "38" and values["actual_spend"] == "213.75"


def test_what_the_review_holds_wins_over_the_plan() -> None:
    values = prefilled((), [ROW], Paid(42750, paid_pence=21375), {"delivered_weeks_1": 10, "actual_spend": 100})
    assert values["delivered_weeks_1"] == "10" and values["actual_spend"] == "1.00"


def test_nothing_paid_leaves_the_spend_for_the_senco_to_give() -> None:
    assert "actual_spend" not in prefilled((), [ROW], Paid(42750), {})


def test_confirmed_rows_need_no_description_of_the_provision() -> None:
    checked = check_review({**ANSWERS, "delivered_weeks_1": "38"}, TODAY, (), [ROW])
    assert checked.ok and checked.values["delivered_weeks_1"] == 38


def test_a_form_without_weeks_still_needs_the_provision_in_words() -> None:
    checked = check_review(ANSWERS, TODAY, (), [ROW])
    assert checked.errors == {"provision_delivered": "Provision delivered is required."}


def test_weeks_past_a_year_are_refused_beside_the_row() -> None:
    checked = check_review({**ANSWERS, "delivered_weeks_1": "53"}, TODAY, (), [ROW])
    assert "delivered_weeks_1" in checked.errors
