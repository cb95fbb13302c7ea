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

Loaded term dates run out: :func:`terms_warning` says so once the last loaded term ends within six months,
so an officer loads the next year's dates before a decision needs them. :func:`parse_term_rows` reads the
rows of a term-dates file (the shipped JSON, or a CSV an officer loads) and says what is wrong with each.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
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


# How long before the loaded term dates run out that officers are warned (issue 11: six months).
WARN_MONTHS = 6


def _months_later(day: date, months: int) -> date:
    """The same day of the month ``months`` later (the month's last day when it has no such day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_day(terms: Iterable[Term]) -> date | None:
    """The last day of the last loaded term (None when none is loaded)."""
    return max((t.ends for t in terms), default=None)


def terms_warning(terms: Iterable[Term], today: date, months: int = WARN_MONTHS) -> str | None:
    """A warning for officers when the loaded term dates end within ``months`` of today (or none are loaded).

    Instalments are scheduled on term dates, so once they run out no funded decision can be recorded: the
    warning comes early enough for the council's next dates to be loaded first. None when all is well.
    """
    ends = last_day(terms)
    if ends is None:
        return (
            "No school term dates are loaded, so no funded decision can be scheduled for payment. "
            "Load the council's term dates: clusterbot terms import FILE."
        )
    if ends >= _months_later(today, months):
        return None
    when = "ended" if ends < today else "end"
    return (
        f"The school term dates loaded {when} on {ends.day} {ends:%B %Y}. Load the council's dates for the "
        f"school year after (clusterbot terms import FILE) before then: a decision whose payments fall later "
        f"cannot be recorded."
    )


TERM_COLUMNS = ("year", "term", "starts", "ends")


def _day(value: object) -> date:
    text = str(value).strip()
    if "/" in text:  # 03/09/2025, as a spreadsheet saves UK dates
        day, month, year = (int(part) for part in text.split("/"))
        return date(year, month, day)
    return date.fromisoformat(text)


def parse_term_rows(rows: Iterable[Mapping[str, object]]) -> tuple[list[Term], list[str]]:
    """Terms from rows with ``year`` (2025 for 2025/26), ``term``, ``starts`` and ``ends``, and what is wrong.

    Each problem names its row (counting from 1). A term must belong to its year: the autumn term starts in
    the year's first calendar year, spring and summer in the next. The set as a whole is checked by
    :func:`check_terms` (no overlaps) by whoever stores it, together with the terms already loaded.
    """
    terms: list[Term] = []
    problems: list[str] = []
    seen: set[tuple[int, TermName]] = set()
    for number, row in enumerate(rows, start=1):
        missing = [c for c in TERM_COLUMNS if not str(row.get(c, "") or "").strip()]
        if missing:
            problems.append(f"row {number}: {', '.join(missing)} missing")
            continue
        try:
            year = int(str(row["year"]).strip()[:4])
        except ValueError:
            problems.append(f"row {number}: the year must be the school year's first year, such as 2026")
            continue
        try:
            name = TermName(str(row["term"]).strip().lower())
        except ValueError:
            problems.append(f"row {number}: the term must be autumn, spring or summer, not {row['term']!r}")
            continue
        try:
            starts, ends = _day(row["starts"]), _day(row["ends"])
        except (TypeError, ValueError):
            problems.append(f"row {number}: dates must be YYYY-MM-DD (or DD/MM/YYYY)")
            continue
        expected = year if name is TermName.AUTUMN else year + 1
        if starts.year != expected:
            problems.append(
                f"row {number}: the {name.value} term of {year}/{(year + 1) % 100:02d} starts in {expected}, "
                f"not on {starts}"
            )
            continue
        if ends < starts:
            problems.append(f"row {number}: the term ends ({ends}) before it starts ({starts})")
            continue
        if ends - starts > timedelta(days=140):
            problems.append(f"row {number}: a term of more than 20 weeks ({starts} to {ends}) is not a school term")
            continue
        if (year, name) in seen:
            problems.append(f"row {number}: the {name.value} term of {year}/{(year + 1) % 100:02d} is given twice")
            continue
        seen.add((year, name))
        terms.append(Term(starts, ends, name, year))
    return terms, problems
