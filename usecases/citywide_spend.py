"""What the clusters' money bought in a school year, for the citywide view: one query whatever the city's size.

Reads each funded decision of the year with its referral's provision map rows (and, for a row priced from the
Costed Provision Document, the document's name for it) in one outer join, then shares each decision's amount
across its rows in proportion to their costs (``cluster.spend.shares``). The city's tables by area of need and
by provision are protected here (``cluster.spend.protected``) before anything leaves the use case; a cluster's
own figures are only its split by where its rows came from (the document, typed by hand, no map), which says
nothing about a pupil. A provision typed by hand is never named.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import and_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from cluster.decisions import FUNDED
from cluster.referrals import AREAS_OF_NEED
from cluster.spend import (
    NO_MAP,
    NOT_IN_DOCUMENT,
    POOLED_AREAS,
    POOLED_PROVISIONS,
    Part,
    Source,
    Spend,
    grouped,
    protected,
    shares,
)
from store.models import Decision, ProvisionEntry, ProvisionLine
from store.referral_views import as_row

AREA_TITLES = dict(AREAS_OF_NEED)


def spend_figures(session: Session, since: datetime, until: datetime) -> tuple[Spend, dict[int, dict[Source, int]]]:
    """The city's protected spend from ``since`` to ``until`` (inclusive), and each cluster's spend by source."""
    query = (
        sa_select(
            col(Decision.id),
            col(Decision.cluster_id),
            col(Decision.referral_id),
            col(Decision.amount_pence),
            ProvisionLine,
            col(ProvisionEntry.provision),
        )
        .outerjoin(ProvisionLine, col(ProvisionLine.referral_id) == Decision.referral_id)
        .outerjoin(ProvisionEntry, col(ProvisionEntry.id) == ProvisionLine.entry_id)
        .where(
            and_(
                col(Decision.outcome).in_([o.value for o in FUNDED]),
                col(Decision.decided_at) >= since,
                col(Decision.decided_at) <= until,
            )
        )
        .order_by(col(Decision.id), col(ProvisionLine.position), col(ProvisionLine.id))
    )
    decisions: dict[int, tuple[int, int, int]] = {}
    lines: dict[int, list[tuple[ProvisionLine, str | None]]] = defaultdict(list)
    for decision_id, cluster_id, referral_id, amount, line, named in session.execute(query):
        decisions[decision_id] = (cluster_id, referral_id, amount)
        if line is not None:
            lines[decision_id].append((line, named))
    areas: list[Part] = []
    provisions: list[Part] = []
    no_map: list[Part] = []
    by_source: dict[int, dict[Source, int]] = defaultdict(lambda: defaultdict(int))
    total = 0
    for decision_id, (cluster_id, referral_id, amount) in decisions.items():
        total += amount
        rows = lines.get(decision_id, [])
        if not rows:
            no_map.append(Part(NO_MAP, referral_id, amount))
            by_source[cluster_id][Source.NO_MAP] += amount
            continue
        for (line, named), pence in zip(
            rows, shares(amount, [as_row(line).cost_pence for line, _ in rows]), strict=True
        ):
            source = Source.DOCUMENT if line.entry_id is not None and named else Source.OTHER
            by_source[cluster_id][source] += pence
            areas.append(Part(AREA_TITLES.get(line.area_of_need, line.area_of_need), referral_id, pence))
            provisions.append(
                Part(named if source is Source.DOCUMENT and named else NOT_IN_DOCUMENT, referral_id, pence)
            )
    spend = Spend(
        by_area=tuple(protected(grouped(areas), POOLED_AREAS)),
        by_provision=tuple(protected(grouped(provisions), POOLED_PROVISIONS)),
        no_map=next(iter(grouped(no_map)), None),
        total_pence=total,
    )
    return spend, {cluster: dict(sources) for cluster, sources in by_source.items()}
