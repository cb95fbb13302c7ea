"""The citywide figures' rules: where a referral ends up, the school year, and totals that add up exactly."""

from __future__ import annotations

from datetime import date

from cluster.citywide import City, Ending, Figures, Money, ending_of, school_year_label, school_year_start, total_of
from cluster.decisions import Outcome
from cluster.referrals import Kind, State


def test_a_referral_approved_for_less_counts_as_approved() -> None:
    assert ending_of(Kind.INDIVIDUAL, State.DECIDED, Outcome.APPROVED_REDUCED, None) is Ending.APPROVED


def test_a_referral_deferred_and_back_on_an_agenda_counts_as_deferred_until_decided_again() -> None:
    assert ending_of(Kind.PROJECT, State.ACCEPTED, Outcome.DEFERRED, None) is Ending.DEFERRED


def test_a_referral_with_no_decision_yet_is_waiting() -> None:
    assert ending_of(Kind.EHCP, State.SUBMITTED, None, None) is Ending.WAITING
    assert ending_of(Kind.EHCP, State.RETURNED, None, None) is Ending.WAITING


def test_a_withdrawn_referral_counts_as_withdrawn_whatever_was_decided_before() -> None:
    assert ending_of(Kind.INDIVIDUAL, State.WITHDRAWN, Outcome.DEFERRED, None) is Ending.WITHDRAWN


def test_a_capital_application_ends_with_the_boards_decision_not_a_cluster_vote() -> None:
    assert ending_of(Kind.CAPITAL, State.ACCEPTED, None, None) is Ending.WAITING
    assert ending_of(Kind.CAPITAL, State.ACCEPTED, None, True) is Ending.APPROVED
    assert ending_of(Kind.CAPITAL, State.ACCEPTED, None, False) is Ending.DECLINED


def test_a_discussion_ends_with_advice() -> None:
    assert ending_of(Kind.DISCUSSION, State.DECIDED, Outcome.ADVICE_ONLY, None) is Ending.ADVICE


def test_the_school_year_runs_from_september_to_august() -> None:
    assert school_year_label(date(2026, 9, 1)) == "2026/27"
    assert school_year_label(date(2027, 8, 31)) == "2026/27"
    assert school_year_label(date(2099, 12, 2)) == "2099/00"
    assert school_year_start(date(2027, 3, 15)) == date(2026, 9, 1)


def test_the_citys_total_adds_every_clusters_money_to_the_penny() -> None:
    a = Figures("A", "2026/27", Money(100_00, 30_01, 10_00, 59_99, 10_00))
    b = Figures("B", "2026/27", Money(50_00, 60_00, 0, 0, 0))  # over its spendable budget: available nothing
    total = City(date(2026, 12, 2), "2026/27", (a, b)).total
    assert total.money == Money(150_00, 90_01, 10_00, 59_99, 10_00)
    assert total.money.unpaid == 80_01


def test_the_citys_available_money_is_what_each_cluster_has_not_its_allocation_less_commitments() -> None:
    # Allocated 150.00 less committed 90.01 would be 59.99 more than B has: B's overspend cannot lend A money.
    a = Figures("A", "x", Money(allocated=100_00, committed=0, available=100_00))
    b = Figures("B", "x", Money(allocated=50_00, committed=90_01, available=0))
    assert total_of([a, b]).money.available == 100_00


def test_the_citys_counts_add_up_by_kind_and_ending() -> None:
    a = Figures("A", referrals={(Kind.INDIVIDUAL, Ending.APPROVED): 2, (Kind.EHCP, Ending.WAITING): 1})
    b = Figures("B", referrals={(Kind.INDIVIDUAL, Ending.APPROVED): 3}, reviews_due=2, reviews_overdue=1)
    total = total_of([a, b])
    assert total.referrals == {(Kind.INDIVIDUAL, Ending.APPROVED): 5, (Kind.EHCP, Ending.WAITING): 1}
    assert total.referral_count == 6
    assert total.referrals_by_kind() == {Kind.INDIVIDUAL: 5, Kind.EHCP: 1}
    assert (total.reviews_due, total.reviews_overdue) == (2, 1)
