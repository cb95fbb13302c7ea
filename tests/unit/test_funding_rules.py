"""The funding formula's rules: each part shared between clusters to the penny, the remainder by a stated rule."""

from __future__ import annotations

import pytest

from cluster.errors import Refusal
from cluster.funding import (
    Basis,
    Counts,
    Part,
    PartRule,
    apportion,
    check_formula,
    formula_from_json,
    formula_to_json,
    funding_of,
    share_to_the_penny,
)

CITY = (
    Counts("North", ehcp_pupils=12, settings=10, fixed_share=25),
    Counts("South", ehcp_pupils=30, settings=14, fixed_share=25),
    Counts("East", ehcp_pupils=9, settings=9, fixed_share=25),
    Counts("West", ehcp_pupils=1, settings=4, fixed_share=25),
)


def test_shares_add_up_to_the_amount_exactly() -> None:
    shares = share_to_the_penny(100_000_01, [("A", 1), ("B", 1), ("C", 1)])
    assert sum(shares.values()) == 100_000_01


def test_a_penny_left_over_goes_to_the_share_that_lost_most_in_rounding() -> None:
    # 10p by 1:2 is 3.33p and 6.67p: rounded down 3p and 6p, and B lost more (0.67p), so B gets the penny.
    assert share_to_the_penny(10, [("A", 1), ("B", 2)]) == {"A": 3, "B": 7}


def test_between_equal_losses_the_penny_goes_to_the_cluster_first_by_name() -> None:
    assert share_to_the_penny(2, [("South", 1), ("East", 1), ("North", 1)]) == {"East": 1, "North": 1, "South": 0}


def test_a_cluster_with_no_weight_gets_nothing() -> None:
    assert share_to_the_penny(999, [("A", 0), ("B", 3)]) == {"A": 0, "B": 999}


def test_nothing_to_share_is_shared_as_nothing_even_without_weights() -> None:
    assert share_to_the_penny(0, [("A", 0)]) == {"A": 0}


def test_each_part_is_shared_on_its_own_basis_and_adds_up_to_the_part() -> None:
    formula = check_formula(
        [
            PartRule(Part.BASELINE, 1_000_000_00, Basis.EHCP),
            PartRule(Part.UPLIFT, 250_000_00, Basis.SETTINGS),
            PartRule(Part.SPECIALIST, 100_000_01, Basis.FIXED),
        ],
        CITY,
    )
    funding = apportion(formula)
    for part in Part:
        rule = formula.rule(part)
        assert rule is not None
        assert sum(f.pence(part) for f in funding) == rule.amount_pence
    assert sum(f.total_pence for f in funding) == formula.total_pence == 1_350_000_01
    south = funding_of(formula, "South")
    assert south is not None
    assert south.pence(Part.BASELINE) == 1_000_000_00 * 30 // 52 + 1  # 576,923.07..., and it lost most in rounding
    assert south.pence(Part.UPLIFT) == 250_000_00 * 14 // 37


def test_the_basis_reads_as_a_sentence_with_the_clusters_count_of_the_citys() -> None:
    formula = check_formula([PartRule(Part.BASELINE, 52_00, Basis.EHCP)], CITY)
    west = funding_of(formula, "West")
    assert west is not None
    assert west.shares[0].sentence(52_00) == (
        "The current high-needs spend the cluster approach replaces: £1.00 of £52.00, "
        "by pupils with EHCPs (1 of 52 pupils with EHCPs)"
    )


def test_a_part_shared_by_a_count_no_cluster_has_is_refused_with_what_to_do() -> None:
    with pytest.raises(Refusal, match="no cluster has any pupils with EHCPs: record the counts"):
        check_formula([PartRule(Part.UPLIFT, 1_00, Basis.EHCP)], [Counts("North"), Counts("South")])


def test_a_negative_part_or_count_is_refused() -> None:
    with pytest.raises(Refusal, match="cannot be negative"):
        check_formula([PartRule(Part.UPLIFT, -1, Basis.SETTINGS)], CITY)
    with pytest.raises(Refusal, match="North cluster's counts cannot be negative"):
        check_formula([PartRule(Part.UPLIFT, 1, Basis.SETTINGS)], [Counts("North", settings=-1)])


def test_a_part_given_twice_is_refused() -> None:
    with pytest.raises(Refusal, match="given twice"):
        check_formula([PartRule(Part.UPLIFT, 1, Basis.SETTINGS), PartRule(Part.UPLIFT, 2, Basis.FIXED)], CITY)


def test_a_formula_reads_back_as_it_was_written() -> None:
    formula = check_formula([PartRule(Part.SPECIALIST, 7_00, Basis.FIXED)], CITY)
    assert formula_from_json(formula_to_json(formula)) == formula
