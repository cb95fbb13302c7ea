"""Which process runs the scheduled jobs: on PostgreSQL one replica at a time, chosen by an advisory lock.

Several replicas may serve the web endpoint against one PostgreSQL database. Only the one holding the
session-level advisory lock :data:`SCHEDULER_LOCK_KEY` runs the jobs; the others check again every time a job
comes round (and on the leadership job, at least every 15 seconds) and take over when the lock comes free.

The lock lives on a dedicated connection that is kept open for as long as this process leads. PostgreSQL
ties a session-level advisory lock to its session: when the holder stops (``release``), crashes or is killed,
its session ends and the lock goes with it, so another replica's next :meth:`Leadership.ensure` gets it.
For a holder that vanishes without closing its socket (a machine that loses power, a frozen process), the
lock connection asks the server to probe the client with TCP keepalives and, on PostgreSQL 14 or later, to
end the session when it has been idle for :data:`IDLE_SESSION_TIMEOUT_MS` (the leader queries it far more
often than that); either way the lock is freed within about a minute.

Leadership is a matter of efficiency, not of correctness: should two processes ever run the jobs at once
(for a moment during a takeover), every owed message still has a unique outbox key and is claimed with
``FOR UPDATE SKIP LOCKED``, so nothing is owed or sent twice.

SQLite is one file on one machine, served by a single bot process by design (the local and small-site
setup); there is no other replica to defer to and no server session to hold a lock in, so on SQLite this
process always leads. Were two processes started on one SQLite file anyway, SQLite's writer lock serialises
their claims and the unique keys still stop a double send.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("clusterbot.scheduler")

SCHEDULER_LOCK_KEY = 7164230245974110818
"""The advisory lock key: the bytes ``b"clusterb"`` read as a big-endian bigint. Locks are per database."""

IDLE_SESSION_TIMEOUT_MS = 60_000
"""The lock session ends after this long without a query (the leader checks it at least every 15 s)."""

_KEEPALIVES = ("SET tcp_keepalives_idle = 10", "SET tcp_keepalives_interval = 5", "SET tcp_keepalives_count = 3")


class Leadership:
    """Whether this process runs the scheduled jobs: an advisory lock on PostgreSQL, always on SQLite.

    :meth:`ensure` is cheap and non-blocking (it never waits for the lock): the leader checks that its lock
    connection still answers; the others try once to take the lock. :meth:`release` gives it up.
    """

    def __init__(self, engine: Engine, key: int = SCHEDULER_LOCK_KEY) -> None:
        self._engine = engine
        self._key = key
        self._postgres = engine.dialect.name == "postgresql"
        self._connection: Connection | None = None
        self._lock = threading.Lock()  # ensure() runs in worker threads; one at a time uses the connection
        self.terms = 0
        """How many times this process has become the leader (on PostgreSQL)."""

    @property
    def leading(self) -> bool:
        """Whether this process led at the last check (always True on SQLite)."""
        return not self._postgres or self._connection is not None

    async def ensure(self) -> bool:
        """Whether this process leads now, taking the lock if it is free; the database work runs off the loop."""
        if not self._postgres:
            return True
        return await asyncio.to_thread(self.check)

    def check(self) -> bool:
        """:meth:`ensure`, blocking: for a worker thread (or a test)."""
        if not self._postgres:
            return True
        with self._lock:
            if self._connection is not None:
                if self._answers(self._connection):
                    return True
                log.warning("lost the scheduler lock: its database connection broke; trying to take it again")
                self._discard(self._connection)
                self._connection = None
            return self._try_take()

    def release(self) -> None:
        """Give up the lock (on shutdown); another replica takes over at its next check. Safe to call twice."""
        if not self._postgres:
            return
        with self._lock:
            connection, self._connection = self._connection, None
            if connection is None:
                return
            try:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            except SQLAlchemyError:
                pass  # a broken connection holds nothing any more
            finally:
                self._discard(connection)
            log.info("released the scheduler lock")

    def _try_take(self) -> bool:
        try:
            connection = self._engine.connect()
        except SQLAlchemyError as exc:
            log.warning("cannot reach the database to check the scheduler lock: %s", exc)
            return False
        try:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")  # never idle in a transaction
            taken = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}).scalar())
        except SQLAlchemyError as exc:
            log.warning("could not try the scheduler lock: %s", exc)
            self._discard(connection)
            return False
        if not taken:
            connection.close()  # back to the pool: it holds no lock and no session settings of ours
            log.debug("another process runs the scheduler")
            return False
        self._watch(connection)
        self._connection = connection
        self.terms += 1
        log.info("this process now runs the scheduler (PostgreSQL advisory lock %d)", self._key)
        return True

    @staticmethod
    def _watch(connection: Connection) -> None:
        """Ask the server to notice soon if this process vanishes while holding the lock."""
        statements = list(_KEEPALIVES)
        try:
            version = int(str(connection.execute(text("SHOW server_version_num")).scalar()))
        except (SQLAlchemyError, ValueError):
            version = 0
        if version >= 140000:
            statements.append(f"SET idle_session_timeout = {IDLE_SESSION_TIMEOUT_MS}")
        for statement in statements:
            try:
                connection.execute(text(statement))
            except SQLAlchemyError as exc:  # a managed server may refuse some; the lock still works
                log.debug("lock connection: %s refused: %s", statement, exc)

    def _answers(self, connection: Connection) -> bool:
        try:
            connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    @staticmethod
    def _discard(connection: Connection) -> None:
        """Close the connection for good, never back to the pool: its session (and any lock in it) ends."""
        try:
            connection.invalidate()
            connection.close()
        except SQLAlchemyError:
            pass
