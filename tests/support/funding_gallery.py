"""The funding formula's cards for the gallery: the officer's card (a year, none, a refusal) and a budget's basis."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from cards.budget import budget_card
from cards.funding import funding_card
from cluster.budget import BudgetRule, Position
from cluster.clock import LONDON
from cluster.funding import Basis, Change, Counts, Part, PartRule, YearView, apportion, check_formula, funding_of
from usecases.funding_basis import basis_sentences

FORMULA = check_formula(
    [
        PartRule(Part.BASELINE, 1_000_000_00, Basis.EHCP),
        PartRule(Part.UPLIFT, 250_000_00, Basis.SETTINGS),
        PartRule(Part.SPECIALIST, 100_000_01, Basis.FIXED),
    ],
    [
        Counts("Central", 12, 10, 25),
        Counts("East", 9, 9, 25),
        Counts("North", 30, 14, 25),
        Counts("West", 1, 4, 25),
    ],
)
YEAR = YearView(
    "2026/27",
    date(2026, 4, 1),
    date(2027, 3, 31),
    FORMULA,
    apportion(FORMULA),
    (
        Change(
            datetime(2026, 3, 2, 10, tzinfo=LONDON), "Olive Officer", "The council's budget for 2026/27.", 1_300_000_00
        ),
        Change(
            datetime(2026, 9, 14, 15, tzinfo=LONDON),
            "Olive Officer",
            "Yearly review: specialist growth fell less than planned.",
            FORMULA.total_pence,
        ),
    ),
)


def funding_gallery() -> dict[str, dict[str, Any]]:
    """The funding formula's cards, by golden file name."""
    central = funding_of(FORMULA, "Central")
    assert central is not None
    rule = BudgetRule(central.pence(Part.BASELINE), central.pence(Part.UPLIFT), central.pence(Part.SPECIALIST), 0)
    return {
        "funding_year": funding_card(YEAR, ("2026/27", "2025/26"), notice="Saved the 2026/27 formula."),
        "funding_none": funding_card(None, ()),
        "funding_refused": funding_card(
            YEAR,
            ("2026/27",),
            values={"uplift": "10", "uplift_by": "ehcp"},
            errors={"form": "The Central cluster's emergency reserve of £50,000.00 would be more than its budget."},
        ),
        "budget_from_formula": budget_card(
            "Central",
            "2026/27",
            YEAR.starts,
            YEAR.ends,
            rule,
            Position(rule.total_pence, 0, 0),
            can_set=False,
            basis=basis_sentences("2026/27", FORMULA, "Central"),
        ),
    }
