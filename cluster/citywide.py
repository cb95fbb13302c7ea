"""The council's view of the city: each cluster's money, referrals, reviews, Capital Fund and impact, and the total.

Plain figures, no database: the use case (``usecases.citywide``) counts them, the card and the spreadsheet
show them. Every total is the sum of the clusters' own figures, so what the card adds up, the spreadsheet
adds up to the same penny. What is available is each cluster's own (never below nothing), so the city's
available money is the sum of those, not the city's allocation less its commitments: one cluster's
overspend does not hide another's money.

A referral is counted in the school year it was submitted (1 September to 31 August), by where it ended:
approved (in full, for less or with conditions), declined, deferred (waiting for the next meeting), advice
given, withdrawn, or still waiting for a decision. A Capital Fund application ends with the Board's decision,
not a cluster vote.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TypeVar

from cluster.decisions import FUNDED, Outcome
from cluster.funding import YearView
from cluster.impact import Rating, Tally
from cluster.referrals import Kind, State
from cluster.spend import Source, Spend

_K = TypeVar("_K")


class Ending(StrEnum):
    """Where a referral submitted this year stands, for counting."""

    APPROVED = "approved"
    DECLINED = "declined"
    DEFERRED = "deferred"
    ADVICE = "advice"
    WITHDRAWN = "withdrawn"
    WAITING = "waiting"


ENDING_TITLES: dict[Ending, str] = {
    Ending.APPROVED: "Approved",
    Ending.DECLINED: "Declined",
    Ending.DEFERRED: "Deferred",
    Ending.ADVICE: "Advice given",
    Ending.WITHDRAWN: "Withdrawn",
    Ending.WAITING: "Waiting",
}

SHORT_KIND_TITLES: dict[Kind, str] = {
    Kind.INDIVIDUAL: "Individual pupil",
    Kind.PROJECT: "Project",
    Kind.EHCP: "EHCP",
    Kind.CAPITAL: "Capital Fund",
    Kind.DISCUSSION: "Discussion",
}


def ending_of(kind: Kind, state: State, outcome: Outcome | None, board_approved: bool | None) -> Ending:
    """Where a submitted referral stands: its latest decision (the Board's, for the Capital Fund), else its state."""
    if state is State.WITHDRAWN:
        return Ending.WITHDRAWN
    if kind is Kind.CAPITAL:
        if board_approved is None:
            return Ending.WAITING
        return Ending.APPROVED if board_approved else Ending.DECLINED
    if outcome is None:
        return Ending.WAITING
    if outcome in FUNDED:
        return Ending.APPROVED
    return {
        Outcome.DECLINED: Ending.DECLINED,
        Outcome.DEFERRED: Ending.DEFERRED,
        Outcome.ADVICE_ONLY: Ending.ADVICE,
    }[outcome]


def school_year_label(day: date) -> str:
    """The school year a day falls in, as people write it: 2026/27 from 1 September 2026 to 31 August 2027."""
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def school_year_start(day: date) -> date:
    """The 1 September that starts the school year a day falls in."""
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


@dataclass(frozen=True)
class Money:
    """A cluster's budget covering the day, as the budget card shows it (pence), or the city's sum of them."""

    allocated: int = 0
    committed: int = 0
    paid: int = 0
    available: int = 0
    reserve_left: int = 0

    def __add__(self, other: Money) -> Money:
        return Money(
            self.allocated + other.allocated,
            self.committed + other.committed,
            self.paid + other.paid,
            self.available + other.available,
            self.reserve_left + other.reserve_left,
        )

    @property
    def unpaid(self) -> int:
        """What is committed and not yet paid out."""
        return self.committed - self.paid


@dataclass(frozen=True)
class Figures:
    """One cluster's figures (or the city's, added up).

    ``budget`` is the label of the budget covering the day (None: no budget set, and ``money`` is all
    nothing). ``referrals`` counts this school year's referrals by kind and ending; ``approved_pence`` the money
    approved this year by kind (the Board's amount for the Capital Fund); ``capital`` the Capital Fund
    applications by stage title; ``impact`` the outcomes this year's reviews rated, by kind and rating;
    ``spend_by_source`` the money approved this year by where its provision rows came from.
    """

    name: str
    budget: str | None = None
    money: Money = field(default_factory=Money)
    referrals: Mapping[tuple[Kind, Ending], int] = field(default_factory=dict)
    approved_pence: Mapping[Kind, int] = field(default_factory=dict)
    reviews_due: int = 0
    reviews_overdue: int = 0
    capital: Mapping[str, int] = field(default_factory=dict)
    impact: Mapping[tuple[Kind, Rating], int] = field(default_factory=dict)
    # The money approved this school year by where its provision map's rows came from (``cluster.spend``).
    spend_by_source: Mapping[Source, int] = field(default_factory=dict)
    # Quality-assurance visits to settings made this school year, and how many of them were judged a concern.
    qa_visits: int = 0
    qa_concerns: int = 0

    @property
    def spend_total(self) -> int:
        """The money approved this year from the cluster's budgets (the Capital Fund's grants are not)."""
        return sum(self.spend_by_source.values())

    def referrals_by_kind(self) -> dict[Kind, int]:
        """Referrals of each kind this year, whatever their ending."""
        out: Counter[Kind] = Counter()
        for (kind, _), count in self.referrals.items():
            out[kind] += count
        return dict(out)

    def referrals_by_ending(self) -> dict[Ending, int]:
        """Referrals by where they stand this year, whatever their kind."""
        out: Counter[Ending] = Counter()
        for (_, ending), count in self.referrals.items():
            out[ending] += count
        return dict(out)

    @property
    def referral_count(self) -> int:
        """How many referrals were submitted this year."""
        return sum(self.referrals.values())

    @property
    def approved_total(self) -> int:
        """All the money approved this year, in pence."""
        return sum(self.approved_pence.values())

    def impact_of(self, kind: Kind | None = None) -> Tally:
        """How reviews rated the outcomes of one kind of referral (None: every kind)."""
        counts: Counter[Rating] = Counter()
        for (of, rating), count in self.impact.items():
            if kind is None or of is kind:
                counts[rating] += count
        return Tally(dict(counts))


def _summed(maps: Iterable[Mapping[_K, int]]) -> dict[_K, int]:
    out: Counter[_K] = Counter()
    for mapping in maps:
        out.update(mapping)
    return {k: v for k, v in out.items() if v}


def total_of(clusters: Iterable[Figures], name: str = "Total") -> Figures:
    """The city's figures: every cluster's added up (money to the penny, counts exactly)."""
    rows = list(clusters)
    money = Money()
    for row in rows:
        money = money + row.money
    return Figures(
        name=name,
        budget=None,
        money=money,
        referrals=_summed(r.referrals for r in rows),
        approved_pence=_summed(r.approved_pence for r in rows),
        reviews_due=sum(r.reviews_due for r in rows),
        reviews_overdue=sum(r.reviews_overdue for r in rows),
        capital=_summed(r.capital for r in rows),
        impact=_summed(r.impact for r in rows),
        spend_by_source=_summed(r.spend_by_source for r in rows),
        qa_visits=sum(r.qa_visits for r in rows),
        qa_concerns=sum(r.qa_concerns for r in rows),
    )


@dataclass(frozen=True)
class City:
    """Every cluster's figures on a day, in name order, and their total."""

    as_of: date
    year: str
    clusters: tuple[Figures, ...]
    spend: Spend = field(default_factory=Spend)  # the city's, protected: by area of need and by provision
    funding: YearView | None = None  # the funding formula covering the day: each budget's basis (cluster.funding)

    @property
    def total(self) -> Figures:
        """The city's figures, added up from the clusters'."""
        return total_of(self.clusters)
