"""Shared fixtures: real databases (SQLite, and PostgreSQL started by the tests), a set clock, the real
aiohttp app on a test server, and the fake Teams connector it replies to."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine, make_url

from bot.config import Settings
from bot.http.app import create_app
from bot.teams.connector import Connector, NoToken
from cluster.clock import LONDON, FixedClock
from cluster.roles import Role
from store.db import make_engine, upgrade
from store.seed import CENTRAL, seed_file
from tests.support.fake_connector import FakeConnector
from usecases.roster import Entry, import_entries

pytest_plugins = ["tests.pgserver"]

# A Thursday three weeks before the Autumn 2 meeting (11 Dec 2025), whose deadline is 4 Dec 23:59.
TEST_NOW = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)

SENCO = ("aad-senco-etruscan", "Sam Senco")
SENCO_2 = ("aad-senco-waterside", "Wendy Waterside")
CHAIR = ("aad-chair", "Chris Chair")
ADMIN = ("aad-admin", "Ada Admin")
TAC = ("aad-tac", "Theo Team")
STRANGER = ("aad-stranger", "Stan Stranger")

ROSTER = [
    Entry(SENCO[1], "sam@etruscan.example", SENCO[0], Role.SENCO, "Central", "Etruscan Primary School"),
    Entry(SENCO_2[1], "wendy@waterside.example", SENCO_2[0], Role.SENCO, "Central", "Waterside Primary School"),
    Entry(CHAIR[1], "chris@abbey.example", CHAIR[0], Role.CHAIR, "Central", None),
    Entry(ADMIN[1], "ada@stoke.example", ADMIN[0], Role.ADMIN, "Central", None),
    Entry(TAC[1], "theo@stoke.example", TAC[0], Role.TEAM_AROUND_CLUSTER, "Central", None),
]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: a SQLite file in ``tmp_path``, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'clusterbot.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the migrations' head, made once a session: each test's database starts as a copy of it.

    Running every migration costs about half a second a test, a copy a few milliseconds; the migrations
    themselves are tested for real in ``tests/store/test_migrations.py``.
    """
    path = tmp_path_factory.mktemp("migrated") / "head.db"
    upgrade(f"sqlite:///{path}")
    return path


def _migrated_copy(template: Path, url: str) -> None:
    """Write the migrated template into the SQLite file ``url`` names (the backup API copies a WAL too)."""
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as into:
        source.backup(into)


@pytest.fixture
def engine(db_url: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An engine on a database with every migration applied (a copy of the session's migrated database)."""
    if db_url.startswith("sqlite:///"):
        _migrated_copy(request.getfixturevalue("migrated_sqlite"), db_url)
    else:
        server = request.getfixturevalue("postgres_server")
        server.create_from_template(make_url(db_url).database, request.getfixturevalue("postgres_template"))
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)


@pytest.fixture
def central(tmp_path: Path, clock: FixedClock, migrated_sqlite: Path) -> Iterator[Engine]:
    """A SQLite database seeded with the Central cluster and the test roster."""
    url = f"sqlite:///{tmp_path / 'central.db'}"
    _migrated_copy(migrated_sqlite, url)
    engine = make_engine(url)
    seed_file(engine, CENTRAL, clock.now())
    import_entries(engine, ROSTER, clock.now(), "test")
    yield engine
    engine.dispose()


# Every pupil reference any test uses; none may ever reach a channel.
PUPIL_REFERENCES = ("ETR-0042", "HAY-991")


@pytest.fixture
async def http() -> AsyncIterator[Connector]:
    """The bot's own connector client (no token), for tests that send through it to the fake connector."""
    client = Connector(NoToken())
    yield client
    await client.close()


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = await FakeConnector().start()
    yield fake
    await fake.close()
    for call in fake.calls:
        if call.conversation_id.startswith("19:"):  # Teams channel conversations
            leaked = [ref for ref in PUPIL_REFERENCES if ref in call.all_json()]
            assert not leaked, f"a pupil reference reached a channel: {leaked} in {call.method} {call.conversation_id}"


class Bot:
    """The real app behind a test server, and helpers to post activities to it as Teams does."""

    def __init__(self, client: TestClient[Any, Any], connector: FakeConnector) -> None:
        self.client = client
        self.connector = connector

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        return await self.client.post("/api/messages", json=activity, headers=headers or {})


@pytest.fixture
async def bot(central: Engine, clock: FixedClock, connector: FakeConnector) -> AsyncIterator[Bot]:
    settings = Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, DATABASE_URL="sqlite://", CLUSTERBOT_SCHEDULER=False)
    app = create_app(settings, clock=clock, engine=central)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield Bot(client, connector)
    await client.close()
