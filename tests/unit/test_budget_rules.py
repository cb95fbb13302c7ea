"""The budget rules on their own: the parts, the reserve, what is available and what an approval may take."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cluster.budget import BudgetRule, Position, check_affordable, check_budget, position
from cluster.errors import Refusal

# £80,000 baseline + £12,000 uplift + £10,000 from specialist spend = £102,000, of which £10,000 is reserve.
BUDGET = BudgetRule(80_000_00, 12_000_00, 10_000_00, 10_000_00)


def test_a_budget_is_its_three_parts_added_up() -> None:
    assert BUDGET.total_pence == 102_000_00


def test_the_reserve_is_part_of_the_total_not_extra() -> None:
    assert BUDGET.spendable_pence == 92_000_00


def test_a_budget_is_checked_from_its_parts() -> None:
    assert check_budget(80_000_00, 12_000_00, 10_000_00, 10_000_00) == BUDGET
    assert check_budget(50_000_00, 0, 0).reserve_pence == 0


@pytest.mark.parametrize(
    ("parts", "named"),
    [
        ((-1, 0, 0, 0), "The high-needs baseline cannot be negative."),
        ((0, -1, 0, 0), "The growth uplift cannot be negative."),
        ((0, 0, -1, 0), "The allocation from reduced independent specialist spend cannot be negative."),
        ((1, 0, 0, -1), "The emergency reserve cannot be negative."),
    ],
)
def test_no_part_of_a_budget_can_be_negative(parts: tuple[int, int, int, int], named: str) -> None:
    with pytest.raises(Refusal) as refused:
        check_budget(*parts)
    assert refused.value.message == named


def test_a_reserve_larger_than_the_budget_is_refused() -> None:
    with pytest.raises(Refusal) as refused:
        check_budget(1_000_00, 0, 0, 1_000_01)
    assert refused.value.message == (
        "The emergency reserve of £1,000.01 cannot be more than the budget's total of £1,000.00: "
        "the reserve is part of the budget, not extra."
    )


def test_the_whole_budget_may_be_held_in_reserve() -> None:
    assert check_budget(1_000_00, 0, 0, 1_000_00).spendable_pence == 0


def test_what_is_available_is_worked_out_from_the_commitments() -> None:
    where = position(BUDGET, committed_pence=90_000_00)
    assert where == Position(102_000_00, 10_000_00, 90_000_00)
    assert where.available == 2_000_00
    assert where.available_with_reserve == 12_000_00
    assert where.reserve_left == 10_000_00


def test_a_draw_on_the_reserve_shows_as_reserve_used_never_as_a_negative_available() -> None:
    # The budget card once read "Available now: -£5,488.47" here: available was total - reserve - committed.
    where = position(BUDGET, committed_pence=95_000_00)
    assert where.available == 0
    assert where.reserve_used == 3_000_00
    assert where.reserve_left == 7_000_00
    assert where.available_with_reserve == 7_000_00
    assert where.available + where.reserve_left + where.committed == where.total


def test_the_whole_reserve_used_leaves_nothing_and_a_lowered_budget_shows_how_far_it_is_over() -> None:
    full = position(BUDGET, committed_pence=102_000_00)
    assert (full.available, full.reserve_used, full.reserve_left, full.over_budget) == (0, 10_000_00, 0, 0)
    lowered = position(BUDGET, committed_pence=110_000_00)
    assert (lowered.available, lowered.reserve_left, lowered.available_with_reserve) == (0, 0, 0)
    assert lowered.over_budget == 8_000_00


@given(st.integers(min_value=0, max_value=102_000_00), st.integers(min_value=0, max_value=100))
def test_available_reserve_left_and_committed_make_up_the_budget(committed: int, paid_percent: int) -> None:
    paid = committed * paid_percent // 100
    where = position(BUDGET, committed_pence=committed, paid_pence=paid)
    assert where.available >= 0 and where.reserve_left >= 0 and where.reserve_used >= 0
    assert where.available + where.reserve_left + where.committed == where.allocated
    assert where.paid + where.unpaid == where.committed


def test_an_agenda_shows_what_would_be_left_if_every_request_were_approved() -> None:
    where = position(BUDGET, committed_pence=85_000_00, requested_pence=9_000_00)
    assert where.requested == 9_000_00
    assert where.available_after_requests == -2_000_00


def test_commitments_and_requests_cannot_be_negative() -> None:
    with pytest.raises(ValueError):
        position(BUDGET, -1)
    with pytest.raises(ValueError):
        position(BUDGET, 0, -1)
    with pytest.raises(ValueError):
        position(BUDGET, 0, 0, -1)


def test_an_approval_within_the_available_budget_does_not_touch_the_reserve() -> None:
    assert check_affordable(BUDGET, 90_000_00, 2_000_00, draw_on_reserve=False) is False


def test_choosing_the_reserve_when_it_is_not_needed_does_not_draw_on_it() -> None:
    assert check_affordable(BUDGET, 0, 1_000_00, draw_on_reserve=True) is False


def test_an_approval_past_the_available_budget_is_refused_with_the_figures() -> None:
    with pytest.raises(Refusal) as refused:
        check_affordable(BUDGET, 90_000_00, 5_000_00, draw_on_reserve=False)
    assert refused.value.message == (
        "Approving £5,000.00 would take commitments to £95,000.00, past the £92,000.00 available. "
        "The emergency reserve holds £10,000.00 more: the chair can choose to draw on it."
    )


def test_the_chair_can_draw_on_the_emergency_reserve() -> None:
    assert check_affordable(BUDGET, 90_000_00, 5_000_00, draw_on_reserve=True) is True


def test_the_refusal_says_what_is_left_in_a_reserve_already_drawn_on() -> None:
    with pytest.raises(Refusal, match=r"The emergency reserve holds £7,000\.00 more"):
        check_affordable(BUDGET, 95_000_00, 1_000_00, draw_on_reserve=False)


def test_an_approval_that_uses_the_reserve_to_the_last_penny_is_allowed() -> None:
    assert check_affordable(BUDGET, 90_000_00, 12_000_00, draw_on_reserve=True) is True


def test_an_approval_past_the_budget_even_with_the_reserve_is_refused() -> None:
    for draw in (False, True):
        with pytest.raises(Refusal) as refused:
            check_affordable(BUDGET, 90_000_00, 12_000_01, draw_on_reserve=draw)
        assert refused.value.message == (
            "Approving £12,000.01 would take commitments to £102,000.01, "
            "past the £102,000.00 available even with the emergency reserve."
        )


def test_a_budget_without_a_reserve_refuses_without_mentioning_one() -> None:
    no_reserve = BudgetRule(50_000_00, 0, 0)
    assert check_affordable(no_reserve, 49_000_00, 1_000_00, draw_on_reserve=False) is False
    with pytest.raises(Refusal) as refused:
        check_affordable(no_reserve, 49_000_00, 1_000_01, draw_on_reserve=True)
    assert refused.value.message == (
        "Approving £1,000.01 would take commitments to £50,000.01, past the £50,000.00 available."
    )


def test_negative_commitments_or_amounts_are_a_bug() -> None:
    with pytest.raises(ValueError):
        check_affordable(BUDGET, -1, 0, draw_on_reserve=False)
    with pytest.raises(ValueError):
        check_affordable(BUDGET, 0, -1, draw_on_reserve=False)
