"""Searching what worked: ranked full-text search in the database, in groups of five or more referrals.

Three queries whatever the record's size: the clusters the search may read (the searcher's own, and with
the council's consent every sharing cluster), the provision groups (grouped, counted, filtered to five or
more referrals and ranked in the database, at most ten returned), and the advice (the best three, with how
many discussions matched, by a window count). Nothing else is read: no referral, setting or person.

The words go to the database's own full-text search, as plain words (``cluster.what_worked``): SQLite's
FTS5 table ranked by its ``rank`` (``bm25``, lower is better), PostgreSQL's ``to_tsvector('english', body)`` (the GIN
index's expression, said the same way so the index is used) ranked by ``ts_rank`` (higher is better).
Without words, groups are ranked by how often their outcomes were achieved, then by how many referrals
they rest on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, bindparam, text
from sqlmodel import Session

from cluster.permissions import WHAT_WORKED, Forbidden, allows, clusters_reached
from cluster.what_worked import (
    MAX_ADVICE,
    MAX_GROUPS,
    MIN_REFERRALS,
    Advice,
    Found,
    Kind,
    Outcomes,
    ProvisionResult,
    Query,
    Scope,
    postgres_query,
    sqlite_match,
)
from store.db import transaction
from store.models.what_worked import POSTGRES_VECTOR
from usecases.people import Actor

NOT_SHARING = (
    "The council has not agreed that your cluster shares its record of what worked, so this searched your own "
    "cluster's record only. A council officer can agree it."
)


def _matched(
    dialect: str, terms: Sequence[str], any_of: bool, clusters: frozenset[int] | None
) -> tuple[str, str, str, dict[str, Any]]:
    """The FROM, WHERE and score of a full-text search in this dialect, and its parameters."""
    if dialect == "sqlite":
        source = (
            "(SELECT rowid AS id, rank AS score FROM what_worked_fts "
            "WHERE what_worked_fts MATCH :match) AS m CROSS JOIN what_worked AS w ON w.id = m.id"
        )
        match = sqlite_match(terms, any_of=any_of, clusters=clusters)
        return source, "", "MIN(m.score)", {"match": match}
    matches = f"{POSTGRES_VECTOR.replace('body', 'w.body')} @@ to_tsquery('english', :match)"
    score = f"-MAX(ts_rank({POSTGRES_VECTOR.replace('body', 'w.body')}, to_tsquery('english', :match)))"
    return "what_worked AS w", matches, score, {"match": postgres_query(terms, any_of=any_of)}


def _filters(query: Query, clusters: frozenset[int] | None, kind: Kind) -> tuple[list[str], dict[str, Any]]:
    where = ["w.kind = :kind"]
    params: dict[str, Any] = {"kind": kind.value}
    if clusters is not None:
        where.append("w.cluster_id IN :clusters")
        params["clusters"] = sorted(clusters)
    fields = ("area_of_need", "need_code") if kind is Kind.PROVISION else ()
    for field in (*fields, "year_band"):
        value = getattr(query, field)
        if value:
            where.append(f"w.{field} = :{field}")
            params[field] = value
    return where, params


def _statement(sql: str, params: dict[str, Any]) -> Any:
    statement = text(sql)
    if "clusters" in params:
        statement = statement.bindparams(bindparam("clusters", expanding=True))
    return statement


def provision_groups(session: Session, query: Query, clusters: frozenset[int] | None) -> list[ProvisionResult]:
    """The provision groups the query finds that rest on five or more referrals, best first (one query)."""
    if clusters is not None and not clusters:
        return []
    where, params = _filters(query, clusters, Kind.PROVISION)
    dialect = session.get_bind().dialect.name
    terms = query.terms
    if terms:
        source, matches, score, more = _matched(dialect, terms, False, clusters)
        params.update(more)
        if matches:
            where.append(matches)
    else:
        source, score = "what_worked AS w", "0"
    rated = "SUM(w.achieved + w.partly + w.not_achieved)"
    # Only our own fixed fragments are joined into the statement; every value the person gave is a parameter.
    sql = (
        f"SELECT MIN(w.provision) AS provision, w.area_of_need, COUNT(DISTINCT w.referral_id) AS referrals, "  # noqa: S608
        f"SUM(w.achieved), SUM(w.partly), SUM(w.not_achieved), AVG(w.cost_pence), {score} AS score "
        f"FROM {source} WHERE {' AND '.join(where)} "
        f"GROUP BY w.provision_key, w.area_of_need HAVING COUNT(DISTINCT w.referral_id) >= {MIN_REFERRALS} "
        f"ORDER BY score, CAST(SUM(w.achieved) AS FLOAT) / CASE WHEN {rated} = 0 THEN 1 ELSE {rated} END DESC, "
        f"referrals DESC, w.provision_key LIMIT {MAX_GROUPS}"
    )
    return [
        ProvisionResult(provision, area, referrals, round(average or 0), Outcomes(achieved, partly, not_achieved))
        for provision, area, referrals, achieved, partly, not_achieved, average, _ in session.execute(
            _statement(sql, params), params
        )
    ]


def advice_found(session: Session, query: Query, clusters: frozenset[int] | None) -> Advice | None:
    """The best few pieces of advice the query finds, or None when fewer than five discussions match (one query)."""
    terms = query.advice_terms
    if (clusters is not None and not clusters) or not (terms or query.year_band):
        return None
    where, params = _filters(query, clusters, Kind.ADVICE)
    dialect = session.get_bind().dialect.name
    if terms:
        source, matches, score, more = _matched(dialect, terms, not query.terms, clusters)
        score = score.replace("MIN(", "(").replace("MAX(", "(")  # one row each: no aggregate
        params.update(more)
        if matches:
            where.append(matches)
    else:
        source, score = "what_worked AS w", "0"
    # Fixed fragments only; every value the person gave is a parameter.
    sql = (
        f"SELECT w.advice, COUNT(*) OVER () AS matched FROM {source} WHERE {' AND '.join(where)} "  # noqa: S608
        f"ORDER BY {score}, w.id DESC LIMIT {MAX_ADVICE}"
    )
    rows = session.execute(_statement(sql, params), params).all()
    if not rows or rows[0][1] < MIN_REFERRALS:
        return None
    return Advice(tuple(advice for advice, _ in rows), int(rows[0][1]))


def _scope(session: Session, actor: Actor, asked: Scope) -> tuple[frozenset[int] | None, str, str, bool]:
    """The clusters a search reads, how to say them, a note when the scope was narrowed, and whether the city may be.

    One query: the searcher's own clusters and every cluster that shares its record.
    """
    reached = clusters_reached(actor.grants, WHAT_WORKED)
    if reached is None:  # a council officer: the council's own record, every cluster
        return None, "every cluster", "", True
    rows = session.execute(
        _statement(
            "SELECT id, name, shares_what_worked FROM cluster WHERE id IN :clusters OR shares_what_worked "
            "ORDER BY name",
            {"clusters": sorted(reached)},
        ),
        {"clusters": sorted(reached)},
    ).all()
    own = [(cluster_id, name) for cluster_id, name, _ in rows if cluster_id in reached]
    own_label = f"the {own[0][1]} cluster" if len(own) == 1 else f"your {len(own)} clusters"
    may_share = any(shares for cluster_id, _, shares in rows if cluster_id in reached)
    if asked is not Scope.CITY:
        return reached, own_label, "", may_share
    if not may_share:
        return reached, own_label, NOT_SHARING, False
    sharing = frozenset(cluster_id for cluster_id, _, shares in rows if shares) | reached
    return sharing, f"{len(sharing)} clusters sharing their record", "", True


def search(engine: Engine, actor: Actor, query: Query) -> Found:
    """What worked for the query, in the clusters the searcher may read (a read: three queries)."""
    if not allows(actor.grants, WHAT_WORKED, actor.person_id is not None):
        raise Forbidden(WHAT_WORKED.refusal)
    with transaction(engine, read_only=True) as session:
        clusters, label, note, city = _scope(session, actor, query.scope)
        groups = provision_groups(session, query, clusters)
        advice = advice_found(session, query, clusters)
    return Found(query, label, tuple(groups), advice, note, city)
