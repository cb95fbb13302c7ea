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
from sqlalchemy import Engine

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


# The longest tests (a minute or so each: a Playground in Chromium, a real bot process, a few hundred clicks),
# longest first: started first on pytest-xdist, the short tests fill in around them instead of one of them
# finishing the run alone.
SLOW_FIRST = (
    "tests/http/test_permission_matrix.py::test_every_role_is_allowed_or_refused_as_the_table_says",
    "tests/e2e/",
    "tests/scheduler/test_restart.py",
    "tests/replicas/",
    "tests/cli/test_playground_wheel.py",
    "tests/http/test_four_clusters.py",
    "tests/http/test_fuzz.py",
    "tests/http/test_meeting_day_queries.py",
    "tests/store/test_migrations.py::test_replicas_starting_together",
    "tests/cli/test_serve_process.py",
)


def _slowness(item: pytest.Item) -> int:
    """Where ``item`` goes in the run: its place in ``SLOW_FIRST``, or after all of them."""
    return next((rank for rank, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix)), len(SLOW_FIRST))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the longest tests first, and keep each module that shares a module-scoped fixture on one worker.

    Such a module (an e2e scenario on one Playground, the installed wheel) is one story told test by test: split
    across workers, each worker would build the expensive fixture again and start the story midway. With
    ``--dist loadgroup`` (scripts/test) a group stays on one worker, in its order; every other test is spread
    singly. The e2e modules are one group, one after another: each runs a bot, the Playground and Chromium, and
    several at once on a two-core machine starve the bots they drive past their waits.
    """
    items.sort(key=_slowness)  # stable: the tests within each part keep their order
    for item in items:
        if item.get_closest_marker("e2e") is not None:
            item.add_marker(pytest.mark.xdist_group("e2e"))
            continue
        fixture_info = getattr(item, "_fixtureinfo", None)
        if fixture_info is None:
            continue
        shares = any(
            definition.scope == "module"
            for definitions in fixture_info.name2fixturedefs.values()
            for definition in definitions
        )
        if shares:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__ if item.module else item.nodeid))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: a SQLite file in ``tmp_path``, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'clusterbot.db'}"
    # For a test that wants ``engine`` the database is made straight from the migrated template, not empty
    # first and then made again.
    wanted = "postgres_migrated_url" if "engine" in request.fixturenames else "postgres_url"
    url: str = request.getfixturevalue(wanted)
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
    # A PostgreSQL ``db_url`` is already a copy of the migrated template (``postgres_migrated_url``).
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)


def _seed_central(engine: Engine, now: datetime) -> None:
    seed_file(engine, CENTRAL, now)
    import_entries(engine, ROSTER, now, "test")


@pytest.fixture(scope="session")
def central_at_test_now(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> Path:
    """A SQLite file seeded as ``central`` seeds at ``TEST_NOW``, made once a session (each test copies it)."""
    path = tmp_path_factory.mktemp("central") / "central.db"
    url = f"sqlite:///{path}"
    _migrated_copy(migrated_sqlite, url)
    engine = make_engine(url)
    _seed_central(engine, TEST_NOW)
    engine.dispose()
    return path


@pytest.fixture
def central(tmp_path: Path, clock: FixedClock, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A SQLite database seeded with the Central cluster and the test roster.

    A copy of the session's seeded file when the clock reads ``TEST_NOW`` (seeding costs a few hundred
    milliseconds a test, and nearly every test seeds the same); seeded afresh at any other time.
    """
    url = f"sqlite:///{tmp_path / 'central.db'}"
    if clock.now() == TEST_NOW:
        _migrated_copy(request.getfixturevalue("central_at_test_now"), url)
        engine = make_engine(url)
    else:
        _migrated_copy(request.getfixturevalue("migrated_sqlite"), url)
        engine = make_engine(url)
        _seed_central(engine, clock.now())
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
