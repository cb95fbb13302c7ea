"""One process at a time runs the scheduler: a PostgreSQL advisory lock, taken over when its holder goes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine

from scheduler import runner
from scheduler.leader import SCHEDULER_LOCK_KEY, Leadership
from store.db import make_engine
from tests.pgserver import PostgresServer


@pytest.fixture
def engines(postgres_url: str) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on one PostgreSQL database, as two replicas would have."""
    first, second = make_engine(postgres_url), make_engine(postgres_url)
    yield first, second
    first.dispose()
    second.dispose()


def _holder_pid(url: str) -> int | None:
    """The server process of the session holding the scheduler lock, if any."""
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as connection:
        row = connection.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = %s::bigint::oid AND objid = %s::bigint::oid AND objsubid = 1",
            (SCHEDULER_LOCK_KEY >> 32, SCHEDULER_LOCK_KEY & 0xFFFFFFFF),
        ).fetchone()
        return None if row is None else int(row[0])


def _terminate(url: str, pid: int) -> None:
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as connection:
        connection.execute("SELECT pg_terminate_backend(%s)", (pid,))


@pytest.mark.postgres
async def test_of_two_replicas_exactly_one_leads_and_the_other_takes_over_when_it_releases(
    engines: tuple[Engine, Engine], postgres_url: str
) -> None:
    a, b = Leadership(engines[0]), Leadership(engines[1])
    assert await a.ensure() is True
    assert await b.ensure() is False
    assert await a.ensure() is True, "the leader stays the leader"
    assert await b.ensure() is False
    assert (a.leading, b.leading) == (True, False)
    assert _holder_pid(postgres_url) is not None

    a.release()
    assert not a.leading
    assert await b.ensure() is True, "the other replica takes over at its next check"
    assert await a.ensure() is False, "and the old leader now follows"
    b.release()
    b.release()  # twice is harmless
    assert _holder_pid(postgres_url) is None


@pytest.mark.postgres
async def test_when_the_leaders_session_dies_the_lock_goes_with_it(
    engines: tuple[Engine, Engine], postgres_url: str
) -> None:
    a, b = Leadership(engines[0]), Leadership(engines[1])
    assert await a.ensure() and not await b.ensure()
    pid = _holder_pid(postgres_url)
    assert pid is not None
    _terminate(postgres_url, pid)  # as when the leader's process dies: PostgreSQL ends the session
    deadline = time.monotonic() + 10
    while not await b.ensure():
        assert time.monotonic() < deadline, "the lock was not freed when its session ended"
        await asyncio.sleep(0.05)
    assert _holder_pid(postgres_url) not in (None, pid)
    assert await a.ensure() is False, "the old leader notices its connection broke and does not lead"
    b.release()
    assert await a.ensure() is True, "and it can lead again later, on a new connection"
    a.release()


@pytest.mark.postgres
def test_the_lock_is_per_database(
    postgres_server: PostgresServer, engines: tuple[Engine, Engine], tmp_path: Path
) -> None:
    other = make_engine(postgres_server.create_database(f"other_{tmp_path.name[-8:].lower()}"))
    try:
        here, there = Leadership(engines[0]), Leadership(other)
        assert here.check() and there.check(), "two clusterbot databases on one server each have a leader"
        here.release()
        there.release()
    finally:
        other.dispose()


async def test_on_sqlite_the_only_process_always_leads(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'one.db'}")
    a, b = Leadership(engine), Leadership(engine)
    assert await a.ensure() and await b.ensure()
    assert a.leading and b.leading
    a.release()
    assert await a.ensure()
    engine.dispose()


def test_the_timings_default_to_production_values_and_tests_can_shorten_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """A follower checks the lock at least every 15 s (then runs the jobs at once): takeover within a minute."""
    monkeypatch.delenv(runner.INTERVAL_ENV, raising=False)
    monkeypatch.delenv(runner.LEASE_ENV, raising=False)
    assert runner.LEADERSHIP_EVERY <= 20
    assert runner.sender_lease() == 20, "a killed process's claims lapse within 20 s"
    monkeypatch.setenv(runner.LEASE_ENV, "2.5")
    assert runner.sender_lease() == 2.5
    monkeypatch.setenv(runner.LEASE_ENV, "soon")
    with pytest.raises(ValueError, match="CLUSTERBOT_SENDER_LEASE_SECONDS must be a number"):
        runner.sender_lease()


class CountingSender:
    """A stand-in for the bot's sender that counts the delivery runs it is asked for."""

    def __init__(self) -> None:
        self.runs = 0

    async def deliver_due(self) -> None:
        self.runs += 1


@pytest.mark.postgres
async def test_only_the_leaders_jobs_run_and_a_follower_runs_them_as_soon_as_it_takes_over(postgres_url: str) -> None:
    """Delivery runs only every 30 s here; a follower that takes the lock runs it at once, not 30 s later."""
    from datetime import datetime

    from aiohttp import web
    from aiohttp.test_utils import TestServer

    from cluster.clock import LONDON, FixedClock
    from store.db import upgrade

    upgrade(postgres_url)
    clock = FixedClock(datetime(2026, 11, 27, 9, 0, tzinfo=LONDON))
    replicas: list[tuple[TestServer, CountingSender, Engine]] = []
    for _ in range(2):
        app, sender, engine = web.Application(), CountingSender(), make_engine(postgres_url)
        runner.attach_scheduler(app, engine, sender, clock, deliver_every_seconds=30, leadership_every_seconds=0.2)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        replicas.append((server, sender, engine))
    try:
        await asyncio.sleep(1.0)
        (first, first_runs, _), (second, second_runs, _) = replicas
        assert sorted((first_runs.runs, second_runs.runs)) == [0, 1], "one replica delivered, once"
        leader, follower = (first, second_runs) if first_runs.runs else (second, first_runs)
        stopped = time.monotonic()
        await leader.close()  # releases the lock on cleanup
        while follower.runs == 0:
            assert time.monotonic() - stopped < 5, "the follower did not take over"
            await asyncio.sleep(0.05)
    finally:
        for server, _, engine in replicas:
            await server.close()
            engine.dispose()
