"""Examples of the citywide card: four clusters (one without a budget), a city with nothing yet, and a big city."""

from __future__ import annotations

from datetime import date
from typing import Any

from cards.citywide import SECTIONS, citywide_card
from cards.citywide_pack import pack_cards
from cluster.capital_fund import STAGE_TITLES, Stage
from cluster.citywide import City, Ending, Figures, Money
from cluster.impact import Rating
from cluster.referrals import Kind
from cluster.spend import NO_MAP, POOLED_AREAS, POOLED_PROVISIONS, Group, Source, Spend
from tests.support.citywide_meeting_gallery import PACK

AS_OF = date(2026, 12, 2)


def figures(name: str, scale: int, budget: str | None = "2026/27") -> Figures:
    """A cluster's made-up figures, ``scale`` telling clusters apart."""
    if budget is None:
        return Figures(name=name, referrals={(Kind.INDIVIDUAL, Ending.WAITING): scale})
    return Figures(
        name=name,
        budget=budget,
        money=Money(
            allocated=100_000_00 * scale,
            committed=12_345_67 * scale,
            paid=4_000_01 * scale,
            available=80_000_00 * scale,
            reserve_left=7_654_33 * scale,
        ),
        referrals={
            (Kind.INDIVIDUAL, Ending.APPROVED): 3 * scale,
            (Kind.INDIVIDUAL, Ending.DECLINED): 1,
            (Kind.PROJECT, Ending.DEFERRED): scale,
            (Kind.EHCP, Ending.APPROVED): 1,
            (Kind.DISCUSSION, Ending.ADVICE): 2,
            (Kind.CAPITAL, Ending.WAITING): 1,
            (Kind.INDIVIDUAL, Ending.WITHDRAWN): 1,
        },
        approved_pence={Kind.INDIVIDUAL: 9_000_00 * scale, Kind.EHCP: 3_345_67, Kind.CAPITAL: 12_000_00},
        reviews_due=scale,
        reviews_overdue=scale - 1,
        capital={STAGE_TITLES[Stage.SCORING]: 1, STAGE_TITLES[Stage.APPROVED]: scale},
        impact={
            (Kind.INDIVIDUAL, Rating.ACHIEVED): 4 * scale,
            (Kind.INDIVIDUAL, Rating.PARTLY): scale,
            (Kind.INDIVIDUAL, Rating.NOT_ACHIEVED): 1,
            (Kind.EHCP, Rating.ACHIEVED): 2,
            (Kind.PROJECT, Rating.PARTLY): 3,
        },
        spend_by_source={
            Source.DOCUMENT: 6_000_00 * scale,
            Source.OTHER: 3_000_00 * scale,
            Source.NO_MAP: 3_345_67,
        },
        qa_visits=2 * scale,
        qa_concerns=scale - 1,
    )


FOUR = City(
    as_of=AS_OF,
    year="2026/27",
    clusters=(figures("Central", 3), figures("North", 1), figures("South", 2), figures("West", 1, budget=None)),
    # Central, North and South's spend (West has no budget) as ``cluster.spend.protected`` leaves it.
    spend=Spend(
        by_area=(
            Group("Communication and interaction", 9, 30_000_00),
            Group("Social, emotional and mental health", 6, 18_000_00),
            Group(POOLED_AREAS, 5, 6_000_00, pooled=True),
        ),
        by_provision=(
            Group("Speech and language group", 8, 24_000_00),
            Group("Provisions not in the document", 7, 18_000_00),
            Group(POOLED_PROVISIONS, 6, 12_000_00, pooled=True),
        ),
        no_map=Group(NO_MAP, 3, 10_037_01),
        total_pence=64_037_01,
    ),
)


def citywide_gallery() -> dict[str, dict[str, Any]]:
    """The citywide cards the bot can send."""
    return {
        **{f"citywide_{section}": citywide_card(FOUR, section) for section in SECTIONS},
        **{f"citywide_pack_part_{n}": part for n, part in enumerate(pack_cards(PACK, FOUR))},
        "citywide_empty": citywide_card(City(as_of=AS_OF, year="2026/27", clusters=(Figures(name="Central"),))),
    }
