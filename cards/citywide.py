"""The citywide card: every cluster's money, referrals, reviews, Capital Fund and impact, and the city's total.

Each chart has a table of the same figures as its fallback (``cards.charts``), and every table ends with the
city's total. A city with many clusters shows the first clusters by name in the card and says how many more
the spreadsheet holds, so the card stays well inside Teams' message size; totals always cover every cluster.
The card shows one section at a time (money, referrals, money approved by kind, spend by area of need and
provision, reviews, the Capital Fund, impact, quality-assurance visits to settings) with a button for each
of the others, so it stays small whatever the city's size; the spreadsheet has every section. The same
sections (:func:`figures_elements`) make the Citywide Meeting's pack.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from cards import verbs
from cards.charts import Element, bars, count_bars, donut, grouped_bars, pounds, stacked_counts, with_figures
from cards.citywide_spend import spend_elements
from cards.common import Card, card, execute, facts, heading, text
from cards.funding import basis_elements
from cluster.capital_fund import STAGE_TITLES
from cluster.citywide import ENDING_TITLES, SHORT_KIND_TITLES, City, Ending, Figures
from cluster.citywide_small import DUE, OVERDUE, CityCounts, city_counts
from cluster.commands.citywide import ShowCitywide
from cluster.commands.inputs import data_for
from cluster.funding import Part
from cluster.impact import RATING_TITLES, Rating
from cluster.provision import format_pence
from cluster.referrals import Kind
from cluster.small_numbers import ALL, HIDDEN_TEXT, SMALLEST

MAX_CLUSTER_ROWS = 12  # clusters named in the card's tables; the spreadsheet has them all
MAX_CHART_GROUPS = 12  # clusters drawn side by side in a chart before it stops being readable
MONEY_KINDS = (Kind.INDIVIDUAL, Kind.PROJECT, Kind.EHCP, Kind.CAPITAL)  # discussions ask for no money


def _section(title: str) -> Element:
    return text(title, weight="Bolder", size="Medium", separator=True)


def _shown(city: City) -> tuple[Sequence[Figures], int]:
    shown = city.clusters[:MAX_CLUSTER_ROWS]
    return shown, len(city.clusters) - len(shown)


def _more(hidden: int) -> list[Element]:
    if not hidden:
        return []
    return [text(f"And {hidden} more clusters: the spreadsheet has every one. The totals count them all.", subtle=True)]


def _money_rows(rows: Sequence[Figures], total: Figures) -> list[list[str]]:
    return [
        [
            f.name if f.budget or f is total else f"{f.name} (no budget covers today)",
            format_pence(f.money.allocated),
            format_pence(f.money.committed),
            format_pence(f.money.paid),
            format_pence(f.money.available),
            format_pence(f.money.reserve_left),
        ]
        for f in (*rows, total)
    ]


MONEY_COLUMNS = ("Cluster", "Allocated", "Committed", "Paid", "Available", "Reserve left")


def _money(city: City) -> list[Element]:
    total = city.total
    shown, hidden = _shown(city)
    rows = _money_rows(shown, total)
    money = total.money
    elements = [
        _section("Money: the budgets covering today"),
        donut(
            "The city's money",
            [
                ("Paid", pounds(money.paid)),
                ("Committed, not yet paid", pounds(money.unpaid)),
                ("Available", pounds(money.available)),
                ("Reserve left", pounds(money.reserve_left)),
            ],
            ("Figure", "Amount"),
            [
                ["Allocated", format_pence(money.allocated)],
                ["Committed", format_pence(money.committed)],
                ["Paid", format_pence(money.paid)],
                ["Committed, not yet paid", format_pence(money.unpaid)],
                ["Available", format_pence(money.available)],
                ["Reserve left", format_pence(money.reserve_left)],
            ],
        ),
    ]
    charted = shown[:MAX_CHART_GROUPS]
    elements.append(
        grouped_bars(
            "Each cluster's money (£)",
            [f.name for f in charted],
            [
                ("Committed", [pounds(f.money.committed) for f in charted]),
                ("Paid", [pounds(f.money.paid) for f in charted]),
                ("Available", [pounds(f.money.available) for f in charted]),
                ("Reserve left", [pounds(f.money.reserve_left) for f in charted]),
            ],
            MONEY_COLUMNS,
            rows,
            y_title="£",
            total_last=True,
        )
    )
    return elements + _more(hidden) + _basis(city)


def _basis(city: City) -> list[Element]:
    """How the budgets were worked out: the formula covering the day, as each cluster's budget card says it."""
    if city.funding is None:
        return []
    year = city.funding
    return basis_elements(
        year.label, year.formula, [(f.cluster, {p: f.pence(p) for p in Part}, f.total_pence) for f in year.funding]
    )


