"""The small-numbers rule: counts under five are hidden beyond a cluster, and nothing hidden can be worked out."""

from __future__ import annotations

from itertools import product

from cluster.small_numbers import ALL, HIDDEN_TEXT, given_away, margins, protect

CLUSTERS = ("North", "South", "East", "West")
KINDS = ("EHCP", "Individual pupil")
ENDINGS = ("approved", "declined")

# Four clusters with one, two and six EHCP referrals (and none), and enough individual referrals to show.
COUNTS = {
    ("North", "EHCP", "approved"): 1,
    ("South", "EHCP", "approved"): 2,
    ("East", "EHCP", "approved"): 6,
    ("North", "Individual pupil", "approved"): 7,
    ("South", "Individual pupil", "approved"): 8,
    ("East", "Individual pupil", "declined"): 5,
    ("West", "Individual pupil", "approved"): 9,
    ("West", "Individual pupil", "declined"): 6,
}
AXES = (CLUSTERS, KINDS, ENDINGS)


def test_a_count_of_one_or_two_is_never_shown() -> None:
    table = protect(COUNTS, AXES)
    assert table.shown(("North", "EHCP", "approved")) is None
    assert table.shown(("South", "EHCP", "approved")) is None
    assert table.text(("North", "EHCP", ALL)) == HIDDEN_TEXT


def test_no_hidden_count_can_be_worked_out_from_what_is_shown() -> None:
    table = protect(COUNTS, AXES)
    assert given_away(table, AXES) == []
    # Every count shown is nought or five and more.
    for key, count in table.counts.items():
        if key not in table.hidden:
            assert count == 0 or count >= 5 or key == (ALL, ALL, ALL), key


def test_the_six_ehcp_referrals_are_hidden_too_because_the_citys_nine_would_give_the_three_away() -> None:
    table = protect(COUNTS, AXES)
    # The city's EHCP referrals (9) are shown; 9 less East's 6 would tell North's and South's 3 together.
    assert table.shown((ALL, "EHCP", ALL)) == 9
    assert table.shown(("East", "EHCP", "approved")) is None


def test_the_grand_total_stays_exact_even_when_it_is_small() -> None:
    table = protect({("North", "EHCP", "approved"): 3}, AXES)
    assert table.shown((ALL, ALL, ALL)) == 3
    assert table.shown(("North", ALL, ALL)) is None


def test_the_totals_are_exact_sums_of_every_count() -> None:
    table = protect(COUNTS, AXES)
    assert table.shown((ALL, ALL, ALL)) == sum(COUNTS.values())
    assert table.counts[(ALL, "Individual pupil", ALL)] == 35


def test_a_nought_is_shown_and_identifies_no_one() -> None:
    table = protect(COUNTS, AXES)
    assert table.shown(("West", "EHCP", ALL)) == 0


def test_margins_add_every_axis_up() -> None:
    exact = margins({("a", "x"): 2, ("b", "x"): 3}, (("a", "b"), ("x", "y")))
    assert exact[(ALL, "x")] == 5
    assert exact[("a", ALL)] == 2
    assert exact[(ALL, "y")] == 0


def test_no_hidden_count_in_a_small_table_has_only_one_possible_value() -> None:
    # Brute force over a two-by-three table: every hidden cell could hold two values that fit all that is shown.
    rows, cols = ("a", "b"), ("x", "y", "z")
    counts = {("a", "x"): 1, ("a", "y"): 6, ("a", "z"): 7, ("b", "x"): 8, ("b", "y"): 9, ("b", "z"): 5}
    table = protect(counts, (rows, cols))
    inner = [(r, c) for r in rows for c in cols]
    unknown = [k for k in inner if k in table.hidden]
    assert unknown

    def fits(values: dict[tuple[str, str], int]) -> bool:
        full = margins(values, (rows, cols))
        return all(full[k] == table.counts[k] for k in table.counts if k not in table.hidden)

    seen: dict[tuple[str, str], set[int]] = {k: set() for k in unknown}
    for guess in product(range(12), repeat=len(unknown)):
        trial = {k: counts[k] for k in inner} | dict(zip(unknown, guess, strict=True))
        if fits(trial):
            for k, v in zip(unknown, guess, strict=True):
                seen[k].add(v)
    assert all(len(values) > 1 for values in seen.values()), seen
