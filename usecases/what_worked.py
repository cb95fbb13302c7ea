"""What worked: keeping the search index in step with the record, and the council's consent to share it.

The index (``store.models.WhatWorked``) is written by the use cases that make the record, in their own
transaction, so a review or a discussion's advice can be found the moment it is recorded, and a rolled-back
click leaves nothing behind:

- :func:`index_review`, from ``usecases.reviews.submit_review``: each funded provision of the referral (rows
  of the same provision and area of need taken together) with the ratings its reviews gave;
- :func:`index_decision`, from ``usecases.meeting_day.decisions.record_decision``: a discussion's advice,
  redacted (``cluster.what_worked.redact``) with the names its cluster holds.

Why in the use cases and not a job that rebuilds the index: a SENCO told "search what worked" after a
meeting should find what that meeting advised, and a job would have to read every review to notice what is
new. :func:`rebuild` indexes the whole record at once, for records made before the index existed
(``clusterbot what-worked reindex``). The full-text side (SQLite's FTS5 table, PostgreSQL's GIN index)
follows the rows by itself (``store.models.what_worked``).

Searching is in :mod:`usecases.what_worked_search`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from cluster.decisions import Outcome
from cluster.errors import Refusal
from cluster.impact import Rating
from cluster.permissions import SHARE_WHAT_WORKED, authorize
from cluster.referrals import Kind as ReferralKind
from cluster.referrals.forms import AREAS_OF_NEED, NEED_CODES
from cluster.what_worked import (
    YEAR_BANDS,
    Kind,
    Sharing,
    label_of,
    provision_key,
    redact,
    scope_words,
    searchable,
    year_band,
)
from store import audit
from store.db import transaction
from store.models import (
    Cluster,
    Decision,
    Person,
    ProvisionLine,
    Referral,
    ReviewOutcome,
    RoleAssignment,
    Setting,
    WhatWorked,
)
from store.referral_views import as_row
from usecases.people import Actor

_ROW = WhatWorked.__table__  # type: ignore[attr-defined]


def _codes(details: Mapping[str, Any]) -> tuple[str, str]:
    """The referral's need code and year group band, as its details hold them ("" where it has none)."""
    return str(details.get("need_code") or "")[:8], year_band(details.get("year_group"))


def _provision_rows(
    referral: Referral, lines: Sequence[ProvisionLine], ratings: Mapping[str, int], now: datetime
) -> list[dict[str, Any]]:
    """The index rows of a reviewed referral's provision map: one per provision and area of need."""
    need_code, band = _codes(referral.details)
    merged: dict[tuple[str, str], tuple[str, int]] = {}
    for line in sorted(lines, key=lambda row: row.position):
        cost = as_row(line).cost_pence
        grouped = (provision_key(line.provision), line.area_of_need)
        named, before = merged.get(grouped, (line.provision, 0))
        merged[grouped] = (named, before + cost)
    rows = []
    for (key, area), (named, cost) in merged.items():
        body = searchable(
            named,
            label_of(area, AREAS_OF_NEED),
            label_of(need_code, NEED_CODES),
            label_of(band, YEAR_BANDS),
        )
        rows.append(
            {
                "kind": Kind.PROVISION.value,
                "referral_id": referral.id,
                "cluster_id": referral.cluster_id,
                "area_of_need": area,
                "need_code": need_code,
                "year_band": band,
                "provision_key": key,
                "provision": named,
                "cost_pence": cost,
                "achieved": ratings.get(Rating.ACHIEVED.value, 0),
                "partly": ratings.get(Rating.PARTLY.value, 0),
                "not_achieved": ratings.get(Rating.NOT_ACHIEVED.value, 0),
                "advice": "",
                "body": body,
                "scope": scope_words(referral.cluster_id),
                "indexed_at": now,
            }
        )
    return rows


def _advice_row(referral: Referral, advice: str, names: Iterable[str], now: datetime) -> dict[str, Any]:
    """The index row of a discussion's advice, with whatever could name someone taken out."""
    details = referral.details
    initials = str(details.get("pupil_initials") or "")
    references = [referral.reference or ""]
    said = redact(advice, names, initials, references)[:2000]
    question = redact(str(details.get("question") or ""), names, initials, references)
    band = year_band(details.get("year_group"))
    return {
        "kind": Kind.ADVICE.value,
        "referral_id": referral.id,
        "cluster_id": referral.cluster_id,
        "area_of_need": "",
        "need_code": "",
        "year_band": band,
        "provision_key": "",
        "provision": "",
        "cost_pence": 0,
        "achieved": 0,
        "partly": 0,
        "not_achieved": 0,
        "advice": said,
        "body": searchable(said, question, label_of(band, YEAR_BANDS))[:4000],
        "scope": scope_words(referral.cluster_id),
        "indexed_at": now,
    }


def _names_by_cluster(session: Session, clusters: Iterable[int] | None) -> dict[int, list[str]]:
    """Every setting's and person's name each cluster holds (two queries), for :func:`cluster.what_worked.redact`."""
    names: dict[int, list[str]] = defaultdict(list)
    settings = select(Setting.cluster_id, Setting.name)
    people = (
        select(Setting.cluster_id, RoleAssignment.cluster_id, Person.name)
        .select_from(RoleAssignment)
        .join(Person, col(Person.id) == RoleAssignment.person_id)
        .outerjoin(Setting, col(Setting.id) == RoleAssignment.setting_id)
    )
    if clusters is not None:
        wanted = sorted(set(clusters))
        settings = settings.where(col(Setting.cluster_id).in_(wanted))
        people = people.where(or_(col(RoleAssignment.cluster_id).in_(wanted), col(Setting.cluster_id).in_(wanted)))
    for cluster_id, name in session.exec(settings):
        names[cluster_id].append(name)
    for of_setting, of_cluster, name in session.exec(people):
        owner = of_setting if of_setting is not None else of_cluster
        if owner is not None:
            names[owner].append(name)
    return names