def _referrals(city: City) -> list[Element]:
    counts = city_counts(city).referrals
    shown, hidden = _shown(city)
    endings = list(Ending)
    kind_rows = [
        [SHORT_KIND_TITLES[k], counts.text((ALL, k, ALL)), *(counts.text((ALL, k, e)) for e in endings)] for k in Kind
    ]
    kind_rows.append(["Total", counts.text((ALL, ALL, ALL)), *(counts.text((ALL, ALL, e)) for e in endings)])
    columns = ("Kind", "Referrals", *(ENDING_TITLES[e] for e in endings))
    keys: list[str | None] = [*(f.name for f in shown), ALL]
    cluster_rows = [
        [name or "Total", counts.text((name, ALL, ALL)), *(counts.text((name, ALL, e)) for e in endings)]
        for name in keys
    ]
    charted = shown[:MAX_CHART_GROUPS]
    return [
        _section(f"Referrals submitted in {city.year}"),
        donut(
            "Referrals by kind",
            [(SHORT_KIND_TITLES[k], float(counts.drawn((ALL, k, ALL)))) for k in Kind],
            columns,
            kind_rows,
            pie=True,
            total_last=True,
        ),
        stacked_counts(
            "Referrals by cluster and where they stand",
            [f.name for f in charted],
            [(ENDING_TITLES[e], [counts.drawn((f.name, ALL, e)) for f in charted]) for e in endings],
            ("Cluster", "Referrals", *(ENDING_TITLES[e] for e in endings)),
            cluster_rows,
            total_last=True,
        ),
        _small_numbers_note(),
        *_more(hidden),
    ]


def _small_numbers_note() -> Element:
    # The rule in one line where the counts are, so no one reads "hidden" as a fault.
    return text(
        f"A count under {SMALLEST}, and any count it could be worked out from, shows as “{HIDDEN_TEXT}”, so no child "
        "can be identified; the totals are exact.",
        subtle=True,
    )


def _approved(city: City) -> list[Element]:
    total = city.total
    shown, hidden = _shown(city)
    rows = [
        [f.name, *(format_pence(f.approved_pence.get(k, 0)) for k in MONEY_KINDS), format_pence(f.approved_total)]
        for f in (*shown, total)
    ]
    return [
        _section(f"Money approved in {city.year}, by kind"),
        donut(
            "Approved by kind (£)",
            [(SHORT_KIND_TITLES[k], pounds(total.approved_pence.get(k, 0))) for k in MONEY_KINDS],
            ("Cluster", *(SHORT_KIND_TITLES[k] for k in MONEY_KINDS), "Total"),
            rows,
            pie=True,
            total_last=True,
        ),
        text(
            "Capital Fund grants are the council's own fund, decided by the Board, not a cluster's budget.", subtle=True
        ),
        *_more(hidden),
    ]


def _reviews(city: City) -> list[Element]:
    counts = city_counts(city).reviews
    shown, hidden = _shown(city)
    charted = shown[:MAX_CHART_GROUPS]
    keys: list[str | None] = [*(f.name for f in shown), ALL]
    rows = [[name or "Total", counts.text((name, DUE)), counts.text((name, OVERDUE))] for name in keys]
    return [
        _section("Reviews due and overdue"),
        stacked_counts(
            "Open reviews due soon and overdue",
            [f.name for f in charted],
            [
                ("Due", [counts.drawn((f.name, DUE)) for f in charted]),
                ("Overdue", [counts.drawn((f.name, OVERDUE)) for f in charted]),
            ],
            ("Cluster", "Due", "Overdue"),
            rows,
            total_last=True,
        ),
        _small_numbers_note(),
        *_more(hidden),
    ]


