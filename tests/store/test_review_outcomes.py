"""Review outcomes on SQLite and PostgreSQL alike: written with the review, once, and counted in one query."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cluster.clock import LONDON
from cluster.commands.reviews import SubmitReview
from cluster.impact import ImpactCount, Rating, tally_by
from store.db import transaction
from store.models import ReviewOutcome
from tests.support.queries import count_queries
from tests.support.two_clusters import Scene, build_scene
from usecases.impact import impact_counts
from usecases.people import Actor, identify
from usecases.reviews import submit_review

SUBMITTED = datetime(2026, 6, 1, 9, 0, tzinfo=LONDON)
ANSWERS = {
    "outcome_rating_1": "achieved",
    "outcomes_achieved": "Stays in class for most lessons.",
    "attendance": "95%",
    "progress": "Good",
    "wellbeing": "Settled",
    "provision_delivered": "As planned",
    "actual_spend": "4000",
    "recommendation": "stop",
}


@pytest.fixture
def scene(engine: Engine, tmp_path: Path) -> Scene:
    """Central and North, each with a funded EHCP referral (one outcome set) whose review is open."""
    return build_scene(engine, tmp_path)


def person(engine: Engine, key: str) -> Actor:
    with Session(engine) as session:
        return identify(session, f"aad-{key}", key)


def rows(engine: Engine) -> list[tuple[int, int, str, int, str]]:
    with Session(engine) as session:
        found = session.exec(select(ReviewOutcome).order_by(col(ReviewOutcome.id))).all()
        return [(r.review_id, r.cluster_id, r.kind, r.position, r.rating) for r in found]


def test_a_review_submitted_twice_at_once_writes_one_row_per_outcome(engine: Engine, scene: Scene) -> None:
    senco = person(engine, "senco")
    with ThreadPoolExecutor(2) as pool:
        done = list(
            pool.map(
                lambda _: submit_review(
                    engine, senco, SubmitReview(review_id=scene.central.review, answers=ANSWERS), SUBMITTED
                ),
                (1, 2),
            )
        )
    assert [view.state for view in done] == ["decided", "decided"], "both clicks answer as the review now stands"
    assert rows(engine) == [(scene.central.review, scene.central.cluster_id, "ehcp", 1, "achieved")]
    with Session(engine) as session:
        [row] = session.exec(select(ReviewOutcome)).all()
    assert row.outcome == "Stays in class for whole lessons by Easter." and row.rated_at == SUBMITTED
    assert row.setting_id == scene.central.setting_id and row.referral_id == scene.central.referral


def test_the_impact_counts_cover_the_clusters_asked_for_within_the_dates_in_one_query(
    engine: Engine, scene: Scene
) -> None:
    submit_review(
        engine, person(engine, "senco"), SubmitReview(review_id=scene.central.review, answers=ANSWERS), SUBMITTED
    )
    later = datetime(2026, 6, 20, 9, 0, tzinfo=LONDON)
    north_answers = {**ANSWERS, "outcome_rating_1": "partly"}
    submit_review(
        engine, person(engine, "north_senco"), SubmitReview(review_id=scene.north.review, answers=north_answers), later
    )
    central, north = scene.central.cluster_id, scene.north.cluster_id
    with transaction(engine, read_only=True) as session, count_queries(engine) as counted:
        every = impact_counts(session, None)
        only_north = impact_counts(session, frozenset({north}))
        june = impact_counts(session, frozenset({central, north}), since=SUBMITTED, until=later)
        nothing = impact_counts(session, frozenset())
    assert every == [ImpactCount(central, "ehcp", Rating.ACHIEVED, 1), ImpactCount(north, "ehcp", Rating.PARTLY, 1)]
    assert only_north == [ImpactCount(north, "ehcp", Rating.PARTLY, 1)]
    assert june == [ImpactCount(central, "ehcp", Rating.ACHIEVED, 1)], "until is exclusive"
    assert nothing == []
    assert len([s for s in counted.statements if "review_outcome" in s]) == 3, "one query per call, none for {}"
    by_kind = tally_by(every, lambda c: c.kind)
    assert by_kind["ehcp"].total == 2 and by_kind["ehcp"].share_achieved == 50
