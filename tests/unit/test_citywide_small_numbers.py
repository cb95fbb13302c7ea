"""Four clusters with one, two and six EHCP referrals: the citywide card and spreadsheet show nothing under five."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from cards.citywide import figures_elements
from cluster.citywide import City, Ending, Figures
from cluster.citywide_small import city_counts
from cluster.referrals import Kind
from cluster.small_numbers import HIDDEN_TEXT, given_away
from reports.citywide import tables
from tests.support.tables import is_table, table_rows

CITY = City(
    as_of=date(2026, 12, 2),
    year="2026/27",
    clusters=(
        Figures("Central", referrals={(Kind.EHCP, Ending.APPROVED): 1, (Kind.INDIVIDUAL, Ending.APPROVED): 9}),
        Figures("North", referrals={(Kind.EHCP, Ending.APPROVED): 2, (Kind.INDIVIDUAL, Ending.DECLINED): 7}),
        Figures("South", referrals={(Kind.EHCP, Ending.APPROVED): 6, (Kind.INDIVIDUAL, Ending.APPROVED): 8}),
        Figures("West", referrals={(Kind.INDIVIDUAL, Ending.APPROVED): 5, (Kind.INDIVIDUAL, Ending.DECLINED): 6}),
    ),
)
TOTAL = 1 + 9 + 2 + 7 + 6 + 8 + 5 + 6


def _tables(element: Any) -> Iterator[list[list[str]]]:
    if isinstance(element, dict):
        if is_table(element):
            yield table_rows(element)
            return
        for value in element.values():
            yield from _tables(value)
    elif isinstance(element, list):
        for value in element:
            yield from _tables(value)


def _small(cell: object) -> bool:
    return (isinstance(cell, int) and 0 < cell < 5) or (isinstance(cell, str) and cell in {"1", "2", "3", "4"})


def test_no_count_under_five_is_shown_in_the_citywide_cards_referrals() -> None:
    shown = [row for table in _tables(figures_elements(CITY, "referrals")) for row in table]
    assert shown
    assert not [row for row in shown if any(_small(cell) for cell in row[1:])]
    assert next(row for row in shown if row[0] == "EHCP")[1] == "9"  # the city's EHCP referrals: exact, and five+
    assert any(HIDDEN_TEXT in row for row in shown)


def test_no_count_under_five_is_shown_in_the_spreadsheets_referrals() -> None:
    [referrals] = [rows for title, _, rows in tables(CITY) if title == "Referrals"]
    assert not [row for row in referrals if any(_small(cell) for cell in row[2:])]
    ehcp = {row[0]: row[2] for row in referrals if str(row[1]).startswith("EHCP")}
    assert ehcp == {"Central": HIDDEN_TEXT, "North": HIDDEN_TEXT, "South": HIDDEN_TEXT, "Total": 9}


def test_no_hidden_referral_count_can_be_worked_out_from_the_totals() -> None:
    counts = city_counts(CITY).referrals
    axes = (tuple(f.name for f in CITY.clusters), tuple(Kind), tuple(Ending))
    assert given_away(counts, axes) == []


def test_the_citys_totals_stay_exact() -> None:
    [referrals] = [rows for title, _, rows in tables(CITY) if title == "Referrals"]
    assert [row[2] for row in referrals if row[:2] == ("Total", "All kinds")] == [TOTAL]
    shown = [row for table in _tables(figures_elements(CITY, "referrals")) for row in table]
    assert {row[1] for row in shown if row[0] == "Total"} == {str(TOTAL)}
