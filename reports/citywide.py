"""The citywide figures as a spreadsheet: the same figures as the citywide card, every cluster and the total.

Sheets: Money (the budgets covering the day), Referrals (by cluster, kind and where they stand), Approved
(money approved this school year by cluster and kind), Reviews (due and overdue), Capital Fund (applications
by cluster and stage), Impact (outcomes this school year's reviews rated, by cluster, kind and rating), and
the spend: the city's by area of need and by provision (protected as the card is), each cluster's by source.
Each sheet's last rows are the city's total, the sum of the clusters' rows, so it agrees with the card to the
penny. Counts follow the small-numbers rule (``cluster.small_numbers``) exactly as the card does: a count under
five, or one from which such a count could be worked out, is "hidden"; the totals are exact.
"""

from __future__ import annotations

from datetime import datetime

from cluster.capital_fund import STAGE_TITLES
from cluster.citywide import ENDING_TITLES, SHORT_KIND_TITLES, City, Ending, Figures
from cluster.citywide_small import DUE, OVERDUE, city_counts
from cluster.clock import LONDON
from cluster.impact import RATING_TITLES, Rating
from cluster.referrals import KIND_TITLES, Kind
from cluster.small_numbers import ALL, HIDDEN_TEXT, Key, Protected
from cluster.spend import SOURCE_TITLES, Group, Source
from reports.workbook import Cell, Table, pounds, tables_xlsx

MONEY_KINDS = (Kind.INDIVIDUAL, Kind.PROJECT, Kind.EHCP, Kind.CAPITAL)
IMPACT_KINDS = (Kind.INDIVIDUAL, Kind.PROJECT, Kind.EHCP)  # the kinds whose reviews rate outcomes


def citywide_filename(city: City) -> str:
    """Such as 'Citywide figures 2026-12-02.xlsx'."""
    return f"Citywide figures {city.as_of.isoformat()}.xlsx"


def _count(table: Protected, key: Key) -> Cell:
    """A count as the sheet holds it: the number, or "hidden" (the small-numbers rule)."""
    shown = table.shown(key)
    return HIDDEN_TEXT if shown is None else shown


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
    counts = city_counts(city)
    names: list[str | None] = [*(f.name for f in city.clusters), ALL]
    kinds: tuple[Kind | None, ...] = (*Kind, ALL)  # ALL: every kind
    referrals: list[tuple[Cell, ...]] = []
    for name in names:
        for kind in kinds:
            if kind is not ALL and not counts.referrals.counts[(name, kind, ALL)]:
                continue  # a kind with no referrals in the cluster: no line (its noughts say nothing)
            referrals.append(
                (
                    name or "Total",
                    KIND_TITLES[kind] if kind else "All kinds",
                    _count(counts.referrals, (name, kind, ALL)),
                    *(_count(counts.referrals, (name, kind, e)) for e in endings),
                )
            )
    approved: list[tuple[Cell, ...]] = [
        (f.name, *(pounds(f.approved_pence.get(k, 0)) for k in MONEY_KINDS), pounds(f.approved_total))
        for f in _rows(city)
    ]
    reviews: list[tuple[Cell, ...]] = [
        (name or "Total", _count(counts.reviews, (name, DUE)), _count(counts.reviews, (name, OVERDUE)))
        for name in names
    ]
    stages = list(STAGE_TITLES.values())
    capital: list[tuple[Cell, ...]] = [
        (
            name or "Total",
            *(_count(counts.capital, (name, s)) for s in stages),
            _count(counts.capital, (name, ALL)),
        )
        for name in names
    ]
    visits: list[tuple[Cell, ...]] = [(f.name, f.qa_visits, f.qa_concerns) for f in _rows(city)]
    ratings = list(Rating)
    impact: list[tuple[Cell, ...]] = []
    for name in names:
        for of in (*IMPACT_KINDS, ALL):
            share = counts.share_achieved(name, of)
            impact.append(
                (
                    name or "Total",
                    KIND_TITLES[of] if of else "All kinds",
                    *(_count(counts.impact, (name, of, r)) for r in ratings),
                    _count(counts.impact, (name, of, ALL)),
                    None if share == "-" else (HIDDEN_TEXT if share == HIDDEN_TEXT else int(share.rstrip("%"))),
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
