"""What the finance exports hold, per cluster or citywide: budgets, allocations, instalments, capital.

Plain views of the budgets, the allocations, the instalments (each, and by term) and the Capital Fund
applications, built by ``usecases.finance`` and written by ``reports.finance``.

The figures are the ledger's: an allocation's paid, due and cancelled parts are its instalments', and a
budget's committed and paid figures are the sums over the allocations its period covers, so the exports
agree with the budget card to the penny.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from cluster.budget import Position
from cluster.decisions import Outcome, Schedule
from cluster.errors import Refusal
from cluster.ledger import InstalmentState, InstalmentView, Totals, totals
from cluster.referrals import Kind
from cluster.terms import Term, next_term, term_of


@dataclass(frozen=True)
class BudgetLine:
    """A cluster's budget covering the export's day, and where it stands by the ledger."""

    cluster: str
    label: str
    starts: date
    ends: date
    position: Position


@dataclass(frozen=True)
class AllocationLine:
    """One funded decision: what was approved, how it is paid, and what of it is paid, due or cancelled."""

    decision_id: int
    cluster: str
    reference: str
    setting: str
    kind: Kind
    meeting_day: date
    decided_on: date
    outcome: Outcome
    amount_pence: int
    reserve_drawn: bool
    schedule: Schedule | None
    review_date: date | None
    budget: str  # the label of the budget whose period covers the decision ("" when none does)
    ledger: Totals

    @property
    def stage(self) -> str:
        """Where the allocation stands: paying, paid in full, or stopped by its review."""
        if self.ledger.cancelled:
            return "Stopped at review"
        if self.ledger.due == 0:
            return "Paid in full"
        return "Paying"


@dataclass(frozen=True)
class TermLine:
    """A cluster's instalments that fall in one term: how many, and their amounts by state."""

    cluster: str
    term: str
    starts: date | None
    count: int
    ledger: Totals


@dataclass(frozen=True)
class CapitalStage:
    """A Capital Fund application and where it stands."""

    cluster: str
    reference: str
    setting: str
    requested_pence: int
    stage: str
    decided_pence: int | None = None  # the Board's amount: 0 when declined, None while undecided
    released_pence: int | None = None  # None until released


@dataclass(frozen=True)
class FinanceView:
    """Everything one finance export holds: ``scope`` is "Central cluster" or "Citywide"."""

    scope: str
    generated_at: datetime
    budgets: tuple[BudgetLine, ...]
    allocations: tuple[AllocationLine, ...]
    instalments: tuple[InstalmentView, ...]
    terms: tuple[TermLine, ...]
    capital: tuple[CapitalStage, ...]


OUTSIDE_TERMS = "After the loaded term dates"


def _term_for(terms: Sequence[Term], day: date) -> Term | None:
    """The term an instalment is paid in: the one its day falls in, else the next (a holiday's payment)."""
    found = term_of(terms, day)
    if found is not None:
        return found
    try:
        return next_term(terms, day)
    except Refusal:
        return None


def by_term(instalments: Iterable[InstalmentView], terms: Sequence[Term]) -> tuple[TermLine, ...]:
    """Each cluster's instalments grouped by the term they fall in, in cluster then term order."""
    groups: dict[tuple[str, date | None, str], list[InstalmentView]] = {}
    for item in instalments:
        term = _term_for(terms, item.due_on)
        key = (item.cluster, term.starts if term else None, term.label if term else OUTSIDE_TERMS)
        groups.setdefault(key, []).append(item)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or date.max))
    return tuple(
        TermLine(cluster, label, starts, len(items), totals((i.state, i.amount_pence) for i in items))
        for (cluster, starts, label), items in ordered
    )


def ledger_of(instalments: Iterable[InstalmentView]) -> dict[int, Totals]:
    """Each decision's instalments added up by state."""
    pairs: dict[int, list[tuple[InstalmentState, int]]] = {}
    for item in instalments:
        pairs.setdefault(item.decision_id, []).append((item.state, item.amount_pence))
    return {decision: totals(found) for decision, found in pairs.items()}
