"""The citywide figures as a spreadsheet: the same figures as the citywide card, every cluster and the total.

Sheets: Money (the budgets covering the day), Referrals (by cluster, kind and where they stand), Approved
(money approved this school year by cluster and kind), Reviews (due and overdue), Capital Fund (applications
by cluster and stage), Impact (outcomes this school year's reviews rated, by cluster, kind and rating), and
the spend: the city's by area of need and by provision (protected as the card is), each cluster's by source.
Each sheet's last rows are the city's total, the sum of the clusters' rows, so it agrees with the card to the
penny.
"""

from __future__ import annotations

from datetime import datetime

from cluster.capital_fund import STAGE_TITLES
from cluster.citywide import ENDING_TITLES, SHORT_KIND_TITLES, City, Ending, Figures
from cluster.clock import LONDON
from cluster.impact import RATING_TITLES, Rating
from cluster.referrals import KIND_TITLES, Kind
from cluster.spend import SOURCE_TITLES, Group, Source
from reports.workbook import Cell, Table, pounds, tables_xlsx

MONEY_KINDS = (Kind.INDIVIDUAL, Kind.PROJECT, Kind.EHCP, Kind.CAPITAL)
IMPACT_KINDS = (Kind.INDIVIDUAL, Kind.PROJECT, Kind.EHCP)  # the kinds whose reviews rate outcomes


def citywide_filename(city: City) -> str:
    """Such as 'Citywide figures 2026-12-02.xlsx'."""
    return f"Citywide figures {city.as_of.isoformat()}.xlsx"


def _rows(city: City) -> tuple[Figures, ...]:
    return (*city.clusters, city.total)


def tables(city: City) -> list[Table]:
    """The spreadsheet's tables: (sheet title, headings, rows), every cluster then the total."""
    endings = list(Ending)
    money: list[tuple[Cell, ...]] = [
        (
            f.name,
            f.budget or "",
            pounds(f.money.allocated),
            pounds(f.money.committed),
            pounds(f.money.paid),
            pounds(f.money.available),
            pounds(f.money.reserve_left),
        )
        for f in _rows(city)
    ]
    referrals: list[tuple[Cell, ...]] = []
    for f in _rows(city):
        for kind in Kind:
            counts = [f.referrals.get((kind, e), 0) for e in endings]
            if any(counts):
                referrals.append((f.name, KIND_TITLES[kind], sum(counts), *counts))
        referrals.append((f.name, "All kinds", f.referral_count, *(f.referrals_by_ending().get(e, 0) for e in endings)))
    approved: list[tuple[Cell, ...]] = [
        (f.name, *(pounds(f.approved_pence.get(k, 0)) for k in MONEY_KINDS), pounds(f.approved_total))
        for f in _rows(city)
    ]
    reviews: list[tuple[Cell, ...]] = [(f.name, f.reviews_due, f.reviews_overdue) for f in _rows(city)]
    stages = list(STAGE_TITLES.values())
    capital: list[tuple[Cell, ...]] = [
        (f.name, *(f.capital.get(s, 0) for s in stages), sum(f.capital.values())) for f in _rows(city)
    ]
    visits: list[tuple[Cell, ...]] = [(f.name, f.qa_visits, f.qa_concerns) for f in _rows(city)]
    ratings = list(Rating)
    impact: list[tuple[Cell, ...]] = []
    for f in _rows(city):
        kinds: tuple[Kind | None, ...] = (*IMPACT_KINDS, None)  # None: every kind
        for of in kinds:
            tally = f.impact_of(of)
            impact.append(
                (
                    f.name,
                    KIND_TITLES[of] if of else "All kinds",
                    *(tally.count(r) for r in ratings),
                    tally.total,
                    tally.share_achieved if tally.total else None,
                )
            )
    return [
        (
            "Money",
            ("Cluster", "Budget", "Allocated (£)", "Committed (£)", "Paid (£)", "Available (£)", "Reserve left (£)"),
            money,
        ),
        ("Referrals", ("Cluster", "Kind", "Referrals", *(ENDING_TITLES[e] for e in endings)), referrals),
        ("Approved", ("Cluster", *(f"{SHORT_KIND_TITLES[k]} (£)" for k in MONEY_KINDS), "Total (£)"), approved),
        ("Reviews", ("Cluster", "Due", "Overdue"), reviews),
        ("Capital Fund", ("Cluster", *stages, "Applications"), capital),
        (
            "Impact",
            ("Cluster", "Kind", *(RATING_TITLES[r] for r in ratings), "Outcomes rated", "Achieved (%)"),
            impact,
        ),
        ("QA visits", ("Cluster", "Visits", "Concerns"), visits),
        *spend_tables(city),
    ]


def _groups(city: City, groups: tuple[Group, ...]) -> list[tuple[Cell, ...]]:
    """A protected spend table's lines, then those without a map, anything withheld, and the total."""
    spend = city.spend
    rows: list[tuple[Cell, ...]] = [(g.title, g.referrals, pounds(g.pence)) for g in groups]
    if spend.no_map:
        rows.append((spend.no_map.title, spend.no_map.referrals, pounds(spend.no_map.pence)))
    withheld = spend.total_pence - sum(g.pence for g in groups) - (spend.no_map.pence if spend.no_map else 0)
    if withheld:
        rows.append(("Not shown: too few referrals", None, pounds(withheld)))
    rows.append(("Total", None, pounds(spend.total_pence)))
    return rows


def spend_tables(city: City) -> list[Table]:
    """The spend sheets: the city by area of need and by provision (protected), each cluster by source."""
    by_source: list[tuple[Cell, ...]] = [
        (f.name, *(pounds(f.spend_by_source.get(s, 0)) for s in Source), pounds(f.spend_total)) for f in _rows(city)
    ]
    return [
        ("Spend by need", ("Area of need", "Referrals", "Spend (£)"), _groups(city, city.spend.by_area)),
        ("Spend by provision", ("Provision", "Referrals", "Spend (£)"), _groups(city, city.spend.by_provision)),
        ("Spend by source", ("Cluster", *(f"{SOURCE_TITLES[s]} (£)" for s in Source), "Total (£)"), by_source),
    ]


def citywide_xlsx(city: City, generated_at: datetime) -> bytes:
    """The citywide figures as a workbook (the same figures give the same bytes)."""
    moment = generated_at.astimezone(LONDON)
    return tables_xlsx(tables(city), f"Citywide figures {city.year} ({city.as_of:%-d %B %Y})", moment)
