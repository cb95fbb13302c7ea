"""The impact of funding: how reviews rated the outcomes referrals set, counted by cluster, kind and rating.

One GROUP BY over ``review_outcome`` (a row per outcome a submitted review rated), whatever the number of
clusters, reviews or outcomes; the citywide view adds the counts up with ``cluster.impact.tally_by``. The
caller passes its own session (its own transaction) and the clusters its reader may see, after checking
that permission itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from cluster.impact import ImpactCount, Rating
from store.models import ReviewOutcome

__all__ = ["ImpactCount", "impact_counts"]


def impact_counts(
    session: Session,
    clusters: frozenset[int] | None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[ImpactCount]:
    """How many outcomes were rated each way, per cluster and kind of referral, in one query.

    ``clusters`` limits the count to those clusters (None: every cluster; empty: none). ``since`` and
    ``until`` limit it to ratings made at or after ``since`` and before ``until`` (timezone-aware). Ordered by
    cluster, kind and the rating's stored name; a combination no review gave is left out rather than counted as 0.
    """
    if clusters is not None and not clusters:
        return []
    count = func.count(col(ReviewOutcome.id))
    query = sa_select(
        col(ReviewOutcome.cluster_id), col(ReviewOutcome.kind), col(ReviewOutcome.rating), count
    ).group_by(col(ReviewOutcome.cluster_id), col(ReviewOutcome.kind), col(ReviewOutcome.rating))
    if clusters is not None:
        query = query.where(col(ReviewOutcome.cluster_id).in_(sorted(clusters)))
    if since is not None:
        query = query.where(col(ReviewOutcome.rated_at) >= since)
    if until is not None:
        query = query.where(col(ReviewOutcome.rated_at) < until)
    rows = session.execute(
        query.order_by(col(ReviewOutcome.cluster_id), col(ReviewOutcome.kind), col(ReviewOutcome.rating))
    ).all()
    return [ImpactCount(cluster_id, kind, Rating(rating), number) for cluster_id, kind, rating, number in rows]
