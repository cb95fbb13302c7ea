"""The citywide card's spend section: what the clusters' money bought, by area of need and by provision.

The city's tables come already protected (``cluster.spend``: small groups pooled, typed provisions never
named); each cluster is shown only by where its provision rows came from. Every table ends with the total
money approved from the clusters' budgets this school year, so it agrees with the "Approved by kind" section.
"""

from __future__ import annotations

from collections.abc import Sequence

from cards.charts import Element, count_bars, donut, grouped_bars, pounds
from cards.common import text
from cluster.citywide import City, Figures
from cluster.provision import format_pence
from cluster.spend import SMALLEST_GROUP, SOURCE_TITLES, Group, Source

MAX_PROVISIONS = 15  # provisions named in the card (most spent first); the spreadsheet has every one shown
WITHHELD = "Not shown: too few referrals"


def _rows(groups: Sequence[Group]) -> list[list[str]]:
    return [[g.title, str(g.referrals), format_pence(g.pence)] for g in groups]


def _tail(city: City, shown: Sequence[Group]) -> list[list[str]]:
    """The lines after a table's groups: the referrals without a map, anything withheld, and the total."""
    spend = city.spend
    rows = _rows([spend.no_map] if spend.no_map else [])
    withheld = spend.total_pence - sum(g.pence for g in shown) - (spend.no_map.pence if spend.no_map else 0)
    if withheld:
        rows.append([WITHHELD, "", format_pence(withheld)])
    rows.append(["Total", "", format_pence(spend.total_pence)])
    return rows


def by_area(city: City) -> Element:
    """The city's spend by area of need, as a pie with its table."""
    groups = city.spend.by_area
    unmapped = [city.spend.no_map] if city.spend.no_map else []
    return donut(
        "Spend by area of need (£)",
        [(g.title, pounds(g.pence)) for g in (*groups, *unmapped)],
        ("Area of need", "Referrals", "Spend"),
        [*_rows(groups), *_tail(city, groups)],
        pie=True,
        total_last=True,
    )


def by_provision(city: City) -> Element:
    """The city's spend by provision, the most spent first, as bars with their table."""
    groups = city.spend.by_provision
    named = list(groups[:MAX_PROVISIONS])
    rest = groups[MAX_PROVISIONS:]
    if rest:
        named.append(
            Group("More provisions (in the spreadsheet)", sum(g.referrals for g in rest), sum(g.pence for g in rest))
        )
    return count_bars(
        "Spend by provision (£)",
        "Spend (£)",
        [(g.title, round(pounds(g.pence))) for g in named],
        ("Provision", "Referrals", "Spend"),
        [*_rows(named), *_tail(city, groups)],
        total_last=True,
    )


def source_row(f: Figures) -> list[str]:
    """A cluster's spend by where its provision rows came from, and its total."""
    return [f.name, *(format_pence(f.spend_by_source.get(s, 0)) for s in Source), format_pence(f.spend_total)]


def spend_elements(city: City, shown: Sequence[Figures], total: Figures) -> list[Element]:
    """The section: by area of need and by provision for the city, then each cluster by source."""
    charted = list(shown)
    return [
        text(
            f"The money clusters approved in {city.year}, shared across each referral's provision map by its rows' "
            f"costs. For the whole city only; a group resting on fewer than {SMALLEST_GROUP} referrals is not "
            "shown on its own, and a provision not in the document is never named.",
            subtle=True,
        ),
        by_area(city),
        by_provision(city),
        grouped_bars(
            "Each cluster's spend: the document's provisions against others (£)",
            [f.name for f in charted],
            [(SOURCE_TITLES[s], [pounds(f.spend_by_source.get(s, 0)) for f in charted]) for s in Source],
            ("Cluster", *(SOURCE_TITLES[s] for s in Source), "Total"),
            [source_row(f) for f in (*shown, total)],
            y_title="£",
            total_last=True,
        ),
    ]
