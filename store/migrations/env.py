"""Alembic environment: runs our migrations against the URL the caller configured."""

from alembic import context
from sqlalchemy import Connection, create_engine, pool, text
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata

MIGRATION_LOCK_KEY = 7_244_310_512_907_181_901
"""The PostgreSQL advisory lock every replica takes before migrating (any fixed 64-bit number of our own)."""


def run_migrations(connection: Connection) -> None:
    """Apply the pending migrations on ``connection`` in one transaction."""
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate the caller's connection, or a connection of our own to the configured URL."""
    connectable = config.attributes.get("connection")
    if connectable is not None:
        run_migrations(connectable)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
    with engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            # Only PostgreSQL is shared by several replicas; SQLite needs no lock.
            run_migrations(connection)
            return
        # Replicas starting together on an empty database would both create the same tables, and all but
        # one would die on a duplicate type name. The session-level lock makes the others wait; they then
        # read the version the first one committed and find nothing to do. Committing straight after
        # taking it leaves no transaction open, so Alembic's own transaction commits the migrations.
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        connection.commit()
        try:
            run_migrations(connection)
        finally:
            connection.rollback()  # after a failed migration the unlock needs a usable connection
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
            connection.commit()


run_migrations_online()
