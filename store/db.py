"""Engines, transactions, migrations and the health check."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlmodel import Session

MIGRATIONS = Path(__file__).parent / "migrations"
# The transaction lock every unit of work takes on PostgreSQL (any number; distinct from the scheduler's).
TURNS_LOCK_KEY = 7164230245974110819
READ_ONLY_OPTION = "clusterbot_read_only"
# Seconds a SQLite writer waits for the writers before it, as SQLite itself waits for other processes.
SQLITE_WRITE_WAIT = 30.0
_HOLDS_WRITERS = "clusterbot_holds_writers"


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs (psycopg2 is not installed)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


DEFAULT_CONNECTIONS = 10


def make_engine(url: str, connections: int = DEFAULT_CONNECTIONS) -> Engine:
    """An engine for ``url`` keeping up to ``connections`` open (more for a moment under a burst).

    SQLite gets foreign keys on and WAL, so readers don't block the writer.
    """
    url = normalise_url(url)
    if url.startswith("sqlite"):
        pooled = {} if ":memory:" in url or url in ("sqlite://", "sqlite:///") else {"pool_size": connections}
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pooled)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            # pysqlite opens transactions lazily and commits on RELEASE SAVEPOINT, which would make a
            # nested transaction write half an import; we take over BEGIN so savepoints are real.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        # SQLite's own wait for its write lock polls, sleeping longer each time (up to 100 ms a try), so
        # under a burst of clicks a writer that could have gone on waits on, and a few wait seconds. Writers of
        # this process first queue here instead, where the next one is woken the moment the last commits;
        # SQLite's own wait (30 s) is left for writers in other processes (the command line, a backup).
        writers = threading.Lock()

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            # IMMEDIATE takes the write lock up front: a deferred transaction that reads and then writes
            # fails at once with "database is locked" when another wrote in between, instead of waiting.
            # A read-only unit never writes, so it begins deferred and reads its WAL snapshot without
            # waiting for a writer.
            if connection.get_execution_options().get(READ_ONLY_OPTION, False):
                connection.exec_driver_sql("BEGIN")
                return
            if not writers.acquire(timeout=SQLITE_WRITE_WAIT):
                raise TimeoutError(f"waited {SQLITE_WRITE_WAIT:.0f} s for the database's write lock")
            connection.info[_HOLDS_WRITERS] = True
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                _let_next_writer(connection.info)
                raise

        def _let_next_writer(info: dict[str, Any]) -> None:
            if info.pop(_HOLDS_WRITERS, False):
                writers.release()

        @event.listens_for(engine, "commit")
        def _committed(connection: Any) -> None:
            _let_next_writer(connection.info)

        @event.listens_for(engine, "rollback")
        def _rolled_back(connection: Any) -> None:
            _let_next_writer(connection.info)

        @event.listens_for(engine, "checkin")
        def _returned(_dbapi_connection: Any, record: Any) -> None:
            # A connection given back in the middle of a unit (an error in the driver) lets the next one go.
            _let_next_writer(record.info)

        return engine
    # TCP keepalives let a broken network show up in seconds rather than hours (the scheduler's leader lock
    # lives on one long-held connection).
    keepalives = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}
    return create_engine(
        url, pool_pre_ping=True, pool_size=connections, max_overflow=connections, connect_args=keepalives
    )


class ReadOnlyViolation(RuntimeError):
    """A unit of work opened read-only changed something (a programming error; nothing was kept)."""


@contextmanager
def transaction(engine: Engine, *, read_only: bool = False, serial: bool = True) -> Iterator[Session]:
    """One unit of work: commits when the block ends, rolls back everything if it raises.

    Units of work that read, check and then write ("is this click's draft there yet?", "is this referral
    still a draft?", "does the budget still allow it?") must not overlap with another unit checking the same
    thing: Teams delivers the same click twice, often at the same moment, and at PostgreSQL's READ COMMITTED
    two such units could both pass the check and both write (two drafts for one click, an overspent budget).
    SQLite's ``BEGIN IMMEDIATE`` makes every writing unit take its turn there.

    On PostgreSQL a ``serial`` unit (the default, for the rare whole-city changes: imports, settings, the
    scheduler's catch-up) takes the turns lock exclusively, so it runs alone. A unit opened with
    ``serial=False`` takes no lock until it calls :func:`take_turn` with the scope its check is about (a
    cluster, a referral): units of different scopes run side by side, and two clusters' meetings never
    queue behind each other. It must call :func:`take_turn` before it reads what it checks.

    ``read_only`` units take no lock at all (on SQLite they begin deferred and read a WAL snapshot without
    waiting for a writer), and one that tries to change anything through the session fails instead.
    """
    with Session(engine, expire_on_commit=False) as session:
        try:
            if read_only:
                session.connection(execution_options={READ_ONLY_OPTION: True})
            elif serial and engine.dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": TURNS_LOCK_KEY})
            yield session
            if read_only and (session.new or session.dirty or session.deleted):
                raise ReadOnlyViolation("a read-only unit of work tried to change the database")
            # Ended with COMMIT even when read-only: with psycopg, a ROLLBACK here costs twice as long.
            session.commit()
        except BaseException:
            session.rollback()
            raise


def scope_key(*scope: object) -> int:
    """A stable 63-bit advisory-lock key for a scope such as ``("cluster", 7)`` (the same on every replica)."""
    digest = hashlib.blake2b(repr(scope).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def take_turn(session: Session, *scope: object) -> None:
    """Wait for the turn of ``scope`` (e.g. ``"cluster", 7``) in a ``serial=False`` unit, until it ends.

    On PostgreSQL: the turns lock shared (so a serial unit still runs alone) and the scope's own lock
    exclusively, both released at commit or rollback; a unit may take several scopes, always in the same
    order (cluster before referral) so two units cannot wait for each other. On SQLite the unit already has
    the database's only write lock, so this does nothing.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": TURNS_LOCK_KEY})
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": scope_key(*scope)})


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at our migrations and ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Apply every migration not yet applied."""
    command.upgrade(alembic_config(url), "head")