def _capital(city: City) -> list[Element]:
    total = city.total
    counts = city_counts(city).capital
    stages = [title for title in STAGE_TITLES.values() if total.capital.get(title)]
    if not stages:
        return [_section("Capital Fund applications by stage"), text("No Capital Fund applications yet.")]
    rows = [[title, counts.text((ALL, title))] for title in stages]
    rows.append(["Total", counts.text((ALL, ALL))])
    shown, hidden = _shown(city)
    keys: list[str | None] = [*(f.name for f in shown), ALL]
    by_cluster = [[name or "Total", counts.text((name, ALL))] for name in keys]
    return [
        _section("Capital Fund applications by stage"),
        donut(
            "Applications by stage",
            [(title, float(counts.drawn((ALL, title)))) for title in stages],
            ("Stage", "Applications"),
            rows,
            total_last=True,
        ),
        count_bars(
            "Applications by cluster",
            "Applications",
            [(f.name, counts.drawn((f.name, ALL))) for f in shown[:MAX_CHART_GROUPS]],
            ("Cluster", "Applications"),
            by_cluster,
            total_last=True,
        ),
        _small_numbers_note(),
        *_more(hidden),
    ]


IMPACT_KINDS = (Kind.INDIVIDUAL, Kind.PROJECT, Kind.EHCP)  # the kinds whose reviews rate outcomes


def _impact_row(counts: CityCounts, title: str, cluster: str | None, kind: Kind | None) -> list[str]:
    return [
        title,
        *(counts.impact.text((cluster, kind, r)) for r in (Rating.ACHIEVED, Rating.PARTLY, Rating.NOT_ACHIEVED)),
        counts.share_achieved(cluster, kind),
    ]


def _drawn_share(counts: CityCounts, cluster: str) -> float:
    share = counts.share_achieved(cluster, ALL)
    return float(share.rstrip("%")) if share.endswith("%") else 0.0


def _impact(city: City) -> list[Element]:
    total = city.total
    counts = city_counts(city)
    shown, hidden = _shown(city)
    columns = ("", *(RATING_TITLES[r] for r in Rating), "Achieved")
    if not total.impact_of().total:
        return [
            _section(f"Impact: outcomes rated in {city.year}'s reviews"),
            text("No review has rated its outcomes yet this school year."),
        ]
    by_kind = [_impact_row(counts, SHORT_KIND_TITLES[k], ALL, k) for k in IMPACT_KINDS]
    by_kind.append(_impact_row(counts, "Total", ALL, ALL))
    by_cluster = [_impact_row(counts, f.name, f.name, ALL) for f in shown]
    by_cluster.append(_impact_row(counts, "Total", ALL, ALL))
    charted = shown[:MAX_CHART_GROUPS]
    return [
        _section(f"Impact: outcomes rated in {city.year}'s reviews"),
        stacked_counts(
            "Outcomes by kind of referral",
            [SHORT_KIND_TITLES[k] for k in IMPACT_KINDS],
            [(RATING_TITLES[r], [counts.impact.drawn((ALL, k, r)) for k in IMPACT_KINDS]) for r in Rating],
            ("Kind", *columns[1:]),
            by_kind,
            total_last=True,
        ),
        bars(
            "Outcomes achieved by cluster (%)",
            [(f.name, _drawn_share(counts, f.name)) for f in charted],
            ("Cluster", *columns[1:]),
            by_cluster,
            y_title="Outcomes achieved (%)",
            total_last=True,
        ),
        _small_numbers_note(),
        *_more(hidden),
    ]


def _spend(city: City) -> list[Element]:
    shown, hidden = _shown(city)
    return [
        _section(f"Spend in {city.year}: by area of need and by provision"),
        *spend_elements(city, shown, city.total),
        *_more(hidden),
    ]


def _visits(city: City) -> list[Element]:
    """Quality-assurance visits to settings made this school year, and how many were judged a concern, by cluster."""
    total = city.total
    shown, hidden = _shown(city)
    charted = shown[:MAX_CHART_GROUPS]
    rows = [[f.name, str(f.qa_visits - f.qa_concerns), str(f.qa_concerns)] for f in (*shown, total)]
    return [
        _section(f"Quality-assurance visits to settings in {city.year}"),
        text(f"{total.qa_visits} visits made, {total.qa_concerns} of them judged a concern.", subtle=True),
        stacked_counts(
            "Visits made: those judged a concern, and the others",
            [f.name for f in charted],
            [
                ("Other visits", [f.qa_visits - f.qa_concerns for f in charted]),
                ("Concern", [f.qa_concerns for f in charted]),
            ],
            ("Cluster", "Other visits", "Concern"),
            rows,
            total_last=True,
        ),
        *_more(hidden),
    ]


