"""Units of work take turns by scope on PostgreSQL: one cluster's clicks never queue behind another's.

Each test holds one unit open in a thread and asks whether a second unit gets through while it is held.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, text

from store.db import TURNS_LOCK_KEY, make_engine, scope_key, take_turn, transaction

WAIT = 2.0  # seconds a second unit is given before we say it queued


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


def holding(engine: Engine, enter: Callable[..., object], release: threading.Event, held: threading.Event) -> None:
    """Open a unit, take what ``enter`` takes, say so, and keep it until ``release``."""
    with transaction(engine, serial=False) as session:
        enter(session)
        held.set()
        release.wait(10)


def gets_through(engine: Engine, serial: bool, *scope: object) -> bool:
    """Whether a unit (scoped, or serial when no scope) starts within WAIT seconds while the other is held."""
    with transaction(engine, serial=False) as session:
        session.execute(text(f"SET LOCAL lock_timeout = '{int(WAIT * 1000)}ms'"))
        try:
            if serial:
                session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": TURNS_LOCK_KEY})
            else:
                take_turn(session, *scope)
        except Exception:
            return False
    return True


def while_held(engine: Engine, enter: Callable[..., object], probe: Callable[[], bool]) -> bool:
    release, held = threading.Event(), threading.Event()
    with ThreadPoolExecutor(1) as pool:
        holder = pool.submit(holding, engine, enter, release, held)
        assert held.wait(10)
        try:
            return probe()
        finally:
            release.set()
            holder.result()


@pytest.mark.postgres
def test_two_clusters_units_run_side_by_side(pg: Engine) -> None:
    assert while_held(pg, lambda s: take_turn(s, "cluster", 1), lambda: gets_through(pg, False, "cluster", 2))


@pytest.mark.postgres
def test_a_second_unit_in_the_same_cluster_waits_its_turn(pg: Engine) -> None:
    assert not while_held(pg, lambda s: take_turn(s, "cluster", 1), lambda: gets_through(pg, False, "cluster", 1))


@pytest.mark.postgres
def test_a_serial_unit_waits_for_scoped_units_and_they_for_it(pg: Engine) -> None:
    assert not while_held(pg, lambda s: take_turn(s, "cluster", 1), lambda: gets_through(pg, True))

    def serial(session: object) -> None:
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": TURNS_LOCK_KEY})  # type: ignore[attr-defined]

    assert not while_held(pg, serial, lambda: gets_through(pg, False, "cluster", 3))


@pytest.mark.postgres
def test_a_read_only_unit_takes_no_turn(pg: Engine) -> None:
    def read(_: object) -> bool:
        with transaction(pg, read_only=True) as session:
            return session.execute(text("SELECT 1")).scalar() == 1

    assert while_held(pg, lambda s: take_turn(s, "cluster", 1), lambda: read(None))


def test_scope_keys_are_stable_and_distinct() -> None:
    assert scope_key("cluster", 1) == scope_key("cluster", 1)
    assert len({scope_key("cluster", n) for n in range(1000)}) == 1000
