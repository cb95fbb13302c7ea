"""When a revenue allocation is paid: on the council's term dates, from the term after the decision."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cluster.errors import Refusal
from cluster.ledger import plan_payments
from cluster.terms import (
    Term,
    TermName,
    check_terms,
    instalment_plan,
    next_term,
    parse_term_rows,
    split,
    term_of,
    terms_warning,
    years_covered,
)

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


# The shipped, indicative term dates ---------------------------------------------------------------------

SHIPPED = json.loads((Path(__file__).parents[2] / "store" / "data" / "term_dates.json").read_text(encoding="utf-8"))


def shipped() -> tuple[Term, ...]:
    terms, problems = parse_term_rows(SHIPPED["terms"])
    assert problems == []
    return check_terms(terms)


def test_the_shipped_dates_cover_three_school_years_and_say_they_are_only_indicative() -> None:
    assert years_covered(shipped()) == (2025, 2026, 2027)
    assert "INDICATIVE" in SHIPPED["note"] and "confirmed against" in SHIPPED["note"]


def test_every_shipped_term_starts_and_ends_on_a_school_day() -> None:
    holidays = {date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2027, 3, 26), date(2028, 1, 3)}
    for term in shipped():
        for day in (term.starts, term.ends):
            assert day.weekday() < 5 and day not in holidays, f"{term.label}: {day:%A %d %B %Y}"


def test_the_shipped_spring_terms_start_on_the_first_school_day_of_january() -> None:
    springs = [t.starts for t in shipped() if t.name is TermName.SPRING]
    assert springs == [date(2026, 1, 5), date(2027, 1, 4), date(2028, 1, 4)]  # 3 Jan 2028 is a bank holiday


def test_the_shipped_summer_terms_start_after_easter_and_end_about_21_july() -> None:
    easter = {2026: date(2026, 4, 5), 2027: date(2027, 3, 28), 2028: date(2028, 4, 16)}
    for term in (t for t in shipped() if t.name is TermName.SUMMER):
        assert term.starts > easter[term.starts.year] + timedelta(days=1)  # after Easter Monday
        assert term.ends == date(term.starts.year, 7, 21)
    for term in (t for t in shipped() if t.name is TermName.SPRING):
        assert term.ends < easter[term.ends.year] - timedelta(days=1)  # before Good Friday


def test_the_instalment_that_fell_on_1_january_now_falls_on_the_spring_terms_first_day() -> None:
    # Decided at the Central meeting on 11 December 2025, reviewed 17 July 2026, paid termly.
    paid = instalment_plan(shipped(), 427_50, True, date(2025, 12, 11), date(2026, 7, 17))
    assert paid == [(date(2026, 1, 5), 213_75), (date(2026, 4, 13), 213_75)]


def test_a_decision_in_the_summer_holiday_is_paid_from_the_autumn_term() -> None:
    assert instalment_plan(shipped(), 600_00, False, date(2026, 7, 28), date(2027, 7, 1)) == [
        (date(2026, 9, 3), 600_00)
    ]


def test_a_decision_in_a_terms_last_week_is_paid_from_the_next_term() -> None:
    paid = instalment_plan(shipped(), 900_00, True, date(2027, 3, 22), date(2028, 3, 22))
    assert [day for day, _ in paid] == [date(2027, 4, 12), date(2027, 9, 2), date(2028, 1, 4)]


def test_the_plan_names_each_payments_term() -> None:
    planned = plan_payments(shipped(), 1_200_00, True, date(2025, 12, 11), date(2026, 12, 11))
    assert [(p.due_on, p.term) for p in planned] == [
        (date(2026, 1, 5), "Spring term 2026"),
        (date(2026, 4, 13), "Summer term 2026"),
        (date(2026, 9, 3), "Autumn term 2026"),
    ]


@given(
    st.integers(min_value=1, max_value=5_000_000),
    st.dates(date(2025, 9, 1), date(2027, 7, 1)),
    st.integers(min_value=1, max_value=365),
    st.booleans(),
)
def test_every_instalment_is_on_a_term_start_after_the_decision_and_before_the_review(
    amount: int, decided: date, days: int, termly: bool
) -> None:
    terms = shipped()
    review = decided + timedelta(days=days)
    paid = instalment_plan(terms, amount, termly, decided, review)
    starts = {t.starts for t in terms}
    assert sum(pence for _, pence in paid) == amount and all(pence >= 1 for _, pence in paid)
    assert all(day in starts and day > decided for day, _ in paid)
    assert all(day < review for day, _ in paid[1:]), "only the first may fall after a review set very early"
    assert len(paid) == 1 or termly


# Running out of term dates --------------------------------------------------------------------------------


def test_no_warning_while_the_loaded_dates_run_more_than_six_months() -> None:
    assert terms_warning(shipped(), date(2027, 12, 1)) is None
    assert terms_warning(shipped(), date(2028, 1, 21)) is None, "21 July 2028 is six months away: not within"


def test_officers_are_warned_when_the_loaded_dates_end_within_six_months() -> None:
    warning = terms_warning(shipped(), date(2028, 1, 22))
    assert warning is not None
    assert "end on 21 July 2028" in warning and "clusterbot terms import" in warning


def test_the_warning_says_when_the_dates_have_run_out_or_none_are_loaded() -> None:
    assert "ended on 21 July 2028" in (terms_warning(shipped(), date(2028, 9, 1)) or "")
    assert "No school term dates are loaded" in (terms_warning((), date(2026, 1, 1)) or "")


def test_six_months_are_counted_in_calendar_months() -> None:
    assert terms_warning(TERMS, date(2027, 1, 21)) is None
    assert terms_warning(TERMS, date(2027, 1, 22)) is not None  # TERMS end on 21 July 2027


# Reading a term-dates file --------------------------------------------------------------------------------


def test_term_rows_are_read_with_uk_or_iso_dates() -> None:
    terms, problems = parse_term_rows(
        [
            {"year": "2028", "term": "Autumn", "starts": "04/09/2028", "ends": "2028-12-20"},
            {"year": 2028, "term": "spring", "starts": "2029-01-08", "ends": "2029-03-29"},
        ]
    )
    assert problems == []
    assert terms == [
        Term(date(2028, 9, 4), date(2028, 12, 20), TermName.AUTUMN, 2028),
        Term(date(2029, 1, 8), date(2029, 3, 29), TermName.SPRING, 2028),
    ]


def test_each_bad_term_row_is_named_with_what_is_wrong() -> None:
    _, problems = parse_term_rows(
        [
            {"year": "2028", "term": "winter", "starts": "2028-09-04", "ends": "2028-12-20"},
            {"year": "2028", "term": "spring", "starts": "2028-01-08", "ends": "2028-03-29"},
            {"year": "2028", "term": "summer", "starts": "2029-04-20", "ends": "2029-04-01"},
            {"year": "2028", "term": "autumn", "starts": "2028-09-04"},
            {"year": "2028", "term": "autumn", "starts": "4 Sept", "ends": "2028-12-20"},
            {"year": "2028", "term": "autumn", "starts": "2028-09-04", "ends": "2029-07-20"},
        ]
    )
    assert problems == [
        "row 1: the term must be autumn, spring or summer, not 'winter'",
        "row 2: the spring term of 2028/29 starts in 2029, not on 2028-01-08",
        "row 3: the term ends (2029-04-01) before it starts (2029-04-20)",
        "row 4: ends missing",
        "row 5: dates must be YYYY-MM-DD (or DD/MM/YYYY)",
        "row 6: a term of more than 20 weeks (2028-09-04 to 2029-07-20) is not a school term",
    ]


def test_a_term_given_twice_is_refused() -> None:
    row = {"year": "2028", "term": "autumn", "starts": "2028-09-04", "ends": "2028-12-20"}
    assert parse_term_rows([row, row])[1] == ["row 2: the autumn term of 2028/29 is given twice"]
