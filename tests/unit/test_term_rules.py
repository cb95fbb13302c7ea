"""When a revenue allocation is paid: on the council's term dates, from the term after the decision."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cluster.errors import Refusal
from cluster.terms import Term, TermName, check_terms, instalment_plan, next_term, split, term_of, years_covered

TERMS = check_terms(
    [
        Term(date(2025, 9, 3), date(2025, 12, 19), TermName.AUTUMN, 2025),
        Term(date(2026, 1, 5), date(2026, 3, 27), TermName.SPRING, 2025),
        Term(date(2026, 4, 13), date(2026, 7, 21), TermName.SUMMER, 2025),
        Term(date(2026, 9, 3), date(2026, 12, 18), TermName.AUTUMN, 2026),
        Term(date(2027, 1, 4), date(2027, 3, 26), TermName.SPRING, 2026),
        Term(date(2027, 4, 12), date(2027, 7, 21), TermName.SUMMER, 2026),
    ]
)
MEETING = date(2025, 12, 11)
REVIEW = date(2026, 12, 11)


def test_termly_instalments_start_on_the_first_day_of_the_next_term_not_the_meeting_day() -> None:
    paid = instalment_plan(TERMS, 1_200_00, True, MEETING, REVIEW)
    assert [day for day, _ in paid] == [date(2026, 1, 5), date(2026, 4, 13), date(2026, 9, 3)]
    assert [amount for _, amount in paid] == [400_00, 400_00, 400_00]


def test_a_one_sum_is_paid_at_the_start_of_the_next_term() -> None:
    assert instalment_plan(TERMS, 500_00, False, MEETING, REVIEW) == [(date(2026, 1, 5), 500_00)]


def test_a_decision_on_a_terms_first_day_is_paid_from_the_next_term() -> None:
    assert next_term(TERMS, date(2026, 1, 5)).starts == date(2026, 4, 13)


def test_an_earlier_review_means_fewer_instalments() -> None:
    paid = instalment_plan(TERMS, 1_000_00, True, MEETING, date(2026, 5, 1))
    assert paid == [(date(2026, 1, 5), 500_00), (date(2026, 4, 13), 500_00)]


def test_a_review_before_the_next_term_still_pays_once_at_its_start() -> None:
    assert instalment_plan(TERMS, 300_00, True, MEETING, date(2025, 12, 30)) == [(date(2026, 1, 5), 300_00)]


def test_the_odd_pence_go_to_the_earliest_instalments() -> None:
    paid = instalment_plan(TERMS, 1_000_01, True, MEETING, REVIEW)
    assert [amount for _, amount in paid] == [333_34, 333_34, 333_33]


def test_an_amount_too_small_to_split_is_paid_in_fewer_instalments() -> None:
    assert split(2, [date(2026, 1, 5), date(2026, 4, 13), date(2026, 9, 3)]) == [
        (date(2026, 1, 5), 1),
        (date(2026, 4, 13), 1),
    ]


@given(st.integers(min_value=1, max_value=10_000_000), st.dates(date(2025, 9, 1), date(2026, 7, 1)))
def test_instalments_add_up_to_the_amount_to_the_penny(amount: int, decided: date) -> None:
    paid = instalment_plan(TERMS, amount, True, decided, date(decided.year + 1, decided.month, 1))
    assert sum(a for _, a in paid) == amount
    assert all(day > decided for day, _ in paid)


def test_past_the_loaded_term_dates_the_officer_is_asked_to_load_them() -> None:
    with pytest.raises(Refusal, match="clusterbot terms import"):
        instalment_plan(TERMS, 100_00, True, date(2027, 5, 1), date(2028, 5, 1))


def test_overlapping_terms_are_refused_naming_the_term() -> None:
    with pytest.raises(Refusal, match="Spring term 2025 starts"):
        check_terms([TERMS[0], Term(date(2025, 12, 1), date(2026, 3, 1), TermName.SPRING, 2025)])


def test_a_holiday_is_in_no_term_and_complete_years_are_known() -> None:
    assert term_of(TERMS, date(2025, 12, 25)) is None
    assert term_of(TERMS, date(2026, 2, 2)) == TERMS[1]
    assert years_covered(TERMS) == (2025, 2026)
    assert years_covered(TERMS[:5]) == (2025,)
