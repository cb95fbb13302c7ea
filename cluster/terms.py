"""The council's school terms, and when a revenue allocation's instalments fall on them.

A school year has three terms (autumn, spring, summer); the council publishes each term's first and last
day. Those dates are data: shipped for the current and next school years, loaded by a council officer after
that. A funded decision is paid from the term after the decision:

- **one sum**: all of it on the first day of the next term;
- **termly**: the first instalment on the first day of the next term, then one on the first day of each
  following term that starts before the review date; equal shares in whole pence, the odd pence going to
  the earliest instalments, so the instalments add up to the amount exactly. An amount too small to give
  every instalment a penny is paid in fewer instalments.

A decision made on a term's first day is paid from the *next* term: the money follows the decision, never
lands on the day it is made.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import pairwise

from cluster.errors import Refusal


class TermName(StrEnum):
    """The three terms of an English school year."""

    AUTUMN = "autumn"
    SPRING = "spring"
    SUMMER = "summer"


@dataclass(frozen=True, order=True)
class Term:
    """One school term: its first and last day, and the school year it belongs to (``2026`` for 2026/27)."""

    starts: date
    ends: date
    name: TermName
    year: int

    @property
    def label(self) -> str:
        """How people say it: "Spring term 2027"."""
        return f"{self.name.value.capitalize()} term {self.starts.year}"


NO_TERM_DATES = (
    "There are no school term dates loaded after {day}, so I cannot work out when this would be paid. "
    "A council officer loads the council's term dates (clusterbot terms import)."
)


def check_terms(terms: Iterable[Term]) -> tuple[Term, ...]:
    """The terms in order, refusing a set in which a term ends before it starts or two terms overlap."""
    ordered = tuple(sorted(terms))
    for term in ordered:
        if term.ends < term.starts:
            raise Refusal(f"The {term.label} ends ({term.ends}) before it starts ({term.starts}).")
    for earlier, later in pairwise(ordered):
        if later.starts <= earlier.ends:
            raise Refusal(f"The {later.label} starts ({later.starts}) before the {earlier.label} ends.")
    return ordered


def next_term(terms: Sequence[Term], after: date) -> Term:
    """The first term that starts strictly after ``after``; refuses when none is loaded."""
    for term in sorted(terms):
        if term.starts > after:
            return term
    raise Refusal(NO_TERM_DATES.format(day=after.strftime("%-d %B %Y")))


def term_of(terms: Sequence[Term], day: date) -> Term | None:
    """The term a day falls in, or None in a holiday or outside the loaded dates."""
    return next((t for t in terms if t.starts <= day <= t.ends), None)


def payment_days(terms: Sequence[Term], termly: bool, decided_on: date, review_date: date) -> list[date]:
    """The days a decision's instalments fall on: the next term's first day, then (termly) each term before review."""
    first = next_term(terms, decided_on)
    if not termly:
        return [first.starts]
    later = [t.starts for t in sorted(terms) if first.starts < t.starts < review_date]
    return [first.starts, *later]


def split(amount_pence: int, days: Sequence[date]) -> list[tuple[date, int]]:
    """``amount_pence`` over ``days`` in whole pence, the odd pence first; fewer days when there are too few pence."""
    if amount_pence < 1:
        raise ValueError("only an amount of at least a penny is paid")
    if not days:
        raise ValueError("an amount is paid on at least one day")
    used = list(days)[:amount_pence]
    share, odd = divmod(amount_pence, len(used))
    return [(day, share + (1 if i < odd else 0)) for i, day in enumerate(used)]


def instalment_plan(
    terms: Sequence[Term], amount_pence: int, termly: bool, decided_on: date, review_date: date
) -> list[tuple[date, int]]:
    """When a funded decision is paid and how much each time (whole pence adding up to the amount)."""
    if review_date <= decided_on:
        raise ValueError("the review date must be after the decision")
    return split(amount_pence, payment_days(terms, termly, decided_on, review_date))


def years_covered(terms: Iterable[Term]) -> tuple[int, ...]:
    """The school years (by their first calendar year) that have all three terms loaded."""
    by_year: dict[int, set[TermName]] = {}
    for term in terms:
        by_year.setdefault(term.year, set()).add(term.name)
    return tuple(sorted(y for y, names in by_year.items() if names == set(TermName)))
