"""/readyz: 200 only while the database answers and is at the migrations' head; /healthz says the process is up."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from alembic import command
from sqlalchemy import Engine, text

from bot.config import Settings
from bot.http.app import create_app
from cluster.clock import FixedClock
from store.db import alembic_config, make_engine, upgrade
from tests.pgserver import PostgresServer


def settings() -> Settings:
    return Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, DATABASE_URL="sqlite://", CLUSTERBOT_SCHEDULER=False)


@pytest.fixture
async def probe(clock: FixedClock) -> AsyncIterator[Any]:
    """Starts the app on an engine and returns its test client; closes what it started."""
    clients: list[TestClient[Any, Any]] = []

    async def start(engine: Engine) -> TestClient[Any, Any]:
        client = TestClient(TestServer(create_app(settings(), clock=clock, engine=engine), host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()


async def ready(client: TestClient[Any, Any]) -> tuple[int, dict[str, Any]]:
    response = await client.get("/readyz")
    body: dict[str, Any] = await response.json()
    return response.status, body


@contextmanager
def sqlite_engine(tmp_path: Path, revision: str | None) -> Iterator[Engine]:
    """An engine on a new SQLite file migrated up to ``revision`` (None: not at all)."""
    url = f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.db'}"
    if revision is not None:
        command.upgrade(alembic_config(url), revision)
    engine = make_engine(url)
    yield engine
    engine.dispose()


async def test_a_database_at_the_migrations_head_is_ready(probe: Any, central: Engine) -> None:
    status, body = await ready(await probe(central))
    assert status == 200
    assert body["status"] == "ready"
    assert body["migrations"]["database"] == body["migrations"]["expected"]


async def test_a_database_with_no_migrations_is_not_ready_and_says_to_upgrade(probe: Any, tmp_path: Path) -> None:
    with sqlite_engine(tmp_path, None) as engine:
        status, body = await ready(await probe(engine))
        assert status == 503
        assert "no migrations" in body["reason"] and "clusterbot db upgrade" in body["reason"]


async def test_a_database_behind_the_migrations_head_is_not_ready(probe: Any, tmp_path: Path) -> None:
    with sqlite_engine(tmp_path, "0013") as engine:
        status, body = await ready(await probe(engine))
        assert status == 503
        assert "behind" in body["reason"]
        assert body["migrations"]["database"] == ["0013"]


async def test_a_database_migrated_by_a_newer_version_is_not_ready(probe: Any, tmp_path: Path) -> None:
    with sqlite_engine(tmp_path, "head") as engine:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
        status, body = await ready(await probe(engine))
        assert status == 503
        assert "does not know" in body["reason"]


async def test_healthz_says_the_process_is_up_even_while_the_database_is_not_ready(probe: Any, tmp_path: Path) -> None:
    with sqlite_engine(tmp_path, None) as engine:
        client = await probe(engine)
        assert (await ready(client))[0] == 503
        live = await client.get("/healthz")
        assert live.status == 200
        assert await live.json() == {"status": "ok"}


# --- PostgreSQL, stopped and started again -------------------------------------------------------


class RestartablePostgres(PostgresServer):
    """The tests' own PostgreSQL server, which can be stopped, frozen and brought back on the same port."""

    def halt(self) -> None:
        done = self._run([self.pg_ctl, "stop", "--pgdata", str(self.data_dir), "--mode", "fast", "--wait"], 60)
        assert done.returncode == 0, done.stdout

    def resume(self) -> None:
        argv = [self.pg_ctl, "start", "--pgdata", str(self.data_dir), "--log", str(self.log_file), "--wait"]
        done = self._run([*argv, "--timeout", "60", "-o", f"-p {self.port}"], 90)
        assert done.returncode == 0, done.stdout + self.server_log()

    def postmaster_pid(self) -> int:
        return int((self.data_dir / "postmaster.pid").read_text().split()[0])


@pytest.fixture
def own_postgres() -> Iterator[RestartablePostgres]:
    """A PostgreSQL server of this test's own: stopping it must not stop the session's shared one."""
    server = RestartablePostgres()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.postgres
async def test_readyz_fails_while_postgresql_is_stopped_and_passes_when_it_is_back(
    probe: Any, own_postgres: RestartablePostgres
) -> None:
    url = own_postgres.create_database("clusterbot")
    upgrade(url)
    engine = make_engine(url)
    try:
        client = await probe(engine)
        assert (await ready(client))[0] == 200
        own_postgres.halt()
        status, body = await ready(client)
        assert status == 503
        assert "does not answer" in body["reason"]
        own_postgres.resume()
        status, body = await ready(client)
        assert status == 200, body
    finally:
        engine.dispose()


@pytest.mark.postgres
async def test_readyz_answers_503_while_postgresql_hangs_rather_than_hanging_itself(
    probe: Any, own_postgres: RestartablePostgres
) -> None:
    url = own_postgres.create_database("clusterbot")
    upgrade(url)
    engine = make_engine(url)
    try:
        client = await probe(engine)
        assert (await ready(client))[0] == 200
        engine.dispose()  # the next check opens a connection, which a frozen server never completes
        pid = own_postgres.postmaster_pid()
        os.kill(pid, signal.SIGSTOP)
        try:
            first = await ready(client)
            again = await ready(client)  # waits for the same check instead of starting another
        finally:
            os.kill(pid, signal.SIGCONT)
        for status, body in (first, again):
            assert status == 503
            assert "did not answer within" in body["reason"]
        status, body = await ready(client)
        assert status == 200, body
    finally:
        engine.dispose()
