"""Impact: the outcomes a referral sets, how a review rates each one, and adding the ratings up.

A referral sets its outcomes one per line in its "outcomes" field; a review rates each of them achieved,
partly achieved or not achieved. The citywide view adds the ratings up by kind and by cluster, so the sums
live here, free of the store: a :class:`Tally` per key, from rows that each carry a rating and a count.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, TypeVar

MAX_OUTCOMES = 8  # a review form stays short enough to fill in, and a card stays well under Teams' size limit
OUTCOME_HINT = "One outcome per line"
RATING_FIELD = "outcome_rating_{}"  # the review form's input for outcome n (counted from 1)


class Rating(StrEnum):
    """How far a review found one outcome achieved."""

    ACHIEVED = "achieved"
    PARTLY = "partly"
    NOT_ACHIEVED = "not_achieved"


RATING_TITLES: dict[Rating, str] = {
    Rating.ACHIEVED: "Achieved",
    Rating.PARTLY: "Partly achieved",
    Rating.NOT_ACHIEVED: "Not achieved",
}
RATING_CHOICES: tuple[tuple[str, str], ...] = tuple((r.value, RATING_TITLES[r]) for r in Rating)


# A bullet or number a person may start each line with ("- ", "• ", "2. ", "3) "): the card numbers them itself.
_LIST_MARK = re.compile(r"^(?:[-*•]|\d{1,2}[.)])\s+")


def outcomes_of(text: object) -> list[str]:
    """The outcomes a referral sets: the non-empty lines of its outcomes field, trimmed, in order.

    A leading bullet or number is dropped. Anything that is not text (a referral stored before the field
    existed has None) sets no outcomes.
    """
    if not isinstance(text, str):
        return []
    lines = (_LIST_MARK.sub("", line.strip()).strip() for line in text.splitlines())
    return [line for line in lines if line]


def outcomes_to_rate(details: Mapping[str, object]) -> tuple[str, ...]:
    """The outcomes a review rates, from a referral's answers: none when the referral set none one by one.

    A referral stored before outcomes were limited may set more than a review can rate; its review then
    describes them in free text, as one stored before the field existed does.
    """
    outcomes = outcomes_of(details.get("outcomes"))
    return tuple(outcomes) if len(outcomes) <= MAX_OUTCOMES else ()


def too_many_outcomes(text: object) -> str | None:
    """The field message when more outcomes are set than a review can rate, else None."""
    count = len(outcomes_of(text))
    if count > MAX_OUTCOMES:
        return f"Set at most {MAX_OUTCOMES} outcomes, one per line (there are {count})."
    return None


def rating_field(position: int) -> str:
    """The review form's input name for the outcome at ``position`` (1 for the first)."""
    return RATING_FIELD.format(position)


def ratings_in(answers: Mapping[str, object], count: int) -> list[Rating | None]:
    """The rating stored for each of ``count`` outcomes in a review's answers (None where there is none)."""
    found: list[Rating | None] = []
    for position in range(1, count + 1):
        value = answers.get(rating_field(position))
        found.append(Rating(value) if isinstance(value, str) and value in RATING_TITLES else None)
    return found


@dataclass(frozen=True)
class Tally:
    """How many outcomes were rated each way."""

    counts: Mapping[Rating, int] = field(default_factory=dict)

    def count(self, rating: Rating) -> int:
        """How many outcomes were given ``rating``."""
        return self.counts.get(rating, 0)

    @property
    def total(self) -> int:
        """How many outcomes were rated."""
        return sum(self.counts.values())

    @property
    def share_achieved(self) -> int:
        """The percentage fully achieved, to the nearest whole number (halves up); 0 when nothing was rated."""
        if not self.total:
            return 0
        return (self.count(Rating.ACHIEVED) * 200 + self.total) // (self.total * 2)

    def __add__(self, other: Tally) -> Tally:
        """The two tallies together."""
        return Tally({r: self.count(r) + other.count(r) for r in Rating if self.count(r) + other.count(r)})

    @classmethod
    def of(cls, ratings: Iterable[Rating]) -> Tally:
        """A tally of single ratings."""
        counts: dict[Rating, int] = {}
        for rating in ratings:
            counts[rating] = counts.get(rating, 0) + 1
        return cls(counts)


class Counted(Protocol):
    """A row of counted ratings, such as ``ImpactCount``: a rating and how many times it was given."""

    @property
    def rating(self) -> Rating:
        """The rating given."""

    @property
    def count(self) -> int:
        """How many times it was given."""


K = TypeVar("K")
R = TypeVar("R", bound=Counted)


def tally_by(rows: Iterable[R], key: Callable[[R], K]) -> dict[K, Tally]:
    """The rows added up into one tally per key (``key=lambda r: r.kind``), keys in the order first met."""
    tallies: dict[K, dict[Rating, int]] = {}
    for row in rows:
        counts = tallies.setdefault(key(row), {})
        counts[row.rating] = counts.get(row.rating, 0) + row.count
    return {k: Tally(counts) for k, counts in tallies.items()}


@dataclass(frozen=True)
class ImpactCount:
    """How many outcomes of one kind of referral, in one cluster, a review rated one way."""

    cluster_id: int
    kind: str
    rating: Rating
    count: int


@dataclass(frozen=True)
class RatedOutcome:
    """One outcome a referral set, and how its review rated it (None: not rated yet)."""

    position: int
    text: str
    rating: Rating | None


def rated_outcomes(outcomes: Iterable[str], answers: Mapping[str, object]) -> tuple[RatedOutcome, ...]:
    """Each outcome with the rating a review's answers give it."""
    listed = list(outcomes)
    return tuple(
        RatedOutcome(position, text, rating)
        for position, (text, rating) in enumerate(zip(listed, ratings_in(answers, len(listed)), strict=True), 1)
    )


def ratings_line(ratings: Iterable[Rating]) -> str:
    """A review's ratings by outcome number, for places that may not show the outcomes' text.

    '1: Achieved · 2: Partly achieved · 3: Not achieved'; '' when nothing was rated.
    """
    return " · ".join(f"{position}: {RATING_TITLES[rating]}" for position, rating in enumerate(ratings, 1))
