"""On PostgreSQL, meeting day's clicks take their cluster's turn: North's meeting never queues behind Central's.

One thread holds Central's turn open (as a long decision would); a vote in North is counted meanwhile, and a
vote in Central waits until Central's turn is over, then is counted too.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from cluster.commands.meetings import CastVote
from store.db import make_engine, take_turn, transaction, upgrade
from store.models import Vote
from tests.support.two_clusters import NOW, build_scene
from usecases.meeting_day.votes import cast_vote
from usecases.people import Actor, identify

WAIT = 2.0  # seconds a vote is given before we say it queued

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Engine]:
    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


def person(engine: Engine, key: str) -> Actor:
    with Session(engine) as session:
        return identify(session, f"aad-{key}", key)


def votes_on(engine: Engine, item_id: int) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Vote).where(Vote.item_id == item_id)).all())


def test_a_vote_in_one_cluster_is_counted_while_another_clusters_turn_is_held(pg: Engine, tmp_path: Path) -> None:
    scene = build_scene(pg, tmp_path)
    central_voter, north_voter = person(pg, "other_senco"), person(pg, "north_other")
    held, release = threading.Event(), threading.Event()

    def hold_central() -> None:
        with transaction(pg, serial=False) as session:
            take_turn(session, "cluster", scene.central.cluster_id)
            held.set()
            release.wait(30)

    with ThreadPoolExecutor(3) as pool:
        holder = pool.submit(hold_central)
        assert held.wait(10)
        try:
            north = pool.submit(cast_vote, pg, north_voter, CastVote(item_id=scene.north.item, choice="approve"), NOW)
            mine = north.result(timeout=10)
            assert mine.view.your_choice is not None, "North's vote is counted while Central's turn is held"
            central = pool.submit(
                cast_vote, pg, central_voter, CastVote(item_id=scene.central.item, choice="approve"), NOW
            )
            done, _ = wait_for([central], timeout=WAIT)
            assert not done, "a vote in Central waits for Central's turn"
        finally:
            release.set()
            holder.result()
        assert central.result(timeout=30).view.your_choice is not None
    assert votes_on(pg, scene.north.item) == 1 and votes_on(pg, scene.central.item) == 1