SECTIONS: dict[str, str] = {
    "money": "Money",
    "referrals": "Referrals",
    "approved": "Approved by kind",
    "spend": "Spend by need and provision",
    "reviews": "Reviews",
    "capital": "Capital Fund",
    "impact": "Impact",
    "visits": "Quality-assurance visits",
}
_BUILDERS = {
    "money": _money,
    "referrals": _referrals,
    "approved": _approved,
    "spend": _spend,
    "reviews": _reviews,
    "capital": _capital,
    "impact": _impact,
    "visits": _visits,
}


def section_of(value: object) -> str:
    """The section a card's data names, or the first (money) for anything else: a forged name shows money."""
    return value if isinstance(value, str) and value in SECTIONS else "money"


def figures_elements(city: City, section: str = "money") -> list[Element]:
    """One section's charts, each with its table (the card shows one at a time, to stay small at any size)."""
    return [
        text(
            f"Every cluster's figures on {city.as_of:%-d %B %Y}; referrals and approvals in the school year "
            f"{city.year}. Figures only: no pupil is named.",
            subtle=True,
        ),
        *_with_figures(_BUILDERS[section_of(section)](city)),
    ]


NOTHING_DRAWN = "Nothing to chart yet: every figure is 0."  # what cards.charts says of a chart of noughts
NOTHING_SHOWN = "Nothing to chart: the figures are nought or too few to show."


def _said_truly(element: Element) -> Element:
    # A chart whose figures are all hidden draws noughts; its sentence must not say the figures are 0.
    items = element.get("items")
    nothing = isinstance(items, list) and len(items) > 1 and items[1].get("text") == NOTHING_DRAWN
    if nothing and isinstance(items, list) and f'"{HIDDEN_TEXT}"' in json.dumps(items):
        return {**element, "items": [items[0], {**items[1], "text": NOTHING_SHOWN}, *items[2:]]}
    return element


def _with_figures(elements: list[Element]) -> list[Element]:
    out: list[Element] = []
    for number, element in enumerate(elements):
        if str(element.get("type", "")).startswith("Chart."):
            out += with_figures(element, str(number))
        else:
            out.append(_said_truly(element))
    return out


def _switches(current: str) -> Element:
    return {
        "type": "ActionSet",
        "actions": [
            execute(title, verbs.CITYWIDE, data_for(ShowCitywide, section=key))
            for key, title in SECTIONS.items()
            if key != current
        ],
    }


def citywide_card(city: City, section: str = "money") -> Card:
    """The citywide card at one section, with buttons for the others and the spreadsheet of every figure."""
    current = section_of(section)
    body: list[Element] = [
        heading(f"Citywide: {SECTIONS[current]}"),
        *figures_elements(city, current),
        _switches(current),
    ]
    return card(
        body,
        [
            execute("Spreadsheet of every figure", verbs.CITYWIDE_EXPORT),
            execute("Refresh", verbs.CITYWIDE, data_for(ShowCitywide, section=current)),
        ],
    )


def city_summary(city: City) -> list[Element]:
    """The city's totals in a few lines: the opening of the Citywide Meeting's pack (each section follows it)."""
    total = city.total
    money = total.money
    by_ending = total.referrals_by_ending()
    pairs = [
        ("Allocated", format_pence(money.allocated)),
        ("Committed", format_pence(money.committed)),
        ("Paid", format_pence(money.paid)),
        ("Available", format_pence(money.available)),
        ("Reserve left", format_pence(money.reserve_left)),
        (
            f"Referrals in {city.year}",
            f"{total.referral_count} ({by_ending.get(Ending.APPROVED, 0)} approved, "
            f"{by_ending.get(Ending.WAITING, 0)} waiting)",
        ),
        (f"Approved in {city.year}", format_pence(total.approved_total)),
        ("Reviews due / overdue", f"{total.reviews_due} / {total.reviews_overdue}"),
        ("Capital Fund applications", str(sum(total.capital.values()))),
        (
            "Outcomes achieved",
            f"{total.impact_of().count(Rating.ACHIEVED)} of {total.impact_of().total} rated"
            + (f" ({total.impact_of().share_achieved}%)" if total.impact_of().total else ""),
        ),
    ]
    return [
        facts(pairs),
        text(f"{len(city.clusters)} clusters; each section's charts and tables follow in this channel.", subtle=True),
    ]


def section_card(city: City, section: str, title: str) -> Card:
    """One section of the figures as a card of its own, without buttons (a channel post of the pack)."""
    current = section_of(section)
    return card([heading(f"{title}: {SECTIONS[current]}"), *figures_elements(city, current)])
