"""The citywide counts as they may be shown beyond a cluster: each table protected by the small-numbers rule.

The citywide card, its spreadsheet and the Citywide Meeting's pack print counts from these tables, never from
:class:`cluster.citywide.Figures` directly, so a count under five (or one that would give such a count away)
is hidden in all three alike. Money is shown to the penny (``cluster.spend`` already pools the spend by area
of need and provision); the city's totals are exact.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from cluster.capital_fund import STAGE_TITLES
from cluster.citywide import City, Ending
from cluster.impact import Rating
from cluster.referrals import Kind
from cluster.small_numbers import ALL, HIDDEN_TEXT, Protected, protect

DUE, OVERDUE = "due", "overdue"


@dataclass(frozen=True)
class CityCounts:
    """The city's count tables, protected: keys are (cluster name, ...) with ALL for a margin."""

    referrals: Protected  # (cluster, Kind, Ending)
    impact: Protected  # (cluster, Kind, Rating)
    reviews: Protected  # (cluster, DUE or OVERDUE)
    capital: Protected  # (cluster, stage title)

    def share_achieved(self, cluster: str | None, kind: Kind | None) -> str:
        """The percentage of outcomes achieved, or "hidden" when the counts it comes from are (or "-": none rated)."""
        achieved = self.impact.shown((cluster, kind, Rating.ACHIEVED))
        rated = self.impact.shown((cluster, kind, ALL))
        if achieved is None or rated is None:
            return HIDDEN_TEXT
        if not rated:
            return "-"
        return f"{(achieved * 200 + rated) // (rated * 2)}%"


def city_counts(city: City) -> CityCounts:
    """Protect every count table of the city's figures (the grand totals stay exact)."""
    names = tuple(f.name for f in city.clusters)
    referrals: dict[tuple[Hashable, ...], int] = {}
    impact: dict[tuple[Hashable, ...], int] = {}
    reviews: dict[tuple[Hashable, ...], int] = {}
    capital: dict[tuple[Hashable, ...], int] = {}
    for f in city.clusters:
        referrals.update({(f.name, kind, ending): n for (kind, ending), n in f.referrals.items()})
        impact.update({(f.name, kind, rating): n for (kind, rating), n in f.impact.items()})
        reviews.update({(f.name, DUE): f.reviews_due, (f.name, OVERDUE): f.reviews_overdue})
        capital.update({(f.name, stage): n for stage, n in f.capital.items()})
    # Every stage the figures name is an axis value, even one the titles lack (so no count falls outside a sum).
    stages = tuple(dict.fromkeys((*STAGE_TITLES.values(), *(key[1] for key in capital))))
    return CityCounts(
        referrals=protect(referrals, (names, tuple(Kind), tuple(Ending))),
        impact=protect(impact, (names, tuple(Kind), tuple(Rating))),
        reviews=protect(reviews, (names, (DUE, OVERDUE))),
        capital=protect(capital, (names, stages)),
    )