def _ratings_of(session: Session, referral_ids: Sequence[int] | None) -> dict[int, dict[str, int]]:
    """How each referral's reviews rated its outcomes, by rating (one grouped query)."""
    query = sa_select(
        col(ReviewOutcome.referral_id), col(ReviewOutcome.rating), func.count(col(ReviewOutcome.id))
    ).group_by(col(ReviewOutcome.referral_id), col(ReviewOutcome.rating))
    if referral_ids is not None:
        query = query.where(col(ReviewOutcome.referral_id).in_(referral_ids))
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for referral_id, rating, number in session.execute(query):
        counts[referral_id][rating] = number
    return counts


def index_review(session: Session, referral_id: int, now: datetime) -> None:
    """Index (again) a referral's funded provisions with the ratings its reviews gave, in the caller's transaction."""
    session.flush()  # the ratings just written must be counted
    session.execute(delete(_ROW).where(_ROW.c.referral_id == referral_id, _ROW.c.kind == Kind.PROVISION.value))
    referral = session.get(Referral, referral_id)
    ratings = _ratings_of(session, [referral_id]).get(referral_id, {})
    if referral is None or not ratings:
        return
    lines = list(session.exec(select(ProvisionLine).where(ProvisionLine.referral_id == referral_id)))
    rows = _provision_rows(referral, lines, ratings, now)
    if rows:
        session.execute(insert(_ROW), rows)


def index_decision(session: Session, decision: Decision, now: datetime) -> None:
    """Index a discussion's advice (a decision recording advice on a solution-focused discussion); else nothing."""
    if decision.outcome != Outcome.ADVICE_ONLY.value or not decision.feedback.strip():
        return
    referral = session.get(Referral, decision.referral_id)
    if referral is None or referral.kind != ReferralKind.DISCUSSION.value:
        return
    names = _names_by_cluster(session, [referral.cluster_id]).get(referral.cluster_id, [])
    session.execute(delete(_ROW).where(_ROW.c.referral_id == referral.id, _ROW.c.kind == Kind.ADVICE.value))
    session.execute(insert(_ROW), [_advice_row(referral, decision.feedback, names, now)])


def rebuild(engine: Engine, now: datetime, chunk: int = 2000) -> tuple[int, int]:
    """Index the whole record afresh, in one transaction; returns (provision rows, pieces of advice) indexed.

    For records made before the index existed, or after restoring a backup taken before it: safe to run
    again, since it replaces what is there. A few queries for the whole city, then the rows in chunks.
    """
    with transaction(engine) as session:
        session.execute(delete(_ROW))
        ratings = _ratings_of(session, None)
        rated = sa_select(col(ReviewOutcome.referral_id)).distinct()
        referrals = {r.id: r for r in session.exec(select(Referral).where(col(Referral.id).in_(rated)))}
        lines: dict[int, list[ProvisionLine]] = defaultdict(list)
        for line in session.exec(select(ProvisionLine).where(col(ProvisionLine.referral_id).in_(rated))):
            lines[line.referral_id].append(line)
        rows = [
            row
            for referral_id, referral in referrals.items()
            if referral_id is not None
            for row in _provision_rows(referral, lines[referral_id], ratings[referral_id], now)
        ]
        advised = session.exec(
            select(Decision, Referral)
            .join(Referral, col(Referral.id) == Decision.referral_id)
            .where(Decision.outcome == Outcome.ADVICE_ONLY.value, Referral.kind == ReferralKind.DISCUSSION.value)
        ).all()
        names = _names_by_cluster(session, None) if advised else {}
        advice = [
            _advice_row(referral, decision.feedback, names.get(referral.cluster_id, []), now)
            for decision, referral in advised
            if decision.feedback.strip()
        ]
        everything = rows + advice
        for start in range(0, len(everything), chunk):
            session.execute(insert(_ROW), everything[start : start + chunk])
        audit.record(session, now, "cli", "what_worked.reindex", "", provisions=len(rows), advice=len(advice))
        return len(rows), len(advice)


def sharing(engine: Engine, actor: Actor) -> list[Sharing]:
    """Every cluster and whether it shares its record (council officers)."""
    with transaction(engine, read_only=True) as session:
        return _sharing(session, actor)


def _sharing(session: Session, actor: Actor) -> list[Sharing]:
    authorize(actor.grants, SHARE_WHAT_WORKED, 0)  # a council officer's reach is every cluster
    clusters = list(session.exec(select(Cluster).order_by(col(Cluster.name))))
    return [Sharing(c.id or 0, c.name, c.shares_what_worked) for c in clusters]


def set_sharing(engine: Engine, actor: Actor, cluster_id: int, share: bool, now: datetime) -> list[Sharing]:
    """Give or withdraw the council's consent for a cluster's record to be searched citywide (audited)."""
    with transaction(engine) as session:
        authorize(actor.grants, SHARE_WHAT_WORKED, cluster_id)
        found = session.get(Cluster, cluster_id)
        if found is None:
            raise Refusal("That cluster no longer exists.")
        if found.shares_what_worked != share:
            found.shares_what_worked = share
            session.add(found)
            audit.record(session, now, actor.tag, "what_worked.share", f"cluster:{cluster_id}", share=share)
        session.flush()
        return _sharing(session, actor)
