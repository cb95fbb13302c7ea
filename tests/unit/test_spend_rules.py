"""The spend rules: sharing a decision across its provision rows to the penny, and pooling small groups."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cluster.spend import Group, Part, grouped, protected, shares

POOL = "Other"


def test_a_decision_is_shared_across_its_rows_in_proportion_to_their_costs() -> None:
    assert shares(1000, [300, 700]) == [300, 700]
    assert shares(42750, [42750]) == [42750]


def test_the_pence_left_over_go_to_the_largest_remainders_so_the_shares_add_up_exactly() -> None:
    assert shares(100, [1, 1, 1]) == [34, 33, 33]
    assert shares(1001, [1, 2]) == [334, 667]


def test_an_approval_for_less_than_the_map_is_shared_in_the_same_proportions() -> None:
    assert shares(500, [600, 400]) == [300, 200]


def test_rows_that_cost_nothing_share_the_decision_equally() -> None:
    assert shares(10, [0, 0]) == [5, 5]


def test_a_negative_amount_is_refused() -> None:
    with pytest.raises(ValueError):
        shares(-1, [1])


@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=12))
def test_shares_always_add_up_to_the_decision(amount: int, weights: list[int]) -> None:
    split = shares(amount, weights)
    assert sum(split) == amount and all(s >= 0 for s in split)


def test_a_group_counts_each_referral_once_however_many_rows_it_has() -> None:
    [group] = grouped([Part("CI", 1, 100), Part("CI", 1, 50), Part("CI", 2, 25)])
    assert group == Group("CI", 2, 175)


def test_groups_of_five_referrals_or_more_are_shown_as_they_are() -> None:
    groups = [Group("CI", 5, 500), Group("SEMH", 9, 900)]
    assert protected(groups, POOL) == [Group("SEMH", 9, 900), Group("CI", 5, 500)]


def test_small_groups_are_pooled_into_one_line_that_names_none_of_them() -> None:
    groups = [Group("CI", 9, 900), Group("SP", 3, 300), Group("CL", 2, 200)]
    assert protected(groups, POOL) == [Group("CI", 9, 900), Group(POOL, 5, 500, pooled=True)]


def test_a_pool_too_small_to_show_takes_in_the_smallest_group_shown_so_nothing_can_be_worked_out() -> None:
    groups = [Group("CI", 9, 900), Group("SEMH", 6, 600), Group("SP", 1, 100)]
    assert protected(groups, POOL) == [Group("CI", 9, 900), Group(POOL, 7, 700, pooled=True)]


def test_a_city_resting_on_too_few_referrals_shows_no_group_at_all() -> None:
    assert protected([Group("CI", 2, 200), Group("SP", 1, 100)], POOL) == []
